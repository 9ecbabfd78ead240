"""Benchmark of the kernel density of every year: nqpf (all years at once) vs the per-year SciPy loop.

    python benchmarks/dynamics_kde.py                 # 2,848 regions × 20 years × 200 grid points
    python benchmarks/dynamics_kde.py --quick         # 400 regions × 5 years
    python benchmarks/dynamics_kde.py --n 2848 --years 20 --grid 200 --repeat 3 --json PATH

Data: seeded log-normal scores (a county-sized panel), one column per year. Times, in the same run and
on the same grid and Silverman bandwidths,

* nqpf: ``nqpf.dynamics.kde.evaluate`` on the whole regions × years matrix (the estimation step), and
  ``kernel_density`` as the family runs it (national curves + descriptors; and with four region groups);
* the loop a user would write: for each year ``scipy.stats.gaussian_kde(y, bw_method=h / s)(grid)``.

Each side is run ``--repeat`` times and the fastest run kept; both must agree to 1e-10 (checked and
printed). The ratio printed is loop time / nqpf time (> 1: nqpf is faster).
"""
from __future__ import annotations

import argparse
import json
import platform
import sys
import time

import numpy as np
import pandas as pd
from scipy.stats import gaussian_kde

from nqpf.dynamics.kde import bandwidths, common_grid, evaluate, kernel_density


def synthetic(n: int, years: int, seed: int) -> pd.DataFrame:
    """Seeded positive scores: a log-normal cross-section drifting and spreading over the years."""
    rng = np.random.default_rng(seed)
    base = rng.normal(-1.6, 0.45, n)
    X = np.exp(base[:, None] * np.linspace(1.0, 1.15, years)[None, :] + rng.normal(0, 0.08, (n, years)))
    return pd.DataFrame(X, index=[f"r{i}" for i in range(n)], columns=range(2001, 2001 + years))


def best_of(fn, repeat: int):
    best, out = np.inf, None
    for _ in range(max(1, repeat)):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def scipy_loop(X: np.ndarray, grid: np.ndarray, h: np.ndarray) -> np.ndarray:
    """What a user writes: one ``gaussian_kde`` per year, bandwidth h (``bw_method`` = h / s)."""
    out = np.empty((X.shape[1], grid.size))
    for j in range(X.shape[1]):
        y = X[:, j]
        out[j] = gaussian_kde(y, bw_method=h[j] / y.std(ddof=1))(grid)
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=2848, help="regions (default 2848, a county panel)")
    ap.add_argument("--years", type=int, default=20)
    ap.add_argument("--grid", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=12345)
    ap.add_argument("--quick", action="store_true", help="400 regions × 5 years")
    ap.add_argument("--json", help="write the results as JSON to this path")
    args = ap.parse_args(argv)
    if args.quick:
        args.n, args.years, args.repeat = 400, 5, 1
    Y = synthetic(args.n, args.years, args.seed)
    X = Y.to_numpy()
    h = bandwidths(X, "silverman")
    grid = common_grid([(X, h)], args.grid)
    groups = dict(zip(Y.index, np.random.default_rng(args.seed).choice(["east", "central", "west", "northeast"],
                                                                       args.n)))
    evaluate(X[:50, :2], grid, h[:2])  # warm-up (imports, first allocation)

    t_loop, ref = best_of(lambda: scipy_loop(X, grid, h), args.repeat)
    t_eval, got = best_of(lambda: evaluate(X, grid, h), args.repeat)
    t_family, _ = best_of(lambda: kernel_density(Y), args.repeat)
    t_groups, res = best_of(lambda: kernel_density(Y, groups), args.repeat)
    diff = float(np.max(np.abs(got - ref)))
    scale = float(np.max(np.abs(ref)))
    agree = bool(np.allclose(got, ref, rtol=1e-10, atol=1e-12 * scale))
    size = f"{args.n} regions × {args.years} years × {args.grid} grid points"
    print(f"kernel density, {size} (Gaussian kernel, Silverman bandwidths)")
    print(f"  per-year scipy.stats.gaussian_kde loop    {t_loop:8.3f} s")
    print(f"  nqpf evaluate (all years at once)         {t_eval:8.3f} s   ratio {t_loop / t_eval:6.1f}×")
    print(f"  nqpf kernel_density (curves+descriptors)  {t_family:8.3f} s   ratio {t_loop / t_family:6.1f}×")
    print(f"  nqpf kernel_density, national + 4 groups  {t_groups:8.3f} s   ({len(res.density):,} rows)")
    print(f"  agreement: max |Δ| = {diff:.2e} (max density {scale:.3g}); within 1e-10: {agree}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump({"benchmark": "dynamics_kde", "n": args.n, "years": args.years, "grid": args.grid,
                       "repeat": args.repeat, "seconds": {"scipy_loop": t_loop, "nqpf_evaluate": t_eval,
                                                          "nqpf_kernel_density": t_family,
                                                          "nqpf_kernel_density_groups": t_groups},
                       "ratio": t_loop / t_eval, "ratio_family": t_loop / t_family, "max_abs_diff": diff,
                       "agree": agree, "python": sys.version.split()[0], "machine": platform.machine()},
                      fh, indent=2)
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
