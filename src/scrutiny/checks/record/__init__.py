"""The per-record checks: each looks at one person record (its normalized fields and what its
resident ID number says) and yields findings. Listed explicitly, in the order they run and are
documented."""

from __future__ import annotations

from scrutiny.checks.base import RecordCheck
from scrutiny.checks.record.dates import DetainedBeforeBirth, ImpossibleAge, ImpossibleDate
from scrutiny.checks.record.id_check import IdCheckCharacter
from scrutiny.checks.record.id_format import IdFormat, IdLookalikes, IdPrecisionLost
from scrutiny.checks.record.id_region import IdRegionAddress, IdRegionCode
from scrutiny.checks.record.id_vs_row import IdAge, IdBirthDate, IdSex
from scrutiny.checks.record.phones import PhonePlausible

RECORD_CHECKS: tuple[type[RecordCheck], ...] = (
    IdFormat,
    IdLookalikes,
    IdPrecisionLost,
    IdCheckCharacter,
    IdRegionCode,
    IdRegionAddress,
    IdBirthDate,
    IdAge,
    IdSex,
    ImpossibleDate,
    DetainedBeforeBirth,
    ImpossibleAge,
    PhonePlausible,
)

__all__ = ["RECORD_CHECKS", "DetainedBeforeBirth", "IdAge", "IdBirthDate", "IdCheckCharacter",
           "IdFormat", "IdLookalikes", "IdPrecisionLost", "IdRegionAddress", "IdRegionCode",
           "IdSex", "ImpossibleAge", "ImpossibleDate", "PhonePlausible"]
