"""`accueil setup`: create the data folder and load the configured event and registrations."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from kiosk.config import ConfigError
from kiosk.core.codes import CodeClashError
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
    try:
        event, sessions = load_event(cfg.resolve(cfg.event.definition))
    except EventFileError as exc:
        raise ConfigError(f"[event] definition: {exc}") from None
    rt.store.save_event(event, sessions)
    print(f"event: {event.name} ({len(event.days)} days, {len(sessions)} sessions)")
    for name in cfg.event.registrations:
        path = cfg.resolve(name)
        try:
            regs = load_registrations(path, timezone=rt.config.event.timezone or event.timezone)
        except RegistrationImportError as exc:
            print(f"accueil setup: {exc}", file=sys.stderr)
            return 1
        try:
            counts = rt.store.import_registrations(regs, source=path.name)
        except CodeClashError as exc:
            print(f"accueil setup: {path}: import refused, nothing was written: {exc}",
                  file=sys.stderr)  # fmt: skip
            return 1
        print(
            f"{path.name}: {counts.total} registrations "
            f"({counts.added} new, {counts.updated} updated, {counts.unchanged} unchanged)"
        )
    print(f"store: {cfg.store_path} (owner-only)")
    return 0
