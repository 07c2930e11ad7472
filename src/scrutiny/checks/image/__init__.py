"""Image checks (DESIGN §3): per image, its metadata (editing software, dates, thumbnail,
dimensions, camera fields, trailing data, content credentials), its JPEG structure
(quantization tables, double compression, grid) and its pixels (copy-move, error-level and
noise maps); over the photo corpus, the camera inventory, the timeline and sensor noise."""

from __future__ import annotations

from scrutiny.checks.base import Check
from scrutiny.checks.image.c2pa import C2PA_CHECKS
from scrutiny.checks.image.cameras import CAMERA_CHECKS
from scrutiny.checks.image.copymove import CopyMove
from scrutiny.checks.image.double import DOUBLE_CHECKS
from scrutiny.checks.image.fields import FIELD_CHECKS
from scrutiny.checks.image.grid import GRID_CHECKS
from scrutiny.checks.image.jpeg import JPEG_CHECKS
from scrutiny.checks.image.meta import META_CHECKS
from scrutiny.checks.image.prnu import PRNU_CHECKS
from scrutiny.checks.image.residuals import ErrorLevel, NoiseLevel
from scrutiny.checks.image.thumbnail import THUMBNAIL_CHECKS
from scrutiny.checks.image.timeline import TIMELINE_CHECKS

PIXEL_CHECKS: tuple[type[Check], ...] = (CopyMove, ErrorLevel, NoiseLevel)

IMAGE_CHECKS: tuple[type[Check], ...] = (
    *META_CHECKS, *THUMBNAIL_CHECKS, *FIELD_CHECKS, *C2PA_CHECKS,
    *JPEG_CHECKS, *DOUBLE_CHECKS, *GRID_CHECKS, *PIXEL_CHECKS,
    *CAMERA_CHECKS, *TIMELINE_CHECKS, *PRNU_CHECKS,
)
"""Per-image checks first, then the corpus checks (the runner orders by kind anyway)."""

__all__ = ["IMAGE_CHECKS", "PIXEL_CHECKS"]
