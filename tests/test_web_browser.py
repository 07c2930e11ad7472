"""The web workbench in real headless Chromium (Debian's, through Playwright's
``executable_path``): a reviewer logs in, browses to a flagged photo, opens a person record,
judges a match with the keyboard alone, adds evidence to a claim and sees its status change;
an admin uploads a photo whose file name and EXIF fields hold script payloads and nothing of
them runs anywhere it is shown. A screenshot of each page is saved to
``build/screenshots/web/`` (or ``$SCRUTINY_SCREENSHOTS``)."""

from __future__ import annotations

import io
import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from scrutiny.case import Case
from scrutiny.ledger.store import get_claim, iter_claims
from scrutiny.link.review import list_matches
from scrutiny.report.pdf import CHROMIUM_FLAGS, chromium
from scrutiny.web.accounts import iter_audit
from scrutiny.web.app import create_app
from scrutiny.web.workbench import Workbench
from tests.web_support import PASSWORD, copy_case

pytestmark = pytest.mark.skipif(chromium() is None,
                                reason="Debian's chromium is not installed ('make')")
SHOTS = Path(os.environ.get("SCRUTINY_SCREENSHOTS", "build/screenshots/web"))
XSS = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'


@pytest.fixture
def server(web_built: Path, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    import uvicorn

    root = copy_case(web_built, tmp_path)
    bench = Workbench(root)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(create_app(bench), host="127.0.0.1", port=port,
                                        log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(200):
        if srv.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", root
    srv.should_exit = True
    thread.join(10)
    bench.close()


@pytest.fixture
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium(),
                              args=[f for f in CHROMIUM_FLAGS if f != "--headless"])
        yield b
        b.close()


class Watch:
    """What a page did that it must not: requests elsewhere, dialogs, script errors."""

    def __init__(self, page: object, base: str) -> None:
        self.outside: list[str] = []
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        page.on("request", lambda r: None if r.url.startswith((base, "data:"))  # type: ignore[attr-defined]
                else self.outside.append(r.url))
        page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))  # type: ignore[attr-defined]
        page.on("pageerror", lambda e: self.errors.append(str(e)))  # type: ignore[attr-defined]

    def clean(self) -> None:
        assert self.outside == [] and self.dialogs == [] and self.errors == [], \
            (self.outside, self.dialogs, self.errors)


def shot(page: object, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
    assert path.stat().st_size > 10_000


def log_in(page: object, base: str, name: str) -> None:
    page.goto(base + "/")  # type: ignore[attr-defined]
    assert "/login" in page.url  # type: ignore[attr-defined]
    page.fill("input[name=name]", name)  # type: ignore[attr-defined]
    page.fill("input[name=password]", PASSWORD)  # type: ignore[attr-defined]
    page.click("button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_url(base + "/")  # type: ignore[attr-defined]


def test_a_reviewer_works_through_the_case(server: tuple[str, Path], browser: object) -> None:
    base, root = server
    page = browser.new_page(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    watch = Watch(page, base)
    page.goto(base + "/login")
    shot(page, "01-login")
    log_in(page, base, "reviewer")
    assert "Case overview" in page.inner_text("main")
    shot(page, "02-overview")

    # browse to a flagged photo
    page.goto(base + "/evidence?kind=image&severity=warning")
    shot(page, "03-evidence")
    page.locator("main a[href^='/items/']").first.click()
    page.wait_for_url(f"{base}/items/*")
    text = page.inner_text("main")
    assert "IMG-" in text  # its findings, by code
    preview = page.locator("img[src$='/preview']").first
    preview.wait_for()
    assert page.evaluate("img => img.complete && img.naturalWidth", preview.element_handle()) > 0
    shot(page, "04-item")

    # find a person by a two-character start of their name, typed (htmx updates the list
    # as one types, under the CSP: no inline script, no eval)
    with Case.open(root) as case:
        name = case.db.execute("SELECT name FROM records WHERE relation = '' AND "
                               "length(name) >= 2 ORDER BY id DESC LIMIT 1").fetchone()[0]
    page.goto(base + "/records")
    first_shown = page.locator("#results table a[href^='/records/']").first.inner_text()
    page.locator("main input[name=q]").type(name[:2], delay=50)
    page.wait_for_url(re.compile(r"/records\?.*q="))  # htmx pushed the search to the address
    page.wait_for_function("n => document.querySelector('#results a[href^=\"/records/\"]')"
                           " && document.querySelector('#results a[href^=\"/records/\"]')"
                           ".textContent.startsWith(n)", arg=name[:2])
    shown = page.locator("#results table a[href^='/records/']").all_inner_texts()
    assert shown and all(n.startswith(name[:2]) for n in shown), shown
    assert first_shown != shown[0] or first_shown.startswith(name[:2])
    shot(page, "05-records")
    page.locator("main table a[href^='/records/']").first.click()
    page.wait_for_url(f"{base}/records/*")
    record_id = page.url.rsplit("/", 1)[1]
    assert page.locator("main").inner_text().strip()
    shot(page, "06-record")

    # judge a match with the keyboard alone
    with Case.open(root) as case:
        pending = list_matches(case.db, status="pending", limit=2)
    assert pending, "the case has matches to review"
    page.goto(base + "/review")
    shot(page, "07-review-queue")
    page.goto(f"{base}/review/{pending[0].id}")
    shot(page, "08-match")
    page.keyboard.press("e")  # to the reason
    page.keyboard.type("same birth date, county and father's name")
    page.keyboard.press("Escape")
    page.keyboard.press("a")  # accept
    page.wait_for_url(re.compile(rf"/review.*[?&]judged={pending[0].id}\b"))
    shot(page, "09-after-judging")
    with Case.open(root) as case:
        judged = [m for m in list_matches(case.db, status="accepted", limit=None)
                  if m.id == pending[0].id]
        audit = [(e.action, e.subject) for e in iter_audit(case.db, user="reviewer")]
    assert judged and judged[0].judgement is not None
    assert judged[0].judgement.by == "reviewer"
    assert ("view-record", f"record:{record_id}") in audit
    assert any(a == "judge" for a, _ in audit)

    # add evidence to a single-source claim and see its status change
    with Case.open(root) as case:
        claim = next(iter_claims(case.db, status="single-source", kind="person"))
    page.goto(f"{base}/ledger")
    shot(page, "10-ledger")
    page.goto(f"{base}/claims/{claim.id}")
    assert "single-source" in page.inner_text("main")
    form = page.locator("form[action$='/evidence']")
    form.locator("select[name=stance]").select_option("supports")
    form.locator("select[name=source_type]").select_option("phone-confirmation")
    form.locator("input[name=origin]").fill("call with the person's sister, 2026-11-30")
    independent = form.locator("input[name=independent]")
    if not independent.is_checked():
        independent.check()
    form.locator("input[type=file]").set_input_files(
        files=[{"name": "call-notes.txt", "mimeType": "text/plain",
                "buffer": b"notes of the call, kept by the reporter"}])
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"{base}/claims/{claim.id}*")
    assert "corroborated" in page.inner_text("main")
    shot(page, "11-claim-after-evidence")
    with Case.open(root) as case:
        assert get_claim(case.db, claim.id).status.name == "corroborated"

    page.goto(f"{base}/report")
    shot(page, "12-report-and-exports")
    watch.clean()


def _hostile_photo() -> bytes:
    import piexif
    from PIL import Image

    img = Image.new("RGB", (64, 48), (120, 80, 40))
    exif = piexif.dump({"0th": {piexif.ImageIFD.Make: XSS.encode(),
                                piexif.ImageIFD.Model: XSS.encode(),
                                piexif.ImageIFD.ImageDescription: XSS.encode(),
                                piexif.ImageIFD.Artist: XSS.encode()}})
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_script_in_a_file_name_and_exif_never_runs(server: tuple[str, Path],
                                                   browser: object) -> None:
    base, root = server
    page = browser.new_page(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    watch = Watch(page, base)
    log_in(page, base, "admin")
    page.goto(base + "/admin/ingest")
    shot(page, "13-ingest")
    name = f'{XSS}.jpg'.replace("/", "_")
    page.locator("input[type=file]").set_input_files(
        files=[{"name": name, "mimeType": "image/jpeg", "buffer": _hostile_photo()}])
    page.locator("form[action='/admin/ingest'] button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.__pwned") is None  # the page saying what was stored
    shot(page, "14-ingested")
    with Case.open(root) as case:
        sha = case.db.execute("SELECT sha256 FROM provenances WHERE source LIKE "
                              "'%__pwned%' ORDER BY id DESC LIMIT 1").fetchone()
        before = case.db.execute("SELECT max(sha256) FROM items WHERE mime LIKE 'image/%' "
                                 "AND sha256 < ?", (sha[0],)).fetchone()[0] if sha else None
        meta = case.db.execute("SELECT count(*) FROM metadata WHERE value LIKE "
                               "'%__pwned%'").fetchone()[0]
    assert sha, "the upload was stored under its name"
    assert meta >= 1, "its EXIF fields were extracted"
    listing = "/evidence?kind=image" + (f"&after={before}" if before else "")
    for url in (f"/items/{sha[0]}", listing):
        page.goto(base + url)
        page.wait_for_load_state("networkidle")
        assert "window.__pwned" in page.inner_text("body"), url  # shown, as text
        assert page.evaluate("window.__pwned") is None, url  # and never run
    shot(page, "15-hostile-item")
    watch.clean()
