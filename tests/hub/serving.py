"""The hub app served by uvicorn on loopback, for the hub application tests."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import uvicorn
from fastapi import FastAPI

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
