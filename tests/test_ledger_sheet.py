"""Field sheets: claims exported for a field team, their answers imported back as evidence
(row by row: good rows in, bad rows reported with their row number and why, nothing lost)."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scrutiny.case import Case
from scrutiny.core import ScrutinyError
from scrutiny.extract.run import extract_case
from scrutiny.ingest import ingest
from scrutiny.ledger.auto import derive_claims
from scrutiny.ledger.sheet import (
    ANSWER_COLUMNS,
    COLUMNS,
    export_sheet,
    import_sheet,
    write_rejects,
)
from scrutiny.ledger.store import add_claim, get_claim, iter_claims, status_counts
from scrutiny.store.catalog import FROM_LEAK
from scrutiny.store.integrity import verify_case

# fictional people; the ID numbers are valid (check digit) but made up
ID_A = "653222199001011232"
ID_B = "653222198503150027"
ID_C = "653222197807090313"
ID_D = "653222199511200447"
ROSTER = [
    ["姓名", "身份证号", "性别", "出生日期", "关押场所", "收押日期", "联系电话", "关系"],
    ["测试甲", ID_A, "男", "1990-01-01", "第一测试所", "2018-03-01", "13900000001", "本人"],
    ["测试丁", "", "女", "1960-01-01", "", "", "13900000009", "母亲"],
    ["测试乙", ID_B, "女", "1985-03-15", "第二测试所", "2017-11", "", "本人"],
    ["测试丙", ID_C, "男", "1978-07-09", "第三测试所", "2019-05-20", "13900000003", "本人"],
    # neither facility nor date: no claim is derived for this one
    ["测试戊", ID_D, "男", "1995-11-20", "", "", "13900000004", "本人"],
]


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    return path


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[Case]:
    """A case with a four-person roster (one mother listed under 测试甲) and the three
    automatic "held" claims derived from it, each supported by its leak row only."""
    leak = tmp_path / "leak"
    leak.mkdir()
    write_csv(leak / "roster.csv", ROSTER)
    case = Case.create(tmp_path / "case", actor="test")
    ingest(case, [leak], actor="test")
    extract_case(case, workers=0)
    summary = derive_claims(case, "test")
    assert summary.claims == 3
    yield case
    case.close()


def claim_ids(case: Case) -> dict[str, int]:
    """The person a claim names → its id."""
    return {c.current.who: c.id for c in iter_claims(case.db)}


def count(case: Case, table: str) -> int:
    return int(case.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # noqa: S608


def snapshot(case: Case) -> tuple[int, ...]:
    """What an import may change: evidence, its versions, stored items, custody events."""
    return (count(case, "evidence"), count(case, "evidence_versions"), count(case, "items"),
            case.log.head.seq)


def exported(case: Case, **kwargs: Any) -> tuple[int, list[str], list[dict[str, str]]]:
    out = io.StringIO(newline="")
    n = export_sheet(case.db, out, **kwargs)
    reader = csv.DictReader(io.StringIO(out.getvalue(), newline=""))
    rows = list(reader)
    return n, list(reader.fieldnames or []), rows


def sheet_rows(case: Case) -> dict[str, dict[str, str]]:
    """The exported sheet's rows by the person they name."""
    return {r["who"]: r for r in exported(case)[2]}


def write_sheet(path: Path, rows: list[dict[str, str]], delimiter: str = ",",
                columns: tuple[str, ...] = COLUMNS, encoding: str = "utf-8-sig") -> Path:
    with open(path, "w", encoding=encoding, newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(columns), delimiter=delimiter,
                           extrasaction="ignore")
        w.writeheader()
        for row in rows:
            w.writerow({c: row.get(c, "") for c in columns})
    return path


def fill(row: dict[str, str], **answers: str) -> dict[str, str]:
    return {**row, **answers}


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sheet_evidence(case: Case, claim_id: int) -> list[Any]:
    """The evidence of a claim that came from a sheet (not the automatic leak row)."""
    return [e for e in get_claim(case.db, claim_id).evidence
            if (e.auto_key or "").startswith("sheet:")]


def by_row(report: Any) -> dict[int, str]:
    return {n: why for n, why, _ in report.rejected}


# -- export -------------------------------------------------------------------------------------


def test_export_writes_the_header_and_one_row_per_claim(ledger: Case) -> None:
    ids = claim_ids(ledger)
    assert set(ids) == {"测试甲", "测试乙", "测试丙"}
    n, header, rows = exported(ledger)
    assert header == list(COLUMNS)
    assert n == len(rows) == 3
    assert [int(r["claim"]) for r in rows] == sorted(ids.values())
    first = {r["who"]: r for r in rows}["测试甲"]
    assert first["claim"] == str(ids["测试甲"])
    assert first["status"] == "single-source"
    assert first["statement"] == "测试甲 listed as held at 第一测试所 from 2018-03-01"
    assert (first["place"], first["date_from"], first["date_to"]) == (
        "第一测试所", "2018-03-01", "")
    # the answer columns are for the field team: empty, but for the pre-filled source type
    for r in rows:
        assert {c: r[c] for c in ANSWER_COLUMNS} == {
            **dict.fromkeys(ANSWER_COLUMNS, ""), "source_type": "phone-confirmation"}
    # no ID number is written to the sheet
    assert not any(i in ",".join(r.values()) for r in rows for i in (ID_A, ID_B, ID_C))


def test_export_phones_only_when_asked(ledger: Case) -> None:
    rows = {r["who"]: r for r in exported(ledger)[2]}
    # the person's own number first, then the relatives listed under them
    assert rows["测试甲"]["phone"] == "13900000001; 13900000009 (母亲 测试丁)"
    assert rows["测试乙"]["phone"] == ""
    assert rows["测试丙"]["phone"] == "13900000003"
    without = exported(ledger, phones=False)[2]
    assert len(without) == 3
    assert [r["phone"] for r in without] == ["", "", ""]
    assert "13900000001" not in "".join(",".join(r.values()) for r in without)


def test_export_filters_by_status_kind_and_ids(ledger: Case) -> None:
    manual = add_claim(ledger, "facility", "第一测试所 held more than 500 people", by="ana",
                       about="facility:第一测试所", place="第一测试所", date_from="2018")
    assert manual.status.name == "unverified"
    n, header, rows = exported(ledger, status="unverified")
    assert header == list(COLUMNS)
    assert n == 1 and [int(r["claim"]) for r in rows] == [manual.id]
    assert rows[0]["status"] == "unverified" and rows[0]["phone"] == ""
    n, _, rows = exported(ledger, status="single-source")
    assert n == 3 and manual.id not in [int(r["claim"]) for r in rows]
    n, header, rows = exported(ledger, status="contested")
    assert (n, rows, header) == (0, [], list(COLUMNS))
    n, _, rows = exported(ledger, kind="facility")
    assert n == 1 and rows[0]["statement"] == "第一测试所 held more than 500 people"
    assert exported(ledger, kind="person")[0] == 3
    ids = claim_ids(ledger)
    n, _, rows = exported(ledger, claims=[ids["测试丙"], manual.id])
    assert [int(r["claim"]) for r in rows] == [ids["测试丙"], manual.id]


# -- round trip ---------------------------------------------------------------------------------


def test_round_trip_evidence_lands_on_the_right_claims(ledger: Case, tmp_path: Path) -> None:
    ids = claim_ids(ledger)
    rows = sheet_rows(ledger)
    filled = [
        fill(rows["测试甲"], result="supports", origin="mother, by phone from Almaty",
             date="2024-03", by="ana"),
        # whitespace and case in the statement do not matter; 'by' comes from the import
        fill(rows["测试乙"], statement="  " + rows["测试乙"]["statement"].upper() + " ",
             result="contradicts", source_type="official-statement",
             origin="county statement", date="2023", note="says she was never held"),
        # a confirmation that is not independent of the leak cannot corroborate it
        fill(rows["测试丙"], result="yes", source_type="relative-testimony",
             origin="a cousin who read the leak", independent="no", by="ben"),
    ]
    path = write_sheet(tmp_path / "answers.csv", [*filled, rows["测试甲"]])
    sha = sha256_of(path)
    before = snapshot(ledger)
    assert not ledger.blobs.exists(sha)

    report = import_sheet(ledger, path, by="field team")

    assert report.sha256 == sha and report.file == "answers.csv"
    assert report.rows == 4 and report.rejected == []
    assert [n for n, _ in report.imported] == [2, 3, 4]
    assert [n for n, _ in report.skipped] == [5]  # the untouched row: not done
    assert count(ledger, "evidence") == before[0] + 3
    assert count(ledger, "evidence_versions") == before[1] + 3
    assert count(ledger, "items") == before[2] + 1

    (a,) = sheet_evidence(ledger, ids["测试甲"])
    v = a.current
    assert (v.stance, v.source_type, v.origin, v.dated, v.independent) == (
        "supports", "phone-confirmation", "mother, by phone from Almaty", "2024-03", True)
    assert (v.sha256, v.by, v.withdrawn) == (sha, "ana", False)
    assert a.auto_key == f"sheet:{sha[:16]}:row:2"
    assert (2, a.id) in report.imported
    (b,) = sheet_evidence(ledger, ids["测试乙"])
    assert (b.current.stance, b.current.source_type, b.current.origin, b.current.dated) == (
        "contradicts", "official-statement", "county statement", "2023")
    assert (b.current.independent, b.current.by, b.current.note, b.current.sha256) == (
        True, "field team", "says she was never held", sha)
    (c,) = sheet_evidence(ledger, ids["测试丙"])
    assert (c.current.stance, c.current.source_type, c.current.independent) == (
        "supports", "relative-testimony", False)

    # the sheet itself is stored as evidence, not as leak material
    assert ledger.blobs.exists(sha)
    assert ledger.blobs.open(sha).read() == path.read_bytes()
    assert ledger.db.execute("SELECT 1 FROM items WHERE sha256 = ?", (sha,)).fetchone()
    assert ledger.db.execute(f"SELECT 1 FROM items i WHERE i.sha256 = ? AND {FROM_LEAK}",  # noqa: S608
                             (sha,)).fetchone() is None
    kinds = {r[0] for r in ledger.db.execute(
        "SELECT r.kind FROM provenances p JOIN runs r ON r.id = p.run_id "
        "WHERE p.sha256 = ?", (sha,))}
    assert kinds == {"evidence"}

    # leak row + an independent phone confirmation = two sources
    assert get_claim(ledger.db, ids["测试甲"]).status.name == "corroborated"
    assert get_claim(ledger.db, ids["测试乙"]).status.name == "contested"
    assert get_claim(ledger.db, ids["测试丙"]).status.name == "single-source"
    assert status_counts(ledger.db) == {"unverified": 0, "single-source": 1,
                                        "corroborated": 1, "contested": 1}
    assert [c.id for c in iter_claims(ledger.db, status="corroborated")] == [ids["测试甲"]]
    # the new status shows in the next export
    assert sheet_rows(ledger)["测试乙"]["status"] == "contested"

    events = [e for _, e in ledger.log.events_from(0)]
    imported = [e for e in events if e.action == "sheet-imported"]
    assert len(imported) == 1 and imported[0].subject == sha
    assert imported[0].details["imported"] == 3 and imported[0].details["rejected"] == []
    assert sum(e.action == "evidenced" for e in events) == 3
    assert verify_case(ledger.blobs, ledger.log, ledger.db).intact


def test_the_sheets_answers_survive_a_rebuild_from_custody(ledger: Case,
                                                           tmp_path: Path) -> None:
    """The sheet's evidence is in the custody log with everything needed to restore it."""
    ids = claim_ids(ledger)
    rows = sheet_rows(ledger)
    path = write_sheet(tmp_path / "answers.csv", [
        fill(rows["测试甲"], result="supports", origin="brother", by="ana")])
    report = import_sheet(ledger, path)
    ((_, eid),) = report.imported
    ev = [e for _, e in ledger.log.events_from(0) if e.action == "evidenced"]
    assert len(ev) == 1
    d = ev[0].details
    assert (d["evidence"], d["claim"], d["stance"], d["origin"], d["sha256"], d["key"]) == (
        eid, ids["测试甲"], "supports", "brother", report.sha256,
        f"sheet:{report.sha256[:16]}:row:2")


# -- bad rows -------------------------------------------------------------------------------------


def test_bad_rows_are_rejected_with_row_and_reason_good_rows_imported(
        ledger: Case, tmp_path: Path) -> None:
    ids = claim_ids(ledger)
    rows = sheet_rows(ledger)
    a, b, c = rows["测试甲"], rows["测试乙"], rows["测试丙"]
    ok = {"result": "supports", "origin": "brother, by phone", "by": "ana"}
    empty = dict.fromkeys(COLUMNS, "")
    sheet = [
        fill(a, **ok, date="2024-01-05"),                                    # 2 good
        fill(b, **ok, date="2024-02-30"),                                    # 3 bad date
        fill(b, **{**ok, "result": "maybe"}),                                # 4 bad result
        fill(b, **ok, source_type="carrier pigeon"),                         # 5 bad type
        fill(b, **{**ok, "origin": ""}),                                     # 6 no origin
        empty,                                                               # 7 blank
        fill(b, **ok, claim="999"),                                          # 8 no claim
        fill(b, **ok, claim="abc"),                                          # 9 not a number
        fill(a, **ok, statement=b["statement"]),                             # 10 moved row
        fill(b, **ok, claim=a["claim"]),                                     # 11 moved row
        fill(b, note="she was released in 2020"),                            # 12 no result
        fill(b, **ok, independent="perhaps"),                                # 13 bad flag
        fill(b, **{**ok, "by": ""}),                                         # 14 no one
        fill(c, result="contradicts", source_type="official-statement",
             origin="county office", date="2022", by="ben"),                 # 15 good
        c,                                                                   # 16 not done
        empty,                                                               # 17 blank
    ]
    path = write_sheet(tmp_path / "answers.csv", sheet)
    before = snapshot(ledger)

    report = import_sheet(ledger, path)

    assert report.rows == 16
    assert [n for n, _ in report.imported] == [2, 15]
    assert report.valid == 2
    assert [n for n, _ in report.skipped] == [7, 16, 17]
    assert all(why == "not done (result blank)" for _, why in report.skipped)
    why = by_row(report)
    assert sorted(why) == [3, 4, 5, 6, 8, 9, 10, 11, 12, 13, 14]
    assert "not a calendar date" in why[3] and "2024-02-30" in why[3]
    assert "'maybe' is neither supports nor contradicts" in why[4]
    assert "source type 'carrier pigeon'" in why[5]
    assert "origin is empty" in why[6]
    assert why[8] == "there is no claim 999 in this case"
    assert why[9] == "claim 'abc' is not a claim number"
    assert "statement does not read as claim" in why[10] and "moved" in why[10]
    assert f"claim {a['claim']}'s" in why[11]
    assert "result is blank but answers are filled in" in why[12]
    assert "'perhaps' is neither yes nor no" in why[13]
    assert "no one is named" in why[14]
    # the rejected row travels with its reason, as read
    rejected_rows = {n: row for n, _, row in report.rejected}
    assert rejected_rows[5]["source_type"] == "carrier pigeon"
    assert rejected_rows[12]["note"] == "she was released in 2020"

    # exactly the good rows became evidence, nothing else
    assert count(ledger, "evidence") == before[0] + 2
    assert count(ledger, "evidence_versions") == before[1] + 2
    assert count(ledger, "items") == before[2] + 1
    (ev_a,) = sheet_evidence(ledger, ids["测试甲"])
    assert (ev_a.current.dated, ev_a.current.origin) == ("2024-01-05", "brother, by phone")
    assert sheet_evidence(ledger, ids["测试乙"]) == []
    (ev_c,) = sheet_evidence(ledger, ids["测试丙"])
    assert (ev_c.current.stance, ev_c.current.by) == ("contradicts", "ben")
    assert {n: e for n, e in report.imported} == {2: ev_a.id, 15: ev_c.id}
    assert get_claim(ledger.db, ids["测试甲"]).status.name == "corroborated"
    assert get_claim(ledger.db, ids["测试乙"]).status.name == "single-source"
    assert get_claim(ledger.db, ids["测试丙"]).status.name == "contested"
    (event,) = [e for _, e in ledger.log.events_from(0) if e.action == "sheet-imported"]
    assert [r["row"] for r in event.details["rejected"]] == sorted(why)
    assert verify_case(ledger.blobs, ledger.log, ledger.db).intact


def test_a_sheet_with_only_bad_rows_stores_nothing(ledger: Case, tmp_path: Path) -> None:
    a = sheet_rows(ledger)["测试甲"]
    path = write_sheet(tmp_path / "answers.csv", [
        fill(a, result="supports", origin="", by="ana"), a])
    before = snapshot(ledger)
    report = import_sheet(ledger, path)
    assert sorted(by_row(report)) == [2] and [n for n, _ in report.skipped] == [3]
    assert report.imported == [] and report.valid == 0
    assert snapshot(ledger) == before
    assert not ledger.blobs.exists(report.sha256)


@pytest.mark.parametrize("claim", ["²", "99999999999999999999999"])
def test_an_odd_claim_number_is_only_a_rejected_row(ledger: Case, tmp_path: Path,
                                                    claim: str) -> None:
    a = sheet_rows(ledger)["测试甲"]
    ok = {"result": "supports", "origin": "brother", "by": "ana"}
    path = write_sheet(tmp_path / "answers.csv", [fill(a, **ok), fill(a, **ok, claim=claim)])
    report = import_sheet(ledger, path)
    assert [n for n, _ in report.imported] == [2]
    assert sorted(by_row(report)) == [3]


def test_row_numbers_count_empty_lines_as_a_spreadsheet_does(ledger: Case,
                                                             tmp_path: Path) -> None:
    a = sheet_rows(ledger)["测试甲"]
    path = write_sheet(tmp_path / "answers.csv", [fill(a, result="supports", origin="x",
                                                      by="ana", date="2024-13")])
    header, row = path.read_text("utf-8-sig").splitlines()
    path.write_text(f"{header}\n\n{row}\n", "utf-8")  # spreadsheet rows 1, 2 (empty), 3
    report = import_sheet(ledger, path, dry_run=True)
    assert sorted(by_row(report)) == [3]


def test_cells_with_quotes_and_commas_read_as_written(ledger: Case, tmp_path: Path) -> None:
    a = sheet_rows(ledger)["测试甲"]
    origin = 'the "Almaty" office, by phone'
    path = write_sheet(tmp_path / "answers.csv", [
        fill(a, result="supports", origin=origin, date="2024", by="ana", note='said "yes"')])
    assert f'"{origin.replace(chr(34), chr(34) * 2)}"' in path.read_text("utf-8-sig")
    report = import_sheet(ledger, path)
    assert report.rejected == [] and [n for n, _ in report.imported] == [2]
    (ev,) = sheet_evidence(ledger, claim_ids(ledger)["测试甲"])
    assert (ev.current.origin, ev.current.dated, ev.current.note) == (
        origin, "2024", 'said "yes"')


# -- importing again, dry run ---------------------------------------------------------------------


def test_importing_the_same_file_again_adds_nothing(ledger: Case, tmp_path: Path) -> None:
    ids = claim_ids(ledger)
    rows = sheet_rows(ledger)
    path = write_sheet(tmp_path / "answers.csv", [
        fill(rows["测试甲"], result="supports", origin="brother", by="ana"),
        fill(rows["测试乙"], result="contradicts", origin="neighbour", by="ana"),
        rows["测试丙"]])
    first = import_sheet(ledger, path)
    assert [n for n, _ in first.imported] == [2, 3]
    after_first = snapshot(ledger)

    again = import_sheet(ledger, path)
    assert again.imported == [] and again.rejected == [] and again.valid == 0
    assert again.skipped == [(2, "already imported from this file"),
                             (3, "already imported from this file"),
                             (4, "not done (result blank)")]
    assert snapshot(ledger) == after_first  # not even a custody event
    assert len(sheet_evidence(ledger, ids["测试甲"])) == 1
    # a dry run of it finds nothing to do either
    assert import_sheet(ledger, path, dry_run=True).valid == 0
    # the same file under another name is the same file
    copy = tmp_path / "answers (1).csv"
    copy.write_bytes(path.read_bytes())
    assert import_sheet(ledger, copy).imported == []
    assert snapshot(ledger) == after_first


def test_dry_run_stores_nothing_but_counts_the_valid_rows(ledger: Case, tmp_path: Path
                                                         ) -> None:
    ids = claim_ids(ledger)
    rows = sheet_rows(ledger)
    path = write_sheet(tmp_path / "answers.csv", [
        fill(rows["测试甲"], result="supports", origin="brother", by="ana"),
        fill(rows["测试乙"], result="contradicts", origin="neighbour", by="ana"),
        fill(rows["测试丙"], result="supports", origin="", by="ana")])
    before = snapshot(ledger)
    report = import_sheet(ledger, path, dry_run=True)
    assert report.dry_run is True and report.to_json()["dry_run"] is True
    assert report.valid == 2 and report.imported == []
    assert sorted(by_row(report)) == [4]
    assert snapshot(ledger) == before
    assert not ledger.blobs.exists(report.sha256)
    assert get_claim(ledger.db, ids["测试甲"]).status.name == "single-source"
    # the real import afterwards does what the dry run said
    real = import_sheet(ledger, path)
    assert len(real.imported) == real.valid == 2
    assert get_claim(ledger.db, ids["测试甲"]).status.name == "corroborated"


# -- files that are not sheets --------------------------------------------------------------------


def test_a_file_without_the_sheet_columns_is_refused_whole(ledger: Case, tmp_path: Path
                                                          ) -> None:
    before = snapshot(ledger)
    no_columns = write_csv(tmp_path / "other.csv", [
        ["id", "answer", "origin"], ["1", "supports", "brother"]])
    with pytest.raises(ScrutinyError, match="not a field sheet: no column claim, result"):
        import_sheet(ledger, no_columns, by="ana")
    only_some = write_sheet(tmp_path / "partial.csv", [
        {"claim": "1", "result": "supports", "origin": "brother"}],
        columns=("claim", "result", "origin"))
    with pytest.raises(ScrutinyError, match="no column source_type"):
        import_sheet(ledger, only_some, by="ana")
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(ScrutinyError, match="not a field sheet"):
        import_sheet(ledger, empty, by="ana")
    assert snapshot(ledger) == before
    for p in (no_columns, only_some, empty):
        assert not ledger.blobs.exists(sha256_of(p))


def test_a_file_that_is_not_utf8_is_refused_whole(ledger: Case, tmp_path: Path) -> None:
    rows = sheet_rows(ledger)
    # as Excel's "CSV" (not "CSV UTF-8") writes it on a Chinese system
    path = write_sheet(tmp_path / "answers.csv", [
        fill(rows["测试甲"], result="supports", origin="哥哥", by="ana")], encoding="gb18030")
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    before = snapshot(ledger)
    with pytest.raises(ScrutinyError, match="not UTF-8") as exc:
        import_sheet(ledger, path)
    assert "Nothing was imported" in str(exc.value)
    with pytest.raises(ScrutinyError, match="not UTF-8"):
        import_sheet(ledger, path, dry_run=True)
    assert snapshot(ledger) == before
    assert not ledger.blobs.exists(sha256_of(path))


def test_a_missing_file_is_an_error(ledger: Case, tmp_path: Path) -> None:
    with pytest.raises(ScrutinyError, match="cannot read"):
        import_sheet(ledger, tmp_path / "nowhere.csv")


# -- rejects --------------------------------------------------------------------------------------


def test_rejects_can_be_read_back_fixed_and_imported(ledger: Case, tmp_path: Path) -> None:
    ids = claim_ids(ledger)
    rows = sheet_rows(ledger)
    path = write_sheet(tmp_path / "answers.csv", [
        fill(rows["测试甲"], result="supports", origin="brother", by="ana"),
        fill(rows["测试乙"], result="supports", origin="sister", by="ana", date="2024-13"),
        fill(rows["测试丙"], result="perhaps", origin="uncle", by="ana", note="a, b; c")])
    report = import_sheet(ledger, path)
    assert [n for n, _ in report.imported] == [2]

    out = io.StringIO(newline="")
    assert write_rejects(report, out) == 2
    reader = csv.DictReader(io.StringIO(out.getvalue(), newline=""))
    back = list(reader)
    assert reader.fieldnames is not None
    assert reader.fieldnames[:2] == ["rejected_because", "row"]
    assert set(COLUMNS) <= set(reader.fieldnames)
    assert [(r["row"], r["claim"]) for r in back] == [
        ("3", str(ids["测试乙"])), ("4", str(ids["测试丙"]))]
    assert "has no month 13" in back[0]["rejected_because"]
    assert "neither supports nor contradicts" in back[1]["rejected_because"]
    assert back[1]["note"] == "a, b; c" and back[0]["origin"] == "sister"
    assert back[0]["statement"] == rows["测试乙"]["statement"]

    # the team fixes the rows in the rejects file and sends it back: it imports
    back[0]["date"] = "2024-12"
    back[1]["result"] = "supports"
    fixed = tmp_path / "fixed.csv"
    with open(fixed, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.DictWriter(f, fieldnames=reader.fieldnames)
        w.writeheader()
        w.writerows(back)
    again = import_sheet(ledger, fixed)
    assert again.rejected == [] and [n for n, _ in again.imported] == [2, 3]
    assert get_claim(ledger.db, ids["测试乙"]).status.name == "corroborated"
    (ev,) = sheet_evidence(ledger, ids["测试乙"])
    assert ev.current.dated == "2024-12"


def test_no_rejects_writes_nothing(ledger: Case, tmp_path: Path) -> None:
    a = sheet_rows(ledger)["测试甲"]
    report = import_sheet(ledger, write_sheet(tmp_path / "s.csv", [
        fill(a, result="supports", origin="brother", by="ana")]))
    out = io.StringIO()
    assert write_rejects(report, out) == 0 and out.getvalue() == ""


# -- what spreadsheets write ----------------------------------------------------------------------


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_a_semicolon_or_tab_delimited_sheet_imports(ledger: Case, tmp_path: Path,
                                                    delimiter: str) -> None:
    ids = claim_ids(ledger)
    rows = sheet_rows(ledger)
    path = write_sheet(tmp_path / "answers.csv", [
        fill(rows["测试甲"], result="supports", origin="mother, by phone", date="2024-03-01",
             by="ana"),
        fill(rows["测试乙"], result="contradicts", origin="neighbour; in person", by="ana"),
        rows["测试丙"]], delimiter=delimiter)
    assert path.read_text("utf-8-sig").splitlines()[0] == delimiter.join(COLUMNS)
    report = import_sheet(ledger, path)
    assert report.rejected == [] and [n for n, _ in report.imported] == [2, 3]
    assert [n for n, _ in report.skipped] == [4]
    (a,) = sheet_evidence(ledger, ids["测试甲"])
    assert (a.current.origin, a.current.dated) == ("mother, by phone", "2024-03-01")
    (b,) = sheet_evidence(ledger, ids["测试乙"])
    assert b.current.origin == "neighbour; in person"
    assert get_claim(ledger.db, ids["测试甲"]).status.name == "corroborated"
    assert get_claim(ledger.db, ids["测试乙"]).status.name == "contested"


def test_a_sheet_with_upper_case_headers_fewer_columns_and_crlf_imports(
        ledger: Case, tmp_path: Path) -> None:
    ids = claim_ids(ledger)
    a = sheet_rows(ledger)["测试甲"]
    columns = ("Claim", "Statement", "Result", "Source_Type", "Origin", "By")
    path = tmp_path / "answers.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)  # excel dialect: CRLF line ends
        w.writerow(columns)
        w.writerow([a["claim"], a["statement"], "Confirmed", "", "brother", "ana"])
    assert b"\r\n" in path.read_bytes()
    report = import_sheet(ledger, path)
    assert report.rejected == [] and [n for n, _ in report.imported] == [2]
    (ev,) = sheet_evidence(ledger, ids["测试甲"])
    # a blank source type is "other", presumed independent
    assert (ev.current.stance, ev.current.source_type, ev.current.independent) == (
        "supports", "other", True)
