"""Linkage features: one person (a leak record or a reference entry) → one flat row.

The Splink model compares rows of plain columns; this module turns a person as the catalog
holds it (a mapping with ``id``, ``name``, ``id_number``, ``sex``, ``birth_date`` and a
``fields`` JSON object or dict) into such a row. It is pure (no I/O), deterministic, and fast
on rosters where names repeat: every name piece goes through ``lru_cache``d functions of
:mod:`scrutiny.identity.names`, so a repeated name costs a few dictionary look-ups
(≈ 10–20 µs a row).

Columns (:data:`COLUMNS` gives their order and DuckDB types):

``unique_id``
    the record's or entry's catalog id (integer).
``name``
    the name as written (the Latin one for a reference entry that has both), for display.
``name_uly``
    the best Latin reading of the name, each component :func:`~scrutiny.identity.names.fold`\\ ed,
    space-joined in written order: 买买提·吐尔逊 → ``muamat tursun``; Memet Tursun → the same.
    Characters are read with the component tables of the official transcription practice
    (Han names by their pinyin), Arabic and Cyrillic script converted to ULY first.
``name_key``
    order-independent: the same folded components sorted and joined with ``|``
    (``muamat|tursun``), so Tursun Memet and Memet Tursun agree.
``name_keys``
    the whole-name blocking keys of :func:`~scrutiny.identity.names.match_keys` (``n:`` sorted
    folded readings, ``k:`` consonant skeletons; two readings per component in characters,
    neighbouring Latin components joined), of every name the person has (the name and its
    alternative). Single-component keys (``c:``, ``s:``) are left out: one shared component
    (Memet) is far too common to block on at a million records. ``None`` when empty.
``given`` / ``family``
    folded given name and father's name (Uyghur order) or surname (Han order); ``None`` when
    the order is unknown (Latin names from English-language sources: either order occurs).
``name_uly_alt`` / ``name_key_alt``
    the same readings of an alternative spelling (a reference entry often carries the Uyghur
    Arabic-script name beside an English-style one; it reads closer to the roster's
    characters); ``None`` when there is none.
``id_number``
    18 characters (digits and X), upper-cased, else ``None`` (15-digit and garbled numbers
    are not compared as numbers).
``id_prefix6``
    the 6-digit region code at the start of an 18-character number (whether valid or not).
``birth_date``
    the stated birth date, ISO ``YYYY-MM-DD``, else ``None``.
``birth_year``
    from the stated date, else a year-only field (``birth_year``, or a 4-digit ``birth``),
    else the ID number's date.
``id_birth_date``
    the birth date the ID number states (ISO), when it is a real date.
``sex``
    ``M`` / ``F`` (male, 男, erkek … accepted), else ``None``.
``county``
    one key for the county whatever the script (``identity.counties``): the county of a
    *valid* ID number's region code, else of the county or hometown name (``fields.county``
    / ``hometown`` / ``place_of_origin``: Qaraqash, Karakax, قاراقاش and 墨玉县 all give
    墨玉县). Limit: a place the county table does not know keeps its folded spelling, which
    matches only the same spelling; the ID's region is where the person was registered at
    birth, which a testimony's "hometown" usually but not always is.
``facility``
    folded facility name (letters and characters only, case-folded), else ``None``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from scrutiny.identity import resident_id
from scrutiny.identity.counties import county_of_code, county_of_place
from scrutiny.identity.names import (
    NameStyle,
    Script,
    detect_script,
    fold,
    han_pinyin,
    hanzi_part_candidates,
    match_keys,
    split_name,
    to_uly,
)

__all__ = ["COLUMNS", "NAME_ALT_FIELDS", "FeatureRow", "feature_columns", "features",
           "name_features"]

FeatureRow = dict[str, Any]

#: column → DuckDB type, in table order
COLUMNS: dict[str, str] = {
    "unique_id": "BIGINT",
    "name": "VARCHAR",
    "name_uly": "VARCHAR",
    "name_key": "VARCHAR",
    "name_keys": "VARCHAR[]",
    "given": "VARCHAR",
    "family": "VARCHAR",
    "name_uly_alt": "VARCHAR",
    "name_key_alt": "VARCHAR",
    "id_number": "VARCHAR",
    "id_prefix6": "VARCHAR",
    "birth_date": "VARCHAR",
    "birth_year": "INTEGER",
    "id_birth_date": "VARCHAR",
    "sex": "VARCHAR",
    "county": "VARCHAR",
    "facility": "VARCHAR",
}

#: fields (of ``fields``) that may hold another spelling of the name
NAME_ALT_FIELDS = ("name_alt", "name_ug", "name_arabic", "alt_name", "other_name")
_COUNTY_FIELDS = ("county", "hometown", "place_of_origin", "birthplace", "region")
_FACILITY_FIELDS = ("facility", "camp", "place_held", "detention_place")
_ID18 = re.compile(r"[0-9]{17}[0-9X]")
_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)")
_SEX = {"m": "M", "male": "M", "man": "M", "男": "M", "erkek": "M", "er": "M",
        "f": "F", "female": "F", "woman": "F", "女": "F", "ayal": "F", "qiz": "F"}
_NOT_NAME = re.compile(r"[^\w]+")
_NAME_KEY_PREFIXES = ("n:", "k:")


@lru_cache(maxsize=1 << 16)
def _reading(part: str, style: NameStyle, first: bool) -> str:
    """Best Latin reading of one name component, folded."""
    script = detect_script(part)
    if script is Script.HAN:
        if style is NameStyle.HAN:
            return fold(han_pinyin(part, surname=first))
        cands = hanzi_part_candidates(part, 1)
        return fold(cands[0]) if cands else fold(han_pinyin(part))
    if script in (Script.UYGHUR_ARABIC, Script.CYRILLIC, Script.MIXED):
        return fold(to_uly(part))
    return fold(part)


@lru_cache(maxsize=1 << 17)
def name_features(name: str) -> tuple[str | None, str | None, str | None, str | None,
                                      frozenset[str]]:
    """(name_uly, name_key, given, family, whole-name keys) of one name; cached."""
    text = unicodedata.normalize("NFC", name).strip()
    if not text:
        return None, None, None, None, frozenset()
    np = split_name(text)
    folded = [r for i, p in enumerate(np.parts) if (r := _reading(p, np.style, i == 0))]
    if not folded:
        return None, None, None, None, frozenset()
    given = family = None
    if np.style is NameStyle.UYGHUR:
        given, family = folded[0], (folded[1] if len(folded) > 1 else None)
    elif np.style is NameStyle.HAN and len(folded) > 1:
        family, given = folded[0], " ".join(folded[1:])
    keys = frozenset(k for k in match_keys(text) if k.startswith(_NAME_KEY_PREFIXES))
    return " ".join(folded), "|".join(sorted(folded)), given, family, keys


def _fields(person: Mapping[str, Any]) -> Mapping[str, Any]:
    raw = person.get("fields")
    if isinstance(raw, Mapping):
        return raw
    if isinstance(raw, str) and raw:
        try:
            data = json.loads(raw)
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}
    return {}


def _text(value: Any) -> str | None:
    if value is None:
        return None
    s = str(value).strip()
    return s or None


@lru_cache(maxsize=1 << 12)
def _iso_date(value: str) -> str | None:
    m = _DATE.fullmatch(value.strip()[:10]) if value else None
    if not m:
        return None
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3])).isoformat()
    except ValueError:
        return None


def _year(value: Any) -> int | None:
    if isinstance(value, int) and 1800 <= value <= 2100:
        return value
    s = _text(value)
    if s is None:
        return None
    m = _YEAR.search(s)
    return int(m[1]) if m else None


@lru_cache(maxsize=1 << 14)
def _id_facts(number: str) -> tuple[str | None, str | None, str | None, bool]:
    """(id_number, prefix6, id birth date, valid) of an ID number as written."""
    n = re.sub(r"[\s-]", "", number).upper()
    if not _ID18.fullmatch(n):
        return None, None, None, False
    valid, born = resident_id.facts(n)
    return n, n[:6], born.isoformat() if born else None, valid


@lru_cache(maxsize=1 << 12)
def _place(value: str) -> str | None:
    """Folded place or facility name: letters of every script, case-folded, no spaces."""
    s = _NOT_NAME.sub("", unicodedata.normalize("NFKC", value).casefold())
    s = s.replace("_", "")
    if not s:
        return None
    if detect_script(value) in (Script.UYGHUR_ARABIC, Script.CYRILLIC):
        s = _NOT_NAME.sub("", to_uly(value).casefold())
    if s.isascii() or detect_script(value) is Script.LATIN:
        return fold(s) or s
    return s


def _sex(value: Any) -> str | None:
    s = _text(value)
    return _SEX.get(s.casefold()) if s else None


def features(person: Mapping[str, Any]) -> FeatureRow:
    """The feature row of one person (see the module docstring for every column).

    ``person`` is a catalog row as a mapping: ``id``, ``name``, ``id_number``, ``sex``,
    ``birth_date`` and ``fields`` (JSON text or a mapping; ``name_alt`` / ``name_ug`` …,
    ``birth_year`` / ``birth``, ``county`` / ``hometown``, ``facility`` are read from it).
    """
    f = _fields(person)
    name = _text(person.get("name")) or _text(f.get("name"))
    alt = next((a for k in NAME_ALT_FIELDS if (a := _text(f.get(k))) and a != name), None)
    if name is None and alt is not None:
        name, alt = alt, None
    uly, key, given, family, keys = name_features(name) if name else (None,) * 4 + (
        frozenset(),)
    uly_alt = key_alt = None
    if alt is not None:
        uly_alt, key_alt, g2, f2, keys2 = name_features(alt)
        keys = keys | keys2
        given = given or g2
        family = family or f2
        if uly is None:
            uly, key, uly_alt, key_alt = uly_alt, key_alt, None, None
    id_number = prefix6 = id_birth = None
    valid = False
    raw_id = _text(person.get("id_number")) or _text(f.get("id_number"))
    if raw_id:
        id_number, prefix6, id_birth, valid = _id_facts(raw_id)
    birth = _text(person.get("birth_date")) or _text(f.get("birth_date"))
    birth_date = _iso_date(birth) if birth else None
    birth_year = int(birth_date[:4]) if birth_date else None
    if birth_year is None:
        birth_year = (_year(f.get("birth_year")) or _year(f.get("birth"))
                      or (_year(birth) if birth and len(birth.strip()) == 4 else None))
    if birth_year is None and id_birth:
        birth_year = int(id_birth[:4])
    county = (county_of_code(prefix6) or prefix6) if valid and prefix6 else None
    if county is None:
        place = next((p for k in _COUNTY_FIELDS if (p := _text(f.get(k)))), None)
        county = county_of_place(place) if place else None
    fac = next((p for k in _FACILITY_FIELDS if (p := _text(f.get(k)))), None)
    return {
        "unique_id": int(person["id"]),
        "name": name,
        "name_uly": uly,
        "name_key": key,
        "name_keys": sorted(keys) or None,
        "given": given,
        "family": family,
        "name_uly_alt": uly_alt,
        "name_key_alt": key_alt,
        "id_number": id_number,
        "id_prefix6": prefix6,
        "birth_date": birth_date,
        "birth_year": birth_year,
        "id_birth_date": id_birth,
        "sex": _sex(person.get("sex")) or _sex(f.get("sex")),
        "county": county,
        "facility": _place(fac) if fac else None,
    }


def feature_columns(people: Sequence[Mapping[str, Any]]) -> dict[str, list[Any]]:
    """The feature rows of ``people`` as column lists in :data:`COLUMNS` order: what a
    feature worker process returns (plain values; this module imports no database)."""
    built = [features(p) for p in people]
    return {c: [r[c] for r in built] for c in COLUMNS}
