r"""Coupling coordination degree (耦合协调度) of two or more subsystems, for every region-year at once.

For the development levels :math:`U_1, …, U_n \in [0, 1]` of :math:`n \ge 2` subsystems of one
region-year:

* the **coupling degree** :math:`C` (耦合度), by default in the corrected form of Wang, Kong, Ren, Zhi &
  Dai (2021), 王淑佳, 孔伟, 任亮, 治丹丹, 戴彬婷《国内耦合协调度模型的误区及修正》, 自然资源学报
  36(3): 793–810:

  .. math::
      C = \sqrt{\Bigl[1 - \frac{\sum_{i<j} |U_i - U_j|}{\sum_{m=1}^{n-1} m}\Bigr]
                \cdot \Bigl[\prod_{i=1}^{n} \frac{U_i}{\max_k U_k}\Bigr]^{1/(n-1)}}

  (:math:`\sum_{m=1}^{n-1} m = n(n-1)/2` is the number of pairs, so the first factor is one minus the
  mean absolute gap between subsystems; the second is the geometric mean of the :math:`n-1` ratios of
  the other subsystems to the leading one). For :math:`n = 2` it is
  :math:`C = \sqrt{(1 - |U_1 - U_2|) \cdot \min U / \max U}`. Both factors lie in [0, 1], so does
  :math:`C`: 1 when all subsystems are equal, 0 when one of them is 0 or the gap is total.
* the older form (``formula="traditional"``, the "normative traditional formula" of the same paper),
  :math:`C = n \cdot [\prod_i U_i / (\sum_i U_i)^n]^{1/n}`, the ratio of the geometric to the arithmetic
  mean of the :math:`U_i`. It depends only on the ratios :math:`U_i / \sum U`, so (0.01, 0.02) and (0.4,
  0.8) are equally "coupled" (:math:`C = 2\sqrt 2 / 3 = 0.943`), and for subsystems of ordinary
  spread it stays close to 1 (two subsystems at 0.2 and 0.8: :math:`C = 0.8`; corrected: 0.316).
  Variants printed without the factor :math:`n`, or with pairwise sums in the denominator, do not even
  reach 1 (:math:`[U_1U_2U_3/((U_1+U_2)(U_1+U_3)(U_2+U_3))]^{1/3} \le 1/2`): see ``docs/coupling.md``.
* the **comprehensive coordination index** :math:`T = \sum_i \alpha_i U_i` (综合协调指数) with weights
  :math:`\alpha_i \ge 0`, :math:`\sum \alpha_i = 1` (equal by default);
* the **coupling coordination degree** :math:`D = \sqrt{C \cdot T}` (耦合协调度), in [0, 1];
* its **level** in the usual ten classes of width 0.1, left-closed (:data:`LEVELS`): ``[0, 0.1)``
  极度失调 … ``[0.9, 1]`` 优质协调;
* the **relative development type**: the lagging subsystem (the smallest :math:`U_i`; the first in the
  given order on a tie), or *synchronous* development when :math:`\max U - \min U \le 0.1`
  (``sync_threshold``).

Degenerate region-years: when every :math:`U_i = 0`, :math:`C` is undefined (0/0) and is NaN with a
warning; :math:`T = 0`, and :math:`D = 0` (its limit: :math:`D \le \sqrt{T}` whatever :math:`C`), level
``extreme_disorder``, no lagging subsystem and not synchronous. When some but not every :math:`U_i` is 0,
:math:`C = 0` and :math:`D = 0` by the formula: the (first) zero subsystem is the lagging one and the
development is never called synchronous, however small the gap; one warning counts these region-years
(a min-max normalised index puts the lowest region-year of every indicator at 0: an additive ``shift``
such as 0.0001 keeps the levels positive, see :func:`subindex_levels`).

Subsystems must be levels in [0, 1]. The sub-indices of an additive composite index
(:math:`\sum_{j \in G} w_j x'_j`, whose scale is the group's total weight) become levels in [0, 1] when
divided by that weight (:func:`subindex_levels`); indices given by a user are never rescaled silently:
values outside [0, 1] are an error that says how to fix them.
"""
from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from .errors import InputError

__all__ = ["LEVELS", "LEVEL_CODES", "FORMULAS", "SYNC_THRESHOLD", "coupling_degree", "coordination_level",
           "coupling_coordination", "subindex_levels", "subsystem_weights"]

#: The ten coordination levels: (code, lower bound); class k holds ``lower_k <= D < lower_{k+1}``, the
#: last one ``0.9 <= D <= 1``.
LEVELS: tuple[tuple[str, float], ...] = (
    ("extreme_disorder", 0.0),           # 极度失调
    ("severe_disorder", 0.1),            # 严重失调
    ("moderate_disorder", 0.2),          # 中度失调
    ("mild_disorder", 0.3),              # 轻度失调
    ("near_disorder", 0.4),              # 濒临失调
    ("barely_coordinated", 0.5),         # 勉强协调
    ("primary_coordination", 0.6),       # 初级协调
    ("intermediate_coordination", 0.7),  # 中级协调
    ("good_coordination", 0.8),          # 良好协调
    ("quality_coordination", 0.9),       # 优质协调
)
LEVEL_CODES: tuple[str, ...] = tuple(c for c, _ in LEVELS)
#: ``wang2021`` (the corrected coupling degree, default) and ``traditional`` (the older form).
FORMULAS = ("wang2021", "traditional")
#: Largest gap ``max U − min U`` still called synchronous development.
SYNC_THRESHOLD = 0.1
#: Rounding tolerance of the class boundaries and of the synchronous threshold.
_TOL = 1e-12


def _check_levels(U: np.ndarray, names: Sequence[str], rows=None, what: str = "subsystem levels") -> None:
    """InputError unless every value is finite and in [0, 1], naming the first offending cells."""
    bad = ~np.isfinite(U) | (U < 0) | (U > 1)
    if not bad.any():
        return
    r, c = np.nonzero(bad)
    cells = []
    for i, j in zip(r[:8], c[:8]):
        where = f"{rows[i]}" if rows is not None else f"row {i}"
        cells.append(f"{where} / {names[j]} = {U[i, j]:g}")
    more = f" (and {len(r) - 8} more)" if len(r) > 8 else ""
    raise InputError(f"{what} must be finite numbers in [0, 1]: " + "; ".join(cells) + more
                     + "; rescale each index to [0, 1] first (e.g. min-max over all region-years, or divide a "
                       "sub-index of an additive index by its group's total weight) and fill missing values")


def coupling_degree(U, formula: str = "wang2021") -> np.ndarray:
    r"""Coupling degree :math:`C` of every row of ``U`` (rows = region-years, columns = subsystems).

    Parameters
    ----------
    U : array-like, shape (m, n)
        Levels in [0, 1] of :math:`n \ge 2` subsystems.
    formula : {"wang2021", "traditional"}
        The corrected form of Wang et al. (2021) (default) or the older
        :math:`n [\prod U_i / (\sum U_i)^n]^{1/n}` (see the module docstring).

    Returns
    -------
    ndarray, shape (m,)
        :math:`C` in [0, 1]; NaN where every :math:`U_i` is 0 (undefined), with a warning.
    """
    if formula not in FORMULAS:
        raise InputError(f"unknown coupling formula {formula!r}; use one of {', '.join(FORMULAS)}")
    U = np.asarray(U, dtype=float)
    if U.ndim != 2 or U.shape[1] < 2:
        raise InputError(f"the coupling degree needs at least 2 subsystems (columns); got shape {U.shape}")
    _check_levels(U, [f"subsystem {j + 1}" for j in range(U.shape[1])])
    n = U.shape[1]
    top = U.max(axis=1)
    zero = top == 0
    C = np.full(U.shape[0], np.nan)
    ok = ~zero
    V = U[ok]
    if formula == "wang2021":
        # sum_{i<j} |U_i - U_j| = sum_k (2k - n - 1) U_(k) over the ascending order statistics (k = 1..n)
        coef = 2.0 * np.arange(1, n + 1) - n - 1
        gaps = np.sort(V, axis=1) @ coef
        closeness = np.clip(1.0 - gaps / (n * (n - 1) / 2.0), 0.0, 1.0)
        ratio = np.prod(V / top[ok, None], axis=1) ** (1.0 / (n - 1))
        C[ok] = np.sqrt(closeness * ratio)
    else:
        with np.errstate(divide="ignore"):
            gm = np.exp(np.log(V).mean(axis=1))      # 0 when some U_i = 0
        C[ok] = np.clip(gm / V.mean(axis=1), 0.0, 1.0)
    if zero.any():
        warnings.warn(f"coupling degree undefined (every subsystem level is 0) in {int(zero.sum())} "
                      "region-year(s): C is NaN there, D = 0 (its limit) and the level extreme_disorder",
                      UserWarning, stacklevel=2)
    return C


def coordination_level(D) -> np.ndarray:
    """Level code of every coupling coordination degree ``D`` (:data:`LEVELS`, left-closed classes of
    width 0.1, the last ``[0.9, 1]``; a boundary value belongs to the class above it, within a rounding
    tolerance of 1e-12); ``""`` for NaN."""
    D = np.asarray(D, dtype=float)
    lows = np.array([lo for _, lo in LEVELS])
    k = np.searchsorted(lows, D + _TOL, side="right") - 1
    codes = np.array(LEVEL_CODES + ("",), dtype=object)
    k = np.where(np.isfinite(D), np.clip(k, 0, len(LEVELS) - 1), len(LEVELS))
    return codes[k]


def subsystem_weights(weights, names: Sequence[str]) -> np.ndarray:
    r"""Weights :math:`\alpha_i` of the coordination index :math:`T` for the subsystems ``names``.

    ``None`` or an empty sequence gives equal weights :math:`1/n`; a sequence (in the order of ``names``)
    or a mapping name → weight must hold finite non-negative numbers with a positive sum; weights not
    summing to 1 are renormalised with a warning.
    """
    n = len(names)
    if weights is None or (not isinstance(weights, Mapping) and len(weights) == 0):
        return np.full(n, 1.0 / n)
    if isinstance(weights, Mapping):
        unknown = [k for k in weights if k not in names]
        missing = [k for k in names if k not in weights]
        if unknown or missing:
            raise InputError(f"coupling weights name subsystems {unknown} that do not exist and miss {missing}; "
                             f"give one weight per subsystem: {list(names)}")
        vals = [weights[k] for k in names]
    else:
        vals = list(weights)
        if len(vals) != n:
            raise InputError(f"{len(vals)} coupling weight(s) for {n} subsystems {list(names)}; give one per "
                             "subsystem, in that order (or none for equal weights)")
    try:
        a = np.array([float(v) for v in vals])
    except (TypeError, ValueError):
        raise InputError(f"coupling weights must be numbers, got {vals}") from None
    if not np.isfinite(a).all() or (a < 0).any() or a.sum() <= 0:
        raise InputError(f"coupling weights must be finite, non-negative and not all 0, got {vals}")
    if abs(a.sum() - 1.0) > 1e-9:
        warnings.warn(f"coupling weights sum to {a.sum():g}, not 1: renormalised", UserWarning, stacklevel=2)
    return a / a.sum()


def _as_wide(levels: pd.DataFrame) -> pd.DataFrame:
    """``levels`` indexed by (region, year) with one column per subsystem."""
    if not isinstance(levels, pd.DataFrame):
        raise InputError("subsystem levels must be a DataFrame: columns region, year and one column per "
                         f"subsystem (or a (region, year) index); got {type(levels).__name__}")
    df = levels
    if {"region", "year"} <= set(map(str, df.columns)):
        df = df.set_index(["region", "year"])
    if not isinstance(df.index, pd.MultiIndex) or df.index.nlevels != 2:
        raise InputError("subsystem levels need columns region and year (or a (region, year) index) and one "
                         "column per subsystem")
    df.index = df.index.set_names(["region", "year"])
    if df.index.has_duplicates:
        dup = df.index[df.index.duplicated()].unique()[:5].tolist()
        raise InputError(f"subsystem levels repeat region-years {dup}; give one row per region and year")
    bad = [c for c in df.columns if not pd.api.types.is_numeric_dtype(df[c]) or pd.api.types.is_bool_dtype(df[c])]
    if bad:
        raise InputError(f"subsystem column(s) {[str(c) for c in bad]} are not numeric")
    return df


def coupling_coordination(levels: pd.DataFrame, weights=None, *, formula: str = "wang2021",
                          sync_threshold: float = SYNC_THRESHOLD, zero_hint: str = "",
                          labels: Mapping | None = None) -> pd.DataFrame:
    r"""Coupling degree, coordination index, coupling coordination degree, level and the lagging
    subsystem of every region-year.

    Parameters
    ----------
    levels : DataFrame
        Columns ``region``, ``year`` (or a (region, year) index) and one column per subsystem (its id),
        every value in [0, 1] (an error otherwise: nothing is rescaled here). At least 2 subsystems.
    weights : sequence or mapping, optional
        :math:`\alpha_i` of :math:`T = \sum \alpha_i U_i` (see :func:`subsystem_weights`); equal by default.
    formula : {"wang2021", "traditional"}
        Coupling degree :math:`C` (see :func:`coupling_degree`).
    sync_threshold : float, default 0.1
        Development is *synchronous* when :math:`\max_i U_i - \min_i U_i \le` this gap and no
        :math:`U_i` is 0.
    labels : mapping, optional
        Region id → the name shown in messages (the user's spelling); default the ids.
    zero_hint : str, optional
        Appended to the warning about region-years with a subsystem at 0 (why, and how to avoid it).

    Returns
    -------
    DataFrame
        ``region, year, C, T, D, level, lagging, synchronous``, rows as in ``levels``: ``D`` =
        :math:`\sqrt{C T}`; ``level`` a code of :data:`LEVEL_CODES`; ``lagging`` the id of the subsystem
        with the smallest level, the first on a tie (``""`` when synchronous or when every level is 0);
        ``synchronous`` True when the gap between the highest and the lowest level is at most
        ``sync_threshold`` and no level is 0 (where :math:`C = D = 0`).
    """
    df = _as_wide(levels)
    names = [str(c) for c in df.columns]
    if len(names) < 2:
        raise InputError(f"coupling coordination needs at least 2 subsystems, got {names}")
    if not (np.isfinite(sync_threshold) and 0 <= sync_threshold <= 1):
        raise InputError(f"sync_threshold must be in [0, 1], got {sync_threshold!r}")
    U = df.to_numpy(dtype=float)
    rows = [f"{(labels or {}).get(r, r)} {y}" for r, y in df.index]   # regions as the user wrote them
    _check_levels(U, names, rows)
    alpha = subsystem_weights(weights, names)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        C = coupling_degree(U, formula)
    for w in caught:
        warnings.warn(w.message, stacklevel=2)
    T = U @ alpha
    D = np.sqrt(C * T)
    D[np.isnan(C) & (T == 0)] = 0.0
    gap = U.max(axis=1) - U.min(axis=1)
    has_zero = (U == 0).any(axis=1)
    all_zero = (U == 0).all(axis=1)
    sync = (gap <= sync_threshold + _TOL) & ~has_zero    # C = D = 0 is never synchronous development
    lag = np.array(names, dtype=object)[np.argmin(U, axis=1)]    # the first zero one when some U_i = 0
    lag[sync | all_zero] = ""
    some = has_zero & ~all_zero
    if some.any():
        i = int(np.nonzero(some)[0][0])
        from .i18n._reasons import Notice

        hint = ({"@": zero_hint[1:]} if zero_hint.startswith("@") else zero_hint)   # a catalogue text, or as given
        warnings.warn(Notice("coupling_zero", {"n": int(some.sum()), "first": rows[i],
                                               "subsystem": str(names[int(np.argmin(U[i]))]).split(":", 1)[-1],
                                               "hint": hint}),
                      stacklevel=2)
    return pd.DataFrame({
        "region": df.index.get_level_values("region"), "year": df.index.get_level_values("year").astype(int),
        "C": C, "T": T, "D": D, "level": coordination_level(D), "lagging": lag, "synchronous": sync,
    })


def subindex_levels(scores: pd.DataFrame, group_weights: pd.DataFrame, level: str | None = None, *,
                    shift: float = 0.0) -> tuple[pd.DataFrame, pd.Series]:
    r"""The sub-indices of one level of an additive composite index as levels in [0, 1].

    A sub-index is :math:`S_{iG} = \sum_{j \in G} w_j x'_{ij}`; its largest possible value is the
    group's total weight :math:`W_G = \sum_{j \in G} w_j`, so

    .. math:: U_{iG} = \frac{S_{iG} / W_G}{1 + s} = \frac{\sum_{j \in G} (w_j / W_G)\, x'_{ij}}{1 + s}

    is the group's achievement: the within-group weighted mean of the min-max normalised values (0 = the
    worst, 1 = the best region-year on every indicator of the group), divided by :math:`1 + s` for the
    index's additive ``shift`` :math:`s` (min-max values with a shift lie in :math:`[s, 1 + s]`, so the
    levels lie in :math:`[s / (1 + s), 1]`). The shift is kept on purpose: it is how a user keeps the
    worst region-year off 0, where :math:`C = D = 0` whatever the other subsystems
    (:func:`coupling_coordination`); with ``shift = 0`` the worst region-year of a group is exactly 0.

    Parameters
    ----------
    scores : DataFrame
        The index's scores in long form: ``region, year`` and one ``"<level>:<group>"`` column per
        sub-index (:func:`nqpf.index.aggregate`).
    group_weights : DataFrame
        :func:`nqpf.pipeline.group_weights_table`: ``member_level, member, member_weight`` (the total
        weight of the group ``member``).
    level : str, optional
        The level whose groups are the subsystems (``criterion``, ``dimension`` …); default the
        highest level with at least two groups.
    shift : float, default 0
        The additive shift of the index's normalised values (``IndexResult.params["shift"]``).

    Returns
    -------
    (DataFrame, Series)
        The levels (``region, year`` and one column per group, named as the sub-index) and the total
        weight :math:`W_G` each was divided by. Groups of total weight 0 (every indicator weighted 0)
        have no level: they are left out with a warning. An index whose normalised values are not
        min-max values (levels outside [0, 1]) is an error.
    """
    gw = group_weights[group_weights["member_level"] != "indicator"].drop_duplicates("member")
    order = list(dict.fromkeys(gw["member_level"]))
    if not order:
        raise InputError("the index has no groups of indicators: no sub-indices to couple")
    if level is None or level == "auto":
        counts = gw["member_level"].value_counts()
        level = next((lv for lv in order if counts[lv] >= 2), order[0])
    elif level not in order:
        raise InputError(f"the index has no level {level!r}; its levels are {', '.join(order)}")
    members = gw[gw["member_level"] == level]
    cols, scale = [], {}
    for name, wt in zip(members["member"].astype(str), members["member_weight"].astype(float)):
        if name not in scores.columns:
            raise InputError(f"the scores have no sub-index column {name!r}")
        if not wt > 0:
            warnings.warn(f"sub-index {name!r} has total weight 0 (every indicator of it weighted 0): it has "
                          "no level in [0, 1] and is left out of the coupling", UserWarning, stacklevel=2)
            continue
        cols.append(name)
        scale[name] = wt
    out = scores[["region", "year"]].copy()
    for c in cols:
        out[c] = scores[c].to_numpy(dtype=float) / scale[c] / (1.0 + shift)
    if cols:
        A = out[cols].to_numpy(dtype=float)
        off = ~np.isfinite(A) | (A < -1e-9) | (A > 1 + 1e-9)
        if off.any():
            j = int(np.nonzero(off.any(axis=0))[0][0])
            raise InputError(f"sub-index {cols[j]!r} divided by its group weight is not in [0, 1] (range "
                             f"{np.nanmin(A[:, j]):g} to {np.nanmax(A[:, j]):g}): coupling needs an index of "
                             "min-max normalised indicators (normalization='minmax'); give the subsystems' levels "
                             "yourself otherwise")
        out[cols] = np.clip(A, 0.0, 1.0)   # a weighted mean of values in [0, 1] leaves it by rounding only
    return out.reset_index(drop=True), pd.Series(scale, name="scale", dtype=float)
