"""Office Open XML documents: Word (DOCX/DOCM/DOTX), Excel (XLSX/XLSM) and PowerPoint (PPTX).

What is read:
- core properties (``docProps/core.xml``): Meta ``Office:Author`` (``dc:creator``),
  ``Office:LastModifiedBy``, ``Office:Created``, ``Office:Modified``, ``Office:LastPrinted``
  (ISO 8601 in ``value``, the string as written in ``raw``), ``Office:Revision``,
  ``Office:Title``, ``Office:Subject``…;
- app properties (``docProps/app.xml``): ``Office:Application``, ``Office:AppVersion``,
  ``Office:Template``, ``Office:Company``, ``Office:TotalTime``, ``Office:Pages``…;
- Word: the body text (paragraphs in order, including those in tables and text boxes) as one
  ``Text`` at location ``""``;
- PowerPoint: the text of each slide as ``Text`` at ``slide:N`` (N in presentation order);
- Excel: Meta ``XLSX:Sheets`` (and ``XLSX:HiddenSheets``), then the rows of every worksheet as
  ``Row``s (table ``sheet:<name>``), streamed by openpyxl in read-only mode, with the header
  found as in ``tabular``. Cells are the values openpyxl gives (str, int, float, bool,
  datetime, time) for the values last computed by Excel (not formulas).

Hostile input: the package is a zip, so member count and declared sizes are checked before
anything is parsed. Office never writes a document type declaration, so any XML part with a
``<!DOCTYPE`` or ``<!ENTITY`` in its first 64 KiB is not parsed at all (that is how an "XML
bomb" starts). The parts this module parses itself go through defusedxml with DTDs
forbidden; openpyxl uses defusedxml for worksheets when it is installed (it is a dependency)
and lxml with ``resolve_entities=False`` for the other parts. Word text is parsed here,
streaming, rather than with python-docx, which loads the whole package (images included)
into memory and refuses macro-enabled documents and templates.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import IO, Any, BinaryIO
from xml.etree.ElementTree import Element, ParseError

import openpyxl
from defusedxml import DefusedXmlException  # type: ignore[import-untyped]
from defusedxml.ElementTree import fromstring, iterparse  # type: ignore[import-untyped]

from scrutiny.extract.base import ExtractionError, ItemInfo, Limits, Meta, Output, Row, Text
from scrutiny.extract.tabular import RowBudget, is_empty, rows_with_header
from scrutiny.extract.textfile import brief, check_size

_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_RELS_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"

_MAX_MEMBERS = 100_000
_MAX_SMALL_PART = 16 * 1024 * 1024    # properties, relationships, slides: parsed whole
_MAX_LOADED_PART = 512 * 1024 * 1024  # what openpyxl loads whole (shared strings, styles)
_PROLOG = 64 * 1024
_DTD_MARKS = tuple(
    mark.encode(enc) for mark in ("<!DOCTYPE", "<!ENTITY") for enc in ("ascii", "utf-16-le",
                                                                      "utf-16-be"))

_ELEMENT_START = re.compile(rb"<[A-Za-z_]")
_CORE_NAMES = {"creator": "Author", "lastModifiedBy": "LastModifiedBy"}
_DATE_KEYS = frozenset({"Office:Created", "Office:Modified", "Office:LastPrinted"})
_INT_KEYS = frozenset(f"Office:{k}" for k in (
    "Revision", "TotalTime", "Pages", "Words", "Characters", "CharactersWithSpaces", "Lines",
    "Paragraphs", "Slides", "Notes", "HiddenSlides", "MMClips", "DocSecurity"))

_PROPERTY_PARTS: tuple[tuple[str, str, Mapping[str, str]], ...] = (
    ("core-properties", "docProps/core.xml", _CORE_NAMES),
    ("extended-properties", "docProps/app.xml", {}),
)
_KINDS = {"word": "docx", "xl": "xlsx", "ppt": "pptx"}
_DEFAULT_MAIN = {"word/document.xml": "docx", "xl/workbook.xml": "xlsx",
                 "ppt/presentation.xml": "pptx"}


@dataclass(frozen=True)
class _Markup:
    """The elements that make text in a part: paragraphs, text runs, and marks (tabs,
    breaks) with the character each stands for; in both transitional and strict OOXML."""

    paragraph: frozenset[str]
    text: frozenset[str]
    marks: Mapping[str, str]


def _markup(namespaces: tuple[str, ...], marks: Mapping[str, str]) -> _Markup:
    def tags(local: str) -> frozenset[str]:
        return frozenset(f"{{{ns}}}{local}" for ns in namespaces)

    return _Markup(tags("p"), tags("t"), {f"{{{ns}}}{local}": char for ns in namespaces
                                          for local, char in marks.items()})


_WORD = _markup(("http://schemas.openxmlformats.org/wordprocessingml/2006/main",
                 "http://purl.oclc.org/ooxml/wordprocessingml/main"),
                {"tab": "\t", "br": "\n", "cr": "\n", "noBreakHyphen": "-"})
_DRAWING = _markup(("http://schemas.openxmlformats.org/drawingml/2006/main",
                    "http://purl.oclc.org/ooxml/drawingml/main"), {"br": "\n"})


class _Unreadable(Exception):
    """A part that could not be parsed; the message is for the final ExtractionError."""


# --- the package -----------------------------------------------------------------------------


def _open_zip(f: BinaryIO) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(f)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise ExtractionError(
            "The Office document is damaged or truncated: it is not a readable zip package "
            f"({exc}); nothing could be read from it.") from exc


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _has_dtd(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """Whether the prolog of an XML part (what comes before its first element, at most
    ``_PROLOG`` bytes) declares a DTD or an entity."""
    head = b""
    with zf.open(info) as member:
        while len(head) < _PROLOG and (piece := member.read(4096)):
            head += piece
            if _ELEMENT_START.search(head):
                break
    return any(mark in head for mark in _DTD_MARKS)


def _check_package(zf: zipfile.ZipFile, kind: str) -> None:
    infos = zf.infolist()
    if len(infos) > _MAX_MEMBERS:
        raise ExtractionError(
            f"The Office document holds {len(infos):,} parts, more than the {_MAX_MEMBERS:,} "
            "allowed; it was not read.")
    for info in infos:
        streamed = kind == "xlsx" and info.filename.startswith("xl/worksheets/")
        if not streamed and info.file_size > _MAX_LOADED_PART and _is_xml(info.filename):
            raise ExtractionError(
                f"The part {info.filename} of the Office document would unpack to "
                f"{info.file_size:,} bytes (a possible zip bomb); the document was not read.")


def _is_xml(name: str) -> bool:
    return name.endswith((".xml", ".rels", ".vml"))


def _hostile_parts(zf: zipfile.ZipFile) -> list[str]:
    try:
        return [i.filename for i in zf.infolist() if _is_xml(i.filename) and _has_dtd(zf, i)]
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise ExtractionError(
            f"The Office document is damaged ({exc}); nothing could be read from it.") from exc


def _dtd_problem(parts: list[str]) -> str:
    return (f"The part(s) {', '.join(parts[:5])} of the Office document contain an XML "
            "document type declaration, which Office never writes and which is how an "
            "\"XML bomb\" (entities expanding to gigabytes) starts; those parts were not "
            "parsed.")


def _read_part(zf: zipfile.ZipFile, name: str) -> Element:
    """Parse a small XML part whole, with defusedxml and DTDs forbidden."""
    try:
        with zf.open(name) as member:
            data = member.read(_MAX_SMALL_PART + 1)
        if len(data) > _MAX_SMALL_PART:
            raise _Unreadable(f"the part {name} is larger than {_MAX_SMALL_PART:,} bytes")
        root: Element = fromstring(data, forbid_dtd=True)
    except KeyError as exc:
        raise _Unreadable(f"the part {name} is missing") from exc
    except (DefusedXmlException, ParseError) as exc:
        raise _Unreadable(f"the part {name} is not well-formed or safe XML ({exc})") from exc
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise _Unreadable(f"the part {name} is damaged ({exc})") from exc
    return root


def _relationships(zf: zipfile.ZipFile, source: str) -> dict[str, tuple[str, str]]:
    """Relationship id → (type, target part name) for the part ``source`` ("" = package)."""
    folder, base = posixpath.split(source)
    rels_name = posixpath.join(folder, "_rels", f"{base}.rels")
    if rels_name not in zf.NameToInfo:
        return {}
    rels: dict[str, tuple[str, str]] = {}
    for rel in _read_part(zf, rels_name).iter(f"{_RELS_NS}Relationship"):
        target = rel.get("Target", "")
        if rel.get("TargetMode") == "External":
            continue
        name = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
            posixpath.join(folder, target))
        rels[rel.get("Id", "")] = (rel.get("Type", ""), name)
    return rels


def _package_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Relationship type suffix ("officeDocument", "core-properties"…) → part name."""
    try:
        rels = _relationships(zf, "")
    except _Unreadable:
        rels = {}
    return {rel_type.rsplit("/", 1)[-1]: target for rel_type, target in rels.values()}


def _kind(zf: zipfile.ZipFile, parts: Mapping[str, str]) -> tuple[str, str]:
    main = parts.get("officeDocument", "")
    kind = _KINDS.get(main.split("/", 1)[0]) if main in zf.NameToInfo else None
    if kind is not None:
        return kind, main
    for name, default_kind in _DEFAULT_MAIN.items():
        if name in zf.NameToInfo:
            return default_kind, name
    raise ExtractionError(
        "The zip package is not a Word, Excel or PowerPoint document (no main document part "
        "was found); nothing was read.")


# --- properties ------------------------------------------------------------------------------


def _iso(text: str) -> str | None:
    try:
        return dt.datetime.fromisoformat(text).isoformat()
    except ValueError:
        return None


def _property(key: str, text: str) -> Meta:
    if key in _DATE_KEYS:
        return Meta("", key, _iso(text), text)
    if key in _INT_KEYS and text.isdigit():
        return Meta("", key, int(text))
    return Meta("", key, text)


def _properties(root: Element, names: Mapping[str, str]) -> Iterator[Meta]:
    for child in root:
        text = (child.text or "").strip()
        if len(child) or not text:
            continue
        local = _local(child.tag)
        name = names.get(local, local[:1].upper() + local[1:])
        yield _property(f"Office:{name}", text)


def _property_metas(zf: zipfile.ZipFile, parts: Mapping[str, str], skip: set[str],
                    problems: list[str]) -> Iterator[Meta]:
    for rel_type, default, names in _PROPERTY_PARTS:
        name = parts.get(rel_type, default)
        if name not in zf.NameToInfo or name in skip:
            continue
        try:
            yield from _properties(_read_part(zf, name), names)
        except _Unreadable as exc:
            problems.append(f"The document properties could not be read: {exc}.")


# --- text ------------------------------------------------------------------------------------


def _paragraphs(stream: IO[bytes], markup: _Markup) -> Iterator[str]:
    """The text of each paragraph of an XML part, streamed: text elements joined, marks
    (tab, break) replaced by their character, content
    under ``mc:Fallback`` (a duplicate of the preferred ``mc:Choice``) left out. Finished
    elements are removed from the tree so memory stays bounded."""
    stack: list[Element] = []
    open_paragraphs: list[list[str]] = []
    fallback = 0
    for event, elem in iterparse(stream, events=("start", "end"), forbid_dtd=True):
        tag = elem.tag
        if event == "start":
            stack.append(elem)
            if tag == _MC_FALLBACK:
                fallback += 1
            elif tag in markup.paragraph and not fallback:
                open_paragraphs.append([])
            continue
        stack.pop()
        if tag == _MC_FALLBACK:
            fallback -= 1
        elif not fallback and open_paragraphs:
            if tag in markup.text:
                open_paragraphs[-1].append(elem.text or "")
            elif tag in markup.marks:
                open_paragraphs[-1].append(markup.marks[tag])
            elif tag in markup.paragraph:
                yield "".join(open_paragraphs.pop())
        if stack:
            stack[-1].remove(elem)


def _part_text(zf: zipfile.ZipFile, name: str, markup: _Markup, max_text: int
               ) -> tuple[str, bool]:
    """The paragraphs of one part joined by newlines, cut at ``max_text`` characters (the
    flag says whether it was cut)."""
    kept: list[str] = []
    size = 0
    try:
        with zf.open(name) as member:
            for paragraph in _paragraphs(member, markup):
                if size + len(paragraph) + 1 > max_text:
                    kept.append(paragraph[: max(0, max_text - size)])
                    return "\n".join(kept), True
                kept.append(paragraph)
                size += len(paragraph) + 1
    except (DefusedXmlException, ParseError) as exc:
        raise _Unreadable(f"the part {name} is not well-formed or safe XML ({exc})") from exc
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, KeyError) as exc:
        raise _Unreadable(f"the part {name} is damaged or missing ({exc})") from exc
    return "\n".join(kept), False


def _text_limit_problem(max_text: int) -> str:
    return (f"The document has more than {max_text:,} characters of text, the limit per item; "
            "the rest was not kept.")


def _docx_text(zf: zipfile.ZipFile, main: str, limits: Limits, problems: list[str]
               ) -> Iterator[Output]:
    try:
        text, cut = _part_text(zf, main, _WORD, limits.max_text)
    except _Unreadable as exc:
        problems.append(f"The text of the Word document could not be read: {exc}.")
        return
    if text:
        yield Text("", text)
    if cut:
        problems.append(_text_limit_problem(limits.max_text))


def _slide_names(zf: zipfile.ZipFile, main: str) -> list[str]:
    rels = _relationships(zf, main)
    slides: list[str] = []
    for entry in _read_part(zf, main).iter():
        if _local(entry.tag) != "sldId":
            continue
        rid = next((v for k, v in entry.attrib.items() if _local(k) == "id" and "}" in k), "")
        if rid in rels:
            slides.append(rels[rid][1])
    return slides


def _pptx_text(zf: zipfile.ZipFile, main: str, skip: set[str], limits: Limits,
               problems: list[str]) -> Iterator[Output]:
    try:
        slides = _slide_names(zf, main)
    except _Unreadable as exc:
        problems.append(f"The list of slides could not be read: {exc}.")
        return
    remaining = limits.max_text
    for number, name in enumerate(slides, start=1):
        if name in skip:
            continue
        try:
            text, cut = _part_text(zf, name, _DRAWING, remaining)
        except _Unreadable as exc:
            problems.append(f"The text of slide {number} could not be read: {exc}.")
            continue
        if text:
            yield Text(f"slide:{number}", text)
        remaining -= len(text)
        if cut:
            problems.append(_text_limit_problem(limits.max_text))
            return


# --- spreadsheets ----------------------------------------------------------------------------


def _sheet_rows(ws: Any) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """(row number, cells) of the non-empty rows of a read-only worksheet, trailing empty
    cells dropped. openpyxl fills gaps with empty rows, so row numbers follow the count."""
    ws.reset_dimensions()  # the stored dimension may be wrong; read what is there
    for number, values in enumerate(ws.iter_rows(min_row=1, values_only=True), start=1):
        if values and not is_empty(values):
            cells = list(values)
            while cells and cells[-1] is None:
                cells.pop()
            yield number, tuple(cells)


def _xlsx_rows(f: BinaryIO, limits: Limits, problems: list[str]) -> Iterator[Output]:
    try:
        wb = openpyxl.load_workbook(f, read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # openpyxl raises anything from KeyError to XML errors
        problems.append(
            f"The workbook is damaged and its sheets could not be read ({brief(exc)}).")
        return
    try:
        yield Meta("", "XLSX:Sheets", list(wb.sheetnames))
        hidden = [ws.title for ws in wb.worksheets + wb.chartsheets
                  if getattr(ws, "sheet_state", "visible") != "visible"]
        if hidden:
            yield Meta("", "XLSX:HiddenSheets", hidden)
        budget = RowBudget(limits.max_rows)
        for ws in wb.worksheets:
            yield from _worksheet(ws, budget, problems)
            if budget.exhausted:
                problems.append(budget.problem(limits.max_rows))
                return
    finally:
        wb.close()


def _worksheet(ws: Any, budget: RowBudget, problems: list[str]) -> Iterator[Output]:
    table = f"sheet:{ws.title}"
    last = 0
    try:
        for output in rows_with_header(budget.take(_sheet_rows(ws)), table):
            if isinstance(output, Row):
                last = output.number
            yield output
    except Exception as exc:  # a damaged sheet: keep what was read, go on with the next
        problems.append(f"The sheet '{ws.title}' is damaged and could not be read after row "
                        f"{last} ({brief(exc)}).")


# --- the extractor ---------------------------------------------------------------------------


class OfficeExtractor:
    """Word, Excel and PowerPoint documents in Office Open XML (see the module docstring).
    The kind is decided by the package's main part, not by the MIME type."""

    name = "office"
    version = "1"
    mimes = frozenset({
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.template",
        "application/vnd.ms-word.document.macroEnabled.12",
        "application/vnd.ms-word.template.macroEnabled.12",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.template",
        "application/vnd.ms-excel.sheet.macroEnabled.12",
        "application/vnd.ms-excel.template.macroEnabled.12",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.openxmlformats-officedocument.presentationml.slideshow",
        "application/vnd.openxmlformats-officedocument.presentationml.template",
        "application/vnd.ms-powerpoint.presentation.macroEnabled.12",
    })

    def extract(self, f: BinaryIO, item: ItemInfo, limits: Limits) -> Iterator[Output]:
        check_size(item, limits)
        problems: list[str] = []
        with _open_zip(f) as zf:
            parts = _package_parts(zf)
            kind, main = _kind(zf, parts)
            _check_package(zf, kind)
            hostile = _hostile_parts(zf)
            if hostile:
                problems.append(_dtd_problem(hostile))
            skip = set(hostile)
            yield from _property_metas(zf, parts, skip, problems)
            if kind == "docx" and main not in skip:
                yield from _docx_text(zf, main, limits, problems)
            elif kind == "pptx" and main not in skip:
                yield from _pptx_text(zf, main, skip, limits, problems)
        if kind == "xlsx" and not hostile:
            f.seek(0)
            yield from _xlsx_rows(f, limits, problems)
        if problems:
            raise ExtractionError(" ".join(problems))
