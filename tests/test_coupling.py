"""Coupling coordination degree (nqpf.coupling and the ``coupling`` family).

References: hand computations written out below for n = 2, 3 and 6 subsystems (the corrected coupling degree
of Wang, Kong, Ren, Zhi & Dai 2021, Journal of Natural Resources 36(3): 793–810, and the older form
C = n·[Π U / (Σ U)^n]^(1/n)); the ten levels' boundaries as stated in the literature (width 0.1, closed on the
left, the last [0.9, 1]); sub-index levels against the within-group weighted mean of the normalised values
computed from the weights table. Tolerance 1e-12 where the arithmetic is the same.
"""
from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

from nqpf.coupling import (
    LEVEL_CODES,
    coordination_level,
    coupling_coordination,
    coupling_degree,
    subindex_levels,
    subsystem_weights,
)
from nqpf.errors import InputError

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "examples" / "scitech" / "config.toml"


def _frame(rows, names=None):
    rows = np.atleast_2d(np.asarray(rows, dtype=float))
    names = names or [f"s{j + 1}" for j in range(rows.shape[1])]
    df = pd.DataFrame(rows, columns=names)
    df.insert(0, "year", 2020)
    df.insert(0, "region", [f"r{i}" for i in range(len(df))])
    return df


# ------------------------------------------------------------------------------ hand-computed cases
def test_two_subsystems_by_hand():
    # U = (0.2, 0.8): 1 − |0.2 − 0.8| = 0.4; min/max = 0.25
    C = math.sqrt(0.4 * 0.25)
    assert coupling_degree([[0.2, 0.8]])[0] == pytest.approx(C, abs=1e-12)
    assert coupling_degree([[0.8, 0.2]])[0] == pytest.approx(C, abs=1e-12)     # order does not matter
    # the older form: 2·sqrt(0.2·0.8)/(0.2 + 0.8) = 2·0.4 = 0.8
    assert coupling_degree([[0.2, 0.8]], "traditional")[0] == pytest.approx(0.8, abs=1e-12)
    out = coupling_coordination(_frame([0.2, 0.8]))
    T = 0.5
    assert out.loc[0, "T"] == pytest.approx(T, abs=1e-12)
    assert out.loc[0, "D"] == pytest.approx(math.sqrt(C * T), abs=1e-12)     # sqrt(0.1581) = 0.3976
    assert out.loc[0, "level"] == "mild_disorder"                              # [0.3, 0.4)


def test_three_subsystems_by_hand():
    # U = (0.2, 0.5, 0.8): pairs |0.3|, |0.6|, |0.3| sum 1.2 over Σ_{m=1}^{2} m = 3 → 1 − 0.4 = 0.6;
    # Π U_i / U_max = 0.25 · 0.625 · 1 = 0.15625, to the power 1/(n − 1) = 1/2
    C = math.sqrt(0.6 * math.sqrt(0.15625))
    assert coupling_degree([[0.2, 0.5, 0.8]])[0] == pytest.approx(C, abs=1e-12)
    assert C == pytest.approx(0.48700187, abs=1e-8)
    C_old = 3 * (0.2 * 0.5 * 0.8) ** (1 / 3) / 1.5
    assert coupling_degree([[0.2, 0.5, 0.8]], "traditional")[0] == pytest.approx(C_old, abs=1e-12)
    out = coupling_coordination(_frame([0.2, 0.5, 0.8]), [0.5, 0.3, 0.2])
    T = 0.5 * 0.2 + 0.3 * 0.5 + 0.2 * 0.8
    assert out.loc[0, "T"] == pytest.approx(T, abs=1e-12)
    assert out.loc[0, "D"] == pytest.approx(math.sqrt(C * T), abs=1e-12)


def test_six_subsystems_by_hand():
    U = [0.1, 0.2, 0.4, 0.5, 0.8, 1.0]
    # pairwise gaps: from 0.1: .1+.3+.4+.7+.9 = 2.4; from 0.2: .2+.3+.6+.8 = 1.9; from 0.4: .1+.4+.6 = 1.1;
    # from 0.5: .3+.5 = 0.8; from 0.8: 0.2 → 6.4, over Σ_{m=1}^{5} m = 15.
    # Π U_i / U_max = 0.1·0.2·0.4·0.5·0.8·1 = 0.0032 = 2^5·10^-4, to the power 1/5 = 2·10^-0.8.
    C = math.sqrt((1 - 6.4 / 15) * (2 * 10 ** -0.8))
    assert coupling_degree([U])[0] == pytest.approx(C, abs=1e-12)
    assert coupling_degree([U[::-1]])[0] == pytest.approx(C, abs=1e-12)
    C_old = 6 * 0.0032 ** (1 / 6) / 3.0
    assert coupling_degree([U], "traditional")[0] == pytest.approx(C_old, abs=1e-12)
    out = coupling_coordination(_frame(U))
    assert out.loc[0, "T"] == pytest.approx(sum(U) / 6, abs=1e-12)
    assert out.loc[0, "lagging"] == "s1" and not out.loc[0, "synchronous"]


def test_coupling_degree_spans_zero_to_one():
    assert coupling_degree([[0.7, 0.7, 0.7]])[0] == pytest.approx(1.0, abs=1e-12)
    assert coupling_degree([[0.0, 0.5, 0.9]])[0] == 0.0            # one subsystem at 0
    assert coupling_degree([[0.0, 1.0]])[0] == 0.0                 # the total gap
    assert coupling_degree([[1.0, 1.0]], "traditional")[0] == pytest.approx(1.0, abs=1e-12)


def test_identity_d_is_the_root_of_c_times_t():
    rng = np.random.default_rng(7)
    U = rng.random((500, 4))
    for formula in ("wang2021", "traditional"):
        out = coupling_coordination(_frame(U), [0.1, 0.2, 0.3, 0.4], formula=formula)
        np.testing.assert_allclose(out["D"], np.sqrt(out["C"] * out["T"]), rtol=0, atol=1e-15)
        np.testing.assert_allclose(out["T"], U @ [0.1, 0.2, 0.3, 0.4], rtol=0, atol=1e-15)
        assert out[["C", "T", "D"]].to_numpy().min() >= 0 and out[["C", "T", "D"]].to_numpy().max() <= 1


# ----------------------------------------------------------------------------------- the ten levels
@pytest.mark.parametrize("k", range(10))
def test_level_boundaries_are_closed_on_the_left(k):
    lo = [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9][k]
    assert coordination_level([lo])[0] == LEVEL_CODES[k]
    assert coordination_level([lo + 0.05])[0] == LEVEL_CODES[k]
    if k:
        assert coordination_level([lo - 1e-9])[0] == LEVEL_CODES[k - 1]


def test_level_names_and_ends():
    assert LEVEL_CODES == ("extreme_disorder", "severe_disorder", "moderate_disorder", "mild_disorder",
                           "near_disorder", "barely_coordinated", "primary_coordination",
                           "intermediate_coordination", "good_coordination", "quality_coordination")
    assert list(coordination_level([0.0, 1.0, np.nan])) == ["extreme_disorder", "quality_coordination", ""]
    # a boundary reached through rounding (0.1 + 0.2 = 0.30000000000000004; 0.3 − 1e-16) is still the class above
    assert coordination_level([0.1 + 0.2, 0.3 - 1e-16])[0] == "mild_disorder"
    assert coordination_level([0.3 - 1e-16])[0] == "mild_disorder"


# ------------------------------------------------------------- the corrected and the older formula
def test_the_older_formula_sees_only_proportions_and_stays_near_one():
    """docs/coupling.md: (0.01, 0.02) and (0.4, 0.8) get the same traditional C = 2√2/3; the corrected C
    tells them apart; over a grid of pairs the traditional C is mostly ≥ 0.8, the corrected one mostly not."""
    old = coupling_degree([[0.01, 0.02], [0.4, 0.8]], "traditional")
    np.testing.assert_allclose(old, 2 * math.sqrt(2) / 3, rtol=0, atol=1e-12)
    new = coupling_degree([[0.01, 0.02], [0.4, 0.8]])
    assert new[0] == pytest.approx(math.sqrt(0.99 * 0.5), abs=1e-12)
    assert new[1] == pytest.approx(math.sqrt(0.6 * 0.5), abs=1e-12)
    g = np.linspace(0.05, 1, 20)      # 400 pairs: traditional median 0.947, 80 % ≥ 0.8; corrected 0.590, 25 %
    pairs = np.array([(a, b) for a in g for b in g])
    old, new = coupling_degree(pairs, "traditional"), coupling_degree(pairs)
    assert np.median(old) > 0.94 and (old >= 0.8).mean() > 0.79
    assert np.median(new) < 0.6 and (new >= 0.8).mean() < 0.25


# ------------------------------------------------------------------------- relative development
def test_synchronous_threshold_is_inclusive_and_lagging_names_the_lowest():
    out = coupling_coordination(_frame([[0.7, 0.8], [0.5, 0.61], [0.3, 0.3], [0.9, 0.2]], ["a", "b"]))
    assert list(out["synchronous"]) == [True, False, True, False]      # 0.8 − 0.7 = 0.10000000000000009
    assert list(out["lagging"]) == ["", "a", "", "b"]
    tie = coupling_coordination(_frame([[0.2, 0.2, 0.9]], ["x", "y", "z"]))
    assert tie.loc[0, "lagging"] == "x"                                 # the first of the lowest
    strict = coupling_coordination(_frame([[0.7, 0.8]], ["a", "b"]), sync_threshold=0.05)
    assert strict.loc[0, "lagging"] == "a"


# ------------------------------------------------------------------------------------ bad input
def test_levels_outside_zero_one_are_refused_with_the_fix():
    with pytest.raises(InputError, match=r"\[0, 1\].*r0 2020 / s2 = 1.5.*rescale"):
        coupling_coordination(_frame([0.2, 1.5]))
    with pytest.raises(InputError, match="in \\[0, 1\\]"):
        coupling_coordination(_frame([0.2, np.nan]))
    with pytest.raises(InputError, match="at least 2 subsystems"):
        coupling_coordination(_frame([0.2]))
    with pytest.raises(InputError, match="unknown coupling formula"):
        coupling_degree([[0.2, 0.3]], "wang")
    with pytest.raises(InputError, match="one per"):
        subsystem_weights([0.5], ["a", "b"])
    with pytest.raises(InputError, match="non-negative"):
        subsystem_weights([-0.5, 1.5], ["a", "b"])
    with pytest.warns(UserWarning, match="renormalised"):
        np.testing.assert_allclose(subsystem_weights([1, 3], ["a", "b"]), [0.25, 0.75])
    np.testing.assert_allclose(subsystem_weights({"b": 0.75, "a": 0.25}, ["a", "b"]), [0.25, 0.75])


def test_all_zero_subsystems_give_nan_c_and_d_zero_with_a_warning():
    with pytest.warns(UserWarning, match="undefined"):
        out = coupling_coordination(_frame([[0.0, 0.0], [0.3, 0.4]]))
    assert np.isnan(out.loc[0, "C"]) and out.loc[0, "D"] == 0.0 and out.loc[0, "level"] == "extreme_disorder"
    assert np.isfinite(out.loc[1, "C"])


# ------------------------------------------------------------------------------- sub-index levels
def _index():
    from nqpf.index import build_index
    from nqpf.pipeline import group_weights_table
    from nqpf.spec import Indicator, Spec

    rng = np.random.default_rng(3)
    idx = pd.MultiIndex.from_product([[f"r{i}" for i in range(8)], [2020, 2021, 2022]], names=["region", "year"])
    X = pd.DataFrame(rng.uniform(1, 2, size=(24, 5)), index=idx, columns=["a", "b", "c", "d", "e"])
    paths = {"a": ("G1",), "b": ("G1",), "c": ("G2",), "d": ("G2",), "e": ("G3",)}
    spec = Spec(name="t", levels=("dimension", "indicator"),
                indicators=tuple(Indicator(id=k, name_zh=k, name_en=k, path=p) for k, p in paths.items()))
    return X, spec, build_index, group_weights_table


@pytest.mark.parametrize("shift", [0.0, 1e-4])
def test_subindex_levels_are_within_group_weighted_means(shift):
    X, spec, build_index, group_weights_table = _index()
    ires = build_index(X, spec, shift=shift)
    gw = group_weights_table(ires.weights, spec)
    U, scale = subindex_levels(ires.scores.reset_index(), gw, shift=shift)
    w = ires.weights.set_index("indicator")["weight"]
    xn = ires.normalized    # min-max values plus the shift, in [s, 1 + s]; levels divided by 1 + s
    for g, members in {"G1": ["a", "b"], "G2": ["c", "d"], "G3": ["e"]}.items():
        expect = (xn[members] * w[members]).sum(axis=1) / w[members].sum() / (1 + shift)
        np.testing.assert_allclose(U[f"dimension:{g}"], expect.to_numpy(), rtol=0, atol=1e-12)
        assert scale[f"dimension:{g}"] == pytest.approx(w[members].sum(), abs=1e-15)
    A = U.drop(columns=["region", "year"]).to_numpy()
    assert A.max() <= 1.0 and (A.min() > 0 if shift else A.min() == 0.0)


def test_subindex_levels_refuse_an_index_that_is_not_min_max():
    X, spec, build_index, group_weights_table = _index()
    ires = build_index(X, spec, normalization="zscore", weighting="equal")
    with pytest.raises(InputError, match="min-max"):
        subindex_levels(ires.scores.reset_index(), group_weights_table(ires.weights, spec))
    with pytest.raises(InputError, match="no level 'criterion'"):
        ires = build_index(X, spec)
        subindex_levels(ires.scores.reset_index(), group_weights_table(ires.weights, spec), "criterion")


def test_vectorised_over_many_region_years():
    rng = np.random.default_rng(0)
    U = rng.random((2848 * 20, 6))
    import time

    t0 = time.perf_counter()
    out = coupling_coordination(_frame(U))
    assert time.perf_counter() - t0 < 3.0
    i = 12345   # one row by the formula written out
    u = U[i]
    gaps = sum(abs(u[a] - u[b]) for a in range(6) for b in range(a + 1, 6))
    C = math.sqrt((1 - gaps / 15) * math.prod(u / u.max()) ** (1 / 5))
    assert out.loc[i, "C"] == pytest.approx(C, abs=1e-12)


# ------------------------------------------------------------------------------------- the family
@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from nqpf.pipeline import Study

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NQPF_CACHE_DIR", str(tmp_path_factory.mktemp("nqpf-cache")))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return Study.from_config(CONFIG).build_index()


def _run(built, **options):
    from nqpf.pipeline import run_config

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return run_config(CONFIG, built=built, analyses=["coupling"],
                          options={"coupling": options} if options else None)


def test_family_on_the_example_recomputes_by_hand(built):
    res = _run(built)
    tab = res.table("coupling")
    assert list(tab.columns) == ["region", "year", "C", "T", "D", "level", "lagging", "synchronous"]
    assert res.param("coupling_source") == "index_subindices" and res.param("coupling_n") == 2
    scores = res.table("scores").set_index(["region", "year"])
    gw = res.table("group_weights")
    top = gw[gw["group_level"] == "composite"].set_index("member")["member_weight"]
    U = pd.DataFrame({m: scores[m] / top[m] for m in top.index})
    one = tab.set_index(["region", "year"]).loc[U.index]
    u1, u2 = U.iloc[:, 0].to_numpy(), U.iloc[:, 1].to_numpy()
    C = np.sqrt((1 - np.abs(u1 - u2)) * np.minimum(u1, u2) / np.maximum(u1, u2))
    np.testing.assert_allclose(one["C"], C, rtol=0, atol=1e-12)
    np.testing.assert_allclose(one["D"], np.sqrt(C * (u1 + u2) / 2), rtol=0, atol=1e-12)
    sync = (np.abs(u1 - u2) <= 0.1) & (np.minimum(u1, u2) > 0)     # a subsystem at 0 (C = 0) lags
    lag = np.where(sync, "", np.where(u1 <= u2, U.columns[0], U.columns[1]))
    assert list(one["lagging"]) == list(lag) and list(one["synchronous"]) == list(sync)
    assert list(tab["region"].drop_duplicates()) == list(res.Y.index)      # canonical order
    subs = res.table("coupling_subsystems")
    np.testing.assert_allclose(subs["scale"], top[subs["subsystem"]].to_numpy(), rtol=0, atol=1e-15)
    keys = {it.key for it in res.items.values()}
    assert {"coupling", "coupling_subsystems", "coupling_D", "coupling_map_2011", "coupling_map_2023",
            "methods_coupling"} <= keys


def test_family_options_level_formula_weights(built):
    res = _run(built, level="subdimension", formula="traditional")
    assert res.param("coupling_n") == 6 and res.param("coupling_formula") == "traditional"
    tab = res.table("coupling")
    U = res.table("scores").set_index(["region", "year"])
    gw = res.table("group_weights")
    sub = gw[gw["member_level"] == "subdimension"].drop_duplicates("member").set_index("member")["member_weight"]
    L = np.column_stack([U[m] / w for m, w in sub.items()])
    with np.errstate(divide="ignore"):   # a sub-index at 0 (the worst region-year): C = 0
        C_old = 6 * np.exp(np.log(L).mean(axis=1)) / L.sum(axis=1)
    np.testing.assert_allclose(tab.set_index(["region", "year"]).loc[U.index, "C"], C_old, rtol=0, atol=1e-12)
    res = _run(built, weights=[0.25, 0.75])
    assert res.param("coupling_weights") == [0.25, 0.75]
    with pytest.raises(InputError, match="no level 'county'"):
        _run(built, level="county")


def test_methods_text_shows_the_worked_example(built):
    res = _run(built)
    m = res["methods_coupling"]
    zh, en = " ".join(m.texts("zh")), " ".join(m.texts("en"))
    assert "C = 0.800" in en and "C = 0.316" in en and "D = 0.632" in en and "D = 0.398" in en
    assert "初级协调" in zh and "轻度失调" in zh and "王淑佳" in zh
    assert "{" not in en.replace("_{", "").replace("^{", "").replace("!{", "")


def test_given_subsystems_and_no_subsystems():
    from nqpf.datasets import load_ran2025_scores
    from nqpf.pipeline import analyze

    Y = load_ran2025_scores(wide=True)
    rng = np.random.default_rng(1)
    given = pd.DataFrame([(r, y) for r in Y.index for y in Y.columns], columns=["region", "year"])
    given["economy"] = rng.random(len(given))
    given["ecology"] = rng.random(len(given))
    res = analyze(Y, analyses=["coupling"], extras={"subsystems": given}, permutations=9)
    tab = res.table("coupling")
    assert res.param("coupling_source") == "given_indices" and len(tab) == Y.size
    assert set(tab["region"]) == set(res.Y.index)         # province names mapped to their codes
    bad = given.assign(ecology=given["ecology"] * 3)
    with pytest.raises(InputError, match="rescale"):
        analyze(Y, analyses=["coupling"], extras={"subsystems": bad}, permutations=9)
    res = analyze(Y, analyses=["coupling"], permutations=9)
    assert "coupling" not in res and res.param("coupling_source") == "no_subsystems"
