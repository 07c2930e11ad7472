"""Dates and ages that cannot be: not a calendar date, in the future, before 1900, a detention
before birth, an age below zero or above 120."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from scrutiny.checks.base import Context, Record, RecordCheck
from scrutiny.checks.record._common import (
    date_span,
    evidence,
    id_birth,
    id_date_digits,
    id_length,
    id_number,
)
from scrutiny.core import Finding, Severity

EARLIEST = dt.date(1900, 1, 1)
OLDEST = 120
_LABEL = {"birth_date": "stated birth date", "detained": "detention date",
          "id_birth_date": "birth date in the ID number"}


def _births(record: Record) -> list[tuple[str, str, tuple[dt.date, dt.date]]]:
    """(field, value, span) of the birth dates the record gives: stated, and in the ID."""
    out: list[tuple[str, str, tuple[dt.date, dt.date]]] = []
    stated = record.fields.get("birth_date")
    span = date_span(stated)
    if span is not None:
        out.append(("birth_date", str(stated), span))
    number = id_number(record)
    born = id_birth(number) if id_length(number) else None
    if born is not None:
        out.append(("id_birth_date", born.isoformat(), (born, born)))
    return out


class ImpossibleDate(RecordCheck):
    """Finds dates that cannot be right: not a calendar date, in the future, before 1900.

    **Method.** The stated birth date, the detention date and the birth date in the resident
    ID number are each checked at the precision they are given (a month or a year counts as
    every day it may mean, and is reported only if all of them are impossible). Reported:
    ID date digits that are no calendar date (19850230); a date after the day the check runs;
    a date before 1 January 1900.

    **What it can show.** Values no genuine record can hold: a number made up digit by digit,
    a date typed with a wrong year, a date field holding something else, a roster edited or
    produced after the fact (a detention "in the future" of the day the check runs).

    **What it cannot show.** Dates that are possible but false. A date in the future is
    measured against the day of the check, not the roster's own date; dates after a leak's
    stated end need a comparison with that date. Dates the extraction could not read at all
    are not checked here.

    **References.** GB 11643-1999 *Citizen identification number* (birth date code);
    python-stdnum `stdnum.cn.ric.get_birth_date`.
    """

    code = "REC-DATE-001"
    title = "Date outside the possible range"
    version = "1"
    severity = Severity.WARNING

    def run(self, record: Record, ctx: Context) -> Iterator[Finding]:
        number = id_number(record)
        if id_length(number) and id_birth(number) is None:
            digits = id_date_digits(number)
            yield self.finding(
                record.subject, "ID birth date is not a calendar date",
                f"The birth date digits of the ID number {number} are {digits}, which is not a "
                f"calendar date (year {digits[:4]}, month {digits[4:6]}, day {digits[6:]}). "
                "The registration system cannot issue such a number.",
                evidence(record, id_number=number, id_date_digits=digits))
        dates = list(_births(record))
        detained = date_span(record.fields.get("detained"))
        if detained is not None:
            dates.append(("detained", str(record.fields["detained"]), detained))
        for name, value, (first, last) in dates:
            where = evidence(record, **{name: value})
            if name == "id_birth_date":
                where = evidence(record, id_number=number, id_birth_date=value)
            if first > ctx.today:
                yield self.finding(
                    record.subject, "Date in the future",
                    f"The {_LABEL[name]} {value} is after {ctx.today.isoformat()}, the day "
                    "this check ran.",
                    where | {"today": ctx.today.isoformat()})
            elif last < EARLIEST:
                yield self.finding(
                    record.subject, "Date before 1900",
                    f"The {_LABEL[name]} {value} is before 1900; no living person's record "
                    "can hold it.",
                    where)


class DetainedBeforeBirth(RecordCheck):
    """Finds a detention date before the person's birth.

    **Method.** The detention date is compared with the stated birth date and with the birth
    date in the resident ID number, each at the precision given; reported only when every day
    the detention date may mean is before every day the birth date may mean.

    **What it can show.** A row that cannot be right as written: dates in the wrong columns,
    a detention date belonging to another row, a wrong year, or a birth date or number made
    up without regard to the detention date.

    **What it cannot show.** Which date is wrong, nor dates that are merely implausible (a
    young child listed as detained).

    **References.** GB 11643-1999 *Citizen identification number* (birth date code).
    """

    code = "REC-DATE-002"
    title = "Detention date before birth"
    version = "1"
    severity = Severity.WARNING

    def run(self, record: Record, ctx: Context) -> Iterator[Finding]:
        detained = date_span(record.fields.get("detained"))
        if detained is None:
            return
        later = [(name, value) for name, value, (first, _) in _births(record)
                 if detained[1] < first]
        if not later:
            return
        value = str(record.fields["detained"])
        births = " and ".join(f"the {_LABEL[n]} {v}" for n, v in later)
        extra = {n: v for n, v in later}
        if "id_birth_date" in extra:
            extra["id_number"] = id_number(record)
        yield self.finding(
            record.subject, "Detention date before birth",
            f"The detention date {value} is before {births}.",
            evidence(record, detained=value, **extra))


class ImpossibleAge(RecordCheck):
    """Finds a stated age below zero or above 120.

    **Method.** The age column, read as a whole number (a trailing 岁 is allowed), is
    reported when it is negative or over 120.

    **What it can show.** A value that cannot be a person's age: a year of birth or another
    number in the age column, a typing error, or a made-up value.

    **What it cannot show.** Ages that are possible but false; REC-ID-008 compares the age
    with the ID number's birth date. Ages that could not be read as a number are not checked.

    **References.** None beyond the roster itself; the oldest verified human lived to 122.
    """

    code = "REC-DATE-003"
    title = "Impossible age"
    version = "1"
    severity = Severity.WARNING

    def run(self, record: Record, ctx: Context) -> Iterator[Finding]:
        age = record.fields.get("age")
        if not isinstance(age, int) or isinstance(age, bool) or 0 <= age <= OLDEST:
            return
        why = "negative" if age < 0 else f"over {OLDEST}"
        yield self.finding(
            record.subject, "Impossible age",
            f"The row states the age {age}, which is {why}.",
            evidence(record, age=age))
