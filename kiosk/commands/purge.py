"""`accueil purge`: wipe attendee data from a kiosk once the hub holds all it recorded.

Order of work: upload what is left (unless --no-upload), ask the hub which of this kiosk's
scans and walk-ins it holds, refuse while anything is missing, then delete in one store
transaction that re-checks nothing new arrived, delete badge and ticket files, and write a
receipt signed with the kiosk's own Ed25519 key. `accueil purge --verify RECEIPT` checks one.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import shutil
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kiosk.commands.words import add_lang_argument, replies
from kiosk.core.i18n import Translator
from kiosk.services.purge import PurgeRefused as Refused
from kiosk.services.purge import Purging

RECEIPT_TYPE = "accueil-purge-receipt"
KEY_NAME = "kiosk-signing.key"  # in the data folder; kept by the purge, to verify receipts
_PUBLIC_PREFIX = "accueil-ed25519-public "


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "purge",
        help="delete attendee data from this kiosk after the hub confirmed every scan",
        description="Deletes registrations, the scan log, the print queue, staff log, badge "
        "images and tickets from this kiosk, only once the hub confirms it holds every scan "
        "and walk-in made here. Writes a receipt signed with this kiosk's key. "
        "See docs/reports.md.",
    )
    parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    parser.add_argument(
        "--no-upload", action="store_true", help="do not upload pending items first"
    )
    parser.add_argument("--receipt", type=Path, help="where to write the receipt (JSON)")
    parser.add_argument("--verify", type=Path, metavar="RECEIPT", help="check a receipt and exit")
    parser.add_argument(
        "--public-key", type=Path, help="with --verify: the kiosk's public key file to trust"
    )
    add_lang_argument(parser)
    parser.set_defaults(func=run)


def _english() -> Translator:
    from kiosk.locale import translator

    return translator("en")


def run(args: argparse.Namespace, rt: Any) -> int:
    tr = replies(args, rt)
    _ = tr.gettext
    if args.verify:
        return verify_command(args.verify, args.public_key, rt, tr)
    try:
        receipt_path, receipt = purge(
            rt, yes=args.yes, upload=not args.no_upload, out=args.receipt, tr=tr
        )
    except Refused as exc:
        said = _("refused: {reason}").format(reason=exc.words.in_language(tr))
        print(f"accueil purge: {said}", file=sys.stderr)
        return 1
    print(format_receipt(receipt))
    print(_("Receipt written to {path}").format(path=receipt_path))
    print(
        _(
            "Keep it with the kiosk's public key (fingerprint above); check it any time with "
            "`accueil purge --verify {name}`."
        ).format(name=receipt_path.name)
    )
    if rt.config.sync.source != "none":
        print(
            _(
                'This kiosk still syncs: set [sync] source = "none" (or revoke its token on the '
                "hub) or it will download the registration list again."
            ),
            file=sys.stderr,
        )
    return 0


# -- the purge -------------------------------------------------------------------------------


def purge(
    rt: Any, *, yes: bool, upload: bool, out: Path | None, tr: Translator | None = None
) -> tuple[Path, dict[str, Any]]:
    """Purge the kiosk; ``tr``: the language of the questions asked (default English)."""
    tr = tr or _english()
    config = rt.config
    if not config.store_path.exists():
        raise Refused(
            tr.gettext("no kiosk store at {path}: nothing to purge").format(path=config.store_path)
        )
    from kiosk.errors import ConfigError

    kind = rt.source_kind
    if not kind.has("confirm"):
        raise Refused(
            tr.gettext(
                "only the hub can confirm that every scan was received: set [sync] source = "
                '"hub" with [hub] url and this kiosk\'s token'
            )
        )
    try:
        source = rt.build_source()
    except ConfigError as exc:
        raise Refused(tr.gettext("{error}; nothing was deleted").format(error=exc)) from None
    try:
        return _purge(rt, source, yes=yes, upload=upload, out=out, tr=tr)
    finally:
        if kind.has("close"):
            source.close()


def _purge(
    rt: Any, source: Any, *, yes: bool, upload: bool, out: Path | None, tr: Translator
) -> tuple[Path, dict[str, Any]]:
    config = rt.config
    store = rt.store
    purging = Purging(store, config.kiosk.id)
    if upload and store.count_pending():
        _upload(rt, tr)
    purging.refuse_if_pending()
    held = purging.confirm(source)
    answer = held.answer
    if not yes and not _confirmed(config.kiosk.id, len(held.nonces), purging.registrations(), tr):
        raise Refused(tr.gettext("not confirmed; nothing was deleted"))
    signer, public_text = kiosk_key(config.data_dir)
    deleted = purging.delete(held)
    files = {name: _delete_files(path) for name, path in _attendee_folders(rt).items()}
    for path in _attendee_files(rt):
        if path.exists():
            path.unlink()
            files[path.stem] = 1
    body = {
        "type": RECEIPT_TYPE,
        "version": 1,
        "kiosk_id": config.kiosk.id,
        "kiosk_name": config.kiosk.name,
        "event": purging.event_slug(),
        "hub_id": answer.get("hub_id"),
        "hub_url": source.url,
        "confirmed": {
            "scans": len(held.nonces),
            "walkins": len(held.walkins),
            "last_nonce": held.last_nonce,
            "hub_scans_of_kiosk": answer.get("scans_held"),
            "hub_last_nonce": answer.get("last_nonce"),
            "hub_confirmed_at": answer.get("confirmed_at"),
        },
        "deleted": {
            "registrations": deleted.get("registrations", 0),
            "scans": deleted.get("scans", 0),
            "print_jobs": deleted.get("print_jobs", 0),
            "staff_actions": deleted.get("staff_log", 0),
            **{f"{name}_files": n for name, n in files.items()},
        },
        "purged_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    receipt = {
        "receipt": body,
        "public_key": public_text.strip(),
        "signature": base64.b64encode(signer(canonical(body))).decode(),
    }
    purging.remember(body)
    path = out or config.data_dir / "purge-receipts" / (
        f"purge-{config.kiosk.id}-{body['purged_at'].replace(':', '')[:17]}.json"
    )
    _write_private(path, json.dumps(receipt, indent=2, ensure_ascii=False) + "\n")
    return path, receipt


def _upload(rt: Any, tr: Translator) -> None:
    """One upload pass through the sync engine; failures leave the outbox as it is."""
    from sync.remote import SourceRejected, SourceUnavailable

    engine = rt.sync_engine
    try:
        engine.sync_once()
    except (SourceUnavailable, SourceRejected) as exc:
        said = tr.gettext("upload failed: {error}").format(error=exc)
        print(f"accueil purge: {said}", file=sys.stderr)
    finally:
        if rt.source_kind.has("close"):
            engine.source.close()


def _confirmed(kiosk_id: str, scans: int, registrations: int, tr: Translator) -> bool:
    if not sys.stdin.isatty():
        said = tr.gettext("add --yes to purge without a terminal")
        print(f"accueil purge: {said}", file=sys.stderr)
        return False
    held = tr.ngettext(
        "The hub holds the {count} scan made here.",
        "The hub holds all {count} scans made here.",
        scans,
    ).format(count=scans)
    deletes = tr.ngettext(
        "This deletes {count} registration, the scan log, the print queue, badge images and "
        "tickets from this kiosk.",
        "This deletes {count} registrations, the scan log, the print queue, badge images and "
        "tickets from this kiosk.",
        registrations,
    ).format(count=registrations)
    print(f"{held} {deletes}")
    asked = tr.gettext("Type the kiosk id ({kiosk_id}) to go ahead: ").format(kiosk_id=kiosk_id)
    return input(asked).strip() == kiosk_id


def _attendee_folders(rt: Any) -> dict[str, Path]:
    data = rt.config.data_dir
    return {
        "badge": data / rt.config.printer.preview_dir,
        "ticket": data / "tickets",
        "report": data / "reports",
    }


def _attendee_files(rt: Any) -> list[Path]:
    """Single files that name attendees: the kiosk log."""
    return [rt.config.data_dir / "kiosk.log"]


def _delete_files(folder: Path) -> int:
    """Delete the folder's files (counting them) and the folder; 0 when it is absent."""
    if not folder.is_dir():
        return 0
    count = sum(1 for p in folder.rglob("*") if p.is_file())
    shutil.rmtree(folder)
    return count


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)


# -- keys and receipts -----------------------------------------------------------------------


def kiosk_key(data_dir: Path) -> tuple[Any, str]:
    """The kiosk's own signing key (created owner-only on first use) and its public text."""
    from kiosk.signing import generate, load_signer, public_key_text

    private = data_dir / KEY_NAME
    if not private.exists():
        generate(private, private.with_suffix(".pub"))
    return load_signer(private), public_key_text(private)


def canonical(body: dict[str, Any]) -> bytes:
    """The exact bytes that are signed: sorted keys, no spaces, UTF-8."""
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def fingerprint(public_text: str) -> str:
    raw = base64.b64decode(public_text.strip().removeprefix(_PUBLIC_PREFIX))
    digest = hashlib.sha256(raw).hexdigest()[:24]
    return ":".join(digest[i : i + 4] for i in range(0, len(digest), 4))


def verify_receipt(receipt: Any, trusted_public: str | None = None) -> tuple[bool, str]:
    """(valid, explanation). ``trusted_public``: the kiosk's public key text, if known."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    if not isinstance(receipt, dict) or not {"receipt", "public_key", "signature"} <= set(receipt):
        return False, "not an Accueil purge receipt (receipt, public_key, signature expected)"
    body = receipt["receipt"]
    if not isinstance(body, dict) or body.get("type") != RECEIPT_TYPE:
        return False, "not an Accueil purge receipt"
    embedded = str(receipt["public_key"]).strip()
    if trusted_public is not None and trusted_public.strip() != embedded:
        return False, "signed with another key than this kiosk's"
    try:
        key = Ed25519PublicKey.from_public_bytes(
            base64.b64decode(embedded.removeprefix(_PUBLIC_PREFIX), validate=True)
        )
        key.verify(base64.b64decode(str(receipt["signature"]), validate=True), canonical(body))
    except (InvalidSignature, ValueError):
        return False, "the signature does not match the receipt: it was altered or forged"
    source = "the kiosk's key" if trusted_public else "the key inside the receipt"
    return True, f"signature valid ({source}, fingerprint {fingerprint(embedded)})"


def verify_command(
    path: Path, public_key: Path | None, rt: Any, tr: Translator | None = None
) -> int:
    """Check one receipt: 0 valid, 1 invalid, 2 unreadable. The ``VALID``/``INVALID`` word
    leads the line for scripts and is never translated."""
    _ = (tr or _english()).gettext
    try:
        receipt = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        said = _("cannot read {path}: {error}").format(path=path, error=exc)
        print(f"accueil purge --verify: {said}", file=sys.stderr)
        return 2
    trusted = None
    if public_key is not None:
        try:
            trusted = public_key.read_text()
        except OSError as exc:
            print(f"accueil purge --verify: {public_key}: {exc.strerror}", file=sys.stderr)
            return 2
    else:
        own = rt.config.data_dir / KEY_NAME
        body = receipt.get("receipt") if isinstance(receipt, dict) else None
        if own.exists() and isinstance(body, dict) and body.get("kiosk_id") == rt.config.kiosk.id:
            from kiosk.signing import public_key_text

            trusted = public_key_text(own)
    valid, why = verify_receipt(receipt, trusted)
    if not valid:
        print(f"INVALID: {path}: {why}")
        return 1
    print(format_receipt(receipt))
    print(f"VALID: {why}")
    if trusted is None:
        print(
            _(
                "Compare that fingerprint with the one recorded for this kiosk, or pass "
                "--public-key FILE: a receipt alone cannot prove which key signed it."
            )
        )
    return 0


def format_receipt(receipt: dict[str, Any]) -> str:
    body = receipt["receipt"]
    confirmed, deleted = body.get("confirmed", {}), body.get("deleted", {})
    lines = [
        "ACCUEIL PURGE RECEIPT",
        f"  kiosk:            {body.get('kiosk_id')} ({body.get('kiosk_name')})",
        f"  event:            {body.get('event')}",
        f"  hub:              {body.get('hub_id')} at {body.get('hub_url')}",
        f"  purged at:        {body.get('purged_at')}",
        f"  scans confirmed:  {confirmed.get('scans')} (hub holds {confirmed.get('hub_scans_of_kiosk')} from this kiosk)",
        f"  walk-ins:         {confirmed.get('walkins')}",
        f"  last nonce:       {confirmed.get('last_nonce')}",
        "  deleted:          " + ", ".join(f"{k} {v}" for k, v in deleted.items()),
        f"  key fingerprint:  {fingerprint(str(receipt.get('public_key', '')))}",
    ]
    return "\n".join(lines)
