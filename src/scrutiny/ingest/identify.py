"""File type identification from bytes (libmagic), compared with what the name claims."""

from __future__ import annotations

import mimetypes
import threading
from dataclasses import dataclass
from pathlib import PurePosixPath

import magic

_local = threading.local()

ARCHIVE_MIMES = frozenset(
    {
        "application/zip",
        "application/x-zip-compressed",
        "application/x-tar",
        "application/gzip",
        "application/x-gzip",
        "application/x-bzip2",
        "application/x-xz",
        "application/x-7z-compressed",
    }
)

# Names whose MIME type the standard table does not know, or knows differently from libmagic.
_EXTRA_TYPES = {
    ".7z": "application/x-7z-compressed",
    ".xz": "application/x-xz",
    ".tgz": "application/gzip",
    ".gz": "application/gzip",
    ".bz2": "application/x-bzip2",
    ".tbz2": "application/x-bzip2",
    ".txz": "application/x-xz",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".heic": "image/heic",
    ".webp": "image/webp",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".doc": "application/msword",
    ".xls": "application/vnd.ms-excel",
    ".csv": "text/csv",
    ".json": "application/json",
    ".jsonl": "application/json",
    ".md": "text/markdown",
}

# Pairs that are the same kind of file under two names, so no mismatch is reported.
_EQUIVALENT = [
    {"application/gzip", "application/x-gzip"},
    {"application/zip", "application/x-zip-compressed"},
    {"application/x-tar", "application/x-gtar"},
    {"application/json", "text/plain"},
    {"application/xml", "text/xml"},
    # OOXML documents are zip files; libmagic sometimes only sees the zip
    {
        "application/zip",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    },
    # legacy Office files are OLE2 containers
    {"application/msword", "application/vnd.ms-excel", "application/x-ole-storage",
     "application/CDFV2", "application/vnd.ms-office"},
]


@dataclass(frozen=True)
class Identity:
    mime: str
    magic: str
    ext_mime: str | None
    ext_mismatch: bool


def _magic() -> tuple[magic.Magic, magic.Magic]:
    pair = getattr(_local, "pair", None)
    if pair is None:
        pair = (magic.Magic(mime=True), magic.Magic())
        _local.pair = pair
    return pair


def mime_from_name(name: str) -> str | None:
    suffix = PurePosixPath(name.replace("\\", "/")).suffix.lower()
    if not suffix:
        return None
    return _EXTRA_TYPES.get(suffix) or mimetypes.types_map.get(suffix)


def same_kind(a: str, b: str) -> bool:
    if a == b:
        return True
    if a.startswith("text/") and b.startswith("text/"):
        return True
    return any(a in group and b in group for group in _EQUIVALENT)


def identify(head: bytes, name: str) -> Identity:
    """Identify a file from its leading bytes; ``name`` only serves the mismatch report."""
    mime_magic, text_magic = _magic()
    if head:
        mime = str(mime_magic.from_buffer(head))
        desc = str(text_magic.from_buffer(head))
    else:
        mime, desc = "application/x-empty", "empty"
    ext_mime = mime_from_name(name)
    mismatch = (
        ext_mime not in (None, "application/octet-stream")
        and mime != "application/x-empty"
        and not same_kind(mime, str(ext_mime))
    )
    return Identity(mime=mime, magic=desc[:300], ext_mime=ext_mime, ext_mismatch=mismatch)


def is_ooxml_or_odf(names: list[str]) -> bool:
    """A zip whose members say it is an Office Open XML or OpenDocument file, not an archive
    of separate evidence."""
    top = set(names[:50])
    return "[Content_Types].xml" in top or "mimetype" in top


def is_archive(mime: str) -> bool:
    return mime in ARCHIVE_MIMES
