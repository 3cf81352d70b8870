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

from kiosk.core.i18n import N_, NP_, Message, Words
from kiosk.errors import SourceAuthError, SourceError, StorageError
from kiosk.services.ports import HeldConfirmer, PurgeStore

PENDING_READ = 100_000  # outbox items read to say what still waits for upload


class PurgeRefused(Exception):
    """The purge cannot go ahead; the message says why and what to do. Nothing deleted.

    ``str(exc)`` is English; ``exc.words.in_language(tr)`` says it from the catalogues.
    """

    def __init__(self, *parts: str | tuple[str | Message, dict[str, object]]) -> None:
        # A plain str is a sentence already said in its language (the command's own).
        self.words = Words(*((p, {}) if isinstance(p, str) else p for p in parts))
        super().__init__(str(self.words))


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
                (
                    NP_("{count} item is not uploaded yet", "{count} items are not uploaded yet"),
                    {"count": pending},
                ),
                (N_("(scans: {scans}, walk-ins: {walkins})."), self._pending_detail()),
                self._why(),
            )

    def confirm(self, source: HeldConfirmer) -> HubHolds:
        """Ask the source about every scan and walk-in of this kiosk; PurgeRefused when it
        cannot be asked, speaks for another kiosk, or misses anything."""
        nonces = self.store.own_scan_nonces()
        walkins = self.store.own_walkin_ids()
        answer = _ask(source, nonces, walkins)
        if answer.get("kiosk_id") != self.kiosk_id:
            said = N_(
                "the [hub] token belongs to kiosk {other}, this kiosk is {this}: the hub "
                "cannot confirm this kiosk's scans with it"
            )
            raise PurgeRefused(
                (said, {"other": repr(answer.get("kiosk_id")), "this": repr(self.kiosk_id)})
            )
        missing = list(answer.get("missing_scans", []))
        missing_regs = list(answer.get("missing_registrations", []))
        if missing or missing_regs:
            said = N_(
                "the hub does not hold all of this kiosk's records (scans: {scans}, walk-ins: "
                "{walkins}; first: {first}): run `accueil sync` and try again, or ask the "
                "organisers to check the hub database"
            )
            first = ", ".join(map(str, (missing + missing_regs)[:3]))
            counts = {"scans": len(missing), "walkins": len(missing_regs), "first": first}
            raise PurgeRefused((said, counts))
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
            said = N_("{error}; nothing was deleted, run `accueil purge` again")
            raise PurgeRefused((said, {"error": str(exc)})) from None

    def event_slug(self) -> str:
        event = self.store.event()
        return str(event.slug) if event else ""

    def remember(self, receipt_body: Mapping[str, Any]) -> None:
        """Keep the last receipt's body in the (now empty) store."""
        self.store.set_meta("purge.last", json.dumps(receipt_body))

    def _pending_detail(self) -> dict[str, object]:
        kinds: dict[str, int] = {}
        for item in self.store.pending(PENDING_READ):
            kinds[item.kind] = kinds.get(item.kind, 0) + 1
        return {"scans": kinds.get("scan", 0), "walkins": kinds.get("registration", 0)}

    def _why(self) -> tuple[str, dict[str, object]]:
        failures = self.store.outbox_failures()
        if failures:
            error = failures[-1]["last_error"] or "unknown"
            return N_("Last upload error: {error}."), {"error": error}
        return N_("Connect to the hub (`accueil sync`) and try again."), {}


def _ask(source: HeldConfirmer, nonces: list[str], walkins: list[str]) -> Mapping[str, Any]:
    try:
        return source.confirm_held(nonces, walkins)
    except SourceAuthError as exc:
        said = N_("the hub refused this kiosk's token ({why})")
        raise PurgeRefused((said, {"why": str(exc.status or exc.reason)})) from None
    except SourceError as exc:
        if exc.reason == "not_a_hub" or exc.status is None:
            raise PurgeRefused((N_("{error}; nothing was deleted"), {"error": str(exc)})) from None
        said = N_("the hub answered {status}: {detail}")
        raise PurgeRefused((said, {"status": exc.status, "detail": exc.detail[:200]})) from None
