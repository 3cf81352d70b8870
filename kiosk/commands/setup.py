"""`accueil setup`: create the data folder and load the configured event and registrations."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from kiosk.config import ConfigError
from sync.importers import EventFileError, RegistrationImportError, load_event, load_registrations


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "setup",
        help="load the event definition and registration files named in config.toml",
        description="Create the kiosk's data folder and store, then import [event] definition "
        "and [event] registrations. Safe to run again: unchanged rows are left alone.",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, rt: Any) -> int:
    cfg = rt.config
    event, sessions = None, []
    if cfg.event.definition:
        try:
            event, sessions = load_event(cfg.resolve(cfg.event.definition))
        except EventFileError as exc:
            raise ConfigError(f"[event] definition: {exc}") from None
    if cfg.sync.source == "pretix":
        status = _event_from_pretix(rt)
        if isinstance(status, int):
            return status
        event = status  # pretix owns the name, dates and zone; sessions stay the file's
    if event is None:
        raise ConfigError(
            f"{cfg.path}: [event] definition is empty: name an event file, or set [sync] "
            'source = "pretix" to take the event from pretix'
        )
    rt.store.save_event(event, sessions)
    print(f"event: {event.name} ({len(event.days)} days, {len(sessions)} sessions)")
    if cfg.sync.source == "pretix":
        if cfg.event.day:
            print(
                f"{cfg.path}: [event] day = {cfg.event.day} forces the event day: pretix's dates "
                "are not followed and check-ins from pretix count for their own day. "
                "Set day = 0 at a real event.",
                file=sys.stderr,
            )
        if cfg.event.registrations:
            print("[event] registrations ignored: pretix is the source (accueil sync --once)")
        print(f"store: {cfg.store_path} (owner-only)")
        return 0
    for name in cfg.event.registrations:
        path = cfg.resolve(name)
        try:
            regs = load_registrations(path, timezone=rt.config.event.timezone or event.timezone)
        except RegistrationImportError as exc:
            print(f"accueil setup: {exc}", file=sys.stderr)
            return 1
        counts = rt.store.upsert_registrations(regs, source=path.name)
        print(
            f"{path.name}: {counts.total} registrations "
            f"({counts.added} new, {counts.updated} updated, {counts.unchanged} unchanged)"
        )
    print(f"store: {cfg.store_path} (owner-only)")
    return 0


def _event_from_pretix(rt: Any) -> Any:
    """pretix's event as the kiosk's, or an exit status (1 unreachable, 2 a key to fix)."""
    from sync.pretix import PretixSource
    from sync.remote import SourceRejected, SourceUnavailable

    source = PretixSource.from_config(rt.config.sync, rt.config.kiosk)
    try:
        event, note = source.kiosk_event_from_pretix()
    except SourceRejected as exc:
        print(f"accueil setup: {exc}", file=sys.stderr)
        return 2
    except SourceUnavailable as exc:
        print(f"accueil setup: {exc}; try again when pretix answers", file=sys.stderr)
        return 1
    finally:
        source.close()
    print(f"event from pretix: {event.slug}, {event.timezone}" + (f" ({note})" if note else ""))
    return event
