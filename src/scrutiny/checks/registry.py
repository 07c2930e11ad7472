"""The check registry: built-ins listed explicitly, plugins from the ``scrutiny.checks``
entry-point group, every class validated at registration, and selection by code prefix."""

from __future__ import annotations

import inspect
from collections.abc import Iterable, Sequence
from importlib.metadata import entry_points

from scrutiny.checks.base import CODE, Check, CorpusCheck, ItemCheck, RecordCheck
from scrutiny.core import ScrutinyError

ENTRY_POINT_GROUP = "scrutiny.checks"


def builtin_checks() -> list[type[Check]]:
    """Every built-in check class, in the order they run and are documented."""
    from scrutiny.checks.corpus import CORPUS_CHECKS
    from scrutiny.checks.document import DOCUMENT_CHECKS
    from scrutiny.checks.image import IMAGE_CHECKS
    from scrutiny.checks.places import PLACE_CHECKS
    from scrutiny.checks.record import RECORD_CHECKS

    return [*RECORD_CHECKS, *DOCUMENT_CHECKS, *IMAGE_CHECKS, *CORPUS_CHECKS, *PLACE_CHECKS]


def plugin_checks() -> list[type[Check]]:
    """Check classes that installed packages add through the ``scrutiny.checks`` group (an
    entry point names one class, or a module-level list/tuple of classes)."""
    found: list[type[Check]] = []
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        try:
            obj = ep.load()
        except Exception as exc:  # a broken plugin is reported, not fatal to the others
            raise ScrutinyError(f"check plugin {ep.name!r} ({ep.value}) cannot be loaded: "
                                f"{exc}") from exc
        found += list(obj) if isinstance(obj, list | tuple) else [obj]
    return found


def validate(classes: Iterable[object]) -> list[type[Check]]:
    """The classes as a registry: each a concrete Check subclass with a well-formed, unique
    code, a title, a version and a docstring; anything else is a ``ScrutinyError`` naming it."""
    seen: dict[str, type[Check]] = {}
    out: list[type[Check]] = []
    for cls in classes:
        name = getattr(cls, "__qualname__", repr(cls))
        if not (inspect.isclass(cls) and issubclass(cls, RecordCheck | ItemCheck | CorpusCheck)):
            raise ScrutinyError(f"{name} is not a RecordCheck, ItemCheck or CorpusCheck class")
        code = getattr(cls, "code", "")
        if not isinstance(code, str) or not CODE.match(code):
            raise ScrutinyError(f"{name}: malformed check code {code!r} (expected e.g. "
                                "REC-ID-002: letters, dash-separated parts, a 3-digit number)")
        if code in seen:
            raise ScrutinyError(f"check code {code} is used twice: by {seen[code].__qualname__} "
                                f"and {name}")
        for attr in ("title", "version"):
            if not isinstance(getattr(cls, attr, None), str) or not getattr(cls, attr):
                raise ScrutinyError(f"{name} ({code}) has no {attr}")
        if not (cls.__doc__ or "").strip():
            raise ScrutinyError(f"{name} ({code}) has no docstring: it is the check's "
                                "documentation")
        seen[code] = cls
        out.append(cls)
    return out


def all_checks() -> list[type[Check]]:
    return validate([*builtin_checks(), *plugin_checks()])


def _prefixes(text: Sequence[str] | str | None) -> list[str]:
    if not text:
        return []
    parts = text.split(",") if isinstance(text, str) else [p for t in text for p in t.split(",")]
    return [p.strip().upper() for p in parts if p.strip()]


def select(classes: Sequence[type[Check]], chosen: Sequence[str] | str | None = None,
           ignored: Sequence[str] | str | None = None) -> list[type[Check]]:
    """The checks to run: those whose code starts with a ``chosen`` prefix (default: every
    check not off by default; a check off by default runs when chosen by a prefix), minus
    those starting with an ``ignored`` prefix. A prefix that matches nothing is an error."""
    want, drop = _prefixes(chosen), _prefixes(ignored)
    for p in (*want, *drop):
        if not any(c.code.startswith(p) for c in classes):
            raise ScrutinyError(f"no check code starts with {p!r}; see 'scrutiny checks list'")
    if want:
        picked = [c for c in classes if any(c.code.startswith(p) for p in want)]
    else:
        picked = [c for c in classes if not c.off_by_default]
    return [c for c in picked if not any(c.code.startswith(p) for p in drop)]
