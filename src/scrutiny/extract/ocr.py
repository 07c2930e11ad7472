"""OCR with Debian's Tesseract (chi_sim + uig), for images and scanned PDF pages.

Off unless asked for (``scrutiny extract --ocr``): it is slow, and a machine without the
engine simply does not offer it. The engine runs as a subprocess with a time limit, on pixels
decoded under the pixel limit; its text is stored like any other text, at location ``ocr`` (an
image) or ``page:N/ocr`` (a PDF page that carries no text layer of its own).
"""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Iterator
from typing import Any, BinaryIO

from PIL import Image

from scrutiny.extract.base import ExtractionError, ItemInfo, Limits, Meta, Output, Text

LANGUAGES = ("chi_sim", "uig")
IMAGE_MIMES = frozenset({"image/jpeg", "image/png", "image/tiff", "image/gif", "image/bmp",
                         "image/webp"})


def available_languages() -> tuple[str, ...]:
    """The wanted languages the installed engine has; empty when there is no engine."""
    exe = shutil.which("tesseract")
    if exe is None:
        return ()
    try:
        out = subprocess.run([exe, "--list-langs"], capture_output=True, text=True,
                             timeout=30, check=False).stdout
    except (OSError, subprocess.TimeoutExpired):
        return ()
    have = {line.strip() for line in out.splitlines()}
    return tuple(lang for lang in LANGUAGES if lang in have) or (
        ("eng",) if "eng" in have else ())


def ocr_image(image: Image.Image, languages: tuple[str, ...], timeout: float) -> str:
    """Text Tesseract reads in ``image`` (chi_sim wants --psm 6: a uniform block of text)."""
    buf = io.BytesIO()
    image.convert("RGB").save(buf, "PNG")
    try:
        done = subprocess.run(["tesseract", "stdin", "stdout", "-l", "+".join(languages),
                               "--psm", "6"], input=buf.getvalue(), capture_output=True,
                              timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise ExtractionError(f"OCR took longer than {timeout:.0f} s and was stopped") from None
    if done.returncode != 0:
        raise ExtractionError("the OCR engine could not read this image: "
                              + done.stderr.decode("utf-8", "replace").strip()[:200])
    return done.stdout.decode("utf-8", "replace").strip()


class OcrExtractor:
    """Reads text from images and from PDF pages that have no text layer."""

    name = "ocr"
    version = "1"
    mimes = IMAGE_MIMES | {"application/pdf"}

    def __init__(self, languages: tuple[str, ...] | None = None, timeout: float = 120.0):
        self.languages = languages if languages is not None else available_languages()
        self.timeout = timeout

    def extract(self, f: BinaryIO, item: ItemInfo, limits: Limits) -> Iterator[Output]:
        if not self.languages:
            raise ExtractionError("OCR was asked for but no Tesseract engine is installed")
        yield Meta("ocr", "OCR:Languages", list(self.languages))
        if item.mime == "application/pdf":
            yield from self._pdf(f, limits)
            return
        Image.MAX_IMAGE_PIXELS = limits.max_pixels
        try:
            with Image.open(f) as image:
                if image.width * image.height > limits.max_pixels:
                    raise ExtractionError("the image has more pixels than the limit; not read")
                text = ocr_image(image, self.languages, self.timeout)
        except (OSError, Image.DecompressionBombError) as exc:
            raise ExtractionError(f"the image could not be decoded for OCR: {exc}") from None
        if text:
            yield Text("ocr", text)

    def _pdf(self, f: BinaryIO, limits: Limits) -> Iterator[Output]:
        import pdfplumber

        try:
            pdf: Any = pdfplumber.open(f)  # type: ignore[arg-type]  # any binary stream works
        except Exception as exc:  # pdfminer raises many kinds of errors on damaged files
            raise ExtractionError(f"the PDF could not be opened for OCR: {exc}") from None
        with pdf:
            for number, page in enumerate(pdf.pages[: limits.max_pages], 1):
                if (page.extract_text() or "").strip():
                    continue  # it has a text layer: the PDF extractor read it
                image = page.to_image(resolution=200).original
                text = ocr_image(image, self.languages, self.timeout)
                if text:
                    yield Text(f"page:{number}/ocr", text)
