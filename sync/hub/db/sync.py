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
    bindparam,
    func,
    literal_column,
    or_,
    select,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by

from kiosk.core.model import Registration, Scan, ScanKind
from sync.hub.db.admin import EVENT_QUERY, AdminStore
from sync.hub.db.base import TOKEN_QUERY, HubError, now_text
from sync.hub.db.schema import conflicts, registrations, scans
from sync.hub.group_commit import GroupCommitter
from sync.hub.models import EventWindow, read_scan, read_walkin, refusal
from sync.wire import (
    scan_to_dict,
)

_log = logging.getLogger(__name__)
_WALKIN_SUFFIX = re.compile(r"^[A-Za-z0-9_]{1,64}$")

# The newest registration revision and scan number, read before a pull's rows.
_MAX_REV = select(func.coalesce(func.max(registrations.c.rev), 0)).scalar_subquery()
_MAX_SEQ = select(func.coalesce(func.max(scans.c.seq), 0)).scalar_subquery()
_MAXIMA = select(_MAX_REV, _MAX_SEQ)
# A live token's kiosk with what its request reads first, in one statement: the published
# event for an upload, the maxima for a pull. Built once, like every statement below
# (``sync.hub.db.base.TOKEN_QUERY``).
_TOKEN_AND_EVENT = TOKEN_QUERY.add_columns(EVENT_QUERY.scalar_subquery().label("event"))
_TOKEN_AND_MAXIMA = TOKEN_QUERY.add_columns(_MAX_REV.label("max_rev"), _MAX_SEQ.label("max_seq"))
_PULL_REGISTRATIONS = (
    select(registrations.c.rev, registrations.c.id, registrations.c.origin, registrations.c.data)
    .where(registrations.c.rev > bindparam("rev0"), registrations.c.rev <= bindparam("max_rev"))
    .order_by(registrations.c.rev)
    .limit(bindparam("limit"))
)
# The scans of a pull, after the kiosk's cursor, up to the maxima read first, in number order;
# on PostgreSQL also as one row (count, last seq, the stored JSON joined by commas).
_PULL_PAGE = (
    select(scans.c.seq, scans.c.data)
    .where(
        scans.c.seq > bindparam("seq0"),
        scans.c.seq <= bindparam("max_seq"),
        or_(scans.c.kiosk_id != bindparam("kiosk"), scans.c.seq <= bindparam("own_until")),
    )
    .order_by(scans.c.seq)
    .limit(bindparam("limit"))
    .subquery("page")
)
_PULL_SCANS_JOINED = select(
    func.count(),
    func.max(_PULL_PAGE.c.seq),
    func.string_agg(_PULL_PAGE.c.data, aggregate_order_by(literal_column("','"), _PULL_PAGE.c.seq)),
)
_PULL_SCANS = select(_PULL_PAGE.c.seq, _PULL_PAGE.c.data).order_by(_PULL_PAGE.c.seq)


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
    """One page of ``changes``: the ``ChangesPage`` fields, rows as stored JSON texts.

    ``scans`` joined by commas is the content of the page's ``scans`` array: one text per
    scan on SQLite; on PostgreSQL the database joins the page itself, one text for all
    (none for an empty page)."""

    hub: str
    cursor: str
    more: bool
    reset: bool
    remaining: int
    registrations: list[str]  # registration_to_dict JSON, one object each
    scans: list[str]  # scan_to_dict JSON objects, one per text or comma-joined (see above)


@dataclass(frozen=True, slots=True)
class UploadOutcome:
    acknowledged: list[str]  # keys (scan nonces, registration ids) the hub now holds
    rejected: list[dict[str, str]]  # {"key", "error"}: items that will never be accepted
    conflicts: list[dict[str, Any]]  # conflicts involving a scan of this batch


class SyncStore(AdminStore):
    """Pulls, uploads and conflicts (walk-ins are stored as registrations, ``AdminStore``)."""

    _committer: GroupCommitter | None  # set by HubDB: uploads waiting together commit once
    # the published event's text and its window, parsed once per text (``_event_window``)
    _window_cache: tuple[str | None, EventWindow] | None = None

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
        with self._reading() as conn:
            # The maxima first: every number up to them is committed (see the module doc).
            max_rev, max_seq = conn.execute(_MAXIMA).one()
            return self._changes(conn, kiosk_id, limit, cursor, max_rev, max_seq)

    def changes_for_token(
        self, token: str, cursor: str | None, limit: int = 5000
    ) -> PullPage | None:
        """``changes`` for the kiosk whose live token is ``token``, or None when the token is
        unknown or revoked. The token and the maxima are read in one statement, so a pull
        costs three queries. Raises HubError for a cursor that is not a hub cursor."""
        with self._reading() as conn:
            row = self._token_row(conn, token, _TOKEN_AND_MAXIMA)
            if row is None:
                return None
            return self._changes(conn, row.kiosk_id, limit, cursor, row.max_rev, row.max_seq)

    def _changes(
        self,
        conn: Connection,
        kiosk_id: str,
        limit: int,
        cursor: str | None,
        max_rev: int,
        max_seq: int,
    ) -> PullPage:
        rev0, seq0, own_until, reset = self._parse_cursor(cursor)
        limit = max(1, min(limit, 20000))
        max_rev, max_seq = int(max_rev or 0), int(max_seq or 0)
        if own_until is None:
            own_until = max_seq
        reg_rows = conn.execute(
            _PULL_REGISTRATIONS, {"rev0": rev0, "max_rev": max_rev, "limit": limit}
        ).all()
        reg_data = self._without_claimed_codes(conn, reg_rows)
        window = {"seq0": seq0, "max_seq": max_seq, "kiosk": kiosk_id, "own_until": own_until,
                  "limit": limit}  # fmt: skip
        scan_texts: list[str]
        if self.is_sqlite:
            scan_rows = conn.execute(_PULL_SCANS, window).all()
            n_scans = len(scan_rows)
            last_seq = scan_rows[-1].seq if scan_rows else 0
            scan_texts = [r.data for r in scan_rows]
        else:  # PostgreSQL joins the stored JSON itself: one row to fetch, not one per scan
            n_scans, last_seq, joined = conn.execute(_PULL_SCANS_JOINED, window).one()
            scan_texts = [joined] if joined else []
        more_regs = len(reg_rows) == limit
        more_scans = n_scans == limit
        rev = reg_rows[-1].rev if more_regs else max_rev
        seq = last_seq if more_scans else max_seq
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
            scans=scan_texts,
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

    def kiosk_and_window(self, token: str) -> tuple[str, EventWindow] | None:
        """The kiosk of a live token and the window of the published event, read in one
        statement (one round trip before an upload's transaction); None for a token that is
        unknown or revoked."""
        with self._reading() as conn:
            row = self._token_row(conn, token, _TOKEN_AND_EVENT)
        return None if row is None else (str(row.kiosk_id), self._event_window(row.event))

    def _event_window(self, text: str | None) -> EventWindow:
        """The window of the published event whose stored text is ``text``: parsed once
        per text, not per upload (another worker may publish a new one at any time, so
        the text is read each time, in the same statement as the token)."""
        cached = self._window_cache
        if cached is None or cached[0] != text:
            cached = (text, EventWindow.of(json.loads(text) if text else None))
            self._window_cache = cached
        return cached[1]

    def upload(
        self,
        kiosk_id: str,
        items: Sequence[dict[str, Any]],
        window: EventWindow | None = None,
    ) -> UploadOutcome:
        """Store a batch of scans and walk-ins; idempotent by scan nonce and registration id.

        Each item is validated on its own (``sync.hub.models``) against the published event
        (``window``, from ``kiosk_and_window``; read here when None): a bad one is refused
        with its reason, the rest are stored. A nonce that already holds a different scan
        (another kiosk's) is refused, never acknowledged.
        """
        if window is None:
            with self._reading() as conn:
                window = self._event_window(conn.scalar(EVENT_QUERY))
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
                    if key and key != scan.nonce:
                        raise ValueError(
                            f"item key {key!r} is not the scan's nonce {scan.nonce!r}: a "
                            "kiosk sends each scan under its own nonce"
                        )
                    batch[scan.nonce] = (key or scan.nonce, scan)
                elif item.get("kind") == "registration":
                    reg = read_walkin(data, window)
                    if not walkin_id_of(reg.id, kiosk_id):
                        raise ValueError(
                            f"walk-in id {reg.id!r} is not one kiosk {kiosk_id!r} makes "
                            f"(W-{kiosk_id}-…); the organisers import other registrations"
                        )
                    if key and key != reg.id:
                        raise ValueError(
                            f"item key {key!r} is not the walk-in's id {reg.id!r}: a kiosk "
                            "sends each walk-in under its own id"
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
        """Insert the new nonces of several uploads ``(kiosk id, batch, stamp)``; per upload,
        the scans the hub now holds exactly as sent (new ones and re-sent ones). A nonce held
        by a different scan is left out, including one another upload of the same
        transaction took first.

        One statement inserts the new nonces and names them back (``ON CONFLICT DO NOTHING
        RETURNING``); only nonces the hub held already (a re-sent upload, a nonce conflict)
        cost a query, to compare what is held with what was sent.
        """
        first: dict[str, tuple[Scan, dict[str, Any]]] = {}
        for kiosk_id, batch, stamp in uploads:
            for nonce, (_, scan) in batch.items():
                if nonce not in first:
                    first[nonce] = (scan, _scan_row(scan, kiosk_id, stamp))
        insert = (
            self._insert(scans)
            .on_conflict_do_nothing(index_elements=["nonce"])
            .returning(scans.c.nonce)
        )
        rows = [row for _, row in first.values()]
        inserted: set[str] = set()
        for start in range(0, len(rows), 5000):
            inserted.update(conn.execute(insert, rows[start : start + 5000]).scalars())
        before = [n for n in first if n not in inserted]
        held: dict[str, Any] = {}
        for start in range(0, len(before), 500):
            held.update(
                (r.nonce, json.loads(r.data))
                for r in conn.execute(
                    select(scans.c.nonce, scans.c.data).where(
                        scans.c.nonce.in_(before[start : start + 500])
                    )
                )
            )
        for nonce in inserted:  # held now; compared below only if sent twice in this batch
            held[nonce] = first[nonce][0]
        answers: list[dict[str, Scan]] = []
        for _, batch, _ in uploads:
            stored: dict[str, Scan] = {}
            for nonce, (_, scan) in batch.items():
                holds = held.get(nonce)
                if holds is scan or (
                    holds is not None and _as_held(holds) == json.loads(_scan_json(scan))
                ):
                    stored[nonce] = scan
            answers.append(stored)
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


def _as_held(value: Scan | dict[str, Any]) -> dict[str, Any]:
    """What the hub holds for a nonce, as stored JSON parsed: a stored row's, or the scan's
    that this transaction inserted."""
    return json.loads(_scan_json(value)) if isinstance(value, Scan) else value


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
