"""The ledger's claims a page at a time, for browsing (keyset pagination by claim id).

:func:`claims_page` reads one page of claims after a claim id, optionally of one ``kind`` and
one derived ``status``. The status comes from the ledger's own rule in SQL
(:func:`scrutiny.ledger.store.status_sql`), computed for a slice of claims at a time, so a
page never evaluates the whole ledger; a filter on a rare status stops after scanning
``max_scan`` claims and says where to go on from (a page may then hold fewer than ``limit``
claims, never a wrong one).
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_right
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from scrutiny.core import ScrutinyError
from scrutiny.ledger.model import CLAIM_KINDS, STATUSES
from scrutiny.ledger.store import Claim, get_claims, status_sql

__all__ = ["ClaimPage", "claim_ids", "claims_page", "page_of", "subject_href"]

SLICE = 500
_HEX = re.compile(r"[0-9a-f]{8,64}")


@dataclass(frozen=True)
class ClaimPage:
    """``claims`` (id order); ``next_after``: the id to continue after (None at the end)."""

    claims: tuple[Claim, ...]
    next_after: int | None


def claims_page(db: Any, *, after: int = 0, status: str | None = None,
                kind: str | None = None, limit: int = 50,
                max_scan: int = 50_000) -> ClaimPage:
    """Up to ``limit`` claims with an id above ``after`` (of ``kind``, with derived
    ``status``), and the id to continue after for the next page."""
    if status is not None and status not in STATUSES:
        raise ScrutinyError(f"a status is one of {', '.join(STATUSES)}, not {status!r}")
    if kind is not None and kind not in CLAIM_KINDS:
        raise ScrutinyError(f"a claim is about one of {', '.join(CLAIM_KINDS)}, not {kind!r}")
    where = "c.id > ?" + (" AND c.kind = ?" if kind is not None else "")
    query = status_sql(where + " ORDER BY c.id LIMIT ?")
    chosen: list[int] = []
    last, scanned = after, 0
    while len(chosen) <= limit and scanned < max_scan:
        params = (last, kind, SLICE) if kind is not None else (last, SLICE)
        rows = sorted((int(r[0]), r[1]) for r in db.execute(query, params))
        if not rows:
            break
        for cid, name in rows:
            last, scanned = cid, scanned + 1
            if status is None or name == status:
                chosen.append(cid)
                if len(chosen) > limit:
                    break
    if len(chosen) > limit:
        chosen = chosen[:limit]
        next_after: int | None = chosen[-1]
    elif scanned >= max_scan:
        next_after = last  # not at the end: scanning goes on from here
    else:
        next_after = None
    return ClaimPage(tuple(get_claims(db, chosen)), next_after)


def claim_ids(db: Any, status: str, kind: str | None = None) -> array[int]:
    """The ids of every claim with derived ``status`` (and of ``kind``), ascending: one
    pass over the ledger, for a caller that keeps it until the ledger changes (the web
    workbench does), so that each page of a filtered listing is a lookup."""
    if status not in STATUSES:
        raise ScrutinyError(f"a status is one of {', '.join(STATUSES)}, not {status!r}")
    where = "c.kind = ?" if kind is not None else "1"
    params = (kind,) if kind is not None else ()
    ids = array("q", sorted(int(r[0]) for r in db.execute(status_sql(where), params)
                            if r[1] == status))
    return ids


def page_of(db: Any, ids: array[int], after: int = 0, limit: int = 50) -> ClaimPage:
    """The page of ``ids`` (ascending, from :func:`claim_ids`) after claim ``after``."""
    start = bisect_right(ids, after)
    chosen = list(ids[start:start + limit])
    more = start + limit < len(ids)
    return ClaimPage(tuple(get_claims(db, chosen)), chosen[-1] if more and chosen else None)


def subject_href(subject: str | None) -> str | None:
    """The workbench page of a claim's subject: ``/records/N`` for ``record:N``,
    ``/items/SHA256`` for ``item:SHA256``; None for a facility, an event or nothing."""
    if not subject:
        return None
    prefix, _, rest = subject.partition(":")
    if prefix == "record" and rest.isdigit():
        return f"/records/{int(rest)}"
    if prefix == "item" and _HEX.fullmatch(rest):
        return f"/items/{quote(rest, safe='')}"
    return None
