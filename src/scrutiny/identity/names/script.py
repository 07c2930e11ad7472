"""Which script a name is written in, and conversion between the Uyghur scripts.

Uyghur is written in three scripts that map letter for letter onto each other:
- Uyghur Arabic script (UEY, the official script in Xinjiang): مەمەت تۇرسۇن
- Uyghur Latin script (ULY, the 2001 computer Latin): Memet Tursun
- Uyghur Cyrillic (used in Kazakhstan and the former USSR): Мәмәт Турсун

Conversion goes through the ``umsc`` library. Before converting we normalise what real text
contains and umsc does not expect: Arabic presentation forms (from PDFs and old fonts) are
folded to plain letters with NFKC; Arabic ه (U+0647) typed for Uyghur ە, Persian ک for ك and
ی for ي are replaced; tatweel, zero-width joiners and Arabic vowel marks are dropped; Russian
letters that Uyghur Cyrillic lacks (ц, щ, ы, э, ё, ь, ъ) are spelled out.

ULY output uses é for ې, as the ULY standard does; ë (an older habit) is read as é on input.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from functools import lru_cache

from umsc import UgMultiScriptConverter

__all__ = ["Script", "detect_script", "from_uly", "normalize_uly", "to_uly"]


class Script(enum.StrEnum):
    """The writing system of a piece of text (only letters count, not digits or punctuation)."""

    HAN = "han"
    UYGHUR_ARABIC = "uyghur_arabic"
    LATIN = "latin"
    CYRILLIC = "cyrillic"
    MIXED = "mixed"
    UNKNOWN = "unknown"


def _char_script(ch: str) -> Script | None:
    o = ord(ch)
    if o < 0x80:
        return Script.LATIN if ch.isalpha() else None
    if (0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0x20000 <= o <= 0x3134F
            or 0xF900 <= o <= 0xFAFF):
        return Script.HAN
    if (0x0600 <= o <= 0x06FF or 0x0750 <= o <= 0x077F or 0xFB50 <= o <= 0xFDFF
            or 0xFE70 <= o <= 0xFEFF):
        return Script.UYGHUR_ARABIC if ch.isalpha() else None
    if 0x0400 <= o <= 0x052F:
        return Script.CYRILLIC if ch.isalpha() else None
    if 0x00C0 <= o <= 0x024F or 0x1E00 <= o <= 0x1EFF or o in (0x0259, 0x018F):
        return Script.LATIN if ch.isalpha() else None
    return None


@lru_cache(maxsize=65536)
def detect_script(text: str) -> Script:
    """The script of ``text``: HAN, UYGHUR_ARABIC, LATIN, CYRILLIC, MIXED or UNKNOWN.

    Digits, spaces, separators (· - ,) and punctuation are ignored; MIXED means letters of two
    or more scripts (e.g. 买买提 Memet); UNKNOWN means no letter of these scripts at all.
    """
    if text.isascii():
        return Script.LATIN if any(ch.isalpha() for ch in text) else Script.UNKNOWN
    found: set[Script] = set()
    for ch in text:
        s = _char_script(ch)
        if s is not None:
            found.add(s)
            if len(found) > 1:
                return Script.MIXED
    return found.pop() if found else Script.UNKNOWN


# --- normalisation -------------------------------------------------------------------------

_ARABIC_FIXES = str.maketrans({
    "\u0647": "\u06d5",  # Arabic heh typed for Uyghur ae (ە)
    "\u06c1": "\u06d5",  # heh goal
    "\u0629": "\u06d5",  # teh marbuta
    "\u06a9": "\u0643",  # keheh -> kaf
    "\u06cc": "\u064a",  # Farsi yeh -> yeh
    "\u0622": "\u0627",  # alef with madda
    "\u0623": "\u0627",  # alef with hamza above
    "\u0625": "\u0627",  # alef with hamza below
    "\u0640": None,  # tatweel
    "\u200c": None, "\u200d": None, "\u200e": None, "\u200f": None, "\ufeff": None,
    "\u060c": ",", "\u061b": ";", "\u061f": "?",
})
_ARABIC_MARKS = re.compile("[\u064b-\u065f\u0670\u06e1-\u06ed]")

_CYRILLIC_FIXES = str.maketrans({
    "ё": "йо", "Ё": "Йо", "ц": "тс", "Ц": "Тс", "щ": "шч", "Щ": "Шч", "ы": "и", "Ы": "И",
    "э": "ә", "Э": "Ә", "ь": None, "Ь": None, "ъ": None, "Ъ": None,
    "ұ": "у", "Ұ": "У", "і": "и", "І": "И", "ї": "и", "ў": "в", "Ў": "В",
})

_LATIN_FIXES = str.maketrans({
    "ë": "é", "Ë": "É", "’": "'", "ʼ": "'", "`": "'", "ʻ": "'", "‘": "'", "´": "'",
})

_ARABIC_RUN = re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]+")
_CYRILLIC_RUN = re.compile(r"[\u0400-\u052f]+")
_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+")
_WORD_START = re.compile(r"(^|[\s·•・‧･\-/,(])(\w)")

_A2L = UgMultiScriptConverter("UAS", "ULS")
_C2L = UgMultiScriptConverter("UCS", "ULS")
_L2A = UgMultiScriptConverter("ULS", "UAS")
_L2C = UgMultiScriptConverter("ULS", "UCS")


def _capitalise(text: str) -> str:
    return _WORD_START.sub(lambda m: m.group(1) + m.group(2).upper(), text)


@lru_cache(maxsize=65536)
def _arabic_to_uly(run: str) -> str:
    run = _ARABIC_MARKS.sub("", run.translate(_ARABIC_FIXES))
    return str(_A2L(run))


@lru_cache(maxsize=65536)
def _cyrillic_to_uly(run: str) -> str:
    return str(_C2L(run.translate(_CYRILLIC_FIXES)))


def normalize_uly(text: str) -> str:
    """ULY text tidied: NFC, ë read as é, typographic apostrophes made ASCII."""
    return unicodedata.normalize("NFC", text).translate(_LATIN_FIXES)


@lru_cache(maxsize=65536)
def to_uly(text: str) -> str:
    """``text`` in Uyghur Latin script (ULY), whatever script it was written in.

    Uyghur Arabic and Uyghur Cyrillic runs are converted with umsc and given capital initials
    (the source scripts have none, or umsc drops them); Latin text is only tidied (ë → é).
    Chinese characters are read as a transcription of a Uyghur name, or as pinyin when the
    name looks like a Han name (see :func:`scrutiny.identity.names.romanize_hanzi`): a best
    guess, where the Uyghur scripts are an exact letter-for-letter conversion.
    """
    text = unicodedata.normalize("NFKC", text)
    converted = False
    if _ARABIC_RUN.search(text):
        text = _ARABIC_RUN.sub(lambda m: _arabic_to_uly(m.group()), text)
        converted = True
    if _CYRILLIC_RUN.search(text):
        text = _CYRILLIC_RUN.sub(lambda m: _cyrillic_to_uly(m.group()), text)
        converted = True
    if _HAN_RUN.search(text):
        from .hanzi import romanize_hanzi  # a cycle: hanzi uses this module's helpers

        text = romanize_hanzi(text)
        converted = True
    text = normalize_uly(text)
    return _capitalise(text) if converted else text


def from_uly(text: str, script: Script) -> str:
    """ULY ``text`` written in ``script`` (UYGHUR_ARABIC, CYRILLIC, or LATIN: unchanged).

    Cyrillic comes out in lower case with capital initials. Raises ValueError for scripts
    Uyghur is not written in here (HAN: use :func:`hanzi_to_uly` the other way round).
    """
    text = normalize_uly(text)
    if script is Script.UYGHUR_ARABIC:
        return str(_L2A(text))
    if script is Script.CYRILLIC:
        return _capitalise(str(_L2C(text)))
    if script is Script.LATIN:
        return text
    raise ValueError(f"cannot write Uyghur Latin in {script.value}")
