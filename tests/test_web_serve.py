"""Starting the workbench: an encrypted case is served with the passphrase given once at
start (and refused with a wrong one); 'scrutiny serve' refuses a case without accounts."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from scrutiny.case import Case
from scrutiny.core import ScrutinyError
from scrutiny.extract.run import extract_case
from scrutiny.ingest import ingest
from scrutiny.synth.leak import LeakConfig, generate_leak
from scrutiny.web.accounts import add_user
from scrutiny.web.app import create_app
from scrutiny.web.workbench import Workbench
from tests.conftest import PASSPHRASE, fast_kdf, run_cli
from tests.web_support import FAST_N, PASSWORD, login


def test_an_encrypted_case_is_served_with_its_passphrase(tmp_path: Path) -> None:
    generate_leak(tmp_path / "synth", LeakConfig(people=12, photos=2, seed=3))
    with Case.create(tmp_path / "case", encrypt=True, passphrase=PASSPHRASE, actor="test",
                     kdf=fast_kdf()) as case:
        ingest(case, [tmp_path / "synth" / "leak"], actor="test")
        extract_case(case, workers=0)
        add_user(case, "ana", "reviewer", PASSWORD, by="test", n=FAST_N)
        name, rid = case.db.execute("SELECT name, id FROM records WHERE name IS NOT NULL "
                                    "LIMIT 1").fetchone()
    with pytest.raises(ScrutinyError):
        Workbench(tmp_path / "case", passphrase="not the passphrase")
    with pytest.raises(ScrutinyError):
        Workbench(tmp_path / "case")  # no passphrase at all
    bench = Workbench(tmp_path / "case", passphrase=lambda: PASSPHRASE)
    client = TestClient(create_app(bench), base_url="http://127.0.0.1:8765")
    login(client, "ana")
    home = client.get("/")
    assert home.status_code == 200 and "encrypted at rest" in home.text
    record = client.get(f"/records/{rid}")
    assert record.status_code == 200 and name in record.text
    # the catalog on disk stays unreadable without the key
    assert name.encode("utf-8") not in (tmp_path / "case" / "case.db").read_bytes()


def test_serve_refuses_a_case_without_accounts(tmp_path: Path) -> None:
    Case.create(tmp_path / "case", actor="test").close()
    r = run_cli("serve", str(tmp_path / "case"), "--port", "1")
    assert r.returncode == 2
    assert "no accounts yet" in r.stderr and "scrutiny user add" in r.stderr
