"""DESIGN §6: no network calls anywhere in the package."""

from __future__ import annotations

import ast
import socket
from pathlib import Path

import pytest

import scrutiny
from scrutiny.case import Case
from scrutiny.ingest import ingest
from scrutiny.store.integrity import verify_case
from scrutiny.synth.sample import write_sample_folder

NETWORK_MODULES = {"socket", "http", "urllib", "requests", "httpx", "aiohttp", "ftplib",
                   "smtplib", "ssl", "xmlrpc", "urllib3", "websockets"}
# URL quoting and splitting are string functions; they open nothing.
ALLOWED_MODULES = {"urllib.parse"}
# The web workbench listens (on loopback by default, 'scrutiny serve' through uvicorn) and
# connects nowhere; no directory is exempt.
ALLOWED_DIRS: set[str] = set()


def test_no_module_imports_a_network_library() -> None:
    root = Path(scrutiny.__file__).parent
    offenders = []
    for path in root.rglob("*.py"):
        if path.relative_to(root).parts[0] in ALLOWED_DIRS:
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.relative_to(root)}: {n}" for n in names
                          if n.split(".")[0] in NETWORK_MODULES and n not in ALLOWED_MODULES]
    assert offenders == []


def test_a_whole_ingest_opens_no_socket(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    attempts: list[object] = []

    def refuse(self: socket.socket, address: object) -> None:
        attempts.append(address)
        raise OSError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: attempts.append(a) or [])
    leak = write_sample_folder(tmp_path / "leak", photos=4)
    with Case.create(tmp_path / "case", encrypt=True, passphrase="p" * 12) as c:
        ingest(c, [leak])
        assert verify_case(c.blobs, c.log, c.db).intact
    assert attempts == []


def test_the_web_workbench_listens_on_loopback_by_default() -> None:
    from scrutiny.cli import main

    host = next(p for p in main.commands["serve"].params if p.name == "host")
    assert host.default == "127.0.0.1"
