"""Per-record checks: every check on records that pass and records that fail it."""

from __future__ import annotations

import datetime as dt
import inspect
from typing import Any

import pytest

from scrutiny.checks.base import CODE, Context, Record, RecordCheck
from scrutiny.checks.record import RECORD_CHECKS
from scrutiny.checks.registry import validate
from scrutiny.core import Finding, Severity
from scrutiny.extract.records import normalise_id, normalise_phone
from scrutiny.identity import resident_id

ITEM = "ab" * 32
TODAY = dt.date(2026, 11, 22)
CTX = Context(db=None, today=TODAY)

# A person from 疏附县 (653121, Kashgar prefecture), born 1985-03-12, male (odd sequence).
BORN = dt.date(1985, 3, 12)
GOOD = resident_id.compose("653121", BORN, 13)
# One whose check character is X, for the look-alike cases.
WITH_X = next(n for n in (resident_id.compose("653121", BORN, s) for s in range(1, 999, 2))
              if n.endswith("X"))
GOOD15 = "653121850312013"   # the first-generation form: century omitted, no check character


def record(id_value: Any = None, relation: str = "", phone: Any = None,
           **fields: Any) -> Record:
    """A record the way extraction stores it: ID and phone normalised by its functions."""
    values = dict(fields)
    info: dict[str, Any] = {}
    if id_value is not None:
        values["id_number"], info = normalise_id(id_value)
    if phone is not None:
        values["phone"], values["phone_kind"] = normalise_phone(phone)
    return Record(id=1, sha256=ITEM, location="row:2", source="table", relation=relation,
                  fields=values, id_info=info)


def clean_fields() -> dict[str, Any]:
    return {"name": "阿卜杜拉·艾力", "sex": "M", "birth_date": "1985-03-12", "age": 33,
            "address": "新疆维吾尔自治区喀什地区疏附县托格拉克乡3村2组17号",
            "facility": "疏附县看守所", "detained": "2018-06-01", "phone": "13907981542"}


def run_all(rec: Record, ctx: Context = CTX) -> list[Finding]:
    return [f for cls in RECORD_CHECKS for f in cls().run(rec, ctx)]


def found(code: str, rec: Record, ctx: Context = CTX) -> list[Finding]:
    cls = next(c for c in RECORD_CHECKS if c.code == code)
    findings = list(cls().run(rec, ctx))
    for f in findings:
        assert f.code == code and f.subject == "record:1" and f.check_version == cls.version
        assert f.evidence["item"] == ITEM and f.evidence["location"] == "row:2"
        assert f.explanation and f.title
    return findings


def one(code: str, rec: Record, ctx: Context = CTX) -> Finding:
    findings = found(code, rec, ctx)
    assert len(findings) == 1, findings
    return findings[0]


# -- the contract -----------------------------------------------------------------------------

def test_checks_are_registered_and_documented() -> None:
    assert validate(RECORD_CHECKS) == list(RECORD_CHECKS)
    codes = [c.code for c in RECORD_CHECKS]
    assert codes == sorted(codes, key=lambda c: (c.split("-")[1] != "ID", c))
    for cls in RECORD_CHECKS:
        assert issubclass(cls, RecordCheck) and CODE.match(cls.code)
        assert cls.code.startswith(("REC-ID-", "REC-DATE-", "REC-PHONE-"))
        assert cls.version == "1" and cls.title
        doc = inspect.cleandoc(cls.__doc__ or "")
        for part in ("**Method.**", "**What it can show.**", "**What it cannot show.**",
                     "**References.**"):
            assert part in doc, (cls.code, part)


def test_clean_records_yield_nothing() -> None:
    assert run_all(record(GOOD, **clean_fields())) == []
    assert run_all(record(GOOD15, **clean_fields())) == []
    # the same with a document date, a month-precision birth date and a landline
    fields = clean_fields() | {"birth_date": "1985-03", "birth_date_precision": "month"}
    fields.pop("phone")
    ctx = Context(db=None, today=TODAY, settings={"document_date": "2018-12-31"})
    assert run_all(record(GOOD, phone="0998-2876451", **fields), ctx) == []


def test_records_with_nothing_to_check_yield_nothing() -> None:
    assert run_all(record(name="阿卜杜拉")) == []
    assert run_all(record("", name="阿卜杜拉")) == []
    assert run_all(record(name="阿卜杜拉", sex="M", age=30, phone="")) == []
    assert run_all(record("不详", name="阿卜杜拉")) == []  # no digits: not a number


# -- REC-ID-001 format ------------------------------------------------------------------------

def test_format_wrong_length() -> None:
    f = one("REC-ID-001", record(GOOD[:17]))
    assert f.severity == Severity.WARNING
    assert "17 characters" in f.explanation and GOOD[:17] in f.explanation
    assert f.evidence["length"] == 17
    assert one("REC-ID-001", record(GOOD + "1")).evidence["length"] == 19


def test_format_wrong_characters() -> None:
    f = one("REC-ID-001", record(GOOD[:8] + "AB" + GOOD[10:]))
    assert "characters 9 and 10" not in f.explanation  # different characters, told apart
    assert "character 9: 'A'" in f.explanation and "character 10: 'B'" in f.explanation
    assert [c["positions"] for c in f.evidence["characters"]] == [[9], [10]]
    x_inside = one("REC-ID-001", record(GOOD[:5] + "X" + GOOD[6:]))
    assert "only the 18th character" in x_inside.explanation
    assert found("REC-ID-001", record(GOOD15[:14] + "X"))  # 15-digit numbers have no X


def test_format_masked_number_is_a_notice() -> None:
    f = one("REC-ID-001", record(GOOD[:6] + "*" * 8 + GOOD[14:]))
    assert f.severity == Severity.NOTICE and f.title == "Masked resident ID number"
    assert "characters 7–14" in f.explanation


def test_format_accepts_both_generations_and_separators() -> None:
    for value in (GOOD, GOOD15, WITH_X, f"{GOOD[:6]} {GOOD[6:14]} {GOOD[14:]}",
                  f"{GOOD[:6]}-{GOOD[6:]}"):
        assert found("REC-ID-001", record(value)) == []


def test_format_leaves_look_alikes_to_their_check() -> None:
    assert found("REC-ID-001", record(WITH_X[:17] + "х")) == []
    assert found("REC-ID-001", record(GOOD.replace("0", "O"))) == []


# -- REC-ID-002 look-alikes -------------------------------------------------------------------

def test_full_width_digits() -> None:
    full = "".join(chr(ord(c) + 0xFEE0) for c in WITH_X)  # ６５３１２１… Ｘ
    rec = record(full)
    assert rec.fields["id_number"] == WITH_X  # extraction folded it, and kept the original
    assert rec.id_info["normalised_from"] == full
    f = one("REC-ID-002", rec)
    assert f.severity == Severity.NOTICE
    assert "characters 1–17" in f.explanation and "full-width digits" in f.explanation
    assert "character 18 is 'Ｘ'" in f.explanation
    assert f.evidence["as_read"] == WITH_X and f.evidence["as_read_check_ok"] is True
    assert len(f.evidence["characters"]) == 18
    assert f.evidence["characters"][0] == {"position": 1, "character": "６",
                                           "codepoint": "U+FF16", "name": "FULLWIDTH DIGIT SIX",
                                           "reads_as": "6"}


def test_cyrillic_ha_for_x() -> None:
    written = WITH_X[:17] + "х"  # U+0445
    rec = record(written)
    assert "valid" not in rec.id_info  # not silently fixed: extraction could not read it
    f = one("REC-ID-002", rec)
    assert f.severity == Severity.WARNING
    assert "character 18 is 'х' (U+0445 CYRILLIC SMALL LETTER HA" in f.explanation
    assert f.evidence["id_number_as_written"] == written
    assert f.evidence["characters"] == [{"position": 18, "character": "х", "codepoint": "U+0445",
                                         "name": "CYRILLIC SMALL LETTER HA", "reads_as": "X"}]
    assert f.evidence["as_read"] == WITH_X and f.evidence["as_read_check_ok"] is True
    assert "check character is right" in f.explanation
    capital = one("REC-ID-002", record(WITH_X[:17] + "Х"))  # U+0425
    assert capital.evidence["characters"][0]["codepoint"] == "U+0425"


def test_lower_case_x_is_a_notice() -> None:
    f = one("REC-ID-002", record(WITH_X[:17] + "x"))
    assert f.severity == Severity.NOTICE and "lower-case" in f.explanation


def test_letters_for_digits() -> None:
    written = GOOD[:10] + "O" + GOOD[11:15] + "l" + GOOD[16:]  # O for 0, l for 1
    assert GOOD[10] == "0" and GOOD[15] == "1"
    f = one("REC-ID-002", record(written))
    assert f.severity == Severity.WARNING
    assert "character 11 is 'O'" in f.explanation and "character 16 is 'l'" in f.explanation
    assert [c["position"] for c in f.evidence["characters"]] == [11, 16]
    assert f.evidence["as_read"] == GOOD
    # positions count the number's characters, separators left out
    spaced = one("REC-ID-002", record(GOOD[:6] + " " + GOOD[6:10] + "I" + GOOD[11:]))
    assert spaced.evidence["characters"][0]["position"] == 11


def test_other_script_digits_and_clean_numbers() -> None:
    arabic = "".join(chr(0x0660 + int(c)) if i < 3 else c for i, c in enumerate(GOOD))
    f = one("REC-ID-002", record(arabic))
    assert f.severity == Severity.WARNING and f.evidence["as_read"] == GOOD
    for value in (GOOD, WITH_X, GOOD15, f"{GOOD[:6]} {GOOD[6:]}"):
        assert found("REC-ID-002", record(value)) == []


# -- REC-ID-003 precision lost ----------------------------------------------------------------

def test_spreadsheet_number_that_lost_digits() -> None:
    rec = record(float(GOOD), sex="F")
    assert rec.id_info["precision_lost"]
    f = one("REC-ID-003", rec)
    assert rec.fields["id_number"] in f.explanation
    assert f.evidence["precision_lost"] is True
    # its last digits are not judged
    assert found("REC-ID-004", rec) == [] and found("REC-ID-009", rec) == []
    # a whole number kept exactly is fine
    assert found("REC-ID-003", record(int(GOOD))) == []
    assert found("REC-ID-003", record(GOOD)) == []


# -- REC-ID-004 check character ---------------------------------------------------------------

def test_wrong_check_character() -> None:
    wrong = GOOD[:17] + ("0" if GOOD[17] != "0" else "1")
    f = one("REC-ID-004", record(wrong))
    assert f.severity == Severity.WARNING
    assert f"'{GOOD[17]}'" in f.explanation and wrong in f.explanation
    assert f.evidence["expected_check_character"] == GOOD[17]
    assert f.evidence["check_character"] == wrong[17]
    x_wrong = one("REC-ID-004", record(GOOD[:17] + "X"))
    assert x_wrong.evidence["check_character"] == "X"


def test_right_check_character_and_15_digit_numbers() -> None:
    for value in (GOOD, WITH_X, WITH_X[:17] + "x", GOOD15):
        assert found("REC-ID-004", record(value)) == []


# -- REC-ID-005 region code -------------------------------------------------------------------

def test_unknown_region_code() -> None:
    f = one("REC-ID-005", record(resident_id.compose("990101", BORN, 13)))
    assert f.severity == Severity.WARNING and "990101" in f.explanation
    assert f.evidence["region_code"] == "990101"


def test_region_code_retired_before_birth() -> None:
    # 652101 吐鲁番市 was in use 1984-2015 (then 650402 高昌区)
    f = one("REC-ID-005", record(resident_id.compose("652101", dt.date(2017, 3, 1), 2)))
    assert f.severity == Severity.WARNING
    assert "吐鲁番市" in f.explanation and "1984–2015" in f.explanation
    assert "2017" in f.explanation
    assert f.evidence["birth_year"] == 2017
    assert f.evidence["region"] == [{"name": "吐鲁番市", "first_year": 1984, "last_year": 2015}]
    assert found("REC-ID-005", record(resident_id.compose("652101", dt.date(2000, 5, 1), 2))) \
        == []


def test_region_code_not_yet_in_use() -> None:
    # 659010 胡杨河市 exists from 2019
    f = one("REC-ID-005", record(resident_id.compose("659010", dt.date(1990, 3, 1), 2)))
    assert f.severity == Severity.NOTICE
    assert "胡杨河市" in f.explanation and "from 2019" in f.explanation
    assert "1990" in f.explanation
    assert found("REC-ID-005", record(resident_id.compose("659010", dt.date(2020, 1, 1), 2))) \
        == []
    # born before numbers were issued: also flagged when the code began long after 1984
    old = one("REC-ID-005", record(resident_id.compose("659010", dt.date(1960, 3, 1), 2)))
    assert "1984" in old.explanation


def test_region_code_of_people_born_before_numbers_existed() -> None:
    # stdnum rejects these, but people born before 1984 got the code in use at first issue
    number = resident_id.compose("652101", dt.date(1970, 3, 1), 2)
    assert not resident_id.is_valid(number)
    assert found("REC-ID-005", record(number)) == []
    assert found("REC-ID-005", record(resident_id.compose("650102", dt.date(1960, 1, 1), 3))) \
        == []


def test_region_code_history_and_15_digit_numbers() -> None:
    # 650107: 南山矿区 1983-1998, 南泉区 1999-2001, 达坂城区 from 2002
    assert found("REC-ID-005", record(resident_id.compose("650107", dt.date(2000, 1, 1), 1))) \
        == []
    assert found("REC-ID-005", record("652101700301002")) == []       # born 1970
    f = one("REC-ID-005", record("659010900301002"))                  # born 1990
    assert f.severity == Severity.NOTICE and f.evidence["birth_year"] == 1990
    unknown = one("REC-ID-005", record("990101850312013"))
    assert unknown.evidence["region_code"] == "990101"


# -- REC-ID-006 region vs address -------------------------------------------------------------

def test_address_elsewhere() -> None:
    f = one("REC-ID-006", record(GOOD, address="新疆维吾尔自治区和田地区于田县阿热勒乡13村"))
    assert f.severity == Severity.NOTICE
    assert "疏附县" in f.explanation and "于田县" in f.explanation
    assert "People move" in f.explanation
    assert f.evidence["names_searched"] == ["疏附县", "疏附", "喀什地区", "喀什"]
    assert found("REC-ID-006", record(GOOD, address="北京市东城区东华门街道"))
    assert found("REC-ID-006", record(GOOD15, address="和田市古江巴格乡"))


def test_address_naming_the_region() -> None:
    for address in ("新疆维吾尔自治区喀什地区疏附县托格拉克乡3村",
                    "新疆疏附托格拉克乡3村",          # the county without its suffix
                    "喀什市某街道12号",                # another county of the same prefecture
                    "喀什地区某县某乡"):
        assert found("REC-ID-006", record(GOOD, address=address)) == [], address
    # every historical name counts: 650107 南山矿区 → 南泉区 → 达坂城区
    number = resident_id.compose("650107", dt.date(2000, 1, 1), 1)
    assert found("REC-ID-006", record(number, address="南泉区某村")) == []
    assert found("REC-ID-006", record(number, address="乌鲁木齐市达坂城区某村")) == []
    # autonomous prefectures are written without their peoples' names
    yining = resident_id.compose("654002", dt.date(2000, 1, 1), 1)
    assert found("REC-ID-006", record(yining, address="伊犁州某县某乡")) == []


def test_address_with_nothing_to_compare() -> None:
    for address in ("", "托格拉克乡3村2组", "新疆维吾尔自治区", "Qaraqash nahiyisi"):
        assert found("REC-ID-006", record(GOOD, address=address)) == [], address
    assert found("REC-ID-006", record(resident_id.compose("990101", BORN, 1),
                                      address="北京市东城区")) == []
    assert found("REC-ID-006", record(name="x", address="北京市东城区")) == []


# -- REC-ID-007 birth date --------------------------------------------------------------------

def test_birth_date_differs() -> None:
    f = one("REC-ID-007", record(GOOD, birth_date="1985-04-12"))
    assert f.severity == Severity.WARNING
    assert "1985-03-12" in f.explanation and "1985-04-12" in f.explanation
    assert "31 days later" in f.explanation
    assert f.evidence["id_birth_date"] == "1985-03-12"
    assert f.evidence["birth_date"] == "1985-04-12"
    swapped = one("REC-ID-007", record(GOOD, birth_date="1985-12-03"))
    assert "day and month swapped" in swapped.explanation
    assert "only the year" in one("REC-ID-007", record(GOOD, birth_date="1986-03-12")).explanation


def test_birth_date_compared_at_stated_precision() -> None:
    assert found("REC-ID-007", record(GOOD, birth_date="1985-03",
                                      birth_date_precision="month")) == []
    assert found("REC-ID-007", record(GOOD, birth_date="1985", birth_date_precision="year")) \
        == []
    month = one("REC-ID-007", record(GOOD, birth_date="1985-04", birth_date_precision="month"))
    assert month.evidence["birth_date_precision"] == "month"
    assert one("REC-ID-007", record(GOOD, birth_date="1984")).evidence[
        "birth_date_precision"] == "year"


def test_birth_date_of_15_digit_numbers_and_nothing_to_compare() -> None:
    assert found("REC-ID-007", record(GOOD15, birth_date="1985-03-12")) == []
    f = one("REC-ID-007", record(GOOD15, birth_date="1958-03-12"))
    assert f.evidence["id_birth_date"] == "1985-03-12"
    assert found("REC-ID-007", record(GOOD)) == []
    assert found("REC-ID-007", record(GOOD, birth_date=None)) == []
    assert found("REC-ID-007", record(name="x", birth_date="1985-03-12")) == []


# -- REC-ID-008 age ---------------------------------------------------------------------------

def test_age_fits_at_the_detention_date() -> None:
    # born 1985-03-12, detained 2018-06-01: 33 in completed years
    for age in (32, 33, 34, 35):  # one less, or nominal years (虚岁) one or two more
        assert found("REC-ID-008", record(GOOD, age=age, detained="2018-06-01")) == [], age


def test_age_does_not_fit() -> None:
    f = one("REC-ID-008", record(GOOD, age=40, detained="2018-06-01"))
    assert f.severity == Severity.WARNING
    assert "40" in f.explanation and "33" in f.explanation and "2018-06-01" in f.explanation
    assert f.evidence["age"] == 40 and f.evidence["detained"] == "2018-06-01"
    assert f.evidence["age_range"] == [33, 33]
    assert found("REC-ID-008", record(GOOD, age=31, detained="2018-06-01"))
    assert found("REC-ID-008", record(GOOD15, age=50, detained="2018-06-01"))


def test_age_reference_date() -> None:
    rec = record(GOOD, age=40)
    assert found("REC-ID-008", rec) == []  # no detention date, no document date: skipped
    ctx = Context(db=None, today=TODAY, settings={"document_date": "2018-12-31"})
    f = one("REC-ID-008", rec, ctx)
    assert f.evidence["document_date"] == "2018-12-31"
    assert found("REC-ID-008", record(GOOD, age=33), ctx) == []
    # with both, any day between counts: detained at 31 (2017-01), listed at 33 (2018-12)
    assert found("REC-ID-008", record(GOOD, age=30, detained="2017-01-05"), ctx) == []
    assert found("REC-ID-008", record(GOOD, age=35, detained="2017-01-05"), ctx) == []
    assert one("REC-ID-008", record(GOOD, age=36, detained="2017-01-05"), ctx).evidence[
        "age_range"] == [31, 33]
    # a partial detention date counts as every day it may mean
    assert one("REC-ID-008", record(GOOD, age=40, detained="2018")).evidence["age_range"] \
        == [32, 33]


# -- REC-ID-009 sex ---------------------------------------------------------------------------

def test_sex_digit_differs() -> None:
    f = one("REC-ID-009", record(GOOD, sex="F"))
    assert f.severity == Severity.WARNING
    assert "Digit 17" in f.explanation and "male" in f.explanation
    assert f.evidence == {"item": ITEM, "location": "row:2", "id_number": GOOD,
                          "sex_digit": GOOD[16], "id_sex": "M", "sex": "F"}
    woman = resident_id.compose("653121", BORN, 14)
    assert one("REC-ID-009", record(woman, sex="M")).evidence["id_sex"] == "F"
    f15 = one("REC-ID-009", record(GOOD15, sex="F"))
    assert "Digit 15" in f15.explanation


def test_sex_digit_matches_or_nothing_to_compare() -> None:
    assert found("REC-ID-009", record(GOOD, sex="M")) == []
    assert found("REC-ID-009", record(GOOD15, sex="M")) == []
    assert found("REC-ID-009", record(GOOD, sex="未知")) == []
    assert found("REC-ID-009", record(GOOD)) == []
    assert found("REC-ID-009", record(GOOD[:17], sex="F")) == []


# -- REC-DATE-001 dates out of range ----------------------------------------------------------

def test_dates_in_the_future() -> None:
    f = one("REC-DATE-001", record(name="x", birth_date="2027-01-01"))
    assert f.title == "Date in the future" and "2026-11-22" in f.explanation
    assert f.evidence["birth_date"] == "2027-01-01" and f.evidence["today"] == "2026-11-22"
    assert one("REC-DATE-001", record(name="x", detained="2027")).evidence["detained"] == "2027"
    # a partial date is in the future only if all of it is
    assert found("REC-DATE-001", record(name="x", detained="2026")) == []
    assert found("REC-DATE-001", record(name="x", detained="2026-11")) == []
    assert found("REC-DATE-001", record(name="x", detained="2026-11-22")) == []
    future_id = resident_id.compose("653121", dt.date(2030, 1, 1), 1)
    g = one("REC-DATE-001", record(future_id))
    assert g.evidence["id_birth_date"] == "2030-01-01" and g.evidence["id_number"] == future_id


def test_dates_before_1900() -> None:
    f = one("REC-DATE-001", record(name="x", detained="1899-05-01"))
    assert f.title == "Date before 1900" and "1899-05-01" in f.explanation
    assert found("REC-DATE-001", record(name="x", birth_date="1899-12"))
    assert found("REC-DATE-001", record(name="x", birth_date="1900")) == []
    old_id = resident_id.compose("653121", dt.date(1899, 1, 1), 1)
    assert one("REC-DATE-001", record(old_id)).evidence["id_birth_date"] == "1899-01-01"


def test_id_date_that_is_no_calendar_date() -> None:
    first17 = "65312119850230001"
    f = one("REC-DATE-001", record(first17 + resident_id.check_character(first17)))
    assert f.title == "ID birth date is not a calendar date"
    assert "19850230" in f.explanation and f.evidence["id_date_digits"] == "19850230"
    assert one("REC-DATE-001", record("653121851332001")).evidence["id_date_digits"] \
        == "19851332"
    # the other date checks leave it alone
    number = first17 + resident_id.check_character(first17)
    rec = record(number, birth_date="1985-03-01", age=30, detained="2018-01-01")
    assert [f.code for f in run_all(rec)] == ["REC-DATE-001"]


# -- REC-DATE-002 detention before birth ------------------------------------------------------

def test_detained_before_birth() -> None:
    f = one("REC-DATE-002", record(GOOD, birth_date="1985-03-12", detained="1984-06-01"))
    assert "1984-06-01" in f.explanation and "1985-03-12" in f.explanation
    assert f.evidence["detained"] == "1984-06-01"
    assert f.evidence["birth_date"] == "1985-03-12"
    assert f.evidence["id_birth_date"] == "1985-03-12" and f.evidence["id_number"] == GOOD
    only_stated = one("REC-DATE-002", record(name="x", birth_date="2000-01", detained="1999"))
    assert "id_birth_date" not in only_stated.evidence
    assert found("REC-DATE-002", record(GOOD, detained="1985-03")) == []  # may be after
    assert found("REC-DATE-002", record(GOOD, detained="2018-06-01")) == []
    assert found("REC-DATE-002", record(GOOD, birth_date="1985-03-12")) == []


# -- REC-DATE-003 age -------------------------------------------------------------------------

@pytest.mark.parametrize(("age", "flagged"), [(-1, True), (0, False), (120, False),
                                              (121, True), (1985, True)])
def test_impossible_age(age: int, flagged: bool) -> None:
    findings = found("REC-DATE-003", record(name="x", age=age))
    assert bool(findings) == flagged
    if flagged:
        assert str(age) in findings[0].explanation and findings[0].evidence["age"] == age


def test_unreadable_age_is_not_checked() -> None:
    assert found("REC-DATE-003", record(name="x", age=None)) == []


# -- REC-PHONE-001 phones ---------------------------------------------------------------------

@pytest.mark.parametrize("phone", ["13907981542", "+86 139 0798 1542", "0998-2876451",
                                   "010-62751234", "0903 28764519"])
def test_plausible_phones(phone: str) -> None:
    assert found("REC-PHONE-001", record(name="x", phone=phone)) == []


def test_phone_of_unknown_shape() -> None:
    f = one("REC-PHONE-001", record(name="x", phone="2876451"))
    assert f.severity == Severity.NOTICE and "7 digits" in f.explanation
    assert f.evidence["phone"] == "2876451" and f.evidence["phone_kind"] == "unknown"
    assert "12 digits and begins 1" in one(
        "REC-PHONE-001", record(name="x", phone="139079815421")).explanation
    assert found("REC-PHONE-001", record(name="x", phone="0903287"))


@pytest.mark.parametrize(("phone", "why"), [
    ("13800000000", "last 8 digits are the digit 0 repeated"),
    ("13999999999", "last 8 digits are the digit 9 repeated"),
    ("13812345678", "last 8 digits run in sequence (12345678)"),
    ("12345678901", "runs in sequence (12345678901)"),
    ("11111111111", "is the digit 1 repeated"),
    ("09031111111", "last 7 digits are the digit 1 repeated"),
    ("13987654321", "in sequence (87654321)"),
])
def test_placeholder_phones(phone: str, why: str) -> None:
    f = one("REC-PHONE-001", record(name="x", phone=phone))
    assert f.severity == Severity.NOTICE and why in f.explanation, f.explanation
    assert f.evidence["placeholder"] is True and f.evidence["phone"] == phone


def test_phone_with_no_digits_is_not_checked() -> None:
    assert found("REC-PHONE-001", record(name="x", phone="无")) == []
    assert found("REC-PHONE-001", record(name="x", phone="13121212121")) == []  # not a run


# -- all together -----------------------------------------------------------------------------

def test_a_bad_record_is_reported_by_each_check_concerned() -> None:
    wrong = GOOD[:17] + ("0" if GOOD[17] != "0" else "1")
    rec = record(wrong, sex="F", birth_date="1986-01-01", age=50, detained="2018-06-01",
                 address="北京市东城区", phone="13800000000")
    codes = sorted(f.code for f in run_all(rec))
    assert codes == ["REC-ID-004", "REC-ID-006", "REC-ID-007", "REC-ID-008", "REC-ID-009",
                     "REC-PHONE-001"]


def test_relatives_are_checked_too() -> None:
    rec = record(GOOD, relation="父亲", sex="F")
    assert [f.code for f in run_all(rec)] == ["REC-ID-009"]
