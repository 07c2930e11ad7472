"""Small hostile leak files the escaping tests share."""

from __future__ import annotations

from pathlib import Path


def hostile_roster(folder: Path, payload: str) -> Path:
    """A folder holding one XLSX roster of one person whose name and facility are
    ``payload`` (XLSX: libmagic would call a CSV holding markup an HTML page)."""
    from openpyxl import Workbook

    folder.mkdir(parents=True, exist_ok=True)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["姓名", "身份证号", "关押场所", "收押日期"])
    ws.append([payload, "653222199001011232", payload, "2018-03-02"])
    wb.save(folder / "roster.xlsx")
    return folder
