from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scrutiny.case import Case
from scrutiny.store.crypto import (
    CHUNK,
    CaseKeys,
    IntegrityError,
    KdfParams,
    OpenedBlob,
    SealingWriter,
    WrongPassphrase,
)

KEY = bytes(range(32))


def seal(data: bytes, path: Path) -> None:
    with open(path, "wb") as f:
        w = SealingWriter(KEY, f)
        # feed in uneven pieces to exercise chunk boundaries
        for i in range(0, len(data), 777_777):
            w.write(data[i : i + 777_777])
        w.close()


@pytest.mark.parametrize("size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 5])
def test_sealed_blob_round_trips_at_chunk_boundaries(tmp_path: Path, size: int) -> None:
    data = os.urandom(size)
    seal(data, tmp_path / "b")
    with OpenedBlob(KEY, open(tmp_path / "b", "rb")) as blob:
        assert blob.size == size
        assert io.BufferedReader(blob).read() == data


@settings(max_examples=40, deadline=None)
@given(offset=st.integers(0, 2 * CHUNK + 10), length=st.integers(0, CHUNK + 20))
def test_sealed_blob_random_access(tmp_path_factory: pytest.TempPathFactory, offset: int,
                                   length: int) -> None:
    path = tmp_path_factory.mktemp("ra") / "b"
    data = bytes(i % 251 for i in range(2 * CHUNK + 3))
    seal(data, path)
    with OpenedBlob(KEY, open(path, "rb")) as blob:
        blob.seek(offset)
        got = io.BufferedReader(blob).read(length)
    assert got == data[offset : offset + length]


@pytest.mark.parametrize("damage", ["flip", "truncate_chunk", "truncate_tail", "wrong_key"])
def test_sealed_blob_detects_damage(tmp_path: Path, damage: str) -> None:
    data = os.urandom(2 * CHUNK + 100)
    path = tmp_path / "b"
    seal(data, path)
    raw = bytearray(path.read_bytes())
    key = KEY
    if damage == "flip":
        raw[len(raw) // 2] ^= 1
    elif damage == "truncate_chunk":
        del raw[-(100 + 16):]  # drop the whole last chunk: the new last was not sealed last
    elif damage == "truncate_tail":
        del raw[-1:]
    else:
        key = bytes(32)
    path.write_bytes(bytes(raw))
    with pytest.raises(IntegrityError), OpenedBlob(key, open(path, "rb")) as blob:
        io.BufferedReader(blob).read()


def test_wrong_passphrase_is_detected_by_the_verifier() -> None:
    params = KdfParams(salt=b"s" * 16, n=2**10)
    keys = CaseKeys.derive("right", params)
    verifier = keys.make_verifier()
    keys.verify(verifier)
    with pytest.raises(WrongPassphrase):
        CaseKeys.derive("wrong", params).verify(verifier)


@pytest.mark.parametrize("encrypted", [False, True])
def test_blob_store_is_content_addressed_and_deduplicates(
    tmp_path: Path, encrypted: bool, request: pytest.FixtureRequest
) -> None:
    c: Case = request.getfixturevalue("encrypted_case" if encrypted else "case")
    data = os.urandom(3 * CHUNK // 2)
    first = c.blobs.put_bytes(data)
    second = c.blobs.put_bytes(data)
    assert first.sha256 == hashlib.sha256(data).hexdigest()
    assert first.new and not second.new
    assert first.head == data[: len(first.head)]
    path = c.blobs.path_for(first.sha256)
    assert path.exists()
    assert not os.access(path, os.W_OK) or os.geteuid() == 0  # written read-only
    assert (path.stat().st_mode & 0o222) == 0
    assert (path.name == first.sha256) is (not encrypted)  # sealed blobs hide their hash
    with c.blobs.open(first.sha256) as f:
        assert f.read() == data
    assert c.blobs.rehash(first.sha256) == first.sha256
    assert list(c.paths.tmp.iterdir()) == []  # no partial files left


def test_aborted_write_leaves_nothing(case: Case) -> None:
    with case.blobs.writer() as w:
        w.write(b"partial")
        assert any(case.paths.tmp.iterdir())
    assert list(case.paths.tmp.iterdir()) == []
    assert list(case.blobs.stored_names()) == []
