"""Extraction: metadata, text and person records from every item of a case (see ``run``)."""
