"""Encryption at rest: after ingesting, no name, ID number or file content of the input is
found in plaintext anywhere under the case folder; a wrong passphrase is a clear error."""

from __future__ import annotations

import contextlib
import hashlib
import io
import zipfile
from pathlib import Path

import pytest

from scrutiny.case import Case
from scrutiny.ingest import ingest
from scrutiny.store.crypto import WrongPassphrase
from tests.conftest import PASSPHRASE, fast_kdf, run_cli

# fictional values, made up for this test
NAMES = ["阿不都热合曼·吐尔逊尼亚孜", "Abduraxman Tursunniyaz", "ئابدۇراخمان"]
ID_NUMBERS = ["653201199001011234", "65320119850505432X"]
CONTENT = "the fictional roster content that must never be readable on disk"


def make_leak(root: Path) -> list[bytes]:
    root.mkdir()
    rows = "\n".join(f"{n},{i}" for n, i in zip(NAMES, ID_NUMBERS * 2, strict=False))
    (root / "roster.csv").write_text(f"姓名,公民身份号码\n{rows}\n{CONTENT}\n", "utf-8")
    (root / "roster_gb18030.csv").write_bytes(f"姓名\n{NAMES[0]}\n".encode("gb18030"))
    (root / f"{ID_NUMBERS[0]}_20190312_101500.jpg").write_bytes(
        b"\xff\xd8\xff\xe0" + CONTENT.encode() + b"\xff\xd9")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:  # stored: content visible raw
        zf.writestr(f"{ID_NUMBERS[1]}/{NAMES[1]}.txt", CONTENT)
    (root / "batch.zip").write_bytes(buf.getvalue())
    needles = [CONTENT.encode()]
    for text in NAMES + ID_NUMBERS:
        needles += [text.encode("utf-8"), text.encode("utf-16-le")]
        with contextlib.suppress(UnicodeEncodeError):
            needles.append(text.encode("gb18030"))
    # the hashes of the files would tell which known files a case holds
    for p in root.iterdir():
        needles.append(hashlib.sha256(p.read_bytes()).hexdigest().encode())
    return needles


def grep_case(case: Path, needles: list[bytes]) -> list[str]:
    hits = []
    for p in case.rglob("*"):
        if p.is_file():
            data = p.read_bytes()
            hits += [f"{p.relative_to(case)}: {n[:30]!r}" for n in needles if n in data]
        hits += [f"file name {p.name}" for n in needles if n in p.name.encode()]
    return hits


def test_no_plaintext_under_an_encrypted_case(tmp_path: Path) -> None:
    needles = make_leak(tmp_path / "leak")
    case_dir = tmp_path / "case"
    with Case.create(case_dir, encrypt=True, passphrase=PASSPHRASE, kdf=fast_kdf()) as c:
        summary = ingest(c, [tmp_path / "leak"], actor="test", note=NAMES[0])
        assert summary.members == 1
        # while the case is still open (WAL not checkpointed) ...
        assert grep_case(case_dir, needles) == []
    # ... and after it is closed
    assert grep_case(case_dir, needles) == []
    # the same leak in an unencrypted case is found by the same grep: the test can fail
    with Case.create(tmp_path / "plain") as c:
        ingest(c, [tmp_path / "leak"], actor="test", note=NAMES[0])
    assert len(grep_case(tmp_path / "plain", needles)) > 5
    # and the encrypted case still reads back
    with Case.open(case_dir, passphrase=PASSPHRASE) as c:
        (sha,) = c.db.execute(
            "SELECT sha256 FROM provenances WHERE source LIKE '%roster.csv'").fetchone()
        with c.blobs.open(sha) as f:
            assert CONTENT.encode() in f.read()


def test_wrong_passphrase_is_a_clear_error_and_changes_nothing(tmp_path: Path) -> None:
    make_leak(tmp_path / "leak")
    case_dir = tmp_path / "case"
    env = {"SCRUTINY_PASSPHRASE": PASSPHRASE}
    assert run_cli("init", str(case_dir), "--encrypt", env=env).returncode == 0
    r = run_cli("ingest", str(case_dir), str(tmp_path / "leak"), "--no-progress", env=env)
    assert r.returncode == 0, r.stderr

    def snapshot() -> dict[str, bytes]:
        return {str(p): p.read_bytes() for p in case_dir.rglob("*")
                if p.is_file() and p.name != ".lock"}

    before = snapshot()
    case = str(case_dir)
    for command in (["status", case], ["custody", "verify", case],
                    ["ingest", case, str(tmp_path / "leak"), "--no-progress"]):
        r = run_cli(*command, env={"SCRUTINY_PASSPHRASE": "not the passphrase"})
        assert r.returncode == 2, (command, r.stdout, r.stderr)
        assert "wrong passphrase" in r.stderr
        assert "Traceback" not in r.stderr
    r = run_cli("status", str(case_dir), env={"SCRUTINY_PASSPHRASE": ""})
    assert r.returncode == 2 and "encrypted" in r.stderr
    assert snapshot() == before
    r = run_cli("status", str(case_dir), "--json", env=env)
    assert r.returncode == 0 and '"items": 5' in r.stdout


def test_wrong_passphrase_in_the_library(encrypted_case: Case) -> None:
    root = encrypted_case.paths.root
    encrypted_case.close()
    with pytest.raises(WrongPassphrase):
        Case.open(root, passphrase="nope")
