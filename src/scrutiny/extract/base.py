"""The extractor contract: what an extractor yields, and the limits it runs under.

An extractor reads one item's bytes and yields a stream of outputs, each naming where in the
item it comes from (``location``): metadata values, text segments, table rows and embedded
files. Extractors are pure functions of the bytes they read; the runner stores what they yield
with the item's hash and the extractor's version.

Locations are short strings: ``""`` for the whole file, ``"ifd0"``/``"exif"``/``"gps"``/
``"ifd1"``/``"xmp"``/``"jpeg"`` for image parts, ``"page:3"`` for a PDF page, ``"sheet:名单"``
for a spreadsheet sheet, ``"row:17"`` or ``"sheet:名单!row:17"`` for a table row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO, Protocol


class ExtractionError(Exception):
    """The item cannot be (fully) extracted: encrypted, corrupt, over a limit. The message is
    for a journalist: what is wrong and what was not done."""


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 2 << 30          # items larger than this are not parsed
    max_pixels: int = 200_000_000     # images larger than this are not decoded
    max_pages: int = 5_000            # PDF pages read at most
    max_rows: int = 5_000_000         # table rows read at most per item
    max_text: int = 50_000_000        # characters of text kept per item
    max_children: int = 10_000        # embedded files extracted per item
    time_budget: float = 600.0        # seconds per item


@dataclass(frozen=True)
class Meta:
    """One metadata value. ``value`` is JSON-serialisable (parsed dates as ISO strings, GPS as
    signed decimal degrees); ``raw`` keeps the string as written when it differs."""

    location: str
    key: str          # "Group:Name", e.g. "EXIF:DateTimeOriginal", "PDF:Producer"
    value: Any
    raw: str | None = None


@dataclass(frozen=True)
class Text:
    location: str
    text: str


@dataclass(frozen=True)
class Row:
    """One row of a table: the header row of its table is passed with every row."""

    table: str                     # "" for a CSV, "sheet:<name>" for a workbook sheet
    number: int                    # 1-based row number as a spreadsheet shows it
    header: tuple[str, ...]
    cells: tuple[Any, ...]

    @property
    def location(self) -> str:
        return f"{self.table}!row:{self.number}" if self.table else f"row:{self.number}"


@dataclass(frozen=True)
class Child:
    """An embedded file (e.g. an image inside a PDF), stored as an item of its own."""

    name: str
    data: bytes
    location: str = ""


Output = Meta | Text | Row | Child


@dataclass(frozen=True)
class ItemInfo:
    sha256: str
    size: int
    mime: str
    names: tuple[str, ...] = field(default_factory=tuple)  # file names it was received under


class Extractor(Protocol):
    """An extractor: ``name`` and ``version`` identify what produced a value; ``mimes`` are
    the types it reads. Raise ``ExtractionError`` for a bad item (after yielding what could
    be read)."""

    name: str
    version: str
    mimes: frozenset[str]

    def extract(self, f: BinaryIO, item: ItemInfo, limits: Limits) -> Iterator[Output]: ...


def merge_metas(out: dict[str, Any], items: Iterable[Output],
                again: Callable[[Meta], str | None]) -> None:
    """Flatten metadata into one exiftool-like object: the first value of a key wins; a later
    one goes under the key ``again`` gives it (None: dropped); warnings collect in a list."""
    for meta in items:
        if not isinstance(meta, Meta):
            continue
        if meta.key == "Scrutiny:Warning":
            out.setdefault("Scrutiny:Warning", []).append(meta.value)
        elif meta.key not in out:
            out[meta.key] = meta.value
        elif (key := again(meta)) is not None:
            out.setdefault(key, meta.value)
