"""β convergence of the scores: absolute and conditional, cross-section and two-way fixed-effects panel,
for the whole panel and per region group. (σ convergence is :func:`nqpf.disparity.sigma`.)

Models (:math:`y_{it}` the score of region :math:`i` in year :math:`t`, first year :math:`0`, last
:math:`T`; ``span`` :math:`= T` in years):

* ``beta_absolute`` — cross-section of the mean annual growth on the initial log level,

  .. math:: \\frac{1}{T}\\ln\\frac{y_{iT}}{y_{i0}} = \\alpha + \\beta \\ln y_{i0} + \\varepsilon_i ,

  OLS with heteroskedasticity-robust HC1 standard errors (White 1980 with the :math:`n/(n-k)`
  correction; Stata ``regress, robust``, statsmodels ``cov_type="HC1"``);
* ``beta_panel_fe`` — annual panel with region and year fixed effects,

  .. math:: \\frac{1}{d}\\ln\\frac{y_{i,t+d}}{y_{it}} = \\beta \\ln y_{it} + \\mu_i + \\eta_t + \\varepsilon_{it}

  over consecutive observed years :math:`t, t+d` (:math:`d = 1` for annual data), estimated by the
  two-way within transformation of the balanced panel (identical coefficients and residuals to the
  dummy-variable regression) with standard errors clustered by region and the small-sample factor of
  the dummy regression, :math:`\\frac{G}{G-1}\\frac{N-1}{N-K}` with :math:`G = n` clusters (regions), :math:`N = nP`
  observations over :math:`P` growth periods and :math:`K = n + P + k_c` parameters (constant,
  :math:`n-1` region and :math:`P-1` year dummies, β and the :math:`k_c` controls; statsmodels
  ``cov_type="cluster"``, Stata ``regress … i.region i.year, vce(cluster region)``);
* ``beta_conditional`` / ``beta_conditional_fe`` — the same with control variables :math:`X` added:
  in the cross-section their values in the initial year (``control_basis="initial"``, default) or their
  means over the years :math:`0 … T-1` (``"period_mean"``); in the panel their values in year
  :math:`t`.

Inference: t statistics with :math:`n-k` degrees of freedom for HC1 and :math:`G-1` (clusters less
one) for the clustered panel (Stata's convention; statsmodels with ``use_t=True``); p two-sided.
``r2``: the usual R² of the cross-section; the *within* R² of the panel, :math:`1 - SSR / \\sum
\\tilde g_{it}^2` after removing the region and year effects (Stata ``xtreg, fe``).

Speed and half-life: from :math:`\\beta = -(1 - e^{-\\lambda T})/T` for the mean growth over
:math:`T` years, :math:`\\lambda = -\\ln(1 + \\beta T)/T` (equivalently :math:`-\\ln(1 + B)/T` with
:math:`B = \\beta T` the coefficient of the total growth :math:`\\ln(y_{iT}/y_{i0})`); for the panel
:math:`\\lambda = -\\ln(1 + \\beta d)/d`, i.e. :math:`-\\ln(1 + \\beta)` per year; half-life
:math:`\\tau = \\ln 2 / \\lambda` years. Both are NaN when :math:`\\beta \\ge 0` (no convergence) or
:math:`1 + \\beta T \\le 0` (the implied speed is infinite: overshooting), and the panel's when the
observed years are not equally spaced.

Degenerate cases are NaN rows with a ``status`` and a ``UserWarning``: ``too_few`` (fewer than
:data:`MIN_REGIONS` regions), ``no_df`` (no residual degrees of freedom), ``singular`` (a regressor
without variation or collinear, e.g. equal initial scores).

References
----------
Barro, R. J. & Sala-i-Martin, X. (1992). Convergence. *Journal of Political Economy* 100(2), 223–251.
White, H. (1980). *Econometrica* 48(4), 817–838. Cameron, A. C. & Miller, D. L. (2015). A practitioner's
guide to cluster-robust inference. *Journal of Human Resources* 50(2), 317–372.
"""
from __future__ import annotations

import math
import warnings
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import stats

from nqpf.disparity._validate import as_matrix, group_sets
from nqpf.errors import InputError

__all__ = ["MODELS", "MIN_REGIONS", "CONTROL_BASES", "ALL", "Convergence", "speed_half_life", "ols_hc1",
           "within_two_way", "fe_cluster", "beta_convergence"]

#: Model codes, in the order of the table.
MODELS = ("beta_absolute", "beta_panel_fe", "beta_conditional", "beta_conditional_fe")
#: Fewest regions of a set for a regression.
MIN_REGIONS = 3
#: How the cross-section's controls are taken.
CONTROL_BASES = ("initial", "period_mean")
#: Group code of the whole panel.
ALL = "all"

_COLUMNS = ["model", "group", "beta", "se", "t", "p", "speed", "half_life", "r2", "n", "span", "df",
            "n_clusters", "se_type", "status"]
_TERMS = ["model", "group", "term", "coef", "se", "t", "p"]


class Convergence(NamedTuple):
    """Result of :func:`beta_convergence`: one row per model and group (``convergence``) and every
    coefficient of every model (``terms``)."""

    table: pd.DataFrame
    terms: pd.DataFrame


class _Fit(NamedTuple):
    coef: np.ndarray
    se: np.ndarray
    df: float
    r2: float
    n: int
    n_clusters: float
    status: str


def _nan_fit(k: int, n: int, status: str, clusters=np.nan) -> _Fit:
    return _Fit(np.full(k, np.nan), np.full(k, np.nan), np.nan, np.nan, n, clusters, status)


def _full_rank(X: np.ndarray) -> bool:
    if not np.all(np.isfinite(X)):
        return False
    s = np.linalg.svd(X, compute_uv=False)
    return s.size == X.shape[1] and s[-1] > s[0] * max(X.shape) * np.finfo(float).eps * 10


def ols_hc1(y: np.ndarray, X: np.ndarray) -> _Fit:
    """OLS of ``y`` on ``X`` (the constant included in ``X`` by the caller) with HC1 standard errors.

    :math:`V = \\frac{n}{n-k}(X'X)^{-1} X'\\,\\mathrm{diag}(e_i^2)\\,X (X'X)^{-1}`; ``df`` :math:`= n-k`;
    ``r2`` the centred R². NaN with status ``no_df`` when :math:`n \\le k`, ``singular`` when ``X`` is
    rank deficient.
    """
    y = np.asarray(y, dtype=float)
    X = np.asarray(X, dtype=float)
    n, k = X.shape
    if n <= k:
        return _nan_fit(k, n, "no_df")
    if not _full_rank(X):
        return _nan_fit(k, n, "singular")
    XtX_inv = np.linalg.inv(X.T @ X)
    coef = XtX_inv @ (X.T @ y)
    e = y - X @ coef
    S = X * e[:, None]
    V = XtX_inv @ (S.T @ S) @ XtX_inv * (n / (n - k))
    tss = float(((y - y.mean()) ** 2).sum())
    r2 = 1.0 - float(e @ e) / tss if tss > 0 else np.nan
    return _Fit(coef, np.sqrt(np.diag(V)), float(n - k), r2, n, np.nan, "ok")


def within_two_way(Z: np.ndarray) -> np.ndarray:
    """Two-way within transformation of a balanced panel ``Z`` (units × periods [× variables]):
    :math:`z_{it} - \\bar z_{i\\cdot} - \\bar z_{\\cdot t} + \\bar z_{\\cdot\\cdot}` (removes unit and period
    fixed effects exactly when every unit is observed in every period)."""
    Z = np.asarray(Z, dtype=float)
    return Z - Z.mean(axis=1, keepdims=True) - Z.mean(axis=0, keepdims=True) + Z.mean(axis=(0, 1), keepdims=True)


def fe_cluster(G: np.ndarray, R: np.ndarray) -> _Fit:
    """Two-way fixed-effects regression of the panel ``G`` (units × periods) on the regressors ``R``
    (units × periods × k) with standard errors clustered by unit.

    Coefficients from the within transformation (:func:`within_two_way`); cluster-robust variance
    :math:`\\frac{U}{U-1}\\frac{N-1}{N-K} B\\,(\\sum_i s_i s_i')\\,B`, :math:`B = (\\tilde R'\\tilde R)^{-1}`,
    :math:`s_i = \\sum_t \\tilde r_{it} e_{it}`, :math:`U` units, :math:`N` observations and
    :math:`K = U + P - 1 + k` the parameters of the equivalent dummy regression (constant, :math:`U-1`
    unit and :math:`P-1` period dummies, the :math:`k` regressors); ``df`` :math:`= U - 1`;
    ``r2`` the within R².
    """
    G = np.asarray(G, dtype=float)
    R = np.asarray(R, dtype=float)
    U, P, k = R.shape
    N = U * P
    K = U + P - 1 + k
    if N - K <= 0 or U < 2:
        return _nan_fit(k, N, "no_df", U)
    gt = within_two_way(G).ravel()
    Rt = within_two_way(R).reshape(N, k)
    if not _full_rank(Rt):
        return _nan_fit(k, N, "singular", U)
    B = np.linalg.inv(Rt.T @ Rt)
    coef = B @ (Rt.T @ gt)
    e = gt - Rt @ coef
    s = (Rt * e[:, None]).reshape(U, P, k).sum(axis=1)
    V = B @ (s.T @ s) @ B * (U / (U - 1.0)) * ((N - 1.0) / (N - K))
    tss = float(gt @ gt)
    r2 = 1.0 - float(e @ e) / tss if tss > 0 else np.nan
    return _Fit(coef, np.sqrt(np.diag(V)), float(U - 1), r2, N, float(U), "ok")


def speed_half_life(beta, span):
    """Convergence speed :math:`\\lambda = -\\ln(1 + \\beta T)/T` per year and half-life
    :math:`\\ln 2/\\lambda` in years, for β the coefficient of the mean annual growth over ``span``
    :math:`= T` years (``span`` = 1: :math:`-\\ln(1+\\beta)`); NaN where :math:`\\beta \\ge 0`,
    :math:`1 + \\beta T \\le 0` or β / ``span`` is NaN.

    Returns
    -------
    (ndarray, ndarray)
    """
    b = np.asarray(beta, dtype=float)
    T = np.asarray(span, dtype=float)
    ok = np.isfinite(b) & np.isfinite(T) & (b < 0) & (1.0 + b * T > 0) & (T > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        lam = np.where(ok, -np.log1p(np.where(ok, b * T, 0.0)) / np.where(ok, T, 1.0), np.nan)
        half = np.where(ok & (lam > 0), math.log(2.0) / lam, np.nan)
    return lam, half


def _p(t, df):
    with np.errstate(invalid="ignore"):
        return np.where(np.isfinite(t) & np.isfinite(df), 2.0 * stats.t.sf(np.abs(t), df), np.nan)


def _controls_cube(controls: pd.DataFrame | None, Y: pd.DataFrame, names: list[str]) -> np.ndarray | None:
    """The controls as regions × years × variables aligned to ``Y``; InputError for a missing column,
    duplicated region-years, non-numeric values or a missing region-year (those needed are all)."""
    if controls is None or not names:
        return None
    what = "β convergence: controls"
    if not isinstance(controls, pd.DataFrame):
        raise InputError(f"{what}: expected a DataFrame with columns region, year and the variables, "
                         f"got {type(controls).__name__}")
    controls = controls.rename(columns=str)
    have = list(controls.columns)
    miss = [c for c in ("region", "year", *names) if c not in have]
    if miss:
        import difflib

        def hint(m):
            close = difflib.get_close_matches(m, have, n=1)
            return f"{m!r} (did you mean {close[0]!r}?)" if close else repr(m)

        raise InputError(f"{what}: column(s) {', '.join(map(hint, miss))} not in the control table (columns: "
                         f"{', '.join(have)})")
    C = controls[["region", "year", *names]].copy()
    try:
        C["year"] = pd.to_numeric(C["year"], errors="raise").astype(int)
    except (TypeError, ValueError):
        raise InputError(f"{what}: the year column has values that are not years") from None
    dup = C.duplicated(["region", "year"])
    if dup.any():
        cells = C.loc[dup, ["region", "year"]].head(10).itertuples(index=False)
        raise InputError(f"{what}: repeated region-year(s) {', '.join(f'({r!r}, {y})' for r, y in cells)}; "
                         "give one row per region and year")
    for c in names:
        v = pd.to_numeric(C[c], errors="coerce")
        bad = v.isna() & C[c].notna()
        if bad.any():
            r = C.loc[bad].iloc[0]
            raise InputError(f"{what}: {c!r} is not a number at ({r['region']!r}, {int(r['year'])}): {r[c]!r}")
        C[c] = v
    C = C.set_index(["region", "year"])
    idx = pd.MultiIndex.from_product([list(Y.index), [int(y) for y in Y.columns]], names=["region", "year"])
    A = C.reindex(idx)
    # the cells a model reads: every region in every year but the last
    need = A.index.get_level_values("year") != int(Y.columns[-1])
    gap = ~np.isfinite(A[need].to_numpy(dtype=float))
    if gap.any():
        rows, cols = np.nonzero(gap)
        where = A.index[need]
        listed = ", ".join(f"{names[c]} ({where[r][0]!r}, {where[r][1]})" for r, c in zip(rows[:10], cols[:10]))
        more = f" and {rows.size - 10} more" if rows.size > 10 else ""
        raise InputError(f"{what}: missing or infinite values at {listed}{more}; every region needs its "
                         "controls in every year but the last")
    return A.to_numpy(dtype=float).reshape(len(Y.index), Y.shape[1], len(names))


def beta_convergence(Y: pd.DataFrame, groups=None, controls: pd.DataFrame | None = None, *,
                     control_names=None, control_basis: str = "initial") -> Convergence:
    """Absolute (and, with controls, conditional) β convergence, cross-section and two-way FE panel,
    for the whole panel (group ``all``) and each region group.

    Parameters
    ----------
    Y : DataFrame
        Scores, index = regions, columns = years (at least two), every value > 0 (logarithms).
    groups : mapping or Series, optional
        Region → group code; each group is estimated on its own regions (clusters: its regions).
    controls : DataFrame, optional
        Long table ``region, year, <variables>`` (region ids as in ``Y``'s index), entering as given
        (take logarithms beforehand if wanted); needed for every region of ``Y`` in every year but the
        last (rows of other regions or years are not read).
    control_names : sequence of str, optional
        The variables of ``controls`` to use (default: every column but ``region`` and ``year``).
    control_basis : {"initial", "period_mean"}
        The cross-section's controls: initial-year values or means over every year but the last.

    Returns
    -------
    Convergence
        ``table``: ``model, group, beta, se, t, p, speed, half_life, r2, n, span, df, n_clusters,
        se_type, status`` (``se_type`` ``hc1`` or ``cluster``; ``span`` the years the growth spans,
        :math:`T` for the cross-section, :math:`d` for the panel; ``n`` observations; ``n_clusters``
        regions of a panel); ``terms``: ``model, group, term, coef, se, t, p`` for every coefficient
        (``const`` and ``ln_y0`` of the cross-section, ``ln_y`` of the panel, the controls by name).

    Raises
    ------
    InputError
        Missing or non-positive scores (naming the region-years), fewer than two years, a group named
        ``all``, bad controls (missing columns or region-years, non-numeric values).
    """
    what = "β convergence"
    X = as_matrix(Y, what, positive=True)
    if X.shape[1] < 2:
        raise InputError(f"{what}: needs at least two years of scores, got {X.shape[1]}")
    if control_basis not in CONTROL_BASES:
        raise InputError(f"{what}: control_basis must be one of {', '.join(CONTROL_BASES)}, got {control_basis!r}")
    years = np.array([int(y) for y in Y.columns])
    if controls is not None and control_names is None:
        control_names = [str(c) for c in controls.columns if str(c) not in ("region", "year")]
    names = [str(c) for c in (control_names or [])]
    if controls is None and names:
        raise InputError(f"{what}: control variables {names} named but no control table given")
    C = _controls_cube(controls, Y, names)
    L = np.log(X)
    span = float(years[-1] - years[0])
    gaps = np.diff(years)
    d = float(gaps[0]) if np.all(gaps == gaps[0]) else np.nan
    if not np.isfinite(d):
        warnings.warn(f"{what}: the years are not equally spaced ({', '.join(map(str, years))}): the panel's "
                      "growth is annualised per gap and its speed and half-life are NaN", UserWarning, stacklevel=2)
    g_cs = (L[:, -1] - L[:, 0]) / span
    G_pan = (L[:, 1:] - L[:, :-1]) / gaps[None, :]
    sets = group_sets(Y, groups, what, ALL)
    if C is not None:
        Ccs = C[:, 0, :] if control_basis == "initial" else C[:, :-1, :].mean(axis=1)
        Cpan = C[:, :-1, :]
    specs = [("beta_absolute", False, False), ("beta_panel_fe", True, False)]
    if C is not None:
        specs += [("beta_conditional", False, True), ("beta_conditional_fe", True, True)]
    rows, terms, degenerate = [], [], []
    for model, panel, cond in specs:
        for name, idx in sets:
            kc = len(names) if cond else 0
            if panel:
                k = 1 + kc
                if idx.size < MIN_REGIONS:
                    fit = _nan_fit(k, idx.size * G_pan.shape[1], "too_few", idx.size)
                else:
                    parts = [L[idx, :-1, None]] + ([Cpan[idx]] if cond else [])
                    fit = fe_cluster(G_pan[idx], np.concatenate(parts, axis=2))
                labels_ = ["ln_y", *(names if cond else [])]
                b_at, s_ = 0, d
            else:
                k = 2 + kc
                if idx.size < MIN_REGIONS:
                    fit = _nan_fit(k, idx.size, "too_few")
                else:
                    D = np.column_stack([np.ones(idx.size), L[idx, 0]] + ([Ccs[idx]] if cond else []))
                    fit = ols_hc1(g_cs[idx], D)
                labels_ = ["const", "ln_y0", *(names if cond else [])]
                b_at, s_ = 1, span
            with np.errstate(invalid="ignore", divide="ignore"):
                tt = fit.coef / fit.se
            pp = _p(tt, fit.df)
            lam, half = speed_half_life(fit.coef[b_at], s_)
            if fit.status != "ok":
                degenerate.append(f"{model} {name} ({fit.status})")
            rows.append({"model": model, "group": name, "beta": fit.coef[b_at], "se": fit.se[b_at],
                         "t": tt[b_at], "p": pp[b_at], "speed": float(lam), "half_life": float(half),
                         "r2": fit.r2, "n": int(fit.n), "span": s_, "df": fit.df, "n_clusters": fit.n_clusters,
                         "se_type": "cluster" if panel else "hc1", "status": fit.status})
            terms += [{"model": model, "group": name, "term": lab, "coef": fit.coef[j], "se": fit.se[j],
                       "t": tt[j], "p": pp[j]} for j, lab in enumerate(labels_)]
    if degenerate:
        warnings.warn(f"{what}: no estimate for {', '.join(degenerate)} (too_few: fewer than {MIN_REGIONS} "
                      "regions; no_df: no residual degrees of freedom; singular: a regressor without variation "
                      "or collinear); their rows are NaN", UserWarning, stacklevel=2)
    table = pd.DataFrame(rows, columns=_COLUMNS)
    table["n_clusters"] = table["n_clusters"].astype("Int64")
    table["df"] = table["df"].astype("Int64")
    table["span"] = table["span"].astype("Int64")
    return Convergence(table, pd.DataFrame(terms, columns=_TERMS))
