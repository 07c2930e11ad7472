"""End to end on a synthetic leak: every roster row becomes a person record with the right
fields, every family row a relation, every photo-file name a record linked to its photo."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw, ImageFont

from scrutiny.case import Case
from scrutiny.extract.base import Limits
from scrutiny.extract.ocr import OcrExtractor, available_languages
from scrutiny.extract.run import extract_case, iter_records
from scrutiny.extract.search import search
from scrutiny.ingest import ingest
from scrutiny.synth.leak import LeakConfig, generate_leak
from tests.conftest import run_cli
from tests.test_synth_leak import parse_date, read_roster


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("e2e")
    generate_leak(base / "synthetic", LeakConfig(people=150, photos=40, seed=5))
    case_dir = base / "case"
    with Case.create(case_dir) as case:
        ingest(case, [base / "synthetic" / "leak"])
        summary = extract_case(case)
        assert summary.errors == 0, summary
        again = extract_case(case)  # incremental: nothing new the second time
        assert again.items == 0 and again.records == 0
    return base / "synthetic", case_dir


def item_of(case: Case, relpath: str) -> str:
    row = case.db.execute("SELECT sha256 FROM provenances WHERE source LIKE ?",
                          ("%" + relpath,)).fetchone()
    assert row, relpath
    return str(row[0])


def test_every_roster_row_is_a_record(extracted: tuple[Path, Path]) -> None:
    synthetic, case_dir = extracted
    truth = json.loads((synthetic / "ground_truth.json").read_text("utf-8"))
    with Case.open(case_dir) as case:
        for roster in truth["rosters"]:
            rows = read_roster(synthetic / roster)
            records = {r["location"].split("row:")[-1]: r
                       for r in iter_records(case, item_of(case, roster[len("leak/"):]))}
            assert len(records) == len(rows), roster
            main: dict[str, Any] | None = None
            for row in rows:
                rec = records[str(row["_row"])]
                f = rec["fields"]
                assert f["name"] == row["姓名"]
                assert f["id_number"] == str(row["公民身份号码"])
                assert f["sex"] == ("M" if row["性别"] == "男" else "F")
                assert rec["raw"]["姓名"] == row["姓名"]
                if row["关系"]:
                    assert rec["relation"] == row["关系"]
                    assert main is not None and rec["main_id"] == main["id"]
                else:
                    assert rec["relation"] == "" and rec["main_id"] is None
                    assert f["birth_date"] == parse_date(row["出生日期"]).isoformat()
                    assert f["facility"] == row["所在单位"]
                    assert f["detained"] == parse_date(row["收押日期"]).isoformat()
                    assert f["age"] == int(row["年龄"])
                    main = rec
        maps = case.db.execute("SELECT DISTINCT header, field FROM column_maps").fetchall()
        assert ("公民身份号码", "id_number") in maps and ("关系", "relation") in maps


def test_every_photo_name_is_a_record_linked_to_its_photo(extracted: tuple[Path, Path],
                                                          ) -> None:
    synthetic, case_dir = extracted
    photos = sorted((synthetic / "leak" / "photos").rglob("*.jpg"))
    assert photos
    with Case.open(case_dir) as case:
        table_ids = {r[0] for r in case.db.execute(
            "SELECT id_number FROM records WHERE source = 'table'")}
        for photo in photos:
            sha = item_of(case, str(photo.relative_to(synthetic)))
            (rec,) = [r for r in iter_records(case, sha) if r["source"] == "filename"]
            number, stamp = photo.stem.split("_")
            assert rec["fields"]["id_number"] == number
            assert rec["fields"]["taken"] == dt.datetime.strptime(
                stamp, "%Y%m%d%H%M%S").isoformat()
            assert number in table_ids  # the photo links to a roster record
            make = case.db.execute("SELECT value FROM metadata WHERE sha256 = ? AND key = ?",
                                   (sha, "EXIF:Make")).fetchone()
            assert make is not None


def test_documents_give_text_and_metadata(extracted: tuple[Path, Path]) -> None:
    _, case_dir = extracted
    with Case.open(case_dir) as case:
        keys = {r[0] for r in case.db.execute("SELECT DISTINCT key FROM metadata")}
        assert {"PDF:Producer", "Office:Author", "EXIF:DateTimeOriginal"} <= keys
        hits = search(case.db, "维护稳定工作")
        assert any(h.kind == "text" for h in hits)


def test_search_finds_two_character_names(extracted: tuple[Path, Path]) -> None:
    _, case_dir = extracted
    with Case.open(case_dir) as case:
        names = [r[0] for r in case.db.execute(
            "SELECT name FROM records WHERE length(name) = 2 LIMIT 1")]
        uyghur = case.db.execute("SELECT name, location FROM records WHERE name LIKE '%·%' "
                                 "LIMIT 1").fetchone()
    if names:
        r = run_cli("search", str(case_dir), names[0], "--json")
        assert r.returncode == 0, r.stderr
        assert any(h["snippet"].startswith(names[0]) for h in json.loads(r.stdout))
    r = run_cli("search", str(case_dir), uyghur[0], "--json")
    hits = json.loads(r.stdout)
    assert any(h["kind"] == "record" and h["location"] == uyghur[1] for h in hits)


def test_status_reports_extraction(extracted: tuple[Path, Path]) -> None:
    _, case_dir = extracted
    st = json.loads(run_cli("status", str(case_dir), "--json").stdout)
    assert st["extraction"]["records"] > 150 and st["extraction"]["errors"] == 0


def test_bad_items_are_recorded_and_the_rest_goes_on(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj <<>> endobj\n% truncated")
    (src / "broken.xlsx").write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    (src / "huge.png").write_bytes(_png_header(100_000, 100_000))
    (src / "fine.csv").write_text("姓名,身份证号\n李伟,650104198001011235\n", "utf-8")
    with Case.create(tmp_path / "case") as case:
        ingest(case, [src])
        s = extract_case(case, limits=Limits(max_pixels=10_000_000))
        errors = dict(case.db.execute(
            "SELECT p.source, e.error FROM extractions e JOIN provenances p USING (sha256) "
            "WHERE e.status = 'error'").fetchall())
        assert s.records == 1
    names = {Path(k).name for k in errors}
    assert {"broken.pdf", "huge.png"} <= names, errors
    assert all(errors.values())
    st = json.loads(run_cli("status", str(tmp_path / "case"), "--json").stdout)
    assert st["extraction"]["errors"] >= 2


def _png_header(width: int, height: int) -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2,
                                                             0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00" * 16)) + chunk(b"IEND", b""))


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="Tesseract is not installed")
def test_ocr_reads_text_from_an_image(tmp_path: Path) -> None:
    image = Image.new("RGB", (900, 160), "white")
    draw = ImageDraw.Draw(image)
    draw.text((20, 40), "NOTICE 2018 TRAINING", fill="black", font=ImageFont.load_default(64))
    src = tmp_path / "in"
    src.mkdir()
    image.save(src / "scan.png")
    with Case.create(tmp_path / "case") as case:
        ingest(case, [src])
        s = extract_case(case, extractors=[OcrExtractor()])
        assert s.errors == 0 and available_languages()
        (text,) = [r[0] for r in case.db.execute("SELECT text FROM texts WHERE location = 'ocr'")]
    assert re.search(r"2018", text), text
