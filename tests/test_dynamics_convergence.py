"""β convergence (``nqpf.dynamics.convergence``, family ``convergence``).

References: statsmodels ``OLS`` — the cross-section with ``cov_type="HC1"``, the two-way fixed-effects
panel as a regression on region and year dummies with ``cov_type="cluster"`` grouped by region (its
default small-sample correction), both ``use_t=True``; the within R² from the residual sums of squares
of the dummy regressions with and without the regressors; speed and half-life on a panel built to
converge at a known speed.
"""
from __future__ import annotations

import math
import time
import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from nqpf.datasets import load_ran2025_scores
from nqpf.dynamics.convergence import beta_convergence, speed_half_life
from nqpf.errors import InputError


@pytest.fixture(scope="module")
def paper():
    from nqpf import regions

    Y = load_ran2025_scores(wide=True)
    groups = {r: regions.group_code(regions.normalize(r)) for r in Y.index}
    return Y, groups


@pytest.fixture(scope="module")
def controls(paper):
    """Two seeded control variables for every region-year (a trend-like one and noise)."""
    Y, _ = paper
    rng = np.random.default_rng(2024)
    rows = [(r, y, float(np.log(Y.loc[r, y]) + rng.normal(0, 0.3)), float(rng.normal()))
            for r in Y.index for y in Y.columns]
    return pd.DataFrame(rows, columns=["region", "year", "open", "gov"])


def _regions(Y, groups, g):
    return list(Y.index) if g == "all" else [r for r in Y.index if groups[r] == g]


def _ref_cross(Y, regs, C=None, basis="initial"):
    L = np.log(Y.loc[regs].to_numpy(dtype=float))
    T = int(Y.columns[-1]) - int(Y.columns[0])
    X = pd.DataFrame({"const": 1.0, "ln_y0": L[:, 0]}, index=regs)
    if C is not None:
        c = C.set_index(["region", "year"])
        for v in ("open", "gov"):
            wide = c[v].unstack("year").loc[regs]
            X[v] = wide[Y.columns[0]] if basis == "initial" else wide[list(Y.columns[:-1])].mean(axis=1)
    return sm.OLS((L[:, -1] - L[:, 0]) / T, X).fit(cov_type="HC1", use_t=True)


def _panel_frame(Y, regs, C=None):
    """One row per region and year but the last: growth to the next year, log level, controls."""
    L = np.log(Y.loc[regs].astype(float))
    df = pd.DataFrame({"g": (L.shift(-1, axis=1) - L).iloc[:, :-1].stack(),
                       "ln_y": L.iloc[:, :-1].stack()}).rename_axis(["region", "year"]).reset_index()
    if C is not None:
        df = df.merge(C, on=["region", "year"], how="left", validate="one_to_one")
    return df


def _ref_panel(Y, regs, C=None):
    """Dummy-variable regression, clustered by region; and the within R² (1 − SSR / SSR of the
    regression on the dummies alone)."""
    df = _panel_frame(Y, regs, C)
    D = pd.get_dummies(df[["region", "year"]].astype(str), drop_first=True).astype(float)
    regressors = ["ln_y"] + (["open", "gov"] if C is not None else [])
    X = sm.add_constant(pd.concat([df[regressors], D], axis=1))
    fit = sm.OLS(df["g"], X).fit(cov_type="cluster", cov_kwds={"groups": pd.factorize(df["region"])[0]},
                                 use_t=True)
    fe_only = sm.OLS(df["g"], sm.add_constant(D)).fit()
    within_r2 = 1 - fit.ssr / fe_only.ssr
    return fit, within_r2


# ------------------------------------------------------------------------- against statsmodels
def test_absolute_beta_equals_statsmodels(paper):
    Y, groups = paper
    res = beta_convergence(Y, groups)
    tab = res.table.set_index(["model", "group"])
    terms = res.terms.set_index(["model", "group", "term"])
    for g in ("all", "east", "central", "west", "northeast"):
        regs = _regions(Y, groups, g)
        ref = _ref_cross(Y, regs)
        row = tab.loc[("beta_absolute", g)]
        np.testing.assert_allclose([row["beta"], row["se"], row["t"], row["p"], row["r2"]],
                                   [ref.params["ln_y0"], ref.bse["ln_y0"], ref.tvalues["ln_y0"],
                                    ref.pvalues["ln_y0"], ref.rsquared], rtol=1e-10)
        assert row["n"] == len(regs) and row["df"] == len(regs) - 2 and row["se_type"] == "hc1"
        assert terms.loc[("beta_absolute", g, "const"), "coef"] == pytest.approx(ref.params["const"], rel=1e-10)
        assert terms.loc[("beta_absolute", g, "const"), "se"] == pytest.approx(ref.bse["const"], rel=1e-10)

        fit, r2w = _ref_panel(Y, regs)
        row = tab.loc[("beta_panel_fe", g)]
        np.testing.assert_allclose([row["beta"], row["se"], row["t"], row["p"], row["r2"]],
                                   [fit.params["ln_y"], fit.bse["ln_y"], fit.tvalues["ln_y"], fit.pvalues["ln_y"],
                                    r2w], rtol=1e-9)
        assert row["df"] == len(regs) - 1 == fit.df_resid_inference
        assert row["n"] == len(regs) * 10 and row["n_clusters"] == len(regs) and row["se_type"] == "cluster"


@pytest.mark.parametrize("basis", ["initial", "period_mean"])
def test_conditional_beta_equals_statsmodels(paper, controls, basis):
    Y, groups = paper
    with pytest.warns(UserWarning, match=r"beta_conditional northeast \(no_df\)"):
        res = beta_convergence(Y, groups, controls, control_names=["open", "gov"], control_basis=basis)
    tab = res.table.set_index(["model", "group"])
    terms = res.terms.set_index(["model", "group", "term"])
    for g in ("all", "east", "west"):
        regs = _regions(Y, groups, g)
        ref = _ref_cross(Y, regs, controls, basis)
        row = tab.loc[("beta_conditional", g)]
        np.testing.assert_allclose([row["beta"], row["se"], row["p"], row["r2"]],
                                   [ref.params["ln_y0"], ref.bse["ln_y0"], ref.pvalues["ln_y0"], ref.rsquared],
                                   rtol=1e-9)
        for v in ("open", "gov"):
            assert terms.loc[("beta_conditional", g, v), "coef"] == pytest.approx(ref.params[v], rel=1e-9)
            assert terms.loc[("beta_conditional", g, v), "se"] == pytest.approx(ref.bse[v], rel=1e-9)
        fit, r2w = _ref_panel(Y, regs, controls)
        row = tab.loc[("beta_conditional_fe", g)]
        np.testing.assert_allclose([row["beta"], row["se"], row["p"], row["r2"]],
                                   [fit.params["ln_y"], fit.bse["ln_y"], fit.pvalues["ln_y"], r2w], rtol=1e-9)
        for v in ("open", "gov"):
            assert terms.loc[("beta_conditional_fe", g, v), "se"] == pytest.approx(fit.bse[v], rel=1e-9)
    # northeast has 3 regions: the conditional cross-section (4 parameters) has no residual df
    assert tab.loc[("beta_conditional", "northeast"), "status"] == "no_df"


# ----------------------------------------------------------------------- speed and half-life
def test_speed_and_half_life_by_hand():
    """β = −0.02 over T = 10 years: λ = −ln(1 − 0.2)/10 = 0.0223144, τ = ln 2 / λ = 31.0628 years;
    annual panel β = −0.3: λ = −ln 0.7 = 0.356675, τ = 1.94339; β ≥ 0 or 1 + βT ≤ 0: NaN."""
    lam, half = speed_half_life([-0.02, -0.3, 0.01, 0.0, -0.1, -0.12, np.nan], [10, 1, 10, 10, 10, 10, 10])
    np.testing.assert_allclose(lam[:2], [-math.log(0.8) / 10, -math.log(0.7)], rtol=1e-14)
    np.testing.assert_allclose(half[:2], [math.log(2) / (-math.log(0.8) / 10), math.log(2) / -math.log(0.7)],
                               rtol=1e-14)
    assert half[0] == pytest.approx(31.0628, abs=1e-4)
    assert np.isnan(lam[2:]).all() and np.isnan(half[2:]).all()


def test_recovers_a_known_speed():
    """ln y_it = e^{−λ(t − t0)} ln y_i0 + c_t exactly: the cross-section's β = −(1 − e^{−λT})/T and the
    panel's β = e^{−λ} − 1, so both give back λ = 0.05 and τ = ln 2 / 0.05 = 13.86 years."""
    lam = 0.05
    rng = np.random.default_rng(3)
    ln0 = rng.uniform(-3, -0.5, 12)
    years = np.arange(2000, 2011)
    c = rng.normal(0, 0.05, years.size)
    L = np.exp(-lam * (years - years[0]))[None, :] * ln0[:, None] + c[None, :]
    Y = pd.DataFrame(np.exp(L), index=[f"r{i}" for i in range(12)], columns=years)
    with np.errstate(all="ignore"):
        tab = beta_convergence(Y).table.set_index("model")
    assert tab.loc["beta_absolute", "beta"] == pytest.approx(-(1 - math.exp(-lam * 10)) / 10, rel=1e-9)
    assert tab.loc["beta_panel_fe", "beta"] == pytest.approx(math.exp(-lam) - 1, rel=1e-9)
    for m in ("beta_absolute", "beta_panel_fe"):
        assert tab.loc[m, "speed"] == pytest.approx(lam, rel=1e-9)
        assert tab.loc[m, "half_life"] == pytest.approx(math.log(2) / lam, rel=1e-9)
    assert tab.loc["beta_absolute", "span"] == 10 and tab.loc["beta_panel_fe", "span"] == 1


def test_two_yearly_panel_speed():
    """Years every second year: the panel's growth is per year over each gap of d = 2 and its speed
    −ln(1 + 2β)/2; uneven gaps: the speed is NaN with a warning."""
    lam = 0.08
    rng = np.random.default_rng(5)
    ln0 = rng.uniform(-3, -0.5, 8)
    years = np.arange(2000, 2013, 2)
    L = np.exp(-lam * (years - years[0]))[None, :] * ln0[:, None] + rng.normal(0, 0.02, years.size)[None, :]
    Y = pd.DataFrame(np.exp(L), index=[f"r{i}" for i in range(8)], columns=years)
    with np.errstate(all="ignore"):
        tab = beta_convergence(Y).table.set_index("model")
    assert tab.loc["beta_panel_fe", "span"] == 2
    assert tab.loc["beta_panel_fe", "speed"] == pytest.approx(lam, rel=1e-9)
    with pytest.warns(UserWarning, match="not equally spaced"), np.errstate(all="ignore"):
        tab = beta_convergence(Y.drop(columns=[2002])).table.set_index("model")
    assert np.isnan(tab.loc["beta_panel_fe", "speed"]) and pd.isna(tab.loc["beta_panel_fe", "span"])
    assert tab.loc["beta_absolute", "speed"] == pytest.approx(lam, rel=1e-9)


# ------------------------------------------------------------------------------ degenerate input
def test_non_positive_scores_are_refused():
    Y = pd.DataFrame({2000: [0.2, 0.0, 0.5], 2001: [0.3, 0.2, 0.6]}, index=list("abc"))
    with pytest.raises(InputError, match=r"logarithm.*\('b', 2000\)"):
        beta_convergence(Y)
    with pytest.raises(InputError, match="at least two years"):
        beta_convergence(Y[[2001]])


def test_small_group_and_singular_are_nan_and_warned():
    Y = pd.DataFrame({2000: [0.2, 0.3, 0.5, 0.4, 0.6], 2001: [0.3, 0.2, 0.6, 0.5, 0.7],
                      2002: [0.35, 0.3, 0.62, 0.5, 0.75]}, index=list("abcde"))
    with pytest.warns(UserWarning, match=r"beta_absolute y \(too_few\)"):
        tab = beta_convergence(Y, {"a": "x", "b": "x", "c": "x", "d": "y", "e": "y"}).table
    y = tab[tab["group"] == "y"]
    assert (y["status"] == "too_few").all() and y[["beta", "se", "p", "speed"]].isna().all().all()
    assert (tab.loc[tab["group"] != "y", "status"] == "ok").all()
    equal = Y.copy()
    equal[2000] = 0.4   # no variation in the initial level: the cross-section has no β
    with pytest.warns(UserWarning, match="singular"):
        tab = beta_convergence(equal).table.set_index("model")
    assert tab.loc["beta_absolute", "status"] == "singular" and np.isnan(tab.loc["beta_absolute", "beta"])
    assert tab.loc["beta_panel_fe", "status"] == "ok"
    with pytest.raises(InputError, match="reserved"):
        beta_convergence(Y, {r: "all" for r in Y.index})


def test_bad_controls(paper, controls):
    Y, _ = paper
    with pytest.raises(InputError, match=r"'opn' \(did you mean 'open'\?\)"):
        beta_convergence(Y, controls=controls, control_names=["opn"])
    holed = controls.drop(index=controls.index[5])
    with pytest.raises(InputError, match=r"missing or infinite values at open"):
        beta_convergence(Y, controls=holed)
    # the last year is never read: a table without it is complete
    last = int(Y.columns[-1])
    ok = beta_convergence(Y, controls=controls[controls["year"] != last]).table
    assert set(ok["model"]) == {"beta_absolute", "beta_panel_fe", "beta_conditional", "beta_conditional_fe"}
    bad = controls.copy()
    bad["gov"] = bad["gov"].astype(object)
    bad.loc[3, "gov"] = "n/a"
    with pytest.raises(InputError, match="'gov' is not a number"):
        beta_convergence(Y, controls=bad)
    with pytest.raises(InputError, match="repeated region-year"):
        beta_convergence(Y, controls=pd.concat([controls, controls.head(1)]))
    with pytest.raises(InputError, match="control_basis"):
        beta_convergence(Y, controls=controls, control_basis="last")


def test_county_sized_panel_is_fast():
    rng = np.random.default_rng(11)
    Y = pd.DataFrame(rng.lognormal(-1.5, 0.4, (2848, 20)), columns=range(2001, 2021))
    groups = dict(zip(Y.index, rng.choice(["a", "b", "c", "d"], 2848)))
    t0 = time.perf_counter()
    tab = beta_convergence(Y, groups).table
    assert time.perf_counter() - t0 < 3.0
    panel = tab[(tab["model"] == "beta_panel_fe") & (tab["group"] == "all")].iloc[0]
    assert (tab["status"] == "ok").all() and panel["n"] == 2848 * 19 and panel["n_clusters"] == 2848


# --------------------------------------------------------------------------- the family, end to end
def test_family_absolute(paper):
    from nqpf.pipeline import analyze

    Y, groups = paper
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = analyze(Y, "china-provinces", permutations=99, analyses=("scores", "density", "convergence"))
    tab = res.table("convergence")
    assert list(tab.columns[:10]) == ["model", "group", "beta", "se", "t", "p", "speed", "half_life", "r2", "n"]
    assert set(tab["model"]) == {"beta_absolute", "beta_panel_fe"}
    assert list(dict.fromkeys(tab["group"])) == ["all", "east", "central", "west", "northeast"]
    ref = beta_convergence(Y, groups).table.set_index(["model", "group"])
    got = tab.set_index(["model", "group"]).loc[ref.index]
    np.testing.assert_allclose(got["beta"], ref["beta"], rtol=1e-12)
    assert res.params["convergence_controls"] == [] and "beta_convergence" in res.params["conventions"]
    text = " ".join(res["methods_convergence"].texts("en"))
    assert "HC1" in text and "clustered by region" in text and "T = 10" in text and "λ = −ln(1 + β)" in text
    assert len(res["methods_convergence"].formulas) == 3
    assert "convergence_terms" in res


def test_family_conditional_with_province_names(paper, controls):
    """The controls' regions may be written as names (北京) while the analysis uses codes."""
    from nqpf.i18n import catalogue
    from nqpf.pipeline import analyze

    Y, groups = paper
    with pytest.warns(UserWarning, match=r"beta_conditional northeast \(no_df\)"):
        res = analyze(Y, "china-provinces", permutations=99, analyses=("convergence",),
                      extras={"controls": controls}, options={"convergence.controls": "open,gov"})
    tab = res.table("convergence")
    assert {"beta_conditional", "beta_conditional_fe"} <= set(tab["model"])
    with pytest.warns(UserWarning):
        ref = beta_convergence(Y, groups, controls).table.set_index(["model", "group"])
    got = tab.set_index(["model", "group"])
    assert got.loc[("beta_conditional_fe", "all"), "beta"] == pytest.approx(
        ref.loc[("beta_conditional_fe", "all"), "beta"], rel=1e-12)
    assert res.params["convergence_controls"] == ["open", "gov"]
    assert res.params["convergence_control_basis"] == "initial"
    text = " ".join(res["methods_convergence"].texts("zh"))
    assert "open, gov" in text and "初始年份值" in text
    for lang in ("zh", "en"):
        cat = catalogue(lang)
        for key in ("convergence", "convergence_terms"):
            item = res[key]
            assert item.caption_key in cat and f"table.{key}" in cat and len(cat[f"table.{key}"]) <= 31
            for c in item.columns:
                assert c.label_key in cat, c.label_key
                if c.kind == "code":
                    assert all(f"cat.{c.codes}.{v}" in cat for v in set(item.data[c.name].astype(str)))
        for k in ("meta.convergence_controls", "meta.convergence_control_basis", "value.initial",
                  "conv.beta_convergence", "convtext.beta_convergence", "section.convergence"):
            assert k in cat
    # all variables of the table when none is named; a named variable absent, or no table: errors
    with pytest.warns(UserWarning):
        res = analyze(Y, "china-provinces", permutations=99, analyses=("convergence",), extras={"controls": controls})
    assert res.params["convergence_controls"] == ["open", "gov"]
    with pytest.raises(InputError, match="no control table"):
        analyze(Y, "china-provinces", permutations=99, analyses=("convergence",),
                options={"convergence.controls": ["open"]})
    with pytest.raises(InputError, match="did you mean 'open'"):
        analyze(Y, "china-provinces", permutations=99, analyses=("convergence",),
                extras={"controls": controls}, options={"convergence.controls": ["opne"]})
    with pytest.raises(InputError, match="columns region, year"):
        analyze(Y, "china-provinces", permutations=99, analyses=("convergence",),
                extras={"controls": controls.rename(columns={"region": "province"})})
