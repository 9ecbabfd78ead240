"""Kernel density evolution (``nqpf.dynamics.kde``, family ``density``, figures ``nqpf.plot.kde``).

References: the Gaussian estimate is SciPy's ``gaussian_kde`` with the same bandwidth (``bw_method =
h / s``, so its kernel covariance is h²); the Epanechnikov estimate is statsmodels' ``Epanechnikov``
kernel (support ±1) with bandwidth √5·h and a case computed by hand; bandwidth rules are statsmodels'
``bw_silverman`` / ``bw_scott``; skewness is ``scipy.stats.skew``; the number of peaks and the width at
half height are SciPy's ``signal.find_peaks`` / ``signal.peak_widths`` on the same grid.
"""
from __future__ import annotations

import hashlib
import math
import time
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, signal, stats
from scipy.stats import gaussian_kde

from nqpf.datasets import load_ran2025_scores
from nqpf.dynamics import kde as K
from nqpf.dynamics.kde import bandwidths, common_grid, evaluate, kernel_density
from nqpf.errors import InputError

YEARS = list(range(2010, 2021))


@pytest.fixture(scope="module")
def paper():
    """The paper's Table 2 (29 provinces × 2010–2020) and the NBS four regions."""
    from nqpf import regions

    Y = load_ran2025_scores(wide=True)
    groups = {r: regions.group_code(regions.normalize(r)) for r in Y.index}
    return Y, groups


@pytest.fixture(scope="module")
def paper_kde(paper):
    Y, groups = paper
    return kernel_density(Y, groups)


def _curve(res, group, year):
    d = res.density
    one = d[(d["group"] == group) & (d["year"] == year)]
    return one["x"].to_numpy(), one["density"].to_numpy()


# ------------------------------------------------------------------------- against references
def test_gaussian_equals_scipy_gaussian_kde(paper, paper_kde):
    Y, groups = paper
    f = paper_kde.features
    sets = {"all": list(Y.index)}
    for g in set(groups.values()):
        sets[g] = [r for r in Y.index if groups[r] == g]
    checked = 0
    for g, regs in sets.items():
        for y in YEARS:
            data = Y.loc[regs, y].to_numpy(dtype=float)
            h = f.loc[(f["group"] == g) & (f["year"] == y), "bandwidth"].item()
            x, d = _curve(paper_kde, g, y)
            ref = gaussian_kde(data, bw_method=h / data.std(ddof=1))(x)
            np.testing.assert_allclose(d, ref, rtol=1e-10, atol=1e-12)
            checked += 1
    assert checked == 5 * len(YEARS)


def test_bandwidth_rules_equal_statsmodels(paper):
    from statsmodels.nonparametric.bandwidths import bw_scott, bw_silverman

    Y, _ = paper
    X = Y.to_numpy(dtype=float)
    ref_silv = [bw_silverman(X[:, j]) for j in range(X.shape[1])]
    ref_scott = [bw_scott(X[:, j]) for j in range(X.shape[1])]
    np.testing.assert_allclose(bandwidths(X, "silverman"), ref_silv, rtol=1e-12)
    np.testing.assert_allclose(bandwidths(X, "scott"), ref_scott, rtol=1e-12)
    # with ties making the IQR 0, A falls back to the standard deviation (statsmodels' _select_sigma)
    tied = np.array([[1.0], [2.0], [2.0], [2.0], [2.0], [2.0], [9.0]])
    assert bandwidths(tied, "silverman")[0] == pytest.approx(bw_silverman(tied[:, 0]), rel=1e-12)
    assert bandwidths(tied, 0.3).tolist() == [0.3]


def test_epanechnikov_by_hand():
    """Data 0, 1, 3; h = 1 (the kernel's SD; support ±√5). At x = 0.5: u = 0.5, −0.5, −2.5 → weights
    3/(4√5)·(1 − 0.25/5) twice and 0 → f = (2 · 0.95 · 3/(4√5)) / 3 = 0.95 / (2√5). At x = 2: u = 2,
    1, −1 → 3/(4√5)·[(1 − 4/5) + 2·(1 − 1/5)] / 3 = 3/(4√5) · 1.8 / 3. At x = 5.5: all |u| > √5 → 0."""
    X = np.array([[0.0], [1.0], [3.0]])
    got = evaluate(X, np.array([0.5, 2.0, 5.5]), np.array([1.0]), "epanechnikov")[0]
    c = 3 / (4 * math.sqrt(5))
    assert got[0] == pytest.approx(0.95 / (2 * math.sqrt(5)), rel=1e-14)
    assert got[1] == pytest.approx(c * 1.8 / 3, rel=1e-14)
    assert got[2] == 0.0


def test_epanechnikov_equals_statsmodels_kernel(paper):
    from statsmodels.sandbox.nonparametric.kernels import Epanechnikov

    Y, _ = paper
    res = kernel_density(Y, kernel="epanechnikov", bandwidth="scott")
    shifted = kernel_density(Y - 1.0, kernel="epanechnikov", bandwidth="scott")
    f = res.features
    for y in (2010, 2015, 2020):
        data = Y[y].to_numpy(dtype=float)
        h = f.loc[f["year"] == y, "bandwidth"].item()
        x, d = _curve(res, "all", y)
        ker = Epanechnikov(h=math.sqrt(5) * h)   # statsmodels' kernel has support ±1: bandwidth √5·h
        ref = np.array([np.nan_to_num(np.ravel(ker.density(data, p))[0]) for p in x[::7]])
        np.testing.assert_allclose(d[::7], ref, rtol=1e-10, atol=1e-13)
        # and it integrates to 1 over a grid not cut at 0 (scores shifted below 0; the paper's scores are
        # non-negative, so their grid starts at 0 and the kernel mass below 0 is not drawn)
        xs, ds = _curve(shifted, "all", y)
        assert integrate.trapezoid(ds, xs) == pytest.approx(1.0, abs=2e-3)
        assert integrate.trapezoid(d, x) < integrate.trapezoid(ds, xs)


def test_features_against_scipy_signal(paper, paper_kde):
    """n_peaks = scipy.signal.find_peaks with height ≥ 10 % of the highest; the width at half height =
    scipy.signal.peak_widths of the main peak at half its height (linear interpolation between grid
    points in both); peak location and height = the grid maximum."""
    Y, _ = paper
    f = paper_kde.features.set_index(["group", "year"])
    for (g, y), row in f.iterrows():
        x, d = _curve(paper_kde, g, y)
        pk, _ = signal.find_peaks(d, height=0.1 * d.max())
        assert row["n_peaks"] == len(pk), (g, y)
        i = int(np.argmax(d))
        assert row["peak_x"] == x[i] and row["peak_density"] == d[i]
        # reference height d[i] − 0.5 · prominence with the prominence set to the height: half height
        full = (np.array([d[i]]), np.array([0]), np.array([d.size - 1]))
        w = signal.peak_widths(d, [i], rel_height=0.5, prominence_data=full)[0][0] * (x[1] - x[0])
        assert row["width_half_height"] == pytest.approx(w, rel=1e-10)
    # the paper's national distribution: one main peak at the low scores, skewed right, long right tail
    a = f.loc["all"]
    assert (a["skewness"] > 1).all() and (a["tail_right"] > 4 * a["tail_left"]).all()


def test_skewness_and_tails(paper, paper_kde):
    Y, groups = paper
    f = paper_kde.features
    east = [r for r in Y.index if groups[r] == "east"]
    for g, regs in (("all", list(Y.index)), ("east", east)):
        sub = f[f["group"] == g].set_index("year")
        X = Y.loc[regs]
        np.testing.assert_allclose(sub["skewness"], stats.skew(X.to_numpy(), axis=0, bias=True), rtol=1e-12)
        np.testing.assert_allclose(sub["tail_right"], X.max() - sub["peak_x"], rtol=1e-12)
        np.testing.assert_allclose(sub["tail_left"], sub["peak_x"] - X.min(), rtol=1e-12)
        np.testing.assert_allclose(sub["tail_right_sd"], (X.max() - X.mean()) / X.std(ddof=1), rtol=1e-12)
        assert (sub["n"] == len(regs)).all()


def test_constructed_two_peaks():
    """One region at 0 and nine at 10 with h = 1: two Gaussian bumps of heights 0.1 and 0.9 times
    1/√(2π) (the tails overlap by e^{-50}); the minor one is 1/9 ≈ 11 % of the main: a peak at the
    10 % threshold, not at 12 %. The width at half height of one Gaussian is 2√(2 ln 2)·h."""
    Y = pd.DataFrame({2000: [0.0] + [10.0] * 9}, index=[f"r{i}" for i in range(10)])
    res = kernel_density(Y, bandwidth=1.0, grid=4001)
    row = res.features.iloc[0]
    step = res.density["x"].diff().iloc[1]
    assert row["n_peaks"] == 2
    assert row["peak_x"] == pytest.approx(10.0, abs=step / 2)
    assert row["peak_density"] == pytest.approx(0.9 / math.sqrt(2 * math.pi), rel=1e-5)
    assert row["width_half_height"] == pytest.approx(2 * math.sqrt(2 * math.log(2)), rel=1e-4)
    assert row["bandwidth_rule"] == "given" and row["bandwidth"] == 1.0
    assert kernel_density(Y, bandwidth=1.0, grid=4001, peak_threshold=0.12).features["n_peaks"].item() == 1


# ------------------------------------------------------------------------------ conventions
def test_common_grid_rule(paper, paper_kde):
    Y, groups = paper
    f = paper_kde.features
    d = paper_kde.density
    grids = d.groupby(["group", "year"])["x"].apply(lambda s: tuple(s.round(15)))
    assert grids.nunique() == 1 and len(grids.iloc[0]) == K.GRID
    lo, hi = np.inf, -np.inf
    for (g, y), h in f.set_index(["group", "year"])["bandwidth"].items():
        regs = list(Y.index) if g == "all" else [r for r in Y.index if groups[r] == g]
        lo, hi = min(lo, Y.loc[regs, y].min() - 3 * h), max(hi, Y.loc[regs, y].max() + 3 * h)
    x = np.array(grids.iloc[0])
    assert lo < 0 <= Y.to_numpy().min()
    lo = 0.0     # non-negative scores: the grid starts at 0 (no curve below a score of 0)
    assert x[0] == lo and x[-1] == pytest.approx(hi, rel=1e-12)
    np.testing.assert_allclose(np.diff(x), (hi - lo) / (K.GRID - 1), rtol=1e-9)
    assert list(dict.fromkeys(d["group"])) == ["all", "west", "central", "northeast", "east"]  # as met in Y
    assert set(f["kernel"]) == {"gaussian"} and set(f["bandwidth_rule"]) == {"silverman"}
    assert set(f["status"]) == {"ok"}


def test_blocks_do_not_change_the_result(monkeypatch, paper):
    """Every year at once in one block, or one year and a few regions per block: the same numbers."""
    Y, _ = paper
    X = Y.to_numpy(dtype=float)
    h = bandwidths(X)
    x = np.linspace(-0.1, 0.9, 57)
    whole = evaluate(X, x, h)
    monkeypatch.setattr(K, "_BLOCK", 5 * x.size)
    pieces = evaluate(X, x, h)
    np.testing.assert_allclose(pieces, whole, rtol=1e-13, atol=1e-15)
    loop = np.vstack([evaluate(X[:, [j]], x, h[[j]]) for j in range(X.shape[1])])
    np.testing.assert_allclose(loop, whole, rtol=1e-13, atol=1e-15)


def test_county_sized_panel_is_fast():
    """2,848 regions × 20 years × 200 grid points, nationally and in four groups, well within a second
    or so (the per-year SciPy loop is timed in benchmarks/dynamics_kde.py)."""
    rng = np.random.default_rng(7)
    Y = pd.DataFrame(rng.lognormal(-1.5, 0.5, (2848, 20)), columns=range(2001, 2021))
    groups = dict(zip(Y.index, rng.choice(["a", "b", "c", "d"], 2848)))
    kernel_density(Y.iloc[:50, :2])  # warm-up
    t0 = time.perf_counter()
    res = kernel_density(Y, groups)
    took = time.perf_counter() - t0
    assert len(res.density) == 5 * 20 * 200 and res.features["status"].eq("ok").all()
    assert took < 4.0, took


# ------------------------------------------------------------------------------ degenerate input
def test_constant_year_is_nan_and_warned():
    Y = pd.DataFrame({2000: [0.2, 0.3, 0.5, 0.4], 2001: [0.3] * 4}, index=list("abcd"))
    with pytest.warns(UserWarning, match=r"same score in all 2001.*undefined"):
        res = kernel_density(Y)
    f = res.features.set_index("year")
    assert f.loc[2001, "status"] == "constant" and np.isnan(f.loc[2001, "bandwidth"])
    assert f.loc[2001, ["peak_x", "peak_density", "width_half_height", "skewness"]].isna().all()
    assert pd.isna(f.loc[2001, "n_peaks"])
    d = res.density
    assert d.loc[d["year"] == 2001, "density"].isna().all() and d.loc[d["year"] == 2001, "x"].notna().all()
    assert d.loc[d["year"] == 2000, "density"].notna().all() and f.loc[2000, "status"] == "ok"
    # with a given bandwidth the density is one Gaussian kernel at the common score; skewness NaN
    with pytest.warns(UserWarning, match="one kernel"):
        res = kernel_density(Y, bandwidth=0.05)
    x, dd = _curve(res, "all", 2001)
    np.testing.assert_allclose(dd, stats.norm.pdf(x, 0.3, 0.05), rtol=1e-12)
    assert np.isnan(res.features.set_index("year").loc[2001, "skewness"])


def test_small_group_is_nan_and_warned():
    Y = pd.DataFrame({2000: [0.2, 0.3, 0.5, 0.4, 0.6], 2001: [0.3, 0.2, 0.6, 0.5, 0.7]}, index=list("abcde"))
    with pytest.warns(UserWarning, match=r"fewer than 3 regions in group\(s\) y \(2 regions\)"):
        res = kernel_density(Y, {"a": "x", "b": "x", "c": "x", "d": "y", "e": "y"})
    f = res.features
    assert (f.loc[f["group"] == "y", "status"] == "too_few").all()
    assert f.loc[f["group"] == "y", ["bandwidth", "peak_x", "skewness"]].isna().all().all()
    assert res.density.loc[res.density["group"] == "y", "density"].isna().all()
    assert (f.loc[f["group"] != "y", "status"] == "ok").all()


@pytest.mark.parametrize("kw, match", [
    ({"kernel": "triangular"}, "unknown kernel"),
    ({"bandwidth": "sheather"}, "unknown bandwidth"),
    ({"bandwidth": -0.1}, "positive number"),
    ({"bandwidth": 0}, "positive number"),
    ({"grid": 2}, "grid"),
    ({"peak_threshold": 1.5}, "peak_threshold"),
])
def test_bad_options(kw, match):
    Y = pd.DataFrame({2000: [0.2, 0.3, 0.5]}, index=list("abc"))
    with pytest.raises(InputError, match=match):
        kernel_density(Y, **kw)


def test_bad_input():
    Y = pd.DataFrame({2000: [0.2, np.nan, 0.5], 2001: [0.1, 0.2, 0.3]}, index=list("abc"))
    with pytest.raises(InputError, match=r"missing values .*\('b', 2000\)"):
        kernel_density(Y)
    Y = Y.fillna(0.3)
    with pytest.raises(InputError, match="reserved"):
        kernel_density(Y, {"a": "all", "b": "all", "c": "all"})
    with pytest.raises(InputError, match="no group given"):
        kernel_density(Y, {"a": "x"})
    assert np.isnan(common_grid([(np.ones((3, 1)), np.array([np.nan]))], 5)).sum() == 0


# --------------------------------------------------------------------------- the family, end to end
@pytest.fixture(scope="module")
def analysed():
    from nqpf.pipeline import analyze

    with warnings.catch_warnings():
        warnings.simplefilter("error")   # the paper's data are not degenerate: no warning at all
        return analyze(load_ran2025_scores(wide=True), "china-provinces", permutations=99,
                       analyses=("scores", "density", "convergence"))


def test_family_items_and_params(analysed, paper_kde):
    res = analysed
    for key in ("kernel_density", "kernel_density_features", "kde_3d", "kde_overlay", "kde_groups",
                "methods_density"):
        assert key in res
    f = res.table("kernel_density_features")
    assert list(f.columns[:6]) == ["group", "year", "n", "kernel", "bandwidth", "bandwidth_rule"]
    assert list(dict.fromkeys(f["group"])) == ["all", "east", "central", "west", "northeast"]  # canonical
    assert list(res.table("kernel_density").columns) == ["group", "year", "x", "density"]
    # same numbers as the kernel on the user's order of rows (the order of regions does not matter)
    a = f[f["group"] == "all"].reset_index(drop=True)
    b = paper_kde.features[paper_kde.features["group"] == "all"].reset_index(drop=True)
    pd.testing.assert_series_equal(a["bandwidth"], b["bandwidth"], rtol=1e-12)
    assert res.params["density_kernel"] == "gaussian" and res.params["density_bandwidth"] == "silverman"
    assert res.params["density_grid"] == 200 and res.params["density_peak_threshold"] == 0.1
    assert res.params["density_years"] == [2010, 2012, 2015, 2018, 2020]
    assert {"kde", "kde_features"} <= set(res.params["conventions"])
    text = " ".join(res["methods_density"].texts("en"))
    assert "Silverman's rule of thumb" in text and "10%" in text and "200" in text
    hmin = f.loc[f["group"] == "all", "bandwidth"].min()
    assert f"{hmin:.4g}" in text


def test_family_options():
    from nqpf.pipeline import analyze

    Y = load_ran2025_scores(wide=True)
    res = analyze(Y, "china-provinces", permutations=99, analyses=("density",), figure_years=[2011, 2019],
                  options={"density": {"kernel": "epanechnikov", "bandwidth": "0.05", "grid": 50,
                                       "peak_threshold": 0.2}})
    f = res.table("kernel_density_features")
    assert set(f["kernel"]) == {"epanechnikov"} and set(f["bandwidth_rule"]) == {"given"}
    assert (f["bandwidth"] == 0.05).all() and len(res.table("kernel_density")) == 5 * 11 * 50
    assert res.params["density_years"] == [2011, 2019] and res.params["density_bandwidth"] == 0.05
    assert "h = 0.05" in " ".join(res["methods_density"].texts("en"))
    res = analyze(Y, "china-provinces", permutations=99, analyses=("density",),
                  options={"density.years": "2020,2010"})
    assert res.params["density_years"] == [2010, 2020]
    with pytest.raises(InputError, match="not in the data"):
        analyze(Y, "china-provinces", permutations=99, analyses=("density",), options={"density.years": [1999]})
    with pytest.raises(InputError, match="did you mean 'epanechnikov'"):
        analyze(Y, "china-provinces", permutations=99, analyses=("density",), options={"density.kernel": "epanechnikow"})
    with pytest.raises(InputError, match="positive"):
        analyze(Y, "china-provinces", permutations=99, analyses=("density",), options={"density.bandwidth": -1})


def test_family_writes_zh_and_en(analysed, tmp_path):
    """CSV identical in both languages; every figure drawn; headers and codes worded in both."""
    from nqpf.i18n import catalogue

    digests = {}
    for lang in ("zh", "en"):
        out = tmp_path / lang
        analysed.write(out, lang=lang, formats=("csv", "png"))
        digests[lang] = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in (out / "tables").glob("*.csv")}
        for fig in ("kde_3d", "kde_overlay", "kde_groups"):
            png = out / "figures" / f"{fig}.png"
            assert png.stat().st_size > 20_000, fig
        cat = catalogue(lang)
        for key in ("kernel_density", "kernel_density_features"):
            tab = analysed[key]
            assert tab.caption_key in cat and f"table.{key}" in cat and len(cat[f"table.{key}"]) <= 31
            for c in tab.columns:
                assert c.label_key in cat, (lang, c.label_key)
                if c.kind == "code":
                    assert all(f"cat.{c.codes}.{v}" in cat for v in set(tab.data[c.name].astype(str))), c.name
        for fig in ("kde_3d", "kde_overlay", "kde_groups"):
            assert analysed[fig].caption in cat
        assert "section.dynamics" in cat
    assert digests["zh"] == digests["en"] and "kernel_density.csv" in digests["zh"]
    head = (tmp_path / "zh" / "tables" / "kernel_density_features.csv").read_text(encoding="utf-8").splitlines()[:2]
    assert head[0].startswith("group,year,n,kernel,bandwidth,bandwidth_rule,peak_x") and head[1].startswith("all,2010,29,gaussian,")


def test_figures_read_the_table(analysed):
    """The figures draw the table's curves (no re-estimation): the overlay's lines are the table's
    densities of the chosen years; a group's panel says so when its density is undefined."""
    from nqpf.plot.kde import plot_kde_groups, plot_kde_overlay

    d = analysed.table("kernel_density")
    fig = plot_kde_overlay(d, [2010, 2020], lang="en")
    lines = {ln.get_gid(): ln for ln in fig.axes[0].lines}
    assert set(lines) == {"year_2010", "year_2020"}
    np.testing.assert_array_equal(lines["year_2020"].get_ydata(), _curve_table(d, "all", 2020))
    broken = d.copy()
    broken.loc[broken["group"] == "northeast", "density"] = np.nan
    fig = plot_kde_groups(broken, [2010, 2020], lang="en")
    titles = [ax.get_title() for ax in fig.axes if ax.get_visible()]
    assert titles == ["All", "East", "Central", "West", "Northeast"]
    ne = [ax for ax in fig.axes if ax.get_title() == "Northeast"][0]
    assert not ne.lines and any(tx.get_text() == "not estimable" for tx in ne.texts)
    with pytest.raises(InputError, match="needs columns"):
        plot_kde_overlay(d.drop(columns="x"), [2010])


def _curve_table(d, g, y):
    return d.loc[(d["group"] == g) & (d["year"] == y), "density"].to_numpy()
