"""The shared vocabulary of scrutiny: frozen dataclasses every stage speaks.

Nothing here does I/O. Stages store and load these; the catalog schema mirrors them.
"""

from __future__ import annotations

import enum
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any


class ScrutinyError(Exception):
    """An error a user can act on. The CLI prints its message without a traceback."""


class Severity(enum.IntEnum):
    """How much a finding deserves a reader's attention. It is never a verdict."""

    INFO = 0
    NOTICE = 1
    WARNING = 2
    ANOMALY = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            names = ", ".join(s.label for s in cls)
            raise ScrutinyError(f"unknown severity {text!r}; use one of {names}") from None


def utc_now() -> str:
    """The current UTC time as an ISO 8601 string with microseconds and a Z suffix."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_json(value: Any) -> bytes:
    """Canonical JSON: sorted keys, no insignificant whitespace, UTF-8, no NaN.

    Custody events hold only strings, integers, booleans, null, lists and objects, so this is
    the same byte string RFC 8785 (JCS) gives for them; anyone can recompute a hash with
    ``json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)``.
    """
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Item:
    """One distinct file content received into a case, named by its SHA-256."""

    sha256: str
    size: int
    mime: str
    magic: str
    received: str


@dataclass(frozen=True)
class Provenance:
    """One place an item was found: an input path and the chain of archive members inside it.

    ``chain`` lists member names from the outermost archive inwards; it is empty for a plain
    file. ``parent`` is the SHA-256 of the archive the item was unpacked from, if any.
    """

    sha256: str
    run_id: str
    source: str
    chain: tuple[str, ...]
    parent: str | None
    mtime: str
    ext_mime: str | None
    ext_mismatch: bool

    @property
    def display_path(self) -> str:
        return "!/".join((self.source, *self.chain))


@dataclass(frozen=True)
class Finding:
    """An observation with its evidence, produced by a check or by ingest (DESIGN §3)."""

    code: str
    subject: str
    severity: Severity
    title: str
    explanation: str
    evidence: Mapping[str, Any] = field(default_factory=dict)
    check_version: str = "1"

    @property
    def key(self) -> str:
        """A stable identity: the same observation made twice is stored once."""
        return sha256_hex(
            canonical_json([self.code, self.subject, dict(self.evidence), self.check_version])
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "subject": self.subject,
            "severity": self.severity.label,
            "title": self.title,
            "explanation": self.explanation,
            "evidence": dict(self.evidence),
            "check_version": self.check_version,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Finding:
        return cls(
            code=str(data["code"]),
            subject=str(data["subject"]),
            severity=Severity.parse(str(data["severity"])),
            title=str(data["title"]),
            explanation=str(data["explanation"]),
            evidence=dict(data.get("evidence") or {}),
            check_version=str(data.get("check_version", "1")),
        )


@dataclass(frozen=True)
class CustodyEvent:
    """One line of the custody log. ``hash`` covers every other field, ``prev`` included."""

    seq: int
    time: str
    actor: str
    action: str
    subject: str | None
    details: Mapping[str, Any]
    prev: str
    hash: str

    def body(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "time": self.time,
            "actor": self.actor,
            "action": self.action,
            "subject": self.subject,
            "details": dict(self.details),
            "prev": self.prev,
        }

    def to_json(self) -> dict[str, Any]:
        return {**self.body(), "hash": self.hash}


GENESIS = "0" * 64
"""The ``prev`` of the first custody event."""
