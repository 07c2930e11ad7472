"""Corpus checks over the sequence code of resident ID numbers (digits 15–17: the order of
people registered in one area on one birth date; odd for men, even for women)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

import orjson

from scrutiny.checks.base import Context, CorpusCheck
from scrutiny.checks.corpus._stats import Roster, fmt_p, poisson_sf, rosters, rounded
from scrutiny.core import Finding, Severity

EXAMPLES = 20
RUN_ROWS = 4         # a run is at least this many rows counting up by a constant step
STEPS = (1, 2)
SEQ_ALPHA = 0.001
MIN_ROWS_IN_RUNS = 10
MIN_IDS = 20


def _parts(number: str | None) -> tuple[str, int] | None:
    """(region + birth date digits, sequence code) of an 18-character ID number."""
    if not number or len(number) != 18 or not number[:17].isdigit() or not number.isascii():
        return None
    return number[:14], int(number[14:17])


@dataclass(frozen=True)
class Run:
    start: int          # index into the roster's rows with IDs
    length: int
    step: int


@dataclass(frozen=True)
class SequenceRuns:
    """Runs of sequence codes counting up row by row in one roster (see
    ``SequenceCodesCountUp``)."""

    ids: int                 # main persons with a well-formed 18-character ID
    runs: list[Run]
    rows_in_runs: int
    expected_runs: float     # if row order had nothing to do with the codes
    p_value: float
    top_code: int
    top_code_share: float

    @property
    def reported(self) -> bool:
        return (self.ids >= MIN_IDS and self.p_value < SEQ_ALPHA
                and self.rows_in_runs >= MIN_ROWS_IN_RUNS)


def sequence_runs(roster: Roster) -> SequenceRuns | None:
    """Runs of ≥ RUN_ROWS rows whose sequence codes go s, s+d, s+2d… (d = 1 or 2), each step
    between people of different region or birth date; and how many random order would give."""
    parts = [p for p in (_parts(n) for n in roster.id_numbers) if p is not None]
    n = len(parts)
    if n < RUN_ROWS:
        return None
    runs: list[Run] = []
    start, step = 0, 0
    for i in range(1, n + 1):
        d = 0
        if i < n and parts[i][0] != parts[i - 1][0]:
            d = parts[i][1] - parts[i - 1][1]
        if i < n and d in STEPS and (step == 0 or d == step):
            step = d
            continue
        if step and i - start >= RUN_ROWS:
            runs.append(Run(start, i - start, step))
        # a step that breaks a run can begin the next one
        if i < n and d in STEPS:
            start, step = i - 1, d
        else:
            start, step = i, 0
    counts = Counter(p[1] for p in parts)
    freq = {c: k / n for c, k in counts.items()}
    # chance that RUN_ROWS rows drawn at random from this roster's own codes count up by d
    window = sum(
        freq[c] * freq.get(c + d, 0.0) * freq.get(c + 2 * d, 0.0) * freq.get(c + 3 * d, 0.0)
        for d in STEPS for c in freq)
    expected = (n - RUN_ROWS + 1) * window
    code, top = counts.most_common(1)[0]
    return SequenceRuns(ids=n, runs=runs, rows_in_runs=sum(r.length for r in runs),
                        expected_runs=expected, p_value=poisson_sf(len(runs), expected),
                        top_code=code, top_code_share=top / n)


class SequenceCodesCountUp(CorpusCheck):
    """ID sequence codes that count up from row to row, as a counter would write them.

    Method: in each roster (item), the main persons' 18-character ID numbers (relatives are
    not included) are read in file order, and their sequence codes (digits 15–17) are looked
    at from row to row. A *run* is at least four consecutive rows whose codes go up by the
    same step of 1 or 2 (101, 102, 103, 104 or 101, 103, 105, 107), each step between two
    people with different region or birth-date digits — people of one area and birth date
    legitimately get consecutive codes, and a list sorted by ID number puts them next to each
    other. The number of runs is compared with what the same codes in random row order would
    give: each window of four rows counts up by chance with probability Σ p(c)·p(c+d)·
    p(c+2d)·p(c+3d), p being the roster's own shares of each code, so codes that are merely
    concentrated (a small area, a few police stations) raise the expectation instead of the
    alarm. The count of runs is treated as Poisson with the expected count of windows, which
    overstates the expectation and keeps the test conservative. Reported when p < 0.001 and
    at least 10 rows sit in runs, so a single coincidence is not reported.

    What it can show: ID numbers written by a program or a person counting — a fabricated
    list whose numbers were generated row by row with an incrementing sequence code.

    What it cannot show: that the numbers are false; a register exported in the order numbers
    were issued could in principle show runs. It does not judge how concentrated the codes
    are: real codes cluster by police station and by birth order (most people are the first
    or second registered on their birth date in their area), so a list where most codes are
    the same is not evidence of anything by itself; the most common code's share is in the
    evidence for a reader.

    References: GB 11643-1999 *Citizen identification number* (sequence code); Poisson
    approximation for runs — Balakrishnan & Koutras, *Runs and Scans with Applications*
    (2002).
    """

    code = "CORP-SEQ-001"
    title = "ID sequence codes count up row by row"
    severity: ClassVar[Severity] = Severity.WARNING

    def run(self, ctx: Context) -> Iterator[Finding]:
        for roster in rosters(ctx.db):
            s = sequence_runs(roster)
            if s is None or not s.reported:
                continue
            rows = [i for i, n in enumerate(roster.id_numbers) if _parts(n) is not None]
            examples = []
            for r in s.runs[:EXAMPLES]:
                top, bottom = rows[r.start], rows[r.start + r.length - 1]
                codes = [roster.id_numbers[rows[j]] for j in range(r.start,
                                                                    r.start + r.length)]
                examples.append({"from": roster.locations[top], "to": roster.locations[bottom],
                                 "rows": r.length, "step": r.step,
                                 "codes": [str(c)[14:17] for c in codes[:12]],
                                 "records": [roster.ids[rows[j]] for j in range(
                                     r.start, min(r.start + r.length, r.start + 12))]})
            lead = s.runs[0]
            lead_codes = [str(roster.id_numbers[rows[j]])[14:17]
                          for j in range(lead.start, lead.start + min(lead.length, 6))]
            lead_from = roster.locations[rows[lead.start]]
            lead_to = roster.locations[rows[lead.start + lead.length - 1]]
            yield self.finding(
                roster.sha256, self.title,
                f"In {roster.name}, {s.rows_in_runs:,} of {s.ids:,} main persons' ID numbers "
                f"sit in {len(s.runs)} run{'' if len(s.runs) == 1 else 's'} of at least "
                f"{RUN_ROWS} rows whose sequence codes "
                f"(digits 15–17) count up by 1 or 2 from one person to the next, though the "
                f"people differ in region or birth date (e.g. {lead_from} to {lead_to}: "
                f"{', '.join(lead_codes)}…). If row order had nothing to do with the "
                f"codes, about {s.expected_runs:.2g} such runs would be expected (Poisson, "
                f"{fmt_p(s.p_value)}). Sequence codes are assigned per area and birth date; a "
                f"list whose codes follow its rows looks written by a counter.",
                {"roster": roster.name, "ids": s.ids, "runs": len(s.runs),
                 "rows_in_runs": s.rows_in_runs, "expected_runs": float(f"{s.expected_runs:.3g}"),
                 "p_value": float(f"{s.p_value:.3g}"), "min_run_rows": RUN_ROWS,
                 "alpha": SEQ_ALPHA, "top_code": f"{s.top_code:03d}",
                 "top_code_share": rounded(s.top_code_share, 4), "examples": examples})


class SharedSequenceCode(CorpusCheck):
    """Different names under one region, birth date and sequence code.

    Method: groups every roster record (main persons and relatives, across all rosters) by the
    first 17 characters of its 18-character ID number — region, birth date and sequence code
    — and reports groups with more than one name. Groups where all records are main persons
    with the same full number are left to CORP-ID-001 (one ID number on records that
    disagree); what remains are numbers that differ only in the check character, and relatives
    sharing a number with someone of another name.

    What it can show: two people claimed for what can only be one registration — the sequence
    code is unique within an area and a birth date, so at most one of them can hold it. A
    number invented by changing the last digit, or copied onto the wrong person.

    What it cannot show: which one is right, or that they are two people: the same person
    written in two transliterations of a Uyghur name also lands here. Compare the names and
    the other fields in the evidence.

    References: GB 11643-1999 *Citizen identification number*.
    """

    code = "CORP-SEQ-002"
    title = "Different names share region, birth date and sequence code"
    severity: ClassVar[Severity] = Severity.NOTICE

    def run(self, ctx: Context) -> Iterator[Finding]:
        groups = ctx.db.execute(
            "SELECT substr(id_number, 1, 17), json_group_array(id) FROM records "
            "WHERE source = 'table' AND length(id_number) = 18 AND name IS NOT NULL "
            "AND name != '' GROUP BY substr(id_number, 1, 17) "
            "HAVING count(DISTINCT name) > 1").fetchall()
        for body, ids in groups:
            if not body.isdigit():
                continue
            rows = ctx.db.execute(
                "SELECT r.id, r.sha256, r.location, r.relation, r.name, r.id_number, "
                "r.birth_date FROM records r JOIN json_each(?) j ON j.value = r.id "
                "ORDER BY r.id", (ids,)).fetchall()
            if all(r[3] == "" for r in rows) and len({r[5] for r in rows}) == 1:
                continue   # CORP-ID-001's subject
            names = sorted({r[4] for r in rows})
            listed = "; ".join(f"{r[4]} ({r[5]}{', ' + r[3] if r[3] else ''})"
                               for r in rows[:6])
            yield self.finding(
                f"idbody:{body}", self.title,
                f"The region, birth date and sequence code {body[:6]} {body[6:14]} {body[14:]} "
                f"appear under {len(names)} different names on {len(rows)} records: {listed}. "
                f"A sequence code belongs to one person registered in that area on that birth "
                f"date, so at most one of these numbers can be theirs.",
                {"id_body": body, "names": names[:EXAMPLES],
                 "id_numbers": sorted({r[5] for r in rows})[:EXAMPLES],
                 "records": [{"record": r[0], "item": r[1], "location": r[2],
                              "relation": r[3], "name": r[4], "id_number": r[5],
                              "birth_date": r[6]} for r in rows[:EXAMPLES]]})


def sequence_statistics(db: Any) -> list[dict[str, Any]]:
    """Per roster: the run statistics of ``SequenceCodesCountUp`` (for benchmarks)."""
    out = []
    for roster in rosters(db):
        s = sequence_runs(roster)
        out.append({"roster": roster.name, "sha256": roster.sha256,
                    "statistics": None if s is None else orjson.loads(orjson.dumps(
                        {"ids": s.ids, "runs": len(s.runs), "rows_in_runs": s.rows_in_runs,
                         "expected_runs": s.expected_runs, "p_value": s.p_value,
                         "top_code_share": s.top_code_share})),
                    "reported": bool(s is not None and s.reported)})
    return out


SEQUENCE_CHECKS = (SequenceCodesCountUp, SharedSequenceCode)
