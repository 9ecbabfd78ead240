"""Spatial autocorrelation: global Moran's I (the paper's Table 3), local Moran's I and the quadrants
(Figure 2), quadrant transitions, maps of scores and LISA clusters; with the option ``hotspots``, local
Getis–Ord G_i* hot and cold spots (table and maps)."""
from __future__ import annotations

import pandas as pd

from .. import spatial as _sp
from ..results import Column, Figure, Methods, Table
from ._common import Context, describe
from .evolution import names

__all__ = ["items"]

_GLOBAL_DISPLAY = ("year", "I", "EI", "z_norm", "p_norm", "z_rand", "p_rand", "p_sim", "n_islands")
_Q = dict(codes="quadrant")


def items(ctx: Context):
    Y, w = ctx.Y, ctx.w
    perms, seed = ctx.opt("permutations", 999), ctx.opt("seed", 12345)
    alternative, alpha = ctx.opt("alternative", "greater"), ctx.opt("alpha", 0.05)
    ctx.step("global Moran's I")
    mg = _sp.moran_global(Y, w, permutations=perms, seed=seed, alternative=alternative)
    ctx.step("local Moran's I")
    ml = _sp.moran_local(Y, w, permutations=perms, seed=seed, alpha=alpha)
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
    years = list(ctx.opt("figure_years") or [first, last])
    out.append(Figure("fig2_moran_scatter", lambda res, lang: _draw_scatter(res, lang, years[:4]), "spatial",
                      "figure.moran_scatter", order=2))
    if ctx.regions.is_provinces:
        for n, y in enumerate(years):
            out.append(Figure(f"map_{y}", lambda res, lang, y=y: _draw_map(res, lang, y), "spatial",
                              "figure.map", {"year": y}, order=2.1 + n / 100))
            out.append(Figure(f"lisa_map_{y}", lambda res, lang, y=y: _draw_lisa(res, lang, y), "spatial",
                              "figure.lisa_map", {"year": y}, order=4 + n / 100))
    params = {
        "permutations": perms, "seed": seed, "alternative": alternative, "alpha": alpha,
        "local_alternative": "two-sided", "transform": "r",
        "conventions": [f"moran_p.{alternative}", "local_moran"],
    }
    if ctx.opt("hotspots"):
        out += _hotspot_items(ctx, years, perms, seed, params)
    return out, params


def _hotspot_items(ctx: Context, years, perms, seed, params) -> list:
    """Local Getis–Ord G_i* table (``spot`` empty where not significant, as ``cluster`` of the local
    Moran table) and, for provinces, a hot-spot map per figure year; records the parameters."""
    star, tr = ctx.opt("hotspot_star", True), ctx.opt("hotspot_transform", "r")
    corr = ctx.opt("hotspot_correction")
    ctx.step("local Getis-Ord Gi*")
    go = _sp.getis_ord_local(ctx.Y, ctx.w, star=star, transform=tr, permutations=perms, seed=seed,
                             correction=corr)
    go["spot"] = go["spot"].where(go["spot"] != "ns", "")
    out = [Table("getis_ord", go, describe(go, {
        "G": Column("G", label="col.Gi"), "z": Column("z", label="col.Gi_z"),
        "spot": Column("spot", "code", codes="spot")}), "spatial", order=6, long=True, significant="spot")]
    if ctx.regions.is_provinces:
        for n, y in enumerate(years):
            out.append(Figure(f"hotspot_map_{y}", lambda res, lang, y=y: _draw_hotspots(res, lang, y), "spatial",
                              "figure.hotspot_map", {"year": y}, order=6.1 + n / 100))
    out.append(Methods("methods_getis_ord", "methods.getis_ord.heading", (
        ("methods.getis_ord.text", {"star": "@methods.getis_ord.star" if star else "@methods.getis_ord.nostar",
                                    "transform": f"@methods.transform.{tr}",
                                    "correction": f"@value.{corr or 'none'}",
                                    "permutations": perms, "seed": seed}),),
        ("G_{i}^{*} = Σ_{j} w_{ij} x_{j} / Σ_{j} x_{j}",
         "z_{i} = (Σ_{j} w_{ij} x_{j} − !{x} · Σ_{j} w_{ij}) / (S · √[ (n · Σ_{j} w_{ij}^{2} − (Σ_{j} w_{ij})^{2}) / (n − 1) ])"),
        order=3))
    params.update(getis_ord_star=bool(star), getis_ord_transform=tr, getis_ord_correction=corr or "none")
    params["conventions"].append("getis_ord")
    return out


def _draw_scatter(res, lang, years):
    from .. import plot

    mg = res.table("moran_global")
    I = dict(zip(mg["year"].astype(int), mg["I"]))
    return plot.plot_moran_scatter(res.table("moran_local"), list(years), names=names(res, lang), I=I,
                                   lang=lang)


def _draw_map(res, lang, year):
    from .. import plot

    codes = res.regions.codes
    vals = pd.Series({codes[r]: res.Y.loc[r, year] for r in res.Y.index})
    return plot.plot_choropleth(vals, lang=lang, title=str(year))


def _draw_lisa(res, lang, year):
    from .. import plot

    local = res.table("moran_local")
    one = local[local["year"] == year].copy()
    one["code"] = one["region"].map(res.regions.codes)
    return plot.plot_lisa_map(one.set_index("code"), lang=lang, title=str(year))


def _draw_hotspots(res, lang, year):
    from .. import plot

    gi = res.table("getis_ord")
    one = gi[gi["year"] == year].copy()
    one["code"] = one["region"].map(res.regions.codes)
    return plot.plot_lisa_map(one.set_index("code"), lang=lang, title=str(year), classes="spot")
