"""Kernel density of the scores, every year at once, nationally and per region group.

The estimate of year :math:`t` over the :math:`n` regions of a set (all regions, or one group) is

.. math::

    \\hat f_t(x) = \\frac{1}{n h_t} \\sum_{i=1}^{n} K\\Big(\\frac{x - y_{it}}{h_t}\\Big)

with the bandwidth :math:`h_t` being the **standard deviation of the kernel** (as R's ``density``,
Stata's ``kdensity`` and SciPy's ``gaussian_kde``), so the same :math:`h` smooths the same amount
with either kernel:

* ``gaussian`` (default): :math:`K(u) = e^{-u^2/2} / \\sqrt{2\\pi}`;
* ``epanechnikov``: :math:`K(u) = \\frac{3}{4\\sqrt5}\\,(1 - u^2/5)` for :math:`|u| \\le \\sqrt5`, else 0
  (unit variance; Stata's ``epanechnikov``; the textbook form :math:`\\frac34(1-v^2)` on
  :math:`|v| \\le 1` with bandwidth :math:`\\sqrt5\\,h`).

Bandwidth rules (per year and set; :func:`bandwidths`), :math:`A = \\min(s, \\mathrm{IQR}/1.349)`
(:math:`s` the sample standard deviation, ``ddof=1``; :math:`A = s` when the IQR is 0):

* ``silverman`` (default): :math:`h = 0.9\\,A\\,n^{-1/5}` (Silverman 1986, eq. 3.31; R ``bw.nrd0``,
  Stata ``kdensity``, statsmodels ``bw_silverman``);
* ``scott``: :math:`h = 1.059\\,A\\,n^{-1/5}` (Scott 1992; statsmodels ``bw_scott``);
* a positive number: that bandwidth for every year and set (rule ``given``).

Grid rule: one grid of ``grid`` equally spaced points (default 200) common to every year and set,
from the smallest :math:`\\min_i y_{it} - 3h_t` to the largest :math:`\\max_i y_{it} + 3h_t` over
all years and sets (R's ``density`` cut = 3), so curves of different years and groups are comparable.
When every score is non-negative (composite scores), the grid starts at 0 instead: a curve drawn below 0
reads as negative scores. The density itself is not corrected at the boundary (no reflection): the
kernel mass below 0 is simply not drawn, so a curve may end above 0 at 0 and the area under the drawn
part is a little under 1 for regions near 0.

Descriptors of each curve (:func:`density_features`, on the grid):

* ``peak_x``, ``peak_density``: location and height of the main (highest) peak;
* ``n_peaks``: local maxima of the gridded density at least ``peak_threshold`` (default 10 %) of the
  main peak's height;
* ``width_half_height``: width of the interval around the main peak where the density is at least half
  of its height (full width at half maximum; crossings interpolated linearly between grid points; a
  secondary peak above half height joined to the main one is inside it);
* ``skewness``: sample skewness of the scores, :math:`g_1 = m_3 / m_2^{3/2}` (moments about the mean
  with divisor :math:`n`; ``scipy.stats.skew`` with ``bias=True``);
* tail extension: ``tail_right`` = max score − ``peak_x`` and ``tail_left`` = ``peak_x`` − min score
  (score units: how far the tails reach from the main peak), and ``tail_right_sd`` =
  (max − mean) / :math:`s` (the right tail beyond the mean in standard deviations).

Degenerate sets are stated, not filled: a set with fewer than :data:`MIN_REGIONS` regions has NaN
rows with status ``too_few``; a year whose scores are all equal (up to
:data:`nqpf.disparity._validate.EQUAL_RTOL`) has status ``constant``: with a bandwidth rule the
bandwidth is 0 and the density undefined (NaN rows); with a given bandwidth the density is that of
one kernel and only the skewness and ``tail_right_sd`` are NaN. Both warn (``UserWarning``).

References
----------
Silverman, B. W. (1986). *Density Estimation for Statistics and Data Analysis*. Chapman & Hall.
Scott, D. W. (1992). *Multivariate Density Estimation*. Wiley.
"""
from __future__ import annotations

import math
import warnings
from typing import NamedTuple

import numpy as np
import pandas as pd

from nqpf.disparity._validate import as_matrix, equal_years, group_sets
from nqpf.errors import InputError

__all__ = ["KERNELS", "BANDWIDTH_RULES", "MIN_REGIONS", "CUT", "PEAK_THRESHOLD", "GRID", "ALL",
           "KernelDensity", "bandwidths", "evaluate", "common_grid", "density_features", "kernel_density"]

#: Kernels, by name.
KERNELS = ("gaussian", "epanechnikov")
#: Bandwidth rules, by name (a positive number is the other choice: rule ``given``).
BANDWIDTH_RULES = ("silverman", "scott")
_RULE_FACTOR = {"silverman": 0.9, "scott": 1.059}
#: IQR of the standard normal as Silverman (1986, p. 47) rounds it.
IQR_NORMAL = 1.349
#: Fewest regions of a set for a density (fewer: NaN rows, status ``too_few``).
MIN_REGIONS = 3
#: The grid reaches this many bandwidths beyond the extreme scores (R's ``density`` cut).
CUT = 3.0
#: Default share of the main peak's height a local maximum needs to count as a peak.
PEAK_THRESHOLD = 0.1
#: Default number of grid points.
GRID = 200
#: Group code of the whole panel.
ALL = "all"
#: Elements of one broadcast block of :func:`evaluate` (16 MB of float64).
_BLOCK = 2_000_000
_SQRT5 = math.sqrt(5.0)

_FEATURES = ["group", "year", "n", "kernel", "bandwidth", "bandwidth_rule", "peak_x", "peak_density",
             "n_peaks", "width_half_height", "skewness", "tail_right", "tail_left", "tail_right_sd", "status"]


class KernelDensity(NamedTuple):
    """Result of :func:`kernel_density`: the curves (``group, year, x, density``) and their descriptors
    (``group, year, n, kernel, bandwidth, bandwidth_rule, peak_x, peak_density, n_peaks,
    width_half_height, skewness, tail_right, tail_left, tail_right_sd, status``)."""

    density: pd.DataFrame
    features: pd.DataFrame


def _check_kernel(kernel) -> str:
    k = str(kernel).strip().lower() if isinstance(kernel, str) else kernel
    if k not in KERNELS:
        raise InputError(f"kernel density: unknown kernel {kernel!r}; use one of {', '.join(KERNELS)}")
    return k


def _check_bandwidth(bandwidth) -> str | float:
    if isinstance(bandwidth, str):
        b = bandwidth.strip().lower()
        if b in BANDWIDTH_RULES:
            return b
        try:
            bandwidth = float(b)
        except ValueError:
            raise InputError(f"kernel density: unknown bandwidth {bandwidth!r}; use one of "
                             f"{', '.join(BANDWIDTH_RULES)} or a positive number") from None
    if isinstance(bandwidth, bool) or not isinstance(bandwidth, (int, float, np.integer, np.floating)) \
            or not np.isfinite(bandwidth) or bandwidth <= 0:
        raise InputError(f"kernel density: bandwidth must be {' or '.join(BANDWIDTH_RULES)} or a positive "
                         f"number, got {bandwidth!r}")
    return float(bandwidth)


def bandwidths(X: np.ndarray, rule: str | float = "silverman") -> np.ndarray:
    """Bandwidth of every column (year) of ``X`` (regions × years): a rule's value or the given number.

    ``silverman``: :math:`0.9\\,A\\,n^{-1/5}`; ``scott``: :math:`1.059\\,A\\,n^{-1/5}`; with
    :math:`A = \\min(s, \\mathrm{IQR}/1.349)`, :math:`s` the sample standard deviation (``ddof=1``),
    the IQR from linearly interpolated quartiles, and :math:`A = s` when the IQR is 0 (statsmodels'
    ``_select_sigma``). A column of equal scores gets 0 from a rule (no spread).

    Parameters
    ----------
    X : ndarray, shape (n, T)
    rule : {"silverman", "scott"} or float

    Returns
    -------
    ndarray, shape (T,)
    """
    X = np.asarray(X, dtype=float)
    rule = _check_bandwidth(rule)
    if not isinstance(rule, str):
        return np.full(X.shape[1], rule)
    n = X.shape[0]
    s = X.std(axis=0, ddof=1) if n > 1 else np.zeros(X.shape[1])
    q75, q25 = np.percentile(X, [75, 25], axis=0)
    iqr = (q75 - q25) / IQR_NORMAL
    A = np.where(iqr > 0, np.minimum(s, iqr), s)
    return _RULE_FACTOR[rule] * A * n ** -0.2


def evaluate(X: np.ndarray, points: np.ndarray, h: np.ndarray, kernel: str = "gaussian") -> np.ndarray:
    """Kernel density of every column of ``X`` at ``points``, all columns at once.

    Broadcasts in blocks of about 2·10⁶ kernel evaluations (years × points × regions), so memory stays
    small whatever the panel; a column whose bandwidth is not a positive number gives NaN.

    Parameters
    ----------
    X : ndarray, shape (n, T)
        Scores, regions × years (finite).
    points : ndarray, shape (m,)
        Where to evaluate.
    h : ndarray, shape (T,)
        Bandwidth of each column (the kernel's standard deviation).
    kernel : {"gaussian", "epanechnikov"}

    Returns
    -------
    ndarray, shape (T, m)
        :math:`\\hat f_t(x_j)`.
    """
    kernel = _check_kernel(kernel)
    X = np.asarray(X, dtype=float)
    x = np.asarray(points, dtype=float).ravel()
    h = np.asarray(h, dtype=float).ravel()
    n, T = X.shape
    m = x.size
    out = np.full((T, m), np.nan)
    cols = np.flatnonzero(np.isfinite(h) & (h > 0))
    if cols.size == 0 or n == 0 or m == 0:
        return out
    per_year = n * m
    ystep = max(1, _BLOCK // per_year)
    rstep = n if per_year <= _BLOCK else max(1, _BLOCK // m)
    XT = X.T
    for s in range(0, cols.size, ystep):
        j = cols[s:s + ystep]
        inv = (1.0 / h[j])[:, None, None]
        acc = np.zeros((j.size, m))
        for r in range(0, n, rstep):
            U = x[None, :, None] - XT[j, r:r + rstep][:, None, :]   # (years, points, regions)
            U *= inv
            U *= U
            if kernel == "gaussian":
                U *= -0.5
                np.exp(U, out=U)
            else:
                U *= -0.2
                U += 1.0
                np.maximum(U, 0.0, out=U)
            acc += U.sum(axis=2)
        const = 1.0 / math.sqrt(2.0 * math.pi) if kernel == "gaussian" else 3.0 / (4.0 * _SQRT5)
        out[j] = acc * (const / (n * h[j]))[:, None]
    return out


def common_grid(sets: list[tuple[np.ndarray, np.ndarray]], m: int = GRID, cut: float = CUT,
                floor: float | None = None) -> np.ndarray:
    """The grid of ``m`` equally spaced points common to every set: from the smallest
    :math:`\\min_i y_{it} - \\mathrm{cut}\\cdot h_t` to the largest :math:`\\max_i y_{it} +
    \\mathrm{cut}\\cdot h_t` over the ``(X, h)`` pairs (years whose bandwidth is not positive count
    with their scores only; if no bandwidth is positive, the score range, widened by 10 % of its centre
    when it is a single value). ``floor`` (e.g. 0 for non-negative scores, at most the smallest
    score) raises the lower end to it when it lies below."""
    lo, hi = np.inf, -np.inf
    for X, h in sets:
        if X.size == 0:
            continue
        ok = np.isfinite(h) & (h > 0)
        pad = np.where(ok, cut * np.where(ok, h, 0.0), 0.0)
        lo = min(lo, float(np.min(X.min(axis=0) - pad)))
        hi = max(hi, float(np.max(X.max(axis=0) + pad)))
    if not np.isfinite(lo) or not np.isfinite(hi):
        raise InputError("kernel density: no scores to estimate a density from")
    if hi <= lo:
        c = lo
        w = 0.1 * abs(c) if c != 0 else 1.0
        lo, hi = c - w, c + w
    if floor is not None and lo < floor < hi:
        lo = float(floor)
    return np.linspace(lo, hi, int(m))


def density_features(x: np.ndarray, D: np.ndarray, threshold: float = PEAK_THRESHOLD) -> dict[str, np.ndarray]:
    """Peak, number of peaks and width at half height of every row of ``D`` (densities on grid ``x``).

    The main peak is the grid point of highest density (the first if tied). A peak is a local maximum
    of the gridded curve (higher than its left neighbour and at least as high as its right one; the
    grid's ends are compared with their one neighbour) at least ``threshold`` × the main peak's
    height. The width at half height is :math:`x_r - x_l`, the points nearest the main peak on either
    side where the curve falls below half its height, interpolated linearly between grid points (NaN
    if the curve stays above half height up to an end of the grid). Rows with a NaN are NaN.

    Returns
    -------
    dict
        ``peak_x``, ``peak_density``, ``n_peaks`` (float, NaN for NaN rows), ``width_half_height``.
    """
    x = np.asarray(x, dtype=float)
    D = np.atleast_2d(np.asarray(D, dtype=float))
    R, m = D.shape
    valid = np.isfinite(D).all(axis=1)
    Dz = np.where(valid[:, None], D, 0.0)
    rows = np.arange(R)
    ipk = Dz.argmax(axis=1)
    peak = Dz[rows, ipk]
    P = np.pad(Dz, ((0, 0), (1, 1)), constant_values=-np.inf)
    mid = P[:, 1:-1]
    is_max = (mid > P[:, :-2]) & (mid >= P[:, 2:]) & (mid >= threshold * peak[:, None]) & (mid > 0)
    n_peaks = is_max.sum(axis=1).astype(float)
    half = peak / 2.0
    below = Dz < half[:, None]
    idx = np.arange(m)
    left = below & (idx[None, :] < ipk[:, None])
    right = below & (idx[None, :] > ipk[:, None])
    has_l, has_r = left.any(axis=1), right.any(axis=1)
    jl = np.where(has_l, m - 1 - np.argmax(left[:, ::-1], axis=1), 0)
    jr = np.where(has_r, np.argmax(right, axis=1), 1)
    jl1 = np.minimum(jl + 1, m - 1)
    jr0 = np.maximum(jr - 1, 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        xl = x[jl] + (half - Dz[rows, jl]) / (Dz[rows, jl1] - Dz[rows, jl]) * (x[jl1] - x[jl])
        xr = x[jr0] + (Dz[rows, jr0] - half) / (Dz[rows, jr0] - Dz[rows, jr]) * (x[jr] - x[jr0])
    width = np.where(has_l & has_r, xr - xl, np.nan)
    bad = ~valid | ~(peak > 0)
    return {
        "peak_x": np.where(bad, np.nan, x[ipk]),
        "peak_density": np.where(bad, np.nan, peak),
        "n_peaks": np.where(bad, np.nan, n_peaks),
        "width_half_height": np.where(bad, np.nan, width),
    }


def _moments(X: np.ndarray, const: np.ndarray) -> dict[str, np.ndarray]:
    """Skewness g1 and the right tail beyond the mean in SDs per column (NaN where ``const``)."""
    mean = X.mean(axis=0)
    d = X - mean
    m2 = (d * d).mean(axis=0)
    m3 = (d * d * d).mean(axis=0)
    s = X.std(axis=0, ddof=1) if X.shape[0] > 1 else np.full(X.shape[1], np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        g1 = np.where(const, np.nan, m3 / m2 ** 1.5)
        tail_sd = np.where(const, np.nan, (X.max(axis=0) - mean) / s)
    return {"skewness": g1, "tail_right_sd": tail_sd}


def _py(v):
    return v.item() if isinstance(v, np.generic) else v


def kernel_density(Y: pd.DataFrame, groups=None, *, kernel: str = "gaussian", bandwidth: str | float = "silverman",
                   grid: int = GRID, peak_threshold: float = PEAK_THRESHOLD) -> KernelDensity:
    """Kernel density of the scores of every year, for the whole panel and for each region group.

    Parameters
    ----------
    Y : DataFrame
        Scores, index = regions, columns = years (no missing values; any sign).
    groups : mapping or Series, optional
        Region → group code (e.g. the NBS four regions ``east, central, west, northeast``); each group
        gets its own curves (group code ``all``: the whole panel, reserved).
    kernel : {"gaussian", "epanechnikov"}
        Kernel; the bandwidth is its standard deviation (module docstring).
    bandwidth : {"silverman", "scott"} or float
        Rule applied per year and set, or one bandwidth for all.
    grid : int
        Points of the common grid (module docstring: grid rule; from 0 when every score is ≥ 0, the
        density not corrected at that boundary).
    peak_threshold : float
        Share of the main peak's height a local maximum needs to count in ``n_peaks``.

    Returns
    -------
    KernelDensity
        ``density``: ``group, year, x, density`` (``grid`` rows per group and year, sets in the order
        ``all`` then the groups as first met in ``Y``'s rows); ``features``: one row per group and year,
        ``group, year, n, kernel, bandwidth, bandwidth_rule, peak_x, peak_density, n_peaks,
        width_half_height, skewness, tail_right, tail_left, tail_right_sd, status`` (``status``:
        ``ok``, ``constant`` or ``too_few``; ``bandwidth_rule``: ``silverman``, ``scott`` or
        ``given``).

    Raises
    ------
    InputError
        Missing values, an unknown kernel or bandwidth, ``grid`` < 3, a ``peak_threshold`` outside
        [0, 1], a group named ``all`` or a region without a group.
    """
    what = "kernel density"
    X = as_matrix(Y, what)
    kernel = _check_kernel(kernel)
    bw = _check_bandwidth(bandwidth)
    if isinstance(grid, bool) or not isinstance(grid, (int, np.integer)) or grid < 3:
        raise InputError(f"{what}: grid must be a whole number of points ≥ 3, got {grid!r}")
    if not isinstance(peak_threshold, (int, float, np.floating)) or not 0 <= float(peak_threshold) <= 1:
        raise InputError(f"{what}: peak_threshold must be a share between 0 and 1, got {peak_threshold!r}")
    years = [_py(y) for y in Y.columns]
    sets = group_sets(Y, groups, what, ALL)
    rule = bw if isinstance(bw, str) else "given"
    parts = []
    for name, rows in sets:
        Xg = X[rows]
        few = rows.size < MIN_REGIONS
        const = equal_years(Xg) if rows.size else np.ones(X.shape[1], bool)
        h = bandwidths(Xg, bw) if rows.size >= 2 else np.full(X.shape[1], np.nan)
        if few:
            h = np.full(X.shape[1], np.nan)
        elif isinstance(bw, str):
            h = np.where(const, np.nan, h)
        parts.append((name, Xg, h, few, const))
    floor = 0.0 if X.size and float(X.min()) >= 0 else None    # non-negative scores: no grid below 0
    x = common_grid([(Xg, h) for _, Xg, h, few, _ in parts if not few], grid, floor=floor)
    dens, feats = [], []
    few_sets, const_sets = [], []
    for name, Xg, h, few, const in parts:
        T = X.shape[1]
        D = np.full((T, x.size), np.nan) if few else evaluate(Xg, x, h, kernel)
        f = density_features(x, D, float(peak_threshold))
        mom = _moments(Xg, const) if not few else {"skewness": np.full(T, np.nan), "tail_right_sd": np.full(T, np.nan)}
        status = np.where(few, "too_few", np.where(const, "constant", "ok"))
        if few:
            few_sets.append(f"{name} ({Xg.shape[0]} regions)")
        elif const.any():
            const_sets += [f"{name} {years[j]}" for j in np.flatnonzero(const)]
        mx = Xg.max(axis=0) if Xg.size else np.full(T, np.nan)
        mn = Xg.min(axis=0) if Xg.size else np.full(T, np.nan)
        feats.append(pd.DataFrame({
            "group": name, "year": years, "n": Xg.shape[0], "kernel": kernel, "bandwidth": h,
            "bandwidth_rule": rule, **f,
            "skewness": mom["skewness"], "tail_right": mx - f["peak_x"], "tail_left": f["peak_x"] - mn,
            "tail_right_sd": mom["tail_right_sd"], "status": status,
        }))
        dens.append(pd.DataFrame({"group": name, "year": np.repeat(years, x.size), "x": np.tile(x, T),
                                  "density": D.ravel()}))
    if few_sets:
        warnings.warn(f"{what}: fewer than {MIN_REGIONS} regions in group(s) {', '.join(few_sets)}: no density "
                      "is estimated for them (NaN rows, status too_few)", UserWarning, stacklevel=2)
    if const_sets:
        tail = ("the bandwidth rule gives 0, so the density is undefined (NaN rows)" if isinstance(bw, str)
                else "the density is one kernel; skewness and tail_right_sd are NaN")
        warnings.warn(f"{what}: every region has the same score in {', '.join(const_sets)}: {tail} "
                      "(status constant)", UserWarning, stacklevel=2)
    features = pd.concat(feats, ignore_index=True)[_FEATURES]
    features["n_peaks"] = features["n_peaks"].astype("Int64")
    density = pd.concat(dens, ignore_index=True)
    return KernelDensity(density, features)
