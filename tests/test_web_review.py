"""The workbench's match review: the queue (statuses, counts, pages), a match side by side
with the engine's explanation, and judging (a reviewer's judgement is stored and audited
and leads to the next pending match; a viewer, a form without the CSRF token or a bad
decision changes nothing)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from scrutiny.link.review import get_match, judgement_history, list_matches, next_pending
from scrutiny.web.accounts import iter_audit
from scrutiny.web.pages import review
from scrutiny.web.workbench import Workbench
from tests.web_support import app_for, copy_case, login

MATCH_LINK = re.compile(r'href="/review/(\d+)">match')
NEXT = re.compile(r'href="([^"]+)" rel="next"')


@pytest.fixture()
def site(web_built: Path, tmp_path: Path) -> Iterator[tuple[TestClient, Workbench]]:
    """A copy of the case, for tests that judge."""
    client, bench = app_for(copy_case(web_built, tmp_path))
    yield client, bench


@pytest.fixture(scope="module")
def shared(web_built: Path) -> Iterator[tuple[TestClient, Workbench]]:
    """The web_built case itself, for tests that only read."""
    client, bench = app_for(web_built)
    yield client, bench


def _db(bench: Workbench) -> Any:
    return bench.reader().db


def _judgements(bench: Workbench) -> int:
    return int(_db(bench).execute("SELECT count(*) FROM judgements").fetchone()[0])


def test_queue_lists_pending_most_probable_first(shared: tuple[TestClient, Workbench]
                                                 ) -> None:
    client, bench = shared
    login(client, "viewer")
    page = client.get("/review")
    assert page.status_code == 200
    expected = [m.id for m in list_matches(_db(bench), status="pending", limit=50)]
    assert expected and [int(x) for x in MATCH_LINK.findall(page.text)] == expected
    top = get_match(_db(bench), expected[0])
    assert (top.left.name or "") in page.text and (top.right.name or "") in page.text
    assert f"<b>{len(expected)}</b>" in page.text  # the pending count
    assert client.get("/review?status=nonsense").status_code == 400


def test_queue_pages(shared: tuple[TestClient, Workbench],
                     monkeypatch: pytest.MonkeyPatch) -> None:
    client, bench = shared
    login(client, "viewer")
    monkeypatch.setattr(review, "PAGE", 5)
    first = client.get("/review?status=all")
    ids1 = [int(x) for x in MATCH_LINK.findall(first.text)]
    assert len(ids1) == 5
    nxt = NEXT.search(first.text)
    assert nxt and "offset=5" in nxt.group(1)
    second = client.get(nxt.group(1).replace("&amp;", "&"))
    ids2 = [int(x) for x in MATCH_LINK.findall(second.text)]
    assert ids2 and set(ids1).isdisjoint(ids2)
    assert ids1 + ids2 == [m.id for m in list_matches(_db(bench), limit=10)]


def test_match_page_for_a_reviewer(shared: tuple[TestClient, Workbench]) -> None:
    client, bench = shared
    login(client, "reviewer")
    m = list_matches(_db(bench), status="pending", limit=1)[0]
    html = client.get(f"/review/{m.id}").text
    assert (m.left.name or "") in html and (m.right.name or "") in html
    assert m.left.id_number and m.left.id_number in html
    assert isinstance(m.explanation, list)
    for item in m.explanation:
        assert f"<td>{item['comparison']}</td>" in html
        assert item["level"].replace("'", "&#39;") in html
    assert "Bayes factor" in html
    for key, decision in (("a", "accept"), ("r", "reject"), ("u", "unsure")):
        assert f'name="decision" value="{decision}"' in html
        assert f'data-key="{key}"' in html and f"<kbd>{key}</kbd>" in html
    assert re.search(r'<textarea name="reason"[^>]*required[^>]*data-key="e"', html)
    following = next_pending(_db(bench), m.id)
    assert f'href="/review/{following}" data-key="n"' in html
    entries = list(iter_audit(_db(bench), user="reviewer", limit=5))
    assert any(e.action == "view-match" and e.subject == f"match:{m.id}" for e in entries)


def test_match_page_for_a_viewer_has_no_form(shared: tuple[TestClient, Workbench]) -> None:
    client, bench = shared
    login(client, "viewer")
    m = list_matches(_db(bench), limit=1)[0]
    html = client.get(f"/review/{m.id}").text
    assert (m.left.name or "") in html
    assert 'name="decision"' not in html and 'name="reason"' not in html
    assert client.get("/review/987654").status_code == 404


def test_a_reviewer_judges_and_moves_on(site: tuple[TestClient, Workbench]) -> None:
    client, bench = site
    csrf = login(client, "reviewer")
    queue = [m.id for m in list_matches(_db(bench), status="pending", limit=None)]
    first, second = queue[0], queue[1]
    r = client.post(f"/review/{first}", data={"decision": "accept", "reason": "same ID <b>",
                                              "csrf": csrf}, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == f"/review/{second}?judged={first}"
    assert get_match(_db(bench), first).status == "accepted"
    history = judgement_history(_db(bench), get_match(_db(bench), first).pair)
    assert [(j.decision, j.by, j.reason) for j in history] == [("accept", "reviewer",
                                                                "same ID <b>")]
    audit = [e for e in iter_audit(_db(bench), user="reviewer", limit=10) if e.action == "judge"]
    assert audit and audit[0].subject == f"match:{first}"
    assert audit[0].details == {"decision": "accept", "reason": "same ID <b>"}
    page = client.get(r.headers["location"])
    assert f"Match {first} judged: accepted" in page.text
    accepted = client.get("/review?status=accepted").text
    assert [int(x) for x in MATCH_LINK.findall(accepted)] == [first]
    assert first not in [int(x) for x in MATCH_LINK.findall(client.get("/review").text)]
    # the match page shows the history, and a new judgement supersedes the old one
    assert "same ID &lt;b&gt;" in client.get(f"/review/{first}").text
    r = client.post(f"/review/{first}", data={"decision": "reject", "reason": "on reflection",
                                              "csrf": csrf}, follow_redirects=False)
    assert r.status_code == 303 and get_match(_db(bench), first).status == "rejected"
    assert len(judgement_history(_db(bench), get_match(_db(bench), first).pair)) == 2


def test_the_last_pending_judgement_returns_to_the_queue(site: tuple[TestClient, Workbench]
                                                         ) -> None:
    client, bench = site
    csrf = login(client, "reviewer")
    queue = [m.id for m in list_matches(_db(bench), status="pending", limit=None)]
    last = None
    for mid in queue:
        last = client.post(f"/review/{mid}", data={"decision": "unsure", "reason": "can't tell",
                                                   "csrf": csrf}, follow_redirects=False)
        assert last.status_code == 303
    assert last is not None
    assert last.headers["location"] == f"/review?status=pending&judged={queue[-1]}"
    page = client.get(last.headers["location"])
    assert f"Match {queue[-1]} judged: unsure" in page.text
    assert MATCH_LINK.findall(page.text) == []


def test_a_viewer_cannot_judge(site: tuple[TestClient, Workbench]) -> None:
    client, bench = site
    csrf = login(client, "viewer")
    mid = list_matches(_db(bench), limit=1)[0].id
    r = client.post(f"/review/{mid}", data={"decision": "accept", "reason": "x",
                                            "csrf": csrf}, follow_redirects=False)
    assert r.status_code == 403
    assert _judgements(bench) == 0


def test_a_judgement_without_the_csrf_token_is_refused(site: tuple[TestClient, Workbench]
                                                       ) -> None:
    client, bench = site
    login(client, "reviewer")
    mid = list_matches(_db(bench), limit=1)[0].id
    for data in ({"decision": "accept", "reason": "x"},
                 {"decision": "accept", "reason": "x", "csrf": "forged"}):
        assert client.post(f"/review/{mid}", data=data,
                           follow_redirects=False).status_code == 403
    assert _judgements(bench) == 0


@pytest.mark.parametrize("data", [{"decision": "approve", "reason": "x"},
                                  {"decision": "accept", "reason": "   "},
                                  {"decision": "accept"},
                                  {"decision": "accept", "reason": "x" * 2001}])
def test_a_bad_judgement_is_refused(site: tuple[TestClient, Workbench],
                                    data: dict[str, str]) -> None:
    client, bench = site
    csrf = login(client, "reviewer")
    mid = list_matches(_db(bench), limit=1)[0].id
    r = client.post(f"/review/{mid}", data={**data, "csrf": csrf}, follow_redirects=False)
    assert r.status_code in (400, 422)
    assert _judgements(bench) == 0
