"""β convergence: absolute (cross-section with HC1 standard errors, two-way fixed-effects panel clustered
by region) and, with control variables, conditional; for the whole panel and per region group. σ
convergence is in the disparity family.

Controls: a table ``region, year, <variables>`` given as ``extras={"controls": DataFrame}`` of
:func:`nqpf.pipeline.analyze`; the option ``convergence.controls`` names the variables to use (default:
every variable of the table). Regions are matched by id, by the user's spelling and, for provinces, by
name (``北京``, ``Beijing``); rows of regions not analysed are left out.
"""
from __future__ import annotations

import warnings

import pandas as pd

from ..dynamics.convergence import CONTROL_BASES, beta_convergence
from ..errors import InputError
from ..results import Column, Methods, Table
from ._common import Context, Family, Option, describe

__all__ = ["FAMILY", "items", "controls_frame"]

# generic column names are headed by keys of this family (col.beta_*), so no other family's header
# of the same name can clash with them
_CODES = {
    "model": Column("model", "code", codes="beta_model", label="col.beta_model"),
    "group": Column("group", "code", codes="group"),
    "se_type": Column("se_type", "code", codes="se_type"),
    "status": Column("status", "code", codes="beta_status", label="col.beta_status"),
    "se": Column("se", label="col.beta_se"),
    "t": Column("t", label="col.beta_t"),
    "p": Column("p", "p", label="col.beta_p"),
    "df": Column("df", "int", label="col.beta_df"),
    "r2": Column("r2", label="col.R2"),
    "term": Column("term", "text", label="col.beta_term_code"),
    "coef": Column("coef", label="col.beta_coef"),
}
_DISPLAY = ("model", "group", "beta", "se", "t", "p", "speed", "half_life", "r2", "n")
_TERMS_DISPLAY = ("model", "group", "term_label", "coef", "se", "t", "p")
#: Terms of the models named by the catalogue (``cat.beta_term.<term>``); other terms are the user's
#: control variables, shown as they are named.
KNOWN_TERMS = ("const", "ln_y0", "ln_y")


def _term_words(data: pd.DataFrame, lang: str, results=None) -> list[str]:
    """The ``term`` column in ``lang``: the intercept and the lagged log score through the catalogue,
    control variables by their own names (a rendered column: the CSV keeps the codes)."""
    from ..i18n import t

    return [t(f"cat.beta_term.{v}", lang) if v in KNOWN_TERMS else str(v) for v in data["term"]]


def _terms_columns(terms: pd.DataFrame) -> tuple:
    """Columns of the terms table: those of the data (``term`` the code) and, last, its words
    ``term_label`` (the reports show it in the place of the code, :data:`_TERMS_DISPLAY`)."""
    return (*describe(terms, _CODES), Column("term_label", "rendered", label="col.beta_term", render=_term_words))
_FORMULAS = (
    "(1 / T) · ln(y_{i,T} / y_{i,0}) = α + β · ln y_{i,0} + ε_{i}",
    "ln(y_{i,t+1} / y_{i,t}) = β · ln y_{i,t} + μ_{i} + η_{t} + ε_{it}",
    "λ = −ln(1 + β · T) / T,   τ = ln 2 / λ",
)


def controls_frame(ctx: Context) -> tuple[pd.DataFrame | None, list[str]]:
    """The control table with region ids of the analysis, and the variables to use.

    Raises :class:`~nqpf.errors.InputError` when variables are named without a table, the table is not
    a DataFrame with ``region`` and ``year`` columns, or a named variable is not in it.
    """
    table = ctx.extras.get("controls")
    names = [str(c) for c in (ctx.opt("convergence.controls") or [])]
    if table is None:
        if names:
            raise InputError(f"convergence.controls names {names} but no control table was given; pass "
                             "extras={'controls': DataFrame with columns region, year and the variables}")
        return None, []
    if not isinstance(table, pd.DataFrame) or not {"region", "year"} <= set(map(str, table.columns)):
        raise InputError("the control table must be a DataFrame with columns region, year and the variables "
                         f"(got {type(table).__name__}"
                         + (f" with columns {list(map(str, table.columns))})" if isinstance(table, pd.DataFrame) else ")"))
    if not names:
        names = [str(c) for c in table.columns if str(c) not in ("region", "year")]
    if not names:
        raise InputError("the control table has no variable besides region and year")
    frame = table.copy()
    frame.columns = [str(c) for c in frame.columns]
    frame["region"] = frame["region"].map(_region_lookup(ctx, frame["region"].unique()))
    frame = frame[frame["region"].notna()]
    return frame, names


def _region_lookup(ctx: Context, values) -> dict:
    """Each spelling of ``values`` → the region id it names (absent if none)."""
    reg = ctx.regions
    known = {}
    for rid in reg.ids:
        for key in (rid, str(rid), reg.label(rid), reg.codes.get(rid)):
            if key is not None:
                known.setdefault(key, rid)
    by_code = {str(c): rid for rid, c in reg.codes.items()}
    out = {}
    for v in values:
        if v in known:
            out[v] = known[v]
        elif str(v).strip() in known:
            out[v] = known[str(v).strip()]
        elif reg.is_provinces:
            from .. import regions

            try:
                code = regions.normalize(str(v))
            except Exception:   # not a province name: the row is left out (and reported if needed)
                continue
            if str(code) in by_code:
                out[v] = by_code[str(code)]
    return out


def items(ctx: Context):
    if ctx.Y.shape[1] < 2:
        warnings.warn("β convergence needs at least two years of scores; the convergence family is skipped",
                      UserWarning, stacklevel=2)
        return [], {"convergence_skipped": "one_year"}
    controls, names = controls_frame(ctx)
    basis = ctx.opt("convergence.control_basis", "initial")
    ctx.step("β convergence")
    cv = beta_convergence(ctx.Y, ctx.groups, controls, control_names=names or None, control_basis=basis)
    tab, terms = cv.table, cv.terms
    out = [
        Table("convergence", tab, describe(tab, _CODES), "convergence", order=0, display=_DISPLAY),
        Table("convergence_terms", terms, _terms_columns(terms),
              "convergence", order=1, long=True, display=_TERMS_DISPLAY),
        _methods(ctx, names, basis),
    ]
    params = {"convergence_models": list(dict.fromkeys(tab["model"])), "convergence_controls": names,
              "conventions": ["beta_convergence"]}
    if names:
        params["convergence_control_basis"] = basis
    return out, params


def _methods(ctx: Context, names, basis) -> Methods:
    years = [int(c) for c in ctx.Y.columns]
    paras = [("methods.convergence.text", {"T": years[-1] - years[0], "first": years[0], "last": years[-1]}),
             ("methods.convergence.speed", {})]
    if names:
        paras.append(("methods.convergence.conditional", {"controls": ", ".join(names),
                                                           "basis": f"@value.{basis}"}))
    return Methods("methods_convergence", "methods.convergence.heading", tuple(paras), _FORMULAS, order=6)


FAMILY = Family("convergence", items, order=27, help="β convergence: absolute and conditional, cross-section "
                "(HC1) and two-way fixed-effects panel (clustered by region), speed and half-life, per region "
                "group", options={
    "controls": Option([], "control variables of conditional β convergence: columns of the control table "
                       "(extras['controls']: region, year, variables); default every variable of the table", list),
    "control_basis": Option("initial", "controls of the cross-section: initial-year values or means over the "
                            "years but the last", str, CONTROL_BASES),
})
