"""County names across scripts: one key for a Xinjiang county, whether a record names it by
the region code of an ID number (墨玉县 in python-stdnum's table), in Uyghur Latin
(Qaraqash), in Uyghur Arabic script (قاراقاش), or in an English or pinyin spelling (Karakax,
Moyu). Police rosters carry region codes; testimonies and victim databases carry place names.

The key is the county's Chinese name as python-stdnum's region table writes it (for a code),
so a code and a place name meet on the same value. The table below holds the county-level
units of the Xinjiang Uyghur Autonomous Region with their Uyghur Latin (ULY) names and the
English and pinyin spellings most used in reporting; its limits: districts of one city that
share a Latin name with a county elsewhere are listed with their "rayoni" (district) form
only; names not in the table fall back to their folded spelling, which matches only the same
spelling.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

from scrutiny.identity import resident_id
from scrutiny.identity.names import Script, detect_script, fold, to_uly

# Chinese name (as in python-stdnum's table) → ULY name, then other Latin spellings.
COUNTIES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    # Ürümqi
    ("天山区", "Tengritagh rayoni", ("Tianshan District",)),
    ("沙依巴克区", "Saybagh rayoni", ("Saybag District", "Shayibake")),
    ("新市区", "Yéngisheher rayoni", ("Ürümchi Yéngi Sheher", "Xinshi District")),
    ("水磨沟区", "Shuymogou rayoni", ("Shuimogou",)),
    ("头屯河区", "Toutunxé rayoni", ("Toutunhe",)),
    ("达坂城区", "Dawanching rayoni", ("Dabancheng",)),
    ("米东区", "Midong rayoni", ("Midong",)),
    ("乌鲁木齐县", "Ürümchi nahiyisi", ("Urumqi County",)),
    ("克拉玛依区", "Qaramay", ("Karamay", "Kelamayi")),
    # Turpan
    ("高昌区", "Turpan", ("Turfan", "Tulufan", "Qarahoja", "Gaochang")),
    ("鄯善县", "Pichan", ("Piqan", "Shanshan")),
    ("托克逊县", "Toqsun", ("Toksun", "Tuokexun")),
    # Hami
    ("伊州区", "Qumul", ("Kumul", "Hami", "Yizhou")),
    ("巴里坤哈萨克自治县", "Barköl", ("Barkol", "Balikun")),
    ("伊吾县", "Aratürük", ("Araturuk", "Yiwu")),
    # Changji
    ("昌吉市", "Sanji", ("Changji",)),
    ("阜康市", "Fukang", ()),
    ("呼图壁县", "Qutubi", ("Hutubi",)),
    ("玛纳斯县", "Manas", ()),
    ("奇台县", "Guchung", ("Qitai",)),
    ("吉木萨尔县", "Jimsar", ("Jimusa'er",)),
    ("木垒哈萨克自治县", "Mori", ("Mulei",)),
    # Bortala
    ("博乐市", "Bortala", ("Bole",)),
    ("精河县", "Jing", ("Jinghe",)),
    ("温泉县", "Arishang", ("Wenquan",)),
    # Bayingolin
    ("库尔勒市", "Korla", ("Kuerle",)),
    ("轮台县", "Bügür", ("Bugur", "Luntai")),
    ("尉犁县", "Lopnur", ("Yuli",)),
    ("若羌县", "Charqiliq", ("Charkhlik", "Ruoqiang")),
    ("且末县", "Cherchen", ("Qarqan", "Qiemo")),
    ("焉耆回族自治县", "Qarasheher", ("Karashahr", "Yanqi")),
    ("和静县", "Xéjing", ("Hejing",)),
    ("和硕县", "Xoshut", ("Hoxud", "Heshuo")),
    ("博湖县", "Baghrash", ("Bohu",)),
    # Aksu
    ("阿克苏市", "Aqsu", ("Aksu", "Akesu")),
    ("温宿县", "Onsu", ("Wensu",)),
    ("库车县", "Kucha", ("Kuqa", "Kuchar", "Kuche")),
    ("库车市", "Kucha", ("Kuqa", "Kuchar", "Kuche")),
    ("沙雅县", "Shayar", ("Xayar", "Shaya")),
    ("新和县", "Toqsu", ("Toksu", "Xinhe")),
    ("拜城县", "Bay", ("Baicheng",)),
    ("乌什县", "Uchturpan", ("Uqturpan", "Wushi")),
    ("阿瓦提县", "Awat", ("Awati",)),
    ("柯坪县", "Kelpin", ("Keping",)),
    # Kizilsu
    ("阿图什市", "Atush", ("Artush", "Artux", "Atushi")),
    ("阿克陶县", "Aqto", ("Akto", "Aketao")),
    ("阿合奇县", "Aqchi", ("Akqi", "Aheqi")),
    ("乌恰县", "Ulughchat", ("Ulugqat", "Wuqia")),
    # Kashgar
    ("喀什市", "Qeshqer", ("Kashgar", "Kashi", "Kaxgar")),
    ("疏附县", "Konasheher", ("Kona Sheher", "Shufu")),
    ("疏勒县", "Yéngisheher", ("Yengisheher", "Shule")),
    ("英吉沙县", "Yéngisar", ("Yengisar", "Yingjisha")),
    ("泽普县", "Poskam", ("Zepu",)),
    ("莎车县", "Yeken", ("Yarkand", "Yarkent", "Shache")),
    ("叶城县", "Qaghiliq", ("Kargilik", "Karghalik", "Yecheng")),
    ("麦盖提县", "Mekit", ("Makit", "Maigaiti")),
    ("岳普湖县", "Yopurgha", ("Yopurga", "Yuepuhu")),
    ("伽师县", "Peyziwat", ("Payzawat", "Jiashi")),
    ("巴楚县", "Maralbéshi", ("Maralbexi", "Maralbeshi", "Bachu")),
    ("塔什库尔干塔吉克自治县", "Tashqorghan", ("Tashkurgan", "Taxkorgan", "Tashiku'ergan")),
    # Hotan
    ("和田市", "Xoten", ("Hotan", "Khotan", "Hetian", "Xoten shehiri")),
    ("和田县", "Xoten nahiyisi", ("Hotan County", "Hetian County")),
    ("墨玉县", "Qaraqash", ("Karakax", "Karakash", "Moyu")),
    ("皮山县", "Guma", ("Pishan",)),
    ("洛浦县", "Lop", ("Lopu", "Luopu")),
    ("策勒县", "Chira", ("Qira", "Cele")),
    ("于田县", "Keriye", ("Keriya", "Yutian")),
    ("民丰县", "Niye", ("Niya", "Minfeng")),
    # Ili
    ("伊宁市", "Ghulja", ("Gulja", "Kulja", "Yining")),
    ("奎屯市", "Küytun", ("Kuytun", "Kuitun")),
    ("伊宁县", "Ghulja nahiyisi", ("Yining County",)),
    ("察布查尔锡伯自治县", "Chapchal", ("Qapqal", "Chabucha'er")),
    ("霍城县", "Qorghas", ("Korgas", "Huocheng")),
    ("巩留县", "Toqquztara", ("Tokkuztara", "Gongliu")),
    ("新源县", "Künes", ("Kunes", "Xinyuan")),
    ("昭苏县", "Mongghulküre", ("Mongolkure", "Zhaosu")),
    ("特克斯县", "Tékes", ("Tekes", "Tekesi")),
    ("尼勒克县", "Nilqa", ("Nilka", "Nileke")),
    # Tacheng
    ("塔城市", "Chöchek", ("Qoqek", "Tacheng")),
    ("乌苏市", "Shiho", ("Wusu",)),
    ("额敏县", "Dörbiljin", ("Dorbiljin", "Emin")),
    ("沙湾县", "Saway", ("Shawan",)),
    ("托里县", "Toli", ("Tuoli",)),
    ("裕民县", "Chaghantoqay", ("Qagantokay", "Yumin")),
    ("和布克赛尔蒙古自治县", "Qobuqsar", ("Hoboksar", "Hebukesaier")),
    # Altay
    ("阿勒泰市", "Altay", ("Aletai",)),
    ("布尔津县", "Burchin", ("Burqin", "Bu'erjin")),
    ("富蕴县", "Köktoqay", ("Koktokay", "Fuyun")),
    ("福海县", "Burultoqay", ("Burultokay", "Fuhai")),
    ("哈巴河县", "Qaba", ("Kaba", "Habahe")),
    ("青河县", "Chinggil", ("Qinggil", "Qinghe")),
    ("吉木乃县", "Jimunay", ("Jeminay", "Jimunai")),
    # cities under the region
    ("石河子市", "Shixenza", ("Shihezi",)),
)

_GENERIC = re.compile(r"\b(county|city|district|prefecture|nahiyisi|nahiye|shehiri|sheher"
                      r"|rayoni|xian|shi|qu)\b")


def place_key(text: str) -> str:
    """A spelling-independent key of a Latin, Arabic-script or Cyrillic place name: read
    into Uyghur Latin when it is not Latin, each word folded (names.fold), joined by
    spaces."""
    text = text.strip()
    if detect_script(text) in (Script.UYGHUR_ARABIC, Script.CYRILLIC):
        text = to_uly(text)
    words = re.findall(r"[^\W\d_]+(?:['’][^\W\d_]+)?", text.lower())
    return " ".join(fold(w) for w in words if w)


@cache
def _index() -> dict[str, str]:
    """Latin key → county key. A spelling two counties share decides nothing and is left
    out, unless it is the ULY name of exactly one of them."""
    owners: dict[str, set[str]] = {}
    primary: dict[str, set[str]] = {}
    for han, uly, others in COUNTIES:
        county = _same(han)
        primary.setdefault(place_key(uly), set()).add(county)
        for spelling in (uly, *others):
            owners.setdefault(place_key(spelling), set()).add(county)
    index: dict[str, str] = {}
    for key, counties in owners.items():
        if len(counties) == 1:
            index[key] = next(iter(counties))
        elif len(primary.get(key, ())) == 1:
            index[key] = next(iter(primary[key]))
    return index


_HAN = {han for han, _, _ in COUNTIES}


@lru_cache(maxsize=65536)
def county_of_place(text: str) -> str | None:
    """The county key of a place name in any script: the Chinese name for a county in the
    table (with or without 县/市 and generic words such as "County", "nahiyisi"), else the
    folded spelling; None for an empty name."""
    text = text.strip()
    if not text:
        return None
    if detect_script(text) == Script.HAN:
        for suffix in ("", "县", "市", "区"):
            if text + suffix in _HAN:
                return _same(text + suffix)
        return text
    index = _index()
    key = place_key(text)
    found = index.get(key) or index.get(place_key(_GENERIC.sub(" ", text.lower())))
    return _same(found) if found else (key or None)


@lru_cache(maxsize=8192)
def county_of_code(code: str, year: int | None = None) -> str | None:
    """The county key of a 6-digit region code (python-stdnum's name for it in ``year``, or
    its latest name); None when the table does not know the code."""
    region = resident_id.region(code)
    if region is None:
        return None
    name = region.name_in(year) or region.current_name
    return _same(name) if name else None


def _same(han: str) -> str:
    """One key for a county renamed from 县 to 市 (库车县 → 库车市)."""
    return "库车市" if han == "库车县" else han


def latin_name(han: str) -> str | None:
    """The Uyghur Latin name of a county in the table, for display."""
    return next((uly for h, uly, _ in COUNTIES if h == han), None)
