"""Report generation time on a large case: 100,000 records and 5,000 photos.

    .venv/bin/python benchmarks/report.py [--records 100000] [--photos 5000] [--keep]

Builds the case first (not timed; see ``large_case.py``), times the place checks against the
fictional facility register on their own (a second run), then times ``build_report`` (HTML,
custody verification of every file included) and the PDF.
Target (issue 9): ≤ 60 s. A MISS is printed, never raised.
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
from large_case import build_large_case
from scrutiny import __version__
from scrutiny.case import Case
from scrutiny.checks.run import check_case
from scrutiny.report.build import build_report
from scrutiny.report.pdf import chromium


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--photos", type=int, default=5_000)
    ap.add_argument("--workdir", type=Path)
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="scrutiny-bench-report-"))
    print(f"machine: {cpu_model()}, {os.cpu_count()} cores, load "
          f"{os.getloadavg()[0]:.1f}; Python {platform.python_version()}, scrutiny "
          f"{__version__}")
    try:
        t0 = time.perf_counter()
        built = build_large_case(work, args.records, args.photos, seed=9)
        with Case.open(built.root, writable=True) as case:
            tp = time.perf_counter()
            check_case(case, "PLACE", actor="bench", settings={"end_date": built.leak_end})
            t_place = time.perf_counter() - tp
            place_findings = case.db.execute("SELECT count(*) FROM findings WHERE code LIKE "
                                             "'PLACE-%'").fetchone()[0]
            records = case.db.execute("SELECT count(*) FROM records").fetchone()[0]
            photos = case.db.execute("SELECT count(*) FROM items WHERE mime LIKE 'image/%'"
                                     ).fetchone()[0]
            findings = case.db.execute("SELECT count(*) FROM findings").fetchone()[0]
            print(f"case built in {time.perf_counter() - t0:.0f} s (not timed): "
                  f"{built.people:,} people, {records:,} records, {photos:,} photos, "
                  f"{findings:,} findings ({built.check_findings:,} from checks), "
                  f"{built.matches:,} matches, {built.claims:,} claims; the five place "
                  f"checks took {t_place:.1f} s over {photos:,} photos ({place_findings:,} "
                  f"findings)")
            pdf = work / "report.pdf" if chromium() else None
            r = build_report(case, work / "report.html", pdf=pdf, actor="bench")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        steps = ", ".join(f"{k} {v:.1f}" for k, v in r.timings.items())
        print(f"report: {r.bytes / 1e6:.1f} MB HTML, {r.findings_shown:,} of "
              f"{r.findings_total:,} findings listed; {r.seconds:.1f} s ({steps}); "
              f"PDF {'%.1f MB' % (pdf.stat().st_size / 1e6) if pdf else 'skipped: no chromium'}"
              f"; peak RSS {peak:,.0f} MB")
        verdict = "PASS" if r.seconds <= 60 else "MISS"
        print(f"report of {records:,} records and {photos:,} photos in {r.seconds:.1f} s "
              f"(target ≤ 60 s): {verdict}")
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
