"""Writing a report to a folder: CSV tables, PNG charts, the HTML page and the exports.

Reports name attendees, so the folder and every file in it are readable by the owner only.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.core.i18n import Translator
from sync import csvfile
from sync.reports.compute import Report, Table
from sync.reports.exports import generic_table, pretix_export
from sync.reports.page import report_html


@dataclass
class Written:
    """What write_report produced."""

    folder: Path
    files: list[Path] = field(default_factory=list)
    pretix_checkins: int = 0
    pretix_failed: int = 0
    pretix_skipped: int = 0

    @property
    def html(self) -> Path:
        return self.folder / "report.html"


def csv_text(table: Table, *, excel: bool = False) -> str:
    """The table as CSV; ``excel`` adds a byte-order mark so spreadsheets read UTF-8.

    Cells that would start a formula are defused (:mod:`sync.csvfile`), in every table.
    """
    buffer = io.StringIO()
    writer = csvfile.writer(buffer, lineterminator="\n")
    writer.writerow(table.columns)
    writer.writerows(table.rows)
    return ("\ufeff" if excel else "") + buffer.getvalue()


def _write(path: Path, data: str | bytes) -> Path:
    fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data.encode("utf-8") if isinstance(data, str) else data)
    os.chmod(path, 0o600)
    return path


def write_report(
    report: Report,
    folder: Path,
    *,
    pretix_list: int | None = None,
    lang: str = "en",
    tr: Translator | None = None,
) -> Written:
    """Write every table, chart and export of ``report`` into ``folder`` (created 0700).

    ``lang``/``tr``: the language of the page and charts (compute the report with the same
    translator for its tables). The two export files keep their fixed machine headers.
    """
    # matplotlib (the `reports` extra) is needed only here, and before anything is written:
    # the hub and kiosks that never write a report do not install it.
    from sync.reports.charts import CHARTS, all_charts

    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(folder, 0o700)
    out = Written(folder)
    files: dict[str, str] = {}
    for table in report.tables.values():
        name = f"{table.name}.csv"
        out.files.append(_write(folder / name, csv_text(table, excel=True)))
        files[table.name] = name
    generic = generic_table(report)
    out.files.append(_write(folder / "checkins_export.csv", csv_text(generic)))
    files[generic.name] = "checkins_export.csv"
    pretix = pretix_export(report, pretix_list)
    out.files.append(_write(folder / "pretix_checkins.csv", csv_text(pretix.csv_table())))
    out.files.append(_write(folder / "pretix_redeem.jsonl", pretix.jsonl(pretix.redeem)))
    out.files.append(_write(folder / "pretix_failed_checkins.jsonl", pretix.jsonl(pretix.failed)))
    files["pretix_checkins"] = "pretix_checkins.csv"
    out.pretix_checkins, out.pretix_failed = len(pretix.redeem), len(pretix.failed)
    out.pretix_skipped = len(pretix.skipped)
    pngs = all_charts(report, tr, lang)
    charts: dict[str, tuple[str, bytes]] = {}
    for name, png in pngs.items():
        out.files.append(_write(folder / f"{name}.png", png))
        caption = tr.gettext(CHARTS[name][0]) if tr else CHARTS[name][0]
        charts[name] = (caption, png)
    out.files.append(_write(out.html, report_html(report, charts, files, lang=lang, tr=tr)))
    return out
