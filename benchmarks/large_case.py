"""The large synthetic case the report and web benchmarks run on, built untimed.

A synthetic leak with enough people for the records (each person comes with the relatives
the roster lists: about 3.9 records per person), ingested, extracted, the facility register
imported, the record and corpus checks and the cheap per-photo checks run (metadata, JPEG
tables, cameras, timeline, places: the pixel checks take minutes per thousand photos and
add nothing these benchmarks time), the fictional victim database linked, the ledger
derived.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from scrutiny.case import Case
from scrutiny.checks.run import check_case
from scrutiny.extract.run import extract_case
from scrutiny.ingest import ingest
from scrutiny.ledger.auto import derive_claims
from scrutiny.link.reference import add_reference
from scrutiny.link.run import link_case
from scrutiny.places.register import add_register
from scrutiny.synth.leak import LeakConfig, generate_leak

CHECKS = "REC,CORP,IMG-META,IMG-JPEG-001,IMG-JPEG-002,IMG-CAM,IMG-TIME,PLACE"


@dataclass(frozen=True)
class LargeCase:
    root: Path
    people: int
    check_findings: int
    matches: int
    claims: int
    leak_end: str


def build_large_case(work: Path, records: int, photos: int, seed: int,
                     actor: str = "bench") -> LargeCase:
    """The case at ``work / "case"`` (the leak it came from at ``work / "synth"``)."""
    people = max(10, round(records / 3.9))
    g = generate_leak(work / "synth", LeakConfig(people=people, photos=photos, seed=seed))
    truth = json.loads((work / "synth" / "ground_truth.json").read_text("utf-8"))
    with Case.create(work / "case", actor=actor) as case:
        ingest(case, [work / "synth" / "leak"], actor=actor)
        extract_case(case)
        add_register(case, work / "synth" / "reference" / "facilities.geojson", actor=actor)
        k = check_case(case, CHECKS, actor=actor, settings={"end_date": truth["leak_end"]})
        add_reference(case, "victims", work / "synth" / "reference" / "victims.csv",
                      actor=actor)
        s = link_case(case, actor=actor)
        d = derive_claims(case, actor)
    return LargeCase(work / "case", g.people, sum(k.findings.values()), s.matches, d.claims,
                     truth["leak_end"])
