"""Reviewing matches: candidate pairs the linkage engine found, and people's judgements of them.

A match pairs a leak record with a reference entry (or with another leak record) and carries
the engine's match probability, its match weight and an explanation: one item per comparison
(name, birth date, ID number …) with the level it reached, its Bayes factor and the two values
compared. A reviewer reads that and judges the pair: accept (same person), reject (not the
same person) or unsure, saying who they are and why.

Judgements are append-only (the catalog refuses to change or delete one) and keyed by the pair,
not by the match: a pair found again by a later linkage run keeps its judgement, and a newer
judgement of the pair supersedes the older one, which stays in the history. A pair of two
leak records is the same pair either way round; it is stored smaller record id first.
Accepted and rejected pairs are the labels the next linkage run trains with (``labels``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from scrutiny.core import ScrutinyError, utc_now

if TYPE_CHECKING:
    from scrutiny.case import Case
    from scrutiny.store.catalog import Connection

DECISIONS = ("accept", "reject", "unsure")
STATUSES = ("pending", "accepted", "rejected", "unsure")
_STATUS_OF = {"accept": "accepted", "reject": "rejected", "unsure": "unsure"}
_DECISION_OF = {v: k for k, v in _STATUS_OF.items()}


@dataclass(frozen=True)
class Pair:
    """Two people: a leak record and a reference entry, or two leak records."""

    left_record: int
    right_entry: int | None = None
    right_record: int | None = None

    @classmethod
    def of(cls, left: int, right_entry: int | None, right_record: int | None) -> Pair:
        if (right_entry is None) == (right_record is None):
            raise ScrutinyError("a pair has either a reference entry or a second record")
        if right_record is not None:
            return cls(min(left, right_record), None, max(left, right_record))
        return cls(left, right_entry, None)

    def to_json(self) -> dict[str, int | None]:
        return {"left_record": self.left_record, "right_entry": self.right_entry,
                "right_record": self.right_record}


@dataclass(frozen=True)
class Judgement:
    id: int
    match_id: int
    pair: Pair
    decision: str
    by: str
    reason: str
    at: str

    @property
    def status(self) -> str:
        return _STATUS_OF[self.decision]

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "match": self.match_id, **self.pair.to_json(),
                "decision": self.decision, "by": self.by, "reason": self.reason, "at": self.at}


@dataclass(frozen=True)
class Side:
    """One person of a match: a leak record (``kind`` "record": ``where`` is its file and
    place in it) or a reference entry (``kind`` "entry": ``where`` names the database,
    its version and the entry's place in the file)."""

    kind: str
    id: int
    name: str | None
    name_alt: str | None
    id_number: str | None
    sex: str | None
    birth_date: str | None
    where: str
    key: str | None
    fields: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


@dataclass(frozen=True)
class MatchView:
    """A match as a reviewer sees it. ``explanation`` is what the engine wrote, parsed (a
    list of {"comparison", "level", "bayes_factor", "left", "right"}), or its text if it is
    not JSON."""

    id: int
    run_id: int
    kind: str
    probability: float
    weight: float
    status: str
    left: Side
    right: Side
    explanation: Any
    judgement: Judgement | None

    @property
    def pair(self) -> Pair:
        entry = self.right.id if self.right.kind == "entry" else None
        record = self.right.id if self.right.kind == "record" else None
        return Pair.of(self.left.id, entry, record)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "run": self.run_id, "kind": self.kind,
                "probability": self.probability, "weight": self.weight,
                "status": self.status, "left": self.left.to_json(),
                "right": self.right.to_json(), "explanation": self.explanation,
                "judgement": self.judgement.to_json() if self.judgement else None}


# -- reading matches --------------------------------------------------------------------------

_NEWEST_JUDGEMENT = """
    CASE WHEN m.right_entry IS NOT NULL THEN
        (SELECT j.id FROM judgements j WHERE j.left_record = m.left_record
         AND j.right_entry = m.right_entry ORDER BY j.id DESC LIMIT 1)
    ELSE
        (SELECT j.id FROM judgements j
         WHERE j.left_record = min(m.left_record, m.right_record) AND j.right_entry IS NULL
         AND j.right_record = max(m.left_record, m.right_record) ORDER BY j.id DESC LIMIT 1)
    END"""

_STATUS_FILTER = {
    "pending": "j.id IS NULL",
    "accepted": "j.decision = 'accept'",
    "rejected": "j.decision = 'reject'",
    "unsure": "j.decision = 'unsure'",
}


def newest_runs(db: Connection) -> list[int]:
    """The newest finished linkage run of each kind: one per reference database (by name,
    whatever its version) and one for deduplication."""
    return [int(r[0]) for r in db.execute(
        "SELECT max(r.id) FROM link_runs r LEFT JOIN reference_sets s ON s.id = r.set_id "
        "WHERE r.finished_at IS NOT NULL GROUP BY r.kind, s.name ORDER BY 1")]


def _runs(db: Connection, run_id: int | None) -> list[int]:
    if run_id is None:
        return newest_runs(db)
    if db.execute("SELECT 1 FROM link_runs WHERE id = ?", (run_id,)).fetchone() is None:
        raise ScrutinyError(f"no linkage run {run_id}")
    return [run_id]


def list_matches(db: Connection, status: str | None = None, run_id: int | None = None,
                 min_probability: float | None = None, limit: int | None = 100,
                 offset: int = 0) -> list[MatchView]:
    """Matches, most probable first. ``status`` keeps only pairs whose newest judgement is
    that (``pending``: not judged yet). ``run_id`` None means the newest run of each kind
    (see ``newest_runs``); a run that did not finish is shown only when named."""
    if status is not None and status not in STATUSES:
        raise ScrutinyError(f"unknown status {status!r}; use one of {', '.join(STATUSES)}")
    runs = _runs(db, run_id)
    if not runs:
        return []
    where = [f"b.run_id IN ({','.join('?' * len(runs))})"]
    args: list[Any] = list(runs)
    if min_probability is not None:
        where.append("b.probability >= ?")
        args.append(min_probability)
    if status is not None:
        where.append(_STATUS_FILTER[status])
    args += [-1 if limit is None else limit, offset]
    sql = (f"WITH b AS (SELECT m.*, {_NEWEST_JUDGEMENT} AS jid FROM matches m) "  # noqa: S608
           "SELECT b.id, b.run_id, r.kind, b.probability, b.weight, b.explanation, "
           "b.left_record, b.right_entry, b.right_record, j.id, j.match_id, j.decision, "
           "j.by, j.reason, j.at FROM b JOIN link_runs r ON r.id = b.run_id "
           "LEFT JOIN judgements j ON j.id = b.jid WHERE " + " AND ".join(where)
           + " ORDER BY b.probability DESC, b.id LIMIT ? OFFSET ?")
    sides = _Sides(db)
    return [_view(row, sides) for row in db.execute(sql, args).fetchall()]


def match_counts(db: Connection, run_id: int | None = None) -> dict[str, int]:
    """How many matches of the newest runs (or of ``run_id``) have each review status
    (every status present, zeros included)."""
    counts = dict.fromkeys(STATUSES, 0)
    runs = _runs(db, run_id)
    if not runs:
        return counts
    marks = ",".join("?" * len(runs))
    sql = (f"WITH b AS (SELECT m.id, {_NEWEST_JUDGEMENT} AS jid FROM matches m "  # noqa: S608
           f"WHERE m.run_id IN ({marks})) SELECT coalesce(j.decision, 'pending'), count(*) "
           "FROM b LEFT JOIN judgements j ON j.id = b.jid GROUP BY 1")
    for decision, n in db.execute(sql, runs):
        counts[_STATUS_OF.get(decision, decision)] = int(n)
    return counts


def next_pending(db: Connection, after_match_id: int | None = None) -> int | None:
    """The id of the next match waiting for a judgement, in the queue's order (the newest
    runs' matches, most probable first, then by id): the first one after ``after_match_id``
    (whatever its status now), or the first of the queue when that is not given or not in
    the queue. None when no match after it is pending."""
    runs = _runs(db, None)
    if not runs:
        return None
    marks = ",".join("?" * len(runs))
    where = [f"m.run_id IN ({marks})", f"({_NEWEST_JUDGEMENT}) IS NULL"]
    args: list[Any] = list(runs)
    if after_match_id is not None:
        row = db.execute(f"SELECT probability FROM matches WHERE id = ? "  # noqa: S608
                         f"AND run_id IN ({marks})", (after_match_id, *runs)).fetchone()
        if row is not None:
            where.append("(m.probability < ? OR (m.probability = ? AND m.id > ?))")
            args += [row[0], row[0], after_match_id]
    found = db.execute(f"SELECT m.id FROM matches m WHERE {' AND '.join(where)} "  # noqa: S608
                       "ORDER BY m.probability DESC, m.id LIMIT 1", args).fetchone()
    return int(found[0]) if found else None


def get_match(db: Connection, match_id: int) -> MatchView:
    """One match by id, whatever its run."""
    row = db.execute("SELECT run_id FROM matches WHERE id = ?", (match_id,)).fetchone()
    if row is None:
        raise ScrutinyError(f"no match {match_id}")
    sql = (f"SELECT m.id, m.run_id, r.kind, m.probability, m.weight, m.explanation, "  # noqa: S608
           "m.left_record, m.right_entry, m.right_record, j.id, j.match_id, j.decision, "
           f"j.by, j.reason, j.at FROM matches m JOIN link_runs r ON r.id = m.run_id "
           f"LEFT JOIN judgements j ON j.id = ({_NEWEST_JUDGEMENT}) WHERE m.id = ?")
    return _view(db.execute(sql, (match_id,)).fetchone(), _Sides(db))


def _view(row: tuple[Any, ...], sides: _Sides) -> MatchView:
    (mid, run, kind, prob, weight, expl, left, entry, record, jid, jmatch, decision, by,
     reason, at) = row
    right = sides.entry(int(entry)) if entry is not None else sides.record(int(record))
    judgement = None
    if jid is not None:
        judgement = Judgement(int(jid), int(jmatch), Pair.of(int(left), entry, record),
                              decision, by, reason, at)
    return MatchView(int(mid), int(run), str(kind), float(prob), float(weight),
                     judgement.status if judgement else "pending", sides.record(int(left)),
                     right, _explanation(expl), judgement)


def _explanation(text: str) -> Any:
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        return text


class _Sides:
    """Looks up the people of matches, remembering each item's file name."""

    def __init__(self, db: Connection) -> None:
        self.db = db
        self._files: dict[str, str] = {}

    def _file(self, sha256: str) -> str:
        if sha256 not in self._files:
            row = self.db.execute("SELECT source, chain FROM provenances WHERE sha256 = ? "
                                  "ORDER BY id LIMIT 1", (sha256,)).fetchone()
            self._files[sha256] = ("!/".join((row[0], *json.loads(row[1]))) if row
                                   else sha256[:16])
        return self._files[sha256]

    def record(self, record_id: int) -> Side:
        row = self.db.execute("SELECT sha256, location, name, id_number, sex, birth_date, "
                              "fields FROM records WHERE id = ?", (record_id,)).fetchone()
        if row is None:
            return Side("record", record_id, None, None, None, None, None, "(missing)", None,
                        {})
        fields = json.loads(row[6])
        return Side("record", record_id, row[2], fields.get("name_alt"), row[3], row[4],
                    row[5], f"{self._file(row[0])} {row[1]}", None, fields)

    def entry(self, entry_id: int) -> Side:
        row = self.db.execute(
            "SELECT s.name, s.version, e.location, e.entry_key, e.name, e.id_number, e.sex, "
            "e.birth_date, e.fields FROM reference_entries e JOIN reference_sets s "
            "ON s.id = e.set_id WHERE e.id = ?", (entry_id,)).fetchone()
        if row is None:
            return Side("entry", entry_id, None, None, None, None, None, "(missing)", None, {})
        fields = json.loads(row[8])
        return Side("entry", entry_id, row[4], fields.get("name_alt"), row[5], row[6], row[7],
                    f"{row[0]} v{row[1]} {row[2]}", row[3], fields)


def format_explanation(explanation: Any) -> str:
    """A compact one-line reading of an explanation: ``name: fuzzy ×8.2; birth: year ×4``."""
    if not isinstance(explanation, list):
        return explanation if isinstance(explanation, str) else json.dumps(
            explanation, ensure_ascii=False)
    parts = []
    for item in explanation:
        if not isinstance(item, dict):
            parts.append(json.dumps(item, ensure_ascii=False))
            continue
        factor = item.get("bayes_factor")
        shown = f" ×{factor:.3g}" if isinstance(factor, int | float) else ""
        freq = item.get("frequency_factor")
        if isinstance(freq, int | float):
            shown += f" (incl. ×{freq:.3g} for how {'rare' if freq > 1 else 'common'} " \
                "the value is)"
        parts.append(f"{item.get('comparison', '?')}: {item.get('level', '?')}{shown}")
    return "; ".join(parts)


# -- judging ----------------------------------------------------------------------------------


def _match_pair(db: Connection, match_id: int) -> tuple[Pair, int]:
    row = db.execute("SELECT left_record, right_entry, right_record, run_id FROM matches "
                     "WHERE id = ?", (match_id,)).fetchone()
    if row is None:
        raise ScrutinyError(f"no match {match_id}; see 'scrutiny matches'")
    return Pair.of(int(row[0]), row[1], row[2]), int(row[3])


def pair_of(db: Connection, match_id: int) -> Pair:
    """The pair a match is about."""
    return _match_pair(db, match_id)[0]


def _decision(text: str) -> str:
    value = text.strip().lower()
    value = _DECISION_OF.get(value, value)
    if value not in DECISIONS:
        raise ScrutinyError(f"a judgement is one of {', '.join(DECISIONS)}, not {text!r}")
    return value


def judge(case: Case, match_id: int, decision: str, by: str, reason: str) -> Judgement:
    """Record ``by``'s judgement of a match's pair (accept, reject or unsure) and why, in the
    catalog and in the custody log (event ``judged``). It supersedes any earlier judgement
    of the same pair, which stays in the history."""
    decision = _decision(decision)
    by, reason = by.strip(), reason.strip()
    if not by:
        raise ScrutinyError("say who judges (--by NAME)")
    if not reason:
        raise ScrutinyError("say why (--reason TEXT): the reason is part of the record")
    with case.transaction():
        pair, run_id = _match_pair(case.db, match_id)
        previous = _newest(case.db, pair)
        at = utc_now()
        cur = case.db.execute(
            "INSERT INTO judgements(match_id, left_record, right_record, right_entry, "
            "decision, by, reason, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (match_id, pair.left_record, pair.right_record, pair.right_entry, decision, by,
             reason, at))
        judgement = Judgement(int(cur.lastrowid), match_id, pair, decision, by, reason, at)
        case.record(by, "judged", None, {
            "judgement": judgement.id, "match": match_id, "run": run_id, **pair.to_json(),
            "decision": decision, "reason": reason,
            "supersedes": previous.id if previous else None})
    return judgement


def _judgement(row: tuple[Any, ...]) -> Judgement:
    jid, match_id, left, record, entry, decision, by, reason, at = row
    return Judgement(int(jid), int(match_id), Pair(int(left), entry, record), decision, by,
                     reason, at)


_JUDGEMENT_COLUMNS = ("id, match_id, left_record, right_record, right_entry, decision, by, "
                      "reason, at")


def judgement_history(db: Connection, pair: Pair) -> list[Judgement]:
    """Every judgement of a pair, oldest first (the last one stands)."""
    return [_judgement(r) for r in db.execute(
        f"SELECT {_JUDGEMENT_COLUMNS} FROM judgements WHERE left_record = ? "  # noqa: S608
        "AND right_entry IS ? AND right_record IS ? ORDER BY id",
        (pair.left_record, pair.right_entry, pair.right_record))]


def _newest(db: Connection, pair: Pair) -> Judgement | None:
    history = judgement_history(db, pair)
    return history[-1] if history else None


@dataclass(frozen=True)
class Label:
    """A pair a person decided: ``match`` True (accepted) or False (rejected)."""

    pair: Pair
    match: bool
    by: str
    at: str
    judgement_id: int


def labels(db: Connection) -> list[Label]:
    """Pairs whose newest judgement is accept or reject: training labels for the engine
    (unsure pairs are left out)."""
    rows = db.execute(
        f"SELECT {_JUDGEMENT_COLUMNS} FROM judgements WHERE id IN (SELECT max(id) "  # noqa: S608
        "FROM judgements GROUP BY left_record, right_entry, right_record) "
        "AND decision IN ('accept', 'reject') ORDER BY id")
    out = []
    for row in rows:
        j = _judgement(row)
        out.append(Label(j.pair, j.decision == "accept", j.by, j.at, j.id))
    return out
