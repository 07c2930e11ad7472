"""Field sheets: claims out as a CSV for a field team, their answers back in as evidence.

:func:`export_sheet` writes one row per claim (filtered by status or kind): what to confirm
(statement, who, where, when, and for a person record the phone numbers the leak lists) and
empty columns to fill in: ``result`` (supports / contradicts; blank = not done),
``source_type`` (pre-filled ``phone-confirmation``), ``origin`` (who was reached, how),
``date``, ``independent`` (yes / no; blank = by source type), ``by``, ``note``.

:func:`import_sheet` reads a filled-in sheet back. The file itself goes into the evidence
store with custody first (the evidence rows point to it). Every row is validated on its own:

- a row whose ``result`` is blank and whose other answer columns are empty was not done:
  skipped; a blank result with answers filled in is rejected (nothing is guessed);
- the claim must exist and the row's ``statement`` must still read as the claim's (a sheet
  sorted one column at a time would otherwise attach answers to the wrong people);
- result, source type, origin, date and independence must be valid;
- a row already imported from the same file (same bytes, same row) is skipped.

Good rows become evidence in one transaction (custody event ``evidenced`` each, and one
``sheet-imported`` with the counts); bad rows are reported with their row number and the
reason, and written back out with a ``rejected_because`` column by the CLI, so the team can
fix and return them. A file that is not a sheet (no ``claim`` and ``result`` columns, not
UTF-8, larger than :data:`MAX_SHEET`) is refused whole, with nothing imported; so is one
without the ``source_type`` and ``origin`` columns the export writes (a blank source type in
a row reads as ``other``). "Already imported" means the same bytes: an edited copy of a
sheet imported before adds its answered rows again (of the same origins, so they never
count as further sources).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from scrutiny.case import Case
from scrutiny.core import ScrutinyError
from scrutiny.ledger.model import SOURCE_TYPES, parse_partial_date, source_type_of
from scrutiny.ledger.store import Claim, add_evidence, get_claim, iter_claims

__all__ = ["ANSWER_COLUMNS", "COLUMNS", "MAX_SHEET", "SheetReport", "export_sheet",
           "import_sheet"]

MAX_SHEET = 50 * 1024 * 1024
INFO_COLUMNS = ("claim", "status", "statement", "who", "place", "date_from", "date_to",
                "phone")
ANSWER_COLUMNS = ("result", "source_type", "origin", "date", "independent", "by", "note")
COLUMNS = INFO_COLUMNS + ANSWER_COLUMNS
_RESULTS = {"supports": "supports", "support": "supports", "confirmed": "supports",
            "confirms": "supports", "yes": "supports", "contradicts": "contradicts",
            "contradict": "contradicts", "denied": "contradicts", "no": "contradicts"}
_YES = {"yes", "y", "true", "1", "independent"}
_NO = {"no", "n", "false", "0", "not independent", "not-independent"}
_CLAIM_NUMBER = re.compile(r"[0-9]{1,15}")
_PHONE_FIELDS = ("phone", "telephone", "mobile", "contact_phone")


def _phones(db: Any, claim: Claim) -> str:
    """The phone numbers the leak lists for a person claim's record and its relatives."""
    if claim.kind != "person" or not (claim.subject or "").startswith("record:"):
        return ""
    rid = int(claim.subject.split(":", 1)[1])  # type: ignore[union-attr]
    out: list[str] = []
    for relation, name, fields in db.execute(
            "SELECT relation, name, fields FROM records WHERE id = ? OR main_id = ? "
            "ORDER BY main_id IS NOT NULL, id", (rid, rid)):
        data = json.loads(fields)
        for key in _PHONE_FIELDS:
            value = str(data.get(key) or "").strip()
            if value:
                who = "" if not relation else f" ({relation} {name or ''})".rstrip(" )") + ")"
                out.append(value + who)
    return "; ".join(dict.fromkeys(out))


def export_sheet(db: Any, out: IO[str], *, status: str | None = None,
                 kind: str | None = None, phones: bool = True,
                 claims: Iterable[int] | None = None) -> int:
    """Write the sheet of the claims (optionally of one status / kind, or these ids) to
    ``out`` (open it with ``newline=""``); returns the number of rows. With ``phones`` the
    sheet holds the phone numbers of the leak: it is not redacted, hand it over with care."""
    w = csv.writer(out)
    w.writerow(COLUMNS)
    chosen = (get_claim(db, c) for c in claims) if claims is not None else iter_claims(
        db, status=status, kind=kind)
    n = 0
    for claim in chosen:
        c = claim.current
        w.writerow((claim.id, claim.status.name, c.statement, c.who or "", c.place or "",
                    c.date_from or "", c.date_to or "", _phones(db, claim) if phones else "",
                    "", "phone-confirmation", "", "", "", "", ""))
        n += 1
    return n


@dataclass
class SheetReport:
    """What an import did with each row (row numbers as a spreadsheet shows them: the
    header is row 1)."""

    file: str
    sha256: str = ""
    rows: int = 0
    imported: list[tuple[int, int]] = field(default_factory=list)  # (row, evidence id)
    skipped: list[tuple[int, str]] = field(default_factory=list)
    rejected: list[tuple[int, str, dict[str, str]]] = field(default_factory=list)
    valid: int = 0
    dry_run: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file, "sha256": self.sha256, "rows": self.rows,
                "imported": [{"row": r, "evidence": e} for r, e in self.imported],
                "skipped": [{"row": r, "why": w} for r, w in self.skipped],
                "rejected": [{"row": r, "why": w} for r, w, _ in self.rejected],
                "valid": self.valid, "dry_run": self.dry_run}


def _read(path: Path) -> tuple[bytes, list[tuple[int, dict[str, str]]], list[str]]:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ScrutinyError(f"cannot read {path}: {exc.strerror or exc}") from None
    if size > MAX_SHEET:
        raise ScrutinyError(f"{path.name} is {size:,} bytes; a sheet may have at most "
                            f"{MAX_SHEET:,}. Nothing was imported.")
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ScrutinyError(f"{path.name} is not UTF-8 text; save it as CSV UTF-8 and try "
                            "again. Nothing was imported.") from None
    first = text[:4096].splitlines()[0] if text.strip() else ""
    # only the delimiter is guessed (from the header line); quoting stays the standard
    # one (doubled quotes), which a header line without quotes cannot show
    delimiter = max(",;\t", key=first.count) if first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [h.strip().lower() for h in next(reader, [])]
        missing = [c for c in ("claim", "result", "source_type", "origin")
                   if c not in header]
        if missing:
            raise ScrutinyError(f"{path.name} is not a field sheet: no column "
                                f"{', '.join(missing)} (export one with 'scrutiny sheet "
                                "export'). Nothing was imported.")
        rows: list[tuple[int, dict[str, str]]] = []
        # numbered as a spreadsheet numbers them: the header is row 1, empty lines count
        for n, cells in enumerate(reader, start=2):
            if not cells:  # an empty line; a row of empty cells is a row not done
                continue
            rows.append((n, {k: (cells[i].strip() if i < len(cells) else "")
                             for i, k in enumerate(header) if k}))
    except csv.Error as exc:
        raise ScrutinyError(f"{path.name} is not readable CSV ({exc}). Nothing was "
                            "imported.") from None
    return data, rows, header


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def _check(db: Any, row: dict[str, str], default_by: str | None,
           ) -> tuple[int, dict[str, Any]] | str:
    """(claim id, evidence arguments) of a filled-in row, or why it is rejected."""
    raw = row.get("claim", "")
    if not _CLAIM_NUMBER.fullmatch(raw):
        return f"claim {raw!r} is not a claim number"
    try:
        claim = get_claim(db, int(raw))
    except ScrutinyError:
        return f"there is no claim {raw} in this case"
    statement = row.get("statement", "")
    if statement and not _same(statement, claim.current.statement):
        return (f"the statement does not read as claim {raw}'s "
                f"(“{claim.current.statement}”): was the row edited or moved?")
    result = _RESULTS.get(row.get("result", "").casefold())
    if result is None:
        return f"result {row.get('result')!r} is neither supports nor contradicts"
    source_type = source_type_of(row.get("source_type", "") or "other")
    if source_type is None:
        return f"source type {row.get('source_type')!r} is not one of {', '.join(SOURCE_TYPES)}"
    origin = row.get("origin", "")
    if not origin:
        return "origin is empty: say who was reached or where it comes from"
    try:
        dated = parse_partial_date(row.get("date"))
    except ValueError as exc:
        return str(exc)
    flag = row.get("independent", "").casefold()
    independent: bool | None
    if not flag:
        independent = None
    elif flag in _YES:
        independent = True
    elif flag in _NO:
        independent = False
    else:
        return f"independent {row.get('independent')!r} is neither yes nor no"
    by = row.get("by") or default_by
    if not by:
        return "no one is named in 'by' (or give --by for the whole sheet)"
    return claim.id, {"stance": result, "source_type": source_type, "origin": origin,
                      "dated": dated, "independent": independent, "by": by,
                      "note": row.get("note") or None}


def import_sheet(case: Case, path: Path, *, by: str | None = None, actor: str | None = None,
                 dry_run: bool = False) -> SheetReport:
    """Import a filled-in field sheet (see the module docstring). ``by`` names who entered
    rows whose ``by`` column is blank; ``actor`` who imports the file (default ``by``).
    ``dry_run`` validates every row and stores nothing."""
    path = Path(path)
    data, rows, _ = _read(path)
    sha = hashlib.sha256(data).hexdigest()
    report = SheetReport(path.name, sha, len(rows), dry_run=dry_run)
    db = case.db
    good: list[tuple[int, int, dict[str, Any]]] = []
    for n, row in rows:
        answers = [row.get(c, "") for c in ANSWER_COLUMNS if c not in ("source_type", "by")]
        if not row.get("result"):
            if any(answers):
                report.rejected.append((n, "the result is blank but answers are filled in: "
                                           "say supports or contradicts", row))
            else:
                report.skipped.append((n, "not done (result blank)"))
            continue
        key = f"sheet:{sha[:16]}:row:{n}"
        if db.execute("SELECT 1 FROM evidence WHERE auto_key = ?", (key,)).fetchone():
            report.skipped.append((n, "already imported from this file"))
            continue
        checked = _check(db, row, by)
        if isinstance(checked, str):
            report.rejected.append((n, checked, row))
        else:
            good.append((n, checked[0], checked[1]))
    report.valid = len(good)
    if dry_run or not good:
        return report
    who = actor or by or good[0][2]["by"]
    from scrutiny.ingest.attach import attach_file

    with case.transaction():
        stored = attach_file(case, path, who, f"field sheet {path.name}")
        if stored.sha256 != sha:
            raise ScrutinyError(f"{path} changed while it was imported; nothing was imported")
        for n, claim_id, args in good:
            ev = add_evidence(case, claim_id, args.pop("stance"), args.pop("source_type"),
                              args.pop("origin"), sha256=sha,
                              key=f"sheet:{sha[:16]}:row:{n}", **args)
            report.imported.append((n, ev.id))
        case.record(who, "sheet-imported", sha, {
            "file": path.name, "rows": report.rows, "imported": len(report.imported),
            "skipped": len(report.skipped),
            "rejected": [{"row": r, "why": w} for r, w, _ in report.rejected]})
    return report


def write_rejects(report: SheetReport, out: IO[str]) -> int:
    """The rejected rows as a sheet again, with a ``rejected_because`` column first."""
    if not report.rejected:
        return 0
    columns = ["rejected_because", "row", *COLUMNS]
    extra = sorted({k for _, _, r in report.rejected for k in r} - set(COLUMNS))
    w = csv.DictWriter(out, fieldnames=columns + extra, extrasaction="ignore")
    w.writeheader()
    for n, why, row in report.rejected:
        w.writerow({**row, "rejected_because": why, "row": n})
    return len(report.rejected)
