"""Finds words a person would read that are written in Python instead of the catalogues.

A *sink* is a call whose text reaches a screen or a terminal: Textual widgets and
notifications (``Static``, ``Label``, ``Button``, ``Sentence``, ``notify``, ``update``,
``say``, ``show``…), ``print``, ``parser.error``, ``SystemExit``. Every string literal
inside a sink's arguments counts, through concatenation, f-strings, conditionals and
calls such as ``visual("…")``, except inside a call that translates (``_``, ``ui_text``,
``self.t``…): those are looked up in the catalogues. A literal is *words* when, with its
``{placeholders}`` and ``[markup]`` removed, it still holds two letters in a row (codes
such as "F12", "—" or "%" are not words). A name given a string literal in the same module
(``NOT_RECORDED = "Not recorded…"``) and then passed to a sink counts as that literal.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

SINKS = {
    "Static", "Label", "Button", "Sentence", "Markdown", "notify", "update", "say", "show",
    "print", "error", "SystemExit", "exit", "set_hint", "log_line",
}  # fmt: skip
SINK_KEYWORDS = {"placeholder", "title", "message", "text", "label", "tooltip"}
TRANSLATING = {
    "_", "N_", "NP_", "C_", "gettext", "ngettext", "pgettext", "npgettext", "ui_text", "t",
    "v", "_staff", "staff_text", "attendee_text", "translate", "code_word", "role_label", "days_text",
}  # fmt: skip
WORD = re.compile(r"[^\W\d_]{2,}")
FIELD = re.compile(r"\{[^{}]*\}|\[/?[a-z $#@._=-]*\]")


@dataclass(frozen=True, order=True)
class Literal:
    path: str
    line: int
    column: int
    text: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.text!r}"


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def is_words(text: str) -> bool:
    return bool(WORD.search(FIELD.sub(" ", text)))


def _named_strings(tree: ast.AST) -> dict[str, ast.Constant]:
    """Names assigned a string literal anywhere in the module (``X = "…"``)."""
    named = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.AnnAssign) and isinstance(node.value, ast.Constant):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name) and isinstance(node.value.value, str):
                    named[target.id] = node.value
    return named


def _strings(node: ast.AST, named: dict[str, ast.Constant]):
    """String constants under ``node``, not descending into translating calls."""
    if isinstance(node, ast.Call) and _name(node.func) in TRANSLATING:
        return
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node
        return
    if isinstance(node, ast.Name) and node.id in named:
        yield named[node.id]
        return
    if isinstance(node, ast.Call):  # only what the call is given, not what it is called on
        children: list[ast.AST] = [*node.args, *(k.value for k in node.keywords)]
    else:
        children = list(ast.iter_child_nodes(node))
    for child in children:
        yield from _strings(child, named)


def find(source: str, path: str = "<source>") -> list[Literal]:
    """The untranslated words given to a sink in ``source`` (Python text)."""
    found = []
    tree = ast.parse(source)
    named = _named_strings(tree)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or _name(node.func) not in SINKS:
            continue
        args = [*node.args, *(k.value for k in node.keywords if k.arg in SINK_KEYWORDS)]
        for arg in args:
            for const in _strings(arg, named):
                if is_words(const.value):
                    found.append(Literal(path, const.lineno, const.col_offset + 1, const.value))
    return sorted(set(found))


def find_in(paths: list[Path], root: Path) -> list[Literal]:
    out: list[Literal] = []
    for path in paths:
        out.extend(find(path.read_text(encoding="utf-8"), path.relative_to(root).as_posix()))
    return out
