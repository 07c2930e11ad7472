"""Place checks: where photos were taken and the places records name, against the case's
facility registers (``scrutiny places add``) and offline geography (``places.geo``).

They run over the whole case (corpus checks) and need a register; without one they say so
once (an ``info`` finding), so the absence is visible. Settings: ``place_near_km`` (5),
``travel_kmh`` (200), ``travel_min_km`` (50)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any, ClassVar

from scrutiny.checks.base import Context, CorpusCheck
from scrutiny.checks.image.cameras import photos
from scrutiny.core import Finding, Severity
from scrutiny.identity import resident_id
from scrutiny.places import geo
from scrutiny.places.names import facility_key, same_facility
from scrutiny.places.register import Facility, facilities

__all__ = ["PLACE_CHECKS", "Shot", "photo_positions"]

NO_REGISTER = ("no facility register was imported ('scrutiny places add'), so photo "
               "positions and roster facility names could not be compared with one")


@dataclass
class Shot:
    sha256: str
    name: str
    lat: float
    lon: float
    taken: dt.datetime | None
    camera: str | None


def _number(settings: Any, name: str, default: float) -> float:
    try:
        return float(settings.get(name, default))
    except (TypeError, ValueError):
        return default


def photo_positions(db: Any) -> list[Shot]:
    """The leak's photos that state a GPS position, with capture time and camera (the
    report's map draws the same positions)."""
    pos: dict[str, dict[str, float]] = {}
    for sha, key, value in db.execute("SELECT sha256, key, value FROM metadata WHERE key IN "
                                      "('GPS:Latitude', 'GPS:Longitude') ORDER BY rowid"):
        try:
            pos.setdefault(sha, {}).setdefault(key, float(json.loads(value)))
        except (TypeError, ValueError):
            continue
    out = []
    for p in photos(db):
        xy = pos.get(p.sha256, {})
        lat, lon = xy.get("GPS:Latitude"), xy.get("GPS:Longitude")
        if lat is None or lon is None or not (abs(lat) <= 90 and abs(lon) <= 180):
            continue
        if lat == 0 and lon == 0:  # an unset receiver writes 0, 0
            continue
        name = (p.paths[0] if p.paths else p.sha256).replace("\\", "/").rsplit("/", 1)[-1]
        camera = p.serial or p.model_name
        out.append(Shot(p.sha256, name, lat, lon, p.taken, camera))
    return out


def _nearest(shot: Shot, register: Sequence[Facility]) -> tuple[Facility, float] | None:
    best: tuple[Facility, float] | None = None
    for f in register:
        if f.lat is None or f.lon is None:
            continue
        d = geo.distance_km(shot.lat, shot.lon, f.lat, f.lon)
        if best is None or d < best[1]:
            best = (f, d)
    return best


def _no_register(check: CorpusCheck) -> Finding:
    return check.finding("corpus:places", "No facility register", NO_REGISTER + ".",
                         {"register": None}, Severity.INFO)


class FarFromFacility(CorpusCheck):
    """A photo's GPS position is far from every facility of the register.

    **Method.** For every photo of the leak whose EXIF states a GPS position, the distance
    (great circle) to the nearest facility of the case's registers; a photo farther than
    ``place_near_km`` (5 km) from all of them is reported with the nearest one, the
    distance, and the county and nearest town of the position (offline geography).

    **Shows.** A photo said to be of detainees taken where no known facility is: a register
    that lacks a facility, a photo from elsewhere, or an edited position. **Cannot show.**
    Which: the register may be incomplete; consumer GPS positions can be off by tens of
    metres (kilometres when a phone had no fix); a photo without GPS is not checked."""

    code = "PLACE-GPS-001"
    title = "Photo taken far from every registered facility"
    severity: ClassVar[Severity] = Severity.WARNING

    def run(self, ctx: Context) -> Iterator[Finding]:
        register = facilities(ctx.db)
        if not register:
            yield _no_register(self)
            return
        near = _number(ctx.settings, "place_near_km", 5.0)
        for shot in photo_positions(ctx.db):
            found = _nearest(shot, register)
            if found is None or found[1] <= near:
                continue
            f, km = found
            place = geo.locate(shot.lat, shot.lon)
            where = (f" It lies in {place.county} ({place.prefecture}), "
                     f"{place.town_km:.0f} km from {place.town}." if place else "")
            yield self.finding(
                shot.sha256, self.title,
                f"{shot.name} was taken at {shot.lat:.5f}, {shot.lon:.5f} (GPS), "
                f"{km:.1f} km from the nearest registered facility, {f.name}; the limit is "
                f"{near:g} km.{where}",
                {"file": shot.name, "lat": shot.lat, "lon": shot.lon,
                 "nearest_facility": f.name, "facility_id": f.id, "km": round(km, 2),
                 "limit_km": near, "county": place.county if place else None})


class CountyOfPosition(CorpusCheck):
    """A photo's GPS county differs from the county of the person its file name names.

    **Method.** A photo named by a resident ID number (``extract``'s file-name records)
    belongs to that person; the ID's region code gives their registered county. The photo's
    GPS position gives a county by offline geography (the nearest county seat: county
    borders are approximated, so a position within a few km of a border may be given the
    neighbour). Different prefectures are a ``notice``, different counties of one
    prefecture an ``info``.

    **Shows.** People photographed away from their registered home, which transfers between
    facilities explain as often as errors do. **Cannot show.** Where the person lived: the
    ID's region is where they were registered at birth."""

    code = "PLACE-GPS-002"
    title = "Photo's GPS county differs from the person's registered county"
    severity: ClassVar[Severity] = Severity.NOTICE

    def run(self, ctx: Context) -> Iterator[Finding]:
        shots = {s.sha256: s for s in photo_positions(ctx.db)}
        if not shots:
            return
        for sha, number in ctx.db.execute("SELECT sha256, id_number FROM records WHERE "
                                          "source = 'filename' AND id_number IS NOT NULL"):
            shot = shots.get(sha)
            if shot is None or len(number) != 18 or resident_id.region(number[:6]) is None:
                continue
            place = geo.locate(shot.lat, shot.lon)
            if place is None or place.county_code == number[:6]:
                continue
            home = resident_id.region(number[:6])
            home_name = home.current_name if home is not None else number[:6]
            same_pref = place.prefecture_code[:4] == number[:4]
            yield self.finding(
                sha, self.title,
                f"{shot.name} names a person registered in {home_name} ({number[:6]}); its "
                f"GPS position lies in {place.county} ({place.county_code}, "
                f"{place.prefecture}), {place.county_seat_km:.0f} km from that county's "
                "seat" + (", in the same prefecture." if same_pref else
                          ", in another prefecture."),
                {"file": shot.name, "registered_county": number[:6],
                 "gps_county": place.county_code, "lat": shot.lat, "lon": shot.lon,
                 "county_seat_km": round(place.county_seat_km, 1)},
                Severity.INFO if same_pref else Severity.NOTICE)


def _day(value: str | None) -> str | None:
    return value if value else None


class OutsideSeenDates(CorpusCheck):
    """A photo is dated before its facility was first seen, or after it was last seen.

    **Method.** A photo's facility is the registered facility within ``place_near_km`` of its
    GPS position, else the one its folder is named after (names are compared across scripts:
    county, kind and number). Its capture time (EXIF) is compared with the facility's first-
    and last-seen dates at the precision the register gives (a year, a month or a day).

    **Shows.** A photo of a place before it was built, or after it was razed: a wrong camera
    clock, a wrong register, or a photo that is not what it claims. **Cannot show.** Dates
    from imagery bound what satellites saw, not when a building came into use."""

    code = "PLACE-DATE-001"
    title = "Photo dated outside its facility's seen dates"
    severity: ClassVar[Severity] = Severity.WARNING

    def run(self, ctx: Context) -> Iterator[Finding]:
        register = [f for f in facilities(ctx.db) if f.first_seen or f.last_seen]
        if not register:
            return
        near = _number(ctx.settings, "place_near_km", 5.0)
        by_gps = {s.sha256: s for s in photo_positions(ctx.db)}
        for p in photos(ctx.db):
            taken = p.taken
            if taken is None:
                continue
            f = None
            shot = by_gps.get(p.sha256)
            if shot is not None:
                found = _nearest(shot, register)
                f = found[0] if found and found[1] <= near else None
            if f is None:
                folders = [part for path in p.paths
                           for part in path.replace("\\", "/").split("/")[:-1]]
                f = next((r for r in register for folder in reversed(folders)
                          if facility_key(folder).usable and any(
                              same_facility(folder, n) for n in r.names)), None)
            if f is None:
                continue
            day = taken.date().isoformat()
            name = (p.paths[0] if p.paths else p.sha256).replace("\\", "/").rsplit("/", 1)[-1]
            first, last = _day(f.first_seen), _day(f.last_seen)
            if first and day[:len(first)] < first:
                why = f"before {f.name} was first seen ({first})"
            elif last and day[:len(last)] > last:
                why = f"after {f.name} was last seen ({last})"
            else:
                continue
            yield self.finding(
                p.sha256, self.title,
                f"{name} was taken on {day} (EXIF), {why} according to the register"
                + (f" ({f.source})" if f.source else "") + ".",
                {"file": name, "taken": taken.isoformat(), "facility": f.name,
                 "facility_id": f.id, "first_seen": first, "last_seen": last})


class RosterFacilityNotRegistered(CorpusCheck):
    """A facility the rosters name is not in the register, in any script.

    **Method.** Every distinct facility name of the leak's records is read as (county,
    kind, number) — 墨玉县第四教培中心, "Qaraqash Education and Training Centre No. 4" and
    "Qaraqash 4-terbiyilesh merkizi" read alike — and looked up among the names and aliases
    of the registered facilities; a name with no counterpart is reported with how many
    records name it.

    **Shows.** Places the register should cover (or names invented for the leak).
    **Cannot show.** Names whose county or kind cannot be read are compared as written."""

    code = "PLACE-NAME-001"
    title = "Roster facility not found in the register"
    severity: ClassVar[Severity] = Severity.NOTICE

    def run(self, ctx: Context) -> Iterator[Finding]:
        register = facilities(ctx.db)
        if not register:
            return
        names = [n for f in register for n in f.names]
        plain = {" ".join(n.split()).casefold() for n in names}
        for name, count in ctx.db.execute(
                "SELECT json_extract(fields, '$.facility') AS f, count(*) FROM records "
                "WHERE source = 'table' AND f IS NOT NULL GROUP BY f ORDER BY f"):
            text = str(name)
            if " ".join(text.split()).casefold() in plain:
                continue
            if facility_key(text).usable and any(same_facility(text, n) for n in names):
                continue
            key = facility_key(text)
            yield self.finding(
                f"facility:{text}", self.title,
                f"{count:,} records name the facility {text}, which no registered facility "
                "matches in any script"
                + (f" (read as: county {key.county}, {key.kind}"
                   + (f" no. {key.number}" if key.number else "") + ")" if key.usable else
                   " (its county or kind could not be read, so only the exact name was "
                   "looked up)") + ".",
                {"facility": text, "records": count, "county": key.county, "kind": key.kind,
                 "number": key.number})


class ImpossibleTravel(CorpusCheck):
    """One camera at two places too far apart for the time between its photos.

    **Method.** A camera's photos with GPS positions, in the order of its own clock (so a
    wrong clock setting cancels out); for each pair of consecutive photos, the distance and
    the time between them. Farther than ``travel_min_km`` (50 km) at a speed above
    ``travel_kmh`` (200 km/h, more than roads in the region allow) is reported.

    **Shows.** Two cameras sharing a serial number, copied positions or a forged photo.
    **Cannot show.** Which photo of the pair is wrong; a flight can explain a pair far
    apart by hours."""

    code = "PLACE-TRAVEL-001"
    title = "One camera at two places too far apart for the time between"
    severity: ClassVar[Severity] = Severity.WARNING

    def run(self, ctx: Context) -> Iterator[Finding]:
        limit = _number(ctx.settings, "travel_kmh", 200.0)
        min_km = _number(ctx.settings, "travel_min_km", 50.0)
        by_camera: dict[str, list[Shot]] = {}
        for s in photo_positions(ctx.db):
            if s.camera and s.taken is not None:
                by_camera.setdefault(s.camera, []).append(s)
        for camera, shots in sorted(by_camera.items()):
            shots.sort(key=lambda s: s.taken or dt.datetime.min)
            for a, b in pairwise(shots):
                assert a.taken is not None and b.taken is not None
                km = geo.distance_km(a.lat, a.lon, b.lat, b.lon)
                hours = (b.taken - a.taken).total_seconds() / 3600
                if km < min_km:
                    continue
                speed = km / hours if hours > 0 else float("inf")
                if speed <= limit:
                    continue
                gap = (f"{hours * 60:.0f} minutes" if hours < 2 else f"{hours:.1f} hours")
                yield self.finding(
                    b.sha256, self.title,
                    f"Camera {camera} took {a.name} and then {b.name} {gap} later, "
                    f"{km:.0f} km apart (GPS): {speed:,.0f} km/h, above {limit:g} km/h.",
                    {"camera": camera, "before": a.name, "before_sha256": a.sha256,
                     "after": b.name, "km": round(km, 1), "minutes": round(hours * 60, 1),
                     "kmh": round(speed) if speed != float("inf") else None})


PLACE_CHECKS: tuple[type[CorpusCheck], ...] = (
    FarFromFacility, CountyOfPosition, OutsideSeenDates, RosterFacilityNotRegistered,
    ImpossibleTravel)
