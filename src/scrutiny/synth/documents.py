"""Documents of the fictional leaks: speeches (DOCX) and notices (PDF) with plausible metadata.

Each document states the date it claims to be from in its text; its metadata (DOCX core
properties, PDF info dictionary) either fits that date or, when planted, postdates it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import docx
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from scrutiny.synth.determinism import freeze_zip

_CID_FONT = "STSong-Light"  # Adobe-GB1 CID font: shown by every PDF reader, needs no font file


@dataclass(frozen=True)
class DocumentPlan:
    path: str                 # relative to the leak folder
    kind: str                 # "docx" or "pdf"
    title: str
    paragraphs: tuple[str, ...]
    claimed: dt.date          # the date the text states
    created: dt.datetime      # metadata creation time (local)
    modified: dt.datetime     # metadata modification time (local)
    author: str
    software: str             # DOCX Application / PDF Creator


def _date_han(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def speech_text(county: str, facility: str, claimed: dt.date) -> tuple[str, tuple[str, ...]]:
    title = f"在{county}维护稳定工作推进会上的讲话"
    body = (
        "同志们：",
        f"今天召开会议，主要任务是总结前一阶段工作，部署下一阶段任务。{facility}"
        "要严格落实各项管理制度，确保安全稳定。",
        "各乡镇要切实履行主体责任，逐户逐人核查，建立台账，做到底数清、情况明。",
        "要加强教育转化工作，定期评估，按规定程序办理结业手续。",
        "（本文件为虚构合成材料，所有人名、地名、机构及内容均为生成数据。）",
        f"{county}维护稳定工作领导小组办公室",
        _date_han(claimed),
    )
    return title, body


def notice_text(county: str, facility: str, claimed: dt.date) -> tuple[str, tuple[str, ...]]:
    title = f"关于进一步加强{facility}管理工作的通知"
    body = (
        "各乡镇、各有关单位：",
        f"为进一步规范{facility}日常管理，现将有关事项通知如下：",
        "一、严格人员进出登记制度，每日核对名单。",
        "二、做好学员家属接待及信息报送工作，按月汇总上报。",
        "三、各单位要高度重视，认真抓好落实。",
        "（本文件为虚构合成材料，所有人名、地名、机构及内容均为生成数据。）",
        f"{county}教育培训工作办公室",
        _date_han(claimed),
    )
    return title, body


def write_docx(root: Path, plan: DocumentPlan) -> None:
    path = root / plan.path
    path.parent.mkdir(parents=True, exist_ok=True)
    document = docx.Document()
    document.add_heading(plan.title, level=1)
    for paragraph in plan.paragraphs:
        document.add_paragraph(paragraph)
    props = document.core_properties
    props.author = plan.author
    props.last_modified_by = plan.author
    props.title = plan.title
    props.comments = ""
    props.revision = 3
    # core properties are UTC; the plan's times are Beijing time
    props.created = plan.created - dt.timedelta(hours=8)
    props.modified = plan.modified - dt.timedelta(hours=8)
    document.save(str(path))
    app, version = plan.software.rsplit(" ", 1)

    def app_xml(data: bytes) -> bytes:
        text = data.decode("utf-8")
        text = re.sub(r"<Application>.*?</Application>", f"<Application>{app}</Application>",
                      text)
        return re.sub(r"<AppVersion>.*?</AppVersion>", f"<AppVersion>{version}</AppVersion>",
                      text).encode("utf-8")

    freeze_zip(path, edit={"docProps/app.xml": app_xml})


def _pdf_date(when: dt.datetime) -> str:
    return f"D:{when:%Y%m%d%H%M%S}+08'00'"


def write_pdf(root: Path, plan: DocumentPlan) -> None:
    path = root / plan.path
    path.parent.mkdir(parents=True, exist_ok=True)
    if _CID_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(_CID_FONT))
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    stamp = _pdf_date(plan.created)
    c.setDateFormatter(lambda *_: stamp)
    c.setAuthor(plan.author)
    c.setTitle(plan.title)
    c.setCreator(plan.software)
    c.setProducer(plan.software)
    c.setSubject("")
    width, height = A4
    c.setFont(_CID_FONT, 16)
    c.drawCentredString(width / 2, height - 90, plan.title)
    c.setFont(_CID_FONT, 11)
    y = height - 140
    for paragraph in plan.paragraphs:
        for start in range(0, len(paragraph), 38):
            c.drawString(70, y, paragraph[start : start + 38])
            y -= 20
        y -= 6
    c.showPage()
    c.save()


def write_document(root: Path, plan: DocumentPlan) -> None:
    (write_docx if plan.kind == "docx" else write_pdf)(root, plan)
