from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

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
