"""The ledger pages, and the report & exports page of the web workbench: the list of claims
with counts, filters and keyset pages; a claim with its evidence; adding evidence with a file
(the status changes, the file is stored, the change is audited; refused without the role or
the CSRF token); hostile text escaped; reports written and served under a sandboxing CSP,
redaction enforced by role, no path traversal."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from scrutiny.case import Case
from scrutiny.ledger.store import add_claim, add_evidence, get_claim, iter_claims
from scrutiny.web.accounts import iter_audit
from tests.web_support import login

ROW = re.compile(r'<td class="n"><a href="/claims/(\d+)">')


def _single_source(root: Path) -> int:
    with Case.open(root) as case:
        return next(iter_claims(case.db, status="single-source")).id


def _evidence_count(root: Path, claim_id: int) -> int:
    with Case.open(root) as case:
        return len(get_claim(case.db, claim_id).evidence)


def test_ledger_counts_pages_and_filters(web_site: tuple[TestClient, Path]) -> None:
    client, root = web_site
    with Case.open(root, writable=True) as case:
        total = sum(1 for _ in iter_claims(case.db))
        extra = add_claim(case, "event", "a hearing took place in Urumqi", by="test",
                          about="event:hearing")
    assert total >= 51  # more than one page
    login(client, "viewer")
    first = client.get("/ledger")
    assert first.status_code == 200
    assert re.search(r"<b>1</b> <span class=\"st st-unverified\">", first.text)
    ids1 = [int(i) for i in ROW.findall(first.text)]
    assert ids1 == sorted(ids1) and len(ids1) == 50
    nxt = re.search(r'href="(/ledger\?after=(\d+))" rel="next"', first.text)
    assert nxt and int(nxt.group(2)) == ids1[-1]
    second = client.get(nxt.group(1).replace("&amp;", "&"))
    ids2 = [int(i) for i in ROW.findall(second.text)]
    assert ids2 and min(ids2) > max(ids1) and extra.id in ids2
    assert 'rel="next"' not in second.text
    unverified = client.get("/ledger?status=unverified")
    assert ROW.findall(unverified.text) == [str(extra.id)]
    assert "a hearing took place in Urumqi" in unverified.text
    people = client.get("/ledger?kind=person&after=0")
    assert str(extra.id) not in ROW.findall(people.text)
    assert '/records/' in people.text  # subjects link to their records
    assert client.get("/ledger?status=nonsense").status_code == 422


def test_claim_page_and_audit(web_site: tuple[TestClient, Path]) -> None:
    client, root = web_site
    cid = _single_source(root)
    login(client, "viewer")
    page = client.get(f"/claims/{cid}")
    assert page.status_code == 200
    assert "single-source: only the leak" in page.text  # the reasoning, in words
    assert "leaked record" in page.text
    assert "Add evidence" not in page.text  # a viewer gets no form
    assert client.get("/claims/999999").status_code == 404
    with Case.open(root) as case:
        seen = [e for e in iter_audit(case.db, user="viewer") if e.action == "view-claim"]
    assert seen and seen[0].subject == f"claim:{cid}"


def test_reviewer_adds_independent_evidence_with_file(web_site: tuple[TestClient, Path]) -> None:
    client, root = web_site
    cid = _single_source(root)
    csrf = login(client, "reviewer")
    form = client.get(f"/claims/{cid}")
    assert 'enctype="multipart/form-data"' in form.text and "relative&#39;s testimony" in form.text
    r = client.post(f"/claims/{cid}/evidence", data={
        "csrf": csrf, "stance": "supports", "source_type": "relative-testimony",
        "origin": "interview with the daughter, Almaty", "independent": "true",
        "dated": "2023-05", "note": "recorded call"},
        files={"file": ("interview notes.txt", b"she was taken in 2018")},
        follow_redirects=False)
    assert r.status_code == 303, r.text
    assert r.headers["location"].startswith(f"/claims/{cid}?added=")
    page = client.get(r.headers["location"])
    assert 'class="flash"' in page.text and "st-corroborated" in page.text
    assert "corroborated: 2 sources" in page.text
    with Case.open(root) as case:
        claim = get_claim(case.db, cid)
        assert claim.status.name == "corroborated"
        sha = claim.evidence[-1].current.sha256
        assert sha and case.db.execute("SELECT size FROM items WHERE sha256 = ?",
                                       (sha,)).fetchone() == (21,)
        entries = [e for e in iter_audit(case.db, user="reviewer") if e.action == "add-evidence"]
    assert f'href="/items/{sha}"' in page.text
    assert entries and entries[0].subject == f"claim:{cid}" and entries[0].details["sha256"] == sha


def test_evidence_refused_without_role_or_csrf(web_site: tuple[TestClient, Path]) -> None:
    client, root = web_site
    cid = _single_source(root)
    before = _evidence_count(root, cid)
    data = {"stance": "supports", "source_type": "phone-confirmation", "origin": "a call"}
    csrf = login(client, "viewer")
    assert client.post(f"/claims/{cid}/evidence", data={**data, "csrf": csrf},
                       follow_redirects=False).status_code == 403
    client.cookies.clear()
    login(client, "reviewer")
    assert client.post(f"/claims/{cid}/evidence", data=data,
                       files={"file": ("x.txt", b"x")},
                       follow_redirects=False).status_code == 403
    assert _evidence_count(root, cid) == before


def test_bad_evidence_input_is_refused(web_site: tuple[TestClient, Path]) -> None:
    client, root = web_site
    cid = _single_source(root)
    before = _evidence_count(root, cid)
    csrf = login(client, "reviewer")
    base = {"csrf": csrf, "stance": "supports", "origin": "someone"}
    assert client.post(f"/claims/{cid}/evidence", data={**base, "source_type": "rumour"}
                       ).status_code == 400
    assert client.post(f"/claims/{cid}/evidence", data={
        **base, "source_type": "other", "origin": "x" * 501}).status_code == 422
    assert client.post(f"/claims/{cid}/evidence", data={
        **base, "source_type": "other", "dated": "2023-13"}).status_code == 400
    assert _evidence_count(root, cid) == before


def test_origin_is_escaped(web_site: tuple[TestClient, Path]) -> None:
    client, root = web_site
    cid = _single_source(root)
    with Case.open(root, writable=True) as case:
        add_evidence(case, cid, "contradicts", "official-statement",
                     "<script>alert(1)</script>", by="test")
    login(client, "viewer")
    page = client.get(f"/claims/{cid}")
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "st-contested" in page.text


def test_report_written_and_served_sandboxed(web_site: tuple[TestClient, Path]) -> None:
    client, root = web_site
    csrf = login(client, "reviewer")
    assert 'name="unredacted"' not in client.get("/report").text  # not offered to reviewers
    r = client.post("/report", data={"csrf": csrf}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/report"
    listing = client.get("/report")
    names = re.findall(r'href="/report/files/(report-[^"?]+\.html)"', listing.text)
    assert len(set(names)) == 1
    name = names[0]
    assert "reviewer" in listing.text
    served = client.get(f"/report/files/{name}")
    assert served.status_code == 200 and served.headers["content-type"].startswith("text/html")
    csp = served.headers["content-security-policy"]
    assert "sandbox" in csp and "script-src" not in csp and "default-src 'none'" in csp
    assert "inline" in served.headers["content-disposition"]
    assert not (root / name).exists()  # never inside the case folder
    with Case.open(root) as case:
        actions = {e.action for e in iter_audit(case.db, user="reviewer")}
        events = [e for e in case.log.tail(20) if e.action == "reported"]
    assert {"report", "download"} <= actions
    assert events and events[-1].details["redacted"] is True


def test_reviewer_cannot_write_unredacted(web_site: tuple[TestClient, Path]) -> None:
    client, root = web_site
    csrf = login(client, "reviewer")
    assert client.post("/report", data={"csrf": csrf, "unredacted": "true"},
                       follow_redirects=False).status_code == 403
    assert client.post("/exports", data={"csrf": csrf, "format": "json", "unredacted": "true"},
                       follow_redirects=False).status_code == 403
    assert not (root.parent / f"{root.name}-web-output").exists() or not any(
        (root.parent / f"{root.name}-web-output").iterdir())
    r = client.post("/exports", data={"csrf": csrf, "format": "csv"}, follow_redirects=False)
    assert r.status_code == 303
    name = re.search(r'href="/report/files/(export-[^"]+\.zip)"', client.get("/report").text)
    assert name
    got = client.get(f"/report/files/{name.group(1)}")
    assert got.status_code == 200 and got.content[:2] == b"PK"
    assert "attachment" in got.headers["content-disposition"]


def test_output_names_cannot_traverse(web_site: tuple[TestClient, Path]) -> None:
    client, _ = web_site
    login(client, "viewer")
    for bad in ("..%2Fcase%2Fcase.db", "report-x.html", "%2e%2e", "report-20240101T000000-000000Z"
                ".html", "%2e%2e%2fcase.db", "case.db"):
        assert client.get(f"/report/files/{bad}").status_code == 404, bad


def test_oversized_evidence_file_is_refused(web_site: tuple[TestClient, Path],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from scrutiny.web.pages import ledger

    client, root = web_site
    cid = _single_source(root)
    before = _evidence_count(root, cid)
    monkeypatch.setattr(ledger, "MAX_ATTACHMENT", 10)
    csrf = login(client, "reviewer")
    r = client.post(f"/claims/{cid}/evidence", data={
        "csrf": csrf, "stance": "supports", "source_type": "satellite-imagery",
        "origin": "a satellite"}, files={"file": ("big.tif", b"x" * 11)})
    assert r.status_code == 413
    assert _evidence_count(root, cid) == before
    with Case.open(root) as case:
        assert case.db.execute("SELECT 1 FROM items WHERE size = 11").fetchone() is None
