"""`accueil search NAME`: find registrations by name, organisation or e-mail."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "search",
        help="search registrations by name (accents, case and Arabic spelling ignored)",
        description="Every word typed must start a word of the name, organisation or e-mail.",
    )
    parser.add_argument("text", nargs="+")
    parser.add_argument("--limit", type=int, default=20)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, rt: Any) -> int:
    found = rt.store.search(" ".join(args.text), args.limit)
    for reg in found:
        days = ",".join(str(d) for d in sorted(reg.days)) or "all"
        print(f"{reg.id}\t{reg.full_name}\t{reg.organisation}\t{reg.role.value}\t"
              f"{reg.status.value}\tdays {days}")  # fmt: skip
    if not found:
        print("no registration found")
        return 1
    return 0
