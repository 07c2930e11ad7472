"""What the report says, read from the catalog: one function per section, each returning
plain values (no HTML), with aggregates done in SQL so that a case of 100,000 records and
5,000 photos is read in seconds. A section whose stage was not run says so (``ran`` False).
"""

# ruff: noqa: S608 - the SQL pieces put into queries here are constants (FROM_LEAK, "?" lists)
from __future__ import annotations

import datetime as dt
import json
import math
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from scrutiny.core import Severity
from scrutiny.store.catalog import FROM_LEAK

__all__ = ["Photo", "Section", "age_sex", "birth_days", "cameras", "date_boundaries",
           "detention_months", "findings_by_code", "gallery", "id_checks", "iter_findings",
           "ledger", "matches", "photo_times", "received"]

Db = Any


@dataclass
class Section:
    """A section's values, or why it has none (``ran`` False and ``why``)."""

    ran: bool
    why: str = ""
    values: dict[str, Any] = field(default_factory=dict)


def received(db: Db) -> dict[str, Any]:
    """What was received: ingest runs (who, when, note), items by type, bytes."""
    runs = [{"kind": k, "started": s, "actor": a, "note": n or "", "status": st}
            for k, s, a, n, st in db.execute(
                "SELECT kind, started, actor, note, status FROM runs "
                "WHERE kind IN ('ingest', 'reference', 'evidence') ORDER BY started")]
    by_type = [{"mime": m, "files": n, "bytes": b} for m, n, b in db.execute(
        "SELECT mime, count(*), sum(size) FROM items i WHERE " + FROM_LEAK +
        " GROUP BY mime ORDER BY count(*) DESC")]
    leak_items = sum(t["files"] for t in by_type)
    leak_bytes = sum(t["bytes"] for t in by_type)
    total = db.execute("SELECT count(*), coalesce(sum(size), 0) FROM items").fetchone()
    records, relatives = db.execute(
        "SELECT count(*), coalesce(sum(main_id IS NOT NULL), 0) FROM records "
        "WHERE source = 'table'").fetchone()
    named = db.execute("SELECT count(*) FROM records WHERE source = 'filename'").fetchone()[0]
    return {"runs": runs, "by_type": by_type, "leak_items": leak_items,
            "leak_bytes": leak_bytes, "files_total": total[0], "bytes_total": total[1],
            "records": records, "relatives": relatives, "filename_records": named}


# -- images -------------------------------------------------------------------------------------


def _meta_first(db: Db, key: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for sha, value in db.execute(
            "SELECT m.sha256, m.value FROM metadata m JOIN items i ON i.sha256 = m.sha256 "
            f"WHERE m.key = ? AND i.mime LIKE 'image/%' AND {FROM_LEAK} ORDER BY m.rowid",
            (key,)):
        if sha not in out and value is not None:
            out[sha] = json.loads(value)
    return out


def cameras(db: Db) -> Section:
    """Photos of the leak by camera make and model (as their EXIF says)."""
    photos = db.execute(f"SELECT count(*) FROM items i WHERE mime LIKE 'image/%' AND "
                        f"{FROM_LEAK}").fetchone()[0]
    if not photos:
        return Section(False, "the leak holds no photos")
    make, model = _meta_first(db, "EXIF:Make"), _meta_first(db, "EXIF:Model")
    counts = Counter(" ".join(str(x).strip() for x in (make.get(s), model.get(s)) if x) or
                     "(no camera in EXIF)" for s in {*make, *model} | _image_shas(db))
    return Section(True, values={"photos": photos, "models": counts.most_common()})


def _image_shas(db: Db) -> set[str]:
    return {r[0] for r in db.execute(
        f"SELECT sha256 FROM items i WHERE mime LIKE 'image/%' AND {FROM_LEAK}")}


def photo_times(db: Db) -> Section:
    """Capture times (EXIF DateTimeOriginal, the camera's clock) per camera (model and
    serial when known), as the camera checks read them."""
    from scrutiny.checks.image.cameras import photos

    series: dict[str, list[dt.datetime]] = {}
    for p in photos(db):
        t = p.taken
        if t is None:
            continue
        name = p.model or "(unknown model)"
        if p.serial:
            name += f" #{p.serial}"
        series.setdefault(name, []).append(t)
    if not series:
        return Section(False, "no photo states a capture time (EXIF DateTimeOriginal)")
    return Section(True, values={"series": {k: sorted(v) for k, v in series.items()}})


# -- records ------------------------------------------------------------------------------------


def id_checks(db: Db) -> Section:
    """Leak records by what their ID number's check character says."""
    rows = db.execute(
        "SELECT CASE WHEN id_number IS NULL OR id_number = '' THEN 'no ID number' "
        "WHEN json_extract(id_info, '$.valid') = 1 THEN 'check character right' "
        "WHEN length(id_number) = 18 THEN 'check character wrong or malformed' "
        "ELSE 'not 18 characters' END AS k, count(*) FROM records WHERE source = 'table' "
        "GROUP BY k").fetchall()
    counts = dict(rows)
    total = sum(counts.values())
    if not total:
        return Section(False, "the leak holds no person records")
    with_id = total - counts.get("no ID number", 0)
    ok = counts.get("check character right", 0)
    return Section(True, values={"counts": counts, "total": total, "with_id": with_id,
                                 "pass_rate": ok / with_id if with_id else math.nan})


def _as_of(db: Db) -> dt.date:
    """The date ages are counted at: the latest detention date of the rosters, else today."""
    row = db.execute("SELECT max(substr(json_extract(fields, '$.detained'), 1, 10)) "
                     "FROM records WHERE source = 'table'").fetchone()
    try:
        return dt.date.fromisoformat(row[0]) if row and row[0] else dt.date.today()
    except ValueError:
        return dt.date.today()


def age_sex(db: Db) -> Section:
    """Ages (5-year bands, at the latest detention date) by sex: the people listed, and as
    the outline the relatives listed with them (not selected for detention)."""
    as_of = _as_of(db)
    bands: dict[str, dict[str, Counter[int]]] = {"listed": {"M": Counter(), "F": Counter()},
                                                  "relatives": {"M": Counter(), "F": Counter()}}
    for main_id, sex, born in db.execute(
            "SELECT main_id, coalesce(sex, json_extract(id_info, '$.sex')), "
            "coalesce(birth_date, json_extract(id_info, '$.birth_date')) FROM records "
            "WHERE source = 'table'"):
        if sex not in ("M", "F") or not born:
            continue
        try:
            b = dt.date.fromisoformat(str(born)[:10])
        except ValueError:
            continue
        age = as_of.year - b.year - ((as_of.month, as_of.day) < (b.month, b.day))
        if 0 <= age < 110:
            bands["relatives" if main_id else "listed"][sex][min(age // 5, 18)] += 1
    if not sum(bands["listed"]["M"].values()) + sum(bands["listed"]["F"].values()):
        return Section(False, "no listed person states both sex and birth date")
    return Section(True, values={"bands": bands, "as_of": as_of.isoformat()})


def birth_days(db: Db) -> Section:
    """Day of month and month of the stated birth dates (heaping shows as spikes)."""
    days: Counter[int] = Counter()
    months: Counter[int] = Counter()
    for born, in db.execute("SELECT birth_date FROM records WHERE source = 'table' AND "
                            "birth_date IS NOT NULL"):
        try:
            b = dt.date.fromisoformat(str(born)[:10])
        except ValueError:
            continue
        days[b.day] += 1
        months[b.month] += 1
    if not days:
        return Section(False, "no record states a birth date")
    return Section(True, values={"days": days, "months": months, "n": sum(days.values())})


def detention_months(db: Db) -> Section:
    """Detention dates by month."""
    months = Counter(m for (m,) in db.execute(
        "SELECT substr(json_extract(fields, '$.detained'), 1, 7) FROM records "
        "WHERE source = 'table' AND json_extract(fields, '$.detained') IS NOT NULL") if m)
    if not months:
        return Section(False, "no record states a detention date")
    return Section(True, values={"months": dict(sorted(months.items()))})


def date_boundaries(db: Db) -> Section:
    """Earliest and latest date of each family of material (CORP-DATE-001's evidence), and
    how many are after the leak's stated end."""
    rows = []
    end = None
    for (raw,) in db.execute("SELECT evidence FROM findings WHERE code = 'CORP-DATE-001' "
                             "ORDER BY id"):
        ev = json.loads(raw)
        end = ev.get("end_date") or end
        by_sort = ev.get("after_end_by_sort") or {}
        for sort, v in (ev.get("sorts") or {}).items():
            rows.append({"label": ev.get("label", ""), "sort": sort, "dates": v.get("dates"),
                         "earliest": str(v.get("earliest", ""))[:10],
                         "latest": str(v.get("latest", ""))[:10],
                         "after_end": by_sort.get(sort, 0) if end else None})
    if not rows:
        return Section(False, "the date-boundary check (CORP-DATE-001) was not run")
    latest = max((r["latest"] for r in rows if r["latest"]), default="")
    return Section(True, values={"rows": rows, "end_date": end, "latest": latest})


# -- findings -----------------------------------------------------------------------------------


def findings_by_code(db: Db, prefixes: tuple[str, ...]) -> list[dict[str, Any]]:
    """Per check code (of these prefixes): title, highest severity, count, subjects."""
    where = " OR ".join("code LIKE ?" for _ in prefixes)
    return [{"code": c, "title": t, "severity": Severity(s).label, "count": n,
             "subjects": k, "version": v}
            for c, t, s, n, k, v in db.execute(
                f"SELECT code, min(title), max(severity), count(*), count(DISTINCT subject), "
                f"max(check_version) FROM findings WHERE {where} GROUP BY code "
                f"ORDER BY code", tuple(p + "%" for p in prefixes))]


def iter_findings(db: Db, limit: int) -> Iterator[dict[str, Any]]:
    """Every finding, most severe first, at most ``limit``."""
    for c, sub, sev, title, expl, ev, ver in db.execute(
            "SELECT code, subject, severity, title, explanation, evidence, check_version "
            "FROM findings ORDER BY severity DESC, code, id LIMIT ?", (limit,)):
        yield {"code": c, "subject": sub, "severity": Severity(sev).label, "title": title,
               "explanation": expl, "evidence": ev, "version": ver}


@dataclass
class Photo:
    sha256: str
    name: str
    severity: str
    findings: list[tuple[str, str, str]]
    maps: list[tuple[str, str]]  # (kind, derived blob sha256)


def gallery(db: Db, limit: int) -> tuple[list[Photo], int]:
    """The most severely flagged photos (notice or above), with their derived maps, and how
    many were flagged in all."""
    flagged = db.execute(
        "SELECT f.subject, max(f.severity) AS s FROM findings f JOIN items i ON i.sha256 = "
        "f.subject WHERE i.mime LIKE 'image/%' AND f.severity >= ? GROUP BY f.subject "
        "ORDER BY s DESC, f.subject", (int(Severity.NOTICE),)).fetchall()
    out = []
    for sha, sev in flagged[:limit]:
        rows = db.execute("SELECT code, severity, title FROM findings WHERE subject = ? AND "
                          "severity >= ? ORDER BY severity DESC",
                          (sha, int(Severity.NOTICE))).fetchall()
        name = db.execute("SELECT source, chain FROM provenances WHERE sha256 = ? "
                          "ORDER BY id LIMIT 1", (sha,)).fetchone()
        members = json.loads(name[1]) if name else []
        path = str(members[-1] if members else (name[0] if name else sha))
        maps = [(k, s) for k, s in db.execute(
            "SELECT kind, sha256 FROM derived WHERE source = ? ORDER BY kind", (sha,))]
        out.append(Photo(sha, path.replace("\\", "/").rsplit("/", 1)[-1],
                         Severity(sev).label,
                         [(c, Severity(s).label, t) for c, s, t in rows], maps))
    return out, len(flagged)


# -- linkage and ledger -------------------------------------------------------------------------


_BANDS = ((0.99, "≥ 0.99"), (0.9, "0.90–0.99"), (0.7, "0.70–0.90"), (0.5, "0.50–0.70"),
          (0.0, "< 0.50"))


def matches(db: Db) -> Section:
    """Candidate matches of the newest reference linkage, by probability band and the newest
    judgement of their pair."""
    run = db.execute("SELECT r.id, s.name, s.version, s.entries, s.independent, r.threshold, "
                     "r.backend, r.finished_at FROM link_runs r LEFT JOIN reference_sets s "
                     "ON s.id = r.set_id WHERE r.kind = 'reference' AND r.finished_at IS NOT "
                     "NULL ORDER BY r.id DESC LIMIT 1").fetchone()
    if run is None:
        sets = db.execute("SELECT count(*) FROM reference_sets").fetchone()[0]
        return Section(False, "linkage was not run" + (
            f" ({sets} reference database(s) imported)" if sets else
            " and no reference database was imported"))
    table: dict[str, Counter[str]] = {label: Counter() for _, label in _BANDS}
    for p, decision in db.execute(
            "SELECT m.probability, (SELECT j.decision FROM judgements j WHERE j.left_record = "
            "m.left_record AND j.right_entry IS m.right_entry AND j.right_record IS "
            "m.right_record ORDER BY j.id DESC LIMIT 1) FROM matches m WHERE m.run_id = ?",
            (run[0],)):
        label = next(lab for lo, lab in _BANDS if p >= lo)
        table[label][decision or "pending"] += 1
    return Section(True, values={
        "run": run[0], "reference": run[1], "version": run[2], "entries": run[3],
        "independent": bool(run[4]), "threshold": run[5], "backend": run[6],
        "finished": run[7], "bands": {k: dict(v) for k, v in table.items()},
        "total": sum(sum(v.values()) for v in table.values())})


def ledger(db: Db, limit: int) -> Section:
    """Claims by derived status, and the contested and corroborated ones first."""
    from scrutiny.ledger.store import iter_claims, status_counts

    counts = status_counts(db)
    if not sum(counts.values()):
        return Section(False, "the ledger holds no claims ('scrutiny claim derive' enters "
                              "what the leak states)")
    shown: list[dict[str, Any]] = []
    for status in ("contested", "corroborated"):
        for claim in iter_claims(db, status=status):
            if len(shown) >= limit:
                break
            shown.append({"id": claim.id, "status": status,
                          "statement": claim.current.statement,
                          "reasoning": claim.status.reasoning})
    return Section(True, values={"counts": counts, "claims": shown})


# -- places -------------------------------------------------------------------------------------


def places(db: Db, near_km: float = 5.0) -> Section:
    """Registered facilities, photo positions (and which a place check flagged), and per
    facility its seen dates, the dates of photos taken at it and of imagery attached to it."""
    from scrutiny.checks.places import photo_positions
    from scrutiny.places import geo
    from scrutiny.places.register import facilities

    register = facilities(db)
    flagged = {s for (s,) in db.execute("SELECT DISTINCT subject FROM findings WHERE code "
                                        "LIKE 'PLACE-%' AND severity >= ?",
                                        (int(Severity.WARNING),))}
    shots = [(s.lat, s.lon, s.sha256 in flagged, s.taken) for s in photo_positions(db)]
    if not register and not shots:
        return Section(False, "no facility register was imported and no photo states a GPS "
                              "position")
    rows = []
    for f in register:
        if f.lat is None or f.lon is None:
            continue
        dates = [t for la, lo, _, t in shots if t is not None
                 and geo.distance_km(la, lo, f.lat, f.lon) <= near_km]
        imagery = [d for (d,) in db.execute(
            "SELECT v.dated FROM claims c JOIN evidence e ON e.claim_id = c.id "
            "JOIN evidence_versions v ON v.id = (SELECT max(id) FROM evidence_versions "
            "WHERE evidence_id = e.id) WHERE c.kind = 'facility' AND c.subject = ? "
            "AND v.source_type = 'satellite-imagery' AND v.withdrawn = 0 "
            "AND v.dated IS NOT NULL", (f"facility:{f.name}",))]
        rows.append({"id": f.id, "name": f.name, "lat": f.lat, "lon": f.lon,
                     "first_seen": f.first_seen, "last_seen": f.last_seen,
                     "photos": dates, "imagery": imagery, "kind": f.kind})
    return Section(True, values={"facilities": rows, "shots": shots,
                                 "registered": len(register)})
