"""``scrutiny check``: run the selected checks over the case, store their findings, and record
the run in the custody log.

Per-record checks run first, over records no earlier run of the same check version has seen
(incremental); then per-item checks, over items not seen yet; then corpus checks, over the
whole case (their findings are stored once: the same observation made again is not
duplicated). A check that fails on one subject yields an ``info`` finding "could not check"
with the error, and the run goes on. The run's custody event carries the checks and versions,
the counts, and a digest of the keys of the findings it added, so the set of findings can be
re-verified against the log.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
import uuid
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import orjson

from scrutiny import __version__
from scrutiny.checks.base import (
    Check,
    Context,
    CorpusCheck,
    Item,
    ItemCheck,
    Record,
    RecordCheck,
)
from scrutiny.checks.registry import all_checks, select
from scrutiny.core import Finding, Severity, utc_now
from scrutiny.store.catalog import FROM_LEAK, insert_finding

if TYPE_CHECKING:
    from scrutiny.case import Case

PAGE = 5000           # records read per query
COMMIT_EVERY = 50_000  # records checked per transaction


class Progress(Protocol):
    def __call__(self, stage: str, done: int, total: int) -> None: ...


@dataclass
class CheckSummary:
    run_id: str
    checks: list[str] = field(default_factory=list)
    records: int = 0
    findings: Counter[str] = field(default_factory=Counter)   # new findings by code
    could_not_check: int = 0
    seconds: float = 0.0
    digest: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"checks": self.checks, "records": self.records,
                "new_findings": dict(sorted(self.findings.items())),
                "could_not_check": self.could_not_check, "seconds": round(self.seconds, 3),
                "digest": self.digest}


def could_not_check(check: Check, subject: str, exc: BaseException) -> Finding:
    return Finding(code=check.code, subject=subject, severity=Severity.INFO,
                   title="Could not check",
                   explanation=f"The check '{check.title}' failed on this subject, so it says "
                               f"nothing about it: {type(exc).__name__}: {exc}",
                   evidence={"error": f"{type(exc).__name__}: {exc}"},
                   check_version=check.version)


def _records(db: Any, after: int) -> Iterator[list[Record]]:
    last = after
    while True:
        rows = db.execute(
            "SELECT id, sha256, location, source, relation, fields, id_info FROM records "
            "WHERE id > ? ORDER BY id LIMIT ?", (last, PAGE)).fetchall()
        if not rows:
            return
        yield [Record(r[0], r[1], r[2], r[3], r[4], orjson.loads(r[5]), orjson.loads(r[6]))
               for r in rows]
        last = rows[-1][0]


def _names(db: Any, sha: str) -> tuple[str, ...]:
    out = []
    for source, chain in db.execute("SELECT source, chain FROM provenances WHERE sha256 = ? "
                                    "ORDER BY id", (sha,)):
        members = orjson.loads(chain)
        out.append(str(members[-1] if members else source))
    return tuple(out)


_LEAK_ITEMS = ("SELECT rowid, sha256, mime, size FROM items i WHERE rowid > ? "  # noqa: S608
               f"AND {FROM_LEAK} ORDER BY rowid LIMIT ?")


def iter_items(db: Any, after: int, mimes: Sequence[str]) -> Iterator[Item]:
    """Items after rowid ``after`` whose type starts with one of ``mimes``, with metadata."""
    last = after
    while True:
        rows = db.execute(_LEAK_ITEMS, (last, PAGE)).fetchall()
        if not rows:
            return
        for rowid, sha, mime, size in rows:
            if not any(mime.startswith(m) for m in mimes):
                continue
            meta_all = tuple((loc, key, orjson.loads(value) if value is not None else None)
                             for loc, key, value in db.execute(
                                 "SELECT location, key, value FROM metadata WHERE sha256 = ? "
                                 "ORDER BY rowid", (sha,)))
            meta: dict[str, Any] = {}
            for _, key, value in meta_all:
                meta.setdefault(key, value)
            yield Item(rowid, sha, mime, size, _names(db, sha), meta, meta_all)
        last = rows[-1][0]


class _Run:
    def __init__(self, case: Case, checks: Sequence[Check], ctx: Context,
                 progress: Progress | None, actor: str) -> None:
        self.case = case
        self.checks = checks
        self.ctx = ctx
        self.progress = progress
        self.summary = CheckSummary(str(uuid.uuid4()), [c.code for c in checks])
        self.keys: list[str] = []
        self.created = utc_now()
        self.actor = actor
        self.current = ""  # the code of the check running (for derived images)
        ctx.open_blob = case.blobs.open
        ctx.derive = self.derive

    def derive(self, source: str, kind: str, data: bytes, mime: str,
               params: Mapping[str, Any]) -> str:
        """Store an image a check made from ``source`` (kept for the report), with custody."""
        stored = self.case.blobs.put_bytes(data)
        self.case.record(self.actor, "derived", stored.sha256, {
            "run": self.summary.run_id, "source": source, "kind": kind, "mime": mime,
            "size": stored.size, "check": self.current, "params": dict(params)})
        return stored.sha256

    def store(self, finding: Finding) -> None:
        if insert_finding(self.case.db, finding, self.summary.run_id, self.created):
            self.summary.findings[finding.code] += 1
            self.keys.append(finding.key)
            if finding.title == "Could not check" and finding.severity == Severity.INFO:
                self.summary.could_not_check += 1

    def state(self, check: Check, kind: str) -> int:
        """How far ``check`` has got through records or items, under the same settings (a new
        end date, say, means starting again; findings already stored are not duplicated)."""
        row = self.case.db.execute(
            "SELECT last_id FROM check_state WHERE code = ? AND version = ? AND kind = ?",
            (check.code, check.version, self._kind(kind))).fetchone()
        return int(row[0]) if row else 0

    def save_state(self, check: Check, kind: str, last_id: int) -> None:
        self.case.db.execute(
            "INSERT INTO check_state(code, version, kind, last_id, run_id) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT(code, version, kind) DO UPDATE SET last_id = excluded.last_id, "
            "run_id = excluded.run_id",
            (check.code, check.version, self._kind(kind), last_id, self.summary.run_id))

    def _kind(self, kind: str) -> str:
        digest = hashlib.sha256(orjson.dumps(dict(self.ctx.settings),
                                             option=orjson.OPT_SORT_KEYS)).hexdigest()[:16]
        return f"{kind}:{digest}"

    def records(self) -> None:
        checks = [c for c in self.checks if isinstance(c, RecordCheck)]
        if not checks:
            return
        since = {c.code: self.state(c, "record") for c in checks}
        start = min(since.values())
        total = self.case.db.execute("SELECT count(*) FROM records WHERE id > ?",
                                     (start,)).fetchone()[0]
        done = since_commit = 0
        last = start
        for page in _records(self.case.db, start):
            for rec in page:
                for check in checks:
                    if rec.id <= since[check.code]:
                        continue
                    try:
                        for finding in check.run(rec, self.ctx):
                            self.store(finding)
                    except Exception as exc:  # one subject never stops the run
                        self.store(could_not_check(check, rec.subject, exc))
            last = page[-1].id
            done += len(page)
            since_commit += len(page)
            if since_commit >= COMMIT_EVERY:
                self._save_record_states(checks, last)
                self.case.commit()
                self.case.begin()
                since_commit = 0
            if self.progress is not None:
                self.progress("check records", done, total)
        self.summary.records = done
        self._save_record_states(checks, last)

    def _save_record_states(self, checks: Sequence[Check], last: int) -> None:
        for check in checks:
            self.save_state(check, "record", last)

    def items(self) -> None:
        checks = [c for c in self.checks if isinstance(c, ItemCheck)]
        if not checks:
            return
        since = {c.code: self.state(c, "item") for c in checks}
        mimes = sorted({a.removeprefix("item:") for c in checks for a in c.applies_to
                        if a.startswith("item:")})
        total = self.case.db.execute(
            f"SELECT count(*) FROM items i WHERE rowid > ? AND {FROM_LEAK}",  # noqa: S608
            (min(since.values()),)).fetchone()[0]
        last = min(since.values())
        done = 0
        for item in iter_items(self.case.db, last, mimes):
            for check in checks:
                if item.rowid <= since[check.code] or not check.applies(item.mime):
                    continue
                self.current = check.code
                try:
                    for finding in check.run(item, self.ctx):
                        self.store(finding)
                except Exception as exc:  # one subject never stops the run
                    self.store(could_not_check(check, item.subject, exc))
            self.ctx.forget()
            done += 1
            if self.progress is not None and done % 50 == 0:
                self.progress("check items", done, total)
        top = self.case.db.execute("SELECT coalesce(max(rowid), 0) FROM items").fetchone()[0]
        for check in checks:
            self.save_state(check, "item", max(top, since[check.code]))

    def corpus(self) -> None:
        checks = [c for c in self.checks if isinstance(c, CorpusCheck)]
        for n, check in enumerate(checks, 1):
            self.current = check.code
            try:
                for finding in check.run(self.ctx):
                    self.store(finding)
            except Exception as exc:
                self.store(could_not_check(check, "corpus", exc))
            if self.progress is not None:
                self.progress("check corpus", n, len(checks))


def check_case(case: Case, chosen: Sequence[str] | str | None = None,
               ignored: Sequence[str] | str | None = None, actor: str = "scrutiny",
               progress: Progress | None = None, settings: Mapping[str, Any] | None = None,
               today: dt.date | None = None,
               classes: Sequence[type[Check]] | None = None) -> CheckSummary:
    """Run the selected checks (default: every check not off by default) over ``case``."""
    picked = select(classes if classes is not None else all_checks(), chosen, ignored)
    ctx = Context(case.db, today or dt.date.today(), dict(settings or {}))
    run = _Run(case, [cls() for cls in picked], ctx, progress, actor)
    started = time.monotonic()
    case.begin()
    try:
        run.records()
        run.items()
        run.corpus()
    except BaseException:
        case.rollback()
        raise
    run.summary.seconds = time.monotonic() - started
    run.summary.digest = hashlib.sha256("\n".join(sorted(run.keys)).encode()).hexdigest()
    case.record(actor, "checked", None, {
        "run": run.summary.run_id, "tool_version": __version__,
        "checks": {c.code: c.version for c in run.checks}, "today": ctx.today.isoformat(),
        "summary": run.summary.to_json()})
    case.commit()
    return run.summary


def findings(db: Any, severity: Severity | None = None, code: str | None = None,
             limit: int | None = None) -> list[dict[str, Any]]:
    """Stored findings, most severe first; ``code`` is a prefix."""
    pattern = "%"
    if code:
        pattern = (code.upper().replace("\\", "\\\\").replace("%", "\\%")
                   .replace("_", "\\_") + "%")
    rows = db.execute(
        "SELECT code, subject, severity, title, explanation, evidence, check_version, created "
        "FROM findings WHERE severity >= ? AND code LIKE ? ESCAPE '\\' "
        "ORDER BY severity DESC, code, id LIMIT ?",
        (-1 if severity is None else int(severity), pattern, -1 if limit is None else limit))
    return [{"code": r[0], "subject": r[1], "severity": Severity(r[2]).label, "title": r[3],
             "explanation": r[4], "evidence": orjson.loads(r[5]), "check_version": r[6],
             "created": r[7]} for r in rows]
