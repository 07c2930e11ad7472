"""Corpus check: the earliest and latest dates of each family of documents, and the dates
after the leak's stated end."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

import orjson

from scrutiny.checks.base import Context, CorpusCheck, day_setting
from scrutiny.checks.corpus._stats import item_name, item_paths
from scrutiny.core import Finding, Severity

EXAMPLES = 20
EXIF_KEY = "EXIF:DateTimeOriginal"
DOCUMENT_KEYS = {
    "Office:Created": "created", "Office:Modified": "modified",
    "OLE:Created": "created", "OLE:Modified": "modified",
    "PDF:CreationDate": "created", "PDF:ModDate": "modified",
    "XMP:CreateDate": "created", "XMP:ModifyDate": "modified",
}
KINDS = {
    "application/pdf": "PDF documents",
    "application/msword": "Word documents (DOC)",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document":
        "Word documents (DOCX)",
    "application/vnd.ms-excel": "spreadsheets (XLS)",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "spreadsheets (XLSX)",
    "application/vnd.ms-powerpoint": "presentations (PPT)",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation":
        "presentations (PPTX)",
}


def after(value: str, end: dt.date) -> bool:
    """Whether a date written as ISO text (a day, a month, a year, or a date-time) is after
    ``end``: a partial date only when every day it may mean is after it; a date-time by the
    date it is written with (its own clock or zone)."""
    day = value[:10]
    limit = end.isoformat()[: len(day)]
    return day > limit


@dataclass
class Family:
    """Dates of one family of documents."""

    kind: str                       # "roster", "photos", "documents"
    subject: str
    label: str                      # "detention dates in 01_名单.xlsx"
    dates: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    # per sort of date ("detained", "taken", "created", "modified"): (value, where)

    def add(self, sort: str, value: str, where: str) -> None:
        self.dates.setdefault(sort, []).append((value, where))


def _iso(value: Any) -> str | None:
    if isinstance(value, str) and len(value) >= 4 and value[:4].isdigit():
        return value
    return None


def families(db: Any) -> list[Family]:
    """Rosters (detention dates, per item), photos (EXIF capture time, per folder) and
    documents (created/modified metadata, per type)."""
    out: list[Family] = []
    current: Family | None = None
    for sha, location, detained in db.execute(
            "SELECT sha256, location, json_extract(fields, '$.detained') FROM records "
            "WHERE source = 'table' AND json_extract(fields, '$.detained') IS NOT NULL "
            "ORDER BY sha256, id"):
        if current is None or current.subject != sha:
            current = Family("roster", sha, f"detention dates in {item_name(db, sha)}")
            out.append(current)
        value = _iso(detained)
        if value is not None:
            current.add("detained", value, location)
    photos: dict[str, Family] = {}
    for sha, value in db.execute(
            "SELECT sha256, value FROM metadata WHERE key = ? ORDER BY sha256", (EXIF_KEY,)):
        iso = _iso(orjson.loads(value)) if value is not None else None
        if iso is None:
            continue
        paths = item_paths(db, sha)
        folder = paths[0].rsplit("/", 1)[0] if paths and "/" in paths[0] else ""
        fam = photos.get(folder)
        if fam is None:
            fam = photos[folder] = Family("photos", f"folder:{folder}",
                                          f"photo capture times (EXIF) in {folder or '(top)'}")
        fam.add("taken", iso, paths[0].rsplit("/", 1)[-1] if paths else sha)
    out += [photos[k] for k in sorted(photos)]
    documents: dict[str, Family] = {}
    for sha, mime, key, value in db.execute(
            "SELECT m.sha256, i.mime, m.key, m.value FROM metadata m JOIN items i "
            "ON i.sha256 = m.sha256 WHERE m.key IN (SELECT value FROM json_each(?)) "
            "ORDER BY m.sha256, m.key", (orjson.dumps(list(DOCUMENT_KEYS)).decode(),)):
        iso = _iso(orjson.loads(value)) if value is not None else None
        if iso is None:
            continue
        fam = documents.get(mime)
        if fam is None:
            fam = documents[mime] = Family(
                "documents", f"documents:{mime}",
                f"creation and modification dates of {KINDS.get(mime, mime)} (metadata)")
        fam.add(DOCUMENT_KEYS[key], iso, item_name(db, sha))
    out += [documents[k] for k in sorted(documents)]
    return out


class DateBoundaries(CorpusCheck):
    """The earliest and latest date of each family of documents: "nothing after X".

    Method: collects dates by family — the detention dates of each roster (item), the EXIF
    capture times (DateTimeOriginal) of the photos in each folder, and the creation and
    modification dates in the metadata of each type of document (Office, OLE, PDF, XMP) — and
    reports, per family, how many dates there are and the earliest and latest of each sort.
    When the case settings give the leak's stated end date (``end_date``), it counts the
    dates after it, with examples; the finding is then a warning if there are any. A date
    counts as after the end when it is after it as written: a date-time by its own clock or
    zone (camera clocks have no zone; Office stores UTC), a month or a year only when all of
    it is after the end.

    What it can show: the boundaries of the material — a leak said to end in January 2019
    whose rosters, photos and documents all stop before then is consistent with that; a
    document created or a photo taken after the end contradicts the story, or belongs to a
    later addition, or has a wrong clock.

    What it cannot show: that the dates are true. Metadata dates follow the clock of the
    machine that wrote them and can be edited; a roster's detention dates are what the list
    says. A few hours' difference around midnight may come from time zones.
    """

    code = "CORP-DATE-001"
    title = "Date boundaries of the material"
    severity: ClassVar[Severity] = Severity.INFO

    def run(self, ctx: Context) -> Iterator[Finding]:
        end = day_setting(ctx.settings, "end_date")
        for fam in families(ctx.db):
            if not fam.dates:
                continue
            sorts: dict[str, dict[str, Any]] = {}
            late: list[dict[str, str]] = []
            late_count: dict[str, int] = defaultdict(int)
            parts = []
            latest = ""
            for sort, values in fam.dates.items():
                ordered = sorted(values)
                first, last = ordered[0], ordered[-1]
                sorts[sort] = {"dates": len(values), "earliest": first[0],
                               "earliest_at": first[1], "latest": last[0],
                               "latest_at": last[1]}
                parts.append(f"{len(values):,} {sort} from {first[0][:10]} to "
                             f"{last[0][:10]}")
                latest = max(latest, last[0][:10])
                if end is not None:
                    for value, where in ordered:
                        if after(value, end):
                            late_count[sort] += 1
                            if len(late) < EXAMPLES:
                                late.append({"sort": sort, "date": value, "at": where})
            text = (f"The {fam.label}: " + "; ".join(parts)
                    + f". Nothing is dated after {latest}.")
            evidence: dict[str, Any] = {"family": fam.kind, "label": fam.label,
                                        "sorts": sorts}
            severity = Severity.INFO
            if end is not None:
                total = sum(late_count.values())
                evidence |= {"end_date": end.isoformat(), "after_end": total,
                             "after_end_by_sort": dict(sorted(late_count.items())),
                             "after_end_examples": late}
                if total:
                    severity = Severity.WARNING
                    shown = ", ".join(f"{x['date'][:19]} ({x['at']})" for x in late[:3])
                    verb = "is" if total == 1 else "are"
                    text += (f" {total:,} of them {verb} after the stated end of the leak, "
                             f"{end.isoformat()}: {shown}" + ("…" if total > 3 else "") + ".")
                else:
                    text += f" None is after the stated end of the leak, {end.isoformat()}."
            yield self.finding(fam.subject, self.title, text, evidence, severity)


DATE_CHECKS = (DateBoundaries,)
