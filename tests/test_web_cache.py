"""What the workbench keeps between requests is dropped when the case changes: a value is
stored with the custody head it was computed at, and the least recently used entries go
first."""

from __future__ import annotations

import re
from pathlib import Path

from scrutiny.case import Case
from scrutiny.link.review import judge, list_matches
from scrutiny.web.app import Cache
from tests.web_support import app_for, login


def test_an_entry_stands_for_its_custody_head_only() -> None:
    cache = Cache(2)
    cache.put("a", 5, "A")
    assert cache.get("a", 5) == (True, "A")
    assert cache.get("a", 6) == (False, None)  # the case changed since
    cache.put("b", 5, "B")
    cache.get("a", 5)  # "a" is now the most recently used
    cache.put("c", 5, "C")
    assert cache.get("b", 5) == (False, None)  # the least recently used went
    assert cache.get("a", 5) == (True, "A") and cache.get("c", 5) == (True, "C")


def _pending(html: str) -> int:
    found = re.search(r"<b>([\d,]+)</b>\s*<span class=\"st st-pending\">", html)
    assert found, html[:2000]
    return int(found.group(1).replace(",", ""))


def test_lists_and_counts_follow_a_change_made_elsewhere(web_built: Path) -> None:
    client, _bench = app_for(web_built)
    login(client, "viewer")
    before = client.get("/review").text
    queue = client.get("/review?status=accepted").text
    with Case.open(web_built) as case:
        first = list_matches(case.db, status="pending", limit=1)[0]
    assert f">match {first.id}<" not in queue
    # judged from the command line while the server runs
    with Case.open(web_built, writable=True) as case:
        judge(case, first.id, "accept", "ann", "same father's name and birth date")
    after = client.get("/review").text
    assert _pending(after) == _pending(before) - 1
    assert f">match {first.id}<" in client.get("/review?status=accepted").text
    home = client.get("/").text
    assert re.search(r"1\s*accepted", home), home[:3000]
