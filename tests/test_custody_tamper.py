"""Tamper tests: any change to a blob or to the custody log makes ``custody verify`` exit 1
and name what changed."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from scrutiny.case import Case
from scrutiny.core import canonical_json, sha256_hex
from scrutiny.ingest import ingest
from scrutiny.synth.sample import write_sample_folder
from tests.conftest import PASSPHRASE, fast_kdf, run_cli


@pytest.fixture
def filled(tmp_path: Path) -> Path:
    leak = write_sample_folder(tmp_path / "leak")
    with Case.create(tmp_path / "case", actor="test") as c:
        ingest(c, [leak], actor="test")
    return tmp_path / "case"


def verify(case: Path, env: dict[str, str] | None = None) -> tuple[int, str]:
    r = run_cli("custody", "verify", str(case), env=env)
    return r.returncode, r.stdout + r.stderr


def log_lines(case: Path) -> list[bytes]:
    return (case / "custody.jsonl").read_bytes().splitlines(keepends=True)


def write_lines(case: Path, lines: list[bytes]) -> None:
    (case / "custody.jsonl").write_bytes(b"".join(lines))


def test_intact_case_verifies(filled: Path) -> None:
    code, out = verify(filled)
    assert code == 0, out
    assert "intact" in out


def test_flipped_byte_in_a_blob_is_named(filled: Path) -> None:
    with Case.open(filled) as c:
        sha = c.db.execute("SELECT sha256 FROM items ORDER BY size DESC LIMIT 1").fetchone()[0]
        path = c.blobs.path_for(sha)
    path.chmod(0o644)
    data = bytearray(path.read_bytes())
    data[len(data) // 3] ^= 0x01
    path.write_bytes(bytes(data))
    code, out = verify(filled)
    assert code == 1
    assert sha in out and "altered" in out


def test_deleted_blob_is_named(filled: Path) -> None:
    with Case.open(filled) as c:
        sha = c.db.execute("SELECT sha256 FROM items LIMIT 1").fetchone()[0]
        c.blobs.path_for(sha).unlink()
    code, out = verify(filled)
    assert code == 1
    assert sha in out and "missing" in out


def test_edited_custody_line_is_named(filled: Path) -> None:
    lines = log_lines(filled)
    event = json.loads(lines[4])
    event["actor"] = "somebody else"
    lines[4] = canonical_json(event) + b"\n"
    write_lines(filled, lines)
    code, out = verify(filled)
    assert code == 1
    assert "line 5 (event 5): altered" in out


def test_edited_line_with_recomputed_hash_breaks_the_next_link(filled: Path) -> None:
    lines = log_lines(filled)
    event = json.loads(lines[4])
    event["details"]["mtime"] = "2001-01-01T00:00:00Z"
    body = {k: v for k, v in event.items() if k != "hash"}
    event["hash"] = sha256_hex(canonical_json(body))
    lines[4] = canonical_json(event) + b"\n"
    write_lines(filled, lines)
    code, out = verify(filled)
    assert code == 1
    assert "line 6 (event 6): broken link" in out


def test_deleted_custody_line_is_named(filled: Path) -> None:
    lines = log_lines(filled)
    del lines[6]
    write_lines(filled, lines)
    code, out = verify(filled)
    assert code == 1
    assert "line 7 (event 8): out of sequence" in out


def test_deleted_last_line_is_caught_by_the_catalog_head(filled: Path) -> None:
    lines = log_lines(filled)
    write_lines(filled, lines[:-1])
    code, out = verify(filled)
    assert code == 1
    assert f"the catalog records events up to {len(lines)}" in out


def test_reordered_custody_lines_are_named(filled: Path) -> None:
    lines = log_lines(filled)
    lines[3], lines[4] = lines[4], lines[3]
    write_lines(filled, lines)
    code, out = verify(filled)
    assert code == 1
    assert "line 4 (event 5): out of sequence" in out
    assert "line 5 (event 4): out of sequence" in out


def test_write_commands_refuse_a_truncated_log(filled: Path, tmp_path: Path) -> None:
    lines = log_lines(filled)
    write_lines(filled, lines[:-2])
    extra = tmp_path / "more.txt"
    extra.write_text("more evidence")
    r = run_cli("ingest", str(filled), str(extra), "--no-progress")
    assert r.returncode == 2
    assert "events are missing" in r.stderr
    assert log_lines(filled) == lines[:-2]  # nothing appended to a damaged log


def test_encrypted_log_line_tampering_is_named(tmp_path: Path) -> None:
    leak = write_sample_folder(tmp_path / "leak")
    with Case.create(tmp_path / "case", encrypt=True, passphrase=PASSPHRASE,
                     kdf=fast_kdf()) as c:
        ingest(c, [leak], actor="test")
    case = tmp_path / "case"
    env = {"SCRUTINY_PASSPHRASE": PASSPHRASE}
    assert verify(case, env)[0] == 0
    lines = log_lines(case)
    raw = bytearray(lines[2])
    raw[20] = ord("A") if raw[20] != ord("A") else ord("B")
    lines[2] = bytes(raw)
    write_lines(case, lines)
    code, out = verify(case, env)
    assert code == 1
    assert "line 3: unreadable" in out


def test_torn_final_line_is_repaired_and_reported(filled: Path, tmp_path: Path) -> None:
    with open(filled / "custody.jsonl", "ab") as f:
        f.write(b'{"seq": 999, "half a li')
    code, out = verify(filled)
    assert code == 1 and "torn write" in out
    extra = tmp_path / "more.txt"
    extra.write_text("more evidence")
    r = run_cli("ingest", str(filled), str(extra), "--no-progress")
    assert r.returncode == 0, r.stderr
    code, out = verify(filled)
    assert code == 0, out
    with Case.open(filled) as c:
        repaired = [ev for _, ev in c.log.events_from(0) if ev.action == "log-repaired"]
    assert len(repaired) == 1
    assert repaired[0].details["discarded_bytes"] == len(b'{"seq": 999, "half a li')


def test_manifest_is_checkable_without_scrutiny(filled: Path, tmp_path: Path) -> None:
    import hashlib

    out = tmp_path / "manifest.json"
    r = run_cli("custody", "manifest", str(filled), "-o", str(out))
    assert r.returncode == 0, r.stderr
    manifest = json.loads(out.read_text())
    # every item's hash and size, recomputed from the original files
    leak_hashes = {}
    for root, _, files in os.walk(tmp_path / "leak"):
        for name in files:
            data = (Path(root) / name).read_bytes()
            leak_hashes[hashlib.sha256(data).hexdigest()] = len(data)
    listed = {i["sha256"]: i["size"] for i in manifest["items"]}
    assert set(leak_hashes) <= set(listed)  # plus members unpacked from archives
    assert all(listed[h] == s for h, s in leak_hashes.items())
    assert [i["sha256"] for i in manifest["items"]] == sorted(listed)

    # RFC 6962 Merkle Tree Hash, written out independently of scrutiny's implementation
    def mth(leaves: list[bytes]) -> bytes:
        if len(leaves) == 1:
            return hashlib.sha256(b"\x00" + leaves[0]).digest()
        k = 1
        while k * 2 < len(leaves):
            k *= 2
        return hashlib.sha256(b"\x01" + mth(leaves[:k]) + mth(leaves[k:])).digest()

    leaves = [f"{i['sha256']}:{i['size']}".encode() for i in manifest["items"]]
    assert mth(leaves).hex() == manifest["merkle_root"]
    assert manifest["item_count"] == len(leaves)
    # the chain head is the hash of the log line it names, recomputed from the JSON
    head = manifest["chain_head"]
    line = json.loads(log_lines(filled)[head["seq"] - 1])
    body = {k: v for k, v in line.items() if k != "hash"}
    assert sha256_hex(canonical_json(body)) == head["hash"] == line["hash"]
    assert manifest["tool"].startswith("scrutiny ")
    # and writing it was itself recorded
    last = json.loads(log_lines(filled)[-1])
    assert last["action"] == "manifest-written"
    assert last["details"]["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
