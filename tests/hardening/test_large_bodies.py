"""The large bodies: request bodies were read whole before the token was checked (issue 14,
item 9); six concurrent 100 MB bodies to ``/v1/heartbeat`` took the hub from 324 MB to
1.36 GB. Each route now has a body limit, enforced before anything is read.

The hub runs in this process (uvicorn in a thread), so this process's resident memory is
the hub's; the senders stream one reused 1 MiB chunk, so they hold almost nothing.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from sync.hub.limits import ROUTE_LIMITS
from tests.hardening.test_hostile_upload import scan_item
from tests.sync.servers import HubThread

MIB = 1024 * 1024
CHUNK = b"x" * MIB
PAGE = os.sysconf("SC_PAGE_SIZE")


def rss() -> int:
    return int(Path("/proc/self/statm").read_text().split()[1]) * PAGE


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[HubThread]:
    server = HubThread(f"sqlite:///{tmp_path / 'hub.db'}", "organiser")
    yield server
    server.stop()


def body(megabytes: int) -> Iterator[bytes]:
    for _ in range(megabytes):
        yield CHUNK


def send(url: str, headers: dict[str, str], megabytes: int, answers: list[object]) -> None:
    try:
        with httpx.Client(timeout=60) as client:
            answer = client.post(url, content=body(megabytes), headers=headers)
            answers.append(answer.status_code)
    except httpx.HTTPError as exc:  # the hub answered 413 and closed while we were sending
        answers.append(type(exc).__name__)


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
@pytest.mark.parametrize("token", ["none", "kiosk"])
def test_six_concurrent_100_mb_bodies_leave_the_hub_memory_bounded(hub, declared, token):
    headers = {"Content-Type": "application/json"}
    if declared:
        headers["Content-Length"] = str(100 * MIB)
    if token == "kiosk":
        headers["Authorization"] = f"Bearer {hub.db.create_token('door-a')}"
    httpx.get(f"{hub.url}/healthz")
    before = peak = rss()
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, rss())
            time.sleep(0.01)

    sampler = threading.Thread(target=sample)
    sampler.start()
    answers: list[object] = []
    senders = [
        threading.Thread(target=send, args=(f"{hub.url}/v1/heartbeat", headers, 100, answers))
        for _ in range(6)
    ]
    for s in senders:
        s.start()
    for s in senders:
        s.join(120)
    done.set()
    sampler.join()
    assert peak - before < 48 * MIB, f"hub grew by {(peak - before) / MIB:.0f} MiB"
    assert len(answers) == 6, answers
    assert all(a == 413 or isinstance(a, str) for a in answers), answers
    # the hub still serves after the attack
    assert httpx.get(f"{hub.url}/healthz").status_code == 200


def test_each_route_has_its_own_limit(hub):
    token = hub.db.create_token("door-a")
    auth = {"Authorization": f"Bearer {token}"}
    beat_limit = ROUTE_LIMITS[("POST", "/v1/heartbeat")]
    big_beat = b'{"kiosk_name": "' + b"a" * beat_limit + b'"}'
    assert httpx.post(f"{hub.url}/v1/heartbeat", content=big_beat, headers=auth).status_code == 413
    # an upload batch of about 2 MiB (2,000 scans) is far below its route's limit
    items = [scan_item(f"n{i}", "door-a", "R1") for i in range(2000)]
    answer = httpx.post(f"{hub.url}/v1/upload", json={"items": items}, headers=auth, timeout=60)
    assert answer.status_code == 200 and len(answer.json()["rejected"]) == 0
    assert len(answer.content) < len(str(items))
    # calls without a body of their own take only a small one
    whoami = httpx.request("GET", f"{hub.url}/v1/whoami", content=b"x" * MIB, headers=auth)
    assert whoami.status_code == 413
    assert httpx.get(f"{hub.url}/v1/whoami", headers=auth).status_code == 200
