"""Corpus checks over rosters, photos and dates: birth-date heaping (CORP-BIRTH-001), birth
dates spread evenly (CORP-BIRTH-002), sequence codes (CORP-SEQ-001/002), photo IDs against
roster IDs (CORP-PHOTO-001) and date boundaries (CORP-DATE-001).

Two kinds of test: small catalogs written directly (an in-memory SQLite catalog with the real
schema) for exact positive and negative cases, and synthetic leaks generated, ingested,
extracted and checked end to end over several seeds.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import random
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pytest

from scrutiny.case import Case
from scrutiny.checks.base import Context, CorpusCheck
from scrutiny.checks.corpus._stats import (
    binom_sf,
    kolmogorov_sf,
    ks_uniform_distance,
    ks_uniform_pvalue,
    normal_sf,
    poisson_sf,
)
from scrutiny.checks.corpus.births import (
    BIRTH_CHECKS,
    BirthDateHeaping,
    EvenlySpreadBirthDates,
    birth_statistics,
)
from scrutiny.checks.corpus.dates import DATE_CHECKS, DateBoundaries, after
from scrutiny.checks.corpus.photos import PHOTO_CHECKS, PhotoIdsVsRoster
from scrutiny.checks.corpus.sequences import (
    SEQUENCE_CHECKS,
    SequenceCodesCountUp,
    SharedSequenceCode,
    sequence_statistics,
)
from scrutiny.checks.registry import validate
from scrutiny.checks.run import check_case, findings
from scrutiny.core import Finding, Severity
from scrutiny.extract.run import extract_case
from scrutiny.identity.resident_id import compose
from scrutiny.ingest import ingest
from scrutiny.store.catalog import migrate
from scrutiny.synth.leak import LeakConfig, generate_leak

ALL = (*BIRTH_CHECKS, *SEQUENCE_CHECKS, *PHOTO_CHECKS, *DATE_CHECKS)
REF = dt.date(2018, 12, 31)
REGIONS = ("653224", "653222", "653201", "653121", "652924")


# -- a catalog written directly -------------------------------------------------------------

def catalog() -> sqlite3.Connection:
    db = sqlite3.connect(":memory:", isolation_level=None)
    migrate(db)
    return db


def add_item(db: sqlite3.Connection, sha: str, path: str, mime: str = "text/csv") -> None:
    db.execute("INSERT INTO items(sha256, size, mime, magic, received, first_run, custody_seq) "
               "VALUES (?, 1, ?, '', '2024-01-01', 'run', 1)", (sha, mime))
    db.execute("INSERT INTO provenances(sha256, run_id, source, chain, parent, mtime, ext_mime, "
               "ext_mismatch, custody_seq) VALUES (?, 'run', ?, '[]', NULL, '', NULL, 0, 1)",
               (sha, path))


def add_record(db: sqlite3.Connection, sha: str, location: str, *, name: str | None = None,
               id_number: str | None = None, birth: str | None = None,
               detained: str | None = None, relation: str = "",
               source: str = "table") -> None:
    fields: dict[str, Any] = {k: v for k, v in (("name", name), ("id_number", id_number),
                                                ("birth_date", birth), ("detained", detained))
                              if v is not None}
    info: dict[str, Any] = {}
    if id_number and len(id_number) == 18:
        info = {"valid": True, "region": id_number[:6],
                "birth_date": f"{id_number[6:10]}-{id_number[10:12]}-{id_number[12:14]}"}
    db.execute(
        "INSERT INTO records(extraction_id, sha256, source, location, main_id, relation, name, "
        "id_number, sex, birth_date, fields, id_info, raw) "
        "VALUES (1, ?, ?, ?, NULL, ?, ?, ?, NULL, ?, ?, ?, '{}')",
        (sha, source, location, relation, name, id_number, birth,
         json.dumps(fields, ensure_ascii=False), json.dumps(info)))


def add_roster(db: sqlite3.Connection, sha: str, births: Sequence[dt.date | str | None],
               ids: Sequence[str | None] | None = None, detained: str | None = "2018-06-01",
               name: str = "名单.csv") -> None:
    add_item(db, sha, f"/leak/rosters/{name}")
    for i, birth in enumerate(births):
        add_record(db, sha, f"row:{i + 2}", name=f"人{i}",
                   id_number=ids[i] if ids is not None else None,
                   birth=birth.isoformat() if isinstance(birth, dt.date) else birth,
                   detained=detained)


def run(check: type[CorpusCheck], db: sqlite3.Connection,
        settings: dict[str, Any] | None = None) -> list[Finding]:
    out = list(check().run(Context(db, dt.date(2024, 1, 1), settings or {})))
    for f in out:   # evidence must be storable: canonical JSON, no NaN, no numpy types
        json.dumps(f.evidence, allow_nan=False)
        assert f.code == check.code
    return out


def realistic_births(rng: random.Random, n: int) -> list[dt.date]:
    """Ages concentrated in working ages (not the synthetic generator's own distribution)."""
    out = []
    for _ in range(n):
        age = min(79.0, max(16.0, rng.gauss(37, 10)))
        out.append(REF - dt.timedelta(days=int(age * 365.25)))
    return out


# -- statistics -----------------------------------------------------------------------------

def test_tail_probabilities_match_direct_sums() -> None:
    for n, p in ((10, 0.3), (50, 0.0657), (200, 0.2), (37, 0.9)):
        for k in range(0, n + 2):
            direct = sum(math.comb(n, j) * p ** j * (1 - p) ** (n - j) for j in range(k, n + 1))
            assert binom_sf(k, n, p) == pytest.approx(direct, rel=1e-9, abs=1e-15)
    for mu in (0.001, 0.7, 5.0, 40.0):
        for k in range(0, 80):
            direct = 1.0 - sum(math.exp(-mu) * mu ** j / math.factorial(j) for j in range(k))
            assert poisson_sf(k, mu) == pytest.approx(max(direct, 0.0), rel=1e-7, abs=1e-12)
    deep = binom_sf(60, 400, 1 / 365.2425)   # deep tail: tiny, but neither 0 nor NaN
    assert 0.0 < deep < 1e-60 and math.isfinite(deep)
    assert binom_sf(400, 400, 1 / 365.2425) == 0.0   # below the smallest float
    assert normal_sf(1.959964) == pytest.approx(0.025, abs=1e-6)
    assert kolmogorov_sf(1.358) == pytest.approx(0.05, abs=5e-4)
    assert kolmogorov_sf(1.628) == pytest.approx(0.01, abs=2e-4)
    assert kolmogorov_sf(0.1) == 1.0


def test_ks_distance_and_its_null_distribution() -> None:
    x = np.asarray([0.0, 0.1, 0.2, 0.9, 1.0])
    # interior points 0.1, 0.2, 0.9 on [0, 1]: ECDF 1/3, 2/3, 1 → largest gap 2/3 − 0.2
    assert float(ks_uniform_distance(x[None, :])[0]) == pytest.approx(2 / 3 - 0.2)
    # under uniformity the p-values of the interior-point distance are uniform
    rng = np.random.default_rng(3)
    draws = np.sort(rng.uniform(5.0, 9.0, (2000, 150)), axis=1)
    ps = np.asarray([ks_uniform_pvalue(float(d), 148) for d in ks_uniform_distance(draws)])
    assert 0.035 < float((ps < 0.05).mean()) < 0.065


# -- CORP-BIRTH-001 heaping ------------------------------------------------------------------

def test_heaping_on_1_january_and_round_years_is_reported() -> None:
    rng = random.Random(11)
    db = catalog()
    births = realistic_births(rng, 400)
    heaped = [dt.date(b.year, 1, 1) if rng.random() < 0.15 else b for b in births]
    add_roster(db, "a" * 64, heaped, name="一月一日.csv")
    years = realistic_births(rng, 600)
    rounded_years = [dt.date(b.year - b.year % 5, b.month, b.day)
                     if rng.random() < 0.3 else b for b in years]
    add_roster(db, "b" * 64, [f"{b.year}" for b in rounded_years], name="整年.csv")
    out = {f.subject: f for f in run(BirthDateHeaping, db)}
    assert set(out) == {"a" * 64, "b" * 64}
    jan = out["a" * 64]
    assert jan.severity == Severity.NOTICE
    assert "january_1" in jan.evidence["heaped"] and "round_year" not in jan.evidence["heaped"]
    ind = {i["indicator"]: i for i in jan.evidence["indicators"]}
    assert ind["january_1"]["observed"] >= 40 and ind["january_1"]["p_value"] < 1e-20
    assert ind["january_1"]["expected_share"] == pytest.approx(1 / 365.2425, rel=1e-4)
    assert "一月一日.csv" in jan.explanation and "born on 1 January" in jan.explanation
    assert out["b" * 64].evidence["heaped"] == ["round_year"]   # years only: no day indicators
    assert "Whipple" in out["b" * 64].explanation


def test_unheaped_and_small_rosters_are_not_reported() -> None:
    rng = random.Random(12)
    db = catalog()
    for i in range(5):   # five honest rosters
        add_roster(db, f"{i}" * 64, realistic_births(rng, 500))
    small = [dt.date(1980 + i % 20, 1, 1) for i in range(99)]   # heaped, but only 99 rows
    add_roster(db, "f" * 64, small)
    assert run(BirthDateHeaping, db) == []


# -- CORP-BIRTH-002 even spread --------------------------------------------------------------

def test_evenly_spread_dates_flagged_only_when_flat_over_decades() -> None:
    rng = random.Random(21)
    db = catalog()
    start = dt.date(1950, 1, 1)
    uniform = [start + dt.timedelta(days=rng.randrange(18_627)) for _ in range(400)]
    add_roster(db, "a" * 64, uniform, name="均匀.xlsx")
    add_roster(db, "b" * 64, realistic_births(rng, 800))
    # flat, but over ten years only (a cohort list): not the fabrication this check is about
    add_roster(db, "c" * 64, [dt.date(1990, 1, 1) + dt.timedelta(days=rng.randrange(3650))
                              for _ in range(400)])
    add_roster(db, "d" * 64, uniform[:99])   # too small to test
    out = run(EvenlySpreadBirthDates, db)
    assert [f.subject for f in out] == ["a" * 64]
    ev = out[0].evidence
    assert out[0].severity == Severity.WARNING
    assert ev["p_reference"] < 0.001 and ev["p_flat"] >= 0.001 and ev["reference_as_flat"] <= 3
    assert ev["replicates"] == 4999 and ev["rows"] == 400 and ev["span_years"] > 49
    assert ev["reference_mean"] - 3 * ev["reference_sd"] > ev["ks_distance"]
    assert "均匀.xlsx" in out[0].explanation and "Monte Carlo" in out[0].explanation


def test_large_rosters_are_sampled_deterministically() -> None:
    rng = random.Random(22)
    db = catalog()
    add_roster(db, "a" * 64, realistic_births(rng, 6000))
    first = birth_statistics(db, replicates=199)
    again = birth_statistics(db, replicates=199)
    assert first == again
    u = first[0]["uniformity"]
    assert u["rows"] == 6000 and u["tested"] == 5000 and not first[0]["evenly_spread"]


# -- CORP-SEQ-001/002 sequence codes ---------------------------------------------------------

def _people(rng: random.Random, n: int) -> list[tuple[str, dt.date, int]]:
    return [(rng.choice(REGIONS), REF - dt.timedelta(days=rng.randrange(6570, 25000)),
             rng.randrange(1000)) for _ in range(n)]


def test_sequence_codes_counting_up_row_by_row_are_reported() -> None:
    rng = random.Random(31)
    db = catalog()
    people = _people(rng, 200)
    ids = [compose(r, b, s) for r, b, s in people]
    for k in range(60, 100):       # a stretch written by a counter: 101, 102, 103 …
        region, birth, _ = people[k]
        ids[k] = compose(region, birth, 101 + (k - 60))
    add_roster(db, "a" * 64, [b for _, b, _ in people], ids, name="计数.csv")
    out = run(SequenceCodesCountUp, db)
    assert len(out) == 1
    ev = out[0].evidence
    assert ev["rows_in_runs"] >= 40 and ev["runs"] >= 1 and ev["p_value"] < 1e-4
    assert ev["examples"][0]["codes"][:3] == ["101", "102", "103"]
    assert ev["examples"][0]["from"] == "row:62"
    assert "计数.csv" in out[0].explanation and "counter" in out[0].explanation


def test_sequence_codes_without_a_counter_are_not_reported() -> None:
    rng = random.Random(32)
    db = catalog()
    # random codes
    people = _people(rng, 500)
    add_roster(db, "a" * 64, [b for _, b, _ in people], [compose(*p) for p in people])
    # sorted by ID number, many people per area and birth date with consecutive codes: the
    # steps inside one area and birth date are legitimate and not counted
    sorted_ids = sorted(compose(r, dt.date(1980, 5, 1) + dt.timedelta(days=d), s)
                        for r in REGIONS[:2] for d in range(12) for s in range(11, 31, 2))
    add_roster(db, "b" * 64, [None] * len(sorted_ids), sorted_ids)
    # concentrated codes (a village: nearly everyone first or second on their birth date)
    village = [compose("653224", b, rng.choice((11, 12, 11, 12, 13)))
               for b in realistic_births(rng, 300)]
    add_roster(db, "c" * 64, [None] * len(village), village)
    assert run(SequenceCodesCountUp, db) == []
    stats = {s["sha256"]: s for s in sequence_statistics(db)}
    assert not any(s["reported"] for s in stats.values())
    assert stats["c" * 64]["statistics"]["top_code_share"] > 0.3


def test_shared_region_birth_and_sequence_under_different_names() -> None:
    db = catalog()
    add_item(db, "a" * 64, "/leak/a.csv")
    body_number = compose("653224", dt.date(1985, 3, 4), 123)
    other_check = body_number[:17] + ("0" if body_number[17] != "0" else "1")
    add_record(db, "a" * 64, "row:2", name="阿依古丽", id_number=body_number)
    add_record(db, "a" * 64, "row:3", name="古丽米拉", id_number=other_check)
    # the same full number on two main persons: CORP-ID-001's finding, not this one
    dup = compose("653224", dt.date(1979, 8, 9), 457)
    add_record(db, "a" * 64, "row:4", name="买买提", id_number=dup)
    add_record(db, "a" * 64, "row:5", name="艾力", id_number=dup)
    # the same person twice: one name, one number
    same = compose("653222", dt.date(1990, 1, 2), 11)
    add_record(db, "a" * 64, "row:6", name="吐尔逊", id_number=same)
    add_record(db, "a" * 64, "row:7", name="吐尔逊", id_number=same)
    # a relative whose number is a main person's, under another name
    rel = compose("653121", dt.date(1960, 6, 6), 32)
    add_record(db, "a" * 64, "row:8", name="热依汗", id_number=rel)
    add_record(db, "a" * 64, "row:9", name="帕提古丽", id_number=rel, relation="母亲")
    out = {f.subject: f for f in run(SharedSequenceCode, db)}
    assert set(out) == {f"idbody:{body_number[:17]}", f"idbody:{rel[:17]}"}
    ev = out[f"idbody:{body_number[:17]}"].evidence
    assert sorted(ev["id_numbers"]) == sorted([body_number, other_check])
    assert ev["names"] == sorted(["阿依古丽", "古丽米拉"])


# -- CORP-PHOTO-001 --------------------------------------------------------------------------

def test_photo_ids_against_roster_ids() -> None:
    db = catalog()
    main = [compose("653224", dt.date(1980, 1, 1) + dt.timedelta(days=40 * i), 11 + 2 * i)
            for i in range(10)]
    relative = compose("653224", dt.date(1950, 2, 2), 24)
    add_roster(db, "a" * 64, [None] * 10, main)
    add_record(db, "a" * 64, "row:20", name="母亲", id_number=relative, relation="母亲")
    stranger = compose("653222", dt.date(1977, 7, 7), 99)
    photos = [*main[:4], main[0], relative, stranger]
    for i, number in enumerate(photos):
        sha = f"{i:064x}"
        add_item(db, sha, f"/leak/photos/{'A' if i < 3 else 'B'}/{number}_{i}.jpg",
                 "image/jpeg")
        add_record(db, sha, f"name:{number}_{i}.jpg", id_number=number, source="filename")
    out = run(PhotoIdsVsRoster, db)
    assert len(out) == 1 and out[0].severity == Severity.INFO
    ev = out[0].evidence
    assert (ev["photos"], ev["photo_ids"]) == (7, 6)
    assert (ev["match_main"], ev["match_relative_only"], ev["match_none"]) == (4, 1, 1)
    assert (ev["roster_rows_with_photo"], ev["roster_main_rows_with_id"]) == (4, 10)
    assert ev["unmatched_examples"][0]["id_number"] == stranger
    assert ev["unmatched_examples"][0]["folder"] == "/leak/photos/B"
    assert {f["folder"]: f["photos"] for f in ev["folders"]} == {"/leak/photos/A": 3,
                                                                 "/leak/photos/B": 4}
    assert stranger in out[0].explanation and "4 of 10" in out[0].explanation


def test_no_photo_names_no_photo_finding() -> None:
    db = catalog()
    add_roster(db, "a" * 64, [None] * 3, [compose("653224", dt.date(1980, 1, 1), 11)] * 3)
    assert run(PhotoIdsVsRoster, db) == []


# -- CORP-DATE-001 ---------------------------------------------------------------------------

def test_after_end_reads_partial_dates_and_date_times() -> None:
    end = dt.date(2019, 1, 15)
    assert after("2019-01-16", end) and not after("2019-01-15", end)
    assert after("2019-01-16T00:30:00+08:00", end) and not after("2019-01-15T23:59:59", end)
    assert not after("2019-01", end) and after("2019-02", end)
    assert not after("2019", end) and after("2020", end)


def test_date_boundaries_with_and_without_an_end_date() -> None:
    db = catalog()
    add_item(db, "a" * 64, "/leak/rosters/名单.csv")
    for i, d in enumerate(("2017-03-01", "2018-12-30", "2019-02", "2018-07-07")):
        add_record(db, "a" * 64, f"row:{i + 2}", name=f"人{i}", detained=d)
    add_item(db, "b" * 64, "/leak/photos/看守所/x.jpg", "image/jpeg")
    db.execute("INSERT INTO metadata(extraction_id, sha256, location, key, value, raw) "
               "VALUES (1, ?, 'exif', 'EXIF:DateTimeOriginal', ?, '')",
               ("b" * 64, json.dumps("2018-05-05T10:00:00.123+08:00")))
    add_item(db, "c" * 64, "/leak/documents/讲话.pdf", "application/pdf")
    for key, value in (("PDF:CreationDate", "2017-09-20T04:14:00+08:00"),
                       ("PDF:ModDate", "2020-07-13T17:45:00+08:00")):
        db.execute("INSERT INTO metadata(extraction_id, sha256, location, key, value, raw) "
                   "VALUES (1, ?, '', ?, ?, '')", ("c" * 64, key, json.dumps(value)))
    plain = {f.subject: f for f in run(DateBoundaries, db)}
    assert set(plain) == {"a" * 64, "folder:/leak/photos/看守所", "documents:application/pdf"}
    assert all(f.severity == Severity.INFO and "end_date" not in f.evidence
               for f in plain.values())
    roster = plain["a" * 64].evidence["sorts"]["detained"]
    assert (roster["dates"], roster["earliest"], roster["latest"]) == (4, "2017-03-01",
                                                                      "2019-02")
    assert "Nothing is dated after 2019-02." in plain["a" * 64].explanation
    pdf = plain["documents:application/pdf"].evidence["sorts"]
    assert pdf["created"]["latest"].startswith("2017") and pdf["modified"]["latest"] \
        .startswith("2020")

    ended = {f.subject: f for f in run(DateBoundaries, db, {"end_date": "2019-01-15"})}
    assert ended["a" * 64].severity == Severity.WARNING
    assert ended["a" * 64].evidence["after_end"] == 1
    assert ended["a" * 64].evidence["after_end_examples"][0] == {
        "sort": "detained", "date": "2019-02", "at": "row:4"}
    assert ended["folder:/leak/photos/看守所"].severity == Severity.INFO
    assert ended["folder:/leak/photos/看守所"].evidence["after_end"] == 0
    assert ended["documents:application/pdf"].evidence["after_end_by_sort"] == {"modified": 1}
    assert "1 of them is after the stated end" in ended["documents:application/pdf"].explanation


def test_the_new_checks_are_valid_registry_entries() -> None:
    assert validate(list(ALL)) == list(ALL)
    codes = [c.code for c in ALL]
    assert codes == ["CORP-BIRTH-001", "CORP-BIRTH-002", "CORP-SEQ-001", "CORP-SEQ-002",
                     "CORP-PHOTO-001", "CORP-DATE-001"]
    for cls in ALL:
        doc = cls.__doc__ or ""
        assert "Method:" in doc and "What it can show:" in doc and "What it cannot show:" in doc


# -- synthetic leaks end to end, several seeds ------------------------------------------------

SEEDS = (1, 2, 3)
PEOPLE = 2000      # the fabricated roster is 15%: 300 rows, where the test has ~99% power


@dataclass
class Leak:
    seed: int
    root: Path
    case: Case
    truth: dict[str, Any]

    def sha(self, rel: str) -> str:
        return hashlib.sha256((self.root / rel).read_bytes()).hexdigest()

    def found(self, code: str) -> list[dict[str, Any]]:
        return [f for f in findings(self.case.db, code=code) if f["code"] == code]


@pytest.fixture(scope="module")
def leaks(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Leak]]:
    out = []
    for seed in SEEDS:
        root = tmp_path_factory.mktemp(f"leak{seed}")
        generate_leak(root / "gen", LeakConfig(people=PEOPLE, photos=24 if seed == 1 else 0,
                                               seed=seed))
        case = Case.create(root / "case", actor="test")
        ingest(case, [root / "gen" / "leak"], workers=0)
        extract_case(case, workers=0)
        check_case(case, classes=list(ALL), settings={"end_date": "2019-01-15"},
                   today=dt.date(2024, 1, 1))
        truth = json.loads((root / "gen" / "ground_truth.json").read_text("utf-8"))
        out.append(Leak(seed, root / "gen", case, truth))
    yield out
    for leak in out:
        leak.case.close()


def test_uniform_roster_flagged_and_clean_rosters_not_over_seeds(leaks: list[Leak]) -> None:
    for leak in leaks:
        uniform = {leak.sha(e["file"]) for e in leak.truth["planted"]
                   if e["kind"] == "uniform-birthdates"}
        clean = {leak.sha(f) for f in leak.truth["rosters"]} - uniform
        assert len(uniform) == 1 and len(clean) == 3
        flagged = {f["subject"] for f in leak.found("CORP-BIRTH-002")}
        assert flagged == uniform, f"seed {leak.seed}"
        stats = {s["sha256"]: s for s in birth_statistics(leak.case.db)}
        for sha in clean:   # every clean roster was big enough to be tested, and passed
            u = stats[sha]["uniformity"]
            assert u is not None and u["rows"] >= 300 and u["p_reference"] > 0.01, leak.seed
        (found,) = leak.found("CORP-BIRTH-002")
        assert found["evidence"]["rows"] == 300
        assert found["evidence"]["first"] >= "1950-01-01"
        assert found["evidence"]["last"] <= "2000-12-31"


def test_synthetic_leaks_have_no_heaping_or_sequence_findings(leaks: list[Leak]) -> None:
    for leak in leaks:
        for code in ("CORP-BIRTH-001", "CORP-SEQ-001", "CORP-SEQ-002"):
            assert leak.found(code) == [], (leak.seed, code)


def test_photo_and_date_findings_on_a_synthetic_leak(leaks: list[Leak]) -> None:
    leak = leaks[0]
    (photo,) = leak.found("CORP-PHOTO-001")
    ev = photo["evidence"]
    assert ev["photos"] == 24 and ev["match_none"] == 0 and ev["match_relative_only"] == 0
    assert ev["match_main"] == ev["photo_ids"] == ev["roster_rows_with_photo"]
    assert ev["roster_main_rows_with_id"] == PEOPLE
    assert leak.found("CORP-PHOTO-001") and not leaks[1].found("CORP-PHOTO-001")

    dates = {f["subject"]: f for f in leak.found("CORP-DATE-001")}
    late_photos = {e["file"] for e in leak.truth["planted"] if e["kind"] == "timestamp-after-end"}
    late_docs = {e["file"] for e in leak.truth["planted"]
                 if e["kind"] == "document-metadata-postdates"}
    assert late_photos and late_docs
    warned = {s for s, f in dates.items() if f["severity"] == "warning"}
    folders = {s for s in warned if s.startswith("folder:")}
    assert folders == {f"folder:{leak.root / Path(p).parent}" for p in late_photos}
    documents = {s for s in warned if s.startswith("documents:")}
    assert documents == {"documents:application/pdf", "documents:application/vnd."
                         "openxmlformats-officedocument.wordprocessingml.document"}
    assert len(late_docs) == 2
    rosters = [f for f in dates.values() if f["evidence"]["family"] == "roster"]
    assert len(rosters) == 4
    for f in rosters:
        assert f["severity"] == "info" and f["evidence"]["after_end"] == 0
        assert f["evidence"]["sorts"]["detained"]["latest"] <= leak.truth["as_of"]
    assert orjson.loads(orjson.dumps(dates))   # all of it is plain JSON
