"""Reviewing matches: listing them with their explanation, append-only judgements that carry
over between linkage runs, training labels, and the CLI."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from scrutiny.case import Case
from scrutiny.cli import main
from scrutiny.console import console
from scrutiny.core import ScrutinyError, utc_now
from scrutiny.extract.run import extract_case
from scrutiny.ingest import ingest
from scrutiny.link.reference import add_reference
from scrutiny.link.review import (
    Pair,
    format_explanation,
    judge,
    judgement_history,
    labels,
    list_matches,
    newest_runs,
    pair_of,
)
from scrutiny.store import catalog
from scrutiny.store.integrity import verify_case

ROSTER = [["姓名", "身份证号", "出生日期"],
          ["买买提·吐尔逊", "653222199001011232", "1990-01-01"],
          ["阿依古丽·艾力", "65322219850315002X", "1985-03-15"],
          ["买买提·吐尔逊", "653222199001011232", "1990-01-01"]]
VICTIMS = [["entry_id", "name", "name_ug", "birth"],
           ["V1", "Memet Tursun", "مەمەت تۇرسۇن", "1990"],
           ["V2", "Aygul Eli", "", "1985"]]
EXPLANATION = [
    {"comparison": "name", "level": "transliteration match", "bayes_factor": 41.5,
     "left": "买买提·吐尔逊", "right": "Memet Tursun"},
    {"comparison": "birth", "level": "same year", "bayes_factor": 8.0, "left": "1990-01-01",
     "right": "1990"},
]


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    return path


@pytest.fixture
def linked(tmp_path: Path) -> Case:
    """A case with three leak records, a reference database of two entries, and no runs."""
    leak = tmp_path / "leak"
    leak.mkdir()
    write_csv(leak / "roster.csv", ROSTER)
    case = Case.create(tmp_path / "case", actor="test")
    ingest(case, [leak], actor="test")
    extract_case(case, workers=0)
    add_reference(case, "victims", write_csv(tmp_path / "victims.csv", VICTIMS))
    return case


def ids(case: Case, table: str) -> list[int]:
    return [int(r[0]) for r in case.db.execute(f"SELECT id FROM {table} ORDER BY id")]  # noqa: S608


def fake_run(case: Case, kind: str, pairs: list[tuple[int, int, float]],
             finished: bool = True, set_id: int | None = None) -> tuple[int, list[int]]:
    """A linkage run as the engine would store it: (left record, right, probability)."""
    db = case.db
    if kind == "reference" and set_id is None:
        set_id = int(db.execute("SELECT max(id) FROM reference_sets").fetchone()[0])
    with case.transaction():
        run = int(db.execute(
            "INSERT INTO link_runs(kind, set_id, backend, threshold, model, started_at, "
            "finished_at, actor) VALUES (?, ?, 'duckdb', 0.5, '{}', ?, ?, 'test')",
            (kind, set_id, utc_now(), utc_now() if finished else None)).lastrowid)
        right = "right_entry" if kind == "reference" else "right_record"
        matches = [int(db.execute(
            f"INSERT INTO matches(run_id, left_record, {right}, probability, weight, "  # noqa: S608
            "explanation) VALUES (?, ?, ?, ?, ?, ?)",
            (run, left, r, p, 5.0 * p, json.dumps(EXPLANATION, ensure_ascii=False))).lastrowid)
            for left, r, p in pairs]
    return run, matches


def test_matches_show_both_people_and_the_explanation(linked: Case) -> None:
    r1, r2, _ = ids(linked, "records")
    v1, v2 = ids(linked, "reference_entries")
    _, (m1, m2) = fake_run(linked, "reference", [(r1, v1, 0.99), (r2, v2, 0.7)])
    found = list_matches(linked.db)
    assert [m.id for m in found] == [m1, m2]
    m = found[0]
    assert (m.kind, m.status, m.probability, m.judgement) == ("reference", "pending", 0.99, None)
    assert (m.left.kind, m.left.name, m.left.id_number, m.left.birth_date) == (
        "record", "买买提·吐尔逊", "653222199001011232", "1990-01-01")
    assert m.left.where.endswith("roster.csv row:2")
    assert (m.right.kind, m.right.key, m.right.name, m.right.name_alt) == (
        "entry", "V1", "Memet Tursun", "مەمەت تۇرسۇن")
    assert m.right.where == "victims v1 row:2" and m.right.birth_date == "1990"
    assert m.explanation == EXPLANATION and m.pair == Pair(r1, v1, None)
    assert format_explanation(m.explanation) == (
        "name: transliteration match ×41.5; birth: same year ×8")
    assert format_explanation("not json") == "not json"
    common = [{**EXPLANATION[0], "bayes_factor": 20.75, "frequency_factor": 0.5}]
    assert format_explanation(common) == (
        "name: transliteration match ×20.8 (incl. ×0.5 for how common the value is)")
    assert [m.id for m in list_matches(linked.db, min_probability=0.8)] == [m1]
    assert [m.id for m in list_matches(linked.db, limit=1, offset=1)] == [m2]
    assert json.loads(json.dumps(m.to_json(), ensure_ascii=False))["right"]["key"] == "V1"


def test_default_is_the_newest_finished_run_of_each_kind(linked: Case) -> None:
    r1, r2, r3 = ids(linked, "records")
    v1, _ = ids(linked, "reference_entries")
    old, _ = fake_run(linked, "reference", [(r1, v1, 0.9)])
    new, (m_new,) = fake_run(linked, "reference", [(r1, v1, 0.95)])
    unfinished, (m_unf,) = fake_run(linked, "reference", [(r2, v1, 0.9)], finished=False)
    dedupe, (m_dup,) = fake_run(linked, "dedupe", [(r3, r1, 0.99)])
    assert newest_runs(linked.db) == [new, dedupe]
    assert {m.id for m in list_matches(linked.db)} == {m_new, m_dup}
    assert [m.id for m in list_matches(linked.db, run_id=unfinished)] == [m_unf]
    assert len(list_matches(linked.db, run_id=old)) == 1
    with pytest.raises(ScrutinyError, match="no linkage run 99"):
        list_matches(linked.db, run_id=99)
    with pytest.raises(ScrutinyError, match="unknown status"):
        list_matches(linked.db, status="maybe")


def test_judgements_supersede_carry_over_and_stay_in_history(linked: Case) -> None:
    r1, r2, r3 = ids(linked, "records")
    v1, v2 = ids(linked, "reference_entries")
    _, (m1, m2) = fake_run(linked, "reference", [(r1, v1, 0.99), (r2, v2, 0.7)])
    first = judge(linked, m1, "unsure", "ana", "birth year only")
    second = judge(linked, m1, "accept", "ben", "the sister confirmed by phone")
    judge(linked, m2, "REJECT", "ana", "different county")
    assert second.status == "accepted" and second.pair == Pair(r1, v1, None)
    assert {m.id: m.status for m in list_matches(linked.db)} == {m1: "accepted",
                                                                 m2: "rejected"}
    assert [m.id for m in list_matches(linked.db, status="pending")] == []
    assert [m.id for m in list_matches(linked.db, status="accepted")] == [m1]
    history = judgement_history(linked.db, pair_of(linked.db, m1))
    assert [(j.id, j.decision, j.by) for j in history] == [
        (first.id, "unsure", "ana"), (second.id, "accept", "ben")]
    # a later run finds the same pair again: the judgement carries over
    _, (m1b, m3) = fake_run(linked, "reference", [(r1, v1, 0.98), (r3, v1, 0.6)])
    shown = {m.id: m for m in list_matches(linked.db)}
    assert set(shown) == {m1b, m3}
    assert shown[m1b].status == "accepted" and shown[m1b].judgement == second
    assert shown[m3].status == "pending"
    # dedupe pairs are the same pair either way round
    _, (d1,) = fake_run(linked, "dedupe", [(r3, r1, 0.99)])
    judge(linked, d1, "accept", "ana", "same ID number, same row repeated")
    dedupe_run, (d2,) = fake_run(linked, "dedupe", [(r1, r3, 0.97)])
    assert [(m.id, m.status) for m in list_matches(linked.db, run_id=dedupe_run)] == [
        (d2, "accepted")]
    assert pair_of(linked.db, d1) == pair_of(linked.db, d2) == Pair(r1, None, r3)
    got = {(lab.pair, lab.match) for lab in labels(linked.db)}
    assert got == {(Pair(r1, v1, None), True), (Pair(r2, v2, None), False),
                   (Pair(r1, None, r3), True)}


def test_judging_is_validated_recorded_in_custody_and_append_only(linked: Case) -> None:
    r1, _, _ = ids(linked, "records")
    v1, _ = ids(linked, "reference_entries")
    run, (m1,) = fake_run(linked, "reference", [(r1, v1, 0.99)])
    for args, message in [((m1, "maybe", "ana", "x"), "one of accept, reject, unsure"),
                          ((m1, "accept", " ", "x"), "who judges"),
                          ((m1, "accept", "ana", ""), "say why"),
                          ((999, "accept", "ana", "x"), "no match 999")]:
        with pytest.raises(ScrutinyError, match=message):
            judge(linked, *args)
    assert not linked.db.execute("SELECT count(*) FROM judgements").fetchone()[0]
    j = judge(linked, m1, "accept", "ana", "same birth date and county")
    ev = linked.log.tail(1)[0]
    assert (ev.action, ev.actor) == ("judged", "ana")
    assert ev.details == {"judgement": j.id, "match": m1, "run": run, "left_record": r1,
                          "right_entry": v1, "right_record": None, "decision": "accept",
                          "reason": "same birth date and county", "supersedes": None}
    again = judge(linked, m1, "reject", "ben", "the relative says no")
    assert linked.log.tail(1)[0].details["supersedes"] == j.id and again.id > j.id
    for sql in ("UPDATE judgements SET decision = 'reject'", "DELETE FROM judgements"):
        with pytest.raises(catalog.DatabaseError, match="append-only"):
            linked.db.execute(sql)
    assert verify_case(linked.blobs, linked.log, linked.db).intact


def test_a_judgement_lost_in_a_crash_is_restored_from_the_custody_log(linked: Case) -> None:
    """The custody event is written before the catalog commits; if the process dies in
    between, the next open replays the event and the judgement is back."""
    r1, _, _ = ids(linked, "records")
    v1, _ = ids(linked, "reference_entries")
    _, (m1,) = fake_run(linked, "reference", [(r1, v1, 0.99)])
    original = linked.commit

    def crash() -> None:
        raise KeyboardInterrupt("power cut")

    linked.commit = crash  # type: ignore[method-assign]
    with pytest.raises(KeyboardInterrupt):
        judge(linked, m1, "accept", "ana", "her brother confirmed")
    linked.commit = original  # type: ignore[method-assign]
    linked.db.execute("ROLLBACK")   # what the process's death does to the open transaction
    linked._in_tx = False
    assert not linked.db.execute("SELECT count(*) FROM judgements").fetchone()[0]
    assert linked.log.tail(1)[0].action == "judged"
    assert linked.catch_up() == 1
    row = linked.db.execute("SELECT match_id, decision, by, reason FROM judgements").fetchone()
    assert tuple(row) == (m1, "accept", "ana", "her brother confirmed")
    assert verify_case(linked.blobs, linked.log, linked.db).intact


# -- CLI ------------------------------------------------------------------------------------


def test_cli_matches_and_judge_round_trip(linked: Case, monkeypatch: pytest.MonkeyPatch
                                          ) -> None:
    monkeypatch.setattr(console, "width", 200)  # as in a wide terminal
    r1, r2, _ = ids(linked, "records")
    v1, v2 = ids(linked, "reference_entries")
    _, (m1, m2) = fake_run(linked, "reference", [(r1, v1, 0.99), (r2, v2, 0.7)])
    root = str(linked.paths.root)
    linked.close()
    runner = CliRunner()
    r = runner.invoke(main, ["matches", root, "--format", "json"])
    assert r.exit_code == 0, r.output
    found = json.loads(r.stdout)
    assert [(m["id"], m["status"]) for m in found] == [(m1, "pending"), (m2, "pending")]
    assert found[0]["explanation"] == EXPLANATION
    r = runner.invoke(main, ["matches", root])
    assert r.exit_code == 0 and "transliteration" in r.stdout and "0.990" in r.stdout
    r = runner.invoke(main, ["judge", root, str(m1), "accept", "--by", "ana"])
    assert r.exit_code == 2 and "say why" in r.stderr
    r = runner.invoke(main, ["judge", root, str(m1), "accept", "--by", "ana", "--reason",
                             "the brother confirmed", "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["decision"] == "accept"
    r = runner.invoke(main, ["judge", root, str(m1), "unsure", "--by", "ben", "--reason",
                             "photo unclear"])
    assert r.exit_code == 0 and "unsure" in r.stdout
    r = runner.invoke(main, ["judge", root, str(m1), "--json"])
    history = json.loads(r.stdout)
    assert [(h["decision"], h["by"]) for h in history] == [("accept", "ana"),
                                                          ("unsure", "ben")]
    r = runner.invoke(main, ["judge", root, str(m1)])
    assert r.exit_code == 0 and "(stands)" in r.stdout
    r = runner.invoke(main, ["matches", root, "--status", "unsure", "--format", "csv"])
    rows = list(csv.DictReader(r.stdout.splitlines()))
    assert [(int(x["match"]), x["judged_by"], x["right_key"]) for x in rows] == [
        (m1, "ben", "V1")]
    assert json.loads(rows[0]["explanation"]) == EXPLANATION
    r = runner.invoke(main, ["matches", root, "--status", "pending", "--limit", "1",
                             "--format", "json"])
    assert [m["id"] for m in json.loads(r.stdout)] == [m2]
    r = runner.invoke(main, ["judge", root, "999", "reject", "--by", "a", "--reason", "b"])
    assert r.exit_code == 2 and "no match 999" in r.stderr
    r = runner.invoke(main, ["custody", "verify", root])
    assert r.exit_code == 0, r.output


def test_cli_link_without_the_engine_says_so(linked: Case,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    root = str(linked.paths.root)
    linked.close()
    runner = CliRunner()
    r = runner.invoke(main, ["link", root])
    assert r.exit_code == 2 and "exactly one of --reference NAME or --dedupe" in r.stderr
    r = runner.invoke(main, ["link", root, "--reference", "victims", "--dedupe"])
    assert r.exit_code == 2 and "exactly one" in r.stderr
    monkeypatch.setitem(sys.modules, "scrutiny.link.run", None)
    r = runner.invoke(main, ["link", root, "--reference", "victims"])
    assert r.exit_code == 2, r.output
    assert "record linkage is not available in this build" in r.stderr
