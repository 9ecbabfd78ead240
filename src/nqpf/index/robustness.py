r"""How much the ranking depends on the analyst's choices: Monte Carlo over the index construction.

A composite index rests on choices that are defensible each in several ways. :func:`rank_uncertainty`
rebuilds the index under ``draws`` random combinations of four of them (each drawn uniformly and
independently, with a seed):

``weighting``
    a method of the weighting registry :data:`~nqpf.index.WEIGHTING_METHODS` (default entropy, CRITIC,
    CV, equal and the combined entropy–CRITIC weights), computed on the normalised matrix of the draw;
``normalization``
    the run's normalisation method with its minimum, maximum … taken over all region-years
    (``pooled``) or within each year (``per_year``); the entropy method's ``pooled`` follows it, as in
    :func:`~nqpf.index.build_index`;
``aggregation``
    ``additive`` :math:`\sum_j w_j x'_{ij}` or ``geometric`` :math:`\prod_j (x'_{ij} - \min x'_j +
    0.01)^{w_j}`: the geometric mean needs positive values, so every normalised indicator is first moved
    so that its minimum over all region-years is :data:`GEOMETRIC_OFFSET` = 0.01 (for min-max values,
    :math:`x' + 0.01 \in [0.01, 1.01]`); ranks are taken on :math:`\sum_j w_j \ln(\cdot)`, the logarithm
    of the product;
``exclusion``
    no indicator left out, or one of the :math:`k` indicators (each of the :math:`k + 1` levels with
    probability :math:`1/(k+1)`). The weights of the others are by default the draw's weights with the
    left-out one set to 0 and the rest rescaled to sum to 1 (``loo_weights="renormalize"``: identical to
    re-estimating them for the entropy (pooled), CV, SD and equal methods, whose weight of an indicator
    depends on that indicator only); ``loo_weights="recompute"`` re-estimates them on the remaining
    indicators (exact for CRITIC and the per-year entropy too, and slower).

Choices not varied stay at the ``baseline`` (the configuration of the run). Within each year regions
are ranked 1 = highest score, ties sharing the smallest rank, as :func:`~nqpf.index.rank_by_year`.

Per region and year the result gives the baseline rank, the median and the 5 % and 95 % quantiles of
the rank over the draws (linear interpolation between order statistics, numpy's default, Hyndman &
Fan's type 7). :func:`variance_shares` says how much of the variance of the ranks each choice explains
(first-order effects) and how much only their interaction does.

Every normalisation and every weight vector is computed once; the scores of every distinct drawn
configuration are one matrix product per (normalisation, aggregation) pair and the ranks one sort.
"""
from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from nqpf.errors import InputError

from .normalize import ConstantIndicatorWarning, _check_matrix, normalize
from .weights import WEIGHTING_METHODS, compute_weights

__all__ = ["CHOICES", "DEFAULT_WEIGHTINGS", "SCOPES", "AGGREGATIONS", "GEOMETRIC_OFFSET", "LOO_WEIGHTS",
           "QUANTILES", "RankUncertainty", "rank_uncertainty", "variance_shares", "rank_desc"]

#: The choices a draw makes, in the order their levels are drawn.
CHOICES = ("weighting", "normalization", "aggregation", "exclusion")
#: Weighting methods drawn by default.
DEFAULT_WEIGHTINGS = ("entropy", "critic", "cv", "equal", "combined")
#: Scope of the normalisation: over all region-years or within each year.
SCOPES = ("pooled", "per_year")
#: Aggregation of the weighted indicators.
AGGREGATIONS = ("additive", "geometric")
#: Minimum of every normalised indicator before the geometric mean.
GEOMETRIC_OFFSET = 0.01
#: Weights of the other indicators when one is left out.
LOO_WEIGHTS = ("renormalize", "recompute")
#: Quantiles reported: 5 %, median, 95 %.
QUANTILES = (0.05, 0.5, 0.95)


@dataclass(frozen=True)
class RankUncertainty:
    """What :func:`rank_uncertainty` computed.

    Attributes
    ----------
    intervals : DataFrame
        ``region, year, rank, median_rank, rank_p05, rank_p95`` (``rank``: the baseline configuration).
    shares : DataFrame
        ``choice, levels, share`` (see :func:`variance_shares`).
    draws : DataFrame
        ``draw, weighting, normalization, aggregation, exclusion``: the configuration of every draw
        (``exclusion`` the indicator left out, ``""`` for none).
    params : dict
        Every setting used (JSON-serialisable).
    """

    intervals: pd.DataFrame
    shares: pd.DataFrame
    draws: pd.DataFrame
    params: dict = field(default_factory=dict)


# ------------------------------------------------------------------------------------------- ranks
def rank_desc(S: np.ndarray, axis: int = 0) -> np.ndarray:
    """Ranks along ``axis``: 1 = the largest value, ties share the smallest rank ('min'); int32.

    Vectorised over every other axis (one sort), equal to ``scipy.stats.rankdata(-S, method="min",
    axis=axis)``.
    """
    A = np.moveaxis(np.asarray(S, dtype=float), axis, -1)
    n = A.shape[-1]
    order = np.argsort(-A, axis=-1)   # the order within a tie does not matter: it shares one rank
    s = np.take_along_axis(A, order, axis=-1)
    start = np.zeros(s.shape, dtype=np.int32)
    pos = np.arange(n, dtype=np.int32)
    new = np.ones(s.shape, dtype=bool)
    new[..., 1:] = s[..., 1:] != s[..., :-1]
    start[...] = np.where(new, pos, 0)
    np.maximum.accumulate(start, axis=-1, out=start)
    out = np.empty_like(start)
    np.put_along_axis(out, order, start + 1, axis=-1)
    return np.moveaxis(out, -1, axis)


def _quantiles(R: np.ndarray, qs: Sequence[float]) -> np.ndarray:
    """Quantiles of every row of ``R`` (linear interpolation, numpy's default), shape (rows, len(qs))."""
    S = np.sort(R, axis=1)
    m = S.shape[1]
    out = np.empty((S.shape[0], len(qs)))
    for k, q in enumerate(qs):
        h = (m - 1) * q
        lo = int(np.floor(h))
        hi = min(lo + 1, m - 1)
        out[:, k] = S[:, lo] + (h - lo) * (S[:, hi].astype(float) - S[:, lo])
    return out


# ------------------------------------------------------------------------------- variance shares
def variance_shares(ranks, factors: Mapping[str, Sequence], *, block: int = 8192) -> pd.DataFrame:
    r"""Share of the variance of the ranks explained by each choice alone, and by their interaction.

    For one region-year let :math:`Y` be its rank in a draw. With the choices drawn independently, the
    variance decomposes (Hoeffding–Sobol) into the first-order parts :math:`V_f = \mathrm{Var}(E[Y \mid
    f])` and the part :math:`V_{int}` only combinations of choices explain: :math:`\mathrm{Var}(Y) =
    \sum_f V_f + V_{int}`. From :math:`N` draws each part is estimated on its own:

    * :math:`\hat V_f = [SS_{b,f} - (L_f - 1)\, SS_{w,f} / (N - L_f)] / N`, the between-level sum of squares
      of choice :math:`f` (:math:`L_f` levels drawn) less its expected value under no effect (the
      one-way ANOVA estimator of a variance component; the plain ratio :math:`SS_b / SS_{tot}` would
      credit a choice with many levels, such as the left-out indicator, with :math:`\approx (L_f-1)/N` of
      the variance it does not explain);
    * :math:`\hat V_{int} = SS_{res} / (N - p)`, the residual sum of squares of the additive model of
      all choices fitted jointly by least squares (:math:`p` its number of free parameters);
    * :math:`\hat V = SS_{tot} / (N - 1)`.

    The region-years are pooled: the share of choice :math:`f` is :math:`\sum_{r} \hat V_{f,r} /
    \sum_{r} \hat V_r` over every region-year :math:`r` (region-years whose rank never changes add 0 to
    both sums). The shares of the choices and the interaction are estimated separately, so they sum to
    one within Monte Carlo error, not by construction; a share can be slightly negative when its true
    value is 0.

    Parameters
    ----------
    ranks : array-like, shape (n_obs, N)
        The rank of every region-year (rows) in every draw (columns).
    factors : mapping
        Choice name → its level in every draw (length N; any hashable codes).

    Returns
    -------
    DataFrame
        ``choice, levels, share``: one row per choice (``levels`` = levels drawn), then ``interaction``
        (``levels`` empty). Shares are NaN (with a warning) when no rank varies, or, for a choice, when
        there are no more draws than levels.
    """
    Y = np.asarray(ranks)
    if Y.ndim != 2:
        raise InputError(f"ranks must be a matrix region-years × draws, got shape {Y.shape}")
    N = Y.shape[1]
    names = list(factors)
    codes = []
    for f in names:
        v = np.asarray(factors[f])
        if v.shape != (N,):
            raise InputError(f"choice {f!r} has {v.size} levels drawn for {N} draws")
        codes.append(pd.factorize(v, sort=False)[0])
    onehots = [np.eye(int(c.max()) + 1)[c] for c in codes]
    design = [np.ones((N, 1))] + [G[:, 1:] for G in onehots]
    Dm = np.hstack(design)
    U, s, _ = np.linalg.svd(Dm, full_matrices=False)
    p = int((s > s.max() * max(Dm.shape) * np.finfo(float).eps).sum())
    Q = U[:, :p]
    levels = [G.shape[1] for G in onehots]
    edges = np.cumsum([0] + levels)
    G_all = np.hstack(onehots + [Q]) if N > p else np.hstack(onehots)
    counts = np.concatenate([G.sum(axis=0) for G in onehots])
    V_f = np.zeros(len(names))
    V_int = V_tot = 0.0
    for a in range(0, Y.shape[0], block):
        Yc = Y[a:a + block].astype(float)
        Yc -= Yc.mean(axis=1, keepdims=True)
        ss_tot = np.einsum("ij,ij->i", Yc, Yc)
        V_tot += ss_tot.sum() / (N - 1) if N > 1 else 0.0
        P = Yc @ G_all          # per level: sums of the centred ranks; then the projection on the model
        for k, L in enumerate(levels):
            if N <= L:
                continue
            ss_b = (P[:, edges[k]:edges[k + 1]] ** 2 / counts[edges[k]:edges[k + 1]]).sum(axis=1)
            V_f[k] += ((ss_b - (L - 1) * (ss_tot - ss_b) / (N - L)) / N).sum()
        if N > p:
            proj = P[:, edges[-1]:]
            V_int += ((ss_tot - np.einsum("ij,ij->i", proj, proj)) / (N - p)).sum()
    shares = np.full(len(names) + 1, np.nan)
    if V_tot > 0:
        shares[:-1] = [V_f[k] / V_tot if N > levels[k] else np.nan for k in range(len(names))]
        shares[-1] = V_int / V_tot if N > p else np.nan
    else:
        warnings.warn("the ranks are the same in every draw: no variance to share (shares are NaN)",
                      UserWarning, stacklevel=2)
    if V_tot > 0 and np.isnan(shares).any():
        warnings.warn(f"too few draws ({N}) for the number of levels of the choices: some variance shares "
                      "are NaN; draw more", UserWarning, stacklevel=2)
    return pd.DataFrame({"choice": names + ["interaction"],
                         "levels": pd.array(levels + [None], dtype="Int64"), "share": shares})


# ---------------------------------------------------------------------------------------- the run
def _grid(X: pd.DataFrame, regions: Sequence | None):
    """``X`` as a balanced panel in (region, year) order: (DataFrame, region ids, years)."""
    _check_matrix(X)
    if not isinstance(X.index, pd.MultiIndex) or X.index.nlevels != 2:
        raise InputError("the indicator matrix must be indexed by (region, year)")
    reg = X.index.get_level_values(0)
    yrs = X.index.get_level_values(1)
    ids = list(dict.fromkeys(reg)) if regions is None else list(regions)
    years = sorted(set(yrs))
    full = pd.MultiIndex.from_product([ids, years], names=["region", "year"])
    missing = full.difference(X.index)
    if len(missing):
        raise InputError(f"the ranks over the draws need every region in every year; missing "
                         f"{[tuple(m) for m in missing[:8]]}"
                         + (f" and {len(missing) - 8} more" if len(missing) > 8 else ""))
    Xg = X.copy()
    Xg.index = Xg.index.set_names(["region", "year"])
    return Xg.loc[full], ids, years


def _levels(vary, baseline, weightings, indicators) -> dict[str, list]:
    out = {}
    for c in CHOICES:
        if c not in vary:
            out[c] = [baseline[c]]
        elif c == "weighting":
            out[c] = list(weightings)
        elif c == "normalization":
            out[c] = list(SCOPES)
        elif c == "aggregation":
            out[c] = list(AGGREGATIONS)
        else:
            out[c] = [""] + list(indicators)
    return out


def _check_args(vary, weightings, baseline, indicators, draws, loo_weights):
    unknown = [v for v in vary if v not in CHOICES]
    if unknown:
        raise InputError(f"unknown choice(s) {unknown} to vary; use some of {', '.join(CHOICES)}")
    bad = [m for m in weightings if m not in WEIGHTING_METHODS or m == "given"]
    if bad or not weightings:
        raise InputError(f"weighting method(s) {bad or weightings} cannot be drawn; use some of "
                         f"{', '.join(m for m in WEIGHTING_METHODS if m != 'given')}")
    if baseline["normalization"] not in SCOPES or baseline["aggregation"] not in AGGREGATIONS:
        raise InputError(f"baseline normalization must be one of {SCOPES} and aggregation one of {AGGREGATIONS}")
    if baseline["exclusion"] not in ("", *indicators):
        raise InputError(f"baseline exclusion {baseline['exclusion']!r} is not an indicator")
    if baseline["weighting"] not in WEIGHTING_METHODS:
        raise InputError(f"unknown baseline weighting {baseline['weighting']!r}")
    if isinstance(draws, bool) or not isinstance(draws, (int, np.integer)) or draws < 2:
        raise InputError(f"draws must be a whole number ≥ 2, got {draws!r}")
    if loo_weights not in LOO_WEIGHTS:
        raise InputError(f"loo_weights must be one of {LOO_WEIGHTS}, got {loo_weights!r}")


class _Weights:
    """Weight vectors by (method, scope, left-out indicator), each computed once."""

    def __init__(self, Xn: Mapping[str, pd.DataFrame], options: Mapping, loo: str):
        self.Xn, self.options, self.loo = Xn, options, loo
        self.cache: dict = {}

    def _kw(self, method, scope):
        kw = dict(self.options.get(method) or {})
        if method == "entropy":
            kw["pooled"] = scope == "pooled"
        return kw

    def _compute(self, method, scope, cols):
        X = self.Xn[scope]
        if len(cols) == 1:   # one indicator: weight 1 whatever the method (CRITIC has no conflict to weigh)
            return np.ones(1)
        sub = X if len(cols) == X.shape[1] else X[list(cols)]
        return compute_weights(sub, method, **self._kw(method, scope))["weight"].to_numpy(dtype=float)

    def full(self, method, scope):
        key = (method, scope, "")
        if key not in self.cache:
            self.cache[key] = self._compute(method, scope, list(self.Xn[scope].columns))
        return self.cache[key]

    def get(self, method, scope, left_out: str) -> np.ndarray:
        cols = list(self.Xn[scope].columns)
        if not left_out:
            return self.full(method, scope)
        key = (method, scope, left_out)
        if key not in self.cache:
            j = cols.index(left_out)
            if self.loo == "renormalize":
                w = self.full(method, scope).copy()
                w[j] = 0.0
            else:
                rest = [c for c in cols if c != left_out]
                w = np.insert(self._compute(method, scope, rest), j, 0.0)
            total = w.sum()
            if total > 0:
                w = w / total
            else:
                warnings.warn(f"leaving out {left_out!r} leaves no weighted indicator under {method} "
                              f"({scope}): every region ties in those draws", UserWarning, stacklevel=4)
            self.cache[key] = w
        return self.cache[key]


def rank_uncertainty(X: pd.DataFrame, directions, *, draws: int = 200, seed: int = 12345,
                     vary: Sequence[str] = CHOICES, weightings: Sequence[str] = DEFAULT_WEIGHTINGS,
                     baseline: Mapping | None = None, normalization: str = "minmax",
                     weighting_options: Mapping | None = None, loo_weights: str = "renormalize",
                     regions: Sequence | None = None) -> RankUncertainty:
    r"""Ranks of the regions under ``draws`` random combinations of the analyst's choices.

    Parameters
    ----------
    X : DataFrame
        The prepared indicator matrix, indexed by (``region``, ``year``), every region in every year.
    directions : Spec, Mapping or Series
        Indicator directions (see :func:`~nqpf.index.as_directions`).
    draws : int, default 200
        Number of Monte Carlo draws :math:`N`.
    seed : int, default 12345
        Seed of ``numpy.random.default_rng``; the levels of the varied choices are drawn in the order of
        :data:`CHOICES`, each uniformly and independently. The same input and seed give the same draws.
    vary : sequence of str
        The choices drawn (default all four of :data:`CHOICES`); the others stay at ``baseline``.
        Leaving one indicator out is not drawn when there is only one.
    weightings : sequence of str
        The weighting methods drawn (default :data:`DEFAULT_WEIGHTINGS`; ``given`` cannot be drawn). A
        method that fails on the data (e.g. CRITIC with perfectly correlated indicators) is dropped with a
        warning.
    baseline : mapping, optional
        The configuration of the run: ``weighting`` (default ``"entropy"``), ``normalization``
        (``"pooled"``), ``aggregation`` (``"additive"``), ``exclusion`` (``""``); gives the ``rank``
        column and the value of every choice not varied.
    normalization : str, default "minmax"
        The normalisation method (:func:`~nqpf.index.normalize`); only its scope is drawn.
    weighting_options : mapping, optional
        Method → its keywords (e.g. ``{"combined": {"alpha": 0.3}}``, the run's options of its method);
        the entropy method's ``pooled`` always follows the normalisation scope of the draw.
    loo_weights : {"renormalize", "recompute"}
        Weights of the other indicators when one is left out (see the module docstring).
    regions : sequence, optional
        Order of the regions in the output (default: as in ``X``).

    Returns
    -------
    RankUncertainty
    """
    base = {"weighting": "entropy", "normalization": "pooled", "aggregation": "additive", "exclusion": ""}
    base.update({k: v for k, v in dict(baseline or {}).items() if v is not None})
    Xg, ids, years = _grid(X, regions)
    indicators = [str(c) for c in Xg.columns]
    _check_args(list(vary), list(weightings), base, indicators, draws, loo_weights)
    vary = [c for c in CHOICES if c in set(vary)]
    notes = []
    if "exclusion" in vary and len(indicators) < 2:
        vary.remove("exclusion")
        notes.append("exclusion_needs_two_indicators")
    if not vary:
        raise InputError("no choice to vary: give at least one of " + ", ".join(CHOICES))
    levels = _levels(vary, base, weightings, indicators)
    scopes = sorted(set(levels["normalization"]) | {base["normalization"]}, key=SCOPES.index)
    with warnings.catch_warnings():   # constant indicators were reported when the index was built
        warnings.simplefilter("ignore")
        Xn = {s: normalize(Xg, directions, method=normalization, pooled=s == "pooled") for s in scopes}
        W = _Weights(Xn, dict(weighting_options or {}), loo_weights)
        dropped = []
        for m in list(levels["weighting"]):
            try:
                for s in scopes:
                    W.full(m, s)
            except InputError as exc:
                if "weighting" not in vary:
                    raise
                dropped.append(m)
                levels["weighting"].remove(m)
                warnings.warn(f"weighting {m!r} cannot be computed on these data and is not drawn: {exc}",
                              UserWarning, stacklevel=2)
        if not levels["weighting"]:
            raise InputError("none of the weighting methods to draw can be computed on these data")
    rng = np.random.default_rng(seed)
    codes = np.zeros((draws, len(CHOICES)), dtype=np.int64)
    for k, c in enumerate(CHOICES):
        if c in vary:
            codes[:, k] = rng.integers(len(levels[c]), size=draws)
    configs, inverse = np.unique(codes, axis=0, return_inverse=True)
    inverse = np.asarray(inverse).reshape(-1)
    chosen = [tuple(levels[c][i] for c, i in zip(CHOICES, row)) for row in configs]
    base_cfg = tuple(base[c] for c in CHOICES)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConstantIndicatorWarning)
        R = _ranks(Xn, W, chosen + [base_cfg], len(ids), len(years))
    base_rank, R = R[:, -1], R[:, :-1]
    Rd = R[:, inverse]
    q = _quantiles(Rd, QUANTILES)
    full = Xg.index
    intervals = pd.DataFrame({
        "region": full.get_level_values(0), "year": np.asarray(full.get_level_values(1), dtype=int),
        "rank": base_rank.astype(np.int64), "median_rank": q[:, 1], "rank_p05": q[:, 0], "rank_p95": q[:, 2]})
    draws_tab = pd.DataFrame({"draw": np.arange(1, draws + 1)})
    for k, c in enumerate(CHOICES):
        draws_tab[c] = [levels[c][i] for i in codes[:, k]]
    shares = variance_shares(Rd, {c: codes[:, k] for k, c in enumerate(CHOICES) if c in vary})
    params = {
        "draws": int(draws), "seed": int(seed), "vary": list(vary),
        "weightings": list(levels["weighting"]) if "weighting" in vary else [base["weighting"]],
        "weightings_dropped": dropped, "normalization": normalization, "baseline": dict(base),
        "aggregation_offset": GEOMETRIC_OFFSET, "loo_weights": loo_weights, "quantiles": list(QUANTILES),
        "configurations": int(len(configs)), "notes": notes,
        "shares_sum": float(np.nansum(shares["share"])) if shares["share"].notna().any() else None,
    }
    return RankUncertainty(intervals=intervals, shares=shares, draws=draws_tab, params=params)


def _ranks(Xn, W: _Weights, configs, n_regions: int, n_years: int) -> np.ndarray:
    """Rank of every region-year (rows, region-major) under every configuration (columns), int32."""
    out = np.empty((n_regions * n_years, len(configs)), dtype=np.int32)
    groups: dict = {}
    for j, (m, scope, agg, left) in enumerate(configs):
        groups.setdefault((scope, agg), []).append((j, W.get(m, scope, left)))
    for (scope, agg), members in groups.items():
        B = Xn[scope].to_numpy(dtype=float)
        if agg == "geometric":
            B = np.log(B - B.min(axis=0) + GEOMETRIC_OFFSET)
        Wm = np.column_stack([w for _, w in members])
        S = (B @ Wm).reshape(n_regions, n_years, len(members))
        out[:, [j for j, _ in members]] = rank_desc(S, axis=0).reshape(n_regions * n_years, len(members))
    return out
