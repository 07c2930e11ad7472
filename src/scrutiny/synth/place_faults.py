"""Place faults planted in the synthetic leak's photos and facility register, with their own
random stream (seeded from the leak's seed) so that everything else a seed makes stays the
same:

``gps-far-from-facility``
    a photo's GPS position moved 40–90 km from where it was taken, at least 20 km from every
    facility of the register;
``impossible-travel``
    a photo moved (capture time and file name together) to minutes after the same camera's
    previous photo, with its GPS position at another facility at least 300 km away;
``photo-before-facility``
    a facility's first-seen date in the register moved after the earliest photos taken
    there: those photos are dated before the facility existed.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Sequence
from dataclasses import replace
from typing import Any, Protocol

from scrutiny.synth.photos import PhotoPlan
from scrutiny.synth.places import Facility

__all__ = ["PLACE_FAULTS", "km_between", "plant_place_faults"]

PLACE_FAULTS = ("gps-far-from-facility", "impossible-travel", "photo-before-facility")


class _Subject(Protocol):
    facility: Facility


def km_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance (km) between two (lat, lon) points."""
    la1, lo1, la2, lo2 = map(math.radians, (*a, *b))
    h = (math.sin((la2 - la1) / 2) ** 2
         + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2)
    return 2 * 6371.0088 * math.asin(math.sqrt(min(1.0, h)))


def _moved(origin: tuple[float, float], km: float, bearing: float) -> tuple[float, float]:
    lat = origin[0] + km / 111.2 * math.cos(bearing)
    lon = origin[1] + km / (111.2 * math.cos(math.radians(origin[0]))) * math.sin(bearing)
    return round(lat, 6), round(lon, 6)


def plant_place_faults(plans: list[tuple[str, PhotoPlan, Any]],
                       facilities: Sequence[Facility], seed: int, rate: float,
                       ) -> tuple[list[tuple[str, PhotoPlan, Any]], list[dict[str, Any]],
                                  dict[str, str]]:
    """(plans with faults, ground-truth entries, facility key → first-seen date for the
    register). Nothing is planted when there are too few photos with GPS positions."""
    rng = random.Random(seed * 7919 + 104729)
    out = list(plans)
    planted: list[dict[str, Any]] = []
    first_seen: dict[str, str] = {}
    gps = [i for i, (_, plan, _) in enumerate(out) if plan.gps is not None]
    if len(gps) < 12:
        return out, planted, first_seen
    per_kind = max(1, round(len(gps) * rate))
    points = [(f.lat, f.lon) for f in facilities]
    used: set[int] = set()
    # far from every facility
    candidates = [i for i in gps if i not in used]
    for i in rng.sample(candidates, min(per_kind, len(candidates))):
        name, plan, subject = out[i]
        assert plan.gps is not None
        for _ in range(50):
            spot = _moved(plan.gps, rng.uniform(40, 90), rng.uniform(0, 2 * math.pi))
            if min(km_between(spot, p) for p in points) >= 20:
                break
        else:
            continue
        out[i] = (name, replace(plan, gps=spot), subject)
        used.add(i)
        planted.append({"kind": "gps-far-from-facility", "file": name, "gps": list(spot),
                        "facility": subject.facility.key,
                        "km_from_facility": round(km_between(spot, plan.gps), 1)})
    # the same camera at two places minutes apart: a photo moved (time, file name and
    # position together) to minutes after the camera's previous photo, at a far facility
    by_camera: dict[str, list[int]] = {}
    for i in gps:
        by_camera.setdefault(out[i][1].camera.serial, []).append(i)
    triples = []
    for idx in by_camera.values():
        idx.sort(key=lambda j: out[j][1].taken)
        for n in range(1, len(idx)):
            nxt = idx[n + 1] if n + 1 < len(idx) else None
            triples.append((idx[n - 1], idx[n], nxt))
    for a, b, c in rng.sample(triples, min(per_kind, len(triples))):
        if {a, b} & used or (c is not None and c in used):
            continue
        name, plan, subject = out[b]
        origin = out[a][1].gps
        assert origin is not None
        when = out[a][1].taken + dt.timedelta(minutes=rng.randint(5, 40), seconds=rng.randint(
            0, 59))
        if c is not None and when >= out[c][1].taken:
            continue
        far = [f for f in facilities if km_between(origin, (f.lat, f.lon)) >= 300]
        if not far:
            continue
        other = rng.choice(far)
        spot = (round(other.lat + rng.uniform(-0.002, 0.002), 6),
                round(other.lon + rng.uniform(-0.002, 0.002), 6))
        stem, _, _ = name.rpartition("_")
        name = f"{stem}_{when:%Y%m%d%H%M%S}.jpg"
        caption = plan.caption.split("  ")[0] + f"  {when:%Y-%m-%d}"
        out[b] = (name, replace(plan, gps=spot, taken=when, caption=caption), subject)
        used |= {a, b}
        planted.append({"kind": "impossible-travel", "file": name, "after": out[a][0],
                        "camera": plan.camera.serial, "gps": list(spot),
                        "minutes": round((when - out[a][1].taken).total_seconds() / 60),
                        "km": round(km_between(origin, spot))})
    # a facility first seen after some of its photos were taken
    by_facility: dict[str, list[int]] = {}
    for i, (_, _plan, subject) in enumerate(out):
        if i not in used:
            by_facility.setdefault(subject.facility.key, []).append(i)
    eligible = [k for k, idx in by_facility.items() if len(idx) >= 3]
    # one register date per ten facilities at most: each moves many photos before it
    for key in rng.sample(eligible, max(1, min(per_kind, len(eligible) // 10))
                          if eligible else 0):
        idx = sorted(by_facility[key], key=lambda j: out[j][1].taken)
        cut = idx[len(idx) // 2]
        day = out[cut][1].taken.date()
        first_seen[key] = day.isoformat()
        for j in idx:
            if out[j][1].taken.date() < day:
                planted.append({"kind": "photo-before-facility", "file": out[j][0],
                                "facility": key, "first_seen": day.isoformat(),
                                "taken": out[j][1].taken.isoformat()})
    return out, planted, first_seen
