"""The report's charts as PNG bytes, drawn off-screen with matplotlib's Agg backend."""

from __future__ import annotations

import io
import threading
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display on a kiosk or a server; must precede pyplot

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from sync.reports.compute import Report

ACCENT = "#1f6f8b"
CAPACITY = "#d9e2e8"
OVER = "#c0392b"
REFUSED = "#e67e22"
_lock = threading.Lock()  # pyplot's figure registry is not thread-safe (hub serves in threads)


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight", facecolor="white")
    plt.close(fig)
    return buffer.getvalue()


def _empty(ax: Any, text: str) -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", fontsize=12, color="#666666")
    ax.set_axis_off()


def arrivals_chart(report: Report) -> bytes:
    """Bars of first entries per quarter hour, one panel per day."""
    days: list[int | None] = [*sorted(report.arrivals)] or [None]
    with _lock:
        fig, axes = plt.subplots(len(days), 1, figsize=(9, 2.8 * len(days)), squeeze=False)
        for ax, day in zip(axes[:, 0], days, strict=True):
            slots = report.arrivals.get(day, []) if day is not None else []
            if not slots:
                _empty(ax, f"Day {day}: no check-ins" if day is not None else "No check-ins")
                continue
            labels = [start.strftime("%H:%M") for start, _ in slots]
            counts = [n for _, n in slots]
            ax.bar(range(len(slots)), counts, color=ACCENT, width=0.85)
            step = max(1, len(slots) // 16)
            ax.set_xticks(range(0, len(slots), step), labels[::step], rotation=45, ha="right")
            ax.set_ylabel("arrivals")
            ax.set_title(f"Day {day}: arrivals per 15 minutes (total {sum(counts)})", loc="left")
            ax.grid(axis="y", alpha=0.3)
            ax.spines[["top", "right"]].set_visible(False)
        fig.tight_layout()
        return _png(fig)


def sessions_chart(report: Report) -> bytes:
    """Per session: people let in against the room's capacity."""
    fills = report.sessions
    with _lock:
        fig, ax = plt.subplots(figsize=(9, 0.55 * max(3, len(fills)) + 1.2))
        if not fills:
            _empty(ax, "No sessions")
            return _png(fig)
        labels = [f"{f.session.id} · {_short(f.session.title)}" for f in fills][::-1]
        rows = list(range(len(fills)))
        capacities = [f.session.capacity for f in fills][::-1]
        attended = [f.attended for f in fills][::-1]
        ax.barh(rows, [c or a for c, a in zip(capacities, attended, strict=True)],
                color=CAPACITY, label="capacity")  # fmt: skip
        colours = [
            OVER if c and a > c else ACCENT for c, a in zip(capacities, attended, strict=True)
        ]
        ax.barh(rows, attended, height=0.5, color=colours, label="attended")
        for y, (cap, n) in enumerate(zip(capacities, attended, strict=True)):
            text = f"{n}/{cap} ({100 * n / cap:.0f}%)" if cap else f"{n} (no limit)"
            ax.text(max(n, cap) * 1.01 + 0.1, y, text, va="center", fontsize=8)
        ax.set_yticks(rows, labels, fontsize=8)
        ax.set_xlabel("people")
        ax.set_title("Attendance per session against capacity", loc="left")
        ax.legend(loc="lower right", fontsize=8)
        ax.spines[["top", "right"]].set_visible(False)
        ax.margins(x=0.15)
        fig.tight_layout()
        return _png(fig)


def refusals_chart(report: Report) -> bytes:
    """Refused scans by reason, most frequent first."""
    items = report.refusals.most_common()
    with _lock:
        fig, ax = plt.subplots(figsize=(8, 0.45 * max(3, len(items)) + 1.2))
        if not items:
            _empty(ax, "No refused scans")
            return _png(fig)
        labels = [reason.replace("_", " ") for reason, _ in items][::-1]
        counts = [n for _, n in items][::-1]
        ax.barh(range(len(items)), counts, color=REFUSED)
        for y, n in enumerate(counts):
            ax.text(n + max(counts) * 0.01, y, str(n), va="center", fontsize=8)
        ax.set_yticks(range(len(items)), labels, fontsize=9)
        ax.set_xlabel("refused scans")
        ax.set_title(f"Refusals by reason (total {sum(counts)})", loc="left")
        ax.spines[["top", "right"]].set_visible(False)
        fig.tight_layout()
        return _png(fig)


CHARTS = {
    "arrivals": ("Arrivals per 15 minutes", arrivals_chart),
    "sessions": ("Attendance per session", sessions_chart),
    "refusals": ("Refusals by reason", refusals_chart),
}


def all_charts(report: Report) -> dict[str, bytes]:
    """Chart name -> PNG bytes."""
    return {name: draw(report) for name, (_, draw) in CHARTS.items()}


def _short(text: str, limit: int = 42) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
