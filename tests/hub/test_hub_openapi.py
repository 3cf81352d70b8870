"""The sync protocol is in the hub's OpenAPI document, and the hub's real answers match it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from sync.hub.app import create_app
from sync.hub.db import HubDB
from sync.hub.models import (
    ChangesPage,
    HeartbeatAnswer,
    LiveCounts,
    Stats,
    UploadAnswer,
    WhoAmI,
)
from sync.reports import event_to_dict
from tests.conftest import EVENT, SESSIONS, people
from tests.hub.serving import entry, served

ORGANISER = "organiser-token-for-openapi-tests"


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[tuple[httpx.Client, HubDB]]:
    db = HubDB(f"sqlite:///{tmp_path / 'hub.db'}")
    db.import_registrations(people(), allow_shared_codes=True)
    db.set_event_definition(event_to_dict(EVENT, SESSIONS))
    try:
        with served(create_app(db, ORGANISER)) as client:
            yield client, db
    finally:
        db.close()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def schema_ref(content: dict[str, Any]) -> str:
    return str(content["application/json"]["schema"]["$ref"]).rsplit("/", 1)[-1]


def test_the_document_names_the_upload_pull_and_status_shapes(hub) -> None:
    client, _ = hub
    doc = client.get("/openapi.json").json()
    paths, schemas = doc["paths"], doc["components"]["schemas"]

    upload = paths["/v1/upload"]["post"]
    assert schema_ref(upload["requestBody"]["content"]) == "UploadBatch"
    assert schema_ref(upload["responses"]["200"]["content"]) == "UploadAnswer"
    assert schema_ref(paths["/v1/changes"]["get"]["responses"]["200"]["content"]) == "ChangesPage"
    assert schema_ref(paths["/v1/admin/stats"]["get"]["responses"]["200"]["content"]) == "Stats"
    assert schema_ref(paths["/v1/whoami"]["get"]["responses"]["200"]["content"]) == "WhoAmI"
    assert schema_ref(paths["/healthz"]["get"]["responses"]["200"]["content"]) == "Health"
    heartbeat = paths["/v1/heartbeat"]["post"]
    assert schema_ref(heartbeat["requestBody"]["content"]) == "Heartbeat"
    assert schema_ref(heartbeat["responses"]["200"]["content"]) == "HeartbeatAnswer"

    # the items of an upload and of a pull are the same declared shapes
    assert schemas["UploadBatch"]["properties"]["items"]["items"]["$ref"].endswith("/UploadItem")
    page = schemas["ChangesPage"]["properties"]
    assert page["registrations"]["items"]["$ref"].endswith("/RegistrationData")
    assert page["scans"]["items"]["$ref"].endswith("/ScanData")
    assert {"nonce", "kiosk_id", "at", "kind", "accepted", "reason"} <= set(
        schemas["ScanData"]["required"]
    )

    # every successful answer of every call is declared with a schema
    for path, operations in paths.items():
        for method, operation in operations.items():
            ok = operation["responses"].get("200")
            assert ok is not None and ok.get("content"), f"{method} {path}"
            for media in ok["content"].values():
                assert media.get("schema"), f"{method} {path}"
    for every in ("UploadAnswer", "Rejected", "Conflict", "Problem", "LiveCounts"):
        assert every in schemas


def test_real_answers_validate_against_the_declared_models(hub) -> None:
    client, db = hub
    door_a, door_b = db.create_token("door-a"), db.create_token("door-b")

    who = WhoAmI.model_validate_json(client.get("/v1/whoami", headers=bearer(door_a)).content)
    assert who.kiosk_id == "door-a" and who.hub_id == db.hub_id

    first = client.post(
        "/v1/upload",
        json={
            "items": [
                entry("n-a1", "door-a", 9, "R1"),
                {"kind": "scan", "key": "bad", "data": {"nonce": "bad"}},
            ]
        },
        headers=bearer(door_a),
    )
    answer = UploadAnswer.model_validate_json(first.content)
    assert answer.acknowledged == ["n-a1"]
    assert [r.key for r in answer.rejected] == ["bad"]

    # the same person let in at door B while inside: a conflict, in its declared shape
    second = client.post(
        "/v1/upload", json={"items": [entry("n-b1", "door-b", 10, "R1")]}, headers=bearer(door_b)
    )
    conflict = UploadAnswer.model_validate_json(second.content).conflicts
    assert [(c.first_nonce, c.second_nonce, c.registration_id) for c in conflict] == [
        ("n-a1", "n-b1", "R1")
    ]

    pull = client.get("/v1/changes", headers=bearer(door_b))
    assert pull.headers["content-type"] == "application/json"
    page = ChangesPage.model_validate_json(pull.content)
    assert {r.id for r in page.registrations} == {p.id for p in people()}
    assert [s.nonce for s in page.scans] == ["n-a1", "n-b1"]  # a full pull: its own scan too
    again = ChangesPage.model_validate_json(
        client.get("/v1/changes", params={"cursor": page.cursor}, headers=bearer(door_b)).content
    )
    assert again.registrations == [] and again.scans == [] and not again.more

    beat = client.post("/v1/heartbeat", json={"pending_uploads": 3}, headers=bearer(door_a))
    assert HeartbeatAnswer.model_validate_json(beat.content).kiosk_id == "door-a"

    stats = Stats.model_validate_json(
        client.get("/v1/admin/stats", headers=bearer(ORGANISER)).content
    )
    assert (stats.scans, stats.accepted, stats.conflicts, stats.kiosks) == (2, 2, 1, 2)

    live = LiveCounts.model_validate_json(
        client.get("/dashboard/live.json", params={"day": 1}, headers=bearer(ORGANISER)).content
    )
    assert live.checked_in == 1 and live.conflicts == 1
    assert {k.kiosk_id: k.pending_uploads for k in live.kiosks}["door-a"] == 3
