"""Error-level (IMG-PIX-002) and noise-residual (IMG-PIX-003) maps: a region of the picture
whose recompression error or noise level stands apart from the rest of the picture by a
stated statistic. The maps are stored as derived images for the report only when a region is
reported: they are evidence to look at, never a verdict."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

import cv2
import numpy as np
from numpy.typing import NDArray
from PIL import Image

from scrutiny.checks.base import Context, Item, ItemCheck
from scrutiny.checks.image.jpeg import _CACHE, IMAGES, JPEG, evidence, file_name, item_luma
from scrutiny.core import Finding, Severity

F32 = NDArray[np.float32]
Box = tuple[int, int, int, int]

CELL = 16                 # pixels: the statistics are computed per CELL×CELL cell
RECOMPRESS_QUALITY = 90   # JPEG quality of the error-level recompression
MIN_Z = 8.0               # robust z-score of a cell (median, 1.4826 × MAD) to stand out
MIN_RATIO = 2.0           # … and at least this many times the picture's median
MIN_CELLS = 6             # connected cells that must stand out together
MAX_SHARE = 0.25          # a "region" covering more of the picture is not a region
BINS = 8                  # cells are compared with cells of similar edge strength


@dataclass(frozen=True)
class Outlier:
    """A connected group of cells that stands out: its box (picture pixels), cell count,
    its median level against the picture's median, and the smallest z-score in it."""

    box: Box
    cells: int
    level: float
    picture_level: float
    min_z: float


def cell_means(values: F32, cell: int = CELL) -> F32:
    """The mean of ``values`` over each whole cell×cell cell (the ragged edge is left out)."""
    h, w = values.shape
    ch, cw = h // cell, w // cell
    trimmed = np.ascontiguousarray(values[:ch * cell, :cw * cell], dtype=np.float32)
    # area interpolation by an integer factor is the exact mean of each cell
    return np.asarray(cv2.resize(trimmed, (cw, ch), interpolation=cv2.INTER_AREA),
                      dtype=np.float32)


def _robust_z(cells: F32, ok: NDArray[np.bool_], covariate: F32 | None,
              ) -> tuple[F32, F32] | None:
    """Each cell's robust z-score and the median it is measured against. With a
    ``covariate`` (the cell's edge strength), cells are compared with the cells of similar
    covariate only: BINS bins of equal count, each with its own median and MAD."""
    z = np.zeros(cells.shape, np.float32)
    base = np.zeros(cells.shape, np.float32)
    if covariate is None:
        groups = [ok]
    else:
        edges = np.quantile(covariate[ok], np.linspace(0, 1, BINS + 1)[1:-1])
        bins = np.digitize(covariate, edges)
        groups = [ok & (bins == k) for k in range(BINS)]
    for group in groups:
        values = cells[group]
        if values.size < 4 * MIN_CELLS:
            continue
        median = float(np.median(values))
        mad = 1.4826 * float(np.median(np.abs(values - median)))
        if mad <= 1e-6 or median <= 1e-6:
            continue
        z[group] = (cells[group] - median) / mad
        base[group] = median
    if not base.any():
        return None
    return z, base


def outliers(cells: F32, usable: NDArray[np.bool_] | None = None,
             covariate: F32 | None = None) -> list[Outlier]:
    """Groups of at least MIN_CELLS 8-connected cells whose value is at least MIN_Z robust
    standard deviations above the median of the usable cells (of similar ``covariate``, when
    given) and MIN_RATIO times it; groups covering more than MAX_SHARE of the picture are not
    regions and are dropped."""
    ok = np.ones(cells.shape, bool) if usable is None else usable
    if ok.sum() < 4 * MIN_CELLS:
        return []
    scored = _robust_z(cells, ok, covariate)
    if scored is None:
        return []
    z, base = scored
    median = float(np.median(cells[ok]))
    high = (z >= MIN_Z) & (cells >= MIN_RATIO * base) & (base > 0) & ok
    count, labels, stats, _ = cv2.connectedComponentsWithStats(high.astype(np.uint8),
                                                               connectivity=8)
    found: list[Outlier] = []
    for label in range(1, count):
        x, y, w, h, n = (int(v) for v in stats[label])
        if n < MIN_CELLS or n > MAX_SHARE * cells.size:
            continue
        member = labels == label
        found.append(Outlier(box=(x * CELL, y * CELL, w * CELL, h * CELL), cells=n,
                             level=round(float(np.median(cells[member])), 3),
                             picture_level=round(median, 3),
                             min_z=round(float(z[member].min()), 1)))
    found.sort(key=lambda o: -o.cells)
    return found


def error_level(luma: NDArray[np.uint8], quality: int = RECOMPRESS_QUALITY) -> F32:
    """The absolute difference between the grey picture and its JPEG recompression at
    ``quality`` (error-level analysis)."""
    ok, encoded = cv2.imencode(".jpg", luma, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ValueError("the picture could not be recompressed")
    again = cv2.imdecode(encoded, cv2.IMREAD_GRAYSCALE)
    if again is None:
        raise ValueError("the recompressed picture could not be decoded")
    return np.asarray(cv2.absdiff(luma, again), dtype=np.float32)


def noise_residual(luma: NDArray[np.uint8]) -> F32:
    """The picture minus its 3×3 median: what is left is mostly noise (and fine edges)."""
    return np.asarray(cv2.absdiff(luma, cv2.medianBlur(luma, 3)), dtype=np.float32)


def edge_strength(luma: NDArray[np.uint8]) -> F32:
    """Each cell's mean gradient magnitude (Sobel)."""
    gx = cv2.Sobel(luma, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(luma, cv2.CV_32F, 0, 1, ksize=3)
    return cell_means(np.asarray(cv2.magnitude(gx, gy), dtype=np.float32))


def flat_cells(luma: NDArray[np.uint8], grad: F32 | None = None) -> NDArray[np.bool_]:
    """Cells without strong edges (mean gradient at most three times the median cell's):
    there the residual is mostly noise, not content. ``grad``: ``edge_strength(luma)`` when
    already computed."""
    grad = edge_strength(luma) if grad is None else grad
    return np.asarray(grad <= 3 * max(float(np.median(grad)), 1.0), dtype=bool)


def heat_png(luma: NDArray[np.uint8], values: F32, found: list[Outlier]) -> bytes:
    """A PNG for the report: the picture in grey beside the map (scaled to its 99th
    percentile, colour map "inferno"), the reported regions outlined on both."""
    top = max(float(np.percentile(values, 99)), 1e-6)
    scaled = np.clip(values / top * 255, 0, 255).astype(np.uint8)
    heat = cv2.cvtColor(cv2.applyColorMap(scaled, cv2.COLORMAP_INFERNO), cv2.COLOR_BGR2RGB)
    grey = cv2.cvtColor(luma, cv2.COLOR_GRAY2RGB)
    h, w = luma.shape
    canvas = np.full((h, 2 * w + 8, 3), 255, np.uint8)
    canvas[:, :w] = grey
    canvas[:, w + 8:] = heat
    for o in found:
        x, y, bw, bh = o.box
        for left in (0, w + 8):
            cv2.rectangle(canvas, (left + x, y), (left + x + bw - 1, y + bh - 1), (0, 200, 255), 2)
    factor = min(1.0, 1600 / canvas.shape[1])
    if factor < 1.0:
        canvas = cv2.resize(canvas, (round(canvas.shape[1] * factor),
                                     round(canvas.shape[0] * factor)),
                            interpolation=cv2.INTER_AREA)
    buf = io.BytesIO()
    Image.fromarray(canvas).save(buf, "PNG")
    return buf.getvalue()


class _MapCheck(ItemCheck):
    kind: ClassVar[str]
    severity: ClassVar[Severity] = Severity.NOTICE

    def values(self, luma: NDArray[np.uint8]) -> F32:
        raise NotImplementedError


    measured: ClassVar[str]   # "the noise residual of", said of the region
    meaning: ClassVar[str]    # what a difference may mean, and what else makes one

    def describe(self, item: Item, o: Outlier, more: str) -> str:
        return (f"{file_name(item)}: {self.measured} the region at {list(o.box)} (x, y, "
                f"width, height) is {o.level} grey levels against {o.picture_level} for the "
                f"picture as a whole ({o.cells} cells of {CELL}×{CELL} pixels, each at least "
                f"{o.min_z} robust standard deviations above the median of cells with as "
                f"many edges). {self.meaning} Look at the map in the report.{more}")

    def run(self, item: Item, ctx: Context) -> Iterator[Finding]:
        try:
            luma = item_luma(item, ctx)
        except (ValueError, OSError):   # not decodable, or over the pixel limit
            return
        if min(luma.shape) < 8 * CELL:
            return
        values = self.values(luma)
        grad: F32 = ctx.cached((_CACHE, "edge-strength", item.sha256),
                               lambda: edge_strength(luma))
        found = outliers(cell_means(values), flat_cells(luma, grad), grad)
        if not found:
            return
        derived = None
        if ctx.derive is not None:
            derived = ctx.derive(item.sha256, self.kind, heat_png(luma, values, found),
                                 "image/png", {"cell": CELL, "regions": len(found)})
        regions: list[dict[str, Any]] = [
            {"box": list(o.box), "cells": o.cells, "level": o.level,
             "picture_level": o.picture_level, "min_z": o.min_z} for o in found]
        more = (f" {len(found) - 1} more region(s) are listed in the evidence."
                if len(found) > 1 else "")
        yield self.finding(
            item.subject, self.title, self.describe(item, found[0], more),
            evidence(item, regions=regions, derived_image=derived,
                     thresholds={"cell": CELL, "min_z": MIN_Z, "min_ratio": MIN_RATIO,
                                 "min_cells": MIN_CELLS, "max_share": MAX_SHARE}))


class ErrorLevel(_MapCheck):
    """A region of the picture recompresses differently from the rest (error-level analysis).

    **Method.** The grey plane is recompressed as a JPEG at quality 90 and the absolute
    difference taken (the error level). Parts of a JPEG that have been through the same
    compression settle to about the same error; a part pasted in from elsewhere, or painted
    over and saved once less, often does not. The error is averaged over 16×16 cells. Edges
    and text recompress with much more error than smooth surfaces whatever their history, so
    only cells without strong edges are compared (their gradient no higher than three times
    the median cell's: the same rule as the noise map), and each cell is compared with the
    cells of similar edge strength only (eight bins of equal count by mean gradient). A cell
    stands out when its mean is at least 8 robust standard deviations (1.4826 × the median
    absolute deviation) above the median of its bin and at least twice it. At least 6 connected
    cells that stand out, covering at most a quarter of the picture, make a region. Only then
    is the map (picture and error level side by side, region outlined) stored for the report.

    **What it can show.** A region worth looking at, with the numbers that make it stand
    out: its median error against the picture's, and the lowest z-score in it.

    **What it cannot show.** That the region was edited. The error level also depends on
    content: sharp edges, text and fine texture recompress with more error than smooth
    surfaces, and a saturated (pure white or black) area with less. A whole picture
    re-saved once carries no local difference. Treat a region as a pointer for a human eye
    and for the other checks (copy-move, thumbnail, sensor noise), never as proof.

    **References.** N. Krawetz, *A picture's worth: digital image analysis and forensics*,
    Black Hat 2007; H. Farid, *Photo Forensics*, MIT Press 2016, ch. 3.
    """

    code = "IMG-PIX-002"
    title = "A region stands out in the error-level map"
    applies_to: ClassVar[tuple[str, ...]] = JPEG
    version = "1"
    kind = "error-level-map"

    def values(self, luma: NDArray[np.uint8]) -> F32:
        return error_level(luma)

    measured = f"the change on recompression at quality {RECOMPRESS_QUALITY} of"
    meaning = ("Parts of one JPEG usually recompress alike; a pasted or retouched part may "
               "not — but fine texture and text also do this.")


class NoiseLevel(_MapCheck):
    """A region of the picture is much noisier than the rest (noise-residual map).

    **Method.** The noise residual is the picture minus its 3×3 median, averaged over
    16×16 cells. Only cells without strong edges are compared (their gradient no higher than
    three times the median cell's), since edges leave residual that is not noise, and each is
    compared with the cells of similar edge strength (eight bins by mean gradient). A cell
    stands out when its residual is at least 8 robust standard deviations above the median
    of its bin and at least twice it; 6 or more connected cells that stand out, covering at most a
    quarter of the picture, make a region, and the map is stored for the report.

    **What it can show.** A part of the picture whose noise differs from the rest: a piece
    from another camera or another exposure, or a part that was noised to hide a seam.

    **What it cannot show.** Smoothing (a part with *less* noise than the rest) is not
    reported: flat surfaces and shadows also have little noise. Texture fine enough to pass
    as noise (grass, gravel, fabric) and areas of different brightness (noise grows with the
    signal) can stand out on their own. A pointer for a human eye, not proof.

    **References.** B. Mahdian and S. Saic, *Using noise inconsistencies for blind image
    forensics*, Image and Vision Computing 27(10), 2009; H. Farid, *Photo Forensics*, ch. 4.
    """

    code = "IMG-PIX-003"
    title = "A region stands out in the noise map"
    applies_to: ClassVar[tuple[str, ...]] = IMAGES
    version = "1"
    kind = "noise-map"

    def values(self, luma: NDArray[np.uint8]) -> F32:
        return noise_residual(luma)

    measured = "the noise residual of"
    meaning = ("One camera and one exposure give one noise level; a part from elsewhere may "
               "not — but fine texture and bright areas also do this.")


