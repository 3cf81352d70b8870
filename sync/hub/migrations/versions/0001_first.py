"""The hub's tables as they were when Alembic came: hub_meta, kiosks, registrations,
registration_codes, scans, conflicts.

Each table is created only when missing: a database made before Alembic (by
``create_all``) is adopted as it is, with its rows, and one from before the code index
gets ``registration_codes`` (the hub fills it on start).

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# SQLite only auto-numbers an INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit identity.
_Seq = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _hub_meta() -> None:
    op.create_table(
        "hub_meta",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )


def _kiosks() -> None:
    op.create_table(
        "kiosks",
        sa.Column("kiosk_id", sa.String(64), primary_key=True),
        sa.Column("token_hash", sa.String(64), unique=True),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("revoked_at", sa.String(40)),
    )


def _registrations() -> None:
    op.create_table(
        "registrations",
        sa.Column("id", sa.String(200), primary_key=True),
        sa.Column("rev", sa.BigInteger, nullable=False, unique=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("origin", sa.String(64), nullable=False),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
    )


def _registration_codes() -> None:
    op.create_table(
        "registration_codes",
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("registration_id", sa.String(200), nullable=False),
        sa.UniqueConstraint("code_hash", "registration_id"),
        sa.Index("hub_codes_by_registration", "registration_id"),
    )


def _scans() -> None:
    op.create_table(
        "scans",
        sa.Column("seq", _Seq, primary_key=True, autoincrement=True),
        sa.Column("nonce", sa.String(100), nullable=False, unique=True),
        sa.Column("kiosk_id", sa.String(64), nullable=False),
        sa.Column("uploaded_by", sa.String(64), nullable=False),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("day", sa.Integer),
        sa.Column("registration_id", sa.String(200)),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("accepted", sa.Boolean, nullable=False),
        sa.Column("forced", sa.Boolean, nullable=False),
        sa.Column("code", sa.Text, nullable=False),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("received_at", sa.String(40), nullable=False),
        sa.Index("hub_scans_by_registration", "registration_id"),
    )


def _conflicts() -> None:
    op.create_table(
        "conflicts",
        sa.Column("id", _Seq, primary_key=True, autoincrement=True),
        sa.Column("registration_id", sa.String(200), nullable=False),
        sa.Column("day", sa.Integer),
        sa.Column("first_nonce", sa.String(100), nullable=False),
        sa.Column("first_kiosk", sa.String(64), nullable=False),
        sa.Column("first_at", sa.String(40), nullable=False),
        sa.Column("second_nonce", sa.String(100), nullable=False),
        sa.Column("second_kiosk", sa.String(64), nullable=False),
        sa.Column("second_at", sa.String(40), nullable=False),
        sa.Column("detected_at", sa.String(40), nullable=False),
        sa.UniqueConstraint("first_nonce", "second_nonce"),
    )


TABLES: dict[str, Callable[[], None]] = {
    "hub_meta": _hub_meta,
    "kiosks": _kiosks,
    "registrations": _registrations,
    "registration_codes": _registration_codes,
    "scans": _scans,
    "conflicts": _conflicts,
}


def upgrade() -> None:
    present = set(sa.inspect(op.get_bind()).get_table_names())
    for name, create in TABLES.items():
        if name not in present:
            create()


def downgrade() -> None:
    for name in reversed(TABLES):
        op.drop_table(name)
