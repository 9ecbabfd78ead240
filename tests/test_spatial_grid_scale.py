"""Analytic global and local Moran's I on lattices, the weights given as a libpysal ``W`` (``lat2W``), a
libpysal ``Graph`` and a scipy sparse matrix (``lat2SW``), the three forms a user of a large grid holds.

Reference: esda 2.x ``Moran`` and ``Moran_Local`` (``permutations=0``) on ``lat2W`` with the same
row-standardisation, year by year; tolerance 1e-10 (the same arithmetic). The 10⁶-cell case of the
issue (``benchmarks/bench_grid.py``) is checked here at 250 000 cells (slow) against a direct scipy
computation of the same formulas, without esda (whose per-year loop on a ``W`` of that size takes
minutes).
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import sparse

esda = pytest.importorskip("esda")
from libpysal.graph import Graph  # noqa: E402
from libpysal.weights import lat2SW, lat2W  # noqa: E402

from nqpf.spatial import QUADRANTS, moran_global, moran_local  # noqa: E402

TOL = 1e-10


def _panel(rows: int, cols: int, years: int, seed: int = 0) -> pd.DataFrame:
    """A smooth field plus noise on the lattice (row-major cells, as lat2W numbers them)."""
    rng = np.random.default_rng(seed)
    r, c = np.divmod(np.arange(rows * cols), cols)
    field = np.sin(r / 5.0) + np.cos(c / 7.0)
    X = np.exp(field[:, None] + 0.4 * rng.normal(size=(rows * cols, years)))
    return pd.DataFrame(X, columns=range(2001, 2001 + years))


def _forms(rows: int, cols: int) -> dict:
    S = sparse.csr_matrix(lat2SW(rows, cols, criterion="rook"))
    return {"W": lat2W(rows, cols, rook=True), "Graph": Graph.from_sparse(S), "scipy": S}


def _check_against_esda(rows: int, cols: int, years: int) -> None:
    Y = _panel(rows, cols, years)
    we = lat2W(rows, cols, rook=True)  # esda row-standardises it ("r")
    ref_g = [esda.Moran(Y[y].to_numpy(), we, permutations=0) for y in Y.columns]
    ref_l = [esda.Moran_Local(Y[y].to_numpy(), we, permutations=0) for y in Y.columns]
    n = rows * cols
    for name, w in _forms(rows, cols).items():
        g = moran_global(Y, w, permutations=0, alternative="two-sided")
        loc = moran_local(Y, w, permutations=0)
        for k, m in enumerate(ref_g):
            row = g.iloc[k]
            for col, ref in (("I", m.I), ("EI", m.EI), ("VI_norm", m.VI_norm), ("VI_rand", m.VI_rand),
                             ("z_norm", m.z_norm), ("z_rand", m.z_rand), ("p_norm", m.p_norm),
                             ("p_rand", m.p_rand)):
                assert abs(row[col] - ref) <= TOL, (name, col, row[col], ref)
        Ii = loc["Ii"].to_numpy().reshape(years, n)
        quad = loc["quadrant"].to_numpy().reshape(years, n)
        for k, m in enumerate(ref_l):
            np.testing.assert_allclose(Ii[k], m.Is, rtol=0, atol=TOL, err_msg=name)
            assert (quad[k] == np.asarray(QUADRANTS, dtype=object)[m.q - 1]).all(), name


def test_small_lattice_every_form_equals_esda():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _check_against_esda(9, 11, 3)


@pytest.mark.slow
def test_larger_lattice_every_form_equals_esda():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _check_against_esda(60, 70, 4)


@pytest.mark.slow
def test_quarter_million_cells_equal_direct_formulas():
    """500 × 500 × 3 years through the public API (sparse matrix and Graph) against the formulas
    written directly with scipy: I = n/S0 · z'Wz / z'z (W row-standardised), Ii = (n−1) z_i (Wz)_i / z'z
    with z standardised (population sd)."""
    side, years = 500, 3
    Y = _panel(side, side, years, seed=3)
    S = sparse.csr_matrix(lat2SW(side, side, criterion="rook"), dtype=float)
    Wr = sparse.diags(1.0 / np.asarray(S.sum(axis=1)).ravel()) @ S
    X = Y.to_numpy()
    Zc = X - X.mean(axis=0)
    I_ref = X.shape[0] / Wr.sum() * (Zc * (Wr @ Zc)).sum(axis=0) / (Zc * Zc).sum(axis=0)
    Z = Zc / X.std(axis=0)
    Ii_ref = (X.shape[0] - 1) * Z * (Wr @ Z) / (Z * Z).sum(axis=0)
    for w in (S, Graph.from_sparse(S)):
        g = moran_global(Y, w, permutations=0)
        np.testing.assert_allclose(g["I"].to_numpy(), I_ref, rtol=0, atol=TOL)
        loc = moran_local(Y, w, permutations=0)
        np.testing.assert_allclose(loc["Ii"].to_numpy().reshape(years, -1), Ii_ref.T, rtol=0, atol=TOL)
