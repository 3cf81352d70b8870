"""schemathesis against the hub's own OpenAPI document, on SQLite and PostgreSQL: no 5xx,
every answer matches its declared model, and a refused request changes nothing."""

from __future__ import annotations

import asyncio
import secrets

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from sync.hub.app import create_app
from sync.hub.db import HubDB
from sync.importers import load_registrations
from sync.reports import event_to_dict
from tests.conftest import EVENT, ROOT, SESSIONS
from tests.sync.conftest import postgres  # noqa: F401
from tests.sync.servers import PostgresServer

ORGANISER = secrets.token_urlsafe(16)
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def hub(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    if request.param == "sqlite":
        url, server, name = f"sqlite:///{tmp_path_factory.mktemp('hub') / 'hub.db'}", None, ""
    else:
        server = request.getfixturevalue("postgres")
        name = server.create_database()
        url = server.url(name)
    db = HubDB(url)
    db.import_registrations(load_registrations(ROOT / "demo" / "registrations.csv")[:50])
    db.set_event_definition(event_to_dict(EVENT, SESSIONS))
    yield db, db.create_token("fuzz-kiosk")
    db.close()
    if isinstance(server, PostgresServer):
        server.drop_database(name)


schema = schemathesis.pytest.from_fixture("hub_schema")


@pytest.fixture(scope="module")
def hub_schema(hub):
    db, _ = hub
    return schemathesis.openapi.from_asgi("/openapi.json", create_app(db, ORGANISER))


def _state(db: HubDB) -> tuple[object, ...]:
    stats = db.stats()
    return tuple(
        sorted((k, str(v)) for k, v in stats.items() if "time" not in k and "last" not in k)
    )


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_error_answers_as_declared_and_refusals_change_nothing(case, hub):
    db, kiosk_token = hub
    organiser = case.path.startswith(("/v1/admin", "/dashboard"))
    token = ORGANISER if organiser else kiosk_token
    before = _state(db)
    response = case.call(headers={"Authorization": f"Bearer {token}"})
    case.validate_response(response, checks=CHECKS)
    if response.status_code >= 400:
        assert _state(db) == before, f"{case.method} {case.path} was refused but changed the hub"


@pytest.mark.parametrize(
    "registration",
    [{"id": "R" * 201}, {"id": "R\x00"}, {"id": "R1", "first_name": "A\x00"}, {"id": ""},
     {"id": "R1", "days": [1.5]}, {"id": "R1", "status": "vip"}, {"id": ["R1"]}],
    ids=["long-id", "nul-id", "nul-name", "empty-id", "float-day", "status", "list-id"],
)  # fmt: skip
def test_an_organiser_import_the_database_cannot_hold_is_refused_not_a_500(hub, registration):
    """PostgreSQL refuses NUL and ids over the column's 200 characters: refuse them first."""
    db, _ = hub
    before = _state(db)

    async def post() -> httpx.Response:
        transport = httpx.ASGITransport(app=create_app(db, ORGANISER))
        async with httpx.AsyncClient(transport=transport, base_url="http://hub") as client:
            return await client.post(
                "/v1/admin/registrations",
                json=[registration],
                headers={"Authorization": f"Bearer {ORGANISER}"},
            )

    answer = asyncio.run(post())
    assert answer.status_code == 422, answer.text
    assert isinstance(answer.json()["detail"], str)
    assert _state(db) == before
