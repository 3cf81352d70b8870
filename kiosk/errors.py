"""Accueil's one error tree: every failure a person can act on is an ``AccueilError``.

Pure (no IO library): adapters, commands and the core import it alike. Each kind carries
its facts as attributes, so callers decide by fields, never by matching message text::

    AccueilError                      exit_status 1
    ├── ConfigError                   file, section, key, expected; exit_status 2
    ├── SourceError                   source, status, reason, detail, temporary
    │   ├── SourceUnavailable         temporary: network, timeout, 5xx, 429 (retry later)
    │   └── SourceRejected            permanent: refusal, bad answer (a person must act)
    │       └── SourceAuthError       401/403: the credentials were refused (also AuthError)
    ├── PrinterError                  printer, temporary
    ├── InputFileError                file, line, column (1-based; None when unknown)
    ├── AuthError                     a credential (token, PIN, key) was refused
    └── StorageError                  a local database cannot be used

The existing classes (``sync.remote.SourceRejected``, ``printers.devices.PrinterOffline``,
``sync.importers.EventFileError`` …) are subclasses and stay importable where they were.
The message (``str(exc)``) is for people; the fields are for code.
"""

from __future__ import annotations

from typing import Any, ClassVar


class AccueilError(Exception):
    """Base of Accueil's errors. ``str(exc)`` is the message for a person.

    Fields are keyword-only and optional, so ``SomeError("message")`` keeps working.
    """

    exit_status: ClassVar[int] = 1

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)


class ConfigError(AccueilError):
    """A configuration problem a person can fix; main.py prints it and exits with 2.

    ``file``: the configuration (or secrets) file; ``section`` and ``key``: what is wrong
    (``key`` is None for a whole table); ``expected``: what would be accepted.
    """

    exit_status: ClassVar[int] = 2
    file: str | None = None
    section: str | None = None
    key: str | None = None
    expected: str | None = None

    def __init__(
        self,
        *args: Any,
        file: str | None = None,
        section: str | None = None,
        key: str | None = None,
        expected: str | None = None,
    ) -> None:
        super().__init__(*args)
        self.file, self.section, self.key, self.expected = file, section, key, expected


class SourceError(AccueilError):
    """A registration source (hub, pretix…) failed a request.

    ``source``: its registry name; ``status``: the HTTP status (None without an answer);
    ``reason``: the server's machine-readable reason code when it gave one (pretix's
    ``reason``, FastAPI's ``detail`` code), else ""; ``detail``: the server's text;
    ``temporary``: True when the same request may succeed later without anyone acting.
    """

    temporary: ClassVar[bool] = False
    source: str = ""
    status: int | None = None
    reason: str = ""
    detail: str = ""

    def __init__(
        self,
        *args: Any,
        source: str = "",
        status: int | None = None,
        reason: str = "",
        detail: str = "",
    ) -> None:
        super().__init__(*args)
        self.source, self.status, self.reason, self.detail = source, status, reason, detail


class SourceUnavailable(SourceError):
    """Network down, timeout, 5xx, 429, an unreadable answer: try again later with backoff."""

    temporary: ClassVar[bool] = True


class SourceRejected(SourceError):
    """The source refused (4xx) or cannot be used as configured: retrying will not help."""


class AuthError(AccueilError):
    """A credential (a source's token, a staff PIN, a key) was refused or is unusable."""


class SourceAuthError(SourceRejected, AuthError):
    """The source refused the credentials (HTTP 401 or 403)."""


class PrinterError(AccueilError):
    """A badge did not print. ``printer``: the configured name; ``temporary``: True when
    the same job may print later (offline, paper out), False for a job it can never take."""

    temporary: bool = True
    printer: str = ""

    def __init__(self, *args: Any, printer: str = "", temporary: bool | None = None) -> None:
        super().__init__(*args)
        self.printer = printer
        if temporary is not None:
            self.temporary = temporary


class InputFileError(AccueilError):
    """A file given to Accueil (registrations, event, key, image) cannot be used.

    ``file``: its path as given; ``line`` and ``column``: 1-based, None when the problem
    is the whole file (or has no place in it).
    """

    exit_status: ClassVar[int] = 2
    file: str | None = None
    line: int | None = None
    column: int | None = None

    def __init__(
        self,
        *args: Any,
        file: str | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        super().__init__(*args)
        self.file, self.line, self.column = file, line, column


class StorageError(AccueilError):
    """A local database (the kiosk's store, the hub's) cannot be used as it is."""
