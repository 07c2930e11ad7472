"""The check registry, selection, the runner (incremental, crash-tolerant), findings output,
and docs/checks.md kept in step with the code."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from conftest import run_cli
from scrutiny.case import Case
from scrutiny.checks.base import Context, CorpusCheck, Record, RecordCheck
from scrutiny.checks.docs import checks_markdown
from scrutiny.checks.registry import all_checks, select, validate
from scrutiny.checks.run import check_case, findings
from scrutiny.core import Finding, ScrutinyError, Severity
from scrutiny.extract.run import extract_case
from scrutiny.ingest import ingest

DOCS = Path(__file__).resolve().parents[1] / "docs" / "checks.md"


class NameHasDigit(RecordCheck):
    """Flags names containing a digit; crashes on the name BOOM (to test crash handling)."""

    code = "TST-NAME-001"
    title = "Name contains a digit"

    def run(self, record: Record, ctx: Context) -> Iterator[Finding]:
        name = str(record.fields.get("name", ""))
        if name == "BOOM":
            raise ValueError("cannot read this name")
        if any(ch.isdigit() for ch in name):
            yield self.finding(record.subject, self.title, f"The name {name!r} has a digit.",
                               {"name": name})


class CountRecords(CorpusCheck):
    """Reports how many records the case holds."""

    code = "TST-CORPUS-001"
    title = "Record count"
    severity: ClassVar[Severity] = Severity.INFO

    def run(self, ctx: Context) -> Iterator[Finding]:
        n = ctx.db.execute("SELECT count(*) FROM records").fetchone()[0]
        yield self.finding("corpus", self.title, f"{n} records.", {"records": n})


class OffByDefault(RecordCheck):
    """Never runs unless selected."""

    code = "TST-OFF-001"
    title = "Off by default"
    off_by_default = True

    def run(self, record: Record, ctx: Context) -> Iterator[Finding]:
        yield self.finding(record.subject, self.title, "selected", {})


TEST_CHECKS = [NameHasDigit, CountRecords, OffByDefault]


def test_validate_rejects_malformed_duplicate_and_undocumented_checks() -> None:
    assert validate(TEST_CHECKS) == TEST_CHECKS
    with pytest.raises(ScrutinyError, match="used twice"):
        validate([NameHasDigit, NameHasDigit])

    class BadCode(NameHasDigit):
        """Doc."""
        code = "name-1"
    with pytest.raises(ScrutinyError, match="malformed check code"):
        validate([BadCode])

    class NoDoc(NameHasDigit):
        code = "TST-NODOC-001"
    NoDoc.__doc__ = None
    with pytest.raises(ScrutinyError, match="docstring"):
        validate([NoDoc])
    with pytest.raises(ScrutinyError, match="not a RecordCheck"):
        validate([object])


def test_selection_by_prefix() -> None:
    assert select(TEST_CHECKS) == [NameHasDigit, CountRecords]
    assert select(TEST_CHECKS, "tst-name") == [NameHasDigit]
    assert select(TEST_CHECKS, "TST-OFF") == [OffByDefault]
    assert select(TEST_CHECKS, None, "TST-CORPUS") == [NameHasDigit]
    with pytest.raises(ScrutinyError, match="no check code starts with"):
        select(TEST_CHECKS, "NOPE")


def test_builtin_registry_is_valid_and_nonempty() -> None:
    classes = all_checks()
    assert len(classes) >= 5
    assert all(c.code.startswith(("REC-", "DOC-", "IMG-", "CORP-", "PLACE-")) for c in classes)


def roster_case(tmp_path: Path, names: list[str], folder: str = "in") -> Case:
    src = tmp_path / folder
    src.mkdir()
    (src / "roster.csv").write_text(
        "姓名,性别\n" + "".join(f"{n},男\n" for n in names), "utf-8")
    case = Case.create(tmp_path / "case") if not (tmp_path / "case").exists() \
        else Case.open(tmp_path / "case", writable=True)
    ingest(case, [src])
    extract_case(case, workers=0)
    return case


def test_runner_stores_findings_survives_a_crash_and_is_incremental(tmp_path: Path) -> None:
    with roster_case(tmp_path, ["Ali1", "BOOM", "Memet", "Tursun2"]) as case:
        s = check_case(case, classes=TEST_CHECKS)
        assert s.records == 4
        assert s.findings["TST-NAME-001"] == 3  # two digits + one could-not-check
        assert s.could_not_check == 1
        stored = findings(case.db, code="TST-NAME")
        crash = [f for f in stored if f["title"] == "Could not check"]
        assert len(crash) == 1 and crash[0]["severity"] == "info"
        assert "cannot read this name" in crash[0]["evidence"]["error"]
        assert findings(case.db, code="TST-CORPUS")[0]["evidence"] == {"records": 4}
        again = check_case(case, classes=TEST_CHECKS)
        assert again.records == 0 and sum(again.findings.values()) == 0
    with roster_case(tmp_path, ["New3"], folder="more") as case:
        third = check_case(case, classes=TEST_CHECKS)
        assert third.records == 1
        assert third.findings["TST-NAME-001"] == 1
        assert third.findings["TST-CORPUS-001"] == 1  # the count changed: a new observation
        events = [json.loads(line) for line in (tmp_path / "case" / "custody.jsonl")
                  .read_text().splitlines()]
        checked = [e for e in events if e["action"] == "checked"]
        assert len(checked) == 3 and checked[0]["details"]["summary"]["digest"]


def test_docs_checks_md_is_current() -> None:
    assert DOCS.exists(), "run: scrutiny checks list --format md > docs/checks.md"
    assert DOCS.read_text("utf-8") == checks_markdown(all_checks()), (
        "docs/checks.md is stale: run scrutiny checks list --format md > docs/checks.md")


def test_cli_check_findings_and_list(tmp_path: Path) -> None:
    with roster_case(tmp_path, ["李伟"]):
        pass
    src = tmp_path / "ids"
    src.mkdir()
    (src / "ids.csv").write_text("姓名,身份证号\n张三,650104198001011234\n", "utf-8")
    run_cli("ingest", str(tmp_path / "case"), str(src), check=True)
    r = run_cli("check", str(tmp_path / "case"), "--json", check=True)
    summary = json.loads(r.stdout)
    assert summary["records"] == 2 and sum(summary["new_findings"].values()) >= 1
    as_json = json.loads(run_cli("findings", str(tmp_path / "case"), "--format", "json",
                                 check=True).stdout)
    assert any(f["code"].startswith("REC-ID") for f in as_json)
    rows = list(csv.DictReader(io.StringIO(run_cli(
        "findings", str(tmp_path / "case"), "--format", "csv", check=True).stdout)))
    assert len(rows) == len(as_json) and rows[0]["code"] == as_json[0]["code"]
    table = run_cli("findings", str(tmp_path / "case"), "--code", "REC-ID", check=True).stdout
    assert "REC-ID" in table
    md = run_cli("checks", "list", "--format", "md", check=True).stdout
    assert md == DOCS.read_text("utf-8")
    bad = run_cli("check", str(tmp_path / "case"), "--select", "NOPE")
    assert bad.returncode != 0 and "no check code starts with" in bad.stderr


def test_plugins_come_from_the_entry_point_group(monkeypatch: pytest.MonkeyPatch) -> None:
    from importlib.metadata import EntryPoint

    import scrutiny.checks.registry as registry

    def fake(group: str) -> list[EntryPoint]:
        assert group == "scrutiny.checks"
        return [EntryPoint("digits", "tests.test_checks_registry:NameHasDigit", group),
                EntryPoint("family", "tests.test_checks_registry:TEST_CHECKS", group)]

    monkeypatch.setattr(registry, "entry_points", fake)
    with pytest.raises(ScrutinyError, match="used twice"):  # NameHasDigit is in both
        registry.all_checks()

    def single(group: str) -> list[EntryPoint]:
        return [EntryPoint("digits", "tests.test_checks_registry:NameHasDigit", group)]

    monkeypatch.setattr(registry, "entry_points", single)
    codes = [c.code for c in registry.all_checks()]
    assert codes[-1] == "TST-NAME-001" and len(codes) == len(set(codes))

    def broken(group: str) -> list[EntryPoint]:
        return [EntryPoint("broken", "no_such_module_anywhere:Check", group)]

    monkeypatch.setattr(registry, "entry_points", broken)
    with pytest.raises(ScrutinyError, match="cannot be loaded"):
        registry.all_checks()
