"""Legacy Office files (Word 97-2003 ``.doc``, Excel ``.xls``, PowerPoint ``.ppt``): the
property sets of their OLE2 compound file, read with olefile.

What is read:
- Meta ``OLE:Format`` (from the streams present: Word, Excel, PowerPoint, or an encrypted
  Office Open XML document) and ``OLE:Encrypted``;
- the SummaryInformation property set: ``OLE:Author``, ``OLE:LastModifiedBy``,
  ``OLE:Created``, ``OLE:Modified``, ``OLE:LastPrinted`` (ISO 8601, UTC: Office stores these
  as FILETIME in UTC), ``OLE:Title``, ``OLE:Subject``, ``OLE:Template``, ``OLE:Revision``,
  ``OLE:TotalEditTime`` (seconds), ``OLE:Application``, ``OLE:Pages``…;
- the DocumentSummaryInformation property set: ``OLE:Company``, ``OLE:Manager``,
  ``OLE:Category``, ``OLE:AppVersion``, ``OLE:TitlesOfParts`` (e.g. the sheet names of a
  workbook)….

Strings are decoded with the code page the property set names (``OLE:Codepage``; Chinese
Windows writes 936, i.e. GBK). Text is not extracted from these formats.

An encrypted Office Open XML document (a password-protected ``.docx``/``.xlsx`` is an OLE
file holding ``EncryptionInfo`` and ``EncryptedPackage``) raises ``ExtractionError`` saying it
is password-protected. A password-protected ``.doc``/``.xls``/``.ppt`` keeps its property
sets readable (unless the author chose to encrypt them too): they are yielded with
``OLE:Encrypted`` true.
"""

from __future__ import annotations

import codecs
import datetime as dt
import struct
from collections.abc import Iterator, Mapping
from typing import Any, BinaryIO

import olefile  # type: ignore[import-untyped]

from scrutiny.extract.base import ExtractionError, ItemInfo, Limits, Meta, Output
from scrutiny.extract.textfile import check_size

_SUMMARY = {
    "title": "Title", "subject": "Subject", "author": "Author", "keywords": "Keywords",
    "comments": "Comments", "template": "Template", "last_saved_by": "LastModifiedBy",
    "revision_number": "Revision", "total_edit_time": "TotalEditTime",
    "last_printed": "LastPrinted", "create_time": "Created", "last_saved_time": "Modified",
    "num_pages": "Pages", "num_words": "Words", "num_chars": "Characters",
    "creating_application": "Application", "security": "Security",
}
_DOC_SUMMARY = {
    "category": "Category", "presentation_target": "PresentationTarget", "bytes": "Bytes",
    "lines": "Lines", "paragraphs": "Paragraphs", "slides": "Slides", "notes": "Notes",
    "hidden_slides": "HiddenSlides", "titles_of_parts": "TitlesOfParts",
    "manager": "Manager", "company": "Company", "chars_with_spaces": "CharactersWithSpaces",
    "content_type": "ContentType", "content_status": "ContentStatus", "language": "Language",
    "doc_version": "DocVersion",
}
_FORMATS = (
    ("EncryptedPackage", "Encrypted Office Open XML document"),
    ("WordDocument", "Word 97-2003 document"),
    ("Workbook", "Excel 97-2003 workbook"),
    ("Book", "Excel 5/95 workbook"),
    ("PowerPoint Document", "PowerPoint 97-2003 presentation"),
)
_CODEPAGES = {1200: "utf-16-le", 1201: "utf-16-be", 65001: "utf-8", 10000: "mac-roman"}
_FILETIME_UNSET = 1601
_WORD_ENCRYPTED = 0x0100      # FIB flag fEncrypted (MS-DOC 2.5.2, FibBase)
_BIFF_EOF, _BIFF_FILEPASS = 0x000A, 0x002F
_MAX_BIFF_RECORDS = 64        # FILEPASS comes right after the first BOF
_MAX_WORKBOOK_SCAN = 64 * 1024 * 1024


def _codec(codepage: Any) -> str | None:
    """The Python codec for a property set code page (an I2, so 65001 arrives as -535);
    ``None`` when there is none or Python does not know it."""
    if not isinstance(codepage, int):
        return None
    codepage %= 65536
    name = _CODEPAGES.get(codepage, f"cp{codepage}")
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _text(value: bytes, codec: str | None) -> str:
    """Decode with the property set's code page; without one, try UTF-8, then GB18030 (what
    Chinese Windows writes), then Windows-1252."""
    for candidate in (codec,) if codec else ("utf-8", "gb18030", "cp1252"):
        try:
            return value.decode(candidate)
        except UnicodeDecodeError:
            continue
    return value.decode(codec or "cp1252", errors="replace")


def _plain(value: Any, codec: str | None) -> Any:
    """A property value as JSON-serialisable data; ``None`` for what is not metadata
    (thumbnails, blobs, unset times)."""
    if isinstance(value, bytes):
        return _text(value, codec).strip("\x00").strip() or None
    if isinstance(value, dt.datetime):
        if value.year <= _FILETIME_UNSET:
            return None
        return value.replace(tzinfo=dt.UTC).isoformat()
    if isinstance(value, list):
        items = [_plain(v, codec) for v in value]
        return [v for v in items if isinstance(v, str | int | float)] or None
    if isinstance(value, bool | int | float | str):
        return value
    return None


def _metas(meta: Any, names: Mapping[str, str], codec: str | None) -> Iterator[Meta]:
    for attribute, name in names.items():
        value = _plain(getattr(meta, attribute, None), codec)
        if value is None:
            continue
        if name == "Revision" and isinstance(value, str) and value.isdigit():
            yield Meta("", "OLE:Revision", int(value), value)
        else:
            yield Meta("", f"OLE:{name}", value)


def _app_version(version: Any) -> Meta | None:
    """DocumentSummaryInformation's version: major in the high word, minor in the low."""
    if not isinstance(version, int) or version <= 0:
        return None
    return Meta("", "OLE:AppVersion", f"{version >> 16}.{version & 0xFFFF:04d}", str(version))


def _property_metas(ole: Any) -> Iterator[Meta]:
    meta = ole.get_metadata()
    if isinstance(meta.codepage, int):
        yield Meta("", "OLE:Codepage", meta.codepage % 65536)
    yield from _metas(meta, _SUMMARY, _codec(meta.codepage))
    doc_codec = _codec(meta.codepage_doc if meta.codepage_doc is not None else meta.codepage)
    yield from _metas(meta, _DOC_SUMMARY, doc_codec)
    version = _app_version(meta.version)
    if version is not None:
        yield version


def _format(ole: Any) -> str | None:
    for stream, label in _FORMATS:
        if ole.exists(stream):
            return label
    return None


def _word_encrypted(ole: Any) -> bool:
    with ole.openstream("WordDocument") as stream:
        head = stream.read(12)
    return len(head) == 12 and bool(struct.unpack_from("<H", head, 10)[0] & _WORD_ENCRYPTED)


def _excel_encrypted(ole: Any) -> bool:
    name = "Workbook" if ole.exists("Workbook") else "Book"
    if ole.get_size(name) > _MAX_WORKBOOK_SCAN:
        return False
    with ole.openstream(name) as stream:
        for _ in range(_MAX_BIFF_RECORDS):
            header = stream.read(4)
            if len(header) < 4:
                return False
            kind, length = struct.unpack("<HH", header)
            if kind == _BIFF_FILEPASS:
                return True
            if kind == _BIFF_EOF:  # the end of the globals substream
                return False
            stream.seek(length, 1)
    return False


def _encrypted(ole: Any, label: str | None) -> bool:
    if label is None:
        return False
    if ole.exists("EncryptedPackage") or ole.exists("EncryptedSummary"):
        return True
    if label.startswith("Word"):
        return _word_encrypted(ole)
    if label.startswith("Excel"):
        return _excel_encrypted(ole)
    return False


def _open(f: BinaryIO) -> Any:
    f.seek(0)
    if f.read(len(olefile.MAGIC)) != olefile.MAGIC:
        raise ExtractionError(
            "The file is not an OLE2 compound file (a legacy Office document); it was not "
            "read.")
    f.seek(0)
    try:
        return olefile.OleFileIO(f)
    except (OSError, ValueError, struct.error, IndexError, KeyError) as exc:
        raise ExtractionError(
            f"The legacy Office file is damaged and could not be opened ({exc}); nothing was "
            "read from it.") from exc


def _read(ole: Any) -> Iterator[Output]:
    label = _format(ole)
    if label is not None:
        yield Meta("", "OLE:Format", label)
    encrypted = _encrypted(ole, label)
    yield Meta("", "OLE:Encrypted", encrypted)
    if ole.exists("EncryptedPackage"):
        raise ExtractionError(
            "The Office document is password-protected (encrypted): its content and "
            "properties cannot be read without the password.")
    yield from _property_metas(ole)


class OleExtractor:
    """Legacy Office property sets (see the module docstring)."""

    name = "ole"
    version = "1"
    mimes = frozenset({
        "application/msword",
        "application/vnd.ms-excel",
        "application/vnd.ms-powerpoint",
        "application/vnd.ms-office",
        "application/x-ole-storage",
        "application/CDFV2",
        "application/CDFV2-corrupt",
        "application/encrypted",
    })

    def extract(self, f: BinaryIO, item: ItemInfo, limits: Limits) -> Iterator[Output]:
        check_size(item, limits)
        ole = _open(f)
        try:
            yield from _read(ole)
        except (OSError, ValueError, struct.error, IndexError, KeyError) as exc:
            raise ExtractionError(
                f"The legacy Office file is damaged ({exc}); only part of its properties were "
                "read.") from exc
        finally:
            ole.close()
