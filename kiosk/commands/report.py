"""`accueil report`: the day's attendance report (CSV, charts, printable HTML, exports)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from kiosk.config import ConfigError
from kiosk.core.i18n import LANGUAGES


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "report",
        help="attendance report: CSV tables, charts, printable HTML, pretix export",
        description="On the hub machine (--hub) the report covers every kiosk's uploads; on a "
        "kiosk it covers that kiosk's store (its scans and those it pulled). See docs/reports.md.",
    )
    parser.add_argument("--day", type=int, help="only this event day (default: every day)")
    parser.add_argument(
        "--out", type=Path, help="folder to write (default: DATA_DIR/reports/EVENT-dayN-TIME)"
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--hub", action="store_true", help="read the hub database ([hub] database)")
    where.add_argument("--kiosk", action="store_true", help="read this kiosk's store")
    parser.add_argument("--database", help="with --hub: default [hub] database")
    parser.add_argument(
        "--lang",
        choices=sorted(LANGUAGES),
        help="language of the page, charts and CSV headers (default: [staff] language)",
    )
    parser.add_argument(
        "--pretix-list",
        type=int,
        help="pretix check-in list id for the export (default: [pretix] checkin_list)",
    )
    parser.set_defaults(func=run)


def _use_hub(args: argparse.Namespace, rt: Any) -> bool:
    """--hub, --kiosk, or: the hub when this machine has no kiosk store but a hub database."""
    if args.hub or args.kiosk:
        return bool(args.hub)
    if rt.config.store_path.exists():
        return False
    raw = args.database or rt.config.hub.database
    if raw.startswith("sqlite:///"):
        from sync.hub.db import HubError, database_url

        try:
            return Path(database_url(raw, rt.config.base).removeprefix("sqlite:///")).exists()
        except HubError:
            return True  # open_db names the bad [hub] database setting
    return bool(raw.startswith(("postgresql", "postgres:")))


def _hub_source(args: argparse.Namespace, rt: Any) -> tuple[Any, Any]:
    from kiosk.commands.hub import open_db
    from sync.importers import EventFileError, load_event
    from sync.reports import HubReportSource

    db = open_db(rt, args.database)
    event = sessions = None
    definition = rt.config.resolve(rt.config.event.definition)
    if definition.exists():
        try:
            event, sessions = load_event(definition)
        except EventFileError as exc:
            db.close()
            raise ConfigError(f"{rt.config.path}: [event] definition: {exc}") from None
    return HubReportSource(db, event, sessions), db


def run(args: argparse.Namespace, rt: Any) -> int:
    from kiosk.locale import CatalogueError, translator
    from sync.reports import NoEventError, StoreReportSource, compute, snapshot, write_report
    from sync.reports.charts import CHARTS  # noqa: F401  (the `reports` extra, checked first)

    lang = args.lang or rt.config.staff.language
    try:
        tr = translator(lang)
    except CatalogueError as exc:
        print(f"accueil report: {exc}", file=sys.stderr)
        return 2
    _ = tr.gettext

    db = None
    if _use_hub(args, rt):
        source, db = _hub_source(args, rt)
    else:
        if not rt.config.store_path.exists():
            message = _(
                "no kiosk store at {path}; run `accueil setup`, or use --hub on the hub machine"
            ).format(path=rt.config.store_path)
            print(f"accueil report: {message}", file=sys.stderr)
            return 1
        kiosk = rt.config.kiosk
        source = StoreReportSource(rt.store, kiosk.id, kiosk.name)
    try:
        data = snapshot(source)
    except NoEventError as exc:
        print(f"accueil report: {exc}", file=sys.stderr)
        return 1
    finally:
        if db is not None:
            db.close()
    try:
        report = compute(data, args.day, tr=tr)
    except ValueError as exc:
        print(f"accueil report: {exc}", file=sys.stderr)
        return 2
    stamp = report.generated_at.strftime("%Y%m%d-%H%M")
    which = f"day{args.day}" if args.day is not None else "all-days"
    out: Path = args.out or rt.config.data_dir / "reports" / f"{data.event.slug}-{which}-{stamp}"
    pretix_list = args.pretix_list or rt.config.sync.pretix_checkin_list or None
    written = write_report(report, out, pretix_list=pretix_list, lang=lang, tr=tr)
    scope_day = _("day {day}").format(day=args.day) if args.day is not None else _("all days")
    print(f"{report.event_name} — {report.scope}, {scope_day}")
    width = max(len(label) for label, _ in report.summary)
    for label, value in report.summary:
        print(f"  {label:<{width}}  {value}")
    print(_("Report: {path}").format(path=written.html))
    print(
        _("{count} files in {folder} (owner-only: they name attendees)").format(
            count=len(written.files), folder=out
        )
    )
    print(
        _(
            "pretix export: {checkins} check-ins, {failed} failed scans, "
            "{skipped} not for pretix (walk-ins, undone)"
        ).format(
            checkins=written.pretix_checkins,
            failed=written.pretix_failed,
            skipped=written.pretix_skipped,
        )
    )
    if not pretix_list and written.pretix_checkins:
        print(
            "  "
            + _(
                "no check-in list id: give --pretix-list ID (or [pretix] checkin_list) "
                "before uploading pretix_redeem.jsonl"
            ),
            file=sys.stderr,
        )
    return 0
