"""Distance-based spatial weights: distance band, inverse distance and k nearest neighbours.

Points
------
Weights are built on one point per region:

* Chinese provinces, prefecture-level cities and counties: their representative points
  (:func:`~nqpf.spatial.weights.representative_points`; ``centroid`` by default: the centroid of the
  unit's main polygon in an equal-area projection, moved inside the unit when it falls outside;
  ``surface``: ``point_on_surface``; ``capital``: the provincial capital);
* any regions: coordinates the user gives (:func:`read_coordinates`), a CSV file with a ``region``
  column and either ``lon``/``lat`` (WGS 84 degrees) or ``x``/``y`` (projected coordinates in
  metres).

Distances
---------
Between longitude/latitude points: the great-circle distance on the sphere of mean Earth radius
:math:`R` = :data:`EARTH_RADIUS_KM` km (IUGG), :math:`d = 2R \\arcsin(c / 2R)` with :math:`c` the chord
between the two points on that sphere. Neighbours within a band are found with a k-d tree on the
3-D points (the chord grows with the arc), in :math:`O(n \\log n)` plus the number of pairs. These
are libpysal's arc distances (``DistanceBand(..., radius=R)``, ``KNN(..., radius=R)``). Between x/y
points: the Euclidean distance, coordinates in metres, distances reported in km. Nothing is
measured in a map projection (the cylindrical EPSG:6933 used before for ``knn`` stretches east–west
distances by 20–40 % in northern China).

Kinds (spellings of :func:`nqpf.spatial.weights.resolve`)
----------------------------------------------------------
``distance:D`` (``D`` with its unit, ``200km`` or ``200000m``)
    Binary distance band: :math:`w_{ij} = 1` when :math:`i \\ne j` and :math:`d_{ij} \\le D`
    (:func:`distance_band`). ``distance`` alone: the smallest band that leaves no region without a
    neighbour (the largest nearest-neighbour distance, GeoDa's default).
``idw:P`` or ``idw:P:D``
    Inverse distance: :math:`w_{ij} = d_{ij}^{-P}` (km) for every :math:`j \\ne i`, or only within the
    band ``D`` (:func:`inverse_distance`); ``idw`` alone is ``idw:1``. Without a band the weights
    are dense (:math:`n(n-1)` links: about 8 million for the 2,848 counties, some seconds and 1 GB).
``knn:K``
    :math:`w_{ij} = 1` for the ``K`` nearest regions (:func:`nearest_neighbours`); not symmetric.

Each takes the points after ``@``: ``@centroid`` (default), ``@surface``, ``@capital`` or a CSV
file, ``distance:200km@coords.csv``, ``idw:2:500km@capital``, ``knn:6@coords.csv`` (the file name as
written, relative to the working folder).

The weights are untransformed (binary, or :math:`d^{-P}` with :math:`d` in km). The statistics
row-standardise them (``transform="r"``, :func:`nqpf.spatial.moran_global`), after which the unit of
distance no longer matters, only the shape of the decay.

Islands
-------
A region with no other region within the band ``D`` is an island: listed in a ``UserWarning`` and in
``w.islands``. ``island="nearest"`` links each, symmetrically, to its nearest region (ties: the
earliest in the order of the ids), with weight 1 (band) or :math:`d^{-P}` (inverse distance); the
links are in ``w.island_links``. Linking is done once, against the regions as they were, so two
islands may be linked to each other. ``knn`` and dense ``idw`` have no islands.
"""
from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd

from nqpf.errors import InputError, UnknownRegionError

from ._boundaries import POINT_KINDS, representative_points
from ._labels import ISLAND_HINT, ISLAND_LINKED, MAX_LISTED, region_label, regions_listed

__all__ = [
    "EARTH_RADIUS_KM",
    "DISTANCE_KINDS",
    "PointsArg",
    "read_coordinates",
    "region_coordinates",
    "pair_distances",
    "distance_band",
    "inverse_distance",
    "nearest_neighbours",
    "with_points",
    "parse_band",
    "parse_idw",
    "build_band",
    "build_idw",
    "build_knn",
]

#: Mean Earth radius (IUGG, km): the sphere of great-circle distances.
EARTH_RADIUS_KM = 6371.0088
#: Kinds of weights built on points.
DISTANCE_KINDS = ("distance", "idw", "knn")
_MAX_LISTED = 20
_POINTS_HELP = ("add @centroid (default), @surface, @capital or @file.csv (columns region and lon/lat in "
                "degrees, or x/y in metres) after the argument to choose the points, e.g. "
                "distance:200km@coords.csv")


# ------------------------------------------------------------------------------------------ points
_ALIASES = {
    "region": ("region", "id", "code", "name", "地区", "区域", "代码"),
    "lon": ("lon", "lng", "long", "longitude", "经度"),
    "lat": ("lat", "latitude", "纬度"),
    "x": ("x",),
    "y": ("y",),
}


def _listed(items) -> str:
    items = list(items)
    shown = ", ".join(repr(x) for x in items[:_MAX_LISTED])
    return shown + (f" and {len(items) - _MAX_LISTED} more" if len(items) > _MAX_LISTED else "")


def _frame(source, what: str) -> pd.DataFrame:
    """The table of ``source`` (a CSV path or a DataFrame) with its region as a column."""
    if isinstance(source, pd.DataFrame):
        df = source.copy()
        if not any(str(c).strip().lower() in _ALIASES["region"] for c in df.columns):
            df = df.reset_index()
            df = df.rename(columns={df.columns[0]: "region"})
        return df
    if not isinstance(source, (str, Path)):
        raise InputError(f"{what}: expected a CSV file or a DataFrame, got {type(source).__name__}")
    path = Path(source)
    if not path.is_file():
        raise InputError(f"{what}: file {str(source)!r} not found (a CSV with columns region and lon/lat, "
                         "or x/y in metres)")
    import io

    from nqpf.io._cells import _decode

    text, _ = _decode(path, None)
    sep = "\t" if text[:5000].count("\t") > text[:5000].count(",") else ","
    try:
        return pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(f"{what}: cannot read {path.name} as a CSV table ({exc})") from None


def _column(df: pd.DataFrame, role: str):
    names = {str(c).strip().lower(): c for c in df.columns}
    return next((names[a] for a in _ALIASES[role] if a in names), None)


def read_coordinates(source, ids=None, *, what: str = "coordinates") -> pd.DataFrame:
    """Coordinates of regions given by the user.

    Parameters
    ----------
    source : str, path or DataFrame
        A CSV file (UTF-8, GB18030 or UTF-16; comma or tab separated) or a DataFrame with a region
        column (``region``, also ``id``, ``code``, ``name``; a DataFrame may hold the regions in its
        index instead) and either ``lon``/``lat`` (WGS 84 degrees; also ``lng``, ``longitude``,
        ``latitude``) or ``x``/``y`` (projected coordinates in metres). ``lon``/``lat`` win when
        both are present. Rows of regions not in ``ids`` are ignored.
    ids : sequence, optional
        Region ids of the data: the result is aligned to them, matched by their text, else (when
        both sides read as Chinese regions: names, codes, pinyin) by GB/T 2260 code.
    what : str
        What the coordinates are for, in messages.

    Returns
    -------
    DataFrame
        Index ``region`` (``ids`` when given, in their order), columns ``lon, lat`` or ``x, y``
        (floats); ``attrs["source"]`` the file name (or ``"DataFrame"``).

    Raises
    ------
    InputError
        Missing file or columns, values that are not numbers, longitudes or latitudes out of range,
        a region listed twice, or regions of ``ids`` without coordinates (listed).

    Warns
    -----
    UserWarning
        ``x``/``y`` that all look like degrees (they are taken as metres).
    """
    name = Path(source).name if isinstance(source, (str, Path)) else "DataFrame"
    where = f"{what} {name!r}" if name != "DataFrame" else what
    df = _frame(source, where)
    rcol = _column(df, "region")
    if rcol is None:
        raise InputError(f"{where}: no region column; name it 'region' (then lon, lat or x, y)")
    lon, lat = _column(df, "lon"), _column(df, "lat")
    x, y = _column(df, "x"), _column(df, "y")
    if lon is not None and lat is not None:
        cols, out_cols = (lon, lat), ("lon", "lat")
    elif x is not None and y is not None:
        cols, out_cols = (x, y), ("x", "y")
    else:
        raise InputError(f"{where}: needs columns lon and lat (degrees) or x and y (metres), found "
                         f"{', '.join(map(str, df.columns))}")
    regions_ = df[rcol].astype(str).str.strip()
    dup = regions_[regions_.duplicated()].unique().tolist()
    if dup:
        raise InputError(f"{where}: region(s) {_listed(dup)} listed more than once; give one row per region")
    vals = {}
    for c, o in zip(cols, out_cols):
        v = pd.to_numeric(df[c].astype(str).str.strip() if df[c].dtype == object else df[c], errors="coerce")
        bad = regions_[~np.isfinite(v.to_numpy(dtype=float))].tolist()
        if bad:
            raise InputError(f"{where}: column {c!r} is not a finite number for region(s) {_listed(bad)}")
        vals[o] = v.to_numpy(dtype=float)
    out = pd.DataFrame(vals, index=pd.Index(regions_.tolist(), name="region"))
    if out_cols == ("lon", "lat"):
        bad = out.index[(out["lon"].abs() > 180) | (out["lat"].abs() > 90)].tolist()
        if bad:
            raise InputError(f"{where}: longitude outside ±180° or latitude outside ±90° for region(s) "
                             f"{_listed(bad)}; give degrees (or name projected columns x and y)")
    elif len(out) and (out["x"].abs() <= 180).all() and (out["y"].abs() <= 90).all():
        warnings.warn(f"{where}: x and y all look like degrees but are taken as projected coordinates in "
                      "metres; name the columns lon and lat for great-circle distances", UserWarning,
                      stacklevel=2)
    if ids is not None:
        out = _align(out, list(ids), where)
    out.attrs["source"] = name
    return out


def _align(coords: pd.DataFrame, ids: list, where: str) -> pd.DataFrame:
    """``coords`` reindexed to ``ids``: by text, else as Chinese regions by GB/T code."""
    from ._files import _match_as_regions

    keys = [str(i) for i in ids]
    have = set(coords.index)
    if all(k in have for k in keys):
        out = coords.loc[keys]
    else:
        matched = _match_as_regions(ids, list(coords.index))
        missing = [i for i, k in zip(ids, keys) if k not in have]
        if matched is not None:
            data_codes, coord_codes = matched
            by_code = dict(zip(coord_codes, coords.index))
            missing = [i for i, c in zip(ids, data_codes) if c not in by_code]
            if not missing:
                out = coords.loc[[by_code[c] for c in data_codes]]
        if missing:
            raise InputError(f"{where} has no row for {len(missing)} region(s) of the data: {_listed(missing)}; "
                             "add a row (region, lon, lat) for each")
    out = out.copy()
    out.index = pd.Index(ids, name="region")
    return out


def _unit_codes(ids: list, codes, where: str) -> list[str]:
    """GB/T codes of ``ids`` (from ``codes`` when it covers them all, else read as Chinese units)."""
    from nqpf import regions

    if codes and all(i in codes for i in ids):
        return [str(codes[i]) for i in ids]
    try:
        return regions.normalize_admin_many(list(ids))
    except UnknownRegionError as exc:
        raise UnknownRegionError(
            exc.name, exc.suggestions,
            f"{where} weights are built on the points of Chinese administrative units (or on your "
            f"coordinates: {_POINTS_HELP}); " + exc.where) from None


def region_coordinates(ids, points: str = "centroid", codes=None, *, where: str = "points") -> pd.DataFrame:
    """One point per region: representative points of Chinese units, or the user's coordinates.

    Parameters
    ----------
    ids : sequence
        Region ids (the index of the result, in order).
    points : str
        ``"centroid"``, ``"surface"`` or ``"capital"`` for Chinese provinces, cities or counties
        (:func:`~nqpf.spatial.weights.representative_points`), else a CSV file name or a DataFrame
        for :func:`read_coordinates`.
    codes : mapping, optional
        Region id → GB/T 2260 code, when the ids are not codes or names themselves.
    where : str
        What the points are for, in messages.

    Returns
    -------
    DataFrame
        Index ``region``; columns ``lon, lat`` (with ``code`` for Chinese units) or ``x, y``
        (metres); ``attrs["points"]`` the kind of points or the file name.
    """
    ids = list(ids)
    if isinstance(points, str) and points in POINT_KINDS:
        out = representative_points(_unit_codes(ids, codes, where), points, ids=ids)
        out.attrs["points"] = points
        return out
    _check_points_file(points, where)
    out = read_coordinates(points, ids, what=f"{where}: coordinates")
    out.attrs["points"] = out.attrs.get("source", "")
    return out


def _check_points_file(points, where: str) -> None:
    """A ``points`` text that is neither a kind of point nor an existing file, but close to a kind
    (``capitals``, ``centriod``), is an error suggesting the kind (difflib ratio ≥ 0.6, the closest by
    edit distance first)."""
    if not isinstance(points, (str, Path)) or Path(points).is_file():
        return
    from nqpf.regions._names import closest

    close = closest(str(points).strip().lower(), POINT_KINDS, n=1, cutoff=0.6)
    if close:
        raise InputError(f"{where}: {str(points)!r} is neither a kind of point ({', '.join(POINT_KINDS)}) nor "
                         f"an existing file; did you mean @{close[0]}?")


# --------------------------------------------------------------------------------------- distances
def _geographic(coords: pd.DataFrame) -> bool:
    if {"lon", "lat"} <= set(coords.columns):
        return True
    if {"x", "y"} <= set(coords.columns):
        return False
    raise InputError("coordinates need columns lon and lat (degrees) or x and y (metres)")


def _space(coords: pd.DataFrame) -> tuple[np.ndarray, bool]:
    """Points in which straight-line distances order like the distances used: 3-D points on the
    sphere of radius R (km) for lon/lat, x/y in km otherwise; and whether they are geographic."""
    geo = _geographic(coords)
    if geo:
        lon = np.radians(coords["lon"].to_numpy(dtype=float))
        lat = np.radians(coords["lat"].to_numpy(dtype=float))
        P = EARTH_RADIUS_KM * np.column_stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])
    else:
        P = coords[["x", "y"]].to_numpy(dtype=float) / 1000.0
    if not np.isfinite(P).all():
        raise InputError("coordinates must be finite numbers")
    return P, geo


def _km(chord: np.ndarray, geo: bool) -> np.ndarray:
    """Distance (km) from a straight-line distance in :func:`_space`."""
    if not geo:
        return chord
    return 2.0 * EARTH_RADIUS_KM * np.arcsin(np.minimum(chord / (2.0 * EARTH_RADIUS_KM), 1.0))


def _chord(d_km: float, geo: bool) -> float:
    """Straight-line distance in :func:`_space` of a distance in km (inverse of :func:`_km`)."""
    if not geo:
        return d_km
    return 2.0 * EARTH_RADIUS_KM * np.sin(min(d_km / (2.0 * EARTH_RADIUS_KM), np.pi / 2))


def pair_distances(coords: pd.DataFrame, threshold_km: float | None = None):
    """Pairs of regions and their distance: all pairs, or those at most ``threshold_km`` apart.

    Parameters
    ----------
    coords : DataFrame
        ``lon, lat`` (great-circle distances) or ``x, y`` in metres (Euclidean), one row per region.
    threshold_km : float, optional
        Keep pairs with :math:`d_{ij} \\le` this many km (default: every pair).

    Returns
    -------
    tuple of ndarray
        ``(i, j, d)``: positions with ``i < j`` (sorted) and distances in km.
    """
    from scipy.spatial import cKDTree

    P, geo = _space(coords)
    n = len(P)
    if threshold_km is None:
        i, j = np.triu_indices(n, k=1)
    else:
        r = _chord(float(threshold_km), geo)
        pairs = cKDTree(P).query_pairs(r * (1 + 1e-9) + 1e-12, output_type="ndarray")
        if len(pairs) == 0:
            e = np.empty(0, dtype=np.int64)
            return e, e.copy(), np.empty(0)
        pairs = pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))]
        i, j = pairs[:, 0].astype(np.int64), pairs[:, 1].astype(np.int64)
    d = _km(np.sqrt(((P[i] - P[j]) ** 2).sum(axis=1)), geo)
    if threshold_km is not None:
        keep = d <= threshold_km
        i, j, d = i[keep], j[keep], d[keep]
    return i, j, d


def _nearest(P: np.ndarray, geo: bool, rows) -> tuple[np.ndarray, np.ndarray]:
    """For each position in ``rows``: the nearest other region (ties: the earliest) and its distance."""
    near, dist = [], []
    for r in rows:
        d = _km(np.sqrt(((P - P[r]) ** 2).sum(axis=1)), geo)
        d[r] = np.inf
        best = d.min()
        near.append(int(np.flatnonzero(d == best)[0]))
        dist.append(best)
    return np.array(near, dtype=np.int64), np.array(dist, dtype=float)


def _w(ids: list, i, j, v, *, symmetric: bool):
    """A libpysal W from links (i → j, value v; both ways with ``symmetric``), neighbours in id order."""
    from libpysal.weights import W

    n = len(ids)
    i, j, v = np.asarray(i, dtype=np.int64), np.asarray(j, dtype=np.int64), np.asarray(v, dtype=float)
    if symmetric:
        i, j, v = np.concatenate([i, j]), np.concatenate([j, i]), np.concatenate([v, v])
    order = np.lexsort((j, i))
    i, j, v = i[order], j[order], v[order]
    cuts = np.cumsum(np.bincount(i, minlength=n))[:-1]
    labels = np.empty(n, dtype=object)
    for k, x in enumerate(ids):
        labels[k] = x
    nbrs, wts = np.split(labels[j], cuts), np.split(v, cuts)
    neighbors = {ids[k]: nbrs[k].tolist() for k in range(n)}
    weights = {ids[k]: wts[k].tolist() for k in range(n)}
    return W(neighbors, weights, id_order=list(ids), silence_warnings=True)


def _check(coords, what: str) -> list:
    if not isinstance(coords, pd.DataFrame):
        raise InputError(f"{what}: coordinates must be a DataFrame (index = regions; lon, lat or x, y)")
    ids = list(coords.index)
    if len(ids) < 2:
        raise InputError(f"{what}: need at least 2 regions, got {len(ids)}")
    if len(set(map(str, ids))) != len(ids):
        raise InputError(f"{what}: region ids must be distinct")
    return ids


def _threshold(threshold_km, what: str) -> float | None:
    if threshold_km is None:
        return None
    if isinstance(threshold_km, bool) or not isinstance(threshold_km, (int, float, np.integer, np.floating)) \
            or not np.isfinite(threshold_km) or threshold_km <= 0:
        raise InputError(f"{what}: the distance band must be a number of km > 0, not {threshold_km!r}")
    return float(threshold_km)


def _no_zero(ids, i, j, d, what: str) -> None:
    zero = np.flatnonzero(d == 0)
    if len(zero):
        a, b = ids[i[zero[0]]], ids[j[zero[0]]]
        raise InputError(f"{what}: regions {a!r} and {b!r} are at the same point (distance 0, infinite "
                         "weight); give them distinct coordinates or use distance:D or knn:K")


def _band(coords, threshold_km, island, what, weight: Callable[[np.ndarray], np.ndarray], *,
          zero_ok: bool = True):
    """Weights ``weight(d)`` of the pairs within ``threshold_km`` (every pair for None), islands
    kept or linked to their nearest region."""
    ids = _check(coords, what)
    if island not in ("none", "nearest"):
        raise InputError(f"island must be 'none' or 'nearest', not {island!r}")
    i, j, d = pair_distances(coords, threshold_km)
    if not zero_ok:
        _no_zero(ids, i, j, d, what)
    vals = weight(d)
    has = np.zeros(len(ids), dtype=bool)
    has[i] = True
    has[j] = True
    islands = np.flatnonzero(~has)
    links = {}
    if len(islands):
        code = (lambda k: coords["code"].iloc[k]) if "code" in coords.columns else (lambda k: None)  # noqa: E731
        shown = {k: region_label(ids[k], code(k)) for k in islands[:MAX_LISTED]}   # names, not codes
        if island == "nearest":
            P, geo = _space(coords)
            near, dist = _nearest(P, geo, islands)
            i = np.concatenate([i, islands])
            j = np.concatenate([j, near])
            vals = np.concatenate([vals, weight(dist)])
            links = {ids[a]: ids[b] for a, b in zip(islands, near)}
            pairs = [f"{shown[a]} → {region_label(ids[b], code(b))}" for a, b in zip(islands[:MAX_LISTED], near)]
            warnings.warn(f"{len(islands)} region(s) without neighbours within {threshold_km:g} km linked to "
                          f"the nearest region: {regions_listed(pairs, len(islands))}"
                          f" ({ISLAND_LINKED})", UserWarning, stacklevel=3)
        else:
            label = regions_listed(shown.values(), len(islands))
            warnings.warn(f"{len(islands)} region(s) without neighbours within {threshold_km:g} km (islands): "
                          f"{label}; " + ISLAND_HINT.format(unit="region"), UserWarning, stacklevel=3)
    w = _w(ids, i, j, vals, symmetric=True)
    _attach(w, coords, threshold_km, links)
    return w


def _attach(w, coords: pd.DataFrame, threshold_km, links: dict) -> None:
    w.points = coords.copy()
    w.distance = "great_circle" if _geographic(coords) else "euclidean"
    w.threshold_km = threshold_km
    w.island_links = links
    if "code" in coords.columns:
        w.adcodes = dict(zip(coords.index, coords["code"]))


def distance_band(coords: pd.DataFrame, threshold_km: float | None = None, *, island: str = "none"):
    """Binary distance-band weights: :math:`w_{ij} = 1` when :math:`i \\ne j`, :math:`d_{ij} \\le D`.

    Parameters
    ----------
    coords : DataFrame
        Index = region ids; ``lon, lat`` (great-circle distances) or ``x, y`` in metres.
    threshold_km : float, optional
        The band :math:`D` in km. Default: the largest nearest-neighbour distance, the smallest band
        that leaves no region without a neighbour.
    island : {"none", "nearest"}
        Regions with no neighbour within the band stay islands (listed in a warning), or are linked
        to their nearest region.

    Returns
    -------
    libpysal.weights.W
        Binary, symmetric, untransformed, ids = ``coords.index``. Attributes ``points`` (the
        coordinates), ``distance`` (``"great_circle"`` or ``"euclidean"``), ``threshold_km`` (the band
        used), ``island_links`` (island → region), ``adcodes`` for Chinese units.
        Equal to ``libpysal.weights.DistanceBand(points, D, binary=True, radius=R)`` on lon/lat (neighbour
        sets; regions at the same point are neighbours here, not in libpysal).
    """
    from scipy.spatial import cKDTree

    what = "distance band weights"
    t = _threshold(threshold_km, what)
    if t is None:
        _check(coords, what)
        P, geo = _space(coords)
        dd, _ = cKDTree(P).query(P, k=2)
        t = float(np.max(_km(dd[:, 1], geo)))
    return _band(coords, t, island, what, np.ones_like)


def inverse_distance(coords: pd.DataFrame, power: float = 1.0, threshold_km: float | None = None, *,
                     island: str = "none"):
    """Inverse-distance weights :math:`w_{ij} = d_{ij}^{-P}` (:math:`d` in km), all pairs or within a band.

    Parameters
    ----------
    coords : DataFrame
        Index = region ids; ``lon, lat`` (great-circle distances) or ``x, y`` in metres.
    power : float
        :math:`P > 0` (1: inverse distance, 2: inverse squared distance, the gravity form).
    threshold_km : float, optional
        Only pairs with :math:`d_{ij} \\le D` km are linked (default: every pair, dense weights).
    island : {"none", "nearest"}
        With a band: regions without a neighbour within it stay islands, or are linked to their
        nearest region with weight :math:`d^{-P}`.

    Returns
    -------
    libpysal.weights.W
        Symmetric, untransformed (the statistics row-standardise), attributes as
        :func:`distance_band`. Equal to ``libpysal.weights.DistanceBand(points, D, binary=False,
        alpha=-P, radius=R)`` on lon/lat.

    Raises
    ------
    InputError
        ``power`` not > 0, or two regions at the same point (infinite weight).
    """
    what = "inverse distance weights"
    if isinstance(power, bool) or not isinstance(power, (int, float, np.integer, np.floating)) \
            or not np.isfinite(power) or power <= 0:
        raise InputError(f"{what}: the power must be a number > 0 (1 or 2 usually), not {power!r}")
    p = float(power)
    return _band(coords, _threshold(threshold_km, what), island, what, lambda d: d ** -p, zero_ok=False)


def nearest_neighbours(coords: pd.DataFrame, k: int = 6):
    """k-nearest-neighbour weights: :math:`w_{ij} = 1` for the ``k`` regions nearest to :math:`i`.

    Parameters
    ----------
    coords : DataFrame
        Index = region ids; ``lon, lat`` (great-circle distances) or ``x, y`` in metres.
    k : int
        Neighbours of each region, 1 ≤ k < n.

    Returns
    -------
    libpysal.weights.W
        Binary, not symmetric in general, neighbours listed in id order; attributes as
        :func:`distance_band` (``threshold_km`` None). Equal to ``libpysal.weights.KNN(points, k,
        radius=R)`` on lon/lat (the same k-d tree query: ties broken alike; a region whose k+1
        nearest points do not include itself, at duplicated coordinates, drops its farthest).
    """
    from scipy.spatial import cKDTree

    ids = _check(coords, "k-nearest-neighbour weights")
    n = len(ids)
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k < n:
        raise InputError(f"k must be an integer from 1 to {n - 1} (number of units - 1), not {k!r}")
    k = int(k)
    P, _ = _space(coords)
    _, idx = cKDTree(P).query(P, k=k + 1)
    idx = np.asarray(idx).reshape(n, k + 1)
    keep = idx != np.arange(n)[:, None]
    keep[keep.sum(axis=1) == k + 1, -1] = False
    nb = np.sort(idx[keep].reshape(n, k), axis=1)
    w = _w(ids, np.repeat(np.arange(n), k), nb.ravel(), np.ones(n * k), symmetric=False)
    _attach(w, coords, None, {})
    return w


# --------------------------------------------------------------------------------- spellings
@dataclass(frozen=True)
class PointsArg:
    """The parsed argument of a spelling that names its points (``distance:200km@coords.csv``).

    ``value`` is the kind's own argument (the band in km, ``(power, band)`` or ``K``; ``None`` for
    the kind's default) and ``points`` ``"centroid"``, ``"surface"``, ``"capital"`` or a file name as
    written.
    """

    value: Any
    points: str


def with_points(parse: Callable[[str, str], Any], default: Any = None) -> Callable[[str, str], Any]:
    """A parser of ``ARG[@POINTS]`` from a parser of ``ARG``: ``ARG`` alone gives ``parse(ARG)`` (so
    existing spellings parse as before), with ``@POINTS`` a :class:`PointsArg` (``ARG`` empty: the
    ``default``)."""

    def parse_with_points(text: str, spelling: str):
        head, at, _ = text.partition("@")
        head = head.strip()
        if not at:
            return parse(head, spelling)
        value = parse(head, spelling) if head else default
        points = spelling.split("@", 1)[1].strip()  # as written: a file name keeps its case
        if not points:
            raise InputError(f"weights {spelling!r}: nothing after @; {_POINTS_HELP}")
        return PointsArg(value, points.lower() if points.lower() in POINT_KINDS else points)

    return parse_with_points


_KM = re.compile(r"^([0-9]*\.?[0-9]+(?:e[+-]?[0-9]+)?)\s*(km|m)$")


def _parse_km(text: str, spelling: str, syntax: str) -> float:
    m = _KM.match(text.strip().lower())
    if not m:
        raise InputError(f"weights {spelling!r}: write {syntax} with D a distance and its unit (km or m), "
                         f"e.g. distance:200km or idw:2:500km; {_POINTS_HELP}")
    d = float(m.group(1)) / (1000.0 if m.group(2) == "m" else 1.0)
    if not np.isfinite(d) or d <= 0:
        raise InputError(f"weights {spelling!r}: the distance must be > 0, e.g. distance:200km")
    return d


def parse_band(text: str, spelling: str) -> float:
    """The band of ``distance:D`` in km (``200km``, ``150000m``)."""
    return _parse_km(text, spelling, "distance:D")


def parse_idw(text: str, spelling: str) -> tuple[float, float | None]:
    """``(power, band in km or None)`` of ``idw:P`` or ``idw:P:D``."""
    p_text, sep, band = text.partition(":")
    try:
        p = float(p_text.strip())
    except ValueError:
        p = float("nan")
    if not np.isfinite(p) or p <= 0:
        raise InputError(f"weights {spelling!r}: write idw:P with P a power > 0 (idw:1 inverse distance, idw:2 "
                         f"inverse squared distance), optionally a band idw:2:500km; {_POINTS_HELP}")
    return p, (_parse_km(band, spelling, "idw:P:D") if sep else None)


def _split(arg, default):
    return (arg.value if arg.value is not None else default, arg.points) if isinstance(arg, PointsArg) \
        else (default if arg is None else arg, "centroid")


def _rule(island: str) -> str:
    return "nearest" if island == "nearest" else "none"


def build_band(arg, ids, *, island, codes, spelling):
    """Builder of ``distance:D[@POINTS]`` for :func:`nqpf.spatial.weights.register_weights_kind`."""
    band, points = _split(arg, None)
    coords = region_coordinates(ids, points, codes, where=spelling)
    return distance_band(coords, band, island=_rule(island)), _rule(island)


def build_idw(arg, ids, *, island, codes, spelling):
    """Builder of ``idw:P[:D][@POINTS]``."""
    (power, band), points = _split(arg, (1.0, None))
    coords = region_coordinates(ids, points, codes, where=spelling)
    return inverse_distance(coords, power, band, island=_rule(island)), _rule(island) if band else "none"


def build_knn(default_k: int):
    """Builder of ``knn:K[@POINTS]`` (``default_k`` neighbours when ``K`` is not written)."""

    def build(arg, ids, *, island, codes, spelling):
        k, points = _split(arg, default_k)
        coords = region_coordinates(ids, points, codes, where=spelling)
        return nearest_neighbours(coords, k), "none"

    return build
