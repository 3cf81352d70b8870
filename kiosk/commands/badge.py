"""`accueil badge REG_ID [--preview FILE.png] [--print]`: render or print one badge.

Replies are in the staff language (``[staff] language``, or ``--lang``); the queue listing
(``--jobs``) keeps the job status and reason codes, which scripts read.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from kiosk.core.i18n import LANGUAGES, N_, Translator, Words
from kiosk.core.texts import job_status
from kiosk.locale import translator
from kiosk.services.desk import Reprints
from kiosk.services.printing import print_now

PRINT_WAIT_SECONDS = 20.0


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "badge",
        help="render a badge to PNG or print it through the print queue",
        description=(
            "Without --print, writes what the configured printer would print as a PNG "
            "(read back from the ESC/POS bytes). With --print, asks for the badge and prints "
            "it now: a badge already waiting for that person is the one printed (or, with "
            "--replace, cancelled for a new one); one that cannot print is held for staff, "
            "never printed later by itself. --jobs probes the printers and lists the queue."
        ),
    )
    parser.add_argument("registration", nargs="?", metavar="REG_ID")
    parser.add_argument("--preview", type=Path, metavar="FILE.png", help="write the badge here")
    parser.add_argument("--print", action="store_true", help="queue the badge and print it now")
    parser.add_argument("--printer", default="", help="a printer name from [printer.extra]")
    parser.add_argument(
        "--replace",
        action="store_true",
        help="with --print: cancel the badge already waiting for this person, queue a new "
        "one (needed when a badge stopped mid-way: say you checked the tray)",
    )
    parser.add_argument(
        "--method", choices=("auto", "raster", "text"), help="override [printer] method"
    )
    parser.add_argument("--escpos", type=Path, metavar="FILE.bin", help="also save the raw bytes")
    parser.add_argument("--staff", default="cli", help="who asked, for the staff log")
    parser.add_argument("--lang", choices=sorted(LANGUAGES), help="default: [staff] language")
    parser.add_argument(
        "--jobs", action="store_true", help="list the print queue and printer state"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, rt: Any) -> int:
    from printers.queue import JobError

    queue = rt.print_queue
    tr = translator(args.lang or rt.config.staff.language)

    def say(message: str, **fields: object) -> None:
        print(tr.gettext(message).format(**fields))

    if args.jobs:
        return _jobs(queue, tr)
    if not args.registration:
        say(N_("accueil badge: give a registration id (see `accueil search NAME`) or --jobs"))
        return 2
    reg = rt.store.get(args.registration)
    if reg is None:
        say(N_("no registration '{id}'; find the id with `accueil search NAME`"),
            id=args.registration)  # fmt: skip
        return 1
    if args.method:
        queue.maker.method = args.method
    printer_name = args.printer or queue.main
    if printer_name not in queue.printers:
        say(N_("no printer '{name}'; configured: {printers}"), name=printer_name,
            printers=", ".join(queue.printers))  # fmt: skip
        return 2
    profile = queue.printer(printer_name).profile
    encoded = queue.maker.encode(reg, profile)
    say(N_("{id} {name}: {method} badge, {size} bytes, {width} dots wide ({profile})"),
        id=reg.id, name=reg.name_on_badge, method=encoded.method, size=len(encoded.data),
        width=profile.width, profile=profile.name)  # fmt: skip
    if args.escpos:
        args.escpos.write_bytes(encoded.data)
        language = getattr(profile, "language", "")  # label printers speak their own
        kind = {"zpl": "ZPL", "brother_ql": "QL raster"}.get(language, "ESC/POS")
        say(N_("{kind} bytes written to {path}"), kind=kind, path=args.escpos)
    if args.preview or not args.print:
        target = (
            args.preview
            or rt.config.data_dir / rt.config.printer.preview_dir / f"preview-{reg.id}.png"
        )
        target.parent.mkdir(parents=True, exist_ok=True)
        from printers.devices import write_private_png

        write_private_png(queue.maker.preview(reg, profile), target)
        say(N_("preview written to {path}"), path=target)
    if not args.print:
        return 0
    desk = Reprints(rt.store, queue)
    interrupted = desk.interrupted(reg.id)
    if interrupted and not args.replace:  # the badge may be in the tray: a look first
        say(N_("not printed: job {job} stopped mid-badge (the kiosk or the printer went away), "
               "so the badge of {name} may already be in the tray. Check the tray; if it is "
               "not there, run this again with --replace (that job is then cancelled); if it "
               "is, cancel the job from the printer panel."),
            job=interrupted[0], name=reg.name_on_badge)  # fmt: skip
        return 1
    try:
        asked = desk.reprint(
            reg.id, args.staff, printer=args.printer, replace=args.replace, hold=True
        )
    except JobError as exc:
        say(N_("cannot print: {error}"), error=exc)
        return 1
    job_id, warning = asked.job_id, asked.warning
    if warning:
        said = warning.in_language(tr) if isinstance(warning, Words) else warning
        say(N_("warning: {warning}"), warning=said)
    job = rt.store.print_job(job_id)
    if not args.printer and job is not None and job.printer:
        printer_name = job.printer  # the waiting badge had been moved there (the desk's)
    return _print_now(rt, queue, job_id, printer_name, tr)


def _print_now(rt: Any, queue: Any, job_id: int, printer: str, tr: Translator) -> int:
    done = print_now(queue, rt.store, job_id, printer, PRINT_WAIT_SECONDS)
    if done.printed:
        print(tr.gettext("printed (job {job}) on {printer}").format(job=job_id, printer=printer))
        return 0
    if done.elsewhere:
        print(tr.gettext("job {job} is being printed by the kiosk app on {printer}").format(
            job=job_id, printer=printer))  # fmt: skip
        return 0
    job = done.job
    status = tr.pgettext("print job", job_status(job.status).id) if job else "-"
    print(tr.gettext(N_(
        "not printed: printer {printer} is {state} ({message}); job {job} is {status} and "
        "will not print by itself: run this again when the printer is fixed, or release or "
        "cancel it from the printer panel (`accueil badge --jobs` shows it)"
    )).format(printer=printer, state=done.state, job=job_id, status=status,
              message=done.message))  # fmt: skip
    return 1


def _jobs(queue: Any, tr: Translator) -> int:
    for state in queue.states(max_age=0):  # probed now: "unknown" only if it cannot say
        print(tr.gettext(N_("printer {printer} ({kind}): {state} — {message}")).format(
            printer=state.printer, kind=state.kind, state=state.state.value,
            message=state.message))  # fmt: skip
    jobs = queue.jobs(limit=30)
    main = tr.gettext(N_("(main)"))
    for job in jobs:
        when = job.printed_at or job.created_at
        extra = f" — {job.last_error}" if job.last_error and job.status != "done" else ""
        tries = tr.ngettext("{count} try", "{count} tries", job.attempts).format(count=job.attempts)
        # status and reason stay codes: scripts read this table
        print(f"{job.id:>6} {job.status:<9} {job.registration_id:<10} {job.reason:<8} "
              f"{job.printer or main:<8} {tries} {when:%d/%m %H:%M}{extra}")  # fmt: skip
    if not jobs:
        print(tr.gettext(N_("no print jobs yet")))
    return 0
