"""Markov chains of a score panel: classic, spatial (conditioned on the neighbours' class) and the
space-time transitions of local Moran quadrants (LISA Markov), every year at once.

Names follow giddy 2.3 (``giddy.markov``, ``giddy.ergodic``): transition counts ``T``,
probabilities ``P``, steady state ``pi`` (giddy ``steady_state``), mean first passage times ``F``
(giddy ``mfpt``), the Bickenbach–Bode tests ``Q``, ``LR`` with their degrees of freedom ``df``
(giddy ``dof_hom``). The numbers equal giddy's on the same classes (tested to 1e-10); where the
conventions differ it is deliberate and stated here.

Conventions
-----------
* **Classes** (:func:`classify`) are numbered ``1..k`` from low to high (giddy: ``0..k−1``).
  ``basis="pooled"``: quantile breaks of every region-year pooled (the default; giddy's
  ``Spatial_Markov(fixed=True)``, mapclassify's ``Quantiles``: percentiles ``100·j/k`` of
  ``scipy.stats.scoreatpercentile``, linear interpolation); ``basis="yearly_mean"``: the score
  divided by the mean of its year (relative scores, Rey 2001), classified by the given ``breaks`` or
  else by the pooled quantiles of the ratios; ``basis="breaks"``: the user's breaks on the scores.
  Breaks are the ``k − 1`` interior cut points; a value ``x`` is in class ``j`` when
  ``b_{j−1} < x ≤ b_j`` (right-closed, as mapclassify). Tied quantiles collapse (fewer classes,
  with a warning, as mapclassify); fewer regions than classes, or one value only, are refused.
* **Transitions over d years** (:func:`year_pairs`): every pair of years ``(t, t + d)`` present in
  the panel, overlapping (with ``d = 2``: 2010→2012, 2011→2013, …). ``P`` is then the d-year
  transition matrix, the steady state that of the d-year chain, and passage times are counted in
  steps of ``d`` years (``years = steps · d``). giddy counts consecutive columns only (``d = 1``).
* **Empty rows**: a class from which no transition starts has an empty row: ``P`` is NaN there and
  the row is flagged ``empty`` (giddy puts 0, or with ``fill_empty_classes`` a 1 on the diagonal,
  which makes the class absorbing). The steady state and passage times are computed on the classes
  with transitions when no transition enters an empty class (a class nobody is ever in); when one
  does (a class entered only in the last years), the chain is not determined and they are NaN, with a
  warning. So are they when the chain has several closed classes (no unique steady state; giddy
  returns one distribution per closed class).
* **Mean first passage times** ``F[i, j]``: expected steps from ``i`` until ``j`` is first entered;
  ``F[j, j]`` is the mean recurrence time ``1/π_j`` (Kemeny & Snell 1976, as giddy ``mfpt``); ``inf``
  when ``j`` is reached from ``i`` with probability below 1.
* **Spatial Markov** (:func:`spatial_markov`, Rey 2001): a transition is counted in the matrix of the
  class of its region's spatial lag ``Σ_j w_ij y_j`` (row-standardised weights) in the start year.
  Lag classes: ``"lag"`` the pooled quantiles of the lags themselves (giddy, Rey 2001), ``"score"``
  the score's class breaks. Regions without neighbours have no lag: their transitions are left out
  of the spatial chains (with a warning; giddy counts them with lag 0).
* **Homogeneity tests** (:func:`homogeneity`, Bickenbach & Bode 2003, as giddy ``homogeneity``):
  ``Q = Σ_m Σ_i n_i(m) Σ_j (p_ij(m) − p_ij)² / p_ij`` and ``LR = 2 Σ n_ij(m) ln(p_ij(m)/p_ij)``
  over cells with ``n_ij(m) > 0``, ``df = Σ_i (b_i − 1)(a_i − 1)`` (``b_i`` regimes with transitions
  from ``i``, ``a_i`` positive cells of row ``i`` of the pooled matrix); a row without any
  transition contributes 0 (giddy adds ``(−1)(−1) = 1`` for it); ``p`` by ``chi2.sf``; NaN when
  ``df = 0``. Regimes: the lag classes (spatial dependence) or sub-periods (time homogeneity,
  split by the start year of a transition).
* **LISA Markov** (:func:`lisa_markov`, Rey 2001): transitions between the quadrants ``HH, LH, LL,
  HL`` of the local Moran table (:func:`nqpf.spatial.moran_local`: a region at the mean counts as
  low; islands and years with constant scores have no quadrant and their transitions are left out).
  The test of independence of a region's moves and its neighbours' moves is giddy's ``chi_2``
  (expected counts from the Kronecker product of the two 2-state chains, high/low relative to the
  year's mean, of the region and of its lag), with its likelihood-ratio twin
  ``LR = 2 Σ O ln(O/E)``.
* **Rey's transition types** (:func:`lisa_types`): 0 region and neighbours keep their relative
  position (HH→HH …; some literature calls it type IV); I only the region moves (HH→LH, LH→HH,
  LL→HL, HL→LL); II only the neighbours move (HH→HL, HL→HH, LL→LH, LH→LL); IIIA both move in the
  same direction (HH↔LL); IIIB both move in opposite directions (HL↔LH). Cohesion ``S_C = F_0/m``
  (the share of type 0) and flux ``S_F = 1 − S_C``.

References
----------
Rey, S. J. (2001). Spatial empirics for economic growth and convergence. Geographical Analysis
33(3), 195–214. Bickenbach, F., Bode, E. (2003). Evaluating the Markov property in studies of
economic convergence. International Regional Science Review 26(3), 363–392. Kemeny, J. G., Snell,
J. L. (1976). Finite Markov Chains. Springer.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import linalg, sparse, stats
from scipy.sparse import csgraph

from nqpf.errors import InputError
from nqpf.i18n._reasons import Notice

__all__ = [
    "BASES",
    "LAG_CLASSES",
    "LISA_TYPES",
    "TESTS",
    "Classes",
    "Homogeneity",
    "MarkovResult",
    "SpatialMarkovResult",
    "LisaMarkovResult",
    "classify",
    "quantile_breaks",
    "year_pairs",
    "count_transitions",
    "transition_probabilities",
    "steady_state",
    "first_passage_times",
    "homogeneity",
    "markov",
    "spatial_markov",
    "lisa_markov",
    "lisa_types",
]

#: Bases of the classes: pooled quantiles of the scores, ratios to the year's mean, the user's breaks.
BASES = ("pooled", "yearly_mean", "breaks")
#: Classes of the spatial lag: its own pooled quantiles, or the score's breaks.
LAG_CLASSES = ("lag", "score")
#: Rey's (2001) types of LISA transitions, in table order.
LISA_TYPES = ("0", "I", "II", "IIIA", "IIIB")
#: Codes of the tests of ``markov_tests``.
TESTS = ("time_Q", "time_LR", "spatial_Q", "spatial_LR", "lisa_chi2", "lisa_LR")

_QUADRANTS = ("HH", "LH", "LL", "HL")        # giddy / esda q = 1..4
_OWN_HIGH = np.array([True, False, False, True])
_LAG_HIGH = np.array([True, True, False, False])


def _warn(msg, level: int = 3) -> None:
    if isinstance(msg, Warning):   # a Notice: its own category
        warnings.warn(msg, stacklevel=level)
    else:
        warnings.warn(msg, UserWarning, stacklevel=level)


# ------------------------------------------------------------------------------------------ classes
@dataclass(frozen=True)
class Classes:
    """Classes of every region-year.

    Attributes
    ----------
    ids : ndarray of int, shape (n, T)
        Class of each region-year, 0-based (table class = ``ids + 1``); −1 where not classified
        (an island's lag).
    breaks : ndarray
        The ``k − 1`` interior cut points (class ``j`` is ``(b_{j−1}, b_j]``).
    lower, upper : ndarray, shape (k,)
        Bounds of each class as shown: the first class starts at the smallest value (or its break),
        the last ends at the largest.
    basis : str
        Code of how the breaks were found: ``pooled_quantiles``, ``yearly_mean_quantiles``,
        ``yearly_mean_breaks``, ``user_breaks`` (scores); ``lag_quantiles``, ``score_breaks`` (lags).
    values : ndarray, shape (n, T)
        The values classified (scores, ratios to the year's mean, or lags).
    """

    ids: np.ndarray
    breaks: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    basis: str
    values: np.ndarray = field(repr=False)

    @property
    def k(self) -> int:
        return len(self.lower)

    def table(self, variable: str = "score") -> pd.DataFrame:
        """``variable, class, lower, upper, basis, count`` (count: region-years in the class)."""
        ok = self.ids >= 0
        counts = np.bincount(self.ids[ok], minlength=self.k)
        return pd.DataFrame({"variable": variable, "class": np.arange(1, self.k + 1), "lower": self.lower,
                             "upper": self.upper, "basis": self.basis, "count": counts})


def quantile_breaks(values, k: int) -> np.ndarray:
    """Interior quantile breaks of ``values`` for ``k`` classes, as mapclassify's ``Quantiles``.

    Percentiles ``p = 100/k, 200/k, …, 100`` (built as mapclassify builds them) of
    ``scipy.stats.scoreatpercentile`` (linear interpolation); repeated values collapse, so fewer
    than ``k − 1`` breaks come back when ties make quantiles coincide. The last percentile (the
    maximum) is not a break.
    """
    v = np.asarray(values, dtype=float).ravel()
    w = 100.0 / k
    p = np.arange(w, 100 + w, w)
    if p[-1] > 100.0:
        p[-1] = 100.0
    q = np.unique(np.asarray(stats.scoreatpercentile(v, p), dtype=float))
    return q[:-1]


def _check_breaks(breaks, what: str) -> np.ndarray:
    try:
        b = np.asarray([float(x) for x in breaks], dtype=float)
    except (TypeError, ValueError):
        raise InputError(f"{what}: breaks must be numbers, got {list(breaks)!r}") from None
    if b.size == 0 or not np.all(np.isfinite(b)):
        raise InputError(f"{what}: breaks must be finite numbers, got {list(breaks)!r}")
    if np.any(np.diff(b) <= 0):
        raise InputError(f"{what}: breaks must increase strictly, got {b.tolist()}")
    return b


def _bin(values: np.ndarray, breaks: np.ndarray, basis: str, valid=None) -> Classes:
    v = values[valid] if valid is not None else values.ravel()
    lo, hi = float(np.min(v)), float(np.max(v))
    ids = np.searchsorted(breaks, values, side="left").astype(np.int64)
    if valid is not None:
        ids[~valid] = -1
    lower = np.concatenate([[min(lo, breaks[0])], breaks])
    upper = np.concatenate([breaks, [max(hi, breaks[-1])]])
    return Classes(ids=ids, breaks=breaks, lower=lower, upper=upper, basis=basis, values=values)


def _quantile_classes(values: np.ndarray, k: int, basis: str, what: str, valid=None) -> Classes:
    v = values[valid] if valid is not None else values.ravel()
    if np.ptp(v) == 0:
        raise InputError(f"{what}: every value is the same ({v[0]:g}); no classes can be formed "
                         "(constant scores)")
    b = quantile_breaks(v, k)
    if b.size + 1 < k:
        _warn(f"{what}: only {b.size + 1} distinct quantile classes of the {k} asked (tied values make "
              f"quantiles coincide); the chain has {b.size + 1} classes")
    return _bin(values, b, basis, valid)


def classify(Y, k: int = 4, basis: str = "pooled", breaks=None) -> Classes:
    """Classes of every region-year of a score matrix.

    Parameters
    ----------
    Y : DataFrame
        Scores, regions × years, no missing value.
    k : int
        Number of quantile classes (``basis`` ``pooled``, or ``yearly_mean`` without breaks), ≥ 2.
    basis : {"pooled", "yearly_mean", "breaks"}
        See the module notes.
    breaks : sequence of float, optional
        Interior cut points, strictly increasing (``k = len(breaks) + 1``): on the scores for
        ``basis="breaks"``, on the ratios to the year's mean for ``basis="yearly_mean"``.

    Returns
    -------
    Classes

    Raises
    ------
    InputError
        Unknown basis; breaks missing (``basis="breaks"``) or given with ``basis="pooled"``; fewer
        regions than classes; constant values; a year whose mean is not positive (ratios).
    """
    what = "markov classes"
    X = _score_array(Y, what)
    basis = str(basis).lower()
    if basis not in BASES:
        raise InputError(f"{what}: basis must be one of {BASES}, got {basis!r}")
    breaks = list(breaks or [])
    if basis == "breaks" and not breaks:
        raise InputError(f"{what}: basis 'breaks' needs the class breaks (e.g. breaks=[0.1, 0.2, 0.3])")
    if basis == "pooled" and breaks:
        raise InputError(f"{what}: breaks were given but basis is 'pooled' (quantiles); use basis='breaks' "
                         "for breaks on the scores or basis='yearly_mean' for breaks on the ratios to the "
                         "year's mean")
    kk = len(breaks) + 1 if breaks else int(k)
    if kk < 2:
        raise InputError(f"{what}: need at least 2 classes, got {kk}")
    if X.shape[0] < kk:
        raise InputError(f"{what}: {X.shape[0]} regions per year cannot fill {kk} classes; use at most "
                         f"{X.shape[0]} classes")
    if basis == "yearly_mean":
        mean = X.mean(axis=0)
        if np.any(mean <= 0):
            bad = [Y.columns[j] for j in np.flatnonzero(mean <= 0)]
            raise InputError(f"{what}: the mean score of year(s) {bad} is not positive; ratios to the "
                             "year's mean are undefined")
        X = X / mean
    if breaks:
        b = _check_breaks(breaks, what)
        return _bin(X, b, "yearly_mean_breaks" if basis == "yearly_mean" else "user_breaks")
    return _quantile_classes(X, kk, f"{basis}_quantiles", what)


def _score_array(Y, what: str) -> np.ndarray:
    if not isinstance(Y, pd.DataFrame):
        raise InputError(f"{what}: expected a DataFrame of scores (index = regions, columns = years)")
    try:
        X = Y.to_numpy(dtype=float)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{what}: score matrix has non-numeric values ({exc})") from None
    if X.size == 0:
        raise InputError(f"{what}: the score matrix is empty")
    if not np.all(np.isfinite(X)):
        r, c = np.nonzero(~np.isfinite(X))
        raise InputError(f"{what}: missing or infinite score at region {Y.index[r[0]]!r}, year "
                         f"{Y.columns[c[0]]!r} ({len(r)} cells); interpolate or drop them first")
    return X


# -------------------------------------------------------------------------------------- transitions
def year_pairs(years, d: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Column indices ``(a, b)`` of every pair of years ``(t, t + d)`` present in ``years``.

    Raises
    ------
    InputError
        ``d`` not a whole number ≥ 1, or no such pair (``d`` longer than the panel).
    """
    if isinstance(d, bool) or not float(d).is_integer() or int(d) < 1:
        raise InputError(f"markov: the transition lag d must be a whole number of years ≥ 1, got {d!r}")
    d = int(d)
    years = [int(y) for y in years]
    where = {y: j for j, y in enumerate(years)}
    a = np.array([j for j, y in enumerate(years) if y + d in where], dtype=np.int64)
    b = np.array([where[years[j] + d] for j in a], dtype=np.int64)
    if a.size == 0:
        raise InputError(f"markov: no pair of years {d} year(s) apart in the panel ({years[0]}–{years[-1]}); "
                         f"use a lag d of at most {years[-1] - years[0]}")
    return a, b


def count_transitions(ids: np.ndarray, a: np.ndarray, b: np.ndarray, k: int, cond: np.ndarray | None = None,
                      m: int = 1) -> np.ndarray:
    """Transition counts of every region between the column pairs ``(a, b)``, all at once.

    ``ids`` are 0-based classes (−1: left out); ``cond`` optional 0-based regimes of the start
    year (``n × T``, −1: left out). Returns ``(m, k, k)`` counts ``T[r, i, j]``.
    """
    i = ids[:, a].ravel()
    j = ids[:, b].ravel()
    r = np.zeros_like(i) if cond is None else cond[:, a].ravel()
    ok = (i >= 0) & (j >= 0) & (r >= 0)
    code = (r[ok] * k + i[ok]) * k + j[ok]
    return np.bincount(code, minlength=m * k * k).reshape(m, k, k).astype(float)


def transition_probabilities(T) -> np.ndarray:
    """Row proportions of counts ``T`` (last two axes); NaN rows where no transition starts."""
    T = np.asarray(T, dtype=float)
    n = T.sum(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, T / np.where(n > 0, n, 1.0), np.nan)


# ----------------------------------------------------------------------------------- ergodic parts
def _support(P: np.ndarray):
    """States with transitions, and whether the chain on them is closed (no mass into the others)."""
    P = np.asarray(P, dtype=float)
    live = ~np.isnan(P).any(axis=1)
    closed = not np.any(P[np.ix_(live, ~live)] > 0)
    return live, closed


def _chain_status(P: np.ndarray) -> str:
    """``ok``, ``entered_empty`` (a class without transitions out is entered) or ``several_closed``."""
    live, closed = _support(P)
    if not live.any() or not closed:
        return "entered_empty"
    Q = np.asarray(P)[np.ix_(live, live)]
    return "ok" if len(_closed_classes(Q)) == 1 else "several_closed"


def _closed_classes(Q: np.ndarray) -> list[np.ndarray]:
    """Closed communicating classes (recurrent classes) of the stochastic matrix ``Q``."""
    A = sparse.csr_matrix(Q > 0)
    nc, lab = csgraph.connected_components(A, directed=True, connection="strong")
    out = []
    for c in range(nc):
        members = np.flatnonzero(lab == c)
        leaves = Q[np.ix_(members, np.flatnonzero(lab != c))]
        if not np.any(leaves > 0):
            out.append(members)
    return out


def steady_state(P) -> np.ndarray:
    """Stationary distribution ``π`` (``π P = π``, ``Σ π = 1``) of a transition matrix.

    Rows of NaN (classes without transitions) are treated as in the module notes: classes nobody
    enters get ``π = 0``; if an empty class is entered, or the chain has several closed classes,
    the steady state is not unique and every value is NaN (the caller warns). With one closed class
    the distribution is unique (0 on transient classes), as giddy / quantecon.
    """
    P = np.asarray(P, dtype=float)
    k = P.shape[0]
    if _chain_status(P) != "ok":
        return np.full(k, np.nan)
    live, _ = _support(P)
    Q = P[np.ix_(live, live)]
    (C,) = _closed_classes(Q)
    Pc = Q[np.ix_(C, C)]
    c = len(C)
    A = (np.eye(c) - Pc).T
    A[-1, :] = 1.0
    rhs = np.zeros(c)
    rhs[-1] = 1.0
    sol = linalg.solve(A, rhs)
    sub = np.zeros(Q.shape[0])
    sub[C] = sol
    pi = np.zeros(k)
    pi[live] = sub
    return pi


def first_passage_times(P) -> np.ndarray:
    """Mean first passage times ``F[i, j]`` (steps) of a transition matrix.

    ``F[i, j]`` solves ``F[i, j] = 1 + Σ_{l ≠ j} P[i, l] F[l, j]``; ``F[j, j] = 1 + Σ_{l ≠ j} P[j, l]
    F[l, j]`` is the mean recurrence time (``1/π_j`` for an ergodic chain; Kemeny & Snell 1976,
    giddy ``mfpt``). ``inf`` where ``j`` is reached from ``i`` with probability below 1. NaN in the
    rows and columns of classes without transitions, and everywhere when the chain is not
    determined (an empty class is entered).
    """
    P = np.asarray(P, dtype=float)
    k = P.shape[0]
    F = np.full((k, k), np.nan)
    live, closed = _support(P)
    if not closed or not live.any():
        return F
    idx = np.flatnonzero(live)
    Q = P[np.ix_(live, live)]
    back = sparse.csr_matrix(Q.T > 0)          # edges reversed: who can reach j
    s = len(idx)
    for jj in range(s):
        others = np.delete(np.arange(s), jj)
        reach = np.zeros(s, dtype=bool)
        reach[csgraph.breadth_first_order(back, jj, directed=True, return_predecessors=False)] = True
        bad = ~reach
        bad[jj] = False
        while True:   # states that may move to a state that never reaches j
            grow = bad | ((Q[:, bad] > 0).any(axis=1) & (np.arange(s) != jj))
            if np.array_equal(grow, bad):
                break
            bad = grow
        good = others[~bad[others]]
        m = np.full(s, np.inf)
        if good.size:
            m[good] = linalg.solve(np.eye(good.size) - Q[np.ix_(good, good)], np.ones(good.size))
        row = Q[jj, others]
        rec = 1.0 + (np.sum(row[row > 0] * m[others][row > 0]) if np.any(row > 0) else 0.0)
        m[jj] = rec
        F[idx, idx[jj]] = m
    return F


# ------------------------------------------------------------------------------------------ tests
class Homogeneity(NamedTuple):
    """Bickenbach–Bode test of equal transition probabilities across regimes."""

    Q: float
    LR: float
    df: int
    p_Q: float
    p_LR: float


def homogeneity(M) -> Homogeneity:
    """Q and LR tests that the ``m`` transition matrices ``M`` (``m × k × k`` counts) share one
    transition matrix (Bickenbach & Bode 2003; giddy ``homogeneity``; formulas in the module notes).

    ``p`` values are ``chi2.sf(statistic, df)``, NaN when ``df = 0`` (nothing to compare).
    """
    M = np.asarray(M, dtype=float)
    T = M.sum(axis=0)
    p = transition_probabilities(T)
    p = np.nan_to_num(p, nan=0.0)
    pm = np.nan_to_num(transition_probabilities(M), nan=0.0)
    nim = M.sum(axis=2)                                   # (m, k)
    den = np.where(p == 0, 1.0, p)
    Q = float(np.sum(nim[:, :, None] * (pm - p) ** 2 / den))
    mask = (M > 0) & (p > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        LR = float(2.0 * np.sum(np.where(mask, M * np.log(np.where(mask, pm, 1.0) / np.where(mask, p, 1.0)), 0.0)))
    b = (nim > 0).sum(axis=0)
    a = (T > 0).sum(axis=1)
    df = int(np.sum(np.maximum(b - 1, 0) * np.maximum(a - 1, 0)))
    pq, plr = (float(stats.chi2.sf(x, df)) if df > 0 else np.nan for x in (Q, LR))
    return Homogeneity(Q, LR, df, pq, plr)


def _chi2_vs(T: np.ndarray, E: np.ndarray) -> tuple[float, float, int, float, float]:
    """giddy's ``chi2(T, E)`` (observed ``T`` against the row proportions of ``E`` scaled to the
    row totals of ``T``; a cell with expectation 0 divides by 1) and the matching LR
    ``2 Σ_{T>0} T ln(T/E)``: ``(chi2, p, df, LR, p_LR)``, ``df = (rows of T with transitions − 1)
    · (rows of E with mass − 1)``."""
    rs1, rs2 = T.sum(axis=1), E.sum(axis=1)
    df = int((np.sum(rs1 > 0) - 1) * (np.sum(rs2 > 0) - 1))
    Ex = rs1[:, None] * (E / np.where(rs2 > 0, rs2, 1.0)[:, None])
    chi = float(np.sum((T - Ex) ** 2 / np.where(Ex == 0, 1.0, Ex)))
    pos = T > 0
    if np.any(pos & (Ex == 0)):
        lr = np.inf
    else:
        lr = float(2.0 * np.sum(T[pos] * np.log(T[pos] / Ex[pos])))
    pc, pl = (float(stats.chi2.sf(x, df)) if df > 0 else np.nan for x in (chi, lr))
    return chi, pc, df, lr, pl


# -------------------------------------------------------------------------------------- the chains
@dataclass(frozen=True)
class MarkovResult:
    """Classic Markov chain of a score panel (:func:`markov`).

    Attributes
    ----------
    T, P : ndarray (k, k)
        Counts and probabilities (NaN rows where no transition starts).
    pi : ndarray (k,)
        Steady state (NaN when not unique).
    F : ndarray (k, k)
        Mean first passage times in steps of ``d`` years.
    initial, final : ndarray (k,)
        Shares of the regions in each class in the first and the last year.
    classes : Classes
    d : int
    status : str
        ``ok``, ``entered_empty`` or ``several_closed`` (see :func:`steady_state`).
    split_year : int or None
        First start year of the second sub-period of the homogeneity test.
    time_test : Homogeneity or None
        Homogeneity over the two sub-periods.
    T_periods : ndarray (2, k, k) or None
    """

    T: np.ndarray
    P: np.ndarray
    pi: np.ndarray
    F: np.ndarray
    initial: np.ndarray
    final: np.ndarray
    classes: Classes
    d: int
    status: str
    split_year: int | None = None
    time_test: Homogeneity | None = None
    T_periods: np.ndarray | None = None

    @property
    def k(self) -> int:
        return self.classes.k

    @property
    def empty(self) -> np.ndarray:
        return self.T.sum(axis=1) == 0

    def transitions_table(self) -> pd.DataFrame:
        """``from_class, to_class, count, p, empty`` (classes 1..k; the ``markov`` table)."""
        return _matrix_table(self.T, self.P, ("from_class", "to_class"), np.arange(1, self.k + 1))

    def steady_state_table(self) -> pd.DataFrame:
        """``class, initial, final, steady_state, empty``."""
        return pd.DataFrame({"class": np.arange(1, self.k + 1), "initial": self.initial, "final": self.final,
                             "steady_state": self.pi, "empty": self.empty})

    def first_passage_table(self) -> pd.DataFrame:
        """``from_class, to_class, steps, years`` (years = steps · d)."""
        k = self.k
        i, j = np.divmod(np.arange(k * k), k)
        return pd.DataFrame({"from_class": i + 1, "to_class": j + 1, "steps": self.F.ravel(),
                             "years": self.F.ravel() * self.d})

    def tests_table(self) -> pd.DataFrame:
        """Rows ``time_Q``, ``time_LR`` of the tests table (none without a split)."""
        if self.time_test is None:
            return _tests_frame([])
        h, n = self.time_test, int(self.T.sum())
        return _tests_frame([("time_Q", h.Q, h.df, h.p_Q, 2, n), ("time_LR", h.LR, h.df, h.p_LR, 2, n)])


def _matrix_table(T, P, names, labels) -> pd.DataFrame:
    k = len(labels)
    i, j = np.divmod(np.arange(k * k), k)
    labels = np.asarray(labels, dtype=object if isinstance(labels[0], str) else None)
    return pd.DataFrame({names[0]: labels[i], names[1]: labels[j], "count": T.ravel().astype(np.int64),
                         "p": P.ravel(), "empty": np.repeat(T.sum(axis=1) == 0, k)})


def _tests_frame(rows) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["test", "statistic", "df", "p", "regimes", "transitions"])
    return df.astype({"statistic": float, "df": np.int64, "p": float, "regimes": np.int64,
                      "transitions": np.int64})


def _shares(ids: np.ndarray, k: int) -> np.ndarray:
    ok = ids >= 0
    c = np.bincount(ids[ok], minlength=k).astype(float)
    return c / c.sum() if c.sum() else np.full(k, np.nan)


def _describe_empty(T: np.ndarray, what: str, label=lambda i: f"class {i + 1}") -> None:
    rows = np.flatnonzero(T.sum(axis=1) == 0)
    if rows.size:
        entered = [label(i) for i in rows if T[:, i].sum() > 0]
        _warn(f"{what}: no transition starts in {', '.join(label(i) for i in rows)}: those rows are empty "
              "(probabilities NaN, flagged 'empty')"
              + (f"; {', '.join(entered)} is entered but never left, so the steady state and passage "
                 "times are undefined (NaN)" if entered else ""), level=4)


def _status_warning(status: str, what: str) -> None:
    if status == "several_closed":
        _warn(f"{what}: the chain has several closed classes: its long-run distribution depends on the start "
              "class, so there is no single steady state (NaN)", level=4)


def markov(Y, *, k: int = 4, basis: str = "pooled", breaks=None, d: int = 1, split_year: int | None = None,
           classes: Classes | None = None) -> MarkovResult:
    """Classic Markov chain of the classes of a score panel.

    Parameters
    ----------
    Y : DataFrame
        Scores, regions × years (int years, in order).
    k, basis, breaks
        Classes (:func:`classify`); ignored when ``classes`` is given.
    d : int
        Transition lag in years (pairs ``(t, t + d)``, overlapping).
    split_year : int, optional
        Transitions starting before it form the first sub-period of the time homogeneity test,
        the others the second. Default: the middle start year (``starts[len(starts) // 2]``, the
        first half has the fewer start years when their number is odd). No test when the panel
        has a single start year.
    classes : Classes, optional
        Precomputed classes.

    Returns
    -------
    MarkovResult

    Raises
    ------
    InputError
        See :func:`classify` and :func:`year_pairs`; a ``split_year`` that leaves a sub-period
        without transitions.
    """
    C = classes if classes is not None else classify(Y, k, basis, breaks)
    years = [int(y) for y in Y.columns]
    a, b = year_pairs(years, d)
    kk = C.k
    T = count_transitions(C.ids, a, b, kk)[0]
    P = transition_probabilities(T)
    _describe_empty(T, "markov")
    status = _chain_status(P)
    _status_warning(status, "markov")
    starts = np.array([years[j] for j in a])
    split, test, Tp = _time_split(C.ids, a, b, kk, starts, split_year, d)
    return MarkovResult(T=T, P=P, pi=steady_state(P), F=first_passage_times(P), initial=_shares(C.ids[:, 0], kk),
                        final=_shares(C.ids[:, -1], kk), classes=C, d=int(d), status=status, split_year=split,
                        time_test=test, T_periods=Tp)


def _time_split(ids, a, b, k, starts, split_year, d):
    uniq = np.unique(starts)
    if split_year is None:
        if uniq.size < 2:
            return None, None, None
        split_year = int(uniq[uniq.size // 2])
    split_year = int(split_year)
    early = starts < split_year
    if early.all() or not early.any():
        raise InputError(f"markov: split_year {split_year} leaves a sub-period without transitions; transitions "
                         f"of {d} year(s) start in {uniq[0]}–{uniq[-1]}, so split_year must be in "
                         f"{uniq[0] + 1}–{uniq[-1]}")
    M = np.stack([count_transitions(ids, a[early], b[early], k)[0],
                  count_transitions(ids, a[~early], b[~early], k)[0]])
    h = homogeneity(M)
    if h.df == 0:
        _warn("markov: the time homogeneity test has 0 degrees of freedom (no class is left in both "
              "sub-periods to more than one class); p is NaN")
    return split_year, h, M


@dataclass(frozen=True)
class SpatialMarkovResult:
    """Spatial Markov chains (:func:`spatial_markov`).

    Attributes
    ----------
    T, P : ndarray (m, k, k)
        Counts and probabilities conditioned on the lag class (NaN rows where empty).
    S : ndarray (m, k)
        Steady state of each conditional chain (NaN rows where not unique or not determined).
    F : ndarray (m, k, k)
        Mean first passage times (steps of ``d`` years).
    classes, lag_classes : Classes
    test : Homogeneity
        Q and LR tests of spatial dependence (homogeneity across lag classes).
    n_islands : int
        Regions without neighbours (left out).
    """

    T: np.ndarray
    P: np.ndarray
    S: np.ndarray
    F: np.ndarray
    classes: Classes
    lag_classes: Classes
    test: Homogeneity
    d: int
    n_islands: int = 0
    status: tuple = ()

    @property
    def m(self) -> int:
        return self.T.shape[0]

    @property
    def k(self) -> int:
        return self.T.shape[1]

    def transitions_table(self) -> pd.DataFrame:
        """``lag_class, from_class, to_class, count, p, empty`` (the ``spatial_markov`` table)."""
        m, k = self.m, self.k
        parts = [_matrix_table(self.T[r], self.P[r], ("from_class", "to_class"), np.arange(1, k + 1))
                 for r in range(m)]
        out = pd.concat(parts, ignore_index=True)
        out.insert(0, "lag_class", np.repeat(np.arange(1, m + 1), k * k))
        return out

    def steady_state_table(self) -> pd.DataFrame:
        """``lag_class, class, steady_state, empty``."""
        m, k = self.m, self.k
        return pd.DataFrame({"lag_class": np.repeat(np.arange(1, m + 1), k), "class": np.tile(np.arange(1, k + 1), m),
                             "steady_state": self.S.ravel(), "empty": (self.T.sum(axis=2) == 0).ravel()})

    def first_passage_table(self) -> pd.DataFrame:
        """``lag_class, from_class, to_class, steps, years``."""
        m, k = self.m, self.k
        r, rest = np.divmod(np.arange(m * k * k), k * k)
        i, j = np.divmod(rest, k)
        return pd.DataFrame({"lag_class": r + 1, "from_class": i + 1, "to_class": j + 1, "steps": self.F.ravel(),
                             "years": self.F.ravel() * self.d})

    def tests_table(self) -> pd.DataFrame:
        """Rows ``spatial_Q``, ``spatial_LR``."""
        h, n = self.test, int(self.T.sum())
        return _tests_frame([("spatial_Q", h.Q, h.df, h.p_Q, self.m, n), ("spatial_LR", h.LR, h.df, h.p_LR, self.m, n)])


def _row_standardised(w, ids):
    from nqpf.spatial._common import sparse_weights

    S, card = sparse_weights(w, ids, "r", "spatial_markov")
    return S, card == 0


def spatial_markov(Y, w, *, k: int = 4, basis: str = "pooled", breaks=None, d: int = 1, lag_classes: str = "lag",
                   classes: Classes | None = None) -> SpatialMarkovResult:
    """Markov chains conditioned on the class of the neighbours' spatial lag (Rey 2001).

    Parameters
    ----------
    Y : DataFrame
        Scores, regions × years.
    w : libpysal.weights.W
        Spatial weights of ``Y.index`` (row-standardised here; ``w`` is not modified).
    k, basis, breaks, classes
        Classes of the scores (:func:`classify`); the lag is the lag of the values classified
        (scores, or ratios to the year's mean).
    d : int
        Transition lag in years; the lag class is that of the start year.
    lag_classes : {"lag", "score"}
        ``"lag"``: ``k`` pooled quantile classes of the lags (giddy, Rey 2001); ``"score"``: the
        score's breaks.

    Returns
    -------
    SpatialMarkovResult
    """
    lag_classes = str(lag_classes).lower()
    if lag_classes not in LAG_CLASSES:
        raise InputError(f"spatial_markov: lag_classes must be one of {LAG_CLASSES}, got {lag_classes!r}")
    C = classes if classes is not None else classify(Y, k, basis, breaks)
    S, island = _row_standardised(w, list(Y.index))
    lag = np.asarray(S @ C.values)
    valid = np.broadcast_to(~island[:, None], lag.shape)
    if island.any():
        _warn(Notice("spatial_markov_islands", {"n": int(island.sum())}))
    if lag_classes == "score":
        L = _bin(lag, C.breaks, "score_breaks", valid)
    else:
        L = _quantile_classes(lag, C.k, "lag_quantiles", "spatial_markov lag classes", valid)
    years = [int(y) for y in Y.columns]
    a, b = year_pairs(years, d)
    T = count_transitions(C.ids, a, b, C.k, cond=L.ids, m=L.k)
    P = transition_probabilities(T)
    empty_rows = int((T.sum(axis=2) == 0).sum())
    if empty_rows:
        _warn(Notice("spatial_markov_empty_rows", {"n": empty_rows, "total": L.k * C.k}))
    status = tuple(_chain_status(P[r]) for r in range(L.k))
    S_ = np.vstack([steady_state(P[r]) for r in range(L.k)])
    F = np.stack([first_passage_times(P[r]) for r in range(L.k)])
    test = homogeneity(T)
    if test.df == 0:
        _warn("spatial_markov: the Q and LR tests have 0 degrees of freedom; p is NaN")
    return SpatialMarkovResult(T=T, P=P, S=S_, F=F, classes=C, lag_classes=L, test=test, d=int(d),
                               n_islands=int(island.sum()), status=status)


# ------------------------------------------------------------------------------------ LISA Markov
@dataclass(frozen=True)
class LisaMarkovResult:
    """Transitions between local Moran quadrants (:func:`lisa_markov`).

    Attributes
    ----------
    T, P, E : ndarray (4, 4)
        Counts, probabilities (NaN rows where empty) and expected counts under independence of the
        region's and its neighbours' moves (giddy ``expected_t``), quadrants ``HH, LH, LL, HL``.
    chi2, p_chi2, df, LR, p_LR : float
        Test of independence (giddy ``chi_2``) and its likelihood-ratio twin.
    types : DataFrame
        Rey's transition types per year pair and pooled (:func:`lisa_types`).
    """

    T: np.ndarray
    P: np.ndarray
    E: np.ndarray
    chi2: float
    p_chi2: float
    df: int
    LR: float
    p_LR: float
    types: pd.DataFrame
    d: int

    def transitions_table(self) -> pd.DataFrame:
        """``from_quadrant, to_quadrant, count, p, expected, empty`` (the ``lisa_markov`` table)."""
        t = _matrix_table(self.T, self.P, ("from_quadrant", "to_quadrant"), list(_QUADRANTS))
        t.insert(4, "expected", self.E.ravel())
        return t

    def tests_table(self) -> pd.DataFrame:
        """Rows ``lisa_chi2``, ``lisa_LR`` (``regimes`` 1: one chain, observed against expected)."""
        n = int(self.T.sum())
        return _tests_frame([("lisa_chi2", self.chi2, self.df, self.p_chi2, 1, n),
                             ("lisa_LR", self.LR, self.df, self.p_LR, 1, n)])


def _quadrant_matrix(local: pd.DataFrame, years=None) -> tuple[np.ndarray, list[int]]:
    need = {"region", "year", "quadrant"}
    if not isinstance(local, pd.DataFrame) or not need <= set(local.columns):
        raise InputError(f"lisa_markov: expected the local Moran table with columns {sorted(need)} "
                         "(output of nqpf.spatial.moran_local)")
    q = local["quadrant"]
    # anything but a quadrant (no quadrant: "" or NaN) is code -1, as pandas gives unknown categories
    codes = pd.Categorical(q.where(q.isin(_QUADRANTS)), categories=_QUADRANTS).codes
    frame = pd.DataFrame({"region": local["region"].to_numpy(), "year": local["year"].astype(int).to_numpy(),
                          "q": codes})
    if frame.duplicated(["region", "year"]).any():
        raise InputError("lisa_markov: the local Moran table has a region-year twice")
    wide = frame.pivot(index="region", columns="year", values="q")
    wide = wide.reindex(columns=sorted(wide.columns)) if years is None else wide.reindex(columns=list(years))
    return wide.fillna(-1).to_numpy(dtype=np.int64), [int(c) for c in wide.columns]


def lisa_markov(local: pd.DataFrame, d: int = 1) -> LisaMarkovResult:
    """Markov chain of the local Moran quadrants, the independence test and Rey's transition types.

    Parameters
    ----------
    local : DataFrame
        The local Moran table (``region, year, quadrant``; ``quadrant`` one of ``HH, LH, LL, HL``,
        empty for islands and years with constant scores, whose transitions are left out).
    d : int
        Transition lag in years.

    Returns
    -------
    LisaMarkovResult
    """
    Q, years = _quadrant_matrix(local)
    a, b = year_pairs(years, d)
    if np.any(Q < 0):
        _warn(Notice("lisa_markov_no_quadrant", {"n": int(np.sum(Q < 0))}))
    T = count_transitions(Q, a, b, 4)[0]
    if T.sum() == 0:
        raise InputError("lisa_markov: no region has a quadrant in both years of any pair")
    P = transition_probabilities(T)
    _describe_empty(T, "lisa_markov", label=lambda i: _QUADRANTS[i])
    # the region's own (high/low) and its lag's chains from the same transitions (giddy: r < 1, wr < 1)
    own = np.where(Q >= 0, np.where(_OWN_HIGH[np.maximum(Q, 0)], 0, 1), -1)
    lagc = np.where(Q >= 0, np.where(_LAG_HIGH[np.maximum(Q, 0)], 0, 1), -1)
    both = (Q[:, a] >= 0) & (Q[:, b] >= 0)
    own_T = _masked_counts(own, a, b, both, 2)
    lag_T = _masked_counts(lagc, a, b, both, 2)
    Py = np.nan_to_num(transition_probabilities(own_T), nan=0.0)
    Pl = np.nan_to_num(transition_probabilities(lag_T), nan=0.0)
    K = np.kron(Py, Pl)                       # joint state 2·own + lag: HH 0, HL 1, LH 2, LL 3
    order = [0, 2, 3, 1]                       # HH, LH, LL, HL
    E = T.sum(axis=1)[:, None] * K[np.ix_(order, order)]
    chi, pc, df, lr, pl = _chi2_vs(T, E)
    return LisaMarkovResult(T=T, P=P, E=E, chi2=chi, p_chi2=pc, df=df, LR=lr, p_LR=pl,
                            types=lisa_types(local, d, _matrix=(Q, years)), d=int(d))


def _masked_counts(ids, a, b, keep, k):
    i = ids[:, a][keep]
    j = ids[:, b][keep]
    return np.bincount(i * k + j, minlength=k * k).reshape(k, k).astype(float)


def lisa_types(local: pd.DataFrame, d: int = 1, *, _matrix=None) -> pd.DataFrame:
    """Rey's (2001) types of the quadrant transitions, per pair of years and pooled.

    Returns
    -------
    DataFrame
        One row per pair ``(year_from, year_to)`` and a last row ``pooled`` (``year_from`` the first
        start year, ``year_to`` the last end year): ``year_from, year_to, pooled, transitions,
        type_0, type_I, type_II, type_IIIA, type_IIIB`` (counts), ``share_0 … share_IIIB`` (shares
        of ``transitions``), ``cohesion`` (= ``share_0``) and ``flux`` (= 1 − cohesion); shares are
        NaN for a pair without transitions.
    """
    Q, years = _matrix if _matrix is not None else _quadrant_matrix(local)
    a, b = year_pairs(years, d)
    q0, q1 = Q[:, a], Q[:, b]
    ok = (q0 >= 0) & (q1 >= 0)
    o0, o1 = _OWN_HIGH[np.maximum(q0, 0)], _OWN_HIGH[np.maximum(q1, 0)]
    l0, l1 = _LAG_HIGH[np.maximum(q0, 0)], _LAG_HIGH[np.maximum(q1, 0)]
    own_moves, lag_moves = o0 != o1, l0 != l1
    same_way = (o1 & ~o0) == (l1 & ~l0)       # both up or both down
    typ = np.where(~own_moves & ~lag_moves, 0, np.where(own_moves & ~lag_moves, 1, np.where(
        ~own_moves & lag_moves, 2, np.where(same_way, 3, 4))))
    pair = np.broadcast_to(np.arange(a.size), typ.shape)
    ntype = len(LISA_TYPES)
    counts = np.bincount((pair[ok] * ntype + typ[ok]), minlength=a.size * ntype).reshape(a.size, ntype)
    counts = np.vstack([counts, counts.sum(axis=0)])
    total = counts.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = counts / np.where(total > 0, total, np.nan)[:, None]
    yrs = np.asarray(years)
    out = pd.DataFrame({"year_from": np.append(yrs[a], yrs[a].min()), "year_to": np.append(yrs[b], yrs[b].max()),
                        "pooled": np.append(np.zeros(a.size, bool), True), "transitions": total})
    for c, name in enumerate(LISA_TYPES):
        out[f"type_{name}"] = counts[:, c]
    for c, name in enumerate(LISA_TYPES):
        out[f"share_{name}"] = shares[:, c]
    out["cohesion"] = shares[:, 0]
    out["flux"] = 1.0 - shares[:, 0]
    return out
