"""Administration: accounts, the audit log, and receiving files by upload.

``GET /admin`` lists the accounts (``accounts.list_users``) with forms to add one and to
change one (role, disabled, password); disabling an account or setting its password ends its
sessions at once. An admin cannot disable or demote their own account (so that nobody locks
every admin out). ``GET /admin/audit`` reads the audit log, newest first, 100 at a time.
``/admin/ingest`` receives uploaded files through ``ingest.ingest`` (the same limits as
``scrutiny ingest``) and extracts them (``extract.run.extract_case``).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, File, Form, HTTPException, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from scrutiny.browse.runs import get_run, run_items
from scrutiny.extract.run import extract_case
from scrutiny.ingest import ingest
from scrutiny.ingest.limits import GiB
from scrutiny.web.accounts import (
    MIN_PASSWORD,
    ROLES,
    add_user,
    audit,
    change_user,
    get_user,
    iter_audit,
    list_users,
)
from scrutiny.web.app import Who, bench, need, render
from scrutiny.web.uploads import safe_name, save_upload

router = APIRouter()
AUDIT_PAGE = 100
MAX_UPLOADS = 100
#: the largest uploaded file (ingest's Limits bound archive members, not the files given)
MAX_UPLOAD = 2 * GiB
Role = Literal["viewer", "reviewer", "admin"]
Password = Annotated[str, Form(max_length=1024)]


@router.get("/admin")
def admin(request: Request, who: Annotated[Who, Depends(need("manage-users"))]) -> Response:
    """The accounts, and the forms to add and change them."""
    return render(request, who, "admin.html.j2", users=list_users(bench(request).reader().db),
                  roles=ROLES, min_password=MIN_PASSWORD)


def _same(password: str, again: str) -> None:
    if password != again:
        raise HTTPException(400, "the two passwords differ")


@router.post("/admin/users")
def new_user(request: Request, who: Annotated[Who, Depends(need("manage-users"))],
             name: Annotated[str, Form(min_length=1, max_length=64)], role: Annotated[Role, Form()],
             password: Password, password2: Password) -> Response:
    """Add an account."""
    _same(password, password2)
    with bench(request).writer() as case:
        user = add_user(case, name, role, password, by=who.user)
    audit(bench(request).reader().db, who.user, "user-add", f"user:{user.name}",
          {"role": user.role})
    return RedirectResponse("/admin", status_code=303)


@router.post("/admin/users/{name}")
def change(request: Request, name: str, who: Annotated[Who, Depends(need("manage-users"))],
           role: Annotated[Role | Literal[""], Form()] = "",
           state: Annotated[Literal["", "disable", "enable"], Form()] = "",
           password: Password = "", password2: Password = "") -> Response:
    """Change an account's role, disabled state or password (ending its sessions when it is
    disabled or its password is set)."""
    _same(password, password2)
    if not (role or state or password):
        raise HTTPException(400, "nothing to change")
    current = get_user(bench(request).reader().db, name)
    if name == who.user and (state == "disable" or (role and role != current.role)):
        raise HTTPException(400, "you cannot disable or change the role of your own account: "
                                 "ask another admin")
    disabled = {"disable": True, "enable": False}.get(state)
    with bench(request).writer() as case:
        user = change_user(case, name, by=who.user, role=role or None,
                           password=password or None, disabled=disabled)
    if disabled or password:
        request.app.state.sessions.end_user(user.name)
    audit(bench(request).reader().db, who.user, "user-change", f"user:{user.name}",
          {"role": user.role, "disabled": user.disabled, "password_changed": bool(password)})
    return RedirectResponse("/admin", status_code=303)


@router.get("/admin/audit")
def audit_log(request: Request, who: Annotated[Who, Depends(need("read-audit"))],
              user: Annotated[str, Query(max_length=64)] = "",
              before: Annotated[int | None, Query(ge=1)] = None) -> Response:
    """The audit log, newest first, 100 entries a page, optionally of one user."""
    entries = list(iter_audit(bench(request).reader().db, user=user or None,
                              limit=AUDIT_PAGE, before=before))
    base = {"user": user} if user else {}
    next_url = (f"/admin/audit?{urlencode({**base, 'before': entries[-1].id})}"
                if len(entries) == AUDIT_PAGE else None)
    first_url = f"/admin/audit?{urlencode(base)}" if before else None
    return render(request, who, "audit.html.j2", entries=entries, user=user,
                  next_url=next_url, first_url=first_url)


@router.get("/admin/ingest")
def ingest_page(request: Request, who: Annotated[Who, Depends(need("ingest"))],
                done: Annotated[str, Query(max_length=64)] = "") -> Response:
    """The upload form; after an upload (``done``: its run), what was stored."""
    db = bench(request).reader().db
    run = get_run(db, done) if done else None
    if done and (run is None or run.kind != "ingest"):
        raise HTTPException(404, "no such ingest run")
    items = run_items(db, done) if run is not None else []
    return render(request, who, "ingest.html.j2", run=run, items=items,
                  max_upload=MAX_UPLOAD, max_files=MAX_UPLOADS)


@router.post("/admin/ingest")
def upload(request: Request, who: Annotated[Who, Depends(need("ingest"))],
           files: Annotated[list[UploadFile], File()],
           note: Annotated[str, Form(max_length=500)] = "") -> Response:
    """Receive the uploaded files as one ingest run, then extract what is new."""
    chosen = [f for f in files if f.filename]
    if not chosen:
        raise HTTPException(400, "choose at least one file")
    if len(chosen) > MAX_UPLOADS:
        raise HTTPException(400, f"at most {MAX_UPLOADS} files at once")
    with tempfile.TemporaryDirectory(prefix="scrutiny-upload-") as tmp:
        folder = Path(tmp) / "upload"
        folder.mkdir()
        names = [save_upload(f, folder, MAX_UPLOAD).name for f in chosen]
        with bench(request).writer() as case:
            summary = ingest(case, [folder], actor=who.user, note=note.strip() or
                             "uploaded in the web workbench",
                             args=[f"upload:{safe_name(n)}" for n in names])
            extracted = extract_case(case, actor=who.user, workers=0)
    audit(bench(request).reader().db, who.user, "ingest", f"run:{summary.run_id}",
          {"files": names, **summary.to_json(), "extracted": extracted.items})
    return RedirectResponse(f"/admin/ingest?{urlencode({'done': summary.run_id})}",
                            status_code=303)
