"""Staff desk flows: search, scan to attendee, detail actions, walk-in, panels, quit."""

from __future__ import annotations

import asyncio

import pytest
from textual.widgets import DataTable, Input

from kiosk.core.model import Registration
from kiosk.ui.screens.common import ConfirmScreen, PromptScreen
from kiosk.ui.screens.detail import DetailScreen
from kiosk.ui.screens.panels import PrinterScreen, SyncScreen
from kiosk.ui.screens.staff import DeskScreen
from kiosk.ui.screens.walkin import WalkinScreen
from tests.ui.conftest import screen_text, wait_for
from tests.ui.test_attendee import type_text

pytestmark = pytest.mark.anyio


async def sign_in(pilot, app, pin: str = "2468", initials: str = "AB") -> None:
    await pilot.press("f12")
    await pilot.pause(0.05)
    app.screen.query_one("#initials", Input).value = initials
    await pilot.press("tab")  # initials first, then the PIN
    await type_text(pilot, pin)
    await pilot.pause(0.1)  # a person's Enter, not a scanner's
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, DeskScreen))


async def search(pilot, app, text: str) -> DataTable:
    for ch in text:
        await pilot.press("space" if ch == " " else ch)
        await pilot.pause(0.05)
    table = app.screen.query_one("#results", DataTable)
    await pilot.pause(0.3)
    return table


async def open_detail(pilot, app, text: str) -> DetailScreen:
    await search(pilot, app, text)
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, DetailScreen))
    await wait_for(pilot, lambda: app.screen.record is not None)
    return app.screen


async def test_search_as_you_type_ignores_accents_case_and_arabic_spelling(make_kiosk):
    app = make_kiosk().app(staff_language="en")
    async with app.run_test(size=(110, 34)) as pilot:
        await sign_in(pilot, app)
        table = app.screen.query_one("#results", DataTable)
        assert table.row_count == 0 and not table.display  # nothing before typing
        await search(pilot, app, "h")
        assert table.row_count == 0  # one letter is not enough
        await search(pilot, app, "ELENE dup")
        assert table.row_count == 1 and table.display
        assert str(table.get_row_at(0)[0]) == "Hélène Dupont"
        app.screen.query_one("#search", Input).value = ""
        await pilot.pause(0.1)
        assert table.row_count == 0
        await search(pilot, app, "محمد")
        assert table.row_count == 1
        assert str(table.get_row_at(0)[2]) == "participant"


async def test_keyboard_only_down_and_enter_open_the_attendee(make_kiosk):
    app = make_kiosk().app(staff_language="en")
    async with app.run_test(size=(110, 34)) as pilot:
        await sign_in(pilot, app)
        await search(pilot, app, "twin")
        assert app.screen.query_one("#results", DataTable).row_count == 2
        await pilot.press("down", "down", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DetailScreen))
        assert app.screen.registration_id == "R15"
        await pilot.press("escape")
        assert isinstance(app.screen, DeskScreen)


async def test_scanner_burst_in_the_search_box_opens_that_attendee(make_kiosk):
    app = make_kiosk().app(staff_language="en")
    async with app.run_test(size=(110, 34)) as pilot:
        await sign_in(pilot, app)
        # A USB scanner types the whole code in milliseconds, then Enter.
        await pilot.press(*"CODE-OK-EN", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DetailScreen))
        assert app.screen.registration_id == "R2"
        await pilot.press("escape")
        assert app.screen.query_one("#search", Input).value == ""


async def test_check_in_by_hand_undo_and_badge_name_are_logged_with_staff(make_kiosk):
    kiosk = make_kiosk()
    store = kiosk.runtime.store
    app = kiosk.app(staff_language="en")
    async with app.run_test(size=(120, 36)) as pilot:
        await sign_in(pilot, app, initials="AB")
        detail = await open_detail(pilot, app, "paul")  # cancelled registration
        await pilot.press("c")
        await wait_for(pilot, lambda: len(store.scans()) == 1)
        await pilot.pause(0.1)
        assert "registration cancelled" in screen_text(app)
        await pilot.press("escape")
        detail = await open_detail(pilot, app, "helene")
        await pilot.press("c")
        await wait_for(pilot, lambda: len(store.scans()) == 2)
        accepted = store.scans()[-1]
        assert accepted.accepted and accepted.staff == "AB (steward)" and accepted.note == "by hand"
        await pilot.press("u")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await wait_for(pilot, lambda: len(store.scans()) == 3)
        undo = store.scans()[-1]
        assert undo.kind.value == "undo" and undo.code == accepted.nonce
        await pilot.press("n")
        assert isinstance(app.screen, PromptScreen)
        prompt = app.screen.query_one("#answer", Input)
        prompt.value = "Hélène Dupont-Alami"
        await pilot.press("enter")
        await wait_for(pilot, lambda: store.get("R1").badge_name == "Hélène Dupont-Alami")
        assert app.screen is detail
        actions = store.staff_actions("R1")
        assert actions[-1]["action"] == "badge_name" and actions[-1]["staff"] == "AB (steward)"


async def test_override_is_for_supervisors_only_and_keeps_the_reason(make_kiosk):
    kiosk = make_kiosk()
    store = kiosk.runtime.store
    app = kiosk.app(staff_language="en")
    async with app.run_test(size=(120, 36)) as pilot:
        await sign_in(pilot, app)
        await open_detail(pilot, app, "sara")  # unpaid
        await pilot.press("o")
        await pilot.pause(0.1)
        assert "supervisor action" in screen_text(app)
        assert store.scans() == []
        await pilot.press("f9")
        await sign_in(pilot, app, pin="135790", initials="SV")
        await open_detail(pilot, app, "sara")
        await pilot.press("o")
        app.screen.query_one("#answer", Input).value = "paid cash at the desk"
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(store.scans()) == 1)
    scan = store.scans()[0]
    assert scan.accepted and scan.forced and scan.staff == "SV (supervisor)"
    assert scan.note == "override of unpaid: paid cash at the desk"


async def test_reprint_warns_when_a_badge_was_printed_before(make_kiosk):
    kiosk = make_kiosk()
    store = kiosk.runtime.store
    reg = store.get("R2")
    store.upsert_registrations([Registration(**{**_fields(reg), "print_count": 1})])
    app = kiosk.app(staff_language="en")
    async with app.run_test(size=(120, 36)) as pilot:
        await sign_in(pilot, app)
        await open_detail(pilot, app, "john smith")
        await pilot.press("r")
        assert isinstance(app.screen, ConfirmScreen)
        assert "already printed 1 time for" in str(app.screen.query_one("#question").render())
        await pilot.press("y")
        await wait_for(pilot, lambda: store.get("R2").print_count == 2, 15)
        assert "Reprint queued" in screen_text(app)
    assert [a["action"] for a in store.staff_actions("R2")] == ["reprint"]


def _fields(reg: Registration) -> dict:
    return {name: getattr(reg, name) for name in Registration.__slots__}


async def test_walkin_form_validates_then_registers_checks_in_and_prints(make_kiosk):
    kiosk = make_kiosk()
    store = kiosk.runtime.store
    app = kiosk.app(staff_language="en")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, app)
        await pilot.press("f2")
        assert isinstance(app.screen, WalkinScreen)
        form = app.screen
        form.query_one("#email", Input).value = "not-an-email"
        await pilot.press("ctrl+s")
        await pilot.pause(0.1)
        assert "A first or last name is needed." in str(form.query_one("#err-first_name").render())
        assert "does not look like an e-mail" in str(form.query_one("#err-email").render())
        assert store.count_registrations() == 15
        form.query_one("#first_name", Input).value = "Walk"
        form.query_one("#last_name", Input).value = "In"
        form.query_one("#organisation", Input).value = "Casa Startups"
        form.query_one("#email", Input).value = "walk.in@example.org"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, DetailScreen), 10)
        assert "Walk-in registered and checked in" in screen_text(app)
        reg_id = app.screen.registration_id
        await wait_for(pilot, lambda: store.get(reg_id).print_count == 1, 15)
    reg = store.get(reg_id)
    assert reg.organisation == "Casa Startups" and reg.days == frozenset({1}) and reg.codes
    scans = store.scans_of(reg_id)
    assert [(s.accepted, s.note) for s in scans] == [(True, "walk-in")]
    assert len(list(kiosk.badges.glob("*.png"))) == 1


async def test_printer_and_sync_panels(make_kiosk):
    kiosk = make_kiosk()
    app = kiosk.app(staff_language="en")
    async with app.run_test(size=(120, 36)) as pilot:
        await sign_in(pilot, app)
        await pilot.press("f3")
        assert isinstance(app.screen, PrinterScreen)
        await wait_for(pilot, lambda: "Printer:" in screen_text(app))
        await pilot.press("escape", "f4")
        assert isinstance(app.screen, SyncScreen)
        await wait_for(pilot, lambda: "not configured" in screen_text(app))


async def test_printer_panel_shows_arabic_names_shaped_like_the_desk(make_kiosk):
    from kiosk.core.ports import PrintRequest
    from kiosk.ui.i18n import visual

    kiosk = make_kiosk(printer={"kind": "none"})
    kiosk.runtime.store.queue_print(PrintRequest("R13"))
    app = kiosk.app(staff_language="en")
    async with app.run_test(size=(120, 36)) as pilot:
        await sign_in(pilot, app)
        await pilot.press("f3")
        table = app.screen.query_one("#jobs", DataTable)
        await wait_for(pilot, lambda: table.row_count == 1)
        shown = str(table.get_row_at(0)[1])
        assert shown == visual("محمد العلوي") and shown != "محمد العلوي"


async def test_lane_health_follows_the_newest_badges_after_a_thousand(make_kiosk):
    from datetime import UTC, datetime, timedelta

    from sync.store import utc_text

    kiosk = make_kiosk(printer={"kind": "none"})
    start = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)
    rows = []
    for i in range(1100):  # 1,080 slow badges (60 s) early in the day, then 20 quick ones (2 s)
        asked = start + timedelta(seconds=10 * i)
        lane = 60 if i < 1080 else 2
        rows.append(
            ("R1", "checkin", "done", utc_text(asked), utc_text(asked + timedelta(seconds=lane)))
        )
    with kiosk.runtime.store.transaction() as db:
        db.executemany(
            "INSERT INTO print_jobs(registration_id, reason, status, created_at, printed_at) "
            "VALUES (?, ?, ?, ?, ?)",
            rows,
        )
    app = kiosk.app(staff_language="en")
    async with app.run_test(size=(120, 36)) as pilot:
        await sign_in(pilot, app)
        await pilot.press("f5")
        await wait_for(pilot, lambda: "median of last" in screen_text(app))
        assert "scan → badge: 2.0 s (median of last 20)" in screen_text(app)


async def test_only_a_supervisor_can_quit(make_kiosk):
    app = make_kiosk().app(staff_language="en")
    async with app.run_test(size=(110, 34)) as pilot:
        await sign_in(pilot, app)
        await pilot.press("f10")
        await pilot.pause(0.1)
        assert app.is_running and isinstance(app.screen, DeskScreen)
        await pilot.press("f9")
        await sign_in(pilot, app, pin="135790")
        await pilot.press("f10")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await asyncio.sleep(0.2)
    assert app.return_code == 0 and not app.is_running


async def test_reprint_while_a_badge_waits_prints_that_one_or_replaces_it(make_kiosk):
    import socket

    from kiosk.core.ports import PrintReason, PrintRequest

    with socket.socket() as s:  # a loopback port with nobody listening: an unplugged printer
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    kiosk = make_kiosk(
        printer={"kind": "network", "host": "127.0.0.1", "port": port, "timeout_seconds": 0.5}
    )
    store = kiosk.runtime.store
    first = store.queue_print(PrintRequest("R2", PrintReason.CHECKIN))
    app = kiosk.app(staff_language="en")

    def waiting() -> list[int]:
        return [j.id for j in store.print_jobs(None) if j.status in ("pending", "desk", "held")]

    async with app.run_test(size=(120, 36)) as pilot:
        await sign_in(pilot, app)
        await open_detail(pilot, app, "john smith")
        await pilot.press("r")
        assert isinstance(app.screen, ConfirmScreen)
        question = str(app.screen.query_one("#question").render())
        assert f"already waiting for this person (job {first})" in question
        await pilot.press("n")  # no: the waiting badge is the one printed
        await wait_for(pilot, lambda: "Reprint queued" in screen_text(app), 15)
        assert waiting() == [first]

        def shows_it_waiting() -> bool:
            record = app.screen.record
            if record is not None and any(
                j.status in ("pending", "desk", "held") for j in record.prints
            ):
                return True
            app.screen.reload()  # the worker may be mid-try on the unplugged printer: look again
            return False

        await wait_for(pilot, shows_it_waiting, 15)
        await pilot.press("r")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")  # yes: cancel it, queue a new one
        await wait_for(pilot, lambda: store.print_job(first).status == "cancelled", 15)
    (second,) = waiting()
    assert second != first


async def test_badges_held_from_the_shell_are_shown_to_staff_and_never_print_alone(make_kiosk):
    from kiosk.core.ports import PrintReason, PrintRequest

    kiosk = make_kiosk()  # the preview printer works: a pending job would print at once
    store = kiosk.runtime.store
    job = store.queue_print(PrintRequest("R2", PrintReason.REPRINT, "cli"))
    assert store.route_print_job(job, status="held", note="queued from the shell; not printed")
    app = kiosk.app(staff_language="en")
    async with app.run_test(size=(120, 36)) as pilot:
        await sign_in(pilot, app)
        await wait_for(pilot, lambda: "Held (queued from the shell" in screen_text(app), 15)
        assert "R2" in screen_text(app)
        await pilot.pause(1.0)
        assert store.print_job(job).status == "held"
        assert list(kiosk.badges.glob("*.png")) == []


async def test_printer_panel_probes_and_shows_the_desk_printer(make_kiosk):
    from tests.printers import fakeprinter
    from tests.printers.fakeprinter import FakePrinter

    desk = FakePrinter()
    desk.paper = fakeprinter.PAPER_OUT
    try:
        extra = {"kind": "network", "host": "127.0.0.1", "port": desk.port}
        kiosk = make_kiosk(**{"printer.extra.desk": extra})
        app = kiosk.app(staff_language="en")
        async with app.run_test(size=(120, 36)) as pilot:
            await sign_in(pilot, app)
            await pilot.press("f3")
            assert isinstance(app.screen, PrinterScreen)
            await wait_for(pilot, lambda: "Printer desk: out of paper" in screen_text(app), 15)
    finally:
        desk.close()


async def test_reprint_of_a_badge_stopped_mid_way_asks_to_check_the_tray(make_kiosk):
    """R on a person whose badge stopped mid-way printed a new one at once (nothing had
    been counted as printed): the first may be in the tray. Staff are asked first."""
    from datetime import UTC, datetime, timedelta

    from kiosk.core.ports import PrintReason, PrintRequest

    kiosk = make_kiosk()
    store = kiosk.runtime.store
    job = store.queue_print(PrintRequest("R2", PrintReason.CHECKIN))
    now = datetime.now(UTC)
    store.claim_print_job(now - timedelta(hours=1), now - timedelta(minutes=58), "main")
    assert store.settle_interrupted_prints(now) == 1  # its kiosk died mid-badge
    app = kiosk.app(staff_language="en")
    async with app.run_test(size=(120, 36)) as pilot:
        await sign_in(pilot, app)
        await open_detail(pilot, app, "john smith")
        await wait_for(pilot, lambda: app.screen.record is not None and app.screen.record.prints)
        await pilot.press("r")
        assert isinstance(app.screen, ConfirmScreen)
        question = str(app.screen.query_one("#question").render())
        assert f"(job {job}) stopped mid-way" in question and "Check the tray" in question
        await pilot.press("n")  # it was in the tray
        await pilot.pause(0.5)
        assert [j.status for j in store.print_jobs(None)] == ["uncertain"]
        await pilot.press("r")
        await pilot.press("y")  # not in the tray: a new one
        await wait_for(pilot, lambda: store.print_job(job).status == "cancelled", 15)
    assert len(store.print_jobs(None)) == 2
