"""The case overview: what was received, counts, findings by severity, the review queue,
the ledger's statuses and the state of the chain of custody (``status.case_status``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from scrutiny.ledger.store import status_counts
from scrutiny.link.review import match_counts
from scrutiny.status import case_status
from scrutiny.web.app import Who, bench, cached, need, render

router = APIRouter()


@router.get("/")
def overview(request: Request, who: Annotated[Who, Depends(need("read"))]) -> Response:
    case = bench(request).reader()
    return render(request, who, "overview.html.j2",
                  s=cached(request, "status", lambda: case_status(case, last_events=10)),
                  ledger=cached(request, "ledger", lambda: status_counts(case.db)),
                  matches=cached(request, "matches", lambda: match_counts(case.db)))
