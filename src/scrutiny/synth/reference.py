"""A fictional "victim database" for the same fictional population: entries as researchers
compile them from testimonies and relatives' reports, in Uyghur Latin or English-style spelling,
sometimes Uyghur Arabic script, with typos, missing fields and birth years only."""

from __future__ import annotations

import csv
import random
from pathlib import Path
from types import TracebackType
from typing import IO

from scrutiny.synth import names as N
from scrutiny.synth.people import Person

HEADER = ("entry_id", "name", "name_ug", "gender", "birth", "hometown", "id_number", "status",
          "source")
STATUSES = ("detained", "detained", "sentenced", "missing", "released")
SOURCES = ("testimony by a relative", "testimony by a former detainee", "media report",
           "relative's report via an advocacy group")


class ReferenceWriter:
    """Streams entries into ``reference/victims.csv``; returns each entry's id."""

    def __init__(self, root: Path, rng: random.Random) -> None:
        self.path = root / "reference" / "victims.csv"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.rng = rng
        self.count = 0
        self._file: IO[str] = open(self.path, "w", encoding="utf-8", newline="")  # noqa: SIM115
        self._csv = csv.writer(self._file)
        self._csv.writerow(HEADER)

    def spelling(self, person: Person) -> tuple[str, str]:
        """How this entry writes the name, and which variant it is (for the ground truth)."""
        rng = self.rng
        latin = person.name.latin
        if rng.random() < 0.05:
            latin = " ".join(reversed(latin.split()))
        roll = rng.random()
        if roll < 0.45:
            name, how = latin, "uly"
        elif roll < 0.85:
            name, how = N.english_style(latin, rng), "english"
        else:
            name, how = N.typo(N.english_style(latin, rng), rng), "typo"
        return name, how

    def add(self, person: Person, status: str | None = None) -> tuple[str, str]:
        rng = self.rng
        self.count += 1
        entry = f"VDB-{self.count:06d}"
        name, how = self.spelling(person)
        arabic = person.name.arabic if rng.random() < 0.6 else ""
        if rng.random() < 0.05 and arabic:
            name, how = "", "arabic-only"
        gender = "" if rng.random() < 0.1 else ("male" if person.sex == "M" else "female")
        roll = rng.random()
        if roll < 0.4:
            birth = person.birth.isoformat()
        elif roll < 0.85:
            year = person.birth.year + (rng.choice((-1, 1)) if rng.random() < 0.05 else 0)
            birth = str(year)
        else:
            birth = ""
        hometown = person.county.latin if rng.random() < 0.8 else ""
        id_number = person.id_number if rng.random() < 0.2 else ""
        self._csv.writerow((entry, name, arabic, gender, birth, hometown, id_number,
                            status or rng.choice(STATUSES), rng.choice(SOURCES)))
        return entry, how

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> ReferenceWriter:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
