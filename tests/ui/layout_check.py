"""What a person could not read: widgets drawn over each other, a footer cut or pushed off."""

from __future__ import annotations

from typing import Any


def overlaps(app: Any) -> list[str]:
    """Pairs of visible widgets, neither inside the other, whose drawn areas intersect."""
    from textual.widgets._toast import ToastRack

    placed = []
    for widget, (region, clip) in app.screen._compositor.visible_widgets.items():
        if widget is app.screen or isinstance(widget, ToastRack):
            continue
        if any(isinstance(a, ToastRack) for a in widget.ancestors):
            continue
        region = region.intersection(clip)
        if region.area:
            placed.append((widget, region))
    found = []
    for i, (a, ra) in enumerate(placed):
        for b, rb in placed[i + 1 :]:
            if a in b.ancestors or b in a.ancestors:
                continue
            if ra.overlaps(rb):
                found.append(f"{a!r} {ra} / {b!r} {rb}")
    return found


def footer_cut(app: Any, required: bool = True) -> str:
    """Why the screen's keys are not all shown whole at the bottom, or ''."""
    from kiosk.ui.widgets.keybar import KeyBar

    bars = list(app.screen.query(KeyBar))
    if not bars:
        return "no keys shown" if required else ""
    bar = bars[0]
    size = app.screen.size
    placed = app.screen._compositor.visible_widgets.get(bar)
    if placed is None:
        return "keys not drawn"
    region, clip = placed
    shown = region.intersection(clip)
    if shown != region or shown.bottom != size.height or shown.width != size.width:
        return f"keys at {region}, shown {shown}, screen {size}"
    lines = app.screen._compositor.render_strips()[region.y : region.bottom]
    text = "\n".join(strip.text for strip in lines)
    missing = [f"{k} {d}" for k, d, _ in bar.shown_keys() if f" {k}  {d}" not in text]
    return f"keys cut: {missing}" if missing else ""
