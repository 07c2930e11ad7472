"""``build_report``: the verification report of a case as one self-contained HTML file (and,
on request, a PDF printed from it by headless Chromium).

Self-contained: CSS inline, every picture a ``data:`` URI, a Content-Security-Policy that
forbids loading anything, no script. Everything from the leak is text to escape (Jinja2
autoescaping: names, file names and metadata may carry markup). Redacted by default, like
exports (DESIGN §6): ID numbers, phone numbers, full birth dates and addresses are scrubbed
from every text the report shows (``redact=False`` keeps them, and the report says so on its
first line). Writing it records a custody event ``reported`` with the file's SHA-256.
"""

from __future__ import annotations

import base64
import hashlib
import inspect
import io
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import jinja2

from scrutiny import __version__
from scrutiny.case import Case
from scrutiny.core import ScrutinyError, utc_now
from scrutiny.report import data as D
from scrutiny.report import figures as F

__all__ = ["ReportSummary", "build_report"]

Progress = Callable[[str, int, int], None]
GALLERY = 48
FINDINGS = 20_000
THUMB_PX = 360
_MAX_THUMB_BYTES = 64 * 1024 * 1024
_LIBRARIES = ("splink", "duckdb", "opencv-python-headless", "pillow", "python-stdnum",
              "pypinyin", "matplotlib")


@dataclass
class ReportSummary:
    path: Path
    bytes: int
    sha256: str
    seconds: float
    redacted: bool
    sections: dict[str, bool] = field(default_factory=dict)
    findings_shown: int = 0
    findings_total: int = 0
    pdf: Path | None = None
    timings: dict[str, float] = field(default_factory=dict)


def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("scrutiny.report", "templates"),
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True,
        lstrip_blocks=True)
    env.filters["num"] = lambda v: f"{v:,}" if isinstance(v, int) else str(v)
    env.filters["pct"] = lambda v: "—" if v != v else f"{v:.1%}"  # NaN → dash
    env.filters["size"] = _size
    return env


def _size(n: int | None) -> str:
    value = float(n or 0)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:,.0f} {unit}" if unit == "bytes" else f"{value:,.1f} {unit}"
        value /= 1000
    return f"{value:,.1f} GB"


def _thumb(case: Case, sha: str, px: int = THUMB_PX) -> tuple[str | None, str]:
    """A JPEG data URI of a stored picture, at most ``px`` wide, or why there is none."""
    from PIL import Image

    try:
        with case.blobs.open(sha) as f:
            raw = f.read(_MAX_THUMB_BYTES + 1)
        if len(raw) > _MAX_THUMB_BYTES:
            return None, "too large to show"
        with Image.open(io.BytesIO(raw)) as opened:
            opened.draft("RGB", (px, px))
            small = opened.convert("RGB")
            small.thumbnail((px, px))
            buf = io.BytesIO()
            small.save(buf, "JPEG", quality=80)
    except Exception as exc:  # a hostile picture must not stop the report
        return None, f"unreadable ({type(exc).__name__})"
    return "data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode("ascii"), ""


Scrub = Callable[..., str]


def _scrubber(redact: bool) -> Scrub:
    """``scrub(text, birth_dates=())``: the export's redaction of free text (ID numbers,
    phones, addresses; birth dates named as such or given), or the text unchanged."""
    if not redact:
        return lambda text, birth_dates=(): text
    from scrutiny.redact import redact_text

    return redact_text


def _birth_dates(db: Any, subject: str) -> tuple[str, ...]:
    """The birth dates of the person a finding is about (to cut them to their year)."""
    if subject.startswith("record:") and subject[7:].isdigit():
        row = db.execute("SELECT birth_date, json_extract(id_info, '$.birth_date'), "
                         "json_extract(fields, '$.birth_date') FROM records WHERE id = ?",
                         (int(subject[7:]),)).fetchone()
        return tuple(str(v)[:10] for v in row or () if v)
    if subject.startswith("person:") and "|" in subject:
        return (subject.rsplit("|", 1)[1][:10],)
    return ()


def _finding(db: Any, f: dict[str, Any], scrub: Scrub, redact: bool) -> dict[str, Any]:
    births = _birth_dates(db, f["subject"]) if redact else ()
    subject = f["subject"]
    if redact and subject.startswith("person:") and "|" in subject:
        name, born = subject[7:].rsplit("|", 1)
        subject = f"person:{name}|{born[:4]}"
    return {**f, "subject": scrub(subject, births), "title": scrub(f["title"], births),
            "explanation": scrub(f["explanation"], births)}


def _methods(db: Any) -> list[dict[str, Any]]:
    from scrutiny.checks.registry import all_checks

    ran = {c for (c,) in db.execute("SELECT DISTINCT code FROM check_state")}
    counts = dict(db.execute("SELECT code, count(*) FROM findings GROUP BY code").fetchall())
    return [{"code": c.code, "title": c.title, "version": c.version,
             "applies_to": ", ".join(c.applies_to), "doc": inspect.cleandoc(c.__doc__ or ""),
             "ran": c.code in ran or c.code in counts, "findings": counts.get(c.code, 0)}
            for c in all_checks()]


def _libraries() -> str:
    out = []
    for name in _LIBRARIES:
        try:
            out.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            continue
    return ", ".join(out)


def build_report(case: Case, out: Path, *, pdf: Path | None = None, redact: bool = True,
                 verify: bool = True, actor: str = "scrutiny",
                 progress: Progress | None = None) -> ReportSummary:
    """Write the report of ``case`` to ``out`` (HTML; ``pdf`` too). See the module docstring."""
    from scrutiny.store.integrity import build_manifest, verify_case

    out = Path(out)
    if out.suffix.lower() not in (".html", ".htm"):
        raise ScrutinyError(f"the report is an HTML file: name it …html, not {out.name}")
    t0 = time.perf_counter()
    timings: dict[str, float] = {}
    db = case.db
    scrub = _scrubber(redact)

    def step(name: str, n: int) -> None:
        timings[name] = time.perf_counter() - t0 - sum(timings.values())
        if progress is not None:
            progress("report", n, 8)

    manifest = build_manifest(db, case.case_id, __version__)
    manifest.pop("items", None)
    integrity = None
    if verify:
        rep = verify_case(case.blobs, case.log, case.db)
        problems = [*(str(p) for p in rep.chain.problems),
                    *(str(p) for p in rep.blob_problems)]
        integrity = {"intact": rep.intact, "events": rep.chain.events,
                     "problem": f"{len(problems)} problem(s): " + "; ".join(problems[:5])
                     if problems else ""}
    step("summary", 1)
    cams, times = D.cameras(db), D.photo_times(db)
    figs: dict[str, str] = {}
    if cams.ran:
        figs["cameras"] = F.camera_models(cams.values["models"])
    if times.ran:
        figs["timeline"] = F.photo_timeline(times.values["series"])
    photos, flagged = D.gallery(db, GALLERY)
    gallery = []
    for p in photos:
        thumb, why = _thumb(case, p.sha256)
        maps = [(kind, src) for kind, sha in p.maps
                if (src := _thumb(case, sha, THUMB_PX // 2)[0]) is not None]
        gallery.append({"thumb": thumb, "why": why, "name": scrub(p.name), "maps": maps,
                        "findings": [(c, s, scrub(t)) for c, s, t in p.findings]})
    step("photos", 2)
    ids, ages, births = D.id_checks(db), D.age_sex(db), D.birth_days(db)
    detention, bounds = D.detention_months(db), D.date_boundaries(db)
    if ids.ran:
        counts = ids.values["counts"]
        figs["ids"] = F.bars(list(counts), list(counts.values()), "Records by ID number",
                             "records")
    if ages.ran:
        figs["pyramid"] = F.age_pyramid(ages.values["bands"])
    if births.ran:
        figs["births"] = F.birth_heaping(births.values["days"], births.values["months"])
    if detention.ran:
        figs["detention"] = F.detention_timeline(
            detention.values["months"], bounds.values.get("end_date"),
            bounds.values.get("latest"))
    if bounds.ran:
        for row in bounds.values["rows"]:
            row["label"] = scrub(row["label"])
    places = D.places(db)
    if places.ran:
        figs["map"] = F.place_map(places.values["facilities"], places.values["shots"])
        if places.values["facilities"]:
            figs["facilities"] = F.facility_timeline(places.values["facilities"])
    step("records", 3)
    matches = D.matches(db)
    ledger = D.ledger(db, 60)
    if ledger.ran:
        for c in ledger.values["claims"]:
            c["statement"], c["reasoning"] = scrub(c["statement"]), scrub(c["reasoning"])
    step("linkage and ledger", 4)
    total = int(db.execute("SELECT count(*) FROM findings").fetchone()[0])
    findings = [_finding(db, f, scrub, redact) for f in D.iter_findings(db, FINDINGS)]

    def codes(prefixes: tuple[str, ...]) -> list[dict[str, Any]]:
        rows = D.findings_by_code(db, prefixes)
        for r in rows:
            r["title"] = scrub(r["title"])
        return rows

    checks_ran = db.execute("SELECT 1 FROM check_state LIMIT 1").fetchone() is not None
    step("findings", 5)
    html = _env().get_template("report.html.j2").render(
        case_id=case.case_id, written=utc_now()[:19].replace("T", " ") + " UTC",
        version=__version__, actor=actor, redacted=redact, r=D.received(db),
        manifest=manifest, integrity=integrity, cameras=cams, times=times, figs=figs,
        image_codes=codes(("IMG-",)), gallery=gallery, flagged=flagged, ids=ids, ages=ages,
        births=births, detention=detention, bounds=bounds,
        expected_note="The outline is the age and sex of the relatives listed with them in "
                      "the same rosters: people not selected for detention, a comparison "
                      "inside the leak, not a census.",
        record_codes=codes(("REC-", "CORP-")), document_codes=codes(("DOC-",)),
        place_codes=codes(("PLACE-",)), places=places,
        matches=matches, decisions=("accept", "reject", "unsure", "pending"), ledger=ledger,
        methods=_methods(db), libraries=_libraries(), findings=findings,
        findings_total=total, checks_ran=checks_ran)
    step("render", 6)
    data = html.encode("utf-8")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    tmp.write_bytes(data)
    tmp.replace(out)
    sha = hashlib.sha256(data).hexdigest()
    summary = ReportSummary(out, len(data), sha, 0.0, redact, {
        "images": cams.ran, "records": ids.ran, "places": places.ran, "crossref": matches.ran,
        "ledger": ledger.ran, "findings": bool(findings)}, len(findings), total)
    if pdf is not None:
        from scrutiny.report.pdf import print_pdf

        print_pdf(out, Path(pdf))
        summary.pdf = Path(pdf)
    step("pdf", 7)
    if case.writable:
        with case.transaction():
            case.record(actor, "reported", None, {
                "file": out.name, "sha256": sha, "bytes": len(data), "redacted": redact,
                "pdf": Path(pdf).name if pdf else None, "findings": total,
                "tool_version": __version__})
    summary.seconds = time.perf_counter() - t0
    summary.timings = timings
    return summary
