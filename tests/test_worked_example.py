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

openpyxl = pytest.importorskip("openpyxl")

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
WORKBOOK = DATA / "jjj_transport_entropy_topsis_worked_example.xlsx"
TOL = 1e-6  # the Cj sheet is printed to 8 decimals; the others to full double precision


@pytest.fixture(scope="module")
def book():
    if not WORKBOOK.exists():
        pytest.skip(f"worked example workbook not found at ../shared/data/{WORKBOOK.name} "
                    "(the shared data folder is not checked out beside the repository)")
    wb = openpyxl.load_workbook(WORKBOOK, read_only=True, data_only=True)
    sheets = {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}
    wb.close()
    return sheets


def _matrix_sheet(rows):
    """Indicators in rows, (city, year) in columns under two header rows -> (matrix, column B)."""
    cities, city = [], None
    for v in rows[0][2:]:
        city = v if v is not None else city
        cities.append(city)
    years = [int(y) for y in rows[1][2:]]
    data, second = {}, {}
    for r in rows[2:]:
        if r[0] is None:
            continue
        name = str(r[0]).strip()
        data[name] = [float(v) for v in r[2:]]
        second[name] = r[1]
    index = pd.MultiIndex.from_arrays([cities, years], names=["region", "year"])
    return pd.DataFrame(data, index=index), second


def _column_sheet(rows):
    return pd.Series({str(r[0]).strip(): float(r[1]) for r in rows[1:] if r[0] is not None})


def _directions(second):
    words = {"positive": 1, "negative": -1}
    return {k: words[str(v).strip().lower()] for k, v in second.items()}


@pytest.fixture(scope="module")
def example(book):
    raw, _ = _matrix_sheet(book["raw data"])
    std, second = _matrix_sheet(book["standardization"])
    p, _ = _matrix_sheet(book["normalization"])
    e = _column_sheet(book["ei"])
    w = _column_sheet(book["weight"])
    cj_rows = [r for r in book["Cj"] if r[0] is not None]
    years = [int(y) for y in cj_rows[0][1:] if y is not None]
    C = pd.DataFrame([r[1:1 + len(years)] for r in cj_rows[1:]], index=[r[0] for r in cj_rows[1:]],
                     columns=years, dtype=float).stack()
    C.index.names = ["region", "year"]
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
