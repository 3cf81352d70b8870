"""Every hub call needs the right token: missing, wrong and revoked tokens are refused."""

from __future__ import annotations

import httpx
import pytest

from sync.engine import SyncEngine
from sync.hub.app import organiser_token_matches
from sync.hub.db import hash_token
from sync.hub_client import HubSource
from sync.remote import SourceRejected
from tests.sync.servers import ORGANISER

KIOSK_CALLS = [("GET", "/v1/whoami"), ("GET", "/v1/changes"), ("POST", "/v1/upload")]
ADMIN_CALLS = [
    ("GET", "/v1/admin/stats"),
    ("GET", "/v1/admin/scans"),
    ("GET", "/v1/admin/conflicts"),
    ("GET", "/v1/admin/kiosks"),
    ("POST", "/v1/admin/registrations"),
    ("POST", "/v1/admin/kiosks/door-a/token"),
    ("DELETE", "/v1/admin/kiosks/door-a/token"),
]


def call(hub, method: str, path: str, token: str | None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    body = {"items": []} if path == "/v1/upload" else []
    return httpx.request(
        method, hub.url + path, headers=headers, json=body if method == "POST" else None
    )


def test_calls_without_a_valid_token_are_refused(hub):
    kiosk_token = hub.db.create_token("door-a")
    for method, path in KIOSK_CALLS + ADMIN_CALLS:
        assert call(hub, method, path, None).status_code == 401, path
        assert call(hub, method, path, "acc_not-a-real-token").status_code == 401, path
    for method, path in ADMIN_CALLS:
        assert call(hub, method, path, kiosk_token).status_code == 403, path
    for method, path in KIOSK_CALLS:
        assert call(hub, method, path, ORGANISER).status_code == 403, path
        assert call(hub, method, path, kiosk_token).status_code == 200, path
    assert call(hub, "GET", "/v1/admin/stats", ORGANISER).status_code == 200
    assert httpx.get(hub.url + "/healthz").json() == {"status": "ok"}
    assert "/v1/changes" in httpx.get(hub.url + "/openapi.json").json()["paths"]


def test_revoked_token_stops_the_kiosk_and_loses_nothing(hub, make_kiosk):
    a = make_kiosk("door-a")
    a.engine.sync_once()
    assert hub.db.revoke_token("door-a")
    a.service.check("CODE-1")
    with pytest.raises(SourceRejected, match="token create door-a"):
        a.engine.sync_once()
    assert call(hub, "GET", "/v1/whoami", a.token).status_code == 401
    status = a.engine.status()
    assert status.online is False and status.pending == 1 and "401" in status.last_error

    new = httpx.post(
        f"{hub.url}/v1/admin/kiosks/door-a/token",
        headers={"Authorization": f"Bearer {ORGANISER}"},
    ).json()["token"]
    source = HubSource(hub.url, new, "door-a")  # the kiosk restarted with its new token
    try:
        SyncEngine(a.store, source).sync_once()
    finally:
        source.close()
    assert a.store.count_pending() == 0
    assert hub.db.stats()["scans"] == 1


def test_a_token_of_another_kiosk_is_refused_before_any_upload(hub, make_kiosk):
    other = hub.db.create_token("door-b")
    a = make_kiosk("door-a", token=other)
    a.service.check("CODE-1")
    with pytest.raises(SourceRejected, match="belongs to kiosk 'door-b'"):
        a.engine.sync_once()
    assert a.engine.status().pending == 1
    assert hub.db.stats()["scans"] == 0


def test_only_token_hashes_are_stored(hub):
    token = hub.db.create_token("door-a")
    kiosks = hub.db.kiosks()
    assert [k["kiosk_id"] for k in kiosks] == ["door-a"]
    with hub.db.engine.connect() as conn:
        stored = [tuple(r) for r in conn.exec_driver_sql("SELECT * FROM kiosks")]
    assert token not in repr(stored)
    assert hash_token(token) in repr(stored)


def test_organiser_token_may_be_configured_as_a_hash():
    assert organiser_token_matches("sha256:" + hash_token("s3cret"), "s3cret")
    assert not organiser_token_matches("sha256:" + hash_token("s3cret"), "other")
    assert not organiser_token_matches("", "")


def test_a_configured_hash_matches_in_upper_case_too():
    digest = hash_token("s3cret")
    assert organiser_token_matches("sha256:" + digest.upper(), "s3cret")
    assert organiser_token_matches(f"sha256: {digest} ", "s3cret")  # pasted with spaces
    assert not organiser_token_matches("sha256:" + digest.upper(), "S3CRET")
    assert not organiser_token_matches("sha256:é" + digest[1:], "s3cret")  # no crash either


@pytest.mark.parametrize(
    "body",
    [b"not json", b'{"items": "no list"}', b'{"items": [' + b'{"kind": "scan"},' * 3 + b"1]}"],
)
def test_an_upload_checks_its_token_before_it_reads_the_body(hub, body: bytes):
    """The upload reads its token, its batch and stores it in one thread hand-off: a
    stranger's body is refused for the token (never parsed), a kiosk's bad one with 422."""
    kiosk_token = hub.db.create_token("door-a")
    revoked = hub.db.create_token("door-b")
    assert hub.db.revoke_token("door-b")

    def post(token: str | None) -> httpx.Response:
        headers = {"Content-Type": "application/json"}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return httpx.post(hub.url + "/v1/upload", content=body, headers=headers)

    for stranger in (None, "acc_not-a-real-token", revoked):
        answer = post(stranger)
        assert answer.status_code == 401, stranger
        assert answer.headers["WWW-Authenticate"] == "Bearer"
    assert post(ORGANISER).status_code == 403
    answer = post(kiosk_token)
    assert answer.status_code == 422
    assert "not an upload batch" in answer.json()["detail"]


def test_a_pull_with_a_revoked_token_or_the_organisers_is_refused_and_a_bad_cursor_is_400(hub):
    """A pull reads its token in its first query: a bad cursor is 400 for a live kiosk only."""
    token = hub.db.create_token("door-a")

    def pull(who: str) -> int:
        headers = {"Authorization": f"Bearer {who}"}
        params = {"cursor": "v9.nope"}
        return httpx.get(hub.url + "/v1/changes", params=params, headers=headers).status_code

    assert pull(token) == 400
    assert hub.db.revoke_token("door-a")
    assert [pull(who) for who in (token, ORGANISER, "acc_x")] == [401, 403, 401]
