"""Phonetic keys for Latin spellings of Uyghur (and other) names.

One Uyghur name reaches an investigator in many Latin spellings: ULY (Exmet, Qurban, Xeyrinisa),
Turkish (Ahmet, Kurban, Hayrinisa, Tursuncan), English (Akhmet, Kurban, Khairinisa), Russian
transliteration (Tursunov), pinyin-influenced (Mamat). :func:`fold` maps them onto one key by
collapsing the differences that spelling systems make but the name does not:

- letters: q → k; x, kh, h → h; gh, ğ → g; j, zh, dj, c (Turkish c) → j; ch, ç → ç; sh, ş → ş;
  f, ph → p (Uyghur has p for Arabic f: Patime = Fatima); v, w → w; th → t;
- vowels to three classes: a e é ä ë ə → a; o ö u ü → u; i ı í → i (Uyghur writes e where
  Arabic-derived spellings have a: Rehman/Rahman, Ekber/Akbar; ö/o and ü/u are the letters
  other alphabets lack; o/u vary between transcriptions: Rozi/Ruzi, Osman/Usman);
- h and y between vowels dropped, y after a vowel read as i (Tahir/Tayir, Abdurehim/Abduréyim,
  Aygül/Aigul, Ismayil/Ismail); w between a vowel and u dropped (Dawut/Daud); a final h after
  a vowel dropped (Abdullah);
- doubled letters single (Muhemmed, Mutellip); final d, b, g → t, p, k (Ahmad/Ahmet,
  Yaqub/Yaqup, Beg/Bek);
- endings: -jang → -jan, -guli → -gul, Russian -ov/-ova/-ev/-eva/-ovich/-ovna dropped
  (Tursunov → Tursun), Abdul- before a consonant → Abdu- (Abdulkerim = Abdukérim);
- name families that no letter rule joins: Memet, Mehmet, Mamat, Muhammad, Mohammed,
  Muhemmed… fold to one key (:data:`FAMILIES`), also at the start or end of a compound
  (Nurmemet = Nurmuhammad, Memetjan).

Limits: the key over-joins on purpose (Tursun/Torsun, also Han pinyin Zhou/Zhu and
Zhang/Zheng, which :func:`scrutiny.identity.names.compare` checks separately), and it keeps
apart what is a different name (Tursun/Tursunay, Ablet/Abliz, Gülnar/Gülnur,
Memet/Mehmud: Mahmud is its own name). It is a key for blocking and for "same name,
different spelling"; how alike two different keys are is :func:`jaro_winkler`'s job.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = ["FAMILIES", "fold", "fold_base", "jaro_winkler", "plain", "skeleton"]

_CHARS = str.maketrans({
    "č": "ç", "ć": "ç", "š": "ş", "ś": "ş", "ș": "ş", "ž": "zh", "ź": "z",
    "ż": "z", "ğ": "gh", "ñ": "ng", "ŋ": "ng", "ı": "i", "χ": "x", "ß": "ss", "ə": "e",
    "ǝ": "e", "æ": "e", "ø": "o", "œ": "o", "đ": "d", "ł": "l", "ɣ": "gh",
})
_NON_LETTER = re.compile(r"[^a-zçş]+")
_MARKS = re.compile(r"(?![\u0327])[\u0300-\u036f]")  # combining marks but the cedilla
_DIGRAPHS = {
    "dzh": "j", "tch": "ç", "sch": "ş", "kh": "h", "gh": "g", "zh": "j", "sh": "ş",
    "ch": "ç", "dj": "j", "ck": "k", "ph": "p", "th": "t", "ee": "i", "oo": "u", "ou": "u",
}
_DIGRAPH_RE = re.compile("|".join(sorted(_DIGRAPHS, key=len, reverse=True)))
_SINGLE = str.maketrans({"c": "j", "q": "k", "x": "h", "f": "p", "v": "w", "e": "a", "o": "u"})
_VOWEL = "[aiu]"
_GLIDE_DROP = re.compile(rf"(?<={_VOWEL})[hy](?={_VOWEL})|(?<=u)w(?={_VOWEL})|(?<={_VOWEL})w(?=u)")
_Y_AS_I = re.compile(rf"(?<={_VOWEL})y(?!{_VOWEL})")
_FINAL_H = re.compile(rf"(?<={_VOWEL})h$")
_DOUBLE = re.compile(r"(.)\1+")
_ABDUL = re.compile(r"^abdul(?=[^aiu])")
_RUSSIAN = re.compile(r"(?<=[^aiu])(?:uwiç|awiç|uwna|awna|uwa|awa|uw|aw)$")
_ENDINGS = re.compile(r"(?<=..)jang$|guli$")
_DEVOICE = {"d": "t", "b": "p", "g": "k"}


def _letters(token: str) -> str:
    """``token`` in lower-case a-z, ç and ş: accents off, other special letters spelt out.

    The identity on strings of those letters, which is what makes fold() idempotent.
    """
    s = unicodedata.normalize("NFKD", token.casefold().translate(_CHARS))
    if "\u0327" in s:
        s = s.replace("c\u0327", "ç").replace("s\u0327", "ş")
    return _NON_LETTER.sub("", _MARKS.sub("", s))


def _base_once(s: str) -> str:
    s = _DIGRAPH_RE.sub(lambda m: _DIGRAPHS[m.group()], s).translate(_SINGLE)
    s = _GLIDE_DROP.sub("", s)
    s = _Y_AS_I.sub("i", s)
    s = _FINAL_H.sub("", s)
    s = _DOUBLE.sub(r"\1", s)
    if len(s) > 5:
        s = _ABDUL.sub("abdu", s)
        s = _RUSSIAN.sub("", s) if len(s) - 2 >= 4 else s
    s = _ENDINGS.sub(lambda m: "jan" if m.group().startswith("j") else "gul", s)
    if len(s) > 1 and s[-1] in _DEVOICE and not s.endswith("ng"):
        s = s[:-1] + _DEVOICE[s[-1]]
    return s


@lru_cache(maxsize=1 << 18)
def fold_base(token: str) -> str:
    """The letter-rule key of one name component, without the family table."""
    s = _letters(token)
    for _ in range(8):
        t = _base_once(s)
        if t == s:
            break
        s = t
    return s


# Families: spellings of one name that the letter rules do not bring together. Keys are the
# name's usual English spelling; every listed spelling folds to fold_base(key).
FAMILIES: dict[str, tuple[str, ...]] = {
    "Muhammad": ("Muhemmed", "Muhammed", "Muhammet", "Mohammed", "Mohammad", "Mohamed",
                 "Mukhammad", "Mehmet", "Mehmed", "Memet", "Memed", "Mamat", "Mamet",
                 "Mehemmet", "Magomed", "Muhemmet", "Maimaiti"),
    "Mahmud": ("Mahmut", "Mehmut", "Mexmut", "Mamut", "Makhmud", "Mahmoud"),
    "Yusuf": ("Yüsüp", "Yusup", "Jusup", "Yusuf", "Yousef"),
    "Husayn": ("Hüseyin", "Hüsen", "Husein", "Hussein", "Husayn", "Hüseyn", "Husen"),
    "Khadija": ("Xadiche", "Hadiche", "Hatice", "Khadicha", "Xediche", "Hadija"),
    "Maryam": ("Meryem", "Mariam", "Mariyam", "Meryam", "Mariyem"),
    "Isa": ("Eysa", "Aisa", "Issa", "Eisa", "Yisa"),
    "Yaqub": ("Yaqup", "Yakup", "Jakup", "Yakub", "Yacoub", "Yaqub"),
    "Abdullah": ("Abdulla", "Abdalla", "Abdallah", "Abdullo"),
    "Ismail": ("Ismayil", "Smail", "Ismail", "Ismayl", "Ismoil"),
    "Umar": ("Ömer", "Omar", "Umer", "Omer", "Umar"),
}


def _build_families() -> tuple[dict[str, str], re.Pattern[str], re.Pattern[str]]:
    index: dict[str, str] = {}
    for key, variants in FAMILIES.items():
        canonical = fold_base(key)
        index[canonical] = canonical
        for v in variants:
            f = fold_base(v)
            if index.get(f, canonical) != canonical:
                raise ValueError(f"{v} folds into two families")
            index[f] = canonical
    # compound parts: only variants of 4+ letters, so short keys do not eat other names
    parts = sorted((k for k in index if len(k) >= 5), key=len, reverse=True)
    alternation = "|".join(parts)
    prefix = re.compile(rf"^({alternation})(?=.{{2,}})")
    suffix = re.compile(rf"(?<=..)({alternation})$")
    return index, prefix, suffix


_FAMILY, _FAMILY_PREFIX, _FAMILY_SUFFIX = _build_families()


def _family(s: str) -> str:
    whole = _FAMILY.get(s)
    if whole is not None:
        return whole
    s = _FAMILY_PREFIX.sub(lambda m: _FAMILY[m.group(1)], s)
    return _FAMILY_SUFFIX.sub(lambda m: _FAMILY[m.group(1)], s)


@lru_cache(maxsize=1 << 18)
def fold(token: str) -> str:
    """The phonetic key of one name component (see the module docstring for the rules).

    >>> fold("Memet") == fold("Mehmet") == fold("Mamat") == fold("Muhammad")
    True
    >>> fold("Xeyrinisa") == fold("Khairinisa") == fold("Hayrinisa")
    True

    Idempotent: ``fold(fold(x)) == fold(x)``. Empty for a token without letters.
    """
    s = fold_base(token)  # a fixed point of the letter rules
    for _ in range(8):
        f = _family(s)
        if f == s:
            break
        t = fold_base(f)
        if t == s:
            break
        s = t
    return s


_SKELETON_DROP = re.compile(r"[aiuyhw]")


@lru_cache(maxsize=1 << 18)
def skeleton(key: str) -> str:
    """The consonant skeleton of a folded key: its first letter, then the consonants of the
    rest without y, w and h, doubles single (``tursun`` → ``trsn``, ``abduraim`` → ``abdrm``).

    Coarser than :func:`fold` (Tursun and Tursunay share ``trsn``); robust to the vowels
    Chinese transcription adds or drops (阿不都 read as Abudu or Abdu). For blocking only.
    """
    if not key:
        return ""
    return _DOUBLE.sub(r"\1", key[0] + _SKELETON_DROP.sub("", key[1:]))


_PLAIN = str.maketrans({"ë": "é", "’": "", "'": "", "-": "", "ʼ": "", "‘": "", "`": ""})


@lru_cache(maxsize=1 << 18)
def plain(token: str) -> str:
    """``token`` as written, only case-folded and NFC-normalised (ë → é, no apostrophes).

    Two components with equal ``plain`` forms are an exact match.
    """
    return unicodedata.normalize("NFC", token).casefold().translate(_PLAIN)


@lru_cache(maxsize=1 << 16)
def jaro_winkler(a: str, b: str, prefix_weight: float = 0.1) -> float:
    """Jaro-Winkler similarity of two strings, 0.0 (nothing alike) to 1.0 (equal).

    Jaro counts characters that agree within a window of half the longer length, penalises
    transpositions; Winkler adds a bonus for a common prefix of up to four characters, which
    suits names (spelling varies more at the end than at the start).
    """
    if a == b:
        return 1.0
    la, lb = len(a), len(b)
    if not la or not lb:
        return 0.0
    window = max(max(la, lb) // 2 - 1, 0)
    a_hit = [False] * la
    b_hit = [False] * lb
    matches = 0
    for i, ch in enumerate(a):
        lo, hi = max(0, i - window), min(lb, i + window + 1)
        for j in range(lo, hi):
            if not b_hit[j] and b[j] == ch:
                a_hit[i] = b_hit[j] = True
                matches += 1
                break
    if not matches:
        return 0.0
    a_seq = [ch for ch, hit in zip(a, a_hit, strict=True) if hit]
    b_seq = [ch for ch, hit in zip(b, b_hit, strict=True) if hit]
    transpositions = sum(x != y for x, y in zip(a_seq, b_seq, strict=True)) / 2
    jaro = (matches / la + matches / lb + (matches - transpositions) / matches) / 3
    prefix = 0
    for x, y in zip(a[:4], b[:4], strict=False):
        if x != y:
            break
        prefix += 1
    return jaro + prefix * prefix_weight * (1 - jaro)
