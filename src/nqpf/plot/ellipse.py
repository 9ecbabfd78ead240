"""Map of standard deviational ellipses and the path of the score-weighted centre.

Two panels. Left: the ellipses of the chosen years (first and last by default) and the path of the
centre over every year, with the regions' points, on the map of China of :mod:`nqpf.plot.maps`
(provinces drawn in a neutral grey, the South China Sea inset, north arrow, scale bar and projection
note; for any level of units: the ellipse of cities or counties is drawn over the province map).
Right: the path of the centre at its own scale, in km east and north of the first year's centre,
arrows from year to year and years labelled. Without a projection (the user's plane coordinates)
the left panel is a plain plane in km.

The figure reads the ``ellipse`` table (:func:`nqpf.spatial.ellipse.standard_ellipse`) and computes
no statistic; an ellipse is drawn from its centre, ``sd_x``, ``sd_y`` and ``rotation`` (major axis
clockwise from north).
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from nqpf.errors import InputError
from nqpf.i18n import t
from nqpf.plot.fonts import resolve_lang
from nqpf.plot.style import LINE_COLORS, freeze_layout, new_figure, style_context

__all__ = ["plot_ellipse_map", "ellipse_outline"]

_BASE_FILL = "#ECECEC"
_PATH_COLOR = "0.15"
#: Points and ellipses spanning less than this share of the national frame (both ways) get a map of
#: their own region instead.
_ZOOM = 0.4
#: Size of the figure (inches): small enough that its words stay legible at the width of a report
#: column (about 6.3 in in Word, 1000 px in HTML), the map panel keeping the layout of the other maps.
_FIGSIZE = (8.4, 4.9)


def ellipse_outline(x: float, y: float, sd_x: float, sd_y: float, rotation: float, m: int = 181) -> np.ndarray:
    """``m`` points (closed) of the ellipse centred at ``(x, y)`` with semi-axes ``sd_y`` along the
    bearing ``rotation`` (degrees clockwise from north) and ``sd_x`` across it; NaN rotation (a
    circle) is drawn as 0."""
    th = np.radians(0.0 if not np.isfinite(rotation) else rotation)
    u = np.array([np.sin(th), np.cos(th)])        # major axis (east, north components)
    v = np.array([np.cos(th), -np.sin(th)])       # minor axis, 90° clockwise from it
    s = np.linspace(0.0, 2.0 * np.pi, m)
    return np.array([x, y]) + np.outer(sd_y * np.cos(s), u) + np.outer(sd_x * np.sin(s), v)


def _to_map(crs: str | None, albers: bool):
    """A function plane (km) → map coordinates: the map's Albers metres (or lon/lat) via lon/lat."""
    if crs is None:
        return lambda xy: np.asarray(xy, dtype=float)
    from pyproj import Transformer

    from nqpf.plot.maps import ALBERS_CHINA

    inv = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    fwd = Transformer.from_crs("EPSG:4326", ALBERS_CHINA, always_xy=True) if albers else None

    def f(xy):
        xy = np.asarray(xy, dtype=float).reshape(-1, 2)
        lon, lat = inv.transform(xy[:, 0], xy[:, 1])
        if fwd is None:
            return np.column_stack([lon, lat])
        return np.column_stack(fwd.transform(lon, lat))

    return f


def _colors(years: Sequence[int]) -> dict:
    return {y: LINE_COLORS[k % len(LINE_COLORS)] for k, y in enumerate(years)}


def _draw_ellipses(ax, e: pd.DataFrame, years, colors, to_map, points, *, lw=1.4, path_lw=0.9):
    """Points, ellipses of ``years`` and the centre's path on ``ax`` (map coordinates by ``to_map``)."""
    from matplotlib.patches import Polygon

    if points is not None and len(points):
        p = to_map(points[["x", "y"]].to_numpy(dtype=float))
        size = 7.0 if len(p) <= 60 else (2.5 if len(p) <= 500 else 0.8)
        ax.scatter(p[:, 0], p[:, 1], s=size, color="0.45", alpha=0.7, linewidths=0, zorder=4, gid="ellipse_points")
    rows = e.set_index("year")
    for y in years:
        r = rows.loc[y]
        if not np.isfinite(r["sd_y"]):
            continue
        xy = to_map(ellipse_outline(r["x"], r["y"], r["sd_x"], r["sd_y"], r["rotation"]))
        ax.add_patch(Polygon(xy, closed=True, facecolor=colors[y], alpha=0.10, edgecolor="none", zorder=5))
        ax.add_patch(Polygon(xy, closed=True, facecolor="none", edgecolor=colors[y], lw=lw, zorder=6,
                             gid=f"ellipse_{y}"))
    ok = np.isfinite(e["x"].to_numpy(dtype=float))
    c = to_map(e.loc[ok, ["x", "y"]].to_numpy(dtype=float))
    ax.plot(c[:, 0], c[:, 1], color=_PATH_COLOR, lw=path_lw, zorder=7, gid="centre_path")
    for y in years:
        r = rows.loc[y]
        if np.isfinite(r["x"]):
            cx, cy = to_map(np.array([[r["x"], r["y"]]]))[0]
            ax.plot([cx], [cy], marker="o", ms=4.5, color=colors[y], mec="white", mew=0.6, zorder=8)


def _offsets(d: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Centres in km east and north of the first one: in the azimuthal equidistant projection centred
    on it when the table has longitudes and latitudes (distances and bearings from the first centre
    true, as the table's geodesic ``shift_km``/``bearing``), else in the plane."""
    if {"lon", "lat"} <= set(d.columns) and np.isfinite(d[["lon", "lat"]].to_numpy(dtype=float)).all():
        from pyproj import Transformer

        lon0, lat0 = float(d["lon"].iloc[0]), float(d["lat"].iloc[0])
        aeqd = f"+proj=aeqd +lat_0={lat0!r} +lon_0={lon0!r} +ellps=WGS84 +units=km +no_defs"
        dx, dy = Transformer.from_crs("EPSG:4326", aeqd, always_xy=True).transform(
            d["lon"].to_numpy(dtype=float), d["lat"].to_numpy(dtype=float))
        return np.asarray(dx, dtype=float), np.asarray(dy, dtype=float)
    x, y = d["x"].to_numpy(dtype=float), d["y"].to_numpy(dtype=float)
    return x - x[0], y - y[0]


def _extent(e: pd.DataFrame, years, points, to_map) -> tuple[float, float, float, float]:
    """(x0, x1, y0, y1) in map coordinates of the points and the ellipses of ``years``."""
    rows = e.set_index("year")
    parts = [to_map(points[["x", "y"]].to_numpy(dtype=float))] if points is not None and len(points) else []
    for y in years:
        r = rows.loc[y]
        if np.isfinite(r["sd_y"]):
            parts.append(to_map(ellipse_outline(r["x"], r["y"], r["sd_x"], r["sd_y"], r["rotation"], m=73)))
    xy = np.concatenate(parts) if parts else np.zeros((1, 2))
    xy = xy[np.isfinite(xy).all(axis=1)]
    return float(xy[:, 0].min()), float(xy[:, 0].max()), float(xy[:, 1].min()), float(xy[:, 1].max())


def _round_km(target: float) -> float:
    """The largest 1, 2 or 5 × 10^n not above ``target`` (km)."""
    mag = 10.0 ** np.floor(np.log10(target))
    return next(f * mag for f in (5, 2, 1) if f * mag <= target)


def _regional_base(geo, box, lang, title, handles, legend_title):
    """A map of the provinces around ``box`` (map coordinates), for points within a part of China: the
    national frame (with its South China Sea inset) would show the ellipses as specks. North arrow and
    a scale bar true at the window's central latitude (Albers parallel scale factor)."""
    from matplotlib.collections import LineCollection, PathCollection
    from matplotlib.patches import FancyArrow, Rectangle

    from nqpf.plot.maps import ALBERS_CHINA

    fig = new_figure(lang, _FIGSIZE)
    ax = fig.add_subplot(1, 1, 1)
    coll = PathCollection(geo["paths_main"], facecolors=_BASE_FILL, edgecolors="white", linewidths=0.8, zorder=2)
    coll.set_transform(ax.transData)
    coll.set_gid("provinces")
    ax.add_collection(coll, autolim=False)
    if geo["outline_main"]:
        ax.add_collection(LineCollection(geo["outline_main"], colors="0.25", linewidths=0.6, zorder=3),
                          autolim=False)
    x0, x1, y0, y1 = box
    pad = 0.12 * max(x1 - x0, y1 - y0)
    x0, x1, y0, y1 = x0 - pad, x1 + pad, y0 - pad, y1 + pad
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal", adjustable="box")
    ax.set_axis_off()
    w, h = x1 - x0, y1 - y0
    # north arrow (the y axis points north on the central meridian, within a few degrees elsewhere)
    ax.add_patch(FancyArrow(x0 + 0.05 * w, y1 - 0.16 * h, 0, 0.08 * h, width=0.006 * w, head_width=0.03 * w,
                            head_length=0.03 * h, length_includes_head=True, color="0.15", zorder=6,
                            gid="north_arrow"))
    ax.text(x0 + 0.05 * w, y1 - 0.075 * h, t("plot.north", lang), ha="center", va="bottom", fontsize=9,
            fontweight="bold", zorder=6)
    lat = 36.0
    unit = 1000.0
    if geo["albers"]:
        from pyproj import Proj, Transformer

        lon, lat = Transformer.from_crs(ALBERS_CHINA, "EPSG:4326", always_xy=True).transform(
            0.5 * (x0 + x1), 0.5 * (y0 + y1))
        unit = 1000.0 * float(Proj(ALBERS_CHINA).get_factors(105.0, lat).parallel_scale)
    else:
        unit = 1.0 / (111.32 * np.cos(np.radians(lat)))
    L = _round_km(0.2 * w / unit)
    bx, by, bh = x0 + 0.03 * w, y1 - 0.24 * h, 0.008 * h
    for i in range(4):
        ax.add_patch(Rectangle((bx + i * L * unit / 4, by), L * unit / 4, bh, facecolor="0.15" if i % 2 == 0
                               else "white", edgecolor="0.15", lw=0.5, zorder=6, gid="scale_bar" if i == 0 else None))
    for frac, lab in ((0.0, "0"), (0.5, f"{L / 2:g}"), (1.0, f"{L:g}")):
        ax.text(bx + frac * L * unit, by - 0.6 * bh, lab, ha="center", va="top", fontsize=6.5, zorder=6)
    ax.text(bx + L * unit + 0.04 * w, by - 0.6 * bh, t("plot.km", lang), ha="left", va="top", fontsize=6.5,
            zorder=6)
    ax.nqpf_scale = {"km": L, "map_units": L * unit, "lat": float(lat)}
    if geo["albers"]:
        ax.text(0.0, -0.01, t("plot.map_projection", lang, lat=f"{round(float(lat)):g}"), transform=ax.transAxes,
                ha="left", va="top", fontsize=5.5, color="0.35", gid="projection_note")
    ax.legend(handles=handles, title=legend_title, loc="lower left", fontsize=7.5, title_fontsize=7.5,
              frameon=True, framealpha=0.85, edgecolor="none", alignment="left")
    if title:
        ax.set_title(title, fontsize=11)
    return fig, ax


def _path_panel(ax, e: pd.DataFrame, years, colors, lang):
    """The centre's yearly path in km east/north of the first year's centre (:func:`_offsets`)."""
    ok = np.isfinite(e["x"].to_numpy(dtype=float))
    d = e.loc[ok]
    if d.empty:
        ax.set_axis_off()
        return [], np.empty(0), np.empty(0)
    dx, dy = _offsets(d)
    yrs = d["year"].astype(int).tolist()
    ax.axhline(0, color="0.85", lw=0.6, zorder=1)
    ax.axvline(0, color="0.85", lw=0.6, zorder=1)
    for k in range(len(dx) - 1):
        if dx[k] != dx[k + 1] or dy[k] != dy[k + 1]:
            ax.annotate("", xy=(dx[k + 1], dy[k + 1]), xytext=(dx[k], dy[k]),
                        arrowprops=dict(arrowstyle="-|>", color=_PATH_COLOR, lw=0.8, mutation_scale=7,
                                        shrinkA=2.5, shrinkB=2.5), zorder=3)
    cols = [colors.get(y, "0.55") for y in yrs]
    sizes = [28 if y in colors else 10 for y in yrs]
    ax.scatter(dx, dy, s=sizes, c=cols, edgecolors="white", linewidths=0.5, zorder=4, gid="centres")
    if max(np.ptp(dx), np.ptp(dy)) < 1e-9:  # the centre never moves: a window of ±1 km
        ax.plot([-1, 1], [-1, 1], alpha=0)
    ax.margins(x=0.28, y=0.12)  # room for the year labels
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_xlabel(t("plot.ellipse_east", lang))
    ax.set_ylabel(t("plot.ellipse_north", lang))
    ax.set_title(t("plot.ellipse_path_title", lang, first=yrs[0]), fontsize=9)
    return yrs, dx, dy


def plot_ellipse_map(ellipse: pd.DataFrame, points: pd.DataFrame | None = None, *, years=None,
                     lang: str = "zh", crs: str | None = None, correction: str = "arcgis",
                     title: str | None = None):
    """Standard deviational ellipses of some years and the path of the centre, on a map of China.

    Parameters
    ----------
    ellipse : DataFrame
        The ``ellipse`` table: ``year, x, y, sd_x, sd_y, rotation`` (km in the plane of ``crs``).
    points : DataFrame, optional
        The regions' points in the same plane (columns ``x, y``, km), drawn as dots.
    years : sequence of int, optional
        Years whose ellipses are drawn (default the first and the last); the path uses every year.
    lang : {"zh", "en"}
    crs : str, optional
        Projection of the plane (e.g. :data:`~nqpf.spatial.weights.ALBERS_CHINA_KM`): the ellipses
        are drawn on the map of China. ``None``: a plain plane in km.
    correction : str
        The correction of the standard distances, named in the legend title (``value.<correction>``).
    title : str, optional
        Default ``plot.fig_ellipse`` with the first and last year; ``""`` for none.

    Returns
    -------
    matplotlib.figure.Figure
        Ellipses have gid ``ellipse_<year>``, the path ``centre_path``; the figure's ``nqpf_panels``
        holds ``(map axes, path axes)``.
    """
    from matplotlib.lines import Line2D

    need = {"year", "x", "y", "sd_x", "sd_y", "rotation"}
    if not isinstance(ellipse, pd.DataFrame) or not need <= set(ellipse.columns):
        raise InputError(f"ellipse must be the ellipse table with columns {sorted(need)}")
    if ellipse.empty:
        raise InputError("the ellipse table is empty: nothing to draw")
    lang = resolve_lang(lang)
    e = ellipse.copy()
    e["year"] = e["year"].astype(int)
    all_years = e["year"].tolist()
    years = [int(y) for y in (years or [all_years[0], all_years[-1]])]
    unknown = [y for y in years if y not in all_years]
    if unknown:
        raise InputError(f"years {unknown} are not in the ellipse table ({all_years[0]}–{all_years[-1]})")
    colors = _colors(years)
    if title is None:
        title = t("plot.fig_ellipse", lang, first=all_years[0], last=all_years[-1])
    handles = [Line2D([], [], color=colors[y], lw=1.4, label=t("plot.ellipse_year", lang, year=y)) for y in years]
    handles.append(Line2D([], [], color=_PATH_COLOR, lw=0.9, label=t("plot.ellipse_path", lang)))
    if points is not None:
        handles.append(Line2D([], [], color="0.45", ls="none", marker="o", ms=3, label=t("plot.ellipse_points", lang)))
    legend_title = t("plot.ellipse_legend", lang, correction=t(f"value.{correction}", lang))
    with style_context(lang):
        if crs is not None:
            from nqpf.plot import maps

            geo = maps.map_geometry("province")
            albers = bool(geo["albers"])
            to_map = _to_map(crs, albers)
            box = _extent(e, years, points, to_map)
            x0, x1, y0, y1 = geo["main_extent"]
            if box[1] - box[0] < _ZOOM * (x1 - x0) and box[3] - box[2] < _ZOOM * (y1 - y0):
                fig, ax = _regional_base(geo, box, lang, title, handles, legend_title)
            else:
                fig = maps.plot_basemap({c: _BASE_FILL for c in maps.PROVINCE_CODES}, lang, title,
                                        legend_handles=handles, legend_title=legend_title, level="province",
                                        figsize=_FIGSIZE)
                ax = fig.axes[0]
        else:
            fig = new_figure(lang, _FIGSIZE)
            ax = fig.add_subplot(1, 1, 1)
            ax.set_aspect("equal", adjustable="datalim")
            ax.set_xlabel(t("plot.ellipse_x", lang))
            ax.set_ylabel(t("plot.ellipse_y", lang))
            ax.legend(handles=handles, title=legend_title, loc="best", fontsize=7.5, title_fontsize=7.5)
            if title:
                ax.set_title(title, fontsize=11)
        gs = fig.add_gridspec(1, 2, width_ratios=[2.55, 1.0])
        ax.set_subplotspec(gs[0])
        side = fig.add_subplot(gs[1])
        if crs is None:
            to_map = _to_map(None, False)
        _draw_ellipses(ax, e, years, colors, to_map, points)
        if crs is None:
            ax.autoscale_view()
        yrs, dx, dy = _path_panel(side, e, years, colors, lang)
        renderer = freeze_layout(fig)
        if len(yrs):
            from nqpf.plot._placement import place_labels

            show = [k for k, y in enumerate(yrs) if len(yrs) <= 12 or y in colors or k % max(1, len(yrs) // 6) == 0]
            # labels keep clear of the arrows too: points along each step of the path are obstacles
            f = np.array([0.3, 0.5, 0.7])
            seg = np.column_stack([(dx[:-1, None] + f * (dx[1:, None] - dx[:-1, None])).ravel(),
                                   (dy[:-1, None] + f * (dy[1:, None] - dy[:-1, None])).ravel()])
            place_labels(side, dx[show], dy[show], [str(yrs[k]) for k in show], renderer=renderer, fontsize=6.5,
                         priority=[1 if yrs[k] in colors else 0 for k in show],
                         obstacles=seg if len(seg) else None)
    fig.nqpf_panels = (ax, side)
    return fig
