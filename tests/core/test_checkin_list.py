"""pretix's check-in list semantics in the pure core (kiosk.core.checkin_list).

The comparison with pretix's own verdicts is in tests/sync/test_pretix_rules.py; these
tests pin the order of the checks and the rule operators without a server.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from kiosk.core.checkin_list import (
    EXIT,
    CheckinList,
    Movement,
    RuleVars,
    TicketFacts,
    apply,
    check,
    evaluate,
)
from kiosk.core.model import Registration, ScanKind
from kiosk.core.verdict import Reason, Verdict

TZ = ZoneInfo("Africa/Casablanca")
NOW = datetime(2026, 12, 8, 10, 0, tzinfo=TZ)
PASS = TicketFacts(item=1)


def code(clist: CheckinList, ticket: TicketFacts = PASS, moves=(), now=NOW, **kw) -> str | None:
    refusal = check(clist, ticket, list(moves), now, TZ, **kw)
    return refusal.code if refusal else None


def test_the_order_of_pretix_checks():
    limited = CheckinList(1, all_products=False, products=frozenset({2}))
    cancelled_blocked = TicketFacts(item=1, canceled=True, blocked=True)
    assert code(limited, cancelled_blocked) == "canceled"  # before blocked, before product
    assert code(limited, TicketFacts(item=1, blocked=True)) == "blocked"
    assert (
        code(limited, TicketFacts(item=1, order_status="n", require_approval=True)) == "unapproved"
    )
    later = TicketFacts(item=1, valid_from=NOW + timedelta(hours=1))
    assert code(limited, later) == "invalid_time"  # before product
    assert code(limited) == "product"
    assert code(CheckinList(1, subevent=7), TicketFacts(item=1, subevent=8)) == "product"
    assert code(CheckinList(1), TicketFacts(item=1, order_status="n")) == "unpaid"
    assert code(CheckinList(1), TicketFacts(item=1, order_status="e")) == "canceled"


def test_pending_orders_and_exits():
    pending = TicketFacts(item=1, order_status="n")
    assert code(CheckinList(1, include_pending=True), pending) == "unpaid"
    assert code(CheckinList(1, include_pending=True), pending, ignore_unpaid=True) is None
    assert (
        code(CheckinList(1), TicketFacts(item=1, order_status="n", valid_if_pending=True)) is None
    )
    expired = TicketFacts(item=1, valid_until=NOW - timedelta(minutes=1))
    assert code(CheckinList(1), expired) == "invalid_time"
    assert code(CheckinList(1), expired, exit=True) is None  # validity holds for entries only


@given(st.lists(st.sampled_from(["entry", "exit"]), max_size=6), st.booleans(), st.booleans())
def test_re_entry_follows_the_lists_flags(types, multiple, after_exit):
    moves = [Movement(NOW - timedelta(minutes=10 - n), t) for n, t in enumerate(types)]
    clist = CheckinList(1, allow_multiple_entries=multiple, allow_entry_after_exit=after_exit)
    admitted = code(clist, PASS, moves) is None
    expected = (
        multiple or not types or all(t == EXIT for t in types) or (after_exit and types[-1] == EXIT)
    )
    assert admitted == expected
    assert code(clist, PASS, moves, exit=True) is None  # an exit is never "already redeemed"


def rule(r, moves=(), now=NOW, ticket=PASS, **clist):
    return evaluate(r, RuleVars(CheckinList(1, **clist), ticket, list(moves), now, TZ))


def test_rule_operators_as_pretix_has_them():
    two_entries = [Movement(NOW - timedelta(days=1)), Movement(NOW - timedelta(minutes=30))]
    assert rule({"<": [{"var": "entries_number"}, 2]}, two_entries) is False
    assert rule({"<": [{"var": "entries_today"}, 1]}, two_entries) is False
    assert rule({"==": [{"var": "entries_days"}, 2]}, two_entries) is True
    assert rule({">": [{"var": "minutes_since_last_entry"}, 29]}, two_entries) is True
    assert rule({"==": [{"var": "minutes_since_first_entry"}, -1]}) is True
    product = {
        "inList": [{"var": "product"}, {"objectList": [{"lookup": ["product", "1", "Pass"]}]}]
    }
    assert rule(product) is True
    assert rule(product, ticket=TicketFacts(item=3)) is False
    ten = {"buildTime": ["customtime", "10:30"]}
    assert rule({"isBefore": [{"var": "now"}, ten]}) is True
    assert rule({"isAfter": [{"var": "now"}, ten, 31]}) is True  # 31 minutes of tolerance
    start = {"buildTime": ["date_from"]}
    assert rule({"isAfter": [{"var": "now"}, start]}, event_from=NOW - timedelta(hours=1)) is True
    assert rule({"==": [{"var": "now_isoweekday"}, 2]}) is True  # 2026-12-08 is a Tuesday
    since = {"entries_since": [{"buildTime": ["custom", "2026-12-08T00:00:00+01:00"]}]}
    assert rule({"==": [since, 1]}, two_entries) is True
    assert rule({"and": [True, {"or": [False, {"!": [False]}]}]}) is True


def test_unknown_operators_fail_as_rules():
    refused = check(CheckinList(1, rules={"frobnicate": [1]}), PASS, [], NOW, TZ)
    assert refused is not None and refused.code == "rules"


def test_a_list_that_allows_repeats_turns_the_kiosks_repeat_into_a_re_entry():
    reg = Registration("r1", "A", "B")
    repeat = Verdict(Reason.ALREADY_CHECKED_IN, ScanKind.ENTRY, reg, previous_at=NOW)
    admitted = apply(repeat, None)
    assert admitted.ok and not admitted.first_entry  # no second badge
    day = Verdict(Reason.NOT_VALID_TODAY, ScanKind.ENTRY, reg)
    assert apply(day, None).reason is Reason.NOT_VALID_TODAY  # the kiosk's own refusal stands
    ok = Verdict(Reason.OK, ScanKind.ENTRY, reg)
    refusal = check(CheckinList(1, all_products=False), PASS, [], NOW, TZ)
    assert apply(ok, refusal).reason is Reason.SESSION_NOT_ALLOWED
    assert datetime.now(UTC).tzinfo is UTC
