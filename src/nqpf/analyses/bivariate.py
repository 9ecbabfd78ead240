"""Bivariate Moran's I (global and local) between the score and other variables, on request.

Runs only when asked for (``analyses=[..., "bivariate"]``, ``--only``/the config's ``[analyses]``).
The other variables are sub-indices of an index built by nqpf (the extra columns of the ``scores``
table, such as ``criterion:劳动对象``) or columns of ``extras["covariates"]``, a long DataFrame with
``region``, ``year`` and one column per variable (regions as ids, the user's spellings or, for
provinces, any name :func:`nqpf.regions.normalize` reads; every region-year of the scores needed).

Options: ``variables`` (default: the sub-indices of the index's first level below the composite, else
every covariate), ``lagged``
(``variable``: the region's score against its neighbours' variable, the default; ``score``: the
region's variable against its neighbours' score) and ``correction`` (``none``, ``fdr``
Benjamini–Hochberg or ``bonferroni``, per year, for the local clusters). Inference two-sided; the
common ``permutations``, ``seed`` and ``alpha`` apply (see :mod:`nqpf.spatial.bivariate`).
"""
from __future__ import annotations

import difflib

import pandas as pd

from ..errors import InputError
from ..results import Column, Methods, Table
from ..spatial.bivariate import moran_bv_global, moran_bv_local
from ._common import Context, Family, Option, describe

__all__ = ["FAMILY", "items", "candidate_variables"]

_FORMULAS = (
    "I_{BV} = Σ_{i} Σ_{j} w_{ij} z_{x,i} z_{y,j} / √( Σ_{i} z_{x,i}^{2} · Σ_{i} z_{y,i}^{2} )",
    "I_{BV,i} = (n − 1) · z_{x,i} · Σ_{j} w_{ij} z_{y,j} / Σ_{k} z_{x,k}^{2}",
)
_GLOBAL_DISPLAY = ("variable", "year", "I", "z", "p_norm", "p_sim")


def _covariate_ids(values, ctx: Context) -> dict:
    """Each region spelling of the covariates → the region id of the scores (unmatched: absent)."""
    ids = {str(i): i for i in ctx.Y.index}
    by_label = {str(v): k for k, v in dict(ctx.regions.labels).items()}
    out = {}
    for v in pd.unique(values):
        s = str(v).strip()
        if s in ids:
            out[v] = ids[s]
        elif s in by_label:
            out[v] = by_label[s]
        elif ctx.regions.is_provinces:
            from .. import regions as _regions

            try:
                code = str(_regions.normalize(s))
            except Exception:  # not a province name: left out like any region not analysed
                continue
            if code in ids:
                out[v] = ids[code]
    return out


def _wide(long: pd.DataFrame, column: str, ctx: Context) -> pd.DataFrame:
    """``column`` of a long ``region, year`` frame as regions × years in the order of ``ctx.Y``."""
    wide = long.pivot_table(index="region", columns="year", values=column, aggfunc="first", dropna=False)
    return wide.reindex(index=ctx.Y.index, columns=ctx.Y.columns)


def candidate_variables(ctx: Context) -> tuple[dict, list]:
    """Every variable the score can be related to, name → regions × years frame (in ``ctx.Y``'s
    order; NaN where absent), and the default choice: the sub-indices of the first level below the
    composite (``level:group`` columns of the scores table with the first column's level), else every
    covariate."""
    out, subs = {}, []
    if "scores" in ctx.results:
        sc = ctx.data("scores")
        for c in sc.columns:
            if c in ("region", "year", "score") or not pd.api.types.is_numeric_dtype(sc[c]):
                continue
            out[str(c)] = _wide(sc, c, ctx)
            if ":" in str(c):
                subs.append(str(c))
    cov = ctx.extras.get("covariates")
    covs = []
    if cov is not None:
        if not isinstance(cov, pd.DataFrame) or not {"region", "year"} <= set(cov.columns):
            raise InputError("bivariate: extras['covariates'] must be a DataFrame with columns region, year and "
                             "one column per variable")
        cov = cov.copy()
        cov["region"] = cov["region"].map(_covariate_ids(cov["region"], ctx))
        cov = cov[cov["region"].notna()]
        try:
            cov["year"] = cov["year"].astype(int)
        except (TypeError, ValueError):
            raise InputError("bivariate: the covariates' year column must hold whole years") from None
        if cov.duplicated(["region", "year"]).any():
            raise InputError("bivariate: the covariates have several rows for one region and year; keep one")
        for c in cov.columns:
            if c in ("region", "year"):
                continue
            if str(c) in out:
                raise InputError(f"bivariate: {c!r} is both a column of the scores and a covariate; rename the "
                                 "covariate")
            if not pd.api.types.is_numeric_dtype(cov[c]):
                raise InputError(f"bivariate: covariate {c!r} is not numeric")
            out[str(c)] = _wide(cov, c, ctx)
            covs.append(str(c))
    top = [c for c in subs if c.split(":", 1)[0] == subs[0].split(":", 1)[0]] if subs else []
    return out, (top or covs)


def _chosen(ctx: Context) -> tuple[list, dict]:
    avail, default = candidate_variables(ctx)
    names = [str(v) for v in (ctx.opt("bivariate.variables") or [])] or default
    if not names:
        raise InputError("bivariate: no variable to relate the score to; build an index with sub-indices, or pass "
                         "extras={'covariates': DataFrame with region, year and variables} and name them in "
                         "bivariate.variables")
    for v in names:
        if v not in avail:
            close = difflib.get_close_matches(v, list(avail), n=1)
            raise InputError(f"bivariate.variables: unknown variable {v!r}" + (f"; did you mean {close[0]!r}?"
                             if close else "") + f" (available: {', '.join(avail) or 'none'})")
    return list(dict.fromkeys(names)), avail


def _one(fn, what: str, *args, **kw):
    """``fn(*args, **kw)`` with the variable named in an input error."""
    try:
        return fn(*args, **kw)
    except InputError as exc:
        raise InputError(f"bivariate: variable {what!r}: {exc}") from None


def items(ctx: Context):
    perms, seed, alpha = ctx.opt("permutations", 999), ctx.opt("seed", 12345), ctx.opt("alpha", 0.05)
    lagged = ctx.opt("bivariate.lagged", "variable")
    corr = ctx.opt("bivariate.correction", "none")
    corr = None if corr in (None, "none") else corr
    names, avail = _chosen(ctx)
    glob, loc = [], []
    for v in names:
        ctx.step(f"bivariate Moran's I: {v}")
        X, Yv = (ctx.Y, avail[v]) if lagged == "variable" else (avail[v], ctx.Y)
        g = _one(moran_bv_global, v, X, Yv, ctx.w, permutations=perms, seed=seed)
        lo = _one(moran_bv_local, v, X, Yv, ctx.w, permutations=perms, seed=seed, alpha=alpha, correction=corr)
        glob.append(g.assign(variable=v))
        loc.append(lo.assign(variable=v))
    g = pd.concat(glob, ignore_index=True)
    g = g[["variable"] + [c for c in g.columns if c != "variable"]]
    lo = pd.concat(loc, ignore_index=True)
    lo = lo[["variable", "region", "year", "I", "z", "lag", "p_sim", "quadrant", "cluster"]]
    var = Column("variable", "item")
    out = [
        Table("moran_bv_global", g, describe(g, {
            "variable": var, "I": Column("I", label="col.I_bv"), "z": Column("z", label="col.z_rand"),
            "p_norm": Column("p_norm", "p", label="col.p_rand")}), "spatial", order=7, display=_GLOBAL_DISPLAY),
        Table("moran_bv_local", lo, describe(lo, {
            "variable": var, "region": Column("region", "region"), "I": Column("I", label="col.Ii_bv"),
            "lag": Column("lag", label="col.lag_bv"), "quadrant": Column("quadrant", "code", codes="quadrant"),
            "cluster": Column("cluster", "code", codes="quadrant")}),
            "spatial", order=8, long=True, significant="cluster"),
        Methods("methods_moran_bv", "methods.moran_bv.heading", (
            ("methods.moran_bv.text", {"pair": f"@methods.moran_bv.lag_{lagged}", "permutations": perms,
                                       "seed": seed, "alpha": alpha, "correction": f"@value.{corr or 'none'}"}),),
            _FORMULAS, order=3.5),
    ]
    params = {"bivariate_variables": names, "bivariate_lagged": f"lag_{lagged}",
              "bivariate_correction": corr or "none", "conventions": ["moran_bv"]}
    return out, params


FAMILY = Family("bivariate", items, order=34, default=False,
                help="bivariate Moran's I (global and local) between the score and sub-indices or covariates",
                options={
    "variables": Option([], "variables related to the score: sub-indices of the index (columns of the scores "
                        "table) or columns of the covariates; default the sub-indices of the first level, else "
                        "every covariate", list),
    "lagged": Option("variable", "which variable is the neighbours' (the spatial lag): variable (a region's score "
                     "against its neighbours' variable) or score", str, ("variable", "score")),
    "correction": Option("none", "multiple-testing correction of the local p-values, per year: none, fdr "
                         "(Benjamini–Hochberg) or bonferroni", str, ("none", "fdr", "bonferroni")),
})
