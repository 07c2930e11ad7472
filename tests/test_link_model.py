"""Linkage features, the Splink model's levels, and ``link_case`` end to end."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import duckdb
import pytest

from scrutiny.case import Case
from scrutiny.extract.run import extract_case
from scrutiny.ingest import ingest
from scrutiny.link.features import features
from scrutiny.link.model import id_number_levels_sql
from scrutiny.link.run import (
    PARALLEL_FROM,
    LinkSummary,
    feature_workers,
    link_case,
    load_features,
    open_workspace,
)
from scrutiny.synth.leak import LeakConfig, generate_leak

from .link_support import load_victims, truth_pairs

# -- features -------------------------------------------------------------------------------


def test_features_of_a_roster_record_in_characters() -> None:
    row = features({"id": 7, "name": "买买提·吐尔逊", "id_number": "653122198812227934",
                    "sex": "M", "birth_date": "1988-12-22",
                    "fields": json.dumps({"facility": "疏勒县拘留所", "age": 30})})
    assert row["unique_id"] == 7
    assert row["name_uly"] == "muamat tursun"
    assert row["name_key"] == "muamat|tursun"
    assert row["given"] == "muamat" and row["family"] == "tursun"
    assert "n:muamat|tursun" in row["name_keys"]
    assert row["id_prefix6"] == "653122" and row["county"] == "疏勒县"
    assert row["birth_year"] == 1988 and row["id_birth_date"] == "1988-12-22"
    assert row["facility"] == "疏勒县拘留所"


def test_latin_arabic_and_cyrillic_names_read_alike() -> None:
    latin = features({"id": 1, "name": "Mehmet Tursun"})
    arabic = features({"id": 2, "name": "مەمەت تۇرسۇن"})
    cyrillic = features({"id": 3, "name": "Мәмәт Турсун"})
    assert latin["name_key"] == arabic["name_key"] == cyrillic["name_key"] == "muamat|tursun"
    reversed_ = features({"id": 4, "name": "Tursun Memet"})
    assert reversed_["name_key"] == latin["name_key"]
    assert reversed_["name_uly"] != latin["name_uly"]


def test_reference_entry_with_alternative_name_and_year_only() -> None:
    row = features({"id": 9, "name": "Khairinisa Abdukerim", "sex": "female",
                    "fields": {"name_ug": "خەيرىنىسا ئابدۇكېرىم", "birth": "1979",
                               "hometown": "Yeken"}})
    assert row["name_uly_alt"] is not None and row["name_key_alt"] is not None
    assert row["birth_year"] == 1979 and row["birth_date"] is None
    assert row["sex"] == "F"
    assert row["county"] == "莎车县"
    assert row["id_number"] is None


def test_han_name_and_bad_id_number() -> None:
    row = features({"id": 3, "name": "张伟", "id_number": "6531221988"})
    assert row["name_uly"] == "jang wai"
    assert row["id_number"] is None and row["id_prefix6"] is None


# -- ID-number levels -------------------------------------------------------------------------

_ID = "653122198812227934"


def _id_level(a: str, b: str) -> str | None:
    con = duckdb.connect()
    for label, sql in id_number_levels_sql():
        cond = sql.replace("l.id_number", f"'{a}'").replace("r.id_number", f"'{b}'")
        if con.execute(f"SELECT {cond}").fetchall()[0][0]:
            return label
    return None


@pytest.mark.parametrize(("other", "level"), [
    (_ID[:17] + "X", "check character differs"),
    (_ID[:8] + "9" + _ID[9:], "one character differs"),
    (_ID[:10] + _ID[11] + _ID[10] + _ID[12:], "adjacent characters transposed"),
    ("653122197503181234", None),
])
def test_id_number_levels(other: str, level: str | None) -> None:
    assert _id_level(_ID, other) == level
    assert _id_level(other, _ID) == level


# -- end to end --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_leak(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("linkleak") / "synth"
    generate_leak(out, LeakConfig(people=400, photos=0, seed=11))
    with Case.create(out / "case") as case:
        ingest(case, [out / "leak"])
        extract_case(case)
    return out


def _linked(small_leak: Path, work: Path, backend: str) -> tuple[LinkSummary, dict[str, Any]]:
    shutil.copytree(small_leak / "case", work)
    truth = json.loads((small_leak / "ground_truth.json").read_text("utf-8"))
    with Case.open(work, writable=True) as case:
        entries = load_victims(case, small_leak / "reference" / "victims.csv")
        summary = link_case(case, backend=backend, actor="test")
        gt = truth_pairs(case, truth, entries)
        got = {(left, right) for left, right in case.db.execute(
            "SELECT left_record, right_entry FROM matches WHERE run_id = ?",
            (summary.run_id,))}
        rows = case.db.execute("SELECT * FROM link_runs WHERE id = ?",
                               (summary.run_id,)).fetchall()
        explanations = [json.loads(e) for (e,) in case.db.execute(
            "SELECT explanation FROM matches WHERE run_id = ?", (summary.run_id,))]
        identifiable = {p for p in gt if json.loads(case.db.execute(
            "SELECT fields FROM reference_entries WHERE id = ?", (p[1],)).fetchone()[0]
        ).keys() & {"birth", "id_number"}}
        event = case.log.tail(1)[0]
    return summary, {"gt": gt, "got": got, "runs": rows, "explanations": explanations,
                     "identifiable": identifiable, "event": event}


def _f1(got: set[Any], gt: set[Any]) -> float:
    tp = len(got & gt)
    return 2 * tp / (len(got) + len(gt)) if got or gt else 1.0


@pytest.fixture(scope="module")
def duck(small_leak: Path, tmp_path_factory: pytest.TempPathFactory,
         ) -> tuple[LinkSummary, dict[str, Any]]:
    return _linked(small_leak, tmp_path_factory.mktemp("duck") / "case", "duckdb")


def _roster_people(n: int) -> list[dict[str, Any]]:
    people = []
    for i in range(1, n + 1):
        people.append({"id": i, "name": ["买买提·吐尔逊", "Memet Tursun", "مەمەت تۇرسۇن",
                                         "王小明"][i % 4],
                       "id_number": f"65322219{1950 + i % 50}0101{i % 1000:03d}"[:17] + "X",
                       "sex": "M", "birth_date": f"{1950 + i % 50}-01-01",
                       "fields": json.dumps({"county": "Qaraqash", "facility": f"camp {i % 7}"})})
    return people


def test_features_built_in_worker_processes_equal_the_serial_ones(
        monkeypatch: pytest.MonkeyPatch) -> None:
    people = _roster_people(12_345)
    tables = []
    for workers in (0, 2):
        with open_workspace() as ws:
            n = load_features(ws.con, "f", iter(people), workers=workers)
            assert n == len(people)
            tables.append(ws.con.execute("SELECT * FROM f ORDER BY unique_id").fetchall())
    assert tables[0] == tables[1] and len(tables[0]) == len(people)
    monkeypatch.delenv("SCRUTINY_LINK_WORKERS", raising=False)
    assert feature_workers(PARALLEL_FROM - 1) == 0 and feature_workers(PARALLEL_FROM) >= 1
    monkeypatch.setenv("SCRUTINY_LINK_WORKERS", "0")
    assert feature_workers(10 * PARALLEL_FROM) == 0


def test_link_small_case_with_duckdb(duck: tuple[LinkSummary, dict[str, Any]]) -> None:
    summary, r = duck
    gt, got = set(r["gt"]), r["got"]
    assert summary.matches == len(got) > 0
    precision = len(got & gt) / len(got)
    assert precision >= 0.95
    # an entry that states neither a birth date/year nor an ID number is linked by its name
    # alone, which repeats in a roster: scored on the entries that can be told apart
    ident = r["identifiable"]
    assert _f1({p for p in got if p[1] in {e for _, e in ident}}, ident) >= 0.9
    assert _f1(got, gt) >= 0.8
    assert summary.blocking[0]["rule"] == "id_number"
    assert summary.compared == summary.blocking[-1]["cumulative"]


def test_matches_stored_with_explanations(duck: tuple[LinkSummary, dict[str, Any]]) -> None:
    summary, r = duck
    (run,) = r["runs"]
    model = json.loads(run[5])
    assert model["link_type"] == "link_only"
    assert {c["output_column_name"] for c in model["comparisons"]} >= {
        "name", "id_number", "birth", "sex"}
    stats = json.loads(run[9])
    assert stats["matches"] == summary.matches and run[7] is not None
    event = r["event"]
    assert (event.action, event.actor) == ("linked", "test")
    assert event.details["link_run"] == summary.run_id
    assert event.details["matches"] == summary.matches
    frequency = 0
    for exp in r["explanations"]:
        names = [e["comparison"] for e in exp]
        assert names[:2] == ["name", "id_number"]
        for e in exp:
            base = {"comparison", "level", "bayes_factor", "left", "right"}
            if "frequency_factor" in e:
                # only whole-name agreement is weighted by how common the name is
                assert (e["comparison"], e["level"]) == (
                    "name", "same folded components (any order)")
                assert isinstance(e["frequency_factor"], float) and e["frequency_factor"] > 0
                base.add("frequency_factor")
                frequency += 1
            assert set(e) == base
            assert isinstance(e["bayes_factor"], float)
    assert frequency > 0


def test_judgements_feed_the_next_run(small_leak: Path, tmp_path: Path) -> None:
    shutil.copytree(small_leak / "case", tmp_path / "case")
    with Case.open(tmp_path / "case", writable=True) as case:
        load_victims(case, small_leak / "reference" / "victims.csv")
        first = link_case(case)
        with case.transaction():
            for mid, left, right in case.db.execute(
                    "SELECT id, left_record, right_entry FROM matches WHERE run_id = ? "
                    "LIMIT 12", (first.run_id,)).fetchall():
                case.db.execute(
                    "INSERT INTO judgements(match_id, left_record, right_entry, decision, by, "
                    "reason, at) VALUES (?, ?, ?, 'accept', 'test', 'same person', 'now')",
                    (mid, left, right))
        second = link_case(case)
    assert second.training["labels_accepted"] == 12
    assert second.matches > 0


def _java() -> bool:
    try:
        return subprocess.run(["java", "-version"], capture_output=True,
                              timeout=20).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


@pytest.mark.slow
def test_spark_backend_finds_the_same_pairs(small_leak: Path, tmp_path: Path,
                                            duck: tuple[LinkSummary, dict[str, Any]]) -> None:
    pytest.importorskip("pyspark")
    if not _java():
        pytest.skip("no Java runtime for Spark")
    summary, r = _linked(small_leak, tmp_path / "case", "spark")
    assert summary.backend == "spark"
    assert r["got"] == duck[1]["got"]
