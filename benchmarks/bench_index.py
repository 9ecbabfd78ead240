"""Benchmark of the index chain: normalise + entropy weights + aggregate (sub-indices, ranks) + TOPSIS.

    python benchmarks/bench_index.py [--regions 3000 --years 20 --indicators 40 --seed 12345 --json PATH]
    python benchmarks/bench_index.py --quick          # small sizes, a smoke run

Builds a seeded synthetic panel (regions × years × indicators, a two-level tree, some negative
indicators), times ``nqpf.index`` and, in the same run, the pandas code a user would typically write
(per-column loops and row-wise ``apply``), checks that both give the same numbers, and prints the
seconds (untraced runs), the peak Python memory of nqpf (tracemalloc, in a separate run; the
baseline's too with ``--naive-memory``), the process's peak resident memory (``resource.getrusage``)
and the speed ratio.
"""
from __future__ import annotations

import argparse
import json
import math
import platform
import resource
import sys
import time
import tracemalloc
import warnings

import numpy as np
import pandas as pd

from nqpf.index import aggregate, compute_weights, normalize, topsis


def synthetic_panel(regions, years, indicators, seed):
    """Seeded panel: lognormal levels with a regional effect and a trend; 1 in 4 indicators negative."""
    rng = np.random.default_rng(seed)
    region_effect = rng.normal(0, 0.5, size=(regions, 1, indicators))
    trend = np.linspace(0, 0.5, years)[None, :, None] * rng.uniform(0.2, 1.0, size=(1, 1, indicators))
    noise = rng.normal(0, 0.3, size=(regions, years, indicators))
    scale = 10.0 ** rng.integers(-2, 5, size=indicators)
    A = np.exp(region_effect + trend + noise) * scale
    idx = pd.MultiIndex.from_product([[f"R{i:05d}" for i in range(regions)],
                                      list(range(2001, 2001 + years))], names=["region", "year"])
    cols = [f"x{j:03d}" for j in range(indicators)]
    X = pd.DataFrame(A.reshape(regions * years, indicators), index=idx, columns=cols)
    directions = {c: (-1 if j % 4 == 3 else 1) for j, c in enumerate(cols)}
    paths = {c: (f"C{j % 4}", f"C{j % 4}D{(j // 4) % 2}") for j, c in enumerate(cols)}
    return X, directions, paths


def run_nqpf(X, directions, paths):
    Xn = normalize(X, directions)
    W = compute_weights(Xn, "entropy")
    S = aggregate(Xn, W, paths)
    T = topsis(Xn, W)
    return S["score"].to_numpy(), W["weight"].to_numpy(), T["C"].to_numpy(), S


def run_naive(X, directions, paths):
    """What a user would write with pandas: loops over columns, row-wise apply."""
    Xn = pd.DataFrame(index=X.index)
    for c in X.columns:
        lo, hi = X[c].min(), X[c].max()
        if directions[c] > 0:
            Xn[c] = X[c].apply(lambda v: (v - lo) / (hi - lo))
        else:
            Xn[c] = X[c].apply(lambda v: (hi - v) / (hi - lo))
    m = len(Xn)
    d = {}
    for c in Xn.columns:
        p = Xn[c] / Xn[c].sum()
        plnp = p.apply(lambda q: q * math.log(q) if q > 0 else 0.0)
        d[c] = 1 - (-plnp.sum() / math.log(m))
    total = sum(d.values())
    w = {c: d[c] / total for c in Xn.columns}
    score = Xn.apply(lambda row: sum(row[c] * w[c] for c in Xn.columns), axis=1)
    subs = {}
    for level in (0, 1):
        for g in sorted({p[level] for p in paths.values()}):
            members = [c for c in Xn.columns if paths[c][level] == g]
            subs[g] = Xn[members].apply(lambda row: sum(row[c] * w[c] for c in members), axis=1)
    out = pd.DataFrame({"score": score, **subs})
    out["rank"] = out.groupby(level="year")["score"].rank(ascending=False, method="min")
    V = Xn.copy()
    for c in V.columns:
        V[c] = V[c] * w[c]
    best, worst = V.max(), V.min()
    dp = V.apply(lambda row: math.sqrt(sum((row[c] - best[c]) ** 2 for c in V.columns)), axis=1)
    dm = V.apply(lambda row: math.sqrt(sum((row[c] - worst[c]) ** 2 for c in V.columns)), axis=1)
    C = dm / (dp + dm)
    return out["score"].to_numpy(), np.array([w[c] for c in Xn.columns]), C.to_numpy(), out


def timed(fn, *args):
    t0 = time.perf_counter()
    result = fn(*args)
    return result, time.perf_counter() - t0


def traced_peak_mib(fn, *args):
    """Peak Python allocations of one call (a separate run: tracing slows Python-level loops)."""
    tracemalloc.start()
    fn(*args)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def maxrss_mib():
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 2**20 if sys.platform == "darwin" else rss / 2**10  # bytes on macOS, KiB on Linux


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--regions", type=int, default=3000)
    ap.add_argument("--years", type=int, default=20)
    ap.add_argument("--indicators", type=int, default=40)
    ap.add_argument("--seed", type=int, default=12345)
    ap.add_argument("--quick", action="store_true", help="300 regions × 10 years × 20 indicators")
    ap.add_argument("--json", help="write the results to this JSON file")
    ap.add_argument("--naive-memory", action="store_true",
                    help="also trace the baseline's memory (runs the slow baseline a second time)")
    args = ap.parse_args(argv)
    if args.quick:
        args.regions, args.years, args.indicators = 300, 10, 20

    X, directions, paths = synthetic_panel(args.regions, args.years, args.indicators, args.seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        (s1, w1, c1, _), t_nqpf = timed(run_nqpf, X, directions, paths)
        (s0, w0, c0, _), t_naive = timed(run_naive, X, directions, paths)
        mem_nqpf = traced_peak_mib(run_nqpf, X, directions, paths)
        mem_naive = traced_peak_mib(run_naive, X, directions, paths) if args.naive_memory else None
    agree = {"score": float(np.abs(s1 - s0).max()), "weight": float(np.abs(w1 - w0).max()),
             "topsis_C": float(np.abs(c1 - c0).max())}
    ok = all(v < 1e-9 for v in agree.values())

    rows, k = X.shape
    print(f"index chain (normalise + entropy + aggregate + TOPSIS): {args.regions} regions × "
          f"{args.years} years = {rows} rows × {k} indicators, seed {args.seed}")
    print(f"  nqpf.index       {t_nqpf:9.3f} s   peak traced {mem_nqpf:8.1f} MiB")
    naive_mem = f"{mem_naive:8.1f} MiB" if mem_naive is not None else "(not traced; --naive-memory)"
    print(f"  naive pandas     {t_naive:9.3f} s   peak traced {naive_mem}")
    print(f"  speed-up         {t_naive / t_nqpf:9.1f} ×   process max RSS {maxrss_mib():.1f} MiB")
    print(f"  max |difference| score {agree['score']:.2e}, weight {agree['weight']:.2e}, "
          f"C {agree['topsis_C']:.2e} -> {'agree' if ok else 'DISAGREE'}")
    result = {
        "benchmark": "index",
        "sizes": {"regions": args.regions, "years": args.years, "indicators": k, "rows": rows,
                  "seed": args.seed},
        "seconds": {"nqpf": t_nqpf, "naive_pandas": t_naive},
        "peak_traced_mib": {"nqpf": mem_nqpf, "naive_pandas": mem_naive},
        "max_rss_mib": maxrss_mib(),
        "max_abs_difference": agree,
        "python": platform.python_version(), "numpy": np.__version__, "pandas": pd.__version__,
        "summary": {"rows": rows, "indicators": k, "nqpf_s": round(t_nqpf, 4),
                    "naive_s": round(t_naive, 4), "ratio": round(t_naive / t_nqpf, 1), "agree": ok},
    }
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(result, fh, indent=2)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
