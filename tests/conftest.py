from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scrutiny.case import Case
from scrutiny.store.crypto import KdfParams

# Tests use a cheaper scrypt cost than real cases so they stay fast; the CLI tests use the
# real default.
FAST_KDF_N = 2**12
PASSPHRASE = "correct horse battery staple"


def fast_kdf() -> KdfParams:
    return KdfParams(salt=os.urandom(16), n=FAST_KDF_N)


@pytest.fixture
def case(tmp_path: Path) -> Iterator[Case]:
    c = Case.create(tmp_path / "case", actor="test")
    yield c
    c.close()


@pytest.fixture
def encrypted_case(tmp_path: Path) -> Iterator[Case]:
    c = Case.create(tmp_path / "case", encrypt=True, passphrase=PASSPHRASE, actor="test",
                    kdf=fast_kdf())
    yield c
    c.close()


def run_cli(*args: str, env: dict[str, str] | None = None, check: bool = False,
            input: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real ``scrutiny`` command in a subprocess."""
    full_env = {**os.environ, "COLUMNS": "200", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "scrutiny.cli", *args], capture_output=True, text=True,
        env=full_env, check=check, input=input, timeout=300)


@pytest.fixture(scope="session")
def web_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small synthetic case with every stage run and an account per role
    (``tests.web_support.build_case``), built once per session. Web tests never serve it
    itself: they work on copies (``web_built``, ``web_site``)."""
    from tests.web_support import build_case

    return build_case(tmp_path_factory.mktemp("web-template"))


@pytest.fixture(scope="module")
def web_built(web_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the web template case for one test module."""
    from tests.web_support import copy_case

    return copy_case(web_template, tmp_path_factory.mktemp("web"))


@pytest.fixture
def web_site(web_template: Path, tmp_path: Path) -> Iterator[tuple[Any, Path]]:
    """A copy of the web template case for one test, and a TestClient of the workbench
    over it: (client, case folder)."""
    from tests.web_support import app_for, copy_case

    root = copy_case(web_template, tmp_path)
    client, bench = app_for(root)
    yield client, root
    bench.close()
