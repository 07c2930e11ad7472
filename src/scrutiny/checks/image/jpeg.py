"""JPEG checks on the quantization tables (IMG-JPEG-001, IMG-JPEG-002), and what the image
checks of this family share: the items they apply to, the evidence every finding carries, and
the item's bytes, JPEG header and decoded luma plane, each made once per item through the
check context's cache so that several checks read and decode a photo once."""

from __future__ import annotations

import io
import warnings
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

import numpy as np
import orjson
from numpy.typing import NDArray
from PIL import Image

from scrutiny.checks.base import Context, CorpusCheck, Item, ItemCheck
from scrutiny.checks.image import quant
from scrutiny.core import Finding, Severity
from scrutiny.extract.base import Limits
from scrutiny.extract.image import walk_jpeg
from scrutiny.store.catalog import FROM_LEAK

JPEG: tuple[str, ...] = ("item:image/jpeg", "item:image/pjpeg")
"""``applies_to`` of the checks that read the JPEG structure or decode its pixels."""
IMAGES: tuple[str, ...] = ("item:image/",)
"""``applies_to`` of the metadata checks: EXIF and XMP are read from every image type."""
JPEG_MIMES = tuple(a.removeprefix("item:") for a in JPEG)
MAX_PIXELS = Limits().max_pixels
_CACHE = "scrutiny.checks.image"   # namespace of this family's entries in the context cache

Luma = NDArray[np.uint8]


def file_name(item: Item) -> str:
    """The item's file name without its folders, for explanations."""
    name = item.name
    return name[max(name.rfind("/"), name.rfind("\\")) + 1:] or name


def evidence(item: Item, **values: Any) -> dict[str, Any]:
    """A finding's evidence: the item and the path it was received under, then the values."""
    return {"item": item.sha256, "file": item.name, **values}


def item_bytes(item: Item, ctx: Context) -> bytes:
    """The item's bytes, read once per item."""
    data: bytes = ctx.cached((_CACHE, "bytes", item.sha256), lambda: ctx.read_blob(item.sha256))
    return data


def jpeg_header(item: Item, ctx: Context) -> Any:
    """The JPEG's marker segments up to the first scan (``walk_jpeg(header_only=True)``)."""
    return ctx.cached((_CACHE, "header", item.sha256),
                      lambda: walk_jpeg(item_bytes(item, ctx), header_only=True))


def decode_luma(data: bytes) -> Luma:
    """The picture's luma (grey) plane as stored, without applying the EXIF orientation. For a
    YCbCr JPEG this is the decoded Y component itself: libjpeg is asked for greyscale output
    (Pillow's ``draft("L")``), which skips the chroma planes and the colour conversion (about
    four times faster than decoding RGB). Raises ``ValueError`` for an image over the pixel
    limit or one Pillow cannot decode (truncated, corrupt)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")      # decompression-bomb warnings: limit checked here
        try:
            image = Image.open(io.BytesIO(data))
        except Image.DecompressionBombError as exc:
            raise ValueError(f"too many pixels to decode: {exc}") from None
        if image.width * image.height > MAX_PIXELS:
            raise ValueError(f"{image.width}x{image.height} pixels is over the limit of "
                             f"{MAX_PIXELS:,}: not decoded")
        if image.format == "JPEG" and image.mode in ("RGB", "YCbCr", "L"):
            image.draft("L", image.size)
        grey = image if image.mode == "L" else image.convert("L")
        luma = np.asarray(grey, dtype=np.uint8)
    luma.setflags(write=False)
    return luma


def item_luma(item: Item, ctx: Context) -> Luma:
    """The item's luma plane (``decode_luma``), decoded once per item."""
    luma: Luma = ctx.cached((_CACHE, "luma", item.sha256),
                            lambda: decode_luma(item_bytes(item, ctx)))
    return luma


def quantization_tables(meta: Mapping[str, Any]) -> list[list[int]]:
    """The JPEG's quantization tables as extracted (natural order, by table id)."""
    tables = meta.get("JPEG:QuantizationTables")
    if not isinstance(tables, list):
        return []
    return [[int(v) for v in t] for t in tables
            if isinstance(t, list) and len(t) == 64 and all(isinstance(v, int) for v in t)]


def model_of(meta: Mapping[str, Any]) -> str | None:
    """"Make Model" as EXIF gives them (the make left out when the model repeats it), or
    ``None`` without a model."""
    make, model = meta.get("EXIF:Make"), meta.get("EXIF:Model")
    if not isinstance(model, str) or not model.strip():
        return None
    model = " ".join(model.split())
    if isinstance(make, str) and make.strip():
        make = " ".join(make.split())
        if not model.casefold().startswith(make.casefold().split()[0]):
            return f"{make} {model}"
    return model


def first_name(db: Any, sha: str) -> str:
    """The path an item was first received under (an archive member's own path)."""
    row = db.execute("SELECT source, chain FROM provenances WHERE sha256 = ? ORDER BY id "
                     "LIMIT 1", (sha,)).fetchone()
    if row is None:
        return sha[:16]
    chain = orjson.loads(row[1])
    return str(chain[-1] if chain else row[0])


def corpus_meta(db: Any, keys: tuple[str, ...],
                mimes: tuple[str, ...] = JPEG_MIMES) -> dict[str, dict[str, Any]]:
    """sha256 → {key: first value} of ``keys`` for every item whose type is one of ``mimes``
    (each item present, with the keys it has)."""
    marks = ", ".join("?" for _ in mimes)
    out: dict[str, dict[str, Any]] = {
        sha: {} for (sha,) in db.execute(
            f"SELECT sha256 FROM items i WHERE mime IN ({marks}) AND {FROM_LEAK} "  # noqa: S608
            "ORDER BY rowid",
            mimes)}
    for key in keys:
        for sha, value in db.execute("SELECT sha256, value FROM metadata WHERE key = ? "
                                     "ORDER BY rowid", (key,)):
            if sha in out and value is not None:
                out[sha].setdefault(key, orjson.loads(value))
    return out


# --------------------------------------------------------------------------- IMG-JPEG-001


class JpegQuality(ItemCheck):
    """The JPEG quality the quantization tables correspond to, and whether they are the
    standard tables of the IJG library (libjpeg), as most software writes them, or tables of
    their own, as most cameras write them.

    **Method.** A JPEG divides each 8×8 block's frequency coefficients by the 64 steps of a
    quantization table before rounding them; the tables are stored in the file (extraction
    reads them, ``JPEG:QuantizationTables``). libjpeg — used by GIMP, ImageMagick, XnView,
    IrfanView, Pillow, most converters, web services and messaging apps — derives its tables
    from the two example tables of the JPEG standard (ITU T.81 Annex K), scaled by its
    quality setting: scale = 5000/Q below 50, 200 − 2Q from 50, each step
    ⌊(base × scale + 50) / 100⌋ kept between 1 and 255. scrutiny computes those tables for
    every quality from 1 to 100 and reports: the tables are exactly libjpeg's (and at which
    quality, per table), or they are not, with the nearest libjpeg quality — the quality
    whose luma table is closest in mean absolute log-ratio of the 64 steps — as an
    "IJG-equivalent" quality, and how far (on average, in percent) the steps are from it.
    This finding is information (severity `info`) on every JPEG with readable tables; what
    it means depends on the camera the EXIF names, which IMG-JPEG-002 compares across the
    case.

    **What it can show.** The quality setting a file was last saved with, comparable across
    photos. libjpeg's standard tables say that the last program to write the file was, most
    likely, software rather than the camera the EXIF names — most cameras use tables of
    their own, tuned per model and kept from photo to photo.

    **What it cannot show.** Which program it was, or that the picture was altered. Some
    cameras and many phones do use libjpeg's tables; Adobe Photoshop and other programs
    (mozjpeg, for one) use tables of their own, so tables that are not libjpeg's do not show
    that the file comes from a camera. Re-saving at the same tables leaves no trace here.

    **References.** ITU-T T.81 (1992) Annex K.1; Independent JPEG Group, libjpeg
    ``jcparam.c`` (``jpeg_quality_scaling``); N. Krawetz, *A Picture's Worth* (Black Hat
    2007), on quality estimation from quantization tables; H. Farid, *Digital image
    ballistics from JPEG quantization*, Dartmouth TR2006-583.
    """

    code = "IMG-JPEG-001"
    title = "JPEG quality and quantization tables"
    applies_to: ClassVar[tuple[str, ...]] = JPEG
    version = "1"
    severity: ClassVar[Severity] = Severity.INFO

    def run(self, item: Item, ctx: Context) -> Iterator[Finding]:
        tables = quantization_tables(item.meta)
        found = quant.estimate(tables)
        if found is None:
            return
        if found.standard:
            meaning = ("These are the tables most software writes (image editors, converters, "
                       "web services, messaging apps); most cameras use tables of their own, "
                       "but some cameras and phones use these.")
        else:
            meaning = ("Tables of their own are typical of cameras, which tune them per model; "
                       "some software (Adobe Photoshop, mozjpeg) also uses its own.")
        model = model_of(item.meta)
        claimed = f" The EXIF names the camera {model}." if model else ""
        yield self.finding(
            item.subject, f"JPEG quality {found.quality} ({found.kind} tables)",
            f"{file_name(item)}: its quantization tables are {found.describe()}. {meaning}"
            f"{claimed} IMG-JPEG-002 compares the tables with other photos of the same model.",
            evidence(item, quality=found.quality, standard_tables=found.standard,
                     table_qualities=list(found.qualities),
                     table_distances=[round(d, 4) for d in found.distances],
                     signature=found.signature, camera_model=model,
                     quantization_tables=tables))


# --------------------------------------------------------------------------- IMG-JPEG-002


class TablesUnlikeModel(CorpusCheck):
    """A photo whose quantization tables no other photo (or almost none) of the same camera
    model in the case uses, while that model's photos keep to a few sets of tables.

    **Method.** For every JPEG whose EXIF names a camera model (make and model), the set of
    quantization tables is reduced to a signature (``ijg-q90`` for libjpeg's standard tables
    at quality 90, else a hash of the values). Per model with at least 10 photos, the
    signatures are counted. A model is judged only when it keeps to its tables: the photos
    whose signature is rare for the model — used by at most 5% of its photos (at least one
    photo) — make up at most 10% of them, and at most five signatures are used more often
    than that (a camera's few quality settings). Every photo with a rare signature is then
    reported: as `warning` when its tables are libjpeg's standard ones while the model's
    usual tables are not, else as `notice`. "Rare" rather than "unique" because several
    photos re-saved by the same program at the same quality share its tables.

    **What it can show.** Cameras write the tables of their firmware, the same from photo to
    photo at one quality setting. A photo whose tables its claimed model does not otherwise
    use was, most likely, last written by something else — re-saved by software (libjpeg's
    tables are the usual sign), or taken with another camera and given this model's EXIF.

    **What it cannot show.** Which of these happened. A camera set once to an unusual quality,
    a firmware update that changed the tables, or two models sharing a name all give rare
    tables too; so does a model that adapts its tables to each picture (many phones do —
    such models are not judged, since they fail the "few sets of tables" condition). Models
    with fewer than 10 photos in the case, and photos without a model in their EXIF, are
    not judged.

    **References.** H. Farid, *Digital image ballistics from JPEG quantization*, Dartmouth
    TR2006-583 (tables identify the camera or program); E. Kee, M. K. Johnson, H. Farid,
    *Digital image authentication from JPEG headers*, IEEE TIFS 6(3), 2011.
    """

    code = "IMG-JPEG-002"
    title = "Quantization tables unlike other photos of the camera model"
    applies_to: ClassVar[tuple[str, ...]] = ("corpus",)
    version = "1"
    severity: ClassVar[Severity] = Severity.WARNING
    min_photos: ClassVar[int] = 10
    rare_share: ClassVar[float] = 0.05
    max_rare_share: ClassVar[float] = 0.10
    max_usual: ClassVar[int] = 5

    def run(self, ctx: Context) -> Iterator[Finding]:
        photos = corpus_meta(ctx.db, ("EXIF:Make", "EXIF:Model", "JPEG:QuantizationTables"))
        by_model: dict[str, list[tuple[str, str, bool]]] = defaultdict(list)
        for sha, meta in photos.items():
            model = model_of(meta)
            tables = quantization_tables(meta)
            if model is None or not tables:
                continue
            signature = quant.signature(tables)
            by_model[model.casefold()].append((sha, signature,
                                               signature.startswith("ijg-")))
        for key in sorted(by_model):
            yield from self._model(ctx, photos, by_model[key])

    def _model(self, ctx: Context, photos: dict[str, dict[str, Any]],
               members: list[tuple[str, str, bool]]) -> Iterator[Finding]:
        n = len(members)
        if n < self.min_photos:
            return
        counts = Counter(sig for _, sig, _ in members)
        rare_limit = max(1, int(self.rare_share * n))
        rare = [m for m in members if counts[m[1]] <= rare_limit]
        usual = {sig: c for sig, c in counts.items() if c > rare_limit}
        if not rare or not usual or len(rare) > self.max_rare_share * n \
                or len(usual) > self.max_usual:
            return
        usual_standard = any(sig.startswith("ijg-") for sig in usual)
        model = model_of(photos[members[0][0]]) or "?"
        listed = dict(sorted(usual.items(), key=lambda kv: -kv[1]))
        usual_text = ", ".join(f"{sig} ({c} photos)" for sig, c in listed.items())
        for sha, sig, standard in sorted(rare):
            tables = quantization_tables(photos[sha])
            found = quant.estimate(tables)
            strong = standard and not usual_standard
            what = found.describe() if found else sig
            tail = (" libjpeg's tables are what software writes: the photo was most likely "
                    "re-saved by a program after it left the camera." if strong else
                    " It was last written by something other than the firmware that wrote "
                    "the model's other photos, or with a setting they never use.")
            yield self.finding(
                sha, self.title,
                f"{first_name(ctx.db, sha)} claims the camera {model}, but its quantization "
                f"tables ({what}; signature {sig}) are used by {counts[sig]} of the {n} photos "
                f"of that model in the case, whose usual tables are {usual_text}.{tail}",
                {"item": sha, "file": first_name(ctx.db, sha), "camera_model": model,
                 "signature": sig, "standard_tables": standard,
                 "quality": found.quality if found else None,
                 "photos_with_these_tables": counts[sig], "model_photos": n,
                 "model_usual_signatures": listed},
                Severity.WARNING if strong else Severity.NOTICE)


JPEG_CHECKS = (JpegQuality, TablesUnlikeModel)
