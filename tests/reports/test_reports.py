"""Reports on the demo event after a simulated first day, checked against the scan log itself."""

from __future__ import annotations

import base64
import csv
import io
import json
import sqlite3
import stat
from collections import Counter
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PIL import Image, ImageStat

import main
from sync.reports import StoreReportSource, compute, snapshot, write_report
from sync.reports.exports import PRETIX_REASON
from sync.store import LocalStore
from tests.conftest import ROOT, demo_config
from tests.reports.simulation import Day, prepare, simulate_day_one

KIOSKS = ("k1", "k2", "door", "desk")
AFTER_DAY_ONE = datetime(2026, 12, 8, 22, 0, tzinfo=ZoneInfo("Africa/Casablanca"))


@pytest.fixture(scope="module")
def day_one(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Day]:
    """One store holding a whole simulated day 1 (all kiosks' scans, as after a full sync)."""
    folder = tmp_path_factory.mktemp("day1")
    with LocalStore(folder / "kiosk.db") as store:
        event, sessions, regs = prepare(store)
        day = simulate_day_one(dict.fromkeys(KIOSKS, store), event, sessions, regs)
    return folder / "kiosk.db", day


@pytest.fixture(scope="module")
def written(day_one: tuple[Path, Day], tmp_path_factory: pytest.TempPathFactory) -> Path:
    path, _ = day_one
    out = tmp_path_factory.mktemp("report") / "day1"
    with LocalStore(path) as store:
        data = snapshot(StoreReportSource(store, "k1", "Kiosk k1"))
        report = compute(data, day=1, now=AFTER_DAY_ONE)  # the evening after day 1
        write_report(report, out, pretix_list=7)
    return out


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def log(path: Path, sql: str, *params: object) -> list[tuple]:
    """Ask the scan log directly, with SQL independent of the report code."""
    with sqlite3.connect(path) as db:
        return db.execute(sql, params).fetchall()


LIVE = (
    "accepted = 1 AND kind != 'undo' AND nonce NOT IN "
    "(SELECT code FROM scans WHERE kind = 'undo' AND accepted = 1)"
)


def test_checkins_match_the_scan_log(day_one, written):
    path, day = day_one
    expected = {r[0] for r in log(path, f"SELECT DISTINCT registration_id FROM scans "
                                        f"WHERE kind = 'entry' AND day = 1 AND {LIVE}")}  # fmt: skip
    rows = read_csv(written / "checkins.csv")
    assert {r["registration_id"] for r in rows} == expected
    assert len(rows) == len(expected) > 300  # one row per person and day
    assert day.undone[0] not in expected  # the undone check-in is not counted
    assert set(day.walkins) | set(day.by_hand) | set(day.overridden) <= expected
    hows = Counter(r["how"] for r in rows)
    assert hows["walk-in"] == 3 and hows["by hand"] == 2 and hows["override"] == 1
    # first entry time is the earliest live entry of that person
    sample = rows[len(rows) // 2]
    first = log(path, f"SELECT min(at) FROM scans WHERE registration_id = ? AND kind = 'entry' "
                      f"AND {LIVE}", sample["registration_id"])[0][0]  # fmt: skip
    assert first.startswith("2026-12-08")
    assert sample["first_entry"].startswith("2026-12-08")


def test_refusals_match_the_scan_log(day_one, written):
    path, _ = day_one
    expected = dict(log(path, "SELECT reason, count(*) FROM scans WHERE accepted = 0 AND day = 1 "
                              "GROUP BY reason"))  # fmt: skip
    rows = read_csv(written / "refusals.csv")
    assert {r["reason"]: int(r["count"]) for r in rows} == expected
    assert {"already_checked_in", "unknown", "session_full", "cancelled"} <= set(expected)
    assert abs(sum(float(r["percent_of_refusals"]) for r in rows) - 100) < 0.5
    assert len(read_csv(written / "refused_scans.csv")) == sum(expected.values())
    # a refused scan never shows a whole code: codes are credentials
    assert all(len(r["code_start"]) <= 8 for r in read_csv(written / "refused_scans.csv"))


def test_sessions_match_the_scan_log(day_one, written):
    path, day = day_one
    rows = {r["session_id"]: r for r in read_csv(written / "sessions.csv")}
    assert set(rows) == {s.id for s in day.sessions if s.day == 1}
    for sid, row in rows.items():
        attended = log(path, f"SELECT count(DISTINCT registration_id) FROM scans WHERE "
                             f"session_id = ? AND kind = 'session_entry' AND {LIVE}", sid)[0][0]  # fmt: skip
        assert int(row["attended"]) == attended
    assert int(rows["P1"]["attended"]) == 180 and int(rows["P1"]["inside_now"]) == 150
    assert int(rows["P1"]["peak_inside"]) == 180 and rows["P1"]["fill_percent"] == "30.0"
    assert int(rows["W1"]["attended"]) == 40 and rows["W1"]["fill_percent"] == "100.0"
    assert int(rows["W1"]["refused_full"]) == 6
    attendees = read_csv(written / "session_attendees.csv")
    assert Counter(r["session_id"] for r in attendees) == {"P1": 180, "W1": 40}


def test_no_shows_walkins_overrides(day_one, written):
    path, day = day_one
    came = {r["registration_id"] for r in read_csv(written / "checkins.csv")}
    expected = {
        r.id for r in day.registrations if r.status.value == "confirmed" and r.valid_on(1)
    } - came
    no_shows = read_csv(written / "no_shows.csv")
    assert {r["registration_id"] for r in no_shows} == expected
    assert day.undone[0] in expected  # undone check-in: counted as not come

    walkins = read_csv(written / "walkins.csv")
    assert sorted(r["registration_id"] for r in walkins) == sorted(day.walkins)
    assert {r["name"] for r in walkins} >= {"Yasmine Berrada", "سارة الإدريسي"}
    assert all(r["staff"] == "amina" and r["kiosk"] == "Kiosk desk" for r in walkins)

    overrides = read_csv(written / "overrides.csv")
    forced = [r for r in overrides if r["action"] == "override"]
    assert [r["registration_id"] for r in forced] == day.overridden
    assert forced[0]["staff"] == "karim" and forced[0]["refused_reason"] == "cancelled"
    assert forced[0]["why"] == "cancelled by mistake, confirmed by phone"
    undos = [r for r in overrides if r["action"] == "undo"]
    assert [r["registration_id"] for r in undos] == day.undone
    assert len(forced) == log(path, "SELECT count(*) FROM scans WHERE forced = 1")[0][0]


def test_reprints_in_the_store_report(day_one, tmp_path):
    """Reprints carry the wall-clock time they were queued, so take every day."""
    path, day = day_one
    with LocalStore(path) as store:
        report = compute(snapshot(StoreReportSource(store, "desk")))
    rows = report.tables["reprints"].rows
    assert sorted(r[1] for r in rows) == sorted(day.reprints)
    assert all(r[4] == "amina" for r in rows)
    assert ("Badge reprints", 2) in report.summary


def test_arrivals_add_up(written):
    arrivals = read_csv(written / "arrivals.csv")
    checkins = read_csv(written / "checkins.csv")
    assert sum(int(r["arrivals"]) for r in arrivals) == len(checkins)
    starts = [r["from"] for r in arrivals]
    assert starts == sorted(starts) and starts[0] == "08:00"
    busiest = max(arrivals, key=lambda r: int(r["arrivals"]))
    assert "08:30" <= busiest["from"] <= "09:30"  # the simulated morning peak


def test_generic_and_pretix_exports(day_one, written):
    path, day = day_one
    total = log(path, "SELECT count(*) FROM scans WHERE day = 1")[0][0]
    with (written / "checkins_export.csv").open(encoding="utf-8", newline="") as f:
        export = list(csv.DictReader(f))
    assert len(export) == total
    assert sum(r["undone"] == "1" for r in export) == 1
    assert {r["nonce"] for r in export} == {
        r[0] for r in log(path, "SELECT nonce FROM scans WHERE day = 1")
    }

    live_venue = log(path, f"SELECT nonce, registration_id FROM scans WHERE day = 1 AND "
                           f"kind IN ('entry', 'exit') AND {LIVE}")  # fmt: skip
    expected = {n for n, rid in live_venue if rid not in day.walkins}
    bodies = [
        json.loads(line) for line in (written / "pretix_redeem.jsonl").read_text().splitlines()
    ]
    assert {b["nonce"] for b in bodies} == expected
    for body in bodies:
        assert set(body) >= {"secret", "lists", "type", "datetime", "force", "nonce"}
        assert body["lists"] == [7] and body["force"] is True and body["type"] == "entry"
        assert body["datetime"].endswith("Z") and body["secret"]
    table = read_csv(written / "pretix_checkins.csv")
    assert [r["nonce"] for r in table] == [b["nonce"] for b in bodies]
    assert list(table[0])[:4] == ["secret", "datetime", "type", "list"]

    failed = [
        json.loads(line)
        for line in (written / "pretix_failed_checkins.jsonl").read_text().splitlines()
    ]
    refused_venue = log(path, "SELECT reason FROM scans WHERE day = 1 AND accepted = 0 AND "
                              "kind IN ('entry', 'exit')")  # fmt: skip
    assert Counter(f["error_reason"] for f in failed) == Counter(
        PRETIX_REASON[r] for (r,) in refused_venue
    )
    assert all(f["raw_barcode"] and f["lists"] == [7] for f in failed)


def test_charts_are_real_images(written):
    for name in ("arrivals", "sessions", "refusals"):
        png = written / f"{name}.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert png.stat().st_size > 10_000, name
        with Image.open(png) as image:
            rgb = image.convert("RGB")
            assert rgb.width > 500 and rgb.height > 200
            colours = rgb.getcolors(maxcolors=1 << 20)
            assert colours is not None and len(colours) > 20, name  # bars, text, axes
            assert max(ImageStat.Stat(rgb).stddev) > 15, name  # not a blank canvas


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.srcs: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.add(str(found["id"]))
        if tag == "a" and found.get("href"):
            self.hrefs.append(str(found["href"]))
        if found.get("src"):
            self.srcs.append(str(found["src"]))


def test_html_report_links_and_images_resolve(written):
    page = (written / "report.html").read_text(encoding="utf-8")
    links = _Links()
    links.feed(page)
    assert len(links.hrefs) > 20 and len(links.srcs) == 3
    for href in links.hrefs:
        assert not href.startswith(("http:", "https:", "//")), href  # self-contained
        if href.startswith("#"):
            assert href[1:] in links.ids, href
        else:
            assert (written / href).is_file(), href
    for src in links.srcs:
        head, _, data = src.partition(",")
        assert head == "data:image/png;base64"
        with Image.open(io.BytesIO(base64.b64decode(data))) as image:
            assert image.width > 500
    assert "@media print" in page
    assert "سارة الإدريسي" in page and 'dir="auto"' in page
    assert "<script" not in page


def test_report_files_are_owner_only(written):
    assert stat.S_IMODE(written.stat().st_mode) == 0o700
    for path in written.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name


def test_report_command_on_a_kiosk(tmp_path, capsys):
    config = demo_config(tmp_path)
    assert main.main(["--config", str(config), "setup"]) == 0
    with (ROOT / "demo/registrations.csv").open(encoding="utf-8") as f:
        codes = [row["codes"] for row in list(csv.DictReader(f))[:3]]
    for code in codes:
        main.main(["--config", str(config), "checkin", code])
    capsys.readouterr()
    out = tmp_path / "out"
    args = ["--config", str(config), "report", "--day", "1", "--out", str(out)]
    assert main.main([*args, "--lang", "en"]) == 0
    printed = capsys.readouterr().out
    assert "Day 1: checked in" in printed and str(out / "report.html") in printed
    assert len(read_csv(out / "checkins.csv")) == 3
    assert main.main(["--config", str(config), "report", "--day", "9", "--out", str(out)]) == 2
    assert "day 9 is not a day" in capsys.readouterr().err
