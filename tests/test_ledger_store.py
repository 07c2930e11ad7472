"""The ledger in the catalog: validation, append-only history, custody events that can
rebuild it, and evidence files kept out of the leak's extraction and checks."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from scrutiny.case import Case
from scrutiny.checks.run import iter_items
from scrutiny.core import ScrutinyError
from scrutiny.extract.run import extract_case
from scrutiny.ingest import ingest
from scrutiny.ledger.store import (
    add_claim,
    add_evidence,
    correct_claim,
    correct_evidence,
    get_claim,
    withdraw_evidence,
)
from scrutiny.store import catalog

ROSTER = [["姓名", "身份证号", "出生日期", "关押场所", "收押日期"],
          ["买买提·吐尔逊", "653222199001011232", "1990-01-01", "墨玉县看守所", "2018-03-02"]]


@pytest.fixture
def roster_case(tmp_path: Path) -> Case:
    leak = tmp_path / "leak"
    leak.mkdir()
    with open(leak / "roster.csv", "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(ROSTER)
    case = Case.create(tmp_path / "case", actor="test")
    ingest(case, [leak], actor="test")
    extract_case(case, workers=0)
    return case


def test_claims_are_validated(roster_case: Case) -> None:
    c = roster_case
    (rid,) = [r[0] for r in c.db.execute("SELECT id FROM records")]
    with pytest.raises(ScrutinyError, match="one of person"):
        add_claim(c, "rumour", "x", by="ann")
    with pytest.raises(ScrutinyError, match="names the person"):
        add_claim(c, "person", "someone was held", by="ann")
    with pytest.raises(ScrutinyError, match="no record 999"):
        add_claim(c, "person", "x", by="ann", about="record:999")
    with pytest.raises(ScrutinyError, match="no item"):
        add_claim(c, "item", "x", by="ann", about="item:00000000")
    with pytest.raises(ScrutinyError, match="not a calendar date"):
        add_claim(c, "event", "x", by="ann", date_from="2018-02-30")
    with pytest.raises(ScrutinyError, match="ends"):
        add_claim(c, "event", "x", by="ann", date_from="2019", date_to="2018-12")
    with pytest.raises(ScrutinyError, match="who enters"):
        add_claim(c, "event", "x", by="  ")
    assert c.db.execute("SELECT count(*) FROM claims").fetchone()[0] == 0
    person = add_claim(c, "person", "held at Qaraqash detention centre", by="ann",
                       about=str(rid), date_from="2018-03")
    sha = c.db.execute("SELECT sha256 FROM items").fetchone()[0]
    item = add_claim(c, "item", "the roster is an official document", by="ann",
                     about=sha[:10])
    assert (person.subject, person.current.date_from) == (f"record:{rid}", "2018-03")
    assert item.subject == f"item:{sha}" and item.status.name == "unverified"


def test_a_correction_keeps_the_old_version(roster_case: Case) -> None:
    c = roster_case
    claim = add_claim(c, "event", "the camp opened in 2017", by="ann", place="Camp 4",
                      date_from="2017")
    with pytest.raises(ScrutinyError, match="why"):
        correct_claim(c, claim.id, by="bob", reason=" ", date_from="2016")
    with pytest.raises(ScrutinyError, match="changes nothing"):
        correct_claim(c, claim.id, by="bob", reason="typo", date_from="2017")
    fixed = correct_claim(c, claim.id, by="bob", reason="imagery shows it in 2016",
                          statement="the camp opened in 2016", date_from="2016", place="")
    assert [v.statement for v in fixed.history] == ["the camp opened in 2017",
                                                    "the camp opened in 2016"]
    assert fixed.current.place is None and fixed.history[0].place == "Camp 4"
    assert (fixed.current.by, fixed.current.reason) == ("bob", "imagery shows it in 2016")
    assert fixed.to_json()["history"][0]["statement"] == "the camp opened in 2017"


def test_evidence_corrections_and_withdrawals_keep_history(roster_case: Case) -> None:
    c = roster_case
    claim = add_claim(c, "event", "x happened", by="ann")
    e = add_evidence(c, claim.id, "supports", "relative-testimony", "the son", by="ann")
    assert get_claim(c.db, claim.id).status.name == "single-source"
    e2 = correct_evidence(c, e.id, by="bob", reason="it was the nephew", origin="the nephew",
                          stance="contradicts")
    assert [v.origin for v in e2.history] == ["the son", "the nephew"]
    assert get_claim(c.db, claim.id).status.name == "contested"
    e3 = withdraw_evidence(c, e.id, by="bob", reason="the nephew retracted")
    assert e3.current.withdrawn and len(e3.history) == 3
    st = get_claim(c.db, claim.id).status
    assert st.name == "unverified" and st.withdrawn == 1
    with pytest.raises(ScrutinyError, match="withdrawn"):
        correct_evidence(c, e.id, by="bob", reason="again", note="x")
    with pytest.raises(ScrutinyError, match="no field"):
        add = add_evidence(c, claim.id, "supports", "other", "a", by="ann")
        correct_evidence(c, add.id, by="bob", reason="r", colour="red")
    with pytest.raises(ScrutinyError, match="unknown source type"):
        add_evidence(c, claim.id, "supports", "rumour", "a", by="ann")
    with pytest.raises(ScrutinyError, match="origin"):
        add_evidence(c, claim.id, "supports", "other", " ", by="ann")
    with pytest.raises(ScrutinyError, match="no claim"):
        add_evidence(c, 999, "supports", "other", "a", by="ann")


@pytest.mark.parametrize("table", ["claims", "claim_versions", "evidence",
                                   "evidence_versions"])
def test_the_ledger_is_append_only(roster_case: Case, table: str) -> None:
    c = roster_case
    claim = add_claim(c, "event", "x", by="ann")
    add_evidence(c, claim.id, "supports", "other", "a", by="ann")
    for sql in (f"UPDATE {table} SET id = id", f"DELETE FROM {table}"):  # noqa: S608
        with pytest.raises(catalog.DatabaseError, match="append-only"):
            c.db.execute(sql)


def test_the_custody_log_alone_rebuilds_the_ledger(roster_case: Case, tmp_path: Path) -> None:
    c = roster_case
    claim = add_claim(c, "event", "the camp opened in 2017", by="ann")
    correct_claim(c, claim.id, by="bob", reason="imagery", date_from="2016")
    e = add_evidence(c, claim.id, "supports", "satellite-imagery", "Sentinel-2 2016-05",
                     by="ann", dated="2016-05")
    withdraw_evidence(c, e.id, by="bob", reason="cloud cover")
    add_evidence(c, claim.id, "contradicts", "official-statement", "press office", by="cy")
    events = [ev for _, ev in c.log.events_from(0) if ev.action in ("claimed", "evidenced")]
    assert [ev.action for ev in events] == ["claimed", "claimed", "evidenced", "evidenced",
                                            "evidenced"]
    assert [ev.actor for ev in events] == ["ann", "bob", "ann", "bob", "cy"]
    other = Case.create(tmp_path / "other", actor="test")
    with other.transaction():
        for ev in events:
            catalog.apply_event(other.db, ev)
    assert get_claim(other.db, claim.id).to_json() == get_claim(c.db, claim.id).to_json()


def test_an_evidence_file_is_stored_but_never_read_as_leak(roster_case: Case,
                                                           tmp_path: Path) -> None:
    """A table given as evidence is not turned into leak records; an image is not one of
    the leak's photos for the checks."""
    c = roster_case
    claim = add_claim(c, "event", "x", by="ann")
    sheet = tmp_path / "relatives.csv"
    with open(sheet, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([["姓名", "身份证号"], ["阿依古丽·艾力", "65322219850315002X"]])
    photo = tmp_path / "visit.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 64 + b"\xff\xd9")
    records = c.db.execute("SELECT count(*) FROM records").fetchone()[0]
    e1 = add_evidence(c, claim.id, "supports", "relative-testimony", "the sister", by="ann",
                      file=sheet)
    e2 = add_evidence(c, claim.id, "supports", "relative-testimony", "the sister", by="ann",
                      file=photo)
    for e in (e1, e2):
        sha = e.current.sha256
        assert sha and c.blobs.exists(sha)
        kind = c.db.execute("SELECT r.kind FROM provenances p JOIN runs r ON r.id = p.run_id "
                            "WHERE p.sha256 = ?", (sha,)).fetchone()[0]
        assert kind == "evidence"
    extract_case(c, workers=0)
    assert c.db.execute("SELECT count(*) FROM records").fetchone()[0] == records
    shas = {i.sha256 for i in iter_items(c.db, 0, ["image/", "text/"])}
    assert e1.current.sha256 not in shas and e2.current.sha256 not in shas
    assert len(shas) == 1  # the roster
    with pytest.raises(ScrutinyError, match="cannot read"):
        add_evidence(c, claim.id, "supports", "other", "a", by="ann",
                     file=tmp_path / "missing.pdf")
