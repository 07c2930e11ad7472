"""``scrutiny export``: JSON Lines, CSV and FollowTheMoney exports of a synthetic case,
redacted by default (no ID number, full birth date or phone number of the case in any byte),
complete with --no-redact, recorded in the chain of custody."""

from __future__ import annotations

import csv
import errno
import hashlib
import io
import json
import os
import re
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from scrutiny.case import Case
from scrutiny.checks.run import check_case
from scrutiny.cli import main
from scrutiny.console import console, err_console
from scrutiny.core import ScrutinyError
from scrutiny.export import COLUMNS, export_case, tables
from scrutiny.extract.run import extract_case
from scrutiny.ingest import ingest
from scrutiny.ledger.auto import derive_claims
from scrutiny.ledger.store import add_claim, add_evidence
from scrutiny.link.reference import add_reference
from scrutiny.link.review import judge
from scrutiny.redact import (
    birth_dates_in,
    birth_year,
    county_of_address,
    header_kind,
    key_kind,
    redact_text,
    redact_value,
)
from scrutiny.store.integrity import verify_case
from scrutiny.synth.leak import LeakConfig, generate_leak
from tests.conftest import PASSPHRASE, fast_kdf

# fictional people in odd formats (grouped and 15-digit IDs, +86 and landline phones, a
# Chinese birth date, an ID, a phone and a birth date inside a note)
EXTRA_ROSTER = [
    ["姓名", "身份证号", "性别", "出生日期", "联系电话", "户籍地址", "关系", "备注"],
    ["测试甲", "653122 19850312 0017", "男", "1985年3月12日", "+86 138 0013 8000",
     "新疆维吾尔自治区喀什地区疏勒县喀拉苏乡3村2组5号", "",
     "妻子电话 0998-2345678，身份证号 65312219860101002X，1986-01-01出生"],
    ["测试乙", "65312219860101002X", "女", "1986-01-01", "0998 234 5678", "", "妻子", ""],
    ["测试丙", "653122850312001", "男", "1979-07-30", "13900000003", "喀什市英也尔乡幸福村", "",
     ""],
]
EXTRA_REFERENCE = [
    ["entry_id", "name", "gender", "birth", "hometown", "id_number", "address"],
    ["EX-0001", "Test Person", "male", "1985-03-12", "Kashgar", "653122198503120017",
     "Village 3, Kona Sheher County"],
]
RAW_FORMS = ["653122 19850312 0017", "+86 138 0013 8000", "0998-2345678", "0998 234 5678",
             "1985年3月12日", "喀拉苏乡", "幸福村"]
"""Values as the extra roster writes them, which no redacted export may hold either."""
ID_LIKE = re.compile(r"(?<!\d)(?:\d{17}[\dXx]|\d{15})(?!\d)")
FORMATS = ("json", "csv", "ftm")


def _write_csv(path: Path, rows: list[list[str]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)


def _fake_run(case: Case, set_name: str) -> int:
    return int(case.db.execute(
        "INSERT INTO link_runs(kind, set_id, backend, threshold, model, started_at, "
        "finished_at, actor) SELECT 'reference', id, 'duckdb', 0.5, '{}', 't', 't', 'test' "
        "FROM reference_sets WHERE name = ?", (set_name,)).lastrowid)


def _fake_match(case: Case, run: int, record: int, entry: int) -> int:
    """A match with an explanation like the engine's, quoting ID numbers and birth dates."""
    rec = case.db.execute("SELECT name, id_number, birth_date FROM records WHERE id = ?",
                          (record,)).fetchone()
    ent = case.db.execute("SELECT name, id_number, birth_date FROM reference_entries "
                          "WHERE id = ?", (entry,)).fetchone()
    explanation = [
        {"comparison": "name", "level": "same folded components", "bayes_factor": 60.0,
         "left": rec[0], "right": ent[0]},
        {"comparison": "id_number", "level": "exact", "bayes_factor": 900.0, "left": rec[1],
         "right": ent[1]},
        {"comparison": "birth", "level": "same birth date", "bayes_factor": 120.0,
         "left": rec[2], "right": ent[2]}]
    return int(case.db.execute(
        "INSERT INTO matches(run_id, left_record, right_entry, probability, weight, "
        "explanation) VALUES (?, ?, ?, 0.97, 5.0, ?)",
        (run, record, entry, json.dumps(explanation, ensure_ascii=False))).lastrowid)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A case with records (synthetic leak + the extra roster), findings, two reference
    databases, an accepted and a pending match, and claims with evidence."""
    root = tmp_path_factory.mktemp("export")
    generate_leak(root / "synth", LeakConfig(people=30, photos=5, seed=11))
    _write_csv(root / "synth" / "leak" / "rosters" / "extra.csv", EXTRA_ROSTER)
    _write_csv(root / "extra_reference.csv", EXTRA_REFERENCE)
    with Case.create(root / "case", actor="test") as case:
        ingest(case, [root / "synth" / "leak"], actor="test")
        extract_case(case, workers=0)
        check_case(case, actor="test")
        add_reference(case, "victims", root / "synth" / "reference" / "victims.csv")
        add_reference(case, "extra", root / "extra_reference.csv")
        jia = int(case.db.execute("SELECT id FROM records WHERE name = '测试甲'").fetchone()[0])
        entry = int(case.db.execute("SELECT id FROM reference_entries WHERE entry_key = "
                                    "'EX-0001'").fetchone()[0])
        first = int(case.db.execute("SELECT min(id) FROM records WHERE source = 'table' "
                                    "AND birth_date IS NOT NULL").fetchone()[0])
        with case.transaction():
            accepted = _fake_match(case, _fake_run(case, "extra"), jia, entry)
            pending = _fake_match(case, _fake_run(case, "victims"), first, 1)
        judge(case, accepted, "accept", "ann",
              "ID 653122198503120017 on both; his wife confirmed on +86 138 0013 8000")
        assert pending
        derive_claims(case, "test")
        claim = add_claim(case, "person", "测试甲 was seen in Kashgar in 2019", by="ana",
                          about=f"record:{jia}")
        add_evidence(case, claim.id, "supports", "phone-confirmation",
                     "call to his wife at 0998-2345678", by="ana",
                     note="she gave his ID as 653122198503120017 and his birth date as "
                          "1985-03-12")
    return root


def _secrets(case_dir: Path) -> tuple[set[str], set[str], set[str]]:
    """Every ID number (records, ID-like values in their fields and raw rows, reference
    entries), full birth date and phone number of the case."""
    ids: set[str] = set()
    dates: set[str] = set()
    phones: set[str] = set()
    with Case.open(case_dir) as c:
        for id_number, birth, fields, raw in c.db.execute(
                "SELECT id_number, birth_date, fields, raw FROM records"):
            if id_number:
                ids.add(id_number)
            ids.update(ID_LIKE.findall(fields))
            ids.update(ID_LIKE.findall(raw))
            if birth and len(birth) == 10:
                dates.add(birth)
            if json.loads(fields).get("phone"):
                phones.add(json.loads(fields)["phone"])
        for id_number, fields in c.db.execute("SELECT id_number, fields FROM reference_entries"):
            if id_number:
                ids.add(id_number)
            ids.update(ID_LIKE.findall(fields))
    assert len(ids) > 100 and len(dates) > 20 and len(phones) > 50
    assert {"653122198503120017", "65312219860101002X", "653122850312001"} <= ids
    return ids, dates, phones


def _bytes(path: Path) -> bytes:
    if path.is_dir():
        return b"".join(p.read_bytes() for p in sorted(path.iterdir()))
    return path.read_bytes()


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


@pytest.fixture(scope="module")
def exported(built: Path, tmp_path_factory: pytest.TempPathFactory,
             ) -> dict[tuple[str, bool], Path]:
    """Each format, redacted and not, exported once from one copy of the case."""
    root = tmp_path_factory.mktemp("exported")
    shutil.copytree(built / "case", root / "case")
    out: dict[tuple[str, bool], Path] = {}
    with Case.open(root / "case", writable=True) as case:
        for fmt in FORMATS:
            for redact in (True, False):
                path = root / f"{fmt}-{'redacted' if redact else 'full'}"
                export_case(case, fmt, path, redact=redact, actor="exporter")
                out[fmt, redact] = path
    return out


@pytest.fixture
def case_dir(built: Path, tmp_path: Path) -> Path:
    shutil.copytree(built / "case", tmp_path / "case")
    return tmp_path / "case"


# -- redaction of whole exports ---------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_redacted_exports_hold_no_id_number_birth_date_or_phone(
        fmt: str, built: Path, exported: dict[tuple[str, bool], Path]) -> None:
    ids, dates, phones = _secrets(built / "case")
    data = _bytes(exported[fmt, True])
    assert not [i for i in ids if i.encode() in data or i[:17].encode() in data]
    assert not [d for d in dates if d.encode() in data]
    assert not [p for p in phones if p.encode() in data]
    assert not [s for s in RAW_FORMS if s.encode() in data]
    assert "疏勒县".encode() in data  # the county of an address stays


@pytest.mark.parametrize("fmt", FORMATS)
def test_unredacted_exports_keep_them(fmt: str, built: Path,
                                      exported: dict[tuple[str, bool], Path]) -> None:
    data = _bytes(exported[fmt, False])
    with Case.open(built / "case") as c:
        named = "AND coalesce(name, '') != ''" if fmt == "ftm" else ""  # FtM needs a name
        kept = {r[0] for r in c.db.execute(
            f"SELECT id_number FROM records WHERE id_number IS NOT NULL {named}")}  # noqa: S608
        births = {r[0] for r in c.db.execute("SELECT birth_date FROM records WHERE "
                                             "length(birth_date) = 10")}
    assert kept and all(i.encode() in data for i in kept)
    assert all(d.encode() in data for d in births)
    if fmt != "ftm":
        assert all(s.encode() in data for s in RAW_FORMS)


# -- the formats ------------------------------------------------------------------------------


def test_json_lines_parse_with_a_header_line(built: Path,
                                             exported: dict[tuple[str, bool], Path]) -> None:
    lines = _lines(exported["json", True])
    head = lines[0]
    with Case.open(built / "case") as c:
        assert head["case"] == c.case_id
        counts = {t: c.db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # noqa: S608
                  for t in ("records", "findings", "claims")}
    assert head["table"] == "export" and head["redacted"] is True
    assert head["what"] == ["records", "findings", "matches", "ledger"]
    assert head["scrutiny_version"] and head["exported_at"]
    by_table: dict[str, list[dict[str, Any]]] = {}
    for line in lines[1:]:
        by_table.setdefault(line["table"], []).append(line)
    assert len(by_table["records"]) == counts["records"]
    assert len(by_table["findings"]) == counts["findings"] > 0
    assert len(by_table["ledger"]) == counts["claims"]
    assert {m["status"] for m in by_table["matches"]} == {"accepted", "pending"}
    for table, rows in by_table.items():
        assert all(list(r)[1:] == list(COLUMNS[table]) for r in rows)
    jia = next(r for r in by_table["records"] if r["name"] == "测试甲")
    assert (jia["id_number"], jia["birth_date"], jia["phone"]) == ("[ID]", "1985", "[phone]")
    assert (jia["address"], jia["county"]) == ("疏勒县 [address]", "疏勒县")
    assert jia["raw"]["身份证号"] == "[ID]" and jia["raw"]["出生日期"] == "1985"
    assert "1986出生" in jia["note"] and "[ID]" in jia["note"] and "[phone]" in jia["note"]
    accepted = next(m for m in by_table["matches"] if m["status"] == "accepted")
    assert accepted["explanation"][1]["left"] == accepted["explanation"][1]["right"] == "[ID]"
    assert accepted["explanation"][2]["left"] == "1985"
    assert accepted["judgement_reason"] == "ID [ID] on both; his wife confirmed on [phone]"
    full = _lines(exported["json", False])
    assert next(r for r in full if r.get("name") == "测试甲")["birth_date"] == "1985-03-12"


def test_csv_files_parse_with_the_expected_headers(
        built: Path, exported: dict[tuple[str, bool], Path]) -> None:
    folder = exported["csv", True]
    assert sorted(p.name for p in folder.iterdir()) == [
        "findings.csv", "ledger.csv", "matches.csv", "records.csv"]
    for table, columns in COLUMNS.items():
        raw = (folder / f"{table}.csv").read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")  # a BOM, for spreadsheet programs
        rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
        assert tuple(rows[0]) == columns
        assert len(rows) > 1 and all(len(r) == len(columns) for r in rows)
    records = list(csv.DictReader(io.StringIO(
        (folder / "records.csv").read_text("utf-8-sig"))))
    jia = next(r for r in records if r["name"] == "测试甲")
    assert json.loads(jia["fields"])["id_number"] == "[ID]" and jia["birth_date"] == "1985"
    ledger = list(csv.DictReader(io.StringIO((folder / "ledger.csv").read_text("utf-8-sig"))))
    assert any("0998" not in r["evidence"] and "[phone]" in r["evidence"] for r in ledger)


def _ftm(path: Path) -> list[dict[str, Any]]:
    from followthemoney import model

    entities = _lines(path)
    for data in entities:
        proxy = model.get_proxy(data)
        schema = proxy.schema
        assert schema.validate(data) is None  # type: ignore[arg-type]
        assert set(data["properties"]) <= set(schema.properties)
        assert all(data["properties"].get(p) for p in schema.required), data
        assert re.fullmatch(r"[0-9a-f]{40}", data["id"])
    return entities


def test_ftm_entities_validate_and_link_to_each_other(
        exported: dict[tuple[str, bool], Path]) -> None:
    entities = _ftm(exported["ftm", True])
    ids = {e["id"] for e in entities}
    by_schema: dict[str, list[dict[str, Any]]] = {}
    for e in entities:
        by_schema.setdefault(e["schema"], []).append(e)
    assert set(by_schema) == {"Document", "Person", "Family", "Similar"}
    people = {e["id"] for e in by_schema["Person"]}
    for family in by_schema["Family"]:
        p = family["properties"]
        assert p["person"][0] in people and p["relative"][0] in people
        assert p["relationship"]
    wives = [f for f in by_schema["Family"] if "wife" in f["properties"]["relationship"]]
    assert any("妻子" in f["properties"]["relationship"] for f in wives)
    (similar,) = by_schema["Similar"]  # the accepted match only, not the pending one
    assert similar["properties"]["candidate"][0] in people
    assert similar["properties"]["match"][0] in people
    assert any("accepted by ann" in c for c in similar["properties"]["criteria"])
    documents = {e["id"] for e in by_schema["Document"]}
    for person in by_schema["Person"]:
        assert set(person["properties"].get("proof", [])) <= documents
    assert ids == {e["id"] for e in _ftm(exported["ftm", False])}  # ids do not depend on it


def test_ftm_matches_alone_bring_their_people(case_dir: Path, tmp_path: Path) -> None:
    with Case.open(case_dir, writable=True) as c:
        s = export_case(c, "ftm", tmp_path / "matches.ftm", "matches")
    entities = _ftm(tmp_path / "matches.ftm")
    assert s.entities == {"Person": 2, "Similar": 1}
    (similar,) = [e for e in entities if e["schema"] == "Similar"]
    people = {e["id"] for e in entities if e["schema"] == "Person"}
    assert {similar["properties"]["candidate"][0], similar["properties"]["match"][0]} == people


def test_ftm_people_carry_their_provenance(built: Path,
                                           exported: dict[tuple[str, bool], Path]) -> None:
    with Case.open(built / "case") as c:
        case_id = c.case_id
        rid, sha = c.db.execute("SELECT id, sha256 FROM records WHERE name = '测试甲'").fetchone()
    redacted = {e["properties"]["name"][0]: e for e in _lines(exported["ftm", True])
                if e["schema"] == "Person"}
    full = {e["properties"]["name"][0]: e for e in _lines(exported["ftm", False])
            if e["schema"] == "Person"}
    jia = redacted["测试甲"]["properties"]
    notes = jia["notes"][0]
    assert f"record {rid} " in notes and case_id in notes and sha in notes
    assert "extra.csv" in notes and "row:2" in notes
    assert "idNumber" not in jia and "phone" not in jia
    assert (jia["birthDate"], jia["address"], jia["gender"]) == (["1985"], ["疏勒县"], ["male"])
    full_jia = full["测试甲"]["properties"]
    assert full_jia["idNumber"] == ["653122198503120017"]
    assert full_jia["birthDate"] == ["1985-03-12"] and full_jia["phone"] == ["+8613800138000"]
    entry = redacted["Test Person"]["properties"]
    assert "idNumber" not in entry and "EX-0001" in entry["notes"][0]
    assert full["Test Person"]["properties"]["idNumber"] == ["653122198503120017"]


# -- custody and streaming --------------------------------------------------------------------


def test_every_export_is_a_custody_event_and_the_case_stays_intact(
        exported: dict[tuple[str, bool], Path]) -> None:
    case_dir = next(iter(exported.values())).parent / "case"
    with Case.open(case_dir) as c:
        events = [ev for _, ev in c.log.events_from(0) if ev.action == "exported"]
        assert verify_case(c.blobs, c.log, c.db).intact
    assert len(events) == 6 and {ev.actor for ev in events} == {"exporter"}
    by = {(ev.details["format"], ev.details["redacted"]): ev.details for ev in events}
    for (fmt, redact), path in exported.items():
        d = by[fmt, redact]
        assert d["output"] == str(path.absolute())
        if fmt == "csv":
            assert set(d["files"]) == {f"{t}.csv" for t in COLUMNS}
            for name, sha in d["files"].items():
                assert hashlib.sha256((path / name).read_bytes()).hexdigest() == sha
        else:
            assert d["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
        assert all(isinstance(n, int) for n in d["counts"].values())
    assert by["json", True]["counts"]["records"] > 100
    assert by["ftm", True]["entities"]["Similar"] == 1


def test_rows_are_read_a_page_at_a_time(case_dir: Path, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tables, "PAGE", 7)
    with Case.open(case_dir, writable=True) as c:
        s = export_case(c, "json", tmp_path / "out.jsonl", "records,findings")
        n = {t: c.db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # noqa: S608
             for t in ("records", "findings")}
    assert s.counts == n
    ids = [r["id"] for r in _lines(tmp_path / "out.jsonl")[1:] if r["table"] == "records"]
    assert ids == sorted(set(ids)) and len(ids) == n["records"]


# -- errors -----------------------------------------------------------------------------------


def test_library_errors_are_clear(case_dir: Path, tmp_path: Path,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    with Case.open(case_dir, writable=True) as c:
        with pytest.raises(ScrutinyError, match="unknown table 'people'"):
            export_case(c, "json", tmp_path / "a.jsonl", "records,people")
        with pytest.raises(ScrutinyError, match="ftm holds records and matches only"):
            export_case(c, "ftm", tmp_path / "a.ftm", "findings")
        (tmp_path / "taken").write_text("mine")
        with pytest.raises(ScrutinyError, match="exists"):
            export_case(c, "json", tmp_path / "taken")
        assert (tmp_path / "taken").read_text() == "mine"
        (tmp_path / "full").mkdir()
        (tmp_path / "full" / "x").write_text("")
        with pytest.raises(ScrutinyError, match="not empty"):
            export_case(c, "csv", tmp_path / "full")
        with pytest.raises(ScrutinyError, match="does not exist"):
            export_case(c, "json", tmp_path / "no" / "such" / "a.jsonl")
        monkeypatch.setitem(sys.modules, "followthemoney", None)
        with pytest.raises(ScrutinyError, match=r"'ftm' extra"):
            export_case(c, "ftm", tmp_path / "b.ftm")
        n = sum(1 for _, ev in c.log.events_from(0) if ev.action == "exported")
    assert n == 0 and sorted(p.name for p in tmp_path.iterdir()) == ["case", "full", "taken"]
    with Case.open(case_dir) as c, pytest.raises(ScrutinyError, match="for writing"):
        export_case(c, "json", tmp_path / "c.jsonl")


def test_a_failed_write_leaves_nothing_behind(case_dir: Path, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from scrutiny.export import run

    def full_disk(path: Path) -> str:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(run, "_sha256", full_disk)
    out = tmp_path / "out"
    with Case.open(case_dir, writable=True) as c:
        for fmt in FORMATS:
            with pytest.raises(ScrutinyError, match=r"cannot write .*No space left"):
                export_case(c, fmt, out)
        assert not any(ev.action == "exported" for _, ev in c.log.events_from(0))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["case"]


# -- the command ------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def wide(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(console, "width", 300)
    monkeypatch.setattr(err_console, "width", 300)
    monkeypatch.setenv("SCRUTINY_ACTOR", "tester")
    yield


def cli(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env=env)


def test_cli_exports_and_refuses_to_overwrite(case_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "people.ftm"
    r = cli("export", str(case_dir), "--format", "ftm", "--what", "records", "-o", str(out))
    assert r.exit_code == 0, (r.stdout, r.stderr)
    assert "redacted" in r.stdout and "Person" in r.stdout and "warning" not in r.stderr
    before = out.read_bytes()
    r = cli("export", str(case_dir), "--format", "json", "-o", str(out))
    assert r.exit_code == 2 and "does not overwrite" in r.stderr
    assert out.read_bytes() == before
    r = cli("export", str(case_dir), "--format", "csv", "--what", "ledger,matches", "-o",
            str(tmp_path / "sheets"), "--json")
    assert r.exit_code == 0, r.stderr
    got = json.loads(r.stdout)
    assert got["what"] == ["matches", "ledger"] and got["redacted"] is True
    assert sorted(got["files"]) == ["ledger.csv", "matches.csv"]
    r = cli("export", str(case_dir), "--format", "json", "--what", "claims", "-o",
            str(tmp_path / "x.jsonl"))
    assert r.exit_code == 2 and "unknown table 'claims'" in r.stderr
    with Case.open(case_dir) as c:
        events = [ev for _, ev in c.log.events_from(0) if ev.action == "exported"]
    assert [ev.actor for ev in events] == ["tester", "tester"]


def test_cli_no_redact_warns(case_dir: Path, tmp_path: Path) -> None:
    r = cli("export", str(case_dir), "--format", "json", "--no-redact", "-o",
            str(tmp_path / "full.jsonl"))
    assert r.exit_code == 0, r.stderr
    assert "warning" in r.stderr and "--no-redact" in r.stderr
    assert "NOT redacted" in r.stdout
    assert _lines(tmp_path / "full.jsonl")[0]["redacted"] is False


def test_cli_unwritable_path(case_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("")
    r = cli("export", str(case_dir), "--format", "json", "-o", str(tmp_path / "a-file" / "x"))
    assert r.exit_code == 2 and "is not a folder" in r.stderr
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        r = cli("export", str(case_dir), "--format", "json", "-o", str(locked / "a.jsonl"))
    finally:
        locked.chmod(0o700)
    if os.geteuid() != 0:  # root writes anywhere: file permissions do not stop it
        assert r.exit_code == 2 and "not writable" in r.stderr


def test_an_encrypted_case_exports_plaintext_and_says_so(tmp_path: Path) -> None:
    leak = tmp_path / "leak"
    leak.mkdir()
    _write_csv(leak / "roster.csv", EXTRA_ROSTER)
    with Case.create(tmp_path / "case", encrypt=True, passphrase=PASSPHRASE,
                     kdf=fast_kdf()) as c:
        ingest(c, [leak], actor="test")
        extract_case(c, workers=0)
    r = cli("export", str(tmp_path / "case"), "--format", "json", "-o",
            str(tmp_path / "out.jsonl"), env={"SCRUTINY_PASSPHRASE": PASSPHRASE})
    assert r.exit_code == 0, r.stderr
    assert "encrypted" in r.stderr and "export is not" in r.stderr
    rows = _lines(tmp_path / "out.jsonl")
    assert [r["name"] for r in rows[1:]] == ["测试甲", "测试乙", "测试丙"]
    assert b"653122198503120017" not in (tmp_path / "out.jsonl").read_bytes()


# -- redact.py on tricky strings --------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("653121198503120017_20180504_031233.jpg", "[ID]_20180504_031233.jpg"),
    ("photos/喀什市/65312219650514832X_20180601090422.jpg",
     "photos/喀什市/[ID]_20180601090422.jpg"),
    ("ID 65312219650514832x.", "ID [ID]."),
    ("old card 653122650514832 here", "old card [ID] here"),
    ("written 653122 19650514 832X", "written [ID]"),
    ("its first 17 digits (65322519610918434) give", "its first 17 digits ([ID]) give"),
    ("stored as 6.53122196505148e+17", "stored as [ID]"),
    ("全角６５３１２２１９６５０５１４８３２１号", "全角[ID]号"),
])
def test_redact_text_id_numbers(text: str, expected: str) -> None:
    assert redact_text(text) == expected


@pytest.mark.parametrize("phone", [
    "13800138000", "+86 138 0013 8000", "+86-138-0013-8000", "138-0013-8000", "138 0013 8000",
    "0086 13800138000", "(+86) 13800138000", "8613800138000", "0991-1234567",
    "(0903) 801 6802", "09038016802", "+86 991 1234 5678", "１３８００１３８０００"])
def test_redact_text_phone_numbers(phone: str) -> None:
    assert redact_text(f"call {phone}, ask for her") == "call [phone], ask for her"


@pytest.mark.parametrize("text", [
    "p = 0.0001234567890", "taken 2018-05-04 09:04:22, file 20180601090422",
    "关于印发新党办〔2017〕15号文件的通知", "已转至洛浦县第一职业技能教育培训中心",
    "213a41308777601ed53df3f1d5ab1de163f19c160a40695fea5ca0a0e2244245",
    "2 of 125 18-character ID numbers (1.6%)"])
def test_redact_text_leaves_what_is_not_sensitive(text: str) -> None:
    assert redact_text(text) == text


def test_birth_dates_go_other_dates_stay() -> None:
    explanation = ("The row states the age 59; the ID number 653222197407111840 gives the birth "
                   "date 1974-07-11, which makes the person 42 in completed years on "
                   "2017-06-16 (the detention date).")
    assert redact_text(explanation) == (
        "The row states the age 59; the ID number [ID] gives the birth date 1974, which makes "
        "the person 42 in completed years on 2017-06-16 (the detention date).")
    assert redact_text("born on 1974-07-11; detained 2018-03-01") == (
        "born on 1974; detained 2018-03-01")
    assert redact_text("DOB: 14/05/1965, detained 01/03/2018") == "DOB: 1965, detained 01/03/2018"
    assert redact_text("born on May 14, 1965. Detained on May 1, 2018.") == (
        "born on 1965. Detained on May 1, 2018.")
    assert redact_text("他1985年3月12日出生，2018年5月4日被带走") == (
        "他1985出生，2018年5月4日被带走")
    # the person's own birth date goes wherever it is, even unnamed
    assert redact_text("listed on 1965-05-14 and 2018-12-26", ["1965-05-14"]) == (
        "listed on 1965 and 2018-12-26")
    assert redact_text("person:张三|1980-01-02", {"1980-01-02"}) == "person:张三|1980"
    assert birth_dates_in({"evidence": {"id_birth_date": "1974-07-11", "detained": "2018-01-01",
                                        "rows": [{"birth_date": "1980-01-02"}]}}) == {
        "1974-07-11", "1980-01-02"}
    assert [birth_year(v) for v in ("1965-05-14T00:00:00", "1965年5月14日", 23877, 19650514,
                                    "1965-05", "14 May 1965", "约1965年", 1982, "Lop", None,
                                    "1965 or 1966", "12.5")] == [
        "1965", "1965", "1965", "1965", "1965", "1965", "1965", 1982, "Lop", None,
        "[birth date]", "[birth date]"]


def test_addresses_keep_their_county() -> None:
    assert county_of_address("新疆维吾尔自治区喀什地区疏勒县喀拉苏乡19村3组80号") == "疏勒县"
    assert county_of_address("新疆维吾尔自治区喀什地区喀什市英也尔乡12村6组24号") == "喀什市"
    assert county_of_address("广东省深圳市南山区科技园") == "南山区"
    assert county_of_address("Lop County, Hotan") == "Lop County"
    assert county_of_address("somewhere far") is None
    assert redact_text("the stated address '新疆维吾尔自治区和田地区皮山县阿克其乡21村4组73号' "
                       "contains none") == "the stated address '皮山县 [address]' contains none"
    assert redact_text("家住阿克其乡幸福村") == "[address]"
    assert redact_value({"address": "Village 3, somewhere"}) == {"address": "[address]"}


def test_redact_value_by_field_name() -> None:
    record = {"id": 7, "record_id": 3, "id_number": "653", "birth_date": "1965-05-14",
              "phone": "18256296993", "phone_kind": "mobile", "age": 53,
              "address": "新疆维吾尔自治区喀什地区疏勒县喀拉苏乡19村3组80号",
              "id_info": {"birth_date": "1965-05-14", "region": "653122",
                          "normalised_from": "653122 1965"},
              "cells": [6.53122196505148e+17, 18256296993, "ok"],
              "653122196505148321": "an ID as a key"}
    assert redact_value(record) == {
        "id": 7, "record_id": 3, "id_number": "[ID]", "birth_date": "1965", "phone": "[phone]",
        "phone_kind": "mobile", "age": 53, "address": "疏勒县 [address]",
        "id_info": {"birth_date": "1965", "region": "653122", "normalised_from": "[ID]"},
        "cells": ["[ID]", "[phone]", "ok"], "[ID]": "an ID as a key"}
    explanation = [{"comparison": "birth", "left": "1982-09-18", "right": 1982},
                   {"comparison": "id_number", "left": "653224198209188529", "right": None},
                   {"comparison": "county", "left": "洛浦县", "right": "Lop"}]
    assert redact_value(explanation) == [
        {"comparison": "birth", "left": "1982", "right": 1982},
        {"comparison": "id_number", "left": "[ID]", "right": None},
        {"comparison": "county", "left": "洛浦县", "right": "Lop"}]
    assert [key_kind(k) for k in ("id", "main_id", "id_info", "phone_kind", "county",
                                  "birth_place", "公民身份号码", "户籍地址", "联系电话")] == [
        None, None, None, None, None, "birth", "id", "address", "phone"]
    assert [header_kind(h) for h in ("身份证", "出生年月", "手机号", "住址", "姓名")] == [
        "id", "birth", "phone", "address", None]
