"""Corpus checks: observations over the whole case, after the per-record and per-item
checks."""

from scrutiny.checks.corpus.births import BIRTH_CHECKS
from scrutiny.checks.corpus.dates import DATE_CHECKS
from scrutiny.checks.corpus.ids import CORPUS_ID_CHECKS
from scrutiny.checks.corpus.photos import PHOTO_CHECKS
from scrutiny.checks.corpus.sequences import SEQUENCE_CHECKS

CORPUS_CHECKS = (*CORPUS_ID_CHECKS, *BIRTH_CHECKS, *SEQUENCE_CHECKS, *PHOTO_CHECKS,
                 *DATE_CHECKS)

__all__ = ["CORPUS_CHECKS"]
