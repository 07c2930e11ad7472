"""Automatic claims and evidence: what the case already knows, entered in the ledger.

:func:`derive_claims` is idempotent: each automatic claim and evidence item carries an
``auto_key`` naming what it was derived from, so running it again adds only what is new
(and updates what changed: a match judged again). Three rules (:data:`RULES`):

``held``
    each leak record of a person (a roster row that is not a relative listed under someone)
    with a facility or a detention date yields the claim "NAME listed as held at FACILITY
    from DATE", with its row as evidence (source type leaked record, not independent of the
    leak). The statement carries no ID number (statements are shown and exported; ID numbers
    are redacted from exports).
``match``
    a match to a reference database whose newest judgement is *accept* adds the reference
    entry as evidence for the record's claim: source type reference database, origin the
    database's name (every version of one database is one source), independent when the
    database was imported as independent. When the newest judgement of that pair later is
    not *accept*, the evidence is withdrawn (a version saying so; the history stays).
``photo``
    a photo whose file name carries a record's ID number (``extract``'s file-name records)
    adds the photo as evidence for that record's claim (leaked, not independent: it cannot
    corroborate the row, but a reviewer sees it with the claim).

Run after extraction and after judging; ``scrutiny demo`` runs it. Writes in batches in one
transaction and records one custody event (``claims-derived``) with the counts.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from scrutiny import __version__
from scrutiny.case import Case
from scrutiny.core import utc_now
from scrutiny.ledger.model import LEAK_SOURCE, source_key

__all__ = ["RULES", "VERSION", "AutoSummary", "derive_claims"]

VERSION = "1"
RULES = ("held", "match", "photo")
BATCH = 2000
Progress = Callable[[str, int, int], None]


@dataclass
class AutoSummary:
    claims: int = 0
    evidence: int = 0
    withdrawn: int = 0
    restored: int = 0
    records_without_facility_or_date: int = 0
    matches_without_claim: int = 0
    seconds: float = 0.0
    by_rule: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class _Writer:
    """Appends automatic claims and evidence with ids assigned here, a batch at a time."""

    def __init__(self, case: Case, actor: str) -> None:
        self.db = case.db
        self.actor = actor
        self.at = utc_now()
        self.next = {t: int(self.db.execute(
            f"SELECT coalesce(max(id), 0) + 1 FROM {t}").fetchone()[0])  # noqa: S608
            for t in ("claims", "claim_versions", "evidence", "evidence_versions")}
        self.rows: dict[str, list[tuple[Any, ...]]] = {t: [] for t in self.next}

    def _id(self, table: str) -> int:
        n = self.next[table]
        self.next[table] = n + 1
        return n

    def claim(self, key: str, subject: str, statement: str, who: str | None,
              place: str | None, date_from: str | None) -> int:
        cid = self._id("claims")
        self.rows["claims"].append((cid, "person", subject, key, self.at, self.actor))
        self.rows["claim_versions"].append((self._id("claim_versions"), cid, statement, who,
                                            place, date_from, None, None, self.at,
                                            self.actor))
        return cid

    def evidence(self, key: str, claim: int, values: dict[str, Any]) -> None:
        eid = self._id("evidence")
        self.rows["evidence"].append((eid, claim, key, self.at, self.actor))
        self.version(eid, values, None)

    def version(self, eid: int, v: dict[str, Any], reason: str | None) -> None:
        self.rows["evidence_versions"].append((
            self._id("evidence_versions"), eid, v["stance"], v["source_type"], v["origin"],
            int(v["independent"]), source_key(v["origin"], v["independent"]), v.get("dated"),
            v.get("sha256"), v.get("record_id"), v.get("entry_id"), v.get("match_id"),
            v.get("note"), int(bool(v.get("withdrawn"))), reason, self.at, self.actor))

    def flush(self) -> None:
        sql = {
            "claims": "INSERT INTO claims(id, kind, subject, auto_key, created_at, "
                      "created_by) VALUES (?, ?, ?, ?, ?, ?)",
            "claim_versions": "INSERT INTO claim_versions(id, claim_id, statement, who, "
                              "place, date_from, date_to, reason, at, by) "
                              "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            "evidence": "INSERT INTO evidence(id, claim_id, auto_key, created_at, "
                        "created_by) VALUES (?, ?, ?, ?, ?)",
            "evidence_versions": "INSERT INTO evidence_versions(id, evidence_id, stance, "
                                 "source_type, origin, independent, source, dated, sha256, "
                                 "record_id, entry_id, match_id, note, withdrawn, reason, at, "
                                 "by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        }
        for table in ("claims", "claim_versions", "evidence", "evidence_versions"):
            if self.rows[table]:
                self.db.executemany(sql[table], self.rows[table])
                self.rows[table].clear()


def _file_names(db: Any) -> dict[str, str]:
    """sha256 → the name a leak file was received under (the innermost archive member)."""
    out: dict[str, str] = {}
    for sha, source, chain in db.execute("SELECT sha256, source, chain FROM provenances "
                                         "ORDER BY id"):
        if sha not in out:
            members = json.loads(chain)
            path = str(members[-1] if members else source)
            out[sha] = path.replace("\\", "/").rsplit("/", 1)[-1]
    return out


def _held_statement(name: str | None, facility: str | None, detained: str | None) -> str:
    who = name or "an unnamed person"
    text = f"{who} listed as held"
    if facility:
        text += f" at {facility}"
    if detained:
        text += f" from {detained}"
    return text


def _pages(db: Any, sql: str, params: tuple[Any, ...] = ()) -> Iterator[list[tuple[Any, ...]]]:
    last = 0
    while True:
        rows = db.execute(sql, (last, *params, BATCH)).fetchall()
        if not rows:
            return
        last = int(rows[-1][0])
        yield rows


def _held(w: _Writer, s: AutoSummary, files: dict[str, str], progress: Progress | None,
          ) -> None:
    db = w.db
    total = int(db.execute("SELECT count(*) FROM records WHERE source = 'table' "
                           "AND main_id IS NULL").fetchone()[0])
    done = 0
    for rows in _pages(db, "SELECT r.id, r.sha256, r.location, r.name, r.fields, "
                           "c.id FROM records r LEFT JOIN claims c ON c.auto_key = "
                           "'held:record:' || r.id WHERE r.id > ? AND r.source = 'table' "
                           "AND r.main_id IS NULL ORDER BY r.id LIMIT ?"):
        for rid, sha, location, name, fields_json, existing in rows:
            if existing is not None:
                continue
            fields = json.loads(fields_json)
            facility = _str(fields.get("facility"))
            detained = _str(fields.get("detained"))
            if not facility and not detained:
                s.records_without_facility_or_date += 1
                continue
            cid = w.claim(f"held:record:{rid}", f"record:{rid}",
                          _held_statement(name, facility, detained), name, facility,
                          detained[:10] if detained else None)
            s.claims += 1
            w.evidence(f"row:record:{rid}", cid, {
                "stance": "supports", "source_type": "leaked-record",
                "origin": f"{LEAK_SOURCE}: {files.get(sha, sha[:12])} {location}",
                "independent": False, "sha256": sha, "record_id": rid})
            s.evidence += 1
            s.by_rule["held"] = s.by_rule.get("held", 0) + 1
        w.flush()
        done += len(rows)
        if progress is not None:
            progress("claims from records", done, total)


def _str(value: Any) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


def _claim_of(db: Any, record_id: int) -> int | None:
    row = db.execute("SELECT id FROM claims WHERE auto_key = ?",
                     (f"held:record:{record_id}",)).fetchone()
    return int(row[0]) if row else None


def _matches(w: _Writer, s: AutoSummary) -> None:
    """Evidence from reference entries whose pair's newest judgement is accept; withdrawn
    (or restored) as the newest judgement changes."""
    db = w.db
    newest = db.execute(
        "SELECT j.match_id, j.left_record, j.right_entry, j.decision, j.by, j.reason, "
        "rs.name, rs.independent, j.at FROM judgements j "
        "JOIN reference_entries re ON re.id = j.right_entry "
        "JOIN reference_sets rs ON rs.id = re.set_id "
        "WHERE j.id IN (SELECT max(id) FROM judgements WHERE right_entry IS NOT NULL "
        "GROUP BY left_record, right_entry) ORDER BY j.id").fetchall()
    for match_id, left, entry, decision, by, reason, set_name, independent, _ in newest:
        key = f"match:record:{left}:entry:{entry}"
        row = db.execute(
            "SELECT e.id, v.withdrawn FROM evidence e JOIN evidence_versions v ON v.id = "
            "(SELECT max(id) FROM evidence_versions WHERE evidence_id = e.id) "
            "WHERE e.auto_key = ?", (key,)).fetchone()
        values = {"stance": "supports", "source_type": "reference-database",
                  "origin": f"reference database {set_name}",
                  "independent": bool(independent), "entry_id": entry, "match_id": match_id,
                  "record_id": left,
                  "note": f"match {match_id} accepted by {by}: {reason}"}
        if decision == "accept":
            if row is None:
                claim = _claim_of(db, left)
                if claim is None:
                    s.matches_without_claim += 1
                    continue
                w.evidence(key, claim, values)
                s.evidence += 1
                s.by_rule["match"] = s.by_rule.get("match", 0) + 1
            elif row[1]:
                w.version(int(row[0]), values, f"match {match_id} accepted again by {by}")
                s.restored += 1
        elif row is not None and not row[1]:
            w.version(int(row[0]), {**values, "withdrawn": True,
                                    "note": f"match {match_id} now judged {decision} by {by}: "
                                            f"{reason}"},
                      f"the match is no longer accepted ({decision} by {by})")
            s.withdrawn += 1
    w.flush()


def _photos(w: _Writer, s: AutoSummary, files: dict[str, str]) -> None:
    db = w.db
    for rows in _pages(db, "SELECT f.id, f.sha256, r.id, c.id FROM records f "
                           "JOIN records r ON r.id_number = f.id_number AND r.source = 'table' "
                           "AND r.main_id IS NULL "
                           "JOIN claims c ON c.auto_key = 'held:record:' || r.id "
                           "WHERE f.id > ? AND f.source = 'filename' ORDER BY f.id LIMIT ?"):
        for fid, sha, rid, cid in rows:
            key = f"photo:record:{fid}:claim:{cid}"
            if db.execute("SELECT 1 FROM evidence WHERE auto_key = ?", (key,)).fetchone():
                continue
            w.evidence(key, int(cid), {
                "stance": "supports", "source_type": "leaked-record",
                "origin": f"{LEAK_SOURCE}: photo {files.get(sha, sha[:12])}",
                "independent": False, "sha256": sha, "record_id": rid,
                "note": "the photo's file name carries this record's ID number"})
            s.evidence += 1
            s.by_rule["photo"] = s.by_rule.get("photo", 0) + 1
        w.flush()


def derive_claims(case: Case, actor: str = "scrutiny",
                  progress: Progress | None = None) -> AutoSummary:
    """Enter what the case's records, judged matches and photo names say (see the module
    docstring); returns the counts of what was added."""
    t0 = time.perf_counter()
    s = AutoSummary()
    with case.transaction():
        w = _Writer(case, actor)
        files = _file_names(case.db)
        _held(w, s, files, progress)
        _matches(w, s)
        _photos(w, s, files)
        s.seconds = time.perf_counter() - t0
        case.record(actor, "claims-derived", None, {
            "rules": list(RULES), "version": VERSION, "tool_version": __version__,
            "summary": s.to_json()})
    return s
