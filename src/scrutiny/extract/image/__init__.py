"""Image metadata: EXIF, GPS, XMP, IPTC, ICC, maker note and the JPEG file structure itself.

JPEG gets the full treatment, parsed with ``struct`` straight from the bytes, pixels never
decoded: the marker segments in order, EXIF (IFD0, Exif, GPS, Interop, IFD1 and its thumbnail),
XMP, the Photoshop resource block and its IPTC record, the ICC profile, the quantization and
Huffman tables, chroma subsampling, progressive or baseline, the restart interval, and the bytes
after the end-of-image marker. That marker is found the way a decoder finds it: by walking the
entropy-coded data from the start of each scan to the next marker that is not a restart marker
(inside the scan every 0xFF byte is followed by 0x00 or a restart marker), so a second JPEG
appended after the picture is counted as trailing data, not mistaken for its end.

Other formats (PNG, TIFF, WebP, GIF, BMP) go through Pillow, opened lazily: dimensions, EXIF
when Pillow exposes it, XMP and the ICC profile. HEIF without a decoder gets its EXIF block only.

Dates keep the string as written in ``raw`` and an ISO 8601 ``value`` that carries the sub-second
and UTC-offset tags of the same timestamp when present; GPS positions are signed decimal degrees.

What comes out (location: keys):

- ``""``: File:Type, File:ImageWidth, File:ImageHeight (and Scrutiny:Warning for odd input);
- ``"jpeg"``: JPEG:Segments (marker names in order), JPEG:AppSegments (``APP1:Exif``…),
  JPEG:Process, JPEG:Progressive, JPEG:Subsampling, JPEG:QuantizationTables (natural order,
  by table id), JPEG:HuffmanTables ("standard" = ITU T.81 Annex K, else "optimized"),
  JPEG:Scans, JPEG:RestartInterval, JPEG:TrailingBytes, JFIF:*, Adobe:*, File:Comment,
  Photoshop:IRB, Photoshop:Resources;
- ``"ifd0"``, ``"exif"``, ``"interop"``, ``"ifd1"``: EXIF:<tag name> (exiftool's names, e.g.
  EXIF:Make, EXIF:DateTimeOriginal, EXIF:ModifyDate), MakerNote:Maker, MakerNote:Size;
  ``"ifd1"`` also Thumbnail:Present, Thumbnail:Length, JPEG:ThumbnailSize [w, h];
- ``"gps"``: GPS:GPS<tag name> as stored, and GPS:Latitude, GPS:Longitude, GPS:Position
  [lat, lon], GPS:Altitude, GPS:DateTime (UTC) composed from them;
- ``"xmp"``: XMP:<property> (XMP:CreatorTool, XMP:History as a list of dicts…);
- ``"iptc"``: IPTC:<dataset> (IPTC:By-line, IPTC:Keywords…), Photoshop:IPTCDigestMatches;
- ``"icc"``: ICC:ProfileDescription, ICC:ColorSpaceData, ICC:ProfileVersion…
"""

from __future__ import annotations

import io
import re
import struct
import warnings
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from PIL import Image

from scrutiny.extract.base import ExtractionError, ItemInfo, Limits, Meta, Output, merge_metas
from scrutiny.extract.image.common import _pixel_problem
from scrutiny.extract.image.embedded import _icc, _xmp
from scrutiny.extract.image.jpeg import jpeg_metas, next_marker, walk_jpeg
from scrutiny.extract.image.tiff import (
    _exif_block,
    _thumbnail,
    exif_thumbnail,
    parse_date,
    parse_tiff,
)

__all__ = [
    "ImageExtractor",
    "exif_thumbnail",
    "jpeg_metas",
    "metadata_json",
    "next_marker",
    "parse_date",
    "parse_tiff",
    "pillow_metas",
    "sniff_mime",
    "thumbnail_bytes",
    "walk_jpeg",
]

GROUPS = {"ifd0": "IFD0", "exif": "ExifIFD", "gps": "GPS", "interop": "InteropIFD",
          "ifd1": "IFD1", "xmp": "XMP", "iptc": "IPTC", "icc": "ICC_Profile", "jpeg": "JPEG"}
MIMES = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png",
         b"GIF87a": "image/gif", b"GIF89a": "image/gif", b"II*\x00": "image/tiff",
         b"MM\x00*": "image/tiff", b"BM": "image/bmp"}
HEIF_BRANDS = {b"ftypheic", b"ftypheix", b"ftypmif1", b"ftyphevc", b"ftypavif"}
HEIF_EXIF = re.compile(rb"Exif\x00\x00(?:II\*\x00|MM\x00\*)")


# --------------------------------------------------------------------------- other formats


def _tiff_block(blob: bytes) -> bytes:
    """An EXIF block as Pillow or a HEIF file hands it over, without its ``Exif`` header."""
    start = blob.find(b"Exif\x00\x00", 0, 16)
    return blob[start + 6:] if start >= 0 else blob


def _open_lazily(data: bytes) -> Image.Image:
    """Pillow's lazy open: the header is parsed, no pixel is decoded."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # bomb and corrupt-tag warnings: handled here
        try:
            return Image.open(io.BytesIO(data))
        except Image.DecompressionBombError as exc:
            raise ExtractionError(f"over the pixel limit, not decoded: {exc}") from None
        except Exception as exc:  # a plugin parsing hostile bytes can raise anything
            raise ExtractionError(f"not a readable image: {exc}") from None


def _heif(data: bytes, out: list[Meta]) -> None:
    out.append(Meta("", "File:Type", "HEIF"))
    found = HEIF_EXIF.search(data, 0, 16 << 20)
    if found:
        x = _exif_block(data[found.start() + 6:], out)
        _thumbnail(x, out)
    out.append(Meta("", "Scrutiny:Warning", "HEIF: no decoder installed, dimensions not read"))


def pillow_metas(data: bytes, limits: Limits) -> tuple[list[Meta], str | None]:
    """Dimensions, EXIF, XMP and ICC of a non-JPEG image through Pillow (pixels untouched),
    and what is wrong with it. Raises ExtractionError when Pillow cannot open it at all."""
    out: list[Meta] = []
    if data[4:12] in HEIF_BRANDS:
        _heif(data, out)
        return out, None
    image = _open_lazily(data)
    out.append(Meta("", "File:Type", image.format))
    out.append(Meta("", "File:ImageWidth", image.width))
    out.append(Meta("", "File:ImageHeight", image.height))
    info = image.info
    exif = data if image.format == "TIFF" else info.get("exif")
    if isinstance(exif, bytes):
        _thumbnail(_exif_block(_tiff_block(exif), out), out)
    xmp = info.get("xmp") or info.get("XML:com.adobe.xmp")
    if isinstance(xmp, bytes | str):
        _xmp(xmp, out)
    if isinstance(info.get("icc_profile"), bytes):
        _icc(info["icc_profile"], out)
    if image.width * image.height > limits.max_pixels:
        return out, _pixel_problem(image.width, image.height, limits)
    return out, None


# --------------------------------------------------------------------------- public API


def sniff_mime(head: bytes) -> str:
    """The image type from the first bytes ("application/octet-stream" when unknown)."""
    for magic, mime in MIMES.items():
        if head.startswith(magic):
            return mime
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp":
        return "image/avif" if head[8:12] == b"avif" else "image/heic"
    return "application/octet-stream"


class ImageExtractor:
    """Metadata of photos and other still images; see the module docstring."""

    name = "image"
    version = "1"
    mimes = frozenset({"image/jpeg", "image/pjpeg", "image/png", "image/tiff", "image/webp",
                       "image/heic", "image/heif", "image/avif", "image/gif", "image/bmp",
                       "image/x-ms-bmp"})

    def extract(self, f: BinaryIO, item: ItemInfo, limits: Limits) -> Iterator[Output]:
        if item.size > limits.max_bytes:
            raise ExtractionError(f"{item.size:,} bytes is over the limit of "
                                  f"{limits.max_bytes:,}: the image was not parsed")
        data = f.read()  # within the size checked above; read() sizes its buffer by fstat
        if len(data) > limits.max_bytes:
            raise ExtractionError(f"over {limits.max_bytes:,} bytes: the image was not parsed")
        if data[:3] == b"\xff\xd8\xff":
            out, problem = jpeg_metas(data, limits)
        elif sniff_mime(data[:16]) == "application/octet-stream":
            raise ExtractionError("not an image: the bytes match no known image format")
        else:
            out, problem = pillow_metas(data, limits)
        yield from out                  # what could be read, then what went wrong
        if problem is not None:
            raise ExtractionError(problem)


def thumbnail_bytes(f: BinaryIO) -> bytes | None:
    """The EXIF (IFD1) JPEG thumbnail embedded in an image, or None."""
    data = f.read()
    block: bytes | None = None
    if data[:3] == b"\xff\xd8\xff":
        block = walk_jpeg(data, header_only=True).exif
    elif sniff_mime(data[:16]) == "image/tiff":
        block = data
    elif sniff_mime(data[:16]) != "application/octet-stream":
        try:
            exif = _open_lazily(data).info.get("exif")
        except ExtractionError:
            return None
        block = _tiff_block(exif) if isinstance(exif, bytes) else None
    try:
        return exif_thumbnail(parse_tiff(block)) if block else None
    except (ValueError, struct.error):
        return None


def _merge(out: dict[str, Any], items: Iterable[Output]) -> None:
    """Flatten like ``exiftool -G``: a later value of a key from another IFD is kept under its
    location's group (``IFD1:XResolution``)."""
    merge_metas(out, items, lambda m: f"{GROUPS.get(m.location, m.location or 'File')}:"
                                      f"{m.key.split(':', 1)[1]}")


def metadata_json(path: str | Path) -> dict[str, Any]:
    """One exiftool-like flat object for one file: ``SourceFile``, ``File:*`` and
    ``Group:Name`` keys; a file that cannot be fully read gets ``Scrutiny:Error`` (and keeps
    what could be read)."""
    p = Path(path)
    out: dict[str, Any] = {"SourceFile": str(p), "File:FileName": p.name}
    try:
        with p.open("rb") as f:
            size = p.stat().st_size
            mime = sniff_mime(f.read(16))
            f.seek(0)
            out.update({"File:FileSize": size, "File:MIMEType": mime})
            item = ItemInfo(sha256="", size=size, mime=mime, names=(p.name,))
            _merge(out, ImageExtractor().extract(f, item, Limits()))
    except ExtractionError as exc:
        out["Scrutiny:Error"] = str(exc)
    except OSError as exc:
        out["Scrutiny:Error"] = f"cannot read the file: {exc.strerror or exc}"
    return out
