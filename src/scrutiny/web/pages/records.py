"""Person records: the list (``/records``: a name or ID-number search, the records of one
item, main persons or relatives too, 50 a page) and one record's page (``/records/{id}``:
the source row as read, the normalised fields, the resident-ID check, relatives or the main
person, the findings about the record, its matches and the ledger's claims about it). Every
view of a record's page is written to the audit log."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response

from scrutiny.browse.records import (
    PAGE,
    list_records,
    record_detail,
    record_findings,
    record_matches,
)
from scrutiny.ledger.store import iter_claims
from scrutiny.web.accounts import audit
from scrutiny.web.app import Who, bench, cached, need, render

router = APIRouter()
CLAIMS_SHOWN = 100


@router.get("/records")
def records(request: Request, who: Annotated[Who, Depends(need("read"))],
            q: Annotated[str, Query(max_length=200)] = "",
            sha256: Annotated[str, Query(max_length=64)] = "",
            relatives: Annotated[int | None, Query(ge=0, le=1)] = None,
            after: Annotated[int | None, Query(ge=0)] = None) -> Response:
    """A page of person records. Relatives are listed too when asked (``relatives=1``), and
    by default when searching or listing one item's records."""
    q = q.strip()
    with_relatives = bool(relatives) if relatives is not None else bool(q or sha256)
    page = cached(request, f"records?{request.url.query}", lambda: list_records(
        bench(request).reader().db, q=q or None, sha256=sha256 or None,
        relatives=with_relatives, after=after, limit=PAGE))
    keep = {k: v for k, v in (("q", q), ("sha256", sha256)) if v}
    keep["relatives"] = str(int(with_relatives))
    next_url = (f"/records?{urlencode({**keep, 'after': page.next_after})}"
                if page.next_after is not None else None)
    first_url = f"/records?{urlencode(keep)}" if after is not None else None
    return render(request, who, "records.html.j2", page=page, q=q, sha256=sha256,
                  with_relatives=with_relatives, next_url=next_url, first_url=first_url)


@router.get("/records/{record_id}")
def record(request: Request, record_id: int,
           who: Annotated[Who, Depends(need("read"))]) -> Response:
    """One record with everything known about it (404 if there is none)."""
    db = bench(request).reader().db
    detail = record_detail(db, record_id)
    if detail is None:
        raise HTTPException(404, f"no person record {record_id}")
    subject = f"record:{record_id}"
    claims = []
    for claim in iter_claims(db, subject=subject):
        claims.append(claim)
        if len(claims) >= CLAIMS_SHOWN:
            break
    audit(db, who.user, "view-record", subject)
    return render(request, who, "record.html.j2", d=detail, r=detail.record,
                  findings=record_findings(db, record_id),
                  matches=record_matches(db, record_id), claims=claims,
                  claims_shown=CLAIMS_SHOWN)
