"""The match review queue: ``/review`` lists the linkage engine's candidate pairs by review
status, most probable first, with the counts of each status; ``/review/{id}`` shows one
match side by side (the leak record, the reference entry or second record), the engine's
explanation field by field and the pair's judgement history, and lets a reviewer judge it
(accept, reject, unsure, with a reason) from the keyboard, then moves to the next pending
match. Every view of a match and every judgement is written to the audit log."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response

from scrutiny.core import ScrutinyError
from scrutiny.link.review import (
    DECISIONS,
    STATUSES,
    MatchView,
    get_match,
    judge,
    judgement_history,
    list_matches,
    match_counts,
    next_pending,
)
from scrutiny.web.accounts import audit
from scrutiny.web.app import Who, bench, cached, need, render

router = APIRouter()
PAGE = 50
CACHED_PAGES = 20
REASON_MAX = 2000
FILTERS = (*STATUSES, "all")


def _match(db: Any, match_id: int) -> MatchView | None:
    try:
        return get_match(db, match_id)
    except ScrutinyError:
        return None


def _flash(db: Any, judged: int | None) -> str | None:
    """'Match N judged: accepted', read back from the catalog."""
    if judged is None:
        return None
    done = _match(db, judged)
    return f"Match {judged} judged: {done.status}" if done else None


@router.get("/review")
def queue(request: Request, who: Annotated[Who, Depends(need("read"))],
          status: Annotated[str, Query(max_length=10)] = "pending",
          offset: Annotated[int, Query(ge=0)] = 0,
          judged: Annotated[int | None, Query(ge=0)] = None) -> Response:
    """A page of matches with one review status (``all``: every status)."""
    if status not in FILTERS:
        raise HTTPException(400, f"unknown status {status!r}; use one of {', '.join(FILTERS)}")
    db = bench(request).reader().db
    def page() -> list[MatchView]:
        return list_matches(db, status=None if status == "all" else status, limit=PAGE + 1,
                            offset=offset)

    # the first pages are kept until the next custody event (a judgement is one): ordering
    # the queue weighs the newest judgement of every match
    found = cached(request, f"queue:{status}:{offset}", page) if offset < CACHED_PAGES * PAGE \
        else page()
    next_url = (f"/review?{urlencode({'status': status, 'offset': offset + PAGE})}"
                if len(found) > PAGE else None)
    first_url = f"/review?{urlencode({'status': status})}" if offset else None
    counts = cached(request, "matches", lambda: match_counts(db))
    return render(request, who, "review.html.j2", matches=found[:PAGE], status=status,
                  filters=FILTERS, counts=counts, offset=offset, next_url=next_url,
                  first_url=first_url, flash=_flash(db, judged), next_match=next_pending(db))


@router.get("/review/{match_id}")
def match(request: Request, match_id: int, who: Annotated[Who, Depends(need("read"))],
          judged: Annotated[int | None, Query(ge=0)] = None) -> Response:
    """One match side by side, its explanation, its history and (for a reviewer) the
    judgement form."""
    db = bench(request).reader().db
    m = _match(db, match_id)
    if m is None:
        raise HTTPException(404, f"no match {match_id}")
    audit(db, who.user, "view-match", f"match:{match_id}",
          {"left": f"record:{m.left.id}", "right": f"{m.right.kind}:{m.right.id}"})
    return render(request, who, "match.html.j2", m=m, history=judgement_history(db, m.pair),
                  next_match=next_pending(db, match_id), flash=_flash(db, judged),
                  may_judge=who.may("judge"), reason_max=REASON_MAX)


@router.post("/review/{match_id}")
def judge_match(request: Request, match_id: int, who: Annotated[Who, Depends(need("judge"))],
                decision: Annotated[str, Form(max_length=10)] = "",
                reason: Annotated[str, Form(max_length=REASON_MAX)] = "") -> Response:
    """Judge a match (accept, reject or unsure, with a reason), then go to the next
    pending match (or back to the queue when none is left)."""
    if decision not in DECISIONS:
        raise HTTPException(400, f"a judgement is one of {', '.join(DECISIONS)}")
    if not reason.strip():
        raise HTTPException(400, "say why: the reason is part of the record")
    with bench(request).writer() as case:
        judge(case, match_id, decision, who.user, reason)
    db = bench(request).reader().db
    audit(db, who.user, "judge", f"match:{match_id}", {"decision": decision, "reason": reason})
    following = next_pending(db, match_id)
    target = (f"/review/{following}?judged={match_id}" if following is not None
              else f"/review?status=pending&judged={match_id}")
    return RedirectResponse(target, status_code=303)
