"""Corpus checks over the ID numbers of all records: duplicates, people with several IDs, and
the share of IDs that fail their check digit. Run in SQL over the catalog."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

import orjson

from scrutiny.checks.base import Context, CorpusCheck
from scrutiny.core import Finding, Severity

EXAMPLES = 20  # records named in a finding's evidence at most


class DuplicateIdConflict(CorpusCheck):
    """One ID number on several records that disagree about who it is.

    Method: groups the main-person records of tables (relatives and photo file names are not
    included) by normalized ID number and reports every group whose records give different
    names or birth dates (a record without a name or birth date does not count as different).

    What it can show: an ID number reused for different people. Real registers give each
    person one number, so reuse can mean copying errors, a fabricated list filled with
    recycled numbers, or two sources merged carelessly.

    What it cannot show: which record is right. The same person listed twice with a typo in
    the name also appears here; read the names side by side. Identical duplicates (same
    name and birth date) are not reported.
    """

    code = "CORP-ID-001"
    title = "ID number shared by records that disagree"
    severity: ClassVar[Severity] = Severity.WARNING

    def run(self, ctx: Context) -> Iterator[Finding]:
        groups = ctx.db.execute(
            "SELECT id_number, count(*), count(DISTINCT name), count(DISTINCT birth_date) "
            "FROM records WHERE source = 'table' AND id_number IS NOT NULL "
            "AND id_number != '' AND relation = '' GROUP BY id_number "
            "HAVING count(DISTINCT name) > 1 OR count(DISTINCT birth_date) > 1").fetchall()
        for id_number, n, names, births in groups:
            rows = ctx.db.execute(
                "SELECT id, sha256, location, name, birth_date FROM records WHERE id_number = ? "
                "AND relation = '' AND source = 'table' ORDER BY id LIMIT ?",
                (id_number, EXAMPLES)).fetchall()
            listed = "; ".join(f"{r[3] or '(no name)'} born {r[4] or '?'}" for r in rows[:5])
            yield self.finding(
                f"id:{id_number}", self.title,
                f"The ID number {id_number} appears on {n} records with {names} different "
                f"names and {births} different birth dates: {listed}.",
                {"id_number": id_number, "records": n,
                 "examples": [{"record": r[0], "item": r[1], "location": r[2], "name": r[3],
                               "birth_date": r[4]} for r in rows]})


class SeveralIdsForOnePerson(CorpusCheck):
    """One name and birth date with several different ID numbers.

    Method: groups main-person records that have a name, a full birth date and an ID number
    by (name, birth date) and reports groups with more than one ID number.

    What it can show: a person listed under different numbers — a typo in a number, or
    numbers invented for a list.

    What it cannot show: that they are one person. Common names (李伟) share birth dates by
    chance in large lists; the finding says how many records and IDs are involved so a reader
    can judge. Name spellings are compared exactly, not across scripts.
    """

    code = "CORP-ID-002"
    title = "One name and birth date with several ID numbers"
    severity: ClassVar[Severity] = Severity.NOTICE

    def run(self, ctx: Context) -> Iterator[Finding]:
        groups = ctx.db.execute(
            "SELECT name, birth_date, count(DISTINCT id_number), "
            "json_group_array(DISTINCT id_number) FROM records "
            "WHERE source = 'table' AND relation = '' AND name IS NOT NULL AND name != '' "
            "AND length(birth_date) = 10 "
            "AND id_number IS NOT NULL AND id_number != '' GROUP BY name, birth_date "
            "HAVING count(DISTINCT id_number) > 1").fetchall()
        for name, birth, n, ids in groups:
            numbers = sorted(orjson.loads(ids))[:EXAMPLES]
            yield self.finding(
                f"person:{name}|{birth}", self.title,
                f"{name}, born {birth}, is listed with {n} different ID numbers: "
                f"{', '.join(numbers[:5])}.",
                {"name": name, "birth_date": birth, "id_numbers": numbers})


class CheckDigitFailureRate(CorpusCheck):
    """The share of 18-character ID numbers whose GB 11643 check character is wrong.

    Method: counts, over all records, the 18-character IDs extraction parsed and how many of
    them failed python-stdnum's validation because of the check character (other failures —
    bad dates, unknown regions — are counted by the per-record checks).

    What it can show: genuine registers copied by machine have almost no check-digit errors;
    hand-typed lists have a few per cent; a list where many numbers fail may have been typed
    or invented without knowing the rule. The finding is information (with the rate) unless
    more than 5% fail.

    What it cannot show: where the errors came from; a low rate does not prove authenticity
    (anyone can compute check digits).
    """

    code = "CORP-ID-003"
    title = "Check-digit failure rate"
    severity: ClassVar[Severity] = Severity.INFO
    threshold: ClassVar[float] = 0.05

    def run(self, ctx: Context) -> Iterator[Finding]:
        from scrutiny.identity.resident_id import check_character

        total = failed = 0
        examples: list[str] = []
        for (number,) in ctx.db.execute(
                "SELECT id_number FROM records WHERE source = 'table' "
                "AND length(id_number) = 18"):
            if not number[:17].isdigit() or not number[:17].isascii():
                continue
            total += 1
            if number[17] != check_character(number[:17]):
                failed += 1
                if len(examples) < EXAMPLES:
                    examples.append(number)
        if total == 0:
            return
        rate = failed / total
        yield self.finding(
            "corpus:id_numbers", self.title,
            f"{failed:,} of {total:,} 18-character ID numbers ({rate:.1%}) have a wrong check "
            f"character." + (" That is more than a register copied by machine would have."
                             if rate > self.threshold else ""),
            {"ids": total, "failed": failed, "rate": round(rate, 6), "examples": examples,
             "threshold": self.threshold},
            Severity.WARNING if rate > self.threshold else Severity.INFO)


CORPUS_ID_CHECKS = (DuplicateIdConflict, SeveralIdsForOnePerson, CheckDigitFailureRate)
