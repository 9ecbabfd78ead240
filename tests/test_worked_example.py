"""Known answer: the public Beijing–Tianjin–Hebei entropy-TOPSIS worked example.

Source: ``wantime/Entropy-weight-TOPSIS-code-and-data``, ``data/Economic indicators.xlsx`` (13 cities ×
2013–2017 × 4 transport indicators), kept in the shared data folder beside the repository. Every
intermediate result of the chain is a sheet of that workbook; this test parses them (no number is
copied into the project) and reproduces each one through the public API of ``nqpf.index``:

* ``standardization``: min-max pooled over all 65 city-years, all four indicators positive;
* ``normalization``: the entropy method's proportions p_ij = x'_ij / sum_i x'_ij;
* ``ei`` and ``weight``: entropy e_j with m = 65 (all city-years) and w_j = (1-e_j)/sum(1-e_k);
* ``Cj``: TOPSIS closeness on v_ij = w_j x'_ij (the min-max matrix, not p) with the ideal and
  anti-ideal taken over all 65 city-years.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from nqpf.index import build_index, compute_weights, normalize, topsis

from _worked_example import closeness, column_sheet as _column_sheet, directions as _directions, load_book
from _worked_example import matrix_sheet as _matrix_sheet

TOL = 1e-6  # the Cj sheet is printed to 8 decimals; the others to full double precision


@pytest.fixture(scope="module")
def book():
    return load_book()


@pytest.fixture(scope="module")
def example(book):
    raw, _ = _matrix_sheet(book["raw data"])
    std, second = _matrix_sheet(book["standardization"])
    p, _ = _matrix_sheet(book["normalization"])
    e = _column_sheet(book["ei"])
    w = _column_sheet(book["weight"])
    C = closeness(book["Cj"])
    return {"raw": raw, "std": std, "dirs": _directions(second), "p": p, "e": e, "w": w, "C": C}


def test_workbook_shape(example):
    assert example["raw"].shape == (65, 4)
    assert example["raw"].index.get_level_values("region").nunique() == 13
    assert len(example["C"]) == 65
    assert set(example["dirs"].values()) == {1}  # the workbook declares every indicator positive


def test_standardization(example):
    Xn = normalize(example["raw"], example["dirs"])
    np.testing.assert_allclose(Xn.to_numpy(), example["std"].to_numpy(), rtol=0, atol=TOL)
    np.testing.assert_allclose(Xn.to_numpy(), example["std"].to_numpy(), rtol=0, atol=1e-12)


def test_proportions(example):
    Xn = normalize(example["raw"], example["dirs"])
    p = normalize(Xn, dict.fromkeys(Xn.columns, 1), method="proportion")
    np.testing.assert_allclose(p.to_numpy(), example["p"].to_numpy(), rtol=0, atol=1e-12)


def test_entropy_and_weights(example):
    Xn = normalize(example["raw"], example["dirs"])
    W = compute_weights(Xn, "entropy").set_index("indicator")
    np.testing.assert_allclose(W["entropy"].to_numpy(), example["e"].reindex(W.index).to_numpy(),
                               rtol=0, atol=1e-12)
    np.testing.assert_allclose(W["weight"].to_numpy(), example["w"].reindex(W.index).to_numpy(),
                               rtol=0, atol=1e-12)


def test_topsis_closeness(example):
    Xn = normalize(example["raw"], example["dirs"])
    W = compute_weights(Xn, "entropy")
    T = topsis(Xn, W)
    expected = example["C"].reindex(T.index)
    assert expected.notna().all()
    np.testing.assert_allclose(T["C"].to_numpy(), expected.to_numpy(), rtol=0, atol=TOL)


def test_topsis_uses_pooled_ideal_of_weighted_minmax(example):
    """The other readings do not reproduce the sheet: per-year ideals, or p instead of x'."""
    Xn = normalize(example["raw"], example["dirs"])
    W = compute_weights(Xn, "entropy")
    expected = example["C"].reindex(Xn.index).to_numpy()
    per_year = topsis(Xn, W, pooled=False)["C"].to_numpy()
    assert np.abs(per_year - expected).max() > 1e-2
    p = normalize(Xn, dict.fromkeys(Xn.columns, 1), method="proportion")
    on_p = topsis(p, W)["C"].to_numpy()
    assert np.abs(on_p - expected).max() > 1e-2


def test_build_index_end_to_end(example):
    res = build_index(example["raw"], example["dirs"], topsis=True)
    np.testing.assert_allclose(res.normalized.to_numpy(), example["std"].to_numpy(), atol=1e-12)
    w = res.weights.set_index("indicator")["weight"]
    np.testing.assert_allclose(w.to_numpy(), example["w"].reindex(w.index).to_numpy(), atol=1e-12)
    expected = example["C"].reindex(res.scores.index).to_numpy()
    np.testing.assert_allclose(res.scores["topsis"].to_numpy(), expected, rtol=0, atol=TOL)
    # TOPSIS ranks within each year follow the sheet's closeness
    sheet_rank = (pd.Series(expected, index=res.scores.index)
                  .groupby(level="year").rank(ascending=False, method="min").astype(int))
    assert (res.scores["topsis_rank"] == sheet_rank).all()
    assert res.params["pooled"] is True and res.params["weighting"] == "entropy"
    assert res.warnings == []
