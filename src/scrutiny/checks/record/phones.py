"""Phone numbers that cannot be, or look like placeholders."""

from __future__ import annotations

import re
from collections.abc import Iterator

from scrutiny.checks.base import Context, Record, RecordCheck
from scrutiny.checks.record._common import evidence
from scrutiny.core import Finding, Severity

MOBILE = re.compile(r"1[3-9][0-9]{9}")
LANDLINE = re.compile(r"0[0-9]{9,11}")
_UP = "0123456789" * 3    # runs, wrapping from 9 to 0, as substrings
_DOWN = "9876543210" * 3


def placeholder(digits: str, tail: int) -> str | None:
    """Why ``digits`` look like a placeholder, or None: the whole number, or its last ``tail``
    digits, is one repeated digit or a run of consecutive digits."""
    parts = [("it", digits)]
    if len(digits) > tail:
        parts.append((f"its last {tail} digits", digits[-tail:]))
    for who, part in parts:
        if len(part) < 6:
            continue
        if len(set(part)) == 1:
            return f"{who} {'is' if who == 'it' else 'are'} the digit {part[0]} repeated"
        if part in _UP or part in _DOWN:
            return f"{who} {'runs' if who == 'it' else 'run'} in sequence ({part})"
    return None


class PhonePlausible(RecordCheck):
    """Checks that a phone number has the shape of a mainland Chinese number and is not a
    placeholder.

    **Method.** Extraction keeps the digits of the phone column (a leading 86 country code
    removed) and calls them mobile, landline or unknown. Mobile numbers have 11 digits
    beginning 13–19; landlines 0, an area code of two or three digits, and a local number of
    seven or eight digits: 10 to 12 digits in all. Reported, with severity `notice`: numbers
    of neither shape (saying how many digits they have), and numbers that look like
    placeholders: the whole number, or its subscriber part (the last eight digits of a mobile,
    the last seven of a landline), one repeated digit (13800000000) or consecutive digits
    (12345678901, 13812345678).

    **What it can show.** Values that cannot be dialled as written, or were filled in to
    satisfy a required column. Many placeholders in one roster suggest a form filled in
    without real contact data.

    **What it cannot show.** Whether a well-formed number exists or belongs to the person; a
    real subscriber may have a memorable number. Numbers outside mainland China (Hong Kong,
    abroad) are reported as not fitting. It does not look for the same number across rows.

    **References.** ITU-T E.164 and China's national numbering plan as notified to the ITU
    (country code 86; mobile prefixes 13–19; landline area codes with a leading 0).
    """

    code = "REC-PHONE-001"
    title = "Implausible phone number"
    version = "1"
    severity = Severity.NOTICE

    def run(self, record: Record, ctx: Context) -> Iterator[Finding]:
        digits = str(record.fields.get("phone") or "").strip()
        if not digits:
            return
        kind = str(record.fields.get("phone_kind") or "")
        problems: list[str] = []
        if MOBILE.fullmatch(digits):
            why = placeholder(digits, 8)
        elif LANDLINE.fullmatch(digits):
            why = placeholder(digits, 7)
        else:
            why = placeholder(digits, min(7, len(digits)))
            start = ("begins 1 but not 13–19" if digits.startswith("1")
                     else "begins with neither 1 nor 0" if not digits.startswith("0")
                     else "begins 0")
            problems.append(
                f"it has {len(digits)} digits and {start}; a mainland mobile number has 11 "
                "digits beginning 13–19, a landline 0 and an area code, 10 to 12 digits")
        if why:
            problems.append(f"it looks like a placeholder: {why}")
        if not problems:
            return
        title = ("Phone number looks like a placeholder" if why and len(problems) == 1
                 else "Phone number does not fit a Chinese number")
        yield self.finding(
            record.subject, title,
            f"The phone number {digits}: " + "; ".join(problems) + ".",
            evidence(record, phone=digits, phone_kind=kind or None,
                     placeholder=why is not None))
