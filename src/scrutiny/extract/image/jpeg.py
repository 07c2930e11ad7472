"""The JPEG file structure, read with ``struct`` straight from the bytes: the marker segments
in order, the entropy-coded data walked to the end-of-image marker, the quantization and
Huffman tables, the frame header, and the APP segments handed to the EXIF, XMP, Photoshop and
ICC readers."""

from __future__ import annotations

import operator
import re
import struct
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from scrutiny.extract.base import Limits, Meta
from scrutiny.extract.image.common import (
    SOF_PROCESSES,
    _pixel_problem,
    _scalar,
    _text,
    _u16,
)
from scrutiny.extract.image.embedded import _icc, _irb, _xmp
from scrutiny.extract.image.tiff import _exif_block, _thumbnail

# In the entropy-coded data 0xFF is followed by 0x00 (stuffing) or a restart marker; anything
# else is the next marker (0xFF fill bytes may precede it).
NEXT_MARKER = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")
SCAN_WINDOW = 1 << 18         # bytes of entropy-coded data compared per NumPy pass
PROGRESSIVE = {0xC2, 0xC6, 0xCA, 0xCE}
SUBSAMPLINGS = {(1, 1): "4:4:4", (2, 1): "4:2:2", (2, 2): "4:2:0", (1, 2): "4:4:0",
                (4, 1): "4:1:1", (4, 2): "4:1:0"}  # luma over chroma sampling factors
XMP_ID = b"http://ns.adobe.com/xap/1.0/\x00"
XMP_EXT_ID = b"http://ns.adobe.com/xmp/extension/\x00"
# The position in the 8x8 block (row-major) of each coefficient in zig-zag order.
ZIGZAG = (0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41,
          34, 27, 20, 13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30,
          37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63)
TO_NATURAL = operator.itemgetter(*sorted(range(64), key=ZIGZAG.__getitem__))
# The Huffman tables of ITU T.81 Annex K.3 as (class, counts + symbols): what an encoder
# writes when it does not optimize them.
_AC = "0102030004110512213141061351610722711432"
_AC_LUMA = (_AC + "8191a1082342b1c11552d1f02433627282090a161718191a25262728292a3435363738393a4344"
            "45464748494a535455565758595a636465666768696a737475767778797a838485868788898a9293"
            "9495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7"
            "d8d9dae1e2e3e4e5e6e7e8e9eaf1f2f3f4f5f6f7f8f9fa")
_AC_CHROMA = ("000102031104052131061241510761711322328108144291a1b1c109233352f0156272d10a1624"
              "34e125f11718191a262728292a35363738393a434445464748494a535455565758595a63646566"
              "6768696a737475767778797a82838485868788898a92939495969798999aa2a3a4a5a6a7a8a9aa"
              "b2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae2e3e4e5e6e7e8e9eaf2f3f4"
              "f5f6f7f8f9fa")
STANDARD_HUFFMAN = frozenset({
    (0, bytes.fromhex("00010501010101010100000000000000000102030405060708090a0b")),
    (0, bytes.fromhex("00030101010101010101010000000000000102030405060708090a0b")),
    (1, bytes.fromhex("0002010303020403050504040000017d" + _AC_LUMA)),
    (1, bytes.fromhex("00020102040403040705040400010277" + _AC_CHROMA)),
})


def _marker_names() -> tuple[str, ...]:
    names = [f"0x{m:02X}" for m in range(256)]
    for m in range(0xC0, 0xD0):
        names[m] = f"SOF{m - 0xC0}"
    for m in range(16):
        names[0xE0 + m], names[0xF0 + m] = f"APP{m}", f"JPG{m}"
    for m in range(8):
        names[0xD0 + m] = f"RST{m}"
    fixed = {0x01: "TEM", 0xC4: "DHT", 0xC8: "JPG", 0xCC: "DAC", 0xD8: "SOI", 0xD9: "EOI",
             0xDA: "SOS", 0xDB: "DQT", 0xDC: "DNL", 0xDD: "DRI", 0xDE: "DHP", 0xDF: "EXP",
             0xFE: "COM"}
    for m, name in fixed.items():
        names[m] = name
    return tuple(names)


MARKER_NAMES = _marker_names()


class _Frame(NamedTuple):
    marker: int
    precision: int
    height: int
    width: int
    components: tuple[tuple[int, int, int, int], ...]  # id, horizontal, vertical, table


@dataclass
class _Jpeg:
    """What a walk over a JPEG's marker segments found."""

    segments: list[str] = field(default_factory=lambda: ["SOI"])
    apps: list[str] = field(default_factory=list)
    exif: bytes | None = None
    xmp: list[bytes] = field(default_factory=list)
    xmp_extended: int = 0
    irb: bytes = b""
    icc: dict[int, bytes] = field(default_factory=dict)
    jfif: bytes | None = None
    adobe: bytes | None = None
    comments: list[str] = field(default_factory=list)
    qtables: dict[int, list[int]] = field(default_factory=dict)
    huffman: list[tuple[int, bytes]] = field(default_factory=list)
    frame: _Frame | None = None
    restart: int | None = None
    scans: int = 0
    eoi: int | None = None
    problems: list[str] = field(default_factory=list)


def _app_id(seg: bytes) -> str:
    if seg.startswith(XMP_ID):
        return "XMP"
    if seg.startswith(XMP_EXT_ID):
        return "XMP-extension"
    ident = seg[:32].split(b"\x00", 1)[0].decode("latin-1")
    return ident if ident.isascii() and ident.isprintable() else ""


def _app(j: _Jpeg, marker: int, seg: bytes) -> None:
    ident = _app_id(seg)
    j.apps.append(f"APP{marker - 0xE0}:{ident}" if ident else f"APP{marker - 0xE0}")
    if marker == 0xE1 and seg.startswith(b"Exif\x00"):
        if j.exif is None:
            j.exif = seg[6:]
        else:
            j.problems.append("a second Exif segment, ignored")
    elif marker == 0xE1 and ident == "XMP":
        j.xmp.append(seg[len(XMP_ID):])
    elif marker == 0xE1 and ident == "XMP-extension":
        j.xmp_extended += 1
    elif marker == 0xE2 and seg.startswith(b"ICC_PROFILE\x00") and len(seg) > 14:
        j.icc[seg[12]] = seg[14:]               # chunks by sequence number
    elif marker == 0xED and seg.startswith(b"Photoshop 3.0\x00"):
        j.irb += seg[14:]
    elif marker == 0xE0 and seg.startswith(b"JFIF\x00"):
        j.jfif = seg[5:]
    elif marker == 0xEE and seg.startswith(b"Adobe"):
        j.adobe = seg[5:]


def _dqt(j: _Jpeg, seg: bytes) -> None:
    pos = 0
    while pos < len(seg):
        width = 2 if seg[pos] >> 4 else 1       # 16- or 8-bit entries
        raw = seg[pos + 1:pos + 1 + 64 * width]
        if len(raw) < 64 * width:
            j.problems.append("a quantization table is cut short")
            return
        values = struct.unpack(">64H", raw) if width == 2 else raw
        if j.scans == 0:                        # the tables the first scan is coded with
            j.qtables[seg[pos] & 15] = list(TO_NATURAL(values))
        pos += 1 + 64 * width


def _dht(j: _Jpeg, seg: bytes) -> None:
    pos = 0
    while pos + 17 <= len(seg):
        size = sum(seg[pos + 1:pos + 17])
        j.huffman.append((seg[pos] >> 4, seg[pos + 1:pos + 17 + size]))
        pos += 17 + size


def _sof(j: _Jpeg, marker: int, seg: bytes) -> None:
    if len(seg) < 6:
        j.problems.append("a frame header (SOF) is cut short")
        return
    if j.frame is None:
        comps = tuple((seg[i], seg[i + 1] >> 4, seg[i + 1] & 15, seg[i + 2])
                      for i in range(6, min(len(seg) - 2, 6 + 3 * seg[5]), 3))
        j.frame = _Frame(marker, seg[0], _u16(seg, 1), _u16(seg, 3), comps)


def _segment(j: _Jpeg, marker: int, seg: bytes) -> None:
    if 0xE0 <= marker <= 0xEF:
        _app(j, marker, seg)
    elif marker == 0xDB:
        _dqt(j, seg)
    elif marker == 0xC4:
        _dht(j, seg)
    elif marker in SOF_PROCESSES:
        _sof(j, marker, seg)
    elif marker == 0xDD and len(seg) >= 2:
        j.restart = _u16(seg, 0)
    elif marker == 0xFE:
        j.comments.append(_text(seg).strip() if b"\x00" not in seg[:-1] else seg.hex())


def next_marker(data: bytes, pos: int, window: int = SCAN_WINDOW) -> int:
    """Where the entropy-coded data from ``pos`` ends: the offset of the next marker, or -1.
    NumPy finds the first 0xFF not followed by a stuffed 0x00, a window at a time, several
    times faster than a byte loop; when that is a restart marker or a fill byte, the regex
    takes over and steps over the rest in one pass."""
    view, end = np.frombuffer(data, np.uint8), len(data) - 1
    while pos < end:
        stop = min(pos + window, end)
        hit = view[pos:stop] == 0xFF
        hit &= view[pos + 1:stop + 1] != 0
        first = int(hit.argmax())
        if hit[first]:
            found = pos + first
            if data[found + 1] != 0xFF and not 0xD0 <= data[found + 1] <= 0xD7:
                return found
            match = NEXT_MARKER.search(data, found)
            return match.start() if match else -1
        pos = stop
    return -1


def walk_jpeg(data: bytes, header_only: bool = False) -> _Jpeg:
    """Walk the marker segments from SOI to EOI, following every scan's entropy-coded data to
    the next marker. ``header_only`` stops at the first scan."""
    j, pos, size = _Jpeg(), 2, len(data)
    while True:
        if pos + 2 > size:
            j.problems.append("the file ends before the end-of-image marker (truncated)")
            break
        if data[pos] != 0xFF:
            j.problems.append(f"no JPEG marker at byte {pos}: the segment structure is corrupt")
            break
        marker = data[pos + 1]
        if marker == 0xFF:              # a fill byte before a marker
            pos += 1
            continue
        j.segments.append(MARKER_NAMES[marker])
        if marker == 0xD9:
            j.eoi = pos + 2
            break
        if marker == 0x01 or 0xD0 <= marker <= 0xD8:
            pos += 2
            continue
        end = pos + 2 + (_u16(data, pos + 2) if pos + 4 <= size else 0)
        if end < pos + 4 or end > size:
            j.problems.append(f"the {MARKER_NAMES[marker]} segment at byte {pos} is cut short "
                              "(truncated)")
            if 0xE0 <= marker <= 0xEF:     # what there is of EXIF, XMP… is still worth reading
                _segment(j, marker, data[pos + 4:size])
            break
        _segment(j, marker, data[pos + 4:end])
        pos = end
        if marker == 0xDA:
            j.scans += 1
            if header_only:
                break
            pos = next_marker(data, pos)
            if pos < 0:
                j.problems.append("the image data ends without an end-of-image marker "
                                  "(truncated)")
                break
    return j


def _subsampling(frame: _Frame) -> str:
    comps = frame.components
    if len(comps) == 1:
        return "4:0:0"
    factors = " ".join(f"{h}x{v}" for _, h, v, _ in comps)
    if len(comps) != 3 or comps[1][1:3] != comps[2][1:3] or 0 in comps[1][1:3]:
        return factors
    (_, h1, v1, _), (_, h2, v2, _) = comps[:2]
    if h1 % h2 or v1 % v2:
        return factors
    return SUBSAMPLINGS.get((h1 // h2, v1 // v2), factors)


def _structure(j: _Jpeg, size: int, out: list[Meta]) -> None:
    out.append(Meta("jpeg", "JPEG:Segments", j.segments))
    out.append(Meta("jpeg", "JPEG:AppSegments", j.apps))
    if j.frame is not None:
        frame = j.frame
        out.append(_scalar("", "File:ImageWidth", frame.width))
        out.append(_scalar("", "File:ImageHeight", frame.height))
        out.append(_scalar("jpeg", "JPEG:Process", SOF_PROCESSES[frame.marker]))
        out.append(_scalar("jpeg", "JPEG:Progressive", frame.marker in PROGRESSIVE))
        out.append(_scalar("jpeg", "JPEG:BitsPerSample", frame.precision))
        out.append(_scalar("jpeg", "JPEG:ColorComponents", len(frame.components)))
        out.append(_scalar("jpeg", "JPEG:Subsampling", _subsampling(frame)))
    out.append(Meta("jpeg", "JPEG:QuantizationTables", [j.qtables[k] for k in sorted(j.qtables)]))
    standard = all(table in STANDARD_HUFFMAN for table in j.huffman)
    huffman = None if not j.huffman else "standard" if standard else "optimized"
    out.append(_scalar("jpeg", "JPEG:HuffmanTables", huffman))
    out.append(_scalar("jpeg", "JPEG:Scans", j.scans))
    if j.restart is not None:
        out.append(_scalar("jpeg", "JPEG:RestartInterval", j.restart))
    if j.eoi is not None:
        out.append(_scalar("jpeg", "JPEG:TrailingBytes", size - j.eoi))
    out.extend(Meta("jpeg", "File:Comment", comment) for comment in j.comments)


def _jfif_adobe(j: _Jpeg, out: list[Meta]) -> None:
    if j.jfif is not None and len(j.jfif) >= 9:
        major, minor, unit, xres, yres, tw, th = struct.unpack_from(">BBBHHBB", j.jfif)
        out.append(Meta("jpeg", "JFIF:JFIFVersion", f"{major}.{minor:02d}"))
        out.append(Meta("jpeg", "JFIF:ResolutionUnit", unit))
        out.append(Meta("jpeg", "JFIF:XResolution", xres))
        out.append(Meta("jpeg", "JFIF:YResolution", yres))
        out.append(Meta("jpeg", "JFIF:ThumbnailSize", [tw, th]))
    if j.adobe is not None and len(j.adobe) >= 7:
        version, _, _, transform = struct.unpack_from(">HHHB", j.adobe)
        out.append(Meta("jpeg", "Adobe:DCTEncodeVersion", version))
        out.append(Meta("jpeg", "Adobe:ColorTransform", transform))


def _embedded(j: _Jpeg, out: list[Meta]) -> None:
    """EXIF, XMP, Photoshop/IPTC and ICC found in the APP segments."""
    x = _exif_block(j.exif, out) if j.exif is not None else None
    _thumbnail(x, out)
    for packet in j.xmp:
        _xmp(packet, out)
    if j.xmp_extended:
        out.append(Meta("xmp", "XMP:HasExtendedXMP", True))
    if j.irb:
        _irb(j.irb, out)
    if j.icc:
        _icc(b"".join(j.icc[k] for k in sorted(j.icc)), out)


def jpeg_metas(data: bytes, limits: Limits) -> tuple[list[Meta], str | None]:
    """Everything about a JPEG, and what is wrong with it (corrupt, truncated, oversized)."""
    j = walk_jpeg(data)
    out = [_scalar("", "File:Type", "JPEG")]
    _structure(j, len(data), out)
    _jfif_adobe(j, out)
    _embedded(j, out)
    problems = list(j.problems)
    if j.frame is None:
        problems.append("no frame header (SOF): the picture cannot be decoded")
    elif j.frame.width * j.frame.height > limits.max_pixels:
        problems.append(_pixel_problem(j.frame.width, j.frame.height, limits))
    return out, "JPEG only partly read: " + "; ".join(problems) if problems else None
