"""``scrutiny metadata FILE...``: the metadata of files outside any case, one flat object per
file in the manner of ``exiftool -j -G`` (``SourceFile``, ``File:*`` and ``Group:Name`` keys).

The file is identified from its bytes like an ingested item and read by the same extractors;
nothing is stored and nothing is written anywhere. A file that cannot be fully read keeps what
could be read and gets ``Scrutiny:Error``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scrutiny.extract.base import ExtractionError, ItemInfo, Limits, merge_metas
from scrutiny.extract.registry import builtin_extractors
from scrutiny.ingest.identify import identify

HEAD = 1 << 16  # bytes libmagic sees, as at ingest


def file_metadata(path: str | Path, limits: Limits | None = None) -> dict[str, Any]:
    """Metadata of one file as a flat JSON-ready object (never raises for a bad file)."""
    from scrutiny.extract.image import ImageExtractor, metadata_json

    p = Path(path)
    limits = limits or Limits()
    out: dict[str, Any] = {"SourceFile": str(p), "File:FileName": p.name}
    try:
        size = p.stat().st_size
        with p.open("rb") as f:
            mime = identify(f.read(HEAD), p.name).mime
    except OSError as exc:
        out["Scrutiny:Error"] = f"cannot read the file: {exc.strerror or exc}"
        return out
    if mime in ImageExtractor.mimes:
        return metadata_json(p)  # the image reader's own flattening, exiftool's group names
    out.update({"File:FileSize": size, "File:MIMEType": mime})
    readers = [ex for ex in builtin_extractors() if mime in ex.mimes]
    if not readers:
        out["Scrutiny:Warning"] = [f"no extractor reads {mime}: only the file type is shown"]
    item = ItemInfo(sha256="", size=size, mime=mime, names=(p.name,))
    for ex in readers:
        try:
            with p.open("rb") as f:
                merge_metas(out, ex.extract(f, item, limits),
                            lambda m: f"{m.location}:{m.key}" if m.location else None)
        except ExtractionError as exc:
            out.setdefault("Scrutiny:Error", str(exc))
        except OSError as exc:
            out.setdefault("Scrutiny:Error", f"cannot read the file: {exc.strerror or exc}")
        except Exception as exc:  # a malformed file must not stop the other files
            out.setdefault("Scrutiny:Error",
                           f"{ex.name} reader failed on this file: {type(exc).__name__}: {exc}")
    return out
