"""The kiosk's check-in list verdicts against pretix's own, ticket by ticket (issue 15).

For every kind of list setting and custom rule, a check-in list is made in the REAL pretix
(tests/sync/test_pretix.py's server), some tickets get real check-ins on it, the kiosk
pulls everything, and then each ticket is judged twice at the same instant: by the kiosk's
pure core (kiosk.core.checkin_list.check, on what the kiosk pulled) and by pretix's
check-in simulation (``checkinrpc/redeem`` with ``simulate``). The reason codes must match.
"""

# ruff: noqa: F811  (the pretix server fixture is imported from test_pretix.py)
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from kiosk.core.checkin_list import check, movements
from kiosk.core.model import ScanHistory
from sync.engine import SyncEngine
from sync.pretix import PretixSource
from sync.store import LocalStore
from tests.sync.test_pretix import TZ, Pretix, kiosk_event, pretix  # noqa: F401

pytestmark = pytest.mark.slow


def _pass(pretix: Pretix) -> dict[str, Any]:
    return {"lookup": ["product", str(pretix.info["items"]["pass"]), "Pass"]}


def list_kinds(pretix: Pretix) -> dict[str, dict[str, Any]]:
    """name -> the check-in list's settings (pretix's checkinlists resource)."""
    day = datetime.now(TZ)
    yesterday = (day - timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    now = {"var": "now"}
    return {
        "plain": {},
        "products": {"all_products": False, "limit_products": [pretix.info["items"]["speaker"]]},
        "multiple": {"allow_multiple_entries": True},
        "no_reentry": {"allow_entry_after_exit": False},
        "pending": {"include_pending": True},
        "rule_product": {
            "rules": {"inList": [{"var": "product"}, {"objectList": [_pass(pretix)]}]}
        },
        "rule_entries_number": {"rules": {"<": [{"var": "entries_number"}, 2]}},
        "rule_entries_today": {"rules": {"<": [{"var": "entries_today"}, 1]}},
        "rule_entries_days": {"rules": {"<": [{"var": "entries_days"}, 2]}},
        "rule_minutes_last": {
            "rules": {
                "or": [
                    {"==": [{"var": "minutes_since_last_entry"}, -1]},
                    {">": [{"var": "minutes_since_last_entry"}, 60]},
                ]
            }
        },
        "rule_minutes_first": {"rules": {"<": [{"var": "minutes_since_first_entry"}, 600]}},
        "rule_time_window": {
            "rules": {
                "and": [
                    {"isAfter": [now, {"buildTime": ["customtime", "00:01"]}]},
                    {"isBefore": [now, {"buildTime": ["custom", yesterday.isoformat()]}, 10]},
                ]
            }
        },
        "rule_event_start": {"rules": {"isAfter": [now, {"buildTime": ["date_from"]}, 60]}},
        "rule_weekday": {"rules": {"==": [{"var": "now_isoweekday"}, day.isoweekday()]}},
        "rule_entry_status": {"rules": {"==": [{"var": "entry_status"}, "absent"]}},
        "rule_entries_since": {
            "rules": {
                "<": [{"entries_since": [{"buildTime": ["custom", yesterday.isoformat()]}]}, 2]
            }
        },
        "rule_entries_days_before": {
            "rules": {
                "==": [
                    {"entries_days_before": [{"buildTime": ["custom", day.isoformat()]}]},
                    0,
                ]
            }
        },
    }


# label -> check-ins on each list before the comparison: (minutes ago, entry/exit)
HISTORIES: dict[str, list[tuple[int, str]]] = {
    "fresh": [],
    "yesterday": [(24 * 60, "entry")],
    "twice": [(2 * 24 * 60, "entry"), (30, "entry")],
    "out": [(120, "entry"), (60, "exit")],
    "inside": [(90, "entry")],
}
BULK_FOR = {"fresh": 40, "yesterday": 41, "twice": 42, "out": 43, "inside": 44}
NAMED = ["pending", "pending_valid", "blocked", "future", "expired", "speaker", "workshop"]


def test_the_kiosk_judges_every_list_kind_as_pretix_does(pretix: Pretix, tmp_path: Path):
    kinds = list_kinds(pretix)
    event = f"events/{pretix.info['event']}/"
    ids: dict[str, int] = {}
    secrets = {label: pretix.info["bulk"][n] for label, n in BULK_FOR.items()}
    secrets.update({label: pretix.secret(label) for label in NAMED})
    now = datetime.now(TZ).replace(microsecond=0)
    with pretix.admin() as api:
        for name, settings in kinds.items():
            body = {"name": f"cmp {name}", "all_products": True, "limit_products": [], **settings}
            made = api.post(f"{event}checkinlists/", json=body)
            assert made.status_code == 201, made.text
            ids[name] = int(made.json()["id"])

    def history(name: str, label: str) -> None:
        with pretix.admin() as api:
            for ago, kind in HISTORIES[label]:
                answer = api.post(
                    "checkinrpc/redeem/",
                    json={
                        "secret": secrets[label],
                        "lists": [ids[name]],
                        "type": kind,
                        "force": True,
                        "datetime": (now - timedelta(minutes=ago)).isoformat(),
                    },
                )
                assert answer.json()["status"] == "ok", answer.text

    for name in ids:  # one at a time: pretix on SQLite refuses concurrent writes
        for label in HISTORIES:
            history(name, label)

    store = LocalStore(tmp_path / "compare.db")
    store.save_event(kiosk_event(), [])
    source = PretixSource(
        pretix.url,
        pretix.info["organizer"],
        pretix.info["event"],
        int(pretix.info["checkin_list"]),
        pretix.info["kiosk_token"],
        session_lists={name: list_id for name, list_id in ids.items()},
        kiosk_event=store.event(),
        log=store,
        timeout=30,
    )
    try:
        SyncEngine(store, source).sync_once()
        assert source.list_errors == {}
        # (list, ticket, ignore_unpaid, questions_supported): history tickets on every
        # list, ticket states on the lists where they matter, check-in questions once.
        cases = [("plain", label, False, True) for label in ("speaker", "fresh")]
        for name in ids:
            cases += [(name, label, False, False) for label in HISTORIES]
            if name in ("plain", "products", "pending"):
                cases += [(name, label, flag, False) for label in NAMED for flag in (False, True)]

        def ours(case: tuple[str, str, bool, bool]) -> tuple[str, str | None]:
            name, label, ignore_unpaid, questions = case
            clist = store.checkin_list(name)
            assert clist is not None, name
            [reg] = store.find_by_code(secrets[label])
            facts = store.ticket_facts(reg.id)
            assert facts is not None, label
            moves = movements(ScanHistory(tuple(store.scans_of(reg.id))), name)
            refusal = check(
                clist,
                facts,
                moves,
                now,
                TZ,
                ignore_unpaid=ignore_unpaid,
                questions_supported=questions,
            )
            return (refusal.code, refusal.explanation or None) if refusal else ("ok", None)

        def theirs(case: tuple[str, str, bool, bool]) -> tuple[str, str | None]:
            name, label, ignore_unpaid, questions = case
            return _simulate(pretix, secrets[label], ids[name], now, ignore_unpaid, questions)

        # pretix explains a rules refusal in the event's language: English for the comparison.
        with pretix.admin() as api:
            assert api.patch(f"{event}settings/", json={"locale": "en"}).status_code == 200
        try:
            with ThreadPoolExecutor(3) as pool:  # simulations only read; ~0.3 s each here
                answers = list(pool.map(theirs, cases))
        finally:
            with pretix.admin() as api:
                assert api.patch(f"{event}settings/", json={"locale": "fr"}).status_code == 200
        pretix_says = [code for code, _why in answers]
        kiosk_answers = [ours(case) for case in cases]
        kiosk_says = [code for code, _why in kiosk_answers]
        # pretix's explanation of each rules refusal, word for word (reason_explanation).
        explained = [
            (case, mine, them)
            for case, mine, them in zip(cases, kiosk_answers, answers, strict=True)
            if them[0] == "rules"
        ]
        assert [(c, m) for c, m, t in explained if m != t] == []
        assert len({t[1] for _c, _m, t in explained}) >= 4  # not one text for every rule
        mismatches = [
            (case, mine, them)
            for case, mine, them in zip(cases, kiosk_says, pretix_says, strict=True)
            if mine != them
        ]
        assert mismatches == []
        # Not a trivial comparison: every pretix answer the cases can give was given.
        expected = {"ok", "product", "rules", "already_redeemed", "unpaid", "blocked", "incomplete"}
        assert expected | {"invalid_time", "canceled"} <= set(pretix_says)
        rules_refused = {
            case[0] for case, v in zip(cases, pretix_says, strict=True) if v == "rules"
        }
        # Most rule kinds refused someone. How many depends on the local time of day: in the
        # first hours after midnight (event time zone) the seeded history is "yesterday" and
        # the day-based rules refuse nobody (8 by day, 7 seen at 00:09 local).
        assert len(rules_refused) >= 6, sorted(rules_refused)
    finally:
        source.close()
        store.close()


def _simulate(
    pretix: Pretix, secret: str, list_id: int, at: datetime, ignore_unpaid: bool, questions: bool
) -> tuple[str, str | None]:
    with pretix.admin() as api:
        answer = api.post(
            "checkinrpc/redeem/",
            json={
                "secret": secret,
                "lists": [list_id],
                "simulate": True,
                "datetime": at.isoformat(),
                "ignore_unpaid": ignore_unpaid,
                "questions_supported": questions,
            },
        ).json()
    if answer.get("status") == "ok":
        return "ok", None
    code = str(answer.get("reason") or answer.get("status"))
    return code, answer.get("reason_explanation") if code == "rules" else None
