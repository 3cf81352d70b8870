"""The decision: a code, what the store found for it and the context give a verdict."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, time

from kiosk.core.model import (
    Direction,
    Event,
    Registration,
    ScanHistory,
    ScanKind,
    Session,
    Status,
    in_zone,
)
from kiosk.core.tickets import SignedTicket, TicketError
from kiosk.core.verdict import Reason, Verdict

_STATUS_REASON = {
    Status.CANCELLED: Reason.CANCELLED,
    Status.UNPAID: Reason.UNPAID,
    Status.BLOCKED: Reason.BLOCKED,
}


@dataclass(frozen=True, slots=True)
class Context:
    """Everything the decision depends on besides the code and the registration.

    ``now`` is an aware local time. ``day`` forces the event day (rehearsals, demos);
    by default it comes from the event calendar. ``session`` is set at session doors.
    """

    now: datetime
    event: Event
    direction: Direction = Direction.ENTRY
    day: int | None = None
    session: Session | None = None
    session_inside: int = 0
    enforce_capacity: bool = True
    history: ScanHistory = field(default_factory=ScanHistory)

    @property
    def event_day(self) -> int | None:
        return self.day if self.day is not None else self.event.day_of(self.now)

    @property
    def kind(self) -> ScanKind:
        if self.session is not None:
            return (
                ScanKind.SESSION_ENTRY
                if self.direction is Direction.ENTRY
                else ScanKind.SESSION_EXIT
            )
        return ScanKind.ENTRY if self.direction is Direction.ENTRY else ScanKind.EXIT


TicketCheck = SignedTicket | TicketError | None
"""The signature check of the code: a genuine ticket, a failed check, or not a ticket."""


def decide(
    code: str,
    found: Sequence[Registration],
    ctx: Context,
    ticket: TicketCheck = None,
    expected_event_tag: int | None = None,
) -> Verdict:
    """Decide one scan. Pure: reads nothing, writes nothing.

    ``found`` holds the registrations the store has for the code (or, for a genuine signed
    ticket whose code is not in the list, for the ticket's registration id).
    """
    kind = ctx.kind

    def refuse(
        reason: Reason, reg: Registration | None = None, previous_at: datetime | None = None
    ) -> Verdict:
        return Verdict(reason, kind, reg, previous_at=previous_at, session_id=_session_id(ctx))

    if isinstance(ticket, TicketError):
        return refuse(Reason.INVALID_SIGNATURE)
    provisional = False
    if isinstance(ticket, SignedTicket):
        if expected_event_tag is not None and ticket.event_tag != expected_event_tag:
            return refuse(Reason.WRONG_EVENT)
        if not found:
            found = [ticket.provisional_registration(code)]
            provisional = True
    if not found:
        return refuse(Reason.UNKNOWN)
    if len({r.id for r in found}) > 1:
        return refuse(Reason.AMBIGUOUS)
    reg = found[0]
    if isinstance(ticket, SignedTicket) and reg.codes and code not in reg.codes:
        return refuse(Reason.SUPERSEDED, reg)
    if reg.status in _STATUS_REASON:
        return refuse(_STATUS_REASON[reg.status], reg)
    if reg.valid_from is not None and ctx.now < reg.valid_from:
        return refuse(Reason.NOT_YET_VALID, reg, previous_at=_local(reg.valid_from, ctx))
    if reg.valid_until is not None and ctx.now > reg.valid_until:
        return refuse(Reason.EXPIRED, reg)
    day = ctx.event_day
    if day is None:
        if ctx.now.date() < ctx.event.first_date:
            opening = datetime.combine(ctx.event.first_date, time(0, 0), ctx.now.tzinfo)
            return refuse(Reason.NOT_YET_VALID, reg, previous_at=opening)
        return refuse(Reason.EXPIRED, reg)
    if not reg.valid_on(day):
        return refuse(Reason.NOT_VALID_TODAY, reg)

    if ctx.session is not None:
        return _session_door(reg, ctx, provisional)
    return _entrance(reg, ctx, day, provisional)


def _session_id(ctx: Context) -> str | None:
    return ctx.session.id if ctx.session is not None else None


def _local(when: datetime, ctx: Context) -> datetime:
    return in_zone(when, ctx.now.tzinfo)


def _entrance(reg: Registration, ctx: Context, day: int, provisional: bool) -> Verdict:
    history = ctx.history
    first = history.first_entry_on(day)
    inside = history.inside_venue(day)
    if ctx.direction is Direction.EXIT:
        reason = Reason.OK if inside else Reason.NOT_CHECKED_IN
        return Verdict(reason, ScanKind.EXIT, reg, provisional=provisional)
    accepted = Verdict(Reason.OK, ScanKind.ENTRY, reg, provisional=provisional)
    if first is None:
        return accepted
    seen = replace(
        accepted,
        previous_at=_local(first.at, ctx),
        previous_kiosk=first.kiosk_name or first.kiosk_id,
    )
    # After an exit scan the attendee may come back in; they already have their badge.
    return replace(seen, reason=Reason.ALREADY_CHECKED_IN) if inside else seen


def _session_door(reg: Registration, ctx: Context, provisional: bool) -> Verdict:
    session = ctx.session
    assert session is not None
    capacity = session.capacity or None
    base = Verdict(
        Reason.OK,
        ctx.kind,
        reg,
        session_id=session.id,
        inside=ctx.session_inside,
        capacity=capacity,
        provisional=provisional,
    )
    if not reg.may_attend(session.id):
        return replace(base, reason=Reason.SESSION_NOT_ALLOWED)
    inside_now = ctx.history.inside_session(session.id)
    if ctx.direction is Direction.EXIT:
        if not inside_now:
            return replace(base, reason=Reason.NOT_CHECKED_IN)
        return replace(base, inside=max(ctx.session_inside - 1, 0))
    if inside_now:
        last = ctx.history.last_session_entry(session.id)
        return replace(
            base,
            reason=Reason.ALREADY_CHECKED_IN,
            previous_at=_local(last.at, ctx) if last else None,
            previous_kiosk=(last.kiosk_name or last.kiosk_id) if last else "",
        )
    if capacity is not None and ctx.enforce_capacity and ctx.session_inside >= capacity:
        return replace(base, reason=Reason.SESSION_FULL)
    return replace(base, inside=ctx.session_inside + 1)
