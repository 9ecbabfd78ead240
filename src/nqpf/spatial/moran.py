"""Global and local Moran's I of every year of a score matrix at once, and Moran-scatterplot quadrants.

All years are computed together: the scores are an ``n × T`` matrix ``Z`` and the spatial lag of
every year is one sparse product ``W @ Z``. Permutation inference (:mod:`nqpf.spatial._inference`)
reuses the same random draws for all years (each year's pseudo p-value is still an exact
permutation test of that year; only the p-values of different years are computed from shared
draws).

Conventions (differences from esda 2.8 are deliberate and listed here)
-------------------------------------------------------------------------
* ``alternative`` of :func:`moran_global` defaults to ``"greater"`` (one-sided, positive spatial
  autocorrelation), as the paper (Ran et al. 2025, Table 3) and R's ``spdep::moran.test`` report.
  esda 2.8's ``Moran`` reports ``p_norm``/``p_rand`` *two-sided* by default
  (``two_tailed=True``: ``2·P(Z > |z|)``), and with ``two_tailed=False`` the tail in the direction
  of the observed ``z`` (our ``"directed"``). esda's ``p_sim`` (global and local) is
  ``(min(M, R − M) + 1)/(R + 1)`` with ``M = #{I_sim ≥ I}``: the tail in the direction of the
  observed statistic (our ``"directed"``), whatever ``two_tailed`` says. The formulas of every
  alternative are in :mod:`nqpf.spatial._inference`.
* :func:`moran_local` defaults to ``alternative="two-sided"``; esda 2.8's ``Moran_Local`` (and
  GeoDa) report the ``"directed"`` value, half as large, so they flag more clusters at the same
  ``alpha``. Pass ``alternative="directed"`` to reproduce them.
* Islands (regions without neighbours) stay in ``n`` for the global statistic (as esda and GeoDa
  do; their lag is 0) and are counted in ``n_islands``. In :func:`moran_local` an island has
  quadrant ``""``, ``p_sim`` NaN and is never a cluster; esda gives islands a quadrant and a
  p-value that can make them "significant".
* Quadrants (:func:`quadrant`) split at ``z > 0`` and ``lag > 0`` as esda's ``q``: a value exactly
  at the mean is "low".
* Local pseudo p-values use conditional permutation as esda
  (:func:`nqpf.spatial._inference.conditional_lag_counts`): for region ``i`` the values of the other
  ``n − 1`` regions are permuted and ``k_i`` of them drawn as neighbours; one table of draws serves
  every region and every year.
* Draws come from ``numpy.random.default_rng(seed)``, so results are reproducible, but they are
  not esda's draws: pseudo p-values agree with esda's within sampling error, not exactly.
* A year in which every region has the same score (:func:`nqpf.spatial._common.constant_years`)
  has nothing to correlate: its statistics are NaN (global: every statistic of the row; local:
  ``Ii``, ``z``, ``lag``, ``p_sim`` NaN, ``quadrant`` and ``cluster`` ``""``), with a warning
  naming the year; the other years are computed as usual, from the same draws as without it.
  (esda divides 0 by 0 there.)
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from nqpf.errors import InputError

from . import _inference as inf
from ._common import (GlobalSetup, by_year, constant_years, global_table, long_table, score_matrix, spatial_lag,
                      sparse_weights, wnorm)

__all__ = [
    "moran_global",
    "moran_local",
    "quadrant",
    "quadrant_codes",
    "quadrant_transitions",
    "quadrant_transition_matrix",
    "QUADRANTS",
]

#: Quadrant labels in esda's ``q`` order (1 HH, 2 LH, 3 LL, 4 HL).
QUADRANTS = ("HH", "LH", "LL", "HL")


def quadrant(z, lag):
    """Moran-scatterplot quadrant of standardised values and their spatial lags.

    ``HH``: ``z > 0`` and ``lag > 0``; ``LH``: ``z ≤ 0``, ``lag > 0``; ``LL``: both ``≤ 0``;
    ``HL``: ``z > 0``, ``lag ≤ 0`` (esda's ``q``: a value exactly at the mean counts as low; NaN
    counts as low too).

    Parameters
    ----------
    z, lag : array_like
        Values (centred or standardised) and their spatial lags; broadcast against each other.

    Returns
    -------
    str or ndarray of str (object dtype)
        One of :data:`QUADRANTS` per element; a ``str`` for scalar input.

    Examples
    --------
    >>> quadrant([1.2, -0.3, 0.0], [0.4, 0.5, -0.1]).tolist()
    ['HH', 'LH', 'LL']
    """
    out = np.asarray(QUADRANTS, dtype=object)[quadrant_codes(z, lag)]
    return str(out) if np.ndim(out) == 0 else out


#: Code of each (z > 0, lag > 0) pair in :data:`QUADRANTS`: LL, LH, HL, HH.
_QUADRANT_OF = np.array([2, 1, 3, 0], dtype=np.int8)


def quadrant_codes(z, lag) -> np.ndarray:
    """Positions in :data:`QUADRANTS` of :func:`quadrant` (0 HH, 1 LH, 2 LL, 3 HL), as ``int8``."""
    hi_z = np.asarray(z, dtype=float) > 0
    hi_lag = np.asarray(lag, dtype=float) > 0
    return _QUADRANT_OF[hi_z.astype(np.int8) * 2 + hi_lag]


def moran_global(
    Y: pd.DataFrame,
    w,
    permutations: int = 999,
    seed: int = 12345,
    alternative: str = "greater",
    transform: str = "r",
) -> pd.DataFrame:
    """Global Moran's I of every year, with normal, randomisation and permutation inference.

    With :math:`z = y - \\bar y` per year and weights :math:`w_{ij}` (after ``transform``):

    .. math::

        I = \\frac{n}{S_0} \\frac{\\sum_i z_i \\sum_j w_{ij} z_j}{\\sum_i z_i^2}, \\qquad
        E[I] = -\\frac{1}{n-1}

    .. math::

        V_{norm}[I] = \\frac{n^2 S_1 - n S_2 + 3 S_0^2}{(n-1)(n+1) S_0^2} - E[I]^2

    .. math::

        V_{rand}[I] = \\frac{n[(n^2-3n+3)S_1 - nS_2 + 3S_0^2] - b_2[(n^2-n)S_1 - 2nS_2 + 6S_0^2]}
                     {(n-1)(n-2)(n-3)S_0^2} - E[I]^2

    with :math:`S_0 = \\sum_{ij} w_{ij}`, :math:`S_1 = \\tfrac12\\sum_{ij}(w_{ij}+w_{ji})^2`,
    :math:`S_2 = \\sum_i (w_{i\\cdot} + w_{\\cdot i})^2` and kurtosis
    :math:`b_2 = n\\sum z^4 / (\\sum z^2)^2` (Cliff & Ord 1981; as esda.Moran).
    :math:`z_{norm} = (I - E[I]) / \\sqrt{V_{norm}}`, likewise :math:`z_{rand}`.

    Parameters
    ----------
    Y : DataFrame
        Scores, index = region ids, columns = years; no NaN, at least 4 regions.
    w : libpysal.weights.W, libpysal.graph.Graph or scipy sparse matrix
        Spatial weights, aligned to ``Y.index`` as a sparse matrix by vectorised indexing
        (string-matched ids, as :func:`~nqpf.spatial.align_weights`); a scipy sparse matrix has no
        ids and is taken in the order of ``Y.index``. Not modified.
    permutations : int
        Number :math:`R` of random permutations, a whole number ≥ 0 (0: no ``p_sim``/``z_sim``).
    seed : int
        Seed of ``numpy.random.default_rng`` (whole number ≥ 0); the same seed gives identical
        results.
    alternative : {"greater", "less", "two-sided", "directed"}
        Alternative hypothesis of ``p_norm``, ``p_rand`` and ``p_sim`` (see the module notes;
        ``"greater"`` is the paper's and spdep's convention, esda's default is two-sided;
        ``"directed"`` reproduces esda's ``p_sim``).
    transform : {"r", "b", "d", "v", "o"}
        Weights transformation (libpysal codes); ``"r"`` row-standardised (default),
        ``"o"`` as given.

    Returns
    -------
    DataFrame
        One row per year: ``year, I, EI, VI_norm, seI_norm, z_norm, p_norm, VI_rand, seI_rand,
        z_rand, p_rand, p_sim, z_sim, n, n_islands``. ``z_sim = (I - mean(I_sim)) / sd(I_sim)``.
        A year where every region has the same score has NaN in every statistic (a warning names
        it). ``attrs`` records ``alternative``, ``permutations``, ``seed`` and ``transform``.

    Raises
    ------
    InputError
        Invalid scores, options or weights without links.
    WeightsMismatchError
        The ids of ``w`` are not those of ``Y``.
    """
    g = GlobalSetup(Y, w, "moran_global", alternative=alternative, permutations=permutations, seed=seed,
                    transform=transform)
    alternative, R, seed, S, card, ok = g.alternative, g.R, g.seed, g.S, g.card, g.ok
    n, T, Zc, z2, b2, S0, S1, S2 = g.n, g.T, g.Zc, g.z2, g.b2, g.S0, g.S1, g.S2
    lag = spatial_lag(S, Zc)
    I = n / S0 * (Zc * lag).sum(axis=0) / z2
    EI = -1.0 / (n - 1)
    VI_norm = (n * n * S1 - n * S2 + 3 * S0 * S0) / ((n - 1) * (n + 1) * S0 * S0) - EI * EI
    A = n * ((n * n - 3 * n + 3) * S1 - n * S2 + 3 * S0 * S0)
    B = b2 * ((n * n - n) * S1 - 2 * n * S2 + 6 * S0 * S0)
    VI_rand = (A - B) / ((n - 1) * (n - 2) * (n - 3) * S0 * S0) - EI * EI
    z_norm = (I - EI) / np.sqrt(VI_norm)
    z_rand = (I - EI) / np.sqrt(VI_rand)

    p_sim = np.full(T, np.nan)
    z_sim = np.full(T, np.nan)
    if R and T:
        Zs = Zc / np.sqrt(z2)  # unit sum of squares: I = n/S0 · Σ z·Wz
        sim = (n / S0) * inf.permuted_quadratic_forms(Zs, S, R, seed)[0]
        tol = inf.TIE_RTOL * (n / S0) * wnorm(S)
        ge, le = inf.count_extremes(sim, I, tol)
        p_sim = inf.pseudo_p(ge, le, R, alternative)
        z_sim = inf.z_sim(I, sim)

    columns = {
        "I": I,
        "EI": np.full(T, EI),
        "VI_norm": np.full(T, VI_norm),
        "seI_norm": np.full(T, np.sqrt(VI_norm)),
        "z_norm": z_norm,
        "p_norm": inf.normal_p(z_norm, alternative),
        "VI_rand": VI_rand,
        "seI_rand": np.sqrt(VI_rand),
        "z_rand": z_rand,
        "p_rand": inf.normal_p(z_rand, alternative),
        "p_sim": p_sim,
        "z_sim": z_sim,
    }
    return global_table(
        Y, {k: by_year(v, ok) for k, v in columns.items()},
        n=n, card=card, alternative=alternative, permutations=R, seed=seed, transform=transform,
    )


def moran_local(
    Y: pd.DataFrame,
    w,
    permutations: int = 999,
    seed: int = 12345,
    alpha: float = 0.05,
    transform: str = "r",
    alternative: str = "two-sided",
) -> pd.DataFrame:
    """Local Moran's I (LISA) of every region and year, with conditional permutation p-values.

    With :math:`z` the values standardised per year by the population standard deviation and
    :math:`\\mathrm{lag}_i = \\sum_j w_{ij} z_j`:

    .. math::

        I_i = \\frac{(n-1)\\, z_i\\, \\mathrm{lag}_i}{\\sum_k z_k^2}

    (esda's ``Moran_Local.Is``; :math:`\\sum_k z_k^2 = n`). Quadrants by :func:`quadrant`.

    Pseudo p-values by conditional permutation (see the module notes); the same draws serve
    every region and every year. :math:`I_{i,sim} \\ge I_i` exactly when
    :math:`\\mathrm{lag}_{sim} \\ge \\mathrm{lag}_i` for :math:`z_i > 0` and
    :math:`\\mathrm{lag}_{sim} \\le \\mathrm{lag}_i` for :math:`z_i < 0`, so the counts of random
    lags give the counts of :math:`I_i`.

    Parameters
    ----------
    Y : DataFrame
        Scores, index = region ids, columns = years; no NaN, at least 4 regions.
    w : libpysal.weights.W, libpysal.graph.Graph or scipy sparse matrix
        Spatial weights (aligned to ``Y.index`` as in :func:`moran_global`; not modified).
    permutations : int
        Number :math:`R` of conditional permutations, a whole number ≥ 0 (0: ``p_sim`` NaN, no
        clusters).
    seed : int
        Seed of ``numpy.random.default_rng`` (whole number ≥ 0).
    alpha : float
        Significance level for ``cluster``.
    transform : {"r", "b", "d", "v", "o"}
        Weights transformation.
    alternative : {"two-sided", "greater", "less", "directed"}
        Alternative of ``p_sim``. ``"directed"`` reproduces esda 2.8 and GeoDa
        (``(min(M, R−M)+1)/(R+1)``, half the two-sided value); the default two-sided value is
        the honest one for an undirected question ("is this region unusual?").

    Returns
    -------
    DataFrame
        Long table, one row per region-year (years in order, regions in ``Y``'s order):
        ``region, year, Ii, z, lag, quadrant, p_sim, cluster``. ``cluster`` is the quadrant
        where ``p_sim <= alpha`` and ``""`` otherwise; regions without neighbours have
        ``quadrant == ""``, ``p_sim`` NaN and are never clusters. In a year where every region
        has the same score every row has ``Ii``, ``z``, ``lag`` and ``p_sim`` NaN and
        ``quadrant`` and ``cluster`` ``""`` (a warning names the year). ``attrs`` records
        ``alternative``, ``permutations``, ``seed``, ``alpha`` and ``transform``.
    """
    what = "moran_local"
    alternative, R, seed = inf.check_inference(
        what, alternative=alternative, permutations=permutations, seed=seed, use="local")
    X = score_matrix(Y, what, allow_constant=True)
    S, card = sparse_weights(w, Y.index, transform, what)
    ok = ~constant_years(Y, X, what)
    X = X[:, ok]  # the years with variation; the others are NaN
    n, T = X.shape
    Z = X - X.mean(axis=0)
    del X
    # X.std(axis=0) from the same deviations, bit for bit (numpy's _var: Σ(x − mean)² / n, then √)
    Z /= np.sqrt(np.add.reduce(Z * Z, axis=0) / n)
    lag = spatial_lag(S, Z)
    scale = (n - 1) / (Z * Z).sum(axis=0)
    Ii = (Z * lag) * scale
    island = card == 0
    none = len(QUADRANTS)  # code of "" (islands, constant years, not significant)
    quad = quadrant_codes(Z, lag)
    quad[island, :] = none

    if R and T:
        lag_ge, lag_le = inf.conditional_lag_counts(Z, S, card, lag, R, seed)
        # I_i,sim >= I_i  <=>  lag_sim >= lag where z_i > 0, lag_sim <= lag where z_i < 0
        # (I_i = scale · z_i · lag_i with scale > 0); every draw ties where z_i = 0
        pos_z, neg_z = Z > 0, Z < 0
        ge = np.where(pos_z, lag_ge, np.where(neg_z, lag_le, R))
        le = np.where(pos_z, lag_le, np.where(neg_z, lag_ge, R))
        del lag_ge, lag_le, pos_z, neg_z
        p_sim = inf.pseudo_p(ge, le, R, alternative)
        del ge, le
        p_sim[island, :] = np.nan
        cluster = np.where(p_sim <= alpha, quad, np.int8(none))
    else:  # no permutation test: no p-value, no cluster
        p_sim, cluster = None, np.full(quad.shape, none, dtype=np.int8)
    labels = QUADRANTS + ("",)
    columns = {"Ii": Ii, "z": Z, "lag": lag, "quadrant": (quad, labels), "p_sim": p_sim,
               "cluster": (cluster, labels)}
    del Ii, Z, lag, quad, p_sim, cluster  # long_table releases each column once written
    out = long_table(Y, ok, columns)
    out.attrs.update(alternative=alternative, permutations=R, seed=seed, alpha=alpha, transform=transform)
    return out


def quadrant_transitions(local: pd.DataFrame, first_year, last_year) -> pd.DataFrame:
    """Moran-scatterplot quadrant of each region in two years.

    Parameters
    ----------
    local : DataFrame
        Output of :func:`moran_local` (columns ``region, year, quadrant, cluster``).
    first_year, last_year
        Years to compare; both must be present.

    Returns
    -------
    DataFrame
        ``region, quadrant_first, quadrant_last, changed, cluster_first, cluster_last`` in the
        order of ``local``; ``changed`` is ``quadrant_first != quadrant_last``.
    """
    need = {"region", "year", "quadrant", "cluster"}
    if not need <= set(local.columns):
        raise InputError(f"quadrant_transitions: expected columns {sorted(need)} (output of moran_local)")
    years = set(local["year"])
    missing = [y for y in (first_year, last_year) if y not in years]
    if missing:
        raise InputError(
            f"quadrant_transitions: years {missing} not in the local Moran table "
            f"(years present: {sorted(years)})"
        )
    a = local.loc[local["year"] == first_year, ["region", "quadrant", "cluster"]]
    b = local.loc[local["year"] == last_year, ["region", "quadrant", "cluster"]]
    t = a.merge(b, on="region", how="outer", suffixes=("_first", "_last"), sort=False)
    t = t.fillna({"quadrant_first": "", "quadrant_last": "", "cluster_first": "", "cluster_last": ""})
    t["changed"] = t["quadrant_first"] != t["quadrant_last"]
    return t[["region", "quadrant_first", "quadrant_last", "changed", "cluster_first", "cluster_last"]]


def quadrant_transition_matrix(transitions: pd.DataFrame) -> pd.DataFrame:
    """4×4 counts of regions moving from one quadrant to another.

    Parameters
    ----------
    transitions : DataFrame
        Output of :func:`quadrant_transitions`.

    Returns
    -------
    DataFrame
        Index ``quadrant_first`` and columns ``quadrant_last``, both ``HH, LH, LL, HL``;
        regions without a quadrant in either year (islands) are not counted.
    """
    t = transitions[
        transitions["quadrant_first"].isin(QUADRANTS) & transitions["quadrant_last"].isin(QUADRANTS)
    ]
    m = pd.crosstab(
        pd.Categorical(t["quadrant_first"], categories=QUADRANTS),
        pd.Categorical(t["quadrant_last"], categories=QUADRANTS),
        dropna=False,
    )
    m = m.reindex(index=list(QUADRANTS), columns=list(QUADRANTS), fill_value=0).astype(int)
    m.index.name = "quadrant_first"
    m.columns.name = "quadrant_last"
    return m
