"""Acceptance review 3 of the maps: the scale bar's unit right after its last number (not over
Xinjiang), the legend of a national map over the sea only (not over western Yunnan and south-eastern
Tibet), and the units without neighbours in a class of their own on LISA and hot-spot maps."""
from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import PathCollection  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from nqpf.i18n import t  # noqa: E402
from nqpf.plot import maps  # noqa: E402

#: The islands of a county panel under queen contiguity (no neighbours): 长海县, 岱山县, 金门县, 南澳县,
#: 西沙区, 南沙区, 台湾.
COUNTY_ISLANDS = ["210224", "330921", "350527", "440523", "460301", "460302", "710000"]


def _renderer(fig):
    fig.draw_without_rendering()
    return fig.canvas.get_renderer()


def _land_under(fig, bbox) -> list[str]:
    """Codes of the units of the main map (with data or not) whose drawn shape meets ``bbox`` (display
    pixels), read from the figure's collections."""
    ax = fig.axes[0]
    out = []
    for coll in ax.collections:
        if not isinstance(coll, PathCollection) or coll.get_gid() not in ("units", "units:no_data"):
            continue
        tr = coll.get_transform()
        for code, path in zip(coll.nqpf_codes, coll.get_paths()):
            dp = tr.transform_path(path)
            if dp.get_extents().overlaps(bbox) and dp.intersects_bbox(bbox, filled=True):
                out.append(code)
    return out


def _county_values(seed=0):
    codes = maps.map_geometry("county")["codes"]
    rng = np.random.default_rng(seed)
    return pd.Series(rng.gamma(2.0, size=len(codes)), index=codes)


# ---------------------------------------------------------------------------------------------
# A. the scale bar's unit
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("level", ["province", "city", "county"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_scale_unit_follows_the_last_number_of_the_bar_clear_of_land(level, lang):
    fig = maps.plot_basemap(level=level, lang=lang)
    r = _renderer(fig)
    ax = fig.axes[0]
    pt = fig.dpi / 72.0
    (unit,) = [tx for tx in ax.texts if tx.get_text() == t("plot.km", lang)]
    labels = [tx for tx in ax.texts if tx.get_text().replace(".", "").isdigit()]
    assert len(labels) == 3
    last = max(labels, key=lambda tx: tx.get_window_extent(r).x1).get_window_extent(r)
    bars = [p.get_window_extent(r) for p in ax.patches if isinstance(p, Rectangle)]
    assert len(bars) == 4
    bar_x1, bar_y0 = max(b.x1 for b in bars), min(b.y0 for b in bars)
    u = unit.get_window_extent(r)
    # one small space after the last number, on its line
    assert 0.0 <= u.x0 - last.x1 <= 3.0 * pt
    assert abs(0.5 * (u.y0 + u.y1) - 0.5 * (last.y0 + last.y1)) <= 1.5 * pt
    # next to the bar: just below it, starting within a few points of its end
    assert u.x0 - bar_x1 <= 10.0 * pt
    assert 0.0 <= bar_y0 - u.y1 <= 4.0 * pt
    # over no unit of the map (nor are the numbers and the bar)
    assert _land_under(fig, u) == []
    for tx in labels:
        assert _land_under(fig, tx.get_window_extent(r)) == []
    for b in bars:
        assert _land_under(fig, b) == []


# ---------------------------------------------------------------------------------------------
# B. the legend of a national map
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_county_choropleth_legend_covers_no_county(lang):
    """The pipeline's county score map: classes common to two years of 2,875 counties (natural breaks
    on 4,000 order statistics). The legend box overlaps no county; the sampling is said under the map,
    not in the legend title."""
    v = _county_values()
    pooled = np.r_[v.to_numpy(), 1.1 * v.to_numpy()]
    fig = maps.plot_choropleth(v, lang, title="2023", common=(pooled, [2004, 2023]))
    r = _renderer(fig)
    ax = fig.axes[0]
    leg = ax.get_legend()
    assert _land_under(fig, leg.get_window_extent(r)) == []
    assert _land_under(fig, leg.get_frame().get_window_extent(r)) == []
    title = leg.get_title().get_text()
    assert t("plot.scheme.natural_breaks", lang, k=5) in title.replace("\n", " ") or \
        t("plot.scheme.natural_breaks", lang, k=5) in title
    assert "4,000" not in title
    notes = [tx.get_text() for tx in ax.texts if tx.get_gid() == "map_note"]
    assert notes == [t("plot.scheme.sampled_note", lang, m="4,000", n=f"{len(pooled):,}")]


@pytest.mark.parametrize("classes", ["cluster", "spot"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_county_lisa_and_hotspot_legends_cover_no_county(classes, lang):
    """Ten legend entries (the hot-spot map with "no neighbours") still leave the counties clear."""
    v = _county_values(1)
    col = "cluster" if classes == "cluster" else "spot"
    cats = (["HH", "LL", "LH", "HL", ""] if classes == "cluster"
            else ["hot99", "hot95", "hot90", "ns", "cold90", "cold95", "cold99"])
    local = pd.DataFrame({col: [cats[i % len(cats)] for i in range(len(v))]}, index=v.index)
    local.loc[[c for c in COUNTY_ISLANDS if c in local.index], col] = "" if classes == "cluster" else "ns"
    fig = maps.plot_lisa_map(local, lang, title="2023", classes=classes, untested=COUNTY_ISLANDS)
    r = _renderer(fig)
    leg = fig.axes[0].get_legend()
    assert _land_under(fig, leg.get_window_extent(r)) == []


def test_province_choropleth_legend_is_left_as_it_was():
    """A legend already over the sea keeps the usual spacing and its title (no break, no compaction)."""
    from nqpf.plot.maps import PROVINCE_CODES

    v = pd.Series(np.linspace(0.1, 0.9, len(PROVINCE_CODES)), index=list(PROVINCE_CODES))
    fig = maps.plot_choropleth(v, "en")
    leg = fig.axes[0].get_legend()
    assert leg.get_title().get_text() == "Composite score\nNatural breaks (Fisher–Jenks), 5 classes"
    assert leg.nqpf_compact == 0 and leg.labelspacing == 0.5
    assert _land_under(fig, leg.get_window_extent(_renderer(fig))) == []


@pytest.mark.parametrize("variable", ["科技创新与经济高质量发展耦合协调综合得分（熵权 TOPSIS 法）",
                                      "A very long variable name: coupling coordination degree of innovation"])
def test_a_long_legend_title_is_broken_off_the_land(variable):
    v = _county_values(2)
    fig = maps.plot_choropleth(v, "en", variable=variable, common=(v.to_numpy(), [2010, 2015, 2020, 2023]))
    leg = fig.axes[0].get_legend()
    title = leg.get_title().get_text()
    assert title.count("\n") >= 3                     # the long first line broken in two
    assert title.replace("\n", "").replace(" ", "").startswith(variable.replace(" ", ""))
    assert _land_under(fig, leg.get_window_extent(_renderer(fig))) == []


def test_fitting_a_legend_already_at_sea_changes_no_pixel(tmp_path, monkeypatch):
    """The legend is fitted on a laid-out figure and the axes are put back afterwards: a map whose
    legend needs no fitting is saved exactly as without the step."""
    from nqpf.plot.maps import PROVINCE_CODES
    from nqpf.plot.style import save_figure

    v = pd.Series(np.linspace(0.1, 0.9, len(PROVINCE_CODES)), index=list(PROVINCE_CODES))
    (a,) = save_figure(maps.plot_choropleth(v, "zh", title="t"), tmp_path / "a", formats=("png",))
    monkeypatch.setattr(maps, "_fit_legend", lambda *args, **kw: None)
    (b,) = save_figure(maps.plot_choropleth(v, "zh", title="t"), tmp_path / "b", formats=("png",))
    assert a.read_bytes() == b.read_bytes()


def test_break_line_prefers_the_most_balanced_break():
    width = len
    assert maps._break_line("abc def ghi", width) in (("abc def", "ghi"), ("abc", "def ghi"))
    line = "自然断点法（Fisher–Jenks，按 4,000 个等距分位值计算），5 级"
    first, second = maps._break_line(line, width)
    assert max(len(first), len(second)) < len(line) - 10
    assert (first + second).replace(" ", "") == line.replace(" ", "")
    assert maps._break_line("nospace", width) is None


# ---------------------------------------------------------------------------------------------
# C. units without neighbours
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def island_results():
    """The provinces of the bundled panel under queen contiguity without the island rule: 海南 has no
    neighbour (its local statistics are not computed)."""
    from nqpf.datasets import load_ran2025_scores
    from nqpf.pipeline import analyze

    Y = load_ran2025_scores().pivot(index="region", columns="year", values="score")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return analyze(Y, "queen", island="none", permutations=99, seed=1,
                       analyses=["scores", "spatial", "hotspots"])


def _legend_texts(fig):
    return [tx.get_text() for tx in fig.axes[0].get_legend().get_texts()]


@pytest.mark.parametrize("kind", ["lisa_map", "hotspot_map"])
@pytest.mark.parametrize("lang", ["zh", "en", "zh-Hant"])
def test_islands_get_their_own_class_on_lisa_and_hotspot_maps(island_results, kind, lang):
    res = island_results
    assert res.params["islands"] == ["海南"]
    year = max(int(k.rsplit("_", 1)[1]) for k in res.items if k.startswith(kind + "_"))
    fig = res.items[f"{kind}_{year}"].draw(res, lang)
    texts = _legend_texts(fig)
    label = t("plot.untested", lang)
    assert f"{label} (1)" in texts
    # counted apart from "not significant": the not significant count leaves Hainan out
    table = res.table("moran_local" if kind == "lisa_map" else "getis_ord")
    one = table[table["year"] == year]
    col = "cluster" if kind == "lisa_map" else "spot"
    ns = one[col].fillna("").astype(str).isin(["", "ns"])
    ns_key = "plot.not_significant" if kind == "lisa_map" else "cat.spot.ns"
    assert f"{t(ns_key, lang)} ({int(ns.sum()) - 1})" in texts
    # right after "not significant", before the rest
    assert texts.index(f"{label} (1)") == texts.index(f"{t(ns_key, lang)} ({int(ns.sum()) - 1})") + 1
    # drawn in the class's own neutral colour, unhatched (not "no data"), unlike any other unit
    units = maps.map_units(fig)
    colour, hatched, _ = units["460000"]
    assert colour.upper() == maps.UNTESTED_COLOR.upper() and not hatched
    assert sum(1 for c, h, _ in units.values() if c.upper() == maps.UNTESTED_COLOR.upper()) == 1
    assert maps.UNTESTED_COLOR.upper() not in {c.upper() for c in (maps.NOT_SIGNIFICANT_COLOR, maps.NO_DATA_COLOR)}


def test_untested_class_counts_and_entry_only_when_present():
    local = pd.DataFrame({"cluster": ["HH", "", "", "LL"]}, index=["110000", "460000", "710000", "620000"])
    fig = maps.plot_lisa_map(local, "en", untested=["460000", "710000"])
    texts = _legend_texts(fig)
    assert "No neighbours (not tested) (2)" in texts and "Not significant (0)" in texts
    units = maps.map_units(fig)
    assert {c for c, (col, _, _) in units.items() if col.upper() == maps.UNTESTED_COLOR.upper()} == {"460000",
                                                                                                       "710000"}
    # without untested units the legend is as before: no such entry
    texts = _legend_texts(maps.plot_lisa_map(local, "en"))
    assert "Not significant (2)" in texts and not any("No neighbours" in s for s in texts)
    # an untested unit is never shown as significant by this class, nor is a significant one hidden
    fig = maps.plot_lisa_map(local, "en", untested=["110000"])
    assert any(s.startswith("HH") and s.endswith("(1)") for s in _legend_texts(fig))
    assert not any("No neighbours" in s for s in _legend_texts(fig))


def test_untested_codes_read_the_islands_by_the_users_spelling(island_results):
    from nqpf.analyses.spatial import untested_codes

    codes = {r: c for r, c in island_results.regions.codes.items()}
    assert untested_codes(island_results, codes) == ["460000"]
