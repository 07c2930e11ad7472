"""PDF structure: a file saved more than once keeps its earlier versions."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from scrutiny.checks.base import Context, Item, ItemCheck
from scrutiny.checks.document._common import PDF, base_evidence, short_name
from scrutiny.core import Finding, Severity

_CONTEXT_KEYS = ("PDF:Producer", "PDF:Creator", "PDF:CreationDate", "PDF:ModDate")


class IncrementalUpdates(ItemCheck):
    """The PDF was saved more than once: it holds incremental updates.

    **Method.** A PDF can be changed by appending the changed objects and a new
    cross-reference section at the end of the file, leaving the original bytes in place
    (an *incremental update*). Extraction counts the revisions the file holds (each ends
    with ``startxref … %%EOF`` pointing at a cross-reference section) and reports the
    number of updates after the first version (``PDF:IncrementalUpdates``). Every PDF
    with at least one update is reported, with the count.

    **What it can show.** That the file was changed after it was first written — text,
    images, annotations or only its metadata — and by how many saves. The earlier
    versions are still inside the file: cutting it after the first ``%%EOF`` (or with a
    tool such as ``pdfresurrect``) gives the document as it first was, which can be
    compared with what it shows now.

    **What it cannot show.** What changed, or that the change was improper. Many ordinary
    operations append updates: signing a PDF digitally, filling a form, adding comments
    or stamps, Acrobat's normal "Save". A file rewritten whole ("Save As", optimisation,
    re-printing to PDF) holds no updates even if it was edited, so no finding does not
    mean no editing. Linearized ("fast web view") files are not counted as updated.

    **References.** ISO 32000-1:2008 §7.5.6 (incremental updates); §7.5.8
    (cross-reference streams).
    """

    code = "DOC-PDF-001"
    title = "PDF saved more than once (incremental updates)"
    applies_to: ClassVar[tuple[str, ...]] = PDF
    version = "1"
    severity: ClassVar[Severity] = Severity.NOTICE

    def run(self, item: Item, ctx: Context) -> Iterator[Finding]:
        updates = item.meta.get("PDF:IncrementalUpdates")
        if not isinstance(updates, int) or isinstance(updates, bool) or updates < 1:
            return
        known = {k: item.meta[k] for k in _CONTEXT_KEYS if item.meta.get(k) not in (None, "")}
        said = "; ".join(f"{k} {v}" for k, v in known.items())
        yield self.finding(
            item.subject, self.title,
            f"{short_name(item)} holds {updates} incremental update{'s' if updates > 1 else ''}: "
            f"after it was first written it was changed and saved {updates} more "
            f"time{'s' if updates > 1 else ''}, and the earlier version is still inside "
            "the file. Signing, filling forms and adding comments do this too; compare the "
            "first revision with the final one to see what changed."
            + (f" Its information dictionary now says: {said}." if said else ""),
            base_evidence(item, incremental_updates=updates, metadata=known))
