"""Corpus checks over the birth dates of each roster: heaping on round dates, and birth dates
spread evenly over decades (the classic mark of dates drawn at random)."""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any, ClassVar

import numpy as np

from scrutiny.checks.base import Context, CorpusCheck
from scrutiny.checks.corpus._stats import (
    FloatArray,
    Roster,
    binom_sf,
    fmt_p,
    full_date,
    ks_uniform_distance,
    ks_uniform_pvalue,
    rosters,
    rounded,
    year_of,
)
from scrutiny.core import Finding, Severity

MIN_ROSTER = 100          # main persons with a birth date, for either test
DAYS_PER_YEAR = 365.2425

# -- heaping -------------------------------------------------------------------------------

HEAP_ALPHA = 0.0001       # per roster, over all indicators (Bonferroni)
HEAP_RATIO = 1.25         # observed / expected at least this ("rough" on the UN Whipple scale)


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str              # "born on the 1st or 15th of a month"
    observed: int
    total: int
    expected_share: float
    p_value: float

    @property
    def share(self) -> float:
        return self.observed / self.total if self.total else 0.0

    @property
    def ratio(self) -> float:
        expected = self.total * self.expected_share
        return self.observed / expected if expected else 0.0

    def significant(self, alpha: float, ratio: float) -> bool:
        return self.total >= MIN_ROSTER and self.p_value < alpha and self.ratio >= ratio

    def evidence(self) -> dict[str, Any]:
        return {"indicator": self.key, "observed": self.observed, "of": self.total,
                "observed_share": rounded(self.share), "expected_share":
                rounded(self.expected_share), "ratio": rounded(self.ratio, 3),
                "p_value": float(f"{self.p_value:.3g}")}

    def sentence(self) -> str:
        return (f"{self.observed:,} of {self.total:,} ({self.share:.1%}) are {self.label}, "
                f"where an unheaped population would give {self.expected_share:.2%} "
                f"(about {self.total * self.expected_share:,.1f}; {self.ratio:.2f} times that, "
                f"one-sided exact binomial test {fmt_p(self.p_value)})")


def _indicator(key: str, label: str, observed: int, total: int, p0: float) -> Indicator:
    return Indicator(key, label, observed, total, p0, binom_sf(observed, total, p0))


def heaping_indicators(births: list[str | None]) -> list[Indicator]:
    """The four heaping indicators of one roster's birth dates (ISO, possibly partial)."""
    days = [d for d in (full_date(b) for b in births) if d is not None]
    n = len(days)
    out = [
        _indicator("day_1_or_15", "born on the 1st or the 15th of a month",
                   sum(d.day in (1, 15) for d in days), n, 24 / DAYS_PER_YEAR),
        _indicator("january", "born in January", sum(d.month == 1 for d in days), n,
                   31 / DAYS_PER_YEAR),
        _indicator("january_1", "born on 1 January",
                   sum(d.month == 1 and d.day == 1 for d in days), n, 1 / DAYS_PER_YEAR),
    ]
    # round years, Whipple-style: blocks of five years centred on each year ending in 0 or 5,
    # only blocks wholly inside the roster's range of birth years; without heaping (and with
    # a birth-year distribution close to linear within five years) the centre year holds 1/5.
    years = [y for y in (year_of(b) for b in births) if y is not None]
    if years:
        lo, hi = min(years), max(years)
        counts = Counter(years)
        observed = total = 0
        centre = lo + (-lo) % 5
        while centre <= hi:
            if centre - 2 >= lo and centre + 2 <= hi:
                observed += counts[centre]
                total += sum(counts[y] for y in range(centre - 2, centre + 3))
            centre += 5
        out.append(_indicator("round_year", "born in a year ending in 0 or 5 (Whipple-style, "
                              "within five-year blocks centred on those years)",
                              observed, total, 0.2))
    return out


class BirthDateHeaping(CorpusCheck):
    """Birth dates heaped on the 1st or 15th, on January, on 1 January or on round years.

    Method: for each roster (item) with at least 100 main persons (relatives are not
    included) with a birth date — the stated one, else the one in the ID number — four shares
    are compared with what a population without heaping gives: born on the 1st or 15th of a
    month (24 of 365.24 days, 6.57%), in January (31 days, 8.49%), on 1 January (0.27%), and in
    a year ending in 0 or 5 (Whipple's index on birth years: within five-year blocks centred on
    those years, 1/5). Each share is tested with a one-sided exact binomial test. A roster is
    reported when one indicator has p < 0.0001/4 (the 0.0001 level per roster,
    Bonferroni-corrected for the four indicators) *and* is at least 1.25 times its expected
    share. The level is strict because a leak holds many rosters: at 0.001 a leak of 100
    rosters would show a heaped roster by chance one time in ten, at 0.0001 one time in a
    hundred; heaping worth reporting (1 January for a tenth of a list, say) is significant far
    beyond it. The 1.25 floor keeps tiny excesses in very large rosters, significant without
    mattering, out; 125 is where the UN's classification of Whipple's index starts calling
    data "rough". Every indicator is in the evidence, with observed and expected shares and
    p-values.

    What it can show: dates that were not known and were filled in (1 January, mid-month,
    round years) — common in real registers where people's dates were estimated or entered
    with a default. It is an observation about how the dates were recorded, not a sign of
    fabrication; a fabricator who invents dates by hand may heap too, one who draws them at
    random does not.

    What it cannot show: why the dates are heaped, or which dates are the estimated ones. The
    January share also carries ordinary birth seasonality (hence the 1.25 floor). Whipple's
    round-year expectation assumes the number of births changes about linearly within five
    years; a roster made of a few cohorts only can deviate without heaping.

    References: Whipple's index — United Nations, *Manual II: Methods of Appraisal of Quality
    of Basic Data for Population Estimates* (1955); Shryock & Siegel, *The Methods and
    Materials of Demography*, ch. 8 (age heaping).
    """

    code = "CORP-BIRTH-001"
    title = "Birth dates heaped on round dates"
    severity: ClassVar[Severity] = Severity.NOTICE

    def run(self, ctx: Context) -> Iterator[Finding]:
        for roster in rosters(ctx.db):
            indicators = heaping_indicators(roster.birth)
            alpha = HEAP_ALPHA / max(1, len(indicators))
            hits = [i for i in indicators if i.significant(alpha, HEAP_RATIO)]
            if not hits:
                continue
            yield self.finding(
                roster.sha256, self.title,
                f"In {roster.name}, birth dates of main persons are heaped: "
                + "; ".join(i.sentence() for i in hits)
                + f". Reported at p < {alpha:.2g} ({HEAP_ALPHA} over {len(indicators)} indicators) "
                  f"and at least {HEAP_RATIO} times the expected share. Heaping is typical of "
                  "registers where dates were unknown and filled in.",
                {"roster": roster.name, "main_persons": len(roster.ids),
                 "alpha": rounded(alpha, 8), "min_ratio": HEAP_RATIO,
                 "heaped": [i.key for i in hits],
                 "indicators": [i.evidence() for i in indicators]})


# -- even spread over decades --------------------------------------------------------------

FLAT_ALPHA = 0.001          # significance of "flatter than the reference age structure"
UNIFORM_KEEP = 0.001        # ...and the KS test must not reject flatness at this level
MIN_SPAN_YEARS = 20
REPLICATES = 4999           # Monte Carlo rosters drawn from the reference age structure
SAMPLE_CAP = 5000           # larger rosters are tested on a random sample of this many
SEED = 20240611
# the reference adult detainee age structure: density over age, piecewise linear
REFERENCE_AGES = (16.0, 25.0, 45.0, 80.0)
REFERENCE_DENSITY = (0.0, 1.0, 1.0, 0.0)


def _reference_grid() -> tuple[FloatArray, FloatArray]:
    ages = np.linspace(REFERENCE_AGES[0], REFERENCE_AGES[-1], 6401)
    density = np.interp(ages, REFERENCE_AGES, REFERENCE_DENSITY)
    cdf = np.concatenate([[0.0], np.cumsum((density[1:] + density[:-1]) / 2 * np.diff(ages))])
    return ages, cdf / cdf[-1]


def reference_share(low: float, high: float) -> float:
    """Share of the reference age structure aged [low, high)."""
    ages, cdf = _reference_grid()
    return float(np.interp(high, ages, cdf) - np.interp(low, ages, cdf))


@lru_cache(maxsize=64)
def reference_distances(n: int, replicates: int = REPLICATES) -> tuple[float, ...]:
    """KS distances to flatness (as ``ks_uniform_distance``) of ``replicates`` simulated
    rosters of ``n`` people drawn from the reference age structure; deterministic."""
    ages, cdf = _reference_grid()
    rng = np.random.default_rng([SEED, n])
    out: list[float] = []
    chunk = max(1, 2_000_000 // max(n, 1))
    while len(out) < replicates:
        k = min(chunk, replicates - len(out))
        draws = np.sort(np.interp(rng.random((k, n)), cdf, ages), axis=1)
        out.extend(float(x) for x in ks_uniform_distance(draws))
    return tuple(out)


@dataclass(frozen=True)
class Uniformity:
    """How evenly one roster's birth dates are spread (see ``EvenlySpreadBirthDates``)."""

    roster: str
    sha256: str
    rows: int                 # main persons with a full birth date
    tested: int               # of them, used in the tests (a random sample when > SAMPLE_CAP)
    first: str
    last: str
    span_years: float
    ks_distance: float        # to the uniform distribution between first and last
    p_flat: float             # KS test of flatness (small: clearly not flat)
    reference_mean: float     # KS distance of simulated reference rosters: mean, sd
    reference_sd: float
    reference_as_flat: int    # simulated rosters at least as flat as this one
    replicates: int
    p_reference: float        # Monte Carlo p: as flat as this under the reference structure
    reference_day: str        # ages are measured at this date
    median_age: float
    share_20_49: float
    reference_share_20_49: float
    cohorts: int              # complete five-year birth cohorts in the span
    cohort_cv: float          # their counts' coefficient of variation
    cohort_cv_flat: float     # what chance alone gives in a flat list of this size

    @property
    def evenly_spread(self) -> bool:
        return (self.tested >= MIN_ROSTER and self.span_years >= MIN_SPAN_YEARS
                and self.p_reference < FLAT_ALPHA and self.p_flat >= UNIFORM_KEEP)


def uniformity(roster: Roster, replicates: int = REPLICATES,
               always_simulate: bool = True) -> Uniformity | None:
    """The statistics of ``EvenlySpreadBirthDates`` for one roster; None when it has fewer
    than ``MIN_ROSTER`` full birth dates or they all fall on one day. With
    ``always_simulate=False`` the Monte Carlo comparison is skipped (replicates = 0,
    p_reference = 1) when the KS test already rejects flatness, as the roster cannot be
    reported then."""
    births = sorted(d for d in (full_date(b) for b in roster.birth) if d is not None)
    if len(births) < MIN_ROSTER or births[0] == births[-1]:
        return None
    values = np.asarray([d.toordinal() for d in births], dtype=np.float64)
    if len(values) > SAMPLE_CAP:
        rng = np.random.default_rng([SEED, len(values)])
        values = np.sort(rng.choice(values, SAMPLE_CAP, replace=False))
    n = len(values)
    distance = float(ks_uniform_distance(values[None, :])[0])
    p_flat = ks_uniform_pvalue(distance, n - 2)
    simulate = always_simulate or p_flat >= UNIFORM_KEEP
    ref = np.asarray(reference_distances(n, replicates) if simulate else (), dtype=np.float64)
    as_flat = int((ref <= distance).sum())
    detained = [d for d in (full_date(x) for x in roster.detained) if d is not None]
    ref_day = max(detained) if detained else dt.date(births[-1].year + 18, 12, 31)
    ages = [(ref_day - b).days / DAYS_PER_YEAR for b in births]
    first_year = births[0].year
    cohorts = (births[-1].year - first_year + 1) // 5
    counts = Counter((b.year - first_year) // 5 for b in births
                     if b.year < first_year + 5 * cohorts)
    sizes = [counts[i] for i in range(cohorts)]
    total = sum(sizes)
    cv = statistics.pstdev(sizes) / (total / cohorts) if cohorts > 1 and total else 0.0
    cv_flat = math.sqrt((cohorts - 1) / total) if cohorts > 1 and total else 0.0
    return Uniformity(
        roster=roster.name, sha256=roster.sha256, rows=len(births), tested=n,
        first=births[0].isoformat(), last=births[-1].isoformat(),
        span_years=rounded((births[-1] - births[0]).days / DAYS_PER_YEAR, 2),
        ks_distance=rounded(distance), p_flat=float(f"{p_flat:.3g}"),
        reference_mean=rounded(float(ref.mean())) if len(ref) else 0.0,
        reference_sd=rounded(float(ref.std())) if len(ref) else 0.0,
        reference_as_flat=as_flat, replicates=len(ref),
        p_reference=rounded((as_flat + 1) / (len(ref) + 1), 8),
        reference_day=ref_day.isoformat(), median_age=rounded(statistics.median(ages), 1),
        share_20_49=rounded(sum(20 <= a < 50 for a in ages) / len(ages), 4),
        reference_share_20_49=rounded(reference_share(20, 50), 4),
        cohorts=cohorts, cohort_cv=rounded(cv, 4), cohort_cv_flat=rounded(cv_flat, 4))


def birth_statistics(db: Any, replicates: int = REPLICATES) -> list[dict[str, Any]]:
    """Per roster: the heaping indicators and the even-spread statistics, with the decisions
    the two checks take (for benchmarks and notebooks)."""
    out = []
    for roster in rosters(db):
        indicators = heaping_indicators(roster.birth)
        alpha = HEAP_ALPHA / max(1, len(indicators))
        spread = uniformity(roster, replicates)
        out.append({
            "roster": roster.name, "sha256": roster.sha256, "main_persons": len(roster.ids),
            "heaping": [i.evidence() for i in indicators],
            "heaped": [i.key for i in indicators if i.significant(alpha, HEAP_RATIO)],
            "uniformity": asdict(spread) if spread is not None else None,
            "evenly_spread": bool(spread is not None and spread.evenly_spread),
        })
    return out


class EvenlySpreadBirthDates(CorpusCheck):
    """Birth dates spread evenly over decades, as dates drawn at random would be.

    Method: for each roster (item) with at least 100 main persons with a full birth date (the
    stated one, else the one in the ID number; relatives are not included) spanning at least
    20 years, the statistic is the Kolmogorov–Smirnov (KS) distance between the birth dates
    and a perfectly even spread between the earliest and the latest: the largest gap, over all
    dates, between the share of people born by that date and the share of the span elapsed by
    then (0 = perfectly even; the two extremes define the span and are left out). Two
    questions are asked of it:

    1. Is the roster flatter than real rosters are? Real detention rosters concentrate in
       working ages (roughly 20–50) and thin out towards the old. The reference is a
       deliberately broad adult detainee age structure — density rising from age 16 to 25,
       flat to 45, falling to nothing at 80 — from which 4,999 rosters of the same size are
       simulated (fixed seed) and their KS distance computed the same way. The Monte Carlo
       p-value is the share of simulated rosters at least as flat; the roster counts as
       flatter than real when p < 0.001. Any roster more concentrated than the reference (as
       detainee rosters are) is even less likely to be flagged; the reference year does not
       enter the distance (it is unchanged by shifting or mirroring the dates).
    2. Is it consistent with dates drawn uniformly? The ordinary KS test of flatness must not
       reject it (p ≥ 0.001), so a list that is merely flatter than the reference but clearly
       shaped — a whole adult population, say — is not reported as "even" once it is large
       enough to tell.

    Reported when both hold (the simulation is skipped when the KS test already rejects
    flatness). Rosters above 5,000 rows are tested on a random sample of 5,000 (fixed seed).
    The evidence also gives the ages at the roster's reference date (its latest detention
    date, or the last birth year + 18 when it has none): median age and share aged 20–49
    against the reference's, and the spread of counts over complete five-year birth cohorts
    against what chance alone gives in a flat list. In simulations, an exactly uniform roster
    of 300 rows is found about 99 times in 100, of 200 rows about 9 in 10, of 150 rows about
    half the time; below 100 rows the test is not run. A list of the adults of a population
    whose cohorts halve in size between ages 18 and 80 is reported about a third of the time
    at 300–400 rows and almost never above 1,000, where its shape becomes plain.

    What it can show: a list whose birth dates look drawn at random between two dates — the
    classic mark of a fabricated roster, where someone generated dates rather than copied
    them.

    What it cannot show: that the list is fabricated. A list that is not of detainees (all
    adults of a village, in a population whose cohorts shrink little with age) can be nearly
    flat; so can a list assembled from several groups with different ages. A fabricator who
    draws ages from a realistic pyramid is not caught. Read the ages in the evidence and the
    roster's other findings.

    References: Kolmogorov–Smirnov test (Stephens' approximation, in D'Agostino & Stephens,
    *Goodness-of-Fit Techniques*, 1986); Monte Carlo tests: Davison & Hinkley, *Bootstrap
    Methods and their Application* (1997), ch. 4.
    """

    code = "CORP-BIRTH-002"
    title = "Birth dates spread evenly over decades"
    severity: ClassVar[Severity] = Severity.WARNING

    def run(self, ctx: Context) -> Iterator[Finding]:
        for roster in rosters(ctx.db):
            u = uniformity(roster, always_simulate=False)
            if u is None or not u.evenly_spread:
                continue
            sample = (f" (tested on a random sample of {u.tested:,})"
                      if u.tested < u.rows else "")
            none = ("none" if u.reference_as_flat == 0 else f"only {u.reference_as_flat}")
            yield self.finding(
                roster.sha256, self.title,
                f"The {u.rows:,} main persons of {u.roster} with full birth dates{sample} were "
                f"born between {u.first} and {u.last} ({u.span_years:.0f} years), spread almost "
                f"evenly over that span: the largest gap between the share born by a date and "
                f"the share of the span elapsed by then (KS distance) is {u.ks_distance:.3f}, "
                f"which dates drawn uniformly would give easily (KS test of flatness "
                f"{fmt_p(u.p_flat)}). Rosters of the same size drawn from a broad adult "
                f"detainee age structure (most aged 25–45, none over 80) give "
                f"{u.reference_mean:.3f} ± {u.reference_sd:.3f}; {none} of {u.replicates:,} "
                f"was as flat (Monte Carlo p = {u.p_reference:.2g}). Five-year birth cohorts "
                f"vary by {u.cohort_cv:.0%} around their mean (chance alone in a flat list: "
                f"about {u.cohort_cv_flat:.0%}). At {u.reference_day} the median age is "
                f"{u.median_age:.0f} and {u.share_20_49:.0%} are aged 20–49 (reference "
                f"{u.reference_share_20_49:.0%}). Real rosters concentrate in working ages; "
                f"evenly spread dates are the mark of dates drawn at random.",
                {**asdict(u), "alpha": FLAT_ALPHA, "uniform_keep": UNIFORM_KEEP,
                 "min_rows": MIN_ROSTER, "min_span_years": MIN_SPAN_YEARS,
                 "reference_ages": list(REFERENCE_AGES),
                 "reference_density": list(REFERENCE_DENSITY)})


BIRTH_CHECKS = (BirthDateHeaping, EvenlySpreadBirthDates)
