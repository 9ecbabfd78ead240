r"""Obstacle degree (障碍度): which indicators and groups hold a region back.

``obstacles``           obstacle degree of every indicator per region-year
``obstacles_by_group``  the same summed over the groups of the indicator system, at every level
``top_obstacles``       the ``k`` largest obstacles per region-year (the shortboards, 短板)
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..errors import InputError

__all__ = ["obstacles", "obstacles_by_group", "top_obstacles"]

#: Tolerance of the check that normalised values lie in [0, 1].
_RANGE_TOL = 1e-9


# ----------------------------------------------------------------------------------------------
# inputs
# ----------------------------------------------------------------------------------------------
def _weights_series(weights) -> pd.Series:
    """Weights as a Series indicator → weight (the index step's reader), finite and non-negative."""
    from ..index.weights import _as_weight_series

    w = _as_weight_series(weights)
    w.index = w.index.astype(str)
    if not np.all(np.isfinite(w.to_numpy())) or (w < 0).any():
        raise InputError(f"weights: every weight must be finite and >= 0; got {w[~(w >= 0)].to_dict()}")
    return w


def _group_paths(groups) -> dict[str, tuple[str, ...]]:
    """indicator → path tuple, from a dict/Series of tuples (or 'a/b' strings) or a DataFrame."""
    if isinstance(groups, pd.DataFrame):
        return {str(i): tuple(str(v) for v in row if pd.notna(v) and str(v) != "")
                for i, row in zip(groups.index, groups.itertuples(index=False))}
    if isinstance(groups, pd.Series):
        groups = groups.to_dict()
    if not isinstance(groups, Mapping):
        raise InputError("groups: expected a dict indicator → tuple of group names (e.g. "
                         "('劳动者', '劳动者素质')), a Series of such tuples, or a DataFrame indexed "
                         "by indicator with one column per level")
    out = {}
    for k, v in groups.items():
        if isinstance(v, str):
            v = tuple(p for p in v.split("/") if p)
        out[str(k)] = tuple(str(p) for p in v)
    return out


def _paths_for(groups, indicators) -> dict[str, tuple[str, ...]]:
    """The group paths of ``indicators``; every indicator must have one."""
    paths = _group_paths(groups)
    lacking = [c for c in indicators if c not in paths]
    if lacking:
        raise InputError(f"groups: no group path for indicator(s) {lacking}")
    return paths


def _check_normalized(normalized, w: pd.Series) -> tuple[list[str], np.ndarray]:
    """Indicator names and values of the normalised matrix, checked against the weights."""
    if not isinstance(normalized, pd.DataFrame) or normalized.index.nlevels != 2:
        raise InputError("normalized: expected a DataFrame indexed by (region, year) with one column "
                         "per indicator (the .normalized table of the index step)")
    cols = [str(c) for c in normalized.columns]
    missing = [c for c in cols if c not in w.index]
    extra = [c for c in w.index if c not in cols]
    if missing or extra:
        raise InputError(f"weights do not match the indicators of the normalised matrix: missing "
                         f"weights for {missing}, weights without a column {extra}")
    X = normalized.to_numpy(dtype=float)
    bad = np.argwhere(~np.isfinite(X))
    if len(bad):
        i, j = bad[0]
        raise InputError(f"normalized: missing value at {normalized.index[i]}, indicator {cols[j]!r} "
                         f"({len(bad)} cell(s) in all); impute before computing obstacles")
    out_of_range = np.argwhere((X < -_RANGE_TOL) | (X > 1 + _RANGE_TOL))
    if len(out_of_range):
        i, j = out_of_range[0]
        raise InputError(f"normalized: value {X[i, j]!r} outside [0, 1] at {normalized.index[i]}, "
                         f"indicator {cols[j]!r}; obstacle degree needs min-max values without shift")
    return cols, X


# ----------------------------------------------------------------------------------------------
# computation
# ----------------------------------------------------------------------------------------------
def _obstacle_matrix(X: np.ndarray, wv: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Deviation :math:`I = 1 - x'` and obstacle degree :math:`O` (rows sum to 1, or 0 if all max)."""
    dev = 1.0 - np.clip(X, 0.0, 1.0)
    num = dev * wv
    den = num.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        O = np.where(den > 0, num / np.where(den > 0, den, 1.0), 0.0)
    return dev, O


def _row_ranks(O: np.ndarray) -> np.ndarray:
    """Rank within each row: 1 = largest, ties in column order (stable sort)."""
    n, m = O.shape
    order = np.argsort(-O, axis=1, kind="stable")
    rank = np.empty_like(order)
    rank[np.arange(n)[:, None], order] = np.arange(1, m + 1)
    return rank


def obstacles(normalized: pd.DataFrame, weights, groups=None, top_k: int = 3) -> pd.DataFrame:
    r"""Obstacle degree (障碍度) of every indicator for every region-year.

    With normalised value :math:`x'_{ij}` (1 = best observed) and weight :math:`w_j`,

    .. math::

        I_{ij} = 1 - x'_{ij}, \qquad
        O_{ij} = \frac{w_j I_{ij}}{\sum_k w_k I_{ik}} ,

    so the obstacles of one region-year sum to 1. A region-year at the maximum of every indicator
    with positive weight has :math:`\sum_k w_k I_{ik} = 0`; its obstacles are defined as 0 (0/0 → 0),
    so they sum to 0, meaning "no shortboard".

    Parameters
    ----------
    normalized : DataFrame
        Index (``region``, ``year``), one column per indicator, values in [0, 1] (min-max normalised,
        direction applied, no shift).
    weights : DataFrame ``indicator, weight`` or Series/dict indicator → weight
        Must cover exactly the columns of ``normalized``.
    groups : dict, Series or DataFrame, optional
        Indicator → path of group ids (e.g. ``("劳动者", "劳动者素质")``). When given, the result gets
        one column ``level_1``, ``level_2``, ... per level holding the indicator's group.
    top_k : int
        Rows with ``rank <= top_k`` get ``top = True``.

    Returns
    -------
    DataFrame
        ``region, year, indicator, weight, I, obstacle, rank, top`` (+ ``level_*``), in the input's
        region-year order and indicator order. ``rank`` 1 is the largest obstacle of its region-year;
        ties keep the indicator order.
    """
    if top_k < 1:
        raise InputError(f"top_k must be >= 1, got {top_k}")
    w = _weights_series(weights)
    cols, X = _check_normalized(normalized, w)
    wv = w.loc[cols].to_numpy(float)
    dev, O = _obstacle_matrix(X, wv)
    n, m = O.shape
    out = pd.DataFrame({
        "region": np.repeat(np.asarray(normalized.index.get_level_values(0)), m),
        "year": np.repeat(np.asarray(normalized.index.get_level_values(1)), m),
        "indicator": np.tile(np.asarray(cols, dtype=object), n),
        "weight": np.tile(wv, n),
        "I": dev.ravel(),
        "obstacle": O.ravel(),
        "rank": _row_ranks(O).ravel(),
    })
    out["top"] = out["rank"] <= top_k
    if groups is not None:
        _add_levels(out, _paths_for(groups, cols), cols)
    return out


def _add_levels(out: pd.DataFrame, paths: Mapping, cols: list[str]) -> None:
    """Add ``level_1`` … ``level_d``: the indicator's group at each depth (``""`` below its path)."""
    depth = max(len(p) for p in paths.values())
    for d in range(depth):
        lv = {c: (paths[c][d] if d < len(paths[c]) else "") for c in cols}
        out[f"level_{d + 1}"] = out["indicator"].map(lv)


def obstacles_by_group(obs: pd.DataFrame, groups, levels=None) -> pd.DataFrame:
    r"""Obstacle degree summed over the groups of the indicator system, at every level.

    .. math:: O_{ig} = \sum_{j \in g} O_{ij}

    Parameters
    ----------
    obs : DataFrame
        The result of :func:`obstacles`.
    groups : dict, Series or DataFrame
        Indicator → path of group ids, e.g. ``{"x1": ("劳动者", "劳动者素质"), ...}``
        (``Spec.indicators``: ``{i.id: i.path}``). A group is identified by its whole path, so two
        groups with the same id under different parents stay apart.
    levels : sequence of str, optional
        Names of the levels (e.g. ``Spec.levels``) for the ``level_name`` column.

    Returns
    -------
    DataFrame
        ``region, year, level, level_name, group, path, obstacle, rank`` where ``level`` is the depth
        (1 = just below the goal), ``group`` the group's id (last element of its path), ``path`` the
        ids joined by ``/`` and ``rank`` 1 the largest obstacle among the groups of that level in
        that region-year.
    """
    inds = list(dict.fromkeys(obs["indicator"]))
    paths = _paths_for(groups, inds)
    depth = max(len(paths[c]) for c in inds)
    frames = [_sum_level(obs, paths, inds, d, levels) for d in range(1, depth + 1)]
    out = pd.concat(frames, ignore_index=True)
    out["rank"] = (out.groupby(["region", "year", "level"], sort=False)["obstacle"]
                   .rank(method="first", ascending=False).astype(int))
    return out[["region", "year", "level", "level_name", "group", "path", "obstacle", "rank"]]


def _sum_level(obs: pd.DataFrame, paths: Mapping, inds: list, d: int, levels) -> pd.DataFrame:
    """Obstacles summed over the groups of depth ``d`` (indicators with a shorter path left out)."""
    key = obs["indicator"].map({c: "/".join(paths[c][:d]) for c in inds if len(paths[c]) >= d})
    sub = obs.assign(path=key).dropna(subset=["path"])
    g = sub.groupby(["region", "year", "path"], sort=False)["obstacle"].sum().reset_index()
    g.insert(2, "level", d)
    name = levels[d - 1] if levels is not None and d - 1 < len(levels) else f"level_{d}"
    g.insert(3, "level_name", name)
    g.insert(4, "group", g["path"].str.rsplit("/", n=1).str[-1])
    return g


def top_obstacles(table: pd.DataFrame, top_k: int = 3, level: int | None = None) -> pd.DataFrame:
    """The ``top_k`` largest obstacles per region-year (per level for a group table).

    Parameters
    ----------
    table : DataFrame
        Result of :func:`obstacles` (indicator level) or of :func:`obstacles_by_group`.
    top_k : int
    level : int, optional
        For a group table, keep only this level.

    Returns
    -------
    DataFrame
        The rows with ``rank <= top_k``, sorted by region, year (, level) and rank. Region-years
        whose obstacles are all zero (no shortboard) are left out.
    """
    if top_k < 1:
        raise InputError(f"top_k must be >= 1, got {top_k}")
    t = table
    keys = ["region", "year"]
    if "level" in t.columns and "group" in t.columns:
        if level is not None:
            t = t[t["level"] == level]
        keys.append("level")
    out = t[(t["rank"] <= top_k) & (t["obstacle"] > 0)]
    return out.sort_values(keys + ["rank"], kind="stable").reset_index(drop=True)
