"""Geary's C of every year of a score matrix at once.

Same shape and conventions as :func:`nqpf.spatial.moran_global` (all years together, shared
permutation draws from :mod:`nqpf.spatial._inference`, islands kept in ``n``). Positive spatial
autocorrelation makes :math:`C < 1`, so the default alternative is ``"less"``. A year in which
every region has the same score has NaN statistics (0/0), with a warning naming it, as for Moran's I.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from . import _inference as inf
from ._common import GlobalSetup, by_year, global_table, spatial_lag, wnorm

__all__ = ["geary_global"]


def geary_global(
    Y: pd.DataFrame,
    w,
    permutations: int = 999,
    seed: int = 12345,
    alternative: str = "less",
    transform: str = "r",
) -> pd.DataFrame:
    r"""Geary's C of every year, with normal, randomisation and permutation inference.

    .. math::

        C = \frac{(n-1) \sum_{ij} w_{ij} (y_i - y_j)^2}{2 S_0 \sum_i (y_i - \bar y)^2},
        \qquad E[C] = 1

    .. math::

        V_{norm}[C] = \frac{(2S_1 + S_2)(n-1) - 4S_0^2}{2(n+1)S_0^2}

    .. math::

        V_{rand}[C] = \frac{(n-1)S_1[n^2-3n+3-(n-1)b_2]
            - \tfrac14 (n-1)S_2[n^2+3n-6-(n^2-n+2)b_2] + S_0^2[n^2-3-(n-1)^2 b_2]}
            {n(n-2)(n-3)S_0^2}

    (Cliff & Ord 1981, as esda.Geary). Positive spatial autocorrelation makes :math:`C < 1`,
    so the default ``alternative`` is ``"less"``; ``"greater"``/``"less"`` always refer to
    :math:`C` itself (``"directed"`` is esda's convention, see :mod:`nqpf.spatial._inference`).

    Parameters
    ----------
    Y, w, permutations, seed, transform
        As :func:`~nqpf.spatial.moran_global` (the same seed gives the same permutations).
    alternative : {"less", "greater", "two-sided", "directed"}
        Alternative hypothesis for ``p_norm``, ``p_rand`` and ``p_sim``; ``"directed"``
        reproduces esda.Geary's p-values.

    Returns
    -------
    DataFrame
        One row per year: ``year, C, EC, VC_norm, seC_norm, z_norm, p_norm, VC_rand, seC_rand,
        z_rand, p_rand, p_sim, z_sim, n, n_islands``; every statistic NaN in a year where all
        regions have the same score (a warning names it); ``attrs`` as
        :func:`~nqpf.spatial.moran_global`.
    """
    g = GlobalSetup(Y, w, "geary_global", alternative=alternative, permutations=permutations, seed=seed,
                    transform=transform)
    alternative, R, seed, S, card, ok = g.alternative, g.R, g.seed, g.S, g.card, g.ok
    n, T, Zc, z2, b2, rc, S0, S1, S2 = g.n, g.T, g.Zc, g.z2, g.b2, g.rc, g.S0, g.S1, g.S2
    # Σ_ij w_ij (z_i − z_j)² = Σ_i (w_i· + w_·i) z_i² − 2 z'Wz
    C = (n - 1) * (rc @ (Zc * Zc) - 2 * (Zc * spatial_lag(S, Zc)).sum(axis=0)) / (2 * S0 * z2)
    n2, S02 = n * n, S0 * S0
    A = (n - 1) * S1 * (n2 - 3 * n + 3 - (n - 1) * b2)
    B = 0.25 * ((n - 1) * S2 * (n2 + 3 * n - 6 - (n2 - n + 2) * b2))
    Cc = S02 * (n2 - 3 - (n - 1) ** 2 * b2)
    VC_rand = (A - B + Cc) / (n * (n - 2) * (n - 3) * S02)
    VC_norm = ((2 * S1 + S2) * (n - 1) - 4 * S02) / (2 * (n + 1) * S02)
    z_norm = (C - 1.0) / np.sqrt(VC_norm)
    z_rand = (C - 1.0) / np.sqrt(VC_rand)
    p_sim = np.full(T, np.nan)
    z_sim = np.full(T, np.nan)
    if R and T:
        q, sq = inf.permuted_quadratic_forms(Zc / np.sqrt(z2), S, R, seed, a=rc)
        sim = (n - 1) * (sq - 2 * q) / (2 * S0)
        tol = inf.TIE_RTOL * (n - 1) / S0 * (rc.max() + 2 * wnorm(S))
        ge, le = inf.count_extremes(sim, C, tol)
        p_sim = inf.pseudo_p(ge, le, R, alternative)
        z_sim = inf.z_sim(C, sim)
    columns = {
        "C": C,
        "EC": np.ones(T),
        "VC_norm": np.full(T, VC_norm),
        "seC_norm": np.full(T, np.sqrt(VC_norm)),
        "z_norm": z_norm,
        "p_norm": inf.normal_p(z_norm, alternative),
        "VC_rand": VC_rand,
        "seC_rand": np.sqrt(VC_rand),
        "z_rand": z_rand,
        "p_rand": inf.normal_p(z_rand, alternative),
        "p_sim": p_sim,
        "z_sim": z_sim,
    }
    return global_table(
        Y, {k: by_year(v, ok) for k, v in columns.items()},
        n=n, card=card, alternative=alternative, permutations=R, seed=seed, transform=transform,
    )
