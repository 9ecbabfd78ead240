"""The provincial-level units of China as a table shipped with the package.

``data/provinces.csv`` was written by hand from public facts (GB/T 2260 codes, official names, the
NBS four-region division, provincial capitals). It is read once, when :mod:`nqpf.regions` is imported.
"""
from __future__ import annotations

from importlib.resources import files

import pandas as pd

__all__ = ["PROVINCES", "MAINLAND", "ALL_CODES", "GROUPS"]

#: Columns of :data:`PROVINCES`, in order (the first eleven are the contract of docs/architecture.md).
COLUMNS = ["code", "name_full", "name_short", "name_en", "pinyin", "group", "group_en",
           "capital", "capital_en", "lon", "lat", "iso"]

#: NBS four-region groups (国家统计局 东中西部和东北地区划分, 2011): Chinese name → English name.
GROUPS = {"东部": "East", "中部": "Central", "西部": "West", "东北": "Northeast"}


def _data_path(name: str):
    return files("nqpf.regions") / "data" / name


def _read_provinces() -> pd.DataFrame:
    with _data_path("provinces.csv").open("r", encoding="utf-8") as fh:
        df = pd.read_csv(fh, dtype=str, keep_default_na=False)
    df = df[COLUMNS].copy()
    df["lon"] = df["lon"].astype(float)
    df["lat"] = df["lat"].astype(float)
    return df.reset_index(drop=True)


#: One row per provincial-level unit (31 mainland provinces, municipalities and autonomous regions,
#: Hong Kong, Macao and Taiwan). Columns: ``code`` (GB/T 2260, str such as ``"110000"``),
#: ``name_full`` (北京市), ``name_short`` (北京), ``name_en`` (Beijing), ``pinyin`` (toneless, with the
#: conventional ``Shaanxi`` for 陕西), ``group``/``group_en`` (NBS four-region group 东部/中部/西部/东北,
#: East/Central/West/Northeast; empty for Hong Kong, Macao and Taiwan, which the NBS division does not
#: cover), ``capital``/``capital_en`` (seat of the provincial government), ``lon``/``lat`` (WGS84 degrees
#: of the capital's centre, two decimals), ``iso`` (ISO 3166-2:CN code such as ``CN-BJ``).
PROVINCES: pd.DataFrame = _read_provinces()

#: The 34 codes in table order.
ALL_CODES: tuple[str, ...] = tuple(PROVINCES["code"])

#: The 31 mainland units (without Hong Kong, Macao and Taiwan), the usual panel of Chinese studies.
MAINLAND: tuple[str, ...] = tuple(c for c in ALL_CODES if c not in ("710000", "810000", "820000"))
