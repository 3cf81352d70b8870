"""`accueil hub …`: run the organisers' hub and manage its kiosk tokens and registrations."""

from __future__ import annotations

import argparse
import errno
import ipaddress
import json
import sys
from typing import Any

from kiosk.commands.importing import REFUSED, add_file_arguments, clash_report, print_problems
from kiosk.commands.words import add_lang_argument, replies
from kiosk.config import ConfigError
from kiosk.core.i18n import N_, Translator


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "hub",
        help="the organisers' hub: serve, kiosk tokens, import registrations",
        description="The hub every kiosk syncs with (settings in [hub]). See docs/hub.md.",
    )
    actions = parser.add_subparsers(dest="hub_action", metavar="ACTION", required=True)

    serve = actions.add_parser("serve", help="run the hub (HTTP API, OpenAPI docs at /docs)")
    serve.add_argument("--host", help="default: [hub] host (127.0.0.1)")
    serve.add_argument("--port", type=int, help="default: [hub] port (8470)")
    serve.add_argument("--database", help="default: [hub] database")
    serve.add_argument(
        "--workers",
        type=_workers,
        default=1,
        help="worker processes sharing the database (PostgreSQL; default 1). See docs/hub.md",
    )

    token = actions.add_parser("token", help="create, revoke or list kiosk tokens")
    token.add_argument("token_action", choices=("create", "revoke", "list"))
    token.add_argument("kiosk", nargs="?", help="the kiosk id ([kiosk] id on that kiosk)")
    token.add_argument("--database", help="default: [hub] database")

    imp = actions.add_parser(
        "import",
        help="import registration files (CSV or JSON), all or nothing",
        description="Every row of every file is checked first, codes against the hub's "
        "registrations too: one problem refuses the import and the hub is left unchanged.",
    )
    add_file_arguments(imp)
    imp.add_argument("--database", help="default: [hub] database")

    migrate = actions.add_parser(
        "migrate",
        help="bring the hub database's schema to this version (serve does it too)",
        description="Apply the schema revisions this hub has and the database lacks; a "
        "database made before revisions existed is adopted with its rows. See docs/hub.md.",
    )
    migrate.add_argument("--database", help="default: [hub] database")

    report = actions.add_parser("status", help="counts, kiosks and conflicts")
    report.add_argument("--json", action="store_true", help="machine-readable output")
    report.add_argument("--database", help="default: [hub] database")

    for action in (serve, token, imp, migrate, report):
        add_lang_argument(action)
    parser.set_defaults(func=run)


def open_db(rt: Any, override: str | None = None) -> Any:
    from sync.hub.db import HubDB, HubError, database_url

    raw = override or rt.config.hub.database
    try:
        url = database_url(raw, rt.config.base)
        if url in ("sqlite://", "sqlite:///", "sqlite:///:memory:"):
            # every command here is a process of its own: a token, an import or the scans
            # of a whole day would be gone when it ends
            raise HubError(
                f"database = {raw!r} is an in-memory SQLite database: nothing would be kept "
                "after this command. Give a file, e.g. sqlite:///data/hub.db"
            )
        return HubDB(url)
    except HubError as exc:
        if override:  # the command line's, not the file's
            raise ConfigError(f"--database: {exc}") from None
        raise ConfigError(f"{rt.config.path}: [hub] database: {exc}") from None


def run(args: argparse.Namespace, rt: Any) -> int:
    action = args.hub_action
    tr = replies(args, rt)
    if action == "serve":
        return _serve(args, rt, tr)
    db = open_db(rt, args.database)
    try:
        if action == "token":
            return _token(args, db, tr)
        if action == "import":
            return _import(args, rt, db, tr)
        if action == "migrate":
            return _migrated(db, tr)
        return _status(args, db, tr)
    finally:
        db.close()


def _serve(args: argparse.Namespace, rt: Any, tr: Translator) -> int:
    from sync.hub.app import serve

    _ = tr.gettext
    hub = rt.config.hub
    host = args.host or hub.host
    port = args.port or hub.port
    if not hub.organiser_token:
        said = _(
            "no [hub] organiser_token: organiser calls (/v1/admin) are refused. Set "
            "ACCUEIL_HUB_ORGANISER_TOKEN to enable them."
        )
        print(f"accueil hub: {said}", file=sys.stderr)
    if not _is_loopback(host):
        said = _(
            "listening on {host}, not loopback: put it behind a TLS reverse proxy (docs/hub.md) "
            "so kiosk tokens never cross the network in clear."
        ).format(host=host)
        print(f"accueil hub: {said}", file=sys.stderr)
    db = open_db(rt, args.database)
    try:
        if args.workers > 1 and db.is_sqlite:
            said = _(
                "--workers needs PostgreSQL: SQLite lets one process write at a time, so more "
                "workers only wait for each other (docs/hub.md)"
            )
            print(f"accueil hub: {said}", file=sys.stderr)
            return 2
        refused = _cannot_listen(host, port)
        if refused is not None:
            if refused.errno == errno.EADDRINUSE:
                message = tr.gettext(N_(
                    "accueil hub: {address} is in use: another hub may be running there. "
                    "Stop it, or choose another [hub] host/port (or --host/--port)"
                ))  # fmt: skip
            else:
                message = tr.gettext(N_(
                    "accueil hub: cannot listen on {address} ({reason}): choose another "
                    "[hub] host/port (or --host/--port)"
                ))  # fmt: skip
            reason = refused.strerror or str(refused)
            print(message.format(address=f"{host}:{port}", reason=reason), file=sys.stderr)
            return 2
        _publish_event(rt, db, tr)
        said = _("{url} (docs at /docs), hub id {hub_id}").format(
            url=f"http://{host}:{port}", hub_id=db.hub_id
        )
        print(f"accueil hub: {said}", file=sys.stderr)
        url = db.url
    finally:
        db.close()
    serve(
        url,
        hub.organiser_token,
        host,
        port,
        access_log=hub.access_log,
        docs=hub.docs,
        workers=args.workers,
    )
    return 0


def _cannot_listen(host: str, port: int) -> OSError | None:
    """Why ``host:port`` cannot be listened on (None when it can), checked as uvicorn binds
    (SO_REUSEADDR: a port in TIME_WAIT is free); the socket is closed again at once."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
        family, kind, proto, _, address = infos[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except OSError as exc:  # socket.gaierror too
        return exc
    return None


def _workers(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a whole number, not {text!r}") from None
    if not 1 <= value <= 64:
        raise argparse.ArgumentTypeError("between 1 and 64")
    return value


def _publish_event(rt: Any, db: Any, tr: Translator) -> None:
    """Give the hub the event's days and sessions (capacities) for its page and reports."""
    from sync.importers import EventFileError, load_event
    from sync.reports.source import event_to_dict

    path = rt.config.resolve(rt.config.event.definition)
    try:
        event, sessions = load_event(path)
    except EventFileError as exc:
        said = tr.gettext("[event] definition: {error}; the hub page shows no sessions")
        print(f"accueil hub: {said.format(error=exc)}", file=sys.stderr)
        return
    db.set_event_definition(event_to_dict(event, sessions))


def _token(args: argparse.Namespace, db: Any, tr: Translator) -> int:
    from sync.hub.db import HubError

    _ = tr.gettext
    if args.token_action == "list":  # tab-separated for scripts: codes, never translated
        for k in db.kiosks():
            state = "active" if k["active"] else f"revoked {k['revoked_at']}"
            print(f"{k['kiosk_id']}\t{state}\tsince {k['created_at']}\t{k['scans']} scans")
        return 0
    command = f"accueil hub token {args.token_action}"
    if not args.kiosk:
        said = _("name the kiosk id")
        print(f"{command}: {said}", file=sys.stderr)
        return 2
    if args.token_action == "create":
        try:
            token = db.create_token(args.kiosk)
        except HubError as exc:
            print(f"accueil hub token create: {exc}", file=sys.stderr)
            return 2
        print(token)
        said = _(
            "Token for kiosk {kiosk}: shown once, only its hash is kept. On that kiosk set [hub] "
            "token (or ACCUEIL_HUB_TOKEN). Any earlier token of it stops working."
        ).format(kiosk=repr(args.kiosk))
        print(said, file=sys.stderr)
        return 0
    if not db.revoke_token(args.kiosk):
        said = _("kiosk {kiosk} has no live token").format(kiosk=repr(args.kiosk))
        print(f"{command}: {said}", file=sys.stderr)
        return 1
    said = _("kiosk {kiosk}: token revoked; its next request gets 401").format(
        kiosk=repr(args.kiosk)
    )
    print(said, file=sys.stderr)
    return 0


def _import(args: argparse.Namespace, rt: Any, db: Any, tr: Translator) -> int:
    from kiosk.core.codes import CodeClashError
    from sync.importers import read_files

    def name_of(registration_id: str) -> str:
        data = db.registration(registration_id)
        if not data:
            return ""
        return f" ({' '.join(p for p in (data.get('first_name'), data.get('last_name')) if p)})"

    results = read_files(args.files, args.format, rt.timezone, args.encoding)
    regs = [reg for r in results for reg in r.registrations]
    problems = [p for r in results for p in r.problems]
    if not problems:
        problems = clash_report(results, db.code_clashes(regs), name_of)
    if not problems:
        try:
            changed = db.import_registrations(regs)
        except CodeClashError as exc:  # a kiosk's walk-in landed in between
            problems = clash_report(results, exc.clashes, name_of)
    if problems:
        title = tr.gettext("import refused, nothing was written")
        print_problems(tr, "accueil hub import", title, problems)
        return REFUSED
    _publish_event(rt, db, tr)
    for result in results:
        count = len(result.registrations)
        regs_said = tr.ngettext("{count} registration", "{count} registrations", count)
        print(f"{result.path}: {regs_said.format(count=count)} ({result.format})")
    said = tr.ngettext(
        "{count} new or changed in all (kiosks pull them)",
        "{count} new or changed in all (kiosks pull them)",
        changed,
    )
    print(said.format(count=changed))
    return 0


def _migrated(db: Any, tr: Translator) -> int:
    """Opening the database migrated it (``HubDB``): say from where to where."""
    _ = tr.gettext
    done = db.migration
    if done.before == done.after:
        change = _("already there")
    elif done.before:
        change = _("was {revision}").format(revision=done.before)
    elif done.adopted:
        change = _("was none (made before revisions: adopted)")
    else:
        change = _("was none")
    said = _("hub database {hub_id}: schema revision {revision} ({change})").format(
        hub_id=db.hub_id, revision=done.after, change=change
    )
    print(said)
    return 0


def _status(args: argparse.Namespace, db: Any, tr: Translator) -> int:
    report = {
        "stats": db.stats(),
        "kiosks": db.kiosks(),
        "conflicts": db.conflicts(),
        "unreadable": db.unreadable_scans(),
    }
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
        return 0
    for key, value in report["stats"].items():
        print(f"{key}: {value}")
    conflict = tr.gettext(
        "conflict: {registration_id} day {day}: {first_kiosk} {first_at} and {second_kiosk} "
        "{second_at}"
    )
    for c in report["conflicts"]:
        print(conflict.format_map(c))
    unreadable = tr.gettext("unreadable scan {nonce} from {kiosk_id}: {error}")
    for u in report["unreadable"]:  # stored before uploads were checked: left out of reports
        print(unreadable.format_map(u))
    return 0


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
