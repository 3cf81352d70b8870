"""`accueil import FILE`: load a registration list (CSV or JSON), all or nothing."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from sync.importers import FORMATS, RegistrationImportError, load_files


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "import",
        help="import registrations from CSV or JSON (pretix, Eventbrite or generic)",
        description="Import a registration list into the local store. Every row is checked "
        "first: one bad row refuses the whole file (file, line and column are named) and the "
        "store is left unchanged. Re-importing a file updates by registration id.",
    )
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
    parser.add_argument("--format", choices=FORMATS, default="auto", help="default: detect")
    parser.add_argument("--dry-run", action="store_true", help="check the files, write nothing")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, rt: Any) -> int:
    try:
        parsed = load_files(args.files, args.format, rt.timezone)
    except RegistrationImportError as exc:
        print(f"accueil import: {exc}", file=sys.stderr)
        return 1
    for path, regs in parsed:
        if args.dry_run:
            print(f"{path}: {len(regs)} registrations, all valid (dry run: nothing written)")
            continue
        counts = rt.store.upsert_registrations(regs, source=path.name)
        print(
            f"{path}: {counts.total} registrations "
            f"({counts.added} new, {counts.updated} updated, {counts.unchanged} unchanged)"
        )
    return 0
