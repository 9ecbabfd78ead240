r"""One call from indicator matrix to scores: normalise → weights → aggregate → ranks (→ TOPSIS).

:func:`build_index` records every parameter and convention in :attr:`IndexResult.params` and every
warning in :attr:`IndexResult.warnings`, so a result can be regenerated with one parameter changed.
"""
from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from nqpf.errors import InputError
from nqpf.i18n._reasons import Notice, reason

from .aggregate import aggregate, resolve_tree
from .normalize import _check_matrix, _year_codes, as_directions, normalize
from .topsis import topsis as _topsis
from .outliers import WINMAX
from .weights import compute_weights

__all__ = ["build_index", "IndexResult", "CONVENTIONS", "AUDIT_COLUMNS"]

from ..io.readers import AUDIT_COLUMNS  # noqa: E402 - the one list of audit columns

CONVENTIONS = {
    "normalization": "min-max with direction (paper eqs. 1-2): positive (x-min)/(max-min), "
                     "negative (max-x)/(max-min); min and max over all region-years when pooled, "
                     "within each year otherwise; then x' + shift (additive)",
    "constant_indicator": "an indicator with max = min over a pool is normalised to 0 (+ shift), "
                          "gets weight 0 from entropy/CRITIC/CV, and is flagged with a warning",
    "entropy": "p_ij = x'_ij / sum_i x'_ij; e_j = -(1/ln m) sum_i p_ij ln p_ij with 0 ln 0 = 0; "
               "d_j = 1 - e_j; w_j = d_j / sum_k d_k (paper eqs. 3-6)",
    "entropy_m": "m = number of rows summed over: all region-years when pooled, the regions of one "
                 "year per year otherwise (the paper's text says 'the number of years'; see docs)",
    "entropy_per_year": "pooled=False: weights computed within each year and averaged, renormalised",
    "score": "U_i = sum_j w_j x'_ij (the paper's eq. 7 with the factor x'_ij its text describes)",
    "sub_index": "sum over a group's indicators of w_j x'_ij; sub-indices of one level add up to "
                 "the score",
    "rank": "within each year, 1 = highest, ties share the smallest rank ('min')",
    "topsis": "v_ij = w_j x'_ij (min-max matrix); ideal/anti-ideal = max/min of v over all "
              "region-years when pooled, within each year otherwise; Euclidean distances; "
              "C = D- / (D+ + D-)",
}


@dataclass
class IndexResult:
    """Everything :func:`build_index` computed.

    Attributes
    ----------
    normalized : DataFrame
        Normalised matrix :math:`x'` (index (region, year), one column per indicator).
    weights : DataFrame
        Columns ``indicator, weight`` (+ the method's intermediate quantities).
    scores : DataFrame
        Index (region, year): ``score``, one ``"<level>:<group>"`` column per sub-index, ``rank``,
        and with TOPSIS ``topsis`` (closeness C), ``topsis_D_plus, topsis_D_minus, topsis_rank``.
    params : dict
        Every parameter and convention used.
    warnings : list of str
        Warnings raised while building (constant indicators, renormalised weights, ...).
    audit : DataFrame
        Audit rows (columns as ``nqpf.io``'s audit table) for flagged indicators.
    topsis : DataFrame or None
        The full TOPSIS table (``D_plus, D_minus, C, rank``) when requested.
    """

    normalized: pd.DataFrame
    weights: pd.DataFrame
    scores: pd.DataFrame
    params: dict
    warnings: list = field(default_factory=list)
    audit: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=AUDIT_COLUMNS))
    topsis: pd.DataFrame | None = None

    def scores_long(self):
        """Scores in long form: columns ``region, year, score, <sub-indices>, rank, ...``."""
        return self.scores.reset_index()


def _is_spec(obj):
    return hasattr(obj, "indicators") and not isinstance(obj, (Mapping, pd.Series))


def _constant_audit(X, pooled):
    from .normalize import pow2_scale

    A, _ = pow2_scale(X.to_numpy(dtype=float))
    rows = []
    if pooled:
        for j in np.nonzero(np.ptp(A, axis=0) == 0)[0]:   # A scaled by powers of two: no overflow
            rows.append({"year": "", "variable": X.columns[j]})
    else:
        codes, years = _year_codes(X.index)
        for k, year in enumerate(years):
            for j in np.nonzero(np.ptp(A[codes == k], axis=0) == 0)[0]:
                rows.append({"year": year, "variable": X.columns[j]})
    audit = pd.DataFrame([{**dict.fromkeys(AUDIT_COLUMNS, ""), "stage": "index", **r,
                           "action": "flagged", **reason("constant_indicator")} for r in rows],
                         columns=AUDIT_COLUMNS)
    return audit


def build_index(X, spec_or_directions, weighting="entropy", pooled=True, shift=0.0, topsis=False,
                weights=None, *, normalization="minmax", paths=None, levels=None, treat="none",
                winmax=WINMAX, region_labels=None, locate=None, **kw):
    r"""Build the composite index of an indicator matrix.

    Parameters
    ----------
    X : DataFrame
        Indicator matrix indexed by (``region``, ``year``), one numeric column per indicator.
    spec_or_directions : Spec or Mapping or Series
        A :class:`nqpf.spec.Spec` (directions and tree), or directions indicator → ±1 (then the tree,
        if any, comes from ``paths``).
    weighting : str, default "entropy"
        A method of :func:`~nqpf.index.compute_weights`; ``"given"`` when ``weights`` is passed.
    pooled : bool, default True
        Pool over all region-years (normalisation, entropy and TOPSIS ideals) or work per year.
    shift : float, default 0.0
        Added to every normalised value (e.g. ``1e-4``).
    topsis : bool, default False
        Also compute entropy-TOPSIS closeness (columns ``topsis_*`` of ``scores``).
    weights : Mapping, Series or DataFrame, optional
        User-given weights (implies ``weighting="given"``).
    normalization : str, default "minmax"
        A method of :func:`~nqpf.index.normalize`.
    paths : Mapping, optional
        Indicator → tuple of group names, when ``spec_or_directions`` holds only directions.
    levels : sequence of str, optional
        Names of the tree levels (default from the spec).
    treat : {"none", "winsorise", "log"}, default "none"
        Treatment of indicators the screen finds skewed by extreme values (:mod:`nqpf.index.outliers`:
        COINr's rule |skewness| > 2 and kurtosis > 3.5). ``"none"`` reports them (a warning naming the
        indicator, its most extreme region-year and its weight with and without treatment) and keeps the
        values; ``"winsorise"`` winsorises up to ``winmax`` values, then falls back to a log transform;
        ``"log"`` log-transforms. Step series and dominant indicators are reported either way.
    winmax : int, default 5
        Most values winsorised per indicator.
    region_labels : mapping, optional
        Region id → the name as the user wrote it, used in the screen's messages (default: the id).
    locate : callable, optional
        ``locate(region, year, indicator) -> str``: where the value was read (``"data.csv, row 5, column
        C"``), added to the screen's messages and audit rows (:func:`nqpf.pipeline.build_from_data`
        passes the reader's cell locations); ``""`` when unknown.
    **kw
        Options of the weighting method (e.g. ``m=``, ``alpha=``, ``methods=``).

    Returns
    -------
    IndexResult
    """
    _check_matrix(X)
    cols = [str(c) for c in X.columns]
    if cols != list(X.columns):
        raise InputError("indicator column names must be strings")
    if _is_spec(spec_or_directions):
        spec_ids = [ind.id for ind in spec_or_directions.indicators]
        missing = [i for i in spec_ids if i not in cols]
        extra = [c for c in cols if c not in spec_ids]
        if missing or extra:
            raise InputError(f"the indicator matrix does not match the spec: indicators missing "
                             f"from the data {missing}, columns not in the spec {extra}")
        tree = spec_or_directions if paths is None else paths
    else:
        tree = paths
    directions = as_directions(spec_or_directions, cols)
    tree_paths, tree_levels = resolve_tree(tree, cols, levels)
    if weights is not None:
        if weighting not in ("entropy", "given"):
            raise InputError(f"weights were given but weighting={weighting!r}; pass one or the other")
        weighting = "given"
        kw["weights"] = weights
    if weighting == "entropy":
        kw.setdefault("pooled", pooled)

    from .outliers import TREATMENTS, screen_indicators, treat_indicators

    if treat not in TREATMENTS:
        treat_indicators(X, [], treat, winmax)   # the error with the closest spelling
    scr = screen_indicators(X)
    Xraw = X
    treated_rows, how = [], {}
    if treat != "none" and scr.skewed:
        X, treated_rows, how = treat_indicators(X, scr.skewed, treat, winmax)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        Xn = normalize(X, directions, method=normalization, pooled=pooled, shift=shift)
        W = compute_weights(Xn, weighting, **kw)
        scores = aggregate(Xn, W, tree_paths or None, levels=tree_levels or None)
        T = None
        if topsis:
            T = _topsis(Xn, W, pooled=pooled)
            for c in ("C", "D_plus", "D_minus", "rank"):
                # the closeness is the TOPSIS score: column `topsis` (the name the CLI contract uses)
                scores["topsis" if c == "C" else f"topsis_{c}"] = T[c].to_numpy()
    # an indicator as the warnings name it: its Chinese name in Chinese, its id otherwise (as the data)
    shown = ({ind.id: {"zh": ind.name_zh or ind.id, "en": ind.id} for ind in spec_or_directions.indicators}
             if _is_spec(spec_or_directions) else {})
    screen_msgs, screen_rows, alt = _screen_report(scr, Xraw, X, W, treat, how, winmax, directions,
                                                   normalization, pooled, shift, weighting, kw,
                                                   region_labels=region_labels, locate=locate, shown=shown)
    messages = []
    for m in screen_msgs:   # Notices: written in the reader's language; the result keeps the English text
        messages.append(str(m))
        warnings.warn(m, stacklevel=2)
    for w in caught:  # keep each message once and re-emit it so callers still see it
        if str(w.message) not in messages:
            messages.append(str(w.message))
            warnings.warn(w.message, stacklevel=2)   # the warning itself (a Notice keeps its code)

    try:
        from nqpf import __version__ as version
    except ImportError:  # pragma: no cover
        version = "unknown"
    kw_record = {k: (dict(v) if isinstance(v, Mapping) else
                     v.to_dict() if isinstance(v, (pd.Series, pd.DataFrame)) else v)
                 for k, v in kw.items()}
    codes_region = X.index.get_level_values(0) if isinstance(X.index, pd.MultiIndex) else X.index
    params = {
        "normalization": normalization, "pooled": pooled, "shift": float(shift),
        "weighting": weighting, "weighting_options": kw_record, "topsis": bool(topsis),
        "indicators": cols, "directions": {c: int(directions[c]) for c in cols},
        "levels": list(tree_levels), "paths": {c: list(p) for c, p in tree_paths.items()},
        "n_rows": int(len(X)), "n_regions": int(pd.Index(codes_region).nunique()),
        "n_years": int(len(_year_codes(X.index)[1])) if isinstance(X.index, pd.MultiIndex) else None,
        "conventions": dict(CONVENTIONS), "nqpf_version": version,
        "treat": treat, "winmax": int(winmax), "treated": how,
        "screen": {**scr.params, "skewed": scr.skewed, "step_series": scr.steps,
                   "weight_if_treated" if treat == "none" else "weight_untreated": alt},
    }
    audit = _constant_audit(X, pooled)
    extra = [r for r in screen_rows + treated_rows]
    if extra:
        audit = pd.concat([audit, pd.DataFrame([{**dict.fromkeys(AUDIT_COLUMNS, ""), **r} for r in extra],
                                               columns=AUDIT_COLUMNS)], ignore_index=True)
    return IndexResult(normalized=Xn, weights=W, scores=scores, params=params, warnings=messages,
                       audit=audit, topsis=T)


def _cell_place(region, year, col, region_labels, locate) -> tuple[str, str]:
    """(``"天津 2015"`` as the user wrote the region, where the value was read or ``""``)."""
    name = str((region_labels or {}).get(region, region))
    place = ""
    if locate is not None and str(year) != "":
        try:
            place = str(locate(region, int(year), col) or "")
        except Exception:   # noqa: BLE001 - a location is a courtesy; never fail the index over it
            place = ""
    return f"{name} {year}".strip(), place


def _ratio_text(value: float, med: float):
    """The clause `` (1e+300 × the median 2)`` (``warning.ratio_median``) when the ratio is a finite
    number, else ``""`` (no overflow warning)."""
    if not np.isfinite(med) or med == 0:
        return ""
    with np.errstate(all="ignore"):
        ratio = value / med
    return {"@": "warning.ratio_median", "ratio": float(ratio), "median": float(med)} if np.isfinite(ratio) else ""


def _screen_report(scr, Xraw, X, W, treat, how, winmax, directions, normalization, pooled, shift, weighting, kw,
                   *, region_labels=None, locate=None, shown=None):
    """Console messages and audit rows of the indicator screen, and the weights of the skewed indicators
    under the other choice (treated when not treating, untreated when treating)."""
    from .outliers import treat_indicators

    w = dict(zip(W["indicator"].astype(str), W["weight"].astype(float)))
    m = len(w)
    rank = {k: r + 1 for r, k in enumerate(sorted(w, key=lambda k: -w[k]))}
    alt: dict = {}
    for col in scr.skewed:   # the weight of each skewed indicator with only that one treated / untreated
        if treat == "none":
            other = treat_indicators(Xraw, [col], "winsorise", winmax, audit=False)[0]
        else:
            other = X.copy()
            other[col] = Xraw[col]
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                Wo = compute_weights(normalize(other, directions, method=normalization, pooled=pooled, shift=shift),
                                     weighting, **kw)
            alt[col] = float(dict(zip(Wo["indicator"].astype(str), Wo["weight"].astype(float)))[col])
        except Exception:  # noqa: BLE001 - the comparison is informative only
            alt[col] = None
    msgs, rows = [], []
    cells = scr.cells
    for _, r in scr.table[scr.table["skewed"]].iterrows():
        col = r["indicator"]
        c = cells[cells["indicator"] == col]
        first = c.iloc[0]
        x = Xraw[col].to_numpy(dtype=float)
        med = float(np.nanmedian(x))
        ratio = _ratio_text(float(first["value"]), med)
        name, place = _cell_place(first["region"], first["year"], col, region_labels, locate)
        where = f"{name} ({place})" if place else name
        more = {"@": "warning.more_extreme", "n": int(r["n_extreme"]) - 1} if r["n_extreme"] > 1 else ""
        wt, wa = w.get(col, float("nan")), alt.get(col)
        loud = (float(first["robust_z"]) > 1000 or wa is None
                or (wt > 1 / m and wt >= 1.5 * wa) or (wa > 1 / m and wa >= 1.5 * wt))
        if not loud:
            pass
        elif treat == "none":
            effect = ({"@": "warning.extreme_effect", "weight": w.get(col, float("nan")), "rank": rank.get(col),
                       "m": m, "equal": 1 / m, "treated": alt[col]} if alt.get(col) is not None else "")
            advice = ("@warning.advice_unit" if float(first["robust_z"]) > 1000 else "@warning.advice_keep")
            msgs.append(Notice("extreme_value", {
                "col": (shown or {}).get(col, col), "value": float(first["value"]), "where": where, "ratio": ratio, "more": more,
                "skew": float(r["skewness"]), "kurt": float(r["kurtosis"]), "effect": effect, "advice": advice}))
        else:
            prev = {"@": "warning.untreated_weight", "w": alt[col]} if alt.get(col) is not None else ""
            msgs.append(Notice("extreme_treated", {"col": (shown or {}).get(col, col), "value": float(first["value"]), "where": where,
                                                   "how": how.get(col), "weight": w.get(col, float("nan")),
                                                   "prev": prev}))
        for _, cell in c.iterrows():
            _, place = _cell_place(cell["region"], cell["year"], col, region_labels, locate)
            rows.append({"stage": "index", "region": cell["region"], "year": cell["year"], "variable": col,
                         "action": "flagged", "old": cell["value"],
                         **reason("extreme_value_at" if place else "extreme_value", z=cell["robust_z"],
                                  skewness=r["skewness"], kurtosis=r["kurtosis"], **({"place": place} if place else {}))})
    for col in scr.steps:
        if w.get(col, 0.0) > 1 / m:
            msgs.append(Notice("step_indicator", {"col": (shown or {}).get(col, col), "weight": w.get(col, float("nan")),
                                                  "rank": rank.get(col), "m": m, "equal": 1 / m}))
        rows.append({"stage": "index", "variable": col, "action": "flagged", **reason("step_series")})
    limit = max(0.3, 3 / m) if m else 1.0
    for col, wt in w.items():
        if wt > limit and col not in scr.skewed and col not in scr.steps:
            msgs.append(Notice("dominant_indicator", {"col": (shown or {}).get(col, col), "weight": wt, "limit": limit, "m": m}))
            rows.append({"stage": "index", "variable": col, "action": "flagged",
                         **reason("dominant_indicator", weight=wt, limit=limit)})
    return msgs, rows, alt
