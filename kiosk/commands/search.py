"""`accueil search NAME`: find registrations by name, organisation or e-mail.

One registration a line, tab-separated: id, name, organisation, role and status codes, and
the days in the staff language (``[staff] language``, or ``--lang``).
"""

from __future__ import annotations

import argparse
from typing import Any

from kiosk.core.i18n import LANGUAGES
from kiosk.core.texts import days_text
from kiosk.locale import translator


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "search",
        help="search registrations by name (accents, case and Arabic spelling ignored)",
        description="Every word typed must start a word of the name, organisation or e-mail.",
    )
    parser.add_argument("text", nargs="+")
    parser.add_argument("--limit", type=int, default=20)
    parser.add_argument("--lang", choices=sorted(LANGUAGES), help="default: [staff] language")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, rt: Any) -> int:
    tr = translator(args.lang or rt.config.staff.language)
    found = rt.store.search(" ".join(args.text), args.limit)
    for reg in found:
        fields = (reg.id, reg.full_name, reg.organisation, reg.role.value, reg.status.value)
        print("\t".join((*fields, days_text(reg.days, tr))))
    if not found:
        print(tr.gettext("no registration found"))
        return 1
    return 0
