"""Load test of the web workbench on loopback: 50 clients browsing a 100,000-record case.

    .venv/bin/python benchmarks/web_load.py [--records 100000] [--clients 50] [--seconds 60]
        [--think 1.0] [--workdir DIR] [--keep]

Builds the case first (not timed; see ``large_case.py``; a kept ``--workdir`` is reused) and
one account per client. Then starts ``scrutiny serve`` in its own process on 127.0.0.1,
logs every client in (not timed: a login costs one scrypt on purpose), and lets the clients
browse for ``--seconds``: each one repeatedly opens a page chosen like a person working
through a case would (overview, evidence lists with filters, an item page, record search by
name prefix, a record page, the review queue, a match page, the ledger, a claim page),
waits a think time (exponential, mean ``--think`` seconds; 0 = as fast as it can), and
goes on. The load generator runs on the same machine as the server. Prints the latency of
every request (p50, p95, p99, max), per page, requests per second and errors.
Target (issue 10): p95 ≤ 200 ms, no errors. A MISS is printed, never raised.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import platform
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import httpx2 as httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from extract_images import cpu_model
from large_case import build_large_case
from scrutiny import __version__

PASSWORD = "load test password 123"  # noqa: S105 - fictional accounts of a benchmark
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def build(work: Path, records: int, photos: int, clients: int) -> Path:
    from scrutiny.case import Case
    from scrutiny.web.accounts import add_user, list_users

    case_dir = work / "case"
    if not (case_dir / "case.json").exists():
        t0 = time.perf_counter()
        build_large_case(work, records, photos, seed=11)
        print(f"case built in {time.perf_counter() - t0:.0f} s (not timed)")
    with Case.open(case_dir, writable=True) as case:
        have = {u.name for u in list_users(case.db)}
        for i in range(clients):
            if f"client{i}" not in have:
                role = "reviewer" if i % 5 == 0 else "viewer"
                add_user(case, f"client{i}", role, PASSWORD, by="bench")
    return case_dir


def targets(case_dir: Path) -> dict[str, list[str]]:
    """What the clients may open: ids and names sampled from the case."""
    from scrutiny.case import Case

    rnd = random.Random(3)
    with Case.open(case_dir) as case:
        db = case.db
        n = db.execute("SELECT max(id) FROM records").fetchone()[0]
        record_ids = [str(rnd.randint(1, n)) for _ in range(500)]
        names = [r[0][:2] for r in db.execute(
            "SELECT name FROM records WHERE name IS NOT NULL ORDER BY random() LIMIT 200")]
        items = [r[0] for r in db.execute(
            "SELECT DISTINCT f.subject FROM findings f JOIN items i ON i.sha256 = f.subject "
            "LIMIT 300")]
        items += [r[0] for r in db.execute("SELECT sha256 FROM items ORDER BY random() "
                                           "LIMIT 200")]
        matches = [str(r[0]) for r in db.execute("SELECT id FROM matches ORDER BY random() "
                                                 "LIMIT 300")]
        claims = [str(r[0]) for r in db.execute("SELECT id FROM claims ORDER BY random() "
                                                "LIMIT 300")]
    return {"record": record_ids, "name": names, "item": items, "match": matches,
            "claim": claims}


def pick(rnd: random.Random, t: dict[str, list[str]]) -> tuple[str, str]:
    """(page kind, URL) of the next page a client opens."""
    kinds = [("overview", 1), ("evidence", 2), ("item", 3), ("records", 2), ("record", 4),
             ("review", 2), ("match", 3), ("ledger", 2), ("claim", 2)]
    kind = rnd.choices([k for k, _ in kinds], [w for _, w in kinds])[0]
    if kind == "overview":
        return kind, "/"
    if kind == "evidence":
        return kind, rnd.choice(["/evidence", "/evidence?severity=warning",
                                 "/evidence?kind=image", "/evidence?code=IMG-"])
    if kind == "item":
        return kind, f"/items/{rnd.choice(t['item'])}"
    if kind == "records":
        return kind, rnd.choice(["/records", f"/records?q={rnd.choice(t['name'])}"])
    if kind == "record":
        return kind, f"/records/{rnd.choice(t['record'])}"
    if kind == "review":
        return kind, rnd.choice(["/review", "/review?status=pending&offset=50"])
    if kind == "match":
        return kind, f"/review/{rnd.choice(t['match'])}" if t["match"] else "/review"
    if kind == "ledger":
        return kind, rnd.choice(["/ledger", "/ledger?status=corroborated"])
    return kind, f"/claims/{rnd.choice(t['claim'])}"


async def login(client: httpx.AsyncClient, name: str) -> None:
    page = await client.get("/login")
    nonce = CSRF.search(page.text)
    if not nonce:
        raise RuntimeError("no login form")
    r = await client.post("/login", data={"name": name, "password": PASSWORD,
                                          "csrf": nonce.group(1), "next": "/"})
    if r.status_code != 303:
        raise RuntimeError(f"login of {name} failed: {r.status_code}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pct(values: list[float], p: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1] if len(values) > 1 \
        else (values[0] if values else float("nan"))


stop = asyncio.Event()
failed: list[str] = []


async def browse_until_stop(i: int, base: str, t: dict[str, list[str]], think: float,
                            results: list[tuple[str, float, int]],
                            ready: asyncio.Barrier) -> None:
    rnd = random.Random(i)
    async with httpx.AsyncClient(base_url=base, timeout=30.0, trust_env=False,
                                 headers={"accept": "text/html"}) as client:
        await login(client, f"client{i}")
        await ready.wait()
        if think > 0:  # people do not all click in the same millisecond
            await asyncio.sleep(rnd.uniform(0, think))
        while not stop.is_set():
            kind, url = pick(rnd, t)
            t0 = time.perf_counter()
            try:
                r = await client.get(url)
                status = r.status_code
                if status != 200 and len(failed) < 5:
                    failed.append(f"{status} {url}")
            except httpx.HTTPError:
                status = -1
            results.append((kind, time.perf_counter() - t0, status))
            if think > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), rnd.expovariate(1 / think))


async def load(base: str, t: dict[str, list[str]], clients: int, seconds: float,
               think: float) -> tuple[list[tuple[str, float, int]], float]:
    results: list[tuple[str, float, int]] = []
    ready = asyncio.Barrier(clients + 1)
    tasks = [asyncio.create_task(browse_until_stop(i, base, t, think, results, ready))
             for i in range(clients)]
    await ready.wait()
    t0 = time.monotonic()
    await asyncio.sleep(seconds)
    stop.set()
    elapsed = time.monotonic() - t0
    await asyncio.gather(*tasks)
    return results, elapsed


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--photos", type=int, default=1_000)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--think", type=float, default=1.0,
                    help="mean think time between two pages of one client, s (0: none)")
    ap.add_argument("--workdir", type=Path)
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="scrutiny-bench-web-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"machine: {cpu_model()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; "
          f"Python {platform.python_version()}, scrutiny {__version__}")
    server = None
    try:
        case_dir = build(work, args.records, args.photos, args.clients)
        t = targets(case_dir)
        from scrutiny.case import Case

        with Case.open(case_dir) as case:
            n_records = case.db.execute("SELECT count(*) FROM records").fetchone()[0]
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "scrutiny.cli", "serve", str(case_dir), "--port",
             str(port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        base = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                httpx.get(base + "/login", timeout=1.0, trust_env=False)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        print(f"serving {n_records:,} records on {base}; {args.clients} clients log in "
              f"(not timed), then browse for {args.seconds:.0f} s, think time mean "
              f"{args.think:g} s")
        results, elapsed = asyncio.run(load(base, t, args.clients, args.seconds, args.think))
        times = [d * 1000 for _, d, _ in results]
        errors = sum(1 for _, _, s in results if s != 200)
        if failed:
            print("failed requests (the first):", "; ".join(failed))
        by_kind: dict[str, list[float]] = defaultdict(list)
        for kind, d, _ in results:
            by_kind[kind].append(d * 1000)
        print(f"{'page':<10} {'requests':>8} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
        for kind in sorted(by_kind):
            v = by_kind[kind]
            print(f"{kind:<10} {len(v):>8,} {pct(v, 50):>8.1f} {pct(v, 95):>8.1f} "
                  f"{max(v):>8.1f}")
        statuses = sorted({s for _, _, s in results})
        p95 = pct(times, 95)
        print(f"all: {len(results):,} requests in {elapsed:.1f} s ({len(results) / elapsed:.0f}"
              f"/s), p50 {pct(times, 50):.1f} ms, p95 {p95:.1f} ms, p99 {pct(times, 99):.1f} "
              f"ms, max {max(times):.1f} ms; errors {errors} (statuses {statuses})")
        verdict = "PASS" if p95 <= 200 and errors == 0 else "MISS"
        print(f"{args.clients} clients on {n_records:,} records: p95 {p95:.0f} ms, {errors} "
              f"errors (target p95 ≤ 200 ms, 0 errors): {verdict}")
    finally:
        if server is not None:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
