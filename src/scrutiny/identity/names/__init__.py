"""Names across scripts: the same person in a police roster, a testimony and a database.

买买提·吐尔逊 in a roster, Memet Tursun or Mehmet Tursun in an English testimony, مەمەت تۇرسۇن
in Uyghur script and Mamat Tursun in a pinyin-influenced spelling are one name. This package
makes them comparable:

- :mod:`.script` — :func:`detect_script`; :func:`to_uly` / :func:`from_uly` between Uyghur
  Arabic, Uyghur Latin (ULY) and Uyghur Cyrillic;
- :mod:`.hanzi` — :func:`hanzi_to_uly` reads Uyghur names written in Chinese characters back
  into ULY (component and syllable tables of the official transcription practice);
  :func:`pinyin_to_uly` does the same for pinyin spellings (Maimaiti → Memet);
  :func:`han_name_pinyin` reads Han names (张伟 → Zhang Wei);
- :mod:`.fold` — :func:`fold`, a phonetic key joining Latin spelling variants (Qurban/Kurban,
  Xeyrinisa/Khairinisa, Memet/Mehmet/Muhammad); :func:`jaro_winkler`;
- :mod:`.parts` — :func:`split_name` into components (separators · - space, name order);
- :mod:`.compare` — :func:`compare` two names with a score and per-component explanation;
  :func:`match_keys` for blocking large record sets.

Everything is a pure function of its arguments (cached), works offline, and never decides
that two records are the same person: it produces evidence for a reviewer.
"""

from __future__ import annotations

from .compare import ComponentMatch, MatchMethod, NameComparison, compare, match_keys
from .fold import FAMILIES, fold, fold_base, jaro_winkler, plain, skeleton
from .hanzi import (
    COMPONENT_TABLE,
    SYLLABLE_TABLE,
    Component,
    han_name_pinyin,
    han_pinyin,
    hanzi_name_origin,
    hanzi_part_candidates,
    hanzi_to_uly,
    pinyin_syllables,
    pinyin_to_uly,
    romanize_hanzi,
)
from .parts import NameParts, NameStyle, split_name
from .script import Script, detect_script, from_uly, normalize_uly, to_uly

__all__ = [
    "COMPONENT_TABLE",
    "FAMILIES",
    "SYLLABLE_TABLE",
    "Component",
    "ComponentMatch",
    "MatchMethod",
    "NameComparison",
    "NameParts",
    "NameStyle",
    "Script",
    "compare",
    "detect_script",
    "fold",
    "fold_base",
    "from_uly",
    "han_name_pinyin",
    "han_pinyin",
    "hanzi_name_origin",
    "hanzi_part_candidates",
    "hanzi_to_uly",
    "jaro_winkler",
    "match_keys",
    "normalize_uly",
    "pinyin_syllables",
    "pinyin_to_uly",
    "plain",
    "romanize_hanzi",
    "skeleton",
    "split_name",
    "to_uly",
]
