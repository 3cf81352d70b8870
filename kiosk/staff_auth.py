"""Staff PINs: scrypt hashes in config.toml, lockout that survives a restart.

A hash line looks like ``scrypt$16384$8$1$<salt b64>$<hash b64>``; ``accueil pin`` prints
one. After ``max_attempts`` wrong PINs in a row the desk locks for ``lockout_seconds``, and
every further wrong PIN doubles the wait. The failure count and the end of the lockout are
kept in a small owner-only JSON file in the data folder, so pulling the plug does not give
an attacker a fresh set of tries.
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

# 16 MiB of memory per try, about 50 ms on a mini-PC: slow for guessing, quick at a desk.
_N, _R, _P = 2**14, 8, 1
_PREFIX = "scrypt"
_MAXMEM = 256 * 1024 * 1024
MIN_PIN_LENGTH = 4


class StaffRole(StrEnum):
    STEWARD = "steward"
    SUPERVISOR = "supervisor"


class PinFormatError(ValueError):
    """A PIN that is too short or not digits, or a hash line that is not ours."""


def check_pin_format(pin: str) -> None:
    if not pin.isdigit() or len(pin) < MIN_PIN_LENGTH:
        raise PinFormatError(f"a PIN is {MIN_PIN_LENGTH} or more digits")


def hash_pin(pin: str, salt: bytes | None = None) -> str:
    """The line to paste into config.toml for this PIN."""
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
    """The outcome of one PIN try: a role, or why not and for how long."""

    role: StaffRole | None
    attempts_left: int = 0
    locked_seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.role is not None


class StaffAuth:
    """Checks PINs against the configured hashes and keeps the lockout state on disk."""

    def __init__(
        self,
        pin_hash: str,
        supervisor_pin_hash: str,
        state_path: Path,
        *,
        max_attempts: int = 5,
        lockout_seconds: float = 30.0,
        now: Callable[[], float] = time.time,
    ) -> None:
        lines = {StaffRole.SUPERVISOR: supervisor_pin_hash, StaffRole.STEWARD: pin_hash}
        # Parsed now, so a damaged line stops `accueil run` at start, not a sign-in later.
        self.hashes: dict[StaffRole, PinHash] = {}
        for role, line in lines.items():
            if not line.strip():
                continue
            try:
                self.hashes[role] = parse_pin_hash(line)
            except PinFormatError as exc:
                raise PinFormatError(
                    f"[staff] {_key(role)} is not a hash printed by `accueil pin` ({exc}); "
                    "run `accueil pin` again and paste its line"
                ) from None
        self.state_path = state_path
        self.max_attempts = max(1, max_attempts)
        self.lockout_seconds = lockout_seconds
        self.now = now
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        """Staff mode needs at least one PIN hash; there is never a default PIN."""
        return bool(self.hashes)

    def disabled_reason(self) -> str:
        return (
            "Staff mode is disabled: no PIN is configured. Run `accueil pin` and paste the "
            "line into config.toml as [staff] pin_hash (and supervisor_pin_hash)."
        )

    def locked_for(self) -> float:
        """Seconds until the next try is allowed (0 when not locked)."""
        state = self._load()
        return max(0.0, float(state.get("locked_until", 0.0)) - self.now())

    def attempt(self, pin: str) -> PinResult:
        """Try a PIN; a wrong one counts toward the lockout, a right one resets it."""
        with self._lock:
            state = self._load()
            wait = float(state.get("locked_until", 0.0)) - self.now()
            if wait > 0:
                return PinResult(None, 0, wait)
            role = self._match(pin)
            if role is not None:
                self._save({"failures": 0, "locked_until": 0.0})
                return PinResult(role, self.max_attempts)
            failures = int(state.get("failures", 0)) + 1
            locked_until = 0.0
            if failures >= self.max_attempts:
                # 30 s at the 5th wrong PIN, then 60, 120… capped at a day.
                extra = failures - self.max_attempts
                wait = min(self.lockout_seconds * (2**extra), 86400.0)
                locked_until = self.now() + wait
            self._save({"failures": failures, "locked_until": locked_until})
            left = max(0, self.max_attempts - failures)
            return PinResult(None, left, max(0.0, locked_until - self.now()))

    def _match(self, pin: str) -> StaffRole | None:
        for role, parsed in self.hashes.items():
            if parsed.matches(pin):
                return role
        return None

    def _load(self) -> dict[str, float]:
        try:
            data = json.loads(self.state_path.read_text())
        except (FileNotFoundError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def _save(self, state: dict[str, float]) -> None:
        self.state_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = self.state_path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump(state, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.state_path)


def _key(role: StaffRole) -> str:
    return "supervisor_pin_hash" if role is StaffRole.SUPERVISOR else "pin_hash"
