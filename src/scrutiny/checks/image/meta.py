"""Image metadata checks (DESIGN issue 6 §1): software named in the metadata
(IMG-META-001), a modification date after the capture date (IMG-META-002), EXIF dimensions
that differ from the picture's (IMG-META-004) and data after the end of a JPEG
(IMG-META-005). The embedded thumbnail (IMG-META-003), C2PA manifests (IMG-META-006) and
the camera fields a model always writes (IMG-META-007) have modules of their own."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import re
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from PIL import Image

from scrutiny.checks.base import Context, Item, ItemCheck, parse_when
from scrutiny.checks.image.jpeg import IMAGES, JPEG, evidence, file_name, item_bytes
from scrutiny.core import Finding, Severity
from scrutiny.extract.image import walk_jpeg

# --------------------------------------------------------------------------- IMG-META-001


@dataclass(frozen=True)
class Editor:
    """Image-editing or image-processing software, recognised by a pattern (case-insensitive,
    searched anywhere in the value)."""

    name: str
    pattern: str
    kind: str = "editor"  # "editor", "viewer and editor", "raw converter", "converter",
    #                        "organiser" (may rewrite only the metadata)


# The first matching entry names the software, so more specific patterns come first
# (Lightroom before Photoshop). Camera firmware strings ("Ver.1.10", "Firmware 1.0.4",
# "Digital Camera FinePix40i Ver1.39", phone build numbers) match none of them.
EDITORS: tuple[Editor, ...] = (
    Editor("Adobe Photoshop Lightroom", r"lightroom", "raw converter"),
    Editor("Adobe Camera Raw", r"camera\s*raw", "raw converter"),
    Editor("Adobe Photoshop Express", r"photoshop\s*express"),
    Editor("Adobe Photoshop Elements", r"photoshop\s*elements"),
    Editor("Adobe Photoshop", r"photoshop"),
    Editor("Adobe Bridge", r"adobe\s*bridge", "organiser"),
    Editor("GIMP", r"\bgimp\b"),
    Editor("Paint.NET", r"paint\.net"),
    Editor("Pixelmator", r"pixelmator"),
    Editor("Affinity Photo", r"\baffinity\b"),
    Editor("Picasa", r"picasa", "organiser"),
    Editor("Windows Photo Editor", r"windows\s*photo\s*(editor|viewer)|windows\s*live\s*photo"
           r"|microsoft\s*photo\s*(gallery|editor)|microsoft\s*windows\s*photo"),
    Editor("Microsoft Office Picture Manager", r"picture\s*manager"),
    Editor("Meitu (美图秀秀)", r"meitu|美图|mtxx|xiuxiu|秀秀"),
    Editor("PicsArt", r"picsart"),
    Editor("Snapseed", r"snapseed"),
    Editor("VSCO", r"\bvsco\b"),
    Editor("Facetune", r"facetune"),
    Editor("Polarr", r"polarr"),
    Editor("Fotor", r"\bfotor\b"),
    Editor("Pixlr", r"pixlr"),
    Editor("Photopea", r"photopea"),
    Editor("Canva", r"\bcanva\b"),
    Editor("PhotoScape", r"photoscape"),
    Editor("Krita", r"\bkrita\b"),
    Editor("Corel PaintShop Pro", r"paint\s*shop|corel\s*photo"),
    Editor("Luminar", r"\bluminar\b"),
    Editor("Capture One", r"capture\s*one", "raw converter"),
    Editor("DxO PhotoLab", r"\bdxo\b", "raw converter"),
    Editor("darktable", r"darktable", "raw converter"),
    Editor("RawTherapee", r"rawtherapee", "raw converter"),
    Editor("ImageMagick", r"imagemagick", "converter"),
    Editor("GraphicsMagick", r"graphicsmagick", "converter"),
    Editor("XnView", r"xnview", "viewer and editor"),
    Editor("IrfanView", r"irfanview", "viewer and editor"),
    Editor("ACDSee", r"acdsee|acd\s*systems", "viewer and editor"),
    Editor("FastStone", r"faststone", "viewer and editor"),
    Editor("Apple iPhoto / Aperture", r"iphoto|^aperture\b", "organiser"),
    Editor("Apple QuickTime", r"quicktime", "converter"),
    Editor("Olympus Master / Viewer", r"olympus\s*(master|viewer|studio|workspace)",
           "organiser"),
    Editor("Nikon Capture NX / ViewNX", r"capture\s*nx|view\s*nx|nx\s*studio", "raw converter"),
    Editor("Canon Digital Photo Professional", r"digital\s*photo\s*professional|zoombrowser",
           "raw converter"),
    Editor("Kodak DCS Photo Desk", r"photo\s*desk", "raw converter"),
    Editor("ArcSoft", r"arcsoft"),
    Editor("Ulead", r"ulead"),
    Editor("Google Photos", r"google\s*photos"),
    Editor("Photos (Windows)", r"^microsoft\s*photos\b"),
)
_COMPILED = tuple((e, re.compile(e.pattern, re.IGNORECASE)) for e in EDITORS)
SOFTWARE_FIELDS = ("EXIF:Software", "XMP:CreatorTool", "EXIF:ProcessingSoftware")
# Photoshop image resources (0x0404 IPTC and 0x0425 its digest aside) that only Photoshop
# and Adobe's libraries write: resolution, version, layer and print information.
PHOTOSHOP_ONLY = {"0x03ed", "0x0421", "0x040d", "0x0419", "0x03f3", "0x0408", "0x041e",
                  "0x041a", "0x0414", "0x040c", "0x0426"}


def identify_editor(value: str) -> Editor | None:
    """The editing software a metadata value names, or ``None`` (camera firmware, phones,
    unknown programs)."""
    for editor, compiled in _COMPILED:
        if compiled.search(value):
            return editor
    return None


def _history(meta: Mapping[str, Any]) -> list[dict[str, str]]:
    """XMP history entries (``xmpMM:History``) as {action, softwareAgent, when}."""
    value = meta.get("XMP:History")
    entries = value if isinstance(value, list) else [value] if isinstance(value, dict) else []
    out = []
    for entry in entries:
        if isinstance(entry, dict):
            out.append({k: str(entry[k]) for k in ("action", "softwareAgent", "when", "changed")
                        if entry.get(k) not in (None, "")})
    return out


class EditingSoftware(ItemCheck):
    """Image-editing software named in the photo's metadata.

    **Method.** Reads the fields where programs write their name — EXIF ``Software`` (IFD0)
    and ``ProcessingSoftware``, XMP ``CreatorTool``, and the ``softwareAgent`` of every XMP
    history entry (``xmpMM:History``, the list of saves Adobe programs and GIMP keep) — and
    looks each value up in a table of some fifty editors, raw converters, organisers and
    converters (Adobe Photoshop, Lightroom, Camera Raw and Bridge, GIMP, Paint.NET, Pixelmator,
    Affinity, Picasa, the Windows photo editors, Meitu/美图秀秀, PicsArt, Snapseed, VSCO,
    ImageMagick, XnView, IrfanView, ACDSee, the camera makers' desktop programs …; see
    ``EDITORS`` in ``meta.py``). Camera firmware strings ("Ver.1.10", "Firmware 1.0.4",
    phone build numbers) are in no entry and are not reported. It also notes a Photoshop
    image resource block (APP13), which cameras do not write: with Photoshop's own
    resources (resolution, version information, 0x03ED, 0x0421 …) it is Photoshop's or
    another Adobe program's mark; with IPTC data only (0x0404) it is that of a program
    that wrote captions or keywords.

    Severity: `warning` when a value names an editor (viewers that re-save pictures, such as
    XnView, IrfanView and ACDSee, count as editors), a raw converter or a converter;
    `notice` when only an organiser (which may rewrite the file when rotating it or editing
    its metadata), an XMP history, or a Photoshop resource block is there.

    **What it can show.** That the file, as received, was written by a program after the
    camera: opened and saved in an editor, converted, or had its metadata rewritten. In a
    leak of photos said to come straight from police cameras, that is worth explaining.

    **What it cannot show.** What the program changed: many saves only rotate, resize or
    add captions, and a newsroom's own handling can add these names. Software that does not
    write its name (and most stripping tools) leaves nothing for this check, and the fields
    can be edited to name anything, or nothing. An unknown program is not reported: the table
    is finite.

    **References.** CIPA DC-008-2019 (Exif 2.32) §4.6.5 (``Software``, 0x0131); Adobe XMP
    Specification Part 2 (``xmp:CreatorTool``, ``xmpMM:History`` with ``stEvt:softwareAgent``);
    Adobe Photoshop File Formats Specification, "Image resource blocks"; exiftool's tag
    documentation.
    """

    code = "IMG-META-001"
    title = "Editing software named in the metadata"
    applies_to: ClassVar[tuple[str, ...]] = IMAGES
    version = "1"
    severity: ClassVar[Severity] = Severity.WARNING

    def run(self, item: Item, ctx: Context) -> Iterator[Finding]:
        named: list[dict[str, str]] = []
        for key in SOFTWARE_FIELDS:
            value = item.meta.get(key)
            if isinstance(value, str) and value.strip():
                editor = identify_editor(value)
                if editor is not None:
                    named.append({"field": key, "value": value.strip(), "software": editor.name,
                                  "kind": editor.kind})
        history = _history(item.meta)
        for entry in history:
            agent = entry.get("softwareAgent", "")
            editor = identify_editor(agent) if agent else None
            if editor is not None:
                named.append({"field": "XMP:History", "value": agent, "software": editor.name,
                              "kind": editor.kind, "action": entry.get("action", ""),
                              "when": entry.get("when", "")})
        resources = item.meta.get("Photoshop:Resources")
        irb = bool(item.meta.get("Photoshop:IRB"))
        ids = [str(r) for r in resources] if isinstance(resources, list) else []
        photoshop_own = sorted(set(ids) & PHOTOSHOP_ONLY)
        if not named and not history and not irb:
            return
        sentences: list[str] = []
        seen: set[tuple[str, str]] = set()
        for n in named:
            if (n["field"], n["value"]) in seen:
                continue
            seen.add((n["field"], n["value"]))
            where = n["field"] if n["field"] != "XMP:History" else "the XMP history of saves"
            sentences.append(f"{where} names \u201c{n['value']}\u201d ({n['software']}, "
                             f"{'an' if n['kind'][0] in 'aeiou' else 'a'} {n['kind']})")
        if history and not any(n["field"] == "XMP:History" for n in named):
            agents = sorted({e.get("softwareAgent", "") for e in history} - {""})
            sentences.append(f"an XMP history records {len(history)} save(s)"
                             + (f" by {', '.join(agents)}" if agents else ""))
        if irb:
            sentences.append(
                "a Photoshop image resource block is present"
                + (f" with Photoshop's own resources ({', '.join(photoshop_own)})"
                   if photoshop_own else " (IPTC data only, as captioning programs write it)"))
        strong = any(n["kind"] != "organiser" for n in named)
        software = sorted({n["software"] for n in named})
        title = (f"Edited with {', '.join(software)}" if strong else
                 "Software other than the camera wrote the file")
        yield self.finding(
            item.subject, title,
            f"{file_name(item)}: " + "; ".join(sentences) + ". Cameras do not write these: the "
            "file was saved or rewritten by a program after it was taken. What the program "
            "changed — pixels, size, orientation or metadata only — the metadata does not say.",
            evidence(item, software=named, history=history, photoshop_irb=irb,
                     photoshop_resources=ids,
                     fields={k: item.meta[k] for k in SOFTWARE_FIELDS if k in item.meta}),
            Severity.WARNING if strong else Severity.NOTICE)


# --------------------------------------------------------------------------- IMG-META-002

TOLERANCE = dt.timedelta(seconds=60)


def _when(value: Any) -> dt.datetime | None:
    """A date *and time* from the metadata (a bare date says nothing about editing order)."""
    return parse_when(value) if isinstance(value, str) and "T" in value else None


def _span(delta: dt.timedelta) -> str:
    seconds = abs(delta.total_seconds())
    if seconds < 120:
        return f"{seconds:.0f} seconds"
    if seconds < 7200:
        return f"{seconds / 60:.0f} minutes"
    if seconds < 172800:
        return f"{seconds / 3600:.1f} hours"
    return f"{seconds / 86400:,.0f} days"


class ModifiedAfterTaken(ItemCheck):
    """The EXIF modification date is later than the date the photo was taken.

    **Method.** Compares EXIF ``ModifyDate`` (IFD0 ``DateTime``: when the file was last
    changed) with ``DateTimeOriginal`` (when the shutter was pressed), both as extraction read
    them, with their sub-seconds and UTC offsets when the file records them (when only one
    has an offset, both are compared as local clock times, which EXIF dates are). A camera
    writes both when it saves the photo, a fraction of a second to a few seconds apart; the
    tolerance is 60 seconds plus twice the exposure time (a long exposure with in-camera
    noise reduction is saved about two exposure times after the shutter opened). A
    modification date earlier than the capture date by more than the tolerance is reported
    too, as a `notice`: no camera writes that.

    **What it can show.** That a program rewrote the file after it was taken, and when (as
    that program's clock had it): editors, converters and organisers set ``ModifyDate``
    when they save. Days or months between the two dates mean the file as received is not
    the one the camera wrote.

    **What it cannot show.** What was changed — rotating a photo or editing its caption
    updates the date as well as retouching does — and whether either date is true: both are
    set from clocks that may be wrong, and both can be edited. Many editors remove or do not
    update ``ModifyDate``, so its absence or agreement shows nothing.

    **References.** CIPA DC-008-2019 (Exif 2.32) §4.6.5 (``DateTime``, 0x0132) and §4.6.6
    (``DateTimeOriginal``, 0x9003; ``OffsetTime`` tags, 0x9010–0x9012).
    """

    code = "IMG-META-002"
    title = "Modified after it was taken"
    applies_to: ClassVar[tuple[str, ...]] = IMAGES
    version = "1"
    severity: ClassVar[Severity] = Severity.WARNING

    def run(self, item: Item, ctx: Context) -> Iterator[Finding]:
        original, modified = (item.meta.get("EXIF:DateTimeOriginal"),
                              item.meta.get("EXIF:ModifyDate"))
        taken, changed = _when(original), _when(modified)
        if taken is None or changed is None:
            return
        if (taken.tzinfo is None) != (changed.tzinfo is None):
            taken, changed = taken.replace(tzinfo=None), changed.replace(tzinfo=None)
        exposure = item.meta.get("EXIF:ExposureTime")
        seconds = float(exposure) if isinstance(exposure, int | float) and 0 < exposure < 3600 \
            else 0.0
        tolerance = TOLERANCE + dt.timedelta(seconds=2 * seconds)
        delta = changed - taken
        if abs(delta) <= tolerance:
            return
        later = delta > dt.timedelta(0)
        fields = {"EXIF:DateTimeOriginal": original, "EXIF:ModifyDate": modified}
        software = item.meta.get("EXIF:Software")
        by = f" The file names the software \u201c{software}\u201d." \
            if isinstance(software, str) and software.strip() else ""
        if later:
            text = (f"{file_name(item)} was taken on {original} (DateTimeOriginal) but last "
                    f"modified on {modified} (ModifyDate), {_span(delta)} later. Cameras "
                    "write both dates when they save the photo; a later modification date "
                    f"means a program saved the file again afterwards.{by}")
        else:
            text = (f"{file_name(item)} records a modification date {modified} (ModifyDate) "
                    f"{_span(delta)} before the date it was taken, {original} "
                    "(DateTimeOriginal). No camera writes that: one of the dates was set by "
                    f"a program or by hand, or by a clock set differently.{by}")
        yield self.finding(
            item.subject, self.title if later else "Modified before it was taken", text,
            evidence(item, fields=fields, difference_seconds=round(delta.total_seconds(), 3),
                     tolerance_seconds=round(tolerance.total_seconds(), 3)),
            Severity.WARNING if later else Severity.NOTICE)


# --------------------------------------------------------------------------- IMG-META-004

PADDING = 16   # pixels: some encoders record the size rounded up to whole 16-pixel blocks


class DimensionsDiffer(ItemCheck):
    """The picture's size differs from the size its EXIF records.

    **Method.** Compares the EXIF ``ExifImageWidth`` and ``ExifImageHeight``
    (``PixelXDimension``/``PixelYDimension``, which the camera sets to the size of the
    picture it encodes) with the real size of the picture (the JPEG frame header, or what
    Pillow reads for other types). Reported: a picture whose width and height are swapped
    (`notice`: rotated by a program — or by a camera that turns portrait photos upright
    without updating the tag); a difference of at most 16 pixels in each direction
    (`notice`: some encoders record sizes padded to whole blocks, and a slight crop looks
    the same); anything else (`warning`), described as a resize when the aspect ratio is
    kept (within 1%) and as a crop or a change of shape when it is not.

    **What it can show.** That the picture was resized, cropped or rotated by a program that
    kept the camera's EXIF without updating it — the usual behaviour of editors that copy
    metadata across.

    **What it cannot show.** How the picture was changed beyond its size. A program that
    updates the tags, or drops them, leaves nothing to compare; and the tags can be edited.

    **References.** CIPA DC-008-2019 (Exif 2.32) §4.6.6 (``PixelXDimension``, 0xA002;
    ``PixelYDimension``, 0xA003).
    """

    code = "IMG-META-004"
    title = "EXIF dimensions differ from the picture's"
    applies_to: ClassVar[tuple[str, ...]] = IMAGES
    version = "1"
    severity: ClassVar[Severity] = Severity.WARNING

    def run(self, item: Item, ctx: Context) -> Iterator[Finding]:
        sizes = [item.meta.get(k) for k in ("EXIF:ExifImageWidth", "EXIF:ExifImageHeight",
                                            "File:ImageWidth", "File:ImageHeight")]
        numbers = [v for v in sizes if isinstance(v, int) and not isinstance(v, bool) and v > 0]
        if len(numbers) != 4:
            return
        ew, eh, w, h = numbers
        if (ew, eh) == (w, h):
            return
        fields = {"EXIF:ExifImageWidth": ew, "EXIF:ExifImageHeight": eh,
                  "File:ImageWidth": w, "File:ImageHeight": h}
        said = (f"{file_name(item)} is {w}\u00d7{h} pixels, but its EXIF records "
                f"{ew}\u00d7{eh}")
        if (ew, eh) == (h, w):
            kind, severity = "rotated", Severity.NOTICE
            text = (f"{said}: width and height are swapped. The picture was turned a quarter "
                    "turn after the EXIF was written — by a program, or by a camera that "
                    "turns portrait photos upright without updating these tags.")
        elif abs(ew - w) <= PADDING and abs(eh - h) <= PADDING:
            kind, severity = "padding", Severity.NOTICE
            text = (f"{said}, a difference of at most {PADDING} pixels. Some encoders record "
                    "sizes padded to whole 16-pixel blocks; a slight crop gives the same.")
        elif abs(ew / eh - w / h) <= 0.01 * (ew / eh):
            kind, severity = "resized", Severity.WARNING
            text = (f"{said}, the same shape at {100 * w / ew:.0f}% of the size. The picture "
                    "was resized by a program that kept the camera's EXIF without updating "
                    "it.")
        else:
            kind, severity = "cropped", Severity.WARNING
            text = (f"{said}, another shape (aspect {w / h:.3f} against {ew / eh:.3f}). The "
                    "picture was cropped or reshaped by a program that kept the camera's EXIF "
                    "without updating it.")
        yield self.finding(item.subject, self.title, text,
                           evidence(item, fields=fields, difference=kind), severity)


# --------------------------------------------------------------------------- IMG-META-005

SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "a ZIP archive"), (b"Rar!\x1a\x07", "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"), (b"%PDF-", "a PDF document"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"), (b"GIF8", "a GIF image"),
    (b"\x1f\x8b\x08", "gzip data"), (b"BM", "a BMP image"),
)
SAMSUNG_TRAILER = (b"SEFH", b"SEFT")   # Samsung's own trailer (motion photo, edit info…)
PEEK = 1 << 20                          # bytes of trailing data searched for a signature


def _embedded_jpeg(tail: bytes) -> tuple[int, tuple[int, int] | None] | None:
    """The offset of a JPEG inside ``tail`` (an SOI marker followed by another marker), and
    its size when Pillow can read its header."""
    start = tail.find(b"\xff\xd8\xff", 0, PEEK)
    if start < 0:
        return None
    size: tuple[int, int] | None = None
    # any decoder error: the bytes only look like a JPEG
    with warnings.catch_warnings(), contextlib.suppress(Exception):
        warnings.simplefilter("ignore")
        size = Image.open(io.BytesIO(tail[start:])).size
    return start, size


def describe_trailer(tail: bytes, has_mpf: bool) -> tuple[str, str, Severity]:
    """(kind, description, severity) of the bytes after a JPEG's end-of-image marker."""
    n = len(tail)
    if not tail.strip(b"\x00") or not tail.strip(b"\xff"):
        return "padding", f"{n:,} byte(s) of padding ({tail[:1].hex()} only)", Severity.INFO
    if any(marker in tail[-4096:] for marker in SAMSUNG_TRAILER):
        return ("samsung", f"{n:,} bytes ending in Samsung's own trailer (SEFH/SEFT: motion "
                "photo, edit and capture information its phones append)", Severity.INFO)
    jpeg = _embedded_jpeg(tail)
    if jpeg is not None:
        offset, size = jpeg
        what = f"a second JPEG picture ({size[0]}\u00d7{size[1]} pixels)" if size else \
            "what starts like a second JPEG picture"
        where = f" {offset:,} bytes after the end marker" if offset else " right after the end"
        if has_mpf:
            return ("mpf", f"{n:,} bytes holding {what}{where}; the file declares such "
                    "additional pictures in a Multi-Picture Format (MPF) segment, as cameras "
                    "write previews and depth or gain maps", Severity.INFO)
        return ("jpeg", f"{n:,} bytes holding {what}{where}, not declared by a Multi-Picture "
                "Format segment: it may be an earlier version of the picture, its original, "
                "or an unrelated image", Severity.WARNING)
    for magic, name in SIGNATURES:
        found = tail.find(magic, 0, PEEK)
        if found >= 0 and (magic != b"BM" or found == 0):
            return ("file", f"{n:,} bytes holding {name} (signature at byte {found:,} of the "
                    "trailing data): another file was appended to the picture", Severity.WARNING)
    if tail[4:8] == b"ftyp" or tail.find(b"ftyp", 0, 64) >= 0:
        return ("video", f"{n:,} bytes holding an MP4/QuickTime video, as phones append to "
                "\u201cmotion\u201d or \u201clive\u201d photos", Severity.NOTICE)
    return ("unknown", f"{n:,} bytes of unidentified data", Severity.NOTICE)


class DataAfterEnd(ItemCheck):
    """Bytes after the JPEG's end-of-image marker.

    **Method.** Extraction walks the JPEG's segments and entropy-coded data the way a decoder
    does to the end-of-image marker and counts what follows (``JPEG:TrailingBytes``); a
    decoder ignores those bytes and viewers do not show them. When there are any, the check
    reads them and says what they are: padding (zero or 0xFF bytes only: `info`); a second
    JPEG picture (its size as Pillow reads it), which is `info` when the file declares
    additional pictures in a Multi-Picture Format (APP2 "MPF") segment — cameras store
    previews, depth and gain maps that way — and `warning` otherwise; Samsung's trailer
    (`info`); an appended archive, PDF or image (`warning`); an MP4 video as phones append for
    motion photos (`notice`); anything else (`notice`).

    **What it can show.** Data hidden behind the picture: an earlier or original version of
    the photo left behind by a program that wrote the new picture in front of the old file,
    a thumbnail or preview, or a file appended on purpose (a common way to smuggle an
    archive inside an image).

    **What it cannot show.** Whether the trailing data matters: cameras, phones and some
    programs add previews and their own records there. An appended picture should be
    extracted and compared with the main one; scrutiny does not do that yet.

    **References.** ITU-T T.81 Annex B (the EOI marker ends the image); CIPA DC-007-2009
    *Multi-Picture Format*; exiftool's documentation of trailers (``Trailer`` tags).
    """

    code = "IMG-META-005"
    title = "Data after the end of the picture"
    applies_to: ClassVar[tuple[str, ...]] = JPEG
    version = "1"
    severity: ClassVar[Severity] = Severity.WARNING

    def run(self, item: Item, ctx: Context) -> Iterator[Finding]:
        trailing = item.meta.get("JPEG:TrailingBytes")
        if not isinstance(trailing, int) or trailing <= 0:
            return
        data = item_bytes(item, ctx)
        walked = walk_jpeg(data)
        if walked.eoi is None:
            return
        tail = data[walked.eoi:]
        apps = item.meta.get("JPEG:AppSegments")
        has_mpf = isinstance(apps, list) and any(str(a).startswith("APP2:MPF") for a in apps)
        kind, description, severity = describe_trailer(tail, has_mpf)
        yield self.finding(
            item.subject, self.title,
            f"{file_name(item)}: after the end-of-image marker at byte {walked.eoi:,} come "
            f"{description}. Viewers do not show what follows that marker.",
            evidence(item, fields={"JPEG:TrailingBytes": trailing}, end_of_image=walked.eoi,
                     trailing_bytes=len(tail), kind=kind, multi_picture_format=has_mpf,
                     first_bytes=tail[:16].hex()),
            severity)


META_CHECKS = (EditingSoftware, ModifiedAfterTaken, DimensionsDiffer, DataAfterEnd)
