"""JPEG quantization tables as numbers: the tables of the Independent JPEG Group's library
(libjpeg, which most software uses to write JPEG) and their quality scaling, the quality a
table corresponds to, whether a file's tables are exactly libjpeg's, and a short signature
naming a set of tables. Pure functions on lists of 64 integers in natural (row-major) order,
as the image extractor stores them (``JPEG:QuantizationTables``, by table id).

libjpeg scales the two example tables of the JPEG standard (ITU T.81 Annex K.1, Tables K.1
and K.2) to a quality Q from 1 to 100: the scale factor is ``5000 / Q`` below 50 and
``200 - 2Q`` from 50 (integer arithmetic), each entry becomes ``(base * scale + 50) / 100``
rounded down, at least 1, and at most 255 when baseline JPEG is forced (Pillow, most
programs) or 32767 otherwise (``cjpeg`` without ``-baseline``, only below quality 25). See
libjpeg's ``jcparam.c`` (``jpeg_quality_scaling``, ``jpeg_add_quant_table``).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass

from scrutiny.jpegstd import IJG_CHROMA, IJG_LUMA
from scrutiny.jpegstd import ijg_scale_factor as ijg_scale_factor  # re-exported
from scrutiny.jpegstd import ijg_table as ijg_table  # re-exported

BASES = (IJG_LUMA, IJG_CHROMA)
QUALITIES = range(1, 101)


def standard_quality(table: Sequence[int], chroma: bool = False) -> int | None:
    """The quality at which libjpeg writes exactly ``table`` (the highest such quality when
    several give the same table, as 99 and 100 can for chroma), or ``None``."""
    values = tuple(table)
    if len(values) != 64:
        return None
    for quality in reversed(QUALITIES):
        if ijg_table(quality, chroma) == values or (
                quality < 25 and ijg_table(quality, chroma, baseline=False) == values):
            return quality
    return None


def table_distance(table: Sequence[int], reference: Sequence[int]) -> float:
    """Mean absolute difference of the logarithms of two tables' entries: 0 for equal tables,
    about 0.1 when entries differ by 10% on average. Ratios, not differences, because a step
    of 2 against 1 matters as much as 100 against 50."""
    return sum(abs(math.log(a) - math.log(b)) for a, b in zip(table, reference, strict=True)
               if a > 0 and b > 0) / 64


def nearest_quality(table: Sequence[int], chroma: bool = False) -> tuple[int, float]:
    """The libjpeg quality whose table is nearest to ``table`` (by ``table_distance``) and
    that distance; ties go to the higher quality."""
    values = [max(1, int(v)) for v in table]
    best = (100, math.inf)
    for quality in reversed(QUALITIES):
        d = table_distance(values, ijg_table(quality, chroma))
        if d < best[1] - 1e-12:
            best = (quality, d)
    return best


@dataclass(frozen=True)
class TableEstimate:
    """What a file's quantization tables say about the program that wrote it.

    ``standard`` is True when every table is exactly one that libjpeg writes (the first table
    as luma, the others as chroma); ``quality`` is then libjpeg's quality for the luma table,
    and otherwise the quality whose libjpeg luma table is nearest (an "IJG-equivalent"
    quality, comparable across encoders). ``qualities`` gives the quality per table (exact or
    nearest) and ``distances`` the distance of each table to that nearest libjpeg table
    (0 when exact)."""

    quality: int
    standard: bool
    qualities: tuple[int, ...]
    distances: tuple[float, ...]
    signature: str

    @property
    def kind(self) -> str:
        return "standard" if self.standard else "custom"

    def describe(self) -> str:
        """"libjpeg's standard tables at quality 90", "custom tables (nearest libjpeg
        quality 93)"."""
        if self.standard:
            qs = sorted(set(self.qualities))
            if len(qs) == 1:
                return f"libjpeg's standard tables at quality {qs[0]}"
            listed = ", ".join(str(q) for q in self.qualities)
            return f"libjpeg's standard tables (qualities {listed} for its {len(qs)} tables)"
        return (f"tables of their own, not libjpeg's (nearest libjpeg quality "
                f"{self.quality}, entries {100 * (math.exp(self.distances[0]) - 1):.0f}% "
                "off on average)")


def signature(tables: Sequence[Sequence[int]]) -> str:
    """A short name for a set of tables: ``ijg-q90`` for libjpeg's tables at one quality,
    else ``t<n>-<12 hex digits>`` from a SHA-256 of the values (``n`` tables)."""
    qualities = [standard_quality(t, chroma=i > 0) for i, t in enumerate(tables)]
    if tables and all(q is not None for q in qualities) and len(set(qualities)) == 1:
        return f"ijg-q{qualities[0]}"
    text = ";".join(",".join(str(int(v)) for v in t) for t in tables)
    return f"t{len(tables)}-{hashlib.sha256(text.encode()).hexdigest()[:12]}"


def estimate(tables: Sequence[Sequence[int]]) -> TableEstimate | None:
    """The quality and origin of a JPEG's tables (by table id: luma first); ``None`` when
    there is no usable table."""
    usable = [[int(v) for v in t] for t in tables if len(t) == 64]
    if not usable or any(v < 1 for t in usable for v in t):
        return None
    qualities: list[int] = []
    distances: list[float] = []
    standard = True
    for index, table in enumerate(usable):
        chroma = index > 0
        exact = standard_quality(table, chroma)
        if exact is not None:
            qualities.append(exact)
            distances.append(0.0)
        else:
            standard = False
            quality, distance = nearest_quality(table, chroma)
            qualities.append(quality)
            distances.append(distance)
    return TableEstimate(qualities[0], standard, tuple(qualities), tuple(distances),
                         signature(usable))
