"""What the JPEG standard and libjpeg fix about quantization tables: the example tables of
ITU T.81 Annex K and libjpeg's quality scaling of them (``jpeg_set_quality``). Software that
saves "at quality Q" writes these; cameras mostly do not. Used by the image checks and by the
synthetic-photo generator."""

from __future__ import annotations

from functools import cache

# ITU T.81 Annex K, Table K.1 (luminance) and K.2 (chrominance), natural (row-major) order.
IJG_LUMA: tuple[int, ...] = (
    16, 11, 10, 16, 24, 40, 51, 61,
    12, 12, 14, 19, 26, 58, 60, 55,
    14, 13, 16, 24, 40, 57, 69, 56,
    14, 17, 22, 29, 51, 87, 80, 62,
    18, 22, 37, 56, 68, 109, 103, 77,
    24, 35, 55, 64, 81, 104, 113, 92,
    49, 64, 78, 87, 103, 121, 120, 101,
    72, 92, 95, 98, 112, 100, 103, 99,
)
IJG_CHROMA: tuple[int, ...] = (
    17, 18, 24, 47, 99, 99, 99, 99,
    18, 21, 26, 66, 99, 99, 99, 99,
    24, 26, 56, 99, 99, 99, 99, 99,
    47, 66, 99, 99, 99, 99, 99, 99,
    *([99] * 32),
)


def ijg_scale_factor(quality: int) -> int:
    """libjpeg's percentage scale factor for a quality (clamped to 1–100)."""
    quality = min(100, max(1, quality))
    return 5000 // quality if quality < 50 else 200 - 2 * quality


@cache
def ijg_table(quality: int, chroma: bool = False, baseline: bool = True) -> tuple[int, ...]:
    """The luma (or chroma) table libjpeg writes at ``quality``."""
    scale = ijg_scale_factor(quality)
    top = 255 if baseline else 32767
    base = IJG_CHROMA if chroma else IJG_LUMA
    return tuple(min(top, max(1, (value * scale + 50) // 100)) for value in base)
