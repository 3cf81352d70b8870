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
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from kiosk.config import ConfigError, KioskSection, SyncSection
from kiosk.core.checkin_list import CheckinList, TicketFacts, local_texts
from kiosk.core.model import Event, EventDay, Lang, Registration, Scan, ScanKind
from kiosk.core.ports import OutboxItem, ScanLog
from kiosk.core.questions import CheckinQuestion
from kiosk.core.verdict import Reason
from sync.pretix_mapping import OrderFacts, question_from_pretix, registration_from_position
from sync.pretix_mapping import name_parts_with_fallback as _name_parts_with_fallback
from sync.pretix_mapping import pretix_time as _time  # one reading of pretix's date-times
from sync.remote import (
    PullResult,
    PushResult,
    SourceRejected,
    SourceUnavailable,
    refusal_fields,
    response_detail,
    send,
)
from sync.wire import list_from_dict, scan_from_dict, utc_text

PAGE_SIZE = 50  # the most pretix serves per page
LIST_REFRESH_SECONDS = 60.0  # how often an incremental pull re-reads the check-in lists

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
    "incomplete": Reason.QUESTIONS_REQUIRED,
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
    Reason.QUESTIONS_REQUIRED: "incomplete",
}


def normalise_url(url: str) -> str:
    """pretix's base URL: without trailing slashes and without an ``/api/v1`` the docs of
    many tools include (the kiosk adds it)."""
    url = url.strip().rstrip("/")
    if url.lower().endswith("/api/v1"):
        url = url[: -len("/api/v1")].rstrip("/")
    return url


@dataclass(frozen=True, slots=True)
class Probe:
    """One step of ``PretixSource.probe``: what was checked, whether it holds, why not.

    ``key`` names the config key to fix, as "[pretix] token"; ``temporary`` marks trouble
    that may pass (unreachable, 5xx) rather than configuration.
    """

    what: str
    ok: bool
    detail: str = ""
    key: str = ""
    temporary: bool = False


class ListRefused(SourceRejected):
    """pretix refused one check-in list (no such id, not in this event): only its items wait."""

    def __init__(self, list_id: int, message: str) -> None:
        super().__init__(message)
        self.list_id = list_id


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


def checkin_list_from_api(data: Mapping[str, Any], event: Mapping[str, Any]) -> CheckinList:
    """pretix's checkinlists resource (and its event's times) as the core's CheckinList.

    Read by ``sync.wire.list_from_dict``, the reader of the lists the store keeps: pretix's
    ``limit_products`` is its ``products``; the (sub-)event's times are read as pretix's.
    Raises SourceUnavailable for a list or time the kiosk could not keep (a time outside
    1970-2099, a list id that is not a number).
    """

    def when(key: str) -> str | None:
        found = _time(event.get(key))
        return utc_text(found) if found is not None else None

    try:
        return list_from_dict(
            {
                **data,
                "products": data.get("limit_products") or (),
                "event_from": when("date_from"),
                "event_to": when("date_to"),
                "event_admission": when("date_admission"),
            }
        )
    except (KeyError, TypeError, ValueError, OverflowError) as exc:
        raise SourceUnavailable(
            f"pretix sent check-in list {str(data.get('id'))[:20]} with a value this kiosk "
            f"cannot read: {exc}"
        ) from None


@dataclass(frozen=True, slots=True)
class _Cursor:
    """Where the next pull starts; opaque to the engine, JSON on the wire.

    ``full``: page ``page`` of the positions of list number ``lst`` (the entrance's, then
    each session door's), ``since`` taken before the first page.
    ``since``: page ``page`` of orders modified since ``since``; ``upto`` is the
    X-Page-Generated of that pass's first page, the next pass's ``since``.
    """

    scope: str
    phase: str = "full"
    page: int = 1
    since: str | None = None
    upto: str | None = None
    lst: int = 0

    def dumps(self) -> str:
        return json.dumps(
            {
                "v": 1,
                "scope": self.scope,
                "phase": self.phase,
                "page": self.page,
                "since": self.since,
                "upto": self.upto,
                "lst": self.lst,
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
                lst=int(data.get("lst") or 0),
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
        event_from_pretix: bool = False,
    ) -> None:
        if not (organizer and event and checkin_list and token):
            raise SourceRejected(
                "pretix needs [pretix] organizer, event, checkin_list and token (or "
                "ACCUEIL_PRETIX_TOKEN)"
            )
        self.url = normalise_url(url)
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
        self._lists: dict[str, CheckinList] = {}  # by door: '' the entrance, else a session id
        self._lists_at = 0.0  # monotonic time of the last list load
        self._lists_fresh = False  # loaded since the last page handed them over
        self.list_errors: dict[str, str] = {}  # door -> why its list could not be pulled
        self._event_info: dict[str, Any] | None = None
        self.event_from_pretix = event_from_pretix
        self._pretix_event: Event | None = None
        self._item_facts: dict[tuple[int, int | None], tuple[bool, Any]] = {}
        self._event_locale = language  # pretix's default locale of the event (settings)
        self._checkin_questions: dict[int, list[CheckinQuestion]] = {}
        self._secrets: dict[int, str] = {}  # pretix position id -> secret, for add-on parents
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
                    f"[pretix] session_lists entry {entry!r}: expected "
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
                event_from_pretix=True,
            )
        except SourceRejected as exc:
            raise ConfigError(str(exc)) from None

    def close(self) -> None:
        self._client.close()

    # -- probing (sync status, sync --once) ---------------------------------------------

    def probe(self) -> list[Probe]:
        """Ask pretix, step by step, whether this kiosk's [pretix] settings work.

        Steps: reachable (url), token, organizer, event, then each check-in list (the
        entrance's and each session door's). A failed step names the key to fix; the
        steps after a failed url, token, organizer or event are not tried.
        """
        base = f"{self.url}/api/v1/"
        try:
            root = self._client.get(base)
        except httpx.HTTPError as exc:
            return [Probe("reachable", False, f"{base} unreachable: {exc!r}", "[pretix] url", True)]
        if root.status_code >= 500 or root.status_code == 429:
            return [
                Probe(
                    "reachable", False, f"{base} answered {root.status_code}", "[pretix] url", True
                )
            ]
        if root.status_code == 404 or "json" not in root.headers.get("content-type", ""):
            return [
                Probe(
                    "reachable",
                    False,
                    f"{base} is not pretix's API ({root.status_code}); give pretix's address",
                    "[pretix] url",
                )
            ]
        steps = [Probe("reachable", True, self.url)]
        try:
            return self._probe_steps(base, steps)
        except (httpx.HTTPError, SourceUnavailable, AttributeError, TypeError) as exc:
            why = f"pretix stopped answering as expected: {exc!r}"
            return [*steps, Probe("answers", False, why, "[pretix] url", True)]

    def _probe_steps(self, base: str, steps: list[Probe]) -> list[Probe]:
        whoami = self._client.get(f"{base}organizers/")
        if whoami.status_code == 401:
            return [*steps, Probe("token", False, response_detail(whoami), "[pretix] token")]
        if whoami.status_code >= 400:
            return [*steps, self._probe_failure("token", whoami, "[pretix] token")]
        steps.append(Probe("token", True, "accepted"))
        mine = [str(o.get("slug")) for o in (self._json(whoami).get("results") or ())]
        if self.organizer not in mine:
            known = ", ".join(mine) or "none"
            why = f"no organizer {self.organizer!r} for this token (its organizers: {known})"
            return [*steps, Probe("organizer", False, why, "[pretix] organizer")]
        steps.append(Probe("organizer", True, self.organizer))
        event = self._client.get(self._event_path(""))
        if event.status_code != 200:
            listed = self._client.get("events/", params={"page_size": 50})
            slugs = []
            if listed.status_code == 200:
                slugs = [str(e.get("slug")) for e in self._json(listed).get("results") or ()]
            why = (
                f"no event {self.event!r} in organizer {self.organizer!r} that this token may "
                f"see ({event.status_code}); events it sees: {', '.join(slugs) or 'none'}"
            )
            return [*steps, Probe("event", False, why, "[pretix] event")]
        steps.append(Probe("event", True, self.event))
        self._event_info = dict(self._json(event))
        doors = [("", self.checkin_list)] + sorted(self.session_lists.items())
        for door, list_id in doors:
            what = f"check-in list {list_id}" + (f" (session {door})" if door else "")
            response = self._client.get(self._event_path(f"checkinlists/{list_id}/"))
            if response.status_code == 200:
                steps.append(Probe(what, True, str(self._json(response).get("name") or "")))
            elif response.status_code >= 500:
                steps.append(self._probe_failure(what, response, self._list_key(list_id)))
            else:
                why = f"pretix has no check-in list {list_id} in event {self.event!r}"
                steps.append(Probe(what, False, why, self._list_key(list_id)))
        return steps

    def _probe_failure(self, what: str, response: httpx.Response, key: str) -> Probe:
        temporary = response.status_code >= 500 or response.status_code == 429
        detail = f"{response.status_code}: {response_detail(response)}"
        return Probe(what, False, detail, key, temporary)

    # -- HTTP ---------------------------------------------------------------------------

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """One request (sync.remote.send); other answers are returned for the caller to read."""
        hint = (
            "check [pretix] token: its team needs 'View all orders' and 'Check-in' "
            f"on event {self.event!r}"
        )
        try:
            return send(self._client, "pretix", method, path, token_hint=hint, **kwargs)
        except SourceRejected as exc:
            if exc.status == 401:
                raise
            raise SourceRejected(
                self._diagnose(str(exc)),
                source="pretix",
                status=exc.status,
                reason=exc.reason,
                detail=exc.detail,
            ) from None

    def _diagnose(self, message: str) -> str:
        """pretix answers 403 for a wrong organizer or event too: say which key is wrong."""
        try:
            failed = [p for p in self.probe() if not p.ok]
        except (httpx.HTTPError, SourceUnavailable):
            return message
        if not failed or not failed[0].key:
            return message
        return f"pretix: {failed[0].what}: {failed[0].detail}; check {failed[0].key}"

    def _get(self, path: str, params: Mapping[str, Any] | None = None) -> httpx.Response:
        return self._check(self._send("GET", path, params=params), path)

    def _check(self, response: httpx.Response, path: str) -> httpx.Response:
        if response.status_code == 404:
            raise SourceRejected(
                f"pretix has no {path!r} for organizer {self.organizer!r}: check [pretix] "
                "url, organizer, event and checkin_list",
                **refusal_fields("pretix", response),
            )
        if response.status_code >= 400:
            raise SourceRejected(
                f"pretix refused {path} ({response.status_code}): {response_detail(response)}",
                **refusal_fields("pretix", response),
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
        """The entrance's list (its failure stops the pull), each session door's list (its
        failure holds only that door: ``list_errors``), the event, and product names."""
        self._event_info = None  # dates and zone may change in pretix: read them again
        info = self.event_info()
        if self.event_from_pretix:
            self._pretix_event, _ = self.kiosk_event_from_pretix()
            self.kiosk_event = self._pretix_event
            self._zone = ZoneInfo(self._pretix_event.timezone)
        data = self._list_data(self.checkin_list)
        self._rules = CheckinListRules(
            all_products=bool(data.get("all_products")),
            products=frozenset(int(i) for i in data.get("limit_products") or ()),
            subevent=data.get("subevent"),
        )
        dates: dict[int, Mapping[str, Any]] = {}

        def times(list_data: Mapping[str, Any]) -> Mapping[str, Any]:
            """A list of one date of a series: that date's times, else the event's."""
            sub = list_data.get("subevent")
            if not sub:
                return info
            if int(sub) not in dates:
                path = self._event_path(f"subevents/{int(sub)}/")
                dates[int(sub)] = dict(self._json(self._get(path)))
            return dates[int(sub)]

        lists = {"": checkin_list_from_api(data, times(data))}
        errors: dict[str, str] = {}
        for door, list_id in self.session_lists.items():
            try:
                door_data = self._list_data(list_id)
                lists[door] = checkin_list_from_api(door_data, times(door_data))
            except ListRefused as exc:
                errors[door] = str(exc)
        self._lists, self.list_errors = lists, errors
        self._lists_at = time.monotonic()
        self._lists_fresh = True
        names: dict[tuple[int, int | None], str] = {}
        facts: dict[tuple[int, int | None], tuple[bool, Any]] = {}
        self._event_locale = self._default_locale()
        for item in self._pages(self._event_path("items/"), {}):
            name = self._text(item.get("name"))
            key = (int(item["id"]), None)
            names[key] = name
            facts[key] = (bool(item.get("checkin_attention")), item.get("checkin_text") or "")
            for variation in item.get("variations") or ():
                vkey = (int(item["id"]), int(variation["id"]))
                names[vkey] = f"{name} – {self._text(variation.get('value'))}"
                facts[vkey] = (
                    bool(variation.get("checkin_attention")),
                    variation.get("checkin_text") or "",
                )
        self._ticket_types = names
        self._item_facts = facts
        asked: dict[int, list[CheckinQuestion]] = {}
        for data in self._pages(self._event_path("questions/"), {}):
            if not data.get("ask_during_checkin"):
                continue
            question = question_from_pretix(data, self._text(data.get("question")), self._text)
            for item in data.get("items") or ():
                asked.setdefault(int(item), []).append(question)
        self._checkin_questions = asked

    def _list_data(self, list_id: int) -> dict[str, Any]:
        path = self._event_path(f"checkinlists/{list_id}/")
        response = self._send("GET", path)
        if response.status_code == 404:
            raise ListRefused(
                list_id,
                f"pretix has no check-in list {list_id} in event {self.event!r}: check "
                + self._list_key(list_id),
            )
        data = self._json(self._check(response, path))
        if not isinstance(data, dict) or "id" not in data:
            raise SourceUnavailable(f"pretix sent a check-in list {list_id} this kiosk cannot read")
        return data

    def event_info(self) -> dict[str, Any]:
        """pretix's event resource (name, date_from, date_to, timezone, has_subevents…)."""
        if self._event_info is None:
            self._event_info = dict(self._json(self._get(self._event_path(""))))
        return self._event_info

    def kiosk_event_from_pretix(self) -> tuple[Event, str]:
        """The kiosk's Event from pretix's: name in the kiosk's language, its time zone,
        one day per calendar date from date_from to date_to (in the event's zone); with
        sub-events, from the first to the last sub-event. Returns (event, a note)."""
        info = self.event_info()
        zone_name = str(info.get("timezone") or "UTC")
        zone = ZoneInfo(zone_name)
        starts = [_time(info.get("date_from"))]
        ends = [_time(info.get("date_to")) or starts[0]]
        note = ""
        if info.get("has_subevents"):
            subs = list(self._pages(self._event_path("subevents/"), {"active": "true"}))
            starts = [_time(s.get("date_from")) for s in subs] or starts
            ends = [_time(s.get("date_to")) or _time(s.get("date_from")) for s in subs] or ends
            note = f"{len(subs)} dates (sub-events) in pretix; each is a day here"
        first = min(t for t in starts if t is not None).astimezone(zone).date()
        last = max(t for t in ends if t is not None).astimezone(zone).date()
        days = tuple(
            EventDay(n + 1, first + timedelta(days=n)) for n in range((last - first).days + 1)
        )
        event = Event(
            slug=self.event, name=self._text(info.get("name")), days=days, timezone=zone_name
        )
        return event, note

    def _default_locale(self) -> str:
        """The event's default language in pretix (its ``locale`` setting); the kiosk's
        language when pretix does not say."""
        path = self._event_path("settings/")
        response = self._send("GET", path)
        if response.status_code != 200:
            return self.language
        data = self._json(response)
        return str(data.get("locale") or self.language) if isinstance(data, dict) else self.language

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
        doors = ",".join(f"{d}={i}" for d, i in sorted(self.session_lists.items()))
        return f"{self.url}|{self.organizer}|{self.event}|{self.checkin_list}|{doors}"

    def pull(self, cursor: str | None) -> PullResult:
        """One page: of the full positions list first, then of orders changed since."""
        state = _Cursor.loads(cursor, self._scope)
        stale = time.monotonic() - self._lists_at > LIST_REFRESH_SECONDS
        if self._rules is None or (state.page == 1 and (state.phase == "full" or stale)):
            self._load_list()
        full = state.phase == "full"
        result = self._pull_positions(state) if full else self._pull_changes(state)
        if self._lists_fresh:
            result.lists = dict(self._lists)
            result.event = self._pretix_event
            self._lists_fresh = False
        return result

    def _server_time(self) -> str:
        """pretix's clock, from the orders list header (the kiosk's clock may be off)."""
        response = self._get(self._event_path("orders/"), {"page_size": 1, "exclude": _EXCLUDE})
        generated = response.headers.get("X-Page-Generated")
        if not generated:
            raise SourceRejected(
                "pretix sent no X-Page-Generated header on orders/: is this a pretix server?"
            )
        return str(generated)

    def _full_lists(self) -> list[int]:
        """The lists a full pull reads: the entrance's, then each usable session door's."""
        ids = [self.checkin_list]
        for door, list_id in sorted(self.session_lists.items()):
            if door not in self.list_errors and list_id not in ids:
                ids.append(list_id)
        return ids

    def _pull_positions(self, state: _Cursor) -> PullResult:
        first = state.page == 1 and state.lst == 0
        since = state.since if not first and state.since else self._server_time()
        lists = self._full_lists()
        list_id = lists[min(state.lst, len(lists) - 1)]
        params = {
            "ignore_status": "true",  # cancelled and unpaid too: the kiosk says why it refuses
            "ordering": "order__datetime",  # new orders land on later pages, not earlier ones
            "page": state.page,
            "page_size": self.page_size,
        }
        path = self._event_path(f"checkinlists/{list_id}/positions/")
        response = self._send("GET", path, params=params)
        if response.status_code == 404 and (state.page > 1 or state.lst > 0):
            body: dict[str, Any] = {"results": [], "next": None}  # the list shrank under us
        else:
            body = self._json(self._check(response, path))
        registrations, scans = [], []
        facts: dict[str, TicketFacts] = {}
        for position in body["results"]:
            self._secrets[int(position["id"])] = str(position.get("secret") or "")
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
            facts[reg.id] = self._facts(position, order, {}, self._parent_of(position))
            scans.extend(self._checkins(reg, position))
        total = int(body.get("count") or 0)
        self.remaining = max(0, total - state.page * self.page_size) if body.get("next") else 0
        full_page = 1 if first else 1 + state.page + 10_000 * state.lst
        if body.get("next"):
            nxt = _Cursor(self._scope, "full", state.page + 1, since=since, lst=state.lst)
        elif state.lst + 1 < len(lists):
            nxt = _Cursor(self._scope, "full", 1, since=since, lst=state.lst + 1)
        else:
            done = _Cursor(self._scope, "since", 1, since=since)
            return PullResult(
                registrations, scans, done.dumps(), more=False, facts=facts, full_page=full_page
            )
        return PullResult(
            registrations, scans, nxt.dumps(), more=True, facts=facts, full_page=full_page
        )

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
        facts: dict[str, TicketFacts] = {}
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
            self._secrets.update((int(p["id"]), str(p.get("secret") or "")) for p in positions)
            invoice = order_data.get("invoice_address") or {}
            for position in positions:
                if not self._on_a_list(position):
                    continue
                reg = registration_from_position(
                    position,
                    order,
                    self._ticket_types or {},
                    _name_parts_with_fallback(position, by_id, invoice),
                )
                registrations.append(reg)
                facts[reg.id] = self._facts(position, order, order_data, by_id)
                scans.extend(self._checkins(reg, position))
        self.remaining = None
        if body.get("next"):
            nxt = _Cursor(self._scope, "since", state.page + 1, since=state.since, upto=upto)
            return PullResult(registrations, scans, nxt.dumps(), more=True, facts=facts)
        done = _Cursor(self._scope, "since", 1, since=upto or state.since)
        return PullResult(registrations, scans, done.dumps(), more=False, facts=facts)

    def _parent_of(self, position: Mapping[str, Any]) -> dict[Any, Mapping[str, Any]]:
        """The add-on's main position as ``_facts``' siblings (its secret is what an
        ``addon_match`` list matches): from the pull so far, else asked of pretix when a
        list matches add-ons. The list's positions name the parent by id only."""
        parent = position.get("addon_to")
        if not parent or not any(c.addon_match for c in self._lists.values()):
            return {}
        pk = int(parent)
        if pk not in self._secrets:
            path = self._event_path(f"orderpositions/{pk}/")
            response = self._send("GET", path)
            # Only add-on matching needs it: a position gone (404) leaves the main ticket
            # unknown here; network trouble and 5xx stop the pull as elsewhere (retried).
            found = self._json(self._check(response, path)) if response.status_code < 400 else {}
            self._secrets[pk] = str(found.get("secret") or "") if isinstance(found, dict) else ""
        return {parent: {"secret": self._secrets[pk]}}

    def _on_a_list(self, position: Mapping[str, Any]) -> bool:
        """Whether the entrance's list or a session door's admits the position."""
        if self._rules is not None and self._rules.admits(position):
            return True
        for clist in self._lists.values():
            if clist.subevent is not None and position.get("subevent") != clist.subevent:
                continue
            if clist.all_products or position.get("item") in clist.products:
                return True
        return False

    def _facts(
        self,
        position: Mapping[str, Any],
        order: OrderFacts,
        order_data: Mapping[str, Any],
        siblings: Mapping[Any, Mapping[str, Any]] | None = None,
    ) -> TicketFacts:
        """What the local list check reads from a position (see kiosk.core.checkin_list)."""
        item = int(position["item"])
        variation = position.get("variation")
        item_attention, item_text = self._item_facts.get((item, None), (False, ""))
        var_attention, var_text = self._item_facts.get((item, variation), (False, ""))
        if variation is None:
            var_attention, var_text = False, ""
        order_text = order_data.get("checkin_text") or ""
        texts, translated = local_texts(  # pretix's order: order's, variation's, product's
            [_plain_or_i18n(t) for t in (order_text, var_text, item_text)],
            self._event_locale,
            [lang.value for lang in Lang],
        )
        attention = bool(
            position.get("require_attention")
            or order_data.get("checkin_attention")
            or item_attention
            or var_attention
        )
        parent = (siblings or {}).get(position.get("addon_to"))
        answered = {a.get("question") for a in position.get("answers") or ()}
        questions = tuple(q for q in self._checkin_questions.get(item, ()) if q.id not in answered)
        return TicketFacts(
            item=item,
            variation=int(variation) if variation is not None else None,
            subevent=position.get("subevent"),
            canceled=bool(position.get("canceled")) or order.status in ("c", "e"),
            order_status=order.status,
            valid_if_pending=order.valid_if_pending,
            require_approval=order.require_approval,
            blocked=bool(position.get("blocked")),
            valid_from=_time(position.get("valid_from")),
            valid_until=_time(position.get("valid_until")),
            attention=attention,
            texts=texts,
            translated=translated,
            addon_to_secret=str(parent.get("secret") or "") if parent else "",
            questions=questions,
        )

    def _checkins(self, reg: Registration, position: Mapping[str, Any]) -> list[Scan]:
        """The position's successful check-ins on this list, as other kiosks' scans."""
        found = []
        known = None
        doors = {lid: door for door, lid in self.session_lists.items()}
        for checkin in position.get("checkins") or ():
            session = doors.get(checkin.get("list"))
            if checkin.get("list") != self.checkin_list and session is None:
                continue
            at = _time(checkin.get("datetime"))
            if at is None:
                continue
            exit_ = checkin.get("type") == "exit"
            if session is not None and checkin.get("list") != self.checkin_list:
                kind = ScanKind.SESSION_EXIT if exit_ else ScanKind.SESSION_ENTRY
            else:
                kind, session = (ScanKind.EXIT if exit_ else ScanKind.ENTRY), None
            if self.log is not None:
                if known is None:
                    known = {
                        (s.at, s.kind, s.session_id)
                        for s in self.log.history(reg.id).scans
                        if not s.nonce.startswith("pretix-checkin-")
                    }
                if (at, kind, session) in known:
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
                    session_id=session,
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
            except ListRefused as exc:
                outcome = str(exc)  # names the [pretix] key of that list
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

    def _list_key(self, list_id: int) -> str:
        """The config key ([pretix] …) that names this check-in list (what a person must fix)."""
        doors = [door for door, lid in self.session_lists.items() if lid == list_id]
        if doors and list_id != self.checkin_list:
            return "[pretix] session_lists (" + ", ".join(f"{d}={list_id}" for d in doors) + ")"
        return "[pretix] checkin_list"

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
                    "[pretix] session_lists"
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
        """Ask pretix unforced first, so its verdict is known; then record what happened.

        pretix's ``force`` makes every check succeed (it only marks the check-in ``forced``),
        so an entry pretix would refuse is first sent without it: pretix answers with its
        reason and text (and stores a failed check-in), the kiosk reports that as a
        conflict, then sends the entry again with ``force`` so that pretix holds what
        happened at the door. The nonce makes both calls safe to repeat. A supervisor's
        override (``scan.forced``) goes forced at once: the refusal is already known.
        """
        movement = "exit" if scan.kind in (ScanKind.EXIT, ScanKind.SESSION_EXIT) else "entry"
        body: dict[str, Any] = {
            "secret": scan.code,
            "source_type": "barcode",
            "lists": [list_id],
            "type": movement,
            "datetime": utc_text(scan.at),
            "force": scan.forced,
            "nonce": scan.nonce,  # a retry creates no second check-in
            "questions_supported": bool(scan.answers),  # asked at the desk, or not at all
        }
        if scan.answers:
            body["answers"] = dict(scan.answers)
        answer = self._redeem_call(body, list_id)
        if answer["status"] == "ok":
            return self._double_entries(scan, movement, answer.get("position") or {}, list_id)
        code = str(answer.get("reason") or answer["status"])
        if code in _NOT_RECORDABLE:
            return [self._disagreement(scan, code, answer.get("reason_explanation"), answer)]
        forced = self._redeem_call({**body, "force": True}, list_id)
        if code == "already_redeemed" and forced["status"] == "ok":
            doubles = self._double_entries(scan, movement, forced.get("position") or {}, list_id)
            if doubles:
                return doubles
        return [self._disagreement(scan, code, answer.get("reason_explanation"), answer)]

    def _redeem_call(self, body: Mapping[str, Any], list_id: int) -> dict[str, Any]:
        response = self._send("POST", "checkinrpc/redeem/", json=body)
        answer = self._json(response)
        if not isinstance(answer, dict) or "status" not in answer:
            raise ListRefused(
                list_id,
                f"pretix refused the check-in upload to list {list_id} ({response.status_code}): "
                f"{response_detail(response)}; check {self._list_key(list_id)}",
            )
        return answer

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
            raise ListRefused(
                list_id,
                f"pretix has no check-in list {list_id} in event {self.event!r}: check "
                + self._list_key(list_id),
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


def _plain_or_i18n(value: Any) -> str | dict[str, str]:
    """A pretix text as pretix sent it: plain (pretix 2026.8's check-in texts) or i18n."""
    if isinstance(value, dict):
        return {str(k): str(v) for k, v in value.items() if v}
    return str(value or "")


# pretix refusals a forced redeem cannot turn into a check-in (no such ticket, or not one).
_NOT_RECORDABLE = frozenset(
    {"invalid", "ambiguous", "error", "already_exchanged", "medium_invalid", "medium_exists"}
)
