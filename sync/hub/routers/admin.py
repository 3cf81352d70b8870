"""The organisers' API (``/v1/admin``, the organiser token as a bearer token): import
registrations, publish the event, read scans, conflicts and counts, manage kiosk tokens."""

# No `from __future__ import annotations`: FastAPI reads the dependency annotations.

import re
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query

from sync.hub.db import HubError
from sync.hub.dependencies import Database, Organiser
from sync.hub.limits import body_limit
from sync.hub.models import (
    ConflictRow,
    EventAnswer,
    EventWindow,
    ImportAnswer,
    KioskRow,
    Revoked,
    ScanRow,
    Stats,
    TokenAnswer,
    UnreadableScan,
    read_registration,
    refusal,
)
from sync.wire import event_from_definition, event_to_dict

KIOSK_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")  # as sync.hub.db makes tokens for
MAX_SEQ = 2**63 - 1  # the largest number either database stores

router = APIRouter(prefix="/v1/admin", tags=["organiser"], dependencies=[Organiser])


@router.post("/registrations", max_body_size=body_limit("POST", "/v1/admin/registrations"))
def import_registrations(registrations: list[Any], db: Database) -> ImportAnswer:
    """Insert or update registrations (registration_to_dict form, checked field by
    field as ``sync.hub.models.RegistrationData``); one bad registration refuses all."""
    window = EventWindow.of(db.event_definition())
    regs = []
    for n, data in enumerate(registrations):
        try:
            regs.append(read_registration(data, window))
        except (ValueError, TypeError, KeyError) as exc:
            raise HTTPException(422, f"registration #{n}: {refusal(exc)}") from None
    return ImportAnswer(received=len(regs), changed=db.import_registrations(regs))


@router.put("/event", max_body_size=body_limit("PUT", "/v1/admin/event"))
def publish_event(definition: dict[str, Any], db: Database) -> EventAnswer:
    """Publish the event definition (the event.json format) for the page's sessions."""
    try:
        event, sessions = event_from_definition(definition)
    except ValueError as exc:
        raise HTTPException(422, f"event: {exc}") from None
    db.set_event_definition(event_to_dict(event, sessions))
    return EventAnswer(event=event.slug, sessions=len(sessions))


@router.get("/conflicts")
def list_conflicts(db: Database) -> list[ConflictRow]:
    """Check-ins of one registration accepted on the same day at two kiosks."""
    return [ConflictRow(**c) for c in db.conflicts()]


@router.get("/scans")
def list_scans(
    db: Database,
    since: Annotated[int, Query(ge=0, le=MAX_SEQ)] = 0,
    limit: Annotated[int, Query(ge=1, le=50000)] = 10000,
) -> list[ScanRow]:
    """Uploaded scans after hub sequence number ``since``, refused ones included; a
    stored row no kiosk could have made is left out (see ``/v1/admin/unreadable``)."""
    return [ScanRow(**r) for r in db.scans(since, limit)]


@router.get("/unreadable")
def list_unreadable(db: Database) -> list[UnreadableScan]:
    """Stored scans that reports and pulls leave out (kept before uploads were checked)."""
    return [UnreadableScan(**r) for r in db.unreadable_scans()]


@router.get("/stats")
def stats(db: Database) -> Stats:
    return Stats(**db.stats())


@router.get("/kiosks")
def list_kiosks(db: Database) -> list[KioskRow]:
    return [KioskRow(**k) for k in db.kiosks()]


@router.post("/kiosks/{kiosk_id}/token")
def create_token(kiosk_id: str, db: Database) -> TokenAnswer:
    """A new token for the kiosk; any earlier one stops working. Shown once."""
    try:
        return TokenAnswer(kiosk_id=kiosk_id, token=db.create_token(kiosk_id))
    except HubError as exc:
        raise HTTPException(422, str(exc)) from None


@router.delete("/kiosks/{kiosk_id}/token")
def revoke_token(kiosk_id: str, db: Database) -> Revoked:
    if not KIOSK_ID.match(kiosk_id) or not db.revoke_token(kiosk_id):
        raise HTTPException(404, f"kiosk {kiosk_id[:64]!r} has no live token")
    return Revoked(revoked=True)
