"""Spatial autocorrelation: global Moran's I (the paper's Table 3), local Moran's I and the quadrants
(Figure 2), quadrant transitions, maps of scores and LISA clusters.

Option ``local_correction`` (``none`` by default, ``fdr`` Benjamini–Hochberg, ``bonferroni``): the
local Moran p-values of each year are adjusted over that year's regions
(:func:`nqpf.spatial.multiple.adjust_p`) before the comparison with ``alpha`` that makes a region a
``cluster``; the table's ``p_sim`` stays unadjusted. Hot and cold spots (Getis–Ord G_i*) are the
family :mod:`nqpf.analyses.hotspots`."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .. import spatial as _sp
from ..results import Column, Figure, Table
from ..spatial.multiple import adjust_p
from ._common import NO_TITLE, Context, Family, Option, describe, figure_years, map_codes, map_cost
from .evolution import names

__all__ = ["FAMILY", "items", "corrected_clusters"]

_GLOBAL_DISPLAY = ("year", "I", "EI", "z_norm", "p_norm", "z_rand", "p_rand", "p_sim", "n_islands")
_Q = dict(codes="quadrant")


def items(ctx: Context):
    Y, w = ctx.Y, ctx.w
    perms, seed = ctx.opt("permutations", 999), ctx.opt("seed", 12345)
    alternative, alpha = ctx.opt("alternative", "greater"), ctx.opt("alpha", 0.05)
    codes = map_codes(ctx)   # first: a panel that cannot be mapped is said before the permutations run
    ctx.step("global Moran's I")
    mg = _sp.moran_global(Y, w, permutations=perms, seed=seed, alternative=alternative)
    ctx.step("local Moran's I")
    ml = _sp.moran_local(Y, w, permutations=perms, seed=seed, alpha=alpha)
    corr = ctx.opt("spatial.local_correction", "none")
    corr = None if corr in (None, "none") else corr
    if corr:
        ml = corrected_clusters(ml, corr, alpha)
    first, last = int(Y.columns[0]), int(Y.columns[-1])
    qt = _sp.quadrant_transitions(ml, first, last)
    out = [
        Table("moran_global", mg, describe(mg), "spatial", order=0, display=_GLOBAL_DISPLAY),
        Table("moran_local", ml, describe(ml, {
            "quadrant": Column("quadrant", "code", **_Q),
            "cluster": Column("cluster", "code", codes="quadrant")}),
            "spatial", order=3, long=True, significant="cluster"),
        Table("quadrant_transitions", qt, describe(qt, {
            c: Column(c, "code", **_Q) for c in ("quadrant_first", "quadrant_last", "cluster_first",
                                                  "cluster_last")}),
            "spatial", order=5),
    ]
    years = figure_years(ctx)
    out.append(Figure("fig2_moran_scatter", lambda res, lang: _draw_scatter(res, lang, years[:4]), "spatial",
                      "figure.moran_scatter", order=2, cost=2.0 + len(ctx.Y) / 500))
    if codes:
        for n, y in enumerate(years):
            out.append(Figure(f"map_{y}", lambda res, lang, y=y: _draw_map(res, lang, y, codes, years), "spatial",
                              "figure.map", {"year": y}, order=2.1 + n / 100, cost=map_cost(len(codes))))
            out.append(Figure(f"lisa_map_{y}", lambda res, lang, y=y: _draw_lisa(res, lang, y, codes, None if corr else alpha),
                              "spatial", "figure.lisa_map", {"year": y}, order=4 + n / 100,
                              cost=map_cost(len(codes))))
    params = {
        "permutations": perms, "seed": seed, "alternative": alternative, "alpha": alpha,
        "local_alternative": "two-sided", "transform": "r", "local_correction": corr or "none",
        "conventions": [f"moran_p.{alternative}", "local_moran"],
    }
    if corr:
        params["conventions"].append(f"local_correction.{corr}")
    return out, params


def corrected_clusters(local: pd.DataFrame, correction: str, alpha: float) -> pd.DataFrame:
    """The local Moran table (:func:`~nqpf.spatial.moran_local`, regions × years in its row order) with
    ``cluster`` decided by the p-values adjusted per year (``correction``: ``"fdr"``
    Benjamini–Hochberg or ``"bonferroni"``, over the regions with a p-value that year): the quadrant
    where the adjusted ``p_sim`` is at most ``alpha``, else ``""``. ``p_sim`` stays unadjusted."""
    T = local["year"].nunique()
    n = len(local) // T
    q = adjust_p(local["p_sim"].to_numpy(dtype=float).reshape(T, n).T, correction).T.ravel()
    out = local.copy()
    out["cluster"] = np.where(q <= alpha, out["quadrant"].to_numpy(), "").astype(object)
    out.attrs.update(local.attrs, correction=correction)
    return out


def _draw_scatter(res, lang, years):
    from .. import plot

    mg = res.table("moran_global")
    I = dict(zip(mg["year"].astype(int), mg["I"]))
    return plot.plot_moran_scatter(res.table("moran_local"), list(years), names=names(res, lang), I=I, title=NO_TITLE,
                                   lang=lang)


def _draw_map(res, lang, year, codes, years=None):
    """The score map of ``year``, classed by natural breaks common to every mapped year (``years``:
    Fisher–Jenks on their scores pooled), so that a colour means the same scores on every map."""
    from .. import plot

    vals = pd.Series({codes[r]: res.Y.loc[r, year] for r in res.Y.index})
    years = [y for y in (years or [year]) if y in res.Y.columns]
    common = None
    if len(years) > 1:
        common = (res.Y[years].to_numpy(dtype=float).ravel(), years)
    return plot.plot_choropleth(vals, lang=lang, title=str(year), common=common)


def untested_codes(res, codes) -> list[str]:
    """Map codes of the regions without neighbours (``res.params["islands"]``, in the user's spelling of
    the region ids): their local statistics were not computed, so the LISA and hot-spot maps give them
    their own class instead of "not significant"."""
    by_label = {str(res.regions.label(r)): r for r in codes}
    out = []
    for lab in res.params.get("islands") or ():
        r = by_label.get(str(lab), lab)
        if r in codes:
            out.append(codes[r])
    return out


def _draw_lisa(res, lang, year, codes, alpha=None):
    from .. import plot

    local = res.table("moran_local")
    one = local[local["year"] == year].copy()
    one["code"] = one["region"].map(codes)
    return plot.plot_lisa_map(one.set_index("code"), lang=lang, title=str(year), alpha=alpha,
                              untested=untested_codes(res, codes))


FAMILY = Family("spatial", items, order=30, help="global and local Moran's I, quadrants, maps", options={
    "local_correction": Option("none", "multiple-testing correction of the local Moran p-values deciding the "
                               "clusters, per year: none, fdr (Benjamini–Hochberg) or bonferroni", str,
                               ("none", "fdr", "bonferroni")),
})
