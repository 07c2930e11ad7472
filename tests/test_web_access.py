"""Access to the web workbench: every route but the login page and the package's static
files needs a login; viewers read but cannot judge, add evidence, export, ingest or manage
users; reviewers cannot do an admin's work; a change without this session's CSRF token, or
from another origin, is refused and changes nothing; sessions end on logout and when an
account is disabled. The routes are read from the app itself, so a new page is covered."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from scrutiny.case import Case
from scrutiny.web.accounts import change_user, iter_audit
from tests.web_support import login

PUBLIC = {("GET", "/login"), ("POST", "/login")}
#: what each change needs (the role below it must be refused)
CHANGES = {"/review/{match_id}": "reviewer", "/claims/{claim_id}/evidence": "reviewer",
           "/report": "reviewer", "/exports": "reviewer", "/admin/users": "admin",
           "/admin/users/{name}": "admin", "/admin/ingest": "admin"}


def _walk(routes: list[object]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for r in routes:
        if isinstance(r, APIRoute):
            out += [(m, r.path) for m in sorted(r.methods) if m != "HEAD"]
        elif hasattr(r, "original_router"):  # an included router (FastAPI includes lazily)
            out += _walk(r.original_router.routes)
    return out


def _routes(client: TestClient) -> list[tuple[str, str]]:
    """Every (method, path) the app serves, as FastAPI holds them."""
    return _walk(client.app.routes)  # type: ignore[attr-defined]


def _fill(path: str, root: Path) -> str:
    """A route's path with real ids of the case in its parameters."""
    with Case.open(root) as case:
        db = case.db
        values = {
            "sha256": db.execute("SELECT sha256 FROM items LIMIT 1").fetchone()[0],
            "record_id": str(db.execute("SELECT min(id) FROM records").fetchone()[0]),
            "match_id": str(db.execute("SELECT min(id) FROM matches").fetchone()[0]),
            "claim_id": str(db.execute("SELECT min(id) FROM claims").fetchone()[0]),
            "name": "viewer", "kind": "ela", "check_code": "IMG-ELA-001",
            "filename": "report-x.html"}
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: values.get(m.group(1), "1"), path)


def test_the_routes_cover_the_workbench(web_site: tuple[TestClient, Path]) -> None:
    paths = {p for _, p in _routes(web_site[0])}
    for needed in ("/", "/evidence", "/items/{sha256}", "/records", "/records/{record_id}",
                   "/review", "/review/{match_id}", "/ledger", "/claims/{claim_id}",
                   "/report", "/admin", "/admin/audit", "/admin/ingest", "/search"):
        assert any(p == needed or re.sub(r"\{\w+\}", "{}", p) == re.sub(r"\{\w+\}", "{}",
                   needed) for p in paths), needed
    for change in CHANGES:
        assert any(re.sub(r"\{\w+\}", "{}", p) == re.sub(r"\{\w+\}", "{}", change)
                   for m, p in _routes(web_site[0]) if m == "POST"), change


def test_every_route_needs_a_login(web_site: tuple[TestClient, Path]) -> None:
    client, root = web_site
    checked = 0
    for method, path in _routes(client):
        if (method, path) in PUBLIC:
            continue
        url = _fill(path, root)
        # an API-style request gets 401; a browser asking for a page is sent to log in
        r = client.request(method, url, headers={"accept": "application/json"},
                           follow_redirects=False)
        assert r.status_code == 401, (method, url, r.status_code)
        if method == "GET":
            r = client.get(url, headers={"accept": "text/html"}, follow_redirects=False)
            assert r.status_code == 303, (url, r.status_code)
            assert r.headers["location"].startswith("/login?next=")
        checked += 1
    assert checked >= 20
    assert client.get("/static/app.css").status_code == 200  # the package's own files


def test_a_login_page_bounce_returns_to_the_page(web_site: tuple[TestClient, Path]) -> None:
    client, _ = web_site
    r = client.get("/records?q=abc", headers={"accept": "text/html"}, follow_redirects=False)
    assert r.headers["location"] == "/login?next=%2Frecords%3Fq%3Dabc"
    page = client.get(r.headers["location"])
    assert 'name="next" value="/records?q=abc"' in page.text
    # an outside address is never a target
    page = client.get("/login?next=https://evil.example/")
    assert 'name="next" value="/"' in page.text


def _lower_roles(need: str) -> list[str]:
    return {"reviewer": ["viewer"], "admin": ["viewer", "reviewer"]}[need]


def _counts(root: Path) -> tuple[int, ...]:
    with Case.open(root) as case:
        db = case.db
        return tuple(db.execute(q).fetchone()[0] for q in (
            "SELECT count(*) FROM judgements", "SELECT count(*) FROM evidence_versions",
            "SELECT count(*) FROM users", "SELECT count(*) FROM user_changes",
            "SELECT count(*) FROM items", "SELECT count(*) FROM runs"))


def _post(client: TestClient, url: str, csrf: str | None) -> int:
    data = {"decision": "accept", "reason": "same person", "stance": "supports",
            "source_type": "relative", "origin": "a cousin", "name": "mallory",
            "role": "admin", "password": "x" * 20, "password2": "x" * 20, "format": "json"}
    if csrf is not None:
        data["csrf"] = csrf
    files = {"files": ("a.txt", b"hello", "text/plain")} if url.endswith("/ingest") else None
    return client.post(url, data=data, files=files, follow_redirects=False).status_code


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_lower_roles_cannot_change(web_site: tuple[TestClient, Path], change: str) -> None:
    client, root = web_site
    url = _fill(change, root)
    before = _counts(root)
    for role in _lower_roles(CHANGES[change]):
        client.cookies.clear()
        csrf = login(client, role)
        assert _post(client, url, csrf) == 403, (role, url)
    assert _counts(root) == before


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_a_change_without_the_csrf_token_is_refused(web_site: tuple[TestClient, Path],
                                                     change: str) -> None:
    client, root = web_site
    url = _fill(change, root)
    login(client, "admin")
    before = _counts(root)
    assert _post(client, url, None) == 403
    assert _post(client, url, "not-the-token") == 403
    assert _counts(root) == before


def test_a_change_from_another_origin_is_refused(web_site: tuple[TestClient, Path]) -> None:
    client, root = web_site
    csrf = login(client, "reviewer")
    url = _fill("/review/{match_id}", root)
    before = _counts(root)
    r = client.post(url, data={"decision": "accept", "reason": "x", "csrf": csrf},
                    headers={"origin": "http://evil.example"}, follow_redirects=False)
    assert r.status_code == 403
    assert _counts(root) == before


def test_the_login_form_needs_its_own_token(web_site: tuple[TestClient, Path]) -> None:
    client, _ = web_site
    r = client.post("/login", data={"name": "admin", "password": "a long enough test "
                                    "password", "csrf": "forged"}, follow_redirects=False)
    assert r.status_code == 403
    assert client.get("/", follow_redirects=False).status_code == 401


def test_wrong_passwords_lock_the_name_and_are_audited(web_site: tuple[TestClient, Path]
                                                       ) -> None:
    client, root = web_site
    for _ in range(5):
        page = client.get("/login")
        nonce = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert nonce
        r = client.post("/login", data={"name": "viewer", "password": "wrong password!",
                                        "csrf": nonce.group(1)}, follow_redirects=False)
        assert r.status_code == 401
    # locked now: even the right password is refused for a while
    page = client.get("/login")
    nonce = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert nonce
    r = client.post("/login", data={"name": "viewer", "password": "a long enough test "
                                    "password", "csrf": nonce.group(1)},
                    follow_redirects=False)
    assert r.status_code == 401
    with Case.open(root) as case:
        actions = [e.action for e in iter_audit(case.db, user="viewer")]
    assert actions.count("login-failed") == 6


def test_cookies_are_httponly_and_samesite(web_site: tuple[TestClient, Path]) -> None:
    client, _ = web_site
    page = client.get("/login")
    nonce = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert nonce
    r = client.post("/login", data={"name": "viewer", "password": "a long enough test "
                                    "password", "csrf": nonce.group(1)},
                    follow_redirects=False)
    cookie = next(v for k, v in r.headers.multi_items() if k == "set-cookie"
                  and v.startswith("scrutiny_session="))
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
    home = client.get("/")
    csp = home.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp


def test_logout_and_disabling_end_the_session(web_site: tuple[TestClient, Path]) -> None:
    client, root = web_site
    csrf = login(client, "viewer")
    assert client.get("/").status_code == 200
    assert client.post("/logout", data={"csrf": csrf}, follow_redirects=False
                       ).status_code == 303
    assert client.get("/", follow_redirects=False).status_code == 401
    login(client, "reviewer")
    assert client.get("/").status_code == 200
    with Case.open(root, writable=True) as case:
        change_user(case, "reviewer", by="test", disabled=True, n=2**12)
    assert client.get("/", follow_redirects=False).status_code == 401
