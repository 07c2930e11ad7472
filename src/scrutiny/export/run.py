"""Write an export and record it in the chain of custody.

``export_case`` writes a case's tables in one of three formats, redacted unless told not to:

- ``json``: JSON Lines, one object per line, each with a ``"table"`` key (``records``,
  ``findings``, ``matches``, ``ledger``); the first line, ``{"table": "export", …}``, says
  which case, when, by which scrutiny version, whether it is redacted and what it holds.
- ``csv``: a new folder holding one CSV file per table (``records.csv`` …), UTF-8 with a
  byte-order mark so that spreadsheet programs read Chinese and Uyghur text correctly. A
  cell that would start with ``=``, ``+``, ``-`` or ``@`` gets a leading ``'`` so that a
  spreadsheet shows it instead of running it as a formula (leak text is untrusted).
- ``ftm``: JSON Lines of FollowTheMoney entities (see :mod:`scrutiny.export.ftm`); it holds
  records and matches only.

Nothing is overwritten: the output must not exist (for ``csv``, an empty folder is accepted).
Files are written under a temporary name beside the output and renamed when complete, so a
failed export leaves nothing behind. Each export appends an ``exported`` custody event with
the format, tables, whether it was redacted, the SHA-256 of each file written and the row
counts. An export of an encrypted case is plaintext: keep it somewhere as safe as the case.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from scrutiny import __version__
from scrutiny.case import Case
from scrutiny.core import ScrutinyError, utc_now
from scrutiny.export.tables import COLUMNS, TABLES, Reader

FORMATS = ("ftm", "csv", "json")
FTM_TABLES = ("records", "matches")
REDACTION_NOTE = ("ID numbers and phone numbers are replaced by [ID] and [phone], birth dates "
                  "keep their year only, addresses keep their county only ([address])")


@dataclass(frozen=True)
class ExportSummary:
    """What an export wrote: ``files`` maps each file's name to its SHA-256; ``counts`` the
    rows of each table; ``entities`` (ftm) the entities of each schema; ``skipped`` what
    could not be written and why."""

    format: str
    what: tuple[str, ...]
    redacted: bool
    output: Path
    files: dict[str, str]
    bytes: int
    counts: dict[str, int]
    entities: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)
    encrypted_case: bool = False
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {"format": self.format, "what": list(self.what), "redacted": self.redacted,
                "output": str(self.output), "files": self.files, "bytes": self.bytes,
                "counts": self.counts, "entities": self.entities, "skipped": self.skipped,
                "encrypted_case": self.encrypted_case, "seconds": round(self.seconds, 3)}


def parse_what(what: str | Sequence[str] | None, fmt: str) -> tuple[str, ...]:
    """The tables to export, in their usual order: every table the format holds by default,
    or those named (a comma-separated string or a sequence)."""
    if fmt not in FORMATS:
        raise ScrutinyError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    allowed = FTM_TABLES if fmt == "ftm" else TABLES
    if what is None or (isinstance(what, str) and not what.strip()):
        return allowed
    names = [w.strip().lower() for w in (what.split(",") if isinstance(what, str) else what)]
    unknown = [n for n in names if n and n not in TABLES]
    if unknown:
        raise ScrutinyError(f"unknown table {', '.join(map(repr, unknown))} in --what; "
                            f"choose from {', '.join(TABLES)}")
    outside = [n for n in names if n and n not in allowed]
    if outside:
        raise ScrutinyError(f"--format ftm holds {' and '.join(FTM_TABLES)} only "
                            f"(FollowTheMoney has no form for {', '.join(outside)}); "
                            "use --format json or csv for them")
    chosen = tuple(t for t in allowed if t in names)
    if not chosen:
        raise ScrutinyError(f"--what names no table; choose from {', '.join(allowed)}")
    return chosen


def _check_output(out: Path, fmt: str) -> None:
    if fmt == "csv":
        if out.exists() and not out.is_dir():
            raise ScrutinyError(f"{out} exists and is not a folder; --format csv writes a "
                                "new folder of CSV files")
        if out.is_dir() and any(out.iterdir()):
            raise ScrutinyError(f"{out} exists and is not empty; scrutiny does not overwrite "
                                "an export: choose a new folder")
    elif out.exists() or out.is_symlink():
        raise ScrutinyError(f"{out} exists; scrutiny does not overwrite an export: choose "
                            "a new name or remove it first")
    parent = out.absolute().parent
    if not parent.is_dir():
        why = "is not a folder" if parent.exists() else "does not exist"
        raise ScrutinyError(f"cannot write {out}: {parent} {why}")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise ScrutinyError(f"cannot write {out}: the folder {parent} is not writable")


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def _jsonl(f: IO[str], objects: Iterable[dict[str, Any]]) -> int:
    n = 0
    for obj in objects:
        f.write(json.dumps(obj, ensure_ascii=False, separators=(",", ":"), default=str))
        f.write("\n")
        n += 1
    return n


_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    """A CSV cell: nested values as JSON text, None as empty, and text a spreadsheet would
    run as a formula prefixed with ``'``."""
    if value is None:
        return ""
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False, default=str)
    if isinstance(value, str) and value.startswith(_FORMULA):
        return "'" + value
    return value


def _tagged(table: str, rows: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for row in rows:
        yield {"table": table, **row}


class _Writer:
    """Writes one export into a temporary path and counts what it wrote."""

    def __init__(self, case: Case, fmt: str, what: tuple[str, ...], redact: bool,
                 tmp: Path) -> None:
        self.case, self.fmt, self.what, self.redact, self.tmp = case, fmt, what, redact, tmp
        self.reader = Reader(case.db, redact)
        self.counts: dict[str, int] = {}
        self.entities: dict[str, int] = {}
        self.skipped: dict[str, int] = {}

    def _counted(self, table: str) -> Iterator[dict[str, Any]]:
        self.counts[table] = 0
        for row in self.reader.rows(table):
            self.counts[table] += 1
            yield row

    def json(self) -> None:
        header = {"table": "export", "case": self.case.case_id, "exported_at": utc_now(),
                  "scrutiny_version": __version__, "redacted": self.redact,
                  "what": list(self.what), "format": "json",
                  "redaction": REDACTION_NOTE if self.redact else "none: --no-redact"}
        with open(self.tmp, "x", encoding="utf-8", newline="\n") as f:
            _jsonl(f, [header])
            for table in self.what:
                _jsonl(f, _tagged(table, self._counted(table)))

    def csv(self) -> None:
        self.tmp.mkdir()
        for table in self.what:
            with open(self.tmp / f"{table}.csv", "x", encoding="utf-8-sig", newline="") as f:
                w = csv.writer(f)
                columns = COLUMNS[table]
                w.writerow(columns)
                for row in self._counted(table):
                    w.writerow([_cell(row.get(c)) for c in columns])

    def ftm(self) -> None:
        from scrutiny.export.ftm import Entities

        entities = Entities(self.reader, self.case.case_id)

        def stream() -> Iterator[dict[str, Any]]:
            parts = []
            if "records" in self.what:
                parts.append(entities.records())
            if "matches" in self.what:
                parts.append(entities.matches(with_records="records" in self.what))
            for part in parts:
                for proxy in part:
                    schema = proxy.schema.name
                    self.entities[schema] = self.entities.get(schema, 0) + 1
                    yield proxy.to_dict()

        with open(self.tmp, "x", encoding="utf-8", newline="\n") as f:
            _jsonl(f, stream())
        self.skipped = dict(entities.skipped)
        self.counts = {"entities": sum(self.entities.values())}


def export_case(case: Case, fmt: str, out: Path | str, what: str | Sequence[str] | None = None,
                redact: bool = True, actor: str = "scrutiny") -> ExportSummary:
    """Export ``what`` (default: every table the format holds) of ``case`` to ``out`` in
    ``fmt`` (``json``, ``csv`` or ``ftm``), redacted unless ``redact`` is False, and record a
    custody event ``exported``. The case must be open for writing (for that event)."""
    started = time.monotonic()
    out = Path(out)
    tables = parse_what(what, fmt)
    if fmt == "ftm":
        from scrutiny.export.ftm import require_ftm

        require_ftm()
    if not case.writable:
        raise ScrutinyError("open the case for writing to export it: the export is recorded "
                            "in its chain of custody")
    root = case.paths.root.resolve()
    if out.absolute().resolve().is_relative_to(root):
        raise ScrutinyError(f"write the export outside the case folder {case.paths.root}: it "
                            "holds only what scrutiny stores (and an encrypted case nothing "
                            "in plaintext)")
    _check_output(out, fmt)
    tmp = out.absolute().parent / f".{out.name}.{os.getpid()}.part"
    writer = _Writer(case, fmt, tables, redact, tmp)
    try:
        getattr(writer, fmt)()
        files = ({p.name: _sha256(p) for p in sorted(tmp.iterdir())} if fmt == "csv"
                 else {out.name: _sha256(tmp)})
        size = (sum(p.stat().st_size for p in tmp.iterdir()) if fmt == "csv"
                else tmp.stat().st_size)
        _check_output(out, fmt)  # nothing appeared there meanwhile
        if fmt == "csv" and out.is_dir():
            out.rmdir()
        tmp.rename(out)
    except OSError as exc:
        _remove(tmp)
        raise ScrutinyError(f"cannot write {out}: {exc.strerror or exc}") from None
    except BaseException:
        _remove(tmp)
        raise
    details: dict[str, Any] = {
        "format": fmt, "what": list(tables), "redacted": redact,
        "output": str(out.absolute()), "files": files, "bytes": size,
        "counts": writer.counts, "tool_version": __version__}
    if fmt != "csv":
        details["sha256"] = files[out.name]
    if fmt == "ftm":
        details["entities"] = writer.entities
        details["skipped"] = writer.skipped
    try:
        with case.transaction():
            case.record(actor, "exported", None, details)
    except BaseException:
        _remove(out)  # an export the custody log does not show must not stay behind
        raise
    return ExportSummary(fmt, tables, redact, out, files, size, writer.counts,
                         writer.entities, writer.skipped, case.encrypted,
                         time.monotonic() - started)


def _remove(path: Path) -> None:
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif path.exists() or path.is_symlink():
            path.unlink()
    except OSError:
        pass
