"""The ledger's commands: ``scrutiny claim``, ``evidence``, ``ledger`` and ``sheet``."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from scrutiny.case import Case
from scrutiny.cli import main
from scrutiny.console import console, err_console
from scrutiny.extract.run import extract_case
from scrutiny.ingest import ingest
from scrutiny.ledger.sheet import COLUMNS

# fictional people; the ID numbers are valid (check digit) but made up
ROSTER = [
    ["姓名", "身份证号", "性别", "出生日期", "关押场所", "收押日期", "联系电话"],
    ["测试甲", "653222199001011232", "男", "1990-01-01", "第一测试所", "2018-03-01",
     "13900000001"],
    ["测试乙", "653222198503150027", "女", "1985-03-15", "第二测试所", "2017-11", ""],
    ["测试丙", "653222197807090313", "男", "1978-07-09", "第三测试所", "2019-05-20",
     "13900000003"],
]
STATEMENT_A = "测试甲 listed as held at 第一测试所 from 2018-03-01"


@pytest.fixture(autouse=True)
def wide(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(console, "width", 200)  # as in a wide terminal
    monkeypatch.setattr(err_console, "width", 200)
    monkeypatch.setenv("SCRUTINY_ACTOR", "tester")


@pytest.fixture
def fresh(tmp_path: Path) -> str:
    """A closed case with the roster's three records extracted and no claims yet."""
    leak = tmp_path / "leak"
    leak.mkdir()
    with open(leak / "roster.csv", "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(ROSTER)
    case = Case.create(tmp_path / "case", actor="test")
    ingest(case, [leak], actor="test")
    extract_case(case, workers=0)
    case.close()
    return str(tmp_path / "case")


@pytest.fixture
def root(fresh: str) -> str:
    """The case with its three automatic claims (1: 测试甲, 2: 测试乙, 3: 测试丙)."""
    r = cli("claim", "derive", fresh, "--actor", "test")
    assert r.exit_code == 0, r.output
    return fresh


def cli(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def ok(*args: str) -> Result:
    r = cli(*args)
    assert r.exit_code == 0, (r.stdout, r.stderr)
    return r


def show(root: str, claim: int) -> dict[str, Any]:
    return json.loads(ok("claim", "show", root, str(claim), "--json").stdout)  # type: ignore[no-any-return]


def ledger(root: str, *args: str) -> dict[str, Any]:
    return json.loads(ok("ledger", root, "--format", "json", *args).stdout)  # type: ignore[no-any-return]


def count(root: str, table: str) -> int:
    with Case.open(root) as c:
        return int(c.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # noqa: S608


def supports(root: str, claim: int, origin: str, *extra: str) -> Result:
    return ok("evidence", "add", root, str(claim), "--supports", "--source-type",
              "phone-confirmation", "--origin", origin, "--by", "ana", *extra)


# -- claims ---------------------------------------------------------------------------------------


def test_claim_add_prints_and_json(root: str) -> None:
    r = ok("claim", "add", root, "--kind", "facility", "--about", "facility:第一测试所",
           "--statement", "第一测试所 held more than 500 people", "--where", "第一测试所",
           "--from", "2018", "--by", "ana")
    assert "claim 4: 第一测试所 held more than 500 people" in r.stdout
    assert "unverified" in r.stdout
    r = ok("claim", "add", root, "--about", "record:2", "--statement",
           "测试乙 was moved to 第三测试所 in 2019", "--who", "测试乙", "--where", "第三测试所",
           "--from", "2019-06", "--to", "2020", "--by", "ben", "--json")
    got = json.loads(r.stdout)
    assert got["id"] == 5
    assert (got["kind"], got["subject"], got["automatic"]) == ("person", "record:2", False)
    assert (got["statement"], got["who"], got["place"]) == (
        "测试乙 was moved to 第三测试所 in 2019", "测试乙", "第三测试所")
    assert (got["date_from"], got["date_to"], got["created_by"]) == ("2019-06", "2020", "ben")
    assert (got["status"], got["evidence"], got["history"]) == ("unverified", [], [])
    assert show(root, 5)["statement"] == got["statement"]
    # without --by, the actor comes from the environment
    r = ok("claim", "add", root, "--kind", "event", "--about", "event:a transfer",
           "--statement", "a transfer took place", "--json")
    assert json.loads(r.stdout)["created_by"] == "tester"
    assert ledger(root)["counts"]["unverified"] == 3


def test_claim_add_refuses_what_it_cannot_store(root: str) -> None:
    r = cli("claim", "add", root, "--statement", "someone was held", "--by", "ana")
    assert r.exit_code == 2 and "names the person" in r.stderr
    r = cli("claim", "add", root, "--about", "record:99", "--statement", "x", "--by", "ana")
    assert r.exit_code == 2 and "no record 99" in r.stderr
    r = cli("claim", "add", root, "--who", "测试甲", "--statement", "x", "--from", "2018-13",
            "--by", "ana")
    assert r.exit_code == 2 and "no month 13" in r.stderr
    r = cli("claim", "add", root, "--who", "测试甲", "--statement", "x", "--from", "2019",
            "--to", "2018", "--by", "ana")
    assert r.exit_code == 2 and "ends (2018) before it begins (2019)" in r.stderr
    r = cli("claim", "add", root, "--who", "测试甲", "--by", "ana")  # no statement
    assert r.exit_code == 2 and "--statement" in r.stderr
    assert count(root, "claims") == 3


def test_claim_correct_keeps_the_history_visible(root: str) -> None:
    before = show(root, 1)
    assert before["statement"] == STATEMENT_A and before["history"] == []
    r = ok("claim", "correct", root, "1", "--reason", "the roster's date is the transfer date",
           "--statement", "测试甲 listed as held at 第一测试所 from 2018-05", "--from",
           "2018-05", "--by", "ben")
    assert "claim 1 corrected" in r.stdout and "1 earlier" in r.stdout
    got = show(root, 1)
    assert got["statement"] == "测试甲 listed as held at 第一测试所 from 2018-05"
    assert got["date_from"] == "2018-05" and got["place"] == "第一测试所"
    assert len(got["history"]) == 1
    old = got["history"][0]
    assert (old["statement"], old["date_from"], old["by"]) == (STATEMENT_A, "2018-03-01", "test")
    # the evidence stays with the claim, and so does its status
    assert got["status"] == "single-source" and len(got["evidence"]) == 1
    r = ok("claim", "show", root, "1")
    assert "earlier version" in r.stdout and STATEMENT_A in r.stdout
    assert "the roster's date is the transfer date" in r.stdout
    # a second correction clears a field; both earlier versions stay
    ok("claim", "correct", root, "1", "--reason", "place unknown", "--where", "", "--by", "ben")
    got = show(root, 1)
    assert got["place"] is None and len(got["history"]) == 2
    assert [h["statement"] for h in got["history"]] == [
        STATEMENT_A, "测试甲 listed as held at 第一测试所 from 2018-05"]
    r = cli("claim", "correct", root, "1", "--reason", "again", "--where", "", "--by", "ben")
    assert r.exit_code == 2 and "changes nothing" in r.stderr
    r = cli("claim", "correct", root, "1", "--statement", "x", "--by", "ben")
    assert r.exit_code == 2 and "--reason" in r.stderr
    r = cli("claim", "correct", root, "42", "--statement", "x", "--reason", "y", "--by", "b")
    assert r.exit_code == 2 and "no claim 42" in r.stderr
    assert count(root, "claim_versions") == 5


def test_claim_derive_is_idempotent(fresh: str) -> None:
    r = ok("claim", "derive", fresh, "--actor", "test", "--json")
    first = json.loads(r.stdout)
    assert (first["claims"], first["evidence"], first["by_rule"]) == (3, 3, {"held": 3})
    r = ok("claim", "derive", fresh, "--actor", "test", "--json")
    again = json.loads(r.stdout)
    assert (again["claims"], again["evidence"], again["withdrawn"]) == (0, 0, 0)
    r = ok("claim", "derive", fresh, "--actor", "test")
    assert "0 claims and 0 evidence items added (nothing new)" in r.stdout
    assert (count(fresh, "claims"), count(fresh, "evidence")) == (3, 3)
    assert ledger(fresh)["counts"] == {"unverified": 0, "single-source": 3,
                                       "corroborated": 0, "contested": 0}
    got = show(fresh, 1)
    assert got["automatic"] is True and got["statement"] == STATEMENT_A
    (ev,) = got["evidence"]
    assert (ev["source_type"], ev["independent"], ev["source"]) == (
        "leaked-record", False, "the leak")


# -- evidence -------------------------------------------------------------------------------------


def test_evidence_add_supports_and_contradicts(root: str) -> None:
    r = supports(root, 1, "brother, by phone", "--date", "2024-03")
    assert "evidence 4 added to claim 1" in r.stdout
    assert "corroborated" in r.stdout and "brother, by phone" in r.stdout
    got = show(root, 1)
    assert got["status"] == "corroborated"
    ev = got["evidence"][-1]
    assert (ev["stance"], ev["source_type"], ev["origin"], ev["independent"], ev["dated"],
            ev["by"]) == ("supports", "phone-confirmation", "brother, by phone", True,
                          "2024-03", "ana")
    r = ok("evidence", "add", root, "2", "--contradicts", "--source-type",
           "official-statement", "--origin", "county statement", "--by", "ben", "--json")
    out = json.loads(r.stdout)
    assert out["evidence"]["stance"] == "contradicts"
    assert out["claim"]["id"] == 2 and out["claim"]["status"] == "contested"
    assert out["claim"]["contradicting_sources"] == ["county statement"]
    # a second item of the same origin is not a second source
    supports(root, 3, "cousin")
    r = supports(root, 3, "  Cousin ")
    assert "single-source" not in r.stdout and "corroborated" in r.stdout
    assert show(root, 3)["supporting_sources"] == ["cousin", "the leak"]
    # not independent of the leak: no corroboration
    r = ok("evidence", "add", root, "3", "--supports", "--source-type", "media-report",
           "--origin", "a newspaper that read the leak", "--not-independent", "--by", "ana")
    assert show(root, 3)["supporting_sources"] == ["cousin", "the leak"]
    assert ledger(root)["counts"] == {"unverified": 0, "single-source": 0,
                                      "corroborated": 2, "contested": 1}


def test_evidence_add_with_a_file_stores_it(root: str, tmp_path: Path) -> None:
    photo = tmp_path / "letter.txt"
    photo.write_bytes(b"a letter from the family, fictional\n")
    sha = hashlib.sha256(photo.read_bytes()).hexdigest()
    items = count(root, "items")
    r = ok("evidence", "add", root, "2", "--supports", "--source-type", "relative-testimony",
           "--origin", "her daughter", "--file", str(photo), "--by", "ana")
    assert f"file stored as {sha[:16]}" in r.stdout
    assert "claim status corroborated" in r.stdout
    ev = show(root, 2)["evidence"][-1]
    assert ev["sha256"] == sha and ev["source_type"] == "relative-testimony"
    assert count(root, "items") == items + 1
    with Case.open(root) as c:
        assert c.blobs.exists(sha)
        assert c.blobs.open(sha).read() == photo.read_bytes()
        kinds = {k for (k,) in c.db.execute(
            "SELECT r.kind FROM provenances p JOIN runs r ON r.id = p.run_id "
            "WHERE p.sha256 = ?", (sha,))}
        assert kinds == {"evidence"}
    r = cli("evidence", "add", root, "2", "--supports", "--source-type", "other", "--origin",
            "x", "--file", str(tmp_path / "missing.jpg"), "--by", "ana")
    assert r.exit_code == 2 and "cannot read" in r.stderr
    assert count(root, "evidence") == 4


def test_evidence_add_needs_a_stance_and_valid_values(root: str) -> None:
    r = cli("evidence", "add", root, "1", "--source-type", "phone-confirmation", "--origin",
            "brother", "--by", "ana")
    assert r.exit_code == 2
    assert "say whether it --supports or --contradicts the claim" in r.stderr
    r = cli("evidence", "add", root, "1", "--supports", "--source-type", "rumour",
            "--origin", "brother", "--by", "ana")
    assert r.exit_code == 2 and "rumour" in r.stderr
    r = cli("evidence", "add", root, "1", "--supports", "--source-type", "other",
            "--origin", "  ", "--by", "ana")
    assert r.exit_code == 2 and "say where the evidence comes from" in r.stderr
    r = cli("evidence", "add", root, "1", "--supports", "--source-type", "other",
            "--origin", "x", "--date", "2024-02-30", "--by", "ana")
    assert r.exit_code == 2 and "not a calendar date" in r.stderr
    r = cli("evidence", "add", root, "9", "--supports", "--source-type", "other",
            "--origin", "x", "--by", "ana")
    assert r.exit_code == 2 and "no claim 9" in r.stderr
    assert count(root, "evidence") == 3
    assert show(root, 1)["status"] == "single-source"


def test_evidence_correct_and_withdraw(root: str) -> None:
    supports(root, 1, "brother")
    assert show(root, 1)["status"] == "corroborated"
    r = ok("evidence", "correct", root, "4", "--contradicts", "--reason", "misheard",
           "--by", "ben")
    assert "claim 1 is contested" in r.stdout
    r = ok("evidence", "withdraw", root, "4", "--reason", "the call was with someone else",
           "--by", "ben")
    assert "evidence 4 withdrawn; claim 1 is single-source" in r.stdout
    got = show(root, 1)
    assert got["status"] == "single-source" and got["evidence_withdrawn"] == 1
    assert "1 withdrawn item not counted" in got["reasoning"]
    # (found by its origin: the JSON's "id" is wrong once versions were added, see below)
    (ev,) = [e for e in got["evidence"] if e["origin"] == "brother"]
    assert ev["withdrawn"] is True and ev["reason"] == "the call was with someone else"
    assert [(h["stance"], h["withdrawn"]) for h in ev["history"]] == [
        ("supports", False), ("contradicts", False)]
    assert ledger(root, "--status", "single-source")["counts"]["corroborated"] == 0
    r = cli("evidence", "withdraw", root, "4", "--reason", "again", "--by", "ben")
    assert r.exit_code == 2 and "was withdrawn" in r.stderr
    r = cli("evidence", "withdraw", root, "77", "--reason", "x", "--by", "ben")
    assert r.exit_code == 2 and "no evidence 77" in r.stderr
    r = cli("evidence", "withdraw", root, "1", "--by", "ben")
    assert r.exit_code == 2 and "--reason" in r.stderr
    # withdrawing the leak row too leaves nothing counted
    ok("evidence", "withdraw", root, "1", "--reason", "row misread", "--by", "ben")
    assert show(root, 1)["status"] == "unverified"
    ok("custody", "verify", root)


def test_evidence_json_shows_the_evidence_id(root: str) -> None:
    supports(root, 1, "brother")  # evidence 4, version 4
    ok("evidence", "correct", root, "4", "--origin", "elder brother", "--reason", "precise",
       "--by", "ben")  # version 5
    r = ok("evidence", "add", root, "2", "--supports", "--source-type", "other", "--origin",
           "sister", "--by", "ana", "--json")  # evidence 5, version 6
    assert json.loads(r.stdout)["evidence"]["id"] == 5
    assert [e["id"] for e in show(root, 1)["evidence"]] == [1, 4]
    assert [e["id"] for e in show(root, 2)["evidence"]] == [2, 5]


# -- the ledger -----------------------------------------------------------------------------------


def test_ledger_formats_and_status_filter(root: str) -> None:
    supports(root, 1, "brother")
    ok("evidence", "add", root, "2", "--contradicts", "--source-type", "official-statement",
       "--origin", "county", "--by", "ben")
    got = ledger(root)
    assert got["counts"] == {"unverified": 0, "single-source": 1, "corroborated": 1,
                             "contested": 1}
    assert [(c["id"], c["status"]) for c in got["claims"]] == [
        (1, "corroborated"), (2, "contested"), (3, "single-source")]
    assert got["claims"][0]["statement"] == STATEMENT_A
    assert len(got["claims"][0]["evidence"]) == 2

    r = ok("ledger", root, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert [(r["claim"], r["status"]) for r in rows] == [
        ("1", "corroborated"), ("2", "contested"), ("3", "single-source")]
    assert rows[0]["supporting_sources"] == "brother; the leak"
    assert rows[1]["contradicting_sources"] == "county"
    assert (rows[0]["evidence"], rows[0]["subject"], rows[0]["statement"]) == (
        "2", "record:1", STATEMENT_A)

    only = ledger(root, "--status", "corroborated")
    assert [c["id"] for c in only["claims"]] == [1]
    assert only["counts"]["single-source"] == 1  # the counts stay those of the whole ledger
    r = ok("ledger", root, "--status", "corroborated", "--format", "csv")
    assert [r["claim"] for r in csv.DictReader(io.StringIO(r.stdout))] == ["1"]
    assert ledger(root, "--status", "unverified")["claims"] == []
    assert [c["id"] for c in ledger(root, "--limit", "1", "--offset", "1")["claims"]] == [2]
    assert ledger(root, "--kind", "facility")["claims"] == []

    r = ok("ledger", root)
    assert "ledger:" in r.stdout and "corroborated 1" in r.stdout
    assert STATEMENT_A in r.stdout
    r = ok("ledger", root, "--status", "unverified")
    assert "no claims of that status" in r.stdout
    r = cli("ledger", root, "--status", "proven")
    assert r.exit_code == 2


# -- sheets ---------------------------------------------------------------------------------------


def test_sheet_export_refuses_to_overwrite(root: str, tmp_path: Path) -> None:
    out = tmp_path / "sheet.csv"
    r = ok("sheet", "export", root, "-o", str(out))
    assert "3 claims written" in r.stdout
    assert "phone numbers" in r.stderr
    text = out.read_text("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["claim"] for r in rows] == ["1", "2", "3"]
    assert rows[0]["phone"] == "13900000001"
    assert text.splitlines()[0] == ",".join(COLUMNS)
    r = cli("sheet", "export", root, "-o", str(out), "--no-phones")
    assert r.exit_code == 2 and "exists" in r.stderr
    assert out.read_text("utf-8-sig") == text  # untouched
    quiet = tmp_path / "no-phones.csv"
    r = ok("sheet", "export", root, "-o", str(quiet), "--no-phones")
    assert "phone numbers" not in r.stderr
    assert [r["phone"] for r in csv.DictReader(io.StringIO(quiet.read_text("utf-8-sig")))
            ] == ["", "", ""]
    none = tmp_path / "contested.csv"
    r = ok("sheet", "export", root, "-o", str(none), "--status", "contested")
    assert "0 claims written" in r.stdout
    assert none.read_text("utf-8-sig").splitlines() == [",".join(COLUMNS)]


def export_rows(root: str, path: Path) -> list[dict[str, str]]:
    ok("sheet", "export", root, "-o", str(path))
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def write_rows(path: Path, rows: list[dict[str, str]]) -> Path:
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(COLUMNS))
        w.writeheader()
        w.writerows(rows)
    return path


def test_sheet_import_rejects_rows_and_writes_them_out(root: str, tmp_path: Path) -> None:
    a, b, c = export_rows(root, tmp_path / "out.csv")
    path = write_rows(tmp_path / "answers.csv", [
        {**a, "result": "supports", "origin": "brother, by phone", "date": "2024-03",
         "by": "ana"},
        {**b, "result": "supports", "origin": "sister", "date": "yesterday", "by": "ana"},
        c])
    rejects = tmp_path / "rejects.csv"
    evidence = count(root, "evidence")

    r = cli("sheet", "import", root, str(path), "--rejects", str(rejects))
    assert r.exit_code == 1, (r.stdout, r.stderr)
    assert "answers.csv: 3 rows; imported 1, skipped 1, rejected 1" in r.stdout
    assert "'yesterday' is not a date" in r.stdout
    assert f"rejected rows written to {rejects}" in r.stdout
    assert count(root, "evidence") == evidence + 1
    assert show(root, 1)["status"] == "corroborated"
    assert show(root, 2)["status"] == "single-source"
    with open(rejects, encoding="utf-8-sig", newline="") as f:
        back = list(csv.DictReader(f))
    assert len(back) == 1
    assert back[0]["row"] == "3" and back[0]["claim"] == "2"
    assert "'yesterday' is not a date" in back[0]["rejected_because"]

    # the same file again: nothing new, the bad row still rejected
    r = cli("sheet", "import", root, str(path), "--json")
    assert r.exit_code == 1
    report = json.loads(r.stdout)
    assert report["imported"] == [] and [x["row"] for x in report["rejected"]] == [3]
    assert {"row": 2, "why": "already imported from this file"} in report["skipped"]
    assert count(root, "evidence") == evidence + 1

    # the fixed rejects file goes back in, with exit status 0
    back[0]["date"] = "2024"
    fixed = tmp_path / "fixed.csv"
    with open(fixed, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(back[0]))
        w.writeheader()
        w.writerows(back)
    r = ok("sheet", "import", root, str(fixed), "--dry-run")
    assert "would import 1" in r.stdout
    assert count(root, "evidence") == evidence + 1
    r = ok("sheet", "import", root, str(fixed), "--json")
    assert [x["row"] for x in json.loads(r.stdout)["imported"]] == [2]
    assert show(root, 2)["status"] == "corroborated"
    ok("custody", "verify", root)


def test_sheet_import_by_names_rows_without_by(root: str, tmp_path: Path) -> None:
    a, _, _ = export_rows(root, tmp_path / "out.csv")
    path = write_rows(tmp_path / "answers.csv", [
        {**a, "result": "supports", "origin": "brother"}])
    r = cli("sheet", "import", root, str(path))
    assert r.exit_code == 1 and "no one is named in 'by'" in r.stdout
    r = ok("sheet", "import", root, str(path), "--by", "field team")
    assert "imported 1" in r.stdout
    assert show(root, 1)["evidence"][-1]["by"] == "field team"


def test_sheet_import_refuses_a_file_that_is_not_a_sheet(root: str, tmp_path: Path) -> None:
    other = tmp_path / "other.csv"
    other.write_text("name,answer\n测试甲,yes\n", "utf-8")
    r = cli("sheet", "import", root, str(other), "--by", "ana")
    assert r.exit_code == 2 and "is not a field sheet" in r.stderr
    latin = tmp_path / "latin.csv"
    latin.write_bytes(",".join(COLUMNS).encode() + b"\n1,,caf\xe9\n")
    r = cli("sheet", "import", root, str(latin), "--by", "ana")
    assert r.exit_code == 2 and "not UTF-8" in r.stderr
    r = cli("sheet", "import", root, str(tmp_path / "missing.csv"))
    assert r.exit_code == 2
    assert (count(root, "evidence"), count(root, "items")) == (3, 1)
