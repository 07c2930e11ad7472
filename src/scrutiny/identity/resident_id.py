"""Chinese resident identity numbers (GB 11643-1999), wrapping python-stdnum.

An 18-character number is: a 6-digit region code (the county where it was first issued), the
birth date YYYYMMDD, a 3-digit sequence whose parity gives the sex (odd male, even female) and
an ISO 7064 MOD 11-2 check character (0-9 or X). python-stdnum validates numbers and knows the
region codes with the years each was in use; this module adds what it lacks: composing numbers,
the sex digit, and region lookups that say *why* a code does not fit a year instead of raising.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from stdnum import numdb
from stdnum.cn import ric
from stdnum.exceptions import ValidationError

_RANGE = re.compile(r"^\[(\d{4})?-(\d{4})?\](.*)$")


@dataclass(frozen=True)
class RegionName:
    """One name a region code had, and the years it had it (None: open-ended)."""

    name: str
    first_year: int | None
    last_year: int | None

    def in_use(self, year: int) -> bool:
        return ((self.first_year is None or year >= self.first_year)
                and (self.last_year is None or year <= self.last_year))


@dataclass(frozen=True)
class Region:
    code: str
    province: str
    prefecture: str | None
    names: tuple[RegionName, ...]

    def name_in(self, year: int | None = None) -> str | None:
        """The county's name in ``year`` (or its latest name), or None if not in use then."""
        for n in reversed(self.names):
            if year is None or n.in_use(year):
                return n.name
        return None

    @property
    def current_name(self) -> str:
        return self.names[-1].name if self.names else ""


def _parse_names(text: str) -> tuple[RegionName, ...]:
    out = []
    for part in text.split(","):
        m = _RANGE.match(part)
        if m:
            first, last, name = m.groups()
            out.append(RegionName(name, int(first) if first else None,
                                  int(last) if last else None))
        else:
            out.append(RegionName(part, None, None))
    return tuple(out)


@lru_cache(maxsize=8192)
def region(code: str) -> Region | None:
    """What python-stdnum's table knows of a 6-digit region code; None if nothing."""
    if not re.fullmatch(r"\d{6}", code):
        return None
    db = numdb.get("cn/loc")
    info = {k: v for _, props in db.info(code) for k, v in props.items()}
    if "county" not in info:
        return None
    prefecture = None
    if not code.endswith("00"):
        pinfo = {k: v for _, props in db.info(code[:4] + "00") for k, v in props.items()}
        if "county" in pinfo:
            prefecture = _parse_names(pinfo["county"])[-1].name
    return Region(code, info.get("province", ""), prefecture, _parse_names(info["county"]))


def check_character(first17: str) -> str:
    """The GB 11643 check character (0-9 or X) for the first 17 digits."""
    return str(ric.calc_check_digit(first17 + "0"))  # stdnum drops the last character


def compose(region_code: str, birth: dt.date, sequence: int) -> str:
    """An 18-character number from its parts; ``sequence`` (0-999) carries the sex parity."""
    if not 0 <= sequence <= 999:
        raise ValueError("sequence must be 0..999")
    first17 = f"{region_code}{birth:%Y%m%d}{sequence:03d}"
    return first17 + check_character(first17)


def sex_of(number: str) -> str:
    """'M' or 'F' from the sequence digit (the 17th of 18, the 15th of 15)."""
    digit = number[16] if len(number) == 18 else number[14]
    return "M" if int(digit) % 2 else "F"


_CANONICAL = re.compile(r"[0-9]{17}[0-9X]")


@lru_cache(maxsize=1 << 16)
def _region_in_use(code: str, year: str) -> bool:
    """python-stdnum's place check for region ``code`` in birth ``year``, asked once per pair
    (its table lookup costs far more than everything else in a validation)."""
    probe17 = f"{code}{year}0101000"
    try:
        ric.get_birth_place(probe17 + check_character(probe17))
    except ValidationError:
        return False
    return True


def is_valid(number: str) -> bool:
    """python-stdnum's verdict: format, date, region code in use in the birth year, check.

    A canonical number (17 digits and a digit or X) takes a fast path that asks stdnum the
    same questions in the same order as ``ric.validate``, with the region lookup cached per
    (code, year); anything else goes to ``ric.is_valid`` as it is."""
    if not _CANONICAL.fullmatch(number):
        return bool(ric.is_valid(number))
    if number[-1] != ric.calc_check_digit(number):
        return False
    try:
        dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    return _region_in_use(number[:6], number[6:10])


def facts(number: str) -> tuple[bool, dt.date | None]:
    """(``is_valid``, the birth date it states or None) for a canonical 18-character number,
    in one pass (rosters have millions of rows)."""
    try:
        born = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False, None
    valid = (number[-1] == ric.calc_check_digit(number)
             and _region_in_use(number[:6], number[6:10]))
    return valid, born


def birth_date(number: str) -> dt.date:
    """The birth date the number states; ``ValueError`` when it is not a real date."""
    if _CANONICAL.fullmatch(number):
        return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    return ric.get_birth_date(number)
