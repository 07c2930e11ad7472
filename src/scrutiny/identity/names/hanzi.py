"""Chinese-character names: Uyghur names transcribed into characters, and Han names.

Uyghur names in Chinese documents are transcriptions: 买买提·吐尔逊 is Memet Tursun, written
with the characters Xinjiang's official practice assigns to Uyghur syllables (买 me, 提 -t,
吐 tu, 尔 -r, 逊 sun). :func:`hanzi_to_uly` reads such a name back into Uyghur Latin:

1. It segments each name part into the longest known components (``_components``: whole
   names and name elements such as 阿不都 Abdu-, 古丽 -gül, 江 -jan), cheapest first;
2. what no component covers is read character by character from the syllable table
   (``_syllables``), where one character has several readings (买 me/ma/mey, 提 t/ti);
3. a beam search keeps the cheapest readings, with penalties for what Uyghur does not allow
   (a word starting with two consonants, three consonants in a row, a vowel after a vowel).

The result is a ranked list of candidates, not one answer: characters do not record the
vowels Uyghur distinguishes (a/e, o/ö/u/ü), nor whether 力 closes a syllable (Kamil) or opens
one (Éli). Compare candidates through :func:`scrutiny.identity.names.fold`, which ignores most
of those differences. A pinyin spelling of the characters (Maimaiti Tuerxun, as Chinese
passports write it) is read the same way by :func:`pinyin_to_uly`.

Han names (张伟) are read with pypinyin: :func:`han_name_pinyin`, with the surname readings
that differ from the everyday ones (单 Shan, 曾 Zeng, 解 Xie). :func:`hanzi_name_origin`
guesses which of the two a character name is.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from ._components import COMPONENTS
from ._han import COMPOUND_SURNAMES, SINGLE_SURNAMES, SURNAME_READINGS
from ._syllables import PINYIN_SYLLABLES, SYLLABLES
from .fold import fold

__all__ = [
    "COMPONENT_TABLE",
    "SYLLABLE_TABLE",
    "Component",
    "han_name_pinyin",
    "han_pinyin",
    "hanzi_name_origin",
    "hanzi_part_candidates",
    "hanzi_to_uly",
    "pinyin_syllables",
    "pinyin_to_uly",
    "romanize_hanzi",
]


@dataclass(frozen=True)
class Component:
    """One row of the component table: characters, ULY spelling, kind (m f u a p)."""

    hanzi: str
    uly: str
    kind: str


def _parse_components(text: str) -> tuple[Component, ...]:
    rows = []
    for line in text.strip().splitlines():
        hanzi, uly, kind = line.split()
        rows.append(Component(hanzi, uly, kind))
    return tuple(rows)


_CV = re.compile(r"^((?:sh|ch|gh|zh|ng|[^aeéiouöü])+)[aeéiouöü]$")


def _parse_syllables(text: str) -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    """Parse the table; every consonant+vowel reading also gets its bare consonant, last.

    Chinese has no closed syllables like Uyghur's, so a transcription may spend a whole
    character on a consonant whose vowel is only there for Chinese (吐鲁番 Tur-pan: 鲁 is r).
    """
    table: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
    for line in text.strip().splitlines():
        char, pinyin, *readings = line.split()
        if char in table:
            raise ValueError(f"syllable table lists {char} twice")
        extra = []
        for r in readings:
            m = _CV.match(r)
            if m and m.group(1) not in readings and m.group(1) not in extra:
                extra.append(m.group(1))
        table[char] = (tuple(pinyin.split("/")), tuple(readings) + tuple(extra))
    return table


COMPONENT_TABLE: tuple[Component, ...] = _parse_components(COMPONENTS)
"""The name component table (see ``_components``)."""

_SYL = _parse_syllables(SYLLABLES)
SYLLABLE_TABLE: dict[str, tuple[str, ...]] = {c: r for c, (_, r) in _SYL.items()}
"""Character → ULY readings, most usual first (see ``_syllables``)."""

_COMP_BY_HANZI: dict[tuple[str, ...], list[str]] = {}
for _row in COMPONENT_TABLE:
    _COMP_BY_HANZI.setdefault(tuple(_row.hanzi), []).append(_row.uly)

# Pinyin view of the same tables: a pinyin syllable stands for every reading of every
# transcription character pronounced so; a component's pinyin is its characters' pinyin.
_PY_READINGS: dict[str, list[str]] = {}
for _char, (_pinyins, _readings) in _SYL.items():
    for _py in _pinyins:
        bucket = _PY_READINGS.setdefault(_py, [])
        bucket.extend(r for r in _readings if r not in bucket)
_PY_SYL: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in _PY_READINGS.items()}
_COMP_BY_PINYIN: dict[tuple[str, ...], list[str]] = {}
for _row in COMPONENT_TABLE:
    if all(c in _SYL for c in _row.hanzi):
        _key = tuple(_SYL[c][0][0] for c in _row.hanzi)
        _forms = _COMP_BY_PINYIN.setdefault(_key, [])
        if _row.uly not in _forms:
            _forms.append(_row.uly)
_MAX_COMPONENT = max(len(k) for k in _COMP_BY_HANZI)

# --- the reading search ----------------------------------------------------------------------

_VOWELS = frozenset("aeéiouöü")
_PHONEME = re.compile(r"sh|ch|gh|zh|ng|.")

_BEAM = 64
_COMPONENT_COST = 1.0
_SYLLABLE_COST = 3.0
_UNKNOWN_COST = 6.0
_FINAL_R_COST = 2.5  # Chinese often leaves out a final r: 库车 Kuchar, 沙雅 Shayar


@dataclass(frozen=True)
class _Reading:
    text: str
    lead: int  # consonant phonemes before the first vowel (all of them if no vowel)
    trail: int  # consonant phonemes after the last vowel
    vowel: bool  # has a vowel
    starts_vowel: bool
    ends_vowel: bool


@lru_cache(maxsize=4096)
def _reading(text: str) -> _Reading:
    phonemes = _PHONEME.findall(text.lower())
    is_v = [p in _VOWELS for p in phonemes]
    if any(is_v):
        lead = is_v.index(True)
        trail = is_v[::-1].index(True)
    else:
        lead = trail = len(phonemes)
    return _Reading(text, lead, trail, any(is_v), bool(is_v and is_v[0]),
                    bool(is_v and is_v[-1]))


def _boundary_cost(prev_trail: int, prev_has_vowel: bool, prev_ends_vowel: bool,
                   r: _Reading) -> tuple[float, int]:
    """Penalty for appending ``r``; returns it and the new trailing-consonant count."""
    cost = 0.0
    if not prev_has_vowel:  # still at the start of the word
        if prev_trail + r.lead >= 2:
            cost += 3.0 * (prev_trail + r.lead - 1)
        if not r.vowel and prev_trail == 0:
            cost += 4.0  # a word does not start with a bare closing consonant
    else:
        cluster = prev_trail + r.lead
        if cluster > 2:
            cost += 3.0 * (cluster - 2)
        if prev_ends_vowel and r.starts_vowel:
            cost += 1.5  # hiatus: Uyghur puts y or a glottal stop there
    trail = r.trail if r.vowel else prev_trail + r.lead
    return cost, trail


def _join(prev: str, piece: str) -> str:
    if prev.endswith("n") and piece[:1].lower() == "g":
        return f"{prev}'{piece}"  # ULY writes n'g for n + g, ng for the nasal
    return prev + piece


@dataclass(frozen=True, order=True)
class _State:
    cost: float
    text: str
    trail: int
    has_vowel: bool
    ends_vowel: bool


def _step(state: _State, piece: str, base: float, at_end: bool) -> _State:
    r = _reading(piece)
    cost, trail = _boundary_cost(state.trail, state.has_vowel, state.ends_vowel, r)
    has_vowel = state.has_vowel or r.vowel
    if at_end and trail > 2:
        cost += 3.0 * (trail - 2)
    ends_vowel = r.ends_vowel if r.vowel else False
    return _State(state.cost + base + cost, _join(state.text, piece.lower()), trail,
                  has_vowel, ends_vowel)


def _search(units: Sequence[str], components: dict[tuple[str, ...], list[str]],
            syllables: dict[str, tuple[str, ...]], unknown: Iterable[str] | None,
            limit: int, final_r: bool = True) -> list[tuple[float, str]]:
    """Beam search over readings of ``units``; the ``limit`` cheapest, distinct under fold."""
    n = len(units)
    beams: list[dict[str, _State]] = [{} for _ in range(n + 1)]
    beams[0][""] = _State(0.0, "", 0, False, False)
    unknown_readings = list(unknown) if unknown is not None else None
    for i in range(n):
        if not beams[i]:
            continue
        states = heapq.nsmallest(_BEAM, beams[i].values())
        moves: list[tuple[int, float, str]] = []
        for length in range(min(_MAX_COMPONENT, n - i), 0, -1):
            forms = components.get(tuple(units[i:i + length]))
            if forms:
                moves.extend((length, _COMPONENT_COST + 0.2 * k, f) for k, f in enumerate(forms))
        readings = syllables.get(units[i])
        if readings:
            moves.extend((1, _SYLLABLE_COST + 0.6 * k, r) for k, r in enumerate(readings))
        elif not moves:
            fallback = unknown_readings[i] if unknown_readings is not None else units[i]
            moves.append((1, _UNKNOWN_COST, fallback))
        for state in states:
            for length, base, piece in moves:
                nxt = _step(state, piece, base, i + length == n)
                beam = beams[i + length]
                old = beam.get(nxt.text)
                if old is None or nxt.cost < old.cost:
                    beam[nxt.text] = nxt
    finals = list(beams[n].values())
    if final_r:
        finals += [_State(st.cost + _FINAL_R_COST, st.text + "r", 1, True, False)
                   for st in finals if st.ends_vowel]
    out: list[tuple[float, str]] = []
    seen: set[str] = set()
    for st in sorted(finals):
        key = fold(st.text)
        if key not in seen:
            seen.add(key)
            out.append((st.cost, st.text[:1].upper() + st.text[1:]))
            if len(out) >= limit:
                break
    return out


def _pinyin_of_unknown(part: str) -> list[str]:
    from pypinyin import lazy_pinyin

    out = []
    for ch in part:
        py = lazy_pinyin(ch)
        out.append(py[0] if py else "")
    return out


_MAX_UNITS = 24  # no name part is longer; bounds the work on hostile input


@lru_cache(maxsize=1 << 16)
def _part_candidates(part: str, limit: int) -> tuple[tuple[float, str], ...]:
    part = part[:_MAX_UNITS]
    unknown = None
    if any(c not in _SYL for c in part):
        unknown = _pinyin_of_unknown(part)
    return tuple(_search(tuple(part), _COMP_BY_HANZI, SYLLABLE_TABLE, unknown, limit))


def hanzi_part_candidates(part: str, limit: int = 16) -> list[str]:
    """Candidate ULY readings of one name part in characters (no separators), best first."""
    return [t for _, t in _part_candidates(part, limit)]


_SEPARATORS = re.compile(r"[\s·•・‧･.．\-‐‑–—_/,，、]+")


def hanzi_to_uly(text: str, limit: int = 16) -> list[str]:
    """Candidate Uyghur Latin readings of a Uyghur name written in Chinese characters.

    >>> hanzi_to_uly("买买提·吐尔逊")[0]
    'Memet Tursun'

    Parts split at · • ・ ‧ . - and spaces are read separately and joined with a space; the
    list holds at most ``limit`` combinations, cheapest first. Characters outside the tables
    are read by their pinyin. See the module docstring for the method and its limits.
    """
    parts = [p for p in _SEPARATORS.split(text.strip()) if p]
    if not parts:
        return []
    per_part = [_part_candidates(p, limit) for p in parts]
    combos: list[tuple[float, str]] = [(0.0, "")]
    for cands in per_part:
        combos = heapq.nsmallest(
            limit, ((c1 + c2, f"{t1} {t2}" if t1 else t2) for c1, t1 in combos for c2, t2 in cands)
        )
    return [t for _, t in combos]


# --- pinyin spellings --------------------------------------------------------------------------


@lru_cache(maxsize=1 << 16)
def pinyin_syllables(token: str) -> tuple[str, ...] | None:
    """``token`` cut into pinyin syllables (Maimaiti → mai mai ti), or None if it is not pinyin.

    Case and tone marks are ignored; ü may be written ü, v or u. Where several cuts exist
    (xian / xi'an) the one with fewest syllables is returned.
    """
    from .fold import _letters

    s = _letters(token.replace("ü", "v").replace("Ü", "v"))
    if not s or len(s) > 6 * _MAX_UNITS:
        return None
    n = len(s)
    best: list[tuple[str, ...] | None] = [None] * (n + 1)
    best[0] = ()
    for i in range(n):
        prefix = best[i]
        if prefix is None:
            continue
        for j in range(i + 1, min(n, i + 6) + 1):
            syl = s[i:j]
            if syl in PINYIN_SYLLABLES:
                cand = (*prefix, syl)
                old = best[j]
                if old is None or len(cand) < len(old):
                    best[j] = cand
    return best[n]


@lru_cache(maxsize=1 << 16)
def _pinyin_candidates(token: str, limit: int) -> tuple[tuple[float, str], ...]:
    syllables = pinyin_syllables(token)
    if not syllables or len(syllables) > _MAX_UNITS:
        return ()
    return tuple(_search(syllables, _COMP_BY_PINYIN, _PY_SYL, None, limit))


def pinyin_to_uly(token: str, limit: int = 16) -> list[str]:
    """Candidate ULY readings of a pinyin spelling of a transcribed Uyghur name.

    Chinese passports and many English-language documents spell 买买提·吐尔逊 in pinyin as
    "Maimaiti Tuerxun"; this reads one such token back (Maimaiti → Memet, Tuerxun → Tursun)
    through the same tables as :func:`hanzi_to_uly`. Empty if the token is not pinyin.
    """
    return [t for _, t in _pinyin_candidates(token, limit)]


# --- Han names ------------------------------------------------------------------------------


def _split_han(text: str) -> tuple[str, str]:
    if len(text) >= 3 and text[:2] in COMPOUND_SURNAMES:
        return text[:2], text[2:]
    return text[:1], text[1:]


@lru_cache(maxsize=1 << 16)
def han_pinyin(chars: str, surname: bool = False) -> str:
    """The pinyin of one part of a Han name as one word: a surname (with its surname reading)
    or a given name (建国 → jianguo). Lower case, ü written ü."""
    from pypinyin import Style, lazy_pinyin

    if surname:
        reading = SURNAME_READINGS.get(chars)
        if reading is not None:
            return reading
        if len(chars) > 1:  # a whole name, or a compound surname: surname, then the rest
            first, rest = _split_han(chars)  # first is shorter than chars: this ends
            return han_pinyin(first, surname=True) + han_pinyin(rest)
    return "".join(lazy_pinyin(chars, style=Style.NORMAL, v_to_u=True, errors="ignore"))


@lru_cache(maxsize=1 << 16)
def han_name_pinyin(text: str) -> str:
    """The pinyin of a Han Chinese name, surname first: 张伟 → "Zhang Wei".

    Surnames use their surname reading (单 Shan, 曾 Zeng, 解 Xie, 区 Ou, 朴 Piao); compound
    surnames (欧阳, 司马) are recognised. Given names are written as one word (建国 → Jianguo),
    as Chinese passports do; ü is written ü. A name already split by a separator keeps its
    parts. Readings of rare characters in given names follow pypinyin's phrase statistics.
    """
    parts = [p for p in _SEPARATORS.split(text.strip()) if p]
    if len(parts) == 1:
        surname, given = _split_han(parts[0])
        parts = [surname, given] if given else [surname]
    out = [han_pinyin(part, surname=k == 0).capitalize() for k, part in enumerate(parts)]
    return " ".join(p for p in out if p)


# Characters that in names occur almost only in transcriptions of Uyghur (and other Turkic)
# names, hardly ever in Han given names.
_TRANSCRIPTION_MARKERS = frozenset(
    "买麦提孜尔吐依阿古甫普吾艾热肉尕曼斯汗迪帕祖再努尼亚克库木合哈拜夏西逊洪坤吉沙萨赛苏"
    "托塔瓦外玛米穆勒力里"
)
_STRONG_MARKERS = frozenset("买麦提孜尔吐依甫普吾艾热肉尕曼斯汗迪帕祖再努尼克库木合拜逊坤")
# Rare Han surnames that often begin a transcribed name (玉山 Hüseyin, 艾力 Éli, 米吉提 Mijit).
_TRANSCRIPTION_INITIALS = frozenset("艾玉买麦阿吐热努帕米迪祖依伊吾乌沙古库肉尼亚")


@lru_cache(maxsize=1 << 16)
def hanzi_name_origin(text: str) -> Literal["uyghur", "han", "either"]:
    """Whether a name in characters reads as a Uyghur transcription or a Han name.

    - separated parts (买买提·吐尔逊) or five or more characters: "uyghur" (Han names have
      two to four characters and no separator; other minorities' names, Kazakh or Kyrgyz, are
      transcribed the same way and also come out "uyghur");
    - not starting with a Han surname: "uyghur";
    - a Han surname followed by characters typical of transcriptions (马木提): "uyghur";
    - a rare surname that often begins transcriptions (艾力, 玉山, 古丽), or given-name
      characters that all occur in transcriptions (马力): "either";
    - a Han surname followed by ordinary given-name characters (张伟, 王丽): "han".

    A heuristic: compare() and match_keys() read "either" names both ways.
    """
    if _SEPARATORS.search(text.strip()):
        return "uyghur"
    chars = text.strip()
    if len(chars) >= 5:
        return "uyghur"
    surname, given = _split_han(chars)
    if surname not in SINGLE_SURNAMES and surname not in COMPOUND_SURNAMES:
        return "uyghur"
    if not given:
        return "either"
    if len(chars) == 4 and surname not in COMPOUND_SURNAMES:
        return "uyghur" if any(c in _TRANSCRIPTION_MARKERS for c in given) else "either"
    if any(c in _STRONG_MARKERS for c in given):
        return "uyghur"
    if all(c in _TRANSCRIPTION_MARKERS for c in given) or surname in _TRANSCRIPTION_INITIALS:
        return "either"
    return "han"


def romanize_hanzi(text: str) -> str:
    """A name in characters in Latin letters: the best Uyghur reading, or pinyin for Han names.

    Used by :func:`to_uly`; runs of characters inside other text are each read on their own.
    """
    if hanzi_name_origin(text) == "han":
        return han_name_pinyin(text)
    candidates = hanzi_to_uly(text, limit=1)
    return candidates[0] if candidates else text
