"""Attendee kiosk flows through the Pilot, on the real app built by Runtime.build_app."""

from __future__ import annotations

import shutil

import pytest

from kiosk.core.model import Lang
from kiosk.core.texts import ATTENDEE
from kiosk.core.verdict import Reason
from kiosk.locale import translator
from kiosk.ui.i18n import ui_text
from kiosk.ui.screens.attendee import AttendeeScreen
from kiosk.ui.screens.staff import DeskScreen
from tests.ui.conftest import (
    HUMAN_GAP,
    PHOTO,
    PHOTO_TEXT,
    SUPERVISOR_PIN,
    screen_text,
    send_keys,
    wait_for,
)

pytestmark = pytest.mark.anyio


async def type_text(pilot, text: str) -> None:
    """A person typing (keys 120 ms apart, whatever the load on the test machine)."""
    await send_keys(pilot, text, HUMAN_GAP)


async def scan(pilot, app, code: str) -> None:
    """Type a code and Enter, then wait for its verdict on screen."""
    before = len(app.sounds)
    await type_text(pilot, code)
    await pilot.press("enter")
    await wait_for(pilot, lambda: len(app.sounds) > before)


def first_sentence(key: str | Reason, lang: Lang) -> str:
    return translator(lang).gettext(ATTENDEE[key]).split(".")[0].split("{")[0]


async def test_valid_code_welcomes_and_logs_one_row(make_kiosk):
    kiosk = make_kiosk()
    app = kiosk.app()
    async with app.run_test(size=(100, 32)) as pilot:
        await scan(pilot, app, "CODE-OK-FR")
        text = screen_text(app)
        assert "Bienvenue, Hélène Dupont" in text
        assert app.sounds[-1] == "ok"
        assert app.screen.query_one("#result").has_class("ok")
        assert "Prenez votre badge ci-dessous" in text
        await wait_for(pilot, lambda: list(kiosk.badges.glob("*.png")), 15)
    rows = kiosk.log_rows()
    assert [(r.registration_id, r.accepted, r.kind.value) for r in rows] == [("R1", True, "entry")]
    assert len(list(kiosk.badges.glob("*.png"))) == 1
    assert kiosk.runtime.store.get("R1").print_count == 1


async def test_printer_down_checkin_stands_attendee_sent_to_desk_staff_alerted(make_kiosk):
    import socket

    with socket.socket() as s:  # a loopback port with nobody listening: an unplugged printer
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    kiosk = make_kiosk(
        printer={"kind": "network", "host": "127.0.0.1", "port": port, "timeout_seconds": 0.5},
        kiosk={"result_seconds": 5.0},
    )
    app = kiosk.app(staff_language="en", language="en")
    async with app.run_test(size=(100, 32)) as pilot:
        # The printer is probed before the verdict: the first attendee is sent to the desk.
        await scan(pilot, app, "CODE-OK-EN")
        assert "Your badge will be printed at the help desk" in screen_text(app)
        # The printer's state turns into an alert for staff on the kiosk screen.
        await wait_for(pilot, lambda: app.printer.level == "down", 15)
        await wait_for(pilot, lambda: app.screen.query_one("#staff-alert").display)
        assert "0 badges waiting" in str(app.screen.query_one("#staff-alert").render())
        assert "alert" in app.sounds
        # The next attendee is told where the badge will be.
        await scan(pilot, app, "CODE-OK-FR")
        assert "Votre badge sera imprimé à l'accueil" in screen_text(app)
    rows = kiosk.log_rows()
    assert [(r.registration_id, r.accepted) for r in rows] == [("R2", True), ("R1", True)]
    store = kiosk.runtime.store
    assert store.print_jobs("pending") == []  # never printed unattended here later
    assert sorted(j.registration_id for j in store.print_jobs("desk")) == ["R1", "R2"]


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("CODE-CANCELLED", first_sentence(Reason.CANCELLED, Lang.EN)),
        ("CODE-UNPAID", first_sentence(Reason.UNPAID, Lang.EN)),
        ("CODE-BLOCKED", first_sentence(Reason.BLOCKED, Lang.EN)),
        ("CODE-DAY2", "Your ticket is not valid today (valid: day 2)"),
        ("NO-SUCH-CODE", "Nous ne trouvons pas ce code"),  # no attendee: screen language
        ("SHARED-CODE", first_sentence(Reason.AMBIGUOUS, Lang.FR)),
        ("A1:NOTATICKET", "Ce billet n'a pas pu être vérifié"),
    ],
)
async def test_each_refusal_shows_its_reason_and_next_step(make_kiosk, code, expected):
    kiosk = make_kiosk()
    app = kiosk.app()
    async with app.run_test(size=(100, 32)) as pilot:
        await scan(pilot, app, code)
        text = screen_text(app)
        assert expected in text
        assert app.sounds[-1] == "refused"
        assert app.screen.query_one("#result").has_class("refused")
    rows = kiosk.log_rows()
    assert len(rows) == 1 and not rows[0].accepted


async def test_same_code_within_repeat_seconds_only_reshows_the_verdict(make_kiosk):
    kiosk = make_kiosk(camera={"repeat_seconds": 30.0})
    app = kiosk.app()
    async with app.run_test(size=(100, 32)) as pilot:
        await scan(pilot, app, "CODE-OK-EN")
        await type_text(pilot, "CODE-OK-EN")
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert "Welcome, John Smith" in screen_text(app)
    assert len(kiosk.log_rows()) == 1


async def test_a_repeat_reshows_that_codes_own_verdict_not_the_last_one(make_kiosk):
    kiosk = make_kiosk(camera={"repeat_seconds": 30.0})
    app = kiosk.app()
    async with app.run_test(size=(100, 32)) as pilot:
        await scan(pilot, app, "CODE-OK-EN")  # John, welcome
        await scan(pilot, app, "CODE-CANCELLED")  # Paul, refused
        await type_text(pilot, "CODE-OK-EN")  # John again, within repeat_seconds
        await pilot.press("enter")
        await wait_for(pilot, lambda: "Welcome, John Smith" in screen_text(app))
        assert first_sentence(Reason.CANCELLED, Lang.EN) not in screen_text(app)
        assert app.screen.query_one("#result").has_class("ok")
        assert app.sounds == ["ok", "refused"]
    assert [(r.registration_id, r.accepted) for r in kiosk.log_rows()] == [
        ("R2", True),
        ("R4", False),
    ]


async def test_second_scan_says_already_checked_in_with_time_and_kiosk(make_kiosk):
    kiosk = make_kiosk(camera={"repeat_seconds": 0.0})
    app = kiosk.app()
    async with app.run_test(size=(100, 32)) as pilot:
        await scan(pilot, app, "CODE-OK-EN")
        await scan(pilot, app, "CODE-OK-EN")
        text = screen_text(app)
        first = kiosk.log_rows()[0].at.astimezone(kiosk.runtime.clock.tz)
        assert f"Already checked in at {first:%H:%M} at Kiosk T" in text
    assert [r.accepted for r in kiosk.log_rows()] == [True, False]


async def test_keyboard_shortcuts_never_quit_or_leave_kiosk_mode(make_kiosk):
    app = make_kiosk().app()
    async with app.run_test(size=(100, 32)) as pilot:
        for key in ("ctrl+c", "ctrl+q", "escape", "ctrl+p", "tab", "ctrl+z", "ctrl+w"):
            await pilot.press(key)
            await pilot.pause(0.05)
            assert app.is_running, key
            assert isinstance(app.screen, AttendeeScreen), key
    assert app.return_code is None or app.return_code == 0


async def test_language_keys_switch_and_result_uses_attendee_language(make_kiosk):
    app = make_kiosk().app()
    async with app.run_test(size=(100, 32)) as pilot:
        assert ui_text("ready.title", Lang.FR) in screen_text(app)
        await pilot.press("f2")
        assert app.screen.query_one("#title").text == ui_text("ready.title", Lang.EN)
        await pilot.press("f3")
        assert app.screen.query_one("#title").text == ui_text("ready.title", Lang.AR)
        assert app.screen.query_one("#title").rtl
        # An English speaker scanning at the Arabic screen is answered in English.
        await scan(pilot, app, "CODE-OK-EN")
        assert "Welcome, John Smith" in screen_text(app)
        await scan(pilot, app, "CODE-OK-AR")
        assert "أهلاً وسهلاً، Amina Benali" in screen_text(app)


async def test_result_goes_back_to_ready_after_result_seconds(make_kiosk):
    app = make_kiosk(kiosk={"result_seconds": 0.3}).app()
    async with app.run_test(size=(100, 32)) as pilot:
        await scan(pilot, app, "CODE-OK-FR")
        assert app.screen.query_one("#result").display
        await wait_for(pilot, lambda: app.screen.query_one("#ready").display, 3)
        assert not app.screen.query_one("#result").display


async def test_a_pasted_code_is_checked_like_a_scan(make_kiosk):
    from textual import events

    kiosk = make_kiosk()
    app = kiosk.app()
    async with app.run_test(size=(100, 32)) as pilot:
        app.screen.post_message(events.Paste("CODE-OK-EN\n"))
        await wait_for(pilot, lambda: app.sounds)
        assert "Welcome, John Smith" in screen_text(app)
    assert len(kiosk.log_rows()) == 1


async def test_no_camera_tells_attendees_to_use_the_scanner_or_ask_staff(make_kiosk):
    app = make_kiosk().app(language="en")
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: ui_text("ready.no_camera", Lang.EN) in screen_text(app))
        assert not app.screen.query_one("#preview").display
        for name in ("Hélène", "Dupont", "Smith"):  # no list of attendees, ever
            assert name not in screen_text(app)


@pytest.mark.skipif(not PHOTO.exists(), reason="shared QR photos not present")
async def test_camera_photo_is_read_previewed_and_checked_in(make_kiosk, tmp_path):
    folder = tmp_path / "camera"
    folder.mkdir()
    for i in range(40):  # the same real photo, as a camera would see it for a while
        shutil.copy(PHOTO, folder / f"frame{i:03}.png")
    kiosk = make_kiosk(camera={"source": str(folder), "fps": 10, "repeat_seconds": 30.0})
    app = kiosk.app(language="en")
    async with app.run_test(size=(100, 36)) as pilot:
        await wait_for(pilot, lambda: app.sounds, 15)
        assert "Welcome, Photo Person" in screen_text(app)
        frame = app.preview_frame()
        assert frame is not None and frame.image.ndim == 2
    rows = kiosk.log_rows()
    # The code stays in view for many frames: one check-in, repeats only re-show it.
    assert [(r.code, r.accepted) for r in rows] == [(PHOTO_TEXT, True)]


async def test_staff_pin_opens_the_desk_and_escape_does_not_leave(make_kiosk):
    app = make_kiosk().app()
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("f12", "tab")  # no initials: Tab to the PIN
        await type_text(pilot, "2468")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DeskScreen))
        assert app.staff is not None and app.staff.role.value == "steward"
        await pilot.press("f9")  # sign out: back to the attendee screen
        assert isinstance(app.screen, AttendeeScreen) and app.staff is None


async def test_staff_card_qr_signs_in(make_kiosk):
    app = make_kiosk().app()
    async with app.run_test(size=(100, 32)) as pilot:
        await type_text(pilot, "ACCUEIL-STAFF:135790")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DeskScreen))
        assert app.staff.supervisor


async def test_idle_staff_screen_goes_back_to_the_attendee_screen(make_kiosk):
    app = make_kiosk(kiosk={"idle_reset_seconds": 1.0}).app()
    async with app.run_test(size=(100, 32)) as pilot:
        await type_text(pilot, "ACCUEIL-STAFF:2468")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DeskScreen))
        await wait_for(pilot, lambda: isinstance(app.screen, AttendeeScreen), 5)
        assert app.staff is None


async def test_five_wrong_pins_lock_out_even_after_a_restart(make_kiosk):
    kiosk = make_kiosk()
    app = kiosk.app(staff_language="en")
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("f12", "tab")
        for attempt in range(5):
            await type_text(pilot, "0000")
            await pilot.press("enter")
            await wait_for(pilot, lambda n=attempt: app.sounds.count("refused") > n)
        message = str(app.screen.query_one("#pin-message").render())
        assert "Locked" in message and "recovery code" in message
        assert not app.screen.query_one("#pin").disabled  # the supervisor can still type
    # A new app on the same data folder is still locked, even for the right steward PIN…
    app = kiosk.app(staff_language="en")
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("f12", "tab")
        await wait_for(
            pilot, lambda: "Locked" in str(app.screen.query_one("#pin-message").render())
        )
        assert app.services.staff_auth.attempt("2468").locked_seconds > 25
        assert app.staff is None
        # …but the supervisor recovers on the device, without a shell.
        await type_text(pilot, SUPERVISOR_PIN)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DeskScreen))
        assert app.staff.supervisor
        assert app.services.staff_auth.locked_for() == 0


async def test_staff_mode_disabled_without_pin_hashes(make_kiosk):
    app = make_kiosk(staff={"pin_hash": "", "supervisor_pin_hash": ""}).app()
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("f12")
        await pilot.pause(0.1)
        assert isinstance(app.screen, AttendeeScreen)
        notes = [n.message for n in app._notifications]
        assert any("Staff mode is disabled" in n for n in notes)
