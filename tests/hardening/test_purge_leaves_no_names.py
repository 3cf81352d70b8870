"""The purge attack: after `accueil purge`, read every byte under the data folder (the
SQLite file, its WAL and journal files, anything else) looking for the purged people.

The full-text index keeps name and e-mail tokens in its own pages; deleting its rows only
adds delete markers next to them, so a purge that does not rebuild the index leaves them
on disk even after VACUUM.
"""

from __future__ import annotations

from pathlib import Path

import main
from kiosk.core.normalize import tokens
from sync.importers import load_registrations
from tests.conftest import ROOT
from tests.reports.test_purge import hub, kiosk  # noqa: F401  (fixtures)


def _needles() -> set[bytes]:
    """Every name and e-mail of the demo (raw and as the search index folds them)."""
    regs = load_registrations(ROOT / "demo" / "registrations.csv")
    found: set[bytes] = {b"Nadia", b"Alami"}  # the walk-in registered at this kiosk
    for reg in regs:
        for text in (reg.first_name, reg.last_name, reg.email):
            if len(text) >= 4:
                found.add(text.encode())
        # folded tokens as the index stores them; short ones also occur in the schema text
        found.update(t.encode() for t in tokens(f"{reg.first_name} {reg.last_name}") if len(t) >= 6)
        if reg.email:
            found.add(reg.email.lower().encode())
    # the event stays on the kiosk: words of its definition ("Grand Hall") are not names
    event = (ROOT / "demo" / "event.json").read_bytes()
    return {n for n in found if n not in event}


def _files(data: Path) -> dict[str, bytes]:
    return {str(p.relative_to(data)): p.read_bytes() for p in data.rglob("*") if p.is_file()}


def test_no_purged_name_or_email_is_left_in_any_file(kiosk, tmp_path):  # noqa: F811
    data = tmp_path / "data"
    needles = _needles()
    before = _files(data)
    store_bytes = b"".join(v for k, v in before.items() if k.startswith("k1.db"))
    # The attack can see them before: the check would fail on a kiosk that was not purged.
    assert sum(n in store_bytes for n in needles) > 700

    assert main.main(["--config", str(kiosk), "purge", "--yes", "--lang", "en"]) == 0

    after = _files(data)
    assert "k1.db" in after  # the store stays (event, sessions) …
    left = {(name, n.decode()) for name, content in after.items() for n in needles if n in content}
    assert not left, f"{len(left)} purged names/e-mails still on disk, e.g. {sorted(left)[:5]}"
