"""The evidence browser, the item page and search.

``/evidence`` lists the items of the case 50 at a time, filtered by type, by the findings
about them (severity or worse, code prefix) and by origin (the leak, or also references and
evidence attached to the ledger). ``/items/{sha256}`` shows one item: a safe preview (pictures
re-encoded, text as extracted), metadata, findings with their evidence, the maps the checks
derived, every path it was received under, the custody events the catalog names, the person
records read from it and a download link (audited). ``/search`` finds text and person
records (``extract.search``), two-character Chinese names included.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from fastapi.responses import Response, StreamingResponse

from scrutiny.browse.items import (
    KIND_NAMES,
    SEVERITIES,
    SHA256,
    download_name,
    item_detail,
    item_file,
    list_items,
)
from scrutiny.browse.preview import derived_preview, item_preview
from scrutiny.extract.search import search as search_case
from scrutiny.store.blobs import READ_SIZE
from scrutiny.web.accounts import audit
from scrutiny.web.app import Who, bench, cached, need, render

router = APIRouter()
PAGE = 50
IMAGE_HEADERS = {"cache-control": "private, max-age=3600"}
HEX64 = r"^[0-9a-f]{64}$"

Read = Annotated[Who, Depends(need("read"))]


def _known(sha256: str) -> str:
    if not SHA256.fullmatch(sha256):
        raise HTTPException(404, "no such item: an item is named by its SHA-256 (64 hex digits)")
    return sha256


@router.get("/evidence")
def evidence(
    request: Request, who: Read,
    after: Annotated[str | None, Query(pattern=HEX64)] = None,
    mime: Annotated[str | None, Query(max_length=200, pattern=r"^[\w.+-]+/[\w.+-]+$")] = None,
    kind: Annotated[Literal["image", "document", "table", "archive", "other"] | None,
                    Query()] = None,
    severity: Annotated[Literal["info", "notice", "warning", "anomaly"] | None, Query()] = None,
    code: Annotated[str | None, Query(max_length=40, pattern=r"^[A-Za-z0-9-]+$")] = None,
    origin: Annotated[Literal["all", "leak"], Query()] = "all",
) -> Response:
    """The items of the case, a page at a time, with their findings' count and worst severity."""
    filters = {k: v for k, v in (("mime", mime), ("kind", kind), ("severity", severity),
                                 ("code", code), ("origin", origin if origin != "all" else None))
               if v}
    page = cached(request, f"evidence?{request.url.query}", lambda: list_items(
        bench(request).reader().db, after=after, mime=mime, kind=kind, severity=severity,
        code=code, leak_only=origin == "leak", limit=PAGE))
    base = "/evidence" + (f"?{urlencode(filters)}" if filters else "")
    next_url = (f"/evidence?{urlencode({**filters, 'after': page.after})}" if page.after
                else None)
    return render(request, who, "evidence.html.j2", page=page, filters=filters,
                  kinds=KIND_NAMES, severities=SEVERITIES, next_url=next_url,
                  first_url=base if after else None)


@router.get("/items/{sha256}")
def item(request: Request, who: Read, sha256: str) -> Response:
    """One item: preview, text, metadata, findings, derived maps, provenance, custody."""
    case = bench(request).reader()
    detail = item_detail(case.db, _known(sha256))
    if detail is None:
        raise HTTPException(404, "this case holds no item with that SHA-256")
    audit(case.db, who.user, "view-item", f"item:{sha256}", {"mime": detail.mime})
    return render(request, who, "item.html.j2", d=detail)


def _image(found: tuple[bytes, str] | None, what: str) -> Response:
    if found is None:
        return Response(f"no preview: {what}", status_code=404, media_type="text/plain")
    data, mime = found
    return Response(data, media_type=mime, headers=IMAGE_HEADERS)


@router.get("/items/{sha256}/preview")
def preview(request: Request, who: Read, sha256: str) -> Response:
    """The item as a picture re-encoded by the workbench (raster images only)."""
    case = bench(request).reader()
    return _image(item_preview(case.db, case.blobs, _known(sha256)),
                  "not a picture this workbench can show")


@router.get("/items/{sha256}/derived/{kind}/{check_code}")
def derived(request: Request, who: Read, sha256: str,
            kind: Annotated[str, Path(max_length=60)],
            check_code: Annotated[str, Path(max_length=40)]) -> Response:
    """An image a check derived from the item (error-level, noise, copy-move map...)."""
    case = bench(request).reader()
    return _image(derived_preview(case.db, case.blobs, _known(sha256), kind, check_code),
                  "no such derived image")


@router.get("/items/{sha256}/download")
def download(request: Request, who: Read, sha256: str) -> Response:
    """The item's original bytes as an attachment named by its hash (audited)."""
    case = bench(request).reader()
    found = item_file(case.db, _known(sha256))
    if found is None:
        raise HTTPException(404, "this case holds no item with that SHA-256")
    size, mime = found
    stream = case.blobs.open(sha256)
    audit(case.db, who.user, "download", f"item:{sha256}", {"size": size, "mime": mime})

    def chunks() -> Iterator[bytes]:
        with stream:
            while data := stream.read(READ_SIZE):
                yield data

    name = download_name(sha256, mime)
    return StreamingResponse(chunks(), media_type="application/octet-stream", headers={
        "content-disposition": f'attachment; filename="{name}"',
        "content-length": str(size), "cache-control": "no-store"})


@router.get("/search")
def search(request: Request, who: Read,
           q: Annotated[str, Query(max_length=200)] = "") -> Response:
    """Text and person records matching ``q`` (an empty ``q`` shows the search form)."""
    q = q.strip()
    hits = []
    if q:
        db = bench(request).reader().db
        hits = search_case(db, q, limit=PAGE)
        audit(db, who.user, "search", None, {"q": q, "hits": len(hits)})
    return render(request, who, "search.html.j2", q=q,
                  text_hits=[h for h in hits if h.kind == "text"],
                  record_hits=[h for h in hits if h.kind == "record"])
