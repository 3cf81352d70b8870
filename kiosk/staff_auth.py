"""Staff PINs: scrypt hashes kept out of config.toml, lockouts that survive a restart.

A hash line looks like ``scrypt$16384$8$1$<salt b64>$<hash b64>``; ``accueil pin`` writes
one to the owner-only secrets file. Three counters, each with its own lockout, so nobody
can lock out the people who can fix things:

- ``desk``: PINs typed in the staff PIN box (F12). After ``max_attempts`` wrong PINs in a
  row the desk locks for ``lockout_seconds``; each further wrong PIN doubles the wait, up
  to ``lockout_max_seconds``.
- ``supervisor``: while the desk is locked the box still takes the supervisor PIN, counted
  here with the same rule. A right one lifts the desk lock.
- ``card``: staff-card codes (``ACCUEIL-STAFF:<PIN>``) shown or typed at the attendee
  screen, where anyone stands. They never touch the desk or supervisor counters; a wrong
  one makes the next card wait ``CARD_PAUSE_SECONDS``, and ``max_attempts`` wrong ones lock
  card sign-in alone.

The recovery code (12 digits, printed once by ``accueil setup``; only its hash is kept)
is always accepted in the PIN box: it lifts every lock and signs in as supervisor. The
counters are kept in a small owner-only JSON file in the data folder, so pulling the plug
does not give an attacker a fresh set of tries.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from kiosk.errors import AuthError

# 16 MiB of memory per try, about 50 ms on a mini-PC: slow for guessing, quick at a desk.
_N, _R, _P = 2**14, 8, 1
_PREFIX = "scrypt"
_MAXMEM = 256 * 1024 * 1024
MIN_PIN_LENGTH = 4
MIN_SUPERVISOR_PIN_LENGTH = 6
RECOVERY_CODE_LENGTH = 12
CARD_PAUSE_SECONDS = 2.0


class StaffRole(StrEnum):
    STEWARD = "steward"
    SUPERVISOR = "supervisor"


class PinFormatError(AuthError, ValueError):
    """A PIN that is too short or not digits, or a hash line that is not ours.

    ``key``: the [staff] key of a hash line that cannot be read, else None.
    """

    key: str | None = None


def check_pin_format(pin: str, role: StaffRole = StaffRole.STEWARD) -> None:
    """A steward PIN is 4+ digits, a supervisor PIN 6+ (it also lifts lockouts)."""
    least = MIN_SUPERVISOR_PIN_LENGTH if role is StaffRole.SUPERVISOR else MIN_PIN_LENGTH
    if not pin.isascii() or not pin.isdigit() or len(pin) < least:
        raise PinFormatError(f"a {role.value} PIN is {least} or more digits")


def new_recovery_code() -> str:
    """A fresh random recovery code: 12 digits (10^12 possibilities)."""
    return "".join(secrets.choice("0123456789") for _ in range(RECOVERY_CODE_LENGTH))


def hash_pin(pin: str, salt: bytes | None = None) -> str:
    """The hash line kept for this PIN (or recovery code): ``scrypt$N$r$p$salt$hash``."""
    check_pin_format(pin)
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    b64 = base64.b64encode
    return f"{_PREFIX}${_N}${_R}${_P}${b64(salt).decode()}${b64(digest).decode()}"


@dataclass(frozen=True, slots=True)
class PinHash:
    """A parsed hash line: scrypt parameters, salt and the expected digest."""

    n: int
    r: int
    p: int
    salt: bytes = field(repr=False)
    digest: bytes = field(repr=False)

    def matches(self, pin: str) -> bool:
        actual = hashlib.scrypt(
            pin.encode(),
            salt=self.salt,
            n=self.n,
            r=self.r,
            p=self.p,
            dklen=len(self.digest),
            maxmem=_MAXMEM,
        )
        return hmac.compare_digest(actual, self.digest)


def parse_pin_hash(line: str) -> PinHash:
    """Check every field of a hash line; the error says what is wrong, never the line."""
    fields = line.strip().split("$")
    if len(fields) != 6 or fields[0] != _PREFIX:
        raise PinFormatError("expected 6 fields: scrypt$N$r$p$salt$hash")
    try:
        n, r, p = (int(x) for x in fields[1:4])
    except ValueError:
        raise PinFormatError("N, r and p must be whole numbers") from None
    if n < 2 or n & (n - 1) or r < 1 or p < 1 or 128 * r * (n + p + 2) > _MAXMEM:
        raise PinFormatError("N must be a power of 2 and r, p at least 1, within 256 MiB")
    try:
        salt = base64.b64decode(fields[4], validate=True)
        digest = base64.b64decode(fields[5], validate=True)
    except ValueError:
        raise PinFormatError("salt and hash must be base64") from None
    if not salt or len(digest) < 16:
        raise PinFormatError("salt is empty or hash is shorter than 16 bytes")
    return PinHash(n, r, p, salt, digest)


def verify_pin(pin: str, line: str) -> bool:
    """True when the PIN matches the hash line (constant-time comparison)."""
    return parse_pin_hash(line).matches(pin)


@dataclass(frozen=True, slots=True)
class PinResult:
    """The outcome of one PIN try: a role, or why not and for how long.

    ``locked_seconds``: how long this kind of try waits (the desk, or card sign-in).
    ``supervisor_only``: the desk is locked but the box still takes the supervisor PIN
    (``attempts_left`` then counts those) and the recovery code.
    """

    role: StaffRole | None
    attempts_left: int = 0
    locked_seconds: float = 0.0
    supervisor_only: bool = False
    recovered: bool = False

    @property
    def ok(self) -> bool:
        return self.role is not None


class Source(StrEnum):
    DESK = "desk"  # the staff PIN box
    CARD = "card"  # a staff card at the attendee screen


_COUNTERS = ("desk", "supervisor", "card")


class StaffAuth:
    """Checks PINs against the configured hashes and keeps the lockout state on disk."""

    def __init__(
        self,
        pin_hash: str,
        supervisor_pin_hash: str,
        state_path: Path,
        *,
        recovery_code_hash: str = "",
        max_attempts: int = 5,
        lockout_seconds: float = 30.0,
        lockout_max_seconds: float = 900.0,
        now: Callable[[], float] = time.time,
    ) -> None:
        lines = {StaffRole.SUPERVISOR: supervisor_pin_hash, StaffRole.STEWARD: pin_hash}
        # Parsed now, so a damaged line stops `accueil run` at start, not a sign-in later.
        self.hashes: dict[StaffRole, PinHash] = {}
        for role, line in lines.items():
            if line.strip():
                self.hashes[role] = _parsed(_key(role), line)
        self.recovery = (
            _parsed("recovery_code_hash", recovery_code_hash)
            if recovery_code_hash.strip()
            else None
        )
        self.state_path = state_path
        self.max_attempts = max(1, max_attempts)
        self.lockout_seconds = max(0.001, lockout_seconds)
        self.lockout_max_seconds = max(self.lockout_seconds, lockout_max_seconds)
        self.now = now
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        """Staff mode needs at least one PIN hash; there is never a default PIN."""
        return bool(self.hashes)

    def disabled_reason(self) -> str:
        return (
            "Staff mode is disabled: no PIN is set. Run `accueil pin` (and "
            "`accueil pin --supervisor`): it keeps the hash in the owner-only secrets file."
        )

    def locked_for(self, source: Source = Source.DESK) -> float:
        """Seconds until the next try of this kind is allowed (0 when not locked)."""
        counter = self._load()[source.value]
        until = max(counter["locked_until"], counter.get("pause_until", 0.0))  # cards pause
        return max(0.0, until - self.now())

    def attempt(self, pin: str, source: Source = Source.DESK) -> PinResult:
        """Try a PIN; a wrong one counts on its own counter, a right one resets it."""
        with self._lock:
            state = self._load()
            card = source is Source.CARD
            result = self._card(pin, state) if card else self._desk(pin, state)
            self._save(state)
            return result

    def _desk(self, pin: str, state: dict[str, dict[str, float]]) -> PinResult:
        if self.recovery is not None and self.recovery.matches(pin):
            for name in _COUNTERS:
                state[name] = _fresh()
            return PinResult(StaffRole.SUPERVISOR, self.max_attempts, recovered=True)
        desk, sup = state["desk"], state["supervisor"]
        desk_wait = desk["locked_until"] - self.now()
        if desk_wait <= 0:
            role = self._match(pin)
            if role is not None:
                state["desk"] = _fresh()
                if role is StaffRole.SUPERVISOR:
                    state["supervisor"] = _fresh()
                return PinResult(role, self.max_attempts)
            wait = self._fail(desk)
            return PinResult(None, self._left(desk), wait, supervisor_only=wait > 0)
        # Locked desk: only the supervisor PIN, on its own counter.
        sup_wait = sup["locked_until"] - self.now()
        if sup_wait > 0:
            return PinResult(None, 0, max(desk_wait, sup_wait), supervisor_only=True)
        supervisor = self.hashes.get(StaffRole.SUPERVISOR)
        if supervisor is not None and supervisor.matches(pin):
            state["desk"], state["supervisor"] = _fresh(), _fresh()
            return PinResult(StaffRole.SUPERVISOR, self.max_attempts, recovered=True)
        self._fail(sup)
        return PinResult(None, self._left(sup), desk_wait, supervisor_only=True)

    def _card(self, pin: str, state: dict[str, dict[str, float]]) -> PinResult:
        card = state["card"]
        wait = max(card["locked_until"], card.get("pause_until", 0.0)) - self.now()
        if wait > 0:
            return PinResult(None, self._left(card), wait)
        role = self._match(pin)
        if role is not None:
            state["card"] = _fresh()
            return PinResult(role, self.max_attempts)
        wait = self._fail(card)
        card["pause_until"] = self.now() + CARD_PAUSE_SECONDS
        return PinResult(None, self._left(card), max(wait, CARD_PAUSE_SECONDS))

    def _fail(self, counter: dict[str, float]) -> float:
        """Count a wrong try; the lockout it starts, in seconds (0: none yet)."""
        counter["failures"] = counter["failures"] + 1
        extra = counter["failures"] - self.max_attempts
        if extra < 0:
            return 0.0
        # 30 s at the 5th wrong PIN, then 60, 120… never more than lockout_max_seconds.
        wait = min(self.lockout_seconds * float(2.0 ** min(extra, 64)), self.lockout_max_seconds)
        counter["locked_until"] = self.now() + wait
        return wait

    def _left(self, counter: dict[str, float]) -> int:
        return max(0, self.max_attempts - int(counter["failures"]))

    def _match(self, pin: str) -> StaffRole | None:
        for role, parsed in self.hashes.items():
            if parsed.matches(pin):
                return role
        return None

    def _load(self) -> dict[str, dict[str, float]]:
        try:
            data = json.loads(self.state_path.read_text())
        except (FileNotFoundError, ValueError):
            data = {}
        if not isinstance(data, dict):
            data = {}
        if "failures" in data:  # the single-counter file of earlier versions: the desk's
            data = {"desk": data}
        state = {}
        # No lock outlasts lockout_max_seconds from now, whatever the file says (a clock
        # set back, a damaged or edited file).
        latest = self.now() + self.lockout_max_seconds
        for name in _COUNTERS:
            counter = data.get(name)
            values = {**_fresh(), **_numbers(counter if isinstance(counter, dict) else {})}
            for key in ("locked_until", "pause_until"):
                if key in values:
                    values[key] = min(values[key], latest)
            state[name] = values
        return state

    def _save(self, state: dict[str, dict[str, float]]) -> None:
        self.state_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = self.state_path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump(state, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.state_path)


def _fresh() -> dict[str, float]:
    return {"failures": 0, "locked_until": 0.0}


def _numbers(counter: dict[str, object]) -> dict[str, float]:
    """The finite numbers of a counter read from disk; anything else is dropped."""
    out: dict[str, float] = {}
    for key in ("failures", "locked_until", "pause_until"):
        value = counter.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool) and value == value:
            out[key] = float(min(max(value, 0.0), 1e12))
    return out


def _parsed(key: str, line: str) -> PinHash:
    try:
        return parse_pin_hash(line)
    except PinFormatError as exc:
        error = PinFormatError(
            f"[staff] {key} is not a hash written by `accueil pin` ({exc}); run `accueil pin` again"
        )
        error.key = key
        raise error from None


def _key(role: StaffRole) -> str:
    return "supervisor_pin_hash" if role is StaffRole.SUPERVISOR else "pin_hash"
