"""Standard deviational ellipse and the migration of the score-weighted centre (table, map, methods).

Runs by default when the regions' positions are known: Chinese provinces, prefecture-level cities or
counties (the regions have GB/T 2260 codes, or their ids name such units: their representative
points, option ``points``), or
coordinates given by the user (option ``coordinates``: a CSV file with ``region`` and ``lon, lat`` in
degrees or ``x, y`` in metres; or ``extras["coordinates"]``, a file or DataFrame, from the API).
Otherwise it produces nothing and records ``ellipse_skipped = "no_coordinates"`` in the parameters.

Longitude/latitude points are projected to the Albers equal-area conic for China
(:data:`~nqpf.spatial.weights.ALBERS_CHINA_KM`, km); x/y points are used as given (metres → km). The
kernel is :func:`nqpf.spatial.ellipse.standard_ellipse` (formulas, conventions and the equality with
pointpats are in its module docstring); option ``correction`` (``arcgis`` √2 by default,
``crimestat``, ``none``).
"""
from __future__ import annotations

import pandas as pd

from ..errors import UnknownRegionError
from ..results import Column, Figure, Methods, Table
from ..spatial.ellipse import CORRECTIONS, standard_ellipse, to_plane_km
from ..spatial.weights import ALBERS_CHINA_KM, POINT_KINDS, read_coordinates, region_coordinates
from ._common import NO_TITLE, PATH, Context, Family, Option, describe, map_cost

__all__ = ["FAMILY", "items", "ellipse_points"]

#: Formulas of the methods text (language-neutral markup).
_FORMULAS = (
    "!{X} = Σ_{i} w_{i} x_{i} / Σ_{i} w_{i},  !{Y} = Σ_{i} w_{i} y_{i} / Σ_{i} w_{i}",
    "tan 2φ = 2 Σ_{i} w_{i} !{x}_{i} !{y}_{i} / (Σ_{i} w_{i} !{x}_{i}^{2} − Σ_{i} w_{i} !{y}_{i}^{2}),  "
    "θ = 90° − φ  (!{x}_{i} = x_{i} − !{X}, !{y}_{i} = y_{i} − !{Y})",
    "σ_{y}, σ_{x} = c · √[ (s_{xx} + s_{yy}) / 2 ± √( ((s_{xx} − s_{yy}) / 2)^{2} + s_{xy}^{2} ) ],  "
    "s_{xx} = Σ_{i} w_{i} !{x}_{i}^{2} / Σ_{i} w_{i}",
    "A = π σ_{x} σ_{y}",
)
_DISPLAY = ("year", "lon", "lat", "sd_x", "sd_y", "rotation", "area_km2", "shift_km", "bearing", "direction")
_DISPLAY_PLANE = ("year", "x", "y", "sd_x", "sd_y", "rotation", "area_km2", "shift_km", "bearing", "direction")


def ellipse_points(ctx: Context) -> tuple[pd.DataFrame | None, dict]:
    """The regions' points for the ellipse and how they were chosen (parameters), or ``(None, {...})``.

    Order of precedence: ``extras["coordinates"]`` (API), the option ``ellipse.coordinates`` (a CSV
    file), the representative points of Chinese units (option ``ellipse.points``) when every region
    has a GB/T code or its id names a Chinese province, city or county
    (:func:`nqpf.regions.normalize_admin_many`).
    """
    ids = list(ctx.Y.index)
    given = ctx.extras.get("coordinates")
    path = ctx.opt("ellipse.coordinates") or None
    if given is not None or path:
        src = given if given is not None else path
        pts = read_coordinates(src, ids, what="ellipse coordinates")
        return pts, {"ellipse_points": "given", "ellipse_coordinates": pts.attrs.get("source", "")}
    how = ctx.opt("ellipse.points", "centroid")
    codes = ctx.regions.codes
    if codes and all(i in codes for i in ids):
        return region_coordinates(ids, how, codes, where="ellipse"), {"ellipse_points": how}
    try:  # ids that name Chinese units without codes given (weights other than china-provinces)
        return region_coordinates(ids, how, where="ellipse"), {"ellipse_points": how}
    except UnknownRegionError:
        return None, {"ellipse_skipped": "no_coordinates"}


def items(ctx: Context):
    pts, params = ellipse_points(ctx)
    if pts is None:
        return [], params
    corr = ctx.opt("ellipse.correction", "arcgis")
    ctx.step("standard deviational ellipse")
    geographic = "lon" in pts.columns
    if geographic:
        x, y = to_plane_km(pts["lon"], pts["lat"], ALBERS_CHINA_KM)
        plane = pd.DataFrame({"x": x, "y": y}, index=pts.index)
        crs, projection = ALBERS_CHINA_KM, "albers_china"
    else:
        plane = pts[["x", "y"]] / 1000.0
        crs, projection = None, "given"
    e = standard_ellipse(ctx.Y, plane, correction=corr, crs=crs)
    table = Table("ellipse", e, describe(e, {
        "n": Column("n", "int"), "direction": Column("direction", "code", codes="compass")}),
        "ellipse", order=0, display=_DISPLAY if geographic else _DISPLAY_PLANE)
    first, last = int(ctx.Y.columns[0]), int(ctx.Y.columns[-1])
    years = [int(v) for v in (ctx.opt("figure_years") or [first, last])]
    fig = Figure("ellipse_map", lambda res, lang: _draw(res, lang, plane, years, crs, corr), "ellipse",
                 "figure.ellipse_map", {"first": first, "last": last}, order=1,
                 cost=map_cost(len(ctx.Y)))
    how = params["ellipse_points"]
    methods = Methods("methods_ellipse", "methods.ellipse.heading", (
        ("methods.ellipse.text", {"points": f"@methods.ellipse.points.{how}",
                                  "projection": f"@methods.ellipse.projection.{projection}",
                                  "correction": f"@methods.ellipse.correction.{corr}",
                                  "shift": "@methods.ellipse.shift." + ("geodesic" if crs else "planar")}),),
        _FORMULAS, order=8)
    params.update(ellipse_correction=corr, ellipse_projection=projection, conventions=[f"ellipse.{corr}"])
    return [table, fig, methods], params


def _draw(res, lang, plane, years, crs, correction):
    from ..plot.ellipse import plot_ellipse_map

    return plot_ellipse_map(res.table("ellipse"), plane, years=years, lang=lang, crs=crs, correction=correction,
                            title=NO_TITLE)


FAMILY = Family("ellipse", items, order=34, default=True,
                help="standard deviational ellipse and the shift of the score-weighted centre (table, map)",
                options={
    "correction": Option("arcgis", "standard distances times √2 (arcgis, default), √2·√(n/(n−2)) (crimestat, "
                         "pointpats' default) or uncorrected (none)", str, CORRECTIONS),
    "points": Option("centroid", "position of a Chinese unit: centroid of its main polygon (equal-area, moved "
                     "inside when outside), surface (point on surface) or capital (provinces)", str, POINT_KINDS),
    "coordinates": Option("", "CSV file of the regions' coordinates (region and lon, lat in degrees, or x, y in "
                          "metres) instead of their boundaries", PATH),
})
