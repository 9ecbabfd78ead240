"""Maps drawn for every panel that can be mapped (provinces, cities, counties), the one convention of
"not significant" codes, and the public map functions (issue 12)."""
from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

from nqpf.analyses._common import Context, map_codes
from nqpf.errors import InputError
from nqpf.results import RegionIndex

#: The 13 prefecture-level cities of Jiangsu (GB/T 2260), by name as a user writes them.
JIANGSU = {"南京": "320100", "无锡": "320200", "徐州": "320300", "常州": "320400", "苏州": "320500",
           "南通": "320600", "连云港": "320700", "淮安": "320800", "盐城": "320900", "扬州": "321000",
           "镇江": "321100", "泰州": "321200", "宿迁": "321300"}


def _panel(ids, years=(2019, 2020, 2021), seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame(rng.uniform(0.1, 0.9, (len(ids), len(years))), index=list(ids), columns=list(years))


def _ctx(ids, codes=None, level="other"):
    Y = _panel(ids)
    return Context(Y=Y, regions=RegionIndex(ids=tuple(ids), labels={i: str(i) for i in ids},
                                            codes=dict(codes or {}), level=level))


# ------------------------------------------------------------------------------------- map_codes
def test_map_codes_from_region_index_of_provinces():
    codes = {c: c for c in ("110000", "120000", "130000", "140000")}
    got = map_codes(_ctx(list(codes), codes, "province"))
    assert got == codes


def test_map_codes_read_from_city_names_without_codes():
    """A city panel read without codes (weights queen: the pipeline gives no codes) is mapped through
    its names, as the ellipse family reads them."""
    got = map_codes(_ctx(list(JIANGSU)))
    assert got == JIANGSU


def test_map_codes_of_county_codes_as_ids():
    ids = ["320102", "320104", "320105", "320106", "320111"]
    assert map_codes(_ctx(ids)) == {i: i for i in ids}


@pytest.mark.parametrize("ids", [["a", "b", "c"], ["320100", "320102", "320104"],  # city + counties: mixed
                                 ["北京", "Atlantis", "上海"]])
def test_map_codes_none_when_not_mappable(ids):
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        assert map_codes(_ctx(ids)) is None
    said = [str(r.message) for r in rec if "maps skipped" in str(r.message)]
    # Chinese units of two levels are said once (before computing); other ids are simply not maps
    assert len(said) == (1 if ids[0] == "320100" else 0)


def test_map_codes_cached_once_per_context():
    ctx = _ctx(list(JIANGSU))
    first = map_codes(ctx)
    ctx.extras["_map_codes"] = {"sentinel": "x"}
    assert map_codes(ctx) == {"sentinel": "x"} and first == JIANGSU


# ------------------------------------------------------------------------ city panel end to end
@pytest.fixture(scope="module")
def city_results():
    from nqpf.pipeline import analyze

    Y = _panel(JIANGSU, seed=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return analyze(Y, "queen", permutations=99, seed=1, analyses=["scores", "spatial", "hotspots"])


def test_city_panel_gets_choropleth_lisa_and_hotspot_maps(city_results):
    from nqpf.plot import map_units

    keys = {f.key for f in city_results.figures()}
    assert {"map_2019", "map_2021", "lisa_map_2019", "lisa_map_2021", "hotspot_map_2019",
            "hotspot_map_2021"} <= keys
    fig = city_results.items["hotspot_map_2021"].draw(city_results, "en")
    assert fig.nqpf_level == "city"
    units = map_units(fig)
    hatched = {c for c, (_, h, _) in units.items() if h}
    drawn = {c for c, (_, h, _) in units.items() if not h}
    assert set(JIANGSU.values()) == drawn          # every city of the panel coloured
    # a regional panel: a zoomed map, the rest of China light context (not "no data"), no inset
    assert not hatched and fig.nqpf_regional and not fig.axes[0].child_axes
    assert any(c.get_gid() == "units:context" for c in fig.axes[0].collections)
    fig = city_results.items["map_2019"].draw(city_results, "zh")
    assert fig.nqpf_level == "city"


def test_non_chinese_panel_gets_no_maps():
    from libpysal.weights import lat2W

    from nqpf.pipeline import analyze

    w = lat2W(3, 3)
    ids = [f"r{i}" for i in range(9)]
    w.transform = "o"
    from libpysal.weights import W

    w = W({ids[k]: [ids[j] for j in v] for k, v in w.neighbors.items()}, silence_warnings=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = analyze(_panel(ids), w, permutations=0, analyses=["scores", "spatial", "hotspots"])
    keys = {f.key for f in res.figures()}
    assert not any(k.startswith(("map_", "lisa_map_", "hotspot_map_")) for k in keys)
    assert "fig2_moran_scatter" in keys


# ------------------------------------------------------------------------------ "not significant"
def test_spot_table_keeps_ns_and_report_lists_significant_rows_only(city_results):
    """One convention: the ``getis_ord`` table (and CSV) writes ``ns``; the reports' significant-rows
    rule (``is_significant``) treats ``ns`` and ``""`` (local Moran clusters) alike."""
    from nqpf.report._model import _significant_mask, select_rows
    from nqpf.spatial import SPOTS, is_significant

    gi = city_results.items["getis_ord"]
    assert set(gi.data["spot"]) <= set(SPOTS) and "" not in set(gi.data["spot"])
    mask = _significant_mask(gi)
    np.testing.assert_array_equal(mask, (gi.data["spot"] != "ns").to_numpy())
    choice = select_rows(gi, max_rows=1000, significant_always=True)
    assert set(gi.data["spot"].iloc[choice.rows]) <= set(SPOTS) - {"ns"}
    ml = city_results.items["moran_local"]
    np.testing.assert_array_equal(_significant_mask(ml), (ml.data["cluster"] != "").to_numpy())
    assert is_significant(pd.Series(["hot90", "ns", "", None, np.nan, "HH", " ns"])).tolist() == [
        True, False, False, False, False, True, False]


def test_hotspot_map_legend_counts_ns_as_not_significant():
    from nqpf.plot import plot_lisa_map

    codes = list(JIANGSU.values())
    spots = ["hot99", "hot95", "ns", "ns", "", "cold90"] + ["ns"] * (len(codes) - 6)
    fig = plot_lisa_map(pd.DataFrame({"spot": spots}, index=codes), "en", classes="spot")
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    n_ns = sum(s in ("ns", "") for s in spots)
    assert any(lab.endswith(f"({n_ns})") and "ot significant" in lab for lab in labels), labels


# ------------------------------------------------------------------------ public map functions
def test_plot_category_map_colours_by_code_and_hatches_the_rest():
    from matplotlib.colors import to_hex

    from nqpf.plot import map_units, plot_category_map

    cats = pd.Series({"110000": "a", "120000": "b", "130000": "a", "140000": ""})
    pal = {"a": "#ff0000", "b": "#0000ff", "c": "#00ff00"}
    fig = plot_category_map(cats, pal, "en", labels={"a": "Alpha"}, present_only=True)
    units = map_units(fig)
    assert to_hex(units["110000"][0]) == "#ff0000" and to_hex(units["120000"][0]) == "#0000ff"
    assert units["140000"][1]                            # empty code: no data
    # four northern provinces are a region: the map is zoomed, the units outside the panel are context
    # (not "no data"), so 上海 is not among the units drawn for the panel
    assert fig.nqpf_regional and "310000" not in units
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels[:2] == ["Alpha (2)", "b (1)"] and labels[-1] == "No data" and len(labels) == 3
    with pytest.raises(InputError, match="no colour"):
        plot_category_map(pd.Series({"110000": "z"}), pal, "en")


def test_plot_basemap_every_unit_filled_and_handles_drawn():
    from matplotlib.lines import Line2D

    from nqpf.plot import map_units, plot_basemap

    fig = plot_basemap(lang="en", title="T", legend_handles=[Line2D([], [], label="path")], legend_title="L")
    units = map_units(fig)
    assert len(units) >= 34 and not any(h for _, h, _ in units.values())
    assert fig.axes[0].get_legend().get_title().get_text() == "L"
    with pytest.raises(InputError, match="level"):
        plot_basemap(level="township")


def test_not_significant_codes_one_definition():
    from nqpf.plot import maps
    from nqpf.spatial import multiple

    assert maps.NOT_SIGNIFICANT == multiple.NOT_SIGNIFICANT
    assert maps._CLASSES["spot"][3] == maps._CLASSES["cluster"][3] == multiple.NOT_SIGNIFICANT


def test_figure_names_of_county_codes():
    """Counties written as codes are named in Chinese figures (朝阳区 twice: its city in front), kept as
    codes in English ones; provinces and names the user wrote are left alone."""
    from types import SimpleNamespace

    from nqpf.analyses.evolution import names

    ids = ("110101", "110105", "220104", "abc")
    ri = RegionIndex(ids=ids, labels={i: i for i in ids}, codes={}, level="other")
    res = SimpleNamespace(regions=ri)
    zh = names(res, "zh")
    assert zh == {"110101": "东城区", "110105": "北京市朝阳区", "220104": "长春市朝阳区", "abc": "abc"}
    assert names(res, "en") == {i: i for i in ids}
