"""Weights as sparse matrices end to end (nqpf.spatial.weights._sparse), the cache-sized global permutation
kernel and fast region-name matching.

References: libpysal's own ``W.set_transform``/``W.sparse`` and ``Graph.transform``/``Graph.sparse`` (the
aligned, transformed matrices must equal them bit for bit), esda 2.9 ``Moran`` (same weights given as a
``Graph``), brute-force quadratic forms of the drawn permutations, and the previous behaviour of
:func:`nqpf.spatial.align_weights` (messages, neighbour order).
"""
from __future__ import annotations

import difflib
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import sparse

libpysal = pytest.importorskip("libpysal")
esda = pytest.importorskip("esda")
from libpysal.graph import Graph  # noqa: E402
from libpysal.weights import KNN, WSP, W, lat2W  # noqa: E402

from nqpf import regions  # noqa: E402
from nqpf.errors import InputError, UnknownRegionError, WeightsMismatchError  # noqa: E402
from nqpf.spatial import (  # noqa: E402
    align_weights,
    geary_global,
    getis_ord_local,
    moran_global,
    moran_local,
    resolve_weights,
)
from nqpf.spatial import _inference as inf  # noqa: E402
from nqpf.spatial._common import long_table, sparse_weights  # noqa: E402
from nqpf.spatial.weights import _sparse as sw  # noqa: E402

warnings.filterwarnings("ignore", message=".*island.*")
warnings.filterwarnings("ignore", message=".*disconnected.*")

TRANSFORMS = ("r", "b", "d", "v", "o")


def _float_w(seed=0, n=40, k=5):
    """Asymmetric KNN structure with uneven positive weights and one island (region 7)."""
    rng = np.random.default_rng(seed)
    base = KNN.from_array(rng.random((n, 2)), k=k)
    nb = {i: [j for j in base.neighbors[i] if j != 7] for i in base.id_order}
    nb[7] = []
    wts = {i: list(rng.random(len(nb[i])) * 3 + 0.1) for i in base.id_order}
    return W(nb, wts, id_order=list(base.id_order), silence_warnings=True)


def _panel(ids, T=3, seed=1):
    rng = np.random.default_rng(seed)
    return pd.DataFrame(rng.lognormal(size=(len(ids), T)), index=list(ids), columns=list(range(2001, 2001 + T)))


def _libpysal_aligned(w, ids, t):
    """The reference: a W in the data's order (dicts), transformed by libpysal, as canonical CSR."""
    nb = {i: list(w.neighbors[i]) for i in ids}
    wt = {i: [float(x) for x in w.weights[i]] for i in ids}
    ref = W(nb, wt, id_order=list(ids), silence_warnings=True)
    if t != "o":
        ref.transform = t
    S = sparse.csr_matrix(ref.sparse, dtype=float)
    S.sum_duplicates()
    S.eliminate_zeros()
    return S


# ------------------------------------------------------------------------- transformations, alignment
@pytest.mark.parametrize("t", TRANSFORMS)
def test_transforms_equal_libpysal_bit_for_bit(t):
    w = _float_w()
    ids = list(w.id_order)[::-1]  # data in another order than the weights
    S = sw.aligned_matrix(w, ids, t)
    ref = _libpysal_aligned(w, ids, t)
    assert S.has_sorted_indices and S.shape == ref.shape
    np.testing.assert_array_equal(S.indptr, ref.indptr)
    np.testing.assert_array_equal(S.indices, ref.indices)
    np.testing.assert_array_equal(S.data, ref.data)  # exact, not approximate
    assert w.transform == "O"  # the caller's W is untouched


def test_graph_transforms_equal_libpysal_graph():
    w = _float_w()
    g = Graph.from_W(w)
    for t in ("r", "b", "d"):
        S = sw.aligned_matrix(g, list(w.id_order), t)
        ref = sparse.csr_matrix(g.transform(t.upper()).sparse)
        ref.eliminate_zeros()  # the island's self-loop of weight 0
        ref.sort_indices()
        np.testing.assert_allclose(S.toarray(), ref.toarray(), rtol=1e-15, atol=0)


def test_every_form_of_weights_gives_the_same_statistics():
    w = lat2W(6, 7, rook=False)
    ids = list(w.id_order)
    Y = _panel(ids, T=3).iloc[::-1]  # regions in another order than the weights
    pos = [ids.index(i) for i in Y.index]
    forms = {
        "W": w,
        "WSP": WSP(w.sparse, id_order=ids),
        "Graph": Graph.from_W(w),
        "scipy": sparse.csr_matrix(w.sparse)[pos][:, pos],  # no ids: rows in the data's order
    }
    ref = {
        "g": moran_global(Y, w, permutations=99, seed=3),
        "l": moran_local(Y, w, permutations=99, seed=3),
        "c": geary_global(Y, w, permutations=99, seed=3),
        "h": getis_ord_local(Y, w, permutations=99, seed=3),
    }
    for form in forms.values():
        pd.testing.assert_frame_equal(moran_global(Y, form, permutations=99, seed=3), ref["g"], check_exact=True)
        pd.testing.assert_frame_equal(moran_local(Y, form, permutations=99, seed=3), ref["l"], check_exact=True)
        pd.testing.assert_frame_equal(geary_global(Y, form, permutations=99, seed=3), ref["c"], check_exact=True)
        pd.testing.assert_frame_equal(getis_ord_local(Y, form, permutations=99, seed=3), ref["h"],
                                      check_exact=True)


def test_graph_input_matches_esda():
    w = _float_w(seed=4)
    g = Graph.from_W(w)
    Y = _panel(w.id_order, T=2, seed=5)
    res = moran_global(Y, g, permutations=0, alternative="two-sided")
    for k, year in enumerate(Y.columns):
        m = esda.Moran(Y[year].to_numpy(), _float_w(seed=4), permutations=0)  # esda transforms "r"
        assert res["I"].iloc[k] == pytest.approx(m.I, abs=1e-12)
        assert res["z_rand"].iloc[k] == pytest.approx(m.z_rand, abs=1e-10)
    assert (res["n_islands"] == 1).all()


def test_graph_isolate_self_loop_is_an_island():
    w = _float_w()
    S, card = sparse_weights(Graph.from_W(w), list(w.id_order), "b", "t")
    assert card[list(w.id_order).index(7)] == 0 and S.diagonal().sum() == 0
    S2, card2 = sparse_weights(w, list(w.id_order), "b", "t")
    assert (S != S2).nnz == 0 and np.array_equal(card, card2)


def test_cached_sparse_of_the_callers_w_is_not_modified():
    w = lat2W(5, 5)
    before = w.sparse.copy()
    ids = [str(i) for i in reversed(w.id_order)]
    sparse_weights(w, ids, "r", "t")
    sparse_weights(w, list(w.id_order), "r", "t")  # same order: no permutation, in-place sorting would bite
    sparse_weights(w, list(w.id_order), "o", "t")
    after = w.sparse
    assert w.transform == "O"
    np.testing.assert_array_equal(after.data, before.data)
    np.testing.assert_array_equal(after.indices, before.indices)


def test_region_positions_fast_paths_and_text_matching():
    assert sw.region_positions(pd.Index([3, 1, 2]), pd.Index([3, 1, 2])) is None
    np.testing.assert_array_equal(sw.region_positions(pd.Index([3, 1, 2]), pd.Index([1, 2, 3])), [1, 2, 0])
    # integers against their text: matched by string form, as align_weights documents
    np.testing.assert_array_equal(sw.region_positions([10, 20, 30], ["30", "10", "20"]), [2, 0, 1])
    np.testing.assert_array_equal(sw.region_positions(pd.Index(["a", "b"]), ["b", "a"]), [1, 0])


def test_alignment_errors_are_those_of_align_weights():
    w = W({"110000": ["120000"], "120000": ["110000", "130000"], "130000": ["120000"], "140000": []},
          silence_warnings=True)
    Y = pd.DataFrame({2000: [1.0, 2, 3, 4]}, index=["110000", "120000", "130000", "150000"])
    with pytest.raises(WeightsMismatchError) as a:
        align_weights(w, list(Y.index))
    with pytest.raises(WeightsMismatchError) as b:
        moran_global(Y, Graph.from_W(w))
    assert str(a.value) == str(b.value)
    assert "in the data but not in the weights: '150000'" in str(a.value)
    with pytest.raises(WeightsMismatchError, match="duplicated region ids in the data: '1'"):
        sw.region_positions([1, 2], ["1", 1])
    with pytest.raises(WeightsMismatchError, match="same as text"):
        sw.region_positions([1, "1"], ["1", "2"])


def test_bad_weights_forms():
    Y = _panel(range(5), T=2)
    with pytest.raises(InputError, match="does not fit the 5 regions"):
        moran_global(Y, sparse.eye(6, format="csr"), permutations=0)
    with pytest.raises(InputError, match="square"):
        moran_global(Y, sparse.csr_matrix(np.ones((5, 4))), permutations=0)
    bad = sparse.csr_matrix(np.ones((5, 5)) - np.eye(5))
    bad.data[0] = np.nan
    with pytest.raises(InputError, match="finite"):
        moran_global(Y, bad, permutations=0)
    with pytest.raises(InputError, match="libpysal W or Graph or a scipy sparse matrix"):
        moran_global(Y, {0: [1]}, permutations=0)
    with pytest.raises(InputError, match="no links"):
        moran_global(Y, sparse.csr_matrix((5, 5)), permutations=0)


def test_align_weights_keeps_neighbour_order_and_accepts_graph_and_sparse():
    w = _float_w()
    ids = [str(i) for i in reversed(w.id_order)]
    a = align_weights(w, ids)
    assert a.id_order == ids
    for i in w.id_order:  # neighbours in the order the W lists them, weights with them
        assert a.neighbors[str(i)] == [str(j) for j in w.neighbors[i]]
        assert a.weights[str(i)] == [float(x) for x in w.weights[i]]
    g = align_weights(Graph.from_W(w), ids)
    assert {k: sorted(v) for k, v in g.neighbors.items()} == {k: sorted(v) for k, v in a.neighbors.items()}
    s = align_weights(sparse.csr_matrix(w.sparse), list(w.id_order))
    assert {k: sorted(v) for k, v in s.neighbors.items()} == {i: sorted(w.neighbors[i]) for i in w.id_order}


def test_resolve_accepts_graph_and_sparse():
    w = lat2W(4, 4)
    got = resolve_weights(Graph.from_W(w), list(w.id_order))
    assert got.params["weights"] == "Graph" and got.w.n == 16
    got = resolve_weights(sparse.csr_matrix(w.sparse), list(w.id_order))
    assert sorted(got.w.neighbors[0]) == [1, 4]


# ---------------------------------------------------------------------- global permutation kernel
def test_permuted_quadratic_forms_brute_force_and_chunk_free(monkeypatch):
    w = _float_w(seed=2, n=30)
    S, _ = sparse_weights(w, list(w.id_order), "r", "t")
    rng = np.random.default_rng(0)
    Z = rng.normal(size=(30, 4))
    a = rng.random(30)
    R = 37
    q, s = inf.permuted_quadratic_forms(Z, S, R, seed=11, a=a)
    perms = np.concatenate([p for _, p in inf.permutation_chunks(11, R, 30, chunk=R)])
    D = S.toarray()
    for p in range(R):
        Zp = Z[perms[p]]
        np.testing.assert_allclose(q[p], np.einsum("it,ij,jt->t", Zp, D, Zp), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(s[p], a @ (Zp * Zp), rtol=1e-12)
    for cache in (1, 120, 10**7):  # one permutation per chunk ... all in one chunk: the same bits
        monkeypatch.setattr(inf, "CACHE_ELEMENTS", cache)
        q2, s2 = inf.permuted_quadratic_forms(Z, S, R, seed=11, a=a)
        np.testing.assert_array_equal(q, q2)
        np.testing.assert_array_equal(s, s2)


def test_global_results_do_not_depend_on_the_cache_chunk(monkeypatch):
    w = lat2W(7, 7)
    Y = _panel(w.id_order, T=3, seed=8)
    g, c = moran_global(Y, w, permutations=199), geary_global(Y, w, permutations=199)
    monkeypatch.setattr(inf, "CACHE_ELEMENTS", 200)
    pd.testing.assert_frame_equal(g, moran_global(Y, w, permutations=199), check_exact=True)
    pd.testing.assert_frame_equal(c, geary_global(Y, w, permutations=199), check_exact=True)


# ----------------------------------------------------------------------------------- the long table
def test_long_table_equals_object_array_construction():
    Y = pd.DataFrame(np.arange(12.0).reshape(4, 3), index=["a", "b", "c", "d"], columns=[2000, 2001, 2002])
    ok = np.array([True, False, True])
    v = np.arange(8.0).reshape(4, 2)
    codes = np.array([[0, 1], [2, 3], [4, 0], [1, 4]], dtype=np.int8)
    labels = ("HH", "LH", "LL", "HL", "")
    got = long_table(Y, ok, {"x": v, "q": (codes, labels), "p": None})
    full_v = np.full((4, 3), np.nan)
    full_v[:, ok] = v
    full_q = np.full((4, 3), "", dtype=object)
    full_q[:, ok] = np.asarray(labels, dtype=object)[codes]
    want = pd.DataFrame({"region": np.tile(np.asarray(Y.index, dtype=object), 3),
                         "year": np.repeat(np.asarray(Y.columns), 4), "x": full_v.T.ravel(),
                         "q": full_q.T.ravel(), "p": np.full(12, np.nan)})
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    # integer ids stay Python objects, as before
    Yi = Y.set_axis([5, 6, 7, 8])
    assert long_table(Yi, ok, {"x": v})["region"].dtype == object


# ------------------------------------------------------------------------------- region names
def _count_difflib(monkeypatch):
    calls = []
    real = difflib.get_close_matches

    def counting(*a, **k):
        calls.append(a[0])
        return real(*a, **k)

    monkeypatch.setattr(difflib, "get_close_matches", counting)
    regions._names._suggest_cached.cache_clear()
    regions._admin._admin_suggestions.cache_clear()
    return calls


def test_exact_names_never_look_for_suggestions(monkeypatch):
    calls = _count_difflib(monkeypatch)
    units = regions.admin_units("county")
    assert regions.normalize_admin_many(units["code"].tolist()[:300]) == units["code"].tolist()[:300]
    assert regions.normalize_many(["北京", "Shanghai", "粤", "内蒙 古"]) == ["110000", "310000", "440000", "150000"]
    assert not any(regions.is_province(n) for n in units["name"].tolist()[:300])
    assert not any(regions.is_aggregate(n) for n in units["name"].tolist()[:300])
    assert calls == []


def test_suggestions_only_for_the_unmatched_values_shown(monkeypatch):
    calls = _count_difflib(monkeypatch)
    bad = [f"Q{i:04d}" for i in range(60)]
    with pytest.raises(UnknownRegionError) as exc:
        regions.normalize_admin_many(["苏州", "苏洲"] + bad)
    msg = str(exc.value)
    assert msg.startswith("unknown region '苏洲'") and "61 of 62 region(s)" in msg
    assert "'苏洲': unknown region '苏洲'; did you mean" in msg and "(and 41 more)" in msg
    assert exc.value.unmatched == ["苏洲"] + bad  # every unmatched value
    assert exc.value.suggestions == []           # never a value suggested for itself
    assert 0 < len(calls) <= 20 * 2  # close names looked for for the 20 values shown only
