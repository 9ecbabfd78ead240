"""What every analysis family shares: the context it computes from, and column descriptions."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..results import Column, RegionIndex

__all__ = ["Context", "describe", "user_frame"]


@dataclass
class Context:
    """Inputs of the analyses of one study (filled as the families run).

    ``Y`` is the score matrix (region ids × years) in canonical region order, ``w`` the spatial weights
    aligned to it, ``regions`` the region identity, ``groups`` region id → group code (NBS four
    regions for provinces) or None, ``options`` the analysis options, ``results`` the items produced
    so far (key → item), ``extras`` objects later families and figures need.
    """

    Y: pd.DataFrame
    regions: RegionIndex
    w: Any = None
    groups: Mapping | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    results: dict = field(default_factory=dict)
    extras: dict = field(default_factory=dict)
    step: Callable[[str], None] = lambda s: None

    def opt(self, key, default=None):
        return self.options.get(key, default)

    def data(self, key: str) -> pd.DataFrame:
        """The data of an item produced earlier."""
        return self.results[key].data


_P_NAMES = ("p", "p_value")


def _kind(name: str, s: pd.Series) -> str:
    lname = name.lower()
    if name == "region":
        return "region"
    if name == "year":
        return "year"
    if pd.api.types.is_bool_dtype(s):
        return "bool"
    if pd.api.types.is_numeric_dtype(s):
        if lname in _P_NAMES or lname.startswith("p_") or lname.endswith("_p"):
            return "p"
        if pd.api.types.is_integer_dtype(s) or lname in ("n", "n_islands", "rank", "row", "count"):
            vals = s.dropna().to_numpy(dtype=float)
            if np.all(np.isfinite(vals)) and np.all(vals == np.round(vals)):
                return "int"
        return "float"
    return "text"


def describe(df: pd.DataFrame, given: Mapping[str, Column] | None = None, *, qualified: str | None = None,
             names: Mapping[str, Mapping[str, str]] | None = None) -> tuple[Column, ...]:
    """Column descriptions of ``df``: those ``given`` by name, the rest inferred from the data.

    ``qualified`` names the category family of the codes inside brackets in per-group column names
    (``theil_T[east]`` → label ``col.theil_T`` and ``cat.<family>.east``); ``names`` gives headers per
    language for columns named by the user's data (indicator ids, sub-indices).
    """
    given = dict(given or {})
    out = []
    for c in df.columns:
        c = str(c)
        if c in given:
            out.append(given[c])
            continue
        kind = _kind(c, df[c])
        if names and c in names:
            out.append(Column(c, kind, names=dict(names[c])))
        elif qualified and "[" in c and c.endswith("]"):
            base, inner = c[:-1].split("[", 1)
            out.append(Column(c, kind, qualifier=(qualified, *[v.strip() for v in inner.split(",")])))
        else:
            out.append(Column(c, kind))
    return tuple(out)


def user_frame(df: pd.DataFrame, regions: RegionIndex) -> pd.DataFrame:
    """``df`` with its ``region`` index or column as a column of region ids (a flat copy)."""
    if "region" not in df.columns:
        df = df.reset_index()
    return df.reset_index(drop=True).copy()
