"""Issue 17, item 8: the report in the organiser's language, no-shows only for days that are
over, whole people on the axes, the legend clear of the bar labels, no sideways scrolling."""

from __future__ import annotations

import csv
import dataclasses
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import main
from kiosk.locale import translator
from sync.reports import StoreReportSource, compute, snapshot, write_report
from sync.reports.compute import day_ends
from sync.store import LocalStore
from tests.conftest import ROOT, demo_config
from tests.reports.test_dashboard import browser  # noqa: F401  (the headless chromium fixture)
from tests.reports.test_reports import AFTER_DAY_ONE, day_one  # noqa: F401

TZ = ZoneInfo("Africa/Casablanca")


@pytest.fixture(scope="module")
def data(day_one):  # noqa: F811
    path, _ = day_one
    with LocalStore(path) as store:
        return snapshot(StoreReportSource(store, "k1", "Kiosk k1"))


def no_show_days(report) -> set[int]:
    return {row[0] for row in report.tables["no_shows"].rows}


def test_day_two_has_no_no_shows_during_day_one(data):
    """The reported case: a report on day 1 said "Day 2: no-shows 681"."""
    report = compute(data, now=datetime(2026, 12, 8, 16, 0, tzinfo=TZ))
    summary = dict(report.summary)
    assert no_show_days(report) == set()
    assert not isinstance(summary["Day 2: no-shows"], int)
    assert "counted after the day ends" in summary["Day 2: no-shows"]
    after = compute(data, now=AFTER_DAY_ONE)
    assert no_show_days(after) == {1} and isinstance(dict(after.summary)["Day 1: no-shows"], int)


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(minutes=st.integers(min_value=-3 * 24 * 60, max_value=3 * 24 * 60))
def test_no_shows_appear_exactly_when_a_day_is_over(data, minutes):
    ends = day_ends(data)
    now = ends[1] + timedelta(minutes=minutes)
    report = compute(data, now=now)
    over = {d for d, end in ends.items() if now >= end}
    assert no_show_days(report) <= over
    summary = dict(report.summary)
    for d in ends:
        assert isinstance(summary[f"Day {d}: no-shows"], int) == (d in over)
    assert 1 not in over or 1 in no_show_days(report)  # day 1 had people who never came


def test_a_day_ends_after_its_last_session(data):
    ends = day_ends(data)
    last = max(s.end for s in data.sessions if s.day == 1)
    assert ends[1] == last and ends[1] < ends[2]


def _drawn(fig):
    fig.canvas.draw()
    return fig.canvas.get_renderer()


def test_arrivals_axis_counts_whole_people(data):
    from matplotlib import pyplot as plt

    from sync.reports.charts import arrivals_figure

    report = compute(data, day=1, now=AFTER_DAY_ONE)
    start = report.arrivals[1][0][0]
    few = dataclasses.replace(
        report, arrivals={1: [(start, 1), (start + timedelta(minutes=15), 2), (start, 0)]}
    )
    for r in (report, few):
        fig = arrivals_figure(r)
        _drawn(fig)
        ticks = fig.axes[0].get_yticks()
        plt.close(fig)
        assert len(ticks) >= 2 and all(float(t).is_integer() for t in ticks), ticks


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_the_legend_never_covers_a_bar_label(data, lang):
    from matplotlib import pyplot as plt

    from sync.reports.charts import sessions_figure

    report = compute(data, day=1, now=AFTER_DAY_ONE, tr=translator(lang))
    # the old legend sat in the lower right, over the bottom bar's label once it was full
    first = report.sessions[0]
    full = dataclasses.replace(first, attended=first.session.capacity or 50)
    for r in (report, dataclasses.replace(report, sessions=[full, *report.sessions[1:]])):
        fig = sessions_figure(r, translator(lang), lang)
        renderer = _drawn(fig)
        ax = fig.axes[0]
        legend = ax.get_legend().get_window_extent(renderer)
        labels = [t.get_window_extent(renderer) for t in ax.texts]
        plt.close(fig)
        assert labels and not any(legend.overlaps(b) for b in labels)


def _written(data, tmp_path: Path, lang: str) -> Path:
    tr = translator(lang)
    report = compute(data, now=AFTER_DAY_ONE, tr=tr)
    return write_report(report, tmp_path / lang, lang=lang, tr=tr).html


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_the_html_never_scrolls_sideways(data, tmp_path, browser, lang):  # noqa: F811
    html = _written(data, tmp_path, lang)
    page = browser.new_page()
    try:
        for width in (360, 1280):
            page.set_viewport_size({"width": width, "height": 800})
            page.goto(html.as_uri())
            page.wait_for_load_state("load", timeout=30_000)
            scroll, view = page.evaluate(
                "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
            )
            assert scroll <= view, f"{lang} at {width}px: page is {scroll}px wide"
    finally:
        page.close()


def test_the_page_speaks_the_language_asked(data, tmp_path):
    fr = _written(data, tmp_path, "fr").read_text(encoding="utf-8")
    assert '<html lang="fr" dir="ltr">' in fr and "Résumé" in fr and "Summary" not in fr
    assert "borne k1 ·" in fr  # who the numbers cover, in French too
    ar = _written(data, tmp_path, "ar").read_text(encoding="utf-8")
    assert '<html lang="ar" dir="rtl">' in ar and "الملخص" in ar
    with (tmp_path / "ar" / "no_shows.csv").open(encoding="utf-8-sig") as f:
        assert next(csv.reader(f))[:2] == ["اليوم", "معرف_التسجيل"]
    with (tmp_path / "ar" / "checkins_export.csv").open(encoding="utf-8") as f:
        assert next(csv.reader(f))[0] == "nonce"  # machine files keep their headers


def test_report_command_defaults_to_the_staff_language(tmp_path, capsys):
    config = demo_config(tmp_path)
    assert main.main(["--config", str(config), "setup"]) == 0
    with (ROOT / "demo/registrations.csv").open(encoding="utf-8") as f:
        code = next(csv.DictReader(f))["codes"]
    main.main(["--config", str(config), "checkin", code])
    capsys.readouterr()
    out = tmp_path / "out"
    assert main.main(["--config", str(config), "report", "--day", "1", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Jour 1 : entrés" in printed and "Rapport :" in printed  # [staff] language = fr
    assert '<html lang="fr"' in (out / "report.html").read_text(encoding="utf-8")
    args = ["--config", str(config), "report", "--lang", "ar", "--out", str(tmp_path / "ar")]
    assert main.main(args) == 0
    assert "اليوم 1: تم الدخول" in capsys.readouterr().out


def test_arabic_charts_have_every_glyph(data):
    """Arabic words and names are drawn from the fonts (no missing-glyph boxes)."""
    import warnings

    from sync.reports.charts import all_charts

    report = compute(data, day=1, now=AFTER_DAY_ONE, tr=translator("ar"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns "Glyph … missing from font(s)"
        pngs = all_charts(report, translator("ar"), "ar")
    assert all(png.startswith(b"\x89PNG") for png in pngs.values())


def test_report_command_errors_speak_the_staff_language(tmp_path, capsys):
    config = demo_config(tmp_path)  # no `accueil setup`: no kiosk store yet
    assert main.main(["--config", str(config), "report", "--kiosk"]) == 1
    assert "pas de base de borne" in capsys.readouterr().err
    assert main.main(["--config", str(config), "report", "--kiosk", "--lang", "en"]) == 1
    assert "no kiosk store at" in capsys.readouterr().err
