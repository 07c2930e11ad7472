"""IMG-META-007: EXIF fields that a camera model writes in (nearly) every photo of the case,
missing from some of its photos."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from typing import Any, ClassVar

import orjson

from scrutiny.checks.base import Context, CorpusCheck
from scrutiny.checks.image.jpeg import JPEG_MIMES, first_name, model_of
from scrutiny.core import Finding, Severity

GROUPS = {"ifd0": "IFD0", "exif": "ExifIFD", "interop": "InteropIFD", "ifd1": "IFD1"}
NOT_FIELDS = {"MakerNote:Size", "Thumbnail:Length", "JPEG:ThumbnailSize", "Thumbnail:Present"}
MAKER_NOTE = "MakerNotes:MakerNote"
THUMBNAIL = "IFD1:Thumbnail"
LISTED = 10          # missing fields named in an explanation at most


def field_label(location: str, key: str, value: Any) -> str | None:
    """exiftool-style "Group:Tag" for a metadata row of an EXIF directory; ``None`` for rows
    that are not fields the camera writes (sizes, derived values, a missing thumbnail)."""
    if key == "Thumbnail:Present":
        return THUMBNAIL if value is True else None
    if key == "MakerNote:Maker":
        return MAKER_NOTE
    if key in NOT_FIELDS or not key.startswith("EXIF:"):
        return None
    return f"{GROUPS[location]}:{key.split(':', 1)[1]}"


class MissingCameraFields(CorpusCheck):
    """A photo lacks EXIF fields that the camera model it claims writes in (nearly) every
    other photo of the case.

    **Method.** For every JPEG of the case whose EXIF names a camera model (make and model),
    the fields present in its EXIF directories are listed, exiftool-style (``IFD0:Make``,
    ``ExifIFD:SubSecTimeOriginal``, ``InteropIFD:InteropIndex``, ``IFD1:Compression``), with
    the maker note (``MakerNotes:MakerNote``) and the IFD1 thumbnail (``IFD1:Thumbnail``)
    counted as fields. GPS fields are left out: a camera writes them only when it has a fix.
    For each model with at least 20 photos, the fields carried by at least 95% of them are
    taken as what the model always writes, and every photo of the model that lacks any of
    them is reported, with the fields it lacks and how many of the model's photos carry
    each. Severity `warning` when three or more fields, or the maker note, are missing;
    `notice` otherwise.

    **What it can show.** A camera's firmware writes the same set of fields in every photo;
    programs that rewrite EXIF drop what they do not understand — the maker note first,
    often the thumbnail, sub-second times, the interoperability directory. A photo missing
    fields its model always writes was, most likely, rewritten by software, or its EXIF was
    composed to look like the model's.

    **What it cannot show.** Which program, or that the picture was changed. A firmware
    update can add or drop fields for some photos; camera settings (a mode that records no
    sub-seconds, say) can too; and with 20 photos one exception is 5%, so a model's
    "always" is only as good as the case's sample. Models with fewer than 20 photos are not
    judged.

    **References.** CIPA DC-008-2019 (Exif 2.32), the tags of IFD0, the Exif and
    Interoperability IFDs and IFD1; exiftool's tag groups. Compare E. Kee, M. K. Johnson,
    H. Farid, *Digital image authentication from JPEG headers*, IEEE TIFS 6(3), 2011, who
    count EXIF fields among a camera's signature.
    """

    code = "IMG-META-007"
    title = "Camera fields missing that the model always writes"
    applies_to: ClassVar[tuple[str, ...]] = ("corpus",)
    version = "1"
    severity: ClassVar[Severity] = Severity.WARNING
    min_photos: ClassVar[int] = 20
    always: ClassVar[float] = 0.95

    def run(self, ctx: Context) -> Iterator[Finding]:
        marks = ", ".join("?" for _ in JPEG_MIMES)
        fields: dict[str, set[str]] = defaultdict(set)
        identity: dict[str, dict[str, Any]] = defaultdict(dict)
        query = ("SELECT m.sha256, m.location, m.key, m.value FROM metadata m "  # noqa: S608
                 f"JOIN items i ON i.sha256 = m.sha256 WHERE i.mime IN ({marks}) "
                 "AND m.location IN ('ifd0', 'exif', 'interop', 'ifd1') ORDER BY m.rowid")
        for sha, location, key, raw in ctx.db.execute(query, JPEG_MIMES):
            value = orjson.loads(raw) if raw is not None else None
            if key in ("EXIF:Make", "EXIF:Model") and location == "ifd0":
                identity[sha].setdefault(key, value)
            label = field_label(location, key, value)
            if label is not None:
                fields[sha].add(label)
        by_model: dict[str, list[str]] = defaultdict(list)
        names: dict[str, str] = {}
        for sha, meta in identity.items():
            model = model_of(meta)
            if model is not None:
                by_model[model.casefold()].append(sha)
                names[model.casefold()] = model
        for key in sorted(by_model):
            yield from self._model(ctx, names[key], sorted(by_model[key]), fields)

    def _model(self, ctx: Context, model: str, members: list[str],
               fields: dict[str, set[str]]) -> Iterator[Finding]:
        n = len(members)
        if n < self.min_photos:
            return
        counts = Counter(label for sha in members for label in fields[sha])
        always = {label: c for label, c in counts.items() if c >= self.always * n}
        for sha in members:
            missing = sorted(label for label in always if label not in fields[sha])
            if not missing:
                continue
            strong = len(missing) >= 3 or MAKER_NOTE in missing
            shown = ", ".join(f"{label} (in {always[label]} of the {n})"
                              for label in missing[:LISTED])
            more = f" and {len(missing) - LISTED} more" if len(missing) > LISTED else ""
            name = first_name(ctx.db, sha)
            yield self.finding(
                sha, self.title,
                f"{name} claims the camera {model}, but lacks EXIF fields that nearly all "
                f"of the model's {n} photos in the case carry: {shown}{more}. Camera "
                "firmware writes the "
                "same fields every time; programs that rewrite EXIF drop some — the maker "
                "note and the thumbnail first. This photo's EXIF was most likely rewritten "
                "by software, or composed to look like the model's.",
                {"item": sha, "file": name, "camera_model": model, "missing": missing,
                 "model_photos": n,
                 "carried_by": {label: always[label] for label in missing},
                 "threshold": self.always},
                Severity.WARNING if strong else Severity.NOTICE)


FIELD_CHECKS = (MissingCameraFields,)
