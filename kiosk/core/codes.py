"""The code-ownership rule: a code belongs to exactly one registration.

A second registration holding the same code makes every scan of it ``ambiguous`` at the
door, so imports and walk-ins that would create one are refused. The rule is pure: the
store (kiosk) and the hub database each say who holds which code today and call
``code_clashes``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from kiosk.core.model import Registration


@dataclass(frozen=True, slots=True)
class CodeClash:
    """``code`` of incoming ``registration_id`` is already held by ``owner_id``."""

    code: str
    registration_id: str
    owner_id: str

    def __str__(self) -> str:
        shown = self.code if len(self.code) <= 24 else self.code[:21] + "…"
        return (
            f"code {shown!r} of {self.registration_id!r} already belongs to {self.owner_id!r}: "
            "at the door it would match two registrations"
        )


class CodeClashError(ValueError):
    """An import or walk-in would give a code to a second registration; nothing was written."""

    def __init__(self, clashes: Sequence[CodeClash]) -> None:
        self.clashes = list(clashes)
        super().__init__("; ".join(str(c) for c in self.clashes[:5]))


def code_clashes(
    incoming: Sequence[Registration],
    owners: Mapping[str, Collection[str]],
    releasing: Collection[str] = (),
) -> list[CodeClash]:
    """Codes that would belong to two registrations once ``incoming`` is written.

    ``owners``: code -> the ids holding it now (only the incoming codes need be present).
    ``releasing``: ids whose stored codes the write replaces by their incoming ones; an
    owner in it gives up its codes unless its incoming row keeps them. Clashes between two
    incoming registrations are found too (the later one is named as the newcomer).
    Returns one clash per (code, newcomer), in incoming order; empty when all is well.
    """
    releasing = set(releasing)
    incoming_ids = {reg.id for reg in incoming}
    claimed: dict[str, str] = {}
    found: list[CodeClash] = []
    for reg in incoming:
        for code in dict.fromkeys(reg.codes):
            first = claimed.setdefault(code, reg.id)
            if first != reg.id:
                found.append(CodeClash(code, reg.id, first))
                continue
            for owner in sorted(owners.get(code, ())):
                if owner == reg.id or (owner in releasing and owner in incoming_ids):
                    continue  # its incoming row decides (and is checked as a claim above)
                found.append(CodeClash(code, reg.id, owner))
                break
    return found
