"""The image extractor: reference dumps of real camera files, synthetic camera photos with known
ground truth, and hand-built JPEG edge cases (trailing data, progressive, optimized Huffman,
restart markers, XMP, IPTC, ICC, corrupt and oversized files)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
import struct
from dataclasses import replace
from pathlib import Path
from typing import Any

import piexif
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageCms

from scrutiny.extract.base import ExtractionError, ItemInfo, Limits, Meta
from scrutiny.extract.image import (
    ImageExtractor,
    metadata_json,
    next_marker,
    parse_date,
    parse_tiff,
    thumbnail_bytes,
)
from scrutiny.synth.photos import CAMERAS, Camera, PhotoPlan, render_photo, thumbnail_size

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "exif"
IMAGES = SHARED / "images"
REFERENCE = SHARED / "reference"
REFERENCE_IMAGES = sorted(p.name for p in IMAGES.iterdir()) if IMAGES.is_dir() else []
# metadata-extractor's directory names -> the extractor's locations
DIRECTORIES = {"Exif IFD0": "ifd0", "Exif SubIFD": "exif", "Exif Thumbnail": "ifd1",
               "GPS": "gps", "Interoperability": "interop"}
REF_LINE = re.compile(r"\[(?P<dir>[^\]]+?) - 0x[0-9a-f]+\] (?P<name>.+?) = (?P<value>.*)")
DMS = re.compile(r"(-?[\d.]+)° (-?[\d.]+)' (-?[\d.]+)\"")
TAKEN = dt.datetime(2018, 5, 4, 3, 12, 33)
SUBSAMPLING = {0: "4:4:4", 1: "4:2:2", 2: "4:2:0"}


# --------------------------------------------------------------------------- helpers


def run(data: bytes, limits: Limits | None = None) -> list[Meta]:
    """Every Meta the extractor yields; an ExtractionError propagates."""
    item = ItemInfo(sha256="0" * 64, size=len(data), mime="image/jpeg")
    out = ImageExtractor().extract(io.BytesIO(data), item, limits or Limits())
    return [m for m in out if isinstance(m, Meta)]


def run_partial(data: bytes, limits: Limits | None = None) -> tuple[list[Meta], str]:
    """The Metas yielded before the ExtractionError the data must cause, and its message."""
    item = ItemInfo(sha256="0" * 64, size=len(data), mime="image/jpeg")
    got: list[Meta] = []
    with pytest.raises(ExtractionError) as error:
        for m in ImageExtractor().extract(io.BytesIO(data), item, limits or Limits()):
            assert isinstance(m, Meta)
            got.append(m)
    return got, str(error.value)


def by_key(metas: list[Meta]) -> dict[str, Meta]:
    """The first Meta of each key (IFD0 before IFD1, as exiftool prefers)."""
    out: dict[str, Meta] = {}
    for m in metas:
        out.setdefault(m.key, m)
    return out


def at(metas: list[Meta], location: str, key: str) -> Meta | None:
    return next((m for m in metas if m.location == location and m.key == key), None)


def jpeg(size: tuple[int, int] = (64, 48), **save: Any) -> bytes:
    image = Image.new("RGB", size)
    image.putdata([((x * 7) % 256, (y * 5) % 256, (x * y) % 256)
                   for y in range(size[1]) for x in range(size[0])])
    buf = io.BytesIO()
    image.save(buf, "JPEG", **save)
    return buf.getvalue()


def with_segment(data: bytes, marker: int, payload: bytes) -> bytes:
    """Insert a marker segment right after SOI."""
    return data[:2] + bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload \
        + data[2:]


def camera_exif(make: str = "Kestrel", model: str = "K-20") -> bytes:
    return bytes(piexif.dump({"0th": {piexif.ImageIFD.Make: make,
                                      piexif.ImageIFD.Model: model}}))


# --------------------------------------------------------------------------- reference dumps


def parse_reference(path: Path) -> dict[str, dict[str, str]]:
    """metadata-extractor's text dump as {directory: {tag name: value as printed}}."""
    out: dict[str, dict[str, str]] = {}
    for line in path.read_bytes().decode("utf-8", "replace").splitlines():
        m = REF_LINE.fullmatch(line)
        if m:
            out.setdefault(m["dir"], {}).setdefault(m["name"], m["value"])
    return out


def dms_degrees(text: str) -> float:
    m = DMS.fullmatch(text.strip())
    assert m, f"unexpected GPS rendering {text!r}"
    d, mi, s = (float(v) for v in m.groups())
    return d + mi / 60 + s / 3600


def reference_position(gps: dict[str, str]) -> tuple[float, float] | None:
    if "GPS Latitude" not in gps or "GPS Longitude" not in gps:
        return None
    lat, lon = dms_degrees(gps["GPS Latitude"]), dms_degrees(gps["GPS Longitude"])
    if gps.get("GPS Latitude Ref", "N").strip().upper().startswith("S"):
        lat = -lat
    if gps.get("GPS Longitude Ref", "E").strip().upper().startswith("W"):
        lon = -lon
    return lat, lon


def check_date(got: Meta | None, raw: str | None, subsec: str | None) -> None:
    """The raw string is kept as written; the value is that instant, with the sub-seconds."""
    if raw is None:
        assert got is None
        return
    assert got is not None and got.raw == raw
    try:
        expected = dt.datetime.strptime(raw, "%Y:%m:%d %H:%M:%S")
    except ValueError:
        assert got.value is None, f"unparseable {raw!r} should give no value"
        return
    parsed = dt.datetime.fromisoformat(got.value)
    assert parsed.replace(tzinfo=None, microsecond=0) == expected
    if subsec and subsec.strip().isdigit():
        assert got.value[19:].startswith("." + subsec.strip())


def reference_thumbnail(ref: dict[str, dict[str, str]]) -> bool:
    thumb = ref.get("Exif Thumbnail", {})
    length = re.match(r"\d+", thumb.get("Thumbnail Length", ""))
    return "Thumbnail Offset" in thumb and length is not None and int(length[0]) > 0


@pytest.mark.skipif(not REFERENCE_IMAGES, reason=f"no shared EXIF images at {IMAGES}")
@pytest.mark.parametrize("name", REFERENCE_IMAGES)
def test_reference_image(name: str) -> None:
    ref = parse_reference(REFERENCE / f"{name}.txt")
    metas = run((IMAGES / name).read_bytes())  # no error for any of them
    for directory, location in DIRECTORIES.items():
        tags = ref.get(directory, {})
        for tag, key in (("Make", "EXIF:Make"), ("Model", "EXIF:Model")):
            got = at(metas, location, key)
            assert (got.value if got else None) == tags.get(tag), f"{directory} {tag}"
        check_date(at(metas, location, "EXIF:DateTimeOriginal"),
                   tags.get("Date/Time Original"), tags.get("Sub-Sec Time Original"))
    expected = reference_position(ref.get("GPS", {}))
    position = at(metas, "gps", "GPS:Position")
    if expected is None:
        assert position is None
    else:
        assert position is not None
        assert position.value == pytest.approx(list(expected), abs=1e-4)
    present = at(metas, "ifd1", "Thumbnail:Present")
    assert present is not None and present.value is reference_thumbnail(ref)
    for directory, location in DIRECTORIES.items():  # the same IFDs were found
        assert any(m.location == location for m in metas if m.key.startswith(("EXIF:", "GPS:"))
                   ) == (directory in ref), directory
    if not any(d in ref for d in DIRECTORIES):
        assert not [m for m in metas if m.key.startswith(("EXIF:", "GPS:"))]
    for m in metas:
        json.dumps(m.value, allow_nan=False)


@pytest.mark.skipif(not REFERENCE_IMAGES, reason=f"no shared EXIF images at {IMAGES}")
def test_reference_thumbnails_are_jpegs() -> None:
    for name in REFERENCE_IMAGES:
        with (IMAGES / name).open("rb") as f:
            thumb = thumbnail_bytes(f)
        if reference_thumbnail(parse_reference(REFERENCE / f"{name}.txt")):
            assert thumb is not None and thumb.startswith(b"\xff\xd8"), name


# --------------------------------------------------------------------------- synthetic photos


def make_plan(camera: Camera = CAMERAS[0], **changes: Any) -> PhotoPlan:
    plan = PhotoPlan(camera=camera, taken=TAKEN, subsec="042", offset="+08:00",
                     gps=(43.825592, 87.616848), caption="ID 6531\n2018-05-04", seed=7)
    return replace(plan, **changes)


@pytest.mark.parametrize("camera", CAMERAS, ids=lambda c: f"{c.model}-{c.serial}")
def test_synthetic_camera_photo(camera: Camera) -> None:
    data, _ = render_photo(make_plan(camera))
    meta = by_key(run(data))
    assert meta["EXIF:Make"].value == camera.make
    assert meta["EXIF:Model"].value == camera.model
    assert meta["EXIF:Software"].value == camera.firmware
    assert meta["JPEG:QuantizationTables"].value == camera.qtables()
    assert meta["JPEG:Subsampling"].value == SUBSAMPLING[camera.subsampling]
    assert meta["JPEG:HuffmanTables"].value == "standard"
    assert meta["JPEG:Progressive"].value is False
    assert meta["JPEG:Segments"].value[:2] == ["SOI", "APP1"]  # no JFIF, as a camera writes
    assert meta["JPEG:Segments"].value[-2:] == ["SOS", "EOI"]
    assert meta["JPEG:TrailingBytes"].value == 0
    assert (meta["File:ImageWidth"].value, meta["File:ImageHeight"].value) == (
        camera.width, camera.height)
    dto = meta["EXIF:DateTimeOriginal"]
    assert (dto.value, dto.raw) == ("2018-05-04T03:12:33.042+08:00", "2018:05:04 03:12:33")
    assert meta["GPS:Position"].value == pytest.approx([43.825592, 87.616848], abs=1e-7)
    assert meta["Thumbnail:Present"].value is True
    assert meta["JPEG:ThumbnailSize"].value == list(thumbnail_size(camera.width, camera.height))
    assert "JFIF:JFIFVersion" not in meta


def test_synthetic_southwest_position_and_no_offset() -> None:
    data, _ = render_photo(make_plan(gps=(-33.45694, -70.64827), offset=None, subsec="5"))
    meta = by_key(run(data))
    assert meta["GPS:Latitude"].value == pytest.approx(-33.45694, abs=1e-7)
    assert meta["GPS:Longitude"].value == pytest.approx(-70.64827, abs=1e-7)
    assert meta["GPS:GPSLatitudeRef"].value == "S"
    assert meta["EXIF:DateTimeOriginal"].value == "2018-05-04T03:12:33.5"
    # GPS time is UTC: 03:12:33 taken in the assumed +08:00 -> 19:12:33 the day before
    assert meta["GPS:DateTime"].value == "2018-05-03T19:12:33Z"


def test_synthetic_without_gps_has_no_position() -> None:
    data, _ = render_photo(make_plan(gps=None))
    meta = by_key(run(data))
    assert "GPS:Position" not in meta and "GPS:Latitude" not in meta


def test_synthetic_editor_resave() -> None:
    data, details = render_photo(make_plan(forgery="editor-resave", editor="GIMP 2.10.30"))
    meta = by_key(run(data))
    assert meta["EXIF:Software"].value == "GIMP 2.10.30"
    assert "APP0:JFIF" in meta["JPEG:AppSegments"].value
    assert meta["JFIF:JFIFVersion"].value == "1.01"
    assert meta["JPEG:Subsampling"].value == "4:2:0"
    assert meta["JPEG:QuantizationTables"].value != CAMERAS[0].qtables()
    assert meta["Thumbnail:Present"].value is True  # the camera's stale thumbnail is kept
    assert details["software"] == "GIMP 2.10.30"


def test_thumbnail_bytes_equal_the_embedded_thumbnail() -> None:
    data, _ = render_photo(make_plan())
    assert thumbnail_bytes(io.BytesIO(data)) == piexif.load(data)["thumbnail"]
    assert thumbnail_bytes(io.BytesIO(jpeg())) is None


# --------------------------------------------------------------------------- JPEG structure


def test_trailing_bytes_after_eoi_are_counted_even_when_they_hold_a_jpeg() -> None:
    trailer = b"PADDING" + jpeg((16, 16)) + b"\x00" * 10   # contains its own FFD8 ... FFD9
    meta = by_key(run(jpeg() + trailer))
    assert meta["JPEG:TrailingBytes"].value == len(trailer)
    assert meta["JPEG:Segments"].value[-1] == "EOI"


def test_progressive_is_detected() -> None:
    meta = by_key(run(jpeg(progressive=True)))
    assert meta["JPEG:Progressive"].value is True
    assert meta["JPEG:Process"].value == "progressive"
    assert meta["JPEG:Scans"].value > 1
    assert meta["JPEG:Segments"].value.count("SOS") == meta["JPEG:Scans"].value
    assert meta["JPEG:TrailingBytes"].value == 0
    assert by_key(run(jpeg()))["JPEG:Progressive"].value is False


def test_optimized_huffman_tables_are_detected() -> None:
    assert by_key(run(jpeg(optimize=True)))["JPEG:HuffmanTables"].value == "optimized"
    assert by_key(run(jpeg(optimize=False)))["JPEG:HuffmanTables"].value == "standard"


def test_restart_interval_and_restart_markers_inside_the_scan() -> None:
    data = jpeg((64, 48), subsampling=2, restart_marker_rows=1)
    assert re.search(rb"\xff[\xd0-\xd7]", data)  # the scan really holds RST markers
    meta = by_key(run(data + b"tail"))
    assert meta["JPEG:RestartInterval"].value == 4  # 64 px / 16 px MCUs, one row
    assert meta["JPEG:TrailingBytes"].value == 4
    assert "JPEG:RestartInterval" not in by_key(run(jpeg()))


ENTROPY_BYTES = st.sampled_from([0x00, 0x00, 0x12, 0xD0, 0xD7, 0xD8, 0xD9, 0xC4, 0xFF, 0xFF])


@settings(max_examples=400, deadline=None)
@given(st.lists(ENTROPY_BYTES, max_size=80), st.integers(0, 80), st.integers(1, 9))
def test_next_marker_is_the_first_non_restart_marker(values: list[int], start: int,
                                                      window: int) -> None:
    """The fast scan agrees with the definition (0xFF, then neither a stuffed 0x00, a restart
    marker nor another 0xFF), whatever the window size."""
    data = bytes(values)
    expected = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]").search(data, start)
    assert next_marker(data, start, window) == (expected.start() if expected else -1)


@pytest.mark.parametrize("subsampling", [0, 1, 2])
def test_subsampling_and_quantization_tables(subsampling: int) -> None:
    tables = [[(i % 8) + 2 for i in range(64)], [(i // 8) + 3 for i in range(64)]]
    meta = by_key(run(jpeg(subsampling=subsampling, qtables=tables)))
    assert meta["JPEG:Subsampling"].value == SUBSAMPLING[subsampling]
    assert meta["JPEG:QuantizationTables"].value == tables


def test_grayscale_jpeg() -> None:
    buf = io.BytesIO()
    Image.new("L", (8, 8), 128).save(buf, "JPEG")
    meta = by_key(run(buf.getvalue()))
    assert meta["JPEG:Subsampling"].value == "4:0:0"
    assert len(meta["JPEG:QuantizationTables"].value) == 1


XMP_PACKET = """<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF
  xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
 <rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/"
   xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/"
   xmlns:stEvt="http://ns.adobe.com/xap/1.0/sType/ResourceEvent#"
   xmlns:dc="http://purl.org/dc/elements/1.1/"
   xmp:CreatorTool="Adobe Photoshop CC 2019 (Windows)" xmp:ModifyDate="2019-02-11T16:40:05+08:00">
  <xmpMM:History><rdf:Seq>
   <rdf:li stEvt:action="created" stEvt:when="2018-05-04T03:12:33+08:00"
     stEvt:softwareAgent="Kestrel K-20"/>
   <rdf:li rdf:parseType="Resource"><stEvt:action>saved</stEvt:action>
     <stEvt:softwareAgent>Adobe Photoshop CC 2019 (Windows)</stEvt:softwareAgent></rdf:li>
  </rdf:Seq></xmpMM:History>
  <dc:creator><rdf:Seq><rdf:li>阿卜杜</rdf:li></rdf:Seq></dc:creator>
  <dc:title><rdf:Alt><rdf:li xml:lang="x-default">Room 3</rdf:li></rdf:Alt></dc:title>
 </rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>"""


def test_xmp_creator_tool_and_history() -> None:
    payload = b"http://ns.adobe.com/xap/1.0/\x00" + XMP_PACKET.encode("utf-8")
    meta = by_key(run(with_segment(jpeg(), 0xE1, payload)))
    assert meta["XMP:CreatorTool"].value == "Adobe Photoshop CC 2019 (Windows)"
    assert meta["XMP:CreatorTool"].location == "xmp"
    assert meta["XMP:History"].value == [
        {"action": "created", "when": "2018-05-04T03:12:33+08:00",
         "softwareAgent": "Kestrel K-20"},
        {"action": "saved", "softwareAgent": "Adobe Photoshop CC 2019 (Windows)"}]
    assert meta["XMP:Creator"].value == ["阿卜杜"]
    assert meta["XMP:Title"].value == "Room 3"
    assert "APP1:XMP" in meta["JPEG:AppSegments"].value


def test_xmp_with_a_dtd_is_refused_not_expanded() -> None:
    bomb = ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
            '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><x>&b;</x>')
    payload = b"http://ns.adobe.com/xap/1.0/\x00" + bomb.encode()
    meta = by_key(run(with_segment(jpeg(), 0xE1, payload)))
    assert "DTD" in meta["Scrutiny:Warning"].value


def iptc_dataset(record: int, dataset: int, value: bytes) -> bytes:
    return bytes([0x1C, record, dataset]) + struct.pack(">H", len(value)) + value


def irb_resource(rid: int, data: bytes) -> bytes:
    return b"8BIM" + struct.pack(">HBx", rid, 0) + struct.pack(">L", len(data)) + data \
        + b"\x00" * (len(data) & 1)


def test_iptc_and_photoshop_irb() -> None:
    iptc = (iptc_dataset(1, 90, b"\x1b%G") + iptc_dataset(2, 80, "阿不都".encode())
            + iptc_dataset(2, 25, b"camp") + iptc_dataset(2, 25, b"Urumqi")
            + iptc_dataset(2, 120, b"Caption text"))
    digest = hashlib.md5(iptc, usedforsecurity=False).digest()
    irb = irb_resource(0x0404, iptc) + irb_resource(0x0425, digest)
    meta = by_key(run(with_segment(jpeg(), 0xED, b"Photoshop 3.0\x00" + irb)))
    assert meta["Photoshop:IRB"].value is True
    assert meta["IPTC:By-line"].value == "阿不都"
    assert meta["IPTC:By-line"].location == "iptc"
    assert meta["IPTC:Keywords"].value == ["camp", "Urumqi"]
    assert meta["IPTC:Caption-Abstract"].value == "Caption text"
    assert meta["Photoshop:IPTCDigestMatches"].value is True
    assert "Photoshop:IRB" not in by_key(run(jpeg()))


def test_icc_profile_name() -> None:
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
    data = jpeg(icc_profile=profile.tobytes())
    meta = by_key(run(data))
    expected = ImageCms.getProfileDescription(profile).strip()
    assert meta["ICC:ProfileDescription"].value == expected
    assert meta["ICC:ColorSpaceData"].value == "RGB"


def test_maker_note_maker_from_its_header() -> None:
    exif = piexif.dump({"0th": {piexif.ImageIFD.Make: "NIKON CORPORATION"},
                        "Exif": {piexif.ExifIFD.MakerNote: b"Nikon\x00\x02\x00\x00\x00II*\x00"}})
    meta = by_key(run(jpeg(exif=exif)))
    assert meta["MakerNote:Maker"].value == "Nikon"


def test_repeated_extraction_is_identical_and_shares_no_lists() -> None:
    data, _ = render_photo(make_plan())
    first, second = run(data), run(data)
    assert first == second
    lat = [m for metas in (first, second) for m in metas if m.key == "GPS:GPSLatitude"]
    assert len(lat) == 2 and lat[0].value == lat[1].value and lat[0].value is not lat[1].value
    meta = by_key(first)
    assert type(meta["JPEG:Scans"].value) is int and meta["JPEG:Progressive"].value is False
    assert type(meta["EXIF:XResolution"].value) is float and meta["EXIF:XResolution"].raw == "72/1"


@pytest.mark.skipif(not REFERENCE_IMAGES, reason=f"no shared EXIF images at {IMAGES}")
def test_reference_maker_note_without_signature_is_named_by_make() -> None:
    metas = run((IMAGES / "Canon_PowerShot_S330.jpg").read_bytes())
    assert by_key(metas)["MakerNote:Maker"].value == "Canon"


# --------------------------------------------------------------------------- dates and TIFF


def test_parse_date() -> None:
    assert parse_date("2018:05:04 03:12:33", "042", "+08:00") == "2018-05-04T03:12:33.042+08:00"
    assert parse_date("2018:05:04 03:12:33", " ", "bogus") == "2018-05-04T03:12:33"
    assert parse_date("    :  :     :  :  ") is None
    assert parse_date("0000:00:00 00:00:00") is None
    assert parse_date("2018:05:04") == "2018-05-04"


def test_tiff_loops_and_bad_entries_do_not_hang_or_fail() -> None:
    # IFD0 at 8 with one entry of invalid type 0 and one valid Make; next IFD points back to 8
    entries = struct.pack("<HHLL", 0x0001, 0, 1, 0) + struct.pack("<HHL4s", 0x010F, 2, 4, b"Abc\0")
    tiff = b"II*\x00" + struct.pack("<L", 8) + struct.pack("<H", 2) + entries \
        + struct.pack("<L", 8)
    x = parse_tiff(tiff)
    assert [e.tag for e in x.ifds["ifd0"]] == [0x010F]
    assert "ifd1" not in x.ifds
    assert any("invalid type" in w for w in x.warnings)


# --------------------------------------------------------------------------- bad input


def test_truncated_jpeg_raises_after_partial_metadata() -> None:
    data, _ = render_photo(make_plan())
    metas, message = run_partial(data[:len(data) // 2])
    assert "truncated" in message
    assert by_key(metas)["EXIF:Make"].value == CAMERAS[0].make
    assert by_key(metas)["JPEG:QuantizationTables"].value == CAMERAS[0].qtables()


def test_corrupt_segment_structure_raises() -> None:
    data = jpeg()
    dqt = data.index(b"\xff\xdb")
    metas, message = run_partial(data[:dqt] + b"\x00\x00" + data[dqt + 2:])
    assert "corrupt" in message
    assert by_key(metas)["JPEG:Segments"].value[0] == "SOI"


def test_over_the_pixel_limit_raises_after_metadata() -> None:
    metas, message = run_partial(jpeg(exif=camera_exif()), Limits(max_pixels=1000))
    assert "pixel" in message and "limit" in message
    assert by_key(metas)["EXIF:Make"].value == "Kestrel"


def test_over_the_byte_limit_raises() -> None:
    metas, message = run_partial(jpeg(), Limits(max_bytes=100))
    assert metas == [] and "limit" in message


def rich_jpeg() -> bytes:
    """A small JPEG with EXIF (GPS, thumbnail), XMP, IPTC and ICC: a fuzzing seed."""
    exif = piexif.dump({"0th": {piexif.ImageIFD.Make: "Kestrel"},
                        "Exif": {piexif.ExifIFD.DateTimeOriginal: "2018:05:04 03:12:33"},
                        "GPS": {piexif.GPSIFD.GPSLatitudeRef: "N",
                                piexif.GPSIFD.GPSLatitude: ((43, 1), (49, 1), (3213, 100))},
                        "1st": {piexif.ImageIFD.Compression: 6}, "thumbnail": jpeg((8, 8))})
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = jpeg(exif=exif, icc_profile=icc, restart_marker_rows=1)
    data = with_segment(data, 0xE1, b"http://ns.adobe.com/xap/1.0/\x00" + XMP_PACKET.encode())
    irb = irb_resource(0x0404, iptc_dataset(2, 80, b"Name") + iptc_dataset(2, 25, b"k"))
    return with_segment(data, 0xED, b"Photoshop 3.0\x00" + irb)


RICH = rich_jpeg()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, len(RICH) - 1), st.integers(0, 255)), max_size=8),
       st.integers(2, len(RICH)))
def test_damaged_jpegs_fail_only_with_extraction_error(flips: list[tuple[int, int]],
                                                       cut: int) -> None:
    data = bytearray(RICH[:cut])
    for pos, value in flips:
        if pos < len(data):
            data[pos] = value
    try:
        metas = run(bytes(data))
    except ExtractionError:
        return
    for m in metas:
        json.dumps(m.value, allow_nan=False)


def test_every_truncation_fails_only_with_extraction_error() -> None:
    for cut in range(2, len(RICH)):
        try:
            run(RICH[:cut])
        except ExtractionError:
            continue
        raise AssertionError(f"cut at {cut} of {len(RICH)} went unnoticed")


def test_deeply_nested_xmp_is_cut_off() -> None:
    deep = "<a:x>" * 3000 + "v" + "</a:x>" * 3000
    packet = XMP_PACKET.replace("<dc:creator>", f'<a:deep xmlns:a="urn:a">{deep}</a:deep>'
                                "<dc:creator>")
    payload = b"http://ns.adobe.com/xap/1.0/\x00" + packet.encode("utf-8")
    meta = by_key(run(with_segment(jpeg(), 0xE1, payload)))
    assert meta["XMP:CreatorTool"].value == "Adobe Photoshop CC 2019 (Windows)"
    assert "too deep" in json.dumps(meta["XMP:Deep"].value)


def test_non_image_bytes_raise() -> None:
    metas, message = run_partial(b"%PDF-1.7\n" + b"x" * 500)
    assert metas == [] and "not an image" in message
    metas, message = run_partial(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)
    assert metas == [] and "not a readable image" in message


def test_jpeg_without_exif_yields_no_exif() -> None:
    meta = by_key(run(jpeg()))
    assert not [k for k in meta if k.startswith(("EXIF:", "GPS:"))]
    assert meta["Thumbnail:Present"].value is False


# --------------------------------------------------------------------------- other formats


def saved(fmt: str, **save: Any) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (90, 120, 150)).save(buf, fmt, **save)
    return buf.getvalue()


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_png_and_webp_exif_and_icc(fmt: str) -> None:
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    meta = by_key(run(saved(fmt, exif=camera_exif("Veyra", "V10"), icc_profile=icc)))
    assert meta["File:Type"].value == fmt
    assert (meta["File:ImageWidth"].value, meta["File:ImageHeight"].value) == (40, 30)
    assert meta["EXIF:Model"].value == "V10"
    assert meta["ICC:ProfileDescription"].value


def test_tiff_tags_are_read_as_ifd0() -> None:
    meta = by_key(run(saved("TIFF", tiffinfo={271: "Tianmu Optics", 272: "TM-300"})))
    assert (meta["EXIF:Make"].value, meta["EXIF:Model"].value) == ("Tianmu Optics", "TM-300")
    assert meta["EXIF:Make"].location == "ifd0"


@pytest.mark.parametrize("fmt", ["GIF", "BMP"])
def test_gif_and_bmp_dimensions(fmt: str) -> None:
    meta = by_key(run(saved(fmt)))
    assert (meta["File:Type"].value, meta["File:ImageWidth"].value) == (fmt, 40)
    assert meta["File:ImageHeight"].value == 30


def test_heif_without_a_decoder_still_gives_its_exif() -> None:
    box = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic"
    data = box + b"\x00" * 40 + b"\x00\x00\x00\x06" + camera_exif("Apple", "iPhone XR")
    meta = by_key(run(data))
    assert meta["File:Type"].value == "HEIF"
    assert meta["EXIF:Model"].value == "iPhone XR"
    assert "no decoder" in meta["Scrutiny:Warning"].value


def test_png_over_the_pixel_limit_raises() -> None:
    metas, message = run_partial(saved("PNG"), Limits(max_pixels=100))
    assert "pixel" in message and by_key(metas)["File:ImageWidth"].value == 40


# --------------------------------------------------------------------------- metadata_json


def test_metadata_json(tmp_path: Path) -> None:
    data, _ = render_photo(make_plan())
    path = tmp_path / "photo.jpg"
    path.write_bytes(data)
    out = metadata_json(path)
    assert out["SourceFile"] == str(path)
    assert out["File:FileSize"] == len(data)
    assert out["File:MIMEType"] == "image/jpeg"
    assert out["EXIF:Make"] == "Kestrel"
    assert out["EXIF:DateTimeOriginal"] == "2018-05-04T03:12:33.042+08:00"
    assert out["IFD1:XResolution"] == 72.0  # IFD1's copy kept under its own group
    assert "Scrutiny:Error" not in out
    json.dumps(out, allow_nan=False, ensure_ascii=False)


def test_metadata_json_reports_errors(tmp_path: Path) -> None:
    path = tmp_path / "cut.jpg"
    data, _ = render_photo(make_plan())
    path.write_bytes(data[:3000])
    out = metadata_json(path)
    assert "truncated" in out["Scrutiny:Error"]
    assert out["EXIF:Make"] == "Kestrel"
    missing = metadata_json(tmp_path / "missing.jpg")
    assert "cannot read" in missing["Scrutiny:Error"]

