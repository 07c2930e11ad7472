"""The transcription tables: Uyghur name components in Chinese characters and their syllables."""

from __future__ import annotations

from collections import Counter

import pytest
from pypinyin import lazy_pinyin

from scrutiny.identity.names import (
    COMPONENT_TABLE,
    SYLLABLE_TABLE,
    Component,
    fold,
    hanzi_to_uly,
    pinyin_to_uly,
)
from scrutiny.synth import names as synth_names

NAME_KINDS = frozenset("mfua")


def test_component_table_size() -> None:
    names = {row.uly for row in COMPONENT_TABLE if row.kind in NAME_KINDS}
    assert len(names) >= 150  # distinct Uyghur name components (given names and elements)
    kinds = Counter(row.kind for row in COMPONENT_TABLE)
    assert kinds["m"] >= 100 and kinds["f"] >= 80 and kinds["a"] >= 20  # men, women, elements
    assert len(SYLLABLE_TABLE) >= 300


def test_component_rows_are_well_formed() -> None:
    seen: dict[str, str] = {}
    for row in COMPONENT_TABLE:
        assert row.kind in "mfuap"
        assert row.uly.isalpha() or "'" in row.uly
        # one spelling in characters stands for one name
        assert seen.setdefault(row.hanzi, row.uly) == row.uly, row.hanzi
        # every character is in the syllable table, so pinyin spellings read back too
        assert all(ch in SYLLABLE_TABLE for ch in row.hanzi), row.hanzi


@pytest.mark.parametrize("row", COMPONENT_TABLE, ids=lambda r: f"{r.hanzi}-{r.uly}")
def test_each_component_reads_back_to_its_latin_form(row: Component) -> None:
    best = hanzi_to_uly(row.hanzi)[0]
    assert fold(best) == fold(row.uly), (row.hanzi, row.uly, best)


def test_pinyin_of_components_reads_back() -> None:
    """The pinyin column of the syllable table agrees with pypinyin for the components."""
    misses = []
    rows = [r for r in COMPONENT_TABLE if r.kind in "mfu"]
    for row in rows:
        spelling = "".join(lazy_pinyin(row.hanzi))
        if fold(row.uly) not in {fold(c) for c in pinyin_to_uly(spelling)}:
            misses.append((row.hanzi, spelling, row.uly))
    assert len(misses) <= len(rows) // 50, misses  # pypinyin's heteronyms (都 dou/du…)


def test_syllable_readings_cover_the_conventions() -> None:
    # the fixed characters of the official practice, spot-checked
    expected = {"阿": "a", "艾": "e", "买": "me", "提": "t", "克": "k", "尔": "r", "力": "l",
                "木": "m", "孜": "z", "斯": "s", "合": "x", "甫": "p", "布": "bu", "热": "re",
                "吾": "u", "玉": "yü", "依": "i", "伊": "i", "江": "jan", "汗": "xan", "古": "gü",
                "吐": "tu", "库": "qu", "肉": "ro", "如": "ru", "拉": "ra", "娜": "na"}
    for char, reading in expected.items():
        assert reading in SYLLABLE_TABLE[char], char


def test_synthetic_generator_pairs_read_back() -> None:
    """Consistency with synth.names (built separately): its pairs must read back."""
    pairs = synth_names.UYGHUR_MALE + synth_names.UYGHUR_FEMALE
    misses = [(uly, hanzi) for uly, hanzi in pairs
              if fold(uly) not in {fold(c) for c in hanzi_to_uly(hanzi)}]
    # Buhelchem/布海力其汗: the characters end in -xan (汗), the Latin does not
    assert len(misses) <= 2, misses
