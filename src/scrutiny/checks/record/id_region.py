"""The region code of a resident ID number: known to the region table and in use in the
birth year, and named by the stated address."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from scrutiny.checks.base import Context, Record, RecordCheck
from scrutiny.checks.record._common import (
    FIRST_ISSUE_YEAR,
    evidence,
    id_date_digits,
    id_length,
    id_number,
    years_in_use,
)
from scrutiny.core import Finding, Severity
from scrutiny.identity import resident_id
from scrutiny.identity.resident_id import Region


def _names_with_years(region: Region) -> str:
    return ", ".join(f"{n.name} ({years_in_use(n.first_year, n.last_year)})"
                     for n in region.names)


def _where(region: Region) -> str:
    parts = [p for p in (region.prefecture, region.province) if p and not _generic(p)]
    return f" in {', '.join(parts)}" if parts else ""


class IdRegionCode(RecordCheck):
    """Checks that the region code of a resident ID number existed when the number says the
    person was born.

    **Method.** The first six digits name the county (or city district) where the number was
    first issued. python-stdnum's region table (GB/T 2260 codes, with the years each code
    and name was in use) is asked for the code. Reported: a code the table does not know
    (severity `warning`); a code already retired before the birth year the number states
    (`warning`: nobody born after a county was abolished is first registered there); a code
    that only came into use after the birth year (`notice`). Numbers were first issued from
    1984, so people born earlier got the code in use when they were first registered: for
    them a code is only reported if it came into use after 1984. (python-stdnum itself
    rejects such numbers; scrutiny does not, to avoid flagging genuine numbers of older
    people.) 15-digit numbers are read with the century 19.

    **What it can show.** Numbers whose region and birth date cannot both be true as the
    registration system issues them, e.g. 652101 (吐鲁番市, in use 1984–2015) on someone born
    in 2017, or 659010 (胡杨河市, from 2019) on someone born in 1990: typical of numbers
    composed by hand from a current list of codes.

    **What it cannot show.** The table follows published code lists and may miss short-lived
    or unpublished codes, and its years are those of the code, not of the local registration
    office's practice; people registered late (without a household registration for years)
    legitimately carry a code newer than their birth year. A code that fits says nothing about
    whether the person lived there.

    **References.** GB 11643-1999 *Citizen identification number*; GB/T 2260 *Codes for the
    administrative divisions of the People's Republic of China*; python-stdnum
    `stdnum.cn.ric` and its table `cn/loc.dat`.
    """

    code = "REC-ID-005"
    title = "Resident ID region code unknown or not in use in the birth year"
    version = "1"
    severity = Severity.WARNING

    def run(self, record: Record, ctx: Context) -> Iterator[Finding]:
        number = id_number(record)
        if not id_length(number):
            return
        code = number[:6]
        region = resident_id.region(code)
        base = evidence(record, id_number=number, region_code=code)
        if region is None:
            yield self.finding(
                record.subject, "Unknown region code",
                f"The ID number {number} begins with the region code {code}, which "
                "python-stdnum's table of Chinese region codes does not know: no county, "
                "city or district had that code in the published code lists the table was "
                "built from.",
                base)
            return
        year = int(id_date_digits(number)[:4])
        if any(n.in_use(year) for n in region.names):
            return
        firsts = [n.first_year for n in region.names]
        lasts = [n.last_year for n in region.names]
        first = None if None in firsts else min(f for f in firsts if f is not None)
        last = None if None in lasts else max(t for t in lasts if t is not None)
        history = _names_with_years(region)
        details = base | {"birth_year": year, "region": [
            {"name": n.name, "first_year": n.first_year, "last_year": n.last_year}
            for n in region.names], "prefecture": region.prefecture,
            "province": region.province}
        if first is not None and year < first:
            if first <= max(year, FIRST_ISSUE_YEAR):
                return  # born before numbers existed; first registered after the code began
            late = ("" if year >= FIRST_ISSUE_YEAR else
                    f" Numbers were first issued in {FIRST_ISSUE_YEAR}, but this code only "
                    f"came into use in {first}.")
            yield self.finding(
                record.subject, "Region code not yet in use in the birth year",
                f"The ID number {number} has the region code {code}, {history}{_where(region)},"
                f" but states the birth year {year}, before the code came into use.{late} "
                "Numbers take the code in use when the person is first registered, so this "
                f"fits only someone first registered in {first} or later.",
                details, severity=Severity.NOTICE)
            return
        what = (f"after {last}, the last year the code was in use"
                if last is not None and year > last
                else "in a year the code was not in use")
        yield self.finding(
            record.subject, "Region code no longer in use in the birth year",
            f"The ID number {number} has the region code {code}, {history}{_where(region)}, "
            f"but states the birth year {year}, {what}. A person born then would have been "
            "registered under the code of the county that replaced it.",
            details)


_SUFFIXES = ("自治县", "自治州", "自治旗", "地区", "林区", "县", "市", "区", "州", "盟", "旗")
_ETHNIC = ("维吾尔", "哈萨克", "柯尔克孜", "蒙古", "回族", "锡伯", "塔吉克", "乌孜别克",
           "满族", "藏族", "彝族", "苗族", "壮族", "土家族", "朝鲜族", "侗族", "瑶族", "白族",
           "傣族", "黎族", "傈僳族", "佤族", "畲族", "拉祜族", "水族", "东乡族", "纳西族",
           "景颇族", "土族", "达斡尔族", "仫佬族", "羌族", "布朗族", "撒拉族", "毛南族",
           "仡佬族", "普米族", "阿昌族", "怒族", "鄂温克族", "京族", "基诺族", "德昂族",
           "保安族", "裕固族", "独龙族", "鄂伦春族", "赫哲族", "门巴族", "珞巴族", "布依族",
           "哈尼族", "各族")
_GENERIC = frozenset({"市辖区", "市区", "城区", "郊区", "矿区", "县", "区"})
_PLACE_WORD = re.compile(r"[县市区旗州盟]")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _generic(name: str) -> bool:
    """Placeholder names of the table ("市辖区", "自治区直辖县级行政单位"), no place at all."""
    return name in _GENERIC or "直辖" in name


def stems(name: str) -> list[str]:
    """The ways an address may write a place: its full name, without its administrative
    suffix (疏附县 → 疏附), and an autonomous one without its peoples' names
    (伊犁哈萨克自治州 → 伊犁). Stems shorter than two characters are left out."""
    if _generic(name):
        return []
    out = [name]
    stem = name
    for suffix in _SUFFIXES:
        if stem.endswith(suffix) and len(stem) > len(suffix):
            stem = stem[: -len(suffix)]
            break
    if "自治" in name:
        cuts = [i for i in (stem.find(e) for e in _ETHNIC) if i > 0]
        if cuts:
            stem = stem[: min(cuts)]
    if len(stem) >= 2 and stem not in out:
        out.append(stem)
    return out


@lru_cache(maxsize=4096)
def place_names(region: Region) -> tuple[str, ...]:
    """Every name and stem of the county and its prefecture (all their historical names);
    for the province-level cities (北京市 …) the city itself."""
    names = [n.name for n in region.names]
    parent = resident_id.region(region.code[:4] + "00") if region.prefecture else None
    if parent is not None:
        names += [n.name for n in parent.names]
    if region.province.endswith("市"):
        names.append(region.province)
    out: list[str] = []
    for name in names:
        out += [s for s in stems(name) if s not in out]
    return tuple(out)


class IdRegionAddress(RecordCheck):
    """Checks whether the stated address names the place the ID number's region code stands
    for.

    **Method.** The region code (first six digits) is looked up in python-stdnum's region
    table. Its county's names (every name the code has had), its prefecture's names, and their
    stems without the administrative suffix (疏附县 → 疏附, 伊犁哈萨克自治州 → 伊犁) are
    searched for in the address field. The check reports, with severity `notice`, an address
    that names a county-level place (it contains 县, 市, 区, 州, 旗 or 盟 once the province is
    left out) but none of those names. Addresses with no Chinese characters, or naming no
    county or city, are not compared.

    **What it can show.** A record whose ID number places first registration far from where
    the row says the person lives, as when a number from another prefecture is pasted into a
    row. Only a lead: look at the whole roster; one such row means little, many may mean the
    numbers and addresses were assembled separately.

    **What it cannot show.** People move, and rosters give current residence as often as
    household registration, while the ID number keeps the place of first registration for
    life; counties are split, merged and renamed. A mismatch is common in genuine records. The
    test is plain substring matching: an abbreviation (巴州 for 巴音郭楞蒙古自治州), a
    misspelling or a transliteration defeats it, and a name shared by two places satisfies it.

    **References.** GB 11643-1999 *Citizen identification number*; GB/T 2260 *Codes for the
    administrative divisions of the People's Republic of China*; python-stdnum `cn/loc.dat`.
    """

    code = "REC-ID-006"
    title = "Resident ID region not found in the stated address"
    version = "1"
    severity = Severity.NOTICE

    def run(self, record: Record, ctx: Context) -> Iterator[Finding]:
        number = id_number(record)
        address = str(record.fields.get("address") or "").strip()
        if not address or not id_length(number) or not _CJK.search(address):
            return
        region = resident_id.region(number[:6])
        if region is None:
            return  # REC-ID-005 reports it
        rest = address
        if not region.province.endswith("市"):  # a province's name is no county's
            rest = rest.replace(region.province, "").replace("自治区", "")
        if not _PLACE_WORD.search(rest):
            return  # the address names no county or city to compare
        names = place_names(region)
        if not names or any(n in address for n in names):
            return
        yield self.finding(
            record.subject, "Address does not name the ID number's region",
            f"The ID number {number} was first issued under region code {number[:6]}, "
            f"{region.current_name}{_where(region)}, but the stated address {address!r} "
            f"contains none of its names ({', '.join(names)}). People move and the number "
            "keeps the place of first registration, so this is common in genuine records.",
            evidence(record, id_number=number, region_code=number[:6], address=address,
                     names_searched=list(names)))
