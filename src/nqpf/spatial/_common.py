"""What every spatial statistic shares besides inference: the score matrix, the weights as a sparse
matrix, and the builder of per-year global tables."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import sparse

from nqpf.errors import InputError

from .weights import align_weights

__all__ = ["TRANSFORMS", "CONSTANT_RTOL", "score_matrix", "constant_years", "by_year",
           "sparse_weights", "wnorm", "global_table"]

#: Weights transformations (libpysal codes): row-standardised, binary, doubly standardised,
#: variance stabilising, as given.
TRANSFORMS = ("r", "b", "d", "v", "o")
#: A year whose scores span at most this share of its largest absolute score (max − min ≤
#: CONSTANT_RTOL · max|y|; 0 for equal scores) has every region at the same score: standardised
#: values are 0/0 there (or rounding residue divided by rounding residue).
CONSTANT_RTOL = 1e-12


def _py(x):
    """A numpy scalar label as the plain Python value (for readable messages)."""
    return x.item() if isinstance(x, np.generic) else x


def _constant_mask(X: np.ndarray) -> np.ndarray:
    """Years (columns) in which every region has the same score (up to :data:`CONSTANT_RTOL`)."""
    if X.shape[0] == 0:
        return np.zeros(X.shape[1], dtype=bool)
    return np.ptp(X, axis=0) <= CONSTANT_RTOL * np.abs(X).max(axis=0)


def score_matrix(Y, what: str, *, allow_constant: bool = False) -> np.ndarray:
    """The ``n × T`` float matrix of a score DataFrame (index = regions, columns = years).

    With ``allow_constant`` a year where every region has the same score is let through (the
    caller finds it with :func:`constant_years` and reports NaN for it); without, it is refused.

    Raises
    ------
    InputError
        Not a DataFrame, non-numeric values, fewer than 4 regions, missing values (the first ten
        region-years listed) or, unless ``allow_constant``, a year where every region has the same
        score.
    """
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
    if allow_constant:
        return X
    const = _constant_mask(X)
    if const.any():
        years = [_py(Y.columns[j]) for j in np.flatnonzero(const)]
        raise InputError(f"{what}: scores are identical across regions in years {years}; Moran's I is undefined")
    return X


def constant_years(Y, X: np.ndarray, what: str) -> np.ndarray:
    """Which years (columns of ``X``) have every region at the same score, with a warning naming them.

    Such a year has no variation to correlate: its statistics are NaN (undefined, 0/0), and the other
    years are computed as usual (with the same permutation draws as without it).

    Returns
    -------
    ndarray of bool, shape (T,)
    """
    const = _constant_mask(X)
    if const.any():
        years = [_py(Y.columns[j]) for j in np.flatnonzero(const)]
        warnings.warn(f"{what}: scores are identical across regions in year(s) {years}; the statistic is "
                      "undefined there (no variation): NaN for those years, the other years computed as "
                      "usual", UserWarning, stacklevel=3)
    return const


def by_year(values, ok: np.ndarray, fill=np.nan) -> np.ndarray:
    """Values computed for the years ``ok`` (last axis) put back among all years, ``fill`` in the
    others (NaN for numbers; ``""`` for quadrant codes)."""
    values = np.asarray(values)
    out = np.full(values.shape[:-1] + (ok.size,), fill, dtype=object if isinstance(fill, str) else float)
    out[..., ok] = values
    return out


def sparse_weights(w, ids, transform: str, what: str):
    """The weights aligned to ``ids`` and transformed, as a CSR matrix, and each region's number of
    neighbours (off-diagonal entries; 0 for islands).

    ``w`` is never modified: :func:`~nqpf.spatial.align_weights` returns a new ``W``.

    Raises
    ------
    InputError
        Unknown ``transform``, or weights without any link.
    WeightsMismatchError
        Ids of ``w`` and ``ids`` differ.
    """
    t = str(transform).lower()
    if t not in TRANSFORMS:
        raise InputError(f"{what}: transform must be one of {TRANSFORMS}, got {transform!r}")
    wa = align_weights(w, ids)
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


def wnorm(S) -> float:
    """max(largest absolute row sum, largest absolute column sum) of W: a bound of |z'Wz| for
    unit ‖z‖ (the scale of the tie tolerance)."""
    A = abs(S)
    return float(max(A.sum(axis=1).max(), A.sum(axis=0).max()))


class GlobalSetup:
    """What every global statistic computes first, for the years with variation: validated options
    (``alternative, R, seed``), sparse weights ``S`` and their cardinalities, the mask ``ok`` of those
    years, the centred scores ``Zc`` (n × T), ``z2 = Σ z²``, kurtosis ``b2``, the row+column sums ``rc``
    and the weight constants ``S0, S1, S2``."""

    def __init__(self, Y, w, what: str, *, alternative, permutations, seed, transform):
        from . import _inference as inf

        self.alternative, self.R, self.seed = inf.check_inference(
            what, alternative=alternative, permutations=permutations, seed=seed, use="global", esda=True)
        X = score_matrix(Y, what, allow_constant=True)
        self.S, self.card = sparse_weights(w, Y.index, transform, what)
        self.ok = ~constant_years(Y, X, what)
        X = X[:, self.ok]  # the years with variation; the others are NaN
        self.n, self.T = X.shape
        self.Zc = X - X.mean(axis=0)
        self.z2 = (self.Zc * self.Zc).sum(axis=0)
        self.b2 = self.n * (self.Zc**4).sum(axis=0) / self.z2**2
        S = self.S
        self.S0 = S.sum()
        self.S1 = 0.5 * (S + S.T).power(2).sum()
        self.rc = np.asarray(S.sum(axis=1)).ravel() + np.asarray(S.sum(axis=0)).ravel()
        self.S2 = float((self.rc**2).sum())


def global_table(Y, columns: dict, *, n: int, card, alternative: str, permutations: int, seed: int,
                 transform: str) -> pd.DataFrame:
    """One row per year: ``year``, the statistic's ``columns`` in order, ``n`` and ``n_islands``.

    ``attrs`` records ``alternative``, ``permutations``, ``seed`` and ``transform``.
    """
    T = Y.shape[1]
    out = pd.DataFrame(
        {
            "year": np.asarray(Y.columns),
            **columns,
            "n": np.full(T, n),
            "n_islands": np.full(T, int((card == 0).sum())),
        }
    )
    out.attrs.update(alternative=alternative, permutations=permutations, seed=seed, transform=transform)
    return out
