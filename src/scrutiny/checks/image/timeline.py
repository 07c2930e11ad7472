"""Corpus checks on when the photos were taken: the camera's clock (EXIF DateTimeOriginal)
against the time in the file name, photo by photo (IMG-TIME-001) and as each camera's typical
clock offset (IMG-TIME-002); capture times against the order of the files in a folder
(IMG-TIME-003); gaps in each camera's timeline (IMG-TIME-004); photos taken after the leak's
stated end (IMG-TIME-005).

Times are compared as written, by the camera's own clock: the UTC offset EXIF may carry is
dropped, because file names carry none and the dumps name files by local time.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
import re
import statistics
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any, ClassVar

from scrutiny.checks.base import Context, CorpusCheck, day_setting
from scrutiny.checks.image.cameras import (
    EXAMPLES,
    Photo,
    file_name,
    folder_of,
    photos,
    plural,
)
from scrutiny.core import Finding, Severity

TOLERANCE = 300.0      # seconds: the least deviation from a camera's offset that is reported
SPREAD_K = 6.0         # … or this many robust standard deviations of the camera's deviations
NEIGHBOURS = 5         # photos on each side that give a photo's local clock offset
MIN_CAMERA = 3         # photos of a camera with name times before its own offset is used
MAD_SCALE = 1.4826     # a median absolute deviation times this estimates a standard deviation
MIN_GAP_DAYS = 14      # gaps shorter than two weeks are never reported
GAP_P = 0.01           # a gap is reported when chance would give one as long with p below this
MIN_DAYS = 5           # active days of a camera before its gaps are judged
CAMERAS_LISTED = 30

# ID_YYYYMMDDhhmmss, IMG_YYYYMMDD_hhmmss, YYYY-MM-DD hh.mm.ss … (not inside a longer number)
NAME_TIME = re.compile(r"(?<!\d)((?:19|20)\d\d)[-_.]?(\d\d)[-_.]?(\d\d)[-_. T]?(\d\d)[-_.:]?"
                       r"(\d\d)[-_.:]?(\d\d)(?!\d)")
DIGITS = re.compile(r"(\d+)")


def name_time(name: str) -> dt.datetime | None:
    """The date and time written in a file name (the last one when there are several), e.g.
    ``653125199108313453_20181006090225.jpg`` → 2018-10-06 09:02:25; None when there is none."""
    found = None
    for m in NAME_TIME.finditer(name):
        try:
            y, mo, d, h, mi, sec = (int(g) for g in m.groups())
            found = dt.datetime(y, mo, d, h, mi, sec)
        except ValueError:
            continue
    return found


def natural_key(name: str) -> tuple[Any, ...]:
    """Sort key that orders ``IMG_9.jpg`` before ``IMG_10.jpg``."""
    return tuple(int(part) if part.isdigit() else part.lower()
                 for part in DIGITS.split(name))


def duration(seconds: float) -> str:
    """A signed duration for a sentence: "+27 days 10 h", "−3 min 20 s", "0 s"."""
    sign = "-" if seconds < 0 else "+"
    s = round(abs(seconds))
    if s == 0:
        return "0 s"
    days, s = divmod(s, 86400)
    hours, s = divmod(s, 3600)
    minutes, s = divmod(s, 60)
    if days:
        return f"{sign}{days} day{'s' if days != 1 else ''}" + (f" {hours} h" if hours else "")
    if hours:
        return f"{sign}{hours} h" + (f" {minutes} min" if minutes else "")
    if minutes:
        return f"{sign}{minutes} min" + (f" {s} s" if s else "")
    return f"{sign}{s} s"


def stamp(moment: dt.datetime) -> str:
    return moment.isoformat(sep=" ", timespec="seconds")


def robust_median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


# -- photos with a capture time and a name time -----------------------------------------

@dataclass
class Shot:
    """One path of one photo, with the capture time (camera clock) and the file name's time."""

    photo: Photo
    path: str
    exif: dt.datetime
    named: dt.datetime | None

    @property
    def name(self) -> str:
        return file_name(self.path)

    @property
    def folder(self) -> str:
        return folder_of(self.path)

    @property
    def difference(self) -> float:
        """Seconds the camera's clock is ahead of the file name (negative: behind)."""
        assert self.named is not None
        return (self.exif - self.named).total_seconds()


def shots(all_photos: Sequence[Photo]) -> list[Shot]:
    """Every (photo, path) with an EXIF capture time."""
    out = []
    for p in all_photos:
        exif = p.taken
        if exif is None:
            continue
        exif = exif.replace(microsecond=0)   # file names carry whole seconds
        for path in p.paths or [p.sha256]:
            out.append(Shot(p, path, exif, name_time(file_name(path))))
    return out


def camera_of(shot: Shot) -> str:
    return shot.photo.camera or "no camera named"


@dataclass
class Deviation:
    shot: Shot
    difference: float       # EXIF − name, seconds
    reference: float        # the camera's offset near this photo
    deviation: float        # difference − reference


@dataclass
class Clock:
    """What the file names say about one camera's clock."""

    camera: str
    label: str
    shots: list[Shot]                     # in name-time order
    offset: float = 0.0                   # median EXIF − name, seconds
    spread: float = 0.0                   # robust SD of deviations from the local offset
    tolerance: float = TOLERANCE
    own: bool = True                      # False: too few photos, the corpus offset is used
    flagged: list[Deviation] = field(default_factory=list)
    changes: list[dict[str, Any]] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        diffs = [s.difference for s in self.shots]
        return {"camera": self.camera, "label": self.label, "photos": len(self.shots),
                "offset_seconds": round(self.offset, 3), "offset": duration(self.offset),
                "own_offset": self.own,
                "spread_seconds": round(self.spread, 3),
                "tolerance_seconds": round(self.tolerance, 3),
                "min_difference_seconds": round(min(diffs), 3),
                "max_difference_seconds": round(max(diffs), 3),
                "deviating_photos": len(self.flagged), "offset_changes": self.changes}


def _local_reference(diffs: Sequence[float], j: int) -> float:
    """The camera's offset around photo ``j``: the median of the ``NEIGHBOURS`` photos before
    it or of those after it, whichever is closer to it (so a clock reset between two photos
    does not make either of them deviate)."""
    sides = [diffs[max(0, j - NEIGHBOURS):j], diffs[j + 1:j + 1 + NEIGHBOURS]]
    refs = [robust_median(side) for side in sides if side]
    return min(refs, key=lambda r: abs(diffs[j] - r))


def _changes(clock: Clock, diffs: Sequence[float]) -> list[dict[str, Any]]:
    """Where the camera's offset steps by more than the tolerance and stays there: the median
    of the next k photos against the median of the previous k (k = 5, or n // 2 ≥ 3)."""
    k = min(NEIGHBOURS, len(diffs) // 2)
    if k < 3:
        return []
    jumps = []
    for b in range(k, len(diffs) - k + 1):
        before = robust_median(diffs[b - k:b])
        after = robust_median(diffs[b:b + k])
        jumps.append((b, after - before, before, after))
    out: list[dict[str, Any]] = []
    run: list[tuple[int, float, float, float]] = []
    for jump in [*jumps, (len(diffs) + 1, 0.0, 0.0, 0.0)]:
        if abs(jump[1]) > clock.tolerance and (not run or jump[0] == run[-1][0] + 1):
            run.append(jump)
            continue
        if run:
            b, step, before, after = max(run, key=lambda x: abs(x[1]))
            first, last = clock.shots[b], clock.shots[b - 1]
            out.append({"between": [last.name, first.name],
                        "name_time": stamp(first.named) if first.named else None,
                        "offset_before_seconds": round(before, 3),
                        "offset_after_seconds": round(after, 3),
                        "step": duration(step)})
            run = []
        if abs(jump[1]) > clock.tolerance:
            run.append(jump)
    return out


def clocks(all_photos: Sequence[Photo]) -> tuple[list[Clock], float | None]:
    """Each camera's clock against the file names, and the corpus-wide median offset (None
    when no photo has both times). Photos deviating from their camera's offset are in
    ``Clock.flagged``; see ``NameTimeMismatch`` for the rule."""
    named = [s for s in shots(all_photos) if s.named is not None]
    if not named:
        return [], None
    corpus = robust_median([s.difference for s in named])
    groups: dict[str, list[Shot]] = defaultdict(list)
    for s in named:
        groups[camera_of(s)].append(s)
    out = []
    for camera, group in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        group.sort(key=lambda s: (s.named, s.name, s.photo.sha256))
        clock = Clock(camera, group[0].photo.camera_label, group)
        diffs = [s.difference for s in group]
        if len(group) < MIN_CAMERA:
            clock.own = False
            clock.offset = corpus
            for s, d in zip(group, diffs, strict=True):
                if abs(d - corpus) > TOLERANCE:
                    clock.flagged.append(Deviation(s, d, corpus, d - corpus))
            out.append(clock)
            continue
        clock.offset = robust_median(diffs)
        refs = [_local_reference(diffs, j) for j in range(len(diffs))]
        clock.spread = MAD_SCALE * robust_median([abs(d - r) for d, r in
                                                  zip(diffs, refs, strict=True)])
        clock.tolerance = max(TOLERANCE, SPREAD_K * clock.spread)
        for s, d, r in zip(group, diffs, refs, strict=True):
            if abs(d - r) > clock.tolerance and abs(d - clock.offset) > clock.tolerance:
                clock.flagged.append(Deviation(s, d, r, d - r))
        clock.changes = _changes(clock, diffs)
        out.append(clock)
    return out, corpus


# -- IMG-TIME-001 ----------------------------------------------------------------------------

class NameTimeMismatch(CorpusCheck):
    """A photo whose capture time (EXIF) departs from the time in its file name by more than
    its camera's usual offset.

    Method: photo dumps often name files after the moment of the photo
    (``<ID number>_<YYYYMMDDhhmmss>.jpg``). For every photo with such a name and an EXIF
    DateTimeOriginal, the difference "camera clock − file name" is computed (to the second,
    UTC offsets ignored: both are local times). Camera clocks are rarely exact, so the
    differences are judged per camera (serial number, else make and model): the camera's
    offset near a photo is the median difference of the 5 photos before it or of the 5 after
    it in file-name order, whichever is closer (so a clock that drifts slowly or was reset
    once is followed, not flagged). A photo is reported when it departs from that local offset,
    and from the camera's overall median offset, by more than the tolerance: 5 minutes, or
    six robust standard deviations (1.4826 × the median absolute deviation) of the camera's
    photos around their local offsets when those scatter more (for example when file names
    record an upload time with a variable delay). For normally scattered differences six
    standard deviations would be exceeded by chance about twice in a billion photos. A camera
    with fewer than 3 such photos is compared with the median offset of the whole corpus. The
    offsets themselves are reported by IMG-TIME-002.

    What it can show: a photo whose metadata time was changed (or whose file was renamed) on
    its own — a clock error moves every photo of a camera alike; one photo days away from
    its neighbours' consistent offset was dated differently from them.

    What it cannot show: which of the two times is right, nor why they differ. Up to three
    photos in a row shifted together are each reported; a longer run is taken, wholly or
    partly, for a clock change and shown as a step by IMG-TIME-002. Files renamed in bulk by
    a tool, or named by upload time after long delays, make the name times meaningless.

    References: JEITA CP-3451 (Exif 2.32), DateTimeOriginal and OffsetTimeOriginal; on the
    median absolute deviation, P. J. Rousseeuw and C. Croux, "Alternatives to the median
    absolute deviation", JASA 88 (1993).
    """

    code = "IMG-TIME-001"
    title = "Capture time departs from the file name's time"
    severity: ClassVar[Severity] = Severity.WARNING

    def run(self, ctx: Context) -> Iterator[Finding]:
        found, _ = clocks(photos(ctx.db))
        for clock in found:
            for dev in clock.flagged:
                s = dev.shot
                assert s.named is not None
                if clock.own:
                    usual = (f"The other photos of this camera, {clock.label} "
                             f"({len(clock.shots):,} with such names), differ from their names "
                             f"by {duration(dev.reference)} around this one (overall median "
                             f"{duration(clock.offset)})")
                else:
                    usual = (f"This camera, {clock.label}, has too few such photos to know "
                             f"its clock offset; the photos of the whole corpus differ from "
                             f"their names by {duration(dev.reference)} (median)")
                text = (f"The camera's clock (EXIF DateTimeOriginal) says {stamp(s.exif)}, the "
                        f"file name {s.name} says {stamp(s.named)}: the camera time is "
                        f"{duration(dev.difference)} from the name. {usual}, so this photo "
                        f"departs from them by {duration(dev.deviation)}, more than the "
                        f"tolerance of {duration(clock.tolerance).lstrip('+')}. Its date was "
                        "changed, or it was named differently from the photos around it.")
                yield self.finding(s.photo.sha256, self.title, text, {
                    "file": s.path, "exif_time": s.photo.taken_iso, "name_time": stamp(s.named),
                    "difference_seconds": round(dev.difference, 3),
                    "camera": clock.camera, "camera_label": clock.label,
                    "camera_photos": len(clock.shots), "own_offset": clock.own,
                    "camera_offset_seconds": round(clock.offset, 3),
                    "local_offset_seconds": round(dev.reference, 3),
                    "deviation_seconds": round(dev.deviation, 3),
                    "tolerance_seconds": round(clock.tolerance, 3)})


# -- IMG-TIME-002 ----------------------------------------------------------------------------

class CameraClockOffsets(CorpusCheck):
    """How far each camera's clock is from the times in the file names: its typical offset,
    how much it varies, and where it changes.

    Method: for every camera (serial number, else make and model) with photos whose file names
    carry a date and time, the differences "EXIF DateTimeOriginal − file name time" (local
    times, to the second) are summarised: the median (the camera's clock offset), the robust
    spread of photos around their local offset (1.4826 × median absolute deviation), the
    tolerance used by IMG-TIME-001 (5 minutes, or six robust standard deviations), the smallest
    and largest differences, the number of photos departing from the offset, and the points
    where the offset steps and stays: the median of the next 5 photos against the median of the
    previous 5, in file-name order, differing by more than the tolerance.

    What it can show: whether the names and the EXIF times were written from the same clock
    (offset 0: names made from EXIF, or the camera's clock was the naming system's); a constant
    offset is an ordinary wrong camera clock (a time zone, summer time, a clock never set); a
    step is a clock that was reset — or a batch of photos dated differently from the rest.

    What it cannot show: which clock was right. An offset says nothing by itself about
    authenticity; its changes and exceptions are what deserve a look.

    References: JEITA CP-3451 (Exif 2.32), DateTimeOriginal.
    """

    code = "IMG-TIME-002"
    title = "Camera clock offsets against file names"
    severity: ClassVar[Severity] = Severity.INFO

    def run(self, ctx: Context) -> Iterator[Finding]:
        found, corpus = clocks(photos(ctx.db))
        if not found or corpus is None:
            return
        total = sum(len(c.shots) for c in found)
        parts = []
        for c in found[:8]:
            part = f"{c.label}: {duration(c.offset)} over {plural(len(c.shots), 'photo')}"
            if c.changes:
                part += f", {plural(len(c.changes), 'step')}"
            if c.flagged:
                part += f", {len(c.flagged):,} departing"
            parts.append(part)
        text = (f"{plural(total, 'photo')} carry both an EXIF capture time and a time in their "
                f"file name; the camera's clock minus the name's time is {duration(corpus)} "
                f"(median over all). By camera: " + "; ".join(parts)
                + ("…" if len(found) > 8 else "") + ".")
        stepped = [c for c in found if c.changes]
        if stepped:
            text += (f" The clocks of {plural(len(stepped), 'camera')} step to another offset "
                     "part-way: a reset clock, or a batch of photos dated differently.")
        yield self.finding("corpus:camera-clocks", self.title, text, {
            "photos": total, "corpus_offset_seconds": round(corpus, 3),
            "cameras": [c.summary() for c in found[:CAMERAS_LISTED]],
            "cameras_total": len(found)})


# -- IMG-TIME-003 ----------------------------------------------------------------------------

def longest_ordered(values: Sequence[float],
                    preferred: Sequence[bool] | None = None) -> list[int]:
    """Indices of a longest non-decreasing subsequence of ``values`` (O(n log n), a Fenwick
    tree of prefix maxima over the ranks of the values). Among the longest, one with the most
    ``preferred`` elements (e.g. photos whose capture time agrees with their file name)."""
    n = len(values)
    if n == 0:
        return []
    ranks = {v: r for r, v in enumerate(sorted(set(values)), start=1)}
    bonus = 1.0 / (n + 1)     # never outweighs one more element
    tree: list[tuple[float, int]] = [(0.0, -1)] * (len(ranks) + 1)
    parent = [-1] * n
    best: list[float] = [0.0] * n
    for i, v in enumerate(values):
        r = ranks[v]
        top, arg = 0.0, -1
        k = r
        while k > 0:                      # best chain ending at a value <= v
            if tree[k][0] > top:
                top, arg = tree[k]
            k -= k & -k
        best[i] = top + 1.0 + (bonus if preferred is not None and preferred[i] else 0.0)
        parent[i] = arg
        k = r
        while k < len(tree):
            if best[i] > tree[k][0]:
                tree[k] = (best[i], i)
            k += k & -k
    i = max(range(n), key=lambda j: (best[j], -j))
    out = []
    while i >= 0:
        out.append(i)
        i = parent[i]
    return out[::-1]


def out_of_order(times: Sequence[float], preferred: Sequence[bool] | None = None,
                 tolerance: float = TOLERANCE) -> list[tuple[int, float]]:
    """The photos (index, by how many seconds) whose capture times break the file order: those
    outside a longest run of non-decreasing times (preferring a run with the most ``preferred``
    photos), by more than ``tolerance`` seconds before a photo filed earlier or after a photo
    filed later (measured against that run)."""
    keep = longest_ordered(times, preferred)
    kept = set(keep)
    out = []
    for j in range(len(times)):
        if j in kept:
            continue
        pos = bisect.bisect_left(keep, j)
        late = times[keep[pos - 1]] - times[j] if pos > 0 else 0.0     # before an earlier file
        early = times[j] - times[keep[pos]] if pos < len(keep) else 0.0  # after a later file
        by = max(late, early)
        if by > tolerance:
            out.append((j, by))
    return out


@dataclass
class FileSequence:
    folder: str
    camera: str
    label: str
    order: str                 # "name time" or "file name"
    shots: list[Shot]


def sequences(all_photos: Sequence[Photo]) -> list[FileSequence]:
    """The photos of each folder and camera in file order: by the time in the file name when
    every name has one, else by the file name (numbers compared as numbers) when every name
    has a number; groups of fewer than 3 photos, or with no usable order, are left out."""
    groups: dict[tuple[str, str], list[Shot]] = defaultdict(list)
    for s in shots(all_photos):
        groups[(s.folder, camera_of(s))].append(s)
    out = []
    for (folder, camera), group in sorted(groups.items()):
        if len(group) < 3:
            continue
        if all(s.named is not None for s in group):
            group.sort(key=lambda s: (s.named, natural_key(s.name)))
            order = "name time"
        elif all(DIGITS.search(s.name) for s in group):
            group.sort(key=lambda s: natural_key(s.name))
            order = "file name"
        else:
            continue
        out.append(FileSequence(folder, camera, group[0].photo.camera_label, order, group))
    return out


class OutOfFileOrder(CorpusCheck):
    """Photos of one camera in one folder whose capture times do not follow the order of the
    files.

    Method: within each folder, the photos of each camera (serial number, else make and model)
    are put in file order — by the date and time in the file name when every name has one,
    else by the file name with its numbers compared as numbers (``IMG_0009`` before
    ``IMG_0010``: cameras number their files in shooting order). Along that order the capture
    times (EXIF DateTimeOriginal) should never go back. The check finds a longest run of
    photos whose times do not go back; the photos outside it are out of order when they are
    more than 5 minutes before a photo filed earlier or after a photo filed later. One finding
    per folder and camera, listing the out-of-order runs (consecutive in file order).

    What it can show: photos inserted into a sequence they do not belong to, files renamed to
    fit a story, or capture times edited one by one. A camera's counter and its clock move
    forward together; a photo numbered between two others but dated weeks away was not shot
    between them as its number says.

    What it cannot show: which is wrong, the name or the time. A reset camera clock makes the
    following photos go back in time as a whole run; a counter that rolled over (9999 → 0001)
    or files from two memory cards in one folder break the file order; a folder sorted by ID
    number in the name has no order to test (such names are ordered by their time, if any).

    References: JEITA CP-3451 (Exif 2.32), DateTimeOriginal; DCF (JEITA CP-3461) on file
    numbering.
    """

    code = "IMG-TIME-003"
    title = "Capture times out of file order"
    severity: ClassVar[Severity] = Severity.NOTICE

    def run(self, ctx: Context) -> Iterator[Finding]:
        everything = photos(ctx.db)
        offsets = {c.camera: c.offset for c in clocks(everything)[0]}
        for seq in sequences(everything):
            base = seq.shots[0].exif
            times = [(s.exif - base).total_seconds() for s in seq.shots]
            agree = [s.named is not None and abs(s.difference - offsets.get(seq.camera, 0.0))
                     <= TOLERANCE for s in seq.shots]
            bad = out_of_order(times, agree)
            if not bad:
                continue
            runs: list[list[tuple[int, float]]] = []
            for j, by in bad:
                if runs and runs[-1][-1][0] == j - 1:
                    runs[-1].append((j, by))
                else:
                    runs.append([(j, by)])
            rows: list[dict[str, Any]] = []
            for r in runs[:EXAMPLES]:
                first, last = r[0][0], r[-1][0]
                prev = seq.shots[first - 1] if first > 0 else None
                nxt = seq.shots[last + 1] if last + 1 < len(seq.shots) else None
                rows.append({
                    "photos": [{"item": seq.shots[j].photo.sha256, "file": seq.shots[j].name,
                                "exif_time": stamp(seq.shots[j].exif),
                                "out_by_seconds": round(by, 3)} for j, by in r],
                    "filed_after": {"file": prev.name, "exif_time": stamp(prev.exif)}
                    if prev else None,
                    "filed_before": {"file": nxt.name, "exif_time": stamp(nxt.exif)}
                    if nxt else None})
            first_row = rows[0]
            shot = first_row["photos"][0]
            around = []
            if first_row["filed_after"]:
                around.append(f"after {first_row['filed_after']['file']} "
                              f"(taken {first_row['filed_after']['exif_time']})")
            if first_row["filed_before"]:
                around.append(f"before {first_row['filed_before']['file']} "
                              f"(taken {first_row['filed_before']['exif_time']})")
            text = (f"In {seq.folder or '(top folder)'}, the {plural(len(seq.shots), 'photo')} "
                    f"of {seq.label} put in file order (by {seq.order}) have capture times that "
                    f"go forward except for {plural(len(bad), 'photo')} in "
                    f"{plural(len(runs), 'run')}. For example {shot['file']}, taken "
                    f"{shot['exif_time']}, is filed " + " and ".join(around) + ". Inserted or "
                    "renamed files, edited times, or a reset camera clock do this.")
            yield self.finding(f"folder:{seq.folder}|{seq.camera}", self.title, text, {
                "folder": seq.folder, "camera": seq.camera, "camera_label": seq.label,
                "order": seq.order, "photos": len(seq.shots), "out_of_order": len(bad),
                "runs": rows, "runs_total": len(runs),
                "tolerance_seconds": TOLERANCE})


# -- IMG-TIME-004 ----------------------------------------------------------------------------

def gap_pvalue(gap_days: int, span_days: int, active_days: int) -> float:
    """How likely a gap this long is if the active days were spread at random over the span:
    with the first and last day fixed, the others uniform, one of the ``active_days − 1``
    spacings exceeds ``g`` with probability at most (active − 1)·(1 − g/span)^(active − 2)."""
    if span_days <= 0 or active_days < 3:
        return 1.0
    share = max(0.0, 1.0 - gap_days / span_days)
    if share == 0.0:
        return 0.0
    return min(1.0, (active_days - 1) * math.exp((active_days - 2) * math.log(share)))


def timeline(label: str, days: Sequence[dt.date]) -> dict[str, Any]:
    """The active days of a camera (or of all photos), its longest gaps and the notable ones."""
    active = sorted(set(days))
    span = (active[-1] - active[0]).days if active else 0
    gaps = sorted(((b - a).days, a, b) for a, b in pairwise(active))[::-1]
    notable = []
    if len(active) >= MIN_DAYS:
        for g, a, b in gaps:
            p = gap_pvalue(g, span, len(active))
            if g >= MIN_GAP_DAYS and p < GAP_P:
                notable.append({"days": g, "from": a.isoformat(), "to": b.isoformat(),
                                "p": float(f"{p:.3g}")})
    return {"camera": label, "photos": len(days), "active_days": len(active),
            "first": active[0].isoformat() if active else None,
            "last": active[-1].isoformat() if active else None, "span_days": span,
            "longest_gaps": [{"days": g, "from": a.isoformat(), "to": b.isoformat()}
                             for g, a, b in gaps[:3]],
            "notable_gaps": notable}


class TimelineGaps(CorpusCheck):
    """When each camera took photos: first and last day, active days, and the gaps longer than
    chance would make.

    Method: takes the capture dates (EXIF DateTimeOriginal) of every camera (serial number,
    else make and model) and of all photos together, and lists the days with photos, the span
    from the first to the last, and the longest gaps between consecutive days with photos. A
    gap is called notable when it is at least 14 days and, were the active days spread at
    random over the span (first and last fixed), a gap as long would occur with probability
    below 1% (bound: (d − 1)(1 − g/span)^(d − 2) for d active days and a gap of g days).
    Judged only for at least 5 active days.

    What it can show: the rhythm of the material — a camera silent for months in the middle of
    the period, photos bunched at both ends of a gap, a camera whose photos all fall on a few
    days. Gaps frame the questions for sources (was the unit closed, the camera replaced, part
    of the material withheld?).

    What it cannot show: why there are no photos. Work is not random over time (holidays,
    campaigns, staff), so a "notable" gap is a description, not an anomaly; the chance model
    only ranks gaps. Capture dates follow the camera's clock (see IMG-TIME-002).

    References: on spacings of uniform points, W. Feller, An Introduction to Probability
    Theory and Its Applications, vol. 2, ch. I.7 (1971).
    """

    code = "IMG-TIME-004"
    title = "Gaps in the photo timeline"
    severity: ClassVar[Severity] = Severity.INFO

    def run(self, ctx: Context) -> Iterator[Finding]:
        dated = [p for p in photos(ctx.db) if p.taken is not None]
        if not dated:
            return
        groups: dict[str, list[dt.date]] = defaultdict(list)
        labels: dict[str, str] = {}
        for p in dated:
            taken = p.taken
            assert taken is not None
            key = p.camera or "no camera named"
            groups[key].append(taken.date())
            labels.setdefault(key, p.camera_label)
        overall = timeline("all photos", [d for days in groups.values() for d in days])
        rows = [timeline(labels[k], v) | {"camera_key": k}
                for k, v in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))]
        noted = [r for r in rows if r["notable_gaps"]]
        text = (f"{plural(len(dated), 'photo')} with a capture date, from {overall['first']} to "
                f"{overall['last']} on {plural(overall['active_days'], 'day')}, by "
                f"{plural(len(rows), 'camera')}. ")
        if overall["longest_gaps"]:
            g = overall["longest_gaps"][0]
            text += (f"The longest gap over all photos is {g['days']} days "
                     f"({g['from']} to {g['to']}). ")
        if noted or overall["notable_gaps"]:
            shown = [f"{r['camera']}: {r['notable_gaps'][0]['days']} days from "
                     f"{r['notable_gaps'][0]['from']}" for r in noted[:5]]
            if overall["notable_gaps"]:
                shown.insert(0, f"all photos: {overall['notable_gaps'][0]['days']} days from "
                                f"{overall['notable_gaps'][0]['from']}")
            text += ("Gaps longer than chance would make if the days were spread at random: "
                     + "; ".join(shown) + ".")
        else:
            text += "No gap is longer than chance would make."
        yield self.finding("corpus:photo-timeline", self.title, text, {
            "all": overall, "cameras": rows[:CAMERAS_LISTED], "cameras_total": len(rows),
            "min_gap_days": MIN_GAP_DAYS, "p_threshold": GAP_P})


# -- IMG-TIME-005 ----------------------------------------------------------------------------

class TakenAfterLeakEnd(CorpusCheck):
    """A photo dated after the stated end of the leak, by its camera's clock or by its file
    name.

    Method: needs the case setting ``end_date``. For every photo, the capture date (EXIF
    DateTimeOriginal, by the camera's own clock, as written) and the date in the file name (if
    any) are compared with it; a photo with either after the end day is reported, with the
    camera's usual clock offset against file names (IMG-TIME-002) when known, so that a
    camera whose clock simply runs ahead can be told from a single late photo.

    What it can show: material that cannot belong to a leak that ended on that date as the
    source says — a later addition, a photo from elsewhere, an edited date — or a camera clock
    set wrong (then all its photos shift alike).

    What it cannot show: which. Camera clocks can be wrong by years (a reset battery gives
    the maker's default date); the end date is the source's claim.

    References: JEITA CP-3451 (Exif 2.32), DateTimeOriginal.
    """

    code = "IMG-TIME-005"
    title = "Photo dated after the leak's end"
    severity: ClassVar[Severity] = Severity.WARNING

    def run(self, ctx: Context) -> Iterator[Finding]:
        end = day_setting(ctx.settings, "end_date")
        if end is None:
            return
        everything = photos(ctx.db)
        found, _ = clocks(everything)
        offsets = {c.camera: c for c in found}
        for p in everything:
            taken = p.taken
            names = [(path, name_time(file_name(path))) for path in p.paths]
            late_names = [(path, t) for path, t in names if t is not None and t.date() > end]
            late_exif = taken is not None and taken.date() > end
            if not late_exif and not late_names:
                continue
            clock = offsets.get(p.camera or "no camera named")
            parts = []
            if late_exif:
                assert taken is not None
                parts.append(f"the camera's clock (EXIF DateTimeOriginal) says {stamp(taken)}, "
                             f"{(taken.date() - end).days} days after")
            if late_names:
                path, t = late_names[0]
                parts.append(f"its file name {file_name(path)} says {stamp(t)}, "
                             f"{(t.date() - end).days} days after")
            text = ("This photo is dated after the stated end of the leak, "
                    f"{end.isoformat()}: " + "; ".join(parts) + ".")
            named = [t for _, t in names if t is not None]
            if late_exif and named and not late_names:
                text += f" Its file name dates it {stamp(named[0])}, before the end."
            if clock is not None and clock.own:
                text += (f" Its camera, {clock.label}, usually differs from its file names "
                         f"by {duration(clock.offset)} ({plural(len(clock.shots), 'photo')}).")
            yield self.finding(p.sha256, self.title, text, {
                "file": p.path, "end_date": end.isoformat(), "exif_time": p.taken_iso,
                "exif_after_end": late_exif,
                "name_times": [{"file": path, "time": stamp(t)} for path, t in names
                               if t is not None],
                "name_after_end": bool(late_names), "camera": p.camera,
                "camera_offset_seconds": round(clock.offset, 3)
                if clock is not None and clock.own else None})


TIMELINE_CHECKS: tuple[type[CorpusCheck], ...] = (
    NameTimeMismatch, CameraClockOffsets, OutOfFileOrder, TimelineGaps, TakenAfterLeakEnd)
