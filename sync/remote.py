"""What the sync engine needs from a remote registration source (the hub, pretix)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx

from kiosk.core.model import Registration, Scan
from kiosk.core.ports import OutboxItem

# The source errors live in the one error tree; importable from here as before.
from kiosk.errors import SourceAuthError as SourceAuthError
from kiosk.errors import SourceError as SourceError
from kiosk.errors import SourceRejected as SourceRejected
from kiosk.errors import SourceUnavailable as SourceUnavailable


@dataclass
class PullResult:
    registrations: list[Registration] = field(default_factory=list)
    scans: list[Scan] = field(default_factory=list)  # scans made at other kiosks
    cursor: str | None = None  # where the next incremental pull starts
    more: bool = False  # another page is waiting
    # pretix: the order-position facts of these registrations (by id) and the check-in
    # lists (by door: '' the entrance, else a session id), for local list checks.
    facts: dict[str, Any] = field(default_factory=dict)
    lists: dict[str, Any] | None = None
    full_page: int = 0  # page number within a full pull (0: an incremental pull)
    event: Any = None  # the event definition when the source owns it (pretix), else None


@dataclass
class PushResult:
    acknowledged: list[int] = field(default_factory=list)  # outbox seqs the remote holds now
    conflicts: list[dict[str, object]] = field(default_factory=list)
    # The batch stopped part-way (the source went away after some items): these outbox seqs
    # were not tried and stay queued; ``error`` says why. Not a refusal: they are retried.
    unsent: list[int] = field(default_factory=list)
    error: str = ""


class RemoteSource(Protocol):
    name: str

    def pull(self, cursor: str | None) -> PullResult:
        """Registrations (and other kiosks' scans) changed since cursor; all when None."""
        ...

    def push(self, items: Sequence[OutboxItem]) -> PushResult:
        """Upload outbox items; idempotent by scan nonce / registration id."""
        ...


# The optional abilities a source declares in the registry (kiosk.registry.SourceKind).


class GivesHeartbeat(Protocol):
    def heartbeat(self, status: dict[str, Any]) -> None:
        """Tell the source how this kiosk is (best effort)."""
        ...


class ReportsRejected(Protocol):
    rejected: dict[int, str]  # outbox seq -> why the last push refused it


class CountsRemaining(Protocol):
    remaining: int | None  # registrations still to pull after the last page


class ListsErrors(Protocol):
    list_errors: dict[str, str]  # door -> why its check-in list could not be used


class Closes(Protocol):
    def close(self) -> None: ...


class ConfirmsHeld(Protocol):
    def confirm_held(self, nonces: Sequence[str], walkins: Sequence[str]) -> dict[str, Any]:
        """Which of this kiosk's scans (by nonce) and walk-ins the source holds."""
        ...


def send(
    client: httpx.Client, service: str, method: str, path: str, *, token_hint: str, **kwargs: Any
) -> httpx.Response:
    """One request to ``service``, its failures sorted for the sync engine.

    Network trouble, timeouts, 5xx and 429 raise SourceUnavailable (retry later, status
    None without an answer); 401/403 raise SourceAuthError (a SourceRejected) with
    ``token_hint`` (what a person should do). Both carry ``source=service``, the status,
    the server's reason code and text. Other answers are returned for the caller to read.
    """
    try:
        response = client.request(method, path, **kwargs)
    except httpx.HTTPError as exc:  # connect, read, timeout, protocol errors
        raise SourceUnavailable(
            f"{service} {client.base_url} unreachable: {exc!r}", source=service
        ) from None
    status = response.status_code
    if status in (401, 403):
        detail = response_detail(response)
        raise SourceAuthError(
            f"{service} refused the token ({status}: {detail}); {token_hint}",
            **refusal_fields(service, response),
        )
    if status >= 500 or status == 429:
        raise SourceUnavailable(
            f"{service} error {status}: {response_detail(response)}",
            **refusal_fields(service, response),
        )
    return response


def refusal_fields(service: str, response: httpx.Response) -> dict[str, Any]:
    """The SourceError fields of an answer: source, status, reason code and text."""
    return {
        "source": service,
        "status": response.status_code,
        "reason": response_reason(response),
        "detail": response_detail(response),
    }


def response_reason(response: httpx.Response) -> str:
    """The machine-readable reason code of an error answer, "" when it has none.

    pretix's check-in API answers ``{"status": "error", "reason": "already_redeemed"}``;
    the hub and other FastAPI apps put a short code or a text in ``detail``: a code is a
    single word of letters, digits, ``_``, ``-`` or ``.``.
    """
    try:
        body = response.json()
    except ValueError:
        return ""
    if not isinstance(body, dict):
        return ""
    for key in ("reason", "code", "detail"):
        value = body.get(key)
        if (
            isinstance(value, str)
            and 0 < len(value) <= 100
            and value.replace("_", "").replace("-", "").replace(".", "").isalnum()
        ):
            return value
    return ""


def response_detail(response: httpx.Response) -> str:
    """The reason a server gave for an error answer, short enough for a status line."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:200] or response.reason_phrase
    if isinstance(body, dict):
        for key in ("detail", "non_field_errors"):
            if body.get(key):
                return str(body[key])[:300]
    return json.dumps(body)[:300]
