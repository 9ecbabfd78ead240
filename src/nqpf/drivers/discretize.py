"""Discretisation of continuous factors into strata for the geographical detector, and the optimal-
parameters search (OPGD; Song, Wang, Ge & Xu 2020).

Five methods (codes as in the R package ``GD`` of Song et al.), each giving ``k`` classes closed on the
right, the first also on the left (``[min, b_1], (b_1, b_2], …, (b_{k−1}, max]``: a value on a break
belongs to the lower class, as :mod:`mapclassify`'s ``yb``):

``equal``
    equal intervals: ``b_j = min + j · (max − min)/k``.
``quantile``
    quantiles: ``b_j`` the ``j/k`` quantile with linear interpolation (R ``quantile`` type 7,
    :func:`numpy.quantile`, :class:`mapclassify.Quantiles`); tied quantiles leave empty classes.
``natural``
    natural breaks: Fisher's (1958) exact optimum, the ``k`` classes of least within sum of squared
    deviations (what :class:`mapclassify.FisherJenks` and Jenks's method compute), by dynamic
    programming over the distinct values, vectorised over groups with the monotone split points of a
    Monge cost (divide and conquer): ``O(k · m log m)`` for ``m`` distinct values.
``geometric``
    geometric intervals: ``b_j = a · r^j − c`` with ``a = min + c``, ``r = ((max + c)/a)^{1/k}`` and the
    shift ``c = 0`` if ``min > 0``, else ``c = 1 − min`` (the values are shifted to start at 1, as the
    ``+ 1`` of the R package ``GD`` for non-negative data): class widths grow by the factor ``r``.
``sd``
    standard deviation: ``b_j = x̄ + (j − k/2) · s`` (``s`` the sample standard deviation): classes one
    standard deviation wide centred on the mean, the outer two open-ended (:class:`mapclassify.StdMean`
    with ``multiples = j − k/2``).

A class may be empty (quantile ties, a wide standard-deviation class); strata are the non-empty classes.
Every function works on all groups (years) at once.
"""
from __future__ import annotations

import difflib
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..errors import InputError

__all__ = ["METHODS", "discretize", "breaks", "optimal_discretization", "search", "check_method", "check_classes",
           "auto_classes", "AUTO_MIN_CLASSES", "AUTO_MAX_CLASSES", "AUTO_UNITS_PER_CLASS"]

#: Discretisation methods, in the order the optimal search prefers them on equal q.
METHODS: tuple[str, ...] = ("equal", "natural", "quantile", "geometric", "sd")


#: The rule of :func:`auto_classes`: from this many classes …
AUTO_MIN_CLASSES = 3
#: … up to this many …
AUTO_MAX_CLASSES = 8
#: … keeping at least this many units per class on average.
AUTO_UNITS_PER_CLASS = 5


def auto_classes(n_units: int) -> tuple[int, ...]:
    """Numbers of classes searched by default for a detector run on ``n_units`` units.

    Rule: :data:`AUTO_MIN_CLASSES` … ``k_max`` with ``k_max = min(AUTO_MAX_CLASSES, max(AUTO_MIN_CLASSES,
    ⌊n / AUTO_UNITS_PER_CLASS⌋))``: at least five units per stratum on average. The factor detector's q
    grows with the number of strata L even for a factor unrelated to Y (with strata independent of Y,
    E[q] = (L − 1)/(N − 1): the between-strata share of the variance of N values split into L groups),
    and a search over L picks the largest chance q; on a small panel the number of strata must stay
    small. 31 provinces: 3–6; 29: 3–5; 40 units or more: 3–8 (OPGD's usual range); fewer than 20: 3 only.

    Examples
    --------
    >>> auto_classes(31), auto_classes(29), auto_classes(2848), auto_classes(12)
    ((3, 4, 5, 6), (3, 4, 5), (3, 4, 5, 6, 7, 8), (3,))
    """
    n = int(n_units)
    k_max = min(AUTO_MAX_CLASSES, max(AUTO_MIN_CLASSES, n // AUTO_UNITS_PER_CLASS))
    return tuple(range(AUTO_MIN_CLASSES, k_max + 1))


def check_method(method: str, where: str = "discretize") -> str:
    """``method`` if it is one of :data:`METHODS`, else :class:`~nqpf.errors.InputError` (closest
    spelling)."""
    if isinstance(method, str) and method.strip().lower() in METHODS:
        return method.strip().lower()
    close = difflib.get_close_matches(str(method).lower(), METHODS, n=1)
    raise InputError(f"{where}: unknown discretisation method {method!r}"
                     + (f"; did you mean {close[0]!r}?" if close else "") + f" (methods: {', '.join(METHODS)})")


def check_classes(classes, where: str = "classes") -> tuple[int, ...]:
    """Numbers of classes as a sorted tuple of distinct whole numbers ≥ 2 (an int or a sequence)."""
    vals = [classes] if isinstance(classes, (int, np.integer)) and not isinstance(classes, bool) else classes
    try:
        vals = list(vals)
    except TypeError:
        raise InputError(f"{where}: expects a whole number ≥ 2 or a list of them (e.g. 3..8), got {classes!r}") from None
    out = []
    for v in vals:
        if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)) or v != int(v) or v < 2:
            raise InputError(f"{where}: numbers of classes must be whole numbers ≥ 2, got {v!r}")
        out.append(int(v))
    if not out:
        raise InputError(f"{where}: give at least one number of classes (e.g. 5, or 3..8)")
    return tuple(sorted(set(out)))


# ------------------------------------------------------------------------------------ grouped values
class _Groups:
    """Finite values ``x`` with a group index ``g`` (0..G−1), sorted within groups, with per-group
    summaries."""

    def __init__(self, x: np.ndarray, g: np.ndarray, G: int):
        self.order = np.lexsort((x, g))
        self.x, self.g, self.G = x, g, G
        self.xs, self.gs = x[self.order], g[self.order]
        self.n = np.bincount(g, minlength=G)
        self.start = np.concatenate([[0], np.cumsum(self.n)[:-1]])
        has = self.n > 0
        last = max(len(x) - 1, 0)
        self.lo = np.where(has, self.xs[np.minimum(self.start, last)], np.nan) if len(x) else np.full(G, np.nan)
        self.hi = np.where(has, self.xs[np.clip(self.start + self.n - 1, 0, last)], np.nan) if len(x) else np.full(G, np.nan)
        with np.errstate(invalid="ignore", divide="ignore"):
            self.mean = np.bincount(g, weights=x, minlength=G) / self.n
            ss = np.bincount(g, weights=(x - self.mean[g]) ** 2, minlength=G)
            self.sd = np.sqrt(ss / (self.n - 1))

    def labels(self, bounds: Sequence[np.ndarray]) -> np.ndarray:
        """Class of every value (0-based) for each set of interior bounds (G, k − 1) of ``bounds``: the
        number of its group's bounds strictly below it. Returns (len(bounds), n) in the order of ``x``.

        ``x ≤ b`` exactly when ``r(x) ≤ r(b)`` with ``r(v)`` the number of values ``≤ v``; the integer
        key ``g · (n + 1) + r`` orders (group, value), so one :func:`numpy.searchsorted` finds, for every
        bound, the first value of its group above it; the counts are cumulated within groups.
        """
        C, M = len(bounds), len(self.x)
        out = np.zeros((C, M), dtype=np.int64)
        widths = [b.shape[1] for b in bounds]
        if not M or not sum(widths):
            return out
        if not hasattr(self, "_key"):
            self._all = np.sort(self.x)
            self._key = self.gs.astype(np.int64) * (M + 1) + np.searchsorted(self._all, self.xs, side="right")
        bv = np.concatenate([b.ravel() for b in bounds])                  # (c, g, j) flattened
        bg = np.concatenate([np.repeat(np.arange(self.G), w) for w in widths])
        bc = np.repeat(np.arange(C), [self.G * w for w in widths])
        rb = np.searchsorted(self._all, bv, side="right")                 # NaN and +inf: above every value
        pos = np.searchsorted(self._key, bg * (M + 1) + rb, side="right")
        inside = pos < (self.start + self.n)[bg]         # some value of the group lies above the bound
        counts = np.bincount(bc[inside] * (M + 1) + pos[inside], minlength=C * (M + 1))
        cs = np.cumsum(counts.reshape(C, M + 1), axis=1)
        base = np.concatenate([np.zeros((C, 1), dtype=cs.dtype), cs], axis=1)[:, self.start]
        out[:, self.order] = cs[:, :M] - base[:, self.gs]
        return out


def _equal(G: _Groups, k: int) -> np.ndarray:
    j = np.arange(1, k) / k
    return G.lo[:, None] + (G.hi - G.lo)[:, None] * j[None, :]


def _quantile(G: _Groups, k: int) -> np.ndarray:
    n = G.n
    j = np.arange(1, k)
    h = (j[None, :] * (n[:, None] - 1)) / k          # exact when whole: j·(n−1) is an integer
    lo = np.floor(h).astype(np.int64)
    frac = h - lo
    last = np.maximum(n - 1, 0)[:, None]
    a = G.xs[np.clip(G.start[:, None] + lo, 0, max(len(G.xs) - 1, 0))] if len(G.xs) else np.zeros_like(h)
    b = G.xs[np.clip(G.start[:, None] + np.minimum(lo + 1, last), 0, max(len(G.xs) - 1, 0))] if len(G.xs) else a
    return np.where(frac > 0, a + frac * (b - a), a)


def _geometric(G: _Groups, k: int) -> np.ndarray:
    c = np.where(G.lo > 0, 0.0, 1.0 - G.lo)
    a = G.lo + c
    with np.errstate(invalid="ignore", divide="ignore"):
        r = ((G.hi + c) / a) ** (1.0 / k)
    j = np.arange(1, k)
    return a[:, None] * r[:, None] ** j[None, :] - c[:, None]


def _sd(G: _Groups, k: int) -> np.ndarray:
    j = np.arange(1, k) - k / 2.0
    sd = np.nan_to_num(G.sd)
    return G.mean[:, None] + sd[:, None] * j[None, :]


def _natural(G: _Groups, ks: Sequence[int]) -> dict[int, np.ndarray]:
    """Fisher–Jenks interior bounds for every ``k`` of ``ks`` and every group, from one dynamic
    programme over the distinct values of each group (weighted by their counts).

    ``D_c(i) = min_{j ≤ i} D_{c−1}(j − 1) + SS(j, i)`` with ``SS`` the weighted within sum of squares of
    the distinct values ``j..i``; the leftmost minimising ``j`` is non-decreasing in ``i`` (the cost is
    Monge), so each layer is solved by divide and conquer, one vectorised step per recursion depth for
    all groups together. Groups with fewer distinct values than ``k`` get one class per value.
    """
    kmax = max(ks)
    xs, gs = G.xs, G.gs
    out = {k: np.full((G.G, k - 1), np.inf) for k in ks}
    if len(xs) == 0:
        return out
    first = np.ones(len(xs), dtype=bool)
    first[1:] = (xs[1:] != xs[:-1]) | (gs[1:] != gs[:-1])
    ustart = np.flatnonzero(first)
    v = xs[ustart]
    ug = gs[ustart]
    w = np.diff(np.append(ustart, len(xs))).astype(float)
    M = len(v)
    m = np.bincount(ug, minlength=G.G)
    s = np.concatenate([[0], np.cumsum(m)[:-1]])        # first distinct value of each group
    e = s + m - 1                                         # last
    # centred per group (and scaled) so that SS = S2 − S1²/W loses few digits
    scale = np.where(G.sd > 0, G.sd, 1.0)
    z = (v - G.mean[ug]) / scale[ug]
    # prefix sums (W, S1, S2) as rows of one array: a segment's sums are one row minus another
    A = np.zeros((M + 1, 3))
    A[1:, 0] = np.cumsum(w)
    A[1:, 1] = np.cumsum(w * z)
    A[1:, 2] = np.cumsum(w * z * z)

    def cost(d):                                          # d = A[i + 1] − A[j]: SS of the segment j..i
        return np.maximum(d[:, 2] - d[:, 1] ** 2 / d[:, 0], 0.0)

    D = cost(A[np.arange(M) + 1] - A[s[ug]])              # one class: s_g .. i
    opt = {}
    for c in range(2, kmax + 1):
        Dc = np.full(M, np.inf)
        oc = np.full(M, -1, dtype=np.int64)
        ok = m >= c
        ilo, ihi = s[ok] + c - 1, e[ok]
        jlo, jhi = ilo.copy(), ihi.copy()
        while len(ilo):                                   # one recursion depth of every node at once
            mid = (ilo + ihi) // 2
            cnt = np.minimum(jhi, mid) - jlo + 1
            starts = np.cumsum(cnt) - cnt
            j = np.arange(starts[-1] + cnt[-1]) + np.repeat(jlo - starts, cnt)
            val = D[j - 1] + cost(np.repeat(A[mid + 1], cnt, axis=0) - A[j])
            best = np.minimum.reduceat(val, starts)
            hit = np.flatnonzero(val <= np.repeat(best, cnt))
            jb = j[hit[np.searchsorted(hit, starts)]]     # the leftmost minimiser of each node
            Dc[mid] = best
            oc[mid] = jb
            left = mid - 1 >= ilo
            right = mid + 1 <= ihi
            ilo, ihi, jlo, jhi = (np.concatenate([ilo[left], mid[right] + 1]),
                                  np.concatenate([mid[left] - 1, ihi[right]]),
                                  np.concatenate([jlo[left], jb[right]]),
                                  np.concatenate([jb[left], jhi[right]]))
        D = Dc
        opt[c] = oc
    for k in ks:
        B = out[k]
        full = m >= k
        i = e[full].copy()
        for c in range(k, 1, -1):                         # class c spans j..i; class c − 1 ends at j − 1
            jj = opt[c][i]
            B[full, c - 2] = v[jj - 1]
            i = jj - 1
        few = np.flatnonzero(~full & (m > 0))             # one class per distinct value
        for g in few:
            B[g, : m[g] - 1] = v[s[g]: e[g]]
    return out


_BOUNDS = {"equal": _equal, "quantile": _quantile, "geometric": _geometric, "sd": _sd}


def _bounds(G: _Groups, method: str, ks: Sequence[int]) -> dict[int, np.ndarray]:
    """Interior bounds (G, k − 1) of every group for every ``k``; a group with one value gets none
    that split it."""
    if method == "natural":
        out = _natural(G, ks)
    else:
        out = {k: _BOUNDS[method](G, k) for k in ks}
    const = ~(G.hi > G.lo)
    for k in out:
        out[k][const] = np.inf
    return out


def _as_values(x, where: str) -> np.ndarray:
    try:
        a = np.asarray(pd.to_numeric(pd.Series(np.asarray(x).ravel()), errors="raise"), dtype=float)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{where}: values must be numbers ({exc})") from None
    if np.isinf(a).any():
        raise InputError(f"{where}: values must be finite; infinite value at position {int(np.flatnonzero(np.isinf(a))[0])}")
    return a


# --------------------------------------------------------------------------------------- public
def breaks(x, method: str = "quantile", k: int = 5) -> np.ndarray:
    """Upper bounds of the ``k`` classes of ``x`` by ``method`` (the last is ``max(x)``), as
    :mod:`mapclassify`'s ``bins``; NaN values are ignored.

    Examples
    --------
    >>> breaks([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], "equal", 3)
    array([ 4.,  7., 10.])
    """
    method = check_method(method, "breaks")
    (k,) = check_classes(k, "breaks: k")
    a = _as_values(x, "breaks")
    a = a[~np.isnan(a)]
    if not len(a):
        raise InputError("breaks: no values (all NaN)")
    G = _Groups(a, np.zeros(len(a), dtype=np.int64), 1)
    b = _bounds(G, method, (k,))[k][0]
    return np.append(b, a.max())


def discretize(x, method: str = "quantile", k: int = 5) -> np.ndarray:
    """Class of every value of ``x`` (0 … k − 1) by ``method`` (see the module), −1 where ``x`` is NaN.

    Parameters
    ----------
    x : array-like of numbers
    method : {"equal", "natural", "quantile", "geometric", "sd"}
    k : int
        Number of classes (≥ 2); a class may be empty.

    Returns
    -------
    numpy.ndarray of int
        Equal to :mod:`mapclassify`'s ``yb`` (``EqualInterval``, ``Quantiles``, ``FisherJenks``,
        ``StdMean(multiples=[j − k/2 …])``) where a value is not within rounding of a break.
    """
    method = check_method(method)
    (k,) = check_classes(k, "discretize: k")
    a = _as_values(x, "discretize")
    ok = ~np.isnan(a)
    out = np.full(len(a), -1, dtype=np.int64)
    if ok.any():
        G = _Groups(a[ok], np.zeros(int(ok.sum()), dtype=np.int64), 1)
        out[ok] = G.labels([_bounds(G, method, (k,))[k]])[0]
    return out


def search(x: np.ndarray, y: np.ndarray, g: np.ndarray, G: int, methods: Sequence[str], ks: Sequence[int]):
    """Stratify finite ``x`` (groups ``g``) by every (method, k) and keep, per group, the one with the
    highest q of ``y`` (ties within 1e-12: the earlier method of ``methods``, then fewer classes).

    Returns ``(labels, method, k, bounds, q, grp)``: the chosen class of every row, the chosen method
    and number of classes of every group, their interior bounds (G, max k − 1, +inf padded), q of every
    candidate (C, G) in the order methods × ks, and the :class:`_Groups` of ``x``. q is computed as
    ``SSB/SST`` with ``y`` centred per group (no cancellation); one method at a time, so memory stays
    ``O(len(ks) · n)``.
    """
    grp = _Groups(x, g, G)
    K = max(ks)
    with np.errstate(invalid="ignore", divide="ignore"):
        yc = y - (np.bincount(g, weights=y, minlength=G) / np.maximum(grp.n, 1))[g]
    sst = np.bincount(g, weights=yc * yc, minlength=G)
    best_q = np.full(G, -np.inf)
    labels = np.zeros(len(x), dtype=np.int64)
    meth = [methods[0]] * G
    kk = np.full(G, ks[0], dtype=np.int64)
    bounds = np.full((G, K - 1), np.inf)
    qs = []
    single = len(methods) * len(ks) == 1
    first = True
    for method in methods:
        bd = _bounds(grp, method, ks)
        lab = grp.labels([bd[k] for k in ks])
        if single:
            q = np.full((1, G), np.nan)
        else:
            C = len(ks)
            cell = (np.arange(C)[:, None] * G + g[None, :]) * K + lab
            n = np.bincount(cell.ravel(), minlength=C * G * K)
            S = np.bincount(cell.ravel(), weights=np.tile(yc, C), minlength=C * G * K)
            with np.errstate(invalid="ignore", divide="ignore"):
                ssb = np.where(n > 0, S * S / np.maximum(n, 1), 0.0).reshape(C * G, K).sum(axis=1).reshape(C, G)
                q = np.where(sst > 0, ssb / np.where(sst > 0, sst, 1.0), np.nan)
        qs.append(q)
        for ci, k in enumerate(ks):
            qc = np.nan_to_num(q[ci], nan=-np.inf)
            better = np.ones(G, dtype=bool) if first else qc > best_q + 1e-12
            first = False
            if better.any():
                best_q = np.where(better, qc, best_q)
                rows = better[g]
                labels[rows] = lab[ci][rows]
                for gi in np.flatnonzero(better):
                    meth[gi] = method
                kk[better] = k
                bounds[better] = np.inf
                bounds[better, : k - 1] = bd[k][better]
    return labels, meth, kk, bounds, np.concatenate(qs, axis=0), grp


def optimal_discretization(x, y, *, methods: Sequence[str] = METHODS, classes=range(3, 9),
                           groups=None) -> pd.DataFrame:
    """q of ``y`` stratified by ``x`` for every method and number of classes, and the best of each
    group (the optimal-parameters geographical detector, OPGD: Song, Wang, Ge & Xu 2020).

    Parameters
    ----------
    x, y : array-like of numbers, same length
        Rows where either is NaN are left out.
    methods : sequence of str
        Methods searched (default all five, in the order that breaks ties).
    classes : int or sequence of int
        Numbers of classes searched (default 3 … 8).
    groups : array-like, optional
        A group (year) of every row: each group is discretised and searched on its own.

    Returns
    -------
    DataFrame
        ``group, method, classes, strata, q, best`` — one row per group, method and number of classes;
        ``strata`` the non-empty classes; ``best`` marks the highest q of the group (ties: the first
        method of ``methods``, then fewer classes). The search maximises q, so the p-value of the best
        stratification is optimistic.
    """
    methods = [check_method(m, "optimal_discretization") for m in methods]
    ks = check_classes(classes)
    xa, ya = _as_values(x, "optimal_discretization: x"), _as_values(y, "optimal_discretization: y")
    if len(xa) != len(ya):
        raise InputError(f"optimal_discretization: x and y differ in length ({len(xa)} and {len(ya)})")
    gser = pd.Series(np.zeros(len(xa), dtype=int) if groups is None else np.asarray(groups))
    if len(gser) != len(xa):
        raise InputError("optimal_discretization: groups must have one value per row")
    keep = ~(np.isnan(xa) | np.isnan(ya) | gser.isna().to_numpy())
    codes, uniq = pd.factorize(gser[keep], sort=True)
    G = len(uniq)
    if not G:
        raise InputError("optimal_discretization: no row has both x and y")
    g = codes.astype(np.int64)
    labels_, _m, _k, _b, q, grp = search(xa[keep], ya[keep], g, G, methods, ks)
    K = max(ks)
    rows = []
    ci = 0
    for method in methods:
        bd = _bounds(grp, method, ks)
        lab = grp.labels([bd[k] for k in ks])
        for j, k in enumerate(ks):
            cnt = np.bincount(g * K + lab[j], minlength=G * K).reshape(G, K)
            for gi in range(G):
                chosen = _m[gi] == method and _k[gi] == k
                rows.append((uniq[gi], method, k, int((cnt[gi] > 0).sum()), q[ci, gi], bool(chosen)))
            ci += 1
    out = pd.DataFrame(rows, columns=["group", "method", "classes", "strata", "q", "best"])
    return out.sort_values("group", kind="mergesort").reset_index(drop=True)
