"""Previews of pictures for the browser. A preview never sends stored bytes as they are:
a leak can hold polyglot files (a JPEG that is also an HTML page), so pictures are decoded
(under the extractors' pixel limit), oriented, shrunk and re-encoded."""

from __future__ import annotations

import io
import warnings
from typing import Any, BinaryIO

from PIL import Image, ImageOps

from scrutiny.browse.items import derived_blob, item_file
from scrutiny.extract.base import Limits
from scrutiny.store.blobs import BlobStore

PREVIEW_PX, PREVIEW_MAX_BYTES = 1200, 256 << 20  # larger blobs are not decoded for a preview
MAX_PIXELS = Limits().max_pixels


def render_preview(stream: BinaryIO, max_side: int = PREVIEW_PX, lossless: bool = False
                   ) -> tuple[bytes, str]:
    """A raster picture re-encoded for a browser: decoded under :data:`MAX_PIXELS`, turned
    as its EXIF orientation says, shrunk to ``max_side`` pixels at most, written as JPEG (or
    PNG when it has transparency or ``lossless`` is asked for). Returns (bytes, MIME type);
    raises ``ValueError`` when the picture cannot or may not be decoded."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")   # decompression-bomb warning: checked below
            image: Any = Image.open(stream)
            if image.width * image.height > MAX_PIXELS:
                raise ValueError(f"{image.width}x{image.height} pixels is over the limit")
            if image.format == "JPEG":
                image.draft("RGB", (max_side, max_side))
            image = ImageOps.exif_transpose(image)
            image.thumbnail((max_side, max_side))
            alpha = image.mode in ("RGBA", "LA", "PA") or (
                image.mode == "P" and "transparency" in image.info)
            png = alpha or lossless
            image = image.convert("RGBA" if alpha else "RGB")
            out = io.BytesIO()
            if png:
                image.save(out, "PNG")
            else:
                image.save(out, "JPEG", quality=85)
    except Exception as exc:  # Pillow reading hostile bytes can raise anything
        raise ValueError(f"not a picture that can be shown: {exc}") from None
    return out.getvalue(), "image/png" if png else "image/jpeg"


def previewable(size: int, mime: str) -> bool:
    """Whether an item may be decoded for a preview (a raster image within the byte limit)."""
    return mime.startswith("image/") and mime != "image/svg+xml" and size <= PREVIEW_MAX_BYTES


def item_preview(db: Any, blobs: BlobStore, sha: str) -> tuple[bytes, str] | None:
    """The preview (:func:`render_preview`) of item ``sha``, or None when it is not a raster
    image, is too large, or cannot be decoded."""
    found = item_file(db, sha)
    if found is None or not previewable(*found):
        return None
    try:
        with blobs.open(sha) as stream:
            return render_preview(stream)
    except (ValueError, OSError):
        return None


def derived_preview(db: Any, blobs: BlobStore, source: str, kind: str, check_code: str
                    ) -> tuple[bytes, str] | None:
    """A derived image (:func:`derived_blob`) re-encoded as PNG like a preview, or None."""
    sha = derived_blob(db, source, kind, check_code)
    if sha is None:
        return None
    try:
        with blobs.open(sha) as stream:
            return render_preview(stream, lossless=True)
    except (ValueError, OSError):
        return None
