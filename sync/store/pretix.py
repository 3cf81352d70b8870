"""pretix's check-in data as pulled: the check-in lists by door and each ticket's facts."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime

from kiosk.core.checkin_list import CheckinList, TicketFacts
from sync.store._base import Database
from sync.wire import facts_from_dict, facts_to_dict, list_from_dict, list_to_dict, utc_text


class CheckinData(Database):
    """The pulled check-in lists (door '' is the entrance, else a session id) and the
    order-position facts their checks read."""

    def _save_lists(self, source: str, lists: Mapping[str, CheckinList]) -> None:
        """Replace the pulled check-in lists; a change of configuration is noted."""
        now = utc_text(datetime.now(UTC))
        with self.transaction() as db:
            old = {row[0]: row[1] for row in db.execute("SELECT door, config FROM checkin_lists")}
            changes: dict[str, str] = {}
            for door, clist in lists.items():
                text = json.dumps(list_to_dict(clist), sort_keys=True)
                if door not in old:
                    changes[door] = f"list {clist.id} added"
                elif old[door] != text:
                    changes[door] = f"list {clist.id} changed: " + _list_diff(old[door], text)
                db.execute(
                    "INSERT INTO checkin_lists(door, list_id, config, updated_at) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT(door) DO UPDATE SET list_id=excluded.list_id, "
                    "config=excluded.config, updated_at=excluded.updated_at",
                    (door, clist.id, text, now),
                )
            for door in set(old) - set(lists):
                changes[door] = "no longer configured"
                db.execute("DELETE FROM checkin_lists WHERE door = ?", (door,))
            if changes and old:
                report = json.loads(self.get_meta(f"sync.{source}.last_full") or "{}")
                report["lists_changed"] = changes
                report["lists_changed_at"] = now
                self.set_meta(f"sync.{source}.last_full", json.dumps(report), db)

    def _save_facts(self, facts: Mapping[str, TicketFacts]) -> None:
        """Replace the facts of these registrations (by id), in one transaction."""
        with self.transaction() as db:
            db.executemany(
                "INSERT INTO ticket_facts(registration_id, facts) VALUES (?, ?) "
                "ON CONFLICT(registration_id) DO UPDATE SET facts=excluded.facts",
                [(rid, json.dumps(facts_to_dict(f))) for rid, f in facts.items()],
            )

    def checkin_list(self, door: str) -> CheckinList | None:
        """The pulled pretix check-in list of a door ('' the entrance, else a session id)."""
        rows = self._query("SELECT config FROM checkin_lists WHERE door = ?", (door,))
        return list_from_dict(json.loads(rows[0][0])) if rows else None

    def checkin_lists(self) -> dict[str, CheckinList]:
        rows = self._query("SELECT door, config FROM checkin_lists ORDER BY door")
        return {row[0]: list_from_dict(json.loads(row[1])) for row in rows}

    def ticket_facts(self, registration_id: str) -> TicketFacts | None:
        rows = self._query(
            "SELECT facts FROM ticket_facts WHERE registration_id = ?", (registration_id,)
        )
        return facts_from_dict(json.loads(rows[0][0])) if rows else None

    def addons(self, code: str) -> list[tuple[str, TicketFacts]]:
        """Pulled add-on positions whose main position's secret is ``code``, in position
        order (pretix-<order>-<n>: shorter ids first, as numbers sort)."""
        if not code:
            return []
        rows = self._query(
            "SELECT registration_id, facts FROM ticket_facts "
            "WHERE json_extract(facts, '$.addon_to_secret') = ?",
            (code,),
        )
        found = [(str(r[0]), facts_from_dict(json.loads(r[1]))) for r in rows]
        return sorted(found, key=lambda f: (len(f[0]), f[0]))


def _list_diff(old: str, new: str) -> str:
    before, after = json.loads(old), json.loads(new)
    keys = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    return ", ".join(f"{k} {before.get(k)!r} -> {after.get(k)!r}" for k in keys)[:300]
