"""Corpus check: does each photo carry the sensor noise of the camera it claims (IMG-PRNU-001)?

Every camera sensor has a fixed pattern of tiny per-pixel sensitivity differences (photo-
response non-uniformity, PRNU) that is left in each photo it takes. Averaging the noise of many
photos of one camera estimates that pattern (its fingerprint); a photo made by another sensor
does not correlate with it.

Implementation notes (all on the luma of a fixed central crop, the same for all photos of a
camera):

- decoding: OpenCV decodes the JPEG to grey directly (the chroma planes are not converted), EXIF
  orientation ignored, so pixels stay where the sensor put them;
- noise residual W = I − F(I): F is a local Wiener (Lee) filter in the pixel domain — the
  spatial analogue of the wavelet-domain Wiener filter of Lukáš et al. — with the signal
  variance the smaller of the 3×3 and 5×5 estimates, and a noise variance of 9 (σ₀ = 3 grey
  levels, their setting); then rows and columns are made zero-mean and the mean of each of
  the 64 positions in the 8×8 JPEG grid is removed (patterns every camera and JPEG share,
  Chen et al. 2008); saturated pixels (≥ 250) carry no weight;
- fingerprint K = Σ W·I / Σ I² over the camera's photos (maximum-likelihood estimate, Chen et
  al. 2008), accumulated in two float64 arrays: a first pass over the camera's photos adds each
  one, a second pass decodes each photo again and compares it with the fingerprint minus its
  own contribution (leave one out), so no residual is kept: memory is bounded by a few crops
  (about 6 MB for 512 × 512) whatever the number of photos;
- similarity: the peak-to-correlation energy (PCE, Goljan 2009) of the circular
  cross-correlation of W with I·K: the squared correlation at zero shift over the mean squared
  correlation at the other shifts (an 11 × 11 neighbourhood of zero excluded), signed; and the
  normalized correlation at zero shift.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import cv2
import numpy as np
from numpy.typing import NDArray

from scrutiny.checks.base import Context, CorpusCheck
from scrutiny.checks.image.cameras import Photo, photos, plural
from scrutiny.core import Finding, Severity

F32 = NDArray[np.float32]
F64 = NDArray[np.float64]

CROP = 512             # side of the central square crop, pixels (smaller images: their side)
MIN_CROP = 128         # images smaller than this are not used
MIN_PHOTOS = 10        # photos of one camera (same size) before its fingerprint is estimated
NOISE_VAR = 9.0        # σ₀² of the Wiener filter (grey levels²)
SATURATED = 250        # luma at or above this carries no sensor noise
DARK = 5               # … nor at or below this
PCE_MATCH = 60.0       # PCE at or above this: the photo carries the fingerprint
Z_LIMIT = 4.0          # robust z-score of the correlation below −4: far below the camera's photos
MAD_SCALE = 1.4826
PEAK_EXCLUDE = 5       # PCE: shifts within ±5 px of zero belong to the peak
MAX_PIXELS = 100_000_000
EXAMPLES = 20


# -- the signal processing -------------------------------------------------------------------

def crop_box(width: int, height: int, crop: int = CROP) -> tuple[int, int, int] | None:
    """The central square crop (x, y, side) of an image, aligned to the 8×8 JPEG grid; None
    when the image is too small."""
    side = min(crop, (min(width, height) // 8) * 8)
    if side < MIN_CROP:
        return None
    x = ((width - side) // 2) // 8 * 8
    y = ((height - side) // 2) // 8 * 8
    return x, y, side


def luma_crop(data: bytes, width: int, height: int, box: tuple[int, int, int]) -> F32 | None:
    """The grey levels of the crop, as float32; None when the data does not decode to an
    image of the stated size."""
    buf = np.frombuffer(data, dtype=np.uint8)
    image = cv2.imdecode(buf, cv2.IMREAD_GRAYSCALE | cv2.IMREAD_IGNORE_ORIENTATION)
    if image is None or image.shape[:2] != (height, width):
        return None
    x, y, side = box
    return np.ascontiguousarray(image[y:y + side, x:x + side], dtype=np.float32)


def zero_mean(w: F32) -> F32:
    """Remove what every camera shares: row and column means, and the mean of each of the 64
    positions of the 8×8 JPEG grid (the crop is aligned to it)."""
    w = (w - w.mean(axis=1, keepdims=True)).astype(np.float32)
    w -= w.mean(axis=0, keepdims=True)
    h, v = w.shape
    if h % 8 == 0 and v % 8 == 0:
        blocks = w.reshape(h // 8, 8, v // 8, 8)
        blocks -= blocks.mean(axis=(0, 2), keepdims=True)
    return w


def residual(luma: F32) -> tuple[F32, F32]:
    """The noise residual W of a crop and the intensity weights I (zero where saturated or
    black, so those pixels count for nothing)."""
    mean3 = cv2.blur(luma, (3, 3), borderType=cv2.BORDER_REFLECT)
    var3 = cv2.blur(luma * luma, (3, 3), borderType=cv2.BORDER_REFLECT) - mean3 * mean3
    mean5 = cv2.blur(luma, (5, 5), borderType=cv2.BORDER_REFLECT)
    var5 = cv2.blur(luma * luma, (5, 5), borderType=cv2.BORDER_REFLECT) - mean5 * mean5
    signal = np.maximum(np.minimum(var3, var5) - NOISE_VAR, 0.0)
    shrunk = (luma - mean3) * (NOISE_VAR / (signal + NOISE_VAR))
    usable = (luma > DARK) & (luma < SATURATED)
    w = zero_mean(np.where(usable, shrunk, 0.0).astype(np.float32))
    weights = np.where(usable, luma, 0.0).astype(np.float32)
    return w, weights


@dataclass
class Fingerprint:
    """Running sums of one camera: Σ W·I and Σ I² (float64), and how many photos."""

    side: int
    wi: F64 = field(init=False)
    ii: F64 = field(init=False)
    photos: int = 0

    def __post_init__(self) -> None:
        self.wi = np.zeros((self.side, self.side), dtype=np.float64)
        self.ii = np.zeros((self.side, self.side), dtype=np.float64)

    def add(self, w: F32, weights: F32) -> None:
        self.wi += w * weights
        self.ii += weights * weights
        self.photos += 1

    def without(self, w: F32, weights: F32) -> F32:
        """K = Σ W·I / Σ I² with one photo's share taken out (leave one out)."""
        wi = self.wi - w * weights
        ii = self.ii - weights * weights
        k = np.divide(wi, ii, out=np.zeros_like(wi), where=ii > 1e-6)
        return k.astype(np.float32)


def similarity(w: F32, expected: F32) -> tuple[float, float]:
    """(normalized correlation at zero shift, signed PCE) of a residual and the expected
    fingerprint signal I·K."""
    a = w - w.mean()
    b = expected - expected.mean()
    norm = math.sqrt(float(np.dot(a.ravel(), a.ravel())) * float(np.dot(b.ravel(), b.ravel())))
    if norm == 0.0:
        return 0.0, 0.0
    ncc = float(np.dot(a.ravel(), b.ravel())) / norm
    xcorr = np.fft.irfft2(np.fft.rfft2(a) * np.conj(np.fft.rfft2(b)), s=a.shape)
    peak = float(xcorr[0, 0])
    mask = np.ones(xcorr.shape, dtype=bool)
    r = PEAK_EXCLUDE
    for dy in range(-r, r + 1):
        mask[dy, :r + 1] = False
        mask[dy, -r:] = False
    energy = float(np.mean(np.square(xcorr[mask], dtype=np.float64)))
    if energy <= 0.0:
        return ncc, 0.0
    return ncc, math.copysign(peak * peak / energy, peak)


# -- grouping photos by camera ---------------------------------------------------------------

@dataclass
class Group:
    camera: str
    label: str
    width: int
    height: int
    members: list[Photo]
    other_size: int = 0


def groups(all_photos: Sequence[Photo]) -> tuple[list[Group], dict[str, int]]:
    """The photos of each claimed camera (serial number, else make and model) that share its
    most common image size; and counts of photos left out, by reason."""
    skipped: Counter[str] = Counter()
    by_camera: dict[str, list[Photo]] = defaultdict(list)
    for p in all_photos:
        if p.camera is None:
            skipped["no camera named"] += 1
        elif not p.width or not p.height:
            skipped["no image size"] += 1
        elif p.width * p.height > MAX_PIXELS:
            skipped["over the pixel limit"] += 1
        elif crop_box(p.width, p.height) is None:
            skipped["too small"] += 1
        else:
            by_camera[p.camera].append(p)
    out = []
    for camera, members in sorted(by_camera.items()):
        sizes = Counter((p.width or 0, p.height or 0) for p in members)
        (width, height), _ = max(sizes.items(), key=lambda kv: (kv[1], kv[0]))
        kept = [p for p in members if (p.width, p.height) == (width, height)]
        out.append(Group(camera, members[0].camera_label, width, height, kept,
                         len(members) - len(kept)))
        skipped["other size than the camera's usual"] += len(members) - len(kept)
    return out, dict(skipped)


@dataclass
class Score:
    photo: Photo
    ncc: float
    pce: float
    usable: float     # share of the crop neither saturated nor black
    z: float = 0.0


@dataclass
class CameraResult:
    group: Group
    side: int
    scores: list[Score]
    unreadable: int
    median_pce: float = 0.0
    median_ncc: float = 0.0
    mad_ncc: float = 0.0
    established: bool = False
    flagged: list[Score] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        pces = [s.pce for s in self.scores]
        return {"camera": self.group.camera, "label": self.group.label,
                "size": [self.group.width, self.group.height], "crop": self.side,
                "photos_used": len(self.scores), "unreadable": self.unreadable,
                "other_size": self.group.other_size,
                "median_pce": round(self.median_pce, 2),
                "min_pce": round(min(pces), 2) if pces else None,
                "median_ncc": round(self.median_ncc, 5), "mad_ncc": round(self.mad_ncc, 5),
                "fingerprint_established": self.established,
                "below_match_threshold": sum(1 for p in pces if p < PCE_MATCH),
                "flagged": len(self.flagged)}


def analyse(group: Group, read: Any) -> CameraResult:
    """Two passes over one camera's photos: the fingerprint, then each photo against the
    fingerprint of the others."""
    box = crop_box(group.width, group.height)
    assert box is not None
    side = box[2]
    fp = Fingerprint(side)
    unreadable: set[str] = set()

    def load(p: Photo) -> tuple[F32, F32, float] | None:
        try:
            luma = luma_crop(read(p.sha256), group.width, group.height, box)
        except (ValueError, OSError, cv2.error):
            luma = None
        if luma is None:
            unreadable.add(p.sha256)
            return None
        w, weights = residual(luma)
        return w, weights, float(np.count_nonzero(weights)) / weights.size

    for p in group.members:
        got = load(p)
        if got is not None:
            fp.add(got[0], got[1])
    scores: list[Score] = []
    if fp.photos >= MIN_PHOTOS:
        for p in group.members:
            if p.sha256 in unreadable:
                continue
            got = load(p)
            if got is None:
                continue
            w, weights, usable = got
            ncc, pce = similarity(w, weights * fp.without(w, weights))
            scores.append(Score(p, ncc, pce, usable))
    result = CameraResult(group, side, scores, len(unreadable))
    judge(result)
    return result


def judge(result: CameraResult) -> None:
    """The camera's typical match, and its photos that fall far below it: PCE below 60 (no
    evidence of the fingerprint) and a correlation more than 4 robust standard deviations under
    the camera's median; only when the camera's median PCE shows a fingerprint at all."""
    scores = result.scores
    if len(scores) < MIN_PHOTOS:
        return
    nccs = np.array([s.ncc for s in scores])
    result.median_pce = float(np.median([s.pce for s in scores]))
    result.median_ncc = float(np.median(nccs))
    result.mad_ncc = float(np.median(np.abs(nccs - result.median_ncc)))
    scale = MAD_SCALE * result.mad_ncc
    for s in scores:
        s.z = (s.ncc - result.median_ncc) / scale if scale > 0 else 0.0
    result.established = result.median_pce >= PCE_MATCH
    if not result.established:
        return
    result.flagged = [s for s in scores if s.pce < PCE_MATCH and s.z <= -Z_LIMIT]


class SensorNoiseMismatch(CorpusCheck):
    """A photo that does not carry the sensor noise (PRNU fingerprint) of the camera it claims.

    Method: the photos are grouped by the camera their metadata claims (serial number, else
    make and model) and, within a camera, by its most common image size (photos of another
    size or orientation are left out and counted). For every camera with at least 10 such
    photos, the sensor fingerprint is estimated from the noise of its photos (Lukáš, Fridrich
    and Goljan 2006; the maximum-likelihood estimate of Chen et al. 2008) over a central
    512 × 512 crop of the grey image, and each photo is compared with the fingerprint of the
    camera's other photos (its own noise left out, so it cannot match itself). The score is the
    peak-to-correlation energy (PCE, Goljan 2009): how far the correlation at the right
    alignment stands above the correlations at wrong alignments. Photos of the right camera
    score far above 60, the decision threshold of Goljan, Fridrich and Filler's test on over a
    million images (false acceptance about 2.4 in 100,000 there); photos of other cameras score
    around 1 (for pure noise the PCE follows a chi-square law with one degree of freedom).
    A photo is reported when (1) its camera's photos typically score at least 60 (the
    fingerprint is there to be found), (2) the photo scores below 60, and (3) its normalized
    correlation is more than 4 robust standard deviations (1.4826 × the median absolute
    deviation) below the median of the camera's photos — for normally scattered correlations
    chance goes that low about 3 times in 100,000 photos, so a photo scoring low only because
    the camera's photos all score modestly is not reported. The check also gives one summary
    per camera: photos used, median and lowest scores, whether a fingerprint was established.

    What it can show: that a photo was not taken by the sensor that took the other photos
    claiming the same camera — its EXIF was copied or edited, or the picture was replaced
    wholesale (re-photographed, generated, composited from another camera's photo). A camera
    whose photos match each other strongly shows that they share one sensor.

    What it cannot show: that a matching photo is unaltered — a pasted region smaller than the
    crop, or retouching, leaves most of the fingerprint (see the JPEG and pixel checks); that a
    non-matching photo is fake: very dark, saturated, heavily textured, strongly compressed,
    resized, cropped or digitally stabilised photos lose or misalign the pattern (the evidence
    gives the usable share of the crop), and cameras of one model can share processing
    artefacts. If many photos of a camera come from a second sensor, the fingerprint is a mix
    and they are not singled out; photos that name a model but no serial number are grouped by
    model and may mix several cameras, so their exceptions are only notices. Cameras with
    fewer than 10 photos are not tested, nor photos of another size than their camera's usual
    one (the inventory, IMG-CAM-001, lists the sizes).

    References: J. Lukáš, J. Fridrich and M. Goljan, "Digital camera identification from sensor
    pattern noise", IEEE TIFS 1(2), 2006; M. Chen, J. Fridrich, M. Goljan and J. Lukáš,
    "Determining image origin and integrity using sensor noise", IEEE TIFS 3(1), 2008;
    M. Goljan, "Digital camera identification from images — estimating false acceptance
    probability", IWDW 2008 (LNCS 5450, 2009); M. Goljan, J. Fridrich and T. Filler,
    "Large scale test of sensor fingerprint camera identification", SPIE 7254, 2009.
    """

    code = "IMG-PRNU-001"
    title = "Photo does not carry its camera's sensor noise"
    severity: ClassVar[Severity] = Severity.WARNING

    def run(self, ctx: Context) -> Iterator[Finding]:
        found, skipped = groups(photos(ctx.db))
        threads = cv2.getNumThreads()
        cv2.setNumThreads(1)
        try:
            for group in found:
                if len(group.members) < MIN_PHOTOS:
                    continue
                yield from self._findings(analyse(group, ctx.read_blob))
        finally:
            cv2.setNumThreads(threads)
        small = [g for g in found if len(g.members) < MIN_PHOTOS]
        if small:
            yield self.finding(
                "corpus:prnu-untested", self.title,
                f"{plural(len(small), 'camera')} have fewer than {MIN_PHOTOS} photos of one "
                f"size ({sum(len(g.members) for g in small):,} photos in all); their sensor "
                "noise was not tested.",
                {"cameras": [{"camera": g.camera, "label": g.label, "photos": len(g.members)}
                             for g in small[:50]], "skipped": skipped,
                 "min_photos": MIN_PHOTOS},
                Severity.INFO)

    def _findings(self, result: CameraResult) -> Iterator[Finding]:
        g = result.group
        used = len(result.scores)
        if used < MIN_PHOTOS:
            text = (f"Of the {plural(len(g.members), 'photo')} claiming {g.label} at "
                    f"{g.width}×{g.height}, only {used:,} could be decoded; fewer than "
                    f"{MIN_PHOTOS}, so no fingerprint was estimated.")
        elif not result.established:
            text = (f"The {used:,} photos claiming {g.label}, {g.width}×{g.height} pixels, do not "
                    f"share a detectable sensor fingerprint: their median PCE is "
                    f"{result.median_pce:.1f}, below {PCE_MATCH:g}. Heavy compression, "
                    "resizing or processing, or photos from several sensors, would do that; "
                    "no photo is judged.")
        else:
            low = sum(1 for s in result.scores if s.pce < PCE_MATCH)
            text = (f"The {used:,} photos claiming {g.label}, {g.width}×{g.height} pixels "
                    f"(central {result.side}×{result.side} crop), share one sensor "
                    f"fingerprint: each compared with the fingerprint of the others scores a "
                    f"median PCE of "
                    f"{result.median_pce:,.0f} (a match is 60 or more). ")
            flagged = len(result.flagged)
            if flagged:
                text += (f"{plural(flagged, 'photo')} {'does' if flagged == 1 else 'do'} not "
                         "match (reported separately).")
            elif low:
                text += (f"{plural(low, 'photo')} {'scores' if low == 1 else 'score'} below 60 "
                         "but none far below the others.")
            else:
                text += "Every photo matches."
        yield self.finding(f"camera:{g.camera}", self.title, text,
                           result.summary(), Severity.INFO)
        for s in result.flagged:
            weak = s.usable < 0.5
            text = (f"This photo claims {g.label}, like {used - 1:,} other photos whose sensor "
                    f"noise makes a fingerprint they all match (median PCE "
                    f"{result.median_pce:,.0f}). This photo's noise does not match it: PCE "
                    f"{s.pce:.1f}, below the match threshold of 60, and a correlation of "
                    f"{s.ncc:.4f} against a median of {result.median_ncc:.4f} for the others "
                    f"({s.z:.1f} robust standard deviations below). It was probably taken with "
                    "another sensor, or its picture was replaced or heavily processed.")
            if weak:
                text += (f" Only {s.usable:.0%} of the crop is neither saturated nor black, "
                         "so the noise is weak here: a weaker sign.")
            by_model = g.camera.startswith("model ")
            if by_model:
                text += (" These photos name no serial number, so they may come from several "
                         "cameras of this model; a camera seen on few of them matches the "
                         "mixed fingerprint weakly: a weaker sign.")
            yield self.finding(s.photo.sha256, self.title, text, {
                "file": s.photo.path, "camera": g.camera, "camera_label": g.label,
                "pce": round(s.pce, 3), "ncc": round(s.ncc, 6),
                "robust_z": round(s.z, 3), "usable_share": round(s.usable, 4),
                "camera_median_pce": round(result.median_pce, 3),
                "camera_median_ncc": round(result.median_ncc, 6),
                "camera_photos": used, "pce_threshold": PCE_MATCH, "z_limit": Z_LIMIT,
                "crop": result.side, "grouped_by_model": by_model},
                Severity.NOTICE if weak or by_model else Severity.WARNING)


PRNU_CHECKS: tuple[type[CorpusCheck], ...] = (SensorNoiseMismatch,)
