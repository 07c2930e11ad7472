"""Full-text search over extracted text and person records.

Text lives in an SQLite FTS5 index with the trigram tokenizer, which works for Chinese and
Uyghur alike (no word segmentation needed). Trigram matching needs 3 or more characters, and
two-character Chinese names (李伟) are common, so shorter queries fall back to a scan of the
text (slower, still exact) and to the indexed names of person records.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

SNIPPET_TOKENS = 12


@dataclass(frozen=True)
class Hit:
    kind: str        # "text" or "record"
    sha256: str
    location: str
    snippet: str
    names: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "sha256": self.sha256, "location": self.location,
                "snippet": self.snippet, "names": list(self.names)}


def _names(db: Any, sha: str) -> tuple[str, ...]:
    rows = db.execute("SELECT source, chain FROM provenances WHERE sha256 = ? LIMIT 3", (sha,))
    out = []
    for source, chain in rows:
        members = json.loads(chain)
        out.append("!/".join([source, *members]))
    return tuple(out)


def _scan_snippet(text: str, query: str, width: int = 30) -> str:
    at = text.find(query)
    start = max(0, at - width)
    end = min(len(text), at + len(query) + width)
    return ("…" if start else "") + text[start:at] + f"[{query}]" + text[at + len(query):end] \
        + ("…" if end < len(text) else "")


def search(db: Any, query: str, limit: int = 20) -> list[Hit]:
    query = query.strip()
    if not query:
        return []
    hits: list[Hit] = []
    if len(query) >= 3:
        phrase = '"' + query.replace('"', '""') + '"'
        rows = db.execute(
            "SELECT t.sha256, t.location, snippet(texts_fts, 0, '[', ']', '…', ?) "
            "FROM texts_fts JOIN texts t ON t.id = texts_fts.rowid "
            "WHERE texts_fts MATCH ? ORDER BY rank LIMIT ?", (SNIPPET_TOKENS, phrase, limit))
        hits += [Hit("text", r[0], r[1], r[2], ()) for r in rows]
    else:
        rows = db.execute("SELECT sha256, location, text FROM texts WHERE instr(text, ?) > 0 "
                          "LIMIT ?", (query, limit))
        hits += [Hit("text", r[0], r[1], _scan_snippet(r[2], query), ()) for r in rows]
    # person records: exact name, then names starting with the query (index range scan)
    rows = db.execute(
        "SELECT sha256, location, name, id_number FROM records WHERE name = ? "
        "UNION ALL SELECT sha256, location, name, id_number FROM records "
        "WHERE name > ? AND name < ? LIMIT ?", (query, query, query + "\U0010ffff", limit))
    hits += [Hit("record", r[0], r[1], f"{r[2] or ''} {r[3] or ''}".strip(), ())
             for r in rows]
    if len(query) >= 6 and query[:6].isdigit():
        rows = db.execute("SELECT sha256, location, name, id_number FROM records "
                          "WHERE id_number = ? LIMIT ?", (query.upper(), limit))
        hits += [Hit("record", r[0], r[1], f"{r[2] or ''} {r[3] or ''}".strip(), ())
                 for r in rows]
    seen: set[tuple[str, str, str]] = set()
    unique = []
    for h in hits:
        key = (h.kind, h.sha256, h.location)
        if key not in seen:
            seen.add(key)
            unique.append(Hit(h.kind, h.sha256, h.location, h.snippet, _names(db, h.sha256)))
    return unique[:limit]
