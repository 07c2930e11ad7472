"""What the document checks share: which items are documents, the creation and modification
dates their metadata records (PDF information dictionary, XMP, Office core properties, OLE
property sets), how a date becomes a calendar day, the date the document's own text states,
and the evidence every finding carries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from scrutiny.checks.base import Item, parse_when
from scrutiny.checks.document.textdate import StatedDate, excerpt, last_date_in_text

PDF = ("item:application/pdf", "item:application/x-pdf")
OFFICE = (
    "item:application/vnd.openxmlformats-officedocument",   # docx, xlsx, pptx and templates
    "item:application/vnd.ms-word",                         # docm, dotm
    "item:application/vnd.ms-excel",                        # xls, xlsm
    "item:application/vnd.ms-powerpoint",                   # ppt, pptm
    "item:application/msword",                              # doc
    "item:application/vnd.ms-office",                       # what libmagic may call an OLE file
    "item:application/x-ole-storage",
    "item:application/CDFV2",
)
DOCUMENTS = (*PDF, *OFFICE)
"""``applies_to`` of the per-item document checks: PDF, Office Open XML and legacy Office."""

CST = dt.timezone(dt.timedelta(hours=8), "CST")
"""China Standard Time: dates with an offset are read as calendar days in Beijing."""

# (group, created key, modified key): each writer records one pair
DATE_PAIRS: tuple[tuple[str, str, str], ...] = (
    ("PDF information dictionary", "PDF:CreationDate", "PDF:ModDate"),
    ("XMP metadata", "XMP:CreateDate", "XMP:ModifyDate"),
    ("Office core properties", "Office:Created", "Office:Modified"),
    ("OLE summary information", "OLE:Created", "OLE:Modified"),
)
CREATED_KEYS = tuple(p[1] for p in DATE_PAIRS)
MODIFIED_KEYS = tuple(p[2] for p in DATE_PAIRS)


@dataclass(frozen=True)
class MetaDate:
    """A creation or modification date from an item's metadata."""

    key: str           # "Office:Modified"
    kind: str          # "created" or "modified"
    value: str         # as stored (ISO 8601)
    when: dt.datetime

    @property
    def day(self) -> dt.date:
        return local_day(self.when)


def local_day(when: dt.datetime) -> dt.date:
    """The calendar day of a date: in China Standard Time when it has an offset, as written
    when it has none."""
    return when.astimezone(CST).date() if when.tzinfo is not None else when.date()


def metadata_dates(meta: Mapping[str, Any],
                   keys: tuple[str, ...] = (*CREATED_KEYS, *MODIFIED_KEYS)) -> list[MetaDate]:
    """The creation and modification dates among ``keys`` that an item's metadata holds and
    that can be read, in the order of ``keys``."""
    out: list[MetaDate] = []
    for key in keys:
        when = parse_when(meta.get(key))
        if when is not None:
            kind = "created" if key in CREATED_KEYS else "modified"
            out.append(MetaDate(key, kind, str(meta[key]), when))
    return out


@dataclass(frozen=True)
class ClaimedDate:
    """The date a document's text states, with where it was read."""

    stated: StatedDate
    location: str      # the text's location in the item ("" or "page:3")
    context: str       # the date with some text either side

    @property
    def date(self) -> dt.date:
        return self.stated.date

    def evidence(self) -> dict[str, Any]:
        return {"claimed_date": self.date.isoformat(), "claimed_as_written": self.stated.written,
                "claimed_location": self.location, "claimed_context": self.context}


def claimed_date(db: Any, sha256: str) -> ClaimedDate | None:
    """The last full date written in the item's extracted text (pages read from the last
    one back), or ``None`` when the text states none or no text was extracted."""
    for location, text in db.execute(
            "SELECT location, text FROM texts WHERE sha256 = ? ORDER BY id DESC", (sha256,)):
        stated = last_date_in_text(text)
        if stated is not None:
            return ClaimedDate(stated, location, excerpt(text, stated))
    return None


def short_name(item: Item) -> str:
    """The item's file name without its folders, for explanations (the evidence keeps the
    whole path)."""
    name = item.name
    return name[max(name.rfind("/"), name.rfind("\\")) + 1:] or name


def base_evidence(item: Item, **values: Any) -> dict[str, Any]:
    """A finding's evidence: the item and its file name, then the values it rests on."""
    return {"item": item.sha256, "file": item.name, **values}


def span(later: dt.date, earlier: dt.date) -> str:
    """"412 days", "1 day": how much later one day is than another."""
    days = (later - earlier).days
    return f"{days:,} day" + ("" if days == 1 else "s")
