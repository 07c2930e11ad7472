"""Helpers and constants shared by the image modules: text and integer decoding, the cached
scalar Meta, the JPEG frame-header markers, and the pixel-limit message."""

from __future__ import annotations

import functools

from scrutiny.extract.base import Limits, Meta

SOF_PROCESSES = {0xC0: "baseline", 0xC1: "extended sequential", 0xC2: "progressive",
                 0xC3: "lossless", 0xC5: "differential sequential",
                 0xC6: "differential progressive", 0xC7: "differential lossless",
                 0xC9: "extended sequential, arithmetic", 0xCA: "progressive, arithmetic",
                 0xCB: "lossless, arithmetic", 0xCD: "differential sequential, arithmetic",
                 0xCE: "differential progressive, arithmetic",
                 0xCF: "differential lossless, arithmetic"}


def _text(raw: bytes) -> str:
    """Bytes as text: up to the first NUL, UTF-8 when valid, else Latin-1."""
    raw = raw.split(b"\x00", 1)[0]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _u16(data: bytes, pos: int) -> int:
    return (data[pos] << 8) | data[pos + 1]


# Metas are immutable, and the photos of one dump repeat most values byte for byte: scalar
# values are made once; typed, so that 1, 1.0 and True stay apart.
_scalar = functools.lru_cache(maxsize=4096, typed=True)(Meta)


def _pixel_problem(width: int, height: int, limits: Limits) -> str:
    return (f"{width}x{height} = {width * height:,} pixels is over the limit of "
            f"{limits.max_pixels:,}: the picture will not be decoded")
