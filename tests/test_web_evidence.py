"""The evidence browser, the item page, previews, downloads and search of the workbench."""

from __future__ import annotations

import hashlib
import io
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from scrutiny.case import Case
from scrutiny.extract.run import extract_case
from scrutiny.ingest import ingest
from scrutiny.web.accounts import add_user, iter_audit
from scrutiny.web.app import create_app
from scrutiny.web.pages import evidence as evidence_page
from scrutiny.web.workbench import Workbench
from tests.web_support import PASSWORD, app_for, login

ITEM = re.compile(r'href="/items/([0-9a-f]{64})"')
NEXT = re.compile(r'href="([^"]+)" rel="next"')


@pytest.fixture(scope="module")
def site(web_built: Path) -> Iterator[tuple[TestClient, Workbench]]:
    client, bench = app_for(web_built)
    login(client, "viewer")
    yield client, bench
    # not bench.close(): its readers belong to the server's threads


def listed(html: str) -> list[str]:
    return list(dict.fromkeys(ITEM.findall(html)))


def db_of(bench: Workbench) -> Any:
    """A connection of this test's own to the (unencrypted) catalog, for checking pages."""
    db = sqlite3.connect(f"file:{bench.root / 'case.db'}?mode=ro", uri=True)
    return db


def test_list_pages_through_every_item(site: tuple[TestClient, Workbench],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    client, bench = site
    monkeypatch.setattr(evidence_page, "PAGE", 10)
    first = client.get("/evidence")
    assert first.status_code == 200
    page1 = listed(first.text)
    assert len(page1) == 10
    seen = list(page1)
    url = NEXT.search(first.text)
    assert url is not None
    second = client.get(url.group(1).replace("&amp;", "&"))
    assert second.status_code == 200
    page2 = listed(second.text)
    assert page2 and not set(page2) & set(page1)
    assert "first page" in second.text
    while (url := NEXT.search(second.text)) is not None:
        seen += listed(second.text)
        second = client.get(url.group(1).replace("&amp;", "&"))
    seen += listed(second.text)
    total = db_of(bench).execute("SELECT count(*) FROM items").fetchone()[0]
    assert len(seen) == len(set(seen)) == total
    assert seen == sorted(seen)


def test_severity_filter_lists_only_flagged_items(site: tuple[TestClient, Workbench]) -> None:
    client, bench = site
    r = client.get("/evidence?severity=warning")
    assert r.status_code == 200
    flagged = {row[0] for row in db_of(bench).execute(
        "SELECT DISTINCT f.subject FROM findings f JOIN items i ON i.sha256 = f.subject "
        "WHERE f.severity >= 2")}
    assert flagged and set(listed(r.text)) == flagged
    assert len(listed(client.get("/evidence").text)) > len(flagged)
    code = client.get("/evidence?code=img-pix")
    pix = {row[0] for row in db_of(bench).execute(
        "SELECT subject FROM findings WHERE code LIKE 'IMG-PIX%'")}
    assert pix and set(listed(code.text)) == pix
    assert client.get("/evidence?severity=dreadful").status_code == 422


def test_kind_mime_and_origin_filters(site: tuple[TestClient, Workbench]) -> None:
    client, bench = site
    db = db_of(bench)
    images = {r[0] for r in db.execute("SELECT sha256 FROM items WHERE mime LIKE 'image/%'")}
    assert images and set(listed(client.get("/evidence?kind=image").text)) == images
    assert set(listed(client.get("/evidence?mime=image%2Fjpeg").text)) == images
    tables = set(listed(client.get("/evidence?kind=table").text))
    assert tables and not tables & images
    not_leak = {r[0] for r in db.execute(
        "SELECT sha256 FROM provenances p JOIN runs r ON r.id = p.run_id "
        "WHERE r.kind IN ('reference', 'evidence')")}
    everything = set(listed(client.get("/evidence?origin=all").text))
    leak = set(listed(client.get("/evidence?origin=leak").text))
    assert not_leak and not_leak <= everything and not leak & not_leak
    assert leak | not_leak == everything


def test_item_page_of_a_flagged_photo(site: tuple[TestClient, Workbench]) -> None:
    client, bench = site
    db = db_of(bench)
    sha, kind, check = db.execute("SELECT source, kind, check_code FROM derived "
                                  "ORDER BY source LIMIT 1").fetchone()
    page = client.get(f"/items/{sha}")
    assert page.status_code == 200
    assert check in page.text and "Where it came from" in page.text
    derived = f"/items/{sha}/derived/{kind}/{check}"
    assert f'src="{derived}"' in page.text
    assert f'src="/items/{sha}/preview"' in page.text
    records = db.execute("SELECT count(*) FROM records r JOIN extractions e ON "
                         "e.id = r.extraction_id WHERE e.sha256 = ?", (sha,)).fetchone()[0]
    if records:
        assert f"/records?sha256={sha}" in page.text
    for url in (derived, f"/items/{sha}/preview"):
        image = client.get(url)
        assert image.status_code == 200
        assert image.headers["content-type"] in ("image/png", "image/jpeg")
        assert image.headers["cache-control"] == "private, max-age=3600"
        with Image.open(io.BytesIO(image.content)) as pic:
            pic.load()
            assert max(pic.size) <= 1200
    assert client.get(f"/items/{sha}/derived/no-such-map/{check}").status_code == 404


def test_preview_of_a_non_image_is_404(site: tuple[TestClient, Workbench]) -> None:
    client, bench = site
    sha = db_of(bench).execute("SELECT sha256 FROM items WHERE mime = 'text/plain'"
                               ).fetchone()[0]
    assert client.get(f"/items/{sha}/preview").status_code == 404
    page = client.get(f"/items/{sha}")
    assert page.status_code == 200 and 'class="text"' in page.text


def test_download_is_an_audited_attachment(site: tuple[TestClient, Workbench]) -> None:
    client, bench = site
    sha = db_of(bench).execute("SELECT sha256 FROM items WHERE mime = 'image/jpeg' "
                               "LIMIT 1").fetchone()[0]
    r = client.get(f"/items/{sha}/download")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/octet-stream"
    assert r.headers["content-disposition"] == f'attachment; filename="{sha[:16]}.jpg"'
    assert hashlib.sha256(r.content).hexdigest() == sha
    entries = list(iter_audit(db_of(bench), user="viewer", limit=20))
    assert any(e.action == "download" and e.subject == f"item:{sha}" for e in entries)


def test_unknown_and_malformed_items(site: tuple[TestClient, Workbench]) -> None:
    client, _ = site
    for sha in ("0" * 64, "not-a-hash", "A" * 64):
        for tail in ("", "/preview", "/download"):
            assert client.get(f"/items/{sha}{tail}").status_code in (404, 422)
    assert client.get("/evidence?after=zz").status_code == 422


def test_search_finds_a_two_character_name(site: tuple[TestClient, Workbench]) -> None:
    client, bench = site
    db = db_of(bench)
    row = db.execute("SELECT name FROM records WHERE length(name) = 2 LIMIT 1").fetchone()
    name = row[0] if row else db.execute(
        "SELECT substr(name, 1, 2) FROM records WHERE name IS NOT NULL LIMIT 1").fetchone()[0]
    r = client.get("/search", params={"q": name})
    assert r.status_code == 200
    shas = {s for (s,) in db.execute("SELECT sha256 FROM records WHERE name LIKE ? || '%'",
                                     (name,))}
    assert set(listed(r.text)) & shas
    assert name in r.text
    assert client.get("/search").status_code == 200
    assert client.get("/search", params={"q": "x" * 201}).status_code == 422


def test_pages_need_a_login(site: tuple[TestClient, Workbench]) -> None:
    _, bench = site
    anonymous = TestClient(create_app(bench), base_url="http://127.0.0.1:8765")
    r = anonymous.get("/evidence", follow_redirects=False, headers={"accept": "text/html"})
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    assert anonymous.get("/search?q=x", headers={"accept": "*/*"}).status_code == 401


def test_hostile_names_and_text_are_escaped(tmp_path: Path) -> None:
    folder = tmp_path / "in" / "<script>alert(1)<"
    folder.mkdir(parents=True)
    (folder / "script>.txt").write_text(
        "Notes from the camp\n<img src=x onerror=alert(1)>\n", "utf-8")
    with Case.create(tmp_path / "case", actor="test") as case:
        ingest(case, [tmp_path / "in"], actor="test")
        extract_case(case, workers=0)
        add_user(case, "admin", "admin", PASSWORD, by="test", n=2**12)
    client, bench = app_for(tmp_path / "case")
    login(client, "admin")
    sha = db_of(bench).execute("SELECT sha256 FROM items").fetchone()[0]
    pages = [client.get("/evidence"), client.get(f"/items/{sha}"),
             client.get("/search", params={"q": "onerror"})]
    for page in pages:
        assert page.status_code == 200
        assert "&lt;script&gt;" in page.text
        assert "<script>alert" not in page.text and "<img src=x" not in page.text
    assert "&lt;img src=x onerror=alert(1)&gt;" in pages[1].text
    assert "[onerror]" in pages[2].text
