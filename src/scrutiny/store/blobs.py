"""The content-addressed evidence store.

Every file a case receives is written once under ``blobs/`` and never modified: streamed into a
temporary file in ``tmp/`` while it is hashed, fsynced, then renamed into place. A name already
present means the same content was stored before; the new copy is discarded. In an encrypted
case the bytes are sealed (see ``crypto``) and the file name is a keyed hash of the SHA-256.
"""

from __future__ import annotations

import ctypes
import hashlib
import io
import os
import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from scrutiny.store.crypto import CaseKeys, OpenedBlob, SealingWriter

HEAD_SIZE = 1 << 16
"""How many leading bytes of each blob are kept in memory for type identification."""

READ_SIZE = 1 << 20


@dataclass(frozen=True)
class StoredBlob:
    sha256: str
    size: int
    head: bytes
    new: bool


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _syncfs_call() -> object | None:
    try:
        fn = ctypes.CDLL(None, use_errno=True).syncfs
    except (OSError, AttributeError):
        return None
    fn.argtypes = [ctypes.c_int]
    return fn


_SYNCFS = _syncfs_call()
_buffers = threading.local()


def _read_buffer() -> bytearray:
    """One reusable read buffer per thread."""
    buf: bytearray | None = getattr(_buffers, "buf", None)
    if buf is None:
        buf = _buffers.buf = bytearray(READ_SIZE)
    return buf


class BlobWriter:
    """Receives one file's bytes. ``commit`` makes the blob durable and returns its identity."""

    def __init__(self, store: BlobStore) -> None:
        self._store = store
        self._hash = hashlib.sha256()
        self._size = 0
        self._head = bytearray()
        self._tmp = store.tmp / f"blob-{secrets.token_hex(8)}.part"
        self._file: BinaryIO = open(self._tmp, "xb")  # noqa: SIM115 - closed in commit/abort
        self._sealer = (
            SealingWriter(store.keys.blob, self._file) if store.keys is not None else None
        )
        self._done = False

    @property
    def size(self) -> int:
        return self._size

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self._hash.update(data)
        self._size += len(data)
        if len(self._head) < HEAD_SIZE:
            self._head += bytes(data[: HEAD_SIZE - len(self._head)])
        if self._sealer is not None:
            self._sealer.write(data)
        else:
            self._file.write(data)

    def commit(self) -> StoredBlob:
        if self._sealer is not None:
            self._sealer.close()
        self._file.flush()
        if self._store.durable:
            os.fsync(self._file.fileno())
        self._file.close()
        self._done = True
        sha = self._hash.hexdigest()
        final = self._store.path_for(sha)
        if final.exists():
            self._tmp.unlink()
            return StoredBlob(sha, self._size, bytes(self._head), new=False)
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(self._tmp, final)
        final.chmod(0o444)
        self._store.dirty(final.parent)
        return StoredBlob(sha, self._size, bytes(self._head), new=True)

    def abort(self) -> None:
        if not self._done:
            self._file.close()
            self._tmp.unlink(missing_ok=True)
            self._done = True

    def __enter__(self) -> BlobWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.abort()


class BlobStore:
    def __init__(self, root: Path, tmp: Path, keys: CaseKeys | None, durable: bool = True):
        self.root = root
        self.tmp = tmp
        self.keys = keys
        self.durable = durable
        self._dirty: set[Path] = set()
        self._lock = threading.Lock()

    def dirty(self, folder: Path) -> None:
        """Note a folder that gained a blob; ``sync`` makes its entry durable."""
        if self.durable:
            with self._lock:
                self._dirty.add(folder)

    def sync(self) -> None:
        """Make the names of newly stored blobs durable (their bytes were fsynced as each was
        written): one syncfs(2) for the store's filesystem, or an fsync per folder where
        syncfs is not available. Called before custody events naming them are committed."""
        with self._lock:
            dirty, self._dirty = self._dirty, set()
        if not dirty:
            return
        if _SYNCFS is not None:
            fd = os.open(self.root, os.O_RDONLY | os.O_DIRECTORY)
            try:
                if _SYNCFS(fd) == 0:  # type: ignore[operator]
                    return
            finally:
                os.close(fd)
        for folder in sorted(dirty):
            _fsync_dir(folder)

    def name_for(self, sha256: str) -> str:
        return self.keys.blob_name(sha256) if self.keys is not None else sha256

    def path_for(self, sha256: str) -> Path:
        name = self.name_for(sha256)
        return self.root / name[:2] / name[2:4] / name

    def exists(self, sha256: str) -> bool:
        return self.path_for(sha256).exists()

    def writer(self) -> BlobWriter:
        return BlobWriter(self)

    def put_file(self, path: Path) -> StoredBlob:
        """Store a file from disk, reading it once."""
        with open(path, "rb", buffering=0) as src, self.writer() as w:
            buf = _read_buffer()
            view = memoryview(buf)
            while n := src.readinto(buf):
                w.write(view[:n])
            return w.commit()

    def put_bytes(self, data: bytes) -> StoredBlob:
        with self.writer() as w:
            w.write(data)
            return w.commit()

    def open(self, sha256: str) -> BinaryIO:
        """A seekable read-only stream of the blob's plaintext."""
        raw = open(self.path_for(sha256), "rb")  # noqa: SIM115 - the caller closes it
        if self.keys is None:
            return raw
        return io.BufferedReader(OpenedBlob(self.keys.blob, raw), READ_SIZE)

    def rehash(self, sha256: str) -> str:
        """The SHA-256 of the blob as stored now (raises if it cannot be read or opened)."""
        h = hashlib.sha256()
        with self.open(sha256) as f:
            while chunk := f.read(READ_SIZE):
                h.update(chunk)
        return h.hexdigest()

    def stored_names(self) -> Iterator[Path]:
        """Every file under ``blobs/`` (including any that no catalog entry names)."""
        for sub in sorted(self.root.glob("??/??")):
            yield from sorted(p for p in sub.iterdir() if p.is_file())

    def clean_tmp(self) -> int:
        """Remove partial writes a killed process left behind. Returns how many."""
        count = 0
        for p in self.tmp.glob("blob-*.part"):
            p.unlink(missing_ok=True)
            count += 1
        return count
