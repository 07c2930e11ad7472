"""Name stocks for fictional people: Uyghur given names in Uyghur Latin script (ULY) with the
Chinese-character transcriptions official documents use, and Han surnames and given names.

Uyghur naming: a person's "surname" in documents is the father's given name, written after the
given name (Memet Tursun = Memet, son of Tursun; in characters 买买提·吐尔逊). The stocks below are
common given names; combinations drawn from them describe nobody in particular.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass

from umsc import UgMultiScriptConverter

# (ULY, Chinese transcription)
UYGHUR_MALE: tuple[tuple[str, str], ...] = (
    ("Memet", "买买提"),
    ("Exmet", "艾合买提"),
    ("Exmetjan", "艾合买提江"),
    ("Abdurehim", "阿不都热依木"),
    ("Abdureshit", "阿不都热西提"),
    ("Abdukérim", "阿不都克力木"),
    ("Abdulla", "阿不都拉"),
    ("Abliz", "阿不力孜"),
    ("Ablimit", "阿不力米提"),
    ("Abduweli", "阿不都外力"),
    ("Ablet", "阿不来提"),
    ("Tursun", "吐尔逊"),
    ("Tursunjan", "吐尔逊江"),
    ("Qurban", "库尔班"),
    ("Rozi", "肉孜"),
    ("Éli", "艾力"),
    ("Hesen", "艾山"),
    ("Hüseyin", "玉山"),
    ("Yasin", "亚森"),
    ("Ömer", "吾买尔"),
    ("Osman", "吾斯曼"),
    ("Nurmemet", "努尔买买提"),
    ("Mamut", "马木提"),
    ("Ismayil", "伊斯马伊力"),
    ("Ibrahim", "依布拉音"),
    ("Yüsüp", "玉素甫"),
    ("Yunus", "玉努斯"),
    ("Tahir", "塔依尔"),
    ("Toxti", "托合提"),
    ("Qadir", "卡地尔"),
    ("Kamil", "卡米力"),
    ("Rehman", "热合曼"),
    ("Nijat", "尼加提"),
    ("Erkin", "艾尔肯"),
    ("Ilham", "伊力哈木"),
    ("Ekber", "艾克拜尔"),
    ("Muxtar", "木合塔尔"),
    ("Ghopur", "吾甫尔"),
    ("Sadiq", "萨迪克"),
    ("Niyaz", "尼亚孜"),
    ("Mijit", "米吉提"),
    ("Sawut", "沙吾提"),
    ("Turghun", "吐尔洪"),
    ("Hamut", "哈木提"),
    ("Ömerjan", "吾买尔江"),
    ("Metniyaz", "买提尼亚孜"),
    ("Dilshat", "迪力夏提"),
    ("Perhat", "帕尔哈提"),
    ("Ekrem", "艾克热木"),
    ("Mutellip", "木太力普"),
    ("Obul", "吾布力"),
    ("Qasim", "卡斯木"),
    ("Tayir", "塔伊尔"),
    ("Eysa", "艾萨"),
    ("Musa", "木沙"),
    ("Yaqup", "亚库普"),
    ("Salam", "沙拉木"),
    ("Zunun", "祖农"),
    ("Ghappar", "阿帕尔"),
    ("Hoshur", "吾守尔"),
    ("Imin", "依明"),
    ("Ahmet", "阿合买提"),
)

UYGHUR_FEMALE: tuple[tuple[str, str], ...] = (
    ("Aygül", "阿依古丽"),
    ("Gülnar", "古丽娜尔"),
    ("Gülnisa", "古丽尼沙"),
    ("Patigül", "帕提古丽"),
    ("Patime", "帕提曼"),
    ("Ayshem", "阿依夏木"),
    ("Ayshemgül", "阿依先木古丽"),
    ("Zöhre", "祖合热"),
    ("Zulpiye", "祖力皮亚"),
    ("Mihriban", "米合日班"),
    ("Mayinur", "玛依努尔"),
    ("Nurgül", "努尔古丽"),
    ("Reyhangül", "热依汗古丽"),
    ("Hebibe", "艾比拜"),
    ("Amine", "阿米娜"),
    ("Roshengül", "肉先古丽"),
    ("Shirin", "西林"),
    ("Tursungül", "吐尔逊古丽"),
    ("Arzugül", "阿孜古丽"),
    ("Dilnur", "迪丽努尔"),
    ("Dilber", "迪丽拜尔"),
    ("Nurnisa", "努尔尼沙"),
    ("Gülbahar", "古丽巴哈尔"),
    ("Zeynep", "再努甫"),
    ("Meryem", "麦尔耶姆"),
    ("Saniye", "萨尼亚"),
    ("Gülshen", "古丽仙"),
    ("Buhelchem", "布海力其汗"),
    ("Hanzohre", "汗佐合热"),
    ("Muyesser", "木也塞尔"),
    ("Rabiye", "热比亚"),
    ("Sajide", "沙吉旦"),
    ("Ayimnisa", "阿依木尼沙"),
    ("Xadiche", "哈地恰"),
    ("Peride", "帕丽达"),
    ("Gülzar", "古丽扎尔"),
    ("Nazugül", "娜孜古丽"),
    ("Ruqiye", "如克亚"),
    ("Mehrigül", "米合日古丽"),
    ("Tajigül", "塔吉古丽"),
)

HAN_SURNAMES: tuple[tuple[str, str], ...] = (
    ("王", "Wang"),
    ("李", "Li"),
    ("张", "Zhang"),
    ("刘", "Liu"),
    ("陈", "Chen"),
    ("杨", "Yang"),
    ("赵", "Zhao"),
    ("黄", "Huang"),
    ("周", "Zhou"),
    ("吴", "Wu"),
    ("徐", "Xu"),
    ("孙", "Sun"),
    ("马", "Ma"),
    ("胡", "Hu"),
    ("朱", "Zhu"),
    ("郭", "Guo"),
    ("何", "He"),
    ("罗", "Luo"),
    ("高", "Gao"),
    ("林", "Lin"),
)
HAN_GIVEN_MALE: tuple[tuple[str, str], ...] = (
    ("伟", "Wei"),
    ("强", "Qiang"),
    ("磊", "Lei"),
    ("军", "Jun"),
    ("勇", "Yong"),
    ("杰", "Jie"),
    ("涛", "Tao"),
    ("明", "Ming"),
    ("超", "Chao"),
    ("刚", "Gang"),
    ("建国", "Jianguo"),
    ("志强", "Zhiqiang"),
    ("建华", "Jianhua"),
    ("海波", "Haibo"),
    ("国庆", "Guoqing"),
)
HAN_GIVEN_FEMALE: tuple[tuple[str, str], ...] = (
    ("芳", "Fang"),
    ("娜", "Na"),
    ("敏", "Min"),
    ("静", "Jing"),
    ("丽", "Li"),
    ("艳", "Yan"),
    ("娟", "Juan"),
    ("霞", "Xia"),
    ("秀英", "Xiuying"),
    ("桂英", "Guiying"),
    ("海燕", "Haiyan"),
    ("玉兰", "Yulan"),
    ("红梅", "Hongmei"),
)

_TO_ARABIC = UgMultiScriptConverter("ULS", "UAS")


@dataclass(frozen=True)
class Name:
    """A fictional person's name in the scripts the generator writes."""

    han: str  # as official documents write it in Chinese characters
    latin: str  # Uyghur Latin (ULY) for Uyghurs, pinyin for Han
    uyghur: bool

    @property
    def arabic(self) -> str:
        """Uyghur Arabic script (for Uyghur names)."""
        return _TO_ARABIC(self.latin) if self.uyghur else ""


def uyghur_name(given: tuple[str, str], father: tuple[str, str]) -> Name:
    return Name(f"{given[1]}·{father[1]}", f"{given[0]} {father[0]}", True)


def han_name(surname: tuple[str, str], given: tuple[str, str]) -> Name:
    return Name(surname[0] + given[0], f"{surname[1]} {given[1]}", False)


# -- spelling variants, as names appear in English-language testimonies and databases ------

_FAMILIES = {
    "Memet": ("Mehmet", "Mamat", "Muhammad", "Memet"),
    "Exmet": ("Ahmet", "Akhmet", "Ehmet"),
    "Ahmet": ("Ahmed", "Akhmet", "Exmet"),
    "Hesen": ("Hasan", "Hassan"),
    "Hüseyin": ("Huseyin", "Hussein", "Husayin"),
    "Ömer": ("Omer", "Omar"),
    "Yüsüp": ("Yusuf", "Yusup"),
    "Ibrahim": ("Ibrahim", "Abraham"),
    "Ismayil": ("Ismail", "Ismayil"),
    "Rehman": ("Rahman", "Rehman"),
    "Abdurehim": ("Abdurahim", "Abdurehim", "Abdurakhim"),
    "Meryem": ("Maryam", "Meryem"),
    "Xadiche": ("Khadija", "Hadiche"),
    "Zeynep": ("Zeynep", "Zaynab"),
}

_LETTERS = (
    ("x", "kh"),
    ("q", "k"),
    ("gh", "g"),
    ("é", "e"),
    ("ë", "e"),
    ("ü", "u"),
    ("ö", "o"),
    ("zh", "j"),
    ("ch", "ch"),
    ("sh", "sh"),
)


def ascii_fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def english_style(latin: str, rng: random.Random) -> str:
    """How an English-language testimony might spell a ULY name: family spellings (Memet →
    Mehmet / Mamat / Muhammad), x → kh, q → k, gh → g, diacritics dropped."""
    parts = []
    for word in latin.split():
        if word in _FAMILIES and rng.random() < 0.7:
            word = rng.choice(_FAMILIES[word])
        else:
            low = word.lower()
            for a, b in _LETTERS:
                low = low.replace(a, b)
            word = ascii_fold(low).capitalize()
        parts.append(word)
    return " ".join(parts)


def typo(text: str, rng: random.Random) -> str:
    """One keyboard slip: a dropped, doubled or swapped letter (never the first)."""
    if len(text) < 4:
        return text
    i = rng.randrange(1, len(text) - 1)
    if not text[i].isalpha():
        return text
    kind = rng.choice(("drop", "double", "swap"))
    if kind == "drop":
        return text[:i] + text[i + 1 :]
    if kind == "double":
        return text[:i] + text[i] + text[i:]
    if text[i + 1].isalpha():
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    return text
