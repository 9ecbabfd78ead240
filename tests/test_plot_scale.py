"""Figures at any scale: maps of provinces, cities and counties; classification; label placement;
summaries of heatmaps and rank charts for many regions.

References: mapclassify (FisherJenks, Quantiles, EqualInterval; test-only) for the class breaks, and a
brute-force enumeration of every partition for the Fisher–Jenks optimum with tied values; pyproj's
``get_factors`` and the ellipsoid's radius of the parallel, N(φ)·cos φ (hand formula), for the scale
bar; exhaustive pairwise geometry (boxes, segments) for the label-placement checks; pandas sorting for
the summary rows. Maps of cities and counties build the geometry cache on first use (about 10–25 s on
a fresh machine), hence ``slow``.
"""
from __future__ import annotations

import itertools
import re
import warnings

import matplotlib

matplotlib.use("Agg")

import mapclassify  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.text import Text  # noqa: E402

from nqpf import regions, spatial  # noqa: E402
from nqpf.datasets import load_ran2025_scores  # noqa: E402
from nqpf.errors import InputError, UnknownRegionError  # noqa: E402
from nqpf.plot import (  # noqa: E402
    plot_choropleth,
    plot_heatmap,
    plot_lisa_map,
    plot_moran_scatter,
    plot_rank_changes,
)
from nqpf.plot import maps  # noqa: E402
from nqpf.plot._placement import place_labels, segments_cross, segments_hit_boxes  # noqa: E402
from nqpf.plot.heatmap import heatmap_rows  # noqa: E402
from nqpf.plot.moran import labelled_points  # noqa: E402
from nqpf.plot.trends import rank_movers, ranks  # noqa: E402


def _texts(fig):
    return [t.get_text() for t in fig.findobj(Text) if t.get_text()]


@pytest.fixture(scope="module")
def paper():
    Y0 = load_ran2025_scores(wide=True)
    codes = regions.normalize_many(list(Y0.index))
    Y = Y0.copy()
    Y.index = codes
    w = regions.contiguity(codes)
    local = spatial.moran_local(Y, w, permutations=99, seed=12345)
    return {"Y": Y, "local": local, "en": {c: regions.name(c, "en") for c in codes},
            "zh": dict(zip(codes, Y0.index))}


# ---------------------------------------------------------------------------------------------
# classification
# ---------------------------------------------------------------------------------------------
def _ssd(sorted_values, ends):
    """Within-class sum of squared deviations of a partition given by the end index of each class."""
    out, start = 0.0, 0
    for e in ends:
        part = sorted_values[start:e]
        out += ((part - part.mean()) ** 2).sum()
        start = e
    return out


@pytest.mark.parametrize("seed,k", [(1, 3), (2, 5), (3, 7)])
def test_natural_breaks_equal_mapclassify_fisher_jenks(seed, k):
    y = np.random.default_rng(seed).gamma(2.0, size=200)
    ours = maps.natural_breaks(y, k)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = mapclassify.FisherJenks(y, k=k).bins
    np.testing.assert_allclose(ours, ref, rtol=0, atol=1e-10)
    cls, bounds = maps.classify_values(pd.Series(y), "natural_breaks", k)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        np.testing.assert_array_equal(cls.to_numpy(), mapclassify.FisherJenks(y, k=k).yb)


def test_natural_breaks_is_the_optimum_with_ties():
    """Brute force over every partition of 12 sorted values (with ties) into 3 runs that keeps equal
    values together: the breaks found have the least within-class sum of squares."""
    y = np.array([1.0, 1.0, 1.2, 2.0, 2.0, 2.0, 3.5, 3.6, 5.0, 5.0, 7.0, 9.0])
    bins = maps.natural_breaks(y, 3)
    ends = [int(np.searchsorted(y, b, side="right")) for b in bins]
    best = min(
        (_ssd(y, [a, b, len(y)]), (a, b))
        for a, b in itertools.combinations(range(1, len(y)), 2)
        if y[a - 1] < y[a] and y[b - 1] < y[b]
    )
    assert _ssd(y, ends) == pytest.approx(best[0], abs=1e-12)
    assert ends[:2] == list(best[1])


def test_quantiles_and_equal_intervals_equal_mapclassify():
    y = np.random.default_rng(5).normal(size=157)
    for scheme, cls_ in (("quantiles", mapclassify.Quantiles), ("equal_interval", mapclassify.EqualInterval)):
        yb, bounds = maps.classify_values(pd.Series(y), scheme, 5)
        ref = cls_(y, k=5)
        np.testing.assert_allclose([b for _, b in bounds], ref.bins, rtol=0, atol=1e-12)
        np.testing.assert_array_equal(yb.to_numpy(), ref.yb)


def test_natural_breaks_beyond_the_exact_limit_are_computed_on_order_statistics(monkeypatch):
    monkeypatch.setattr(maps, "JENKS_MAX_N", 50)
    y = np.random.default_rng(9).lognormal(size=400)
    sample = np.sort(y)[np.round(np.linspace(0, 399, 50)).astype(int)]
    np.testing.assert_allclose(maps.natural_breaks(y, 4), maps.natural_breaks(sample, 4), atol=0)
    assert maps._scheme_text("natural_breaks", 4, 400, "en") == \
        "Natural breaks (Fisher–Jenks on 50 evenly spaced order statistics), 4 classes"


# ---------------------------------------------------------------------------------------------
# levels, geometry cache, scale bar, inset
# ---------------------------------------------------------------------------------------------
def test_map_level_from_codes():
    assert maps.map_level(["110000", 320000]) == "province"
    assert maps.map_level(["320500", "110100"]) == "city"
    assert maps.map_level(["320505", "110101"]) == "county"
    assert maps.map_level(["429004"]) == "city"          # listed at both levels: the higher wins
    assert maps.can_map(["320505", "429004"])             # …and it fits a county map too
    with pytest.raises(UnknownRegionError, match="mix levels"):
        maps.map_level(["110000", "320505"])
    with pytest.raises(UnknownRegionError):
        maps.map_level(["999999"])
    assert not maps.can_map(["110000", "320505"]) and not maps.can_map(["Beijing"])


def test_geometry_cache_round_trip_and_corrupt_file(tmp_path, monkeypatch):
    monkeypatch.setenv("NQPF_CACHE_DIR", str(tmp_path))
    name = maps._cache_name("province", 0.02, 0.002, True)
    maps.map_geometry.cache_clear()
    try:
        geo = maps.map_geometry("province")
        f = tmp_path / "maps" / name
        assert f.is_file()
        back = maps._read_cache(name)
        assert back["codes"] == list(maps.PROVINCE_CODES)
        import shapely

        assert all(shapely.equals_exact(a, b, 0) for a, b in zip(back["units"], geo["units"]))
        f.write_bytes(b"not a cache")                # unreadable: rebuilt, never trusted
        assert maps._read_cache(name) is None or maps._read_cache(name)["codes"] == back["codes"]
        maps.map_geometry.cache_clear()
        again = maps.map_geometry("province")
        assert all(shapely.equals_exact(a, b, 0) for a, b in zip(again["units"], geo["units"]))
    finally:
        maps.map_geometry.cache_clear()


def test_scale_bar_is_true_at_the_central_latitude(paper):
    """The bar's length in map units is L km times the Albers parallel scale at the stated latitude;
    that factor equals projected length / true length of a short arc of the parallel (true length
    N(φ)·cos φ·Δλ on WGS 84, N = a / √(1 − e² sin² φ))."""
    from pyproj import Transformer

    fig = plot_choropleth(paper["Y"][2020], "en")
    s = fig.axes[0].nqpf_scale
    assert s["km"] in (100, 200, 500, 1000, 2000) and s["lat"] == 36
    a, f = 6378137.0, 1 / 298.257223563
    e2 = f * (2 - f)
    phi = np.radians(s["lat"])
    N = a / np.sqrt(1 - e2 * np.sin(phi) ** 2)
    dlam = 0.01
    tr = Transformer.from_crs("EPSG:4326", maps.ALBERS_CHINA, always_xy=True)
    x0, y0 = tr.transform(105 - dlam / 2, s["lat"])
    x1, y1 = tr.transform(105 + dlam / 2, s["lat"])
    k = np.hypot(x1 - x0, y1 - y0) / (N * np.cos(phi) * np.radians(dlam))
    assert s["factor"] == pytest.approx(k, rel=1e-7)
    assert s["map_units"] == pytest.approx(s["km"] * 1000 * k, rel=1e-7)
    texts = _texts(fig)
    assert "N" in texts and "km" in texts and any("scale bar true at 36°N" in x for x in texts)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_inset_caption_clear_of_the_dashes(paper, lang):
    fig = plot_choropleth(paper["Y"][2020], lang)
    r = fig.canvas.get_renderer()
    fig.canvas.draw()
    inset = fig.axes[0].child_axes[0]
    (cap,) = [t for t in inset.texts if t.get_gid() == "inset_caption"]
    box = cap.get_window_extent(r).extents
    (dashes,) = [c for c in inset.collections if c.get_gid() == "inset:dashes"]
    segs = [inset.transData.transform(np.asarray(s)) for s in dashes.get_segments()]
    a = np.concatenate([s[:-1] for s in segs])
    b = np.concatenate([s[1:] for s in segs])
    assert not segments_hit_boxes(a, b, box[None, :], shrink=-2.0).any()  # 2 px of air around it


# ---------------------------------------------------------------------------------------------
# maps of every level, with no data shown
# ---------------------------------------------------------------------------------------------
def _level_values(level, drop_every=7):
    codes = maps.map_geometry(level)["codes"]
    keep = [c for i, c in enumerate(codes) if i % drop_every]
    rng = np.random.default_rng(0)
    return pd.Series(rng.gamma(2.0, size=len(keep)), index=keep), set(codes) - set(keep)


def _check_map(fig, level, missing, lang="en"):
    units = maps.map_units(fig)
    geo = maps.map_geometry(level)
    drawn = {c for c, p in zip(geo["codes"], geo["paths_main"]) if len(p.vertices)}
    assert set(units) == drawn                        # every unit of the level with a part in the frame
    assert {c for c, (_, h, _) in units.items() if h} == missing & drawn
    texts = _texts(fig)
    assert "No data" in texts and fig.nqpf_level == level
    assert any(p.get_gid() == "north_arrow" for p in fig.axes[0].patches)
    assert any(p.get_gid() == "scale_bar" for p in fig.axes[0].patches)
    if level != "province":
        assert any(c.get_gid() == "province_borders" for c in fig.axes[0].collections)


def test_province_map_every_unit_and_no_data():
    v, missing = _level_values("province")
    fig = plot_choropleth(v, "en", variable="Potential")
    _check_map(fig, "province", missing)
    title = fig.axes[0].get_legend().get_title().get_text()
    assert title.startswith("Potential\nNatural breaks (Fisher–Jenks), 5 classes")


@pytest.mark.slow
@pytest.mark.parametrize("level", ["city", "county"])
def test_city_and_county_maps_every_unit_and_no_data(level):
    v, missing = _level_values(level)
    fig = plot_choropleth(v, "en")
    _check_map(fig, level, missing)
    # the LISA map of the same units, with clusters where set
    local = pd.DataFrame({"cluster": ["HH" if i % 5 == 0 else "LL" if i % 5 == 1 else "" for i in range(len(v))]},
                         index=v.index)
    fig = plot_lisa_map(local, "en", title="t", alpha=0.05)
    _check_map(fig, level, missing)
    units = maps.map_units(fig)
    from nqpf.plot.style import QUADRANT_COLORS

    first_hh = v.index[0]
    if first_hh in units:
        assert units[first_hh][0].upper() == QUADRANT_COLORS["HH"].upper()
    assert "Significant local Moran (LISA) clusters (p ≤ 0.05)" in fig.axes[0].get_legend().get_title().get_text()
    # hot-spot map: the same function with classes="spot"
    spot = pd.DataFrame({"spot": ["hot99" if i % 3 == 0 else "ns" for i in range(len(v))]}, index=v.index)
    _check_map(plot_lisa_map(spot, "en", classes="spot"), level, missing)


# ---------------------------------------------------------------------------------------------
# label placement
# ---------------------------------------------------------------------------------------------
def test_segment_box_and_segment_crossing_by_hand():
    box = np.array([[0.0, 0.0, 10.0, 10.0]])
    a = np.array([[-5, 5], [-5, -5], [5, 5], [-5, 20], [11, 0]], dtype=float)
    b = np.array([[15, 5], [20, 20], [6, 6], [20, 20], [11, 20]], dtype=float)
    np.testing.assert_array_equal(segments_hit_boxes(a, b, box)[:, 0], [True, True, True, False, False])
    c = np.array([[0.0, 10.0], [2.0, 0.0]])
    d = np.array([[10.0, 0.0], [5.0, 1.0]])
    got = segments_cross(np.array([[0.0, 0.0]]), np.array([[10.0, 10.0]]), c, d)
    np.testing.assert_array_equal(got[0], [True, False])
    # a shared end point is not a crossing
    assert not segments_cross([[0, 0]], [[1, 1]], [[1, 1]], [[2, 0]]).any()


def _label_geometry_problems(fig):
    """Labels overlapping labels, leaders crossing labels or other leaders, conflicts: checked pair by
    pair on the drawn figure."""
    r = fig.canvas.get_renderer()
    bad = []
    for ax in fig.axes:
        labs = [t for t in ax.texts if t.get_gid() == "point_label"]
        if not labs:
            continue
        B = np.array([t.get_window_extent(r).extents for t in labs])
        for i, j in itertools.combinations(range(len(labs)), 2):
            w = min(B[i, 2], B[j, 2]) - max(B[i, 0], B[j, 0])
            h = min(B[i, 3], B[j, 3]) - max(B[i, 1], B[j, 1])
            if w > 0 and h > 0:
                bad.append(("overlap", labs[i].get_text(), labs[j].get_text()))
        lead = [(i, ax.transData.transform(t.nqpf_leader.get_xydata())) for i, t in enumerate(labs)
                if t.nqpf_leader is not None]
        for i, xy in lead:
            others = np.delete(B, i, axis=0)
            if segments_hit_boxes(xy[:1], xy[1:], others).any():
                bad.append(("leader crosses a label", labs[i].get_text()))
        for (i, p), (j, q) in itertools.combinations(lead, 2):
            if segments_cross(p[:1], p[1:], q[:1], q[1:]).any():
                bad.append(("leaders cross", labs[i].get_text(), labs[j].get_text()))
        bad += [("conflict", t.get_text()) for t in labs if t.nqpf_conflict]
    return bad


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_provincial_figure2_labels_never_overlap_nor_cross(paper, lang):
    fig = plot_moran_scatter(paper["local"], [2010, 2020], names=paper[lang], lang=lang)
    labs = [t for ax in fig.axes for t in ax.texts if t.get_gid() == "point_label"]
    assert len(labs) == 2 * len(paper["Y"])           # every province named
    assert _label_geometry_problems(fig) == []


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_scitech_figure2_labels_never_overlap_nor_cross(lang):
    """Figure 2 of the bundled science-and-technology example (29 provinces, 2011 and 2023): the dense
    lower-left cluster of the review."""
    from nqpf import pipeline

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = pipeline.run_config(_scitech_config())
    fig = res.items["fig2_moran_scatter"].draw(res, lang)
    assert _label_geometry_problems(fig) == []


def _scitech_config():
    from pathlib import Path

    return Path(__file__).resolve().parents[1] / "examples" / "scitech" / "config.toml"


def _synthetic_local(n, years=(2019, 2020), seed=0):
    rng = np.random.default_rng(seed)
    rows = []
    for yr in years:
        z = rng.normal(size=n)
        lag = 0.6 * z + 0.4 * rng.normal(size=n)
        quad = np.where(z >= 0, np.where(lag >= 0, "HH", "HL"), np.where(lag >= 0, "LH", "LL"))
        sig = np.where(np.hypot(z, lag) > 1.6, quad, "")
        rows.append(pd.DataFrame({"region": [f"R{i:05d}" for i in range(n)], "year": yr, "z": z, "lag": lag,
                                  "quadrant": quad, "p_sim": 0.01, "cluster": sig}))
    return pd.concat(rows, ignore_index=True)


def test_moran_scatter_for_thousands_of_points_names_few_and_shades_density():
    n = 3000
    local = _synthetic_local(n)
    fig = plot_moran_scatter(local, [2019, 2020], lang="en")
    for ax in fig.axes:
        labs = [t for t in ax.texts if t.get_gid() == "point_label"]
        assert 0 < len(labs) <= 20
        assert any(c.get_gid() == "moran_density" for c in ax.collections)
    leg = fig.legends[0]
    assert "Labelled: the significant regions farthest from the origin" in leg.get_title().get_text()
    assert "3,000" in leg.get_title().get_text()
    assert _label_geometry_problems(fig) == []


def test_labelled_points_rule():
    z = np.array([3.0, 2.9, -3.0, 0.1, 2.0, -0.2] + [0.0] * 70)
    lag = np.array([3.0, 2.9, -3.0, 0.1, 1.0, 0.0] + [0.0] * 70)
    sig = np.array(["HH", "HH", "LL", "", "HH", ""] + [""] * 70, dtype=object)
    # every cluster named, most extreme first, a near twin (index 1) passed over
    np.testing.assert_array_equal(labelled_points(z, lag, sig, max_labels=3), [0, 2, 4])
    np.testing.assert_array_equal(labelled_points(z[:6], lag[:6], sig[:6]), np.arange(6))  # few: all
    assert len(labelled_points(z, lag, sig, max_labels=0)) == 0


@pytest.mark.slow
def test_place_labels_scales_to_many_points():
    """Placement examines only neighbours (k-d tree): 150 labels among 20,000 drawn points."""
    import time

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    rng = np.random.default_rng(1)
    pts = rng.normal(size=(20000, 2))
    fig = Figure(figsize=(6, 6), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.set_xlim(-5, 5)
    ax.set_ylim(-5, 5)
    idx = np.argsort(-np.hypot(*pts.T))[:150]
    t0 = time.perf_counter()
    arts = place_labels(ax, pts[idx, 0], pts[idx, 1], [f"L{i}" for i in range(150)],
                        renderer=fig.canvas.get_renderer(), obstacles=np.delete(pts, idx, axis=0), passes=1)
    assert time.perf_counter() - t0 < 30
    assert len(arts) == 150


# ---------------------------------------------------------------------------------------------
# heatmaps and rank charts for many regions
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def big():
    rng = np.random.default_rng(3)
    ids = [f"R{i:04d}" for i in range(2000)]
    return pd.DataFrame(rng.random((2000, 6)), index=ids, columns=list(range(2015, 2021)))


def test_heatmap_summary_rows_against_pandas(big):
    rows, ids, left_out = heatmap_rows(big, "extremes", 15)
    order = big[2020].sort_values(ascending=False).index
    assert ids[:15] == list(order[:15]) and ids[16:] == list(order[-15:]) and ids[15] is None
    assert left_out == 2000 - 30
    G, labels, sizes = heatmap_rows(big, "deciles")
    rank = big[2020].rank(ascending=False, method="first")
    ref = big.groupby(np.ceil(rank * 10 / 2000).astype(int)).mean()
    np.testing.assert_allclose(G.to_numpy(), ref.to_numpy(), rtol=0, atol=1e-15)
    assert list(sizes) == [200] * 10


def test_heatmap_and_rank_chart_switch_to_summaries(big):
    fig = plot_heatmap(big, None, "en")
    img = fig.axes[0].images[0].get_array()
    assert img.shape[:2] == (31, 6) and fig.get_size_inches()[1] < 10   # the cells' colours (rows × years × RGBA)
    assert any("Only the 15 highest and 15 lowest of 2,000 regions in 2020" in x for x in _texts(fig))
    fig = plot_heatmap(big, None, "en", summary="deciles")
    assert fig.axes[0].images[0].get_array().shape[:2] == (10, 6)
    fig = plot_rank_changes(big, None, None, "en")
    (bars,) = [c for c in fig.axes[0].containers]
    R = ranks(big[[2015, 2020]])
    up, down = rank_movers(R, 2015, 2020, 15)
    change = (R[2015] - R[2020]).astype(float)
    ref_up = change[change > 0].sort_values(ascending=False, kind="stable").index[:15]
    assert [change[i] for i in up] == list(change[ref_up])
    assert [b.get_width() for b in bars] == [change[i] for i in up + down]
    assert any("Only the 15 regions rising most" in x for x in _texts(fig))
    # a small panel keeps one line per region
    small = big.iloc[:20]
    fig = plot_rank_changes(small, None, None, "en")
    assert len([ln for ln in fig.axes[0].lines if ln.get_gid() in small.index]) == 20


def test_summary_words_come_from_the_catalogue():
    from nqpf.i18n import catalogue

    from pathlib import Path

    src = Path(maps.__file__).read_text(encoding="utf-8")
    keys = set(re.findall(r"\bt\(\s*[\'\"]([\w.]+)[\'\"]", src))
    assert {"plot.north", "plot.km", "plot.map_projection"} <= keys
    for key in keys | {"plot.scheme.quantiles", "plot.scheme.equal_interval", "plot.classes_lisa_alpha"}:
        assert catalogue("zh").get(key) and catalogue("en").get(key), key
    with pytest.raises(InputError):
        heatmap_rows(pd.DataFrame({2020: [1.0, 2.0]}), "nope")
