"""Metadata blocks embedded in images: XMP packets, the Photoshop image resource block with
its IPTC record, and ICC profiles."""

from __future__ import annotations

import hashlib
import struct
import xml.etree.ElementTree as ET
from typing import Any

from scrutiny.extract.base import Meta
from scrutiny.extract.image.common import _text, _u16

MAX_XMP_DEPTH = 32            # XMP structures nested deeper are not followed
RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
XML_NS = "{http://www.w3.org/XML/1998/namespace}"
IPTC_NAMES = {
    (1, 0): "EnvelopeRecordVersion", (1, 90): "CodedCharacterSet",
    (2, 0): "ApplicationRecordVersion", (2, 5): "ObjectName", (2, 10): "Urgency",
    (2, 15): "Category", (2, 20): "SupplementalCategories", (2, 25): "Keywords",
    (2, 40): "SpecialInstructions", (2, 55): "DateCreated", (2, 60): "TimeCreated",
    (2, 62): "DigitalCreationDate", (2, 63): "DigitalCreationTime",
    (2, 65): "OriginatingProgram", (2, 70): "ProgramVersion", (2, 80): "By-line",
    (2, 85): "By-lineTitle", (2, 90): "City", (2, 92): "Sub-location",
    (2, 95): "Province-State", (2, 100): "Country-PrimaryLocationCode",
    (2, 101): "Country-PrimaryLocationName", (2, 103): "OriginalTransmissionReference",
    (2, 105): "Headline", (2, 110): "Credit", (2, 115): "Source", (2, 116): "CopyrightNotice",
    (2, 118): "Contact", (2, 120): "Caption-Abstract", (2, 122): "Writer-Editor",
}


# --------------------------------------------------------------------------- XMP


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _plain(attribute: str) -> bool:
    """An attribute that is a property, not RDF or xml:lang syntax."""
    return not attribute.startswith((RDF, XML_NS))


def _xmp_struct(element: ET.Element, depth: int = 0) -> dict[str, Any]:
    props: dict[str, Any] = {_local(k): v for k, v in element.attrib.items() if _plain(k)}
    for child in element:
        if child.tag == RDF + "Description":
            props.update(_xmp_struct(child, depth + 1))
        else:
            props[_local(child.tag)] = _xmp_value(child, depth + 1)
    return props


def _xmp_value(element: ET.Element, depth: int = 0) -> Any:
    """A property: text, a list for rdf:Seq/Bag, the default for rdf:Alt, a dict for structs
    (nested at most MAX_XMP_DEPTH deep: a hostile packet could nest thousands of levels)."""
    if depth > MAX_XMP_DEPTH:
        return "(nested too deep, not read)"
    if RDF + "resource" in element.attrib:
        return element.attrib[RDF + "resource"]
    children = list(element)
    if children and children[0].tag in (RDF + "Seq", RDF + "Bag"):
        return [_xmp_value(li, depth + 1) for li in children[0]]
    if children and children[0].tag == RDF + "Alt":
        items = list(children[0])
        default = [li for li in items if li.get(XML_NS + "lang") == "x-default"]
        return _xmp_value((default or items)[0], depth + 1) if items else None
    if children or element.get(RDF + "parseType") == "Resource" or any(
            _plain(k) for k in element.attrib):
        return _xmp_struct(element, depth)
    return (element.text or "").strip()


def _xmp(packet: bytes | str, out: list[Meta]) -> None:
    """Every top-level XMP property as ``XMP:<Name>`` (xmp:CreatorTool, xmpMM:History as a
    list of dicts, dc:creator as a list…). A DTD is refused, never parsed: XMP has no use for
    one, and without one the parser has no entities to expand (no billion laughs)."""
    data = packet.encode("utf-8") if isinstance(packet, str) else packet
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        out.append(Meta("xmp", "Scrutiny:Warning", "XMP not read: it declares a DTD"))
        return
    try:
        root = ET.fromstring(data.strip(b"\x00 \r\n\t"))  # noqa: S314 - no DTD, see above
    except ET.ParseError as exc:
        out.append(Meta("xmp", "Scrutiny:Warning", f"XMP not read: {exc}"))
        return
    for rdf in root.iter(RDF + "RDF"):
        for description in rdf.iterfind(RDF + "Description"):
            for name, value in _xmp_struct(description).items():
                out.append(Meta("xmp", f"XMP:{name[:1].upper()}{name[1:]}", value))


# --------------------------------------------------------------------------- Photoshop / IPTC


def _irb_resources(irb: bytes) -> dict[int, bytes]:
    """The 8BIM resources of a Photoshop image resource block, by ID."""
    found: dict[int, bytes] = {}
    pos = 0
    while pos + 12 <= len(irb) and irb[pos:pos + 4] == b"8BIM":
        rid, name_len = _u16(irb, pos + 4), irb[pos + 6]
        pos += 6 + ((name_len + 2) & ~1)     # Pascal name padded to even length
        if pos + 4 > len(irb):
            break
        size = struct.unpack_from(">L", irb, pos)[0]
        found.setdefault(rid, irb[pos + 4:pos + 4 + size])
        pos += 4 + size + (size & 1)
    return found


def _iptc_value(dataset: int, raw: bytes, utf8: bool) -> Any:
    if dataset == 0 and len(raw) <= 4:          # the record versions are binary numbers
        return int.from_bytes(raw, "big")
    if utf8:
        return raw.decode("utf-8", "replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _iptc(data: bytes, out: list[Meta]) -> None:
    """IPTC-IIM datasets; repeated ones (Keywords…) become lists."""
    values: dict[str, Any] = {}
    utf8, pos = False, 0
    while pos + 5 <= len(data) and data[pos] == 0x1C:
        record, dataset, size = data[pos + 1], data[pos + 2], _u16(data, pos + 3)
        pos += 5
        if size & 0x8000:                       # extended: the length of the length
            width = size & 0x7FFF
            size = int.from_bytes(data[pos:pos + width], "big")
            pos += width
        raw, pos = data[pos:pos + size], pos + size
        utf8 = utf8 or (record, dataset, raw) == (1, 90, b"\x1b%G")
        name = IPTC_NAMES.get((record, dataset), f"Dataset{record}-{dataset}")
        value = _iptc_value(dataset, raw, utf8)
        old = values.get(name)
        values[name] = value if old is None else [*old, value] if isinstance(old, list) else [
            old, value]
    out.extend(Meta("iptc", f"IPTC:{name}", value) for name, value in values.items())


def _irb(irb: bytes, out: list[Meta]) -> None:
    """The Photoshop block's presence and resource IDs, its IPTC record, and whether the IPTC
    digest Photoshop stored still matches the record (an edit elsewhere leaves it stale)."""
    resources = _irb_resources(irb)
    out.append(Meta("jpeg", "Photoshop:IRB", True))
    out.append(Meta("jpeg", "Photoshop:Resources", [f"0x{rid:04x}" for rid in resources]))
    thumb = resources.get(0x040C) or resources.get(0x0409)
    if thumb is not None:
        out.append(Meta("jpeg", "Photoshop:ThumbnailLength", max(0, len(thumb) - 28)))
    iptc = resources.get(0x0404)
    if iptc is not None:
        _iptc(iptc, out)
        digest = resources.get(0x0425)
        if digest is not None:
            actual = hashlib.md5(iptc, usedforsecurity=False).digest()
            out.append(Meta("iptc", "Photoshop:IPTCDigestMatches", digest == actual))


# --------------------------------------------------------------------------- ICC


def _icc_description(profile: bytes) -> str | None:
    count = struct.unpack_from(">L", profile, 128)[0] if len(profile) >= 132 else 0
    for i in range(min(count, (len(profile) - 132) // 12)):
        sig, offset, size = struct.unpack_from(">4sLL", profile, 132 + 12 * i)
        tag = profile[offset:offset + size] if sig == b"desc" else b""
        if tag[:4] == b"desc" and len(tag) >= 12:     # ICC v2: counted ASCII
            length = struct.unpack_from(">L", tag, 8)[0]
            return _text(tag[12:12 + length]).strip()
        if tag[:4] == b"mluc" and len(tag) >= 28:     # ICC v4: first UTF-16 record
            length, start = struct.unpack_from(">LL", tag, 20)
            return tag[start:start + length].decode("utf-16-be", "replace").rstrip("\x00")
    return None


def _icc(profile: bytes, out: list[Meta]) -> None:
    if len(profile) < 128:
        out.append(Meta("icc", "Scrutiny:Warning", f"ICC profile of {len(profile)} bytes"))
        return
    out.append(Meta("icc", "ICC:ProfileDescription", _icc_description(profile)))
    out.append(Meta("icc", "ICC:ProfileVersion",
                    f"{profile[8]}.{profile[9] >> 4}.{profile[9] & 15}"))
    for key, start in (("ProfileCMMType", 4), ("ProfileClass", 12), ("ColorSpaceData", 16),
                       ("DeviceManufacturer", 48), ("ProfileCreator", 80)):
        out.append(Meta("icc", f"ICC:{key}", _text(profile[start:start + 4]).strip()))
