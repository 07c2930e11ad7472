"""Facility registers: CSV and GeoJSON imports with per-row rejections, versions never
altered, the file kept under custody, the synthetic leak's register, and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from scrutiny.case import Case
from scrutiny.cli import main
from scrutiny.core import ScrutinyError
from scrutiny.places.register import add_register, facilities, parse_register
from scrutiny.store import catalog
from scrutiny.store.integrity import verify_case
from scrutiny.synth.leak import LeakConfig, generate_leak

UG = "قاراقاش تۇتۇپ تۇرۇش ئورنى"
CSV = f"""名称,name_en,name_ug,lat,lon,county_code,kind,first_seen,last_seen,source,note
墨玉县看守所,Qaraqash Detention Centre,{UG},37.28,79.73,653222,detention centre,2017-04,2021,\
ASPI,walls doubled in 2018
,,,37.1,79.1,,,,,,
喀什市第四教培中心,Kashgar No. 4,,95.0,75.9,653101,,,,,
疏勒县拘留所,Yengisar lockup,,39.4,76.0,653122,,2019-05-01,2018-01-01,,
和田县第二教培中心,,,37.12,,653221,,,,,
阿克苏市看守所,Aksu Detention Centre,,41.17,80.26,652901,detention centre,2016-2,,,
伊宁市看守所,Ghulja Detention Centre,,43.91,81.32,654002,detention centre,,,,
"""


@pytest.fixture
def case(tmp_path: Path) -> Case:
    return Case.create(tmp_path / "case", actor="test")


def test_csv_rows_are_read_and_bad_ones_rejected_with_the_reason(tmp_path: Path) -> None:
    fmt, found, rejected = parse_register(CSV.encode(), "register.csv")
    assert fmt == "csv"
    assert [f.name for f in found] == ["墨玉县看守所", "伊宁市看守所"]
    first = found[0]
    assert set(first.aliases) == {"Qaraqash Detention Centre", UG}
    assert (first.lat, first.lon, first.county_code) == (37.28, 79.73, "653222")
    assert (first.first_seen, first.last_seen, first.source) == ("2017-04", "2021", "ASPI")
    assert first.fields == {"note": "walls doubled in 2018"}
    why = dict(rejected)
    assert why["row:3"] == "no name"
    assert "outside ±90" in why["row:4"]
    assert "last seen (2018-01-01) before first seen (2019-05-01)" in why["row:5"]
    assert "latitude without a longitude" in why["row:6"]
    assert "is not a date" in why["row:7"]


def test_geojson_points_and_polygons(tmp_path: Path) -> None:
    doc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [79.73, 37.28]},
         "properties": {"name": "Camp A", "aliases": "营地A; Lager A", "kind": "camp"}},
        {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [[
            [80.0, 37.0], [80.2, 37.0], [80.2, 37.2], [80.0, 37.2]]]},
         "properties": {"name": "Camp B", "first_seen": "2018-06"}},
        {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[1, 2]]},
         "properties": {"name": "a road"}},
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [200, 37]},
         "properties": {"name": "off the map"}}]}
    fmt, found, rejected = parse_register(json.dumps(doc).encode(), "r.geojson")
    assert fmt == "geojson" and [f.name for f in found] == ["Camp A", "Camp B"]
    assert found[0].aliases == ("营地A", "Lager A") and found[0].geometry is None
    assert (round(found[1].lat or 0, 3), round(found[1].lon or 0, 3)) == (37.1, 80.1)
    assert found[1].geometry is not None and found[1].geometry["type"] == "Polygon"
    assert [w for w, _ in rejected] == ["feature:2", "feature:3"]


def test_files_that_are_not_registers_are_refused() -> None:
    for data, why in ((b"a,b\n1,2\n", "name column"), (b"{not json", "not valid JSON"),
                      (b'{"type": "Feature"}', "FeatureCollection"),
                      ("名称\n".encode("gb18030") + b"\xff\xfe", "UTF-8")):
        with pytest.raises(ScrutinyError, match=why):
            parse_register(data, "x")


def test_an_import_is_a_version_kept_under_custody(case: Case, tmp_path: Path) -> None:
    path = tmp_path / "register.csv"
    path.write_text(CSV, "utf-8")
    s = add_register(case, path, actor="ann")
    assert (s.name, s.version, s.facilities, len(s.rejected)) == ("register", 1, 2, 5)
    assert case.blobs.exists(s.sha256)
    kind = case.db.execute("SELECT r.kind FROM provenances p JOIN runs r ON r.id = p.run_id "
                           "WHERE p.sha256 = ?", (s.sha256,)).fetchone()[0]
    assert kind == "evidence"  # never read as leak material
    (ev,) = [e for e in case.log.tail(3) if e.action == "places-imported"]
    assert ev.subject == s.sha256 and ev.details["facilities"] == 2
    path.write_text(CSV.replace("伊宁市看守所", "伊宁市第二看守所"), "utf-8")
    s2 = add_register(case, path, actor="ann")
    assert s2.version == 2
    assert {f.name for f in facilities(case.db)} == {"墨玉县看守所", "伊宁市第二看守所"}
    with pytest.raises(catalog.DatabaseError, match="never altered"):
        case.db.execute("UPDATE facilities SET name = 'x'")
    with pytest.raises(catalog.DatabaseError, match="never altered"):
        case.db.execute("DELETE FROM facilities")
    assert verify_case(case.blobs, case.log, case.db).intact


def test_nothing_readable_imports_nothing(case: Case, tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("name,lat,lon\n,1,2\n", "utf-8")
    with pytest.raises(ScrutinyError, match="no facility could be read"):
        add_register(case, path)
    assert case.db.execute("SELECT count(*) FROM facility_registers").fetchone()[0] == 0


def test_the_synthetic_leak_writes_its_register_and_the_cli_lists_it(tmp_path: Path) -> None:
    generate_leak(tmp_path / "synth", LeakConfig(people=5, photos=0, seed=2))
    truth = json.loads((tmp_path / "synth" / "ground_truth.json").read_text("utf-8"))
    register = tmp_path / "synth" / "reference" / "facilities.geojson"
    Case.create(tmp_path / "case", actor="test").close()
    root = str(tmp_path / "case")
    r = CliRunner().invoke(main, ["places", "add", root, str(register), "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["facilities"] == len(truth["facilities"])
    r = CliRunner().invoke(main, ["places", root, "--json"])
    assert r.exit_code == 0, r.output
    listed = json.loads(r.output)
    by_key = {f["key"]: f for f in listed}
    for f in truth["facilities"]:
        got = by_key[f["key"]]
        assert (got["name"], got["lat"], got["lon"], got["county_code"], got["first_seen"]) \
            == (f["han"], f["lat"], f["lon"], f["county"], f["opened"])
        assert f["english"] in got["aliases"]
    r = CliRunner().invoke(main, ["places", root])
    assert r.exit_code == 0 and "│ 1 " in r.output and "fictio" in r.output
