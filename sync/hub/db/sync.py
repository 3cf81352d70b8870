"""What kiosks do: pull changes by cursor, upload scans and walk-ins (idempotent by nonce
and id), with offline double check-ins detected as conflicts, and the purge confirmation."""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Connection,
    func,
    or_,
    select,
)

from kiosk.core.model import Registration, Scan, ScanKind
from sync.hub.db.admin import AdminStore
from sync.hub.db.base import HubError, now_text
from sync.hub.db.schema import conflicts, registrations, scans
from sync.hub.group_commit import GroupCommitter
from sync.hub.models import EventWindow, read_scan, read_walkin, refusal
from sync.wire import (
    scan_to_dict,
)

_log = logging.getLogger(__name__)
_WALKIN_SUFFIX = re.compile(r"^[A-Za-z0-9_]{1,64}$")


@dataclass(frozen=True, slots=True)
class _Upload:
    """One kiosk's validated upload, waiting for its transaction."""

    kiosk_id: str
    batch: dict[str, tuple[str, Scan]]  # nonce -> (item key, scan)
    walkins: dict[str, tuple[str, Registration]]  # id -> (item key, registration)
    stamp: str


@dataclass(frozen=True, slots=True)
class _Stored:
    walkins: list[tuple[str, str]]  # (key, error or "")
    stored: dict[str, Scan]  # nonces the hub holds exactly as sent
    conflicts: list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class PullPage:
    """One page of ``changes``: the ``ChangesPage`` fields, rows as stored JSON texts."""

    hub: str
    cursor: str
    more: bool
    reset: bool
    remaining: int
    registrations: list[str]  # registration_to_dict JSON, one object each
    scans: list[str]  # scan_to_dict JSON, one object each


@dataclass(frozen=True, slots=True)
class UploadOutcome:
    acknowledged: list[str]  # keys (scan nonces, registration ids) the hub now holds
    rejected: list[dict[str, str]]  # {"key", "error"}: items that will never be accepted
    conflicts: list[dict[str, Any]]  # conflicts involving a scan of this batch


class SyncStore(AdminStore):
    """Pulls, uploads and conflicts (walk-ins are stored as registrations, ``AdminStore``)."""

    _committer: GroupCommitter | None  # set by HubDB: uploads waiting together commit once

    # -- the kiosk's pull -------------------------------------------------------------

    def cursor(self, rev: int, seq: int, own_until: int = 0) -> str:
        """``own_until``: a full pull in progress serves the kiosk's own scans up to there."""
        base = f"v1.{self.hub_id}.{rev}.{seq}"
        return f"{base}.{own_until}" if own_until > seq else base

    def _parse_cursor(self, cursor: str | None) -> tuple[int, int, int | None, bool]:
        """(rev, seq, own_until, reset); a cursor from another hub database starts over.

        ``own_until`` is None on a full pull (no cursor, or another hub's): its first page
        fixes it at the newest scan, so a replacement kiosk with the same id gets back the
        scans its predecessor uploaded.
        """
        if not cursor:
            return 0, 0, None, False
        parts = cursor.split(".")
        if (
            len(parts) not in (4, 5)
            or parts[0] != "v1"
            or not all(p.isascii() and p.isdigit() and len(p) <= 18 for p in parts[2:])
        ):
            raise HubError(f"cursor {cursor!r} is not a hub cursor")
        if parts[1] != self.hub_id:
            return 0, 0, None, True
        own_until = int(parts[4]) if len(parts) == 5 else 0
        return int(parts[2]), int(parts[3]), own_until, False

    def changes(self, cursor: str | None, kiosk_id: str, limit: int = 5000) -> PullPage:
        """One page of a pull: registrations changed and other kiosks' scans since cursor
        (on a full pull this kiosk's own scans too: it may be a replacement with an empty log).

        The rows come as their stored JSON texts, parsed by nobody: a full pull of 100,000
        registrations is spliced into the answer as is (``sync.hub.routers.kiosk``).
        Raises HubError for a cursor that is not a hub cursor.
        """
        rev0, seq0, own_until, reset = self._parse_cursor(cursor)
        limit = max(1, min(limit, 20000))
        with self._reading() as conn:
            # The maxima first: every number up to them is committed (see the module doc).
            max_rev = int(conn.scalar(select(func.coalesce(func.max(registrations.c.rev), 0))) or 0)
            max_seq = int(conn.scalar(select(func.coalesce(func.max(scans.c.seq), 0))) or 0)
            if own_until is None:
                own_until = max_seq
            reg_rows = conn.execute(
                select(registrations.c.rev, registrations.c.id, registrations.c.origin,
                       registrations.c.data)
                .where(registrations.c.rev > rev0, registrations.c.rev <= max_rev)
                .order_by(registrations.c.rev)
                .limit(limit)
            ).all()  # fmt: skip
            reg_data = self._without_claimed_codes(conn, reg_rows)
            scan_rows = conn.execute(
                select(scans.c.seq, scans.c.data)
                .where(
                    scans.c.seq > seq0,
                    scans.c.seq <= max_seq,
                    or_(scans.c.kiosk_id != kiosk_id, scans.c.seq <= own_until),
                )
                .order_by(scans.c.seq)
                .limit(limit)
            ).all()
            more_regs = len(reg_rows) == limit
            more_scans = len(scan_rows) == limit
            rev = reg_rows[-1].rev if more_regs else max_rev
            seq = scan_rows[-1].seq if more_scans else max_seq
            remaining = 0
            if more_regs:
                remaining = int(
                    conn.scalar(
                        select(func.count()).where(
                            registrations.c.rev > rev, registrations.c.rev <= max_rev
                        )
                    )
                    or 0
                )
        return PullPage(
            hub=self.hub_id,
            cursor=self.cursor(rev, seq, own_until),
            more=more_regs or more_scans,
            reset=reset,
            remaining=remaining,
            registrations=reg_data,
            scans=[r.data for r in scan_rows],
        )

    def _without_claimed_codes(self, conn: Connection, rows: Sequence[Any]) -> list[str]:
        """The registrations' JSON, walk-ins without a code another registration holds.

        Uploads refuse such codes; this covers walk-ins stored before they did, and a code
        an import later gave to someone else: one kiosk's walk-in must not make every kiosk
        answer "ambiguous" for a registered person. Walk-ins are few: imports pass as is.
        """
        walkins = {r.id: json.loads(r.data) for r in rows if r.origin != "import"}
        if not walkins:
            return [r.data for r in rows]
        holders = self.holders(
            conn, {str(c) for d in walkins.values() for c in d.get("codes") or ()}
        )
        out = []
        for r in rows:
            data = walkins.get(r.id)
            if data is None:
                out.append(r.data)
                continue
            codes = [str(c) for c in data.get("codes") or ()]
            kept = [c for c in codes if holders.get(c, {r.id}) <= {r.id}]
            if kept != codes:
                _log.warning("walk-in %r: codes held by other registrations not sent", r.id)
                data = {**data, "codes": kept}
                out.append(json.dumps(data, ensure_ascii=False, sort_keys=True))
            else:
                out.append(r.data)
        return out

    # -- the kiosk's upload -----------------------------------------------------------

    def upload(self, kiosk_id: str, items: Sequence[dict[str, Any]]) -> UploadOutcome:
        """Store a batch of scans and walk-ins; idempotent by scan nonce and registration id.

        Each item is validated on its own (``sync.hub.models``) against the published event:
        a bad one is refused with its reason, the rest are stored. A nonce that already holds
        a different scan (another kiosk's) is refused, never acknowledged.
        """
        window = EventWindow.of(self.event_definition())
        acknowledged: list[str] = []
        rejected: list[dict[str, str]] = []
        batch: dict[str, tuple[str, Scan]] = {}
        walkins: dict[str, tuple[str, Registration]] = {}
        for item in items:
            key = str(item.get("key", ""))[:200]
            try:
                data = item["data"]
                if item.get("kind") == "scan":
                    scan = read_scan(data, window)
                    if scan.kiosk_id != kiosk_id:
                        raise ValueError(
                            f"made at kiosk {scan.kiosk_id!r}, but this token is {kiosk_id!r}"
                        )
                    batch[scan.nonce] = (key or scan.nonce, scan)
                elif item.get("kind") == "registration":
                    reg = read_walkin(data, window)
                    if not walkin_id_of(reg.id, kiosk_id):
                        raise ValueError(
                            f"walk-in id {reg.id!r} is not one kiosk {kiosk_id!r} makes "
                            f"(W-{kiosk_id}-…); the organisers import other registrations"
                        )
                    walkins[reg.id] = (key or reg.id, reg)
                else:
                    raise ValueError(f"unknown kind {str(item.get('kind'))[:40]!r}")
            except (KeyError, ValueError, TypeError) as exc:
                rejected.append({"key": key, "error": refusal(exc)})
        stamp = now_text()

        upload = _Upload(kiosk_id, batch, walkins, stamp)
        if self._committer is not None:  # shares a transaction with the uploads beside it
            done: _Stored = self._committer.submit_item(upload).result(60)
        else:
            with self._writing() as conn:
                (done,) = self._store_uploads(conn, [upload])
        walkin_outcomes, stored, found = done.walkins, done.stored, done.conflicts
        for reg_key, error in walkin_outcomes:
            if error:
                rejected.append({"key": reg_key, "error": error})
            else:
                acknowledged.append(reg_key)
        for nonce, (scan_key, _) in batch.items():
            if nonce in stored:
                acknowledged.append(scan_key)
            else:
                rejected.append({"key": scan_key, "error": stored_elsewhere(nonce)})
        return UploadOutcome(acknowledged, rejected, found)

    def _insert_scans(
        self, conn: Connection, uploads: Sequence[tuple[str, dict[str, tuple[str, Scan]], str]]
    ) -> list[dict[str, Scan]]:
        """Insert the new nonces of several uploads ``(kiosk id, batch, stamp)`` with one
        query and one insert; per upload, the scans the hub now holds exactly as sent (new
        ones and re-sent ones). A nonce held by a different scan is left out, including one
        another upload of the same transaction took first."""
        nonces = list({n for _, batch, _ in uploads for n in batch})
        held: dict[str, Any] = {}
        for start in range(0, len(nonces), 500):
            held.update(
                (r.nonce, json.loads(r.data))
                for r in conn.execute(
                    select(scans.c.nonce, scans.c.data).where(
                        scans.c.nonce.in_(nonces[start : start + 500])
                    )
                )
            )
        rows: list[dict[str, Any]] = []
        answers: list[dict[str, Scan]] = []
        for kiosk_id, batch, stamp in uploads:
            stored: dict[str, Scan] = {}
            for nonce, (_, scan) in batch.items():
                if nonce not in held:
                    row = _scan_row(scan, kiosk_id, stamp)
                    rows.append(row)
                    held[nonce] = json.loads(row["data"])
                    stored[nonce] = scan
                elif held[nonce] == json.loads(_scan_json(scan)):
                    stored[nonce] = scan
            answers.append(stored)
        for start in range(0, len(rows), 5000):
            conn.execute(self._insert(scans), rows[start : start + 5000])
        return answers

    def _store_uploads(self, conn: Connection, uploads: Sequence[_Upload]) -> list[_Stored]:
        """Walk-ins, scans and conflict detection of several uploads in one transaction:
        one nonce query, one insert and one conflict query for all of them."""
        walkin_answers = [
            self._insert_walkins(conn, u.kiosk_id, u.walkins.values()) if u.walkins else []
            for u in uploads
        ]
        stored = self._insert_scans(conn, [(u.kiosk_id, u.batch, u.stamp) for u in uploads])
        unique = {n: scan for held in stored for n, scan in held.items()}
        found = self._detect_conflicts(conn, list(unique.values()), uploads[0].stamp)
        return [
            _Stored(
                walkins,
                held,
                [c for c in found if c["first_nonce"] in held or c["second_nonce"] in held],
            )
            for walkins, held in zip(walkin_answers, stored, strict=True)
        ]

    def _insert_walkins(
        self, conn: Connection, kiosk_id: str, walkins: Iterable[tuple[str, Registration]]
    ) -> list[tuple[str, str]]:
        """(key, error) per walk-in: new ids are inserted; a re-sent one changes nothing (an
        organiser may have edited it since); an id held by another origin is refused, and so
        is a new walk-in with a code another registration holds (every kiosk would then
        answer "ambiguous" for that person)."""
        pending = list(walkins)
        ids = [reg.id for _, reg in pending]
        origins: dict[str, str] = {}
        for start in range(0, len(ids), 500):
            origins.update(
                (row.id, row.origin)
                for row in conn.execute(
                    select(registrations.c.id, registrations.c.origin).where(
                        registrations.c.id.in_(ids[start : start + 500])
                    )
                )
            )
        holders = self.holders(conn, {c for _, reg in pending for c in reg.codes})
        answers: list[tuple[str, str]] = []
        fresh: list[Registration] = []
        for key, reg in pending:
            error = ""
            if origins.get(reg.id, kiosk_id) != kiosk_id:
                error = f"registration {reg.id!r} exists already and was not made at {kiosk_id!r}"
            elif reg.id not in origins:
                claimed = sorted({h for c in reg.codes for h in holders.get(c, ()) if h != reg.id})
                if claimed:
                    error = (
                        f"walk-in {reg.id!r}: its code belongs to registration {claimed[0]!r}; "
                        "a kiosk gives walk-ins new codes only"
                    )
                else:
                    fresh.append(reg)
                    for code in reg.codes:  # two walk-ins of one batch with one code
                        holders.setdefault(code, set()).add(reg.id)
            answers.append((key, error))
        self._upsert_registrations(conn, fresh, kiosk_id)
        return answers

    def _detect_conflicts(
        self, conn: Connection, batch: Sequence[Scan], stamp: str
    ) -> list[dict[str, Any]]:
        """Entries accepted while the person was already inside that day, at another kiosk or
        at the same one (a replacement kiosk that had not pulled yet); overrides and undone
        entries are not conflicts."""
        reg_ids = sorted(
            {
                s.registration_id
                for s in batch
                if s.accepted and s.kind is ScanKind.ENTRY and s.registration_id
            }
        )
        if not reg_ids:
            return []
        batch_nonces = {s.nonce for s in batch}
        cols = (
            scans.c.nonce,
            scans.c.kiosk_id,
            scans.c.at,
            scans.c.day,
            scans.c.registration_id,
            scans.c.kind,
            scans.c.forced,
            scans.c.code,
        )
        timeline: dict[tuple[str, int | None], list[Any]] = defaultdict(list)
        undone: set[str] = set()
        for start in range(0, len(reg_ids), 500):
            rows = conn.execute(
                select(*cols).where(
                    scans.c.registration_id.in_(reg_ids[start : start + 500]),
                    scans.c.accepted.is_(True),
                    scans.c.kind.in_(("entry", "exit", "undo")),
                )
            ).all()
            for r in rows:
                if r.kind == "undo":
                    undone.add(r.code)
                else:
                    timeline[(r.registration_id, r.day)].append(r)
        found: list[dict[str, Any]] = []
        for (reg_id, day), moves in timeline.items():
            inside = None
            for move in sorted(moves, key=lambda m: (m.at, m.nonce)):
                if move.nonce in undone:
                    continue
                if move.kind == "exit":
                    inside = None
                elif inside is None:
                    inside = move
                elif not move.forced:
                    found.append(
                        {
                            "registration_id": reg_id,
                            "day": day,
                            "first_nonce": inside.nonce,
                            "first_kiosk": inside.kiosk_id,
                            "first_at": inside.at,
                            "second_nonce": move.nonce,
                            "second_kiosk": move.kiosk_id,
                            "second_at": move.at,
                            "detected_at": stamp,
                        }
                    )
        if found:
            stmt = self._insert(conflicts).on_conflict_do_nothing(
                index_elements=["first_nonce", "second_nonce"]
            )
            conn.execute(stmt, found)
        return [
            {k: v for k, v in c.items() if k != "detected_at"}
            for c in found
            if c["first_nonce"] in batch_nonces or c["second_nonce"] in batch_nonces
        ]

    def record_heartbeat(self, kiosk_id: str, report: dict[str, Any]) -> None:
        """Keep the latest state a kiosk reported (pending uploads, printer…), with the time."""
        value = json.dumps({**report, "kiosk_id": kiosk_id, "received_at": now_text()})
        self._put_meta(_heartbeat_key(kiosk_id), value)

    def confirm_kiosk(
        self, kiosk_id: str, nonces: Sequence[str], registration_ids: Sequence[str]
    ) -> dict[str, Any]:
        """Which of a kiosk's scan nonces and walk-in ids the hub holds (before a purge)."""
        wanted = list(dict.fromkeys(nonces))
        walkins = list(dict.fromkeys(registration_ids))
        held: set[str] = set()
        regs: set[str] = set()
        with self._reading() as conn:
            for start in range(0, len(wanted), 500):
                held.update(
                    conn.scalars(
                        select(scans.c.nonce).where(
                            scans.c.nonce.in_(wanted[start : start + 500]),
                            scans.c.kiosk_id == kiosk_id,
                        )
                    ).all()
                )
            for start in range(0, len(walkins), 500):
                regs.update(
                    conn.scalars(
                        select(registrations.c.id).where(
                            registrations.c.id.in_(walkins[start : start + 500])
                        )
                    ).all()
                )
            total = int(conn.scalar(select(func.count()).where(scans.c.kiosk_id == kiosk_id)) or 0)
            last = conn.scalar(
                select(scans.c.nonce)
                .where(scans.c.kiosk_id == kiosk_id)
                .order_by(scans.c.seq.desc())
                .limit(1)
            )
        return {
            "kiosk_id": kiosk_id,
            "hub_id": self.hub_id,
            "scans_held": total,
            "last_nonce": last,
            "missing_scans": [n for n in wanted if n not in held],
            "missing_registrations": [r for r in walkins if r not in regs],
            "confirmed_at": now_text(),
        }


def walkin_id_of(registration_id: str, kiosk_id: str) -> bool:
    """True for the ids kiosk ``kiosk_id`` gives its walk-ins: ``W-<kiosk id>-<suffix>``.

    The suffix has no dash, so no other kiosk's prefix can match it.
    """
    suffix = registration_id.removeprefix(f"W-{kiosk_id}-")
    return suffix != registration_id and bool(_WALKIN_SUFFIX.match(suffix))


def _heartbeat_key(kiosk_id: str) -> str:
    """hub_meta keys hold 64 characters: long kiosk ids are hashed (the value names the kiosk)."""
    key = f"hb:{kiosk_id}"
    return key if len(key) <= 64 else "hb:#" + hashlib.sha256(kiosk_id.encode()).hexdigest()[:40]


def stored_elsewhere(nonce: str) -> str:
    return (
        f"nonce conflict: the hub already holds a different scan under nonce {nonce!r} "
        "(made at another kiosk or changed since); this one was not stored"
    )


def _scan_json(scan: Scan) -> str:
    return json.dumps(scan_to_dict(scan), ensure_ascii=False)


def _scan_row(scan: Scan, uploaded_by: str, stamp: str) -> dict[str, Any]:
    data = scan_to_dict(scan)
    return {
        "nonce": scan.nonce,
        "kiosk_id": scan.kiosk_id,
        "uploaded_by": uploaded_by,
        "at": data["at"],
        "day": scan.day,
        "registration_id": scan.registration_id,
        "kind": scan.kind.value,
        "accepted": scan.accepted,
        "forced": scan.forced,
        "code": scan.code,
        "data": _scan_json(scan),
        "received_at": stamp,
    }
