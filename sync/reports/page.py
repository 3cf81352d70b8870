"""The printable HTML report: one file, charts embedded as data URIs, every table.

The page is in one language (``lang``: its words from the catalogues, ``dir`` from the
language table) and never scrolls sideways: a wide table scrolls inside its own box, long
words wrap, images shrink to the width (checked at 360 and 1280 CSS pixels).
"""

from __future__ import annotations

import base64
from html import escape

from kiosk.core.i18n import SourceText, Translator, language
from sync.reports.compute import Report, Table

MAX_ROWS = 2000  # per table in the page; the CSV file always holds every row

_CSS = """
body { font-family: FONTS, sans-serif; margin: 2rem auto;
       max-width: 70rem; color: #1b1b1b; line-height: 1.4; padding: 0 1rem;
       overflow-wrap: anywhere; }
h1 { margin-bottom: .2rem; } .meta { color: #555; margin-top: 0; }
nav ul { columns: 14rem 3; padding-inline-start: 1.2rem; } a { color: #1f6f8b; }
.scroll { overflow-x: auto; max-width: 100%; margin: .5rem 0 1.5rem; }
table { border-collapse: collapse; width: 100%; font-size: .85rem; }
td { overflow-wrap: normal; } td.long { min-width: 12rem; overflow-wrap: anywhere; }
th, td { border: 1px solid #ccd5db; padding: .25rem .45rem; text-align: start;
         vertical-align: top; }
th { background: #eef3f6; } tbody tr:nth-child(even) { background: #f8fafb; }
td.num { text-align: end; font-variant-numeric: tabular-nums; }
figure { margin: 1rem 0 2rem; } figure img { max-width: 100%; height: auto; }
figcaption { color: #555; font-size: .9rem; } .note { color: #555; font-size: .9rem; }
.summary td:first-child { width: 60%; }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; } nav, .downloads { display: none; }
  .scroll { overflow: visible; } figure, tr { break-inside: avoid; } h2 { break-after: avoid; }
  section.table { break-before: auto; } a { color: inherit; text-decoration: none; }
}
"""


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    cls = ' class="num"' if numeric else (' class="long"' if len(text) > 40 else "")
    return f'<td{cls} dir="auto">{escape(text)}</td>'


def table_html(table: Table, csv_name: str | None, tr: Translator | None = None) -> str:
    """One table's section; ``tr`` translates the few words around it."""
    _ = (tr or SourceText()).gettext
    ngettext = (tr or SourceText()).ngettext
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
        parts.append(
            f'<div class="scroll"><table><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table></div>"
        )
    else:
        nothing = _("Nothing to show.")
        parts.append(f'<p class="note">{escape(nothing)}</p>')
    if more:
        text = ngettext("{count} more row in {file}.", "{count} more rows in {file}.", more).format(
            count=more, file=csv_name or _("the CSV file")
        )
        parts.append(f'<p class="note">{escape(text)}</p>')
    parts.append("</section>")
    return "\n".join(parts)


def report_html(
    report: Report,
    charts: dict[str, tuple[str, bytes]],
    files: dict[str, str],
    *,
    lang: str = "en",
    tr: Translator | None = None,
) -> str:
    """The whole page. ``charts``: name -> (caption, PNG); ``files``: table name -> CSV file.

    ``lang`` sets ``<html lang dir>`` and the fonts; ``tr`` its words (captions arrive
    translated). Raises :class:`KeyError` for a language with no entry in the table.
    """
    tr = tr or SourceText()
    _ = tr.gettext
    spoken = language(lang)
    scope_day = _("day {day}").format(day=report.day) if report.day is not None else _("all days")
    title = _("{event}: attendance report ({days})").format(event=report.event_name, days=scope_day)
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
        _("Kiosks"),
        (_("kiosk"), _("name"), _("scans"), _("last contact"), _("pending uploads"), _("printer"),
         _("badges printed"), _("reprints")),
        [
            (k.kiosk_id, k.name, k.scans,
             k.last_contact.astimezone(report.tz).strftime("%Y-%m-%d %H:%M") if k.last_contact else "",
             "" if k.pending_uploads is None else k.pending_uploads, k.printer_state,
             "" if k.badges_printed is None else k.badges_printed,
             "" if k.reprints is None else k.reprints)
            for k in report.kiosks
        ],
    )  # fmt: skip
    sections = "\n".join(table_html(t, files.get(t.name), tr) for t in tables)
    css = _CSS.replace("FONTS", ", ".join(f"'{f}'" for f in spoken.fonts))
    w_contents, w_summary = escape(_("Contents")), escape(_("Summary"))
    w_charts, w_kiosks, w_files = escape(_("Charts")), escape(_("Kiosks")), escape(_("Files"))
    generated = _("generated {when}").format(
        when=f"{report.generated_at:%Y-%m-%d %H:%M} ({report.tz})"
    )
    return f"""<!DOCTYPE html>
<html lang="{escape(spoken.code)}" dir="{spoken.direction}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<style>{css}</style>
</head>
<body>
<header>
<h1>{escape(title)}</h1>
<p class="meta">{escape(report.scope)} · {escape(generated)}</p>
</header>
<nav><h2>{w_contents}</h2><ul>
<li><a href="#summary">{w_summary}</a></li><li><a href="#charts">{w_charts}</a></li>
<li><a href="#kiosks">{w_kiosks}</a></li>{nav}<li><a href="#downloads">{w_files}</a></li>
</ul></nav>
<section id="summary"><h2>{w_summary}</h2>
<div class="scroll"><table class="summary"><tbody>{summary}</tbody></table></div></section>
<section id="charts"><h2>{w_charts}</h2>{figures}</section>
{table_html(kiosks, None, tr)}
{sections}
<section id="downloads" class="downloads"><h2>{w_files}</h2><ul>{downloads}</ul></section>
</body>
</html>
"""
