"""The built-in extractors, listed explicitly. Each reads the MIME types it names; an item is
read by every extractor that claims its type."""

from __future__ import annotations

from scrutiny.extract.base import Extractor


def builtin_extractors(ocr: bool = False) -> list[Extractor]:
    """One instance of each built-in extractor (OCR only when asked for: it is slow)."""
    from scrutiny.extract.image import ImageExtractor
    from scrutiny.extract.office import OfficeExtractor
    from scrutiny.extract.ole import OleExtractor
    from scrutiny.extract.pdf import PdfExtractor
    from scrutiny.extract.tabular import TabularExtractor
    from scrutiny.extract.textfile import TextFileExtractor

    found: list[Extractor] = [
        ImageExtractor(),
        PdfExtractor(),
        OfficeExtractor(),
        OleExtractor(),
        TabularExtractor(),
        TextFileExtractor(),
    ]
    if ocr:
        from scrutiny.extract.ocr import OcrExtractor

        found.append(OcrExtractor())
    return found
