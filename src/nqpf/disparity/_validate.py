"""Input checks shared by the disparity statistics (internal)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from nqpf.errors import InputError

__all__ = ["as_matrix", "as_groups", "year_index", "EQUAL_RTOL", "SHARE_TOL", "equal_years",
           "warn_no_inequality"]

_MAX_LISTED = 10
#: A year whose scores span at most this share of its largest score (max − min ≤ EQUAL_RTOL ·
#: max|y|) has no inequality: every region has the same score, up to rounding.
EQUAL_RTOL = 1e-12
#: Shares of a decomposition are NaN where the index decomposed (Theil's T, Gini's G; both
#: scale-free, i.e. already relative to the mean) is below this: there the parts are rounding
#: residue and their ratio to the total is noise.
SHARE_TOL = 1e-12


def _py(x):
    """A numpy scalar label as the plain Python value (for readable messages)."""
    return x.item() if isinstance(x, np.generic) else x


def _list_cells(Y: pd.DataFrame, mask: np.ndarray) -> str:
    rows, cols = np.nonzero(mask)
    cells = [f"({_py(Y.index[r])!r}, {_py(Y.columns[c])!r})" for r, c in zip(rows, cols)]
    more = "" if len(cells) <= _MAX_LISTED else f" and {len(cells) - _MAX_LISTED} more"
    return ", ".join(cells[:_MAX_LISTED]) + more


def as_matrix(Y, what: str, positive: bool = False, nonnegative: bool = False) -> np.ndarray:
    """Check a score matrix (index = regions, columns = years) and return it as float (n, T).

    Raises :class:`~nqpf.errors.InputError` naming the (region, year) cells that are missing
    (NaN) or infinite (±inf), or not strictly positive when ``positive`` (a logarithm is taken), or negative when
    ``nonnegative``.
    """
    if isinstance(Y, pd.Series):
        Y = Y.to_frame()
    if not isinstance(Y, pd.DataFrame):
        raise InputError(
            f"{what}: expected a DataFrame with regions as index and years as columns, "
            f"got {type(Y).__name__}"
        )
    if Y.shape[0] < 2 or Y.shape[1] < 1:
        raise InputError(f"{what}: needs at least 2 regions and 1 year, got shape {Y.shape}")
    try:
        X = Y.to_numpy(dtype=float)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{what}: score matrix has non-numeric values ({exc})") from None
    bad = np.isnan(X)
    if bad.any():
        raise InputError(
            f"{what}: missing values (NaN) at region-years {_list_cells(Y, bad)}; "
            "interpolate them or drop those regions/years first"
        )
    bad = np.isinf(X)
    if bad.any():
        raise InputError(
            f"{what}: infinite values at region-years {_list_cells(Y, bad)}; an infinite score is usually "
            "a division by zero upstream: correct it or drop those regions/years first"
        )
    if positive:
        bad = X <= 0
        if bad.any():
            raise InputError(
                f"{what} takes the logarithm of the scores, which must be > 0; non-positive "
                f"values at region-years {_list_cells(Y, bad)}; use scores with a positive "
                "shift (e.g. normalisation with shift=0.0001) or drop those regions"
            )
    if nonnegative:
        bad = X < 0
        if bad.any():
            raise InputError(
                f"{what} needs non-negative scores; negative values at region-years "
                f"{_list_cells(Y, bad)}"
            )
    return X


def as_groups(Y: pd.DataFrame, groups, what: str) -> tuple[np.ndarray, list]:
    """Group label of each region of ``Y`` (aligned by region id) and the ordered group labels.

    ``groups`` is a mapping or Series region → group, or a sequence aligned with ``Y.index``.
    """
    if isinstance(groups, (pd.Series, dict)):
        g = pd.Series(groups)
        missing = [r for r in Y.index if r not in g.index]
        if missing:
            raise InputError(
                f"{what}: no group given for regions {missing[:_MAX_LISTED]}"
                + (f" and {len(missing) - _MAX_LISTED} more" if len(missing) > _MAX_LISTED else "")
                + "; give a group for every region of the score matrix"
            )
        labels = g.loc[list(Y.index)].to_numpy()
    else:
        labels = np.asarray(list(groups), dtype=object)
        if labels.shape != (Y.shape[0],):
            raise InputError(
                f"{what}: groups has {labels.size} entries but the score matrix has "
                f"{Y.shape[0]} regions; pass a mapping region → group instead"
            )
    if pd.isna(labels).any():
        where = [Y.index[i] for i in np.flatnonzero(pd.isna(labels))]
        raise InputError(f"{what}: missing group for regions {where[:_MAX_LISTED]}")
    order = list(dict.fromkeys(labels.tolist()))
    return labels, order


def year_index(Y: pd.DataFrame) -> pd.Index:
    return pd.Index(Y.columns, name="year")


def equal_years(X: np.ndarray) -> np.ndarray:
    """Years (columns of ``X``) in which every region has the same score (up to :data:`EQUAL_RTOL`):
    no inequality, so every inequality index of the year is 0 exactly (the formulas leave rounding
    residue of ±1e-16 there, which is set to 0)."""
    return np.ptp(X, axis=0) <= EQUAL_RTOL * np.abs(X).max(axis=0)


def warn_no_inequality(Y: pd.DataFrame, mask: np.ndarray, what: str, shares: str) -> None:
    """Warn that the ``shares`` of ``what`` are NaN in the years of ``mask`` (naming them)."""
    if mask.any():
        import warnings

        years = [_py(Y.columns[j]) for j in np.flatnonzero(mask)]
        warnings.warn(f"{what}: no inequality in year(s) {years} (every region has the same score): "
                      f"the index is 0 and its shares ({shares}) are undefined, NaN for those years",
                      UserWarning, stacklevel=3)


def group_sets(Y: pd.DataFrame, groups, what: str, whole: str = "all") -> list[tuple[str, np.ndarray]]:
    """``[(whole, every row), (group, its rows) …]``: the whole panel under the code ``whole``, then each
    group of :func:`as_groups` in order of first appearance (positions in ``Y``); ``whole`` may not be a
    group's code."""
    sets: list[tuple[str, np.ndarray]] = [(whole, np.arange(Y.shape[0]))]
    if groups is not None:
        labels, order = as_groups(Y, groups, what)
        if whole in [str(g) for g in order]:
            raise InputError(f"{what}: the group code {whole!r} is reserved for the whole panel; rename that group")
        sets += [(str(g), np.flatnonzero(labels == g)) for g in order]
    return sets
