"""The kiosk decides as pretix would, and every disagreement is seen (issue 15).

Against the same REAL pretix server as tests/sync/test_pretix.py (its session fixture):
product limits at session doors, refusals hidden by ``force``, full pulls that reconcile,
per-list error isolation, ``sync status`` probing, misleading URLs and slugs, and the event
definition taken from pretix. Tickets used here are not used by test_pretix.py.
"""

# ruff: noqa: F811  (the pretix server fixture is imported from test_pretix.py)
from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

import main
from kiosk.core.model import Event, EventDay, Session
from kiosk.core.service import CheckinService, KioskIdentity
from kiosk.core.verdict import Reason
from sync.engine import SyncEngine
from sync.pretix import PretixSource, normalise_url
from sync.store import LocalStore
from tests.sync.test_pretix import TZ, NowClock, Pretix, kiosk_event, pretix  # noqa: F401

pytestmark = pytest.mark.slow


@dataclass
class Door:
    store: LocalStore
    source: PretixSource
    engine: SyncEngine
    service: CheckinService


@pytest.fixture
def make_door(pretix: Pretix, tmp_path: Path) -> Iterator[Callable[..., Door]]:
    made: list[Door] = []

    def make(
        name: str = "door-f",
        *,
        checkin_list: int | None = None,
        session_lists: dict[str, int] | None = None,
        token: str | None = None,
        url: str | None = None,
        organizer: str | None = None,
        event_slug: str | None = None,
        event: Event | None = None,
        from_pretix: bool = False,
        store: LocalStore | None = None,
    ) -> Door:
        store = store or LocalStore(tmp_path / f"{name}.db")
        event = event or kiosk_event()
        if store.event() is None:
            today = datetime.now(TZ)
            sessions = [
                Session(s, f"Session {s}", "Salle A", 1, today, today + timedelta(hours=2))
                for s in (session_lists or {})
            ]
            store.save_event(event, sessions)
        source = PretixSource(
            url or pretix.url,
            organizer or pretix.info["organizer"],
            event_slug or pretix.info["event"],
            checkin_list or int(pretix.info["checkin_list"]),
            token or pretix.info["kiosk_token"],
            language="fr",
            session_lists=session_lists or {},
            kiosk_event=store.event(),
            log=store,
            page_size=50,
            timeout=30,
            event_from_pretix=from_pretix,
        )
        service = CheckinService(
            store,
            store,
            NowClock(),
            store.event() or event,
            KioskIdentity(name, name.title()),
            lists=store,
        )
        door = Door(store, source, SyncEngine(store, source), service)
        made.append(door)
        return door

    yield make
    for door in made:
        door.source.close()
        door.store.close()


def simulate(pretix: Pretix, secret: str, list_id: int, **extra: Any) -> dict[str, Any]:
    """pretix's own verdict, without recording anything (checkinrpc/redeem, simulate)."""
    with pretix.admin() as api:
        answer = api.post(
            "checkinrpc/redeem/",
            json={"secret": secret, "lists": [list_id], "simulate": True, **extra},
        )
    body = answer.json()
    assert "status" in body, answer.text
    return dict(body)


def cancel(pretix: Pretix, order: str) -> None:
    with pretix.admin() as api:
        answer = api.post(
            f"events/{pretix.info['event']}/orders/{order}/mark_canceled/",
            json={"send_email": False},
        )
        assert answer.status_code == 200, answer.text


def order_of(pretix: Pretix, secret: str) -> str:
    with pretix.admin() as api:
        body = api.get(
            f"events/{pretix.info['event']}/orderpositions/", params={"secret": secret}
        ).json()
    return str(body["results"][0]["order"])


# -- 1. product limits at session doors --------------------------------------------------


def test_session_door_enforces_the_lists_products_as_pretix_does(pretix: Pretix, make_door):
    ws = int(pretix.info["workshop_list"])
    door = make_door("ws-door", session_lists={"WS": ws})
    door.engine.sync_once()
    conference = pretix.info["bulk"][20]
    workshop = pretix.secret("workshop")

    refused = door.service.check(conference, session_id="WS").verdict
    assert refused.reason is Reason.SESSION_NOT_ALLOWED
    assert simulate(pretix, conference, ws)["reason"] == "product"  # pretix agrees

    admitted = door.service.check(workshop, session_id="WS").verdict
    assert admitted.ok  # pulled from the session door's own list
    assert simulate(pretix, workshop, ws)["status"] == "ok"
    report = door.engine.sync_once()
    assert report.conflicts == 0
    [checkin] = pretix.checkins(pretix.tickets["workshop"]["position"], successful="true")
    assert checkin["list"] == ws
    assert pretix.checkins(pretix.tickets["workshop"]["position"], successful="false") == []
    # The entrance's list does not admit the workshop product: refused there, as pretix does.
    assert door.service.evaluate(workshop).reason is Reason.SESSION_NOT_ALLOWED


# -- 2. refusals are not hidden by force -------------------------------------------------


def test_a_refusal_behind_force_comes_back_as_a_conflict(pretix: Pretix, make_door):
    door = make_door("forced")
    door.engine.sync_once()
    secret = pretix.info["bulk"][21]
    cancel(pretix, order_of(pretix, secret))  # pretix cancels; the kiosk does not know yet
    result = door.service.check(secret)
    assert result.verdict.ok
    [item] = door.store.pending()
    report = door.engine.sync_once()
    assert (report.uploaded, report.conflicts) == (1, 1)
    [conflict] = door.store.sync_conflicts()
    assert conflict["pretix_reason"] == "canceled"
    assert conflict["reason"] == "cancelled"
    assert conflict["first_nonce"] == result.scan.nonce
    # What happened at the door is still in pretix (forced), and so is pretix's refusal.
    position = _position(pretix, secret)
    [entry] = pretix.checkins(position, successful="true")
    assert datetime.fromisoformat(entry["datetime"]) == result.scan.at
    [refusal] = pretix.checkins(position, successful="false")
    assert refusal["error_reason"] == "canceled"
    # Uploading again (a lost answer) adds no check-in and no second conflict.
    again = door.source.push([item])
    assert again.acknowledged == [item.seq]
    assert door.store.add_sync_conflicts(again.conflicts) == 0
    assert len(pretix.checkins(position, successful="true")) == 1


def test_sync_status_shows_pretix_refusal_in_the_event_zone(pretix: Pretix, make_door, capsys):
    from kiosk.commands.sync_cmd import conflict_line

    door = make_door("zone")
    door.engine.sync_once()
    secret = pretix.info["bulk"][22]
    cancel(pretix, order_of(pretix, secret))
    at = door.service.check(secret).scan.at
    door.engine.sync_once()
    [conflict] = door.store.sync_conflicts()
    line = conflict_line(conflict, "Africa/Casablanca")
    assert "pretix refused it: canceled" in line
    assert at.astimezone(TZ).strftime("%H:%M:%S") in line  # the event's zone, not UTC

    from sync.reports import StoreReportSource, compute, snapshot

    report = compute(snapshot(StoreReportSource(door.store, "zone", "Zone")))
    table = report.tables["conflicts"]
    [row] = [dict(zip(table.columns, r, strict=True)) for r in table.rows]
    assert (row["pretix_reason"], row["registration_id"]) == (
        "canceled",
        conflict["registration_id"],
    )
    assert "canceled" in str(row["detail"])


# -- 3. full pulls reconcile -------------------------------------------------------------


def test_a_full_pull_of_another_list_removes_what_left(pretix: Pretix, make_door, tmp_path):
    first = make_door("switch")
    first.engine.sync_once()
    entrance_ticket = pretix.info["bulk"][23]
    assert first.store.find_by_code(entrance_ticket)
    before = first.store.count_registrations()
    first.source.close()

    ws = int(pretix.info["workshop_list"])
    second = make_door("switch", checkin_list=ws, store=first.store)
    second.engine.sync_once()  # the scope changed: a full pull of list 2
    assert second.store.find_by_code(entrance_ticket) == []
    assert second.service.evaluate(entrance_ticket).reason is Reason.UNKNOWN
    assert second.store.find_by_code(pretix.secret("workshop"))  # on list 2
    last = second.store.last_full_pull("pretix")
    assert last["removed"] == before  # every list-1 position; the workshop came with list 2
    assert "list 2 changed" in last["lists_changed"][""]


# -- 4. one wrong list id holds only its own items ---------------------------------------


def test_a_wrong_session_list_holds_only_its_items(pretix: Pretix, make_door):
    door = make_door("isolated", session_lists={"WS": 99})
    door.engine.sync_once()  # the pull works; the WS list's problem is noted and shown
    assert "WS=99" in door.source.list_errors["WS"]
    assert "[pretix] session_lists (WS=99)" in door.engine.status().last_error
    entrance = pretix.info["bulk"][24]
    session = pretix.info["bulk"][25]
    assert door.service.check(entrance).verdict.ok
    assert door.service.check(session, session_id="WS").verdict.ok
    later = pretix.info["bulk"][26]
    cancel(pretix, order_of(pretix, later))  # made in pretix meanwhile

    door.engine.start()
    try:
        for _ in range(300):
            status = door.engine.status()
            if status.pending <= 1 and status.online and "WS=99" in status.last_error:
                break
            door.engine.pull_soon()
            import time

            time.sleep(0.1)
    finally:
        door.engine.stop()
    status = door.engine.status()
    assert status.online is True
    assert status.pending == 1  # the WS scan, held with its reason
    assert "[pretix] session_lists (WS=99)" in status.last_error
    assert "[pretix] checkin_list" not in status.last_error
    assert len(pretix.checkins(_position(pretix, entrance), successful="true")) == 1
    door.engine.sync_once()
    assert door.service.evaluate(later).reason is Reason.CANCELLED  # changes still flow
    [failure] = door.store.outbox_failures()
    assert "WS=99" in str(failure["last_error"])


def _position(pretix: Pretix, secret: str) -> int:
    with pretix.admin() as api:
        body = api.get(
            f"events/{pretix.info['event']}/orderpositions/", params={"secret": secret}
        ).json()
    return int(body["results"][0]["id"])


# -- 5, 6. sync status probes pretix; URLs and slugs are named right ---------------------


def write_config(tmp_path: Path, pretix: Pretix, **sync: Any) -> Path:
    values = {
        "source": "pretix",
        "url": pretix.url,
        "pretix_organizer": pretix.info["organizer"],
        "pretix_event": pretix.info["event"],
        "pretix_checkin_list": int(pretix.info["checkin_list"]),
        "pretix_token": pretix.info["kiosk_token"],
        "timeout_seconds": 30.0,
        **sync,
    }
    lines = "\n".join(f"{k} = {json.dumps(v)}" for k, v in values.items())
    config = tmp_path / "config.toml"
    config.write_text(
        '[kiosk]\nid = "desk-f"\ndata_dir = "data"\n'
        '[event]\ndefinition = ""\nregistrations = []\npublic_key = ""\n'
        f'[printer]\nkind = "none"\n[sync]\n{lines}\n',
        encoding="utf-8",
    )
    return config


def test_sync_status_probes_pretix_and_names_the_key(pretix: Pretix, tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("ACCUEIL_SYNC_PRETIX_TOKEN", raising=False)
    good = write_config(tmp_path, pretix)
    assert main.main(["--config", str(good), "setup"]) == 0
    assert main.main(["--config", str(good), "sync", "status", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "check-in list 1: ok" in out

    cases = {
        "[pretix] token": ({"pretix_token": "not-a-token"}, 2),
        "[pretix] organizer": ({"pretix_organizer": "nope"}, 2),
        "[pretix] event": ({"pretix_event": "nope"}, 2),
        "[pretix] checkin_list": ({"pretix_checkin_list": 99}, 2),
        "[pretix] session_lists (WS=98)": ({"pretix_session_lists": ["WS=98"]}, 2),
        "[pretix] url": ({"url": "http://127.0.0.1:9"}, 1),
    }
    for key, (change, code) in cases.items():
        config = write_config(tmp_path, pretix, **change)
        assert main.main(["--config", str(config), "sync", "status", "--lang", "en"]) == code, key
        out = capsys.readouterr().out
        assert f"check {key}" in out, out
    assert "[pretix] token" not in out.split("FAILED")[-1]  # a wrong slug is not a token problem


def test_a_wrong_slug_in_a_pull_is_not_called_a_token_problem(pretix: Pretix, make_door):
    from sync.remote import SourceRejected

    with pytest.raises(SourceRejected, match=r"check \[pretix\] organizer") as caught:
        make_door("org", organizer="nope").source.pull(None)
    assert "[pretix] token" not in str(caught.value)
    with pytest.raises(SourceRejected, match=r"check \[pretix\] event"):
        make_door("ev", event_slug="nope").source.pull(None)


def test_a_url_with_api_v1_is_accepted(pretix: Pretix, make_door):
    assert normalise_url("https://pretix.example.org/api/v1/") == "https://pretix.example.org"
    assert normalise_url("https://p.example.org/sub/api/v1") == "https://p.example.org/sub"
    door = make_door("apiv1", url=pretix.url + "/api/v1/")
    assert door.engine.sync_once().registrations > 0


# -- 7. the event comes from pretix; pulled check-ins count for their day ----------------


def test_the_event_comes_from_pretix_and_pulled_checkins_have_their_day(
    pretix: Pretix,
    make_door,
):
    demo = Event(
        "demo",
        "Demo event",
        (EventDay(1, date(2025, 3, 4)), EventDay(2, date(2025, 3, 5))),
        "UTC",
    )
    door = make_door("event", event=demo, from_pretix=True)
    secret = pretix.info["bulk"][27]
    with pretix.admin() as api:  # already let in by pretixSCAN today
        answer = api.post(
            "checkinrpc/redeem/",
            json={"secret": secret, "lists": [pretix.info["checkin_list"]]},
        )
        assert answer.json()["status"] == "ok", answer.text
    door.engine.sync_once()
    event = door.store.event()
    assert event is not None
    assert (event.name, event.timezone) == ("Smart City Casablanca Symposium", "Africa/Casablanca")
    assert event.day_of(datetime.now(TZ)) == 1
    reg = door.store.find_by_code(secret)[0]
    [scan] = door.store.scans_of(reg.id)
    assert scan.day == 1
    service = CheckinService(
        door.store, door.store, NowClock(), event, KioskIdentity("e", "E"), lists=door.store
    )
    assert service.evaluate(secret).reason is Reason.ALREADY_CHECKED_IN


def test_setup_takes_the_event_from_pretix_without_an_event_file(pretix: Pretix, tmp_path, capsys):
    config = write_config(tmp_path, pretix)
    assert main.main(["--config", str(config), "setup"]) == 0
    assert "Smart City Casablanca Symposium" in capsys.readouterr().out
    assert main.main(["--config", str(config), "sync", "--once", "--lang", "en"]) == 0
    assert "full pull: 0 registrations no longer on the lists removed" in capsys.readouterr().out
    secret = pretix.info["bulk"][28]
    assert main.main(["--config", str(config), "checkin", secret]) == 0

    # A day forced (left from the demo) is called out: pretix's dates would not be followed.
    config.write_text(
        config.read_text().replace("registrations = []", "registrations = []\nday = 1")
    )
    assert main.main(["--config", str(config), "setup", "--lang", "en"]) == 0
    assert "Set day = 0" in capsys.readouterr().err


# -- 8. check-in attention, texts and questions ------------------------------------------


def test_attention_texts_and_questions_reach_attendees_and_staff(pretix: Pretix, make_door):
    from kiosk.core.checkin_list import attendee_notes, staff_notes
    from kiosk.core.model import Lang, Mode
    from kiosk.core.texts import attendee_text
    from kiosk.locale import translator

    door = make_door("speakers")
    door.engine.sync_once()
    secret = pretix.secret("speaker")
    theirs = simulate(pretix, secret, int(pretix.info["checkin_list"]))
    assert theirs["require_attention"] is True
    assert theirs["checkin_texts"] == ["Remettre le badge orateur et le cordon vert"]

    # The self-service kiosk cannot ask pretix's check-in question: to the desk, saying why.
    alone = door.service.evaluate(secret)
    assert alone.reason is Reason.QUESTIONS_REQUIRED
    assert "question" in attendee_text(alone, translator(Lang.EN))
    asked = simulate(pretix, secret, int(pretix.info["checkin_list"]), questions_supported=True)
    assert asked["status"] == "incomplete"  # what pretix says when questions can be asked

    desk = CheckinService(
        door.store,
        door.store,
        NowClock(),
        door.store.event(),
        KioskIdentity("desk", "Desk", Mode.STAFF),
        lists=door.store,
    )
    verdict = desk.evaluate(secret)
    assert verdict.ok and verdict.attention
    assert verdict.notes == tuple(theirs["checkin_texts"])
    qid = int(pretix.info["checkin_question"])
    [question] = verdict.questions
    assert (question.id, question.text, question.type) == (qid, "Pièce d'identité vérifiée ?", "B")
    assert question.required
    for_staff = staff_notes(verdict, Lang.FR)
    assert "ATTENTION" in for_staff and "cordon vert" in for_staff and "Pièce" in for_staff
    assert "cordon vert" in attendee_notes(verdict, Lang.FR)
    assert "Pièce" not in attendee_notes(verdict, Lang.FR)
    plain = door.service.evaluate(pretix.info["bulk"][29])
    assert plain.ok and not plain.attention and plain.notes == () and plain.questions == ()

    # Asked at the desk: the answer goes to pretix with the check-in.
    reg_id = door.store.find_by_code(secret)[0].id
    done = desk.check_in_by_hand(reg_id, "AB", {str(qid): "True"})
    assert done.verdict.ok and done.scan.answers == ((str(qid), "true"),)
    report = door.engine.sync_once()
    assert (report.uploaded, report.conflicts) == (1, 0)
    position = pretix.tickets["speaker"]["position"]
    [entry] = pretix.checkins(position, successful="true")
    assert datetime.fromisoformat(entry["datetime"]) == done.scan.at
    with pretix.admin() as api:
        data = api.get(f"events/{pretix.info['event']}/orderpositions/{position}/").json()
    assert [(a["question"], a["answer"]) for a in data["answers"]] == [(qid, "True")]
    door.engine.sync_once()  # the answer comes back with the order: nothing left to ask
    assert desk.evaluate(secret).questions == ()


def test_an_event_series_gives_its_dates_and_a_dates_list_its_times(pretix: Pretix, tmp_path):
    """pretix's dates of a series (sub-events): the kiosk's days run from the first to the
    last date, and a list of one date uses that date's times for its rules."""
    first = datetime.now(TZ).replace(hour=9, minute=0, second=0, microsecond=0)
    with pretix.admin() as api:
        made = api.post(
            "events/",
            json={
                "name": {"en": "Smart City Workshops"},
                "slug": "sccs-series",
                "currency": "MAD",
                "date_from": first.isoformat(),
                "has_subevents": True,
                "timezone": "Africa/Casablanca",
            },
        )
        assert made.status_code == 201, made.text
        dates = []
        for n, days in enumerate((0, 2)):
            start = first + timedelta(days=days)
            sub = api.post(
                "events/sccs-series/subevents/",
                json={
                    "name": {"en": f"Date {n}"},
                    "date_from": start.isoformat(),
                    "date_to": (start + timedelta(hours=8)).isoformat(),
                    "active": True,
                    "meta_data": {},
                },
            )
            assert sub.status_code == 201, sub.text
            dates.append(sub.json())
        clist = api.post(
            "events/sccs-series/checkinlists/",
            json={"name": "Date 1", "all_products": True, "subevent": dates[1]["id"]},
        )
        assert clist.status_code == 201, clist.text
    store = LocalStore(tmp_path / "series.db")
    source = PretixSource(
        pretix.url,
        pretix.info["organizer"],
        "sccs-series",
        int(clist.json()["id"]),
        pretix.info["kiosk_token"],
        log=store,
        timeout=30,
        event_from_pretix=True,
    )
    try:
        SyncEngine(store, source).sync_once()
        event = store.event()
        assert event is not None and event.name == "Smart City Workshops"
        assert [d.date for d in event.days] == [first.date() + timedelta(days=n) for n in range(3)]
        pulled = store.checkin_list("")
        assert pulled is not None and pulled.subevent == dates[1]["id"]
        assert pulled.event_from == first + timedelta(days=2)  # the date's, not the series'
    finally:
        source.close()
        store.close()
