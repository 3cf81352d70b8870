"""`accueil keys generate`: the organiser's Ed25519 key pair for signed tickets."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from kiosk import signing
from kiosk.commands.words import add_lang_argument, replies


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "keys",
        help="create the organiser's ticket signing key pair",
        description="Writes PRIVATE (owner-only; keep it on the organiser's machine) and "
        "PUBLIC (copy it to every kiosk: [event] public_key).",
    )
    parser.add_argument("action", choices=["generate"])
    parser.add_argument("--private", type=Path, default=Path("organiser.key"))
    parser.add_argument("--public", type=Path, default=Path("organiser.pub"))
    parser.add_argument("--force", action="store_true", help="overwrite existing files")
    add_lang_argument(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, rt: Any) -> int:
    _ = replies(args, rt).gettext
    if args.private.exists() and not args.force:
        said = _(
            "{path} exists; tickets signed with it would stop verifying if it changed (use "
            "--force to replace it)"
        ).format(path=args.private)
        print(f"accueil keys: {said}")
        return 1
    signing.generate(args.private, args.public)
    print(_("private key: {path} (mode 600, never copy it to a kiosk)").format(path=args.private))
    print(_("public key:  {path} (set [event] public_key on every kiosk)").format(path=args.public))
    return 0
