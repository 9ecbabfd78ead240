"""Data the project wrote itself and ships: the paper's published tables and indicator system.

``load_ran2025_scores`` returns Table 2 of Ran et al. (2025): the composite development potential of
29 provinces (Tibet and Qinghai excluded), 2010–2020, transcribed as printed. ``load_ran2025_moran``
returns Table 3 (global Moran's I, z and p per year, three decimals as printed).
"""
from __future__ import annotations

from importlib import resources

import pandas as pd

__all__ = ["load_ran2025_scores", "load_ran2025_moran", "data_path"]


def data_path(name: str):
    """Path-like handle of a bundled data file."""
    return resources.files("nqpf.datasets").joinpath("data", name)


def load_ran2025_scores(wide: bool = False) -> pd.DataFrame:
    """Table 2 of the paper.

    Parameters
    ----------
    wide : bool
        ``False`` (default): long form with columns ``region`` (short Chinese name, as printed),
        ``year``, ``score``, in the paper's column order. ``True``: a regions × years matrix.
    """
    with data_path("ran2025_table2_scores.csv").open("r", encoding="utf-8") as fh:
        df = pd.read_csv(fh, dtype={"province": str, "year": int, "score": float})
    df = df.rename(columns={"province": "region"})
    if wide:
        order = list(dict.fromkeys(df["region"]))
        m = df.pivot(index="region", columns="year", values="score").loc[order]
        m.columns.name = "year"
        return m
    return df


def load_ran2025_moran() -> pd.DataFrame:
    """Table 3 of the paper: ``year, I, z, p`` as printed (three decimals)."""
    with data_path("ran2025_table3_moran.csv").open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh)
