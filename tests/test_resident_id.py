"""The resident-ID fast path must give python-stdnum's verdict on every number."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import ric

from scrutiny.identity import resident_id

# Region codes: current Xinjiang counties, codes retired or created during the period, one
# that never existed, and a province-level code.
CODES = ["653121", "650102", "652101", "654002", "659001", "653130", "652901", "650105",
         "652324", "659010", "990101", "650000", "110101", "652323"]


@st.composite
def numbers(draw: st.DrawFn) -> str:
    code = draw(st.sampled_from(CODES))
    year = draw(st.integers(1900, 2030))
    month = draw(st.integers(0, 13))
    day = draw(st.integers(0, 32))
    seq = draw(st.integers(0, 999))
    first17 = f"{code}{year:04d}{month:02d}{day:02d}{seq:03d}"
    check = draw(st.one_of(st.just(resident_id.check_character(first17)),
                           st.sampled_from("0123456789X")))
    return first17 + check


@settings(max_examples=3000, deadline=None)
@given(numbers())
def test_fast_path_agrees_with_stdnum(number: str) -> None:
    assert resident_id.is_valid(number) == ric.is_valid(number)
    valid, born = resident_id.facts(number)
    assert valid == ric.is_valid(number)
    try:
        assert born == ric.get_birth_date(number)
    except ValueError:  # stdnum: not a real date
        assert born is None


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789Xx -ｘ１", min_size=0, max_size=20))
def test_odd_input_goes_to_stdnum(text: str) -> None:
    assert resident_id.is_valid(text) == ric.is_valid(text)


def test_birth_date_and_region_year() -> None:
    number = resident_id.compose("653121", dt.date(1985, 3, 12), 1)
    assert resident_id.birth_date(number) == dt.date(1985, 3, 12)
    assert resident_id.is_valid(number)
    bad_date = number[:10] + "0230" + number[14:17]
    assert not resident_id.is_valid(bad_date + resident_id.check_character(bad_date))
