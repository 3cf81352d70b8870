"""What each verdict says, to the attendee (what to do next) and to staff, in any language.

The sentences are English message ids; each call takes a :class:`Translator` (the port of
:mod:`kiosk.core.i18n`; the gettext adapter is :mod:`kiosk.locale`), so the core reads no
catalogue itself.
"""

from __future__ import annotations

from datetime import datetime

from kiosk.core.i18n import C_, N_, Message, Translator
from kiosk.core.model import Role, ScanKind
from kiosk.core.verdict import Reason, Verdict

# Attendee texts: short, polite, and always with the next step. Keys are stable; the
# values are English message ids, translated through the gettext catalogues.
ATTENDEE: dict[str, str] = {
    "ok.entry": N_("Welcome, {name}! Take your badge below."),
    "ok.entry_desk": N_("Welcome, {name}! Your badge will be printed at the help desk."),
    "ok.reentry": N_("Welcome back, {name}!"),
    "ok.exit": N_("Goodbye, {name}. See you soon!"),
    "ok.session_entry": N_("Enjoy the session, {name}!"),
    "ok.session_exit": N_("Thank you, {name}."),
    Reason.UNKNOWN: N_("We could not find this code. Please see the help desk."),
    Reason.INVALID_SIGNATURE: N_(
        "This ticket could not be verified. Please see the help desk with your confirmation e-mail."
    ),
    Reason.WRONG_EVENT: N_("This ticket is for another event. Please see the help desk."),
    Reason.SUPERSEDED: N_(
        "This ticket was replaced by a newer one. Please show your latest confirmation e-mail."
    ),
    Reason.CANCELLED: N_("This registration was cancelled. Please see the help desk."),
    Reason.UNPAID: N_(
        "The payment for this registration is not complete. Please see the help desk to settle it."
    ),
    Reason.BLOCKED: N_("This ticket cannot be used. Please see the help desk."),
    Reason.ALREADY_CHECKED_IN: N_(
        "Already checked in at {time} at {kiosk}. Please see the help desk if you need a new badge."
    ),
    "already_checked_in.session": N_(
        "You are already in this session (since {time}). Please scan at the exit when you leave."
    ),
    Reason.NOT_CHECKED_IN: N_("You have not been checked in yet. Please use the entrance kiosk."),
    Reason.NOT_VALID_TODAY: N_(
        "Your ticket is not valid today (valid: {days}). Please see the help desk."
    ),
    Reason.NOT_YET_VALID: N_(
        "Your ticket is not valid yet (from {time}). Please come back then or see the help desk."
    ),
    Reason.EXPIRED: N_("Your ticket has expired. Please see the help desk."),
    Reason.QUESTIONS_REQUIRED: N_(
        "We have a question for you before you go in. Please see the help desk."
    ),
    Reason.SESSION_NOT_ALLOWED: N_(
        "Your registration does not include this session. Please see the help desk."
    ),
    Reason.SESSION_FULL: N_("This session is full. Please ask a steward about the other sessions."),
    Reason.AMBIGUOUS: N_("This code matches more than one registration. Please see the help desk."),
}

# Staff texts: what happened and what staff can do about it.
STAFF: dict[str, str] = {
    "ok": N_("Accepted: {name} ({role})."),
    Reason.UNKNOWN: N_("Code not in the registration list. Search by name, or register a walk-in."),
    Reason.INVALID_SIGNATURE: N_(
        "Signature check failed: forged, altered or damaged ticket. Check ID and search by name."
    ),
    Reason.WRONG_EVENT: N_("Signed ticket of another event."),
    Reason.SUPERSEDED: N_("Old ticket of {name}: a newer code was issued. Search by name."),
    Reason.CANCELLED: N_("{name}: registration cancelled. A supervisor may override."),
    Reason.UNPAID: N_("{name}: order not paid. Take payment, then check in by hand."),
    Reason.BLOCKED: N_("{name}: ticket blocked by the organisers."),
    Reason.ALREADY_CHECKED_IN: N_(
        "{name}: already checked in at {time} at {kiosk}. Reprint if the badge was lost."
    ),
    Reason.NOT_CHECKED_IN: N_("{name}: exit scan without an entry today."),
    Reason.NOT_VALID_TODAY: N_("{name}: pass valid on {days} only."),
    Reason.NOT_YET_VALID: N_("{name}: ticket valid from {time}."),
    Reason.EXPIRED: N_("{name}: ticket expired."),
    Reason.QUESTIONS_REQUIRED: N_(
        "{name}: pretix asks check-in questions; check them in at the desk."
    ),
    Reason.SESSION_NOT_ALLOWED: N_("{name}: not registered for {session}."),
    Reason.SESSION_FULL: N_("{session} is full ({inside}/{capacity})."),
    Reason.AMBIGUOUS: N_("Code shared by several registrations: search by name."),
}

GUEST = N_("dear guest")
EVERY_DAY = N_("every day")

# The role as a word in a sentence ("Accepted: Lina (speaker)."); badges have their own,
# upper-case labels with the context "badge role" (printers.layout).
ROLE_WORDS: dict[Role, str] = {
    Role.PARTICIPANT: N_("participant"),
    Role.SPEAKER: N_("speaker"),
    Role.PRESS: N_("press"),
    Role.STAFF: N_("staff"),
    Role.ORGANISER: N_("organiser"),
    Role.SPONSOR: N_("sponsor"),
    Role.EXHIBITOR: N_("exhibitor"),
    Role.VIP: N_("VIP"),
}


# A print job's status as staff read it (the queue's codes, printers.queue).
JOB_STATUS: dict[str, Message] = {
    "pending": C_("print job", "pending"),
    "printing": C_("print job", "printing"),
    "done": C_("print job", "done"),
    "failed": C_("print job", "failed"),
    "cancelled": C_("print job", "cancelled"),
    "uncertain": C_("print job", "check tray"),
    "desk": C_("print job", "print at desk"),
    "held": C_("print job", "held"),
}


def job_status(status: str) -> Message:
    """The words of a print job ``status`` code; an unknown code is shown as it is."""
    return JOB_STATUS.get(status, Message(status))


def role_word(role: Role, tr: Translator) -> str:
    """The role in a sentence, in ``tr``'s language ("intervenant" for a speaker in French)."""
    return tr.gettext(ROLE_WORDS[role])


def days_text(days: frozenset[int], tr: Translator) -> str:
    """'day 1', 'jours 1 & 2', 'اليومان 1 و 2' in ``tr``'s language; empty means every day.

    The noun agrees with the number of days (``ngettext``); the last two numbers are
    joined by the language's "{days} & {last}".
    """
    if not days:
        return tr.gettext(EVERY_DAY)
    numbers = [str(d) for d in sorted(days)]
    listed = numbers[0]
    if len(numbers) > 1:
        listed = tr.gettext("{days} & {last}").format(
            days=", ".join(numbers[:-1]), last=numbers[-1]
        )
    return tr.ngettext("day {days}", "days {days}", len(numbers)).format(days=listed)


def _fields(verdict: Verdict, tr: Translator, session_title: str) -> dict[str, object]:
    reg = verdict.registration
    when = verdict.previous_at
    if when is None and reg is not None and reg.valid_from is not None:
        when = reg.valid_from
    return {
        "name": (reg.name_on_badge if reg else "") or tr.gettext(GUEST),
        "role": role_word(reg.role, tr) if reg else "",
        "days": days_text(reg.days, tr) if reg else "",
        "time": _when_text(when, verdict.reason) if when else "",
        "kiosk": verdict.previous_kiosk or "?",
        "session": session_title or (verdict.session_id or ""),
        "inside": verdict.inside if verdict.inside is not None else "?",
        "capacity": verdict.capacity if verdict.capacity is not None else "?",
    }


def _when_text(when: datetime, reason: Reason) -> str:
    """09:12 for today's repeats; 08/12 14:00 (or 08/12 from midnight) for validity."""
    if reason is not Reason.NOT_YET_VALID:
        return when.strftime("%H:%M")
    if (when.hour, when.minute) == (0, 0):
        return when.strftime("%d/%m")
    return when.strftime("%d/%m %H:%M")


def _attendee_key(verdict: Verdict) -> str:
    if verdict.ok:
        if verdict.kind is ScanKind.ENTRY and not verdict.earns_badge:
            return "ok.reentry"  # back after an exit, or on day 2 with yesterday's badge
        return f"ok.{verdict.kind.value}"
    if verdict.reason is Reason.ALREADY_CHECKED_IN and verdict.session_id is not None:
        return "already_checked_in.session"
    return verdict.reason.value


def attendee_text(
    verdict: Verdict, tr: Translator, session_title: str = "", *, badge_at_desk: bool = False
) -> str:
    """The sentence shown to the attendee in ``tr``'s language, ending with what to do next.

    ``badge_at_desk``: the badge this check-in earned will not come out here (the printer
    cannot print it now): send the attendee to the help desk instead of the tray.
    """
    key = _attendee_key(verdict)
    if badge_at_desk and key == "ok.entry":
        key = "ok.entry_desk"
    template = tr.gettext(ATTENDEE[key])
    return template.format(**_fields(verdict, tr, session_title))


def staff_text(verdict: Verdict, tr: Translator, session_title: str = "") -> str:
    """The sentence shown to staff in ``tr``'s language: what happened and what they can do."""
    key = "ok" if verdict.ok else verdict.reason.value
    return tr.gettext(STAFF[key]).format(**_fields(verdict, tr, session_title))
