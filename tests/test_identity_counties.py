"""County names across scripts: region codes and place names meet on one key."""

from __future__ import annotations

import pytest

from scrutiny.identity.counties import COUNTIES, county_of_code, county_of_place, latin_name


@pytest.mark.parametrize("spelling", ["Qaraqash", "Karakax", "Karakash county", "Moyu County",
                                      "قاراقاش", "墨玉县", "墨玉"])
def test_every_spelling_of_one_county_gives_its_key(spelling: str) -> None:
    assert county_of_place(spelling) == "墨玉县"


def test_codes_and_names_meet() -> None:
    assert county_of_code("653222") == county_of_place("Qaraqash") == "墨玉县"
    assert county_of_code("653121") == county_of_place("Konasheher") == "疏附县"
    assert county_of_code("653122") == county_of_place("Yéngisheher") == "疏勒县"


def test_city_and_county_of_one_name_stay_apart() -> None:
    assert county_of_place("Xoten") == county_of_place("Hotan") == "和田市"
    assert county_of_place("Xoten nahiyisi") == county_of_place("Hotan County") == "和田县"
    assert county_of_place("Ürümchi Yéngi Sheher") == "新市区"


def test_renamed_county_is_one_place() -> None:
    assert county_of_place("Kuqa") == county_of_place("库车县") == "库车市"


def test_unknown_places_keep_a_folded_spelling_and_empty_is_none() -> None:
    assert county_of_place("Somewhere Else") == county_of_place("somewhere else")
    assert county_of_place("  ") is None
    assert county_of_code("999999") is None


def test_table_names_are_unique_and_read_back() -> None:
    hans = [han for han, _, _ in COUNTIES]
    assert len(hans) == len(set(hans)) >= 90
    for han, uly, _ in COUNTIES:
        assert latin_name(han) == uly
        key = county_of_place(uly)
        assert key == ("库车市" if han == "库车县" else han), uly
