"""Markov, spatial Markov and LISA Markov chains (nqpf.dynamics.markov, the ``markov`` family) against
giddy 2.3 (``Markov``, ``Spatial_Markov``, ``LISA_Markov``, ``homogeneity``, ``ergodic``), mapclassify
2.x (``Quantiles``), scipy and hand-computed cases; on the paper's provincial scores with the
pipeline's weights and on a larger random lattice panel.

Reference values are computed in the tests by the reference libraries on the same classes; the
hand cases state their source (Kemeny & Snell 1976, "Land of Oz").
"""
from __future__ import annotations

import contextlib
import io
import time
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

giddy_markov = pytest.importorskip("giddy.markov")
giddy_ergodic = pytest.importorskip("giddy.ergodic")
mapclassify = pytest.importorskip("mapclassify")
libpysal = pytest.importorskip("libpysal")
from libpysal.weights import W, lat2W  # noqa: E402

from nqpf import datasets  # noqa: E402
from nqpf.dynamics import markov as mk  # noqa: E402
from nqpf.errors import InputError  # noqa: E402
from nqpf.pipeline import analyze  # noqa: E402
from nqpf.spatial import moran_local  # noqa: E402

TOL = 1e-10

pytestmark = [
    pytest.mark.filterwarnings("ignore:.*have no transition.*:UserWarning"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:.*island.*"),
    pytest.mark.filterwarnings("ignore:.*disconnected.*"),
]


def _quiet(f, *a, **kw):
    """A giddy call without its prints and warnings."""
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        return f(*a, **kw)


def _row_std(w, ids):
    """A row-standardised copy of ``w`` in the order ``ids`` (what giddy expects)."""
    c = W({i: list(w.neighbors[i]) for i in ids}, {i: list(w.weights[i]) for i in ids}, id_order=list(ids),
          silence_warnings=True)
    c.transform = "r"
    return c


@pytest.fixture(scope="module")
def paper():
    """The paper's scores (Table 2) with the weights the pipeline builds (queen, Hainan–Guangdong)."""
    Y = datasets.load_ran2025_scores(wide=True)
    res = analyze(Y, "china-provinces", permutations=99, analyses=("scores", "spatial", "markov"))
    return res


@pytest.fixture(scope="module")
def lattice():
    """A 24 × 24 rook lattice, 12 years of positive, spatially smooth random scores."""
    w = lat2W(24, 24)
    rng = np.random.default_rng(7)
    n, T = w.n, 12
    base = rng.lognormal(0.0, 0.5, n)
    S = np.zeros((n, n))
    for i, nb in w.neighbors.items():
        S[i, nb] = 1.0 / len(nb)
    X = np.empty((n, T))
    x = base
    for t in range(T):
        x = 0.6 * x + 0.4 * (S @ x) * rng.lognormal(0.0, 0.25, n)
        X[:, t] = x
    Y = pd.DataFrame(X, index=list(w.id_order), columns=list(range(2001, 2001 + T)))
    return Y, w


def _pw(res):
    return res.Y, res.w


DATA = ["paper", "lattice"]


def _get(name, request):
    d = request.getfixturevalue(name)
    return _pw(d) if name == "paper" else d


# ------------------------------------------------------------------------------------------ classes
@pytest.mark.parametrize("k", [3, 4, 5, 7])
@pytest.mark.parametrize("name", DATA)
def test_pooled_quantile_classes_equal_mapclassify(name, k, request):
    Y, _ = _get(name, request)
    C = mk.classify(Y, k)
    q = mapclassify.Quantiles(Y.to_numpy().ravel(), k=k)
    np.testing.assert_array_equal(C.breaks, q.bins[:-1])
    np.testing.assert_array_equal(C.ids, q.yb.reshape(Y.shape))
    assert C.basis == "pooled_quantiles" and C.k == k
    tab = C.table()
    assert list(tab.columns) == ["variable", "class", "lower", "upper", "basis", "count"]
    assert tab["count"].tolist() == np.bincount(q.yb, minlength=k).tolist()
    assert tab["lower"].iloc[0] == Y.to_numpy().min() and tab["upper"].iloc[-1] == Y.to_numpy().max()


def test_yearly_mean_and_breaks_classes(paper):
    Y = paper.Y
    X = Y.to_numpy()
    R = X / X.mean(axis=0)
    C = mk.classify(Y, 4, "yearly_mean")
    q = mapclassify.Quantiles(R.ravel(), k=4)
    np.testing.assert_array_equal(C.ids, q.yb.reshape(Y.shape))
    assert C.basis == "yearly_mean_quantiles"
    C = mk.classify(Y, basis="yearly_mean", breaks=[0.8, 1.0, 1.2])
    ud = mapclassify.UserDefined(R.ravel(), [0.8, 1.0, 1.2, np.inf])
    np.testing.assert_array_equal(C.ids, ud.yb.reshape(Y.shape))
    assert C.basis == "yearly_mean_breaks" and C.k == 4
    C = mk.classify(Y, basis="breaks", breaks=["0.15", 0.3])   # numbers as the command line gives them
    np.testing.assert_array_equal(C.ids, np.searchsorted([0.15, 0.3], X, side="left"))
    # right-closed: a value equal to a break is in the lower class
    one = pd.DataFrame([[0.15, 0.3, 0.31], [0.1, 0.2, 0.4], [0.16, 0.31, 0.05]], columns=[1, 2, 3])
    assert mk.classify(one, basis="breaks", breaks=[0.15, 0.3]).ids.tolist() == [[0, 1, 2], [0, 1, 2], [1, 2, 0]]


# ------------------------------------------------------------------------------------ classic chain
def _assert_chain(r, m):
    np.testing.assert_array_equal(r.T, m.transitions)
    np.testing.assert_allclose(r.P, m.p, rtol=0, atol=TOL)
    np.testing.assert_allclose(r.pi, m.steady_state, rtol=0, atol=TOL)
    np.testing.assert_allclose(r.F, m.mfpt, rtol=TOL, atol=TOL)


@pytest.mark.parametrize("basis", ["pooled", "yearly_mean"])
@pytest.mark.parametrize("name", DATA)
def test_markov_equals_giddy(name, basis, request):
    Y, _ = _get(name, request)
    r = mk.markov(Y, k=5 if name == "lattice" else 4, basis=basis)
    m = _quiet(giddy_markov.Markov, r.classes.ids, classes=np.arange(r.k))
    _assert_chain(r, m)
    assert r.status == "ok"
    st = r.steady_state_table()
    assert list(st.columns) == ["class", "initial", "final", "steady_state", "empty"]
    np.testing.assert_allclose(st["initial"], np.bincount(r.classes.ids[:, 0], minlength=r.k) / len(Y))
    np.testing.assert_allclose(st["final"], np.bincount(r.classes.ids[:, -1], minlength=r.k) / len(Y))
    tt = r.transitions_table()
    assert list(tt.columns) == ["from_class", "to_class", "count", "p", "empty"]
    assert tt["from_class"].min() == 1 and tt["to_class"].max() == r.k
    np.testing.assert_allclose(tt["p"].to_numpy().reshape(r.k, r.k), m.p, atol=TOL)
    fp = r.first_passage_table()
    np.testing.assert_allclose(fp["years"].to_numpy().reshape(r.k, r.k), m.mfpt, rtol=TOL)


def test_paper_markov_values(paper):
    """The published scores' chain (4 pooled quartile classes, 29 provinces, 2010–2020): counts
    counted by giddy 2.3.8's Markov on the same classes."""
    t = paper.table("markov")
    counts = t["count"].to_numpy().reshape(4, 4)
    assert counts.tolist() == [[64, 6, 0, 0], [9, 53, 9, 0], [0, 12, 59, 4], [0, 0, 5, 69]]
    assert counts.sum() == 29 * 10


@pytest.mark.parametrize("d", [2, 3])
def test_d_year_transitions_equal_giddy_on_column_subsets(lattice, d):
    Y, _ = lattice
    r = mk.markov(Y, k=4, d=d)
    ids = r.classes.ids
    T = sum(_quiet(giddy_markov.Markov, ids[:, s::d], classes=np.arange(4)).transitions for s in range(d))
    np.testing.assert_array_equal(r.T, T)
    assert r.T.sum() == len(Y) * (Y.shape[1] - d)
    np.testing.assert_allclose(r.first_passage_table()["years"], r.F.ravel() * d)


def test_pairs_need_both_years_present():
    """With a missing year, d counts calendar years: 2001→2003 exists, 2002→2004 does not."""
    a, b = mk.year_pairs([2000, 2001, 2003, 2004], 2)
    assert list(zip(a.tolist(), b.tolist())) == [(1, 2)]
    a, b = mk.year_pairs([2000, 2001, 2003, 2004], 1)
    assert list(zip(a.tolist(), b.tolist())) == [(0, 1), (2, 3)]


@pytest.mark.parametrize("name", DATA)
def test_time_homogeneity_equals_giddy(name, request):
    Y, _ = _get(name, request)
    r = mk.markov(Y, k=4)
    years = list(Y.columns)
    starts = years[:-1]
    split = starts[len(starts) // 2]
    assert r.split_year == split
    cut = years.index(split)
    ids = r.classes.ids
    early = _quiet(giddy_markov.Markov, ids[:, : cut + 1], classes=np.arange(4)).transitions
    late = _quiet(giddy_markov.Markov, ids[:, cut:], classes=np.arange(4)).transitions
    np.testing.assert_array_equal(r.T_periods, np.stack([early, late]))
    h = giddy_markov.homogeneity([early, late])
    t = r.time_test
    assert t.df == h.dof
    np.testing.assert_allclose([t.Q, t.LR, t.p_Q, t.p_LR], [h.Q, h.LR, h.Q_p_value, h.LR_p_value], rtol=0, atol=TOL)
    tab = r.tests_table()
    assert tab["test"].tolist() == ["time_Q", "time_LR"] and tab["regimes"].tolist() == [2, 2]


def test_homogeneity_hand_case():
    """Two regimes, 3 classes, class 3 never left in either: its row adds nothing to df (giddy's
    formula gives (0−1)(0−1) = 1 for it). Q, LR by the Bickenbach–Bode formulas written out."""
    M = np.array([[[8, 2, 0], [1, 4, 0], [0, 0, 0]],
                  [[3, 3, 0], [2, 2, 1], [0, 0, 0]]], dtype=float)
    h = mk.homogeneity(M)
    T = M.sum(0)
    p = T / T.sum(1, keepdims=True).clip(1)
    Q = LR = 0.0
    for r in range(2):
        for i in range(2):
            n_i = M[r, i].sum()
            for j in range(3):
                if p[i, j] > 0:
                    pr = M[r, i, j] / n_i
                    Q += n_i * (pr - p[i, j]) ** 2 / p[i, j]
                    if M[r, i, j] > 0:
                        LR += 2 * M[r, i, j] * np.log(pr / p[i, j])
    # row 1: b = 2 regimes, a = 2 positive cells -> 1; row 2: b = 2, a = 3 -> 2; row 3 empty -> 0
    assert h.df == 3
    assert giddy_markov.homogeneity(M).dof == 4          # giddy counts the empty row
    np.testing.assert_allclose([h.Q, h.LR], [Q, LR], rtol=0, atol=TOL)
    np.testing.assert_allclose(h.p_Q, stats.chi2.sf(Q, 3), atol=TOL)
    assert np.isnan(mk.homogeneity(np.stack([np.eye(3), np.eye(3)])).p_Q)   # df 0: no test


# ---------------------------------------------------------------------------------- ergodic parts
def test_steady_state_and_passage_times_land_of_oz():
    """Kemeny & Snell (1976) Land of Oz: π = (0.4, 0.2, 0.4); mean first passage times
    [[2.5, 4, 10/3], [8/3, 5, 8/3], [10/3, 4, 2.5]] (giddy's docstring example too)."""
    P = np.array([[0.5, 0.25, 0.25], [0.5, 0.0, 0.5], [0.25, 0.25, 0.5]])
    np.testing.assert_allclose(mk.steady_state(P), [0.4, 0.2, 0.4], atol=TOL)
    np.testing.assert_allclose(mk.first_passage_times(P), [[2.5, 4, 10 / 3], [8 / 3, 5, 8 / 3], [10 / 3, 4, 2.5]],
                               atol=TOL)


def test_reducible_chains():
    # one closed class {3} and transient {1, 2}: unique steady state, passage times as giddy's mfpt
    P = np.array([[0.5, 0.5, 0.0], [0.2, 0.5, 0.3], [0.0, 0.0, 1.0]])
    np.testing.assert_allclose(mk.steady_state(P), [0, 0, 1], atol=TOL)
    np.testing.assert_allclose(mk.first_passage_times(P), _quiet(giddy_ergodic.mfpt, P), rtol=TOL)
    # two closed classes: no unique steady state
    P2 = np.array([[1.0, 0.0, 0.0], [0.3, 0.4, 0.3], [0.0, 0.0, 1.0]])
    assert np.isnan(mk.steady_state(P2)).all()
    F = mk.first_passage_times(P2)
    # from 2, class 1 is reached with probability 1/2 only: infinite expected time
    assert np.isinf(F[1, 0]) and np.isinf(F[1, 2]) and F[0, 0] == 1.0 and np.isinf(F[0, 2])


def test_unvisited_class_and_class_entered_only_at_the_end():
    # class 3 never occupied: π = 0 there, passage times into and out of it NaN
    P = np.array([[0.5, 0.5, 0.0], [0.25, 0.75, 0.0], [np.nan, np.nan, np.nan]])
    np.testing.assert_allclose(mk.steady_state(P), [1 / 3, 2 / 3, 0.0], atol=TOL)
    F = mk.first_passage_times(P)
    np.testing.assert_allclose(F[:2, :2], _quiet(giddy_ergodic.mfpt, P[:2, :2]), rtol=TOL)
    assert np.isnan(F[2]).all() and np.isnan(F[:, 2]).all()
    # class 3 entered but never left (observed only in the last year): undetermined
    P = np.array([[0.5, 0.4, 0.1], [0.25, 0.75, 0.0], [np.nan, np.nan, np.nan]])
    assert np.isnan(mk.steady_state(P)).all() and np.isnan(mk.first_passage_times(P)).all()


def test_empty_rows_are_reported_not_filled():
    """Breaks that no region reaches: the class has an empty row, NaN probabilities, a warning
    and the flag; the steady state is computed on the classes with transitions."""
    Y = pd.DataFrame({2001: [1.0, 2.0, 3.0, 4.0], 2002: [1.5, 2.5, 3.5, 4.5], 2003: [1.2, 2.2, 3.2, 4.2]})
    with pytest.warns(UserWarning, match="no transition starts in class 4"):
        r = mk.markov(Y, basis="breaks", breaks=[2.0, 3.0, 10.0])
    t = r.transitions_table()
    assert t.loc[t["from_class"] == 4, "empty"].all() and t.loc[t["from_class"] == 4, "p"].isna().all()
    assert not t.loc[t["from_class"] < 4, "empty"].any()
    assert r.status == "ok" and r.pi[3] == 0 and np.isclose(r.pi.sum(), 1)
    # the top class entered only in the last year: empty row, steady state undetermined, stated
    Y = pd.DataFrame({2001: [1.0, 2.0, 3.0, 4.0], 2002: [1.1, 2.1, 3.1, 4.1], 2003: [1.2, 2.2, 3.2, 12.0]})
    with pytest.warns(UserWarning, match="entered but never left"):
        r = mk.markov(Y, basis="breaks", breaks=[2.0, 3.0, 10.0])
    assert r.status == "entered_empty" and np.isnan(r.pi).all()
    assert r.steady_state_table()["empty"].tolist() == [False, False, False, True]


def test_tied_quantiles_give_fewer_classes_with_a_warning():
    Y = pd.DataFrame({2001: [1.0, 1.0, 1.0, 1.0, 5.0], 2002: [1.0, 1.0, 1.0, 2.0, 6.0]})
    with pytest.warns(UserWarning, match="only 3 distinct quantile classes"):
        C = mk.classify(Y, 4)
    q = _quiet(mapclassify.Quantiles, Y.to_numpy().ravel(), k=4)
    assert C.k == len(q.bins) == 3
    np.testing.assert_array_equal(C.ids.ravel(), q.yb)


# ---------------------------------------------------------------------------------- spatial Markov
def _giddy_sm(Y, w, k, **kw):
    return _quiet(giddy_markov.Spatial_Markov, Y.to_numpy(), _row_std(w, list(Y.index)), k=k, m=k, fixed=True, **kw)


def _gss(P):
    """giddy's steady state of a chain with one closed class (a (1, k) array when the chain is
    reducible) as a vector."""
    ss = np.asarray(_quiet(giddy_ergodic.steady_state, P), dtype=float)
    assert ss.ndim == 1 or ss.shape[0] == 1
    return ss.reshape(-1)


def _assert_spatial(s, sm):
    np.testing.assert_array_equal(s.T, sm.T)
    np.testing.assert_allclose(np.nan_to_num(s.P, nan=0.0), sm.P, rtol=0, atol=TOL)
    assert np.all(np.isnan(s.P) == (sm.T.sum(axis=2, keepdims=True) == 0) & np.ones_like(s.P, bool))
    assert s.test.df == sm.dof_hom
    np.testing.assert_allclose([s.test.Q, s.test.LR, s.test.p_Q, s.test.p_LR],
                               [sm.Q, sm.LR, sm.Q_p_value, sm.LR_p_value], rtol=0, atol=TOL)
    for r in range(s.m):
        live = s.T[r].sum(axis=1) > 0
        Pl = s.P[r][np.ix_(live, live)]
        if s.status[r] == "entered_empty":   # a class entered under this lag class but never left
            assert np.isnan(s.S[r]).all() and np.isnan(s.F[r]).all()
            assert np.any(s.T[r][:, ~live] > 0)
            continue
        if s.status[r] == "several_closed":  # giddy gives one distribution per closed class
            ss = np.asarray(_quiet(giddy_ergodic.steady_state, Pl), dtype=float)
            assert ss.ndim == 2 and ss.shape[0] > 1 and np.isnan(s.S[r]).all()
        elif live.all():    # giddy's S and F need every row (its steady_state refuses empty rows)
            np.testing.assert_allclose(s.S[r], _gss(sm.P[r]), atol=TOL)
            if all((sm.T[q].sum(axis=1) > 0).all() for q in range(s.m)):   # giddy's own S attribute
                np.testing.assert_allclose(s.S[r], np.asarray(sm.S[r], dtype=float).reshape(-1), atol=TOL)
                np.testing.assert_allclose(s.F[r], sm.F[r], rtol=TOL, atol=TOL)
        else:               # the classes never occupied under this lag class drop out
            np.testing.assert_allclose(s.S[r][live], _gss(Pl), atol=TOL)
            assert (s.S[r][~live] == 0).all()
        np.testing.assert_allclose(s.F[r][np.ix_(live, live)], _quiet(giddy_ergodic.mfpt, Pl), rtol=TOL, atol=TOL)
        assert np.isnan(s.F[r][~live]).all() and np.isnan(s.F[r][:, ~live]).all()


@pytest.mark.parametrize("name", DATA)
def test_spatial_markov_equals_giddy(name, request):
    Y, w = _get(name, request)
    s = mk.spatial_markov(Y, w, k=4)
    sm = _giddy_sm(Y, w, 4)
    np.testing.assert_array_equal(s.classes.breaks, sm.cutoffs)
    np.testing.assert_allclose(s.lag_classes.breaks, sm.lag_cutoffs, rtol=0, atol=TOL)
    np.testing.assert_array_equal(s.lag_classes.ids, sm.lclass_ids)
    _assert_spatial(s, sm)
    tab = s.transitions_table()
    assert list(tab.columns) == ["lag_class", "from_class", "to_class", "count", "p", "empty"]
    assert len(tab) == 4 * 4 * 4 and tab["count"].sum() == len(Y) * (Y.shape[1] - 1)
    tests = s.tests_table()
    assert tests["test"].tolist() == ["spatial_Q", "spatial_LR"] and (tests["df"] == sm.dof_hom).all()


def test_spatial_markov_paper_has_empty_rows_flagged(paper):
    t = paper.table("spatial_markov")
    empty = t[t["empty"]]
    assert len(empty) == 2 * 4 and empty["p"].isna().all() and (empty["count"] == 0).all()
    assert paper.param("spatial_markov_empty_rows") == 2


@pytest.mark.parametrize("name", DATA)
def test_spatial_markov_with_the_score_breaks_equals_giddy(name, request):
    Y, w = _get(name, request)
    s = mk.spatial_markov(Y, w, k=4, lag_classes="score")
    b = s.classes.breaks
    sm = _giddy_sm(Y, w, 4, cutoffs=list(b), lag_cutoffs=list(b))
    assert s.lag_classes.basis == "score_breaks"
    np.testing.assert_array_equal(s.lag_classes.ids, sm.lclass_ids)
    _assert_spatial(s, sm)


def test_spatial_markov_relative_scores_equal_giddy(lattice):
    """basis yearly_mean: the chains of the ratios to the year's mean (Rey 2001's relative incomes)."""
    Y, w = lattice
    R = Y / Y.mean(axis=0)
    s = mk.spatial_markov(Y, w, k=5, basis="yearly_mean")
    _assert_spatial(s, _giddy_sm(R, w, 5))


def test_spatial_markov_leaves_islands_out():
    base = lat2W(6, 6)
    neigh = {i: [j for j in base.neighbors[i] if j != 7] for i in base.id_order}
    neigh[7] = []
    w = W(neigh, silence_warnings=True)
    rng = np.random.default_rng(3)
    Y = pd.DataFrame(rng.lognormal(size=(36, 5)), columns=range(2001, 2006))
    with pytest.warns(UserWarning, match="without neighbours"):
        s = mk.spatial_markov(Y, w, k=3)
    assert s.n_islands == 1 and s.T.sum() == 35 * 4
    assert (s.lag_classes.ids[7] == -1).all()


# ------------------------------------------------------------------------------------ LISA Markov
@pytest.mark.parametrize("name", DATA)
def test_lisa_markov_transitions_equal_giddy(name, request):
    Y, w = _get(name, request)
    local = moran_local(Y, w, permutations=0)
    lm = mk.lisa_markov(local)
    g = _quiet(giddy_markov.LISA_Markov, Y.to_numpy(), _row_std(w, list(Y.index)))
    np.testing.assert_array_equal(lm.T, g.transitions)
    np.testing.assert_allclose(lm.P, g.p, rtol=0, atol=TOL)
    tab = lm.transitions_table()
    assert list(tab.columns) == ["from_quadrant", "to_quadrant", "count", "p", "expected", "empty"]
    assert tab["from_quadrant"].tolist()[:4] == ["HH"] * 4 and tab["to_quadrant"].tolist()[:4] == list(mk._QUADRANTS)


@pytest.mark.parametrize("name", DATA)
def test_lisa_independence_test_is_giddys_formula_over_time(name, request):
    """giddy's LISA_Markov chi_2: expected counts A·kron(p_own, p_lag)·Aᵀ scaled by the row totals,
    then giddy's chi2. The two high/low chains are built here with giddy's own Markov over time
    (n × T, relative to each year's mean); giddy 2.3.8 builds them from the transposed T × n
    array (relative to each region's time mean, over regions), so its own chi_2 is not compared."""
    Y, w = _get(name, request)
    lm = mk.lisa_markov(moran_local(Y, w, permutations=0))
    X = Y.to_numpy()
    wr = _row_std(w, list(Y.index))
    lag = np.column_stack([libpysal.weights.lag_spatial(wr, X[:, t]) for t in range(X.shape[1])])
    own_low, lag_low = X / X.mean(axis=0) < 1, lag / X.mean(axis=0) < 1
    p_own = _quiet(giddy_markov.Markov, own_low).p
    p_lag = _quiet(giddy_markov.Markov, lag_low).p
    A = np.array([[1, 0, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1], [0, 1, 0, 0]])
    E = np.diag(lm.T.sum(axis=1)) @ (A @ np.kron(p_own, p_lag) @ A.T)
    np.testing.assert_allclose(lm.E, E, rtol=0, atol=TOL)
    chi, p, dof = giddy_markov.chi2(lm.T, E)
    assert lm.df == dof
    np.testing.assert_allclose([lm.chi2, lm.p_chi2], [chi, p], rtol=0, atol=TOL)
    pos = E.ravel() > 0
    assert not np.any((lm.T.ravel() > 0) & ~pos)
    G = stats.power_divergence(lm.T.ravel()[pos], E.ravel()[pos], lambda_="log-likelihood")
    np.testing.assert_allclose(lm.LR, G.statistic, rtol=TOL)


def _local(rows):
    """A local Moran table from {region: [quadrant per year]}."""
    years = range(2001, 2001 + len(next(iter(rows.values()))))
    return pd.DataFrame([{"region": r, "year": y, "quadrant": q} for r, qs in rows.items()
                         for y, q in zip(years, qs)])


def test_rey_transition_types_hand_case():
    """Every kind of move once (Rey 2001): HH→HH 0, HH→LH I (region falls), HH→HL II (neighbours
    fall), HH→LL IIIA, HL→LH IIIB, LL→HL I, LH→LL II; an island (no quadrant) is left out."""
    local = _local({"a": ["HH", "HH"], "b": ["HH", "LH"], "c": ["HH", "HL"], "d": ["HH", "LL"],
                    "e": ["HL", "LH"], "f": ["LL", "HL"], "g": ["LH", "LL"], "island": ["", ""]})
    t = mk.lisa_types(local)
    assert len(t) == 2 and t["pooled"].tolist() == [False, True]
    row = t.iloc[0]
    assert (row["year_from"], row["year_to"], row["transitions"]) == (2001, 2002, 7)
    assert [row[f"type_{c}"] for c in mk.LISA_TYPES] == [1, 2, 2, 1, 1]
    np.testing.assert_allclose(row["cohesion"], 1 / 7)
    np.testing.assert_allclose(row["flux"], 6 / 7)
    np.testing.assert_allclose(sum(row[f"share_{c}"] for c in mk.LISA_TYPES), 1.0)


def test_rey_types_per_pair_and_pooled(paper):
    t = paper.table("lisa_markov_types")
    pairs = t[~t["pooled"]]
    assert len(pairs) == 10 and (pairs["transitions"] == 29).all()
    pooled = t[t["pooled"]].iloc[0]
    counts = [f"type_{c}" for c in mk.LISA_TYPES]
    assert pooled[counts].tolist() == pairs[counts].sum().tolist()
    assert (pooled["year_from"], pooled["year_to"]) == (2010, 2020)
    # type 0 = the diagonal of the quadrant matrix
    lm = paper.table("lisa_markov")
    assert pooled["type_0"] == lm.loc[lm["from_quadrant"] == lm["to_quadrant"], "count"].sum()


def test_a_year_with_equal_scores_has_no_quadrants():
    """Every region equal in 2003: the chain of classes runs (pooled classes), the quadrant
    transitions into and out of 2003 are left out with a warning, that pair's shares are NaN."""
    w = lat2W(4, 4)
    rng = np.random.default_rng(5)
    Y = pd.DataFrame(rng.lognormal(size=(16, 4)), columns=[2001, 2002, 2003, 2004])
    Y[2003] = 1.0
    r = mk.markov(Y, k=3)
    assert r.T.sum() == 16 * 3
    with pytest.warns(UserWarning, match="16 region-year"):
        lm = mk.lisa_markov(_quiet(moran_local, Y, w, permutations=0))
    assert lm.T.sum() == 16
    t = lm.types
    assert t["transitions"].tolist() == [16, 0, 0, 16]
    assert t.loc[1, ["share_0", "cohesion", "flux"]].isna().all()


def test_lisa_markov_reads_the_spatial_family_or_computes_the_quadrants(paper):
    Y = datasets.load_ran2025_scores(wide=True)
    alone = analyze(Y, "china-provinces", permutations=0, analyses=("scores", "markov"))
    for key in ("lisa_markov", "lisa_markov_types", "markov", "spatial_markov"):
        pd.testing.assert_frame_equal(alone.table(key), paper.table(key))


# ----------------------------------------------------------------------------------- bad input
def _Y(n=6, T=5, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame(rng.lognormal(size=(n, T)), columns=range(2001, 2001 + T))


@pytest.mark.parametrize("call, match", [
    (lambda: mk.classify(_Y(n=3), 4), "3 regions per year cannot fill 4 classes"),
    (lambda: mk.classify(pd.DataFrame(np.ones((5, 3)), columns=[1, 2, 3])), "constant scores"),
    (lambda: mk.markov(_Y(T=4), d=4), "no pair of years 4 year"),
    (lambda: mk.markov(_Y(), d=0), "whole number of years"),
    (lambda: mk.classify(_Y(), basis="breaks"), "needs the class breaks"),
    (lambda: mk.classify(_Y(), basis="pooled", breaks=[1.0]), "breaks were given but basis is 'pooled'"),
    (lambda: mk.classify(_Y(), basis="breaks", breaks=[2.0, 1.0]), "increase strictly"),
    (lambda: mk.classify(_Y(), basis="breaks", breaks=["x"]), "must be numbers"),
    (lambda: mk.classify(_Y(), basis="percentile"), "basis must be one of"),
    (lambda: mk.markov(_Y(), split_year=2001), "split_year 2001 leaves a sub-period"),
    (lambda: mk.classify(_Y().where(lambda d: d > 0.5)), "missing or infinite"),
    (lambda: mk.lisa_markov(pd.DataFrame({"region": [1]})), "columns"),
])
def test_bad_input_is_a_clear_input_error(call, match):
    with pytest.raises(InputError, match=match):
        call()


def test_pipeline_options_are_validated_and_recorded(paper):
    Y = datasets.load_ran2025_scores(wide=True)
    with pytest.raises(InputError, match="no pair of years 20 year"):
        analyze(Y, "china-provinces", permutations=0, analyses=("scores", "markov"), options={"markov": {"lag": 20}})
    with pytest.raises(InputError, match="markov.breaks"):
        analyze(Y, "china-provinces", permutations=0, analyses=("scores", "markov"),
                options={"markov.breaks": "0.1,x"})
    with pytest.raises(InputError, match="classes"):
        analyze(Y, "china-provinces", permutations=0, analyses=("scores", "markov"), options={"markov.classes": 1})
    res = analyze(Y, "china-provinces", permutations=0, analyses=("scores", "markov"),
                  options={"markov": {"basis": "yearly_mean", "breaks": "0.8,1,1.25", "lag": 2,
                                      "lag_classes": "score", "split_year": 2013}})
    assert res.param("markov_classes_basis") == "yearly_mean_breaks"
    assert res.param("markov_breaks") == [0.8, 1.0, 1.25] and res.param("markov_lag_breaks") == [0.8, 1.0, 1.25]
    assert res.param("markov_lag_years") == 2 and res.param("markov_split_year") == 2013
    assert res.param("markov_lag_classes") == "score_breaks"
    assert "markov.yearly_mean_breaks" in res.params["conventions"]
    assert "spatial_markov.score_breaks" in res.params["conventions"]


# ------------------------------------------------------------------------------ end to end
def test_family_end_to_end_writes_in_both_languages(paper, tmp_path):
    keys = {"markov", "markov_classes", "markov_steady_state", "markov_first_passage", "spatial_markov",
            "spatial_markov_steady_state", "spatial_markov_first_passage", "markov_tests", "lisa_markov",
            "lisa_markov_types"}
    assert keys <= {t.key for t in paper.tables()}
    assert {"markov_heatmap", "spatial_markov_heatmap", "lisa_markov_heatmap", "lisa_types"} <= \
        {f.key for f in paper.figures()}
    assert "methods_markov" in paper
    assert all(paper[k].section == "dynamics" for k in keys)
    tests = paper.table("markov_tests")
    assert tests["test"].tolist() == ["time_Q", "time_LR", "spatial_Q", "spatial_LR", "lisa_chi2", "lisa_LR"]
    assert paper.param("markov_classes") == 4 and paper.param("markov_lag_years") == 1
    assert paper.param("markov_classes_basis") == "pooled_quantiles"
    assert paper.param("markov_lag_classes") == "lag_quantiles"
    assert {"markov.pooled_quantiles", "spatial_markov.lag_quantiles", "markov_empty",
            "lisa_markov"} <= set(paper.params["conventions"])
    # this family's items only (the maps of the spatial family are tested with it)
    import dataclasses

    ours = dataclasses.replace(paper, items={k: v for k, v in paper.items.items()
                                             if k in keys or "markov" in k or k == "lisa_types"})
    digests = {}
    for lang in ("zh", "en"):
        out = tmp_path / lang
        ours.write(out, lang=lang, formats=("csv", "png"))
        for f in ("markov_heatmap", "spatial_markov_heatmap", "lisa_markov_heatmap", "lisa_types"):
            assert (out / "figures" / f"{f}.png").stat().st_size > 10_000
        digests[lang] = {p.name: p.read_bytes() for p in (out / "tables").glob("*markov*.csv")}
    assert len(digests["zh"]) == 10 and digests["zh"] == digests["en"]
    # the methods text names every convention in each language
    from nqpf.i18n import t
    for lang in ("zh", "en"):
        text = " ".join(paper["methods_markov"].texts(lang))
        assert "{" not in text.replace("_{", "").replace("^{", "")
        assert t("methods.markov.basis.pooled_quantiles", lang) in text


def test_heatmaps_state_the_classes_and_their_basis(paper):
    """The class ranges of the markov_classes table label the rows and columns, the lag classes' ranges
    head the spatial panels, and the title names the basis; the LISA types' axis is the period."""
    from nqpf.i18n import t
    from nqpf.plot.markov import plot_lisa_types, plot_spatial_markov, plot_transition_matrix

    cl = paper.table("markov_classes")
    score = cl[cl["variable"] == "score"]
    for lang in ("zh", "en"):
        fig = plot_transition_matrix(paper.table("markov"), lang, classes=cl)
        ax = fig.axes[0]
        ticks = [x.get_text() for x in ax.get_xticklabels()]
        assert ticks[0] == t("plot.markov_class", lang, n=1) + f"\n{score['lower'].iloc[0]:.3f}–{score['upper'].iloc[0]:.3f}"
        assert t(f"cat.markov_basis.{score['basis'].iloc[0]}", lang) in ax.get_title()
        fig = plot_spatial_markov(paper.table("spatial_markov"), lang, classes=cl)
        lag = cl[cl["variable"] == "lag"]
        heads = [a.get_title() for a in fig.axes if a.get_title()]
        assert heads[0].startswith(t("plot.markov_lag_class", lang, n=1))
        assert f"{lag['lower'].iloc[0]:.3f}–{lag['upper'].iloc[0]:.3f}" in heads[0]
        assert t(f"cat.markov_basis.{lag['basis'].iloc[0]}", lang) in fig._suptitle.get_text()
        fig = plot_lisa_types(paper.table("lisa_markov_types"), lang)
        assert fig.axes[0].get_xlabel() == t("plot.markov_period", lang)
    # without the classes table: the plain labels (the function stands alone)
    fig = plot_transition_matrix(paper.table("markov"), "en")
    assert [x.get_text() for x in fig.axes[0].get_xticklabels()][0] == "Class 1"


def test_vectorised_on_2848_regions_by_20_years():
    """Counting, classes, lags and the LISA chain of 2,848 regions × 20 years at once (the benchmark
    script times it against giddy); generous bound for a shared machine."""
    side = 54
    w = lat2W(side, side)
    ids = list(w.id_order)[:2848]
    w = libpysal.weights.w_subset(w, ids)
    rng = np.random.default_rng(0)
    Y = pd.DataFrame(rng.lognormal(size=(2848, 20)), index=ids, columns=range(2001, 2021))
    local = moran_local(Y, w, permutations=0)
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        C = mk.classify(Y, 5)
        mk.markov(Y, classes=C)
        mk.spatial_markov(Y, w, classes=C)
        mk.lisa_markov(local)
    assert time.perf_counter() - t0 < 3.0
