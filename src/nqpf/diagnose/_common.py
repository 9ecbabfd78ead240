"""Checks and conventions shared by the diagnosis modules."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import InputError
from ..results import LIST_SEP

__all__ = ["LIST_SEP", "check_scores", "join_ids", "split_ids"]


def check_scores(Y, name: str = "scores_wide") -> pd.DataFrame:
    """``Y`` as a float matrix regions × years with integer year columns in order.

    Raises :class:`~nqpf.errors.InputError` for a non-DataFrame, an empty matrix, duplicated
    regions, non-year columns or a missing / non-finite score.
    """
    if not isinstance(Y, pd.DataFrame):
        raise InputError(f"{name}: expected a DataFrame regions × years, got {type(Y).__name__}")
    if Y.shape[0] == 0 or Y.shape[1] == 0:
        raise InputError(f"{name}: empty score matrix; pass regions as rows and years as columns")
    if Y.index.has_duplicates:
        dup = list(Y.index[Y.index.duplicated()].unique())
        raise InputError(f"{name}: duplicated regions {dup}; keep one row per region")
    try:
        years = [int(c) for c in Y.columns]
    except (TypeError, ValueError) as exc:
        raise InputError(f"{name}: columns must be years (integers), got {list(Y.columns)[:5]}; "
                         "pivot long scores with region as index and year as columns") from exc
    Y = Y.copy()
    Y.columns = years
    Y = Y.astype(float)
    bad = np.argwhere(~np.isfinite(Y.to_numpy()))
    if len(bad):
        i, j = bad[0]
        raise InputError(f"{name}: missing or non-finite score for region {Y.index[i]!r}, year "
                         f"{Y.columns[j]} ({len(bad)} cell(s) in all); interpolate or drop them first")
    return Y.sort_index(axis=1)


def join_ids(ids, what: str) -> str:
    """Ids joined by :data:`LIST_SEP` (``""`` for none); an id holding the separator is refused."""
    ids = [str(x) for x in ids]
    bad = [x for x in ids if LIST_SEP in x]
    if bad:
        raise InputError(f"{what}: id(s) {bad} contain {LIST_SEP!r}, the separator of id lists; "
                         "rename them")
    return LIST_SEP.join(ids)


def split_ids(cell) -> list[str]:
    """The ids of a :data:`LIST_SEP`-joined cell (empty or missing → no ids)."""
    if cell is None or (isinstance(cell, float) and np.isnan(cell)):
        return []
    return [x for x in str(cell).split(LIST_SEP) if x != ""]
