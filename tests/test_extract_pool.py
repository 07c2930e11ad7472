"""Extraction in worker processes: a hanging or crashing parser costs one item, never the run,
and workers give the same results as extraction in one process."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from scrutiny.case import Case
from scrutiny.extract.base import ItemInfo, Limits, Meta, Output
from scrutiny.extract.registry import builtin_extractors
from scrutiny.extract.run import extract_case, iter_records
from scrutiny.ingest import ingest
from scrutiny.store.integrity import verify_case
from scrutiny.synth.leak import LeakConfig, generate_leak


class Troublesome:
    """Reads text files; hangs on one whose content says HANG, dies on one that says CRASH,
    and yields a metadata value for any other."""

    name = "troublesome"
    version = "1"
    mimes = frozenset({"text/plain"})

    def extract(self, f: BinaryIO, item: ItemInfo, limits: Limits) -> Iterator[Output]:
        data = f.read()
        yield Meta("", "Test:Size", len(data))
        if data.startswith(b"HANG"):
            time.sleep(3600)  # a parser stuck in C code never returns to check its budget
        if data.startswith(b"CRASH"):
            os.kill(os.getpid(), signal.SIGSEGV)  # a parser crashing the interpreter
        yield Meta("", "Test:Done", True)


def errors_by_name(case: Case) -> dict[str, Any]:
    return {Path(src).name: (status, error) for src, status, error in case.db.execute(
        "SELECT p.source, e.status, e.error FROM extractions e JOIN provenances p "
        "USING (sha256) WHERE e.extractor = 'troublesome'")}


def test_a_hanging_and_a_crashing_parser_cost_one_item_each(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "hang.txt").write_text("HANG forever\n")
    (src / "crash.txt").write_text("CRASH now\n")
    for n in range(6):
        (src / f"fine{n}.txt").write_text(f"fine file {n}\n")
    with Case.create(tmp_path / "case") as case:
        ingest(case, [src])
        started = time.monotonic()
        s = extract_case(case, extractors=[Troublesome()], limits=Limits(time_budget=1.0),
                         workers=2)
        took = time.monotonic() - started
        found = errors_by_name(case)
        done = case.db.execute("SELECT count(*) FROM metadata WHERE key = 'Test:Done'"
                               ).fetchone()[0]
        report = verify_case(case.blobs, case.log, case.db)
    assert s.items == 8 and s.errors == 2
    assert found["hang.txt"][0] == "error" and "stopped" in found["hang.txt"][1]
    assert found["crash.txt"][0] == "error" and "SIGSEGV" in found["crash.txt"][1]
    assert all(found[f"fine{n}.txt"] == ("ok", None) for n in range(6))
    assert done == 6
    assert took < 60  # the hang was cut short, not waited out (an hour)
    assert report.intact


def test_workers_and_one_process_store_the_same_records(tmp_path: Path) -> None:
    generate_leak(tmp_path / "synthetic", LeakConfig(people=60, photos=8, seed=5))
    results = []
    for workers in (0, 2):
        with Case.create(tmp_path / f"case{workers}") as case:
            ingest(case, [tmp_path / "synthetic" / "leak"])
            s = extract_case(case, workers=workers)
            shas = [r[0] for r in case.db.execute("SELECT sha256 FROM items ORDER BY sha256")]
            records = {sha: [(r["location"], r["relation"], r["fields"], r["raw"],
                              r["main_id"] is not None) for r in iter_records(case, sha)]
                       for sha in shas}
            metadata = case.db.execute(
                "SELECT count(*), count(DISTINCT sha256) FROM metadata").fetchone()
            results.append((s.records, s.relations, s.errors, records, metadata))
    assert results[0] == results[1]
    assert results[0][0] > 60 and results[0][1] > 0


def test_builtin_extractors_pickle_free_fork_is_used() -> None:
    # the pool forks: extractors are inherited, never pickled; they must still be plain
    # objects with the registry's attributes
    for ex in builtin_extractors():
        assert ex.name and ex.version and ex.mimes
