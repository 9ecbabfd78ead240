"""Unit tests of nqpf.index against hand-computed cases and independent references.

References used:
* hand-derived closed forms, written next to each expected value;
* ``scipy.stats.entropy`` (Shannon entropy of a column) for the entropy method;
* ``scipy.stats.zscore`` for z-scores;
* pandas ``DataFrame.std`` / ``DataFrame.corr`` for CRITIC (Diakoulaki et al. 1995) and CV.
The Beijing–Tianjin–Hebei workbook is the known answer of the whole chain (test_worked_example.py).
"""
from __future__ import annotations

import json
import math
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from nqpf.errors import InputError, SpecError
from nqpf.index import (
    ConstantIndicatorWarning,
    IndexResult,
    aggregate,
    build_index,
    compute_weights,
    entropy_weights_by_year,
    group_weights,
    normalize,
    topsis,
)


def panel(values, regions=("a", "b"), years=(2020, 2021), columns=None):
    idx = pd.MultiIndex.from_product([list(regions), list(years)], names=["region", "year"])
    A = np.asarray(values, dtype=float)
    columns = columns or [f"x{j + 1}" for j in range(A.shape[1])]
    return pd.DataFrame(A, index=idx, columns=columns)


@pytest.fixture
def X4():
    # rows (a,2020) (a,2021) (b,2020) (b,2021)
    return panel([[1, 10], [2, 20], [3, 30], [5, 50]])


# ------------------------------------------------------------------------------ normalize
def test_minmax_pooled_hand(X4):
    Xn = normalize(X4, {"x1": 1, "x2": -1})
    # x1: (x-1)/(5-1); x2 negative: (50-x)/(50-10)
    np.testing.assert_allclose(Xn["x1"], [0, 0.25, 0.5, 1.0], atol=1e-15)
    np.testing.assert_allclose(Xn["x2"], [1.0, 0.75, 0.5, 0], atol=1e-15)
    assert Xn.index.equals(X4.index) and list(Xn.columns) == ["x1", "x2"]


def test_minmax_per_year_hand(X4):
    Xn = normalize(X4, {"x1": 1, "x2": -1}, pooled=False)
    # 2020: x1 in {1, 3}; 2021: x1 in {2, 5} -> a is the minimum, b the maximum of each year
    np.testing.assert_allclose(Xn["x1"], [0, 0, 1, 1])
    np.testing.assert_allclose(Xn["x2"], [1, 1, 0, 0])


def test_shift_is_additive(X4):
    Xn = normalize(X4, {"x1": 1, "x2": 1}, shift=1e-4)
    np.testing.assert_allclose(Xn["x1"], np.array([0, 0.25, 0.5, 1.0]) + 1e-4, atol=1e-15)


def test_zscore_matches_scipy(X4):
    Xn = normalize(X4, {"x1": 1, "x2": -1}, method="zscore")
    np.testing.assert_allclose(Xn["x1"], stats.zscore(X4["x1"].to_numpy()), atol=1e-12)
    np.testing.assert_allclose(Xn["x2"], -stats.zscore(X4["x2"].to_numpy()), atol=1e-12)


def test_max_and_sum_hand(X4):
    Xm = normalize(X4, {"x1": 1, "x2": -1}, method="max")
    np.testing.assert_allclose(Xm["x1"], [1 / 5, 2 / 5, 3 / 5, 1])
    np.testing.assert_allclose(Xm["x2"], [1, 10 / 20, 10 / 30, 10 / 50])
    Xs = normalize(X4, {"x1": 1, "x2": -1}, method="sum")
    np.testing.assert_allclose(Xs["x1"], np.array([1, 2, 3, 5]) / 11)
    r = 1 / np.array([10, 20, 30, 50])
    np.testing.assert_allclose(Xs["x2"], r / r.sum())
    with pytest.raises(InputError, match="x2"):
        normalize(X4.assign(x2=[0, 1, 2, 3]), {"x1": 1, "x2": -1}, method="max")


def test_direction_words_and_spec_like(X4):
    a = normalize(X4, {"x1": "positive", "x2": "负向"})
    b = normalize(X4, pd.Series({"x2": -1, "x1": 1}))
    c = normalize(X4, [1, -1])
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(a, c)


def test_missing_value_names_region_year(X4):
    X = X4.copy()
    X.loc[("b", 2021), "x2"] = np.nan
    with pytest.raises(InputError, match=r"\(b, 2021\) / x2"):
        normalize(X, {"x1": 1, "x2": 1})


@pytest.mark.parametrize("bad, match", [
    ({"x1": 1}, "no direction given for indicator.*x2"),
    ({"x1": 1, "x2": 0}, "invalid indicator direction"),
])
def test_bad_directions(X4, bad, match):
    with pytest.raises(InputError, match=match):
        normalize(X4, bad)


def test_bad_inputs(X4):
    with pytest.raises(InputError, match="unknown normalisation method"):
        normalize(X4, {"x1": 1, "x2": 1}, method="rank")
    with pytest.raises(InputError, match="non-numeric"):
        normalize(X4.assign(x2=["a", "b", "c", "d"]), {"x1": 1, "x2": 1})
    with pytest.raises(InputError, match="duplicated rows"):
        normalize(pd.concat([X4, X4.iloc[:1]]), {"x1": 1, "x2": 1})
    with pytest.raises(InputError, match="DataFrame"):
        normalize(X4.to_numpy(), {"x1": 1, "x2": 1})


def test_constant_indicator_zero_and_warning(X4):
    X = X4.assign(x2=7.0)
    with pytest.warns(ConstantIndicatorWarning, match="x2"):
        Xn = normalize(X, {"x1": 1, "x2": 1})
    assert (Xn["x2"] == 0).all()
    with pytest.warns(ConstantIndicatorWarning):
        W = compute_weights(Xn, "entropy").set_index("indicator")
    assert W.loc["x2", "weight"] == 0 and W.loc["x1", "weight"] == 1


# ------------------------------------------------------------------------------ weights
def test_entropy_hand_closed_form():
    # column [0, 1/2, 1]: p = (0, 1/3, 2/3), -sum p ln p = ln 3 - (2/3) ln 2,
    # e = 1 - 2 ln 2 / (3 ln 3); column [1, 1, 1/2]: p = (.4, .4, .2)
    Xn = pd.DataFrame({"u": [0, 0.5, 1.0], "v": [1, 1, 0.5]},
                      index=pd.MultiIndex.from_product([["a", "b", "c"], [2020]],
                                                       names=["region", "year"]))
    W = compute_weights(Xn, "entropy").set_index("indicator")
    e_u = 1 - 2 * math.log(2) / (3 * math.log(3))
    e_v = -(0.8 * math.log(0.4) + 0.2 * math.log(0.2)) / math.log(3)
    assert W.loc["u", "entropy"] == pytest.approx(e_u, abs=1e-14)
    assert W.loc["v", "entropy"] == pytest.approx(e_v, abs=1e-14)
    d = np.array([1 - e_u, 1 - e_v])
    np.testing.assert_allclose(W["redundancy"], d, atol=1e-14)
    np.testing.assert_allclose(W["weight"], d / d.sum(), atol=1e-14)


def test_entropy_matches_scipy_random():
    rng = np.random.default_rng(7)
    X = panel(rng.random((40, 5)), regions=[f"r{i}" for i in range(10)], years=range(2000, 2004))
    Xn = normalize(X, dict.fromkeys(X.columns, 1))
    W = compute_weights(Xn, "entropy")
    e_ref = np.array([stats.entropy(Xn[c].to_numpy()) / np.log(len(Xn)) for c in Xn.columns])
    np.testing.assert_allclose(W["entropy"], e_ref, atol=1e-12)
    np.testing.assert_allclose(W["weight"], (1 - e_ref) / (1 - e_ref).sum(), atol=1e-12)
    # m override: e_j scales by ln(rows) / ln(m)
    W80 = compute_weights(Xn, "entropy", m=80)
    np.testing.assert_allclose(W80["entropy"], e_ref * np.log(40) / np.log(80), atol=1e-12)
    # m = number of years (a literal reading of the paper's text) would allow e_j > 1: refused
    with pytest.raises(InputError, match="smaller than the 40 rows"):
        compute_weights(Xn, "entropy", m=4)


def test_entropy_per_year_is_mean_of_yearly_weights():
    rng = np.random.default_rng(3)
    X = panel(rng.random((18, 3)), regions=[f"r{i}" for i in range(6)], years=(1, 2, 3))
    Xn = normalize(X, dict.fromkeys(X.columns, 1))
    by_year = entropy_weights_by_year(Xn)
    ref = []
    for y in (1, 2, 3):
        block = Xn.xs(y, level="year")
        e = np.array([stats.entropy(block[c].to_numpy()) / np.log(6) for c in block.columns])
        ref.append((1 - e) / (1 - e).sum())
    np.testing.assert_allclose(by_year.to_numpy(), np.array(ref), atol=1e-12)
    W = compute_weights(Xn, "entropy", pooled=False)
    np.testing.assert_allclose(W["weight"], np.mean(ref, axis=0), atol=1e-12)


def test_entropy_rejects_negative():
    X = panel([[-1, 0], [0, 1], [1, 2], [2, 0]])
    with pytest.raises(InputError, match="negative values.*x1"):
        compute_weights(X, "entropy")


def test_critic_matches_pandas_reference():
    rng = np.random.default_rng(11)
    X = panel(rng.random((30, 4)), regions=[f"r{i}" for i in range(10)], years=(1, 2, 3))
    Xn = normalize(X, {"x1": 1, "x2": -1, "x3": 1, "x4": 1})
    W = compute_weights(Xn, "critic").set_index("indicator")
    sd = Xn.std(ddof=1)
    conflict = (1 - Xn.corr()).sum()
    C = sd * conflict
    np.testing.assert_allclose(W["sd"], sd, atol=1e-12)
    np.testing.assert_allclose(W["conflict"], conflict, atol=1e-12)
    np.testing.assert_allclose(W["weight"], C / C.sum(), atol=1e-12)


def test_critic_hand_anticorrelated():
    # two perfectly anti-correlated columns with equal spread: r = -1, conflict = 2 each -> 1/2, 1/2
    X = panel([[0, 1], [0.5, 0.5], [1, 0], [0.25, 0.75]])
    W = compute_weights(X, "critic")
    np.testing.assert_allclose(W["conflict"], [2, 2], atol=1e-12)
    np.testing.assert_allclose(W["weight"], [0.5, 0.5], atol=1e-12)


def test_cv_matches_pandas():
    X = panel([[1, 10], [2, 20], [3, 35], [5, 50]])
    W = compute_weights(X, "cv")
    cv = X.std(ddof=1) / X.mean()
    np.testing.assert_allclose(W["cv"], cv, atol=1e-12)
    np.testing.assert_allclose(W["weight"], cv / cv.sum(), atol=1e-12)


def test_equal_and_given(X4):
    np.testing.assert_allclose(compute_weights(X4, "equal")["weight"], [0.5, 0.5])
    with pytest.warns(UserWarning, match="renormalised"):
        W = compute_weights(X4, "given", weights={"x1": 3, "x2": 1})
    np.testing.assert_allclose(W["weight"], [0.75, 0.25])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        W = compute_weights(X4, "given", weights=pd.Series({"x2": 0.4, "x1": 0.6}))
    np.testing.assert_allclose(W["weight"], [0.6, 0.4])
    with pytest.raises(InputError, match=r"missing \['x2'\], unknown \['x9'\]"):
        compute_weights(X4, "given", weights={"x1": 1, "x9": 1})
    with pytest.raises(InputError, match="non-negative"):
        compute_weights(X4, "given", weights={"x1": 1.5, "x2": -0.5})
    with pytest.raises(InputError, match="needs weights"):
        compute_weights(X4, "given")


def test_combined_formulas():
    rng = np.random.default_rng(5)
    Xn = normalize(panel(rng.random((20, 3)), regions=range(10)), dict.fromkeys(["x1", "x2", "x3"], 1))
    we = compute_weights(Xn, "entropy")["weight"].to_numpy()
    wc = compute_weights(Xn, "critic")["weight"].to_numpy()
    lin = compute_weights(Xn, "combined", alpha=0.3)
    np.testing.assert_allclose(lin["weight"], 0.3 * we + 0.7 * wc, atol=1e-14)
    np.testing.assert_allclose(lin["weight_entropy"], we)
    mult = compute_weights(Xn, "combined", rule="multiplicative")
    np.testing.assert_allclose(mult["weight"], we * wc / (we * wc).sum(), atol=1e-14)
    with pytest.raises(InputError, match="alpha"):
        compute_weights(Xn, "combined", alpha=2)


def test_unknown_method_and_option(X4):
    with pytest.raises(InputError, match="unknown weighting method 'ahp'"):
        compute_weights(X4, "ahp")
    with pytest.raises(InputError, match="takes no option"):
        compute_weights(X4, "entropy", alpha=0.5)


def test_all_constant_is_an_error():
    X = panel([[1, 2], [1, 2], [1, 2], [1, 2]])
    with pytest.warns(ConstantIndicatorWarning), pytest.raises(InputError, match="zero information"):
        compute_weights(X, "entropy")


# ------------------------------------------------------------------------------ aggregate
TREE = {"x1": ("A", "a1"), "x2": ("A", "a2"), "x3": ("B", "b1")}


def test_aggregate_hand():
    Xn = panel([[1, 0, 0.5], [0, 1, 0.5], [0.5, 0.5, 0], [1, 1, 1]])
    w = {"x1": 0.2, "x2": 0.3, "x3": 0.5}
    S = aggregate(Xn, w, TREE)
    np.testing.assert_allclose(S["score"], [0.45, 0.55, 0.25, 1.0], atol=1e-15)
    np.testing.assert_allclose(S["criterion:A"], [0.2, 0.3, 0.25, 0.5], atol=1e-15)
    np.testing.assert_allclose(S["criterion:B"], [0.25, 0.25, 0.0, 0.5], atol=1e-15)
    np.testing.assert_allclose(S["dimension:a2"], [0, 0.3, 0.15, 0.3], atol=1e-15)
    assert list(S.columns) == ["score", "criterion:A", "criterion:B", "dimension:a1",
                               "dimension:a2", "dimension:b1", "rank"]
    # 2020: (a) .45 vs (b) .25; 2021: (a) .55 vs (b) 1.0
    assert S["rank"].tolist() == [1, 2, 2, 1]


def test_aggregate_ties_min_rank_and_no_tree():
    Xn = pd.DataFrame({"x": [0.5, 0.5, 0.2, 0.9]},
                      index=pd.MultiIndex.from_arrays([["a", "b", "c", "a"], [1, 1, 1, 2]],
                                                      names=["region", "year"]))
    S = aggregate(Xn, {"x": 1.0})
    assert list(S.columns) == ["score", "rank"]
    assert S["rank"].tolist() == [1, 1, 3, 1]


def test_aggregate_duplicate_group_names_and_levels():
    Xn = panel([[1, 0], [0, 1], [0.5, 0.5], [1, 1]])
    S = aggregate(Xn, {"x1": 0.5, "x2": 0.5}, {"x1": ("A", "misc"), "x2": ("B", "misc")},
                  levels=("pillar", "theme", "indicator"))
    assert "theme:A/misc" in S.columns and "theme:B/misc" in S.columns
    assert "pillar:A" in S.columns


def test_aggregate_errors():
    Xn = panel([[1, 0, 0.5], [0, 1, 0.5], [0.5, 0.5, 0], [1, 1, 1]])
    with pytest.raises(SpecError, match="x3"):
        aggregate(Xn, {"x1": 0.2, "x2": 0.3, "x3": 0.5}, {"x1": ("A",), "x2": ("A",)})
    with pytest.raises(SpecError, match="same number of levels"):
        aggregate(Xn, {"x1": 0.2, "x2": 0.3, "x3": 0.5}, {"x1": ("A",), "x2": ("A",), "x3": ("B", "b")})
    with pytest.raises(InputError, match=r"missing \['x3'\]"):
        aggregate(Xn, {"x1": 0.2, "x2": 0.3}, TREE)


def test_group_weights():
    w = {"x1": 0.2, "x2": 0.3, "x3": 0.5}
    G = group_weights(w, TREE)
    top = G[G.level == "composite"].set_index("member")
    assert top.loc["criterion:A", "member_weight"] == pytest.approx(0.5)
    a = G[G.group == "criterion:A"].set_index("member")
    assert a.loc["dimension:a1", "within_weight"] == pytest.approx(0.4)
    assert a.loc["dimension:a2", "within_weight"] == pytest.approx(0.6)
    leaf = G[G.group == "dimension:a2"]
    assert leaf["member"].tolist() == ["x2"] and leaf["within_weight"].tolist() == [1.0]
    # within-group weights of every group sum to 1
    np.testing.assert_allclose(G.groupby("group")["within_weight"].sum(), 1.0)


# ------------------------------------------------------------------------------ topsis
def test_topsis_hand():
    # V = (0,0), (.5,.5), (.5,0): ideal (.5,.5), anti-ideal (0,0)
    Xn = pd.DataFrame({"x1": [0, 1, 1.0], "x2": [0, 1, 0.0]},
                      index=pd.MultiIndex.from_product([["a", "b", "c"], [2020]],
                                                       names=["region", "year"]))
    T = topsis(Xn, {"x1": 0.5, "x2": 0.5})
    np.testing.assert_allclose(T["D_plus"], [math.sqrt(0.5), 0, 0.5], atol=1e-15)
    np.testing.assert_allclose(T["D_minus"], [0, math.sqrt(0.5), 0.5], atol=1e-15)
    np.testing.assert_allclose(T["C"], [0, 1, 0.5], atol=1e-15)
    assert T["rank"].tolist() == [3, 1, 2]


def test_topsis_no_spread_is_an_error():
    Xn = panel([[1, 0], [1, 0], [1, 0], [1, 0]])
    with pytest.raises(InputError, match="no spread"):
        topsis(Xn, {"x1": 0.5, "x2": 0.5})


# ------------------------------------------------------------------------------ build_index
def _spec():
    spec = pytest.importorskip("nqpf.spec")
    inds = [spec.Indicator(id="x1", direction=1, path=("A", "a1")),
            spec.Indicator(id="x2", direction=-1, path=("A", "a2")),
            spec.Indicator(id="x3", direction=1, path=("B", "b1"))]
    return spec.Spec(name="test", levels=("criterion", "dimension", "indicator"), indicators=inds)


@pytest.fixture
def X6():
    rng = np.random.default_rng(2024)
    return panel(rng.random((12, 3)) * [1, 100, 1e4], regions=["a", "b", "c", "d"],
                 years=(2020, 2021, 2022))


def test_build_index_with_spec(X6):
    res = build_index(X6, _spec(), topsis=True)
    assert isinstance(res, IndexResult)
    Xn = normalize(X6, {"x1": 1, "x2": -1, "x3": 1})
    pd.testing.assert_frame_equal(res.normalized, Xn)
    W = compute_weights(Xn, "entropy")
    pd.testing.assert_frame_equal(res.weights, W)
    S = aggregate(Xn, W, TREE)
    pd.testing.assert_frame_equal(res.scores[S.columns], S)
    T = topsis(Xn, W)
    np.testing.assert_allclose(res.scores["topsis"], T["C"])
    assert res.params["directions"] == {"x1": 1, "x2": -1, "x3": 1}
    assert res.params["levels"] == ["criterion", "dimension"]
    assert "entropy" in res.params["conventions"] and res.audit.empty
    assert res.scores_long().columns[:3].tolist() == ["region", "year", "score"]
    json.dumps(res.params)  # params go into the study's meta file as JSON


def test_build_index_directions_paths_and_given(X6):
    res = build_index(X6, {"x1": 1, "x2": -1, "x3": 1}, paths=TREE,
                      weights={"x1": 0.2, "x2": 0.3, "x3": 0.5})
    assert res.params["weighting"] == "given"
    np.testing.assert_allclose(res.weights["weight"], [0.2, 0.3, 0.5])
    np.testing.assert_allclose(res.scores["criterion:A"] + res.scores["criterion:B"],
                               res.scores["score"], atol=1e-15)


def test_build_index_per_year_and_constant(X6):
    X = X6.assign(x3=1.0)
    with pytest.warns(ConstantIndicatorWarning):
        res = build_index(X, {"x1": 1, "x2": -1, "x3": 1}, pooled=False)
    assert any("x3" in m for m in res.warnings)
    assert res.audit["variable"].tolist() == ["x3"] * 3 and set(res.audit["action"]) == {"flagged"}
    assert res.weights.set_index("indicator").loc["x3", "weight"] == 0
    assert res.params["pooled"] is False


def test_build_index_spec_mismatch(X6):
    with pytest.raises(InputError, match=r"missing from the data \['x3'\]"):
        build_index(X6.drop(columns="x3"), _spec())


# ------------------------------------------------------------------------------ the paper's eq. 7
def test_score_basis_proportions_average_one_over_m():
    """Why the composite is sum_j w_j x'_ij and not sum_j w_j p_ij (eq. 7 lost its second factor).

    sum_j w_j p_ij averages exactly 1/m over the m region-years for any data, while the paper's
    Table 2 (bundled, transcribed from the paper) has mean 0.25 over 29 × 11 = 319 province-years.
    """
    rng = np.random.default_rng(19)
    X = panel(rng.random((30, 4)), regions=range(10), years=(1, 2, 3))
    Xn = normalize(X, dict.fromkeys(X.columns, 1))
    W = compute_weights(Xn, "entropy")
    p = normalize(Xn, dict.fromkeys(X.columns, 1), method="proportion")
    on_p = aggregate(p, W)["score"]
    assert on_p.mean() == pytest.approx(1 / 30, abs=1e-15)
    on_x = aggregate(Xn, W)["score"]
    assert on_x.min() >= 0 and on_x.max() <= 1

    from nqpf import datasets
    table2 = datasets.load_ran2025_scores()["score"]
    assert len(table2) == 319
    assert table2.mean() > 50 / 319  # far from 1/319: Table 2 is on the x' scale
    assert table2.min() >= 0 and table2.max() <= 1
