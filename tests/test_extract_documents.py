"""Document extractors: PDF, Office Open XML, legacy OLE property sets, CSV/TSV and plain text.

Inputs are generated in tmp_path with the synthetic-leak writers (reportlab PDFs with CJK text,
python-docx documents, openpyxl/CSV rosters) or built by hand (PPTX, OLE2, hostile files).
"""

from __future__ import annotations

import datetime as dt
import io
import struct
import time
import tracemalloc
import uuid
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import docx
import numpy as np
import openpyxl
import pikepdf
import pytest
from openpyxl import Workbook
from PIL import Image
from reportlab.pdfgen import canvas

from pdf_updates import append_update
from scrutiny.extract.base import (
    Child,
    ExtractionError,
    Extractor,
    ItemInfo,
    Limits,
    Meta,
    Output,
    Row,
    Text,
)
from scrutiny.extract.office import OfficeExtractor
from scrutiny.extract.ole import OleExtractor
from scrutiny.extract.pdf import PdfExtractor, count_incremental_updates, pdf_date
from scrutiny.extract.tabular import TabularExtractor, lines, sniff_delimiter
from scrutiny.extract.textfile import TextFileExtractor, detect_encoding
from scrutiny.synth.documents import DocumentPlan, notice_text, speech_text, write_document
from scrutiny.synth.rosters import HEADER, RosterSpec, RosterWriter

CREATED = dt.datetime(2017, 3, 14, 10, 2, 0)
MODIFIED = dt.datetime(2017, 3, 20, 16, 30, 0)


# --- helpers ---------------------------------------------------------------------------------


def run(extractor: Extractor, path: Path, limits: Limits | None = None,
        names: tuple[str, ...] | None = None) -> tuple[list[Output], ExtractionError | None]:
    """Everything the extractor yields, and the ExtractionError it ends with (if any)."""
    item = ItemInfo(sha256="0" * 64, size=path.stat().st_size, mime="",
                    names=names if names is not None else (path.name,))
    out: list[Output] = []
    with path.open("rb") as f:
        try:
            for output in extractor.extract(f, item, limits or Limits()):
                out.append(output)
        except ExtractionError as exc:
            return out, exc
    return out, None


def metas(outputs: Iterable[Output]) -> dict[str, Any]:
    return {o.key: o for o in outputs if isinstance(o, Meta)}


def values(outputs: Iterable[Output]) -> dict[str, Any]:
    return {key: m.value for key, m in metas(outputs).items()}


def texts(outputs: Iterable[Output]) -> dict[str, str]:
    return {o.location: o.text for o in outputs if isinstance(o, Text)}


def rows(outputs: Iterable[Output]) -> list[Row]:
    return [o for o in outputs if isinstance(o, Row)]


def plan(kind: str, software: str) -> DocumentPlan:
    title, body = (notice_text if kind == "pdf" else speech_text)(
        "疏附县", "疏附县职业技能教育培训中心", dt.date(2017, 3, 1))
    return DocumentPlan(path=f"doc.{kind}", kind=kind, title=title, paragraphs=body,
                        claimed=dt.date(2017, 3, 1), created=CREATED, modified=MODIFIED,
                        author="王建国", software=software)


def jpeg_bytes(width: int = 48, height: int = 32) -> bytes:
    pixels = np.random.default_rng(7).integers(0, 255, (height, width, 3), dtype=np.uint8)
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, "JPEG", quality=85)
    return buf.getvalue()


BOMB_ENTITIES = "".join(
    ['<!ENTITY lol0 "lol">']
    + [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)])


def billion_laughs(open_tags: str, close_tags: str, padding: int = 0) -> bytes:
    """An XML part whose one text expands to 10⁹ "lol"s; ``padding`` puts a comment before
    the DTD to push it beyond the first 64 KiB."""
    comment = f"<!--{'x' * padding}-->\n" if padding else ""
    return (f'<?xml version="1.0"?>\n{comment}<!DOCTYPE lolz [{BOMB_ENTITIES}]>\n'
            f"{open_tags}&lol9;{close_tags}").encode()


def replace_member(src: Path, dst: Path, name: str, data: bytes) -> None:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, data if info.filename == name else zin.read(info))


# --- PDF -------------------------------------------------------------------------------------


@pytest.fixture
def notice_pdf(tmp_path: Path) -> Path:
    write_document(tmp_path, plan("pdf", "Microsoft® Word 2010"))
    return tmp_path / "doc.pdf"


def test_pdf_metadata_fonts_and_cjk_text(notice_pdf: Path) -> None:
    out, error = run(PdfExtractor(), notice_pdf)
    assert error is None
    meta = metas(out)
    assert meta["PDF:Producer"].value == "Microsoft® Word 2010"
    assert meta["PDF:Creator"].value == "Microsoft® Word 2010"
    assert meta["PDF:Author"].value == "王建国"
    assert meta["PDF:Title"].value.startswith("关于进一步加强")
    assert meta["PDF:CreationDate"].value == "2017-03-14T10:02:00+08:00"
    assert meta["PDF:CreationDate"].raw == "D:20170314100200+08'00'"
    assert meta["PDF:ModDate"].value == "2017-03-14T10:02:00+08:00"
    assert meta["PDF:PageCount"].value == 1
    assert "STSong-Light" in meta["PDF:Fonts"].value
    assert meta["PDF:IncrementalUpdates"].value == 0
    assert meta["PDF:Encrypted"].value is False
    page = texts(out)["page:1"]
    assert "关于进一步加强疏附县职业技能教育培训中心管理工作的通知" in page
    assert "2017年3月1日" in page
    assert not [o for o in out if isinstance(o, Child)]


@pytest.mark.parametrize(("raw", "iso"), [
    ("D:20170314100200+08'00'", "2017-03-14T10:02:00+08:00"),
    ("D:20170314100200+08'00", "2017-03-14T10:02:00+08:00"),
    ("D:20170314100200-05'30'", "2017-03-14T10:02:00-05:30"),
    ("D:20170314100200Z", "2017-03-14T10:02:00+00:00"),
    ("D:20170314100200Z00'00'", "2017-03-14T10:02:00+00:00"),
    ("D:20170314100200", "2017-03-14T10:02:00"),
    ("D:2017", "2017-01-01T00:00:00"),
    ("20170314", "2017-03-14T00:00:00"),
    ("D:20171340100200", None),
    ("D:2017-03-14", None),
    ("2017-03-14 10:02:00", "2017-03-14T10:02:00"),
    ("yesterday", None),
])
def test_pdf_dates(raw: str, iso: str | None) -> None:
    assert pdf_date(raw) == iso


def test_pdf_incremental_update_counted(notice_pdf: Path) -> None:
    append_update(notice_pdf, "/Producer (Nitro Pro 9) /ModDate (D:20190105120000+08'00')")
    out, error = run(PdfExtractor(), notice_pdf)
    assert error is None  # qpdf reads the update without repairing anything
    meta = metas(out)
    assert meta["PDF:IncrementalUpdates"].value == 1
    assert meta["PDF:Producer"].value == "Nitro Pro 9"
    assert meta["PDF:ModDate"].value == "2019-01-05T12:00:00+08:00"
    append_update(notice_pdf, "/Producer (Foxit)")
    with notice_pdf.open("rb") as f:
        assert count_incremental_updates(f) == 2


def test_pdf_linearized_is_not_an_update(notice_pdf: Path, tmp_path: Path) -> None:
    linear = tmp_path / "linear.pdf"
    with pikepdf.open(notice_pdf) as pdf:  # a new file for the test; the input is untouched
        pdf.save(linear, linearize=True)
    out, error = run(PdfExtractor(), linear)
    assert error is None
    assert values(out)["PDF:Linearized"] is True
    assert values(out)["PDF:IncrementalUpdates"] == 0


def _pdf_with_plain_jpeg(path: Path, jpeg: bytes, copies: int = 1) -> None:
    pdf = pikepdf.new()
    page = pdf.add_blank_page(page_size=(200, 200))
    names = {}
    for i in range(copies):
        image = pikepdf.Stream(pdf, jpeg if i == 0 else jpeg_bytes(30 + i, 20))
        image.Type, image.Subtype = pikepdf.Name.XObject, pikepdf.Name.Image
        image.Width, image.Height = (48, 32) if i == 0 else (30 + i, 20)
        image.ColorSpace, image.BitsPerComponent = pikepdf.Name.DeviceRGB, 8
        image.Filter = pikepdf.Name.DCTDecode
        names[f"/Im{i}"] = image
    page.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(names))
    draw = b"".join(f"q 48 0 0 32 {10 + 50 * i} 10 cm /Im{i} Do Q\n".encode()
                    for i in range(copies))
    page.Contents = pdf.make_stream(draw)
    pdf.save(path)


def test_pdf_embedded_jpeg_is_a_child_byte_for_byte(tmp_path: Path) -> None:
    jpeg = jpeg_bytes()
    path = tmp_path / "photo.pdf"
    _pdf_with_plain_jpeg(path, jpeg)
    out, error = run(PdfExtractor(), path)
    assert error is None
    children = [o for o in out if isinstance(o, Child)]
    assert len(children) == 1
    assert children[0].data == jpeg
    assert children[0].name == "page1-Im0.jpg"
    assert children[0].location == "page:1"


def test_pdf_images_from_reportlab_jpeg_and_png(tmp_path: Path) -> None:
    """reportlab wraps JPEGs in ASCII85 and stores other images as Flate: the JPEG still
    comes out as the same JPEG, the other as a PNG."""
    jpeg = jpeg_bytes()
    (tmp_path / "a.jpg").write_bytes(jpeg)
    Image.open(io.BytesIO(jpeg)).save(tmp_path / "b.png")
    c = canvas.Canvas(str(tmp_path / "two.pdf"), invariant=1)
    c.drawImage(str(tmp_path / "a.jpg"), 50, 50, 48, 32)
    c.drawImage(str(tmp_path / "b.png"), 150, 50, 48, 32)
    c.showPage()
    c.save()
    out, error = run(PdfExtractor(), tmp_path / "two.pdf")
    assert error is None
    children = sorted((o for o in out if isinstance(o, Child)), key=lambda c: c.name[-4:])
    assert [c.name[-4:] for c in children] == [".jpg", ".png"]
    assert children[0].data == jpeg
    assert children[1].data.startswith(b"\x89PNG\r\n\x1a\n")


def test_pdf_children_capped_by_limit(tmp_path: Path) -> None:
    path = tmp_path / "three.pdf"
    _pdf_with_plain_jpeg(path, jpeg_bytes(), copies=3)
    out, error = run(PdfExtractor(), path, Limits(max_children=2))
    assert len([o for o in out if isinstance(o, Child)]) == 2
    assert error is not None and "images" in str(error)


def test_pdf_xmp_metadata(notice_pdf: Path, tmp_path: Path) -> None:
    with_xmp = tmp_path / "xmp.pdf"
    with pikepdf.open(notice_pdf) as pdf:  # a new file for the test; the input is untouched
        with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as xmp:
            xmp["xmp:CreatorTool"] = "Adobe InDesign CS6 (Windows)"
            xmp["xmp:CreateDate"] = "2017-03-14T10:02:00+08:00"
            xmp["dc:creator"] = ["王建国"]
        pdf.save(with_xmp)
    out, error = run(PdfExtractor(), with_xmp)
    assert error is None
    meta = metas(out)
    assert meta["XMP:CreatorTool"].value == "Adobe InDesign CS6 (Windows)"
    assert meta["XMP:CreateDate"].value == "2017-03-14T10:02:00+08:00"
    assert meta["XMP:Creator"].value == ["王建国"]
    assert meta["XMP:CreatorTool"].location == "xmp"


def test_pdf_page_limit(tmp_path: Path) -> None:
    c = canvas.Canvas(str(tmp_path / "pages.pdf"), invariant=1)
    for n in range(3):
        c.drawString(72, 720, f"page {n + 1}")
        c.showPage()
    c.save()
    out, error = run(PdfExtractor(), tmp_path / "pages.pdf", Limits(max_pages=2))
    assert values(out)["PDF:PageCount"] == 3
    assert sorted(texts(out)) == ["page:1", "page:2"]
    assert error is not None and "pages" in str(error)


def test_encrypted_pdf_says_password(notice_pdf: Path, tmp_path: Path) -> None:
    locked = tmp_path / "locked.pdf"
    with pikepdf.open(notice_pdf) as pdf:
        pdf.save(locked, encryption=pikepdf.Encryption(owner="o", user="u"))
    out, error = run(PdfExtractor(), locked)
    assert error is not None
    assert "password" in str(error)
    assert values(out)["PDF:Encrypted"] is True
    assert not texts(out)


def test_pdf_with_owner_password_only_is_read(notice_pdf: Path, tmp_path: Path) -> None:
    restricted = tmp_path / "restricted.pdf"
    with pikepdf.open(notice_pdf) as pdf:
        pdf.save(restricted, encryption=pikepdf.Encryption(owner="o", user=""))
    out, error = run(PdfExtractor(), restricted)
    assert error is None
    assert values(out)["PDF:Encrypted"] is True
    assert values(out)["PDF:Author"] == "王建国"
    assert "2017年3月1日" in texts(out)["page:1"]


@pytest.mark.parametrize("keep", [0.5, -200])
def test_truncated_pdf_is_an_error(notice_pdf: Path, tmp_path: Path, keep: float) -> None:
    data = notice_pdf.read_bytes()
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(data[: int(len(data) * keep)] if keep > 0 else data[: int(keep)])
    out, error = run(PdfExtractor(), cut)
    assert error is not None
    assert "damaged" in str(error)
    assert "PDF:IncrementalUpdates" in values(out)


def test_not_a_pdf_at_all(tmp_path: Path) -> None:
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 8)
    _, error = run(PdfExtractor(), junk)
    assert error is not None and "damaged" in str(error)


# --- Word ------------------------------------------------------------------------------------


@pytest.fixture
def speech_docx(tmp_path: Path) -> Path:
    write_document(tmp_path, plan("docx", "Microsoft Office Word 15.0000"))
    return tmp_path / "doc.docx"


def test_docx_properties_and_text(speech_docx: Path) -> None:
    out, error = run(OfficeExtractor(), speech_docx)
    assert error is None
    meta = metas(out)
    assert meta["Office:Author"].value == "王建国"
    assert meta["Office:LastModifiedBy"].value == "王建国"
    # core properties are UTC: 10:02 in Beijing is 02:02 UTC
    assert meta["Office:Created"].value == "2017-03-14T02:02:00+00:00"
    assert meta["Office:Created"].raw == "2017-03-14T02:02:00Z"
    assert meta["Office:Modified"].value == "2017-03-20T08:30:00+00:00"
    assert meta["Office:Application"].value == "Microsoft Office Word"
    assert meta["Office:AppVersion"].value == "15.0000"
    assert meta["Office:Revision"].value == 3
    assert meta["Office:Template"].value == "Normal.dotm"
    assert meta["Office:Title"].value == "在疏附县维护稳定工作推进会上的讲话"
    body = texts(out)[""]
    assert body.splitlines()[0] == "在疏附县维护稳定工作推进会上的讲话"
    assert "同志们：" in body.splitlines()
    assert "2017年3月1日" in body


def test_docx_text_includes_tables_tabs_and_breaks(tmp_path: Path) -> None:
    document = docx.Document()
    paragraph = document.add_paragraph("姓名")
    run_ = paragraph.add_run()
    run_.add_tab()
    run_.add_text("阿卜杜")
    run_.add_break()
    run_.add_text("第二行")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "公民身份号码", "653101199001020011"
    table.cell(1, 0).text, table.cell(1, 1).text = "所在单位", "教培中心"
    document.save(str(tmp_path / "t.docx"))
    out, error = run(OfficeExtractor(), tmp_path / "t.docx")
    assert error is None
    body = texts(out)[""]
    assert "姓名\t阿卜杜\n第二行" in body
    assert "653101199001020011" in body.splitlines()
    assert "教培中心" in body.splitlines()


def test_docx_text_limit(speech_docx: Path) -> None:
    out, error = run(OfficeExtractor(), speech_docx, Limits(max_text=20))
    assert len(texts(out)[""]) <= 20
    assert error is not None and "limit" in str(error)


def test_truncated_docx_is_an_error(speech_docx: Path, tmp_path: Path) -> None:
    cut = tmp_path / "cut.docx"
    cut.write_bytes(speech_docx.read_bytes()[:3000])
    out, error = run(OfficeExtractor(), cut)
    assert error is not None and "damaged" in str(error)
    assert out == []


# --- Excel -----------------------------------------------------------------------------------


def _roster_rows(n: int) -> list[list[Any]]:
    return [[i + 1, f"阿卜杜热合曼·买买提{i}", "男", "维吾尔族", dt.datetime(1990, 1, 2),
             28, f"65312119900102{i:03d}X", "新疆喀什地区疏附县", "13899990000",
             "疏附县职业技能教育培训中心", "2017-05-01", "出境人员", "", None]
            for i in range(n)]


@pytest.fixture
def roster_xlsx(tmp_path: Path) -> Path:
    spec = RosterSpec(path="roster.xlsx", fmt="xlsx", encoding="", date_style="cell", people=3)
    with RosterWriter(tmp_path, spec, dt.date(2018, 5, 1)) as writer:
        for row in _roster_rows(3):
            writer.write(row)
    return tmp_path / "roster.xlsx"


def test_xlsx_properties_sheets_and_rows(roster_xlsx: Path) -> None:
    out, error = run(OfficeExtractor(), roster_xlsx)
    assert error is None
    meta = metas(out)
    assert meta["Office:Author"].value == "Administrator"
    assert meta["Office:LastModifiedBy"].value == "user"
    assert meta["Office:Modified"].value == "2018-05-01T09:42:05+00:00"
    assert meta["XLSX:Sheets"].value == ["在押人员"]
    assert meta["Table:HeaderRow"].value == 1
    assert meta["Table:HeaderRow"].location == "sheet:在押人员"
    got = rows(out)
    assert [r.number for r in got] == [2, 3, 4]
    assert all(r.table == "sheet:在押人员" and r.header == HEADER for r in got)
    first = got[0]
    assert first.location == "sheet:在押人员!row:2"
    assert first.cells[0] == 1 and isinstance(first.cells[0], int)
    assert first.cells[4] == dt.datetime(1990, 1, 2)  # a date cell stays a datetime
    assert first.cells[6] == "65312119900102000X"
    assert first.cells[10] == "2017-05-01"  # a text date stays text


def test_xlsx_header_below_title_rows_and_gaps(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "名单"
    ws["A1"] = "2018年疏附县收押人员名单"
    ws.append([])
    ws.append(["序号", "姓名", "出生日期"])          # row 3
    ws.append([1, "阿卜杜", 19900102])              # row 4
    ws.cell(row=7, column=2, value="买买提")         # rows 5 and 6 empty
    hidden = wb.create_sheet("备用")
    hidden.sheet_state = "hidden"
    hidden["A1"] = 42
    wb.save(tmp_path / "gaps.xlsx")
    out, error = run(OfficeExtractor(), tmp_path / "gaps.xlsx")
    assert error is None
    meta = metas(out)
    assert meta["XLSX:Sheets"].value == ["名单", "备用"]
    assert meta["XLSX:HiddenSheets"].value == ["备用"]
    got = rows(out)
    assert [(r.table, r.number) for r in got] == [
        ("sheet:名单", 1), ("sheet:名单", 4), ("sheet:名单", 7), ("sheet:备用", 1)]
    assert got[0].header == () and got[0].cells == ("2018年疏附县收押人员名单",)
    assert got[1].header == ("序号", "姓名", "出生日期")
    assert got[1].cells == (1, "阿卜杜", 19900102)
    assert got[2].cells == (None, "买买提")
    assert got[3].header == () and got[3].cells == (42,)


def test_xlsx_row_limit(tmp_path: Path) -> None:
    spec = RosterSpec(path="r.xlsx", fmt="xlsx", encoding="", date_style="cell", people=5)
    with RosterWriter(tmp_path, spec, dt.date(2018, 5, 1)) as writer:
        for row in _roster_rows(5):
            writer.write(row)
    out, error = run(OfficeExtractor(), tmp_path / "r.xlsx", Limits(max_rows=2))
    assert [r.number for r in rows(out)] == [2]  # the header row counts as read
    assert error is not None and "rows" in str(error)


def _peak_while_reading(path: Path) -> tuple[int, int]:
    """Rows read and the peak of Python allocations while reading them."""
    tracemalloc.start()
    try:
        count = 0
        with path.open("rb") as f:
            for output in OfficeExtractor().extract(f, ItemInfo("0" * 64, 1, ""), Limits()):
                count += isinstance(output, Row)
        return count, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_xlsx_rows_stream(tmp_path: Path) -> None:
    """Rows are not collected: reading more rows grows memory only by what openpyxl keeps of
    each parsed row (an emptied XML element, ~150 bytes), less than the rows themselves would
    take (~300 bytes for these). (A 1,000,000-row sheet with a million distinct strings peaked
    at 142 MB resident, the shared strings included.)"""
    peaks = {}
    for n in (300, 3000):
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("名单")
        ws.append(["序号", "姓名", "出生日期", "备注"])
        for i in range(n):
            ws.append([i, "阿卜杜", dt.datetime(1990, 1, 2), 1.5 + i])
        wb.save(tmp_path / f"{n}.xlsx")
        count, peaks[n] = _peak_while_reading(tmp_path / f"{n}.xlsx")
        assert count == n
    assert (peaks[3000] - peaks[300]) / 2700 < 250


def test_corrupt_xlsx_is_an_error(roster_xlsx: Path, tmp_path: Path) -> None:
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(roster_xlsx.read_bytes()[:-400])
    _, error = run(OfficeExtractor(), cut)
    assert error is not None and "damaged" in str(error)

    garbled = tmp_path / "garbled.xlsx"
    replace_member(roster_xlsx, garbled, "xl/workbook.xml", b"<workbook><sheets><sheet")
    out, error = run(OfficeExtractor(), garbled)
    assert error is not None and "damaged" in str(error)
    assert values(out)["Office:Author"] == "Administrator"  # what could be read was
    assert rows(out) == []

    not_office = tmp_path / "plain.xlsx"
    with zipfile.ZipFile(not_office, "w") as zf:
        zf.writestr("readme.txt", "hello")
    _, error = run(OfficeExtractor(), not_office)
    assert error is not None and "not a Word, Excel or PowerPoint" in str(error)


# --- XML bombs -------------------------------------------------------------------------------

SHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
SHEET_BOMB = (f'<worksheet xmlns="{SHEET_NS}"><sheetData><row r="1"><c r="A1" t="inlineStr">'
              "<is><t>", "</t></is></c></row></sheetData></worksheet>")
DOCX_BOMB = (f'<w:document xmlns:w="{W_NS}"><w:body><w:p><w:r><w:t>',
             "</w:t></w:r></w:p></w:body></w:document>")
CORE_BOMB = ('<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
             'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">'
             "<dc:creator>", "</dc:creator></cp:coreProperties>")


@pytest.mark.parametrize("padding", [0, 70_000])
def test_xlsx_xml_bomb_is_refused_quickly(roster_xlsx: Path, tmp_path: Path,
                                          padding: int) -> None:
    """With the DTD up front the part is not parsed at all; pushed past the first 64 KiB,
    openpyxl's defusedxml parser refuses it."""
    bomb = tmp_path / "bomb.xlsx"
    replace_member(roster_xlsx, bomb, "xl/worksheets/sheet1.xml",
                   billion_laughs(*SHEET_BOMB, padding=padding))
    start = time.monotonic()
    out, error = run(OfficeExtractor(), bomb)
    assert time.monotonic() - start < 5
    assert error is not None
    assert ("XML bomb" in str(error)) if padding == 0 else ("damaged" in str(error))
    assert not any("lollol" in str(getattr(o, "cells", "")) for o in out)


@pytest.mark.parametrize("padding", [0, 70_000])
@pytest.mark.parametrize(("part", "tags"), [("word/document.xml", DOCX_BOMB),
                                            ("docProps/core.xml", CORE_BOMB)])
def test_docx_xml_bomb_is_refused_quickly(speech_docx: Path, tmp_path: Path, padding: int,
                                          part: str, tags: tuple[str, str]) -> None:
    bomb = tmp_path / "bomb.docx"
    replace_member(speech_docx, bomb, part, billion_laughs(*tags, padding=padding))
    start = time.monotonic()
    out, error = run(OfficeExtractor(), bomb)
    assert time.monotonic() - start < 5
    assert error is not None
    assert "XML bomb" in str(error) or "DTDForbidden" in str(error)
    assert all("lollol" not in str(getattr(o, "value", "")) for o in out)
    assert all("lollol" not in o.text for o in out if isinstance(o, Text))
    if part == "docProps/core.xml":  # the rest of the document is still read
        assert "同志们：" in texts(out)[""]
        assert "Office:Author" not in values(out)


def test_libraries_do_not_expand_entities(speech_docx: Path, roster_xlsx: Path,
                                          tmp_path: Path) -> None:
    """What the libraries do with a bomb the prolog check misses: openpyxl parses worksheets
    with defusedxml (installed), python-docx's lxml refuses the amplification."""
    assert openpyxl.DEFUSEDXML is True
    xlsx, docx_bomb = tmp_path / "b.xlsx", tmp_path / "b.docx"
    replace_member(roster_xlsx, xlsx, "xl/worksheets/sheet1.xml",
                   billion_laughs(*SHEET_BOMB, padding=70_000))
    replace_member(speech_docx, docx_bomb, "word/document.xml",
                   billion_laughs(*DOCX_BOMB, padding=70_000))
    start = time.monotonic()
    with pytest.raises(Exception, match=r"(?i)entit|invalid XML|amplification"):
        wb = openpyxl.load_workbook(xlsx, read_only=True)
        list(wb.worksheets[0].iter_rows(values_only=True))
    with pytest.raises(Exception, match=r"(?i)entit|amplification"):
        docx.Document(str(docx_bomb))
    assert time.monotonic() - start < 5


# --- PowerPoint ------------------------------------------------------------------------------

_P_NS = "http://schemas.openxmlformats.org/presentationml/2006/main"
_A_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
_R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _slide(*paragraphs: str) -> str:
    body = "".join(f"<a:p><a:r><a:t>{p}</a:t></a:r></a:p>" for p in paragraphs)
    return (f'<p:sld xmlns:p="{_P_NS}" xmlns:a="{_A_NS}"><p:cSld><p:spTree><p:sp><p:txBody>'
            f"{body}</p:txBody></p:sp></p:spTree></p:cSld></p:sld>")


def _write_pptx(path: Path) -> None:
    """A minimal presentation; its slide order (slide2.xml first) differs from file order."""
    parts = {
        "[Content_Types].xml": "<Types/>",
        "_rels/.rels": (
            f'<Relationships xmlns="{_PKG}">'
            f'<Relationship Id="rId1" Type="{_REL}/officeDocument" '
            'Target="ppt/presentation.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/'
            'relationships/metadata/core-properties" Target="docProps/core.xml"/>'
            f'<Relationship Id="rId3" Type="{_REL}/extended-properties" '
            'Target="docProps/app.xml"/></Relationships>'),
        "docProps/core.xml": (
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
            'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:dcterms="http://purl.org/dc/terms/">'
            "<dc:creator>李明</dc:creator><cp:lastModifiedBy>admin</cp:lastModifiedBy>"
            "<cp:revision>12</cp:revision>"
            '<dcterms:created xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            'xsi:type="dcterms:W3CDTF">2018-06-01T01:00:00Z</dcterms:created>'
            "</cp:coreProperties>"),
        "docProps/app.xml": (
            '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
            'extended-properties"><Application>Microsoft Office PowerPoint</Application>'
            "<AppVersion>16.0000</AppVersion><Slides>2</Slides></Properties>"),
        "ppt/presentation.xml": (
            f'<p:presentation xmlns:p="{_P_NS}" xmlns:r="{_R_NS}"><p:sldIdLst>'
            '<p:sldId id="256" r:id="rId7"/><p:sldId id="257" r:id="rId3"/>'
            "</p:sldIdLst></p:presentation>"),
        "ppt/_rels/presentation.xml.rels": (
            f'<Relationships xmlns="{_PKG}">'
            f'<Relationship Id="rId3" Type="{_REL}/slide" Target="slides/slide1.xml"/>'
            f'<Relationship Id="rId7" Type="{_REL}/slide" Target="slides/slide2.xml"/>'
            "</Relationships>"),
        "ppt/slides/slide1.xml": _slide("第二页", "学员家属接待"),
        "ppt/slides/slide2.xml": _slide("教育转化工作汇报", "2018年6月"),
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in parts.items():
            zf.writestr(name, content)


def test_pptx_properties_and_slide_text(tmp_path: Path) -> None:
    _write_pptx(tmp_path / "deck.pptx")
    out, error = run(OfficeExtractor(), tmp_path / "deck.pptx")
    assert error is None
    meta = metas(out)
    assert meta["Office:Author"].value == "李明"
    assert meta["Office:LastModifiedBy"].value == "admin"
    assert meta["Office:Revision"].value == 12
    assert meta["Office:Created"].value == "2018-06-01T01:00:00+00:00"
    assert meta["Office:Application"].value == "Microsoft Office PowerPoint"
    assert meta["Office:Slides"].value == 2
    assert texts(out) == {"slide:1": "教育转化工作汇报\n2018年6月",
                          "slide:2": "第二页\n学员家属接待"}


# --- legacy OLE2 -----------------------------------------------------------------------------

_ENDOFCHAIN, _FATSECT, _FREESECT, _NOSTREAM = 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF, 0xFFFFFFFF
_SUMMARY_FMTID = uuid.UUID("F29F85E0-4FF9-1068-AB91-08002B27B3D9")
_DOCSUMMARY_FMTID = uuid.UUID("D5CDD502-2E9C-101B-9397-08002B2CF9AE")
_STREAM_SIZE = 4096  # at the mini-stream cutoff, so every stream lives in ordinary sectors


def _filetime(when: dt.datetime) -> int:
    return int((when - dt.datetime(1601, 1, 1)).total_seconds()) * 10_000_000


def _property_set(fmtid: uuid.UUID, props: list[tuple[int, int, bytes]]) -> bytes:
    """An OLE property set stream (MS-OLEPS) with one section; ``props`` are
    (id, VT type, encoded value)."""
    values = b""
    offsets = []
    start = 8 + 8 * len(props)
    for _, vt, value in props:
        offsets.append(start + len(values))
        entry = struct.pack("<I", vt) + value
        values += entry + b"\0" * (-len(entry) % 4)
    table = b"".join(struct.pack("<II", pid, off) for (pid, _, _), off in zip(props, offsets,
                                                                            strict=True))
    section = struct.pack("<II", start + len(values), len(props)) + table + values
    header = struct.pack("<HHI", 0xFFFE, 0, 0x00020006) + b"\0" * 16 + struct.pack("<I", 1)
    return header + fmtid.bytes_le + struct.pack("<I", 48) + section


def _lpstr(text: str, codec: str = "gbk") -> bytes:
    raw = text.encode(codec) + b"\0"
    return struct.pack("<I", len(raw)) + raw


def _dir_entry(name: str, kind: int, child: int = _NOSTREAM, right: int = _NOSTREAM,
               start: int = _ENDOFCHAIN, size: int = 0) -> bytes:
    encoded = (name + "\0").encode("utf-16-le")
    return (encoded.ljust(64, b"\0") + struct.pack("<HBB", len(encoded), kind, 1)
            + struct.pack("<III", _NOSTREAM, right, child) + b"\0" * 36
            + struct.pack("<II", start, size) + b"\0" * 4)


def write_ole(path: Path, streams: dict[str, bytes]) -> None:
    """A minimal OLE2 compound file (version 3, 512-byte sectors): sector 0 the FAT, sector 1
    the directory, then each stream padded to 4096 bytes (at most three streams)."""
    names = sorted(streams, key=lambda n: (len(n), n.upper()))  # the tree's order
    fat = [_FATSECT, _ENDOFCHAIN]
    entries = [_dir_entry("Root Entry", 5, child=1)]
    for i, name in enumerate(names):
        first = len(fat)
        fat += [*range(first + 1, first + 8), _ENDOFCHAIN]
        right = i + 2 if i + 1 < len(names) else _NOSTREAM
        entries.append(_dir_entry(name, 2, right=right, start=first,
                                  size=_STREAM_SIZE))
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16
              + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\0" * 6
              + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, _ENDOFCHAIN, 0, _ENDOFCHAIN, 0)
              + struct.pack("<I", 0) + struct.pack("<I", _FREESECT) * 108)
    fat_sector = b"".join(struct.pack("<I", x) for x in fat).ljust(512, b"\xff")
    directory = b"".join(entries).ljust(512, b"\0")
    data = b"".join(streams[n].ljust(_STREAM_SIZE, b"\0") for n in names)
    path.write_bytes(header + fat_sector + directory + data)


def _word_stream(encrypted: bool = False) -> bytes:
    return struct.pack("<HHHHHH", 0xA5EC, 0xC1, 0, 0x0804, 0, 0x0100 if encrypted else 0)


def _summary() -> bytes:
    return _property_set(_SUMMARY_FMTID, [
        (1, 2, struct.pack("<h", 936)),                      # code page: GBK
        (2, 30, _lpstr("关于加强管理的通知")),
        (4, 30, _lpstr("张伟")),
        (7, 30, _lpstr("Normal.dot")),
        (8, 30, _lpstr("刘洋")),
        (9, 30, _lpstr("5")),
        (10, 64, struct.pack("<Q", 125 * 60 * 10_000_000)),  # 125 minutes of editing
        (12, 64, struct.pack("<Q", _filetime(dt.datetime(2016, 11, 2, 1, 30)))),
        (13, 64, struct.pack("<Q", _filetime(dt.datetime(2016, 11, 3, 9, 0)))),
        (14, 3, struct.pack("<i", 2)),
        (18, 30, _lpstr("Microsoft Office Word")),
    ])


def _doc_summary() -> bytes:
    return _property_set(_DOCSUMMARY_FMTID, [
        (1, 2, struct.pack("<h", 936)),
        (15, 30, _lpstr("疏附县公安局")),
        (23, 3, struct.pack("<i", (11 << 16) | 0)),
    ])


def test_ole_property_sets(tmp_path: Path) -> None:
    path = tmp_path / "old.doc"
    write_ole(path, {"WordDocument": _word_stream(), "\x05SummaryInformation": _summary(),
                     "\x05DocumentSummaryInformation": _doc_summary()})
    out, error = run(OleExtractor(), path)
    assert error is None
    meta = metas(out)
    assert meta["OLE:Format"].value == "Word 97-2003 document"
    assert meta["OLE:Encrypted"].value is False
    assert meta["OLE:Codepage"].value == 936
    assert meta["OLE:Author"].value == "张伟"
    assert meta["OLE:LastModifiedBy"].value == "刘洋"
    assert meta["OLE:Title"].value == "关于加强管理的通知"
    assert meta["OLE:Template"].value == "Normal.dot"
    assert meta["OLE:Revision"].value == 5
    assert meta["OLE:TotalEditTime"].value == 125 * 60
    assert meta["OLE:Created"].value == "2016-11-02T01:30:00+00:00"
    assert meta["OLE:Modified"].value == "2016-11-03T09:00:00+00:00"
    assert meta["OLE:Pages"].value == 2
    assert meta["OLE:Application"].value == "Microsoft Office Word"
    assert meta["OLE:Company"].value == "疏附县公安局"
    assert meta["OLE:AppVersion"].value == "11.0000"


def test_ole_encrypted_word_and_encrypted_ooxml(tmp_path: Path) -> None:
    doc = tmp_path / "locked.doc"
    write_ole(doc, {"WordDocument": _word_stream(encrypted=True),
                    "\x05SummaryInformation": _summary()})
    out, error = run(OleExtractor(), doc)
    assert error is None
    assert values(out)["OLE:Encrypted"] is True
    assert values(out)["OLE:Author"] == "张伟"  # property sets stay readable

    xls = tmp_path / "locked.xls"
    bof = struct.pack("<HH", 0x0809, 16) + b"\0" * 16
    filepass = struct.pack("<HH", 0x002F, 4) + b"\1\0\1\0"
    write_ole(xls, {"Workbook": bof + filepass, "\x05SummaryInformation": _summary()})
    out, error = run(OleExtractor(), xls)
    assert error is None
    assert values(out)["OLE:Format"] == "Excel 97-2003 workbook"
    assert values(out)["OLE:Encrypted"] is True

    package = tmp_path / "locked.docx"
    write_ole(package, {"EncryptionInfo": b"\x04\x00\x04\x00", "EncryptedPackage": b"\0" * 8})
    out, error = run(OleExtractor(), package)
    assert error is not None and "password" in str(error)
    assert values(out)["OLE:Format"] == "Encrypted Office Open XML document"


def test_ole_bad_input(tmp_path: Path) -> None:
    good = tmp_path / "good.doc"
    write_ole(good, {"WordDocument": _word_stream(), "\x05SummaryInformation": _summary()})
    cut = tmp_path / "cut.doc"
    cut.write_bytes(good.read_bytes()[:700])
    _, error = run(OleExtractor(), cut)
    assert error is not None and "damaged" in str(error)
    other = tmp_path / "other.doc"
    other.write_bytes(b"{\\rtf1 not an OLE file}")
    _, error = run(OleExtractor(), other)
    assert error is not None and "not an OLE2" in str(error)


# --- CSV / TSV -------------------------------------------------------------------------------


@pytest.mark.parametrize(("encoding", "method"), [("utf-8-sig", "bom"),
                                                  ("gb18030", "gb18030")])
def test_csv_rosters_in_their_encodings(tmp_path: Path, encoding: str, method: str) -> None:
    spec = RosterSpec(path="r.csv", fmt="csv", encoding=encoding, date_style="dotted",
                      people=3)
    with RosterWriter(tmp_path, spec, dt.date(2018, 5, 1)) as writer:
        for row in _roster_rows(3):
            writer.write([v.strftime("%Y.%m.%d") if isinstance(v, dt.datetime) else v
                          for v in row])
    out, error = run(TabularExtractor(), tmp_path / "r.csv")
    assert error is None
    meta = values(out)
    assert meta["Text:Encoding"] == encoding
    assert meta["Text:EncodingMethod"] == method
    assert meta["CSV:Delimiter"] == ","
    assert meta["Table:HeaderRow"] == 1
    got = rows(out)
    assert [r.number for r in got] == [2, 3, 4]
    assert got[0].table == "" and got[0].location == "row:2"
    assert got[0].header == HEADER
    assert got[0].cells[1] == "阿卜杜热合曼·买买提0"
    assert got[0].cells[4] == "1990.01.02"  # raw, not normalised
    assert got[0].cells[0] == "1"


def _excel_unicode_text(path: Path, table: list[list[str]]) -> None:
    """What Excel writes for "Unicode text": UTF-16 LE with BOM, tabs, CRLF."""
    text = "".join("\t".join(r) + "\r\n" for r in table)
    path.write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))


TABLE = [["序号", "姓名", "出生日期"], ["1", "阿卜杜", "1990-01-02"], ["2", "买买提", "19910203"]]


def test_utf16_tsv_via_tabular_and_via_text(tmp_path: Path) -> None:
    path = tmp_path / "名单.txt"
    _excel_unicode_text(path, TABLE)
    for extractor in (TabularExtractor(), TextFileExtractor()):
        out, error = run(extractor, path)
        assert error is None
        meta = values(out)
        assert meta["Text:Encoding"] == "utf-16-le"
        assert meta["Text:EncodingMethod"] == "bom"
        assert meta["CSV:Delimiter"] == "\t"
        got = rows(out)
        assert [(r.number, r.cells) for r in got] == [(2, tuple(TABLE[1])),
                                                       (3, tuple(TABLE[2]))]
        assert got[0].header == tuple(TABLE[0])
    assert values(run(TextFileExtractor(), path)[0])["Text:Layout"] == "table"


def test_short_tsv_is_a_table_and_prose_is_not(tmp_path: Path) -> None:
    tsv = tmp_path / "two.txt"
    _excel_unicode_text(tsv, TABLE[:2])
    assert [r.cells for r in rows(run(TextFileExtractor(), tsv)[0])] == [tuple(TABLE[1])]
    prose = tmp_path / "prose.txt"
    prose.write_text("\t第一段，缩进。\n\t第二段，缩进。\n", encoding="utf-8")
    out, error = run(TextFileExtractor(), prose)
    assert error is None and not rows(out)
    assert texts(out)[""].startswith("\t第一段")


@pytest.mark.parametrize("delimiter", [";", "|", "\t", ","])
def test_delimiter_sniffed(tmp_path: Path, delimiter: str) -> None:
    path = tmp_path / "t.csv"
    path.write_text("".join(delimiter.join(r) + "\n" for r in TABLE), encoding="utf-8")
    out, error = run(TabularExtractor(), path)
    assert error is None
    assert values(out)["CSV:Delimiter"] == delimiter
    assert rows(out)[-1].cells == tuple(TABLE[2])


def test_sniff_prefers_consistent_counts() -> None:
    sample = ["姓名,备注\n", "阿卜杜,\"a;b;c\"\n", "买买提,x\n"]
    assert sniff_delimiter(sample) == ","


def test_csv_title_line_quoted_newlines_and_blank_rows(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes("疏附县名单\r\n序号,姓名,备注\r\n1,阿卜杜,\"第一行\r\n第二行\"\r\n\r\n"
                     "2,买买提,\r\n".encode())
    out, error = run(TabularExtractor(), path)
    assert error is None
    assert values(out)["Table:HeaderRow"] == 2
    got = rows(out)
    assert [(r.number, r.header) for r in got] == [
        (1, ()), (3, ("序号", "姓名", "备注")), (5, ("序号", "姓名", "备注"))]
    assert got[1].cells == ("1", "阿卜杜", "第一行\r\n第二行")


def test_lines_keep_crlf_split_across_chunks() -> None:
    assert list(lines(["a,b\r", "\nc,d\r", "\ne", "f\r"])) == ["a,b\r\n", "c,d\r\n", "ef\r"]


def test_csv_row_limit(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("a,b\n" + "".join(f"{i},{i}\n" for i in range(10)), encoding="utf-8")
    out, error = run(TabularExtractor(), path, Limits(max_rows=4))
    assert [r.number for r in rows(out)] == [2, 3, 4]
    assert error is not None and "rows" in str(error)


def test_csv_undecodable_after_sample(tmp_path: Path) -> None:
    """Detection sees valid UTF-8 in its first megabyte; a bad byte later stops the rows
    there, after yielding the ones before it."""
    path = tmp_path / "t.csv"
    good = "序号,姓名\n" + "".join(f"{i},阿卜杜\n" for i in range(80_000))
    path.write_bytes(good.encode() + b"80000,\xff\xfe\n80001,x\n")
    out, error = run(TabularExtractor(), path)
    assert error is not None and "utf-8" in str(error)
    assert len(rows(out)) == 80_000


# --- plain text ------------------------------------------------------------------------------

ZH = "关于进一步加强学员管理工作的通知。各乡镇、各有关单位：现将有关事项通知如下。\n"


@pytest.mark.parametrize(("data", "encoding", "method"), [
    (ZH.encode("gb18030"), "gb18030", "gb18030"),
    (ZH.encode("gbk"), "gb18030", "gb18030"),
    (ZH.encode("utf-8"), "utf-8", "utf-8"),
    (b"\xef\xbb\xbf" + ZH.encode("utf-8"), "utf-8-sig", "bom"),
    (b"\xfe\xff" + ZH.encode("utf-16-be"), "utf-16-be", "bom"),
    ("Report 2018: all done.\n".encode("utf-16-le"), "utf-16-le", "utf-16-nul-pattern"),
    (b"plain ascii\n", "utf-8", "ascii"),
])
def test_text_encodings(tmp_path: Path, data: bytes, encoding: str, method: str) -> None:
    path = tmp_path / "t.txt"
    path.write_bytes(data)
    out, error = run(TextFileExtractor(), path)
    assert error is None
    meta = values(out)
    assert (meta["Text:Encoding"], meta["Text:EncodingMethod"]) == (encoding, method)
    assert texts(out)[""] in (ZH, "Report 2018: all done.\n", "plain ascii\n")
    assert "\ufeff" not in texts(out)[""]


def test_big5_and_latin1_are_not_taken_for_gb18030() -> None:
    big5 = "這是繁體中文的測試文本，我們在這裡寫了很多的繁體字。".encode("big5")
    assert big5.decode("gb18030")  # it does decode as GB18030, into rare characters
    detected = detect_encoding(big5, complete=True)
    assert detected is not None and detected.method == "charset-normalizer"
    german = "Grüße aus München, schöne Stadt. Ça va très bien, garçon."
    detected = detect_encoding(german.encode("cp1252"), complete=True)
    assert detected is not None and detected.method == "charset-normalizer"
    assert german.encode("cp1252").decode(detected.codec) == german


def test_text_unknown_encoding_and_limits(tmp_path: Path) -> None:
    binary = tmp_path / "b.txt"
    binary.write_bytes(bytes(range(256)) * 16)
    _, error = run(TextFileExtractor(), binary)
    assert error is not None and "encoding" in str(error)

    long = tmp_path / "long.txt"
    long.write_text(ZH * 10, encoding="utf-8")
    out, error = run(TextFileExtractor(), long, Limits(max_text=30))
    assert texts(out)[""] == (ZH * 10)[:30]
    assert error is not None and "limit" in str(error)

    _, error = run(TextFileExtractor(), long, Limits(max_bytes=10))
    assert error is not None and "over the limit" in str(error)


def test_every_extractor_meets_the_protocol() -> None:
    for extractor in (PdfExtractor(), OfficeExtractor(), OleExtractor(), TabularExtractor(),
                      TextFileExtractor()):
        assert extractor.version == "1"
        assert extractor.name and extractor.mimes
    assert "application/pdf" in PdfExtractor.mimes
    assert "text/csv" in TabularExtractor.mimes and "text/plain" in TextFileExtractor.mimes
    assert "application/msword" in OleExtractor.mimes
    assert ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            in OfficeExtractor.mimes)
