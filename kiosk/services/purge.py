"""The purge's use case: may this kiosk's attendee data go, and deleting it from the store.

Over two ports: a source that confirms which of this kiosk's scans and walk-ins it holds
(``HeldConfirmer``, the hub) and the store (``PurgeStore``). The order is the safe one:
nothing waits for upload, the hub names this kiosk and misses nothing, then one store
transaction deletes, re-checking that no scan arrived since the confirmation. Every refusal
is a ``PurgeRefused`` whose message says why and what to do; nothing was deleted then.
The command (kiosk.commands.purge) keeps the upload pass, the prompt, the files, the
signed receipt and the printing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kiosk.errors import SourceAuthError, SourceError, StorageError
from kiosk.services.ports import HeldConfirmer, PurgeStore

PENDING_READ = 100_000  # outbox items read to say what still waits for upload


class PurgeRefused(Exception):
    """The purge cannot go ahead; the message says why and what to do. Nothing deleted."""


@dataclass(frozen=True, slots=True)
class HubHolds:
    """The hub's confirmation that it holds every scan (``nonces``, in log order) and walk-in
    of this kiosk; ``answer`` is its reply as sent (see HeldConfirmer.confirm_held)."""

    nonces: list[str]
    walkins: list[str]
    answer: Mapping[str, Any]

    @property
    def last_nonce(self) -> str | None:
        return self.nonces[-1] if self.nonces else None


class Purging:
    """Whether this kiosk (``kiosk_id``, the ``[kiosk] id``) may purge, and the purge."""

    def __init__(self, store: PurgeStore, kiosk_id: str) -> None:
        self.store = store
        self.kiosk_id = kiosk_id

    def refuse_if_pending(self) -> None:
        """PurgeRefused while anything (scans, walk-ins) waits in the outbox for upload."""
        pending = self.store.count_pending()
        if pending:
            raise PurgeRefused(
                f"{pending} item(s) not uploaded yet ({self._pending_detail()}). {self._why()}"
            )

    def confirm(self, source: HeldConfirmer) -> HubHolds:
        """Ask the source about every scan and walk-in of this kiosk; PurgeRefused when it
        cannot be asked, speaks for another kiosk, or misses anything."""
        nonces = self.store.own_scan_nonces()
        walkins = self.store.own_walkin_ids()
        answer = _ask(source, nonces, walkins)
        if answer.get("kiosk_id") != self.kiosk_id:
            raise PurgeRefused(
                f"the [hub] token belongs to kiosk {answer.get('kiosk_id')!r}, this kiosk is "
                f"{self.kiosk_id!r}: the hub cannot confirm this kiosk's scans with it"
            )
        missing = list(answer.get("missing_scans", []))
        missing_regs = list(answer.get("missing_registrations", []))
        if missing or missing_regs:
            raise PurgeRefused(
                f"the hub does not hold {len(missing)} scan(s) and {len(missing_regs)} "
                f"walk-in(s) of this kiosk (first: {', '.join(map(str, (missing + missing_regs)[:3]))}); "
                "run `accueil sync` and try again, or ask the organisers to check the hub "
                "database"
            )
        return HubHolds(nonces, walkins, answer)

    def registrations(self) -> int:
        """How many registrations the purge would delete (for the prompt)."""
        return self.store.count_registrations()

    def delete(self, held: HubHolds) -> dict[str, int]:
        """Delete every attendee row in one transaction: rows deleted per table. PurgeRefused
        (nothing deleted) when a scan arrived after ``held`` was confirmed."""
        try:
            return self.store.purge_attendee_data(len(held.nonces), held.last_nonce)
        except StorageError as exc:
            raise PurgeRefused(f"{exc}; nothing was deleted, run `accueil purge` again") from None

    def event_slug(self) -> str:
        event = self.store.event()
        return str(event.slug) if event else ""

    def remember(self, receipt_body: Mapping[str, Any]) -> None:
        """Keep the last receipt's body in the (now empty) store."""
        self.store.set_meta("purge.last", json.dumps(receipt_body))

    def _pending_detail(self) -> str:
        kinds: dict[str, int] = {}
        for item in self.store.pending(PENDING_READ):
            kinds[item.kind] = kinds.get(item.kind, 0) + 1
        return ", ".join(
            f"{n} {'walk-in' if k == 'registration' else k}(s)" for k, n in sorted(kinds.items())
        )

    def _why(self) -> str:
        failures = self.store.outbox_failures()
        if failures:
            return f"Last upload error: {failures[-1]['last_error'] or 'unknown'}."
        return "Connect to the hub (`accueil sync`) and try again."


def _ask(source: HeldConfirmer, nonces: list[str], walkins: list[str]) -> Mapping[str, Any]:
    try:
        return source.confirm_held(nonces, walkins)
    except SourceAuthError as exc:
        raise PurgeRefused(
            f"the hub refused this kiosk's token ({exc.status or exc.reason})"
        ) from None
    except SourceError as exc:
        if exc.reason == "not_a_hub" or exc.status is None:
            raise PurgeRefused(f"{exc}; nothing was deleted") from None
        raise PurgeRefused(f"the hub answered {exc.status}: {exc.detail[:200]}") from None
