"""Benchmark of the Markov family's kernels (classic, spatial and LISA Markov chains) against the giddy
calls a user would make, in the same run.

    python benchmarks/dynamics_markov.py [--rows 89 --cols 32 --years 20 --k 4 --repeat 3 --json PATH]

Weights: a rook lattice ``libpysal.weights.lat2W(rows, cols)`` (default 89 × 32 = 2,848 regions, the
number of Chinese county-level units); data: a seeded, spatially smooth positive panel. Times:

* nqpf: ``classify`` (pooled quantiles) + ``markov`` (counts, probabilities, steady state, first
  passage times, time homogeneity) + ``spatial_markov`` (lag classes, conditional chains, their
  steady states and passage times, Q and LR) + ``moran_local(permutations=0)`` (the quadrants) +
  ``lisa_markov`` (quadrant chain, independence test, Rey's types), all years at once;
* giddy 2.3: ``mapclassify.Quantiles`` on the pooled scores + ``Markov`` (with ``steady_state`` and
  ``mfpt``), ``Spatial_Markov(k, m=k, fixed=True)`` (with ``S``, ``F``, ``Q``, ``LR``),
  ``LISA_Markov`` (which runs esda's ``Moran_Local`` per year).

Each side is run ``--repeat`` times and the fastest run kept (esda's numba kernels are compiled by a
warm-up call first). Both sides are checked to give the same counts, probabilities and Q/LR.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import platform
import sys
import time
import warnings

import numpy as np
import pandas as pd
from libpysal.weights import lat2W


def synthetic(rows: int, cols: int, years: int, seed: int):
    """A spatially smooth positive panel on a rook lattice: x_t = 0.6 x_{t−1} + 0.4 W x_{t−1} · noise
    (W row-standardised); returns the panel and the lattice's binary weights."""
    from scipy import sparse

    w = lat2W(rows, cols)
    rng = np.random.default_rng(seed)
    n = w.n
    wr = lat2W(rows, cols)
    wr.transform = "r"
    S = sparse.csr_matrix(wr.sparse)
    x = rng.lognormal(0.0, 0.5, n)
    X = np.empty((n, years))
    for t in range(years):
        x = 0.6 * x + 0.4 * (S @ x) * rng.lognormal(0.0, 0.25, n)
        X[:, t] = x
    Y = pd.DataFrame(X, index=list(w.id_order), columns=list(range(2001, 2001 + years)))
    return Y, w


def run_nqpf(Y, w, k):
    from nqpf.dynamics import markov as mk
    from nqpf.spatial import moran_local

    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        C = mk.classify(Y, k)
        m = mk.markov(Y, classes=C)
        s = mk.spatial_markov(Y, w, classes=C)
        local = moran_local(Y, w, permutations=0)
        lm = mk.lisa_markov(local)
    return time.perf_counter() - t0, (m, s, lm)


def run_giddy(Y, wr, k):
    """giddy's calls on the row-standardised weights ``wr`` (giddy lags with the weights as given)."""
    import mapclassify
    from giddy.markov import LISA_Markov, Markov, Spatial_Markov

    X = Y.to_numpy()
    t0 = time.perf_counter()
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        q = mapclassify.Quantiles(X.ravel(), k=k).yb.reshape(X.shape)
        m = Markov(q, classes=np.arange(k))
        _ = (m.steady_state, m.mfpt)
        s = Spatial_Markov(X, wr, k=k, m=k, fixed=True)
        _ = (s.S, s.F, s.Q, s.LR, s.dof_hom)
        lm = LISA_Markov(X, wr)
    return time.perf_counter() - t0, (m, s, lm)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=89)
    ap.add_argument("--cols", type=int, default=32)
    ap.add_argument("--years", type=int, default=20)
    ap.add_argument("--k", type=int, default=4)
    ap.add_argument("--seed", type=int, default=12345)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", default=None, help="write the timings to this JSON file")
    a = ap.parse_args(argv)

    Y, w = synthetic(a.rows, a.cols, a.years, a.seed)
    wr = lat2W(a.rows, a.cols)
    wr.transform = "r"
    n, T = Y.shape
    print(f"panel: {n} regions × {T} years (rook lattice {a.rows} × {a.cols}), k = {a.k}")

    # warm-up: imports, esda's numba compilation, nqpf's first call
    run_nqpf(Y.iloc[:, :3], w, a.k)
    run_giddy(Y.iloc[:, :3], wr, a.k)

    t_nqpf, (m, s, lm) = min((run_nqpf(Y, w, a.k) for _ in range(a.repeat)), key=lambda r: r[0])
    t_giddy, (gm, gs, glm) = min((run_giddy(Y, wr, a.k) for _ in range(a.repeat)), key=lambda r: r[0])

    # the same numbers on both sides
    assert np.array_equal(m.T, gm.transitions), "Markov counts differ"
    assert np.allclose(m.P, gm.p, atol=1e-10, rtol=0), "Markov probabilities differ"
    assert np.allclose(m.pi, gm.steady_state, atol=1e-10), "steady states differ"
    assert np.array_equal(s.T, gs.T), "spatial Markov counts differ"
    assert np.allclose([s.test.Q, s.test.LR], [gs.Q, gs.LR], atol=1e-8, rtol=1e-12), "Q / LR differ"
    assert s.test.df == gs.dof_hom, "degrees of freedom differ"
    assert np.array_equal(lm.T, glm.transitions), "LISA Markov counts differ"

    ratio = t_giddy / t_nqpf
    print(f"nqpf  (classes + Markov + spatial Markov + quadrants + LISA Markov): {t_nqpf:8.3f} s")
    print(f"giddy (Quantiles + Markov + Spatial_Markov + LISA_Markov):           {t_giddy:8.3f} s")
    print(f"ratio giddy / nqpf: {ratio:.1f}×   (same counts, probabilities, steady state, Q, LR, df)")
    if a.json:
        with open(a.json, "w", encoding="utf-8") as fh:
            json.dump({"regions": n, "years": T, "k": a.k, "nqpf_s": t_nqpf, "giddy_s": t_giddy, "ratio": ratio,
                       "python": sys.version.split()[0], "machine": platform.machine()}, fh, indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
