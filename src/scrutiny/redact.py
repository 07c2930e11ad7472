"""Redaction: what an export or a report leaves out unless it is told, explicitly, not to.

Everything here is a pure function of the data it is given: it recognises ID numbers, phone
numbers, birth dates and addresses by their form and by the name of the field they sit in, so
it works on a leak no one has seen before (it does not look values up in a list of the case's
ID numbers).

- **ID numbers** (18-digit resident IDs, with an X check character or not, 15-digit ones, any
  run of 15 or more digits, IDs written in groups such as ``653122 19650514 8321``, and
  spreadsheet numbers such as ``6.53122196505148e+17``) become ``[ID]``, in any field and
  inside any text: a statement, a note, a finding's explanation, a file name
  (``653121198503120017_20180504_031233.jpg`` → ``[ID]_20180504_031233.jpg``).
- **Phone numbers**: Chinese mobiles (``13800138000``, ``+86 138 0013 8000``,
  ``138-0013-8000``) and landlines with their area code (``0991-1234567``,
  ``(0903) 801 6802``) become ``[phone]`` anywhere; every value of a phone field does too.
- **Birth dates** keep their year only: every value of a birth-date field, every date written
  right after "born", "birth", "DOB", 出生, 生日 or 生于, and, inside one record, finding or
  claim, every date that is that person's birth date (``birth_dates``). Other dates (detention,
  photos, documents) stay.
- **Addresses** keep nothing but the county when it can be read from them
  (``新疆维吾尔自治区喀什地区疏勒县喀拉苏乡19村3组80号`` → ``疏勒县 [address]``), else become
  ``[address]``. In free text, a run of Chinese characters and digits that reads as an
  address (a numbered village, group or house, a township with its village) is replaced whole,
  words next to it in the same run included. Latin-script addresses are recognised only in
  address fields.

Names are not redacted: they are what a reader matches on.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from scrutiny.extract.records import FIELD_ALIASES, parse_date
from scrutiny.identity.counties import COUNTIES, county_of_place

MARK_ID = "[ID]"
MARK_PHONE = "[phone]"
MARK_ADDRESS = "[address]"
MARK_DATE = "[birth date]"

Kind = str  # "id", "birth", "phone" or "address"

# -- ID numbers and phone numbers: one pass, leftmost match first ------------------------------

_SEP = r"[ \-\u2010-\u2014\u3000]"
_SENSITIVE = re.compile(
    # content hashes (a blob's SHA-256) are provenance, not people: left as they are
    r"(?P<hash>(?<![0-9A-Za-z])(?=[0-9a-f]{0,63}[a-f])"
    r"(?:[0-9a-f]{64}|[0-9a-f]{40}|[0-9a-f]{32})(?![0-9A-Za-z]))"
    # an ID number a spreadsheet stored as a number: 6.53122196505148e+17
    r"|(?P<sci>(?<![\d.])\d\.\d{6,}[eE]\+?(?:1[4-9]|2\d)(?!\d))"
    # an ID in groups: 653122 19650514 8321, 6531 2219 6505 1483 21, 653122 1965 0514 8321
    rf"|(?P<grouped>(?<!\d)(?:\d{{6}}{_SEP}\d{{8}}{_SEP}\d{{3}}"
    rf"|\d{{4}}(?:{_SEP}\d{{4}}){{3}}{_SEP}\d|\d{{6}}(?:{_SEP}\d{{4}}){{2}}{_SEP}\d{{3}})"
    r"[\dXx](?!\d))"
    # 15 digits or more (resident IDs of both lengths, bank cards), X check character or not
    r"|(?P<digits>(?<!\d)\d{14,}[\dXx])"
    # mobiles: 1[3-9]x xxxx xxxx, optionally with +86 / 0086 / (+86) / 86
    r"|(?P<mobile>(?<![\d+.])(?:(?:\+|00)\s?86[\s\-]?|\(\+?86\)\s?|86[\s\-]?)?"
    r"1[3-9]\d[\s\-]?\d{4}[\s\-]?\d{4}(?!\d))"
    # landlines with an area code: 0991-1234567, (0903) 801 6802, +86 991 1234 5678
    r"|(?P<landline>(?<![\d+.])(?:(?:\+|00)\s?86[\s\-]?\(?0?|\(0|0)\d{2,3}\)?[\s\-]?"
    r"\d{3,4}[\s\-]?\d{4}(?!\d))"
)


_FULLWIDTH = str.maketrans("０１２３４５６７８９Ｘｘ＋－（）", "0123456789Xx+-()")


def _ids_and_phones(text: str) -> str:
    """ID numbers and phone numbers replaced. Full-width digits (１３８…) are read as digits;
    the text outside what is replaced is kept exactly as it was."""
    probe = text.translate(_FULLWIDTH)
    out, last = [], 0
    for m in _SENSITIVE.finditer(probe):
        if m.lastgroup == "hash":
            continue
        out.append(text[last:m.start()])
        out.append(MARK_PHONE if m.lastgroup in ("mobile", "landline") else MARK_ID)
        last = m.end()
    if not out:
        return text
    out.append(text[last:])
    return "".join(out)


# -- dates --------------------------------------------------------------------------------------

_DATE = re.compile(
    r"(?<!\d)(?P<y>1[89]\d\d|20\d\d)"
    r"(?:(?:\s*[-./]\s*|\s*年\s*)(?P<m>\d{1,2})(?:(?:\s*[-./]\s*|\s*月\s*)(?P<d>\d{1,2})(?:\s*日)?"
    r"|\s*月)?|(?P<cm>\d\d)(?P<cd>\d\d))"
    r"(?:[T ]\d{1,2}:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:?\d\d)?)?(?!\d)")
_BIRTH_WORD = re.compile(r"(?i:\bborn\b|birth|\bd\.?o\.?b\b)|(?P<han>出生|生日|生于)")
_CLAUSE_END = re.compile(r"[;；。\n,，]|\.\s|\.$")
_CLAUSE_MAX = 80


def _date_parts(m: re.Match[str]) -> tuple[int, int | None, int | None] | None:
    """(year, month, day) of a date match, or None if it is not a calendar date."""
    year = int(m["y"])
    month = m["m"] or m["cm"]
    day = m["d"] or m["cd"]
    if month is None:
        return None  # a bare year is not matched on its own
    mo = int(month)
    if not 1 <= mo <= 12:
        return None
    if day is None:
        return year, mo, None
    d = int(day)
    return (year, mo, d) if 1 <= d <= 31 else None


def _birth_windows(text: str) -> list[tuple[int, int]]:
    """The stretches of ``text`` that speak of a birth date: from a birth word to the end of
    its clause (or 80 characters), and a few characters before 出生 / 生 (1985年3月12日出生)."""
    out = []
    for m in _BIRTH_WORD.finditer(text):
        end = _CLAUSE_END.search(text, m.end(), m.end() + _CLAUSE_MAX)
        out.append((m.end(), end.start() if end else min(len(text), m.end() + _CLAUSE_MAX)))
        if m["han"]:  # 1985年3月12日出生
            out.append((max(0, m.start() - 14), m.start()))
    return out


def _iso_parts(value: str) -> tuple[int, int, int] | None:
    try:
        y, mo, d = value[:10].split("-")
        return int(y), int(mo), int(d)
    except ValueError:
        return None


_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
          r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
_YEAR = r"(?P<y>1[89]\d\d|20\d\d)"
_DATE_OTHER = re.compile(
    # day first: 14/05/1965, 14.5.1965; with a month name: 14 May 1965, May 14, 1965
    rf"(?<!\d)(?P<d>\d{{1,2}})[./-](?P<m>\d{{1,2}})[./-]{_YEAR}(?!\d)"
    rf"|(?i:\b(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?[\s-]+(?:of\s+)?(?P<mn>{_MONTH})[\s,-]+"
    rf"(?P<y2>1[89]\d\d|20\d\d)\b"
    rf"|\b(?P<mn3>{_MONTH})\s+(?P<d3>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y3>1[89]\d\d|20\d\d)\b)")


def _other_parts(m: re.Match[str]) -> tuple[int, int, int] | None:
    year = m["y"] or m["y2"] or m["y3"]
    day = m["d"] or m["d2"] or m["d3"]
    name = m["mn"] or m["mn3"]
    month = _MONTHS.index(name[:3].lower()) + 1 if name else int(m["m"])
    return (int(year), month, int(day)) if 1 <= month <= 12 and 1 <= int(day) <= 31 else None


def _truncate_dates(text: str, birth_dates: Iterable[str], everywhere: bool = False) -> str:
    """Dates in birth-date windows, and the person's own birth dates anywhere, cut to the
    year; with ``everywhere``, every date. Year-first dates (ISO, 1965年5月14日, 19650514),
    day-first ones (14/05/1965) and English ones (14 May 1965, May 14, 1965) are read."""
    known = {p for p in map(_iso_parts, birth_dates) if p}
    windows = [] if everywhere else _birth_windows(text)
    if not (everywhere or known or windows):
        return text

    def inside(m: re.Match[str]) -> bool:
        return everywhere or any(a <= m.start() < b or a < m.end() <= b for a, b in windows)

    def cut(m: re.Match[str]) -> str:
        parts = _date_parts(m)
        if parts is None:
            return m.group()
        if inside(m) or (parts[2] is not None and parts in known):
            return m["y"]
        return m.group()

    def cut_other(m: re.Match[str]) -> str:
        parts = _other_parts(m)
        if parts is None:
            return m.group()
        return str(parts[0]) if inside(m) or parts in known else m.group()

    out = _DATE.sub(cut, text)
    if out != text:
        windows = [] if everywhere else _birth_windows(out)
    return _DATE_OTHER.sub(cut_other, out)


# -- addresses ----------------------------------------------------------------------------------

_HAN = r"\u3400-\u9fff"
_ADDRESS_RUN = re.compile(rf"[{_HAN}\d#＃\-－](?:[{_HAN}\d#＃\-－ ]*[{_HAN}\d#＃\-－])?")
_NUMBERED_PLACE = re.compile(r"\d+\s*(?:号院|村|组|队|号|栋|幢|楼|单元|室|巷|弄)")
_PLACE_WORD = re.compile(r"[村组队号栋幢楼室巷弄]|单元|社区")
_ADMIN_MARK = re.compile(r"[省市县区旗乡镇村路街道巷]")
_TOWNSHIP_VILLAGE = re.compile(rf"(?:乡|镇|街道)[{_HAN}]{{1,10}}?(?:村|社区)")
_KNOWN_COUNTY = re.compile("|".join(sorted((re.escape(han) for han, _, _ in COUNTIES),
                                           key=len, reverse=True)))
_COUNTY_HANS = frozenset(han for han, _, _ in COUNTIES)
_ADMIN_TOKEN = re.compile(rf"[{_HAN}]{{1,9}}?(?:特别行政区|自治区|省|地区|自治州|盟|自治县|自治旗|"
                          r"县|旗|市|区)")
_ABOVE_COUNTY = ("特别行政区", "自治区", "省", "地区", "自治州", "盟")


def county_of_address(text: str) -> str | None:
    """The county an address names, when that is easy to read: a Xinjiang county of
    ``identity.counties`` anywhere in it, else the last county-level unit (县, 旗, 市, 区) of
    the administrative names it starts with, else, for Latin or Arabic script, a part
    (between commas) that names a known county. None if there is none."""
    text = unicodedata.normalize("NFKC", text).strip()
    if not text:
        return None
    known = _KNOWN_COUNTY.search(text)
    if known:
        return known.group()
    tokens, pos = [], 0
    while (m := _ADMIN_TOKEN.match(text, pos)) is not None:
        tokens.append(m.group())
        pos = m.end()
    counties = [t for t in tokens if not t.endswith(_ABOVE_COUNTY)]
    if counties:
        return counties[-1]
    if re.search(f"[{_HAN}]", text):
        return None
    for part in re.split(r"[,;/،]", text):
        part = part.strip()
        if part and county_of_place(part) in _COUNTY_HANS:
            return part
    return None


def redact_address(value: str) -> str:
    """An address as its county and ``[address]`` (or ``[address]`` alone)."""
    county = county_of_address(value)
    return f"{county} {MARK_ADDRESS}" if county else MARK_ADDRESS


def _looks_like_address(run: str) -> bool:
    if _NUMBERED_PLACE.search(run):
        return bool(_ADMIN_MARK.search(run))
    return bool(_TOWNSHIP_VILLAGE.search(run))


def _redact_addresses(text: str) -> str:
    if not _PLACE_WORD.search(text):
        return text
    return _ADDRESS_RUN.sub(
        lambda m: redact_address(m.group()) if _looks_like_address(m.group()) else m.group(),
        text)


_NEEDS_WORK = re.compile(r"\d|村|社区")
_ISO_DAY = re.compile(r"\d{4}-\d\d-\d\d")

# -- text and values ----------------------------------------------------------------------------


def redact_text(text: str, birth_dates: Iterable[str] = ()) -> str:
    """Free text with ID numbers, phone numbers and addresses replaced, and birth dates cut to
    their year (those named as such, and ``birth_dates``: the ISO birth dates of the person
    the text is about)."""
    if not text or not _NEEDS_WORK.search(text):
        return text
    if _ISO_DAY.fullmatch(text):  # the common case: a date alone (detained 2018-03-01)
        return text[:4] if text in birth_dates else text
    out = _ids_and_phones(text)
    out = _redact_addresses(out)
    return _truncate_dates(out, birth_dates)


def birth_year(value: Any) -> Any:
    """A birth date as its year (``1965-05-14``, ``14 May 1965``, ``约1965年`` → ``"1965"``;
    an Excel day number too); a value without digits (a birthplace) as it is; anything else
    (no year, or several) ``[birth date]``."""
    if value is None or value == "" or isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        if 1000 <= value <= 2200:
            return int(value)
        iso, _ = parse_date(int(value))
        return iso[:4] if iso else MARK_DATE
    text = str(value)
    if not any(c.isdigit() for c in text):
        return text
    iso, _ = parse_date(text)
    if iso:
        return iso[:4]
    years = set(re.findall(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)", text))
    return years.pop() if len(years) == 1 else MARK_DATE


def _norm_key(key: str) -> str:
    return re.sub(r"[\s_\-.:：()（）*]", "", unicodedata.normalize("NFKC", key).lower())


_ID_KEYS = frozenset({"idnumbers", "nationalid", "idcard", "idno", "citizenid",
                      "normalisedfrom", "normalizedfrom", "passportnumber", "证件号码"})
_ALIAS_KIND: dict[str, Kind] = {
    _norm_key(alias): kind
    for field, kind in (("id_number", "id"), ("birth_date", "birth"), ("phone", "phone"),
                        ("address", "address"))
    for alias in FIELD_ALIASES[field] if _norm_key(alias) != "id"
}


@lru_cache(maxsize=4096)
def key_kind(key: str) -> Kind | None:
    """What a field holds, judged by its name: ``"id"``, ``"birth"``, ``"phone"``,
    ``"address"`` or None. (``id``, ``record_id`` and the like are scrutiny's own row numbers,
    never taken for ID numbers; ``phone_kind`` is not a phone number.)"""
    k = _norm_key(key)
    if "birth" in k or k in ("dob", "born", "yob") or "出生" in k or "生日" in k:
        return "birth"
    if "idnumber" in k or "身份" in k or k in _ID_KEYS:
        return "id"
    if k.endswith("kind"):
        return None
    if "phone" in k or "电话" in k or "手机" in k or k in ("tel", "mobile"):
        return "phone"
    if "address" in k or "地址" in k or "住址" in k or "户籍" in k:
        return "address"
    return None


@lru_cache(maxsize=4096)
def header_kind(header: str) -> Kind | None:
    """What a leak table's column holds, by its header (the roster header aliases of
    ``extract.records`` included: 公民身份号码, 联系电话, 户籍地址 …)."""
    return key_kind(header) or _ALIAS_KIND.get(_norm_key(header))


def redact_value(value: Any, kind: Kind | None = None, birth_dates: Iterable[str] = ()) -> Any:
    """A JSON-like value with everything sensitive redacted. ``kind`` says what the value is
    (from its field's name); dict keys decide it for what they hold, and a comparison item
    ``{"comparison": "birth", "left": …, "right": …}`` (a match's explanation) for its two
    values. Keys are redacted as text too (an ID number can be a key)."""
    return _redact(value, kind, tuple(birth_dates))


def _redact(value: Any, kind: Kind | None, dates: tuple[str, ...]) -> Any:
    if value is None or value == "" or value is True or value is False:
        return value
    if type(value) is str and kind is None:  # the common case, first
        return redact_text(value, dates)
    if type(value) is dict or isinstance(value, Mapping):
        compared = key_kind(str(value["comparison"])) if "comparison" in value else None
        out: dict[str, Any] = {}
        for key, item in value.items():
            sub = kind or (compared if key in ("left", "right") else None) or key_kind(str(key))
            name = _key_text(str(key), kind == "birth")
            while name in out:
                name += "+"
            out[name] = _redact(item, sub, dates)
        return out
    if isinstance(value, list | tuple):
        return [_redact(item, kind, dates) for item in value]
    if kind == "id":
        return MARK_ID
    if kind == "phone":
        return MARK_PHONE
    if kind == "address":
        return redact_address(str(value))
    if kind == "birth":
        return birth_year(value)
    if isinstance(value, int | float):
        if abs(value) >= 1e10:
            text = f"{value:.0f}"
            return value if redact_text(text) == text else redact_text(text)
        return value
    return redact_text(str(value), dates)


@lru_cache(maxsize=4096)
def _key_text(key: str, birth: bool) -> str:
    return _truncate_dates(redact_text(key), (), everywhere=birth)


def birth_dates_in(value: Any, kind: Kind | None = None) -> set[str]:
    """The full ISO birth dates (YYYY-MM-DD) held by birth-date fields anywhere in a JSON-like
    value: the dates to cut wherever else they appear about the same person."""
    found: set[str] = set()
    if isinstance(value, Mapping):
        for key, item in value.items():
            found |= birth_dates_in(item, kind or key_kind(str(key)))
    elif isinstance(value, list | tuple):
        for item in value:
            found |= birth_dates_in(item, kind)
    elif kind == "birth" and isinstance(value, str):
        for m in _DATE.finditer(value):
            parts = _date_parts(m)
            if parts and parts[2] is not None:
                found.add(f"{parts[0]:04d}-{parts[1]:02d}-{parts[2]:02d}")
    return found
