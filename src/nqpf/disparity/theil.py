"""Theil's T index per year and its decomposition by region group.

.. math::

    T = \\frac{1}{n} \\sum_{i=1}^{n} \\frac{y_i}{\\bar y} \\ln \\frac{y_i}{\\bar y}

(Ran et al. 2025, eq. 8). With groups :math:`g` of :math:`n_g` regions, income shares
:math:`s_g = \\sum_{i \\in g} y_i / \\sum_i y_i` and within-group indices :math:`T_g`:

.. math::

    T = \\underbrace{\\sum_g s_g \\ln \\frac{s_g}{n_g / n}}_{T_b\\ (\\text{between})}
      + \\underbrace{\\sum_g s_g T_g}_{T_w\\ (\\text{within})}
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ._validate import SHARE_TOL, as_groups, as_matrix, equal_years, warn_no_inequality, year_index

__all__ = ["theil", "theil_decomposition"]


def _theil(X: np.ndarray) -> np.ndarray:
    """T of every column; exactly 0 in a column of equal values (the formula leaves ±1e-16)."""
    r = X / X.mean(axis=0)
    T = (r * np.log(r)).mean(axis=0)
    return np.where(equal_years(X), 0.0, T)


def theil(Y: pd.DataFrame) -> pd.Series:
    """Theil's T of each year (column) of a score matrix.

    Parameters
    ----------
    Y : DataFrame
        Scores, index = regions, columns = years; every value > 0.

    Returns
    -------
    Series
        :math:`T` per year, indexed by ``year``, named ``theil``; 0 in a year where every region
        has the same score.

    Raises
    ------
    InputError
        NaN or non-positive values (naming the region-years).
    """
    X = as_matrix(Y, "theil", positive=True)
    return pd.Series(_theil(X), index=year_index(Y), name="theil")


def theil_decomposition(Y: pd.DataFrame, groups) -> pd.DataFrame:
    """Between/within decomposition of Theil's T by region group, per year.

    Parameters
    ----------
    Y : DataFrame
        Scores, index = regions, columns = years; every value > 0.
    groups : mapping, Series or sequence
        Group of each region (e.g. the NBS four regions); a mapping region → group or a sequence
        aligned with ``Y.index``.

    Returns
    -------
    DataFrame
        One row per year with columns ``year, total, between, within, between_share,
        within_share`` (``total`` is :math:`T`),
        then for each group ``g`` (in order of first appearance): ``T[g]`` (the group's own Theil
        index :math:`T_g`), ``s[g]`` (its share :math:`s_g` of the total) and ``within[g]`` (its
        contribution :math:`s_g T_g` to ``within``; these sum to ``within``).

        In a year without inequality (every region at the same score) ``total``, ``between``,
        ``within`` and the group indices are 0, and ``between_share`` / ``within_share`` are NaN
        (with a warning naming the year): a share is a part divided by :math:`T`, and where
        :math:`T` is 0 (or below :data:`~nqpf.disparity._validate.SHARE_TOL`; :math:`T` is
        scale-free, a mean of ratios :math:`y_i/\\bar y`) both are rounding residue of about
        1e-16, whose ratio is noise (between 1.64 and within −0.84 for 29 regions all at 0.1), not a
        composition of inequality.
    """
    X = as_matrix(Y, "theil_decomposition", positive=True)
    labels, order = as_groups(Y, groups, "theil_decomposition")
    n = X.shape[0]
    total = X.sum(axis=0)
    T = _theil(X)
    out = {"year": np.asarray(Y.columns), "total": T}
    between = np.zeros(X.shape[1])
    per_group = {}
    for g in order:
        m = labels == g
        Xg = X[m]
        s = Xg.sum(axis=0) / total
        Tg = _theil(Xg)
        between += s * np.log(s / (m.sum() / n))
        per_group[g] = (Tg, s, s * Tg)  # Tg is 0 where the group's scores are equal
    within = sum(v[2] for v in per_group.values())
    flat = equal_years(X)
    between = np.where(flat, 0.0, between)
    within = np.where(flat, 0.0, within)
    none = np.abs(T) < SHARE_TOL
    warn_no_inequality(Y, none, "theil_decomposition", "between_share, within_share")
    with np.errstate(invalid="ignore", divide="ignore"):
        between_share = np.where(none, np.nan, between / np.where(none, 1.0, T))
        within_share = np.where(none, np.nan, within / np.where(none, 1.0, T))
    out.update(between=between, within=within, between_share=between_share, within_share=within_share)
    for g, (Tg, s, c) in per_group.items():
        out[f"T[{g}]"] = Tg
        out[f"s[{g}]"] = s
        out[f"within[{g}]"] = c
    return pd.DataFrame(out)
