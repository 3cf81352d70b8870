"""The hub as a RemoteSource for the kiosk's sync engine (httpx)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import httpx

from kiosk.core.ports import OutboxItem
from sync.remote import (
    PullResult,
    PushResult,
    SourceAuthError,
    SourceRejected,
    SourceUnavailable,
    refusal_fields,
    response_detail,
    send,
)
from sync.wire import registration_from_dict, scan_from_dict

_log = logging.getLogger(__name__)
T = TypeVar("T")


class HubSource:
    """Pulls the registration list and other kiosks' scans; uploads this kiosk's outbox."""

    name = "hub"

    def __init__(
        self,
        url: str,
        token: str,
        kiosk_id: str,
        *,
        timeout: float = 5.0,
        page_size: int = 5000,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        self.kiosk_id = kiosk_id
        self.timeout = timeout
        self.page_size = page_size
        self.remaining: int | None = None  # registrations still to pull after the last page
        self.rejected: dict[int, str] = {}  # outbox seq -> why the hub refused it, last push
        self.unreadable = 0  # pulled rows left out since this source was made
        self._checked_identity = False
        self._client = httpx.Client(
            base_url=self.url,
            headers={"Authorization": f"Bearer {token}", "User-Agent": "accueil-kiosk"},
            timeout=timeout,
            transport=transport,
        )

    def close(self) -> None:
        self._client.close()

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        hint = (
            f"ask the organiser for a new one: accueil hub token create {self.kiosk_id}, "
            "then set [hub] token"
        )
        response = send(self._client, "hub", method, path, token_hint=hint, **kwargs)
        if response.status_code >= 400:
            raise SourceRejected(
                f"hub refused the request ({response.status_code}): {response_detail(response)}",
                **refusal_fields("hub", response),
            )
        try:
            return response.json()
        except ValueError:
            raise SourceUnavailable(
                "hub answered with something that is not JSON",
                source="hub",
                status=response.status_code,
            ) from None

    def heartbeat(self, status: dict[str, Any]) -> None:
        """Tell the hub how this kiosk is (pending uploads, printer) for the organiser page.

        Best effort: a hub without the endpoint (404) or a failed call changes nothing.
        """
        try:
            self._call("POST", "/v1/heartbeat", json=status)
        except SourceRejected as exc:
            if exc.status != 404:
                raise

    def confirm_held(self, nonces: Sequence[str], walkins: Sequence[str]) -> dict[str, Any]:
        """Which of this kiosk's scans (by nonce) and walk-ins (by id) the hub holds.

        The hub's answer (``POST /v1/purge/confirm``) as a dict with at least
        ``missing_scans`` and ``missing_registrations`` (lists) and ``scans_held`` (int),
        plus ``kiosk_id``, ``hub_id``, ``last_nonce`` and ``confirmed_at``. Only an explicit,
        complete answer is returned: a proxy page or an older hub that leaves the lists out
        must never read as "nothing missing" (SourceRejected, reason "not_a_hub"). Waits at
        least 30 s (the hub looks up every nonce). Raises the errors of a request.
        """
        answer = self._call(
            "POST",
            "/v1/purge/confirm",
            json={"scans": list(nonces), "registrations": list(walkins)},
            timeout=max(self.timeout, 30.0),
        )
        if not (
            isinstance(answer, dict)
            and isinstance(answer.get("missing_scans"), list)
            and isinstance(answer.get("missing_registrations"), list)
            and isinstance(answer.get("scans_held"), int)
            and answer["scans_held"] >= len(nonces) - len(answer["missing_scans"])
        ):
            raise SourceRejected(
                f"{self.url} did not answer like an Accueil hub confirming this kiosk's scans "
                "(is it the hub?)",
                source="hub",
                status=200,
                reason="not_a_hub",
            )
        return answer

    def check_identity(self) -> None:
        """Refuse to sync under another kiosk's token: its scans would be refused."""
        if self._checked_identity:
            return
        who = self._call("GET", "/v1/whoami")
        if who.get("kiosk_id") != self.kiosk_id:
            raise SourceAuthError(
                f"the [hub] token belongs to kiosk {who.get('kiosk_id')!r} but this kiosk is "
                f"{self.kiosk_id!r} ([kiosk] id); create a token for {self.kiosk_id!r}",
                source="hub",
                reason="token_of_another_kiosk",
            )
        self._checked_identity = True

    def pull(self, cursor: str | None) -> PullResult:
        """One page of changes since cursor (all registrations when None)."""
        self.check_identity()
        params: dict[str, Any] = {"limit": self.page_size}
        if cursor:
            params["cursor"] = cursor
        body = self._call("GET", "/v1/changes", params=params)
        try:
            regs, scans = body["registrations"], body["scans"]
            if not isinstance(regs, list) or not isinstance(scans, list):
                raise TypeError("registrations and scans must be lists")
            result = PullResult(
                registrations=self._readable(registration_from_dict, regs, "registration"),
                scans=self._readable(scan_from_dict, scans, "scan"),
                cursor=str(body["cursor"]),
                more=bool(body["more"]),
            )
            self.remaining = int(body.get("remaining") or 0)
        except (KeyError, TypeError, ValueError) as exc:
            raise SourceUnavailable(
                f"hub sent a page this kiosk cannot read: {exc!r}", source="hub"
            ) from None
        return result

    def _readable(self, parse: Callable[[Any], T], rows: list[Any], what: str) -> list[T]:
        """The rows this kiosk can use; one it cannot (a value no kiosk writes, stored by a
        hub that did not check it) is logged and counted in ``unreadable``, never fatal."""
        found = []
        for row in rows:
            try:
                found.append(parse(row))
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                self.unreadable += 1
                key = row.get("nonce") or row.get("id") if isinstance(row, dict) else None
                _log.warning("hub %s %r left out: %s", what, str(key)[:100], exc)
        return found

    def push(self, items: Sequence[OutboxItem]) -> PushResult:
        """Upload outbox items; the hub holds every acknowledged one (re-sending is harmless)."""
        self.check_identity()
        self.rejected = {}
        wire: list[dict[str, Any]] = []
        seq_of: dict[tuple[str, str], int] = {}
        for item in items:
            try:
                data = json.loads(item.payload)
            except ValueError as exc:
                self.rejected[item.seq] = f"unreadable outbox payload: {exc}"
                continue
            wire.append({"kind": item.kind, "key": item.key, "data": data})
            seq_of[(item.kind, item.key)] = item.seq
        if not wire:
            return PushResult()
        answer = self._call("POST", "/v1/upload", json={"items": wire})
        acked = set(answer.get("acknowledged", []))
        refused = {r["key"]: r["error"] for r in answer.get("rejected", [])}
        acknowledged = []
        for (_kind, key), seq in seq_of.items():
            if key in refused:
                self.rejected[seq] = refused[key]
            elif key in acked:
                acknowledged.append(seq)
        return PushResult(acknowledged=acknowledged, conflicts=list(answer.get("conflicts", [])))
