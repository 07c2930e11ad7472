"""Byte-identical output for a seed: Office files are zip archives whose entries carry the
time they were written; rewrite them with one fixed time."""

from __future__ import annotations

import os
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path

FIXED_ZIP_TIME = (2019, 1, 1, 0, 0, 0)


def freeze_zip(path: Path, when: tuple[int, int, int, int, int, int] = FIXED_ZIP_TIME,
               edit: Mapping[str, Callable[[bytes], bytes]] | None = None) -> None:
    """Rewrite the zip at ``path`` with every entry dated ``when``; ``edit`` maps entry names
    to functions that rewrite their content."""
    edit = edit or {}
    tmp = path.with_name(path.name + ".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w") as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, when)
            fixed.compress_type = info.compress_type
            fixed.external_attr = info.external_attr
            fixed.create_system = 0
            data = src.read(info)
            if info.filename in edit:
                data = edit[info.filename](data)
            dst.writestr(fixed, data, compress_type=info.compress_type)
    os.replace(tmp, path)
