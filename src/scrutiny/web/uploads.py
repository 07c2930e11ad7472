"""Uploaded files, taken in with a size cap under a plain, safe file name (the evidence form
and the admin's ingest page both use this)."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import HTTPException, UploadFile

_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\]")


def safe_name(name: str | None, default: str = "upload") -> str:
    """An uploaded file's name as a plain file name: path separators and control characters
    become ``_`` (so ``../x`` or ``<b>a</b>`` is one name in one folder), at most 200
    characters; what it says stays data."""
    base = _UNSAFE.sub("_", name or "").strip()[:200]
    return default if base in ("", ".", "..") else base


def save_upload(upload: UploadFile, folder: Path, cap: int) -> Path:
    """Copy ``upload`` into ``folder`` under its safe base name, refusing (413, nothing kept)
    one larger than ``cap`` bytes."""
    target = folder / safe_name(upload.filename)
    n = 1
    while target.exists():
        target = folder / f"{n}-{safe_name(upload.filename)}"
        n += 1
    written = 0
    with open(target, "xb") as out:
        while chunk := upload.file.read(1 << 20):
            written += len(chunk)
            if written > cap:
                out.close()
                target.unlink()
                raise HTTPException(413, f"{safe_name(upload.filename)} is larger than the "
                                         f"{cap:,} bytes allowed")
            out.write(chunk)
    return target
