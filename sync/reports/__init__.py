"""Attendance reports: tables, charts, a printable page and exports, from a kiosk or the hub.

data = snapshot(StoreReportSource(store, "kiosk-1"))   # or HubReportSource(hub_db, …)
report = compute(data, day=1)
write_report(report, Path("reports/day-1"))
"""

from sync.reports.compute import Report, Table, compute
from sync.reports.source import (
    HubReportSource,
    KioskSeen,
    NoEventError,
    ReportData,
    ReportSource,
    StoreReportSource,
    snapshot,
)
from sync.reports.writers import Written, csv_text, write_report
from sync.wire import event_from_dict, event_to_dict

__all__ = [
    "HubReportSource",
    "KioskSeen",
    "NoEventError",
    "Report",
    "ReportData",
    "ReportSource",
    "StoreReportSource",
    "Table",
    "Written",
    "compute",
    "csv_text",
    "event_from_dict",
    "event_to_dict",
    "snapshot",
    "write_report",
]
