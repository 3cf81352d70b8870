"""Check-ins exported for other systems: pretix's check-in API and a generic scan log CSV.

pretix: each accepted entry or exit becomes a body for ``POST /api/v1/organizers/{org}/
checkinrpc/redeem/`` (``secret``, ``lists``, ``type``, ``datetime``, ``force``, ``nonce``),
each refused venue scan a body for ``POST …/checkinlists/{list}/failed_checkins/``
(``raw_barcode``, ``error_reason``, ``datetime``, ``type``). ``force`` is true: the scan
already happened at the door, pretix should record it, not judge it again. The nonce is
the kiosk's scan nonce, so uploading the same file twice records each check-in once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any

from kiosk.core.model import Registration, Scan, ScanKind
from kiosk.core.tickets import is_signed_ticket
from sync.reports.compute import WALKIN_TICKET, Report, Table, how

# Accueil reasons -> pretix failed check-in error_reason values.
PRETIX_REASON = {
    "unknown": "invalid",
    "invalid_signature": "invalid",
    "wrong_event": "invalid",
    "superseded": "revoked",
    "cancelled": "canceled",
    "unpaid": "unpaid",
    "blocked": "blocked",
    "already_checked_in": "already_redeemed",
    "not_checked_in": "rules",
    "not_valid_today": "invalid_time",
    "not_yet_valid": "invalid_time",
    "expired": "invalid_time",
    "session_not_allowed": "product",
    "session_full": "rules",
    "ambiguous": "ambiguous",
    "questions_required": "incomplete",
}

GENERIC_COLUMNS = (
    "nonce", "at_utc", "at_local", "day", "kind", "accepted", "reason", "undone",
    "registration_id", "first_name", "last_name", "email", "organisation", "role",
    "code", "session_id", "kiosk_id", "kiosk_name", "staff", "how", "note", "forced",
)  # fmt: skip


@dataclass
class PretixExport:
    """The pretix upload bodies, and what could not be sent with why."""

    redeem: list[dict[str, Any]] = field(default_factory=list)
    failed: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (nonce, why)

    def csv_table(self) -> Table:
        return Table(
            "pretix_checkins",
            "Check-ins for pretix",
            ("secret", "datetime", "type", "list", "nonce"),
            [
                (b["secret"], b["datetime"], b["type"], ",".join(map(str, b.get("lists", []))),
                 b["nonce"])
                for b in self.redeem
            ],
        )  # fmt: skip

    def jsonl(self, bodies: list[dict[str, Any]]) -> str:
        return "".join(json.dumps(b, ensure_ascii=False) + "\n" for b in bodies)


def generic_table(report: Report) -> Table:
    """The whole scan log of the report's scope, one row per scan, for any other system."""
    rows = []
    for s in report.scans:
        reg = report.registrations.get(s.registration_id or "")
        rows.append(
            (s.nonce, s.at.astimezone(UTC).isoformat(), s.at.astimezone(report.tz).isoformat(),
             s.day if s.day is not None else "", s.kind.value, int(s.accepted), s.reason,
             int(s.nonce in report.undone), s.registration_id or "",
             reg.first_name if reg else "", reg.last_name if reg else "",
             reg.email if reg else "", reg.organisation if reg else "",
             reg.role.value if reg else "", s.code, s.session_id or "", s.kiosk_id,
             s.kiosk_name, s.staff, how(s) if s.accepted else "", s.note, int(s.forced))
        )  # fmt: skip
    return Table(
        "checkins_export",
        "Scan log (generic export)",
        GENERIC_COLUMNS,
        rows,
        "Every scan, refused ones and undos included; undone=1 marks a check-in taken back.",
    )


def pretix_secret(scan: Scan, reg: Registration | None) -> str | None:
    """The ticket secret pretix knows for this scan, or None when it has none."""
    if reg is not None and reg.ticket_type == WALKIN_TICKET:
        return None  # made at the desk: no pretix order behind it
    if reg is not None:
        # pretix's own secret first; an Accueil-signed ticket only if that is all there is
        # (pretix knows it when the organiser imported the secrets into pretix).
        for code in reg.codes:
            if not is_signed_ticket(code):
                return code
    if scan.code.startswith("id:"):
        return reg.codes[0] if reg is not None and reg.codes else None
    return scan.code


def pretix_export(report: Report, checkin_list: int | None) -> PretixExport:
    """Accepted venue entries and exits as redeem calls; refused venue scans as failures."""
    out = PretixExport()
    lists = [checkin_list] if checkin_list else []
    for s in report.scans:
        if s.kind not in (ScanKind.ENTRY, ScanKind.EXIT):
            continue  # session doors: pretix check-in lists per session are not mapped
        reg = report.registrations.get(s.registration_id or "")
        when = s.at.astimezone(UTC).isoformat().replace("+00:00", "Z")
        if not s.accepted:
            out.failed.append(
                {
                    "raw_barcode": s.code,
                    "error_reason": PRETIX_REASON.get(s.reason, "error"),
                    "datetime": when,
                    "type": s.kind.value,
                    **({"lists": lists} if lists else {}),
                }
            )
            continue
        if s.nonce in report.undone:
            out.skipped.append((s.nonce, "undone by staff"))
            continue
        secret = pretix_secret(s, reg)
        if secret is None:
            out.skipped.append((s.nonce, "walk-in or no ticket secret: unknown to pretix"))
            continue
        out.redeem.append(
            {
                "secret": secret,
                "source_type": "barcode",
                "lists": lists,
                "type": s.kind.value,
                "datetime": when,
                "force": True,
                "nonce": s.nonce,
                "questions_supported": False,
            }
        )
    return out
