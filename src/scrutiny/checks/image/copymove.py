"""Copy-move detection (IMG-PIX-001): a part of the picture duplicated elsewhere in the same
picture, found by matching the picture's keypoints against themselves, grouping the matches
that share one geometric transform, and verifying that transform on the pixels.

The pure functions (``detect``) take a grey picture and return what was found; the check
turns that into a finding and, when it can, a derived image with the two regions outlined."""

from __future__ import annotations

import io
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, overload

import cv2
import numpy as np
from numpy.typing import NDArray
from PIL import Image

from scrutiny.checks.base import Context, Item, ItemCheck
from scrutiny.checks.image.jpeg import IMAGES, evidence, file_name, item_luma
from scrutiny.core import Finding, Severity

F32 = NDArray[np.float32]
Box = tuple[int, int, int, int]   # x, y, width, height

ANALYSIS_SIDE = 1280      # the picture is analysed with its long side at most this many pixels
MAX_KEYPOINTS = 8000      # SIFT keypoints kept (the strongest)
RATIO = 0.6               # generalised 2-nearest-neighbour ratio test (Amerini et al. 2011)
MIN_SHIFT = 24            # a match between points closer than this (analysis pixels) is ignored
RANSAC_ERROR = 3.0        # pixels: a pair fits the transform when it lands this close
MIN_INLIERS = 8           # matched pairs that must share one transform
MIN_NCC = 0.8             # local correlation of a region with its copy
MIN_TEXTURE = 1.0         # grey levels (local standard deviation) for a window to count
NOISE_FACTOR = 3.0        # … and at least this many times the picture's noise
MIN_SIDE = 48             # analysis pixels: the duplicated region's smaller side, at least
STEPS = (*(1 / k for k in range(2, 11)), 2 / 3, 0.75, -1.0, 2.0)
MAX_REPEAT = 0.4         # share of the region agreeing one step further: a repetitive pattern
GAP = 48                  # analysis pixels: agreeing pixels this close form one region
MIN_SOLID = 0.5           # share of the textured pixels around a region that must agree
MIN_REGION = 40 * 40 // 4  # analysis pixels where the region and its copy correlate
MAX_ROUNDS = 3            # transforms looked for, one after another, by each method
BLOCK = 16                # block side (analysis pixels) for block matching
MIN_STRUCTURE = 2.0       # grey levels: spread of a block's 4×4 means for it to be described
MAX_BLOCKS = 250_000      # blocks described, at most (the most structured)
NEIGHBOURS = 4            # nearest descriptions looked up per block
MAX_DISTANCE = 3.0        # grey levels: two descriptions this close are a pair
MAX_SHIFTS = 12           # block-matching shifts verified, most frequent first
MIN_BLOCKS = 40           # block pairs that must share one shift


@dataclass(frozen=True)
class Duplicate:
    """One region found twice: where it is (``source``) and where its copy is (``target``),
    in the picture's own pixel coordinates, with the figures the decision rests on."""

    source: Box
    target: Box
    support: int           # keypoint pairs or block pairs consistent with the transform
    method: str            # "keypoints" or "blocks"
    area: int              # picture pixels where the region correlates with its copy
    correlation: float     # mean local correlation over that area
    shift: tuple[int, int]  # displacement of the copy (picture pixels)
    rotation: float        # degrees
    scale: float


def _analysis_scale(width: int, height: int) -> float:
    return min(1.0, ANALYSIS_SIDE / max(width, height))


def _prepare(luma: NDArray[np.uint8]) -> tuple[NDArray[np.uint8], float]:
    h, w = luma.shape
    scale = _analysis_scale(w, h)
    if scale < 1.0:
        small = cv2.resize(luma, (max(1, round(w * scale)), max(1, round(h * scale))),
                           interpolation=cv2.INTER_AREA)
        return np.ascontiguousarray(small), scale
    return np.ascontiguousarray(luma), 1.0


def _matches(grey: NDArray[np.uint8]) -> tuple[F32, F32]:
    """Pairs of keypoints whose descriptors match each other better than anything else in the
    picture: the g2NN test over the 8 nearest neighbours of each descriptor."""
    sift = cv2.SIFT_create(  # type: ignore[attr-defined]
        nfeatures=MAX_KEYPOINTS, contrastThreshold=0.03)
    keypoints, descriptors = sift.detectAndCompute(grey, None)
    if descriptors is None or len(keypoints) < 3:
        empty = np.zeros((0, 2), np.float32)
        return empty, empty
    points = np.array([kp.pt for kp in keypoints], dtype=np.float32)
    k = min(9, len(keypoints))
    index = cv2.FlannBasedMatcher({"algorithm": 1, "trees": 4}, {"checks": 64})
    knn = index.knnMatch(descriptors, descriptors, k=k)
    src: list[tuple[float, float]] = []
    dst: list[tuple[float, float]] = []
    seen: set[tuple[int, int]] = set()
    for row in knn:
        others = [m for m in row if m.trainIdx != m.queryIdx]
        for first, second in itertools.pairwise(others):
            if first.distance >= RATIO * max(second.distance, 1e-6):
                break
            a, b = first.queryIdx, first.trainIdx
            pa, pb = points[a], points[b]
            if float(np.hypot(*(pa - pb))) < MIN_SHIFT:
                continue
            key = (min(a, b), max(a, b))
            if key in seen:
                continue
            seen.add(key)
            src.append((float(pa[0]), float(pa[1])))
            dst.append((float(pb[0]), float(pb[1])))
    return (np.array(src, dtype=np.float32).reshape(-1, 2),
            np.array(dst, dtype=np.float32).reshape(-1, 2))


@overload
def _local_ncc(grey: F32, moved: F32, radius: int = ...,
               with_texture: Literal[False] = ..., floor: float = ...) -> F32: ...
@overload
def _local_ncc(grey: F32, moved: F32, radius: int = ...,
               *, with_texture: Literal[True], floor: float = ...,
               ) -> tuple[F32, NDArray[np.bool_]]: ...
def _local_ncc(grey: F32, moved: F32, radius: int = 4, with_texture: bool = False,
               floor: float = 1.0) -> F32 | tuple[F32, NDArray[np.bool_]]:
    """The normalised cross-correlation of the picture and ``moved`` in a (2r+1)² window
    around every pixel: 1 where one is a copy of the other, about 0 for unrelated content or
    noise. Windows without variation (standard deviation under MIN_TEXTURE) get 0."""
    size = (2 * radius + 1, 2 * radius + 1)
    ma, mb = cv2.blur(grey, size), cv2.blur(moved, size)
    va = cv2.blur(grey * grey, size) - ma * ma
    vb = cv2.blur(moved * moved, size) - mb * mb
    cov = cv2.blur(grey * moved, size) - ma * mb
    ok = (va > floor * floor) & (vb > floor * floor)
    ncc = np.zeros_like(grey)
    ncc[ok] = cov[ok] / np.sqrt(va[ok] * vb[ok])
    return (ncc, ok) if with_texture else ncc


def _warp(image: F32, matrix: NDArray[np.float64], size: tuple[int, int], flags: int,
          borderMode: int) -> F32:
    return np.asarray(cv2.warpAffine(image, matrix, size, flags=flags, borderMode=borderMode),
                      dtype=np.float32)


def noise_sigma(grey: F32) -> float:
    """The standard deviation of the picture's noise (Immerkær's fast estimate: the mean
    absolute response to a Laplacian-difference kernel that cancels smooth content)."""
    kernel = np.array([[1, -2, 1], [-2, 4, -2], [1, -2, 1]], dtype=np.float32)
    response = np.asarray(cv2.filter2D(grey, -1, kernel))[1:-1, 1:-1]
    return float(np.sqrt(np.pi / 2) * np.abs(response).mean() / 6)


def texture_floor(grey: F32) -> float:
    """Local standard deviation below which a window is noise, not texture: NOISE_FACTOR
    times the picture's noise, and at least MIN_TEXTURE grey levels."""
    return max(MIN_TEXTURE, NOISE_FACTOR * noise_sigma(grey))


def _verify(grey: F32, matrix: NDArray[np.float64], src: F32,
            ) -> tuple[NDArray[np.bool_], float] | None:
    """Where the picture and its own copy under ``matrix`` agree. The matched source points
    (block centres or keypoints), each standing for the BLOCK×BLOCK square around it, are
    joined into groups when less than GAP pixels apart; the group with most points gives the
    candidate region (its bounding box). Pixels agree where the local normalised
    cross-correlation of the picture with its moved self is at least MIN_NCC. The region is
    kept if it is at least MIN_SIDE pixels in both directions, holds MIN_REGION agreeing
    pixels, and at least MIN_SOLID of the textured pixels in it agree (so that scattered
    chance matches do not make a region). None otherwise."""
    h, w = grey.shape
    footprint = np.zeros((h, w), np.uint8)
    half = BLOCK // 2
    for x, y in np.round(src).astype(int):
        footprint[max(0, y - half):y + half, max(0, x - half):x + half] = 1
    joined = cv2.dilate(footprint, np.ones((GAP, GAP), np.uint8))
    count, labels = cv2.connectedComponents(joined, connectivity=8)
    if count <= 1:
        return None
    xs = np.clip(np.round(src[:, 0]).astype(int), 0, w - 1)
    ys = np.clip(np.round(src[:, 1]).astype(int), 0, h - 1)
    hits = labels[ys, xs]
    hits = hits[hits > 0]
    if hits.size == 0:
        return None
    group = (labels == np.bincount(hits).argmax()) & (footprint > 0)
    x, y, bw, bh = _box(group)
    if min(bw, bh) < MIN_SIDE:
        return None
    shifted = matrix.copy()
    shifted[:, 2] += matrix[:, :2] @ np.array([x, y], dtype=np.float64)
    moved = _warp(grey, shifted, (bw, bh), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                           borderMode=cv2.BORDER_REFLECT)
    ncc, textured = _local_ncc(np.ascontiguousarray(grey[y:y + bh, x:x + bw]), moved,
                               with_texture=True, floor=texture_floor(grey))
    agree = ncc >= MIN_NCC
    area = int(agree.sum())
    if area < MIN_REGION or area < MIN_SOLID * int(textured.sum()):
        return None
    region = np.zeros((h, w), bool)
    region[y:y + bh, x:x + bw] = agree
    return region, float(ncc[agree].mean())


def _repeats(grey: F32, matrix: NDArray[np.float64], region: NDArray[np.bool_]) -> bool:
    """Whether the region also agrees with itself at a fraction or a multiple of the step
    (1/2 … 1/10, ⅔, ¾, −1 and 2 times the shift, same rotation and scale): true of a periodic
    structure (shelves, drawers, bars, tiles, windows), which agrees with itself at every
    multiple of its period, and not of a copy, whose source and copy are alike only with
    each other."""
    for t in STEPS:
        other = matrix.copy()
        other[:, 2] = matrix[:, 2] * t
        if t < 0:
            other = np.asarray(cv2.invertAffineTransform(matrix), dtype=np.float64)
        if _agreement(grey, other, region) >= MAX_REPEAT:
            return True
    return False


def _agreement(grey: F32, matrix: NDArray[np.float64], region: NDArray[np.bool_]) -> float:
    """The share of the region that agrees (local correlation ≥ MIN_NCC) with where
    ``matrix`` takes it; computed over the region's bounding box only."""
    h, w = grey.shape
    x, y, bw, bh = _box(region)
    pad = 8
    x0, y0 = max(0, x - pad), max(0, y - pad)
    x1, y1 = min(w, x + bw + pad), min(h, y + bh + pad)
    shifted = matrix.copy()
    shifted[:, 2] += matrix[:, :2] @ np.array([x0, y0], dtype=np.float64)
    moved = _warp(grey, shifted, (x1 - x0, y1 - y0),
                           flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                           borderMode=cv2.BORDER_REFLECT)
    ncc = _local_ncc(np.ascontiguousarray(grey[y0:y1, x0:x1]), moved)
    return float((ncc[region[y0:y1, x0:x1]] >= MIN_NCC).mean())


def _box(mask: NDArray[np.bool_]) -> Box:
    ys, xs = np.nonzero(mask)
    return (int(xs.min()), int(ys.min()), int(xs.max() - xs.min() + 1),
            int(ys.max() - ys.min() + 1))


def _scaled(box: Box, factor: float, width: int, height: int) -> Box:
    x, y, w, h = (v / factor for v in box)
    x0, y0 = max(0, int(np.floor(x))), max(0, int(np.floor(y)))
    x1, y1 = min(width, int(np.ceil(x + w))), min(height, int(np.ceil(y + h)))
    return (x0, y0, x1 - x0, y1 - y0)


def _keypoint_candidates(grey8: NDArray[np.uint8]) -> Iterator[Candidate]:
    """Transforms shared by at least MIN_INLIERS matched keypoint pairs (RANSAC, a similarity
    transform: shift, rotation, uniform scale), strongest first."""
    cv2.setRNGSeed(17)            # FLANN and RANSAC draws: the same picture, the same result
    src, dst = _matches(grey8)
    # both directions: a translation then shows as one consistent set, whichever way round
    a = np.concatenate([src, dst])
    b = np.concatenate([dst, src])
    for _ in range(MAX_ROUNDS):
        if len(a) < MIN_INLIERS:
            return
        matrix, inliers = cv2.estimateAffinePartial2D(
            a, b, method=cv2.RANSAC, ransacReprojThreshold=RANSAC_ERROR, maxIters=4000,
            confidence=0.999)
        if matrix is None or inliers is None:
            return
        keep = inliers.ravel().astype(bool)
        n = int(keep.sum())
        if n < MIN_INLIERS:
            return
        yield Candidate(np.asarray(matrix, dtype=np.float64), a[keep], n, "keypoints")
        # drop these pairs, both ways round, before looking for another transform
        ahead = np.linalg.norm(cv2.transform(a[None], matrix)[0] - b, axis=1)
        back = np.linalg.norm(cv2.transform(b[None], matrix)[0] - a, axis=1)
        fits = (ahead < RANSAC_ERROR) | (back < RANSAC_ERROR)
        a, b = a[~fits], b[~fits]


def _block_candidates(grey: F32) -> Iterator[Candidate]:
    """Shifts shared by at least MIN_BLOCKS pairs of near-identical blocks (translation
    only). Every 16×16 block with structure (its 4×4 sub-block means vary by MIN_STRUCTURE
    grey levels or more; at most MAX_BLOCKS blocks, the most structured) is described by
    those 16 means. The blocks at every other row and column look up their NEIGHBOURS
    nearest descriptions among all blocks (FLANN k-d tree); a pair counts when its
    descriptions are within MAX_DISTANCE grey levels (Euclidean) and the blocks at least
    MIN_SHIFT pixels apart; the shift between the blocks of each pair is counted (Fridrich,
    Soukal and Lukáš 2003, with sub-block means for features and a k-d tree for the
    lexicographic sort)."""
    h, w = grey.shape
    if h < 2 * BLOCK or w < 2 * BLOCK:
        return
    ii = cv2.integral(grey.astype(np.float64))
    sub = ((ii[4:, 4:] - ii[:-4, 4:] - ii[4:, :-4] + ii[:-4, :-4]) / 16.0   # 4×4 means
           ).astype(np.float32)
    n_y, n_x = h - BLOCK + 1, w - BLOCK + 1
    views = [sub[4 * i:4 * i + n_y, 4 * j:4 * j + n_x] for i in range(4) for j in range(4)]
    total = np.zeros((n_y, n_x), np.float32)
    squares = np.zeros((n_y, n_x), np.float32)
    for view in views:
        total += view
        squares += view * view
    spread = (squares / 16 - (total / 16) ** 2).ravel()     # variance of the 16 means
    textured = np.flatnonzero(spread >= MIN_STRUCTURE * MIN_STRUCTURE)
    if textured.size > MAX_BLOCKS:
        keep = np.argpartition(-spread[textured], MAX_BLOCKS)[:MAX_BLOCKS]
        textured = np.sort(textured[keep])
    if textured.size < MIN_BLOCKS:
        return
    feats = np.ascontiguousarray(np.stack([view.ravel()[textured] for view in views], axis=1))
    ys, xs = np.divmod(textured, n_x)
    queries = np.flatnonzero((ys % 2 == 0) & (xs % 2 == 0))
    if queries.size == 0:
        return
    cv2.setRNGSeed(17)            # the k-d tree's random splits: the same picture, the same pairs
    index = cv2.flann_Index(  # type: ignore[attr-defined]
        feats, {"algorithm": 1, "trees": 1})
    k = min(NEIGHBOURS, len(feats))
    near, dist2 = index.knnSearch(feats[queries], k, params={"checks": 8})
    first = np.repeat(queries, k)
    second = near.ravel().astype(np.intp)
    close = (dist2.ravel() <= MAX_DISTANCE * MAX_DISTANCE) & (second != first) & (second >= 0)
    first, second = first[close], second[close]
    dx, dy = xs[second] - xs[first], ys[second] - ys[first]
    flip = (dx < 0) | ((dx == 0) & (dy < 0))
    dx, dy = np.where(flip, -dx, dx), np.where(flip, -dy, dy)
    src = np.where(flip, second, first)
    far = dx * dx + dy * dy >= MIN_SHIFT * MIN_SHIFT
    codes = ((dx + 4096) * 8192 + (dy + 4096))[far]
    src = src[far]
    if codes.size < MIN_BLOCKS:
        return
    values, counts = np.unique(codes, return_counts=True)
    chosen: list[tuple[int, int]] = []
    for rank in np.argsort(-counts, kind="stable"):
        if counts[rank] < MIN_BLOCKS or len(chosen) == MAX_SHIFTS:
            return
        sx, sy = int(values[rank] // 8192 - 4096), int(values[rank] % 8192 - 4096)
        if any(abs(sx - cx) <= 2 and abs(sy - cy) <= 2 for cx, cy in chosen):
            continue      # a neighbour of a stronger shift: the same copy, one pixel apart
        chosen.append((sx, sy))
        where = src[codes == values[rank]]
        points = np.stack([xs[where] + BLOCK / 2, ys[where] + BLOCK / 2], axis=1)
        matrix = np.array([[1, 0, sx], [0, 1, sy]], dtype=np.float64)
        yield Candidate(matrix, points.astype(np.float32), int(counts[rank]), "blocks")


@dataclass(frozen=True)
class Candidate:
    matrix: NDArray[np.float64]
    points: F32        # matched source points (analysis pixels)
    support: int       # keypoint pairs or block pairs
    method: str


def detect(luma: NDArray[np.uint8]) -> list[Duplicate]:
    """The duplicated regions of a grey picture, largest first (empty when none is found)."""
    height, width = luma.shape
    grey8, factor = _prepare(luma)
    grey = grey8.astype(np.float32)
    found: list[Duplicate] = []
    taken: list[NDArray[np.float64]] = []
    for candidate in (*_keypoint_candidates(grey8), *_block_candidates(grey)):
        matrix = candidate.matrix
        scale = float(np.hypot(matrix[0, 0], matrix[1, 0]))
        if not 0.5 <= scale <= 2.0:
            continue
        if any(np.abs(matrix - other).max() < 2.0 for other in taken):
            continue          # the same copy, found by the other method
        result = _verify(grey, matrix, candidate.points)
        if result is None:
            continue
        region, ncc = result
        ys, xs = np.nonzero(region)
        here = np.stack([xs, ys], axis=1).astype(np.float32)
        moved = cv2.transform(here[None], matrix)[0]
        if float(np.hypot(*(moved - here).mean(axis=0))) < MIN_SHIFT:
            continue          # (close to) the identity: a region agreeing with itself
        if _repeats(grey, matrix, region):
            continue          # a repetitive pattern or straight lines, not a copy
        target = cv2.warpAffine(region.astype(np.uint8), matrix, (grey.shape[1], grey.shape[0]),
                                flags=cv2.INTER_NEAREST).astype(bool)
        if not target.any():
            continue
        taken.append(matrix)
        rotation = float(np.degrees(np.arctan2(matrix[1, 0], matrix[0, 0])))
        found.append(Duplicate(
            source=_scaled(_box(region), factor, width, height),
            target=_scaled(_box(target), factor, width, height),
            support=candidate.support, method=candidate.method,
            area=round(int(region.sum()) / factor / factor), correlation=round(ncc, 3),
            shift=(round(float(matrix[0, 2]) / factor), round(float(matrix[1, 2]) / factor)),
            rotation=round(rotation, 1), scale=round(scale, 3)))
    found.sort(key=lambda d: -d.area)
    return found


def _outlined(luma: NDArray[np.uint8], duplicates: list[Duplicate]) -> bytes:
    """A PNG for the report: the picture (long side at most 1,280 pixels) with each source
    region outlined in blue, its copy in red, and a line between them."""
    grey8, factor = _prepare(luma)
    rgb = cv2.cvtColor(grey8, cv2.COLOR_GRAY2RGB)
    for d in duplicates:
        for box, colour in ((d.source, (40, 90, 255)), (d.target, (255, 40, 40))):
            x, y, w, h = (round(v * factor) for v in box)
            cv2.rectangle(rgb, (x, y), (x + w - 1, y + h - 1), colour, 2)
        sx, sy, sw, sh = (v * factor for v in d.source)
        tx, ty, tw, th = (v * factor for v in d.target)
        cv2.line(rgb, (round(sx + sw / 2), round(sy + sh / 2)),
                 (round(tx + tw / 2), round(ty + th / 2)), (255, 200, 0), 1)
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, "PNG")
    return buf.getvalue()


_UNITS = {"keypoints": "keypoint pairs", "blocks": "blocks"}


class CopyMove(ItemCheck):
    """A part of the picture appears twice: copied and pasted elsewhere in the same picture
    (to hide something under it, or to add a person or an object).

    **Method.** The picture's grey plane, reduced to at most 1,280 pixels on its long side,
    is searched in two ways, and every candidate is verified on the pixels:

    - *keypoints* (for copies that were also turned or scaled): up to 8,000 SIFT keypoints
      are matched against each other (the generalised 2-nearest-neighbour test of Amerini et
      al.: a match counts when it is clearly closer than the next one, ratio 0.6; points
      closer than 24 pixels are not paired); RANSAC finds the similarity transforms (shift,
      turn, scale) that at least 8 pairs share;
    - *blocks* (for copies of plain surfaces, where keypoints are few): every 16×16 block
      with structure (its 4×4 sub-block means vary by 2 grey levels or more; at most the
      250,000 most structured) is described by those 16 means; the blocks on every other row
      and column look up their 4 nearest descriptions (a k-d tree with a fixed seed), a pair
      counts when the descriptions are within 3 grey levels and the blocks 24 pixels apart or
      more, and the shift between them is counted (Fridrich et al.); the 12 most frequent
      shifts with 40 pairs or more are candidates.

    *Verification.* The matched points of a candidate, joined when less than 48 pixels
    apart, give the region. The picture is compared with itself moved by the transform: a
    pixel agrees where the local (9×9) normalised cross-correlation is 0.8 or more; windows
    whose variation is below three times the picture's noise (estimated as Immerkær does)
    carry no texture and do not count. A region is reported when it is at least 48 pixels in
    both directions, at least 400 of its pixels agree, and at least half of its textured
    pixels agree; and when it does *not* also agree with itself at 1/2 … 1/10, ⅔, ¾, −1 or
    2 times the shift (in 40% of its agreeing pixels or more) — a periodic structure
    (shelves, drawers, bars, tiles, windows, fences) agrees with itself at every multiple of
    its period, a copy only with its source. The finding gives both regions (x, y, width,
    height in the picture's pixels), the transform, the number of pairs or blocks that
    support it, and the agreeing area; an image with the two regions outlined is stored for
    the report.

    **What it can show.** Where a part of the picture is duplicated: a copy-move edit, or
    content that is genuinely repeated. Look at the outlined regions before concluding: on
    the 54 real camera photos of the shared test set, the three regions reported are all
    genuine repetitions (a word printed twice on a photographed screen, twin church towers).
    Reported as a `notice` for that reason.

    **What it cannot show.** Copies smaller than about 48×48 analysis pixels (4% of the
    long side), copies of featureless surfaces (nothing to match), copies heavily blurred,
    recoloured or recompressed after pasting, copies from *another* picture (a splice: see
    the sensor-noise and JPEG checks). Repeated text (the same word printed twice in the
    same font) and identical objects (two identical chairs photographed head-on) are real
    duplicates and are reported; the periodicity test removes regular patterns, not these.
    On synthetic photos (flat furniture, 64–128-pixel copies) about half of the copies are
    found; see `benchmarks/forensics_eval.py` for the measured rates.

    **References.** J. Fridrich, D. Soukal, J. Lukáš, *Detection of copy-move forgery in
    digital images*, DFRWS 2003; I. Amerini et al., *A SIFT-based forensic method for
    copy–move attack detection and transformation recovery*, IEEE TIFS 6(3), 2011;
    V. Christlein et al., *An evaluation of popular copy-move forgery detection approaches*,
    IEEE TIFS 7(6), 2012; J. Immerkær, *Fast noise variance estimation*, CVIU 64(2), 1996.
    """

    code = "IMG-PIX-001"
    title = "Part of the picture is duplicated (copy-move)"
    applies_to: ClassVar[tuple[str, ...]] = IMAGES
    version = "1"
    # a notice, not a warning: genuine repetition (text, symmetric buildings) is common
    severity: ClassVar[Severity] = Severity.NOTICE

    def run(self, item: Item, ctx: Context) -> Iterator[Finding]:
        try:
            luma = item_luma(item, ctx)
        except (ValueError, OSError):   # not decodable, or over the pixel limit
            return              # not decodable or over the pixel limit: other checks say so
        if min(luma.shape) < 2 * MIN_SIDE:
            return
        duplicates = detect(luma)
        if not duplicates:
            return
        derived = None
        if ctx.derive is not None:
            derived = ctx.derive(item.sha256, "copy-move-regions", _outlined(luma, duplicates),
                                 "image/png", {"regions": len(duplicates)})
        first = duplicates[0]
        regions: list[dict[str, Any]] = [
            {"source": list(d.source), "copy": list(d.target), "shift": list(d.shift),
             "rotation_deg": d.rotation, "scale": d.scale, "method": d.method,
             "support": d.support, "agreeing_pixels": d.area, "correlation": d.correlation}
            for d in duplicates]
        more = (f" {len(duplicates) - 1} more duplicated region(s) are listed in the evidence."
                if len(duplicates) > 1 else "")
        turned = (f", turned {first.rotation}° and scaled {first.scale}×"
                  if abs(first.rotation) >= 1 or abs(first.scale - 1) >= 0.02 else "")
        yield self.finding(
            item.subject, "Part of the picture is duplicated",
            f"{file_name(item)}: the region at {list(first.source)} (x, y, width, height) "
            f"appears again at {list(first.target)}{turned}: {first.area:,} pixels agree "
            f"with a local correlation of {first.correlation} on average, supported by "
            f"{first.support} matched {_UNITS[first.method]}, "
            "and the pattern does not repeat at other steps, as shelves or tiles would. This is "
            f"what a copy-move edit leaves; repeated text or identical objects also do.{more}",
            evidence(item, regions=regions, derived_image=derived,
                     thresholds={"min_side": MIN_SIDE, "min_ncc": MIN_NCC,
                                 "min_inliers": MIN_INLIERS, "min_blocks": MIN_BLOCKS}))
