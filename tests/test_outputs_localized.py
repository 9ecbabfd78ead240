"""``outputs.localized`` of a wide table (regions × years) pivots on the computed region ids, so that
two regions with the same display name (鼓楼区 is a district of Nanjing, Fuzhou, Xuzhou and Kaifeng)
keep their own rows in the workbook and reports; values are checked cell by cell against the long
data (the reference)."""
from __future__ import annotations

import io

import numpy as np
import pandas as pd

from nqpf.outputs import localized
from nqpf.results import Column, RegionIndex, Results, Table


def _results():
    ids = ("320106", "350102", "320302", "410204")  # four 鼓楼区
    labels = dict.fromkeys(ids, "鼓楼区")
    years = [2019, 2020, 2021]
    rng = np.random.default_rng(0)
    long = pd.DataFrame({"region": np.repeat(ids, len(years)), "year": np.tile(years, len(ids)),
                         "score": rng.random(len(ids) * len(years))})
    long = long.sample(frac=1.0, random_state=1).reset_index(drop=True)  # rows in any order
    tab = Table("scores", long, (Column("region", "region"), Column("year", "year"), Column("score", "float")),
                "scores", wide=("region", "year", "score"))
    ri = RegionIndex(ids=ids, labels=labels, codes=dict(zip(ids, ids)), level="county")
    return Results({"scores": tab}, {}, ri), long, ids, years


def test_wide_table_keeps_regions_of_the_same_name():
    res, long, ids, years = _results()
    for lang in ("zh", "en"):
        loc = localized(res.items["scores"], lang, res)
        f = loc.frame
        assert len(f) == len(ids)
        assert f.iloc[:, 0].tolist() == ["鼓楼区"] * len(ids)
        assert list(f.columns[1:]) == years
        order = list(dict.fromkeys(long["region"]))  # rows in order of first appearance in the data
        for r, rid in enumerate(order):
            for y in years:
                ref = long.loc[(long["region"] == rid) & (long["year"] == y), "score"].item()
                assert f.loc[r, y] == ref


def test_workbook_with_duplicate_names_is_written():
    from nqpf.report.excel import excel_bytes

    res, long, ids, years = _results()
    data = excel_bytes(res, "zh")
    book = pd.read_excel(io.BytesIO(data), sheet_name=None, header=None)
    assert sum(int((sheet.astype(str) == "鼓楼区").sum().sum()) for sheet in book.values()) == len(ids)
