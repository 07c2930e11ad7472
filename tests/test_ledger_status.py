"""The ledger's status rule: every case of it, independence by origin, and the SQL version
(used to count and filter a million claims) giving the same answers as the Python one."""

from __future__ import annotations

import random

import pytest

from scrutiny.case import Case
from scrutiny.ledger.model import (
    LEAK_SOURCE,
    EvidenceVersion,
    default_independent,
    derive_status,
    parse_partial_date,
    source_key,
)
from scrutiny.ledger.store import (
    add_claim,
    add_evidence,
    get_claim,
    iter_claims,
    status_counts,
    withdraw_evidence,
)

_N = iter(range(1, 10_000))


def ev(stance: str = "supports", source_type: str = "relative-testimony",
       origin: str = "interview with the daughter", independent: bool | None = None,
       withdrawn: bool = False) -> EvidenceVersion:
    indep = default_independent(source_type) if independent is None else independent
    return EvidenceVersion(next(_N), stance, source_type, origin, indep,  # type: ignore[arg-type]
                           None, None, None, None, None, None, withdrawn, None, "t", "test")


LEAK_ROW = dict(source_type="leaked-record", origin="the leak: roster.xlsx row:4")


def test_nothing_is_unverified() -> None:
    st = derive_status([])
    assert st.name == "unverified" and st.supporting == () and "no evidence" in st.reasoning


def test_the_leak_alone_is_a_single_source() -> None:
    st = derive_status([ev(**LEAK_ROW)])
    assert st.name == "single-source"
    assert st.supporting == (LEAK_SOURCE,)
    assert "nothing independent of the leak" in st.reasoning


def test_many_leak_items_are_still_one_source() -> None:
    """A row, a photo named by the person's ID and a media report built on the leak: all
    not independent of the leak, so one source however many."""
    st = derive_status([
        ev(**LEAK_ROW),
        ev(source_type="leaked-record", origin="the leak: photo 6532….jpg"),
        ev(source_type="media-report", origin="newspaper story on the leak", independent=False),
    ])
    assert st.name == "single-source" and st.supporting == (LEAK_SOURCE,)
    assert "3 items" in st.reasoning


def test_leak_and_an_independent_source_corroborate() -> None:
    st = derive_status([ev(**LEAK_ROW), ev(source_type="phone-confirmation",
                                           origin="call to the village committee")])
    assert st.name == "corroborated"
    assert set(st.supporting) == {LEAK_SOURCE, "call to the village committee"}
    assert "2 sources independent of each other" in st.reasoning


def test_two_items_of_one_origin_never_count_as_independent() -> None:
    st = derive_status([
        ev(origin="Interview with the daughter"),
        ev(source_type="phone-confirmation", origin="  interview   WITH the daughter "),
    ])
    assert st.name == "single-source"
    assert len(st.supporting) == 1
    assert "count as one source" in st.reasoning


def test_two_independent_origins_corroborate_without_the_leak() -> None:
    st = derive_status([ev(origin="the daughter"), ev(source_type="satellite-imagery",
                                                      origin="Planet Labs 2019-04-02")])
    assert st.name == "corroborated" and LEAK_SOURCE not in st.supporting


@pytest.mark.parametrize("supporting", [0, 1, 3])
def test_any_contradicting_source_contests(supporting: int) -> None:
    items = [ev(origin=f"witness {i}") for i in range(supporting)]
    items.append(ev("contradicts", "official-statement", "regional government statement"))
    st = derive_status(items)
    assert st.name == "contested"
    assert st.contradicting == ("regional government statement",)
    assert ("nothing supports it" in st.reasoning) == (supporting == 0)


def test_a_source_contradicting_itself_is_named() -> None:
    st = derive_status([ev(origin="the neighbour"), ev("contradicts", origin="The Neighbour")])
    assert st.name == "contested"
    assert "the same source both supports and contradicts" in st.reasoning


def test_withdrawn_evidence_counts_for_nothing() -> None:
    st = derive_status([ev(**LEAK_ROW), ev("contradicts", "official-statement", "statement",
                                           withdrawn=True)])
    assert st.name == "single-source" and st.withdrawn == 1 and st.counted == 1
    assert "1 withdrawn item not counted" in st.reasoning


def test_default_independence_and_source_keys() -> None:
    assert default_independent("leaked-record") is False
    assert all(default_independent(t) for t in ("relative-testimony", "official-statement",
                                                 "reference-database", "other"))
    assert source_key("Anything at all", False) == LEAK_SOURCE
    assert source_key(" Call\tto  Mother ", True) == "call to mother"


@pytest.mark.parametrize(("text", "ok"), [
    ("2018", "2018"), ("2018-03", "2018-03"), ("2018-03-31", "2018-03-31"), ("", None),
    (None, None), ("2018-02-30", ValueError), ("2018-13", ValueError), ("March 2018", ValueError),
    ("18-03-01", ValueError)])
def test_partial_dates(text: str | None, ok: object) -> None:
    if ok is ValueError:
        with pytest.raises(ValueError):
            parse_partial_date(text)
    else:
        assert parse_partial_date(text) == ok


def test_sql_status_agrees_with_the_rule(case: Case) -> None:
    """Random ledgers: the counts and the status filter (SQL) equal derive_status (Python)
    claim by claim, withdrawals and mixed-case origins included."""
    rng = random.Random(11)
    origins = ["the daughter", "The Daughter", "call to uncle", "Planet Labs", "official"]
    types = ["leaked-record", "relative-testimony", "phone-confirmation", "official-statement"]
    for i in range(60):
        claim = add_claim(case, "event", f"event {i}", by="test")
        for _ in range(rng.randrange(0, 5)):
            e = add_evidence(case, claim.id, rng.choice(["supports", "supports", "contradicts"]),
                             rng.choice(types), rng.choice(origins), by="test",
                             independent=rng.choice([None, True, False]))
            if rng.random() < 0.2:
                withdraw_evidence(case, e.id, by="test", reason="mistaken")
    claims = [get_claim(case.db, i) for i in range(1, 61)]
    expected: dict[str, int] = {}
    for c in claims:
        expected[c.status.name] = expected.get(c.status.name, 0) + 1
    counts = status_counts(case.db)
    assert {k: v for k, v in counts.items() if v} == expected
    assert len([v for v in expected.values() if v]) >= 3  # the random ledger is varied
    for name in counts:
        got = {c.id for c in iter_claims(case.db, status=name)}
        assert got == {c.id for c in claims if c.status.name == name}
