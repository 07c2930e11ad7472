"""Importing reference databases (victim lists): formats, mapping, versions, custody, hostile
input."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from scrutiny.case import Case
from scrutiny.cli import main
from scrutiny.core import ScrutinyError
from scrutiny.extract.base import Limits
from scrutiny.ingest import ingest
from scrutiny.link.reference import (
    add_reference,
    iter_entries,
    list_references,
    map_reference_header,
    newest_set,
)
from scrutiny.store.integrity import verify_case
from scrutiny.synth.leak import LeakConfig, generate_leak
from tests.conftest import PASSPHRASE

ID_A = "653222199001011232"   # valid, male, born 1990-01-01
ID_B = "65322219850315002X"


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synth") / "synthetic"
    generate_leak(out, LeakConfig(people=40, photos=0, seed=11))
    return out


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> Path:
    with open(path, "w", encoding=encoding, newline="") as f:
        csv.writer(f).writerows(rows)
    return path


def entries(case: Case, set_id: int) -> list[dict[str, object]]:
    return [{"key": e.entry_key, "name": e.name, "name_alt": e.name_alt, "id": e.id_number,
             "sex": e.sex, "birth": e.birth_date, "year": e.birth_year, "county": e.county,
             "status": e.status, "location": e.location, "fields": e.fields}
            for e in iter_entries(case.db, set_id)]


def state(case: Case) -> tuple[int, int, int, int]:
    """What an import writes: sets, entries, items, custody events."""
    db = case.db
    return (db.execute("SELECT count(*) FROM reference_sets").fetchone()[0],
            db.execute("SELECT count(*) FROM reference_entries").fetchone()[0],
            db.execute("SELECT count(*) FROM items").fetchone()[0], case.log.head.seq)


# -- the synthetic victim database ----------------------------------------------------------


def test_synthetic_victims_csv_imports_with_every_column_mapped(
        case: Case, synthetic: Path) -> None:
    path = synthetic / "reference" / "victims.csv"
    s = add_reference(case, "victims", path, actor="ana")
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert s.entries == len(rows) and s.rows == len(rows) and s.malformed == 0
    assert [c.field for c in s.columns[""]] == [
        "entry_key", "name", "name_alt", "sex", "birth_date", "county", "id_number",
        "status", "source"]
    got = {e["key"]: e for e in entries(case, s.set_id)}
    for row in rows:
        e = got[row["entry_id"]]
        assert e["name"] == (row["name"] or None)
        assert e["name_alt"] == (row["name_ug"] or None)
        assert e["id"] == (row["id_number"] or None)
        assert e["sex"] == {"male": "M", "female": "F", "": None}[row["gender"]]
        assert e["county"] == (row["hometown"] or None)
        assert e["status"] == row["status"]
        birth = row["birth"]
        assert e["birth"] == (birth or None)
        assert e["year"] == (int(birth[:4]) if birth else None)
        if len(birth) == 4:  # a bare year keeps the year form records use
            assert e["fields"]["birth_date_precision"] == "year"  # type: ignore[index]
    assert any(e["name"] is None and e["name_alt"] for e in got.values()) or all(
        r["name"] for r in rows)


def test_custody_records_the_file_and_verify_stays_intact(case: Case, synthetic: Path,
                                                          tmp_path: Path) -> None:
    path = synthetic / "reference" / "victims.csv"
    s = add_reference(case, "victims", path, actor="ana", note="via an advocacy group")
    events = case.log.tail(4)
    assert [e.action for e in events] == ["run-started", "received", "reference-imported",
                                          "run-finished"]
    assert events[1].subject == s.sha256 and events[2].details["version"] == 1
    assert events[2].details["entries"] == s.entries and events[1].actor == "ana"
    item = case.db.execute("SELECT size, mime FROM items WHERE sha256 = ?",
                           (s.sha256,)).fetchone()
    assert item[0] == path.stat().st_size
    assert case.blobs.rehash(s.sha256) == s.sha256
    stored = case.db.execute("SELECT sha256, file_name, imported_by, note FROM "
                             "reference_sets").fetchone()
    assert tuple(stored) == (s.sha256, "victims.csv", "ana", "via an advocacy group")
    report = verify_case(case.blobs, case.log, case.db)
    assert report.intact and not report.unregistered
    root = case.paths.root
    case.close()
    result = CliRunner().invoke(main, ["custody", "verify", str(root), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["intact"] is True


def test_a_reference_file_never_becomes_leak_records(case: Case, synthetic: Path) -> None:
    """Extraction reads what the leak holds; a victim list imported with ``reference add``
    stays a reference (its rows would otherwise be linked against themselves)."""
    from scrutiny.extract.run import extract_case

    ingest(case, [synthetic / "leak"])
    extract_case(case, workers=0)
    before = case.db.execute("SELECT count(*) FROM records").fetchone()[0]
    assert before > 0
    s = add_reference(case, "victims", synthetic / "reference" / "victims.csv", actor="ana")
    extract_case(case, workers=0)
    assert case.db.execute("SELECT count(*) FROM records").fetchone()[0] == before
    assert case.db.execute("SELECT count(*) FROM records WHERE sha256 = ?",
                           (s.sha256,)).fetchone()[0] == 0


def test_versions_and_the_identical_file_no_op(case: Case, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "v.csv", [["name", "id_number"], ["Memet Tursun", ID_A]])
    first = add_reference(case, "victims", path)
    before = state(case)
    again = add_reference(case, "victims", path)
    assert again.unchanged and again.version == 1 and again.entries == 1
    assert state(case) == before  # nothing written, not even a custody event
    write_csv(path, [["name", "id_number"], ["Memet Tursun", ID_A], ["Ayshem Ablet", ID_B]])
    second = add_reference(case, "victims", path)
    assert (second.version, second.entries, second.unchanged) == (2, 2, False)
    other = add_reference(case, "testimonies", path)  # same bytes, another name
    assert other.version == 1 and not other.unchanged
    assert not other.notes
    (tmp_path / "leak").mkdir()
    (tmp_path / "leak" / "roster.csv").write_bytes(path.read_bytes())
    ingest(case, [tmp_path / "leak"])  # the same bytes arrive as part of the leak
    leaked = add_reference(case, "copied", path)
    assert "is this database really independent" in next(iter(leaked.notes))
    remapped = add_reference(case, "victims", path, mapping={"id_number": ""})
    assert remapped.version == 3  # same bytes, another mapping: a new version
    sets = list_references(case.db)
    assert [(r.name, r.version, r.newest) for r in sets] == [
        ("copied", 1, True), ("testimonies", 1, True), ("victims", 1, False), ("victims", 2, False),
        ("victims", 3, True)]
    assert newest_set(case.db, "victims").id == remapped.set_id
    assert len(list(iter_entries(case.db, first.set_id))) == 1  # older versions stay
    assert all(e.id_number is None for e in iter_entries(case.db, remapped.set_id))
    with pytest.raises(ScrutinyError, match="known: copied, testimonies, victims"):
        newest_set(case.db, "nobody")


# -- formats --------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig", "utf-16"])
def test_csv_encodings_and_chinese_headers(case: Case, tmp_path: Path, encoding: str) -> None:
    path = write_csv(tmp_path / "名单.csv", [
        ["序号", "姓名", "性别", "出生年月", "身份证号", "籍贯", "关押场所"],
        ["1", "买买提·吐尔逊", "男", "1990年1月", ID_A, "墨玉县", "墨玉县职业技能教育培训中心"],
        ["2", "阿依古丽·艾力", "女", "1985.3.15", ID_B, "和田县", ""],
    ], encoding)
    s = add_reference(case, "list", path)
    assert s.entries == 2
    assert [c.field for c in s.columns[""]] == [
        "serial", "name", "sex", "birth_date", "id_number", "county", "facility"]
    a, b = entries(case, s.set_id)
    assert (a["name"], a["sex"], a["birth"], a["year"], a["county"]) == (
        "买买提·吐尔逊", "M", "1990-01", 1990, "墨玉县")
    assert a["fields"]["facility"] == "墨玉县职业技能教育培训中心"  # type: ignore[index]
    assert (b["birth"], b["id"]) == ("1985-03-15", ID_B)
    expected = {"gb18030": "gb18030", "utf-8-sig": "utf-8-sig", "utf-16": "utf-16-le"}[encoding]
    assert s.read["Text:Encoding"] == expected


def test_xlsx_with_numbers_dates_and_a_sheet_without_people(case: Case,
                                                            tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "victims"
    ws.append(["Victim ID", "Name", "Name (Uyghur)", "Gender", "Year of birth",
               "Place of origin", "ID number", "Status"])
    ws.append([101, "Memet Tursun", "مەمەت تۇرسۇن", "Male", 1962, "Karakax", ID_A, "detained"])
    ws.append([102, "Ayshem Ablet", None, "female", dt.datetime(1985, 3, 15), "Hotan", None,
               "missing"])
    ws.append([103, None, "ئايگۈل", None, None, None, None, None])
    notes = wb.create_sheet("notes")
    notes.append(["compiled by", "date"])
    notes.append(["a research group", "2020-01-01"])
    path = tmp_path / "victims.xlsx"
    wb.save(path)
    s = add_reference(case, "victims", path)
    assert s.format == "xlsx" and s.entries == 3
    assert [c.field for c in s.columns["sheet:victims"]] == [
        "entry_key", "name", "name_alt", "sex", "birth_date", "county", "id_number", "status"]
    a, b, c = entries(case, s.set_id)
    assert (a["key"], a["birth"], a["year"], a["sex"], a["county"]) == (
        "101", "1962", 1962, "M", "Karakax")
    assert a["location"] == "sheet:victims!row:2"
    assert (b["birth"], b["year"], b["sex"], b["id"]) == ("1985-03-15", 1985, "F", None)
    assert (c["name"], c["name_alt"]) == (None, "ئايگۈل")  # a name in Arabic script only
    assert s.skipped["its table has no name or ID column"] == 1


def test_json_lines(case: Case, tmp_path: Path) -> None:
    path = tmp_path / "victims.jsonl"
    lines = [
        json.dumps({"id": "E1", "name": "Memet Tursun", "gender": "male", "birth": "1962"}),
        "",
        json.dumps({"id": "E2", "name": "Ayshem Ablet", "birth": "1985-03-15",
                    "id_number": ID_B, "uyghur name": "ئايشەم ئابلەت",
                    "sources": ["testimony", "media report"]}),
        "{not json",
        json.dumps(["a", "list"]),
        json.dumps({"id": "E5", "name": "Nested", "address": {"county": "Hotan"}}),
    ]
    path.write_text("\n".join(lines) + "\n", "utf-8")
    s = add_reference(case, "jl", path)
    assert s.format == "jsonl" and s.entries == 2 and s.malformed == 3
    assert [p.split(":", 2)[1] for p in s.problems] == ["4", "5", "6"]
    assert "not valid JSON" in s.problems[0] and "not an object" in s.problems[1]
    assert "under 'address'" in s.problems[2]
    a, b = entries(case, s.set_id)
    assert (a["key"], a["sex"], a["year"], a["location"]) == ("E1", "M", 1962, "line:1")
    assert (b["id"], b["name_alt"]) == (ID_B, "ئايشەم ئابلەت")
    assert b["fields"]["source"] == "testimony; media report"  # type: ignore[index]


def test_followthemoney_people(case: Case, tmp_path: Path) -> None:
    path = tmp_path / "entities.ftm.json"
    entities = [
        {"id": "p1", "schema": "Person", "properties": {
            "name": ["Memet Tursun", "Mehmet Tursun"], "birthDate": ["1962"],
            "gender": ["male"], "idNumber": [ID_A], "nationality": ["cn"],
            "birthPlace": ["Karakax"], "address": ["Hotan, Karakax"]}},
        {"id": "c1", "schema": "Company", "properties": {"name": ["Hotan Textiles"]}},
        {"id": "l1", "schema": "LegalEntity", "properties": {
            "name": ["Ayshem Ablet"], "gender": ["female"], "alias": ["Ayshem"]}},
        {"id": "l2", "schema": "LegalEntity", "properties": {"name": ["A Foundation"]}},
        {"id": "bad", "schema": "Person"},
    ]
    path.write_text("\n".join(json.dumps(e, ensure_ascii=False) for e in entities) + "\n",
                    "utf-8")
    s = add_reference(case, "ftm", path)
    assert s.format == "ftm" and s.entries == 2 and s.malformed == 1
    assert s.skipped == {"not a person (Company)": 1, "not a person (LegalEntity)": 1}
    a, b = entries(case, s.set_id)
    assert (a["key"], a["name"], a["name_alt"], a["id"], a["sex"], a["year"],
            a["county"]) == ("p1", "Memet Tursun", "Mehmet Tursun", ID_A, "M", 1962, "Karakax")
    assert a["fields"]["nationality"] == "cn"  # type: ignore[index]
    assert (b["key"], b["name_alt"], b["sex"]) == ("l1", "Ayshem", "F")
    raw = json.loads(case.db.execute("SELECT raw FROM reference_entries WHERE entry_key = "
                                     "'p1'").fetchone()[0])
    assert raw["properties"]["name"] == ["Memet Tursun", "Mehmet Tursun"]  # kept as is


# -- mapping --------------------------------------------------------------------------------


def test_reference_aliases_are_layered_on_the_roster_aliases() -> None:
    cols = map_reference_header(["entry_id", "name", "name_ug", "gender", "birth",
                                 "hometown", "id_number", "status", "source"])
    assert [(c.field, c.how) for c in cols] == [
        ("entry_key", "exact"), ("name", "exact"), ("name_alt", "exact"), ("sex", "exact"),
        ("birth_date", "exact"), ("county", "exact"), ("id_number", "exact"),
        ("status", "exact"), ("source", "exact")]
    # exact matches win over a column that merely contains an alias, whatever the order
    cols = map_reference_header(["victim name (as reported)", "Name", "ID", "Uyghur name"])
    assert [c.field for c in cols] == [None, "name", "entry_key", "name_alt"]
    cols = map_reference_header(["Full name", "x"], {"Full name": "name", "2": "county"})
    assert [(c.field, c.how) for c in cols] == [("name", "override"), ("county", "override")]
    with pytest.raises(ScrutinyError, match="unknown field"):
        map_reference_header(["x"], {"x": "shoe size"})


def test_mapping_override_makes_an_unknown_table_importable(case: Case,
                                                            tmp_path: Path) -> None:
    path = write_csv(tmp_path / "odd.csv", [["Person", "Born in"], ["Memet Tursun", "1962"]])
    with pytest.raises(ScrutinyError, match=r"not a table of people.*--mapping"):
        add_reference(case, "odd", path)
    s = add_reference(case, "odd", path, mapping={"Person": "name", "2": "birth_date"})
    assert s.entries == 1 and s.columns[""][0].how == "override"
    stored = json.loads(case.db.execute("SELECT mapping FROM reference_sets").fetchone()[0])
    assert stored["overrides"] == {"Person": "name", "2": "birth_date"}
    assert stored["columns"][""][1] == {"col": 2, "header": "Born in", "field": "birth_date",
                                        "how": "override"}


# -- hostile and broken input ---------------------------------------------------------------


def test_malformed_rows_are_reported_and_skipped(case: Case, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("name,id_number,birth\n"
                    "Memet Tursun,653222199001011232,1962\n"
                    "Ayshem, Ablet,653222198503150028,1985\n"      # unquoted comma
                    ",,1970\n"                                     # nobody
                    f"{'x' * 20_000},,1970\n"                      # a cell too long
                    "Tursun Ablet,12345,someday\n", "utf-8")
    s = add_reference(case, "bad", path)
    assert (s.entries, s.rows, s.malformed) == (2, 5, 2)
    assert s.skipped == {"no name or ID number": 1}
    assert s.problems == [
        "row:3: 4 cells but the header has 3 columns (an unquoted delimiter?)",
        "row:4: skipped: no name or ID number",
        "row:5: a cell of 20,000 characters (over 10,000)"]
    assert s.notes == {"birth date not understood (kept in raw)": 1,
                       "ID number neither 15 nor 18 characters": 1}
    last = entries(case, s.set_id)[-1]
    assert last["birth"] is None and last["id"] == "12345"


@pytest.mark.parametrize("content,message", [
    (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, "not a table"),
    (b"", "empty"),
    (b'[{"name": "x"}]', "JSON array"),
    (b"Dear editor,\nI write about my brother who was taken in 2017.\nHe is a teacher.\n",
     "not a table of people"),
    (b"name,id_number\n", "a header but no rows"),
    (b"name,id_number\n" + b"Memet Tursun,\n" * 100_000 + b"\xff\xfe\x00 garbage\n",
     "could not be read to the end.*stops being valid utf-8"),
])
def test_a_file_that_is_not_a_table_is_refused_with_nothing_written(
        case: Case, tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "input.csv"
    path.write_bytes(content)
    before = state(case)
    with pytest.raises(ScrutinyError, match=message):
        add_reference(case, "victims", path)
    assert state(case) == before
    assert not list(case.blobs.stored_names())
    assert verify_case(case.blobs, case.log, case.db).intact


def test_limits(case: Case, tmp_path: Path) -> None:
    rows = [["name", "id_number"]] + [[f"Person {i}", ""] for i in range(50)]
    path = write_csv(tmp_path / "many.csv", rows)
    before = state(case)
    with pytest.raises(ScrutinyError, match="over the limit"):
        add_reference(case, "v", path, limits=Limits(max_bytes=100))
    with pytest.raises(ScrutinyError, match=r"more than 10 rows.*Nothing was imported"):
        add_reference(case, "v", path, limits=Limits(max_rows=10))
    jl = tmp_path / "many.jsonl"
    jl.write_text("".join(json.dumps({"name": f"P {i}"}) + "\n" for i in range(20)), "utf-8")
    with pytest.raises(ScrutinyError, match="more than 10 lines"):
        add_reference(case, "v", jl, limits=Limits(max_rows=10))
    assert state(case) == before
    inside = case.paths.root / "x.csv"
    inside.write_text("name\nA\n", "utf-8")
    with pytest.raises(ScrutinyError, match="inside the case folder"):
        add_reference(case, "v", inside)
    with pytest.raises(ScrutinyError, match="needs a name"):
        add_reference(case, "  ", path)


def test_a_large_list_streams_in_batches(case: Case, tmp_path: Path) -> None:
    def rows() -> Iterator[list[str]]:
        yield ["entry_id", "name", "birth"]
        for i in range(5_500):
            yield [f"E{i}", f"Person {i}", str(1950 + i % 50)]

    path = tmp_path / "big.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows())
    seen: list[tuple[int, int]] = []
    s = add_reference(case, "big", path, progress=lambda stage, done, total: seen.append(
        (done, total)))
    assert s.entries == 5_500
    assert seen[-1] == (path.stat().st_size, path.stat().st_size) and len(seen) >= 5
    keys = [e.entry_key for e in iter_entries(case.db, s.set_id, batch=1000)]
    assert keys == [f"E{i}" for i in range(5_500)]


def test_encrypted_case(encrypted_case: Case, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "v.csv", [["name", "id_number"], ["Memet Tursun", ID_A]])
    s = add_reference(encrypted_case, "victims", path)
    assert s.entries == 1
    assert encrypted_case.blobs.rehash(s.sha256) == s.sha256
    assert verify_case(encrypted_case.blobs, encrypted_case.log, encrypted_case.db).intact
    stored = encrypted_case.blobs.path_for(s.sha256).read_bytes()
    assert b"Memet" not in stored


# -- CLI ------------------------------------------------------------------------------------


def test_cli_reference_add_and_list(tmp_path: Path, synthetic: Path) -> None:
    runner = CliRunner()
    root = tmp_path / "case"
    env = {"SCRUTINY_ACTOR": "ana"}
    assert runner.invoke(main, ["init", str(root)], env=env).exit_code == 0
    victims = str(synthetic / "reference" / "victims.csv")
    r = runner.invoke(main, ["reference", "add", str(root), "victims", victims, "--note",
                             "from testimonies", "--json"], env=env)
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["version"] == 1 and out["entries"] > 0 and out["unchanged"] is False
    assert out["mapping"][""][0] == {"col": 1, "header": "entry_id", "field": "entry_key",
                                     "how": "exact"}
    r = runner.invoke(main, ["reference", "add", str(root), "victims", victims], env=env)
    assert r.exit_code == 0 and "nothing imported" in r.stdout
    mapping = tmp_path / "map.json"
    mapping.write_text(json.dumps({"status": ""}), "utf-8")
    r = runner.invoke(main, ["reference", "add", str(root), "victims", victims, "--mapping",
                             str(mapping), "--not-independent"], env=env)
    assert r.exit_code == 0, r.output
    assert "version 2" in r.stdout and "entry_key" in r.stdout
    r = runner.invoke(main, ["reference", "list", str(root), "--json"])
    listed = json.loads(r.stdout)
    assert [(x["version"], x["independent"], x["newest"], x["imported_by"]) for x in listed] \
        == [(1, True, False, "ana"), (2, False, True, "ana")]
    r = runner.invoke(main, ["reference", "list", str(root)])
    assert r.exit_code == 0 and "csv" in r.stdout
    bad = tmp_path / "photo.csv"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(300))
    r = runner.invoke(main, ["reference", "add", str(root), "victims", str(bad)])
    assert r.exit_code == 2 and "not a table" in r.stderr


def test_cli_encrypted_case(tmp_path: Path, encrypted_case: Case) -> None:
    root = encrypted_case.paths.root
    encrypted_case.close()
    path = write_csv(tmp_path / "v.csv", [["name", "id_number"], ["Memet Tursun", ID_A]])
    runner = CliRunner()
    r = runner.invoke(main, ["reference", "add", str(root), "v", str(path), "--json"],
                      env={"SCRUTINY_PASSPHRASE": PASSPHRASE})
    assert r.exit_code == 0, r.output
    r = runner.invoke(main, ["reference", "list", str(root), "--json"],
                      env={"SCRUTINY_PASSPHRASE": PASSPHRASE})
    assert json.loads(r.stdout)[0]["entries"] == 1
