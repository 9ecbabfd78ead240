"""Bivariate Moran's I (nqpf.spatial.bivariate) against esda 2.8's Moran_BV and Moran_Local_BV, exact
enumeration of permutations, and the bivariate family in the results."""
from __future__ import annotations

import itertools
import warnings

import numpy as np
import pandas as pd
import pytest

libpysal = pytest.importorskip("libpysal")
esda = pytest.importorskip("esda")
from libpysal.weights import W, lat2W  # noqa: E402

from nqpf import datasets, regions  # noqa: E402
from nqpf.errors import InputError  # noqa: E402
from nqpf.spatial.bivariate import moran_bv_global, moran_bv_local  # noqa: E402
from nqpf.spatial.multiple import adjust_p  # noqa: E402

pytestmark = [
    pytest.mark.filterwarnings("ignore:.*island.*"),
    pytest.mark.filterwarnings("ignore:.*disconnected.*"),
    pytest.mark.filterwarnings("ignore:The alternative hypothesis:DeprecationWarning"),  # esda crand
    pytest.mark.filterwarnings("ignore:`row_stack` alias:DeprecationWarning"),  # esda crand
]

TOL = 1e-10
QCODE = {"HH": 1, "LH": 2, "LL": 3, "HL": 4}  # esda's q


def _paper():
    """The paper's scores (x) and a second variable: the scores of the previous year (y)."""
    Y = datasets.load_ran2025_scores(wide=True)
    Y.index = [regions.normalize(r) for r in Y.index]
    X = Y.iloc[:, 1:]
    Z = Y.iloc[:, :-1].set_axis(X.columns, axis=1) ** 2
    return X, Z, lambda: regions.contiguity(list(Y.index), island="guangdong")


def _lattice():
    w = lat2W(7, 8)
    rng = np.random.default_rng(1)
    trend = np.arange(w.n)[:, None] / 20
    X = rng.lognormal(size=(w.n, 3)) + trend
    Z = rng.normal(size=(w.n, 3)) - trend
    cols = [2001, 2002, 2003]
    ids = list(w.id_order)
    return pd.DataFrame(X, index=ids, columns=cols), pd.DataFrame(Z, index=ids, columns=cols), lambda: lat2W(7, 8)


DATA = {"paper": _paper, "lattice": _lattice}


def _year(out, year, col):
    return out.loc[out["year"] == year, col].to_numpy()


# ---------------------------------------------------------------------------------- I vs esda
@pytest.mark.parametrize("data", sorted(DATA))
@pytest.mark.parametrize("transform", ["r", "b"])
def test_statistics_equal_esda_every_year(data, transform):
    X, Z, make_w = DATA[data]()
    w = make_w()
    g = moran_bv_global(X, Z, w, permutations=0, transform=transform)
    lo = moran_bv_local(X, Z, w, permutations=0, transform=transform)
    assert w.transform == "O"  # the caller's W is untouched
    for year in X.columns:
        x, y = X[year].to_numpy(), Z[year].to_numpy()
        e = esda.Moran_BV(x, y, make_w(), transformation=transform, permutations=0)
        assert g.loc[g["year"] == year, "I"].item() == pytest.approx(e.I, abs=TOL)
        el = esda.Moran_Local_BV(x, y, make_w(), transformation=transform, permutations=0)
        np.testing.assert_allclose(_year(lo, year, "I"), el.Is, rtol=0, atol=TOL)
        assert [QCODE[q] for q in _year(lo, year, "quadrant")] == el.q.tolist()
        # the standardised x and the lag of the standardised y, as esda's zx and W zy
        np.testing.assert_allclose(_year(lo, year, "z"), el.zx, atol=TOL)
        np.testing.assert_allclose(_year(lo, year, "lag"), libpysal.weights.lag_spatial(el.w, el.zy), atol=TOL)
    assert list(g.columns) == ["year", "I", "z", "p_norm", "p_sim", "z_sim", "n", "n_islands"]
    assert list(lo.columns) == ["region", "year", "I", "z", "lag", "quadrant", "p_sim", "cluster"]
    assert lo["region"].tolist() == list(X.index) * X.shape[1]
    assert g[["p_sim", "z_sim"]].isna().all().all() and lo["p_sim"].isna().all() and (lo["cluster"] == "").all()


def test_y_is_reordered_to_x():
    X, Z, make_w = _lattice()
    a = moran_bv_local(X, Z, make_w(), permutations=9)
    b = moran_bv_local(X, Z.iloc[::-1, ::-1], make_w(), permutations=9)
    pd.testing.assert_frame_equal(a, b)


# ------------------------------------------------------------------------------- global inference
def _small():
    """n = 7 regions with unequal neighbourhoods (exact enumeration of 7! = 5040 permutations)."""
    w = lat2W(2, 3)
    neigh = {i: list(v) for i, v in w.neighbors.items()}
    neigh[6] = [0, 1, 4]
    for j in neigh[6]:
        neigh[j] = neigh[j] + [6]
    w = W(neigh, silence_warnings=True)
    x = np.array([3.0, 1.0, 4.0, 1.5, 5.0, 9.0, 2.6])
    y = np.array([2.0, 7.0, 1.0, 8.0, 2.8, 1.8, 2.9])
    return w, x, y


def _exact_global(w, x, y):
    """I under every permutation of y (x fixed), row-standardised, by esda's formula."""
    Wm = w.full()[0]
    Wm = Wm / Wm.sum(axis=1, keepdims=True)
    zx = (x - x.mean()) / x.std(ddof=1)
    zy = (y - y.mean()) / y.std(ddof=1)
    n = len(x)
    return np.array([zx @ Wm @ zy[list(p)] / (n - 1) for p in itertools.permutations(range(n))])


def test_global_z_is_the_exact_randomisation_z():
    w, x, y = _small()
    sims = _exact_global(w, x, y)
    Y = pd.DataFrame({2000: x}, index=list(w.id_order))
    Zd = pd.DataFrame({2000: y}, index=list(w.id_order))
    g = moran_bv_global(Y, Zd, w, permutations=0).iloc[0]
    assert sims.mean() == pytest.approx(0.0, abs=1e-12)  # E[I] = 0 exactly
    assert g["I"] == pytest.approx(sims[0], abs=TOL)  # the identity permutation comes first
    assert g["z"] == pytest.approx(g["I"] / sims.std(), abs=1e-9)
    from scipy import stats

    assert g["p_norm"] == pytest.approx(2 * stats.norm.sf(abs(g["z"])), abs=1e-12)


@pytest.mark.parametrize("alternative", ["greater", "two-sided", "directed"])
def test_global_p_sim_exact_enumeration(alternative):
    w, x, y = _small()
    sims = _exact_global(w, x, y)
    obs = sims[0]
    ge, le = np.mean(sims >= obs - 1e-12), np.mean(sims <= obs + 1e-12)
    exact = {"greater": ge, "two-sided": min(1.0, 2 * min(ge, le)), "directed": min(ge, 1 - ge)}[alternative]
    Y = pd.DataFrame({2000: x}, index=list(w.id_order))
    Zd = pd.DataFrame({2000: y}, index=list(w.id_order))
    R = 20000
    p = moran_bv_global(Y, Zd, w, permutations=R, seed=4, alternative=alternative)["p_sim"].item()
    assert abs(p - exact) < 5 * np.sqrt(max(exact * (1 - exact), 1e-4) * 2 / R) + 2 / (R + 1), (p, exact)


@pytest.mark.parametrize("data", sorted(DATA))
def test_global_p_sim_vs_esda_within_sampling_error(data):
    X, Z, make_w = DATA[data]()
    R = 2999
    ours = moran_bv_global(X, Z, make_w(), permutations=R, seed=3, alternative="directed")
    np.random.seed(11)  # esda's Moran_BV draws from numpy's global state
    for year in X.columns[:3]:
        e = esda.Moran_BV(X[year].to_numpy(), Z[year].to_numpy(), make_w(), permutations=R)
        row = ours[ours["year"] == year].iloc[0]
        sd = np.sqrt(2 * e.p_sim * (1 - e.p_sim) / R)
        assert abs(row["p_sim"] - e.p_sim) < 5 * sd + 3 / (R + 1), (year, row["p_sim"], e.p_sim)
        # the permutation sd of I agrees with the exact randomisation sd (sampling error of an sd)
        assert row["I"] / row["z"] == pytest.approx(e.seI_sim, rel=5 / np.sqrt(2 * R))
        assert row["z_sim"] == pytest.approx(e.z_sim, rel=10 / np.sqrt(R), abs=0.15)


# -------------------------------------------------------------------------------- local inference
def test_local_p_sim_exact_conditional_enumeration():
    w, x, y = _small()
    n = len(x)
    Y = pd.DataFrame({2000: x}, index=list(w.id_order))
    Zd = pd.DataFrame({2000: y}, index=list(w.id_order))
    R = 20000
    lo = moran_bv_local(Y, Zd, w, permutations=R, seed=9, alternative="greater")
    two = moran_bv_local(Y, Zd, w, permutations=R, seed=9)
    zx = (x - x.mean()) / x.std()
    zy = (y - y.mean()) / y.std()
    for i in range(n):
        nb = w.neighbors[i]
        k = len(nb)
        others = [j for j in range(n) if j != i]
        obs = (n - 1) * zx[i] * zy[nb].mean() / n
        sims = np.array([(n - 1) * zx[i] * zy[list(d)].mean() / n for d in itertools.permutations(others, k)])
        assert lo["I"].iloc[i] == pytest.approx(obs, abs=TOL)
        ge, le = np.mean(sims >= obs - 1e-12), np.mean(sims <= obs + 1e-12)
        assert abs(lo["p_sim"].iloc[i] - ge) < 5 * np.sqrt(ge * (1 - ge) / R) + 2 / (R + 1), i
        exact_two = min(1.0, 2 * min(ge, le))
        assert abs(two["p_sim"].iloc[i] - exact_two) < 10 * np.sqrt(0.25 / R) + 2 / (R + 1), i


_ESDA_LOCAL_BV = """
import json, sys, warnings
import numpy as np
import esda, esda.crand
from libpysal.weights import W
esda.crand.boolean = np.bool_  # numba's boolean is no numpy dtype when the JIT is disabled
warnings.simplefilter("ignore")
cfg = json.load(sys.stdin)
w = W({int(k): v for k, v in cfg["neighbors"].items()}, silence_warnings=True)
X, Z = np.asarray(cfg["X"]), np.asarray(cfg["Z"])
out = [list(map(float, esda.Moran_Local_BV(X[:, t], Z[:, t], W(w.neighbors, silence_warnings=True),
                                          permutations=cfg["R"], seed=cfg["seed"]).p_sim))
       for t in range(X.shape[1])]
print(json.dumps(out))
"""


def _esda_local_bv_p(X, Z, w, R, seed):
    """esda.Moran_Local_BV's p_sim in a subprocess with numba's JIT disabled (its compile takes ~40 s;
    the pure-Python path is the same algorithm)."""
    import json
    import os
    import subprocess
    import sys

    ids = list(X.index)
    pos = {r: k for k, r in enumerate(ids)}
    neighbors = {k: [pos[j] for j in w.neighbors[r]] for k, r in enumerate(ids)}
    proc = subprocess.run([sys.executable, "-c", _ESDA_LOCAL_BV], capture_output=True, text=True, timeout=300,
                          env=dict(os.environ, NUMBA_DISABLE_JIT="1"),
                          input=json.dumps({"X": X.to_numpy().tolist(), "Z": Z.loc[ids].to_numpy().tolist(),
                                            "neighbors": neighbors, "R": R, "seed": seed}))
    assert proc.returncode == 0, f"esda reference run failed: {proc.stderr[-500:]}"
    return np.asarray(json.loads(proc.stdout))


@pytest.mark.parametrize("data", sorted(DATA))
def test_local_p_sim_vs_esda_within_sampling_error(data):
    """Directed p_sim against esda's Moran_Local_BV (different draws). With row-standardised contiguity a
    random draw reproduces the observed lag exactly with probability 1/C(n − 1, k_i) (the neighbours
    themselves are drawn); esda counts such exact ties on one side or the other by rounding, nqpf on both
    (module notes of nqpf.spatial._inference), so the two may differ by up to that tie mass (1/28 for
    the province with one neighbour, Hainan)."""
    from math import comb

    X, Z, make_w = DATA[data]()
    X, Z = X.iloc[:, :2], Z.iloc[:, :2]
    w = make_w()
    R = 4999
    ref = _esda_local_bv_p(X, Z, w, R, seed=1)
    ours = moran_bv_local(X, Z, w, permutations=R, seed=2, alternative="directed")
    n = X.shape[0]
    tie = np.array([1 / comb(n - 1, len(w.neighbors[r])) for r in X.index])
    diffs = []
    for k, year in enumerate(X.columns):
        p = _year(ours, year, "p_sim")
        sd = np.sqrt(2 * ref[k] * (1 - ref[k]) / R)
        assert np.all(np.abs(p - ref[k]) < 5 * sd + 3 / (R + 1) + tie), year
        diffs.append(p - ref[k])
    assert abs(np.concatenate(diffs).mean()) < 0.005  # no systematic difference


def test_clusters_correction_seed_and_islands():
    base = lat2W(6, 6)
    neigh = {i: [j for j in base.neighbors[i] if j != 7] for i in base.id_order}
    neigh[7] = []  # an island
    w = W(neigh, silence_warnings=True)
    rng = np.random.default_rng(5)
    t = np.arange(36.0)[:, None]
    X = pd.DataFrame(t + rng.normal(0, 3, (36, 2)), columns=[2019, 2020])
    Z = pd.DataFrame(t + rng.normal(0, 3, (36, 2)), columns=[2019, 2020])
    a = moran_bv_local(X, Z, w, permutations=999, seed=7)
    pd.testing.assert_frame_equal(a, moran_bv_local(X, Z, w, permutations=999, seed=7))
    assert not np.allclose(a["p_sim"].fillna(0), moran_bv_local(X, Z, w, permutations=999, seed=8)["p_sim"].fillna(0))
    isl = a[a["region"] == 7]
    assert isl["p_sim"].isna().all() and (isl["quadrant"] == "").all() and (isl["cluster"] == "").all()
    assert (a.loc[a["region"] != 7, "quadrant"] != "").all()
    assert (a["cluster"] != "").sum() > 0
    assert (a["cluster"] == np.where(a["p_sim"] <= 0.05, a["quadrant"], "")).all()
    for corr in ("fdr", "bonferroni"):
        c = moran_bv_local(X, Z, w, permutations=999, seed=7, correction=corr)
        pd.testing.assert_frame_equal(c.drop(columns="cluster"), a.drop(columns="cluster"))
        P = a["p_sim"].to_numpy().reshape(2, 36).T
        q = adjust_p(P, corr).T.ravel()  # per year, the island not counted
        assert (c["cluster"] == np.where(q <= 0.05, a["quadrant"], "")).all()
        assert c.attrs["correction"] == corr
    # the global statistic keeps the island in n (lag 0)
    g = moran_bv_global(X, Z, w, permutations=0)
    assert (g["n"] == 36).all() and (g["n_islands"] == 1).all()


def test_constant_year_is_nan_with_a_warning():
    X, Z, make_w = _lattice()
    Z[2002] = 3.0
    with pytest.warns(UserWarning, match=r"\[2002\]"):
        g = moran_bv_global(X, Z, make_w(), permutations=19)
    with pytest.warns(UserWarning, match=r"\[2002\]"):
        lo = moran_bv_local(X, Z, make_w(), permutations=19)
    assert g.loc[g["year"] == 2002, ["I", "z", "p_norm", "p_sim", "z_sim"]].isna().all().all()
    assert g.loc[g["year"] != 2002, ["I", "z", "p_sim"]].notna().all().all()
    one = lo[lo["year"] == 2002]
    assert one[["I", "z", "lag", "p_sim"]].isna().all().all() and (one["quadrant"] == "").all()
    # the other years are those of a run without the constant year (same draws)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ref = moran_bv_global(X[[2001, 2003]], Z[[2001, 2003]], make_w(), permutations=19)
    pd.testing.assert_frame_equal(g[g["year"] != 2002].reset_index(drop=True), ref)


@pytest.mark.parametrize("kw, match", [
    ({"permutations": -1}, "permutations must be a whole number"),
    ({"seed": 1.5}, "seed must be a whole number"),
    ({"alternative": "both"}, "alternative must be one of"),
    ({"transform": "q"}, "transform must be one of"),
])
def test_bad_options(kw, match):
    X, Z, make_w = _lattice()
    for fn in (moran_bv_global, moran_bv_local):
        with pytest.raises(InputError, match=match) as exc:
            fn(X, Z, make_w(), **kw)
        assert "\n" not in str(exc.value) and str(exc.value).startswith(fn.__name__)


def test_bad_inputs():
    X, Z, make_w = _lattice()
    w = make_w()
    with pytest.raises(InputError, match="same regions"):
        moran_bv_global(X, Z.iloc[1:], w)
    with pytest.raises(InputError, match="same years"):
        moran_bv_local(X, Z[[2001, 2002]], w)
    with pytest.raises(InputError, match="must be a DataFrame"):
        moran_bv_global(X, Z[2001], w)
    Zn = Z.copy()
    Zn.iloc[2, 1] = np.nan
    with pytest.raises(InputError, match="missing values"):
        moran_bv_global(X, Zn, w)
    with pytest.raises(InputError, match="alpha must be"):
        moran_bv_local(X, Z, w, alpha=0)
    with pytest.raises(InputError, match="correction must be"):
        moran_bv_local(X, Z, w, correction="holm")


# ----------------------------------------------------------------------------- the family
def _covariates(Y, seed=0):
    rng = np.random.default_rng(seed)
    long = Y.stack().rename("score").reset_index()
    long.columns = ["region", "year", "score"]
    long["gdp"] = long["score"] * 3 + rng.normal(0, 0.02, len(long))
    long["pop"] = rng.lognormal(size=len(long))
    return long.drop(columns="score")


@pytest.fixture(scope="module")
def bv_results():
    from nqpf.pipeline import analyze

    Y = datasets.load_ran2025_scores(wide=True)
    return analyze(Y, "china-provinces", permutations=99, analyses=("spatial", "bivariate"),
                   extras={"covariates": _covariates(Y)}, options={"bivariate.correction": "fdr"})


def test_family_tables_equal_the_kernels(bv_results):
    res = bv_results
    gt, lt = res.table("moran_bv_global"), res.table("moran_bv_local")
    assert list(gt.columns) == ["variable", "year", "I", "z", "p_norm", "p_sim", "z_sim", "n", "n_islands"]
    assert list(lt.columns) == ["variable", "region", "year", "I", "z", "lag", "p_sim", "quadrant", "cluster"]
    assert res["moran_bv_global"].section == res["moran_bv_local"].section == "spatial"
    assert res["moran_bv_local"].long and res["moran_bv_local"].significant == "cluster"
    assert res.params["bivariate_variables"] == ["gdp", "pop"]  # every covariate by default
    cov = _covariates(datasets.load_ran2025_scores(wide=True))
    cov["region"] = [regions.normalize(r) for r in cov["region"]]
    for v in ("gdp", "pop"):
        V = cov.pivot(index="region", columns="year", values=v).reindex(index=res.Y.index, columns=res.Y.columns)
        g = moran_bv_global(res.Y, V, res.w, permutations=99, seed=12345)
        lo = moran_bv_local(res.Y, V, res.w, permutations=99, seed=12345, correction="fdr")
        pd.testing.assert_frame_equal(gt[gt["variable"] == v].drop(columns="variable").reset_index(drop=True), g)
        pd.testing.assert_frame_equal(lt[lt["variable"] == v].drop(columns="variable").reset_index(drop=True),
                                      lo[list(lt.columns[1:])])
    # the score and a noisy multiple of itself: strongly positive, as the univariate Moran's I
    I_gdp = gt[gt["variable"] == "gdp"].set_index("year")["I"]
    I_uni = res.table("moran_global").set_index("year")["I"]
    np.testing.assert_allclose(I_gdp, I_uni, atol=0.05)


def test_family_texts_and_params(bv_results):
    from nqpf.i18n import catalogue

    res = bv_results
    keys = {"section.spatial", "conv.moran_bv", "convtext.moran_bv", "meta.bivariate_variables",
            "meta.bivariate_lagged", "meta.bivariate_correction", "value.lag_variable", "value.lag_score",
            "methods.moran_bv.heading", "methods.moran_bv.text", "methods.moran_bv.lag_variable",
            "methods.moran_bv.lag_score", "cat.quadrant.HH"}
    for key in ("moran_bv_global", "moran_bv_local"):
        keys |= {res[key].caption_key, f"table.{key}"} | {c.label_key for c in res[key].columns}
    for lang in ("zh", "en"):
        missing = sorted(k for k in keys if k not in catalogue(lang))
        assert not missing, (lang, missing)
        assert all(len(catalogue(lang)[f"table.{k}"]) <= 31 for k in ("moran_bv_global", "moran_bv_local"))
    text = " ".join(res["methods_moran_bv"].texts("en"))
    assert "false discovery rate" in text and "neighbours' other variable" in text and "{" not in text
    assert res.params["bivariate_lagged"] == "lag_variable" and res.params["bivariate_correction"] == "fdr"
    assert "moran_bv" in res.params["conventions"]


def test_family_sub_indices_lagged_score_and_errors():
    from nqpf.analyses.scores import scores_table
    from nqpf.pipeline import analyze

    Y = datasets.load_ran2025_scores(wide=True)
    codes = [regions.normalize(r) for r in Y.index]
    long = Y.set_axis(codes).stack().rename("score").reset_index()
    long.columns = ["region", "year", "score"]
    long["year"] = long["year"].astype(int)
    rng = np.random.default_rng(2)
    long["criterion:A"] = long["score"] * rng.uniform(0.5, 1.5, len(long))
    long["criterion:B"] = rng.uniform(size=len(long))
    long["dimension:C"] = rng.uniform(size=len(long))  # a lower level: named, never by default
    long["rank"] = long.groupby("year")["score"].rank(ascending=False).astype(int)
    items = scores_table(long)
    res = analyze(Y, "china-provinces", permutations=19, analyses=("bivariate",), index_items=items,
                  options={"bivariate.lagged": "score"})
    assert res.params["bivariate_variables"] == ["criterion:A", "criterion:B"]  # the first level by default
    assert res["moran_bv_global"].column("variable").kind == "item"
    A = long.pivot(index="region", columns="year", values="criterion:A").reindex(index=res.Y.index)
    ref = moran_bv_global(A, res.Y, res.w, permutations=19, seed=12345)  # lagged score: x = the sub-index
    got = res.table("moran_bv_global")
    pd.testing.assert_frame_equal(got[got["variable"] == "criterion:A"].drop(columns="variable")
                                  .reset_index(drop=True), ref)
    one = analyze(Y, "china-provinces", permutations=0, analyses=("bivariate",), index_items=items,
                  options={"bivariate.variables": ["rank", "dimension:C"]})
    assert one.table("moran_bv_local")["variable"].unique().tolist() == ["rank", "dimension:C"]
    with pytest.raises(InputError, match="unknown variable 'criterion:C'; did you mean 'criterion:[AB]'"):
        analyze(Y, "china-provinces", permutations=0, analyses=("bivariate",), index_items=items,
                options={"bivariate.variables": ["criterion:C"]})
    with pytest.raises(InputError, match="no variable to relate the score to"):
        analyze(Y, "china-provinces", permutations=0, analyses=("bivariate",))
    cov = _covariates(Y)
    with pytest.raises(InputError, match="variable 'gdp'.*missing values"):
        analyze(Y, "china-provinces", permutations=0, analyses=("bivariate",),
                extras={"covariates": cov[cov["year"] != 2015]})
    with pytest.raises(InputError, match="region, year"):
        analyze(Y, "china-provinces", permutations=0, analyses=("bivariate",),
                extras={"covariates": cov.rename(columns={"year": "yr"})})
