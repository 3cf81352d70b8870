"""Signed ticket payloads: compact binary, base45 text, Ed25519 signature.

Layout (bytes, before base45)::

    0      version (high nibble) | role index (low nibble)
    1..2   event tag: first two bytes of SHA-256 of the event slug
    3      valid days bit mask (bit 0 = day 1); 0 means every day
    4..-64 registration id, UTF-8
    -64..  Ed25519 signature of everything before it

The text is ``A1:`` followed by base45 of those bytes. Every character is in the QR
alphanumeric set, so a QR encoder uses alphanumeric mode (5.5 bits per character): a
five-character registration id gives 113 characters, a version 5 QR code (37×37 modules)
at error-correction level M, or version 4 (33×33) at level L.

The core only parses and checks structure; the signature check is a callable handed in
by the adapter that holds the public key (``kiosk.signing``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from kiosk.core.model import Registration, Role, Status

PREFIX = "A1:"
VERSION = 1
SIGNATURE_SIZE = 64
MAX_ID_BYTES = 40
_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_VALUE = {c: i for i, c in enumerate(_ALPHABET)}
_ROLES = list(Role)

Verifier = Callable[[bytes, bytes], bool]
"""verify(message, signature) -> True when the signature is the organiser's."""

Signer = Callable[[bytes], bytes]


class TicketError(ValueError):
    """A payload that claims to be a signed ticket but is not well formed."""


def b45encode(data: bytes) -> str:
    out = []
    for i in range(0, len(data) - 1, 2):
        n = data[i] * 256 + data[i + 1]
        c, n = divmod(n, 45 * 45)
        e, d = divmod(n, 45)
        out.append(_ALPHABET[d] + _ALPHABET[e] + _ALPHABET[c])
    if len(data) % 2:
        e, d = divmod(data[-1], 45)
        out.append(_ALPHABET[d] + _ALPHABET[e])
    return "".join(out)


def b45decode(text: str) -> bytes:
    try:
        values = [_VALUE[c] for c in text]
    except KeyError as exc:
        raise TicketError(f"character {exc.args[0]!r} is not base45") from None
    if len(values) % 3 == 1:
        raise TicketError("base45 text has a dangling character (truncated?)")
    out = bytearray()
    for i in range(0, len(values), 3):
        chunk = values[i : i + 3]
        if len(chunk) == 3:
            n = chunk[0] + chunk[1] * 45 + chunk[2] * 45 * 45
            if n > 0xFFFF:
                raise TicketError("base45 triplet out of range")
            out += n.to_bytes(2, "big")
        else:
            n = chunk[0] + chunk[1] * 45
            if n > 0xFF:
                raise TicketError("base45 pair out of range")
            out.append(n)
    return bytes(out)


def event_tag(event_slug: str) -> int:
    return int.from_bytes(hashlib.sha256(event_slug.encode()).digest()[:2], "big")


def days_mask(days: frozenset[int]) -> int:
    mask = 0
    for d in days:
        if not 1 <= d <= 8:
            raise ValueError(f"day {d} cannot be encoded in a ticket (1 to 8)")
        mask |= 1 << (d - 1)
    return mask


@dataclass(frozen=True, slots=True)
class SignedTicket:
    """A ticket whose signature has been checked."""

    registration_id: str
    role: Role
    days: frozenset[int]
    event_tag: int

    def provisional_registration(self, code: str) -> Registration:
        """What the kiosk knows of a registration that is not in its list yet."""
        return Registration(
            id=self.registration_id,
            first_name="",
            last_name="",
            codes=(code,),
            role=self.role,
            days=self.days,
            status=Status.CONFIRMED,
        )


def is_signed_ticket(text: str) -> bool:
    """True when the text claims to be one of our signed tickets."""
    return text.startswith(PREFIX)


def encode(
    registration_id: str, role: Role, days: frozenset[int], event_slug: str, sign: Signer
) -> str:
    """The QR text for a registration, signed by the organiser's key."""
    raw_id = registration_id.encode()
    if not 1 <= len(raw_id) <= MAX_ID_BYTES:
        raise ValueError(f"registration id must be 1 to {MAX_ID_BYTES} bytes: {registration_id!r}")
    header = bytes([VERSION << 4 | _ROLES.index(role)]) + event_tag(event_slug).to_bytes(2, "big")
    message = header + bytes([days_mask(days)]) + raw_id
    signature = sign(message)
    if len(signature) != SIGNATURE_SIZE:
        raise ValueError("signer must return a 64-byte Ed25519 signature")
    return PREFIX + b45encode(message + signature)


def decode(text: str, verify: Verifier) -> SignedTicket:
    """Parse and verify a signed ticket; raise TicketError for anything not genuine."""
    if not is_signed_ticket(text):
        raise TicketError("not a signed ticket")
    raw = b45decode(text[len(PREFIX) :])
    if len(raw) < 4 + 1 + SIGNATURE_SIZE:
        raise TicketError("payload too short (truncated?)")
    message, signature = raw[:-SIGNATURE_SIZE], raw[-SIGNATURE_SIZE:]
    if message[0] >> 4 != VERSION:
        raise TicketError(f"unsupported ticket version {message[0] >> 4}")
    if not verify(message, signature):
        raise TicketError("signature does not match")
    role_index = message[0] & 0x0F
    if role_index >= len(_ROLES):
        raise TicketError("unknown role in ticket")
    try:
        registration_id = message[4:].decode()
    except UnicodeDecodeError:
        raise TicketError("registration id is not UTF-8") from None
    if not registration_id:
        raise TicketError("empty registration id")
    mask = message[3]
    return SignedTicket(
        registration_id=registration_id,
        role=_ROLES[role_index],
        days=frozenset(d + 1 for d in range(8) if mask >> d & 1),
        event_tag=int.from_bytes(message[1:3], "big"),
    )
