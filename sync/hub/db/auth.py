"""Kiosk tokens: create, revoke, look up (only each token's SHA-256 is stored)."""

from __future__ import annotations

import re
import secrets
from typing import Any

from sqlalchemy import (
    func,
    select,
    update,
)

from sync.hub.db.base import TOKEN_QUERY, Database, HubError, hash_token, now_text
from sync.hub.db.schema import kiosks, scans

_KIOSK_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class AuthStore(Database):
    """Which kiosk a bearer token belongs to, and the kiosks' tokens."""

    def create_token(self, kiosk_id: str) -> str:
        """A new token for the kiosk (replacing any earlier one); only its hash is stored."""
        if not _KIOSK_ID.match(kiosk_id):
            raise HubError(f"kiosk id {kiosk_id!r}: expected 1-64 letters, digits, - or _")
        token = "acc_" + secrets.token_urlsafe(32)
        row = {
            "kiosk_id": kiosk_id,
            "token_hash": hash_token(token),
            "created_at": now_text(),
            "revoked_at": None,
        }
        ins = self._insert(kiosks)
        with self._writing() as conn:
            conn.execute(
                ins.on_conflict_do_update(
                    index_elements=["kiosk_id"],
                    set_={
                        "token_hash": ins.excluded.token_hash,
                        "created_at": ins.excluded.created_at,
                        "revoked_at": None,
                    },
                ),
                row,
            )
        return token

    def revoke_token(self, kiosk_id: str) -> bool:
        """Revoke the kiosk's token; False when it had no live token."""
        with self._writing() as conn:
            result = conn.execute(
                update(kiosks)
                .where(kiosks.c.kiosk_id == kiosk_id, kiosks.c.token_hash.is_not(None))
                .values(token_hash=None, revoked_at=now_text())
            )
            return bool(result.rowcount)

    def kiosk_for_token(self, token: str) -> str | None:
        with self._reading() as conn:
            row = self._token_row(conn, token, TOKEN_QUERY)
        return None if row is None else str(row.kiosk_id)

    def kiosks(self) -> list[dict[str, Any]]:
        with self._reading() as conn:
            uploaded = {
                r[0]: r[1]
                for r in conn.execute(
                    select(scans.c.kiosk_id, func.count()).group_by(scans.c.kiosk_id)
                ).all()
            }
            rows = conn.execute(select(kiosks).order_by(kiosks.c.kiosk_id)).all()
        return [
            {
                "kiosk_id": r.kiosk_id,
                "active": r.token_hash is not None,
                "created_at": r.created_at,
                "revoked_at": r.revoked_at,
                "scans": int(uploaded.get(r.kiosk_id, 0)),
            }
            for r in rows
        ]
