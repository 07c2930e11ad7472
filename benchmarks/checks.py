"""Record-check throughput: the per-record checks over a 1,000,000-record roster.

    .venv/bin/python benchmarks/checks.py [--rows 1000000] [--keep]

Generates a synthetic roster (``extract_records.make_roster``), ingests and extracts it (not
timed), then times ``check_case`` with the per-record checks only (``--select REC``) and prints
records/s, findings and peak memory. Target (issue 5): 1,000,000 records in ≤ 60 s.
A MISS is printed, never raised.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from extract_images import cpu_model
from extract_records import make_roster
from scrutiny import __version__
from scrutiny.case import Case
from scrutiny.checks.run import check_case
from scrutiny.extract.run import extract_case
from scrutiny.ingest import ingest


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--workdir", type=Path)
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="scrutiny-bench-checks-"))
    print(f"scrutiny {__version__}; Python {platform.python_version()}; {cpu_model()}; "
          f"{os.cpu_count()} cores")
    try:
        roster = make_roster(work / "in", args.rows, "csv")
        with Case.create(work / "case") as case:
            ingest(case, [roster])
            t0 = time.perf_counter()
            x = extract_case(case)
            print(f"prepared {x.records:,} records (extraction {time.perf_counter() - t0:.1f} s,"
                  " not timed below)")
            t0 = time.perf_counter()
            s = check_case(case, chosen="REC")
            seconds = time.perf_counter() - t0
        rate = s.records / seconds
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{len(s.checks)} record checks over {s.records:,} records in {seconds:.1f} s: "
              f"{rate:,.0f} records/s; {sum(s.findings.values()):,} findings; peak RSS "
              f"{peak:,.0f} MB; target ≤ 60 s for 1,000,000: "
              f"{'PASS' if seconds * 1_000_000 / max(s.records, 1) <= 60 else 'MISS'}")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
