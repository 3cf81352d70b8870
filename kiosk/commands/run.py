"""`accueil run`: start the kiosk app (attendee kiosk, staff desk or session door)."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from typing import Any

from kiosk.config import ConfigError


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "run",
        help="start the kiosk app (full screen, in this terminal)",
        description="Start the Textual kiosk app. Ctrl+C and Ctrl+Q do not quit it: a "
        "supervisor quits from the staff desk (F12, PIN, F10).",
    )
    parser.add_argument("--mode", choices=("kiosk", "staff", "door"), help="override [kiosk] mode")
    parser.add_argument("--session", help="session id for door mode (override [door] session)")
    parser.add_argument(
        "--language", choices=("fr", "en", "ar"), help="first screen language ([kiosk] language)"
    )
    parser.add_argument(
        "--camera",
        metavar="SOURCE",
        help="override [camera] source: a device index, a video file or an image folder",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, rt: Any) -> int:
    mode = args.mode or rt.config.kiosk.mode
    if args.camera:
        rt.config.camera.source = args.camera
    if args.session and rt.store.session(args.session) is None:
        known = ", ".join(s.id for s in rt.store.sessions()) or "none loaded"
        raise ConfigError(f"--session {args.session}: no such session (known: {known})")
    app = rt.build_app(mode=args.mode, session=args.session, language=args.language)
    if mode == "staff" and not app.services.staff_auth.enabled:
        raise ConfigError(f"{rt.config.path}: {app.services.staff_auth.disabled_reason()}")
    log_path = rt.config.data_dir / "kiosk.log"
    # the log names attendees: create it owner-only before logging opens it
    os.close(os.open(log_path, os.O_CREAT | os.O_APPEND | os.O_WRONLY, 0o600))
    os.chmod(log_path, 0o600)
    logging.basicConfig(
        filename=log_path,
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    warning = rt.demo_key_warning()
    if warning:
        print(f"accueil run: warning: {warning}", file=sys.stderr)  # the runtime's words: English
        logging.getLogger("accueil").warning(warning)
    result = app.run()
    return int(result or 0)
