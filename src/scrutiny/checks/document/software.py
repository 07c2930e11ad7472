"""The software a document's metadata names, against the dates the document gives itself: a
program cannot have written a file before it was released."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, ClassVar

from scrutiny.checks.base import Context, Item, ItemCheck
from scrutiny.checks.document._common import (
    DOCUMENTS,
    base_evidence,
    claimed_date,
    metadata_dates,
    short_name,
    span,
)
from scrutiny.checks.document.releases import FAMILIES, Family, Release
from scrutiny.core import Finding, Severity

SOFTWARE_KEYS = ("PDF:Producer", "PDF:Creator", "XMP:CreatorTool", "XMP:Producer")
APPLICATION_KEYS = (("Office:Application", "Office:AppVersion"),
                    ("OLE:Application", "OLE:AppVersion"))


@dataclass(frozen=True)
class Identified:
    """Software recognised in a metadata value, and the release of the table that dates it
    (under a ``floor`` family, possibly an earlier version than the one written)."""

    family: str
    version: str        # as written in the value ("" when the family has no version)
    release: Release


def _key(version: str) -> tuple[int, ...] | str:
    parts = version.split(".")
    if version and all(p.isdigit() for p in parts):
        return tuple(int(p) for p in parts)
    return version.casefold()


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _release(family: Family, version: str) -> Release | None:
    """The release of ``family`` that dates ``version``: the same version, or under a floor
    family the nearest lower one; ``None`` when the table has neither."""
    key = _key(version)
    for release in family.releases:
        if _key(release.version) == key:
            return release
    if not family.floor or isinstance(key, str):
        return None
    best: tuple[tuple[int, ...], Release] | None = None
    for release in family.releases:
        listed = _key(release.version)
        if isinstance(listed, tuple) and listed <= key and (best is None or listed > best[0]):
            best = (listed, release)
    return best[1] if best else None


def identify(value: str) -> Identified | None:
    """The first family of the table that recognises ``value`` and knows its version;
    ``None`` for software the table does not date."""
    for family in FAMILIES:
        m = _compiled(family.pattern).search(value)
        if m is None:
            continue
        version = m.groupdict().get("v") or ""
        release = _release(family, version)
        if release is not None:
            return Identified(family.name, version, release)
    return None


def _product(found: Identified) -> str:
    if _key(found.version) == _key(found.release.version):
        return found.release.label
    return f"{found.family} {found.version}, at least as new as {found.release.label}"


def software_values(meta: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(field, value) of the metadata values that name software: PDF and XMP producer and
    creator, and Office's application with its version appended (``Microsoft Office Word
    14.0000``) when the application name does not carry one."""
    out: list[tuple[str, str]] = []
    for key in SOFTWARE_KEYS:
        value = meta.get(key)
        if isinstance(value, str) and value.strip():
            out.append((key, value.strip()))
    for app_key, version_key in APPLICATION_KEYS:
        app, version = meta.get(app_key), meta.get(version_key)
        if not isinstance(app, str) or not app.strip():
            continue
        app = app.strip()
        if isinstance(version, str) and version.strip() and not any(c.isdigit() for c in app):
            out.append((f"{app_key} + {version_key}", f"{app} {version.strip()}"))
        else:
            out.append((app_key, app))
    return out


class SoftwareAfterDate(ItemCheck):
    """The software named in the document's metadata was released after the document's date.

    **Method.** Reads the software the metadata names — PDF ``Producer`` and ``Creator``, XMP
    ``CreatorTool`` and ``Producer``, the Office ``Application`` with its ``AppVersion`` —
    and looks it up in a small table of release dates (``releases.py``): Microsoft Office
    by application version (8.0 = Office 97 … 16.0 = Office 2016, also used by 2019, 2021
    and Microsoft 365, so dated as 2016) and by the product year of Word's "Save as PDF",
    WPS Office (Windows 2013, 2016, 2019), LibreOffice and OpenOffice releases, Acrobat
    Distiller and the Adobe PDF Library, macOS's Quartz PDFContext, Chrome's Skia/PDF, iText,
    and Windows 10's "Microsoft: Print To PDF". Each release date is compared with the date
    the document's text states (the last full date in it, as DOC-META-003 reads it) and with
    the latest creation or modification date in its own metadata. The latest is used
    because the application fields are rewritten at every save: a document created in 2012
    and re-saved with Word 2016 rightly says 16.0.

    **What it can show.** A file written by software that did not exist yet on the date
    the file gives. Against the file's own metadata dates this is a contradiction (warning):
    the dates were set back by hand or by a tool. Against the date stated in the text only
    (notice), the file was made or converted with later software — either the document was
    written after the date it bears, or an authentic document was re-saved or converted to
    PDF later.

    **What it cannot show.** Anything about software the table does not list: it is small,
    and unknown software or versions are not judged. Release dates are of official releases;
    beta and preview builds carry the same version months earlier, and the finding gives the
    number of days so that a near miss can be weighed. For WPS Office, whose vendor publishes
    no release history, the table holds conservative lower bounds, not release days.
    Metadata values can be edited like any other, so a consistent producer does not prove
    authenticity.

    **References.** Release dates: Microsoft, Adobe, The Document Foundation, Apache, Apple
    and Google release notes and the Wikipedia release histories named for each entry in
    ``releases.py``. ISO 32000-1:2008 §14.3.3 (``Producer``, ``Creator``); ISO/IEC 29500
    extended properties (``Application``, ``AppVersion``).
    """

    code = "DOC-SW-001"
    title = "Software released after the document's date"
    applies_to: ClassVar[tuple[str, ...]] = DOCUMENTS
    version = "1"
    severity: ClassVar[Severity] = Severity.WARNING

    def run(self, item: Item, ctx: Context) -> Iterator[Finding]:
        named: dict[tuple[str, str], tuple[Identified, list[tuple[str, str]]]] = {}
        for field, value in software_values(item.meta):
            found = identify(value)
            if found is not None:
                entry = named.setdefault((found.family, found.release.version), (found, []))
                entry[1].append((field, value))
        if not named:
            return
        dates = metadata_dates(item.meta)
        latest = max(dates, key=lambda d: d.day) if dates else None
        claimed = claimed_date(ctx.db, item.sha256)
        listed: list[dict[str, Any]] = []
        sentences: list[str] = []
        contradicts = False
        for found, fields in named.values():
            released = found.release.released
            after_meta = latest is not None and released > latest.day
            after_claimed = claimed is not None and released > claimed.date
            if not (after_meta or after_claimed):
                continue
            contradicts |= after_meta
            said = " and ".join(f"{f} says \u201c{v}\u201d" for f, v in fields)
            later: list[str] = []
            if claimed is not None and after_claimed:
                later.append(f"{span(released, claimed.date)} after the date its text states "
                             f"({claimed.stated.written})")
            if latest is not None and after_meta:
                later.append(f"{span(released, latest.day)} after the latest date in its own "
                             f"metadata ({latest.key} {latest.value})")
            sentences.append(f"{said}: {_product(found)}, available from {released} "
                             f"({found.release.source}); that is {' and '.join(later)}.")
            listed.append({"fields": dict(fields), "software": found.family,
                           "version": found.version, "dated_as": found.release.label,
                           "released": released.isoformat(),
                           "source": found.release.source, "after_metadata": after_meta,
                           "after_claimed": after_claimed})
        if not listed:
            return
        evidence = base_evidence(item, software=listed)
        if claimed is not None:
            evidence |= claimed.evidence()
        if latest is not None:
            evidence |= {"latest_metadata_date": {latest.key: latest.value}}
        tail = (" The file's own dates contradict the software that wrote it: they were set "
                "by other means than ordinary saving." if contradicts else
                " Either the document was written after the date it bears, or it was re-saved "
                "or converted later with newer software.")
        yield self.finding(item.subject, self.title,
                           f"{short_name(item)}: " + " ".join(sentences) + tail, evidence,
                           Severity.WARNING if contradicts else Severity.NOTICE)
