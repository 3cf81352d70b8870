"""The hub's storage: SQLAlchemy Core over SQLite (default) or PostgreSQL, chosen by URL.

Kiosks pull by cursor, so a row must never appear *behind* a cursor a kiosk already holds.
Registration revisions and scan sequence numbers are therefore handed out by writers that
run one at a time (a process lock, plus ``BEGIN IMMEDIATE`` on SQLite and a transaction
advisory lock on PostgreSQL): commit order is number order, and a reader that sees the
largest number sees every smaller one.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import re
import secrets
import threading
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    Engine,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    func,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from kiosk.core.codes import CodeClash, CodeClashError, code_clashes
from kiosk.core.model import Registration, Scan, ScanKind
from kiosk.errors import AccueilError
from sync.hub.group_commit import GroupCommitter
from sync.hub.models import EventWindow, read_scan, read_walkin, refusal
from sync.store import (
    registration_from_dict,
    registration_to_dict,
    scan_from_dict,
    scan_to_dict,
    utc_text,
)

_log = logging.getLogger(__name__)

SCHEMA_VERSION = "1"
_WRITE_LOCK_KEY = 0x4143_4355  # "ACCU": the PostgreSQL advisory lock of hub writers
_KIOSK_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_WALKIN_SUFFIX = re.compile(r"^[A-Za-z0-9_]{1,64}$")

# SQLite only auto-numbers an INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit identity.
_Seq = BigInteger().with_variant(Integer(), "sqlite")

metadata = MetaData()

hub_meta = Table(
    "hub_meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

kiosks = Table(
    "kiosks",
    metadata,
    Column("kiosk_id", String(64), primary_key=True),
    Column("token_hash", String(64), unique=True),  # sha256 of the token; NULL when revoked
    Column("created_at", String(40), nullable=False),
    Column("revoked_at", String(40)),
)

registrations = Table(
    "registrations",
    metadata,
    Column("id", String(200), primary_key=True),
    Column("rev", BigInteger, nullable=False, unique=True),
    Column("status", String(20), nullable=False),
    Column("origin", String(64), nullable=False),  # "import" or the kiosk that made a walk-in
    Column("data", Text, nullable=False),  # registration_to_dict as JSON, served as is
    Column("updated_at", String(40), nullable=False),
)

# Which registration holds each code (by SHA-256: codes can be longer than an index entry).
registration_codes = Table(
    "registration_codes",
    metadata,
    Column("code_hash", String(64), nullable=False),
    Column("registration_id", String(200), nullable=False),
    UniqueConstraint("code_hash", "registration_id"),
    Index("hub_codes_by_registration", "registration_id"),
)

scans = Table(
    "scans",
    metadata,
    Column("seq", _Seq, primary_key=True, autoincrement=True),
    Column("nonce", String(100), nullable=False, unique=True),
    Column("kiosk_id", String(64), nullable=False),
    Column("uploaded_by", String(64), nullable=False),
    Column("at", String(40), nullable=False),  # the door time, UTC
    Column("day", Integer),
    Column("registration_id", String(200)),
    Column("kind", String(20), nullable=False),
    Column("accepted", Boolean, nullable=False),
    Column("forced", Boolean, nullable=False),
    Column("code", Text, nullable=False),
    Column("data", Text, nullable=False),  # scan_to_dict as JSON, served as is
    Column("received_at", String(40), nullable=False),
    Index("hub_scans_by_registration", "registration_id"),
)

conflicts = Table(
    "conflicts",
    metadata,
    Column("id", _Seq, primary_key=True, autoincrement=True),
    Column("registration_id", String(200), nullable=False),
    Column("day", Integer),
    Column("first_nonce", String(100), nullable=False),
    Column("first_kiosk", String(64), nullable=False),
    Column("first_at", String(40), nullable=False),
    Column("second_nonce", String(100), nullable=False),
    Column("second_kiosk", String(64), nullable=False),
    Column("second_at", String(40), nullable=False),
    Column("detected_at", String(40), nullable=False),
    UniqueConstraint("first_nonce", "second_nonce"),
)


class HubError(AccueilError):
    """A problem the organiser can act on (bad database URL, unknown kiosk…)."""


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
class UploadOutcome:
    acknowledged: list[str]  # keys (scan nonces, registration ids) the hub now holds
    rejected: list[dict[str, str]]  # {"key", "error"}: items that will never be accepted
    conflicts: list[dict[str, Any]]  # conflicts involving a scan of this batch


def now_text() -> str:
    return utc_text(datetime.now(UTC))


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def database_url(raw: str, base: Path) -> str:
    """The SQLAlchemy URL for a configured database: relative SQLite paths from ``base``,
    ``postgresql://`` through the psycopg 3 driver."""
    if raw.startswith("sqlite:///") and raw != "sqlite:///:memory:":
        path = Path(raw.removeprefix("sqlite:///")).expanduser()
        if not path.is_absolute():
            path = base / path
        return f"sqlite:///{path}"
    for prefix in ("postgresql://", "postgres://"):
        if raw.startswith(prefix):
            return "postgresql+psycopg://" + raw.removeprefix(prefix)
    if raw.startswith(("postgresql+psycopg://", "sqlite://")):
        return raw
    raise HubError(
        f"database = {raw!r}: expected sqlite:///path/to/hub.db or postgresql://user@host/db"
    )


def _create_private(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
    os.chmod(path, 0o600)


class HubDB:
    """Registrations, scans, conflicts and kiosk tokens of one event."""

    def __init__(self, url: str, *, pool_size: int = 10, group_commit: bool | None = None) -> None:
        """``group_commit`` (default: on unless ``ACCUEIL_HUB_GROUP_COMMIT=0``, which the
        benchmark uses to compare) lets uploads that wait together share one transaction."""
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        self._write_lock = threading.Lock()
        if self.is_sqlite:
            db_path = url.removeprefix("sqlite:///")
            if db_path and db_path != ":memory:" and url.startswith("sqlite:///"):
                _create_private(Path(db_path))
            self.engine: Engine = create_engine(url, connect_args={"check_same_thread": False})
            _sqlite_pragmas(self.engine)
        else:
            self.engine = create_engine(
                url,
                pool_size=pool_size,
                max_overflow=pool_size,
                # No ping before every checkout: it cost a round trip per request. A
                # connection the server dropped fails one request (the kiosk retries it,
                # nothing is lost) and SQLAlchemy then replaces the whole pool.
                pool_pre_ping=False,
                pool_recycle=600,
            )
        try:
            metadata.create_all(self.engine)
            self.hub_id = self._init_meta()
        except SQLAlchemyError as exc:
            self.engine.dispose()
            raise HubError(f"cannot open the hub database: {_short(exc)}") from None
        if group_commit is None:
            group_commit = os.environ.get("ACCUEIL_HUB_GROUP_COMMIT", "1") != "0"
        self._committer = (
            GroupCommitter(self._writing, combine=self._store_uploads) if group_commit else None
        )

    def close(self) -> None:
        if self._committer is not None:
            self._committer.close()
        self.engine.dispose()

    # -- transactions -----------------------------------------------------------------

    @contextmanager
    def _writing(self) -> Iterator[Connection]:
        """One writer at a time, across threads and (through the database) processes."""
        with self._write_lock, self.engine.connect() as conn:
            conn.execution_options(hub_write=True)
            with conn.begin():
                if not self.is_sqlite:
                    conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _WRITE_LOCK_KEY})
                yield conn

    @contextmanager
    def _reading(self) -> Iterator[Connection]:
        if self.is_sqlite:
            with self.engine.connect() as conn, conn.begin():
                yield conn
            return
        # PostgreSQL reads in READ COMMITTED take a fresh snapshot per statement anyway, so a
        # transaction around them buys nothing but BEGIN and COMMIT round trips; the pull's
        # "maxima first" rule (module doc) holds statement by statement.
        with self.engine.connect() as conn:
            yield conn.execution_options(isolation_level="AUTOCOMMIT")

    def _insert(self, table: Table) -> Any:
        dialect = sqlite if self.is_sqlite else postgresql
        return dialect.insert(table)

    def _init_meta(self) -> str:
        with self._writing() as conn:
            rows = {r[0]: r[1] for r in conn.execute(select(hub_meta.c.key, hub_meta.c.value))}
            if "hub_id" in rows:
                if rows.get("schema") != SCHEMA_VERSION:
                    raise HubError(
                        f"hub database schema {rows.get('schema')} is not {SCHEMA_VERSION}"
                    )
                if "codes_indexed" not in rows:  # a hub database made before the code index
                    self._index_codes(conn, None)
                    conn.execute(hub_meta.insert(), {"key": "codes_indexed", "value": "1"})
                return str(rows["hub_id"])
            hub_id = uuid.uuid4().hex[:12]
            conn.execute(
                hub_meta.insert(),
                [
                    {"key": "hub_id", "value": hub_id},
                    {"key": "schema", "value": SCHEMA_VERSION},
                    {"key": "codes_indexed", "value": "1"},
                ],
            )
            return hub_id

    # -- kiosk tokens -----------------------------------------------------------------

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
        digest = hash_token(token)
        with self._reading() as conn:
            row = conn.execute(
                select(kiosks.c.kiosk_id, kiosks.c.token_hash).where(kiosks.c.token_hash == digest)
            ).first()
        if row is None or not hmac.compare_digest(row.token_hash, digest):
            return None
        return str(row.kiosk_id)

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

    # -- registrations ----------------------------------------------------------------

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
        with self._reading() as conn:
            return self._code_clashes(conn, regs)

    def _code_clashes(self, conn: Connection, regs: Sequence[Registration]) -> list[CodeClash]:
        wanted = {code for reg in regs for code in reg.codes}
        owners: dict[str, list[str]] = defaultdict(list)
        if wanted:
            # codes live inside each row's JSON; one pass over the table, streamed
            result = conn.execute(
                select(registrations.c.id, registrations.c.data).execution_options(
                    yield_per=5000
                )
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

    def changes(self, cursor: str | None, kiosk_id: str, limit: int = 5000) -> bytes:
        """The JSON body of a pull: registrations changed and other kiosks' scans since cursor
        (on a full pull this kiosk's own scans too: it may be a replacement with an empty log).

        Stored JSON is spliced in as is: a full pull of 100,000 registrations parses nothing.
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
        head = json.dumps(
            {
                "hub": self.hub_id,
                "cursor": self.cursor(rev, seq, own_until),
                "more": more_regs or more_scans,
                "reset": reset,
                "remaining": remaining,
            }
        )
        return b"".join(
            (
                head[:-1].encode(),
                b', "registrations": [',
                ",".join(reg_data).encode(),
                b'], "scans": [',
                ",".join(r.data for r in scan_rows).encode(),
                b"]}",
            )
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

    def record_heartbeat(self, kiosk_id: str, report: dict[str, Any]) -> None:
        """Keep the latest state a kiosk reported (pending uploads, printer…), with the time."""
        value = json.dumps({**report, "kiosk_id": kiosk_id, "received_at": now_text()})
        self._put_meta(_heartbeat_key(kiosk_id), value)

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
            value = conn.scalar(select(hub_meta.c.value).where(hub_meta.c.key == "event"))
        return json.loads(value) if value else None

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

    def _put_meta(self, key: str, value: str) -> None:
        ins = self._insert(hub_meta)
        with self._writing() as conn:
            conn.execute(
                ins.on_conflict_do_update(
                    index_elements=["key"], set_={"value": ins.excluded.value}
                ),
                {"key": key, "value": value},
            )


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


def _sqlite_pragmas(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # transactions are begun below, not by the driver
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA busy_timeout=10000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        # Writers take the write lock up front: no failed upgrade from a stale read.
        write = conn.get_execution_options().get("hub_write")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def _short(exc: BaseException) -> str:
    return str(exc).splitlines()[0][:300]
