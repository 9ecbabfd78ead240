"""Regional disparity of scores per year: Theil's T (with group decomposition), σ, CV, Gini and
Dagum's Gini decomposition.

Every function takes a score matrix ``Y`` (DataFrame, index = regions, columns = years) and
computes the statistic for all years at once. Missing values and, where a logarithm is taken,
non-positive values raise :class:`~nqpf.errors.InputError` naming the region-years.
"""
from __future__ import annotations

import pandas as pd

from .dispersion import cv, sigma
from .gini import dagum_gini, gini
from .theil import theil, theil_decomposition

__all__ = [
    "theil",
    "sigma",
    "cv",
    "gini",
    "disparity_table",
    "theil_decomposition",
    "dagum_gini",
]


def disparity_table(Y: pd.DataFrame) -> pd.DataFrame:
    """Theil's T (eq. 8), σ (eq. 9), CV (eq. 10) and Gini of every year.

    Parameters
    ----------
    Y : DataFrame
        Scores, index = regions, columns = years; every value > 0.

    Returns
    -------
    DataFrame
        Columns ``year, theil, sigma, cv, gini``, one row per year.
    """
    parts = [theil(Y), sigma(Y), cv(Y), gini(Y)]
    return pd.concat(parts, axis=1).reset_index()
