"""pretix's check-in questions: what a staff member types, checked as pretix checks it.

pretix's redeem (``checkinrpc/redeem``) reads ``answers`` (question id -> text) through
``Question.clean_answer`` (``pretix/base/models/items.py``, pretix 2026.8) and *silently
drops* an answer it cannot read: the check-in then fails as ``incomplete``. So the kiosk
checks each answer the same way before it records the scan, says what is wrong in words a
person can act on, and keeps the text pretix reads:

========  ===================  ==============================================================
type      question             sent to pretix
========  ===================  ==============================================================
``N``     number               a decimal (``12.5``; ``12,5`` accepted), within min/max
``S/T``   text / long text     as typed, within the length limits
``B``     yes / no             ``true`` / ``false`` (a *required* one must be yes, as pretix)
``C``     one choice           the option's id (typed as its number in the list, its
                               identifier or its text)
``M``     several choices      the options' ids, comma separated
``D``     date                 ``YYYY-MM-DD`` (typed so, or day first: ``31/12/2026``)
``H``     time                 ``HH:MM`` (``9:30``, ``9h30``)
``W``     date and time        ISO 8601 with the event's offset (typed ``31/12/2026 09:30``)
``CC``    country              ISO 3166-1 alpha-2 code (``MA``), as pretix's list of countries
``TEL``   phone number         E.164 (``+212612345678``); a national number needs the
                               attendee's country
``F``     file                 not asked at a kiosk: an empty answer, which pretix's
                               check-in accepts (the file is added in pretix)
========  ===================  ==============================================================

pretix has no e-mail question type (e-mail addresses are order and attendee fields).
Pure, apart from two data libraries: pycountry (ISO 3166) and phonenumbers.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo
from decimal import Decimal, InvalidOperation
from typing import Any

import phonenumbers
import pycountry

from kiosk.core.i18n import N_, NP_, Message, Words

NUMBER, STRING, TEXT, BOOLEAN = "N", "S", "T", "B"
CHOICE, MULTIPLE, FILE, DATE, TIME, DATETIME, COUNTRY, PHONE = (
    "C",
    "M",
    "F",
    "D",
    "H",
    "W",
    "CC",
    "TEL",
)

_YES = {"oui", "o", "yes", "y", "true", "1", "نعم", "ok", "vrai"}
_NO = {"non", "n", "no", "false", "0", "لا", "faux"}


@dataclass(frozen=True, slots=True)
class Option:
    """One answer option of a choice question (pretix's ``options``)."""

    id: int
    identifier: str = ""
    text: str = ""


@dataclass(frozen=True, slots=True)
class CheckinQuestion:
    """A question pretix asks during check-in (``ask_during_checkin``), as pulled.

    ``type``: pretix's code (module table). Limits as pretix's ``valid_*`` fields; numbers
    as decimal text, dates as dates, date-times aware.
    """

    id: int
    text: str
    type: str = STRING
    required: bool = False
    options: tuple[Option, ...] = ()
    number_min: str | None = None
    number_max: str | None = None
    date_min: date | None = None
    date_max: date | None = None
    datetime_min: datetime | None = None
    datetime_max: datetime | None = None
    length_min: int | None = None
    length_max: int | None = None

    @property
    def asked(self) -> bool:
        """Whether a kiosk asks it (file questions are answered in pretix)."""
        return self.type != FILE


class AnswerError(ValueError):
    """An answer pretix would not accept; the message says what to type instead.

    ``str(exc)`` is English (logs, the CLI); ``exc.words.in_language(tr)`` is the same
    sentence from the catalogues, for the screen in the staff language.
    """

    def __init__(self, message: str | Message, /, **fields: object) -> None:
        self.words = Words((message, fields))
        super().__init__(str(self.words))


def clean_answer(question: CheckinQuestion, raw: str, zone: tzinfo, *, country: str = "") -> str:
    """The text pretix reads for ``raw``, or AnswerError (English; the UI shows it).

    ``zone``: the event's, for a date-time typed without offset (pretix does the same);
    ``country``: the attendee's (ISO code), for a phone number typed without ``+``.
    """
    kind = question.type
    text = (raw or "").strip()
    if kind == FILE:
        return ""
    if kind == BOOLEAN:
        word = text.lower()
        if word in _YES:
            return "true"
        if word in _NO or not word:
            if question.required:
                raise AnswerError(N_("pretix accepts only yes to this required question"))
            return "false"
        raise AnswerError(N_("answer yes or no"))
    if not text:
        if question.required:
            raise AnswerError(N_("an answer to this question is required"))
        return ""
    if kind == CHOICE:
        return str(_option(question, text).id)
    if kind == MULTIPLE:
        parts = [p.strip() for p in re.split(r"[,;]", text) if p.strip()]
        chosen = {_option(question, p).id: None for p in parts}
        return ",".join(str(i) for i in chosen)
    if kind == NUMBER:
        return _number(question, text)
    if kind == DATE:
        day = _date(text)
        if question.date_min is not None and day < question.date_min:
            raise AnswerError(
                N_("choose a date on or after {date}"), date=f"{question.date_min:%Y-%m-%d}"
            )
        if question.date_max is not None and day > question.date_max:
            raise AnswerError(
                N_("choose a date on or before {date}"), date=f"{question.date_max:%Y-%m-%d}"
            )
        return day.isoformat()
    if kind == TIME:
        return _time(text).strftime("%H:%M")
    if kind == DATETIME:
        return _datetime(question, text, zone)
    if kind == COUNTRY:
        found = pycountry.countries.get(alpha_2=text.upper()) if len(text) == 2 else None
        if found is None:
            raise AnswerError(N_("type a two-letter country code, such as MA or FR"))
        return str(found.alpha_2)
    if kind == PHONE:
        return _phone(text, country)
    if kind in (STRING, TEXT):
        if question.length_min is not None and len(text) < question.length_min:
            raise AnswerError(
                NP_("at least {count} character", "at least {count} characters"),
                count=question.length_min,
            )
        if question.length_max is not None and len(text) > question.length_max:
            raise AnswerError(
                NP_("at most {count} character", "at most {count} characters"),
                count=question.length_max,
            )
    return text


def hint(question: CheckinQuestion) -> str:
    """How to answer, for the prompt: the options numbered, or the expected form."""
    if question.type in (CHOICE, MULTIPLE):
        listed = "  ".join(
            f"{n}. {o.text or o.identifier}" for n, o in enumerate(question.options, 1)
        )
        return listed + ("  (1,3…)" if question.type == MULTIPLE else "")
    return {
        BOOLEAN: N_("yes / no"),
        NUMBER: "12.5",
        DATE: "31/12/2026",
        TIME: "09:30",
        DATETIME: "31/12/2026 09:30",
        COUNTRY: "MA",
        PHONE: "+212…",
        FILE: N_("file: add it in pretix"),
    }.get(question.type, "")


def _option(question: CheckinQuestion, text: str) -> Option:
    folded = text.casefold()
    options = question.options
    if text.isdigit() and 1 <= int(text) <= len(options):
        return options[int(text) - 1]  # its number in the list shown
    for option in options:
        if folded in (option.identifier.casefold(), option.text.casefold(), str(option.id)):
            return option
    raise AnswerError(
        N_("no option {answer}: choose a number from 1 to {last}"),
        answer=repr(text),
        last=len(options),
    )


def _number(question: CheckinQuestion, text: str) -> str:
    cleaned = text.replace(" ", "").replace("\u202f", "").replace("\xa0", "")
    if "," in cleaned and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")  # a decimal comma, as pretix's localised input
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise AnswerError(N_("type a number, such as 12 or 12.5")) from None
    if not value.is_finite():
        raise AnswerError(N_("type a number, such as 12 or 12.5"))
    if question.number_min is not None and value < Decimal(question.number_min):
        raise AnswerError(N_("the number must be at least {least}"), least=question.number_min)
    if question.number_max is not None and value > Decimal(question.number_max):
        raise AnswerError(N_("the number must be at most {most}"), most=question.number_max)
    return str(value)


_DAY_FIRST = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")


def _date(text: str) -> date:
    try:
        if match := _DAY_FIRST.match(text):
            day, month, year = (int(g) for g in match.groups())
            return date(year, month, day)
        return date.fromisoformat(text)
    except ValueError:
        raise AnswerError(N_("type a date as 31/12/2026 or 2026-12-31")) from None


_TIME = re.compile(r"^(\d{1,2})\s*[:hH.]\s*(\d{2})?(?::(\d{2}))?$")


def _time(text: str) -> time:
    match = _TIME.match(text)
    try:
        if match is None:
            raise ValueError(text)
        hour, minute, second = (int(g) if g else 0 for g in match.groups())
        return time(hour, minute, second)
    except ValueError:
        raise AnswerError(N_("type a time as 09:30")) from None


def _datetime(question: CheckinQuestion, text: str, zone: tzinfo) -> str:
    day_text, _, time_text = text.replace("T", " ").partition(" ")
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        if not time_text:
            raise AnswerError(N_("type a date and time as 31/12/2026 09:30")) from None
        when = datetime.combine(_date(day_text), _time(time_text.strip()))
    if when.tzinfo is None:
        when = when.replace(tzinfo=zone)
    if question.datetime_min is not None and when < question.datetime_min:
        raise AnswerError(
            N_("choose a time on or after {when}"),
            when=f"{question.datetime_min.astimezone(zone):%d/%m/%Y %H:%M}",
        )
    if question.datetime_max is not None and when > question.datetime_max:
        raise AnswerError(
            N_("choose a time on or before {when}"),
            when=f"{question.datetime_max.astimezone(zone):%d/%m/%Y %H:%M}",
        )
    return when.isoformat()


def _phone(text: str, country: str) -> str:
    region = country.upper() if len(country) == 2 else None
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise AnswerError(
            N_("type the phone number with its country code, such as +212 6…")
        ) from None
    if not phonenumbers.is_possible_number(number):
        raise AnswerError(N_("this is not a possible phone number: check the digits"))
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


# -- pretix's resource and the store's JSON ------------------------------------------------


def question_to_dict(question: CheckinQuestion) -> dict[str, Any]:
    def text(value: object) -> object:
        return value.isoformat() if isinstance(value, date | datetime) else value

    return {
        "id": question.id,
        "text": question.text,
        "type": question.type,
        "required": question.required,
        "options": [[o.id, o.identifier, o.text] for o in question.options],
        "number_min": question.number_min,
        "number_max": question.number_max,
        "date_min": text(question.date_min),
        "date_max": text(question.date_max),
        "datetime_min": text(question.datetime_min),
        "datetime_max": text(question.datetime_max),
        "length_min": question.length_min,
        "length_max": question.length_max,
    }


def question_from_dict(data: Mapping[str, Any] | Sequence[Any]) -> CheckinQuestion:
    """From ``question_to_dict``; also the older [id, text, type] rows."""
    if not isinstance(data, Mapping):
        return CheckinQuestion(int(data[0]), str(data[1]), str(data[2]))

    def day(value: object) -> date | None:
        return date.fromisoformat(str(value)[:10]) if value else None

    def moment(value: object) -> datetime | None:
        return datetime.fromisoformat(str(value)) if value else None

    def count(value: object) -> int | None:
        return int(str(value)) if value not in (None, "") else None

    return CheckinQuestion(
        id=int(data["id"]),
        text=str(data.get("text") or ""),
        type=str(data.get("type") or STRING),
        required=bool(data.get("required")),
        options=tuple(
            Option(int(o[0]), str(o[1] or ""), str(o[2] or "")) for o in data.get("options") or ()
        ),
        number_min=str(data["number_min"]) if data.get("number_min") is not None else None,
        number_max=str(data["number_max"]) if data.get("number_max") is not None else None,
        date_min=day(data.get("date_min")),
        date_max=day(data.get("date_max")),
        datetime_min=moment(data.get("datetime_min")),
        datetime_max=moment(data.get("datetime_max")),
        length_min=count(data.get("length_min")),
        length_max=count(data.get("length_max")),
    )
