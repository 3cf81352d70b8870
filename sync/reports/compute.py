"""Report tables computed from one ReportData: who came, which sessions filled, refusals.

Every number here comes from the scan log: an accepted scan counts unless an accepted
undo names it; a check-in is a person's first live entry of a day. Times are shown in
the event's time zone.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from kiosk.core.i18n import N_, SourceText, Translator
from kiosk.core.intake import repair_in_note
from kiosk.core.model import Registration, Scan, ScanKind, Session, Status
from kiosk.core.stats import QUARTER, checked_in_now, first_entries, live_scans
from kiosk.core.stats import quarter_counts as _slots
from kiosk.core.tickets import is_signed_ticket
from sync.reports.source import KioskSeen, ReportData

SLOT = QUARTER
WALKIN_TICKET = "walk-in"  # CheckinService.register_walkin's ticket type

REASON_MEANING = {
    "unknown": N_("code not in the registration list"),
    "invalid_signature": N_("forged or damaged signed ticket"),
    "wrong_event": N_("ticket of another event"),
    "superseded": N_("an older code of a re-issued ticket"),
    "cancelled": N_("registration cancelled"),
    "unpaid": N_("registration not paid"),
    "blocked": N_("registration blocked by the organisers"),
    "already_checked_in": N_("scanned again while already inside"),
    "not_checked_in": N_("exit without an entry"),
    "not_valid_today": N_("ticket not valid on this day"),
    "not_yet_valid": N_("ticket valid later"),
    "expired": N_("ticket no longer valid"),
    "session_not_allowed": N_("not registered for this session"),
    "session_full": N_("session at capacity"),
    "ambiguous": N_("code shared by several registrations"),
    "questions_required": N_("check-in questions to answer at the desk"),
}


@dataclass(frozen=True)
class Table:
    """One CSV file and one table of the HTML report."""

    name: str  # file stem
    title: str
    columns: tuple[str, ...]
    rows: Sequence[tuple[object, ...]]
    note: str = ""


@dataclass(frozen=True)
class SessionFill:
    session: Session
    attended: int  # distinct people with a live entry at its doors
    inside: int  # people whose last move there was an entry
    peak: int  # most people inside at once
    refused_full: int

    @property
    def fill_percent(self) -> float | None:
        return 100.0 * self.attended / self.session.capacity if self.session.capacity else None


@dataclass
class Report:
    """Everything one `accueil report` run writes."""

    event_name: str
    scope: str
    day: int | None
    generated_at: datetime
    tz: ZoneInfo
    summary: list[tuple[str, object]]
    tables: dict[str, Table]
    arrivals: dict[int, list[tuple[datetime, int]]]  # day -> (slot start, first entries)
    sessions: list[SessionFill]
    refusals: Counter[str]
    kiosks: list[KioskSeen]
    scans: list[Scan] = field(default_factory=list)  # in scope, for the exports
    registrations: dict[str, Registration] = field(default_factory=dict)
    undone: frozenset[str] = frozenset()


OVERRIDE, UNDONE_OVERRIDE, UNDO = N_("override"), N_("override (undone)"), N_("undo")


def how(scan: Scan) -> str:
    """How a check-in happened, in words staff use (English; the report translates them)."""
    if scan.forced:
        return N_("override")
    if scan.note == "walk-in":
        return N_("walk-in")
    if scan.note == "by hand":
        return N_("by hand")
    return N_("scan")


def session_fill(session: Session, live: list[Scan], refused: list[Scan]) -> SessionFill:
    moves = sorted(
        (
            s
            for s in live
            if s.session_id == session.id
            and s.registration_id
            and s.kind in (ScanKind.SESSION_ENTRY, ScanKind.SESSION_EXIT)
        ),
        key=lambda s: s.at,
    )
    state: dict[str, bool] = {}
    peak = 0
    attended: set[str] = set()
    for move in moves:
        assert move.registration_id is not None
        entering = move.kind is ScanKind.SESSION_ENTRY
        state[move.registration_id] = entering
        if entering:
            attended.add(move.registration_id)
        peak = max(peak, sum(state.values()))
    full = sum(1 for s in refused if s.session_id == session.id and s.reason == "session_full")
    return SessionFill(session, len(attended), sum(state.values()), peak, full)


def parse_override(note: str) -> tuple[str, str]:
    """("refused reason", "why") from CheckinService.override's note."""
    head, _, why = note.partition(":")
    if head.startswith("override of "):
        return head.removeprefix("override of ").strip(), why.strip()
    return "", note


def compute(
    data: ReportData,
    day: int | None = None,
    now: datetime | None = None,
    tr: Translator | None = None,
) -> Report:
    """All report tables for one day (or every day when ``day`` is None).

    ``now`` (aware; default the current time) decides which days are over: a day's
    no-shows are counted only once it has ended (:func:`day_ends`), never for a day still
    to come. ``tr`` translates titles, column headers, notes and labels (default: the
    English message ids); data values (names, ids, reasons) are never translated.
    Raises :class:`ValueError` for a day that is not one of the event's.
    """
    tr = tr or SourceText()
    _ = tr.gettext

    def cols(*names: str) -> tuple[str, ...]:
        return tuple(_(n) for n in names)

    event = data.event
    now = (now or datetime.now(UTC)).astimezone(ZoneInfo(event.timezone))
    tz = ZoneInfo(event.timezone)
    event_days = sorted(d.number for d in event.days)
    if day is not None and day not in event_days:
        raise ValueError(
            f"day {day} is not a day of {event.name} (days: {', '.join(map(str, event_days))})"
        )
    days = [day] if day is not None else event_days
    regs = {r.id: r for r in data.registrations}
    all_live, undone = live_scans(data.scans)
    in_scope = [s for s in data.scans if day is None or s.day == day]
    live = [s for s in all_live if day is None or s.day == day]
    refused = [s for s in in_scope if not s.accepted]
    sessions = [s for s in data.sessions if day is None or s.day == day]
    ends = day_ends(data)
    over = {d for d in days if now >= ends[d]}

    def local(when: datetime | None) -> str:
        return when.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S") if when else ""

    def name(reg_id: str | None) -> str:
        reg = regs.get(reg_id or "")
        return reg.full_name if reg else (_("(not in the list)") if reg_id else "")

    def org(reg_id: str | None) -> str:
        reg = regs.get(reg_id or "")
        return reg.organisation if reg else ""

    def kiosk(scan: Scan) -> str:
        return scan.kiosk_name or scan.kiosk_id

    first = first_entries(live)
    tables: dict[str, Table] = {}

    tables["checkins"] = Table(
        "checkins",
        _("Check-ins per attendee"),
        cols(N_("day"), N_("first_entry"), N_("registration_id"), N_("name"), N_("organisation"), N_("role"), N_("kiosk"),
         N_("how"), N_("staff")),
        [
            (d, local(s.at), rid, name(rid), org(rid),
             regs[rid].role.value if rid in regs else "", kiosk(s), _(how(s)), s.staff)
            for (rid, d), s in sorted(first.items(), key=lambda kv: (kv[0][1], kv[1].at))
        ],
        _("One row per person and day: the first entry that no undo took back."),
    )  # fmt: skip

    fills = [session_fill(s, live, refused) for s in sessions]
    attendees: dict[str, list[tuple[str, datetime]]] = defaultdict(list)
    seen_at_session: set[tuple[str, str]] = set()
    for s in sorted(live, key=lambda s: s.at):
        key = (s.session_id or "", s.registration_id or "")
        if s.kind is ScanKind.SESSION_ENTRY and all(key) and key not in seen_at_session:
            seen_at_session.add(key)
            attendees[key[0]].append((key[1], s.at))
    tables["sessions"] = Table(
        "sessions",
        _("Attendance per session"),
        cols(N_("session_id"), N_("title"), N_("room"), N_("day"), N_("start"), N_("end"), N_("capacity"), N_("attended"),
         N_("fill_percent"), N_("peak_inside"), N_("inside_now"), N_("refused_full"), N_("attendees")),
        [
            (f.session.id, f.session.title, f.session.room, f.session.day,
             f.session.start.astimezone(tz).strftime("%H:%M"),
             f.session.end.astimezone(tz).strftime("%H:%M"), f.session.capacity or "",
             f.attended, "" if f.fill_percent is None else round(f.fill_percent, 1), f.peak,
             f.inside, f.refused_full,
             "; ".join(name(rid) for rid, _ in attendees.get(f.session.id, [])))
            for f in fills
        ],
        _("attended: distinct people let in at the door; capacity empty means unlimited."),
    )  # fmt: skip
    tables["session_attendees"] = Table(
        "session_attendees",
        _("Session attendees"),
        cols(
            N_("session_id"),
            N_("title"),
            N_("registration_id"),
            N_("name"),
            N_("organisation"),
            N_("first_entry"),
        ),
        [
            (f.session.id, f.session.title, rid, name(rid), org(rid), local(at))
            for f in fills
            for rid, at in attendees.get(f.session.id, [])
        ],
    )

    expected = [r for r in regs.values() if r.status is Status.CONFIRMED]
    tables["no_shows"] = Table(
        "no_shows",
        _("No-shows"),
        cols(
            N_("day"),
            N_("registration_id"),
            N_("name"),
            N_("email"),
            N_("organisation"),
            N_("role"),
            N_("ticket_type"),
        ),
        [
            (d, r.id, r.full_name, r.email, r.organisation, r.role.value, r.ticket_type)
            for d in days
            for r in sorted(expected, key=lambda r: (r.last_name, r.first_name, r.id))
            if d in over and r.valid_on(d) and (r.id, d) not in first
        ],
        _(
            "Confirmed registrations valid that day with no check-in, once the day is over "
            "(after its last session)."
        ),
    )

    walkin_scan: dict[str, Scan] = {}
    for s in sorted(data.scans, key=lambda s: s.at):
        if s.note == "walk-in" and s.registration_id:
            walkin_scan.setdefault(s.registration_id, s)
    walkin_rows = []
    for r in sorted(regs.values(), key=lambda r: r.id):
        if r.ticket_type != WALKIN_TICKET:
            continue
        ws = walkin_scan.get(r.id)
        if day is not None and (ws is None or ws.day != day):
            continue
        walkin_rows.append(
            (local(ws.at) if ws else "", ws.day if ws else "", r.id, r.full_name, r.email,
             r.organisation, r.role.value, kiosk(ws) if ws else "", ws.staff if ws else "")
        )  # fmt: skip
    walkin_rows.sort(key=lambda row: str(row[0]))
    tables["walkins"] = Table(
        "walkins",
        _("Walk-ins registered at the desk"),
        cols(N_("registered_at"), N_("day"), N_("registration_id"), N_("name"), N_("email"), N_("organisation"), N_("role"),
         N_("kiosk"), N_("staff")),
        walkin_rows,
    )  # fmt: skip

    reprint_rows: list[tuple[object, ...]] = []
    note = ""
    if data.reprints is None:
        counts = ", ".join(f"{k.kiosk_id}: {k.reprints}" for k in data.kiosks if k.reprints)
        note = _("Reprints are kept on each kiosk; run `accueil report` there for the list.")
        if counts:
            note += " " + _("Reported by kiosks: {counts}.").format(counts=counts)
    else:
        for rp in data.reprints:
            rp_day = event.day_of(rp.at.astimezone(tz))
            if day is None or rp_day == day:
                reprint_rows.append(
                    (local(rp.at), rp.registration_id, name(rp.registration_id), rp.kiosk_id,
                     rp.staff, rp.status)
                )  # fmt: skip
    tables["reprints"] = Table(
        "reprints",
        _("Badge reprints"),
        cols(N_("at"), N_("registration_id"), N_("name"), N_("kiosk"), N_("staff"), N_("status")),
        reprint_rows,
        note,
    )

    override_rows = []
    for s in sorted(in_scope, key=lambda s: s.at):
        if s.accepted and s.forced:
            refused_reason, why = parse_override(s.note)
            action = UNDONE_OVERRIDE if s.nonce in undone else OVERRIDE
        elif s.accepted and s.kind is ScanKind.UNDO:
            action, refused_reason, why = UNDO, "", s.note
        else:
            continue
        override_rows.append(
            (local(s.at), action, s.registration_id or "", name(s.registration_id), s.staff,
             kiosk(s), refused_reason, why)
        )  # fmt: skip
    overrides = sum(1 for r in override_rows if r[1] != UNDO)
    undos = sum(1 for r in override_rows if r[1] == UNDO)
    override_rows = [(r[0], _(str(r[1])), *r[2:]) for r in override_rows]
    tables["overrides"] = Table(
        "overrides",
        _("Overrides and undone check-ins"),
        cols(
            N_("at"),
            N_("action"),
            N_("registration_id"),
            N_("name"),
            N_("staff"),
            N_("kiosk"),
            N_("refused_reason"),
            N_("why"),
        ),
        override_rows,
        _("Supervisor overrides of a refusal, and check-ins staff took back."),
    )

    refusals: Counter[str] = Counter(s.reason for s in refused)
    total_refused = sum(refusals.values())
    tables["refusals"] = Table(
        "refusals",
        _("Refused scans by reason"),
        cols(N_("reason"), N_("meaning"), N_("count"), N_("percent_of_refusals"), N_("percent_of_scans")),
        [
            (reason, _(REASON_MEANING[reason]) if reason in REASON_MEANING else "", n, round(100 * n / total_refused, 1),
             round(100 * n / len(in_scope), 1))
            for reason, n in refusals.most_common()
        ],
    )  # fmt: skip
    tables["refused_scans"] = Table(
        "refused_scans",
        _("Refused scans"),
        cols(N_("at"), N_("reason"), N_("kind"), N_("kiosk"), N_("registration_id"), N_("name"), N_("session_id"), N_("code_start")),
        [
            (local(s.at), s.reason, s.kind.value, kiosk(s), s.registration_id or "",
             name(s.registration_id), s.session_id or "", _code_start(s.code))
            for s in sorted(refused, key=lambda s: s.at)
        ],
        _("code_start: the first characters of the scanned code (a full code is a credential)."),
    )  # fmt: skip

    tables["scanner_input"] = scanner_input(in_scope, kiosk, local, _)

    conflicts = [c for c in data.conflicts if day is None or c.get("day") == day]
    tables["conflicts"] = Table(
        "conflicts",
        _("Conflicts between kiosks"),
        cols(N_("day"), N_("registration_id"), N_("name"), N_("first_kiosk"), N_("first_at"), N_("second_kiosk"),
         N_("second_at"), N_("pretix_reason"), N_("detail")),
        [
            (c.get("day"), c.get("registration_id"), name(c.get("registration_id")),
             c.get("first_kiosk"), local(_parse(c.get("first_at"))), c.get("second_kiosk"),
             local(_parse(c.get("second_at"))), c.get("pretix_reason") or "",
             c.get("detail") or "")
            for c in conflicts
        ],
        _(
            "The same person let in at two kiosks on one day without an exit in between "
            "(a shared ticket, or kiosks that could not sync in time); with pretix, also entries "
            "pretix refused (pretix_reason and its text in detail: the kiosk let the person in "
            "first, pretix holds the entry as forced)."
        ),
    )  # fmt: skip

    arrivals = {d: _slots([s.at for (_, sd), s in first.items() if sd == d], tz) for d in days}
    tables["arrivals"] = Table(
        "arrivals",
        _("Arrivals per 15 minutes"),
        cols(N_("day"), N_("from"), N_("to"), N_("arrivals")),
        [
            (d, start.strftime("%H:%M"), (start + SLOT).strftime("%H:%M"), n)
            for d in days
            for start, n in arrivals[d]
        ],
        _("First entries of the day, by quarter hour."),
    )

    summary: list[tuple[str, object]] = [
        (_("Registrations (not cancelled)"), sum(r.status is not Status.CANCELLED for r in regs.values())),
        (_("Cancelled registrations"), sum(r.status is Status.CANCELLED for r in regs.values())),
    ]  # fmt: skip
    for d in days:
        came = sum(1 for (_rid, sd) in first if sd == d)
        summary.append((_("Day {day}: checked in").format(day=d), came))
        summary.append(
            (_("Day {day}: inside now (last move an entry)").format(day=d), checked_in_now(live, d))
        )
        if d in over:
            no_shows: object = sum(1 for row in tables["no_shows"].rows if row[0] == d)
        else:
            no_shows = _("counted after the day ends ({end})").format(
                end=ends[d].astimezone(tz).strftime("%Y-%m-%d %H:%M")
            )
        summary.append((_("Day {day}: no-shows").format(day=d), no_shows))
    summary += [
        (_("Walk-ins"), len(walkin_rows)),
        (_("Scans"), len(in_scope)),
        (_("Accepted scans"), sum(s.accepted for s in in_scope)),
        (_("Refused scans"), total_refused),
        (_("Overrides"), overrides),
        (_("Undone check-ins"), undos),
        (_("Badge reprints"), len(reprint_rows) if data.reprints is not None else _("on kiosks")),
        (_("Conflicts between kiosks"), len(conflicts)),
        (_("Scans with repaired input"), sum(int(r[2]) for r in tables["scanner_input"].rows)),
    ]  # fmt: skip

    return Report(
        event_name=event.name,
        scope=_(data.scope_words[0]).format(**data.scope_words[1])
        if data.scope_words[0]
        else data.scope,
        day=day,
        generated_at=now,
        tz=tz,
        summary=summary,
        tables=tables,
        arrivals=arrivals,
        sessions=fills,
        refusals=refusals,
        kiosks=data.kiosks,
        scans=sorted(in_scope, key=lambda s: s.at),
        registrations=regs,
        undone=frozenset(undone),
    )


def scanner_input(scans: list[Scan], kiosk: Any, local: Any, _: Any) -> Table:
    """Scans whose input was cleaned or repaired (kiosk.core.intake), per kiosk and repair.

    A ``layout:…`` repair means that kiosk's scanner types for another keyboard layout;
    ``case`` a scanner or PC with Caps Lock on; ``url``/``aim`` codes wrapped by a platform
    or a scanner setting.
    """
    groups: dict[tuple[str, str], list[Scan]] = defaultdict(list)
    for s in scans:
        repair = repair_in_note(s.note)
        if repair is not None:
            groups[(kiosk(s), repair)].append(s)
    rows = [
        (name, repair, len(group), sum(not s.accepted for s in group),
         local(min(s.at for s in group)), local(max(s.at for s in group)))
        for (name, repair), group in sorted(groups.items())
    ]  # fmt: skip
    return Table(
        "scanner_input",
        _("Scanner input repaired"),
        tuple(_(c) for c in (N_("kiosk"), N_("repair"), N_("scans"), N_("refused"),
                             N_("first_at"), N_("last_at"))),
        rows,
        _(
            "layout:us-on-azerty and the like: set that kiosk's scanner to the PC's keyboard "
            "layout (accueil scan-test); case: Caps Lock; url, aim, controls: codes wrapped "
            "by a platform or a scanner setting, taken out."
        ),
    )


def day_ends(data: ReportData) -> dict[int, datetime]:
    """Event day -> when it is over: the end of its last session, else local midnight after.

    No-shows are counted only after this time: before it, people may still come.
    """
    tz = ZoneInfo(data.event.timezone)
    ends: dict[int, datetime] = {}
    for d in data.event.days:
        last = [s.end for s in data.sessions if s.day == d.number]
        midnight = datetime.combine(d.date + timedelta(days=1), datetime.min.time(), tzinfo=tz)
        ends[d.number] = max(last) if last else midnight
    return ends


def _parse(text: object) -> datetime | None:
    try:
        return datetime.fromisoformat(str(text)) if text else None
    except ValueError:
        return None


def _code_start(code: str) -> str:
    keep = 6 if is_signed_ticket(code) else 4
    return code[:keep] + "…" if len(code) > keep else code
