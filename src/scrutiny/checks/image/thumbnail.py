"""IMG-META-003: the EXIF thumbnail against the picture. Cameras write a small copy of the
picture (usually 160×120) into the EXIF; programs that edit the picture but copy the EXIF
across often leave that copy as it was, so it keeps showing the picture before the edit."""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

import cv2
import numpy as np
from numpy.typing import NDArray
from PIL import Image

from scrutiny.checks.base import Context, Item, ItemCheck
from scrutiny.checks.image.jpeg import (
    JPEG,
    Luma,
    evidence,
    file_name,
    item_bytes,
    item_luma,
)
from scrutiny.core import Finding, Severity
from scrutiny.extract.image import thumbnail_bytes

Grey = NDArray[np.float32]
Box = tuple[int, int, int, int]   # x, y, width, height

MIN_SIDE = 16          # pixels: thumbnails or pictures smaller than this are not compared
MIN_STD = 2.0          # grey levels: a flat picture (or thumbnail) has nothing to compare
BLUR = 1.0             # sigma in thumbnail pixels, against resampling and JPEG noise
WINDOW = 0.10          # local window side, as a share of the thumbnail's short side
MIN_CORRELATION = 0.90  # below this the thumbnail shows another picture
MAX_LOCAL = 0.4       # a window differing by this much (weighted, see ``_local``): an edit
EDGE = 0.1            # gradient (standard deviations per pixel) that halves a difference
ROTATED_MARGIN = 0.02  # a rotation is only preferred when it correlates clearly better
CROP_SCALES = (0.95, 0.9, 0.85, 0.8, 0.75, 0.7, 0.65, 0.6)
MIN_CROP_MATCH = 0.97


def _grey(data: bytes) -> Grey:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        image = Image.open(io.BytesIO(data))
        if image.format == "JPEG" and image.mode in ("RGB", "YCbCr", "L"):
            image.draft("L", image.size)
        return np.asarray(image.convert("L"), dtype=np.float32)


def _resize(image: Grey, width: int, height: int) -> Grey:
    return np.asarray(cv2.resize(image, (max(1, width), max(1, height)),
                                 interpolation=cv2.INTER_AREA), dtype=np.float32)


@dataclass(frozen=True)
class Fit:
    """The picture brought to the thumbnail's geometry: rotated (degrees counter-clockwise),
    then stretched to the thumbnail's size, fitted inside it (``letterbox``: the thumbnail
    has bars, only ``region`` is compared) or centre-cropped to its shape (``crop``)."""

    rotation: int
    mode: str
    image: Grey
    region: Box


def _fits(picture: Grey, width: int, height: int) -> Iterator[Fit]:
    for quarter in range(4):
        turned = np.ascontiguousarray(np.rot90(picture, quarter))
        ph, pw = turned.shape
        yield Fit(90 * quarter, "stretch", _resize(turned, width, height),
                  (0, 0, width, height))
        aspect, target = pw / ph, width / height
        if abs(aspect / target - 1) <= 0.02:
            continue
        if aspect > target:   # wider than the thumbnail
            fw, fh = width, max(1, round(width / aspect))
            cw, ch = round(ph * target), ph
        else:
            fw, fh = max(1, round(height * aspect)), height
            cw, ch = pw, round(pw / target)
        x0, y0 = (width - fw) // 2, (height - fh) // 2
        canvas = np.zeros((height, width), np.float32)
        canvas[y0:y0 + fh, x0:x0 + fw] = _resize(turned, fw, fh)
        yield Fit(90 * quarter, "letterbox", canvas, (x0, y0, fw, fh))
        cx, cy = (pw - cw) // 2, (ph - ch) // 2
        yield Fit(90 * quarter, "crop", _resize(turned[cy:cy + ch, cx:cx + cw], width, height),
                  (0, 0, width, height))


def _cut(image: Grey, box: Box) -> Grey:
    x, y, w, h = box
    return image[y:y + h, x:x + w]


def _correlation(a: Grey, b: Grey) -> float:
    sa, sb = float(a.std()), float(b.std())
    if sa < 1e-6 or sb < 1e-6:
        return 0.0
    return float(((a - a.mean()) * (b - b.mean())).mean() / (sa * sb))


def _tone_match(source: Grey, reference: Grey) -> Grey:
    """``source`` with its grey levels replaced, rank for rank, by those of ``reference``:
    any monotone difference of tone curve between the two is removed."""
    order = np.argsort(source, axis=None, kind="stable")
    matched = np.empty(source.size, np.float32)
    matched[order] = np.sort(reference, axis=None)
    return matched.reshape(source.shape)


@dataclass
class Comparison:
    """How the thumbnail compares with the picture; see ``ThumbnailDiffers``."""

    correlation: float
    local: float            # mean difference in the worst window, in standard deviations
    window: int             # side of that window, thumbnail pixels
    where: Box              # the worst window, in thumbnail pixels
    rotation: int
    mode: str
    region: Box
    crop: dict[str, Any] = field(default_factory=dict)   # the best crop interpretation

    @property
    def differs(self) -> bool:
        return self.correlation < MIN_CORRELATION or self.local >= MAX_LOCAL


def _gradient(image: Grey, spread: float) -> Grey:
    """Gradient magnitude per pixel, in standard deviations of the picture."""
    gx = cv2.Sobel(image, cv2.CV_32F, 1, 0)
    gy = cv2.Sobel(image, cv2.CV_32F, 0, 1)
    return np.asarray(np.hypot(gx, gy) / (8 * spread), dtype=np.float32)


def _local(thumb: Grey, fitted: Grey) -> tuple[float, int, Box]:
    """The worst window's mean weighted difference, its side and position (both images
    blurred already). The thumbnail is tone-matched to the picture; the absolute difference
    is divided by the picture's standard deviation and by 1 + g / ``EDGE``, where g is the
    smaller of the two images' gradients there: where both have an edge, a shift of a
    fraction of a pixel between them (scaling, cropping by a pixel) makes a difference that
    says nothing; where only one has an edge — an object removed or added — the difference
    counts in full."""
    matched = _tone_match(thumb, fitted)
    spread = max(float(fitted.std()), 1e-6)
    edges = np.minimum(_gradient(matched, spread), _gradient(fitted, spread))
    diff = np.abs(matched - fitted) / spread / (1 + edges / EDGE)
    h, w = diff.shape
    side = max(4, round(WINDOW * min(h, w)))
    means = np.asarray(cv2.blur(diff, (side, side), borderType=cv2.BORDER_REFLECT),
                       dtype=np.float32)
    half = side // 2
    inner = means[half:max(half + 1, h - half), half:max(half + 1, w - half)]
    y, x = np.unravel_index(int(np.argmax(inner)), inner.shape)
    return float(inner[y, x]), side, (int(x), int(y), side, side)


def _blur(image: Grey) -> Grey:
    return np.asarray(cv2.GaussianBlur(image, (0, 0), BLUR), dtype=np.float32)


def _crop_match(thumb: Grey, picture: Grey, rotation: int) -> dict[str, Any]:
    """Whether the picture matches a part of the thumbnail (it was cropped after the
    thumbnail was made): the best normalised cross-correlation of the picture, scaled to a
    share of the thumbnail's size, over every position in it."""
    turned = np.ascontiguousarray(np.rot90(picture, rotation // 90))
    h, w = thumb.shape
    ph, pw = turned.shape
    best: dict[str, Any] = {}
    for scale in CROP_SCALES:
        tw = round(min(w, h * pw / ph) * scale)
        th = round(tw * ph / pw)
        if tw < MIN_SIDE or th < MIN_SIDE or tw >= w or th >= h:
            continue
        template = _blur(_resize(turned, tw, th))
        if float(template.std()) < MIN_STD:
            continue
        scores = cv2.matchTemplate(thumb, template, cv2.TM_CCOEFF_NORMED)
        _, top, _, (x, y) = cv2.minMaxLoc(scores)
        if not best or top > best["correlation"]:
            local, _, _ = _local(_cut(thumb, (x, y, tw, th)), template)
            best = {"correlation": round(float(top), 4), "scale": scale,
                    "box": [int(x), int(y), tw, th], "local": round(local, 3)}
    return best


def compare(thumb: Grey, picture: Luma | Grey) -> Comparison | None:
    """The thumbnail against the picture (both grey), or ``None`` when either is too small
    or flat to compare."""
    h, w = thumb.shape
    ph, pw = picture.shape
    if min(h, w) < MIN_SIDE or min(ph, pw) < MIN_SIDE:
        return None
    if float(thumb.std()) < MIN_STD or float(picture[::4, ::4].std()) < MIN_STD:
        return None
    small = _shrink(picture, w, h)
    blurred_thumb = _blur(thumb)
    scored: list[tuple[float, Fit]] = []
    for fit in _fits(small, w, h):
        region = fit.region
        if min(region[2], region[3]) < MIN_SIDE:
            continue
        rho = _correlation(_cut(blurred_thumb, region), _cut(_blur(fit.image), region))
        scored.append((rho, fit))
    if not scored:
        return None
    best_rho, best = max(scored, key=lambda s: s[0])
    upright = [s for s in scored if s[1].rotation == 0]
    if upright and best.rotation != 0:
        rho0, fit0 = max(upright, key=lambda s: s[0])
        if rho0 >= best_rho - ROTATED_MARGIN:
            best_rho, best = rho0, fit0
    t_cut = _cut(blurred_thumb, best.region)
    local, side, where = _local(t_cut, _cut(_blur(best.image), best.region))
    x0, y0 = best.region[:2]
    result = Comparison(round(best_rho, 4), round(local, 3), side,
                        (where[0] + x0, where[1] + y0, side, side), best.rotation, best.mode,
                        best.region)
    if result.differs:
        result.crop = _crop_match(blurred_thumb, small, best.rotation)
    return result


def _map_box(box: Box, comparison: Comparison, width: int, height: int) -> list[int] | None:
    """A box in thumbnail pixels as a box in the picture's pixels (upright fits only)."""
    if comparison.rotation != 0:
        return None
    rx, ry, rw, rh = comparison.region
    x, y, w, h = box
    if comparison.mode == "crop":
        target = rw / rh
        if width / height > target:
            cw, ch = round(height * target), height
        else:
            cw, ch = width, round(width / target)
        ox, oy = (width - cw) / 2, (height - ch) / 2
    else:
        cw, ch, ox, oy = width, height, 0.0, 0.0
    sx, sy = cw / rw, ch / rh
    return [round(ox + (x - rx) * sx), round(oy + (y - ry) * sy), round(w * sx), round(h * sy)]


def _side_by_side(thumb: Grey, fitted: Grey, box: Box) -> bytes:
    """A PNG for the report: the thumbnail, the picture at the thumbnail's size, and their
    difference, the worst window outlined."""
    h, w = thumb.shape
    matched = _tone_match(thumb, fitted)
    diff = np.clip(np.abs(matched - fitted) * 3, 0, 255)
    panels = [np.clip(thumb, 0, 255), np.clip(fitted, 0, 255), diff]
    canvas = np.full((h, 3 * w + 8), 255, np.uint8)
    for i, panel in enumerate(panels):
        canvas[:, i * (w + 4):i * (w + 4) + w] = panel.astype(np.uint8)
    rgb = cv2.cvtColor(canvas, cv2.COLOR_GRAY2RGB)
    x, y, s, _ = box
    for i in range(3):
        left = i * (w + 4) + x
        cv2.rectangle(rgb, (left, y), (left + s - 1, y + s - 1), (255, 0, 0), 1)
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, "PNG")
    return buf.getvalue()


class ThumbnailDiffers(ItemCheck):
    """The embedded EXIF thumbnail does not show the same picture as the file.

    **Method.** The EXIF thumbnail (IFD1, usually 160×120) and the picture are both decoded
    to grey. The picture is reduced to the thumbnail's size by area averaging, the way
    cameras make thumbnails, in each of three fits — stretched to the thumbnail's size,
    fitted inside it (cameras letterbox 3:2 and 16:9 pictures into 4:3 thumbnails: the
    black bars are left out of the comparison) and centre-cropped to its shape — and each
    of four rotations; the fit and rotation that correlate best are kept (a rotation only
    when it correlates clearly better, by 0.02, than the upright picture). Both are blurred
    slightly (Gaussian, σ = 1 thumbnail pixel) against resampling and compression noise,
    and compared two ways:

    - *global*: the Pearson correlation ρ of their grey levels. Below 0.90, the thumbnail
      shows another picture, or another framing;
    - *local*: the thumbnail's grey levels are matched rank for rank to the picture's (so
      that a different tone curve, brightness or contrast counts for nothing), and the
      absolute difference is divided by the picture's standard deviation and by 1 + g/0.1,
      g being the smaller of the two images' gradients at that pixel (in standard
      deviations per pixel): where both show an edge, a fraction of a pixel of shift between
      them makes a difference that means nothing; where only one shows an edge — an object
      removed or added — the difference counts in full. This is averaged over square
      windows a tenth of the thumbnail's short side wide (12 pixels in a 160×120
      thumbnail). A worst window of 0.4 or more means something in that part of the
      picture is not what the thumbnail shows.

    Why these thresholds: on untouched synthetic camera photos the thumbnail gives
    ρ ≥ 0.999 and a worst window of at most 0.03; on the real photos of the shared test set
    (40-odd camera models, thumbnails made by each camera's own pipeline, with its own
    scaling, sharpening and compression) ρ ≥ 0.97 and worst windows of at most 0.22, apart
    from three files whose thumbnails show another shot or framing (ρ 0.71–0.80); removing
    one piece of furniture from a synthetic photo and leaving the thumbnail (180 such
    photos, six cameras) gives worst windows of 0.46 to 1.8 while ρ stays as high as 0.99 —
    which is why the local measure is needed, and why the gradient weighting (which keeps
    the real photos at a third of the threshold, against two thirds without it) matters.
    When the thumbnail differs, the check also tries whether the picture is a part of the
    thumbnail's view (the picture, scaled to 60–95% of the thumbnail, matched at every
    position with a normalised cross-correlation of at least 0.97): that reads as a crop
    made after the thumbnail was written, reported as `notice`. A stale thumbnail otherwise
    is a `warning`; a thumbnail that matches only after a quarter or half turn is reported
    as `info` (the picture was rotated after the thumbnail was made, which cameras
    themselves sometimes do). When the check can, it stores an image for the report: the
    thumbnail, the picture at the thumbnail's size, and their difference, side by side.

    **What it can show.** That the picture was edited, cropped or replaced after the
    thumbnail was made, by a program that kept the old EXIF — and where: the worst window is
    given in thumbnail and picture coordinates. The thumbnail then shows (a small version
    of) the earlier picture.

    **What it cannot show.** Edits smaller than a few thumbnail pixels (an edit must cover
    roughly a tenth of the picture's height to move a whole window); edits that change
    little in grey (a colour change of equal brightness); anything when the program also
    rewrote the thumbnail, as careful editors do. Photos without an EXIF thumbnail, with a
    thumbnail or picture smaller than 16 pixels, or a uniform one, are not judged. Some
    cameras frame their thumbnails differently from the picture (another crop or shape);
    these are reported as a possible crop.

    **References.** E. Kee and H. Farid, *Digital image authentication from thumbnails*,
    SPIE Electronic Imaging 2010; CIPA DC-008-2019 (Exif 2.32) §4.5.5 (JPEG thumbnails in
    IFD1); J. P. Lewis, *Fast normalized cross-correlation*, Vision Interface 1995.
    """

    code = "IMG-META-003"
    title = "Embedded thumbnail differs from the picture"
    applies_to: ClassVar[tuple[str, ...]] = JPEG
    version = "1"
    severity: ClassVar[Severity] = Severity.WARNING

    def run(self, item: Item, ctx: Context) -> Iterator[Finding]:
        if item.meta.get("Thumbnail:Present") is not True:
            return
        raw = thumbnail_bytes(io.BytesIO(item_bytes(item, ctx)))
        if raw is None:
            return
        try:
            thumb = _grey(raw)
        except Exception:   # a thumbnail Pillow cannot decode says nothing here
            return
        picture = item_luma(item, ctx)
        comparison = compare(thumb, picture)
        if comparison is None:
            return
        th, tw = thumb.shape
        ph, pw = picture.shape
        stats = {"correlation": comparison.correlation, "worst_window": comparison.local,
                 "window_side": comparison.window, "rotation": comparison.rotation,
                 "fit": comparison.mode, "thumbnail_size": [tw, th],
                 "picture_size": [pw, ph],
                 "thresholds": {"correlation_below": MIN_CORRELATION,
                                "worst_window_from": MAX_LOCAL}}
        if not comparison.differs:
            if comparison.rotation == 0:
                return
            yield self.finding(
                item.subject, "Thumbnail matches only after rotation",
                f"{file_name(item)}: the EXIF thumbnail ({tw}\u00d7{th}) shows the picture "
                f"turned by {comparison.rotation}\u00b0 (correlation {comparison.correlation}). "
                "The picture was rotated after the thumbnail was made — by a program, or by a "
                "camera that turns portrait photos upright without redoing the thumbnail.",
                evidence(item, **stats), Severity.INFO)
            return
        where = list(comparison.where)
        in_picture = _map_box(comparison.where, comparison, pw, ph)
        derived = self._derive(item, ctx, thumb, picture, comparison)
        stats |= {"worst_window_in_thumbnail": where, "worst_window_in_picture": in_picture,
                  "crop_match": comparison.crop or None, "derived_image": derived}
        crop = comparison.crop
        numbers = (f"correlation {comparison.correlation} (below {MIN_CORRELATION} means "
                   f"another picture), worst {comparison.window}-pixel window "
                   f"{comparison.local} (edge-weighted difference in standard deviations; from "
                   f"{MAX_LOCAL} means an edit)")
        if crop and crop["correlation"] >= MIN_CROP_MATCH and crop["local"] < MAX_LOCAL \
                and crop["correlation"] > comparison.correlation:
            share = round(100 * crop["scale"])
            yield self.finding(
                item.subject, "Picture is a crop of what the thumbnail shows",
                f"{file_name(item)}: the EXIF thumbnail ({tw}\u00d7{th}) shows a wider view "
                f"than the picture ({pw}\u00d7{ph}): the picture matches the part of the "
                f"thumbnail at {crop['box']} (about {share}% of its width; cross-correlation "
                f"{crop['correlation']}), while the whole thumbnail does not match it "
                f"({numbers}). The picture was cropped after the thumbnail was made, or the "
                "camera frames its thumbnails differently.",
                evidence(item, **stats), Severity.NOTICE)
            return
        located = (f" The largest difference is around pixels {in_picture} (x, y, width, "
                   "height) of the picture." if in_picture else "")
        kind = ("shows another picture or framing" if comparison.correlation < MIN_CORRELATION
                else "differs from the picture in one region")
        yield self.finding(
            item.subject, "Embedded thumbnail differs from the picture",
            f"{file_name(item)}: the EXIF thumbnail ({tw}\u00d7{th}) {kind}: {numbers}."
            f"{located} A camera writes the thumbnail from the same picture; a program that "
            "edits the picture but copies the EXIF across leaves the old thumbnail, which then "
            "shows the picture as it was before.",
            evidence(item, **stats))

    def _derive(self, item: Item, ctx: Context, thumb: Grey, picture: Luma,
                comparison: Comparison) -> str | None:
        if ctx.derive is None:
            return None
        h, w = thumb.shape
        fitted = next((f.image for f in _fits(_shrink(picture, w, h), w, h)
                       if f.rotation == comparison.rotation and f.mode == comparison.mode), None)
        if fitted is None:
            return None
        png = _side_by_side(thumb, fitted, comparison.where)
        return ctx.derive(item.sha256, "thumbnail-comparison", png, "image/png",
                          {"correlation": comparison.correlation, "worst_window": comparison.local,
                           "rotation": comparison.rotation, "fit": comparison.mode})


def _shrink(picture: Luma | Grey, width: int, height: int) -> Grey:
    """The picture reduced by area averaging (as cameras make thumbnails) until its short
    side is about twice the thumbnail's long side, as float grey levels."""
    ph, pw = picture.shape
    factor = min(ph, pw) // (2 * max(width, height))
    if factor < 2:
        return np.asarray(picture, dtype=np.float32)
    # a whole factor on a picture cut to a multiple of it: OpenCV's fast path (a few ms for
    # 12 megapixels, against 25 for a fractional one); the cut is under 0.5% of the picture
    cut = picture[:ph - ph % factor, :pw - pw % factor]
    return np.asarray(cv2.resize(cut, (pw // factor, ph // factor),
                                 interpolation=cv2.INTER_AREA), dtype=np.float32)


THUMBNAIL_CHECKS = (ThumbnailDiffers,)
