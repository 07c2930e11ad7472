"""The report's figures, drawn offline with matplotlib (Agg, no display, no fonts fetched)
and returned as ``data:image/png;base64,…`` URIs for an HTML file that needs nothing else.

Labels stay ASCII or Latin where matplotlib's bundled fonts may lack CJK glyphs (camera
names and dates are Latin; person names never appear in a figure)."""

from __future__ import annotations

import base64
import calendar
import datetime as dt
import io
import math
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

__all__ = ["age_pyramid", "bars", "birth_heaping", "camera_models", "detention_timeline",
           "photo_timeline"]

_BLUE, _RED, _GREY = "#1f5a8a", "#b0413e", "#8a8a8a"
_MONTHS = mdates.DateFormatter("%Y-%m")  # type: ignore[no-untyped-call]


def _dn(value: Any) -> Any:
    """matplotlib's date numbers (its date functions are untyped)."""
    return mdates.date2num(value)  # type: ignore[no-untyped-call]
plt.rcParams.update({"font.size": 8, "axes.spines.top": False, "axes.spines.right": False,
                     "svg.fonttype": "none"})


def _png(fig: Figure) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def bars(labels: Sequence[str], values: Sequence[float], title: str, xlabel: str = "",
         colors: Sequence[str] | None = None) -> str:
    """Horizontal bars, largest first as given."""
    fig, ax = plt.subplots(figsize=(6.4, 0.35 * max(3, len(labels)) + 0.8))
    y = range(len(labels))[::-1]
    ax.barh(list(y), list(values), color=list(colors) if colors else _BLUE)
    ax.set_yticks(list(y), [str(x)[:48] for x in labels])
    for yi, v in zip(y, values, strict=True):
        ax.text(v, yi, f" {v:,.0f}" if float(v).is_integer() else f" {v:.1%}", va="center")
    ax.set_title(title, loc="left")
    ax.set_xlabel(xlabel)
    return _png(fig)


def camera_models(models: Sequence[tuple[str, int]], top: int = 20) -> str:
    shown = list(models[:top])
    rest = sum(n for _, n in models[top:])
    if rest:
        shown.append((f"{len(models) - top} other models", rest))
    return bars([m for m, _ in shown], [n for _, n in shown], "Photos by camera (EXIF make "
                "and model)", "photos")


def photo_timeline(series: Mapping[str, Sequence[dt.datetime]], top: int = 24) -> str:
    """One row per camera, a tick per photo at its capture time."""
    names = sorted(series, key=lambda k: -len(series[k]))[:top]
    fig, ax = plt.subplots(figsize=(7.2, 0.32 * max(3, len(names)) + 1.0))
    for i, name in enumerate(names):
        times = series[name]
        ax.plot(_dn(list(times)), [i] * len(times), "|", color=_BLUE,
                markersize=9, alpha=0.7)
    ax.set_yticks(range(len(names)), [f"{n[:40]} ({len(series[n])})" for n in names])
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(_MONTHS)
    ax.set_title("Capture time (EXIF) of every photo, by camera"
                 + (f" — the {top} largest of {len(series)}" if len(series) > top else ""),
                 loc="left")
    fig.autofmt_xdate()
    return _png(fig)


_BAND_LABELS = [f"{5 * i}–{5 * i + 4}" for i in range(18)] + ["90+"]


def age_pyramid(bands: Mapping[str, Mapping[str, Mapping[int, int]]],
                expected: Mapping[str, Mapping[int, float]] | None = None,
                expected_label: str = "relatives listed with them") -> str:
    """Share of the listed people per 5-year band, men left, women right; the outline is the
    expected structure (by default the relatives listed in the same rosters)."""
    listed = bands["listed"]
    total = sum(sum(c.values()) for c in listed.values()) or 1
    ref = expected
    if ref is None:
        rel = bands.get("relatives", {})
        rtotal = sum(sum(c.values()) for c in rel.values())
        ref = {s: {b: n / rtotal for b, n in rel.get(s, {}).items()} for s in ("M", "F")} \
            if rtotal else None
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    y = list(range(19))
    men = [-listed["M"].get(b, 0) / total for b in y]
    women = [listed["F"].get(b, 0) / total for b in y]
    ax.barh(y, men, color=_BLUE, label="men listed")
    ax.barh(y, women, color=_RED, label="women listed")
    if ref:
        ax.step([-ref["M"].get(b, 0) for b in y], y, where="mid", color="black", lw=1,
                label=expected_label)
        ax.step([ref["F"].get(b, 0) for b in y], y, where="mid", color="black", lw=1)
    ax.set_yticks(y, _BAND_LABELS)
    ax.axvline(0, color=_GREY, lw=0.5)
    ticks = ax.get_xticks()
    ax.set_xticks(ticks, [f"{abs(t):.0%}" for t in ticks])
    ax.set_title("Age and sex of the people listed (share of all listed)", loc="left")
    ax.legend(loc="upper right", frameon=False)
    return _png(fig)


def birth_heaping(days: Mapping[int, int], months: Mapping[int, int]) -> str:
    """Birth dates by day of month (against the share each day would have if births were
    spread evenly: fewer 29ths–31sts) and by month."""
    n = sum(days.values()) or 1
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(7.6, 2.8), width_ratios=[31, 12])
    expected = []
    for d in range(1, 32):
        months_with = sum(1 for m in range(1, 13) if calendar.monthrange(2001, m)[1] >= d)
        expected.append(months_with / 365.25 + (0.25 / 365.25 if d == 29 else 0))
    a1.bar(range(1, 32), [days.get(d, 0) / n for d in range(1, 32)], color=_BLUE)
    a1.step(range(1, 32), expected, where="mid", color="black", lw=1, label="even spread")
    a1.set_title("Day of month of stated birth dates", loc="left")
    a1.legend(frameon=False)
    a1.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    a2.bar(range(1, 13), [months.get(m, 0) / n for m in range(1, 13)], color=_BLUE)
    a2.axhline(1 / 12, color="black", lw=1)
    a2.set_xticks(range(1, 13), [calendar.month_abbr[m][0] for m in range(1, 13)])
    a2.set_title("Month", loc="left")
    a2.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    return _png(fig)


def detention_timeline(months: Mapping[str, int], end_date: str | None = None,
                       latest: str | None = None) -> str:
    """Detention dates per month, with the leak's stated end and the latest date of the
    material."""
    xs, ys = [], []
    for k, n in months.items():
        try:
            xs.append(dt.date(int(k[:4]), int(k[5:7]), 15))
            ys.append(n)
        except ValueError:
            continue
    fig, ax = plt.subplots(figsize=(7.2, 2.6))
    ax.bar(_dn(xs), ys, width=25, color=_BLUE)
    for value, label, color in ((end_date, "stated end of the leak", _RED),
                                (latest, "latest date in the material", "black")):
        try:
            day = dt.date.fromisoformat(str(value)[:10]) if value else None
        except ValueError:
            day = None
        if day is not None:
            ax.axvline(float(_dn(day)), color=color, lw=1, ls="--",
                       label=f"{label} ({day})")
    if end_date or latest:
        ax.legend(frameon=False, loc="upper left")
    ax.xaxis.set_major_formatter(_MONTHS)
    ax.set_title("Detention dates stated in the rosters, per month", loc="left")
    return _png(fig)


def place_map(facilities: Sequence[Mapping[str, Any]],
              shots: Sequence[tuple[float, float, bool, Any]]) -> str:
    """Photo positions (GPS) and registered facilities, on plain longitude/latitude axes
    (no base map: nothing is fetched); photos a place check flagged in red."""
    fig, ax = plt.subplots(figsize=(7.2, 5.0))
    clean = [(la, lo) for la, lo, bad, _ in shots if not bad]
    bad = [(la, lo) for la, lo, b, _ in shots if b]
    if clean:
        ax.scatter([lo for _, lo in clean], [la for la, _ in clean], s=8, color=_BLUE,
                   alpha=0.6, label=f"photos ({len(clean)})")
    if bad:
        ax.scatter([lo for _, lo in bad], [la for la, _ in bad], s=40, marker="x",
                   color=_RED, label=f"photos flagged by a place check ({len(bad)})")
    if facilities:
        ax.scatter([f["lon"] for f in facilities], [f["lat"] for f in facilities], s=36,
                   marker="^", facecolors="none", edgecolors="black",
                   label=f"registered facilities ({len(facilities)})")
    lats = [la for la, *_ in shots] + [f["lat"] for f in facilities]
    if lats:
        mid = sum(lats) / len(lats)
        ax.set_aspect(1 / max(0.2, math.cos(math.radians(mid))))
    ax.set_xlabel("longitude (°E)")
    ax.set_ylabel("latitude (°N)")
    ax.set_title("Where the photos were taken (GPS) and the registered facilities",
                 loc="left")
    ax.legend(frameon=False, loc="best", fontsize=7)
    return _png(fig)


def facility_timeline(rows: Sequence[Mapping[str, Any]], top: int = 25) -> str:
    """Per facility: the span it was seen in imagery (first to last seen), the photos taken
    at it, and the dates of imagery attached as evidence."""
    chosen = sorted(rows, key=lambda r: -len(r["photos"]))[:top]
    fig, ax = plt.subplots(figsize=(7.4, 0.33 * max(3, len(chosen)) + 1.2))
    ends = [t for r in chosen for t in r["photos"]]
    latest = max(ends) if ends else dt.datetime.now()
    for i, r in enumerate(chosen):
        first = _date(r.get("first_seen"))
        last = _date(r.get("last_seen"))
        if first is not None:
            ax.plot(_dn([first, last or latest.date()]), [i, i], color=_GREY, lw=4,
                    alpha=0.5, solid_capstyle="butt")
        if r["photos"]:
            ax.plot(_dn(list(r["photos"])), [i] * len(r["photos"]), "|", color=_BLUE,
                    markersize=9)
        imagery = [d for d in (_date(x) for x in r.get("imagery", [])) if d is not None]
        if imagery:
            ax.plot(_dn(imagery), [i] * len(imagery), "D", color="black", markersize=4)
    ax.set_yticks(range(len(chosen)), [f"#{r['id']}" for r in chosen])
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(_MONTHS)
    ax.set_title("Facilities: seen in imagery (grey bar), photos (blue ticks), imagery "
                 "attached (black diamonds)", loc="left")
    fig.autofmt_xdate()
    return _png(fig)


def _date(value: Any) -> dt.date | None:
    """A partial ISO date (YYYY, YYYY-MM, YYYY-MM-DD) as its first day."""
    text = str(value or "")
    try:
        if len(text) == 4:
            return dt.date(int(text), 1, 1)
        if len(text) == 7:
            return dt.date(int(text[:4]), int(text[5:7]), 1)
        return dt.date.fromisoformat(text[:10]) if text else None
    except ValueError:
        return None
