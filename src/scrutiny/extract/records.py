"""Person records from tables: map headers to fields, normalise values, attach relatives.

Header mapping knows the Chinese and English headers police lists and victim databases use;
each column's mapping is reported (exact alias, alias within a longer header, override file, or
unmapped), and an override file maps what it cannot. Values are normalised (ID numbers parsed
with python-stdnum, dates in Chinese and ISO formats and Excel serial numbers, sex, phone
numbers) and the raw row is kept beside them. A row whose relation column names a relative
(父亲, 妻子, …) is attached to the main person above it.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scrutiny.core import ScrutinyError
from scrutiny.identity import resident_id

FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "serial": ("序号", "编号", "no", "no.", "#", "number"),
    "name": ("姓名", "名字", "人员姓名", "name", "fullname", "full name"),
    "id_number": ("公民身份号码", "身份证号", "身份证号码", "身份证", "证件号码", "身份号码",
                  "idnumber", "id number", "id", "id_number", "idcard", "citizen id"),
    "sex": ("性别", "sex", "gender"),
    "ethnicity": ("民族", "族别", "ethnicity", "nationality"),
    "birth_date": ("出生日期", "出生年月", "出生年月日", "生日", "birth", "birthdate",
                   "date of birth", "dob", "birth date", "born"),
    "age": ("年龄", "age"),
    "address": ("户籍地址", "住址", "家庭住址", "现住址", "户籍所在地", "户籍地", "address",
                "home address", "hometown"),
    "phone": ("联系电话", "电话", "手机", "手机号", "手机号码", "电话号码", "phone", "telephone",
              "mobile", "phone number"),
    "relation": ("关系", "与本人关系", "家庭关系", "称谓", "relation", "relationship"),
    "facility": ("所在单位", "关押单位", "所在场所", "收押单位", "关押场所", "facility", "unit"),
    "detained": ("收押日期", "关押日期", "入所日期", "收押时间", "detained", "date detained",
                 "detention date"),
    "category": ("类别", "类型", "人员类别", "原因", "category", "reason"),
    "note": ("备注", "说明", "remarks", "remark", "note", "notes"),
}
SELF_RELATIONS = frozenset({"", "本人", "户主", "self"})
SEX = {"男": "M", "女": "F", "m": "M", "f": "F", "male": "M", "female": "F", "男性": "M",
       "女性": "F"}


def _norm_header(text: Any) -> str:
    s = unicodedata.normalize("NFKC", str(text or "")).strip().lower()
    return re.sub(r"[\s:：_\-()（）*]", "", s)


_ALIAS_INDEX = {_norm_header(a): f for f, aliases in FIELD_ALIASES.items() for a in aliases}


@dataclass(frozen=True)
class ColumnMap:
    index: int
    header: str
    field: str | None
    how: str  # "exact", "contains", "override", "unmapped"


def map_header(header: Iterable[Any], overrides: Mapping[str, str] | None = None,
               ) -> list[ColumnMap]:
    """How each column maps to a person field. An override maps a header text (or a column
    number as a string, 1-based) to a field name, or to "" to ignore the column."""
    overrides = overrides or {}
    out: list[ColumnMap] = []
    taken: set[str] = set()
    for i, raw in enumerate(header):
        text = "" if raw is None else str(raw).strip()
        key = _norm_header(text)
        for probe in (text, str(i + 1)):
            if probe in overrides:
                target = overrides[probe] or None
                if target is not None and target not in FIELD_ALIASES:
                    raise ScrutinyError(f"mapping names an unknown field {target!r}; known: "
                                        + ", ".join(sorted(FIELD_ALIASES)))
                out.append(ColumnMap(i, text, target, "override"))
                break
        else:
            field_name, how = _ALIAS_INDEX.get(key), "exact"
            if field_name is None and key:
                field_name = next((f for a, f in sorted(_ALIAS_INDEX.items(),
                                                        key=lambda kv: -len(kv[0]))
                                   if len(a) >= 2 and a in key), None)
                how = "contains"
            if field_name is None or field_name in taken:
                out.append(ColumnMap(i, text, None, "unmapped"))
                continue
            out.append(ColumnMap(i, text, field_name, how))
        if out[-1].field:
            taken.add(out[-1].field)
    return out


def load_overrides(path: Path) -> dict[str, str]:
    """A JSON object {header text or column number: field name}."""
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise ScrutinyError(f"cannot read the mapping file {path}: {exc}") from None
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise ScrutinyError(f"{path}: the mapping must be a JSON object of header → field")
    return {str(k): v for k, v in data.items()}


# -- value normalisation -------------------------------------------------------------------

_EXCEL_EPOCH = dt.date(1899, 12, 30)
_DATE_PATTERNS = (
    re.compile(r"^(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*日?"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
_MONTH_PATTERNS = (
    re.compile(r"^(\d{4})\s*[-./年]\s*(\d{1,2})\s*月?$"),
    re.compile(r"^(\d{4})(\d{2})$"),
)

_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_ID_CANONICAL = re.compile(r"[0-9]{17}[0-9X]")


def parse_date(value: Any) -> tuple[str | None, str]:
    """(ISO date or year-month or year, precision) from a cell; (None, "") if not a date."""
    if value is None or value == "":
        return None, ""
    if type(value) is str and _ISO_DAY.fullmatch(value):  # the common case: 2018-03-01
        try:
            return dt.date.fromisoformat(value).isoformat(), "day"
        except ValueError:
            return None, ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat(), "day"
    if isinstance(value, dt.date):
        return value.isoformat(), "day"
    if isinstance(value, int | float) and not isinstance(value, bool):
        n = int(value)
        if 1000 <= n <= 2200:
            return f"{n:04d}", "year"
        if 1 <= n < 80_000:  # an Excel serial day number
            return (_EXCEL_EPOCH + dt.timedelta(days=n)).isoformat(), "day"
        value = str(n)
    text = unicodedata.normalize("NFKC", str(value)).strip()
    for pattern in _DATE_PATTERNS:
        m = pattern.match(text)
        if m:
            try:
                return dt.date(int(m[1]), int(m[2]), int(m[3])).isoformat(), "day"
            except ValueError:
                return None, ""
    for pattern in _MONTH_PATTERNS:
        m = pattern.match(text)
        if m and 1 <= int(m[2]) <= 12:
            return f"{int(m[1]):04d}-{int(m[2]):02d}", "month"
    if re.fullmatch(r"\d{4}年?", text):
        return text[:4], "year"
    return None, ""


def normalise_id(value: Any) -> tuple[str, dict[str, Any]]:
    """The ID number as characters (NFKC-folded, upper-case, no spaces) and what it says.
    Spreadsheet numbers are turned back into digits; a float that lost digits is noted."""
    info: dict[str, Any] = {}
    if isinstance(value, float):
        info["stored_as_number"] = True
        if value >= 1e15:
            info["precision_lost"] = True
        value = f"{value:.0f}"
    elif isinstance(value, int):
        info["stored_as_number"] = True
        value = str(value)
    if type(value) is str and _ID_CANONICAL.fullmatch(value):
        text = value  # the common case, already clean
    else:
        text = re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", str(value or ""))).upper()
    if text != str(value).strip():
        info["normalised_from"] = str(value)
    if len(text) == 18 and _ID_CANONICAL.fullmatch(text):
        valid, born = resident_id.facts(text)
        info["valid"] = valid
        info["sex"] = "M" if int(text[16]) % 2 else "F"
        info["region"] = text[:6]
        info["birth_date"] = born.isoformat() if born else None
    elif len(text) == 15 and text.isdigit():
        info["format"] = "15-digit"
        info["sex"] = resident_id.sex_of(text)
        info["region"] = text[:6]
    return text, info


def normalise_phone(value: Any) -> tuple[str, str]:
    """(digits, kind) with kind "mobile", "landline" or "unknown"."""
    if isinstance(value, float):
        value = f"{value:.0f}"
    digits = re.sub(r"\D", "", unicodedata.normalize("NFKC", str(value or "")))
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if re.fullmatch(r"1[3-9]\d{9}", digits):
        return digits, "mobile"
    if re.fullmatch(r"0\d{9,11}", digits):
        return digits, "landline"
    return digits, "unknown" if digits else ""


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return unicodedata.normalize("NFC", str(value)).strip()


@dataclass(slots=True)
class RecordRow:
    """One person record from one row, ready to store. ``cells`` is the row exactly as read
    (its header is the table's column map)."""

    location: str
    row_number: int
    table: str
    fields: dict[str, Any]
    cells: tuple[Any, ...]
    relation: str = ""
    main_location: str | None = None
    id_info: dict[str, Any] = field(default_factory=dict)


def active_columns(columns: Iterable[ColumnMap]) -> list[tuple[int, str]]:
    """(column index, field) of the columns that feed a record field, first mapping first."""
    out: list[tuple[int, str]] = []
    seen: set[str] = set()
    for c in columns:
        if c.field and c.field != "serial" and c.field not in seen:
            seen.add(c.field)
            out.append((c.index, c.field))
    return out


def build_record(cells: tuple[Any, ...], columns: list[ColumnMap] | list[tuple[int, str]],
                 table: str, number: int, location: str) -> RecordRow | None:
    """A record from one row, or None for an empty row or one without a name or ID.
    ``columns`` is a table's column map, or its ``active_columns`` (faster: this runs once
    per row of rosters with millions of rows)."""
    active = (active_columns(columns) if columns and isinstance(columns[0], ColumnMap)
              else columns)
    fields: dict[str, Any] = {}
    id_info: dict[str, Any] = {}
    n = len(cells)
    for index, name in active:  # type: ignore[misc]
        if index >= n:
            continue
        value = cells[index]
        if value is None or value == "":
            continue
        if name in _PLAIN:
            if type(value) is str:
                text = value.strip()
                fields[name] = text if text.isascii() else unicodedata.normalize("NFC", text)
            else:
                fields[name] = _text(value)
        elif name == "id_number":
            fields["id_number"], id_info = normalise_id(value)
        elif name == "birth_date" or name == "detained":
            iso, precision = parse_date(value)
            fields[name] = iso
            if precision and precision != "day":
                fields[f"{name}_precision"] = precision
        elif name == "sex":
            text = _text(value)
            fields["sex"] = SEX.get(text.lower(), text)
        elif name == "age":
            try:
                fields["age"] = int(float(str(value).strip().rstrip("岁")))
            except ValueError:
                fields["age"] = None
        elif name == "phone":
            fields["phone"], fields["phone_kind"] = normalise_phone(value)
        else:
            fields[name] = _text(value)
    if not fields.get("name") and not fields.get("id_number"):
        return None
    relation = str(fields.pop("relation", "") or "")
    return RecordRow(location, number, table, fields, cells,
                     "" if relation in SELF_RELATIONS else relation, None, id_info)


_PLAIN = frozenset({"name", "ethnicity", "address", "facility", "category", "note",
                    "relation"})


class TableRecords:
    """Turns the rows of one item's tables into records, attaching relatives to the main
    person above them. Feed rows in order; read ``columns`` for the mapping report."""

    def __init__(self, overrides: Mapping[str, str] | None = None) -> None:
        self.overrides = overrides
        self.columns: dict[str, list[ColumnMap]] = {}
        self._header_of: dict[str, tuple[str, ...]] = {}
        self._main: dict[str, str | None] = {}
        self._active: dict[str, list[tuple[int, str]]] = {}

    def feed(self, table: str, number: int, header: tuple[str, ...], cells: tuple[Any, ...],
             location: str) -> RecordRow | None:
        known = self._header_of.get(table)
        if known is not header and known != header:
            self._header_of[table] = header
            self.columns[table] = map_header(header, self.overrides)
            self._main[table] = None
            active = active_columns(self.columns[table])
            # a table with neither a name nor an ID column lists no people
            self._active[table] = active if any(
                f in ("name", "id_number") for _, f in active) else []
        active = self._active[table]
        if not active:
            return None
        rec = build_record(cells, active, table, number, location)
        if rec is None:
            return None
        if rec.relation:
            rec.main_location = self._main[table]
        else:
            self._main[table] = rec.location
        return rec


# -- records from file names ---------------------------------------------------------------

_ID_IN_NAME = re.compile(r"(?<![0-9])([1-9]\d{16}[\dXx])(?![0-9])")
_TIME_IN_NAME = re.compile(
    r"(?<![0-9])((?:19|20)\d{2})(\d{2})(\d{2})[ _\-T]?(\d{2})(\d{2})(\d{2})(?![0-9])")


def records_from_name(name: str) -> Iterator[dict[str, Any]]:
    """Photo dumps name files by ID number and time: yield what a file name says."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    stem = base.rsplit(".", 1)[0]
    times = _TIME_IN_NAME.findall(stem.replace(_first_id(stem), "") if _first_id(stem) else stem)
    taken = None
    for y, mo, d, h, mi, s in times:
        try:
            taken = dt.datetime(int(y), int(mo), int(d), int(h), int(mi), int(s)).isoformat()
            break
        except ValueError:
            continue
    for match in _ID_IN_NAME.findall(stem):
        number, info = normalise_id(match)
        yield {"id_number": number, "id_info": info, "taken": taken, "file_name": base}


def _first_id(stem: str) -> str:
    m = _ID_IN_NAME.search(stem)
    return m.group(1) if m else ""
