"""Robustness of the ranks (nqpf.index.robustness and the ``robustness`` family).

References: ranks against ``scipy.stats.rankdata(method="min")``; quantiles against ``numpy.quantile``
(linear, Hyndman & Fan type 7); the rank of every configuration against ``nqpf.index.build_index`` (the
index's own pipeline) or, for the geometric mean, against the product Π (x′ + 0.01)^w computed directly; the
variance shares against the exact Hoeffding–Sobol decomposition of a full factorial design computed with
pandas ``groupby`` (first-order part = variance of the level means, interaction = the rest), within Monte
Carlo error (tolerances stated per test).
"""
from __future__ import annotations

import itertools
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import rankdata

from nqpf.errors import InputError
from nqpf.index import build_index
from nqpf.index.robustness import _quantiles, rank_desc, rank_uncertainty, variance_shares

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "examples" / "scitech" / "config.toml"
DIRS = {"a": 1, "b": 1, "c": -1, "d": 1}


def _panel(k=4, n=12, years=(2018, 2019, 2020, 2021), seed=5):
    rng = np.random.default_rng(seed)
    idx = pd.MultiIndex.from_product([[f"r{i:02d}" for i in range(n)], list(years)], names=["region", "year"])
    base = rng.uniform(1, 3, size=(n, 1, k))
    trend = np.linspace(1, 1.3, len(years))[None, :, None]
    X = base * trend * rng.uniform(0.9, 1.1, size=(n, len(years), k))
    return pd.DataFrame(X.reshape(n * len(years), k), index=idx, columns=list("abcd")[:k])


def _quiet(f, *a, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return f(*a, **kw)


# -------------------------------------------------------------------------------- building blocks
def test_rank_desc_is_scipy_min_rank_of_the_negated_scores():
    rng = np.random.default_rng(0)
    S = rng.integers(0, 6, size=(40, 7, 5)).astype(float)        # many ties
    for axis in (0, 1, 2):
        np.testing.assert_array_equal(rank_desc(S, axis=axis), rankdata(-S, method="min", axis=axis))


def test_quantiles_are_numpy_linear_quantiles():
    rng = np.random.default_rng(1)
    R = rng.integers(1, 30, size=(50, 37)).astype(np.int32)
    np.testing.assert_allclose(_quantiles(R, (0.05, 0.5, 0.95)), np.quantile(R, [0.05, 0.5, 0.95], axis=1).T,
                               rtol=0, atol=1e-12)


# ------------------------------------------------------------------------- ranks of one configuration
@pytest.mark.parametrize("method", ["entropy", "critic", "cv", "equal", "combined"])
@pytest.mark.parametrize("scope", ["pooled", "per_year"])
def test_baseline_ranks_are_the_index_ranks(method, scope):
    X = _panel()
    ru = _quiet(rank_uncertainty, X, DIRS, draws=4, vary=["aggregation"],
                baseline={"weighting": method, "normalization": scope})
    ref = _quiet(build_index, X, DIRS, weighting=method, pooled=scope == "pooled").scores["rank"]
    got = ru.intervals.set_index(["region", "year"])["rank"]
    pd.testing.assert_series_equal(got, ref.reindex(got.index), check_names=False, check_dtype=False)


def test_geometric_aggregation_is_the_weighted_geometric_mean_of_shifted_values():
    X = _panel()
    ru = _quiet(rank_uncertainty, X, DIRS, draws=4, vary=["normalization"],
                baseline={"weighting": "critic", "aggregation": "geometric"})
    ires = _quiet(build_index, X, DIRS, weighting="critic")
    w = ires.weights.set_index("indicator")["weight"]
    G = ((ires.normalized - ires.normalized.min() + 0.01) ** w).prod(axis=1)       # Π (x′ − min + 0.01)^w
    ref = G.groupby(level="year").rank(ascending=False, method="min").astype(int)
    got = ru.intervals.set_index(["region", "year"])["rank"]
    assert (got == ref.reindex(got.index)).all()


@pytest.mark.parametrize("method,loo", [("entropy", "renormalize"), ("cv", "renormalize"), ("critic", "recompute"),
                                         ("combined", "recompute")])
def test_leaving_an_indicator_out_is_the_index_without_it(method, loo):
    """Renormalising the weights equals re-estimating them for entropy and CV; recompute re-estimates."""
    X = _panel()
    ru = _quiet(rank_uncertainty, X, DIRS, draws=4, vary=["aggregation"], loo_weights=loo,
                baseline={"weighting": method, "exclusion": "b"})
    ref = _quiet(build_index, X.drop(columns="b"), {k: v for k, v in DIRS.items() if k != "b"},
                 weighting=method).scores["rank"]
    got = ru.intervals.set_index(["region", "year"])["rank"]
    assert (got == ref.reindex(got.index)).all()


# ------------------------------------------------------------------------------------ the draws
def test_one_indicator_cannot_change_the_ranking():
    X = _panel(k=1)
    with pytest.warns(UserWarning, match="same in every draw"):
        ru = rank_uncertainty(X, {"a": 1}, draws=50, seed=3)
    iv = ru.intervals
    assert (iv["rank_p05"] == iv["rank"]).all() and (iv["rank_p95"] == iv["rank"]).all()
    assert (iv["median_rank"] == iv["rank"]).all()
    assert "exclusion" not in ru.params["vary"] and ru.params["notes"] == ["exclusion_needs_two_indicators"]
    assert ru.shares["share"].isna().all()


def test_a_seeded_rerun_is_byte_identical_and_another_seed_is_not():
    X = _panel()
    a = _quiet(rank_uncertainty, X, DIRS, draws=60, seed=11)
    b = _quiet(rank_uncertainty, X, DIRS, draws=60, seed=11)
    c = _quiet(rank_uncertainty, X, DIRS, draws=60, seed=12)
    for part in ("intervals", "shares", "draws"):
        assert getattr(a, part).to_csv().encode() == getattr(b, part).to_csv().encode()
    assert not a.draws.equals(c.draws)
    # levels are drawn uniformly and independently, in the order of CHOICES
    d = a.draws
    assert set(d["weighting"]) <= {"entropy", "critic", "cv", "equal", "combined"}
    assert set(d["normalization"]) == {"pooled", "per_year"} and set(d["aggregation"]) == {"additive", "geometric"}
    assert set(d["exclusion"]) <= {"", "a", "b", "c", "d"}


def test_intervals_are_the_quantiles_of_the_ranks_of_the_draws():
    X = _panel()
    ru = _quiet(rank_uncertainty, X, DIRS, draws=30, seed=2, vary=["weighting", "exclusion"])
    # rebuild every draw with the index's own pipeline (renormalised weights = entropy without the indicator)
    ranks = []
    for _, row in ru.draws.iterrows():
        kw = {"weighting": row["weighting"]}
        Xd, dirs = X, DIRS
        if row["exclusion"]:
            full = _quiet(build_index, X, DIRS, **kw).weights.set_index("indicator")["weight"]
            w = full.drop(row["exclusion"])
            Xd, dirs = X.drop(columns=row["exclusion"]), {k: v for k, v in DIRS.items() if k != row["exclusion"]}
            kw = {"weights": w / w.sum()}
        ranks.append(_quiet(build_index, Xd, dirs, **kw).scores["rank"])
    R = pd.concat(ranks, axis=1).reindex(pd.MultiIndex.from_frame(ru.intervals[["region", "year"]])).to_numpy()
    q = np.quantile(R, [0.05, 0.5, 0.95], axis=1).T
    np.testing.assert_allclose(ru.intervals[["rank_p05", "median_rank", "rank_p95"]], q, rtol=0, atol=1e-12)


def test_bad_arguments():
    X = _panel()
    with pytest.raises(InputError, match="unknown choice"):
        rank_uncertainty(X, DIRS, vary=["weights"])
    with pytest.raises(InputError, match="cannot be drawn"):
        rank_uncertainty(X, DIRS, weightings=["given"])
    with pytest.raises(InputError, match="draws"):
        rank_uncertainty(X, DIRS, draws=1)
    with pytest.raises(InputError, match="every region in every year"):
        rank_uncertainty(X.iloc[1:], DIRS)


# ----------------------------------------------------------------------------- variance shares
def _exact(Y, levels):
    """Exact Hoeffding–Sobol parts of the full factorial table Y (rows: observations, columns: every
    combination of ``levels`` in itertools.product order), equal probabilities, pooled over rows."""
    combos = pd.DataFrame(list(itertools.product(*[range(L) for L in levels])))
    total = Y.var(axis=1, ddof=0).sum()
    first = []
    for f in combos.columns:
        means = pd.DataFrame(Y.T).groupby(combos[f].to_numpy()).mean()     # level × observation
        first.append(means.var(axis=0, ddof=0).sum() / total)
    return np.array(first), 1 - sum(first)


def _sampled(Y, levels, N, seed):
    rng = np.random.default_rng(seed)
    codes = np.column_stack([rng.integers(L, size=N) for L in levels])
    col = np.ravel_multi_index(codes.T, levels)
    return Y[:, col], {f"f{k}": codes[:, k] for k in range(len(levels))}


def test_variance_shares_of_an_additive_response():
    """Y = a(f0) + b(f1) (+ a constant f2): first-order shares Var(a)/V, Var(b)/V, 0, interaction 0."""
    rng = np.random.default_rng(4)
    levels = (5, 3, 4)
    a, b = rng.normal(size=(60, 5)), 2 * rng.normal(size=(60, 3))
    Y = (a[:, :, None, None] + b[:, None, :, None] + 0 * np.arange(4)).reshape(60, -1)
    first, inter = _exact(Y, levels)
    assert inter == pytest.approx(0, abs=1e-12) and first[2] == pytest.approx(0, abs=1e-12)
    R, factors = _sampled(Y, levels, 2000, seed=1)
    sh = variance_shares(R, factors).set_index("choice")["share"]
    np.testing.assert_allclose(sh[["f0", "f1", "f2"]], first, atol=0.02)
    assert abs(sh["interaction"]) < 0.01 and abs(sh.sum() - 1) < 0.03


def test_variance_shares_of_a_pure_interaction():
    """Y = ±1 by the parity of (f0 + f1): no first-order effect, all interaction."""
    levels = (2, 2, 3)
    combos = np.array(list(itertools.product(*[range(L) for L in levels])))
    Y = np.tile(np.where((combos[:, 0] + combos[:, 1]) % 2, 1.0, -1.0), (20, 1))
    first, inter = _exact(Y, levels)
    assert np.allclose(first, 0) and inter == pytest.approx(1)
    R, factors = _sampled(Y, levels, 1500, seed=2)
    sh = variance_shares(R, factors).set_index("choice")["share"]
    assert np.abs(sh[["f0", "f1", "f2"]]).max() < 0.02 and sh["interaction"] == pytest.approx(1, abs=0.03)


def test_variance_shares_match_the_exact_decomposition_of_a_random_response():
    """A response with main effects and interactions of every order over a 5 × 2 × 2 × 7 design (the
    example's), 4,000 draws: each share within 0.03 of the exact one, the sum within 0.03 of one; the
    plain between-level ratio SS_b / SS_tot would overstate the 7-level choice by about 6/4000·(1 − S)."""
    rng = np.random.default_rng(9)
    levels = (5, 2, 2, 7)
    shape = (30,) + levels
    Y = (rng.normal(size=(30, 5, 1, 1, 1)) + 0.5 * rng.normal(size=(30, 1, 2, 1, 1))
         + rng.normal(size=(30, 1, 1, 2, 1)) + 1.5 * rng.normal(size=(30, 1, 1, 1, 7))
         + 0.8 * rng.normal(size=shape)).reshape(30, -1)
    first, inter = _exact(Y, levels)
    R, factors = _sampled(Y, levels, 4000, seed=3)
    sh = variance_shares(R, factors)
    np.testing.assert_allclose(sh["share"].to_numpy(), np.append(first, inter), atol=0.03)
    assert list(sh["levels"].iloc[:4]) == list(levels) and pd.isna(sh["levels"].iloc[4])
    assert abs(sh["share"].sum() - 1) < 0.03


def test_shares_on_the_example_sum_to_one_within_monte_carlo_error(built):
    """The real index, the default 200 draws, five seeds: |Σ shares − 1| stays within 0.1 (over 30 seeds the
    sum averaged 0.987 with a standard deviation of 0.029)."""
    from nqpf.analyses.robustness import _indicators, run_settings

    X = _indicators(built, built.index.scores["score"].unstack("year"))
    baseline, norm, wopts = run_settings(built)
    sums = []
    for seed in range(5):
        ru = _quiet(rank_uncertainty, X, built.spec, draws=200, seed=seed, baseline=baseline, normalization=norm,
                    weighting_options=wopts)
        sums.append(ru.shares["share"].sum())
        assert ru.params["shares_sum"] == pytest.approx(sums[-1])
    assert max(abs(s - 1) for s in sums) < 0.1


# ------------------------------------------------------------------------------------- the family
@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from nqpf.pipeline import Study

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NQPF_CACHE_DIR", str(tmp_path_factory.mktemp("nqpf-cache")))
        return _quiet(Study.from_config(CONFIG).build_index)


def _run(built, **options):
    from nqpf.pipeline import run_config

    return _quiet(run_config, CONFIG, built=built, analyses=["robustness"],
                  options={"robustness": options} if options else None)


def test_family_on_the_example(built):
    res = _run(built, draws=80)
    iv = res.table("rank_uncertainty")
    assert list(iv.columns) == ["region", "year", "rank", "median_rank", "rank_p05", "rank_p95"]
    scores = res.table("scores").set_index(["region", "year"])["rank"]
    keys = pd.MultiIndex.from_frame(iv[["region", "year"]])
    assert (iv.set_index(["region", "year"])["rank"] == scores.reindex(keys)).all()
    assert list(iv["region"].drop_duplicates()) == list(res.Y.index)
    assert (iv["rank_p05"] <= iv["median_rank"]).all() and (iv["median_rank"] <= iv["rank_p95"]).all()
    assert res.param("robustness_draws") == 80 and res.param("robustness_seed") == 12345
    sh = res.table("rank_variance")
    assert list(sh["choice"]) == ["weighting", "normalization", "aggregation", "exclusion", "interaction"]
    assert len(res.table("robustness_draws")) == 80
    for lang in ("zh", "en"):
        fig = res["rank_intervals"].draw(res, lang)
        assert fig.axes and not fig.get_suptitle()    # the report caption names it: no title inside
        text = " ".join(res["methods_robustness"].texts(lang))
        assert "{" not in text.replace("_{", "").replace("^{", "").replace("!{", "") and "80" in text


def test_family_rerun_is_identical_and_seed_option(built):
    from nqpf.outputs import csv_frame

    a, b = _run(built, draws=40), _run(built, draws=40)
    c = _run(built, draws=40, seed=7, choices=["weighting"], weightings=["equal", "critic"])
    for key in ("rank_uncertainty", "rank_variance", "robustness_draws"):
        assert csv_frame(a[key], a).to_csv().encode() == csv_frame(b[key], b).to_csv().encode()
    assert c.param("robustness_seed") == 7 and c.param("robustness_choices") == ["weighting"]
    assert set(c.table("robustness_draws")["weighting"]) == {"equal", "critic"}
    assert set(c.table("robustness_draws")["aggregation"]) == {"additive"}


def test_family_without_indicators_says_so():
    from nqpf.datasets import load_ran2025_scores
    from nqpf.pipeline import analyze

    res = analyze(load_ran2025_scores(wide=True), analyses=["robustness"], permutations=9)
    assert "rank_uncertainty" not in res and res.param("robustness_source") == "no_indicators"
