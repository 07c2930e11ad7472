"""Offline geography: county, prefecture and nearest town of a GPS point, with no network.

Expected places are real-world facts (checked against the shipped tables, not fitted to them):
the coordinates are city centres and the codes are GB/T 2260."""

from __future__ import annotations

import csv
import importlib.util
import json
import math
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from scrutiny.core import ScrutinyError
from scrutiny.places import geo
from scrutiny.places.geo import Place, county_of, distance_km, locate


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[object]]:
    attempts: list[object] = []

    def refuse(self: socket.socket, address: object) -> None:
        attempts.append(address)
        raise OSError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    yield attempts
    assert attempts == []


def here(lat: float, lon: float) -> Place:
    place = locate(lat, lon)
    assert place is not None, (lat, lon)
    return place


# ----------------------------------------------------------------------------- known places


def test_hotan_city() -> None:
    place = here(37.114, 79.922)
    assert (place.prefecture_code, place.prefecture) == ("653200", "和田地区")
    assert (place.county_code, place.county) == ("653201", "和田市")
    assert place.province == "新疆维吾尔自治区"
    assert place.county_seat_km < 15
    assert place.town and place.town.isascii() and place.town_km < 5


def test_urumqi() -> None:
    place = here(43.825, 87.617)
    assert (place.prefecture_code, place.prefecture) == ("650100", "乌鲁木齐市")
    assert place.county_code.startswith("6501") and place.county.endswith("区")
    assert place.county_seat_km < 15


def test_kashgar_city() -> None:
    place = here(39.47, 75.99)
    assert (place.prefecture_code, place.prefecture) == ("653100", "喀什地区")
    assert (place.county_code, place.county) == ("653101", "喀什市")
    assert place.county_seat_km < 15
    assert (place.town, round(place.town_km)) == ("Kashi", 0)
    assert county_of(39.47, 75.99) == "653101"


def test_yining() -> None:
    place = here(43.91, 81.32)
    assert (place.prefecture_code, place.prefecture) == ("654000", "伊犁哈萨克自治州")
    assert place.county_code.startswith("6540") and place.county == "伊宁市"


def test_beijing_gives_a_district_and_the_municipality_as_prefecture() -> None:
    place = here(39.9042, 116.4074)  # east of Tiananmen Square
    assert (place.county_code, place.county) == ("110101", "东城区")
    assert (place.prefecture_code, place.prefecture, place.province) == \
        ("110100", "北京市", "北京市")


def test_prefecture_level_city_without_counties_is_its_own_county() -> None:
    place = here(23.02, 113.75)  # Dongguan
    assert (place.county_code, place.county, place.prefecture) == ("441900", "东莞市", "东莞市")


def test_every_xinjiang_seat_locates_to_itself() -> None:
    spec = importlib.util.find_spec("cpca")
    assert spec is not None and spec.submodule_search_locations
    path = Path(next(iter(spec.submodule_search_locations)), "resources", "adcodes.csv")
    with path.open(encoding="utf-8", newline="") as handle:
        seats = [row for row in csv.DictReader(handle) if row["adcode"].startswith("65")
                 and not row["adcode"][:6].endswith("00") and row["latitude"]]
    assert len(seats) == 101
    for row in seats:
        place = here(float(row["latitude"]), float(row["longitude"]))
        assert (place.county_code, place.county) == (row["adcode"][:6], row["name"])
        assert place.county_seat_km < 0.01


def test_empty_interior_of_china_is_still_china() -> None:
    place = here(38.9, 83.0)  # the middle of the Taklamakan, 200 km from any county seat
    assert place.province == "新疆维吾尔自治区" and place.county_seat_km > 150


# ------------------------------------------------------------------------------ not China


@pytest.mark.parametrize(("lat", "lon"), [
    (0.0, -150.0),      # the Pacific
    (30.0, 125.0),      # the East China Sea, 220 km out
    (43.25, 76.9),      # Almaty, inside China's bounding box
    (27.7, 85.3),       # Kathmandu, 80 km from a Chinese county seat
    (47.9, 106.9),      # Ulaanbaatar
    (-33.87, 151.21),   # Sydney
])
def test_points_outside_china_give_none(lat: float, lon: float) -> None:
    assert locate(lat, lon) is None and county_of(lat, lon) is None


@pytest.mark.parametrize(("lat", "lon"), [
    (math.nan, 80.0), (40.0, math.nan), (math.inf, 80.0), (91.0, 80.0), (-91.0, 80.0),
    (40.0, 200.0), (40.0, -181.0),
])
def test_invalid_points_give_none(lat: float, lon: float) -> None:
    assert locate(lat, lon) is None


# ------------------------------------------------------------------------------ distances


def test_distance_km() -> None:
    urumqi_kashgar = distance_km(43.825, 87.617, 39.47, 75.99)
    # The ellipsoidal (WGS84, Vincenty) distance is 1,081.3 km; a sphere is within 0.5 %.
    assert abs(urumqi_kashgar - 1081.3) < 0.005 * 1081.3
    assert urumqi_kashgar == pytest.approx(distance_km(39.47, 75.99, 43.825, 87.617))
    assert distance_km(37.1, 79.9, 37.1, 79.9) == 0.0
    assert distance_km(0, 0, 0, 180) == pytest.approx(math.pi * geo.EARTH_RADIUS_KM)
    assert distance_km(0, 0, 1, 0) == pytest.approx(111.195, abs=0.001)


def test_to_json() -> None:
    data = here(37.114, 79.922).to_json()
    assert set(data) == {"county_code", "county", "prefecture_code", "prefecture", "province",
                         "county_seat_km", "town", "town_km"}
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data


# --------------------------------------------------------------------- offline, no imports


def test_the_packages_code_is_never_imported() -> None:
    here(37.114, 79.922)
    assert "cpca" not in sys.modules and "reverse_geocoder" not in sys.modules


@pytest.fixture
def fresh_tables() -> Iterator[None]:
    geo._seats.cache_clear()
    geo._towns.cache_clear()
    yield
    geo._seats.cache_clear()
    geo._towns.cache_clear()


@pytest.mark.parametrize("package", ["cpca", "reverse_geocoder"])
def test_a_missing_package_is_named(package: str, monkeypatch: pytest.MonkeyPatch,
                                    fresh_tables: None) -> None:
    find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *args: None if name == package else find_spec(name, *args))
    with pytest.raises(ScrutinyError, match=f"pip install {package}"):
        locate(37.114, 79.922)
