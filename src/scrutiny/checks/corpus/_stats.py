"""Small statistics for the corpus checks, with numpy and ``math`` only (no scipy): tail
probabilities of the binomial, Poisson, normal and Kolmogorov distributions, the
Kolmogorov–Smirnov distance to a uniform distribution, and the reading of rosters (main
persons per item) out of the catalog."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


# -- tail probabilities --------------------------------------------------------------------

def _log_binom_pmf(k: int, n: int, p: float) -> float:
    return (math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)
            + k * math.log(p) + (n - k) * math.log1p(-p))


def binom_sf(k: int, n: int, p: float) -> float:
    """P(X ≥ k) for X ~ Binomial(n, p), exact (summed in log space from the nearer tail)."""
    if k <= 0:
        return 1.0
    if k > n:
        return 0.0
    if p <= 0.0:
        return 0.0
    if p >= 1.0:
        return 1.0
    if k > n * p:   # upper tail: terms fall from k upwards
        first = _log_binom_pmf(k, n, p)
        total, term, j = 1.0, 1.0, k
        ratio = p / (1.0 - p)
        while j < n:
            term *= (n - j) / (j + 1) * ratio
            total += term
            j += 1
            if term < total * 1e-17:
                break
        return min(1.0, math.exp(first + math.log(total)))
    # k at or below the mean: 1 - P(X ≤ k-1), the lower tail falling from k-1 downwards
    first = _log_binom_pmf(k - 1, n, p)
    total, term, j = 1.0, 1.0, k - 1
    ratio = (1.0 - p) / p
    while j > 0:
        term *= j / (n - j + 1) * ratio
        total += term
        j -= 1
        if term < total * 1e-17:
            break
    return max(0.0, 1.0 - math.exp(first + math.log(total)))


def poisson_sf(k: int, mu: float) -> float:
    """P(X ≥ k) for X ~ Poisson(mu)."""
    if k <= 0:
        return 1.0
    if mu <= 0.0:
        return 0.0
    if k > mu:
        first = -mu + k * math.log(mu) - math.lgamma(k + 1)
        total, term, j = 1.0, 1.0, k
        while True:
            j += 1
            term *= mu / j
            total += term
            if term < total * 1e-17:
                break
        return min(1.0, math.exp(first + math.log(total)))
    lower = sum(math.exp(-mu + j * math.log(mu) - math.lgamma(j + 1)) for j in range(k))
    return max(0.0, 1.0 - lower)


def normal_sf(z: float) -> float:
    """P(Z ≥ z) for a standard normal Z."""
    return 0.5 * math.erfc(z / math.sqrt(2.0))


def kolmogorov_sf(lam: float) -> float:
    """P(K ≥ lam) for the Kolmogorov distribution (the limit of √n·D under the null)."""
    if lam < 0.18:
        return 1.0
    total = 0.0
    for k in range(1, 101):
        term = math.exp(-2.0 * k * k * lam * lam)
        total += term if k % 2 else -term
        if term < 1e-18:
            break
    return max(0.0, min(1.0, 2.0 * total))


def ks_uniform_pvalue(d: float, n: int) -> float:
    """Two-sided p-value of the KS distance ``d`` of ``n`` points to a fully specified
    continuous distribution (Stephens' small-sample correction of the Kolmogorov limit)."""
    if n <= 0:
        return 1.0
    root = math.sqrt(n)
    return kolmogorov_sf((root + 0.12 + 0.11 / root) * d)


def ks_uniform_distance(values: FloatArray) -> FloatArray:
    """KS distance of each row of sorted ``values`` (shape (..., n), n ≥ 3) to the uniform
    distribution between the row's own minimum and maximum, measured on the n − 2 interior
    points: under uniformity, given the two extremes, those are independent and uniform on the
    span, so the distance has the ordinary (fully specified) KS distribution for n − 2."""
    lo = values[..., :1]
    span = values[..., -1:] - lo
    u = (values[..., 1:-1] - lo) / np.where(span > 0, span, 1.0)
    m = u.shape[-1]
    i = np.arange(1, m + 1, dtype=np.float64)
    above = (i / m - u).max(axis=-1)
    below = (u - (i - 1) / m).max(axis=-1)
    return np.asarray(np.maximum(above, below), dtype=np.float64)


# -- reading rosters -----------------------------------------------------------------------

@dataclass
class Roster:
    """The main persons (relation = '') of one roster item, in file order."""

    sha256: str
    name: str
    ids: list[int]
    locations: list[str]
    birth: list[str | None]       # stated birth date, else the ID number's (ISO, maybe partial)
    detained: list[str | None]
    id_numbers: list[str | None]
    names: list[str | None]


def item_paths(db: Any, sha: str) -> list[str]:
    """Every path an item was received under ("source!/member…")."""
    import orjson

    out = []
    for source, chain in db.execute("SELECT source, chain FROM provenances WHERE sha256 = ? "
                                    "ORDER BY id", (sha,)):
        out.append("!/".join([str(source), *orjson.loads(chain)]))
    return out


def item_name(db: Any, sha: str) -> str:
    """A readable name for an item: the file name it was first received under."""
    paths = item_paths(db, sha)
    return paths[0].rsplit("/", 1)[-1] if paths else sha[:16]


def rosters(db: Any) -> Iterator[Roster]:
    """Every item with table records, one at a time, main persons only, in row order."""
    current: Roster | None = None
    for sha, rid, location, name, number, birth, id_birth, detained in db.execute(
            "SELECT sha256, id, location, name, id_number, birth_date, "
            "json_extract(id_info, '$.birth_date'), json_extract(fields, '$.detained') "
            "FROM records WHERE source = 'table' AND relation = '' ORDER BY sha256, id"):
        if current is None or current.sha256 != sha:
            if current is not None:
                yield current
            current = Roster(sha, item_name(db, sha), [], [], [], [], [], [])
        current.ids.append(rid)
        current.locations.append(location)
        current.names.append(name)
        current.id_numbers.append(number)
        current.birth.append(birth or (id_birth if isinstance(id_birth, str) else None))
        current.detained.append(detained if isinstance(detained, str) else None)
    if current is not None:
        yield current


def full_date(value: str | None) -> dt.date | None:
    """A full ISO date (YYYY-MM-DD…) as a date; None for partial or unreadable values."""
    if not value or len(value) < 10:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def year_of(value: str | None) -> int | None:
    if not value or len(value) < 4 or not value[:4].isdigit():
        return None
    return int(value[:4])


def fmt_p(p: float) -> str:
    """A p-value for a sentence: 'p = 0.03', 'p = 2e-07', 'p < 1e-300'."""
    if p <= 0.0:
        return "p < 1e-300"
    if p >= 0.001:
        return f"p = {p:.3g}"
    return f"p = {p:.1e}"


def rounded(value: float, digits: int = 6) -> float:
    """A float fit for evidence (plain Python, finite, rounded)."""
    if not math.isfinite(value):
        return 0.0
    return float(round(value, digits))


def share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def quantiles(values: Sequence[float], qs: Sequence[float]) -> list[float]:
    arr = np.asarray(values, dtype=np.float64)
    return [float(x) for x in np.quantile(arr, qs)]
