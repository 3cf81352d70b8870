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
        "(committed), print the badge it earns now, and print the verdict. Exit status 0 "
        "when accepted, 1 when refused, 3 when accepted but the badge could not print (it "
        "is held for staff: `accueil badge REG_ID --print` or the printer panel releases "
        "it).",
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
    rt.checkin.hold_badges = True  # printed below, or left held: never later by itself
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
    badge_line, printed = "", True
    if result.print_job is not None:
        badge_line, printed = _print_badge(rt, result.print_job)
    print(f"{'OK' if verdict.ok else 'REFUSED'} {verdict.reason.value}"
          + (f" {reg.id}" if reg else "") + (" (provisional)" if verdict.provisional else ""))  # fmt: skip
    print(f"attendee: {attendee_text(verdict, lang, title, badge_at_desk=not printed)}")
    print(f"staff:    {staff_text(verdict, lang, title)}")
    if badge_line:
        print(f"badge:    {badge_line}")
    if not verdict.ok:
        return 1
    return 0 if printed else 3


def _print_badge(rt: Any, job_id: int) -> tuple[str, bool]:
    """Print the earned badge now: (what to tell, printed). Never promises a badge that
    the printer's probed state says cannot come out; an unprinted one is held for staff."""
    queue = rt.print_queue
    printed, state = queue.print_now(job_id)
    job = rt.store.print_job(job_id)
    if printed:
        return f"printed (job {job_id}) on {state.printer}", True
    if job is not None and job.status in ("pending", "printing"):
        # the kiosk app (another process) has it: it is being printed there
        return f"job {job_id} is being printed by the kiosk app on {state.printer}", True
    status = job.status if job is not None else "gone"
    return (
        f"NOT printed: printer {state.printer} is {state.state.value} "
        f"({state.printer_message or state.message}); "
        f"job {job_id} is {status}: it will not print by itself. Release it with "
        f"`accueil badge {job.registration_id if job else ''} --print` or from the printer "
        "panel (F3, retry), or cancel it there.",
        False,
    )
