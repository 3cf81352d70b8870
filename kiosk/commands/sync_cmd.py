"""`accueil sync [--once]` and `accueil sync status`: this kiosk's sync with the hub or pretix."""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from kiosk.config import ConfigError
from kiosk.services.syncing import check_source, sync_ledger


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
        if rt.source_kind.has("probe"):
            failed = _probe_quietly(engine.source)
            if failed:
                return failed
        return _once(engine)
    return _loop(engine, args.seconds)


def _probe_quietly(source: Any) -> int:
    """Before a pass: a failed probe step is printed and stops it (exit 1 or 2)."""
    check = check_source(source, {"probe"})
    for step in check.steps:
        if not step.ok:
            fix = f"; check {step.key}" if step.key else ""
            print(f"accueil sync: {step.what}: {step.detail}{fix}", file=sys.stderr)
    return check.status


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

        from datetime import UTC, datetime

        started = datetime.now(UTC).isoformat(timespec="microseconds")
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
    last = engine.store.last_full_pull(engine.source.name)
    if str(last.get("at") or "") >= started:
        print(f"full pull: {last.get('removed', 0)} registrations no longer on the lists removed")
    if str(last.get("lists_changed_at") or "") >= started:
        for door, what in sorted((last.get("lists_changed") or {}).items()):
            print(f"check-in list of {door or 'the entrance'}: {what}")
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
    sync = rt.config.sync
    ledger = sync_ledger(rt.store, sync.source)
    print(f"source: {sync.source}" + (f" ({sync.url})" if sync.url else ""))
    print(f"waiting to upload: {ledger.waiting}")
    print(f"last successful sync: {ledger.last_success or 'never'}")
    print(
        f"registration list: {ledger.registrations} ({'incremental' if ledger.pulled else 'not pulled yet'})"
    )
    print(f"conflicts reported: {len(ledger.conflicts)}")
    for c in ledger.conflicts:
        print(f"  {conflict_line(c, ledger.timezone)}")
    for f in ledger.outbox_failures:
        print(
            f"  outbox #{f['seq']} {f['kind']} {f['key']}: {f['attempts']} tries, {f['last_error']}"
        )
    _pretix_lines(ledger.pretix_pull)
    if sync.source == "none":
        return 0
    return _probe(_engine(rt).source, rt.source_kind)


def local_time(text: object, zone: str) -> str:
    """A stored UTC time in the event's zone, for people (the text as is if unreadable)."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    try:
        when = datetime.fromisoformat(str(text))
    except ValueError:
        return str(text)
    if when.tzinfo is None:
        return str(text)
    return when.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M:%S %Z")


def conflict_line(c: dict[str, Any], zone: str) -> str:
    """One sync conflict for people: who, when (event zone), and pretix's word if any."""
    first = local_time(c.get("first_at"), zone) if c.get("first_at") else "?"
    second = local_time(c.get("second_at"), zone) if c.get("second_at") else "?"
    line = (
        f"{c.get('registration_id')} day {c.get('day')}: {c.get('first_kiosk')} {first} / "
        f"{c.get('second_kiosk')} {second}"
    )
    if c.get("pretix_reason"):
        line += f" — pretix refused it: {c['pretix_reason']}: {c.get('detail') or ''}"
    return line


def _pretix_lines(last: dict[str, Any]) -> None:
    """What the last pulls said about pretix's check-in lists (changes, removals)."""
    if last.get("at"):
        print(f"last full pull: {last['at']}, {last.get('removed', 0)} registrations removed")
    for door, what in sorted((last.get("lists_changed") or {}).items()):
        print(f"  check-in list of {door or 'the entrance'}: {what}")


def _probe(source: Any, kind: Any) -> int:
    """Ask the source now. pretix: 0 all good, 1 unreachable (try later), 2 a key to fix
    (as `sync --once`); the hub: 0 or 1, as before."""
    name = kind.name
    check = check_source(source, kind.abilities)
    for step in check.steps:
        if step.ok:
            print(f"{name}: {step.what}: ok ({step.detail})")
        else:
            fix = f"; check {step.key}" if step.key else ""
            print(f"{name}: {step.what}: FAILED: {step.detail}{fix}")
    if check.identity:
        if check.reachable:
            print(f"{name}: reachable, token accepted")
        else:
            print(f"{name}: not reachable now: {check.error}")
    return check.status
