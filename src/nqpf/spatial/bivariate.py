r"""Bivariate Moran's I, global and local, of two variables of every region and year at once.

A region's value of one variable, :math:`x`, against the spatial lag of another, :math:`y` (the
neighbours' values): "do regions with a high score have neighbours with a high :math:`y`?"
(Wartenberg 1985; Anselin, Syabri & Smirnov 2002; GeoDa's bivariate LISA). Both variables are
regions × years matrices with the same regions and years; all years are computed together (one
sparse product ``W @ Z`` for every year's lag).

Statistics (as esda 2.8's ``Moran_BV`` and ``Moran_Local_BV``)
-------------------------------------------------------------
With :math:`z_x, z_y` the centred values of a year and :math:`w_{ij}` the weights after
``transform`` (row-standardised by default):

.. math::

    I_{BV} = \frac{z_x' W z_y}{\sqrt{z_x' z_x \; z_y' z_y}}, \qquad
    I_{BV,i} = (n - 1)\, \frac{z_{x,i} \sum_j w_{ij} z_{y,j}}{\sum_k z_{x,k}^2}\ \text{with}\
    z = (v - \bar v)/s

(:math:`s` the population standard deviation, so :math:`\sum_k z_{x,k}^2 = n`). The global
statistic equals esda's ``(z_x' W z_y)/(n - 1)`` with sample-standardised variables. Like esda it
has no factor :math:`n/S_0`: with row-standardised weights :math:`S_0 = n` and the factor is 1;
with other transformations the statistic is on esda's scale, not on Moran's.

Inference
---------
* Global, analytic (randomisation): permuting :math:`y` over the regions with :math:`x` fixed,
  :math:`I_{BV} = a' z_{y,\pi}` with :math:`a = W' z_x / \|z_x\|` and :math:`\|z_y\| = 1` has
  exactly :math:`E = 0` and :math:`V = \sum_i (a_i - \bar a)^2 / (n - 1)` (the first two moments of a
  linear permutation statistic); ``z = I / √V`` and ``p_norm`` its normal p-value under
  ``alternative``. (esda gives only the permutation moments; the tests check these against an
  exact enumeration of every permutation.)
* Global, permutation: ``R`` random permutations of :math:`y` (the same permutation for every
  year, :func:`nqpf.spatial._inference.permutation_chunks`), :math:`x` fixed, as esda's
  ``Moran_BV``; ``p_sim`` under ``alternative`` (``"directed"`` is esda's folded value) and
  ``z_sim = (I − mean(I_sim)) / sd(I_sim)``.
* Local: conditional permutation as esda's ``Moran_Local_BV``: region ``i`` keeps its
  :math:`x_i` and ``k_i`` neighbours' :math:`y` are drawn from the other ``n − 1`` regions
  (:func:`nqpf.spatial._inference.conditional_lag_counts`; :math:`I_{BV,i}` is increasing in the
  lag for :math:`z_{x,i} > 0`, decreasing for :math:`z_{x,i} < 0`). ``p_sim`` two-sided by default
  (``"directed"`` reproduces esda and GeoDa).
* Quadrants split at :math:`z_{x,i} > 0` and :math:`\mathrm{lag}_i > 0` (:func:`~nqpf.spatial.quadrant`):
  ``HH`` a high-:math:`x` region among high-:math:`y` neighbours, ``LH`` low among high, ``LL``,
  ``HL``. ``cluster`` is the quadrant where the p-value, after ``correction`` per year
  (:mod:`nqpf.spatial.multiple`; ``"fdr"`` Benjamini–Hochberg), is at most ``alpha``.
* Islands (no neighbours) stay in ``n`` for the global statistic (their lag is 0) and are never
  local clusters (quadrant ``""``, ``p_sim`` NaN).
* A year in which either variable is the same in every region has nothing to correlate: its
  statistics are NaN (``quadrant``/``cluster`` ``""``), with a warning naming the year.
* The draws come from ``numpy.random.default_rng(seed)`` and are not esda's: pseudo p-values agree
  with esda's within sampling error.
"""
from __future__ import annotations

import numbers

import numpy as np
import pandas as pd

from nqpf.errors import InputError

from . import _inference as inf
from ._common import by_year, constant_years, global_table, score_matrix, sparse_weights, wnorm
from .moran import quadrant
from .multiple import adjust_p, check_correction

__all__ = ["moran_bv_global", "moran_bv_local"]


def _pair(X, Y, what: str):
    """The two ``n × T`` matrices (``Y`` put in ``X``'s region and year order) and the mask of the
    years in which both vary (a warning names the others)."""
    for name, df in (("X", X), ("Y", Y)):
        if not isinstance(df, pd.DataFrame):
            raise InputError(f"{what}: {name} must be a DataFrame (index = regions, columns = years)")
    rx, ry = list(X.index), list(Y.index)
    if len(set(rx)) != len(rx) or len(set(ry)) != len(ry):
        raise InputError(f"{what}: repeated region ids in X or Y; give one row per region")
    if set(rx) != set(ry):
        diff = sorted(map(str, set(rx) ^ set(ry)))
        raise InputError(f"{what}: X and Y must have the same regions; only in one of them: {diff[:10]}")
    if set(X.columns) != set(Y.columns) or len(X.columns) != len(Y.columns):
        diff = sorted(map(str, set(X.columns) ^ set(Y.columns)))
        raise InputError(f"{what}: X and Y must have the same years; only in one of them: {diff[:10]}")
    Y = Y.loc[rx, list(X.columns)]
    A = score_matrix(X, what, allow_constant=True)
    B = score_matrix(Y, what, allow_constant=True)
    ok = ~(constant_years(X, A, what) | constant_years(Y, B, what))
    return A, B, ok


def moran_bv_global(
    X: pd.DataFrame,
    Y: pd.DataFrame,
    w,
    permutations: int = 999,
    seed: int = 12345,
    alternative: str = "two-sided",
    transform: str = "r",
) -> pd.DataFrame:
    r"""Global bivariate Moran's I of ``X`` against the spatial lag of ``Y``, every year.

    Formulas and inference are in the module notes:
    :math:`I_{BV} = z_x' W z_y / \sqrt{z_x'z_x\, z_y'z_y}` (esda's ``Moran_BV.I``).

    Parameters
    ----------
    X, Y : DataFrame
        Values, index = region ids, columns = years, the same regions and years (``Y`` is put in
        ``X``'s order); no NaN, at least 4 regions. ``Y`` is the lagged variable.
    w : libpysal.weights.W
        Spatial weights (binary as given), aligned to ``X.index``; not modified.
    permutations : int
        Random permutations of ``Y``, a whole number ≥ 0 (0: ``p_sim`` and ``z_sim`` NaN).
    seed : int
        Seed of ``numpy.random.default_rng`` (whole number ≥ 0).
    alternative : {"two-sided", "greater", "less", "directed"}
        Alternative of ``p_norm`` and ``p_sim`` (two-sided by default: an association of either
        sign; ``"directed"`` reproduces esda's ``p_sim``).
    transform : {"r", "b", "d", "v", "o"}
        Weights transformation (libpysal codes); ``"r"`` row-standardised (default, as esda).

    Returns
    -------
    DataFrame
        One row per year: ``year, I, z, p_norm, p_sim, z_sim, n, n_islands``. ``attrs`` records
        ``alternative``, ``permutations``, ``seed`` and ``transform``.

    Raises
    ------
    InputError
        Invalid values, mismatched ``X``/``Y``, invalid options, weights without links.
    WeightsMismatchError
        The ids of ``w`` are not those of ``X``.

    Examples
    --------
    A variable against itself gives Moran's I (row-standardised weights):

    >>> from libpysal.weights import lat2W
    >>> X = pd.DataFrame({2020: np.arange(16.0)})
    >>> round(moran_bv_global(X, X, lat2W(4, 4), permutations=0)["I"].item(), 4)
    0.75
    """
    what = "moran_bv_global"
    alternative, R, seed = inf.check_inference(
        what, alternative=alternative, permutations=permutations, seed=seed, use="global", esda=True)
    A, B, ok = _pair(X, Y, what)
    S, card = sparse_weights(w, X.index, transform, what)
    A, B = A[:, ok], B[:, ok]
    n, T = A.shape
    Zx = A - A.mean(axis=0)
    Zy = B - B.mean(axis=0)
    Zx /= np.sqrt((Zx * Zx).sum(axis=0))
    Zy /= np.sqrt((Zy * Zy).sum(axis=0))
    a = S.T @ Zx  # I = a' z_y for any relabelling of z_y
    I = (a * Zy).sum(axis=0)
    ac = a - a.mean(axis=0)
    V = (ac * ac).sum(axis=0) / (n - 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(V > 0, I / np.sqrt(np.where(V > 0, V, 1.0)), np.nan)

    p_sim = np.full(T, np.nan)
    zs = np.full(T, np.nan)
    if R and T:
        sim = np.empty((R, T))
        chunk = max(1, inf.CHUNK_ELEMENTS // (n * T))
        for start, perm in inf.permutation_chunks(seed, R, n, chunk):
            sim[start : start + perm.shape[0]] = np.einsum("it,pit->pt", a, Zy[perm])
        ge, le = inf.count_extremes(sim, I, inf.TIE_RTOL * wnorm(S))
        p_sim = inf.pseudo_p(ge, le, R, alternative)
        zs = inf.z_sim(I, sim)

    columns = {"I": I, "z": z, "p_norm": inf.normal_p(z, alternative), "p_sim": p_sim, "z_sim": zs}
    return global_table(X, {k: by_year(v, ok) for k, v in columns.items()}, n=n, card=card,
                        alternative=alternative, permutations=R, seed=seed, transform=transform)


def _signed_counts(z, lag_ge, lag_le, R: int):
    """Counts of a local statistic ``c·z_i·lag_i`` (``c > 0``) from the counts of its random lags:
    ``#{I_sim ≥ I}`` is ``#{lag_sim ≥ lag}`` where ``z_i > 0`` and ``#{lag_sim ≤ lag}`` where
    ``z_i < 0``; every draw ties where ``z_i = 0``."""
    pos, neg = z > 0, z < 0
    ge = np.where(pos, lag_ge, np.where(neg, lag_le, R))
    le = np.where(pos, lag_le, np.where(neg, lag_ge, R))
    return ge, le


def moran_bv_local(
    X: pd.DataFrame,
    Y: pd.DataFrame,
    w,
    permutations: int = 999,
    seed: int = 12345,
    alpha: float = 0.05,
    transform: str = "r",
    alternative: str = "two-sided",
    correction: str | None = None,
) -> pd.DataFrame:
    r"""Local bivariate Moran's I (bivariate LISA) of every region and year.

    :math:`I_{BV,i} = (n-1)\, z_{x,i} \sum_j w_{ij} z_{y,j} / \sum_k z_{x,k}^2` with population-
    standardised values (esda's ``Moran_Local_BV.Is``); inference, quadrants and clusters in the
    module notes.

    Parameters
    ----------
    X, Y : DataFrame
        Values, index = region ids, columns = years, the same regions and years; ``X`` is the
        region's own variable, ``Y`` the lagged one.
    w : libpysal.weights.W
        Spatial weights, aligned to ``X.index``; not modified.
    permutations : int
        Conditional permutations, a whole number ≥ 0 (0: ``p_sim`` NaN, no clusters).
    seed : int
        Seed of the draws (whole number ≥ 0).
    alpha : float
        Significance level of ``cluster``, in (0, 1).
    transform : {"r", "b", "d", "v", "o"}
        Weights transformation (``"r"`` default).
    alternative : {"two-sided", "greater", "less", "directed"}
        Alternative of ``p_sim`` (``"directed"``: esda's and GeoDa's folded value).
    correction : {None, "fdr", "bonferroni"}
        Multiple-testing correction of ``p_sim`` per year before comparing it with ``alpha``
        (:mod:`nqpf.spatial.multiple`); ``p_sim`` in the table stays unadjusted.

    Returns
    -------
    DataFrame
        Long table, one row per region-year (years in order, regions in ``X``'s order):
        ``region, year, I, z, lag, quadrant, p_sim, cluster`` (``z`` the standardised ``X``,
        ``lag`` the spatial lag of the standardised ``Y``; ``cluster`` the quadrant where
        significant, else ``""``). ``attrs`` records ``alternative``, ``permutations``, ``seed``,
        ``alpha``, ``transform`` and ``correction``.

    Raises
    ------
    InputError
        Invalid values, mismatched ``X``/``Y``, invalid options, weights without links.
    """
    what = "moran_bv_local"
    alternative, R, seed = inf.check_inference(
        what, alternative=alternative, permutations=permutations, seed=seed, use="local")
    correction = check_correction(correction, what)
    if (isinstance(alpha, (bool, np.bool_)) or not isinstance(alpha, numbers.Real)
            or not 0 < float(alpha) < 1):
        raise InputError(f"{what}: alpha must be a number in (0, 1) such as 0.05; got {alpha!r}")
    A, B, ok = _pair(X, Y, what)
    S, card = sparse_weights(w, X.index, transform, what)
    A, B = A[:, ok], B[:, ok]
    n, T = A.shape
    Zx = (A - A.mean(axis=0)) / A.std(axis=0)
    Zy = (B - B.mean(axis=0)) / B.std(axis=0)
    lag = S @ Zy
    I = (n - 1) * Zx * lag / (Zx * Zx).sum(axis=0)
    island = card == 0
    quad = quadrant(Zx, lag)
    quad[island, :] = ""

    p_sim = np.full((n, T), np.nan)
    if R and T:
        lag_ge, lag_le = inf.conditional_lag_counts(Zy, S, card, lag, R, seed)
        p_sim = inf.pseudo_p(*_signed_counts(Zx, lag_ge, lag_le, R), R, alternative)
        p_sim[island, :] = np.nan
    cluster = np.where(adjust_p(p_sim, correction) <= alpha, quad, "")

    I, Zx, lag, p_sim = (by_year(v, ok) for v in (I, Zx, lag, p_sim))
    quad, cluster = by_year(quad, ok, ""), by_year(cluster, ok, "")
    T = ok.size
    out = pd.DataFrame({
        "region": np.tile(np.asarray(X.index, dtype=object), T),
        "year": np.repeat(np.asarray(X.columns), n),
        "I": I.T.ravel(),
        "z": Zx.T.ravel(),
        "lag": lag.T.ravel(),
        "quadrant": quad.T.ravel(),
        "p_sim": p_sim.T.ravel(),
        "cluster": cluster.T.ravel(),
    })
    out.attrs.update(alternative=alternative, permutations=R, seed=seed, alpha=float(alpha),
                     transform=transform, correction=correction)
    return out
