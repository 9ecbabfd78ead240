"""Run every benchmark with one command and print nqpf's times against the baselines of the same run.

    python benchmarks/run.py                 # full sizes (about 15 minutes on 2 cores)
    python benchmarks/run.py --quick         # small sizes, a smoke run (a few minutes)
    python benchmarks/run.py --only county,grid
    python benchmarks/run.py --list          # the benchmarks and what each measures

Each benchmark is a script of this folder run in its own process; it times nqpf against the baseline a
user would otherwise run (esda, giddy, scipy, pandas, or the whole county script), in the same run,
and writes JSON into ``results/`` here (ignored by git). This script runs them in turn and collects
one table: every step with nqpf's seconds, the baseline's seconds and the ratio baseline / nqpf
(> 1: nqpf is faster), plus the checks of the targets. Exit code 1 when a benchmark fails or misses
a target it checks.

Timings depend on the machine and its load: compare ratios, which are measured in the same run.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

sys.dont_write_bytecode = True
HERE = Path(__file__).resolve().parent


def _moran(d):
    n, e = d["nqpf_seconds"], d["esda_seconds"]
    size = f"lattice {d['n']:,} × {d['years']} × {d['permutations']} perm."
    ext = " (esda extrapolated)" if e.get("extrapolated") else ""
    return [(f"global Moran, {size}", n["global"], "esda.Moran loop" + ext, e["global"]),
            (f"local Moran, {size}", n["local"], "esda.Moran_Local loop" + ext, e["local"])]


def _index(d):
    s, z = d["seconds"], d["sizes"]
    return [(f"index chain, {z['regions']:,} × {z['years']} × {z['indicators']}", s["nqpf"], "naive pandas",
             s["naive_pandas"])]


def _county(d):
    r = d.get("results", {})
    base = r.get("script", {}).get("timed")
    rows = []
    if base:
        rows.append((f"county script (baseline), {r['script'].get('n', '?')} counties", base, "", None))
    for name in ("nqpf csv, cold cache", "nqpf csv", "nqpf default"):
        if name in r:
            label = {"nqpf csv": "nqpf analyze --formats csv", "nqpf csv, cold cache": "… csv, cold cache",
                     "nqpf default": "nqpf analyze, every output"}[name]
            rows.append((f"{label} (peak {r[name]['peak_mb']:.0f} MB)", r[name]["wall"], "county script", base))
    k = r.get("kernels", {})
    if k.get("nqpf_global"):
        rows.append(("global Moran, county queen weights", k["nqpf_global"], "esda.Moran loop", k["esda_global"]))
        rows.append(("local Moran, county queen weights", k["nqpf_local"], "esda.Moran_Local loop", k["esda_local"]))
    return rows


def _grid(d):
    return [(f"grid {d['side']}² × {d['years']}, analytic, weights as {x['form']} (peak {x['peak_mb']:.0f} MB)",
             x["total_s"], "target 3 s", None) for x in d["runs"]]


def _kde(d):
    s = d["seconds"]
    return [(f"kernel density, {d['n']:,} × {d['years']} × {d['grid']}", s["nqpf_evaluate"],
             "scipy gaussian_kde loop", s["scipy_loop"]),
            ("kernel density family (curves + descriptors)", s["nqpf_kernel_density"], "scipy gaussian_kde loop",
             s["scipy_loop"])]


def _markov(d):
    return [(f"Markov + spatial + LISA Markov, {d['regions']:,} × {d['years']}", d["nqpf_s"], "giddy",
             d["giddy_s"])]


def _hotspots(d):
    e = " (esda extrapolated)" if d["esda_seconds"].get("extrapolated") else ""
    return [(f"local G_i*, {d['n']:,} × {d['years']} × {d['permutations']} perm.", d["nqpf_seconds"]["total"],
             "esda.G_Local loop" + e, d["esda_seconds"]["total"])]


def _report(d):
    rows = []
    for r in d.get("rows", []):
        for k in ("xlsx", "html", "docx", "scatter", "heatmap"):
            rows.append((f"{k}, {r['regions']:,} regions × {r['years']}", r[k], "", None))
    for k, v in d.get("example", {}).items():
        rows.append((f"nqpf run scitech example ({k})", v, "target 10 s", None))
    return rows


#: name → (script, arguments of the full run, arguments of the quick run, rows of the summary table)
BENCHES = {
    "moran": ("bench_moran.py", [], ["--quick"], _moran),
    "index": ("bench_index.py", [], ["--quick"], _index),
    "county": ("county.py", ["--rounds", "2"], ["--quick"], _county),
    "grid": ("bench_grid.py", [], ["--quick"], _grid),
    "dynamics_kde": ("dynamics_kde.py", [], ["--quick"], _kde),
    "dynamics_markov": ("dynamics_markov.py", [], ["--rows", "20", "--cols", "20", "--years", "5", "--repeat", "1"],
                        _markov),
    "hotspots": ("hotspots.py", [], ["--quick"], _hotspots),
    "report": ("report.py", ["--example"], ["--quick"], _report),
}


def _checks(name: str, d: dict) -> list[tuple[str, bool]]:
    if name == "county":
        return [(f"county: {k}", bool(v)) for k, v in d.get("checks", {}).items()]
    if name == "grid" and not d.get("quick"):
        return [(f"grid, weights as {x['form']}: < 3 s" + (" and < 1.5 GB" if x.get("checked") != "time" else ""),
                 bool(x["ok"])) for x in d["runs"]]
    if name == "moran":
        return [("moran: global ≥ 5× esda", d["ratio"]["global"] >= 5)]
    if name == "report":
        return [(f"scitech example ({k}) < 10 s", v < 10) for k, v in d.get("example", {}).items()]
    return []


def _table(rows) -> None:
    print(f"\n{'step':<62}{'nqpf s':>9}  {'baseline':<30}{'base s':>9}{'ratio':>8}")
    for label, t, base_name, base in rows:
        ratio = f"{base / t:>7.1f}×" if base and t else f"{'':>8}"
        b = f"{base:>9.2f}" if base else f"{'':>9}"
        print(f"{label:<62}{t:>9.2f}  {base_name:<30}{b}{ratio}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes (smoke run)")
    ap.add_argument("--only", help="comma-separated benchmarks: " + ", ".join(BENCHES))
    ap.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    args = ap.parse_args(argv)
    if args.list:
        for name, (script, *_rest) in BENCHES.items():
            doc = (HERE / script).read_text(encoding="utf-8").split('"""')[1].strip().splitlines()[0]
            print(f"{name:<16}{script:<20}{doc}")
        return 0
    only = [x.strip() for x in (args.only or "").split(",") if x.strip()]
    unknown = [x for x in only if x not in BENCHES]
    if unknown:
        ap.error(f"unknown benchmark(s) {unknown}; choose from {', '.join(BENCHES)}")
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    rc, rows, checks, spent = 0, [], [], {}
    for name, (script, full, quick, summary) in BENCHES.items():
        if only and name not in only:
            continue
        js = out / f"{name}.json"
        js.unlink(missing_ok=True)  # never report a previous run's numbers
        cmd = [sys.executable, str(HERE / script), "--json", str(js)] + (quick if args.quick else full)
        print(f"\n$ python benchmarks/{script} {' '.join(cmd[4:])}", flush=True)
        t = time.perf_counter()
        r = subprocess.run(cmd)
        spent[name] = time.perf_counter() - t
        if r.returncode and not (args.quick and js.is_file()):  # quick: sizes below the targets' sizes
            rc = 1
            checks.append((f"{name} ran without error or missed target (exit code {r.returncode})", False))
        if not js.is_file():
            continue
        d = json.loads(js.read_text(encoding="utf-8"))
        try:
            rows += summary(d)
        except (KeyError, TypeError) as exc:  # a benchmark changed its JSON: say so, keep the others
            print(f"  (summary of {name} unavailable: {exc!r})")
        if not args.quick:  # the targets are stated for the full sizes
            checks += _checks(name, d)
    print("\nsummary (ratio = baseline / nqpf, both measured in this run; > 1: nqpf faster)")
    _table(rows)
    if args.quick:
        print("\n(quick run: sizes below those of the targets, which are checked by the full run only)")
    if checks:
        print()
        for text, ok in checks:
            print(f"  [{'ok' if ok else 'MISSED'}] {text}")
    print("\nwall time of each benchmark: " + ", ".join(f"{k} {v:.0f} s" for k, v in spent.items()))
    return 1 if rc or not all(ok for _, ok in checks) else 0


if __name__ == "__main__":
    raise SystemExit(main())
