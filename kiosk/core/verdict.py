"""Verdicts: what the kiosk answers to a scan, with a machine-readable reason."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from kiosk.core.model import Registration, ScanKind
from kiosk.core.questions import CheckinQuestion


class Reason(StrEnum):
    OK = "ok"
    UNKNOWN = "unknown"
    INVALID_SIGNATURE = "invalid_signature"
    WRONG_EVENT = "wrong_event"
    SUPERSEDED = "superseded"
    CANCELLED = "cancelled"
    UNPAID = "unpaid"
    BLOCKED = "blocked"
    ALREADY_CHECKED_IN = "already_checked_in"
    NOT_CHECKED_IN = "not_checked_in"
    NOT_VALID_TODAY = "not_valid_today"
    NOT_YET_VALID = "not_yet_valid"
    EXPIRED = "expired"
    SESSION_NOT_ALLOWED = "session_not_allowed"
    SESSION_FULL = "session_full"
    AMBIGUOUS = "ambiguous"
    QUESTIONS_REQUIRED = "questions_required"  # pretix asks questions at check-in: the desk


@dataclass(frozen=True, slots=True)
class Verdict:
    """The answer to one scan.

    ``kind`` is what the scan did (or tried to do). ``previous_at``/``previous_kiosk`` say
    when and where an earlier scan made this one a repeat. ``provisional`` marks a signed
    ticket accepted although its registration is not in this kiosk's list yet.
    """

    reason: Reason
    kind: ScanKind
    registration: Registration | None = None
    previous_at: datetime | None = None
    previous_kiosk: str = ""
    session_id: str | None = None
    inside: int | None = None  # people in the session after this scan (door mode)
    capacity: int | None = None
    provisional: bool = False
    attention: bool = False  # pretix: staff must look at this person (require_attention)
    notes: tuple[str, ...] = ()  # pretix's check-in texts (order's, variation's, product's)
    questions: tuple[CheckinQuestion, ...] = ()  # pretix's check-in questions unanswered
    explanation: str = ""
    # ``notes`` per language code, when pretix has translations (checkin_list.local_texts)
    translated_notes: tuple[tuple[str, tuple[str, ...]], ...] = ()  # pretix's words for a custom rules refusal (reason_explanation)

    @property
    def ok(self) -> bool:
        return self.reason is Reason.OK

    @property
    def first_entry(self) -> bool:
        """The day's first way in (not a re-entry after an exit, not an exit)."""
        return self.ok and self.kind is ScanKind.ENTRY and self.previous_at is None

    @property
    def earns_badge(self) -> bool:
        """A first entry of someone who has no badge yet (day 2 arrivals kept theirs)."""
        reg = self.registration
        return self.first_entry and reg is not None and reg.print_count == 0
