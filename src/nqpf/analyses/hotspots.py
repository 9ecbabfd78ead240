"""Hot and cold spots: local Getis–Ord G_i* of every region and year (table, maps, methods text).

Runs by default (``--skip hotspots`` or ``analyses=`` leave it out). Options: ``correction``
(``none``, ``fdr`` Benjamini–Hochberg, ``bonferroni``; per year), ``transform`` (``r``
row-standardised as esda and GeoDa, ``b`` binary as ArcGIS's hot spot analysis) and ``star``
(G_i*, the region itself included, or G_i). The common options ``permutations`` and ``seed`` set
the pseudo p-values; the classes are 99/95/90 % (see :mod:`nqpf.spatial.getis_ord`).
"""
from __future__ import annotations

from ..results import Column, Figure, Methods, Table
from ..spatial import getis_ord_local
from ._common import Context, Family, Option, describe, figure_years, map_codes, map_cost

__all__ = ["FAMILY", "items"]

#: Formulas of the methods text (language-neutral markup).
_FORMULAS = (
    "G_{i}^{*} = Σ_{j} w_{ij} x_{j} / Σ_{j} x_{j}",
    "z_{i} = (Σ_{j} w_{ij} x_{j} − !{x} · Σ_{j} w_{ij}) / (S · √[ (n · Σ_{j} w_{ij}^{2} − (Σ_{j} w_{ij})^{2}) / (n − 1) ])",
)


def hotspot_table(go) -> Table:
    """The ``getis_ord`` table of :func:`~nqpf.spatial.getis_ord_local`'s output as it is: ``spot`` in
    :data:`~nqpf.spatial.getis_ord.SPOTS`, ``"ns"`` where not significant (the one convention of the
    tables, the CSV files and the maps; the long reports list the significant rows only, see
    :func:`nqpf.spatial.multiple.is_significant`)."""
    return Table("getis_ord", go, describe(go, {
        "G": Column("G", label="col.Gi"), "z": Column("z", label="col.Gi_z"),
        "spot": Column("spot", "code", codes="spot")}), "hotspots", order=0, long=True, significant="spot")


def items(ctx: Context):
    perms, seed = ctx.opt("permutations", 999), ctx.opt("seed", 12345)
    star, tr = ctx.opt("hotspots.star", True), ctx.opt("hotspots.transform", "r")
    corr = ctx.opt("hotspots.correction", "none")
    corr = None if corr in (None, "none") else corr
    ctx.step("local Getis-Ord Gi*")
    go = getis_ord_local(ctx.Y, ctx.w, star=star, transform=tr, permutations=perms, seed=seed,
                         correction=corr)
    out = [hotspot_table(go)]
    codes = map_codes(ctx)
    if codes:
        for n, y in enumerate(figure_years(ctx)):
            out.append(Figure(f"hotspot_map_{y}", lambda res, lang, y=y: _draw_hotspots(res, lang, y, codes),
                              "hotspots", "figure.hotspot_map", {"year": y}, order=1 + n / 100,
                              cost=map_cost(len(codes))))
    out.append(Methods("methods_getis_ord", "methods.getis_ord.heading", (
        ("methods.getis_ord.text", {"star": "@methods.getis_ord.star" if star else "@methods.getis_ord.nostar",
                                    "transform": f"@methods.transform.{tr}",
                                    "correction": f"@value.{corr or 'none'}",
                                    "permutations": perms, "seed": seed}),),
        _FORMULAS, order=3))
    params = {"getis_ord_star": bool(star), "getis_ord_transform": tr, "getis_ord_correction": corr or "none",
              "conventions": ["getis_ord"]}
    return out, params


def _draw_hotspots(res, lang, year, codes):
    from .. import plot
    from .spatial import untested_codes

    gi = res.table("getis_ord")
    one = gi[gi["year"] == year].copy()
    one["code"] = one["region"].map(codes)
    return plot.plot_lisa_map(one.set_index("code"), lang=lang, title=str(year), classes="spot",
                              untested=untested_codes(res, codes))


FAMILY = Family("hotspots", items, order=32, default=True,
                help="local Getis–Ord G_i* hot and cold spots at 90/95/99 % (table and maps)", options={
    "correction": Option("none", "multiple-testing correction of the G_i* p-values, per year: none, fdr "
                         "(Benjamini–Hochberg) or bonferroni", str, ("none", "fdr", "bonferroni")),
    "transform": Option("r", "weights of G_i*: r (row-standardised, as esda and GeoDa) or b (binary, as "
                        "ArcGIS's hot spot analysis)", str, ("r", "b")),
    "star": Option(True, "G_i* (the region itself included) rather than G_i", bool),
})
