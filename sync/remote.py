"""What the sync engine needs from a remote registration source (the hub, pretix)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

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


@dataclass
class PushResult:
    acknowledged: list[int] = field(default_factory=list)  # outbox seqs the remote holds now
    conflicts: list[dict[str, object]] = field(default_factory=list)


class RemoteSource(Protocol):
    name: str

    def pull(self, cursor: str | None) -> PullResult:
        """Registrations (and other kiosks' scans) changed since cursor; all when None."""
        ...

    def push(self, items: Sequence[OutboxItem]) -> PushResult:
        """Upload outbox items; idempotent by scan nonce / registration id."""
        ...
