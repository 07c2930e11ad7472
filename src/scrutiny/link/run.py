"""``link_case``: link a case's leak records with a reference database, or among themselves.

Steps:

1. **Features.** Leak records (those with a name: photo-file-name records carry only an ID
   number and would repeat their roster row's match) are streamed from the catalog through
   ``case.db`` — so an encrypted (SQLCipher) catalog works exactly like a plain one — in
   batches of :data:`BATCH` rows; each batch becomes an Arrow table of
   :func:`scrutiny.link.features.features` rows and is appended to a DuckDB table. The same
   for the reference set's entries. No step holds all records as Python objects.
2. **Model.** :func:`scrutiny.link.model.fit_predict` on those tables: DuckDB by default;
   with ``backend="spark"`` the tables go to a local SparkSession as Arrow (``local[2]``,
   a shuffle partition per 250,000 rows, 1–16; UI off; 127.0.0.1 only) and the same
   settings run there.
3. **Results.** One ``link_runs`` row (the trained model's JSON, counts and timings in
   ``stats``) and one ``matches`` row per pair above the threshold, with its explanation,
   in one catalog transaction.

**Temporary data.** DuckDB runs in memory (``memory_limit`` :data:`MEMORY_LIMIT`, or the
``SCRUTINY_LINK_MEMORY`` environment variable) and spills to a private directory
(``mkdtemp``, mode 0700) that is removed afterwards, also on error; Spark's local dir is
inside it too. The trade-off: spilling lets a million-record link finish on a laptop, but
while it runs the spill files hold plaintext features (names, ID numbers, birth dates)
even for an encrypted case, and a killed process can leave them behind in the system
temporary directory. Set ``SCRUTINY_LINK_SPILL=0`` to forbid spilling (nothing touches the
disk; a link larger than memory then fails instead).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import asdict, dataclass, field, is_dataclass
from pathlib import Path
from typing import Any, Literal

import duckdb
import pyarrow as pa  # type: ignore[import-untyped]

from scrutiny import __version__
from scrutiny.case import Case
from scrutiny.core import ScrutinyError, utc_now
from scrutiny.link.features import COLUMNS, feature_columns
from scrutiny.link.model import DEFAULT_THRESHOLD, Kind, ModelResult, fit_predict

__all__ = ["BATCH", "MEMORY_LIMIT", "PARALLEL_FROM", "LinkSummary", "feature_schema",
           "feature_workers", "link_case", "load_features", "open_workspace"]

BATCH = 5000
#: feature rows from which they are built in worker processes
PARALLEL_FROM = 50_000
MEMORY_LIMIT = "3GB"
Progress = Callable[[str, int, int], None]
Backend = Literal["duckdb", "spark"]

_ARROW_TYPES: dict[str, pa.DataType] = {
    "BIGINT": pa.int64(), "VARCHAR": pa.string(), "INTEGER": pa.int32(),
    "VARCHAR[]": pa.list_(pa.string()),
}


def feature_schema() -> pa.Schema:
    """Arrow schema of a feature table (:data:`scrutiny.link.features.COLUMNS`)."""
    return pa.schema([(c, _ARROW_TYPES[t]) for c, t in COLUMNS.items()])


@dataclass
class LinkSummary:
    """What a linkage run did: counts, timings (seconds), the blocking counts."""

    run_id: int
    kind: str
    backend: str
    set_id: int | None
    threshold: float
    records: int = 0
    entries: int = 0
    compared: int = 0
    matches: int = 0
    timings: dict[str, float] = field(default_factory=dict)
    blocking: list[dict[str, Any]] = field(default_factory=list)
    training: dict[str, Any] = field(default_factory=dict)


# -- workspace -----------------------------------------------------------------------------


class _Workspace:
    """An in-memory DuckDB with a private spill directory, removed on close."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="scrutiny-link-"))
        os.chmod(self.dir, 0o700)
        self.con = duckdb.connect(":memory:")
        limit = os.environ.get("SCRUTINY_LINK_MEMORY", MEMORY_LIMIT)
        self.con.execute(f"SET memory_limit = '{limit}'")
        if os.environ.get("SCRUTINY_LINK_SPILL", "1") != "0":
            self.con.execute(f"SET temp_directory = '{self.dir / 'spill'}'")
        else:
            self.con.execute("SET temp_directory = ''")
        self.con.execute("SET preserve_insertion_order = false")

    def close(self) -> None:
        try:
            self.con.close()
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> _Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_workspace() -> _Workspace:
    """A fresh workspace (use ``with``); for benchmarks that build feature tables directly."""
    return _Workspace()


def _batches(rows: Iterable[Mapping[str, Any]], size: int,
             ) -> Iterator[list[Mapping[str, Any]]]:
    batch: list[Mapping[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def feature_workers(total: int) -> int:
    """Worker processes for building ``total`` feature rows: none below
    :data:`PARALLEL_FROM` rows (starting processes costs more than it saves), else one per
    core (``SCRUTINY_LINK_WORKERS`` overrides; 0 forbids)."""
    env = os.environ.get("SCRUTINY_LINK_WORKERS")
    if env is not None and env.strip().isdigit():
        return int(env)
    return 0 if total < PARALLEL_FROM else max(1, min(os.cpu_count() or 1, 8))


def load_features(con: duckdb.DuckDBPyConnection, table: str,
                  rows: Iterable[Mapping[str, Any]], progress: Progress | None = None,
                  total: int = 0, workers: int | None = None) -> int:
    """Append the feature rows of ``rows`` (catalog rows as mappings) to DuckDB ``table``
    (created if missing), :data:`BATCH` at a time. Returns the number of rows.

    With ``workers`` (default :func:`feature_workers` of ``total``) the features are built
    in that many worker processes while this one reads the next batches: batches go to the
    workers through pipes (memory only, nothing on disk) and come back as columns in
    their order, at most two per worker in flight, so memory stays bounded."""
    cols = ", ".join(f"{c} {t}" for c, t in COLUMNS.items())
    con.execute(f"CREATE TABLE IF NOT EXISTS {table} ({cols})")
    done = 0

    schema = feature_schema()

    def insert(columns: dict[str, list[Any]]) -> None:
        nonlocal done
        # column lists convert to Arrow about twice as fast as a list of row dicts
        arrow = pa.Table.from_pydict(columns, schema=schema)
        con.execute(f"INSERT INTO {table} SELECT * FROM arrow")  # noqa: S608 - our table
        done += arrow.num_rows
        if progress is not None:
            progress(f"features {table}", done, total)

    n = feature_workers(total) if workers is None else workers
    if n <= 0:
        for batch in _batches(rows, BATCH):
            insert(feature_columns(batch))
        return done
    # spawn, not fork: a fork copies this process with DuckDB's and Splink's threads
    # mid-flight, and a worker can die on a lock copied in a held state (seen after a
    # previous link in the same process). Spawned workers start clean; like all
    # multiprocessing code, a script calling this must guard its entry point with
    # ``if __name__ == "__main__":`` (the ``scrutiny`` command does).
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(n, mp_context=ctx) as pool:
        pending: deque[Future[dict[str, list[Any]]]] = deque()
        for batch in _batches(rows, BATCH):
            pending.append(pool.submit(feature_columns, batch))
            while len(pending) >= 2 * n:
                insert(pending.popleft().result())
        while pending:
            insert(pending.popleft().result())
    return done


# -- reading the catalog -------------------------------------------------------------------

_PERSON_COLS = ("id", "name", "id_number", "sex", "birth_date", "fields")


def _records(db: Any) -> Iterator[dict[str, Any]]:
    yield from _people(db.execute(
        "SELECT id, name, id_number, sex, birth_date, fields FROM records "
        "WHERE name IS NOT NULL AND name != '' ORDER BY id"))


def _as_mapping(entry: Any) -> Mapping[str, Any]:
    if hasattr(entry, "as_person"):
        return dict(entry.as_person())
    if isinstance(entry, Mapping):
        return entry
    if is_dataclass(entry) and not isinstance(entry, type):
        return asdict(entry)
    if hasattr(entry, "keys"):
        return {k: entry[k] for k in entry.keys()}  # noqa: SIM118 - sqlite Row
    return dict(zip(_PERSON_COLS, entry, strict=False))


def _entries(db: Any, set_id: int) -> Iterator[Mapping[str, Any]]:
    """Reference entries of a set: the reference module's ``iter_entries`` when it is there,
    else straight from the table."""
    try:
        from scrutiny.link import reference as ref_mod

        iter_entries = ref_mod.iter_entries
    except (ImportError, AttributeError):
        iter_entries = None
    if iter_entries is not None:
        for e in iter_entries(db, set_id):
            yield _as_mapping(e)
        return
    yield from _people(db.execute(
        "SELECT id, name, id_number, sex, birth_date, fields FROM reference_entries "
        "WHERE set_id = ? ORDER BY id", (set_id,)))


def _people(cur: Any) -> Iterator[dict[str, Any]]:
    """The rows of a cursor as person mappings, fetched BATCH at a time."""
    while True:
        chunk = cur.fetchmany(BATCH)
        if not chunk:
            return
        for r in chunk:
            yield dict(zip(_PERSON_COLS, r, strict=True))


def _set_id(db: Any, reference: str | None) -> int:
    if reference is None:
        row = db.execute("SELECT id FROM reference_sets ORDER BY id DESC LIMIT 1").fetchone()
        if row is None:
            raise ScrutinyError("no reference database imported; import one first")
        return int(row[0])
    found: Any
    try:
        from scrutiny.link import reference as ref_mod

        found = ref_mod.newest_set(db, reference)
    except (ImportError, AttributeError):
        row = db.execute("SELECT id FROM reference_sets WHERE name = ? "
                         "ORDER BY version DESC LIMIT 1", (reference,)).fetchone()
        found = row[0] if row else None
    if found is None:
        raise ScrutinyError(f"no reference database named {reference!r}")
    if isinstance(found, int):
        return found
    if isinstance(found, Mapping):
        return int(found["id"])
    return int(found.id if hasattr(found, "id") else found[0])


def _labels(db: Any, kind: Kind, set_id: int | None) -> tuple[list[tuple[int, int]], int]:
    """Accepted pairs (newest judgement per pair) for this kind of run; and the number
    of rejected ones."""
    if kind == "link":
        sql = ("SELECT j.left_record, j.right_entry, j.decision FROM judgements j "
               "JOIN reference_entries e ON e.id = j.right_entry WHERE e.set_id = ? "
               "ORDER BY j.id")
        args: tuple[Any, ...] = (set_id,)
    else:
        sql = ("SELECT left_record, right_record, decision FROM judgements "
               "WHERE right_record IS NOT NULL ORDER BY id")
        args = ()
    newest: dict[tuple[int, int], str] = {}
    for left, right, decision in db.execute(sql, args):
        newest[(int(left), int(right))] = decision
    accepted = [p for p, d in newest.items() if d == "accept"]
    rejected = sum(1 for d in newest.values() if d == "reject")
    return accepted, rejected


# -- backends ------------------------------------------------------------------------------


def _duckdb_api(ws: _Workspace) -> Any:
    from splink import DuckDBAPI

    return DuckDBAPI(connection=ws.con)


def spark_session(local_dir: Path, partitions: int = 4) -> Any:
    """A local SparkSession for linkage: two cores, few shuffle partitions, no UI, loopback
    only, Splink's similarity UDF jar, scratch space under ``local_dir``."""
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    return (SparkSession.builder.master("local[2]").appName("scrutiny-link")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.sql.shuffle.partitions", str(partitions))
            .config("spark.default.parallelism", str(partitions))
            .config("spark.local.dir", str(local_dir))
            .config("spark.sql.warehouse.dir", str(local_dir / "warehouse"))
            .config("spark.sql.catalogImplementation", "in-memory")
            .config("spark.sql.execution.arrow.pyspark.enabled", "true")
            .config("spark.jars", similarity_jar_location())
            .getOrCreate())


def _run_spark(ws: _Workspace, tables: Sequence[str], kind: Kind, threshold: float,
               labels: Sequence[tuple[int, int]], say: Callable[[str], None]) -> ModelResult:
    from splink import SparkAPI

    rows = sum(int(ws.con.table(t).count("*").fetchall()[0][0]) for t in tables)
    partitions = max(1, min(16, rows // 250_000))  # Spark's per-task cost rules small data
    spark = spark_session(ws.dir / "spark", partitions)
    spark.sparkContext.setLogLevel("ERROR")
    try:
        for t in tables:
            arrow = ws.con.table(t).arrow()
            if hasattr(arrow, "read_all"):
                arrow = arrow.read_all()
            spark.createDataFrame(arrow).createOrReplaceTempView(f"spark_{t}")
        api = SparkAPI(  # type: ignore[no-untyped-call]
            spark_session=spark, break_lineage_method="persist",
            num_partitions_on_repartition=partitions)
        return fit_predict(api, [f"spark_{t}" for t in tables], kind, threshold=threshold,
                           labels=labels, count_blocking=False, progress=say)
    finally:
        spark.catalog.clearCache()
        spark.stop()


# -- the run -------------------------------------------------------------------------------


def link_case(case: Case, reference: str | None = None, dedupe: bool = False,
              backend: Backend | str = "duckdb", threshold: float = DEFAULT_THRESHOLD,
              actor: str = "",
              progress: Progress | None = None) -> LinkSummary:
    """Link the case's leak records with reference database ``reference`` (its newest
    version; None: the set imported last), or with each other (``dedupe``), store the run
    and its matches, and return a summary. See the module docstring for the steps."""
    if backend not in ("duckdb", "spark"):
        raise ScrutinyError(f"unknown linkage backend {backend!r} (duckdb or spark)")
    if not 0.0 < threshold < 1.0:
        raise ScrutinyError("the threshold is a match probability between 0 and 1")
    kind: Kind = "dedupe" if dedupe else "link"
    db = case.db
    set_id = None if dedupe else _set_id(db, reference)
    started = utc_now()
    timings: dict[str, float] = {}
    t0 = time.perf_counter()

    def say(msg: str) -> None:
        if progress is not None:
            progress(msg, 0, 0)

    with _Workspace() as ws:
        total = int(db.execute("SELECT count(*) FROM records WHERE name IS NOT NULL "
                               "AND name != ''").fetchone()[0])
        n_records = load_features(ws.con, "leak_features", _records(db), progress, total)
        n_entries = 0
        tables = ["leak_features"]
        if set_id is not None:
            size = int(db.execute("SELECT count(*) FROM reference_entries WHERE set_id = ?",
                                  (set_id,)).fetchone()[0])
            n_entries = load_features(ws.con, "reference_features", _entries(db, set_id),
                                      progress, size)
            tables.append("reference_features")
        timings["features"] = time.perf_counter() - t0
        labels, rejected = _labels(db, kind, set_id)
        if n_records == 0 or (kind == "link" and n_entries == 0) or (
                kind == "dedupe" and n_records < 2):
            result = ModelResult([], {}, [], {"skipped": "nothing to compare"})
        elif backend == "spark":
            result = _run_spark(ws, tables, kind, threshold, labels, say)
        else:
            result = fit_predict(_duckdb_api(ws), tables, kind, threshold=threshold,
                                 labels=labels, progress=say)
    timings.update(result.timings)
    training = dict(result.training, labels_rejected=rejected)
    t1 = time.perf_counter()
    summary = LinkSummary(0, kind, backend, set_id, threshold, n_records, n_entries,
                          result.compared, len(result.pairs), timings, result.blocking,
                          training)
    with case.transaction():
        stats = {"records": n_records, "entries": n_entries, "compared": result.compared,
                 "matches": len(result.pairs), "blocking": result.blocking,
                 "training": training, "timings": timings, "tool_version": __version__}
        cur = db.execute(
            "INSERT INTO link_runs(kind, set_id, backend, threshold, model, started_at, "
            "finished_at, actor, stats) VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?)",
            ("dedupe" if dedupe else "reference", set_id, backend, threshold,
             json.dumps(result.model, ensure_ascii=False), started, actor or "scrutiny",
             json.dumps(stats, ensure_ascii=False)))
        run_id = int(cur.lastrowid)
        right_col = "right_record" if dedupe else "right_entry"
        db.executemany(
            f"INSERT INTO matches(run_id, left_record, {right_col}, probability, weight, "  # noqa: S608
            "explanation) VALUES (?, ?, ?, ?, ?, ?)",
            ((run_id, p.left, p.right, p.probability, p.weight,
              json.dumps(p.explanation, ensure_ascii=False)) for p in result.pairs))
        timings["store"] = time.perf_counter() - t1
        timings["total"] = time.perf_counter() - t0
        stats["timings"] = timings
        db.execute("UPDATE link_runs SET finished_at = ?, stats = ? WHERE id = ?",
                   (utc_now(), json.dumps(stats, ensure_ascii=False), run_id))
        # the custody log says who linked what against what, and what came out (the
        # candidate pairs themselves are derived data, made again by linking)
        case.record(actor or "scrutiny", "linked", None, {
            "link_run": run_id, "kind": "dedupe" if dedupe else "reference",
            "reference_set": set_id, "backend": backend, "threshold": threshold,
            "records": n_records, "entries": n_entries, "compared": result.compared,
            "matches": len(result.pairs), "tool_version": __version__})
    summary.run_id = run_id
    return summary
