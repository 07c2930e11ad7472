"""One extraction job: run one extractor over one item and turn its outputs into batches of
rows ready for the catalog. Pure of the catalog: this runs inside a worker process (see
``scrutiny.extract.pool``), which only reads the blob; the main process writes the batches.

Messages, in order: any number of ``Batch`` objects, then one ``Done``. Records carry the index
(within the job) of the main person a relative belongs to; the writer turns it into a row id.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, BinaryIO

import orjson

from scrutiny.extract.base import (
    Child,
    ExtractionError,
    Extractor,
    ItemInfo,
    Limits,
    Meta,
    Row,
    Text,
)
from scrutiny.extract.records import TableRecords

BATCH_ROWS = 2000          # records or metadata values per batch
BATCH_TEXT = 4_000_000     # characters of text per batch
BATCH_CHILD_BYTES = 16 << 20


def dumps(value: Any) -> str:
    """Compact JSON (UTF-8, not ASCII-escaped); values JSON lacks become strings."""
    return orjson.dumps(value, default=str, option=orjson.OPT_NON_STR_KEYS).decode()


@dataclass(frozen=True)
class Job:
    extraction: int     # the catalog's extraction id, assigned by the main process
    extractor: int      # index into the run's extractor list
    item: ItemInfo


@dataclass
class Batch:
    extraction: int
    # (location, key, value JSON, raw)
    meta: list[tuple[str, str, str, str | None]] = field(default_factory=list)
    # (location, text)
    texts: list[tuple[str, str]] = field(default_factory=list)
    # (index, location, main index or None, relation, name, id_number, sex, birth_date,
    #  fields JSON, id_info JSON, cells JSON)
    records: list[tuple[Any, ...]] = field(default_factory=list)
    children: list[Child] = field(default_factory=list)

    def size(self) -> int:
        return len(self.meta) + len(self.records)


@dataclass
class Done:
    extraction: int
    error: str | None
    # (table, column index, header, field, how)
    columns: list[tuple[str, int, str, str | None, str]]


Message = Batch | Done


def run_job(job: Job, extractor: Extractor, open_blob: Callable[[str], BinaryIO],
            limits: Limits, overrides: Mapping[str, str] | None) -> Iterator[Message]:
    """Run one job; never raises for a bad file (the error goes into ``Done``)."""
    started = time.monotonic()
    tables = TableRecords(overrides)
    batch = Batch(job.extraction)
    text_chars = child_bytes = 0
    records = 0
    index_of: dict[str, int] = {}     # location of the current main person → record index
    error: str | None = None
    try:
        if job.item.size > limits.max_bytes:
            raise ExtractionError(f"the file is larger than {limits.max_bytes:,} bytes; it "
                                  "was not parsed")
        with open_blob(job.item.sha256) as f:
            for output in extractor.extract(f, job.item, limits):
                if isinstance(output, Row):  # first: a roster yields millions
                    rec = tables.feed(output.table, output.number, output.header,
                                      output.cells, output.location)
                    if rec is not None:
                        main = index_of.get(rec.main_location) if rec.main_location else None
                        f_ = rec.fields
                        batch.records.append((
                            records, rec.location, main, rec.relation, f_.get("name"),
                            f_.get("id_number"), f_.get("sex"), f_.get("birth_date"),
                            dumps(f_), dumps(rec.id_info), dumps(rec.cells)))
                        if not rec.relation:
                            index_of.clear()
                            index_of[rec.location] = records
                        records += 1
                elif isinstance(output, Meta):
                    batch.meta.append((output.location, output.key, dumps(output.value),
                                       output.raw))
                elif isinstance(output, Text):
                    if output.text.strip():
                        batch.texts.append((output.location, output.text))
                        text_chars += len(output.text)
                elif isinstance(output, Child):
                    batch.children.append(output)
                    child_bytes += len(output.data)
                if (batch.size() >= BATCH_ROWS or text_chars >= BATCH_TEXT
                        or child_bytes >= BATCH_CHILD_BYTES):
                    yield batch
                    batch = Batch(job.extraction)
                    text_chars = child_bytes = 0
                if time.monotonic() - started > limits.time_budget:
                    raise ExtractionError(f"extraction took longer than "
                                          f"{limits.time_budget:.0f} s; the rest of the file "
                                          "was not read")
    except ExtractionError as exc:
        error = str(exc)
    except MemoryError:
        error = "the file needed more memory than extraction may use; it was not fully read"
    except Exception as exc:  # a bad file must never stop the run
        error = f"the extractor failed on this file: {type(exc).__name__}: {exc}"
    if batch.size() or batch.texts or batch.children:
        yield batch
    columns = [(table, c.index, c.header, c.field, c.how)
               for table, cols in tables.columns.items() for c in cols]
    yield Done(job.extraction, error, columns)
