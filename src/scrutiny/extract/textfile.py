"""Plain text files, and the encoding detection that CSV/TSV files share.

Leaked text comes in whatever encoding the machine that wrote it used. The order of the tests
matters, from the most certain to the least:

1. a byte order mark (UTF-8 with BOM as Excel writes CSV, UTF-16 LE/BE as Excel writes
   "Unicode text", UTF-32);
2. UTF-16 without a BOM, recognised by its NUL bytes (every ASCII character has one);
3. strict UTF-8 (pure ASCII is reported as UTF-8, method ``ascii``);
4. GB18030 (a superset of GBK and GB2312, what Chinese Windows writes by default) when the
   sample decodes strictly, contains Chinese characters and at least 80 % of them are common
   simplified characters (in GB2312): Big5 or Latin-1 bytes that happen to decode as GB18030
   give rare characters instead;
5. charset-normalizer, a statistical guess, as the fallback.

The detection looks at the first megabyte. If a later byte does not decode, the text read up to
there is kept and an ``ExtractionError`` says where decoding stopped.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

import charset_normalizer

from scrutiny.extract.base import ExtractionError, ItemInfo, Limits, Meta, Output, Text

SAMPLE_SIZE = 1 << 20
READ_SIZE = 1 << 20
_GB_COMMON_SHARE = 0.8

_BOMS: tuple[tuple[bytes, str, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "utf-32-le"),  # before UTF-16 LE: same first bytes
    (codecs.BOM_UTF32_BE, "utf-32-be", "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig", "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16-be"),
)


@dataclass(frozen=True)
class Detected:
    """How a byte stream is to be decoded: ``encoding`` is the name reported, ``codec`` the
    Python codec that decodes the bytes after the first ``skip`` bytes (the BOM)."""

    encoding: str
    codec: str
    method: str  # "bom", "utf-16-nul-pattern", "ascii", "utf-8", "gb18030", "charset-normalizer"
    confidence: float
    skip: int = 0

    def metas(self, location: str = "") -> Iterator[Meta]:
        yield Meta(location, "Text:Encoding", self.encoding)
        yield Meta(location, "Text:EncodingMethod", self.method)
        yield Meta(location, "Text:EncodingConfidence", round(self.confidence, 3))


def _decodes(sample: bytes, codec: str, complete: bool) -> str | None:
    try:
        return codecs.getincrementaldecoder(codec)("strict").decode(sample, final=complete)
    except UnicodeDecodeError:
        return None


def _from_bom(sample: bytes) -> Detected | None:
    for bom, name, codec in _BOMS:
        if sample.startswith(bom):
            return Detected(name, codec, "bom", 1.0, len(bom))
    return None


def _from_nul_pattern(sample: bytes) -> Detected | None:
    """UTF-16 without BOM: ASCII characters leave a NUL in every other byte."""
    pairs = len(sample) // 2
    if pairs < 8:
        return None
    even = sample[0 : pairs * 2 : 2].count(0) / pairs
    odd = sample[1 : pairs * 2 : 2].count(0) / pairs
    if odd > 0.3 and even < 0.02:
        return Detected("utf-16-le", "utf-16-le", "utf-16-nul-pattern", odd)
    if even > 0.3 and odd < 0.02:
        return Detected("utf-16-be", "utf-16-be", "utf-16-nul-pattern", even)
    return None


def _from_utf8(sample: bytes, complete: bool) -> Detected | None:
    if b"\x00" in sample or _decodes(sample, "utf-8", complete) is None:
        return None
    method = "ascii" if sample.isascii() else "utf-8"
    return Detected("utf-8", "utf-8", method, 1.0)


def _is_ideograph(ch: str) -> bool:
    code = ord(ch)
    return 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0xF900 <= code <= 0xFAFF


def _in_gb2312(ch: str) -> bool:
    try:
        ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def _from_gb18030(sample: bytes, complete: bool) -> Detected | None:
    if b"\x00" in sample:
        return None
    text = _decodes(sample, "gb18030", complete)
    if text is None:
        return None
    ideographs = [ch for ch in text if _is_ideograph(ch)]
    if not ideographs:
        return None
    share = sum(1 for ch in ideographs if _in_gb2312(ch)) / len(ideographs)
    if share < _GB_COMMON_SHARE:
        return None
    return Detected("gb18030", "gb18030", "gb18030", share)


def _from_statistics(sample: bytes) -> Detected | None:
    best = charset_normalizer.from_bytes(sample).best()
    if best is None:
        return None
    codec = codecs.lookup(best.encoding).name
    return Detected(best.encoding, codec, "charset-normalizer", 1.0 - best.chaos)


def detect_encoding(sample: bytes, complete: bool) -> Detected | None:
    """The encoding of a text whose first bytes are ``sample`` (``complete`` when the sample
    is the whole text), or ``None`` when no test recognises it."""
    return (
        _from_bom(sample)
        or _from_nul_pattern(sample)
        or _from_utf8(sample, complete)
        or _from_gb18030(sample, complete)
        or _from_statistics(sample)
    )


def read_sample(f: BinaryIO) -> tuple[bytes, bool]:
    """The first bytes of ``f`` and whether they are all of it; ``f`` is left at the start."""
    f.seek(0)
    sample = f.read(SAMPLE_SIZE + 1)
    f.seek(0)
    return sample[:SAMPLE_SIZE], len(sample) <= SAMPLE_SIZE


def detect_or_fail(f: BinaryIO) -> Detected:
    sample, complete = read_sample(f)
    detected = detect_encoding(sample, complete)
    if detected is None:
        raise ExtractionError(
            "The text encoding could not be recognised (this may not be a text file at all); "
            "the text was not read.")
    return detected


def decoded_chunks(f: BinaryIO, detected: Detected) -> Iterator[str]:
    """Decode ``f`` as ``detected`` says, chunk by chunk. Raises ``ExtractionError`` at the
    first byte that does not decode."""
    f.seek(detected.skip)
    decoder = codecs.getincrementaldecoder(detected.codec)("strict")
    offset = detected.skip
    while data := f.read(READ_SIZE):
        pending = _pending(decoder)
        try:
            text = decoder.decode(data)
        except UnicodeDecodeError as exc:
            yield from _valid_prefix(detected.codec, (pending + data)[: exc.start])
            raise _undecodable(detected, offset - len(pending) + exc.start) from exc
        offset += len(data)
        if text:
            yield text
    try:
        tail = decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        raise _undecodable(detected, offset) from exc
    if tail:
        yield tail


def _pending(decoder: codecs.IncrementalDecoder) -> bytes:
    """The bytes an incremental decoder holds back (part of a character)."""
    state = decoder.getstate()
    return state[0] if isinstance(state[0], bytes) else b""


def _valid_prefix(codec: str, data: bytes) -> Iterator[str]:
    """The text of the bytes before the first undecodable one (the error's position counts
    from the held-back bytes, so they are decoded again with the rest)."""
    try:
        text = codecs.getincrementaldecoder(codec)("strict").decode(data)
    except UnicodeDecodeError:
        return
    if text:
        yield text


def _undecodable(detected: Detected, offset: int) -> ExtractionError:
    return ExtractionError(
        f"The text stops being valid {detected.encoding} at byte {offset} (the encoding was "
        f"detected by {detected.method}); only the text before that point was read.")


def check_size(item: ItemInfo, limits: Limits) -> None:
    if item.size > limits.max_bytes:
        raise ExtractionError(
            f"The file is {item.size:,} bytes, over the limit of {limits.max_bytes:,} bytes "
            "for parsing; it was stored but not read.")


def brief(exc: BaseException) -> str:
    """A library's error in one short line, for a message to a journalist."""
    first = (str(exc).strip().splitlines() or [""])[0]
    return f"{type(exc).__name__}: {first[:200]}" if first else type(exc).__name__


def _collect_text(chunks: Iterator[str], max_text: int) -> tuple[str, ExtractionError | None]:
    """Join decoded chunks up to ``max_text`` characters; a decoding error ends the text."""
    parts: list[str] = []
    kept = 0
    try:
        for chunk in chunks:
            if kept + len(chunk) > max_text:
                parts.append(chunk[: max_text - kept])
                return "".join(parts), ExtractionError(
                    f"The text is longer than the limit of {max_text:,} characters; only the "
                    "first part was kept.")
            parts.append(chunk)
            kept += len(chunk)
    except ExtractionError as exc:
        return "".join(parts), exc
    return "".join(parts), None


class TextFileExtractor:
    """Plain text: the encoding (Meta ``Text:Encoding``, ``Text:EncodingMethod``,
    ``Text:EncodingConfidence``) and the text as one ``Text`` for the whole file.

    A text file that is really a table (named ``.csv``/``.tsv``/``.tab``, or with the same
    number of tabs on every line, as Excel's "Unicode text" export) is read as rows by the
    CSV/TSV extractor instead: libmagic calls such files ``text/plain``."""

    name = "text"
    version = "1"
    mimes = frozenset({"text/plain", "text/markdown", "text/x-log"})

    def extract(self, f: BinaryIO, item: ItemInfo, limits: Limits) -> Iterator[Output]:
        check_size(item, limits)
        if item.size == 0:
            return
        detected = detect_or_fail(f)
        # imported here: the tabular module builds on this one
        from scrutiny.extract import tabular

        if tabular.looks_tabular(f, detected, item.names):
            yield Meta("", "Text:Layout", "table")
            yield from tabular.TabularExtractor().extract(f, item, limits)
            return
        yield from detected.metas()
        text, error = _collect_text(decoded_chunks(f, detected), limits.max_text)
        if text:
            yield Text("", text)
        if error is not None:
            raise error
