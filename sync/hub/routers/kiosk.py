"""The sync protocol: what a kiosk calls with its token (``/v1/whoami``, ``/v1/changes``,
``/v1/upload``, ``/v1/heartbeat``, ``/v1/purge/confirm``)."""

# No `from __future__ import annotations`: FastAPI reads the dependency annotations.

import json
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, Response
from fastapi.concurrency import run_in_threadpool

from sync.hub.db import HubError, PullPage, UploadOutcome
from sync.hub.dependencies import (
    Credentials,
    CurrentKiosk,
    Database,
    Settings,
    kiosk_token,
    unknown_kiosk,
)
from sync.hub.limits import body_limit
from sync.hub.models import (
    MAX_BATCH,
    ChangesPage,
    Conflict,
    Heartbeat,
    HeartbeatAnswer,
    PurgeAnswer,
    PurgeQuestion,
    Rejected,
    UploadAnswer,
    UploadBatch,
    WhoAmI,
)

router = APIRouter(prefix="/v1", tags=["kiosk"])


@router.get("/whoami")
def whoami(kiosk_id: CurrentKiosk, db: Database) -> WhoAmI:
    """Which kiosk this token belongs to (the sync engine checks it against its config)."""
    return WhoAmI(kiosk_id=kiosk_id, hub_id=db.hub_id)


@router.get(
    "/changes",
    response_model=ChangesPage,
    responses={200: {"description": "registrations, other kiosks' scans"}},
)
def changes(
    creds: Credentials,
    db: Database,
    settings: Settings,
    cursor: Annotated[str | None, Query(description="from the previous pull; none: all")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_BATCH)] = 5000,
) -> Response:
    """Registrations changed (cancellations and walk-ins included) and scans made at
    other kiosks since ``cursor``; ``more`` says another page is waiting."""
    # the token checked in the same statement as the pull's first query
    try:
        page = db.changes_for_token(kiosk_token(creds), cursor, limit)
    except HubError as exc:
        raise HTTPException(400, str(exc)) from None
    if page is None:
        raise unknown_kiosk(creds, settings)
    return Response(changes_body(page), media_type="application/json")


def changes_body(page: PullPage) -> bytes:
    """The ``ChangesPage`` JSON of one pull page, the stored rows spliced in unparsed: a full
    pull of 100,000 registrations is neither parsed nor re-serialised."""
    head = json.dumps(
        {
            "hub": page.hub,
            "cursor": page.cursor,
            "more": page.more,
            "reset": page.reset,
            "remaining": page.remaining,
        }
    )
    return b"".join(
        (
            head[:-1].encode(),
            b', "registrations": [',
            ",".join(page.registrations).encode(),
            b'], "scans": [',
            ",".join(page.scans).encode(),
            b"]}",
        )
    )


@router.post(
    "/upload",
    max_body_size=body_limit("POST", "/v1/upload"),
    # The body is read by hand (one bad item must not refuse the batch), so FastAPI does
    # not see it: declared here, the model added to the document by sync.hub.app.
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/UploadBatch"}}
            },
        }
    },
)
async def upload(
    request: Request, creds: Credentials, db: Database, settings: Settings
) -> UploadAnswer:
    """A batch of outbox items: scans (idempotent by nonce, refused ones too) and
    walk-in registrations. The answer lists the check-ins that conflict."""
    token = kiosk_token(creds)
    raw = await request.body()

    def receive() -> UploadOutcome:
        # token, batch and store in one thread hand-off; the token is checked first, so a
        # stranger's body is never parsed
        who = db.kiosk_and_window(token)
        if who is None:
            raise unknown_kiosk(creds, settings)
        try:
            batch = UploadBatch.model_validate_json(raw)
        except ValueError as exc:
            raise HTTPException(422, f"not an upload batch: {str(exc)[:300]}") from None
        return db.upload(who[0], [i.model_dump() for i in batch.items], who[1])

    outcome = await run_in_threadpool(receive)
    return UploadAnswer(
        acknowledged=outcome.acknowledged,
        rejected=[Rejected(**r) for r in outcome.rejected],
        conflicts=[Conflict(**c) for c in outcome.conflicts],
    )


@router.post("/heartbeat", max_body_size=body_limit("POST", "/v1/heartbeat"))
def heartbeat(beat: Heartbeat, kiosk_id: CurrentKiosk, db: Database) -> HeartbeatAnswer:
    """The kiosk's state for the organiser page (pending uploads, printer)."""
    db.record_heartbeat(kiosk_id, beat.model_dump())
    return HeartbeatAnswer(kiosk_id=kiosk_id, hub_id=db.hub_id)


@router.post("/purge/confirm", max_body_size=body_limit("POST", "/v1/purge/confirm"))
async def purge_confirm(
    question: PurgeQuestion, kiosk_id: CurrentKiosk, db: Database
) -> PurgeAnswer:
    """Which of these scan nonces (made at this kiosk) and walk-ins the hub holds."""
    held = await run_in_threadpool(
        db.confirm_kiosk, kiosk_id, question.scans, question.registrations
    )
    return PurgeAnswer(**held)
