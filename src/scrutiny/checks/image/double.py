"""IMG-JPEG-003: double JPEG compression, from the histograms of the picture's low-frequency
DCT coefficients. Pure functions (``block_dct``, ``comb``, ``analyse``) and the check."""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import cv2
import numpy as np
from numpy.typing import NDArray

from scrutiny.checks.base import Context, Item, ItemCheck
from scrutiny.checks.image import quant
from scrutiny.checks.image.jpeg import (
    JPEG,
    Luma,
    evidence,
    file_name,
    item_luma,
    jpeg_header,
)
from scrutiny.core import Finding, Severity

# The first 14 AC coefficients in zig-zag order, as (row, column) of the 8×8 block: all lie
# in the top-left 5×5 corner, so only that corner of each block's DCT is computed.
POSITIONS: tuple[tuple[int, int], ...] = (
    (0, 1), (1, 0), (2, 0), (1, 1), (0, 2), (0, 3), (1, 2), (2, 1), (3, 0), (4, 0), (3, 1),
    (2, 2), (1, 3), (0, 4))
CORNER = 5
KMAX = 100            # histogram bins (in units of the current step) looked at, at most
MIN_ANCHOR = 50       # a bin is part of the usable histogram from this many coefficients
MIN_EXPECTED = 300    # coefficients the gap bins should hold, for a candidate to be judged
MAX_RATIO = 8         # earlier steps up to this many times the current one are tried
DEPLETED = 0.9        # share of the expected count missing from the gaps: double quantized …
DEPLETED_STEP_1 = 0.7  # … or, where the current step is 1, which rounding leaks across
MIN_POSITIONS = 3     # coefficients that must show it, and at least half of those judged
MAX_BLOCKS = 100_000  # blocks analysed at most (every n-th row of blocks beyond)


def _dct_matrix() -> NDArray[np.float32]:
    u = np.arange(8)[:, None]
    x = np.arange(8)[None, :]
    scale = np.where(u == 0, math.sqrt(1 / 8), 0.5)
    return np.asarray(scale * np.cos((2 * x + 1) * u * np.pi / 16), dtype=np.float32)


DCT = _dct_matrix()   # orthonormal 8-point DCT-II, as JPEG defines it (rows: frequencies)


def block_dct(luma: Luma, corner: int = CORNER,
              max_blocks: int = MAX_BLOCKS) -> NDArray[np.float32]:
    """The top-left ``corner``×``corner`` DCT coefficients of the 8×8 blocks on the JPEG
    grid (from the top-left pixel) that have no clipped pixel (0 or 255), as an array of
    shape (blocks, corner, corner): every block, or every n-th row of blocks when there are
    more than ``max_blocks``. Two matrix products over the picture (rows, then columns), in
    float32."""
    h, w = (luma.shape[0] // 8) * 8, (luma.shape[1] // 8) * 8
    if h == 0 or w == 0:
        return np.zeros((0, corner, corner), np.float32)
    every = max(1, math.ceil((h // 8) * (w // 8) / max_blocks))
    plane = np.ascontiguousarray(luma[:h, :w].reshape(h // 8, 8, w)[::every])
    block_rows = plane.shape[0]
    rows = np.matmul(DCT[:corner], plane.astype(np.float32))
    coeffs = np.matmul(rows.reshape(block_rows, corner, w // 8, 8), DCT[:corner].T)
    unclipped = cv2.inRange(plane.reshape(block_rows * 8, w), 1, 254)   # 255: not clipped
    whole = cv2.resize(unclipped, (w // 8, block_rows), interpolation=cv2.INTER_AREA) == 255
    blocks = coeffs.transpose(0, 2, 1, 3)[whole]
    return np.asarray(blocks, dtype=np.float32)


@dataclass(frozen=True)
class Comb:
    """The best double-quantization explanation of one coefficient's histogram."""

    row: int
    col: int
    step: int             # the current quantization step
    earlier: int          # the earlier step that explains the gaps best
    depletion: float      # share of the expected count missing from the gap bins
    expected: float       # what the gap bins would hold without double quantization
    gaps: int             # how many gap bins were compared

    def to_json(self) -> dict[str, Any]:
        return {"coefficient": [self.row, self.col], "step": self.step,
                "earlier_step": self.earlier, "depletion": round(self.depletion, 3),
                "expected_in_gaps": round(self.expected), "gap_bins": self.gaps}


def reachable(step: int, earlier: int, top: int) -> NDArray[np.int64]:
    """The bins 1…``top`` (in units of ``step``) a coefficient quantized first with
    ``earlier`` and then with ``step`` can fall in: round(j × earlier / step) for whole j
    (both neighbours when that is exactly halfway)."""
    ratio = earlier / step
    j = np.arange(1, int((top + 0.5) / ratio) + 2)
    value = j * ratio
    low = np.floor(value + 0.5)
    half = np.abs(value - np.floor(value) - 0.5) < 1e-9
    bins = np.unique(np.concatenate([low, low[half] - 1])).astype(np.int64)
    return bins[(bins >= 1) & (bins <= top)]


def comb(histogram: NDArray[np.float64], step: int) -> tuple[int, float, float, int] | None:
    """The earlier step that best explains gaps in ``histogram`` (counts of |coefficient /
    step| rounded, by bin), as (earlier step, depletion, expected count in the gaps, gap
    bins); ``None`` when the histogram is too narrow or too thin to judge any candidate.

    For each candidate earlier step p (from step + 1 to ``MAX_RATIO`` × step), the bins a
    doubly quantized coefficient can reach are the anchors; the others are gaps. Each gap's
    expected count is interpolated between the neighbouring anchors on a log scale (exact
    for the exponential tails of DCT coefficient histograms); the first anchor interval,
    where the histogram's peak makes that interpolation unreliable, is left out. Depletion
    is 1 − (observed ÷ expected) over the gaps: about 0 for a single compression, close to
    1 when the gaps are empty. Of the candidates whose depletion is within 90% of the best,
    the largest step is returned (its divisors leave gaps empty too)."""
    big = np.nonzero(histogram[1:KMAX + 1] >= MIN_ANCHOR)[0]
    if big.size == 0:
        return None
    top = int(big[-1]) + 1
    logs = np.log(histogram + 1.0)
    found: list[tuple[int, float, float, int]] = []
    for earlier in range(step + 1, MAX_RATIO * step + 1):
        if 4 * earlier / step > top + 0.5:
            break
        anchors = reachable(step, earlier, top)
        if anchors.size < 4:
            continue
        gaps = np.setdiff1d(np.arange(anchors[1] + 1, anchors[-1]), anchors)
        if gaps.size < 3:
            continue
        expected = np.exp(np.interp(gaps, anchors, logs[anchors])) - 1.0
        total = float(expected.sum())
        if total < MIN_EXPECTED:
            continue
        found.append((earlier, 1.0 - float(histogram[gaps].sum()) / total, total,
                      int(gaps.size)))
    if not found:
        return None
    best = max(f[1] for f in found)
    if best <= 0:
        return max(found, key=lambda f: f[1])
    return max((f for f in found if f[1] >= 0.9 * best), key=lambda f: f[0])


@dataclass(frozen=True)
class DoubleCompression:
    """What ``analyse`` found: the coefficients judged and those showing the comb."""

    judged: tuple[Comb, ...]
    detected: tuple[Comb, ...]
    blocks: int

    @property
    def double(self) -> bool:
        return len(self.detected) >= MIN_POSITIONS and 2 * len(self.detected) >= len(
            self.judged)


def analyse(luma: Luma, table: Sequence[int]) -> DoubleCompression:
    """Double-quantization evidence in the luma plane of a JPEG whose current luma table
    (natural order) is ``table``."""
    coeffs = block_dct(luma)
    judged: list[Comb] = []
    for row, col in POSITIONS:
        step = int(table[8 * row + col])
        if step < 1 or coeffs.shape[0] == 0:
            continue
        bins = np.minimum(np.abs(np.rint(coeffs[:, row, col] / step)), KMAX + 1)
        histogram = np.bincount(bins.astype(np.int64), minlength=KMAX + 2).astype(np.float64)
        result = comb(histogram, step)
        if result is not None:
            judged.append(Comb(row, col, step, *result))
    detected = tuple(c for c in judged
                     if c.depletion >= (DEPLETED if c.step >= 2 else DEPLETED_STEP_1))
    return DoubleCompression(tuple(judged), detected, int(coeffs.shape[0]))


def earlier_quality(detected: Sequence[Comb]) -> tuple[int, int] | None:
    """The range of libjpeg qualities whose luma tables have the estimated earlier steps at
    the most detected coefficients (and at two thirds of them at least), or ``None``. Nearby
    qualities often share the low-frequency steps, hence a range."""
    hits = {quality: sum(quant.ijg_table(quality)[8 * c.row + c.col] == c.earlier
                         for c in detected) for quality in quant.QUALITIES}
    top = max(hits.values(), default=0)
    if not detected or 3 * top < 2 * len(detected):
        return None
    tied = [q for q, n in hits.items() if n == top]
    return min(tied), max(tied)


class DoubleJpeg(ItemCheck):
    """The picture was compressed as JPEG twice: decoded and saved again, with a finer
    quantization than the first time.

    **Method.** JPEG divides each 8×8 block's DCT coefficients by the steps of a
    quantization table and rounds them. A picture compressed once with step q₁, decoded, and
    compressed again with a finer step q₂ carries the first rounding through the second: its
    coefficients, counted in multiples of q₂, can only take the values round(j·q₁/q₂) — the
    histogram is a comb with empty bins between the teeth, periodic with period q₁/q₂
    (Popescu & Farid; Lin et al. estimate that period from the histogram's spectrum).
    scrutiny reads the coefficients without a JPEG-coefficient library: it decodes the luma
    plane (libjpeg's own greyscale output, no colour conversion), takes the DCT of every 8×8
    block on the file's grid (only the 5×5 low-frequency corner), and divides by the file's
    luma table. This gives back the stored integers up to the decoder's rounding of each
    pixel to a whole grey level — an error of about 0.3 in each coefficient, small against
    the steps (2 and more at low frequencies below quality 95) — so the histograms are
    those of the stored coefficients; blocks with clipped pixels (0 or 255), where the
    error is larger, are left out.

    For each of the first 14 AC coefficients (zig-zag order), and each candidate earlier step
    q₁ from q₂ + 1 to 8·q₂, the bins a doubly compressed coefficient can reach are the
    *anchors* and the others the *gaps*. A gap's expected count without double compression
    is interpolated between its anchors on a log scale, and the depletion is the share of
    that expected count missing from the gaps: near 0 for a single compression, near 1 for
    a double one. A coefficient is judged only when its histogram has at least four anchors
    with 50 or more coefficients in reach and the gaps should hold at least 300; it shows
    double compression when the best candidate's depletion is at least 0.9 — or 0.7 where
    the current step is 1, since the decoder's rounding (about 0.3) then spills across
    half a step into the gaps. The photo is reported when at least three coefficients, and
    at least half of those judged, show it. With the estimated earlier steps the finding
    gives, when they fit, the range of libjpeg qualities of the first compression.

    Why these thresholds: single compressions at qualities 60–95, 45 real camera photos and
    some 1,000 untouched synthetic camera photos give depletions mostly below 0.3; the
    synthetic photos, whose flat walls and repeated furniture edges give narrow, lumpy
    histograms, reach 0.6–0.8 on up to three coefficients, never 0.9. Double compressions
    with a current step of 2 or more give 0.94–1.0 (quality 60 then 90: 0.96–1.0 on every
    coefficient judged); with a step of 1 (a second save at 95–100) 0.77–0.97.

    **What it can show.** That the file is not the first JPEG made of this picture: a camera
    photo that was opened and saved again (an editor, a converter, a messaging app), and
    often the quality it had before. A photo said to come straight from a camera should show
    a single compression.

    **What it cannot show.** Why it was saved again, or whether anything was changed:
    re-saving alone leaves this trace. It misses second compressions at an equal or coarser
    step (q₁ ≤ q₂: the combs then vanish), re-saves after the picture was cropped off the
    8×8 grid or resized (see IMG-JPEG-004), and pictures too small or too flat to fill the
    histograms. A spliced region compressed twice within an otherwise single-compressed
    photo is usually too small to show in the histograms of the whole picture.

    **References.** A. C. Popescu, H. Farid, *Statistical tools for digital forensics*, IH
    2004, §2.2 (double quantization); J. Lukáš, J. Fridrich, *Estimation of primary
    quantization matrix in double compressed JPEG images*, DFRWS 2003; Z. Lin, J. He,
    X. Tang, C.-K. Tang, *Fast, automatic and fine-grained tampered JPEG image detection via
    DCT coefficient analysis*, Pattern Recognition 42(11), 2009; T. Pevný, J. Fridrich,
    *Detection of double-compression in JPEG images*, IEEE TIFS 3(2), 2008.
    """

    code = "IMG-JPEG-003"
    title = "Compressed as JPEG twice"
    applies_to: ClassVar[tuple[str, ...]] = JPEG
    version = "1"
    severity: ClassVar[Severity] = Severity.WARNING

    def run(self, item: Item, ctx: Context) -> Iterator[Finding]:
        header = jpeg_header(item, ctx)
        frame = header.frame
        if frame is None or not header.qtables or frame.precision != 8:
            return
        if len(frame.components) not in (1, 3) or (len(frame.components) == 3 and (
                header.adobe is not None and len(header.adobe) >= 7 and header.adobe[6] == 0)):
            return      # CMYK, or RGB stored without the YCbCr transform: no luma table
        table = header.qtables.get(frame.components[0][3])
        if table is None or len(table) != 64:
            return
        result = analyse(item_luma(item, ctx), table)
        if not result.double:
            return
        quality = earlier_quality(result.detected)
        current = quant.estimate([table])
        shown = sorted(result.detected, key=lambda c: -c.depletion)
        examples = "; ".join(
            f"coefficient ({c.row},{c.col}): step {c.step} now, gaps {100 * c.depletion:.0f}% "
            f"empty for an earlier step of {c.earlier}" for c in shown[:3])
        span = (str(quality[0]) if quality and quality[0] == quality[1] else
                f"{quality[0]}\u2013{quality[1]}" if quality else "")
        earlier = (f" The earlier steps match libjpeg's tables at quality {span}: the first "
                   f"save was most likely at quality {span}." if quality else
                   " The earlier steps match no libjpeg quality: the first compression used "
                   "tables of its own, as cameras do.")
        now = f" (now {current.describe()})" if current else ""
        yield self.finding(
            item.subject, self.title,
            f"{file_name(item)}: {len(result.detected)} of the {len(result.judged)} "
            "low-frequency DCT coefficients that carry enough data show the empty bins of "
            f"double quantization ({examples}). The picture was compressed as JPEG before, "
            f"with coarser steps, then decoded and saved again{now}.{earlier} Re-saving "
            "alone leaves this trace; it does not show that the picture was changed.",
            evidence(item, coefficients_judged=len(result.judged),
                     coefficients_detected=len(result.detected), blocks=result.blocks,
                     earlier_quality=list(quality) if quality else None,
                     current_quality=current.quality if current else None,
                     detected=[c.to_json() for c in shown],
                     judged=[c.to_json() for c in result.judged],
                     thresholds={"depletion": DEPLETED, "depletion_step_1": DEPLETED_STEP_1,
                                 "min_coefficients": MIN_POSITIONS,
                                 "min_expected": MIN_EXPECTED}))


DOUBLE_CHECKS = (DoubleJpeg,)
