"""TIFF/EXIF: the IFDs of a TIFF structure, their values decoded, timestamps (with sub-seconds
and UTC offset), GPS positions, the maker note's maker and the IFD1 thumbnail."""

from __future__ import annotations

import calendar
import functools
import math
import re
import struct
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from PIL import ExifTags

from scrutiny.extract.base import Meta
from scrutiny.extract.image.common import SOF_PROCESSES, _scalar, _text, _u16

SIZES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4}
FORMATS = {1: "B", 3: "H", 4: "L", 6: "b", 8: "h", 9: "l", 11: "f", 12: "d", 13: "L"}
SINGLE = {(e, t): struct.Struct(e + f) for e in "<>"
          for t, f in {**FORMATS, 5: "LL", 10: "ll"}.items()}
TRIPLES = {(e, t): struct.Struct(e + f) for e in "<>" for t, f in ((5, "6L"), (10, "6l"))}
POINTERS = {0x8769: "exif", 0x8825: "gps", 0xA005: "interop"}
NOT_LISTED = {*POINTERS, 0x927C}  # sub-IFD pointers are followed; the maker note summarised
MAX_ENTRIES = 1000            # entries read per IFD; real IFDs hold a few dozen
MAX_LIST = 256                # numeric arrays longer than this are summarised, not listed
EXIF_NAMES = {**ExifTags.TAGS, 0x0132: "ModifyDate", 0x9004: "CreateDate", 0x8827: "ISO",
              0x9290: "SubSecTime", 0x9291: "SubSecTimeOriginal", 0x9292: "SubSecTimeDigitized",
              0xA431: "SerialNumber", 0xA432: "LensInfo", 0x0201: "ThumbnailOffset",
              0x0202: "ThumbnailLength"}
INTEROP_NAMES = {0x0001: "InteropIndex", 0x0002: "InteropVersion",
                 0x1000: "RelatedImageFileFormat", 0x1001: "RelatedImageWidth",
                 0x1002: "RelatedImageHeight"}
VERSION_TAGS = {0x9000, 0xA000, 0x0002}          # UNDEFINED bytes that are ASCII digits
COMMENT_TAGS = {0x9286, 0x001B, 0x001C}          # UserComment, GPS processing/area text
XP_TAGS = {0x9C9B, 0x9C9C, 0x9C9D, 0x9C9E, 0x9C9F}  # Windows' UTF-16 title, comment, …
# A timestamp tag -> its sub-second and UTC-offset companions (Exif 2.31).
DATE_PARTS = {0x0132: (0x9290, 0x9010), 0x9003: (0x9291, 0x9011), 0x9004: (0x9292, 0x9012)}
DATE_RE = re.compile(r"\s*(\d{4})[:-](\d\d)[:-](\d\d)(?:[ T](\d\d):(\d\d)(?::(\d\d))?)?")
DAYS = {f"{m:02d}": f"{calendar.monthrange(2000, m)[1]:02d}" for m in range(1, 13)}
OFFSET_RE = re.compile(r"[+-]\d\d:\d\d|Z")
EXIF_KEYS = {tag: f"EXIF:{name}" for tag, name in EXIF_NAMES.items()}
KEYS = {"ifd0": EXIF_KEYS, "exif": EXIF_KEYS, "ifd1": EXIF_KEYS,
        "interop": {tag: f"EXIF:{name}" for tag, name in INTEROP_NAMES.items()},
        "gps": {tag: f"GPS:{name}" for tag, name in ExifTags.GPSTAGS.items()}}
MAKERNOTE_HEADERS = (
    (b"Nikon\x00", "Nikon"), (b"OLYMPUS\x00", "Olympus"), (b"OLYMP\x00", "Olympus"),
    (b"OM SYSTEM", "OM Digital Solutions"), (b"FUJIFILM", "Fujifilm"), (b"GENERALE", "GE"),
    (b"Panasonic\x00", "Panasonic"), (b"LEICA", "Leica"), (b"SONY", "Sony"),
    (b"SEMC MS", "Sony Ericsson"), (b"SANYO", "Sanyo"), (b"QVC\x00", "Casio"),
    (b"CASIO", "Casio"), (b"AOC\x00", "Pentax"), (b"PENTAX ", "Pentax"), (b"KDK", "Kodak"),
    (b"RICOH", "Ricoh"), (b"Ricoh", "Ricoh"), (b"SIGMA", "Sigma"), (b"FOVEON", "Sigma"),
    (b"Apple iOS", "Apple"), (b"HUAWEI", "Huawei"), (b"MLT0", "Minolta"), (b"DJI", "DJI"),
    (b"SAMSUNG", "Samsung"), (b"Kodak", "Kodak"), (b"Nintendo", "Nintendo"),
    (b"EPSON", "Epson"), (b"KYOCERA", "Kyocera"), (b"RECONYX", "Reconyx"),
)


def _json_number(x: float | None) -> float | None:
    return x if x is not None and math.isfinite(x) else None


class _Entry(NamedTuple):
    tag: int
    typ: int
    n: int
    payload: bytes


@dataclass
class _Exif:
    """The IFDs of one TIFF structure, by location, in file order."""

    data: bytes
    endian: str
    ifds: dict[str, list[_Entry]] = field(default_factory=dict)
    by_tag: dict[str, dict[int, _Entry]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def tags(self, location: str) -> dict[int, _Entry]:
        return self.by_tag.get(location, {})


def _read_ifd(x: _Exif, offset: int, location: str) -> int:
    """Read the IFD at ``offset`` into ``x.ifds[location]``; return the next IFD's offset."""
    data, e = x.data, x.endian
    if offset < 8 or offset + 2 > len(data):
        x.warnings.append(f"{location}: IFD offset {offset} lies outside the EXIF data")
        return 0
    count = struct.unpack_from(e + "H", data, offset)[0]
    room = min((len(data) - offset - 2) // 12, MAX_ENTRIES)
    if count > room:
        x.warnings.append(f"{location}: IFD claims {count} entries, {room} read")
        count = room
    end = offset + 2 + 12 * count
    entries = x.ifds.setdefault(location, [])
    sizes, offset_of, new = SIZES, SINGLE[e, 4].unpack, tuple.__new__
    for tag, typ, n, value in struct.iter_unpack(e + "HHL4s", data[offset + 2:end]):
        size = sizes.get(typ, 0) * n
        if size > 4:
            start = offset_of(value)[0]
            if start + size > len(data):
                x.warnings.append(f"{location}: tag 0x{tag:04x} points outside the EXIF data")
                continue
            value = data[start:start + size]
        elif not size:
            x.warnings.append(f"{location}: tag 0x{tag:04x} has invalid type {typ}, skipped")
            continue
        elif size < 4:
            value = value[:size]
        entries.append(new(_Entry, (tag, typ, n, value)))
    x.by_tag[location] = {entry.tag: entry for entry in entries}
    return int(struct.unpack_from(e + "L", data, end)[0]) if end + 4 <= len(data) else 0


def _pointer(x: _Exif, entry: _Entry) -> int:
    if entry.typ not in (4, 13) or entry.n < 1:
        return 0
    return int(struct.unpack_from(x.endian + "L", entry.payload)[0])


def parse_tiff(data: bytes) -> _Exif:
    """All IFDs of a TIFF structure (an EXIF block after its ``Exif\\0\\0`` header, or a TIFF
    file): IFD0, IFD1, and the Exif, GPS and Interop IFDs they point to. Loops and offsets
    outside the data are warnings, not errors. Raises ``ValueError`` for a non-TIFF header."""
    if data[:4] not in (b"II*\x00", b"MM\x00*"):
        raise ValueError("no TIFF header")
    x = _Exif(data, "<" if data[:2] == b"II" else ">")
    seen: set[int] = set()
    todo = [(struct.unpack_from(x.endian + "L", data, 4)[0], "ifd0")]
    while todo:
        offset, location = todo.pop(0)
        if offset in seen or offset == 0 or location in x.ifds:
            continue
        seen.add(offset)
        following = _read_ifd(x, offset, location)
        if location == "ifd0":
            todo.append((following, "ifd1"))
        if location in ("ifd0", "exif"):
            todo.extend((_pointer(x, entry), POINTERS[entry.tag])
                        for entry in x.ifds.get(location, ()) if entry.tag in POINTERS)
    return x


def _fractions(endian: str, entry: _Entry) -> list[tuple[int, int]]:
    ints = TRIPLES[endian, entry.typ].unpack(entry.payload) if entry.n == 3 else (
        struct.unpack(f"{endian}{2 * entry.n}{'L' if entry.typ == 5 else 'l'}", entry.payload))
    return list(zip(ints[::2], ints[1::2], strict=True))


def _numbers(endian: str, entry: _Entry) -> tuple[list[Any], str | None]:
    """The entry's numbers, and for rationals the fractions as written."""
    if entry.typ in (5, 10):
        pairs = _fractions(endian, entry)
        return [n / d if d else None for n, d in pairs], " ".join(f"{n}/{d}" for n, d in pairs)
    values = list(struct.unpack(f"{endian}{entry.n}{FORMATS[entry.typ]}", entry.payload))
    return [_json_number(v) for v in values] if entry.typ in (11, 12) else values, None


def _comment(raw: bytes) -> str:
    """A UserComment-style value: an 8-byte character code, then the text."""
    code, body = raw[:8], raw[8:]
    if code.startswith(b"UNICODE"):
        utf16 = "utf-16-be" if body[:1] == b"\x00" else "utf-16-le"
        return body.decode(utf16, "replace").rstrip("\x00 ")
    encoding = "utf-8" if code.startswith(b"ASCII") else "latin-1"
    return body.decode(encoding, "replace").rstrip("\x00 ")


def _undefined(entry: _Entry) -> Any:
    raw = entry.payload
    if entry.tag in VERSION_TAGS:
        return raw.decode("latin-1").rstrip("\x00")
    if entry.tag in COMMENT_TAGS:
        return _comment(raw)
    if entry.tag in (0xA300, 0xA301):           # FileSource, SceneType: one byte
        return raw[0]
    if entry.tag == 0x9101:                     # ComponentsConfiguration
        return list(raw)
    return raw.hex() if len(raw) <= 64 else f"(binary, {len(raw)} bytes)"


def _value(endian: str, entry: _Entry) -> tuple[Any, str | None]:
    """A JSON value for a non-ASCII entry, and the fractions as written for rationals."""
    typ = entry.typ
    if entry.n == 1 and typ in FORMATS:
        value = SINGLE[endian, typ].unpack(entry.payload)[0]
        return (_json_number(value) if typ in (11, 12) else value), None
    if entry.n == 1 and typ in (5, 10):
        n, d = SINGLE[endian, typ].unpack(entry.payload)
        return (n / d if d else None), f"{n}/{d}"
    if typ == 7:
        return _undefined(entry), None
    if entry.tag in XP_TAGS and typ == 1:
        return entry.payload.decode("utf-16-le", "replace").rstrip("\x00"), None
    if entry.n > MAX_LIST:
        return f"({entry.n} values)", None
    return _numbers(endian, entry)


def parse_date(raw: str, subsec: str = "", offset: str = "") -> str | None:
    """An EXIF/IPTC/GPS timestamp as ISO 8601, with its sub-seconds and UTC offset when given;
    None when it is blank or no valid date (the caller keeps the raw string)."""
    m = DATE_RE.match(raw)
    if not m:
        return None
    y, mo, d, h, mi, s = m.groups()
    if not ("01" <= mo <= "12" and "01" <= d <= DAYS[mo]) or y == "0000":
        return None
    if d == "29" and mo == "02" and not calendar.isleap(int(y)):
        return None
    if h is None:
        return f"{y}-{mo}-{d}"
    if h > "23" or mi > "59" or (s or "") > "60":
        return None
    fraction = f".{subsec.strip()}" if subsec.strip().isdigit() else ""
    zone = offset.strip() if offset and OFFSET_RE.fullmatch(offset.strip()) else ""
    return f"{y}-{mo}-{d}T{h}:{mi}:{s or '00'}{fraction}{zone}"


def _companion(exif: dict[int, _Entry], tag: int) -> str:
    entry = exif.get(tag)
    return _text(entry.payload) if entry is not None and entry.typ in (2, 7) else ""


def _ifd(x: _Exif, location: str, out: list[Meta]) -> None:
    """Every tag of one IFD; timestamps get their sub-seconds and offset from the Exif IFD."""
    exif, append, endian, cached = x.tags("exif"), out.append, x.endian, _cached_meta
    dated = location in ("ifd0", "exif")
    for entry in x.ifds.get(location, ()):
        tag, typ = entry.tag, entry.typ
        if tag in NOT_LISTED:
            continue
        if dated and typ == 2 and tag in DATE_PARTS:
            text, (sub, zone) = _text(entry.payload), DATE_PARTS[tag]
            append(Meta(location, _key(location, tag), parse_date(
                text, _companion(exif, sub), _companion(exif, zone)), text))
        elif len(entry.payload) <= 64 and (typ == 2 or (entry.n == 1 and typ != 7)):
            append(cached(location, endian, entry))  # text or one number: safe to share
        else:
            append(_entry_meta(location, endian, entry))


def _key(location: str, tag: int) -> str:
    group = "GPS" if location == "gps" else "EXIF"
    return KEYS[location].get(tag) or f"{group}:Unknown0x{tag:04x}"


def _entry_meta(location: str, endian: str, entry: _Entry) -> Meta:
    if entry.typ == 2:
        return Meta(location, _key(location, entry.tag), _text(entry.payload))
    value, raw = _value(endian, entry)
    return Meta(location, _key(location, entry.tag), value, raw)


# Metas are immutable, and the photos of one dump repeat most entries byte for byte (make,
# model, resolution, flash…): small scalar entries are decoded once (lists are not shared).
_cached_meta = functools.lru_cache(maxsize=16384)(_entry_meta)


def _dms(x: _Exif, entry: _Entry | None) -> float | None:
    """Degrees, minutes, seconds as decimal degrees. A 0/0 part counts as 0 (writers such as
    Nikon put decimal minutes and 0/0 seconds); n/0 with n > 0 makes the value invalid."""
    if entry is None or entry.typ not in (5, 10) or entry.n < 1:
        return None
    degrees = 0.0
    for (n, d), scale in zip(_fractions(x.endian, entry), (1, 60, 3600), strict=False):
        if d:
            degrees += n / d / scale
        elif n:
            return None
    return degrees


def _ref(entry: _Entry | None) -> str:
    return _text(entry.payload).strip().upper() if entry and entry.typ == 2 else ""


def _gps(x: _Exif, out: list[Meta]) -> None:
    """Signed decimal degrees, altitude and UTC time composed from the GPS IFD."""
    gps = x.tags("gps")
    lat, lon = _dms(x, gps.get(2)), _dms(x, gps.get(4))
    if lat is not None:
        lat = round(-lat if _ref(gps.get(1)).startswith("S") else lat, 8)
        out.append(Meta("gps", "GPS:Latitude", lat))
    if lon is not None:
        lon = round(-lon if _ref(gps.get(3)).startswith("W") else lon, 8)
        out.append(Meta("gps", "GPS:Longitude", lon))
    if lat is not None and lon is not None:
        out.append(Meta("gps", "GPS:Position", [lat, lon]))
    alt = gps.get(6)
    if alt is not None and alt.typ == 5 and alt.n == 1:
        height = _value(x.endian, alt)[0]
        below = 5 in gps and gps[5].payload[:1] == b"\x01"
        if height is not None:
            out.append(Meta("gps", "GPS:Altitude", -height if below else height))
    _gps_time(x, gps, out)


def _gps_time(x: _Exif, gps: dict[int, _Entry], out: list[Meta]) -> None:
    """GPSDateStamp and GPSTimeStamp (UTC) as one ISO timestamp."""
    stamp, time = gps.get(29), gps.get(7)
    if stamp is None or stamp.typ != 2:
        return
    date = _text(stamp.payload)
    hms, raw = _numbers(x.endian, time) if time is not None and time.typ == 5 else ([], None)
    if len(hms) != 3 or None in hms:
        out.append(Meta("gps", "GPS:DateTime", parse_date(date), date))
        return
    h, m, s = hms
    fraction = f"{s % 1:.3f}"[2:].rstrip("0")
    clock = f"{date} {int(h):02d}:{int(m):02d}:{int(s):02d}"
    out.append(Meta("gps", "GPS:DateTime", parse_date(clock, fraction, "Z"), f"{date} {raw}"))


def _makernote(x: _Exif, out: list[Meta]) -> None:
    """Who wrote the maker note: from its signature, else (Canon, Minolta…) from Make."""
    note = x.tags("exif").get(0x927C)
    if note is None:
        return
    head = note.payload[:16]
    found = next(((sig, maker) for sig, maker in MAKERNOTE_HEADERS if head.startswith(sig)),
                 None)
    if found is not None:
        out.append(Meta("exif", "MakerNote:Maker", found[1], _text(found[0]).strip()))
    else:
        make = x.tags("ifd0").get(0x010F)
        by_make = _text(make.payload).strip() if make and make.typ == 2 else None
        out.append(Meta("exif", "MakerNote:Maker", by_make))
    out.append(Meta("exif", "MakerNote:Size", len(note.payload)))


def exif_thumbnail(x: _Exif) -> bytes | None:
    """The IFD1 JPEG thumbnail's bytes, or None when there is none inside the EXIF data."""
    ifd1 = x.tags("ifd1")
    start, length = ifd1.get(0x0201), ifd1.get(0x0202)
    if start is None or length is None or start.typ not in (3, 4) or length.typ not in (3, 4):
        return None
    offset, size = _value(x.endian, start)[0], _value(x.endian, length)[0]
    if not isinstance(offset, int) or not isinstance(size, int):
        return None
    if size <= 0 or offset <= 0 or offset + size > len(x.data):
        return None
    return x.data[offset:offset + size]


def _frame_size(data: bytes) -> list[int] | None:
    """Width and height from a JPEG's frame header, skipping every other segment unread."""
    pos = 2
    while pos + 9 <= len(data) and data[pos] == 0xFF:
        marker = data[pos + 1]
        if marker in SOF_PROCESSES:
            return [_u16(data, pos + 7), _u16(data, pos + 5)]
        if marker == 0xDA:
            return None
        pos += 2 + _u16(data, pos + 2)
    return None


def _thumbnail(x: _Exif | None, out: list[Meta]) -> None:
    thumb = exif_thumbnail(x) if x is not None else None
    out.append(_scalar("ifd1", "Thumbnail:Present", thumb is not None))
    if thumb is not None:
        out.append(_scalar("ifd1", "Thumbnail:Length", len(thumb)))
        size = _frame_size(thumb) if thumb.startswith(b"\xff\xd8") else None
        if size is not None:
            out.append(Meta("ifd1", "JPEG:ThumbnailSize", size))


def _exif_block(block: bytes, out: list[Meta]) -> _Exif | None:
    """Everything in an EXIF block (without its ``Exif\\0\\0`` header); None if unreadable."""
    try:
        x = parse_tiff(block)
    except (ValueError, struct.error) as exc:
        out.append(Meta("exif", "Scrutiny:Warning", f"EXIF not read: {exc}"))
        return None
    for location in ("ifd0", "exif", "gps", "interop", "ifd1"):
        _ifd(x, location, out)
    _gps(x, out)
    _makernote(x, out)
    out.extend(Meta("exif", "Scrutiny:Warning", warning) for warning in x.warnings)
    return x
