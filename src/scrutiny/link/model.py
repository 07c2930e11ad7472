"""The Splink model: settings, training, prediction and per-pair explanations.

One function, :func:`build_settings`, decides the model for both backends (DuckDB by default,
Spark through Splink's ``SparkAPI``): the same comparisons, levels, blocking rules and
training steps; only the name of the Jaro-Winkler function differs between the two SQL
dialects. :func:`fit_predict` trains the model on tables already registered with a Splink
database API and returns the pairs above a threshold, each with its explanation.

**Link types.** ``link`` compares leak records with reference entries (``link_only``);
``dedupe`` compares leak records among themselves (``dedupe_only``).

**Blocking** (which pairs are scored at all; :func:`blocking_counts` gives Splink's
marginal and cumulative comparison counts, stored with every run):

1. same ``id_number``;
2. same ``name_key`` (sorted folded components) and ``birth_year``;
3. a shared whole-name match key (``name_keys`` exploded: two readings per character
   component, consonant skeletons, joined Latin components) and ``birth_year`` — this finds
   Dilshat Ekhmejtan for 迪力夏提·艾合买提江;
4. same ``birth_date`` and ``sex``: a name spelled beyond the keys, with a full date;
5. same ``id_prefix6`` and ``birth_date``: a person whose ID number was mistyped in its
   sequence or check digits, or replaced by a relative's, and whose name is garbled, is
   still found when the county code and full birth date agree (a region-day holds a
   handful of people: cheap at a million records; in a link it adds few pairs beyond 4,
   in a dedupe, where sex may be mistyped, it is the one that counts);
6. same ``name_key`` and ``county``: a testimony that gives a name and a home county but
   no birth date or ID number (the county is one key across scripts and spellings,
   ``identity.counties``).

Not blocked on: the name alone. Victim lists often give no birth year (≈ 15 %), but a
name alone cannot carry a pair over the threshold where names repeat (in a roster they
do: the 2,000-person synthetic leak has 4,400 distinct readings for 7,800 records), and at
1,000,000 × 50,000 that rule alone added 12.3 million of 13 million pairs. Such an entry is
found by its ID number (rule 1), full birth date (4) or county (6), or not at all.

Feasibility (Splink's cumulative counts, ``benchmarks/linkage_eval.py``): 2,000-person
synthetic leak, 7,800 records × 800 entries: ≈ 500 pairs; 1,000,000 × 50,000: ≈ 0.7
million pairs (of 5·10¹⁰ possible).

**Comparisons** (levels in order; each pair gets the first that holds):

- ``name``: same folded components (``name_key``: order-independent, since English-language
  sources write Uyghur names in either order); the same folded reading once spaces are
  dropped (Abdu Rehim / Abdurehim); Jaro-Winkler on ``name_uly`` ≥ 0.92; ≥ 0.85; a
  whole-name match key shared; else. The
  alternative spelling of a reference entry (Arabic script) is tried on every level.
- ``id_number``: exact; same first 17 (check character wrong); one character different;
  two adjacent characters transposed; else. Portable SQL (``substr`` only).
- ``birth``: same date; the ID's date equals the other's stated date; same year and month;
  same year; years one apart; else (year only where only a year is known).
- ``sex``, ``county`` (one key per county: ``identity.counties``), ``facility``: exact or
  else.

**Training** without labels: u by random sampling of pairs (fixed seed); m by EM on three
blocking rules (birth year + sex, name key, ID number: each trains the comparisons it
does not block on); λ (the probability two random records match) as the fixed point of
the expected matches over the blocked pairs (Splink's own derivation cannot reverse our
custom levels). With judgements, the accepted pairs re-estimate m (Splink's
``estimate_m_from_pairwise_labels``: it treats every labelled pair as a match, so rejected
pairs are counted, not used). The trained model is Splink's settings JSON.

**Frequencies.** Agreement on the whole name (the folded components) is weighted by how
common that name is in the two tables (Splink's term-frequency adjustment): in a county
where every tenth man is a Muhemmet, two records agreeing on "Memet Tursun" say far less
than two agreeing on a rare name. The explanation shows the factor apart.

**Threshold.** Pairs are kept from :data:`DEFAULT_THRESHOLD` (0.5) up: "more likely the
same person than not", the decision that makes fewest errors when the probabilities are
calibrated, and ``benchmarks/linkage_eval.py`` prints how calibrated they are (predicted
probability band against the share of true pairs in it; on the synthetic leak the 0.8–0.9
band holds ≈ 90 % true pairs). A match is a candidate that a reviewer judges, never a
decision; a higher threshold hides true matches (at 0.9, one in eight of the synthetic
leak's) from the review queue, where a family's missing relative would never be shown.
``--threshold`` raises it for a shorter queue.

**Limits.** Weights assume the comparisons are independent given match status (the
Fellegi-Sunter model Splink fits); a name and its match keys are not, so strong name
evidence is somewhat over-counted. A match probability is evidence for a reviewer, never a
decision.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import splink.comparison_level_library as cll
from splink import Linker, SettingsCreator, block_on
from splink.comparison_library import CustomComparison
from splink.internals.dialects import SplinkDialect

__all__ = [
    "COMPARISONS",
    "DEFAULT_THRESHOLD",
    "Kind",
    "ModelResult",
    "Pair",
    "blocking_rules",
    "build_settings",
    "fit_predict",
    "id_number_levels_sql",
]

Kind = Literal["link", "dedupe"]
Progress = Callable[[str], None]

#: comparison → the columns shown as its left/right values in an explanation
COMPARISONS: dict[str, tuple[str, ...]] = {
    "name": ("name", "name_uly"),
    "id_number": ("id_number",),
    "birth": ("birth_date", "birth_year"),
    "sex": ("sex",),
    "county": ("county",),
    "facility": ("facility",),
}
#: comparison → the feature columns it needs non-null on both sides to be informative
_NEEDS: dict[str, str] = {"id_number": "id_number", "sex": "sex", "county": "county",
                          "facility": "facility"}
_LOG_NAMES = ("splink",)
#: the match probability from which a pair is kept (see "Threshold" above)
DEFAULT_THRESHOLD = 0.5


def _id_sql(n: int = 18) -> tuple[str, str]:
    """(one position different, two adjacent positions swapped) for two ``n``-char columns."""
    diff = " + ".join(
        f"CASE WHEN substr(l.id_number, {i}, 1) <> substr(r.id_number, {i}, 1) THEN 1 ELSE 0 END"
        for i in range(1, n + 1))
    swaps = []
    for i in range(1, n):
        head = f"substr(l.id_number, 1, {i - 1}) = substr(r.id_number, 1, {i - 1}) AND " \
            if i > 1 else ""
        tail = f" AND substr(l.id_number, {i + 2}, {n}) = substr(r.id_number, {i + 2}, {n})" \
            if i + 1 < n else ""
        swaps.append(
            f"({head}substr(l.id_number, {i}, 1) = substr(r.id_number, {i + 1}, 1) AND "
            f"substr(l.id_number, {i + 1}, 1) = substr(r.id_number, {i}, 1) AND "
            f"substr(l.id_number, {i}, 1) <> substr(l.id_number, {i + 1}, 1){tail})")
    return f"({diff}) = 1", "(" + " OR ".join(swaps) + ")"


def id_number_levels_sql() -> list[tuple[str, str]]:
    """(label, SQL condition) of the ID-number levels below exact, in order; plain SQL
    (``substr``, ``CASE``) that DuckDB and Spark both run."""
    one, swap = _id_sql()
    return [
        ("check character differs", "substr(l.id_number, 1, 17) = substr(r.id_number, 1, 17)"),
        ("one character differs", one),
        ("adjacent characters transposed", swap),
    ]


_SIDE = re.compile(r"\b([lr])\.(\w+)")


def _level(sql: str, label: str) -> cll.CustomLevel:
    """A custom level from SQL written with ``l.col`` / ``r.col`` (Splink's comparison SQL
    names them ``col_l`` / ``col_r``)."""
    return cll.CustomLevel(_SIDE.sub(r"\2_\1", sql), label)


def _either(expr: str, a: str, b: str) -> str:
    """``expr`` over a column and its alternative on either side (``{l}``/``{r}``)."""
    pairs = [(f"l.{a}", f"r.{a}"), (f"l.{a}", f"r.{b}"), (f"l.{b}", f"r.{a}")]
    return "(" + " OR ".join(expr.format(l=x, r=y) for x, y in pairs) + ")"


def _name_comparison(jw: str) -> CustomComparison:
    levels: list[Any] = [
        _level("l.name_uly IS NULL OR r.name_uly IS NULL", "name missing")
        .configure(is_null_level=True),
        _level(_either("{l} = {r}", "name_key", "name_key_alt"),
               "same folded components (any order)")
        .configure(tf_adjustment_column="name_key", tf_adjustment_weight=1.0,
                   disable_tf_exact_match_detection=True),
        _level(_either("replace({l}, ' ', '') = replace({r}, ' ', '')", "name_uly",
                       "name_uly_alt"), "same folded reading, components joined"),
        _level(_either(jw + "({l}, {r}) >= 0.92", "name_uly", "name_uly_alt"),
                        "reading Jaro-Winkler >= 0.92"),
        _level(_either(jw + "({l}, {r}) >= 0.85", "name_uly", "name_uly_alt"),
                        "reading Jaro-Winkler >= 0.85"),
        cll.ArrayIntersectLevel("name_keys", 1).configure(
            label_for_charts="a whole-name match key shared"),
        cll.ElseLevel().configure(label_for_charts="names differ"),
    ]
    return CustomComparison(levels, "name", "name (folded readings across scripts)")


def _id_comparison() -> CustomComparison:
    levels: list[Any] = [
        cll.NullLevel("id_number").configure(label_for_charts="ID number missing"),
        cll.ExactMatchLevel("id_number").configure(label_for_charts="same ID number"),
        *(_level(sql, label) for label, sql in id_number_levels_sql()),
        cll.ElseLevel().configure(label_for_charts="ID numbers differ"),
    ]
    return CustomComparison(levels, "id_number", "resident ID number")


def _birth_comparison() -> CustomComparison:
    levels: list[Any] = [
        _level("l.birth_year IS NULL OR r.birth_year IS NULL", "birth missing")
        .configure(is_null_level=True),
        _level("l.birth_date = r.birth_date", "same birth date"),
        _level("l.id_birth_date = r.birth_date OR l.birth_date = r.id_birth_date",
                        "ID number's birth date = stated birth date"),
        _level("substr(l.birth_date, 1, 7) = substr(r.birth_date, 1, 7)",
                        "same year and month"),
        _level("l.birth_year = r.birth_year", "same birth year"),
        _level("abs(l.birth_year - r.birth_year) <= 1", "birth years one apart"),
        cll.ElseLevel().configure(label_for_charts="birth differs"),
    ]
    return CustomComparison(levels, "birth", "birth date or year")


def _exact(col: str, what: str) -> CustomComparison:
    levels: list[Any] = [
        cll.NullLevel(col).configure(label_for_charts=f"{what} missing"),
        cll.ExactMatchLevel(col).configure(label_for_charts=f"same {what}"),
        cll.ElseLevel().configure(label_for_charts=f"{what} differs"),
    ]
    return CustomComparison(levels, col, what)


def blocking_rules() -> list[tuple[str, Any]]:
    """(label, Splink blocking rule) for prediction, in order (see the module docstring)."""
    return [
        ("id_number", block_on("id_number")),
        ("name_key + birth_year", block_on("name_key", "birth_year")),
        ("name_keys (exploded) + birth_year",
         block_on("name_keys", "birth_year", arrays_to_explode=["name_keys"])),
        ("birth_date + sex", block_on("birth_date", "sex")),
        ("id_prefix6 + birth_date", block_on("id_prefix6", "birth_date")),
        # a testimony often gives no birth date and no ID number, only a name and a county
        ("name_key + county", block_on("name_key", "county")),
    ]


def _training_rules() -> list[tuple[str, Any]]:
    return [
        ("birth_year + sex", block_on("birth_year", "sex")),
        ("name_key", block_on("name_key")),
        ("id_number", block_on("id_number")),
    ]


def build_settings(kind: Kind, dialect: str = "duckdb",
                   comparisons: Sequence[str] | None = None) -> SettingsCreator:
    """The model's settings for ``kind`` in SQL ``dialect`` ("duckdb" or "spark").

    ``comparisons`` picks a subset of :data:`COMPARISONS` (default: all): a comparison
    whose column is empty on one side (victim lists name no facility) tells nothing and
    is left out so that EM does not estimate levels that never occur.
    """
    jw = SplinkDialect.from_string(dialect).jaro_winkler_function_name
    chosen = list(COMPARISONS) if comparisons is None else list(comparisons)
    makers: dict[str, Callable[[], CustomComparison]] = {
        "name": lambda: _name_comparison(jw),
        "id_number": _id_comparison,
        "birth": _birth_comparison,
        "sex": lambda: _exact("sex", "sex"),
        "county": lambda: _exact("county", "county"),
        "facility": lambda: _exact("facility", "facility"),
    }
    return SettingsCreator(
        link_type="link_only" if kind == "link" else "dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=[makers[c]() for c in chosen],
        blocking_rules_to_generate_predictions=[r for _, r in blocking_rules()],
        probability_two_random_records_match=1e-4,
        retain_matching_columns=True,
        retain_intermediate_calculation_columns=True,
        additional_columns_to_retain=["name"],
        em_convergence=1e-4,
        max_iterations=25,
    )


@dataclass(frozen=True)
class Pair:
    """One scored pair above the threshold: ``left`` a leak record id; ``right`` a
    reference entry id (link) or another record id (dedupe)."""

    left: int
    right: int
    probability: float
    weight: float
    explanation: list[dict[str, Any]]


@dataclass
class ModelResult:
    pairs: list[Pair]
    model: dict[str, Any]
    blocking: list[dict[str, Any]] = field(default_factory=list)
    training: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    compared: int = 0


def blocking_counts(linker: Linker, sample: float = 1.0) -> list[dict[str, Any]]:
    """Splink's marginal and cumulative comparison counts of the prediction rules."""
    records = linker.blocking_analysis.count_comparisons_from_blocking_rules(
        [r for _, r in blocking_rules()], record_sample_proportion=sample)
    out = []
    for (label, _), rec in zip(blocking_rules(), records, strict=True):
        out.append({"rule": label, "marginal": int(rec["marginal_comparison_count"]),
                    "cumulative": int(rec["cumulative_comparison_count"]),
                    "possible": int(rec["total_possible_comparison_count"])})
    return out


def _scalar(result: Any) -> Any:
    """The first value of a backend result (DuckDB relation or Spark DataFrame)."""
    if type(result).__module__.startswith("duckdb"):
        return result.fetchall()[0][0]
    return result.collect()[0][0]


def _present(db_api: Any, tables: Sequence[str]) -> list[str]:
    """The comparisons informative for these tables (their column non-null on every side)."""
    chosen = []
    for name in COMPARISONS:
        col = _NEEDS.get(name)
        if col is None:
            chosen.append(name)
            continue
        ok = True
        for t in tables:
            rows = db_api._execute_sql_against_backend(
                f"SELECT count(*) AS n FROM (SELECT {col} FROM {t} "  # noqa: S608 - ours
                f"WHERE {col} IS NOT NULL LIMIT 2) x")
            n = _scalar(rows)
            ok = ok and int(n) >= 2
        if ok:
            chosen.append(name)
    return chosen


def _quiet() -> None:
    for name in _LOG_NAMES:
        logging.getLogger(name).setLevel(logging.ERROR)


def _levels(linker: Linker) -> dict[str, dict[int, str]]:
    out: dict[str, dict[int, str]] = {}
    for cc in linker._settings_obj.comparisons:
        out[cc.output_column_name] = {
            int(cl.comparison_vector_value): str(cl.label_for_charts)
            for cl in cc.comparison_levels}
    return out


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return str(value)


def explain(row: Mapping[str, Any], levels: Mapping[str, Mapping[int, str]],
            ) -> list[dict[str, Any]]:
    """Per-comparison explanation of one prediction row (with Splink's gamma_/bf_ columns
    and the matching columns retained)."""
    out = []
    for name, labels in levels.items():
        gamma = row.get(f"gamma_{name}")
        if gamma is None:
            continue
        mw = row.get(f"mw_{name}")
        cols = COMPARISONS.get(name, (name,))

        def side(s: str, cols: tuple[str, ...] = cols) -> Any:
            for c in cols:
                v = row.get(f"{c}_{s}")
                if v is not None:
                    return _plain(v)
            return None

        item = {"comparison": name, "level": labels.get(int(gamma), str(gamma)),
                "bayes_factor": float(2.0 ** float(mw)) if mw is not None else 1.0,
                "left": side("l"), "right": side("r")}
        tf = row.get(f"mw_tf_adj_{name}")
        if tf is not None and float(tf) != 0.0:
            # a rare value agreeing says more than a common one (Splink's term-frequency
            # adjustment); the factor is part of the Bayes factor and shown on its own
            item["frequency_factor"] = float(2.0 ** float(tf))
            item["bayes_factor"] *= item["frequency_factor"]
        out.append(item)
    return out


def _iter_rows(sdf: Any) -> Iterator[dict[str, Any]]:
    """Rows of a Splink result table, in batches (DuckDB relation or Spark DataFrame)."""
    if hasattr(sdf, "as_duckdbpyrelation"):
        rel = sdf.as_duckdbpyrelation()
        cols = rel.columns
        reader = rel.to_arrow_reader(10_000)
        for batch in reader:
            data = batch.to_pydict()
            for i in range(batch.num_rows):
                yield {c: data[c][i] for c in cols}
        return
    for r in sdf.as_spark_dataframe().toLocalIterator():
        yield r.asDict()


def fit_predict(db_api: Any, tables: Sequence[str], kind: Kind, *,
                threshold: float = DEFAULT_THRESHOLD,
                labels: Sequence[tuple[int, int]] = (), seed: int = 7,
                count_blocking: bool = True, u_pairs: float = 2e6,
                em_pairs: float = 1e6,
                progress: Progress | None = None) -> ModelResult:
    """Train the model on registered feature tables and score the blocked pairs.

    ``tables``: one table (dedupe) or two (link: leak features first, reference second),
    registered under these names in ``db_api``'s database. ``labels``: accepted pairs
    (left record id, right entry/record id) from reviewers' judgements.
    """
    _quiet()
    say = progress or (lambda _m: None)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    dialect = db_api.sql_dialect.sql_dialect_str
    settings = build_settings(kind, dialect, _present(db_api, tables))
    names = ["leak", "reference"] if kind == "link" else ["leak"]
    sdfs = [db_api.register(t, dataset_display_name=n) for t, n in zip(tables, names,
                                                                        strict=False)]
    linker = Linker(sdfs if kind == "link" else sdfs[0], settings, log_level=None)
    blocking: list[dict[str, Any]] = []
    if count_blocking:
        say("counting blocked pairs")
        blocking = blocking_counts(linker)
        timings["blocking_count"] = time.perf_counter() - t0
    training: dict[str, Any] = {"u_pairs": u_pairs, "seed": seed, "em_rules": []}
    t1 = time.perf_counter()
    say("estimating u by random sampling")
    sizes = [int(_scalar(db_api._execute_sql_against_backend(
        f"SELECT count(*) FROM {t}"))) for t in tables]  # noqa: S608 - our tables
    possible = sizes[0] * sizes[1] if kind == "link" else sizes[0] * (sizes[0] - 1) / 2
    # every pair when there are fewer than u_pairs (deterministic, backend-independent)
    linker.training.estimate_u_using_random_sampling(
        max_pairs=u_pairs, seed=seed, num_chunks=1 if possible <= u_pairs else 10)
    timings["train_u"] = time.perf_counter() - t1
    for label, rule in _training_rules():
        say(f"EM on {label}")
        te = time.perf_counter()
        try:
            _em(linker, rule, em_pairs)
            training["em_rules"].append(label)
            timings[f"train_em {label}"] = time.perf_counter() - te
        except Exception as exc:  # a rule with no pairs is skipped
            training.setdefault("em_skipped", {})[label] = str(exc).splitlines()[0][:200]
    if labels:
        say(f"estimating m from {len(labels)} accepted pairs")
        _m_from_labels(linker, db_api, labels, names)
        training["labels_accepted"] = len(labels)
    timings["train"] = time.perf_counter() - t1
    t2 = time.perf_counter()
    say("scoring blocked pairs")
    lam0 = 1.0 / max(2, sizes[0])  # an upper bound: each entry/record matches ≤ 1 record
    settings_obj = linker._settings_obj
    settings_obj._probability_two_random_records_match = lam0
    predictions = linker.inference.predict(threshold_match_probability=_FLOOR)
    weights = _weights(predictions)
    lam = estimate_lambda(weights, lam0, possible)
    settings_obj._probability_two_random_records_match = lam
    training["lambda"] = lam
    training["lambda_method"] = "fixed point over the blocked pairs (m, u fixed)"
    shift = _log2_odds(lam) - _log2_odds(lam0)
    levels = _levels(linker)
    pairs = []
    for row in _iter_rows(predictions):
        weight = float(row["match_weight"]) + shift
        probability = 1.0 / (1.0 + 2.0 ** -weight)
        if probability < threshold:
            continue
        left, right = int(row["unique_id_l"]), int(row["unique_id_r"])
        if kind == "link" and row.get("source_dataset_l") == "reference":
            row = _swap(row)
            left, right = right, left
        pairs.append(Pair(left, right, probability, weight, explain(row, levels)))
    timings["predict"] = time.perf_counter() - t2
    compared = blocking[-1]["cumulative"] if blocking else 0
    model = linker.misc.save_model_to_json()
    return ModelResult(pairs, model, blocking, training, timings, compared)


_FLOOR = 1e-3


def _em(linker: Linker, rule: Any, max_pairs: float) -> None:
    """One EM session; when a level never seen among the matches drives its m towards
    zero until Splink refuses the value (clean synthetic data: sex never differs), the
    session is run again with a third of the iterations."""
    settings = linker._settings_obj
    # Splink's session takes the comparisons its blocking rule uses out of the linker's own
    # model while it trains and puts them back only when it succeeds: keep a copy to put
    # back when it fails, or the model would lose those comparisons.
    before = settings.core_model_settings.copy()  # type: ignore[no-untyped-call]
    try:
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, estimate_without_term_frequencies=True, max_pairs=max_pairs)
        return
    except Exception as exc:
        settings.core_model_settings = before.copy()
        if "below the minimum" not in str(exc):
            raise
    saved = settings.training_settings
    settings.training_settings = dataclasses.replace(
        saved, max_iterations=max(3, saved.max_iterations // 3))
    try:
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, estimate_without_term_frequencies=True, max_pairs=max_pairs)
    except Exception:
        settings.core_model_settings = before
        raise
    finally:
        settings.training_settings = saved


def _log2_odds(p: float) -> float:
    return math.log2(p / (1.0 - p))


def estimate_lambda(weights: Sequence[float], lam0: float, possible: float,
                    iterations: int = 200) -> float:
    """λ, the probability that two random records match, as the fixed point of
    λ = Σ P(match | pair, λ) / (number of possible pairs) over the blocked pairs, their
    match weights computed with ``lam0`` (EM for λ alone, m and u held fixed). Pairs left
    out of ``weights`` (below the prediction floor) add next to nothing to the sum."""
    if not weights or possible <= 0:
        return lam0
    base = _log2_odds(lam0)
    logbf = [w - base for w in weights]
    lam = lam0
    for _ in range(iterations):
        odds = _log2_odds(lam)
        expected = 0.0
        for b in logbf:
            x = b + odds
            expected += 1.0 / (1.0 + 2.0 ** -x) if x > -60 else 0.0
        new = min(max(expected / possible, 1e-15), lam0)
        if abs(new - lam) <= 1e-9 * lam:
            return new
        lam = new
    return lam


def _weights(sdf: Any) -> list[float]:
    if hasattr(sdf, "as_duckdbpyrelation"):
        rel = sdf.as_duckdbpyrelation()
        return [float(r[0]) for r in rel.select("match_weight").fetchall()]
    return [float(r[0]) for r in sdf.as_spark_dataframe().select("match_weight").collect()]


def _swap(row: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(row)
    for k, v in row.items():
        if k.endswith("_l"):
            out[k[:-2] + "_r"] = v
        elif k.endswith("_r"):
            out[k[:-2] + "_l"] = v
    return out


def _m_from_labels(linker: Linker, db_api: Any, labels: Sequence[tuple[int, int]],
                   names: Sequence[str]) -> None:
    """Register the accepted pairs as a labels table and let Splink estimate m from them."""
    import pyarrow as pa  # type: ignore[import-untyped]

    records: dict[str, list[Any]] = {
        "unique_id_l": [int(a) for a, _ in labels],
        "unique_id_r": [int(b) for _, b in labels],
    }
    if len(names) > 1:  # link_only: Splink joins on (source_dataset, unique_id)
        records = {"source_dataset_l": [names[0]] * len(labels), **records,
                   "source_dataset_r": [names[-1]] * len(labels)}
    sdf = db_api.register(pa.table(records), table_name=f"__scrutiny_labels_{id(labels)}")
    linker.training.estimate_m_from_pairwise_labels(sdf)  # type: ignore[no-untyped-call]
