"""Screens of the kiosk app."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kiosk.ui.app import AccueilApp


def open_staff_screen(app: AccueilApp, name: str) -> None:
    """Open a staff panel by name (footer shortcuts use this)."""
    from kiosk.ui.screens.dashboard import DashboardScreen
    from kiosk.ui.screens.door import SessionPicker
    from kiosk.ui.screens.panels import PrinterScreen, SyncScreen
    from kiosk.ui.screens.walkin import WalkinScreen

    if name == "door":
        app.push_screen(SessionPicker(), app.open_door)
        return
    screens = {
        "walkin": WalkinScreen,
        "printer": PrinterScreen,
        "sync": SyncScreen,
        "dashboard": DashboardScreen,
    }
    if isinstance(app.screen, screens[name]):
        return
    app.push_screen(screens[name]())
