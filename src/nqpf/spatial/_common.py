"""What every spatial statistic shares besides inference: the score matrix, the weights as a sparse
matrix, and the builder of per-year global tables."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from nqpf.errors import InputError

from .weights._sparse import aligned_matrix

__all__ = ["TRANSFORMS", "CONSTANT_RTOL", "score_matrix", "constant_years", "by_year", "long_table",
           "sparse_weights", "spatial_lag", "wnorm", "global_table"]

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
    others (NaN for numbers; ``""`` for quadrant codes). When every year is in ``ok`` the values are
    returned as they are (as float, or object for a text ``fill``), without a copy."""
    values = np.asarray(values)
    dtype = object if isinstance(fill, str) else float
    if ok.all() and values.shape[-1] == ok.size:
        return values.astype(dtype, copy=False)
    out = np.full(values.shape[:-1] + (ok.size,), fill, dtype=dtype)
    out[..., ok] = values
    return out


def _str_dtype():
    """The dtype pandas gives a column of Python strings (``str`` in pandas 3, ``object`` before)."""
    return pd.Series(np.array(["HH"], dtype=object)).dtype


def _region_column(index: pd.Index, T: int):
    """The region ids repeated for ``T`` years, as :class:`pandas.DataFrame` would store
    ``np.tile(np.asarray(index, dtype=object), T)`` (string ids: one vectorised take)."""
    if index.dtype != object and index.dtype == _str_dtype():
        return index.array.take(np.tile(np.arange(len(index), dtype=np.intp), T))
    return np.tile(np.asarray(index, dtype=object), T)


def _labelled(codes: np.ndarray, labels):
    """``labels[codes]`` as the string array pandas would make of it (pyarrow: one dictionary cast)."""
    dtype = _str_dtype()
    if getattr(dtype, "storage", None) == "pyarrow":
        import pyarrow as pa

        dictionary = pa.array([str(x) for x in labels], type=pa.large_string())
        return pd.array(pa.DictionaryArray.from_arrays(pa.array(codes), dictionary).cast(pa.large_string()),
                        dtype=dtype)
    return pd.array(np.asarray(labels, dtype=object), dtype=dtype).take(codes.astype(np.intp))


def long_table(Y, ok: np.ndarray, columns: dict) -> pd.DataFrame:
    """The long table of a local statistic: ``region, year`` and ``columns``, one row per region-year
    (years in order, regions in ``Y``'s order).

    Parameters
    ----------
    Y : DataFrame
        The scores (index: regions, columns: years).
    ok : ndarray of bool, shape (T,)
        Years computed; the others get NaN (numbers) or the last label (codes).
    columns : dict
        Column name → an ``(n, T_ok)`` float array (None: NaN throughout), or ``(codes, labels)``: an
        ``(n, T_ok)`` integer array indexing the sequence of strings ``labels``. Each entry is
        replaced by None once its column is written (the caller's arrays are released early when
        the dict holds the only reference).

    Returns
    -------
    DataFrame
        Columns of numbers are written once, year-major, and not consolidated (no copy of the
        ``n·T``-row table); code columns become strings by one vectorised take. The same frame as
        building it from object arrays of strings.
    """
    n, T = Y.shape[0], ok.size
    data = {"region": _region_column(Y.index, T), "year": np.repeat(np.asarray(Y.columns), n)}
    for name in list(columns):
        v = columns[name]
        columns[name] = None
        if isinstance(v, tuple):
            codes, labels = v
            del v
            full = np.full((T, n), len(labels) - 1, dtype=np.int8 if len(labels) <= 127 else np.intp)
            full[ok] = np.asarray(codes).T
            del codes
            data[name] = _labelled(full.ravel(), labels)
        else:
            full = np.empty((T, n))
            if v is None:
                full.fill(np.nan)
            else:
                full[ok] = np.asarray(v, dtype=float).T
                full[~ok] = np.nan
            del v
            data[name] = full.ravel()
        del full
    return pd.DataFrame(data, copy=False)


def sparse_weights(w, ids, transform: str, what: str):
    """The weights aligned to ``ids`` and transformed, as a CSR matrix, and each region's number of
    neighbours (off-diagonal entries; 0 for islands).

    ``w`` may be a libpysal ``W``, ``WSP`` or ``Graph`` or a scipy sparse matrix (rows and columns in
    the order of ``ids``); it is aligned and transformed as a sparse matrix by vectorised indexing
    (:func:`nqpf.spatial.weights._sparse.aligned_matrix`, the same matching of ids as
    :func:`~nqpf.spatial.align_weights` and the same numbers as libpysal's transformations), never
    through Python dictionaries, and never modified.

    Raises
    ------
    InputError
        Unknown ``transform``, unsupported weights, or weights without any link.
    WeightsMismatchError
        Ids of ``w`` and ``ids`` differ.
    """
    t = str(transform).lower()
    if t not in TRANSFORMS:
        raise InputError(f"{what}: transform must be one of {TRANSFORMS}, got {transform!r}")
    S = aligned_matrix(w, ids, t, what)
    if S.nnz == 0:
        raise InputError(f"{what}: the spatial weights have no links (every region is an island)")
    card = np.diff(S.indptr) - (S.diagonal() != 0)  # stored entries off the diagonal (no stored zeros)
    return S, card


def spatial_lag(S, Z: np.ndarray) -> np.ndarray:
    """``S @ Z`` as a row-major ``n × T`` array. A column-major ``Z`` (as pandas hands over a score
    matrix) is multiplied one year at a time, which gives the same numbers (each entry is the same sum
    in the same order) without the transposed copy scipy would make of it."""
    if Z.ndim == 2 and Z.shape[1] > 1 and Z.flags.f_contiguous and not Z.flags.c_contiguous:
        out = np.empty(Z.shape)
        for t in range(Z.shape[1]):
            out[:, t] = S @ Z[:, t]
        return out
    return S @ Z


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
        sq = self.Zc * self.Zc
        self.z2 = sq.sum(axis=0)
        # Σ z⁴ as Σ (z²)²: the same number as Σ z**4 up to rounding (libm's pow of 10⁷ values takes
        # 0.6 s, the square 0.03 s); only b2, hence the randomisation variance, can differ, in its
        # last bits
        self.b2 = self.n * np.multiply(sq, sq, out=sq).sum(axis=0) / self.z2**2
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
