"""The hub app served by uvicorn on loopback, for the hub application tests."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI

from kiosk.core.model import Scan, ScanKind
from sync.store import scan_to_dict
from tests.sync.servers import free_port, wait_until


@contextmanager
def served(app: FastAPI) -> Iterator[httpx.Client]:
    """``app`` under uvicorn (lifespan on) in a thread, and a client for it; stopped after."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host="127.0.0.1",
            port=port,
            log_level="warning",
            access_log=False,
            lifespan="on",
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        wait_until(lambda: server.started or not thread.is_alive(), 30)
        if not server.started:
            raise RuntimeError("the hub did not start")
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            yield client
    finally:
        server.should_exit = True
        thread.join(30)
        assert not thread.is_alive(), "the hub did not stop within 30 s"


def entry(nonce: str, kiosk: str, hour: int, reg: str) -> dict[str, Any]:
    """An upload item: an accepted entry of ``reg`` at ``kiosk`` on day 1 at ``hour`` UTC."""
    scan = Scan(
        nonce, kiosk, datetime(2026, 5, 12, hour, 0, tzinfo=UTC), f"CODE-{reg[1:]}", reg,
        ScanKind.ENTRY, True, "ok", day=1,
    )  # fmt: skip
    return {"kind": "scan", "key": nonce, "data": scan_to_dict(scan)}
