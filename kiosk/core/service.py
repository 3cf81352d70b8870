"""Check-in as a use case: resolve the code, decide, record durably, then answer."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from kiosk.core import intake, tickets
from kiosk.core.checkin_list import CheckinLists, match_addon, with_list
from kiosk.core.model import (
    Direction,
    Event,
    Lang,
    Mode,
    Registration,
    Role,
    Scan,
    ScanHistory,
    ScanKind,
    Session,
    in_zone,
)
from kiosk.core.ports import Clock, IdFactory, PrintReason, PrintRequest, RegistrationStore, ScanLog
from kiosk.core.questions import AnswerError, clean_answer
from kiosk.core.rules import Context, TicketCheck, decide
from kiosk.core.verdict import Reason, Verdict


@dataclass(frozen=True, slots=True)
class KioskIdentity:
    id: str
    name: str
    mode: Mode = Mode.KIOSK


@dataclass(frozen=True, slots=True)
class CheckinResult:
    """A verdict that is already in the scan log."""

    verdict: Verdict
    scan: Scan
    print_job: int | None = None
    intake: intake.Interpretation | None = None  # how the raw input became the code


class WrongSessionDay(LookupError):
    """A door set to a session of another day: staff must choose today's session."""


def new_nonce() -> str:
    return uuid.uuid4().hex


def primary_code(reg: Registration) -> str:
    """The code logged for a registration checked in without a scan (desk, override)."""
    return reg.codes[0] if reg.codes else f"id:{reg.id}"


class CheckinService:
    """Turns a scanned code into a durable, logged verdict.

    ``record`` commits before returning, so whatever shows "welcome" afterwards is
    showing something that survives a crash.
    """

    def __init__(
        self,
        store: RegistrationStore,
        log: ScanLog,
        clock: Clock,
        event: Event,
        kiosk: KioskIdentity,
        verify: tickets.Verifier | None = None,
        *,
        day: int | None = None,
        enforce_capacity: bool = True,
        print_badges: bool = True,
        new_id: IdFactory = new_nonce,
        sign: tickets.Signer | None = None,
        rules: intake.IntakeRules | None = None,
        lists: CheckinLists | None = None,
    ) -> None:
        self.store = store
        self.log = log
        self.clock = clock
        self.event = event
        self.kiosk = kiosk
        self.verify = verify
        self.day = day
        self.enforce_capacity = enforce_capacity
        self.print_badges = print_badges
        self.hold_badges = False  # a command prints them itself (PrintRequest.hold)
        self.new_id = new_id
        self.sign = sign
        self.rules = rules or intake.IntakeRules()
        self.lists = lists  # pulled pretix check-in lists: their checks apply too
        self._event_tag = tickets.event_tag(event.slug)

    def check_ticket(self, code: str) -> TicketCheck:
        if not tickets.is_signed_ticket(code):
            return None
        if self.verify is None:
            return tickets.TicketError("this kiosk has no public key for signed tickets")
        try:
            return tickets.decode(code, self.verify)
        except tickets.TicketError as exc:
            return exc

    def resolve(self, code: str) -> tuple[list[Registration], TicketCheck]:
        ticket = self.check_ticket(code)
        found = self.store.find_by_code(code)
        if not found and isinstance(ticket, tickets.SignedTicket):
            reg = self.store.get(ticket.registration_id)
            found = [reg] if reg is not None else []
        return found, ticket

    def leads_to(self, code: str) -> frozenset[str]:
        """The registration ids a code leads to: registrations holding it, or the one named
        by a signed ticket whose signature verifies (``intake.Lookup``)."""
        found, ticket = self.resolve(code)
        ids = frozenset(r.id for r in found)
        if not ids and isinstance(ticket, tickets.SignedTicket):
            ids = frozenset({ticket.registration_id})
        return ids

    def interpret(self, raw: str) -> intake.Interpretation:
        """The code to check for raw scanner, camera or keyboard input (kiosk.core.intake)."""
        rules = self.rules
        return intake.interpret(
            raw,
            self.leads_to,
            patterns=rules.patterns,
            url_keys=rules.url_keys,
            repair_layout=rules.repair_layout,
        )

    def evaluate(
        self, code: str, direction: Direction = Direction.ENTRY, session_id: str | None = None
    ) -> Verdict:
        """The verdict a scan would get, without recording it."""
        session = self.store.session(session_id) if session_id else None
        return self._evaluate(self.interpret(code), direction, session)

    def _evaluate(
        self, read: intake.Interpretation, direction: Direction, session: Session | None
    ) -> Verdict:
        code = read.code
        if read.ambiguous:
            # Repairs that lead to different people: refuse rather than guess.
            ctx = Context(now=self.clock.now(), event=self.event, direction=direction)
            kind = ctx.kind if session is None else replace(ctx, session=session).kind
            return Verdict(Reason.AMBIGUOUS, kind, session_id=session.id if session else None)
        found, ticket = self.resolve(code)
        found = self._addon_match(code, found, session.id if session else "")
        whose = found[0].id if len(found) == 1 else None
        if whose is None and isinstance(ticket, tickets.SignedTicket):
            whose = ticket.registration_id
        ctx = Context(
            now=self.clock.now(),
            event=self.event,
            direction=direction,
            day=self.day,
            session=session,
            session_inside=self.log.session_inside(session.id) if session else 0,
            enforce_capacity=self.enforce_capacity,
            history=self.log.history(whose) if whose else ScanHistory(),
        )
        verdict = decide(code, found, ctx, ticket, self._event_tag)
        door = session.id if session else ""
        exit_ = direction is Direction.EXIT
        alone = self.kiosk.mode is Mode.KIOSK  # no one to ask pretix's check-in questions
        return with_list(
            verdict, self.lists, ctx.history, ctx.now, door, exit=exit_, self_service=alone
        )

    def _addon_match(self, code: str, found: list[Registration], door: str) -> list[Registration]:
        """On a pretix list with ``addon_match``, the position pretix would check in: the
        scanned one or one of its add-ons (``checkin_list.match_addon``); several when
        pretix would answer ``ambiguous`` (``decide`` then refuses as ambiguous)."""
        clist = self.lists.checkin_list(door) if self.lists is not None else None
        if self.lists is None or clist is None or not clist.addon_match or len(found) > 1:
            return found
        addons = self.lists.addons(code)
        if not addons:
            return found
        scanned = self.lists.ticket_facts(found[0].id) if found else None
        if found and scanned is None:
            return found  # not a pretix position: nothing to match
        regs: list[Registration | None] = [found[0] if found else None]
        for reg_id, _facts in addons:
            reg = self.store.get(reg_id)
            if reg is None:
                return found
            regs.append(reg)
        chosen = match_addon(clist, scanned, [f for _id, f in addons], self.clock.now())
        if chosen is None:  # ambiguous: more than one
            return [r for r in regs if r is not None]
        pick = regs[chosen]
        return [pick] if pick is not None else found

    def check(
        self,
        code: str,
        direction: Direction = Direction.ENTRY,
        session_id: str | None = None,
        staff: str = "",
        answers: Mapping[str, str] | None = None,
    ) -> CheckinResult:
        """Decide and record one scan; the log row is committed when this returns.

        The decision and its record are one transaction: two scans of the same code (two
        codes in a frame, a scan and a desk check-in) can never both be first.
        ``answers``: to pretix's check-in questions, asked by staff at a door (as for
        ``check_in_by_hand``; AnswerError before anything is recorded).
        """
        session = self._require_session_today(session_id) if session_id is not None else None
        read = self.interpret(code)
        with self.log.exclusive():
            verdict = self._evaluate(read, direction, session)
            given: tuple[tuple[str, str], ...] = ()
            if answers and verdict.registration is not None:
                given = self._clean_answers(verdict, verdict.registration, answers)
                verdict = replace(verdict, questions=())  # asked: nothing left to ask
            result = self._record(read.code, verdict, staff=staff, note=read.note, answers=given)
        return replace(result, intake=read)

    def check_in_by_hand(
        self,
        registration_id: str,
        staff: str,
        answers: Mapping[str, str] | None = None,
    ) -> CheckinResult:
        """Staff check-in of a registration found by name: same rules as a scan.

        ``answers``: question id -> answer as typed, for the check-in questions the verdict
        listed (``Verdict.questions``); each is checked as pretix checks it and uploaded in
        the form pretix reads (``kiosk.core.questions.clean_answer``). Raises AnswerError
        (naming the question) for one pretix would not take, before anything is recorded.
        None or empty: the questions were not asked (pretix then records the entry
        without them).
        """
        reg = self._require(registration_id)
        with self.log.exclusive():
            verdict = self.evaluate_registration(reg)
            given: tuple[tuple[str, str], ...] = ()
            if answers:
                given = self._clean_answers(verdict, reg, answers)
                verdict = replace(verdict, questions=())  # asked: nothing left to ask
            return self._record(
                primary_code(reg), verdict, staff=staff, note="by hand", answers=given
            )

    def _clean_answers(
        self, verdict: Verdict, reg: Registration, answers: Mapping[str, str]
    ) -> tuple[tuple[str, str], ...]:
        zone = self.clock.now().tzinfo or UTC
        cleaned = []
        for question in verdict.questions:
            raw = str(answers.get(str(question.id), ""))
            try:
                cleaned.append(
                    (str(question.id), clean_answer(question, raw, zone, country=reg.country))
                )
            except AnswerError as exc:
                raise AnswerError(f"{question.text}: {exc}") from None
        return tuple(sorted(cleaned))

    def evaluate_registration(
        self, reg: Registration, direction: Direction = Direction.ENTRY
    ) -> Verdict:
        ctx = Context(
            now=self.clock.now(),
            event=self.event,
            direction=direction,
            day=self.day,
            history=self.log.history(reg.id),
        )
        verdict = decide(primary_code(reg), [reg], ctx)
        exit_ = direction is Direction.EXIT
        return with_list(verdict, self.lists, ctx.history, ctx.now, exit=exit_)

    def override(self, registration_id: str, staff: str, why: str) -> CheckinResult:
        """A supervisor lets someone in despite a refusal; logged as forced, with the why."""
        if not why.strip():
            raise ValueError("an override needs a reason")
        reg = self._require(registration_id)
        with self.log.exclusive():
            refused = self.evaluate_registration(reg)
            if refused.ok:
                return self._record(primary_code(reg), refused, staff=staff)
            # only an earlier entry makes this a re-entry; other refusals earn the badge
            earlier = refused.previous_at if refused.reason is Reason.ALREADY_CHECKED_IN else None
            forced = Verdict(Reason.OK, ScanKind.ENTRY, reg, previous_at=earlier)
            note = f"override of {refused.reason.value}: {why.strip()}"
            return self._record(primary_code(reg), forced, staff=staff, note=note, forced=True)

    def register_walkin(
        self,
        first_name: str,
        last_name: str,
        *,
        email: str = "",
        organisation: str = "",
        role: Role = Role.PARTICIPANT,
        days: frozenset[int] = frozenset(),
        lang: Lang | None = None,
        staff: str = "",
    ) -> CheckinResult:
        """Create a registration at the desk, give it a code, check it in and queue its badge.

        The code is a signed ticket when this kiosk holds a signing key, else an opaque code;
        either way it is stored with the registration and uploaded with it.
        """
        if not (first_name.strip() or last_name.strip()):
            raise ValueError("a walk-in needs a name")
        reg_id = f"W-{self.kiosk.id}-{self.new_id()[:8]}"
        if self.sign is not None:
            code = tickets.encode(reg_id, role, days, self.event.slug, self.sign)
        else:
            code = f"WALKIN-{self.new_id()[:16].upper()}"
        reg = Registration(
            id=reg_id,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            codes=(code,),
            email=email.strip(),
            organisation=organisation.strip(),
            role=role,
            ticket_type="walk-in",
            days=days,
            lang=lang,
        )
        with self.log.exclusive():
            self.store.add_walkin(reg, staff)
            verdict = self.evaluate(code)
            return self._record(code, verdict, staff=staff, note="walk-in")

    def undo_last(self, registration_id: str, staff: str) -> Scan:
        """Take back the registration's last accepted scan (a mistaken check-in).

        The log stays append-only: an undo row names the scan it cancels.
        """
        with self.log.exclusive():
            last = self.log.history(registration_id).last_accepted()
            if last is None:
                raise LookupError("nothing to undo: no accepted scan for this registration")
            now = self.clock.now()
            undo = self._undo_row(registration_id, last, now, staff)
            self.log.record(undo)  # also cancels that check-in's badge if not printed yet
            return undo

    def _undo_row(self, registration_id: str, last: Scan, now: datetime, staff: str) -> Scan:
        return Scan(
            nonce=self.new_id(),
            kiosk_id=self.kiosk.id,
            kiosk_name=self.kiosk.name,
            at=now,
            code=last.nonce,
            registration_id=registration_id,
            kind=ScanKind.UNDO,
            accepted=True,
            reason=Reason.OK.value,
            session_id=last.session_id,
            day=last.day,
            staff=staff,
            note=f"undo {last.kind.value} of {in_zone(last.at, now.tzinfo):%H:%M}",
        )

    def _require_session_today(self, session_id: str) -> Session:
        session = self.store.session(session_id)
        if session is None:
            raise LookupError(f"no session {session_id!r} in the local store")
        today = self.day if self.day is not None else self.event.day_of(self.clock.now())
        if session.day != today:
            raise WrongSessionDay(
                f"session {session_id} ({session.title}) is on day {session.day}, and today is "
                + (f"day {today}" if today else "not an event day")
                + ": choose today's session for this door"
            )
        return session

    def _require(self, registration_id: str) -> Registration:
        reg = self.store.get(registration_id)
        if reg is None:
            raise LookupError(f"no registration {registration_id!r}")
        return reg

    def _record(
        self,
        code: str,
        verdict: Verdict,
        *,
        staff: str = "",
        note: str = "",
        forced: bool = False,
        answers: tuple[tuple[str, str], ...] = (),
    ) -> CheckinResult:
        reg = verdict.registration
        now = self.clock.now()
        scan = Scan(
            nonce=self.new_id(),
            kiosk_id=self.kiosk.id,
            kiosk_name=self.kiosk.name,
            at=now,
            code=code,
            registration_id=reg.id if reg else None,
            kind=verdict.kind,
            accepted=verdict.ok,
            reason=verdict.reason.value,
            session_id=verdict.session_id,
            day=self.day if self.day is not None else self.event.day_of(now),
            staff=staff,
            note=note,
            forced=forced,
            answers=answers if verdict.ok else (),
        )
        request = None
        if self.print_badges and verdict.earns_badge and reg is not None:
            request = PrintRequest(reg.id, PrintReason.CHECKIN, staff, hold=self.hold_badges)
        job = self.log.record(scan, request)
        return CheckinResult(verdict, scan, job)
