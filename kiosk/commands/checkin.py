"""`accueil checkin CODE`: the whole decision against the local store, recorded.

It answers as a kiosk would: the attendee's sentence in the attendee's language (their
registration's, else the kiosk's ``[kiosk] language``), the staff sentence and the badge
line in the staff language (``[staff] language``); ``--lang`` puts every line in one
language. The first line is for scripts and stays the same in every language:
``OK|REFUSED <reason code> [<registration id>] [(provisional)]``.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from kiosk.core.i18n import LANGUAGES, N_, Translator
from kiosk.core.model import Direction
from kiosk.core.texts import attendee_text, job_status, staff_text
from kiosk.locale import translator
from kiosk.services.checking import CommandCheckin
from kiosk.services.printing import PrintedNow

# The first line's verdict word: a code for scripts, the same in every language.
STATUS = {True: "OK", False: "REFUSED"}
PROVISIONAL = "(provisional)"


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
    parser.add_argument(
        "--lang",
        choices=sorted(LANGUAGES),
        help="every line in this language (default: the attendee's for the attendee line, "
        "[staff] language for the others)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, rt: Any) -> int:
    for warning in (rt.demo_key_warning(), rt.day_warning()):
        if warning:
            print(f"accueil checkin: warning: {warning}", file=sys.stderr)
    direction = Direction.EXIT if args.exit else Direction.ENTRY
    desk = CommandCheckin(rt.checkin, rt.store, lambda: rt.print_queue)
    try:
        checked = desk.check(args.code, direction, args.session, staff=args.staff)
    except LookupError as exc:  # no such session, or the door's session is not today
        print(f"accueil checkin: {exc.args[0] if exc.args else exc}", file=sys.stderr)
        return 2
    verdict = checked.result.verdict
    reg = verdict.registration
    attendee_lang = args.lang or (reg.lang if reg and reg.lang else rt.config.kiosk.language)
    staff = translator(args.lang or rt.config.staff.language)
    title = checked.session_title
    badge_line, printed = "", True
    if checked.badge is not None:
        badge_line, printed = _badge_line(checked.badge, staff)
    status = [STATUS[verdict.ok], verdict.reason.value, reg.id if reg else ""]
    print(" ".join(p for p in (*status, PROVISIONAL if verdict.provisional else "") if p))
    said = attendee_text(verdict, translator(str(attendee_lang)), title, badge_at_desk=not printed)
    print(staff.gettext("attendee: {text}").format(text=said))
    print(staff.gettext("staff:    {text}").format(text=staff_text(verdict, staff, title)))
    if badge_line:
        print(staff.gettext("badge:    {text}").format(text=badge_line))
    if not verdict.ok:
        return 1
    return 0 if printed else 3


def _badge_line(badge: PrintedNow, tr: Translator) -> tuple[str, bool]:
    """What to tell of the earned badge, and whether it comes out. Never promises a badge
    that the printer's probed state says cannot come out; an unprinted one is held."""
    if badge.printed:
        return tr.gettext(N_("printed (job {job}) on {printer}")).format(
            job=badge.job_id, printer=badge.printer
        ), True
    if badge.elsewhere:
        # the kiosk app (another process) has it: it is being printed there
        return tr.gettext(N_("job {job} is being printed by the kiosk app on {printer}")).format(
            job=badge.job_id, printer=badge.printer
        ), True
    job = badge.job
    status = tr.pgettext("print job", job_status(job.status).id) if job else "-"
    return tr.gettext(
        N_(
            "NOT printed: printer {printer} is {state} ({message}); job {job} is {status}: it "
            "will not print by itself. Release it with `accueil badge {registration} --print` "
            "or from the printer panel (F3, retry), or cancel it there."
        )
    ).format(
        printer=badge.printer,
        state=badge.state,
        message=badge.message,
        job=badge.job_id,
        status=status,
        registration=job.registration_id if job else "",
    ), False
