"""Person-record extraction throughput: rows/s from one large synthetic roster, and peak memory.

    python benchmarks/extract_records.py [--rows 1000000] [--format csv|xlsx] [--keep]

Generates a roster of fictional people (scrutiny.synth), ingests it into a new case without
extraction, then times ``extract_case`` alone. Target (issue 4): ≥ 50,000 rows/s, peak memory
< 2 GB on a 1,000,000-row roster.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import resource
import shutil
import tempfile
import time
from pathlib import Path

from extract_images import cpu_model
from scrutiny import __version__
from scrutiny.case import Case
from scrutiny.extract.run import extract_case
from scrutiny.ingest import ingest
from scrutiny.synth.people import Population
from scrutiny.synth.rosters import RosterSpec, RosterWriter, format_date


def make_roster(folder: Path, rows: int, fmt: str) -> Path:
    rng = random.Random(11)
    pop = Population(rng, dt.date(2018, 12, 31))
    spec = RosterSpec(f"roster.{fmt}", fmt, "utf-8-sig", "cell" if fmt == "xlsx" else "iso",
                      rows)
    with RosterWriter(folder, spec, dt.date(2018, 12, 31)) as w:
        for n in range(1, rows + 1):
            p = pop.person()
            w.write([n, p.name.han, p.sex_han, p.ethnicity, format_date(p.birth, spec.date_style),
                     2018 - p.birth.year, p.id_number, p.address, p.phone, "某县看守所",
                     format_date(dt.date(2018, 3, 1), spec.date_style), "不放心人员", "", ""])
    return folder / spec.path


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--format", choices=("csv", "xlsx"), default="csv")
    ap.add_argument("--workdir", type=Path)
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args(argv)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="scrutiny-bench-records-"))
    print(f"scrutiny {__version__}; Python {platform.python_version()}; {cpu_model()}; "
          f"{os.cpu_count()} cores")
    try:
        t0 = time.perf_counter()
        roster = make_roster(work / "in", args.rows, args.format)
        print(f"generated {args.rows:,}-row {args.format} roster "
              f"({roster.stat().st_size / 1e6:,.1f} MB) in {time.perf_counter() - t0:.1f} s")
        with Case.create(work / "case") as case:
            ingest(case, [roster])
            base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            t0 = time.perf_counter()
            s = extract_case(case)
            seconds = time.perf_counter() - t0
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        worker_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        rate = s.records / seconds
        print(f"extracted {s.records:,} person records in {seconds:.1f} s: {rate:,.0f} rows/s "
              f"(target ≥ 50,000: {'PASS' if rate >= 50_000 else 'MISS'}); peak RSS "
              f"{peak:,.0f} MB, largest worker process {worker_peak:,.0f} MB (before extraction "
              f"{base_rss / 1024:,.0f} MB; target < 2048 each: "
              f"{'PASS' if max(peak, worker_peak) < 2048 else 'MISS'}); errors {s.errors}")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
