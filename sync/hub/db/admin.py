"""What the organisers do: import registrations (codes indexed, clashes refused), publish
the event, and read reports (scans, conflicts, counts, kiosk activity)."""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import (
    Connection,
    Table,
    func,
    select,
)

from kiosk.core.codes import CodeClash, CodeClashError, code_clashes
from kiosk.core.model import Registration
from sync.hub.db.base import Database, hash_token, now_text
from sync.hub.db.schema import conflicts, hub_meta, kiosks, registration_codes, registrations, scans
from sync.wire import (
    registration_from_dict,
    registration_to_dict,
    scan_from_dict,
)

_log = logging.getLogger(__name__)
# The published event's text (read with a kiosk's token before an upload, sync.hub.db.sync).
EVENT_QUERY = select(hub_meta.c.value).where(hub_meta.c.key == "event")


class AdminStore(Database):
    """Registrations as the organisers import them, the event definition, and reports."""

    def import_registrations(
        self,
        regs: Iterable[Registration],
        origin: str = "import",
        *,
        allow_shared_codes: bool = False,
    ) -> int:
        """Insert or update by id; returns how many changed (unchanged rows keep their rev).

        Raises CodeClashError, writing nothing, when a code would belong to a second
        registration (``kiosk.core.codes``), checked inside the writing transaction.
        ``allow_shared_codes`` skips the check: only for tests that need the door's
        ``ambiguous`` answer.
        """
        latest: dict[str, Registration] = {r.id: r for r in regs}
        with self._writing() as conn:
            clashes = [] if allow_shared_codes else self._code_clashes(conn, list(latest.values()))
            if clashes:
                raise CodeClashError(clashes)
            return self._upsert_registrations(conn, list(latest.values()), origin)

    def code_clashes(self, regs: Sequence[Registration]) -> list[CodeClash]:
        """Codes of ``regs`` already held by another registration on the hub, or shared
        inside ``regs``; nothing is written. For imports and for kiosks' walk-in uploads."""
        with self._reading(streaming=True) as conn:
            return self._code_clashes(conn, regs)

    def _code_clashes(self, conn: Connection, regs: Sequence[Registration]) -> list[CodeClash]:
        wanted = {code for reg in regs for code in reg.codes}
        owners: dict[str, list[str]] = defaultdict(list)
        if wanted:
            # codes live inside each row's JSON; one pass over the table, streamed
            result = conn.execute(
                select(registrations.c.id, registrations.c.data).execution_options(yield_per=5000)
            )
            for row in result:
                for code in json.loads(row.data).get("codes") or ():
                    if code in wanted:
                        owners[code].append(row.id)
        # a hub row is replaced whole, so every incoming registration gives up its old codes
        return code_clashes(regs, owners, releasing={reg.id for reg in regs})

    def _upsert_registrations(
        self, conn: Connection, regs: Sequence[Registration], origin: str
    ) -> int:
        if not regs:
            return 0
        base = int(conn.scalar(select(func.coalesce(func.max(registrations.c.rev), 0))) or 0)
        stamp = now_text()
        rows = [
            {
                "id": reg.id,
                "rev": base + i,
                "status": reg.status.value,
                "origin": origin,
                "data": _registration_json(reg),
                "updated_at": stamp,
            }
            for i, reg in enumerate(regs, start=1)
        ]
        ins = self._insert(registrations)
        stmt = ins.on_conflict_do_update(
            index_elements=["id"],
            set_={
                "rev": ins.excluded.rev,
                "status": ins.excluded.status,
                "data": ins.excluded.data,
                "updated_at": ins.excluded.updated_at,
            },
            where=registrations.c.data != ins.excluded.data,
        )
        for start in range(0, len(rows), 5000):
            conn.execute(stmt, rows[start : start + 5000])
        return self._index_codes(conn, base)

    def _index_codes(self, conn: Connection, base: int | None) -> int:
        """Re-index the codes of the registrations changed after rev ``base`` (None: all);
        returns how many changed."""
        where = [] if base is None else [registrations.c.rev > base]
        changed = conn.execute(select(registrations.c.id, registrations.c.data).where(*where)).all()
        ids = [r.id for r in changed]
        for start in range(0, len(ids), 500):
            conn.execute(
                registration_codes.delete().where(
                    registration_codes.c.registration_id.in_(ids[start : start + 500])
                )
            )
        rows = {
            (hash_token(str(code)), r.id): None
            for r in changed
            for code in json.loads(r.data).get("codes") or ()
        }
        values = [{"code_hash": h, "registration_id": i} for h, i in rows]
        for start in range(0, len(values), 5000):
            conn.execute(registration_codes.insert(), values[start : start + 5000])
        return len(changed)

    def holders(self, conn: Connection, codes: Iterable[str]) -> dict[str, set[str]]:
        """code -> the ids of the registrations that hold it."""
        by_hash = {hash_token(c): c for c in codes}
        found: dict[str, set[str]] = defaultdict(set)
        hashes = list(by_hash)
        for start in range(0, len(hashes), 500):
            for row in conn.execute(
                select(registration_codes.c.code_hash, registration_codes.c.registration_id).where(
                    registration_codes.c.code_hash.in_(hashes[start : start + 500])
                )
            ):
                found[by_hash[row.code_hash]].add(row.registration_id)
        return found

    def count_registrations(self) -> int:
        with self._reading() as conn:
            return int(conn.scalar(select(func.count()).select_from(registrations)) or 0)

    def registration(self, registration_id: str) -> dict[str, Any] | None:
        with self._reading() as conn:
            data = conn.scalar(
                select(registrations.c.data).where(registrations.c.id == registration_id)
            )
        return json.loads(data) if data else None

    # -- reports ----------------------------------------------------------------------

    def conflicts(self) -> list[dict[str, Any]]:
        with self._reading() as conn:
            rows = conn.execute(select(conflicts).order_by(conflicts.c.id)).mappings().all()
        return [dict(r) for r in rows]

    def scans(self, since: int = 0, limit: int = 10000) -> list[dict[str, Any]]:
        """Every readable uploaded scan after hub sequence ``since``, with who uploaded it and
        when. A stored row no kiosk could have made (see ``unreadable_scans``) is left out, so
        reports and the organiser page never stop on it."""
        found: list[dict[str, Any]] = []
        for _ in range(10_000):  # pages until ``limit`` readable rows or the end
            want = limit - len(found)
            with self._reading() as conn:
                rows = conn.execute(
                    select(scans.c.seq, scans.c.uploaded_by, scans.c.received_at, scans.c.data)
                    .where(scans.c.seq > since)
                    .order_by(scans.c.seq)
                    .limit(want)
                ).all()
            for r in rows:
                row = _readable_scan(r.data)
                if row is not None:
                    found.append(
                        {**row, "seq": r.seq, "uploaded_by": r.uploaded_by,
                         "received_at": r.received_at}
                    )  # fmt: skip
            if len(rows) < want or len(found) >= limit:
                break
            since = rows[-1].seq
        return found

    def unreadable_scans(self, limit: int = 1000) -> list[dict[str, Any]]:
        """Stored scans that reports leave out (stored before the hub validated uploads):
        ``{"seq", "nonce", "kiosk_id", "error"}``, for the organisers to look at."""
        bad: list[dict[str, Any]] = []
        since = 0
        for _ in range(10_000):
            with self._reading() as conn:
                rows = conn.execute(
                    select(scans.c.seq, scans.c.nonce, scans.c.kiosk_id, scans.c.data)
                    .where(scans.c.seq > since)
                    .order_by(scans.c.seq)
                    .limit(10_000)
                ).all()
            for r in rows:
                try:
                    scan_from_dict(json.loads(r.data))
                except (KeyError, ValueError, TypeError) as exc:
                    bad.append({"seq": r.seq, "nonce": r.nonce, "kiosk_id": r.kiosk_id,
                                "error": f"{type(exc).__name__}: {exc}"[:300]})  # fmt: skip
            if len(rows) < 10_000 or len(bad) >= limit:
                break
            since = rows[-1].seq
        return bad[:limit]

    def stats(self) -> dict[str, Any]:
        with self._reading() as conn:

            def count(table: Table, *where: Any) -> int:
                return int(conn.scalar(select(func.count()).select_from(table).where(*where)) or 0)

            return {
                "hub_id": self.hub_id,
                "registrations": count(registrations),
                "cancelled": count(registrations, registrations.c.status == "cancelled"),
                "walkins": count(registrations, registrations.c.origin != "import"),
                "scans": count(scans),
                "accepted": count(scans, scans.c.accepted.is_(True)),
                "conflicts": count(conflicts),
                "kiosks": count(kiosks, kiosks.c.token_hash.is_not(None)),
            }

    # -- reports and dashboard --------------------------------------------------------

    def report_registrations(self) -> list[dict[str, Any]]:
        """Every readable registration (registration_to_dict form), walk-ins included, for
        reports; an unreadable stored row is logged and left out."""
        with self._reading() as conn:
            rows = conn.execute(
                select(registrations.c.id, registrations.c.data).order_by(registrations.c.id)
            ).all()
        found = []
        for r in rows:
            data = json.loads(r.data)
            try:
                registration_from_dict(data)
            except (KeyError, ValueError, TypeError) as exc:
                _log.warning("hub registration %r left out of reports: %s", r.id, exc)
                continue
            found.append(data)
        return found

    def kiosk_activity(self) -> dict[str, dict[str, Any]]:
        """Per kiosk: scans held, last upload received, last door time, last scan's nonce."""
        with self._reading() as conn:
            rows = conn.execute(
                select(
                    scans.c.kiosk_id,
                    func.count().label("n"),
                    func.max(scans.c.received_at).label("received"),
                    func.max(scans.c.at).label("at"),
                    func.max(scans.c.seq).label("seq"),
                ).group_by(scans.c.kiosk_id)
            ).all()
            last = {
                r.kiosk_id: r.nonce
                for r in conn.execute(
                    select(scans.c.kiosk_id, scans.c.nonce).where(
                        scans.c.seq.in_([row.seq for row in rows])
                    )
                ).all()
            }
        return {
            r.kiosk_id: {
                "scans": int(r.n),
                "last_received_at": r.received,
                "last_at": r.at,
                "last_nonce": last.get(r.kiosk_id),
            }
            for r in rows
        }

    def heartbeats(self) -> dict[str, dict[str, Any]]:
        with self._reading() as conn:
            rows = conn.execute(select(hub_meta.c.value).where(hub_meta.c.key.like("hb:%"))).all()
        beats = [json.loads(r.value) for r in rows]
        return {str(b["kiosk_id"]): b for b in beats}

    def set_event_definition(self, data: dict[str, Any]) -> None:
        """Publish the event and its sessions (sync.reports.event_to_dict form)."""
        self._put_meta("event", json.dumps(data, ensure_ascii=False))

    def event_definition(self) -> dict[str, Any] | None:
        with self._reading() as conn:
            value = conn.scalar(EVENT_QUERY)
        return json.loads(value) if value else None


def _registration_json(reg: Registration) -> str:
    return json.dumps(registration_to_dict(reg), ensure_ascii=False, sort_keys=True)


def _readable_scan(data: str) -> dict[str, Any] | None:
    row: dict[str, Any] = json.loads(data)
    try:
        scan_from_dict(row)
    except (KeyError, ValueError, TypeError) as exc:
        _log.warning("hub scan %r left out of reports: %s", row.get("nonce"), exc)
        return None
    return row
