"""Whole-case integrity: re-hash every blob and the custody chain; write a manifest a partner
can check without scrutiny."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from scrutiny.core import utc_now
from scrutiny.store import catalog
from scrutiny.store.blobs import BlobStore
from scrutiny.store.crypto import IntegrityError
from scrutiny.store.custody import ChainReport, CustodyError, CustodyLog

ProgressFn = Callable[[int], None]


@dataclass(frozen=True)
class BlobProblem:
    sha256: str
    message: str

    def __str__(self) -> str:
        return f"blob {self.sha256}: {self.message}"


@dataclass(frozen=True)
class IntegrityReport:
    chain: ChainReport
    blobs_checked: int
    blob_problems: tuple[BlobProblem, ...]
    unregistered: tuple[str, ...]
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def intact(self) -> bool:
        return self.chain.intact and not self.blob_problems


def _items(db: catalog.Connection) -> Iterator[tuple[str, int]]:
    cur = db.execute("SELECT sha256, size FROM items ORDER BY sha256")
    while rows := cur.fetchmany(1000):
        yield from ((str(r[0]), int(r[1])) for r in rows)


def verify_case(
    blobs: BlobStore, log: CustodyLog, db: catalog.Connection,
    progress: ProgressFn | None = None,
) -> IntegrityReport:
    chain = log.verify(expected=catalog.get_head(db))
    received: set[str] = set()
    notes: list[str] = []
    try:
        for _, ev in log.events_from(0):
            if ev.action == "received" and ev.subject:
                received.add(ev.subject)
    except CustodyError:
        pass  # already named line by line in the chain report
    head = catalog.get_head(db)
    if chain.head.seq > head.seq:
        notes.append(f"the log holds {chain.head.seq - head.seq} event(s) the catalog has not "
                     "applied yet (an interrupted run); the next write command applies them")
    problems: list[BlobProblem] = []
    known_names: set[str] = set()
    checked = 0
    for sha, size in _items(db):
        path = blobs.path_for(sha)
        known_names.add(path.name)
        checked += 1
        if not path.exists():
            problems.append(BlobProblem(sha, "missing from the evidence store"))
        else:
            try:
                actual = blobs.rehash(sha)
            except (IntegrityError, OSError) as exc:
                problems.append(BlobProblem(sha, f"altered or unreadable: {exc}"))
            else:
                if actual != sha:
                    problems.append(BlobProblem(sha, f"altered: its content now hashes to "
                                                     f"{actual}"))
        if sha not in received and not chain.problems:
            problems.append(BlobProblem(sha, "in the catalog but no custody event received "
                                             "it (catalog edited?)"))
        if progress is not None:
            progress(size)
    for (sha,) in db.execute("SELECT DISTINCT sha256 FROM derived"):  # maps made by checks
        path = blobs.path_for(sha)
        known_names.add(path.name)
        if not path.exists():
            problems.append(BlobProblem(sha, "derived image missing from the store"))
        else:
            try:
                if blobs.rehash(sha) != sha:
                    problems.append(BlobProblem(sha, "derived image altered"))
            except (IntegrityError, OSError) as exc:
                problems.append(BlobProblem(sha, f"derived image altered or unreadable: {exc}"))
    unregistered = tuple(
        str(p.relative_to(blobs.root)) for p in blobs.stored_names() if p.name not in known_names
    )
    if unregistered:
        notes.append(f"{len(unregistered)} stored file(s) no catalog entry names; a run "
                     "interrupted before registering them leaves these, and re-running it "
                     "registers them")
    return IntegrityReport(chain, checked, tuple(problems), unregistered, tuple(notes))


# -- manifest ------------------------------------------------------------------------------

MERKLE_DESCRIPTION = (
    "RFC 6962 Merkle Tree Hash with SHA-256 over the items in the order listed (sorted by "
    "sha256): leaf = SHA-256(0x00 || ASCII('<sha256 hex>:<size in bytes>')), node = "
    "SHA-256(0x01 || left || right), split at the largest power of two smaller than the "
    "number of leaves; the empty tree's root is SHA-256 of the empty string."
)


def leaf_hash(sha256: str, size: int) -> bytes:
    return hashlib.sha256(b"\x00" + f"{sha256}:{size}".encode("ascii")).digest()


def merkle_root(leaves: list[bytes]) -> str:
    """RFC 6962 §2.1 Merkle Tree Hash over already-hashed leaves, bottom-up."""
    if not leaves:
        return hashlib.sha256(b"").hexdigest()

    def mth(lo: int, hi: int) -> bytes:
        n = hi - lo
        if n == 1:
            return leaves[lo]
        k = 1 << ((n - 1).bit_length() - 1)
        return hashlib.sha256(b"\x01" + mth(lo, lo + k) + mth(lo + k, hi)).digest()

    return mth(0, len(leaves)).hex()


def build_manifest(db: catalog.Connection, case_id: str, tool_version: str) -> dict[str, Any]:
    items: list[dict[str, Any]] = []
    leaves: list[bytes] = []
    total = 0
    for sha, size in _items(db):
        items.append({"sha256": sha, "size": size})
        leaves.append(leaf_hash(sha, size))
        total += size
    head = catalog.get_head(db)
    return {
        "format": "scrutiny-manifest/1",
        "tool": f"scrutiny {tool_version}",
        "case_id": case_id,
        "written": utc_now(),
        "item_count": len(items),
        "total_bytes": total,
        "merkle_root": merkle_root(leaves),
        "merkle_tree": MERKLE_DESCRIPTION,
        "chain_head": {"seq": head.seq, "hash": head.hash},
        "chain": "custody.jsonl: each event's 'hash' is SHA-256 of its canonical JSON "
                 "(sorted keys, no spaces, UTF-8) without the 'hash' field; 'prev' links "
                 "to the previous event's hash",
        "items": items,
    }
