"""Walk the paths given to ``scrutiny ingest``: files and folders, never following links."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Entry:
    """A regular file to ingest, or something that is not one (``problem`` says what)."""

    path: Path
    size: int
    mtime: float
    problem: str | None = None  # INGEST code
    reason: str = ""
    target: str | None = None


def _classify(path: Path) -> Entry:
    try:
        st = path.lstat()
    except OSError as exc:
        return Entry(path, 0, 0.0, "INGEST-001", f"cannot stat: {exc.strerror or exc}")
    if stat.S_ISLNK(st.st_mode):
        try:
            target = os.readlink(path)
        except OSError:
            target = "?"
        return Entry(path, 0, st.st_mtime, "INGEST-003",
                     f"symbolic link to {target!r}; not followed", target)
    if stat.S_ISREG(st.st_mode):
        return Entry(path, st.st_size, st.st_mtime)
    if stat.S_ISDIR(st.st_mode):
        return Entry(path, 0, st.st_mtime, None, "directory")
    return Entry(path, 0, st.st_mtime, "INGEST-009", "device, FIFO or socket; skipped")


def walk(inputs: list[Path]) -> Iterator[Entry]:
    """Regular files and problems, in a stable order (sorted by name within each folder)."""
    for top in inputs:
        top = Path(os.path.abspath(top))
        first = _classify(top)
        if first.reason != "directory":
            yield first
            continue
        errors: list[OSError] = []
        for dirpath, dirnames, filenames in os.walk(top, onerror=errors.append):
            while errors:
                err = errors.pop()
                yield Entry(Path(err.filename or dirpath), 0, 0.0, "INGEST-001",
                            f"cannot list folder: {err.strerror or err}")
            dirnames.sort()
            here = Path(dirpath)
            # os.walk lists symlinks to folders among dirnames and does not descend into them
            for name in sorted(filenames + [d for d in dirnames if (here / d).is_symlink()]):
                entry = _classify(here / name)
                if entry.reason != "directory":
                    yield entry
        while errors:
            err = errors.pop()
            yield Entry(Path(err.filename or top), 0, 0.0, "INGEST-001",
                        f"cannot list folder: {err.strerror or err}")
