"""Ingest: walk inputs, unpack archives safely, identify types, register items + provenance."""

from scrutiny.ingest.limits import Limits
from scrutiny.ingest.run import IngestSummary, ingest

__all__ = ["IngestSummary", "Limits", "ingest"]
