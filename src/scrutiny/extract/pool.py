"""Run extraction jobs in worker processes, each job under a hard time limit.

Parsers of hostile files can hang inside C code or crash the interpreter; a worker process is
the unit that can be stopped. Each worker is forked from the main process (it inherits the
extractors and the evidence store's keys, and only ever reads blobs; the catalog is written by
the main process alone), takes one job at a time and streams its batches back through its own
pipe, so a full pipe holds the worker back and memory stays bounded. A worker that exceeds the
limit is killed; one that dies (a crash in a C library, the kernel's out-of-memory killer) is
replaced. Either way the job ends with an error for that item and the run goes on.

Forking also puts the parsing and the catalog writes on different cores.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import queue
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any, BinaryIO

from scrutiny.extract.base import Extractor, Limits
from scrutiny.extract.job import Done, Job, Message, run_job


def hard_limit(limits: Limits) -> float:
    """Seconds after which a job is killed: its soft budget (which the job enforces itself,
    between outputs) plus a grace of a quarter of it, between 1 and 15 s."""
    return limits.time_budget + min(15.0, max(1.0, limits.time_budget / 4))


def default_workers() -> int:
    """Worker processes to use: one per core, at most 4; 0 where fork is unavailable."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return 0
    return max(1, min(4, os.cpu_count() or 1))


def _serve(conn: Connection, extractors: Sequence[Extractor],
           open_blob: Callable[[str], BinaryIO], limits: Limits,
           overrides: Mapping[str, str] | None) -> None:
    """A worker's loop: receive a job, send its messages; ``None`` ends it. Messages go out
    through a sender thread and a short queue, so the worker parses the next batch while
    the main process is still writing the last one (a pipe holds far less than a batch)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the main process's to handle
    gc.freeze()  # the inherited heap: not traversed by collections (no copy-on-write faults)
    outbox: queue.Queue[Message | None] = queue.Queue(maxsize=4)

    def sender() -> None:
        while (message := outbox.get()) is not None:
            conn.send(message)

    thread = threading.Thread(target=sender, daemon=True)
    thread.start()
    while True:
        job = conn.recv()
        if job is None:
            break
        for message in run_job(job, extractors[job.extractor], open_blob, limits, overrides):
            outbox.put(message)
    outbox.put(None)
    thread.join()


@dataclass
class _Worker:
    process: Any
    conn: Connection
    job: Job | None = None
    started: float = 0.0


def _death(process: Any) -> str:
    process.join(timeout=1.0)
    code = process.exitcode
    if code is not None and code < 0:
        try:
            return f"signal {signal.Signals(-code).name}"
        except ValueError:
            return f"signal {-code}"
    return f"exit status {code}"


def run_jobs(jobs: Iterable[Job], extractors: Sequence[Extractor],
             open_blob: Callable[[str], BinaryIO], limits: Limits,
             overrides: Mapping[str, str] | None, workers: int) -> Iterator[Message]:
    """Messages of every job (each job's in order; jobs interleaved). Jobs are drawn from
    ``jobs`` lazily, as workers become free. ``workers=0`` runs them in this process,
    without the hard time limit."""
    if workers <= 0:
        for job in jobs:
            yield from run_job(job, extractors[job.extractor], open_blob, limits, overrides)
        return
    ctx = multiprocessing.get_context("fork")

    def spawn() -> _Worker:
        mine, theirs = ctx.Pipe(duplex=True)
        process = ctx.Process(target=_serve, args=(theirs, extractors, open_blob, limits,
                                                   overrides), daemon=True,
                              name="scrutiny-extract")
        process.start()
        theirs.close()
        return _Worker(process, mine)

    def retire(w: _Worker) -> None:
        w.conn.close()
        if w.process.is_alive():
            w.process.kill()
        w.process.join(timeout=5.0)

    def give(w: _Worker, job: Job) -> _Worker:
        try:
            w.conn.send(job)
        except OSError:  # the idle worker died: a fresh one gets the job
            retire(w)
            w = spawn()
            w.conn.send(job)
        w.job, w.started = job, time.monotonic()
        return w

    kill_after = hard_limit(limits)
    pool: list[_Worker] = []
    source = iter(jobs)
    waiting: Job | None = None
    exhausted = False
    try:
        while True:
            if waiting is None and not exhausted:
                waiting = next(source, None)
                exhausted = waiting is None
            if waiting is not None:
                idle = next((i for i, w in enumerate(pool) if w.job is None), None)
                if idle is None and len(pool) < workers:
                    pool.append(spawn())
                    idle = len(pool) - 1
                if idle is not None:
                    pool[idle] = give(pool[idle], waiting)
                    waiting = None
                    continue
            busy = [w for w in pool if w.job is not None]
            if not busy:
                return
            deadline = min(w.started for w in busy) + kill_after
            ready = wait([w.conn for w in busy], timeout=max(0.0, deadline - time.monotonic()))
            for w in busy:
                if w.conn not in ready or w.job is None:
                    continue
                try:
                    message = w.conn.recv()
                except (EOFError, OSError):
                    job, w.job = w.job, None
                    why = _death(w.process)
                    retire(w)
                    pool[pool.index(w)] = spawn()
                    yield Done(job.extraction, f"the extraction process died on this file "
                                               f"({why}); what it sent before is kept", [])
                    continue
                yield message
                if isinstance(message, Done):
                    w.job = None
            now = time.monotonic()
            for i, w in enumerate(pool):
                if w.job is not None and now - w.started > kill_after:
                    job, w.job = w.job, None
                    retire(w)
                    pool[i] = spawn()
                    yield Done(job.extraction, f"extraction did not finish within "
                                               f"{kill_after:.0f} s and was stopped; what it "
                                               "sent before is kept", [])
    finally:
        for w in pool:
            try:
                if w.job is None:
                    w.conn.send(None)
            except OSError:
                pass
        for w in pool:
            w.process.join(timeout=2.0)
            retire(w)
