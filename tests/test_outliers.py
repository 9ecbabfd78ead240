"""The indicator screen: a unit slip (1e300) and a step series are named on the console with their
effect on the weights; the COINr treatment rule; audit rows; the CLI option."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from nqpf.errors import InputError
from nqpf.index import build_index
from nqpf.index.outliers import _winsorise, screen_indicators, skew_kurt, treat_indicators


def _panel(n=30, years=range(2010, 2021), m=5, seed=0):
    rng = np.random.default_rng(seed)
    idx = pd.MultiIndex.from_product([[f"r{i:02d}" for i in range(n)], list(years)], names=["region", "year"])
    X = pd.DataFrame(rng.uniform(1, 2, size=(len(idx), m)) + rng.normal(0, 0.05, (len(idx), m)).cumsum(0) * 0,
                     index=idx, columns=[f"x{j}" for j in range(m)])
    return X


def _build(X, **kw):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = build_index(X, {c: 1 for c in X.columns}, **kw)
    return res, [str(w.message) for w in caught]


def test_skew_kurt_equal_scipy_and_scale_free():
    rng = np.random.default_rng(3)
    x = rng.lognormal(size=200)
    s, k = skew_kurt(x)
    assert s == pytest.approx(stats.skew(x, bias=False), rel=1e-10)
    assert k == pytest.approx(stats.kurtosis(x, bias=False), rel=1e-10)
    assert skew_kurt(x * 1e250) == pytest.approx((s, k), rel=1e-9)   # no overflow
    assert np.isnan(skew_kurt(np.ones(10))[0])


def test_unit_slip_named_on_console_with_its_weight_and_the_treated_weight():
    X = _panel()
    X.loc[("r07", 2015), "x2"] = 1e300
    res, msgs = _build(X)
    w = dict(zip(res.weights["indicator"], res.weights["weight"]))
    assert w["x2"] > 0.8                      # the slip takes almost all the weight ...
    named = [m for m in msgs if m.startswith("indicator x2:")]
    assert len(named) == 1
    msg = named[0]
    assert "1e+300" in msg and "r07 2015" in msg and f"{w['x2']:.3f}" in msg and "once treated" in msg
    assert "Check the unit: a value this far from the others is usually a unit slip" in msg
    treated = float(msg.split("), ")[-1].split(" once")[0])
    assert treated < 0.4                      # ... and a small share once the slip is winsorised
    a = res.audit
    row = a[(a["variable"] == "x2") & (a["action"] == "flagged")]
    assert ("r07", 2015) in set(zip(row["region"], row["year"]))
    assert res.params["screen"]["skewed"] == ["x2"] and res.params["treat"] == "none"


def test_treat_winsorise_removes_the_slip_and_audits_every_changed_cell():
    X = _panel()
    X.loc[("r07", 2015), "x2"] = 1e300
    res, msgs = _build(X, treat="winsorise")
    w = dict(zip(res.weights["indicator"], res.weights["weight"]))
    assert w["x2"] < 0.4
    assert res.params["treated"]["x2"].startswith("winsorised:1")
    tr = res.audit[res.audit["action"] == "treated"]
    assert list(zip(tr["region"], tr["year"], tr["variable"])) == [("r07", 2015, "x2")]
    assert float(tr["old"].iloc[0]) == 1e300 and float(tr["new"].iloc[0]) == X["x2"].drop(("r07", 2015)).max()
    assert any("treated (winsorised:1)" in m for m in msgs)


def test_step_series_with_the_top_weight_is_named():
    X = _panel()
    rng = np.random.default_rng(9)
    # one inventory value per region before and after 2015 (two surveys), spread across regions
    base = np.repeat(np.where(np.arange(30) < 20, 0.0, rng.uniform(50, 100, 30)), 11)
    X["forest"] = base + np.tile((np.arange(11) >= 5) * 40.0, 30)
    res, msgs = _build(X)
    w = res.weights.set_index("indicator")["weight"]
    assert w.idxmax() == "forest"
    named = [m for m in msgs if m.startswith("indicator forest changes in steps")]
    assert named and f"{w['forest']:.3f}" in named[0] and "rank 1 of 6" in named[0]
    assert res.params["screen"]["step_series"] == ["forest"]


def test_quiet_on_well_behaved_data():
    res, msgs = _build(_panel())
    assert not [m for m in msgs if m.startswith("indicator ")]
    assert not res.params["screen"]["skewed"] and not res.params["screen"]["step_series"]


def test_winsorise_rule_hand_case():
    # 19 values 1..19 and one far value: one winsorisation (100 → 19) ends the skewness
    x = np.r_[np.arange(1.0, 20.0), 100.0]
    s, k = skew_kurt(x)
    assert abs(s) > 2 and k > 3.5
    y, n, still = _winsorise(x, 5)
    assert n == 1 and not still and y[-1] == 19.0 and np.array_equal(y[:-1], x[:-1])
    # a negatively skewed series is winsorised from below
    y2, n2, _ = _winsorise(-x, 5)
    assert n2 == 1 and y2[-1] == -19.0


def test_log_treatment_is_coinr_log_ct():
    X = _panel()
    X.loc[("r01", 2011), "x1"] = 500.0
    scr = screen_indicators(X)
    assert scr.skewed == ["x1"]
    out, rows, how = treat_indicators(X, ["x1"], "log")
    x = X["x1"].to_numpy()
    want = np.log(x - x.min() + (x.max() - x.min()) / 100)
    np.testing.assert_allclose(out["x1"].to_numpy(), want, rtol=1e-12)
    assert how == {"x1": "log"} and len(rows) == len(X)


def test_unknown_treatment_suggests():
    with pytest.raises(InputError, match="did you mean 'winsorise'"):
        build_index(_panel(), {f"x{j}": 1 for j in range(5)}, treat="winsorize")


def test_cli_index_names_the_slip_on_the_console(tmp_path):
    from typer.testing import CliRunner

    from nqpf.cli import app

    X = _panel(m=3)
    X.loc[("r07", 2015), "x1"] = 1e300
    long = X.stack().rename("value").reset_index()
    long.columns = ["region", "year", "variable", "value"]
    data = tmp_path / "raw.csv"
    long.to_csv(data, index=False)
    spec = tmp_path / "spec.csv"
    pd.DataFrame({"id": ["x0", "x1", "x2"], "direction": ["+", "+", "+"], "variable": ["x0", "x1", "x2"],
                  "group": ["a", "a", "b"]}).to_csv(spec, index=False)
    r = CliRunner().invoke(app, ["index", str(data), "--spec", str(spec), "--out", str(tmp_path / "o"),
                                 "--regions", "as-is"])
    assert r.exit_code == 0, r.output
    out = " ".join(r.output.split())
    assert "indicator x1: extreme value 1e+300 in r07 2015" in out and "once treated" in out


def test_a_real_leader_is_not_called_a_unit_slip():
    """A skewed indicator whose extreme is plausible (a leading region: robust z far below 1,000) is named
    with its effect on the weights, without the advice to check the unit."""
    X = _panel()
    X.loc[X.index.get_level_values("region") == "r03", "x1"] *= 12   # one region 12 times the others
    res, msgs = _build(X)
    named = [m for m in msgs if m.startswith("indicator x1:")]
    assert len(named) == 1, msgs
    assert "If the value is right (a leading region), keep it (the default)" in named[0]
    assert "unit slip" not in named[0]
    z = res.audit[(res.audit["variable"] == "x1") & (res.audit["action"] == "flagged")]["reason"]
    assert z.str.contains("robust z").all()


def test_screen_near_the_float_limit_is_scale_free():
    """Skewness, kurtosis and robust z of values near ±1.8e308 equal those of the same values divided by
    2^1000 (exact power-of-two scaling), with no overflow warning."""
    from nqpf.index.outliers import screen_indicators

    X = _panel()
    X.loc[("r07", 2015), "x2"] = 1.7e308
    X.loc[("r08", 2015), "x2"] = -1.7e308
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        a = screen_indicators(X)
    b = screen_indicators(X.assign(x2=np.ldexp(X["x2"].to_numpy(), -1000)))
    pd.testing.assert_frame_equal(a.table, b.table)
    np.testing.assert_array_equal(a.cells["robust_z"].to_numpy(), b.cells["robust_z"].to_numpy())
