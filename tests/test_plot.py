"""Tests of nqpf.plot.

Data: the paper's Table 2 scores (Ran et al. 2025, bundled by nqpf.datasets), indexed by GB/T code
through nqpf.regions, with the built-in queen contiguity (Hainan linked to Guangdong), and the local
Moran table of nqpf.spatial.moran_local on them (the figure reads it; clusters are then set by hand).
References: esda.Moran for the slope of the Moran scatter (the least-squares slope of the lag on the
standardised score equals Moran's I for row-standardised weights, Anselin 1996); numpy for the
standardised score (population s.d.) and its row-standardised lag; pandas ranking for the classes;
the 34 provincial GB/T 2260 codes; the i18n catalogues for every text.
"""
from __future__ import annotations

import re
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import esda  # noqa: E402
import matplotlib.image as mpimg  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.text import Text  # noqa: E402

import nqpf.plot as plot_pkg  # noqa: E402
import nqpf.plot.fonts as fonts  # noqa: E402
from nqpf import regions, spatial  # noqa: E402
from nqpf.datasets import load_ran2025_scores  # noqa: E402
from nqpf.errors import InputError, UnknownRegionError  # noqa: E402
from nqpf.i18n import LANGS, catalogue, t  # noqa: E402
from nqpf.plot import (  # noqa: E402
    plot_choropleth,
    plot_disparity,
    plot_heatmap,
    plot_lisa_map,
    plot_moran_scatter,
    plot_profile,
    plot_rank_changes,
    resolve_lang,
    save_figure,
)
from nqpf.plot.maps import PROVINCE_CODES  # noqa: E402

CJK = re.compile(r"[\u4e00-\u9fff]")
NO_DATA_2020 = {"540000", "630000", "710000", "810000", "820000"}  # Tibet, Qinghai, TW, HK, MO
HAVE_CJK = fonts.cjk_font() is not None
PLOT_DIR = Path(plot_pkg.__file__).parent


# ---------------------------------------------------------------------------------------------
# fixtures
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def paper():
    Y0 = load_ran2025_scores(wide=True)
    codes = regions.normalize_many(list(Y0.index))
    Y = Y0.copy()
    Y.index = codes
    zh = dict(zip(codes, Y0.index))  # code -> Chinese short name (as in Table 2)
    en = {c: regions.name(c, "en") for c in codes}
    w = regions.contiguity(codes)
    # disparity measures by their formulas (paper eqs. 8-10), computed here with numpy
    A = Y.to_numpy(dtype=float)
    m = A.mean(axis=0)
    theil = (A / m * np.log(A / m)).mean(axis=0)
    sigma = np.log(A).std(axis=0)
    cv = A.std(axis=0) / m
    D = pd.DataFrame({"year": list(Y.columns), "theil": theil, "sigma": sigma, "cv": cv})
    # the local Moran table the figures read; clusters chosen by hand for 2020
    local = spatial.moran_local(Y, w, permutations=99, seed=12345)
    local["cluster"] = ""
    for code, cl in (("310000", "HH"), ("620000", "LL"), ("610000", "HL")):
        local.loc[(local.year == 2020) & (local.region == code), "cluster"] = cl
    # long scores with deterministic sub-indices
    rng = np.random.default_rng(7)
    L = Y.stack().rename("score").reset_index()
    L.columns = ["region", "year", "score"]
    for s in ("innovation", "industry", "talent"):
        L[s] = L["score"] * rng.uniform(0.6, 1.4, len(L))
    return {"Y": Y, "zh": zh, "en": en, "w": w, "D": D, "local": local, "long": L}


def _figure(kind, p, lang):
    names = p["zh"] if lang == "zh" else p["en"]
    return {
        "disparity": lambda: plot_disparity(p["D"], lang),
        "moran": lambda: plot_moran_scatter(p["local"], [2010, 2020], names=names, lang=lang),
        "heatmap": lambda: plot_heatmap(p["Y"], names, lang),
        "ranks": lambda: plot_rank_changes(p["Y"], names, [2010, 2015, 2020], lang),
        "profile": lambda: plot_profile(p["long"], "340000", lang, names=names),
        "choropleth": lambda: plot_choropleth(p["Y"][2020], lang),
        "lisa": lambda: plot_lisa_map(p["local"], lang),
    }[kind]()


def _texts(fig):
    return [t.get_text() for t in fig.findobj(Text) if t.get_text()]


KINDS = ["disparity", "moran", "heatmap", "ranks", "profile", "choropleth", "lisa"]


# ---------------------------------------------------------------------------------------------
# every figure: files, size, fonts
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", KINDS)
def test_figure_saves_png_and_svg(kind, paper, tmp_path):
    fig = _figure(kind, paper, "en")
    dpi = 80
    out = save_figure(fig, tmp_path / "sub" / kind, formats=("png", "svg"), dpi=dpi)
    assert [f.name for f in out] == [f"{kind}.png", f"{kind}.svg"]
    img = mpimg.imread(out[0])
    w_in, h_in = fig.get_size_inches()
    # matplotlib truncates width × dpi to whole pixels
    assert abs(img.shape[0] - h_in * dpi) < 1 and abs(img.shape[1] - w_in * dpi) < 1
    assert img.std() > 0.05  # not blank
    svg = out[1].read_text(encoding="utf-8")
    assert "<svg" in svg and svg.rstrip().endswith("</svg>")
    assert sorted(p.name for p in (tmp_path / "sub").iterdir()) == sorted(f.name for f in out)  # no temp left
    assert not any(CJK.search(t) for t in _texts(fig))  # English figure, English labels


def test_png_size_at_300_dpi(paper, tmp_path):
    fig = plot_disparity(paper["D"], "en")
    (png,) = save_figure(fig, tmp_path / "fig1", formats=("png",))
    img = mpimg.imread(png)
    w_in, h_in = fig.get_size_inches()
    assert abs(img.shape[0] - h_in * 300) < 1 and abs(img.shape[1] - w_in * 300) < 1
    assert img.shape[1] > 2500  # 300 dpi, not the screen dpi


@pytest.mark.skipif(not HAVE_CJK, reason="no CJK font installed (install fonts-noto-cjk)")
@pytest.mark.parametrize("kind", KINDS)
def test_chinese_figure_has_chinese_and_no_missing_glyphs(kind, paper, tmp_path):
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        fig = _figure(kind, paper, "zh")
        save_figure(fig, tmp_path / kind, formats=("png", "svg"), dpi=60)
    texts = _texts(fig)
    assert any(CJK.search(t) for t in texts)
    glyph = [str(r.message) for r in rec if "missing from font" in str(r.message) or "Glyph" in str(r.message)]
    assert glyph == []


def test_zh_without_cjk_font_falls_back_to_english(paper, monkeypatch):
    monkeypatch.setattr(fonts, "cjk_font", lambda: None)
    monkeypatch.setattr(fonts, "_warned", False)
    with pytest.warns(fonts.CJKFontWarning, match="fonts-noto-cjk") as rec:
        lang = resolve_lang("zh")  # a caller resolves first and names the regions in that language
        names = {c: regions.name(c, "en" if lang == "en" else "short") for c in paper["Y"].index}
        fig = plot_moran_scatter(paper["local"], [2020], names=names, lang="zh")
    assert lang == "en"
    assert len(rec) == 1
    texts = _texts(fig)
    assert not any(CJK.search(t) for t in texts)
    assert "Beijing" in texts and "HH high–high" in texts


def test_cjk_warning_once_per_process(paper, monkeypatch):
    """Without a CJK font the fallback is announced once, not once per figure (it was 8 per run)."""
    monkeypatch.setattr(fonts, "cjk_font", lambda: None)
    monkeypatch.setattr(fonts, "_warned", False)
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        for kind in ("disparity", "heatmap", "choropleth", "lisa"):
            _figure(kind, paper, "zh")
        plot_moran_scatter(paper["local"], [2020], names=paper["en"], lang="zh")
        assert resolve_lang("zh") == "en"
    assert sum(issubclass(r.category, fonts.CJKFontWarning) for r in rec) == 1
    assert resolve_lang("en") == "en"


def test_bad_language_is_refused(paper):
    with pytest.raises(InputError, match="unknown language 'fr'"):
        plot_disparity(paper["D"], "fr")


# ---------------------------------------------------------------------------------------------
# Moran scatter
# ---------------------------------------------------------------------------------------------
def _fit_slopes(fig):
    lines = [ln for ln in fig.findobj(matplotlib.lines.Line2D) if ln.get_gid() == "moran_fit"]
    out = []
    for ln in lines:
        (x0, y0), (x1, y1) = ln.get_xydata()
        out.append((y1 - y0) / (x1 - x0))
    return out


def test_local_table_holds_the_scatter_quantities(paper):
    """The figure no longer computes z and lag: the local Moran table must hold what it computed,
    z standardised with the population s.d. and lag = W z with row-standardised W."""
    Y, local = paper["Y"], paper["local"]
    wr = regions.contiguity(list(Y.index))
    wr.transform = "r"
    W, ids = wr.full()
    W = pd.DataFrame(W, index=ids, columns=ids).loc[Y.index, Y.index].to_numpy()
    for year in Y.columns:
        y = Y[year].to_numpy(dtype=float)
        z = (y - y.mean()) / y.std()  # ddof=0
        lag = W @ z
        one = local[local.year == year].set_index("region").loc[Y.index]
        np.testing.assert_allclose(one["z"], z, atol=1e-12)
        np.testing.assert_allclose(one["lag"], lag, atol=1e-12)
        quad = np.where(z > 0, np.where(lag > 0, "HH", "HL"), np.where(lag > 0, "LH", "LL"))
        assert list(one["quadrant"]) == list(quad)


def test_moran_slope_equals_esda_I(paper):
    Y, local = paper["Y"], paper["local"]
    wr = regions.contiguity(list(Y.index))
    wr.transform = "r"
    ref = {yr: esda.Moran(Y[yr].to_numpy(), wr, permutations=0).I for yr in (2010, 2020)}
    # without I: the least-squares slope of lag on z, which is Moran's I here
    fig = plot_moran_scatter(local, [2010, 2020], names=paper["en"], lang="en")
    slopes = _fit_slopes(fig)
    assert len(slopes) == 2
    for slope, year in zip(slopes, [2010, 2020]):
        assert slope == pytest.approx(ref[year], abs=1e-10)
        assert any(t == f"Moran's I = {ref[year]:.3f}" for t in _texts(fig))
    # with I (the moran_global column): that slope and that value
    fig = plot_moran_scatter(local, [2010, 2020], names=paper["en"], I={2010: 0.5, "2020": -0.25},
                             lang="en")
    assert _fit_slopes(fig) == pytest.approx([0.5, -0.25], abs=1e-12)
    assert {"Moran's I = 0.500", "Moran's I = -0.250"} <= set(_texts(fig))


def test_moran_draws_the_table_without_recomputing(paper):
    """Points sit at the table's (z, lag) and take the table's quadrant colour; nothing is derived
    from scores or weights (a doctored table is drawn as given)."""
    from nqpf.plot.style import QUADRANT_COLORS

    one = paper["local"][paper["local"].year == 2020].drop(columns=["cluster", "p_sim", "Ii"]).copy()
    one["z"] = one["z"] * 2
    one["quadrant"] = "LH"
    one.loc[one.region == "110000", "quadrant"] = ""  # a region without neighbours
    fig = plot_moran_scatter(one, [2020], names=paper["en"], lang="en")
    ax = fig.axes[0]
    (sc,) = [c for c in ax.collections if len(c.get_offsets())]
    order = np.argsort(one["region"].astype(str).to_numpy(), kind="stable")
    np.testing.assert_allclose(sc.get_offsets(), one[["z", "lag"]].to_numpy()[order])
    colours = [matplotlib.colors.to_hex(c).upper() for c in sc.get_facecolors()]
    pos = list(one["region"].iloc[order]).index("110000")
    assert colours[pos] == matplotlib.colors.to_hex("0.6").upper()
    assert set(colours[:pos] + colours[pos + 1:]) == {QUADRANT_COLORS["LH"].upper()}
    assert fig.legends == []  # no cluster column: no significance legend
    # the picture does not depend on the table's row order
    a = plot_moran_scatter(paper["local"], [2020], names=paper["en"], lang="en")
    b = plot_moran_scatter(paper["local"].iloc[::-1], [2020], names=paper["en"], lang="en")
    assert [(t.get_text(), t.get_position()) for t in a.axes[0].texts] == \
        [(t.get_text(), t.get_position()) for t in b.axes[0].texts]


def test_moran_every_point_labelled_without_overlap(paper):
    fig = plot_moran_scatter(paper["local"], [2010], names=paper["en"], lang="en")
    ax = fig.axes[0]
    r = fig.canvas.get_renderer()
    en = list(paper["en"].values())
    labs = [t for t in ax.texts if t.get_text() in set(en)]
    assert sorted(t.get_text() for t in labs) == sorted(en)
    boxes = np.array([t.get_window_extent(r).extents for t in labs])
    area = ((boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])).sum()
    ov = 0.0
    for i in range(len(boxes)):
        for j in range(i + 1, len(boxes)):
            w_ = min(boxes[i, 2], boxes[j, 2]) - max(boxes[i, 0], boxes[j, 0])
            h_ = min(boxes[i, 3], boxes[j, 3]) - max(boxes[i, 1], boxes[j, 1])
            ov += max(w_, 0) * max(h_, 0)
    assert ov < 0.02 * area  # placement keeps labels apart (a plain offset overlaps far more)
    axb = ax.get_window_extent(r)
    assert (boxes[:, 0] >= axb.x0 - 1).all() and (boxes[:, 2] <= axb.x1 + 1).all()


def _label_ambiguities(fig, local, years, names):
    """(label, own distance, nearest other distance) of every label nearer to another point than
    to its own and drawn without a leader line; distances from the label box to the points, pixels.
    ``names``: region id -> shown name."""
    from nqpf.plot._placement import box_point_distance

    r = fig.canvas.get_renderer()
    bad, n_leaders = [], 0
    for ax, yr in zip(fig.axes, years):
        d = local[local.year == yr]
        shown = [names[c] for c in d["region"]]
        pos = {nm: k for k, nm in enumerate(shown)}
        pts = ax.transData.transform(d[["z", "lag"]].to_numpy())
        labs = [t for t in ax.texts if t.get_gid() == "point_label"]
        assert sorted(t.get_text() for t in labs) == sorted(shown)
        leaders = [ln for ln in ax.lines if ln.get_gid() == "label_leader"]
        n_leaders += len(leaders)
        assert {id(t.nqpf_leader) for t in labs if t.nqpf_leader is not None} == {id(ln) for ln in leaders}
        for t in labs:
            k = pos[t.get_text()]
            dist = box_point_distance(t.get_window_extent(r).extents, pts)
            own, other = dist[k], np.delete(dist, k).min()
            if t.nqpf_leader is None and not own < other:
                bad.append((yr, t.get_text(), round(own, 1), round(other, 1)))
            if t.nqpf_leader is not None:  # the leader starts at the point and ends on the box
                xy = ax.transData.transform(t.nqpf_leader.get_xydata())
                assert np.hypot(*(xy[0] - pts[k])) < 10
                assert box_point_distance(t.get_window_extent(r).extents, xy[1:])[0] < 1.5
    return bad, n_leaders


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_moran_label_nearest_own_point_or_leader(paper, lang):
    """Every label is nearer to its own point than to any other, unless a leader line joins them.

    The case found in review: in 2010 the one significant LL point (Sichuan) had another region's
    label right beside it; significant points now choose their position first.
    """
    if lang == "zh" and not HAVE_CJK:
        pytest.skip("no CJK font installed")
    Y, names = paper["Y"], paper[lang]
    local = paper["local"].copy()
    local.loc[(local.year == 2010) & (local.region == "510000"), "cluster"] = "LL"
    fig = plot_moran_scatter(local, [2010, 2020], names=names, lang=lang)
    bad, n_leaders = _label_ambiguities(fig, local, [2010, 2020], names)
    assert bad == []
    assert n_leaders < 0.6 * 2 * len(Y)  # leaders are the exception, not the rule
    # the significant LL point keeps its label beside it (first ring, no leader) in bold
    ax = fig.axes[0]
    (sc,) = [t for t in ax.texts if t.get_text() == names["510000"]]
    assert sc.nqpf_leader is None and sc.get_fontweight() == "bold"


def test_place_labels_crowded_points_are_unambiguous():
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from nqpf.plot._placement import box_point_distance, place_labels

    rng = np.random.default_rng(3)
    x, y = rng.normal(size=40), rng.normal(size=40) * 0.6  # a dense cloud

    def run(priority):
        fig = Figure(figsize=(5, 3.75), dpi=100)
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        ax.set_xlim(-3.5, 3.5)
        ax.set_ylim(-2.5, 2.5)
        r = fig.canvas.get_renderer()
        arts = place_labels(ax, x, y, [f"R{i:02d}" for i in range(40)], renderer=r, priority=priority)
        pts = ax.transData.transform(np.column_stack([x, y]))
        for i, t in enumerate(arts):
            dist = box_point_distance(t.get_window_extent(r).extents, pts)
            assert t.nqpf_leader is not None or dist[i] < np.delete(dist, i).min(), i
        return [t.nqpf_leader is not None for t in arts]

    base = run(None)
    crowded = [i for i, has in enumerate(base) if has]
    assert 0 < len(crowded) < 20
    # a highlighted point chooses first: some crowded points then need no leader (found by running
    # every crowded point highlighted in turn: 7 of the 13 do)
    freed = []
    for i in crowded:
        pri = np.zeros(40, dtype=int)
        pri[i] = 1
        if not run(pri)[i]:
            freed.append(i)
    assert len(freed) >= len(crowded) // 3
    # the hand-computed distance of a rectangle to points (inside, beside, diagonal 3-4-5)
    np.testing.assert_allclose(box_point_distance((0, 0, 2, 1), [(1, 0.5), (3, 0.5), (5, 5)]),
                               [0.0, 1.0, 5.0], atol=1e-12)


@pytest.mark.parametrize("kind", ["moran", "heatmap", "ranks", "profile"])
def test_figures_show_the_names_given(kind, paper):
    """Figures show the names the caller gives (already in the output language) and guess none:
    English names give no CJK text; an id missing from the names is shown as the id."""
    p = paper
    names = dict(p["en"])
    names["150000"] = "My Inner Mongolia"
    del names["340000"]  # Anhui: shown as its id
    fig = {
        "moran": lambda: plot_moran_scatter(p["local"], [2010, 2020], names=names, lang="en"),
        "heatmap": lambda: plot_heatmap(p["Y"], names, "en"),
        "ranks": lambda: plot_rank_changes(p["Y"], names, [2010, 2020], "en"),
        "profile": lambda: plot_profile(p["long"], "150000", "en", names=names),
    }[kind]()
    fig.canvas.draw()  # tick labels are made at draw time
    texts = _texts(fig)
    assert not [t for t in texts if CJK.search(t)]
    assert any("My Inner Mongolia" in t for t in texts)
    if kind != "profile":
        assert any("340000" in t for t in texts) and not any("Anhui" in t for t in texts)


def test_names_are_not_translated(paper):
    """Chinese names stay Chinese even in an English figure: naming is the caller's job."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # glyphs missing from DejaVu Sans
        fig = plot_heatmap(paper["Y"], paper["zh"], "en")
        fig.canvas.draw()
    assert "内蒙古" in _texts(fig)


def test_display_names_rules():
    from nqpf.plot.style import display_names

    ids = ["110000", "x", "y", 7]
    names = {"x": "内蒙古", "y": "My region", 7: "Seven"}
    assert display_names(ids, names) == ["110000", "内蒙古", "My region", "Seven"]
    assert display_names(ids, None) == ["110000", "x", "y", "7"]
    assert display_names(["黑龙江省"], {}) == ["黑龙江省"]


NEG_ZERO = re.compile(r"(?<![\w.])[-\u2212]0(?:\.0*)?(?![\d.]*[1-9])")


def test_no_negative_zero_in_any_text(paper):
    from nqpf.plot.style import fmt_number

    assert fmt_number(-0.0004) == "0.000" and fmt_number(-0.0) == "0.000"
    assert fmt_number(-0.004, "{:.2f}") == "-0.00"[1:] and fmt_number(-0.01, "{:.2f}") == "-0.01"
    assert NEG_ZERO.search("x -0.000") and NEG_ZERO.search("-0") and not NEG_ZERO.search("-0.01")
    Y = paper["Y"] - paper["Y"].mean()  # centred scores: some round to zero from below
    Y.iloc[0, 0] = -0.0004
    v = paper["Y"][2020] - paper["Y"][2020].median() - 0.0004
    figs = [plot_heatmap(Y, None, "en", fmt="{:.2f}"), plot_choropleth(v, "en", scheme="quantiles"),
            plot_moran_scatter(paper["local"], [2010, 2020], names=paper["en"], lang="en")]
    for fig in figs:
        fig.canvas.draw()
        bad = [t for t in _texts(fig) if NEG_ZERO.search(t)]
        assert bad == []


def test_moran_highlights_significant_points(paper):
    fig = plot_moran_scatter(paper["local"], [2020], names=paper["en"], lang="en")
    cols = [c for c in fig.axes[0].collections if len(c.get_offsets())]
    sizes = sorted(len(c.get_offsets()) for c in cols)
    assert sizes == [3, 26]  # 3 significant (HH, LL, HL) vs the rest
    assert len(fig.legends) == 1


def test_moran_table_errors(paper):
    local = paper["local"]
    with pytest.raises(InputError, match="lacks column"):
        plot_moran_scatter(local.drop(columns=["lag"]), [2020], lang="en")
    with pytest.raises(InputError, match="2031"):
        plot_moran_scatter(local, [2010, 2031], lang="en")
    with pytest.raises(InputError, match="years is empty"):
        plot_moran_scatter(local, [], lang="en")
    with pytest.raises(InputError, match="more than once"):
        plot_moran_scatter(pd.concat([local, local.iloc[[0]]]), [int(local.year.iloc[0])], lang="en")
    bad = local.copy()
    bad.loc[(bad.year == 2020) & (bad.region == "110000"), "z"] = np.nan
    with pytest.raises(InputError, match="110000"):
        plot_moran_scatter(bad, [2020], lang="en")
    with pytest.raises(InputError, match="local Moran table"):
        plot_moran_scatter(paper["Y"].to_numpy(), [2020], lang="en")


def test_moran_island_has_no_quadrant_and_line_slope_is_I(paper):
    """Hainan without neighbours: no quadrant, never a cluster, drawn hollow; the line takes the
    global I given (which differs from the least-squares slope when there are islands)."""
    Y = paper["Y"]
    w = regions.contiguity(list(Y.index), island="none")
    local = spatial.moran_local(Y, w, permutations=99, seed=1)
    mg = spatial.moran_global(Y, w, permutations=0)
    I = dict(zip(mg["year"], mg["I"]))
    fig = plot_moran_scatter(local, [2020], names=paper["en"], I=I, lang="en")
    assert _fit_slopes(fig) == pytest.approx([I[2020]], abs=1e-12)
    one = local[local.year == 2020]
    z, lag = one["z"].to_numpy(), one["lag"].to_numpy()
    assert abs(z @ lag / (z @ z) - I[2020]) > 1e-3  # the case where the two differ
    assert f"Moran's I = {I[2020]:.3f}" in _texts(fig)
    hainan = one[one.region == "460000"]
    assert list(hainan["quadrant"]) == [""] and list(hainan["cluster"]) == [""]
    (hollow,) = [c for c in fig.axes[0].collections
                 if len(c.get_offsets()) and (c.get_facecolors()[:, :3] == 1).all()]
    assert (np.abs(hollow.get_offsets() - hainan[["z", "lag"]].to_numpy()).sum(axis=1) < 1e-12).any()
    # a missing I (NaN) falls back to the least-squares slope
    fig = plot_moran_scatter(local, [2020], names=paper["en"], I={2020: float("nan")}, lang="en")
    assert _fit_slopes(fig) == pytest.approx([z @ lag / (z @ z)], abs=1e-12)


# ---------------------------------------------------------------------------------------------
# maps
# ---------------------------------------------------------------------------------------------
def _units(fig, inset=False):
    """Code → (face colour, hatched, path) of the units drawn, read from the figure's collections."""
    from nqpf.plot.maps import map_units

    return map_units(fig, inset=inset)


def test_choropleth_draws_all_34_units_and_no_data(paper):
    v = paper["Y"][2020]
    fig = plot_choropleth(v, "en")
    main = _units(fig)
    assert set(main) == set(PROVINCE_CODES) and len(PROVINCE_CODES) == 34
    # the South China Sea inset draws the units within its window (Hainan, Guangdong, Taiwan ...)
    assert {"460000", "440000", "450000", "710000"} <= set(_units(fig, inset=True))
    hatched = {c for c, (_, h, _) in main.items() if h}
    assert hatched == NO_DATA_2020
    assert "No data" in _texts(fig)
    # classes are monotone in the value: a higher score never gets a lighter colour class
    legend = fig.axes[0].get_legend()
    palette = [matplotlib.colors.to_hex(h.get_facecolor()) for h in legend.legend_handles[:-1]]
    cls = {c: palette.index(main[c][0]) for c in v.index}
    order = v.sort_values().index
    assert all(cls[a] <= cls[b] for a, b in zip(order[:-1], order[1:]))
    assert cls[order[0]] == 0 and cls[order[-1]] == len(palette) - 1
    # the legend title names the variable and the classification
    assert legend.get_title().get_text() == "Composite score\nNatural breaks (Fisher–Jenks), 5 classes"


def test_map_main_frame_has_no_south_china_sea_fragments_and_no_specks(paper):
    """The main frame ends just south of Hainan (≈ 18°N): whole Hainan Island inside, nothing cut at
    the bottom edge (islands and dashes south of it only in the inset); no sliver holes in the
    national outline (they showed as dark specks on inner borders)."""
    from matplotlib.collections import LineCollection

    from nqpf.plot.maps import province_geometry

    geo = province_geometry()
    assert all(len(p.interiors) == 0 for p in geo["outline"].geoms)
    fig = plot_choropleth(paper["Y"][2020], "en")
    ax = fig.axes[0]
    y0, y1 = ax.get_ylim()
    x0, x1 = ax.get_xlim()
    main = _units(fig)
    for code, (_, _, path) in main.items():
        v = path.vertices
        if len(v):
            assert v[:, 1].min() >= y0 and v[:, 1].max() <= y1 and v[:, 0].min() >= x0, code
    hainan = max(province_geometry()["provinces"]["460000"].geoms, key=lambda g: g.area)
    hv = main["460000"][2].vertices
    assert hv[:, 1].min() <= hainan.bounds[1] + 1e-6  # the island itself is drawn in the main map
    lines = [c for c in ax.collections if isinstance(c, LineCollection)]
    segs = [s for c in lines for s in c.get_segments()]
    assert segs and all(np.asarray(s)[:, 1].min() >= y0 for s in segs)
    # no piece of the nine-dash line in the main frame (two dashes used to show beside the inset)
    assert not [c for c in lines if "dashes" in (c.get_gid() or "") and c.axes is ax]
    # Hainan's south coast is at about 18.2°N; the cut lies between 17°N and Hainan
    from pyproj import Transformer

    from nqpf.plot.maps import ALBERS_CHINA

    t = Transformer.from_crs("EPSG:4326", ALBERS_CHINA, always_xy=True)
    assert t.transform(110.0, 17.0)[1] < y0 < hainan.bounds[1]
    # the South China Sea islands and the dashes south of the cut are still in the inset
    assert len(_units(fig, inset=True)["460000"][2].vertices) > len(hv)


def test_choropleth_quantiles_and_missing_values(paper):
    v = paper["Y"][2020].copy()
    v["110000"] = np.nan
    fig = plot_choropleth(v, "en", scheme="quantiles", k=4)
    main = _units(fig)
    assert {c for c, (_, h, _) in main.items() if h} == NO_DATA_2020 | {"110000"}
    counts = pd.Series([main[c][0] for c in v.dropna().index])
    assert sorted(counts.value_counts()) == [7, 7, 7, 7]  # 28 values in 4 quantile classes


def test_choropleth_unknown_region():
    with pytest.raises(UnknownRegionError):
        plot_choropleth(pd.Series({"110000": 1.0, "999999": 2.0}), "en")


def test_lisa_map_colours_follow_clusters(paper):
    from nqpf.plot.style import NOT_SIGNIFICANT_COLOR, QUADRANT_COLORS

    fig = plot_lisa_map(paper["local"], "en", year=2020)
    main = _units(fig)
    hexed = {c: col.upper() for c, (col, _, _) in main.items()}
    assert hexed["310000"] == QUADRANT_COLORS["HH"].upper()
    assert hexed["620000"] == QUADRANT_COLORS["LL"].upper()
    assert hexed["610000"] == QUADRANT_COLORS["HL"].upper()
    assert hexed["110000"] == NOT_SIGNIFICANT_COLOR.upper()
    assert {c for c, (_, h, _) in main.items() if h} == NO_DATA_2020


# ---------------------------------------------------------------------------------------------
# saving and labels
# ---------------------------------------------------------------------------------------------
def test_save_figure_rejects_unknown_format(paper, tmp_path):
    fig = plot_disparity(paper["D"], "en")
    with pytest.raises(InputError, match="unsupported"):
        save_figure(fig, tmp_path / "x", formats=("png", "docx"))
    assert list(tmp_path.iterdir()) == []


def test_rank_changes_texts(paper):
    fig = plot_rank_changes(paper["Y"], paper["en"], None, "en")
    texts = _texts(fig)
    # 2010 rank of Beijing and 2020 rank of Guangdong from Table 2 (0.6732 highest in 2010,
    # 0.5530 highest in 2020)
    assert "Beijing  1" in texts
    assert any(t.startswith("1  Guangdong") for t in texts)


def test_disparity_group_columns_are_labelled_from_the_catalogue(paper):
    """Per-group Theil columns carry language-free group codes (``theil_T[east]``); panel titles
    come from the catalogue."""
    from nqpf.plot.trends import measure_label

    D = paper["D"].assign(**{"theil_T[east]": paper["D"]["theil"] * 0.5})
    for asked in LANGS:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", fonts.CJKFontWarning)
            lang = resolve_lang(asked)  # "en" for "zh" without a CJK font
            fig = plot_disparity(D, asked, measures=("theil", "theil_T[east]"))
        titles = [ax.get_title() for ax in fig.axes]
        east = t("col.theil_T", lang) + "[" + t("cat.group.east", lang) + "]"
        assert titles == [t("plot.theil", lang), east]
        assert fig._suptitle.get_text() == t("plot.fig_disparity", lang)
    assert measure_label("theil_T[east]", "en") == "Theil T[East]"
    assert measure_label("theil_T[east]", "zh") == "泰尔指数 T[东部]"
    assert measure_label("theil_s[east,west]", "zh").endswith("[东部，西部]")
    assert measure_label("my_measure", "en") == "my_measure"


def test_profile_names_and_subindex_names(paper):
    fig = plot_profile(paper["long"], "340000", "en", names=paper["en"],
                       subindex_names={"innovation": "Innovation (w=0.4)"})
    fig.canvas.draw()
    texts = _texts(fig)
    assert "Anhui 2020: " + t("plot.fig_profile", "en") in texts
    assert {"Composite score", "Innovation (w=0.4)", "industry", "National mean", "Anhui"} <= set(texts)


def _catalogue_keys_used_by_plot() -> set[str]:
    """Every catalogue key the figure modules ask for: literal ``t("...")`` keys plus the families
    they build (quadrants, clusters, region groups, disparity measures)."""
    keys = set()
    for f in sorted(PLOT_DIR.glob("*.py")):
        keys |= set(re.findall(r"\bt\(\s*[\'\"]([\w.]+)[\'\"]", f.read_text(encoding="utf-8")))
    quads = ("HH", "LH", "LL", "HL")
    keys |= {f"cat.quadrant.{q}" for q in quads} | {f"cat.cluster.{q}" for q in quads}
    keys |= {f"cat.group.{g}" for g in regions.GROUP_CODES.values()}
    keys |= {f"plot.{m}" for m in ("theil", "sigma", "cv", "gini", "composite")}
    return keys


def test_every_figure_text_is_in_both_catalogues():
    keys = _catalogue_keys_used_by_plot()
    assert {"plot.fig_moran_scatter", "plot.moran_I_value", "plot.fig_lisa_map_year", "plot.no_data",
            "plot.south_china_sea", "plot.fig_profile_region", "plot.cluster_lisa"} <= keys
    for key in sorted(keys):
        zh, en = catalogue("zh").get(key), catalogue("en").get(key)
        assert zh and en, key
        assert not CJK.search(en), key
        if key.startswith(("plot.fig", "plot.score", "plot.no_data", "plot.not_sig", "cat.")):
            assert CJK.search(zh), key
    assert t("plot.moran_I_value", "en", I="0.236") == "Moran's I = 0.236"
    assert t("plot.fig_lisa_map_year", "zh", year=2020) == "LISA 集聚图 2020"


def test_figures_use_only_the_catalogues():
    """No second home for language: nqpf.labels is gone, nothing imports it, and no figure module
    chooses between two literal texts by language (fonts may be chosen by language)."""
    import importlib.util

    src = PLOT_DIR.parent
    assert importlib.util.find_spec("nqpf.labels") is None
    for f in sorted(src.rglob("*.py")):
        text = f.read_text(encoding="utf-8")
        assert not re.search(r"from\s+(nqpf|\.+)\s+import\s+labels\b|nqpf\.labels|from\s+\.+labels\s+import",
                             text), f
    for f in sorted(PLOT_DIR.glob("*.py")):
        if f.name in ("fonts.py", "style.py"):
            continue
        text = f.read_text(encoding="utf-8")
        assert not re.search(r"lang\s*==\s*[\'\"]|[\'\"]\s*==\s*lang", text), f.name
