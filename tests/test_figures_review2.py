"""Second acceptance review (figures): caveats and consistency a reader needs.

References: hand-computed cases stated in each test (coupling of a zero subsystem, common Fisher–Jenks
breaks against mapclassify's FisherJenks on the pooled values, the kernel-density grid bounds).
"""
from __future__ import annotations

import warnings
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from nqpf.analyses import FAMILIES
from nqpf.analyses._common import Context
from nqpf.results import RegionIndex


def _ctx(Y, results=None, extras=None, options=None):
    ids = [str(i) for i in Y.index]
    return Context(Y=Y, regions=RegionIndex(ids=tuple(ids), labels={i: i for i in ids}, codes={}, level="other"),
                   results=dict(results or {}), extras=dict(extras or {}), options=dict(options or {}))


def _indicator_study(n=12, years=(2020, 2021), seed=0):
    rng = np.random.default_rng(seed)
    ids = [f"r{i}" for i in range(n)]
    nz = pd.DataFrame({"region": np.repeat(ids, len(years)), "year": list(years) * n,
                       "a": rng.uniform(size=n * len(years)), "b": rng.uniform(size=n * len(years))})
    Y = pd.DataFrame((0.5 * nz["a"] + 0.5 * nz["b"]).to_numpy().reshape(n, len(years)), index=ids,
                     columns=list(years))
    return Y, nz


# ------------------------------------------------------------------ 1. drivers from the index's indicators
def test_drivers_on_own_indicators_warn_once_and_say_so_in_zh_and_en():
    from nqpf.analyses.drivers import CIRCULAR_WARNING

    Y, nz = _indicator_study()
    ctx = _ctx(Y, results={"normalized": SimpleNamespace(data=nz)}, options={"drivers.classes": [3]})
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        items, params = FAMILIES["drivers"].items(ctx)
    msgs = [str(r.message) for r in rec if "own indicators" in str(r.message)]
    assert msgs == [CIRCULAR_WARNING]
    assert "extras=dict(covariates=" in msgs[0] and "--skip drivers" in msgs[0]
    assert params["drivers_source"] == "drivers.source.indicators"
    methods = next(i for i in items if i.key == "methods_geodetector")
    zh, en = " ".join(methods.texts("zh")), " ".join(methods.texts("en"))
    assert "塑造了由其合成的综合指数的空间分层" in zh and "extras=dict(covariates=" in zh
    assert "not the effect of an outside driver" in en and "extras=dict(covariates=" in en


def test_drivers_covariates_given_take_precedence_without_the_caveat():
    Y, nz = _indicator_study()
    cov = pd.DataFrame({"region": list(Y.index), "x": np.arange(len(Y)) % 3})
    ctx = _ctx(Y, results={"normalized": SimpleNamespace(data=nz)}, extras={"covariates": cov},
               options={"drivers.classes": [3]})
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        items, params = FAMILIES["drivers"].items(ctx)
    assert not [r for r in rec if "own indicators" in str(r.message)]
    assert params["drivers_source"] == "drivers.source.covariates"
    factor = next(i for i in items if i.key == "geodetector_factor").data
    assert set(factor["factor"]) == {"x"}
    methods = next(i for i in items if i.key == "methods_geodetector")
    assert "outside driver" not in " ".join(methods.texts("en"))


# ------------------------------------------------------------------ 2. coupling with a subsystem at 0
def test_coupling_zero_subsystem_lags_is_not_synchronous_and_warns_once():
    from nqpf.coupling import coupling_coordination

    levels = pd.DataFrame({"region": ["a", "b", "c", "d"], "year": [2018] * 4,
                           "x": [0.0, 0.05, 0.0, 0.30], "y": [0.0114, 0.10, 0.0, 0.32]})
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        out = coupling_coordination(levels, zero_hint="; HINT")
    msgs = [str(r.message) for r in rec if "at level 0" in str(r.message)]
    # a: U = (0, 0.0114): C = √[(1 − 0.0114) · 0 / 0.0114] = 0, T = 0.0057, D = 0, x lags (not synchronous)
    # b: U = (0.05, 0.10): gap 0.05 ≤ 0.1 → synchronous; C = √(0.95 · 0.5), D = √(C · 0.075)
    # c: every U = 0: C undefined (NaN), D = 0, no lagging subsystem, not synchronous
    # d: U = (0.30, 0.32): synchronous, C = √(0.98 · 0.30 / 0.32)
    assert len(msgs) == 1 and msgs[0].startswith("coupling: 1 region-year(s) have a subsystem at level 0 (first: a 2018, x)")
    assert msgs[0].endswith("; HINT")
    assert out.loc[0, "C"] == 0.0 and out.loc[0, "D"] == 0.0 and out.loc[0, "T"] == pytest.approx(0.0057, abs=1e-15)
    assert out.loc[0, "level"] == "extreme_disorder"
    assert out.loc[0, "lagging"] == "x" and not out.loc[0, "synchronous"]
    C_b = (0.95 * 0.5) ** 0.5
    assert out.loc[1, "C"] == pytest.approx(C_b, abs=1e-12) and out.loc[1, "D"] == pytest.approx((C_b * 0.075) ** 0.5, abs=1e-12)
    assert out.loc[1, "lagging"] == "" and out.loc[1, "synchronous"]
    assert np.isnan(out.loc[2, "C"]) and out.loc[2, "D"] == 0.0
    assert out.loc[2, "lagging"] == "" and not out.loc[2, "synchronous"]
    assert out.loc[3, "C"] == pytest.approx((0.98 * 0.30 / 0.32) ** 0.5, abs=1e-12) and out.loc[3, "synchronous"]


def test_coupling_family_hint_names_the_shift():
    from nqpf.analyses.coupling import ZERO_HINT
    from nqpf.i18n import t

    for lang in ("en", "zh"):   # a catalogue text, written in the reader's language
        hint = t(ZERO_HINT[True][1:], lang)
        assert "[index] shift = 0.0001" in hint and "--shift 0.0001" in hint


# ------------------------------------------------------------------ 3. maps of several years share classes
@pytest.fixture(scope="module")
def demo():
    """The paper's scores (bundled), spatial family only, 39 permutations (two-sided p_sim in steps of 0.05)."""
    from nqpf.datasets import load_ran2025_scores
    from nqpf.pipeline import analyze

    Y = load_ran2025_scores(wide=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return analyze(Y, "china-provinces", permutations=39, analyses=["scores", "spatial"],
                       figure_years=[2010, 2020])


def test_score_maps_of_two_years_share_fisher_jenks_breaks_of_the_pooled_scores(demo):
    import matplotlib.pyplot as plt
    import mapclassify

    figs = {y: demo[f"map_{y}"].draw(demo, "zh") for y in (2010, 2020)}
    b10, b20 = figs[2010].nqpf_bounds, figs[2020].nqpf_bounds
    assert b10 == b20
    pooled = demo.Y[[2010, 2020]].to_numpy(dtype=float).ravel()
    # reference: mapclassify's exact Fisher–Jenks on the pooled values (float32 inside: 1e-6)
    ref = mapclassify.FisherJenks(pooled, k=5).bins
    np.testing.assert_allclose([hi for _, hi in b10], ref, rtol=0, atol=1e-6)
    assert b10[0][0] == pytest.approx(pooled.min(), abs=1e-15)
    # each year alone would have had other breaks: the common ones differ from 2010's own
    own = mapclassify.FisherJenks(demo.Y[2010].to_numpy(dtype=float), k=5).bins
    assert not np.allclose(own, ref, atol=1e-6)
    for y, fig in figs.items():
        titles = [t.get_text() for ax in fig.axes if ax.get_legend() for t in [ax.get_legend().get_title()]]
        assert any("2010、2020 年共用分级" in t for t in titles), titles
        plt.close(fig)
    en = demo["map_2010"].draw(demo, "en")
    assert any("classes common to 2010, 2020" in ax.get_legend().get_title().get_text()
               for ax in en.axes if ax.get_legend())
    plt.close(en)


def test_methods_state_common_breaks_and_the_lisa_rule_as_coded(demo):
    """moran_local: cluster where p_sim <= alpha; the methods text and the map legend both say ≤."""
    from nqpf.i18n import t
    from nqpf.report import _model

    for lang, common, rule in (("zh", "2010、2020 年", "p_{sim} ≤ 0.05"), ("en", "(2010, 2020)", "p_{sim} ≤ 0.05")):
        blocks = _model._methods(dict(demo.params), set(demo.items), lang, [0])
        text = " ".join(getattr(b, "text", "") or "" for b in blocks)
        assert common in text and rule in text and "p_{sim} <" not in text
        assert "≤" in t("plot.classes_lisa_alpha", lang, alpha="0.05")
    local = demo.table("moran_local")
    at = local[np.isclose(local["p_sim"], 0.05, rtol=0, atol=1e-12)]
    assert len(at) > 0 and (at["cluster"] != "").all()     # p_sim = 2·1/40 exactly alpha: a cluster (≤)


# ------------------------------------------------------------------ 4. kernel density grid of non-negative scores
def test_kde_grid_starts_at_zero_for_non_negative_scores_and_densities_are_unchanged():

    from nqpf.dynamics.kde import CUT, kernel_density

    Y = pd.DataFrame({2020: [0.0, 0.02, 0.05, 0.3, 0.5], 2021: [0.01, 0.04, 0.08, 0.35, 0.6]},
                     index=list("abcde"))
    kd = kernel_density(Y, grid=101)
    x = kd.density.loc[(kd.density["group"] == "all") & (kd.density["year"] == 2020), "x"].to_numpy()
    h = kd.features.set_index("year").loc[2020, "bandwidth"]
    assert x[0] == 0.0 and len(x) == 101
    h21 = kd.features.set_index("year").loc[2021, "bandwidth"]
    assert x[-1] == pytest.approx(max(0.5 + CUT * h, 0.6 + CUT * h21), abs=1e-15)
    # no boundary correction: the density at each grid point is the plain Gaussian KDE (hand formula)
    d = kd.density.loc[(kd.density["group"] == "all") & (kd.density["year"] == 2020), "density"].to_numpy()
    y = Y[2020].to_numpy()
    ref = np.exp(-0.5 * ((x[:, None] - y[None, :]) / h) ** 2).sum(axis=1) / (len(y) * h * np.sqrt(2 * np.pi))
    np.testing.assert_allclose(d, ref, rtol=1e-12, atol=0)
    # scores of any sign keep the grid min − 3h
    kd2 = kernel_density(Y - 0.1, grid=101)
    lo = min(float((Y - 0.1)[c].min() - CUT * kd2.features.set_index("year").loc[c, "bandwidth"]) for c in Y.columns)
    assert kd2.density["x"].min() == pytest.approx(lo, abs=1e-15) and lo < 0


def test_kde_family_states_the_grid_from_zero_in_zh_and_en():
    Y = pd.DataFrame(np.random.default_rng(3).uniform(0.0, 1.0, (8, 3)), index=[f"r{i}" for i in range(8)],
                     columns=[2019, 2020, 2021])
    items, params = FAMILIES["density"].items(_ctx(Y))
    assert params["density_grid_from"] == 0.0
    m = next(i for i in items if i.key == "methods_density")
    assert "格点下端取 0" in " ".join(m.texts("zh")) and "grid starts at 0" in " ".join(m.texts("en"))
    items, params = FAMILIES["density"].items(_ctx(Y - 0.5))
    assert "density_grid_from" not in params


# ------------------------------------------------------------------ 6. figures for a captioned report; wide tables
@pytest.fixture(scope="module")
def paper_study():
    """The paper's scores with the disparity, spatial, ellipse and Markov families (the demo's)."""
    from nqpf.datasets import load_ran2025_scores
    from nqpf.pipeline import analyze

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return analyze(load_ran2025_scores(wide=True), "china-provinces", permutations=9,
                       analyses=["scores", "disparity", "spatial", "evolution", "ellipse", "markov"],
                       figure_years=[2010, 2020])


def _texts(fig):
    sup = fig._suptitle.get_text() if fig._suptitle is not None else ""
    return sup, [ax.get_title() for ax in fig.axes]


def test_report_figures_have_no_title_repeating_their_caption_but_keep_panel_labels(paper_study):
    import matplotlib.pyplot as plt

    from nqpf.i18n import t

    res = paper_study
    for key, default in (("fig1_disparity", "plot.fig_disparity"), ("heatmap", "plot.fig_heatmap"),
                         ("fig2_moran_scatter", "plot.fig_moran_scatter"), ("ellipse_map", None),
                         ("markov_heatmap", None), ("lisa_types", None)):
        fig = res[key].draw(res, "zh")
        sup, titles = _texts(fig)
        assert sup == "", (key, sup)
        if default:
            assert t(default, "zh") not in titles, (key, titles)
        if key == "fig2_moran_scatter":
            assert [x for x in titles if x] == ["2010", "2020"]           # panel labels stay
        if key == "ellipse_map":
            assert titles[0] == ""                                       # the map: no title
            assert fig.get_size_inches()[0] <= 8.5                       # legible at column width
        plt.close(fig)
    fig = res["map_2010"].draw(res, "zh")
    assert "2010" in _texts(fig)[1]                                      # the year of a map stays
    plt.close(fig)
    from nqpf import plot

    fig = plot.plot_moran_scatter(res.table("moran_local"), [2010], lang="en")
    assert _texts(fig)[0] == t("plot.fig_moran_scatter", "en")          # the function's default is kept
    plt.close(fig)


def test_lisa_markov_types_table_fits_a_page_in_the_report(paper_study):
    from nqpf.report._model import build_document

    item = paper_study["lisa_markov_types"]
    assert len(item.display) == 11 and not any(c.startswith("share_") for c in item.display)
    _, blocks, _ = build_document(paper_study, "zh", None, max_rows=40)
    block = next(b for b in blocks if getattr(b, "key", None) == "lisa_markov_types")
    assert block.loc.frame.shape[1] == 11 and block.omitted == 5


# ------------------------------------------------------------------ 7. notes under tables
def test_markov_notes_explain_blank_rows_and_infinite_passage_times():
    from nqpf.analyses.markov import table_notes
    from nqpf.dynamics.markov import _chain_status, first_passage_times, steady_state
    from nqpf.report._model import format_value

    nan = np.nan
    # hand-made chain: {1, 2} and {3} are closed classes (several: no unique steady state), class 4 has no
    # transition out; from 1 class 3 is never reached: F[0, 2] = inf
    P = np.array([[0.5, 0.5, 0, 0], [0.5, 0.5, 0, 0], [0, 0, 1.0, 0], [nan] * 4])
    assert _chain_status(P) == "several_closed" and np.isnan(steady_state(P)).all()
    F = first_passage_times(P)
    assert np.isinf(F[0, 2]) and F[0, 1] == pytest.approx(2.0, abs=1e-12)  # 1 + 0.5·0 + 0.5·F[0,1] → 2
    T = np.array([[[1, 1, 0, 0], [1, 1, 0, 0], [0, 0, 2, 0], [0, 0, 0, 0]],
                  [[2, 1, 0, 0], [1, 2, 0, 0], [0, 0, 1, 1], [0, 0, 1, 1]]])
    mk = SimpleNamespace(status="several_closed", empty=np.array([False, False, False, True]), F=F)
    sm = SimpleNamespace(status=("several_closed", "ok"), T=T, F=np.stack([F, np.ones((4, 4))]))
    notes = table_notes(mk, sm)
    assert notes["markov_steady_state"] == [("note.markov.steady_several_closed", {}),
                                            ("note.markov.empty", {"classes": "4"})]
    assert notes["markov_first_passage"] == [("note.markov.empty", {"classes": "4"}), ("note.markov.inf", {})]
    assert notes["spatial_markov_steady_state"] == [("note.spatial_markov.steady_several_closed", {"lags": "1"}),
                                                    ("note.spatial_markov.empty", {"pairs": "(1, 4)"})]
    assert ("note.markov.inf", {}) in notes["spatial_markov_first_passage"]
    assert format_value(np.inf, "float", "zh") == "∞" and format_value(-np.inf, "float") == "−∞"
    assert format_value(np.nan, "float") == ""


def test_report_writes_the_markov_notes_in_zh_and_en(paper_study):
    from nqpf.report._model import build_document

    for lang, want in (("zh", "（邻域等级, 等级）为 (1, 4), (4, 1) 的行没有观测到转移"),
                       ("en", "no transition was observed from (neighbourhood class, class) (1, 4), (4, 1)")):
        _, blocks, _ = build_document(paper_study, lang, None, max_rows=40)
        block = next(b for b in blocks if getattr(b, "key", None) == "spatial_markov_steady_state")
        assert want in (block.note or "")


def test_table3_paper_values_are_shown_as_printed():
    from nqpf.datasets.paper import table3_item
    from nqpf.outputs import localized
    from nqpf.report._model import _printed_digits, format_value

    mg = pd.DataFrame({"year": [2011], "I": [0.3226], "z_rand": [2.8751], "p_rand": [0.002]})
    item = table3_item(mg)
    loc = _printed_digits(item.key, localized(item, "zh", None))
    row = dict(zip(loc.frame.columns, loc.kinds))
    one = loc.frame[loc.frame["year"].astype(str) == "2011"].iloc[0]
    assert format_value(one["I_paper"], row["I_paper"]) == "0.323"      # the paper's Table 3 prints 0.323
    assert format_value(one["z_paper"], row["z_paper"]) == "2.875"
    assert format_value(one["I"], row["I"]) == "0.3226"                 # computed: 4 decimals
