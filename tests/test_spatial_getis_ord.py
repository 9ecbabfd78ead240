"""Local Getis–Ord G_i* (nqpf.spatial.getis_ord) against esda 2.9's G_Local, exact enumeration and
hand computation, on the paper's data and on lattices."""
from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from scipy import stats

libpysal = pytest.importorskip("libpysal")
esda = pytest.importorskip("esda")
from libpysal.weights import W, lat2W  # noqa: E402

from nqpf import datasets, regions  # noqa: E402
from nqpf.errors import InputError  # noqa: E402
from nqpf.spatial import getis_ord_local  # noqa: E402
from nqpf.spatial.getis_ord import SPOTS, classify_spots  # noqa: E402

pytestmark = [
    pytest.mark.filterwarnings("ignore:.*island.*"),
    pytest.mark.filterwarnings("ignore:.*disconnected.*"),
    pytest.mark.filterwarnings("ignore:Gi\\* requested:UserWarning"),        # esda, binary W with "R"
    pytest.mark.filterwarnings("ignore:The alternative hypothesis:DeprecationWarning"),  # esda crand
    pytest.mark.filterwarnings("ignore:`row_stack` alias:DeprecationWarning"),  # esda crand
]

TOL = 1e-10


def _paper():
    Y = datasets.load_ran2025_scores(wide=True)
    codes = [regions.normalize(r) for r in Y.index]
    Y.index = codes
    return Y, lambda: regions.contiguity(codes, island="guangdong")


def _lattice():
    w = lat2W(7, 8)
    rng = np.random.default_rng(1)
    X = rng.lognormal(size=(w.n, 4)) + np.arange(w.n)[:, None] / 20  # a trend: some hot and cold spots
    return pd.DataFrame(X, index=list(w.id_order), columns=[2001, 2002, 2003, 2004]), lambda: lat2W(7, 8)


def _island_w():
    base = lat2W(6, 6)
    neigh = {i: [j for j in base.neighbors[i] if j != 7] for i in base.id_order}
    neigh[7] = []  # region 7 becomes an island
    return W(neigh, silence_warnings=True)


DATA = {"paper": _paper, "lattice": _lattice}


def _esda(y, w, transform, star, **kw):
    return esda.G_Local(y, w, transform=transform.upper(), star=star, **kw)


def _has_numba() -> bool:
    try:
        import numba  # noqa: F401
    except ImportError:
        return False
    return True


def _year(out, year, col):
    return out.loc[out["year"] == year, col].to_numpy()


# --------------------------------------------------------------------------- G, z, p_norm vs esda
@pytest.mark.parametrize("data", sorted(DATA))
@pytest.mark.parametrize("star", [True, False])
def test_matches_esda_every_year(data, star):
    Y, make_w = DATA[data]()
    w = make_w()
    out = {t: getis_ord_local(Y, w, star=star, transform=t, permutations=0) for t in "rb"}
    assert w.transform == "O" and (w.sparse.diagonal() == 0).all()  # the caller's W is untouched
    n = Y.shape[0]
    N = n if star else n - 1
    card = np.array([w.cardinalities[i] for i in Y.index], dtype=float)
    S1_r = 1.0 / (card + 1) if star else 1.0 / card  # Σ_j w_ij² of a row-standardised row
    for year in Y.columns:
        y = Y[year].to_numpy()
        gb = _esda(y, make_w(), "b", star, permutations=0)
        gr = _esda(y, make_w(), "r", star, permutations=0)
        # G equals esda's Gs for both transformations
        np.testing.assert_allclose(_year(out["b"], year, "G"), gb.Gs, rtol=TOL, atol=TOL)
        np.testing.assert_allclose(_year(out["r"], year, "G"), gr.Gs, rtol=TOL, atol=TOL)
        # binary: z is esda's Zs; p_norm is two-sided, twice esda's one-sided p_norm
        z = _year(out["b"], year, "z")
        np.testing.assert_allclose(z, gb.Zs, rtol=TOL, atol=TOL)
        np.testing.assert_allclose(_year(out["b"], year, "p_norm"), 2 * gb.p_norm, rtol=TOL, atol=TOL)
        # row-standardised: z does not depend on a row's scale, so it is the binary z ...
        np.testing.assert_allclose(_year(out["r"], year, "z"), z, rtol=TOL, atol=TOL)
        np.testing.assert_allclose(_year(out["r"], year, "p_norm"), 2 * gb.p_norm, rtol=TOL, atol=TOL)
        # ... while esda's "R" Zs applies the binary variance with W_i = 1 (module notes): exactly
        np.testing.assert_allclose(gr.Zs, z * np.sqrt((N * S1_r - 1) / (N - 1)), rtol=TOL, atol=TOL)
    assert (out["r"]["spot"] == out["b"]["spot"]).all()
    assert list(out["r"].columns) == ["region", "year", "G", "z", "p_norm", "p_sim", "spot"]
    assert out["r"]["region"].tolist() == list(Y.index) * Y.shape[1]


def _perm_moments(x, Wm, i, star):
    """Exact mean and variance of G_i over every permutation (star: all n values permuted; G_i: the
    other n − 1 values permuted, x_i fixed)."""
    n = len(x)
    others = [j for j in range(n) if j != i]
    sims = []
    if star:
        for p in itertools.permutations(range(n)):
            sims.append(Wm[i] @ x[list(p)] / x.sum())
    else:
        for p in itertools.permutations(others):
            xp = x.copy()
            xp[others] = x[list(p)]
            sims.append(Wm[i] @ xp / (x.sum() - x[i]))
    sims = np.array(sims)
    return sims.mean(), sims.var()


@pytest.mark.parametrize("star", [True, False])
@pytest.mark.parametrize("transform", ["r", "b"])
def test_z_is_the_exact_randomisation_z(star, transform):
    """z = (G − E[G]) / sd[G] over every permutation of the values (7! = 5040): the variance is the
    randomisation variance for either transformation."""
    w = lat2W(2, 3)
    # region 6 joined to 0, 1 and 4 (unequal neighbourhood sizes)
    neigh = {i: list(v) for i, v in w.neighbors.items()}
    neigh[6] = [0, 1, 4]
    for j in neigh[6]:
        neigh[j] = neigh[j] + [6]
    w = W(neigh, silence_warnings=True)
    x = np.array([3.0, 1.0, 4.0, 1.5, 5.0, 9.0, 2.6])
    Y = pd.DataFrame({2000: x}, index=list(w.id_order))
    out = getis_ord_local(Y, w, star=star, transform=transform, permutations=0)
    B = w.full()[0] + (np.eye(7) if star else 0)
    Wm = B / B.sum(axis=1, keepdims=True) if transform == "r" else B
    for i in range(7):
        mean, var = _perm_moments(x, Wm, i, star)
        assert out["G"].iloc[i] == pytest.approx(Wm[i] @ x / (x.sum() - (0 if star else x[i])), abs=TOL)
        assert out["z"].iloc[i] == pytest.approx((out["G"].iloc[i] - mean) / np.sqrt(var), abs=1e-9)


# ---------------------------------------------------------------------------------------- p_sim
@pytest.mark.parametrize("star", [True, False])
def test_p_sim_exact_conditional_enumeration(star):
    # n = 6; for each i, k_i neighbours drawn (ordered) from the other 5 values: enumerate every draw
    w = W({0: [1], 1: [0, 2, 5], 2: [1, 3], 3: [2, 4], 4: [3, 5], 5: [4, 1]}, silence_warnings=True)
    x = np.array([2.0, 5.0, 1.0, 4.0, 3.5, 0.5])
    Y = pd.DataFrame({2000: x}, index=range(6))
    R = 20000
    res = getis_ord_local(Y, w, star=star, permutations=R, seed=5, alternative="greater")
    two = getis_ord_local(Y, w, star=star, permutations=R, seed=5)
    for i in range(6):
        nb = w.neighbors[i]
        others = [j for j in range(6) if j != i]
        k = len(nb) + star
        den = x.sum() if star else x.sum() - x[i]
        obs = (x[nb].sum() + star * x[i]) / k / den
        sims = np.array([(x[list(d)].sum() + star * x[i]) / k / den for d in itertools.permutations(others, len(nb))])
        ge, le = np.mean(sims >= obs - 1e-12), np.mean(sims <= obs + 1e-12)
        p = res["p_sim"].iloc[i]
        assert abs(p - ge) < 5 * np.sqrt(ge * (1 - ge) / R) + 2 / (R + 1), (i, p, ge)
        exact_two = min(1.0, 2 * min(ge, le))
        assert abs(two["p_sim"].iloc[i] - exact_two) < 10 * np.sqrt(0.25 / R) + 2 / (R + 1), i


@pytest.mark.slow  # esda compiles its numba kernels on the first call (about 40 s)
@pytest.mark.parametrize("data", sorted(DATA))
def test_p_sim_vs_esda_within_sampling_error(data):
    Y, make_w = DATA[data]()
    R = 9999
    ours = getis_ord_local(Y, make_w(), permutations=R, seed=2, alternative="directed")
    diffs = []
    for year in list(Y.columns)[:3]:
        g = _esda(Y[year].to_numpy(), make_w(), "r", True, permutations=R, seed=1)
        p = _year(ours, year, "p_sim")
        sd = np.sqrt(2 * g.p_sim * (1 - g.p_sim) / R)
        ok = np.abs(p - g.p_sim) < 5 * sd + 3 / (R + 1)
        # esda's numba-compiled conditional randomisation (used when numba is installed, as giddy
        # requires) gives a different p_sim for regions with a single neighbour (Hainan 0.069 in 2010
        # where esda's numpy path gives 0.107 and ours 0.102): those are compared only without numba
        single = np.array([make_w().cardinalities[i] == 1 for i in Y.index]) if _has_numba() \
            else np.zeros(len(Y), bool)
        assert np.all(ok | single), year
        diffs.append((p - g.p_sim)[~single])
    assert abs(np.concatenate(diffs).mean()) < 0.005  # no systematic difference


def test_seed_determinism_and_transforms_share_draws():
    Y, make_w = _paper()
    a = getis_ord_local(Y, make_w(), permutations=199, seed=7)
    b = getis_ord_local(Y, make_w(), permutations=199, seed=7)
    c = getis_ord_local(Y, make_w(), permutations=199, seed=8)
    pd.testing.assert_frame_equal(a, b)
    assert not np.allclose(a["p_sim"], c["p_sim"])
    # "r" and "b" order the draws the same way: identical pseudo p-values with the same seed
    rb = getis_ord_local(Y, make_w(), permutations=199, seed=7, transform="b")
    np.testing.assert_array_equal(a["p_sim"], rb["p_sim"])
    assert a["p_sim"].between(1 / 200, 1).all()
    none = getis_ord_local(Y, make_w(), permutations=0)
    assert none["p_sim"].isna().all() and (none["spot"] == a["spot"]).all()
    assert a.attrs == dict(star=True, transform="r", permutations=199, seed=7, alpha=0.10, correction=None,
                           alternative="two-sided")


# ----------------------------------------------------------------------------------- correction
def _bh_loop(p):
    """Benjamini–Hochberg written out plainly."""
    idx = [i for i in range(len(p)) if np.isfinite(p[i])]
    m = len(idx)
    srt = sorted(idx, key=lambda i: p[i])
    q = [0.0] * len(p)
    running = 1.0
    for r in range(m, 0, -1):
        i = srt[r - 1]
        running = min(running, p[i] * m / r)
        q[i] = running
    return np.array(q)


@pytest.mark.parametrize("correction", [None, "fdr", "bonferroni"])
def test_correction_decides_spot_per_year(correction):
    Y, make_w = _paper()
    base = getis_ord_local(Y, make_w(), permutations=0)
    out = getis_ord_local(Y, make_w(), permutations=0, correction=correction)
    pd.testing.assert_frame_equal(out.drop(columns="spot"), base.drop(columns="spot"))  # p_norm unadjusted
    n = Y.shape[0]
    changed = 0
    for year in Y.columns:
        p = _year(out, year, "p_norm")
        z = _year(out, year, "z")
        q = {None: p, "fdr": _bh_loop(p), "bonferroni": np.minimum(1, n * p)}[correction]
        expect = np.where(z > 0, "hot", "cold").astype(object)
        lvl = np.where(q <= 0.01, "99", np.where(q <= 0.05, "95", np.where(q <= 0.10, "90", "")))
        expect = np.where(lvl == "", "ns", expect + lvl)
        assert _year(out, year, "spot").tolist() == expect.tolist(), year
        changed += int((_year(out, year, "spot") != _year(base, year, "spot")).sum())
    if correction is None:
        assert changed == 0
    else:
        assert changed > 0  # the correction matters on these data
    rank = {s: k for k, s in enumerate(["hot99", "hot95", "hot90", "ns"])}
    strength = lambda s: rank[s.replace("cold", "hot")]  # noqa: E731
    # a correction never makes a region-year more significant
    assert all(strength(a) >= strength(b) for a, b in zip(out["spot"], base["spot"]))


# ---------------------------------------------------------------------------------------- spot
def test_spot_boundaries():
    z = np.array([1.644, 1.645, 1.959, 1.960, 2.575, 2.576, 0.0, np.nan])
    p = 2 * stats.norm.sf(np.abs(z))
    hot = ["ns", "hot90", "hot90", "hot95", "hot95", "hot99", "ns", "ns"]
    assert classify_spots(z, p).tolist() == hot
    assert classify_spots(-z, p).tolist() == [s.replace("hot", "cold") for s in hot]
    # the rounded critical values lie above the exact quantiles; at a level, p ≤ level is significant
    assert (np.array([1.645, 1.960, 2.576]) > stats.norm.isf([0.05, 0.025, 0.005])).all()
    assert classify_spots([1.0, 1.0, 1.0], [0.10, 0.05, 0.01]).tolist() == ["hot90", "hot95", "hot99"]
    assert classify_spots([1.0], [0.1000001]).tolist() == ["ns"]
    # alpha: levels above it are not reported
    assert classify_spots(z, p, alpha=0.05).tolist() == ["ns", "ns", "ns", "hot95", "hot95", "hot99", "ns", "ns"]
    assert set(classify_spots(np.linspace(-4, 4, 81), 2 * stats.norm.sf(np.abs(np.linspace(-4, 4, 81))))) == set(SPOTS)


def test_islands_are_never_spots():
    w = _island_w()
    X = np.zeros((36, 2))
    X[:, 0] = np.arange(36.0)
    X[:, 1] = (np.arange(36) % 6) ** 2 + 1.0
    X[7] = 40.0  # the largest value, on an island
    Y = pd.DataFrame(X, index=list(w.id_order), columns=[2019, 2020])
    for star in (True, False):
        for correction in (None, "bonferroni"):
            out = getis_ord_local(Y, w, star=star, permutations=99, correction=correction)
            isl = out[out["region"] == 7]
            assert (isl["spot"] == "ns").all()
            assert isl[["G", "z", "p_norm", "p_sim"]].isna().all().all()
            rest = out[out["region"] != 7]
            assert rest[["G", "z", "p_norm", "p_sim"]].notna().all().all()
            if correction is None:
                assert (rest["spot"] != "ns").any()
    # the island is not counted in m of the correction: m = 35
    out = getis_ord_local(Y, w, permutations=0, correction="bonferroni")
    p = _year(out, 2019, "p_norm")
    z = _year(out, 2019, "z")
    np.testing.assert_array_equal(_year(out, 2019, "spot"), classify_spots(z, np.minimum(1, 35 * p)))


# ----------------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("kw, match", [
    ({"permutations": -1}, "permutations must be a whole number"),
    ({"permutations": 9.5}, "permutations must be a whole number"),
    ({"correction": "holm"}, "correction must be None, 'fdr'"),
    ({"correction": "FDR"}, "correction must be None, 'fdr'"),
    ({"transform": "d"}, "transform must be 'r'"),
    ({"alpha": 0}, "alpha must be a number in"),
    ({"alpha": 1.5}, "alpha must be a number in"),
    ({"star": "yes"}, "star must be True"),
    ({"seed": -3}, "seed must be a whole number"),
    ({"alternative": "both"}, "alternative must be one of"),
])
def test_bad_input_one_line_errors(kw, match):
    Y, make_w = _lattice()
    with pytest.raises(InputError, match=match) as exc:
        getis_ord_local(Y, make_w(), **kw)
    assert "\n" not in str(exc.value) and str(exc.value).startswith("getis_ord_local: ")


def test_negative_values_and_bad_panels():
    Y, make_w = _lattice()
    Yn = Y.copy()
    Yn.iloc[3, 1] = -0.5
    with pytest.raises(InputError, match=r"non-negative values.*\[2002\]"):
        getis_ord_local(Yn, make_w())
    Yc = Y.copy()
    Yc[2003] = 1.0   # a degenerate but legal year: NaN z / p there, stated in a warning (not an error)
    with pytest.warns(UserWarning, match="identical across regions"):
        got = getis_ord_local(Yc, make_w())
    assert got.loc[got["year"] == 2003, "z"].isna().all() and (got.loc[got["year"] == 2003, "spot"] == "ns").all()
    with pytest.raises(InputError):
        getis_ord_local(Y.iloc[:, 0], make_w())  # a Series, not a DataFrame


# ------------------------------------------------------------------------------ in the results
@pytest.fixture(scope="module")
def hot_results():
    from nqpf.pipeline import analyze

    return analyze(datasets.load_ran2025_scores(wide=True), "china-provinces", permutations=99)  # by default


def test_results_table_maps_params_and_words(hot_results):
    from nqpf.i18n import LANGS, catalogue

    res = hot_results
    tab = res["getis_ord"]
    assert tab.section == "hotspots" and tab.long and tab.significant == "spot"
    assert {res[k].section for k in res.items if k.startswith("hotspot_map_")} == {"hotspots"}
    assert [f.key for f in res.figures() if f.key.startswith("hotspot_map_")] == ["hotspot_map_2010",
                                                                                   "hotspot_map_2020"]
    # the table is the function's output with "ns" written as "" (empty = not significant)
    ref = getis_ord_local(res.Y, res.w, permutations=99, seed=12345)
    pd.testing.assert_frame_equal(tab.data.drop(columns="spot"), ref.drop(columns="spot"))
    assert tab.data["spot"].tolist() == ref["spot"].tolist()
    assert {res.params[k] for k in ("getis_ord_star", "getis_ord_transform", "getis_ord_correction")} == {
        True, "r", "none"}
    assert "getis_ord" in res.params["conventions"]
    keys = {tab.caption_key, "table.getis_ord", "conv.getis_ord", "convtext.getis_ord", "value.none",
            "section.hotspots", "methods.getis_ord.heading", "methods.getis_ord.text",
            "meta.getis_ord_star", "meta.getis_ord_transform", "meta.getis_ord_correction", "value.b",
            "value.fdr", "value.bonferroni", "figure.hotspot_map"}
    keys |= {c.label_key for c in tab.columns} | {f"cat.spot.{s}" for s in SPOTS}
    for lang in LANGS:
        missing = sorted(k for k in keys if k not in catalogue(lang))
        assert not missing, (lang, missing)
    assert tab.column("G").label_key == "col.Gi" and tab.column("z").label_key == "col.Gi_z"


def test_hotspot_map_legend(hot_results):
    fig = hot_results["hotspot_map_2010"].render(hot_results, "en")
    texts = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    n = hot_results.table("getis_ord").query("year == 2010")["spot"].value_counts()
    assert texts[0] == f"Hot spot, 99% confidence ({n.get('hot99', 0)})"
    assert texts[3] == f"Not significant ({n.get('ns', 0)})"
    assert texts[-2].startswith("Cold spot, 99% confidence") and texts[-1] == "No data"
    from nqpf.i18n import t

    title = fig.axes[0].get_legend().get_title().get_text()  # what the values are, then the classes
    assert title.splitlines()[-1] == t("plot.classes_spot", "en") and "Gi*" in title


def test_hotspots_family_default_options_and_skip():
    from nqpf.analyses import DEFAULT_ANALYSES, FAMILIES, resolve_options
    from nqpf.pipeline import analyze

    assert "hotspots" in DEFAULT_ANALYSES and FAMILIES["hotspots"].options.keys() == {"correction", "transform",
                                                                                     "star"}
    assert not [o for o in FAMILIES["spatial"].options if o.startswith("hotspot")]  # moved, not duplicated
    with pytest.raises(InputError, match="unknown option 'hotspots'"):
        resolve_options({"hotspots": True})  # the old switch is gone: the family runs by default
    Y, make_w = _lattice()
    res = analyze(Y, make_w(), permutations=19, analyses=("spatial", "hotspots"))
    assert "getis_ord" in res and not [k for k in res.items if k.startswith("hotspot_map")]  # maps: provinces
    assert "getis_ord" not in analyze(Y, make_w(), permutations=19, analyses=("spatial",))
    assert "getis_ord" not in analyze(Y, make_w(), permutations=19, skip=("hotspots", "diagnosis", "evolution"))
    # the options reach the kernel, and the parameters say which were used
    opts = {"hotspots": {"correction": "bonferroni", "transform": "b", "star": False}}
    res = analyze(Y, make_w(), permutations=19, analyses=("hotspots",), options=opts)
    ref = getis_ord_local(res.Y, res.w, star=False, transform="b", permutations=19, seed=12345,
                          correction="bonferroni")
    pd.testing.assert_frame_equal(res.table("getis_ord").drop(columns="spot"), ref.drop(columns="spot"))
    assert res.table("getis_ord")["spot"].tolist() == ref["spot"].tolist()
    assert (res.params["getis_ord_star"], res.params["getis_ord_transform"],
            res.params["getis_ord_correction"]) == (False, "b", "bonferroni")
    text = " ".join(res["methods_getis_ord"].texts("en"))
    assert "Bonferroni" in text and "binary" in text and "excluded" in text
    with pytest.raises(InputError, match="hotspots.correction"):
        analyze(Y, make_w(), permutations=19, analyses=("hotspots",), options={"hotspots.correction": "holm"})
