"""Per-figure costs of ``nqpf run`` / ``nqpf analyze``: the draw and each save, in one process.

    python benchmarks/figures.py run examples/scitech/config.toml [--top 15] [--json PATH]
    python benchmarks/figures.py analyze SCORES.csv --weights queen

The arguments after the script name are those of the ``nqpf`` command (an output folder is added:
a temporary one, removed afterwards). Figures are drawn in the calling process
(``NQPF_FIGURE_PROCESSES=1``) and every figure's draw (``Figure.draw`` of its item, which builds the
matplotlib figure) and every save (each format's file, ``nqpf.plot.style._savefig_one``)
are timed with ``time.perf_counter``. The table prints the figures by total cost, highest first, then
the sum and the wall time of the whole command.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--top", type=int, default=15, help="rows of the table (default 15)")
    ap.add_argument("--json", type=Path, default=None, help="also write the rows as JSON here")
    args, rest = ap.parse_known_args(argv)
    os.environ["NQPF_FIGURE_PROCESSES"] = "1"

    from nqpf import outputs
    from nqpf.plot import style

    rows: dict[str, dict] = {}
    current = {"key": None}
    real_draw_and_save = outputs._draw_and_save
    real_savefig_one = style._savefig_one

    def draw_and_save(results, fig_item, fig_dir, lang, formats):
        key = fig_item.key
        current["key"] = key
        row = rows.setdefault(key, {"figure": key, "draw": 0.0})
        real_draw = fig_item.draw
        t0 = time.perf_counter()

        def timed_draw(*a, **k):
            s = time.perf_counter()
            try:
                return real_draw(*a, **k)
            finally:
                row["draw"] += time.perf_counter() - s

        object.__setattr__(fig_item, "draw", timed_draw)  # items may be frozen dataclasses
        try:
            return real_draw_and_save(results, fig_item, fig_dir, lang, formats)
        finally:
            object.__setattr__(fig_item, "draw", real_draw)
            row["total"] = time.perf_counter() - t0

    def savefig_one(fig, fh, fmt, dpi):
        s = time.perf_counter()
        try:
            return real_savefig_one(fig, fh, fmt, dpi)
        finally:
            row = rows.setdefault(current["key"] or "?", {"figure": current["key"], "draw": 0.0})
            row[fmt] = row.get(fmt, 0.0) + time.perf_counter() - s

    outputs._draw_and_save = draw_and_save
    style._savefig_one = savefig_one

    from nqpf.cli import main as cli_main

    with tempfile.TemporaryDirectory() as tmp:
        cmd = [*rest, "--out", str(Path(tmp) / "out")]
        sys.argv = ["nqpf", *cmd]
        t0 = time.perf_counter()
        try:
            cli_main()
        except SystemExit as e:
            if e.code not in (0, None):
                raise
        wall = time.perf_counter() - t0

    table = sorted(rows.values(), key=lambda r: -r.get("total", 0.0))
    print(f"{'figure':32s} {'draw':>7s} {'png':>7s} {'svg':>7s} {'total':>7s}")
    for r in table[: args.top]:
        print(f"{r['figure']:32s} {r['draw']:7.2f} {r.get('png', 0):7.2f} {r.get('svg', 0):7.2f} "
              f"{r.get('total', 0):7.2f}")
    tot = {k: sum(r.get(k, 0.0) for r in table) for k in ("draw", "png", "svg", "total")}
    print(f"{'all ' + str(len(table)) + ' figures':32s} {tot['draw']:7.2f} {tot['png']:7.2f} "
          f"{tot['svg']:7.2f} {tot['total']:7.2f}")
    print(f"whole command: {wall:.2f} s")
    if args.json:
        args.json.write_text(json.dumps({"command": rest, "wall": wall, "figures": table}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
