"""Tests of nqpf.disparity against inequality (PySAL), numpy and hand-computed cases."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

inequality = pytest.importorskip("inequality")
from inequality.gini import Gini  # noqa: E402
from inequality.theil import Theil, TheilD  # noqa: E402

from nqpf.disparity import (  # noqa: E402
    cv,
    dagum_gini,
    disparity_table,
    gini,
    sigma,
    theil,
    theil_decomposition,
)
from nqpf.errors import InputError  # noqa: E402

TOL = 1e-10


@pytest.fixture
def Y():
    rng = np.random.default_rng(42)
    X = rng.lognormal(mean=-1.5, sigma=0.6, size=(31, 6))
    return pd.DataFrame(X, index=[f"{110000 + 10000 * i}" for i in range(31)], columns=range(2015, 2021))


@pytest.fixture
def groups(Y):
    labels = np.array(["east", "central", "west", "northeast"])[np.arange(len(Y)) % 4]
    return pd.Series(labels, index=Y.index)


# ---------------------------------------------------------------- Theil, σ, CV, Gini
def test_theil_matches_inequality(Y):
    t = theil(Y)
    np.testing.assert_allclose(t.to_numpy(), Theil(Y.to_numpy()).T, atol=TOL)
    assert list(t.index) == list(Y.columns) and t.index.name == "year" and t.name == "theil"


def test_theil_hand_computed():
    # y = (1, 1, 2): ȳ = 4/3, y/ȳ = (.75, .75, 1.5);
    # T = (1/3)(2·.75·ln .75 + 1.5·ln 1.5) = 0.5·ln(.75·1.5) = 0.5·ln 1.125
    Y = pd.DataFrame({2020: [1.0, 1.0, 2.0]}, index=list("abc"))
    assert theil(Y).iloc[0] == pytest.approx(0.5 * np.log(1.125), abs=TOL)
    # equal scores: no inequality; scale invariance
    assert theil(pd.DataFrame({1: [3.0, 3.0, 3.0]})).iloc[0] == pytest.approx(0, abs=TOL)


def test_sigma_cv_against_numpy_and_hand(Y):
    X = Y.to_numpy()
    np.testing.assert_allclose(sigma(Y), np.std(np.log(X), axis=0, ddof=0), atol=TOL)
    np.testing.assert_allclose(cv(Y), np.std(X, axis=0, ddof=0) / np.mean(X, axis=0), atol=TOL)
    # y = (1, e, e²): ln y = (0, 1, 2), population sd = √(2/3)
    H = pd.DataFrame({2020: [1.0, np.e, np.e**2]})
    assert sigma(H).iloc[0] == pytest.approx(np.sqrt(2 / 3), abs=TOL)
    # y = (1, 3): mean 2, population sd 1 → CV = 0.5
    assert cv(pd.DataFrame({2020: [1.0, 3.0]})).iloc[0] == pytest.approx(0.5, abs=TOL)


def test_gini_matches_inequality_and_hand(Y):
    ref = [Gini(Y[c].to_numpy()).g for c in Y.columns]
    np.testing.assert_allclose(gini(Y), ref, atol=TOL)
    # y = (1, 2, 3, 4): Σ_i Σ_r |y_i − y_r| = 2·(1+2+3+1+2+1) = 20, 2n²ȳ = 80 → G = 0.25
    assert gini(pd.DataFrame({1: [1.0, 2.0, 3.0, 4.0]})).iloc[0] == pytest.approx(0.25, abs=TOL)


def test_disparity_table(Y):
    d = disparity_table(Y)
    assert list(d.columns) == ["year", "theil", "sigma", "cv", "gini"]
    assert list(d["year"]) == list(Y.columns)
    np.testing.assert_allclose(d["theil"], Theil(Y.to_numpy()).T, atol=TOL)
    np.testing.assert_allclose(d["cv"], np.std(Y.to_numpy(), axis=0) / np.mean(Y.to_numpy(), axis=0), atol=TOL)


# ---------------------------------------------------------------- Theil decomposition
def test_theil_decomposition_matches_theild(Y, groups):
    d = theil_decomposition(Y, groups)
    ref = TheilD(Y.to_numpy(), groups.to_numpy())
    np.testing.assert_allclose(d["total"], ref.T, atol=TOL)
    np.testing.assert_allclose(d["between"], ref.bg, atol=TOL)
    np.testing.assert_allclose(d["within"], ref.wg, atol=TOL)
    np.testing.assert_allclose(d["between_share"] + d["within_share"], 1.0, atol=TOL)


def test_theil_decomposition_group_terms(Y, groups):
    d = theil_decomposition(Y, groups)
    X = Y.to_numpy()
    total = np.zeros(len(Y.columns))
    for g in ["east", "central", "west", "northeast"]:
        m = (groups == g).to_numpy()
        s = X[m].sum(axis=0) / X.sum(axis=0)  # the group's share of the national total
        Tg = Theil(X[m]).T  # the group's own Theil index, by inequality
        np.testing.assert_allclose(d[f"T[{g}]"], Tg, atol=TOL)
        np.testing.assert_allclose(d[f"s[{g}]"], s, atol=TOL)
        np.testing.assert_allclose(d[f"within[{g}]"], s * Tg, atol=TOL)
        total += s * Tg
    np.testing.assert_allclose(d["within"], total, atol=TOL)


def test_theil_decomposition_hand():
    # groups A = (1, 1), B = (2, 4): total 8, s_A = 2/8, s_B = 6/8, n_g/n = 1/2 each;
    # T_A = 0, T_B = ½(⅔ ln ⅔ + 4/3 ln 4/3); between = ¼ ln(½) + ¾ ln(3/2)
    Y = pd.DataFrame({2020: [1.0, 1.0, 2.0, 4.0]}, index=list("abcd"))
    d = theil_decomposition(Y, {"a": "A", "b": "A", "c": "B", "d": "B"}).iloc[0]
    TB = 0.5 * (2 / 3 * np.log(2 / 3) + 4 / 3 * np.log(4 / 3))
    assert d["between"] == pytest.approx(0.25 * np.log(0.5) + 0.75 * np.log(1.5), abs=TOL)
    assert d["within[A]"] == pytest.approx(0.0, abs=TOL)
    assert d["within[B]"] == pytest.approx(0.75 * TB, abs=TOL)
    assert d["total"] == pytest.approx(d["between"] + d["within"], abs=TOL)


# ---------------------------------------------------------------- Dagum
def test_dagum_hand_computed():
    # A = (1, 3), B = (2, 6); n = 4, ȳ = 3. Ordered Σ|Δ| over all pairs = 32 → G = 32/(2·16·3) = 1/3.
    # G_AA = 4/(2·4·2) = 1/4, G_BB = 8/(2·4·4) = 1/4, G_AB = 10/(2·2·(2+4)) = 5/12.
    # p = (½, ½), s = (1/3, 2/3) → Gw = ¼·½·⅓ + ¼·½·⅔ = 1/8.
    # B has the higher mean: d = Σ max(b−a, 0) = 9, p = Σ max(a−b, 0) = 1 → D = 0.8;
    # weight p_A s_B + p_B s_A = ½ → Gnb = 5/12·½·0.8 = 1/6, Gt = 5/12·½·0.2 = 1/24.
    Y = pd.DataFrame({2020: [1.0, 3.0, 2.0, 6.0]}, index=list("abcd"))
    r = dagum_gini(Y, ["A", "A", "B", "B"]).iloc[0]
    expect = {"G": 1 / 3, "G[A]": 0.25, "G[B]": 0.25, "G[A,B]": 5 / 12, "D[A,B]": 0.8,
              "Gw": 1 / 8, "Gnb": 1 / 6, "Gt": 1 / 24}
    for k, v in expect.items():
        assert r[k] == pytest.approx(v, abs=TOL), k


def test_dagum_identity_and_total(Y, groups):
    d = dagum_gini(Y, groups)
    ref = [Gini(Y[c].to_numpy()).g for c in Y.columns]
    np.testing.assert_allclose(d["G"], ref, atol=TOL)
    np.testing.assert_allclose(d["Gw"] + d["Gnb"] + d["Gt"], d["G"], atol=TOL)
    np.testing.assert_allclose(d["Gw_share"] + d["Gnb_share"] + d["Gt_share"], 1.0, atol=TOL)
    # each within-group Gini equals the Gini of that group alone (inequality)
    for g in groups.unique():
        sub = Y[(groups == g).to_numpy()]
        np.testing.assert_allclose(d[f"G[{g}]"], [Gini(sub[c].to_numpy()).g for c in Y.columns], atol=TOL)
    assert ((d.filter(like="D[") >= 0) & (d.filter(like="D[") <= 1)).all().all()


def test_dagum_single_group_is_all_within(Y):
    d = dagum_gini(Y, ["all"] * len(Y))
    np.testing.assert_allclose(d["Gw"], d["G"], atol=TOL)
    np.testing.assert_allclose(d["Gnb"] + d["Gt"], 0.0, atol=TOL)


# ---------------------------------------------------------------- bad input
def test_nan_named(Y):
    Y = Y.copy()
    Y.loc["120000", 2017] = np.nan
    for f in (theil, sigma, cv, gini, disparity_table):
        with pytest.raises(InputError, match=r"\('120000', 2017\)"):
            f(Y)


def test_nonpositive_named_for_logs(Y):
    Y = Y.copy()
    Y.loc["130000", 2016] = 0.0
    Y.loc["140000", 2019] = -0.1
    for f in (theil, sigma):
        with pytest.raises(InputError) as exc:
            f(Y)
        assert "('130000', 2016)" in str(exc.value) and "('140000', 2019)" in str(exc.value)
    with pytest.raises(InputError, match=r"\('140000', 2019\)"):
        gini(Y)
    assert np.isfinite(gini(Y.clip(lower=0))).all()  # zeros are fine for the Gini


def test_group_errors(Y, groups):
    with pytest.raises(InputError, match="110000"):
        theil_decomposition(Y, groups.drop("110000"))
    with pytest.raises(InputError, match="entries"):
        dagum_gini(Y, ["a", "b"])
    with pytest.raises(InputError, match="DataFrame"):
        theil([1.0, 2.0])


# ---------------------------------------------------------------- a year without inequality
def _with_equal_year(Y, value=0.1):
    """``Y`` with a year 2021 in which every region scores ``value`` (0.1 is not a binary fraction:
    its mean over 31 regions is not exactly 0.1, so the formulas leave rounding residue)."""
    Y = Y.copy()
    Y[2021] = value
    return Y


@pytest.mark.parametrize("value", [0.1, 0.2863, 1.0])
def test_indices_are_zero_in_a_year_without_inequality(Y, value):
    """Theil, σ, CV and Gini are 0 in a year without inequality (exactly: without the clean-up the
    formulas give ±1e-16, e.g. Theil −3.3e-16), and the other years are unchanged."""
    Ye = _with_equal_year(Y, value)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning and no numpy RuntimeWarning: 0 is the answer
        for f, name in ((theil, "theil"), (sigma, "sigma"), (cv, "cv"), (gini, "gini")):
            s = f(Ye)
            assert s.loc[2021] == 0.0, name
            pd.testing.assert_series_equal(s.drop(2021), f(Y), check_exact=True)
        row = disparity_table(Ye).set_index("year").loc[2021]
    assert (row == 0.0).all()


def test_theil_shares_are_nan_in_a_year_without_inequality(Y, groups):
    """between_share = between / T and within_share = within / T divide rounding residue by
    rounding residue where T = 0 (between 1.64, within −0.84 for the paper's 29 regions all at 0.1,
    before): NaN, with a
    warning naming the year; the other years are unchanged and their shares sum to 1."""
    Ye = _with_equal_year(Y)
    with pytest.warns(UserWarning, match=r"theil_decomposition: no inequality in year\(s\) \[2021\]"):
        d = theil_decomposition(Ye, groups).set_index("year")
    row = d.loc[2021]
    assert np.isnan(row["between_share"]) and np.isnan(row["within_share"])
    assert row["total"] == 0.0 and row["between"] == 0.0 and row["within"] == 0.0
    assert (row.filter(like="T[") == 0.0).all() and (row.filter(like="within[") == 0.0).all()
    np.testing.assert_allclose(row.filter(like="s[").to_numpy(float),  # score shares: n_g / n
                               groups.value_counts(sort=False).reindex(groups.unique()) / len(groups),
                               atol=1e-15)
    ref = theil_decomposition(Y, groups).set_index("year")
    pd.testing.assert_frame_equal(d.drop(2021), ref)
    np.testing.assert_allclose(ref["between_share"] + ref["within_share"], 1.0, atol=1e-12)


def test_theil_shares_nan_only_below_the_tolerance():
    """The shares are NaN where T < 1e-12 only: a small but real inequality keeps its shares."""
    Y = pd.DataFrame({2020: [1.0, 1.0, 1.001, 1.001], 2021: [1.0, 1.0, 1.0, 1.0]}, index=list("abcd"))
    with pytest.warns(UserWarning, match=r"\[2021\]"):
        d = theil_decomposition(Y, ["A", "A", "B", "B"]).set_index("year")
    assert d.at[2020, "total"] > 1e-12
    assert d.at[2020, "between_share"] == pytest.approx(1.0) and d.at[2020, "within_share"] == 0.0
    assert np.isnan(d.at[2021, "between_share"])


def test_dagum_shares_are_nan_in_a_year_without_inequality(Y, groups):
    import warnings

    Ye = _with_equal_year(Y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # no 0/0 from numpy
        with pytest.warns(UserWarning, match=r"dagum_gini: no inequality in year\(s\) \[2021\]"):
            d = dagum_gini(Ye, groups).set_index("year")
    row = d.loc[2021]
    assert row[["Gw_share", "Gnb_share", "Gt_share"]].isna().all()
    assert (row[["G", "Gw", "Gnb", "Gt"]] == 0.0).all()
    assert (row.filter(like="G[") == 0.0).all() and (row.filter(like="D[") == 0.0).all()
    pd.testing.assert_frame_equal(d.drop(2021), dagum_gini(Y, groups).set_index("year"))


def test_dagum_pair_sums_by_sorting_equal_the_pairwise_definition():
    """The sums Σ_i Σ_r max(a_i − b_r, 0) behind the Dagum decomposition, computed by sorting (linear
    memory: a county panel would need 1.3 GB of pairwise differences), equal the pairwise definition,
    ties included; and the whole decomposition of 2,875 regions × 20 years runs in little memory."""
    from nqpf.disparity.gini import _abs_sum, _excess

    rng = np.random.default_rng(11)
    A = np.round(rng.gamma(2.0, 1.0, size=(300, 4)), 1)   # rounded: many ties
    B = np.round(rng.gamma(3.0, 1.0, size=(170, 4)), 1)
    diff = A[:, None, :] - B[None, :, :]
    np.testing.assert_allclose(_excess(A, B), np.clip(diff, 0, None).sum(axis=(0, 1)), rtol=1e-12)
    np.testing.assert_allclose(_excess(B, A), np.clip(-diff, 0, None).sum(axis=(0, 1)), rtol=1e-12)
    np.testing.assert_allclose(_abs_sum(A, A), np.abs(A[:, None, :] - A[None, :, :]).sum(axis=(0, 1)), rtol=1e-12)
    big = pd.DataFrame(rng.gamma(2.0, 1.0, size=(2875, 20)) + 0.1, columns=range(2004, 2024))
    groups = rng.choice(["east", "central", "west", "northeast", "hmt"], size=2875)
    d = dagum_gini(big, list(groups))
    np.testing.assert_allclose(d["Gw"] + d["Gnb"] + d["Gt"], d["G"], rtol=1e-12)
