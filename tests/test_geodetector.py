"""The geographical detector (nqpf.drivers) against the method authors' published outputs, independent
implementations in this file, scipy and mapclassify; its analysis family end to end.

References
----------
* ``tests/data/geodetector_r_vignette.json``: outputs printed by the vignette of the R package
  ``geodetector`` 1.0-5 (Xu, Wang et al.; CRAN 2024) on the neural-tube-defects data of Wang et al. (2010);
  the data are read from the PyPI package ``geodetector`` (a test-only dependency; skipped when absent).
* ``_r_factor_detector``: a line-by-line translation of R ``geodetector::factor_detector`` (loops over the
  strata, sample variances), independent of the vectorised kernel.
* :func:`scipy.stats.ttest_ind` (``equal_var=False``) for the risk detector, :mod:`scipy.stats` F for the
  ecological detector, :mod:`mapclassify` for the discretisations.
"""
from __future__ import annotations

import json
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import importlib

from nqpf import drivers

# the module (the package's name ``discretize`` is the function)
disc = importlib.import_module("nqpf.drivers.discretize")
from nqpf.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
REF = json.loads((ROOT / "tests" / "data" / "geodetector_r_vignette.json").read_text(encoding="utf-8"))
FACTORS = ["watershed", "soiltype", "elevation"]


@pytest.fixture(scope="module")
def disease():
    """The Heshun neural-tube-defects data (185 villages) as shipped with the PyPI package, columns named as
    in R ``geodetector``'s CollectData."""
    gd = pytest.importorskip("geodetector", reason="the PyPI package geodetector (test-only) holds the data")
    d = gd.dataset.load_disease()
    return d.rename(columns={"region": "watershed", "type": "soiltype", "level": "elevation"})


@pytest.fixture(scope="module")
def disease_result(disease):
    with warnings.catch_warnings():
        warnings.simplefilter("error")     # the example has no missing value and no degenerate stratum
        return drivers.geodetector(disease, "incidence", FACTORS)


def _r_factor_detector(y, x):
    """R geodetector 1.0-5 factor_detector, translated loop by loop: (q, λ, F, p)."""
    y = np.asarray(y, dtype=float)
    x = np.asarray(x)
    N, strata = len(y), sorted(set(x.tolist()))
    L, var = len(strata), np.var(y, ddof=1)
    ssw = l1 = l2 = 0.0
    for h in strata:
        yh = y[x == h]
        if len(yh) > 1:
            ssw += (len(yh) - 1) * np.var(yh, ddof=1)
        l1 += np.mean(yh) ** 2
        l2 += np.sqrt(len(yh)) * np.mean(yh)
    q = 1 - ssw / ((N - 1) * var)
    lam = (l1 - l2 ** 2 / N) / var
    F = (N - L) * q / ((L - 1) * (1 - q))
    return q, lam, F, stats.ncf.sf(F, L - 1, N - L, lam)


def _q(y, lab):
    y, lab = np.asarray(y, float), np.asarray(lab)
    ssw = sum(((y[lab == h] - y[lab == h].mean()) ** 2).sum() for h in np.unique(lab))
    return 1 - ssw / ((y - y.mean()) ** 2).sum()


# ------------------------------------------------------------------------- the published example
def test_factor_q_and_p_equal_the_published_values(disease_result):
    f = disease_result["geodetector_factor"].set_index("factor")
    for name, ref in REF["factor"].items():
        assert abs(f.loc[name, "q"] - ref["q"]) < 5e-8          # R prints 7 significant digits
        # p: R's pf(ncp=) and scipy's ncf agree to ~1e-5 relative on this tail (0.0001169904 vs ...914)
        assert f.loc[name, "p"] == pytest.approx(ref["p"], rel=1e-4)
    assert (f["method"] == "categorical").all() and list(f["classes"]) == [9, 5, 7] == list(f["strata"])
    assert (f["n"] == 185).all() and (f["n_missing"] == 0).all() and f["year"].isna().all()


def test_factor_detector_equals_the_r_algorithm(disease, disease_result):
    f = disease_result["geodetector_factor"].set_index("factor")
    for name in FACTORS:
        q, lam, F, p = _r_factor_detector(disease["incidence"], disease[name])
        assert f.loc[name, "q"] == pytest.approx(q, abs=1e-12)
        assert f.loc[name, "ncp"] == pytest.approx(lam, rel=1e-10)
        assert f.loc[name, "F"] == pytest.approx(F, rel=1e-10)
        assert f.loc[name, "p"] == pytest.approx(p, rel=1e-10)


def test_interaction_q_equals_the_published_values(disease_result):
    it = disease_result["geodetector_interaction"]
    got = {frozenset((a, b)): q for a, b, q in zip(it["factor_a"], it["factor_b"], it["q_ab"])}
    for r in REF["interaction"]:
        assert got[frozenset((r["a"], r["b"]))] == pytest.approx(r["q_ab"], abs=2e-15)
    assert (it["type"] == "enhance_bi").all()                   # max < q_ab < q_a + q_b for the three pairs
    row = it[(it["factor_a"] == "watershed") & (it["factor_b"] == "soiltype")].iloc[0]
    assert row["strata_ab"] == 21 and row["n"] == 185


def test_pypi_package_drops_single_unit_strata_and_moves_the_interaction_q(disease, disease_result):
    """The PyPI package's 0.7232 for type × region is q without the strata holding one village; q by the
    definition (every stratum kept) is 0.7357, as R geodetector."""
    gd = pytest.importorskip("geodetector")
    pairs = gd.InteractionDetector().fit(disease[["soiltype", "watershed"]], disease["incidence"]).pairs_
    pypi = pairs[0]["q_12"]
    assert round(pypi, 4) == REF["pypi_interaction"]["type_x_region"]
    combo = disease["soiltype"].astype(str) + "_" + disease["watershed"].astype(str)
    sizes = combo.map(combo.value_counts())
    kept = sizes > 1
    assert (~kept).sum() == 2                                   # two strata of a single village
    assert _q(disease["incidence"][kept], combo[kept]) == pytest.approx(pypi, abs=1e-12)
    ours = disease_result["geodetector_interaction"]["q_ab"].iloc[0]
    assert ours == pytest.approx(_q(disease["incidence"], combo), abs=1e-12)
    assert round(ours, 4) == 0.7357 and ours - pypi > 0.012


def test_risk_detector_equals_the_published_means_and_decisions(disease, disease_result):
    strata = disease_result["geodetector_strata"]
    risk = disease_result["geodetector_risk"]
    for name in FACTORS:
        s = strata[strata["factor"] == name]
        # the categories in increasing order (R prints them as 1 … L; the PyPI copy codes soil types 1, 2, 3, 5, 7)
        assert list(s["stratum"]) == [str(v) for v in sorted(disease[name].unique())]
        np.testing.assert_allclose(s["mean"], REF["risk_means"][name], atol=5e-7)
        decisions = "".join("T" if v else "F" for v in risk.loc[risk["factor"] == name, "significant"])
        assert decisions == REF["risk_significance"][name].replace(" ", "")
    assert strata["lower"].isna().all() and strata["upper"].isna().all()   # categories: no bounds


def test_risk_detector_equals_scipy_welch(disease, disease_result):
    risk = disease_result["geodetector_risk"]
    for r in risk.itertuples(index=False):
        ya = disease.loc[disease[r.factor].astype(str) == r.stratum_a, "incidence"]
        yb = disease.loc[disease[r.factor].astype(str) == r.stratum_b, "incidence"]
        ref = stats.ttest_ind(ya, yb, equal_var=False)
        assert r.t == pytest.approx(ref.statistic, rel=1e-10)
        assert r.p == pytest.approx(ref.pvalue, rel=1e-9, abs=1e-300)
        assert r.df == pytest.approx(ref.df, rel=1e-10)
        assert (r.n_a, r.n_b) == (len(ya), len(yb)) and r.mean_a == pytest.approx(ya.mean(), rel=1e-12)


def test_ecological_detector_equals_the_definition_and_the_published_decisions(disease, disease_result):
    eco = disease_result["geodetector_ecological"]
    N = len(disease)
    y = disease["incidence"].to_numpy()

    def ssw(x):
        return sum(((y[x == h] - y[x == h].mean()) ** 2).sum() for h in np.unique(x))

    for r in eco.itertuples(index=False):
        sa, sb = ssw(disease[r.factor_a].to_numpy()), ssw(disease[r.factor_b].to_numpy())
        F = N * (N - 1) * sa / (N * (N - 1) * sb)               # Wang et al. 2010 with N_a = N_b = N
        assert r.F == pytest.approx(F, rel=1e-12)
        assert r.p == pytest.approx(2 * min(stats.f.cdf(F, N - 1, N - 1), stats.f.sf(F, N - 1, N - 1)), rel=1e-10)
        assert r.n == N
    dec = {frozenset((a, b)): s for a, b, s in zip(eco["factor_a"], eco["factor_b"], eco["significant"])}
    for r in REF["ecological_significance"]:
        assert bool(dec[frozenset((r["a"], r["b"]))]) is r["significant"]
        # R geodetector's own rule (ratio of the two q against the 90 % quantile of F(N − 1, N − 1)) agrees
        qa, qb = (disease_result["geodetector_factor"].set_index("factor").loc[k, "q"] for k in (r["a"], r["b"]))
        assert bool(max(qa / qb, qb / qa) > stats.f.ppf(0.9, N - 1, N - 1)) is r["significant"]


# ---------------------------------------------------------------------- definitions on other data
def test_every_stratum_kept_on_random_data_with_single_unit_strata():
    rng = np.random.default_rng(3)
    for trial in range(20):
        n = int(rng.integers(12, 60))
        x = rng.integers(0, int(rng.integers(3, 9)), n)
        x[:2] = [97, 98]                                       # two strata of one unit
        y = rng.normal(size=n) + 0.5 * x
        d = pd.DataFrame({"y": y, "x": x.astype(str)})
        got = drivers.factor_detector(d, "y", ["x"]).iloc[0]
        q, lam, F, p = _r_factor_detector(y, x)
        assert got["q"] == pytest.approx(q, abs=1e-12) and got["ncp"] == pytest.approx(lam, rel=1e-9)
        assert got["p"] == pytest.approx(p, rel=1e-9, abs=1e-15)
        assert got["strata"] == len(set(x))


def test_interaction_types_follow_wang_rules():
    t = drivers.interaction_type
    assert list(t([0.3] * 5, [0.5] * 5, [0.2, 0.4, 0.6, 0.8, 0.9])) == [
        "weaken_nonlinear", "weaken_uni", "enhance_bi", "independent", "enhance_nonlinear"]
    # boundaries as R geodetector: = min is nonlinear weakening, = max bivariate enhancement
    assert list(t([0.3, 0.3], [0.5, 0.5], [0.3, 0.5])) == ["weaken_nonlinear", "enhance_bi"]
    # equality within the tolerance (0.1 + 0.2 ≠ 0.3 in floating point)
    assert t(0.1, 0.2, 0.3)[0] == "independent"
    assert t(0.3, 0.5, 0.8 + 1e-11)[0] == "independent" and t(0.3, 0.5, 0.8 + 1e-9)[0] == "enhance_nonlinear"
    assert t(0.3, 0.5, 0.8 + 1e-9, tol=1e-8)[0] == "independent"
    assert t(np.nan, 0.5, 0.6)[0] == ""


def test_independent_and_nonlinear_enhancement_in_a_balanced_design():
    """Fully crossed, balanced: q_ab = q_a + q_b + SS_AB/SST, so additive cell means are independent and an
    interaction term is nonlinear enhancement."""
    a, b = np.meshgrid(np.arange(3), np.arange(4), indexing="ij")
    a, b = np.repeat(a.ravel(), 4), np.repeat(b.ravel(), 4)
    e = np.tile([1.0, -1.0, 0.5, -0.5], 12)                     # sums to zero in every cell
    add = pd.DataFrame({"y": 2.0 * a + 1.0 * b + e, "a": a.astype(str), "b": b.astype(str)})
    r = drivers.interaction_detector(add, "y", ["a", "b"]).iloc[0]
    assert r["q_ab"] == pytest.approx(r["q_a"] + r["q_b"], abs=1e-12) and r["type"] == "independent"
    inter = add.assign(y=add["y"] + 3.0 * (a == 2) * (b == 3))
    r = drivers.interaction_detector(inter, "y", ["a", "b"]).iloc[0]
    assert r["q_ab"] > r["q_a"] + r["q_b"] + 1e-3 and r["type"] == "enhance_nonlinear"
    # a refinement never explains less: with a factor nearly equal to another, bivariate enhancement
    rng = np.random.default_rng(0)
    x = rng.integers(0, 4, 80)
    d = pd.DataFrame({"y": x + rng.normal(size=80), "a": x.astype(str), "b": np.where(rng.random(80) < .1, 9, x).astype(str)})
    r = drivers.interaction_detector(d, "y", ["a", "b"]).iloc[0]
    assert r["q_ab"] >= max(r["q_a"], r["q_b"]) - 1e-12 and r["type"] == "enhance_bi"


# --------------------------------------------------------------------------------- discretisation
def _continuous(rng, n):
    return np.concatenate([rng.lognormal(size=n // 2), rng.normal(3, 1, n - n // 2)])


def test_equal_interval_equals_mapclassify():
    mc = pytest.importorskip("mapclassify")
    rng = np.random.default_rng(1)
    for k in range(2, 9):
        x = _continuous(rng, 97)
        ref = mc.EqualInterval(x, k=k)
        np.testing.assert_allclose(drivers.breaks(x, "equal", k), ref.bins, rtol=1e-12)
        assert np.array_equal(drivers.discretize(x, "equal", k), ref.yb)


def test_quantile_equals_mapclassify_and_numpy():
    mc = pytest.importorskip("mapclassify")
    rng = np.random.default_rng(2)
    for k in range(2, 9):
        x = _continuous(rng, 103)
        b = drivers.breaks(x, "quantile", k)
        np.testing.assert_allclose(b[:-1], np.quantile(x, np.arange(1, k) / k), rtol=1e-12)  # R type 7
        ref = mc.Quantiles(x, k=k)
        np.testing.assert_allclose(b, ref.bins, rtol=1e-12)
        assert np.array_equal(drivers.discretize(x, "quantile", k), ref.yb)
    # tied quantiles leave empty classes: the strata are the non-empty ones
    x = np.array([0, 0, 0, 0, 0, 0, 1, 2, 3, 4.0])
    lab = drivers.discretize(x, "quantile", 4)
    assert lab.tolist() == [0] * 6 + [2, 3, 3, 3] and len(set(lab)) == 3


def test_natural_breaks_equal_fisher_jenks():
    mc = pytest.importorskip("mapclassify")
    rng = np.random.default_rng(4)

    def wss(x, lab):
        return sum(((x[lab == h] - x[lab == h].mean()) ** 2).sum() for h in np.unique(lab))

    for trial in range(12):
        x = _continuous(rng, int(rng.integers(20, 90)))
        if trial % 3 == 0:
            x = np.round(x, 1)                                 # ties: compare the optimum, not the breaks
        for k in (2, 3, 5, 8):
            ref = mc.FisherJenks(x, k=k)
            lab = drivers.discretize(x, "natural", k)
            assert wss(x, lab) == pytest.approx(wss(x, ref.yb), rel=1e-10, abs=1e-12)
            if trial % 3:
                assert np.array_equal(lab, ref.yb)
                np.testing.assert_allclose(drivers.breaks(x, "natural", k), ref.bins, rtol=1e-12)
    # fewer distinct values than classes: one class per value
    assert drivers.discretize([1, 1, 2, 2, 5.0], "natural", 4).tolist() == [0, 0, 1, 1, 2]


def test_geometric_interval_by_its_formula():
    rng = np.random.default_rng(5)
    for x, c in ((rng.lognormal(size=50) + 0.5, 0.0), (rng.uniform(0, 1, 50), None), (rng.normal(size=50), None)):
        x[0] = 0.0 if c is None and x.min() > 0 else x[0]
        k = 5
        shift = 0.0 if x.min() > 0 else 1.0 - x.min()
        a, r = x.min() + shift, ((x.max() + shift) / (x.min() + shift)) ** (1 / k)
        expect = np.append(a * r ** np.arange(1, k) - shift, x.max())
        np.testing.assert_allclose(drivers.breaks(x, "geometric", k), expect, rtol=1e-12)
        lab = drivers.discretize(x, "geometric", k)
        assert np.array_equal(lab, np.searchsorted(expect[:-1], x, side="left"))
        widths = np.diff(np.concatenate([[x.min()], expect]))
        np.testing.assert_allclose(widths[1:] / widths[:-1], r, rtol=1e-9)   # widths grow by r


def test_standard_deviation_classes_equal_mapclassify_stdmean():
    mc = pytest.importorskip("mapclassify")
    rng = np.random.default_rng(6)
    for k in range(2, 9):
        x = _continuous(rng, 120)
        ref = mc.StdMean(x, multiples=[j - k / 2 for j in range(1, k)])
        assert np.array_equal(drivers.discretize(x, "sd", k), ref.yb)
        np.testing.assert_allclose(drivers.breaks(x, "sd", k)[:-1], x.mean() + x.std(ddof=1) * (np.arange(1, k) - k / 2),
                                   rtol=1e-12)


@pytest.mark.parametrize("method", disc.METHODS)
def test_grouped_discretisation_equals_each_group_alone(method):
    rng = np.random.default_rng(7)
    g = np.repeat(np.arange(5), [30, 1, 17, 40, 12])
    x = rng.lognormal(size=len(g)) * (1 + g)
    x[g == 4] = 2.5                                            # a constant group: one class
    y = rng.normal(size=len(g))
    labels, meth, kk, bounds, q, grp = disc.search(x, y, g, 5, [method], (3, 6))
    for gi in range(5):
        xs = x[g == gi]
        for ci, k in enumerate((3, 6)):
            alone = drivers.discretize(xs, method, k) if gi != 4 else np.zeros(len(xs), int)
            cand = grp.labels([disc._bounds(grp, method, (k,))[k]])[0][g == gi]
            assert np.array_equal(cand, alone), (method, gi, k)
            if len(xs) > 1 and gi != 4:
                assert q[ci, gi] == pytest.approx(_q(y[g == gi], alone), abs=1e-12)


def test_optimal_discretization_is_the_best_of_all_candidates():
    rng = np.random.default_rng(8)
    x = rng.gamma(2.0, size=150)
    y = np.sin(x) + 0.3 * rng.normal(size=150)
    tab = drivers.optimal_discretization(x, y)
    assert len(tab) == len(disc.METHODS) * 6 and tab["best"].sum() == 1
    brute = {(m, k): _q(y, drivers.discretize(x, m, k)) for m in disc.METHODS for k in range(3, 9)}
    for r in tab.itertuples(index=False):
        assert r.q == pytest.approx(brute[(r.method, r.classes)], abs=1e-12)
        assert r.strata == len(np.unique(drivers.discretize(x, r.method, r.classes)))
    top = max(brute.values())
    first = next(key for key in ((m, k) for m in disc.METHODS for k in range(3, 9)) if brute[key] >= top - 1e-12)
    best = tab[tab["best"]].iloc[0]
    assert (best["method"], best["classes"]) == first
    # the detector reports that choice and its q
    f = drivers.factor_detector(pd.DataFrame({"y": y, "x": x}), "y", ["x"]).iloc[0]
    assert (f["method"], f["classes"]) == first and f["q"] == pytest.approx(top, abs=1e-12)
    assert f["classes"] == best["classes"] and f["strata"] == best["strata"]
    # one method and one number of classes: no search
    f = drivers.factor_detector(pd.DataFrame({"y": y, "x": x}), "y", ["x"], discretize="quantile", classes=4).iloc[0]
    assert (f["method"], f["classes"]) == ("quantile", 4)
    assert f["q"] == pytest.approx(brute[("quantile", 4)], abs=1e-12)


def test_strata_table_gives_the_class_bounds():
    rng = np.random.default_rng(9)
    x = rng.uniform(10, 20, 60)
    d = pd.DataFrame({"y": x + rng.normal(size=60), "x": x})
    s = drivers.risk_detector(d, "y", ["x"], discretize="equal", classes=4)["geodetector_strata"]
    b = drivers.breaks(x, "equal", 4)
    np.testing.assert_allclose(s["upper"], b, rtol=1e-12)
    np.testing.assert_allclose(s["lower"], np.concatenate([[x.min()], b[:-1]]), rtol=1e-12)
    lab = drivers.discretize(x, "equal", 4)
    np.testing.assert_allclose(s["mean"], [d["y"][lab == h].mean() for h in range(4)], rtol=1e-12)
    assert list(s["stratum"]) == ["1", "2", "3", "4"] and list(s["n"]) == np.bincount(lab).tolist()


# --------------------------------------------------------------------------------- years, bad input
def _panel(rng, n=40, years=(2001, 2002, 2003)):
    df = pd.DataFrame({"region": np.tile(np.arange(n), len(years)), "year": np.repeat(years, n)})
    df["a"] = rng.normal(size=len(df))
    df["b"] = rng.integers(0, 3, len(df)).astype(str)
    df["y"] = df["a"] + (df["b"] == "2") + 0.5 * rng.normal(size=len(df))
    return df


def test_by_year_equals_each_year_alone():
    rng = np.random.default_rng(10)
    df = _panel(rng)
    both = drivers.geodetector(df, "y", ["a", "b"], by="year", classes=[3, 4])
    for key, tab in both.items():
        assert list(tab["year"].unique()) == [2001, 2002, 2003]
        for y in (2001, 2002, 2003):
            alone = drivers.geodetector(df[df["year"] == y], "y", ["a", "b"], classes=[3, 4])[key]
            got = tab[tab["year"] == y].drop(columns="year").reset_index(drop=True)
            pd.testing.assert_frame_equal(got, alone.drop(columns="year").reset_index(drop=True), check_dtype=False)


def test_missing_values_are_left_out_and_counted():
    rng = np.random.default_rng(11)
    df = _panel(rng)
    df.loc[[0, 1], "y"] = np.nan
    df.loc[[2, 45], "a"] = np.nan
    with pytest.warns(UserWarning) as caught:
        res = drivers.geodetector(df, "y", ["a", "b"], by="year", discretize="quantile", classes=3)
    said = " | ".join(str(w.message) for w in caught)
    assert "2 row(s) with a missing y" in said and "left out of that factor: a (2)" in said
    f = res["geodetector_factor"].set_index(["factor", "year"])
    assert f.loc[("a", 2001), "n_missing"] == 3 and f.loc[("a", 2002), "n_missing"] == 1
    assert f.loc[("b", 2001), "n_missing"] == 2 and f.loc[("b", 2001), "n"] == 38
    assert f.loc[("a", 2001), "n"] == 37
    keep = df[(df["year"] == 2001) & df["y"].notna() & df["a"].notna()]
    lab = drivers.discretize(keep["a"], "quantile", 3)
    assert f.loc[("a", 2001), "q"] == pytest.approx(_q(keep["y"], lab), abs=1e-12)
    it = res["geodetector_interaction"].set_index("year").loc[2001]
    assert it["n"] == 37                                          # units where both factors are known


def test_degenerate_groups_give_nan_with_a_warning():
    rng = np.random.default_rng(12)
    df = _panel(rng)
    df.loc[df["year"] == 2002, "y"] = 1.5                         # y constant in one year
    with pytest.warns(UserWarning, match="y is constant"):
        f = drivers.factor_detector(df, "y", ["a"], by="year", discretize="equal", classes=3)
    assert f.loc[f["year"] == 2002, ["q", "p"]].isna().all(axis=None)
    assert f.loc[f["year"] != 2002, "q"].notna().all()
    df = _panel(rng)
    df.loc[df["year"] == 2003, "b"] = "0"                         # one stratum in one year
    with pytest.warns(UserWarning, match="single stratum"):
        f = drivers.factor_detector(df, "y", ["b"], by="year")
    row = f[f["year"] == 2003].iloc[0]
    assert row["q"] == 0 and np.isnan(row["p"]) and row["strata"] == 1
    d = pd.DataFrame({"y": [1.0, 2, 3, 4, 5, 9], "x": ["a", "a", "b", "b", "b", "c"]})
    with pytest.warns(UserWarning, match="fewer than 2 units"):
        r = drivers.risk_detector(d, "y", ["x"])["geodetector_risk"]
    assert r.loc[r["stratum_b"] == "c", ["t", "p"]].isna().all(axis=None)
    assert r.loc[r["stratum_b"] == "c", "significant"].isna().all()
    assert r.loc[r["stratum_b"] == "b", "t"].notna().all()


def test_bad_input_is_refused_with_a_one_line_message():
    rng = np.random.default_rng(13)
    df = _panel(rng)
    with pytest.raises(InputError, match="no column 'yy'; did you mean 'y'"):
        drivers.geodetector(df, "yy", ["a"])
    with pytest.raises(InputError, match="did you mean 'region'"):
        drivers.geodetector(df, "y", ["regoin"])
    with pytest.raises(InputError, match="one stratum"):
        drivers.geodetector(df.assign(c="x"), "y", ["a", "c"])
    with pytest.raises(InputError, match="constant"):
        drivers.geodetector(df.assign(c=1.25), "y", ["c"], categorical=False)
    with pytest.raises(InputError, match="nothing to explain"):
        drivers.geodetector(df.assign(y=3.0), "y", ["a"])
    with pytest.raises(InputError, match="must hold numbers; row 3"):
        drivers.geodetector(df.assign(y=df["y"].astype(object).where(df.index != 2, "n/a?")), "y", ["a"])
    with pytest.raises(InputError, match="did you mean 'quantile'"):
        drivers.geodetector(df, "y", ["a"], discretize="quantil")
    with pytest.raises(InputError, match="whole numbers ≥ 2"):
        drivers.geodetector(df, "y", ["a"], classes=[1, 3])
    with pytest.raises(InputError, match="cannot also be a factor"):
        drivers.geodetector(df, "y", ["y"])
    with pytest.raises(InputError, match="listed twice"):
        drivers.geodetector(df, "y", ["a", "a"])
    with pytest.raises(InputError, match="DataFrame"):
        drivers.geodetector([[1, 2]], "y", ["a"])


def test_categorical_decision():
    rng = np.random.default_rng(14)
    n = 60
    d = pd.DataFrame({"y": rng.normal(size=n), "code": rng.integers(1, 5, n), "many": rng.integers(0, 40, n),
                      "flag": rng.random(n) < 0.5, "x": rng.normal(size=n)})
    f = drivers.factor_detector(d, "y", ["code", "many", "flag", "x"], classes=3).set_index("factor")
    assert f.loc["code", "method"] == "categorical" and f.loc["flag", "method"] == "categorical"
    assert f.loc["many", "method"] != "categorical" and f.loc["x", "method"] != "categorical"
    f = drivers.factor_detector(d, "y", ["code", "x"], classes=3, categorical=False).set_index("factor")
    assert f.loc["code", "method"] != "categorical"
    f = drivers.factor_detector(d, "y", ["many"], categorical=["many"]).iloc[0]
    assert f["method"] == "categorical" and f["classes"] == d["many"].nunique()


# ----------------------------------------------------------------------------------- standalone
def test_run_table_reads_a_file_and_writes_the_tables(disease, tmp_path):
    src = tmp_path / "ntd.csv"
    disease.to_csv(src, index=False, encoding="gb18030")
    tables = drivers.run_table(src, "incidence", "watershed, soiltype,elevation", out=tmp_path / "out")
    f = tables["geodetector_factor"].set_index("factor")
    assert f.loc["watershed", "q"] == pytest.approx(REF["factor"]["watershed"]["q"], abs=5e-8)
    written = sorted(p.name for p in (tmp_path / "out" / "tables").iterdir())
    assert written == sorted([f"{k}.csv" for k in drivers.TABLES] + ["meta.json"])
    back = pd.read_csv(tmp_path / "out" / "tables" / "geodetector_interaction.csv")
    assert list(back.columns) == ["factor_a", "factor_b", "year", "q_a", "q_b", "q_ab", "type", "strata_ab", "n"]
    assert back["q_ab"].iloc[0] == pytest.approx(REF["interaction"][0]["q_ab"], abs=1e-14)
    meta = json.loads((tmp_path / "out" / "tables" / "meta.json").read_text(encoding="utf-8"))
    assert meta["source"] == "ntd.csv" and meta["rows_used"] == 185 and meta["categorical"] == FACTORS
    xlsx = tmp_path / "ntd.xlsx"
    disease.to_excel(xlsx, index=False)
    t2 = drivers.run_table(xlsx, "incidence", FACTORS, classes="3-5")
    pd.testing.assert_frame_equal(t2["geodetector_factor"], tables["geodetector_factor"])


def test_run_table_errors_name_the_file_and_the_column(tmp_path):
    src = tmp_path / "d.csv"
    src.write_text("地区,得分,坡度\nA,1,0.5\nB,2,0.7\nC,3,0.1\nD,5,0.9\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"d\.csv: y: no column '得份'; did you mean '得分'"):
        drivers.run_table(src, "得份", ["坡度"])
    with pytest.raises(InputError, match=r"d\.csv: factors: no column 'podu'"):
        drivers.run_table(src, "得分", ["podu"])
    with pytest.raises(InputError, match="file not found"):
        drivers.run_table(tmp_path / "missing.csv", "y", ["x"])
    (tmp_path / "d.json").write_text("{}", encoding="utf-8")
    with pytest.raises(InputError, match="unknown file type '.json'"):
        drivers.run_table(tmp_path / "d.json", "y", ["x"])
    with pytest.raises(InputError, match="classes: expects"):
        drivers.run_table(src, "得分", ["坡度"], classes="three")


@pytest.mark.slow
def test_speed_on_counties_by_year():
    """2,848 regions × 20 years, one continuous factor, every method and 3–8 classes per year (OPGD)."""
    rng = np.random.default_rng(15)
    n, T = 2848, 20
    df = pd.DataFrame({"year": np.repeat(np.arange(2001, 2001 + T), n), "x": rng.normal(size=n * T)})
    df["c"] = rng.integers(0, 6, n * T).astype(str)
    df["y"] = df["x"] + rng.normal(size=n * T)
    t0 = time.process_time()
    res = drivers.geodetector(df, "y", ["x", "c"], by="year")
    spent = time.process_time() - t0
    assert len(res["geodetector_factor"]) == 2 * T
    assert spent < 5.0, spent       # about 0.3 s of CPU on a quiet machine


# ------------------------------------------------------------------------------------- the family
def test_family_with_covariates_and_without_factor_data():
    from nqpf.datasets import load_ran2025_scores
    from nqpf.pipeline import analyze

    Y = load_ran2025_scores(wide=True)
    res = analyze(Y, "china-provinces", permutations=9, analyses=["scores", "drivers"])
    assert not any(k.startswith("geodetector") for k in res.items)
    assert res.params["drivers"] == "drivers.no_factor_data"
    from nqpf import regions

    codes = list(Y.index)
    cov = pd.DataFrame({"region": [regions.normalize(str(c)) for c in codes]})
    cov["coastal"] = cov["region"].isin(["110000", "120000", "130000", "210000", "310000", "320000", "330000",
                                         "350000", "370000", "440000", "450000", "460000"]).map({True: "yes", False: "no"})
    cov["lat"] = [regions.PROVINCES.set_index("code").loc[c, "lat"] for c in cov["region"]]
    res = analyze(Y, "china-provinces", permutations=9, analyses=["scores", "drivers"],
                  extras={"covariates": cov}, options={"drivers": {"by": "pooled", "classes": "3-5"}})
    f = res.table("geodetector_factor").set_index("factor")
    assert set(f.index) == {"coastal", "lat"} and f["year"].isna().all()
    assert f.loc["coastal", "method"] == "categorical" and f.loc["lat", "classes"] in (3, 4, 5)
    assert res["geodetector_factor"].column("factor").kind == "text"
    assert "geodetector_interaction" in res.items and "geodetector_q" in res.items
    assert res.params["drivers_by"] == "drivers.by.pooled" and res.params["drivers_classes"] == [3, 4, 5]
    with pytest.raises(InputError, match="did you mean 'coastal'"):
        analyze(Y, "china-provinces", permutations=9, analyses=["drivers"], extras={"covariates": cov},
                options={"drivers": {"factors": ["coast"]}})


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    """The scitech example built from raw data (examples/scitech/config.toml), the data cache in a temporary
    folder."""
    from nqpf.config import load_config
    from nqpf.pipeline import run_config

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NQPF_CACHE_DIR", str(tmp_path_factory.mktemp("nqpf-cache")))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield run_config(load_config(ROOT / "examples" / "scitech" / "config.toml"))


@pytest.mark.slow
def test_family_on_a_study_built_from_raw_data(study, tmp_path):
    from nqpf.i18n import LANGS, t

    nz = study.table("normalized")
    indicators = [c for c in nz.columns if c not in ("region", "year")]
    f = study.table("geodetector_factor")
    assert sorted(f["factor"].unique()) == sorted(indicators) and sorted(f["year"].unique()) == list(range(2011, 2024))
    assert set(f["method"]) <= set(disc.METHODS) and f["q"].between(0, 1).all() and (f["n"] == 29).all()
    # q of one indicator-year recomputed from the tables the study holds
    row = f.iloc[0]
    merged = nz[nz["year"] == row["year"]].set_index("region")[row["factor"]]
    y = study.Y[int(row["year"])].reindex(merged.index)
    lab = drivers.discretize(merged, row["method"], int(row["classes"]))
    assert row["q"] == pytest.approx(_q(y, lab), abs=1e-12)
    it = study.table("geodetector_interaction")
    assert len(it) == 13 * len(indicators) * (len(indicators) - 1) // 2 and set(it["type"]) <= set(drivers.INTERACTION_TYPES)
    assert study["geodetector_factor"].column("factor").kind == "item"
    assert study.params["drivers_discretization"] == "drivers.opgd" and "geodetector" in study.params["conventions"]
    m = study["methods_geodetector"]
    for lang in LANGS:
        text = " ".join(m.texts(lang))
        assert "{" not in text.replace("_{", "").replace("^{", "").replace("!{", "")
    # written in Chinese and English (this family's items only, to stay fast): CSV identical, figures drawn
    from nqpf.results import Results

    mine = Results(items={k: v for k, v in study.items.items() if "geodetector" in k}, params=study.params,
                   regions=study.regions, Y=study.Y, w=study.w, extras=study.extras)
    digests = {}
    for lang in ("zh", "en"):
        out = tmp_path / lang
        mine.write(out, lang=lang, formats=["csv", "png"])
        digests[lang] = {k: (out / "tables" / f"{k}.csv").read_bytes() for k in drivers.TABLES}
        figs = sorted(p.name for p in (out / "figures").glob("geodetector*.png"))
        assert figs == ["geodetector_interaction_2011.png", "geodetector_interaction_2023.png", "geodetector_q.png"]
    assert digests["zh"] == digests["en"]
    zh = study.table("geodetector_factor", lang="zh")
    assert t("col.gd_q", "zh") in zh.columns and set(zh[t("col.gd_method", "zh")]) <= {
        t(f"cat.discretization.{m}", "zh") for m in disc.METHODS}
    names = study.extras["item_names"]
    assert set(zh[t("col.gd_factor", "zh")]) == {names[i]["zh"] for i in indicators}


# ------------------------------------------------------------------ default numbers of classes (auto)
def test_auto_classes_rule():
    """3 … min(8, max(3, ⌊n/5⌋)): at least 5 units per stratum on average (hand-computed cases)."""
    from nqpf.drivers import auto_classes

    assert auto_classes(31) == (3, 4, 5, 6)          # ⌊31/5⌋ = 6
    assert auto_classes(29) == (3, 4, 5)             # ⌊29/5⌋ = 5
    assert auto_classes(30) == (3, 4, 5, 6)
    assert auto_classes(40) == auto_classes(2848) == (3, 4, 5, 6, 7, 8)
    assert auto_classes(19) == auto_classes(3) == (3,)
    assert auto_classes(20) == (3, 4)


def test_expected_q_of_unrelated_strata_is_l_minus_1_over_n_minus_1():
    """The reason of the rule, as the methods text states it: with strata unrelated to Y, E[q] =
    (L − 1)/(N − 1) (q = SSB/SST ~ Beta((L − 1)/2, (N − L)/2) for normal Y). Monte Carlo, seeded,
    20,000 draws: standard error of the mean below 0.001."""
    rng = np.random.default_rng(7)
    N, L, R = 31, 6, 20_000
    lab = np.arange(N) % L
    y = rng.normal(size=(R, N))
    grand = y.mean(axis=1, keepdims=True)
    sst = ((y - grand) ** 2).sum(axis=1)
    ssb = sum((lab == h).sum() * (y[:, lab == h].mean(axis=1) - grand[:, 0]) ** 2 for h in range(L))
    assert abs((ssb / sst).mean() - (L - 1) / (N - 1)) < 0.004


def test_family_default_classes_follow_the_number_of_regions():
    """31 provinces by year: classes 3–6 searched, stated in the parameters and the methods text; a
    given range is kept and said to be the user's."""
    from nqpf import regions
    from nqpf.datasets import load_ran2025_scores
    from nqpf.i18n import t
    from nqpf.pipeline import analyze

    Y = load_ran2025_scores(wide=True)
    codes = [regions.normalize(str(c)) for c in Y.index]
    rng = np.random.default_rng(3)
    cov = pd.DataFrame({"region": np.repeat(codes, Y.shape[1]), "year": np.tile(Y.columns.astype(int), len(codes)),
                        "x": rng.normal(size=len(codes) * Y.shape[1])})
    n = len(Y.index)
    res = analyze(Y, "china-provinces", permutations=0, analyses=["scores", "drivers"], extras={"covariates": cov})
    want = list(range(3, min(8, max(3, n // 5)) + 1))
    assert res.params["drivers_classes"] == want and res.params["drivers_classes_rule"] == "drivers.classes_auto"
    f = res.table("geodetector_factor")
    assert f["classes"].between(3, max(want)).all()
    for lang in ("zh", "en"):
        text = " ".join(res["methods_geodetector"].texts(lang))
        assert f"N = {n}" in text and f"{want[0]}–{want[-1]}" in text
    assert t("value.drivers.classes_auto", "en").startswith("the default rule")
    res = analyze(Y, "china-provinces", permutations=0, analyses=["scores", "drivers"], extras={"covariates": cov},
                  options={"drivers": {"classes": "3-8"}})
    assert res.params["drivers_classes"] == [3, 4, 5, 6, 7, 8]
    assert res.params["drivers_classes_rule"] == "drivers.classes_given"
    assert "N = " not in " ".join(res["methods_geodetector"].texts("en"))


def test_run_table_default_classes_auto(tmp_path):
    """The stand-alone detector searches auto_classes of its rows (with ``by``, of the smallest group)
    and says so in meta.json; a continuous factor, seeded."""
    import json

    rng = np.random.default_rng(11)
    df = pd.DataFrame({"y": rng.normal(size=60), "x": rng.normal(size=60)})
    got = drivers.run_table(df, "y", ["x"])
    assert got["geodetector_factor"]["classes"].iloc[0] <= 8
    got = drivers.run_table(df.iloc[:29], "y", ["x"], out=tmp_path / "o")
    assert 3 <= got["geodetector_factor"]["classes"].iloc[0] <= 5           # auto_classes(29) = 3..5
    meta = json.loads((tmp_path / "o" / "tables" / "meta.json").read_text(encoding="utf-8"))
    assert meta["classes_rule"] == "auto"
    g = df.iloc[:29].assign(g=["a"] * 15 + ["b"] * 14)
    got = drivers.run_table(g, "y", ["x"], by="g")
    assert (got["geodetector_factor"]["classes"] == 3).all()                 # 14 units in a group → 3 only
    got = drivers.run_table(g, "y", ["x"], by="g", classes="4")
    assert (got["geodetector_factor"]["classes"] == 4).all()
