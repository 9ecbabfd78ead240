r"""Entropy-TOPSIS: relative closeness to the ideal region-year.

With the normalised matrix :math:`x'` (every indicator "larger is better") and weights :math:`w`,

.. math::
    v_{ij} = w_j x'_{ij},\qquad v_j^+ = \max_i v_{ij},\qquad v_j^- = \min_i v_{ij},

    D_i^+ = \sqrt{\sum_j (v_{ij} - v_j^+)^2},\qquad D_i^- = \sqrt{\sum_j (v_{ij} - v_j^-)^2},\qquad
    C_i = \frac{D_i^-}{D_i^+ + D_i^-}.

The ideal and anti-ideal points are taken over all region-years by default (``pooled=True``), so
closeness is comparable across years; this is what the public Beijing–Tianjin–Hebei worked example
(weighted min-max matrix, not the proportions :math:`p_{ij}`) does. :math:`D^+_i + D^-_i = 0` only
when the ideal equals the anti-ideal (no weighted indicator varies); that raises an error.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from nqpf.errors import InputError

from .aggregate import _weight_vector, rank_by_year
from .normalize import _check_matrix, _year_codes

__all__ = ["topsis"]


def _closeness(V):
    best = V.max(axis=0)
    worst = V.min(axis=0)
    Dp = np.sqrt(((V - best) ** 2).sum(axis=1))
    Dm = np.sqrt(((V - worst) ** 2).sum(axis=1))
    return Dp, Dm


def topsis(Xn, weights, pooled=True):
    r"""Relative closeness :math:`C_i = D_i^-/(D_i^+ + D_i^-)` of every region-year.

    Parameters
    ----------
    Xn : DataFrame
        Normalised indicator matrix indexed by (``region``, ``year``) (min-max in the worked example).
    weights : DataFrame, Series or Mapping
        Weights table (``indicator, weight``) or mapping indicator → weight.
    pooled : bool, default True
        Ideal points over all region-years (``True``) or within each year.

    Returns
    -------
    DataFrame
        Indexed like ``Xn``: ``D_plus`` (:math:`D^+`), ``D_minus`` (:math:`D^-`), ``C`` and ``rank``
        (within each year, 1 = closest to the ideal).

    Raises
    ------
    InputError
        When a pool has no spread at all (every weighted indicator constant), so that
        :math:`D^+ + D^- = 0`.
    """
    A = _check_matrix(Xn, "normalised matrix")
    w = _weight_vector(weights, list(Xn.columns))
    V = A * w
    if pooled:
        Dp, Dm = _closeness(V)
    else:
        codes, years = _year_codes(Xn.index)
        Dp = np.empty(len(V))
        Dm = np.empty(len(V))
        for k in range(len(years)):
            rows = codes == k
            Dp[rows], Dm[rows] = _closeness(V[rows])
    denom = Dp + Dm
    if (denom == 0).any():
        raise InputError("TOPSIS is undefined: the weighted indicators have no spread "
                         "(ideal = anti-ideal); check the weights and the data")
    C = Dm / denom
    return pd.DataFrame({"D_plus": Dp, "D_minus": Dm, "C": C, "rank": rank_by_year(C, Xn.index)},
                        index=Xn.index)
