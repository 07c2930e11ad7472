"""Facility registers: the places a leak names, as researchers have mapped them.

A register is a CSV or GeoJSON file: one facility per row or feature, with its name, aliases
in Chinese, Uyghur and English, a point or a polygon, the county code, its kind, the dates
it was first and last seen in satellite imagery, and the source. ``scrutiny places add``
imports one as a new *version* (by name, default the file's stem); nothing already imported
is altered (the catalog's triggers refuse it), and the file itself is stored in the evidence
store with custody (never read as leak material).

Columns and properties (case and spaces ignored; the first that is present counts):

- name: ``name``, ``名称``, ``name_zh``, ``name_en``; aliases: ``aliases`` (separated by
  ``;`` or ``|``), ``name_zh``, ``name_ug``, ``name_uyghur``, ``name_en`` (every name that is
  not the main one);
- point: ``lat``/``latitude``/``纬度`` and ``lon``/``lng``/``longitude``/``经度`` (CSV), or
  the feature's geometry (GeoJSON Point, Polygon, MultiPolygon; a polygon's point is the mean
  of its outer ring's vertices, the polygon itself is kept);
- ``county_code`` / ``county`` (6 digits), ``kind``, ``first_seen``, ``last_seen``
  (YYYY, YYYY-MM or YYYY-MM-DD), ``source``, ``id``; everything else is kept in ``fields``.

A row without a name, with coordinates outside ±90/±180, with a malformed date or with first
seen after last seen is rejected with its row number and the reason; the rest is imported.
A file larger than :data:`MAX_BYTES` or with more than :data:`MAX_FACILITIES` facilities, or
that is neither, is refused whole.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scrutiny.case import Case
from scrutiny.core import ScrutinyError, utc_now
from scrutiny.ledger.model import parse_partial_date

__all__ = ["MAX_BYTES", "MAX_FACILITIES", "Facility", "RegisterSummary", "add_register",
           "facilities", "parse_register"]

MAX_BYTES = 200 * 1024 * 1024
MAX_FACILITIES = 200_000
MAX_VERTICES = 100_000
_NAME = ("name", "名称", "name_zh", "name_en")
_ALIAS = ("name_zh", "name_ug", "name_uyghur", "name_en", "name_ru")
_LAT = ("lat", "latitude", "纬度")
_LON = ("lon", "lng", "long", "longitude", "经度")
_KNOWN = {*_NAME, *_ALIAS, *_LAT, *_LON, "aliases", "county_code", "county", "kind",
          "first_seen", "last_seen", "source", "id"}


@dataclass(frozen=True)
class Facility:
    """A facility of a register (one version)."""

    id: int | None
    key: str | None
    name: str
    aliases: tuple[str, ...]
    lat: float | None
    lon: float | None
    geometry: dict[str, Any] | None
    county_code: str | None
    kind: str | None
    first_seen: str | None
    last_seen: str | None
    source: str | None
    location: str
    fields: dict[str, Any] = field(default_factory=dict)

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    def to_json(self) -> dict[str, Any]:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.__dict__.items()}


@dataclass
class RegisterSummary:
    name: str
    version: int = 0
    register_id: int = 0
    sha256: str = ""
    format: str = ""
    facilities: int = 0
    rejected: list[tuple[str, str]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "version": self.version, "register_id": self.register_id,
                "sha256": self.sha256, "format": self.format, "facilities": self.facilities,
                "rejected": [{"where": w, "why": y} for w, y in self.rejected]}


def _norm(key: Any) -> str:
    return str(key or "").strip().lower().replace(" ", "_").replace("-", "_")


def _first(props: Mapping[str, Any], keys: tuple[str, ...]) -> str | None:
    for k in keys:
        v = props.get(k)
        if v is not None and str(v).strip():
            return str(v).strip()
    return None


def _coord(value: Any, limit: float, what: str) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{what} {value!r} is not a number") from None
    if not math.isfinite(x) or abs(x) > limit:
        raise ValueError(f"{what} {value!r} is outside ±{limit:g}")
    return x


def _point_of(geometry: Mapping[str, Any]) -> tuple[float, float]:
    """(lat, lon) of a GeoJSON Point, or the mean of a (Multi)Polygon's outer ring(s)."""
    kind, coords = geometry.get("type"), geometry.get("coordinates")
    if kind == "Point" and isinstance(coords, list) and len(coords) >= 2:
        return _coord(coords[1], 90, "latitude"), _coord(coords[0], 180, "longitude")
    rings: list[Any] = []
    if kind == "Polygon" and isinstance(coords, list) and coords:
        rings = [coords[0]]
    elif kind == "MultiPolygon" and isinstance(coords, list):
        rings = [p[0] for p in coords if isinstance(p, list) and p]
    vertices = [v for ring in rings if isinstance(ring, list) for v in ring]
    if not vertices:
        raise ValueError(f"geometry {kind!r} is not a Point, Polygon or MultiPolygon")
    if len(vertices) > MAX_VERTICES:
        raise ValueError(f"the polygon has more than {MAX_VERTICES:,} vertices")
    lats = [_coord(v[1], 90, "latitude") for v in vertices]
    lons = [_coord(v[0], 180, "longitude") for v in vertices]
    return sum(lats) / len(lats), sum(lons) / len(lons)


def _facility(props: Mapping[str, Any], location: str,
              geometry: Mapping[str, Any] | None) -> Facility:
    p = {_norm(k): v for k, v in props.items()}
    name = _first(p, _NAME)
    if name is None:
        raise ValueError("no name")
    aliases = [a.strip() for a in str(p.get("aliases") or "").replace("|", ";").split(";")]
    aliases += [v for k in _ALIAS if (v := _first(p, (k,)))]
    unique: list[str] = []
    for a in aliases:
        if a and a != name and a not in unique:
            unique.append(a)
    lat = lon = None
    if geometry:
        lat, lon = _point_of(geometry)
    else:
        la, lo = _first(p, _LAT), _first(p, _LON)
        if (la is None) != (lo is None):
            raise ValueError("a latitude without a longitude, or the reverse")
        if la is not None and lo is not None:
            lat, lon = _coord(la, 90, "latitude"), _coord(lo, 180, "longitude")
    county = _first(p, ("county_code", "county"))
    if county is not None and not (len(county) == 6 and county.isdigit()):
        raise ValueError(f"county code {county!r} is not 6 digits")
    first, last = (parse_partial_date(_first(p, (k,))) for k in ("first_seen", "last_seen"))
    if first and last and last[:len(first)] < first[:len(last)]:
        raise ValueError(f"last seen ({last}) before first seen ({first})")
    return Facility(None, _first(p, ("id",)), name, tuple(unique), lat, lon,
                    dict(geometry) if geometry and geometry.get("type") != "Point" else None,
                    county, _first(p, ("kind",)), first, last, _first(p, ("source",)),
                    location, {k: v for k, v in p.items() if k not in _KNOWN})


def parse_register(data: bytes, file_name: str,
                   ) -> tuple[str, list[Facility], list[tuple[str, str]]]:
    """(format, facilities, rejected (where, why)) of a register file's bytes."""
    if len(data) > MAX_BYTES:
        raise ScrutinyError(f"{file_name} is larger than {MAX_BYTES:,} bytes")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ScrutinyError(f"{file_name} is not UTF-8 text (CSV or GeoJSON)") from None
    out: list[Facility] = []
    rejected: list[tuple[str, str]] = []

    def take(items: Iterator[tuple[str, Mapping[str, Any], Mapping[str, Any] | None]]) -> None:
        for where, props, geometry in items:
            if len(out) >= MAX_FACILITIES:
                raise ScrutinyError(f"{file_name} holds more than {MAX_FACILITIES:,} "
                                    "facilities")
            try:
                out.append(_facility(props, where, geometry))
            except ValueError as exc:
                rejected.append((where, str(exc)))

    stripped = text.lstrip()
    if stripped.startswith("{"):
        try:
            doc = json.loads(text)
        except ValueError as exc:
            raise ScrutinyError(f"{file_name} is not valid JSON: {exc}") from None
        features = doc.get("features") if isinstance(doc, dict) else None
        if not isinstance(features, list):
            raise ScrutinyError(f"{file_name} is not a GeoJSON FeatureCollection")
        take((f"feature:{i}", f.get("properties") or {}, f.get("geometry"))
             for i, f in enumerate(features) if isinstance(f, dict))
        return "geojson", out, rejected
    rows = csv.DictReader(io.StringIO(text, newline=""))
    if not rows.fieldnames or not any(_norm(h) in _NAME for h in rows.fieldnames):
        raise ScrutinyError(f"{file_name} is neither GeoJSON nor a CSV with a name column "
                            f"({', '.join(_NAME)})")
    try:
        take((f"row:{n}", r, None) for n, r in enumerate(rows, start=2))
    except csv.Error as exc:
        raise ScrutinyError(f"{file_name} is not readable CSV ({exc})") from None
    return "csv", out, rejected


def add_register(case: Case, path: Path, name: str | None = None,
                 actor: str = "scrutiny") -> RegisterSummary:
    """Import a facility register as the next version of ``name`` (default: the file's
    stem), with the file stored under custody; see the module docstring."""
    from scrutiny.ingest.attach import attach_file

    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ScrutinyError(f"cannot read {path}: {exc.strerror or exc}") from None
    fmt, found, rejected = parse_register(data, path.name)
    if not found:
        raise ScrutinyError(f"{path.name}: no facility could be read"
                            + (f" ({rejected[0][0]}: {rejected[0][1]})" if rejected else "")
                            + ". Nothing was imported.")
    label = (name or path.stem).strip() or path.stem
    s = RegisterSummary(label, sha256=hashlib.sha256(data).hexdigest(), format=fmt,
                        facilities=len(found), rejected=rejected)
    db = case.db
    with case.transaction():
        stored = attach_file(case, path, actor, f"facility register {label}")
        if stored.sha256 != s.sha256:
            raise ScrutinyError(f"{path} changed while it was imported; nothing was imported")
        s.version = int(db.execute("SELECT coalesce(max(version), 0) + 1 FROM "
                                   "facility_registers WHERE name = ?", (label,)).fetchone()[0])
        s.register_id = int(db.execute(
            "INSERT INTO facility_registers(name, version, sha256, file_name, format, "
            "imported_at, imported_by, facilities) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (label, s.version, s.sha256, path.name, fmt, utc_now(), actor, len(found))
        ).lastrowid)
        db.executemany(
            "INSERT INTO facilities(register_id, location, key, name, aliases, lat, lon, "
            "geometry, county_code, kind, first_seen, last_seen, source, fields) VALUES "
            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(s.register_id, f.location, f.key, f.name, json.dumps(f.aliases,
                                                                 ensure_ascii=False),
              f.lat, f.lon, json.dumps(f.geometry) if f.geometry else None, f.county_code,
              f.kind, f.first_seen, f.last_seen, f.source,
              json.dumps(f.fields, ensure_ascii=False, default=str)) for f in found])
        case.record(actor, "places-imported", s.sha256, {
            "name": label, "version": s.version, "register_id": s.register_id,
            "format": fmt, "facilities": len(found), "rejected": len(rejected)})
    return s


def facilities(db: Any, name: str | None = None) -> list[Facility]:
    """The facilities of the newest version of register ``name`` (default: of every
    register, each at its newest version)."""
    rows = db.execute(
        "SELECT f.id, f.key, f.name, f.aliases, f.lat, f.lon, f.geometry, f.county_code, "
        "f.kind, f.first_seen, f.last_seen, f.source, f.location, f.fields "
        "FROM facilities f JOIN facility_registers r ON r.id = f.register_id "
        "WHERE r.id IN (SELECT id FROM facility_registers r2 WHERE r2.version = "
        "(SELECT max(version) FROM facility_registers r3 WHERE r3.name = r2.name)) "
        "AND (? IS NULL OR r.name = ?) ORDER BY f.id", (name, name)).fetchall()
    return [Facility(int(r[0]), r[1], r[2], tuple(json.loads(r[3])), r[4], r[5],
                     json.loads(r[6]) if r[6] else None, r[7], r[8], r[9], r[10], r[11],
                     r[12], json.loads(r[13])) for r in rows]
