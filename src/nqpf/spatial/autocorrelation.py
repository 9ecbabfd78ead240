"""Global Moran's I and Geary's C and local Moran's I for every year of a score matrix at once.

All years are computed together: the scores are an ``n × T`` matrix ``Z`` and the spatial lag of
every year is one sparse product ``W @ Z``. Permutation inference reuses the same random draws for
all years (each year's pseudo p-value is still an exact permutation test of that year; only the
p-values of different years are computed from shared draws), so the cost of a permutation does not
grow with the number of Python-level loops over years.

Conventions (differences from esda 2.8 are deliberate and listed here)
-------------------------------------------------------------------------
* ``alternative`` of :func:`moran_global` defaults to ``"greater"`` (one-sided, positive spatial
  autocorrelation), as the paper (Ran et al. 2025, Table 3) and R's ``spdep::moran.test`` report.
  esda 2.8's ``Moran`` reports ``p_norm``/``p_rand`` *two-sided* by default
  (``two_tailed=True``: ``2·P(Z > |z|)``), and with ``two_tailed=False`` the tail in the direction
  of the observed ``z`` (our ``"directed"``). esda's ``p_sim`` (global and local) is
  ``(min(M, R − M) + 1)/(R + 1)`` with ``M = #{I_sim ≥ I}``: the tail in the direction of the
  observed statistic (our ``"directed"``), whatever ``two_tailed`` says.
* Options: ``"greater"`` ``p = (#{sim ≥ obs} + 1)/(R + 1)``, analytic ``P(Z ≥ z)``;
  ``"less"`` ``(#{sim ≤ obs} + 1)/(R + 1)``, ``P(Z ≤ z)``;
  ``"two-sided"`` ``min(1, 2·(min(#≥, #≤) + 1)/(R + 1))``, ``2·P(Z ≥ |z|)``;
  ``"directed"`` esda's convention (see above), ``P(Z ≥ |z|)``.
* :func:`moran_local` defaults to ``alternative="two-sided"``; esda 2.8's ``Moran_Local`` (and
  GeoDa) report the ``"directed"`` value, half as large, so they flag more clusters at the same
  ``alpha``. Pass ``alternative="directed"`` to reproduce them.
* Islands (regions without neighbours) stay in ``n`` for the global statistic (as esda and GeoDa
  do; their lag is 0) and are counted in ``n_islands``. In :func:`moran_local` an island has
  quadrant ``""``, ``p_sim`` NaN and is never a cluster; esda gives islands a quadrant and a
  p-value that can make them "significant".
* Local pseudo p-values use conditional permutation as esda: for region ``i`` the values of the
  other ``n − 1`` regions are permuted and ``k_i`` of them drawn as neighbours. One table of
  ``R`` random ordered samples of ``max(k) + 1`` regions serves every region (esda also shares
  one table across regions) and every year (our addition): region ``i`` takes the first ``k_i``
  of each sample, with ``i`` itself replaced by the next one. When every row of W has equal
  weights (binary or row-standardised contiguity, KNN) the counts need no loop over permutations:
  see ``_local_p``.
  Global permutations likewise permute the rows of the whole ``n × T`` matrix. Each year's test
  is a valid permutation test; the p-values of different years share their draws and are
  therefore not independent of each other (they never are for a panel anyway).
* Draws come from ``numpy.random.default_rng(seed)``, so results are reproducible, but they are
  not esda's draws: pseudo p-values agree with esda's within sampling error, not exactly.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse, stats

from nqpf.errors import InputError

from .weights import align_weights

__all__ = [
    "moran_global",
    "geary_global",
    "moran_local",
    "quadrant_transitions",
    "quadrant_transition_matrix",
    "QUADRANTS",
]

#: Quadrant labels in esda's ``q`` order (1 HH, 2 LH, 3 LL, 4 HL).
QUADRANTS = ("HH", "LH", "LL", "HL")
_ALTERNATIVES = ("greater", "less", "two-sided", "directed")
_TRANSFORMS = ("r", "b", "d", "v", "o")
# a simulated statistic within this relative distance of the observed one counts as a tie
# (the same value summed in another order differs by rounding only)
_TIE_RTOL = 1e-10
# elements of the largest temporary array per permutation chunk (8 bytes each)
_CHUNK_ELEMENTS = 4_000_000


def _py(x):
    """A numpy scalar label as the plain Python value (for readable messages)."""
    return x.item() if isinstance(x, np.generic) else x


def _matrix(Y, what: str) -> np.ndarray:
    if not isinstance(Y, pd.DataFrame):
        raise InputError(f"{what}: expected a DataFrame (index = regions, columns = years)")
    try:
        X = Y.to_numpy(dtype=float)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{what}: score matrix has non-numeric values ({exc})") from None
    if X.shape[0] < 4:
        raise InputError(f"{what}: needs at least 4 regions, got {X.shape[0]}")
    bad = np.isnan(X)
    if bad.any():
        r, c = np.nonzero(bad)
        cells = ", ".join(f"({_py(Y.index[i])!r}, {_py(Y.columns[j])!r})" for i, j in zip(r[:10], c[:10]))
        more = f" and {len(r) - 10} more" if len(r) > 10 else ""
        raise InputError(
            f"{what}: missing values (NaN) at region-years {cells}{more}; "
            "interpolate them or drop those regions/years first"
        )
    const = np.ptp(X, axis=0) == 0
    if const.any():
        years = [_py(Y.columns[j]) for j in np.flatnonzero(const)]
        raise InputError(f"{what}: scores are identical across regions in years {years}; Moran's I is undefined")
    return X


def _weights(w, ids, transform: str, what: str):
    t = str(transform).lower()
    if t not in _TRANSFORMS:
        raise InputError(f"{what}: transform must be one of {_TRANSFORMS}, got {transform!r}")
    wa = align_weights(w, ids)  # a new W: the caller's W is never transformed in place
    if t != "o":
        wa.transform = t
    S = sparse.csr_matrix(wa.sparse, dtype=float)
    S.sum_duplicates()
    S.eliminate_zeros()
    if S.nnz == 0:
        raise InputError(f"{what}: the spatial weights have no links (every region is an island)")
    offdiag = S - sparse.diags(S.diagonal())
    offdiag.eliminate_zeros()
    card = np.diff(offdiag.indptr)
    return S, card


def _wnorm(S) -> float:
    """max(largest absolute row sum, largest absolute column sum) of W: a bound of |z'Wz| for
    unit ‖z‖ (scale of the rounding tolerance)."""
    A = abs(S)
    return float(max(A.sum(axis=1).max(), A.sum(axis=0).max()))


def _check_alternative(alternative, what):
    if alternative not in _ALTERNATIVES:
        raise InputError(f"{what}: alternative must be one of {_ALTERNATIVES}, got {alternative!r}")


def _p_analytic(z, alternative):
    if alternative == "greater":
        return stats.norm.sf(z)
    if alternative == "less":
        return stats.norm.cdf(z)
    if alternative == "two-sided":
        return 2.0 * stats.norm.sf(np.abs(z))
    return stats.norm.sf(np.abs(z))  # directed


def _p_counts(ge, le, R, alternative):
    ge = np.asarray(ge, dtype=float)
    le = np.asarray(le, dtype=float)
    if alternative == "greater":
        return (ge + 1.0) / (R + 1.0)
    if alternative == "less":
        return (le + 1.0) / (R + 1.0)
    if alternative == "two-sided":
        return np.minimum(1.0, 2.0 * (np.minimum(ge, le) + 1.0) / (R + 1.0))
    return (np.minimum(ge, R - ge) + 1.0) / (R + 1.0)  # directed (esda)


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
    w : libpysal.weights.W
        Spatial weights; aligned to ``Y.index`` with :func:`~nqpf.spatial.align_weights`
        (string-matched ids). Not modified.
    permutations : int
        Number :math:`R` of random permutations (0: no ``p_sim``/``z_sim``).
    seed : int
        Seed of ``numpy.random.default_rng``; the same seed gives identical results.
    alternative : {"greater", "less", "two-sided", "directed"}
        Alternative hypothesis of ``p_norm``, ``p_rand`` and ``p_sim`` (see the module notes;
        ``"greater"`` is the paper's and spdep's convention, esda's default is two-sided).
    transform : {"r", "b", "d", "v", "o"}
        Weights transformation (libpysal codes); ``"r"`` row-standardised (default),
        ``"o"`` as given.

    Returns
    -------
    DataFrame
        One row per year: ``year, I, EI, VI_norm, seI_norm, z_norm, p_norm, VI_rand, seI_rand,
        z_rand, p_rand, p_sim, z_sim, n, n_islands``. ``z_sim = (I - mean(I_sim)) / sd(I_sim)``.
        ``attrs`` records ``alternative``, ``permutations``, ``seed`` and ``transform``.
    """
    what = "moran_global"
    _check_alternative(alternative, what)
    X = _matrix(Y, what)
    S, card = _weights(w, Y.index, transform, what)
    n, T = X.shape
    Zc = X - X.mean(axis=0)
    z2 = (Zc * Zc).sum(axis=0)
    lag = S @ Zc
    S0 = S.sum()
    S1 = 0.5 * (S + S.T).power(2).sum()
    S2 = float(((np.asarray(S.sum(axis=1)).ravel() + np.asarray(S.sum(axis=0)).ravel()) ** 2).sum())
    I = n / S0 * (Zc * lag).sum(axis=0) / z2
    EI = -1.0 / (n - 1)
    VI_norm = (n * n * S1 - n * S2 + 3 * S0 * S0) / ((n - 1) * (n + 1) * S0 * S0) - EI * EI
    b2 = n * (Zc**4).sum(axis=0) / z2**2
    A = n * ((n * n - 3 * n + 3) * S1 - n * S2 + 3 * S0 * S0)
    B = b2 * ((n * n - n) * S1 - 2 * n * S2 + 6 * S0 * S0)
    VI_rand = (A - B) / ((n - 1) * (n - 2) * (n - 3) * S0 * S0) - EI * EI
    z_norm = (I - EI) / np.sqrt(VI_norm)
    z_rand = (I - EI) / np.sqrt(VI_rand)

    p_sim = np.full(T, np.nan)
    z_sim = np.full(T, np.nan)
    if permutations:
        R = int(permutations)
        Zs = Zc / np.sqrt(z2)  # unit sum of squares: I = n/S0 · Σ z·Wz
        sim = (n / S0) * _perm_quadratic(Zs, S, R, seed)[0]
        tol = _TIE_RTOL * (n / S0) * _wnorm(S)
        ge = (sim >= I - tol).sum(axis=0)
        le = (sim <= I + tol).sum(axis=0)
        p_sim = _p_counts(ge, le, R, alternative)
        with np.errstate(divide="ignore", invalid="ignore"):
            z_sim = (I - sim.mean(axis=0)) / sim.std(axis=0)

    out = pd.DataFrame(
        {
            "year": np.asarray(Y.columns),
            "I": I,
            "EI": np.full(T, EI),
            "VI_norm": np.full(T, VI_norm),
            "seI_norm": np.full(T, np.sqrt(VI_norm)),
            "z_norm": z_norm,
            "p_norm": _p_analytic(z_norm, alternative),
            "VI_rand": VI_rand,
            "seI_rand": np.sqrt(VI_rand),
            "z_rand": z_rand,
            "p_rand": _p_analytic(z_rand, alternative),
            "p_sim": p_sim,
            "z_sim": z_sim,
            "n": np.full(T, n),
            "n_islands": np.full(T, int((card == 0).sum())),
        }
    )
    out.attrs.update(
        alternative=alternative, permutations=int(permutations), seed=seed, transform=transform
    )
    return out


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
    :math:`C` itself (``"directed"`` is esda's convention, see the module notes).

    Parameters
    ----------
    Y, w, permutations, seed, transform
        As :func:`moran_global` (the same seed gives the same permutations).
    alternative : {"less", "greater", "two-sided", "directed"}
        Alternative hypothesis for ``p_norm``, ``p_rand`` and ``p_sim``.

    Returns
    -------
    DataFrame
        One row per year: ``year, C, EC, VC_norm, seC_norm, z_norm, p_norm, VC_rand, seC_rand,
        z_rand, p_rand, p_sim, z_sim, n, n_islands``.
    """
    what = "geary_global"
    _check_alternative(alternative, what)
    X = _matrix(Y, what)
    S, card = _weights(w, Y.index, transform, what)
    n, T = X.shape
    Zc = X - X.mean(axis=0)
    z2 = (Zc * Zc).sum(axis=0)
    S0 = S.sum()
    S1 = 0.5 * (S + S.T).power(2).sum()
    rc = np.asarray(S.sum(axis=1)).ravel() + np.asarray(S.sum(axis=0)).ravel()
    S2 = float((rc**2).sum())
    # Σ_ij w_ij (z_i − z_j)² = Σ_i (w_i· + w_·i) z_i² − 2 z'Wz
    C = (n - 1) * (rc @ (Zc * Zc) - 2 * (Zc * (S @ Zc)).sum(axis=0)) / (2 * S0 * z2)
    b2 = n * (Zc**4).sum(axis=0) / z2**2
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
    if permutations:
        R = int(permutations)
        q, sq = _perm_quadratic(Zc / np.sqrt(z2), S, R, seed, a=rc)
        sim = (n - 1) * (sq - 2 * q) / (2 * S0)
        tol = _TIE_RTOL * (n - 1) / S0 * (rc.max() + 2 * _wnorm(S))
        p_sim = _p_counts((sim >= C - tol).sum(axis=0), (sim <= C + tol).sum(axis=0), R, alternative)
        with np.errstate(divide="ignore", invalid="ignore"):
            z_sim = (C - sim.mean(axis=0)) / sim.std(axis=0)
    out = pd.DataFrame(
        {
            "year": np.asarray(Y.columns),
            "C": C,
            "EC": np.ones(T),
            "VC_norm": np.full(T, VC_norm),
            "seC_norm": np.full(T, np.sqrt(VC_norm)),
            "z_norm": z_norm,
            "p_norm": _p_analytic(z_norm, alternative),
            "VC_rand": VC_rand,
            "seC_rand": np.sqrt(VC_rand),
            "z_rand": z_rand,
            "p_rand": _p_analytic(z_rand, alternative),
            "p_sim": p_sim,
            "z_sim": z_sim,
            "n": np.full(T, n),
            "n_islands": np.full(T, int((card == 0).sum())),
        }
    )
    out.attrs.update(
        alternative=alternative, permutations=int(permutations), seed=seed, transform=transform
    )
    return out


def _perm_quadratic(Zs, S, R: int, seed, a=None):
    """For ``R`` random permutations π of the rows of ``Zs`` (n × T, the same π for every
    year): ``q[p, t] = z_π' W z_π`` and, when ``a`` (n,) is given, ``s[p, t] = Σ_i a_i z_π(i)²``.

    z_π' W z_π = Σ_i z_π(i) Σ_j u_ij z_π(j) with ``U`` the upper triangle of ``W + W'`` (plus
    the diagonal of ``W``) and its columns relabelled j → π(j); a chunk of permutations is stacked into one (c·n) × n sparse matrix, so one sparse product serves every
    permutation of the chunk and every year.
    """
    n, T = Zs.shape
    # z'Wz = z'Uz with U = diag(W) + upper triangle of W + W': half the entries of W
    U = sparse.csr_matrix(sparse.triu(S + S.T, k=1) + sparse.diags(S.diagonal()))
    U.eliminate_zeros()
    U.sort_indices()
    S = U
    rng = np.random.default_rng(seed)
    q = np.empty((R, T))
    sq = np.empty((R, T)) if a is not None else None
    chunk = max(1, _CHUNK_ELEMENTS // (n * T))
    base = np.arange(n)
    data, indptr = _stacked(S, min(chunk, R))
    for start in range(0, R, chunk):
        c = min(chunk, R - start)
        perm = rng.permuted(np.tile(base, (c, 1)), axis=1)  # (c, n)
        cols = perm[:, S.indices].ravel()
        big = sparse.csr_matrix((data[: c * S.nnz], cols, indptr[: c * n + 1]), shape=(c * n, n))
        L = (big @ Zs).reshape(c, n, T)
        G = Zs[perm]
        q[start : start + c] = np.einsum("pit,pit->pt", G, L)
        if a is not None:
            sq[start : start + c] = np.einsum("i,pit->pt", a, G * G)
    return q, sq


def _stacked(S, c: int):
    """Data and row pointers of ``c`` copies of CSR matrix ``S`` stacked vertically (the column
    indices are filled in per permutation); a prefix of them describes fewer copies."""
    n, nnz = S.shape[0], S.nnz
    indptr = np.empty(c * n + 1, dtype=np.int64)
    indptr[:-1] = (np.arange(c)[:, None] * nnz + S.indptr[None, :-1]).ravel()
    indptr[-1] = c * nnz
    return np.tile(S.data, c), indptr


def _draws(rng, R: int, m: int, k: int) -> np.ndarray:
    """``R`` samples (rows) of ``k`` distinct ids from ``0..m-1``, each in random order."""
    out = np.empty((R, k), dtype=np.int64)
    if k == 0:
        return out
    step = max(1, _CHUNK_ELEMENTS // m)
    for start in range(0, R, step):
        c = min(step, R - start)
        keys = rng.random((c, m))
        if k < m:
            idx = np.argpartition(keys, k - 1, axis=1)[:, :k]
        else:
            idx = np.tile(np.arange(m), (c, 1))
        # order the k selected ids by their keys: a uniformly random order
        order = np.argsort(np.take_along_axis(keys, idx, axis=1), axis=1)
        out[start : start + c] = np.take_along_axis(idx, order, axis=1)
    return out


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

    (esda's ``Moran_Local.Is``; :math:`\\sum_k z_k^2 = n`). Quadrants (esda's ``q``): HH
    (:math:`z_i > 0`, lag > 0), LH (:math:`z_i \\le 0`, lag > 0), LL (both ≤ 0), HL
    (:math:`z_i > 0`, lag ≤ 0).

    Pseudo p-values by conditional permutation (see the module notes); the same draws serve
    every region and every year.

    Parameters
    ----------
    Y : DataFrame
        Scores, index = region ids, columns = years; no NaN, at least 4 regions.
    w : libpysal.weights.W
        Spatial weights (aligned to ``Y.index``; not modified).
    permutations : int
        Number :math:`R` of conditional permutations (0: ``p_sim`` NaN, no clusters).
    seed : int
        Seed of ``numpy.random.default_rng``.
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
        ``quadrant == ""``, ``p_sim`` NaN and are never clusters.
    """
    what = "moran_local"
    _check_alternative(alternative, what)
    X = _matrix(Y, what)
    S, card = _weights(w, Y.index, transform, what)
    n, T = X.shape
    Z = (X - X.mean(axis=0)) / X.std(axis=0)
    lag = S @ Z
    scale = (n - 1) / (Z * Z).sum(axis=0)
    Ii = (Z * lag) * scale
    island = card == 0
    q = np.where(Z > 0, np.where(lag > 0, 0, 3), np.where(lag > 0, 1, 2))
    quadrant = np.asarray(QUADRANTS, dtype=object)[q]
    quadrant[island, :] = ""

    p_sim = np.full((n, T), np.nan)
    if permutations:
        R = int(permutations)
        p_sim = _local_p(Z, S, card, lag, R, seed, alternative)
        p_sim[island, :] = np.nan

    cluster = np.where(p_sim <= alpha, quadrant, "")
    regions = np.asarray(Y.index, dtype=object)
    out = pd.DataFrame(
        {
            "region": np.tile(regions, T),
            "year": np.repeat(np.asarray(Y.columns), n),
            "Ii": Ii.T.ravel(),
            "z": Z.T.ravel(),
            "lag": lag.T.ravel(),
            "quadrant": quadrant.T.ravel(),
            "p_sim": p_sim.T.ravel(),
            "cluster": cluster.T.ravel(),
        }
    )
    out.attrs.update(
        alternative=alternative,
        permutations=int(permutations),
        seed=seed,
        alpha=alpha,
        transform=transform,
    )
    return out


def _row_constant(O):
    """Whether every non-empty row of CSR ``O`` has all its weights equal and positive, and
    that weight per row (0 for empty rows)."""
    n = O.shape[0]
    card = np.diff(O.indptr)
    c = np.zeros(n)
    nz = card > 0
    if not nz.any():
        return True, c
    rows = np.repeat(np.arange(n), card)
    c[nz] = np.add.reduceat(O.data, O.indptr[:-1][nz]) / card[nz]
    equal = np.allclose(O.data, c[rows], rtol=1e-12, atol=0.0) and bool((c[nz] > 0).all())
    return equal, c


def _local_p(Z, S, card, lag, R, seed, alternative, fast=True):
    """Conditional-permutation p-values of local Moran, all regions and years at once.

    Draws: ``R`` random ordered samples ``Q[p]`` of ``max(k) + 1`` distinct regions out of all
    ``n``. Region ``i`` (``k_i`` neighbours) takes ``Q[p, :k_i]``, with ``i`` itself, if drawn,
    replaced by ``Q[p, k_i]``: by exchangeability this is a uniformly random ordered sample of
    ``k_i`` of the other ``n − 1`` regions, i.e. esda's conditional permutation, and the same
    table serves every region and every year.

    Fast path (every row of W has equal weights ``c_i``, as binary or row-standardised
    contiguity/KNN weights): the random lag is ``c_i`` times a prefix sum of ``z[Q[p]]``, the
    same for every region with ``k_i`` neighbours except the few draws that hit ``i``. The
    counts ``#{lag_sim ≥ lag_i}`` come from sorting the ``R`` prefix sums once per (k, year) and
    a binary search per region-year, then correcting the hits. Otherwise: a chunk of random
    weights matrices (W's rows with the drawn columns) stacked into one sparse matrix times Z.
    """
    n, T = Z.shape
    diag = S.diagonal()
    O = sparse.csr_matrix(S - sparse.diags(diag))
    O.eliminate_zeros()
    kmax = int(card.max())
    rng = np.random.default_rng(seed)
    Q = _draws(rng, R, n, kmax + 1)  # kmax + 1 <= n always
    self_part = diag[:, None] * Z
    zmax = np.abs(Z).max(axis=0)
    equal, c = _row_constant(O)
    lag_ge = np.zeros((n, T), dtype=np.int64)
    lag_le = np.zeros((n, T), dtype=np.int64)
    if fast and equal:
        nb = card > 0
        thr = np.zeros((n, T))
        thr[nb] = (lag[nb] - self_part[nb]) / c[nb, None]  # lag_sim >= lag  <=>  PS >= thr
        tol = _TIE_RTOL * card[:, None] * zmax[None, :]  # ties up to rounding count as ties
        thr_lo, thr_hi = thr - tol, thr + tol
        PS = np.zeros((R, kmax + 1, T))
        np.cumsum(Z[Q[:, :kmax]], axis=1, out=PS[:, 1:, :])  # PS[p, k] = Σ_{j<k} z[Q[p, j]]
        for k in np.unique(card[nb]):
            idx = np.flatnonzero(card == k)
            Sk = np.sort(PS[:, k, :], axis=0)
            for t in range(T):
                lag_ge[idx, t] = R - np.searchsorted(Sk[:, t], thr_lo[idx, t], side="left")
                lag_le[idx, t] = np.searchsorted(Sk[:, t], thr_hi[idx, t], side="right")
        # draws that picked region i itself among its first k_i: use Q[p, k_i] instead
        for j in range(kmax):
            ids = Q[:, j]
            hit = j < card[ids]
            p_hit, i_hit = np.flatnonzero(hit), ids[hit]
            k_hit = card[i_hit]
            old = PS[p_hit, k_hit, :]
            new = old - Z[i_hit] + Z[Q[p_hit, k_hit]]
            lo, hi = thr_lo[i_hit], thr_hi[i_hit]
            np.add.at(lag_ge, i_hit, (new >= lo).astype(np.int64) - (old >= lo))
            np.add.at(lag_le, i_hit, (new <= hi).astype(np.int64) - (old <= hi))
    else:
        nnz = O.nnz
        absrow = np.asarray(abs(O).sum(axis=1)).ravel()
        tol = _TIE_RTOL * absrow[:, None] * zmax[None, :]
        rows = np.repeat(np.arange(n), card)
        pos = np.arange(nnz) - O.indptr[rows]
        chunk = max(1, _CHUNK_ELEMENTS // (n * T))
        data, indptr = _stacked(O, min(chunk, R))
        for start in range(0, R, chunk):
            cnt = min(chunk, R - start)
            Qc = Q[start : start + cnt]
            cols = Qc[:, pos]  # (cnt, nnz)
            cols = np.where(cols == rows, Qc[:, card[rows]], cols)
            big = sparse.csr_matrix(
                (data[: cnt * nnz], cols.ravel(), indptr[: cnt * n + 1]), shape=(cnt * n, n)
            )
            L = (big @ Z).reshape(cnt, n, T) + self_part
            lag_ge += np.count_nonzero(L >= lag - tol, axis=0)
            lag_le += np.count_nonzero(L <= lag + tol, axis=0)
    # I_i,sim >= I_i  <=>  lag_sim >= lag where z_i > 0, lag_sim <= lag where z_i < 0
    # (I_i = scale · z_i · lag_i with scale > 0)
    pos_z, neg_z = Z > 0, Z < 0
    ge = np.where(pos_z, lag_ge, np.where(neg_z, lag_le, R))
    le = np.where(pos_z, lag_le, np.where(neg_z, lag_ge, R))
    return _p_counts(ge, le, R, alternative)


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
