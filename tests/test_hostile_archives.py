"""Hostile input (DESIGN §5): zip slip, links, archive bombs, deep nesting, damaged and
password-protected archives, unreadable and special files.

For each, the issue asks that ingest records an ``error`` custody event (projected into the
``findings`` table) whose explanation names the cause, keeps the raw file as received, goes on
with the rest of the input, and writes nothing outside the case folder. Every test therefore
ingests a folder ``in/`` holding the hostile file *and* ``zz_after.txt`` (walked after it), and
checks the same postconditions: the finding and its event, the stored archive, the file after
it, an intact custody chain, no partial blob left in ``case/tmp``, and no new or changed path
anywhere outside ``case/``.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import re
import socket
import stat
import subprocess
import sys
import tarfile
import threading
import uuid
import zipfile
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from scrutiny.case import Case
from scrutiny.core import CustodyEvent, Finding
from scrutiny.ingest import IngestSummary, Limits, ingest
from scrutiny.store.blobs import BlobStore
from scrutiny.store.integrity import verify_case
from tests.archive_makers import (
    MiB,
    RawZipEntry,
    TarMember,
    corrupt_zip_member,
    make_7z,
    make_7z_with_symlink,
    make_gzip_bomb,
    make_nested_zips,
    make_raw_zip,
    make_tar,
    make_zip,
    make_zip_bomb,
    make_zip_with_symlink,
    sha256_bytes,
    sha256_file,
    tar_bytes,
    truncate,
)

UNREADABLE = "INGEST-001"
UNSAFE_PATH = "INGEST-002"
LINK = "INGEST-003"
LIMIT = "INGEST-004"
TOO_DEEP = "INGEST-005"
DAMAGED = "INGEST-006"
ENCRYPTED = "INGEST-007"
MISMATCH = "INGEST-008"
SPECIAL = "INGEST-009"



@cache
def zeros_sha(size: int) -> str:
    return hashlib.sha256(bytes(size)).hexdigest()


# -- the bench every test works on ------------------------------------------------------------


def _tree(root: Path, skip: Path) -> dict[str, tuple[int, int, int, str]]:
    """Every path under ``root`` except ``skip``: (mode, size, mtime_ns, link target)."""
    out: dict[str, tuple[int, int, int, str]] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        dirnames[:] = sorted(d for d in dirnames if here / d != skip)
        for name in dirnames + filenames:
            p = here / name
            st = p.lstat()
            target = os.readlink(p) if stat.S_ISLNK(st.st_mode) else ""
            size = st.st_size if stat.S_ISREG(st.st_mode) else 0
            mtime = st.st_mtime_ns if not stat.S_ISDIR(st.st_mode) else 0
            out[str(p.relative_to(root))] = (st.st_mode, size, mtime, target)
    return out


class Bench:
    """``tmp_path/in`` (the input), ``tmp_path/case`` (the case), and the checks."""

    def __init__(self, tmp_path: Path) -> None:
        self.root = tmp_path
        self.token = uuid.uuid4().hex[:16]
        self.inp = tmp_path / "in"
        self.inp.mkdir()
        self.after = self.inp / "zz_after.txt"
        self.after.write_bytes(f"walked after the hostile file {self.token}\n".encode())
        self.case_dir = tmp_path / "case"
        self.case = Case.create(self.case_dir, actor="test")

    def close(self) -> None:
        self.case.close()

    # -- running -------------------------------------------------------------------------
    def ingest(self, inputs: list[Path] | None = None, limits: Limits | None = None,
               ) -> IngestSummary:
        before = _tree(self.root, self.case_dir)
        summary = ingest(self.case, inputs or [self.inp], actor="test", limits=limits)
        after = _tree(self.root, self.case_dir)
        added = sorted(set(after) - set(before))
        removed = sorted(set(before) - set(after))
        changed = sorted(k for k in set(after) & set(before) if after[k] != before[k])
        assert (added, removed, changed) == ([], [], []), (
            "ingest touched paths outside the case folder")
        self.assert_no_payload_anywhere()
        return summary

    def assert_no_payload_anywhere(self) -> None:
        """No file named after this test's token exists where a naive unpacker would have
        written it: anywhere in this pytest session's folder (the siblings of tmp_path
        included, and the case itself), nor in /, /tmp, the working folder or its parents."""
        session = self.root.parent
        hits = [str(p) for p in session.rglob(f"*{self.token}*")]
        for d in {Path("/"), Path("/tmp"), Path.cwd(), Path.cwd().parent, Path.home(),
                  session.parent, self.root}:
            try:
                hits += [str(p) for p in d.iterdir() if self.token in p.name]
            except OSError:
                continue
        assert hits == [], f"payload written outside the evidence store: {hits}"

    # -- the catalog and the log ---------------------------------------------------------
    def items(self) -> set[str]:
        return {r[0] for r in self.case.db.execute("SELECT sha256 FROM items")}

    def item_sizes(self) -> list[int]:
        return [r[0] for r in self.case.db.execute("SELECT size FROM items")]

    def provenances(self, sha: str) -> list[tuple[str, list[str], str | None]]:
        rows = self.case.db.execute(
            "SELECT source, chain, parent FROM provenances WHERE sha256 = ? ORDER BY id", (sha,))
        return [(r[0], json.loads(r[1]), r[2]) for r in rows]

    def children(self, parent: str) -> list[list[str]]:
        rows = self.case.db.execute(
            "SELECT chain FROM provenances WHERE parent = ? ORDER BY id", (parent,))
        return [json.loads(r[0]) for r in rows]

    def findings(self, code: str | None = None) -> list[dict[str, Any]]:
        rows = self.case.db.execute(
            "SELECT key, code, subject, title, explanation, evidence FROM findings ORDER BY id")
        out = [dict(zip(("key", "code", "subject", "title", "explanation", "evidence"), r,
                        strict=True)) for r in rows]
        for f in out:
            f["evidence"] = json.loads(f["evidence"])
        return [f for f in out if code is None or f["code"] == code]

    def events(self, action: str | None = None) -> list[CustodyEvent]:
        return [ev for _, ev in self.case.log.events_from(0)
                if action is None or ev.action == action]

    def error_findings(self) -> dict[str, Finding]:
        """The findings carried by ``error`` custody events, by key."""
        out = {}
        for ev in self.events("error"):
            f = Finding.from_json(ev.details["finding"])
            out[f.key] = f
        return out

    # -- assertions ----------------------------------------------------------------------
    def assert_finding(self, code: str, cause: str, subject: str | None = None,
                       **evidence: Any) -> dict[str, Any]:
        """A ``code`` finding whose explanation matches the regex ``cause`` (and whose
        subject/evidence are as given) is in the findings table *and* in the custody log as
        an ``error`` event. Returns it."""
        rows = [f for f in self.findings(code)
                if (subject is None or f["subject"] == subject)
                and all(f["evidence"].get(k) == v for k, v in evidence.items())]
        everything = [(f["code"], f["explanation"][:160]) for f in self.findings()]
        assert rows, f"no {code} finding (subject={subject}, {evidence}); have {everything}"
        matching = [f for f in rows if re.search(cause, f["explanation"], re.IGNORECASE)]
        assert matching, (f"{code} finding does not explain its cause /{cause}/: "
                          f"{[f['explanation'] for f in rows]}")
        found = matching[0]
        events = self.error_findings()
        assert found["key"] in events, f"{code} finding has no 'error' custody event"
        ev = events[found["key"]]
        assert (ev.code, ev.subject, ev.explanation, dict(ev.evidence)) == (
            found["code"], found["subject"], found["explanation"], found["evidence"])
        assert found["title"], "finding has no title"
        assert found["evidence"].get("reason"), "finding evidence has no reason"
        return found

    def assert_stored(self, path_or_bytes: Path | bytes, chain: list[str] | None = None,
                      parent: str | None = None) -> str:
        """The bytes are an item, the blob holds exactly them, and (for a path) a
        provenance names the path as received; (for a member) one names its chain/parent."""
        data = path_or_bytes.read_bytes() if isinstance(path_or_bytes, Path) else path_or_bytes
        sha = sha256_bytes(data)
        assert sha in self.items(), f"not stored: {path_or_bytes!r:.120}"
        with self.case.blobs.open(sha) as f:
            assert f.read() == data, "stored blob differs from what was received"
        provs = self.provenances(sha)
        if isinstance(path_or_bytes, Path):
            assert (str(path_or_bytes), [], None) in provs, provs
        if chain is not None:
            assert any(c == chain and (parent is None or p == parent)
                       for _, c, p in provs), (chain, parent, provs)
        return sha

    def assert_not_stored(self, data_or_sha: bytes | str) -> None:
        sha = data_or_sha if isinstance(data_or_sha, str) else sha256_bytes(data_or_sha)
        assert sha not in self.items()
        assert not self.case.blobs.exists(sha)

    def assert_went_on(self) -> None:
        """The file walked after the hostile one was ingested."""
        self.assert_stored(self.after)

    def assert_sound(self) -> None:
        """Custody verifies, no partial blob is left behind, and findings and error events
        are the same set (the catalog is the projection of the log)."""
        report = verify_case(self.case.blobs, self.case.log, self.case.db)
        assert report.intact, [str(p) for p in report.chain.problems + report.blob_problems]
        assert report.unregistered == ()
        assert list(self.case.paths.tmp.iterdir()) == []
        assert set(self.error_findings()) == {f["key"] for f in self.findings()}
        finished = self.events("run-finished")
        assert finished and all(ev.details["status"] == "finished" for ev in finished)


@pytest.fixture
def bench(tmp_path: Path) -> Iterator[Bench]:
    b = Bench(tmp_path)
    try:
        yield b
    finally:
        b.close()


def unsafe_names(bench: Bench) -> dict[str, str]:
    """Member names that climb out or are absolute; each carries the test's token so any
    file written under one of them is found by ``assert_no_payload_anywhere``."""
    t = bench.token
    return {
        "climb": f"../../evil_{t}.txt",
        "absolute": f"/tmp/abs_{t}.txt",
        "backslash": f"..\\..\\win_{t}.txt",
    }


# -- 1. zip slip -------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["zip", "tar", "tar.gz", "7z"])
def test_zip_slip_members_are_stored_by_hash_and_nothing_escapes(bench: Bench, kind: str):
    names = unsafe_names(bench)
    contents = {key: f"{key} payload {bench.token}\n".encode() for key in names}
    members = [(names[k], contents[k]) for k in names] + [("good.txt", b"a good member\n")]
    archive = bench.inp / f"slip.{kind}"
    if kind == "zip":
        make_zip(archive, members)
    elif kind == "7z":
        make_7z(archive, members, unsafe_names=True)
    else:
        make_tar(archive, members, mode="w:gz" if kind == "tar.gz" else "w")

    summary = bench.ingest()

    arch = bench.assert_stored(archive)
    assert summary.problems[UNSAFE_PATH] == 3
    for key, cause in (("climb", r"zip slip|'\.\.'"), ("absolute", r"absolute path"),
                       ("backslash", r"zip slip|'\.\.'")):
        # 7z names use '\\' as their separator on Windows; py7zr reads them as '/'
        name = names[key].replace("\\", "/") if kind == "7z" else names[key]
        f = bench.assert_finding(UNSAFE_PATH, cause, subject=arch, name=name)
        assert re.search(r"nothing was written to that path", f["explanation"])
        # the content is kept under its hash, its name kept as evidence in the provenance
        bench.assert_stored(contents[key], chain=[name], parent=arch)
    bench.assert_stored(b"a good member\n", chain=["good.txt"], parent=arch)
    bench.assert_went_on()
    bench.assert_sound()


# -- 2. links ----------------------------------------------------------------------------------


def test_tar_symlinks_and_hardlinks_are_recorded_not_followed(bench: Bench):
    passwd = Path("/etc/passwd")
    archive = make_tar(bench.inp / "links.tar", [
        TarMember("passwd_link", type=tarfile.SYMTYPE, linkname=str(passwd)),
        TarMember("climb_link", type=tarfile.SYMTYPE, linkname=f"../../x_{bench.token}"),
        ("good.txt", b"a good member\n"),
        TarMember("hard_to_good", type=tarfile.LNKTYPE, linkname="good.txt"),
        TarMember("hard_to_passwd", type=tarfile.LNKTYPE, linkname=str(passwd)),
        ("later.txt", b"a member after the links\n"),
        # the classic two-step escape: a link to a folder outside, then a file "through" it
        TarMember("escape", type=tarfile.SYMTYPE, linkname=str(bench.root.parent)),
        (f"escape/through_{bench.token}.txt", b"written through a link?\n"),
    ])

    summary = bench.ingest()

    arch = bench.assert_stored(archive)
    assert summary.problems[LINK] == 5
    bench.assert_finding(LINK, r"symbolic link.*not followed", subject=arch,
                         name="passwd_link", target=str(passwd))
    bench.assert_finding(LINK, r"symbolic link.*not followed", subject=arch,
                         name="escape", target=str(bench.root.parent))
    bench.assert_finding(LINK, r"symbolic link.*not followed", subject=arch,
                         name="climb_link", target=f"../../x_{bench.token}")
    bench.assert_finding(LINK, r"hard link.*not followed", subject=arch,
                         name="hard_to_good", target="good.txt")
    bench.assert_finding(LINK, r"hard link.*not followed", subject=arch,
                         name="hard_to_passwd", target=str(passwd))
    if os.access(passwd, os.R_OK):
        bench.assert_not_stored(passwd.read_bytes())
    # links are not members: only the regular files came out of the archive, by hash
    through = f"escape/through_{bench.token}.txt"
    assert bench.children(arch) == [["good.txt"], ["later.txt"], [through]]
    bench.assert_stored(b"a member after the links\n", chain=["later.txt"], parent=arch)
    bench.assert_stored(b"written through a link?\n", chain=[through], parent=arch)
    bench.assert_went_on()
    bench.assert_sound()


@pytest.mark.parametrize("kind", ["zip", "7z"])
def test_symlink_member_is_recorded_not_followed(bench: Bench, kind: str):
    passwd = "/etc/passwd"
    others = [("good.txt", b"a good member\n")]
    if kind == "zip":
        archive = make_zip_with_symlink(bench.inp / "link.zip", "passwd_link", passwd, others)
        with zipfile.ZipFile(archive) as zf:  # the archive really holds a Unix symlink
            assert stat.S_ISLNK(zf.getinfo("passwd_link").external_attr >> 16)
    else:
        archive = make_7z_with_symlink(bench.inp / "link.7z", bench.root / "build",
                                       "passwd_link", passwd, others)

    summary = bench.ingest()

    arch = bench.assert_stored(archive)
    assert summary.problems[LINK] == 1
    bench.assert_finding(LINK, r"symbolic link.*not followed", subject=arch,
                         name="passwd_link")
    if os.access(passwd, os.R_OK):
        bench.assert_not_stored(Path(passwd).read_bytes())
    assert bench.children(arch) == [["good.txt"]]
    bench.assert_went_on()
    bench.assert_sound()


@pytest.mark.parametrize("kind", ["zip", "7z"])
def test_symlink_member_finding_records_the_link_target(bench: Bench, kind: str):
    """INGEST-003 says scrutiny "records the link and its target": the tar and folder
    findings carry ``target``; an archive symlink's target (its data) must be kept too."""
    target = "/etc/passwd"  # py7zr only archives a link whose target exists
    if kind == "zip":
        archive = make_zip_with_symlink(bench.inp / "link.zip", "the_link", target)
    else:
        archive = make_7z_with_symlink(bench.inp / "link.7z", bench.root / "build",
                                       "the_link", target)

    bench.ingest()

    bench.assert_finding(LINK, r"symbolic link", subject=sha256_file(archive),
                         name="the_link", target=target)


def test_folder_symlinks_are_recorded_and_their_targets_not_stored(bench: Bench):
    outside = bench.root / "outside"
    (outside / "dir").mkdir(parents=True)
    secret = outside / "secret.txt"
    secret.write_bytes(f"outside the input {bench.token}\n".encode())
    dir_secret = outside / "dir" / "deeper.txt"
    dir_secret.write_bytes(f"in a linked folder {bench.token}\n".encode())
    good = bench.inp / "good.txt"
    good.write_bytes(b"a good file\n")
    links = {
        "link_to_file": bench.inp / "link_to_file",
        "link_to_dir": bench.inp / "link_to_dir",
        "dangling": bench.inp / "dangling",
        "absolute": bench.inp / "absolute",
    }
    links["link_to_file"].symlink_to("../outside/secret.txt")
    links["link_to_dir"].symlink_to(outside / "dir", target_is_directory=True)
    links["dangling"].symlink_to(f"../nowhere_{bench.token}")
    links["absolute"].symlink_to("/etc/passwd")

    summary = bench.ingest()

    assert summary.problems[LINK] == 4
    for path in links.values():
        bench.assert_finding(LINK, r"symbolic link.*not followed", subject=f"path:{path}",
                             path=str(path), target=os.readlink(path))
    bench.assert_not_stored(secret.read_bytes())
    bench.assert_not_stored(dir_secret.read_bytes())
    if os.access("/etc/passwd", os.R_OK):
        bench.assert_not_stored(Path("/etc/passwd").read_bytes())
    bench.assert_stored(good)
    bench.assert_went_on()
    bench.assert_sound()


# -- 3. archive bombs and limits ----------------------------------------------------------------


def _tar_gz_bomb(path: Path, good: bytes) -> Path:
    return make_tar(path, [("good.txt", good), ("zeros.bin", bytes(40 * MiB))], mode="w:gz")


def _zip_many_small_bombs(path: Path, good: bytes) -> Path:
    """Eight 4 MiB members of zeros: each is under ratio_floor (8 MiB), so no single member
    trips the per-member check; together they are a 1000:1 bomb."""
    members = [("good.txt", good)] + [(f"zeros{i}.bin", bytes(4 * MiB) + bytes([i]))
                                      for i in range(8)]
    return make_zip(path, members)


@pytest.mark.parametrize("kind", ["zip-declared", "zip-many-small-members", "tar.gz", "7z"])
def test_ratio_bomb_is_refused(bench: Bench, kind: str):
    good = b"a good member, before the bomb\n"
    if kind == "zip-declared":
        archive = make_zip_bomb(bench.inp / "bomb.zip", 40 * MiB, others=[("good.txt", good)])
    elif kind == "zip-many-small-members":
        archive = _zip_many_small_bombs(bench.inp / "bomb.zip", good)
    elif kind == "tar.gz":
        archive = _tar_gz_bomb(bench.inp / "bomb.tar.gz", good)
    else:
        archive = make_7z(bench.inp / "bomb.7z", [("good.txt", good),
                                                  ("zeros.bin", bytes(40 * MiB))])
    assert archive.stat().st_size < 200 * 1024

    summary = bench.ingest()

    arch = bench.assert_stored(archive)
    assert summary.problems[LIMIT] >= 1
    bench.assert_finding(LIMIT, r"\b200:1\b.*bomb|bomb.*\b200:1\b", subject=arch)
    bench.assert_not_stored(zeros_sha(40 * MiB))
    bench.assert_stored(good, chain=["good.txt"], parent=arch)
    # the bomb was stopped early: nothing near its unpacked size reached the store
    assert sum(bench.item_sizes()) < 24 * MiB
    bench.assert_went_on()
    bench.assert_sound()


@pytest.mark.parametrize("prefix", [b"", b"a text file that compresses very well\n"],
                         ids=["zeros", "text-then-zeros"])
def test_gzip_stream_bomb_is_refused(bench: Bench, prefix: bytes):
    """A single gzip stream (not a tar) of 40 MiB that starts with ``prefix`` and goes on with
    zeros, about 1000:1."""
    archive = make_gzip_bomb(bench.inp / "zeros.bin.gz", 40 * MiB, prefix=prefix)

    summary = bench.ingest()

    arch = bench.assert_stored(archive)
    assert summary.problems[LIMIT] == 1
    bench.assert_finding(LIMIT, r"\b200:1\b", subject=arch)
    assert bench.children(arch) == []
    assert max(bench.item_sizes()) < MiB
    bench.assert_went_on()
    bench.assert_sound()


@pytest.mark.parametrize("kind", ["zip", "tar"])
def test_member_count_limit(bench: Bench, kind: str):
    members = [(f"m{i}.txt", f"member {i}\n".encode()) for i in range(10)]
    archive = bench.inp / f"many.{kind}"
    (make_zip if kind == "zip" else make_tar)(archive, members)

    summary = bench.ingest(limits=Limits(max_members=3))

    arch = bench.assert_stored(archive)
    assert summary.problems[LIMIT] == 1
    bench.assert_finding(LIMIT, r"more than 3 members", subject=arch, limit=3)
    assert bench.children(arch) == [["m0.txt"], ["m1.txt"], ["m2.txt"]]
    assert summary.members == 3
    for _, data in members[3:]:
        bench.assert_not_stored(data)
    bench.assert_went_on()
    bench.assert_sound()


def _random_members(n: int, size: int) -> list[tuple[str, bytes]]:
    return [(f"m{i}.bin", os.urandom(size)) for i in range(n)]


@pytest.mark.parametrize("kind", ["zip", "tar", "7z"])
def test_total_size_limit(bench: Bench, kind: str):
    """Limits(max_total) caps the bytes unpacked from one input; with ten incompressible
    1000-byte members and a 3500-byte cap, exactly three are unpacked."""
    members = _random_members(10, 1000)
    archive = bench.inp / f"big.{kind}"
    {"zip": make_zip, "tar": make_tar, "7z": make_7z}[kind](archive, members)

    summary = bench.ingest(limits=Limits(max_total=3500))

    arch = bench.assert_stored(archive)
    assert summary.problems[LIMIT] == 1
    bench.assert_finding(LIMIT, r"total size limit|more than 3,?500 bytes", subject=arch)
    assert bench.children(arch) == [["m0.bin"], ["m1.bin"], ["m2.bin"]]
    for _, data in members[3:]:
        bench.assert_not_stored(data)
    bench.assert_went_on()
    bench.assert_sound()


def test_member_size_limit_refuses_one_member_and_goes_on(bench: Bench):
    small, big, later = os.urandom(100), os.urandom(5000), os.urandom(100)
    archive = make_tar(bench.inp / "a.tar", [("small.bin", small), ("big.bin", big),
                                             ("later.bin", later)])

    summary = bench.ingest(limits=Limits(max_member_size=4096))

    arch = bench.assert_stored(archive)
    assert summary.problems[LIMIT] == 1
    bench.assert_finding(LIMIT, r"big\.bin.*larger than 4,?096 bytes", subject=arch)
    bench.assert_not_stored(big)
    assert bench.children(arch) == [["small.bin"], ["later.bin"]]
    bench.assert_went_on()
    bench.assert_sound()


def test_time_budget_leaves_the_rest_packed(bench: Bench):
    archive = make_zip(bench.inp / "a.zip", [("m.txt", b"a member\n")])

    summary = bench.ingest(limits=Limits(time_budget=0.0))

    arch = bench.assert_stored(archive)
    assert summary.problems[LIMIT] == 1
    bench.assert_finding(LIMIT, r"took longer than", subject=arch)
    assert bench.children(arch) == []
    bench.assert_went_on()
    bench.assert_sound()


# -- 4. deep nesting ----------------------------------------------------------------------------


def test_nesting_beyond_the_limit_is_stored_not_unpacked(bench: Bench):
    archive = bench.inp / "level1.zip"
    layers = make_nested_zips(archive, 5, leaf=f"leaf {bench.token}\n".encode())

    summary = bench.ingest(limits=Limits(max_depth=2))

    l1, l2, l3 = (sha256_bytes(layer) for layer in layers[:3])
    assert bench.assert_stored(archive) == l1
    assert summary.problems[TOO_DEEP] == 1
    f = bench.assert_finding(TOO_DEEP, r"nested 3 levels deep.*limit of 2", subject=l3)
    assert f["evidence"]["archive"].endswith("level1.zip!/level2.zip!/level3.zip")
    # levels 1 and 2 were unpacked; level 3 is stored as received but not opened
    bench.assert_stored(layers[1], chain=["level2.zip"], parent=l1)
    bench.assert_stored(b"note 1\n", chain=["note1.txt"], parent=l1)
    bench.assert_stored(layers[2], chain=["level2.zip", "level3.zip"], parent=l2)
    bench.assert_stored(b"note 2\n", chain=["level2.zip", "note2.txt"], parent=l2)
    assert bench.children(l3) == []
    bench.assert_not_stored(layers[3])
    bench.assert_not_stored(b"note 3\n")
    assert {ev.subject for ev in bench.events("unpacked")} == {l1, l2}
    assert summary.archives == 2
    bench.assert_went_on()
    bench.assert_sound()


def test_nesting_limit_zero_leaves_even_the_top_archive_packed(bench: Bench):
    archive = make_zip(bench.inp / "a.zip", [("m.txt", b"a member\n")])

    summary = bench.ingest(limits=Limits(max_depth=0))

    arch = bench.assert_stored(archive)
    assert summary.problems[TOO_DEEP] == 1
    bench.assert_finding(TOO_DEEP, r"nested 1 levels? deep.*limit of 0", subject=arch)
    assert bench.children(arch) == []
    bench.assert_went_on()
    bench.assert_sound()


# -- 5. damaged and truncated archives ------------------------------------------------------------


def _incompressible(n: int, seed: int) -> bytes:
    return hashlib.shake_256(f"{seed}".encode()).digest(n)


DAMAGED_CAUSE = r"damaged|truncated|cannot be opened|could not be read"


@pytest.mark.parametrize("kind, readable", [
    ("zip-cut-in-half", []),
    ("zip-corrupt-member", ["a.bin", "c.bin"]),
    ("tar-cut", ["a.bin"]),
    ("tar.gz-cut", ["a.bin"]),
    ("tar.bz2-cut", []),
    ("tar.xz-cut", []),
    ("7z-cut-in-half", []),
])
def test_damaged_archive_is_stored_and_reported(bench: Bench, kind: str, readable: list[str]):
    members = [(n, _incompressible(60_000, i)) for i, n in enumerate(["a.bin", "b.bin",
                                                                        "c.bin"])]
    if kind.startswith("zip"):
        archive = make_zip(bench.inp / "damaged.zip", members, compression=zipfile.ZIP_STORED)
        if kind == "zip-cut-in-half":
            truncate(archive, 0.5)
        else:
            corrupt_zip_member(archive, "b.bin")
    elif kind.startswith("7z"):
        archive = truncate(make_7z(bench.inp / "damaged.7z", members), 0.5)
    else:
        suffix = kind.removesuffix("-cut")
        mode = "w" if suffix == "tar" else "w:" + suffix.split(".")[1]
        # cut inside the second member: the first one is whole
        archive = truncate(make_tar(bench.inp / f"damaged.{suffix}", members, mode), 0.45)

    summary = bench.ingest()

    arch = bench.assert_stored(archive)
    assert summary.problems[DAMAGED] >= 1
    bench.assert_finding(DAMAGED, DAMAGED_CAUSE, subject=arch)
    data = dict(members)
    for name in readable:
        bench.assert_stored(data[name], chain=[name], parent=arch)
    if kind == "zip-corrupt-member":
        bench.assert_finding(DAMAGED, r"could not be read", subject=arch, member="b.bin")
        bench.assert_not_stored(data["b.bin"])
    bench.assert_went_on()
    bench.assert_sound()


@pytest.mark.parametrize("content", ["text", "binary"])
def test_file_named_zip_that_is_not_an_archive(bench: Bench, content: str):
    fake = bench.inp / "fake.zip"
    if content == "text":
        fake.write_bytes(b"this is not a zip file at all\n" * 40)
    else:
        fake.write_bytes(_incompressible(4000, 7))

    summary = bench.ingest()

    bench.assert_stored(fake)
    assert summary.archives == 0
    assert set(summary.problems) <= {DAMAGED, MISMATCH}
    if content == "text":
        bench.assert_finding(MISMATCH, r"named like application/zip.*text/plain",
                             subject=sha256_file(fake))
    bench.assert_went_on()
    bench.assert_sound()


# -- 6. password-protected archives ---------------------------------------------------------------


def test_password_protected_zip_member(bench: Bench):
    secret = f"the secret {bench.token}\n".encode()
    archive = make_raw_zip(bench.inp / "locked.zip", [
        RawZipEntry("secret.txt", secret, password=b"hunter2"),
        RawZipEntry("plain.txt", b"not encrypted\n"),
    ])
    with zipfile.ZipFile(archive) as zf:  # a real ZipCrypto archive
        assert zf.getinfo("secret.txt").flag_bits & 0x1
        assert zf.read("secret.txt", pwd=b"hunter2") == secret

    summary = bench.ingest()

    arch = bench.assert_stored(archive)
    assert summary.problems[ENCRYPTED] == 1
    bench.assert_finding(ENCRYPTED, r"password", subject=arch, name="secret.txt")
    bench.assert_not_stored(secret)
    bench.assert_stored(b"not encrypted\n", chain=["plain.txt"], parent=arch)
    bench.assert_went_on()
    bench.assert_sound()


@pytest.mark.parametrize("header_encryption", [False, True],
                         ids=["content-encrypted", "header-encrypted"])
def test_password_protected_7z(bench: Bench, header_encryption: bool):
    secret = f"the secret {bench.token}\n".encode()
    archive = make_7z(bench.inp / "locked.7z", [("secret.txt", secret)], password="hunter2",
                      header_encryption=header_encryption)

    summary = bench.ingest()

    arch = bench.assert_stored(archive)
    assert summary.problems[ENCRYPTED] == 1
    bench.assert_finding(ENCRYPTED, r"password", subject=arch)
    bench.assert_not_stored(secret)
    assert bench.children(arch) == []
    bench.assert_went_on()
    bench.assert_sound()


# -- 7. unreadable and special files -----------------------------------------------------------


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file_and_folder(bench: Bench):
    locked = bench.inp / "b_locked.txt"
    locked.write_bytes(b"you cannot read me\n")
    locked.chmod(0)
    locked_dir = bench.inp / "c_locked_dir"
    locked_dir.mkdir()
    (locked_dir / "inside.txt").write_bytes(b"inside\n")
    locked_dir.chmod(0)
    try:
        summary = bench.ingest()
    finally:
        locked.chmod(0o644)
        locked_dir.chmod(0o755)

    assert summary.problems[UNREADABLE] == 2
    bench.assert_finding(UNREADABLE, r"permission denied", subject=f"path:{locked}")
    bench.assert_finding(UNREADABLE, r"cannot list folder.*permission denied",
                         subject=f"path:{locked_dir}")
    bench.assert_went_on()
    bench.assert_sound()


@pytest.mark.parametrize("error", [
    PermissionError(errno.EACCES, os.strerror(errno.EACCES)),
    OSError(errno.EIO, os.strerror(errno.EIO)),
], ids=["EACCES", "EIO"])
def test_read_error_is_recorded_and_ingest_goes_on(bench: Bench, monkeypatch: pytest.MonkeyPatch,
                                                    error: OSError):
    """Running as root, chmod cannot make a file unreadable: simulate the failing read."""
    first = bench.inp / "a_first.txt"
    first.write_bytes(b"first\n")
    bad = bench.inp / "b_unreadable.zip"
    make_zip(bad, [("inside.txt", b"never read\n")])
    put_file = BlobStore.put_file

    def failing_put_file(self: BlobStore, path: Path) -> Any:
        if Path(path).name == bad.name:
            raise type(error)(error.errno, error.strerror, str(path))
        return put_file(self, path)

    monkeypatch.setattr(BlobStore, "put_file", failing_put_file)

    summary = bench.ingest()

    assert summary.problems[UNREADABLE] == 1
    f = bench.assert_finding(UNREADABLE, re.escape(str(error.strerror)),
                             subject=f"path:{bad}", path=str(bad))
    assert re.search(r"cannot read", f["explanation"], re.IGNORECASE)
    bench.assert_not_stored(bad.read_bytes())
    bench.assert_not_stored(b"never read\n")
    bench.assert_stored(first)
    bench.assert_went_on()
    assert summary.files == 2
    bench.assert_sound()


@pytest.fixture
def unblock_fifos() -> Iterator[list[Path]]:
    """If ingest ever opened a FIFO for reading it would block forever; after 10 s open each
    FIFO for writing and close it, so the reader sees end of file and the test fails instead
    of hanging."""
    fifos: list[Path] = []

    def unblock() -> None:
        for fifo in fifos:
            with contextlib.suppress(OSError):  # no reader: nothing is blocked on it
                os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))

    timer = threading.Timer(10.0, unblock)
    timer.daemon = True
    timer.start()
    try:
        yield fifos
    finally:
        timer.cancel()


def test_fifos_and_sockets_are_skipped(bench: Bench, unblock_fifos: list[Path]):
    fifo = bench.inp / "b_pipe"
    os.mkfifo(fifo)
    unblock_fifos.append(fifo)
    lone_fifo = bench.root / "lone_pipe"
    os.mkfifo(lone_fifo)
    unblock_fifos.append(lone_fifo)
    sock_path = bench.inp / "c_sock"
    sock = None
    if len(str(sock_path)) < 100:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.bind(str(sock_path))
    good = bench.inp / "a_good.txt"
    good.write_bytes(b"a regular file\n")
    try:
        summary = bench.ingest([lone_fifo, bench.inp])
    finally:
        if sock is not None:
            sock.close()

    expected = [fifo, lone_fifo] + ([sock_path] if sock is not None else [])
    assert summary.problems[SPECIAL] == len(expected)
    for path in expected:
        bench.assert_finding(SPECIAL, r"FIFO|socket", subject=f"path:{path}")
    assert bench.findings(UNREADABLE) == []
    bench.assert_stored(good)
    bench.assert_went_on()
    bench.assert_sound()


def test_fifo_member_of_a_tar_is_skipped(bench: Bench):
    archive = make_tar(bench.inp / "special.tar", [
        TarMember("pipe", type=tarfile.FIFOTYPE),
        TarMember("dev", type=tarfile.CHRTYPE),
        ("good.txt", b"a good member\n"),
    ])

    summary = bench.ingest()

    arch = bench.assert_stored(archive)
    assert summary.problems[SPECIAL] == 2
    bench.assert_finding(SPECIAL, r"device|FIFO", subject=arch, name="pipe")
    bench.assert_finding(SPECIAL, r"device|FIFO", subject=arch, name="dev")
    assert bench.children(arch) == [["good.txt"]]
    bench.assert_went_on()
    bench.assert_sound()


# -- 8. well-formed nested archives unpack fully (positive control) ------------------------------


@pytest.mark.parametrize("outer", ["7z", "tar.xz", "tar.bz2", "tar.gz", "zip"])
def test_well_formed_nested_archives_unpack_fully(bench: Bench, outer: str):
    inner = tar_bytes([("a.txt", b"alpha\n"), ("sub/b.txt", b"beta\n")], mode="w:gz")
    members = [("inner.tar.gz", inner), ("c.txt", b"gamma\n")]
    archive = bench.inp / f"outer.{outer}"
    if outer == "7z":
        make_7z(archive, members)
    elif outer == "zip":
        make_zip(archive, members)
    else:
        make_tar(archive, members, mode="w:" + outer.split(".")[1])

    summary = bench.ingest()

    assert dict(summary.problems) == {}
    assert bench.findings() == []
    arch = bench.assert_stored(archive)
    inner_sha = bench.assert_stored(inner, chain=["inner.tar.gz"], parent=arch)
    bench.assert_stored(b"gamma\n", chain=["c.txt"], parent=arch)
    bench.assert_stored(b"alpha\n", chain=["inner.tar.gz", "a.txt"], parent=inner_sha)
    bench.assert_stored(b"beta\n", chain=["inner.tar.gz", "sub/b.txt"], parent=inner_sha)
    assert summary.archives == 2
    assert summary.members == 4
    unpacked = {ev.subject: ev.details["new_members"] for ev in bench.events("unpacked")}
    assert unpacked == {arch: 2, inner_sha: 2}
    bench.assert_went_on()
    bench.assert_sound()


# -- 9. re-running changes nothing ----------------------------------------------------------------


def _hostile_folder(bench: Bench) -> None:
    """One of (almost) everything, avoiding limits that stop a stream mid-member."""
    t = bench.token
    make_zip(bench.inp / "slip.zip", [(f"../../evil_{t}.txt", b"evil\n"),
                                      (f"/tmp/abs_{t}.txt", b"abs\n"), ("ok.txt", b"ok\n")])
    make_tar(bench.inp / "links.tar", [
        TarMember("s", type=tarfile.SYMTYPE, linkname="/etc/passwd"),
        TarMember("h", type=tarfile.LNKTYPE, linkname="ok.txt"), ("ok.txt", b"ok\n")])
    make_zip_with_symlink(bench.inp / "link.zip", "s", "/etc/passwd", [("z.txt", b"z\n")])
    make_zip_bomb(bench.inp / "bomb.zip", 40 * MiB, others=[("g.txt", b"g\n")])
    make_zip(bench.inp / "many.zip", [(f"m{i}.txt", f"{i}\n".encode()) for i in range(10)])
    make_nested_zips(bench.inp / "nested.zip", 5)
    truncate(make_zip(bench.inp / "cut.zip", [("x.bin", _incompressible(9000, 1))],
                      compression=zipfile.ZIP_STORED))
    truncate(make_tar(bench.inp / "cut.tar.gz", [("y.bin", _incompressible(9000, 2)),
                                                 ("w.bin", _incompressible(9000, 3))],
                      mode="w:gz"), 0.7)
    make_raw_zip(bench.inp / "locked.zip", [RawZipEntry("s.txt", b"s\n", password=b"pw")])
    make_7z(bench.inp / "locked.7z", [("s.txt", b"s\n")], password="pw",
            header_encryption=True)
    (bench.inp / "fake.zip").write_bytes(b"not a zip\n" * 20)
    os.mkfifo(bench.inp / "pipe")
    (bench.inp / "link").symlink_to("/etc/passwd")


def _counts(bench: Bench) -> dict[str, int]:
    db = bench.case.db
    return {
        "items": db.execute("SELECT count(*) FROM items").fetchone()[0],
        "provenances": db.execute("SELECT count(*) FROM provenances").fetchone()[0],
        "findings": db.execute("SELECT count(*) FROM findings").fetchone()[0],
        "received": len(bench.events("received")),
        "error": len(bench.events("error")),
        "blobs": sum(1 for _ in bench.case.blobs.stored_names()),
    }


def test_reingest_adds_no_duplicates(bench: Bench, unblock_fifos: list[Path]):
    _hostile_folder(bench)
    unblock_fifos.append(bench.inp / "pipe")
    limits = Limits(max_members=5, max_depth=2)

    first = bench.ingest(limits=limits)
    counts = _counts(bench)
    assert set(first.problems) >= {UNSAFE_PATH, LINK, LIMIT, TOO_DEEP, DAMAGED, ENCRYPTED,
                                   MISMATCH, SPECIAL}
    assert counts["findings"] == counts["error"] == sum(first.problems.values())

    second = bench.ingest(limits=limits)
    assert _counts(bench) == counts
    assert (second.new_items, second.new_provenances, dict(second.problems)) == (0, 0, {})
    assert second.already_known == first.new_provenances

    # and again from a freshly opened case
    bench.case.close()
    bench.case = Case.open(bench.case_dir, writable=True)
    third = bench.ingest(limits=limits)
    assert _counts(bench) == counts
    assert (third.new_items, third.new_provenances, dict(third.problems)) == (0, 0, {})
    assert len(bench.events("run-finished")) == 3
    bench.assert_sound()


def test_reingest_logs_no_new_members(bench: Bench):
    """An ``unpacked`` custody event states how many *new* members an archive gave; when the
    same archives are ingested again, no member is new, so the log must not say otherwise."""
    make_zip(bench.inp / "a.zip", [("one.txt", b"one\n"), ("two.txt", b"two\n")])
    make_nested_zips(bench.inp / "nested.zip", 3)

    bench.ingest()
    seen = len(bench.events())
    second = bench.ingest()

    assert second.new_provenances == 0
    new_events = bench.events()[seen:]
    claims = [(ev.details["archive"], ev.details["new_members"]) for ev in new_events
              if ev.action == "unpacked" and ev.details["new_members"] != 0]
    assert claims == [], "re-ingest logged members as new that were already in the case"


# -- the command line ------------------------------------------------------------------------------


def test_cli_ingest_of_hostile_folder_and_custody_verify(tmp_path: Path):
    token = uuid.uuid4().hex[:16]
    inp = tmp_path / "in"
    inp.mkdir()
    make_zip(inp / "slip.zip", [(f"../../evil_{token}.txt", b"evil\n"),
                                (f"/tmp/abs_{token}.txt", b"abs\n"), ("ok.txt", b"ok\n")])
    make_zip(inp / "many.zip", [(f"m{i}.txt", f"{i}\n".encode()) for i in range(10)])
    make_nested_zips(inp / "nested.zip", 4)
    make_raw_zip(inp / "locked.zip", [RawZipEntry("s.txt", b"s\n", password=b"pw")])
    (inp / "zz_after.txt").write_bytes(b"after\n")
    case = tmp_path / "case"

    def cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "scrutiny.cli", *map(str, args)],
                              capture_output=True, text=True, timeout=60, cwd=tmp_path,
                              check=False)

    assert cli("init", case).returncode == 0
    before = _tree(tmp_path, case)
    done = cli("ingest", case, inp, "--no-progress", "--json", "--max-members", "5",
               "--max-depth", "2")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["problems"] == {UNSAFE_PATH: 2, LIMIT: 1, TOO_DEEP: 1, ENCRYPTED: 1}
    assert summary["files"] == 5
    assert _tree(tmp_path, case) == before
    hits = list(tmp_path.parent.rglob(f"*{token}*"))
    hits += [p for d in (Path("/tmp"), Path("/")) for p in d.iterdir() if token in p.name]
    assert hits == []
    verify = cli("custody", "verify", case)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert "intact" in verify.stdout
