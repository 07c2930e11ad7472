"""The dates a document's metadata records, against each other, against the leak's stated end
date, and against the date the document's own text states."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any, ClassVar

from scrutiny.checks.base import Context, Item, ItemCheck, day_setting, parse_when
from scrutiny.checks.document._common import (
    DATE_PAIRS,
    DOCUMENTS,
    base_evidence,
    claimed_date,
    metadata_dates,
    short_name,
    span,
)
from scrutiny.core import Finding, Severity

SLACK = dt.timedelta(minutes=1)
"""How much later than the modification date a creation date may be without being reported:
writers round and take the two times at slightly different moments."""
UNKNOWN_OFFSET = dt.timedelta(hours=14)
"""UTC offsets range from -12 to +14 hours: when one date of a pair has an offset and the
other has none, their difference is only meaningful beyond this."""


def _duration(delta: dt.timedelta) -> str:
    if delta >= dt.timedelta(days=2):
        return f"{delta.days:,} days"
    hours = delta.total_seconds() / 3600
    if hours >= 1:
        return f"{hours:.1f} hours"
    return f"{round(delta.total_seconds() / 60)} minutes"


class CreatedAfterModified(ItemCheck):
    """The document's metadata says it was created after it was last modified.

    **Method.** Each writer of document metadata records a creation date and a modification
    date as a pair: the PDF information dictionary (``CreationDate``, ``ModDate``), the PDF's
    XMP metadata (``xmp:CreateDate``, ``xmp:ModifyDate``), the core properties of a Word,
    Excel or PowerPoint file (``dcterms:created``, ``dcterms:modified``) and the summary
    information of a legacy ``.doc``/``.xls`` file. A pair is reported when the creation date
    is later than the modification date by more than a minute. When one of the two dates has
    a time-zone offset and the other has none, only a difference of more than 14 hours (the
    largest offset there is) is reported.

    **What it can show.** Software that writes these dates sets the creation date once and
    the modification date at every save, so the creation date comes first. A creation date
    after the modification date means the dates were not both written by ordinary saving:
    they were edited by hand or with a metadata tool, or a converter stamped one of them
    and copied the other from the source document.

    **What it cannot show.** Who changed the dates or why; that the content was changed.
    Innocent causes exist: a document created on a computer whose clock was wrong and saved
    later on another, a converter or synchronisation tool that rewrites one date only. Treat
    it as a reason to look at the other dates of the document and of its neighbours.

    **References.** ISO 32000-1:2008 §14.3.3 (document information dictionary); ISO/IEC
    29500-2 Annex A / Dublin Core (core properties); [MS-OLEPS] (summary information).
    """

    code = "DOC-META-001"
    title = "Created after it was last modified"
    applies_to: ClassVar[tuple[str, ...]] = DOCUMENTS
    version = "1"
    severity: ClassVar[Severity] = Severity.WARNING

    def run(self, item: Item, ctx: Context) -> Iterator[Finding]:
        pairs: list[dict[str, Any]] = []
        sentences: list[str] = []
        for group, created_key, modified_key in DATE_PAIRS:
            created = parse_when(item.meta.get(created_key))
            modified = parse_when(item.meta.get(modified_key))
            if created is None or modified is None:
                continue
            slack = SLACK
            if (created.tzinfo is None) != (modified.tzinfo is None):
                created, modified = created.replace(tzinfo=None), modified.replace(tzinfo=None)
                slack = UNKNOWN_OFFSET + SLACK
            if created - modified <= slack:
                continue
            pairs.append({"created_key": created_key, "created": item.meta[created_key],
                          "modified_key": modified_key, "modified": item.meta[modified_key]})
            sentences.append(
                f"In its {group}, {created_key} is {item.meta[created_key]} and "
                f"{modified_key} is {item.meta[modified_key]}: created "
                f"{_duration(created - modified)} after it was last modified.")
        if not pairs:
            return
        yield self.finding(
            item.subject, self.title,
            f"{short_name(item)}: " + " ".join(sentences) + " Ordinary saving cannot "
            "produce this; the dates were set by other means (edited, or stamped by a "
            "converter), or the clocks of the computers involved were wrong.",
            base_evidence(item, pairs=pairs))


class ModifiedAfterLeakEnd(ItemCheck):
    """The document's metadata dates it after the leak's stated end date.

    **Method.** Runs only when the case has an end date (the setting ``end_date``, the last
    date the leak is said to cover or the date it was obtained). Every creation and
    modification date in the document's metadata (PDF information dictionary and XMP, Office
    core properties, legacy Office summary information) is compared with it as a calendar
    day; dates with a time-zone offset are read in China Standard Time (UTC+8). A date on a
    later day is reported.

    **What it can show.** A document created or saved after the leak is said to have been
    obtained: either the end date is wrong, or the document was opened and saved (or made)
    afterwards — by whoever handled the files, or by someone adding material to the leak.
    Opening a Word document and saving it again is enough to change its modification date.

    **What it cannot show.** Which of those happened, or whether the content changed. A
    computer with a wrong clock writes wrong dates. Dates without an offset are taken as
    written (they are usually local time, which may not be Beijing time). Documents whose
    metadata holds no dates are not checked.

    **References.** ISO 32000-1:2008 §14.3.3; ISO/IEC 29500-2 core properties; [MS-OLEPS].
    """

    code = "DOC-META-002"
    title = "Dated after the leak's end date"
    applies_to: ClassVar[tuple[str, ...]] = DOCUMENTS
    version = "1"
    severity: ClassVar[Severity] = Severity.WARNING

    def run(self, item: Item, ctx: Context) -> Iterator[Finding]:
        end = day_setting(ctx.settings, "end_date")
        if end is None:
            return
        late = [d for d in metadata_dates(item.meta) if d.day > end]
        if not late:
            return
        listed = "; ".join(f"{d.key} {d.value} ({span(d.day, end)} after)" for d in late)
        yield self.finding(
            item.subject, self.title,
            f"{short_name(item)} has metadata dates after the leak's stated end date {end}: "
            f"{listed}. The document was created or saved after the leak is said to end, or "
            "the end date is wrong.",
            base_evidence(item, end_date=end.isoformat(),
                          dates={d.key: d.value for d in late}))


class DatedAfterClaimedDate(ItemCheck):
    """The document's metadata dates it well after the date its own text states.

    **Method.** Reads the date the document claims from its extracted text: the last full
    date written in it (Chinese official documents end with the date of issue, e.g.
    ``2017年3月1日`` or ``二〇一七年三月一日``; ``2017-03-01`` and ``2017.3.1`` are read
    too). Every creation and modification date of its metadata is compared with it as a
    calendar day (China Standard Time for dates with an offset); a date more than 30 days
    later is reported.

    **What it can show.** A document made or last saved long after the date it bears. That
    is what a document written later and backdated looks like — but it is also what an
    authentic document looks like when it was re-saved, converted to PDF, or copied into a
    new file later, which is common: the finding is a notice, not a warning. Documents
    whose creation date, not only modification date, is late deserve a closer look.

    **What it cannot show.** That the text's date is the date of issue: a document whose
    text ends with another date (a deadline, a table of dates) gets that date. The
    finding quotes the date and the text around it so a reader can judge. Documents
    without extracted text (legacy ``.doc``, spreadsheets, scanned PDFs without OCR) are
    not checked.

    **References.** GB/T 9704-2012 *Layout key for official documents of Party and
    government organs* §7.3.5 (the date of issue, 成文日期).
    """

    code = "DOC-META-003"
    title = "Dated long after the date it states"
    applies_to: ClassVar[tuple[str, ...]] = DOCUMENTS
    version = "1"
    severity: ClassVar[Severity] = Severity.NOTICE
    days: ClassVar[int] = 30

    def run(self, item: Item, ctx: Context) -> Iterator[Finding]:
        dates = metadata_dates(item.meta)
        if not dates:
            return
        claimed = claimed_date(ctx.db, item.sha256)
        if claimed is None:
            return
        late = [d for d in dates if (d.day - claimed.date).days > self.days]
        if not late:
            return
        listed = "; ".join(f"{d.key} {d.value} ({span(d.day, claimed.date)} later)"
                           for d in late)
        created_late = any(d.kind == "created" for d in late)
        yield self.finding(
            item.subject, self.title,
            f"The text of {short_name(item)} states the date {claimed.stated.written} "
            f"(\u201c{claimed.context}\u201d), but its metadata dates it more than "
            f"{self.days} days later: {listed}. "
            + ("Even its creation date is later: the file was made after the date it bears. "
               if created_late else "")
            + "Documents are sometimes re-saved, converted or copied long after they were "
            "issued, so this alone does not show backdating.",
            base_evidence(item, **claimed.evidence(), threshold_days=self.days,
                          dates={d.key: d.value for d in late}))
