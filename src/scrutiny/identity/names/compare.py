"""Comparing two names written in any script, and keys for finding candidate pairs.

Every component of a name is turned into *forms* it can be compared by: its spelling as
written, its Uyghur Latin conversion (Arabic and Cyrillic script), its readings (Chinese
characters: the best Uyghur readings and, for Han names, the pinyin; pinyin spellings of
transcriptions: their Uyghur readings), and the :func:`fold` keys of all of these.

:func:`compare` pairs the components of two names one to one, in whichever order scores best,
and says how each pair matched:

=============  =====  ===========================================================
method         score  meaning
=============  =====  ===========================================================
exact          1.00   same letters (case aside), or letter-for-letter script conversion
transcription  0.95   the Latin is the best reading of the characters (0.90: one of the
                      other readings; 0.85: two character spellings that read alike)
folded         0.92   same key under the spelling rules (Qurban / Kurban)
family         0.88   same name family (Memet / Muhammad)
affix          0.70   one is the other plus -jan (Tursun / Tursunjan)
initial        0.60   an initial that fits (M. / Memet)
fuzzy          ≤0.60  Jaro-Winkler ≥ 0.85 on the keys: a possible misspelling
=============  =====  ===========================================================

The name score is the Dice-style average ``2 × sum(component scores) / (n_a + n_b)``: an
unmatched component (a grandfather's name on one side only) counts as 0. Matching in a
different order costs 2 %, joining two written components into one (Abdu Rehim / Abdurehim)
2 %. Han names written in pinyin are compared strictly: Zhang and Zheng are different
surnames even though :func:`fold` joins them.

The score is evidence for a reviewer, not a verdict: two people can share a name, and one
person's name can be written beyond recognition. Calibrate thresholds on judged pairs.
"""

from __future__ import annotations

import enum
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from .fold import _letters, fold, fold_base, jaro_winkler, plain, skeleton
from .hanzi import (
    han_pinyin,
    hanzi_name_origin,
    hanzi_part_candidates,
    pinyin_syllables,
    pinyin_to_uly,
)
from .parts import NameParts, NameStyle, split_name
from .script import Script, detect_script, to_uly

__all__ = ["ComponentMatch", "MatchMethod", "NameComparison", "compare", "match_keys"]


class MatchMethod(enum.StrEnum):
    """How two name components matched (see the module docstring for the scores)."""

    EXACT = "exact"
    TRANSCRIPTION = "transcription"
    FOLDED = "folded"
    FAMILY = "family"
    AFFIX = "affix"
    INITIAL = "initial"
    FUZZY = "fuzzy"


@dataclass(frozen=True)
class ComponentMatch:
    """One component of name a paired with one of name b."""

    a_index: int
    b_index: int
    a: str
    b: str
    method: MatchMethod
    score: float


@dataclass(frozen=True)
class NameComparison:
    """The result of :func:`compare`: a score in [0, 1] and how it came about.

    ``a_parts``/``b_parts`` are the components compared (after any joining, see ``joined``);
    the indexes in ``matches`` refer to them.
    """

    score: float
    matches: tuple[ComponentMatch, ...]
    unmatched_a: tuple[str, ...]
    unmatched_b: tuple[str, ...]
    swapped: bool
    joined: bool
    a_parts: tuple[str, ...]
    b_parts: tuple[str, ...]

    def explain(self) -> str:
        """One line in plain words, for a reviewer."""
        bits = [f"{m.a} ↔ {m.b}: {m.method.value} {m.score:.2f}" for m in self.matches]
        bits += [f"{x}: no match in b" for x in self.unmatched_a]
        bits += [f"{x}: no match in a" for x in self.unmatched_b]
        if self.swapped:
            bits.append("order swapped")
        if self.joined:
            bits.append("written components joined")
        return f"score {self.score:.2f}: " + "; ".join(bits)


# --- component forms -------------------------------------------------------------------------

_HANZI_READINGS = 16
_BLOCK_READINGS = 2


@dataclass(frozen=True)
class _Form:
    text: str
    latin: str  # the Latin spelling compared (a conversion for Arabic/Cyrillic, "" for hanzi)
    hanzi: bool
    plains: frozenset[str]  # exact-comparison spellings
    bases: frozenset[str]  # fold_base of the spelling(s) of the best reading(s)
    top: frozenset[str]  # fold keys of the spelling / best reading(s)
    readings: frozenset[str]  # fold keys of further readings (characters, pinyin)
    block: tuple[str, ...]  # keys for blocking, best first
    strict: str | None  # pinyin key of a Han name component: compared strictly
    initial: str | None


def _pinyin_strict(text: str) -> str:
    s = _letters(text.replace("ü", "v").replace("Ü", "v")).replace("v", "u")
    return s.replace("lyu", "lu").replace("nyu", "nu")


@lru_cache(maxsize=1 << 18)
def _latin_form(token: str, han_style: bool, source: str = "") -> _Form:
    base = fold_base(token)
    key = fold(token)
    plains = {plain(token)}
    if source:
        plains.add(plain(source))
    ranked: list[str] = []
    syllables = pinyin_syllables(token)
    if syllables and len(syllables) >= 2 and not han_style:
        ranked = [k for k in dict.fromkeys(fold(t) for t in pinyin_to_uly(token, 8)) if k != key]
    letters = _letters(token)
    return _Form(
        text=source or token,
        latin=token,
        hanzi=False,
        plains=frozenset(plains),
        bases=frozenset({base}),
        top=frozenset({key}),
        readings=frozenset(ranked),
        block=(key, *ranked[:1]),
        strict=_pinyin_strict(token) if han_style and syllables else None,
        initial=letters if len(letters) == 1 else None,
    )


@lru_cache(maxsize=1 << 18)
def _hanzi_form(part: str, style: NameStyle, surname: bool) -> _Form:
    origin = hanzi_name_origin(part) if style is not NameStyle.HAN else "han"
    if style is NameStyle.UYGHUR and origin == "han":
        origin = "either"  # a separated part of a Uyghur-style name: read it both ways
    plains = {plain(part)}
    bases: set[str] = set()
    top: list[str] = []
    readings: set[str] = set()
    strict = None
    readings_ranked: list[str] = []
    if origin != "han":
        cands = hanzi_part_candidates(part, _HANZI_READINGS)
        readings_ranked = list(dict.fromkeys(fold(c) for c in cands))
        if readings_ranked:
            top.append(readings_ranked[0])
            bases.add(fold_base(cands[0]))
        readings.update(readings_ranked[1:])
    if origin != "uyghur":
        pinyin = han_pinyin(part, surname=surname)
        plains.add(plain(pinyin))
        top.append(fold(pinyin))
        bases.add(fold_base(pinyin))
        if style is NameStyle.HAN:
            strict = _pinyin_strict(pinyin)
    block_keys = list(dict.fromkeys(top))
    if origin != "han":
        block_keys += [k for k in readings_ranked[1:_BLOCK_READINGS] if k not in block_keys]
    return _Form(
        text=part,
        latin="",
        hanzi=True,
        plains=frozenset(plains),
        bases=frozenset(bases),
        top=frozenset(top),
        readings=frozenset(readings) - frozenset(top),
        block=tuple(block_keys),
        strict=strict,
        initial=None,
    )


def _form(part: str, style: NameStyle, surname: bool) -> _Form:
    script = detect_script(part)
    if script is Script.HAN:
        return _hanzi_form(part, style, surname)
    if script in (Script.UYGHUR_ARABIC, Script.CYRILLIC, Script.MIXED):
        return _latin_form(to_uly(part), False, part)
    return _latin_form(part, style is NameStyle.HAN)


# --- component comparison --------------------------------------------------------------------

_FUZZY_FLOOR = 0.85


def _affix(x: str, y: str) -> bool:
    if len(x) < len(y):
        x, y = y, x
    return len(y) >= 3 and x == y + "jan"


@lru_cache(maxsize=1 << 18)
def _compare_forms(x: _Form, y: _Form) -> tuple[MatchMethod, float] | None:
    if x.plains & y.plains:
        return MatchMethod.EXACT, 1.0
    if x.strict is not None and y.strict is not None:
        if x.strict == y.strict:
            return MatchMethod.FOLDED, 0.92
        return _fuzzy({x.strict}, {y.strict})
    if x.hanzi and y.hanzi:
        if x.top & y.top:
            return MatchMethod.FOLDED, 0.92
        if (x.top | x.readings) & (y.top | y.readings):
            return MatchMethod.TRANSCRIPTION, 0.85
    elif x.hanzi or y.hanzi:
        h, latin = (x, y) if x.hanzi else (y, x)
        lkeys = latin.top | latin.readings
        if lkeys & h.top:
            return MatchMethod.TRANSCRIPTION, 0.95
        if lkeys & h.readings:
            return MatchMethod.TRANSCRIPTION, 0.90
    else:
        if x.bases & y.bases:
            return MatchMethod.FOLDED, 0.92
        if x.top & y.top:
            return MatchMethod.FAMILY, 0.88
        if (x.top & y.readings) or (y.top & x.readings):
            return MatchMethod.TRANSCRIPTION, 0.90
    if any(_affix(p, q) for p in x.top for q in y.top):
        return MatchMethod.AFFIX, 0.70
    for i, other in ((x.initial, y), (y.initial, x)):
        if i is not None and other.initial is None and any(k[:1] == fold(i) for k in other.top):
            return MatchMethod.INITIAL, 0.60
    if x.initial or y.initial:
        return None
    return _fuzzy(x.top | x.readings, y.top | y.readings)


def _fuzzy(xs: frozenset[str] | set[str], ys: frozenset[str] | set[str]) -> \
        tuple[MatchMethod, float] | None:
    best = max((jaro_winkler(*sorted((p, q))) for p in xs for q in ys), default=0.0)
    if best < _FUZZY_FLOOR:
        return None
    return MatchMethod.FUZZY, round(0.6 * (best - _FUZZY_FLOOR) / (1 - _FUZZY_FLOOR), 4)


# --- name comparison -------------------------------------------------------------------------

_MAX_PARTS = 6
_ORDER_PENALTY = 0.98
_JOIN_PENALTY = 0.98


def _alternatives(np: NameParts) -> Iterator[tuple[tuple[str, ...], bool]]:
    parts = np.parts[:_MAX_PARTS]
    yield parts, False
    n = len(parts)
    if n >= 2:
        for i in range(n - 1):
            yield (*parts[:i], parts[i] + parts[i + 1], *parts[i + 2:]), True
    if n >= 3:
        yield ("".join(parts),), True


def _forms_of(parts: tuple[str, ...], np: NameParts, joined: bool) -> list[_Form]:
    return [_form(p, np.style, i == 0 and np.style is NameStyle.HAN)
            for i, p in enumerate(parts)]


_Pair = tuple[int, int, MatchMethod, float]


def _assign(fa: list[_Form], fb: list[_Form]) -> tuple[float, int, list[_Pair]]:
    """The one-to-one pairing with the highest total score (fewest order inversions on ties)."""
    table = [[_compare_forms(x, y) for y in fb] for x in fa]
    flip = len(fa) > len(fb)
    rows, cols = (len(fb), len(fa)) if flip else (len(fa), len(fb))
    best: tuple[float, int, list[_Pair]] = (0.0, 0, [])
    for perm in itertools.permutations(range(cols), rows):
        pairs = []
        total = 0.0
        for r, c in enumerate(perm):
            i, j = (c, r) if flip else (r, c)
            cell = table[i][j]
            if cell is not None:
                pairs.append((i, j, cell[0], cell[1]))
                total += cell[1]
        pairs.sort()
        inversions = sum(1 for p, q in itertools.combinations(pairs, 2) if p[1] > q[1])
        if (round(total, 9), -inversions) > (round(best[0], 9), -best[1]):
            best = (total, inversions, pairs)
    return best


def compare(a: str, b: str) -> NameComparison:
    """Compare two names in any scripts; see the module docstring for method and scores.

    >>> compare("买买提·吐尔逊", "Mehmet Tursun").score > 0.9
    True

    Symmetric: ``compare(a, b).score == compare(b, a).score``.
    """
    na, nb = split_name(a), split_name(b)
    best: NameComparison | None = None
    for parts_a, joined_a in _alternatives(na):
        fa = _forms_of(parts_a, na, joined_a)
        for parts_b, joined_b in _alternatives(nb):
            if not parts_a or not parts_b:
                continue
            fb = _forms_of(parts_b, nb, joined_b)
            total, inversions, pairs = _assign(fa, fb)
            score = 2 * total / (len(parts_a) + len(parts_b))
            if inversions:
                score *= _ORDER_PENALTY
            if joined_a or joined_b:
                score *= _JOIN_PENALTY
            score = round(min(1.0, score), 4)
            if best is None or score > best.score:
                used_a = {i for i, _, _, _ in pairs}
                used_b = {j for _, j, _, _ in pairs}
                best = NameComparison(
                    score=score,
                    matches=tuple(ComponentMatch(i, j, parts_a[i], parts_b[j], m, s)
                                  for i, j, m, s in pairs),
                    unmatched_a=tuple(p for i, p in enumerate(parts_a) if i not in used_a),
                    unmatched_b=tuple(p for j, p in enumerate(parts_b) if j not in used_b),
                    swapped=inversions > 0,
                    joined=joined_a or joined_b,
                    a_parts=parts_a,
                    b_parts=parts_b,
                )
    if best is None:
        return NameComparison(0.0, (), na.parts, nb.parts, False, False, na.parts, nb.parts)
    return best


# --- blocking keys ---------------------------------------------------------------------------

_MAX_COMBOS = 8


@lru_cache(maxsize=1 << 16)
def match_keys(name: str) -> frozenset[str]:
    """Keys for finding candidate pairs among many names (blocking); never empty for a name
    with letters.

    Two names that :func:`compare` would match share at least one key in the common cases:

    - ``c:<key>`` one per component reading (``c:tursun``): loose, a component in common;
    - ``s:<skeleton>`` the consonant skeleton of a component (``s:trsn``): looser, robust to
      vowels a transcription gets wrong;
    - ``n:<key>|<key>`` the whole name, components folded and sorted, so that order does
      not matter (``n:muamat|tursun``); for Latin-letter names also with two neighbouring
      components written together (Abdu Rehim → ``n:abduraim``);
    - ``k:<skel>|<skel>`` the same with skeletons.

    A name in characters contributes its two best readings (and its pinyin if it may be a
    Han name); a pinyin token also its best Uyghur reading. Use the ``n:`` keys for a first
    blocking pass over a million records; the ``c:`` keys of common names (Memet) are huge.
    """
    np = split_name(name)
    parts = np.parts[:_MAX_PARTS]
    forms = _forms_of(parts, np, False)
    keys: set[str] = set()
    for f in forms:
        for k in f.block:
            keys.add("c:" + k)
            keys.add("s:" + skeleton(k))
    if 0 < len(forms) <= 4:
        choices: list[tuple[str, ...]] = [f.block[:_BLOCK_READINGS] for f in forms]
        variants = [choices]
        if np.script is not Script.HAN and len(forms) >= 2:
            for i in range(len(forms) - 1):
                joined = fold(forms[i].latin + forms[i + 1].latin)
                variants.append([*choices[:i], (joined,), *choices[i + 2:]])
        for variant in variants:
            for combo in itertools.islice(itertools.product(*variant), _MAX_COMBOS):
                keys.add("n:" + "|".join(sorted(combo)))
                keys.add("k:" + "|".join(sorted(skeleton(k) for k in combo)))
    keys.discard("c:")
    keys.discard("s:")
    if not any(k.startswith("c:") for k in keys):
        keys = {k for k in keys if k[2:].strip("|")}
        keys.update("r:" + plain(p) for p in parts if plain(p))
    if not keys and name.strip():
        keys.add("r:" + plain(name.strip()))
    return frozenset(keys)
