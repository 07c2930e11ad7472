"""The synthetic camera photos: EXIF, quantization tables, thumbnails, planted forgeries."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np
import piexif  # type: ignore[import-untyped]
import pytest
from numpy.typing import NDArray
from PIL import Image, JpegImagePlugin

from scrutiny.synth.photos import (
    CAMERAS,
    EDITOR_QUALITIES,
    EDITORS,
    Camera,
    PhotoPlan,
    ijg_tables,
    render_photo,
    sensor_pattern,
    thumbnail_size,
)

EXIF_IFD = 0x8769
GPS_IFD = 0x8825
TAKEN = dt.datetime(2018, 5, 4, 3, 12, 33)
MODIFIED = dt.datetime(2019, 2, 11, 16, 40, 5)
CAPTION = "ID 653101198504120032\n2018-05-04"
Render = Callable[[PhotoPlan], tuple[bytes, dict[str, object]]]
REAL_BRANDS = ("canon", "nikon", "sony", "fuji", "olympus", "panasonic", "leica", "pentax",
               "ricoh", "samsung", "apple", "huawei", "xiaomi", "kodak", "casio", "hikvision")


def make_plan(camera: Camera = CAMERAS[0], **changes: Any) -> PhotoPlan:
    plan = PhotoPlan(camera=camera, taken=TAKEN, subsec="042", offset="+08:00",
                     gps=(43.825592, 87.616848), caption=CAPTION, seed=7)
    return replace(plan, **changes)


def decode(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def tables_of(image: Image.Image) -> list[list[int]]:
    assert isinstance(image, JpegImagePlugin.JpegImageFile)
    return [list(image.quantization[0]), list(image.quantization[1])]


def rgb(data: bytes) -> NDArray[np.int16]:
    return np.asarray(decode(data).convert("RGB"), dtype=np.int16)


def region(pixels: NDArray[np.int16], box: list[int]) -> NDArray[np.int16]:
    x, y, w, h = box
    return pixels[y:y + h, x:x + w]


def mad(a: NDArray[np.int16], b: NDArray[np.int16]) -> float:
    return float(np.abs(a.astype(np.float64) - b.astype(np.float64)).mean())


def thumbnail_of(data: bytes) -> NDArray[np.int16]:
    thumb = piexif.load(data)["thumbnail"]
    assert thumb.startswith(b"\xff\xd8")
    return rgb(thumb)


def downscaled(data: bytes) -> NDArray[np.int16]:
    image = decode(data).convert("RGB")
    small = image.resize(thumbnail_size(*image.size), Image.Resampling.BOX)
    return np.asarray(small, dtype=np.int16)


def pillow_ijg_tables(quality: int) -> list[list[int]]:
    """The tables Pillow really writes at ``quality=`` — independent of the module's maths."""
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (120, 90, 60)).save(buf, "JPEG", quality=quality)
    return tables_of(decode(buf.getvalue()))


@pytest.fixture(scope="module")
def all_ijg() -> list[list[list[int]]]:
    return [pillow_ijg_tables(q) for q in range(1, 101)]


@pytest.fixture(scope="module")
def render() -> Render:
    cache: dict[PhotoPlan, tuple[bytes, dict[str, object]]] = {}

    def cached(plan: PhotoPlan) -> tuple[bytes, dict[str, object]]:
        if plan not in cache:
            cache[plan] = render_photo(plan)
        return cache[plan]

    return cached


# --------------------------------------------------------------------------- cameras and tables


def test_cameras_are_fictional_and_varied() -> None:
    assert 5 <= len(CAMERAS) <= 6
    for camera in CAMERAS:
        assert not any(brand in camera.make.lower() for brand in REAL_BRANDS)
        assert camera.width * camera.height <= 1024 * 768
    models = [(c.make, c.model) for c in CAMERAS]
    twins = [m for m in set(models) if models.count(m) == 2]
    assert len(twins) == 1
    assert len({c.serial for c in CAMERAS}) == len(CAMERAS)
    assert len({(c.width, c.height) for c in CAMERAS}) >= 3
    assert any(c.height > c.width for c in CAMERAS)
    assert {c.subsampling for c in CAMERAS} == {0, 1, 2}


def test_module_ijg_scaling_matches_pillow(all_ijg: list[list[list[int]]]) -> None:
    for quality in (1, 10, 25, 50, 75, 85, 90, 92, 95, 100):
        assert ijg_tables(quality) == all_ijg[quality - 1]


def test_camera_tables_are_no_ijg_table(all_ijg: list[list[list[int]]]) -> None:
    for camera in CAMERAS:
        luma, chroma = camera.qtables()
        assert len(luma) == len(chroma) == 64
        assert all(1 <= v <= 255 for v in luma + chroma)
        for ijg_luma, ijg_chroma in all_ijg:
            assert luma != ijg_luma
            assert chroma != ijg_chroma


def test_same_model_shares_tables_different_models_differ() -> None:
    by_model: dict[str, list[list[list[int]]]] = {}
    for camera in CAMERAS:
        by_model.setdefault(camera.model, []).append(camera.qtables())
    assert any(len(tables) == 2 for tables in by_model.values())
    for tables in by_model.values():
        assert all(t == tables[0] for t in tables)
    firsts = [tables[0] for tables in by_model.values()]
    assert all(a != b for i, a in enumerate(firsts) for b in firsts[i + 1:])
    twin = replace(CAMERAS[0], serial="another")
    assert twin.qtables() == CAMERAS[0].qtables()


def test_sensor_pattern_is_fixed_per_camera() -> None:
    a, b = sensor_pattern(CAMERAS[0]), sensor_pattern(CAMERAS[1])
    assert a is sensor_pattern(CAMERAS[0])
    assert a.shape == (CAMERAS[0].height, CAMERAS[0].width, 3)
    assert int(np.abs(a).max()) <= 2
    assert not np.array_equal(a, b)  # same model, different serial: different sensor
    assert not a.flags.writeable


# --------------------------------------------------------------------------- a clean photo


def test_clean_photo_has_camera_exif(render: Render) -> None:
    data, details = render(make_plan())
    assert details == {}
    image = decode(data)
    camera = CAMERAS[0]
    assert image.format == "JPEG"
    assert image.size == (camera.width, camera.height)
    exif = image.getexif()
    assert exif[0x010F] == camera.make
    assert exif[0x0110] == camera.model
    assert exif[0x0131] == camera.firmware
    assert exif[0x0132] == "2018:05:04 03:12:33"
    assert exif[0x0112] == 1
    sub = exif.get_ifd(EXIF_IFD)
    assert sub[0xA431] == camera.serial
    assert sub[0x9003] == sub[0x9004] == "2018:05:04 03:12:33"
    assert sub[0x9291] == "042"
    assert sub[0x9011] == "+08:00"
    assert sub[0x9000] == b"0230"
    assert (sub[0xA002], sub[0xA003]) == image.size
    assert sub[0xA001] == 1
    assert sub[0x8827] in (100, 200, 400, 800, 1600)
    assert float(sub[0x829A]) > 0 and float(sub[0x829D]) > 0 and float(sub[0x920A]) > 0


def test_camera_file_layout(render: Render) -> None:
    data, _ = render(make_plan())
    assert data[2:4] == b"\xff\xe1" and data[6:10] == b"Exif"  # Exif first, no JFIF
    image = decode(data)
    assert not image.info.get("progressive") and not image.info.get("progression")


def test_gps_round_trip_in_utc(render: Render) -> None:
    plan = make_plan(gps=(-33.8567844, -151.2152967), seed=11)
    gps = piexif.load(render(plan)[0])["GPS"]

    def degrees(value: tuple[tuple[int, int], ...], ref: bytes, negative: bytes) -> float:
        d, m, s = (n / den for n, den in value)
        return (d + m / 60 + s / 3600) * (-1 if ref == negative else 1)

    lat = degrees(gps[piexif.GPSIFD.GPSLatitude], gps[piexif.GPSIFD.GPSLatitudeRef], b"S")
    lon = degrees(gps[piexif.GPSIFD.GPSLongitude], gps[piexif.GPSIFD.GPSLongitudeRef], b"W")
    assert abs(lat - plan.gps[0]) < 1e-5 and abs(lon - plan.gps[1]) < 1e-5  # type: ignore[index]
    assert gps[piexif.GPSIFD.GPSVersionID] == (2, 3, 0, 0)
    assert gps[piexif.GPSIFD.GPSDateStamp] == b"2018:05:03"  # 03:12 at +08:00 is 19:12 UTC
    assert gps[piexif.GPSIFD.GPSTimeStamp] == ((19, 1), (12, 1), (33, 1))


def test_gps_with_pillow_and_other_offset(render: Render) -> None:
    plan = make_plan(offset="+06:00", gps=(43.825592, 87.616848), seed=12)
    gps = decode(render(plan)[0]).getexif().get_ifd(GPS_IFD)
    lat = sum(float(v) / 60 ** i for i, v in enumerate(gps[2]))
    lon = sum(float(v) / 60 ** i for i, v in enumerate(gps[4]))
    assert (gps[1], gps[3]) == ("N", "E")
    assert abs(lat - 43.825592) < 1e-5 and abs(lon - 87.616848) < 1e-5
    assert gps[29] == "2018:05:03"
    assert [float(v) for v in gps[7]] == [21.0, 12.0, 33.0]


def test_no_offset_no_gps(render: Render) -> None:
    exif = decode(render(make_plan(offset=None, gps=None, seed=13))[0]).getexif()
    assert 0x9011 not in exif.get_ifd(EXIF_IFD)
    assert GPS_IFD not in exif
    assert not exif.get_ifd(GPS_IFD)


def test_quantization_and_subsampling_per_camera(render: Render,
                                                 all_ijg: list[list[list[int]]]) -> None:
    for camera in CAMERAS:
        image = decode(render(make_plan(camera, seed=21))[0])
        tables = tables_of(image)
        assert tables == camera.qtables()
        assert tables not in all_ijg
        assert JpegImagePlugin.get_sampling(image) == camera.subsampling
        assert image.size == (camera.width, camera.height)


def test_thumbnail_matches_clean_photo(render: Render) -> None:
    for camera in (CAMERAS[0], CAMERAS[3]):  # landscape and portrait
        data, _ = render(make_plan(camera))
        thumb = thumbnail_of(data)
        assert thumb.shape[:2] == downscaled(data).shape[:2]
        assert max(thumb.shape[:2]) == 160
        assert mad(thumb, downscaled(data)) < 3.0


# --------------------------------------------------------------------------- forgeries


def test_editor_resave(render: Render) -> None:
    plan = make_plan(forgery="editor-resave", editor=EDITORS[0], modified=MODIFIED)
    data, details = render(plan)
    assert details["software"] == EDITORS[0]
    quality = details["quality"]
    assert quality in EDITOR_QUALITIES
    image = decode(data)
    assert isinstance(quality, int)
    tables = tables_of(image)
    assert tables == pillow_ijg_tables(quality)
    assert tables != plan.camera.qtables()
    assert JpegImagePlugin.get_sampling(image) == 2
    exif = image.getexif()
    assert exif[0x0131] == EDITORS[0]
    assert exif[0x0132] == "2019:02:11 16:40:05"
    assert (exif[0x010F], exif[0x0110]) == (plan.camera.make, plan.camera.model)
    sub = exif.get_ifd(EXIF_IFD)
    assert sub[0x9003] == "2018:05:04 03:12:33"
    assert sub[0xA431] == plan.camera.serial


def test_editor_resave_leaves_stale_thumbnail(render: Render) -> None:
    plan = make_plan(forgery="editor-resave", editor=EDITORS[1], modified=MODIFIED)
    data, details = render(plan)
    clean, _ = render(make_plan())
    assert piexif.load(data)["thumbnail"] == piexif.load(clean)["thumbnail"]
    box = details["box"]
    assert isinstance(box, list)
    camera = plan.camera
    tw, th = thumbnail_size(camera.width, camera.height)
    sx, sy = tw / camera.width, th / camera.height
    inner = [round(box[0] * sx) + 1, round(box[1] * sy) + 1,
             int(box[2] * sx) - 2, int(box[3] * sy) - 2]
    thumb, main = thumbnail_of(data), downscaled(data)
    assert mad(region(thumb, inner), region(main, inner)) > 20.0  # stale inside the edit
    outside = np.ones(thumb.shape[:2], dtype=bool)
    outside[inner[1] - 3:inner[1] + inner[3] + 3, inner[0] - 3:inner[0] + inner[2] + 3] = False
    assert mad(thumb[outside], main[outside]) < 3.0


def test_editor_defaults_when_plan_leaves_them_out(
        render: Render) -> None:
    data, details = render(make_plan(forgery="editor-resave", seed=31))
    assert details["software"] in EDITORS
    modified = dt.datetime.fromisoformat(str(details["modified"]))
    assert modified > TAKEN
    assert decode(data).getexif()[0x0132] == modified.strftime("%Y:%m:%d %H:%M:%S")


def test_copy_move(render: Render) -> None:
    data, details = render(make_plan(forgery="copy-move"))
    clean, _ = render(make_plan())
    source, target = details["source_box"], details["target_box"]
    assert isinstance(source, list) and isinstance(target, list)
    assert 64 <= source[2] == target[2] <= 128 and source[3] == target[3] == source[2]
    apart = (source[0] + source[2] <= target[0] or target[0] + target[2] <= source[0]
             or source[1] + source[3] <= target[1] or target[1] + target[3] <= source[1])
    assert apart
    forged, original = rgb(data), rgb(clean)
    assert mad(region(forged, target), region(forged, source)) < 3.0
    assert mad(region(original, target), region(forged, target)) > 10.0
    assert mad(region(original, source), region(forged, source)) < 1.0
    image = decode(data)
    assert tables_of(image) == CAMERAS[0].qtables()
    assert image.getexif()[0x0131] == CAMERAS[0].firmware
    assert mad(thumbnail_of(data), downscaled(data)) < 3.0  # a careful forger's new thumbnail


def test_splice(render: Render) -> None:
    camera = CAMERAS[2]
    data, details = render(make_plan(camera, forgery="splice"))
    clean, _ = render(make_plan(camera))
    box = details["box"]
    assert isinstance(box, list) and len(box) == 4
    assert box[0] >= 0 and box[1] >= 0
    assert box[0] + box[2] <= camera.width and box[1] + box[3] <= camera.height
    assert details["donor_camera"] != camera.serial
    assert details["donor_camera"] in {c.serial for c in CAMERAS}
    forged, original = rgb(data), rgb(clean)
    assert mad(region(forged, box), region(original, box)) > 10.0
    outside = np.ones(forged.shape[:2], dtype=bool)
    outside[box[1] - 16:box[1] + box[3] + 16, max(0, box[0] - 16):box[0] + box[2] + 16] = False
    assert mad(forged[outside], original[outside]) < 0.5
    assert mad(thumbnail_of(data), downscaled(data)) < 3.0


def test_unknown_forgery_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown forgery"):
        render_photo(make_plan(forgery="deepfake"))


def test_details_are_json_serialisable(render: Render) -> None:
    import json

    for forgery in ("editor-resave", "copy-move", "splice"):
        _, details = render(make_plan(forgery=forgery))
        assert json.loads(json.dumps(details)) == details
        assert details["kind"] == forgery


# --------------------------------------------------------------------------- determinism, speed


@pytest.mark.parametrize("forgery", [None, "editor-resave", "copy-move", "splice"])
def test_same_plan_same_bytes(forgery: str | None) -> None:
    plan = make_plan(CAMERAS[4], forgery=forgery, seed=99)
    first, second = render_photo(plan), render_photo(plan)
    assert first[0] == second[0] and first[1] == second[1]
    assert render_photo(replace(plan, seed=100))[0] != first[0]
