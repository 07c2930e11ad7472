"""``scrutiny synth leak``: a whole fictional leak with its ground truth.

Layout of the output folder::

    README.txt              every person and record is fictional
    ground_truth.json       every planted fault and every true leak ↔ reference match
    leak/                   what a newsroom would receive (ingest this)
        README.txt
        rosters/            XLSX and CSV (UTF-8, GB18030) lists of people held, with relatives
        photos/<facility>/  JPEGs named <ID number>_<YYYYMMDDhhmmss>.jpg
        documents/          speeches (DOCX) and notices (PDF)
    reference/victims.csv   a fictional victim database overlapping the leak
    reference/facilities.geojson  a fictional facility register (``scrutiny places add``)

Deterministic for a seed: one random stream, consumed in a fixed order; Office files get fixed
zip times. Streaming: people are written as they are drawn; only the small per-photo plans and
the planted-fault list stay in memory.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from scrutiny.core import ScrutinyError
from scrutiny.synth import photos as ph
from scrutiny.synth.documents import DocumentPlan, notice_text, speech_text, write_document
from scrutiny.synth.people import Person, Population
from scrutiny.synth.place_faults import km_between, plant_place_faults
from scrutiny.synth.places import BY_CODE, COUNTIES, Facility, facilities_for
from scrutiny.synth.reference import ReferenceWriter
from scrutiny.synth.rosters import CATEGORIES, RosterSpec, RosterWriter, format_date
from scrutiny.synth.sample import FICTION_NOTICE

LEAK_START = dt.date(2017, 3, 1)
AS_OF = dt.date(2018, 12, 31)   # date of the rosters
LEAK_END = dt.date(2019, 1, 15)  # the latest date anything in the leak claims
RECORD_FAULTS = ("id-check-digit", "id-birth-mismatch", "id-region-mismatch",
                 "id-sex-mismatch", "duplicate-id")
PHOTO_FAULTS = ("editor-resave", "copy-move", "splice", "timestamp-out-of-sequence",
                "timestamp-after-end")
MAX_ROWS_PER_FILE = 100_000

ProgressFn = Callable[[str, int, int], None]


@dataclass(frozen=True)
class LeakConfig:
    people: int = 300
    photos: int = 150
    seed: int = 1
    reference_share: float = 0.4        # leak people (Uyghur, main) also in the reference DB
    extra_reference_share: float = 0.3  # entries for people absent from the leak, per overlap
    fault_rate: float = 0.005           # per kind of record fault, of the genuine rosters
    photo_fault_rate: float = 0.01      # per kind of photo fault


@dataclass
class LeakSummary:
    path: Path
    people: int = 0
    rows: int = 0
    rosters: list[str] = field(default_factory=list)
    photos: int = 0
    documents: int = 0
    reference_entries: int = 0
    matches: int = 0
    planted: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class _PhotoSubject:
    id_number: str
    detained: dt.date
    facility: Facility


def plan_rosters(people: int) -> list[RosterSpec]:
    """Genuine rosters in varied formats, then one fabricated roster (uniform birth dates)."""
    fabricated = min(50_000, round(people * 0.15)) if people >= 20 else 0
    genuine = people - fabricated
    styles = (("xlsx", "", "cell"), ("csv", "utf-8-sig", "iso"), ("csv", "gb18030", "dotted"),
              ("xlsx", "", "compact"))
    if genuine <= MAX_ROWS_PER_FILE:
        shares = [0.45, 0.30, 0.25] if genuine >= 3 else [1.0]
        sizes = [round(genuine * s) for s in shares]
        sizes[-1] = genuine - sum(sizes[:-1])
    else:
        sizes = [MAX_ROWS_PER_FILE] * (genuine // MAX_ROWS_PER_FILE)
        if genuine % MAX_ROWS_PER_FILE:
            sizes.append(genuine % MAX_ROWS_PER_FILE)
    specs = []
    for i, size in enumerate(sizes):
        fmt, enc, style = styles[i % len(styles)]
        specs.append(RosterSpec(f"rosters/{i + 1:02d}_在押人员名单.{fmt}", fmt, enc, style, size))
    if fabricated:
        specs.append(RosterSpec(f"rosters/{len(sizes) + 1:02d}_在押人员名单.xlsx", "xlsx", "",
                                "dotted", fabricated, uniform=True))
    return specs


def _plan_faults(rng: random.Random, genuine: int, rate: float) -> dict[int, str]:
    if genuine < 2 * len(RECORD_FAULTS) + 1:
        return {}
    per_kind = max(2, round(genuine * rate))
    per_kind = min(per_kind, (genuine - 1) // len(RECORD_FAULTS))
    chosen = rng.sample(range(1, genuine), per_kind * len(RECORD_FAULTS))
    return {idx: RECORD_FAULTS[i % len(RECORD_FAULTS)] for i, idx in enumerate(chosen)}


class _LeakWriter:
    def __init__(self, out: Path, cfg: LeakConfig, progress: ProgressFn | None) -> None:
        self.out = out
        self.leak = out / "leak"
        self.cfg = cfg
        self.rng = random.Random(cfg.seed)
        self.pop = Population(self.rng, AS_OF)
        self.progress = progress
        self.summary = LeakSummary(out)
        self.planted: list[dict[str, Any]] = []
        offsets = [(self.rng.uniform(-0.06, 0.06), self.rng.uniform(-0.06, 0.06))
                   for _ in range(64)]
        self.facilities = facilities_for(COUNTIES, offsets)
        self._by_county: dict[str, list[Facility]] = {}
        for f in self.facilities:
            self._by_county.setdefault(f.county, []).append(f)
        self._matches_tmp = out / ".matches.jsonl"
        self._first_seen: dict[str, str] = {}  # planted: facility key → later first-seen

    # -- rosters -------------------------------------------------------------------------
    def _facility_for(self, person: Person) -> Facility:
        local = self._by_county.get(person.county.code)
        if local and self.rng.random() < 0.85:
            return self.rng.choice(local)
        return self.rng.choice(self.facilities)

    def _main_row(self, n: int, person: Person, style: str, facility: Facility,
                  detained: dt.date, stated_birth: dt.date, stated_sex: str,
                  id_number: str) -> list[Any]:
        age = AS_OF.year - stated_birth.year - (
            (AS_OF.month, AS_OF.day) < (stated_birth.month, stated_birth.day))
        remark = ""
        if self.rng.random() < 0.08:
            remark = f"已转至{self.rng.choice(self.facilities).han}"
        return [n, person.name.han, "男" if stated_sex == "M" else "女", person.ethnicity,
                format_date(stated_birth, style), age, id_number, person.address, person.phone,
                facility.han, format_date(detained, style), self.rng.choice(CATEGORIES), "",
                remark]

    def _apply_fault(self, kind: str, person: Person, previous: tuple[str, str, str, int] | None,
                     ) -> tuple[dt.date, str, str, dict[str, Any]]:
        """Returns stated birth, stated sex, ID number as written, and ground-truth details."""
        birth, sex, number = person.birth, person.sex, person.id_number
        if kind == "id-check-digit":
            wrong = self.rng.choice([c for c in "0123456789X" if c != number[-1]])
            return birth, sex, number[:17] + wrong, {"valid_id_number": number}
        if kind == "id-birth-mismatch":
            stated = birth + dt.timedelta(days=self.rng.choice((-1, 1)) * self.rng.randint(
                1, 900))
            return stated, sex, number, {"stated_birth": stated.isoformat(),
                                         "id_birth": birth.isoformat()}
        if kind == "id-region-mismatch":
            others = [c for c in COUNTIES if c.code != person.county.code]
            for _ in range(20):
                other = self.rng.choice(others)
                if other.code[:4] != person.county.code[:4]:
                    break
            number = self.pop.id_number(other, birth, sex)
            return birth, sex, number, {"stated_county": person.county.code,
                                        "id_county": other.code}
        if kind == "id-sex-mismatch":
            stated_sex = "F" if sex == "M" else "M"
            return birth, stated_sex, number, {"stated_sex": stated_sex, "id_sex": sex}
        assert previous is not None
        first_number, first_name, first_file, first_row = previous
        return birth, sex, first_number, {
            "name": person.name.han, "first": {"file": first_file, "row": first_row,
                                               "name": first_name}}

    def write_rosters(self, specs: list[RosterSpec], photo_slots: dict[int, int],
                      ) -> list[_PhotoSubject]:
        genuine_total = sum(s.people for s in specs if not s.uniform)
        faults = _plan_faults(self.rng, genuine_total, self.cfg.fault_rate)
        subjects: list[_PhotoSubject] = []
        ref = ReferenceWriter(self.out, self.rng)
        index = 0
        previous: tuple[str, str, str, int] | None = None
        with ref, open(self._matches_tmp, "w", encoding="utf-8") as matches:
            for spec in specs:
                with RosterWriter(self.leak, spec, AS_OF) as roster:
                    for n in range(1, spec.people + 1):
                        if spec.uniform:
                            self._fabricated_row(roster, n, spec)
                        else:
                            previous = self._genuine_row(roster, n, spec, index,
                                                         faults.get(index), previous, ref,
                                                         matches, photo_slots, subjects)
                            index += 1
                        self.summary.people += 1
                        if self.progress and self.summary.people % 500 == 0:
                            self.progress("people", self.summary.people, self.cfg.people)
                    self.summary.rows += roster.row - 1
                self.summary.rosters.append(spec.path)
                if spec.uniform:
                    self.planted.append({"kind": "uniform-birthdates",
                                         "file": f"leak/{spec.path}", "people": spec.people,
                                         "birth_range": ["1950-01-01", "2000-12-31"]})
        self.summary.reference_entries = ref.count
        return subjects

    def _fabricated_row(self, roster: RosterWriter, n: int, spec: RosterSpec) -> None:
        start, end = dt.date(1950, 1, 1), dt.date(2000, 12, 31)
        birth = start + dt.timedelta(days=self.rng.randrange((end - start).days + 1))
        person = self.pop.person(birth=birth)
        facility = self._facility_for(person)
        detained = LEAK_START + dt.timedelta(days=self.rng.randrange((AS_OF - LEAK_START).days))
        roster.write(self._main_row(n, person, spec.date_style, facility, detained,
                                    person.birth, person.sex, person.id_number))

    def _genuine_row(self, roster: RosterWriter, n: int, spec: RosterSpec, index: int,
                     fault: str | None, previous: tuple[str, str, str, int] | None,
                     ref: ReferenceWriter, matches: Any, photo_slots: dict[int, int],
                     subjects: list[_PhotoSubject]) -> tuple[str, str, str, int]:
        rng = self.rng
        person = self.pop.person(birth=self.pop.birth_for_age(18, 72, 32))
        facility = self._facility_for(person)
        detained = LEAK_START + dt.timedelta(days=rng.randrange((AS_OF - LEAK_START).days))
        birth, sex, number = person.birth, person.sex, person.id_number
        details: dict[str, Any] = {}
        if fault is not None:
            birth, sex, number, details = self._apply_fault(fault, person, previous)
        file = f"leak/{spec.path}"
        row = roster.write(self._main_row(n, person, spec.date_style, facility, detained,
                                          birth, sex, number))
        if fault is not None:
            self.planted.append({"kind": fault, "file": file, "row": row,
                                 "id_number": number, **details})
        for relation, relative in self.pop.family(person):
            roster.write(["", relative.name.han, relative.sex_han, relative.ethnicity, "", "",
                          relative.id_number, "", relative.phone if rng.random() < 0.7 else "",
                          "", "", "", relation, ""])
        for _ in range(photo_slots.get(index, 0)):
            subjects.append(_PhotoSubject(number, detained, facility))
        if person.name.uyghur and rng.random() < self.cfg.reference_share:
            entry, how = ref.add(person)
            matches.write(json.dumps({"reference": entry, "file": file, "row": row,
                                      "id_number": number, "spelling": how},
                                     ensure_ascii=False) + "\n")
            self.summary.matches += 1
        if rng.random() < self.cfg.reference_share * self.cfg.extra_reference_share:
            ref.add(self.pop.person(birth=self.pop.birth_for_age(18, 72, 32), uyghur=True))
        return number, person.name.han, file, row

    # -- photos --------------------------------------------------------------------------
    def plan_photos(self, subjects: list[_PhotoSubject]) -> list[tuple[str, ph.PhotoPlan]]:
        rng = self.rng
        cameras = ph.CAMERAS
        cam_of = {f.key: cameras[i % len(cameras)] for i, f in enumerate(self.facilities)}
        gps_cameras = {c.serial for i, c in enumerate(cameras) if i % 2 == 1}
        by_camera: dict[str, list[_PhotoSubject]] = {}
        for s in subjects:
            by_camera.setdefault(cam_of[s.facility.key].serial, []).append(s)
        plans: list[tuple[str, ph.PhotoPlan, _PhotoSubject]] = []
        for camera in cameras:
            group = sorted(by_camera.get(camera.serial, []), key=lambda s: s.detained)
            clock = dt.datetime.min
            here: Facility | None = None
            for s in group:
                day_start = dt.datetime(s.detained.year, s.detained.month, s.detained.day, 9)
                if here is not None and s.facility is not here and clock > dt.datetime.min:
                    # a camera shared by facilities travels between them (by road, 60 km/h)
                    clock += dt.timedelta(hours=0.5 + km_between(
                        (here.lat, here.lon), (s.facility.lat, s.facility.lon)) / 60)
                here = s.facility
                clock = max(clock, day_start) + dt.timedelta(seconds=rng.randint(40, 420))
                gps = None
                if camera.serial in gps_cameras:
                    gps = (round(s.facility.lat + rng.uniform(-0.002, 0.002), 6),
                           round(s.facility.lon + rng.uniform(-0.002, 0.002), 6))
                name = f"leak/photos/{s.facility.han}/{s.id_number}_{clock:%Y%m%d%H%M%S}.jpg"
                plan = ph.PhotoPlan(camera=camera, taken=clock,
                                    subsec=f"{rng.randrange(1000):03d}",
                                    offset="+08:00" if rng.random() < 0.5 else None, gps=gps,
                                    caption=f"{s.id_number}  {clock:%Y-%m-%d}",
                                    seed=rng.randrange(2**31))
                plans.append((name, plan, s))
        plans, places, self._first_seen = plant_place_faults(
            plans, self.facilities, self.cfg.seed, self.cfg.photo_fault_rate)
        self.planted += places
        out = self._plant_photo_faults(plans)
        # a photo whose capture time a photo fault then moved past its facility's first-seen
        # date no longer predates the facility
        taken = {name: plan.taken for name, plan in out}
        self.planted = [e for e in self.planted if not (
            e["kind"] == "photo-before-facility"
            and taken[e["file"]].date().isoformat() >= e["first_seen"])]
        return out

    def _plant_photo_faults(self, plans: list[tuple[str, ph.PhotoPlan, _PhotoSubject]],
                            ) -> list[tuple[str, ph.PhotoPlan]]:
        rng = self.rng
        out = [(name, plan) for name, plan, _ in plans]
        if len(plans) < 2 * len(PHOTO_FAULTS):
            return out
        per_kind = max(2, round(len(plans) * self.cfg.photo_fault_rate))
        per_kind = min(per_kind, len(plans) // len(PHOTO_FAULTS))
        chosen = rng.sample(range(1, len(plans)), per_kind * len(PHOTO_FAULTS))
        for i, idx in enumerate(chosen):
            kind = PHOTO_FAULTS[i % len(PHOTO_FAULTS)]
            name, plan = out[idx]
            entry: dict[str, Any] = {"kind": kind, "file": name}
            if kind == "editor-resave":
                editor = rng.choice(ph.EDITORS)
                modified = plan.taken + dt.timedelta(days=rng.randint(20, 400))
                plan = replace(plan, forgery=kind, editor=editor, modified=modified)
                entry |= {"software": editor, "modified": modified.isoformat()}
            elif kind in ("copy-move", "splice"):
                plan = replace(plan, forgery=kind)
            elif kind == "timestamp-out-of-sequence":
                exif = plan.taken - dt.timedelta(days=rng.randint(3, 40), minutes=rng.randint(
                    1, 600))
                entry |= {"exif_time": exif.isoformat(), "name_time": plan.taken.isoformat()}
                plan = replace(plan, taken=exif)
            else:
                exif = dt.datetime.combine(LEAK_END, dt.time(10)) + dt.timedelta(
                    days=rng.randint(30, 400), minutes=rng.randint(0, 600))
                entry |= {"exif_time": exif.isoformat(), "leak_end": LEAK_END.isoformat()}
                plan = replace(plan, taken=exif)
            out[idx] = (name, plan)
            self.planted.append(entry)
        return out

    def write_photos(self, plans: list[tuple[str, ph.PhotoPlan]]) -> None:
        details = {e["file"]: e for e in self.planted if e["kind"] in PHOTO_FAULTS}
        for done, (name, data, extra) in enumerate(_render_all(plans), start=1):
            path = self.out / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            if name in details and extra:
                details[name].update(extra)
            self.summary.photos += 1
            if self.progress and (done % 25 == 0 or done == len(plans)):
                self.progress("photos", done, len(plans))

    # -- documents -----------------------------------------------------------------------
    def write_documents(self) -> None:
        rng = self.rng
        for i, (kind, forged) in enumerate((("docx", False), ("pdf", False), ("docx", True),
                                            ("pdf", True))):
            facility = rng.choice(self.facilities)
            county = BY_CODE[facility.county].han
            claimed = LEAK_START + dt.timedelta(days=rng.randrange(400))
            text = speech_text if kind == "docx" else notice_text
            title, body = text(county, facility.han, claimed)
            created = dt.datetime.combine(claimed, dt.time(9)) - dt.timedelta(
                days=rng.randint(1, 6), minutes=rng.randint(0, 400))
            modified = created + dt.timedelta(hours=rng.randint(1, 30))
            if forged:
                created = dt.datetime.combine(dt.date(2020, 1, 1), dt.time(10)) + dt.timedelta(
                    days=rng.randint(0, 500), minutes=rng.randint(0, 500))
                modified = created + dt.timedelta(minutes=rng.randint(5, 90))
            software = ("Microsoft Office Word 14.0000" if kind == "docx" else
                        rng.choice(("WPS Office 10.1", "Microsoft Word 2010")))
            path = f"leak/documents/{i + 1:02d}_{title[:24]}.{kind}"
            plan = DocumentPlan(path, kind, title, body, claimed, created, modified,
                                rng.choice(("admin", "Administrator", "user", "微软用户")),
                                software)
            write_document(self.out, plan)
            self.summary.documents += 1
            if forged:
                self.planted.append({"kind": "document-metadata-postdates", "file": path,
                                     "claimed": claimed.isoformat(),
                                     "created": created.isoformat(),
                                     "modified": modified.isoformat()})

    # -- ground truth --------------------------------------------------------------------

    def _write_register(self) -> None:
        """``reference/facilities.geojson``: the fictional facilities as a researchers'
        register would list them (Chinese name, English alias, point, county code, kind,
        first seen in imagery), for ``scrutiny places add``."""
        features = []
        for f in self.facilities:
            kind = "detention centre" if f.han.endswith(("看守所", "拘留所")) else \
                "training centre"
            features.append({"type": "Feature", "geometry": {
                "type": "Point", "coordinates": [f.lon, f.lat]}, "properties": {
                "id": f.key, "name": f.han, "name_en": f.english, "county_code": f.county,
                "kind": kind, "first_seen": self._first_seen.get(f.key, f.opened),
                "source": "fictional register of a synthetic leak"}})
        path = self.out / "reference" / "facilities.geojson"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"type": "FeatureCollection", "features": features},
                                   ensure_ascii=False, indent=1), "utf-8")
    def write_ground_truth(self) -> None:
        counts: dict[str, int] = {}
        for e in self.planted:
            counts[e["kind"]] = counts.get(e["kind"], 0) + 1
        self.summary.planted = dict(sorted(counts.items()))
        head = {
            "generator": "scrutiny synth leak",
            "notice": FICTION_NOTICE.strip(),
            "seed": self.cfg.seed,
            "people": self.cfg.people,
            "photos": self.summary.photos,
            "leak_start": LEAK_START.isoformat(),
            "as_of": AS_OF.isoformat(),
            "leak_end": LEAK_END.isoformat(),
            "rosters": [f"leak/{r}" for r in self.summary.rosters],
            "reference": "reference/victims.csv",
            "cameras": [{"make": c.make, "model": c.model, "serial": c.serial,
                         "firmware": c.firmware} for c in ph.CAMERAS],
            "facilities": [f.__dict__ for f in self.facilities],
            "planted_counts": self.summary.planted,
            "planted": self.planted,
        }
        self._write_register()
        path = self.out / "ground_truth.json"
        text = json.dumps(head, ensure_ascii=False, indent=1)
        with open(path, "w", encoding="utf-8") as out, \
                open(self._matches_tmp, encoding="utf-8") as matches:
            out.write(text[:-2] + ',\n "matches": [')
            for i, line in enumerate(matches):
                out.write(("\n  " if i == 0 else ",\n  ") + line.rstrip("\n"))
            out.write("\n ]\n}\n")
        self._matches_tmp.unlink()


def _render_one(item: tuple[str, ph.PhotoPlan]) -> tuple[str, bytes, dict[str, object]]:
    data, extra = ph.render_photo(item[1])
    return item[0], data, extra


def _render_all(plans: list[tuple[str, ph.PhotoPlan]],
                ) -> Iterator[tuple[str, bytes, dict[str, object]]]:
    """Render in worker processes when there are many (each photo depends only on its plan,
    so the output is the same), keeping a bounded number in flight; in order either way."""
    if len(plans) < 64:
        yield from map(_render_one, plans)
        return
    from collections import deque
    from concurrent.futures import Future, ProcessPoolExecutor

    window: deque[Future[tuple[str, bytes, dict[str, object]]]] = deque()
    with ProcessPoolExecutor() as pool:
        for item in plans:
            window.append(pool.submit(_render_one, item))
            if len(window) >= 32:
                yield window.popleft().result()
        while window:
            yield window.popleft().result()


def generate_leak(out: Path, cfg: LeakConfig, progress: ProgressFn | None = None) -> LeakSummary:
    """Write a fictional leak with ground truth into ``out`` (a new or empty folder)."""
    if cfg.people < 1 or cfg.photos < 0:
        raise ScrutinyError("a leak needs at least one person and zero or more photos")
    if out.exists() and any(out.iterdir()):
        raise ScrutinyError(f"{out} exists and is not empty; choose a new folder")
    out.mkdir(parents=True, exist_ok=True)
    writer = _LeakWriter(out, cfg, progress)
    (out / "README.txt").write_text(FICTION_NOTICE, "utf-8")
    (out / "leak").mkdir()
    (out / "leak" / "README.txt").write_text(FICTION_NOTICE, "utf-8")
    specs = plan_rosters(cfg.people)
    genuine = sum(s.people for s in specs if not s.uniform)
    slots: dict[int, int] = {}
    if cfg.photos and genuine:
        # each photographed person once, then (more photos than people) some again
        for idx in writer.rng.sample(range(genuine), min(cfg.photos, genuine)):
            slots[idx] = 1
        for _ in range(cfg.photos - genuine):
            idx = writer.rng.randrange(genuine)
            slots[idx] += 1
    subjects = writer.write_rosters(specs, slots)
    writer.write_photos(writer.plan_photos(subjects))
    writer.write_documents()
    writer.write_ground_truth()
    return writer.summary
