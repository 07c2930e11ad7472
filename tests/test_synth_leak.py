"""The synthetic leak: deterministic, valid where clean, faulty exactly where planted."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pdfplumber
import pytest
from PIL import Image
from stdnum.cn import ric

from scrutiny.identity import resident_id
from scrutiny.synth import photos as ph
from scrutiny.synth.leak import PHOTO_FAULTS, LeakConfig, generate_leak
from scrutiny.synth.places import BY_CODE
from tests.conftest import run_cli

CFG = LeakConfig(people=400, photos=60, seed=7)


@pytest.fixture(scope="module")
def leak(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synth") / "leak7"
    generate_leak(out, CFG)
    return out


@pytest.fixture(scope="module")
def truth(leak: Path) -> dict[str, Any]:
    return json.loads((leak / "ground_truth.json").read_text("utf-8"))


def read_roster(path: Path) -> list[dict[str, Any]]:
    """Rows as dicts keyed by header, each with its spreadsheet row number."""
    if path.suffix == ".xlsx":
        ws = openpyxl.load_workbook(path, read_only=True).active
        rows = [list(r) for r in ws.iter_rows(values_only=True)]
    else:
        raw = path.read_bytes()
        text = raw.decode("utf-8-sig") if raw.startswith(b"\xef\xbb\xbf") else raw.decode(
            "gb18030")
        rows = list(csv.reader(text.splitlines()))
    header = [str(h) for h in rows[0]]
    return [{"_row": i, **dict(zip(header, r, strict=True))} for i, r in enumerate(rows[1:], 2)]


def parse_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    digits = re.sub(r"\D", "", str(value))
    return dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))


def test_same_seed_same_bytes_and_another_seed_differs(tmp_path: Path, leak: Path) -> None:
    def digest(root: Path) -> dict[str, str]:
        return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(root.rglob("*")) if p.is_file()}

    again = tmp_path / "again"
    generate_leak(again, CFG)
    assert digest(again) == digest(leak)
    other = tmp_path / "other"
    generate_leak(other, LeakConfig(people=400, photos=60, seed=8))
    a, b = digest(other), digest(leak)
    assert a != b
    assert a["leak/rosters/01_在押人员名单.xlsx"] != b["leak/rosters/01_在押人员名单.xlsx"]


def test_layout_and_fiction_notice(leak: Path, truth: dict[str, Any]) -> None:
    for readme in (leak / "README.txt", leak / "leak" / "README.txt"):
        assert "fictional" in readme.read_text("utf-8")
    assert "fictional" in truth["notice"]
    assert len(list((leak / "leak" / "photos").rglob("*.jpg"))) == CFG.photos
    docs = sorted(p.suffix for p in (leak / "leak" / "documents").iterdir())
    assert docs == [".docx", ".docx", ".pdf", ".pdf"]
    encodings = set()
    for r in truth["rosters"]:
        raw = (leak / r).read_bytes()
        encodings.add("xlsx" if r.endswith(".xlsx") else
                      "utf-8" if raw.startswith(b"\xef\xbb\xbf") else "gb18030")
    assert encodings == {"xlsx", "utf-8", "gb18030"}


def test_clean_rows_are_valid_and_consistent(leak: Path, truth: dict[str, Any]) -> None:
    planted = {(e["file"], e["row"]) for e in truth["planted"] if "row" in e}
    checked = relatives = 0
    seen_ids: Counter[str] = Counter()
    for roster in truth["rosters"]:
        for row in read_roster(leak / roster):
            number = str(row["公民身份号码"])
            seen_ids[number] += 1
            if (roster, row["_row"]) in planted:
                continue
            assert ric.is_valid(number), (roster, row)
            sex = "M" if row["性别"] == "男" else "F"
            assert resident_id.sex_of(number) == sex
            if row["关系"]:
                relatives += 1
                continue
            assert ric.get_birth_date(number) == parse_date(row["出生日期"])
            county = BY_CODE.get(number[:6])
            region = resident_id.region(number[:6])
            assert region is not None and county is not None
            assert county.han in str(row["户籍地址"]), (number, row["户籍地址"])
            assert row["民族"] in ("维吾尔族", "汉族")
            checked += 1
    assert checked > 300 and relatives > 300
    # the only repeated ID numbers are the planted duplicates
    dupes = {n for n, k in seen_ids.items() if k > 1}
    planted_dupes = {e["id_number"] for e in truth["planted"] if e["kind"] == "duplicate-id"}
    assert dupes == planted_dupes


def find_row(leak: Path, file: str, row: int) -> dict[str, Any]:
    rows = {r["_row"]: r for r in read_roster(leak / file)}
    return rows[row]


def test_planted_record_faults_are_present(leak: Path, truth: dict[str, Any]) -> None:
    kinds = Counter(e["kind"] for e in truth["planted"])
    assert kinds == Counter(truth["planted_counts"])
    for kind in ("id-check-digit", "id-birth-mismatch", "id-region-mismatch",
                 "id-sex-mismatch", "duplicate-id", "uniform-birthdates", "editor-resave",
                 "copy-move", "splice", "timestamp-out-of-sequence", "timestamp-after-end",
                 "document-metadata-postdates"):
        assert kinds[kind] >= 1, kind
    for e in truth["planted"]:
        if "row" not in e:
            continue
        row = find_row(leak, e["file"], e["row"])
        number = str(row["公民身份号码"])
        assert number == e["id_number"]
        if e["kind"] == "id-check-digit":
            assert not ric.is_valid(number)
            assert ric.is_valid(e["valid_id_number"]) and e["valid_id_number"][:17] == number[:17]
        elif e["kind"] == "id-birth-mismatch":
            assert ric.is_valid(number)
            assert parse_date(row["出生日期"]) != ric.get_birth_date(number)
        elif e["kind"] == "id-region-mismatch":
            assert ric.is_valid(number)
            assert BY_CODE[number[:6]].han not in str(row["户籍地址"])
            assert BY_CODE[e["stated_county"]].han in str(row["户籍地址"])
        elif e["kind"] == "id-sex-mismatch":
            assert ric.is_valid(number)
            assert resident_id.sex_of(number) != ("M" if row["性别"] == "男" else "F")
        elif e["kind"] == "duplicate-id":
            first = find_row(leak, e["first"]["file"], e["first"]["row"])
            assert str(first["公民身份号码"]) == number
            assert first["姓名"] != row["姓名"] == e["name"]


def test_fabricated_roster_has_uniform_birth_dates(leak: Path, truth: dict[str, Any]) -> None:
    (fab,) = [e for e in truth["planted"] if e["kind"] == "uniform-birthdates"]

    def births(path: str) -> list[dt.date]:
        return [parse_date(r["出生日期"]) for r in read_roster(leak / path) if not r["关系"]]

    def spread(dates: list[dt.date]) -> float:
        """Share of people born in the 1950s or 1990s: about 0.4 when uniform over 1950-2000,
        far less for a detained adult population peaking in the 1980s."""
        return sum(1 for d in dates if d.year < 1960 or d.year >= 1990) / len(dates)

    fabricated = births(fab["file"])
    genuine = [d for r in truth["rosters"] if r != fab["file"] for d in births(r)]
    assert all(dt.date(1950, 1, 1) <= d <= dt.date(2000, 12, 31) for d in fabricated)
    assert spread(fabricated) > 0.3 > spread(genuine)


def _exif(path: Path) -> tuple[dict[int, Any], dict[int, Any], dict[int, Any]]:
    with Image.open(path) as im:
        im.load()
        exif = im.getexif()
        return dict(exif), dict(exif.get_ifd(0x8769)), dict(exif.get_ifd(0x8825))


def test_photos_decode_and_carry_the_intended_exif(leak: Path, truth: dict[str, Any]) -> None:
    planted = {e["file"]: e for e in truth["planted"] if e["kind"] in PHOTO_FAULTS}
    far = {e["file"] for e in truth["planted"] if e["kind"] == "gps-far-from-facility"}
    cams = {c.serial: c for c in ph.CAMERAS}
    ids = {str(r["公民身份号码"]) for roster in truth["rosters"]
           for r in read_roster(leak / roster)}
    with_gps = 0
    for path in sorted((leak / "leak" / "photos").rglob("*.jpg")):
        rel = str(path.relative_to(leak))
        ifd0, exif, gps = _exif(path)
        serial = exif[0xA431]
        assert serial in cams and ifd0[0x010F] == cams[serial].make
        assert ifd0[0x0110] == cams[serial].model
        number, stamp = path.stem.split("_")
        assert number in ids  # the file name carries a roster's ID number
        name_time = dt.datetime.strptime(stamp, "%Y%m%d%H%M%S")
        exif_time = dt.datetime.strptime(exif[0x9003], "%Y:%m:%d %H:%M:%S")
        kind = planted.get(rel, {}).get("kind")
        if kind == "timestamp-out-of-sequence":
            assert exif_time < name_time
        elif kind == "timestamp-after-end":
            assert exif_time.date() > dt.date.fromisoformat(truth["leak_end"])
        else:
            assert exif_time == name_time
        if kind == "editor-resave":
            assert ifd0[0x0131] == planted[rel]["software"]
        else:
            assert ifd0[0x0131] == cams[serial].firmware
        if gps:
            with_gps += 1
            lat = sum(float(v) / 60**i for i, v in enumerate(gps[2]))
            lon = sum(float(v) / 60**i for i, v in enumerate(gps[4]))
            nearest = min(abs(lat - f["lat"]) + abs(lon - f["lon"])
                          for f in truth["facilities"])
            if rel in far:
                assert nearest > 0.15  # moved at least 20 km from every facility
            else:
                assert nearest < 0.01
    assert with_gps > 0
    for e in truth["planted"]:
        if e["kind"] == "copy-move":
            assert e["source_box"] != e["target_box"]
        if e["kind"] == "splice":
            assert e["donor_camera"] in cams


def test_documents_metadata_fit_or_postdate_their_claims(leak: Path,
                                                         truth: dict[str, Any]) -> None:
    planted = {e["file"]: e for e in truth["planted"]
               if e["kind"] == "document-metadata-postdates"}
    for path in sorted((leak / "leak" / "documents").iterdir()):
        rel = str(path.relative_to(leak))
        text, created = _document_text_and_created(path)
        m = re.search(r"(\d{4})年(\d{1,2})月(\d{1,2})日", text)
        assert m, rel
        claimed = dt.date(*map(int, m.groups()))
        if rel in planted:
            assert created.date() > claimed
            assert planted[rel]["claimed"] == claimed.isoformat()
        else:
            assert created.date() <= claimed


def _document_text_and_created(path: Path) -> tuple[str, dt.datetime]:
    if path.suffix == ".docx":
        d = docx.Document(str(path))
        return "\n".join(p.text for p in d.paragraphs), d.core_properties.created
    raw = path.read_bytes()
    m = re.search(rb"/CreationDate \(D:(\d{14})", raw)
    assert m
    created = dt.datetime.strptime(m.group(1).decode(), "%Y%m%d%H%M%S")
    with pdfplumber.open(path) as pdf:
        text = "\n".join(page.extract_text() or "" for page in pdf.pages)
    return text, created


def test_reference_database_overlaps_as_recorded(leak: Path, truth: dict[str, Any]) -> None:
    with open(leak / "reference" / "victims.csv", encoding="utf-8") as f:
        entries = {r["entry_id"]: r for r in csv.DictReader(f)}
    leak_ids = {str(r["公民身份号码"]): (roster, r) for roster in truth["rosters"]
                for r in read_roster(leak / roster)}
    matched = set()
    planted = {(e["file"], e["row"]) for e in truth["planted"] if "row" in e}
    for m in truth["matches"]:
        entry = entries[m["reference"]]
        row = find_row(leak, m["file"], m["row"])
        assert str(row["公民身份号码"]) == m["id_number"]
        assert not row["关系"] and row["民族"] == "维吾尔族"
        matched.add(m["reference"])
        if (m["file"], m["row"]) in planted:
            continue  # the leak row itself was falsified; the reference keeps the truth
        if entry["id_number"]:
            assert entry["id_number"] == m["id_number"]
        if entry["birth"]:
            assert abs(int(entry["birth"][:4]) - parse_date(row["出生日期"]).year) <= 1
        if entry["gender"]:
            assert (entry["gender"] == "male") == (row["性别"] == "男")
        assert entry["name"] or entry["name_ug"]
    unmatched = set(entries) - matched
    assert len(matched) > 50 and len(unmatched) > 10  # overlap is partial both ways
    for key in unmatched:
        assert entries[key]["id_number"] not in leak_ids or not entries[key]["id_number"]
    spellings = Counter(m["spelling"] for m in truth["matches"])
    assert spellings["uly"] and spellings["english"] and spellings["typo"]
    scripts = [e["name_ug"] for e in entries.values() if e["name_ug"]]
    assert scripts and all(re.search("[\u0600-\u06ff]", s) for s in scripts)
    births = Counter(len(e["birth"]) for e in entries.values())
    assert births[10] and births[4] and births[0]  # full dates, years only, missing


def test_cli_synth_leak(tmp_path: Path) -> None:
    out = tmp_path / "cli"
    r = run_cli("synth", "leak", str(out), "--people", "40", "--photos", "12", "--seed", "3")
    assert r.returncode == 0, r.stderr
    assert "planted:" in r.stdout
    assert json.loads((out / "ground_truth.json").read_text())["people"] == 40
    r = run_cli("synth", "leak", str(out), "--people", "40")
    assert r.returncode == 2 and "not empty" in r.stderr
