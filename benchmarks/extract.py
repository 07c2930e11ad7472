"""Extraction benchmarks of issue 4, in one run: image metadata against exiftool, then person
records from a large roster.

    .venv/bin/python benchmarks/extract.py                         # 2,000 photos, 1,000,000 rows
    .venv/bin/python benchmarks/extract.py --files 500 --rows 100000
    .venv/bin/python benchmarks/extract.py --folder ~/dump         # your own JPEGs

Part 1 (``extract_images.py``): metadata files/s of scrutiny and of ``exiftool -j -fast`` over
the same JPEGs (synthetic camera photos, then the shared reference images when present); target
≥ 20× exiftool's files/s. Part 2 (``extract_records.py``): person-record rows/s and peak memory
on a synthetic roster; targets ≥ 50,000 rows/s and < 2 GB. Each part prints the machine it ran
on; a MISS is printed, never raised.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import extract_images
import extract_records


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--files", type=int, default=2000, help="synthetic photos to render")
    ap.add_argument("--folder", type=Path, help="measure the JPEGs under this folder instead")
    ap.add_argument("--repeat", type=int, default=3, help="best of K image runs")
    ap.add_argument("--rows", type=int, default=1_000_000, help="roster rows")
    ap.add_argument("--format", choices=("csv", "xlsx"), default="csv", help="roster format")
    args = ap.parse_args()
    print("== image metadata ==")
    images = ["--files", str(args.files), "--repeat", str(args.repeat)]
    if args.folder:
        images += ["--folder", str(args.folder)]
    extract_images.main(images)
    print("\n== person records ==")
    extract_records.main(["--rows", str(args.rows), "--format", args.format])
    return 0


if __name__ == "__main__":
    sys.exit(main())
