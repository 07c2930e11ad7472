"""Roster files: spreadsheets of people held, with Chinese headers, as police lists are kept.

Formats vary as in real leaks: XLSX with date cells or text dates, CSV in UTF-8 (with BOM, as
Excel writes it) or GB18030. Relatives follow their main person on rows of their own with the
relation filled in (the layout of the Karakax list).
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from openpyxl import Workbook

from scrutiny.synth.determinism import freeze_zip

HEADER = (
    "序号",
    "姓名",
    "性别",
    "民族",
    "出生日期",
    "年龄",
    "公民身份号码",
    "户籍地址",
    "联系电话",
    "所在单位",
    "收押日期",
    "类别",
    "关系",
    "备注",
)

CATEGORIES = (
    "出境人员",
    "不放心人员",
    "持有非法宗教物品",
    "使用境外软件",
    "亲属在境外",
    "参加非法宗教活动",
)


@dataclass(frozen=True)
class RosterSpec:
    path: str  # relative to the leak folder
    fmt: str  # "xlsx" or "csv"
    encoding: str  # for csv: "utf-8-sig" or "gb18030"
    date_style: str  # "iso" (1990-01-01), "dotted" (1990.01.01), "compact" (19900101), "cell"
    people: int  # main persons listed
    uniform: bool = False  # fabricated: birth dates drawn uniformly


def format_date(value: dt.date | None, style: str) -> Any:
    if value is None:
        return ""
    if style == "cell":
        return dt.datetime(value.year, value.month, value.day)
    if style == "dotted":
        return f"{value:%Y.%m.%d}"
    if style == "compact":
        return f"{value:%Y%m%d}"
    return value.isoformat()


class RosterWriter:
    """Streams rows into one roster file; ``write`` returns the spreadsheet row number
    (the header is row 1)."""

    def __init__(self, root: Path, spec: RosterSpec, as_of: dt.date) -> None:
        self.spec = spec
        self.path = root / spec.path
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.row = 1
        self._csv_file: IO[str] | None = None
        self._as_of = as_of
        if spec.fmt == "csv":
            self._csv_file = open(self.path, "w", encoding=spec.encoding, newline="")  # noqa: SIM115
            self._csv = csv.writer(self._csv_file)
            self._csv.writerow(HEADER)
        else:
            self._wb = Workbook(write_only=True)
            self._ws = self._wb.create_sheet("在押人员")
            self._ws.append(list(HEADER))

    def write(self, values: list[Any]) -> int:
        self.row += 1
        if self._csv_file is not None:
            self._csv.writerow(["" if v is None else v for v in values])
        else:
            self._ws.append(values)
        return self.row

    def close(self) -> None:
        if self._csv_file is not None:
            self._csv_file.close()
            return
        when = dt.datetime(self._as_of.year, self._as_of.month, self._as_of.day, 17, 42, 5)
        props = self._wb.properties
        props.creator = "Administrator"
        props.lastModifiedBy = "user"
        props.created = when - dt.timedelta(days=40, hours=8)  # stored as UTC
        props.title = None
        self._wb.save(self.path)
        stamp = f"{when - dt.timedelta(hours=8):%Y-%m-%dT%H:%M:%SZ}".encode()

        def core_xml(data: bytes) -> bytes:
            # openpyxl stamps 'modified' with the time of saving; put the planned time back
            return re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                          rb"\g<1>" + stamp + rb"\g<2>", data)

        freeze_zip(self.path, edit={"docProps/core.xml": core_xml})

    def __enter__(self) -> RosterWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
