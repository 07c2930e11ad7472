"""What the per-record checks share: the ID number as written and as stored, the parts of a
canonical number, dates at the precision a roster states them, and the evidence every finding
carries (which item, which row)."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from functools import lru_cache
from typing import Any

from scrutiny.checks.base import Record
from scrutiny.identity import resident_id

ID18 = re.compile(r"[0-9]{17}[0-9X]")
ID15 = re.compile(r"[0-9]{15}")
_YEAR = re.compile(r"[0-9]{4}")
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")

FIRST_ISSUE_YEAR = 1984
"""Resident identity numbers were first issued from 1984: people born earlier got a number,
and with it the region code then in use, only when first registered for one."""


def evidence(record: Record, **values: Any) -> dict[str, Any]:
    """A finding's evidence: the item and row, then the fields and values it rests on."""
    return {"item": record.sha256, "location": record.location, **values}


def id_number(record: Record) -> str:
    """The ID number as extraction stored it (NFKC-folded, upper-case, no separators), or ""
    when the record has none."""
    value = record.fields.get("id_number")
    return "" if value is None else str(value).strip()


def id_as_written(record: Record) -> str:
    """The ID number as the source wrote it, before extraction folded it."""
    original = record.id_info.get("normalised_from")
    if isinstance(original, str) and original.strip():
        return original
    return id_number(record)


@lru_cache(maxsize=4096)  # several checks ask about the same number
def id_length(number: str) -> int:
    """18 or 15 for a number of canonical shape (17 digits and a digit or X; 15 digits), else
    0."""
    if ID18.fullmatch(number):
        return 18
    if ID15.fullmatch(number):
        return 15
    return 0


def id_date_digits(number: str) -> str:
    """The birth date digits YYYYMMDD of a canonical number (a 15-digit number omits "19")."""
    return number[6:14] if len(number) == 18 else "19" + number[6:12]


@lru_cache(maxsize=4096)  # several checks ask about the same number
def id_birth(number: str) -> dt.date | None:
    """The birth date a canonical number states, or None if its date digits are not a date."""
    if id_length(number) == 18:
        try:
            return resident_id.birth_date(number)
        except ValueError:
            return None
    digits = id_date_digits(number)
    try:
        return dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        return None


def id_sex(record: Record, number: str) -> str | None:
    """'M' or 'F' from the sequence digit, or None when it cannot be trusted or read."""
    if record.id_info.get("precision_lost") or not id_length(number):
        return None
    sex = record.id_info.get("sex")
    return sex if sex in ("M", "F") else resident_id.sex_of(number)


def date_span(value: Any) -> tuple[dt.date, dt.date] | None:
    """The first and last day a date at its stated precision can mean (see ``_date_span``)."""
    if isinstance(value, str):
        return _date_span_text(value)
    return _date_span(value)


@lru_cache(maxsize=4096)  # several checks ask about the same dates
def _date_span_text(value: str) -> tuple[dt.date, dt.date] | None:
    return _date_span(value)


def _date_span(value: Any) -> tuple[dt.date, dt.date] | None:
    """The first and last day a date at its stated precision can mean: "2018-03-01" is one
    day, "2018-03" a month, "2018" a year. None for anything else."""
    if isinstance(value, dt.datetime):
        return value.date(), value.date()
    if isinstance(value, dt.date):
        return value, value
    if not isinstance(value, str):
        return None
    text = value.strip()
    try:
        if len(text) == 10:
            day = dt.date.fromisoformat(text)
            return day, day
        m = _MONTH.fullmatch(text)
        if m:
            year, month = int(m[1]), int(m[2])
            last = calendar.monthrange(year, month)[1]
            return dt.date(year, month, 1), dt.date(year, month, last)
        if _YEAR.fullmatch(text):
            year = int(text)
            return dt.date(year, 1, 1), dt.date(year, 12, 31)
    except ValueError:
        return None
    return None


def full_age(born: dt.date, on: dt.date) -> int:
    """Age in completed years on a day."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def years_in_use(first: int | None, last: int | None) -> str:
    """"1984–2015", "from 2019", "until 1983", or "no dates recorded"."""
    if first is not None and last is not None:
        return f"{first}–{last}"
    if first is not None:
        return f"from {first}"
    if last is not None:
        return f"until {last}"
    return "no dates recorded"
