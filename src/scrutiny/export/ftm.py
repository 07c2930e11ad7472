"""FollowTheMoney entities: the people of a case in the format Aleph, OpenSanctions and
other investigative tools read.

- a ``Document`` for each file that lists named people: its file name, MIME type and size,
  with the path it was received as, its SHA-256 and the case in ``notes`` (FtM's
  ``contentHash`` means a SHA-1 in an Aleph archive, so the SHA-256 is not put there);
- a ``Person`` for each leak record with a name: name, alias (another script), gender, birth
  date, ethnicity, nationality if a field gives one, the facility and detention date in
  ``description``, where it came from in ``notes`` (file, sheet and row, SHA-256, case id,
  record id) and the file as ``proof``. A record without a name (an ID number read from a
  photo's file name) is left out: FtM requires a person's name.
- a ``Family`` for each relative listed under a person (``person`` the listed person,
  ``relative`` the relative, ``relationship`` as the list says it, with the English word);
- for each match a reviewer ACCEPTED: a ``Person`` for the reference-database entry (or the
  other leak record) and a ``Similar`` — FtM's link for "presumed to be the same", made for
  record-linkage results — with the score, the comparison summary and who accepted it why.

Entity ids are SHA-1 digests (``make_id``) of the case id and scrutiny's own row id, so they
are the same in every export of a case and never carry a name or an ID number. An entity may
appear more than once (a person matched twice): FtM merges fragments with one id.

When redacting, a Person has no ``idNumber`` and no ``phone``, its birth date is a year and
its ``address`` the county (the rows come from :mod:`scrutiny.export.tables`, redacted).
followthemoney is an optional extra (``pip install 'scrutiny[ftm]'``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from scrutiny import __version__
from scrutiny.core import ScrutinyError
from scrutiny.export.tables import Reader

if TYPE_CHECKING:
    from followthemoney.model import Model
    from followthemoney.proxy import EntityProxy

RELATIONS = {
    "父亲": "father", "母亲": "mother", "丈夫": "husband", "妻子": "wife", "配偶": "spouse",
    "儿子": "son", "女儿": "daughter", "子女": "child", "哥哥": "elder brother",
    "弟弟": "younger brother", "兄弟": "brother", "姐姐": "elder sister",
    "妹妹": "younger sister", "姐妹": "sister", "祖父": "grandfather", "爷爷": "grandfather",
    "祖母": "grandmother", "奶奶": "grandmother", "外祖父": "grandfather",
    "外祖母": "grandmother", "孙子": "grandson", "孙女": "granddaughter", "儿媳": "daughter-in-law",
    "女婿": "son-in-law", "公公": "father-in-law", "婆婆": "mother-in-law",
}
"""Kinship terms of Chinese rosters, in English (the relative is the person's …)."""

_GENDER = {"M": "male", "F": "female"}


def require_ftm() -> Model:
    """followthemoney's model, or a clear error naming the extra to install."""
    try:
        from followthemoney import model
    except ImportError:
        raise ScrutinyError(
            "--format ftm needs the followthemoney library: install the 'ftm' extra "
            "(pip install 'scrutiny[ftm]')") from None
    return model


class Entities:
    """Builds the FtM entities of one case from its (redacted) rows."""

    def __init__(self, reader: Reader, case_id: str) -> None:
        self.model = require_ftm()
        self.reader = reader
        self.case_id = case_id
        self.redact = reader.redact
        self.skipped: dict[str, int] = {}

    def _id(self, *parts: Any) -> str:
        from followthemoney.util import make_entity_id

        return str(make_entity_id("scrutiny", self.case_id, *parts))

    def person_id(self, record_id: int) -> str:
        return self._id("record", record_id)

    def _skip(self, why: str) -> None:
        self.skipped[why] = self.skipped.get(why, 0) + 1

    # -- records ------------------------------------------------------------------------------

    def records(self) -> Iterator[EntityProxy]:
        """Documents, then a Person per named record and a Family per named relative."""
        for src in self.reader.sources():
            doc = self.model.make_entity("Document")
            doc.id = self._id("item", src["sha256"])
            doc.add("fileName", src["file"].replace("\\", "/").rsplit("/", 1)[-1])
            doc.add("mimeType", src["mime"])
            doc.add("fileSize", str(src["size"]))
            doc.add("notes", f"Received as {src['file']} (SHA-256 {src['sha256']}); an item "
                             f"of scrutiny case {self.case_id}.")
            yield doc
        for row in self.reader.records():
            person = self.person(row, proof=True)
            if person is None:
                self._skip("records without a name")
                continue
            yield person
            family = self.family(row)
            if family is not None:
                yield family

    def person(self, row: dict[str, Any], proof: bool = False) -> EntityProxy | None:
        """The Person of a leak record's row, or None if it has no name."""
        if not row.get("name"):
            return None
        p = self.model.make_entity("Person")
        p.id = self.person_id(int(row["id"]))
        fields = row.get("fields") or {}
        info = row.get("id_info") or {}
        p.add("name", row["name"])
        p.add("alias", row.get("name_alt"))
        p.add("gender", _GENDER.get(str(row.get("sex") or "")))
        p.add("birthDate", str(row.get("birth_date") or info.get("birth_date") or "") or None)
        p.add("ethnicity", row.get("ethnicity"))
        p.add("nationality", fields.get("nationality"))
        if self.redact:
            p.add("address", row.get("county"))
        else:
            p.add("address", row.get("address"))
            p.add("idNumber", row.get("id_number"))
            phone = str(row.get("phone") or "")
            if phone.isdigit():
                p.add("phone", "+86" + phone.lstrip("0") if len(phone) >= 10 else phone)
        if proof:
            p.add("proof", self._id("item", row["sha256"]))
        p.add("description", _held(row))
        p.add("notes", f"Leak record {row['id']} of scrutiny case {self.case_id}: "
                       f"{row['file']}, {row['location']} (file SHA-256 {row['sha256']}).")
        return p

    def family(self, row: dict[str, Any]) -> EntityProxy | None:
        """The Family linking a relative's row to the person listed above it, when both are
        named (so both are Persons of the export)."""
        main = row.get("main_id")
        relation = str(row.get("relation") or "").strip()
        if main is None or not relation or not row.get("name"):
            return None
        named = self.reader.db.execute("SELECT coalesce(name, '') != '' FROM records "
                                       "WHERE id = ?", (main,)).fetchone()
        if not named or not named[0]:
            self._skip("relatives of a record without a name")
            return None
        f = self.model.make_entity("Family")
        f.id = self._id("family", row["id"])
        f.add("person", self.person_id(int(main)))
        f.add("relative", self.person_id(int(row["id"])))
        f.add("relationship", relation)
        f.add("relationship", RELATIONS.get(relation))
        return f

    # -- accepted matches -----------------------------------------------------------------------

    def matches(self, with_records: bool) -> Iterator[EntityProxy]:
        """For each accepted match: the other Person and a Similar. Without ``with_records``
        (records not exported) the leak record's Person is given here too."""
        for row in self.reader.matches():
            if row["status"] != "accepted":
                continue
            left, right = row["left"], row["right"]
            if not left.get("name") or not right.get("name"):
                self._skip("accepted matches of a record or entry without a name")
                continue
            if not with_records:
                yield from self._record_person(int(left["id"]))
            if right["kind"] == "entry":
                other = self._entry_person(right)
                yield other
                other_id = str(other.id)
            else:
                if not with_records:
                    yield from self._record_person(int(right["id"]))
                other_id = self.person_id(int(right["id"]))
            s = self.model.make_entity("Similar")
            s.id = self._id("match", row["id"])
            s.add("candidate", self.person_id(int(left["id"])))
            s.add("match", other_id)
            s.add("confidenceScore", f"{float(row['probability']):.4f}")
            s.add("matcher", f"scrutiny {__version__} record linkage, run {row['run']}")
            s.add("criteria", row.get("summary"))
            s.add("criteria", f"accepted by {row['judged_by']} ({str(row['judged_at'])[:10]}): "
                              f"{row['judgement_reason']}")
            yield s

    def _record_person(self, record_id: int) -> Iterator[EntityProxy]:
        row = self.reader.record(record_id)
        person = self.person(row) if row else None
        if person is not None:
            yield person

    def _entry_person(self, side: dict[str, Any]) -> EntityProxy:
        fields = side.get("fields") or {}
        p = self.model.make_entity("Person")
        p.id = self._id("reference-entry", side["id"])
        p.add("name", side["name"])
        p.add("alias", side.get("name_alt"))
        p.add("gender", _GENDER.get(str(side.get("sex") or "")))
        p.add("birthDate", str(side.get("birth_date") or "") or None)
        p.add("birthPlace", fields.get("county"))  # as ``scrutiny reference add`` reads FtM
        p.add("ethnicity", fields.get("ethnicity"))
        p.add("nationality", fields.get("nationality"))
        p.add("status", fields.get("status"))
        if not self.redact:
            p.add("idNumber", side.get("id_number"))
            p.add("address", fields.get("address"))
        source = f" The database names its source: {fields['source']}." if fields.get(
            "source") else ""
        p.add("notes", f"Entry {side.get('key') or side['id']} ({side['where']}) of a reference "
                       f"database imported into scrutiny case {self.case_id} (reference entry "
                       f"{side['id']}).{source}")
        return p


def _held(row: dict[str, Any]) -> str | None:
    """What the list says of the person, in words."""
    parts = []
    if row.get("main_id") is not None and row.get("relation"):
        relation = str(row["relation"])
        english = RELATIONS.get(relation)
        shown = f"{relation} ({english})" if english else relation
        parts.append(f"Listed as {shown} of leak record {row['main_id']}")
    if row.get("facility"):
        parts.append(f"Listed as held at {row['facility']}"
                     + (f" from {row['detained']}" if row.get("detained") else ""))
    elif row.get("detained"):
        parts.append(f"Listed as detained from {row['detained']}")
    for key, label in (("category", "category"), ("note", "note")):
        if row.get(key):
            parts.append(f"{label}: {row[key]}")
    return "; ".join(parts) + "." if parts else None
