"""The organiser page's sign-in and the kinds of token (issue 14, item 11, hub side).

Signing out left the cookie valid for 12 hours (a copied cookie kept working); a kiosk
token on ``PUT /v1/admin/event`` got 401 where docs/hub.md says 403.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from sync.hub.dashboard import COOKIE
from sync.reports import event_to_dict
from tests.conftest import EVENT, SESSIONS
from tests.sync.servers import HubThread

ORGANISER = "organiser-token-for-session-tests"


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[HubThread]:
    server = HubThread(f"sqlite:///{tmp_path / 'hub.db'}", ORGANISER)
    yield server
    server.stop()


def sign_in(hub: HubThread) -> str:
    answer = httpx.post(f"{hub.url}/dashboard/login", data={"token": ORGANISER})
    assert answer.status_code == 303
    return answer.cookies[COOKIE]


def test_signing_out_ends_the_session_on_the_hub(hub):
    cookie = sign_in(hub)
    other = sign_in(hub)  # another organiser's browser
    live = f"{hub.url}/dashboard/live.json"
    assert httpx.get(live, cookies={COOKIE: cookie}).status_code == 200
    out = httpx.post(f"{hub.url}/dashboard/logout", cookies={COOKIE: cookie})
    assert out.status_code == 303
    # the same cookie, replayed (copied before sign-out), is refused now
    assert httpx.get(live, cookies={COOKIE: cookie}).status_code == 401
    assert (
        httpx.get(f"{hub.url}/dashboard/csv/checkins.csv", cookies={COOKIE: cookie}).status_code
        == 401
    )
    assert httpx.get(live, cookies={COOKIE: other}).status_code == 200


@pytest.mark.parametrize("forged", ["", "x", "9999999999.abc", "a" * 5000])
def test_a_cookie_the_hub_did_not_issue_is_refused(hub, forged):
    assert httpx.get(f"{hub.url}/dashboard/live.json", cookies={COOKIE: forged}).status_code == 401


def test_a_kiosk_token_on_organiser_calls_gets_403(hub):
    kiosk = {"Authorization": f"Bearer {hub.db.create_token('door-a')}"}
    definition = event_to_dict(EVENT, SESSIONS)
    assert httpx.put(f"{hub.url}/v1/admin/event", json=definition, headers=kiosk).status_code == 403
    assert httpx.get(f"{hub.url}/dashboard/live.json", headers=kiosk).status_code == 403
    assert httpx.get(f"{hub.url}/dashboard/csv/checkins.csv", headers=kiosk).status_code == 403
    assert httpx.get(f"{hub.url}/v1/admin/stats", headers=kiosk).status_code == 403
    assert hub.db.event_definition() is None
    nobody = {"Authorization": "Bearer not-a-token"}
    assert (
        httpx.put(f"{hub.url}/v1/admin/event", json=definition, headers=nobody).status_code == 401
    )


def test_the_organiser_token_on_kiosk_calls_gets_403(hub):
    organiser = {"Authorization": f"Bearer {ORGANISER}"}
    assert httpx.post(f"{hub.url}/v1/heartbeat", json={}, headers=organiser).status_code == 403
    assert httpx.post(f"{hub.url}/v1/purge/confirm", json={}, headers=organiser).status_code == 403
    assert httpx.get(f"{hub.url}/v1/whoami", headers=organiser).status_code == 403
