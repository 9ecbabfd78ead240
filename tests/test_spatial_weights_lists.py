"""Neighbour lists (``nqpf.spatial.NeighbourLists``): the weights nqpf builds itself, held without
importing libpysal. They give the same matrix and the same statistics as the libpysal ``W`` built from
the same lists (esda is the reference), convert to that ``W``, and a whole provincial study runs
without libpysal being imported at all (a second of every command)."""
from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd
import pytest

from nqpf import regions
from nqpf.spatial import NeighbourLists, moran_global, moran_local, resolve_weights
from nqpf.spatial.weights._sparse import weights_matrix

PROVINCES = [c for c in regions.PROVINCES["code"].tolist() if c not in ("710000", "810000", "820000")]


def _panel(ids, years=3, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame(rng.random((len(ids), years)), index=ids, columns=range(2020, 2020 + years))


def test_lists_hold_what_a_w_holds_and_convert_to_it():
    w = NeighbourLists({"a": ["b"], "b": ["a", "c"], "c": ["b"], "d": []}, {"a": [2], "b": [2, 1], "c": [1], "d": []})
    assert w.n == 4 and w.islands == ["d"] and w.transform == "O"
    assert w.cardinalities == {"a": 1, "b": 2, "c": 1, "d": 0}
    W = w.to_libpysal()
    assert W is w.to_libpysal()                       # built once
    assert W.id_order == ["a", "b", "c", "d"] and W.neighbors == w.neighbors and W.weights == w.weights
    S, ids, links = weights_matrix(w)
    S2, ids2, links2 = weights_matrix(W)
    assert list(ids) == list(ids2) and links == links2 is True
    assert (S != S2).nnz == 0 and np.array_equal(S.indices, S2.indices) and np.array_equal(S.data, S2.data)
    with pytest.raises(ValueError, match="id_order"):
        NeighbourLists({"a": ["b"], "b": ["a"]}, id_order=["a"])
    with pytest.raises(ValueError, match="weights"):
        NeighbourLists({"a": ["b"], "b": ["a"]}, {"a": [1.0, 2.0], "b": [1.0]})


def test_spellings_give_lists_and_the_w_of_the_same_weights():
    r = resolve_weights("china-provinces", PROVINCES)
    assert isinstance(r.weights, NeighbourLists)
    from libpysal.weights import W

    assert isinstance(r.w, W) and r.w.id_order == PROVINCES
    assert r.w.neighbors == r.weights.neighbors and r.w.weights == r.weights.weights
    assert r.w.neighbors == regions.contiguity(PROVINCES).neighbors


def test_statistics_on_lists_equal_esda_on_the_w():
    """Global and local Moran on the lists equal esda on the libpysal W of the same neighbours."""
    esda = pytest.importorskip("esda")
    r = resolve_weights("china-provinces", PROVINCES)
    Y = _panel(PROVINCES)
    g = moran_global(Y, r.weights, permutations=0)
    loc = moran_local(Y, r.weights, permutations=0)
    W = r.w
    W.transform = "r"
    for k, year in enumerate(Y.columns):
        ref = esda.Moran(Y[year].to_numpy(), W, permutations=0)
        np.testing.assert_allclose(g["I"].iloc[k], ref.I, rtol=0, atol=1e-12)
        refl = esda.Moran_Local(Y[year].to_numpy(), W, permutations=0)
        got = loc[loc["year"] == year]["Ii"].to_numpy()
        np.testing.assert_allclose(got, refl.Is, rtol=0, atol=1e-12)


def test_a_provincial_study_runs_without_importing_libpysal(tmp_path):
    """`nqpf analyze` with the built-in contiguity, every analysis and tables only: libpysal (about a
    second to import) is never loaded."""
    code = textwrap.dedent(f"""
        import sys
        import numpy as np, pandas as pd
        sys.path.insert(0, {str(tmp_path)!r})
        from nqpf import regions
        from nqpf._commands import analyze_file
        ids = {PROVINCES!r}
        rng = np.random.default_rng(1)
        rows = [(regions.name(c, "short"), y, float(v)) for c in ids for y, v in zip(range(2015, 2021), rng.random(6))]
        pd.DataFrame(rows, columns=["region", "year", "score"]).to_csv({str(tmp_path / "s.csv")!r}, index=False)
        analyze_file({str(tmp_path / "s.csv")!r}, {str(tmp_path / "out")!r}, formats="csv")
        print("libpysal" in sys.modules)
    """)
    got = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    assert got.returncode == 0, got.stderr[-2000:]
    assert got.stdout.strip().splitlines()[-1] == "False"
    assert (tmp_path / "out" / "tables" / "moran_global.csv").is_file()
