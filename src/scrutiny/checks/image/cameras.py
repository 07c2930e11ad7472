"""Corpus checks on the cameras the photos claim: an inventory of makes, models, serial numbers,
firmware and JPEG quantization tables (IMG-CAM-001), identities seen on very few photos
(IMG-CAM-002), serial numbers reported with more than one model (IMG-CAM-003) and firmware
strings that differ within one serial number (IMG-CAM-004).

Also the reading of photos out of the catalog (``photos``), shared with the timeline and
sensor-noise checks: one ``Photo`` per image item, with what its metadata says about the camera
and the names it was received under.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any, ClassVar

import orjson

from scrutiny.checks.base import Context, CorpusCheck
from scrutiny.core import Finding, Severity
from scrutiny.store.catalog import FROM_LEAK

EXAMPLES = 20          # items listed in the evidence of one finding at most
MIN_PHOTOS = 20        # photos with a field before a value of it can be called rare
RARE_SHARE = 0.01      # a value on at most this share of those photos (and at least one) is rare

SERIAL_KEYS = ("EXIF:SerialNumber", "EXIF:BodySerialNumber", "EXIF:CameraSerialNumber",
               "MakerNote:SerialNumber", "XMP:SerialNumber")
KEYS = {"EXIF:Make": "make", "EXIF:Model": "model", "EXIF:Software": "firmware",
        "EXIF:DateTimeOriginal": "taken", "JPEG:QuantizationTables": "qtables",
        "File:ImageWidth": "width", "File:ImageHeight": "height",
        **{key: "serial" for key in SERIAL_KEYS}}
PLACEHOLDER_WORDS = {"unknown", "none", "n/a", "na", "null", "serial", "serialnumber",
                     "serial number", "-", "?"}


# -- the photos of the case ----------------------------------------------------------------

def clean(value: Any) -> str | None:
    """A metadata value as a comparable string: trimmed, NULs dropped; None when empty."""
    if value is None or isinstance(value, dict | list):
        return None
    text = str(value).replace("\x00", "").strip()
    return text or None


def placeholder_serial(serial: str) -> bool:
    """Serial numbers cameras write when they have none: one repeated character ("0000000"),
    a counting run ("123456"), "unknown"…; they identify nothing."""
    text = serial.strip().lower()
    if text in PLACEHOLDER_WORDS or len(set(text)) <= 1:
        return True
    digits = text.replace(" ", "")
    return (len(digits) >= 4 and digits.isdigit()
            and all((int(b) - int(a)) % 10 == 1 for a, b in pairwise(digits)))


def qtable_signature(tables: Any) -> str | None:
    """A short name for a set of quantization tables: the first 10 hex digits of the SHA-256
    of the tables as listed (natural order, by table id)."""
    if not isinstance(tables, list) or not tables:
        return None
    return hashlib.sha256(orjson.dumps(tables)).hexdigest()[:10]


def local_time(value: Any) -> dt.datetime | None:
    """An ISO date-time as written, without its UTC offset (the camera's own clock); None for
    a date without a time or anything unreadable."""
    if not isinstance(value, str) or len(value) < 16 or value[10:11] != "T":
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment.replace(tzinfo=None)


@dataclass
class Photo:
    """One image item and what its metadata says about the camera that took it."""

    sha256: str
    mime: str
    paths: list[str] = field(default_factory=list)   # "source!/member…", as received
    make: str | None = None
    model: str | None = None
    serial: str | None = None
    firmware: str | None = None          # EXIF Software: firmware, or the last editor
    taken_iso: str | None = None         # EXIF DateTimeOriginal as extracted (ISO)
    qtables: str | None = None           # quantization-table signature
    width: int | None = None
    height: int | None = None

    @property
    def taken(self) -> dt.datetime | None:
        """The capture time by the camera's clock (EXIF DateTimeOriginal, offset dropped)."""
        return local_time(self.taken_iso)

    @property
    def model_name(self) -> str | None:
        """Make and model as one name ("Kestrel K-20"), the make left out when the model
        already starts with it."""
        if self.model is None:
            return self.make
        if self.make and not self.model.lower().startswith(self.make.lower()):
            return f"{self.make} {self.model}"
        return self.model

    @property
    def usable_serial(self) -> str | None:
        if self.serial is None or placeholder_serial(self.serial):
            return None
        return self.serial

    @property
    def camera(self) -> str | None:
        """The camera the photo claims: its serial number when it has a real one, else its
        make and model; None when the metadata names no camera."""
        if self.usable_serial is not None:
            return f"serial {self.usable_serial}"
        name = self.model_name
        return f"model {name}" if name else None

    @property
    def camera_label(self) -> str:
        name = self.model_name or "unknown model"
        serial = self.usable_serial
        return f"{name} (serial {serial})" if serial else name

    @property
    def name(self) -> str:
        return file_name(self.paths[0]) if self.paths else self.sha256[:16]

    @property
    def path(self) -> str:
        return self.paths[0] if self.paths else self.sha256


def file_name(path: str) -> str:
    return path.rsplit("/", 1)[-1]


def folder_of(path: str) -> str:
    return path.rsplit("/", 1)[0] if "/" in path else ""


def photos(db: Any) -> list[Photo]:
    """Every image item of the case (MIME type image/…), in catalog order, with its camera
    metadata (the first value of each key) and every path it was received under."""
    out: dict[str, Photo] = {}
    for sha, mime in db.execute("SELECT sha256, mime FROM items i WHERE mime LIKE "  # noqa: S608
                                f"'image/%' AND {FROM_LEAK} ORDER BY rowid"):
        out[sha] = Photo(sha, mime)
    if not out:
        return []
    keys = orjson.dumps(list(KEYS)).decode()
    for sha, key, value in db.execute(
            "SELECT m.sha256, m.key, m.value FROM metadata m JOIN items i ON i.sha256 = m.sha256 "
            "WHERE i.mime LIKE 'image/%' AND m.key IN (SELECT value FROM json_each(?)) "
            "ORDER BY m.rowid", (keys,)):
        photo = out.get(sha)
        if photo is None or value is None:
            continue
        attr = KEYS[key]
        if getattr(photo, attr) is not None:
            continue
        decoded = orjson.loads(value)
        if attr == "qtables":
            photo.qtables = qtable_signature(decoded)
        elif attr in ("width", "height"):
            if isinstance(decoded, int) and decoded > 0:
                setattr(photo, attr, decoded)
        elif attr == "taken":
            photo.taken_iso = decoded if isinstance(decoded, str) else None
        else:
            setattr(photo, attr, clean(decoded))
    for sha, source, chain in db.execute(
            "SELECT p.sha256, p.source, p.chain FROM provenances p JOIN items i "
            "ON i.sha256 = p.sha256 WHERE i.mime LIKE 'image/%' ORDER BY p.id"):
        photo = out.get(sha)
        if photo is not None:
            photo.paths.append("!/".join([str(source), *orjson.loads(chain)]))
    return list(out.values())


def cameras_named(all_photos: Iterable[Photo]) -> list[Photo]:
    """The photos whose metadata names a camera (make, model or serial number)."""
    return [p for p in all_photos if p.make or p.model or p.serial]


def examples(items: Sequence[Photo]) -> list[dict[str, Any]]:
    return [{"item": p.sha256, "file": p.path, "taken": p.taken_iso} for p in items[:EXAMPLES]]


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else (many or word + 's')}"


# -- IMG-CAM-001 ---------------------------------------------------------------------------

def _by_serial(ctx: Context) -> dict[str, list[Photo]]:
    """The photos of each usable body serial number."""
    groups: dict[str, list[Photo]] = defaultdict(list)
    for p in cameras_named(photos(ctx.db)):
        if p.usable_serial:
            groups[p.usable_serial].append(p)
    return groups


class CameraInventory(CorpusCheck):
    """The cameras the photos say they were taken with: makes, models, serial numbers,
    firmware and JPEG quantization tables, with photo counts.

    Method: reads, for every image, the camera's make and model (EXIF Make, Model), its serial
    number (EXIF SerialNumber, also called BodySerialNumber), the firmware or software that
    wrote the file (EXIF Software), the capture time (EXIF DateTimeOriginal) and the
    quantization tables of the JPEG (named by a short signature, the first hex digits of a
    hash of the tables). It lists every camera — a serial number when the photo has a real one
    (placeholders such as "0000000" are ignored), else make and model — with its number of
    photos, its firmware strings, table signatures and image sizes, and the dates of its first
    and last photo; and how many images name no camera at all.

    What it can show: what the photos claim about where they come from — a dump from one
    police unit usually comes from a handful of cameras, each seen on many photos, with one
    firmware and one set of tables per model and quality setting. The inventory is the
    background against which the other camera checks (IMG-CAM-002…004) and the sensor-noise
    check (IMG-PRNU-001) single out exceptions.

    What it cannot show: that the metadata is true. EXIF fields are written by the camera but
    can be edited with common tools; a phone app or editor may drop or rewrite them. The same
    quantization tables are shared by every camera of a model at one quality setting, and by
    every program that uses the standard (IJG) tables at one quality.

    References: JEITA CP-3451 (Exif 2.32), tags Make, Model, Software, BodySerialNumber,
    DateTimeOriginal; H. Farid, "Digital image ballistics from JPEG quantization", Dartmouth
    TR2006-583 (2006), on quantization tables as a signature of cameras and software.
    """

    code = "IMG-CAM-001"
    title = "Camera inventory"
    severity: ClassVar[Severity] = Severity.INFO

    def run(self, ctx: Context) -> Iterator[Finding]:
        everything = photos(ctx.db)
        if not everything:
            return
        named = cameras_named(everything)
        by_camera: dict[str, list[Photo]] = defaultdict(list)
        for p in named:
            by_camera[p.camera or "unknown"].append(p)
        rows: list[dict[str, Any]] = []
        for key, group in sorted(by_camera.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            times = sorted(p.taken_iso[:19] for p in group if p.taken_iso)
            rows.append({
                "camera": key,
                "make": sorted({p.make for p in group if p.make}),
                "model": sorted({p.model for p in group if p.model}),
                "serial": sorted({p.serial for p in group if p.serial}),
                "photos": len(group),
                "firmware": dict(Counter(p.firmware or "(none)" for p in group).most_common()),
                "qtables": dict(Counter(p.qtables or "(none)" for p in group).most_common()),
                "sizes": dict(Counter(f"{p.width}x{p.height}" for p in group
                                      if p.width and p.height).most_common()),
                "first": times[0] if times else None,
                "last": times[-1] if times else None,
            })
        models = Counter(p.model_name for p in named if p.model_name)
        serials = {p.usable_serial for p in named if p.usable_serial}
        placeholders = sorted({p.serial for p in named if p.serial and not p.usable_serial})
        unnamed = len(everything) - len(named)
        top = ", ".join(f"{r['camera']} ({plural(int(r['photos']), 'photo')})"
                        for r in rows[:5])
        text = (f"{plural(len(everything), 'image')}: {len(named):,} name a camera in their "
                f"metadata, {unnamed:,} do not. They claim {plural(len(models), 'model')} and "
                f"{plural(len(serials), 'serial number')}; by camera (serial number, else "
                f"model): {top}" + ("…" if len(rows) > 5 else "."))
        if placeholders:
            text += (" Serial numbers that identify nothing were ignored: "
                     + ", ".join(placeholders[:5]) + ".")
        yield self.finding("corpus:cameras", self.title, text, {
            "images": len(everything), "with_camera": len(named), "without_camera": unnamed,
            "models": dict(models.most_common()), "serials": len(serials),
            "placeholder_serials": placeholders, "cameras": rows})


# -- IMG-CAM-002 ---------------------------------------------------------------------------

KIND_LABELS = {"model": "camera model", "serial": "serial number",
               "firmware": "firmware (EXIF Software)", "qtables": "set of quantization tables"}


def rare_values(named: Sequence[Photo]) -> list[dict[str, Any]]:
    """Identities on very few photos: a model or a serial number among all photos naming
    one, a firmware string or a quantization-table signature among the photos of the same
    model. A value is rare when at least ``MIN_PHOTOS`` photos have the field (within the
    scope), it is not the only value, and it is on at most ``max(1, RARE_SHARE · n)``."""
    out: list[dict[str, Any]] = []

    def scan(kind: str, scope: str, group: Sequence[Photo], value_of: Any) -> None:
        values: dict[str, list[Photo]] = defaultdict(list)
        for p in group:
            v = value_of(p)
            if v is not None:
                values[v].append(p)
        n = sum(len(v) for v in values.values())
        if n < MIN_PHOTOS or len(values) < 2:
            return
        limit = max(1, int(RARE_SHARE * n))
        common = max(values.items(), key=lambda kv: len(kv[1]))
        for value, members in sorted(values.items()):
            if len(members) <= limit:
                out.append({"kind": kind, "value": value, "scope": scope, "photos": members,
                            "of": n, "limit": limit, "distinct": len(values),
                            "most_common": common[0], "most_common_photos": len(common[1])})

    scan("model", "all photos naming a model", named, lambda p: p.model_name)
    scan("serial", "all photos with a serial number", named, lambda p: p.usable_serial)
    by_model: dict[str, list[Photo]] = defaultdict(list)
    for p in named:
        if p.model_name:
            by_model[p.model_name].append(p)
    for model, group in sorted(by_model.items()):
        scan("firmware", f"photos of the {model}", group, lambda p: p.firmware)
        scan("qtables", f"photos of the {model}", group, lambda p: p.qtables)
    return out


class RareCameraIdentity(CorpusCheck):
    """A camera model, serial number, firmware or set of JPEG quantization tables seen on very
    few photos compared with the rest of the corpus.

    Method: counts the photos per value of four fields: the camera model and the serial
    number among all photos that have one; the firmware (EXIF Software) and the
    quantization-table signature among the photos of the same model (each model has its own
    firmware names and tables). A value is called rare when at least 20 photos have the field
    in that scope, the value is not the only one, and it is on at most 1% of those photos
    (and at least on one photo: in a scope of fewer than 200 photos, a value on a single
    photo). One finding per rare value, listing the photos.

    What it can show: exceptions worth a look — a photo from a camera model used nowhere
    else in a dump of hundreds, a firmware string or table set that no other photo of the
    model has (an editing program rewrites EXIF Software and uses its own tables when it
    re-saves a JPEG; a fabricator may copy EXIF from another source). It points at photos to
    examine with the other checks (JPEG structure, sensor noise).

    What it cannot show: that the photo is not genuine. Units borrow cameras, replace them,
    update firmware (then the new firmware is rare at first) and change quality settings; a
    single photo from a phone is ordinary. The 1% threshold is a convention to keep the list
    short in a large dump, not a statistical test.

    References: JEITA CP-3451 (Exif 2.32); H. Farid, "Digital image ballistics from JPEG
    quantization", Dartmouth TR2006-583 (2006); E. Kee, M. K. Johnson and H. Farid,
    "Digital image authentication from JPEG headers", IEEE TIFS 6(3), 2011.
    """

    code = "IMG-CAM-002"
    title = "Camera identity seen on very few photos"
    severity: ClassVar[Severity] = Severity.NOTICE

    def run(self, ctx: Context) -> Iterator[Finding]:
        for rare in rare_values(cameras_named(photos(ctx.db))):
            members: list[Photo] = rare["photos"]
            label = KIND_LABELS[rare["kind"]]
            subject = (members[0].sha256 if len(members) == 1
                       else f"camera-{rare['kind']}:{rare['value']}")
            names = ", ".join(p.name for p in members[:3]) + ("…" if len(members) > 3 else "")
            text = (f"The {label} {rare['value']!r} appears on {plural(len(members), 'photo')} "
                    f"({names}) out of {rare['of']:,} {rare['scope']}; the most common value "
                    f"there, {rare['most_common']!r}, is on {rare['most_common_photos']:,}. "
                    "A value this rare may be a borrowed or replaced camera, a firmware update, "
                    "or a photo re-saved by other software or with edited metadata.")
            yield self.finding(subject, self.title, text, {
                "kind": rare["kind"], "value": rare["value"], "scope": rare["scope"],
                "photos": len(members), "of": rare["of"], "rare_limit": rare["limit"],
                "distinct_values": rare["distinct"], "most_common": rare["most_common"],
                "most_common_photos": rare["most_common_photos"],
                "items": examples(members)})


# -- IMG-CAM-003 ---------------------------------------------------------------------------

class SerialWithSeveralModels(CorpusCheck):
    """One serial number reported by photos of two or more camera models.

    Method: groups the photos by serial number (EXIF SerialNumber / BodySerialNumber;
    placeholders such as "0000000" or "123456" are ignored) and reports every serial number
    whose photos name more than one make and model. The evidence gives each model with its
    photo count, firmware and examples.

    What it can show: a serial number belongs to one camera body, and one body has one model
    name; the same serial on two models means that at least one of the two sets of photos
    carries metadata that was not written by that camera — EXIF copied from another photo, or
    a camera whose serial has been written in by a tool. Two makers can happen to number their
    cameras the same way, so a short serial shared by two makers is weaker than a long one
    shared by two models of one maker.

    What it cannot show: which of the models is the true one, nor that either set of photos
    was altered in its pixels.

    References: JEITA CP-3451 (Exif 2.32), tag BodySerialNumber (0xA431).
    """

    code = "IMG-CAM-003"
    title = "Serial number reported with several models"
    severity: ClassVar[Severity] = Severity.NOTICE

    def run(self, ctx: Context) -> Iterator[Finding]:
        for serial, group in sorted(_by_serial(ctx).items()):
            models: dict[str, list[Photo]] = defaultdict(list)
            for p in group:
                models[p.model_name or "(no model)"].append(p)
            if len(models) < 2:
                continue
            ordered = sorted(models.items(), key=lambda kv: (-len(kv[1]), kv[0]))
            listed = "; ".join(f"{m} on {plural(len(ps), 'photo')}" for m, ps in ordered)
            text = (f"The serial number {serial!r} appears with {len(models)} camera models: "
                    f"{listed}. One camera body has one serial number and one model, so the "
                    "metadata of at least one of these groups was not written by that camera "
                    "(copied or edited EXIF), unless two makers happen to use the same number.")
            yield self.finding(f"camera:serial {serial}", self.title, text, {
                "serial": serial, "photos": len(group),
                "models": [{"model": m, "photos": len(ps),
                            "firmware": sorted({p.firmware for p in ps if p.firmware}),
                            "items": examples(ps)} for m, ps in ordered]})


# -- IMG-CAM-004 ---------------------------------------------------------------------------

def version_pattern(text: str) -> str:
    """A firmware string with its numbers blanked: "TM300 Ver.2.01" → "TM#Ver.#.#"."""
    return re.sub(r"\d+", "#", text).replace(" ", "").lower()


def switches(sequence: Sequence[str]) -> int:
    """How many times consecutive values differ."""
    return sum(1 for a, b in pairwise(sequence) if a != b)


class FirmwareDiffersWithinSerial(CorpusCheck):
    """Different firmware (EXIF Software) strings on photos of one camera body.

    Method: groups the photos by serial number (placeholders ignored) and reports the serial
    numbers whose photos carry more than one EXIF Software value. For each value it gives the
    photo count and the first and last capture time, and it counts how often the value changes
    when the photos are put in capture-time order: a firmware update changes it once, from the
    old version to the new, and both are written alike ("Ver.2.01", "Ver.2.02"); values that
    alternate back and forth, or a string of another form (a program's name), do not fit an
    update.

    What it can show: a camera writes its own firmware version into EXIF Software; an image
    editor that re-saves the photo usually writes its own name there instead. So a serial
    number with one firmware on most photos and a program's name or another version on a few
    points at photos re-saved by software, or at metadata copied from elsewhere — unless the
    change is a single, dated firmware update.

    What it cannot show: what was done to the photo. Software names are easy to edit or strip;
    some cameras and phones write nothing; a correct firmware string proves nothing.

    References: JEITA CP-3451 (Exif 2.32), tag Software (0x0131); E. Kee, M. K. Johnson and
    H. Farid, "Digital image authentication from JPEG headers", IEEE TIFS 6(3), 2011.
    """

    code = "IMG-CAM-004"
    title = "Firmware differs within one camera"
    severity: ClassVar[Severity] = Severity.NOTICE

    def run(self, ctx: Context) -> Iterator[Finding]:
        for serial, group in sorted(_by_serial(ctx).items()):
            values: dict[str, list[Photo]] = defaultdict(list)
            for p in group:
                values[p.firmware or "(none)"].append(p)
            if len(values) < 2:
                continue
            dated = sorted((p for p in group if p.taken is not None),
                           key=lambda p: (p.taken, p.path))
            changes = switches([p.firmware or "(none)" for p in dated])
            ordered = sorted(values.items(), key=lambda kv: (-len(kv[1]), kv[0]))
            rows: list[dict[str, Any]] = []
            for value, ps in ordered:
                times = sorted(p.taken_iso[:19] for p in ps if p.taken_iso)
                rows.append({"firmware": value, "photos": len(ps),
                             "first": times[0] if times else None,
                             "last": times[-1] if times else None, "items": examples(ps)})
            listed = "; ".join(f"{r['firmware']!r} on {plural(int(r['photos']), 'photo')}"
                               for r in rows)
            same_format = len({version_pattern(v) for v in values}) == 1
            update = len(values) == 2 and changes == 1 and same_format
            text = (f"Photos claiming the camera {group[0].camera_label} carry "
                    f"{len(values)} different firmware strings: {listed}. In capture-time order "
                    f"the string changes {plural(changes, 'time')}")
            if update:
                text += (", once, between two versions written alike: consistent with a "
                         "firmware update.")
            elif not same_format:
                text += ("; the strings are not versions of one firmware, so some photos were "
                         "written (re-saved) by other software or carry metadata from "
                         "elsewhere.")
            else:
                text += (": more than a single firmware update explains; photos re-saved by "
                         "software or with copied metadata would do it.")
            yield self.finding(f"camera:serial {serial}", self.title, text, {
                "serial": serial, "model": group[0].model_name, "photos": len(group),
                "values": rows, "changes_in_time_order": changes,
                "same_format": same_format, "single_update_pattern": update})


CAMERA_CHECKS: tuple[type[CorpusCheck], ...] = (
    CameraInventory, RareCameraIdentity, SerialWithSeveralModels, FirmwareDiffersWithinSerial)
