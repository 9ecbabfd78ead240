"""The paper's spatio-temporal analysis through the Python API, step by step (a notebook as a script).

    python examples/paper_api.py

Every step is one function of nqpf; each returns a pandas DataFrame you can inspect or save. The last
step runs the same analysis as one study (``nqpf.pipeline.analyze``), whose frozen ``Results`` hold
every table as codes and numbers and label it in Chinese or English on request.
"""
from __future__ import annotations

import pandas as pd

import nqpf
from nqpf import datasets, disparity, pipeline, regions, spatial
from nqpf.datasets.paper import table3_comparison

pd.set_option("display.width", 120)

# 1. The paper's Table 2: 29 provinces x 2010-2020 (regions in rows, years in columns).
Y = datasets.load_ran2025_scores(wide=True)
print(f"nqpf {nqpf.__version__}: {Y.shape[0]} regions x {Y.shape[1]} years")

# 2. Province names (any spelling) -> GB/T 2260 codes, and the built-in queen contiguity of the
#    29 provinces with Hainan linked to Guangdong (the weights that reproduce the paper's Table 3).
codes = regions.normalize_many(Y.index)
Y.index = codes
w = regions.contiguity(codes, island="guangdong")

# 3. Temporal disparity (Figure 1): Theil (eq. 8), sigma (eq. 9), CV (eq. 10) and Gini per year,
#    and the Theil index decomposed between and within the NBS four regions.
print(disparity.disparity_table(Y).round(4).to_string(index=False))
groups = {c: regions.group(c, lang="en") for c in codes}
print(disparity.theil_decomposition(Y, groups)[["year", "total", "between", "within"]].round(4).to_string(index=False))

# 4. Global Moran's I of every year at once (Table 3): one-sided p, as the paper.
mg = spatial.moran_global(Y, w, permutations=999, seed=12345, alternative="greater")
print(mg[["year", "I", "EI", "z_rand", "p_rand", "p_sim"]].round(3).to_string(index=False))
print(table3_comparison(mg)[["year", "I_paper", "I", "z_paper", "z_rand", "reproduced"]].to_string(index=False))

# 5. Local Moran (Figure 2): quadrants of the first and last year and how regions moved.
ml = spatial.moran_local(Y, w, permutations=999, seed=12345)
moves = spatial.quadrant_transitions(ml, 2010, 2020)
moves["region"] = [regions.name(c) for c in moves["region"]]
print(moves.to_string(index=False))

# 6. The whole analysis as one study: a frozen Results of self-describing tables (codes and numbers),
#    labelled in a language only when read or written (res.write(out, lang="en") writes every output).
res = pipeline.analyze(datasets.load_ran2025_scores(wide=True), "china-provinces", permutations=999,
                       seed=12345)
pd.testing.assert_frame_equal(res.table("moran_global")[["year", "I", "z_rand", "p_rand"]],
                              mg[["year", "I", "z_rand", "p_rand"]], rtol=1e-12)   # the same numbers as step 4
codes = res.table("strategy")                    # codes: region ids, tiers, trends, roles, partners "id;id"
show = ["region", "tier", "trend", "role", "partners"]
print(codes[show].head(3).to_string(index=False))
strategy = res.table("strategy", lang="en")     # the same columns in English, plus the rendered focus
print(strategy.iloc[:3, [list(codes.columns).index(c) for c in show]].to_string(index=False))
print(strategy.iloc[0, -1])                     # the strategic focus of the first region
