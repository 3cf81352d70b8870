"""Issue 17, item 1: `accueil checkin` answers a French attendee in French; tickets speak
the attendee's language ("SPEAKER · every day" on a French ticket was English)."""

from __future__ import annotations

import csv
import io

import pytest

import main
from tests.conftest import ROOT, demo_config


@pytest.fixture
def demo(tmp_path):
    config = demo_config(tmp_path, extra='[staff]\nlanguage = "en"\n')
    assert main.main(["--config", str(config), "setup"]) == 0
    return config


def row(reg_id: str) -> dict[str, str]:
    with (ROOT / "demo/registrations.csv").open(encoding="utf-8") as f:
        return next(r for r in csv.DictReader(f) if r["id"] == reg_id)


def test_checkin_answers_the_attendee_in_their_language_and_staff_in_theirs(demo, capsys):
    loic = row("S0002")  # French, a speaker
    assert loic["lang"] == "fr" and loic["role"] == "speaker"
    main.main(["--config", str(demo), "checkin", loic["codes"]])
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "OK ok S0002"  # the line for scripts, the same in every language
    assert out[1] == "attendee: Bienvenue, Loïc Bonnet ! Prenez votre badge ci-dessous."
    assert out[2] == "staff:    Accepted: Loïc Bonnet (speaker)."  # [staff] language = en


def test_checkin_lang_puts_every_line_in_one_language(demo, capsys):
    loic = row("S0002")
    main.main(["--config", str(demo), "checkin", loic["codes"], "--lang", "ar"])
    main.main(["--config", str(demo), "checkin", loic["codes"], "--lang", "ar"])
    out = capsys.readouterr().out.splitlines()
    assert out[-3] == "REFUSED already_checked_in S0002"
    assert out[-2].startswith("المشارك: تم تسجيل دخولك مسبقاً")
    assert out[-1].startswith("المنظمون: Loïc Bonnet: سُجّل دخوله")


def test_a_ticket_is_in_the_attendees_language(demo, tmp_path, capsys):
    out = tmp_path / "tickets"
    argv = ["--config", str(demo), "tickets", "--out", str(out)]
    assert main.main([*argv, "--id", "S0001", "--id", "S0002", "--id", "S0006"]) == 0
    assert capsys.readouterr().out.startswith(f"wrote 3 tickets to {out} (QR version ")
    assert main.main([*argv, "--id", "S0002", "--lang", "fr"]) == 0  # the reply, not the page
    assert capsys.readouterr().out.startswith(f"1 billet écrit dans {out} (QR version ")
    english = (out / "S0001.html").read_text(encoding="utf-8")
    french = (out / "S0002.html").read_text(encoding="utf-8")
    arabic = (out / "S0006.html").read_text(encoding="utf-8")
    assert '<html lang="fr" dir="ltr">' in french and "INTERVENANT · tous les jours" in french
    assert "SPEAKER · every day" in english and "SPEAKER" not in french
    assert '<html lang="ar" dir="rtl">' in arabic and "Noto Sans Arabic" in arabic
    # how to use the code: the attendee's language first, then the others
    assert french.index("Présentez ce code") < french.index("Show this code")
    assert french.index("Show this code") < french.index("اعرض هذا الرمز")


def test_search_says_the_days_and_no_match_in_the_staff_language(demo, capsys):
    assert main.main(["--config", str(demo), "search", "Loïc", "Bonnet", "--lang", "fr"]) == 0
    line = capsys.readouterr().out.splitlines()[0].split("\t")
    assert line[0] == "S0002" and line[-1] in ("tous les jours", "jour 1", "jour 2", "jours 1 et 2")
    assert main.main(["--config", str(demo), "search", "qwertyuiop"]) == 1  # [staff] = en
    assert capsys.readouterr().out == "no registration found\n"
    assert main.main(["--config", str(demo), "search", "qwertyuiop", "--lang", "ar"]) == 1
    assert capsys.readouterr().out == "لم يُعثر على أي تسجيل\n"


def test_setup_replies_in_the_staff_language_with_the_languages_plurals(tmp_path, capsys):
    """`accueil setup` speaks `[staff] language` (else --lang); the recovery code's first
    line stays the same in every language, since scripts read it."""
    config = demo_config(tmp_path)  # [staff] language: the default, French
    assert main.main(["--config", str(config), "setup"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "événement : Smart City Casablanca Symposium (2 jours, 9 sessions)"
    assert out[1] == (
        "registrations.csv: 760 inscriptions (nouvelles : 760, mises à jour : 0, inchangées : 0)"
    )
    assert out[2].startswith("base locale : ")
    assert out[3].startswith("RECOVERY CODE: ") and out[4].startswith("Tapez-le (chiffres seuls)")
    assert main.main(["--config", str(config), "setup", "--lang", "ar"]) == 0
    out = capsys.readouterr().out.splitlines()
    # two days: the dual, said in words; 760 (760 % 100 = 60): the singular with tanwin
    assert out[0] == "الحدث: Smart City Casablanca Symposium (يومان، 9 جلسات)"
    assert out[1] == "registrations.csv: 760 تسجيلاً (جديدة: 0، محدَّثة: 0، دون تغيير: 760)"
    assert main.main(["--config", str(config), "setup", "--lang", "en"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "event: Smart City Casablanca Symposium (2 days, 9 sessions)"
    assert out[1] == "registrations.csv: 760 registrations (0 new, 0 updated, 760 unchanged)"


def test_import_counts_its_problems_with_real_plurals(demo, tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("id,first_name,last_name,email\nX1,,,\nX2,,,\nX3,,,\n", encoding="utf-8")
    argv = ["--config", str(demo), "import", str(bad)]
    assert main.main(argv) == 1  # [staff] language = en
    assert "accueil import: import refused, nothing was written (3 problems):" in (
        capsys.readouterr().err
    )
    assert main.main([*argv, "--lang", "fr"]) == 1
    assert "accueil import: import refusé, rien n'a été écrit (3 problèmes) :" in (
        capsys.readouterr().err
    )
    assert main.main([*argv, "--lang", "ar"]) == 1
    assert "accueil import: رُفض الاستيراد، ولم يُكتب شيء (3 مشاكل):" in capsys.readouterr().err


def test_pin_replies_in_the_staff_language(demo, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("24680\n13579\n"))
    assert main.main(["--config", str(demo), "pin", "--lang", "ar"]) == 2
    err = capsys.readouterr().err
    assert "الرمز السري الجديد لموظف الاستقبال (4 أرقام على الأقل): " in err
    assert err.endswith("accueil pin: الرمزان مختلفان؛ لم يتغير شيء\n")


def test_hub_replies_in_the_staff_language_and_keeps_token_lists_as_codes(tmp_path, capsys):
    config = tmp_path / "config.toml"
    config.write_text(
        f'[hub]\ndatabase = "sqlite:///hub.db"\n[event]\ndefinition = "{ROOT / "demo/event.json"}"\n',
        encoding="utf-8",
    )  # [staff] language: the default, French
    hub = ["--config", str(config), "hub"]
    assert main.main([*hub, "import", str(ROOT / "demo/registrations.csv"), "--lang", "ar"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].endswith("registrations.csv: 760 تسجيلاً (generic)")
    assert out[1] == "760 تسجيلاً جديداً أو معدَّلاً في المجموع (تسحبها الأجهزة)"
    assert main.main([*hub, "token", "revoke", "door-9"]) == 1
    err = capsys.readouterr().err
    assert err == "accueil hub token revoke: la borne 'door-9' n'a pas de jeton valide\n"
    assert main.main([*hub, "token", "create", "door-1"]) == 0
    assert capsys.readouterr().err.startswith("Jeton de la borne 'door-1' : affiché une seule fois")
    assert main.main([*hub, "token", "list"]) == 0  # for scripts: the same in every language
    assert capsys.readouterr().out.startswith("door-1\tactive\tsince ")


def test_keys_replies_in_the_staff_language(demo, tmp_path, capsys):
    argv = ["--config", str(demo), "keys", "generate", "--private", str(tmp_path / "o.key"),
            "--public", str(tmp_path / "o.pub"), "--lang", "fr"]  # fmt: skip
    assert main.main(argv) == 0
    assert capsys.readouterr().out.startswith(f"clé privée : {tmp_path / 'o.key'} (mode 600")
    assert main.main(argv) == 1  # never replaced by accident
    assert capsys.readouterr().out.startswith(f"accueil keys: {tmp_path / 'o.key'} existe ;")


def test_sync_status_and_purge_reply_in_french_and_arabic(demo, capsys):
    """The last two admin commands: `accueil sync status` and a refused `accueil purge`."""
    base = ["--config", str(demo)]
    assert main.main([*base, "sync", "status", "--lang", "fr"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[:3] == [
        "source : none",  # the value of [sync] source is a code, kept as written
        "en attente d'envoi : 0",
        "dernière synchronisation réussie : jamais",
    ]
    assert "conflits signalés : 0" in out
    assert main.main([*base, "sync", "status", "--lang", "ar"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[:2] == ["المصدر: none", "في انتظار الإرسال: 0"]
    assert "التعارضات المُبلّغ عنها: 0" in out

    for lang, refused in [
        ("fr", "accueil purge: refusé : seul le hub peut confirmer"),
        ("ar", "accueil purge: مرفوض: الخادم المركزي وحده يستطيع تأكيد استلام كل مسح"),
    ]:
        assert main.main([*base, "purge", "--yes", "--lang", lang]) == 1
        err = capsys.readouterr().err
        assert err.startswith(refused), err
        assert '[sync] source = "hub"' in err  # the key and its value stay as written


@pytest.mark.parametrize(
    ("pending", "fr", "ar"),
    [
        (0, "0 en attente d'envoi", "لا شيء في انتظار الإرسال"),
        (1, "1 en attente d'envoi", "عنصر واحد في انتظار الإرسال"),
        (2, "2 en attente d'envoi", "عنصران في انتظار الإرسال"),
        (5, "5 en attente d'envoi", "5 عناصر في انتظار الإرسال"),
        (11, "11 en attente d'envoi", "11 عنصراً في انتظار الإرسال"),
        (100, "100 en attente d'envoi", "100 عنصر في انتظار الإرسال"),
    ],
)
def test_the_foreground_sync_line_counts_with_each_languages_plurals(pending, fr, ar):
    """`accueil sync`'s running line (no more "waiting to upload" after any count)."""
    from types import SimpleNamespace

    from kiosk.commands.sync_cmd import _line
    from kiosk.locale import translator

    st = SimpleNamespace(
        online=False, last_success=None, pending=pending, conflicts=1, last_error=""
    )
    assert (
        _line(st, translator("fr"))
        == f"HORS LIGNE : dernière synchronisation jamais, {fr}, 1 conflit"
    )
    assert _line(st, translator("ar")) == f"غير متصل: آخر مزامنة أبداً، {ar}، تعارض واحد"
