"""CSV and TSV tables, streamed row by row, and the header detection spreadsheets share.

The encoding is detected as for plain text (see ``textfile``); the delimiter is the one of
``,`` tab ``;`` ``|`` that occurs the same number of times on the most of the first lines.
Cells stay the strings as written: no trimming, no date parsing (a separate module maps
headers to person fields).

The header is the first row with at least two non-empty text cells within the first ten
non-empty rows (title lines such as "2018年收押人员名单" above it are common). The header row
itself is not yielded as a ``Row``: its number is in Meta ``Table:HeaderRow`` and its cells
come with every later row. Rows above it are yielded with an empty header. Empty rows are
skipped but keep their place in the numbering.
"""

from __future__ import annotations

import csv
import itertools
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any, BinaryIO

from scrutiny.extract.base import ExtractionError, ItemInfo, Limits, Meta, Output, Row
from scrutiny.extract.textfile import (
    Detected,
    check_size,
    decoded_chunks,
    detect_or_fail,
    read_sample,
)

DELIMITERS = (",", "\t", ";", "|")
HEADER_SEARCH_ROWS = 10
_SNIFF_LINES = 50
_MAX_LINE = 16 * 1024 * 1024  # characters on one physical line
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\n|\r)")
_TABLE_SUFFIXES = frozenset({".csv", ".tsv", ".tab"})


@dataclass
class RowBudget:
    """The rows an item may still yield (``Limits.max_rows``, across all its tables)."""

    remaining: int
    exhausted: bool = False

    def take(self, rows: Iterable[tuple[int, tuple[Any, ...]]]
             ) -> Iterator[tuple[int, tuple[Any, ...]]]:
        for row in rows:
            if self.remaining <= 0:
                self.exhausted = True
                return
            self.remaining -= 1
            yield row

    def problem(self, limit: int) -> str:
        return (f"The table has more than {limit:,} rows, the limit per item; the rows after "
                "that were not read.")


def _is_header(cells: Sequence[Any]) -> bool:
    return sum(1 for c in cells if isinstance(c, str) and c.strip()) >= 2


def _header_text(cells: Sequence[Any]) -> tuple[str, ...]:
    return tuple("" if c is None else str(c) for c in cells)


def is_empty(cells: Sequence[Any]) -> bool:
    return all(c is None or c == "" for c in cells)


def rows_with_header(rows: Iterable[tuple[int, tuple[Any, ...]]], table: str
                     ) -> Iterator[Meta | Row]:
    """Turn ``(number, cells)`` pairs (empty rows already left out) into ``Row``s carrying
    the detected header; see the module docstring."""
    it = iter(rows)
    head = list(itertools.islice(it, HEADER_SEARCH_ROWS))
    found = next((i for i, (_, cells) in enumerate(head) if _is_header(cells)), None)
    if found is None:
        for number, cells in itertools.chain(head, it):
            yield Row(table, number, (), cells)
        return
    header_number, header_cells = head[found]
    header = _header_text(header_cells)
    yield Meta(table, "Table:HeaderRow", header_number)
    for number, cells in head[:found]:
        yield Row(table, number, (), cells)
    for number, cells in itertools.chain(head[found + 1 :], it):
        yield Row(table, number, header, cells)


def lines(chunks: Iterable[str]) -> Iterator[str]:
    """Physical lines with their endings (``\\r\\n``, ``\\n`` or ``\\r``) from decoded text
    chunks; a line longer than ``_MAX_LINE`` characters raises ``ExtractionError``."""
    buf = ""
    for chunk in chunks:
        buf += chunk
        end = 0
        for match in _LINE.finditer(buf):
            if match.end() == len(buf) and buf.endswith("\r"):
                break  # the "\n" of a "\r\n" may be in the next chunk
            yield match.group()
            end = match.end()
        buf = buf[end:]
        if len(buf) > _MAX_LINE:
            raise ExtractionError(
                f"A line of the table is longer than {_MAX_LINE:,} characters; this does not "
                "look like a table and the rest was not read.")
    if buf:
        yield buf


def sniff_delimiter(sample_lines: Sequence[str]) -> str:
    """The delimiter that occurs the same (non-zero) number of times on the most lines."""
    content = [line for line in sample_lines if line.strip()]
    if not content:
        return ","
    best, best_score = ",", 0
    for delimiter in DELIMITERS:
        counts = [line.count(delimiter) for line in content]
        common = max(set(counts), key=counts.count)
        score = counts.count(common) if common else 0
        if score > best_score:
            best, best_score = delimiter, score
    return best


def looks_tabular(f: BinaryIO, detected: Detected, names: Sequence[str]) -> bool:
    """Whether a file libmagic calls plain text is a table: named as one, or with the same
    number (at least one) of tabs on each of its first lines (at least two)."""
    if any(PurePath(n).suffix.lower() in _TABLE_SUFFIXES for n in names):
        return True
    sample, complete = read_sample(f)
    text = sample[detected.skip :].decode(detected.codec, errors="replace")
    whole = text.splitlines() if complete else text.splitlines()[:-1]  # last may be cut
    first = [line for line in whole if line.strip()][:20]
    if len(first) < 2:
        return False
    tabs = {line.count("\t") for line in first}
    return len(tabs) == 1 and tabs.pop() > 0 and _is_header(first[0].split("\t"))


def _records(physical: Iterator[str], delimiter: str) -> Iterator[tuple[int, tuple[Any, ...]]]:
    number = 0
    try:
        for record in csv.reader(physical, delimiter=delimiter):
            number += 1
            if not is_empty(record):
                yield number, tuple(record)
    except csv.Error as exc:
        raise ExtractionError(
            f"Row {number + 1} of the table could not be parsed ({exc}); the rows after it "
            "were not read.") from exc


class TabularExtractor:
    """CSV/TSV: Meta ``Text:Encoding`` (with method and confidence), ``CSV:Delimiter``,
    ``Table:HeaderRow``; one ``Row`` per non-empty record (table ``""``), streamed."""

    name = "tabular"
    version = "1"
    mimes = frozenset({
        "text/csv",
        "application/csv",
        "text/x-csv",
        "text/comma-separated-values",
        "text/tab-separated-values",
    })

    def extract(self, f: BinaryIO, item: ItemInfo, limits: Limits) -> Iterator[Output]:
        check_size(item, limits)
        detected = detect_or_fail(f)
        yield from detected.metas()
        physical = lines(decoded_chunks(f, detected))
        head = list(itertools.islice(physical, _SNIFF_LINES))
        delimiter = sniff_delimiter(head)
        yield Meta("", "CSV:Delimiter", delimiter)
        budget = RowBudget(limits.max_rows)
        records = _records(itertools.chain(head, physical), delimiter)
        yield from rows_with_header(budget.take(records), "")
        if budget.exhausted:
            raise ExtractionError(budget.problem(limits.max_rows))
