"""Person records a page at a time, one record with everything known about it, and the
review queue's next pending match: read-only queries for the web workbench.

Every list has a LIMIT and walks an index: the plain list by record id, a name search over
the ``records_name`` index (exact name or prefix, ordered by name then id), an ID-number
search over ``records_id_number``, an item's records through ``records_extraction``.
``after`` is always the id of the last record shown, so page 2,000 costs what page 1 does.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from scrutiny.core import Severity
from scrutiny.link.review import MatchView, get_match, newest_runs

PAGE = 50
TOP = "\U0010ffff"  # sorts after every other character: name < q + TOP is a prefix range
_COLUMNS = ("r.id, r.sha256, r.location, r.main_id, r.relation, r.name, r.id_number, r.sex, "
            "r.birth_date, (SELECT count(*) FROM findings f WHERE f.subject = 'record:' || r.id)")


@dataclass(frozen=True)
class RecordRow:
    """One person record as a list shows it (``file``: where the item was received from;
    ``findings``: how many findings the record checks made about it)."""

    id: int
    sha256: str
    file: str
    location: str
    main_id: int | None
    relation: str
    name: str | None
    id_number: str | None
    sex: str | None
    birth_date: str | None
    findings: int


@dataclass(frozen=True)
class RecordPage:
    """A page of records; ``next_after`` is the ``after`` of the next page (None: last)."""

    rows: list[RecordRow]
    next_after: int | None
    mode: str  # "all", "name", "id_number": how ``q`` was read


@dataclass(frozen=True)
class RecordDetail:
    """One record: its list row, the source row as read (``raw``: (column header, cell)
    pairs, every cell), the normalised ``fields``, the resident-ID check's ``id_info``, the
    main person (of a relative) and the relatives (of a main person)."""

    record: RecordRow
    source: str
    fields: dict[str, Any]
    id_info: dict[str, Any]
    raw: list[tuple[str, Any]]
    main: RecordRow | None
    relatives: list[RecordRow] = field(default_factory=list)


def file_names(db: Any, shas: set[str] | list[str]) -> dict[str, str]:
    """Where each item was first received from (a path, ``!/`` into archives)."""
    out: dict[str, str] = {}
    for sha in set(shas):
        row = db.execute("SELECT source, chain FROM provenances WHERE sha256 = ? ORDER BY id "
                         "LIMIT 1", (sha,)).fetchone()
        out[sha] = "!/".join((row[0], *json.loads(row[1]))) if row else sha[:16]
    return out


def _rows(db: Any, rows: list[tuple[Any, ...]]) -> list[RecordRow]:
    files = file_names(db, [r[1] for r in rows])
    return [RecordRow(int(r[0]), r[1], files[r[1]], r[2], r[3], r[4], r[5], r[6], r[7], r[8],
                      int(r[9])) for r in rows]


def query_mode(q: str | None) -> str:
    """How a search is read: six or more leading digits search ID numbers, anything else
    names (exact or prefix); nothing lists every record."""
    if not q:
        return "all"
    return "id_number" if len(q) >= 6 and q[:6].isdigit() else "name"


def list_records(db: Any, q: str | None = None, sha256: str | None = None,
                 relatives: bool = False, after: int | None = None,
                 limit: int = PAGE) -> RecordPage:
    """A page of person records. ``q``: a name or the start of one (``李伟``, ``李``), or the
    start of an ID number (six digits or more); ``sha256``: only the records read from one
    item; ``relatives``: relatives too, not only main persons. Without ``q`` records come in
    id order; with it, in order of the name (or ID number) searched, then id."""
    q = (q or "").strip() or None
    mode = query_mode(q)
    where: list[str] = []
    args: list[Any] = []
    if not relatives:
        where.append("r.relation = ''")
    if sha256:
        extractions = [int(r[0]) for r in db.execute(
            "SELECT id FROM extractions WHERE sha256 = ?", (sha256,))] or [0]
        where.append(f"r.extraction_id IN ({','.join('?' * len(extractions))}) "
                     "AND r.sha256 = ?")
        args += [*extractions, sha256]
    if q is None:
        order = "r.id"
        if after is not None:
            where.append("r.id > ?")
            args.append(after)
    else:
        column = "name" if mode == "name" else "id_number"
        text = q if mode == "name" else q.upper()
        where.append(f"r.{column} >= ? AND r.{column} < ?")
        args += [text, f"{text}{TOP}"]
        if after is not None:
            # keyset on (name or ID number, id): the page after the record ``after``
            where.append(f"(r.{column}, r.id) > "  # noqa: S608 - a fixed column name
                         f"((SELECT {column} FROM records WHERE id = ?), ?)")
            args += [after, after]
        order = f"r.{column}, r.id"
    sql = (f"SELECT {_COLUMNS} FROM records r "  # noqa: S608 - fixed fragments, bound values
           f"WHERE {' AND '.join(where) or '1'} ORDER BY {order} LIMIT ?")
    found = db.execute(sql, (*args, limit + 1)).fetchall()
    rows = _rows(db, found[:limit])
    return RecordPage(rows, rows[-1].id if len(found) > limit else None, mode)


def get_record(db: Any, record_id: int) -> RecordRow | None:
    """One record's list row, or None."""
    found = db.execute(f"SELECT {_COLUMNS} FROM records r WHERE r.id = ?",  # noqa: S608
                       (record_id,)).fetchall()
    return _rows(db, found)[0] if found else None


def _headers(db: Any, extraction_id: int, location: str) -> dict[int, str]:
    table = location.rsplit("!row:", 1)[0] if "!row:" in location else ""
    out: dict[int, str] = {}
    for col, header in db.execute("SELECT col, header FROM column_maps WHERE "
                                  "extraction_id = ? AND tbl = ? ORDER BY rowid",
                                  (extraction_id, table)):
        out.setdefault(int(col), header or f"column {int(col) + 1}")
    return out


def record_detail(db: Any, record_id: int, relatives_limit: int = 200) -> RecordDetail | None:
    """Everything stored about one record (None if there is no such record)."""
    record = get_record(db, record_id)
    if record is None:
        return None
    extraction, source, fields, id_info, raw = db.execute(
        "SELECT extraction_id, source, fields, id_info, raw FROM records WHERE id = ?",
        (record_id,)).fetchone()
    stored = json.loads(raw)
    if isinstance(stored, list):
        names = _headers(db, int(extraction), record.location)
        cells = [(names.get(i, f"column {i + 1}"), v) for i, v in enumerate(stored)]
    elif isinstance(stored, dict):
        cells = [(str(k), v) for k, v in stored.items()]
    else:
        cells = [("value", stored)]
    main = get_record(db, record.main_id) if record.main_id is not None else None
    rels = _rows(db, db.execute(
        f"SELECT {_COLUMNS} FROM records r WHERE r.main_id = ? ORDER BY r.id "  # noqa: S608
        "LIMIT ?", (record_id, relatives_limit)).fetchall())
    return RecordDetail(record, source, json.loads(fields), json.loads(id_info), cells, main,
                        rels)


def record_findings(db: Any, record_id: int, limit: int = 200) -> list[dict[str, Any]]:
    """The findings about one record (subject ``record:N``), most severe first, in the
    shape of ``checks.run.findings``."""
    rows = db.execute(
        "SELECT code, subject, severity, title, explanation, evidence, check_version, created "
        "FROM findings WHERE subject = ? ORDER BY severity DESC, code, id LIMIT ?",
        (f"record:{record_id}", limit))
    return [{"code": r[0], "subject": r[1], "severity": Severity(r[2]).label, "title": r[3],
             "explanation": r[4], "evidence": json.loads(r[5]), "check_version": r[6],
             "created": r[7]} for r in rows]


def record_matches(db: Any, record_id: int, limit: int = 50) -> list[MatchView]:
    """The matches of the newest linkage runs that involve one record (on either side),
    most probable first."""
    runs = newest_runs(db)
    if not runs:
        return []
    marks = ",".join("?" * len(runs))
    # one lookup per side on its record index (an OR of the two, or the run index that
    # SQLite would otherwise pick, scans the runs' matches; "+run_id" keeps it off that)
    ids = db.execute(
        f"SELECT id, probability FROM matches WHERE left_record = ? AND +run_id IN ({marks}) "  # noqa: S608
        f"UNION SELECT id, probability FROM matches WHERE right_record = ? "
        f"AND +run_id IN ({marks}) ORDER BY 2 DESC, 1 LIMIT ?",
        (record_id, *runs, record_id, *runs, limit)).fetchall()
    return [get_match(db, int(r[0])) for r in ids]
