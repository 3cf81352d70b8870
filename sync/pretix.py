"""pretix as the kiosk's registration source and scan sink (a RemoteSource over httpx).

Pull: a full pull reads the check-in list's order positions page by page; after it, the
kiosk keeps up through ``orders/?modified_since=`` (the positions endpoint ignores
``modified_since``), using pretix's ``X-Page-Generated`` header as the cursor. Push: accepted
scans go to ``checkinrpc/redeem`` with the scan's nonce, door time and ``force`` (the kiosk
already let the person in); refused scans go to the list's ``failed_checkins``; an undo
annuls the check-in by its nonce. See docs/pretix.md.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from kiosk.config import ConfigError, KioskSection, SyncSection
from kiosk.core.model import Event, Registration, Scan, ScanKind
from kiosk.core.ports import OutboxItem, ScanLog
from kiosk.core.verdict import Reason
from sync.pretix_mapping import OrderFacts, registration_from_position  # shared with files
from sync.pretix_mapping import name_parts_with_fallback as _name_parts_with_fallback
from sync.remote import (
    PullResult,
    PushResult,
    SourceRejected,
    SourceUnavailable,
    response_detail,
    send,
)
from sync.store import scan_from_dict, utc_text

PAGE_SIZE = 50  # the most pretix serves per page

# pretix's check-in error codes -> the kiosk's reasons (None: no kiosk equivalent).
PRETIX_TO_REASON: dict[str, Reason | None] = {
    "invalid": Reason.UNKNOWN,
    "unpaid": Reason.UNPAID,
    "unapproved": Reason.UNPAID,
    "blocked": Reason.BLOCKED,
    "canceled": Reason.CANCELLED,
    "already_redeemed": Reason.ALREADY_CHECKED_IN,
    "revoked": Reason.SUPERSEDED,
    "ambiguous": Reason.AMBIGUOUS,
    "invalid_time": Reason.NOT_VALID_TODAY,  # refined with the position's validity below
    "product": Reason.SESSION_NOT_ALLOWED,  # "ticket type not allowed here"
    "rules": Reason.NOT_VALID_TODAY,  # custom rules mostly encode days and hours
    "incomplete": None,
    "error": None,
    "annulled": None,
    "already_exchanged": None,
    "medium_invalid": None,
    "medium_exists": None,
}

# The kiosk's refusal reasons -> the error_reason stored with a failed check-in in pretix.
REASON_TO_PRETIX: dict[Reason, str] = {
    Reason.UNKNOWN: "invalid",
    Reason.INVALID_SIGNATURE: "invalid",
    Reason.WRONG_EVENT: "invalid",
    Reason.SUPERSEDED: "revoked",
    Reason.CANCELLED: "canceled",
    Reason.UNPAID: "unpaid",
    Reason.BLOCKED: "blocked",
    Reason.ALREADY_CHECKED_IN: "already_redeemed",
    Reason.NOT_CHECKED_IN: "rules",
    Reason.NOT_VALID_TODAY: "invalid_time",
    Reason.NOT_YET_VALID: "invalid_time",
    Reason.EXPIRED: "invalid_time",
    Reason.SESSION_NOT_ALLOWED: "product",
    Reason.SESSION_FULL: "rules",
    Reason.AMBIGUOUS: "ambiguous",
}


def reason_from_pretix(
    code: str, *, at: datetime | None = None, position: Mapping[str, Any] | None = None
) -> Reason | None:
    """The kiosk reason for a pretix error code; ``invalid_time`` is split by the validity."""
    reason = PRETIX_TO_REASON.get(code)
    if reason is Reason.NOT_VALID_TODAY and code == "invalid_time" and at and position:
        valid_from = _time(position.get("valid_from"))
        valid_until = _time(position.get("valid_until"))
        if valid_from and at < valid_from:
            return Reason.NOT_YET_VALID
        if valid_until and at > valid_until:
            return Reason.EXPIRED
    return reason


def pretix_reason(reason: str) -> str:
    """The pretix error_reason for a kiosk refusal reason ('error' when unknown)."""
    try:
        return REASON_TO_PRETIX.get(Reason(reason), "error")
    except ValueError:
        return "error"


@dataclass(frozen=True, slots=True)
class CheckinListRules:
    """What the check-in list admits; the incremental pull filters positions with it."""

    all_products: bool
    products: frozenset[int]
    subevent: int | None

    def admits(self, position: Mapping[str, Any]) -> bool:
        if self.subevent is not None and position.get("subevent") != self.subevent:
            return False
        return self.all_products or position.get("item") in self.products


@dataclass(frozen=True, slots=True)
class _Cursor:
    """Where the next pull starts; opaque to the engine, JSON on the wire.

    ``full``: page ``page`` of the positions list, ``since`` taken before page 1.
    ``since``: page ``page`` of orders modified since ``since``; ``upto`` is the
    X-Page-Generated of that pass's first page, the next pass's ``since``.
    """

    scope: str
    phase: str = "full"
    page: int = 1
    since: str | None = None
    upto: str | None = None

    def dumps(self) -> str:
        return json.dumps(
            {
                "v": 1,
                "scope": self.scope,
                "phase": self.phase,
                "page": self.page,
                "since": self.since,
                "upto": self.upto,
            },
            separators=(",", ":"),
        )

    @classmethod
    def loads(cls, text: str | None, scope: str) -> _Cursor:
        """The saved cursor, or a fresh full pull when there is none or it is for another list."""
        if not text:
            return cls(scope)
        try:
            data = json.loads(text)
            cursor = cls(
                scope=str(data["scope"]),
                phase=str(data["phase"]),
                page=int(data["page"]),
                since=data.get("since"),
                upto=data.get("upto"),
            )
        except (ValueError, KeyError, TypeError):
            return cls(scope)
        if cursor.scope != scope or cursor.phase not in ("full", "since"):
            return cls(scope)
        return cursor


class PretixSource:
    """The RemoteSource for ``[sync] source = "pretix"``.

    ``event`` (the kiosk's event) gives pulled check-ins their event day, so a code used at
    another door is refused here as already used. ``log`` (the kiosk's scan log) lets the
    pull skip this kiosk's own uploads when pretix hands them back.
    """

    name = "pretix"

    def __init__(
        self,
        url: str,
        organizer: str,
        event: str,
        checkin_list: int,
        token: str,
        *,
        timeout: float = 5.0,
        language: str = "en",
        session_lists: Mapping[str, int] | None = None,
        kiosk_event: Event | None = None,
        log: ScanLog | None = None,
        page_size: int = PAGE_SIZE,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if not (organizer and event and checkin_list and token):
            raise SourceRejected(
                "pretix needs [sync] pretix_organizer, pretix_event, pretix_checkin_list and "
                "pretix_token (or ACCUEIL_SYNC_PRETIX_TOKEN)"
            )
        self.url = url.rstrip("/")
        self.organizer = organizer
        self.event = event
        self.checkin_list = checkin_list
        self.language = language
        self.session_lists = dict(session_lists or {})
        self.kiosk_event = kiosk_event
        self.log = log
        self.page_size = max(1, min(page_size, PAGE_SIZE))
        self.remaining: int | None = None  # positions still to pull in a full pull
        self.rejected: dict[int, str] = {}  # outbox seq -> why it was not uploaded, last push
        self._rules: CheckinListRules | None = None
        self._ticket_types: dict[tuple[int, int | None], str] | None = None
        self._zone = ZoneInfo(kiosk_event.timezone) if kiosk_event else None
        self._client = httpx.Client(
            base_url=f"{self.url}/api/v1/organizers/{organizer}/",
            headers={
                "Authorization": f"Token {token}",
                "Accept": "application/json",
                "User-Agent": "accueil-kiosk",
            },
            timeout=timeout,
            transport=transport,
        )

    @classmethod
    def from_config(
        cls,
        sync: SyncSection,
        kiosk: KioskSection | None = None,
        *,
        event: Event | None = None,
        log: ScanLog | None = None,
    ) -> PretixSource:
        """Build from ``[sync]``; ``event`` and ``log`` as in the class docstring."""
        session_lists: dict[str, int] = {}
        for entry in sync.pretix_session_lists:
            session, _, list_id = entry.partition("=")
            if not session.strip() or not list_id.strip().isdigit():
                raise ConfigError(
                    f"[sync] pretix_session_lists entry {entry!r}: expected "
                    '"<session id>=<pretix check-in list id>", e.g. "atelier-1=7"'
                )
            session_lists[session.strip()] = int(list_id)
        try:
            return cls(
                sync.url,
                sync.pretix_organizer,
                sync.pretix_event,
                sync.pretix_checkin_list,
                sync.pretix_token,
                timeout=sync.timeout_seconds,
                language=kiosk.language if kiosk else "en",
                session_lists=session_lists,
                kiosk_event=event,
                log=log,
            )
        except SourceRejected as exc:
            raise ConfigError(str(exc)) from None

    def close(self) -> None:
        self._client.close()

    # -- HTTP ---------------------------------------------------------------------------

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """One request (sync.remote.send); other answers are returned for the caller to read."""
        hint = (
            "check [sync] pretix_token: its team needs 'View all orders' and 'Check-in' "
            f"on event {self.event!r}"
        )
        return send(self._client, "pretix", method, path, token_hint=hint, **kwargs)

    def _get(self, path: str, params: Mapping[str, Any] | None = None) -> httpx.Response:
        return self._check(self._send("GET", path, params=params), path)

    def _check(self, response: httpx.Response, path: str) -> httpx.Response:
        if response.status_code == 404:
            raise SourceRejected(
                f"pretix has no {path!r} for organizer {self.organizer!r}: check [sync] "
                "url, pretix_organizer, pretix_event and pretix_checkin_list"
            )
        if response.status_code >= 400:
            raise SourceRejected(
                f"pretix refused {path} ({response.status_code}): {response_detail(response)}"
            )
        return response

    def _json(self, response: httpx.Response) -> Any:
        try:
            return response.json()
        except ValueError:
            raise SourceUnavailable(
                f"pretix answered {response.request.url} with something that is not JSON"
            ) from None

    def _pages(self, path: str, params: Mapping[str, Any]) -> Iterable[dict[str, Any]]:
        """Every result of a small paginated list (items), bounded to 1000 pages."""
        for page in range(1, 1001):
            body = self._json(self._get(path, {**params, "page": page, "page_size": PAGE_SIZE}))
            yield from body["results"]
            if not body.get("next"):
                return

    # -- what the list admits, and ticket type names ------------------------------------

    def _event_path(self, rest: str) -> str:
        return f"events/{self.event}/{rest}"

    def _load_list(self) -> None:
        data = self._json(self._get(self._event_path(f"checkinlists/{self.checkin_list}/")))
        self._rules = CheckinListRules(
            all_products=bool(data.get("all_products")),
            products=frozenset(int(i) for i in data.get("limit_products") or ()),
            subevent=data.get("subevent"),
        )
        names: dict[tuple[int, int | None], str] = {}
        for item in self._pages(self._event_path("items/"), {}):
            name = self._text(item.get("name"))
            names[(int(item["id"]), None)] = name
            for variation in item.get("variations") or ():
                names[(int(item["id"]), int(variation["id"]))] = (
                    f"{name} – {self._text(variation.get('value'))}"
                )
        self._ticket_types = names

    def _text(self, value: Any) -> str:
        """A pretix i18n string in the kiosk's language, else English, else any."""
        if isinstance(value, dict):
            for lang in (self.language, "en"):
                if value.get(lang):
                    return str(value[lang])
            return str(next((v for v in value.values() if v), ""))
        return str(value or "")

    # -- pull ---------------------------------------------------------------------------

    @property
    def _scope(self) -> str:
        return f"{self.url}|{self.organizer}|{self.event}|{self.checkin_list}"

    def pull(self, cursor: str | None) -> PullResult:
        """One page: of the full positions list first, then of orders changed since."""
        state = _Cursor.loads(cursor, self._scope)
        if self._rules is None or (state.phase == "full" and state.page == 1):
            self._load_list()
        if state.phase == "full":
            return self._pull_positions(state)
        return self._pull_changes(state)

    def _server_time(self) -> str:
        """pretix's clock, from the orders list header (the kiosk's clock may be off)."""
        response = self._get(self._event_path("orders/"), {"page_size": 1, "exclude": _EXCLUDE})
        generated = response.headers.get("X-Page-Generated")
        if not generated:
            raise SourceRejected(
                "pretix sent no X-Page-Generated header on orders/: is this a pretix server?"
            )
        return str(generated)

    def _pull_positions(self, state: _Cursor) -> PullResult:
        since = state.since if state.page > 1 and state.since else self._server_time()
        params = {
            "ignore_status": "true",  # cancelled and unpaid too: the kiosk says why it refuses
            "ordering": "order__datetime",  # new orders land on later pages, not earlier ones
            "page": state.page,
            "page_size": self.page_size,
        }
        path = self._event_path(f"checkinlists/{self.checkin_list}/positions/")
        response = self._send("GET", path, params=params)
        if response.status_code == 404 and state.page > 1:
            body: dict[str, Any] = {"results": [], "next": None}  # the list shrank under us
        else:
            body = self._json(self._check(response, path))
        registrations, scans = [], []
        for position in body["results"]:
            order = OrderFacts(
                code=str(position["order"]),
                status=str(position.get("order__status") or "p"),
                valid_if_pending=bool(position.get("order__valid_if_pending")),
                require_approval=bool(position.get("order__require_approval")),
                locale=str(position.get("order__locale") or ""),
            )
            reg = registration_from_position(position, order, self._ticket_types or {})
            registrations.append(reg)
            scans.extend(self._checkins(reg, position))
        total = int(body.get("count") or 0)
        self.remaining = max(0, total - state.page * self.page_size) if body.get("next") else 0
        if body.get("next"):
            nxt = _Cursor(self._scope, "full", state.page + 1, since=since)
            return PullResult(registrations, scans, nxt.dumps(), more=True)
        done = _Cursor(self._scope, "since", 1, since=since)
        return PullResult(registrations, scans, done.dumps(), more=False)

    def _pull_changes(self, state: _Cursor) -> PullResult:
        params = {
            "modified_since": state.since,
            "ordering": "-last_modified",  # a change during paging only repeats, never skips
            "include_canceled_positions": "true",
            "page": state.page,
            "page_size": self.page_size,
            "exclude": _EXCLUDE,
        }
        response = self._get(self._event_path("orders/"), params)
        body = self._json(response)
        upto = state.upto if state.page > 1 else response.headers.get("X-Page-Generated")
        registrations, scans = [], []
        rules = self._rules
        for order_data in body["results"]:
            order = OrderFacts(
                code=str(order_data["code"]),
                status=str(order_data["status"]),
                valid_if_pending=bool(order_data.get("valid_if_pending")),
                require_approval=bool(order_data.get("require_approval")),
                locale=str(order_data.get("locale") or ""),
            )
            positions = order_data.get("positions") or []
            by_id = {p["id"]: p for p in positions}
            invoice = order_data.get("invoice_address") or {}
            for position in positions:
                if rules is not None and not rules.admits(position):
                    continue
                reg = registration_from_position(
                    position,
                    order,
                    self._ticket_types or {},
                    _name_parts_with_fallback(position, by_id, invoice),
                )
                registrations.append(reg)
                scans.extend(self._checkins(reg, position))
        self.remaining = None
        if body.get("next"):
            nxt = _Cursor(self._scope, "since", state.page + 1, since=state.since, upto=upto)
            return PullResult(registrations, scans, nxt.dumps(), more=True)
        done = _Cursor(self._scope, "since", 1, since=upto or state.since)
        return PullResult(registrations, scans, done.dumps(), more=False)

    def _checkins(self, reg: Registration, position: Mapping[str, Any]) -> list[Scan]:
        """The position's successful check-ins on this list, as other kiosks' scans."""
        found = []
        known = None
        for checkin in position.get("checkins") or ():
            if checkin.get("list") != self.checkin_list:
                continue
            at = _time(checkin.get("datetime"))
            if at is None:
                continue
            kind = ScanKind.EXIT if checkin.get("type") == "exit" else ScanKind.ENTRY
            if self.log is not None:
                if known is None:
                    known = {(s.at, s.kind) for s in self.log.history(reg.id).scans}
                if (at, kind) in known:
                    continue  # this kiosk's own upload, back from pretix
            device = checkin.get("device_id") or checkin.get("device")
            found.append(
                Scan(
                    nonce=f"pretix-checkin-{checkin['id']}",
                    kiosk_id=f"pretix-device-{device}" if device else "pretix",
                    kiosk_name=str(checkin.get("gate") or "pretix")
                    if not device
                    else f"pretix {device}",
                    at=at,
                    code=reg.codes[0] if reg.codes else "",
                    registration_id=reg.id,
                    kind=kind,
                    accepted=True,
                    reason=Reason.OK.value,
                    day=self._day_of(at),
                    note="from pretix",
                )
            )
        return found

    def _day_of(self, at: datetime) -> int | None:
        if self.kiosk_event is None or self._zone is None:
            return None
        return self.kiosk_event.day_of(at.astimezone(self._zone))

    # -- push ---------------------------------------------------------------------------

    def push(self, items: Sequence[OutboxItem]) -> PushResult:
        """Upload scans; what pretix cannot hold stays in the outbox with the reason why.

        When pretix fails after taking some items, the rest come back as ``unsent`` (kept
        for the next try, not refused) with the error.
        """
        self.rejected = {}
        result = PushResult()
        for n, item in enumerate(items):
            try:
                outcome = self._push_one(item)
            except (SourceUnavailable, SourceRejected) as exc:
                if not result.acknowledged:
                    raise
                result.unsent = [rest.seq for rest in items[n:]]
                result.error = str(exc)
                break
            if isinstance(outcome, str):
                self.rejected[item.seq] = outcome
            else:
                result.acknowledged.append(item.seq)
                result.conflicts.extend(outcome)
        return result

    def _push_one(self, item: OutboxItem) -> str | list[dict[str, object]]:
        """Conflicts to report once uploaded, or why this item cannot go to pretix."""
        if item.kind != "scan":
            return "pretix cannot receive walk-ins: add this person in pretix by hand"
        try:
            scan = scan_from_dict(json.loads(item.payload))
        except (ValueError, KeyError, TypeError) as exc:
            return f"unreadable outbox payload: {exc!r}"
        list_id = self.checkin_list
        if scan.session_id is not None:
            if scan.session_id not in self.session_lists:
                return (
                    f"no pretix check-in list for session {scan.session_id!r}: add it to "
                    "[sync] pretix_session_lists"
                )
            list_id = self.session_lists[scan.session_id]
        if scan.kind is ScanKind.UNDO:
            return self._annul(scan, list_id)
        if not scan.accepted:
            return self._failed_checkin(scan, list_id)
        if scan.code.startswith("id:"):
            return "checked in by hand without a ticket code: pretix needs the ticket's secret"
        return self._redeem(scan, list_id)

    def _redeem(self, scan: Scan, list_id: int) -> list[dict[str, object]]:
        movement = "exit" if scan.kind in (ScanKind.EXIT, ScanKind.SESSION_EXIT) else "entry"
        body = {
            "secret": scan.code,
            "source_type": "barcode",
            "lists": [list_id],
            "type": movement,
            "datetime": utc_text(scan.at),
            "force": True,  # the kiosk already let the person in (maybe offline)
            "nonce": scan.nonce,  # a retry creates no second check-in
            "questions_supported": False,
        }
        response = self._send("POST", "checkinrpc/redeem/", json=body)
        answer = self._json(response)
        if not isinstance(answer, dict) or "status" not in answer:
            raise SourceRejected(
                f"pretix refused the check-in upload ({response.status_code}): "
                f"{response_detail(response)}; check [sync] pretix_checkin_list"
            )
        if answer["status"] == "ok":
            return self._double_entries(scan, movement, answer.get("position") or {}, list_id)
        code = str(answer.get("reason") or answer["status"])
        return [self._disagreement(scan, code, answer.get("reason_explanation"), answer)]

    def _double_entries(
        self, scan: Scan, movement: str, position: Mapping[str, Any], list_id: int
    ) -> list[dict[str, object]]:
        """An entry while pretix had the person inside already (same day): a conflict."""
        if movement != "entry" or scan.forced:
            return []
        day = self._day_of(scan.at)
        inside: Mapping[str, Any] | None = None
        moves = []
        for checkin in position.get("checkins") or ():
            at = _time(checkin.get("datetime"))
            if at is None or checkin.get("list") != list_id or at > scan.at:
                continue
            if at == scan.at and checkin.get("type") == movement:
                continue  # this very scan, uploaded before (same nonce)
            if self._zone is not None and day is not None and self._day_of(at) != day:
                continue
            moves.append((at, checkin))
        for _at, checkin in sorted(moves, key=lambda m: m[0]):
            inside = checkin if checkin.get("type") == "entry" else None
        if inside is None:
            return []
        return [
            {
                "registration_id": scan.registration_id,
                "day": scan.day,
                "first_nonce": f"pretix-checkin-{inside['id']}",
                "first_kiosk": "pretix",
                "first_at": inside.get("datetime"),
                "second_nonce": scan.nonce,
                "second_kiosk": scan.kiosk_id,
                "second_at": utc_text(scan.at),
            }
        ]

    def _disagreement(
        self, scan: Scan, code: str, explanation: object, answer: Mapping[str, Any]
    ) -> dict[str, object]:
        """pretix did not record an accepted scan: reported, never retried (it cannot help)."""
        reason = reason_from_pretix(code, at=scan.at, position=answer.get("position"))
        return {
            "registration_id": scan.registration_id,
            "day": scan.day,
            "first_nonce": scan.nonce,
            "first_kiosk": scan.kiosk_id,
            "first_at": utc_text(scan.at),
            "second_nonce": f"pretix-refused-{scan.nonce}",
            "second_kiosk": "pretix",
            "second_at": utc_text(datetime.now(UTC)),
            "pretix_reason": code,
            "reason": reason.value if reason else None,
            "detail": str(explanation or f"pretix did not record this check-in: {code}"),
        }

    def _failed_checkin(self, scan: Scan, list_id: int) -> list[dict[str, object]]:
        body: dict[str, Any] = {
            "error_reason": pretix_reason(scan.reason),
            "error_explanation": " — ".join(
                p
                for p in (f"Accueil {scan.kiosk_name or scan.kiosk_id}: {scan.reason}", scan.note)
                if p
            ),
            "raw_barcode": scan.code or "(empty)",
            "datetime": utc_text(scan.at),
            "type": "exit" if scan.kind in (ScanKind.EXIT, ScanKind.SESSION_EXIT) else "entry",
            "nonce": scan.nonce,  # pretix stores it once per nonce
        }
        path = self._event_path(f"checkinlists/{list_id}/failed_checkins/")
        response = self._send("POST", path, json=body)
        if response.status_code == 400 and "error_reason" in response.text:
            body["error_reason"] = "error"  # an older pretix without this reason code
            response = self._send("POST", path, json=body)
        if response.status_code == 404:
            raise SourceRejected(
                f"pretix has no check-in list {list_id} in event {self.event!r}: check [sync] "
                "pretix_checkin_list / pretix_session_lists"
            )
        # Statistics only: a 400 left after the retry is not worth keeping the scan queued.
        return []

    def _annul(self, undo: Scan, list_id: int) -> list[dict[str, object]]:
        body = {
            "nonce": undo.code,  # an undo's code is the nonce of the scan it takes back
            "lists": [list_id],
            "datetime": utc_text(undo.at),
            "error_explanation": f"undone at Accueil {undo.kiosk_name or undo.kiosk_id} {undo.note}",
        }
        response = self._send("POST", "checkinrpc/annul/", json=body)
        if response.status_code < 300 or response.status_code == 404:
            return []  # annulled, or pretix never had it (a refused or unsent scan)
        text = response.text
        if "unsuccessful" in text:
            return []  # annulled already (a retry)
        return [
            {
                "registration_id": undo.registration_id,
                "day": undo.day,
                "first_nonce": undo.code,
                "first_kiosk": undo.kiosk_id,
                "first_at": None,
                "second_nonce": undo.nonce,
                "second_kiosk": "pretix",
                "second_at": utc_text(undo.at),
                "pretix_reason": "annul_refused",
                "reason": None,
                "detail": f"pretix kept the check-in: {response_detail(response)}",
            }
        ]


_EXCLUDE = ["fees", "payments", "refunds", "customer"]


def _time(value: object) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
