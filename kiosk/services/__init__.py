"""Use cases the screens and commands call: desk actions, printing, sync status, statistics.

Services depend on the Protocols of kiosk.services.ports and on the pure core, never on
an adapter (sync, printers, kiosk.reading) nor on the UI; main.py gives them the adapters.
"""
