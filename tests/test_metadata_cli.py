"""``scrutiny metadata FILE...``: metadata of files outside any case, exiftool-like JSON."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from conftest import run_cli
from scrutiny.synth.documents import DocumentPlan, speech_text, write_document
from scrutiny.synth.photos import CAMERAS, PhotoPlan, render_photo

TAKEN = dt.datetime(2018, 5, 4, 3, 12, 33)


def photo(tmp_path: Path, name: str = "photo.jpg") -> Path:
    data, _ = render_photo(PhotoPlan(camera=CAMERAS[1], taken=TAKEN, subsec="", offset=None,
                                     gps=(39.4704, 75.9897), caption="", seed=3))
    path = tmp_path / name
    path.write_bytes(data)
    return path


def docx(tmp_path: Path) -> Path:
    title, body = speech_text("疏附县", "疏附县职业技能教育培训中心", dt.date(2017, 3, 1))
    created = dt.datetime(2017, 3, 1, 9, 30)
    write_document(tmp_path, DocumentPlan(
        path="speech.docx", kind="docx", title=title, paragraphs=body,
        claimed=dt.date(2017, 3, 1), created=created, modified=created + dt.timedelta(days=2),
        author="王建国", software="Microsoft Office Word"))
    return tmp_path / "speech.docx"


def test_json_has_one_object_per_file_with_camera_gps_and_document_properties(
        tmp_path: Path) -> None:
    jpg, doc = photo(tmp_path), docx(tmp_path)
    r = run_cli("metadata", str(jpg), str(doc), "--json", check=True)
    first, second = json.loads(r.stdout)
    assert first["SourceFile"] == str(jpg)
    assert first["EXIF:Make"] == CAMERAS[1].make and first["EXIF:Model"] == CAMERAS[1].model
    assert first["EXIF:DateTimeOriginal"] == "2018-05-04T03:12:33"
    lat, lon = first["GPS:Position"]
    assert abs(lat - 39.4704) < 1e-4 and abs(lon - 75.9897) < 1e-4
    assert first["Thumbnail:Present"] is True
    assert second["File:MIMEType"].endswith("wordprocessingml.document")
    assert "王建国" in json.dumps(second, ensure_ascii=False)
    assert not any(k == "Scrutiny:Error" for o in (first, second) for k in o)


def test_table_output_and_a_bad_file_does_not_stop_the_others(tmp_path: Path) -> None:
    bad = tmp_path / "cut.jpg"
    bad.write_bytes(photo(tmp_path, "full.jpg").read_bytes()[:2500])
    good = photo(tmp_path)
    r = run_cli("metadata", str(bad), str(good))
    assert r.returncode == 1
    assert "Scrutiny:Error" in r.stdout and "truncated" in r.stdout
    assert r.stdout.count("EXIF:Model") == 2      # the cut file keeps what could be read
    assert str(good) in r.stdout


def test_a_file_no_extractor_reads_gets_its_type_only(tmp_path: Path) -> None:
    blob = tmp_path / "x.bin"
    blob.write_bytes(bytes(range(256)) * 8)
    out = json.loads(run_cli("metadata", str(blob), "--json", check=True).stdout)[0]
    assert out["File:FileSize"] == 2048
    assert "no extractor reads" in out["Scrutiny:Warning"][0]


def test_a_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    r = run_cli("metadata", str(tmp_path / "nope.jpg"))
    assert r.returncode == 2 and "does not exist" in r.stderr
