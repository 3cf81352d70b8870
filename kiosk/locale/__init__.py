"""The gettext adapter: the project's catalogues as :class:`kiosk.core.i18n.Translator`.

Catalogues are ``kiosk/locale/<lang>/LC_MESSAGES/accueil.po`` (the source translators
edit) and ``accueil.mo`` (compiled, not kept in git). :func:`translator` reads the ``.po``
file through Babel when Babel is installed (every ``make`` install and the tests: a
changed ``.po`` takes effect without a build step), otherwise the ``.mo`` file that
``make catalogues`` compiles (``make install`` runs it). Missing both is an error that
says what to run.
"""

from __future__ import annotations

import gettext
import io
from functools import cache
from pathlib import Path

from kiosk.core.i18n import LANGUAGES, SOURCE_LANGUAGE, SourceText, Translator
from kiosk.errors import AccueilError

DOMAIN = "accueil"
LOCALE_DIR = Path(__file__).resolve().parent


class CatalogueError(AccueilError, RuntimeError):
    """A catalogue cannot be read: the message names the file and what to do."""


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"


def languages_with_catalogues() -> list[str]:
    """The languages that have a ``.po`` file under :data:`LOCALE_DIR`, sorted."""
    return sorted(p.parent.parent.name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def _compile_po(path: Path) -> bytes | None:
    """The .mo bytes of a .po file with Babel, or None when Babel is not installed."""
    try:
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po
    except ImportError:
        return None
    with path.open("rb") as f:
        try:
            catalog = read_po(f, abort_invalid=True)
        except Exception as exc:  # babel raises PoFileError with the line
            raise CatalogueError(f"{path}: {exc}") from None
    out = io.BytesIO()
    write_mo(out, catalog)
    return out.getvalue()


@cache
def translator(lang: str) -> Translator:
    """The translator for language ``lang`` (a key of :data:`kiosk.core.i18n.LANGUAGES`).

    Raises :class:`KeyError` for an unknown language and :class:`CatalogueError` when its
    catalogue is missing or unreadable. The source language (English) has a catalogue too,
    so a wording change is made in one place; without it the message ids are used.
    """
    if lang not in LANGUAGES:
        raise KeyError(f"no language {lang!r} (languages: {', '.join(LANGUAGES)})")
    po, mo = po_path(lang), mo_path(lang)
    data = _compile_po(po) if po.exists() else None
    if data is None and mo.exists():
        data = mo.read_bytes()
    if data is None:
        if lang == SOURCE_LANGUAGE and not po.exists():
            return SourceText()
        raise CatalogueError(
            f"{mo}: no compiled catalogue; run `make catalogues` (or install Babel: "
            "pip install -e '.[dev]')"
        )
    return gettext.GNUTranslations(io.BytesIO(data))
