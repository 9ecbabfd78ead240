"""Run every benchmark with one command and print the ratios against the baselines.

    python benchmarks/run.py            # full sizes (a few minutes on 2 cores)
    python benchmarks/run.py --quick    # small sizes, a smoke run

Each benchmark times nqpf against the baseline a user would otherwise run, in the same process run,
and writes JSON next to this file (``results/*.json``); this script collects them into one table.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHES = ["bench_moran.py", "bench_index.py"]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes (smoke run)")
    ap.add_argument("--only", choices=[b[6:-3] for b in BENCHES], help="run one benchmark")
    args = ap.parse_args(argv)
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    rc = 0
    for b in BENCHES:
        name = b[6:-3]
        if args.only and args.only != name:
            continue
        js = out / f"{name}.json"
        cmd = [sys.executable, str(HERE / b), "--json", str(js)] + (["--quick"] if args.quick else [])
        print(f"$ {' '.join(Path(c).name if i < 2 else c for i, c in enumerate(cmd))}", flush=True)
        r = subprocess.run(cmd)
        rc = rc or r.returncode
    print("\nsummary")
    for js in sorted(out.glob("*.json")):
        data = json.loads(js.read_text())
        print(f"  {js.stem}: {json.dumps(data.get('summary', data), ensure_ascii=False)}")
    return rc


if __name__ == "__main__":
    raise SystemExit(main())
