"""What ingest reports when a file cannot be taken in as it is: the findings of the
``INGEST`` family. Each names what happened, what was kept, and what was not done."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from scrutiny.core import Finding, Severity

CHECK_VERSION = "1"


@dataclass(frozen=True)
class ProblemKind:
    code: str
    title: str
    severity: Severity
    meaning: str


KINDS: dict[str, ProblemKind] = {
    k.code: k
    for k in (
        ProblemKind("INGEST-001", "File could not be read", Severity.WARNING,
                    "scrutiny could not read this file from the input, so it is not in the "
                    "case. Check permissions or the disk and ingest it again."),
        ProblemKind("INGEST-002", "Archive member with an unsafe path", Severity.WARNING,
                    "An archive member is named so that a naive unpacker would write it "
                    "outside its folder (zip slip). Archives built by ordinary tools do not "
                    "do this; it can be a sign of tampering or of an attack on whoever opens "
                    "the leak. scrutiny stored the content under its hash only."),
        ProblemKind("INGEST-003", "Link not followed", Severity.NOTICE,
                    "A symbolic or hard link was found. Links can point at files outside the "
                    "leak, so scrutiny records the link and its target but does not follow "
                    "it."),
        ProblemKind("INGEST-004", "Archive limit reached (possible archive bomb)",
                    Severity.WARNING,
                    "Unpacking stopped at a safety limit (compression ratio, size, member "
                    "count or time). Archive bombs are built to exhaust disk or memory. The "
                    "archive itself is stored as received; the refused part was not "
                    "unpacked."),
        ProblemKind("INGEST-005", "Archive nested too deeply", Severity.NOTICE,
                    "This archive sits inside more archives than the nesting limit allows. It "
                    "is stored as received but was not unpacked."),
        ProblemKind("INGEST-006", "Damaged or truncated archive", Severity.WARNING,
                    "The archive is damaged, truncated or not what its type says. Members "
                    "that could be read were stored; the rest could not be unpacked. A "
                    "truncated archive can mean an incomplete download or transfer."),
        ProblemKind("INGEST-007", "Password-protected archive", Severity.NOTICE,
                    "The archive (or a member) is encrypted. It is stored as received but "
                    "its content cannot be examined without the password."),
        ProblemKind("INGEST-008", "File type does not match its name", Severity.NOTICE,
                    "The bytes of this file say it is one type while its name's extension "
                    "says another. This happens with renamed files and with files disguised "
                    "to hide their nature; it is worth a look, not a verdict."),
        ProblemKind("INGEST-009", "Special file skipped", Severity.INFO,
                    "A device, pipe or socket was found where files were expected; it holds "
                    "no content and was skipped."),
    )
}


def make_finding(code: str, subject: str, reason: str, evidence: dict[str, Any]) -> Finding:
    kind = KINDS[code]
    return Finding(
        code=code,
        subject=subject,
        severity=kind.severity,
        title=kind.title,
        explanation=f"{reason[0].upper()}{reason[1:]}. {kind.meaning}",
        evidence={**evidence, "reason": reason},
        check_version=CHECK_VERSION,
    )
