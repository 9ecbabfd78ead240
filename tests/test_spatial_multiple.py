"""Multiple-testing corrections (nqpf.spatial.multiple) against hand-computed cases, Benjamini &
Hochberg's (1995) own example and statsmodels' multipletests; the spatial family's local_correction."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nqpf.errors import InputError
from nqpf.spatial import getis_ord
from nqpf.spatial.multiple import CORRECTIONS, adjust_p, check_correction

TOL = 1e-12


def test_hand_computed_bh_and_bonferroni():
    p = np.array([0.01, 0.04, 0.03, 0.005, np.nan])
    # sorted 0.005, 0.01, 0.03, 0.04 (m = 4, the NaN not counted): m·p/rank = 0.02, 0.02, 0.04, 0.04
    np.testing.assert_allclose(adjust_p(p, "fdr"), [0.02, 0.04, 0.04, 0.02, np.nan], atol=1e-15)
    np.testing.assert_allclose(adjust_p(p, "bonferroni"), [0.04, 0.16, 0.12, 0.02, np.nan], atol=1e-15)
    np.testing.assert_array_equal(adjust_p(p, None), p)
    np.testing.assert_array_equal(adjust_p(p, "none"), p)
    # the step-up minimum: 0.012·3/2 = 0.018 is lowered to 0.015·3/3 = 0.015; capped at 1
    np.testing.assert_allclose(adjust_p([0.012, 0.015, 0.001], "fdr"), [0.015, 0.015, 0.003], atol=1e-15)
    np.testing.assert_allclose(adjust_p([0.6, 0.9], "bonferroni"), [1.0, 1.0])
    # ties share the adjusted value: 0.02·3/3 for all three
    np.testing.assert_allclose(adjust_p([0.02, 0.02, 0.02], "fdr"), [0.02, 0.02, 0.02], atol=1e-15)
    # per column (year): each column has its own m
    P = np.array([[0.01, 0.01], [0.04, np.nan], [0.03, 0.02]])
    np.testing.assert_allclose(adjust_p(P, "fdr"), [[0.03, 0.02], [0.04, np.nan], [0.04, 0.02]], atol=1e-15)
    assert np.isnan(adjust_p([np.nan, np.nan], "fdr")).all()


def test_benjamini_hochberg_1995_example():
    """Benjamini & Hochberg (1995, J. R. Stat. Soc. B 57, section 4): 15 p-values; at q* = 0.05 the
    step-up procedure rejects the four smallest. Adjusted values computed by hand:
    q_(i) = min_{j ≥ i} 15·p_(j)/j."""
    p = np.array([0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459, 0.3240, 0.4262,
                  0.5719, 0.6528, 0.7590, 1.0000])
    q_hand = np.array([0.0015, 0.003, 0.0095, 0.035625, 0.0603, 15 * 0.0298 / 7, 15 * 0.0298 / 7, 0.0645, 0.0765,
                       0.486, 15 * 0.4262 / 11, 15 * 0.5719 / 12, 15 * 0.6528 / 13, 15 * 0.7590 / 14, 1.0])
    rng = np.random.default_rng(3)
    order = rng.permutation(15)  # the input order does not matter
    q = adjust_p(p[order], "fdr")
    np.testing.assert_allclose(q, q_hand[order], rtol=0, atol=TOL)
    assert np.flatnonzero(q <= 0.05).tolist() == sorted(np.flatnonzero(order < 4).tolist())


def test_equals_statsmodels_multipletests():
    sm = pytest.importorskip("statsmodels.stats.multitest")
    rng = np.random.default_rng(7)
    P = rng.beta(0.4, 2.0, size=(60, 6))
    P[rng.random(P.shape) < 0.1] = np.nan
    P[:5, 2] = P[5, 2]  # ties
    for correction, method in (("fdr", "fdr_bh"), ("bonferroni", "bonferroni")):
        got = adjust_p(P, correction)
        for t in range(P.shape[1]):
            ok = np.isfinite(P[:, t])
            ref = sm.multipletests(P[ok, t], method=method)[1]
            np.testing.assert_allclose(got[ok, t], ref, rtol=0, atol=TOL)
            assert np.isnan(got[~ok, t]).all()
    # a correction never lowers a p-value; BH is never above Bonferroni
    assert (adjust_p(P, "fdr")[np.isfinite(P)] >= P[np.isfinite(P)] - TOL).all()
    assert (adjust_p(P, "fdr")[np.isfinite(P)] <= adjust_p(P, "bonferroni")[np.isfinite(P)] + TOL).all()


def test_getis_ord_uses_the_shared_function():
    assert getis_ord.adjust_p is adjust_p and getis_ord.CORRECTIONS == CORRECTIONS


@pytest.mark.parametrize("bad", ["holm", "FDR", 1, True])
def test_bad_correction_is_a_one_line_error(bad):
    with pytest.raises(InputError, match="correction must be None, 'fdr'") as exc:
        adjust_p([0.1, 0.2], bad)
    assert "\n" not in str(exc.value)
    assert check_correction("none", "x") is None and check_correction("fdr", "x") == "fdr"


# ------------------------------------------------------------------ local Moran clusters (spatial family)
@pytest.fixture(scope="module")
def paper_runs():
    from nqpf.datasets import load_ran2025_scores
    from nqpf.pipeline import analyze

    Y = load_ran2025_scores(wide=True)
    runs = {c: analyze(Y, "china-provinces", permutations=999, analyses=("spatial",),
                       options={"spatial.local_correction": c}) for c in ("none", "fdr", "bonferroni")}
    return runs


def test_local_correction_decides_clusters_per_year(paper_runs):
    sm = pytest.importorskip("statsmodels.stats.multitest")
    base = paper_runs["none"].table("moran_local")
    for corr, method in (("fdr", "fdr_bh"), ("bonferroni", "bonferroni")):
        res = paper_runs[corr]
        tab = res.table("moran_local")
        pd.testing.assert_frame_equal(tab.drop(columns="cluster"), base.drop(columns="cluster"))  # p_sim unadjusted
        for year, one in tab.groupby("year", sort=False):
            p = one["p_sim"].to_numpy()
            q = np.full(p.shape, np.nan)
            ok = np.isfinite(p)
            q[ok] = sm.multipletests(p[ok], method=method)[1]  # within the year, BH / Bonferroni
            expect = np.where(q <= 0.05, one["quadrant"], "")
            assert one["cluster"].tolist() == expect.tolist(), (corr, year)
        # never more clusters than without correction, and the same quadrant where kept
        kept = tab["cluster"] != ""
        assert (base.loc[kept, "cluster"] == tab.loc[kept, "cluster"]).all()
        assert res.params["local_correction"] == corr
        assert f"local_correction.{corr}" in res.params["conventions"]
        # the transitions table follows the corrected clusters
        qt = res.table("quadrant_transitions")
        first = tab[tab["year"] == tab["year"].min()].set_index("region")["cluster"]
        assert qt.set_index("region")["cluster_first"].equals(first.reindex(qt["region"]).rename("cluster_first"))
    assert (paper_runs["none"].table("moran_local")["cluster"] != "").sum() > \
        (paper_runs["fdr"].table("moran_local")["cluster"] != "").sum()
    assert paper_runs["none"].params["local_correction"] == "none"
    assert not [c for c in paper_runs["none"].params["conventions"] if c.startswith("local_correction")]


def test_local_correction_texts():
    from nqpf.i18n import LANGS, catalogue

    keys = {"meta.local_correction", "conv.local_correction", "convtext.local_correction.fdr",
            "convtext.local_correction.bonferroni", "value.fdr", "value.bonferroni", "value.none"}
    for lang in LANGS:
        missing = sorted(k for k in keys if k not in catalogue(lang))
        assert not missing, (lang, missing)


def test_local_correction_bad_value():
    from nqpf.analyses import resolve_options

    with pytest.raises(InputError, match="spatial.local_correction"):
        resolve_options({"spatial.local_correction": "holm"})
    assert resolve_options({"local_correction": "fdr"})["spatial.local_correction"] == "fdr"
