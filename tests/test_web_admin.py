"""The admin pages of the web workbench: adding an account that can then log in, changing
and disabling accounts (which ends their sessions; an admin cannot lock themself out), the
audit log, and receiving files by upload (stored through ingest, names kept as data)."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from scrutiny.case import Case
from scrutiny.web.accounts import get_user, iter_audit
from tests.web_support import PASSWORD, login

NEW_PASSWORD = "another long password"


def _items(root: Path) -> int:
    with Case.open(root) as case:
        return int(case.db.execute("SELECT count(*) FROM items").fetchone()[0])


def test_admin_adds_a_user_who_can_log_in(web_site: tuple[TestClient, Path]) -> None:
    client, root = web_site
    csrf = login(client, "admin")
    page = client.get("/admin")
    assert page.status_code == 200 and "reviewer" in page.text and "/admin/audit" in page.text
    r = client.post("/admin/users", data={"csrf": csrf, "name": "editor", "role": "reviewer",
                                          "password": NEW_PASSWORD, "password2": NEW_PASSWORD},
                    follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/admin"
    assert "editor" in client.get("/admin").text
    with Case.open(root) as case:
        assert get_user(case.db, "editor").role == "reviewer"
        added = [e for e in iter_audit(case.db, user="admin") if e.action == "user-add"]
    assert added and added[0].subject == "user:editor"
    assert NEW_PASSWORD not in str(added[0].details)
    other = TestClient(client.app, base_url=str(client.base_url))
    login(other, "editor", NEW_PASSWORD)
    assert "editor · reviewer" in other.get("/").text


def test_password_mismatch_and_short_password_refused(web_site: tuple[TestClient, Path]) -> None:
    client, root = web_site
    csrf = login(client, "admin")
    assert client.post("/admin/users", data={"csrf": csrf, "name": "x1", "role": "viewer",
                                             "password": NEW_PASSWORD, "password2": "other"}
                       ).status_code == 400
    assert client.post("/admin/users", data={"csrf": csrf, "name": "x2", "role": "viewer",
                                             "password": "short", "password2": "short"}
                       ).status_code == 400
    with Case.open(root) as case:
        names = {r[0] for r in case.db.execute("SELECT name FROM users")}
    assert not names & {"x1", "x2"}


def test_lower_roles_are_refused(web_site: tuple[TestClient, Path]) -> None:
    client, root = web_site
    before = _items(root)
    for name in ("viewer", "reviewer"):
        client.cookies.clear()
        csrf = login(client, name)
        assert client.get("/admin").status_code == 403
        assert client.get("/admin/audit").status_code == 403
        assert client.get("/admin/ingest").status_code == 403
        assert client.post("/admin/ingest", data={"csrf": csrf},
                           files=[("files", ("a.txt", b"refused"))]).status_code == 403
        assert client.post("/admin/users", data={
            "csrf": csrf, "name": "sneaky", "role": "admin", "password": NEW_PASSWORD,
            "password2": NEW_PASSWORD}).status_code == 403
    assert _items(root) == before
    assert 'href="/admin"' not in client.get("/").text


def test_upload_is_ingested_and_its_name_escaped(web_site: tuple[TestClient, Path]) -> None:
    client, root = web_site
    before = _items(root)
    csrf = login(client, "admin")
    form = client.get("/admin/ingest")
    assert "scrutiny ingest" in form.text and 'enctype="multipart/form-data"' in form.text
    r = client.post("/admin/ingest", data={"csrf": csrf, "note": "from a source"},
                    files=[("files", ("<script>alert(1)</script>.txt", b"a hostile name")),
                           ("files", ("plain.txt", b"a plain file"))],
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    assert r.headers["location"].startswith("/admin/ingest?done=")
    assert _items(root) == before + 2
    done = client.get(r.headers["location"])
    assert done.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;" in done.text
    assert "<script>alert(1)" not in done.text
    assert "plain.txt" in done.text and "from a source" in done.text
    assert len(re.findall(r'href="/items/[0-9a-f]{64}"', done.text)) == 2
    with Case.open(root) as case:
        entry = next(e for e in iter_audit(case.db, user="admin") if e.action == "ingest")
        assert entry.details["new_items"] == 2
        extracted = case.db.execute(
            "SELECT count(*) FROM texts t JOIN items i ON i.sha256 = t.sha256 "
            "WHERE i.size IN (14, 12)").fetchone()[0]
    assert extracted >= 2  # the new files were extracted too


def test_upload_without_csrf_is_refused(web_site: tuple[TestClient, Path]) -> None:
    client, root = web_site
    before = _items(root)
    login(client, "admin")
    assert client.post("/admin/ingest", files=[("files", ("a.txt", b"no token"))]
                       ).status_code == 403
    assert _items(root) == before


def test_disabling_a_user_ends_their_session(web_site: tuple[TestClient, Path]) -> None:
    client, root = web_site
    viewer = TestClient(client.app, base_url=str(client.base_url))
    login(viewer, "viewer")
    assert viewer.get("/ledger").status_code == 200
    csrf = login(client, "admin")
    r = client.post("/admin/users/viewer", data={"csrf": csrf, "state": "disable"},
                    follow_redirects=False)
    assert r.status_code == 303
    assert viewer.get("/ledger", headers={"accept": "application/json"}).status_code == 401
    page = client.get("/admin")
    assert "disabled" in page.text
    with Case.open(root) as case:
        assert get_user(case.db, "viewer").disabled
        change = next(e for e in iter_audit(case.db, user="admin") if e.action == "user-change")
    assert change.subject == "user:viewer" and change.details["disabled"] is True


def test_password_change_ends_sessions_and_new_password_works(
        web_site: tuple[TestClient, Path]) -> None:
    client, _ = web_site
    reviewer = TestClient(client.app, base_url=str(client.base_url))
    login(reviewer, "reviewer")
    csrf = login(client, "admin")
    assert client.post("/admin/users/reviewer", data={
        "csrf": csrf, "password": NEW_PASSWORD, "password2": NEW_PASSWORD},
        follow_redirects=False).status_code == 303
    assert reviewer.get("/", follow_redirects=False).status_code in (303, 401)  # logged out
    login(reviewer, "reviewer", NEW_PASSWORD)


def test_admin_cannot_lock_themself_out(web_site: tuple[TestClient, Path]) -> None:
    client, root = web_site
    csrf = login(client, "admin")
    assert client.post("/admin/users/admin", data={"csrf": csrf, "state": "disable"}
                       ).status_code == 400
    assert client.post("/admin/users/admin", data={"csrf": csrf, "role": "viewer"}
                       ).status_code == 400
    with Case.open(root) as case:
        me = get_user(case.db, "admin")
    assert me.role == "admin" and not me.disabled
    assert client.get("/admin").status_code == 200


def test_audit_log_lists_logins_and_filters(web_site: tuple[TestClient, Path]) -> None:
    client, _ = web_site
    login(client, "viewer")
    client.cookies.clear()
    login(client, "admin")
    page = client.get("/admin/audit")
    assert page.status_code == 200
    assert re.search(r">viewer</a></td>\s*<td>login</td>", page.text)
    mine = client.get("/admin/audit?user=admin")
    assert ">viewer</a>" not in mine.text and "<td>login</td>" in mine.text


def test_audit_log_pages(web_site: tuple[TestClient, Path]) -> None:
    client, root = web_site
    with Case.open(root, writable=True) as case:
        from scrutiny.web.accounts import audit

        for i in range(120):
            audit(case.db, "someone", "view-record", f"record:{i}")
        case.db.commit()
    login(client, "admin")
    first = client.get("/admin/audit?user=someone")
    assert first.text.count("view-record") == 100
    nxt = re.search(r'href="(/admin/audit\?[^"]+)" rel="next"', first.text)
    assert nxt and "user=someone" in nxt.group(1)
    second = client.get(nxt.group(1).replace("&amp;", "&"))
    assert second.text.count("view-record") == 20
    assert "record:119" in first.text and "record:119" not in second.text
    assert "record:0" in second.text
    assert PASSWORD not in first.text
