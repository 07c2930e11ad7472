"""The date a document states in its text: Chinese official documents end with the date they
were issued (成文日期, on its own line under the issuing office, GB/T 9704-2012 §7.3.5), so the
last full date written in the text is taken as the date the document claims.

Pure functions, no catalog: ``dates_in_text`` finds every full date (year, month and day) in
the forms official and office documents use, ``last_date_in_text`` the last of them.

Forms read (digits may be ASCII or full-width, spaces between the parts are allowed):

- ``2017年3月1日`` (also with 号 for 日);
- ``2017-03-01``, ``2017.3.1``, ``2017/3/1`` (one separator, the same twice);
- ``二〇一七年三月一日``, the form of the formal date line (year digit by digit with 〇/○/零,
  month and day as numbers: 十二月, 二十一日, 三十日).

Not read: partial dates (2017年3月), dates without a year (3月1日), ranges written with one
year (2017年3月1日至5日 gives 2017-03-01 only), the sexagenary or lunar calendar. A date that
is no calendar date (2017年2月30日) or whose year is outside 1900–2100 is ignored.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_D = "[0-9０-９]"
_NUMERIC_HAN = re.compile(
    rf"(?<![0-9０-９])(?P<y>{_D}{{4}})\s*年\s*(?P<m>{_D}{{1,2}})\s*月\s*(?P<d>{_D}{{1,2}})\s*[日号]")
_NUMERIC_SEP = re.compile(
    rf"(?<![0-9０-９.．\-－/／])(?P<y>{_D}{{4}})(?P<sep>[-－/／.．])(?P<m>{_D}{{1,2}})(?P=sep)"
    rf"(?P<d>{_D}{{1,2}})(?![0-9０-９]|[-－/／.．][0-9０-９])")
_HAN_DIGITS = "〇○零ＯO０一二三四五六七八九"
_HAN_VALUE = {**dict.fromkeys("〇○零ＯO０", 0), "一": 1, "二": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}
_HAN = re.compile(
    rf"(?<![{_HAN_DIGITS}十])(?P<y>[{_HAN_DIGITS}]{{4}})\s*年\s*"
    r"(?P<m>十[一二]?|[一二三四五六七八九])\s*月\s*"
    r"(?P<d>三十一?|二十[一二三四五六七八九]?|十[一二三四五六七八九]?|[一二三四五六七八九])"
    r"\s*[日号]")
EARLIEST_YEAR = 1900
LATEST_YEAR = 2100


@dataclass(frozen=True)
class StatedDate:
    """A full date written in a text: the date, the characters as written, and where they
    start in the text."""

    date: dt.date
    written: str
    start: int


def _han_number(text: str) -> int:
    """一 … 三十一: a month or day written in Chinese numerals."""
    if "十" not in text:
        return _HAN_VALUE[text]
    tens, _, ones = text.partition("十")
    return (_HAN_VALUE[tens] if tens else 1) * 10 + (_HAN_VALUE[ones] if ones else 0)


def _date(year: int, month: int, day: int) -> dt.date | None:
    if not EARLIEST_YEAR <= year <= LATEST_YEAR:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def dates_in_text(text: str) -> list[StatedDate]:
    """Every full date in ``text``, in the order they are written."""
    found: list[StatedDate] = []
    for pattern in (_NUMERIC_HAN, _NUMERIC_SEP):
        for m in pattern.finditer(text):
            # int() reads full-width digits as well as ASCII ones
            when = _date(int(m["y"]), int(m["m"]), int(m["d"]))
            if when is not None:
                found.append(StatedDate(when, m.group(0), m.start()))
    for m in _HAN.finditer(text):
        year = int("".join(str(_HAN_VALUE[c]) for c in m["y"]))
        when = _date(year, _han_number(m["m"]), _han_number(m["d"]))
        if when is not None:
            found.append(StatedDate(when, m.group(0), m.start()))
    return sorted(found, key=lambda s: s.start)


def last_date_in_text(text: str) -> StatedDate | None:
    """The last full date written in ``text`` (the date a Chinese official document states
    it was issued), or ``None`` when there is none."""
    dates = dates_in_text(text)
    return dates[-1] if dates else None


def excerpt(text: str, stated: StatedDate, context: int = 30) -> str:
    """The stated date with up to ``context`` characters either side, on one line."""
    start = max(0, stated.start - context)
    end = min(len(text), stated.start + len(stated.written) + context)
    return " ".join(text[start:end].split())
