"""nqpf.io: readers for long, wide and yearbook layouts in CSV (UTF-8, BOM, GBK), xlsx, xls and Parquet;
cell coercion, missing markers, region normalisation, duplicates, error locations, score panels."""
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from nqpf.errors import InputError, UnknownRegionError
from nqpf.io import AUDIT_COLUMNS, col_letter, parse_year, read_long_scores, read_panel, read_scores, to_number

SHARED = Path(__file__).resolve().parents[2] / "shared"
TECHME = SHARED / "data" / "techme_china_province_scitech_long_2000_2023.csv"

# GB/T 2260 codes, from the national standard (independent of nqpf.regions)
BJ, TJ, HE, SX, NM = "110000", "120000", "130000", "140000", "150000"


def row_of(audit, **kw):
    m = np.ones(len(audit), dtype=bool)
    for k, v in kw.items():
        m &= (audit[k] == v).to_numpy()
    assert m.sum() == 1, (kw, audit[m])
    return audit[m].iloc[0]


# -- cells -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("v,year", [(2010, 2010), (2010.0, 2010), ("2010", 2010), ("2010年", 2010),
                                    ("２０１０年", 2010), (" 2011.0 ", 2011), ("2010 年", 2010), ("10", None),
                                    ("2010-2011", None), (2010.5, None), (None, None), (True, None)])
def test_parse_year(v, year):
    assert parse_year(v) == year


@pytest.mark.parametrize("v,value,action", [
    (12.5, 12.5, None), ("12.5", 12.5, None), ("-3", -3.0, None), ("1,234,567.8", 1234567.8, "coerced"),
    ("１２３４", 1234.0, "coerced"), ("１，２３４．５", 1234.5, "coerced"), (" 1 234 ", 1234.0, "coerced"),
    ("12.5%", 12.5, "coerced"), ("—", np.nan, "missing"), ("…", np.nan, "missing"), ("-", np.nan, "missing"),
    ("--", np.nan, "missing"), ("", np.nan, "missing"), (None, np.nan, "missing"), ("NA", np.nan, "missing"),
    ("N/A", np.nan, "missing"), ("#DIV/0!", np.nan, "missing"), ("无", np.nan, "missing"),
    (float("nan"), np.nan, "missing"),
])
def test_to_number(v, value, action):
    got, act, _ = to_number(v)
    assert act == action
    assert (np.isnan(got) and np.isnan(value)) or got == value


@pytest.mark.parametrize("v", ["abc", "1,23", "12a", "1.2.3"])
def test_to_number_rejects_text(v):
    with pytest.raises(ValueError):
        to_number(v)


def test_col_letter():
    assert [col_letter(j) for j in (0, 1, 25, 26, 27, 51, 52, 701, 702)] == \
        ["A", "B", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA"]


# -- long CSV in three encodings ------------------------------------------------------------------------
LONG_CSV = (
    "地区,年份,指标,数值\n"
    "北京,2010年,gdp,\"14,113.6\"\n"     # row 2: thousands separator
    "北京,2011年,gdp,—\n"                 # row 3: missing marker
    "天津,2010,gdp,９２２４.５\n"          # row 4: full-width digits
    "天津,2011,gdp,11307.3\n"
    "全国,2010,gdp,401202\n"              # row 6: aggregate
    "北京,2010,pop,1962\n"
    "天  津,2010.0,pop,1299\n"           # row 8: spaced name, 2010.0
)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_long_csv_encodings(tmp_path, encoding):
    p = tmp_path / "long.csv"
    p.write_bytes(LONG_CSV.encode(encoding))
    panel = read_panel(p)
    d = panel.data
    assert list(d.columns) == ["region", "year", "variable", "value"]
    assert len(d) == 6  # 7 data rows, one aggregate dropped
    v = d.set_index(["region", "year", "variable"])["value"]
    assert v[(BJ, 2010, "gdp")] == 14113.6
    assert np.isnan(v[(BJ, 2011, "gdp")])
    assert v[(TJ, 2010, "gdp")] == 9224.5
    assert v[(TJ, 2010, "pop")] == 1299.0
    a = panel.audit
    assert list(a.columns) == AUDIT_COLUMNS
    miss = row_of(a, action="missing")
    assert (miss.file, miss.row, miss.column, miss.region, miss.year, miss.variable, miss.old) == \
        (str(p), 3, "D", BJ, 2011, "gdp", "—")
    assert row_of(a, action="coerced", row=2).new == 14113.6
    assert row_of(a, action="coerced", row=4).column == "D"
    drop = row_of(a, action="dropped")
    assert (drop.row, drop.region, drop.old) == (6, "全国", 401202.0)
    assert panel.region_label == {BJ: "北京", TJ: "天津"}
    assert panel.meta["layout"] == ["long"]
    # accounting: every data row of the file is in the data or dropped in the audit
    assert len(d) + (a.action == "dropped").sum() == LONG_CSV.count("\n") - 1


def test_gbk_is_detected_not_garbled(tmp_path):
    p = tmp_path / "gbk.csv"
    p.write_bytes(LONG_CSV.encode("gbk"))
    panel = read_panel(p)
    assert panel.meta[f"{p.name}:encoding"] == "gb18030"
    assert set(panel.data["region"]) == {BJ, TJ}


# -- wide xlsx with a title row ---------------------------------------------------------------------------
def test_wide_xlsx_with_title_rows(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "data"
    ws["A1"] = "各省主要指标"
    ws["A2"] = "单位:亿元"
    ws.append([])  # row 3 blank
    ws.append(["省份", "年份", "gdp", "rd", "备注"])  # row 4
    ws.append(["北京市", 2010, 14113.6, 821.8, "x"])
    ws.append(["河北省", 2010, "16,011.97", "N/A", "y"])
    ws.append(["北京市", 2011, 16251.9, 936.6, None])
    ws.append(["注:数据来源于统计年鉴", None, None, None, None])
    p = tmp_path / "wide.xlsx"
    wb.save(p)
    panel = read_panel(p)
    d = panel.data.set_index(["region", "year", "variable"])["value"]
    assert len(d) == 6
    assert d[(HE, 2010, "gdp")] == 16011.97 and np.isnan(d[(HE, 2010, "rd")])
    a = panel.audit
    m = row_of(a, action="missing")
    assert (m.sheet, m.row, m.column, m.variable) == ("data", 6, "D", "rd")
    c = row_of(a, action="coerced")
    assert (c.row, c.column) == (6, "C")
    # the text column is not a variable, and says so; the note below the table is audited as not read
    assert row_of(a, action="dropped", column="E").variable == "备注"
    note = row_of(a, action="dropped", row=8)
    assert note.reason == "notes below the table: rows 8-8 not read as data" and note.old == "注:数据来源于统计年鉴"
    assert panel.meta["layout"] == ["wide"]
    assert panel.region_label[BJ] == "北京市"


# -- yearbook: one sheet per variable ------------------------------------------------------------------------
def make_yearbook(path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "gdp"
    ws["A1"] = "表1 地区生产总值"
    ws["D2"] = "单位:亿元"
    ws.append([])
    ws.append(["地区", "2010年", "2011年", "2012年"])  # row 4
    ws.append(["全国", 401202, 472882, 519322])
    ws.append(["北  京", 14113.6, 16251.9, 17879.4])
    ws.append(["天  津", 9224.5, "…", 12893.9])
    ws.append(["东部地区", 1, 2, 3])
    ws.append([None, None, None, None])
    ws.append(["注:2011年天津数据缺失。", None, None, None])
    ws2 = wb.create_sheet("pop")
    ws2.append(["(单位:万人)"])
    ws2.append([None, 2010, 2011, 2012])  # header without a region label; years as numbers
    ws2.append(["Beijing", 1962, 2019, 2069])
    ws2.append(["Tianjin", 1299, 1355, 1413])
    wb.create_sheet("说明").append(["本工作簿为测试数据"])
    wb.save(path)


def test_yearbook_sheets(tmp_path):
    p = tmp_path / "yearbook.xlsx"
    make_yearbook(p)
    panel = read_panel(p)
    d = panel.data.set_index(["region", "year", "variable"])["value"]
    assert len(d) == 12
    assert d[(BJ, 2012, "gdp")] == 17879.4 and d[(TJ, 2012, "pop")] == 1413
    assert np.isnan(d[(TJ, 2011, "gdp")])
    assert panel.units == {"gdp": "亿元", "pop": "万人"}
    a = panel.audit
    m = row_of(a, action="missing")
    assert (m.sheet, m.row, m.column, m.region, m.year) == ("gdp", 7, "C", TJ, 2011)
    dropped = a[a.action == "dropped"]
    # 2 aggregate rows × 3 years, the note below the table, and the sheet without a table
    assert len(dropped) == 8
    assert set(dropped.loc[dropped.sheet == "gdp", "row"]) == {5, 8, 10}
    assert "sheet skipped" in row_of(a, action="dropped", sheet="说明").reason
    assert panel.meta["layout"] == ["yearbook"]


def test_yearbook_one_file_per_variable(tmp_path):
    folder = tmp_path / "book"
    folder.mkdir()
    (folder / "gdp.csv").write_bytes("地区生产总值\n单位:亿元\n地区,2010,2011\n北京,1,2\n河北,3,4\n".encode("gbk"))
    (folder / "rd.csv").write_text("地区,2010年,2011年\n北京,5,6\n河北,7,--\n", encoding="utf-8-sig")
    panel = read_panel(folder, layout="yearbook")
    d = panel.data.set_index(["region", "year", "variable"])["value"]
    assert d[(HE, 2010, "gdp")] == 3 and d[(BJ, 2011, "rd")] == 6 and np.isnan(d[(HE, 2011, "rd")])
    assert panel.units == {"gdp": "亿元"}
    m = row_of(panel.audit, action="missing")
    assert (Path(m.file).name, m.row, m.column) == ("rd.csv", 3, "C")


def test_parquet_long(tmp_path):
    df = pd.DataFrame({"region": ["山西", "内蒙古"], "year": [2010, 2010], "variable": ["gdp", "gdp"],
                       "value": [9200.9, 11672.0]})
    p = tmp_path / "long.parquet"
    df.to_parquet(p)
    d = read_panel(p).data
    assert d["region"].tolist() == [SX, NM] and d["value"].tolist() == [9200.9, 11672.0]


def test_xls(tmp_path):
    xlwt = pytest.importorskip("xlwt", reason="writing an .xls fixture needs xlwt")
    wb = xlwt.Workbook()
    ws = wb.add_sheet("gdp")
    for i, row in enumerate([["地区", "2010年", "2011年"], ["北京", 1.5, "—"], ["天津", 2.5, 3.5]]):
        for j, v in enumerate(row):
            ws.write(i, j, v)
    p = tmp_path / "book.xls"
    wb.save(str(p))
    panel = read_panel(p)
    assert panel.data.set_index(["region", "year"])["value"][(TJ, 2011)] == 3.5
    assert row_of(panel.audit, action="missing").row == 2


# -- regions -----------------------------------------------------------------------------------------------------
def test_regions_as_is_and_auto_for_non_chinese_ids(tmp_path):
    p = tmp_path / "cities.csv"
    p.write_text("region,year,x\nCity A,2010,1\nCity B,2010,2\n", encoding="utf-8")
    panel = read_panel(p)
    assert panel.meta["regions"] == "as-is"
    assert panel.data["region"].tolist() == ["City A", "City B"]
    with pytest.raises(UnknownRegionError):
        read_panel(p, regions="china")


def test_unknown_region_names_cell_and_suggests(tmp_path):
    p = tmp_path / "bad.csv"
    p.write_text("地区,年份,gdp\n北京,2010,1\n河北,2010,2\n天津,2010,3\n河鼈,2011,4\n", encoding="utf-8")
    with pytest.raises(UnknownRegionError) as ei:
        read_panel(p)
    msg = str(ei.value)
    assert "'河鼈'" in msg and "bad.csv" in msg and "row 5" in msg and "column A" in msg
    assert ei.value.suggestions


def test_ocr_slips_are_renamed_in_audit(tmp_path):
    p = tmp_path / "ocr.csv"
    p.write_text("地区,年份,gdp\n江两,2010,1\n内蒙占,2010,2\n北京,2010,3\n", encoding="utf-8")
    panel = read_panel(p)
    assert panel.data["region"].tolist() == ["360000", NM, BJ]
    ren = panel.audit[panel.audit.action == "renamed"]
    assert set(ren.old) == {"江两", "内蒙占", "北京"}


# -- errors ----------------------------------------------------------------------------------------------------------
def test_conflicting_duplicate_names_both_rows(tmp_path):
    p = tmp_path / "dup.csv"
    p.write_text("地区,年份,指标,数值\n北京,2010,gdp,1\n天津,2010,gdp,2\n北京市,2010,gdp,5\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"row 2, column D = 1\.0 and .*row 4, column D = 5\.0"):
        read_panel(p)


def test_identical_duplicate_is_an_error_too(tmp_path):
    p = tmp_path / "dup.csv"
    p.write_text("地区,年份,指标,数值\n北京,2010,gdp,1\n天津,2010,gdp,2\n北京市,2010,gdp,1\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"row 2, column D = 1\.0 and .*row 4, column D = 1\.0 \(identical"):
        read_panel(p)


def test_text_in_value_cell_names_sheet_row_column(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "gdp"
    ws.append(["地区", 2010, 2011])
    ws.append(["北京", 1, 2])
    ws.append(["天津", 3, "三"])
    p = tmp_path / "t.xlsx"
    wb.save(p)
    with pytest.raises(InputError, match=r"t\.xlsx, sheet 'gdp', row 3, column C: '三' is not a number"):
        read_panel(p)


def test_bad_year_cell(tmp_path):
    p = tmp_path / "y.csv"
    p.write_text("地区,年份,x\n北京,2010,1\n天津,二〇一〇,2\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"y\.csv, row 3, column B: '二〇一〇' is not a year"):
        read_panel(p)


def test_no_table_found(tmp_path):
    p = tmp_path / "n.csv"
    p.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(InputError, match="no table found"):
        read_panel(p)
    with pytest.raises(InputError, match="layout must be"):
        read_panel(p, layout="matrix")


def test_explicit_column_names(tmp_path):
    p = tmp_path / "c.csv"
    p.write_text("prov,yr,code,val,unit\n北京,2010,a,1,亿元\n天津,2010,a,2,亿元\n", encoding="utf-8")
    panel = read_panel(p, layout="long", region_col="prov", year_col="yr", variable_col="code", value_col="val")
    assert panel.data["value"].tolist() == [1.0, 2.0] and panel.units == {"a": "亿元"}
    with pytest.raises(InputError, match="variable\\(s\\) not found: \\['b'\\]"):
        read_panel(p, region_col="prov", year_col="yr", variable_col="code", value_col="val", variables=["b"])


# -- scores ------------------------------------------------------------------------------------------------------------
def test_read_scores_long_and_wide_agree(tmp_path):
    from nqpf.datasets import load_ran2025_scores
    long = load_ran2025_scores()
    p1 = tmp_path / "scores.csv"
    long.to_csv(p1, index=False)
    s1 = read_long_scores(p1)
    wide = load_ran2025_scores(wide=True)
    p2 = tmp_path / "scores_wide.xlsx"
    wide.to_excel(p2)
    s2 = read_scores(p2)
    assert s1.Y.shape == (29, 11) and list(s1.Y.columns) == list(range(2010, 2021))
    pd.testing.assert_frame_equal(s1.Y, s2.Y)
    # values are the transcribed Table 2, unchanged, indexed by the names as written
    assert list(s1.Y.index) == list(dict.fromkeys(long.region))
    bj = s1.Y.loc["北京"]
    ref = long[long.region == "北京"].set_index("year")["score"]
    assert np.array_equal(bj.to_numpy(), ref.to_numpy())
    assert s1.labels["北京"] == "北京" and s1.codes["北京"] == BJ and s1.codes["内蒙古"] == NM


def test_read_scores_audit_uses_the_same_ids(tmp_path):
    p = tmp_path / "s.csv"
    p.write_text("省份,年份,得分\n北京市,2010,0.5\n河北,2010,—\n北京市,2011,0.6\n河北,2011,0.2\n", encoding="utf-8")
    s = read_scores(p)
    assert list(s.Y.index) == ["北京市", "河北"] and np.isnan(s.Y.loc["河北", 2010])
    assert row_of(s.audit, action="missing").region == "河北"


def test_read_scores_picks_named_score_column(tmp_path):
    p = tmp_path / "s.csv"
    p.write_text("region,year,score,rank\nA,2010,0.5,1\nB,2010,0.4,2\nA,2011,0.6,1\nB,2011,0.3,2\n")
    s = read_scores(p)
    assert s.variable == "score" and s.Y.loc["B", 2011] == 0.3 and s.codes == {}
    assert read_scores(p, score_col="rank").Y.loc["B", 2010] == 2


# -- the real techme panel ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def techme():
    if not TECHME.exists():
        pytest.skip(f"techme panel not found at {TECHME}")
    return TECHME


def test_techme_long(techme):
    from nqpf.spec import load_spec
    variables = load_spec("scitech_example").variables
    panel = read_panel(techme, layout="long", region_col="province", variable_col="variable_code",
                       variables=variables)
    src = pd.read_csv(techme)
    src = src[src.variable_code.isin(variables)]
    d = panel.data
    assert d["region"].nunique() == 31 and set(d["variable"]) == set(variables)
    a = panel.audit
    dropped = a[a.action == "dropped"]
    # every selected source row is in the data or dropped as an aggregate (全国, 东部地区)
    assert len(d) + len(dropped) == len(src)
    assert set(dropped.region) == set(src.province[src.province.isin(["全国", "东部地区"])])
    assert (a.action == "missing").sum() == src.value.isna().sum()
    # the gaps of the source are real: no 2011 technology market, no 2017 high-tech industry
    assert 2011 not in set(d.loc[d.variable == "v4_cg_jssc_je", "year"])
    assert 2017 not in set(d.loc[d.variable == "v4_cy_scjy_qys", "year"])
    # values unchanged: Beijing's 2015 invention patent applications
    ref = src[(src.province == "北京") & (src.year == 2015) & (src.variable_code == "v4_cg_zlsq_fm")].value.item()
    assert d[(d.region == BJ) & (d.year == 2015) & (d.variable == "v4_cg_zlsq_fm")].value.item() == ref


def test_techme_raw_spellings_and_duplicates(techme):
    # province_raw has OCR slips (江两, 内蒙占, 两藏) and spaced names: all must resolve to the same codes
    a = read_panel(techme, region_col="province_raw", variable_col="variable_code",
                   variables=["v4_cg_zlsq_fm", "v4_cy_scjy_qys"])
    b = read_panel(techme, region_col="province", variable_col="variable_code",
                   variables=["v4_cg_zlsq_fm", "v4_cy_scjy_qys"])
    pd.testing.assert_frame_equal(a.data, b.data)
    # the whole file holds R&D spending twice (RDActivity, RDSource) with different values
    with pytest.raises(InputError, match="v4_zh_nbzc_hj"):
        read_panel(techme, region_col="province", variable_col="variable_code")


# -- region aliases -----------------------------------------------------------------------------------------
def test_alias_spellings_are_matched_loosely_and_unused_aliases_warned(tmp_path):
    from nqpf.io import Aliases, alias_key, as_aliases, parse_aliases

    assert alias_key("Ｙu  nan") == alias_key("yunan") == "yunan"
    p = tmp_path / "d.csv"
    p.write_text("region,year,gdp\n北京,2015,1\nＹＵＮＡＮ,2015,2\n", encoding="utf-8")
    with pytest.warns(UserWarning, match=r"alias\(es\) matching no region of the data, not used: 'Guizou'"):
        panel = read_panel(p, aliases=["Yunan=云南", {"Guizou": "贵州"}])
    assert set(panel.data["region"]) == {BJ, "530000"}
    assert panel.region_label["530000"] == "云南"  # the alias's spelling, not the misspelt one
    a = row_of(panel.audit, action="alias")
    assert (a.row, a.column, a.old, a.new, a.region) == (3, "A", "ＹＵＮＡＮ", "云南", "530000")
    # an option and a file that disagree: both places named
    both = Aliases()
    both.update_from(parse_aliases("Yunan=云南", where="--alias"))
    with pytest.raises(InputError, match=r"--alias 'Yunan=贵州': alias 'Yunan' maps to '贵州', but --alias "
                                         r"'Yunan=云南' maps it to '云南'"):
        both.update_from(parse_aliases("Yunan=贵州", where="--alias"))
    assert as_aliases(None) is None and as_aliases(both) is both
    with pytest.raises(InputError, match="must be a mapping spelling → region"):
        as_aliases(3)


def test_panel_locations_name_the_cell_of_every_value(tmp_path):
    p = tmp_path / "yearbook.xlsx"
    make_yearbook(p)
    panel = read_panel(p)
    assert len(panel.locations) == len(panel.data)
    assert panel.where(BJ, 2012, "gdp") == f"{p}, sheet 'gdp', row 6, column D"
    assert panel.where(TJ, 2011, "pop") == f"{p}, sheet 'pop', row 4, column C"
    assert panel.where(BJ, 1999, "gdp") == ""
