"""Dispersion of scores across regions per year: σ (sd of logs) and the coefficient of variation.

.. math::

    \\sigma = \\sqrt{\\frac{1}{n} \\sum_{i=1}^{n} \\Big(\\ln y_i - \\frac{1}{n}\\sum_{k=1}^{n} \\ln y_k\\Big)^2}
    \\qquad (\\text{Ran et al. 2025, eq. 9})

.. math::

    CV = \\frac{\\sqrt{\\frac{1}{n} \\sum_{i=1}^{n} (y_i - \\bar y)^2}}{\\bar y}
    \\qquad (\\text{eq. 10})

Both use the population standard deviation (divisor :math:`n`), as the paper writes them. Both are
0 in a year where every region has the same score (exactly: rounding residue is set to 0).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from nqpf.errors import InputError

from ._validate import as_matrix, equal_years, year_index

__all__ = ["sigma", "cv"]


def sigma(Y: pd.DataFrame) -> pd.Series:
    """σ-convergence coefficient: population sd of :math:`\\ln y` across regions, per year.

    Parameters
    ----------
    Y : DataFrame
        Scores, index = regions, columns = years; every value > 0.

    Returns
    -------
    Series
        σ per year, indexed by ``year``, named ``sigma``.
    """
    X = as_matrix(Y, "sigma", positive=True)
    sd = np.where(equal_years(X), 0.0, np.log(X).std(axis=0, ddof=0))
    return pd.Series(sd, index=year_index(Y), name="sigma")


def cv(Y: pd.DataFrame) -> pd.Series:
    """Coefficient of variation (population sd / mean) across regions, per year.

    Parameters
    ----------
    Y : DataFrame
        Scores, index = regions, columns = years; each year's mean must be > 0.

    Returns
    -------
    Series
        CV per year, indexed by ``year``, named ``cv``.
    """
    X = as_matrix(Y, "cv")
    mean = X.mean(axis=0)
    if (mean <= 0).any():
        years = [Y.columns[j] for j in np.flatnonzero(mean <= 0)]
        raise InputError(f"cv: the mean score is not positive in years {years}; CV is undefined")
    c = np.where(equal_years(X), 0.0, X.std(axis=0, ddof=0) / mean)
    return pd.Series(c, index=year_index(Y), name="cv")
