"""Precision and recall of the checks on synthetic leaks with planted faults.

    .venv/bin/python benchmarks/checks_eval.py                     # 20 seeds, 2,000 people each
    .venv/bin/python benchmarks/checks_eval.py --seeds 5 --people 600

For each seed: generate a fictional leak (``scrutiny.synth``; its ``ground_truth.json`` lists
every planted fault), ingest and extract it into a new case, run every check (with the leak's
stated end date), then compare. For each kind of planted fault, the check meant to catch it:

- a planted fault counts as found when that check has a finding on its subject (the record at
  the planted file and row, the duplicated ID number, the roster, the document);
- a finding on a subject where a *different* fault was planted is not counted either way
  (a row given another person's ID number by the duplicate-ID fault really does disagree with
  that number's birth date, sex and region: the finding is right, but not this fault's); nor
  is one on a photo whose file name carries a planted ID number (the photo repeats the fault);
- every other finding of that check, on a subject where nothing was planted, is a false
  positive: precision = found / (found + false positives).

Targets (issue 5): recall 1.0 and precision ≥ 0.99 for every ID-related fault; the
uniform-birthdate roster flagged in every seed while no clean roster of 300+ rows is.
A MISS is printed, never raised.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from scrutiny import __version__
from scrutiny.case import Case
from scrutiny.checks.run import check_case
from scrutiny.extract.run import extract_case
from scrutiny.ingest import ingest
from scrutiny.synth.leak import LeakConfig, generate_leak

# planted kind → (check code, what the check's subject is: "record", "id", "item")
EXPECTED: dict[str, tuple[str, str]] = {
    "id-check-digit": ("REC-ID-004", "record"),
    "id-region-mismatch": ("REC-ID-006", "record"),
    "id-birth-mismatch": ("REC-ID-007", "record"),
    "id-sex-mismatch": ("REC-ID-009", "record"),
    "duplicate-id": ("CORP-ID-001", "id"),
    "uniform-birthdates": ("CORP-BIRTH-002", "item"),
    "document-metadata-postdates": ("DOC-META-003", "item"),
}
ID_KINDS = ("id-check-digit", "id-region-mismatch", "id-birth-mismatch", "id-sex-mismatch",
            "duplicate-id")


def _relpath(source: str, chain: str) -> str:
    members = json.loads(chain)
    path = members[-1] if members else source
    return path[path.index("leak/"):] if "leak/" in path else path


def subjects_of(case: Case) -> tuple[dict[tuple[str, int], str], dict[str, str]]:
    """(file, row) → record subject; file → item sha256."""
    files = {}
    for sha, source, chain in case.db.execute("SELECT sha256, source, chain FROM provenances"):
        files[_relpath(source, chain)] = sha
    by_sha = {sha: f for f, sha in files.items()}
    rows = {}
    for rid, sha, location in case.db.execute(
            "SELECT id, sha256, location FROM records WHERE source = 'table'"):
        row = int(location.rsplit("row:", 1)[1])
        rows[(by_sha.get(sha, sha), row)] = f"record:{rid}"
    return rows, files


def planted_subject(p: dict[str, Any], kind: str, rows: dict[tuple[str, int], str],
                    files: dict[str, str]) -> str | None:
    if kind == "record":
        return rows.get((p["file"], p["row"]))
    if kind == "id":
        return f"id:{p['id_number']}"
    return files.get(p["file"])


def evaluate(seed: int, people: int, work: Path) -> dict[str, dict[str, Any]]:
    out = work / f"seed{seed}"
    generate_leak(out, LeakConfig(people=people, photos=20, seed=seed))
    truth = json.loads((out / "ground_truth.json").read_text("utf-8"))
    result: dict[str, dict[str, Any]] = {}
    with Case.create(out / "case") as case:
        ingest(case, [out / "leak"])
        extract_case(case)
        check_case(case, settings={"end_date": truth["leak_end"]})
        rows, files = subjects_of(case)
        for kind, (code, subject_kind) in EXPECTED.items():
            planted = {planted_subject(p, subject_kind, rows, files)
                       for p in truth["planted"] if p["kind"] == kind}
            planted.discard(None)
            needs = {"record": "row", "id": "id_number", "item": "file"}[subject_kind]
            other = {planted_subject(p, subject_kind, rows, files)
                     for p in truth["planted"] if p["kind"] != kind and needs in p}
            if subject_kind == "record":  # photo file names carrying a planted ID number
                numbers = {p["id_number"] for p in truth["planted"] if "id_number" in p}
                other |= {f"record:{rid}" for rid, number in case.db.execute(
                    "SELECT id, id_number FROM records WHERE source = 'filename'")
                    if number in numbers}
            other -= planted
            flagged = {r[0] for r in case.db.execute(
                "SELECT DISTINCT subject FROM findings WHERE code = ? AND title != "
                "'Could not check'", (code,))}
            false = flagged - planted - other
            result[kind] = {"planted": len(planted), "found": len(planted & flagged),
                            "flagged": len(flagged), "true": len(flagged & planted),
                            "other": len(flagged & other), "false_n": len(false),
                            "missed": sorted(planted - flagged)[:5], "false": sorted(false)[:5]}
        result["_rosters"] = {"count": len(truth["rosters"])}
    shutil.rmtree(out / "leak", ignore_errors=True)
    return result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--people", type=int, default=2000)
    ap.add_argument("--workdir", type=Path)
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="scrutiny-checks-eval-"))
    print(f"scrutiny {__version__}; Python {platform.python_version()}; "
          f"{os.cpu_count()} cores; {args.seeds} seeds × {args.people} people")
    totals: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    misses: dict[str, list[str]] = defaultdict(list)
    started = time.monotonic()
    try:
        for seed in range(1, args.seeds + 1):
            r = evaluate(seed, args.people, work)
            for kind, v in r.items():
                if kind.startswith("_"):
                    continue
                for k in ("planted", "found", "flagged", "true", "other", "false_n"):
                    totals[kind][k] += v[k]
                if v["missed"] or v["false"]:
                    misses[kind].append(f"seed {seed}: missed {v['missed']} "
                                        f"false {v['false']}")
            print(f"  seed {seed}: done ({time.monotonic() - started:.0f} s)", flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(f"\n{'planted fault':30} {'check':15} {'planted':>8} {'recall':>7} {'flagged':>8} "
          f"{'other':>6} {'false':>6} {'precision':>9}  target")
    for kind, (code, _) in EXPECTED.items():
        t = totals[kind]
        recall = t["found"] / t["planted"] if t["planted"] else float("nan")
        judged = t["true"] + t["false_n"]
        precision = t["true"] / judged if judged else float("nan")
        if kind in ID_KINDS or kind == "uniform-birthdates":
            ok = recall == 1.0 and (precision >= 0.99 if kind in ID_KINDS else
                                    t["false_n"] == 0)
            target = "PASS" if ok else "MISS"
        else:
            target = "-"
        print(f"{kind:30} {code:15} {t['planted']:8} {recall:7.3f} {t['flagged']:8} "
              f"{t['other']:6} {t['false_n']:6} {precision:9.3f}  {target}")
    print("(other: findings on subjects where a different fault was planted; false: findings "
          "where nothing was planted)")
    for kind, lines in misses.items():
        print(f"\n{kind}:")
        for line in lines[:10]:
            print("  " + line)
    print(f"\n{time.monotonic() - started:.0f} s in all")
    return 0


if __name__ == "__main__":
    sys.exit(main())
