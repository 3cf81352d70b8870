"""The hub's tables (SQLAlchemy Core), as the newest Alembic revision leaves them.

``sync/hub/migrations`` changes a database from one revision to the next; this module is
what the code reads and writes. A test compares the two on SQLite and PostgreSQL.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

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
