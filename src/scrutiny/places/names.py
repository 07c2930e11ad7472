"""Facility names across scripts: 墨玉县第四教培中心, "Qaraqash No. 4 Training Centre" and
"Qaraqash 4-terbiyilesh merkizi" name one place.

:func:`facility_key` reads a name as (county, kind, number): the county through
``identity.counties`` (one key for a county in any script), the kind from the generic words
official documents and researchers use (看守所 / detention centre; 拘留所 / administrative
detention; 教培中心, 职业技能教育培训中心 / (vocational skills) education and training centre;
监狱 / prison), the number from 第四 / 四 / No. 4 / #4 / 4th. Two names name the same
facility when their keys are equal and say at least a county and a kind.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from scrutiny.identity.counties import county_of_place

__all__ = ["FacilityKey", "facility_key", "same_facility"]

_KINDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("training centre", ("职业技能教育培训中心", "教育培训中心", "教培中心", "培训中心",
                         "training centre", "training center", "vocational", "education centre",
                         "terbiyilesh merkizi", "terbiye merkizi")),
    ("administrative detention", ("拘留所", "administrative detention", "detention facility",
                                  "lockup", "tutup turush orni")),
    ("detention centre", ("看守所", "detention centre", "detention center", "jail",
                          "qamaqxana")),
    ("prison", ("监狱", "prison", "türme", "turme")),
)
_CN_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")}
_CN_NUMBER = re.compile(r"第?([〇一二三四五六七八九十]{1,3})(?=[^县市区]*?(?:中心|所|监狱))")
_LATIN_NUMBER = re.compile(r"(?:no\.?|number|#|nr\.?)\s*(\d{1,3})\b|\b(\d{1,3})(?:st|nd|rd|th)?"
                           r"\b(?:[\s-]*(?:-?terbiyilesh|training|detention|prison))?",
                           re.IGNORECASE)
_HAN_COUNTY = re.compile(r"^(.{1,8}?(?:县|市|区))")


@dataclass(frozen=True)
class FacilityKey:
    county: str | None
    kind: str | None
    number: int | None

    @property
    def usable(self) -> bool:
        return self.county is not None and self.kind is not None


def _cn_number(text: str) -> int:
    if text == "十":
        return 10
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (_CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (_CN_DIGITS.get(ones, 0)
                                                                if ones else 0)
    value = 0
    for c in text:
        value = value * 10 + _CN_DIGITS.get(c, 0)
    return value


@lru_cache(maxsize=4096)
def facility_key(name: str) -> FacilityKey:
    """(county, kind, number) of a facility's name in Chinese, English or Uyghur Latin."""
    text = " ".join(name.split())
    low = text.lower()
    kind = next((k for k, words in _KINDS if any(w in low for w in words)), None)
    county: str | None = None
    number: int | None = None
    m = _HAN_COUNTY.match(text)
    if m and not text.isascii():
        county = county_of_place(m.group(1))
        rest = text[m.end():]
        n = _CN_NUMBER.search(rest)
        if n:
            number = _cn_number(n.group(1))
        elif (d := re.search(r"第?(\d{1,3})", rest)) and kind:
            number = int(d.group(1))
    else:
        words = re.findall(r"[^\W\d_]+(?:['’][^\W\d_]+)?", text)
        for size in (3, 2, 1):
            if len(words) >= size:
                found = county_of_place(" ".join(words[:size]))
                if found and any("\u4e00" <= c <= "\u9fff" for c in found):  # in the table
                    county = found
                    break
        n2 = _LATIN_NUMBER.search(text)
        if n2:
            number = int(n2.group(1) or n2.group(2))
    return FacilityKey(county, kind, number)


def same_facility(a: str, b: str) -> bool:
    """Whether two names read as the same facility (see the module docstring)."""
    ka, kb = facility_key(a), facility_key(b)
    return ka.usable and ka == kb
