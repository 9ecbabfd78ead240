"""Tests of nqpf.spatial against esda 2.8 (same weights), exact enumeration and hand computation."""
from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

libpysal = pytest.importorskip("libpysal")
esda = pytest.importorskip("esda")
from libpysal.weights import KNN, W, lat2W  # noqa: E402

from nqpf.errors import InputError, WeightsMismatchError  # noqa: E402
from nqpf.spatial import (  # noqa: E402
    QUADRANTS,
    align_weights,
    geary_global,
    moran_global,
    moran_local,
    quadrant_transition_matrix,
    quadrant_transitions,
    read_weights,
)

warnings.filterwarnings("ignore", message=".*island.*")
warnings.filterwarnings("ignore", message=".*disconnected.*")

TOL = 1e-10


def _panel(w, T=3, seed=0, skew=False):
    rng = np.random.default_rng(seed)
    X = rng.lognormal(size=(w.n, T)) if skew else rng.random((w.n, T))
    return pd.DataFrame(X, index=list(w.id_order), columns=list(range(2010, 2010 + T)))


def _island_w():
    base = lat2W(6, 6)
    neigh = {i: [j for j in base.neighbors[i] if j != 7] for i in base.id_order}
    neigh[7] = []  # region 7 becomes an island
    return W(neigh, silence_warnings=True)


def _knn_w():
    pts = np.random.default_rng(3).random((60, 2))
    return KNN.from_array(pts, k=4)  # asymmetric weights


WEIGHTS = {"lattice": lambda: lat2W(7, 8), "knn": _knn_w, "island": _island_w}


# ---------------------------------------------------------------- global Moran vs esda.Moran
@pytest.mark.parametrize("wname", sorted(WEIGHTS))
@pytest.mark.parametrize("transform", ["r", "b"])
def test_moran_global_matches_esda(wname, transform):
    w = WEIGHTS[wname]()
    Y = _panel(w, T=4, seed=1, skew=True)
    g = moran_global(Y, w, permutations=0, alternative="two-sided", transform=transform)
    gd = moran_global(Y, w, permutations=0, alternative="directed", transform=transform)
    gg = moran_global(Y, w, permutations=0, alternative="greater", transform=transform)
    gl = moran_global(Y, w, permutations=0, alternative="less", transform=transform)
    assert w.transform == "O"  # the caller's W is not transformed in place
    for k, year in enumerate(Y.columns):
        w_ref = WEIGHTS[wname]()
        m = esda.Moran(Y[year].to_numpy(), w_ref, transformation=transform, permutations=0)
        m1 = esda.Moran(Y[year].to_numpy(), w_ref, transformation=transform, permutations=0, two_tailed=False)
        row = g.iloc[k]
        for col in ("I", "EI", "VI_norm", "seI_norm", "z_norm", "VI_rand", "seI_rand", "z_rand"):
            assert row[col] == pytest.approx(getattr(m, col), abs=TOL, rel=TOL), col
        # esda default two_tailed=True: 2·P(Z > |z|) = our "two-sided"
        assert row["p_norm"] == pytest.approx(m.p_norm, abs=TOL)
        assert row["p_rand"] == pytest.approx(m.p_rand, abs=TOL)
        # esda two_tailed=False: tail in the direction of z = our "directed"
        assert gd.iloc[k]["p_norm"] == pytest.approx(m1.p_norm, abs=TOL)
        assert gd.iloc[k]["p_rand"] == pytest.approx(m1.p_rand, abs=TOL)
        # one-sided: P(Z >= z) and P(Z <= z) from esda's z
        assert gg.iloc[k]["p_norm"] == pytest.approx(stats.norm.sf(m.z_norm), abs=TOL)
        assert gl.iloc[k]["p_rand"] == pytest.approx(stats.norm.cdf(m.z_rand), abs=TOL)
        assert row["n"] == w.n
    assert (g["n_islands"] == (1 if wname == "island" else 0)).all()


def test_moran_global_hand_computed_path():
    # 4 regions on a path 1-2-3-4, y = 1, 2, 3, 4, row-standardised:
    # z = (-1.5, -.5, .5, 1.5), Wz = (-.5, -.5, .5, .5), Σ z·Wz = 2, Σ z² = 5, S0 = 4 → I = 0.4
    # S1 = Σ_pairs (w_ij + w_ji)² = 1.5² + 1² + 1.5² = 5.5; column sums (.5, 1.5, 1.5, .5) →
    # S2 = 1.5² + 2.5² + 2.5² + 1.5² = 17;
    # VI_norm = (16·5.5 − 4·17 + 3·16)/(3·5·16) − (1/3)² = 68/240 − 1/9
    w = W({"a": ["b"], "b": ["a", "c"], "c": ["b", "d"], "d": ["c"]})
    Y = pd.DataFrame({2020: [1.0, 2.0, 3.0, 4.0]}, index=["a", "b", "c", "d"])
    g = moran_global(Y, w, permutations=0).iloc[0]
    assert g["I"] == pytest.approx(0.4, abs=TOL)
    assert g["EI"] == pytest.approx(-1 / 3, abs=TOL)
    assert g["VI_norm"] == pytest.approx(68 / 240 - 1 / 9, abs=TOL)
    assert g["z_norm"] == pytest.approx((0.4 + 1 / 3) / np.sqrt(68 / 240 - 1 / 9), abs=TOL)
    # local: z standardised by sd = √1.25, I_i = (n−1)/n · z_i·lag_i = 0.6 · z·Wz (raw units)
    loc = moran_local(Y, w, permutations=0)
    np.testing.assert_allclose(loc["Ii"], [0.45, 0.15, 0.15, 0.45], atol=TOL)
    assert list(loc["quadrant"]) == ["LL", "LL", "HH", "HH"]


def test_moran_global_p_sim_exact_enumeration():
    # n = 5: all 120 permutations enumerated give the exact permutation p-values
    w = W({0: [1, 4], 1: [0, 2], 2: [1, 3], 3: [2, 4], 4: [3, 0]})  # a ring
    y = np.array([1.0, 3.0, 2.5, 7.0, 4.0])
    # 2002 has tied values: many permutations give the same I up to rounding (must count as ≥)
    Y = pd.DataFrame({2000: y, 2001: y[::-1].copy(), 2002: [1.0, 1.0, 2.0, 2.0, 5.0]}, index=range(5))
    R = 20000
    res = {alt: moran_global(Y, w, permutations=R, seed=7, alternative=alt) for alt in ("greater", "less")}
    for k, col in enumerate(Y.columns):
        yy = Y[col].to_numpy()
        w_ref = W({0: [1, 4], 1: [0, 2], 2: [1, 3], 3: [2, 4], 4: [3, 0]})
        I = esda.Moran(yy, w_ref, permutations=0).I
        sims = np.array([esda.Moran(yy[list(p)], w_ref, permutations=0).I for p in itertools.permutations(range(5))])
        for alt, exact in (("greater", np.mean(sims >= I - 1e-12)), ("less", np.mean(sims <= I + 1e-12))):
            p = res[alt].iloc[k]["p_sim"]
            sd = np.sqrt(exact * (1 - exact) / R)
            assert abs(p - exact) < 5 * sd + 2 / (R + 1), (alt, p, exact)


def test_moran_global_p_sim_vs_esda_and_alternatives():
    w = lat2W(10, 10)
    # a smooth surface plus noise: moderate positive autocorrelation
    rng = np.random.default_rng(5)
    X = np.add.outer(np.arange(10), np.arange(10)).ravel()[:, None] * 0.05 + rng.random((100, 3))
    Y = pd.DataFrame(X, index=w.id_order, columns=[1, 2, 3])
    R = 999
    res = {a: moran_global(Y, w, permutations=R, alternative=a) for a in ("greater", "less", "two-sided", "directed")}
    np.random.seed(11)  # esda draws from the global random state
    for k, year in enumerate(Y.columns):
        m = esda.Moran(Y[year].to_numpy(), lat2W(10, 10), permutations=R)
        p = res["directed"].iloc[k]["p_sim"]
        sd = np.sqrt(2 * m.p_sim * (1 - m.p_sim) / R)  # two independent estimates
        assert abs(p - m.p_sim) < 5 * sd + 2 / (R + 1)
        assert res["directed"].iloc[k]["z_sim"] == pytest.approx(m.z_sim, abs=0.25)
    # the conventions: same draws (same seed) → exact relations between them
    g, l, t, d = (res[a]["p_sim"].to_numpy() for a in ("greater", "less", "two-sided", "directed"))
    np.testing.assert_allclose(t, np.minimum(1, 2 * np.minimum(g, l)))
    assert np.all(d <= np.minimum(g, l) + 1e-12)
    assert np.all(g + l >= 1 + 1 / (R + 1) - 1e-12)  # ≥ and ≤ overlap in the observed value
    assert np.all(g < 0.05)  # the surface is clearly autocorrelated


def test_seed_reproducible_and_seed_matters():
    w = lat2W(8, 8)
    Y = _panel(w, T=2, seed=2)
    a = moran_global(Y, w, permutations=199, seed=3)
    b = moran_global(Y, w, permutations=199, seed=3)
    c = moran_global(Y, w, permutations=199, seed=4)
    pd.testing.assert_frame_equal(a, b)
    assert not np.array_equal(a["z_sim"], c["z_sim"])
    la = moran_local(Y, w, permutations=199, seed=3)
    lb = moran_local(Y, w, permutations=199, seed=3)
    lc = moran_local(Y, w, permutations=199, seed=4)
    pd.testing.assert_frame_equal(la, lb)
    assert not np.array_equal(la["p_sim"], lc["p_sim"])


def test_permutation_chunking_does_not_change_results(monkeypatch):
    import nqpf.spatial._inference as inf

    w = lat2W(6, 6)
    Y = _panel(w, T=3, seed=9)
    a = moran_global(Y, w, permutations=99, seed=1)
    la = moran_local(Y, w, permutations=99, seed=1)
    monkeypatch.setattr(inf, "CHUNK_ELEMENTS", 500)  # forces many small chunks
    pd.testing.assert_frame_equal(a, moran_global(Y, w, permutations=99, seed=1))
    pd.testing.assert_frame_equal(la, moran_local(Y, w, permutations=99, seed=1))


# ---------------------------------------------------------------- local Moran
@pytest.mark.parametrize("wname", sorted(WEIGHTS))
def test_moran_local_matches_esda(wname):
    w = WEIGHTS[wname]()
    Y = _panel(w, T=3, seed=4, skew=True)
    loc = moran_local(Y, w, permutations=0)
    island = np.array([len(w.neighbors[i]) == 0 for i in w.id_order])
    for year in Y.columns:
        m = esda.Moran_Local(Y[year].to_numpy(), WEIGHTS[wname](), permutations=0)
        part = loc[loc["year"] == year]
        np.testing.assert_allclose(part["Ii"], m.Is, atol=TOL)
        np.testing.assert_allclose(part["z"], m.z, atol=TOL)
        q = np.asarray(QUADRANTS, dtype=object)[m.q - 1]
        assert list(part["quadrant"].to_numpy()[~island]) == list(q[~island])
        assert (part["quadrant"].to_numpy()[island] == "").all()  # esda: q = 3 or 4 for islands
        assert (part["cluster"] == "").all()  # no permutations → nothing significant


def test_moran_local_conditional_permutation_exact():
    # n = 5 path; for each i the k_i neighbours are drawn (ordered) from the 4 other values:
    # enumerate every draw to get the exact conditional p = P(I_i,sim >= I_i)
    w = W({0: [1], 1: [0, 2], 2: [1, 3], 3: [2, 4], 4: [3]})
    y = np.array([2.0, 5.0, 1.0, 4.0, 3.5])
    Y = pd.DataFrame({2000: y}, index=range(5))
    R = 20000
    res = moran_local(Y, w, permutations=R, seed=5, alternative="greater")
    z = (y - y.mean()) / y.std()
    for i in range(5):
        nb = w.neighbors[i]
        lag = z[nb].mean()
        others = [j for j in range(5) if j != i]
        sims = [z[i] * np.mean(z[list(d)]) for d in itertools.permutations(others, len(nb))]
        exact = np.mean(np.array(sims) >= z[i] * lag - 1e-12)
        p = res["p_sim"].iloc[i]
        assert abs(p - exact) < 5 * np.sqrt(exact * (1 - exact) / R) + 2 / (R + 1), (i, p, exact)


_ESDA_LOCAL_SCRIPT = r"""
import json, sys, warnings
import numpy as np
import esda, esda.crand
from libpysal.weights import lat2W
esda.crand.boolean = np.bool_  # needed when numba's JIT is disabled
warnings.simplefilter("ignore")
cfg = json.load(sys.stdin)
X = np.asarray(cfg["X"])
out = []
for t in range(X.shape[1]):
    m = esda.Moran_Local(X[:, t], lat2W(cfg["r"], cfg["c"]), permutations=cfg["R"], seed=cfg["seed"])
    out.append([list(map(float, m.p_sim)), list(map(int, m.q))])
print(json.dumps(out))
"""


def _esda_local_p(X, r, c, R, seed):
    """esda.Moran_Local p_sim in a subprocess with numba's JIT disabled (its compile takes ~40 s;
    the pure-Python path is the same algorithm and fast for small n)."""
    env = dict(os.environ, NUMBA_DISABLE_JIT="1")
    proc = subprocess.run(
        [sys.executable, "-c", _ESDA_LOCAL_SCRIPT],
        input=json.dumps({"X": X.tolist(), "r": r, "c": c, "R": R, "seed": seed}),
        capture_output=True, text=True, env=env, timeout=120,
    )
    if proc.returncode != 0:
        pytest.skip(f"esda reference run failed: {proc.stderr[-500:]}")
    return json.loads(proc.stdout)


def test_moran_local_p_sim_vs_esda():
    r, c, R = 12, 12, 999
    w = lat2W(r, c)
    rng = np.random.default_rng(8)
    X = np.add.outer(np.arange(r), np.arange(c)).ravel()[:, None] * 0.08 + rng.random((r * c, 3))
    Y = pd.DataFrame(X, index=w.id_order, columns=[1, 2, 3])
    ref = _esda_local_p(X, r, c, R, seed=1)
    ours = moran_local(Y, w, permutations=R, seed=2, alternative="directed")
    two = moran_local(Y, w, permutations=R, seed=2, alternative="two-sided")
    diffs = []
    for k, year in enumerate(Y.columns):
        p_ref = np.asarray(ref[k][0])
        p = ours.loc[ours["year"] == year, "p_sim"].to_numpy()
        sd = np.sqrt(2 * p_ref * (1 - p_ref) / R)
        assert np.all(np.abs(p - p_ref) < 5 * sd + 3 / (R + 1))
        diffs.append(p - p_ref)
        # same seed, two conventions: two-sided = min(1, 2 · directed) up to the tie at the median
        p2 = two.loc[two["year"] == year, "p_sim"].to_numpy()
        assert np.all(p2 >= p - 1e-12) and np.all(p2 <= np.minimum(1, 2 * p) + 2 / (R + 1))
    diffs = np.concatenate(diffs)
    assert abs(diffs.mean()) < 0.01  # no systematic difference across 432 region-years


def test_moran_local_islands_never_clusters_and_alpha():
    w = _island_w()
    Y = _panel(w, T=2, seed=6)
    loc = moran_local(Y, w, permutations=99, seed=1, alpha=1.0)
    isl = loc["region"] == 7
    assert loc.loc[isl, "p_sim"].isna().all()
    assert (loc.loc[isl, ["quadrant", "cluster"]] == "").all().all()
    assert (loc.loc[isl, "Ii"] == 0).all()
    # alpha = 1 makes every non-island a cluster labelled with its quadrant
    assert (loc.loc[~isl, "cluster"] == loc.loc[~isl, "quadrant"]).all()
    loc0 = moran_local(Y, w, permutations=99, seed=1, alpha=0.0)
    assert (loc0["cluster"] == "").all()
    assert list(loc.columns) == ["region", "year", "Ii", "z", "lag", "quadrant", "p_sim", "cluster"]


def test_quadrant_transitions():
    local = pd.DataFrame(
        {
            "region": ["a", "b", "c", "d"] * 2,
            "year": [2010] * 4 + [2020] * 4,
            "quadrant": ["HH", "LL", "LH", ""] + ["HH", "LH", "LL", ""],
            "cluster": ["HH", "", "", ""] + ["", "", "LL", ""],
        }
    )
    t = quadrant_transitions(local, 2010, 2020)
    assert list(t["region"]) == ["a", "b", "c", "d"]
    assert list(t["changed"]) == [False, True, True, False]
    assert list(t["quadrant_last"]) == ["HH", "LH", "LL", ""]
    m = quadrant_transition_matrix(t)
    assert list(m.index) == list(QUADRANTS) and list(m.columns) == list(QUADRANTS)
    assert m.loc["HH", "HH"] == 1 and m.loc["LL", "LH"] == 1 and m.loc["LH", "LL"] == 1
    assert m.to_numpy().sum() == 3  # the region without a quadrant is not counted
    with pytest.raises(InputError, match="2015"):
        quadrant_transitions(local, 2010, 2015)


# ---------------------------------------------------------------- weights
def test_align_weights_string_int_ids_and_order():
    w = lat2W(3, 3)  # integer ids 0..8
    ids = [str(i) for i in reversed(range(9))]
    a = align_weights(w, ids)
    assert a.id_order == ids
    assert sorted(a.neighbors["0"]) == ["1", "3"]
    Y = pd.DataFrame({2000: np.arange(9.0) ** 1.5}, index=[str(i) for i in range(9)])
    Yr = Y.loc[ids]
    g1 = moran_global(Y, w, permutations=0)
    g2 = moran_global(Yr, w, permutations=0)  # data in another order, ids as strings
    assert g1["I"].iloc[0] == pytest.approx(g2["I"].iloc[0], abs=TOL)


def test_weights_mismatch_error_lists_both_sides():
    w = W({"110000": ["120000"], "120000": ["110000", "130000"], "130000": ["120000"], "140000": []},
          silence_warnings=True)
    with pytest.raises(WeightsMismatchError) as exc:
        align_weights(w, ["110000", "120000", "130000", "150000"])
    msg = str(exc.value)
    assert "in the data but not in the weights: '150000'" in msg
    assert "in the weights but not in the data: '140000'" in msg
    Y = pd.DataFrame({2000: [1.0, 2, 3, 4]}, index=["110000", "120000", "130000", "150000"])
    with pytest.raises(WeightsMismatchError):
        moran_global(Y, w)
    with pytest.raises(WeightsMismatchError, match="same as text"):
        align_weights(W({1: ["1"], "1": [1]}, id_order=[1, "1"], silence_warnings=True), ["1"])


@pytest.mark.parametrize("ext", ["gal", "gwt"])
def test_read_weights_round_trip(tmp_path, ext):
    if ext == "gal":
        w = lat2W(4, 4)
        w_ids = {i: 110000 + 10000 * i for i in w.id_order}
        w = W({w_ids[i]: [w_ids[j] for j in w.neighbors[i]] for i in w.id_order})
    else:
        pts = np.random.default_rng(1).random((16, 2))
        k = KNN.from_array(pts, k=3)
        dist = {i: [round(float(np.hypot(*(pts[i] - pts[j]))), 6) for j in k.neighbors[i]] for i in k.id_order}
        w = W({110000 + 10000 * i: [110000 + 10000 * j for j in k.neighbors[i]] for i in k.id_order},
              {110000 + 10000 * i: dist[i] for i in k.id_order})
    path = tmp_path / f"w.{ext}"
    fh = libpysal.io.open(str(path), "w")
    fh.write(w)
    fh.close()
    ids = [str(i) for i in w.id_order]  # data ids are GB/T code strings
    r = read_weights(path, ids=ids)
    assert r.id_order == ids
    for i in w.id_order:
        got = dict(zip(r.neighbors[str(i)], r.weights[str(i)]))
        want = {str(j): v for j, v in zip(w.neighbors[i], w.weights[i])}
        assert got.keys() == want.keys()
        for j in want:
            assert got[j] == pytest.approx(want[j], abs=1e-12)  # .gwt stores 6 decimals: rounded above
    Y = _panel(w, T=2, seed=3)
    Y.index = ids
    g = moran_global(Y, r, permutations=0, transform="o")
    m = esda.Moran(Y[2010].to_numpy(), w, transformation="o", permutations=0)
    assert g["I"].iloc[0] == pytest.approx(m.I, abs=TOL)


def test_read_weights_errors(tmp_path):
    with pytest.raises(InputError, match="not found"):
        read_weights(tmp_path / "missing.gal")
    with pytest.raises(InputError, match="unsupported format"):
        read_weights(tmp_path / "w.shp")
    w = lat2W(2, 2)
    assert read_weights(w) is w


def test_bad_input_errors():
    w = lat2W(3, 3)
    Y = _panel(w, T=2)
    Y.iloc[2, 1] = np.nan
    with pytest.raises(InputError, match=r"\(2, 2011\)"):
        moran_global(Y, w)
    Y = _panel(w, T=2)
    Y[2011] = 1.0  # a year without variation is NaN with a warning, not an error (test below)
    with pytest.warns(UserWarning, match=r"identical across regions in year\(s\) \[2011\]"):
        moran_local(Y, w)
    with pytest.raises(InputError, match="alternative"):
        moran_global(_panel(w), w, alternative="bigger")
    with pytest.raises(InputError, match="transform"):
        moran_global(_panel(w), w, transform="x")
    empty = W({i: [] for i in range(5)}, silence_warnings=True)
    with pytest.raises(InputError, match="no links"):
        moran_local(pd.DataFrame({1: np.arange(5.0)}), empty)


# ---------------------------------------------------------------- Geary's C vs esda.Geary
@pytest.mark.parametrize("wname", sorted(WEIGHTS))
def test_geary_global_matches_esda(wname):
    w = WEIGHTS[wname]()
    Y = _panel(w, T=3, seed=12, skew=True)
    g = geary_global(Y, w, permutations=999, seed=3, alternative="directed")
    np.random.seed(4)
    for k, year in enumerate(Y.columns):
        m = esda.Geary(Y[year].to_numpy(), WEIGHTS[wname](), permutations=999)
        row = g.iloc[k]
        for col in ("C", "EC", "VC_norm", "seC_norm", "z_norm", "VC_rand", "seC_rand", "z_rand"):
            assert row[col] == pytest.approx(getattr(m, col), abs=TOL, rel=TOL), col
        # esda.Geary's analytic p-values are the tail in the direction of C − 1: our "directed"
        assert row["p_norm"] == pytest.approx(m.p_norm, abs=TOL)
        assert row["p_rand"] == pytest.approx(m.p_rand, abs=TOL)
        sd = np.sqrt(2 * m.p_sim * (1 - m.p_sim) / 999)
        assert abs(row["p_sim"] - m.p_sim) < 5 * sd + 3 / 1000


def test_geary_hand_computed_path():
    # path a-b-c-d, y = 1..4, row-standardised: Σ w_ij (y_i − y_j)² = 1 + (½+½) + (½+½) + 1 = 4;
    # C = (n−1)·4 / (2·S0·Σz²) = 3·4/(2·4·5) = 0.3
    w = W({"a": ["b"], "b": ["a", "c"], "c": ["b", "d"], "d": ["c"]})
    Y = pd.DataFrame({2020: [1.0, 2.0, 3.0, 4.0]}, index=["a", "b", "c", "d"])
    assert geary_global(Y, w, permutations=0)["C"].iloc[0] == pytest.approx(0.3, abs=TOL)


def test_moran_local_unequal_weights_exact_enumeration():
    # weights differ within rows (as inverse-distance .gwt weights): the general path; the exact
    # conditional p enumerates every ordered draw of k_i of the 5 other values
    neigh = {0: [1, 2], 1: [0, 2, 3], 2: [0, 1, 5], 3: [1, 4], 4: [3, 5], 5: [2, 4]}
    wts = {0: [1.0, 3.0], 1: [1.0, 0.5, 2.0], 2: [3.0, 0.5, 1.0], 3: [2.0, 0.25], 4: [0.25, 4.0], 5: [1.0, 4.0]}
    w = W(neigh, wts)
    y = np.array([2.0, 5.0, 1.0, 4.0, 3.5, 0.5])
    Y = pd.DataFrame({2000: y, 2001: y ** 2}, index=range(6))
    R = 20000
    for alt in ("greater", "less"):
        res = moran_local(Y, w, permutations=R, seed=5, alternative=alt, transform="o")
        for year, yy in ((2000, y), (2001, y**2)):
            z = (yy - yy.mean()) / yy.std()
            got = res.loc[res["year"] == year, "p_sim"].to_numpy()
            for i in range(6):
                wi = np.array(wts[i])
                obs = z[i] * (wi @ z[neigh[i]])
                others = [j for j in range(6) if j != i]
                sims = np.array([z[i] * (wi @ z[list(d)]) for d in itertools.permutations(others, len(wi))])
                exact = np.mean(sims >= obs - 1e-12) if alt == "greater" else np.mean(sims <= obs + 1e-12)
                sd = np.sqrt(exact * (1 - exact) / R)
                assert abs(got[i] - exact) < 5 * sd + 2 / (R + 1), (alt, year, i, got[i], exact)


@pytest.mark.parametrize("wname", ["lattice", "knn", "island"])
def test_moran_local_fast_path_equals_general_path(wname, monkeypatch):
    import nqpf.spatial._inference as inf

    w = WEIGHTS[wname]()
    Y = _panel(w, T=3, seed=13)
    R = 499
    fast = moran_local(Y, w, permutations=R, seed=2)
    monkeypatch.setattr(inf, "_row_constant", lambda O: (False, None))  # force the sparse path
    general = moran_local(Y, w, permutations=R, seed=2)
    pd.testing.assert_frame_equal(fast.drop(columns=["p_sim", "cluster"]), general.drop(columns=["p_sim", "cluster"]))
    # same draws, two algorithms: equal counts except where a draw ties the observed lag up to
    # rounding (the drawn set equals the real neighbours), which moves a count by one
    d = np.abs(fast["p_sim"] - general["p_sim"]).dropna()
    assert (d <= 2 * 2 / (R + 1) + 1e-12).all()
    assert (d == 0).mean() > 0.97


# ---------------------------------------------------------------- a year without variation
_GLOBAL_STATS = {
    moran_global: ("I", "EI", "VI_norm", "seI_norm", "z_norm", "p_norm", "VI_rand", "seI_rand",
                   "z_rand", "p_rand", "p_sim", "z_sim"),
    geary_global: ("C", "EC", "VC_norm", "seC_norm", "z_norm", "p_norm", "VC_rand", "seC_rand",
                   "z_rand", "p_rand", "p_sim", "z_sim"),
}


def _with_constant_year(Y, year=2012, value=0.7):
    Yc = Y.copy()
    Yc[year] = value
    return Yc[sorted(Yc.columns)]


@pytest.mark.parametrize("wname", ["lattice", "island"])
@pytest.mark.parametrize("fn", [moran_global, geary_global], ids=["moran", "geary"])
def test_global_constant_year_is_nan(fn, wname):
    """A year where every region has the same score: every statistic of its row NaN, a warning
    naming the year, and the other years exactly as without it (the same permutation draws)."""
    w = WEIGHTS[wname]()
    Y = _panel(w, T=4, seed=5)
    Yc = _with_constant_year(Y.drop(columns=2012))
    msg = rf"{fn.__name__}: scores are identical across regions in year\(s\) \[2012\]"
    with pytest.warns(UserWarning, match=msg):
        g = fn(Yc, w, permutations=199, seed=9)
    row = g.set_index("year").loc[2012]
    assert row[list(_GLOBAL_STATS[fn])].isna().all()
    assert row["n"] == w.n and row["n_islands"] == (1 if wname == "island" else 0)
    ref = fn(Y.drop(columns=2012), w, permutations=199, seed=9)
    pd.testing.assert_frame_equal(g[g["year"] != 2012].reset_index(drop=True), ref, check_exact=True)


@pytest.mark.parametrize("wname", ["lattice", "island"])
def test_local_constant_year_is_nan(wname):
    w = WEIGHTS[wname]()
    Y = _panel(w, T=4, seed=6)
    Yc = _with_constant_year(Y.drop(columns=2012))
    with pytest.warns(UserWarning, match=r"moran_local: .*\[2012\]"):
        loc = moran_local(Yc, w, permutations=199, seed=9, alpha=0.5)
    rows = loc[loc["year"] == 2012]
    assert len(rows) == w.n and list(rows["region"]) == list(Y.index)
    assert rows[["Ii", "z", "lag", "p_sim"]].isna().all().all()
    assert (rows["quadrant"] == "").all() and (rows["cluster"] == "").all()
    ref = moran_local(Y.drop(columns=2012), w, permutations=199, seed=9, alpha=0.5)
    other = loc[loc["year"] != 2012].reset_index(drop=True)
    pd.testing.assert_frame_equal(other, ref, check_exact=True)
    assert (ref["cluster"] != "").any()  # the other years do have clusters at alpha = 0.5
    # the first and last years' transitions still work (no quadrant in the constant year)
    t = quadrant_transitions(loc, 2012, 2013)
    assert (t["quadrant_first"] == "").all()
    assert (t["changed"] == (t["quadrant_last"] != "")).all()  # an island has no quadrant in either


def test_constant_year_up_to_rounding_and_every_year_constant():
    """Scores equal up to rounding (0.1 + 0.2 vs 0.3) count as equal: the z-scores would be rounding
    residue divided by rounding residue. Every year constant: every row NaN, nothing raised."""
    w = lat2W(3, 3)
    Y = pd.DataFrame({2010: [0.3] * 8 + [0.1 + 0.2], 2011: np.arange(9.0)}, index=list(w.id_order))
    assert np.ptp(Y[2010]) > 0
    with pytest.warns(UserWarning, match=r"\[2010\]"):
        g = moran_global(Y, w, permutations=9)
    assert np.isnan(g.at[0, "I"]) and np.isfinite(g.at[1, "I"])
    flat = pd.DataFrame({2010: 1.0, 2011: 2.0}, index=list(w.id_order))
    for fn in (moran_global, geary_global, moran_local):
        with pytest.warns(UserWarning, match=r"\[2010, 2011\]"):
            out = fn(flat, w, permutations=9)
        stats_ = out.drop(columns=[c for c in ("year", "n", "n_islands", "region", "quadrant", "cluster")
                                   if c in out.columns])
        assert stats_.isna().all().all(), fn.__name__
    # Getis-Ord G_i* is not part of this: it still refuses such a year (its own module decides)
