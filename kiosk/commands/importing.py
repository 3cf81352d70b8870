"""`accueil import FILE…`: load registration lists (CSV or JSON), all or nothing."""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from kiosk.commands.words import add_lang_argument, replies
from kiosk.core.codes import CodeClash, CodeClashError
from kiosk.core.i18n import Translator
from kiosk.core.model import Registration
from sync.importers import FORMATS, FileResult, RowProblem, read_files

REFUSED = 1  # the exit status of a refused import, as for a refused check-in
MAX_SHOWN = 20


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "import",
        help="import registrations from CSV or JSON (pretix, Eventbrite or generic)",
        description="Import registration lists into the local store. Every row of every file "
        "is checked first: one bad row refuses the import (file, line and column are named, "
        "with what to do) and the store is left unchanged. Re-importing a file updates by "
        "registration id. A code that already belongs to another registration is refused.",
    )
    add_file_arguments(parser)
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="say what would change (new, updated, unchanged, refused) and write nothing",
    )
    add_lang_argument(parser)
    parser.set_defaults(func=run)


def add_file_arguments(parser: argparse.ArgumentParser) -> None:
    """FILE…, --format and --encoding: shared with `accueil hub import`."""
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
    parser.add_argument("--format", choices=FORMATS, default="auto", help="default: detect")
    parser.add_argument(
        "--encoding",
        help="the files' text encoding, e.g. cp1252 or cp1256 (default: UTF-8 or UTF-16 "
        "by their BOM, else detected; a file that is neither is refused)",
    )


def run(args: argparse.Namespace, rt: Any) -> int:
    from kiosk.commands.setup import import_counts

    tr = replies(args, rt)
    _ = tr.gettext
    results = read_files(args.files, args.format, rt.timezone, args.encoding)
    regs = [reg for r in results for reg in r.registrations]
    clash_problems = clash_report(results, rt.store.code_clashes(regs), _namer(rt.store.get))
    clash_problems += zeros_dropped(results, rt.store.get, rt.store.all_registrations)
    problems = [p for r in results for p in r.problems] + clash_problems
    if args.dry_run:
        refused = _refused_by_file(results, clash_problems)
        for result in results:
            if result.problems and not result.refused_rows:
                said = _("refused as a whole (see below; dry run: nothing written)")
                print(f"{result.path}: {said}")
                continue
            counts = rt.store.preview_registrations(result.registrations)
            said = _(
                "{added} new, {updated} updated, {unchanged} unchanged, {refused} refused "
                "(dry run: nothing written)"
            ).format(
                added=counts.added,
                updated=counts.updated,
                unchanged=counts.unchanged,
                refused=refused[str(result.path)],
            )
            print(f"{result.path}: {_kind(result)}: {said}")
        if problems:
            _print_problems(tr, _("the import would be refused"), problems)
            return REFUSED
        return 0
    if problems:
        _print_problems(tr, _("import refused, nothing was written"), problems)
        return REFUSED
    try:
        counts_by_file = rt.store.import_batches([(r.path.name, r.registrations) for r in results])
    except CodeClashError as exc:  # another process wrote in between: still nothing written
        report = clash_report(results, exc.clashes, _namer(rt.store.get))
        _print_problems(tr, _("import refused, nothing was written"), report)
        return REFUSED
    for result, counts in zip(results, counts_by_file, strict=True):
        print(f"{result.path}: {_kind(result)}: {import_counts(tr, counts)}")
    return 0


def clash_report(
    results: Sequence[FileResult],
    clashes: Sequence[CodeClash],
    name_of: Callable[[str], str],
) -> list[RowProblem]:
    """Each clash as a problem at the file, line and code column of the newcomer."""
    where = {reg_id: (r, origin) for r in results for reg_id, origin in r.origins.items()}
    problems: list[RowProblem] = []
    for clash in clashes:
        result, origin = where[clash.registration_id]
        problems.append(
            RowProblem(
                str(result.path),
                origin.line,
                origin.code_column,
                f"code {_short(clash.code)} of {clash.registration_id!r}"
                f"{name_of(clash.registration_id) or _incoming_name(result, clash.registration_id)}"
                f" already belongs to {clash.owner_id!r}{name_of(clash.owner_id)}: at the door "
                "it would match two registrations. Correct the code in the file, or, if they "
                f"are the same person, give this row the id {clash.owner_id!r}",
            )
        )
    return problems


# An id a spreadsheet takes for a number: a generic id of digits, Eventbrite's Attendee #
_NUMBER_ID = re.compile(r"^(eventbrite-)?(\d+)$")


def zeros_dropped(
    results: Sequence[FileResult],
    get: Callable[[str], Registration | None],
    stored: Callable[[], Sequence[Registration]],
) -> list[RowProblem]:
    """New ids that are stored ids with a number's leading zeros dropped (``42`` for
    ``0042``), as a spreadsheet does: imported, the same person would be there twice."""
    new = [
        (result, reg)
        for result in results
        for reg in result.registrations
        if (number := _NUMBER_ID.match(reg.id)) and not number.group(2).startswith("0")
    ]
    new = [(result, reg) for result, reg in new if get(reg.id) is None]
    if not new:
        return []
    padded = {
        f"{number.group(1) or ''}{number.group(2).lstrip('0')}": r
        for r in stored()
        if (number := _NUMBER_ID.match(r.id)) and number.group(2).startswith("0")
    }
    problems = []
    for result, reg in new:
        old = padded.get(reg.id)
        if old is None:
            continue
        problems.append(
            RowProblem(
                str(result.path),
                result.origins[reg.id].line,
                result.id_column,
                f"id {reg.id!r} ({reg.full_name}) is new, but {old.id!r} ({old.full_name}) is "
                "stored: a spreadsheet dropped the number's leading zeros, and the person would "
                "be there twice. Export the file again, or format the column as Text in Excel",
            )
        )
    return problems


def _namer(get: Callable[[str], Registration | None]) -> Callable[[str], str]:
    def name_of(registration_id: str) -> str:
        reg = get(registration_id)
        return f" ({reg.full_name})" if reg else ""

    return name_of


def _incoming_name(result: FileResult, registration_id: str) -> str:
    reg = next((r for r in result.registrations if r.id == registration_id), None)
    return f" ({reg.full_name})" if reg else ""


def _refused_by_file(results: Sequence[FileResult], extra: Sequence[RowProblem]) -> dict[str, int]:
    refused = {str(r.path): r.refused_rows for r in results}
    for problem in extra:
        refused[problem.file] = refused.get(problem.file, 0) + 1
    return refused


def _kind(result: FileResult) -> str:
    encoding = f", {result.encoding}" if result.encoding else ""
    return f"{result.format}{encoding}"


def _short(code: str) -> str:
    return repr(code if len(code) <= 24 else code[:21] + "…")


def _print_problems(tr: Translator, title: str, problems: Sequence[RowProblem]) -> None:
    """``title`` (translated) and the first problems, each at its file, line and column."""
    print_problems(tr, "accueil import", title, problems)


def print_problems(
    tr: Translator, command: str, title: str, problems: Sequence[RowProblem]
) -> None:
    """``command: title (N problems):`` then at most MAX_SHOWN problems and how many more.

    Shared with `accueil hub import`; the problems themselves are the importers' (English).
    """
    count = tr.ngettext("{count} problem", "{count} problems", len(problems))
    heading = tr.gettext("{title} ({problems}):").format(
        title=title, problems=count.format(count=len(problems))
    )
    print(f"{command}: {heading}", file=sys.stderr)
    for problem in problems[:MAX_SHOWN]:
        print(f"  {problem}", file=sys.stderr)
    if len(problems) > MAX_SHOWN:
        more = tr.ngettext("… and {count} more", "… and {count} more", len(problems) - MAX_SHOWN)
        print("  " + more.format(count=len(problems) - MAX_SHOWN), file=sys.stderr)
