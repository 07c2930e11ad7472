"""Corpus check: the ID numbers in photo file names against the ID numbers in the rosters."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from typing import ClassVar

from scrutiny.checks.base import Context, CorpusCheck
from scrutiny.checks.corpus._stats import item_paths, rounded, share
from scrutiny.core import Finding, Severity

EXAMPLES = 20
FOLDERS = 50   # folders listed in the evidence at most


def _folder(path: str) -> str:
    return path.rsplit("/", 1)[0] if "/" in path else ""


class PhotoIdsVsRoster(CorpusCheck):
    """How the ID numbers in photo file names match the rosters' ID numbers.

    Method: takes every record extraction made from a file name (a photo named
    ``<ID number>_<time>.jpg``, say) that carries an ID number, and looks each distinct
    number up among the roster records (rows read from tables): as a main person, only as a
    relative, or not at all. Counts, in the other direction, how many main persons with an ID
    number have at least one photo. The evidence breaks the counts down by the folder the
    photos were received in and lists photo numbers with no roster row.

    What it can show: whether the photos and the rosters belong together — in a genuine leak
    of one system, photos of detainees match roster rows; photo numbers absent from every
    roster point to missing rosters, to photos from elsewhere, or to numbers typed into the
    file names by hand. The share of roster rows with photos says how much of the list the
    photos cover.

    What it cannot show: that a photo shows the person of its file name, or that matching
    numbers are genuine — a fabricator can name files after roster rows. Numbers are compared
    exactly, as extraction normalized them.
    """

    code = "CORP-PHOTO-001"
    title = "Photo file-name IDs against roster IDs"
    severity: ClassVar[Severity] = Severity.INFO

    def run(self, ctx: Context) -> Iterator[Finding]:
        photos = ctx.db.execute(
            "SELECT sha256, location, id_number, json_extract(id_info, '$.valid') "
            "FROM records WHERE source = 'filename' AND id_number IS NOT NULL "
            "AND id_number != '' ORDER BY id").fetchall()
        if not photos:
            return
        main: set[str] = set()
        relatives: set[str] = set()
        for number, relation in ctx.db.execute(
                "SELECT id_number, relation FROM records WHERE source = 'table' "
                "AND id_number IS NOT NULL AND id_number != ''"):
            (main if relation == "" else relatives).add(number)
        main_rows = ctx.db.execute(
            "SELECT count(*) FROM records WHERE source = 'table' AND relation = '' "
            "AND id_number IS NOT NULL AND id_number != ''").fetchone()[0]

        def status(number: str) -> str:
            if number in main:
                return "main"
            return "relative" if number in relatives else "none"

        folders: dict[str, Counter[str]] = defaultdict(Counter)
        unmatched: list[dict[str, object]] = []
        invalid = 0
        seen_unmatched: set[str] = set()
        for sha, location, number, valid in photos:
            paths = item_paths(ctx.db, sha)
            folder = _folder(paths[0]) if paths else ""
            st = status(number)
            folders[folder]["photos"] += 1
            folders[folder][st] += 1
            if valid in (0, False):
                invalid += 1
            if st == "none" and number not in seen_unmatched and len(unmatched) < EXAMPLES:
                seen_unmatched.add(number)
                unmatched.append({"id_number": number, "item": sha,
                                  "file": location.removeprefix("name:"), "folder": folder})
        numbers = {p[2] for p in photos}
        by_status = Counter(status(n) for n in numbers)
        photographed_rows = ctx.db.execute(
            "SELECT count(*) FROM records WHERE source = 'table' AND relation = '' "
            "AND id_number IN (SELECT id_number FROM records WHERE source = 'filename')"
        ).fetchone()[0]
        none = by_status["none"]
        examples = ", ".join(str(u["id_number"]) for u in unmatched[:5])
        yield self.finding(
            "corpus:photos", self.title,
            f"{len(photos):,} photo file names carry an ID number ({len(numbers):,} distinct "
            f"numbers, in {len(folders):,} folders). {by_status['main']:,} of the numbers match "
            f"a main person's row in a roster, {by_status['relative']:,} only a relative's row, "
            f"and {none:,} no roster row at all" + (f" (e.g. {examples})" if none else "")
            + f". {photographed_rows:,} of {main_rows:,} roster rows of main persons with an ID "
            f"number ({share(photographed_rows, main_rows):.1%}) have at least one photo.",
            {"photos": len(photos), "photo_ids": len(numbers),
             "photo_ids_invalid": invalid,
             "match_main": by_status["main"], "match_relative_only": by_status["relative"],
             "match_none": none, "roster_main_rows_with_id": main_rows,
             "roster_rows_with_photo": photographed_rows,
             "roster_share_with_photo": rounded(share(photographed_rows, main_rows), 4),
             "unmatched_examples": unmatched,
             "folders": [{"folder": f, "photos": c["photos"], "match_main": c["main"],
                          "match_relative_only": c["relative"], "match_none": c["none"]}
                         for f, c in sorted(folders.items(),
                                            key=lambda kv: (-kv[1]["photos"], kv[0]))[:FOLDERS]]})


PHOTO_CHECKS = (PhotoIdsVsRoster,)
