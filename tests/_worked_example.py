"""Reading the public Beijing–Tianjin–Hebei entropy-TOPSIS worked example, shared by its tests.

Source: ``wantime/Entropy-weight-TOPSIS-code-and-data``, ``data/Economic indicators.xlsx`` (13 cities ×
2013–2017 × 4 transport indicators), kept in the shared data folder beside the repository. Nothing of the
workbook is copied into the project: the tests parse it where it lies and skip when it is absent.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

WORKBOOK = Path(__file__).resolve().parents[2] / "shared" / "data" / "jjj_transport_entropy_topsis_worked_example.xlsx"


def load_book() -> dict:
    """Every sheet as a list of rows of values; skips the calling test when the workbook is absent."""
    openpyxl = pytest.importorskip("openpyxl")
    if not WORKBOOK.exists():
        pytest.skip(f"worked example workbook not found at ../shared/data/{WORKBOOK.name} "
                    "(the shared data folder is not checked out beside the repository)")
    wb = openpyxl.load_workbook(WORKBOOK, read_only=True, data_only=True)
    sheets = {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}
    wb.close()
    return sheets


def matrix_sheet(rows):
    """Indicators in rows; (city, year) in columns under two header rows (a city name is merged, written
    only above the first year of its block). Returns (DataFrame indexed (region, year) with one column
    per indicator, {indicator: value of column B}). Indicator names are stripped of stray spaces."""
    cities, city = [], None
    for v in rows[0][2:]:
        city = v if v is not None else city
        cities.append(str(city).strip())
    years = [int(y) for y in rows[1][2:]]
    data, second = {}, {}
    for r in rows[2:]:
        if r[0] is None:
            continue
        name = str(r[0]).strip()
        data[name] = [float(v) for v in r[2:]]
        second[name] = r[1]
    index = pd.MultiIndex.from_arrays([cities, years], names=["region", "year"])
    return pd.DataFrame(data, index=index), second


def column_sheet(rows) -> pd.Series:
    """A two-column sheet (name, value) under one header row."""
    return pd.Series({str(r[0]).strip(): float(r[1]) for r in rows[1:] if r[0] is not None})


def closeness(rows) -> pd.Series:
    """The ``Cj`` sheet (cities in rows, years in columns) as a Series indexed (region, year)."""
    cj = [r for r in rows if r[0] is not None]
    years = [int(y) for y in cj[0][1:] if y is not None]
    C = pd.DataFrame([r[1:1 + len(years)] for r in cj[1:]], index=[str(r[0]).strip() for r in cj[1:]],
                     columns=years, dtype=float).stack()
    C.index.names = ["region", "year"]
    return C


def directions(second) -> dict:
    """{indicator: +1 / -1} from the 'Positive' / 'Negative' words of the standardization sheet."""
    words = {"positive": 1, "negative": -1}
    return {k: words[str(v).strip().lower()] for k, v in second.items()}
