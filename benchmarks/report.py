"""Benchmark of the report writers (workbook, HTML, Word) and of the figures that adapt to n.

    python benchmarks/report.py [--regions 31,340,2848 --years 20 --repeat 3 --json PATH]
    python benchmarks/report.py --quick            # 31 and 340 regions, 5 years, 1 repeat
    python benchmarks/report.py --example          # also `nqpf run` of the bundled scitech example

Data: a seeded synthetic study of ``n`` regions × ``T`` years with the tables the analyses produce
(the scores as a regions × years matrix, the local Moran table with its significant rows, a strategy
table ranked by the last score, a long table without significance): the shapes of provinces (31),
prefecture-level cities (340) and counties (2,848). Times, fastest of ``--repeat`` runs:

* ``xlsx``: :func:`nqpf.report.write_excel` (every row, exact numbers);
* ``html``: :func:`nqpf.report.write_html` and ``docx``: :func:`nqpf.report.write_docx` — bounded rows
  (:func:`nqpf.report._model.select_rows`), so their time does not grow with ``n``; the Word tables
  are written as one XML string each (the writer used to pay tens of microseconds per cell through
  python-docx's objects);
* ``scatter``: :func:`nqpf.plot.plot_moran_scatter` of two years drawn and saved as PNG at 300 dpi
  (every point named up to 60 regions; beyond, at most 20 named and a density);
* ``heatmap``: :func:`nqpf.plot.plot_heatmap` drawn and saved (a summary beyond 60 regions).

With ``--example``, the wall time of ``nqpf run examples/scitech/config.toml`` (29 provinces, every
output) in a fresh process, once with every analysis and once with the five of the first release
(scores, disparity, spatial, evolution, diagnosis).
"""
from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

import matplotlib

matplotlib.use("Agg")

from nqpf import plot  # noqa: E402
from nqpf.analyses import describe  # noqa: E402
from nqpf.analyses.scores import scores_table  # noqa: E402
from nqpf.report import write_docx, write_excel, write_html  # noqa: E402
from nqpf.results import Column, RegionIndex, Results, Table  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def synthetic(n: int, T: int, seed: int = 7) -> tuple[Results, pd.DataFrame]:
    """A study's Results of ``n`` regions × ``T`` years and its local Moran table."""
    rng = np.random.default_rng(seed)
    ids = [f"R{i:04d}" for i in range(n)]
    years = list(range(2001, 2001 + T))
    long = pd.DataFrame([(r, y) for r in ids for y in years], columns=["region", "year"])
    long["score"] = rng.random(len(long))
    ml = long[["region", "year"]].copy()
    ml["z"] = rng.normal(size=len(ml))
    ml["lag"] = 0.6 * ml["z"] + 0.4 * rng.normal(size=len(ml))
    ml["Ii"] = ml["z"] * ml["lag"]
    ml["quadrant"] = np.where(ml.z >= 0, np.where(ml.lag >= 0, "HH", "HL"), np.where(ml.lag >= 0, "LH", "LL"))
    ml["p_sim"] = rng.random(len(ml))
    ml["cluster"] = np.where(ml.p_sim < 0.05, ml.quadrant, "")
    last = long[long.year == years[-1]].set_index("region")["score"]
    strategy = pd.DataFrame({"region": ids, "score_last": last.reindex(ids).to_numpy()})
    other = long[["region", "year"]].assign(x=rng.random(len(long)))
    q = {c: Column(c, "code", codes="quadrant") for c in ("quadrant", "cluster")}
    tables = [*scores_table(long),
              Table("moran_local", ml, describe(ml, q), "spatial", long=True, significant="cluster"),
              Table("strategy", strategy, describe(strategy), "strategy"),
              Table("normalized", other, describe(other), "appendix", long=True)]
    Y = long.pivot(index="region", columns="year", values="score")
    res = Results(items={t.key: t for t in tables}, params={"title": "report.title"},
                  regions=RegionIndex(ids=tuple(ids), labels={i: i for i in ids}), Y=Y)
    return res, ml


def best_of(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def bench(n: int, T: int, repeat: int, out: Path) -> dict:
    res, ml = synthetic(n, T)
    years = [int(ml.year.min()), int(ml.year.max())]
    row = {"regions": n, "years": T}
    row["xlsx"] = best_of(lambda: write_excel(res, out / "r.xlsx", lang="zh"), repeat)
    row["html"] = best_of(lambda: write_html(res, out / "r.html", lang="zh"), repeat)
    row["docx"] = best_of(lambda: write_docx(res, out / "r.docx", lang="zh"), repeat)
    row["xlsx_MB"] = (out / "r.xlsx").stat().st_size / 1e6
    row["docx_kB"] = (out / "r.docx").stat().st_size / 1e3
    row["scatter"] = best_of(lambda: plot.save_figure(plot.plot_moran_scatter(ml, years, lang="en"),
                                                      out / "s", formats=("png",)), repeat)
    row["heatmap"] = best_of(lambda: plot.save_figure(plot.plot_heatmap(res.Y, None, "en"), out / "h",
                                                      formats=("png",)), repeat)
    return row


def example_runs() -> dict:
    out = {}
    cfg = ROOT / "examples" / "scitech" / "config.toml"
    first = ["--only", "scores,disparity,spatial,evolution,diagnosis"]
    for label, extra in (("all analyses", []), ("first release", first)):
        with tempfile.TemporaryDirectory() as d:
            t = time.perf_counter()
            subprocess.run([sys.executable, "-m", "nqpf.cli", "run", str(cfg), "--out", d, "-q", *extra],
                           check=True, capture_output=True)
            out[label] = time.perf_counter() - t
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--regions", default="31,340,2848")
    ap.add_argument("--years", type=int, default=20)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--example", action="store_true")
    ap.add_argument("--json")
    a = ap.parse_args(argv)
    ns = [31, 340] if a.quick else [int(x) for x in a.regions.split(",")]
    T, repeat = (5, 1) if a.quick else (a.years, a.repeat)
    rows = []
    with tempfile.TemporaryDirectory() as d:
        for n in ns:
            rows.append(bench(n, T, repeat, Path(d)))
            r = rows[-1]
            print(f"{n:>6} regions × {T} years: xlsx {r['xlsx']:.2f} s ({r['xlsx_MB']:.1f} MB), "
                  f"html {r['html']:.2f} s, docx {r['docx']:.2f} s ({r['docx_kB']:.0f} kB), "
                  f"scatter {r['scatter']:.2f} s, heatmap {r['heatmap']:.2f} s", flush=True)
    result = {"machine": platform.platform(), "python": platform.python_version(), "rows": rows}
    if a.example:
        result["example"] = example_runs()
        for k, v in result["example"].items():
            print(f"nqpf run examples/scitech/config.toml ({k}): {v:.1f} s")
    if a.json:
        Path(a.json).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
