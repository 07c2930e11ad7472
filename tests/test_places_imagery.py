"""Satellite imagery as evidence: stored with custody, on the facility's existence claim,
one claim per facility, sources counted by provider; clear errors; the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from scrutiny.case import Case
from scrutiny.cli import main
from scrutiny.core import ScrutinyError
from scrutiny.ledger.store import iter_claims
from scrutiny.places.imagery import attach_imagery, find_facility
from scrutiny.places.register import add_register

REGISTER = ("name,name_en,lat,lon,county_code,kind,first_seen\n"
            "墨玉县第四教培中心,Qaraqash Education and Training Centre No. 4,37.25,79.75,653222,"
            "training centre,2017-06\n"
            "墨玉县看守所,Qaraqash Detention Centre,37.28,79.73,653222,detention centre,\n")


@pytest.fixture
def case(tmp_path: Path) -> Case:
    c = Case.create(tmp_path / "case", actor="test")
    (tmp_path / "register.csv").write_text(REGISTER, "utf-8")
    add_register(c, tmp_path / "register.csv")
    return c


def _image(path: Path, shade: int) -> Path:
    Image.new("RGB", (32, 32), (shade, shade, shade)).save(path)
    return path


def test_imagery_lands_on_the_facilitys_existence_claim(case: Case, tmp_path: Path) -> None:
    first = attach_imagery(case, "Qaraqash 4-terbiyilesh merkizi",
                           _image(tmp_path / "a.png", 90), "2018-06-02", "Sentinel-2", "ann",
                           note="scene S2A_20180602")
    assert first.facility.name == "墨玉县第四教培中心"
    claim = first.claim
    assert (claim.kind, claim.subject) == ("facility", "facility:墨玉县第四教培中心")
    assert claim.current.statement.startswith("墨玉县第四教培中心 exists at 37.25000, 79.75000")
    assert claim.current.date_from == "2017-06" and claim.status.name == "single-source"
    ev = first.evidence.current
    assert (ev.source_type, ev.origin, ev.dated, ev.independent) == (
        "satellite-imagery", "Sentinel-2", "2018-06-02", True)
    assert ev.sha256 and case.blobs.exists(ev.sha256)
    again = attach_imagery(case, "墨玉县第四教培中心", _image(tmp_path / "b.png", 120),
                           "2019-01-10", "sentinel-2", "ann")
    assert again.claim.id == claim.id  # one claim per facility
    assert again.claim.status.name == "single-source"  # one provider is one source
    third = attach_imagery(case, str(first.facility.id), _image(tmp_path / "c.png", 150),
                           "2019-02-01", "Planet", "bo")
    assert third.claim.status.name == "corroborated"
    assert len(list(iter_claims(case.db, kind="facility"))) == 1


def test_attach_errors_are_clear(case: Case, tmp_path: Path) -> None:
    img = _image(tmp_path / "a.png", 90)
    with pytest.raises(ScrutinyError, match="no registered facility"):
        attach_imagery(case, "Camp X", img, "2018-06-02", "Sentinel-2", "ann")
    with pytest.raises(ScrutinyError, match="--date"):
        attach_imagery(case, "墨玉县看守所", img, " ", "Sentinel-2", "ann")
    with pytest.raises(ScrutinyError, match="--source"):
        attach_imagery(case, "墨玉县看守所", img, "2018-06-02", "", "ann")
    with pytest.raises(ScrutinyError, match="not a date"):
        attach_imagery(case, "墨玉县看守所", img, "June 2018", "Sentinel-2", "ann")
    with pytest.raises(ScrutinyError, match="cannot read"):
        attach_imagery(case, "墨玉县看守所", tmp_path / "missing.tif", "2018", "S", "ann")
    assert not list(iter_claims(case.db, kind="facility"))  # nothing half-written
    assert find_facility(case.db, "qaraqash detention centre").name == "墨玉县看守所"


def test_places_attach_cli(case: Case, tmp_path: Path) -> None:
    root = str(case.paths.root)
    case.close()
    img = _image(tmp_path / "a.png", 90)
    r = CliRunner().invoke(main, ["places", "attach", root, "墨玉县看守所", str(img),
                                  "--date", "2018-06-02", "--source", "Sentinel-2", "--by",
                                  "ann"])
    assert r.exit_code == 0, r.output
    assert "single-source" in r.output and "墨玉县看守所 exists" in r.output
    r = CliRunner().invoke(main, ["places", "attach", root, "Camp X", str(img), "--date",
                                  "2018", "--source", "S"])
    assert r.exit_code == 2 and "no registered facility" in r.output
