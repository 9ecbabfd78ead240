r"""Permutation inference shared by every spatial statistic: validation, seeded draws, counts, p-values.

A statistic module (:mod:`~nqpf.spatial.moran`, :mod:`~nqpf.spatial.geary`, ...) computes its
observed values and, through this module, the values under random relabelling of the regions; it
never draws random numbers, counts or folds p-values itself. Everything here works on all years at
once: observed statistics are arrays of shape ``(T,)`` (global) or ``(n, T)`` (local), simulated ones
``(R, T)``.

Validation
----------
:func:`check_inference` is the one check of ``alternative``, ``permutations`` and ``seed`` used by
every statistic; :func:`check_alternative` (the part for ``alternative``, also used by the command
line and the configuration) knows the alternatives each use accepts (:data:`ALTERNATIVES`).

Draws
-----
All draws come from ``numpy.random.default_rng(seed)``; the same seed gives the same numbers on every
platform numpy supports, and the draws do not depend on how the work is split into chunks.

* Global statistics (:func:`permutation_chunks`, :func:`permuted_quadratic_forms`): ``R`` random
  permutations of the ``n`` rows of the ``n × T`` matrix, drawn ``c`` at a time as
  ``rng.permuted(np.tile(arange(n), (c, 1)), axis=1)``. The same permutation serves every year, so
  each year's test is an exact permutation test while the p-values of different years share draws.
* Local statistics (:func:`conditional_draws`, :func:`conditional_lag_counts`): conditional
  permutation as esda, with one table of ``R`` random ordered samples of ``max(k) + 1`` regions
  serving every region and every year (see :func:`conditional_lag_counts`).

The draws are not esda's (esda uses the global numpy state or its own numba kernels): pseudo
p-values agree with esda's within sampling error, not exactly.

Ties
----
A simulated statistic counts as "at least as large" as the observed one when
``sim >= obs - tol`` and as "at least as small" when ``sim <= obs + tol``, with
``tol = TIE_RTOL × scale`` and ``scale`` a bound of the statistic's magnitude that each statistic
supplies (for Moran's I ``n/S0 · ‖W‖``, ``‖W‖`` the larger of the largest absolute row and column
sums). The reason: a permutation that reproduces the observed configuration (the identity, a
symmetry of the weights, or exchanging tied values) gives the *same* statistic summed in another
order, which differs from the observed value by rounding only (around ``1e-16 × scale``). Without a
tolerance such ties land on either side of the observed value at random, and the pseudo p-value of
data with tied values (ranks, rounded scores) would be biased and platform-dependent. With
:data:`TIE_RTOL` ``= 1e-10`` every rounding-level difference is a tie, while two genuinely different
configurations differ by far more than ``1e-10 × scale`` for scores of any realistic precision.
Ties count on both sides, as the exact permutation distribution does (``#{sim ≥ obs}`` and
``#{sim ≤ obs}`` overlap in the observed value).

Alternatives
------------
With ``R`` permutations, ``M⁺ = #{sim ≥ obs}``, ``M⁻ = #{sim ≤ obs}`` (ties as above) and, for the
analytic p-values, a standard normal :math:`Z` and the observed :math:`z`:

============== ===================================== ===========================
alternative    pseudo p (:func:`pseudo_p`)            analytic p (:func:`normal_p`)
============== ===================================== ===========================
``greater``    ``(M⁺ + 1)/(R + 1)``                   :math:`P(Z \ge z)`
``less``       ``(M⁻ + 1)/(R + 1)``                   :math:`P(Z \le z)`
``two-sided``  ``min(1, 2·(min(M⁺, M⁻) + 1)/(R + 1))`` :math:`2 P(Z \ge |z|)`
``directed``   ``(min(M⁺, R − M⁺) + 1)/(R + 1)``      :math:`P(Z \ge |z|)`
============== ===================================== ===========================

``directed`` is esda's and GeoDa's convention: the tail in the direction of the observed statistic
(esda folds every ``p_sim``, global and local, this way; its analytic ``two_tailed=False`` is the same
tail). It is half the two-sided value and is meant for reproducing esda/GeoDa; :data:`ALTERNATIVES`
offers it for local statistics and, with ``esda=True``, to the global statistic functions.
"""
from __future__ import annotations

import numbers

import numpy as np
from scipy import sparse, stats

from nqpf.errors import InputError

__all__ = [
    "ALTERNATIVES",
    "TIE_RTOL",
    "CHUNK_ELEMENTS",
    "CACHE_ELEMENTS",
    "check_alternative",
    "check_permutations",
    "check_seed",
    "check_inference",
    "permutation_chunks",
    "permuted_quadratic_forms",
    "conditional_draws",
    "conditional_lag_counts",
    "count_extremes",
    "pseudo_p",
    "normal_p",
    "z_sim",
]

#: Alternatives each use accepts, the default first. ``"global"``: a global test (a study's
#: ``alternative`` option on the command line and in configs, each with its convention text);
#: ``"local"``: local statistics, where ``"directed"`` reproduces esda/GeoDa.
ALTERNATIVES: dict[str, tuple[str, ...]] = {
    "global": ("greater", "less", "two-sided"),
    "local": ("two-sided", "greater", "less", "directed"),
}

#: Relative tolerance under which a simulated statistic ties the observed one (module notes, "Ties").
TIE_RTOL = 1e-10

#: Elements (8 bytes each) of the largest temporary array per chunk of permutations.
CHUNK_ELEMENTS = 4_000_000
#: Permuted values (8 bytes each) per chunk of global permutations (:func:`permuted_quadratic_forms`):
#: 2 MB, so that a chunk's arrays stay in the processor's cache (twice as fast as larger chunks).
CACHE_ELEMENTS = 1 << 18


# ------------------------------------------------------------------------------------------ validation
def check_alternative(alternative, use: str = "global", *, what: str | None = None, esda: bool = False) -> str:
    """The one check of an ``alternative``.

    Parameters
    ----------
    alternative : str
        ``"greater"``, ``"less"``, ``"two-sided"`` or ``"directed"`` (module notes).
    use : {"global", "local"}
        Which set of :data:`ALTERNATIVES` applies.
    what : str, optional
        Prefix of the error message (the function or option checked).
    esda : bool
        Also accept ``"directed"`` for a global statistic (esda's folded ``p_sim`` and its
        ``two_tailed=False`` analytic p), for comparisons with esda.

    Returns
    -------
    str
        ``alternative``, unchanged.

    Raises
    ------
    InputError
        ``alternative`` is not allowed for ``use``.
    """
    if use not in ALTERNATIVES:
        raise ValueError(f"use must be one of {tuple(ALTERNATIVES)}, not {use!r}")
    allowed = ALTERNATIVES[use]
    if esda and "directed" not in allowed:
        allowed = allowed + ("directed",)
    if not isinstance(alternative, str) or alternative not in allowed:
        prefix = f"{what}: " if what else ""
        raise InputError(f"{prefix}alternative must be one of {', '.join(allowed)}; got {alternative!r}")
    return alternative


def _whole(value) -> int | None:
    """``value`` as an int when it is a whole number (bools are not), else None."""
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real) and np.isfinite(value) and float(value).is_integer():
        return int(value)
    return None


def check_permutations(permutations, what: str | None = None) -> int:
    """``permutations`` as an int: a whole number ≥ 0 (0: no permutation test).

    Raises
    ------
    InputError
        Negative, fractional or not a number.
    """
    R = _whole(permutations)
    if R is None or R < 0:
        prefix = f"{what}: " if what else ""
        raise InputError(f"{prefix}permutations must be a whole number ≥ 0 (0 skips the permutation test); "
                         f"got {permutations!r}")
    return R


def check_seed(seed, what: str | None = None) -> int:
    """``seed`` as an int: a whole number ≥ 0 (the seed of ``numpy.random.default_rng``).

    Raises
    ------
    InputError
        Negative, fractional, ``None`` or not a number (every random step takes a seed).
    """
    s = _whole(seed)
    if s is None or s < 0:
        prefix = f"{what}: " if what else ""
        raise InputError(f"{prefix}seed must be a whole number ≥ 0 (the same seed gives the same p-values); "
                         f"got {seed!r}")
    return s


def check_inference(what: str, *, alternative, permutations, seed, use: str = "global",
                    esda: bool = False) -> tuple[str, int, int]:
    """Validate the inference options of a statistic in one call.

    Parameters
    ----------
    what : str
        Name of the statistic (prefix of error messages).
    alternative, use, esda
        See :func:`check_alternative`.
    permutations, seed
        See :func:`check_permutations` and :func:`check_seed`.

    Returns
    -------
    tuple
        ``(alternative, permutations, seed)``, the last two as ``int``.
    """
    return (
        check_alternative(alternative, use, what=what, esda=esda),
        check_permutations(permutations, what),
        check_seed(seed, what),
    )


# ---------------------------------------------------------------------------------------------- draws
def permutation_chunks(seed: int, R: int, n: int, chunk: int):
    """``R`` random permutations of ``0..n-1``, ``chunk`` at a time.

    Yields
    ------
    start : int
        Index of the first permutation of the chunk.
    perm : ndarray of int, shape (c, n)
        One permutation per row (``c = min(chunk, R - start)``). The rows are the same whatever
        ``chunk`` is.
    """
    rng = np.random.default_rng(seed)
    base = np.arange(n)
    for start in range(0, R, chunk):
        c = min(chunk, R - start)
        yield start, rng.permuted(np.tile(base, (c, 1)), axis=1)


def _stacked(S, c: int):
    """Data and row pointers of ``c`` copies of CSR matrix ``S`` stacked vertically (the column
    indices are filled in per permutation); a prefix of them describes fewer copies."""
    n, nnz = S.shape[0], S.nnz
    indptr = np.empty(c * n + 1, dtype=np.int64)
    indptr[:-1] = (np.arange(c)[:, None] * nnz + S.indptr[None, :-1]).ravel()
    indptr[-1] = c * nnz
    return np.tile(S.data, c), indptr


def _index_dtype(*sizes: int):
    """int32 when every index and count fits (half the memory traffic of the sparse products), else int64."""
    return np.int32 if max(sizes) < np.iinfo(np.int32).max else np.int64


def permuted_quadratic_forms(Zs: np.ndarray, S, R: int, seed: int, a: np.ndarray | None = None):
    r"""Quadratic forms of ``R`` random permutations of the rows of ``Zs``.

    For each permutation :math:`\pi` (the same for every year, :func:`permutation_chunks`):
    ``q[p, t] = z_π' W z_π`` and, when ``a`` is given, ``s[p, t] = Σ_i a_i z_π(i)²``.

    :math:`z_\pi' W z_\pi = \sum_i z_{\pi(i)} \sum_j u_{ij} z_{\pi(j)}` with ``U`` the upper triangle
    of ``W + W'`` plus the diagonal of ``W`` (half the entries of ``W``). For a chunk of ``c``
    permutations the permuted values of every year are gathered once into an ``n × (c·T)`` matrix
    ``G`` (``G[i, (p, t)] = z_{π_p(i), t}``): one sparse product ``U @ G`` serves every permutation of
    the chunk and every year (the draws are shared by all years), and the forms are the column sums
    of ``G ∘ (U G)``.

    Chunks hold at most :data:`CACHE_ELEMENTS` permuted values (and at most :data:`CHUNK_ELEMENTS`),
    so that ``G`` and ``U G`` stay in the processor's cache; the sparse product then runs over long
    contiguous rows. Neither changes a number: the draws do not depend on the chunk
    (:func:`permutation_chunks`) and each ``q[p, t]`` is summed over ``i`` in the same order.

    Parameters
    ----------
    Zs : ndarray, shape (n, T)
        Values (centred and scaled by the caller).
    S : scipy.sparse matrix, shape (n, n)
        Weights.
    R : int
        Number of permutations (≥ 1).
    seed : int
        Seed of the draws.
    a : ndarray, shape (n,), optional
        Coefficients of the weighted sum of squares.

    Returns
    -------
    q : ndarray, shape (R, T)
    s : ndarray, shape (R, T), or None when ``a`` is None
    """
    n, T = Zs.shape
    Zs = np.ascontiguousarray(Zs, dtype=float)
    U = sparse.csr_matrix(sparse.triu(S + S.T, k=1) + sparse.diags(S.diagonal()))
    U.eliminate_zeros()
    U.sort_indices()
    if _index_dtype(U.nnz, n + 1) is np.int32:  # half the index traffic of the sparse product
        U = sparse.csr_matrix((U.data, U.indices.astype(np.int32), U.indptr.astype(np.int32)), shape=U.shape)
    q = np.empty((R, T))
    sq = np.empty((R, T)) if a is not None else None
    chunk = min(R, max(1, min(CHUNK_ELEMENTS, CACHE_ELEMENTS) // max(1, n * T)))
    buf = np.empty((n, chunk, T))
    for start, perm in permutation_chunks(seed, R, n, chunk):
        c = perm.shape[0]
        G = buf[:, :c] if c == chunk else np.empty((n, c, T))
        np.take(Zs, perm.T, axis=0, out=G)  # G[i, p, t] = Zs[perm[p, i], t]
        L = (U @ G.reshape(n, c * T)).reshape(n, c, T)
        q[start : start + c] = np.einsum("ipt,ipt->pt", G, L)
        if a is not None:
            sq[start : start + c] = np.einsum("i,ipt->pt", a, G * G)
    return q, sq


def _draws(rng, R: int, m: int, k: int) -> np.ndarray:
    """``R`` samples (rows) of ``k`` distinct ids from ``0..m-1``, each in random order."""
    out = np.empty((R, k), dtype=np.int64)
    if k == 0:
        return out
    step = max(1, CHUNK_ELEMENTS // m)
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


def conditional_draws(seed: int, R: int, n: int, k: int) -> np.ndarray:
    """``R`` random ordered samples of ``k`` distinct regions out of ``0..n-1``.

    Returns
    -------
    ndarray of int, shape (R, k)
        Row ``p`` is a uniformly random ordered sample (``k ≤ n``); the rows do not depend on the
        chunk size.
    """
    return _draws(np.random.default_rng(seed), R, n, k)


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


def conditional_lag_counts(Z: np.ndarray, S, card: np.ndarray, lag: np.ndarray, R: int, seed: int,
                           fast: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Conditional-permutation counts of random spatial lags, all regions and years at once.

    For region ``i`` the values of the other ``n − 1`` regions are permuted and ``k_i`` of them
    drawn as its neighbours (esda's conditional randomisation); the random lag is
    ``w_ii z_i + Σ_j w_ij z_drawn(j)``. A local statistic that is monotone in the lag (local Moran
    for a given sign of ``z_i``, Getis–Ord) turns these counts into its own.

    Draws: ``R`` random ordered samples ``Q[p]`` of ``max(k) + 1`` distinct regions out of all
    ``n`` (:func:`conditional_draws`). Region ``i`` takes ``Q[p, :k_i]``, with ``i`` itself, if drawn,
    replaced by ``Q[p, k_i]``: by exchangeability this is a uniformly random ordered sample of ``k_i``
    of the other ``n − 1`` regions, and the same table serves every region and every year.

    Fast path (every row of W has equal weights ``c_i``, as binary or row-standardised
    contiguity/KNN weights): the random lag is ``c_i`` times a prefix sum of ``z[Q[p]]``, the same
    for every region with ``k_i`` neighbours except the few draws that hit ``i``. The counts come
    from sorting the ``R`` prefix sums once per (k, year) and a binary search per region-year, then
    correcting the hits. Otherwise: a chunk of random weights matrices (W's rows with the drawn
    columns) stacked into one sparse matrix times Z. Both count ties within
    ``TIE_RTOL × Σ_j |w_ij| × max|z|`` on both sides.

    Parameters
    ----------
    Z : ndarray, shape (n, T)
        Values (standardised by the caller).
    S : scipy.sparse CSR matrix, shape (n, n)
        Weights (after transformation).
    card : ndarray of int, shape (n,)
        Number of neighbours (off-diagonal entries) of each region.
    lag : ndarray, shape (n, T)
        Observed lags ``S @ Z``.
    R : int
        Number of permutations (≥ 1).
    seed : int
        Seed of the draws.
    fast : bool
        Use the fast path when the weights allow it (both paths use the same draws).

    Returns
    -------
    lag_ge, lag_le : ndarray of int, shape (n, T)
        ``#{lag_sim ≥ lag}`` and ``#{lag_sim ≤ lag}`` out of ``R`` (0 for islands).
    """
    n, T = Z.shape
    diag = S.diagonal()
    O = sparse.csr_matrix(S - sparse.diags(diag))
    O.eliminate_zeros()
    kmax = int(card.max())
    Q = conditional_draws(seed, R, n, kmax + 1)  # kmax + 1 <= n always
    self_part = diag[:, None] * Z
    zmax = np.abs(Z).max(axis=0)
    equal, c = _row_constant(O)
    lag_ge = np.zeros((n, T), dtype=np.int64)
    lag_le = np.zeros((n, T), dtype=np.int64)
    if fast and equal:
        nb = card > 0
        thr = np.zeros((n, T))
        thr[nb] = (lag[nb] - self_part[nb]) / c[nb, None]  # lag_sim >= lag  <=>  PS >= thr
        tol = TIE_RTOL * card[:, None] * zmax[None, :]  # ties up to rounding count as ties
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
        tol = TIE_RTOL * absrow[:, None] * zmax[None, :]
        rows = np.repeat(np.arange(n), card)
        pos = np.arange(nnz) - O.indptr[rows]
        chunk = max(1, CHUNK_ELEMENTS // (n * T))
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
    return lag_ge, lag_le


# ------------------------------------------------------------------------------------- counts and p
def count_extremes(sim: np.ndarray, obs, tol) -> tuple[np.ndarray, np.ndarray]:
    """``#{sim ≥ obs}`` and ``#{sim ≤ obs}`` over the first axis, ties within ``tol`` on both sides.

    Parameters
    ----------
    sim : ndarray, shape (R, ...)
        Simulated statistics.
    obs : array_like, shape (...)
        Observed statistics.
    tol : float or array_like
        Absolute tie tolerance, ``TIE_RTOL × scale`` (module notes).

    Returns
    -------
    ge, le : ndarray of int
    """
    return (sim >= obs - tol).sum(axis=0), (sim <= obs + tol).sum(axis=0)


def pseudo_p(ge, le, R: int, alternative: str) -> np.ndarray:
    """Permutation pseudo p-values from the counts ``ge = #{sim ≥ obs}``, ``le = #{sim ≤ obs}``.

    Parameters
    ----------
    ge, le : array_like of int
        Counts out of ``R`` (:func:`count_extremes`).
    R : int
        Number of permutations.
    alternative : {"greater", "less", "two-sided", "directed"}
        See the table in the module notes.

    Returns
    -------
    ndarray of float
    """
    ge = np.asarray(ge, dtype=float)
    le = np.asarray(le, dtype=float)
    if alternative == "greater":
        return (ge + 1.0) / (R + 1.0)
    if alternative == "less":
        return (le + 1.0) / (R + 1.0)
    if alternative == "two-sided":
        return np.minimum(1.0, 2.0 * (np.minimum(ge, le) + 1.0) / (R + 1.0))
    if alternative == "directed":  # esda
        return (np.minimum(ge, R - ge) + 1.0) / (R + 1.0)
    raise ValueError(f"unknown alternative {alternative!r}")  # callers validated it


def normal_p(z, alternative: str):
    """p-value of a standard normal test statistic ``z`` (see the table in the module notes)."""
    if alternative == "greater":
        return stats.norm.sf(z)
    if alternative == "less":
        return stats.norm.cdf(z)
    if alternative == "two-sided":
        return 2.0 * stats.norm.sf(np.abs(z))
    if alternative == "directed":
        return stats.norm.sf(np.abs(z))
    raise ValueError(f"unknown alternative {alternative!r}")  # callers validated it


def z_sim(obs, sim: np.ndarray):
    """``(obs − mean(sim)) / sd(sim)`` over the permutations (NaN where ``sd`` is 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return (obs - sim.mean(axis=0)) / sim.std(axis=0)
