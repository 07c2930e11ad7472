"""Shared by the linkage tests: a minimal victim-list loader and the ground-truth pairs.

The loader writes ``reference/victims.csv`` of a synthetic leak into ``reference_entries``
directly (``scrutiny.link.reference`` is the real importer); it keeps the CSV's headers as
field names, so ``name_ug`` (the Arabic-script name), ``hometown`` and ``birth`` reach the
features as they are.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from pathlib import Path
from typing import Any

from scrutiny.case import Case
from scrutiny.core import utc_now


def load_victims(case: Case, path: Path, name: str = "victims") -> dict[str, int]:
    """Import the CSV as a reference set; returns entry_id → reference_entries.id."""
    data = path.read_bytes()
    ids: dict[str, int] = {}
    with case.transaction():
        cur = case.db.execute(
            "INSERT INTO reference_sets(name, version, sha256, file_name, format, mapping, "
            "imported_at, imported_by, entries) VALUES (?, 1, ?, ?, 'csv', '{}', ?, 'test', 0)",
            (name, hashlib.sha256(data).hexdigest(), path.name, utc_now()))
        set_id = int(cur.lastrowid)
        with open(path, encoding="utf-8", newline="") as f:
            for i, row in enumerate(csv.DictReader(f), start=2):
                birth = row.get("birth") or ""
                date = birth if re.fullmatch(r"\d{4}-\d\d-\d\d", birth) else None
                fields: dict[str, Any] = {k: v for k, v in row.items() if v}
                if re.fullmatch(r"\d{4}", birth):
                    fields["birth_year"] = int(birth)
                sex = {"male": "M", "female": "F"}.get(row.get("gender") or "")
                cur = case.db.execute(
                    "INSERT INTO reference_entries(set_id, location, entry_key, name, "
                    "id_number, sex, birth_date, fields, id_info, raw) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, '{}', ?)",
                    (set_id, f"row:{i}", row["entry_id"], row["name"] or None,
                     row["id_number"] or None, sex, date,
                     json.dumps(fields, ensure_ascii=False),
                     json.dumps(row, ensure_ascii=False)))
                ids[row["entry_id"]] = int(cur.lastrowid)
        case.db.execute("UPDATE reference_sets SET entries = ? WHERE id = ?",
                        (len(ids), set_id))
    return ids


def _relpath(source: str, chain: str) -> str:
    members = json.loads(chain)
    p = members[-1] if members else source
    return p[p.index("leak/"):] if "leak/" in p else p


def truth_pairs(case: Case, truth: dict[str, Any], entries: dict[str, int],
                ) -> dict[tuple[int, int], str]:
    """Ground-truth (record id, entry id) → spelling kind, by file and row."""
    files: dict[str, str] = {}
    for sha, source, chain in case.db.execute("SELECT sha256, source, chain FROM provenances"):
        files.setdefault(sha, _relpath(source, chain))
    rows: dict[tuple[str, int], int] = {}
    for rid, sha, location in case.db.execute(
            "SELECT id, sha256, location FROM records WHERE source = 'table'"):
        rows[(files.get(sha, sha), int(location.rsplit("row:", 1)[1]))] = int(rid)
    out = {}
    for m in truth["matches"]:
        rid = rows.get((m["file"], m["row"]))
        if rid is not None:
            out[(rid, entries[m["reference"]])] = m["spelling"]
    return out
