"""Builders of hostile (and well-formed) archives for the ingest tests.

Every function writes one file at the path it is given and returns that path, so a test can
hash the exact bytes it handed to scrutiny. Nothing here writes anywhere else.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
import struct
import tarfile
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import py7zr
import py7zr.py7zr

MiB = 1 << 20
FIXED_DATE = (2020, 1, 2, 3, 4, 6)
FIXED_MTIME = 1_577_934_246  # 2020-01-02T03:04:06Z


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# -- zip --------------------------------------------------------------------------------------


def zip_bytes(members: Iterable[tuple[str, bytes]],
              compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A zip (in memory) holding ``members`` in order, under their names exactly as given
    (``zipfile`` keeps ``../`` and leading ``/`` when a ``ZipInfo`` is passed)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=compression) as zf:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=FIXED_DATE)
            info.compress_type = compression
            zf.writestr(info, data)
    return buf.getvalue()


def make_zip(path: Path, members: Iterable[tuple[str, bytes]],
             compression: int = zipfile.ZIP_DEFLATED) -> Path:
    path.write_bytes(zip_bytes(members, compression))
    return path


def make_zip_with_symlink(path: Path, link_name: str, target: str,
                          others: Iterable[tuple[str, bytes]] = ()) -> Path:
    """A zip whose member ``link_name`` is a Unix symbolic link to ``target`` (Info-ZIP
    convention: mode S_IFLNK in the high 16 bits of external_attr, target as the data)."""
    with zipfile.ZipFile(path, "w") as zf:
        info = zipfile.ZipInfo(link_name, date_time=FIXED_DATE)
        info.create_system = 3  # Unix
        info.external_attr = 0o120777 << 16
        zf.writestr(info, target)
        for name, data in others:
            zf.writestr(zipfile.ZipInfo(name, date_time=FIXED_DATE), data)
    return path


def make_zip_bomb(path: Path, size: int = 40 * MiB, name: str = "zeros.bin",
                  others: Iterable[tuple[str, bytes]] = ()) -> Path:
    """One member of ``size`` zero bytes, deflated (about 1000:1)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for other_name, data in others:
            zf.writestr(zipfile.ZipInfo(other_name, date_time=FIXED_DATE), data)
        info = zipfile.ZipInfo(name, date_time=FIXED_DATE)
        info.compress_type = zipfile.ZIP_DEFLATED
        zf.writestr(info, bytes(size))
    return path


def make_nested_zips(path: Path, levels: int, leaf: bytes = b"the innermost file\n",
                     ) -> list[bytes]:
    """``level1.zip`` holds ``level2.zip`` … holds ``leaf.txt``. Each level also holds a
    small text file ``note<N>.txt``. Writes the outermost to ``path``; returns the bytes of
    every level, outermost first."""
    inner = zip_bytes([("leaf.txt", leaf)])
    layers = [inner]
    for n in range(levels, 1, -1):
        inner = zip_bytes([(f"level{n}.zip", inner), (f"note{n - 1}.txt", f"note {n - 1}\n"
                                                       .encode())])
        layers.append(inner)
    layers.reverse()
    path.write_bytes(layers[0])
    return layers


# Traditional PKWARE ("ZipCrypto") encryption, enough to build a real password-protected zip
# that ``unzip -P`` and ``zipfile`` (with ``pwd=``) open.

def _crc_table() -> list[int]:
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0xEDB88320 if c & 1 else c >> 1
        table.append(c)
    return table


_CRC_TABLE = _crc_table()


class _ZipCrypto:
    def __init__(self, password: bytes) -> None:
        self.k0, self.k1, self.k2 = 0x12345678, 0x23456789, 0x34567890
        for b in password:
            self._update(b)

    def _crc(self, crc: int, b: int) -> int:
        return (crc >> 8) ^ _CRC_TABLE[(crc ^ b) & 0xFF]

    def _update(self, b: int) -> None:
        self.k0 = self._crc(self.k0, b)
        self.k1 = ((self.k1 + (self.k0 & 0xFF)) * 134775813 + 1) & 0xFFFFFFFF
        self.k2 = self._crc(self.k2, self.k1 >> 24)

    def encrypt(self, data: bytes) -> bytes:
        out = bytearray()
        for p in data:
            t = (self.k2 | 2) & 0xFFFF
            out.append(p ^ (((t * (t ^ 1)) >> 8) & 0xFF))
            self._update(p)
        return bytes(out)


@dataclass(frozen=True)
class RawZipEntry:
    name: str
    data: bytes
    password: bytes | None = None


def make_raw_zip(path: Path, entries: Sequence[RawZipEntry]) -> Path:
    """A zip written byte by byte (stored, no compression), so members can be encrypted with
    ZipCrypto: flag bit 0 set in both the local header and the central directory."""
    out = bytearray()
    central = bytearray()
    dos_time = (FIXED_DATE[3] << 11) | (FIXED_DATE[4] << 5) | (FIXED_DATE[5] // 2)
    dos_date = ((FIXED_DATE[0] - 1980) << 9) | (FIXED_DATE[1] << 5) | FIXED_DATE[2]
    for e in entries:
        name = e.name.encode("utf-8")
        crc = zlib.crc32(e.data) & 0xFFFFFFFF
        payload = e.data
        flags = 0x800  # UTF-8 names
        if e.password is not None:
            flags |= 0x1
            # 12-byte encryption header; its last byte is the CRC's high byte (check byte)
            header = bytes(range(11)) + bytes([crc >> 24])
            payload = _ZipCrypto(e.password).encrypt(header + e.data)
        offset = len(out)
        out += struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, flags, 0, dos_time, dos_date,
                           crc, len(payload), len(e.data), len(name), 0)
        out += name + payload
        central += struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 0x0314, 20, flags, 0,
                               dos_time, dos_date, crc, len(payload), len(e.data), len(name),
                               0, 0, 0, 0, 0o100644 << 16, offset)
        central += name
    cd_offset = len(out)
    out += central
    out += struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(entries), len(entries),
                       len(central), cd_offset, 0)
    path.write_bytes(bytes(out))
    return path


# -- tar ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TarMember:
    name: str
    data: bytes = b""
    type: bytes = tarfile.REGTYPE
    linkname: str = ""


def make_tar(path: Path, members: Iterable[TarMember | tuple[str, bytes]],
             mode: str = "w") -> Path:
    """A tar (``mode`` "w", "w:gz", "w:bz2", "w:xz") with the members' names kept verbatim,
    including ``../`` and leading ``/``, and with symlinks/hardlinks/FIFOs as asked."""
    with tarfile.open(path, mode, format=tarfile.PAX_FORMAT) as tf:
        for m in members:
            if isinstance(m, tuple):
                m = TarMember(*m)
            info = tarfile.TarInfo(m.name)
            info.mtime = FIXED_MTIME
            info.type = m.type
            info.mode = 0o644
            if m.type == tarfile.REGTYPE:
                info.size = len(m.data)
                tf.addfile(info, io.BytesIO(m.data))
            else:
                info.linkname = m.linkname
                tf.addfile(info)
    return path


def tar_bytes(members: Iterable[tuple[str, bytes]], mode: str = "w") -> bytes:
    """A tar (in memory) of regular files."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode=mode, format=tarfile.PAX_FORMAT) as tf:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.mtime = FIXED_MTIME
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return buf.getvalue()


# -- single compressed streams and 7z -----------------------------------------------------------


def make_gzip_bomb(path: Path, size: int = 40 * MiB, prefix: bytes = b"") -> Path:
    """A single gzip stream (not a tar) of ``prefix`` followed by zero bytes."""
    chunk = bytes(MiB)
    with gzip.GzipFile(path, "wb", compresslevel=9, mtime=0) as gz:
        gz.write(prefix)
        left = size - len(prefix)
        while left > 0:
            n = min(left, len(chunk))
            gz.write(chunk[:n])
            left -= n
    return path


@contextlib.contextmanager
def _py7zr_accepts_any_name() -> Iterator[None]:
    """py7zr refuses to *write* ``../`` and absolute member names; an attacker's tool does
    not. Lift that check while one hostile archive is written."""
    saved = py7zr.py7zr.check_archive_path
    py7zr.py7zr.check_archive_path = lambda arcname: True
    try:
        yield
    finally:
        py7zr.py7zr.check_archive_path = saved


def make_7z(path: Path, members: Iterable[tuple[str, bytes]], password: str | None = None,
            header_encryption: bool = False, unsafe_names: bool = False) -> Path:
    guard = _py7zr_accepts_any_name() if unsafe_names else contextlib.nullcontext()
    with guard, py7zr.SevenZipFile(path, "w", password=password,
                                   header_encryption=header_encryption) as szf:
        for name, data in members:
            szf.writestr(data, name)
    return path


def make_7z_with_symlink(path: Path, workdir: Path, link_name: str, target: str,
                         others: Iterable[tuple[str, bytes]] = ()) -> Path:
    """A 7z holding a symbolic link (py7zr archives a link found on disk as a link).
    ``workdir`` is a scratch folder for the link and the other members."""
    workdir.mkdir(parents=True, exist_ok=True)
    link = workdir / link_name
    link.symlink_to(target)
    with py7zr.SevenZipFile(path, "w") as szf:
        szf.write(link, link_name)
        for name, data in others:
            szf.writestr(data, name)
    return path


def corrupt_zip_member(path: Path, name: str) -> Path:
    """Flip bytes in the middle of one member's data (the zip's directory stays intact, so the
    member's CRC check fails when it is read)."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(name)
    name_len, extra_len = struct.unpack_from("<HH", data, info.header_offset + 26)
    start = info.header_offset + 30 + name_len + extra_len
    middle = start + info.compress_size // 2
    for i in range(middle, middle + 16):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))
    return path


def truncate(path: Path, fraction: float = 0.5) -> Path:
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * fraction)])
    return path
