"""Splitting a written name into its components, and what order they are in.

Uyghur names have no family name: a person is known by a given name followed by the father's
given name (Memet Tursun: Memet, son of Tursun); Chinese documents write the two with a middle
dot (买买提·吐尔逊), some with a hyphen, a full stop or a bullet (• ・ ‧ ･). Han Chinese names are
surname first without a separator (张伟: surname 张, given name 伟). Documents in English may
put either in either order ("Wei Zhang", "Tursun, Memet"), so the order recorded here is a
reading, not a fact: :func:`scrutiny.identity.names.compare` matches components in any order
and only reports whether they were swapped.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from ._han import SURNAME_PINYIN
from .hanzi import COMPONENT_TABLE, hanzi_name_origin, pinyin_syllables
from .hanzi import _split_han as split_han_name
from .script import Script, detect_script

__all__ = ["NameParts", "NameStyle", "split_name"]


class NameStyle(enum.StrEnum):
    """How the components of a name are ordered."""

    UYGHUR = "uyghur"  # given name, then father's given name (and grandfather's)
    HAN = "han"  # surname, then given name
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class NameParts:
    """A name cut into components.

    ``parts`` are in the order written (after undoing "Surname, Given" comma order);
    ``given`` and ``family`` read them according to ``style``: for a Uyghur name ``family`` is
    the father's name, for a Han name the surname; both None when the style is unknown.
    """

    text: str
    script: Script
    parts: tuple[str, ...]
    style: NameStyle
    reordered: bool = False  # a "Tursun, Memet" comma order was turned round
    titles: tuple[str, ...] = ()  # Mr, Dr… taken off
    aliases: tuple[str, ...] = ()  # text in brackets, kept apart

    @property
    def given(self) -> str | None:
        if not self.parts:
            return None
        if self.style is NameStyle.UYGHUR:
            return self.parts[0]
        if self.style is NameStyle.HAN and len(self.parts) > 1:
            return " ".join(self.parts[1:])
        return None

    @property
    def family(self) -> str | None:
        if len(self.parts) < 2:
            return None
        if self.style is NameStyle.UYGHUR:
            return self.parts[1]
        if self.style is NameStyle.HAN:
            return self.parts[0]
        return None


SEPARATORS = re.compile(r"[\s·•・‧･∙⋅●.．\-‐‑‒–—_/\\|,，、;；]+")
_BRACKETS = re.compile(r"[(\[（【{]([^)\]）】}]*)[)\]）】}]")
_TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "madam", "mme",
                     "herr", "frau"})
_WHOLE_NAMES: dict[str, int] = {}
for _row in COMPONENT_TABLE:
    if _row.kind in "mfu":
        _WHOLE_NAMES[_row.hanzi] = len(_row.hanzi)
_LONGEST_NAME = max(_WHOLE_NAMES.values())


def _segment_uyghur_hanzi(text: str) -> tuple[str, ...]:
    """Cut an unseparated Uyghur name in characters (买买提吐尔逊) at known whole names.

    Only when the whole string is covered by two or three table names; otherwise the string
    stays one part (compare() can still match it against a joined Latin spelling).
    """
    n = len(text)
    best: list[tuple[str, ...] | None] = [None] * (n + 1)
    best[0] = ()
    for i in range(n):
        prefix = best[i]
        if prefix is None:
            continue
        for j in range(i + 2, min(n, i + _LONGEST_NAME) + 1):
            if text[i:j] in _WHOLE_NAMES:
                cand = (*prefix, text[i:j])
                old = best[j]
                if old is None or len(cand) < len(old):
                    best[j] = cand
    found = best[n]
    return found if found is not None and 2 <= len(found) <= 3 else (text,)


def _latin_style(parts: tuple[str, ...]) -> NameStyle:
    if len(parts) >= 2 and all(pinyin_syllables(p) for p in parts):
        lowered = [p.casefold().replace("ü", "v") for p in parts]
        if lowered[0] in SURNAME_PINYIN or lowered[-1] in SURNAME_PINYIN:
            return NameStyle.HAN
    return NameStyle.UNKNOWN


@lru_cache(maxsize=1 << 16)
def split_name(text: str) -> NameParts:
    """Cut ``text`` into name components and guess their order.

    - separators: spaces, · • ・ ‧ ･ . - _ / and commas; a name with exactly one comma is
      read as "Surname, Given" and turned round (``reordered``);
    - bracketed text goes to ``aliases``; Mr, Mrs, Ms, Dr, Prof… to ``titles``;
    - characters: separated parts are a Uyghur-style name; an unseparated Han name is cut
      after its surname (欧阳 and other compound surnames included); an unseparated Uyghur
      transcription is cut where it is two or three names of the component table;
    - Latin: a name of pinyin syllables with a Han surname first or last is HAN style,
      other Latin names are UNKNOWN (English testimonies use both orders); Arabic and
      Cyrillic script names are UYGHUR style.
    """
    text = unicodedata.normalize("NFC", text)
    aliases = tuple(a.strip() for a in _BRACKETS.findall(text) if a.strip())
    body = _BRACKETS.sub(" ", text).strip()
    script = detect_script(body)
    reordered = False
    if body.count(",") + body.count("，") == 1 and script is not Script.HAN:
        before, after = re.split("[,，]", body)
        if before.strip() and after.strip():
            body = f"{after.strip()} {before.strip()}"
            reordered = True
    tokens = [t for t in SEPARATORS.split(body) if t]
    titles = tuple(t for t in tokens if t.casefold().rstrip(".") in _TITLES and len(tokens) > 1)
    parts = tuple(t for t in tokens if t not in titles)
    style = NameStyle.UNKNOWN
    if script is Script.HAN:
        if len(parts) == 1:
            origin = hanzi_name_origin(parts[0])
            if origin == "han":
                surname, given = split_han_name(parts[0])
                parts = (surname, given) if given else (surname,)
                style = NameStyle.HAN
            elif origin == "uyghur":
                parts = _segment_uyghur_hanzi(parts[0])
                style = NameStyle.UYGHUR
        else:
            style = NameStyle.UYGHUR
    elif script in (Script.UYGHUR_ARABIC, Script.CYRILLIC):
        style = NameStyle.UYGHUR
    elif script is Script.LATIN:
        style = _latin_style(parts)
    return NameParts(text, script, parts, style, reordered, titles, aliases)
