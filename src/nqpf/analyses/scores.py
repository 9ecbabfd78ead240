"""The scores analysed: the paper's Table 2 (regions × years) and, from an index, the sub-indices."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..results import Column, Table
from ._common import Context, Family, describe

__all__ = ["FAMILY", "items", "scores_table", "descriptive_table"]


def scores_table(long: pd.DataFrame, names=None) -> list[Table]:
    """``scores`` (long; shown regions × years in the reports) and, when ``long`` has sub-index or rank
    columns, the report view ``subindices`` (not a separate CSV)."""
    cols = describe(long, {"region": Column("region", "region"), "year": Column("year", "year")},
                    names=names)
    out = [Table("scores", long, cols, "scores", wide=("region", "year", "score"))]
    extra = [c for c in long.columns if c not in ("region", "year", "score")]
    if extra:
        sub = long.sort_values(["region", "year"], kind="mergesort").reset_index(drop=True)
        out.append(Table("subindices", sub, cols, "scores", order=1, long=True, csv=False))
    return out


def descriptive_table(Y: pd.DataFrame) -> pd.DataFrame:
    """Descriptive statistics of the scores per year: ``year, n, mean, sd, min, q25, median, q75, max``
    (``sd`` the sample standard deviation, ddof = 1; quartiles by linear interpolation, numpy's default)."""
    X = Y.to_numpy(dtype=float)
    q = np.quantile(X, [0.25, 0.5, 0.75], axis=0)
    return pd.DataFrame({
        "year": [int(c) for c in Y.columns], "n": np.full(X.shape[1], X.shape[0]),
        "mean": X.mean(axis=0), "sd": X.std(axis=0, ddof=1), "min": X.min(axis=0), "q25": q[0],
        "median": q[1], "q75": q[2], "max": X.max(axis=0)})


def items(ctx: Context):
    """The scores of ``ctx.Y`` in long form (unless an index already described them) and their
    descriptive statistics per year."""
    out = []
    if "scores" not in ctx.results:
        long = ctx.Y.stack().rename("score").reset_index()
        long.columns = ["region", "year", "score"]
        long["year"] = long["year"].astype(int)
        out += scores_table(long)
    desc = descriptive_table(ctx.Y)
    out.append(Table("descriptive", desc, describe(desc), "scores", order=0.5))
    return out, {}


FAMILY = Family("scores", items, order=10, help="scores in long form and descriptive statistics per year")
