"""Document checks: the metadata of PDF and Office documents — their dates against each other,
against the leak's end date and against the date their text states; the software that wrote
them against its release date; PDF revisions; authors across the documents of a folder.
Listed explicitly, in the order they run and are documented."""

from __future__ import annotations

from scrutiny.checks.base import Check
from scrutiny.checks.document.authors import AuthorOutlier
from scrutiny.checks.document.dates import (
    CreatedAfterModified,
    DatedAfterClaimedDate,
    ModifiedAfterLeakEnd,
)
from scrutiny.checks.document.pdf import IncrementalUpdates
from scrutiny.checks.document.software import SoftwareAfterDate

DOCUMENT_CHECKS: tuple[type[Check], ...] = (
    CreatedAfterModified,
    ModifiedAfterLeakEnd,
    DatedAfterClaimedDate,
    SoftwareAfterDate,
    IncrementalUpdates,
    AuthorOutlier,
)

__all__ = ["DOCUMENT_CHECKS", "AuthorOutlier", "CreatedAfterModified", "DatedAfterClaimedDate",
           "IncrementalUpdates", "ModifiedAfterLeakEnd", "SoftwareAfterDate"]
