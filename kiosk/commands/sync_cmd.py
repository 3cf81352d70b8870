"""`accueil sync [--once]` and `accueil sync status`: this kiosk's sync with the hub or pretix."""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from kiosk.commands.words import add_lang_argument, replies
from kiosk.config import ConfigError
from kiosk.core.i18n import Translator
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
    add_lang_argument(parser)
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
    tr = replies(args, rt)
    if args.what == "status":
        return _status(rt, tr)
    engine = _engine(rt)
    if args.full:
        rt.store.set_meta(f"sync.{engine.source.name}.cursor", "")
    if args.once:
        if rt.source_kind.has("probe"):
            failed = _probe_quietly(engine.source, tr)
            if failed:
                return failed
        return _once(engine, tr)
    return _loop(engine, args.seconds, tr)


def _probe_quietly(source: Any, tr: Translator) -> int:
    """Before a pass: a failed probe step is printed and stops it (exit 1 or 2)."""
    check = check_source(source, {"probe"})
    for step in check.steps:
        if not step.ok:
            fix = _fix(step.key, tr)
            print(f"accueil sync: {step.what}: {step.detail}{fix}", file=sys.stderr)
    return check.status


def _once(engine: Any, tr: Translator) -> int:
    _ = tr.gettext
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
            said = _("{error}; nothing is lost, try again later").format(error=exc)
            print(f"accueil sync: {said}", file=sys.stderr)
            return 1
    counts = [
        tr.ngettext("uploaded {count}", "uploaded {count}", report.uploaded),
        tr.ngettext(
            "{count} registration changed", "{count} registrations changed", report.registrations
        ),
        tr.ngettext(
            "{count} scan from other kiosks", "{count} scans from other kiosks", report.remote_scans
        ),
        tr.ngettext("{count} new conflict", "{count} new conflicts", report.conflicts),
    ]
    done = (report.uploaded, report.registrations, report.remote_scans, report.conflicts)
    print(_(", ").join(c.format(count=n) for c, n in zip(counts, done, strict=True)))
    unreadable = getattr(engine.source, "unreadable", 0)
    if unreadable:
        said = tr.ngettext(
            "left out {count} pulled row holding values no kiosk writes; the organisers see "
            "it with: accueil hub status",
            "left out {count} pulled rows holding values no kiosk writes; the organisers see "
            "them with: accueil hub status",
            unreadable,
        ).format(count=unreadable)
        print(said, file=sys.stderr)
    last = engine.store.last_full_pull(engine.source.name)
    if str(last.get("at") or "") >= started:
        removed = int(last.get("removed", 0) or 0)
        said = tr.ngettext(
            "full pull: {count} registration no longer on the lists removed",
            "full pull: {count} registrations no longer on the lists removed",
            removed,
        )
        print(said.format(count=removed))
    if str(last.get("lists_changed_at") or "") >= started:
        for door, what in sorted((last.get("lists_changed") or {}).items()):
            print(_list_line(door, what, tr))
    return 0


def _loop(engine: Any, seconds: float, tr: Translator) -> int:
    engine.start()
    shown = ""
    deadline = time.monotonic() + seconds if seconds > 0 else float("inf")
    try:
        while time.monotonic() < deadline:
            line = _line(engine.status(), tr)
            if line != shown:
                print(line, file=sys.stderr)
                shown = line
            time.sleep(min(1.0, max(0.0, deadline - time.monotonic())))
    except KeyboardInterrupt:
        pass
    finally:
        engine.stop()
    return 0


def _fix(key: str | None, tr: Translator) -> str:
    """What to check after a failed step: the config key, kept as written."""
    return tr.gettext("; check {key}").format(key=key) if key else ""


def _line(st: Any, tr: Translator) -> str:
    _ = tr.gettext
    state = {True: _("online"), False: _("OFFLINE"), None: _("starting")}[st.online]
    when = st.last_success.astimezone().strftime("%H:%M:%S") if st.last_success else _("never")
    waiting = tr.ngettext(
        "{count} waiting to upload", "{count} waiting to upload", st.pending
    ).format(count=st.pending)
    conflicts = tr.ngettext("{count} conflict", "{count} conflicts", st.conflicts).format(
        count=st.conflicts
    )
    text = _("{state}: last sync {when}, {waiting}, {conflicts}").format(
        state=state, when=when, waiting=waiting, conflicts=conflicts
    )
    return text + (f" — {st.last_error}" if st.last_error else "")


def _list_line(door: str, what: object, tr: Translator) -> str:
    if door:
        return tr.gettext("check-in list of {door}: {what}").format(door=door, what=what)
    return tr.gettext("check-in list of the entrance: {what}").format(what=what)


def _status(rt: Any, tr: Translator) -> int:
    _ = tr.gettext
    sync = rt.config.sync
    ledger = sync_ledger(rt.store, sync.source)
    url = f" ({sync.url})" if sync.url else ""
    print(_("source: {source}").format(source=sync.source) + url)
    print(_("waiting to upload: {count}").format(count=ledger.waiting))
    print(_("last successful sync: {when}").format(when=ledger.last_success or _("never")))
    if ledger.pulled:
        listed = _("registration list: {count} (incremental)")
    else:
        listed = _("registration list: {count} (not pulled yet)")
    print(listed.format(count=ledger.registrations))
    print(_("conflicts reported: {count}").format(count=len(ledger.conflicts)))
    for c in ledger.conflicts:
        print(f"  {conflict_line(c, ledger.timezone)}")
    for f in ledger.outbox_failures:
        tries = tr.ngettext("{count} try", "{count} tries", f["attempts"]).format(
            count=f["attempts"]
        )
        said = _("outbox #{seq} {kind} {key}: {tries}, {error}").format(
            seq=f["seq"], kind=f["kind"], key=f["key"], tries=tries, error=f["last_error"]
        )
        print(f"  {said}")
    _pretix_lines(ledger.pretix_pull, tr)
    if sync.source == "none":
        return 0
    return _probe(_engine(rt).source, rt.source_kind, tr)


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


def _pretix_lines(last: dict[str, Any], tr: Translator) -> None:
    """What the last pulls said about pretix's check-in lists (changes, removals)."""
    if last.get("at"):
        removed = int(last.get("removed", 0) or 0)
        said = tr.ngettext(
            "last full pull: {at}, {count} registration removed",
            "last full pull: {at}, {count} registrations removed",
            removed,
        )
        when = last.get("at")
        print(said.format(at=when, count=removed))
    for door, what in sorted((last.get("lists_changed") or {}).items()):
        print(f"  {_list_line(door, what, tr)}")


def _probe(source: Any, kind: Any, tr: Translator) -> int:
    """Ask the source now. pretix: 0 all good, 1 unreachable (try later), 2 a key to fix
    (as `sync --once`); the hub: 0 or 1, as before."""
    _ = tr.gettext
    name = kind.name
    check = check_source(source, kind.abilities)
    for step in check.steps:
        if step.ok:
            said = _("{what}: ok ({detail})").format(what=step.what, detail=step.detail)
        else:
            fix = _fix(step.key, tr)
            said = _("{what}: FAILED: {detail}").format(what=step.what, detail=step.detail) + fix
        print(f"{name}: {said}")
    if check.identity:
        if check.reachable:
            print(f"{name}: " + _("reachable, token accepted"))
        else:
            print(f"{name}: " + _("not reachable now: {error}").format(error=check.error))
    return check.status
