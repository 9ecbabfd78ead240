"""The scores analysed: the paper's Table 2 (regions × years) and, from an index, the sub-indices."""
from __future__ import annotations

import pandas as pd

from ..results import Column, Table
from ._common import Context, describe

__all__ = ["items", "scores_table"]


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


def items(ctx: Context):
    """The scores of ``ctx.Y`` in long form, unless an index already described them."""
    if "scores" in ctx.results:
        return [], {}
    long = ctx.Y.stack().rename("score").reset_index()
    long.columns = ["region", "year", "score"]
    long["year"] = long["year"].astype(int)
    return scores_table(long), {}
