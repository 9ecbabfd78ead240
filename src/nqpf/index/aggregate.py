r"""Aggregation of weighted indicators into the composite score and every sub-index.

The composite of region-year :math:`i` is the paper's weighted sum

.. math:: U_i = \sum_j w_j x'_{ij}

The printed eq. 7, ":math:`U_i = \sum_j \lambda_j`", has lost its second factor, and the sentence
before it names the proportions :math:`\omega_{ij}` (= :math:`p_{ij}`) as that factor. The published
scores settle it in favour of :math:`x'_{ij}`: because :math:`\sum_i p_{ij} = 1` for every indicator,
:math:`\sum_j w_j p_{ij}` averages exactly :math:`1/m` over the :math:`m` region-years (1/319 ≈ 0.003
for the paper's 29 provinces × 11 years), while Table 2 ranges from 0.08 to 0.70 with mean 0.25, the
scale of :math:`\sum_j w_j x'_{ij} \in [0, 1]`. The sub-index of a group
:math:`G` (a criterion, a dimension, ...) is the part of the composite its indicators contribute,

.. math:: U_{iG} = \sum_{j \in G} w_j x'_{ij},

so at every level of the tree the sub-indices add up to the composite exactly. Users who prefer
sub-indices on a 0–1 scale divide by the group's total weight, which :func:`group_weights` reports.

The tree is given by a :class:`nqpf.spec.Spec` (each ``Indicator.path`` is the tuple of group names
from the top level down, ``Spec.levels`` names the levels) or by a plain mapping indicator → path.
Sub-index columns are named ``"<level>:<group>"``, e.g. ``"criterion:劳动者"`` and
``"dimension:劳动者素质"``; when one group name occurs under two parents at the same level, the
column is ``"<level>:<parent>/<group>"``.
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from nqpf.errors import InputError, SpecError

from .normalize import _check_matrix, _year_codes
from .weights import _as_weight_series

__all__ = ["aggregate", "group_weights", "resolve_tree", "rank_by_year"]

_DEFAULT_LEVELS = {1: ("dimension",), 2: ("criterion", "dimension")}


def resolve_tree(spec_or_paths, indicators, levels=None):
    """Return ``(paths, levels)``: a dict indicator → path tuple and the level names.

    Parameters
    ----------
    spec_or_paths : Spec, Mapping or None
        A spec (``.indicators[*].id`` / ``.path``, ``.levels``) or a mapping indicator → path tuple
        (a string is a one-level path). ``None`` means no tree (composite only).
    indicators : sequence of str
        Indicators that must all have a path.
    levels : sequence of str, optional
        Names of the levels; default ``spec.levels`` or ``("criterion", "dimension")`` for two levels,
        ``("dimension",)`` for one, ``level1, level2, ...`` otherwise. A trailing name for the
        indicator level itself is accepted and dropped.
    """
    if spec_or_paths is None:
        return {}, ()
    if hasattr(spec_or_paths, "indicators") and not isinstance(spec_or_paths, Mapping):
        paths = {ind.id: ind.path for ind in spec_or_paths.indicators}
        if levels is None:
            levels = getattr(spec_or_paths, "levels", None)
    elif isinstance(spec_or_paths, (Mapping, pd.Series)):
        paths = dict(spec_or_paths)
    else:
        raise SpecError("the tree must be a Spec or a mapping indicator -> tuple of group names; "
                        f"got {type(spec_or_paths).__name__}")
    paths = {k: (v,) if isinstance(v, str) else tuple(v) for k, v in paths.items()}
    missing = [c for c in indicators if c not in paths]
    if missing:
        raise SpecError(f"indicator(s) {missing} have no place in the indicator tree; "
                        "add them to the spec or drop them from the data")
    paths = {c: paths[c] for c in indicators}
    depths = {len(p) for p in paths.values()}
    if len(depths) > 1:
        raise SpecError("every indicator path must have the same number of levels; got "
                        + ", ".join(f"{k}: {p}" for k, p in list(paths.items())[:5]))
    depth = depths.pop() if depths else 0
    for k, p in paths.items():
        if any((not isinstance(g, str)) or not g for g in p):
            raise SpecError(f"indicator {k!r}: group names must be non-empty strings, got {p}")
    if levels is None:
        levels = _DEFAULT_LEVELS.get(depth, tuple(f"level{i + 1}" for i in range(depth)))
    levels = tuple(levels)
    if len(levels) == depth + 1:
        levels = levels[:depth]
    if len(levels) != depth:
        raise SpecError(f"{len(levels)} level names {levels} for paths of depth {depth}")
    return paths, levels


def _groups(paths, levels):
    """Per level: list of (column name, prefix tuple) in order of appearance."""
    out = []
    for li, level in enumerate(levels):
        prefixes = list(dict.fromkeys(p[: li + 1] for p in paths.values()))
        last = [p[-1] for p in prefixes]
        dup = {g for g in last if last.count(g) > 1}
        out.append([(f"{level}:{'/'.join(p) if p[-1] in dup else p[-1]}", p) for p in prefixes])
    return out


def _weight_vector(weights, columns):
    w = _as_weight_series(weights)
    missing = [c for c in columns if c not in w.index]
    extra = [c for c in w.index if c not in columns]
    if missing or extra:
        raise InputError(f"weights do not match the indicator columns: missing {missing}, "
                         f"unknown {extra}")
    w = w.reindex(list(columns)).to_numpy(dtype=float)
    if not np.isfinite(w).all() or (w < 0).any():
        raise InputError("weights must be finite and non-negative")
    return w


def rank_by_year(score, index):
    """Rank within each year: 1 = highest, ties share the smallest rank ('min')."""
    codes, _ = _year_codes(index)
    s = pd.Series(np.asarray(score, dtype=float), index=pd.RangeIndex(len(codes)))
    return s.groupby(codes).rank(ascending=False, method="min").astype("int64").to_numpy()


def aggregate(Xn, weights, spec_or_paths=None, *, levels=None):
    r"""Composite score, every sub-index and the rank within each year.

    Parameters
    ----------
    Xn : DataFrame
        Normalised indicator matrix indexed by (``region``, ``year``).
    weights : DataFrame, Series or Mapping
        A weights table (columns ``indicator, weight``, as from :func:`compute_weights`) or a mapping
        indicator → weight. Used as given (not renormalised).
    spec_or_paths : Spec or Mapping, optional
        The indicator tree (see :func:`resolve_tree`); ``None`` gives the composite only.
    levels : sequence of str, optional
        Level names overriding the spec's.

    Returns
    -------
    DataFrame
        Indexed like ``Xn``: ``score`` (:math:`U_i = \sum_j w_j x'_{ij}`), one column
        ``"<level>:<group>"`` per group at every level (:math:`\sum_{j\in G} w_j x'_{ij}`), and
        ``rank`` within each year (1 = highest score; ties get the smallest rank).
    """
    A = _check_matrix(Xn, "normalised matrix")
    cols = list(Xn.columns)
    w = _weight_vector(weights, cols)
    paths, levels = resolve_tree(spec_or_paths, cols, levels)
    C = A * w                                     # contributions w_j x'_ij
    out = {"score": C.sum(axis=1)}
    for level_groups in _groups(paths, levels):
        depth = len(level_groups[0][1])
        col_of = {prefix: k for k, (_, prefix) in enumerate(level_groups)}
        M = np.zeros((len(cols), len(level_groups)))
        M[np.arange(len(cols)), [col_of[paths[c][:depth]] for c in cols]] = 1.0
        S = C @ M
        for k, (name, _) in enumerate(level_groups):
            out[name] = S[:, k]
    out["rank"] = rank_by_year(out["score"], Xn.index)
    return pd.DataFrame(out, index=Xn.index)


def group_weights(weights, spec_or_paths, *, levels=None):
    r"""Total weight of every group and the within-group renormalised weights of its members.

    Returns
    -------
    DataFrame
        One row per (group, member): ``level, group, group_weight, member_level, member,
        member_weight, within_weight`` where ``group_weight`` :math:`= \sum_{j\in G} w_j`, a member is
        a group of the next level or an indicator, and ``within_weight`` = member_weight /
        group_weight (NaN when the group weight is 0). The top row, ``level="composite"``, lists the
        top-level groups (or the indicators when there is no tree).
    """
    w = _as_weight_series(weights)
    cols = list(w.index)
    paths, levels = resolve_tree(spec_or_paths, cols, levels)
    wv = w.to_numpy(dtype=float)
    groups = _groups(paths, levels)
    names = {prefix: name for lg in groups for name, prefix in lg}

    def total(prefix):
        return float(sum(wv[i] for i, c in enumerate(cols) if paths[c][: len(prefix)] == prefix))

    rows = []
    parents = [("composite", "composite", ())] + [
        (levels[li], name, prefix) for li, lg in enumerate(groups) for name, prefix in lg]
    for level, gname, prefix in parents:
        gw = total(prefix)
        depth = len(prefix)
        if depth < len(levels):
            members = [(levels[depth], names[p], total(p)) for p in
                       dict.fromkeys(paths[c][: depth + 1] for c in cols
                                     if paths[c][:depth] == prefix)]
        else:
            members = [("indicator", c, float(wv[i])) for i, c in enumerate(cols)
                       if paths[c][:depth] == prefix]
        for mlevel, mname, mw in members:
            rows.append({"level": level, "group": gname, "group_weight": gw, "member_level": mlevel,
                         "member": mname, "member_weight": mw,
                         "within_weight": mw / gw if gw > 0 else np.nan})
    return pd.DataFrame(rows, columns=["level", "group", "group_weight", "member_level", "member",
                                       "member_weight", "within_weight"])
