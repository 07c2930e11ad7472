"""Reports and exports written from the workbench.

``GET /report`` lists what was written here, newest first, with who asked for it and whether
it is redacted, and offers the forms to write a new verification report
(``report.build.build_report``) or export (``export.run.export_case``). Both are redacted
unless an admin asks otherwise (checked here, not only hidden in the form).

They are written to the folder beside the case, ``<case>-web-output/`` (exports refuse to
write inside the case folder: it holds only what scrutiny stores, and an encrypted case
nothing in plaintext). Each output has a small sidecar ``<name>.meta.json`` saying who asked
for it, when, in which format and whether it was redacted; the custody log records each one
too (``reported`` / ``exported``). A CSV export (a folder of files) is zipped into one file.

``GET /report/files/{name}`` serves a report inline under its own strict
Content-Security-Policy (no script, no loading, a sandbox), and an export as a download.
Every write and every download is audited.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import tempfile
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from scrutiny.core import ScrutinyError, utc_now
from scrutiny.export.run import REDACTION_NOTE, export_case
from scrutiny.report.build import build_report
from scrutiny.web.accounts import audit
from scrutiny.web.app import Who, bench, need, render

router = APIRouter()
NAME = re.compile(r"(report|export)-\d{8}T\d{6}-\d{6}Z(\.html|\.jsonl|\.ftm\.jsonl|\.zip)")
REPORT_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; sandbox"
MEDIA = {".html": "text/html; charset=utf-8", ".jsonl": "application/x-ndjson",
         ".zip": "application/zip"}
SHOWN = 100


def output_dir(request: Request) -> Path:
    """Where the workbench writes reports and exports: ``<case>-web-output`` beside it."""
    root = bench(request).root.absolute()
    return root.parent / f"{root.name}-web-output"


def _ready(request: Request) -> Path:
    folder = output_dir(request)
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
    except OSError as exc:
        raise ScrutinyError(f"cannot make {folder}: {exc.strerror or exc}") from None
    return folder


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S-%fZ")


def _sidecar(folder: Path, name: str, info: dict[str, Any]) -> None:
    (folder / f"{name}.meta.json").write_text(json.dumps(info, ensure_ascii=False),
                                              encoding="utf-8")


def outputs(folder: Path, limit: int = SHOWN) -> list[dict[str, Any]]:
    """The outputs in ``folder`` (newest first, at most ``limit``) with their sidecars."""
    if not folder.is_dir():
        return []
    names = [e.name for e in os.scandir(folder) if NAME.fullmatch(e.name) and e.is_file()]
    names.sort(key=lambda n: n.split("-", 1)[1], reverse=True)
    found = []
    for name in names[:limit]:
        try:
            info = json.loads((folder / f"{name}.meta.json").read_text("utf-8"))
        except (OSError, ValueError):
            info = {}
        found.append({"name": name, "bytes": (folder / name).stat().st_size, **info})
    return found


@router.get("/report")
def report_page(request: Request, who: Annotated[Who, Depends(need("read"))]) -> Response:
    """What was written here, and the forms to write a report or an export."""
    formats = ["json", "csv"] + (["ftm"] if importlib.util.find_spec("followthemoney") else [])
    return render(request, who, "report.html.j2", files=outputs(output_dir(request)),
                  folder=str(output_dir(request)), formats=formats,
                  redaction=REDACTION_NOTE)


def _redact(who: Who, unredacted: bool) -> bool:
    if unredacted and not who.may("export-unredacted"):
        raise HTTPException(403, f"your role ({who.role}) may not write unredacted reports "
                                 "or exports")
    return not unredacted


@router.post("/report")
def write_report(request: Request, who: Annotated[Who, Depends(need("export"))],
                 unredacted: Annotated[bool, Form()] = False,
                 verify: Annotated[bool, Form()] = False) -> Response:
    """Write a verification report (``verify``: re-hash every stored file first: slow)."""
    redact = _redact(who, unredacted)
    folder = _ready(request)
    name = f"report-{_stamp()}.html"
    with bench(request).writer() as case:
        s = build_report(case, folder / name, redact=redact, verify=verify, actor=who.user)
    info = {"kind": "report", "format": "html", "by": who.user, "at": utc_now(),
            "redacted": redact, "verified": verify, "sha256": s.sha256}
    _sidecar(folder, name, info)
    audit(bench(request).reader().db, who.user, "report", f"output:{name}", info)
    return RedirectResponse("/report", status_code=303)


@router.post("/exports")
def write_export(request: Request, who: Annotated[Who, Depends(need("export"))],
                 fmt: Annotated[Literal["json", "csv", "ftm"], Form(alias="format")],
                 unredacted: Annotated[bool, Form()] = False) -> Response:
    """Export the case's tables (JSON Lines, CSV zipped, or FollowTheMoney)."""
    redact = _redact(who, unredacted)
    folder = _ready(request)
    stem = f"export-{_stamp()}"
    name = f"{stem}.zip" if fmt == "csv" else f"{stem}.{'ftm.' if fmt == 'ftm' else ''}jsonl"
    with bench(request).writer() as case:
        if fmt == "csv":
            with tempfile.TemporaryDirectory(dir=folder, prefix=".csv-") as tmp:
                s = export_case(case, fmt, Path(tmp) / stem, redact=redact, actor=who.user)
                _zip(Path(tmp) / stem, folder / name)
        else:
            s = export_case(case, fmt, folder / name, redact=redact, actor=who.user)
    info = {"kind": "export", "format": fmt, "by": who.user, "at": utc_now(),
            "redacted": redact, "tables": list(s.what), "counts": s.counts,
            "files": s.files}
    _sidecar(folder, name, info)
    audit(bench(request).reader().db, who.user, "export", f"output:{name}", info)
    return RedirectResponse("/report", status_code=303)


def _zip(source: Path, target: Path) -> None:
    part = target.with_name(f".{target.name}.part")
    with zipfile.ZipFile(part, "x", zipfile.ZIP_DEFLATED) as z:
        for f in sorted(source.iterdir()):
            z.write(f, f"{source.name}/{f.name}")
    part.rename(target)


@router.get("/report/files/{name}")
def output_file(request: Request, name: str, who: Annotated[Who, Depends(need("read"))],
                download: Annotated[bool, Query()] = False) -> Response:
    """A report (inline, sandboxed) or an export (a download) written here."""
    folder = output_dir(request)
    path = folder / name
    if not NAME.fullmatch(name) or not path.is_file() or path.is_symlink():
        raise HTTPException(404, "no such report or export")
    audit(bench(request).reader().db, who.user, "download", f"output:{name}", {})
    suffix = path.suffix
    if suffix == ".html" and not download:
        return FileResponse(path, media_type=MEDIA[suffix], filename=name,
                            content_disposition_type="inline",
                            headers={"content-security-policy": REPORT_CSP})
    return FileResponse(path, media_type=MEDIA.get(suffix, "application/octet-stream"),
                        filename=name, headers={"content-security-policy": REPORT_CSP})
