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

from kiosk.config import ConfigError, write_secret
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
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, rt: Any) -> int:
    if getattr(args, "recovery", False):
        return _recovery(args, rt)
    role = StaffRole.SUPERVISOR if args.supervisor else StaffRole.STEWARD
    ask = getpass.getpass if sys.stdin.isatty() else _read_line
    least = 6 if role is StaffRole.SUPERVISOR else 4
    first = ask(f"New {role.value} PIN ({least}+ digits): ")
    if not first:
        print(
            "accueil pin: no PIN given; run it in a terminal (or give the PIN twice on "
            "standard input, one per line); nothing changed",
            file=sys.stderr,
        )
        return 2
    try:
        check_pin_format(first, role)
    except PinFormatError as exc:
        print(f"accueil pin: {exc}", file=sys.stderr)
        return 2
    if ask("Same PIN again: ") != first:
        print("accueil pin: the two PINs differ; nothing changed", file=sys.stderr)
        return 2
    key = "supervisor_pin_hash" if role is StaffRole.SUPERVISOR else "pin_hash"
    other_key = "pin_hash" if role is StaffRole.SUPERVISOR else "supervisor_pin_hash"
    other = getattr(rt.config.staff, other_key)
    if other.strip() and _same(first, other):
        # The PIN box would take it for the other role: a steward signing in as supervisor
        # (override, quit), or the supervisor as a steward.
        print(
            "accueil pin: the steward and supervisor PINs must differ (with one PIN for "
            "both, every steward signs in as supervisor); nothing changed",
            file=sys.stderr,
        )
        return 2
    return _keep(args, rt, key, hash_pin(first))


def _same(pin: str, line: str) -> bool:
    try:
        return verify_pin(pin, line)
    except PinFormatError:  # a damaged hash: `accueil run` names it; this PIN replaces none
        return False


def _recovery(args: argparse.Namespace, rt: Any) -> int:
    from kiosk.staff_auth import new_recovery_code

    code = new_recovery_code()
    status = _keep(args, rt, "recovery_code_hash", hash_pin(code))
    if status == 0:
        print(recovery_notice(code))
    return status


def recovery_notice(code: str) -> str:
    """What to print (once) for a new recovery code."""
    grouped = " ".join(code[i : i + 4] for i in range(0, len(code), 4))
    return (
        f"RECOVERY CODE: {grouped}\n"
        "Type it (digits only) in the staff PIN box when a lockout stops everyone: it lifts "
        "every lock and signs in as supervisor. Keep it on paper with the supervisor, away "
        "from the kiosk; it is not shown again (`accueil pin --recovery` makes a new one)."
    )


def _keep(args: argparse.Namespace, rt: Any, key: str, line: str) -> int:
    if getattr(args, "print", False):
        print(f'{key} = "{line}"')
        print(f"# set ACCUEIL_STAFF_{key.upper()} to this hash", file=sys.stderr)
        return 0
    try:
        path = write_secret(rt.config, "staff", key, line)
    except (ConfigError, OSError) as exc:
        print(f"accueil pin: cannot write the secrets file: {exc}", file=sys.stderr)
        return 2
    print(f"[staff] {key} kept in {path} (owner-only)", file=sys.stderr)
    return 0


def _read_line(prompt: str) -> str:
    print(prompt, end="", file=sys.stderr, flush=True)
    return sys.stdin.readline().rstrip("\n")
