"""Widgets of the kiosk app."""
