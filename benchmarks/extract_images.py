"""Image metadata extraction throughput, measured against ``exiftool -j -fast`` in the same run.

    .venv/bin/python benchmarks/extract_images.py                  # 2000 synthetic photos
    .venv/bin/python benchmarks/extract_images.py --files 500 --repeat 5
    .venv/bin/python benchmarks/extract_images.py --folder ~/dump  # your own JPEGs

Generates N camera photos with ``scrutiny.synth.photos.render_photo`` (cached in the work
folder, so a second run reuses them) or takes every JPEG under ``--folder``; also measures the
shared reference images (``../shared/data/exif/images``) when that folder exists. Every file is
read once first, so both contestants read from the page cache. Then, on one core each:

- scrutiny: ``ImageExtractor().extract`` over every file, all its output consumed (EXIF, GPS,
  XMP, IPTC, ICC, maker note, and the JPEG structure, which means walking the entropy-coded
  data to the end-of-image marker to count trailing bytes);
- exiftool: one ``exiftool -j -fast -@ ARGFILE`` process over the same files, its JSON sent to
  /dev/null (Perl's start-up included: that is what a batch costs; it is printed separately).

Target (issue): scrutiny's files/s at least 20x exiftool's. A MISS is printed, never raised:
the exit status is 0.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

try:
    import scrutiny  # noqa: F401 - only checking that the package can be imported
except ImportError:  # a source checkout without ``pip install -e .``
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

TARGET = 20.0
SHARED_IMAGES = Path(__file__).resolve().parents[2] / "shared" / "data" / "exif" / "images"
JPEG_SUFFIXES = {".jpg", ".jpeg", ".jpe"}


# -- the files -----------------------------------------------------------------------------
def _plan(index: int, seed: int) -> object:
    from scrutiny.synth.photos import CAMERAS, EDITORS, PhotoPlan, seed_of

    rng = random.Random(seed_of("bench", seed, index))
    taken = dt.datetime(2018, 1, 1) + dt.timedelta(days=rng.randrange(700),
                                                   seconds=rng.randrange(7 * 3600, 20 * 3600))
    plan = PhotoPlan(
        camera=CAMERAS[index % len(CAMERAS)], taken=taken, subsec=f"{rng.randrange(1000):03d}",
        offset=rng.choice(("+08:00", "+06:00", None)),
        gps=(rng.uniform(36, 48), rng.uniform(74, 95)) if rng.random() < 0.6 else None,
        caption=f"No. {index:05d}\n{taken:%Y-%m-%d}", seed=seed_of("photo", seed, index))
    if index % 10 == 9:  # one in ten re-saved by an editor: JFIF, IJG tables, new Software
        plan = replace(plan, forgery="editor-resave", editor=rng.choice(EDITORS))
    return plan


def _render(job: tuple[int, int, str]) -> None:
    from scrutiny.synth.photos import PhotoPlan, render_photo

    index, seed, folder = job
    plan = _plan(index, seed)
    assert isinstance(plan, PhotoPlan)
    data, _ = render_photo(plan)
    (Path(folder) / f"IMG_{index:05d}.jpg").write_bytes(data)


def generate(folder: Path, count: int, seed: int) -> None:
    """``count`` synthetic camera photos in ``folder`` (kept: a later run reuses them)."""
    folder.mkdir(parents=True, exist_ok=True)
    todo = [(i, seed, str(folder)) for i in range(count)
            if not (folder / f"IMG_{i:05d}.jpg").exists()]
    if not todo:
        return
    print(f"rendering {len(todo)} synthetic photos into {folder} …", flush=True)
    with ProcessPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        list(pool.map(_render, todo, chunksize=16))


def jpeg_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.suffix.lower() in JPEG_SUFFIXES
                  and p.is_file() and not p.is_symlink())


def warm(paths: list[Path]) -> None:
    """Read every file right before a timing, so that it reads from the page cache (a VM
    that reclaims idle page cache, as DAMON does, would otherwise evict files in between)."""
    for p in paths:
        p.read_bytes()


# -- the contestants -----------------------------------------------------------------------
@dataclass
class Run:
    seconds: float
    metas: int = 0
    errors: int = 0


def time_scrutiny(paths: list[Path]) -> Run:
    from scrutiny.extract.base import ExtractionError, ItemInfo, Limits
    from scrutiny.extract.image import ImageExtractor

    extractor, limits = ImageExtractor(), Limits()
    metas = errors = 0
    start = time.perf_counter()
    for path in paths:
        with path.open("rb", buffering=0) as f:  # FileIO.readall: one fstat, one read
            item = ItemInfo(sha256="", size=os.fstat(f.fileno()).st_size, mime="image/jpeg")
            try:
                for _ in extractor.extract(f, item, limits):
                    metas += 1
            except ExtractionError:
                errors += 1
    return Run(time.perf_counter() - start, metas, errors)


def time_exiftool(paths: list[Path], workdir: Path) -> Run:
    argfile = workdir / "exiftool-args.txt"
    argfile.write_text("".join(f"{p}\n" for p in paths), encoding="utf-8")
    start = time.perf_counter()
    done = subprocess.run(["exiftool", "-j", "-fast", "-charset", "filename=utf8", "-@",
                           str(argfile)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          text=True)
    seconds = time.perf_counter() - start
    return Run(seconds, errors=0 if done.returncode == 0 else done.stderr.count("Error"))


def exiftool_startup() -> float:
    start = time.perf_counter()
    subprocess.run(["exiftool", "-ver"], capture_output=True, check=True)
    return time.perf_counter() - start


def best(runs: list[Run]) -> Run:
    return min(runs, key=lambda r: r.seconds)


def median_rate(files: int, runs: list[Run]) -> float:
    return statistics.median(files / r.seconds for r in runs)


# -- the machine ---------------------------------------------------------------------------
def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def exiftool_version() -> str:
    try:
        return subprocess.run(["exiftool", "-ver"], capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "not installed"


def print_machine() -> None:
    from PIL import __version__ as pillow

    print("machine")
    print(f"  CPU            {cpu_model()}")
    print(f"  cores          {os.cpu_count()} (both contestants run on one)")
    print(f"  OS             {platform.platform()}")
    print(f"  Python         {platform.python_implementation()} {platform.python_version()}")
    print(f"  Pillow         {pillow}")
    print(f"  exiftool       {exiftool_version()} (Debian libimage-exiftool-perl)")


# -- the report ----------------------------------------------------------------------------
def measure(label: str, paths: list[Path], workdir: Path, repeat: int) -> None:
    nbytes = sum(p.stat().st_size for p in paths)
    ours_runs, their_runs = [], []
    for _ in range(repeat):  # interleaved, so a burst of load elsewhere hits both alike
        warm(paths)
        ours_runs.append(time_scrutiny(paths))
        warm(paths)
        their_runs.append(time_exiftool(paths, workdir))
    ours, theirs = best(ours_runs), best(their_runs)
    ours_rate, their_rate = len(paths) / ours.seconds, len(paths) / theirs.seconds
    ratio = ours_rate / their_rate
    ours_median = median_rate(len(paths), ours_runs)
    their_median = median_rate(len(paths), their_runs)
    print(f"\n{label}: {len(paths)} JPEGs, {nbytes / 1e6:.1f} MB "
          f"(mean {nbytes / len(paths) / 1e3:.0f} kB), best of {repeat} (median)")
    print(f"  scrutiny   {ours.seconds:8.3f} s  {ours_rate:7.0f} files/s ({ours_median:.0f})  "
          f"{ours.metas / len(paths):.0f} values per file, {ours.errors} extraction errors")
    print(f"  exiftool   {theirs.seconds:8.3f} s  {their_rate:7.0f} files/s ({their_median:.0f})  "
          f"{theirs.errors} errors")
    verdict = "PASS" if ratio >= TARGET else "MISS"
    print(f"  ratio      {ratio:.1f}x ({ours_median / their_median:.1f}x)   "
          f"target >= {TARGET:.0f}x   {verdict}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=2000, help="synthetic photos to render")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--folder", type=Path, help="measure the JPEGs under this folder")
    parser.add_argument("--workdir", type=Path,
                        default=Path(tempfile.gettempdir()) / "scrutiny-bench-images")
    parser.add_argument("--repeat", type=int, default=5, help="report the best of K runs")
    parser.add_argument("--no-shared", action="store_true",
                        help="skip the shared reference images")
    args = parser.parse_args(argv)
    if not shutil.which("exiftool"):
        print("exiftool not found: apt-get install -y libimage-exiftool-perl")
        return 0
    args.workdir.mkdir(parents=True, exist_ok=True)
    print_machine()
    print(f"  exiftool start-up  {exiftool_startup() * 1000:.0f} ms (included in its timings)")
    if args.folder:
        measure(str(args.folder), jpeg_files(args.folder), args.workdir, args.repeat)
    else:
        folder = args.workdir / f"synthetic-{args.seed}"
        generate(folder, args.files, args.seed)
        paths = jpeg_files(folder)[:args.files]
        measure(f"synthetic photos ({folder})", paths, args.workdir, args.repeat)
    if not args.no_shared and SHARED_IMAGES.is_dir():
        measure(f"shared reference images ({SHARED_IMAGES})", jpeg_files(SHARED_IMAGES),
                args.workdir, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
