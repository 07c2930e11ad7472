"""The workbench's person records: the list (pages, name and ID-number search, one item's
records), a record's page (source row, findings, claims, audit) and escaping of leak text."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from scrutiny.case import Case
from scrutiny.extract.run import extract_case
from scrutiny.ingest import ingest
from scrutiny.web.accounts import add_user, iter_audit
from scrutiny.web.workbench import Workbench
from tests.leak_makers import hostile_roster
from tests.web_support import FAST_N, PASSWORD, app_for, login

RECORD_LINK = re.compile(r'<td><a href="/records/(\d+)"')  # the name column
NEXT = re.compile(r'href="([^"]+)" rel="next"')


@pytest.fixture(scope="module")
def app(web_built: Path) -> Iterator[tuple[TestClient, Workbench]]:
    client, bench = app_for(web_built)
    login(client, "viewer")
    yield client, bench


@pytest.fixture()
def client(app: tuple[TestClient, Workbench]) -> TestClient:
    return app[0]


@pytest.fixture()
def db(app: tuple[TestClient, Workbench]) -> Any:
    return app[1].reader().db


def _ids(html: str) -> list[int]:
    return [int(x) for x in RECORD_LINK.findall(html)]


def test_list_pages_through_main_persons(client: TestClient, db: Any) -> None:
    first = client.get("/records")
    assert first.status_code == 200
    mains = [r[0] for r in db.execute("SELECT id FROM records WHERE relation = '' ORDER BY id")]
    assert len(mains) > 50
    shown = _ids(first.text)
    assert shown[:50] == mains[:50]
    relative = db.execute("SELECT id FROM records WHERE relation != '' LIMIT 1").fetchone()[0]
    assert relative not in shown  # only main persons by default
    nxt = NEXT.search(first.text)
    assert nxt and "after=" in nxt.group(1)
    second = client.get(nxt.group(1).replace("&amp;", "&"))
    assert second.status_code == 200
    assert _ids(second.text)[:len(mains) - 50] == mains[50:]
    assert set(_ids(second.text)).isdisjoint(mains[:50])
    assert 'rel="next"' not in second.text and 'rel="first"' in second.text
    with_rel = client.get("/records?relatives=1")
    assert relative in _ids(with_rel.text)


def test_search_by_name_and_prefix(client: TestClient, db: Any) -> None:
    short = db.execute("SELECT name FROM records WHERE length(name) = 2 LIMIT 1").fetchone()[0]
    page = client.get("/records", params={"q": short})
    assert page.status_code == 200 and f">{short}</a>" in page.text
    long_id, long_name = db.execute(
        "SELECT id, name FROM records WHERE length(name) > 4 ORDER BY id DESC LIMIT 1").fetchone()
    exact = client.get("/records", params={"q": long_name})
    assert long_id in _ids(exact.text)
    prefix = client.get("/records", params={"q": long_name[:2]})
    ids = _ids(prefix.text)
    assert long_id in ids
    marks = ",".join("?" * len(ids))
    names = {r[0] for r in db.execute(
        f"SELECT name FROM records WHERE id IN ({marks})", ids)}  # noqa: S608
    assert all(n.startswith(long_name[:2]) for n in names)
    none = client.get("/records", params={"q": "不存在的名字"})
    assert _ids(none.text) == [] and "No person records match" in none.text


def test_search_by_id_number_prefix(client: TestClient, db: Any) -> None:
    rid, number = db.execute("SELECT id, id_number FROM records WHERE id_number IS NOT NULL "
                             "AND length(id_number) = 18 ORDER BY id DESC LIMIT 1").fetchone()
    page = client.get("/records", params={"q": number[:12]})
    ids = _ids(page.text)
    assert rid in ids and number in page.text
    marks = ",".join("?" * len(ids))
    shown = [r[0] for r in db.execute(
        f"SELECT id_number FROM records WHERE id IN ({marks})", ids)]  # noqa: S608
    assert shown and all(n.startswith(number[:12]) for n in shown)


def test_records_of_one_item(client: TestClient, db: Any) -> None:
    sha, n = db.execute("SELECT sha256, count(*) FROM records GROUP BY sha256 "
                        "HAVING count(*) BETWEEN 2 AND 50 ORDER BY 2 DESC LIMIT 1").fetchone()
    page = client.get("/records", params={"sha256": sha})
    ids = [r[0] for r in db.execute("SELECT id FROM records WHERE sha256 = ? ORDER BY id",
                                    (sha,))]
    assert _ids(page.text) == ids and len(ids) == n  # relatives too, for one item


def test_record_page(client: TestClient, db: Any, app: tuple[TestClient, Workbench]) -> None:
    rid, code, title = db.execute(
        "SELECT CAST(substr(subject, 8) AS INTEGER), code, title FROM findings "
        "WHERE subject LIKE 'record:%' ORDER BY id LIMIT 1").fetchone()
    name, number, sha = db.execute("SELECT name, id_number, sha256 FROM records WHERE id = ?",
                                   (rid,)).fetchone()
    claim = db.execute("SELECT id FROM claims WHERE subject = ?", (f"record:{rid}",)).fetchone()
    page = client.get(f"/records/{rid}")
    assert page.status_code == 200
    html = page.text
    assert name in html and number in html
    assert f'href="/items/{sha}"' in html
    assert code in html and title.replace("'", "&#39;") in html
    if claim is not None:
        assert f'href="/claims/{claim[0]}"' in html
    entries = list(iter_audit(db, user="viewer", limit=5))
    assert any(e.action == "view-record" and e.subject == f"record:{rid}" for e in entries)


def test_record_page_shows_claims_and_relatives(client: TestClient, db: Any) -> None:
    rid, cid = db.execute("SELECT CAST(substr(c.subject, 8) AS INTEGER), c.id FROM claims c "
                          "WHERE c.subject LIKE 'record:%' AND EXISTS (SELECT 1 FROM records r "
                          "WHERE r.main_id = CAST(substr(c.subject, 8) AS INTEGER)) "
                          "LIMIT 1").fetchone()
    html = client.get(f"/records/{rid}").text
    assert f'href="/claims/{cid}"' in html
    relative = db.execute("SELECT id, relation FROM records WHERE main_id = ? LIMIT 1",
                          (rid,)).fetchone()
    assert f'href="/records/{relative[0]}"' in html and relative[1] in html
    # and the relative's page names its main person
    back = client.get(f"/records/{relative[0]}").text
    assert f'href="/records/{rid}"' in back


def test_unknown_record_is_404(client: TestClient) -> None:
    assert client.get("/records/987654").status_code == 404
    assert client.get("/records/abc").status_code == 422


def test_records_need_login(web_built: Path) -> None:
    anonymous, _ = app_for(web_built)
    r = anonymous.get("/records", follow_redirects=False)
    assert r.status_code in (303, 401)


def test_leak_text_is_escaped(tmp_path: Path) -> None:
    payload = "<script>alert(1)</script>"
    leak = hostile_roster(tmp_path / "leak", payload)
    with Case.create(tmp_path / "case", actor="test") as case:
        ingest(case, [leak], actor="test")
        extract_case(case, workers=0)
        add_user(case, "viewer", "viewer", PASSWORD, by="test", n=FAST_N)
    client, bench = app_for(tmp_path / "case")
    login(client, "viewer")
    rid = bench.reader().db.execute("SELECT id FROM records WHERE name = ?",
                                    (payload,)).fetchone()[0]
    for url in ("/records", f"/records/{rid}", "/records?q=%3Cscript"):
        html = client.get(url).text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, url
        assert "<script>alert" not in html, url
