"""Unpack archives member by member, straight into the evidence store, under limits.

No member is ever written to a path taken from the archive: each is streamed into a blob, so
zip slip cannot escape the case. Unsafe names, links, bombs, encryption and damage are reported
to the caller as problems and unpacking goes on where it safely can.
"""

from __future__ import annotations

import bz2
import contextlib
import gzip
import lzma
import re
import stat
import tarfile
import zipfile
import zlib
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import PurePosixPath
from typing import IO, Any, Protocol

import py7zr
import py7zr.exceptions
import py7zr.io

from scrutiny.ingest.identify import is_ooxml_or_odf

COPY_SIZE = 1 << 20

# problem codes (see scrutiny.ingest.findings for their explanations)
UNSAFE_PATH = "INGEST-002"
LINK = "INGEST-003"
BOMB = "INGEST-004"
DAMAGED = "INGEST-006"
ENCRYPTED = "INGEST-007"
SPECIAL = "INGEST-009"


class LimitExceeded(Exception):
    """A limit stopped unpacking. ``whole`` means the rest of the archive is left packed."""

    def __init__(self, reason: str, whole: bool = False, **evidence: Any) -> None:
        super().__init__(reason)
        self.reason = reason
        self.whole = whole
        self.evidence = evidence


class MemberWriter(Protocol):
    def write(self, data: bytes | bytearray | memoryview) -> None: ...
    def commit(self) -> None: ...
    def abort(self) -> None: ...


class Unpacking(Protocol):
    """What an unpacker needs from the ingest run."""

    def writer(self, name: str, mtime: str, compressed: int | None) -> MemberWriter: ...
    def problem(self, code: str, member: str | None, reason: str, **evidence: Any) -> None: ...

    @property
    def max_members(self) -> int: ...


def _too_many(ctx: Unpacking, count: int) -> bool:
    if count <= ctx.max_members:
        return False
    ctx.problem(BOMB, None, f"archive has more than {ctx.max_members} members; the rest "
                "was not unpacked", limit=ctx.max_members)
    return True


def unsafe_name(name: str) -> str | None:
    """Why a member name could write outside a destination folder, or None if it cannot."""
    norm = name.replace("\\", "/")
    if "\x00" in norm:
        return "it contains a NUL byte"
    if norm.startswith("/") or re.match(r"^[A-Za-z]:", norm):
        return "it is an absolute path"
    if ".." in norm.split("/"):
        return "it climbs out of the archive with '..' (zip slip)"
    return None


def _iso(ts: float | None) -> str:
    if ts is None:
        return ""
    try:
        return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (OverflowError, OSError, ValueError):
        return ""


def copy_member(ctx: Unpacking, name: str, mtime: str, src: IO[bytes], compressed: int | None,
                declared: int | None = None) -> None:
    if (reason := unsafe_name(name)) is not None:
        ctx.problem(UNSAFE_PATH, name, f"member name is unsafe: {reason}; its content is "
                    "stored under its hash and nothing was written to that path", name=name)
    w = ctx.writer(name, mtime, compressed)
    try:
        while chunk := src.read(COPY_SIZE):
            w.write(chunk)
        w.commit()
    except BaseException:
        w.abort()
        raise


LINK_TARGET_MAX = 4096


def _link_problem(ctx: Unpacking, name: str, kind: str, target: str) -> None:
    ctx.problem(LINK, name, f"{kind} in the archive pointing to {target!r}; not followed",
                name=name, target=target)


def _run_member(ctx: Unpacking, name: str, action: Callable[[], None]) -> bool:
    """Run one member's copy; report its failure. Returns False when the archive must stop."""
    try:
        action()
    except LimitExceeded as exc:
        ctx.problem(BOMB, name, exc.reason, **exc.evidence)
        return not exc.whole
    except (zipfile.BadZipFile, zlib.error, EOFError, lzma.LZMAError, OSError,
            tarfile.TarError, py7zr.exceptions.ArchiveError, ValueError) as exc:
        ctx.problem(DAMAGED, name, f"member could not be read: {type(exc).__name__}: {exc}")
    except (NotImplementedError, RuntimeError) as exc:
        ctx.problem(DAMAGED, name, f"member uses an unsupported feature: {exc}")
    return True


# -- zip ---------------------------------------------------------------------------------


def _zip_name(info: zipfile.ZipInfo) -> str:
    """Member name, repairing the common case of GBK/UTF-8 names stored without the UTF-8
    flag (zipfile then decodes them as cp437)."""
    name = info.filename
    if info.flag_bits & 0x800 or name.isascii():
        return name
    raw = name.encode("cp437", errors="replace")
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return name


def unpack_zip(f: IO[bytes], ctx: Unpacking, limits_ratio: tuple[int, int]) -> bool:
    """Returns False when the file turned out to be an Office/OpenDocument file, not an
    archive."""
    max_ratio, floor = limits_ratio
    try:
        zf = zipfile.ZipFile(f)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        ctx.problem(DAMAGED, None, f"zip archive cannot be opened: {exc}")
        return True
    with zf:
        infos = zf.infolist()
        if is_ooxml_or_odf([i.filename for i in infos]):
            return False
        files = [i for i in infos if not i.is_dir()]
        if _too_many(ctx, len(files)):
            files = files[: ctx.max_members]
        for info in files:
            name = _zip_name(info)
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                target = "?"
                if info.file_size <= LINK_TARGET_MAX:
                    with contextlib.suppress(Exception):
                        target = zf.read(info).decode("utf-8", "replace")
                _link_problem(ctx, name, "symbolic link", target)
                continue
            if info.flag_bits & 0x1:
                ctx.problem(ENCRYPTED, name, "member is password-protected; it cannot be "
                            "unpacked without the password (the archive itself is stored)",
                            name=name)
                continue
            if (info.file_size > floor and info.compress_size
                    and info.file_size / info.compress_size > max_ratio):
                ctx.problem(BOMB, name, f"declared compression ratio "
                            f"{info.file_size // max(1, info.compress_size)}:1 exceeds the "
                            f"limit of {max_ratio}:1 (a zip bomb); member not unpacked",
                            name=name, declared_size=info.file_size,
                            compressed_size=info.compress_size)
                continue
            mtime = "{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}".format(*info.date_time)

            def action(info: zipfile.ZipInfo = info, name: str = name, mtime: str = mtime) -> None:
                with zf.open(info) as src:
                    copy_member(ctx, name, mtime, src, info.compress_size, info.file_size)

            if not _run_member(ctx, name, action):
                break
    return True


# -- tar and single compressed streams ----------------------------------------------------


def unpack_tree_or_stream(f: IO[bytes], ctx: Unpacking, single_name: str) -> None:
    """A tar (plain or compressed), or a single compressed file."""
    try:
        tf = tarfile.open(fileobj=f, mode="r:*")  # noqa: SIM115 - closed below
    except tarfile.ReadError:
        f.seek(0)
        _unpack_single(f, ctx, single_name)
        return
    except (tarfile.TarError, EOFError, OSError, zlib.error, lzma.LZMAError) as exc:
        ctx.problem(DAMAGED, None, f"tar archive cannot be opened: {exc}")
        return
    with tf:
        count = 0
        while True:
            try:
                m = tf.next()
            except (tarfile.TarError, EOFError, OSError, zlib.error, lzma.LZMAError) as exc:
                ctx.problem(DAMAGED, None, f"tar archive is damaged or truncated after "
                            f"{count} members: {exc}")
                return
            if m is None:
                if count == 0:
                    # tarfile reads a compressed stream starting with zero bytes as an empty
                    # tar; it is a single compressed file (or a bomb of zeros)
                    f.seek(0)
                    _unpack_single(f, ctx, single_name)
                return
            count += 1
            if _too_many(ctx, count):
                return
            if m.isdir():
                continue
            if m.issym() or m.islnk():
                _link_problem(ctx, m.name, "symbolic link" if m.issym() else "hard link",
                              m.linkname)
                continue
            if not m.isreg():
                ctx.problem(SPECIAL, m.name, "device, FIFO or other special member; skipped",
                            name=m.name)
                continue

            def action(m: tarfile.TarInfo = m) -> None:
                src = tf.extractfile(m)
                if src is None:
                    raise OSError("member has no data")
                with src:
                    copy_member(ctx, m.name, _iso(m.mtime), src, None, m.size)

            if not _run_member(ctx, m.name, action):
                return


_OPENERS: dict[bytes, Callable[[IO[bytes]], Any]] = {
    b"\x1f\x8b": lambda f: gzip.GzipFile(fileobj=f, mode="rb"),
    b"BZh": lambda f: bz2.BZ2File(f, mode="rb"),
    b"\xfd7zXZ\x00": lambda f: lzma.LZMAFile(f, mode="rb"),  # noqa: SIM115
}


def _unpack_single(f: IO[bytes], ctx: Unpacking, name: str) -> None:
    """A compressed file that is not a tar: one member, named without the suffix."""
    head = f.read(6)
    f.seek(0)
    if not any(head.startswith(m) for m in _OPENERS):
        return  # an empty plain tar
    for magic_bytes, opener in _OPENERS.items():
        if head.startswith(magic_bytes):
            inner = str(PurePosixPath(name).with_suffix("")) or "member"

            def action(inner: str = inner, opener: Callable[[IO[bytes]], Any] = opener,
                       ) -> None:
                with opener(f) as stream:
                    copy_member(ctx, inner, "", stream, None)

            _run_member(ctx, inner, action)
            return
    ctx.problem(DAMAGED, None, "not a readable tar or compressed file")


# -- 7z ----------------------------------------------------------------------------------


class _SevenZipIO(py7zr.io.Py7zIO):
    def __init__(self, ctx: Unpacking, name: str, mtime: str) -> None:
        self._ctx = ctx
        self._name = name
        self._size = 0
        self._writer = ctx.writer(name, mtime, None)
        self._closed = False

    def write(self, s: bytes | bytearray) -> int:
        self._writer.write(s)
        self._size += len(s)
        return len(s)

    def read(self, size: int | None = None) -> bytes:
        return b""

    def seek(self, offset: int, whence: int = 0) -> int:
        return 0

    def flush(self) -> None:
        return None

    def size(self) -> int:
        return self._size

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._writer.commit()

    def abort(self) -> None:
        if not self._closed:
            self._closed = True
            self._writer.abort()


class _SevenZipLink(py7zr.io.Py7zIO):
    """Receives a 7z symbolic link's target (its data) so it can be reported, not stored."""

    def __init__(self, ctx: Unpacking, name: str) -> None:
        self._ctx = ctx
        self._name = name
        self._target = bytearray()

    def write(self, s: bytes | bytearray) -> int:
        self._target += s[: LINK_TARGET_MAX - len(self._target)]
        return len(s)

    def read(self, size: int | None = None) -> bytes:
        return b""

    def seek(self, offset: int, whence: int = 0) -> int:
        return 0

    def flush(self) -> None:
        return None

    def size(self) -> int:
        return len(self._target)

    def close(self) -> None:
        _link_problem(self._ctx, self._name, "symbolic link",
                      bytes(self._target).decode("utf-8", "replace"))

    def abort(self) -> None:
        return None


class _SevenZipFactory(py7zr.io.WriterFactory):
    def __init__(self, ctx: Unpacking, mtimes: dict[str, str], renamed: dict[str, str],
                 links: set[str]) -> None:
        self.ctx = ctx
        self.mtimes = mtimes
        self.renamed = renamed
        self.links = links
        self.open: list[_SevenZipIO | _SevenZipLink] = []

    def create(self, filename: str) -> py7zr.io.Py7zIO:
        name = self.renamed.get(filename, filename)
        io_: _SevenZipIO | _SevenZipLink
        if filename in self.links:
            io_ = _SevenZipLink(self.ctx, name)
        else:
            if (reason := unsafe_name(name)) is not None:
                self.ctx.problem(UNSAFE_PATH, name, f"member name is unsafe: {reason}; its "
                                 "content is stored under its hash and nothing was written "
                                 "to that path", name=name)
            io_ = _SevenZipIO(self.ctx, name, self.mtimes.get(filename, ""))
        self.open.append(io_)
        return io_


def _neutralise_7z_names(szf: py7zr.SevenZipFile) -> dict[str, str]:
    """py7zr rejects a whole archive with a '..' member and silently strips a leading '/',
    before any writer sees the name. Give such members a placeholder name so they are
    unpacked and reported under their real name. Returns placeholder → real name."""
    renamed: dict[str, str] = {}
    try:
        for i, member in enumerate(szf.files):
            original = member.filename
            if unsafe_name(original) is not None:
                placeholder = f"unsafe-member-{i}"
                member._file_info["filename"] = placeholder
                renamed[placeholder] = original
    except (AttributeError, KeyError, TypeError):
        pass  # a py7zr without this layout: the archive is then reported as damaged
    return renamed


def unpack_7z(f: IO[bytes], ctx: Unpacking) -> None:
    try:
        szf = py7zr.SevenZipFile(f, mode="r")
    except py7zr.exceptions.PasswordRequired:
        ctx.problem(ENCRYPTED, None, "7z archive is password-protected (even its file list); "
                    "it cannot be unpacked without the password")
        return
    except (py7zr.exceptions.ArchiveError, EOFError, OSError, ValueError, lzma.LZMAError,
            KeyError, IndexError, TypeError) as exc:
        ctx.problem(DAMAGED, None, f"7z archive cannot be opened: {type(exc).__name__}: {exc}")
        return
    with szf:
        if szf.needs_password():
            ctx.problem(ENCRYPTED, None, "7z archive content is password-protected; it "
                        "cannot be unpacked without the password")
            return
        renamed = _neutralise_7z_names(szf)
        infos = szf.list()
        if _too_many(ctx, len(infos)):
            infos = infos[: ctx.max_members]
        mtimes: dict[str, str] = {}
        for info in infos:
            if info.creationtime is not None:
                mtimes[info.filename] = info.creationtime.astimezone(UTC).strftime(
                    "%Y-%m-%dT%H:%M:%SZ")
        wanted = [i.filename for i in infos if i.is_file or i.is_symlink]
        links = {i.filename for i in infos if i.is_symlink}
        factory = _SevenZipFactory(ctx, mtimes, renamed, links)

        def action() -> None:
            try:
                if wanted:
                    szf.extract(targets=wanted, factory=factory)
            finally:
                for io_ in factory.open:
                    io_.abort()

        _run_member(ctx, "(7z stream)", action)


def archive_kind(mime: str) -> str | None:
    if mime in ("application/zip", "application/x-zip-compressed"):
        return "zip"
    if mime == "application/x-7z-compressed":
        return "7z"
    if mime in ("application/x-tar", "application/gzip", "application/x-gzip",
                "application/x-bzip2", "application/x-xz"):
        return "tar"
    return None
