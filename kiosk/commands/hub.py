"""`accueil hub …`: run the organisers' hub and manage its kiosk tokens and registrations."""

from __future__ import annotations

import argparse
import errno
import ipaddress
import json
import sys
from typing import Any

from kiosk.commands.importing import REFUSED, add_file_arguments, clash_report
from kiosk.config import ConfigError
from kiosk.core.i18n import N_
from kiosk.locale import translator


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
    if action == "serve":
        return _serve(args, rt)
    db = open_db(rt, args.database)
    try:
        if action == "token":
            return _token(args, db)
        if action == "import":
            return _import(args, rt, db)
        if action == "migrate":
            return _migrated(db)
        return _status(args, db)
    finally:
        db.close()


def _serve(args: argparse.Namespace, rt: Any) -> int:
    from sync.hub.app import serve

    hub = rt.config.hub
    host = args.host or hub.host
    port = args.port or hub.port
    if not hub.organiser_token:
        print(
            "accueil hub: no [hub] organiser_token: organiser calls (/v1/admin) are refused. "
            "Set ACCUEIL_HUB_ORGANISER_TOKEN to enable them.",
            file=sys.stderr,
        )
    if not _is_loopback(host):
        print(
            f"accueil hub: listening on {host}, not loopback: put it behind a TLS reverse "
            "proxy (docs/hub.md) so kiosk tokens never cross the network in clear.",
            file=sys.stderr,
        )
    db = open_db(rt, args.database)
    try:
        if args.workers > 1 and db.is_sqlite:
            print(
                "accueil hub: --workers needs PostgreSQL: SQLite lets one process write at a "
                "time, so more workers only wait for each other (docs/hub.md)",
                file=sys.stderr,
            )
            return 2
        refused = _cannot_listen(host, port)
        if refused is not None:
            tr = translator(rt.config.staff.language)
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
        _publish_event(rt, db)
        print(
            f"accueil hub: http://{host}:{port} (docs at /docs), hub id {db.hub_id}",
            file=sys.stderr,
        )
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


def _publish_event(rt: Any, db: Any) -> None:
    """Give the hub the event's days and sessions (capacities) for its page and reports."""
    from sync.importers import EventFileError, load_event
    from sync.reports.source import event_to_dict

    path = rt.config.resolve(rt.config.event.definition)
    try:
        event, sessions = load_event(path)
    except EventFileError as exc:
        print(f"accueil hub: [event] definition: {exc}; the hub page shows no sessions",
              file=sys.stderr)  # fmt: skip
        return
    db.set_event_definition(event_to_dict(event, sessions))


def _token(args: argparse.Namespace, db: Any) -> int:
    from sync.hub.db import HubError

    if args.token_action == "list":
        for k in db.kiosks():
            state = "active" if k["active"] else f"revoked {k['revoked_at']}"
            print(f"{k['kiosk_id']}\t{state}\tsince {k['created_at']}\t{k['scans']} scans")
        return 0
    if not args.kiosk:
        print(f"accueil hub token {args.token_action}: name the kiosk id", file=sys.stderr)
        return 2
    if args.token_action == "create":
        try:
            token = db.create_token(args.kiosk)
        except HubError as exc:
            print(f"accueil hub token create: {exc}", file=sys.stderr)
            return 2
        print(token)
        print(
            f"Token for kiosk {args.kiosk!r}: shown once, only its hash is kept. On that kiosk "
            "set [hub] token (or ACCUEIL_HUB_TOKEN). Any earlier token of it stops working.",
            file=sys.stderr,
        )
        return 0
    if not db.revoke_token(args.kiosk):
        print(f"accueil hub token revoke: kiosk {args.kiosk!r} has no live token", file=sys.stderr)
        return 1
    print(f"kiosk {args.kiosk!r}: token revoked; its next request gets 401", file=sys.stderr)
    return 0


def _import(args: argparse.Namespace, rt: Any, db: Any) -> int:
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
        print(f"accueil hub import: import refused, nothing was written ({len(problems)} "
              "problem(s)):", file=sys.stderr)  # fmt: skip
        for problem in problems[:20]:
            print(f"  {problem}", file=sys.stderr)
        if len(problems) > 20:
            print(f"  … and {len(problems) - 20} more", file=sys.stderr)
        return REFUSED
    _publish_event(rt, db)
    for result in results:
        print(f"{result.path}: {len(result.registrations)} registrations ({result.format})")
    print(f"{changed} new or changed in all (kiosks pull them)")
    return 0


def _migrated(db: Any) -> int:
    """Opening the database migrated it (``HubDB``): say from where to where."""
    done = db.migration
    before = done.before or ("none (made before revisions: adopted)" if done.adopted else "none")
    change = "already there" if done.before == done.after else f"was {before}"
    print(f"hub database {db.hub_id}: schema revision {done.after} ({change})")
    return 0


def _status(args: argparse.Namespace, db: Any) -> int:
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
    for c in report["conflicts"]:
        print(
            f"conflict: {c['registration_id']} day {c['day']}: {c['first_kiosk']} "
            f"{c['first_at']} and {c['second_kiosk']} {c['second_at']}"
        )
    for u in report["unreadable"]:  # stored before uploads were checked: left out of reports
        print(f"unreadable scan {u['nonce']} from {u['kiosk_id']}: {u['error']}")
    return 0


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
