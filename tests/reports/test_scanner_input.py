"""The report shows which kiosk has a scanner to set up, from the scan log's notes."""

from __future__ import annotations

from kiosk.core.intake import typed_as
from sync.reports.compute import compute
from sync.reports.source import StoreReportSource, snapshot


def test_repaired_scans_are_counted_per_kiosk_and_repair(store, service):
    service.check(typed_as("CODE-1", "us", "azerty"))  # repaired and accepted
    service.check(typed_as("CODE-12", "us", "azerty"))
    service.check("https://tickets.example.org/t/CODE-13/")
    service.check("CODE-2")  # clean: not in the table
    service.check("]Q1NOBODY")  # cleaned, still unknown
    report = compute(snapshot(StoreReportSource(store, "k1", "Kiosk 1")), day=1)
    rows = {(r[0], r[1]): r[2:4] for r in report.tables["scanner_input"].rows}
    assert rows == {
        ("Kiosk 1", "layout:us-on-azerty"): (2, 0),
        ("Kiosk 1", "url"): (1, 0),
        ("Kiosk 1", "aim"): (1, 1),
    }
    assert ("Scans with repaired input", 4) in report.summary
