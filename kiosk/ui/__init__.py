"""The kiosk app (Textual): attendee self check-in, staff desk, session doors, dashboard.

Build it with ``Runtime.build_app`` in main.py; it never imports the adapters itself.
"""

from kiosk.ui.app import AccueilApp, StaffSession
from kiosk.ui.ports import AppServices, UiSettings

__all__ = ["AccueilApp", "AppServices", "StaffSession", "UiSettings"]
