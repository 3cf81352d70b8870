"""schemathesis against the hub's own OpenAPI document: no 5xx, and refusals change nothing."""

from __future__ import annotations

import secrets

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from sync.hub.app import create_app
from sync.hub.db import HubDB
from sync.importers import load_registrations
from tests.conftest import ROOT

ORGANISER = secrets.token_urlsafe(16)


def _hub(tmp_path_factory: pytest.TempPathFactory) -> tuple[HubDB, str]:
    folder = tmp_path_factory.mktemp("hub")
    db = HubDB(f"sqlite:///{folder / 'hub.db'}")
    db.import_registrations(load_registrations(ROOT / "demo" / "registrations.csv")[:50])
    return db, db.create_token("fuzz-kiosk")


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    db, token = _hub(tmp_path_factory)
    yield db, token
    db.close()


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
def test_no_server_error_and_refusals_change_nothing(case, hub):
    db, kiosk_token = hub
    token = ORGANISER if case.path.startswith("/v1/admin") else kiosk_token
    before = _state(db)
    response = case.call(headers={"Authorization": f"Bearer {token}"})
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert _state(db) == before, f"{case.method} {case.path} was refused but changed the hub"
