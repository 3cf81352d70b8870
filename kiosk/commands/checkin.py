"""`accueil checkin CODE`: the whole decision against the local store, recorded."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from kiosk.core.model import Direction, Lang
from kiosk.core.texts import attendee_text, staff_text


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "checkin",
        help="check in one code and print the verdict (exit 0 ok, 1 refused)",
        description="Decide one scan exactly as a kiosk does, record it in the scan log "
        "(committed), and print the verdict. Exit status 0 when accepted, 1 when refused.",
    )
    parser.add_argument("code", help="the QR code text, a pretix secret or a barcode")
    parser.add_argument("--session", help="session id: a session door scan")
    parser.add_argument("--exit", action="store_true", help="an exit scan")
    parser.add_argument("--staff", default="", help="staff member recorded with the scan")
    parser.add_argument("--lang", choices=[lang.value for lang in Lang], default="en")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, rt: Any) -> int:
    for warning in (rt.demo_key_warning(), rt.day_warning()):
        if warning:
            print(f"accueil checkin: warning: {warning}", file=sys.stderr)
    direction = Direction.EXIT if args.exit else Direction.ENTRY
    try:
        result = rt.checkin.check(args.code, direction, args.session, staff=args.staff)
    except LookupError as exc:  # no such session, or the door's session is not today
        print(f"accueil checkin: {exc.args[0] if exc.args else exc}", file=sys.stderr)
        return 2
    verdict, lang = result.verdict, Lang(args.lang)
    title = ""
    if verdict.session_id:
        session = rt.store.session(verdict.session_id)
        title = session.title if session else verdict.session_id
    reg = verdict.registration
    print(f"{'OK' if verdict.ok else 'REFUSED'} {verdict.reason.value}"
          + (f" {reg.id}" if reg else "") + (" (provisional)" if verdict.provisional else ""))  # fmt: skip
    print(f"attendee: {attendee_text(verdict, lang, title)}")
    print(f"staff:    {staff_text(verdict, lang, title)}")
    if result.print_job is not None:
        print(f"badge:    queued (job {result.print_job})")
    return 0 if verdict.ok else 1
