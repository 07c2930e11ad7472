"""Read-only queries behind the evidence browser, the item page and their image previews.

Items are listed a page at a time, keyset-paginated on their SHA-256; filters on findings are
driven from the findings table's indexes (code, severity, subject), so a page costs the same
on a case of 100,000 items. The item page gathers what the catalog holds about one item:
extracted text and metadata (capped), findings with their evidence, images the checks
derived from it, every provenance and the custody events the catalog names.

Previews of pictures are made by ``browse.preview``.
"""

from __future__ import annotations

import json
import mimetypes
import re
from dataclasses import dataclass
from typing import Any

from scrutiny.core import Severity
from scrutiny.store.catalog import FROM_LEAK

KINDS: dict[str, tuple[str, ...]] = {
    "image": ("image/",),
    "document": ("application/pdf", "application/msword", "application/rtf", "text/rtf",
                 "application/vnd.openxmlformats-officedocument.wordprocessingml",
                 "application/vnd.openxmlformats-officedocument.presentationml",
                 "application/vnd.ms-powerpoint", "application/vnd.oasis.opendocument.text",
                 "application/vnd.oasis.opendocument.presentation", "text/plain",
                 "text/markdown", "text/html", "application/xml", "text/xml",
                 "application/json"),
    "table": ("text/csv", "text/tab-separated-values", "application/vnd.ms-excel",
              "application/vnd.openxmlformats-officedocument.spreadsheetml",
              "application/vnd.oasis.opendocument.spreadsheet"),
    "archive": ("application/zip", "application/x-zip-compressed", "application/x-tar",
                "application/x-gtar", "application/x-7z-compressed", "application/gzip",
                "application/x-gzip", "application/x-bzip2", "application/x-xz",
                "application/vnd.rar", "application/x-rar"),
}
"""Kinds of item by MIME-type prefix; an item of none of them is of kind ``other``."""
KIND_NAMES: tuple[str, ...] = (*KINDS, "other")
SEVERITIES: tuple[str, ...] = tuple(s.label for s in Severity)
DERIVED_CAPTIONS: dict[str, str] = {
    "error-level-map": "Error level analysis: how much each area changes when the JPEG is "
                       "saved again; pasted or retouched areas can stand out (or not).",
    "noise-map": "Noise map: local sensor-noise level; an area with other noise than its "
                 "surroundings may come from another picture.",
    "copy-move-regions": "Copy-move: areas that repeat another area of the same picture "
                         "(outlined).",
    "thumbnail-comparison": "Thumbnail comparison: the embedded EXIF thumbnail against the "
                            "picture, showing where they differ.",
}
DENSE = 2_000  # findings matching a filter from which it is probed per item (see list_items)
TOP = "\U0010ffff"  # after every character: ``x >= p AND x < p || TOP`` is a prefix range
TEXT_CHARS, TEXT_PARTS, META_ROWS, RECORDS_CAP, LIST_CAP = 20_000, 20, 500, 10_000, 200
SHA256 = re.compile(r"[0-9a-f]{64}")
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/tiff": "tif", "text/plain": "txt",
              "text/csv": "csv", "application/pdf": "pdf", "application/json": "json",
              "application/zip": "zip", "application/gzip": "gz", "application/x-tar": "tar",
              "application/x-7z-compressed": "7z", "application/msword": "doc",
              "application/vnd.ms-excel": "xls", "image/heic": "heic", "image/webp": "webp",
              "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
              "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx"}


@dataclass(frozen=True)
class ItemRow:
    """One line of the evidence list: the first name the item was received under."""

    sha256: str
    name: str
    mime: str
    kind: str
    size: int
    findings: int
    worst: str | None  # severity label of its most severe finding


@dataclass(frozen=True)
class ItemPage:
    rows: list[ItemRow]
    after: str | None  # the keyset of the next page, None on the last one


@dataclass(frozen=True)
class Finding:
    id: int
    code: str
    severity: str
    title: str
    explanation: str
    evidence: list[tuple[str, str]]
    check_version: str
    run_id: str | None
    custody_seq: int | None


@dataclass(frozen=True)
class Provenance:
    name: str          # source and archive chain, joined with "!/"
    source: str
    chain: list[str]
    parent: str | None
    mtime: str
    ext_mime: str | None
    ext_mismatch: bool
    custody_seq: int
    run_id: str
    run_kind: str | None
    actor: str | None
    started: str | None


@dataclass(frozen=True)
class Event:
    """A custody event as the catalog names it (the log itself holds more)."""

    seq: int | None
    what: str
    run_id: str | None
    actor: str | None
    at: str | None


@dataclass(frozen=True)
class ItemDetail:
    sha256: str
    size: int
    mime: str
    magic: str
    kind: str
    received: str
    custody_seq: int
    texts: list[tuple[str, str, bool]]         # (location, text, cut)
    texts_cut: bool                            # more locations than shown
    metadata: list[tuple[str, str, str]]       # (location, key, value)
    metadata_cut: bool
    findings: list[Finding]
    derived: list[tuple[str, str, str, str]]   # (kind, check code, caption, params)
    provenances: list[Provenance]
    custody: list[Event]
    extractions: list[tuple[str, str, str, str | None]]  # (extractor, version, status, error)
    records: int                               # person records extracted (RECORDS_CAP at most)


def kind_of(mime: str) -> str:
    """The kind (:data:`KINDS`) of a MIME type."""
    for kind, prefixes in KINDS.items():
        if mime.startswith(prefixes):
            return kind
    return "other"


def _kind_sql(kind: str) -> tuple[str, list[str]]:
    prefixes = [p for ps in KINDS.values() for p in ps] if kind == "other" else KINDS[kind]
    sql = " OR ".join("(i.mime >= ? AND i.mime < ?)" for _ in prefixes)
    args = [x for p in prefixes for x in (p, p + TOP)]
    return (f"NOT ({sql})" if kind == "other" else f"({sql})"), args


def name_of(source: str, chain: str) -> str:
    """A provenance's path: the source, then the archive members it was unpacked through."""
    return "!/".join([source, *json.loads(chain)])


def _findings_sql(db: Any, severity: str | None, code: str | None,
                  args: list[str | int]) -> str:
    """The condition "has a finding of ``severity`` or worse / with a code starting with
    ``code``" (its arguments appended to ``args``). A rare finding drives the query from the
    findings' indexes (``IN``); a common one (``info``: nearly every item) is probed per item
    (``EXISTS``), so neither builds a list of 100,000 subjects for a page of 50."""
    sub: list[str] = []
    fargs: list[str | int] = []
    if severity:
        sub.append("severity >= ?")
        fargs.append(int(Severity.parse(severity)))
    if code:
        sub.append("code >= ? AND code < ?")
        fargs += [code.upper(), code.upper() + TOP]
    cond = " AND ".join(sub)
    dense = db.execute(f"SELECT count(*) FROM (SELECT 1 FROM findings WHERE {cond} "  # noqa: S608
                       "LIMIT ?)", (*fargs, DENSE)).fetchone()[0] >= DENSE
    args += fargs
    if dense:
        return f"EXISTS (SELECT 1 FROM findings f WHERE f.subject = i.sha256 AND {cond})"  # noqa: S608
    return f"i.sha256 IN (SELECT subject FROM findings WHERE {cond})"  # noqa: S608


def list_items(db: Any, *, after: str | None = None, mime: str | None = None,
               kind: str | None = None, severity: str | None = None, code: str | None = None,
               leak_only: bool = False, limit: int = 50) -> ItemPage:
    """A page of items in SHA-256 order after ``after``: of MIME type ``mime`` exactly, of
    ``kind`` (:data:`KINDS`), with a finding of ``severity`` or worse and/or a finding code
    starting with ``code``, received with the leak (``leak_only``, see ``FROM_LEAK``)."""
    where: list[str] = ["i.sha256 > ?"]
    args: list[str | int] = [after or ""]
    if mime:
        where.append("i.mime = ?")
        args.append(mime)
    if kind:
        sql, kind_args = _kind_sql(kind)
        where.append(sql)
        args += kind_args
    if severity or code:
        where.append(_findings_sql(db, severity, code, args))
    if leak_only:
        where.append(FROM_LEAK)
    rows = db.execute(f"SELECT i.sha256, i.size, i.mime FROM items i WHERE "  # noqa: S608
                      f"{' AND '.join(where)} ORDER BY i.sha256 LIMIT ?",
                      (*args, limit + 1)).fetchall()
    more = len(rows) > limit
    rows = rows[:limit]
    shas = [r[0] for r in rows]
    counts: dict[str, tuple[int, int]] = {}
    if shas:
        marks = ",".join("?" * len(shas))
        counts = {s: (n, w) for s, n, w in db.execute(
            f"SELECT subject, count(*), max(severity) FROM findings WHERE subject IN ({marks}) "  # noqa: S608
            "GROUP BY subject", shas)}
    out = []
    for sha, size, item_mime in rows:
        first = db.execute("SELECT source, chain FROM provenances WHERE sha256 = ? ORDER BY id "
                           "LIMIT 1", (sha,)).fetchone()
        n, worst = counts.get(sha, (0, None))
        out.append(ItemRow(sha, name_of(*first) if first else "", item_mime,
                           kind_of(item_mime), int(size), n,
                           Severity(worst).label if worst is not None else None))
    return ItemPage(out, shas[-1] if more else None)


def _shown(value: Any) -> str:
    """A stored JSON value as text for a reader (strings as they are)."""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _json_shown(raw: str | None) -> str:
    if raw is None:
        return ""
    try:
        return _shown(json.loads(raw))
    except ValueError:
        return raw


def evidence_pairs(raw: str) -> list[tuple[str, str]]:
    """A finding's JSON evidence as (key, value) pairs."""
    try:
        value = json.loads(raw)
    except ValueError:
        return [("evidence", raw)]
    if isinstance(value, dict):
        return [(str(k), _shown(v)) for k, v in value.items()]
    return [("evidence", _shown(value))]


def _findings(db: Any, sha: str) -> list[Finding]:
    rows = db.execute(
        "SELECT id, code, severity, title, explanation, evidence, check_version, run_id, "
        "custody_seq FROM findings WHERE subject = ? ORDER BY severity DESC, code, id LIMIT ?",
        (sha, LIST_CAP))
    return [Finding(r[0], r[1], Severity(r[2]).label, r[3], r[4], evidence_pairs(r[5]), r[6],
                    r[7], r[8]) for r in rows]


def _provenances(db: Any, sha: str) -> list[Provenance]:
    rows = db.execute(
        "SELECT p.source, p.chain, p.parent, p.mtime, p.ext_mime, p.ext_mismatch, "
        "p.custody_seq, p.run_id, r.kind, r.actor, r.started FROM provenances p "
        "LEFT JOIN runs r ON r.id = p.run_id WHERE p.sha256 = ? ORDER BY p.id LIMIT ?",
        (sha, LIST_CAP))
    return [Provenance(name_of(r[0], r[1]), r[0], list(json.loads(r[1])), r[2], r[3], r[4],
                       bool(r[5]), r[6], r[7], r[8], r[9], r[10]) for r in rows]


def _custody(db: Any, item: tuple[Any, ...], provs: list[Provenance],
             findings: list[Finding], derived: list[tuple[Any, ...]]) -> list[Event]:
    seq, run_id, received = item
    run = db.execute("SELECT kind, actor FROM runs WHERE id = ?", (run_id,)).fetchone()
    events = [Event(seq, f"received ({run[0] if run else 'run'})", run_id,
                    run[1] if run else None, received)]
    for p in provs:
        if p.custody_seq != seq:
            how = f"unpacked from {p.parent}" if p.parent else "received again"
            events.append(Event(p.custody_seq, f"{how} as {p.name}", p.run_id, p.actor,
                                p.started))
    runs: dict[str | None, tuple[Any, ...] | None] = {}
    for run_of, seq_of, what in ([(f.run_id, f.custody_seq, f"finding {f.code}")
                                  for f in findings]
                                 + [(d[4], d[5], f"derived {d[0]} ({d[1]})") for d in derived]):
        if run_of not in runs:
            runs[run_of] = db.execute("SELECT actor, started FROM runs WHERE id = ?",
                                      (run_of,)).fetchone()
        r = runs[run_of]
        events.append(Event(seq_of, what, run_of, r[0] if r else None, r[1] if r else None))
    return sorted(events, key=lambda e: (e.seq is None, e.seq or 0, e.what))


def item_detail(db: Any, sha: str) -> ItemDetail | None:
    """Everything the catalog holds about item ``sha`` (each list capped), or None."""
    row = db.execute("SELECT size, mime, magic, received, custody_seq, first_run FROM items "
                     "WHERE sha256 = ?", (sha,)).fetchone()
    if row is None:
        return None
    size, mime, magic, received, seq, first_run = row
    texts = db.execute("SELECT location, substr(text, 1, ?) FROM texts WHERE sha256 = ? "
                       "ORDER BY id LIMIT ?", (TEXT_CHARS + 1, sha, TEXT_PARTS + 1)).fetchall()
    meta = db.execute("SELECT location, key, value FROM metadata WHERE sha256 = ? LIMIT ?",
                      (sha, META_ROWS + 1)).fetchall()
    derived = db.execute("SELECT kind, check_code, params, sha256, run_id, custody_seq "
                         "FROM derived WHERE source = ? ORDER BY kind, check_code LIMIT ?",
                         (sha, LIST_CAP)).fetchall()
    findings, provs = _findings(db, sha), _provenances(db, sha)
    extractions = [(r[0], r[1], r[2], r[3]) for r in db.execute(
        "SELECT extractor, version, status, error FROM extractions WHERE sha256 = ? LIMIT ?",
        (sha, LIST_CAP))]
    records = db.execute(
        "SELECT count(*) FROM (SELECT 1 FROM records WHERE extraction_id IN (SELECT id FROM "
        "extractions WHERE sha256 = ?) LIMIT ?)", (sha, RECORDS_CAP)).fetchone()[0]
    return ItemDetail(
        sha, int(size), mime, magic, kind_of(mime), received, seq,
        [(loc, text[:TEXT_CHARS], len(text) > TEXT_CHARS) for loc, text in texts[:TEXT_PARTS]],
        len(texts) > TEXT_PARTS,
        sorted((loc, key, _json_shown(value)) for loc, key, value in meta[:META_ROWS]),
        len(meta) > META_ROWS, findings,
        [(k, c, DERIVED_CAPTIONS.get(k, k), _json_shown(p)) for k, c, p, *_ in derived],
        provs, _custody(db, (seq, first_run, received), provs, findings, derived),
        extractions, int(records))


def item_file(db: Any, sha: str) -> tuple[int, str] | None:
    """The size and MIME type of item ``sha`` (None if the case holds no such item)."""
    row = db.execute("SELECT size, mime FROM items WHERE sha256 = ?", (sha,)).fetchone()
    return (int(row[0]), row[1]) if row else None


def derived_blob(db: Any, source: str, kind: str, check_code: str) -> str | None:
    """The blob of the image check ``check_code`` derived (``kind``) from ``source``."""
    row = db.execute("SELECT sha256 FROM derived WHERE source = ? AND kind = ? AND "
                     "check_code = ?", (source, kind, check_code)).fetchone()
    return row[0] if row else None


def download_name(sha: str, mime: str) -> str:
    """A file name for a download that holds nothing from the leak: a prefix of the hash
    and an extension for the MIME type (``bin`` when unknown)."""
    ext = EXTENSIONS.get(mime) or (mimetypes.guess_extension(mime) or ".bin").lstrip(".")
    return f"{sha[:16]}.{ext if re.fullmatch(r'[a-z0-9]{1,8}', ext) else 'bin'}"
