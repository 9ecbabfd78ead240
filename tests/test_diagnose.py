"""Tests of nqpf.diagnose: obstacle degree, tiers, trends, spatial roles, partners, strategy table.

The tables hold codes; sentences are checked through :func:`nqpf.diagnose.render_focus` and words
through the catalogues (:mod:`nqpf.i18n`). The reproduction of nqpf 0.1's sentences is in
``test_diagnose_render.py``.

References: hand computations (written out below), scipy.stats.linregress, a brute-force search for
Fisher-Jenks breaks, esda.Moran / esda.Moran_Local, the worked-example workbook of the entropy method
(shared data), and the paper's own text and tables (Ran et al. 2025, Table 2 via
``nqpf.datasets.load_ran2025_scores``, Table 3 via ``load_ran2025_moran``).
"""
from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from nqpf import diagnose as dg
from nqpf.datasets import load_ran2025_moran, load_ran2025_scores
from nqpf.diagnose.strategy import _fill
from nqpf.errors import InputError
from nqpf.i18n import t as t_

SHARED = Path(__file__).resolve().parents[2] / "shared"
WORKED = SHARED / "data" / "jjj_transport_entropy_topsis_worked_example.xlsx"

# Queen contiguity of the paper's 29 provinces (no Tibet, Qinghai, Hong Kong, Macao, Taiwan), short
# names as in Table 2, written from the map; Hainan linked to Guangdong (the usual island link).
NB = {
    "北京": ["天津", "河北"], "天津": ["北京", "河北"],
    "河北": ["北京", "天津", "山西", "内蒙古", "辽宁", "山东", "河南"],
    "山西": ["河北", "内蒙古", "陕西", "河南"],
    "内蒙古": ["黑龙江", "吉林", "辽宁", "河北", "山西", "陕西", "宁夏", "甘肃"],
    "辽宁": ["吉林", "内蒙古", "河北"], "吉林": ["黑龙江", "辽宁", "内蒙古"], "黑龙江": ["吉林", "内蒙古"],
    "上海": ["江苏", "浙江"], "江苏": ["上海", "浙江", "安徽", "山东"],
    "浙江": ["上海", "江苏", "安徽", "江西", "福建"],
    "安徽": ["江苏", "浙江", "江西", "湖北", "河南", "山东"], "福建": ["浙江", "江西", "广东"],
    "江西": ["浙江", "安徽", "湖北", "湖南", "广东", "福建"], "山东": ["河北", "河南", "安徽", "江苏"],
    "河南": ["河北", "山西", "陕西", "湖北", "安徽", "山东"],
    "湖北": ["河南", "安徽", "江西", "湖南", "重庆", "陕西"],
    "湖南": ["湖北", "江西", "广东", "广西", "贵州", "重庆"],
    "广东": ["福建", "江西", "湖南", "广西", "海南"], "广西": ["广东", "湖南", "贵州", "云南"],
    "海南": ["广东"], "重庆": ["湖北", "湖南", "贵州", "四川", "陕西"],
    "四川": ["重庆", "贵州", "云南", "甘肃", "陕西"], "贵州": ["四川", "重庆", "湖南", "广西", "云南"],
    "云南": ["四川", "贵州", "广西"],
    "陕西": ["山西", "河南", "湖北", "重庆", "四川", "甘肃", "宁夏", "内蒙古"],
    "甘肃": ["陕西", "四川", "宁夏", "内蒙古", "新疆"], "宁夏": ["甘肃", "内蒙古", "陕西"],
    "新疆": ["甘肃"],
}


@pytest.fixture(scope="module")
def Y():
    return load_ran2025_scores(wide=True)


def _w(ids):
    import libpysal

    w = libpysal.weights.W({r: NB[r] for r in ids}, id_order=list(ids))
    w.transform = "r"
    return w


def _p_sim(z, w, Is, R=999, seed=12345):
    """Conditional-permutation pseudo p-values of local Moran (esda's folded one-sided rule:
    the smaller tail count, (c + 1) / (R + 1)), written here with numpy so the test does not
    wait for esda's numba compilation."""
    rng = np.random.default_rng(seed)
    n = len(z)
    ids = w.id_order
    p = np.empty(n)
    for i in range(n):
        nb = [ids.index(j) for j in w.neighbors[ids[i]]]
        wi = np.array([w.weights[ids[i]][k] for k in range(len(nb))])
        others = np.delete(np.arange(n), i)
        draws = np.array([rng.choice(others, size=len(nb), replace=False) for _ in range(R)])
        sims = (n - 1) * z[i] * (z[draws] @ wi) / (z @ z)
        larger = int((sims >= Is[i]).sum())
        larger = min(larger, R - larger)
        p[i] = (larger + 1) / (R + 1)
    return p


@pytest.fixture(scope="module")
def local(Y):
    """Local Moran long table: Ii, z, quadrant from esda.Moran_Local, lag from libpysal, p_sim
    from :func:`_p_sim`; independent of nqpf.spatial. Only 2010 and 2020 (the years of the
    paper's figure 2, the ones ``roles`` reads)."""
    esda = pytest.importorskip("esda")
    import libpysal

    ids = list(Y.index)
    w = _w(ids)
    rows = []
    for yr in (2010, 2020):
        lm = esda.Moran_Local(Y[yr].to_numpy(), w, permutations=0)
        # Ii from the definition, against esda: I_i = (n-1) z_i Σ_j w_ij z_j / Σ z²
        lag = libpysal.weights.lag_spatial(w, lm.z)
        np.testing.assert_allclose(lm.Is, (len(ids) - 1) * lm.z * lag / (lm.z @ lm.z), atol=1e-12)
        q = np.array(["", "HH", "LH", "LL", "HL"])[lm.q]
        p = _p_sim(lm.z, w, lm.Is)
        for i, r in enumerate(ids):
            rows.append((r, yr, lm.Is[i], lm.z[i], lag[i], q[i], p[i], q[i] if p[i] < 0.05 else ""))
    return pd.DataFrame(rows, columns=["region", "year", "Ii", "z", "lag", "quadrant", "p_sim",
                                       "cluster"])


# ------------------------------------------------------------------------------------------------
# obstacle degree
# ------------------------------------------------------------------------------------------------
def _norm(values, regions, years, cols):
    idx = pd.MultiIndex.from_tuples(list(itertools.product(regions, years)), names=["region", "year"])
    return pd.DataFrame(values, index=idx, columns=cols)


def test_obstacles_hand_computed():
    # A 2015: x' = (0.5, 1.0, 0.0), w = (0.2, 0.3, 0.5)
    #   w(1-x') = (0.1, 0, 0.5), sum 0.6 → O = (1/6, 0, 5/6)
    # B 2015: x' = (0.0, 0.5, 0.5) → w(1-x') = (0.2, 0.15, 0.25), sum 0.6 → (1/3, 1/4, 5/12)
    X = _norm([[0.5, 1.0, 0.0], [0.0, 0.5, 0.5]], ["A", "B"], [2015], ["a", "b", "c"])
    w = pd.DataFrame({"indicator": ["a", "b", "c"], "weight": [0.2, 0.3, 0.5]})
    o = dg.obstacles(X, w, top_k=1)
    exp = [1 / 6, 0, 5 / 6, 1 / 3, 1 / 4, 5 / 12]
    np.testing.assert_allclose(o["obstacle"], exp, rtol=0, atol=1e-15)
    assert list(o["rank"]) == [2, 3, 1, 2, 3, 1]
    assert list(o["top"]) == [False, False, True, False, False, True]
    np.testing.assert_allclose(o["I"], [0.5, 0, 1, 1, 0.5, 0.5])


def test_obstacles_sum_to_one_and_all_max_is_zero():
    rng = np.random.default_rng(1)
    V = rng.uniform(size=(12, 5))
    V[3] = 1.0  # region-year at the maximum of every indicator
    X = _norm(V, list("ABCD"), [2001, 2002, 2003], list("abcde"))
    w = pd.Series(rng.dirichlet(np.ones(5)), index=list("abcde"))
    o = dg.obstacles(X, w)
    s = o.groupby(["region", "year"], sort=False)["obstacle"].sum().to_numpy()
    allmax = np.zeros(12, bool)
    allmax[3] = True
    np.testing.assert_allclose(s[~allmax], 1.0, atol=1e-12)
    assert s[allmax][0] == 0.0  # 0/0 → 0: no shortboard
    assert dg.top_obstacles(o).query("region == 'B' and year == 2001").empty


def test_obstacles_by_group_and_top():
    X = _norm([[0.5, 1.0, 0.0, 0.2]], ["A"], [2015], ["a", "b", "c", "d"])
    w = {"a": 0.25, "b": 0.25, "c": 0.25, "d": 0.25}
    groups = {"a": ("劳动者", "劳动者素质"), "b": ("劳动者", "劳动生产率"),
              "c": ("生产资料", "创新发展"), "d": ("生产资料", "绿色发展")}
    o = dg.obstacles(X, w, groups=groups)
    assert list(o["level_2"]) == ["劳动者素质", "劳动生产率", "创新发展", "绿色发展"]
    g = dg.obstacles_by_group(o, groups, levels=["准则层", "一级指标"])
    # 1-x' = (0.5, 0, 1, 0.8), sum 2.3 (equal weights cancel)
    lv1 = g[g["level"] == 1].set_index("group")["obstacle"]
    assert lv1["劳动者"] == pytest.approx(0.5 / 2.3, abs=1e-15)
    assert lv1["生产资料"] == pytest.approx(1.8 / 2.3, abs=1e-15)
    assert set(g["level_name"]) == {"准则层", "一级指标"}
    t = dg.top_obstacles(g, top_k=2, level=2)
    assert list(t["group"]) == ["创新发展", "绿色发展"]
    assert list(t["path"]) == ["生产资料/创新发展", "生产资料/绿色发展"]


def test_obstacles_bad_input():
    X = _norm([[0.5, 1.0]], ["A"], [2015], ["a", "b"])
    with pytest.raises(InputError, match="missing weights for \\['b'\\]"):
        dg.obstacles(X, {"a": 1.0})
    with pytest.raises(InputError, match="outside \\[0, 1\\]"):
        dg.obstacles(X * 2, {"a": 0.5, "b": 0.5})
    X.iloc[0, 0] = np.nan
    with pytest.raises(InputError, match="missing value"):
        dg.obstacles(X, {"a": 0.5, "b": 0.5})


def _read_worked():
    if not WORKED.exists():
        pytest.skip(f"shared worked example not found ({WORKED.name}); clone the shared data beside "
                    "the repository to run this test")
    std = pd.read_excel(WORKED, sheet_name="standardization", header=None)
    cities = std.iloc[0, 2:].ffill().tolist()
    years = [int(v) for v in std.iloc[1, 2:]]
    names = [str(s).strip() for s in std.iloc[2:6, 0]]
    vals = std.iloc[2:6, 2:].to_numpy(float).T
    idx = pd.MultiIndex.from_arrays([cities, years], names=["region", "year"])
    X = pd.DataFrame(vals, index=idx, columns=names)
    wt = pd.read_excel(WORKED, sheet_name="weight").dropna()
    wt = pd.DataFrame({"indicator": [str(s).strip() for s in wt.iloc[:, 0]],
                       "weight": wt.iloc[:, 1].astype(float)})
    return X, wt


def test_obstacles_worked_example():
    X, wt = _read_worked()
    assert X.shape == (65, 4)
    o = dg.obstacles(X, wt)
    s = o.groupby(["region", "year"])["obstacle"].sum()
    np.testing.assert_allclose(s, 1.0, atol=1e-12)
    # Xingtai 2017, standardised values and weights copied from the workbook
    # (sheets standardization and weight): FAI 0, GOV 0.0784360319207861,
    # passengers 0.0200159933350969, freight 0.0269929739843283;
    # w = 0.17144438710422, 0.239619880345232, 0.404631866627947, 0.184303865922599
    wI = [0.17144438710422 * (1 - 0.0),
          0.239619880345232 * (1 - 0.0784360319207861),
          0.404631866627947 * (1 - 0.0200159933350969),
          0.184303865922599 * (1 - 0.0269929739843283)]
    exp = [v / sum(wI) for v in wI]
    got = o[(o["region"] == "Xingtai") & (o["year"] == 2017)]
    np.testing.assert_allclose(got["obstacle"], exp, rtol=0, atol=1e-12)
    # by hand: 0.3965 (passengers) > 0.2208 (output value) > 0.1793 (freight) > 0.1714 (investment)
    order = got.sort_values("rank")["indicator"].str[:5].tolist()
    assert order == ["Passe", "Gross", "Freig", "Fixed"]
    # Beijing 2017 is at the pooled maximum of the first two indicators: zero obstacle there
    bj = o[(o["region"] == "Beijing") & (o["year"] == 2017)]
    assert list(bj["obstacle"].iloc[:2]) == [0.0, 0.0]


# ------------------------------------------------------------------------------------------------
# tiers
# ------------------------------------------------------------------------------------------------
def _brute_jenks(y, k):
    """Exhaustive search of the k-class partition of sorted y with least within-class SS."""
    ys = np.sort(y)
    best = None
    for cuts in itertools.combinations(range(1, len(ys)), k - 1):
        parts = np.split(ys, cuts)
        ss = sum(((p - p.mean()) ** 2).sum() for p in parts)
        if best is None or ss < best[0] - 1e-15:
            best = (ss, [p.max() for p in parts])
    return np.array(best[1])


def test_tiers_natural_breaks_match_brute_force():
    rng = np.random.default_rng(7)
    y = rng.gamma(2.0, size=11)
    Yw = pd.DataFrame({2020: y}, index=[f"r{i}" for i in range(11)])
    t = dg.tiers(Yw, k=4)
    np.testing.assert_allclose(np.sort(t["upper"].unique()), _brute_jenks(y, 4), atol=1e-12)
    top = t.loc[t["score"].idxmax()]
    assert (top["tier"], top["class"]) == ("high", 3)
    assert t.loc[t["score"].idxmin(), "tier"] == "low"
    # codes only; the words are the catalogue's
    assert not [c for c in t.columns if c.endswith(("_zh", "_en"))]
    assert (t_("cat.tier.high", "zh"), t_("cat.tier.low", "zh")) == ("高", "低")


def test_tiers_quantiles_and_labels_stable():
    Yw = pd.DataFrame({2019: np.arange(8.0), 2020: np.arange(8.0)[::-1]},
                      index=list("abcdefgh"))
    t = dg.tiers(Yw, k=4, method="quantiles")
    assert (t.groupby(["year", "tier"]).size() == 2).all()
    assert t.set_index(["year", "region"]).loc[(2019, "h"), "tier"] == "high"
    assert t.set_index(["year", "region"]).loc[(2020, "a"), "tier"] == "high"


def test_tiers_errors():
    Yw = pd.DataFrame({2020: [1.0, 1.0, 2.0]}, index=list("abc"))
    with pytest.raises(InputError, match="distinct"):
        dg.tiers(Yw, k=4)
    with pytest.raises(InputError, match="k=7"):
        dg.tiers(Yw, k=7)
    with pytest.raises(InputError, match="unknown method"):
        dg.tiers(Yw, k=2, method="jenks")


def test_paper_top_and_bottom_tiers(Y):
    # Paper 三(二): high values in the Pearl River Delta, the Yangtze Delta and Beijing;
    # 四(一): Shanghai and Jiangsu among the highest.
    nb = dg.tiers(Y, year=2020).set_index("region")
    assert set(nb.index[nb["tier"] == "high"]) == {"北京", "广东", "江苏"}
    # natural breaks put Shanghai (0.3601) in the second tier with Zhejiang and Shaanxi (0.3922)
    assert nb.at["上海", "tier"] == "upper-middle"
    q = dg.tiers(Y, method="quantiles", year=[2010, 2020])
    for yr in (2010, 2020):
        hi = set(q[(q["year"] == yr) & (q["tier"] == "high")]["region"])
        assert {"北京", "上海", "广东", "江苏"} <= hi
    m = dg.tiers(Y, year="mean").set_index("region")
    assert set(m.index[m["tier"] == "high"]) == {"北京", "广东", "江苏"}
    # Paper: Gansu, Yunnan and Guizhou "始终" (always) relatively low → lowest tier every year
    allyears = dg.tiers(Y)
    low = allyears[allyears["region"].isin(["甘肃", "云南", "贵州"])]
    assert (low["tier"] == "low").all() and len(low) == 33


def test_paper_beijing_about_five_times_west(Y):
    # Paper 三(一): Beijing about 5 times Gansu, Yunnan, Ningxia. Table 2 gives 5.3–7.2 times
    # their mean (7.2 in 2012–2013, 5.3 in 2020): "about 5" holds only for the later years.
    r = Y.loc["北京"] / Y.loc[["甘肃", "云南", "宁夏"]].mean()
    assert r.between(5.3, 7.2).all()
    assert r.loc[2017:].between(5.3, 5.6).all()


# ------------------------------------------------------------------------------------------------
# trends
# ------------------------------------------------------------------------------------------------
def test_trends_against_linregress(Y):
    from scipy import stats

    t = dg.trends(Y).set_index("region")
    years = np.asarray(Y.columns, float)
    for r in ["北京", "江西", "甘肃"]:
        y = Y.loc[r].to_numpy(float)
        lr = stats.linregress(years, y)
        assert t.at[r, "slope"] == pytest.approx(lr.slope, abs=1e-12)
        assert t.at[r, "R2"] == pytest.approx(lr.rvalue ** 2, abs=1e-10)
        resid = y - (lr.intercept + lr.slope * years)
        s = np.sqrt((resid ** 2).sum() / (len(y) - 2))
        assert t.at[r, "cv_resid"] == pytest.approx(s / y.mean(), abs=1e-10)
        assert t.at[r, "volatility"] == pytest.approx(np.std(np.diff(y), ddof=1) / y.mean(),
                                                      abs=1e-12)
        assert t.at[r, "rel_slope"] == pytest.approx(lr.slope / y.mean(), abs=1e-12)


def test_trend_types_synthetic():
    yrs = list(range(2010, 2021))
    x = np.arange(11.0)
    Yw = pd.DataFrame([1 + 0.05 * x, 1 - 0.05 * x, 1 + 0.001 * (-1) ** x,
                       1 + 0.2 * (-1) ** x, 1 + 0.005 * x], columns=yrs,
                      index=["up", "down", "flat", "zigzag", "slow"])
    t = dg.trends(Yw).set_index("region")
    assert t["trend"].to_dict() == {"up": "rising", "down": "declining", "flat": "stable",
                                    "zigzag": "fluctuating", "slow": "stable"}
    assert t.at["zigzag", "sign_changes"] == 9
    assert t.at["up", "sign_changes"] == 0


def test_trend_direction_hand_cases():
    yrs = [2016, 2017, 2018, 2019, 2020]
    Yw = pd.DataFrame([[1.0, 2.0, 3.0, 4.0, 0.5],     # slope clearly up, net clearly down
                       [1.0, 1.3, 1.6, 1.9, 0.98],    # slope clearly up, net slightly down
                       [1.0, 0.9, 1.1, 0.95, 0.85],   # slope −, net −
                       [1.0, 1.01, 0.99, 1.0, 1.005]],  # neither clear
                      columns=yrs, index=["mixed", "late_dip", "fall", "flat"])
    t = dg.trends(Yw).set_index("region")
    # mixed by hand: t − t̄ = (−2, −1, 0, 1, 2), ȳ = 2.1, Σ(t−t̄)(y−ȳ) = 2.2 + 0.1 + 0 + 1.9 − 3.2 = 1.0,
    # b = 1.0 / 10 = 0.1 → rel_slope = 0.1 / 2.1 = +4.8 % (clear up); net (0.5 − 1) / 2.1 = −23.8 %
    # (clear down): the two measures disagree → flat
    assert t.at["mixed", "slope"] == pytest.approx(0.1, abs=1e-12)
    assert t.at["mixed", "rel_change"] == pytest.approx(-0.5 / 2.1, abs=1e-12)
    assert t.at["mixed", "net_change"] == pytest.approx(-0.5, abs=1e-12)
    assert (t.at["mixed", "peak_year"], t.at["mixed", "peak"]) == (2019, 4.0)
    # late_dip: ȳ = 1.356, rel_change = −0.02 / 1.356 = −1.5 % (not clear), slope clearly up → up
    assert t.at["late_dip", "rel_change"] == pytest.approx(-0.02 / 1.356, abs=1e-12)
    assert t["direction"].to_dict() == {"mixed": "flat", "late_dip": "up", "fall": "down",
                                        "flat": "flat"}
    assert t.at["fall", "direction"] == "down" and t_("cat.direction.down", "zh") == "下行"
    assert t_("cat.direction.flat", "en") == "no clear direction"
    assert not [c for c in t.columns if c.endswith(("_zh", "_en"))]
    with pytest.raises(InputError, match="net_tol"):
        dg.trends(Yw, net_tol=0)


def test_direction_never_up_when_slope_and_net_change_fall():
    rng = np.random.default_rng(7)
    Yw = pd.DataFrame(rng.uniform(0.05, 1.0, size=(400, 6)), columns=range(2015, 2021))
    t = dg.trends(Yw)
    both_down = (t["slope"] < 0) & (t["net_change"] < 0)
    both_up = (t["slope"] > 0) & (t["net_change"] > 0)
    assert both_down.any() and both_up.any()
    assert not (t.loc[both_down, "direction"] == "up").any()
    assert not (t.loc[both_up, "direction"] == "down").any()


def test_paper_trend_directions(Y):
    from scipy import stats

    t = dg.trends(Y).set_index("region")
    years = np.asarray(Y.columns, float)
    for r in Y.index:   # votes recomputed from scipy's slope and the raw end scores
        y = Y.loc[r].to_numpy(float)
        a, c = stats.linregress(years, y).slope / y.mean(), (y[-1] - y[0]) / y.mean()
        va = 1 if a >= 0.01 else (-1 if a <= -0.01 else 0)
        vc = 1 if c >= 0.10 else (-1 if c <= -0.10 else 0)
        want = ("up" if min(va, vc) >= 0 and va + vc >= 1 and a >= 0 else
                "down" if max(va, vc) <= 0 and va + vc <= -1 and a <= 0 else "flat")
        assert t.at[r, "direction"] == want, r
        assert t.at[r, "peak"] == y.max() and t.at[r, "peak_year"] == Y.columns[int(np.argmax(y))]
    # the regions the review named: fell sharply, never an upward direction
    for r in ["北京", "江苏", "天津", "黑龙江", "吉林"]:
        assert t.at[r, "direction"] == "down", r
    # Guangdong: +2.0 %/yr but 2020 (0.5530) below 2010 (0.5641), peak 0.6845 in 2019 (Table 2)
    assert t.at["广东", "direction"] == "up"
    assert (t.at["广东", "peak_year"], round(t.at["广东", "peak"], 4)) == (2019, 0.6845)


def test_direction_never_against_the_slope_ningxia(Y):
    """Ningxia 2010–2020 (Table 2): scores rose and fell, the line rises by +0.1 % of the mean a year
    (scipy.stats.linregress), 2020 ended 19 % of the mean below 2010: the net change alone votes
    "down", but a sentence citing "+0.1 %" must not call the path downward → ``flat`` (rule T5)."""
    from scipy import stats

    y = Y.loc["宁夏"].to_numpy(float)
    ref = stats.linregress(np.asarray(Y.columns, float), y)
    t = dg.trends(Y).set_index("region")
    assert t.at["宁夏", "slope"] == pytest.approx(ref.slope, abs=1e-12)
    assert ref.slope > 0 and (y[-1] - y[0]) / y.mean() <= -0.10          # the two measures disagree
    assert t.at["宁夏", "trend"] == "fluctuating" and t.at["宁夏", "direction"] == "flat"
    assert not ((t["slope"] > 0) & (t["direction"] == "down")).any()
    assert not ((t["slope"] < 0) & (t["direction"] == "up")).any()
    # the hand series of the same shape: rising line, last year far below the first
    hand = pd.DataFrame([[1.0, 1.2, 0.9, 1.3, 1.25, 0.85]], columns=range(2015, 2021), index=["x"])
    th = dg.trends(hand).set_index("region")
    # t − t̄ = (−2.5, −1.5, −0.5, 0.5, 1.5, 2.5), Σ(t−t̄)² = 17.5, ȳ = 5.5 / 6,
    # Σ(t−t̄)y = −2.5 − 1.8 − 0.45 + 0.65 + 1.875 + 2.125 = −0.1 → b = −0.1 / 17.5 < 0: "down" allowed
    assert th.at["x", "slope"] == pytest.approx(-0.1 / 17.5, abs=1e-12)
    assert th.at["x", "direction"] == "down"
    hand2 = hand.copy()
    hand2.iloc[0, 4] = 1.5          # Σ(t−t̄)y = −0.1 + 1.5 · 0.25 = +0.275 → b > 0, net still −15 % → flat
    th2 = dg.trends(hand2).set_index("region")
    assert th2.at["x", "slope"] == pytest.approx(0.275 / 17.5, abs=1e-12)
    assert th2.at["x", "rel_change"] <= -0.10 and th2.at["x", "direction"] == "flat"
    # the sentence: no clear direction (T5), with the slope and the ends as they are
    row = _with_focus(dg.strategy_table(Y), Y).set_index("region").loc["宁夏"]
    assert row.direction == "flat" and "T5" in row.rules.split(",")
    assert "有升有降、无明确方向（线性趋势年均+0.1%，R²=0.00" in row.focus_zh
    assert "总体下行" not in row.focus_zh and "downward" not in row.focus_en
    assert "但2020年的0.0893低于2010年的0.1090" in row.focus_zh            # the ends, as they are


def test_paper_jiangxi_and_fluctuating_provinces(Y):
    jx = Y.loc["江西"]
    # text: 0.155 (2010) → 0.188 (2020); Table 2 prints 0.1568 and 0.1844 (text and table disagree
    # in the third decimal); both say it rose and exceeded 0.2 in 2016–2019, then fell back.
    assert abs(jx[2010] - 0.155) < 0.002 and abs(jx[2020] - 0.188) < 0.004
    assert (jx.loc[2016:2019] > 0.2).all() and jx[2020] < 0.2 < jx[2019]
    t = dg.trends(Y).set_index("region")
    # Hubei and Henan: no clear line (R² < 0.5) → fluctuating, as the paper says.
    assert t.at["湖北", "trend"] == "fluctuating" and t.at["河南", "trend"] == "fluctuating"
    # Jiangxi: a rising line explains 58 % of its variation, so the default rule calls it rising.
    assert t.at["江西", "trend"] == "rising" and 0.5 < t.at["江西", "R2"] < 0.6
    # Paper: Shanghai and Guangdong keep steady growth. Over 2010–2019 Guangdong is rising; the
    # 2020 column drops for 27 of 29 provinces, which makes Guangdong's 2010–2020 line unclear.
    t19 = dg.trends(Y.loc[:, :2019]).set_index("region")
    assert t19.at["广东", "trend"] == "rising"
    assert (Y[2020] < Y[2019]).sum() == 27


# ------------------------------------------------------------------------------------------------
# roles
# ------------------------------------------------------------------------------------------------
def test_roles_synthetic():
    local = pd.DataFrame({
        "region": ["a", "b", "c", "a", "b", "c"], "year": [1, 1, 1, 2, 2, 2],
        "quadrant": ["LH", "HL", "", "HH", "HL", ""], "cluster": ["", "HL", "", "HH", "", ""],
        "z": [-1.0, 2, 0, 0.3, 1, 0], "lag": [1.0, -1, 0, 0.4, -1, 0],
        "p_sim": [0.2, 0.01, 1, 0.03, 0.3, 1]})
    r = dg.roles(local).set_index("region")
    assert r.loc["a", ["role_first_year", "role_last_year", "movement"]].tolist() == [
        "not_significant", "growth_pole", "LH→HH"]
    assert r.at["a", "role_quadrant_first"] == "spillover_receiver"
    assert r.at["b", "role"] == "not_significant" and r.at["b", "role_quadrant_last"] == "growth_pole"
    assert r.at["c", "movement"] == "-→-" and r.at["c", "role"] == "not_significant"
    assert r.at["a", "dist_first"] == pytest.approx(np.sqrt(2)) and r.at["a", "dist_last"] == 0.5
    with pytest.raises(InputError, match="year 3"):
        dg.roles(local, last_year=3)


def test_contiguity_reproduces_table3(Y):
    # Check of the neighbour dict (and of Table 2): global Moran's I of Table 2 with it equals the
    # paper's Table 3 to the printed 3 decimals in 2011–2020. 2010 only matches (0.325) if
    # Shanghai 2010 is 0.5456 instead of the printed 0.3456 — likely a digit slip in Table 2.
    # Shaanxi 2020 = 0.3922 is what the paper computed with (without it I_2020 would be ≈ 0.32).
    esda = pytest.importorskip("esda")
    for a, nbs in NB.items():
        assert all(a in NB[b] for b in nbs)
    w = _w(Y.index)
    t3 = load_ran2025_moran().set_index("year")["I"]
    for yr in range(2011, 2021):
        assert round(esda.Moran(Y[yr].to_numpy(), w, permutations=0).I, 3) == t3[yr]
    y = Y[2010].copy()
    assert round(esda.Moran(y.to_numpy(), w, permutations=0).I, 3) != t3[2010]
    y["上海"] = 0.5456
    assert round(esda.Moran(y.to_numpy(), w, permutations=0).I, 3) == t3[2010]


def test_paper_quadrants(local):
    r = dg.roles(local).set_index("region")
    # Guangdong always in the fourth quadrant (HL)
    assert (r.at["广东", "quadrant_first"], r.at["广东", "quadrant_last"]) == ("HL", "HL")
    # Fujian and Anhui: LH in 2010, HH in 2020
    for p in ("福建", "安徽"):
        assert r.at[p, "movement"] == "LH→HH"
    # Beijing, Shanghai, Tianjin in the first quadrant in 2010, closer to the origin in 2020
    for p in ("北京", "上海", "天津"):
        assert r.at[p, "quadrant_first"] == "HH" and r.at[p, "dist_last"] < r.at[p, "dist_first"]
    # Jiangxi and Hebei: LH in 2010 and closer to the origin in 2020 (Fujian is not closer: 1.03→1.21)
    for p in ("江西", "河北", "安徽"):
        assert r.at[p, "quadrant_first"] == "LH" and r.at[p, "dist_last"] < r.at[p, "dist_first"]
    assert r.at["福建", "dist_last"] > r.at["福建", "dist_first"]
    # Jilin, Sichuan, Guizhou in the third quadrant in 2010
    assert all(r.at[p, "quadrant_first"] == "LL" for p in ("吉林", "四川", "贵州"))
    # significance-based roles (p_sim < 0.05, 999 permutations, seed 12345) are far fewer
    # (only clear-cut cases: esda gives p = 0.007 for Shanghai 2010, 0.20 / 0.37 for Guangdong)
    assert r.at["广东", "role"] == "not_significant"
    assert r.at["上海", "role_first_year"] == "growth_pole"
    sig = r["cluster_last"].isin(["HH", "HL"])
    assert (r.loc[sig, "role"] == "growth_pole").all() and (r.loc[~sig, "role"] != "growth_pole").all()


def test_roles_from_nqpf_spatial(Y, local):
    spatial = pytest.importorskip("nqpf.spatial")
    if not hasattr(spatial, "moran_local"):
        pytest.skip("nqpf.spatial.moran_local not available")
    loc2 = spatial.moran_local(Y[[2010, 2020]], _w(Y.index), permutations=99, seed=1)
    a = dg.roles(loc2).set_index("region")
    b = dg.roles(local).set_index("region").loc[a.index]
    assert (a["quadrant_first"] == b["quadrant_first"]).all()
    assert (a["quadrant_last"] == b["quadrant_last"]).all()


# ------------------------------------------------------------------------------------------------
# partners
# ------------------------------------------------------------------------------------------------
def test_partners_synthetic():
    Yw = pd.DataFrame({2020: [4.0, 1.0, 3.0, 2.0]}, index=["H", "L", "U", "M"])
    tiers = pd.Series({"H": "high", "L": "low", "U": "upper-middle", "M": "lower-middle"})
    nb = {"H": ["L", "M"], "L": ["H", "U"], "U": ["L"], "M": ["H"]}
    p = dg.partners(Yw, nb, tiers)
    recv = p[p["direction"] == "receive"]
    assert recv[recv["region"] == "L"]["partner"].tolist() == ["H", "U"]
    drv = p[(p["direction"] == "drive") & (p["region"] == "H")]
    assert drv["partner"].tolist() == ["L", "M"]
    assert drv["gap"].tolist() == [-3.0, -2.0]
    with pytest.raises(InputError, match="not in the scores"):
        dg.partners(Yw, {"X": ["H"]}, tiers)


def test_paper_partners(Y):
    t = dg.tiers(Y, year=2020)
    p = dg.partners(Y, NB, t)
    hb = p[(p["region"] == "河北") & (p["direction"] == "receive")]
    assert hb["partner"].tolist() == ["北京"]
    gd = p[(p["region"] == "广东") & (p["direction"] == "drive")]
    # Guangdong's neighbours Hunan (0.2067) and Jiangxi (0.1844), named by the paper, are low
    assert {"湖南", "江西"} <= set(gd["partner"])


# ------------------------------------------------------------------------------------------------
# rules and strategy table
# ------------------------------------------------------------------------------------------------
def _facts(tier="high", trend="rising", role="unknown", sb="no", pt="no", direction="up"):
    return {"tier": tier, "trend": trend, "direction": direction, "role": role,
            "has_shortboards": sb, "has_partners": pt}


RULE_CASES = {
    "L1": _facts(tier="upper-middle", sb="yes"),
    "L2": _facts(tier="high"),
    "L3": _facts(tier="low", sb="yes"),
    "L4": _facts(tier="lower-middle"),
    "T1": _facts(trend="rising", direction="up"),
    "T2": _facts(trend="declining", direction="down"),
    "T3": _facts(trend="fluctuating", direction="down"),
    "T4": _facts(trend="fluctuating", direction="up"),
    "T5": _facts(trend="fluctuating", direction="flat"),
    "T6": _facts(tier="low", trend="stable", direction="flat"),
    "T7": _facts(tier="high", trend="stable", direction="up"),
    "T8": _facts(tier="high", trend="stable", direction="down"),
    "M1": _facts(role="growth_pole", pt="yes"),
    "M2": _facts(role="growth_pole", pt="no"),
    "M3": _facts(tier="low", role="spillover_receiver"),
    "M4": _facts(tier="low", role="lagging_cluster"),
    "M5": _facts(tier="high", role="not_significant"),
    "M6": _facts(tier="lower-middle", role="not_significant"),
    "S1": _facts(tier="low", pt="yes"),
    "S2": _facts(tier="upper-middle", pt="yes"),
    "S3": _facts(pt="no"),
}
FOCUS_OF = {"L": "local", "T": "trend", "M": "multicore", "S": "synergy"}


def test_every_bundled_rule_has_a_test():
    assert set(dg.load_rules()["rule_id"]) == set(RULE_CASES)


@pytest.mark.parametrize("rule_id", sorted(RULE_CASES))
def test_rule(rule_id):
    chosen = dg.match_rules(RULE_CASES[rule_id]).set_index("focus")
    assert chosen.at[FOCUS_OF[rule_id[0]], "rule_id"] == rule_id


def test_trend_rules_follow_the_direction():
    """Which trend sentence each (trend, direction) gets; gains are sustained only when going up."""
    expect = {("rising", "up"): "T1", ("rising", "flat"): "T5", ("declining", "down"): "T2",
              ("declining", "flat"): "T2", ("fluctuating", "down"): "T3",
              ("fluctuating", "up"): "T4", ("fluctuating", "flat"): "T5",
              ("stable", "down"): "T8", ("stable", "flat"): "T7", ("stable", "up"): "T7"}
    rules = dg.load_rules().set_index("rule_id")
    for (trend, direction), rid in expect.items():
        chosen = dg.match_rules(_facts(trend=trend, direction=direction)).set_index("focus")
        assert chosen.at["trend", "rule_id"] == rid, (trend, direction)
        if direction != "up":
            assert "sustain the gain" not in rules.at[rid, "template_en"]
            assert "gains last" not in rules.at[rid, "template_en"]
            assert "巩固" not in rules.at[rid, "template_zh"]
    # the falling-tendency sentence carries the paper's reasons (section 三(一)): industrial
    # structure / resource-based industries, policy orientation, a single policy tool
    t3 = rules.at["T3", "template_zh"]
    assert "资源型" in t3 and "政策手段过于单一" in t3 and "遏制下滑" in t3


def _focus(st, Yw, lang, names=None, items=None, rules=None):
    """render_focus of a strategy table with display names from dicts (id itself when absent)."""
    names, items = names or {}, items or {}
    return dg.render_focus(st, lang, region_name=lambda r: names.get(r, r),
                           item_name=lambda x: items.get(x, x), first_year=int(Yw.columns[0]),
                           last_year=int(Yw.columns[-1]), n_regions=len(Yw), rules=rules)


def _with_focus(st, Yw, names_zh=None, names_en=None, items_zh=None, items_en=None, rules=None):
    """The strategy table with the Chinese and English sentences beside it (as the writers do)."""
    return st.assign(focus_zh=_focus(st, Yw, "zh", names_zh, items_zh, rules),
                     focus_en=_focus(st, Yw, "en", names_en, items_en, rules))


def test_rules_file_without_direction_column(tmp_path, Y):
    """A rules file written before the direction column still loads (direction read as *)."""
    cols = [c for c in dg.RULE_COLUMNS if c != "direction"]
    old = tmp_path / "old.csv"
    old.write_text(",".join(cols) + "\nX1,trend,1,*,fluctuating,*,*,*,{region}：波动。,{region}: "
                   "fluctuating.\n", encoding="utf-8")
    assert (dg.load_rules(old)["direction"] == "*").all()
    st = _with_focus(dg.strategy_table(Y, rules=old), Y, rules=old).set_index("region")
    assert st.at["北京", "focus_zh"] == "北京：波动。"
    # facts without a direction match only rules with * there: the "no clear direction" T5
    chosen = dg.match_rules({k: v for k, v in _facts(trend="fluctuating").items()
                             if k != "direction"}).set_index("focus")
    assert chosen.at["trend", "rule_id"] == "T5"


def test_no_multicore_sentence_when_role_unknown_and_not_high():
    chosen = dg.match_rules(_facts(tier="low", role="unknown"))
    assert "multicore" not in set(chosen["focus"])


def test_user_rules_and_bad_rules(tmp_path, Y):
    cols = ",".join(dg.RULE_COLUMNS)
    # nqpf 0.1 spelling ({tier_zh} / {tier_en}) and the language-neutral one ({tier}) give the same
    for zh, en in (("{tier_zh}", "{tier_en}"), ("{tier}", "{tier}")):
        ok = tmp_path / "r.csv"
        ok.write_text(cols + f"\nX1,local,1,*,*,*,*,*,*,{{region}}：{zh}。,{{region}}: {en}.\n",
                      encoding="utf-8")
        st = _with_focus(dg.strategy_table(Y, rules=ok), Y, rules=ok).set_index("region")
        assert st.at["北京", "focus_zh"] == "北京：高。" and st.at["甘肃", "focus_en"] == "甘肃: low."
        assert st.at["北京", "rules"] == "X1"
    # a word in the language named, whatever the column
    mixed = tmp_path / "mixed.csv"
    mixed.write_text(cols + "\nX1,local,1,*,*,*,*,*,*,{tier}（{tier_en}）,{tier} ({tier_zh})\n",
                     encoding="utf-8")
    st = dg.strategy_table(Y, rules=mixed).set_index("region")
    one = st.loc[["北京"]].reset_index()
    assert _focus(one, Y, "zh", rules=mixed) == ["高（high）"]
    assert _focus(one, Y, "en", rules=mixed) == ["high (高)"]
    bad = tmp_path / "bad.csv"
    bad.write_text(cols + "\nX1,local,1,*,*,*,*,*,*,{nope},x\n", encoding="utf-8")
    with pytest.raises(InputError, match="row 2, column template_zh.*nope"):
        dg.load_rules(bad)
    with pytest.raises(InputError, match="not found"):
        dg.load_rules(tmp_path / "missing.csv")


def test_strategy_table_paper(Y, local):
    st = dg.strategy_table(Y, local=local, neighbours=NB)
    assert list(st.columns) == list(dg.STRATEGY_COLUMNS)
    assert len(st) == 29 and st["region"].iloc[0] == "广东"  # ordered by the 2020 score
    st = _with_focus(st, Y)
    tr = dg.trends(Y).set_index("region")
    for _, r in st.iterrows():
        # every sentence cites the numbers beside it
        assert f"{r.score_last:.4f}" in r.focus_zh and f"第{r.rank_last}位" in r.focus_zh
        assert f"rank {r.rank_last} of 29" in r.focus_en
        # the tiers are of the 2010–2020 mean (the default), and the sentence says so
        assert r.tier_basis == "mean"
        assert "按2010—2020年平均水平处于" in r.focus_zh
        assert "tier by its 2010-2020 average)" in r.focus_en
        assert f"{100 * tr.at[r.region, 'rel_slope']:+.1f}%" in r.focus_zh
        rules = r.rules.split(",")
        if "T1" in rules:
            assert r.rel_slope > 0 and r.R2 >= 0.5
        if {"T3", "T4", "T5"} & set(rules):
            assert r.trend in ("fluctuating", "rising")
        if "T3" in rules:
            assert r.direction == "down"
        if "T4" in rules:
            assert r.direction == "up"
        if {"M1", "M2"} & set(rules):
            assert r.role == "growth_pole" and r.quadrant_last in ("HH", "HL")
        for p in filter(None, r.partners.split(";")):
            assert p in NB[r.region]
            assert p in r.focus_zh
    s = st.set_index("region")
    # mean tiers: Beijing high, Shandong (0.3659) and Tianjin (0.3586) upper-middle, by mean score
    assert s.at["河北", "partners"] == "北京;山东;天津" and "S1" in s.at["河北", "rules"]
    assert s.at["新疆", "role"] == "lagging_cluster" and "M4" in s.at["新疆", "rules"]
    assert s.at["辽宁", "trend"] == "declining" and "T2" in s.at["辽宁", "rules"]
    # tiers of the 2020 scores: Tianjin and Shandong fall to lower-middle, Beijing is Hebei's partner
    last = _with_focus(dg.strategy_table(Y, local=local, neighbours=NB, tier_basis="last"), Y)
    last = last.set_index("region")
    assert last.at["河北", "partners"] == "北京" and "S1" in last.at["河北", "rules"]
    assert (last["rank_last"] == s["rank_last"].reindex(last.index)).all()
    for r, row in last.iterrows():  # the rank and the tier are both of 2020: nothing added
        assert f"第{row.rank_last}位，处于" in row.focus_zh and "平均水平" not in row.focus_zh
        assert f"rank {row.rank_last} of 29 ({t_(f'cat.tier.{row.tier}', 'en')} tier)" in row.focus_en


def test_strategy_table_shortboards():
    Yw = pd.DataFrame({2018: [0.1, 0.5, 0.9], 2019: [0.2, 0.5, 0.9], 2020: [0.3, 0.6, 0.8]},
                      index=["A", "B", "C"])
    X = _norm([[0.1, 0.9, 0.5], [0.6, 0.2, 0.9], [1.0, 1.0, 1.0]], ["A", "B", "C"], [2020],
              ["x1", "x2", "x3"])
    ob = dg.obstacles(X, {"x1": 0.5, "x2": 0.3, "x3": 0.2})
    zh = {"x1": "教育", "x2": "专利", "x3": "环保"}
    en = {"x1": "education", "x2": "patents", "x3": "environment"}
    st = dg.strategy_table(Yw, obstacles=ob, k=2, n_shortboards=2,
                           trend_kw={"slope_tol": 0.01})
    st = _with_focus(st, Yw, items_zh=zh, items_en=en).set_index("region")
    # A: w(1-x') = (0.45, 0.03, 0.10) → education, environment: ids in the table, names in the text
    assert st.at["A", "shortboards"] == "x1;x3"
    assert "补齐教育、环保等短板" in st.at["A", "focus_zh"]
    assert "education, environment" in st.at["A", "focus_en"]
    assert st.at["C", "shortboards"] == ""  # at the maximum everywhere: no shortboard
    assert st.at["C", "role"] == "unknown" and st.at["C", "role_first_year"] == ""
    only_scores = dg.strategy_table(Yw, k=2)
    assert (only_scores["shortboards"] == "").all() and (only_scores["partners"] == "").all()
    # group paths at the level asked for, clipped to the deepest level of the table
    groups = {"x1": ("人", "教育"), "x2": ("物", "专利"), "x3": ("物", "环保")}
    by = dg.obstacles_by_group(dg.obstacles(X, {"x1": 0.5, "x2": 0.3, "x3": 0.2}), groups)
    g = dg.strategy_table(Yw, obstacles=by, k=2, shortboard_level=5).set_index("region")
    assert g.at["A", "shortboards"] == "人/教育;物/环保"
    g1 = dg.strategy_table(Yw, obstacles=by, k=2, shortboard_level=1).set_index("region")
    assert g1.at["A", "shortboards"] == "人;物"


GAIN_WORDS_ZH = ("巩固提升势头", "巩固已有提升")
GAIN_WORDS_EN = ("sustain the gain", "gains last")


def test_no_gain_sentence_for_falling_regions(Y, local):
    """On the paper's scores no region whose score fell (net change < 0, slope < 0) is told to
    sustain its gains, and only regions with an upward direction are."""
    st = _with_focus(dg.strategy_table(Y, local=local, neighbours=NB), Y)
    fell = st[(st["net_change"] < 0) & (st["slope"] < 0)]
    assert set(fell["region"]) >= {"北京", "江苏", "天津", "黑龙江", "吉林"}
    for _, r in st.iterrows():
        gains = any(w in r.focus_zh for w in GAIN_WORDS_ZH) or any(w in r.focus_en for w in GAIN_WORDS_EN)
        if r.region in set(fell["region"]):
            assert not gains, r.region
            assert "下降" in r.focus_zh or "下滑" in r.focus_zh, r.region
        if gains:
            assert r.direction == "up", r.region
    s = st.set_index("region")
    assert "T3" in s.at["北京", "rules"] and "遏制下滑" in s.at["北京", "focus_zh"]
    assert "halt it" in s.at["北京", "focus_en"]


def test_path_wording_never_contradicts(Y, local):
    st = _with_focus(dg.strategy_table(Y, local=local, neighbours=NB), Y).set_index("region")
    gd = st.loc["广东"]
    # slope +2.0 %/yr while 2020 ended below 2010: worded with the peak and "but"/"although"
    assert "线性趋势年均+2.0%" in gd.focus_zh and "2019年达到峰值0.6845，但2020年的0.5530低于2010年的0.5641" in gd.focus_zh
    assert "peaking at 0.6845 in 2019, although 2020 (0.5530) ended below 2010 (0.5641)" in gd.focus_en
    assert "由2010年的0.5641" not in gd.focus_zh
    import re

    for r, row in st.iterrows():
        m = re.search(r"线性趋势年均([+-]?)\d", row.focus_zh)
        sign = m.group(1)
        assert f"linear trend {sign}" in row.focus_en
        if sign == "+":
            assert "降至" not in row.focus_zh and "down from" not in row.focus_en, r
        if sign == "-":
            assert "升至" not in row.focus_zh and "up from" not in row.focus_en, r
        if "升至" in row.focus_zh or "up from" in row.focus_en:
            assert row.score_last > row.score_first
        if "降至" in row.focus_zh or "down from" in row.focus_en:
            assert row.score_last < row.score_first
        if "低于" in row.focus_zh or "ended below" in row.focus_en:
            assert row.score_last < row.score_first and sign == "+"
        for col in ("net_change", "peak_year", "peak"):
            assert col in st.columns


def test_codes_in_the_table_words_in_the_catalogue(Y, local):
    """No language in the computed table; every code it can hold has a word in every catalogue;
    names of partners come from the caller when rendering."""
    from nqpf.i18n import LANGS, missing_keys

    st = dg.strategy_table(Y, local=local, neighbours=NB, tier_basis="last")
    assert not [c for c in st.columns if c.endswith(("_zh", "_en")) or c.startswith("focus")]
    s = st.set_index("region")
    assert s.at["河北", "partners"] == "北京" and s.at["北京", "partners"] == "河北;天津"
    assert s.at["新疆", "role_last_year"] == "lagging_cluster"
    assert t_("cat.role.lagging_cluster", "en") == "lagging cluster"
    keys = [f"cat.tier.{c}" for codes in dg.TIER_CODES.values() for c in codes]
    keys += [f"cat.trend.{c}" for c in dg.TREND_CODES]
    keys += [f"cat.direction.{c}" for c in dg.DIRECTION_CODES]
    keys += [f"cat.role.{c}" for c in dg.ROLE_CODES]
    keys += [f"{fam}.tier_basis.{c}" for fam in ("cat", "strategy", "convtext") for c in dg.TIER_BASES]
    keys += ["strategy.list_sep", "strategy.sentence_sep"] + [
        f"strategy.path.{k}" for k in ("head", "peak", "level", "up", "down", "ended_above",
                                       "ended_below", "plain", "peak_level", "peak_against",
                                       "peak_along")]
    assert missing_keys(keys, LANGS) == []
    for col, family in (("tier", "tier"), ("tier_basis", "tier_basis"), ("trend", "trend"),
                        ("direction", "direction"),
                        ("role", "role"), ("role_first_year", "role"), ("role_last_year", "role")):
        assert missing_keys({f"cat.{family}.{c}" for c in st[col] if c}) == []
    en_names = {"北京": "Beijing", "天津": "Tianjin", "河北": "Hebei"}
    bj = st[st["region"] == "北京"]
    assert "neighbours Hebei, Tianjin," in _focus(bj, Y, "en", names=en_names)[0]
    assert "较低潜力地区河北、天津结对" in _focus(bj, Y, "zh")[0]


def test_latin_names_in_chinese_sentences():
    regions = ["Guangdong", "Guangxi", "Hunan", "Jiangxi", "Fujian", "Hainan"]
    Yw = pd.DataFrame({2018: [0.60, 0.10, 0.20, 0.15, 0.25, 0.12],
                       2019: [0.65, 0.11, 0.21, 0.16, 0.26, 0.13],
                       2020: [0.70, 0.12, 0.22, 0.17, 0.27, 0.14]}, index=regions)
    nb = {"Guangdong": ["Guangxi", "Hunan", "Jiangxi", "Fujian", "Hainan"], "Guangxi": ["Guangdong"],
          "Hunan": ["Guangdong"], "Jiangxi": ["Guangdong"], "Fujian": ["Guangdong"],
          "Hainan": ["Guangdong"]}
    st = _with_focus(dg.strategy_table(Yw, neighbours=nb, k=2), Yw).set_index("region")
    gd = st.at["Guangdong", "focus_zh"]
    assert gd.startswith("Guangdong 2020年得分0.7000")
    assert "Guangdong 应发挥" in gd  # M5: 作为高潜力地区，{region}应发挥…
    assert "邻近的较低潜力地区 Guangxi、" in gd
    import re

    for text in st["focus_zh"]:
        assert not re.search(r"[A-Za-z][0-9\u4e00-\u9fff]|[\u4e00-\u9fff][A-Za-z]", text), text
    # Chinese names and numbers keep the Chinese typesetting (no spaces)
    assert _fill("{region}{last_year}年得分{score_last}，邻近的{partners}。",
                 {"region": "广东", "last_year": "2020", "score_last": "0.5530",
                  "partners": "广西、湖南"}) == "广东2020年得分0.5530，邻近的广西、湖南。"
    assert _fill("（{region}）、{partners}型", {"region": "Hebei", "partners": "HH"}) == "（Hebei）、HH 型"
    # English text, which has its own spaces, is left as it is
    assert _fill("{region} scored {score_last}; neighbours {partners}.",
                 {"region": "Hebei", "score_last": "0.1", "partners": "Beijing, Tianjin"}) == \
        "Hebei scored 0.1; neighbours Beijing, Tianjin."
