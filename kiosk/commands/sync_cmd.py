"""`accueil sync [--once]` and `accueil sync status`: this kiosk's sync with the hub or pretix."""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from kiosk.config import ConfigError


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "sync",
        help="sync this kiosk with [sync] source (upload scans, pull registrations)",
        description="Without --once: keep syncing in the foreground until Ctrl-C (the kiosk "
        "app does the same in the background). `accueil sync status` shows what waits.",
    )
    parser.add_argument("what", nargs="?", choices=("run", "status"), default="run")
    parser.add_argument("--once", action="store_true", help="one full sync with a progress bar")
    parser.add_argument(
        "--full", action="store_true", help="pull the whole list again (forget the cursor)"
    )
    parser.add_argument(
        "--seconds", type=float, default=0, help="without --once: stop after this long (0: never)"
    )
    parser.set_defaults(func=run)


def _engine(rt: Any) -> Any:
    engine = rt.sync_engine
    if engine is None:
        raise ConfigError(
            f'{rt.config.path}: [sync] source = "none": set source = "hub" (or "pretix"), '
            "url and token to sync this kiosk"
        )
    return engine


def run(args: argparse.Namespace, rt: Any) -> int:
    if args.what == "status":
        return _status(rt)
    engine = _engine(rt)
    if args.full:
        rt.store.set_meta(f"sync.{engine.source.name}.cursor", "")
    if args.once:
        return _once(engine)
    return _loop(engine, args.seconds)


def _once(engine: Any) -> int:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from sync.remote import SourceRejected, SourceUnavailable

    console = Console(stderr=True)
    with Progress(
        TextColumn("{task.description:<10}"), BarColumn(), MofNCompleteColumn(), console=console
    ) as bar:
        tasks: dict[str, Any] = {}

        def progress(phase: str, done: int, total: int | None) -> None:
            if phase not in tasks:
                tasks[phase] = bar.add_task(phase, total=total)
            bar.update(tasks[phase], completed=done, total=total)

        try:
            report = engine.sync_once(progress)
        except SourceRejected as exc:
            print(f"accueil sync: {exc}", file=sys.stderr)
            return 2
        except SourceUnavailable as exc:
            print(f"accueil sync: {exc}; nothing is lost, try again later", file=sys.stderr)
            return 1
    print(
        f"uploaded {report.uploaded}, {report.registrations} registrations changed, "
        f"{report.remote_scans} scans from other kiosks, {report.conflicts} new conflicts"
    )
    unreadable = getattr(engine.source, "unreadable", 0)
    if unreadable:
        print(
            f"left out {unreadable} pulled row(s) holding values no kiosk writes; the "
            "organisers see them with: accueil hub status",
            file=sys.stderr,
        )
    return 0


def _loop(engine: Any, seconds: float) -> int:
    engine.start()
    shown = ""
    deadline = time.monotonic() + seconds if seconds > 0 else float("inf")
    try:
        while time.monotonic() < deadline:
            line = _line(engine.status())
            if line != shown:
                print(line, file=sys.stderr)
                shown = line
            time.sleep(min(1.0, max(0.0, deadline - time.monotonic())))
    except KeyboardInterrupt:
        pass
    finally:
        engine.stop()
    return 0


def _line(st: Any) -> str:
    state = {True: "online", False: "OFFLINE", None: "starting"}[st.online]
    when = st.last_success.astimezone().strftime("%H:%M:%S") if st.last_success else "never"
    text = f"{state}: last sync {when}, {st.pending} waiting to upload, {st.conflicts} conflicts"
    return text + (f" — {st.last_error}" if st.last_error else "")


def _status(rt: Any) -> int:
    store = rt.store
    sync = rt.config.sync
    print(f"source: {sync.source}" + (f" ({sync.url})" if sync.url else ""))
    print(f"waiting to upload: {store.count_pending()}")
    last = store.get_meta("sync.last_success")
    print(f"last successful sync: {last or 'never'}")
    cursor = store.sync_cursor(sync.source) if sync.source != "none" else None
    print(
        f"registration list: {store.count_registrations()} ({'incremental' if cursor else 'not pulled yet'})"
    )
    conflicts = store.sync_conflicts()
    print(f"conflicts reported: {len(conflicts)}")
    for c in conflicts:
        print(
            f"  {c.get('registration_id')} day {c.get('day')}: {c.get('first_kiosk')} "
            f"{c.get('first_at')} / {c.get('second_kiosk')} {c.get('second_at')}"
        )
    for f in store.outbox_failures():
        print(
            f"  outbox #{f['seq']} {f['kind']} {f['key']}: {f['attempts']} tries, {f['last_error']}"
        )
    if sync.source == "none":
        return 0
    source = _engine(rt).source
    check = getattr(source, "check_identity", None)
    if check is None:
        return 0
    from sync.remote import SourceRejected, SourceUnavailable

    try:
        check()
    except (SourceRejected, SourceUnavailable) as exc:
        print(f"{sync.source}: not reachable now: {exc}")
        return 1
    print(f"{sync.source}: reachable, token accepted")
    return 0
