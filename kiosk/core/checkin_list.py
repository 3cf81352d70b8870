"""pretix check-in list semantics, decided locally: what pretix would answer to a redeem.

The kiosk pulls each check-in list it uses (the entrance's and each session door's) with
the facts of every order position, then asks ``check`` before admitting someone, so that a
kiosk enforces the list the organiser configured in pretix, offline too. The order of the
checks and their reason codes follow pretix's ``perform_checkin``
(``pretix/base/services/checkin.py``, pretix 2026.8): cancelled, blocked, unapproved,
validity window, product, date (sub-event), unpaid, custom rules (entries only), then
"already redeemed" unless the list allows multiple entries or re-entry after an exit.

Custom rules are pretix's JSONLogic (``rules`` of the list) with pretix's operators and
variables; ``evaluate`` implements them. Pure: no IO; the caller gives the time zone.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, tzinfo
from typing import Any, Protocol

from kiosk.core.model import Lang, ScanHistory, ScanKind
from kiosk.core.questions import CheckinQuestion
from kiosk.core.verdict import Reason, Verdict

ENTRY = "entry"
EXIT = "exit"


@dataclass(frozen=True, slots=True)
class CheckinList:
    """One pretix check-in list as pulled (the fields of pretix's checkinlists resource).

    ``event_from``/``event_to``/``event_admission``: the (sub-)event's times, for the rules'
    ``buildTime`` of ``date_from``, ``date_to`` and ``date_admission``.
    """

    id: int
    name: str = ""
    all_products: bool = True
    products: frozenset[int] = frozenset()
    subevent: int | None = None
    include_pending: bool = False
    allow_multiple_entries: bool = False
    allow_entry_after_exit: bool = True
    addon_match: bool = False
    rules: Any = None
    event_from: datetime | None = None
    event_to: datetime | None = None
    event_admission: datetime | None = None

    def admits_product(self, ticket: TicketFacts) -> bool:
        return self.all_products or ticket.item in self.products


@dataclass(frozen=True, slots=True)
class TicketFacts:
    """What pretix's check-in decision reads from an order position and its order."""

    item: int
    variation: int | None = None
    subevent: int | None = None
    canceled: bool = False  # the position, or the order is cancelled (c) or expired (e)
    order_status: str = "p"  # n pending, p paid, e expired, c canceled
    valid_if_pending: bool = False
    require_approval: bool = False
    blocked: bool = False
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    attention: bool = False  # require_attention: staff must look at this person
    texts: tuple[str, ...] = ()  # checkin_texts: order's, variation's, product's
    # the same texts per language code, when pretix sent translations (``local_texts``)
    translated: tuple[tuple[str, tuple[str, ...]], ...] = ()
    addon_to_secret: str = ""
    questions: tuple[CheckinQuestion, ...] = ()  # ask_during_checkin, not answered yet


@dataclass(frozen=True, slots=True)
class Movement:
    """A successful check-in on the list (pretix's ``checkins``): time and entry/exit."""

    at: datetime
    type: str = ENTRY


@dataclass(frozen=True, slots=True)
class Refusal:
    """pretix's answer as a refusal: its ``reason`` code, the kiosk's reason, a text, and
    for custom rules pretix's ``reason_explanation`` (``explain``)."""

    code: str
    reason: Reason
    text: str = ""
    explanation: str = ""


class RuleError(ValueError):
    """A custom rule the evaluator cannot run (pretix answers ``rules`` too)."""


class CheckinLists(Protocol):
    """Where the service finds pulled lists and positions (the store)."""

    def checkin_list(self, door: str) -> CheckinList | None:
        """The list of a door: '' for the entrance, else the session id."""
        ...

    def ticket_facts(self, registration_id: str) -> TicketFacts | None: ...

    def addons(self, code: str) -> list[tuple[str, TicketFacts]]:
        """The add-on positions whose main position's secret is ``code``: (registration
        id, facts), in position order."""
        ...


def check(
    clist: CheckinList,
    ticket: TicketFacts,
    moves: Sequence[Movement],
    now: datetime,
    zone: tzinfo,
    *,
    exit: bool = False,
    ignore_unpaid: bool = False,
    gate: int | None = None,
    questions_supported: bool = False,
) -> Refusal | None:
    """None when pretix would admit; else its refusal. ``now`` aware; ``zone`` the event's.

    ``questions_supported``: the scan can ask pretix's check-in questions (pretix then
    refuses an entry with unanswered ones as ``incomplete``); a self-service kiosk cannot,
    so it sends such attendees to the desk instead (``with_list``).
    """
    if ticket.canceled or ticket.order_status not in ("p", "n"):
        return Refusal("canceled", Reason.CANCELLED, "This order position has been canceled.")
    if ticket.blocked:
        return Refusal("blocked", Reason.BLOCKED, "This ticket has been blocked.")
    if ticket.order_status == "n" and ticket.require_approval:
        return Refusal("unapproved", Reason.UNPAID, "This order is not yet approved.")
    if not exit and ticket.valid_from is not None and ticket.valid_from > now:
        when = ticket.valid_from.astimezone(zone)
        return Refusal(
            "invalid_time",
            Reason.NOT_YET_VALID,
            f"This ticket is only valid after {when:%Y-%m-%d %H:%M}.",
        )
    if not exit and ticket.valid_until is not None and ticket.valid_until < now:
        when = ticket.valid_until.astimezone(zone)
        return Refusal(
            "invalid_time",
            Reason.EXPIRED,
            f"This ticket was only valid before {when:%Y-%m-%d %H:%M}.",
        )
    if not clist.admits_product(ticket):
        return Refusal(
            "product",
            Reason.SESSION_NOT_ALLOWED,
            "This order position has an invalid product for this check-in list.",
        )
    if clist.subevent is not None and ticket.subevent != clist.subevent:
        return Refusal(
            "product",
            Reason.SESSION_NOT_ALLOWED,
            "This order position has an invalid date for this check-in list.",
        )
    if (
        ticket.order_status != "p"
        and not ticket.valid_if_pending
        and not (ignore_unpaid and clist.include_pending and ticket.order_status == "n")
    ):
        return Refusal("unpaid", Reason.UNPAID, "This order is not marked as paid.")
    if not exit and clist.rules:
        facts = RuleVars(clist, ticket, moves, now, zone, gate)
        try:
            admitted = evaluate(clist.rules, facts)
        except (RuleError, TypeError, ValueError, KeyError):
            return Refusal(
                "rules", Reason.NOT_VALID_TODAY, "Evaluation of custom rules has failed."
            )
        if not admitted:
            try:
                why = explain(clist.rules, facts)
            except (RuleError, TypeError, ValueError, KeyError, IndexError, AttributeError):
                why = "Unknown reason"  # a rule pretix cannot explain either (it fails there)
            return Refusal("rules", Reason.NOT_VALID_TODAY, f"Entry not permitted: {why}.", why)
    if not exit and questions_supported and ticket.questions:
        return Refusal(
            "incomplete",
            Reason.QUESTIONS_REQUIRED,
            "You need to answer questions to complete this check-in.",
        )
    if exit:
        return None
    ordered = sorted(moves, key=lambda m: m.at)
    entry_allowed = (
        clist.allow_multiple_entries
        or not ordered
        or all(m.type == EXIT for m in ordered)
        or (clist.allow_entry_after_exit and ordered[-1].type == EXIT)
    )
    if not entry_allowed:
        return Refusal(
            "already_redeemed", Reason.ALREADY_CHECKED_IN, "This ticket has already been redeemed."
        )
    return None


def match_addon(
    clist: CheckinList,
    scanned: TicketFacts | None,
    addons: Sequence[TicketFacts],
    now: datetime,
) -> int | None:
    """Which position a scan checks in on a list with ``addon_match``, or None when pretix
    answers ``ambiguous``: 0 the scanned position, n the n-th of ``addons`` (1-based).

    ``scanned``: the position whose secret was scanned (None when the kiosk does not hold
    it: its product is on none of its lists); ``addons``: its add-ons in position order.
    As pretix's redeem (``_redeem_process``, step 3): add-ons cancelled by themselves or of
    another date than the list's are no candidates; of several candidates, those whose
    product is on the list remain, then those valid at ``now``; one left is the one; none
    left falls back to the next to become valid, else the last that was, else the first
    candidate, which the list check then refuses (``product`` mostly).
    """
    found: list[tuple[int, TicketFacts]] = [(0, scanned)] if scanned is not None else []
    found += [
        (n, c)
        for n, c in enumerate(addons, start=1)
        if not (c.canceled and c.order_status in ("p", "n"))  # the add-on itself, not its order
        and (clist.subevent is None or c.subevent == clist.subevent)
    ]
    if len(found) <= 1:
        return found[0][0] if found else 0
    kept = [(n, c) for n, c in found if clist.admits_product(c)]
    if len(kept) > 1:
        kept = [
            (n, c)
            for n, c in kept
            if (c.valid_from is None or c.valid_from <= now)
            and (c.valid_until is None or c.valid_until > now)
        ]
    if len(kept) > 1:
        return None
    if kept:
        return kept[0][0]
    future = [
        (c.valid_from, n) for n, c in found if c.valid_from is not None and c.valid_from > now
    ]
    if future:
        return min(future)[1]
    past = [
        (c.valid_until, n) for n, c in found if c.valid_until is not None and c.valid_until < now
    ]
    if past:
        return max(past, key=lambda p: (p[0], -p[1]))[1]  # the first of equals, as pretix
    return found[0][0]


def apply(verdict: Verdict, refusal: Refusal | None) -> Verdict:
    """The kiosk's verdict once pretix's list has spoken (the service's one call).

    A refusal the kiosk found on its own (a day, a signature, a full room) stands. Else
    pretix's refusal wins; and an entry the kiosk refused as a repeat is admitted when the
    list allows it (multiple entries), as a re-entry: no second badge.
    """
    if refusal is None:
        if verdict.reason is Reason.ALREADY_CHECKED_IN:
            return replace(verdict, reason=Reason.OK)
        return verdict
    if not verdict.ok and verdict.reason not in _PRETIX_DECIDES:
        return verdict
    return replace(verdict, reason=refusal.reason, explanation=refusal.explanation)


# Kiosk refusals that pretix's list decides in its own way (status, validity, repeats).
_PRETIX_DECIDES = frozenset(
    {
        Reason.OK,
        Reason.CANCELLED,
        Reason.UNPAID,
        Reason.BLOCKED,
        Reason.ALREADY_CHECKED_IN,
        Reason.NOT_YET_VALID,
        Reason.EXPIRED,
        Reason.SESSION_NOT_ALLOWED,
        Reason.QUESTIONS_REQUIRED,
    }
)


# -- custom rules (pretix's JSONLogic) ----------------------------------------------------


@dataclass
class RuleVars:
    """The variables pretix's rules read (``LazyRuleVars``), over the list's check-ins."""

    clist: CheckinList
    ticket: TicketFacts
    moves: Sequence[Movement]
    now: datetime
    zone: tzinfo
    gate: int | None = None
    _entries: list[datetime] = field(default_factory=list, init=False)

    def __post_init__(self) -> None:
        self._entries = sorted(m.at for m in self.moves if m.type == ENTRY)

    def var(self, name: str) -> Any:
        entries = self._entries
        if name == "now":
            return self.now
        if name == "now_isoweekday":
            return self.now.astimezone(self.zone).isoweekday()
        if name == "product":
            return self.ticket.item
        if name == "variation":
            return self.ticket.variation
        if name == "gate":
            return self.gate
        if name == "entries_number":
            return len(entries)
        if name == "entries_today":
            midnight = self.now.astimezone(self.zone).replace(
                hour=0, minute=0, second=0, microsecond=0
            )
            return sum(1 for at in entries if at >= midnight)
        if name == "entries_days":
            return len(self._days(entries))
        if name == "entry_status":
            last = max(self.moves, key=lambda m: m.at, default=None)
            return "present" if last is not None and last.type == ENTRY else "absent"
        if name == "minutes_since_last_entry":
            return (self.now - entries[-1]).total_seconds() // 60 if entries else -1
        if name == "minutes_since_first_entry":
            return (self.now - entries[0]).total_seconds() // 60 if entries else -1
        return None  # as pretix: an unknown variable reads as null

    def _days(self, times: Sequence[datetime]) -> set[date]:
        return {at.astimezone(self.zone).date() for at in times}

    def entries_since(self, cutoff: datetime) -> int:
        return sum(1 for at in self._entries if at >= cutoff)

    def entries_before(self, cutoff: datetime) -> int:
        return sum(1 for at in self._entries if at < cutoff)

    def entries_days_since(self, cutoff: datetime) -> int:
        return len(self._days([at for at in self._entries if at >= cutoff]))

    def entries_days_before(self, cutoff: datetime) -> int:
        return len(self._days([at for at in self._entries if at < cutoff]))

    def build_time(self, kind: str, value: str | None = None) -> datetime | None:
        clist = self.clist
        if kind == "custom":
            return _parse_time(value, self.zone)
        if kind == "customtime":
            parsed = _parse_time(value, self.zone)
            if parsed is None:
                raise RuleError(f"customtime without a time: {value!r}")
            return self.now.astimezone(self.zone).replace(
                hour=parsed.hour, minute=parsed.minute, second=parsed.second, microsecond=0
            )
        if kind == "date_from":
            return clist.event_from
        if kind == "date_to":
            return clist.event_to or clist.event_from
        if kind == "date_admission":
            return clist.event_admission or clist.event_from
        raise RuleError(f"unknown buildTime {kind!r}")


def _parse_time(value: str | None, zone: tzinfo) -> datetime | None:
    if not value:
        return None
    text = str(value).strip().replace("Z", "+00:00")
    if len(text) <= 8 and ":" in text:  # a bare time such as 09:30 or 09:30:00
        hour, minute, *rest = (int(p) for p in text.split(":"))
        return datetime(2000, 1, 1, hour, minute, rest[0] if rest else 0, tzinfo=zone)
    parsed = datetime.fromisoformat(text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)


def _soft_equals(a: Any, b: Any) -> bool:
    if isinstance(a, str) or isinstance(b, str):
        return str(a) == str(b)
    if isinstance(a, bool) or isinstance(b, bool):
        return bool(a) is bool(b)
    return bool(a == b)


def _less(a: Any, b: Any, *more: Any) -> bool:
    if isinstance(a, int | float) or isinstance(b, int | float):
        try:
            a, b = float(a), float(b)
        except (TypeError, ValueError):
            return False
    return bool(a < b) and (not more or _less(b, *more))


def _less_or_equal(a: Any, b: Any, *more: Any) -> bool:
    return (_less(a, b) or _soft_equals(a, b)) and (not more or _less_or_equal(b, *more))


def _is_before(t1: datetime, t2: datetime, tolerance: Any = None) -> bool:
    if tolerance:
        return t1 < t2 + timedelta(minutes=float(tolerance))
    return t1 < t2


def _and(*args: Any) -> Any:
    result: Any = True
    for arg in args:
        result = result and arg
    return result


def _or(*args: Any) -> Any:
    result: Any = False
    for arg in args:
        result = result or arg
    return result


def _if(*args: Any) -> Any:
    for i in range(0, len(args) - 1, 2):
        if args[i]:
            return args[i + 1]
    return args[-1] if len(args) % 2 else None


_OPERATIONS: dict[str, Callable[..., Any]] = {
    "==": _soft_equals,
    "!=": lambda a, b: not _soft_equals(a, b),
    "===": lambda a, b: type(a) is type(b) and a == b,
    "!==": lambda a, b: not (type(a) is type(b) and a == b),
    "<": _less,
    "<=": _less_or_equal,
    ">": lambda a, b: _less(b, a),
    ">=": lambda a, b: _less(b, a) or _soft_equals(a, b),
    "!": lambda a: not a,
    "!!": bool,
    "and": _and,
    "or": _or,
    "if": _if,
    "?:": lambda a, b, c: b if a else c,
    "in": lambda a, b: a in b if hasattr(b, "__contains__") else False,
    "inList": lambda a, b: a in b,
    "objectList": lambda *objs: list(objs),
    "lookup": lambda _model, pk, _label=None: int(pk),
    "isBefore": _is_before,
    "isAfter": lambda t1, t2, tol=None: _is_before(t2, t1, tol),
}

_MAX_DEPTH = 64


def evaluate(rule: Any, facts: RuleVars, depth: int = 0) -> Any:
    """A pretix check-in rule's value (as pretix's ``Logic.apply`` with its operations).

    Raises RuleError for operators or variables pretix does not have, or rules nested
    deeper than 64 levels (pulled data is not trusted to be small).
    """
    if depth > _MAX_DEPTH:
        raise RuleError("rule nested too deeply")
    if not isinstance(rule, Mapping):
        return rule
    operators = [k for k in rule if not str(k).startswith("__")]
    if len(operators) != 1:
        raise RuleError(f"a rule needs exactly one operator, got {operators!r}")
    operator = operators[0]
    raw = rule[operator]
    values = list(raw) if isinstance(raw, list | tuple) else [raw]
    args = [evaluate(v, facts, depth + 1) for v in values]
    if operator == "var":
        return facts.var(str(args[0])) if args else None
    if operator == "buildTime":
        return facts.build_time(*args)
    if operator in ("entries_since", "entries_before", "entries_days_since", "entries_days_before"):
        return getattr(facts, operator)(args[0])
    if operator in _OPERATIONS:
        return _OPERATIONS[operator](*args)
    raise RuleError(f"unknown operator {operator!r}")


# -- why the rules refused: pretix's explanation (``_logic_explain``) --------------------

_COUNTS = {  # variable -> (pretix's weight, its words)
    "minutes_since_first_entry": (80, "time since first entry"),
    "minutes_since_last_entry": (90, "time since last entry"),
    "entries_days": (100, "number of days with an entry"),
    "entries_days_since": (105, "number of days with an entry since {datetime}"),
    "entries_days_before": (105, "number of days with an entry before {datetime}"),
    "entries_since": (110, "number of entries since {datetime}"),
    "entries_before": (110, "number of entries before {datetime}"),
    "entries_number": (120, "number of entries"),
    "entries_today": (140, "number of entries today"),
    "now_isoweekday": (210, "week day"),
}
_OPERATOR_WEIGHT = {"==": 2, "<": 1, "<=": 1, ">": 1, ">=": 1, "!=": 3}
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_ENTRIES_OPS = ("entries_since", "entries_before", "entries_days_since", "entries_days_before")


def explain(rules: Any, facts: RuleVars) -> str:
    """pretix's words for why ``rules`` refused (its ``reason_explanation``), in English.

    As pretix's ``_logic_explain`` (pretix 2026.8): every comparison under the rule's
    ``and``/``or`` is evaluated; the rule is put in disjunctive normal form; each way in
    (an ``and`` of comparisons) weighs as its most "rigid" failed comparison (a ticket type
    outweighs a gate, a time, an entry count; then the distance from passing); the
    lightest way, with the fewest failures, is named by its failed comparisons, joined by
    ", ". Times as pretix's English formats: ``H:i`` within 12 hours, else ``Y-m-d H:i``,
    in the event's zone. "Unknown reason" when a comparison has no variable on its left.
    """
    values: dict[str, Any] = {"False": False, "True": True}
    failed: dict[str, tuple[str, Any, list[Any]]] = {}

    def flatten(rule: Any) -> Any:
        if rule is True or rule is False:
            return {"var": str(rule)}
        if not isinstance(rule, Mapping):
            return rule
        operator = next(iter(rule))
        args = rule[operator]
        if operator in ("and", "or"):
            return {operator: [flatten(a) for a in args]}
        name = f"v{len(values)}"
        values[name] = evaluate(rule, facts)
        if not values[name]:
            first = args[0] if isinstance(args, list) and args else None
            if isinstance(first, Mapping) and "var" in first:
                var = first["var"]
                failed[name] = (operator, var[0] if isinstance(var, list) else var, args[1:])
            elif isinstance(first, Mapping) and any(op in first for op in _ENTRIES_OPS):
                failed[name] = (operator, first, args[1:])
            else:
                raise RuleError("a comparison without a variable on its left")
        return {"var": name}

    try:
        flat = to_dnf(flatten(rules))
    except RuleError:
        return "Unknown reason"
    if "and" in flat:
        paths = [[v["var"] for v in flat["and"]]]
    elif "or" in flat:
        paths = [[v["var"] for v in r["and"]] if "and" in r else [r["var"]] for r in flat["or"]]
    else:
        paths = [[flat["var"]]]
    weights: dict[str, tuple[float, float]] = {"False": (100000, 0), "True": (100000, 0)}
    texts = {"False": "Always false", "True": "Always true"}
    for name, (operator, var, rhs) in failed.items():
        weights[name], texts[name] = _weigh(operator, var, rhs, facts)
    path_weights = [
        max([weights[v] for v in path if not values[v]] or [(0.0, 0.0)]) for path in paths
    ]
    lightest = min(path_weights)
    chosen = [p for p, w in zip(paths, path_weights, strict=True) if w == lightest]
    chosen.sort(key=lambda p: len([v for v in p if not values[v]]))
    return ", ".join(texts[v] for v in chosen[0] if not values[v])


def _weigh(
    operator: str, var: Any, rhs: list[Any], facts: RuleVars
) -> tuple[tuple[float, float], str]:
    now = facts.now
    if var == "now":
        compare_to = facts.build_time(*rhs[0]["buildTime"])
        if compare_to is None:
            raise RuleError("buildTime without a time")
        tolerance = timedelta(minutes=float(rhs[1])) if len(rhs) > 1 and rhs[1] else timedelta()
        compare_to = compare_to + tolerance if operator == "isBefore" else compare_to - tolerance
        weight = (200.0, abs((now - compare_to).total_seconds()))
        when = _when(compare_to, facts)
        if operator == "isBefore":
            return weight, f"Only allowed before {when}"
        if operator == "isAfter":
            return weight, f"Only allowed after {when}"
        return weight, ""
    if var == "entry_status":
        if operator == "==" and rhs[0] == "present":
            return (20.0, 0.0), "Attendee is checked out"
        if operator == "==" and rhs[0] == "absent":
            return (20.0, 0.0), "Attendee is already checked in"
        return (20.0, 0.0), f"{var} not {operator} {rhs}"
    if var in ("product", "variation"):
        return (1000.0, 0.0), "Ticket type not allowed"
    if var == "gate":
        return (500.0, 0.0), "Wrong entrance gate"
    if isinstance(var, Mapping):
        name = next(op for op in _ENTRIES_OPS if op in var)
        cutoff = facts.build_time(*var[name][0]["buildTime"])
        if cutoff is None:
            raise RuleError("buildTime without a time")
        label = _COUNTS[name][1].format(datetime=_when(cutoff, facts))
        result = getattr(facts, name)(cutoff)
    elif var in _COUNTS:
        name, label, result = var, _COUNTS[var][1], facts.var(var)
    else:
        return (0.0, 0.0), "Unknown reason"
    compare_to = rhs[0]
    penalty = 0
    if name in ("minutes_since_last_entry", "minutes_since_first_entry") and (
        (operator in ("<", ">") and compare_to <= 0)
        or (operator in ("<=", ">=") and compare_to < 0)
        or (operator in ("==", "!=") and compare_to == -1)
    ):
        penalty = 1000  # a technical comparison (-1: no entry yet), not worth naming
    weight = (
        float(_COUNTS[name][0] + _OPERATOR_WEIGHT.get(operator, 0) + penalty),
        float(abs(compare_to - result)),
    )
    shown = compare_to
    if name == "now_isoweekday" and compare_to in (1, 2, 3, 4, 5, 6, 7):
        shown = _WEEKDAYS[int(compare_to) - 1]
    if operator == "==":
        return weight, f"{label} is not {shown}"
    if operator in ("<", "<="):
        return weight, f"Maximum {label} exceeded"
    if operator in (">", ">="):
        return weight, f"Minimum {label} exceeded"
    if operator == "!=":
        return weight, f"{label} is {shown}"
    return weight, ""


def _when(at: datetime, facts: RuleVars) -> str:
    local = at.astimezone(facts.zone)
    if abs(facts.now - at) < timedelta(hours=12):
        return f"{local:%H:%M}"
    return f"{local:%Y-%m-%d %H:%M}"


def to_dnf(rule: Any) -> Any:
    """``rule`` of and/or as an ``or`` of ``and``s (pretix's ``convert_to_dnf``: the first
    ``or`` under an ``and`` is distributed, again and again through the tree until nothing
    changes; then one level of nested and/or of the same kind is flattened)."""
    if not isinstance(rule, Mapping):
        return rule
    previous = rule
    for _ in range(10_000):  # bounded: each round distributes one "or"
        current = _distribute(previous)
        operator = next(iter(current))
        args = current[operator]
        if isinstance(args, list):
            current = {operator: [to_dnf(a) for a in args]}
        else:
            current = {operator: to_dnf(args)}
        if current == previous:
            break
        previous = current
    else:
        raise RuleError("rule too large to explain")
    operator = next(iter(previous))
    if operator not in ("and", "or"):
        return previous
    flat: list[Any] = []
    for arg in previous[operator]:
        if isinstance(arg, Mapping) and operator in arg:
            flat += arg[operator]
        else:
            flat.append(arg)
    return {operator: flat}


def _distribute(rule: Mapping[str, Any]) -> Mapping[str, Any]:
    operator = next(iter(rule))
    if operator in ("!", "!!", "?:", "if"):
        raise RuleError(f"{operator} cannot be explained")
    if operator != "and":
        return rule
    ors = [a for a in rule["and"] if isinstance(a, Mapping) and "or" in a]
    if not ors:
        return rule
    others = [a for a in rule["and"] if a is not ors[0]]
    return {"or": [{"and": [*others, choice]} for choice in ors[0]["or"]]}


def movements(history: ScanHistory, door: str) -> list[Movement]:
    """The check-ins on a door's list, from the registration's scans (own and pulled):
    entrance entries and exits for door '', that session's for a session door."""
    found = []
    for scan in history.live:
        if door == "" and scan.session_id is None and scan.kind in (ScanKind.ENTRY, ScanKind.EXIT):
            found.append(Movement(scan.at, EXIT if scan.kind is ScanKind.EXIT else ENTRY))
        elif door and scan.session_id == door and scan.kind in _SESSION_MOVES:
            found.append(Movement(scan.at, EXIT if scan.kind is ScanKind.SESSION_EXIT else ENTRY))
    return found


_SESSION_MOVES = (ScanKind.SESSION_ENTRY, ScanKind.SESSION_EXIT)


def with_list(
    verdict: Verdict,
    lists: CheckinLists | None,
    history: ScanHistory,
    now: datetime,
    door: str = "",
    *,
    exit: bool = False,
    self_service: bool = False,
) -> Verdict:
    """``verdict`` once the door's pulled pretix list has been asked (no list: unchanged).

    A provisional verdict (a signed ticket not in the list) and a verdict without a
    registration are left alone: pretix has no position to judge. ``self_service``: an
    attendee kiosk, which sends people with check-in questions to the desk; staff see the
    questions to ask (``Verdict.questions``).
    """
    reg = verdict.registration
    if lists is None or reg is None or verdict.provisional or now.tzinfo is None:
        return verdict
    clist = lists.checkin_list(door)
    ticket = lists.ticket_facts(reg.id)
    if clist is None or ticket is None:
        return verdict
    moves = movements(history, door)
    refusal = check(
        clist, ticket, moves, now, now.tzinfo, exit=exit, questions_supported=self_service
    )
    questions = ticket.questions if not exit else ()
    return replace(
        apply(verdict, refusal),
        attention=ticket.attention,
        notes=ticket.texts,
        translated_notes=ticket.translated,
        questions=questions,
    )


_NOTE = {Lang.FR: "À noter", Lang.EN: "Please note", Lang.AR: "ملاحظة"}
_ATTENTION = {
    Lang.FR: "ATTENTION : pretix demande de s'occuper de cette personne",
    Lang.EN: "ATTENTION: pretix asks staff to look after this person",
    Lang.AR: "تنبيه: يطلب pretix من الفريق الاهتمام بهذا الشخص",
}


def attendee_notes(verdict: Verdict, lang: Lang) -> str:
    """pretix's check-in texts for the attendee's screen, in ``lang`` when pretix has them
    so (``local_texts``), else as pretix gave them; '' when none."""
    notes = dict(verdict.translated_notes).get(lang.value, verdict.notes)
    if not notes:
        return ""
    return "\n" + _NOTE[lang] + " : " + " · ".join(notes)


def local_texts(
    values: Sequence[str | Mapping[str, str]], default: str, languages: Sequence[str]
) -> tuple[tuple[str, ...], tuple[tuple[str, tuple[str, ...]], ...]]:
    """pretix texts (plain, or i18n: locale -> text) as (the event's texts, the texts per
    language). Each language takes its own text, then the event's ``default`` locale's,
    then any; a plain text is the same in every language. No i18n text: no per-language
    texts. Empty texts are left out."""

    def pick(value: str | Mapping[str, str], lang: str) -> str:
        if not isinstance(value, Mapping):
            return str(value or "")
        by_base = {str(k).split("-")[0].lower(): str(v) for k, v in value.items() if v}
        for key in (lang, default.split("-")[0].lower()):
            if by_base.get(key):
                return by_base[key]
        return next(iter(by_base.values()), "")

    def all_in(lang: str) -> tuple[str, ...]:
        return tuple(t for t in (pick(v, lang) for v in values) if t)

    base = all_in(default.split("-")[0].lower())
    if not any(isinstance(v, Mapping) for v in values):
        return base, ()
    return base, tuple((lang, all_in(lang)) for lang in languages)


_ASK = {Lang.FR: "Demander", Lang.EN: "Ask", Lang.AR: "اسأل"}


def staff_notes(verdict: Verdict, lang: Lang) -> str:
    """The attention flag, check-in texts and questions to ask, for staff ('' when none)."""
    parts = [_ATTENTION[lang]] if verdict.attention else []
    if verdict.explanation and not verdict.ok:
        parts.append(f"pretix : {verdict.explanation}")
    parts += list(verdict.notes)
    parts += [f"{_ASK[lang]} : {q.text}" for q in verdict.questions]
    return ("\n⚠ " + " — ".join(parts)) if parts else ""
