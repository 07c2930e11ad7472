"""The ledger's vocabulary and its one rule: how a claim's status follows from its evidence.

Pure (no I/O). A **claim** is a statement about a person, an item, a facility or an event
("person R was held at facility F from 2018-03"); **evidence** supports or contradicts it and
says where it comes from: a source type, an *origin* (who or what, in the words of the
person entering it: "interview with the daughter, Almaty", "Xinjiang Victims Database"),
and whether it is independent of the leak.

**Status** (:func:`derive_status`; never set by hand):

- sources are counted, not evidence items: every item that is *not* independent of the leak
  (the leaked rows and photos themselves, a media report built on the leak) belongs to one
  source, the leak; every independent item belongs to the source of its origin, compared
  case- and space-insensitively — two items of the same origin are one source, never two
  independent ones;
- ``contested``: at least one source contradicts the claim (an official statement that the
  person never attended, a relative saying the date is wrong), whatever supports it;
- ``corroborated``: two or more sources, independent of each other, support it and none
  contradicts it;
- ``single-source``: exactly one source supports it (often the leak alone);
- ``unverified``: nothing supports or contradicts it.

Withdrawn evidence counts for nothing but stays in the history.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "CLAIM_KINDS",
    "LEAK_SOURCE",
    "SOURCE_TYPES",
    "STATUSES",
    "ClaimVersion",
    "Evidence",
    "EvidenceVersion",
    "Status",
    "default_independent",
    "derive_status",
    "parse_partial_date",
    "source_key",
    "source_type_of",
]

CLAIM_KINDS = ("person", "item", "facility", "event")
#: source type → what a reader is told it is
SOURCE_TYPES: dict[str, str] = {
    "leaked-record": "leaked record",
    "reference-database": "reference database entry",
    "relative-testimony": "relative's testimony",
    "phone-confirmation": "phone confirmation",
    "satellite-imagery": "satellite imagery",
    "official-statement": "official statement",
    "media-report": "media report",
    "other": "other",
}
STATUSES = ("unverified", "single-source", "corroborated", "contested")
StatusName = Literal["unverified", "single-source", "corroborated", "contested"]
Stance = Literal["supports", "contradicts"]
#: the one source every item that is not independent of the leak belongs to
LEAK_SOURCE = "the leak"
_SPACE = re.compile(r"\s+")
_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


_SOURCE_ALIASES = {
    "leak": "leaked-record", "leaked": "leaked-record", "reference": "reference-database",
    "testimony": "relative-testimony", "relative": "relative-testimony",
    "relatives-testimony": "relative-testimony", "phone": "phone-confirmation",
    "satellite": "satellite-imagery", "official": "official-statement",
    "media": "media-report"}


def source_type_of(text: str) -> str | None:
    """The source type a user wrote (``phone``, ``Phone confirmation``, ``relative's
    testimony`` …), or None when it is none of :data:`SOURCE_TYPES`."""
    key = text.strip().lower().replace(" ", "-").replace("_", "-").replace("'", "")
    key = _SOURCE_ALIASES.get(key, key)
    if key in SOURCE_TYPES:
        return key
    by_label = {label.replace("'", ""): k for k, label in SOURCE_TYPES.items()}
    return by_label.get(text.strip().lower().replace("'", ""))


def default_independent(source_type: str) -> bool:
    """Whether evidence of this type is independent of the leak unless told otherwise: a
    leaked record never is; everything else is presumed to be (and the presumption is shown
    with the evidence, so a reviewer can correct it)."""
    return source_type != "leaked-record"


def parse_partial_date(text: str | None) -> str | None:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (checked), else ``ValueError``; None/empty → None."""
    if text is None or not text.strip():
        return None
    value = text.strip()
    m = _DATE.fullmatch(value)
    if not m:
        raise ValueError(f"{text!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)")
    year, month, day = m[1], m[2], m[3]
    if month is not None and not 1 <= int(month) <= 12:
        raise ValueError(f"{text!r} has no month {month}")
    if day is not None:
        import datetime as dt

        try:
            dt.date(int(year), int(month), int(day))
        except ValueError:
            raise ValueError(f"{text!r} is not a calendar date") from None
    return value


@dataclass(frozen=True)
class ClaimVersion:
    """One version of a claim's text and typed fields (the newest stands)."""

    id: int
    statement: str
    who: str | None
    place: str | None
    date_from: str | None
    date_to: str | None
    reason: str | None
    at: str
    by: str

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class EvidenceVersion:
    """One version of an evidence item (a correction or withdrawal adds one)."""

    id: int
    stance: Stance
    source_type: str
    origin: str
    independent: bool
    dated: str | None
    sha256: str | None
    record_id: int | None
    entry_id: int | None
    match_id: int | None
    note: str | None
    withdrawn: bool
    reason: str | None
    at: str
    by: str

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Evidence:
    """An evidence item with its history (oldest first; ``current`` is the last)."""

    id: int
    claim_id: int
    auto_key: str | None
    history: tuple[EvidenceVersion, ...]

    @property
    def current(self) -> EvidenceVersion:
        return self.history[-1]

    @property
    def source(self) -> str:
        return source_key(self.current.origin, self.current.independent)

    def to_json(self) -> dict[str, Any]:
        current = self.current.to_json()
        current["version"] = current.pop("id")
        return {**current, "id": self.id, "claim": self.claim_id, "auto_key": self.auto_key,
                "source": self.source, "history": [v.to_json() for v in self.history[:-1]]}


def source_key(origin: str, independent: bool) -> str:
    """The source an evidence item counts under (see the module docstring)."""
    if not independent:
        return LEAK_SOURCE
    return _SPACE.sub(" ", origin).strip().casefold()


@dataclass(frozen=True)
class Status:
    """A claim's derived status, the sources on each side, and why, in words."""

    name: StatusName
    supporting: tuple[str, ...]
    contradicting: tuple[str, ...]
    reasoning: str
    counted: int = 0
    withdrawn: int = 0
    details: dict[str, list[str]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"status": self.name, "supporting_sources": list(self.supporting),
                "contradicting_sources": list(self.contradicting),
                "reasoning": self.reasoning, "evidence_counted": self.counted,
                "evidence_withdrawn": self.withdrawn}


def _describe(source: str, shown: str, types: Sequence[str], n: int) -> str:
    kinds = ", ".join(sorted({SOURCE_TYPES.get(t, t) for t in types}))
    items = f"{n} items" if n > 1 else "1 item"
    name = source if source == LEAK_SOURCE else f"“{shown}”"
    return f"{name} ({kinds}; {items})"


def derive_status(evidence: Iterable[Evidence | EvidenceVersion]) -> Status:
    """The status of a claim from its evidence (current versions; see the module docstring)."""
    sides: dict[str, dict[str, list[str]]] = {"supports": {}, "contradicts": {}}
    shown: dict[str, str] = {}  # source → its origin as first written
    counted = withdrawn = 0
    for e in evidence:
        v = e.current if isinstance(e, Evidence) else e
        if v.withdrawn:
            withdrawn += 1
            continue
        counted += 1
        key = source_key(v.origin, v.independent)
        shown.setdefault(key, " ".join(v.origin.split()))
        sides[v.stance].setdefault(key, []).append(v.source_type)
    sup, con = sides["supports"], sides["contradicts"]
    supporting, contradicting = tuple(sorted(sup)), tuple(sorted(con))
    for_ = "; ".join(_describe(s, shown[s], sup[s], len(sup[s])) for s in supporting)
    against = "; ".join(_describe(s, shown[s], con[s], len(con[s])) for s in contradicting)
    name: StatusName
    if con:
        name = "contested"
        reasoning = (f"contested: contradicted by {len(con)} source"
                     f"{'s' if len(con) > 1 else ''} — {against}"
                     + (f"; supported by {for_}" if sup else "; nothing supports it"))
        both = sorted(set(sup) & set(con))
        if both:
            reasoning += (f" (the same source both supports and contradicts it: "
                          f"{', '.join(both)})")
    elif len(sup) >= 2:
        name = "corroborated"
        reasoning = (f"corroborated: {len(sup)} sources independent of each other support "
                     f"it — {for_}; none contradicts it")
    elif sup:
        name = "single-source"
        (only,) = supporting
        reasoning = f"single-source: only {for_} supports it"
        n = len(sup[only])
        if n > 1:
            reasoning += (f" ({n} items of one origin count as one source, never as "
                          "independent confirmation)")
        if only == LEAK_SOURCE:
            reasoning += "; nothing independent of the leak confirms it yet"
    else:
        name = "unverified"
        reasoning = "unverified: no evidence supports or contradicts it"
    if withdrawn:
        reasoning += f"; {withdrawn} withdrawn item{'s' if withdrawn > 1 else ''} not counted"
    return Status(name, supporting, contradicting, reasoning, counted, withdrawn,
                  {"supports": list(supporting), "contradicts": list(contradicting)})
