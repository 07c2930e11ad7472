"""What the web tests share: a small synthetic case with its stages run and one account of
each role, and a TestClient logged in as one of them."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from fastapi.testclient import TestClient

from scrutiny.case import Case
from scrutiny.checks.run import check_case
from scrutiny.extract.run import extract_case
from scrutiny.ingest import ingest
from scrutiny.ledger.auto import derive_claims
from scrutiny.link.reference import add_reference
from scrutiny.link.run import link_case
from scrutiny.places.register import add_register
from scrutiny.synth.leak import LeakConfig, generate_leak
from scrutiny.web.accounts import add_user
from scrutiny.web.app import create_app
from scrutiny.web.workbench import Workbench

PASSWORD = "a long enough test password"
ROLES = ("viewer", "reviewer", "admin")
FAST_N = 2**12  # a cheaper scrypt for test accounts (real accounts use 2**15)
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def build_case(root: Path, people: int = 60, photos: int = 16, seed: int = 5) -> Path:
    """A case at ``root / "case"`` with every stage run and the accounts ``viewer``,
    ``reviewer`` and ``admin`` (password :data:`PASSWORD`)."""
    generate_leak(root / "synth", LeakConfig(people=people, photos=photos, seed=seed))
    truth = json.loads((root / "synth" / "ground_truth.json").read_text("utf-8"))
    with Case.create(root / "case", actor="test") as case:
        ingest(case, [root / "synth" / "leak"], actor="test")
        extract_case(case, workers=0)
        add_register(case, root / "synth" / "reference" / "facilities.geojson")
        check_case(case, actor="test", settings={"end_date": truth["leak_end"]})
        add_reference(case, "victims", root / "synth" / "reference" / "victims.csv")
        link_case(case, actor="test")
        derive_claims(case, "test")
        for role in ROLES:
            add_user(case, role, role, PASSWORD, by="test", n=FAST_N)
    return root / "case"


def copy_case(built: Path, tmp_path: Path) -> Path:
    shutil.copytree(built, tmp_path / "case")
    return tmp_path / "case"


def app_for(case_root: Path) -> tuple[TestClient, Workbench]:
    bench = Workbench(case_root)
    return TestClient(create_app(bench), base_url="http://127.0.0.1:8765"), bench


def login(client: TestClient, name: str, password: str = PASSWORD) -> str:
    """Log ``client`` in as ``name``; returns the session's CSRF token."""
    page = client.get("/login")
    nonce = CSRF.search(page.text)
    assert nonce, page.text
    r = client.post("/login", data={"name": name, "password": password,
                                    "csrf": nonce.group(1), "next": "/"},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    home = client.get("/")
    token = CSRF.search(home.text)
    assert token, home.text
    return token.group(1)
