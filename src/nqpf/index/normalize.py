r"""Normalisation of the indicator matrix (paper eqs. 1–2).

The indicator matrix ``X`` is a DataFrame indexed by (``region``, ``year``) with one float column per
indicator. :func:`normalize` returns a matrix of the same shape in which every indicator points the
same way (larger = better), so that weights and aggregation never need the directions again.

Conventions (also recorded in :attr:`nqpf.index.IndexResult.params`):

* **Pooled by default.** Minimum, maximum, mean, ... are taken over *all* region-years, so scores of
  different years are comparable (the paper's panel entropy method; COINr's ``global = TRUE``).
  ``pooled=False`` takes them within each year instead.
* **Constant indicator** (``max = min`` over the pool): it carries no information. Min-max, z-score
  and the other methods set it to ``0`` (before ``shift``) and emit :class:`ConstantIndicatorWarning`;
  entropy, CRITIC and CV then give it weight 0.
* **Shift** is additive: ``x' + shift`` (e.g. ``shift=0.0001`` to avoid ``ln 0`` in the entropy
  method). Some papers instead use the affine map ``0.99·x' + 0.01``; that is *not* the same thing for
  the entropy weights, and can be obtained by normalising with ``shift=0`` and transforming the result
  yourself before calling :func:`~nqpf.index.compute_weights`.
"""
from __future__ import annotations

import warnings
from collections.abc import Mapping

import numpy as np
import pandas as pd

from nqpf.errors import InputError

__all__ = ["normalize", "ConstantIndicatorWarning", "NORMALIZE_METHODS", "as_directions", "pow2_scale"]

NORMALIZE_METHODS = ("minmax", "zscore", "max", "sum", "proportion")


class ConstantIndicatorWarning(UserWarning):
    """An indicator takes one value over the whole pool (or one year): it is set to 0 and weighted 0."""


# ----------------------------------------------------------------------------------------------
# helpers shared by the index modules (labels at the edges, arrays inside)
# ----------------------------------------------------------------------------------------------
def _check_matrix(X, what="indicator matrix", allow_negative=True):
    """Validate ``X`` and return it as ``(float array, DataFrame)``.

    Raises :class:`InputError` for a non-DataFrame, duplicated row labels, non-numeric columns and
    missing / infinite values, naming the region-years and the columns concerned.
    """
    if not isinstance(X, pd.DataFrame):
        raise InputError(f"the {what} must be a pandas DataFrame indexed by (region, year); "
                         f"got {type(X).__name__}")
    if X.shape[1] == 0:
        raise InputError(f"the {what} has no indicator columns")
    if X.shape[0] == 0:
        raise InputError(f"the {what} has no rows")
    if X.index.has_duplicates:
        dup = X.index[X.index.duplicated()].unique()[:10].tolist()
        raise InputError(f"the {what} has duplicated rows (region, year): {dup}; "
                         "aggregate or drop duplicates first")
    if X.columns.has_duplicates:
        dup = X.columns[X.columns.duplicated()].unique().tolist()
        raise InputError(f"the {what} has duplicated indicator columns: {dup}")
    bad = [c for c, t in zip(X.columns, X.dtypes) if not (pd.api.types.is_numeric_dtype(t) and
                                                          not pd.api.types.is_bool_dtype(t))]
    if bad:
        raise InputError(f"non-numeric indicator column(s) in the {what}: {bad}; "
                         "convert them to numbers (nqpf.io / nqpf.prepare do this with an audit)")
    A = X.to_numpy(dtype=float, copy=True)
    finite = np.isfinite(A)
    if not finite.all():
        rows, cols = np.nonzero(~finite)
        cells = [f"{_row_label(X.index[r])} / {X.columns[c]}" for r, c in zip(rows[:10], cols[:10])]
        more = "" if len(rows) <= 10 else f" and {len(rows) - 10} more"
        raise InputError(f"missing or infinite values in the {what} at region-year / indicator: "
                         + "; ".join(cells) + more
                         + ". Fill them first (nqpf.prepare interpolates linearly) or drop the rows.")
    if not allow_negative and (A < 0).any():
        cols = [str(X.columns[j]) for j in np.nonzero((A < 0).any(axis=0))[0]]
        raise InputError(f"negative values in the {what} (indicator(s) {cols}); this step needs "
                         "non-negative data: use method='minmax' normalisation first")
    return A


def _row_label(key):
    if isinstance(key, tuple):
        return "(" + ", ".join(str(k) for k in key) + ")"
    return str(key)


def _year_codes(index):
    """Integer codes of the ``year`` level of ``index`` (the second level if none is named so)."""
    if isinstance(index, pd.MultiIndex):
        level = "year" if "year" in index.names else (1 if index.nlevels >= 2 else 0)
        years = index.get_level_values(level)
    else:
        raise InputError("per-year computation needs rows indexed by (region, year); "
                         f"got an index of type {type(index).__name__}")
    codes, uniques = pd.factorize(years, sort=True)
    return codes, uniques


def as_directions(obj, columns=None):
    """Turn directions given in any accepted form into a float Series of ``+1`` / ``-1``.

    Parameters
    ----------
    obj : Spec, Mapping, Series or sequence
        A spec (``.directions`` or ``.indicators[*].direction``), a mapping / Series indicator →
        direction, or a sequence aligned with ``columns``. Directions may be ``+1``/``-1``,
        ``"+"``/``"-"`` or ``"positive"``/``"negative"`` (case-insensitive; also 正/负).
    columns : sequence of str, optional
        The indicators that need a direction; missing ones raise :class:`InputError`.
    """
    if obj is None:
        raise InputError("directions are required: give a Spec or a mapping indicator -> +1 / -1")
    if hasattr(obj, "indicators") and not isinstance(obj, (Mapping, pd.Series)):
        d = getattr(obj, "directions", None)
        if callable(d):
            d = d()
        if d is None:
            d = {ind.id: ind.direction for ind in obj.indicators}
        obj = d
    if isinstance(obj, pd.Series):
        s = obj.copy()
    elif isinstance(obj, Mapping):
        s = pd.Series(dict(obj), dtype=object)
    else:
        vals = list(obj)
        if columns is None or len(vals) != len(columns):
            raise InputError("directions given as a sequence must have one entry per indicator column")
        s = pd.Series(vals, index=list(columns), dtype=object)
    s = s.map(_parse_direction)
    if columns is not None:
        missing = [c for c in columns if c not in s.index]
        if missing:
            raise InputError(f"no direction given for indicator(s) {missing}; add them to the spec "
                             "or the directions mapping (+1 = larger is better, -1 = smaller is better)")
        s = s.reindex(list(columns))
    return s.astype(float)


_DIR_WORDS = {"+": 1, "positive": 1, "pos": 1, "+1": 1, "1": 1, "正": 1, "正向": 1,
              "-": -1, "negative": -1, "neg": -1, "-1": -1, "负": -1, "负向": -1, "逆向": -1}


def _parse_direction(v):
    if isinstance(v, str):
        key = v.strip().lower()
        if key in _DIR_WORDS:
            return _DIR_WORDS[key]
    else:
        try:
            f = float(v)
        except (TypeError, ValueError):
            f = np.nan
        if f in (1.0, -1.0):
            return int(f)
    raise InputError(f"invalid indicator direction {v!r}: use +1 (positive) or -1 (negative)")


# ----------------------------------------------------------------------------------------------
def pow2_scale(A):
    """``A`` with each column divided by the power of two at or above its largest magnitude (so that
    ``max |x| ∈ [0.5, 1)``), and the exponents.

    Dividing by a power of two is exact (barring values ~2^1000 times smaller than the column's
    largest, which become subnormal), so every scale-free quantity (min-max, z-score, shares,
    skewness) is unchanged bit for bit, while ranges and squares of values near the float limit (1e308
    and −1e308 in one indicator) no longer overflow.
    """
    A = np.asarray(A, dtype=float)
    with np.errstate(invalid="ignore"):
        m = np.nanmax(np.abs(A), axis=0) if A.size else np.zeros(A.shape[1:])
    m = np.where(np.isfinite(m), m, 0.0)
    _, e = np.frexp(m)
    e = np.where(m > 0, e, 0)
    return np.ldexp(A, -e), e


def _normalize_block(A, d, method, names, where):
    """Normalise the rows of one pool ``A`` (n × k) with directions ``d`` (k,). Returns (Z, constant).

    Each column is first scaled by a power of two (:func:`pow2_scale`): every method is scale-free, and
    values near the float limit cannot overflow the range ``max − min`` or the squares of the z-score."""
    A, _ = pow2_scale(A)
    lo = A.min(axis=0)
    hi = A.max(axis=0)
    rng = hi - lo
    const = rng == 0
    Z = np.zeros_like(A)
    ok = ~const
    if method == "minmax":
        # eq. (1): (x - min)/(max - min); eq. (2): (max - x)/(max - min)
        pos = ok & (d > 0)
        neg = ok & (d < 0)
        Z[:, pos] = (A[:, pos] - lo[pos]) / rng[pos]
        Z[:, neg] = (hi[neg] - A[:, neg]) / rng[neg]
    elif method == "zscore":
        mu = A.mean(axis=0)
        sd = A.std(axis=0, ddof=0)
        Z[:, ok] = d[ok] * (A[:, ok] - mu[ok]) / sd[ok]
    elif method == "max":
        _require_positive(A, d, names, method, where)
        pos = ok & (d > 0)
        neg = ok & (d < 0)
        Z[:, pos] = A[:, pos] / hi[pos]
        Z[:, neg] = lo[neg] / A[:, neg]
    else:  # sum / proportion
        _require_positive(A, d, names, method, where)
        pos = ok & (d > 0)
        neg = ok & (d < 0)
        Z[:, pos] = A[:, pos] / A[:, pos].sum(axis=0)
        R = 1.0 / A[:, neg]
        Z[:, neg] = R / R.sum(axis=0)
    return Z, const


def _require_positive(A, d, names, method, where):
    """Positive indicators need x >= 0 with a positive maximum / sum; negative ones need x > 0."""
    neg = d < 0
    bad = np.where(neg, (A <= 0).any(axis=0), (A < 0).any(axis=0) | (A.max(axis=0) <= 0))
    bad &= np.ptp(A, axis=0) > 0
    if bad.any():
        cols = [str(names[j]) for j in np.nonzero(bad)[0]]
        raise InputError(f"method={method!r} needs non-negative values (strictly positive for "
                         f"negative indicators), but indicator(s) {cols} violate this{where}; "
                         "use method='minmax'")


def normalize(X, directions, method="minmax", pooled=True, shift=0.0):
    r"""Normalise an indicator matrix so that every indicator is "larger is better".

    Parameters
    ----------
    X : DataFrame
        Indicator matrix indexed by (``region``, ``year``), one numeric column per indicator, no
        missing values.
    directions : Spec, Mapping, Series or sequence
        ``+1`` for positive (benefit) indicators, ``-1`` for negative (cost) ones; see
        :func:`as_directions`.
    method : {"minmax", "zscore", "max", "sum", "proportion"}
        * ``"minmax"`` (paper eqs. 1–2, default):

          .. math:: x'_{ij} = \frac{x_{ij}-\min_j}{\max_j-\min_j}\ (d_j=+1),\qquad
                    x'_{ij} = \frac{\max_j-x_{ij}}{\max_j-\min_j}\ (d_j=-1)

        * ``"zscore"``: :math:`x'_{ij} = d_j (x_{ij}-\bar x_j)/s_j` with the population standard
          deviation (``ddof=0``).
        * ``"max"``: :math:`x_{ij}/\max_j` for positive, :math:`\min_j/x_{ij}` for negative
          indicators (needs :math:`x\ge 0`, and :math:`x>0` for negative indicators).
        * ``"sum"`` / ``"proportion"``: :math:`x_{ij}/\sum_i x_{ij}` for positive,
          :math:`x_{ij}^{-1}/\sum_i x_{ij}^{-1}` for negative indicators (same conditions). Applied to
          a min-max matrix with all directions ``+1`` it gives the entropy method's :math:`p_{ij}`.
    pooled : bool, default True
        Take the minimum, maximum, mean, ... over all region-years (``True``) or within each year.
    shift : float, default 0.0
        Added to every normalised value (:math:`x'+\text{shift}`), e.g. ``1e-4`` to keep
        :math:`\ln p` finite in the entropy method. Constant indicators get ``shift`` too.

    Returns
    -------
    DataFrame
        Same index and columns as ``X``.

    Warns
    -----
    ConstantIndicatorWarning
        For an indicator with ``max = min`` over a pool; its values are set to ``0`` (+ ``shift``).

    Raises
    ------
    InputError
        Missing / non-numeric values (naming the region-years), missing directions, an unknown method,
        or non-positive data for ``"max"``/``"sum"``.
    """
    if method not in NORMALIZE_METHODS:
        raise InputError(f"unknown normalisation method {method!r}; choose one of {NORMALIZE_METHODS}")
    if not np.isfinite(shift):
        raise InputError(f"shift must be a finite number, got {shift!r}")
    A = _check_matrix(X)
    d = as_directions(directions, X.columns).to_numpy()
    names = list(X.columns)
    Z = np.empty_like(A)
    constant = {}
    if pooled:
        Z[:], const = _normalize_block(A, d, method, names, "")
        for j in np.nonzero(const)[0]:
            constant[names[j]] = "all region-years"
    else:
        codes, years = _year_codes(X.index)
        for k, year in enumerate(years):
            rows = codes == k
            Z[rows], const = _normalize_block(A[rows], d, method, names, f" in year {year}")
            for j in np.nonzero(const)[0]:
                constant.setdefault(names[j], []).append(str(year))
        constant = {k: "year(s) " + ", ".join(v) for k, v in constant.items()}
    for name, where in constant.items():
        warnings.warn(f"indicator {name!r} is constant over {where}: normalised to 0"
                      f"{' + shift' if shift else ''} and entropy, CRITIC and CV give it weight 0 (equal or given weights do not); consider dropping it",
                      ConstantIndicatorWarning, stacklevel=2)
    if shift:
        Z += shift
    return pd.DataFrame(Z, index=X.index, columns=X.columns)
