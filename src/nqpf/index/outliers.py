r"""Screen the indicator matrix for values that would decide the weights, and optionally treat them.

The entropy method rewards dispersion, so one unit slip (a value of 1e300 among values near 1) or an
indicator that moves in steps (a forest inventory repeated between inventory years) can take most of
the weight while the scores still look plausible. :func:`screen_indicators` names them before the
weights are used; :func:`treat_indicators` applies the treatment the user chose.

Rules (all pooled over the region-years of the matrix, stated in the index parameters):

* **Skewed indicator** (COINr's rule, Becker et al. 2017 and the JRC's composite-indicator checks):
  ``|skewness| > 2`` and ``kurtosis > 3.5`` (sample skewness and excess kurtosis, the adjusted
  Fisher–Pearson estimators, :func:`scipy.stats.skew` / :func:`~scipy.stats.kurtosis` with
  ``bias=False``). Its most extreme cells (robust z-score ``|x − median| / (1.4826 · MAD)`` above 10,
  or the single farthest one) are named.
* **Step series**: in at least half of the regions the indicator takes at most ``max(2, T/3)``
  distinct values over ``T ≥ 6`` years (an inventory or census value carried between surveys).
* **Dominant indicator**: an indicator whose weight exceeds ``max(0.3, 3/m)`` of ``m`` indicators.

Every flagged indicator and extreme cell is an audit row. The console (a warning) names those that
matter for the weights: a skewed indicator whose extreme value is a likely unit slip (robust z above
1,000) or whose weight is above the equal share ``1/m`` and at least 1.5 times the weight it gets once
treated; a step series whose weight is above the equal share; a dominant indicator. The warning states
the indicator, the region-year, its weight and the weight it would get once treated.

Treatment (``treat``): ``"none"`` (default: report only; the values are the user's), ``"winsorise"``
(COINr's default rule: winsorise the farthest value on the skewed side, one at a time, up to
``winmax = 5`` values, until the skewness and kurtosis rule no longer holds; if it still holds, a log
transform of the winsorised values — COINr takes the log of the original values, which leaves a unit
slip of 1e300 ruling the log scale) or ``"log"`` (the log transform directly). The log transform is COINr's
``log_CT``: :math:`\ln(x - \min x + (\max x - \min x)/100)`, mirrored for a negatively skewed
indicator. Every treated cell is an audit row (``treated``, old and new value).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from nqpf.errors import InputError
from nqpf.i18n._reasons import reason

__all__ = ["TREATMENTS", "SKEW_MAX", "KURT_MAX", "WINMAX", "screen_indicators", "treat_indicators",
           "skew_kurt", "Screen"]

#: Treatments of flagged indicators.
TREATMENTS = ("none", "winsorise", "log")
SKEW_MAX, KURT_MAX, WINMAX = 2.0, 3.5, 5
ROBUST_Z = 10.0


def skew_kurt(x: np.ndarray) -> tuple[float, float]:
    """Sample skewness and excess kurtosis (adjusted Fisher–Pearson, ``bias=False``) of the finite
    values of ``x``; NaN for fewer than 4 values or a constant series."""
    x = np.asarray(x, dtype=float)
    x = x[np.isfinite(x)]
    x = _scaled(x)   # exact power-of-two scaling: ±1e308 in one indicator cannot overflow the range
    if len(x) < 4 or np.ptp(x) == 0:
        return float("nan"), float("nan")
    x = (x - np.median(x)) / np.max(np.abs(x - np.median(x)))   # scale-free moments: 1e300 cannot overflow
    from scipy import stats   # imported here: the command line starts without scipy.stats

    with np.errstate(all="ignore"):
        return float(stats.skew(x, bias=False)), float(stats.kurtosis(x, bias=False))


def _scaled(x: np.ndarray) -> np.ndarray:
    from .normalize import pow2_scale

    return pow2_scale(np.asarray(x, dtype=float).reshape(-1, 1))[0].ravel() if np.size(x) else np.asarray(x, float)


def _skewed(s: float, k: float) -> bool:
    return bool(np.isfinite(s) and np.isfinite(k) and abs(s) > SKEW_MAX and k > KURT_MAX)


@dataclass
class Screen:
    """What :func:`screen_indicators` found: ``table`` has one row per indicator (``indicator,
    skewness, kurtosis, skewed, step_series, n_extreme``), ``cells`` the named extreme cells (``indicator,
    region, year, value, robust_z``)."""

    table: pd.DataFrame
    cells: pd.DataFrame
    params: dict = field(default_factory=dict)

    @property
    def skewed(self) -> list[str]:
        return self.table.loc[self.table["skewed"], "indicator"].tolist()

    @property
    def steps(self) -> list[str]:
        return self.table.loc[self.table["step_series"], "indicator"].tolist()


def _robust_z(x: np.ndarray) -> np.ndarray:
    x = _scaled(x)   # scale-free, and no overflow near the float limit
    med = np.nanmedian(x)
    mad = 1.4826 * np.nanmedian(np.abs(x - med))
    if not np.isfinite(mad) or mad == 0:
        mad = np.nanstd(x) or 1.0
    with np.errstate(all="ignore"):
        return np.abs(x - med) / mad


def screen_indicators(X: pd.DataFrame) -> Screen:
    """Skewed indicators with their extreme cells and step series of the matrix ``X`` (index (region,
    year) or region; one column per indicator). Nothing is changed."""
    idx = X.index
    multi = isinstance(idx, pd.MultiIndex)
    regions = idx.get_level_values(0) if multi else idx
    years = idx.get_level_values(1) if multi else pd.Index([""] * len(idx))
    n_years = int(pd.Index(years).nunique()) if multi else 1
    rows, cells = [], []
    for col in X.columns:
        x = X[col].to_numpy(dtype=float)
        s, k = skew_kurt(x)
        skewed = _skewed(s, k)
        n_ext = 0
        if skewed:
            z = _robust_z(x)
            order = np.argsort(-np.nan_to_num(z, nan=-1), kind="mergesort")
            pick = [int(i) for i in order[z[order] > ROBUST_Z][:5]] or [int(order[0])]
            n_ext = int(np.sum(z > ROBUST_Z))
            for i in pick:
                cells.append({"indicator": str(col), "region": regions[i], "year": years[i], "value": x[i],
                              "robust_z": float(z[i])})
        step = False
        if multi and n_years >= 6:
            distinct = pd.Series(x).groupby(np.asarray(regions)).nunique()
            step = bool((distinct <= max(2, n_years // 3)).mean() >= 0.5 and np.ptp(_scaled(np.nan_to_num(x))) > 0)
        rows.append({"indicator": str(col), "skewness": s, "kurtosis": k, "skewed": skewed, "step_series": step,
                     "n_extreme": n_ext})
    table = pd.DataFrame(rows, columns=["indicator", "skewness", "kurtosis", "skewed", "step_series", "n_extreme"])
    cells_df = pd.DataFrame(cells, columns=["indicator", "region", "year", "value", "robust_z"])
    return Screen(table, cells_df, {"skew_max": SKEW_MAX, "kurt_max": KURT_MAX, "robust_z": ROBUST_Z,
                                    "step_rule": "≤ max(2, T/3) distinct values in ≥ half of the regions, T ≥ 6"})


def _log_ct(x: np.ndarray, negative: bool) -> np.ndarray:
    y = -x if negative else x
    lo, hi = np.nanmin(y), np.nanmax(y)
    with np.errstate(over="ignore", invalid="ignore"):
        span = hi - lo
    if np.isfinite(span):
        out = np.log(y - lo + span / 100)
    else:   # a range beyond the float limit: ln(2^e·u) = e·ln 2 + ln u on the scaled values u = y / 2^e
        from .normalize import pow2_scale

        u, e = pow2_scale(y.reshape(-1, 1))
        u, e = u.ravel(), int(e[0])
        ulo, uhi = np.nanmin(u), np.nanmax(u)
        out = e * np.log(2.0) + np.log(u - ulo + (uhi - ulo) / 100)
    return -out if negative else out


def _winsorise(x: np.ndarray, winmax: int) -> tuple[np.ndarray, int, bool]:
    """COINr's rule: winsorise the farthest value on the skewed side, one at a time, up to ``winmax``
    values, until the indicator is no longer skewed. Returns (values, number winsorised, still skewed)."""
    y = x.copy()
    done = 0
    while done < winmax:
        s, k = skew_kurt(y)
        if not _skewed(s, k):
            return y, done, False
        fin = np.isfinite(y)
        if s > 0:
            i = int(np.nanargmax(np.where(fin, y, -np.inf)))
            rest = np.where(fin, y, -np.inf)
            rest[i] = -np.inf
            y[y == y[i]] = rest.max() if np.isfinite(rest.max()) else y[i]
        else:
            i = int(np.nanargmin(np.where(fin, y, np.inf)))
            rest = np.where(fin, y, np.inf)
            rest[i] = np.inf
            y[y == y[i]] = rest.min() if np.isfinite(rest.min()) else y[i]
        done += 1
    s, k = skew_kurt(y)
    return y, done, _skewed(s, k)


def treat_indicators(X: pd.DataFrame, indicators, treat: str = "winsorise", winmax: int = WINMAX, *,
                     audit: bool = True):
    """``X`` with the skewed ``indicators`` treated (see the module text), the audit rows of every
    changed cell (none with ``audit=False``, for a comparison only), and per indicator how it was treated
    (``winsorised:<n>`` or ``log``)."""
    if treat not in TREATMENTS:
        import difflib

        close = difflib.get_close_matches(str(treat), TREATMENTS, n=1)
        raise InputError(f"unknown treatment {treat!r}" + (f"; did you mean {close[0]!r}?" if close else "")
                         + f" (treatments: {', '.join(TREATMENTS)})")
    if not isinstance(winmax, (int, np.integer)) or isinstance(winmax, bool) or winmax < 0:
        raise InputError(f"winmax must be a whole number ≥ 0, got {winmax!r}")
    out = X.copy()
    how: dict[str, str] = {}
    rows = []
    multi = isinstance(X.index, pd.MultiIndex)
    regs = np.asarray(X.index.get_level_values(0) if multi else X.index, dtype=object)
    yrs = np.asarray(X.index.get_level_values(1), dtype=object) if multi else None
    for col in indicators if treat != "none" else ():
        x = X[col].to_numpy(dtype=float)
        s, _ = skew_kurt(x)
        if treat == "winsorise":
            y, n, still = _winsorise(x, int(winmax))
            how[col] = f"winsorised:{n}"
            if still:   # the log of the winsorised values: a unit slip removed above cannot rule the log scale
                y, how[col] = _log_ct(y, s < 0), f"winsorised:{n}+log"
        else:
            y, how[col] = _log_ct(x, s < 0), "log"
        out[col] = y
        if not audit:
            continue
        why = reason("treated", how=how[col], skew=SKEW_MAX, kurt=KURT_MAX)
        for i in np.flatnonzero(~np.isclose(x, y, rtol=0, atol=0, equal_nan=True)):
            rows.append({"stage": "index", "region": regs[i], "year": yrs[i] if multi else "",
                         "variable": str(col), "action": "treated", "old": x[i], "new": y[i], **why})
    return out, rows, how
