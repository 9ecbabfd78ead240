r"""Typology of regions: level tier, trend, spatial role and cooperation partners (codes only).

``tiers``     level tier per year or of the period mean (``high`` … ``low``), Fisher-Jenks or
              quantile classes
``trends``    OLS trend per region, a trend type and a direction of the path
``roles``     spatial role from the local Moran table (growth pole, spillover receiver, ...)
``partners``  for low regions their high neighbours, for leaders their low neighbours

Every table holds codes and numbers; the words for the codes are the catalogue entries
``cat.tier.<code>``, ``cat.trend.<code>``, ``cat.direction.<code>``, ``cat.role.<code>``
(:mod:`nqpf.i18n`).
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..errors import InputError
from ._common import check_scores

__all__ = [
    "TIER_CODES", "TREND_CODES", "DIRECTION_CODES", "ROLE_CODES", "HIGH_TIERS", "LOW_TIERS",
    "tiers", "trends", "roles", "partners",
]

#: Tier codes by number of classes, from the highest class to the lowest.
TIER_CODES: dict[int, tuple[str, ...]] = {
    2: ("high", "low"),
    3: ("high", "middle", "low"),
    4: ("high", "upper-middle", "lower-middle", "low"),
    5: ("high", "upper-middle", "middle", "lower-middle", "low"),
}
#: Trend types (see :func:`trends`).
TREND_CODES: tuple[str, ...] = ("rising", "declining", "fluctuating", "stable")
#: Directions of a region's path (see :func:`trends`).
DIRECTION_CODES: tuple[str, ...] = ("up", "down", "flat")
#: Spatial roles (see :func:`roles`); ``unknown`` when no local Moran table is given.
ROLE_CODES: tuple[str, ...] = ("growth_pole", "spillover_receiver", "lagging_cluster",
                               "not_significant", "unknown")
#: Tiers of the leaders and of the regions that need partners (:func:`partners`).
HIGH_TIERS = ("high", "upper-middle")
LOW_TIERS = ("lower-middle", "low")
_QUADRANT_ROLE = {"HH": "growth_pole", "HL": "growth_pole", "LH": "spillover_receiver",
                  "LL": "lagging_cluster"}


# ----------------------------------------------------------------------------------------------
# tiers
# ----------------------------------------------------------------------------------------------
def _classify(y: np.ndarray, k: int, method: str, where: str) -> tuple[np.ndarray, np.ndarray]:
    """Class of every value (0 = lowest) and the classes' upper bounds: exact Fisher–Jenks
    (:mod:`._jenks`, the optimum of ``mapclassify.FisherJenks``) or quantiles (as
    ``mapclassify.Quantiles``: upper bounds at the 100·c/k percentiles, linear interpolation)."""
    from ._jenks import fisher_jenks

    if len(np.unique(y)) < k:
        raise InputError(f"tiers: {where} has {len(np.unique(y))} distinct score(s), fewer than "
                         f"k={k} classes; use a smaller k")
    if method == "natural_breaks":
        yb, bins, _ = fisher_jenks(y, k)
    elif method == "quantiles":
        bins = np.percentile(y, np.linspace(100 / k, 100, k))
        yb = np.searchsorted(bins, y, side="left")
    else:
        raise InputError(f"tiers: unknown method {method!r}; use 'natural_breaks' or 'quantiles'")
    yb = np.asarray(yb, dtype=int)
    if len(bins) != k or len(np.unique(yb)) != k:
        raise InputError(f"tiers: {where}: {method} could form only {len(np.unique(yb))} of k={k} "
                         "classes (ties); use a smaller k or the other method")
    return yb, np.asarray(bins, dtype=float)


def _years_to_classify(Y: pd.DataFrame, year) -> dict:
    """Column label → scores to classify, for ``year`` = None, "mean", an int or a list of ints."""
    if year is None:
        return {yr: Y[yr] for yr in Y.columns}
    if isinstance(year, str):
        if year != "mean":
            raise InputError(f"tiers: year={year!r}; use an int, a list of ints, None or 'mean'")
        return {"mean": Y.mean(axis=1)}
    yrs = [year] if np.isscalar(year) else list(year)
    absent = [yr for yr in yrs if int(yr) not in Y.columns]
    if absent:
        raise InputError(f"tiers: year(s) {absent} not in the scores ({Y.columns[0]}–{Y.columns[-1]})")
    return {int(yr): Y[int(yr)] for yr in yrs}


def tiers(scores_wide: pd.DataFrame, k: int = 4, method: str = "natural_breaks",
          year=None) -> pd.DataFrame:
    r"""Level tier of every region, per year: ``high`` … ``low``.

    The scores of one year (or the regions' mean over years, ``year="mean"``: the level over the
    whole period, which a one-year jump does not move much) are split into ``k`` classes with
    ``"natural_breaks"`` = Fisher-Jenks (exact optimal breaks minimising the within-class sum of
    squares, as ``mapclassify.FisherJenks``, computed by :mod:`nqpf.diagnose._jenks`; deterministic,
    no seed; beyond 12,000 regions on 12,000 values at evenly spaced ranks, stated) or
    ``"quantiles"`` (k classes of equal count). Classes are ordered by value and coded from the
    top (:data:`TIER_CODES`): for k = 4 class 3 → ``high`` (高), 2 → ``upper-middle`` (较高),
    1 → ``lower-middle`` (较低), 0 → ``low`` (低). The breaks are recomputed every year, so the
    codes mean "relative level in that year" and are comparable in name across years.

    Parameters
    ----------
    scores_wide : DataFrame
        Regions × years.
    k : int
        2 to 5 classes (codes in :data:`TIER_CODES`).
    method : {"natural_breaks", "quantiles"}
    year : None, int, list of int or "mean"
        ``None`` every year; ``"mean"`` classifies the mean over all years (``year`` column
        ``"mean"``).

    Returns
    -------
    DataFrame
        ``region, year, score, class, tier, lower, upper, rank`` where ``class`` 0 is the lowest,
        ``tier`` its code, ``lower``/``upper`` the class bounds (upper bound inclusive, as
        mapclassify) and ``rank`` 1 the highest score of the year (of the mean with
        ``year="mean"``).
    """
    Y = check_scores(scores_wide)
    if k not in TIER_CODES:
        raise InputError(f"tiers: k={k} not supported; use one of {sorted(TIER_CODES)}")
    codes = np.asarray(TIER_CODES[k][::-1], dtype=object)  # index = class (0 = lowest)
    frames = []
    for yr, s in _years_to_classify(Y, year).items():
        y = s.to_numpy(float)
        where = (f"the mean over {Y.columns[0]}–{Y.columns[-1]}" if isinstance(yr, str)
                 else f"year {yr}")
        yb, bins = _classify(y, k, method, where)
        lower = np.concatenate([[y.min()], bins[:-1]])
        frames.append(pd.DataFrame({
            "region": s.index, "year": yr, "score": y, "class": yb, "tier": codes[yb],
            "lower": lower[yb], "upper": bins[yb],
            "rank": pd.Series(-y).rank(method="min").astype(int).to_numpy(),
        }))
    return pd.concat(frames, ignore_index=True)


# ----------------------------------------------------------------------------------------------
# trends
# ----------------------------------------------------------------------------------------------
def _ols(t: np.ndarray, y: np.ndarray) -> dict[str, np.ndarray]:
    """Row-wise OLS of ``y`` (regions × T) on ``t``: slope, R², residual sd and their ratios."""
    T = len(t)
    tc = t - t.mean()
    ybar = y.mean(axis=1)
    yc = y - ybar[:, None]
    b = (yc @ tc) / (tc @ tc)
    resid = yc - b[:, None] * tc
    sse = (resid ** 2).sum(axis=1)
    sst = (yc ** 2).sum(axis=1)
    d = np.diff(y, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        r2 = np.where(sst > 0, 1 - sse / sst, 0.0)
        s = np.sqrt(sse / (T - 2))
        return {"mean": ybar, "slope": b, "rel_slope": b / ybar, "R2": r2, "cv_resid": s / ybar,
                "volatility": d.std(axis=1, ddof=1) / ybar}


def _sign_changes(y: np.ndarray) -> np.ndarray:
    """How often the sign of the year-over-year change flips (zero changes skipped pairwise)."""
    sg = np.sign(np.diff(y, axis=1))
    a, b = sg[:, :-1], sg[:, 1:]
    return ((a != b) & (a != 0) & (b != 0)).sum(axis=1).astype(int)


def _trend_type(rel, r2, cv_resid, slope_tol, r2_min, noise_tol) -> np.ndarray:
    """``rising`` / ``declining`` / ``stable`` / ``fluctuating`` (see :func:`trends`)."""
    return np.where((rel >= slope_tol) & (r2 >= r2_min), "rising",
                    np.where((rel <= -slope_tol) & (r2 >= r2_min), "declining",
                             np.where((np.abs(rel) < slope_tol) & (cv_resid < noise_tol),
                                      "stable", "fluctuating")))


def _direction(slope, rel_slope, rel_change, slope_tol, net_tol) -> np.ndarray:
    """``up`` / ``down`` / ``flat`` from the votes of the slope and of the net change, never against
    the sign of the fitted slope (see :func:`trends`)."""
    vote_s = np.where(rel_slope >= slope_tol, 1, np.where(rel_slope <= -slope_tol, -1, 0))
    vote_c = np.where(rel_change >= net_tol, 1, np.where(rel_change <= -net_tol, -1, 0))
    return np.where((vote_s >= 0) & (vote_c >= 0) & (vote_s + vote_c >= 1) & ~(slope < 0), "up",
                    np.where((vote_s <= 0) & (vote_c <= 0) & (vote_s + vote_c <= -1) & ~(slope > 0),
                             "down", "flat"))


def trends(scores_wide: pd.DataFrame, slope_tol: float = 0.01, r2_min: float = 0.5,
           noise_tol: float = 0.05, net_tol: float = 0.10) -> pd.DataFrame:
    r"""Linear trend of every region's score, its trend type and the direction of its path.

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
    - ``flat``: no clear vote, or the two clear votes disagree;
    - and the direction never contradicts the sign of the fitted slope *b*: a region with
      :math:`b > 0` is never ``down``, one with :math:`b < 0` never ``up`` (``flat`` instead). A
      fluctuating series whose last year fell well below the first while its line rises slightly
      (Ningxia 2010–2020 in Ran et al. 2025: +0.1 % a year, R² = 0.00, 2020 19 % of the mean below
      2010) has no clear direction; the sentences print the slope beside the direction, and "overall
      downward, +0.1 % a year" would contradict itself. The end scores are still cited by the path
      phrase (:func:`nqpf.diagnose.strategy.path_phrase`).

    ``peak_year``/``peak`` are the year and value of the highest score (the first such year on
    ties). The trend type says how well a line fits; the direction says which way the region went.

    Defaults: slope_tol = 0.01 (1 % of the mean per year), r2_min = 0.5, noise_tol = 0.05,
    net_tol = 0.10 (10 % of the mean over the whole period).

    Returns
    -------
    DataFrame
        ``region, first_year, last_year, first, last, change, net_change, rel_change, peak_year,
        peak, mean, slope, rel_slope, R2, cv_resid, volatility, sign_changes, trend, direction``;
        one row per region (``net_change`` = ``change`` = last − first; ``trend`` in
        :data:`TREND_CODES`, ``direction`` in :data:`DIRECTION_CODES`).
    """
    Y = check_scores(scores_wide)
    T = Y.shape[1]
    if T < 3:
        raise InputError(f"trends: need at least 3 years, got {T}")
    if not net_tol > 0:
        raise InputError(f"trends: net_tol must be > 0, got {net_tol}")
    t = np.asarray(Y.columns, dtype=float)
    y = Y.to_numpy(float)
    fit = _ols(t, y)
    change = y[:, -1] - y[:, 0]
    with np.errstate(invalid="ignore", divide="ignore"):
        rel_change = change / fit["mean"]
    ipk = np.argmax(y, axis=1)
    return pd.DataFrame({
        "region": Y.index, "first_year": int(t[0]), "last_year": int(t[-1]),
        "first": y[:, 0], "last": y[:, -1], "change": change, "net_change": change,
        "rel_change": rel_change, "peak_year": np.asarray(Y.columns, dtype=int)[ipk],
        "peak": y[np.arange(len(y)), ipk], "mean": fit["mean"],
        "slope": fit["slope"], "rel_slope": fit["rel_slope"], "R2": fit["R2"],
        "cv_resid": fit["cv_resid"], "volatility": fit["volatility"],
        "sign_changes": _sign_changes(y),
        "trend": _trend_type(fit["rel_slope"], fit["R2"], fit["cv_resid"], slope_tol, r2_min,
                             noise_tol),
        "direction": _direction(fit["slope"], fit["rel_slope"], rel_change, slope_tol, net_tol),
    })


# ----------------------------------------------------------------------------------------------
# spatial roles
# ----------------------------------------------------------------------------------------------
def _role_of(col) -> list[str]:
    """Role code of each quadrant / cluster code (``""`` or missing → ``not_significant``)."""
    return [_QUADRANT_ROLE.get(str(v) if pd.notna(v) else "", "not_significant") for v in col]


def _local_at(local: pd.DataFrame, year, regions: list) -> pd.DataFrame:
    """The rows of ``year`` indexed by region, in the order of ``regions``."""
    s = local[local["year"] == year].set_index("region")
    if s.index.has_duplicates:
        raise InputError(f"local: region listed twice in year {year}")
    return s.reindex(regions)


def roles(local: pd.DataFrame, first_year=None, last_year=None) -> pd.DataFrame:
    r"""Spatial role of every region from the local Moran table, and its movement.

    Two readings are given side by side:

    - **significance-based** (``role``, ``role_first_year``, ``role_last_year``): from the
      significant cluster (``cluster`` column, ``""`` when not significant): HH or HL →
      ``growth_pole`` (增长极), LH → ``spillover_receiver`` (受辐射区), LL → ``lagging_cluster``
      (低值集聚区), otherwise ``not_significant``. ``role`` is the last-year role.
    - **quadrant-based** (``quadrant_first``, ``quadrant_last``, ``role_quadrant_first``,
      ``role_quadrant_last``): the Moran scatter-plot quadrant regardless of significance, which
      is what the paper reads from its figure 2. Regions without neighbours have quadrant ``""``
      and role ``not_significant``.

    ``dist_first``/``dist_last`` are the distances from the origin of the scatter plot,
    :math:`\sqrt{z^2 + \mathrm{lag}^2}` (when ``z`` and ``lag`` are in the table), so
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
        p_sim_first, p_sim_last, dist_first, dist_last``; roles are codes of :data:`ROLE_CODES`.
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
    a, z = _local_at(local, fy, regions), _local_at(local, ly, regions)

    out = pd.DataFrame({"region": regions})
    out["role_first_year"] = _role_of(a["cluster"])
    out["role_last_year"] = _role_of(z["cluster"])
    out.insert(1, "role", out["role_last_year"])
    out["quadrant_first"] = a["quadrant"].fillna("").astype(str).to_numpy()
    out["quadrant_last"] = z["quadrant"].fillna("").astype(str).to_numpy()
    out["movement"] = [f"{p or '-'}→{q or '-'}" for p, q in zip(out["quadrant_first"],
                                                             out["quadrant_last"])]
    out["role_quadrant_first"] = _role_of(a["quadrant"])
    out["role_quadrant_last"] = _role_of(z["quadrant"])
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
    """Region → tier code from a :func:`tiers` table (rows of ``year``, default its last; ``"mean"``
    the rows of ``tiers(..., year="mean")``), a Series or a dict."""
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


def _edges(regions, neighbours: Mapping, known) -> pd.DataFrame:
    """Neighbour pairs ``region, partner, pos, nb_pos`` in region order, then neighbour order;
    partners outside ``known`` left out."""
    pairs = [(r, n, i, j) for i, r in enumerate(regions)
             for j, n in enumerate(neighbours.get(r, [])) if n in known]
    return pd.DataFrame(pairs, columns=["region", "partner", "pos", "nb_pos"])


def partners(scores_wide: pd.DataFrame, neighbours: Mapping, tiers, roles=None, year=None,
             high=HIGH_TIERS, low=LOW_TIERS) -> pd.DataFrame:
    """Neighbour pairs for cooperation (多维协同): low regions ↔ high neighbours.

    - For each low-potential region (tier in ``low``, default lower-middle / low) its neighbours
      with high potential (tier in ``high``, default high / upper-middle): ``direction = "receive"``.
    - For each leader its low-potential neighbours: ``direction = "drive"``. Leaders are the
      regions whose tier is in ``high`` and, when ``roles`` is given, the growth poles
      (significance-based ``role == "growth_pole"``).

    Use the tiers and the scores of the same basis: ``year="mean"`` with the tiers of
    ``tiers(..., year="mean")`` (what :func:`~nqpf.diagnose.strategy_table` does by default), a
    year with the tiers of that year.

    Parameters
    ----------
    scores_wide : DataFrame
        Regions × years; scores of ``year`` (default the last; ``"mean"`` each region's mean over
        all years) go into the table and order the partners.
    neighbours : dict region → list of regions
        Contiguity, e.g. ``nqpf.regions.neighbours()``.
    tiers : DataFrame or Series
        Result of :func:`tiers` (the rows of ``year``, default its last year; with ``year="mean"``
        the rows ``"mean"``) or region → tier code.
    roles : DataFrame, optional
        Result of :func:`roles`.
    year : int or "mean", optional
    high, low : sequence of str
        Tier codes of the leaders and of the regions in need of partners.

    Returns
    -------
    DataFrame
        ``region, tier, direction, partner, partner_tier, score, partner_score, gap`` (gap =
        partner_score − score); per region in the order of the scores, first its "receive" rows
        (partners by score, highest first), then its "drive" rows (lowest first); ties keep the
        order of ``neighbours``.
    """
    Y = check_scores(scores_wide)
    if isinstance(year, str):
        if year != "mean":
            raise InputError(f"partners: year={year!r}; use an int, None (the last year) or 'mean'")
        yr, score = "mean", Y.mean(axis=1)
    else:
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
    e = _edges(list(Y.index), neighbours, set(score.index))
    tier_of = {r: tier.get(r) for r in set(e["region"]) | set(e["partner"])}
    r_tier, p_tier = e["region"].map(tier_of), e["partner"].map(tier_of)
    p_score = e["partner"].map(score).astype(float)
    receive = e[r_tier.isin(low) & p_tier.isin(high)].assign(
        direction="receive", _d=0, _key=-p_score)
    drive = e[e["region"].isin(leaders) & p_tier.isin(low)].assign(
        direction="drive", _d=1, _key=p_score)
    out = pd.concat([receive, drive]).sort_values(["pos", "_d", "_key", "nb_pos"], kind="stable")
    out = pd.DataFrame({"region": out["region"].to_numpy(object),
                        "tier": out["region"].map(tier_of).to_numpy(object),
                        "direction": out["direction"].to_numpy(object),
                        "partner": out["partner"].to_numpy(object)})
    out["partner_tier"] = out["partner"].map(tier)
    out["score"] = out["region"].map(score).astype(float)
    out["partner_score"] = out["partner"].map(score).astype(float)
    out["gap"] = out["partner_score"] - out["score"]
    return out
