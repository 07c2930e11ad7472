"""Helpers that write PDF structures by hand for tests (pikepdf always rewrites a whole file)."""

from __future__ import annotations

import re
from pathlib import Path


def append_update(path: Path, info: str) -> None:
    """Append an incremental update that replaces the info dictionary, by hand: a new
    object, an xref section for it, and a trailer pointing back at the previous one."""
    data = path.read_bytes()
    prev = int(re.findall(rb"startxref\s+(\d+)\s+%%EOF", data)[-1])
    trailer = data[data.rindex(b"trailer"):]
    root = re.search(rb"/Root (\d+ \d+ R)", trailer)
    size = re.search(rb"/Size (\d+)", trailer)
    assert root and size
    number = int(size.group(1))
    if not data.endswith(b"\n"):
        data += b"\n"
    obj_offset = len(data)
    body = f"{number} 0 obj\n<< {info} >>\nendobj\n".encode()
    xref_offset = obj_offset + len(body)
    xref = (f"xref\n0 1\n0000000000 65535 f \n{number} 1\n{obj_offset:010d} 00000 n \n"
            f"trailer\n<< /Size {number + 1} /Root {root.group(1).decode()} "
            f"/Info {number} 0 R /Prev {prev} >>\nstartxref\n{xref_offset}\n%%EOF\n").encode()
    path.write_bytes(data + body + xref)
