"""Places of the fictional leaks: real Xinjiang county codes and names (the region codes of
real ID numbers), approximate county-seat coordinates, and fictional townships and facilities.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class County:
    code: str        # GB/T 2260 region code, as in resident ID numbers
    han: str         # county name in characters (python-stdnum's table agrees)
    latin: str       # Uyghur Latin name, as testimonies write it
    prefecture: str
    lat: float       # approximate county seat
    lon: float
    phone_area: str  # landline area code
    uyghur_share: float  # share of Uyghur residents drawn for this county


COUNTIES: tuple[County, ...] = (
    County("653222", "墨玉县", "Qaraqash", "和田地区", 37.277, 79.727, "0903", 0.97),
    County("653221", "和田县", "Xoten Nahiyisi", "和田地区", 37.098, 79.812, "0903", 0.96),
    County("653201", "和田市", "Xoten", "和田地区", 37.112, 79.926, "0903", 0.85),
    County("653223", "皮山县", "Guma", "和田地区", 37.621, 78.282, "0903", 0.96),
    County("653224", "洛浦县", "Lop", "和田地区", 37.074, 80.189, "0903", 0.97),
    County("653225", "策勒县", "Chira", "和田地区", 37.001, 80.806, "0903", 0.96),
    County("653226", "于田县", "Keriye", "和田地区", 36.857, 81.667, "0903", 0.96),
    County("653101", "喀什市", "Qeshqer", "喀什地区", 39.467, 75.994, "0998", 0.80),
    County("653121", "疏附县", "Konasheher", "喀什地区", 39.375, 75.862, "0998", 0.95),
    County("653122", "疏勒县", "Yéngisheher", "喀什地区", 39.401, 76.054, "0998", 0.90),
    County("653125", "莎车县", "Yeken", "喀什地区", 38.414, 77.246, "0998", 0.95),
    County("653126", "叶城县", "Qaghiliq", "喀什地区", 37.883, 77.413, "0998", 0.93),
    County("653129", "伽师县", "Peyziwat", "喀什地区", 39.488, 76.724, "0998", 0.97),
    County("652901", "阿克苏市", "Aqsu", "阿克苏地区", 41.168, 80.263, "0997", 0.45),
    County("652924", "沙雅县", "Shayar", "阿克苏地区", 41.221, 82.781, "0997", 0.80),
    County("654002", "伊宁市", "Ghulja", "伊犁哈萨克自治州", 43.909, 81.277, "0999", 0.50),
    County("650104", "新市区", "Ürümchi Yéngi Sheher", "乌鲁木齐市", 43.843, 87.599, "0991", 0.20),
)

BY_CODE = {c.code: c for c in COUNTIES}

# Generic Uyghur toponyms (Qarasu "black water", Toghraq "poplar", Aqtash "white stone", …)
# combined into fictional township names.
TOWNSHIPS: tuple[str, ...] = (
    "喀拉苏乡", "托格拉克乡", "阿克塔什镇", "库木巴格乡", "英阿瓦提乡", "阿热勒乡", "巴格其镇",
    "萨依巴格乡", "吐格曼乡", "玉吉米勒克乡", "英也尔乡", "阿克其乡",
)

# Kinds of places people are listed as held in, in the wording official documents use.
FACILITY_KINDS: tuple[tuple[str, str], ...] = (
    ("第{n}职业技能教育培训中心", "Vocational Skills Education and Training Centre No. {n}"),
    ("看守所", "Detention Centre"),
    ("拘留所", "Administrative Detention Facility"),
    ("第{n}教培中心", "Education and Training Centre No. {n}"),
)


_NUMERALS = "〇一二三四五六七八九"


@dataclass(frozen=True)
class Facility:
    key: str         # stable id in the ground truth, e.g. "F03"
    han: str
    english: str
    county: str      # county code
    lat: float
    lon: float
    opened: str      # first-seen date of the fictional register (ISO)


def facilities_for(counties: tuple[County, ...], rng_offsets: list[tuple[float, float]],
                   ) -> list[Facility]:
    """One or two fictional facilities per county, placed a few km from its seat."""
    out: list[Facility] = []
    k = 0
    for i, county in enumerate(counties):
        for j in range(2 if i % 3 == 0 else 1):
            han_tpl, en_tpl = FACILITY_KINDS[(i + j) % len(FACILITY_KINDS)]
            n = j + 1 + (i % 4)
            dlat, dlon = rng_offsets[k % len(rng_offsets)]
            out.append(Facility(
                key=f"F{k + 1:02d}",
                han=county.han + han_tpl.format(n=_NUMERALS[n]),
                english=f"{county.latin} {en_tpl.format(n=n)}",
                county=county.code,
                lat=round(county.lat + dlat, 5),
                lon=round(county.lon + dlon, 5),
                # first seen in imagery before the leak's earliest detention (2017-03)
                opened=f"{2015 + (k % 2)}-{1 + (k * 5) % 12:02d}-01",
            ))
            k += 1
    return out
