"""The verification report: rendered from a synthetic case in real headless Chromium (every
section there, nothing requested from outside, a screenshot), printed to PDF, leak text
escaped, redacted by default, and plain about what was not run."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from scrutiny.case import Case
from scrutiny.checks.run import check_case
from scrutiny.cli import main
from scrutiny.extract.run import extract_case
from scrutiny.ingest import ingest
from scrutiny.ledger.auto import derive_claims
from scrutiny.ledger.store import add_evidence
from scrutiny.link.reference import add_reference
from scrutiny.link.review import judge
from scrutiny.link.run import link_case
from scrutiny.places.register import add_register
from scrutiny.report.build import build_report
from scrutiny.report.pdf import CHROMIUM_FLAGS, chromium
from scrutiny.synth.leak import LeakConfig, generate_leak
from tests.leak_makers import hostile_roster

SECTIONS = ("summary", "images", "records", "places", "documents", "crossref", "ledger",
            "methods", "appendix")
ID18 = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])")
needs_chromium = pytest.mark.skipif(chromium() is None,
                                    reason="Debian's chromium is not installed ('make')")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("report")
    generate_leak(root / "synth", LeakConfig(people=60, photos=16, seed=5))
    truth = json.loads((root / "synth" / "ground_truth.json").read_text("utf-8"))
    with Case.create(root / "case", actor="test") as case:
        ingest(case, [root / "synth" / "leak"], actor="test")
        extract_case(case, workers=0)
        add_register(case, root / "synth" / "reference" / "facilities.geojson")
        check_case(case, actor="test", settings={"end_date": truth["leak_end"]})
        add_reference(case, "victims", root / "synth" / "reference" / "victims.csv")
        run = link_case(case, actor="test")
        first = case.db.execute("SELECT id FROM matches WHERE run_id = ? ORDER BY id LIMIT 1",
                                (run.run_id,)).fetchone()
        if first:
            judge(case, first[0], "accept", "ann", "same birth date and county")
        derive_claims(case, "test")
    return root


@pytest.fixture
def case(built: Path, tmp_path: Path) -> Case:
    shutil.copytree(built / "case", tmp_path / "case")
    return Case.open(tmp_path / "case", writable=True)


def _id_numbers(case: Case) -> set[str]:
    return {r[0] for r in case.db.execute("SELECT id_number FROM records WHERE "
                                          "length(id_number) = 18")}


@needs_chromium
def test_report_renders_in_chromium_with_every_section_and_no_request_out(
        case: Case, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    out, pdf = tmp_path / "report.html", tmp_path / "report.pdf"
    s = build_report(case, out, pdf=pdf, actor="test")
    assert s.sections == {"images": True, "records": True, "places": True, "crossref": True,
                          "ledger": True, "findings": True}
    assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 20_000
    requests: list[str] = []
    dialogs: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium(),
                                    args=[f for f in CHROMIUM_FLAGS if f != "--headless"])
        page = browser.new_page(viewport={"width": 1100, "height": 1400})
        page.on("request", lambda r: requests.append(r.url))
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(out.as_uri())
        for section in SECTIONS:
            loc = page.locator(f"section#{section}")
            assert loc.count() == 1, section
            assert loc.locator("h2").inner_text().strip(), section
        # the figures are inline PNGs that the browser could decode
        sizes = page.eval_on_selector_all(
            "figure img", "els => els.map(e => [e.src.slice(0, 22), e.naturalWidth])")
        assert len(sizes) >= 6
        assert all(src == "data:image/png;base64," and w > 100 for src, w in sizes)
        assert page.locator(".photo img").count() >= 1  # the gallery of flagged photos
        text = page.locator("body").inner_text()
        shot = tmp_path / "report.png"
        page.screenshot(path=str(shot), full_page=True)
        browser.close()
    assert shot.stat().st_size > 50_000
    assert requests == [out.as_uri()], requests  # nothing but the file itself
    assert dialogs == []
    assert "intact" in text and "Merkle root" in text
    assert "corroborated" in text and "IMG-META-001" in text and "REC-ID-001" in text
    ev = [e for e in case.log.tail(3) if e.action == "reported"]
    assert ev and ev[0].details["sha256"] == s.sha256 and ev[0].details["redacted"] is True


def test_report_is_redacted_unless_asked(case: Case, tmp_path: Path) -> None:
    ids = _id_numbers(case)
    assert len(ids) > 50
    build_report(case, tmp_path / "r.html", verify=False)
    text = (tmp_path / "r.html").read_text("utf-8")
    assert not ids & set(ID18.findall(text))
    assert not any(i[:17] in text for i in ids)
    assert "are <strong>redacted</strong>" in text
    births = {r[0] for r in case.db.execute(
        "SELECT r.birth_date FROM records r JOIN findings f ON f.subject = 'record:' || r.id "
        "WHERE r.birth_date LIKE '____-__-__' AND f.explanation LIKE '%' || r.birth_date || '%'")}
    assert births, "the case has findings that state a birth date"
    assert not any(b in text for b in births)
    build_report(case, tmp_path / "open.html", verify=False, redact=False)
    text = (tmp_path / "open.html").read_text("utf-8")
    assert ids & set(ID18.findall(text))  # photo names carry them
    assert "<strong>not redacted</strong>" in text


def test_leak_text_is_escaped(tmp_path: Path) -> None:
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    leak = hostile_roster(tmp_path / "leak", payload)
    with Case.create(tmp_path / "case", actor="test") as case:
        ingest(case, [leak], actor="test")
        extract_case(case, workers=0)
        check_case(case, actor="test")
        derive_claims(case, "test")
        add_evidence(case, 1, "contradicts", "official-statement", payload, by="test")
        build_report(case, tmp_path / "r.html", verify=False)
    html = (tmp_path / "r.html").read_text("utf-8")
    assert "<script" not in html and "<img src=x" not in html  # no live markup
    assert "&lt;script&gt;" in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "default-src 'none'" in html  # and a browser would refuse to run one anyway


def test_report_says_what_was_not_run(tmp_path: Path) -> None:
    with Case.create(tmp_path / "case", actor="test") as case:
        s = build_report(case, tmp_path / "empty.html")
    html = (tmp_path / "empty.html").read_text("utf-8")
    assert not any(s.sections.values())
    for phrase in ("the leak holds no photos", "linkage was not run",
                   "no facility register was imported",
                   "the ledger holds no claims", "the checks were not run"):
        assert phrase.lower() in html.lower(), phrase
    for section in SECTIONS:
        assert f'<section id="{section}">' in html


def test_report_cli(case: Case, tmp_path: Path) -> None:
    root = str(case.paths.root)
    case.close()
    out = tmp_path / "cli.html"
    r = CliRunner().invoke(main, ["report", root, "-o", str(out), "--no-verify"])
    assert r.exit_code == 0, r.output
    assert "report written to" in r.output and out.exists()
    r = CliRunner().invoke(main, ["report", root, "-o", str(tmp_path / "cli.pdf")])
    assert r.exit_code == 2 and "HTML file" in r.output
    r = CliRunner().invoke(main, ["report", root, "-o", str(out), "--no-redact",
                                  "--no-verify"])
    assert r.exit_code == 0 and "--no-redact" in r.output
