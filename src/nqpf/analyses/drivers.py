"""Driving factors of the scores: the geographical detector (factor, interaction, risk and ecological
detectors; Wang et al. 2010) with the optimal-parameters discretisation (OPGD; Song et al. 2020).

``y`` is the composite score; the factors are the covariates given (a file: ``nqpf analyze/run --covariates
FILE`` or ``[drivers] covariates = "file"`` in the config, matched to the scores by
:func:`nqpf.pipeline.covariates_table`; or ``extras={"covariates": DataFrame}`` with columns ``region``,
optionally ``year``, and one column per factor; without ``year`` a factor is the same in every year),
else the normalised indicators of the index when the study built one (``normalized``). Without either
the family produces nothing and says so in its parameters (``drivers = drivers.no_factor_data``).

Missing covariate values are not an error: a region-year without a value of a factor is left out of
that factor's detectors only (factor, risk; the interaction and ecological detectors of a pair use the
region-years where both factors are known), as :func:`nqpf.drivers.geodetector` does; the factor
table's ``n_missing`` counts them per factor and year, the parameters say so (``drivers_missing =
drivers.missing.per_factor``) and the methods text states it with their number. The file's reader
audits each of them (stage ``covariates``).

With the index's own indicators as factors the detector is partly circular: the score is a weighted sum
of those indicators, so q measures how much each indicator shapes the spatial stratification of the
composite built from it, not the effect of an outside driver (q is high and every interaction tends to be
an enhancement by construction). The family then warns once (:data:`CIRCULAR_WARNING`) and the methods
text says so (``methods.drivers.circular``).
"""
from __future__ import annotations

import difflib
import warnings
from collections.abc import Mapping

import numpy as np
import pandas as pd

from .. import drivers as _gd
from ..drivers.run import parse_classes
from ..errors import InputError
from ..i18n import t
from ..i18n._reasons import Notice
from ..results import Column, Figure, Methods, Table
from ._common import NO_TITLE, Context, Family, Option

__all__ = ["FAMILY", "items", "table_items", "factor_data", "CIRCULAR_WARNING"]

#: How outside covariates reach the family (named in the warning and the methods note).
COVARIATES_HOW = t("warning.covariates_how", "en")
#: The warning given once when the factors are the index's own indicators (in the reader's language:
#: :func:`circular_warning`; this is its English text).
CIRCULAR_WARNING = t("warning.drivers_circular", "en", how=COVARIATES_HOW)


def circular_warning():
    """The warning given once when the factors are the index's own indicators."""
    return Notice("drivers_circular", {"how": "@warning.covariates_how"})

_DISPLAY = {
    "geodetector_factor": ("factor", "year", "q", "p", "method", "classes", "strata", "n"),
    "geodetector_interaction": ("factor_a", "factor_b", "year", "q_a", "q_b", "q_ab", "type"),
    "geodetector_risk": ("factor", "year", "stratum_a", "stratum_b", "mean_a", "mean_b", "t", "df", "p"),
    "geodetector_strata": ("factor", "year", "stratum", "lower", "upper", "n", "mean"),
    "geodetector_ecological": ("factor_a", "factor_b", "year", "q_a", "q_b", "F", "p", "significant"),
}
_KINDS = {"year": "year", "p": "p", "method": "code", "type": "code", "significant": "bool",
          "stratum": "text", "stratum_a": "text", "stratum_b": "text",
          **{c: "int" for c in ("classes", "strata", "n", "n_missing", "strata_ab", "n_a", "n_b")}}
_CODES = {"method": "discretization", "type": "interaction"}
#: Columns headed by the catalogue's own words (``col.year``, ``col.n``, ``col.mean``); the others by
#: ``col.gd_<name>``.
_SHARED = ("year", "n", "mean")
_LONG_ROWS = 40


def _column(name: str, factor_kind: str) -> Column:
    kind = factor_kind if name in ("factor", "factor_a", "factor_b") else _KINDS.get(name, "float")
    label = None if name in _SHARED else f"col.gd_{name}"
    return Column(name, kind, codes=_CODES.get(name), label=label)


def table_items(tables: Mapping[str, pd.DataFrame], *, factor_kind: str = "text", pooled: bool = False,
                section: str = "drivers") -> list[Table]:
    """The detector's tables (:func:`nqpf.drivers.geodetector`) as self-describing items: factors as
    indicator ids (``factor_kind="item"``) or column names (``"text"``); ``pooled`` leaves the empty
    ``year`` out of the report's view."""
    out = []
    for n, key in enumerate(_gd.TABLES):
        if key not in tables:
            continue
        df = tables[key].reset_index(drop=True)
        display = tuple(c for c in _DISPLAY[key] if not (pooled and c == "year"))
        out.append(Table(key, df, tuple(_column(str(c), factor_kind) for c in df.columns), section, order=n,
                         display=display, long=len(df) > _LONG_ROWS))
    return out


def factor_data(ctx: Context):
    """``(frame, kind)``: the factors per region and year (columns ``region``, ``year`` and one per
    factor) and the kind of the factor names (``item``: indicators of the index; ``text``: covariates),
    or ``(None, None)``. Covariates given take precedence over the index's indicators."""
    cov = ctx.extras.get("covariates")
    if cov is None:
        if "normalized" in ctx.results:
            nz = ctx.data("normalized")
            if {"region", "year"} <= set(map(str, nz.columns)):
                return nz.copy(), "item"
        return None, None
    if not isinstance(cov, pd.DataFrame):
        raise InputError(f"covariates: expected a DataFrame with a region column, got {type(cov).__name__}")
    cov = cov.reset_index() if "region" not in cov.columns else cov.copy()
    if "region" not in cov.columns:
        raise InputError(f"covariates: no 'region' column (columns: {', '.join(map(str, cov.columns))})")
    cov["region"] = cov["region"].astype(str)
    return cov, "text"


def _is_auto(value) -> bool:
    v = value if isinstance(value, (list, tuple)) else [value]
    return len(v) == 1 and str(v[0]).strip().lower() == "auto"


def _classes(value, n_units: int | None = None) -> list[int]:
    """The ``classes`` option (whole numbers, texts such as ``"3-8"``, or ``auto``:
    :func:`nqpf.drivers.auto_classes` of ``n_units``) as sorted whole numbers."""
    from ..drivers.discretize import auto_classes, check_classes

    if _is_auto(value):
        return list(auto_classes(n_units if n_units is not None else 40))
    out = []
    for v in value if isinstance(value, (list, tuple)) else [value]:
        out += list(parse_classes(v)) if isinstance(v, str) else [v]
    return list(check_classes(out, "drivers.classes"))


def _choose(available: list[str], wanted) -> list[str]:
    if not wanted:
        return available
    out = []
    for f in wanted:
        if str(f) not in available:
            close = difflib.get_close_matches(str(f), available, n=1)
            raise InputError(f"drivers.factors: no factor {f!r}" + (f"; did you mean {close[0]!r}?" if close else "")
                             + f" (factors: {', '.join(available)})")
        out.append(str(f))
    return out


def _merge(ctx: Context, data: pd.DataFrame, factors: list[str]) -> tuple[pd.DataFrame, str]:
    """The score (as column ``y``) beside the factors of the same region and year."""
    ycol = "score" if "score" not in factors else "__score__"
    Y = ctx.Y
    long = pd.DataFrame({"region": np.repeat(Y.index.astype(str), Y.shape[1]),
                         "year": np.tile(np.asarray(Y.columns, dtype=np.int64), Y.shape[0]),
                         ycol: Y.to_numpy(dtype=float).ravel()})
    data = data.copy()
    data["region"] = data["region"].astype(str)
    keys = ["region", "year"] if "year" in data.columns else ["region"]
    if "year" in data.columns:
        data["year"] = pd.to_numeric(data["year"], errors="coerce").astype("Int64")
    if data.duplicated(keys).any():
        raise InputError(f"drivers: the factor data hold more than one row per {' and '.join(keys)}")
    merged = long.merge(data[keys + factors], on=keys, how="left")
    return merged, ycol


def items(ctx: Context):
    data, kind = factor_data(ctx)
    if data is None:
        return [], {"drivers": "drivers.no_factor_data"}
    ctx.step("geographical detector")
    available = [str(c) for c in data.columns if str(c) not in ("region", "year")]
    data.columns = [str(c) for c in data.columns]
    factors = _choose(available, ctx.opt("drivers.factors"))
    methods = list(ctx.opt("drivers.discretization") or ["optimal"])
    pooled = ctx.opt("drivers.by", "year") == "pooled"
    # units of one detector run: the regions of a year, or every region-year pooled
    n_units = int(ctx.Y.size if pooled else ctx.Y.shape[0])
    opt_classes = ctx.opt("drivers.classes", ["auto"])
    classes = _classes(opt_classes, n_units)
    auto = _is_auto(opt_classes)
    alpha = ctx.opt("alpha", 0.05)
    merged, ycol = _merge(ctx, data, factors)
    usable, excluded = [], []
    for f in factors:  # a factor with one value everywhere (or none) explains nothing: left out, stated
        v = merged[f].dropna()
        (usable if v.nunique() >= 2 else excluded).append(f)
    if excluded:
        warnings.warn(f"drivers: factor(s) with fewer than two distinct values left out: {', '.join(excluded)}",
                      UserWarning, stacklevel=2)
    if kind == "item":
        warnings.warn(circular_warning(), stacklevel=2)
    params = {"drivers_source": f"drivers.source.{'indicators' if kind == 'item' else 'covariates'}",
              "drivers_n_factors": len(usable)}
    if excluded:
        params["drivers_excluded"] = excluded
    if not usable:
        params["drivers"] = "drivers.no_usable_factor"
        return [], params
    n_missing = int(merged[usable].isna().to_numpy().sum())
    if n_missing:   # left out per factor by the detector (as its docstring states)
        params["drivers_missing"] = "drivers.missing.per_factor"
        params["drivers_n_missing"] = n_missing
    tol = 1e-10
    tables = _gd.geodetector(merged, ycol, usable, discretize=methods, classes=classes,
                             by=None if pooled else "year", alpha=alpha, tol=tol)
    used = _gd.resolve_methods(methods)
    searched = len(used) * len(classes) > 1
    params.update({
        "drivers_discretization": "drivers.opgd" if searched else f"drivers.method.{used[0]}",
        "drivers_methods": [f"drivers.method.{m}" for m in used],
        "drivers_classes": classes,
        "drivers_classes_rule": "drivers.classes_auto" if auto else "drivers.classes_given",
        "drivers_by": f"drivers.by.{'pooled' if pooled else 'year'}",
        "drivers_interaction_tol": tol,
        "conventions": ["geodetector"],
    })
    out = table_items(tables, factor_kind=kind, pooled=pooled)
    years = _figure_years(ctx, tables["geodetector_factor"], pooled)
    out.append(Figure("geodetector_q", lambda res, lang: _draw_q(res, lang, years, alpha), "drivers",
                      "figure.geodetector_q", order=0.5))
    if len(usable) >= 2:
        for n, y in enumerate(years):
            if y is None:
                out.append(Figure("geodetector_interaction", lambda res, lang: _draw_interaction(res, lang, None),
                                  "drivers", "figure.geodetector_interaction_pooled", order=1.5))
            else:
                out.append(Figure(f"geodetector_interaction_{y}", lambda res, lang, y=y: _draw_interaction(res, lang, y),
                                  "drivers", "figure.geodetector_interaction", {"year": y}, order=1.5 + n / 100))
    out.append(_methods_item(kind, searched, used, classes, pooled, alpha, tol, n_units if auto else None,
                             n_missing))
    return out, params


def _figure_years(ctx: Context, factor: pd.DataFrame, pooled: bool) -> list:
    if pooled:
        return [None]
    have = sorted(int(y) for y in factor["year"].dropna().unique())
    want = [int(y) for y in (ctx.opt("figure_years") or []) if int(y) in have]
    if not want:
        want = [have[0], have[-1]] if len(have) > 1 else have
    return list(dict.fromkeys(want))[:4]


def _methods_item(kind, searched, used, classes, pooled, alpha, tol, n_auto=None, n_missing=0) -> Methods:
    """The methods text; ``n_auto`` the units of one run when the numbers of classes followed the
    default rule (:func:`nqpf.drivers.auto_classes`), stated with its reason; ``n_missing`` the missing
    factor values (region-year × factor), each left out of that factor's detectors, stated when any."""
    from ..drivers.discretize import AUTO_MAX_CLASSES, AUTO_MIN_CLASSES, AUTO_UNITS_PER_CLASS

    disc = "@methods.drivers.opgd" if searched else "@methods.drivers.single"
    paragraphs = [
        ("methods.drivers.text", {"source": f"@methods.drivers.source.{'indicators' if kind == 'item' else 'covariates'}",
                                  "by": f"@methods.drivers.by.{'pooled' if pooled else 'year'}"}),
        ("methods.drivers.discretization", {"search": disc, "methods": _methods_words(used),
                                            "classes": f"{min(classes)}–{max(classes)}" if len(classes) > 1
                                            else str(classes[0])}),
    ]
    if n_auto is not None:
        paragraphs.append(("methods.drivers.classes_auto", {
            "n": n_auto, "k_min": AUTO_MIN_CLASSES, "k_max": AUTO_MAX_CLASSES, "per": AUTO_UNITS_PER_CLASS,
            "classes": f"{min(classes)}–{max(classes)}" if len(classes) > 1 else str(classes[0]),
            "bias": f"{(max(classes) - 1) / max(n_auto - 1, 1):.2f}", "l": max(classes)}))
    paragraphs.append(("methods.drivers.detectors", {"alpha": alpha, "tol": f"{tol:g}"}))
    if n_missing:
        paragraphs.append(("methods.drivers.missing", {"n": n_missing}))
    if kind == "item":
        paragraphs.append(("methods.drivers.circular", {"how": "@warning.covariates_how"}))
    return Methods("methods_geodetector", "methods.drivers.heading", tuple(paragraphs), (
        "q = 1 − Σ_{h=1}^{L} N_{h} σ_{h}^{2} / (N σ^{2}) = 1 − SSW / SST",
        "F = (N − L) / (L − 1) · q / (1 − q) ~ F(L − 1, N − L; λ),  λ = [Σ_{h} !{Y}_{h}^{2} − (Σ_{h} √N_{h} !{Y}_{h})^{2} / N] / σ^{2}",
        "t = (!{Y}_{a} − !{Y}_{b}) / √(s_{a}^{2} / n_{a} + s_{b}^{2} / n_{b})",
        "F = N_{a} (N_{b} − 1) SSW_{a} / [N_{b} (N_{a} − 1) SSW_{b}] ~ F(N_{a} − 1, N_{b} − 1)",
    ), order=6)


def _methods_words(used) -> str:
    """Catalogue key (``@key``) of the words for the discretisation methods ``used``."""
    from ..drivers import METHODS

    if set(used) == set(METHODS):
        return "@methods.drivers.methods.all"
    return f"@cat.discretization.{used[0]}" if len(used) == 1 else "@methods.drivers.methods.subset"


def _factor_names(res, lang) -> dict:
    from .diagnosis import item_namer

    tab = res["geodetector_factor"]
    if tab.column("factor").kind != "item":
        return {}
    name = item_namer(res, lang)
    return {f: name(f) for f in tab.data["factor"].unique()}


def _draw_q(res, lang, years, alpha):
    from ..plot.drivers import plot_geodetector_q

    return plot_geodetector_q(res.table("geodetector_factor"), names=_factor_names(res, lang), lang=lang,
                              years=years, alpha=alpha, title=NO_TITLE)


def _draw_interaction(res, lang, year):
    from ..plot.drivers import plot_interaction_heatmap

    return plot_interaction_heatmap(res.table("geodetector_interaction"), res.table("geodetector_factor"),
                                    names=_factor_names(res, lang), lang=lang, year=year, title=NO_TITLE)


def _check_classes_option(value) -> str | None:
    try:
        _classes(value)
    except InputError as exc:
        return str(exc).split(": ", 1)[-1]
    return None


FAMILY = Family("drivers", items, order=60, help="geographical detector (q of each indicator, interactions, risk "
                "and ecological detectors) with the optimal discretisation (OPGD)", options={
    "factors": Option([], "factors (default: every covariate given with --covariates FILE or [drivers] "
                      "covariates, else the index's indicators)", list),
    "discretization": Option(["optimal"], "discretisation of the factors: optimal (search every method) or "
                             "methods to search", list, ("optimal",) + _gd.METHODS),
    "classes": Option(["auto"], "numbers of classes searched (e.g. 5, 3-8 or 3,5,7); auto: 3 to min(8, "
                      "max(3, ⌊n/5⌋)) for n units of one detector run (regions of a year, or all region-years "
                      "pooled), at least 5 units per stratum on average: 31 provinces 3-6, 29 3-5, 40 or more "
                      "3-8", list, check=_check_classes_option),
    "by": Option("year", "run the detector for each year, or on all region-years pooled", str, ("year", "pooled")),
})
