"""The GB 11643 check character of an 18-character resident ID number."""

from __future__ import annotations

from collections.abc import Iterator

from scrutiny.checks.base import Context, Record, RecordCheck
from scrutiny.checks.record._common import evidence, id_length, id_number
from scrutiny.core import Finding, Severity
from scrutiny.identity import resident_id


class IdCheckCharacter(RecordCheck):
    """Checks the check character (the 18th) of a resident ID number.

    **Method.** GB 11643-1999 computes the 18th character from the first 17 digits with ISO
    7064 MOD 11-2 (a digit, or X for 10); python-stdnum computes it, and scrutiny compares it
    with the character the row gives. 15-digit first-generation numbers have no check
    character and are not checked. Numbers that lost digits in a spreadsheet (REC-ID-003)
    are not judged, nor numbers whose shape is wrong (REC-ID-001, REC-ID-002).

    **What it can show.** That the number as written is not one the registration system
    would have issued: MOD 11-2 catches every single mistyped digit and every swap of two
    neighbouring digits. A roster whose numbers were invented without computing the check
    character shows such errors in about ten rows out of eleven.

    **What it cannot show.** A right check character does not show the number was ever
    issued, or that it belongs to the person named: anyone can compute it, and a number
    made up at random passes one time in eleven. A wrong one is often a typing error in a
    genuine record; compare the row with other sources before drawing conclusions.

    **References.** GB 11643-1999 *Citizen identification number*, §5 (check character);
    ISO/IEC 7064 MOD 11-2; python-stdnum `stdnum.cn.ric.calc_check_digit`.
    """

    code = "REC-ID-004"
    title = "Resident ID check character is wrong"
    version = "1"
    severity = Severity.WARNING

    def run(self, record: Record, ctx: Context) -> Iterator[Finding]:
        number = id_number(record)
        if id_length(number) != 18 or record.id_info.get("precision_lost"):
            return
        expected = resident_id.check_character(number[:17])
        if expected == number[17]:
            return
        yield self.finding(
            record.subject, "Wrong resident ID check character",
            f"The ID number {number} ends in '{number[17]}', but GB 11643 makes the check "
            f"character of its first 17 digits ({number[:17]}) '{expected}'. The number as "
            "written was mistyped, altered, or made up without computing the check character.",
            evidence(record, id_number=number, check_character=number[17],
                     expected_check_character=expected))
