"""pretix's "add-on match" applied by the kiosk, compared with pretix's own verdict (issue 15).

On a check-in list with ``addon_match``, scanning the main ticket checks in its add-on
whose product is on the list; two such add-ons are ``ambiguous``; none is ``product``.
Orders with add-ons are made in the REAL pretix (tests/sync/test_pretix.py's server); each
ticket is judged by the kiosk (its service, on what it pulled) and by pretix's check-in
simulation, and both must name the same position and the same reason.
"""

# ruff: noqa: F811  (the pretix server fixture is imported from test_pretix.py)
from __future__ import annotations

from typing import Any

import pytest

from kiosk.core.verdict import Reason
from sync.pretix import REASON_TO_PRETIX
from tests.sync.test_pretix import Pretix, pretix  # noqa: F401
from tests.sync.test_pretix_fidelity import make_door, simulate  # noqa: F401

pytestmark = pytest.mark.slow


def _item(api: Any, event: str, name: str) -> int:
    made = api.post(
        f"events/{event}/items/",
        json={"name": {"en": name}, "default_price": "50.00", "admission": True},
    )
    assert made.status_code == 201, made.text
    return int(made.json()["id"])


def _order(api: Any, event: str, main: int, addons: list[tuple[int, dict[str, Any]]]) -> dict:
    positions = [{"positionid": 1, "item": main, "price": "0.00"}]
    positions += [
        {"positionid": n, "item": item, "price": "0.00", "addon_to": 1, **extra}
        for n, (item, extra) in enumerate(addons, start=2)
    ]
    for p in positions:
        p["attendee_name_parts"] = {"given_name": "Addon", "family_name": f"P{p['positionid']}"}
    made = api.post(
        f"events/{event}/orders/",
        json={
            "email": "addons@example.org",
            "locale": "fr",
            "sales_channel": "web",
            "status": "p",
            "positions": positions,
            "force": True,
            "send_email": False,
        },
    )
    assert made.status_code == 201, made.text
    return dict(made.json())


def test_addon_match_checks_in_the_add_on_pretix_would(pretix: Pretix, make_door):
    event = pretix.info["event"]
    main = int(pretix.info["items"]["pass"])
    with pretix.admin() as api:
        atelier_a = _item(api, event, "Atelier A")
        atelier_b = _item(api, event, "Atelier B")
        quota = api.post(
            f"events/{event}/quotas/",
            json={"name": "Ateliers", "size": None, "items": [atelier_a, atelier_b]},
        )
        assert quota.status_code == 201, quota.text
        made = api.post(
            f"events/{event}/checkinlists/",
            json={
                "name": "Atelier A (add-on match)",
                "all_products": False,
                "limit_products": [atelier_a],
                "addon_match": True,
            },
        )
        assert made.status_code == 201, made.text
        list_a = int(made.json()["id"])
        past = "2020-01-01T10:00:00+00:00"
        orders = {
            "one_addon": _order(api, event, main, [(atelier_a, {})]),
            "two_addons": _order(api, event, main, [(atelier_a, {}), (atelier_a, {})]),
            "other_addon": _order(api, event, main, [(atelier_b, {})]),
            "no_addon": _order(api, event, main, []),
            "one_valid": _order(
                api, event, main, [(atelier_a, {"valid_until": past}), (atelier_a, {})]
            ),
        }
    scans = {label: o["positions"][0]["secret"] for label, o in orders.items()}
    scans["the_addon_itself"] = orders["one_addon"]["positions"][1]["secret"]
    order_of = {o["positions"][0]["secret"]: o["code"] for o in orders.values()}
    order_of[scans["the_addon_itself"]] = orders["one_addon"]["code"]

    # A session door whose list matches add-ons (main tickets known from the entrance's
    # list), and an entrance on that list itself (main tickets on no list of the kiosk).
    door = make_door("addon-door", session_lists={"AM": list_a})
    door.engine.sync_once()
    assert door.source.list_errors == {}
    gate = make_door("addon-gate", checkin_list=list_a)
    gate.engine.sync_once()

    def kiosk(service: Any, code: str, session: str | None) -> tuple[str, str]:
        verdict = service.evaluate(code, session_id=session)
        reason = "ok" if verdict.ok else REASON_TO_PRETIX[verdict.reason]
        reg = verdict.registration
        return reason, reg.id if reg is not None and verdict.ok else ""

    def theirs(code: str) -> tuple[str, str]:
        answer = simulate(pretix, code, list_a)
        reason = "ok" if answer["status"] == "ok" else str(answer.get("reason"))
        position = answer.get("position") or {}
        where = f"pretix-{order_of[code]}-{position.get('positionid')}" if reason == "ok" else ""
        return reason, where

    pretix_says = {label: theirs(code) for label, code in scans.items()}
    assert {r for r, _ in pretix_says.values()} == {"ok", "ambiguous", "product"}
    assert pretix_says["one_addon"] == ("ok", f"pretix-{orders['one_addon']['code']}-2")
    assert pretix_says["one_valid"] == ("ok", f"pretix-{orders['one_valid']['code']}-3")
    kiosk_says = {label: kiosk(door.service, code, "AM") for label, code in scans.items()}
    assert kiosk_says == pretix_says
    # At a gate on that list alone, a main ticket is known through its add-ons only: one
    # with no add-on on the list is on none of the kiosk's lists, so unknown to it (pretix
    # says "product"; docs/pretix.md, Limits). Everything else is judged as pretix does.
    at_gate = {label: kiosk(gate.service, code, None) for label, code in scans.items()}
    unknown = {"other_addon", "no_addon"}
    assert {k: v for k, v in at_gate.items() if k not in unknown} == {
        k: v for k, v in pretix_says.items() if k not in unknown
    }
    assert {at_gate[k] for k in unknown} == {("invalid", "")}

    # Uploaded: pretix checks in the same add-on, with no conflict.
    result = door.service.check(scans["one_addon"], session_id="AM")
    assert result.verdict.ok and result.scan.code == scans["one_addon"]
    report = door.engine.sync_once()
    assert (report.uploaded, report.conflicts) == (1, 0)
    addon_position = orders["one_addon"]["positions"][1]["id"]
    [checkin] = pretix.checkins(addon_position, successful="true")
    assert checkin["list"] == list_a
    assert door.service.evaluate(scans["one_addon"], session_id="AM").reason is (
        Reason.ALREADY_CHECKED_IN
    )
