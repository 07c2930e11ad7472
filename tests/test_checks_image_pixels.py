"""Pixel-level image checks: copy-move (IMG-PIX-001), error-level (IMG-PIX-002) and noise
(IMG-PIX-003) maps, on pictures made here with a known edit."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import cv2
import numpy as np
import pytest
from PIL import Image

from scrutiny.checks.base import Context, Item
from scrutiny.checks.image import IMAGE_CHECKS, PIXEL_CHECKS
from scrutiny.checks.image import copymove as cm
from scrutiny.checks.image import residuals as rs
from scrutiny.checks.image.copymove import CopyMove
from scrutiny.checks.image.residuals import ErrorLevel, NoiseLevel
from scrutiny.checks.registry import all_checks


def scene(seed: int, width: int = 960, height: int = 720) -> np.ndarray:
    """A grey picture with structure everywhere (blurred noise at several scales, shapes),
    like a photo of a cluttered room, plus sensor-like noise."""
    rng = np.random.default_rng(seed)
    out = np.zeros((height, width), np.float32)
    for scale, weight in ((64, 40.0), (16, 20.0), (4, 8.0)):
        small = rng.normal(0, 1, (height // scale + 2, width // scale + 2)).astype(np.float32)
        out += weight * cv2.resize(small, (width, height), interpolation=cv2.INTER_CUBIC)
    for _ in range(25):
        x, y = int(rng.integers(0, width - 60)), int(rng.integers(0, height - 60))
        w, h = int(rng.integers(15, 60)), int(rng.integers(15, 60))
        cv2.rectangle(out, (x, y), (x + w, y + h), float(rng.uniform(-60, 60)), -1)
        cv2.circle(out, (x, y), int(rng.integers(5, 25)), float(rng.uniform(-60, 60)), 2)
    out += 128 + rng.normal(0, 2.0, out.shape).astype(np.float32)
    return np.clip(out, 0, 255).astype(np.uint8)


def jpeg(grey: np.ndarray, quality: int = 92) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(grey).save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def decoded(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("L"))


def overlap(a: tuple[int, int, int, int] | list[int], b: tuple[int, int, int, int]) -> float:
    """Intersection over the smaller box."""
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    w = max(0, min(ax + aw, bx + bw) - max(ax, bx))
    h = max(0, min(ay + ah, by + bh) - max(ay, by))
    return w * h / min(aw * ah, bw * bh)


def copy_move(grey: np.ndarray, source: tuple[int, int, int, int], to: tuple[int, int],
              angle: float = 0.0) -> np.ndarray:
    out = grey.copy()
    x, y, w, h = source
    block = grey[y:y + h, x:x + w]
    if angle:
        m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
        block = cv2.warpAffine(block, m, (w, h), borderMode=cv2.BORDER_REFLECT)
        keep = cv2.warpAffine(np.ones((h, w), np.uint8), m, (w, h)) > 0
        target = out[to[1]:to[1] + h, to[0]:to[0] + w]
        target[keep] = block[keep]
    else:
        out[to[1]:to[1] + h, to[0]:to[0] + w] = block
    return out


# --------------------------------------------------------------------------- copy-move


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_copy_move_found_and_located(seed: int) -> None:
    grey = scene(seed)
    source, to = (120, 140, 110, 110), (600, 420)
    forged = decoded(jpeg(copy_move(grey, source, to)))
    found = cm.detect(forged)
    assert found, "a 110-pixel copy in a textured picture must be found"
    d = found[0]
    boxes = {tuple(d.source), tuple(d.target)}
    truth_src, truth_dst = source, (to[0], to[1], source[2], source[3])
    assert any(overlap(b, truth_src) > 0.5 for b in boxes)
    assert any(overlap(b, truth_dst) > 0.5 for b in boxes)
    assert {abs(d.shift[0]), abs(d.shift[1])} == {480, 280}


def test_rotated_copy_found_by_keypoints() -> None:
    grey = scene(4)
    forged = decoded(jpeg(copy_move(grey, (100, 100, 160, 160), (560, 380), angle=25)))
    found = cm.detect(forged)
    assert found
    assert any(d.method == "keypoints" and 15 <= abs(d.rotation) <= 35 for d in found)


@pytest.mark.parametrize("seed", [5, 6, 7, 8])
def test_untouched_picture_has_no_duplicate(seed: int) -> None:
    assert cm.detect(decoded(jpeg(scene(seed)))) == []


def test_periodic_pattern_is_not_a_copy() -> None:
    """Bars, shelves and tiles repeat at a period: not reported as a copy."""
    rng = np.random.default_rng(9)
    grey = np.full((600, 800), 150, np.float32)
    for x in range(40, 760, 48):           # prison bars
        grey[:, x:x + 10] = 60
    for y in range(60, 560, 120):          # and cross-bars
        grey[y:y + 8, :] = 70
    grey += rng.normal(0, 2.5, grey.shape)
    assert cm.detect(decoded(jpeg(np.clip(grey, 0, 255).astype(np.uint8)))) == []


def test_flat_and_tiny_pictures_do_not_crash() -> None:
    assert cm.detect(np.full((300, 400), 128, np.uint8)) == []
    assert cm.detect(np.zeros((20, 30), np.uint8)) == []


def test_large_picture_is_analysed_downscaled_with_boxes_in_picture_pixels() -> None:
    grey = cv2.resize(scene(10), (2880, 2160), interpolation=cv2.INTER_CUBIC)
    forged = decoded(jpeg(copy_move(grey, (300, 300, 420, 420), (1900, 1400))))
    found = cm.detect(forged)
    assert found
    d = found[0]
    assert {abs(d.shift[0]), abs(d.shift[1])} <= {1600, 1100, 1599, 1601, 1099, 1101}
    assert max(d.source[0] + d.source[2], d.target[0] + d.target[2]) <= 2880


# --------------------------------------------------------------------------- maps


def test_outliers_needs_a_connected_group() -> None:
    rng = np.random.default_rng(0)
    cells = rng.normal(1.0, 0.05, (40, 60)).astype(np.float32)
    assert rs.outliers(cells) == []
    scattered = cells.copy()
    scattered[::7, ::9] = 5.0               # isolated cells: not a region
    assert rs.outliers(scattered) == []
    block = cells.copy()
    block[10:14, 20:24] = 4.0               # 16 connected cells
    found = rs.outliers(block)
    assert len(found) == 1
    assert found[0].cells == 16
    assert found[0].box == (20 * rs.CELL, 10 * rs.CELL, 4 * rs.CELL, 4 * rs.CELL)
    half = cells.copy()
    half[:, :35] = 4.0                      # more than a quarter of the picture: no region
    assert rs.outliers(half) == []


def test_noise_map_finds_a_noisier_patch() -> None:
    rng = np.random.default_rng(3)
    grey = np.clip(cv2.GaussianBlur(scene(11).astype(np.float32), (0, 0), 6), 0, 255)
    grey = grey + rng.normal(0, 1.5, grey.shape)
    grey[200:328, 300:428] += rng.normal(0, 12, (128, 128))
    picture = decoded(jpeg(np.clip(grey, 0, 255).astype(np.uint8), 95))
    found = rs.outliers(rs.cell_means(rs.noise_residual(picture)), rs.flat_cells(picture),
                         rs.edge_strength(picture))
    assert found
    assert overlap(found[0].box, (300, 200, 128, 128)) > 0.6
    clean = decoded(jpeg(np.clip(grey - 0, 0, 255).astype(np.uint8)[:180, :], 95))
    assert rs.outliers(rs.cell_means(rs.noise_residual(clean)), rs.flat_cells(clean),
                       rs.edge_strength(clean)) == []


def test_error_level_is_the_recompression_difference() -> None:
    grey = scene(12)
    ela = rs.error_level(grey, 90)
    assert ela.shape == grey.shape
    assert ela.dtype == np.float32
    assert 0 < float(ela.mean()) < 20
    assert float(rs.error_level(decoded(jpeg(grey, 90)), 90).mean()) < float(ela.mean())


# --------------------------------------------------------------------------- as checks


def run(check: Any, data: bytes, derived: list[tuple[str, str, bytes]]) -> list[Any]:
    item = Item(rowid=1, sha256="ab" * 32, mime="image/jpeg", size=len(data),
                names=("leak/photos/p1.jpg",), meta={})

    def derive(source: str, kind: str, blob: bytes, mime: str, params: Any) -> str:
        derived.append((source, kind, blob))
        return "cd" * 32

    ctx = Context(db=None, today=dt.date(2026, 1, 1), open_blob=lambda sha: io.BytesIO(data),
                  derive=derive)
    return list(check.run(item, ctx))


def test_copy_move_check_reports_regions_and_stores_an_outlined_image() -> None:
    data = jpeg(copy_move(scene(1), (120, 140, 110, 110), (600, 420)))
    derived: list[tuple[str, str, bytes]] = []
    findings = run(CopyMove(), data, derived)
    assert len(findings) == 1
    f = findings[0]
    assert f.code == "IMG-PIX-001"
    assert f.evidence["item"] == "ab" * 32
    assert f.evidence["derived_image"] == "cd" * 32
    region = f.evidence["regions"][0]
    assert {"source", "copy", "shift", "support", "agreeing_pixels"} <= set(region)
    assert "p1.jpg" in f.explanation and "appears again" in f.explanation
    (source, kind, png), = derived
    assert source == "ab" * 32 and kind == "copy-move-regions"
    assert Image.open(io.BytesIO(png)).format == "PNG"


def test_clean_picture_gives_no_pixel_finding_and_stores_nothing() -> None:
    data = jpeg(scene(6))
    derived: list[tuple[str, str, bytes]] = []
    for check in (CopyMove(), ErrorLevel(), NoiseLevel()):
        assert run(check, data, derived) == []
    assert derived == []


def test_undecodable_image_is_skipped_not_crashed() -> None:
    derived: list[tuple[str, str, bytes]] = []
    for check in (CopyMove(), ErrorLevel(), NoiseLevel()):
        assert run(check, b"\xff\xd8\xff\xe0 not really a jpeg", derived) == []


def test_pixel_checks_are_registered_and_documented() -> None:
    codes = {c.code for c in all_checks()}
    for check in PIXEL_CHECKS:
        assert check in IMAGE_CHECKS
        assert check.code in codes
        doc = check.__doc__ or ""
        for part in ("**Method.**", "**What it can show.**", "**What it cannot show.**"):
            assert part in doc


def test_noise_check_reports_the_patch_with_its_map() -> None:
    rng = np.random.default_rng(3)
    grey = np.clip(cv2.GaussianBlur(scene(11).astype(np.float32), (0, 0), 6), 0, 255)
    grey = grey + rng.normal(0, 1.5, grey.shape)
    grey[200:328, 300:428] += rng.normal(0, 12, (128, 128))
    data = jpeg(np.clip(grey, 0, 255).astype(np.uint8), 95)
    derived: list[tuple[str, str, bytes]] = []
    findings = run(NoiseLevel(), data, derived)
    assert len(findings) == 1
    f = findings[0]
    assert f.code == "IMG-PIX-003" and f.severity.name == "NOTICE"
    assert overlap(f.evidence["regions"][0]["box"], (300, 200, 128, 128)) > 0.6
    assert "noise residual" in f.explanation and "Look at the map" in f.explanation
    (_, kind, png), = derived
    assert kind == "noise-map"
    assert Image.open(io.BytesIO(png)).size[0] > 2 * 960 * 0.8
