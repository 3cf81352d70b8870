"""Real servers on loopback for the sync tests and bench/bench_sync.py: PostgreSQL, the hub."""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
ORGANISER = "organiser-secret-for-tests"


@dataclass
class Kiosk:
    """One kiosk under test: its store, check-in service, hub client and sync engine."""

    id: str
    store: Any
    service: Any
    source: Any
    engine: Any
    token: str


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until(predicate: Callable[[], Any], timeout: float, step: float = 0.05) -> Any:
    """Poll until predicate() is truthy; return it, or raise TimeoutError after timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"not true within {timeout} s")
        time.sleep(step)


def postgres_bindir() -> Path | None:
    """Debian's PostgreSQL server binaries (the newest installed), if any."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3])
    )
    return Path(found[-1]).parent if found else None


class PostgresServer:
    """A throw-away PostgreSQL cluster in a temporary folder, on a free loopback port.

    initdb refuses to run as root, so as root the cluster belongs to the ``postgres`` user.
    Stopped by the PID of the server it started.
    """

    def __init__(self, bindir: Path, *, fsync: bool = False) -> None:
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="accueil-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self.user = "accueil"
        self._as: dict[str, Any] = {}
        if os.geteuid() == 0:
            pw = pwd.getpwnam("postgres")
            os.chown(self.root, pw.pw_uid, pw.pw_gid)
            self._as = {"user": pw.pw_uid, "group": pw.pw_gid, "extra_groups": []}
        subprocess.run(
            [bindir / "initdb", "-D", self.data, "-U", self.user, "--auth=trust", "-E", "UTF8"],
            check=True,
            capture_output=True,
            **self._as,
        )
        self.log = open(self.root / "server.log", "wb")  # noqa: SIM115 (closed in stop)
        options = ["-c", "listen_addresses=127.0.0.1", "-k", str(self.root), "-p", str(self.port)]
        options += ["-c", "max_connections=300"]
        if not fsync:  # tests check behaviour, not durability against power loss
            options += ["-c", "fsync=off", "-c", "synchronous_commit=off"]
        self.process = subprocess.Popen(
            [bindir / "postgres", "-D", self.data, *options],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            **self._as,
        )
        try:
            wait_until(self._ready, 30, 0.1)
        except TimeoutError:
            self.stop()
            raise

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/{database}"

    def _ready(self) -> bool:
        import psycopg

        if self.process.poll() is not None:
            raise RuntimeError(f"postgres exited: {(self.root / 'server.log').read_text()[-500:]}")
        try:
            psycopg.connect(self.url().replace("+psycopg", ""), connect_timeout=2).close()
            return True
        except psycopg.OperationalError:
            return False

    def create_database(self) -> str:
        import psycopg

        name = "hub_" + uuid.uuid4().hex[:10]
        with psycopg.connect(self.url().replace("+psycopg", ""), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return name

    def drop_database(self, name: str) -> None:
        import psycopg

        with psycopg.connect(self.url().replace("+psycopg", ""), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # fast shutdown
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self.log.close()
        shutil.rmtree(self.root, ignore_errors=True)


class HubThread:
    """The real hub app under uvicorn, in a thread of this process, on a free port."""

    def __init__(self, database_url: str, organiser_token: str, port: int | None = None) -> None:
        import uvicorn

        from sync.hub.app import create_app
        from sync.hub.db import HubDB

        self.db = HubDB(database_url)
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        app = create_app(self.db, organiser_token)
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_level="warning", access_log=False
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        wait_until(lambda: self.server.started or not self.thread.is_alive(), 20)
        if not self.server.started:
            raise RuntimeError("the hub did not start")

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(20)
        self.db.close()


class HubProcess:
    """The hub as an operator runs it: `accueil hub serve`, in its own process."""

    def __init__(
        self, config: Path, organiser_token: str, port: int | None = None, *, workers: int = 1
    ) -> None:
        self.config = config
        self.workers = workers
        self.token = organiser_token
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.start()

    def start(self) -> None:
        env = {**os.environ, "ACCUEIL_HUB_ORGANISER_TOKEN": self.token}
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "main.py"), "--config", str(self.config)]
            + ["hub", "serve", "--port", str(self.port), "--workers", str(self.workers)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        wait_until(self._healthy, 30, 0.1)

    def _healthy(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            err = self.process.stderr.read().decode() if self.process.stderr else ""
            raise RuntimeError(f"accueil hub serve exited: {err[-800:]}")
        with contextlib.suppress(httpx.HTTPError):
            return httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200
        return False

    def stop(self, hard: bool = False) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL if hard else signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        if self.process.stderr:
            self.process.stderr.close()
        self.process = None
