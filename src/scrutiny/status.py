"""What a case holds: the numbers behind ``scrutiny status``."""

from __future__ import annotations

import json
from typing import Any

from scrutiny.case import Case
from scrutiny.core import Severity
from scrutiny.store import catalog


def case_status(case: Case, last_events: int = 8) -> dict[str, Any]:
    db = case.db
    items, nbytes = db.execute("SELECT count(*), coalesce(sum(size), 0) FROM items").fetchone()
    by_type = [
        {"mime": m, "items": n, "bytes": b}
        for m, n, b in db.execute(
            "SELECT mime, count(*), sum(size) FROM items GROUP BY mime ORDER BY count(*) DESC")
    ]
    provenances = db.execute("SELECT count(*) FROM provenances").fetchone()[0]
    unpacked = db.execute(
        "SELECT count(*) FROM provenances WHERE parent IS NOT NULL").fetchone()[0]
    mismatched = db.execute("SELECT count(*) FROM provenances WHERE ext_mismatch").fetchone()[0]
    problems = [
        {"code": c, "title": t, "severity": Severity(s).label, "count": n}
        for c, t, s, n in db.execute(
            "SELECT code, title, severity, count(*) FROM findings WHERE code LIKE 'INGEST-%' "
            "GROUP BY code ORDER BY code")
    ]
    runs = [
        {"id": r[0], "kind": r[1], "started": r[2], "finished": r[3], "actor": r[4],
         "status": r[5], "summary": json.loads(r[6]) if r[6] else None}
        for r in db.execute(
            "SELECT id, kind, started, finished, actor, status, summary FROM runs "
            "ORDER BY started DESC LIMIT 5")
    ]
    ex_items, ex_errors = db.execute(
        "SELECT count(DISTINCT sha256), coalesce(sum(status = 'error'), 0) FROM extractions"
    ).fetchone()
    records, relations = db.execute(
        "SELECT count(*), coalesce(sum(relation != ''), 0) FROM records").fetchone()
    examples = [
        {"sha256": r[0], "extractor": r[1], "error": r[2]}
        for r in db.execute("SELECT sha256, extractor, error FROM extractions "
                            "WHERE status = 'error' ORDER BY id DESC LIMIT 5")
    ]
    findings = {Severity(sev).label: n for sev, n in db.execute(
        "SELECT severity, count(*) FROM findings WHERE code NOT LIKE 'INGEST-%' "
        "GROUP BY severity ORDER BY severity DESC")}
    head = catalog.get_head(db)
    tail = [
        {"seq": ev.seq, "time": ev.time, "actor": ev.actor, "action": ev.action,
         "subject": ev.subject}
        for ev in case.log.tail(last_events)
    ]
    return {
        "case": str(case.paths.root),
        "case_id": case.case_id,
        "encrypted": case.encrypted,
        "items": items,
        "bytes": nbytes,
        "provenances": provenances,
        "unpacked_from_archives": unpacked,
        "name_type_mismatches": mismatched,
        "by_type": by_type,
        "ingest_problems": problems,
        "extraction": {"items": ex_items, "errors": ex_errors, "records": records,
                       "relations": relations, "error_examples": examples},
        "findings": findings,
        "runs": runs,
        "chain_head": {"seq": head.seq, "hash": head.hash},
        "last_events": tail,
    }
