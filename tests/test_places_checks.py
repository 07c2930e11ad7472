"""Place checks on a synthetic case with planted place faults (GPS far from any facility,
photos dated before their facility existed, one camera at two places minutes apart): each
detected, none on the clean photos; facility names across scripts; no register said."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from scrutiny.case import Case
from scrutiny.checks.run import check_case
from scrutiny.core import Severity
from scrutiny.extract.run import extract_case
from scrutiny.ingest import ingest
from scrutiny.places.names import facility_key, same_facility
from scrutiny.places.register import add_register
from scrutiny.synth.leak import LeakConfig, generate_leak

FAULT_CHECK = {"gps-far-from-facility": "PLACE-GPS-001",
               "photo-before-facility": "PLACE-DATE-001",
               "impossible-travel": "PLACE-TRAVEL-001"}


@pytest.fixture(scope="module")
def checked(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    root = tmp_path_factory.mktemp("places")
    generate_leak(root / "synth", LeakConfig(people=300, photos=150, seed=1))
    truth = json.loads((root / "synth" / "ground_truth.json").read_text("utf-8"))
    with Case.create(root / "case", actor="test") as case:
        ingest(case, [root / "synth" / "leak"], actor="test")
        extract_case(case, workers=0)
        add_register(case, root / "synth" / "reference" / "facilities.geojson")
        check_case(case, "PLACE", actor="test", settings={"end_date": truth["leak_end"]})
    return root, truth


def _findings(root: Path) -> tuple[dict[str, str], list[tuple[str, str, int, str]]]:
    with Case.open(root / "case") as case:
        files = {}
        for sha, source, chain in case.db.execute(
                "SELECT sha256, source, chain FROM provenances"):
            members = json.loads(chain)
            p = str(members[-1] if members else source)
            files[sha] = p[p.index("leak/"):] if "leak/" in p else p
        rows = case.db.execute("SELECT code, subject, severity, explanation FROM findings "
                               "WHERE code LIKE 'PLACE-%'").fetchall()
    return files, rows


def test_every_planted_place_fault_is_found(checked: tuple[Path, dict[str, object]]) -> None:
    root, truth = checked
    files, rows = _findings(root)
    planted = [e for e in truth["planted"] if e["kind"] in FAULT_CHECK]  # type: ignore[attr-defined]
    assert {e["kind"] for e in planted} == set(FAULT_CHECK)
    flagged = {(code, files.get(sub, sub)) for code, sub, _, _ in rows}
    for e in planted:
        assert (FAULT_CHECK[e["kind"]], e["file"]) in flagged, e


def test_no_warning_on_clean_photos(checked: tuple[Path, dict[str, object]]) -> None:
    root, truth = checked
    files, rows = _findings(root)
    faulty = {e["file"] for e in truth["planted"]  # type: ignore[attr-defined]
              if e["kind"] in FAULT_CHECK}
    warned = {files.get(sub, sub) for code, sub, sev, _ in rows
              if sev >= Severity.WARNING and code in FAULT_CHECK.values()}
    assert warned and warned <= faulty
    # the roster's facilities are all in the register
    assert not [r for r in rows if r[0] == "PLACE-NAME-001"]


def test_the_far_photo_says_where_it_is(checked: tuple[Path, dict[str, object]]) -> None:
    root, _ = checked
    _, rows = _findings(root)
    (far,) = [r for r in rows if r[0] == "PLACE-GPS-001"]
    assert "km from the nearest registered facility" in far[3] and "It lies in" in far[3]


def test_without_a_register_the_checks_say_so(tmp_path: Path) -> None:
    with Case.create(tmp_path / "case", actor="test") as case:
        check_case(case, "PLACE", actor="test")
        rows = case.db.execute("SELECT code, severity, explanation FROM findings").fetchall()
    assert [(c, s) for c, s, _ in rows] == [("PLACE-GPS-001", int(Severity.INFO))]
    assert "no facility register was imported" in rows[0][2]


def test_roster_facilities_are_matched_across_scripts(tmp_path: Path) -> None:
    leak = tmp_path / "leak"
    leak.mkdir()
    with open(leak / "roster.csv", "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([
            ["姓名", "身份证号", "关押场所", "收押日期"],
            ["阿依古丽·艾力", "65322219850315002X", "Qaraqash Education and Training Centre "
                                                   "No. 4", "2018-03-02"],
            ["买买提·吐尔逊", "653222199001011232", "墨玉县  看守所", "2018-03-02"],
            ["艾力·买买提", "653222199001011259", "疏勒县第二教培中心", "2018-03-02"]])
    register = tmp_path / "register.csv"
    register.write_text("name,name_en,lat,lon,county_code\n"
                        "墨玉县第四教培中心,,37.25,79.75,653222\n"
                        "墨玉县看守所,Qaraqash Detention Centre,37.28,79.73,653222\n", "utf-8")
    with Case.create(tmp_path / "case", actor="test") as case:
        ingest(case, [leak], actor="test")
        extract_case(case, workers=0)
        add_register(case, register)
        check_case(case, "PLACE-NAME", actor="test")
        rows = case.db.execute("SELECT subject, explanation FROM findings").fetchall()
    assert [s for s, _ in rows] == ["facility:疏勒县第二教培中心"]
    assert "county 疏勒县, training centre no. 2" in rows[0][1]


@pytest.mark.parametrize(("a", "b", "same"), [
    ("墨玉县第四教培中心", "Qaraqash Education and Training Centre No. 4", True),
    ("墨玉县第四教培中心", "Qaraqash 4-terbiyilesh merkizi", True),
    ("墨玉县第四教培中心", "Karakax No. 4 Training Centre", True),
    ("墨玉县第四教培中心", "墨玉县第三教培中心", False),
    ("墨玉县看守所", "墨玉县拘留所", False),
    ("伊宁市拘留所", "Ghulja Administrative Detention Facility", True),
    ("喀什市第十二职业技能教育培训中心",
     "Kashgar Vocational Skills Education and Training Centre No. 12", True),
    ("Camp 4", "墨玉县第四教培中心", False),
])
def test_facility_names_across_scripts(a: str, b: str, same: bool) -> None:
    assert same_facility(a, b) is same
    assert same_facility(b, a) is same


def test_facility_key_reads_county_kind_and_number() -> None:
    k = facility_key("和田县第二教培中心")
    assert (k.county, k.kind, k.number) == ("和田县", "training centre", 2)
    assert facility_key("Hotan County Detention Centre").county == "和田县"
    assert not facility_key("Camp X").usable
