"""pretix's check-in questions asked by staff, one by one, before a check-in (desk and door).

Each answer is checked as pretix checks it (``kiosk.core.questions.clean_answer``) while
the question is still on screen, so a wrong date or an unknown option is typed again at
once instead of being dropped by pretix later. File questions are not asked (they are
added in pretix). Escape stops: nothing is checked in.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, tzinfo
from typing import Any

from textual.widgets import Input

from kiosk.core.questions import AnswerError, CheckinQuestion, clean_answer, hint
from kiosk.locale import translator
from kiosk.ui.i18n import is_rtl, visual
from kiosk.ui.screens.common import PromptScreen
from kiosk.ui.widgets.sentence import Sentence


class QuestionScreen(PromptScreen):
    """One check-in question; dismisses with the answer as typed (checked), or None."""

    def __init__(self, question: CheckinQuestion, zone: tzinfo, country: str = "") -> None:
        super().__init__(question.text, placeholder=hint(question))
        self.checkin_question = question
        self.zone = zone
        self.country = country

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.prevent_default()  # not PromptScreen's: an optional question may stay empty
        try:
            clean_answer(self.checkin_question, event.value, self.zone, country=self.country)
        except AnswerError as exc:
            said = exc.words.in_language(translator(self.lang))
            self.query_one("#prompt-message", Sentence).show(said, is_rtl(self.lang))
            return
        self.dismiss(event.value.strip())

    def on_mount(self) -> None:
        # The form of the answer (yes / no, a date…) in the staff language; a list of
        # options is pretix's own text and has no catalogue entry, so it stays as it is.
        hinted = translator(self.lang).gettext(hint(self.checkin_question))
        self.query_one("#answer", Input).placeholder = visual(hinted)
        if not self.checkin_question.required:
            self.query_one("#question", Sentence).show(
                self.t("detail.optional_question", question=self.checkin_question.text),
                is_rtl(self.lang),
            )


def ask_questions(
    app: Any,
    questions: Sequence[CheckinQuestion],
    zone: tzinfo | None,
    done: Callable[[dict[str, str] | None], None],
    *,
    country: str = "",
) -> None:
    """Ask each question on ``app``; ``done`` gets question id -> answer as typed, or None
    when staff stopped (Escape). No question to ask: ``done({})`` at once."""
    pending = [q for q in questions if q.asked]
    answers: dict[str, str] = {str(q.id): "" for q in questions if not q.asked}

    def next_question() -> None:
        if not pending:
            done(answers)
            return
        question = pending.pop(0)

        def answered(answer: str | None) -> None:
            if answer is None:
                done(None)
                return
            answers[str(question.id)] = answer
            next_question()

        app.push_screen(QuestionScreen(question, zone or UTC, country), answered)

    next_question()
