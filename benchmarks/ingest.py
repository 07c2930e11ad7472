"""Ingest throughput, measured against ``sha256sum`` over the same files in the same run.

    .venv/bin/python benchmarks/ingest.py                 # 400 JPEG-sized files, both modes
    .venv/bin/python benchmarks/ingest.py --files 2000 --size-mb 0.5
    .venv/bin/python benchmarks/ingest.py --folder ~/dump --encrypted

Generates N JPEG-sized files of random bytes (or uses ``--folder``), reads every file once so
both contestants hash from the page cache, then times ``sha256sum`` over the files and
``scrutiny.ingest.ingest`` into a new case, unencrypted and encrypted. Case creation (and the
scrypt key derivation of an encrypted case) happens before the clock starts.

Targets (issue): ingest wall time at most 2x ``sha256sum``'s unencrypted, 3x encrypted.
A MISS is printed, never raised: this is a benchmark, the exit status is 0.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

try:
    import scrutiny  # noqa: F401 - only checking that the package can be imported
except ImportError:  # a source checkout without ``pip install -e .``
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

MB = 1_000_000
READ_SIZE = 1 << 20
PASSPHRASE = "benchmark passphrase"  # noqa: S105 - a throwaway case in a temp folder
TARGETS = {"unencrypted": 2.0, "encrypted": 3.0}

# A JPEG start of image and JFIF APP0 segment, so that libmagic calls the files image/jpeg and
# ingest sees what it sees in a real photo dump; the end of image marker closes each file.
JPEG_HEAD = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
JPEG_TAIL = b"\xff\xd9"
SUBFOLDERS = ("station-01", "station-02", "station-03", "station-04", "checkpoint-07")


# -- the files -----------------------------------------------------------------------------
def generate(folder: Path, count: int, mean_mb: float, seed: int) -> None:
    """``count`` files of random bytes, sizes ``mean_mb`` +-50%, named like a police photo
    dump: ``<18-digit ID>_<date>_<time>.jpg``. The IDs are fake: 6532, then zeros and the
    file's index."""
    rng = random.Random(seed)
    mean = mean_mb * MB
    for i in range(count):
        size = max(len(JPEG_HEAD) + len(JPEG_TAIL), int(mean * rng.uniform(0.5, 1.5)))
        body = rng.randbytes(size - len(JPEG_HEAD) - len(JPEG_TAIL))
        taken = datetime(2019, 1, 1) + timedelta(days=rng.randrange(365),
                                                 seconds=rng.randrange(7 * 3600, 19 * 3600))
        name = f"6532{i:014d}_{taken:%Y%m%d_%H%M%S}.jpg"
        sub = folder / SUBFOLDERS[i % len(SUBFOLDERS)]
        sub.mkdir(parents=True, exist_ok=True)
        (sub / name).write_bytes(JPEG_HEAD + body + JPEG_TAIL)


def regular_files(folder: Path) -> list[Path]:
    """The files ingest will read, found by ingest's own walk (links and devices excluded)."""
    from scrutiny.ingest.walk import walk

    return [e.path for e in walk([folder]) if e.problem is None]


def warm(paths: list[Path]) -> None:
    """Read every file once, so that both contestants hash from the page cache."""
    buf = bytearray(READ_SIZE)
    for p in paths:
        with open(p, "rb", buffering=0) as f:
            while f.readinto(buf):
                pass


def settle() -> None:
    """Write back what an earlier run left dirty, so it does not land inside the next timing."""
    os.sync()


# -- the contestants -----------------------------------------------------------------------
def time_sha256sum(paths: list[Path]) -> float:
    """Wall time of ``sha256sum`` over ``paths`` (xargs batches them under ARG_MAX)."""
    listing = b"\0".join(os.fsencode(p) for p in paths) + b"\0"
    start = time.perf_counter()
    subprocess.run(["xargs", "-0", "-r", "sha256sum", "--"], input=listing,
                   stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def time_hashlib(paths: list[Path]) -> float:
    """Wall time of Python's hashlib.sha256 (OpenSSL) over ``paths`` on one thread: a
    reference for what hashing alone costs inside the process."""
    buf = bytearray(READ_SIZE)
    view = memoryview(buf)
    start = time.perf_counter()
    for p in paths:
        h = hashlib.sha256()
        with open(p, "rb", buffering=0) as f:
            while n := f.readinto(buf):
                h.update(view[:n])
        h.hexdigest()
    return time.perf_counter() - start


@dataclass
class IngestRun:
    seconds: float
    files: int
    nbytes: int
    members: int
    problems: dict[str, int]
    library_seconds: float


def time_ingest(case_dir: Path, folder: Path, encrypted: bool,
                workers: int | None) -> IngestRun:
    from scrutiny.case import Case
    from scrutiny.ingest import ingest

    if encrypted:
        case = Case.create(case_dir, encrypt=True, passphrase=PASSPHRASE, actor="benchmark")
    else:
        case = Case.create(case_dir, actor="benchmark")
    try:
        start = time.perf_counter()
        summary = ingest(case, [folder], actor="benchmark", workers=workers)
        seconds = time.perf_counter() - start
    finally:
        case.close()
    return IngestRun(seconds, summary.files, summary.bytes, summary.members,
                     dict(summary.problems), summary.seconds)


# -- the machine ---------------------------------------------------------------------------
def _cpuinfo() -> dict[str, str]:
    info: dict[str, str] = {}
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return info
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if not sep:
            if info:  # the first processor is enough
                break
            continue
        info.setdefault(key.strip(), value.strip())
    return info


def _meminfo_total() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return "unknown"


def filesystem_of(path: Path) -> str:
    """Filesystem type and mount point holding ``path`` (from /proc/mounts)."""
    target = os.path.realpath(path)
    best: tuple[str, str, str] | None = None
    try:
        lines = Path("/proc/mounts").read_text().splitlines()
    except OSError:
        return "unknown"
    for line in lines:
        fields = line.split()
        if len(fields) < 3:
            continue
        mnt = fields[1].replace("\\040", " ")
        inside = target == mnt or target.startswith(mnt.rstrip("/") + "/")
        if inside and (best is None or len(mnt) >= len(best[1])):
            best = (fields[2], mnt, fields[0])
    return f"{best[0]} (mounted at {best[1]}, {best[2]})" if best else "unknown"


def _sha256sum_info() -> str:
    try:
        first = subprocess.run(["sha256sum", "--version"], capture_output=True, text=True,
                               check=True).stdout.splitlines()[0]
    except (OSError, subprocess.CalledProcessError, IndexError):
        return "not found"
    linked = "unknown"
    exe = shutil.which("sha256sum")
    if exe and shutil.which("ldd"):
        libs = subprocess.run(["ldd", exe], capture_output=True, text=True).stdout
        linked = ("OpenSSL libcrypto" if "libcrypto" in libs
                  else "its own portable C SHA-256 (no libcrypto, so no SHA-NI)")
    return f"{first}; hashes with {linked}"


def _git_revision() -> str | None:
    root = Path(__file__).resolve().parents[1]
    try:
        rev = subprocess.run(["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--", "src"],
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return f"{rev}{' + uncommitted changes in src/' if dirty else ''}"


def machine_context(workdir: Path, folder: Path, workers: int | None) -> list[tuple[str, str]]:
    import ssl

    import cryptography

    import scrutiny

    cpu = _cpuinfo()
    flags = set(cpu.get("flags", cpu.get("Features", "")).split())
    if not flags:
        sha_ni = aes_ni = "unknown"
    elif platform.machine() in ("aarch64", "arm64"):
        sha_ni = "yes (ARMv8 sha2)" if "sha2" in flags else "no"
        aes_ni = "yes (ARMv8 aes)" if "aes" in flags else "no"
    else:
        sha_ni = "yes" if "sha_ni" in flags else "no"
        aes_ni = "yes" if "aes" in flags else "no"
    logical = os.cpu_count() or 0
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else logical
    version = scrutiny.__version__
    rev = _git_revision()
    return [
        ("CPU", cpu.get("model name") or platform.processor() or platform.machine()),
        ("cores", f"{logical} logical, {usable} usable by this process"),
        ("RAM", _meminfo_total()),
        ("SHA-NI", sha_ni),
        ("AES-NI", aes_ni),
        ("OS", f"{platform.system()} {platform.release()}"),
        ("Python", f"{platform.python_version()} ({platform.python_implementation()}), "
                   f"{ssl.OPENSSL_VERSION}, cryptography {cryptography.__version__}"),
        ("scrutiny", f"{version}" + (f" (git {rev})" if rev else "")),
        ("ingest workers", str(workers) if workers else
         f"library default (min(4, cpu_count) = {min(4, logical or 2)})"),
        ("case folder", f"{workdir} on {filesystem_of(workdir)}"),
        ("input folder", f"{folder} on {filesystem_of(folder)}"),
        ("sha256sum", _sha256sum_info()),
    ]


# -- the report ----------------------------------------------------------------------------
def _table(rows: list[list[str]], right: set[int]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    out = []
    for n, row in enumerate(rows):
        cells = [c.rjust(w) if i in right else c.ljust(w)
                 for i, (c, w) in enumerate(zip(row, widths, strict=True))]
        out.append("  ".join(cells).rstrip())
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description="Ingest throughput against sha256sum over the same files.")
    ap.add_argument("--files", type=int, default=400, metavar="N",
                    help="how many files to generate (default 400)")
    ap.add_argument("--size-mb", type=float, default=3.0, metavar="MB",
                    help="mean file size in MB (10^6 bytes), varying +-50%% (default 3.0)")
    ap.add_argument("--seed", type=int, default=20190312, help="seed of the generated files")
    ap.add_argument("--folder", type=Path,
                    help="ingest this existing folder instead of generating files")
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--encrypted", action="store_true", help="only an encrypted case")
    mode.add_argument("--unencrypted", action="store_true", help="only an unencrypted case")
    mode.add_argument("--both", action="store_true", help="both (the default)")
    ap.add_argument("--workdir", type=Path,
                    help="where generated files and cases go (default: a new folder in /tmp)")
    ap.add_argument("--keep", action="store_true", help="do not remove the work folder")
    ap.add_argument("--repeat", type=int, default=1, metavar="K",
                    help="time each contestant K times and report the best (default 1)")
    ap.add_argument("--workers", type=int,
                    help="ingest worker threads (default: the library's own choice)")
    args = ap.parse_args(argv)
    if args.files < 1 or args.size_mb <= 0 or args.repeat < 1:
        ap.error("--files, --size-mb and --repeat must be positive")

    modes = (["encrypted"] if args.encrypted else ["unencrypted"] if args.unencrypted
             else ["unencrypted", "encrypted"])
    made_workdir = args.workdir is None
    workdir = (Path(tempfile.mkdtemp(prefix="scrutiny-bench-", dir="/tmp")) if made_workdir
               else args.workdir.resolve())
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        if args.folder is not None:
            folder = args.folder.resolve()
            if not folder.is_dir():
                ap.error(f"--folder {folder} is not a folder")
        else:
            folder = workdir / "photos"
            if folder.exists() and any(folder.iterdir()):
                ap.error(f"{folder} exists and is not empty; choose another --workdir")
            print(f"generating {args.files} files of {args.size_mb:g} MB +-50% "
                  f"in {folder} ...", flush=True)
            t = time.perf_counter()
            generate(folder, args.files, args.size_mb, args.seed)
            print(f"  done in {time.perf_counter() - t:.1f} s", flush=True)
        run(args, modes, workdir, folder)
    finally:
        if made_workdir and not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
        elif args.keep:
            print(f"\nkept {workdir}")
    return 0


def run(args: argparse.Namespace, modes: list[str], workdir: Path, folder: Path) -> None:
    paths = regular_files(folder)
    if not paths:
        print(f"no regular files under {folder}; nothing to measure")
        return
    total = sum(p.stat().st_size for p in paths)

    print("\nmachine")
    for key, value in machine_context(workdir, folder, args.workers):
        print(f"  {key:<15} {value}")
    print(f"\nfiles: {len(paths)} totalling {total / MB:,.1f} MB "
          f"(mean {total / len(paths) / MB:.2f} MB); page cache warmed before every timing; "
          f"best of {args.repeat}", flush=True)

    sums: list[float] = []
    hashlibs: list[float] = []
    results: dict[str, list[IngestRun]] = {m: [] for m in modes}
    for k in range(args.repeat):
        for m in modes:
            settle()
            warm(paths)
            sums.append(time_sha256sum(paths))
            print(f"  [{k + 1}/{args.repeat}] {'sha256sum':<18} {sums[-1]:7.3f} s", flush=True)
            case_dir = workdir / f"case-{m}-{k + 1}"
            settle()
            warm(paths)
            r = time_ingest(case_dir, folder, m == "encrypted", args.workers)
            results[m].append(r)
            print(f"  [{k + 1}/{args.repeat}] {'ingest ' + m:<18} {r.seconds:7.3f} s", flush=True)
            if not args.keep:
                shutil.rmtree(case_dir, ignore_errors=True)
        settle()
        warm(paths)
        hashlibs.append(time_hashlib(paths))

    base = min(sums)
    rows = [["mode", "files", "MB", "sha256sum s", "ingest s", "files/s", "MB/s",
             "ratio", "target", "result"]]
    notes: list[str] = []
    for m in modes:
        best = min(results[m], key=lambda r: r.seconds)
        ratio = best.seconds / base
        target = TARGETS[m]
        rows.append([m, f"{best.files}", f"{best.nbytes / MB:,.1f}", f"{base:.3f}",
                     f"{best.seconds:.3f}", f"{best.files / best.seconds:,.1f}",
                     f"{best.nbytes / MB / best.seconds:,.1f}", f"{ratio:.2f}x",
                     f"<= {target:g}x", "PASS" if ratio <= target else "MISS"])
        if best.files != len(paths):
            notes.append(f"{m}: ingest counted {best.files} top-level files, "
                         f"sha256sum read {len(paths)}")
        if best.members:
            notes.append(f"{m}: ingest also unpacked {best.members} archive members, "
                         "which sha256sum does not; the ratio overstates ingest's cost")
        if best.problems:
            notes.append(f"{m}: ingest reported problems {best.problems}")
    print()
    print(_table(rows, right={1, 2, 3, 4, 5, 6, 7}))
    hl = min(hashlibs)
    print(f"\nreference: sha256sum {total / MB / base:,.1f} MB/s; Python hashlib.sha256 on one "
          f"thread {total / MB / hl:,.1f} MB/s ({hl:.3f} s, {hl / base:.2f}x sha256sum)")
    for note in notes:
        print(f"note: {note}")
    missed = [row[0] for row in rows[1:] if row[-1] == "MISS"]
    if missed:
        print(f"\nMISS: {', '.join(missed)} ingest is slower than its target "
              "(ingest wall time / sha256sum wall time)")


if __name__ == "__main__":
    sys.exit(main())
