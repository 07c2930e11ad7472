"""One run of the case (an ingest, an attachment…) and the files it received, for showing
the result of an upload in the web workbench."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

__all__ = ["Run", "RunItem", "get_run", "run_items"]


@dataclass(frozen=True)
class Run:
    id: str
    kind: str
    started: str
    finished: str | None
    actor: str
    note: str | None
    args: tuple[str, ...]
    status: str
    summary: dict[str, Any]


@dataclass(frozen=True)
class RunItem:
    """A file a run received: its hash, type, size, where it came from, and the archive it
    was unpacked from (None for a file given as such)."""

    sha256: str
    mime: str
    size: int
    source: str
    parent: str | None


def get_run(db: Any, run_id: str) -> Run | None:
    """The run ``run_id`` (None when there is none)."""
    r = db.execute("SELECT id, kind, started, finished, actor, note, args, status, summary "
                   "FROM runs WHERE id = ?", (run_id,)).fetchone()
    if r is None:
        return None
    return Run(r[0], r[1], r[2], r[3], r[4], r[5], tuple(json.loads(r[6] or "[]")), r[7],
               json.loads(r[8]) if r[8] else {})


def run_items(db: Any, run_id: str, limit: int = 200) -> list[RunItem]:
    """The files ``run_id`` received (newest first, at most ``limit``). Provenances have no
    index by run: they are read from the newest backwards and the search stops after the
    number the run's summary says it added, so this is quick for a recent run (the page after
    an upload) and bounded by ``limit`` rows of output for any run."""
    run = get_run(db, run_id)
    if run is None:
        return []
    wanted = min(limit, int(run.summary.get("new_provenances", limit)))
    if wanted <= 0:
        return []
    rows = db.execute(
        "SELECT p.sha256, i.mime, i.size, p.source, p.parent FROM provenances p "
        "JOIN items i ON i.sha256 = p.sha256 WHERE p.run_id = ? ORDER BY p.id DESC LIMIT ?",
        (run_id, wanted))
    return [RunItem(r[0], r[1], int(r[2]), r[3], r[4]) for r in rows]
