"""The built-in registration sources, declared in the registry (kiosk.registry).

Each declares its options (the config.toml table of its name: ``[hub]``, ``[pretix]``),
the old flat ``[sync]`` keys still read, and its optional abilities. The adapters are
imported only when a source is built, so reading config.toml loads no HTTP client.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

from kiosk.config import HttpUrl, Range
from kiosk.errors import ConfigError, SourceRejected
from kiosk.registry import SourceContext, SourceKind, register_source


def _help(text: str) -> dict[str, str]:
    return {"help": text}


@dataclass
class HubOptions:
    """[hub]: the hub this kiosk syncs with (the same table holds the hub's own keys)."""

    url: HttpUrl = field(default="", metadata=_help("the hub's address, e.g. http://10.0.0.2:8470"))
    token: str = field(
        default="",
        metadata=_help(
            "this kiosk's token: `accueil hub token create <kiosk id>` on the organiser's "
            "machine; better in the secrets file or ACCUEIL_HUB_TOKEN"
        ),
    )


@dataclass
class PretixOptions:
    """[pretix]: a pretix event as the registration source (docs/pretix.md)."""

    url: HttpUrl = field(default="", metadata=_help("pretix's address, https://pretix.example.org"))
    organizer: str = field(default="", metadata=_help("the organizer's short name (in URLs)"))
    event: str = field(default="", metadata=_help("the event's short name (in URLs)"))
    checkin_list: Annotated[int, Range(ge=0, le=2**63 - 1)] = field(
        default=0, metadata=_help("id of the check-in list for the entrance")
    )
    token: str = field(
        default="",
        metadata=_help(
            "a team API token ('View all orders' and 'Check-in'); better in the secrets "
            "file or ACCUEIL_PRETIX_TOKEN"
        ),
    )
    session_lists: list[str] = field(
        default_factory=list,
        metadata=_help('door mode: ["<session id>=<check-in list id>", …]'),
    )


def _where(ctx: SourceContext) -> str:
    return f"{ctx.config.path}: " if getattr(ctx.config, "path", None) else ""


def _needs(ctx: SourceContext, section: str, keys: dict[str, str]) -> None:
    """ConfigError for the first empty required option (key -> what to do)."""
    for key, hint in keys.items():
        if not getattr(ctx.options, key):
            raise ConfigError(
                f"{_where(ctx)}[{section}] {key} is empty; {hint}",
                file=str(getattr(ctx.config, "path", "")) or None,
                section=section,
                key=key,
                expected=hint,
            )


def build_hub(ctx: SourceContext) -> Any:
    from sync.hub_client import HubSource

    kiosk_id = ctx.config.kiosk.id
    _needs(
        ctx,
        "hub",
        {
            "url": "expected the hub's address, e.g. http://10.0.0.2:8470",
            "token": f"the organiser creates one with `accueil hub token create {kiosk_id}` "
            "(or set ACCUEIL_HUB_TOKEN)",
        },
    )
    return HubSource(
        ctx.options.url, ctx.options.token, kiosk_id, timeout=ctx.config.sync.timeout_seconds
    )


def session_lists(options: PretixOptions, where: str = "") -> dict[str, int]:
    """[pretix] session_lists as {session id: check-in list id}; ConfigError if malformed."""
    found: dict[str, int] = {}
    for entry in options.session_lists:
        session, _, list_id = entry.partition("=")
        if not session.strip() or not list_id.strip().isdigit():
            expected = '"<session id>=<pretix check-in list id>", e.g. "atelier-1=7"'
            raise ConfigError(
                f"{where}[pretix] session_lists entry {entry!r}: expected {expected}",
                section="pretix",
                key="session_lists",
                expected=expected,
            )
        found[session.strip()] = int(list_id)
    return found


def build_pretix(ctx: SourceContext) -> Any:
    from sync.pretix import PretixSource

    options: PretixOptions = ctx.options
    _needs(
        ctx,
        "pretix",
        {
            "url": "expected pretix's address, e.g. https://pretix.example.org",
            "organizer": "expected the organizer's short name (docs/pretix.md)",
            "event": "expected the event's short name (docs/pretix.md)",
            "checkin_list": "expected the id of the entrance's check-in list (docs/pretix.md)",
            "token": "expected a team API token (or set ACCUEIL_PRETIX_TOKEN)",
        },
    )
    try:
        return PretixSource(
            options.url,
            options.organizer,
            options.event,
            options.checkin_list,
            options.token,
            timeout=ctx.config.sync.timeout_seconds,
            language=ctx.config.kiosk.language,
            session_lists=session_lists(options, _where(ctx)),
            kiosk_event=ctx.store.event() if ctx.store is not None else None,
            log=ctx.store,
            event_from_pretix=True,
        )
    except SourceRejected as exc:  # options pretix cannot take (a URL it cannot use)
        raise ConfigError(f"{_where(ctx)}[pretix] {exc}", section="pretix") from None


NONE = register_source(
    SourceKind(
        name="none",
        help="no source: the kiosk works from the files `accueil setup` imported",
        options=None,
        build=None,
    )
)

HUB = register_source(
    SourceKind(
        name="hub",
        help="the event's Accueil hub: every kiosk's scans, walk-ins and the list",
        options=HubOptions,
        build=build_hub,
        abilities=frozenset(("heartbeat", "rejected", "remaining", "close", "confirm", "identity")),
        legacy={"url": "url", "token": "token"},
        secrets=frozenset(("token",)),
    )
)

PRETIX = register_source(
    SourceKind(
        name="pretix",
        help="a pretix event: its orders as the list, check-ins through its API",
        options=PretixOptions,
        build=build_pretix,
        abilities=frozenset(("rejected", "remaining", "close", "lists", "probe")),
        legacy={
            "url": "url",
            "pretix_organizer": "organizer",
            "pretix_event": "event",
            "pretix_checkin_list": "checkin_list",
            "pretix_token": "token",
            "pretix_session_lists": "session_lists",
        },
        secrets=frozenset(("token",)),
    )
)
