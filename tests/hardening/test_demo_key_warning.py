"""The demo-key attack: the demo organiser's private key is published with the project, so
a kiosk that trusts its public key accepts a ticket anyone signs, even for an id that was
never registered. Nothing said so; now set-up, check-in and `accueil run` warn."""

from __future__ import annotations

import main
from kiosk import signing
from kiosk.core import tickets
from kiosk.core.model import Role
from tests.conftest import ROOT, demo_config


def test_the_forgery_works_and_the_kiosk_warns_about_the_key(tmp_path, capsys):
    config = demo_config(tmp_path)
    assert main.main(["--config", str(config), "setup"]) == 0
    setup_err = capsys.readouterr().err
    assert "[event] public_key and private_key are the public demo key" in setup_err
    sign = signing.load_signer(ROOT / "demo" / "demo-organiser.key")  # anyone has this file
    forged = tickets.encode("NOBODY1", Role.VIP, frozenset(), "scc-2026", sign)
    status = main.main(["--config", str(config), "checkin", forged])
    out, err = capsys.readouterr()
    assert "public demo key" in err and "accueil keys generate" in err
    # the reason for the warning: a forged ticket for nobody gets in (its badge is held for
    # staff until the registration syncs: exit 3, accepted but not printed)
    assert status == 3 and "OK ok NOBODY1" in out


def test_an_event_with_its_own_keys_gets_no_warning(tmp_path, capsys):
    private, public = tmp_path / "org.key", tmp_path / "org.pub"
    signing.generate(private, public)
    config = demo_config(tmp_path)
    text = config.read_text()
    text = text.replace(str(ROOT / "demo/organiser.pub"), str(public))
    text = text.replace(str(ROOT / "demo/demo-organiser.key"), str(private))
    config.write_text(text)
    assert main.main(["--config", str(config), "setup"]) == 0
    assert "demo key" not in capsys.readouterr().err
    main.main(["--config", str(config), "checkin", "nothing-like-a-ticket"])
    assert "demo key" not in capsys.readouterr().err


def test_the_check_looks_at_the_key_not_the_file_name(tmp_path):
    copy = tmp_path / "our-organiser.pub"
    copy.write_text((ROOT / "demo" / "organiser.pub").read_text())
    assert signing.is_demo_key(copy)
    assert signing.is_demo_key(ROOT / "demo" / "demo-organiser.key", private=True)
    assert not signing.is_demo_key(tmp_path / "missing.pub")
    signing.generate(tmp_path / "k.key", tmp_path / "k.pub")
    assert not signing.is_demo_key(tmp_path / "k.pub")
