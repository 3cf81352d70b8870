"""`accueil pin`: hash a staff PIN for config.toml (the PIN itself is never stored)."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from kiosk.staff_auth import PinFormatError, check_pin_format, hash_pin


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "pin",
        help="hash a staff PIN and print the line to paste into config.toml",
        description='Asks for the PIN twice (not echoed) and prints pin_hash = "…". '
        "Use --supervisor for the supervisor's PIN.",
    )
    parser.add_argument("--supervisor", action="store_true", help="print supervisor_pin_hash")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, rt: Any) -> int:
    ask = getpass.getpass if sys.stdin.isatty() else _read_line
    first = ask("New staff PIN (4+ digits): ")
    try:
        check_pin_format(first)
    except PinFormatError as exc:
        print(f"accueil pin: {exc}", file=sys.stderr)
        return 2
    if ask("Same PIN again: ") != first:
        print("accueil pin: the two PINs differ; nothing printed", file=sys.stderr)
        return 2
    key = "supervisor_pin_hash" if args.supervisor else "pin_hash"
    print(f'{key} = "{hash_pin(first)}"')
    print(f"# paste under [staff] in {rt.config.path.name} (or set ACCUEIL_STAFF_{key.upper()})",
          file=sys.stderr)  # fmt: skip
    return 0


def _read_line(prompt: str) -> str:
    print(prompt, end="", file=sys.stderr, flush=True)
    return sys.stdin.readline().rstrip("\n")
