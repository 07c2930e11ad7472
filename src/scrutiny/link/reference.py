"""Reference databases: victim lists imported into a case, to match the leak's people against.

A reference database is a file a research group or a relative's network compiled: a CSV
(any encoding the leak reader handles: UTF-8 with or without BOM, UTF-16, GB18030 …), an
Excel workbook (.xlsx), JSON lines (one object per line, its keys the column headers), or
FollowTheMoney entities (JSON lines of ``{"id", "schema": "Person", "properties": {…}}``).

Importing one (``add_reference``):

- stores the file itself in the evidence store, with custody, as an item the case received;
- maps its columns to person fields the way leak rosters are mapped (``extract.records``),
  with the English headers victim databases use layered on top (``REFERENCE_ALIASES``:
  ``entry_id`` is the database's own key there, not an ID number; ``name_ug`` / "Uyghur
  name" is a second spelling, ``name_alt``; ``hometown`` / ``county`` is ``county``);
- normalises values like leak records: ID numbers parsed, dates (a bare year ``1962`` stays
  ``"1962"`` with ``birth_date_precision: "year"``, and ``birth_year: 1962`` is added), sex;
  names are kept as written;
- reads row by row and writes entries in batches, so a list of a million entries imports in
  constant memory; a malformed row is skipped and reported; a file that is not a table of
  people is refused with nothing written (the import is one transaction);
- versions by name: importing ``NAME`` again adds version N+1 (older versions stay; linkage
  uses the newest). The same bytes again under the same name (and the same mapping) is a
  no-op that says so.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Protocol

from scrutiny import __version__
from scrutiny.core import ScrutinyError, utc_now
from scrutiny.extract.base import ExtractionError, ItemInfo, Limits, Meta, Row
from scrutiny.extract.job import dumps
from scrutiny.extract.records import (
    FIELD_ALIASES,
    ColumnMap,
    RecordRow,
    active_columns,
    build_record,
    map_header,
)
from scrutiny.extract.records import _norm_header as norm_header
from scrutiny.ingest.identify import identify

if TYPE_CHECKING:
    from scrutiny.case import Case
    from scrutiny.store.catalog import Connection

BATCH = 1000
MAX_PROBLEMS = 10          # examples of skipped rows kept in the summary
MAX_CELL = 10_000          # characters: a longer cell makes the row malformed
MAX_LINE = 16 * 1024 * 1024  # bytes of one JSON line
FORMATS = ("csv", "xlsx", "jsonl", "ftm")

REFERENCE_ALIASES: dict[str, tuple[str, ...]] = {
    "entry_key": ("entry_id", "entry id", "entry", "id", "victim id", "victim no",
                  "victim number", "record id", "case id", "case number", "entry number"),
    "name": ("name_en", "english name", "name (english)", "name (latin)", "latin name"),
    "name_alt": ("name_ug", "name ug", "uyghur name", "name (uyghur)", "name uyghur",
                 "name in uyghur", "name_uyghur", "name_arabic", "arabic name",
                 "name (arabic)", "native name", "name_native", "维吾尔文姓名", "维文姓名"),
    "birth_date": ("birth year", "year of birth", "birthyear", "yob", "year born"),
    "county": ("hometown", "county", "place of origin", "origin", "home county",
               "birthplace", "place of birth", "籍贯"),
    "status": ("status", "current status", "fate", "situation"),
    "source": ("source", "sources", "source of information", "information source",
               "reported by", "信息来源", "来源"),
    "nationality": ("citizenship",),
}
"""Headers of victim databases, tried before the leak-roster aliases of
``extract.records.FIELD_ALIASES`` (which stay as they are: ``id`` there is an ID number)."""

REFERENCE_FIELDS = frozenset(REFERENCE_ALIASES) - frozenset(FIELD_ALIASES)
_REF_INDEX = {norm_header(a): f for f, aliases in REFERENCE_ALIASES.items() for a in aliases}
_REF_BY_LENGTH = sorted(_REF_INDEX.items(), key=lambda kv: -len(kv[0]))
_IDENTITY = frozenset({"name", "name_alt", "id_number"})

FTM_PERSON_SCHEMATA = frozenset({"Person"})
FTM_PERSONISH = frozenset({"LegalEntity"})  # taken when it carries a person's properties
FTM_PROPERTIES: tuple[tuple[str, str], ...] = (
    ("id", "entry_key"), ("name", "name"), ("alias", "name_alt"), ("birthDate", "birth_date"),
    ("gender", "sex"), ("idNumber", "id_number"), ("nationality", "nationality"),
    ("ethnicity", "ethnicity"), ("address", "address"), ("birthPlace", "county"),
    ("notes", "note"), ("sourceUrl", "source"),
)
"""FollowTheMoney property → scrutiny field (the first value of each list)."""
_FTM_HEADER = tuple(p for p, _ in FTM_PROPERTIES)
_FTM_ALT_NAMES = ("alias", "weakAlias", "previousName")
_FTM_PERSON_PROPS = frozenset({"birthDate", "gender", "fatherName", "motherName"})
_FTM_ID_PROPS = ("idNumber", "nationalId")


class Progress(Protocol):
    def __call__(self, stage: str, done: int, total: int) -> None: ...


# -- column mapping ---------------------------------------------------------------------------


def map_reference_header(header: tuple[Any, ...] | list[Any],
                         overrides: Mapping[str, str] | None = None) -> list[ColumnMap]:
    """How each column of a victim database maps to a field: overrides first, then exact
    header matches (reference aliases before leak-roster aliases), then headers containing
    an alias. Each field is taken by one column at most."""
    overrides = overrides or {}
    texts = ["" if h is None else str(h).strip() for h in header]
    out: list[ColumnMap | None] = [_override(i, t, overrides) for i, t in enumerate(texts)]
    taken = {c.field for c in out if c is not None and c.field}
    core = [map_header([t])[0] if t else None for t in texts]
    for how in ("exact", "contains"):
        for i, text in enumerate(texts):
            if out[i] is not None or not text:
                continue
            name = _reference_alias(norm_header(text), how)
            if name is None and core[i] is not None and core[i].how == how:  # type: ignore[union-attr]
                name = core[i].field  # type: ignore[union-attr]
            if name is not None and name not in taken:
                out[i] = ColumnMap(i, text, name, how)
                taken.add(name)
    return [c or ColumnMap(i, texts[i], None, "unmapped") for i, c in enumerate(out)]


def _override(index: int, text: str, overrides: Mapping[str, str]) -> ColumnMap | None:
    for probe in (text, str(index + 1)):
        if probe in overrides:
            target = overrides[probe] or None
            if target is not None and target not in FIELD_ALIASES and target not in \
                    REFERENCE_FIELDS:
                known = sorted(set(FIELD_ALIASES) | REFERENCE_FIELDS)
                raise ScrutinyError(f"mapping names an unknown field {target!r}; known: "
                                    + ", ".join(known))
            return ColumnMap(index, text, target, "override")
    return None


def _reference_alias(key: str, how: str) -> str | None:
    if how == "exact":
        return _REF_INDEX.get(key)
    return next((f for a, f in _REF_BY_LENGTH if len(a) >= 4 and a in key), None)


# -- reading the formats ----------------------------------------------------------------------


@dataclass(slots=True)
class SourceRow:
    """One row (or JSON object) as read, before it is mapped. ``problem`` marks it malformed;
    ``skip`` says why it is not an entry though well-formed (a title line, a company)."""

    table: str
    location: str
    header: tuple[str, ...]
    cells: tuple[Any, ...]
    problem: str | None = None
    skip: str | None = None
    raw: Any = None
    fixed: list[ColumnMap] | None = None


@dataclass
class ReadState:
    """What the readers learn on the way: encoding, delimiter, sheets."""

    meta: dict[str, Any] = field(default_factory=dict)


def sniff_format(path: Path) -> tuple[str, str, str]:
    """(format, MIME type, libmagic's description) of a file, or a ScrutinyError saying
    why it is not a table."""
    with open(path, "rb") as f:
        head = f.read(1 << 16)
    if not head:
        raise ScrutinyError(f"{path.name} is empty: nothing to import")
    ident = identify(head, path.name)
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if ident.mime in ("application/zip",
                      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"):
        return "xlsx", ident.mime, ident.magic
    if text.startswith(b"["):
        raise ScrutinyError(f"{path.name} is a JSON array; export one object per line "
                            "(JSON lines) and import that")
    if text.startswith(b"{"):
        first = text.split(b"\n", 1)[0]
        try:
            obj = json.loads(first)
        except ValueError:
            obj = None
        if isinstance(obj, dict) and "schema" in obj and "properties" in obj:
            return "ftm", ident.mime, ident.magic
        return "jsonl", ident.mime, ident.magic
    textual = (ident.mime.startswith("text/") or ident.mime in
               ("application/csv", "application/json", "application/x-ndjson"))
    if textual or head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "csv", ident.mime, ident.magic
    raise ScrutinyError(f"{path.name} is not a table ({ident.mime}: {ident.magic[:80]}); "
                        "import a CSV, an .xlsx workbook, JSON lines or FollowTheMoney "
                        "entities")


def _extractor_rows(fmt: str, f: BinaryIO, item: ItemInfo, limits: Limits,
                    state: ReadState) -> Iterator[SourceRow]:
    """Rows of a CSV or a workbook, read by the leak extractors (encodings, header
    detection, row limit)."""
    from scrutiny.extract.office import OfficeExtractor
    from scrutiny.extract.tabular import TabularExtractor

    extractor = TabularExtractor() if fmt == "csv" else OfficeExtractor()
    for out in extractor.extract(f, item, limits):
        if isinstance(out, Meta):
            state.meta.setdefault(out.key, out.value)
        elif isinstance(out, Row):
            yield _table_row(fmt, out)


def _table_row(fmt: str, row: Row) -> SourceRow:
    src = SourceRow(row.table, row.location, row.header, row.cells)
    if not row.header:
        src.skip = "above the header (a title line)"
        return src
    long = next((c for c in row.cells if isinstance(c, str) and len(c) > MAX_CELL), None)
    if long is not None:
        src.problem = f"a cell of {len(long):,} characters (over {MAX_CELL:,})"
    elif fmt == "csv" and any(c not in (None, "") for c in row.cells[len(row.header):]):
        src.problem = (f"{len(row.cells)} cells but the header has {len(row.header)} "
                       "columns (an unquoted delimiter?)")
    return src


def _json_lines(f: BinaryIO, limits: Limits) -> Iterator[tuple[int, Any, str | None]]:
    """(line number, parsed object, problem) of each non-empty line."""
    number = 0
    while True:
        line = f.readline(MAX_LINE + 1)
        if not line:
            return
        number += 1
        if number > limits.max_rows:
            raise ExtractionError(f"The file has more than {limits.max_rows:,} lines, the "
                                  "limit; nothing was imported.")
        if len(line) > MAX_LINE:
            raise ExtractionError(f"Line {number} is longer than {MAX_LINE:,} bytes; this "
                                  "does not look like JSON lines.")
        if number == 1:
            line = line.removeprefix(b"\xef\xbb\xbf")
        if not line.strip():
            continue
        try:
            yield number, json.loads(line), None
        except (ValueError, RecursionError) as exc:
            yield number, None, f"not valid JSON ({str(exc)[:80]})"


def _scalar(value: Any) -> tuple[Any, str | None]:
    if value is None or isinstance(value, str | int | float | bool):
        return value, None
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        return "; ".join(str(v) for v in value), None
    return None, f"a value that is a {type(value).__name__}, not text or a number"


def _jsonl_rows(f: BinaryIO, limits: Limits, state: ReadState) -> Iterator[SourceRow]:
    """Objects of a JSON lines file; the header is every key seen so far, in order."""
    keys: dict[str, None] = {}
    header: tuple[str, ...] = ()
    for number, obj, problem in _json_lines(f, limits):
        location = f"line:{number}"
        if problem is None and not isinstance(obj, dict):
            problem = f"a JSON {type(obj).__name__}, not an object"
        if problem is not None:
            yield SourceRow("", location, header, (), problem=problem)
            continue
        if any(k not in keys for k in obj):
            keys.update(dict.fromkeys(str(k) for k in obj))
            header = tuple(keys)
        cells: list[Any] = []
        for key in header:
            value, why = _scalar(obj.get(key))
            cells.append(value)
            if why is not None:
                problem = f"{why} under {key!r}"
                break
        yield SourceRow("", location, header, tuple(cells), problem=problem, raw=obj)
    state.meta["JSON:Keys"] = list(keys)


def _ftm_rows(f: BinaryIO, limits: Limits, state: ReadState) -> Iterator[SourceRow]:
    """People among FollowTheMoney entities, flattened to one cell per mapped property."""
    fixed = [ColumnMap(i, prop, name, "ftm") for i, (prop, name) in enumerate(FTM_PROPERTIES)]
    schemata: Counter[str] = Counter()
    for number, obj, problem in _json_lines(f, limits):
        location = f"line:{number}"
        props = obj.get("properties") if isinstance(obj, dict) else None
        if problem is not None or not isinstance(props, dict):
            yield SourceRow("", location, _FTM_HEADER, (), fixed=fixed, problem=problem or
                            "not a FollowTheMoney entity (no 'properties' object)")
            continue
        schema = str(obj.get("schema", ""))
        schemata[schema] += 1
        values = {k: _ftm_values(v) for k, v in props.items()}
        if schema not in FTM_PERSON_SCHEMATA and not (
                schema in FTM_PERSONISH and _FTM_PERSON_PROPS & values.keys()):
            yield SourceRow("", location, _FTM_HEADER, (), skip=f"not a person ({schema})",
                            fixed=fixed)
            continue
        yield SourceRow("", location, _FTM_HEADER, _ftm_cells(obj, values), raw=obj,
                        fixed=fixed)
    state.meta["FtM:Schemata"] = dict(schemata)


def _ftm_values(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [str(v).strip() for v in items if isinstance(v, str | int | float) and str(v).strip()]


def _ftm_cells(obj: Mapping[str, Any], values: Mapping[str, list[str]]) -> tuple[Any, ...]:
    names = values.get("name", [])
    alternatives = names[1:] + [n for p in _FTM_ALT_NAMES for n in values.get(p, [])]
    ids = [v for p in _FTM_ID_PROPS for v in values.get(p, [])]
    cells: list[Any] = []
    for prop, _ in FTM_PROPERTIES:
        if prop == "id":
            cells.append(str(obj.get("id") or "") or None)
        elif prop == "alias":
            cells.append(alternatives[0] if alternatives else None)
        elif prop == "idNumber":
            cells.append(ids[0] if ids else None)
        else:
            found = values.get(prop)
            cells.append(found[0] if found else None)
    return tuple(cells)


def read_rows(fmt: str, f: BinaryIO, item: ItemInfo, limits: Limits, state: ReadState
              ) -> Iterator[SourceRow]:
    """The rows of a reference file in format ``fmt`` (see ``FORMATS``)."""
    if fmt in ("csv", "xlsx"):
        return _extractor_rows(fmt, f, item, limits, state)
    if fmt == "jsonl":
        return _jsonl_rows(f, limits, state)
    if fmt == "ftm":
        return _ftm_rows(f, limits, state)
    raise ScrutinyError(f"unknown reference format {fmt!r}; known: {', '.join(FORMATS)}")


# -- rows → entries ---------------------------------------------------------------------------


@dataclass
class ReferenceSummary:
    """What an import did. ``unchanged`` means the same file (and mapping) was already the
    newest version of ``name``: nothing was written."""

    name: str
    version: int
    set_id: int
    sha256: str
    file_name: str
    format: str
    entries: int = 0
    rows: int = 0
    malformed: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    notes: Counter[str] = field(default_factory=Counter)
    columns: dict[str, list[ColumnMap]] = field(default_factory=dict)
    read: dict[str, Any] = field(default_factory=dict)
    unchanged: bool = False
    independent: bool = True
    run_id: str | None = None
    seconds: float = 0.0

    def mapping_json(self) -> dict[str, list[dict[str, Any]]]:
        return {table: [{"col": c.index + 1, "header": c.header, "field": c.field,
                         "how": c.how} for c in cols] for table, cols in self.columns.items()}

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "version": self.version, "set_id": self.set_id,
                "sha256": self.sha256, "file_name": self.file_name, "format": self.format,
                "unchanged": self.unchanged, "entries": self.entries, "rows": self.rows,
                "malformed": self.malformed, "skipped": dict(sorted(self.skipped.items())),
                "problems": list(self.problems), "notes": dict(sorted(self.notes.items())),
                "mapping": self.mapping_json(), "read": self.read,
                "independent": self.independent, "run": self.run_id,
                "seconds": round(self.seconds, 3)}


class _Importer:
    """Maps rows, builds entries and writes them in batches of ``BATCH``."""

    def __init__(self, db: Connection, set_id: int, overrides: Mapping[str, str],
                 summary: ReferenceSummary) -> None:
        self.db = db
        self.set_id = set_id
        self.overrides = overrides
        self.summary = summary
        self._maps: dict[tuple[str, tuple[str, ...]], list[tuple[int, str]]] = {}
        self._pending: list[tuple[Any, ...]] = []
        self.identity_tables: set[str] = set()

    def _active(self, row: SourceRow) -> list[tuple[int, str]]:
        key = (row.table, row.header)
        active = self._maps.get(key)
        if active is None:
            columns = row.fixed or map_reference_header(row.header, self.overrides)
            self.summary.columns[row.table] = columns
            active = active_columns(columns)
            if any(f in _IDENTITY for _, f in active):
                self.identity_tables.add(row.table)
            self._maps[key] = active
        return active

    def _problem(self, row: SourceRow, text: str) -> None:
        if len(self.summary.problems) < MAX_PROBLEMS:
            self.summary.problems.append(f"{row.location}: {text}")

    def take(self, row: SourceRow) -> None:
        s = self.summary
        if row.skip is not None:
            s.skipped[row.skip] += 1
            return
        s.rows += 1
        if row.problem is not None:
            s.malformed += 1
            self._problem(row, row.problem)
            return
        active = self._active(row)
        rec = _entry_record(row, active) if active else None
        if rec is None:
            why = "no name or ID number" if active else "its table has no name or ID column"
            s.skipped[why] += 1
            self._problem(row, f"skipped: {why}")
            return
        self._pending.append(self._encode(row, rec))
        s.entries += 1
        if len(self._pending) >= BATCH:
            self.flush()

    def _encode(self, row: SourceRow, rec: RecordRow) -> tuple[Any, ...]:
        f = rec.fields
        if rec.relation:
            f["relation"] = rec.relation
        if f.get("birth_date"):
            f["birth_year"] = int(f["birth_date"][:4])
        elif "birth_date" in f:
            self.summary.notes["birth date not understood (kept in raw)"] += 1
        number = f.get("id_number")
        if number and len(number) not in (15, 18):
            self.summary.notes["ID number neither 15 nor 18 characters"] += 1
        raw = row.raw if row.raw is not None else _raw_of(row.header, row.cells)
        return (self.set_id, row.location, f.get("entry_key"), f.get("name"), number,
                f.get("sex"), f.get("birth_date"), dumps(f), dumps(rec.id_info), dumps(raw))

    def flush(self) -> None:
        if self._pending:
            self.db.executemany(
                "INSERT INTO reference_entries(set_id, location, entry_key, name, id_number, "
                "sex, birth_date, fields, id_info, raw) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                self._pending)
            self._pending = []


def _entry_record(row: SourceRow, active: list[tuple[int, str]]) -> RecordRow | None:
    """The normalised fields of one row (``build_record``), also for an entry that has only
    the second spelling of a name (an Arabic-script name alone)."""
    rec = build_record(row.cells, active, row.table, 0, row.location)
    if rec is not None or not any(f == "name_alt" for _, f in active):
        return rec
    swapped = [(i, "name" if f == "name_alt" else f) for i, f in active if f != "name"]
    rec = build_record(row.cells, swapped, row.table, 0, row.location)
    if rec is not None:
        rec.fields["name_alt"] = rec.fields.pop("name")
    return rec


def _raw_of(header: tuple[str, ...], cells: tuple[Any, ...]) -> dict[str, Any]:
    """The row's non-empty cells by header (a repeated or missing header gets its column)."""
    raw: dict[str, Any] = {}
    for i, value in enumerate(cells):
        if value is None or value == "":
            continue
        name = header[i] if i < len(header) and header[i] else f"column {i + 1}"
        raw[name if name not in raw else f"{name} (column {i + 1})"] = value
    return raw


# -- importing into a case --------------------------------------------------------------------


def _check_name(name: str) -> str:
    text = name.strip()
    if not text or len(text) > 200 or any(ord(c) < 32 for c in text):
        raise ScrutinyError("a reference database needs a name: 1 to 200 printable "
                            "characters, e.g. 'victims'")
    return text


def _check_file(case: Case, path: Path, limits: Limits) -> int:
    if not path.is_file():
        raise ScrutinyError(f"no such file: {path}")
    root = case.paths.root.resolve()
    if root in path.resolve().parents:
        raise ScrutinyError(f"{path} is inside the case folder; import from elsewhere")
    size = path.stat().st_size
    if size > limits.max_bytes:
        raise ScrutinyError(f"{path.name} is {size:,} bytes, over the limit of "
                            f"{limits.max_bytes:,} bytes for parsing; nothing was imported")
    return size


def _sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def _newest(db: Connection, name: str) -> tuple[int, int, str, dict[str, Any]] | None:
    row = db.execute("SELECT id, version, sha256, mapping FROM reference_sets WHERE name = ? "
                     "ORDER BY version DESC LIMIT 1", (name,)).fetchone()
    if row is None:
        return None
    return int(row[0]), int(row[1]), str(row[2]), json.loads(row[3])


def add_reference(
    case: Case,
    name: str,
    path: Path | str,
    mapping: Mapping[str, str] | None = None,
    actor: str = "scrutiny",
    independent: bool = True,
    note: str | None = None,
    limits: Limits | None = None,
    progress: Progress | None = None,
) -> ReferenceSummary:
    """Import the victim database at ``path`` into ``case`` as the next version of
    ``name``. ``mapping`` overrides the header mapping ({header or column number: field},
    as ``scrutiny extract --mapping``). ``independent`` says whether the database was
    compiled independently of the leak (testimonies, not copied from the leaked files).

    Returns what was imported; raises ``ScrutinyError`` with nothing written when the file
    is not a table of people or cannot be read to the end."""
    name = _check_name(name)
    path = Path(path)
    limits = limits or Limits()
    size = _check_file(case, path, limits)
    overrides = dict(mapping or {})
    sha = _sha256_of(path)
    newest = _newest(case.db, name)
    if newest is not None and newest[2] == sha and newest[3].get("overrides", {}) == overrides:
        return ReferenceSummary(name, newest[1], newest[0], sha, path.name,
                                str(newest[3].get("format", "")), unchanged=True,
                                entries=_count(case.db, newest[0]), independent=independent)
    fmt, mime, _ = sniff_format(path)
    version = newest[1] + 1 if newest else 1
    summary = ReferenceSummary(name, version, 0, sha, path.name, fmt, independent=independent,
                               run_id=str(uuid.uuid4()))
    started = time.monotonic()
    with case.transaction():
        summary.set_id = _insert_set(case.db, summary, actor, note)
        _import_rows(case, path, summary, overrides, ItemInfo(sha, size, mime, (path.name,)),
                     limits, progress)
        summary.seconds = time.monotonic() - started
        case.db.execute("UPDATE reference_sets SET entries = ?, mapping = ? WHERE id = ?",
                        (summary.entries, _mapping_text(summary, overrides), summary.set_id))
        _store_with_custody(case, path, summary, actor, note)
    return summary


def _count(db: Connection, set_id: int) -> int:
    return int(db.execute("SELECT count(*) FROM reference_entries WHERE set_id = ?",
                          (set_id,)).fetchone()[0])


def _insert_set(db: Connection, s: ReferenceSummary, actor: str, note: str | None) -> int:
    cur = db.execute(
        "INSERT INTO reference_sets(name, version, sha256, file_name, format, mapping, "
        "imported_at, imported_by, entries, independent, note) "
        "VALUES (?, ?, ?, ?, ?, '{}', ?, ?, 0, ?, ?)",
        (s.name, s.version, s.sha256, s.file_name, s.format, utc_now(), actor,
         int(s.independent), note))
    return int(cur.lastrowid)


def _mapping_text(s: ReferenceSummary, overrides: Mapping[str, str]) -> str:
    return json.dumps({"format": s.format, "overrides": dict(overrides),
                       "columns": s.mapping_json(), "read": s.read}, ensure_ascii=False,
                      default=str)


def _import_rows(case: Case, path: Path, summary: ReferenceSummary,
                 overrides: Mapping[str, str], item: ItemInfo, limits: Limits,
                 progress: Progress | None) -> None:
    importer = _Importer(case.db, summary.set_id, overrides, summary)
    state = ReadState()
    stage = f"import {summary.name}"
    with open(path, "rb") as f:
        try:
            for n, row in enumerate(read_rows(summary.format, f, item, limits, state), 1):
                importer.take(row)
                if summary.format == "csv" and summary.columns and \
                        not importer.identity_tables:
                    break  # a CSV has one table: its header already says it lists nobody
                if progress is not None and n % BATCH == 0:
                    progress(stage, min(f.tell(), item.size), item.size)
        except ExtractionError as exc:
            raise ScrutinyError(f"{path.name} could not be read to the end: {exc} "
                                "Nothing was imported.") from None
    importer.flush()
    if progress is not None:
        progress(stage, item.size, item.size)
    summary.read = {k: v for k, v in state.meta.items()
                    if k.startswith(("Text:", "CSV:", "XLSX:", "JSON:", "FtM:"))}
    if summary.entries == 0 and not summary.rows and "Table:HeaderRow" in state.meta:
        raise ScrutinyError(f"{path.name} has a header but no rows: nothing to import")
    if not importer.identity_tables:
        raise ScrutinyError(_not_people(path, summary))
    if summary.entries == 0:
        raise ScrutinyError(f"{path.name} holds no entry with a name or ID number "
                            f"({summary.rows} rows read; {'; '.join(summary.problems[:3])}). "
                            "Nothing was imported.")


def _not_people(path: Path, summary: ReferenceSummary) -> str:
    headers = [c.header for cols in summary.columns.values() for c in cols][:12]
    seen = f"headers seen: {', '.join(repr(h) for h in headers)}" if headers else \
        "no header row was found"
    return (f"{path.name} is not a table of people: no column maps to a name or an ID "
            f"number ({seen}). Map one with --mapping, e.g. {{\"Full name\": \"name\"}}. "
            "Nothing was imported.")


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _store_with_custody(case: Case, path: Path, s: ReferenceSummary, actor: str,
                        note: str | None) -> None:
    """Store the file in the evidence store and record the run, its receipt and the import
    in the custody log (all inside the import's transaction)."""
    stored = case.blobs.put_file(path)
    if stored.sha256 != s.sha256:
        raise ScrutinyError(f"{path} changed while it was imported; nothing was imported")
    ident = identify(stored.head, path.name)
    case.record(actor, "run-started", None, {
        "run": s.run_id, "kind": "reference", "note": note, "tool_version": __version__,
        "args": [s.name, str(path)]})
    source = str(path.absolute())
    mtime = _iso(path.stat().st_mtime)
    known = case.db.execute(
        "SELECT 1 FROM provenances WHERE sha256 = ? AND source = ? AND chain = '[]' "
        "AND mtime = ?", (stored.sha256, source, mtime)).fetchone()
    in_leak = case.db.execute(
        "SELECT 1 FROM provenances p JOIN runs r ON r.id = p.run_id WHERE p.sha256 = ? "
        "AND r.kind != 'reference' LIMIT 1", (stored.sha256,)).fetchone()
    if in_leak and s.independent:
        s.notes["the leak holds these same bytes: is this database really independent of "
                "it? (--not-independent)"] += 1
    if not known:
        new_item = case.db.execute("SELECT 1 FROM items WHERE sha256 = ?",
                                   (stored.sha256,)).fetchone() is None
        case.record(actor, "received", stored.sha256, {
            "run": s.run_id, "size": stored.size, "mime": ident.mime, "magic": ident.magic,
            "source": source, "chain": [], "parent": None, "mtime": mtime,
            "ext_mime": ident.ext_mime, "ext_mismatch": ident.ext_mismatch,
            "new_item": new_item, "reference": s.name})
    case.record(actor, "reference-imported", stored.sha256, {
        "run": s.run_id, "name": s.name, "version": s.version, "set_id": s.set_id,
        "format": s.format, "entries": s.entries, "malformed": s.malformed,
        "skipped": dict(s.skipped), "independent": s.independent, "note": note})
    case.record(actor, "run-finished", None, {
        "run": s.run_id, "status": "finished",
        "summary": {k: v for k, v in s.to_json().items() if k not in ("mapping", "problems")}})


# -- reading what was imported ----------------------------------------------------------------


@dataclass(frozen=True)
class ReferenceSet:
    """One imported version of a reference database."""

    id: int
    name: str
    version: int
    sha256: str
    file_name: str
    format: str
    entries: int
    imported_at: str
    imported_by: str
    independent: bool
    note: str | None
    newest: bool

    def to_json(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


_SET_COLUMNS = ("s.id, s.name, s.version, s.sha256, s.file_name, s.format, s.entries, "
                "s.imported_at, s.imported_by, s.independent, s.note, "
                "s.version = (SELECT max(version) FROM reference_sets t WHERE t.name = s.name)")


def _set(row: tuple[Any, ...]) -> ReferenceSet:
    return ReferenceSet(int(row[0]), str(row[1]), int(row[2]), str(row[3]), str(row[4]),
                        str(row[5]), int(row[6]), str(row[7]), str(row[8]), bool(row[9]),
                        row[10], bool(row[11]))


def list_references(db: Connection) -> list[ReferenceSet]:
    """Every imported version of every reference database, by name then version."""
    return [_set(r) for r in db.execute(
        f"SELECT {_SET_COLUMNS} FROM reference_sets s ORDER BY s.name, s.version")]  # noqa: S608


def get_set(db: Connection, set_id: int) -> ReferenceSet:
    row = db.execute(f"SELECT {_SET_COLUMNS} FROM reference_sets s WHERE s.id = ?",  # noqa: S608
                     (set_id,)).fetchone()
    if row is None:
        raise ScrutinyError(f"no reference set with id {set_id}")
    return _set(row)


def newest_set(db: Connection, name: str) -> ReferenceSet:
    """The newest version of the reference database ``name`` (a ScrutinyError naming the
    known databases when there is none)."""
    row = db.execute(f"SELECT {_SET_COLUMNS} FROM reference_sets s WHERE s.name = ? "  # noqa: S608
                     "ORDER BY s.version DESC LIMIT 1", (name,)).fetchone()
    if row is None:
        known = sorted({r.name for r in list_references(db)})
        raise ScrutinyError(f"no reference database named {name!r}; "
                            + (f"known: {', '.join(known)}" if known else
                               "import one with 'scrutiny reference add'"))
    return _set(row)


@dataclass(frozen=True)
class ReferenceEntry:
    """One entry of a reference database, as the linkage engine reads it. ``fields`` holds
    every mapped field (the columns here are taken from it); ``birth_date`` is ISO, or
    ``"1962-03"`` / ``"1962"`` when only a month or a year is known (``birth_year`` is set
    whenever a date is)."""

    id: int
    set_id: int
    location: str
    entry_key: str | None
    name: str | None
    name_alt: str | None
    id_number: str | None
    sex: str | None
    birth_date: str | None
    birth_year: int | None
    county: str | None
    address: str | None
    facility: str | None
    status: str | None
    fields: dict[str, Any]
    id_info: dict[str, Any]

    def as_person(self) -> dict[str, Any]:
        """The mapping ``link.features.features`` reads."""
        return {"id": self.id, "name": self.name, "id_number": self.id_number,
                "sex": self.sex, "birth_date": self.birth_date, "fields": self.fields}


def iter_entries(db: Connection, set_id: int, batch: int = 5000) -> Iterator[ReferenceEntry]:
    """The entries of one reference set in import order, streamed."""
    cur = db.execute("SELECT id, set_id, location, entry_key, name, id_number, sex, "
                     "birth_date, fields, id_info FROM reference_entries WHERE set_id = ? "
                     "ORDER BY id", (set_id,))
    while rows := cur.fetchmany(batch):
        for r in rows:
            f = json.loads(r[8])
            year = f.get("birth_year")
            yield ReferenceEntry(
                int(r[0]), int(r[1]), str(r[2]), r[3], r[4], f.get("name_alt"), r[5], r[6],
                r[7], int(year) if isinstance(year, int) else None, f.get("county"),
                f.get("address"), f.get("facility"), f.get("status"), f, json.loads(r[9]))
