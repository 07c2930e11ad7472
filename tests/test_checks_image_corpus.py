"""Photo-corpus checks: the camera inventory and its outliers (IMG-CAM-001…004), capture times
against file names, file order, gaps and the leak's end (IMG-TIME-001…005), and the sensor-noise
fingerprint (IMG-PRNU-001).

Three kinds of test: the pieces (name times, ordered runs, clock offsets) on hand-made values;
small catalogs written directly (an in-memory SQLite catalog with the real schema) for exact
positive and negative cases; and real JPEGs — synthetic leaks generated, ingested, extracted
and checked over several seeds (planted timestamp faults found, clean photos left alone), and
synthetic cameras with a multiplicative sensor pattern for the fingerprint check.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import piexif
import pytest
from PIL import Image

from scrutiny.case import Case
from scrutiny.checks.base import Context, CorpusCheck
from scrutiny.checks.image.cameras import (
    CAMERA_CHECKS,
    CameraInventory,
    FirmwareDiffersWithinSerial,
    Photo,
    RareCameraIdentity,
    SerialWithSeveralModels,
    placeholder_serial,
)
from scrutiny.checks.image.prnu import (
    PRNU_CHECKS,
    Fingerprint,
    SensorNoiseMismatch,
    crop_box,
    residual,
    similarity,
)
from scrutiny.checks.image.timeline import (
    TIMELINE_CHECKS,
    TOLERANCE,
    CameraClockOffsets,
    NameTimeMismatch,
    OutOfFileOrder,
    TakenAfterLeakEnd,
    TimelineGaps,
    clocks,
    duration,
    gap_pvalue,
    longest_ordered,
    name_time,
    out_of_order,
)
from scrutiny.checks.registry import validate
from scrutiny.checks.run import check_case, findings
from scrutiny.core import Finding, Severity
from scrutiny.extract.run import extract_case
from scrutiny.ingest import ingest
from scrutiny.store.catalog import migrate
from scrutiny.synth.leak import LeakConfig, generate_leak

ALL = (*CAMERA_CHECKS, *TIMELINE_CHECKS, *PRNU_CHECKS)
T0 = dt.datetime(2018, 3, 1, 9, 0, 0)


def test_checks_are_valid_and_documented() -> None:
    assert [c.code for c in validate(ALL)] == [
        "IMG-CAM-001", "IMG-CAM-002", "IMG-CAM-003", "IMG-CAM-004",
        "IMG-TIME-001", "IMG-TIME-002", "IMG-TIME-003", "IMG-TIME-004", "IMG-TIME-005",
        "IMG-PRNU-001"]
    for cls in ALL:
        doc = cls.__doc__ or ""
        assert "Method" in doc and "can show" in doc and "cannot show" in doc, cls.code
        assert "References" in doc, cls.code


# -- the pieces ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "expected"), [
    ("653125199108313453_20181006090225.jpg", dt.datetime(2018, 10, 6, 9, 2, 25)),
    ("IMG_20180101_235959.jpg", dt.datetime(2018, 1, 1, 23, 59, 59)),
    ("2017-05-04 10.11.12.jpg", dt.datetime(2017, 5, 4, 10, 11, 12)),
    ("65312519910831345320181006090225.jpg", None),   # inside a longer number
    ("653125199108313453.jpg", None),
    ("ID_20181332090225.jpg", None),                   # month 13
    ("IMG_0042.jpg", None),
])
def test_name_time(name: str, expected: dt.datetime | None) -> None:
    assert name_time(name) == expected


def test_duration_reads_well() -> None:
    assert duration(0.2) == "0 s"
    assert duration(-125) == "-2 min 5 s"
    assert duration(3600 * 27 + 60) == "+1 day 3 h"
    assert duration(86400 * 27) == "+27 days"


def test_placeholder_serials() -> None:
    for s in ("0000000", "123456", "0123456789", "unknown", "n/a", "     "):
        assert placeholder_serial(s), s
    for s in ("KS20-004117", "V8M55120", "2468", "1357911"):
        assert not placeholder_serial(s), s


def test_longest_ordered_run_and_out_of_order() -> None:
    assert longest_ordered([]) == []
    assert longest_ordered([1, 2, 2, 3]) == [0, 1, 2, 3]
    # one photo dated far into the future, one far into the past
    day = 86400.0
    times = [0, day, 2 * day, 50 * day, 3 * day, 4 * day, -30 * day, 5 * day]
    assert [j for j, _ in out_of_order(times)] == [3, 6]
    # a step back within the tolerance (five minutes) is not out of order
    assert out_of_order([0, 100, 60, 200]) == []
    # ties: which of two crossing photos is out of order is chosen by ``preferred``
    assert [j for j, _ in out_of_order([0, 10 * day, 5 * day, 20 * day],
                                       [True, False, True, True])] == [1]
    assert [j for j, _ in out_of_order([0, 10 * day, 5 * day, 20 * day],
                                       [True, True, False, True])] == [2]


def test_gap_pvalue() -> None:
    assert gap_pvalue(10, 100, 2) == 1.0
    assert gap_pvalue(100, 100, 10) == 0.0
    assert gap_pvalue(90, 365, 50) < 1e-4 < gap_pvalue(20, 365, 50)


def shot_photo(camera: str, named: dt.datetime, exif: dt.datetime, n: int,
               model: str = "K-20") -> Photo:
    return Photo(sha256=f"{camera}{n:04d}".ljust(64, "0"), mime="image/jpeg",
                 paths=[f"/leak/photos/{camera}/65312519910831345{n % 10}_"
                        f"{named:%Y%m%d%H%M%S}.jpg"],
                 make="Kestrel", model=model, serial=camera,
                 taken_iso=exif.isoformat())


def series(camera: str, offsets: Sequence[float], start: dt.datetime = T0) -> list[Photo]:
    """One camera, a photo a day, the camera's clock ``offsets[i]`` seconds from the name."""
    out = []
    for i, off in enumerate(offsets):
        named = start + dt.timedelta(days=i, minutes=7 * i)
        out.append(shot_photo(camera, named, named + dt.timedelta(seconds=off), i))
    return out


def flagged(found: Sequence[Any]) -> dict[str, set[int]]:
    return {c.camera: {c.shots.index(d.shot) for d in c.flagged} for c in found}


def test_clock_offsets_flag_single_departures_not_whole_cameras() -> None:
    steady = [3600.0] * 30                      # an hour fast, always: not flagged
    steady[12] = 3600.0 - 3 * 86400             # one photo dated three days earlier
    drifting = [6.0 * i for i in range(100)]    # 6 s a day: 10 min after 100 days
    reset = [0.0] * 15 + [-7200.0] * 15         # clock set back two hours, once
    batch = [0.0] * 10 + [86400.0 * 9] * 3 + [0.0] * 10   # three photos shifted together
    moved = [0.0] * 10 + [86400.0 * 9] * 6 + [0.0] * 10   # six: a clock change, not flagged
    exact = [0.0] * 8
    photos = [*series("AAAA01", steady), *series("DRIFT02", drifting),
              *series("RESET03", reset), *series("BATCH04", batch),
              *series("MOVED05", moved), *series("FEW0006", [0.0, 86400.0 * 40]),
              *series("EXACT07", exact)]
    found, corpus = clocks(photos)
    assert corpus is not None and 0 <= corpus < TOLERANCE   # the median of all photos
    by = {c.camera: c for c in found}
    assert flagged(found) == {"serial AAAA01": {12}, "serial DRIFT02": set(),
                              "serial RESET03": set(), "serial BATCH04": {10, 11, 12},
                              "serial MOVED05": set(), "serial FEW0006": {1},
                              "serial EXACT07": set()}
    assert by["serial AAAA01"].offset == 3600.0
    assert by["serial FEW0006"].own is False
    assert [c["offset_after_seconds"] for c in by["serial RESET03"].changes] == [-7200.0]
    assert len(by["serial MOVED05"].changes) == 2          # out and back
    assert by["serial DRIFT02"].changes == [] and by["serial EXACT07"].changes == []


# -- small catalogs -----------------------------------------------------------------------------

def catalog() -> sqlite3.Connection:
    db = sqlite3.connect(":memory:", isolation_level=None)
    migrate(db)
    return db


def add_photo(db: sqlite3.Connection, path: str, meta: dict[str, Any],
              mime: str = "image/jpeg") -> str:
    sha = hashlib.sha256(path.encode()).hexdigest()
    db.execute("INSERT INTO items(sha256, size, mime, magic, received, first_run, custody_seq) "
               "VALUES (?, 1, ?, '', '2024-01-01', 'run', 1)", (sha, mime))
    db.execute("INSERT INTO provenances(sha256, run_id, source, chain, parent, mtime, ext_mime, "
               "ext_mismatch, custody_seq) VALUES (?, 'run', ?, '[]', NULL, '', NULL, 0, 1)",
               (sha, path))
    for key, value in meta.items():
        location = {"EXIF:SerialNumber": "exif", "EXIF:DateTimeOriginal": "exif",
                    "JPEG:QuantizationTables": "jpeg"}.get(key, "ifd0")
        db.execute("INSERT INTO metadata(extraction_id, sha256, location, key, value, raw) "
                   "VALUES (1, ?, ?, ?, ?, NULL)", (sha, location, key, json.dumps(value)))
    return sha


def camera_meta(make: str, model: str, serial: str | None, firmware: str,
                taken: dt.datetime, tables: int = 1) -> dict[str, Any]:
    meta: dict[str, Any] = {"EXIF:Make": make, "EXIF:Model": model, "EXIF:Software": firmware,
                            "EXIF:DateTimeOriginal": taken.isoformat(),
                            "JPEG:QuantizationTables": [[tables] * 64, [tables + 1] * 64],
                            "File:ImageWidth": 1024, "File:ImageHeight": 768}
    if serial is not None:
        meta["EXIF:SerialNumber"] = serial
    return meta


def run(check: type[CorpusCheck], db: sqlite3.Connection,
        settings: dict[str, Any] | None = None) -> list[Finding]:
    out = list(check().run(Context(db, dt.date(2024, 1, 1), settings or {})))
    for f in out:   # evidence must be storable: canonical JSON, no NaN, no numpy types
        json.dumps(f.evidence, allow_nan=False)
        assert f.code == check.code
    return out


def dump(db: sqlite3.Connection, folder: str, n: int, make: str, model: str, serial: str,
         firmware: str, start: dt.datetime = T0, tables: int = 1) -> list[str]:
    """``n`` photos named ``<ID>_<time>.jpg``, a photo a day, EXIF time = name time."""
    shas = []
    for i in range(n):
        taken = start + dt.timedelta(days=i, minutes=3 * i)
        shas.append(add_photo(db, f"/leak/photos/{folder}/65312519910831{i:04d}_"
                                  f"{taken:%Y%m%d%H%M%S}.jpg",
                              camera_meta(make, model, serial, firmware, taken, tables)))
    return shas


def test_inventory_and_rare_identities() -> None:
    db = catalog()
    dump(db, "a", 40, "Kestrel", "K-20", "KS20-004117", "Firmware 1.0.4")
    dump(db, "b", 30, "Veyra", "V10", "V10-7731904", "V10_FW 1.05")
    odd = add_photo(db, "/leak/photos/a/653125199108319999_20180401090000.jpg",
                    camera_meta("Nikon", "D3300", "3012345", "Ver.1.00",
                                dt.datetime(2018, 4, 1, 9)))
    resaved = add_photo(db, "/leak/photos/b/653125199108318888_20180402090000.jpg",
                        camera_meta("Veyra", "V10", "V10-7731904", "GIMP 2.10.30",
                                    dt.datetime(2018, 4, 2, 9), tables=50))
    add_photo(db, "/leak/other/scan.png", {"File:ImageWidth": 10, "File:ImageHeight": 10},
              mime="image/png")
    (inv,) = run(CameraInventory, db)
    ev = inv.evidence
    assert (ev["images"], ev["with_camera"], ev["without_camera"]) == (73, 72, 1)
    assert [(c["camera"], c["photos"]) for c in ev["cameras"]] == [
        ("serial KS20-004117", 40), ("serial V10-7731904", 31), ("serial 3012345", 1)]
    assert ev["cameras"][1]["firmware"] == {"V10_FW 1.05": 30, "GIMP 2.10.30": 1}
    assert len(ev["cameras"][1]["qtables"]) == 2
    assert inv.severity == Severity.INFO

    rare = run(RareCameraIdentity, db)
    kinds = {f.evidence["kind"]: f for f in rare}
    assert len(rare) == 4 and set(kinds) == {"model", "serial", "firmware", "qtables"}
    assert kinds["model"].evidence["value"] == "Nikon D3300"
    assert kinds["model"].subject == kinds["serial"].subject == odd
    assert kinds["firmware"].evidence["value"] == "GIMP 2.10.30"
    assert kinds["firmware"].subject == kinds["qtables"].subject == resaved
    assert kinds["qtables"].evidence["scope"] == "photos of the Veyra V10"
    assert {f.severity for f in rare} == {Severity.NOTICE}
    assert run(SerialWithSeveralModels, db) == []


def test_nothing_is_rare_in_a_small_corpus() -> None:
    db = catalog()
    dump(db, "a", 12, "Kestrel", "K-20", "KS20-004117", "Firmware 1.0.4")
    add_photo(db, "/leak/photos/a/x_20180401090000.jpg",
              camera_meta("Nikon", "D3300", "3012345", "Ver.1.00", dt.datetime(2018, 4, 1, 9)))
    assert run(RareCameraIdentity, db) == []


def test_serial_with_two_models_and_placeholders_ignored() -> None:
    db = catalog()
    dump(db, "a", 10, "Kestrel", "K-20", "KS20-004117", "Firmware 1.0.4")
    dump(db, "b", 3, "Veyra", "V8 Mini", "KS20-004117", "V8M_FW 3.2")
    dump(db, "c", 4, "Veyra", "V8 Mini", "0000000", "V8M_FW 3.2")
    dump(db, "d", 4, "Tianmu Optics", "TM-300", "0000000", "TM300 Ver.2.01")
    (f,) = run(SerialWithSeveralModels, db)
    assert f.subject == "camera:serial KS20-004117"
    assert [(m["model"], m["photos"]) for m in f.evidence["models"]] == [
        ("Kestrel K-20", 10), ("Veyra V8 Mini", 3)]
    (inv,) = run(CameraInventory, db)
    assert inv.evidence["placeholder_serials"] == ["0000000"]
    assert {c["camera"] for c in inv.evidence["cameras"]} == {
        "serial KS20-004117", "model Veyra V8 Mini", "model Tianmu Optics TM-300"}


def test_firmware_update_against_an_editor_name() -> None:
    db = catalog()
    dump(db, "a", 10, "Kestrel", "K-20", "KS20-004117", "Firmware 1.0.4")
    dump(db, "a", 10, "Kestrel", "K-20", "KS20-004117", "Firmware 1.0.5",
         start=T0 + dt.timedelta(days=30))
    dump(db, "b", 10, "Veyra", "V10", "V10-7731904", "V10_FW 1.05")
    add_photo(db, "/leak/photos/b/x_20180305090000.jpg",
              camera_meta("Veyra", "V10", "V10-7731904", "IrfanView 4.54",
                          dt.datetime(2018, 3, 5, 9)))
    dump(db, "c", 6, "Veyra", "V8 Mini", "V8M55120", "V8M_FW 3.2")
    dump(db, "c", 1, "Veyra", "V8 Mini", "V8M55120", "V8M_FW 3.1", start=T0 + dt.timedelta(
        days=2, hours=5))
    found = {f.evidence["serial"]: f for f in run(FirmwareDiffersWithinSerial, db)}
    assert set(found) == {"KS20-004117", "V10-7731904", "V8M55120"}
    update = found["KS20-004117"].evidence
    assert update["single_update_pattern"] and update["changes_in_time_order"] == 1
    editor = found["V10-7731904"].evidence
    assert not editor["same_format"] and not editor["single_update_pattern"]
    assert "not versions of one firmware" in found["V10-7731904"].explanation
    back_and_forth = found["V8M55120"].evidence
    assert back_and_forth["same_format"] and back_and_forth["changes_in_time_order"] == 2
    assert not back_and_forth["single_update_pattern"]


def test_times_against_names_order_and_end_in_a_catalog() -> None:
    db = catalog()
    shas = dump(db, "a", 20, "Kestrel", "K-20", "KS20-004117", "Firmware 1.0.4")
    # a camera whose clock runs 8 h behind: its photos are not flagged, only the offset shown
    start = T0 + dt.timedelta(hours=1)
    for i in range(12):
        named = start + dt.timedelta(days=i)
        add_photo(db, f"/leak/photos/b/65312519910831{i:04d}_{named:%Y%m%d%H%M%S}.jpg",
                  camera_meta("Veyra", "V10", "V10-7731904", "V10_FW 1.05",
                              named - dt.timedelta(hours=8)))
    # one photo whose EXIF time was moved back 20 days
    named = T0 + dt.timedelta(days=7, hours=2)
    moved = add_photo(db, f"/leak/photos/a/653125199108317777_{named:%Y%m%d%H%M%S}.jpg",
                      camera_meta("Kestrel", "K-20", "KS20-004117", "Firmware 1.0.4",
                                  named - dt.timedelta(days=20)))
    # one photo dated after the end by its clock (its name is before)
    named = T0 + dt.timedelta(days=19, hours=3)
    late = add_photo(db, f"/leak/photos/a/653125199108316666_{named:%Y%m%d%H%M%S}.jpg",
                     camera_meta("Kestrel", "K-20", "KS20-004117", "Firmware 1.0.4",
                                 dt.datetime(2019, 6, 1, 10)))
    # a camera numbering its files, one file inserted out of order
    for i in range(1, 9):
        taken = T0 + dt.timedelta(days=i)
        add_photo(db, f"/leak/photos/c/IMG_{i:04d}.JPG",
                  camera_meta("Tianmu Optics", "TM-300", "TM3A1870562", "TM300 Ver.2.01",
                              taken))
    inserted = add_photo(db, "/leak/photos/c/IMG_0005a.JPG",
                         camera_meta("Tianmu Optics", "TM-300", "TM3A1870562",
                                     "TM300 Ver.2.01", T0 + dt.timedelta(days=40)))

    mismatch = run(NameTimeMismatch, db)
    assert {f.subject for f in mismatch} == {moved, late}
    assert all(f.severity == Severity.WARNING for f in mismatch)
    m = next(f for f in mismatch if f.subject == moved)
    assert m.evidence["difference_seconds"] == -20 * 86400
    assert m.evidence["camera_offset_seconds"] == 0
    assert "-20 days" in m.explanation

    (offsets,) = run(CameraClockOffsets, db)
    cams = {c["camera"]: c for c in offsets.evidence["cameras"]}
    assert cams["serial V10-7731904"]["offset_seconds"] == -8 * 3600
    assert cams["serial V10-7731904"]["deviating_photos"] == 0
    assert cams["serial KS20-004117"]["deviating_photos"] == 2
    assert offsets.severity == Severity.INFO

    order = {f.evidence["folder"]: f for f in run(OutOfFileOrder, db)}
    assert set(order) == {"/leak/photos/a", "/leak/photos/c"}
    c = order["/leak/photos/c"].evidence
    assert c["order"] == "file name"
    assert [p["item"] for r in c["runs"] for p in r["photos"]] == [inserted]
    a = order["/leak/photos/a"].evidence   # the late photo is filed last: still in order
    assert [p["item"] for r in a["runs"] for p in r["photos"]] == [moved]

    assert run(TakenAfterLeakEnd, db) == []          # no end date, nothing said
    (after,) = run(TakenAfterLeakEnd, db, {"end_date": "2019-01-15"})
    assert after.subject == late and after.severity == Severity.WARNING
    assert after.evidence["exif_after_end"] and not after.evidence["name_after_end"]
    assert shas[0] not in {f.subject for f in mismatch}

    (gaps,) = run(TimelineGaps, db)
    assert gaps.evidence["all"]["last"] == "2019-06-01"
    assert gaps.evidence["all"]["longest_gaps"][0]["from"] == "2018-04-10"


# -- synthetic leaks, end to end -------------------------------------------------------------

SEEDS = (1, 2, 3)
TIME_KINDS = ("timestamp-out-of-sequence", "timestamp-after-end")


@dataclass
class Leak:
    seed: int
    root: Path
    case: Case
    truth: dict[str, Any]

    def sha(self, rel: str) -> str:
        return hashlib.sha256((self.root / rel).read_bytes()).hexdigest()

    def planted(self, *kinds: str) -> set[str]:
        return {self.sha(e["file"]) for e in self.truth["planted"] if e["kind"] in kinds}

    def found(self, code: str, severity: Severity = Severity.NOTICE) -> list[dict[str, Any]]:
        return [f for f in findings(self.case.db, severity=severity, code=code)
                if f["code"] == code]


@pytest.fixture(scope="module")
def leaks(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Leak]]:
    out = []
    for seed in SEEDS:
        root = tmp_path_factory.mktemp(f"photoleak{seed}")
        generate_leak(root / "gen", LeakConfig(people=300, photos=150, seed=seed))
        case = Case.create(root / "case", actor="test")
        ingest(case, [root / "gen" / "leak"], workers=0)
        extract_case(case, workers=0)
        truth = json.loads((root / "gen" / "ground_truth.json").read_text("utf-8"))
        check_case(case, classes=list(ALL), settings={"end_date": truth["leak_end"]},
                   today=dt.date(2024, 1, 1))
        out.append(Leak(seed, root / "gen", case, truth))
    yield out
    for leak in out:
        leak.case.close()


def test_planted_timestamps_found_and_clean_photos_left_alone(leaks: list[Leak]) -> None:
    for leak in leaks:
        planted = leak.planted(*TIME_KINDS)
        late = leak.planted("timestamp-after-end")
        assert len(planted) == 4 and len(late) == 2, leak.seed
        assert {f["subject"] for f in leak.found("IMG-TIME-001")} == planted, leak.seed
        assert {f["subject"] for f in leak.found("IMG-TIME-005")} == late, leak.seed
        out_of_order = {p["item"] for f in leak.found("IMG-TIME-003")
                        for r in f["evidence"]["runs"] for p in r["photos"]}
        assert out_of_order <= planted, leak.seed
        (offsets,) = leak.found("IMG-TIME-002", Severity.INFO)
        assert offsets["evidence"]["corpus_offset_seconds"] == 0
        assert all(c["offset_seconds"] == 0 and not c["offset_changes"]
                   for c in offsets["evidence"]["cameras"])


def test_leak_cameras_and_sensor_noise(leaks: list[Leak]) -> None:
    for leak in leaks:
        (inv,) = leak.found("IMG-CAM-001", Severity.INFO)
        cameras = {c["serial"][0] for c in inv["evidence"]["cameras"]}
        assert cameras == {c["serial"] for c in leak.truth["cameras"]}
        assert inv["evidence"]["with_camera"] == 150
        assert leak.found("IMG-CAM-003") == []
        resaved = leak.planted("editor-resave")
        # an editor's name in EXIF Software: a firmware string the serial never writes
        firmware = {i["item"] for f in leak.found("IMG-CAM-004")
                    for v in f["evidence"]["values"][1:] for i in v["items"]}
        assert firmware == resaved, leak.seed
        rare = {f["subject"] for f in leak.found("IMG-CAM-002")}
        assert rare <= resaved | {s for s in rare if s.startswith("camera-")}
        # every camera's photos share one fingerprint, and none is flagged: the planted splices
        # are blocks far smaller than the crop and the re-saves keep the sensor noise
        assert leak.found("IMG-PRNU-001") == [], leak.seed
        summaries = leak.found("IMG-PRNU-001", Severity.INFO)
        established = [f for f in summaries if f["subject"].startswith("camera:")]
        assert len(established) == 6
        assert all(f["evidence"]["fingerprint_established"] for f in established)


# -- the sensor fingerprint ------------------------------------------------------------------

W, H = 640, 480


def sensor(seed: int, amplitude: float = 0.005) -> np.ndarray[Any, np.dtype[np.float32]]:
    """A camera's photo-response non-uniformity: a per-pixel gain of about ±0.5%."""
    rng = np.random.default_rng(seed)
    return rng.normal(0.0, amplitude, (H, W, 1)).astype(np.float32)


def scene(rng: np.random.Generator) -> np.ndarray[Any, np.dtype[np.float64]]:
    y, x = np.mgrid[0:H, 0:W].astype(np.float64)
    colour = rng.uniform(70, 190, 3)[None, None, :]
    wave = 1 + 0.25 * np.sin(x / rng.uniform(40, 200) + rng.uniform(0, 6))[..., None]
    image = colour * wave * (1 - 0.2 * y[..., None] / H)
    for _ in range(int(rng.integers(3, 8))):
        x0, y0 = int(rng.integers(0, W - 80)), int(rng.integers(0, H - 80))
        image[y0:y0 + int(rng.integers(30, 200)), x0:x0 + int(rng.integers(30, 200))] = \
            rng.uniform(30, 220, 3)
    return image


def shoot(rng: np.random.Generator, pattern: np.ndarray[Any, np.dtype[np.float32]],
          model: str, serial: str, taken: dt.datetime) -> bytes:
    """A JPEG (quality 90) of a scene seen through ``pattern``, with shot noise and EXIF."""
    pixels = scene(rng) * (1 + pattern) + rng.normal(0, 1.5, (H, W, 3))
    exif = piexif.dump({
        "0th": {piexif.ImageIFD.Make: "Acme", piexif.ImageIFD.Model: model,
                piexif.ImageIFD.Software: "FW 1.0"},
        "Exif": {piexif.ExifIFD.DateTimeOriginal: taken.strftime("%Y:%m:%d %H:%M:%S"),
                 piexif.ExifIFD.BodySerialNumber: serial}})
    buf = io.BytesIO()
    Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).save(buf, "JPEG", quality=90,
                                                                   exif=exif)
    return buf.getvalue()


def test_leave_one_out_fingerprint_is_the_others_estimate() -> None:
    rng = np.random.default_rng(5)
    crops = [rng.uniform(20, 230, (64, 64)).astype(np.float32) for _ in range(4)]
    parts = [residual(c) for c in crops]
    all_four, first_three = Fingerprint(64), Fingerprint(64)
    for i, (w, weights) in enumerate(parts):
        all_four.add(w, weights)
        if i < 3:
            first_three.add(w, weights)
    expected = (first_three.wi / first_three.ii).astype(np.float32)
    np.testing.assert_allclose(all_four.without(*parts[3]), expected, rtol=1e-4, atol=1e-6)
    assert crop_box(1024, 768) == (256, 128, 512)
    assert crop_box(600, 800) == (40, 144, 512)   # on the 8×8 grid
    assert crop_box(100, 100) is None


def test_similarity_of_a_pattern_and_of_noise() -> None:
    rng = np.random.default_rng(2)
    k = rng.normal(0, 1, (128, 128)).astype(np.float32)
    noisy = (k + rng.normal(0, 3, k.shape)).astype(np.float32)
    unrelated = rng.normal(0, 1, k.shape).astype(np.float32)
    ncc, pce = similarity(noisy, k)
    assert ncc > 0.2 and pce > 500
    ncc0, pce0 = similarity(unrelated, k)
    assert abs(ncc0) < 0.05 and abs(pce0) < 30


def test_photo_from_another_sensor_is_flagged(case: Case, tmp_path: Path) -> None:
    src = tmp_path / "photos"
    src.mkdir()
    rng = np.random.default_rng(0)
    a, b = sensor(1), sensor(2)
    for i in range(13):
        taken = T0 + dt.timedelta(hours=i)
        (src / f"A_{i:03d}.jpg").write_bytes(shoot(rng, a, "A1", "AAA111", taken))
        (src / f"B_{i:03d}.jpg").write_bytes(shoot(rng, b, "B1", "BBB222", taken))
    for i in range(4):   # too few to test
        (src / f"C_{i:03d}.jpg").write_bytes(shoot(rng, sensor(3), "C1", "CCC333", T0))
    # claims camera A (EXIF copied), made with camera B's sensor
    intruder = shoot(rng, b, "A1", "AAA111", T0 + dt.timedelta(hours=20))
    (src / "A_999.jpg").write_bytes(intruder)
    ingest(case, [src], workers=0)
    extract_case(case, workers=0)
    check_case(case, classes=[SensorNoiseMismatch], today=dt.date(2024, 1, 1))
    found = findings(case.db, code="IMG-PRNU-001")
    warned = [f for f in found if f["severity"] != "info"]
    assert [f["subject"] for f in warned] == [hashlib.sha256(intruder).hexdigest()]
    (w,) = warned
    assert w["severity"] == "warning"
    assert w["evidence"]["pce"] < 60 < w["evidence"]["camera_median_pce"]
    assert w["evidence"]["robust_z"] < -4
    summaries = {f["subject"]: f["evidence"] for f in found if f["severity"] == "info"}
    assert summaries["camera:serial AAA111"]["photos_used"] == 14
    assert summaries["camera:serial AAA111"]["flagged"] == 1
    assert summaries["camera:serial BBB222"]["flagged"] == 0
    assert summaries["camera:serial BBB222"]["min_pce"] > 60
    assert summaries["corpus:prnu-untested"]["cameras"][0]["photos"] == 4
