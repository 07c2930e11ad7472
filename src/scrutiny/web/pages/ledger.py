"""The ledger: claims with their derived status, one claim with its evidence and why it has
that status, and adding evidence (with an optional file) to a claim.

``GET /ledger`` lists claims 50 at a time (keyset by claim id, ``browse.claims``) under the
counts by status, filtered by status and kind. ``GET /claims/{id}`` shows a claim, its
versions, its status in words and every evidence item with its history; a reviewer gets a
form to add evidence. ``POST /claims/{id}/evidence`` stores it through
``ledger.store.add_evidence`` (a file goes into the evidence store with its own custody,
under the attachment size limit); the claim page then shows the new status.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, File, Form, HTTPException, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from scrutiny.browse.claims import claim_ids, claims_page, page_of, subject_href
from scrutiny.core import ScrutinyError
from scrutiny.ingest.attach import MAX_ATTACHMENT
from scrutiny.ledger.model import CLAIM_KINDS, SOURCE_TYPES, STATUSES
from scrutiny.ledger.store import Claim, add_evidence, get_claim, status_counts
from scrutiny.web.accounts import audit
from scrutiny.web.app import Who, bench, cached, need, render
from scrutiny.web.uploads import save_upload

router = APIRouter()
PAGE = 50
Status = Literal["unverified", "single-source", "corroborated", "contested"]
Kind = Literal["person", "item", "facility", "event"]


@router.get("/ledger")
def ledger(request: Request, who: Annotated[Who, Depends(need("read"))],
           status: Annotated[Status | Literal[""], Query()] = "",
           kind: Annotated[Kind | Literal[""], Query()] = "",
           after: Annotated[int, Query(ge=0)] = 0) -> Response:
    """Counts by status, then one page of claims (id, kind, statement, subject, status,
    evidence), filtered by ``status`` and ``kind``."""
    db = bench(request).reader().db
    if status:  # the ids with that status, kept until the ledger changes; a page is a lookup
        ids = cached(request, f"ledger-ids:{status}:{kind}",
                     lambda: claim_ids(db, status, kind or None))
        page = cached(request, f"ledger?{request.url.query}",
                      lambda: page_of(db, ids, after=after, limit=PAGE))
    else:
        page = cached(request, f"ledger?{request.url.query}",
                      lambda: claims_page(db, after=after, kind=kind or None, limit=PAGE))
    filters = {k: v for k, v in (("status", status), ("kind", kind)) if v}
    next_url = (f"/ledger?{urlencode({**filters, 'after': page.next_after})}"
                if page.next_after is not None else None)
    first_url = f"/ledger?{urlencode(filters)}" if after else None
    rows = [{"claim": c, "href": subject_href(c.subject), "status": c.status}
            for c in page.claims]
    counts = cached(request, "ledger", lambda: status_counts(db))
    return render(request, who, "ledger.html.j2", counts=counts, rows=rows,
                  statuses=STATUSES, kinds=CLAIM_KINDS, status=status, kind=kind,
                  next_url=next_url, first_url=first_url)


@router.get("/claims/{claim_id}")
def claim(request: Request, claim_id: int, who: Annotated[Who, Depends(need("read"))],
          added: Annotated[int | None, Query()] = None) -> Response:
    """A claim: statement and versions, status with its reasoning, every evidence item with
    its history, and (for a reviewer) the form to add evidence."""
    c = get_claim_404(request, claim_id)
    if c.kind == "person":
        audit(bench(request).reader().db, who.user, "view-claim", f"claim:{claim_id}",
              {"subject": c.subject})
    return render(request, who, "claim.html.j2", c=c, st=c.status,
                  href=subject_href(c.subject), source_types=SOURCE_TYPES, added=added,
                  max_attachment=MAX_ATTACHMENT)


def get_claim_404(request: Request, claim_id: int) -> Claim:
    """The claim, or a 404 page."""
    try:
        return get_claim(bench(request).reader().db, claim_id)
    except ScrutinyError:
        raise HTTPException(404, f"no claim {claim_id} in this case") from None


@router.post("/claims/{claim_id}/evidence")
def add(request: Request, claim_id: int, who: Annotated[Who, Depends(need("add-evidence"))],
        stance: Annotated[Literal["supports", "contradicts"], Form()],
        source_type: Annotated[str, Form(max_length=40)],
        origin: Annotated[str, Form(min_length=1, max_length=500)],
        independent: Annotated[bool, Form()] = False,
        dated: Annotated[str, Form(max_length=10)] = "",
        note: Annotated[str, Form(max_length=2000)] = "",
        file: Annotated[UploadFile | None, File()] = None) -> Response:
    """Add an evidence item (and its file) to a claim; back to the claim with its status."""
    if source_type not in SOURCE_TYPES:
        raise HTTPException(400, f"a source type is one of {', '.join(SOURCE_TYPES)}")
    if not origin.strip():
        raise HTTPException(400, "say where the evidence comes from")
    get_claim_404(request, claim_id)
    with tempfile.TemporaryDirectory(prefix="scrutiny-evidence-") as tmp:
        path = (save_upload(file, Path(tmp), MAX_ATTACHMENT)
                if file is not None and file.filename else None)
        with bench(request).writer() as case:
            ev = add_evidence(case, claim_id, stance, source_type, origin, by=who.user,
                              independent=independent, dated=dated or None,
                              note=note or None, file=path)
    v = ev.current
    audit(bench(request).reader().db, who.user, "add-evidence", f"claim:{claim_id}",
          {"evidence": ev.id, "stance": v.stance, "source_type": v.source_type,
           "independent": v.independent, "sha256": v.sha256})
    return RedirectResponse(f"/claims/{claim_id}?added={ev.id}", status_code=303)
