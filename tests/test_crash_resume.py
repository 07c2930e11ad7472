"""Crash safety: SIGKILL ingest at many points; re-running the same command finishes the job
with no duplicate items or provenances and a custody chain that verifies."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import tarfile
import textwrap
import time
import zipfile
from pathlib import Path

import pytest

from scrutiny.case import Case
from scrutiny.ingest import ingest
from tests.conftest import run_cli


def make_leak(root: Path) -> Path:
    root.mkdir()
    for d in range(4):
        sub = root / f"dir{d}"
        sub.mkdir()
        for i in range(40):
            (sub / f"file_{i:03d}.txt").write_bytes(f"file {d}/{i} ".encode() * (50 + i))
    (root / "dup.txt").write_bytes((root / "dir0" / "file_000.txt").read_bytes())
    inner = io.BytesIO()
    with tarfile.open(fileobj=inner, mode="w:gz") as tf:
        for i in range(30):
            data = f"inner member {i}\n".encode() * 20
            info = tarfile.TarInfo(f"inner/m{i:02d}.txt")
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    with zipfile.ZipFile(root / "archive.zip", "w") as zf:
        for i in range(60):
            zf.writestr(f"member_{i:02d}.txt", f"zip member {i}\n" * 30)
        zf.writestr("nested/inner.tar.gz", inner.getvalue())
    return root


def snapshot(case: Path) -> dict[str, object]:
    with Case.open(case) as c:
        items = sorted(r[0] for r in c.db.execute("SELECT sha256 FROM items"))
        provs = sorted(
            (r[0], r[1], r[2]) for r in c.db.execute(
                "SELECT sha256, source, chain FROM provenances"))
        received = sum(1 for _, ev in c.log.events_from(0) if ev.action == "received")
    return {"items": items, "provenances": provs, "received": received}


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    base = tmp_path_factory.mktemp("ref")
    leak = make_leak(base / "leak")
    with Case.create(base / "case") as c:
        ingest(c, [leak], actor="test")
    return leak, snapshot(base / "case")


def ingest_cmd(case: Path, leak: Path) -> list[str]:
    return [sys.executable, "-m", "scrutiny.cli", "ingest", str(case), str(leak),
            "--no-progress", "--actor", "test"]


def assert_complete(case: Path, leak: Path, reference: dict[str, object]) -> None:
    r = subprocess.run(ingest_cmd(case, leak), capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    snap = snapshot(case)
    assert snap["items"] == reference["items"]
    # the same provenances, each once (sources are absolute paths of the same leak)
    assert snap["provenances"] == reference["provenances"]
    assert len(set(snap["provenances"])) == len(snap["provenances"])  # type: ignore[arg-type]
    assert snap["received"] == reference["received"]  # no duplicate 'received' events
    v = run_cli("custody", "verify", str(case))
    assert v.returncode == 0, v.stdout + v.stderr


def line_count(path: Path) -> int:
    try:
        return path.read_bytes().count(b"\n")
    except FileNotFoundError:
        return 0


@pytest.mark.slow
@pytest.mark.parametrize("kill_after_lines", [1, 4, 25, 80, 150, 200, 240])
def test_sigkill_at_log_length_then_resume(tmp_path: Path, kill_after_lines: int,
                                           reference: tuple[Path, dict[str, object]]) -> None:
    leak, ref = reference
    case = tmp_path / "case"
    assert run_cli("init", str(case)).returncode == 0
    log = case / "custody.jsonl"
    start = line_count(log)
    proc = subprocess.Popen(ingest_cmd(case, leak), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while proc.poll() is None and time.monotonic() < deadline:
        if line_count(log) - start >= kill_after_lines:
            proc.send_signal(signal.SIGKILL)
            break
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL, "ingest finished before the kill point"
    assert_complete(case, leak, ref)


KILL_SCRIPT = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    target, where = int(sys.argv[3]), sys.argv[4]
    count = 0
    def maybe_die():
        global count
        count += 1
        if count == target:
            os.kill(os.getpid(), signal.SIGKILL)
    if where == "before-commit":
        # events are in the log, the catalog transaction is still open
        from scrutiny.ingest import run
        orig = run._Run._maybe_commit
        def patched(self):
            maybe_die()
            orig(self)
        run._Run._maybe_commit = patched
    elif where == "after-blob":
        # the blob is durable but no event names it yet
        from scrutiny.store import blobs
        orig = blobs.BlobWriter.commit
        def patched(self):
            result = orig(self)
            maybe_die()
            return result
        blobs.BlobWriter.commit = patched
    elif where == "mid-blob":
        # half of a blob is written to tmp/
        from scrutiny.store import blobs
        orig = blobs.BlobWriter.write
        def patched(self, data):
            orig(self, data[: len(data) // 2])
            maybe_die()
            orig(self, data[len(data) // 2:])
        blobs.BlobWriter.write = patched
    elif where == "mid-log-line":
        # a custody line is half written (a torn write)
        from scrutiny.store import custody
        orig = custody.CustodyLog._encode
        def patched(self, event):
            line = orig(self, event)
            global count
            count += 1
            if count == target:
                os.write(self._fd, line[: len(line) // 2])
                os.kill(os.getpid(), signal.SIGKILL)
            return line
        custody.CustodyLog._encode = patched
    from scrutiny.case import Case
    from scrutiny.ingest import ingest
    with Case.open(Path(sys.argv[1]), writable=True) as c:
        ingest(c, [Path(sys.argv[2])], actor="test", workers=1)
    sys.exit(3)  # the kill point was never reached
""")


@pytest.mark.slow
@pytest.mark.parametrize("where,target", [
    ("before-commit", 1), ("before-commit", 90), ("before-commit", 230),
    ("after-blob", 1), ("after-blob", 100), ("after-blob", 205),
    ("mid-blob", 3), ("mid-blob", 170),
    ("mid-log-line", 2), ("mid-log-line", 120),
])
def test_sigkill_at_exact_points_then_resume(tmp_path: Path, where: str, target: int,
                                             reference: tuple[Path, dict[str, object]]) -> None:
    leak, ref = reference
    case = tmp_path / "case"
    assert run_cli("init", str(case)).returncode == 0
    r = subprocess.run([sys.executable, "-c", KILL_SCRIPT, str(case), str(leak), str(target),
                        where], capture_output=True, text=True, timeout=120)
    assert r.returncode == -signal.SIGKILL, (r.returncode, r.stderr)
    assert_complete(case, leak, ref)
    if where == "mid-log-line":
        with Case.open(case) as c:
            actions = [ev.action for _, ev in c.log.events_from(0)]
        assert "log-repaired" in actions
    assert list((case / "tmp").iterdir()) == []


@pytest.mark.slow
def test_killed_twice_then_resumed(tmp_path: Path,
                                   reference: tuple[Path, dict[str, object]]) -> None:
    leak, ref = reference
    case = tmp_path / "case"
    assert run_cli("init", str(case)).returncode == 0
    for target in (40, 150):
        r = subprocess.run([sys.executable, "-c", KILL_SCRIPT, str(case), str(leak),
                            str(target), "before-commit"], capture_output=True, text=True,
                           timeout=120)
        assert r.returncode == -signal.SIGKILL, r.stderr
    assert_complete(case, leak, ref)
    with Case.open(case) as c:
        runs = [json.loads(r[0]) if r[0] else None for r in c.db.execute(
            "SELECT summary FROM runs ORDER BY started")]
        statuses = [r[0] for r in c.db.execute("SELECT status FROM runs ORDER BY started")]
    assert statuses == ["running", "running", "finished"]  # killed runs stay visible
    assert runs[-1] is not None


def test_second_writer_is_refused(tmp_path: Path) -> None:
    case = tmp_path / "case"
    with Case.create(case):
        r = run_cli("ingest", str(case), str(tmp_path), "--no-progress")
    assert r.returncode == 2
    assert "another scrutiny process" in r.stderr or "overlaps the case" in r.stderr
    other = tmp_path / "other.txt"
    other.write_text("x")
    with Case.open(case, writable=True):
        r = run_cli("ingest", str(case), str(other), "--no-progress")
    assert r.returncode == 2 and "another scrutiny process" in r.stderr
    assert os.path.exists(case / "case.db")
