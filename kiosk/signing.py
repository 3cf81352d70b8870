"""Ed25519 keys for signed tickets: the organiser signs, kiosks only verify."""

from __future__ import annotations

import base64
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from kiosk.core.tickets import Signer, Verifier
from kiosk.errors import InputFileError

_PUBLIC_HEADER = "accueil-ed25519-public "
_PRIVATE_HEADER = "accueil-ed25519-private "


# The public half of the demo organiser key. Its private half is published in demo/, so
# anyone can sign a ticket that a kiosk trusting it accepts.
DEMO_PUBLIC_KEY = "qPvVHTMzU7L0e89wvSN6ucZdhzMaJoh9dwOwoMQnyh0="


class KeyFileError(InputFileError, ValueError):
    """A key file that is missing or not an Accueil key."""


def is_demo_key(path: Path, private: bool = False) -> bool:
    """True when the key file (public, or private with ``private``) is the public demo key;
    False for any other key and for a file that cannot be read as a key."""
    try:
        raw = _read(path, _PRIVATE_HEADER if private else _PUBLIC_HEADER)
    except (KeyFileError, OSError):
        return False
    if private:
        raw = Ed25519PrivateKey.from_private_bytes(raw).public_key().public_bytes_raw()
    return base64.b64encode(raw).decode() == DEMO_PUBLIC_KEY


def generate(private_path: Path, public_path: Path, seed: bytes | None = None) -> None:
    """Write a new key pair; the private key file is readable by its owner only."""
    key = Ed25519PrivateKey.from_private_bytes(seed) if seed else Ed25519PrivateKey.generate()
    raw_private = key.private_bytes_raw()
    raw_public = key.public_key().public_bytes_raw()
    private_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(private_path, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(_PRIVATE_HEADER + base64.b64encode(raw_private).decode() + "\n")
    os.chmod(private_path, 0o600)
    public_path.write_text(_PUBLIC_HEADER + base64.b64encode(raw_public).decode() + "\n")


def _read(path: Path, header: str) -> bytes:
    try:
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        raise KeyFileError(f"{path}: key file not found", file=str(path)) from None
    except IsADirectoryError:
        raise KeyFileError(f"{path}: expected a key file, found a folder", file=str(path)) from None
    except OSError as exc:  # unreadable, a name too long, …
        raise KeyFileError(
            f"{path}: cannot read the key file ({exc.strerror})", file=str(path)
        ) from None
    except UnicodeDecodeError:
        raise KeyFileError(f"{path}: not an Accueil key file (not text)", file=str(path)) from None
    if not text.startswith(header):
        raise KeyFileError(
            f"{path}: not an Accueil {header.split('-')[-1].strip()} key file", file=str(path)
        )
    try:
        raw = base64.b64decode(text[len(header) :], validate=True)
    except ValueError:
        raise KeyFileError(f"{path}: the key is not valid base64", file=str(path)) from None
    if len(raw) != 32:
        raise KeyFileError(
            f"{path}: an Ed25519 key has 32 bytes, this one {len(raw)}", file=str(path)
        )
    return raw


def load_verifier(public_path: Path) -> Verifier:
    key = Ed25519PublicKey.from_public_bytes(_read(public_path, _PUBLIC_HEADER))

    def verify(message: bytes, signature: bytes) -> bool:
        try:
            key.verify(signature, message)
        except InvalidSignature:
            return False
        return True

    return verify


def load_signer(private_path: Path) -> Signer:
    key = Ed25519PrivateKey.from_private_bytes(_read(private_path, _PRIVATE_HEADER))
    return key.sign


def public_key_text(private_path: Path) -> str:
    key = Ed25519PrivateKey.from_private_bytes(_read(private_path, _PRIVATE_HEADER))
    return _PUBLIC_HEADER + base64.b64encode(key.public_key().public_bytes_raw()).decode() + "\n"
