"""One ingest run: walk the inputs, store every file, unpack archives, record custody.

Top-level files are read, hashed and stored by a small thread pool (hashing and fsync release
the GIL); registration, unpacking and the custody log stay on one thread, in walk order, so the
log reads in the order the inputs were given. Every registration is idempotent: re-running an
interrupted ingest adds exactly what is missing.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections import Counter, deque
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from scrutiny import __version__
from scrutiny.core import ScrutinyError
from scrutiny.ingest import archives
from scrutiny.ingest.identify import Identity, identify
from scrutiny.ingest.limits import Limits
from scrutiny.ingest.problems import make_finding
from scrutiny.ingest.walk import Entry, walk
from scrutiny.store.blobs import BlobWriter, StoredBlob

if TYPE_CHECKING:  # ingest works on an open case; it does not open or create one
    from scrutiny.case import Case

COMMIT_EVERY = 512
DEFAULT_WORKERS = 8
"""Reader threads. Storing is I/O-bound (reads, fsync) and hashing releases the GIL, so more
threads than cores overlap the waits; measured best on a 2-core VM (benchmarks/ingest.py)."""
COMMIT_SECONDS = 2.0


class Progress(Protocol):
    def start(self, files: int, nbytes: int) -> None: ...
    def advance(self, files: int, nbytes: int) -> None: ...
    def member(self) -> None: ...
    def stop(self) -> None: ...


@dataclass
class IngestSummary:
    run_id: str
    files: int = 0
    bytes: int = 0
    new_items: int = 0
    new_provenances: int = 0
    already_known: int = 0
    members: int = 0
    archives: int = 0
    problems: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "bytes": self.bytes,
            "new_items": self.new_items,
            "new_provenances": self.new_provenances,
            "already_known": self.already_known,
            "members": self.members,
            "archives": self.archives,
            "problems": dict(sorted(self.problems.items())),
            "seconds": round(self.seconds, 3),
        }


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass
class _Budget:
    """Limits shared by everything unpacked from one top-level input."""

    limits: Limits
    deadline: float
    total: int = 0


class _Writer:
    """A blob writer for one archive member that enforces the limits as bytes arrive."""

    def __init__(self, arch: _Archive, name: str, mtime: str, compressed: int | None) -> None:
        self.arch = arch
        self.name = name
        self.mtime = mtime
        self.compressed = compressed
        self.written = 0
        self.blob: BlobWriter = arch.run.case.blobs.writer()

    def write(self, data: bytes | bytearray | memoryview) -> None:
        n = len(data)
        lim = self.arch.budget.limits
        self.written += n
        self.arch.unpacked += n
        self.arch.budget.total += n
        if self.arch.budget.total > lim.max_total:
            raise archives.LimitExceeded(
                f"unpacking this input produced more than {lim.max_total:,} bytes "
                "(total size limit); the rest was not unpacked",
                whole=True, limit=lim.max_total)
        if self.written > lim.max_member_size:
            raise archives.LimitExceeded(
                f"member {self.name!r} is larger than {lim.max_member_size:,} bytes; refused",
                limit=lim.max_member_size)
        if (self.compressed and self.written > lim.ratio_floor
                and self.written > lim.max_ratio * self.compressed):
            raise archives.LimitExceeded(
                f"member {self.name!r} expanded more than {lim.max_ratio}:1 "
                f"({self.compressed:,} compressed bytes gave over {self.written:,}); refused",
                compressed_size=self.compressed, limit=lim.max_ratio)
        if (self.arch.unpacked > lim.ratio_floor
                and self.arch.unpacked > lim.max_ratio * max(1, self.arch.size)):
            raise archives.LimitExceeded(
                f"archive of {self.arch.size:,} bytes expanded to over "
                f"{self.arch.unpacked:,} bytes, more than {lim.max_ratio}:1 "
                "(an archive bomb); the rest was not unpacked",
                whole=True, archive_size=self.arch.size,
                limit=lim.max_ratio)
        if time.monotonic() > self.arch.budget.deadline:
            raise archives.LimitExceeded(
                f"unpacking this input took longer than {lim.time_budget:.0f} s; the rest "
                "was not unpacked", whole=True, limit=lim.time_budget)
        self.blob.write(data)

    def commit(self) -> None:
        stored = self.blob.commit()
        ident = identify(stored.head, self.name)
        arch = self.arch
        if arch.run.register(stored, ident, arch.source, (*arch.chain, self.name),
                             arch.sha256, self.mtime):
            arch.new_members += 1
        arch.members += 1
        arch.run.summary.members += 1
        if arch.run.progress is not None:
            arch.run.progress.member()
        if archives.archive_kind(ident.mime):
            arch.nested.append((stored.sha256, ident.mime, (*arch.chain, self.name),
                                stored.size))

    def abort(self) -> None:
        self.blob.abort()


class _Archive:
    """The unpacking of one archive: implements ``archives.Unpacking``."""

    def __init__(self, run: _Run, sha256: str, source: str, chain: tuple[str, ...],
                 size: int, budget: _Budget) -> None:
        self.run = run
        self.sha256 = sha256
        self.source = source
        self.chain = chain
        self.size = size
        self.budget = budget
        self.unpacked = 0
        self.members = 0
        self.new_members = 0
        self.nested: list[tuple[str, str, tuple[str, ...], int]] = []

    @property
    def display(self) -> str:
        return "!/".join((self.source, *self.chain))

    @property
    def max_members(self) -> int:
        return self.budget.limits.max_members

    def writer(self, name: str, mtime: str, compressed: int | None) -> _Writer:
        return _Writer(self, name, mtime, compressed)

    def problem(self, code: str, member: str | None, reason: str, **evidence: Any) -> None:
        ev = {"archive": self.display, **({"member": member} if member else {}), **evidence}
        self.run.problem(code, self.sha256, reason, ev)


class _Run:
    def __init__(self, case: Case, actor: str, limits: Limits, progress: Progress | None,
                 run_id: str) -> None:
        self.case = case
        self.actor = actor
        self.limits = limits
        self.progress = progress
        self.summary = IngestSummary(run_id)
        self._pending = 0
        self._last_commit = time.monotonic()

    # -- catalog writes ----------------------------------------------------------------
    def _maybe_commit(self) -> None:
        self._pending += 1
        now = time.monotonic()
        if self._pending >= COMMIT_EVERY or now - self._last_commit > COMMIT_SECONDS:
            self.case.commit()
            self.case.begin()
            self._pending = 0
            self._last_commit = now

    def register(self, stored: StoredBlob, ident: Identity, source: str,
                 chain: tuple[str, ...], parent: str | None, mtime: str) -> bool:
        """Record that ``stored`` was found at ``source``/``chain``. False if already known."""
        db = self.case.db
        chain_json = json.dumps(list(chain), ensure_ascii=False)
        known = db.execute(
            "SELECT 1 FROM provenances WHERE sha256 = ? AND source = ? AND chain = ? "
            "AND mtime = ?", (stored.sha256, source, chain_json, mtime)).fetchone()
        if known:
            self.summary.already_known += 1
            return False
        new_item = db.execute("SELECT 1 FROM items WHERE sha256 = ?",
                              (stored.sha256,)).fetchone() is None
        self.case.record(self.actor, "received", stored.sha256, {
            "run": self.summary.run_id,
            "size": stored.size,
            "mime": ident.mime,
            "magic": ident.magic,
            "source": source,
            "chain": list(chain),
            "parent": parent,
            "mtime": mtime,
            "ext_mime": ident.ext_mime,
            "ext_mismatch": ident.ext_mismatch,
            "new_item": new_item,
        })
        self.summary.new_provenances += 1
        self.summary.new_items += int(new_item)
        if ident.ext_mismatch:
            name = chain[-1] if chain else Path(source).name
            self.problem("INGEST-008", stored.sha256,
                         f"{name!r} is named like {ident.ext_mime} but its bytes are "
                         f"{ident.mime} ({ident.magic[:80]})",
                         {"path": "!/".join((source, *chain)), "detected": ident.mime,
                          "by_name": ident.ext_mime})
        self._maybe_commit()
        return True

    def problem(self, code: str, subject: str, reason: str, evidence: dict[str, Any]) -> None:
        finding = make_finding(code, subject, reason, evidence)
        exists = self.case.db.execute("SELECT 1 FROM findings WHERE key = ?",
                                      (finding.key,)).fetchone()
        if exists:
            return
        self.case.record(self.actor, "error", subject if len(subject) == 64 else None,
                         {"run": self.summary.run_id, "finding": finding.to_json()})
        self.summary.problems[code] += 1
        self._maybe_commit()

    # -- walking and unpacking ---------------------------------------------------------
    def ingest_entries(self, entries: Iterable[Entry], workers: int) -> None:
        def store(entry: Entry) -> tuple[StoredBlob, Identity]:
            stored = self.case.blobs.put_file(entry.path)
            return stored, identify(stored.head, entry.path.name)

        window: deque[tuple[Entry, Future[tuple[StoredBlob, Identity]]]] = deque()
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ingest") as pool:
            try:
                for entry in entries:
                    if entry.problem is not None:
                        self.problem(entry.problem, f"path:{entry.path}", entry.reason,
                                     {"path": str(entry.path),
                                      **({"target": entry.target} if entry.target else {})})
                        continue
                    window.append((entry, pool.submit(store, entry)))
                    if len(window) >= 2 * workers:
                        self._finish(*window.popleft())
                while window:
                    self._finish(*window.popleft())
            finally:
                for _, fut in window:
                    fut.cancel()

    def _finish(self, entry: Entry, fut: Future[tuple[StoredBlob, Identity]]) -> None:
        try:
            stored, ident = fut.result()
        except OSError as exc:
            self.problem("INGEST-001", f"path:{entry.path}",
                         f"cannot read file: {exc.strerror or exc}", {"path": str(entry.path)})
            return
        source = str(entry.path)
        self.summary.files += 1
        self.summary.bytes += stored.size
        self.register(stored, ident, source, (), None, _iso(entry.mtime))
        if archives.archive_kind(ident.mime):
            budget = _Budget(self.limits, time.monotonic() + self.limits.time_budget)
            self.unpack_tree(stored.sha256, ident.mime, source, stored.size, budget)
        if self.progress is not None:
            self.progress.advance(1, stored.size)

    def unpack_tree(self, sha256: str, mime: str, source: str, size: int,
                    budget: _Budget) -> None:
        queue: deque[tuple[str, str, tuple[str, ...], int, int]] = deque(
            [(sha256, mime, (), size, 1)])
        while queue:
            sha, kind_mime, chain, nbytes, depth = queue.popleft()
            if depth > self.limits.max_depth:
                self.problem("INGEST-005", sha,
                             f"archive is nested {depth} levels deep, beyond the limit of "
                             f"{self.limits.max_depth}", {"archive": "!/".join((source, *chain))})
                continue
            arch = _Archive(self, sha, source, chain, nbytes, budget)
            kind = archives.archive_kind(kind_mime)
            unpacked = True
            with self.case.blobs.open(sha) as f:
                if kind == "zip":
                    unpacked = archives.unpack_zip(
                        f, arch, (self.limits.max_ratio, self.limits.ratio_floor))
                elif kind == "7z":
                    archives.unpack_7z(f, arch)
                else:
                    name = chain[-1] if chain else Path(source).name
                    archives.unpack_tree_or_stream(f, arch, name)
            if not unpacked:
                continue
            self.summary.archives += 1
            if arch.new_members:
                self.case.record(self.actor, "unpacked", sha, {
                    "run": self.summary.run_id, "archive": arch.display,
                    "members": arch.members, "new_members": arch.new_members,
                    "bytes": arch.unpacked})
                self._maybe_commit()
            for child_sha, child_mime, child_chain, child_size in arch.nested:
                queue.append((child_sha, child_mime, child_chain, child_size, depth + 1))


def _check_inputs(case: Case, inputs: list[Path]) -> None:
    root = case.paths.root.resolve()
    for p in inputs:
        if not os.path.lexists(p):
            raise ScrutinyError(f"no such file or folder: {p}")
        rp = p.resolve()
        if rp == root or root in rp.parents or rp in root.parents:
            raise ScrutinyError(
                f"{p} overlaps the case folder {case.paths.root}; ingest from elsewhere")


def ingest(
    case: Case,
    inputs: list[Path],
    actor: str = "scrutiny",
    note: str | None = None,
    limits: Limits | None = None,
    progress: Progress | None = None,
    workers: int | None = None,
    args: list[str] | None = None,
) -> IngestSummary:
    """Ingest files, folders and archives into ``case``; returns what happened."""
    limits = limits or Limits()
    inputs = [Path(p) for p in inputs]
    _check_inputs(case, inputs)
    run_id = str(uuid.uuid4())
    run = _Run(case, actor, limits, progress, run_id)
    started = time.monotonic()
    if progress is not None:
        files = nbytes = 0
        for e in walk(inputs):
            if e.problem is None:
                files += 1
                nbytes += e.size
        progress.start(files, nbytes)
    case.begin()
    case.record(actor, "run-started", None, {
        "run": run_id, "kind": "ingest", "note": note, "tool_version": __version__,
        "args": args if args is not None else [str(p) for p in inputs],
        "limits": limits.__dict__})
    status = "failed"
    try:
        run.ingest_entries(walk(inputs), workers or DEFAULT_WORKERS)
        status = "finished"
    except KeyboardInterrupt:
        status = "interrupted"
        raise
    finally:
        run.summary.seconds = time.monotonic() - started
        if not case.in_transaction:
            case.begin()
        case.record(actor, "run-finished", None, {
            "run": run_id, "status": status, "summary": run.summary.to_json()})
        case.commit()
        if progress is not None:
            progress.stop()
    return run.summary
