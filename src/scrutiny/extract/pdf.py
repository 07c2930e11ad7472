"""PDF documents: metadata and structure with pikepdf, text with pdfplumber, both read-only.

pikepdf (qpdf) opens the file from the stream and is never asked to save: saving would
rewrite the evidence. What is read:

- Meta ``PDF:Version``, ``PDF:Encrypted``, ``PDF:Linearized``, ``PDF:IncrementalUpdates``;
- the document information dictionary as ``PDF:<Key>`` (``PDF:Producer``, ``PDF:Creator``,
  ``PDF:Author``, ``PDF:Title``…); ``PDF:CreationDate`` and ``PDF:ModDate`` carry ISO 8601 in
  ``value`` (with the offset when the date has one) and the PDF date string in ``raw``;
- XMP metadata (the catalog's ``/Metadata`` stream, parsed with defusedxml) as
  ``XMP:<Property>`` (``XMP:CreatorTool``, ``XMP:CreateDate``, ``XMP:Producer``…);
- ``PDF:PageCount`` and ``PDF:Fonts`` (the base font names used by the pages and their form
  XObjects, subset prefixes kept);
- the images of each page (its image XObjects, and those of its form XObjects) as ``Child``
  items at ``page:N``: a JPEG stored as a plain ``/DCTDecode`` stream is copied byte for byte;
  other images are extracted by ``pikepdf.PdfImage`` (copied where the format allows, else
  decoded to PNG or TIFF) without applying decode arrays or masks;
- the text of each page with pdfplumber as ``Text`` at ``page:N``.

A password-protected PDF (one that needs a password to open) yields what can be read without
it and raises ``ExtractionError``. A damaged PDF that qpdf had to repair is read as far as
possible and raises ``ExtractionError`` afterwards, saying so.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, BinaryIO, cast
from xml.etree.ElementTree import Element, ParseError

import pdfplumber
import pikepdf
from defusedxml import DefusedXmlException  # type: ignore[import-untyped]
from defusedxml.ElementTree import fromstring  # type: ignore[import-untyped]

from scrutiny.extract.base import Child, ExtractionError, ItemInfo, Limits, Meta, Output, Text
from scrutiny.extract.textfile import brief, check_size

_SCAN_CHUNK = 1 << 20
_STARTXREF = b"startxref"
_REVISION_END = re.compile(rb"startxref\s+(\d{1,15})\s+%%EOF")
_XREF_START = re.compile(rb"\s*(?:xref|\d+\s+\d+\s+obj)")
_PDF_DATE = re.compile(
    r"^\s*(?:D:)?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?"
    r"(?:(Z)(?:00'?00'?)?|([+-])(\d{2})'?(\d{2})?'?)?[\s\x00]*")
_DATE_KEYS = frozenset({"/CreationDate", "/ModDate"})
_MAX_XMP = 16 * 1024 * 1024
_MAX_FORM_DEPTH = 8
_MAX_STARTXREF = 100_000  # more "startxref" keywords than this: stop looking
_RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"


# --- the revisions of the file ---------------------------------------------------------------


def _startxref_positions(f: BinaryIO) -> list[int]:
    """Offsets of every ``startxref`` keyword in the file, read in chunks."""
    positions: list[int] = []
    overlap = len(_STARTXREF) - 1
    f.seek(0)
    base, tail = 0, b""
    while chunk := f.read(_SCAN_CHUNK):
        data = tail + chunk
        start = 0
        while (hit := data.find(_STARTXREF, start)) >= 0:
            positions.append(base - len(tail) + hit)
            start = hit + 1
            if len(positions) >= _MAX_STARTXREF:
                return positions
        tail = data[-overlap:]
        base += len(chunk)
    return positions


def _points_at_xref(f: BinaryIO, offset: int) -> bool:
    f.seek(offset)
    return _XREF_START.match(f.read(64)) is not None


def count_incremental_updates(f: BinaryIO) -> int:
    """The number of incremental updates appended to the file after it was first written.

    Every revision of a PDF (the original and each incremental update) ends with
    ``startxref <offset> %%EOF``, where the offset is that of the revision's cross-reference
    section (an ``xref`` table or an ``N G obj`` xref stream). This counts the ``startxref
    ... %%EOF`` sequences whose offset really points at such a section, and subtracts one for
    the original. A linearized file has an extra ``startxref 0`` after its first-page section,
    which points at the header and so is not counted; a ``startxref`` inside an embedded,
    uncompressed PDF points at a position of its own file, rarely at a cross-reference section
    of this one. Not counted: updates whose ``startxref`` is broken (qpdf still reads them),
    and a final update cut off before its ``%%EOF``.
    """
    revisions = 0
    for position in _startxref_positions(f):
        f.seek(position)
        match = _REVISION_END.match(f.read(64))
        if match and _points_at_xref(f, int(match.group(1))):
            revisions += 1
    return max(0, revisions - 1)


# --- values ----------------------------------------------------------------------------------


def pdf_date(raw: str) -> str | None:
    """A PDF date (``D:20170314100200+08'00'``) as ISO 8601, with the offset when given;
    missing month/day/time parts default as the PDF specification says. An ISO 8601 date
    (not what the specification says, but written by some tools) is accepted too. ``None``
    when it cannot be read."""
    m = _PDF_DATE.fullmatch(raw)
    if m is None:
        return _iso_date(raw)
    year, month, day, hour, minute, second, zulu, sign, tzh, tzm = m.groups()
    tz: dt.tzinfo | None = None
    if zulu:
        tz = dt.UTC
    elif sign:
        delta = dt.timedelta(hours=int(tzh), minutes=int(tzm or 0))
        tz = dt.timezone(-delta if sign == "-" else delta)
    try:
        when = dt.datetime(int(year), int(month or 1), int(day or 1), int(hour or 0),
                           int(minute or 0), int(second or 0), tzinfo=tz)
    except ValueError:
        return None
    return when.isoformat()


def _iso_date(raw: str) -> str | None:
    """Some writers put an ISO 8601 date where a PDF date belongs."""
    try:
        return dt.datetime.fromisoformat(raw.strip()).isoformat()
    except ValueError:
        return None


def _plain(obj: Any) -> Any:
    """A pikepdf value as a JSON-serialisable Python value (``None`` for dictionaries,
    arrays and streams, which are not metadata values)."""
    if isinstance(obj, pikepdf.String):
        return str(obj)
    if isinstance(obj, pikepdf.Name):
        return str(obj)[1:]
    if isinstance(obj, bool | int | float | str):
        return obj
    if isinstance(obj, Decimal):
        return float(obj)
    return None


def _info_metas(pdf: pikepdf.Pdf) -> Iterator[Meta]:
    info = pdf.trailer.get("/Info")
    if not isinstance(info, pikepdf.Dictionary):
        return
    for key in sorted(info.keys()):
        value = _plain(info.get(key))
        if value is None:
            continue
        name = f"PDF:{key[1:]}"
        if key in _DATE_KEYS and isinstance(value, str):
            yield Meta("", name, pdf_date(value), value)
        else:
            yield Meta("", name, value)


# --- XMP -------------------------------------------------------------------------------------


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _xmp_key(tag: str) -> str:
    local = _local(tag)
    return f"XMP:{local[:1].upper()}{local[1:]}"


def _xmp_value(elem: Element) -> Any:
    """A simple property's text, an array's items (the first item of a language
    alternative), or ``None`` for structures."""
    for container in elem:
        kind = _local(container.tag)
        items = [(li.text or "").strip() for li in container if _local(li.tag) == "li"]
        if kind == "Alt":
            return items[0] if items else None
        if kind in ("Seq", "Bag"):
            return items
        return None
    text = (elem.text or "").strip()
    return text or None


def _xmp_metas(root: Element) -> Iterator[Meta]:
    for desc in root.iter(f"{_RDF}Description"):
        for attr, value in desc.attrib.items():
            if not attr.startswith(_RDF) and "}" in attr and value.strip():
                yield Meta("xmp", _xmp_key(attr), value.strip())
        for prop in desc:
            value = _xmp_value(prop)
            if value not in (None, []):
                yield Meta("xmp", _xmp_key(prop.tag), value)


def _xmp(pdf: pikepdf.Pdf, problems: list[str]) -> Iterator[Meta]:
    stream = pdf.Root.get("/Metadata")
    if not isinstance(stream, pikepdf.Stream):
        return
    try:
        data = stream.read_bytes()
        if len(data) > _MAX_XMP:
            raise ValueError(f"it is larger than {_MAX_XMP:,} bytes")
        root = fromstring(data, forbid_dtd=True)
    except (DefusedXmlException, ParseError, ValueError, pikepdf.PdfError) as exc:
        problems.append(f"The XMP metadata could not be read ({exc}).")
        return
    yield from _xmp_metas(root)


# --- pages: fonts and images -----------------------------------------------------------------


@dataclass
class _Walk:
    """What the walk over the pages' resources collects."""

    limits: Limits
    problems: list[str]
    fonts: set[str] = field(default_factory=set)
    seen_images: set[tuple[int, int]] = field(default_factory=set)
    children: int = 0
    children_capped: bool = False


def _font_names(font: Any) -> Iterator[str]:
    if not isinstance(font, pikepdf.Dictionary):
        return
    base = font.get("/BaseFont")
    if isinstance(base, pikepdf.Name):
        yield str(base)[1:]
    for descendant in font.get("/DescendantFonts", []):
        yield from _font_names(descendant)


def _resources(resources: Any, page: int, walk: _Walk, depth: int, forms: set[tuple[int, int]]
               ) -> Iterator[Child]:
    """Collect the fonts of ``resources`` and yield its images, recursing into forms."""
    if not isinstance(resources, pikepdf.Dictionary):
        return
    fonts = resources.get("/Font")
    if isinstance(fonts, pikepdf.Dictionary):
        for _, font in fonts.items():
            walk.fonts.update(_font_names(font))
    xobjects = resources.get("/XObject")
    if not isinstance(xobjects, pikepdf.Dictionary):
        return
    for key in sorted(xobjects.keys()):
        xobject = xobjects.get(key)
        if not isinstance(xobject, pikepdf.Stream):
            continue
        subtype = xobject.get("/Subtype")
        if subtype == pikepdf.Name.Image:
            yield from _image(xobject, key[1:], page, walk)
        elif subtype == pikepdf.Name.Form and depth < _MAX_FORM_DEPTH:
            if xobject.objgen != (0, 0) and xobject.objgen in forms:
                continue
            forms.add(xobject.objgen)
            yield from _resources(xobject.get("/Resources"), page, walk, depth + 1, forms)


def _is_plain_jpeg(image: pikepdf.Stream) -> bool:
    filters = image.get("/Filter")
    if isinstance(filters, pikepdf.Array):
        return len(filters) == 1 and filters[0] == pikepdf.Name.DCTDecode
    return filters == pikepdf.Name.DCTDecode


def _image_bytes(image: pikepdf.Stream, limits: Limits) -> tuple[bytes, str]:
    if _is_plain_jpeg(image):
        return image.read_raw_bytes(), ".jpg"
    width, height = int(image.get("/Width", 0)), int(image.get("/Height", 0))
    if width * height > limits.max_pixels:
        raise ValueError(f"{width}×{height} pixels is over the limit of {limits.max_pixels:,}")
    buffer = io.BytesIO()
    extension = pikepdf.PdfImage(image).extract_to(
        stream=buffer, apply_decode_array=False, apply_mask=False)
    return buffer.getvalue(), extension


def _image(image: pikepdf.Stream, name: str, page: int, walk: _Walk) -> Iterator[Child]:
    objgen = image.objgen
    if objgen != (0, 0):
        if objgen in walk.seen_images:
            return
        walk.seen_images.add(objgen)
    if walk.children >= walk.limits.max_children:
        walk.children_capped = True
        return
    try:
        data, extension = _image_bytes(image, walk.limits)
    except Exception as exc:  # pikepdf/Pillow raise many kinds for unusual images
        walk.problems.append(
            f"The image {name} on page {page} could not be extracted ({brief(exc)}).")
        return
    walk.children += 1
    yield Child(f"page{page}-{name}{extension}", data, f"page:{page}")


def _pages(pdf: pikepdf.Pdf, limits: Limits, problems: list[str]) -> Iterator[Output]:
    try:
        pages = pdf.pages
        count = len(pages)
    except pikepdf.PdfError as exc:
        problems.append(f"The page tree is damaged ({_reason(exc)}); pages were not read.")
        return
    yield Meta("", "PDF:PageCount", count)
    walk = _Walk(limits, problems)
    for index in range(min(count, limits.max_pages)):
        try:
            resources = pages[index].obj.get("/Resources")
        except pikepdf.PdfError as exc:
            problems.append(f"Page {index + 1} is damaged ({_reason(exc)}).")
            continue
        yield from _resources(resources, index + 1, walk, 0, set())
    yield Meta("", "PDF:Fonts", sorted(walk.fonts))
    if count > limits.max_pages:
        problems.append(f"The PDF has {count:,} pages, more than the limit of "
                        f"{limits.max_pages:,}; only the first pages were read.")
    if walk.children_capped:
        problems.append(f"The PDF has more than {limits.max_children:,} images, the limit per "
                        "item; the rest were not extracted.")


# --- text ------------------------------------------------------------------------------------


def _texts(f: BinaryIO, limits: Limits, problems: list[str]) -> Iterator[Text]:
    f.seek(0)
    try:
        # any seekable binary stream will do; pdfplumber's hint names only two classes
        document = pdfplumber.open(cast(io.BytesIO, f))
    except Exception as exc:  # pdfminer raises many kinds on damaged files
        problems.append(f"The text could not be read ({brief(exc)}).")
        return
    with document:
        try:
            pages = document.pages[: limits.max_pages]
        except Exception as exc:  # a damaged page tree
            problems.append(f"The pages could not be found to read their text ({brief(exc)}).")
            return
        yield from _page_texts(pages, limits.max_text, problems)


def _page_texts(pages: list[Any], max_text: int, problems: list[str]) -> Iterator[Text]:
    remaining = max_text
    for number, page in enumerate(pages, start=1):
        try:
            text = page.extract_text() or ""
        except Exception as exc:  # one bad page does not stop the others
            problems.append(f"The text of page {number} could not be read ({brief(exc)}).")
            continue
        finally:
            page.close()
        if len(text) > remaining:
            yield Text(f"page:{number}", text[:remaining])
            problems.append(f"The PDF has more than {max_text:,} characters of text, the "
                            "limit per item; the rest was not kept.")
            return
        if text:
            yield Text(f"page:{number}", text)
        remaining -= len(text)


# --- the extractor ---------------------------------------------------------------------------


def _reason(exc: Exception | str) -> str:
    """qpdf's message without the stream's repr it starts with."""
    text = re.sub(r"^stream <[^>]*>:\s*", "", str(exc))
    return text or (type(exc).__name__ if isinstance(exc, Exception) else "unknown")


def _open(f: BinaryIO) -> pikepdf.Pdf:
    f.seek(0)
    try:
        return pikepdf.open(f)
    except pikepdf.PasswordError as exc:
        raise ExtractionError(
            "The PDF is password-protected: it cannot be opened without its password, so "
            "its text, metadata and images were not read.") from exc
    except (pikepdf.PdfError, OSError, ValueError) as exc:
        raise ExtractionError(
            f"The PDF is damaged and could not be opened ({_reason(exc)}); nothing but its "
            "revision count was read.") from exc


def _structure(pdf: pikepdf.Pdf, limits: Limits, problems: list[str]) -> Iterator[Output]:
    yield Meta("", "PDF:Version", pdf.pdf_version)
    yield Meta("", "PDF:Encrypted", bool(pdf.is_encrypted))
    yield Meta("", "PDF:Linearized", bool(pdf.is_linearized))
    yield from _info_metas(pdf)
    yield from _xmp(pdf, problems)
    yield from _pages(pdf, limits, problems)
    warnings = pdf.get_warnings()
    if warnings:
        problems.insert(0, f"The PDF is damaged and had to be repaired to be read "
                           f"({_reason(warnings[0])}); what was read may be "
                           "incomplete.")


class PdfExtractor:
    """PDF documents (see the module docstring)."""

    name = "pdf"
    version = "1"
    mimes = frozenset({"application/pdf", "application/x-pdf"})

    def extract(self, f: BinaryIO, item: ItemInfo, limits: Limits) -> Iterator[Output]:
        check_size(item, limits)
        yield Meta("", "PDF:IncrementalUpdates", count_incremental_updates(f))
        problems: list[str] = []
        try:
            pdf = _open(f)
        except ExtractionError as exc:
            if isinstance(exc.__cause__, pikepdf.PasswordError):
                yield Meta("", "PDF:Encrypted", True)
            raise
        with pdf:
            yield from _structure(pdf, limits, problems)
        yield from _texts(f, limits, problems)
        if problems:
            raise ExtractionError(" ".join(problems))
