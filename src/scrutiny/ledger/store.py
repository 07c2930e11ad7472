"""Claims and evidence in the catalog: entered, corrected, withdrawn, read.

Everything is append-only (the catalog's triggers refuse UPDATE and DELETE): a correction or
withdrawal adds a version, the newest stands, and every earlier one stays readable. Every
hand-made change *is* a custody event (``claimed`` / ``evidenced``, with the full entry): the
catalog's rows are its projection, so the hash-chained log shows who changed what, when, and
rebuilds the hand-made ledger. Automatic claims and evidence (``ledger.auto``) are recorded
as one ``claims-derived`` event per run and are rebuilt by deriving them again (hand-made
evidence on them needs them to be there first).
A file given as evidence goes into the evidence store with its own custody (run kind
``evidence``: never extracted or checked as leak material).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scrutiny.case import Case
from scrutiny.core import ScrutinyError
from scrutiny.ledger.model import (
    CLAIM_KINDS,
    SOURCE_TYPES,
    STATUSES,
    ClaimVersion,
    Evidence,
    EvidenceVersion,
    Status,
    default_independent,
    derive_status,
    parse_partial_date,
    source_key,
    source_type_of,
)

__all__ = [
    "Claim",
    "add_claim",
    "add_evidence",
    "correct_claim",
    "correct_evidence",
    "get_claim",
    "iter_claims",
    "resolve_subject",
    "status_counts",
    "withdraw_evidence",
]

Connection = sqlite3.Connection | Any
PAGE = 500
_UNSET: Any = object()


@dataclass(frozen=True)
class Claim:
    """A claim with its versions (oldest first) and its evidence."""

    id: int
    kind: str
    subject: str | None
    auto_key: str | None
    created_at: str
    created_by: str
    history: tuple[ClaimVersion, ...]
    evidence: tuple[Evidence, ...]

    @property
    def current(self) -> ClaimVersion:
        return self.history[-1]

    @property
    def status(self) -> Status:
        return derive_status(self.evidence)

    def to_json(self) -> dict[str, Any]:
        c = self.current
        return {"id": self.id, "kind": self.kind, "subject": self.subject,
                "automatic": self.auto_key is not None, "statement": c.statement,
                "who": c.who, "place": c.place, "date_from": c.date_from,
                "date_to": c.date_to, "created_at": self.created_at,
                "created_by": self.created_by, **self.status.to_json(),
                "evidence": [e.to_json() for e in self.evidence],
                "history": [v.to_json() for v in self.history[:-1]]}


# -- validation --------------------------------------------------------------------------------


def _text(value: str | None) -> str | None:
    if value is None:
        return None
    s = " ".join(str(value).split())
    return s or None


def _by(by: str) -> str:
    who = _text(by)
    if not who:
        raise ScrutinyError("say who enters this (--by NAME)")
    return who


def _date(value: str | None, what: str) -> str | None:
    try:
        return parse_partial_date(value)
    except ValueError as exc:
        raise ScrutinyError(f"{what}: {exc}") from None


def resolve_subject(db: Connection, kind: str, about: str | None) -> str | None:
    """The stored subject of a claim of ``kind`` about ``about``: ``record:N`` (a record
    that exists), ``item:SHA256`` (an item of the case; a unique prefix of 8 or more hex
    digits is enough), ``facility:NAME``, ``event:TEXT``; a bare number for a person and
    bare hex for an item are read as such. None stays None (a claim about a person not in
    the records names them with ``who``)."""
    if kind not in CLAIM_KINDS:
        raise ScrutinyError(f"a claim is about one of {', '.join(CLAIM_KINDS)}, not {kind!r}")
    text = _text(about)
    if text is None:
        if kind == "item":
            raise ScrutinyError("a claim about an item names it (--about item:SHA256)")
        return None
    prefix, _, rest = text.partition(":")
    if not rest:
        prefix, rest = {"person": "record", "item": "item"}.get(kind, kind), text
    prefix = prefix.lower()
    if kind == "person":
        if prefix != "record" or not rest.strip().isdigit():
            raise ScrutinyError(f"a person claim is about a record (record:N), not {text!r}")
        rid = int(rest)
        if db.execute("SELECT 1 FROM records WHERE id = ?", (rid,)).fetchone() is None:
            raise ScrutinyError(f"no record {rid} in this case")
        return f"record:{rid}"
    if kind == "item":
        sha = rest.strip().lower()
        if prefix != "item" or len(sha) < 8 or any(c not in "0123456789abcdef" for c in sha):
            raise ScrutinyError(f"an item claim names an item by its SHA-256 (item:SHA256, "
                                f"at least 8 hex digits), not {text!r}")
        rows = db.execute("SELECT sha256 FROM items WHERE sha256 >= ? AND sha256 < ? "
                          "LIMIT 2", (sha, sha + "g")).fetchall()
        if not rows:
            raise ScrutinyError(f"no item {sha} in this case")
        if len(rows) > 1:
            raise ScrutinyError(f"{sha} names more than one item: give more digits")
        return f"item:{rows[0][0]}"
    if prefix != kind:
        raise ScrutinyError(f"a {kind} claim is about {kind}:NAME, not {text!r}")
    return f"{kind}:{rest.strip()}"


def _source_type(value: str) -> str:
    key = source_type_of(value)
    if key is None:
        raise ScrutinyError(f"unknown source type {value!r}; one of: "
                            f"{', '.join(SOURCE_TYPES)}")
    return key


def _stance(value: str) -> str:
    v = value.strip().lower()
    v = {"support": "supports", "contradict": "contradicts", "+": "supports",
         "-": "contradicts"}.get(v, v)
    if v not in ("supports", "contradicts"):
        raise ScrutinyError(f"evidence supports or contradicts a claim, not {value!r}")
    return v


def _next_id(db: Connection, table: str) -> int:
    return int(db.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}"  # noqa: S608
                          ).fetchone()[0])


# -- claims ------------------------------------------------------------------------------------


def add_claim(case: Case, kind: str, statement: str, *, by: str, about: str | None = None,
              who: str | None = None, place: str | None = None, date_from: str | None = None,
              date_to: str | None = None) -> Claim:
    """Enter a claim (custody event ``claimed``) and return it."""
    by = _by(by)
    text = _text(statement)
    if not text:
        raise ScrutinyError("a claim needs a statement (--statement TEXT)")
    db = case.db
    subject = resolve_subject(db, kind, about)
    if kind == "person" and subject is None and not _text(who):
        raise ScrutinyError("a person claim is about a record (--about record:N) or names "
                            "the person (--who NAME)")
    fields = {"who": _text(who), "place": _text(place),
              "date_from": _date(date_from, "from"), "date_to": _date(date_to, "to")}
    _order(fields["date_from"], fields["date_to"])
    with case.transaction():
        # the catalog's rows are the custody event's projection (catalog._claimed): one
        # time, one actor, and the log alone can rebuild them
        cid, vid = _next_id(db, "claims"), _next_id(db, "claim_versions")
        case.record(by, "claimed", subject, {
            "claim": cid, "version": vid, "new": True, "kind": kind, "subject": subject,
            "statement": text, **fields})
    return get_claim(db, cid)


def _order(date_from: str | None, date_to: str | None) -> None:
    if date_from and date_to and date_to[:len(date_from)] < date_from[:len(date_to)]:
        raise ScrutinyError(f"the claim ends ({date_to}) before it begins ({date_from})")


def correct_claim(case: Case, claim_id: int, *, by: str, reason: str,
                  statement: str | None = None, who: Any = _UNSET, place: Any = _UNSET,
                  date_from: Any = _UNSET, date_to: Any = _UNSET) -> Claim:
    """Add a corrected version of a claim (what is not given is carried over; ``""``
    clears a field); the earlier version stays in its history."""
    by = _by(by)
    why = _text(reason)
    if not why:
        raise ScrutinyError("say why the claim is corrected (--reason TEXT)")
    db = case.db
    old = get_claim(db, claim_id).current
    new = {
        "statement": _text(statement) or old.statement,
        "who": old.who if who is _UNSET else _text(who),
        "place": old.place if place is _UNSET else _text(place),
        "date_from": old.date_from if date_from is _UNSET else _date(date_from, "from"),
        "date_to": old.date_to if date_to is _UNSET else _date(date_to, "to"),
    }
    _order(new["date_from"], new["date_to"])
    if all(new[k] == getattr(old, k) for k in new):
        raise ScrutinyError("the correction changes nothing")
    with case.transaction():
        vid = _next_id(db, "claim_versions")
        case.record(by, "claimed", None, {"claim": claim_id, "version": vid, "new": False,
                                          **new, "reason": why, "supersedes": old.id})
    return get_claim(db, claim_id)


# -- evidence ----------------------------------------------------------------------------------


def _link_ids(db: Connection, record_id: int | None, entry_id: int | None,
              match_id: int | None) -> None:
    for table, value in (("records", record_id), ("reference_entries", entry_id),
                         ("matches", match_id)):
        if value is not None and db.execute(
                f"SELECT 1 FROM {table} WHERE id = ?", (value,)).fetchone() is None:  # noqa: S608
            raise ScrutinyError(f"no {table.replace('_', ' ')[:-1]} {value} in this case")


def add_evidence(case: Case, claim_id: int, stance: str, source_type: str, origin: str, *,
                 by: str, independent: bool | None = None, dated: str | None = None,
                 file: Path | None = None, sha256: str | None = None,
                 record_id: int | None = None, entry_id: int | None = None,
                 match_id: int | None = None, note: str | None = None,
                 key: str | None = None) -> Evidence:
    """Add evidence for (``supports``) or against (``contradicts``) a claim. ``independent``
    defaults by source type (a leaked record is not independent of the leak; the rest are
    presumed to be). ``file`` is stored in the evidence store with custody first. ``key``
    (unique) names what the evidence was read from (a sheet's row), so that it is not
    entered twice."""
    by = _by(by)
    values = _evidence_values(case.db, stance, source_type, origin, independent, dated,
                              sha256, record_id, entry_id, match_id, note)
    db = case.db
    get_claim(db, claim_id)  # raises for a claim that does not exist
    with case.transaction():
        eid, vid = _next_id(db, "evidence"), _next_id(db, "evidence_versions")
        if file is not None:
            from scrutiny.ingest.attach import attach_file

            values["sha256"] = attach_file(case, Path(file), by,
                                           f"evidence {eid} for claim {claim_id}").sha256
        if key is not None and db.execute("SELECT 1 FROM evidence WHERE auto_key = ?",
                                          (key,)).fetchone():
            raise ScrutinyError(f"evidence from {key} was already entered")
        case.record(by, "evidenced", values.get("sha256"), {
            "evidence": eid, "claim": claim_id, "version": vid, "new": True, "key": key,
            **values})
    return _evidence(db, eid)


def _evidence_values(db: Connection, stance: str, source_type: str, origin: str,
                     independent: bool | None, dated: str | None, sha256: str | None,
                     record_id: int | None, entry_id: int | None, match_id: int | None,
                     note: str | None) -> dict[str, Any]:
    kind = _source_type(source_type)
    where = _text(origin)
    if not where:
        raise ScrutinyError("say where the evidence comes from (--origin TEXT): two items of "
                            "the same origin never count as independent")
    _link_ids(db, record_id, entry_id, match_id)
    if sha256 is not None and db.execute("SELECT 1 FROM items WHERE sha256 = ?",
                                         (sha256,)).fetchone() is None:
        raise ScrutinyError(f"no item {sha256} in this case")
    indep = default_independent(kind) if independent is None else bool(independent)
    return {"stance": _stance(stance), "source_type": kind, "origin": where,
            "independent": indep, "source": source_key(where, indep),
            "dated": _date(dated, "date"), "sha256": sha256,
            "record_id": record_id, "entry_id": entry_id, "match_id": match_id,
            "note": _text(note), "withdrawn": False}


def correct_evidence(case: Case, evidence_id: int, *, by: str, reason: str,
                     withdraw: bool = False, **changes: Any) -> Evidence:
    """Add a corrected version of an evidence item (``changes``: stance, source_type,
    origin, independent, dated, note), or withdraw it (``withdraw``: it then counts for
    nothing); the earlier version stays in its history."""
    by = _by(by)
    why = _text(reason)
    if not why:
        raise ScrutinyError("say why the evidence is corrected or withdrawn (--reason TEXT)")
    unknown = set(changes) - {"stance", "source_type", "origin", "independent", "dated",
                              "note"}
    if unknown:
        raise ScrutinyError(f"evidence has no field {', '.join(sorted(unknown))}")
    db = case.db
    old = _evidence(db, evidence_id)
    cur = old.current
    if cur.withdrawn:
        raise ScrutinyError(f"evidence {evidence_id} was withdrawn; add new evidence instead")
    merged = {k: changes.get(k, getattr(cur, k)) for k in
              ("stance", "source_type", "origin", "independent", "dated", "note")}
    values = _evidence_values(db, merged["stance"], merged["source_type"], merged["origin"],
                              merged["independent"], merged["dated"], cur.sha256,
                              cur.record_id, cur.entry_id, cur.match_id, merged["note"])
    values["withdrawn"] = withdraw
    if not withdraw and all(values[k] == getattr(cur, k) for k in values if k != "source"):
        raise ScrutinyError("the correction changes nothing")
    with case.transaction():
        vid = _next_id(db, "evidence_versions")
        case.record(by, "evidenced", None, {
            "evidence": evidence_id, "claim": old.claim_id, "version": vid, "new": False,
            **values, "reason": why, "supersedes": cur.id})
    return _evidence(db, evidence_id)


def withdraw_evidence(case: Case, evidence_id: int, *, by: str, reason: str) -> Evidence:
    """Withdraw an evidence item (it stays in the history, counted for nothing)."""
    return correct_evidence(case, evidence_id, by=by, reason=reason, withdraw=True)


# -- reading -----------------------------------------------------------------------------------

_CV = "id, claim_id, statement, who, place, date_from, date_to, reason, at, by"
_EV = ("v.id, v.evidence_id, e.claim_id, e.auto_key, v.stance, v.source_type, v.origin, "
       "v.independent, v.dated, v.sha256, v.record_id, v.entry_id, v.match_id, v.note, "
       "v.withdrawn, v.reason, v.at, v.by")


def _versions(db: Connection, claim_ids: Sequence[int]) -> dict[int, list[ClaimVersion]]:
    out: dict[int, list[ClaimVersion]] = {c: [] for c in claim_ids}
    marks = ", ".join("?" for _ in claim_ids)
    for r in db.execute(f"SELECT {_CV} FROM claim_versions WHERE claim_id IN ({marks}) "  # noqa: S608
                        "ORDER BY id", tuple(claim_ids)):
        out[int(r[1])].append(ClaimVersion(int(r[0]), r[2], r[3], r[4], r[5], r[6], r[7],
                                           r[8], r[9]))
    return out


def _evidence_rows(db: Connection, where: str, params: tuple[Any, ...],
                   ) -> dict[int, list[Evidence]]:
    """claim id → its evidence (each with its history), for the evidence matching ``where``."""
    hist: dict[int, tuple[int, str | None, list[EvidenceVersion]]] = {}
    for r in db.execute(f"SELECT {_EV} FROM evidence_versions v JOIN evidence e "  # noqa: S608
                        f"ON e.id = v.evidence_id WHERE {where} ORDER BY v.id", params):
        ver = EvidenceVersion(int(r[0]), r[4], r[5], r[6], bool(r[7]), r[8], r[9], r[10],
                              r[11], r[12], r[13], bool(r[14]), r[15], r[16], r[17])
        hist.setdefault(int(r[1]), (int(r[2]), r[3], []))[2].append(ver)
    out: dict[int, list[Evidence]] = {}
    for eid in sorted(hist):
        claim, auto, versions = hist[eid]
        out.setdefault(claim, []).append(Evidence(eid, claim, auto, tuple(versions)))
    return out


def _evidence(db: Connection, evidence_id: int) -> Evidence:
    rows = _evidence_rows(db, "e.id = ?", (evidence_id,))
    if not rows:
        raise ScrutinyError(f"no evidence {evidence_id}; see 'scrutiny claim show'")
    return next(iter(rows.values()))[0]


def _claims(db: Connection, rows: Sequence[tuple[Any, ...]]) -> list[Claim]:
    ids = [int(r[0]) for r in rows]
    if not ids:
        return []
    versions = _versions(db, ids)
    marks = ", ".join("?" for _ in ids)
    evidence = _evidence_rows(db, f"e.claim_id IN ({marks})", tuple(ids))
    return [Claim(int(r[0]), r[1], r[2], r[3], r[4], r[5], tuple(versions[int(r[0])]),
                  tuple(evidence.get(int(r[0]), ()))) for r in rows]


_CLAIM = "id, kind, subject, auto_key, created_at, created_by"


def get_claim(db: Connection, claim_id: int) -> Claim:
    row = db.execute(f"SELECT {_CLAIM} FROM claims WHERE id = ?",  # noqa: S608
                     (claim_id,)).fetchone()
    if row is None:
        raise ScrutinyError(f"no claim {claim_id}; see 'scrutiny ledger'")
    return _claims(db, [row])[0]


def get_claims(db: Connection, claim_ids: Sequence[int]) -> list[Claim]:
    """Several claims at once (in the order given; unknown ids are left out): a page of a
    listing costs three queries, not three per claim."""
    if not claim_ids:
        return []
    marks = ", ".join("?" for _ in claim_ids)
    rows = db.execute(f"SELECT {_CLAIM} FROM claims WHERE id IN ({marks})",  # noqa: S608
                      tuple(claim_ids)).fetchall()
    by_id = {c.id: c for c in _claims(db, rows)}
    return [by_id[i] for i in claim_ids if i in by_id]


def status_sql(where: str = "1") -> str:
    """SQL giving (claim_id, status) for the claims matching ``where`` (a condition on
    claims ``c``, bound by the caller): the rule of
    :func:`scrutiny.ledger.model.derive_status` over the stored ``source`` keys, for
    counting and filtering a million claims (a test holds the two to the same answers)."""
    return f"""
    WITH chosen AS (SELECT c.id FROM claims c WHERE {where}),
    cur AS (
        SELECT e.claim_id, v.stance, v.source FROM evidence e
        JOIN evidence_versions v ON v.id = (
            SELECT max(id) FROM evidence_versions WHERE evidence_id = e.id)
        WHERE v.withdrawn = 0 AND e.claim_id IN (SELECT id FROM chosen)),
    agg AS (
        SELECT claim_id,
               count(DISTINCT CASE WHEN stance = 'supports' THEN source END) AS sup,
               count(DISTINCT CASE WHEN stance = 'contradicts' THEN source END) AS con
        FROM cur GROUP BY claim_id)
    SELECT chosen.id AS claim_id,
           CASE WHEN agg.con > 0 THEN 'contested' WHEN agg.sup >= 2 THEN 'corroborated'
                WHEN agg.sup = 1 THEN 'single-source' ELSE 'unverified' END AS status
    FROM chosen LEFT JOIN agg ON agg.claim_id = chosen.id
    """  # noqa: S608 - the caller's condition is code, not input


def iter_claims(db: Connection, *, status: str | None = None, kind: str | None = None,
                subject: str | None = None, automatic: bool | None = None,
                ) -> Iterator[Claim]:
    """Claims in id order, a page at a time (a case can hold a million), filtered by
    derived ``status``, ``kind``, ``subject`` or whether they were derived automatically."""
    if status is not None and status not in STATUSES:
        raise ScrutinyError(f"a status is one of {', '.join(STATUSES)}, not {status!r}")
    where, params = ["c.id > ?"], []
    if kind is not None:
        where.append("c.kind = ?")
        params.append(kind)
    if subject is not None:
        where.append("c.subject = ?")
        params.append(subject)
    if automatic is not None:
        where.append("c.auto_key IS NOT NULL" if automatic else "c.auto_key IS NULL")
    # a page of claims at a time, their statuses computed for that page only
    page = status_sql(" AND ".join(where) + " ORDER BY c.id LIMIT ?")
    last = 0
    while True:
        found = db.execute(page, (last, *params, PAGE)).fetchall()
        if not found:
            return
        last = max(int(r[0]) for r in found)
        ids = [int(r[0]) for r in found if status is None or r[1] == status]
        if not ids:
            continue
        marks = ", ".join("?" for _ in ids)
        rows = db.execute(f"SELECT {_CLAIM} FROM claims WHERE id IN ({marks}) "  # noqa: S608
                          "ORDER BY id", ids).fetchall()
        yield from _claims(db, rows)


def status_counts(db: Connection) -> dict[str, int]:
    """How many claims have each status (every status present, zeros included)."""
    counts = dict.fromkeys(STATUSES, 0)
    for name, n in db.execute(f"SELECT status, count(*) FROM ({status_sql()}) "  # noqa: S608
                              "GROUP BY status"):
        counts[name] = int(n)
    return counts
