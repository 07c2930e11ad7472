"""Encryption at rest (DESIGN §6).

One passphrase → scrypt → a master key → HKDF → one sub-key per purpose (blobs, custody log,
blob names, catalog, passphrase check). Blobs are sealed with AES-256-GCM in fixed-size chunks
(the STREAM construction: a counter nonce whose last byte marks the final chunk), so a blob can
be written while it streams in, read back at any offset, and any truncation, reordering or
edit of its chunks fails authentication.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import os
import struct
from dataclasses import dataclass
from typing import Any, BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from scrutiny.core import ScrutinyError

BLOB_MAGIC = b"SCRBLOB1"
CHUNK = 1 << 20
TAG = 16
_HEADER = struct.Struct(">8s16sI")  # magic, per-blob salt, chunk size
HEADER_SIZE = _HEADER.size
_CHECK_PLAINTEXT = b"scrutiny passphrase check v1"


class WrongPassphrase(ScrutinyError):
    pass


class IntegrityError(ScrutinyError):
    """Sealed data failed authentication: it was altered, truncated or is not ours."""


@dataclass(frozen=True)
class KdfParams:
    salt: bytes
    n: int = 2**17
    r: int = 8
    p: int = 1

    def to_json(self) -> dict[str, Any]:
        return {
            "kdf": "scrypt",
            "salt": self.salt.hex(),
            "n": self.n,
            "r": self.r,
            "p": self.p,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> KdfParams:
        if data.get("kdf") != "scrypt":
            raise ScrutinyError(f"unsupported key derivation {data.get('kdf')!r}")
        return cls(bytes.fromhex(data["salt"]), int(data["n"]), int(data["r"]), int(data["p"]))

    @classmethod
    def new(cls) -> KdfParams:
        return cls(salt=os.urandom(16))


@dataclass(frozen=True)
class CaseKeys:
    blob: bytes
    log: bytes
    names: bytes
    catalog: bytes
    check: bytes

    @classmethod
    def derive(cls, passphrase: str, params: KdfParams) -> CaseKeys:
        if not passphrase:
            raise ScrutinyError("an empty passphrase cannot protect a case")
        master = Scrypt(salt=params.salt, length=32, n=params.n, r=params.r, p=params.p).derive(
            passphrase.encode("utf-8")
        )

        def sub(purpose: bytes) -> bytes:
            return HKDF(
                algorithm=hashes.SHA256(), length=32, salt=None, info=b"scrutiny " + purpose
            ).derive(master)

        return cls(
            blob=sub(b"blob"),
            log=sub(b"log"),
            names=sub(b"names"),
            catalog=sub(b"catalog"),
            check=sub(b"check"),
        )

    def make_verifier(self) -> str:
        nonce = os.urandom(12)
        return (nonce + AESGCM(self.check).encrypt(nonce, _CHECK_PLAINTEXT, None)).hex()

    def verify(self, verifier: str) -> None:
        raw = bytes.fromhex(verifier)
        try:
            ok = AESGCM(self.check).decrypt(raw[:12], raw[12:], None) == _CHECK_PLAINTEXT
        except InvalidTag:
            ok = False
        if not ok:
            raise WrongPassphrase("wrong passphrase for this case (nothing was read or changed)")

    def blob_name(self, sha256: str) -> str:
        """The file name of a sealed blob: a keyed hash, so the store does not reveal which
        known files a case holds."""
        return hmac.new(self.names, bytes.fromhex(sha256), hashlib.sha256).hexdigest()


def _nonce(counter: int, last: bool) -> bytes:
    return counter.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


def _subkey(key: bytes, salt: bytes) -> AESGCM:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=b"scrutiny blob v1")
    return AESGCM(derived.derive(key))


class SealingWriter:
    """Seals a plaintext stream into ``out`` chunk by chunk. Call ``close`` to seal the end.

    A full chunk is held back until the next byte arrives, since only then is it known not to
    be the last one; input arriving in whole chunks is copied once."""

    def __init__(self, key: bytes, out: BinaryIO) -> None:
        salt = os.urandom(16)
        self._aead = _subkey(key, salt)
        self._out = out
        self._buf = bytearray()
        self._pending: bytes | None = None
        self._counter = 0
        out.write(_HEADER.pack(BLOB_MAGIC, salt, CHUNK))

    def write(self, data: bytes | bytearray | memoryview) -> None:
        view = memoryview(data).cast("B")
        pos, end = 0, len(view)
        while pos < end:
            if not self._buf and end - pos >= CHUNK:
                self._push(bytes(view[pos : pos + CHUNK]))
                pos += CHUNK
                continue
            take = min(CHUNK - len(self._buf), end - pos)
            self._buf += view[pos : pos + take]
            pos += take
            if len(self._buf) == CHUNK:
                self._push(bytes(self._buf))
                self._buf.clear()

    def _push(self, chunk: bytes) -> None:
        if self._pending is not None:
            self._emit(self._pending, last=False)
        self._pending = chunk

    def _emit(self, chunk: bytes, last: bool) -> None:
        self._out.write(self._aead.encrypt(_nonce(self._counter, last), chunk, None))
        self._counter += 1

    def close(self) -> None:
        if self._buf:
            if self._pending is not None:
                self._emit(self._pending, last=False)
            self._emit(bytes(self._buf), last=True)
        else:
            self._emit(self._pending if self._pending is not None else b"", last=True)
        self._pending = None
        self._buf.clear()


class OpenedBlob(io.RawIOBase):
    """A seekable, read-only plaintext view of a sealed blob. Each chunk is authenticated
    before any of its bytes are returned."""

    def __init__(self, key: bytes, raw: BinaryIO) -> None:
        super().__init__()
        self._raw = raw
        header = raw.read(HEADER_SIZE)
        if len(header) != HEADER_SIZE:
            raise IntegrityError("sealed blob is truncated before its header ends")
        magic, salt, chunk_size = _HEADER.unpack(header)
        chunk = int(chunk_size)
        if magic != BLOB_MAGIC or chunk <= 0:
            raise IntegrityError("not a sealed scrutiny blob")
        self._chunk = chunk
        self._aead = _subkey(key, salt)
        body = os.fstat(raw.fileno()).st_size - HEADER_SIZE
        self._nchunks: int = max(1, -(-body // (chunk + TAG)))
        self._size: int = body - self._nchunks * TAG
        if self._size < 0:
            raise IntegrityError("sealed blob is truncated")
        self._pos = 0
        self._cache: tuple[int, bytes] | None = None

    @property
    def size(self) -> int:
        return self._size

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_SET:
            pos = offset
        elif whence == io.SEEK_CUR:
            pos = self._pos + offset
        elif whence == io.SEEK_END:
            pos = self._size + offset
        else:
            raise ValueError(f"bad whence {whence}")
        if pos < 0:
            raise ValueError("negative seek position")
        self._pos = pos
        return int(pos)

    def _chunk_at(self, index: int) -> bytes:
        if self._cache is not None and self._cache[0] == index:
            return self._cache[1]
        self._raw.seek(HEADER_SIZE + index * (self._chunk + TAG))
        sealed = self._raw.read(self._chunk + TAG)
        last = index == self._nchunks - 1
        try:
            plain = self._aead.decrypt(_nonce(index, last), sealed, None)
        except InvalidTag:
            raise IntegrityError(
                f"sealed blob chunk {index} failed authentication (altered or truncated)"
            ) from None
        self._cache = (index, plain)
        return plain

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        if self._pos >= self._size or len(view) == 0:
            return 0
        index, offset = divmod(self._pos, self._chunk)
        plain = self._chunk_at(index)
        n = min(len(view), len(plain) - offset)
        view[:n] = plain[offset : offset + n]
        self._pos += n
        return int(n)

    def close(self) -> None:
        self._raw.close()
        super().close()


def seal_line(key: bytes, plaintext: bytes) -> str:
    """Seal one custody-log line: base64(nonce || AES-GCM ciphertext)."""
    nonce = os.urandom(12)
    return base64.b64encode(nonce + AESGCM(key).encrypt(nonce, plaintext, None)).decode("ascii")


def open_line(key: bytes, line: str) -> bytes:
    try:
        raw = base64.b64decode(line.encode("ascii"), validate=True)
        return AESGCM(key).decrypt(raw[:12], raw[12:], None)
    except (InvalidTag, ValueError, UnicodeEncodeError):
        raise IntegrityError("sealed log line failed authentication") from None
