"""Fictional people: names, sex, birth dates, home counties, ID numbers and families.

Every ID number drawn here is unique within a leak, valid under GB 11643 (python-stdnum agrees)
and consistent with the person's birth date, sex and home county.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, replace

from scrutiny.identity import resident_id
from scrutiny.synth import names as N
from scrutiny.synth.places import COUNTIES, TOWNSHIPS, County

UYGHUR = "维吾尔族"
HAN = "汉族"


@dataclass(frozen=True)
class Person:
    name: N.Name
    father_given: tuple[str, str]   # (ULY or pinyin, characters): for children's names
    sex: str                        # "M" or "F"
    ethnicity: str
    birth: dt.date
    county: County
    id_number: str
    address: str
    phone: str

    @property
    def sex_han(self) -> str:
        return "男" if self.sex == "M" else "女"

    @property
    def given(self) -> tuple[str, str]:
        latin = self.name.latin.split(" ")[0]
        han = self.name.han.split("·")[0] if self.name.uyghur else self.name.han[1:]
        return latin, han


def _mobile(rng: random.Random) -> str:
    return rng.choice(("13", "15", "18", "17", "19")) + f"{rng.randrange(10**9):09d}"


def _landline(rng: random.Random, county: County) -> str:
    return f"{county.phone_area}-{rng.randrange(2_000_000, 8_999_999)}"


class Population:
    """Draws people one at a time; remembers issued ID numbers so none repeats."""

    def __init__(self, rng: random.Random, reference_day: dt.date) -> None:
        self.rng = rng
        self.reference_day = reference_day
        self._issued: set[int] = set()

    # -- parts -------------------------------------------------------------------------
    def birth_for_age(self, low: int, high: int, mode: float) -> dt.date:
        age = self.rng.triangular(low, high, mode)
        days = int(age * 365.25)
        return self.reference_day - dt.timedelta(days=days)

    def _county_for(self, birth: dt.date, county: County | None) -> County:
        """A county whose code was in use in the birth year (so stdnum accepts the ID)."""
        for _ in range(50):
            c = county or self.rng.choice(COUNTIES)
            region = resident_id.region(c.code)
            if region is not None and region.name_in(birth.year) is not None:
                return c
            county = None
        return COUNTIES[0]

    def id_number(self, county: County, birth: dt.date, sex: str) -> str:
        for _ in range(2000):
            seq = self.rng.randrange(0, 1000)
            if (seq % 2 == 1) != (sex == "M"):
                seq = (seq + 1) % 1000
            number = resident_id.compose(county.code, birth, seq)
            key = int(number[:17])
            if key not in self._issued:
                self._issued.add(key)
                return number
        raise RuntimeError("no free sequence number left for this county and day")

    def address(self, county: County) -> str:
        township = self.rng.choice(TOWNSHIPS)
        return (f"新疆维吾尔自治区{county.prefecture}{county.han}{township}"
                f"{self.rng.randint(1, 24)}村{self.rng.randint(1, 9)}组"
                f"{self.rng.randint(1, 180)}号")

    # -- people ------------------------------------------------------------------------
    def person(self, sex: str | None = None, birth: dt.date | None = None,
               county: County | None = None, uyghur: bool | None = None,
               father: tuple[str, str] | None = None, surname: tuple[str, str] | None = None,
               address: str | None = None) -> Person:
        rng = self.rng
        sex = sex or rng.choice("MF")
        birth = birth or self.birth_for_age(18, 75, 33)
        wanted = county
        county = self._county_for(birth, county)
        if wanted is not None and county != wanted:
            address = None  # registered elsewhere: the address follows the ID's county
        if uyghur is None:
            uyghur = rng.random() < county.uyghur_share
        if uyghur:
            given = rng.choice(N.UYGHUR_MALE if sex == "M" else N.UYGHUR_FEMALE)
            father = father or rng.choice(N.UYGHUR_MALE)
            name = N.uyghur_name(given, father)
            ethnicity = UYGHUR
        else:
            surname = surname or rng.choice(N.HAN_SURNAMES)
            given = rng.choice(N.HAN_GIVEN_MALE if sex == "M" else N.HAN_GIVEN_FEMALE)
            name = N.han_name(surname, given)
            father = father or (surname[1], surname[0])
            ethnicity = HAN
        return Person(
            name=name, father_given=father, sex=sex, ethnicity=ethnicity, birth=birth,
            county=county, id_number=self.id_number(county, birth, sex),
            address=address or self.address(county),
            phone=_mobile(rng) if rng.random() < 0.9 else _landline(rng, county),
        )

    def _shifted(self, base: dt.date, years_low: float, years_high: float) -> dt.date:
        days = int(self.rng.uniform(years_low, years_high) * 365.25)
        return base + dt.timedelta(days=days)

    def family(self, main: Person) -> list[tuple[str, Person]]:
        """Relatives listed under a main person, Karakax-list style: (relation, person)."""
        rng = self.rng
        uyghur = main.name.uyghur
        surname = None if uyghur else (main.name.han[0], main.name.latin.split()[0])
        out: list[tuple[str, Person]] = []

        def relative(sex: str, birth: dt.date, father: tuple[str, str] | None = None,
                     surname: tuple[str, str] | None = None) -> Person:
            return self.person(sex, birth, county=main.county, uyghur=uyghur, father=father,
                               surname=surname, address=main.address)

        if rng.random() < 0.6:
            birth = self._shifted(main.birth, -36, -24)
            if birth.year >= 1925:
                if uyghur:
                    fg = main.father_given
                    father = self.person("M", birth, uyghur=True, county=main.county,
                                         father=rng.choice(N.UYGHUR_MALE),
                                         address=main.address)
                    name = N.uyghur_name(fg, father.father_given)
                    out.append(("父亲", replace(father, name=name)))
                else:
                    out.append(("父亲", relative("M", birth, surname=surname)))
        if rng.random() < 0.6:
            birth = self._shifted(main.birth, -34, -20)
            if birth.year >= 1925:
                out.append(("母亲", relative("F", birth)))
        age = (self.reference_day - main.birth).days / 365.25
        spouse: Person | None = None
        if age > 22 and rng.random() < 0.8:
            birth = self._shifted(main.birth, -6, 6)
            spouse = relative("F" if main.sex == "M" else "M", birth)
            out.append(("妻子" if main.sex == "M" else "丈夫", spouse))
        if age > 24:
            for _ in range(rng.choice((0, 1, 1, 2, 2, 3))):
                birth = self._shifted(main.birth, 20, min(38.0, age - 1))
                if birth >= self.reference_day:
                    continue
                dad = main.given if main.sex == "M" else (
                    spouse.given if spouse else rng.choice(N.UYGHUR_MALE))
                sex = rng.choice("MF")
                child = relative(sex, birth, father=dad if uyghur else None,
                                 surname=surname if main.sex == "M" else None)
                out.append(("儿子" if sex == "M" else "女儿", child))
        return out
