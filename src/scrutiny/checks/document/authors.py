"""Authors across a document family: documents received together in one folder usually come
from one office and carry the same author names."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from typing import Any, ClassVar

import orjson

from scrutiny.checks.base import Context, CorpusCheck
from scrutiny.checks.document._common import DOCUMENTS
from scrutiny.core import Finding, Severity
from scrutiny.store.catalog import FROM_LEAK

FIELDS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("author", "author", ("Office:Author", "OLE:Author", "PDF:Author")),
    ("last_modified_by", "last-modified-by name", ("Office:LastModifiedBy",
                                                   "OLE:LastModifiedBy")),
)
_KEYS = tuple(k for _, _, keys in FIELDS for k in keys)
_MIMES = tuple(a.removeprefix("item:") for a in DOCUMENTS)
MAX_VALUES = 20  # distinct values listed in a finding's evidence at most


def _folder_and_name(source: str, chain: list[Any]) -> tuple[str, str]:
    """The folder a file was received in and its name there: the path up to the last
    separator, archive members included (``leak.zip!/docs``)."""
    path = "!/".join((source, *(str(c) for c in chain)))
    cut = max(path.rfind("/"), path.rfind("\\"))
    return (path[:cut], path[cut + 1:]) if cut >= 0 else ("", path)


def _norm(value: str) -> str:
    return " ".join(value.split()).casefold()


def _documents(db: Any) -> dict[str, dict[str, Any]]:
    """sha256 → {key: first value} of the author fields of every PDF and Office item."""
    docs = {sha for sha, mime in db.execute(f"SELECT sha256, mime FROM items i "  # noqa: S608
                                            f"WHERE {FROM_LEAK}")
            if mime.startswith(_MIMES)}
    values: dict[str, dict[str, Any]] = {sha: {} for sha in docs}
    marks = ", ".join("?" for _ in _KEYS)
    for sha, key, value in db.execute(
            f"SELECT sha256, key, value FROM metadata WHERE key IN ({marks}) "  # noqa: S608
            "ORDER BY rowid", _KEYS):
        if sha in values and value is not None:
            values[sha].setdefault(key, orjson.loads(value))
    return values


def _families(db: Any, docs: set[str]) -> dict[str, dict[str, str]]:
    """folder → {sha256: name} of the documents received in it."""
    families: dict[str, dict[str, str]] = defaultdict(dict)
    for sha, source, chain in db.execute(
            "SELECT sha256, source, chain FROM provenances ORDER BY id"):
        if sha in docs:
            folder, name = _folder_and_name(source, orjson.loads(chain))
            families[folder].setdefault(sha, name)
    return families


class AuthorOutlier(CorpusCheck):
    """A document whose author differs from that of most documents received with it.

    **Method.** Groups the PDF and Office documents of the case by the folder they were
    received in (an archive's folder counts as a folder; a file received in several
    places belongs to each). For each folder and each of two fields — the author (Office
    ``creator``, legacy Office author, PDF ``Author``) and the last-modified-by name
    (Office ``lastModifiedBy``, legacy Office "last saved by") — it looks at the documents
    that have the field. When at least three do and more than half of them share one value
    (compared ignoring case and spacing), every document with another value is reported.

    **What it can show.** Documents of one office, written on the same few computers,
    usually carry the same user names (often a default such as Administrator, admin, user
    or 微软用户 set when Office was installed). A document with a different name was
    written or last saved on another computer: it may come from elsewhere — forwarded by
    another office, or added to the folder by someone else.

    **What it cannot show.** That the outlier is not genuine. Offices exchange documents,
    people change computers, and a template or a document copied from a colleague keeps
    that colleague's name. The grouping trusts the folder structure of the leak, which
    whoever assembled it chose. Names are compared as written: a name and its
    romanisation count as different. Families where no value is shared by a majority, or
    with fewer than three documents having the field, are not judged.

    **References.** ISO/IEC 29500-2 core properties (``dc:creator``,
    ``cp:lastModifiedBy``); [MS-OLEPS] summary information (``PIDSI_AUTHOR``,
    ``PIDSI_LASTAUTHOR``); ISO 32000-1:2008 §14.3.3 (``Author``).
    """

    code = "DOC-AUTH-001"
    title = "Author differs from the rest of its folder"
    version = "1"
    severity: ClassVar[Severity] = Severity.NOTICE
    minimum: ClassVar[int] = 3

    def run(self, ctx: Context) -> Iterator[Finding]:
        documents = _documents(ctx.db)
        families = _families(ctx.db, set(documents))
        for folder in sorted(families):
            members = families[folder]
            for field, label, keys in FIELDS:
                yield from self._family(folder, members, documents, field, label, keys)

    def _family(self, folder: str, members: dict[str, str],
                documents: dict[str, dict[str, Any]], field: str, label: str,
                keys: tuple[str, ...]) -> Iterator[Finding]:
        entries: list[tuple[str, str, str, str]] = []   # (name, sha256, key, value)
        for sha, name in members.items():
            for key in keys:
                value = documents[sha].get(key)
                if isinstance(value, str) and value.strip():
                    entries.append((name, sha, key, value.strip()))
                    break
        if len(entries) < self.minimum:
            return
        counts = Counter(_norm(value) for _, _, _, value in entries)
        top, sharing = counts.most_common(1)[0]
        if sharing * 2 <= len(entries):
            return
        usual = Counter(v for _, _, _, v in entries if _norm(v) == top).most_common(1)[0][0]
        written = Counter(v for _, _, _, v in entries)
        values = dict(written.most_common(MAX_VALUES))
        for name, sha, key, value in sorted(entries):
            if _norm(value) == top:
                continue
            yield self.finding(
                sha, self.title,
                f"{name} (in {folder or 'the top folder'}) gives the {label} "
                f"\u201c{value}\u201d ({key}), while {sharing} of the {len(entries)} documents "
                f"in that folder that record one give \u201c{usual}\u201d. It was written or "
                "last saved under another user name than its neighbours: it may come from "
                "another computer or office. Documents are often forwarded between offices "
                "or started from a colleague's file, so this alone does not make it "
                "suspect.",
                {"item": sha, "file": name, "folder": folder, "field": field, "key": key,
                 "value": value, "family_value": usual, "family_sharing": sharing,
                 "family_documents": len(entries), "values": values})
