"""Automatic claims on a synthetic case: one per person held, its row as evidence, photos
named by ID number, accepted matches as (independent) evidence that is withdrawn when the
judgement changes; idempotent."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from scrutiny.case import Case
from scrutiny.extract.run import extract_case
from scrutiny.ingest import ingest
from scrutiny.ledger.auto import derive_claims
from scrutiny.ledger.model import LEAK_SOURCE
from scrutiny.ledger.store import get_claim, iter_claims, status_counts
from scrutiny.link.reference import add_reference
from scrutiny.link.review import judge
from scrutiny.synth.leak import LeakConfig, generate_leak


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("ledger-auto")
    generate_leak(root / "synth", LeakConfig(people=40, photos=12, seed=4))
    with Case.create(root / "case", actor="test") as case:
        ingest(case, [root / "synth" / "leak"], actor="test")
        extract_case(case, workers=0)
    return root


@pytest.fixture
def case(built: Path, tmp_path: Path) -> Case:
    shutil.copytree(built / "case", tmp_path / "case")
    return Case.open(tmp_path / "case", writable=True)


def _fake_match(case: Case, record: int, entry: int) -> int:
    with case.transaction():
        run = int(case.db.execute(
            "INSERT INTO link_runs(kind, set_id, backend, threshold, model, started_at, "
            "finished_at, actor) SELECT 'reference', set_id, 'duckdb', 0.5, '{}', 't', 't', "
            "'test' FROM reference_entries WHERE id = ?", (entry,)).lastrowid)
        return int(case.db.execute(
            "INSERT INTO matches(run_id, left_record, right_entry, probability, weight, "
            "explanation) VALUES (?, ?, ?, 0.97, 5.0, '[]')", (run, record, entry)).lastrowid)


def test_one_claim_per_person_held_with_its_row(case: Case) -> None:
    mains = case.db.execute("SELECT id, name, fields FROM records WHERE source = 'table' "
                            "AND main_id IS NULL ORDER BY id").fetchall()
    s = derive_claims(case, "test")
    assert s.claims == len(mains) == 40 and s.by_rule["held"] == 40
    for rid, name, fields in mains[:5]:
        (claim,) = iter_claims(case.db, subject=f"record:{rid}")
        f = json.loads(fields)
        assert claim.current.statement == f"{name} listed as held at {f['facility']} from " \
                                          f"{f['detained'][:10]}"
        assert (claim.current.who, claim.current.place) == (name, f["facility"])
        row = next(e for e in claim.evidence if e.auto_key == f"row:record:{rid}").current
        assert (row.source_type, row.independent, row.record_id) == ("leaked-record", False,
                                                                      rid)
        assert claim.status.name == "single-source"
        assert claim.status.supporting == (LEAK_SOURCE,)
        assert f.get("id_number", "") not in claim.current.statement  # no ID in statements
    assert status_counts(case.db)["single-source"] == 40
    ev = [e for e in case.log.tail(3) if e.action == "claims-derived"]
    assert ev and ev[0].details["summary"]["claims"] == 40


def test_photos_named_by_id_number_are_evidence(case: Case) -> None:
    s = derive_claims(case, "test")
    named = case.db.execute(
        "SELECT count(*) FROM records f JOIN records r ON r.id_number = f.id_number "
        "AND r.source = 'table' AND r.main_id IS NULL WHERE f.source = 'filename'"
    ).fetchone()[0]
    assert named > 0 and s.by_rule.get("photo", 0) == named
    fid, sha, rid = case.db.execute(
        "SELECT f.id, f.sha256, r.id FROM records f JOIN records r ON r.id_number = "
        "f.id_number AND r.source = 'table' AND r.main_id IS NULL WHERE f.source = 'filename' "
        "LIMIT 1").fetchone()
    (claim,) = iter_claims(case.db, subject=f"record:{rid}")
    photo = [e for e in claim.evidence if (e.auto_key or "").startswith(f"photo:record:{fid}:")]
    assert photo and photo[0].current.sha256 == sha and not photo[0].current.independent
    assert claim.status.name == "single-source"  # the leak cannot corroborate itself


def test_deriving_again_adds_nothing(case: Case) -> None:
    first = derive_claims(case, "test")
    counts = [case.db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # noqa: S608
              for t in ("claims", "claim_versions", "evidence", "evidence_versions")]
    again = derive_claims(case, "test")
    assert first.claims > 0 and (again.claims, again.evidence, again.withdrawn) == (0, 0, 0)
    assert counts == [case.db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # noqa: S608
                      for t in ("claims", "claim_versions", "evidence", "evidence_versions")]


def test_an_accepted_match_corroborates_until_it_is_rejected(case: Case, built: Path) -> None:
    add_reference(case, "victims", built / "synth" / "reference" / "victims.csv")
    derive_claims(case, "test")
    rid = int(case.db.execute("SELECT min(id) FROM records WHERE source = 'table'")
              .fetchone()[0])
    entry = int(case.db.execute("SELECT min(id) FROM reference_entries").fetchone()[0])
    match = _fake_match(case, rid, entry)
    (claim,) = iter_claims(case.db, subject=f"record:{rid}")
    judge(case, match, "unsure", "ann", "not sure yet")
    assert derive_claims(case, "test").evidence == 0
    judge(case, match, "accept", "ann", "same birth date and county")
    s = derive_claims(case, "test")
    assert s.by_rule == {"match": 1}
    got = get_claim(case.db, claim.id)
    assert got.status.name == "corroborated"
    ref = next(e for e in got.evidence if e.current.source_type == "reference-database")
    assert (ref.current.entry_id, ref.current.match_id, ref.current.independent) == (
        entry, match, True)
    assert "victims" in ref.current.origin and "ann" in (ref.current.note or "")
    judge(case, match, "reject", "bob", "different father's name")
    assert derive_claims(case, "test").withdrawn == 1
    got = get_claim(case.db, claim.id)
    assert got.status.name == "single-source"
    ref = next(e for e in got.evidence if e.current.source_type == "reference-database")
    assert ref.current.withdrawn and len(ref.history) == 2 and "bob" in ref.current.reason
    judge(case, match, "accept", "cy", "checked the father's name again")
    assert derive_claims(case, "test").restored == 1
    assert get_claim(case.db, claim.id).status.name == "corroborated"


def test_a_reference_not_independent_of_the_leak_does_not_corroborate(case: Case,
                                                                      built: Path) -> None:
    add_reference(case, "copy", built / "synth" / "reference" / "victims.csv",
                  independent=False)
    derive_claims(case, "test")
    rid = int(case.db.execute("SELECT min(id) FROM records WHERE source = 'table'")
              .fetchone()[0])
    entry = int(case.db.execute("SELECT min(id) FROM reference_entries").fetchone()[0])
    judge(case, _fake_match(case, rid, entry), "accept", "ann", "same person")
    derive_claims(case, "test")
    (claim,) = iter_claims(case.db, subject=f"record:{rid}")
    assert claim.status.name == "single-source"
    assert claim.status.supporting == (LEAK_SOURCE,)
