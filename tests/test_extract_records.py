"""Person records from tables and file names: header mapping, normalisation, relatives."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from scrutiny.core import ScrutinyError
from scrutiny.extract.records import (
    TableRecords,
    load_overrides,
    map_header,
    normalise_id,
    normalise_phone,
    parse_date,
    records_from_name,
)


def fields_of(header: list[str], overrides: dict[str, str] | None = None) -> list[str | None]:
    return [c.field for c in map_header(header, overrides)]


def test_chinese_and_english_headers_map() -> None:
    assert fields_of(["序号", "姓名", "性别", "民族", "出生年月", "年龄", "身份证号", "住址",
                      "联系电话", "关系", "所在单位", "收押日期", "类别", "备注"]) == [
        "serial", "name", "sex", "ethnicity", "birth_date", "age", "id_number", "address",
        "phone", "relation", "facility", "detained", "category", "note"]
    assert fields_of(["Name", "ID Number", "Date of birth", "Gender", "Hometown"]) == [
        "name", "id_number", "birth_date", "sex", "address"]
    # a longer header containing an alias is mapped, and reported as such
    cols = map_header(["被收押人员姓名", " 公民身份号码 ", "神秘列"])
    assert [(c.field, c.how) for c in cols] == [("name", "contains"), ("id_number", "exact"),
                                                (None, "unmapped")]
    # one field per table: a second ID column stays unmapped rather than overwriting
    assert fields_of(["姓名", "身份证号", "本人身份证号码"]) == ["name", "id_number", None]


def test_override_file(tmp_path: Path) -> None:
    path = tmp_path / "map.json"
    path.write_text(json.dumps({"神秘列": "facility", "3": "note", "姓名": ""}), "utf-8")
    overrides = load_overrides(path)
    cols = map_header(["姓名", "神秘列", "其他", "身份证号"], overrides)
    assert [(c.field, c.how) for c in cols] == [(None, "override"), ("facility", "override"),
                                                ("note", "override"), ("id_number", "exact")]
    path.write_text(json.dumps({"x": "shoe size"}), "utf-8")
    with pytest.raises(ScrutinyError, match="unknown field"):
        map_header(["x"], load_overrides(path))


@pytest.mark.parametrize("value,expected", [
    ("1990-01-02", ("1990-01-02", "day")), ("1990.1.2", ("1990-01-02", "day")),
    ("1990/01/02", ("1990-01-02", "day")), ("1990年1月2日", ("1990-01-02", "day")),
    ("19900102", ("1990-01-02", "day")), ("１９９０年１月２日", ("1990-01-02", "day")),
    ("1990年1月", ("1990-01", "month")), ("199001", ("1990-01", "month")),
    ("1990", ("1990", "year")), (1990, ("1990", "year")),
    (32875, ("1990-01-02", "day")),  # an Excel serial day number
    (dt.datetime(1990, 1, 2, 0, 0), ("1990-01-02", "day")),
    ("1990-02-30", (None, "")), ("unknown", (None, "")), ("", (None, "")),
])
def test_dates(value: object, expected: tuple[str | None, str]) -> None:
    assert parse_date(value) == expected


def test_id_numbers_are_normalised_and_parsed() -> None:
    number, info = normalise_id("65322219900101123x")
    assert number == "65322219900101123X" and info["valid"] is False
    number, info = normalise_id("６５３２２２１９９００１０１１２３２")  # full-width digits
    assert number == "653222199001011232"
    assert info["valid"] and info["normalised_from"] and info["sex"] == "M"
    assert info["birth_date"] == "1990-01-01" and info["region"] == "653222"
    number, info = normalise_id(653222199001011232)
    assert number == "653222199001011232" and info["stored_as_number"]
    _, info = normalise_id(6.53222199001011e17)  # Excel turned it into a float
    assert info["precision_lost"] and not info["valid"]
    number, info = normalise_id("653222900101123")
    assert info["format"] == "15-digit" and info["sex"] == "M"


def test_phones() -> None:
    assert normalise_phone("138 0013 8000") == ("13800138000", "mobile")
    assert normalise_phone("+86 13800138000") == ("13800138000", "mobile")
    assert normalise_phone("0903-2212345") == ("09032212345", "landline")
    assert normalise_phone(13800138000.0) == ("13800138000", "mobile")
    assert normalise_phone("12") == ("12", "unknown")


def test_relatives_attach_to_the_main_person_above() -> None:
    header = ("序号", "姓名", "性别", "公民身份号码", "关系")
    t = TableRecords()
    rows = [
        (1, "买买提·吐尔逊", "男", "653222199001011232", ""),
        (None, "吐尔逊·艾力", "男", "653222196001011233", "父亲"),
        (None, None, None, None, None),  # an empty row is no record
        (None, "阿依古丽·买买提", "女", "653222201501011241", "女儿"),
        (2, "李伟", "男", "650104198001011235", "本人"),
    ]
    recs = [t.feed("", i + 2, header, cells, f"row:{i + 2}") for i, cells in enumerate(rows)]
    assert recs[2] is None
    main, father, _, daughter, other = recs
    assert main is not None and father is not None and daughter is not None
    assert other is not None
    assert main.relation == "" and main.main_location is None
    assert father.relation == "父亲" and father.main_location == "row:2"
    assert daughter.relation == "女儿" and daughter.main_location == "row:2"
    assert other.relation == "" and other.fields["name"] == "李伟"
    assert main.fields["sex"] == "M" and main.cells == rows[0]  # the row as read
    # a table with neither a name nor an ID column yields no records
    t2 = TableRecords()
    assert t2.feed("", 2, ("日期", "金额"), ("2018-01-01", 5), "row:2") is None


def test_records_from_file_names() -> None:
    (rec,) = records_from_name("照片/墨玉县/653222199001011232_20180612101503.jpg")
    assert rec["id_number"] == "653222199001011232" and rec["taken"] == "2018-06-12T10:15:03"
    (rec,) = records_from_name("65322219900101123X-2018-06-12.jpg")
    assert rec["id_number"] == "65322219900101123X" and rec["taken"] is None
    (rec,) = records_from_name("IMG_20180612_101503_653222199001011232.JPG")
    assert rec["taken"] == "2018-06-12T10:15:03"
    assert list(records_from_name("IMG_20180612_101503.jpg")) == []
    assert list(records_from_name("1653222199001011232.jpg")) == []  # 19 digits: not an ID
