"""The printable HTML report: one file, charts embedded as data URIs, every table."""

from __future__ import annotations

import base64
from html import escape

from sync.reports.compute import Report, Table

MAX_ROWS = 2000  # per table in the page; the CSV file always holds every row

_CSS = """
body { font-family: "DejaVu Sans", "Noto Sans", Arial, sans-serif; margin: 2rem auto;
       max-width: 70rem; color: #1b1b1b; line-height: 1.4; padding: 0 1rem; }
h1 { margin-bottom: .2rem; } .meta { color: #555; margin-top: 0; }
nav ul { columns: 3; padding-left: 1.2rem; } a { color: #1f6f8b; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1.5rem; font-size: .85rem; }
th, td { border: 1px solid #ccd5db; padding: .25rem .45rem; text-align: start;
         vertical-align: top; }
th { background: #eef3f6; } tbody tr:nth-child(even) { background: #f8fafb; }
td.num { text-align: end; font-variant-numeric: tabular-nums; }
figure { margin: 1rem 0 2rem; } figure img { max-width: 100%; height: auto; }
figcaption { color: #555; font-size: .9rem; } .note { color: #555; font-size: .9rem; }
.summary td:first-child { width: 60%; }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; } nav, .downloads { display: none; }
  figure, tr { break-inside: avoid; } h2 { break-after: avoid; }
  section.table { break-before: auto; } a { color: inherit; text-decoration: none; }
}
"""


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    cls = ' class="num"' if numeric else ""
    return f'<td{cls} dir="auto">{escape(text)}</td>'


def table_html(table: Table, csv_name: str | None) -> str:
    head = "".join(f"<th>{escape(c)}</th>" for c in table.columns)
    shown = table.rows[:MAX_ROWS]
    body = "".join("<tr>" + "".join(_cell(v) for v in row) + "</tr>" for row in shown)
    more = len(table.rows) - len(shown)
    parts = [
        f'<section class="table" id="{escape(table.name)}">',
        f"<h2>{escape(table.title)} <small>({len(table.rows)})</small></h2>",
    ]
    if table.note:
        parts.append(f'<p class="note">{escape(table.note)}</p>')
    if csv_name:
        parts.append(
            f'<p class="downloads"><a href="{escape(csv_name)}">{escape(csv_name)}</a></p>'
        )
    if table.rows:
        parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
    else:
        parts.append('<p class="note">Nothing to show.</p>')
    if more:
        parts.append(
            f'<p class="note">{more} more rows in {escape(csv_name or "the CSV file")}.</p>'
        )
    parts.append("</section>")
    return "\n".join(parts)


def report_html(
    report: Report,
    charts: dict[str, tuple[str, bytes]],
    files: dict[str, str],
    *,
    lang: str = "en",
) -> str:
    """The whole page. ``charts``: name -> (caption, PNG); ``files``: table name -> CSV file."""
    scope_day = f"day {report.day}" if report.day is not None else "all days"
    title = f"{report.event_name}: attendance report ({scope_day})"
    order = [
        "checkins", "sessions", "session_attendees", "arrivals", "no_shows", "walkins",
        "reprints", "overrides", "refusals", "refused_scans", "scanner_input", "conflicts",
    ]  # fmt: skip
    tables = [report.tables[n] for n in order if n in report.tables]
    nav = "".join(f'<li><a href="#{escape(t.name)}">{escape(t.title)}</a></li>' for t in tables)
    summary = "".join(
        f"<tr><td>{escape(label)}</td>{_cell(value)}</tr>" for label, value in report.summary
    )
    figures = "".join(
        f'<figure id="chart-{escape(name)}"><img alt="{escape(caption)}" '
        f'src="data:image/png;base64,{base64.b64encode(png).decode()}">'
        f"<figcaption>{escape(caption)}</figcaption></figure>"
        for name, (caption, png) in charts.items()
    )
    downloads = "".join(
        f'<li><a href="{escape(f)}">{escape(f)}</a></li>' for f in sorted(set(files.values()))
    )
    kiosks = Table(
        "kiosks",
        "Kiosks",
        ("kiosk", "name", "scans", "last contact", "pending uploads", "printer", "badges printed",
         "reprints"),
        [
            (k.kiosk_id, k.name, k.scans,
             k.last_contact.astimezone(report.tz).strftime("%Y-%m-%d %H:%M") if k.last_contact else "",
             "" if k.pending_uploads is None else k.pending_uploads, k.printer_state,
             "" if k.badges_printed is None else k.badges_printed,
             "" if k.reprints is None else k.reprints)
            for k in report.kiosks
        ],
    )  # fmt: skip
    sections = "\n".join(table_html(t, files.get(t.name)) for t in tables)
    return f"""<!DOCTYPE html>
<html lang="{escape(lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<style>{_CSS}</style>
</head>
<body>
<header>
<h1>{escape(title)}</h1>
<p class="meta">{escape(report.scope)} · generated {report.generated_at:%Y-%m-%d %H:%M} ({escape(str(report.tz))})</p>
</header>
<nav><h2>Contents</h2><ul>
<li><a href="#summary">Summary</a></li><li><a href="#charts">Charts</a></li>
<li><a href="#kiosks">Kiosks</a></li>{nav}<li><a href="#downloads">Files</a></li>
</ul></nav>
<section id="summary"><h2>Summary</h2>
<table class="summary"><tbody>{summary}</tbody></table></section>
<section id="charts"><h2>Charts</h2>{figures}</section>
{table_html(kiosks, None)}
{sections}
<section id="downloads" class="downloads"><h2>Files</h2><ul>{downloads}</ul></section>
</body>
</html>
"""
