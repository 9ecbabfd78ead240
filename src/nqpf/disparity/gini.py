"""Gini coefficient per year and Dagum's (1997) decomposition by region group.

.. math::

    G = \\frac{\\sum_{i=1}^{n}\\sum_{r=1}^{n} |y_i - y_r|}{2 n^2 \\bar y}

Dagum decomposition for groups :math:`j = 1..k` with :math:`n_j` regions, means
:math:`\\bar y_j`, population shares :math:`p_j = n_j / n` and score shares
:math:`s_j = n_j \\bar y_j / (n \\bar y)`:

.. math::

    G_{jj} = \\frac{\\sum_i\\sum_r |y_{ji} - y_{jr}|}{2 n_j^2 \\bar y_j}, \\qquad
    G_{jh} = \\frac{\\sum_i\\sum_r |y_{ji} - y_{hr}|}{n_j n_h (\\bar y_j + \\bar y_h)}

.. math::

    G_w = \\sum_j G_{jj} p_j s_j, \\quad
    G_{nb} = \\sum_{j=2}^{k}\\sum_{h=1}^{j-1} G_{jh}(p_j s_h + p_h s_j) D_{jh}, \\quad
    G_t = \\sum_{j=2}^{k}\\sum_{h=1}^{j-1} G_{jh}(p_j s_h + p_h s_j)(1 - D_{jh})

with :math:`D_{jh} = (d_{jh} - p_{jh}) / (d_{jh} + p_{jh})`, where, ordering the pair so that
:math:`\\bar y_j \\ge \\bar y_h`, :math:`d_{jh}` is the mean of :math:`\\max(y_{ji} - y_{hr}, 0)` and
:math:`p_{jh}` the mean of :math:`\\max(y_{hr} - y_{ji}, 0)` over all pairs :math:`(i, r)`. Then
:math:`G = G_w + G_{nb} + G_t` exactly.

Reference: Dagum, C. (1997). A new approach to the decomposition of the Gini income inequality
ratio. *Empirical Economics* 22(4), 515–531.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from nqpf.errors import InputError

from ._validate import SHARE_TOL, as_groups, as_matrix, equal_years, warn_no_inequality, year_index

__all__ = ["gini", "dagum_gini"]


def _check_sum(Y, X, what):
    tot = X.sum(axis=0)
    if (tot <= 0).any():
        years = [Y.columns[j] for j in np.flatnonzero(tot <= 0)]
        raise InputError(f"{what}: all scores are zero in years {years}; the Gini is undefined")


def _gini(X: np.ndarray) -> np.ndarray:
    """G of every column; exactly 0 in a column of equal values (the sorted formula leaves ±1e-17)."""
    n = X.shape[0]
    Xs = np.sort(X, axis=0)
    c = 2.0 * np.arange(1, n + 1) - n - 1
    return np.where(equal_years(X), 0.0, (c @ Xs) / (n * Xs.sum(axis=0)))


def gini(Y: pd.DataFrame) -> pd.Series:
    """Gini coefficient across regions, per year.

    Parameters
    ----------
    Y : DataFrame
        Scores, index = regions, columns = years; values ≥ 0 and not all zero.

    Returns
    -------
    Series
        :math:`G` per year, indexed by ``year``, named ``gini``; 0 in a year where every region
        has the same score.
    """
    X = as_matrix(Y, "gini", nonnegative=True)
    _check_sum(Y, X, "gini")
    return pd.Series(_gini(X), index=year_index(Y), name="gini")


def _excess(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """Σ_i Σ_r max(A_it − B_rt, 0) for each column t, by sorting: with B's column sorted and its prefix
    sums c, each A_it adds A_it·k − c_k over the k values of B below it. O((n_A + n_B) log n_B) time and
    O(n_A + n_B) memory per column, where the pairwise difference array takes n_A·n_B (a county panel:
    2,875² × 20 years would be 1.3 GB)."""
    out = np.empty(A.shape[1])
    for t in range(A.shape[1]):
        b = np.sort(B[:, t])
        c = np.concatenate(([0.0], np.cumsum(b)))
        a = A[:, t]
        k = np.searchsorted(b, a, side="left")
        out[t] = float(np.sum(a * k - c[k]))
    return out


def _abs_sum(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """Σ_i Σ_r |A_it − B_rt| for each column t (:func:`_excess` both ways)."""
    return _excess(A, B) + _excess(B, A)


def dagum_gini(Y: pd.DataFrame, groups) -> pd.DataFrame:
    """Dagum (1997) decomposition of the Gini coefficient by region group, per year.

    Parameters
    ----------
    Y : DataFrame
        Scores, index = regions, columns = years; values ≥ 0, each group's mean > 0.
    groups : mapping, Series or sequence
        Group of each region; a mapping region → group or a sequence aligned with ``Y.index``.

    Returns
    -------
    DataFrame
        One row per year with columns ``year, G, Gw, Gnb, Gt, Gw_share, Gnb_share, Gt_share``, then
        ``G[j]`` (within-group Gini :math:`G_{jj}`) for each group and ``G[j,h]`` (between-group
        Gini :math:`G_{jh}`) and ``D[j,h]`` (relative economic affluence :math:`D_{jh}`, computed
        with the higher-mean group first so it is ≥ 0) for each pair in order of first appearance.

        In a year without inequality (every region at the same score) :math:`G` and its parts are
        0 and the shares ``Gw_share``, ``Gnb_share``, ``Gt_share`` are NaN (with a warning naming
        the year): a share divides by :math:`G`, which is 0 there (the shares are NaN wherever
        :math:`G` < :data:`~nqpf.disparity._validate.SHARE_TOL`; :math:`G` is scale-free).
    """
    X = as_matrix(Y, "dagum_gini", nonnegative=True)
    _check_sum(Y, X, "dagum_gini")
    labels, order = as_groups(Y, groups, "dagum_gini")
    n = X.shape[0]
    mu = X.mean(axis=0)
    parts = [X[labels == g] for g in order]
    nj = np.array([len(P) for P in parts], dtype=float)
    muj = np.array([P.mean(axis=0) for P in parts])  # (k, T)
    if (muj <= 0).any():
        bad = sorted({order[j] for j in np.nonzero(muj <= 0)[0]})
        raise InputError(f"dagum_gini: groups {bad} have a zero mean score in some year")
    p = nj / n
    s = nj[:, None] * muj / (n * mu)
    G = _abs_sum(X, X) / (2 * n * n * mu)
    out = {"year": np.asarray(Y.columns), "G": G}
    Gjj = {}
    Gw = np.zeros(X.shape[1])
    for j, g in enumerate(order):
        Gjj[g] = _abs_sum(parts[j], parts[j]) / (2 * nj[j] ** 2 * muj[j])
        Gw += Gjj[g] * p[j] * s[j]
    Gnb = np.zeros(X.shape[1])
    Gt = np.zeros(X.shape[1])
    pair_cols = {}
    for j in range(len(order)):
        for h in range(j):
            A, B = parts[j], parts[h]
            pos, neg = _excess(A, B), _excess(B, A)   # Σ Σ max(a − b, 0) and Σ Σ max(b − a, 0)
            Gjh = (pos + neg) / (nj[j] * nj[h] * (muj[j] + muj[h]))
            # d_jh: mean excess of the higher-mean group; p_jh: the reverse
            hi = np.where(muj[j] >= muj[h], pos, neg)
            lo = np.where(muj[j] >= muj[h], neg, pos)
            with np.errstate(invalid="ignore", divide="ignore"):
                D = np.where(hi + lo > 0, (hi - lo) / (hi + lo), 0.0)
            weight = p[j] * s[h] + p[h] * s[j]
            Gnb += Gjh * weight * D
            Gt += Gjh * weight * (1 - D)
            a, b = order[h], order[j]
            pair_cols[f"G[{a},{b}]"] = Gjh
            pair_cols[f"D[{a},{b}]"] = D
    none = np.abs(G) < SHARE_TOL
    warn_no_inequality(Y, none, "dagum_gini", "Gw_share, Gnb_share, Gt_share")
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = {f"{k}_share": np.where(none, np.nan, v / np.where(none, 1.0, G))
                  for k, v in (("Gw", Gw), ("Gnb", Gnb), ("Gt", Gt))}
    out.update(Gw=Gw, Gnb=Gnb, Gt=Gt, **shares)
    for g in order:
        out[f"G[{g}]"] = Gjj[g]
    out.update(pair_cols)
    return pd.DataFrame(out)
