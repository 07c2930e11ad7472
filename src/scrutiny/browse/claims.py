"""The ledger's claims a page at a time, for browsing (keyset pagination by claim id).

:func:`claims_page` reads one page of claims after a claim id, optionally of one ``kind``.
A filter on the derived status takes one pass over the ledger with its own rule in SQL
(:func:`claim_ids`, :func:`scrutiny.ledger.store.status_sql`), whose result a caller keeps
until the ledger changes; each page is then a lookup in it (:func:`page_of`).
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

_HEX = re.compile(r"[0-9a-f]{8,64}")


@dataclass(frozen=True)
class ClaimPage:
    """``claims`` (id order); ``next_after``: the id to continue after (None at the end)."""

    claims: tuple[Claim, ...]
    next_after: int | None


def claims_page(db: Any, *, after: int = 0, kind: str | None = None, limit: int = 50
                ) -> ClaimPage:
    """Up to ``limit`` claims with an id above ``after`` (of ``kind``), and the id to
    continue after for the next page (a filter on status pages through :func:`claim_ids`)."""
    if kind is not None and kind not in CLAIM_KINDS:
        raise ScrutinyError(f"a claim is about one of {', '.join(CLAIM_KINDS)}, not {kind!r}")
    where = "id > ?"
    params: list[Any] = [after]
    if kind is not None:
        where += " AND kind = ?"
        params.append(kind)
    ids = [int(r[0]) for r in db.execute(
        f"SELECT id FROM claims WHERE {where} ORDER BY id LIMIT ?",  # noqa: S608
        (*params, limit + 1))]
    more = len(ids) > limit
    ids = ids[:limit]
    return ClaimPage(tuple(get_claims(db, ids)), ids[-1] if more and ids else None)


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
