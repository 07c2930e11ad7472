"""Exports of a case: JSON Lines, CSV and FollowTheMoney entities, redacted by default.

``export_case`` (in ``run``) is the entry point; ``redact`` holds the pure functions that decide
what an export leaves out; ``tables`` reads the rows; ``ftm`` turns them into entities. See
DESIGN.md §6: ID numbers, birth dates, phone numbers and addresses leave the case only when
``--no-redact`` is given explicitly.
"""

from scrutiny.export.run import FORMATS, ExportSummary, export_case, parse_what
from scrutiny.export.tables import COLUMNS, TABLES

__all__ = ["COLUMNS", "FORMATS", "TABLES", "ExportSummary", "export_case", "parse_what"]
