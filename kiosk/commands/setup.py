"""`accueil setup`: create the data folder and load the configured event and registrations."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from kiosk.commands.words import add_lang_argument, replies
from kiosk.config import ConfigError
from kiosk.core.codes import CodeClashError
from kiosk.core.i18n import Translator
from sync.importers import EventFileError, RegistrationImportError, load_event, load_registrations


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "setup",
        help="load the event definition and registration files named in config.toml",
        description="Create the kiosk's data folder and store, then import [event] definition "
        "and [event] registrations. The first run also makes the staff recovery code "
        "(shown once). Safe to run again: unchanged rows are left alone.",
    )
    parser.add_argument(
        "--demo-pins",
        action="store_true",
        help=f"demo event only: set the public demo PINs (steward {DEMO_STEWARD_PIN}, "
        f"supervisor {DEMO_SUPERVISOR_PIN}) where no PIN is set yet",
    )
    add_lang_argument(parser)
    parser.set_defaults(func=run)


# Public: printed in the README. Never for a real event.
DEMO_STEWARD_PIN = "2468"
DEMO_SUPERVISOR_PIN = "135790"


def run(args: argparse.Namespace, rt: Any) -> int:
    cfg = rt.config
    tr = replies(args, rt)
    _ = tr.gettext
    event, sessions = None, []
    if cfg.event.definition:
        try:
            event, sessions = load_event(cfg.resolve(cfg.event.definition))
        except EventFileError as exc:
            raise ConfigError(f"{cfg.path}: [event] definition: {exc}") from None
    if cfg.sync.source == "pretix":
        status = _event_from_pretix(rt, tr)
        if isinstance(status, int):
            return status
        event = status  # pretix owns the name, dates and zone; sessions stay the file's
    if event is None:
        raise ConfigError(
            f"{cfg.path}: [event] definition is empty: name an event file, or set [sync] "
            'source = "pretix" to take the event from pretix'
        )
    rt.store.save_event(event, sessions)
    days = tr.ngettext("{count} day", "{count} days", len(event.days)).format(count=len(event.days))
    talks = tr.ngettext("{count} session", "{count} sessions", len(sessions)).format(
        count=len(sessions)
    )
    print(
        _("event: {name} ({days}, {sessions})").format(name=event.name, days=days, sessions=talks)
    )
    if cfg.sync.source == "pretix":
        if cfg.event.day:
            print(
                _(
                    "{path}: [event] day = {day} forces the event day: pretix's dates are not "
                    "followed and check-ins from pretix count for their own day. Set day = 0 at "
                    "a real event."
                ).format(path=cfg.path, day=cfg.event.day),
                file=sys.stderr,
            )
        if cfg.event.registrations:
            print(_("[event] registrations ignored: pretix is the source (accueil sync --once)"))
        print(_("store: {path} (owner-only)").format(path=cfg.store_path))
        return 0
    for name in cfg.event.registrations:
        path = cfg.resolve(name)
        try:
            regs = load_registrations(path, timezone=rt.config.event.timezone or event.timezone)
        except RegistrationImportError as exc:
            print(f"accueil setup: {exc}", file=sys.stderr)
            return 1
        try:
            counts = rt.store.import_registrations(regs, source=path.name)
        except CodeClashError as exc:
            refused = _("{path}: import refused, nothing was written: {error}")
            print("accueil setup: " + refused.format(path=path, error=exc), file=sys.stderr)
            return 1
        print(f"{path.name}: {import_counts(tr, counts)}")
    print(_("store: {path} (owner-only)").format(path=cfg.store_path))
    _staff_secrets(args, cfg, tr)
    warning = rt.demo_key_warning()
    if warning:
        print(f"accueil setup: warning: {warning}", file=sys.stderr)  # the runtime's words: English
    return 0


def import_counts(tr: Translator, counts: Any) -> str:
    """``"760 registrations (2 new, 1 updated, 757 unchanged)"`` in ``tr``'s language.

    ``counts`` has ``total``, ``added``, ``updated`` and ``unchanged`` (integers), as
    :class:`sync.store.ImportCounts`; shared with `accueil import`.
    """
    total = tr.ngettext("{count} registration", "{count} registrations", counts.total)
    detail = tr.gettext("{added} new, {updated} updated, {unchanged} unchanged")
    return (
        total.format(count=counts.total)
        + " ("
        + detail.format(added=counts.added, updated=counts.updated, unchanged=counts.unchanged)
        + ")"
    )


def _staff_secrets(args: argparse.Namespace, cfg: Any, tr: Translator) -> None:
    """The recovery code on the first run; the demo PINs when asked for."""
    from kiosk.commands.pin import recovery_notice
    from kiosk.config import write_secret
    from kiosk.staff_auth import hash_pin, new_recovery_code

    if getattr(args, "demo_pins", False):
        for key, pin in (("pin_hash", DEMO_STEWARD_PIN),
                         ("supervisor_pin_hash", DEMO_SUPERVISOR_PIN)):  # fmt: skip
            if not getattr(cfg.staff, key):
                line = hash_pin(pin)
                setattr(cfg.staff, key, line)
                write_secret(cfg, "staff", key, line)
                print(tr.gettext("demo PIN set: [staff] {key} = {pin} (public: never for a real "
                                 "event)").format(key=key, pin=pin))  # fmt: skip
    if not cfg.staff.recovery_code_hash:
        code = new_recovery_code()
        cfg.staff.recovery_code_hash = hash_pin(code)
        path = write_secret(cfg, "staff", "recovery_code_hash", cfg.staff.recovery_code_hash)
        print(recovery_notice(code, tr))
        print(tr.gettext("(its hash is in {path}, owner-only)").format(path=path))


def _event_from_pretix(rt: Any, tr: Translator) -> Any:
    """pretix's event as the kiosk's, or an exit status (1 unreachable, 2 a key to fix)."""
    from sync.pretix import PretixSource
    from sync.remote import SourceRejected, SourceUnavailable

    source = PretixSource.from_config(rt.config.sync, rt.config.kiosk)
    try:
        event, note = source.kiosk_event_from_pretix()
    except SourceRejected as exc:
        print(f"accueil setup: {exc}", file=sys.stderr)
        return 2
    except SourceUnavailable as exc:
        again = tr.gettext("{error}; try again when pretix answers").format(error=exc)
        print(f"accueil setup: {again}", file=sys.stderr)
        return 1
    finally:
        source.close()
    said = tr.gettext("event from pretix: {slug}, {timezone}").format(
        slug=event.slug, timezone=event.timezone
    )
    print(said + (f" ({note})" if note else ""))
    return event
