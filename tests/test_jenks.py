"""Exact Fisher–Jenks (nqpf.diagnose._jenks) against mapclassify.FisherJenks, quantile tiers against
mapclassify.Quantiles, and the sampled mode beyond EXACT_MAX stated."""
from __future__ import annotations

import numpy as np
import pytest

mc = pytest.importorskip("mapclassify")

from nqpf.diagnose import _jenks  # noqa: E402
from nqpf.diagnose._jenks import fisher_jenks  # noqa: E402
from nqpf.diagnose.typology import _classify  # noqa: E402


@pytest.mark.parametrize("n,k,seed", [(29, 4, 0), (31, 5, 1), (100, 3, 2), (300, 4, 3), (60, 2, 4), (1000, 5, 5)])
def test_breaks_equal_mapclassify(n, k, seed):
    y = np.random.default_rng(seed).lognormal(size=n)
    classes, bins, sampled = fisher_jenks(y, k)
    ref = mc.FisherJenks(y, k=k)
    np.testing.assert_allclose(bins, ref.bins, rtol=0, atol=1e-10)
    assert np.array_equal(classes, ref.yb) and not sampled


def test_paper_scores_breaks_equal_mapclassify():
    from nqpf import datasets

    Y = datasets.load_ran2025_scores(wide=True)
    for year in Y.columns:
        y = Y[year].to_numpy(float)
        np.testing.assert_allclose(fisher_jenks(y, 4)[1], mc.FisherJenks(y, k=4).bins, atol=1e-12)


def test_quantile_tiers_equal_mapclassify():
    y = np.random.default_rng(7).normal(size=203)
    yb, bins = _classify(y, 4, "quantiles", "test")
    ref = mc.Quantiles(y, k=4)
    np.testing.assert_allclose(bins, ref.bins, atol=1e-12)
    assert np.array_equal(yb, ref.yb)


def test_beyond_exact_max_uses_evenly_spaced_ranks(monkeypatch):
    monkeypatch.setattr(_jenks, "EXACT_MAX", 200)
    y = np.random.default_rng(3).lognormal(size=1000)
    classes, bins, sampled = fisher_jenks(y, 4)
    assert sampled and bins[-1] == y.max() and classes.max() == 3 and classes.min() == 0
    x = np.sort(y)[np.round(np.linspace(0, 999, 200)).astype(int)]
    np.testing.assert_allclose(bins[:-1], mc.FisherJenks(x, k=4).bins[:-1], atol=1e-12)
