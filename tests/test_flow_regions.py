"""Region identity of score panels analysed with boundary weights (queen, rook, knn): ids that read as
Chinese administrative units of one level become GB/T codes with their level; the CSVs keep the user's
spelling."""
from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from nqpf.pipeline import _admin_level, _region_index, analyze

JIANGSU = ["南京", "无锡", "徐州", "常州", "苏州", "南通", "连云港", "淮安", "盐城", "扬州", "镇江", "泰州", "宿迁"]
JIANGSU_CODES = ["320100", "320200", "320300", "320400", "320500", "320600", "320700", "320800", "320900",
                 "321000", "321100", "321200", "321300"]


def _panel(ids, years=range(2015, 2019), seed=3):
    rng = np.random.default_rng(seed)
    return pd.DataFrame(rng.uniform(0.1, 1.0, (len(ids), len(years))), index=ids, columns=list(years))


@pytest.mark.parametrize("ids, level, codes", [
    (JIANGSU, "city", JIANGSU_CODES),
    (["北京", "天津", "河北"], "province", ["110000", "120000", "130000"]),
    (["110101", "110102", "110105"], "county", ["110101", "110102", "110105"]),
    # 北京 in a panel of cities is the city 110100, not the province
    (["北京", "苏州", "杭州"], "city", ["110100", "320500", "330100"]),
])
def test_ids_read_as_admin_units_become_codes_with_their_level(ids, level, codes):
    _, ri, to_id = _region_index(ids, None, None)
    assert ri.level == level
    assert [to_id[i] for i in ids] == codes
    assert {ri.label(c) for c in codes} == set(ids)      # the user's spelling is kept as the label


@pytest.mark.parametrize("ids", [["A", "B", "C"], ["苏州", "Texas", "南京"], ["region_1", "region_2", "region_3"]])
def test_other_ids_stay_as_given(ids):
    _, ri, to_id = _region_index(ids, None, None)
    assert ri.level == "other" and not ri.codes and to_id == {i: i for i in ids}


def test_two_ids_of_one_unit_are_not_codes():
    _, ri, to_id = _region_index(["苏州", "苏州市", "南京"], None, None)
    assert ri.level == "other" and to_id["苏州"] == "苏州"


def test_ids_of_several_levels_stay_as_given():
    # 苏州 (city), 昌平区 (county) and 河北 (province): no single level, the ids are kept
    _, ri, to_id = _region_index(["苏州", "昌平区", "河北"], None, None)
    assert ri.level == "other" and not ri.codes and to_id["河北"] == "河北"
    # codes given by the caller are kept whatever their levels
    _, ri, to_id = _region_index(["a", "b"], None, {"a": "110000", "b": "320500"})
    assert ri.level == "other" and to_id == {"a": "110000", "b": "320500"}


def test_mixed_levels_are_other():
    assert _admin_level(["110000", "320500"]) == "other"
    assert _admin_level(["320500", "320100"]) == "city"


def test_city_panel_with_knn_holds_codes_and_writes_spelling(tmp_path):
    from nqpf.outputs import write

    Y = _panel(JIANGSU[::-1])   # the file's order does not matter: canonical order is by code
    res = analyze(Y, "knn:3", permutations=19, analyses=["scores", "spatial"])
    assert res.regions.level == "city"
    assert list(res.Y.index) == JIANGSU_CODES
    assert set(res.table("moran_local")["region"]) == set(JIANGSU_CODES)
    assert list(res.w.id_order) == JIANGSU_CODES
    write(res, tmp_path, lang="en", formats=("csv",))
    local = pd.read_csv(tmp_path / "tables" / "moran_local.csv")
    assert set(local["region"]) == set(JIANGSU)
    # the same scores with the rows in another order: identical tables (permutations included)
    Y2 = Y.loc[JIANGSU]
    res2 = analyze(Y2, "knn:3", permutations=19, analyses=["scores", "spatial"])
    pd.testing.assert_frame_equal(res2.table("moran_local"), res.table("moran_local"))


def test_region_index_cost_on_counties():
    from nqpf.regions import admin_units

    ids = admin_units("county")["code"].astype(str).tolist()[:2848]
    _region_index(ids[:5], None, None)        # tables loaded once
    t0 = time.perf_counter()
    _, ri, _ = _region_index(ids, None, None)
    assert ri.level == "county" and len(ri.codes) == len(ids)
    assert time.perf_counter() - t0 < 1.0
