"""What the sync engine needs from a remote registration source (the hub, pretix)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx

from kiosk.core.model import Registration, Scan
from kiosk.core.ports import OutboxItem


class SourceUnavailable(Exception):
    """Network down, timeout, 5xx: try again later with backoff."""


class SourceRejected(Exception):
    """401/403 or a configuration problem: retrying will not help; a person must act."""


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


def send(
    client: httpx.Client, service: str, method: str, path: str, *, token_hint: str, **kwargs: Any
) -> httpx.Response:
    """One request to ``service``, its failures sorted for the sync engine.

    Network trouble, timeouts, 5xx and 429 raise SourceUnavailable (retry later); 401/403
    raise SourceRejected with ``token_hint`` (what a person should do). Other answers are
    returned for the caller to read.
    """
    try:
        response = client.request(method, path, **kwargs)
    except httpx.HTTPError as exc:  # connect, read, timeout, protocol errors
        raise SourceUnavailable(f"{service} {client.base_url} unreachable: {exc!r}") from None
    status = response.status_code
    if status in (401, 403):
        raise SourceRejected(
            f"{service} refused the token ({status}: {response_detail(response)}); {token_hint}"
        )
    if status >= 500 or status == 429:
        raise SourceUnavailable(f"{service} error {status}: {response_detail(response)}")
    return response


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
