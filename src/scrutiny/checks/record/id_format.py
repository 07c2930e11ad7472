"""How a resident ID number is written: its shape, characters that only look like digits or X,
and digits a spreadsheet lost."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from scrutiny.checks.base import Context, Record, RecordCheck
from scrutiny.checks.record._common import (
    evidence,
    id_as_written,
    id_length,
    id_number,
)
from scrutiny.core import Finding, Severity
from scrutiny.identity import resident_id

# Characters (after NFKC folding) that are read as a digit or X but are not one: what they
# are read as, and what they are.
_LOOKALIKES: dict[str, tuple[str, str]] = {
    "x": ("X", "a lower-case Latin x (GB 11643 writes the check character as a capital X)"),
    "х": ("X", "the Cyrillic letter ha"),
    "Х": ("X", "the Cyrillic capital letter ha"),
    "χ": ("X", "the Greek letter chi"),
    "Χ": ("X", "the Greek capital letter chi"),
    "×": ("X", "the multiplication sign"),
    "O": ("0", "the capital letter O"),
    "o": ("0", "the letter o"),
    "О": ("0", "the Cyrillic capital letter O"),
    "о": ("0", "the Cyrillic letter o"),
    "Ο": ("0", "the Greek capital letter omicron"),
    "ο": ("0", "the Greek letter omicron"),
    "〇": ("0", "the Chinese numeral zero 〇"),
    "l": ("1", "the lower-case letter l"),
    "I": ("1", "the capital letter I"),
    "|": ("1", "a vertical bar"),
    "ǀ": ("1", "a click letter (vertical stroke)"),
    "І": ("1", "the Cyrillic capital letter I"),
    "і": ("1", "the Cyrillic letter i"),
}
# Benign input-method artefacts: full-width characters and a lower-case x.
_MILD = frozenset({"full-width", "lower-case"})


@dataclass(frozen=True)
class LookAlike:
    position: int       # 1-based, counting the number's characters without separators
    character: str
    reads_as: str
    what: str
    kind: str           # "full-width", "lower-case", "letter", "other-script digit"

    def to_json(self) -> dict[str, object]:
        return {"position": self.position, "character": self.character,
                "codepoint": f"U+{ord(self.character):04X}",
                "name": unicodedata.name(self.character, "?"), "reads_as": self.reads_as}


@dataclass(frozen=True)
class Reading:
    """A number as written, read character by character: the look-alikes in it, and the
    number they would make if read as the digit or X they resemble."""

    lookalikes: tuple[LookAlike, ...]
    as_read: str


_PLAIN = re.compile(r"[0-9X]*")


def read(written: str) -> Reading:
    if _PLAIN.fullmatch(written):  # the common case: nothing to look at character by character
        return Reading((), written)
    found: list[LookAlike] = []
    out: list[str] = []
    for ch in written:
        folded = unicodedata.normalize("NFKC", ch)
        if not folded.strip() or folded == "-":
            continue  # spaces and hyphens are separators, as extraction treats them
        position = len(out) + 1
        if "0" <= ch <= "9" or ch == "X":
            out.append(ch)
            continue
        if folded in _LOOKALIKES:
            reads_as, what = _LOOKALIKES[folded]
            kind = "lower-case" if folded == "x" else "letter"
            if folded != ch:  # a full-width form of a look-alike: ｘ, Ｏ, ｌ …
                what = "a full-width " + unicodedata.name(ch, "character").lower().replace(
                    "fullwidth ", "")
                kind = "full-width" if folded.upper() == reads_as else "letter"
            found.append(LookAlike(position, ch, reads_as, what, kind))
            out.append(reads_as)
        elif len(folded) == 1 and folded in "0123456789X":
            found.append(LookAlike(position, ch, folded,
                                   "a full-width " + ("digit" if folded != "X" else "letter X"),
                                   "full-width"))
            out.append(folded)
        elif unicodedata.decimal(ch, None) is not None:
            digit = str(unicodedata.decimal(ch))
            found.append(LookAlike(position, ch, digit, "a digit of another script",
                                   "other-script digit"))
            out.append(digit)
        else:
            out.append(folded.upper())
    return Reading(tuple(found), "".join(out))


def _describe(found: tuple[LookAlike, ...]) -> list[str]:
    """One phrase per look-alike, full-width digits in a row taken together."""
    out: list[str] = []
    digits: list[LookAlike] = []

    def flush() -> None:
        if len(digits) == 1:
            out.append(_one(digits[0]))
        elif digits:
            out.append(f"characters {digits[0].position}–{digits[-1].position} "
                       f"('{''.join(c.character for c in digits)}') are full-width digits, "
                       f"which look like {''.join(c.reads_as for c in digits)}")
        digits.clear()

    for c in found:
        if c.kind == "full-width" and c.reads_as != "X" and (
                not digits or c.position == digits[-1].position + 1):
            digits.append(c)
            continue
        flush()
        if c.kind == "full-width" and c.reads_as != "X":
            digits.append(c)
        else:
            out.append(_one(c))
    flush()
    return out


def _one(c: LookAlike) -> str:
    return (f"character {c.position} is '{c.character}' (U+{ord(c.character):04X} "
            f"{unicodedata.name(c.character, '?')}: {c.what}), which looks like {c.reads_as}")


def _positions(numbers: list[int]) -> str:
    """"7", "7 and 9", "7–14", "3, 7–14 and 18"."""
    runs: list[tuple[int, int]] = []
    for n in numbers:
        if runs and n == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], n)
        else:
            runs.append((n, n))
    parts = [str(a) if a == b else f"{a}–{b}" for a, b in runs]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


_MASKS = frozenset("*")


class IdFormat(RecordCheck):
    """Checks that a resident ID number has the shape GB 11643-1999 gives it.

    **Method.** The number as written in the source (before extraction folded full-width
    characters and removed spaces and hyphens) is read character by character; characters
    that only look like a digit or X are read as what they resemble (REC-ID-002 reports
    them). What remains must be 18 characters, 17 digits and a digit or X (the current
    numbers), or 15 digits (first-generation numbers issued until 1999). Anything else is
    reported with its length and the characters that do not belong. A cell with no digits at
    all (无, 不详, blank-like notes) is not treated as a number and not reported; a number
    masked with asterisks (`653121********0013`, as published documents redact them) is
    reported as masked, with severity `notice`.

    **What it can show.** Numbers that cannot be resident ID numbers as written: cut short,
    run together with another value, with letters other than a final X. In a roster
    exported from a police or household-registration system such errors are rare; many of
    them point at manual typing or copying.

    **What it cannot show.** A well-formed number may still be wrong or invented: the other
    REC-ID checks test its check character, region code, date and sex digit. A malformed
    number may belong to a real person and have been damaged in copying.

    **References.** GB 11643-1999 *Citizen identification number* (公民身份号码); python-stdnum
    `stdnum.cn.ric`.
    """

    code = "REC-ID-001"
    title = "Resident ID number is malformed"
    version = "1"
    severity = Severity.WARNING

    def run(self, record: Record, ctx: Context) -> Iterator[Finding]:
        written = id_as_written(record)
        if not written or id_length(written):
            return  # the common case: already canonical
        reading = read(written)
        number = reading.as_read
        if id_length(number) or not any(c.isdigit() for c in number):
            return
        problems: list[str] = []
        if len(number) not in (15, 18):
            problems.append(f"it has {len(number)} characters, not 18 (or 15 for a "
                            "first-generation number)")
        bad: dict[str, list[int]] = {}
        for i, ch in enumerate(number, 1):
            if not ("0" <= ch <= "9" or (ch == "X" and i == 18 == len(number))):
                bad.setdefault(ch, []).append(i)
        for ch, where in bad.items():
            what = f"'{ch}' (U+{ord(ch):04X} {unicodedata.name(ch, '?')})"
            if ch == "X":
                why = "only the 18th character, the check character, may be X"
            elif ch in _MASKS:
                why = "the number looks masked (redacted), so it cannot be checked"
            else:
                why = "only digits and a final X belong in the number"
            s = "s" if len(where) > 1 else ""
            problems.append(f"character{s} {_positions(where)}: {what}; {why}")
        masked = bool(bad) and set(bad) <= _MASKS
        yield self.finding(
            record.subject,
            "Masked resident ID number" if masked else "Malformed resident ID number",
            f"The ID number {written!r} cannot be checked as a resident ID number as written: "
            + "; ".join(problems) + ".",
            evidence(record, id_number=id_number(record), id_number_as_written=written,
                     length=len(number),
                     characters=[{"character": ch, "codepoint": f"U+{ord(ch):04X}",
                                  "positions": where} for ch, where in bad.items()]),
            severity=Severity.NOTICE if masked else None)


class IdLookalikes(RecordCheck):
    """Finds characters in a resident ID number that only look like digits or X.

    **Method.** The number as the source wrote it (extraction keeps the original when it folds
    it) is read character by character. Reported, with their position (counting the number's
    characters, spaces and hyphens left out) and Unicode name: full-width digits and X
    (０-９, Ｘ, typed with a Chinese input method), a lower-case x as the check character,
    letters that look like digits or X (letter O or Cyrillic О for zero, l or I for one,
    Cyrillic х/Х, Greek χ or × for X, 〇 for zero), and digits of other scripts (such as
    Arabic-Indic digits). They are reported, not silently corrected. The finding also says
    whether the number, read with these characters replaced, has the right GB 11643 check
    character.

    **What it can show.** That the number was typed or retyped by a person, or passed through
    OCR, rather than exported from a registration system, which stores digits and a capital
    X. Full-width digits and a lower-case x are common and mild (severity `notice`); letters
    and other scripts' digits are rarer and point at a keyboard layout (Cyrillic, Uyghur
    Arabic script) or at OCR (severity `warning`).

    **What it cannot show.** Who typed the number or when; genuine rosters are often retyped,
    so look-alikes alone say nothing about whether the person or the record is real.

    **References.** GB 11643-1999 *Citizen identification number*; Unicode Standard Annex #15
    (NFKC normalization); python-stdnum `stdnum.cn.ric`.
    """

    code = "REC-ID-002"
    title = "Look-alike characters in a resident ID number"
    version = "1"
    severity = Severity.NOTICE

    def run(self, record: Record, ctx: Context) -> Iterator[Finding]:
        written = id_as_written(record)
        if not written or id_length(written):
            return  # the common case: only ASCII digits and a capital X
        reading = read(written)
        if not reading.lookalikes:
            return
        number = reading.as_read
        after = ""
        check_ok: bool | None = None
        if id_length(number) == 18:
            check_ok = resident_id.check_character(number[:17]) == number[17]
            after = (f" Read with them replaced, the number is {number}, whose check "
                     f"character is {'right' if check_ok else 'wrong'}.")
        elif id_length(number) == 15:
            after = f" Read with them replaced, the number is {number} (15 digits)."
        mild = all(c.kind in _MILD for c in reading.lookalikes)
        yield self.finding(
            record.subject, "Look-alike characters in a resident ID number",
            f"The ID number {written!r} contains characters that only look like digits or X: "
            + "; ".join(_describe(reading.lookalikes)) + "." + after
            + " Registration systems store digits and a capital X; such characters come "
              "from typing, an input method or OCR.",
            evidence(record, id_number_as_written=written, id_number=id_number(record),
                     characters=[c.to_json() for c in reading.lookalikes],
                     as_read=number, as_read_check_ok=check_ok),
            severity=Severity.NOTICE if mild else Severity.WARNING)


class IdPrecisionLost(RecordCheck):
    """Finds ID numbers stored as spreadsheet numbers that lost digits.

    **Method.** Extraction notes when an ID number came from a spreadsheet cell holding a
    number (not text) too large to be held exactly: spreadsheets keep about 15 significant
    digits, so the last digits of an 18-digit number become other digits (often 000).

    **What it can show.** That the file went through a spreadsheet program that treated the
    ID column as numbers, and that the last digits as shown are not the real ones: the
    sequence digits, the sex digit (17th) and the check character cannot be trusted, so
    REC-ID-004 and REC-ID-009 do not judge them for this record.

    **What it cannot show.** Whether the original number was right; the region code and
    birth date (the first 14 digits) are kept and still checked. This is a common artefact of
    handling genuine rosters in Excel, not a sign of fabrication by itself.

    **References.** GB 11643-1999 *Citizen identification number*; IEEE 754 double
    precision (the number format of spreadsheet cells).
    """

    code = "REC-ID-003"
    title = "Resident ID number lost digits as a spreadsheet number"
    version = "1"
    severity = Severity.NOTICE

    def run(self, record: Record, ctx: Context) -> Iterator[Finding]:
        number = id_number(record)
        if not number or not record.id_info.get("precision_lost"):
            return
        yield self.finding(
            record.subject, "ID number stored as a spreadsheet number lost digits",
            f"The ID number was stored as a number, not as text, and reads {number}. "
            "Spreadsheets keep about 15 significant digits, so its last digits (sequence, "
            "sex digit, check character) are probably not the real ones; they are not "
            "checked.",
            evidence(record, id_number=number, stored_as_number=True, precision_lost=True))
