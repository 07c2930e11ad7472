"""Satellite imagery as evidence: ``scrutiny places attach CASE FACILITY FILE --date D
--source S`` stores the image (PNG, JPEG, GeoTIFF …) in the evidence store with custody and
adds it to the ledger as evidence that the facility existed on that date.

The claim it supports is the facility's existence claim (kind ``facility``, subject
``facility:NAME``), made on first use: "NAME exists at LAT, LON (KIND)". ``--source`` is
the evidence's origin: name the operator or provider (``Sentinel-2``, ``Planet``), not the
scene, so that many images of one provider count as one source (scene ids go in
``--note``); imagery is presumed independent of the leak.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scrutiny.case import Case
from scrutiny.core import ScrutinyError
from scrutiny.ledger.model import Evidence, parse_partial_date
from scrutiny.ledger.store import Claim, add_claim, add_evidence, get_claim, iter_claims
from scrutiny.places.names import same_facility
from scrutiny.places.register import Facility, facilities

__all__ = ["Attached", "attach_imagery", "existence_claim", "find_facility"]


@dataclass(frozen=True)
class Attached:
    facility: Facility
    claim: Claim
    evidence: Evidence


def find_facility(db: Any, which: str) -> Facility:
    """A registered facility by id, by name or alias (any case and spacing), or by a name
    that reads as the same facility across scripts (county, kind, number)."""
    register = facilities(db)
    text = " ".join(which.split())
    if text.isdigit():
        found = [f for f in register if f.id == int(text)]
    else:
        fold = text.casefold()
        found = [f for f in register if fold in {" ".join(n.split()).casefold()
                                                 for n in f.names}]
        if not found:
            found = [f for f in register if any(same_facility(text, n) for n in f.names)]
    if not found:
        raise ScrutinyError(f"no registered facility {which!r}; see 'scrutiny places CASE'")
    if len(found) > 1:
        raise ScrutinyError(f"{which!r} names {len(found)} facilities "
                            f"({', '.join(str(f.id) for f in found[:6])}): give its id")
    return found[0]


def existence_claim(case: Case, f: Facility, by: str) -> Claim:
    """The facility's existence claim, made if it is not there yet."""
    subject = f"facility:{f.name}"
    for claim in iter_claims(case.db, kind="facility", subject=subject):
        return claim
    where = f" at {f.lat:.5f}, {f.lon:.5f}" if f.lat is not None and f.lon is not None else ""
    return add_claim(case, "facility", f"{f.name} exists{where}"
                     + (f" ({f.kind})" if f.kind else ""), by=by, about=subject,
                     place=f.name, date_from=f.first_seen, date_to=f.last_seen)


def attach_imagery(case: Case, facility: str, file: Path, date: str, source: str, by: str,
                   note: str | None = None) -> Attached:
    """Store an image of ``facility`` taken on ``date`` (from ``source``) and add it to the
    ledger as evidence for the facility's existence claim."""
    if not date or not date.strip():
        raise ScrutinyError("say when the image was taken (--date YYYY-MM-DD)")
    if not source or not source.strip():
        raise ScrutinyError("say where the image comes from (--source, e.g. the satellite "
                            "operator and scene id)")
    try:
        parse_partial_date(date)
    except ValueError as exc:
        raise ScrutinyError(f"--date: {exc}") from None
    if not Path(file).is_file():
        raise ScrutinyError(f"cannot read {file}: not a file")
    f = find_facility(case.db, facility)
    # everything is checked before anything is written: a custody event is never undone
    with case.transaction():
        claim = existence_claim(case, f, by)
        ev = add_evidence(case, claim.id, "supports", "satellite-imagery", source, by=by,
                          dated=date, file=Path(file),
                          note=note or f"satellite image of {f.name}")
    return Attached(f, get_claim(case.db, claim.id), ev)
