"""Tests of nqpf.spatial._inference (validation, draws, ties, p-values) and of the quadrant rule."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("libpysal")
from libpysal.weights import W, lat2W  # noqa: E402

from nqpf.errors import InputError  # noqa: E402
from nqpf.spatial import QUADRANTS, geary_global, moran_global, moran_local, quadrant  # noqa: E402
from nqpf.spatial import _inference as inf  # noqa: E402


# ------------------------------------------------------------------------------------- pseudo p-values
def test_pseudo_p_every_alternative_by_hand():
    # R = 9 simulated values around the observed 0.5; 0.5 itself occurs once (a tie, counted on
    # both sides): #{sim ≥ obs} = 4 (0.5, 0.6, 0.7, 0.9), #{sim ≤ obs} = 6
    sim = np.array([0.1, 0.2, 0.3, 0.4, 0.45, 0.5, 0.6, 0.7, 0.9])[:, None]
    ge, le = inf.count_extremes(sim, np.array([0.5]), 0.0)
    assert (ge.tolist(), le.tolist()) == ([4], [6])
    R = 9
    assert inf.pseudo_p(ge, le, R, "greater")[0] == pytest.approx(5 / 10)
    assert inf.pseudo_p(ge, le, R, "less")[0] == pytest.approx(7 / 10)
    assert inf.pseudo_p(ge, le, R, "two-sided")[0] == pytest.approx(1.0)  # min(1, 2·5/10)
    assert inf.pseudo_p(ge, le, R, "directed")[0] == pytest.approx(5 / 10)  # (min(4, 9 − 4) + 1)/10
    # an extreme observation: none of 9 is ≥, all 9 are ≤
    ge, le = np.array([0, 3]), np.array([9, 7])
    np.testing.assert_allclose(inf.pseudo_p(ge, le, R, "greater"), [0.1, 0.4])
    np.testing.assert_allclose(inf.pseudo_p(ge, le, R, "less"), [1.0, 0.8])
    np.testing.assert_allclose(inf.pseudo_p(ge, le, R, "two-sided"), [0.2, 0.8])
    np.testing.assert_allclose(inf.pseudo_p(ge, le, R, "directed"), [0.1, 0.4])
    # directed folds to the other tail when most draws are above (esda's min(M, R − M))
    np.testing.assert_allclose(inf.pseudo_p(np.array([8]), np.array([1]), R, "directed"), [0.2])


def test_normal_p_every_alternative_by_hand():
    z = np.array([1.6448536269514722, -1.959963984540054])
    np.testing.assert_allclose(inf.normal_p(z, "greater"), [0.05, 1 - 0.025])
    np.testing.assert_allclose(inf.normal_p(z, "less"), [0.95, 0.025])
    np.testing.assert_allclose(inf.normal_p(z, "two-sided"), [0.10, 0.05])
    np.testing.assert_allclose(inf.normal_p(z, "directed"), [0.05, 0.025])
    with pytest.raises(ValueError):
        inf.normal_p(z, "bigger")


def test_tie_tolerance():
    scale = 3.0
    tol = inf.TIE_RTOL * scale
    obs = np.array([0.7])
    # the same value summed in another order: a rounding-level difference is a tie on both sides
    sim = np.array([0.7 * (1 + 4e-16), 0.7 * (1 - 4e-16), 0.7 + 0.1 * tol, 0.7 - 0.1 * tol])[:, None]
    ge, le = inf.count_extremes(sim, obs, tol)
    assert (ge[0], le[0]) == (4, 4)
    ge0, le0 = inf.count_extremes(sim, obs, 0.0)  # without the tolerance, ties fall either way
    assert ge0[0] < 4 and le0[0] < 4
    # real differences (far above TIE_RTOL · scale) are not ties
    sim = np.array([0.7 + 1e-6, 0.7 - 1e-6])[:, None]
    ge, le = inf.count_extremes(sim, obs, tol)
    assert (ge[0], le[0]) == (1, 1)
    # the constant and its reason are documented in the module docstring, not only in a comment
    assert inf.TIE_RTOL == 1e-10
    assert "Ties" in inf.__doc__ and "TIE_RTOL" in inf.__doc__ and "rounding" in inf.__doc__


def test_tied_values_count_symmetric_configurations():
    # a ring of 4 with values (1, 2, 1, 2): all 24 permutations give I = ±1 exactly up to rounding;
    # 8 of them reproduce the observed I = −1 (it is the minimum). Without the tie tolerance the
    # count of #{I_sim ≤ I} could depend on the summation order.
    w = W({0: [1, 3], 1: [0, 2], 2: [1, 3], 3: [2, 0]})
    Y = pd.DataFrame({2000: [1.0, 2.0, 1.0, 2.0]}, index=range(4))
    R = 4000
    g = moran_global(Y, w, permutations=R, seed=3, alternative="less").iloc[0]
    assert g["I"] == pytest.approx(-1.0)
    assert g["p_sim"] == pytest.approx(1 / 3, abs=0.03)  # 8/24 of the draws tie (≤), none is below
    gg = moran_global(Y, w, permutations=R, seed=3, alternative="greater").iloc[0]
    assert gg["p_sim"] == pytest.approx(1.0)  # every draw is ≥ the minimum


# ------------------------------------------------------------------------------------------ validation
@pytest.mark.parametrize("fn", [moran_global, moran_local, geary_global])
def test_permutations_must_be_whole_number(fn):
    w = lat2W(3, 3)
    Y = pd.DataFrame(np.arange(18.0).reshape(9, 2) ** 1.5, columns=[2000, 2001])
    for bad in (-5, 2.5, True, "99", None, float("nan")):
        with pytest.raises(InputError) as exc:
            fn(Y, w, permutations=bad)
        msg = str(exc.value)
        assert "\n" not in msg and "permutations must be a whole number ≥ 0" in msg and fn.__name__ in msg
    with pytest.raises(InputError, match=r"moran_global: permutations must be a whole number ≥ 0 .*got -5"):
        moran_global(Y, w, permutations=-5)
    for bad in (-1, 1.5, None, "1"):
        with pytest.raises(InputError, match="seed must be a whole number ≥ 0"):
            fn(Y, w, permutations=9, seed=bad)
    # whole-valued floats and numpy integers are fine and give the same numbers
    a = fn(Y, w, permutations=19, seed=4)
    b = fn(Y, w, permutations=np.int64(19), seed=4.0)
    pd.testing.assert_frame_equal(a, b)


def test_check_alternative_sets_per_use():
    assert inf.check_alternative("greater") == "greater"
    for alt in ("greater", "less", "two-sided"):
        assert inf.check_alternative(alt, "global") == alt
    with pytest.raises(InputError, match="alternative must be one of greater, less, two-sided; got 'directed'"):
        inf.check_alternative("directed", "global")
    assert inf.check_alternative("directed", "global", esda=True) == "directed"
    for alt in ("two-sided", "greater", "less", "directed"):
        assert inf.check_alternative(alt, "local") == alt
    with pytest.raises(InputError, match="^moran_local: alternative must be one of two-sided"):
        inf.check_alternative("bigger", "local", what="moran_local")
    with pytest.raises(ValueError):
        inf.check_alternative("greater", "regional")
    # every statistic validates through it
    w = lat2W(3, 3)
    Y = pd.DataFrame(np.arange(9.0) ** 2, columns=[2000])
    for fn in (moran_global, moran_local, geary_global):
        with pytest.raises(InputError, match=f"{fn.__name__}: alternative must be one of"):
            fn(Y, w, alternative="two_sided")


# ------------------------------------------------------------------------------------------------ draws
def test_seeded_draws_deterministic_and_chunk_free():
    a = np.concatenate([p for _, p in inf.permutation_chunks(7, 10, 6, chunk=10)])
    b = np.concatenate([p for _, p in inf.permutation_chunks(7, 10, 6, chunk=3)])
    c = np.concatenate([p for _, p in inf.permutation_chunks(8, 10, 6, chunk=10)])
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    assert (np.sort(a, axis=1) == np.arange(6)).all()  # each row a permutation
    q1 = inf.conditional_draws(5, 50, 9, 4)
    q2 = inf.conditional_draws(5, 50, 9, 4)
    np.testing.assert_array_equal(q1, q2)
    assert q1.shape == (50, 4) and all(len(set(r)) == 4 for r in q1.tolist()) and q1.max() < 9


def test_pseudo_p_values_pinned():
    """The draw scheme is part of the results: the same seed must keep giving these numbers
    (recorded with the v1 implementation, before the spatial statistics were split into modules)."""
    w = lat2W(4, 5)
    rng = np.random.default_rng(2024)
    X = np.add.outer(np.arange(20) // 5, np.zeros(3)) * 0.3 + rng.random((20, 3))
    Y = pd.DataFrame(X, index=range(20), columns=[2001, 2002, 2003])
    R = 99
    g = moran_global(Y, w, permutations=R, seed=12345)
    assert np.rint(g["p_sim"] * (R + 1)).astype(int).tolist() == [1, 13, 1]
    np.testing.assert_allclose(g["z_sim"], [3.461781617828, 1.235342488989, 2.979172816102], rtol=1e-9)
    c = geary_global(Y, w, permutations=R, seed=12345)
    assert np.rint(c["p_sim"] * (R + 1)).astype(int).tolist() == [1, 11, 1]
    np.testing.assert_allclose(c["z_sim"], [-3.78622314419, -1.331795671298, -3.181309503997], rtol=1e-9)
    loc = moran_local(Y, w, permutations=R, seed=12345, alternative="greater")
    assert np.rint(loc["p_sim"] * (R + 1)).astype(int).tolist() == [
        39, 12, 10, 1, 5, 55, 62, 14, 7, 29, 17, 18, 45, 85, 42, 23, 5, 17, 22, 6,
        73, 99, 16, 3, 14, 92, 75, 21, 10, 27, 95, 35, 22, 91, 63, 57, 7, 2, 20, 10,
        18, 4, 15, 6, 13, 76, 41, 57, 75, 21, 13, 11, 23, 85, 63, 4, 9, 3, 25, 36]


# --------------------------------------------------------------------------------------------- quadrant
def test_quadrant_rule():
    assert quadrant(1.0, 2.0) == "HH" and quadrant(-1.0, 2.0) == "LH"
    assert quadrant(-1.0, -2.0) == "LL" and quadrant(1.0, -2.0) == "HL"
    # the split is strict: a value (or lag) exactly at the mean is "low", as esda's q
    assert quadrant(0.0, 1.0) == "LH" and quadrant(1.0, 0.0) == "HL" and quadrant(0.0, 0.0) == "LL"
    assert quadrant(np.nan, 1.0) == "LH"
    q = quadrant(np.array([[1.0, -1.0], [0.0, 2.0]]), np.array([[1.0, 1.0], [-1.0, -3.0]]))
    assert q.shape == (2, 2) and q.tolist() == [["HH", "LH"], ["LL", "HL"]]
    assert set(quadrant(np.linspace(-1, 1, 9), np.linspace(1, -1, 9))) <= set(QUADRANTS)
    assert isinstance(quadrant(1, 1), str)


def test_moran_local_uses_the_quadrant_rule():
    w = lat2W(5, 5)
    Y = pd.DataFrame(np.random.default_rng(1).random((25, 2)), columns=[2000, 2001])
    loc = moran_local(Y, w, permutations=0)
    assert (loc["quadrant"].to_numpy() == quadrant(loc["z"], loc["lag"])).all()
