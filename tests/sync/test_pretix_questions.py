"""pretix's check-in questions of every type: checked by the kiosk as pretix checks them,
uploaded as pretix reads them, and stored by the REAL pretix (issue 15).

pretix's redeem silently drops an answer it cannot read and then answers ``incomplete``;
so for each question type the test sends pretix's check-in simulation what the kiosk
accepted (pretix must take it) and what the kiosk refused (pretix must refuse it too),
then checks in at the desk with typed answers and reads back what pretix stored.
"""

# ruff: noqa: F811  (the pretix server fixture is imported from test_pretix.py)
from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from kiosk.core.model import Mode
from kiosk.core.questions import AnswerError, clean_answer
from kiosk.core.service import CheckinService, KioskIdentity
from kiosk.core.verdict import Reason
from tests.sync.test_pretix import TZ, NowClock, Pretix, pretix  # noqa: F401
from tests.sync.test_pretix_fidelity import make_door, simulate  # noqa: F401

pytestmark = pytest.mark.slow

# type -> (pretix's limits, what staff type, what pretix stores, typed answers refused)
QUESTIONS: dict[str, tuple[dict[str, Any], str, str, list[str]]] = {
    "N": ({"valid_number_min": "0", "valid_number_max": "100"}, "12,5", "12.5", ["150", "x"]),
    "S": ({"valid_string_length_max": 5}, "Salam", "Salam", ["Bonjour"]),
    "T": ({}, "Deux lignes", "Deux lignes", []),
    "B": ({}, "oui", "True", ["non", "peut-être"]),
    "C": ({}, "2", "Bleu", ["4", "Jaune"]),
    "M": ({}, "1, 3", "Rouge, Vert", ["1, 9"]),
    "D": (
        {"valid_date_min": "2026-01-01", "valid_date_max": "2027-12-31"},
        "31/12/2026",
        "2026-12-31",
        ["31/12/2025", "31/02/2026"],
    ),
    "H": ({}, "9h30", "09:30:00", ["25:00"]),
    "W": ({}, "31/12/2026 09:30", "2026-12-31 09:30", ["31/12/2026"]),
    "CC": ({}, "ma", "MA", ["XX", "Maroc"]),
    "TEL": ({}, "06 12 34 56 78", "+212612345678", ["12"]),
}
OPTIONS = [("red", "Rouge"), ("blue", "Bleu"), ("green", "Vert")]


def test_every_question_type_is_checked_sent_and_stored_as_pretix_does(pretix: Pretix, make_door):
    event = pretix.info["event"]
    with pretix.admin() as api:
        made = api.post(
            f"events/{event}/items/",
            json={"name": {"en": "Questions pass"}, "default_price": "0.00", "admission": True},
        )
        assert made.status_code == 201, made.text
        item = int(made.json()["id"])
        quota = api.post(
            f"events/{event}/quotas/", json={"name": "Q", "size": None, "items": [item]}
        )
        assert quota.status_code == 201, quota.text
        ids: dict[str, int] = {}
        for kind, (limits, *_rest) in [*QUESTIONS.items(), ("F", ({}, "", "", []))]:
            body: dict[str, Any] = {
                "question": {"fr": f"Question {kind}", "en": f"Question {kind}"},
                "identifier": f"Q{kind}",
                "type": kind,
                "required": kind != "F",
                "items": [item],
                "ask_during_checkin": True,
                **limits,
            }
            if kind in ("C", "M"):
                body["options"] = [
                    {"identifier": f"{ident}-{kind}", "answer": {"fr": text}}
                    for ident, text in OPTIONS
                ]
            q = api.post(f"events/{event}/questions/", json=body)
            assert q.status_code == 201, q.text
            ids[kind] = int(q.json()["id"])
        clist = api.post(
            f"events/{event}/checkinlists/", json={"name": "Questions", "all_products": True}
        )
        assert clist.status_code == 201, clist.text
        list_id = int(clist.json()["id"])
        order = api.post(
            f"events/{event}/orders/",
            json={
                "email": "questions@example.org",
                "locale": "fr",
                "sales_channel": "web",
                "status": "p",
                "force": True,
                "send_email": False,
                "positions": [
                    {
                        "positionid": 1,
                        "item": item,
                        "price": "0.00",
                        "country": "MA",
                        "attendee_name_parts": {"given_name": "Q", "family_name": "Types"},
                    }
                ],
            },
        )
        assert order.status_code == 201, order.text
    position = order.json()["positions"][0]
    secret = position["secret"]

    door = make_door("questions", checkin_list=list_id)
    door.engine.sync_once()
    desk = CheckinService(
        door.store,
        door.store,
        NowClock(),
        door.store.event(),
        KioskIdentity("qdesk", "Q desk", Mode.STAFF),
        lists=door.store,
    )
    verdict = desk.evaluate(secret)
    assert verdict.ok
    asked = {q.type: q for q in verdict.questions}
    assert set(asked) == {*QUESTIONS, "F"}
    assert [o.text for o in asked["C"].options] == [t for _i, t in OPTIONS]
    # The self-service kiosk still sends this attendee to the desk.
    assert door.service.evaluate(secret).reason is Reason.QUESTIONS_REQUIRED

    def wire(kind: str, typed: str) -> str:
        return clean_answer(asked[kind], typed, TZ, country="MA")

    good = {str(ids[k]): wire(k, typed) for k, (_l, typed, _s, _b) in QUESTIONS.items()}
    good[str(ids["F"])] = ""

    def pretix_takes(answers: dict[str, str]) -> str:
        body = simulate(pretix, secret, list_id, questions_supported=True, answers=answers)
        return str(body["status"])

    assert pretix_takes(good) == "ok"
    # What the kiosk refuses, pretix refuses too (it drops the answer: "incomplete").
    refused = []
    for kind, (_limits, _typed, _stored, bad) in QUESTIONS.items():
        for typed in bad:
            with pytest.raises(AnswerError):
                wire(kind, typed)
            refused.append((kind, typed))
    raw_refusals = {  # the same refusals, as the nearest text pretix itself could be sent
        "N": ["150", "x"],
        "S": ["Bonjour"],
        "B": ["false"],
        "C": ["999999", "Jaune"],
        "M": ["red-M,999999"],
        "D": ["2025-12-31", "2026-02-31"],
        "H": ["25:00"],
        "CC": ["XX"],
    }
    for kind, values in raw_refusals.items():
        for value in values:
            answers = {**good, str(ids[kind]): value}
            assert pretix_takes(answers) == "incomplete", (kind, value)
    assert len(refused) >= 14

    # At the desk: typed answers, cleaned, recorded, uploaded, stored by pretix.
    typed = {str(ids[k]): t for k, (_l, t, _s, _b) in QUESTIONS.items()}
    with pytest.raises(AnswerError, match="Question CC"):
        desk.check_in_by_hand(verdict.registration.id, "AB", {**typed, str(ids["CC"]): "XX"})
    assert door.store.pending() == []  # nothing recorded for a refused answer
    done = desk.check_in_by_hand(verdict.registration.id, "AB", typed)
    assert done.verdict.ok
    report = door.engine.sync_once()
    assert (report.uploaded, report.conflicts) == (1, 0)
    with pretix.admin() as api:
        data = api.get(f"events/{event}/orderpositions/{position['id']}/").json()
    stored = {a["question"]: a for a in data["answers"]}
    for kind, (_limits, _typed, expected, _bad) in QUESTIONS.items():
        answer = stored[ids[kind]]
        if kind == "W":
            when = datetime.fromisoformat(answer["answer"])
            assert when == datetime(2026, 12, 31, 9, 30, tzinfo=TZ), answer
        elif kind in ("C", "M"):
            chosen = {o["identifier"]: o["id"] for o in _options(pretix, ids[kind])}
            want = {"C": ["blue-C"], "M": ["red-M", "green-M"]}[kind]
            assert sorted(answer["options"]) == sorted(chosen[w] for w in want), answer
        else:
            assert answer["answer"] == expected, (kind, answer)
    [checkin] = pretix.checkins(position["id"], successful="true")
    assert checkin["list"] == list_id
    door.engine.sync_once()  # the answers come back with the order: nothing left to ask
    assert [q.type for q in desk.evaluate(secret).questions] == ["F"]


def _options(pretix: Pretix, question: int) -> list[dict[str, Any]]:
    with pretix.admin() as api:
        body = api.get(f"events/{pretix.info['event']}/questions/{question}/").json()
    return list(body["options"])


def test_checkin_texts_follow_pretix_and_the_attendees_language(pretix: Pretix, make_door):
    """pretix 2026.8 keeps one check-in text per product, variation and order (a plain
    text field: it refuses translations), so every attendee reads pretix's words under a
    heading in their own language; the kiosk reads the event's default language from
    pretix, which picks among translations where pretix has them (tests/core)."""
    from kiosk.core.checkin_list import attendee_notes
    from kiosk.core.model import Lang

    event = pretix.info["event"]
    with pretix.admin() as api:
        i18n = api.post(
            f"events/{event}/items/",
            json={
                "name": {"en": "Texts"},
                "default_price": "0.00",
                "checkin_text": {"fr": "Cordon vert", "en": "Green lanyard", "ar": "الحبل الأخضر"},
            },
        )
    assert i18n.status_code == 400 and "checkin_text" in i18n.json()  # no translations
    door = make_door("texts")
    door.engine.sync_once()
    assert door.source._event_locale == "fr"  # pretix's default language of the event
    verdict = door.service.evaluate(pretix.secret("speaker"))
    theirs = simulate(pretix, pretix.secret("speaker"), int(pretix.info["checkin_list"]))
    assert verdict.notes == tuple(theirs["checkin_texts"])
    assert verdict.translated_notes == ()
    shown = {lang: attendee_notes(verdict, lang) for lang in Lang}
    assert all(theirs["checkin_texts"][0] in text for text in shown.values())
    assert len(set(shown.values())) == len(Lang)  # each under its own language's heading
