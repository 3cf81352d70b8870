"""The language of the admin commands' replies: ``--lang``, else ``[staff] language``.

As `accueil report` and `accueil tickets` choose it: the operator reads the replies, so they
follow the staff screens' language. Codes for scripts (exit statuses, config keys, paths)
are never translated.
"""

from __future__ import annotations

import argparse
from typing import Any

from kiosk.core.i18n import LANGUAGES, Translator


def add_lang_argument(parser: argparse.ArgumentParser) -> None:
    """``--lang fr|en|ar``: the language of the replies (default ``[staff] language``)."""
    parser.add_argument(
        "--lang",
        choices=sorted(LANGUAGES),
        help="language of the replies (default: [staff] language)",
    )


def replies(args: argparse.Namespace, rt: Any) -> Translator:
    """The translator for ``args.lang``, else the configuration's ``[staff] language``.

    Raises :class:`kiosk.locale.CatalogueError` when that language's catalogue is missing.
    """
    from kiosk.locale import translator

    return translator(getattr(args, "lang", None) or rt.config.staff.language)
