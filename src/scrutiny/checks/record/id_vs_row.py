"""What the resident ID number says against what the row states: birth date, age and sex."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from scrutiny.checks.base import Context, Record, RecordCheck
from scrutiny.checks.record._common import (
    date_span,
    evidence,
    full_age,
    id_birth,
    id_length,
    id_number,
    id_sex,
)
from scrutiny.core import Finding, Severity

_SEX = {"M": "male", "F": "female"}


class IdBirthDate(RecordCheck):
    """Compares the birth date in the resident ID number with the row's stated birth date.

    **Method.** Digits 7–14 of an 18-character number (7–12 of a 15-digit one, century 19)
    are the birth date. The row's birth date is compared at the precision the row gives it:
    a full date to the day, a year and month (出生年月, the usual roster column) to the
    month, a year to the year. The finding gives the difference and says when the stated
    date reads like the ID's with day and month swapped.

    **What it can show.** Rows where the number and the stated birth date cannot both be
    right: a number pasted into the wrong row, a number belonging to someone else, or values
    invented independently of each other.

    **What it cannot show.** Which of the two is wrong. Genuine records disagree too: birth
    dates registered late or estimated (often 1 January or 1 July), lunar-calendar birthdays
    written beside a Gregorian number, typing errors. A match shows only consistency: a
    number composed from the stated date always matches it.

    **References.** GB 11643-1999 *Citizen identification number*; python-stdnum
    `stdnum.cn.ric.get_birth_date`.
    """

    code = "REC-ID-007"
    title = "Resident ID birth date differs from the stated birth date"
    version = "1"
    severity = Severity.WARNING

    def run(self, record: Record, ctx: Context) -> Iterator[Finding]:
        number = id_number(record)
        stated = record.fields.get("birth_date")
        if not id_length(number) or date_span(stated) is None:
            return
        born = id_birth(number)
        if born is None:
            return  # not a real date: REC-DATE-001 reports it
        stated = str(stated).strip()
        if born.isoformat()[: len(stated)] == stated:
            return
        precision = {10: "day", 7: "month", 4: "year"}[len(stated)]
        note = ""
        if precision == "day":
            given = dt.date.fromisoformat(stated)
            days = (given - born).days
            note = (f" It is {abs(days)} day{'s' if abs(days) != 1 else ''} "
                    f"{'later' if days > 0 else 'earlier'}")
            if (given.month, given.day) == (born.day, born.month) and given.year == born.year:
                note += " and reads like the ID's date with day and month swapped"
            elif (given.month, given.day) == (born.month, born.day):
                note += "; only the year differs"
            note += "."
        yield self.finding(
            record.subject, "ID birth date differs from the stated birth date",
            f"The ID number {number} says the person was born on {born.isoformat()}; the row "
            f"states the birth date {stated}, which differs at the {precision} precision the "
            f"row gives.{note}",
            evidence(record, id_number=number, id_birth_date=born.isoformat(),
                     birth_date=stated, birth_date_precision=precision))


def _reference(record: Record, ctx: Context) -> tuple[dt.date, dt.date, dict[str, Any]] | None:
    """The days the row's age may be counted on: the detention date and the document's date
    (case setting ``document_date``) and any day between; None if neither is known."""
    spans: dict[str, tuple[dt.date, dt.date]] = {}
    detained = date_span(record.fields.get("detained"))
    if detained is not None:
        spans["detained"] = detained
    document = date_span(ctx.settings.get("document_date"))
    if document is not None:
        spans["document_date"] = document
    if not spans:
        return None
    lo = min(a for a, _ in spans.values())
    hi = max(b for _, b in spans.values())
    used = {"detained": record.fields.get("detained")} if "detained" in spans else {}
    if "document_date" in spans:
        used["document_date"] = str(ctx.settings.get("document_date"))
    return lo, hi, used


class IdAge(RecordCheck):
    """Compares the row's stated age with the birth date in the resident ID number.

    **Method.** The age is counted on the row's detention date; without one, on the document's
    date (the case setting `document_date`); with both, on any day between them (rosters give
    the age when they were compiled, often after the detention); with neither, the check does
    not run. Partial dates (a month, a year) count as every day they may mean. The age in
    completed years on those days is computed from the ID number's birth date; a stated age
    from one year less to two years more is accepted, because many Chinese records count
    nominal years (虚岁: one at birth, one more each New Year), which run one or two above
    completed years.

    **What it can show.** Rows whose number and stated age cannot both be right: a number
    from another person, or an age written without regard to the number.

    **What it cannot show.** Which is wrong, or whether the age was computed on yet another
    day (a roster copied from an older list). Ages two or three years off can be honest
    nominal-age counting on a date other than the one assumed. A match shows consistency only.

    **References.** GB 11643-1999 *Citizen identification number*; python-stdnum
    `stdnum.cn.ric.get_birth_date`.
    """

    code = "REC-ID-008"
    title = "Stated age does not fit the resident ID birth date"
    version = "1"
    severity = Severity.WARNING

    def run(self, record: Record, ctx: Context) -> Iterator[Finding]:
        number = id_number(record)
        age = record.fields.get("age")
        if not id_length(number) or not isinstance(age, int) or isinstance(age, bool):
            return
        born = id_birth(number)
        reference = _reference(record, ctx)
        if born is None or reference is None:
            return
        lo, hi, used = reference
        if hi < born:
            return  # counted before birth: REC-DATE-002 reports it
        low, high = full_age(born, max(lo, born)), full_age(born, hi)
        if low - 1 <= age <= high + 2:
            return
        on = (f"on {lo.isoformat()}" if lo == hi
              else f"between {lo.isoformat()} and {hi.isoformat()}")
        years = str(low) if low == high else f"{low} to {high}"
        what = " and ".join(f"the {'detention date' if k == 'detained' else 'document date'} "
                            f"{v}" for k, v in used.items())
        if len(used) == 1 and lo == hi:
            what = what.rsplit(" ", 1)[0]
        yield self.finding(
            record.subject, "Stated age does not fit the ID birth date",
            f"The row states the age {age}; the ID number {number} gives the birth date "
            f"{born.isoformat()}, which makes the person {years} in completed years {on} "
            f"({what}). Ages from {low - 1} to {high + 2} would be accepted, to allow for "
            "nominal years (虚岁).",
            evidence(record, id_number=number, id_birth_date=born.isoformat(), age=age,
                     **used, age_range=[low, high]))


class IdSex(RecordCheck):
    """Compares the sex digit of the resident ID number with the row's stated sex.

    **Method.** The 17th digit of an 18-character number (the 15th of a 15-digit one) is odd
    for men and even for women (GB 11643-1999). It is compared with the row's sex (男/女,
    M/F). Numbers that lost their last digits in a spreadsheet (REC-ID-003) are not judged.

    **What it can show.** Rows whose number and stated sex cannot both be right: a number
    from another person (often a relative listed beside them), or a number invented without
    regard to the rule.

    **What it cannot show.** Which is wrong; a slip in the sex column is a common clerical
    error. A match shows consistency only: half of all random numbers match.

    **References.** GB 11643-1999 *Citizen identification number*, §4.3 (sequence code);
    python-stdnum `stdnum.cn.ric`.
    """

    code = "REC-ID-009"
    title = "Resident ID sex digit differs from the stated sex"
    version = "1"
    severity = Severity.WARNING

    def run(self, record: Record, ctx: Context) -> Iterator[Finding]:
        number = id_number(record)
        stated = record.fields.get("sex")
        if stated not in _SEX:
            return
        from_id = id_sex(record, number)
        if from_id is None or from_id == stated:
            return
        position = 17 if len(number) == 18 else 15
        digit = number[position - 1]
        yield self.finding(
            record.subject, "ID sex digit differs from the stated sex",
            f"Digit {position} of the ID number {number} is {digit}, "
            f"{'odd' if int(digit) % 2 else 'even'}, which marks a {_SEX[from_id]}; the row "
            f"states {_SEX[str(stated)]}.",
            evidence(record, id_number=number, sex_digit=digit, id_sex=from_id, sex=stated))
