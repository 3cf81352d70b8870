"""The report's charts as PNG bytes, drawn off-screen with matplotlib's Agg backend.

Every chart takes a :class:`kiosk.core.i18n.Translator` and the language code: words come
from the catalogues, drawn in the language's fonts with every script's font as fallback
(names and titles come in any script). Text stays in logical order: matplotlib 3.11 shapes
it (libraqm), so Arabic letters join and right-to-left runs are ordered by matplotlib.
"""

from __future__ import annotations

import io
import threading
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display on a kiosk or a server; must precede pyplot

import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from kiosk.core.i18n import ARABIC_FONTS, LATIN_FONTS, N_, SourceText, Translator, language
from sync.reports.compute import Report

ACCENT = "#1f6f8b"
CAPACITY = "#d9e2e8"
OVER = "#c0392b"
REFUSED = "#e67e22"
_lock = threading.Lock()


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight", facecolor="white")
    plt.close(fig)
    return buffer.getvalue()


class _Words:
    """Translated text for one chart, and whether its language is right-to-left."""

    def __init__(self, tr: Translator | None, lang: str) -> None:
        self.tr = tr or SourceText()
        self.rtl = language(lang).rtl
        self.fonts = list(language(lang).fonts)

    def show(self, text: str) -> str:
        """``text`` as matplotlib takes it: in logical order (matplotlib 3.11 lays text out
        with libraqm, joining Arabic letters and ordering right-to-left runs itself)."""
        return text

    def __call__(self, message: str, **fields: object) -> str:
        return self.show(self.tr.gettext(message).format(**fields))


def _fonts(words: _Words) -> dict[str, Any]:
    """matplotlib rc for the language's fonts (only those matplotlib can find are used)."""
    _register_font_packages()
    # every script's font after the language's own: names and titles come in any script,
    # and matplotlib falls back glyph by glyph along this list
    families = dict.fromkeys([*words.fonts, *LATIN_FONTS, *ARABIC_FONTS, "DejaVu Sans"])
    return {"font.family": list(families)}


_registered = False


def _register_font_packages() -> None:
    """Add the Noto font packages' files to matplotlib's font list, once."""
    global _registered
    if _registered:
        return
    _registered = True
    from importlib import resources

    from matplotlib import font_manager

    for package in ("fontpkg_noto_sans", "fontpkg_noto_sans_arabic"):
        try:
            folder = resources.files(package) / "files"
        except ModuleNotFoundError:
            continue
        for entry in folder.iterdir():
            if entry.name.endswith(".ttf"):
                font_manager.fontManager.addfont(str(entry))


def _empty(ax: Any, text: str) -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", fontsize=12, color="#666666")
    ax.set_axis_off()


def arrivals_figure(report: Report, tr: Translator | None = None, lang: str = "en") -> Figure:
    """Bars of first entries per quarter hour, one panel per day; whole people on the axis."""
    days: list[int | None] = [*sorted(report.arrivals)] or [None]
    _ = _Words(tr, lang)
    with plt.rc_context(_fonts(_)):
        fig, axes = plt.subplots(len(days), 1, figsize=(9, 2.8 * len(days)), squeeze=False)
        for ax, day in zip(axes[:, 0], days, strict=True):
            slots = report.arrivals.get(day, []) if day is not None else []
            if not slots:
                _empty(
                    ax,
                    _("Day {day}: no check-ins", day=day) if day is not None else _("No check-ins"),
                )
                continue
            labels = [start.strftime("%H:%M") for start, _ in slots]
            counts = [n for _, n in slots]
            ax.bar(range(len(slots)), counts, color=ACCENT, width=0.85)
            step = max(1, len(slots) // 16)
            ax.set_xticks(range(0, len(slots), step), labels[::step], rotation=45, ha="right")
            ax.yaxis.set_major_locator(MaxNLocator(integer=True))
            ax.set_ylabel(_("arrivals"))
            ax.set_title(
                _("Day {day}: arrivals per 15 minutes (total {total})", day=day, total=sum(counts)),
                loc="right" if _.rtl else "left",
            )
            ax.grid(axis="y", alpha=0.3)
            ax.spines[["top", "right"]].set_visible(False)
        fig.tight_layout()
        return fig


def sessions_figure(report: Report, tr: Translator | None = None, lang: str = "en") -> Figure:
    """Per session: people let in against the room's capacity.

    The legend sits above the plot, outside the axes, so it never covers a bar's label.
    """
    fills = report.sessions
    _ = _Words(tr, lang)
    with plt.rc_context(_fonts(_)):
        fig, ax = plt.subplots(figsize=(9, 0.55 * max(3, len(fills)) + 1.6))
        if not fills:
            _empty(ax, _("No sessions"))
            return fig
        labels = [_.show(f"{f.session.id} · {_short(f.session.title)}") for f in fills][::-1]
        rows = list(range(len(fills)))
        capacities = [f.session.capacity for f in fills][::-1]
        attended = [f.attended for f in fills][::-1]
        ax.barh(rows, [c or a for c, a in zip(capacities, attended, strict=True)],
                color=CAPACITY, label=_("capacity"))  # fmt: skip
        colours = [
            OVER if c and a > c else ACCENT for c, a in zip(capacities, attended, strict=True)
        ]
        ax.barh(rows, attended, height=0.5, color=colours, label=_("attended"))
        for y, (cap, n) in enumerate(zip(capacities, attended, strict=True)):
            text = f"{n}/{cap} ({100 * n / cap:.0f}%)" if cap else _("{n} (no limit)", n=n)
            ax.text(max(n, cap) * 1.01 + 0.1, y, text, va="center", fontsize=8)
        ax.set_yticks(rows, labels, fontsize=8)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel(_("people"))
        ax.set_title(_("Attendance per session against capacity"), loc="left", pad=24)
        ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=2, fontsize=8, frameon=False)
        ax.spines[["top", "right"]].set_visible(False)
        ax.margins(x=0.15)
        fig.tight_layout()
        return fig


def refusals_figure(report: Report, tr: Translator | None = None, lang: str = "en") -> Figure:
    """Refused scans by reason, most frequent first."""
    items = report.refusals.most_common()
    _ = _Words(tr, lang)
    with plt.rc_context(_fonts(_)):
        fig, ax = plt.subplots(figsize=(8, 0.45 * max(3, len(items)) + 1.2))
        if not items:
            _empty(ax, _("No refused scans"))
            return fig
        labels = [reason.replace("_", " ") for reason, _ in items][::-1]
        counts = [n for _, n in items][::-1]
        ax.barh(range(len(items)), counts, color=REFUSED)
        for y, n in enumerate(counts):
            ax.text(n + max(counts) * 0.01, y, str(n), va="center", fontsize=8)
        ax.set_yticks(range(len(items)), labels, fontsize=9)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel(_("refused scans"))
        ax.set_title(_("Refusals by reason (total {total})", total=sum(counts)), loc="left")
        ax.spines[["top", "right"]].set_visible(False)
        fig.tight_layout()
        return fig


def _chart(draw: Any) -> Any:
    def chart(report: Report, tr: Translator | None = None, lang: str = "en") -> bytes:
        with _lock:  # pyplot's figure registry is not thread-safe (the hub serves in threads)
            return _png(draw(report, tr, lang))

    chart.__doc__ = f"{draw.__doc__}\n\nAs PNG bytes."
    return chart


arrivals_chart = _chart(arrivals_figure)
sessions_chart = _chart(sessions_figure)
refusals_chart = _chart(refusals_figure)

CHARTS = {
    "arrivals": (N_("Arrivals per 15 minutes"), arrivals_chart),
    "sessions": (N_("Attendance per session"), sessions_chart),
    "refusals": (N_("Refusals by reason"), refusals_chart),
}


def all_charts(report: Report, tr: Translator | None = None, lang: str = "en") -> dict[str, bytes]:
    """Chart name -> PNG bytes, words in ``lang`` through ``tr``."""
    return {name: draw(report, tr, lang) for name, (_, draw) in CHARTS.items()}


def _short(text: str, limit: int = 42) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
