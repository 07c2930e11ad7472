"""Document checks (DOC-*): the date a text states, the release table, and each check end to
end on synthetic documents ingested and extracted into a fresh case."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from pdf_updates import append_update
from scrutiny.case import Case
from scrutiny.checks.base import Check, Context, Item
from scrutiny.checks.docs import checks_markdown
from scrutiny.checks.document import (
    DOCUMENT_CHECKS,
    AuthorOutlier,
    CreatedAfterModified,
    DatedAfterClaimedDate,
    IncrementalUpdates,
    ModifiedAfterLeakEnd,
    SoftwareAfterDate,
)
from scrutiny.checks.document._common import local_day, parse_when
from scrutiny.checks.document.authors import _folder_and_name
from scrutiny.checks.document.releases import FAMILIES
from scrutiny.checks.document.software import identify, software_values
from scrutiny.checks.document.textdate import dates_in_text, excerpt, last_date_in_text
from scrutiny.checks.registry import validate
from scrutiny.checks.run import check_case, findings
from scrutiny.core import Severity
from scrutiny.extract.run import extract_case
from scrutiny.ingest import ingest
from scrutiny.synth.documents import DocumentPlan, notice_text, speech_text, write_document

D = dt.date
T = dt.datetime
CLAIMED = D(2017, 3, 1)


# --- the date a text states ------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("2017年3月1日", D(2017, 3, 1)),
    ("2017 年 3 月 1 日", D(2017, 3, 1)),
    ("２０１７年１２月３１日", D(2017, 12, 31)),
    ("2017年3月1号", D(2017, 3, 1)),
    ("2017-03-01", D(2017, 3, 1)),
    ("2017.3.1", D(2017, 3, 1)),
    ("印发日期：2017.03.01。", D(2017, 3, 1)),
    ("2017/3/1", D(2017, 3, 1)),
    ("二〇一七年三月一日", D(2017, 3, 1)),
    ("二○一八年十二月三十一日", D(2018, 12, 31)),
    ("二〇二〇年二月二十九日", D(2020, 2, 29)),
    ("二零一九年十月十日", D(2019, 10, 10)),
    ("二〇一九年十一月二十日", D(2019, 11, 20)),
])
def test_dates_in_text_forms(text: str, expected: dt.date) -> None:
    found = dates_in_text(f"某某县公安局\n{text}\n")
    assert [s.date for s in found] == [expected]
    assert found[0].written in text and found[0].written[0] in "2２二"


@pytest.mark.parametrize("text", [
    "2017年2月30日",          # not a calendar date
    "二〇一七年二月三十日",
    "2017年3月",              # no day
    "3月1日",                 # no year
    "1850年1月1日",           # outside 1900–2100
    "12017-03-01",            # inside a longer number
    "0998-2017-03-01",        # a phone-like run of numbers
    "版本 1.2017.3.1",         # a version number
    "2017.3.1.5",
    "2017-3/1",               # mixed separators
    "二〇一七年三月",
    "",
])
def test_dates_in_text_ignores_what_is_not_a_full_date(text: str) -> None:
    assert dates_in_text(text) == []


def test_last_date_in_text_is_the_last_written() -> None:
    text = ("根据2016年5月20日会议精神，自2017-01-01起执行。\n疏附县公安局\n"
            "二〇一七年三月一日\n")
    last = last_date_in_text(text)
    assert last is not None
    assert last.date == D(2017, 3, 1)
    assert last.written == "二〇一七年三月一日"
    assert [s.date for s in dates_in_text(text)] == [D(2016, 5, 20), D(2017, 1, 1),
                                                      D(2017, 3, 1)]
    assert excerpt(text, last, context=7) == "疏附县公安局 二〇一七年三月一日"
    assert last_date_in_text("没有日期的文本") is None


def test_metadata_dates_become_beijing_days() -> None:
    utc = parse_when("2019-01-15T16:30:00Z")
    assert utc is not None and local_day(utc) == D(2019, 1, 16)  # 00:30 in Beijing
    naive = parse_when("2019-01-15T23:30:00")
    assert naive is not None and local_day(naive) == D(2019, 1, 15)
    assert parse_when("D:2019") is None
    assert parse_when(None) is None


# --- the release table -----------------------------------------------------------------------


@pytest.mark.parametrize(("value", "label", "released"), [
    ("Microsoft Office Word 14.0000", "Office 2010", D(2010, 4, 15)),
    ("Microsoft Excel 16.0300", "Office 2016 or later (2016/2019/2021/365)", D(2015, 7, 9)),
    ("Microsoft Word 8.0", "Office 97", D(1996, 11, 19)),
    ("Microsoft® Word 2013", "Office 2013", D(2012, 10, 11)),
    ("Microsoft Word 2010", "Office 2010", D(2010, 4, 15)),
    ("Microsoft® Office Word 2007", "Office 2007", D(2006, 11, 3)),
    ("Microsoft® Word 2019", "Office 2019", D(2018, 9, 24)),
    ("Microsoft® Word for Microsoft 365", "Microsoft 365 (renamed from Office 365)",
     D(2020, 4, 21)),
    ("Microsoft: Print To PDF", "Windows 10 (Microsoft Print to PDF)", D(2015, 7, 29)),
    ("WPS Office 10.1", "WPS Office 2016", D(2015, 1, 1)),
    ("WPS Office_11.1.0.9912_F1E327BC-269C-435d-A152-05C5408002CA", "WPS Office 2019",
     D(2018, 1, 1)),
    ("LibreOffice 6.4", "LibreOffice 6.4", D(2020, 1, 29)),
    ("LibreOffice/7.0.4.2$Linux_X86_64 LibreOffice_project/dcf040e67528d9187c66b2379df5ea4",
     "LibreOffice 7.0", D(2020, 8, 5)),
    ("OpenOffice.org 3.2", "OpenOffice.org 3.2", D(2010, 2, 11)),
    ("Acrobat Distiller 10.1.16 (Windows)", "Acrobat X", D(2010, 11, 15)),
    ("Adobe PDF Library 9.9", "Adobe PDF Library 9", D(2008, 6, 1)),
    ("Mac OS X 10.13.6 Quartz PDFContext", "macOS 10.13", D(2017, 9, 25)),
    ("macOS Version 10.15.7 (Build 19H2) Quartz PDFContext", "macOS 10.15", D(2019, 10, 7)),
    ("macOS 版本11.2.3（版号20D91） Quartz PDFContext", "macOS 11", D(2020, 11, 12)),
    ("Skia/PDF m80", "Chrome 80", D(2019, 10, 22)),
    ("iText® 5.5.13.1 ©2000-2019 iText Group NV (AGPL-version)", "iText 5", D(2009, 12, 1)),
])
def test_identify_known_software(value: str, label: str, released: dt.date) -> None:
    found = identify(value)
    assert found is not None
    assert (found.release.label, found.release.released) == (label, released)
    assert found.release.source


def test_identify_between_versions_takes_the_nearest_lower_one() -> None:
    found = identify("Skia/PDF m85 Google Docs Renderer")
    assert found is not None and found.version == "85"
    assert found.release.label == "Chrome 80"
    newer = identify("LibreOffice 26.2")
    assert newer is not None and newer.release.label == "LibreOffice 25.2"


@pytest.mark.parametrize("value", [
    "ReportLab PDF Library - www.reportlab.com",   # no version: not datable
    "WPS 文字",
    "WPS Office_12.1.0.15712_F1E327BC",            # exact family, version not listed
    "Microsoft Word - 报告.docx",
    "Microsoft Office Word",                       # no version
    "Skia/PDF m45",                                # below the table
    "iText 2.1.7 by 1T3XT",
    "Foxit Reader PDF Printer Version 9.0.1.1049",
    "",
])
def test_identify_does_not_judge_unknown_software(value: str) -> None:
    assert identify(value) is None


def test_release_table_is_well_formed() -> None:
    for family in FAMILIES:
        re.compile(family.pattern)
        versions = [r.version for r in family.releases]
        assert len(versions) == len(set(versions)), family.name
        for release in family.releases:
            assert D(1990, 1, 1) < release.released < D(2030, 1, 1), release
            assert release.source and release.label


def test_software_values_appends_the_application_version() -> None:
    meta = {"Office:Application": "Microsoft Office Word", "Office:AppVersion": "14.0000",
            "OLE:Application": "WPS Office_11.1.0.9912_F1E327BC", "OLE:AppVersion": "11.0000",
            "PDF:Producer": "  ", "PDF:Creator": "Microsoft® Word 2010"}
    assert software_values(meta) == [
        ("PDF:Creator", "Microsoft® Word 2010"),
        ("Office:Application + Office:AppVersion", "Microsoft Office Word 14.0000"),
        ("OLE:Application", "WPS Office_11.1.0.9912_F1E327BC")]


def test_folder_of_a_received_file() -> None:
    assert _folder_and_name("/leak/docs/a.docx", []) == ("/leak/docs", "a.docx")
    assert _folder_and_name("/leak/x.zip", ["docs/a.pdf"]) == ("/leak/x.zip!/docs", "a.pdf")
    assert _folder_and_name("/leak/x.zip", ["a.pdf"]) == ("/leak/x.zip!", "a.pdf")
    assert _folder_and_name(r"C:\leak\a.doc", []) == (r"C:\leak", "a.doc")


def test_checks_are_valid_and_documented() -> None:
    assert validate(DOCUMENT_CHECKS) == list(DOCUMENT_CHECKS)
    codes = [c.code for c in DOCUMENT_CHECKS]
    assert codes == ["DOC-META-001", "DOC-META-002", "DOC-META-003", "DOC-SW-001",
                     "DOC-PDF-001", "DOC-AUTH-001"]
    for check in DOCUMENT_CHECKS:
        doc = check.__doc__ or ""
        for part in ("**Method.**", "**What it can show.**", "**What it cannot show.**",
                     "**References.**"):
            assert part in doc, (check.code, part)
    assert "## DOC-SW-001" in checks_markdown(DOCUMENT_CHECKS)


# --- legacy Office metadata, checked directly -------------------------------------------------


def ole_item(meta: dict[str, Any]) -> Item:
    return Item(1, "ab" * 32, "application/msword", 1024, ("/leak/旧文件.doc",), meta)


def no_texts() -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE texts (id INTEGER PRIMARY KEY, sha256 TEXT, location TEXT, "
               "text TEXT)")
    return db


def test_created_after_modified_in_legacy_office_and_with_unknown_offsets() -> None:
    ctx = Context(None, D(2024, 1, 1))
    check = CreatedAfterModified()
    inverted = ole_item({"OLE:Created": "2016-05-02T08:00:00+00:00",
                         "OLE:Modified": "2016-05-01T08:00:00+00:00"})
    [finding] = check.run(inverted, ctx)
    assert finding.evidence["pairs"][0]["created_key"] == "OLE:Created"
    assert "旧文件.doc: In its OLE summary information" in finding.explanation
    # one date with an offset, one without: 10 hours apart may be the offset alone
    mixed = {"PDF:CreationDate": "2016-05-01T18:00:00", "PDF:ModDate": "2016-05-01T08:00:00Z"}
    assert list(check.run(ole_item(mixed), ctx)) == []
    mixed["PDF:CreationDate"] = "2016-05-03T18:00:00"
    assert len(list(check.run(ole_item(mixed), ctx))) == 1
    # equal within a minute: rounding, not reported
    close = {"OLE:Created": "2016-05-01T08:00:30+00:00", "OLE:Modified": "2016-05-01T08:00:00Z"}
    assert list(check.run(ole_item(close), ctx)) == []


def test_software_after_the_metadata_of_a_legacy_document() -> None:
    ctx = Context(no_texts(), D(2024, 1, 1))
    item = ole_item({"OLE:Application": "Microsoft Office Word", "OLE:AppVersion": "12.0000",
                     "OLE:Created": "2004-03-01T02:00:00+00:00",
                     "OLE:Modified": "2005-06-01T02:00:00+00:00"})
    [finding] = SoftwareAfterDate().run(item, ctx)
    assert finding.severity == Severity.WARNING
    assert "claimed_date" not in finding.evidence              # no text: metadata only
    assert finding.evidence["latest_metadata_date"] == {
        "OLE:Modified": "2005-06-01T02:00:00+00:00"}
    assert "Office 2007, available from 2006-11-03" in finding.explanation
    item = ole_item({**item.meta, "OLE:AppVersion": "11.0000"})   # Office 2003: fine
    assert list(SoftwareAfterDate().run(item, ctx)) == []


# --- end to end ------------------------------------------------------------------------------


def plan(path: str, *, claimed: dt.date = CLAIMED, created: dt.datetime | None = None,
         modified: dt.datetime | None = None, author: str = "王建国",
         software: str | None = None, last_line: str | None = None) -> DocumentPlan:
    """A speech (.docx) or notice (.pdf) stating ``claimed``; by default created a few days
    before it and modified a day later, as a genuine document would be."""
    kind = path.rsplit(".", 1)[1]
    title, body = (speech_text if kind == "docx" else notice_text)(
        "疏附县", "疏附县职业技能教育培训中心", claimed)
    if last_line is not None:
        body = (*body[:-1], last_line)
    created = created or T.combine(claimed, dt.time(9)) - dt.timedelta(days=3)
    modified = modified or created + dt.timedelta(days=1)
    software = software or ("Microsoft Office Word 14.0000" if kind == "docx"
                            else "Microsoft® Word 2010")
    return DocumentPlan(path, kind, title, body, claimed, created, modified, author, software)


def make_case(base: Path, plans: Sequence[DocumentPlan],
              edit: dict[str, str] | None = None) -> Case:
    """Write the documents under ``base/in``, append an incremental update with the given
    info dictionary entries to the PDFs named in ``edit``, and ingest and extract them into a
    new case at ``base/case``."""
    src = base / "in"
    for p in plans:
        write_document(src, p)
    for name, info in (edit or {}).items():
        append_update(src / name, info)
    case = Case.create(base / "case", actor="test")
    ingest(case, [src])
    extract_case(case, workers=0)
    return case


def run(case: Case, check: type[Check], code: str,
        settings: dict[str, Any] | None = None) -> dict[str, dict[str, Any]]:
    """Run one check; its findings by file name (the last part of the evidence's file)."""
    check_case(case, classes=[check], settings=settings)
    out: dict[str, dict[str, Any]] = {}
    for f in findings(case.db, code=code):
        assert f["code"] == code and f["title"] != "Could not check", f
        name = Path(f["evidence"]["file"]).name
        assert name not in out, f"two findings for {name}"
        out[name] = f
    return out


def test_created_after_modified(tmp_path: Path) -> None:
    with make_case(tmp_path, [
        plan("inverted.docx", created=T(2017, 3, 5, 10), modified=T(2017, 3, 2, 16)),
        plan("clean.docx"),
        plan("clean.pdf"),                    # ReportLab writes CreationDate = ModDate
        plan("inverted.pdf"),
    ], edit={"inverted.pdf": "/Producer (Foxit) /CreationDate (D:20190105120000+08'00') "
                             "/ModDate (D:20170101120000+08'00')"}) as case:
        found = run(case, CreatedAfterModified, "DOC-META-001")
    assert set(found) == {"inverted.docx", "inverted.pdf"}
    docx = found["inverted.docx"]
    assert docx["severity"] == "warning"
    assert docx["evidence"]["pairs"] == [{
        "created_key": "Office:Created", "created": "2017-03-05T02:00:00+00:00",
        "modified_key": "Office:Modified", "modified": "2017-03-02T08:00:00+00:00"}]
    assert "Office:Created is 2017-03-05T02:00:00+00:00" in docx["explanation"]
    assert "created 2 days after it was last modified" in docx["explanation"]
    assert docx["evidence"]["item"] == docx["subject"]
    pdf = found["inverted.pdf"]["evidence"]["pairs"][0]
    assert (pdf["created_key"], pdf["created"]) == ("PDF:CreationDate",
                                                    "2019-01-05T12:00:00+08:00")
    assert pdf["modified"] == "2017-01-01T12:00:00+08:00"


def test_dated_after_the_leak_end(tmp_path: Path) -> None:
    plans = [
        plan("late.docx", created=T(2018, 12, 1, 9), modified=T(2019, 3, 1, 11)),
        # 23:00 in Beijing on the end date is 15:00 UTC the same day: not after
        plan("same-day.docx", created=T(2019, 1, 10, 9), modified=T(2019, 1, 15, 23)),
        plan("late.pdf", created=T(2019, 2, 1, 9)),
        plan("clean.pdf"),
    ]
    with make_case(tmp_path / "without", plans) as case:
        assert run(case, ModifiedAfterLeakEnd, "DOC-META-002") == {}   # no end date set
    with make_case(tmp_path / "with", plans) as case:
        found = run(case, ModifiedAfterLeakEnd, "DOC-META-002", {"end_date": "2019-01-15"})
    assert set(found) == {"late.docx", "late.pdf"}
    late = found["late.docx"]
    assert late["severity"] == "warning"
    assert late["evidence"]["end_date"] == "2019-01-15"
    assert late["evidence"]["dates"] == {"Office:Modified": "2019-03-01T03:00:00+00:00"}
    assert "45 days after" in late["explanation"]
    assert found["late.pdf"]["evidence"]["dates"] == {
        "PDF:CreationDate": "2019-02-01T09:00:00+08:00",
        "PDF:ModDate": "2019-02-01T09:00:00+08:00"}


def test_a_bad_end_date_is_reported_not_ignored(tmp_path: Path) -> None:
    with make_case(tmp_path, [plan("a.docx")]) as case:
        check_case(case, classes=[ModifiedAfterLeakEnd], settings={"end_date": "soon"})
        stored = findings(case.db, code="DOC-META-002")
    assert len(stored) == 1 and stored[0]["title"] == "Could not check"
    assert "end_date" in stored[0]["explanation"]


def test_dated_after_the_claimed_date(tmp_path: Path) -> None:
    with make_case(tmp_path, [
        # as the synthetic leak plants it: made years after the date it states
        plan("forged.docx", created=T(2020, 5, 3, 10), modified=T(2020, 5, 3, 11)),
        plan("forged.pdf", created=T(2020, 7, 1, 15), last_line="二〇一七年三月一日"),
        # drafted before, re-saved 40 days after the date: modified only
        plan("resaved.docx", modified=T(2017, 4, 10, 9)),
        plan("clean.docx"),
        plan("clean.pdf"),
        plan("within.docx", modified=T(2017, 3, 30, 9)),    # 29 days after: not reported
    ]) as case:
        found = run(case, DatedAfterClaimedDate, "DOC-META-003")
    assert set(found) == {"forged.docx", "forged.pdf", "resaved.docx"}
    forged = found["forged.docx"]
    assert forged["severity"] == "notice"
    ev = forged["evidence"]
    assert (ev["claimed_date"], ev["claimed_as_written"]) == ("2017-03-01", "2017年3月1日")
    assert "领导小组办公室" in ev["claimed_context"]
    assert ev["dates"] == {"Office:Created": "2020-05-03T02:00:00+00:00",
                           "Office:Modified": "2020-05-03T03:00:00+00:00"}
    assert "Even its creation date is later" in forged["explanation"]
    pdf = found["forged.pdf"]["evidence"]
    assert pdf["claimed_as_written"] == "二〇一七年三月一日"
    assert pdf["claimed_location"] == "page:1"
    resaved = found["resaved.docx"]
    assert list(resaved["evidence"]["dates"]) == ["Office:Modified"]
    assert "Even its creation date" not in resaved["explanation"]
    assert "re-saved" in resaved["explanation"]


def test_software_released_after_the_date(tmp_path: Path) -> None:
    with make_case(tmp_path, [
        # claims 2012 and its metadata says 2012, but Office 16.0 is from 2015
        plan("backdated.docx", claimed=D(2012, 3, 1), software="Microsoft Office Word 16.0000"),
        # made in 2021 with LibreOffice 7.0 (2020): after the date it states only
        plan("converted.pdf", created=T(2021, 3, 1, 10), software="LibreOffice 7.0"),
        plan("clean.docx"),                                          # Office 2010 in 2017
        plan("clean.pdf", software="WPS Office 10.1"),
        plan("unknown.pdf", claimed=D(2001, 3, 1), software="Foo Writer 3.0"),
    ]) as case:
        found = run(case, SoftwareAfterDate, "DOC-SW-001")
    assert set(found) == {"backdated.docx", "converted.pdf"}
    backdated = found["backdated.docx"]
    assert backdated["severity"] == "warning"
    [sw] = backdated["evidence"]["software"]
    assert sw["fields"] == {"Office:Application + Office:AppVersion":
                            "Microsoft Office Word 16.0000"}
    assert (sw["released"], sw["after_metadata"], sw["after_claimed"]) == (
        "2015-07-09", True, True)
    assert backdated["evidence"]["claimed_date"] == "2012-03-01"
    assert "Office 2016 or later" in backdated["explanation"]
    assert "contradict" in backdated["explanation"]
    converted = found["converted.pdf"]
    assert converted["severity"] == "notice"
    [sw] = converted["evidence"]["software"]
    assert sw["fields"] == {"PDF:Producer": "LibreOffice 7.0", "PDF:Creator": "LibreOffice 7.0"}
    assert (sw["dated_as"], sw["after_metadata"], sw["after_claimed"]) == (
        "LibreOffice 7.0", False, True)
    assert "re-saved or converted later" in converted["explanation"]


def test_pdf_incremental_updates(tmp_path: Path) -> None:
    with make_case(tmp_path, [plan("edited.pdf"), plan("clean.pdf"), plan("clean.docx")],
                   edit={"edited.pdf": "/Producer (Nitro Pro 9) "
                                       "/ModDate (D:20190105120000+08'00')"}) as case:
        found = run(case, IncrementalUpdates, "DOC-PDF-001")
    assert set(found) == {"edited.pdf"}
    edited = found["edited.pdf"]
    assert edited["severity"] == "notice"
    assert edited["evidence"]["incremental_updates"] == 1
    assert edited["evidence"]["metadata"]["PDF:Producer"] == "Nitro Pro 9"
    assert "1 incremental update:" in edited["explanation"]


def test_pdf_incremental_updates_counted(tmp_path: Path) -> None:
    src = tmp_path / "in"
    write_document(src, plan("twice.pdf"))
    append_update(src / "twice.pdf", "/Producer (Foxit)")
    append_update(src / "twice.pdf", "/Producer (Nitro Pro 9)")
    with Case.create(tmp_path / "case", actor="test") as case:
        ingest(case, [src])
        extract_case(case, workers=0)
        found = run(case, IncrementalUpdates, "DOC-PDF-001")
    assert found["twice.pdf"]["evidence"]["incremental_updates"] == 2
    assert "2 incremental updates" in found["twice.pdf"]["explanation"]


def test_author_outlier_in_a_folder(tmp_path: Path) -> None:
    plans = [
        plan("office/a.docx", author="Administrator"),
        plan("office/b.docx", author="administrator"),     # same name, other case
        plan("office/c.pdf", author="Administrator"),
        plan("office/d.docx", author="张伟"),               # the outlier
        plan("pair/a.docx", author="admin"),               # two documents: not judged
        plan("pair/b.docx", author="李娜"),
        plan("mixed/a.docx", author="甲"),                  # no majority: not judged
        plan("mixed/b.docx", author="乙"),
        plan("mixed/c.docx", author="丙"),
        plan("mixed/d.docx", author="丁"),
    ]
    with make_case(tmp_path, plans) as case:
        check_case(case, classes=[AuthorOutlier])
        stored = findings(case.db, code="DOC-AUTH-001")
        again = check_case(case, classes=[AuthorOutlier])   # the same observations
    assert sum(again.findings.values()) == 0
    assert {f["evidence"]["file"] for f in stored} == {"d.docx"}
    by_field = {f["evidence"]["field"]: f for f in stored}
    assert set(by_field) == {"author", "last_modified_by"}   # docx: both say 张伟
    author = by_field["author"]
    assert author["severity"] == "notice"
    ev = author["evidence"]
    assert ev["folder"].endswith("/in/office")
    assert (ev["key"], ev["value"], ev["family_value"]) == ("Office:Author", "张伟",
                                                            "Administrator")
    assert (ev["family_sharing"], ev["family_documents"]) == (3, 4)
    assert "3 of the 4 documents in that folder" in author["explanation"]
    # the PDF has no last-modified-by: three documents have one, two of them agree
    editor = by_field["last_modified_by"]["evidence"]
    assert (editor["family_sharing"], editor["family_documents"]) == (2, 3)


def test_clean_documents_yield_nothing(tmp_path: Path) -> None:
    plans = [plan("docs/speech.docx", author="Administrator"),
             plan("docs/notice.pdf", author="Administrator", software="WPS Office 10.1"),
             plan("docs/other.docx", claimed=D(2018, 5, 20), author="Administrator"),
             plan("docs/late-draft.docx", author="Administrator",
                  created=T(2017, 1, 10, 9), modified=T(2017, 3, 20, 9))]
    with make_case(tmp_path, plans) as case:
        summary = check_case(case, classes=list(DOCUMENT_CHECKS),
                             settings={"end_date": "2019-01-15"})
        assert sum(summary.findings.values()) == 0, findings(case.db, code="DOC")
