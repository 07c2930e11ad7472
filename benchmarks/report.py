"""Report generation time on a large case: 100,000 records and 5,000 photos.

    .venv/bin/python benchmarks/report.py [--records 100000] [--photos 5000] [--keep]

Builds the case first (not timed): a synthetic leak with enough people for the records
(``scrutiny synth leak``; each person comes with the relatives the roster lists), ingest,
extract, the record and corpus checks and the cheap per-photo checks (metadata, JPEG tables,
cameras, timeline: the pixel checks take minutes per thousand photos and add nothing the
report's timing depends on) and the place checks against the fictional facility register
(timed on their own, a second time), the fictional victim database linked, the ledger
derived. Then
times ``build_report`` (HTML, custody verification of every file included) and the PDF.
Target (issue 9): ≤ 60 s. A MISS is printed, never raised.
"""

from __future__ import annotations

import argparse
import json
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
from scrutiny import __version__
from scrutiny.case import Case
from scrutiny.checks.run import check_case
from scrutiny.extract.run import extract_case
from scrutiny.ingest import ingest
from scrutiny.ledger.auto import derive_claims
from scrutiny.link.reference import add_reference
from scrutiny.link.run import link_case
from scrutiny.places.register import add_register
from scrutiny.report.build import build_report
from scrutiny.report.pdf import chromium
from scrutiny.synth.leak import LeakConfig, generate_leak

CHECKS = "REC,CORP,IMG-META,IMG-JPEG-001,IMG-JPEG-002,IMG-CAM,IMG-TIME,PLACE"


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
        # the generator lists each person with about 2.9 relatives (measured: 7,804 records
        # for 2,000 people)
        people = max(10, round(args.records / 3.9))
        g = generate_leak(work / "synth", LeakConfig(people=people, photos=args.photos,
                                                      seed=9))
        with Case.create(work / "case", actor="bench") as case:
            ingest(case, [work / "synth" / "leak"], actor="bench")
            extract_case(case)
            truth = json.loads((work / "synth" / "ground_truth.json").read_text("utf-8"))
            add_register(case, work / "synth" / "reference" / "facilities.geojson",
                         actor="bench")
            k = check_case(case, CHECKS, actor="bench",
                           settings={"end_date": truth["leak_end"]})
            tp = time.perf_counter()
            check_case(case, "PLACE", actor="bench", settings={"end_date": truth["leak_end"]})
            t_place = time.perf_counter() - tp
            place_findings = case.db.execute("SELECT count(*) FROM findings WHERE code LIKE "
                                             "'PLACE-%'").fetchone()[0]
            add_reference(case, "victims", work / "synth" / "reference" / "victims.csv",
                          actor="bench")
            s = link_case(case, actor="bench")
            d = derive_claims(case, "bench")
            records = case.db.execute("SELECT count(*) FROM records").fetchone()[0]
            photos = case.db.execute("SELECT count(*) FROM items WHERE mime LIKE 'image/%'"
                                     ).fetchone()[0]
            findings = case.db.execute("SELECT count(*) FROM findings").fetchone()[0]
            print(f"case built in {time.perf_counter() - t0:.0f} s (not timed): {g.people:,} "
                  f"people, {records:,} records, {photos:,} photos, {findings:,} findings "
                  f"({sum(k.findings.values()):,} from checks), {s.matches:,} matches, "
                  f"{d.claims:,} claims; the five place checks took {t_place:.1f} s over "
                  f"{photos:,} photos ({place_findings:,} findings)")
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
