"""The check contract (DESIGN §3): a check is a class with a code, a title, what it applies to,
a version, whether it is off by default, and a docstring that is its user documentation
(method, what it can show, what it cannot, references). It yields ``Finding``s and nothing else.

Three kinds, by what they look at:

- ``RecordCheck``: one person record at a time (``run(record, ctx)``);
- ``ItemCheck``: one item (file) at a time, with its extracted metadata (``run(item, ctx)``,
  an ``Item``);
- ``CorpusCheck``: the whole case at once, after the per-record and per-item checks
  (``run(ctx)``), reading the catalog in SQL.

A record, for a check, is a ``Record``: the normalized fields, what the ID number says, the raw
cells, and where it comes from.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, BinaryIO, ClassVar

from scrutiny.core import Finding, Severity

CODE = re.compile(r"^[A-Z]{2,6}(-[A-Z0-9]{2,8})*-\d{3}$")  # e.g. REC-ID-002, DOC-META-001


@dataclass(frozen=True)
class Record:
    """One person record as checks see it. ``fields`` are the normalized values extraction
    stored (name, id_number, sex "M"/"F", birth_date ISO, age, address, phone, phone_kind,
    facility, detained ISO, …); ``id_info`` what the ID number says (valid, sex, region,
    birth_date, format, normalised_from, stored_as_number, precision_lost)."""

    id: int
    sha256: str             # the item (file) it comes from
    location: str           # "row:17", "sheet:名单!row:17", "name:<file name>"
    source: str             # "table" or "filename"
    relation: str           # "" for a main person, else 父亲, 妻子 …
    fields: Mapping[str, Any]
    id_info: Mapping[str, Any] = field(default_factory=dict)

    @property
    def subject(self) -> str:
        return f"record:{self.id}"


@dataclass(frozen=True)
class Item:
    """One item (file) as checks see it: its type, the names it was received under, and its
    extracted metadata flattened to one value per key (``meta``: the first value of a key;
    ``meta_all``: every (location, key, value))."""

    rowid: int
    sha256: str
    mime: str
    size: int
    names: tuple[str, ...]
    meta: Mapping[str, Any]
    meta_all: tuple[tuple[str, str, Any], ...] = ()

    @property
    def subject(self) -> str:
        return self.sha256

    @property
    def name(self) -> str:
        return self.names[0] if self.names else self.sha256[:16]


@dataclass
class Context:
    """What a check may consult besides its subject: the catalog (read-only use), the date
    the check runs on (``today``, for "in the future"), case settings such as the leak's
    stated end date (``end_date``), the evidence store (``open_blob``, read-only), a way to
    store a derived image for the report (``derive``), and a per-item cache so several checks
    decode an image once (``cached``)."""

    db: sqlite3.Connection | Any
    today: dt.date
    settings: Mapping[str, Any] = field(default_factory=dict)
    open_blob: Callable[[str], BinaryIO] | None = None
    # derive(source sha256, kind, data, mime, params) -> the derived blob's sha256
    derive: Callable[[str, str, bytes, str, Mapping[str, Any]], str] | None = None
    _cache: dict[Any, Any] = field(default_factory=dict)

    def read_blob(self, sha256: str, limit: int = 512 << 20) -> bytes:
        """The bytes of an item (at most ``limit``; larger items raise ``ValueError``)."""
        if self.open_blob is None:
            raise ValueError("this context has no evidence store")
        with self.open_blob(sha256) as f:
            data = f.read(limit + 1)
        if len(data) > limit:
            raise ValueError(f"the item is larger than {limit:,} bytes; not read")
        return data

    def cached(self, key: Any, make: Callable[[], Any]) -> Any:
        """``make()`` once per key until the runner moves to the next item."""
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]

    def forget(self) -> None:
        self._cache.clear()


class Check:
    """Base of every check. Subclasses set the class attributes and implement ``run``; the
    class docstring is the check's documentation in ``docs/checks.md``."""

    code: ClassVar[str]
    title: ClassVar[str]
    applies_to: ClassVar[tuple[str, ...]]   # "record", "item:<mime prefix>", "corpus"
    version: ClassVar[str] = "1"
    off_by_default: ClassVar[bool] = False
    severity: ClassVar[Severity] = Severity.WARNING   # the usual severity of its findings

    def finding(self, subject: str, title: str, explanation: str,
                evidence: Mapping[str, Any], severity: Severity | None = None) -> Finding:
        """A finding of this check (code and version filled in)."""
        return Finding(code=self.code, subject=subject,
                       severity=self.severity if severity is None else severity,
                       title=title, explanation=explanation, evidence=dict(evidence),
                       check_version=self.version)


class RecordCheck(Check):
    applies_to: ClassVar[tuple[str, ...]] = ("record",)

    def run(self, record: Record, ctx: Context) -> Iterator[Finding]:
        raise NotImplementedError


class ItemCheck(Check):
    """``applies_to`` holds "item:<MIME type or prefix>" entries, e.g. "item:application/pdf",
    "item:image/"."""

    def applies(self, mime: str) -> bool:
        return any(mime.startswith(a.removeprefix("item:")) for a in self.applies_to
                   if a.startswith("item:"))

    def run(self, item: Item, ctx: Context) -> Iterator[Finding]:
        raise NotImplementedError


class CorpusCheck(Check):
    applies_to: ClassVar[tuple[str, ...]] = ("corpus",)

    def run(self, ctx: Context) -> Iterator[Finding]:
        raise NotImplementedError


def day_setting(settings: Mapping[str, Any], name: str) -> dt.date | None:
    """A date from the case settings (an ISO 8601 string or a date); ``None`` when absent.
    A value that is not a date is an error: the user gave it and should know."""
    value = settings.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError as exc:
        raise ValueError(f"the setting {name} = {value!r} is not a date (YYYY-MM-DD)") from exc


def parse_when(value: Any) -> dt.datetime | None:
    """A metadata date (an ISO 8601 string, with or without offset, or a bare date) as a
    datetime; ``None`` when it is not one."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        return None
