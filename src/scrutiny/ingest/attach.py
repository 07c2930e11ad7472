"""Receive one file that is *not* leak material (evidence for the ledger: a relative's photo,
a satellite image, a filled-in field sheet) into the evidence store, with custody.

The file is stored like any other (content-addressed, written once) and the custody log
records a run of kind ``evidence`` and the file's receipt; the catalog's ``FROM_LEAK``
condition keeps such items out of extraction and out of the leak's checks. Call inside the
caller's transaction, so that the file and what it is attached to land together.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from scrutiny import __version__
from scrutiny.case import Case
from scrutiny.core import ScrutinyError
from scrutiny.ingest.identify import identify

__all__ = ["MAX_ATTACHMENT", "Attached", "attach_file"]

#: the largest file attached as evidence (a satellite GeoTIFF can be large; a leak is ingested)
MAX_ATTACHMENT = 2 * 1024**3


@dataclass(frozen=True)
class Attached:
    sha256: str
    size: int
    mime: str
    name: str
    new: bool


def attach_file(case: Case, path: Path, actor: str, purpose: str,
                max_size: int = MAX_ATTACHMENT) -> Attached:
    """Store ``path`` and record its receipt (run kind ``evidence``; ``purpose`` says what
    for, e.g. "evidence 12 for claim 4"). Raises ``ScrutinyError`` for a missing, unreadable,
    non-regular or oversized file, before anything is stored."""
    path = Path(path)
    try:
        st = path.stat()
    except OSError as exc:
        raise ScrutinyError(f"cannot read {path}: {exc.strerror or exc}") from None
    if not path.is_file():
        raise ScrutinyError(f"{path} is not a regular file")
    if st.st_size > max_size:
        raise ScrutinyError(f"{path} is {st.st_size:,} bytes, more than the {max_size:,} an "
                            "attachment may have; ingest it as part of a leak instead")
    try:
        stored = case.blobs.put_file(path)
    except OSError as exc:
        raise ScrutinyError(f"cannot read {path}: {exc.strerror or exc}") from None
    ident = identify(stored.head, path.name)
    run = str(uuid.uuid4())
    case.record(actor, "run-started", None, {
        "run": run, "kind": "evidence", "note": purpose, "tool_version": __version__,
        "args": [str(path)]})
    new_item = case.db.execute("SELECT 1 FROM items WHERE sha256 = ?",
                               (stored.sha256,)).fetchone() is None
    mtime = datetime.fromtimestamp(st.st_mtime, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    case.record(actor, "received", stored.sha256, {
        "run": run, "size": stored.size, "mime": ident.mime, "magic": ident.magic,
        "source": str(path.absolute()), "chain": [], "parent": None, "mtime": mtime,
        "ext_mime": ident.ext_mime, "ext_mismatch": ident.ext_mismatch,
        "new_item": new_item, "attached_as": purpose})
    case.record(actor, "run-finished", None, {
        "run": run, "status": "finished", "summary": {"attached": stored.sha256,
                                                      "purpose": purpose}})
    return Attached(stored.sha256, stored.size, ident.mime, path.name, new_item)
