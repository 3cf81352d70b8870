"""Label printers' media: which label is loaded, how many dots it has, and which language.

Two languages: Brother QL raster (``brother_ql``) and Zebra ZPL II (``zpl``). Brother
models and label sizes come from brother_ql's own tables (``brother_ql.models``,
``brother_ql.labels``): identifiers such as ``62`` (62 mm continuous) or ``62x100``
(62 × 100 mm die-cut), printable dots at 300 dpi. Zebra labels are given by size:
``2.25x4in``, ``4x3in``, ``62x100mm`` (die-cut: width across the head × length) or
``62mm`` (continuous), at the printer's 203, 300 or 600 dpi.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from printers.encode import PrinterProfile, ProfileError

BROTHER_QL = "brother_ql"
ZPL = "zpl"
LABEL_KINDS = (BROTHER_QL, ZPL)
ZPL_DPIS = (203, 300, 600)
ZPL_MAX_LENGTH = 32000  # ^LL: label length in dots, 1 to 32000 (ZPL II programming guide)
DEFAULT_LABEL = {BROTHER_QL: "62x100", ZPL: "2.25x4in"}
DEFAULT_MODEL = {BROTHER_QL: "QL-820NWB", ZPL: "ZD421"}
MM_PER_INCH = 25.4


@dataclass(frozen=True, slots=True)
class LabelProfile(PrinterProfile):
    """A label printer: the ESC/POS fields the queue reads, plus the label it prints on.

    width: printable dots across the head; length: printable dots along the label,
    0 for continuous media (the badge is as long as it needs). dpi: dots per inch.
    """

    language: str  # brother_ql | zpl
    model: str
    label: str  # brother_ql identifier (62x100) or the Zebra size as configured (4x3in)
    dpi: int
    length: int
    tape_mm: tuple[int, int]  # Brother media size in mm (length 0: continuous); (0, 0) for ZPL

    @property
    def continuous(self) -> bool:
        return self.length == 0

    @property
    def encoder(self) -> str:
        return self.language

    def describe(self) -> str:
        kind = "continuous" if self.continuous else f"{self.length} dots long"
        return (
            f"{self.model} on {self.label} labels ({self.width} dots wide, {kind}, {self.dpi} dpi)"
        )


def label_profile(language: str, model: str = "", label: str = "", dpi: int = 0) -> LabelProfile:
    """The profile of a configured label printer; ProfileError says what is wrong."""
    if language == BROTHER_QL:
        return _brother(model or DEFAULT_MODEL[BROTHER_QL], label or DEFAULT_LABEL[BROTHER_QL], dpi)
    if language == ZPL:
        return _zebra(model or DEFAULT_MODEL[ZPL], label or DEFAULT_LABEL[ZPL], dpi or 203)
    raise ProfileError(f"unknown label language {language!r}; expected one of {LABEL_KINDS}")


def brother_models() -> list[str]:
    from brother_ql.models import ALL_MODELS

    return [m.identifier for m in ALL_MODELS]


def brother_labels() -> list[str]:
    from brother_ql.labels import ALL_LABELS

    return [label.identifier for label in ALL_LABELS]


def _is_brother_model(model: str) -> bool:
    try:
        return model.upper() in {m.upper() for m in brother_models()}
    except ImportError:  # brother_ql (the "labels" extra) is not installed: not a QL then
        return model.upper().startswith("QL-")


def _brother(model: str, label: str, dpi: int) -> LabelProfile:
    from brother_ql.labels import ALL_LABELS, Color, FormFactor
    from brother_ql.models import ALL_MODELS

    models = {m.identifier: m for m in ALL_MODELS}
    if model not in models:
        raise ProfileError(
            f"label_model = {model!r}: not a Brother QL model brother_ql knows; "
            f"known: {', '.join(models)}"
        )
    labels = {x.identifier: x for x in ALL_LABELS}
    if label not in labels:
        raise ProfileError(
            f"label_size = {label!r}: not a Brother label identifier; known: {', '.join(labels)}"
        )
    spec = labels[label]
    if spec.restricted_to_models and not _fits(models, model, spec.restricted_to_models):
        raise ProfileError(
            f"label_size = {label!r} fits only {', '.join(spec.restricted_to_models)}, "
            f"not the {model}"
        )
    if spec.form_factor == FormFactor.ROUND_DIE_CUT or spec.color == Color.BLACK_RED_WHITE:
        raise ProfileError(
            f"label_size = {label!r}: badges print on rectangular black-on-white labels "
            "(e.g. 62 or 62x100)"
        )
    if dpi not in (0, 300):
        raise ProfileError(f"dpi = {dpi}: Brother QL printers print badges at 300 dpi")
    width, length = spec.dots_printable
    if width < 400:
        raise ProfileError(
            f"label_size = {label!r} is {spec.tape_size[0]} mm wide: too narrow for a badge "
            "with a QR code (use 38 mm or wider: 62 or 62x100)"
        )
    return LabelProfile(
        name=model,
        width=width,
        native_qr=False,
        code_page=None,
        cut=models[model].cutting,
        language=BROTHER_QL,
        model=model,
        label=label,
        dpi=300,
        length=length,
        tape_mm=(int(spec.tape_size[0]), int(spec.tape_size[1])),
    )


def same_head(model: str, other: str) -> bool:
    """True when brother_ql makes the same raster rows for both models (bytes per row and
    right offset of the head), so a job for one prints right on the other."""
    from brother_ql.models import ALL_MODELS

    models = {m.identifier: m for m in ALL_MODELS}
    if model not in models or other not in models:
        return True  # not ours to judge
    a, b = models[model], models[other]
    return (a.number_bytes_per_row, a.additional_offset_r) == (
        b.number_bytes_per_row,
        b.additional_offset_r,
    )


def _fits(models: dict[str, Any], model: str, allowed: list[str]) -> bool:
    """The model is listed for the label, or has the same table entry as a listed model.

    brother_ql's label restrictions lag behind its model list (the QL-1110NWB prints
    102 mm labels, as its twin the QL-1100 does, but is not named on them); a model
    whose head, offsets and length limits equal a listed model's takes the same labels.
    """
    if model in allowed:
        return True

    def body(name: str) -> tuple[object, ...]:
        m = models[name]
        return (m.min_max_length_dots, m.number_bytes_per_row, m.additional_offset_r)

    return any(body(model) == body(other) for other in allowed if other in models)


_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:x\s*(\d+(?:\.\d+)?))?\s*(in|mm)\s*$", re.I)


def parse_size(text: str) -> tuple[float, float]:
    """'4x3in' -> (101.6, 76.2) mm; '62mm' -> (62.0, 0.0) (continuous). ValueError if not."""
    m = _SIZE.match(text)
    if not m:
        raise ValueError(
            f"label_size = {text!r}: expected WIDTHxLENGTH with a unit, e.g. 2.25x4in, 4x3in, "
            "62x100mm, or a width alone for continuous media (62mm)"
        )
    unit = MM_PER_INCH if m.group(3).lower() == "in" else 1.0
    return float(m.group(1)) * unit, float(m.group(2) or 0) * unit


def _unit(label: str) -> str:
    return "in" if label.strip().lower().endswith("in") else "mm"


def _zebra(model: str, label: str, dpi: int) -> LabelProfile:
    if dpi not in ZPL_DPIS:
        raise ProfileError(f"dpi = {dpi}: Zebra print heads have {ZPL_DPIS} dots per inch")
    if _is_brother_model(model):
        raise ProfileError(
            f"label_model = {model!r} is a Brother QL model: set kind = 'brother_ql' "
            "(kind = 'zpl' is for Zebra printers)"
        )
    try:
        width_mm, length_mm = parse_size(label)
    except ValueError as exc:
        raise ProfileError(str(exc)) from None
    if "x" in label.lower() and not length_mm:
        raise ProfileError(
            f"label_size = {label!r}: the length is 0; for continuous media give the width "
            f"alone ({label.lower().partition('x')[0]}{_unit(label)})"
        )
    dots_per_mm = dpi / MM_PER_INCH
    width = int(width_mm * dots_per_mm) // 8 * 8  # ^GF rows are whole bytes
    length = int(length_mm * dots_per_mm)
    if length > ZPL_MAX_LENGTH:
        raise ProfileError(
            f"label_size = {label!r} is {length} dots long at {dpi} dpi: ZPL's ^LL takes at "
            f"most {ZPL_MAX_LENGTH} dots ({ZPL_MAX_LENGTH / dpi:.0f} inches)"
        )
    if not int(1.5 * dpi) <= width <= 8 * dpi:
        raise ProfileError(
            f"label_size = {label!r} is {width} dots wide at {dpi} dpi: expected a badge "
            "label between 1.5 and 8 inches wide"
        )
    if length and length < 250:
        raise ProfileError(f"label_size = {label!r}: {length} dots long is too short for a badge")
    return LabelProfile(
        name=model,
        width=width,
        native_qr=True,
        code_page="CP1252",  # ZPL font 0 prints Latin-1 text; anything else is drawn
        cut=False,
        language=ZPL,
        model=model,
        label=label,
        dpi=dpi,
        length=length,
        tape_mm=(0, 0),
    )
