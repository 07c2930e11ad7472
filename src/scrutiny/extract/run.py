"""``scrutiny extract``: run every extractor on every item that has not been through its
current version, store what they yield, and record the run in the custody log.

Extracted values are derived data: each names its item (blob hash), its location inside it and
the extraction (extractor and version) that produced it. A new extractor version adds rows; it
never deletes the old ones. Embedded files (images inside PDFs) become items of their own, with
custody, and are extracted in the next pass of the same run.
"""

from __future__ import annotations

import json
import time
import uuid
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from scrutiny import __version__
from scrutiny.core import utc_now
from scrutiny.extract.base import Child, Extractor, ItemInfo, Limits
from scrutiny.extract.job import Batch, Done, Job, dumps
from scrutiny.extract.pool import default_workers, run_jobs
from scrutiny.extract.records import records_from_name
from scrutiny.ingest.identify import identify
from scrutiny.store.catalog import FROM_LEAK

if TYPE_CHECKING:
    from scrutiny.case import Case

BATCH = 2000
FILENAME_EXTRACTOR = ("filename-records", "1")


class Progress(Protocol):
    def __call__(self, stage: str, done: int, total: int) -> None: ...


@dataclass
class ExtractSummary:
    run_id: str
    items: int = 0
    by_extractor: Counter[str] = field(default_factory=Counter)
    errors: int = 0
    metadata: int = 0
    texts: int = 0
    records: int = 0
    relations: int = 0
    filename_records: int = 0
    children: int = 0
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {"items": self.items, "by_extractor": dict(sorted(self.by_extractor.items())),
                "errors": self.errors, "metadata": self.metadata, "texts": self.texts,
                "records": self.records, "relations": self.relations,
                "filename_records": self.filename_records, "children": self.children,
                "seconds": round(self.seconds, 3)}


_dumps = dumps


class _Writer:
    """Buffers rows of the derived tables and writes them in batches. (A writer thread does
    not help: sqlcipher3 holds the GIL while it inserts.)"""

    def __init__(self, case: Case) -> None:
        self.db = case.db
        self.meta: list[tuple[Any, ...]] = []
        self.texts: list[tuple[Any, ...]] = []
        self.records: list[tuple[Any, ...]] = []
        row = self.db.execute("SELECT coalesce(max(id), 0) FROM records").fetchone()
        self.next_record = int(row[0]) + 1
        row = self.db.execute("SELECT coalesce(max(id), 0) FROM texts").fetchone()
        self.next_text = int(row[0]) + 1

    def encoded_records(self, extraction: int, sha: str, rows: Sequence[tuple[Any, ...]],
                        last_main: tuple[int, int] | None) -> tuple[int, int] | None:
        """Records encoded by a job: (index, location, main index, relation, name, id_number,
        sex, birth_date, fields, id_info, raw). A relative's main person is the job's latest
        main record: ``last_main`` = (its index in the job, its id) is passed from batch to
        batch (records of jobs running side by side interleave, so ids are not consecutive)."""
        for (i, location, main, relation, name, id_number, sex, birth, fields, id_info,
             raw) in rows:
            rid = self.next_record
            self.next_record += 1
            main_id = last_main[1] if main is not None and last_main and last_main[0] == main \
                else None
            self.records.append((rid, extraction, sha, "table", location, main_id, relation,
                                 name, id_number, sex, birth, fields, id_info, raw))
            if not relation:
                last_main = (i, rid)
        if len(self.records) >= BATCH:
            self.flush()
        return last_main

    def record(self, extraction: int, sha: str, source: str, location: str,
               main_id: int | None, relation: str, fields: Mapping[str, Any],
               id_info: Mapping[str, Any], raw: Mapping[str, Any]) -> int:
        rid = self.next_record
        self.next_record += 1
        self.records.append((rid, extraction, sha, source, location, main_id, relation,
                             fields.get("name"), fields.get("id_number"), fields.get("sex"),
                             fields.get("birth_date"), _dumps(fields), _dumps(id_info),
                             _dumps(raw)))
        if len(self.records) >= BATCH:
            self.flush()
        return rid

    def text(self, extraction: int, sha: str, location: str, text: str) -> None:
        self.texts.append((self.next_text, extraction, sha, location, text))
        self.next_text += 1
        if len(self.texts) >= 200:
            self.flush()

    def flush(self) -> None:
        """Write the buffered rows."""
        meta, texts, records = self.meta, self.texts, self.records
        self.meta, self.texts, self.records = [], [], []
        db = self.db
        if meta:
            db.executemany("INSERT INTO metadata(extraction_id, sha256, location, key, value, "
                           "raw) VALUES (?, ?, ?, ?, ?, ?)", meta)
        if texts:
            db.executemany("INSERT INTO texts(id, extraction_id, sha256, location, text) "
                           "VALUES (?, ?, ?, ?, ?)", texts)
            db.executemany("INSERT INTO texts_fts(rowid, text) VALUES (?, ?)",
                           [(t[0], t[4]) for t in texts])
        if records:
            db.executemany("INSERT INTO records(id, extraction_id, sha256, source, location, "
                           "main_id, relation, name, id_number, sex, birth_date, fields, "
                           "id_info, raw) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           records)


class _Run:
    def __init__(self, case: Case, extractors: Sequence[Extractor], limits: Limits,
                 overrides: Mapping[str, str] | None, actor: str,
                 progress: Progress | None, workers: int | None) -> None:
        self.case = case
        self.extractors = extractors
        self.limits = limits
        self.overrides = overrides
        self.actor = actor
        self.progress = progress
        self.summary = ExtractSummary(str(uuid.uuid4()))
        self.out = _Writer(case)
        self.workers = default_workers() if workers is None else workers
        self._since_commit = 0
        self._jobs: dict[int, tuple[str, str, float, tuple[int, int] | None]] = {}
        self._done = self._total = 0

    def _maybe_commit(self, weight: int = 1) -> None:
        self._since_commit += weight
        if self._since_commit >= BATCH:
            self.out.flush()
            self.case.commit()
            self.case.begin()
            self._since_commit = 0

    def pending(self) -> list[tuple[str, int, str, int]]:
        """(hash, size, mime, extractor index) for each item and each extractor that reads
        its type but has not seen it in its current version."""
        todo: list[tuple[str, int, str, int]] = []
        for n, ex in enumerate(self.extractors):
            mimes = sorted(ex.mimes)
            marks = ",".join("?" * len(mimes))
            rows = self.case.db.execute(
                f"SELECT sha256, size, mime FROM items i WHERE mime IN ({marks}) AND NOT EXISTS "  # noqa: S608
                "(SELECT 1 FROM extractions e WHERE e.sha256 = i.sha256 AND e.extractor = ? "
                f"AND e.version = ?) AND {FROM_LEAK} ORDER BY received, sha256",
                (*mimes, ex.name, ex.version))
            todo += [(r[0], int(r[1]), r[2], n) for r in rows]
        return todo

    def _names(self, sha: str) -> tuple[str, ...]:
        rows = self.case.db.execute("SELECT source, chain FROM provenances WHERE sha256 = ?",
                                    (sha,)).fetchall()
        names = []
        for source, chain in rows:
            members = json.loads(chain)
            names.append(members[-1] if members else source)
        return tuple(names)

    def _start(self, sha: str, ex_name: str, version: str) -> int:
        cur = self.case.db.execute(
            "INSERT INTO extractions(sha256, extractor, version, run_id, status, finished, "
            "seconds) VALUES (?, ?, ?, ?, 'running', ?, 0)",
            (sha, ex_name, version, self.summary.run_id, utc_now()))
        return int(cur.lastrowid)

    def _finish(self, extraction: int, started: float, error: str | None) -> None:
        self.case.db.execute(
            "UPDATE extractions SET status = ?, error = ?, finished = ?, seconds = ? "
            "WHERE id = ?", ("error" if error else "ok", error, utc_now(),
                             round(time.monotonic() - started, 4), extraction))

    def jobs(self, todo: Sequence[tuple[str, int, str, int]]) -> Iterator[Job]:
        """Jobs for the pool, each with its extraction row started as it is handed out."""
        for sha, size, mime, ex in todo:
            extractor = self.extractors[ex]
            extraction = self._start(sha, extractor.name, extractor.version)
            self._jobs[extraction] = (sha, extractor.name, time.monotonic(), None)
            yield Job(extraction, ex, ItemInfo(sha, size, mime, self._names(sha)))

    def take(self, message: Batch | Done) -> None:
        """Store one message of a job."""
        sha, ex_name, started, last_main = self._jobs[message.extraction]
        if isinstance(message, Batch):
            for location, key, value, raw in message.meta:
                self.out.meta.append((message.extraction, sha, location, key, value, raw))
            self.summary.metadata += len(message.meta)
            for location, text in message.texts:
                self.out.text(message.extraction, sha, location, text)
            self.summary.texts += len(message.texts)
            if message.records:
                last_main = self.out.encoded_records(message.extraction, sha, message.records,
                                                     last_main)
                self._jobs[message.extraction] = (sha, ex_name, started, last_main)
                self.summary.records += len(message.records)
                self.summary.relations += sum(1 for r in message.records if r[3])
            for child in message.children:
                self._store_child(child, sha)
            self._since_commit += message.size() // 100
            return
        del self._jobs[message.extraction]
        self._store_column_maps(message.extraction, sha, message.columns)
        self._finish(message.extraction, started, message.error)
        self.summary.items += 1
        self.summary.by_extractor[ex_name] += 1
        self.summary.errors += message.error is not None
        self._done += 1
        if self.progress is not None and (self._done % 20 == 0 or self._done == self._total):
            self.progress("extract", self._done, self._total)
        self._maybe_commit()

    def _store_column_maps(self, extraction: int, sha: str,
                           columns: Sequence[tuple[str, int, str, str | None, str]]) -> None:
        rows = [(extraction, sha, *c) for c in columns]
        if rows:
            self.case.db.executemany(
                "INSERT INTO column_maps(extraction_id, sha256, tbl, col, header, field, how) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)", rows)

    def _store_child(self, child: Child, parent: str) -> None:
        if self.summary.children >= self.limits.max_children * 100:
            return
        stored = self.case.blobs.put_bytes(child.data)
        ident = identify(stored.head, child.name)
        prov = self.case.db.execute(
            "SELECT source, chain FROM provenances WHERE sha256 = ? ORDER BY id LIMIT 1",
            (parent,)).fetchone()
        source, chain = (prov[0], json.loads(prov[1])) if prov else (f"item:{parent}", [])
        member = f"{child.location}/{child.name}" if child.location else child.name
        known = self.case.db.execute(
            "SELECT 1 FROM provenances WHERE sha256 = ? AND source = ? AND chain = ?",
            (stored.sha256, source, json.dumps([*chain, member], ensure_ascii=False)),
        ).fetchone()
        if known:
            return
        self.case.record(self.actor, "received", stored.sha256, {
            "run": self.summary.run_id, "size": stored.size, "mime": ident.mime,
            "magic": ident.magic, "source": source, "chain": [*chain, member],
            "parent": parent, "mtime": "", "ext_mime": ident.ext_mime,
            "ext_mismatch": ident.ext_mismatch, "new_item": stored.new,
            "extracted_by": "extract"})
        self.summary.children += 1

    def filename_records(self) -> None:
        """Records from the names files were received under (photo dumps)."""
        name, version = FILENAME_EXTRACTOR
        rows = self.case.db.execute(
            "SELECT sha256, size, mime FROM items i WHERE NOT EXISTS (SELECT 1 FROM "  # noqa: S608
            "extractions e WHERE e.sha256 = i.sha256 AND e.extractor = ? AND e.version = ?) "
            f"AND {FROM_LEAK} ORDER BY received, sha256", (name, version)).fetchall()
        for sha, _, _ in rows:
            found = [r for n in self._names(sha) for r in records_from_name(n)]
            if not found:
                continue
            started = time.monotonic()
            extraction = self._start(sha, name, version)
            seen: set[str] = set()
            for rec in found:
                if rec["id_number"] in seen:
                    continue
                seen.add(rec["id_number"])
                fields = {"id_number": rec["id_number"], "taken": rec["taken"],
                          "file_name": rec["file_name"]}
                self.out.record(extraction, sha, "filename", f"name:{rec['file_name']}",
                                None, "", fields, rec["id_info"], {"file_name": rec["file_name"]})
                self.summary.filename_records += 1
            self._finish(extraction, started, None)
            self._maybe_commit()

    def run(self) -> None:
        for _ in range(3):  # children found in one pass are extracted in the next
            todo = self.pending()
            if not todo:
                break
            self._done, self._total = 0, len(todo)
            workers = min(self.workers, len(todo))
            for message in run_jobs(self.jobs(todo), self.extractors, self.case.blobs.open,
                                    self.limits, self.overrides, workers):
                self.take(message)
            self.out.flush()
        self.filename_records()
        self.out.flush()


def extract_case(case: Case, extractors: Sequence[Extractor] | None = None,
                 limits: Limits | None = None, overrides: Mapping[str, str] | None = None,
                 actor: str = "scrutiny", progress: Progress | None = None,
                 ocr: bool = False, workers: int | None = None) -> ExtractSummary:
    """Extract every item of ``case`` not yet seen by the current extractor versions, in
    ``workers`` processes (default: one per core, at most 4; 0 = in this process)."""
    from scrutiny.extract.registry import builtin_extractors

    run = _Run(case, extractors if extractors is not None else builtin_extractors(ocr=ocr),
               limits or Limits(), overrides, actor, progress, workers)
    started = time.monotonic()
    case.begin()
    try:
        run.run()
    except BaseException:
        case.rollback()
        raise
    run.summary.seconds = time.monotonic() - started
    case.record(actor, "extracted", None, {"run": run.summary.run_id,
                                           "tool_version": __version__,
                                           "extractors": {e.name: e.version
                                                          for e in run.extractors},
                                           "summary": run.summary.to_json()})
    case.commit()
    return run.summary


def iter_records(case: Case, sha256: str) -> Iterator[dict[str, Any]]:
    """The records extracted from one item, in order. ``raw`` is the source row as a dict of
    its non-empty cells by header (``cells`` keeps the row exactly as read)."""
    headers: dict[tuple[int, str], dict[int, str]] = {}
    for extraction, table, col, header in case.db.execute(
            "SELECT m.extraction_id, m.tbl, m.col, m.header FROM column_maps m "
            "JOIN extractions e ON e.id = m.extraction_id WHERE e.sha256 = ?", (sha256,)):
        headers.setdefault((extraction, table), {})[col] = header or f"column {col + 1}"
    cur = case.db.execute("SELECT id, extraction_id, source, location, main_id, relation, "
                          "fields, id_info, raw FROM records WHERE extraction_id IN "
                          "(SELECT id FROM extractions WHERE sha256 = ?) ORDER BY id",
                          (sha256,))
    for rid, extraction, source, location, main_id, relation, fields, id_info, raw in cur:
        stored = json.loads(raw)
        if isinstance(stored, list):
            table = location.rsplit("!row:", 1)[0] if "!row:" in location else ""
            names = headers.get((extraction, table), {})
            cells = stored
            row = {names.get(i, f"column {i + 1}"): v for i, v in enumerate(stored)
                   if v not in (None, "")}
        else:
            cells, row = list(stored.values()), stored
        yield {"id": rid, "source": source, "location": location, "main_id": main_id,
               "relation": relation, "fields": json.loads(fields),
               "id_info": json.loads(id_info), "raw": row, "cells": cells}
