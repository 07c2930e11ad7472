"""The limits every archive is unpacked under (DESIGN §5). Defaults fit a laptop and real
leaks; each is a CLI option of ``scrutiny ingest``."""

from __future__ import annotations

from dataclasses import dataclass

GiB = 1 << 30
MiB = 1 << 20


@dataclass(frozen=True)
class Limits:
    max_depth: int = 6
    """Archives nested deeper than this are stored but not unpacked."""
    max_members: int = 200_000
    """Members of one archive beyond this count are not unpacked."""
    max_member_size: int = 16 * GiB
    """A single member larger than this (declared or actual) is refused."""
    max_total: int = 64 * GiB
    """Bytes unpacked from one input (all its nested archives together) stop here."""
    max_ratio: int = 200
    """Unpacked/compressed ratio above which a member (or a whole archive) is refused..."""
    ratio_floor: int = 8 * MiB
    """...once it has produced at least this many bytes (small files compress well)."""
    time_budget: float = 3600.0
    """Seconds one input may spend unpacking before the rest of it is left packed."""
