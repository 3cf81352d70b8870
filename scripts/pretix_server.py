#!/usr/bin/env python3
"""A real pretix server on loopback, for the pretix tests and for trying the kiosk against it.

    python scripts/pretix_server.py prepare            # install pretix + migrate a template DB
    python scripts/pretix_server.py start --dir DIR    # copy the template, seed, serve; prints JSON
    python scripts/pretix_server.py stop --dir DIR     # stop the server started in DIR (by its PID)
    python scripts/pretix_server.py run [--port 8765]  # start in a temporary folder until Ctrl-C

pretix (from PyPI) lives in its own virtualenv under ``.cache/pretix/<version>/`` in the
repository (git-ignored; ``ACCUEIL_PRETIX_CACHE`` moves it). The first ``prepare`` installs
pretix and runs its migrations once into a template SQLite file; every ``start`` copies that
template, so a second run takes seconds. pretix runs on SQLite with no Redis and no Celery
(tasks run inline). ``start`` seeds an organizer, an event, items, a check-in list, orders and
two API tokens through pretix's own management shell (scripts/pretix_seed.py) and writes
everything a client needs to ``DIR/server.json`` (owner-only: it holds tokens).

Standard library only: it runs with any Python >= 3.11.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

PRETIX_VERSION = os.environ.get("ACCUEIL_PRETIX_VERSION", "2026.8.0")
REPO = Path(__file__).resolve().parent.parent
SEED_SCRIPT = Path(__file__).resolve().parent / "pretix_seed.py"
READY_MARK = ".accueil-ready"
INSTALL_TIMEOUT = 900.0
MIGRATE_TIMEOUT = 900.0
SEED_TIMEOUT = 180.0
START_TIMEOUT = 90.0
STOP_TIMEOUT = 15.0


class PretixServerError(RuntimeError):
    """pretix could not be installed, prepared or started; the message says which step and why."""


def cache_root() -> Path:
    return Path(os.environ.get("ACCUEIL_PRETIX_CACHE", REPO / ".cache" / "pretix")) / PRETIX_VERSION


def venv_python() -> Path:
    return cache_root() / "venv" / "bin" / "python"


def template_db() -> Path:
    return cache_root() / "template" / "db.sqlite3"


@contextlib.contextmanager
def _cache_lock() -> Iterator[None]:
    """Two test runs preparing the cache at once wait for each other instead of colliding."""
    root = cache_root()
    root.mkdir(parents=True, exist_ok=True)
    with (root / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _run(step: str, cmd: list[str], log: Path, timeout: float, **kwargs: object) -> None:
    with log.open("w") as out:
        try:
            done = subprocess.run(
                cmd, stdout=out, stderr=subprocess.STDOUT, timeout=timeout, check=False, **kwargs
            )  # type: ignore[call-overload]
        except subprocess.TimeoutExpired:
            raise PretixServerError(f"{step} took more than {timeout:.0f} s (log: {log})") from None
    if done.returncode != 0:
        tail = log.read_text(errors="replace").strip().splitlines()[-15:]
        raise PretixServerError(
            f"{step} failed with exit status {done.returncode} (log: {log}):\n" + "\n".join(tail)
        )


def _config_text(data_dir: Path, url: str) -> str:
    return (
        "[pretix]\n"
        "instance_name=Accueil test pretix\n"
        f"url={url}\n"
        f"datadir={data_dir}\n"
        "ecb_rates=off\n"
        "[database]\n"
        "backend=sqlite3\n"
        f"name={data_dir / 'db.sqlite3'}\n"
        "[mail]\n"
        "from=pretix@localhost\n"
        "[django]\n"
        "debug=off\n"
    )


def _pretix_env(config: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PRETIX_", "DJANGO_"))}
    env["PRETIX_CONFIG_FILE"] = str(config)
    env.pop("PYTHONPATH", None)
    return env


def install() -> Path:
    """pretix in its own virtualenv (once per version); returns its python."""
    venv = cache_root() / "venv"
    if (venv / READY_MARK).exists():
        return venv_python()
    if venv.exists():
        shutil.rmtree(venv)  # a half-finished earlier attempt
    log = cache_root() / "install.log"
    _run("creating the pretix virtualenv", [sys.executable, "-m", "venv", str(venv)], log, 120)
    _run(
        f"pip install pretix=={PRETIX_VERSION}",
        [
            str(venv_python()),
            "-m",
            "pip",
            "install",
            "--disable-pip-version-check",
            "--no-input",
            f"pretix=={PRETIX_VERSION}",
        ],
        log,
        INSTALL_TIMEOUT,
    )
    (venv / READY_MARK).touch()
    return venv_python()


def migrate_template() -> Path:
    """A migrated, empty pretix database to copy for every server (migrations take a minute)."""
    template = template_db()
    if (template.parent / READY_MARK).exists():
        return template
    work = template.parent.with_name("template.tmp")
    if work.exists():
        shutil.rmtree(work)
    data = work / "data"
    data.mkdir(parents=True)
    config = work / "pretix.cfg"
    config.write_text(_config_text(data, "http://127.0.0.1"))
    _run(
        "pretix migrate",
        [str(venv_python()), "-m", "pretix", "migrate", "--noinput"],
        work / "migrate.log",
        MIGRATE_TIMEOUT,
        cwd=work,
        env=_pretix_env(config),
    )
    if template.parent.exists():
        shutil.rmtree(template.parent)
    template.parent.mkdir(parents=True)
    shutil.copy2(data / "db.sqlite3", template)
    shutil.rmtree(work)
    (template.parent / READY_MARK).touch()
    return template


def prepare() -> None:
    with _cache_lock():
        install()
        migrate_template()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_until_serving(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = log.read_text(errors="replace").strip().splitlines()[-15:]
            raise PretixServerError(
                f"pretix exited with status {proc.returncode} while starting (log: {log}):\n"
                + "\n".join(tail)
            )
        try:
            with urllib.request.urlopen(f"{url}/api/v1/", timeout=2):
                return
        except urllib.error.HTTPError:
            return  # any HTTP answer means the server is up
        except (urllib.error.URLError, OSError):
            time.sleep(0.25)
    stop_pid(proc.pid)
    raise PretixServerError(
        f"pretix did not answer on {url} within {START_TIMEOUT:.0f} s (log: {log})"
    )


def start(directory: Path, port: int = 0, host: str = "127.0.0.1") -> dict[str, object]:
    """Copy the template DB into directory, seed it, serve it; returns what server.json holds."""
    prepare()
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    data = directory / "data"
    if data.exists():
        shutil.rmtree(data)
    data.mkdir(mode=0o700)
    shutil.copy2(template_db(), data / "db.sqlite3")
    os.chmod(data / "db.sqlite3", 0o600)
    port = port or _free_port()
    url = f"http://{host}:{port}"
    config = directory / "pretix.cfg"
    config.write_text(_config_text(data, url))
    env = _pretix_env(config)
    python = str(venv_python())
    seed_log = directory / "seed.log"
    _run(
        "seeding pretix",
        [
            python,
            "-m",
            "pretix",
            "shell",
            "--command",
            f"import runpy; runpy.run_path({str(SEED_SCRIPT)!r})",
        ],
        seed_log,
        SEED_TIMEOUT,
        cwd=directory,
        env=env,
    )
    seeded = next(
        (
            json.loads(line.split(" ", 1)[1])
            for line in seed_log.read_text().splitlines()
            if line.startswith("PRETIX-SEED ")
        ),
        None,
    )
    if seeded is None:
        raise PretixServerError(f"the seed script printed no result (log: {seed_log})")
    log = directory / "server.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [python, "-m", "pretix", "runserver", f"{host}:{port}", "--noreload"],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=directory,
            env=env,
            start_new_session=True,  # its own process group: stop() ends it and nothing else
        )
    _wait_until_serving(url, proc, log)
    info: dict[str, object] = {"url": url, "pid": proc.pid, "version": PRETIX_VERSION, **seeded}
    state = directory / "server.json"
    state.touch(mode=0o600)
    state.write_text(json.dumps(info, indent=2, ensure_ascii=False))
    return info


def stop_pid(pid: int) -> bool:
    """End the server's process group (SIGTERM, then SIGKILL); True when it is gone."""
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return True
    deadline = time.monotonic() + STOP_TIMEOUT
    while time.monotonic() < deadline:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)
    return False


def stop(directory: Path) -> None:
    state = directory / "server.json"
    if not state.exists():
        raise PretixServerError(f"{state} not found: no server was started in {directory}")
    stop_pid(int(json.loads(state.read_text())["pid"]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("prepare", help="install pretix and migrate the template database")
    p_start = sub.add_parser("start", help="seed and serve pretix from DIR; prints JSON")
    p_start.add_argument("--dir", type=Path, required=True)
    p_start.add_argument("--port", type=int, default=0, help="default: a free port")
    p_stop = sub.add_parser("stop", help="stop the server started in DIR")
    p_stop.add_argument("--dir", type=Path, required=True)
    p_run = sub.add_parser("run", help="start in a temporary folder and serve until Ctrl-C")
    p_run.add_argument("--port", type=int, default=8765)
    args = parser.parse_args(argv)
    try:
        if args.command == "prepare":
            t0 = time.monotonic()
            prepare()
            print(
                f"pretix {PRETIX_VERSION} ready in {cache_root()} ({time.monotonic() - t0:.0f} s)"
            )
        elif args.command == "start":
            print(json.dumps(start(args.dir, args.port), ensure_ascii=False))
        elif args.command == "stop":
            stop(args.dir)
        else:
            with tempfile.TemporaryDirectory(prefix="accueil-pretix-") as tmp:
                info = start(Path(tmp), args.port)
                print(json.dumps(info, indent=2, ensure_ascii=False))
                print(f"pretix serves {info['url']} — Ctrl-C stops it", file=sys.stderr)
                try:
                    while True:
                        time.sleep(3600)
                except KeyboardInterrupt:
                    pass
                finally:
                    stop_pid(int(info["pid"]))  # type: ignore[call-overload]
    except PretixServerError as exc:
        print(f"pretix_server: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
