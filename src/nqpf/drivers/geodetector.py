"""The geographical detector (地理探测器; Wang et al. 2010; Wang, Zhang & Fu 2016; Wang & Xu 2017): factor,
interaction, risk and ecological detectors, with the discretisation of continuous factors by the
optimal-parameters search (OPGD; Song, Wang, Ge & Xu 2020).

Input is one table, one row per unit (a region, or a region-year): the explained variable ``y``, the
factors, and optionally a column ``by`` (the year) whose groups are analysed separately (every group is
discretised and searched on its own). Output tables hold codes and numbers:

``geodetector_factor``
    ``factor, year, q, p, method, classes, strata, n, n_missing, F, ncp`` — the factor detector.
``geodetector_interaction``
    ``factor_a, factor_b, year, q_a, q_b, q_ab, type, strata_ab, n`` — the interaction detector.
``geodetector_risk``
    ``factor, year, stratum_a, stratum_b, n_a, n_b, mean_a, mean_b, t, df, p, significant`` — the
    risk detector's t-tests.
``geodetector_strata``
    ``factor, year, stratum, lower, upper, n, mean`` — the risk detector's mean of ``y`` per stratum,
    with the class bounds of a discretised factor.
``geodetector_ecological``
    ``factor_a, factor_b, year, q_a, q_b, F, p, significant, n`` — the ecological detector.

Definitions and conventions
---------------------------
* **q** ``= 1 − Σ_h N_h σ_h² / (N σ²) = 1 − SSW/SST`` over the ``L`` non-empty strata; every stratum is
  kept and a stratum of one unit adds no within sum of squares (as the method authors' R package
  ``geodetector`` 1.0-5, ``factor_detector``; the PyPI package ``geodetector`` 0.2.0 instead drops
  strata of one unit, which changes q wherever such strata exist, notably for interactions).
* **p** of q: ``F = (N − L)/(L − 1) · q/(1 − q)`` follows the non-central F distribution with ``L − 1``
  and ``N − L`` degrees of freedom and non-centrality
  ``λ = [Σ_h ȳ_h² − (Σ_h √N_h ȳ_h)²/N] / σ²`` (Wang, Zhang & Fu 2016, with ``σ²`` the sample
  variance as R ``geodetector``); ``p = P(F' > F)``. NaN for a single stratum or ``N ≤ L``. When the
  discretisation was searched (OPGD), p is optimistic (the best of many stratifications).
* **interaction**: ``q_ab`` is q of the strata of the intersection of both factors' strata;
  ``q_a, q_b`` are recomputed on the units where both factors are known. Type (``tol`` the tolerance
  of an equality, default 1e-10): ``independent`` if ``|q_ab − (q_a + q_b)| ≤ tol``, else
  ``enhance_nonlinear`` if ``q_ab > q_a + q_b``, else ``enhance_bi`` if ``q_ab ≥ max(q_a, q_b) − tol``,
  else ``weaken_nonlinear`` if ``q_ab ≤ min(q_a, q_b) + tol``, else ``weaken_uni`` (the boundaries as
  R ``geodetector``, which however never reports ``independent``: its later rule for
  ``q_ab ≥ max`` overwrites it). As the intersection refines both stratifications,
  ``q_ab ≥ max(q_a, q_b)`` always holds by this definition; the weakening types cannot occur.
* **risk**: for every pair of strata, Welch's t-test of the difference of the means of ``y``:
  ``t = (ȳ_a − ȳ_b)/√(s_a²/n_a + s_b²/n_b)`` with the Welch–Satterthwaite degrees of freedom and a
  two-sided p (as :func:`scipy.stats.ttest_ind` with ``equal_var=False``; R ``geodetector`` uses the
  same t but rounds the degrees of freedom before comparing with the 97.5 % quantile). NaN where a
  stratum has fewer than 2 units or both variances are 0 (R ``geodetector`` skips these pairs).
* **ecological**: ``F = N_a(N_b − 1) SSW_a / [N_b(N_a − 1) SSW_b]`` with ``F(N_a − 1, N_b − 1)`` under
  ``H0: SSW_a = SSW_b`` (Wang et al. 2010; Wang & Xu 2017); on the units where both factors are known
  ``N_a = N_b = n`` and ``F = SSW_a/SSW_b = (1 − q_a)/(1 − q_b)``; p two-sided. (R ``geodetector``
  1.0-5 compares the ratio of the two q values with the 90 % quantile of ``F(N − 1, N − 1)`` in both
  directions instead; its published conclusions on the disease example are the same.)
* ``significant`` is ``p < alpha`` (default 0.05), missing where p is NaN.
* Missing values: a unit without ``y`` (or without ``by``) is left out of everything; a unit without
  a factor is left out of that factor's detectors; ``n_missing`` counts them per factor and group, and
  a :class:`UserWarning` says how many.
* Factors: text, category and boolean columns are strata as given; so are whole-number columns with
  at most 10 distinct values (``categorical=None``); other numeric columns are discretised by
  ``discretize`` (see :mod:`nqpf.drivers.discretize`) with ``classes`` classes, chosen per factor and
  group by the highest q when more than one (method, classes) is allowed (ties: the first method of
  :data:`~nqpf.drivers.discretize.METHODS` or of the list given, then fewer classes).
"""
from __future__ import annotations

import difflib
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import InputError
from ..i18n._reasons import Notice, listed
from . import _anova
from .discretize import METHODS, check_classes, check_method, search

__all__ = ["geodetector", "factor_detector", "interaction_detector", "risk_detector", "ecological_detector",
           "stratify", "interaction_type", "resolve_methods", "Stratified", "INTERACTION_TYPES", "TABLES", "MAX_LEVELS"]

#: Interaction type codes (Wang & Xu 2017, Table 1), from weakest to strongest.
INTERACTION_TYPES = ("weaken_nonlinear", "weaken_uni", "enhance_bi", "independent", "enhance_nonlinear")
#: Keys of :func:`geodetector`'s tables, in order.
TABLES = ("geodetector_factor", "geodetector_interaction", "geodetector_risk", "geodetector_strata",
          "geodetector_ecological")
#: A whole-number factor with at most this many distinct values is taken as strata (``categorical=None``).
MAX_LEVELS = 10
_LISTED = 8


# ------------------------------------------------------------------------------------ input checks
def _did_you_mean(name, known, what: str, where: str) -> InputError:
    close = difflib.get_close_matches(str(name), [str(k) for k in known], n=1, cutoff=0.5)
    shown = ", ".join(map(str, list(known)[:30])) + (" …" if len(known) > 30 else "")
    return InputError(f"{where}: no {what} {name!r}" + (f"; did you mean {close[0]!r}?" if close else "")
                      + f" (columns: {shown})")


def _column(df: pd.DataFrame, name, what: str, where: str):
    if name in df.columns:
        return name
    for c in df.columns:  # a number given for a column read as text, or the reverse
        if str(c) == str(name):
            return c
    raise _did_you_mean(name, list(df.columns), what, where)


def _numeric(s: pd.Series, name, where: str) -> np.ndarray:
    if pd.api.types.is_bool_dtype(s):
        raise InputError(f"{where}: column {name!r} holds true/false values; y must be numbers")
    v = pd.to_numeric(s, errors="coerce")
    bad = v.isna() & s.notna()
    if bad.any():
        bad &= s.astype(str).str.strip() != ""
        if bad.any():
            i = bad.to_numpy().nonzero()[0][0]
            raise InputError(f"{where}: column {name!r} must hold numbers; row {i + 1} holds {s.iloc[i]!r}")
    a = v.to_numpy(dtype=float)
    if np.isinf(a).any():
        i = int(np.flatnonzero(np.isinf(a))[0])
        raise InputError(f"{where}: column {name!r} must hold finite numbers; row {i + 1} is {a[i]}")
    return a


def _is_categorical(s: pd.Series) -> bool:
    if not pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
        return True
    v = pd.to_numeric(s, errors="coerce").dropna().to_numpy(dtype=float)
    return bool(len(v)) and bool(np.all(v == np.round(v))) and len(np.unique(v)) <= MAX_LEVELS


def _warn(msg) -> None:
    if isinstance(msg, Warning):   # a Notice (its text names the geodetector)
        warnings.warn(msg, stacklevel=5)
    else:
        warnings.warn(f"geodetector: {msg}", UserWarning, stacklevel=5)  # the caller of geodetector()


def _listed_args(items) -> dict:
    """:func:`_listed` as the arguments ``cells`` (``factor year``) and ``more`` of a Notice."""
    shown, more = listed((" ".join(map(str, x)) if isinstance(x, tuple) else str(x) for x in items), _LISTED)
    return {"cells": shown, "more": more}


def _listed(items) -> str:
    items = list(items)
    more = f" and {len(items) - _LISTED} more" if len(items) > _LISTED else ""
    return ", ".join(map(str, items[:_LISTED])) + more


# ------------------------------------------------------------------------------------ stratification
@dataclass
class _Factor:
    """One factor's strata: ``label`` per unit (−1 missing) in a label space of size ``K``; per group
    the method, the number of classes asked and the interior bounds (discretised factors)."""

    name: object
    categorical: bool
    label: np.ndarray
    K: int
    method: list
    classes: np.ndarray
    bounds: np.ndarray | None = None       # (G, K − 1) interior bounds
    xmin: np.ndarray | None = None
    xmax: np.ndarray | None = None
    categories: list = field(default_factory=list)
    n_missing: np.ndarray | None = None

    def stratum(self, h: int) -> str:
        """Stratum id of label ``h``: the category as written, or the class number (1-based)."""
        if self.categorical:
            c = self.categories[h]
            return str(c.item() if isinstance(c, np.generic) else c)
        return str(h + 1)


@dataclass
class Stratified:
    """Units and strata of every factor, ready for the detectors (see :func:`stratify`).

    ``y`` and ``g`` (group index) per unit kept; ``groups`` the group values (years; one missing value
    when pooled); ``factors`` name → strata; ``n_missing_y`` per group the units left out for a missing
    ``y``.
    """

    y: np.ndarray
    g: np.ndarray
    groups: list
    factors: dict
    by: object = None
    n_missing_y: np.ndarray | None = None
    params: dict = field(default_factory=dict)

    @property
    def G(self) -> int:
        return len(self.groups)

    def year_values(self, gi: np.ndarray):
        """The ``year`` column for group indices ``gi`` (whole numbers as Int64; missing when pooled)."""
        vals = pd.Series([self.groups[i] for i in gi], dtype=object)
        if self.by is None:
            return pd.array([pd.NA] * len(gi), dtype="Int64")
        num = pd.to_numeric(vals, errors="coerce")
        if num.notna().all() and (num == num.round()).all():
            return pd.array(num.astype("int64"), dtype="Int64")
        return vals.to_numpy()


def resolve_methods(discretize) -> list[str]:
    """The methods ``discretize`` names (``"optimal"``: all of :data:`~nqpf.drivers.discretize.METHODS`)."""
    if isinstance(discretize, str):
        if discretize.strip().lower() == "optimal":
            return list(METHODS)
        return [check_method(discretize)]
    if isinstance(discretize, Sequence) and discretize:
        ms = [m for d in discretize for m in resolve_methods(d)]
        return list(dict.fromkeys(ms))
    raise InputError(f"discretize: expects 'optimal', a method ({', '.join(METHODS)}) or a list of methods, "
                     f"got {discretize!r}")


def stratify(df: pd.DataFrame, y, factors, *, discretize="optimal", classes=range(3, 9), by=None,
             categorical=None, where: str = "geodetector") -> Stratified:
    """Check the input and stratify every factor (see the module for the conventions).

    Parameters
    ----------
    df : DataFrame
        One row per unit.
    y : column name
        The explained variable (numbers).
    factors : sequence of column names
        The factors (at least one).
    discretize : "optimal", a method or a list of methods
        How continuous factors are discretised: ``"optimal"`` searches every method of
        :data:`~nqpf.drivers.discretize.METHODS`; a list searches those; one method with one number of
        classes is no search.
    classes : int or sequence of int
        Numbers of classes searched (default 3 … 8).
    by : column name, optional
        Groups analysed separately (the year); ``None`` pools every row.
    categorical : None, bool or sequence of column names
        Which factors are strata as given: ``None`` decides by the data (see the module), ``True``
        all, ``False`` only text ones, a list those named (text ones always).
    """
    if not isinstance(df, pd.DataFrame):
        raise InputError(f"{where}: expected a DataFrame (one row per unit), got {type(df).__name__}")
    if isinstance(factors, (str, bytes)) or not isinstance(factors, Sequence) and not hasattr(factors, "__iter__"):
        factors = [factors]
    factors = list(factors)
    if not factors:
        raise InputError(f"{where}: give at least one factor")
    yc = _column(df, y, "column", f"{where}: y")
    fcs = [_column(df, f, "column", f"{where}: factors") for f in factors]
    dup = [f for f in dict.fromkeys(fcs) if fcs.count(f) > 1]
    if dup:
        raise InputError(f"{where}: factor(s) listed twice: {_listed(dup)}")
    if yc in fcs:
        raise InputError(f"{where}: {yc!r} is y and cannot also be a factor")
    bc = None if by is None else _column(df, by, "column", f"{where}: by")
    if bc is not None and (bc == yc or bc in fcs):
        raise InputError(f"{where}: the grouping column {bc!r} cannot be y or a factor")
    methods = resolve_methods(discretize)
    ks = check_classes(classes, f"{where}: classes")
    if isinstance(categorical, str):
        categorical = [categorical]
    if isinstance(categorical, bool) or categorical is None:
        given = categorical
    else:
        given = [_column(df, c, "column", f"{where}: categorical") for c in categorical]
        extra = [c for c in given if c not in fcs]
        if extra:
            raise InputError(f"{where}: categorical names {_listed(extra)}, which are not factors")

    yv = _numeric(df[yc], yc, f"{where}: y")
    if bc is None:
        gcode = np.zeros(len(df), dtype=np.int64)
        groups = [pd.NA]
        g_ok = np.ones(len(df), dtype=bool)
    else:
        gs = df[bc]
        g_ok = gs.notna().to_numpy()
        if (~g_ok).any():
            _warn(f"{int((~g_ok).sum())} row(s) without a value of {bc!r} left out")
        try:
            codes, uniq = pd.factorize(gs, sort=True)
        except TypeError:
            codes, uniq = pd.factorize(gs.astype(str), sort=True)
        gcode = codes.astype(np.int64)
        groups = list(uniq)
    if not len(groups) or not g_ok.any():
        raise InputError(f"{where}: no rows to analyse")
    G = len(groups)
    y_ok = ~np.isnan(yv)
    n_missing_y = np.bincount(gcode[g_ok & ~y_ok], minlength=G)
    keep = g_ok & y_ok
    if not keep.any():
        raise InputError(f"{where}: y ({yc!r}) has no value")
    y_all, g_all = yv[keep], gcode[keep]
    if _anova.constant_groups(y_all, np.zeros(len(y_all), dtype=np.int64), 1)[0]:
        raise InputError(f"{where}: y ({yc!r}) is constant ({y_all[0]:g} in every row): there is nothing to explain")
    if n_missing_y.sum():
        _warn(f"{int(n_missing_y.sum())} row(s) with a missing y ({yc!r}) left out")

    out = {}
    for name, col in zip(factors, fcs):
        s = df[col][keep].reset_index(drop=True)
        present = s.notna().to_numpy()
        text = not pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s)
        if given is None:
            cat = _is_categorical(s)
        elif isinstance(given, bool):
            cat = given or text
        else:
            cat = col in given or text
        label = np.full(len(s), -1, dtype=np.int64)
        nm = n_missing_y + np.bincount(g_all[~present], minlength=G)
        if not present.any():
            raise InputError(f"{where}: factor {col!r} has no value where y is known")
        if cat:
            try:
                codes, cats = pd.factorize(s[present], sort=True)
            except TypeError:
                codes, cats = pd.factorize(s[present].astype(str), sort=True)
            if len(cats) < 2:
                raise InputError(f"{where}: factor {col!r} has one stratum ({cats[0]!r}) in every row; "
                                 "a factor needs at least two")
            label[present] = codes
            f = _Factor(name, True, label, len(cats), ["categorical"] * G, np.zeros(G, dtype=np.int64),
                        categories=list(cats), n_missing=nm)
            cnt = np.bincount(g_all[present] * len(cats) + codes, minlength=G * len(cats)).reshape(G, -1)
            f.classes = (cnt > 0).sum(axis=1)
        else:
            x = _numeric(s, col, f"{where}: factor")
            xp, gp = x[present], g_all[present]
            if np.ptp(xp) <= _anova.EQUAL_RTOL * np.abs(xp).max():
                raise InputError(f"{where}: factor {col!r} is constant ({xp[0]:g} in every row); a factor "
                                 "needs at least two strata")
            lab, meth, kk, bounds, _q, grp = search(xp, y_all[present], gp, G, methods, ks)
            K = max(ks)
            label[present] = lab
            f = _Factor(name, False, label, K, meth, kk, bounds=bounds, xmin=grp.lo, xmax=grp.hi, n_missing=nm)
        out[name] = f
    params = {"discretization": methods, "classes": list(ks), "by": None if bc is None else str(bc),
              "categorical": [str(n) for n, f in out.items() if f.categorical]}
    return Stratified(y_all, g_all, groups, out, by=bc, n_missing_y=n_missing_y, params=params)


# ------------------------------------------------------------------------------------ detectors
def _cells_of(st: Stratified, f: _Factor, mask=None) -> tuple[_anova.Cells, np.ndarray]:
    ok = f.label >= 0 if mask is None else mask
    return _anova.cells(st.y[ok], st.g[ok], f.label[ok], st.G, f.K), ok


def _factor_table(st: Stratified) -> pd.DataFrame:
    parts, one, const_warn = [], [], []
    for name, f in st.factors.items():
        c, ok = _cells_of(st, f)
        const = _anova.constant_groups(st.y[ok], st.g[ok], st.G)
        r = _anova.q_stats(c, constant=const)
        gi = np.arange(st.G)
        parts.append(pd.DataFrame({
            "factor": [name] * st.G, "year": st.year_values(gi), "q": r["q"], "p": r["p"],
            "method": f.method, "classes": f.classes.astype(np.int64), "strata": r["L"].astype(np.int64),
            "n": r["N"].astype(np.int64), "n_missing": f.n_missing.astype(np.int64), "F": r["F"], "ncp": r["ncp"]}))
        one += [(name, st.groups[g]) for g in gi[(r["L"] < 2) & (r["N"] > 0) & ~const]]
        const_warn += [(name, st.groups[g]) for g in gi[const & (r["N"] > 0)]]
    if one:
        _warn(f"a single stratum (q = 0, p NaN) for {_listed(one)}")
    if const_warn:
        _warn(f"y is constant (q and p NaN) for {_listed(const_warn)}")
    nm = {str(n): int(f.n_missing.sum()) for n, f in st.factors.items() if f.n_missing.sum()}
    extra = {k: v - int(st.n_missing_y.sum()) for k, v in nm.items() if v > int(st.n_missing_y.sum())}
    if extra:
        _warn("units without a factor value left out of that factor: "
              + _listed(f"{k} ({v})" for k, v in extra.items()))
    return pd.concat(parts, ignore_index=True)


def interaction_type(q_a, q_b, q_ab, tol: float = 1e-10) -> np.ndarray:
    """Interaction type codes (:data:`INTERACTION_TYPES`) of ``q_ab`` given ``q_a`` and ``q_b``
    (arrays or numbers; rules in the module's conventions; empty string where a q is NaN)."""
    qa, qb, qab = (np.atleast_1d(np.asarray(v, dtype=float)) for v in (q_a, q_b, q_ab))
    lo, hi, s = np.minimum(qa, qb), np.maximum(qa, qb), qa + qb
    out = np.select(
        [np.abs(qab - s) <= tol, qab > s, qab >= hi - tol, qab <= lo + tol],
        ["independent", "enhance_nonlinear", "enhance_bi", "weaken_nonlinear"], "weaken_uni").astype(object)
    out[np.isnan(qa) | np.isnan(qb) | np.isnan(qab)] = ""
    return out


def _pairs(st: Stratified):
    names = list(st.factors)
    for i in range(len(names)):
        for j in range(i + 1, len(names)):
            yield st.factors[names[i]], st.factors[names[j]]


def _ssw_q(st, f, mask):
    c, _ = _cells_of(st, f, mask)
    ssw = c.by_group(c.ssw).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        q = np.where(c.sst > 0, np.clip(1.0 - ssw / np.where(c.sst > 0, c.sst, 1.0), 0, 1), np.nan)
    return ssw, q, c


def _pair_parts(st: Stratified, fa: _Factor, fb: _Factor):
    """SSW and q of both factors and of their intersection on the units where both are known."""
    both = (fa.label >= 0) & (fb.label >= 0)
    ssw_a, q_a, c = _ssw_q(st, fa, both)
    ssw_b, q_b, _ = _ssw_q(st, fb, both)
    combo = fa.label[both] * fb.K + fb.label[both]
    codes, uniq = pd.factorize(combo)
    cab = _anova.cells(st.y[both], st.g[both], codes.astype(np.int64), st.G, max(len(uniq), 1))
    rab = _anova.q_stats(cab, constant=_anova.constant_groups(st.y[both], st.g[both], st.G))
    return ssw_a, q_a, ssw_b, q_b, rab, c.N


def _interaction_and_ecological(st: Stratified, alpha: float, tol: float):
    inter, eco, bad = [], [], []
    gi = np.arange(st.G)
    for fa, fb in _pairs(st):
        ssw_a, q_a, ssw_b, q_b, rab, N = _pair_parts(st, fa, fb)
        inter.append(pd.DataFrame({
            "factor_a": [fa.name] * st.G, "factor_b": [fb.name] * st.G, "year": st.year_values(gi),
            "q_a": q_a, "q_b": q_b, "q_ab": rab["q"], "type": interaction_type(q_a, q_b, rab["q"], tol),
            "strata_ab": rab["L"].astype(np.int64), "n": N.astype(np.int64)}))
        with np.errstate(invalid="ignore", divide="ignore"):
            F = np.where((ssw_b > 0) & (N > 1), ssw_a / ssw_b, np.nan)
            df1 = N - 1
            p = np.where(np.isfinite(F), np.minimum(1.0, 2.0 * np.minimum(stats.f.cdf(F, df1, df1),
                                                                           stats.f.sf(F, df1, df1))), np.nan)
        bad += [(fa.name, fb.name, st.groups[g]) for g in gi[~np.isfinite(F) & (N > 1)]]
        eco.append(pd.DataFrame({
            "factor_a": [fa.name] * st.G, "factor_b": [fb.name] * st.G, "year": st.year_values(gi),
            "q_a": q_a, "q_b": q_b, "F": F, "p": p, "significant": _significant(p, alpha),
            "n": N.astype(np.int64)}))
    if bad:
        _warn(f"ecological F undefined (a factor explains y entirely: SSW = 0) for {_listed(bad)}")
    cols_i = ["factor_a", "factor_b", "year", "q_a", "q_b", "q_ab", "type", "strata_ab", "n"]
    cols_e = ["factor_a", "factor_b", "year", "q_a", "q_b", "F", "p", "significant", "n"]
    return (pd.concat(inter, ignore_index=True) if inter else pd.DataFrame(columns=cols_i),
            pd.concat(eco, ignore_index=True) if eco else pd.DataFrame(columns=cols_e))


def _significant(p: np.ndarray, alpha: float):
    return pd.array([pd.NA if np.isnan(v) else bool(v < alpha) for v in p], dtype="boolean")


def _risk_tables(st: Stratified, alpha: float):
    risk, strata, few, flat = [], [], [], []
    for name, f in st.factors.items():
        c, _ = _cells_of(st, f)
        n, mean, var = c.by_group(c.n), c.by_group(c.mean), c.by_group(c.var)
        gi, h = np.nonzero(n > 0)
        if f.categorical:
            lower = upper = np.full(len(gi), np.nan)
        else:
            B = f.bounds
            lower = np.where(h == 0, f.xmin[gi], B[gi, np.maximum(h - 1, 0)])
            upper = np.minimum(np.where(h == f.K - 1, np.inf, B[gi, np.minimum(h, f.K - 2)]), f.xmax[gi])
        sid = np.array([f.stratum(int(x)) for x in range(f.K)], dtype=object)
        strata.append(pd.DataFrame({"factor": [name] * len(gi), "year": st.year_values(gi), "stratum": sid[h],
                                    "lower": lower, "upper": upper, "n": n[gi, h].astype(np.int64),
                                    "mean": mean[gi, h]}))
        a, b = np.triu_indices(f.K, 1)
        ok = (n[:, a] > 0) & (n[:, b] > 0)
        g2, pi = np.nonzero(ok)
        if not len(g2):
            continue
        ha, hb = a[pi], b[pi]
        na, nb = n[g2, ha], n[g2, hb]
        va, vb = var[g2, ha] / na, var[g2, hb] / nb
        with np.errstate(invalid="ignore", divide="ignore"):
            se2 = va + vb
            tv = np.where((na > 1) & (nb > 1) & (se2 > 0), (mean[g2, ha] - mean[g2, hb]) / np.sqrt(se2), np.nan)
            dfw = np.where(np.isfinite(tv), se2 ** 2 / (va ** 2 / (na - 1) + vb ** 2 / (nb - 1)), np.nan)
            p = np.where(np.isfinite(tv), 2.0 * stats.t.sf(np.abs(tv), dfw), np.nan)
        few += [(name, st.groups[g]) for g in np.unique(g2[(na < 2) | (nb < 2)])]
        flat += [(name, st.groups[g]) for g in np.unique(g2[(na > 1) & (nb > 1) & ~(se2 > 0)])]
        risk.append(pd.DataFrame({
            "factor": [name] * len(g2), "year": st.year_values(g2), "stratum_a": sid[ha], "stratum_b": sid[hb],
            "n_a": na.astype(np.int64), "n_b": nb.astype(np.int64), "mean_a": mean[g2, ha], "mean_b": mean[g2, hb],
            "t": tv, "df": dfw, "p": p, "significant": _significant(p, alpha)}))
    if few:
        _warn(Notice("geodetector_risk_few", _listed_args(few)))
    if flat:
        _warn(Notice("geodetector_risk_flat", _listed_args(flat)))
    cols = ["factor", "year", "stratum_a", "stratum_b", "n_a", "n_b", "mean_a", "mean_b", "t", "df", "p",
            "significant"]
    return (pd.concat(risk, ignore_index=True) if risk else pd.DataFrame(columns=cols),
            pd.concat(strata, ignore_index=True))


# ------------------------------------------------------------------------------------ public API
def _run(df, y, factors, which, *, discretize="optimal", classes=range(3, 9), by=None, categorical=None,
         alpha: float = 0.05, tol: float = 1e-10, where="geodetector") -> dict[str, pd.DataFrame]:
    if not (isinstance(alpha, (int, float)) and 0 < alpha < 1):
        raise InputError(f"{where}: alpha must be between 0 and 1, got {alpha!r}")
    if not (isinstance(tol, (int, float)) and tol >= 0):
        raise InputError(f"{where}: tol must be a number ≥ 0, got {tol!r}")
    st = df if isinstance(df, Stratified) else stratify(df, y, factors, discretize=discretize, classes=classes,
                                                        by=by, categorical=categorical, where=where)
    out = {}
    if "geodetector_factor" in which:
        out["geodetector_factor"] = _factor_table(st)
    if {"geodetector_interaction", "geodetector_ecological"} & set(which):
        inter, eco = _interaction_and_ecological(st, alpha, tol)
        out["geodetector_interaction"], out["geodetector_ecological"] = inter, eco
    if {"geodetector_risk", "geodetector_strata"} & set(which):
        out["geodetector_risk"], out["geodetector_strata"] = _risk_tables(st, alpha)
    return {k: out[k] for k in TABLES if k in which}


def geodetector(df: pd.DataFrame, y, factors, *, discretize="optimal", classes=range(3, 9), by=None,
                categorical=None, alpha: float = 0.05, tol: float = 1e-10) -> dict[str, pd.DataFrame]:
    """All four detectors (see the module for the definitions and conventions).

    Parameters
    ----------
    df : DataFrame
        One row per unit (region or region-year).
    y : column name
        The explained variable (numbers).
    factors : sequence of column names
        The factors.
    discretize : "optimal", a method or a list of methods
        Discretisation of continuous factors (``"optimal"``: every method of
        :data:`~nqpf.drivers.discretize.METHODS`, the best q per factor and group).
    classes : int or sequence of int
        Numbers of classes searched (default 3 … 8).
    by : column name, optional
        Groups analysed separately (the year); default all rows pooled.
    categorical : None, bool or sequence of column names
        Factors taken as strata as given (default: decided by the data; see the module).
    alpha : float
        Level of ``significant`` (default 0.05).
    tol : float
        Tolerance of the equality ``q_ab = q_a + q_b`` of the interaction types (default 1e-10).

    Returns
    -------
    dict of str to DataFrame
        ``geodetector_factor``, ``geodetector_interaction``, ``geodetector_risk``,
        ``geodetector_strata``, ``geodetector_ecological`` (columns in the module docstring).

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"y": [1.0, 1.2, 3.0, 3.3, 5.1, 4.9], "x": ["a", "a", "b", "b", "c", "c"]})
    >>> round(float(geodetector(d, "y", ["x"])["geodetector_factor"]["q"].iloc[0]), 4)
    0.9944
    """
    return _run(df, y, factors, TABLES, discretize=discretize, classes=classes, by=by, categorical=categorical,
                alpha=alpha, tol=tol)


def factor_detector(df, y, factors, *, discretize="optimal", classes=range(3, 9), by=None, categorical=None):
    """The factor detector: q of every factor and its p (``geodetector_factor``); arguments as
    :func:`geodetector`."""
    return _run(df, y, factors, ("geodetector_factor",), discretize=discretize, classes=classes, by=by,
                categorical=categorical, where="factor_detector")["geodetector_factor"]


def interaction_detector(df, y, factors, *, discretize="optimal", classes=range(3, 9), by=None,
                         categorical=None, tol: float = 1e-10):
    """The interaction detector: q of the intersection of every pair of factors and its type
    (``geodetector_interaction``); arguments as :func:`geodetector`."""
    return _run(df, y, factors, ("geodetector_interaction",), discretize=discretize, classes=classes, by=by,
                categorical=categorical, tol=tol, where="interaction_detector")["geodetector_interaction"]


def risk_detector(df, y, factors, *, discretize="optimal", classes=range(3, 9), by=None, categorical=None,
                  alpha: float = 0.05) -> dict[str, pd.DataFrame]:
    """The risk detector: mean of ``y`` per stratum (``geodetector_strata``) and Welch's t-test of every
    pair of strata (``geodetector_risk``); arguments as :func:`geodetector`."""
    return _run(df, y, factors, ("geodetector_risk", "geodetector_strata"), discretize=discretize,
                classes=classes, by=by, categorical=categorical, alpha=alpha, where="risk_detector")


def ecological_detector(df, y, factors, *, discretize="optimal", classes=range(3, 9), by=None,
                        categorical=None, alpha: float = 0.05):
    """The ecological detector: F test of the within sums of squares of every pair of factors
    (``geodetector_ecological``); arguments as :func:`geodetector`."""
    return _run(df, y, factors, ("geodetector_ecological",), discretize=discretize, classes=classes, by=by,
                categorical=categorical, alpha=alpha, where="ecological_detector")["geodetector_ecological"]


