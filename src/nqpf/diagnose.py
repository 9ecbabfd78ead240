"""Strategic focus per region (section 四 of Ran et al. 2025): obstacles, tiers, trends, roles.

The paper closes with three strategic focuses: 因地制宜 (act on each region's own shortboard),
多核驱动 (strengthen growth cores, connect followers to them) and 多维协同 (pair high-potential
with low-potential regions). This module turns the measured scores into the evidence behind those
focuses and into one recommendation row per region:

``obstacles``           obstacle degree of every indicator per region-year (障碍度, 短板)
``obstacles_by_group``  the same summed over the groups of the indicator system, at every level
``top_obstacles``       the ``k`` largest obstacles per region-year
``tiers``               level tier per year: 高 / 较高 / 较低 / 低 (high ... low)
``trends``              OLS trend per region and a trend type: rising / declining / fluctuating / stable
``roles``               spatial role from the local Moran table: growth pole, spillover receiver, ...
``partners``            for low regions their high neighbours, for high regions their low neighbours
``strategy_table``      one row per region: tier, trend, role, shortboards, partners and a sentence
                        in Chinese and English generated from a rules table (data, not code)
``load_rules``          read the rules table (the bundled one or a user's CSV)

Every function takes plain DataFrames (score matrix ``Y``: regions × years; local Moran long table
``region, year, Ii, z, lag, quadrant, p_sim, cluster``; normalised indicator matrix indexed by
(``region``, ``year``); weights ``indicator, weight``) and returns a DataFrame.
"""
from __future__ import annotations

import warnings

import re
from collections.abc import Mapping
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import InputError

__all__ = [
    "TIER_LABELS",
    "TREND_LABELS",
    "DIRECTION_LABELS",
    "ROLE_LABELS",
    "obstacles",
    "obstacles_by_group",
    "top_obstacles",
    "tiers",
    "trends",
    "roles",
    "partners",
    "load_rules",
    "match_rules",
    "strategy_table",
]

#: Tier labels by number of classes, from the highest class to the lowest: (code, zh, en).
TIER_LABELS: dict[int, list[tuple[str, str, str]]] = {
    2: [("high", "高", "high"), ("low", "低", "low")],
    3: [("high", "高", "high"), ("middle", "中", "middle"), ("low", "低", "low")],
    4: [
        ("high", "高", "high"),
        ("upper-middle", "较高", "upper-middle"),
        ("lower-middle", "较低", "lower-middle"),
        ("low", "低", "low"),
    ],
    5: [
        ("high", "高", "high"),
        ("upper-middle", "较高", "upper-middle"),
        ("middle", "中", "middle"),
        ("lower-middle", "较低", "lower-middle"),
        ("low", "低", "low"),
    ],
}
#: Trend types: code → (zh, en).
TREND_LABELS: dict[str, tuple[str, str]] = {
    "rising": ("上升", "rising"),
    "declining": ("下降", "declining"),
    "fluctuating": ("波动", "fluctuating"),
    "stable": ("平稳", "stable"),
}
#: Direction of a region's path (see :func:`trends`): code → (zh, en).
DIRECTION_LABELS: dict[str, tuple[str, str]] = {
    "up": ("上行", "upward"),
    "down": ("下行", "downward"),
    "flat": ("无明确方向", "no clear direction"),
}
#: A peak inside the period is cited when it exceeds both end scores by this share of the mean.
PEAK_TOL = 0.05
#: End scores closer than this share of the mean are worded as "about level".
LEVEL_TOL = 0.01
#: Spatial roles: code → (zh, en).
#: ``unknown`` is used when no local Moran table is given.
ROLE_LABELS: dict[str, tuple[str, str]] = {
    "growth_pole": ("增长极", "growth pole"),
    "spillover_receiver": ("受辐射区", "spillover receiver"),
    "lagging_cluster": ("低值集聚区", "lagging cluster"),
    "not_significant": ("不显著", "not significant"),
    "unknown": ("未知", "unknown"),
}
_QUADRANT_ROLE = {"HH": "growth_pole", "HL": "growth_pole", "LH": "spillover_receiver",
                  "LL": "lagging_cluster"}
HIGH_TIERS = ("high", "upper-middle")
LOW_TIERS = ("lower-middle", "low")

_SEP_ZH = "、"
_SEP_EN = ", "


# ----------------------------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------------------------
def _check_scores(Y, name="scores_wide") -> pd.DataFrame:
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


def _weights_series(weights) -> pd.Series:
    """Weights as a Series indicator → weight (the index step's reader), finite and non-negative."""
    from .index.weights import _as_weight_series

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


def _display(names, key, lang):
    """Display name of ``key`` from a mapping to a name or to a (zh, en) pair."""
    if names is None or key not in names:
        return str(key)
    v = names[key]
    if isinstance(v, tuple | list):
        return str(v[0] if lang == "zh" or len(v) < 2 else v[1])
    return str(v)


# ----------------------------------------------------------------------------------------------
# obstacle degree
# ----------------------------------------------------------------------------------------------
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
        Indicator → path of group names (e.g. ``("劳动者", "劳动者素质")``). When given, the result gets
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
    if not isinstance(normalized, pd.DataFrame) or normalized.index.nlevels != 2:
        raise InputError("normalized: expected a DataFrame indexed by (region, year) with one column "
                         "per indicator (the .normalized table of the index step)")
    if top_k < 1:
        raise InputError(f"top_k must be >= 1, got {top_k}")
    cols = [str(c) for c in normalized.columns]
    w = _weights_series(weights)
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
    tol = 1e-9
    out_of_range = np.argwhere((X < -tol) | (X > 1 + tol))
    if len(out_of_range):
        i, j = out_of_range[0]
        raise InputError(f"normalized: value {X[i, j]!r} outside [0, 1] at {normalized.index[i]}, "
                         f"indicator {cols[j]!r}; obstacle degree needs min-max values without shift")
    wv = w.loc[cols].to_numpy(float)
    dev = 1.0 - np.clip(X, 0.0, 1.0)
    num = dev * wv
    den = num.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        O = np.where(den > 0, num / np.where(den > 0, den, 1.0), 0.0)
    n, m = O.shape
    # rank within row: descending obstacle, ties in indicator order (stable sort)
    order = np.argsort(-O, axis=1, kind="stable")
    rank = np.empty_like(order)
    rank[np.arange(n)[:, None], order] = np.arange(1, m + 1)
    regions = normalized.index.get_level_values(0)
    years = normalized.index.get_level_values(1)
    out = pd.DataFrame({
        "region": np.repeat(np.asarray(regions), m),
        "year": np.repeat(np.asarray(years), m),
        "indicator": np.tile(np.asarray(cols, dtype=object), n),
        "weight": np.tile(wv, n),
        "I": dev.ravel(),
        "obstacle": O.ravel(),
        "rank": rank.ravel(),
    })
    out["top"] = out["rank"] <= top_k
    if groups is not None:
        paths = _group_paths(groups)
        lacking = [c for c in cols if c not in paths]
        if lacking:
            raise InputError(f"groups: no group path for indicator(s) {lacking}")
        depth = max(len(p) for p in paths.values())
        for d in range(depth):
            lv = {c: (paths[c][d] if d < len(paths[c]) else "") for c in cols}
            out[f"level_{d + 1}"] = out["indicator"].map(lv)
    return out


def obstacles_by_group(obs: pd.DataFrame, groups, levels=None) -> pd.DataFrame:
    r"""Obstacle degree summed over the groups of the indicator system, at every level.

    .. math:: O_{ig} = \sum_{j \in g} O_{ij}

    Parameters
    ----------
    obs : DataFrame
        The result of :func:`obstacles`.
    groups : dict, Series or DataFrame
        Indicator → path of group names, e.g. ``{"x1": ("劳动者", "劳动者素质"), ...}``
        (``Spec.indicators``: ``{i.id: i.path}``). A group is identified by its whole path, so two
        groups with the same name under different parents stay apart.
    levels : sequence of str, optional
        Names of the levels (e.g. ``Spec.levels``) for the ``level_name`` column.

    Returns
    -------
    DataFrame
        ``region, year, level, level_name, group, path, obstacle, rank`` where ``level`` is the depth
        (1 = just below the goal), ``group`` the group's name, ``path`` the names joined by ``/`` and
        ``rank`` 1 the largest obstacle among the groups of that level in that region-year.
    """
    paths = _group_paths(groups)
    inds = list(dict.fromkeys(obs["indicator"]))
    lacking = [c for c in inds if c not in paths]
    if lacking:
        raise InputError(f"groups: no group path for indicator(s) {lacking}")
    depth = max(len(paths[c]) for c in inds)
    frames = []
    for d in range(1, depth + 1):
        key = obs["indicator"].map({c: "/".join(paths[c][:d]) for c in inds if len(paths[c]) >= d})
        sub = obs.assign(path=key).dropna(subset=["path"])
        g = (sub.groupby(["region", "year", "path"], sort=False)["obstacle"].sum().reset_index())
        g.insert(2, "level", d)
        name = levels[d - 1] if levels is not None and d - 1 < len(levels) else f"level_{d}"
        g.insert(3, "level_name", name)
        g.insert(4, "group", g["path"].str.rsplit("/", n=1).str[-1])
        frames.append(g)
    out = pd.concat(frames, ignore_index=True)
    out["rank"] = (out.groupby(["region", "year", "level"], sort=False)["obstacle"]
                   .rank(method="first", ascending=False).astype(int))
    return out[["region", "year", "level", "level_name", "group", "path", "obstacle", "rank"]]


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


# ----------------------------------------------------------------------------------------------
# tiers
# ----------------------------------------------------------------------------------------------
def _classify(y: np.ndarray, k: int, method: str, where: str) -> tuple[np.ndarray, np.ndarray]:
    import mapclassify as mc

    if len(np.unique(y)) < k:
        raise InputError(f"tiers: {where} has {len(np.unique(y))} distinct score(s), fewer than "
                         f"k={k} classes; use a smaller k")
    if method == "natural_breaks":
        with warnings.catch_warnings():  # without numba mapclassify falls back to pure Python: fine here
            warnings.filterwarnings("ignore", message="Numba not installed")
            c = mc.FisherJenks(y, k=k)
    elif method == "quantiles":
        c = mc.Quantiles(y, k=k)
    else:
        raise InputError(f"tiers: unknown method {method!r}; use 'natural_breaks' or 'quantiles'")
    yb = np.asarray(c.yb, dtype=int)
    if len(c.bins) != k or len(np.unique(yb)) != k:
        raise InputError(f"tiers: {where}: {method} could form only {len(np.unique(yb))} of k={k} "
                         "classes (ties); use a smaller k or the other method")
    return yb, np.asarray(c.bins, dtype=float)


def tiers(scores_wide: pd.DataFrame, k: int = 4, method: str = "natural_breaks",
          year=None) -> pd.DataFrame:
    r"""Level tier of every region, per year: 高 / 较高 / 较低 / 低.

    The scores of one year (or the regions' mean over years) are split into ``k`` classes with
    mapclassify: ``"natural_breaks"`` = Fisher-Jenks (exact optimal breaks minimising the
    within-class sum of squares; deterministic, no sampling, so no seed is involved) or
    ``"quantiles"`` (k classes of equal count). Classes are ordered by value and named from the
    top: for k = 4 class 3 → ``high`` (高), 2 → ``upper-middle`` (较高), 1 → ``lower-middle`` (较低),
    0 → ``low`` (低). The breaks are recomputed every year, so the labels mean "relative level
    in that year" and are comparable in name across years.

    Parameters
    ----------
    scores_wide : DataFrame
        Regions × years.
    k : int
        2 to 5 classes (labels in :data:`TIER_LABELS`).
    method : {"natural_breaks", "quantiles"}
    year : None, int, list of int or "mean"
        ``None`` every year; ``"mean"`` classifies the mean over all years (``year`` column
        ``"mean"``).

    Returns
    -------
    DataFrame
        ``region, year, score, class, tier, tier_zh, tier_en, lower, upper, rank`` where ``class``
        0 is the lowest, ``lower``/``upper`` are the class bounds (upper bound inclusive, as
        mapclassify) and ``rank`` 1 the highest score of the year.
    """
    Y = _check_scores(scores_wide)
    if k not in TIER_LABELS:
        raise InputError(f"tiers: k={k} not supported; use one of {sorted(TIER_LABELS)}")
    if year is None:
        cols = {yr: Y[yr] for yr in Y.columns}
    elif isinstance(year, str):
        if year != "mean":
            raise InputError(f"tiers: year={year!r}; use an int, a list of ints, None or 'mean'")
        cols = {"mean": Y.mean(axis=1)}
    else:
        yrs = [year] if np.isscalar(year) else list(year)
        absent = [yr for yr in yrs if int(yr) not in Y.columns]
        if absent:
            raise InputError(f"tiers: year(s) {absent} not in the scores ({Y.columns[0]}–"
                             f"{Y.columns[-1]})")
        cols = {int(yr): Y[int(yr)] for yr in yrs}
    labels = TIER_LABELS[k][::-1]  # index = class (0 = lowest)
    frames = []
    for yr, s in cols.items():
        y = s.to_numpy(float)
        yb, bins = _classify(y, k, method, f"year {yr}")
        lower = np.concatenate([[y.min()], bins[:-1]])
        frames.append(pd.DataFrame({
            "region": s.index, "year": yr, "score": y, "class": yb,
            "tier": [labels[c][0] for c in yb], "tier_zh": [labels[c][1] for c in yb],
            "tier_en": [labels[c][2] for c in yb], "lower": lower[yb], "upper": bins[yb],
            "rank": pd.Series(-y).rank(method="min").astype(int).to_numpy(),
        }))
    return pd.concat(frames, ignore_index=True)


# ----------------------------------------------------------------------------------------------
# trends
# ----------------------------------------------------------------------------------------------
def trends(scores_wide: pd.DataFrame, slope_tol: float = 0.01, r2_min: float = 0.5,
           noise_tol: float = 0.05, net_tol: float = 0.10) -> pd.DataFrame:
    r"""Linear trend of every region's score and its trend type.

    For region *i* with scores :math:`y_t` over years *t* (T years), OLS
    :math:`y_t = a + b\,t + e_t` gives the slope *b*, :math:`R^2 = 1 - \sum e_t^2 / \sum (y_t -
    \bar y)^2` and the residual standard error :math:`s = \sqrt{\sum e_t^2 / (T-2)}`. Reported:

    - ``rel_slope`` :math:`= b / \bar y` (share of the mean gained per year),
    - ``cv_resid`` :math:`= s / \bar y` (noise around the trend),
    - ``volatility`` :math:`= \mathrm{sd}(\Delta y_t) / \bar y` (sd with ddof = 1 of the
      year-over-year changes),
    - ``sign_changes``: how often the direction of the year-over-year change flips.

    Trend type (thresholds are parameters):

    - ``rising``: ``rel_slope >= slope_tol`` and ``R2 >= r2_min``;
    - ``declining``: ``rel_slope <= -slope_tol`` and ``R2 >= r2_min``;
    - ``stable``: ``|rel_slope| < slope_tol`` and ``cv_resid < noise_tol``;
    - ``fluctuating``: every other case (the line explains less than ``r2_min`` of the variation
      of a moving series, or a flat series is noisy).

    Direction of the path (``direction``), decided from two measures: the slope and the net change
    first → last year, :math:`c = (y_T - y_1) / \bar y` (``rel_change``). Each measure votes
    +1 when clearly up (``rel_slope >= slope_tol``; ``rel_change >= net_tol``), −1 when clearly
    down (``<= -slope_tol``; ``<= -net_tol``), 0 otherwise; then

    - ``up``: no vote is −1 and at least one is +1;
    - ``down``: no vote is +1 and at least one is −1 (so a region whose slope and net change are
      both negative is never ``up``);
    - ``flat``: no clear vote, or the two clear votes disagree.

    ``peak_year``/``peak`` are the year and value of the highest score (the first such year on
    ties). The trend type says how well a line fits; the direction says which way the region went.

    Defaults: slope_tol = 0.01 (1 % of the mean per year), r2_min = 0.5, noise_tol = 0.05,
    net_tol = 0.10 (10 % of the mean over the whole period).

    Returns
    -------
    DataFrame
        ``region, first_year, last_year, first, last, change, net_change, rel_change, peak_year,
        peak, mean, slope, rel_slope, R2, cv_resid, volatility, sign_changes, trend, trend_zh,
        trend_en, direction, direction_zh, direction_en``; one row per region (``net_change`` =
        ``change`` = last − first).
    """
    Y = _check_scores(scores_wide)
    T = Y.shape[1]
    if T < 3:
        raise InputError(f"trends: need at least 3 years, got {T}")
    t = np.asarray(Y.columns, dtype=float)
    y = Y.to_numpy(float)
    tc = t - t.mean()
    ybar = y.mean(axis=1)
    yc = y - ybar[:, None]
    b = (yc @ tc) / (tc @ tc)
    resid = yc - b[:, None] * tc
    sse = (resid ** 2).sum(axis=1)
    sst = (yc ** 2).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        r2 = np.where(sst > 0, 1 - sse / sst, 0.0)
        s = np.sqrt(sse / (T - 2))
        rel = b / ybar
        cv_resid = s / ybar
        d = np.diff(y, axis=1)
        vol = d.std(axis=1, ddof=1) / ybar
    sg = np.sign(d)
    sign_changes = np.array([int(np.sum(r[:-1][(r[:-1] != 0) & (r[1:] != 0)]
                                        != r[1:][(r[:-1] != 0) & (r[1:] != 0)])) for r in sg])
    kind = np.where((rel >= slope_tol) & (r2 >= r2_min), "rising",
                    np.where((rel <= -slope_tol) & (r2 >= r2_min), "declining",
                             np.where((np.abs(rel) < slope_tol) & (cv_resid < noise_tol),
                                      "stable", "fluctuating")))
    if not net_tol > 0:
        raise InputError(f"trends: net_tol must be > 0, got {net_tol}")
    change = y[:, -1] - y[:, 0]
    with np.errstate(invalid="ignore", divide="ignore"):
        rel_change = change / ybar
    vote_s = np.where(rel >= slope_tol, 1, np.where(rel <= -slope_tol, -1, 0))
    vote_c = np.where(rel_change >= net_tol, 1, np.where(rel_change <= -net_tol, -1, 0))
    direction = np.where((vote_s >= 0) & (vote_c >= 0) & (vote_s + vote_c >= 1), "up",
                         np.where((vote_s <= 0) & (vote_c <= 0) & (vote_s + vote_c <= -1), "down",
                                  "flat"))
    ipk = np.argmax(y, axis=1)
    return pd.DataFrame({
        "region": Y.index, "first_year": int(t[0]), "last_year": int(t[-1]),
        "first": y[:, 0], "last": y[:, -1], "change": change, "net_change": change,
        "rel_change": rel_change, "peak_year": np.asarray(Y.columns, dtype=int)[ipk],
        "peak": y[np.arange(len(y)), ipk], "mean": ybar,
        "slope": b, "rel_slope": rel, "R2": r2, "cv_resid": cv_resid, "volatility": vol,
        "sign_changes": sign_changes, "trend": kind,
        "trend_zh": [TREND_LABELS[c][0] for c in kind],
        "trend_en": [TREND_LABELS[c][1] for c in kind],
        "direction": direction,
        "direction_zh": [DIRECTION_LABELS[c][0] for c in direction],
        "direction_en": [DIRECTION_LABELS[c][1] for c in direction],
    })


# ----------------------------------------------------------------------------------------------
# spatial roles
# ----------------------------------------------------------------------------------------------
def roles(local: pd.DataFrame, first_year=None, last_year=None) -> pd.DataFrame:
    """Spatial role of every region from the local Moran table, and its movement.

    Two readings are given side by side:

    - **significance-based** (``role``, ``role_first_year``, ``role_last_year``): from the
      significant cluster (``cluster`` column, ``""`` when not significant): HH or HL → growth pole
      (增长极), LH → spillover receiver (受辐射区), LL → lagging cluster (低值集聚区), otherwise
      not significant (不显著). ``role`` is the last-year role.
    - **quadrant-based** (``quadrant_first``, ``quadrant_last``, ``role_quadrant_first``,
      ``role_quadrant_last``): the Moran scatter-plot quadrant regardless of significance, which
      is what the paper reads from its figure 2. Regions without neighbours have quadrant ``""``
      and role ``not_significant``.

    ``dist_first``/``dist_last`` are the distances from the origin of the scatter plot,
    :math:`\\sqrt{z^2 + \\mathrm{lag}^2}` (when ``z`` and ``lag`` are in the table), so
    "moving toward the origin" is ``dist_last < dist_first``.

    Parameters
    ----------
    local : DataFrame
        ``region, year, quadrant, cluster`` (+ ``Ii, z, lag, p_sim``), as
        :func:`nqpf.spatial.moran_local` returns.
    first_year, last_year : int, optional
        Default: the first and last year of the table.

    Returns
    -------
    DataFrame
        ``region, role, role_first_year, role_last_year, quadrant_first, quadrant_last,
        movement, role_quadrant_first, role_quadrant_last, cluster_first, cluster_last,
        p_sim_first, p_sim_last, dist_first, dist_last``.
    """
    need = {"region", "year", "quadrant", "cluster"}
    if not isinstance(local, pd.DataFrame) or not need <= set(local.columns):
        got = list(local.columns) if isinstance(local, pd.DataFrame) else type(local).__name__
        raise InputError(f"local: expected the local Moran table with columns {sorted(need)}, got "
                         f"{got}")
    years = sorted(local["year"].unique())
    fy = years[0] if first_year is None else first_year
    ly = years[-1] if last_year is None else last_year
    for yr in (fy, ly):
        if yr not in years:
            raise InputError(f"roles: year {yr} not in the local Moran table ({years})")
    regions = list(dict.fromkeys(local["region"]))

    def at(yr):
        s = local[local["year"] == yr].set_index("region")
        if s.index.has_duplicates:
            raise InputError(f"local: region listed twice in year {yr}")
        return s.reindex(regions)

    a, z = at(fy), at(ly)

    def role_of(col):
        return [_QUADRANT_ROLE.get(str(v) if pd.notna(v) else "", "not_significant") for v in col]

    out = pd.DataFrame({"region": regions})
    out["role_first_year"] = role_of(a["cluster"])
    out["role_last_year"] = role_of(z["cluster"])
    out.insert(1, "role", out["role_last_year"])
    out["quadrant_first"] = a["quadrant"].fillna("").astype(str).to_numpy()
    out["quadrant_last"] = z["quadrant"].fillna("").astype(str).to_numpy()
    out["movement"] = [f"{p or '-'}→{q or '-'}" for p, q in zip(out["quadrant_first"],
                                                             out["quadrant_last"])]
    out["role_quadrant_first"] = role_of(a["quadrant"])
    out["role_quadrant_last"] = role_of(z["quadrant"])
    out["cluster_first"] = a["cluster"].fillna("").astype(str).to_numpy()
    out["cluster_last"] = z["cluster"].fillna("").astype(str).to_numpy()
    for col, s in (("p_sim_first", a), ("p_sim_last", z)):
        out[col] = s["p_sim"].to_numpy(float) if "p_sim" in s.columns else np.nan
    if {"z", "lag"} <= set(local.columns):
        out["dist_first"] = np.hypot(a["z"].to_numpy(float), a["lag"].to_numpy(float))
        out["dist_last"] = np.hypot(z["z"].to_numpy(float), z["lag"].to_numpy(float))
    else:
        out["dist_first"] = out["dist_last"] = np.nan
    out.attrs.update(first_year=fy, last_year=ly)
    return out


# ----------------------------------------------------------------------------------------------
# partners
# ----------------------------------------------------------------------------------------------
def _tier_series(tiers_, year=None) -> pd.Series:
    if isinstance(tiers_, pd.Series):
        return tiers_.astype(str)
    if isinstance(tiers_, Mapping):
        return pd.Series(dict(tiers_), dtype=str)
    if isinstance(tiers_, pd.DataFrame) and {"region", "year", "tier"} <= set(tiers_.columns):
        yrs = list(dict.fromkeys(tiers_["year"]))
        yr = year if year is not None else yrs[-1]
        if yr not in yrs:
            raise InputError(f"tiers: year {yr} not in the tiers table ({yrs})")
        t = tiers_[tiers_["year"] == yr]
        return pd.Series(t["tier"].to_numpy(str), index=t["region"])
    raise InputError("tiers: expected the table of nqpf.diagnose.tiers or a Series region → tier")


def partners(scores_wide: pd.DataFrame, neighbours: Mapping, tiers, roles=None, year=None,
             high=HIGH_TIERS, low=LOW_TIERS) -> pd.DataFrame:
    """Neighbour pairs for cooperation (多维协同): low regions ↔ high neighbours.

    - For each low-potential region (tier in ``low``, default 较低/低) its neighbours with high
      potential (tier in ``high``, default 高/较高): ``direction = "receive"``.
    - For each leader its low-potential neighbours: ``direction = "drive"``. Leaders are the
      regions whose tier is in ``high`` and, when ``roles`` is given, the growth poles
      (significance-based ``role == "growth_pole"``).

    Parameters
    ----------
    scores_wide : DataFrame
        Regions × years; scores of ``year`` (default the last) go into the table.
    neighbours : dict region → list of regions
        Contiguity, e.g. ``nqpf.regions.neighbours()``.
    tiers : DataFrame or Series
        Result of :func:`tiers` (the rows of ``year``, default its last year) or region → tier code.
    roles : DataFrame, optional
        Result of :func:`roles`.

    Returns
    -------
    DataFrame
        ``region, tier, direction, partner, partner_tier, score, partner_score, gap`` (gap =
        partner_score − score), partners ordered by score (highest first for "receive", lowest
        first for "drive").
    """
    Y = _check_scores(scores_wide)
    yr = Y.columns[-1] if year is None else int(year)
    if yr not in Y.columns:
        raise InputError(f"partners: year {yr} not in the scores")
    score = Y[yr]
    tier = _tier_series(tiers, yr if isinstance(tiers, pd.DataFrame) and year is not None else None)
    unknown = sorted(set(neighbours) - set(Y.index), key=str)
    if unknown:
        raise InputError(f"neighbours: region(s) {unknown} not in the scores; the contiguity must "
                         "use the same region ids as the score matrix")
    leaders = {r for r in Y.index if tier.get(r) in high}
    if roles is not None:
        leaders |= set(roles.loc[roles["role"] == "growth_pole", "region"])
    rows = []
    for r in Y.index:
        nb = [n for n in neighbours.get(r, []) if n in score.index]
        if tier.get(r) in low:
            cand = sorted((n for n in nb if tier.get(n) in high), key=lambda n: -score[n])
            rows += [(r, tier.get(r), "receive", n) for n in cand]
        if r in leaders:
            cand = sorted((n for n in nb if tier.get(n) in low), key=lambda n: score[n])
            rows += [(r, tier.get(r), "drive", n) for n in cand]
    out = pd.DataFrame(rows, columns=["region", "tier", "direction", "partner"])
    out["partner_tier"] = out["partner"].map(tier)
    out["score"] = out["region"].map(score).astype(float)
    out["partner_score"] = out["partner"].map(score).astype(float)
    out["gap"] = out["partner_score"] - out["score"]
    return out


# ----------------------------------------------------------------------------------------------
# rules and the strategy table
# ----------------------------------------------------------------------------------------------
RULE_FIELDS = ("tier", "trend", "direction", "role", "has_shortboards", "has_partners")
#: Condition columns a rules file may leave out (read as ``*``), for files written before them.
OPTIONAL_FIELDS = ("direction",)
RULE_COLUMNS = ("rule_id", "focus", "priority", *RULE_FIELDS, "template_zh", "template_en")
FOCUS_ORDER = ("local", "trend", "multicore", "synergy")
_PLACEHOLDERS = {"region", "tier_zh", "tier_en", "trend_zh", "trend_en", "role_zh", "role_en",
                 "direction_zh", "direction_en", "shortboards", "partners", "score_last",
                 "rank_last", "n_regions", "last_year", "first_year", "score_first",
                 "quadrant_first", "quadrant_last", "cluster_last", "rel_slope_pct", "R2",
                 "net_change", "rel_change_pct", "peak", "peak_year", "path_zh", "path_en"}
#: Placeholders holding names: in Chinese text a Latin name is set off by spaces.
_NAME_FIELDS = {"region", "partners", "shortboards"}
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z0-9]")


def _fill_zh(template: str, ctx: Mapping) -> str:
    """``template.format(**ctx)``, with a space between a Latin name and Chinese text or digits.

    ``{region}2020年`` with region "Guangdong" gives "Guangdong 2020年", ``邻近的{partners}`` gives
    "邻近的 Hebei、Tianjin"; Chinese names and punctuation (，。、) are left as they are.
    """
    from string import Formatter

    segs: list[tuple[str, bool]] = []
    for lit, field, spec, conv in Formatter().parse(template):
        if lit:
            segs.append((lit, False))
        if field is not None:
            v = format(ctx[field], spec or "")
            if v:
                segs.append((v, field in _NAME_FIELDS))
    out = ""
    for i, (text, is_name) in enumerate(segs):
        if i and out:
            prev_name = segs[i - 1][1]
            a, b = out[-1], text[0]
            latin_name_left = prev_name and _LATIN.match(a) and (_CJK.match(b) or _LATIN.match(b))
            latin_name_right = is_name and _LATIN.match(b) and (_CJK.match(a) or _LATIN.match(a))
            if latin_name_left or latin_name_right:
                out += " "
        out += text
    return out


def _pct(x: float) -> str:
    """Signed percentage with one decimal; values that round to zero print as "0.0%"."""
    return "0.0%" if abs(x) < 0.0005 else f"{100 * x:+.1f}%"


def _path_phrase(lang: str, fy, ly, first: float, last: float, peak_year, peak: float,
                 mean: float, rel_slope: float, R2: float) -> str:
    """The numbers of a region's path in words that never contradict each other.

    Slope and R² first; then the end scores. When the printed slope and the change first → last
    point in opposite directions, the ends are introduced by "but/although" instead of
    "from … to …"; ends closer than :data:`LEVEL_TOL` of the mean are "about level"; a peak
    inside the period is cited when it exceeds both ends by :data:`PEAK_TOL` of the mean.
    """
    f4, l4, p4 = f"{first:.4f}", f"{last:.4f}", f"{peak:.4f}"
    slope = _pct(rel_slope)
    s_sign = 0 if slope == "0.0%" else (1 if rel_slope > 0 else -1)
    c_sign = 0 if abs(last - first) < LEVEL_TOL * mean or f4 == l4 else (1 if last > first else -1)
    show_peak = (peak_year not in (fy, ly)) and (peak - max(first, last) >= PEAK_TOL * mean)
    disagree = s_sign * c_sign < 0
    if lang == "zh":
        head = f"线性趋势年均{slope}，R²={R2:.2f}"
        pk = f"{peak_year}年达到峰值{p4}"
        if c_sign == 0:
            ends = f"{ly}年得分{l4}与{fy}年的{f4}基本持平"
        elif disagree:
            ends = f"但{ly}年的{l4}{'低于' if c_sign < 0 else '高于'}{fy}年的{f4}"
        else:
            ends = f"得分由{fy}年的{f4}{'升至' if c_sign > 0 else '降至'}{ly}年的{l4}"
        if not show_peak:
            return f"{head}；{ends}"
        if disagree or c_sign == 0:
            return f"{head}；{pk}，{ends}"
        return f"{head}；{ends}，其间{pk}"
    head = f"linear trend {slope} of its mean a year, R²={R2:.2f}"
    pk = f"peaking at {p4} in {peak_year}"
    if c_sign == 0:
        ends = f"{l4} in {ly}, about level with {fy} ({f4})"
    elif disagree:
        ends = (f"although {ly} ({l4}) ended {'below' if c_sign < 0 else 'above'} "
                f"{fy} ({f4})")
    else:
        ends = f"{'up' if c_sign > 0 else 'down'} from {f4} in {fy} to {l4} in {ly}"
    if not show_peak:
        return f"{head}; {ends}"
    if c_sign == 0:
        return f"{head}; {pk}; {ends}"
    return f"{head}; {pk}, {ends}" if disagree else f"{head}; {ends}, {pk}"


def load_rules(path=None) -> pd.DataFrame:
    """Read a rules table (CSV, UTF-8); ``None`` → the bundled ``diagnose_rules/rules.csv``.

    Columns: ``rule_id, focus, priority, tier, trend, direction, role, has_shortboards,
    has_partners, template_zh, template_en`` (``direction`` may be missing: read as ``*``).
    A condition cell is ``*`` (anything), one value, or values
    separated by ``|``; ``has_*`` take ``yes``/``no``/``*``. ``focus`` is one of
    ``local`` (因地制宜), ``trend`` (因地制宜: stability of the path), ``multicore`` (多核驱动) and
    ``synergy`` (多维协同). For each region and focus the matching rule with the smallest
    ``priority`` gives the sentence. Templates use ``{placeholders}``: region, tier_zh, tier_en,
    trend_zh, trend_en, role_zh, role_en, shortboards, partners, score_first, score_last,
    rank_last, n_regions, first_year, last_year, quadrant_first, quadrant_last, cluster_last
    (significant cluster of the last year), rel_slope_pct (e.g. ``+2.1%``), R2, direction_zh,
    direction_en, net_change (last − first, signed), rel_change_pct (net change / mean), peak,
    peak_year, path_zh, path_en (slope, R², end scores and a notable peak in words, worded so the
    slope and the net change never read as a contradiction). Numbers are pre-formatted strings
    (scores to 4 decimals, as the paper prints them). In ``template_zh`` a Latin name (region,
    partners, shortboards) is set off from Chinese text and digits by a space.
    """
    if isinstance(path, pd.DataFrame):
        df, where = path.copy(), "rules table"
    else:
        if path is None:
            src = resources.files("nqpf").joinpath("diagnose_rules", "rules.csv")
            where = "bundled rules.csv"
            with src.open("r", encoding="utf-8") as fh:
                df = pd.read_csv(fh, dtype=str, keep_default_na=False)
        else:
            where = str(path)
            if not Path(path).is_file():
                raise InputError(f"rules file {where} not found")
            df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    for c in OPTIONAL_FIELDS:
        if c not in df.columns:
            df[c] = "*"
    missing = [c for c in RULE_COLUMNS if c not in df.columns]
    if missing:
        raise InputError(f"{where}: missing column(s) {missing}; expected {list(RULE_COLUMNS)}")
    df = df.astype({c: str for c in RULE_COLUMNS if c != "priority"})
    for i, row in df.iterrows():
        line = i + 2  # header is line 1
        if row["focus"] not in FOCUS_ORDER:
            raise InputError(f"{where}, row {line}, column focus: {row['focus']!r} is not one of "
                             f"{list(FOCUS_ORDER)}")
        try:
            float(row["priority"])
        except ValueError:
            raise InputError(f"{where}, row {line}, column priority: {row['priority']!r} is not a "
                             "number") from None
        for col in ("template_zh", "template_en"):
            names = set(re.findall(r"{(\w+)}", row[col]))
            bad = names - _PLACEHOLDERS
            if bad:
                raise InputError(f"{where}, row {line}, column {col}: unknown placeholder(s) "
                                 f"{sorted(bad)}; allowed: {sorted(_PLACEHOLDERS)}")
        for col in ("has_shortboards", "has_partners"):
            if row[col] not in ("yes", "no", "*"):
                raise InputError(f"{where}, row {line}, column {col}: use yes, no or *")
    if df["rule_id"].duplicated().any():
        dup = list(df.loc[df["rule_id"].duplicated(), "rule_id"])
        raise InputError(f"{where}: duplicated rule_id {dup}; give every rule its own id")
    df["priority"] = df["priority"].astype(float)
    return df.reset_index(drop=True)


def _matches(cond: str, value: str) -> bool:
    cond = cond.strip()
    return cond == "*" or value in {c.strip() for c in cond.split("|")}


def match_rules(facts: Mapping, rules=None) -> pd.DataFrame:
    """The rules chosen for one region's facts: one row per focus that has a matching rule.

    Parameters
    ----------
    facts : dict
        ``tier, trend, direction, role`` codes and ``has_shortboards, has_partners``
        (``"yes"``/``"no"``). ``direction`` may be left out: then only rules with ``*`` in that
        column match.
    rules : path, DataFrame or None
        As :func:`load_rules`.
    """
    missing = [f for f in RULE_FIELDS if f not in facts and f not in OPTIONAL_FIELDS]
    if missing:
        raise InputError(f"facts: missing {missing}; give {list(RULE_FIELDS)}")
    chosen = _apply_rules(load_rules(rules), {f: str(facts.get(f, "")) for f in RULE_FIELDS})
    return pd.DataFrame(chosen).reset_index(drop=True)


def _apply_rules(rules: pd.DataFrame, facts: dict) -> list:
    """Matching rule (a row of ``rules``) per focus, in FOCUS_ORDER."""
    chosen = []
    for focus in FOCUS_ORDER:
        cand = rules[rules["focus"] == focus]
        ok = [i for i, r in cand.iterrows() if all(_matches(r[f], facts[f]) for f in RULE_FIELDS)]
        if ok:
            best = min(ok, key=lambda i: (cand.at[i, "priority"], i))
            chosen.append(cand.loc[best])
    return chosen


def strategy_table(scores_wide: pd.DataFrame, local: pd.DataFrame | None = None,
                   neighbours: Mapping | None = None, obstacles: pd.DataFrame | None = None,
                   group_names: Mapping | None = None, lang: str = "both", *, rules=None,
                   k: int = 4, method: str = "natural_breaks", n_shortboards: int = 2,
                   shortboard_level: int = 2, region_names: Mapping | None = None,
                   trend_kw: Mapping | None = None) -> pd.DataFrame:
    """One row per region: tier, trend, role, shortboards, partners and the strategic focus.

    Steps: :func:`tiers` of the last year (``k``, ``method``); :func:`trends` over all years
    (``trend_kw``); :func:`roles` from ``local`` (role ``unknown`` when not given);
    shortboards = the ``n_shortboards`` largest obstacles of the last year in ``obstacles``
    (a :func:`obstacles` table, or an :func:`obstacles_by_group` table at ``shortboard_level``,
    clipped to its deepest level), named through ``group_names`` (id → name or (zh, en));
    partners from :func:`partners` when ``neighbours`` is given (high neighbours of a low region,
    low neighbours of a high region or growth pole). Then the rules table (:func:`load_rules`,
    ``rules`` = path, DataFrame or None for the bundled one) gives one sentence per focus;
    they are joined into ``focus_zh`` / ``focus_en``.

    Parameters
    ----------
    lang : {"both", "zh", "en"}
        Which focus columns to produce.

    Returns
    -------
    DataFrame
        ``region, tier, tier_zh, tier_en, trend, trend_zh, trend_en, direction, direction_zh,
        direction_en, role, role_zh, role_en, role_first_year, role_first_year_zh,
        role_first_year_en, role_last_year, role_last_year_zh, role_last_year_en, quadrant_first,
        quadrant_last, shortboards, shortboards_en, partners, partners_en, focus_zh, focus_en,
        rules, score_first, score_last, net_change, rel_change, peak_year, peak, rank_last, mean,
        slope, rel_slope, R2, cv_resid``, ordered by last-year score (highest first).
        ``shortboards`` and ``partners`` hold the Chinese names (first item of a (zh, en) pair in
        ``group_names`` / ``region_names``, else the id as given) joined by "、";
        ``shortboards_en`` and ``partners_en`` the English names (second item, else the id)
        joined by ", ". All
        are empty when unknown. Each code column ``x`` has ``x_zh`` / ``x_en`` labels (empty
        when the code is empty), as the report expects.
    """
    if lang not in ("both", "zh", "en"):
        raise InputError(f"lang={lang!r}; use 'both', 'zh' or 'en'")
    Y = _check_scores(scores_wide)
    rules = load_rules(rules)
    fy, ly = Y.columns[0], Y.columns[-1]
    tr = tiers(Y, k=k, method=method, year=ly).set_index("region")
    td = trends(Y, **(trend_kw or {})).set_index("region")
    rl = roles(local).set_index("region") if local is not None else None
    if rl is not None:
        absent = [r for r in Y.index if r not in rl.index]
        if absent:
            raise InputError(f"local: no local Moran rows for region(s) {absent}")

    # shortboards
    sb: dict = {r: [] for r in Y.index}
    if obstacles is not None:
        ob = obstacles
        key = "indicator"
        if "group" in ob.columns and "level" in ob.columns:
            lvl = min(shortboard_level, int(ob["level"].max()))
            ob, key = ob[ob["level"] == lvl], "path"
        ob = ob[ob["year"] == ly]
        if ob.empty:
            raise InputError(f"obstacles: no rows for the last year {ly} of the scores")
        for r, g in top_obstacles(ob, top_k=n_shortboards).groupby("region", sort=False):
            sb[r] = list(g[key])

    # partners
    pt: dict = {r: [] for r in Y.index}
    if neighbours is not None:
        pr = partners(Y, neighbours, tr["tier"], roles=rl.reset_index() if rl is not None else None)
        for r, g in pr.groupby("region", sort=False):
            pt[r] = list(g["partner"])

    def names(keys, mapping, lang_):
        """Join display names; a group path 'a/b' shows as its last name unless mapped whole."""
        shown = []
        for x in keys:
            if mapping is not None and x in mapping:
                shown.append(_display(mapping, x, lang_))
            else:
                last = str(x).rsplit("/", 1)[-1]
                shown.append(_display(mapping, last, lang_))
        return (_SEP_ZH if lang_ == "zh" else _SEP_EN).join(shown)

    rows = []
    n = len(Y)
    for r in Y.index:
        tier_code = tr.at[r, "tier"]
        trend_code = td.at[r, "trend"]
        role_code = rl.at[r, "role"] if rl is not None else "unknown"
        dir_code = td.at[r, "direction"]
        facts = {"tier": tier_code, "trend": trend_code, "direction": dir_code, "role": role_code,
                 "has_shortboards": "yes" if sb[r] else "no",
                 "has_partners": "yes" if pt[r] else "no"}
        chosen = _apply_rules(rules, facts)
        rfy = rl.at[r, "role_first_year"] if rl is not None else ""
        rly = rl.at[r, "role_last_year"] if rl is not None else ""
        row = {
            "region": r, "tier": tier_code, "tier_zh": tr.at[r, "tier_zh"],
            "tier_en": tr.at[r, "tier_en"],
            "trend": trend_code, "trend_zh": TREND_LABELS[trend_code][0],
            "trend_en": TREND_LABELS[trend_code][1],
            "direction": dir_code, "direction_zh": DIRECTION_LABELS[dir_code][0],
            "direction_en": DIRECTION_LABELS[dir_code][1],
            "role": role_code, "role_zh": ROLE_LABELS[role_code][0],
            "role_en": ROLE_LABELS[role_code][1],
            "role_first_year": rfy,
            "role_first_year_zh": ROLE_LABELS[rfy][0] if rfy else "",
            "role_first_year_en": ROLE_LABELS[rfy][1] if rfy else "",
            "role_last_year": rly,
            "role_last_year_zh": ROLE_LABELS[rly][0] if rly else "",
            "role_last_year_en": ROLE_LABELS[rly][1] if rly else "",
            "quadrant_first": rl.at[r, "quadrant_first"] if rl is not None else "",
            "quadrant_last": rl.at[r, "quadrant_last"] if rl is not None else "",
            # ids / Chinese names joined by "、" (kept as before); English names joined by ", "
            "shortboards": names(sb[r], group_names, "zh"),
            "shortboards_en": names(sb[r], group_names, "en"),
            "partners": names(pt[r], region_names, "zh"),
            "partners_en": names(pt[r], region_names, "en"),
        }
        path_args = (fy, ly, Y.at[r, fy], Y.at[r, ly], int(td.at[r, "peak_year"]),
                     td.at[r, "peak"], td.at[r, "mean"], td.at[r, "rel_slope"], td.at[r, "R2"])
        for lg in ("zh", "en"):
            if lang not in ("both", lg):
                continue
            ctx = {
                "region": _display(region_names, r, lg),
                "tier_zh": tr.at[r, "tier_zh"], "tier_en": tr.at[r, "tier_en"],
                "trend_zh": TREND_LABELS[trend_code][0], "trend_en": TREND_LABELS[trend_code][1],
                "role_zh": ROLE_LABELS[role_code][0], "role_en": ROLE_LABELS[role_code][1],
                "shortboards": names(sb[r], group_names, lg),
                "partners": names(pt[r], region_names, lg),
                "score_first": f"{Y.at[r, fy]:.4f}", "score_last": f"{Y.at[r, ly]:.4f}",
                "rank_last": str(int(tr.at[r, "rank"])), "n_regions": str(n),
                "first_year": str(fy), "last_year": str(ly),
                "quadrant_first": row["quadrant_first"] or "-",
                "quadrant_last": row["quadrant_last"] or "-",
                "cluster_last": (rl.at[r, "cluster_last"] if rl is not None else "") or "-",
                "rel_slope_pct": _pct(td.at[r, "rel_slope"]),
                "R2": f"{td.at[r, 'R2']:.2f}",
                "direction_zh": DIRECTION_LABELS[dir_code][0],
                "direction_en": DIRECTION_LABELS[dir_code][1],
                "net_change": f"{Y.at[r, ly] - Y.at[r, fy]:+.4f}",
                "rel_change_pct": _pct(td.at[r, "rel_change"]),
                "peak": f"{td.at[r, 'peak']:.4f}", "peak_year": str(int(td.at[r, "peak_year"])),
                "path_zh": _path_phrase("zh", *path_args),
                "path_en": _path_phrase("en", *path_args),
            }
            if lg == "zh":
                row["focus_zh"] = "".join(_fill_zh(c["template_zh"], ctx) for c in chosen)
            else:
                row["focus_en"] = " ".join(c["template_en"].format(**ctx) for c in chosen)
        row["rules"] = ",".join(c["rule_id"] for c in chosen)
        row.update({
            "score_first": Y.at[r, fy], "score_last": Y.at[r, ly],
            "net_change": td.at[r, "net_change"], "rel_change": td.at[r, "rel_change"],
            "peak_year": int(td.at[r, "peak_year"]), "peak": td.at[r, "peak"],
            "rank_last": int(tr.at[r, "rank"]), "mean": td.at[r, "mean"],
            "slope": td.at[r, "slope"], "rel_slope": td.at[r, "rel_slope"],
            "R2": td.at[r, "R2"], "cv_resid": td.at[r, "cv_resid"],
        })
        rows.append(row)
    out = pd.DataFrame(rows).sort_values("score_last", ascending=False, kind="stable")
    return out.reset_index(drop=True)
