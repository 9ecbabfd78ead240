"""Tiers of the strategy table on the period mean (the default) or on the last year.

A region's tier is its level: classified on the last year alone, one unusual year decides it. In the
paper's scores Shaanxi jumped from 0.224 (2019) to 0.392 (2020); the 2020 natural breaks put it in
the second tier beside Shanghai and Zhejiang (and made it the partner its neighbours were told to
follow), while its 2010–2020 mean (0.235) is among the lower-middle provinces. The default is now
natural breaks (k = 4) of each region's 2010–2020 mean; ``tier_basis="last"`` keeps the old reading.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nqpf import diagnose as dg
from nqpf import pipeline
from nqpf.errors import InputError

YEARS = [2016, 2017, 2018, 2019, 2020]


# --------------------------------------------------------------------------------------- the demo
@pytest.fixture(scope="module")
def demo():
    return pipeline.demo()


def _tiers_by_name(res):
    st = res.table("strategy")
    name = {r: res.regions.label(r) for r in st["region"]}
    return st.assign(name=st["region"].map(name)).set_index("name")


def test_demo_tiers_are_of_the_period_mean(demo):
    s = _tiers_by_name(demo)
    top, second = (set(s.index[s["tier"] == t]) for t in ("high", "upper-middle"))
    assert top == {"北京", "江苏", "广东"}
    assert "上海" in top | second
    assert "陕西" not in top | second and s.at["陕西", "tier"] == "lower-middle"
    assert second == {"上海", "浙江", "山东", "天津"}  # 2010–2020 means 0.463, 0.446, 0.366, 0.359
    assert (s["tier_basis"] == "mean").all()
    # the tiers are those of tiers(year="mean"); the rank cited beside them is still the 2020 rank
    Y = demo.Y
    m = dg.tiers(Y, year="mean").set_index("region")["tier"]
    assert (s.set_index("region")["tier"] == m.reindex(s["region"]).to_numpy()).all()
    assert s.at["陕西", "rank_last"] == 4 and s.at["广东", "rank_last"] == 1
    # nobody is told to follow Shaanxi any more (eight neighbours were, with the 2020 tiers)
    shaanxi = s.at["陕西", "region"]
    assert not s["partners"].str.split(";").map(lambda p: shaanxi in p).any()
    # the basis is a parameter and a convention of the report
    assert demo.param("tier_basis") == "mean"
    assert "tier_basis.mean" in demo.param("conventions")
    from nqpf.report._model import conventions

    for lang, needle in (("zh", "平均得分"), ("en", "mean score over the study period")):
        assert any(needle in line for line in conventions(dict(demo.params), lang)), lang


def test_demo_sentences_say_the_tier_is_of_the_mean(demo):
    from nqpf.analyses.diagnosis import _render

    st = demo.table("strategy")
    row = {demo.regions.label(r): i for i, r in enumerate(st["region"])}
    zh, en = _render(st, "zh", demo), _render(st, "en", demo)
    shaanxi = "陕西2020年得分0.3922，在29个地区中居第4位，按2010—2020年平均水平处于较低梯队："
    shanghai = "上海2020年得分0.3601，在29个地区中居第6位，按2010—2020年平均水平处于较高梯队："
    assert shaanxi in zh[row["陕西"]] and shanghai in zh[row["上海"]]
    assert "rank 4 of 29 (lower-middle tier by its 2010-2020 average):" in en[row["陕西"]]
    hant = _render(st, "zh-Hant", demo)[row["陕西"]]
    assert "按2010—2020年平均水準處於較低梯隊" in hant


def test_last_year_tiers_on_request():
    """``options={"tier_basis": "last"}``: the 2020 natural breaks, Shaanxi beside Shanghai and
    Zhejiang, as nqpf 0.1 had it; the sentences then add nothing to the tier."""
    from nqpf import datasets, regions

    Y = datasets.load_ran2025_scores(wide=True)
    codes = {r: regions.normalize(r) for r in Y.index}
    res = pipeline.analyze(Y, labels={r: r for r in Y.index}, codes=codes,
                           analyses=("scores", "spatial", "diagnosis"), permutations=99,
                           options={"tier_basis": "last"})
    s = _tiers_by_name(res)
    assert set(s.index[s["tier"] == "high"]) == {"北京", "江苏", "广东"}
    assert set(s.index[s["tier"] == "upper-middle"]) == {"陕西", "浙江", "上海"}
    assert (s["tier_basis"] == "last").all()
    assert res.param("tier_basis") == "last" and "tier_basis.last" in res.param("conventions")
    with pytest.raises(InputError, match="tier_basis"):
        pipeline.analyze(Y, labels={r: r for r in Y.index}, codes=codes, analyses=("diagnosis",),
                         options={"tier_basis": "first"})


# ------------------------------------------------------------------------------ a hand-computed case
def _hand():
    """Eight regions over 2016–2020. Seven keep their score every year; ``f`` scores 0.0125 four
    years and 0.50 in 2020: mean (4 × 0.0125 + 0.50) / 5 = 0.11.

    Means: a 0.10, f 0.11, b 0.12 | c 0.30, d 0.32 | e 0.60 | g 0.90, h 0.92 — four groups far
    apart, so the Fisher-Jenks breaks (k = 4, least within-class sum of squares) are the gaps:
    low {a, f, b} (upper bound 0.12), lower-middle {c, d} (0.32), upper-middle {e} (0.60), high
    {g, h} (0.92). Within-class SS 0.0002 + 0.0002 + 0 + 0.0002 = 0.0006; moving any region across
    a gap adds at least 0.0191 (b into c–d: (0.12, 0.30, 0.32) has SS 0.0195).

    2020 alone: 0.10, 0.12 | 0.30, 0.32 | 0.50, 0.60 | 0.90, 0.92 — f joins e in the upper-middle
    tier (SS 0.0056; f with c–d instead: 0.0243).
    """
    base = {"a": 0.10, "b": 0.12, "c": 0.30, "d": 0.32, "e": 0.60, "g": 0.90, "h": 0.92}
    Y = pd.DataFrame({y: base for y in YEARS})
    Y.loc["f"] = [0.0125, 0.0125, 0.0125, 0.0125, 0.50]
    nb = {"a": ["f"], "f": ["a", "c", "e"], "c": ["f"], "e": ["f"], "b": [], "d": [], "g": [], "h": []}
    return Y, nb


MEAN_TIERS = {"a": "low", "f": "low", "b": "low", "c": "lower-middle", "d": "lower-middle",
              "e": "upper-middle", "g": "high", "h": "high"}
LAST_TIERS = {**MEAN_TIERS, "f": "upper-middle"}


def test_hand_computed_mean_tiers():
    Y, nb = _hand()
    m = dg.tiers(Y, year="mean").set_index("region")
    np.testing.assert_allclose(m.at["f", "score"], 0.11, atol=1e-15)
    assert m["tier"].to_dict() == MEAN_TIERS
    np.testing.assert_allclose(sorted(m["upper"].unique()), [0.12, 0.32, 0.60, 0.92], atol=1e-12)
    assert (m["year"] == "mean").all()

    st = dg.strategy_table(Y, neighbours=nb).set_index("region")
    assert st["tier"].to_dict() == MEAN_TIERS and (st["tier_basis"] == "mean").all()
    assert st.at["f", "rank_last"] == 4  # 2020: h, g, e, then f
    last = dg.strategy_table(Y, neighbours=nb, tier_basis="last").set_index("region")
    assert last["tier"].to_dict() == LAST_TIERS and (last["tier_basis"] == "last").all()
    assert (last["rank_last"] == st["rank_last"].reindex(last.index)).all()


def test_hand_computed_partners_use_the_same_tiers():
    """Mean tiers: f (low) receives from its upper-middle neighbour e, which drives f; a and c have
    no higher-potential neighbour. 2020 tiers: f (upper-middle) drives a and c (lowest first), which
    receive from f; e has no lower-potential neighbour."""
    Y, nb = _hand()
    st = dg.strategy_table(Y, neighbours=nb).set_index("region")
    assert st["partners"].to_dict() == {"a": "", "b": "", "c": "", "d": "", "e": "f", "f": "e",
                                        "g": "", "h": ""}
    last = dg.strategy_table(Y, neighbours=nb, tier_basis="last").set_index("region")
    assert last["partners"].to_dict() == {"a": "f", "b": "", "c": "f", "d": "", "e": "", "f": "a;c",
                                          "g": "", "h": ""}
    # partners(year="mean") with the tiers of the mean: scores are the means
    pr = dg.partners(Y, nb, dg.tiers(Y, year="mean"), year="mean")
    assert pr[["region", "direction", "partner"]].values.tolist() == [["e", "drive", "f"],
                                                                      ["f", "receive", "e"]]
    np.testing.assert_allclose(pr.set_index("region").at["f", "score"], 0.11, atol=1e-15)
    with pytest.raises(InputError, match="year='median'"):
        dg.partners(Y, nb, dg.tiers(Y, year="mean"), year="median")


def test_hand_computed_sentences():
    Y, nb = _hand()
    kw = dict(region_name=str, item_name=str, first_year=2016, last_year=2020, n_regions=8)
    for basis, zh_tier, en_tier in (
            ("mean", "按2016—2020年平均水平处于低梯队", "(low tier by its 2016-2020 average)"),
            ("last", "处于较高梯队", "(upper-middle tier)")):
        st = dg.strategy_table(Y, neighbours=nb, tier_basis=basis)
        f = st[st["region"] == "f"]
        zh = dg.render_focus(f, "zh", **kw)[0]
        en = dg.render_focus(f, "en", **kw)[0]
        assert zh.startswith("f 2020年得分0.5000，在8个地区中居第4位，" + zh_tier + "："), zh
        assert en.startswith("f scored 0.5000 in 2020, rank 4 of 8 " + en_tier + ":"), en
    with pytest.raises(InputError, match="tier_basis='first'"):
        dg.strategy_table(Y, tier_basis="first")
    bad = dg.strategy_table(Y).assign(tier_basis="first")
    with pytest.raises(InputError, match="tier_basis 'first'"):
        dg.render_focus(bad, "zh", **kw)


def test_mean_tiers_need_k_distinct_means():
    Y = pd.DataFrame({2018: [0.1, 0.2, 0.3], 2019: [0.3, 0.2, 0.1], 2020: [0.2, 0.2, 0.2]},
                     index=list("abc"))  # every mean is 0.2
    with pytest.raises(InputError, match="the mean over 2018–2020 has 1 distinct score"):
        dg.strategy_table(Y, k=2)
