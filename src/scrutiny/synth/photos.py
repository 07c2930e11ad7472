"""Synthetic "police photo dump" pictures with known ground truth, for the image checks.

Each photo is a rendered room (a gradient wall, a floor, furniture-like shapes) with a light
board carrying a caption, plus a fixed-pattern sensor noise per fictional camera and fresh noise
per shot. No faces and no people are ever drawn. The JPEG is written the way a camera would
write it (its own quantization tables, no JFIF segment, no Huffman optimisation, full EXIF with
an IFD1 thumbnail), and a photo can carry one planted forgery:

- ``editor-resave``: re-saved by an image editor after a small local edit, with the standard
  IJG tables, the editor's name in Software and the camera's stale thumbnail left in place;
- ``copy-move``: a block of the picture duplicated elsewhere in the same picture;
- ``splice``: a block cut from another camera's photo pasted in.

Everything derives from the plan's seed and the camera, so the same plan gives byte-identical
JPEG bytes. The cameras and their makers are fictional.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
import random
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import piexif
from numpy.typing import NDArray
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from scrutiny.jpegstd import ijg_table

Box = tuple[int, int, int, int]  # x, y, width, height
Pixels = NDArray[np.uint8]  # height x width x 3, RGB
Font = ImageFont.FreeTypeFont | ImageFont.ImageFont

FORGERIES = ("editor-resave", "copy-move", "splice")
EDITOR_QUALITIES = (85, 90, 92)
THUMBNAIL_SIDE = 160
ASSUMED_OFFSET = "+08:00"  # a photo without OffsetTimeOriginal is taken to be in Beijing time

def seed_of(*parts: object) -> int:
    """A stable 64-bit seed from any printable parts (Python's hash() is salted per process)."""
    digest = hashlib.sha256("|".join(map(str, parts)).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big")


# --------------------------------------------------------------------------- tables


def ijg_tables(quality: int) -> list[list[int]]:
    """The luma and chroma tables libjpeg (and so Pillow's ``quality=``) writes at a quality."""
    return [list(ijg_table(quality)), list(ijg_table(quality, chroma=True))]


def _is_ijg_table(table: list[int], index: int) -> bool:
    return any(table == ijg_tables(quality)[index] for quality in range(1, 101))


def _tilted_table(base: list[int], rng: random.Random) -> list[int]:
    """A vendor-tuned table: a smooth frequency tilt plus a few one-step adjustments."""
    tilt = rng.uniform(-0.2, 0.2)
    table = []
    for index, value in enumerate(base):
        row, col = divmod(index, 8)
        jitter = rng.choice((-1, 0, 0, 0, 1)) if index else 0
        table.append(min(255, max(1, round(value * (1 + tilt * (row + col) / 14)) + jitter)))
    return table


@functools.cache
def _model_tables(make: str, model: str, quality: int) -> tuple[tuple[int, ...], ...]:
    rng = random.Random(seed_of("qtables", make, model))
    tables = []
    for index, base in enumerate(ijg_tables(quality)):
        table = _tilted_table(base, rng)
        while _is_ijg_table(table, index):
            table = _tilted_table(base, rng)
        tables.append(tuple(table))
    return tuple(tables)


# --------------------------------------------------------------------------- cameras


@dataclass(frozen=True)
class Camera:
    """A fictional camera: its EXIF identity, picture size and JPEG settings."""

    make: str
    model: str
    serial: str
    firmware: str
    width: int
    height: int
    quality: int
    subsampling: int  # Pillow's: 0 = 4:4:4, 1 = 4:2:2, 2 = 4:2:0

    def qtables(self) -> list[list[int]]:
        """Luma and chroma tables in natural order: IJG-derived, then tuned per model, so they
        equal no IJG-scaled table at any quality. The same model always gives the same tables."""
        return [list(table) for table in _model_tables(self.make, self.model, self.quality)]


CAMERAS: tuple[Camera, ...] = (
    Camera("Kestrel", "K-20", "KS20-004117", "Firmware 1.0.4", 1024, 768, 92, 2),
    Camera("Kestrel", "K-20", "KS20-009832", "Firmware 1.0.4", 1024, 768, 92, 2),
    Camera("Tianmu Optics", "TM-300", "TM3A1870562", "TM300 Ver.2.01", 960, 720, 90, 1),
    Camera("Tianmu Optics", "TM-Pocket 5", "TMP5-20331", "TMP5 Ver.1.12", 600, 800, 88, 2),
    Camera("Veyra", "V8 Mini", "V8M55120", "V8M_FW 3.2", 800, 600, 95, 0),
    Camera("Veyra", "V10", "V10-7731904", "V10_FW 1.05", 1024, 768, 93, 1),
)

# Software that re-saves with the standard IJG tables (libjpeg's quality scaling).
EDITORS: tuple[str, ...] = (
    "GIMP 2.10.30",
    "XnView 2.49.5",
    "IrfanView 4.54",
    "ImageMagick 6.9.11-60",
)


@dataclass(frozen=True)
class PhotoPlan:
    """What the leak generator wants photographed; see ``render_photo``."""

    camera: Camera
    taken: dt.datetime  # naive local time
    subsec: str
    offset: str | None  # e.g. "+08:00"; None omits OffsetTimeOriginal
    gps: tuple[float, float] | None  # (lat, lon) in signed decimal degrees
    caption: str
    seed: int
    forgery: str | None = None  # None | "editor-resave" | "copy-move" | "splice"
    editor: str | None = None
    modified: dt.datetime | None = None


# --------------------------------------------------------------------------- the scene


@dataclass(frozen=True)
class _Scene:
    pixels: Pixels
    objects: tuple[Box, ...]  # furniture bounding boxes
    board: Box | None


@functools.cache
def sensor_pattern(camera: Camera) -> NDArray[np.int8]:
    """The camera's fixed-pattern noise (±2 levels per pixel and channel), seeded by its serial.
    Read-only and cached: every photo of the camera carries it."""
    rng = np.random.default_rng(seed_of("sensor", camera.serial))
    pattern = rng.integers(-2, 3, size=(camera.height, camera.width, 3), dtype=np.int8)
    pattern.setflags(write=False)
    return pattern


@functools.cache
def _font(size: int) -> Font:
    return ImageFont.load_default(size=size)


def _wall(width: int, height: int, rng: np.random.Generator) -> NDArray[np.float32]:
    """A light wall with a vertical gradient and side falloff over a darker floor."""
    top, bottom = rng.uniform(175, 225, 3), rng.uniform(145, 195, 3)
    floor_top, floor_bottom = rng.uniform(95, 135, 3), rng.uniform(120, 165, 3)
    horizon = int(height * rng.uniform(0.68, 0.8))
    y = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None]
    wall_t = np.clip(y / (horizon / height), 0, 1)
    floor_t = np.clip((y - horizon / height) / (1 - horizon / height), 0, 1)
    colour = np.where(
        (y < horizon / height)[..., None],
        top * (1 - wall_t[..., None]) + bottom * wall_t[..., None],
        floor_top * (1 - floor_t[..., None]) + floor_bottom * floor_t[..., None],
    ).astype(np.float32)  # height x 1 x 3
    x = np.linspace(-1.0, 1.0, width, dtype=np.float32)[None, :, None]
    falloff = 1.0 - np.float32(rng.uniform(0.05, 0.18)) * x * x
    wall: NDArray[np.float32] = colour * falloff  # height x width x 3
    return wall


def _draw_cabinet(canvas: NDArray[np.float32], box: Box, colour: NDArray[np.float64],
                  rng: np.random.Generator) -> None:
    x, y, w, h = box
    canvas[y:y + h, x:x + w] = colour
    canvas[y:y + h, x:x + 3] = colour * 1.35  # a lit edge
    for line in range(y + int(rng.integers(18, 40)), y + h - 6, int(rng.integers(22, 48))):
        canvas[line:line + 3, x + 4:x + w - 4] = colour * 0.55  # drawer gaps


def _draw_round(canvas: NDArray[np.float32], box: Box, colour: NDArray[np.float64]) -> None:
    x, y, w, h = box
    yy, xx = np.ogrid[0:h, 0:w]
    dist = ((xx - w / 2 + 0.5) / (w / 2)) ** 2 + ((yy - h / 2 + 0.5) / (h / 2)) ** 2
    shade = (1.25 - 0.45 * np.clip(dist, 0, 1))[..., None]
    region = canvas[y:y + h, x:x + w]
    region[:] = np.where((dist <= 1.0)[..., None], colour * shade, region)


def _overlaps(a: Box, b: Box, gap: int = 0) -> bool:
    """Whether two boxes come closer than ``gap`` pixels."""
    return not (a[0] + a[2] + gap <= b[0] or b[0] + b[2] + gap <= a[0]
                or a[1] + a[3] + gap <= b[1] or b[1] + b[3] + gap <= a[1])


def _place(width: int, height: int, taken: list[Box], rng: np.random.Generator) -> Box:
    """A furniture-sized box, kept clear of the others when a few tries allow it."""
    w = int(width * rng.uniform(0.08, 0.26))
    h = int(height * rng.uniform(0.12, 0.38))
    box = (0, 0, w, h)
    for _ in range(12):
        box = (int(rng.integers(0, width - w)), int(rng.integers(0, height - h)), w, h)
        if not any(_overlaps(box, other, gap=16) for other in taken):
            break
    return box


def _furniture(canvas: NDArray[np.float32], rng: np.random.Generator) -> tuple[Box, ...]:
    """Three to six dark cabinets and round objects; returns their bounding boxes."""
    height, width = canvas.shape[:2]
    boxes: list[Box] = []
    for _ in range(int(rng.integers(3, 7))):
        box = _place(width, height, boxes, rng)
        colour = rng.uniform(30, 95) * rng.uniform(0.75, 1.25, 3)
        if rng.random() < 0.6:
            _draw_cabinet(canvas, box, colour, rng)
        else:
            _draw_round(canvas, box, colour)
        boxes.append(box)
    return tuple(boxes)


def _fitting_font(draw: ImageDraw.ImageDraw, caption: str, width: int, size: int) -> Font:
    font = _font(size)
    left, _, right, _ = draw.multiline_textbbox((0, 0), caption, font=font)
    if right - left > 0.85 * width:
        font = _font(max(8, int(size * 0.85 * width / (right - left))))
    return font


def _draw_board(image: Image.Image, caption: str, rng: np.random.Generator) -> Box:
    """A light board with the caption in black, low in the middle of the picture."""
    draw = ImageDraw.Draw(image)
    font = _fitting_font(draw, caption, image.width, max(12, min(image.size) // 26))
    left, top, right, bottom = (round(v) for v in
                                draw.multiline_textbbox((0, 0), caption, font=font))
    pad = max(8, (bottom - top) // 2)
    w, h = right - left + 2 * pad, bottom - top + 2 * pad
    x = int(np.clip((image.width - w) // 2 + rng.integers(-40, 41), 0, max(0, image.width - w)))
    y = int(np.clip(image.height * rng.uniform(0.55, 0.72), 0, max(0, image.height - h)))
    shade = int(rng.integers(228, 246))
    draw.rectangle((x, y, x + w - 1, y + h - 1), fill=(shade, shade, shade - 4),
                   outline=(60, 60, 60), width=2)
    draw.multiline_text((x + pad - left, y + pad - top), caption, fill=(0, 0, 0), font=font)
    return (x, y, w, h)


def _render_scene(camera: Camera, seed: int, caption: str | None) -> _Scene:
    """The picture as the sensor records it: room, board, fixed-pattern and shot noise."""
    rng = np.random.default_rng(seed_of("scene", seed))
    canvas = _wall(camera.width, camera.height, rng)
    objects = _furniture(canvas, rng)
    image = Image.fromarray(np.clip(canvas, 0, 255).astype(np.uint8))
    board = _draw_board(image, caption, rng) if caption else None
    noisy = np.asarray(image, dtype=np.int16) + sensor_pattern(camera)
    noisy += rng.integers(-2, 3, size=noisy.shape, dtype=np.int16)
    return _Scene(np.clip(noisy, 0, 255).astype(np.uint8), objects, board)


# --------------------------------------------------------------------------- JPEG and EXIF


def _strip_jfif(data: bytes) -> bytes:
    """Drop Pillow's JFIF APP0 segment: cameras write Exif APP1 right after SOI."""
    if data[2:4] == b"\xff\xe0" and data[6:11] == b"JFIF\x00":
        length = int.from_bytes(data[4:6], "big")
        return data[:2] + data[4 + length:]
    return data


def _camera_jpeg(image: Image.Image, camera: Camera, exif: bytes = b"") -> bytes:
    buf = io.BytesIO()
    image.save(buf, "JPEG", qtables=camera.qtables(), subsampling=camera.subsampling,
               optimize=False, progressive=False, exif=exif)
    return _strip_jfif(buf.getvalue())


def thumbnail_size(width: int, height: int) -> tuple[int, int]:
    """The IFD1 thumbnail size: 160 px on the long side, aspect kept (160x120 for 4:3)."""
    if width >= height:
        return THUMBNAIL_SIDE, max(1, round(THUMBNAIL_SIDE * height / width))
    return max(1, round(THUMBNAIL_SIDE * width / height)), THUMBNAIL_SIDE


def _thumbnail_jpeg(image: Image.Image, camera: Camera) -> bytes:
    small = image.resize(thumbnail_size(*image.size), Image.Resampling.BOX)
    buf = io.BytesIO()
    small.save(buf, "JPEG", qtables=camera.qtables(), subsampling=2, optimize=False)
    return buf.getvalue()


def utc_offset(offset: str | None) -> dt.timedelta:
    """Parse "+08:00"-style offsets; None means the assumed Beijing time."""
    match = re.fullmatch(r"([+-])(\d{2}):?(\d{2})", offset or ASSUMED_OFFSET)
    if not match:
        raise ValueError(f"not a UTC offset: {offset!r}")
    sign = -1 if match[1] == "-" else 1
    return sign * dt.timedelta(hours=int(match[2]), minutes=int(match[3]))


def _exif_time(moment: dt.datetime) -> str:
    return moment.strftime("%Y:%m:%d %H:%M:%S")


def _dms(value: float) -> tuple[tuple[int, int], ...]:
    """Degrees, minutes and seconds (to 1/10000 s) as EXIF rationals, exactly carried."""
    total = round(abs(value) * 3600 * 10000)
    degrees, rest = divmod(total, 3600 * 10000)
    minutes, seconds = divmod(rest, 60 * 10000)
    return (degrees, 1), (minutes, 1), (seconds, 10000)


def _gps_ifd(lat: float, lon: float, utc: dt.datetime) -> dict[int, Any]:
    return {
        piexif.GPSIFD.GPSVersionID: (2, 3, 0, 0),
        piexif.GPSIFD.GPSLatitudeRef: "N" if lat >= 0 else "S",
        piexif.GPSIFD.GPSLatitude: _dms(lat),
        piexif.GPSIFD.GPSLongitudeRef: "E" if lon >= 0 else "W",
        piexif.GPSIFD.GPSLongitude: _dms(lon),
        piexif.GPSIFD.GPSTimeStamp: ((utc.hour, 1), (utc.minute, 1), (utc.second, 1)),
        piexif.GPSIFD.GPSMapDatum: "WGS-84",
        piexif.GPSIFD.GPSDateStamp: utc.strftime("%Y:%m:%d"),
    }


def _exposure(seed: int) -> dict[int, Any]:
    """Plausible shot settings, varying per photo but fixed by its seed."""
    rng = random.Random(seed_of("exposure", seed))
    return {
        piexif.ExifIFD.ExposureTime: rng.choice(((1, 30), (1, 60), (1, 125), (1, 250))),
        piexif.ExifIFD.FNumber: rng.choice(((20, 10), (28, 10), (40, 10), (56, 10))),
        piexif.ExifIFD.ISOSpeedRatings: rng.choice((100, 200, 400, 800, 1600)),
        piexif.ExifIFD.FocalLength: rng.choice(((47, 10), (60, 10), (120, 10), (240, 10))),
    }


def _exif_ifd(plan: PhotoPlan) -> dict[int, Any]:
    camera = plan.camera
    ifd: dict[int, Any] = {
        piexif.ExifIFD.ExifVersion: b"0230",
        piexif.ExifIFD.DateTimeOriginal: _exif_time(plan.taken),
        piexif.ExifIFD.DateTimeDigitized: _exif_time(plan.taken),
        piexif.ExifIFD.SubSecTimeOriginal: plan.subsec,
        piexif.ExifIFD.SubSecTimeDigitized: plan.subsec,
        piexif.ExifIFD.BodySerialNumber: camera.serial,
        piexif.ExifIFD.PixelXDimension: camera.width,
        piexif.ExifIFD.PixelYDimension: camera.height,
        piexif.ExifIFD.ColorSpace: 1,
        **_exposure(plan.seed),
    }
    if plan.offset is not None:
        ifd[piexif.ExifIFD.OffsetTimeOriginal] = plan.offset
    return ifd


def _exif_bytes(plan: PhotoPlan, software: str, modified: dt.datetime, thumbnail: bytes) -> bytes:
    """The whole APP1 payload: IFD0, Exif, GPS (when planned) and IFD1 with the thumbnail."""
    resolution = {
        piexif.ImageIFD.XResolution: (72, 1),
        piexif.ImageIFD.YResolution: (72, 1),
        piexif.ImageIFD.ResolutionUnit: 2,
    }
    zeroth = {
        piexif.ImageIFD.Make: plan.camera.make,
        piexif.ImageIFD.Model: plan.camera.model,
        piexif.ImageIFD.Orientation: 1,
        **resolution,
        piexif.ImageIFD.Software: software,
        piexif.ImageIFD.DateTime: _exif_time(modified),
        piexif.ImageIFD.YCbCrPositioning: 2,
    }
    gps = {}
    if plan.gps is not None:
        gps = _gps_ifd(*plan.gps, plan.taken - utc_offset(plan.offset))
    first = {piexif.ImageIFD.Compression: 6, **resolution}
    return bytes(piexif.dump({"0th": zeroth, "Exif": _exif_ifd(plan), "GPS": gps,
                              "1st": first, "thumbnail": thumbnail}))


# --------------------------------------------------------------------------- forgeries


def _box_list(box: Box) -> list[int]:
    return [int(v) for v in box]


def _box_around(centre: tuple[int, int], size: int, width: int, height: int) -> Box:
    x = min(max(0, centre[0] - size // 2), width - size)
    y = min(max(0, centre[1] - size // 2), height - size)
    return (x, y, size, size)


def _feature_box(scene: _Scene, size: int, rng: random.Random) -> Box:
    """A square block centred on an object (or the board) so that it has visible content."""
    anchor = rng.choice(scene.objects or (scene.board or (0, 0, 0, 0),))
    height, width = scene.pixels.shape[:2]
    return _box_around((anchor[0] + anchor[2] // 2, anchor[1] + anchor[3] // 2), size,
                       width, height)


def _free_box(size: int, width: int, height: int, avoid: Box, rng: random.Random) -> Box:
    for _ in range(500):
        box = (rng.randrange(width - size + 1), rng.randrange(height - size + 1), size, size)
        if not _overlaps(box, avoid, gap=8):
            return box
    raise RuntimeError("no room for a non-overlapping block")  # pragma: no cover


def _paste(pixels: Pixels, block: Pixels, box: Box) -> None:
    x, y, w, h = box
    pixels[y:y + h, x:x + w] = block


def _crop(pixels: Pixels, box: Box) -> Pixels:
    x, y, w, h = box
    return pixels[y:y + h, x:x + w].copy()


def _copy_move(pixels: Pixels, scene: _Scene, rng: random.Random) -> dict[str, object]:
    """Duplicate a 64–128 px block of the picture elsewhere in it, before encoding."""
    height, width = pixels.shape[:2]
    size = min(rng.randint(64, 128), min(width, height) // 3)
    source = _feature_box(scene, size, rng)
    target = _free_box(size, width, height, source, rng)
    _paste(pixels, _crop(pixels, source), target)
    return {"kind": "copy-move", "source_box": _box_list(source),
            "target_box": _box_list(target)}


def _donor_camera(camera: Camera, rng: random.Random) -> Camera:
    others = [c for c in CAMERAS if c.model != camera.model] or [
        c for c in CAMERAS if c.serial != camera.serial]
    return rng.choice(others)


def _splice(pixels: Pixels, camera: Camera, seed: int,
            rng: random.Random) -> dict[str, object]:
    """Paste a block of another camera's photo (its own scene, sensor noise and JPEG pass)."""
    donor = _donor_camera(camera, rng)
    donor_scene = _render_scene(donor, seed_of("donor", seed), None)
    decoded = Image.open(io.BytesIO(_camera_jpeg(Image.fromarray(donor_scene.pixels), donor)))
    donor_pixels = np.asarray(decoded.convert("RGB"))
    height, width = pixels.shape[:2]
    size = min(rng.randint(96, 160), min(width, height, donor.width, donor.height) // 3)
    donor_box = _feature_box(_Scene(donor_pixels, donor_scene.objects, None), size, rng)
    box = (rng.randrange(width - size + 1), rng.randrange(height - size + 1), size, size)
    _paste(pixels, _crop(donor_pixels, donor_box), box)
    return {"kind": "splice", "box": _box_list(box), "donor_camera": donor.serial,
            "donor_model": donor.model, "donor_box": _box_list(donor_box)}


def _isolated(scene: _Scene, gap: int = 12) -> tuple[Box, ...]:
    """The objects clear of every other object and of the board (all of them if none is)."""
    others = [*scene.objects, *([scene.board] if scene.board else [])]
    clear = tuple(box for box in scene.objects
                  if not any(_overlaps(box, other, gap) for other in others if other != box))
    return clear or scene.objects


def _edit_box(scene: _Scene, rng: random.Random) -> Box:
    """An object's bounding box, a little padded, with room for the fill to sample around it."""
    height, width = scene.pixels.shape[:2]
    x, y, w, h = rng.choice(_isolated(scene))
    x0, y0 = max(4, x - 6), max(0, y - 6)
    x1, y1 = min(width - 4, x + w + 6), min(height, y + h + 6)
    return (x0, y0, x1 - x0, y1 - y0)


def _smooth_rows(values: NDArray[np.float64], radius: int = 6) -> NDArray[np.float64]:
    """A running mean down the rows of an (n, 3) array, edges repeated."""
    padded = np.pad(values, ((radius + 1, radius), (0, 0)), mode="edge")
    summed = np.cumsum(padded, axis=0)
    return (summed[2 * radius + 1:] - summed[:-2 * radius - 1]) / (2 * radius + 1)


def _paint_over(pixels: Pixels, box: Box) -> None:
    """Remove what is in the box: fill it by blending the colours just left and right of it,
    as a retouching brush would, then soften the patch."""
    x, y, w, h = box
    left = _smooth_rows(pixels[y:y + h, x - 4:x].mean(axis=1))
    right = _smooth_rows(pixels[y:y + h, x + w:x + w + 4].mean(axis=1))
    t = np.linspace(0.0, 1.0, w)[None, :, None]
    fill = left[:, None, :] * (1 - t) + right[:, None, :] * t
    patch = Image.fromarray(np.clip(fill, 0, 255).astype(np.uint8))
    pixels[y:y + h, x:x + w] = np.asarray(patch.filter(ImageFilter.BoxBlur(2)))


def _editor_resave(camera_jpeg: bytes, plan: PhotoPlan, scene: _Scene, thumbnail: bytes,
                   rng: random.Random) -> tuple[bytes, dict[str, object]]:
    """Open the camera's JPEG in an editor, retouch a box, save with IJG tables at 4:2:0.
    EXIF survives except Software and DateTime; the camera's thumbnail is kept (now stale)."""
    editor = plan.editor or rng.choice(EDITORS)
    modified = plan.modified or plan.taken + dt.timedelta(days=rng.randint(1, 400),
                                                          seconds=rng.randint(0, 86399))
    quality = rng.choice(EDITOR_QUALITIES)
    pixels = np.array(Image.open(io.BytesIO(camera_jpeg)).convert("RGB"))
    box = _edit_box(scene, rng)
    _paint_over(pixels, box)
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, "JPEG", quality=quality, subsampling=2, optimize=False,
                                 progressive=False,
                                 exif=_exif_bytes(plan, editor, modified, thumbnail))
    details: dict[str, object] = {
        "kind": "editor-resave", "software": editor, "quality": quality,
        "box": _box_list(box), "modified": modified.isoformat(), "stale_thumbnail": True}
    return buf.getvalue(), details


# --------------------------------------------------------------------------- the photo


def _forge_pixels(plan: PhotoPlan, scene: _Scene, rng: random.Random) -> dict[str, object]:
    """Apply a pixel-level forgery (copy-move, splice) to the scene in place."""
    if plan.forgery == "copy-move":
        return _copy_move(scene.pixels, scene, rng)
    if plan.forgery == "splice":
        return _splice(scene.pixels, plan.camera, plan.seed, rng)
    return {}


def render_photo(plan: PhotoPlan) -> tuple[bytes, dict[str, object]]:
    """JPEG bytes and a JSON-serialisable dict of ground-truth details for the planted forgery
    (e.g. {"source_box": [x, y, w, h], "target_box": [...]} for copy-move, {"box": [...],
    "donor_camera": serial} for splice, {"software": ..., "quality": ...} for editor re-save);
    {} when there is no forgery."""
    if plan.forgery is not None and plan.forgery not in FORGERIES:
        raise ValueError(f"unknown forgery {plan.forgery!r}; expected one of {FORGERIES}")
    scene = _render_scene(plan.camera, plan.seed, plan.caption)
    rng = random.Random(seed_of("forgery", plan.seed, plan.forgery))
    details = _forge_pixels(plan, scene, rng)
    image = Image.fromarray(scene.pixels)
    thumbnail = _thumbnail_jpeg(image, plan.camera)
    exif = _exif_bytes(plan, plan.camera.firmware, plan.taken, thumbnail)
    data = _camera_jpeg(image, plan.camera, exif)
    if plan.forgery == "editor-resave":
        return _editor_resave(data, plan, scene, thumbnail, rng)
    return data, details
