"""The tables an export writes, read from the catalog a page at a time as plain dicts.

Four tables: ``records`` (the people of the leak, one row per record, with the row as read),
``findings`` (every check's observations), ``matches`` (candidate pairs of the newest linkage
run of each kind, with their judgement), ``ledger`` (claims with their status and evidence).
Each row's keys are its CSV columns, in order; nested values (a record's fields and raw row,
a finding's evidence, a match's explanation, a claim's evidence) stay objects in JSON and are
written as JSON text in a CSV cell.

A case can hold a million records: rows are read by id, ``PAGE`` at a time, and nothing but
small caches (file names and column maps by item) is kept between pages. With ``redact``,
every row passes through :mod:`scrutiny.redact` with the birth dates of the person it
is about, so that a birth date quoted in a finding's explanation is cut to its year too.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from scrutiny.core import Severity
from scrutiny.ledger.store import iter_claims
from scrutiny.link.review import format_explanation, get_match, newest_runs
from scrutiny.redact import (
    Kind,
    birth_dates_in,
    county_of_address,
    header_kind,
    redact_text,
    redact_value,
)
from scrutiny.store.catalog import Connection

PAGE = 500
TABLES = ("records", "findings", "matches", "ledger")

COLUMNS: dict[str, tuple[str, ...]] = {
    "records": ("id", "main_id", "relation", "source", "file", "sha256", "location", "name",
                "name_alt", "id_number", "sex", "birth_date", "ethnicity", "age", "address",
                "county", "phone", "facility", "detained", "category", "note", "fields",
                "id_info", "raw"),
    "findings": ("id", "code", "severity", "subject", "title", "explanation", "evidence",
                 "check_version", "run", "created"),
    "matches": ("id", "run", "kind", "status", "probability", "weight", "left_record",
                "left_name", "right_kind", "right_id", "right_name", "decision", "judged_by",
                "judged_at", "judgement_reason", "summary", "explanation", "left", "right"),
    "ledger": ("id", "kind", "subject", "status", "statement", "who", "place", "date_from",
               "date_to", "automatic", "created_at", "created_by", "reasoning",
               "supporting_sources", "contradicting_sources", "evidence_counted",
               "evidence_withdrawn", "evidence", "history"),
}
"""Each table's columns, in order: the keys of its rows."""

_FIELD_KIND: dict[str, Kind] = {"id_number": "id", "birth_date": "birth", "phone": "phone",
                                "address": "address"}
_RECORD_SQL = ("SELECT id, extraction_id, sha256, source, location, main_id, relation, name, "
               "id_number, sex, birth_date, fields, id_info, raw FROM records")
_SUBJECT_RECORD = re.compile(r"record:(\d+)")
_FULL_DATE = re.compile(r"\d{4}-\d\d-\d\d")


def _full_dates(*values: Any) -> set[str]:
    """The full ISO dates (YYYY-MM-DD) among a record's stored birth dates (stated, and read
    from its ID number: both are normalised to ISO by extraction)."""
    return {v[:10] for v in values if isinstance(v, str) and _FULL_DATE.match(v)}


class Reader:
    """Reads one case's tables as rows (dicts), redacted or not."""

    def __init__(self, db: Connection, redact: bool = True) -> None:
        self.db = db
        self.redact = redact
        self._files: dict[str, str] = {}
        self._columns: dict[tuple[int, str], dict[int, tuple[str, str | None]]] = {}

    def rows(self, table: str) -> Iterator[dict[str, Any]]:
        """The rows of one of ``TABLES``."""
        return {"records": self.records, "findings": self.findings, "matches": self.matches,
                "ledger": self.ledger}[table]()

    # -- helpers ----------------------------------------------------------------------------

    def file_of(self, sha256: str) -> str:
        """Where an item was found, as ingest recorded it: the input path and the archive
        members leading to it (``leak.zip!/rosters/list.xlsx``)."""
        if sha256 not in self._files:
            row = self.db.execute("SELECT source, chain FROM provenances WHERE sha256 = ? "
                                  "ORDER BY id LIMIT 1", (sha256,)).fetchone()
            self._files[sha256] = ("!/".join((row[0], *json.loads(row[1]))) if row
                                   else sha256[:16])
        return self._files[sha256]

    def person_dates(self, record_id: int | None) -> set[str]:
        """The full birth dates of a record: stated, and in its ID number."""
        if record_id is None:
            return set()
        row = self.db.execute("SELECT birth_date, fields, id_info FROM records WHERE id = ?",
                              (record_id,)).fetchone()
        if row is None:
            return set()
        return _full_dates(row[0], json.loads(row[1]).get("birth_date"),
                           json.loads(row[2]).get("birth_date"))

    def _subject_dates(self, subject: str | None) -> set[str]:
        m = _SUBJECT_RECORD.fullmatch(subject or "")
        return self.person_dates(int(m[1])) if m else set()

    def _columns_of(self, extraction: int, table: str) -> dict[int, tuple[str, str | None]]:
        key = (extraction, table)
        if key not in self._columns:
            self._columns[key] = {
                int(col): (str(header or ""), field) for col, header, field in self.db.execute(
                    "SELECT col, header, field FROM column_maps WHERE extraction_id = ? "
                    "AND tbl = ?", key)}
        return self._columns[key]

    def _raw(self, stored: Any, extraction: int, location: str,
             ) -> tuple[dict[str, Any], dict[str, Kind | None]]:
        """The row as read, as {header: cell} for its non-empty cells, and what each holds
        (from the column's mapped field, else its header)."""
        raw: dict[str, Any] = {}
        kinds: dict[str, Kind | None] = {}
        if isinstance(stored, list):
            table = location.rsplit("!row:", 1)[0] if "!row:" in location else ""
            columns = self._columns_of(extraction, table)
            for i, cell in enumerate(stored):
                if cell is None or cell == "":
                    continue
                header, field = columns.get(i, ("", None))
                name = header or f"column {i + 1}"
                if name in raw:
                    name = f"{name} (column {i + 1})"
                raw[name] = cell
                kinds[name] = _FIELD_KIND.get(field or "") or header_kind(name)
        elif isinstance(stored, dict):
            raw = dict(stored)
            kinds = {str(k): header_kind(str(k)) for k in raw}
        else:
            raw, kinds = {"value": stored}, {"value": None}
        return raw, kinds

    # -- records ----------------------------------------------------------------------------

    def records(self) -> Iterator[dict[str, Any]]:
        """Every record, in id order."""
        last = 0
        while True:
            page = self.db.execute(f"{_RECORD_SQL} WHERE id > ? ORDER BY id LIMIT ?",
                                   (last, PAGE)).fetchall()
            if not page:
                return
            last = int(page[-1][0])
            for row in page:
                yield self._record(row)

    def record(self, record_id: int) -> dict[str, Any] | None:
        """One record's row, or None."""
        row = self.db.execute(f"{_RECORD_SQL} WHERE id = ?", (record_id,)).fetchone()
        return None if row is None else self._record(row)

    def _record(self, r: tuple[Any, ...]) -> dict[str, Any]:
        (rid, extraction, sha, source, location, main_id, relation, name, id_number, sex,
         birth, fields_json, id_info_json) = r[:13]
        fields = json.loads(fields_json)
        id_info = json.loads(id_info_json)
        raw, kinds = self._raw(json.loads(r[13]), int(extraction), location)
        address = fields.get("address")
        row: dict[str, Any] = {
            "id": int(rid), "main_id": main_id, "relation": relation, "source": source,
            "file": self.file_of(sha), "sha256": sha, "location": location, "name": name,
            "name_alt": fields.get("name_alt"), "id_number": id_number, "sex": sex,
            "birth_date": birth, "ethnicity": fields.get("ethnicity"), "age": fields.get("age"),
            "address": address,
            "county": county_of_address(str(address)) if address else fields.get("county"),
            "phone": fields.get("phone"), "facility": fields.get("facility"),
            "detained": fields.get("detained"), "category": fields.get("category"),
            "note": fields.get("note"), "fields": fields, "id_info": id_info, "raw": raw}
        if not self.redact:
            return row
        dates = _full_dates(birth, fields.get("birth_date"), id_info.get("birth_date"))
        out: dict[str, Any] = redact_value({k: v for k, v in row.items() if k != "raw"},
                                           None, dates)
        out["raw"] = {redact_text(k, dates): redact_value(v, kinds[k], dates)
                      for k, v in raw.items()}
        return out

    # -- findings ---------------------------------------------------------------------------

    def findings(self) -> Iterator[dict[str, Any]]:
        """Every finding, in id order, its severity by name."""
        last = 0
        while True:
            page = self.db.execute(
                "SELECT id, code, severity, subject, title, explanation, evidence, "
                "check_version, run_id, created FROM findings WHERE id > ? ORDER BY id "
                "LIMIT ?", (last, PAGE)).fetchall()
            if not page:
                return
            last = int(page[-1][0])
            for fid, code, sev, subject, title, expl, evidence, version, run, created in page:
                row = {"id": int(fid), "code": code, "severity": Severity(int(sev)).label,
                       "subject": subject, "title": title, "explanation": expl,
                       "evidence": json.loads(evidence), "check_version": version,
                       "run": run, "created": created}
                if self.redact:
                    dates = birth_dates_in(row["evidence"]) | self._subject_dates(subject)
                    row = redact_value(row, None, dates)
                yield row

    # -- matches ----------------------------------------------------------------------------

    def matches(self) -> Iterator[dict[str, Any]]:
        """The matches of the newest finished linkage run of each kind (what ``scrutiny
        matches`` shows), in id order, each with its pair's newest judgement."""
        runs = newest_runs(self.db)
        if not runs:
            return
        marks = ",".join("?" * len(runs))
        last = 0
        while True:
            ids = [int(r[0]) for r in self.db.execute(
                f"SELECT id FROM matches WHERE run_id IN ({marks}) AND id > ? "  # noqa: S608
                "ORDER BY id LIMIT ?", (*runs, last, PAGE))]
            if not ids:
                return
            last = ids[-1]
            for mid in ids:
                yield self._match(mid)

    def _match(self, match_id: int) -> dict[str, Any]:
        view = get_match(self.db, match_id)
        j = view.judgement
        row: dict[str, Any] = {
            "id": view.id, "run": view.run_id, "kind": view.kind, "status": view.status,
            "probability": view.probability, "weight": view.weight,
            "left_record": view.left.id, "left_name": view.left.name,
            "right_kind": view.right.kind, "right_id": view.right.id,
            "right_name": view.right.name, "decision": j.decision if j else None,
            "judged_by": j.by if j else None, "judged_at": j.at if j else None,
            "judgement_reason": j.reason if j else None, "summary": None,
            "explanation": view.explanation, "left": view.left.to_json(),
            "right": view.right.to_json()}
        if self.redact:
            dates = (self.person_dates(view.left.id) | birth_dates_in(row["left"])
                     | birth_dates_in(row["right"]))
            if view.right.kind == "record":
                dates |= self.person_dates(view.right.id)
            row = redact_value(row, None, dates)
        row["summary"] = format_explanation(row["explanation"])
        return row

    # -- ledger -----------------------------------------------------------------------------

    def ledger(self) -> Iterator[dict[str, Any]]:
        """Every claim, in id order, with its derived status, evidence and history."""
        for claim in iter_claims(self.db):
            data = claim.to_json()
            row = {k: data.get(k) for k in COLUMNS["ledger"]}
            if self.redact:
                row = redact_value(row, None, self._subject_dates(claim.subject))
            yield row

    # -- items, for FollowTheMoney ----------------------------------------------------------

    def sources(self) -> Iterator[dict[str, Any]]:
        """The items that hold named person records, by SHA-256: file, MIME type, size."""
        last = ""
        while True:
            page = self.db.execute(
                "SELECT i.sha256, i.mime, i.size FROM items i WHERE i.sha256 > ? AND EXISTS "
                "(SELECT 1 FROM extractions e JOIN records r ON r.extraction_id = e.id "
                "WHERE e.sha256 = i.sha256 AND coalesce(r.name, '') != '') "
                "ORDER BY i.sha256 LIMIT ?", (last, PAGE)).fetchall()
            if not page:
                return
            last = str(page[-1][0])
            for sha, mime, size in page:
                name = self.file_of(sha)
                yield {"sha256": sha, "file": redact_text(name) if self.redact else name,
                       "mime": mime, "size": int(size)}
