"""`accueil pin`: set a staff PIN or a new recovery code; only scrypt hashes are kept.

The hash goes to the owner-only secrets file (``[kiosk] secrets_file``, by default
``secrets.toml`` in the data folder), never to config.toml, which others may read:
whoever reads a hash of a short PIN can try every PIN offline.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from kiosk.commands.words import add_lang_argument, replies
from kiosk.config import ConfigError, write_secret
from kiosk.core.i18n import Translator
from kiosk.staff_auth import PinFormatError, StaffRole, check_pin_format, hash_pin, verify_pin


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "pin",
        help="set a staff PIN (or a new recovery code) in the owner-only secrets file",
        description="Asks for the PIN twice (not echoed) and keeps its scrypt hash in the "
        "secrets file (mode 600). A steward PIN has 4+ digits, the supervisor's 6+. "
        "--recovery makes a new 12-digit recovery code, shown once: it lifts any lockout "
        "at the PIN box. --print prints the line instead, for ACCUEIL_STAFF_* variables.",
    )
    role = parser.add_mutually_exclusive_group()
    role.add_argument("--supervisor", action="store_true", help="the supervisor's PIN")
    role.add_argument("--recovery", action="store_true", help="a new recovery code")
    parser.add_argument("--print", action="store_true", help="print the hash line, store nothing")
    add_lang_argument(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, rt: Any) -> int:
    tr = replies(args, rt)
    _ = tr.gettext
    if getattr(args, "recovery", False):
        return _recovery(args, rt, tr)
    role = StaffRole.SUPERVISOR if args.supervisor else StaffRole.STEWARD
    ask = getpass.getpass if sys.stdin.isatty() else _read_line
    least = 6 if role is StaffRole.SUPERVISOR else 4
    new = (
        _("New supervisor PIN ({least}+ digits): ")
        if role is StaffRole.SUPERVISOR
        else _("New steward PIN ({least}+ digits): ")
    )
    first = ask(new.format(least=least))
    if not first:
        said = _(
            "no PIN given; run it in a terminal (or give the PIN twice on standard input, one "
            "per line); nothing changed"
        )
        print(f"accueil pin: {said}", file=sys.stderr)
        return 2
    try:
        check_pin_format(first, role)
    except PinFormatError as exc:
        print(f"accueil pin: {exc}", file=sys.stderr)
        return 2
    if ask(_("Same PIN again: ")) != first:
        said = _("the two PINs differ; nothing changed")
        print(f"accueil pin: {said}", file=sys.stderr)
        return 2
    key = "supervisor_pin_hash" if role is StaffRole.SUPERVISOR else "pin_hash"
    other_key = "pin_hash" if role is StaffRole.SUPERVISOR else "supervisor_pin_hash"
    other = getattr(rt.config.staff, other_key)
    if other.strip() and _same(first, other):
        # The PIN box would take it for the other role: a steward signing in as supervisor
        # (override, quit), or the supervisor as a steward.
        said = _(
            "the steward and supervisor PINs must differ (with one PIN for both, every steward "
            "signs in as supervisor); nothing changed"
        )
        print(f"accueil pin: {said}", file=sys.stderr)
        return 2
    return _keep(args, rt, key, hash_pin(first), tr)


def _same(pin: str, line: str) -> bool:
    try:
        return verify_pin(pin, line)
    except PinFormatError:  # a damaged hash: `accueil run` names it; this PIN replaces none
        return False


def _recovery(args: argparse.Namespace, rt: Any, tr: Translator) -> int:
    from kiosk.staff_auth import new_recovery_code

    code = new_recovery_code()
    status = _keep(args, rt, "recovery_code_hash", hash_pin(code), tr)
    if status == 0:
        print(recovery_notice(code, tr))
    return status


def recovery_notice(code: str, tr: Translator) -> str:
    """What to print (once) for a new recovery code, in ``tr``'s language.

    The first line is ``RECOVERY CODE: 1234 5678 9012`` in every language (scripts and
    tests read it); the explanation under it is translated.
    """
    grouped = " ".join(code[i : i + 4] for i in range(0, len(code), 4))
    return f"RECOVERY CODE: {grouped}\n" + tr.gettext(
        "Type it (digits only) in the staff PIN box when a lockout stops everyone: it lifts "
        "every lock and signs in as supervisor. Keep it on paper with the supervisor, away "
        "from the kiosk; it is not shown again (`accueil pin --recovery` makes a new one)."
    )


def _keep(args: argparse.Namespace, rt: Any, key: str, line: str, tr: Translator) -> int:
    _ = tr.gettext
    if getattr(args, "print", False):
        print(f'{key} = "{line}"')
        variable = f"ACCUEIL_STAFF_{key.upper()}"
        print("# " + _("set {variable} to this hash").format(variable=variable), file=sys.stderr)
        return 0
    try:
        path = write_secret(rt.config, "staff", key, line)
    except (ConfigError, OSError) as exc:
        said = _("cannot write the secrets file: {error}").format(error=exc)
        print(f"accueil pin: {said}", file=sys.stderr)
        return 2
    kept = _("[staff] {key} kept in {path} (owner-only)").format(key=key, path=path)
    print(kept, file=sys.stderr)
    return 0


def _read_line(prompt: str) -> str:
    print(prompt, end="", file=sys.stderr, flush=True)
    return sys.stdin.readline().rstrip("\n")
