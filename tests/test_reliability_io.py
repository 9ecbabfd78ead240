"""Readers met with a public workbook nobody here wrote: regions across in blocks of years (two header rows,
regions above years) with the variables down the rows, a variable repeated on several sheets, and the
whole chain on it checked against the workbook's own published results.

Reference: ``jjj_transport_entropy_topsis_worked_example.xlsx`` (the public repository
``wantime/Entropy-weight-TOPSIS-code-and-data``, ``data/Economic indicators.xlsx``): its ``weight`` sheet
(entropy weights, pooled min-max over the 65 city-years, printed with 15 significant digits: compared to
1e-13) and its ``Cj`` sheet (entropy-TOPSIS closeness, printed with 8 decimals: compared to 5e-9).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from nqpf.cli import app
from nqpf.errors import InputError, UnknownRegionError
from nqpf.io import read_panel

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
JJJ = SHARED / "jjj_transport_entropy_topsis_worked_example.xlsx"

PROVS = ["北京", "天津", "河北"]
YEARS = [2015, 2016, 2017]


def _across(tmp: Path, provs=PROVS, merged=False, name="across.xlsx", title=False) -> Path:
    """Variables down (name, unit), provinces across in blocks of years: gdp = 100·(k+1) + t, pop = 10·(k+1) + t."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "data"
    top = 2 if title else 1
    if title:
        ws.cell(1, 1, "表1 主要指标")
    ws.cell(top, 1, "指标")
    ws.cell(top, 2, "单位")
    for k, p in enumerate(provs):
        c0 = 3 + k * len(YEARS)
        ws.cell(top, c0, p)
        if merged:
            ws.merge_cells(start_row=top, start_column=c0, end_row=top, end_column=c0 + len(YEARS) - 1)
        for t, y in enumerate(YEARS):
            ws.cell(top + 1, c0 + t, y)
            ws.cell(top + 2, c0 + t, 100.0 * (k + 1) + t)
            ws.cell(top + 3, c0 + t, 10.0 * (k + 1) + t)
    ws.cell(top + 2, 1, "gdp")
    ws.cell(top + 2, 2, "亿元")
    ws.cell(top + 3, 1, "pop")
    ws.cell(top + 3, 2, "万人")
    p = tmp / name
    wb.save(p)
    return p


def _reference(provs=PROVS) -> pd.DataFrame:
    from nqpf import regions

    rows = [(regions.normalize(p), y, v, (100.0 if v == "gdp" else 10.0) * (k + 1) + t)
            for k, p in enumerate(provs) for v in ("gdp", "pop") for t, y in enumerate(YEARS)]
    return (pd.DataFrame(rows, columns=["region", "year", "variable", "value"])
            .sort_values(["region", "year", "variable"]).reset_index(drop=True))


@pytest.mark.parametrize("merged", [False, True])
@pytest.mark.parametrize("title", [False, True])
def test_regions_across_in_blocks_of_years(tmp_path, merged, title):
    p = _across(tmp_path, merged=merged, title=title)
    panel = read_panel(p)
    got = panel.data.sort_values(["region", "year", "variable"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, _reference(), check_dtype=False)
    assert panel.units == {"gdp": "亿元", "pop": "万人"}
    assert panel.meta["layout"] == ["regions-across"]
    top = 2 if title else 1
    # 天津 2016 gdp: block 2 (columns F-H), second year (G), first variable row
    assert panel.where("120000", 2016, "gdp") == f"{p}, sheet 'data', row {top + 2}, column G"
    renamed = panel.audit[panel.audit["action"] == "renamed"]
    # each region's name is read once, at its cell in the header row above the years
    assert sorted(zip(renamed["row"].astype(int), renamed["column"])) == [(top, "C"), (top, "F"), (top, "I")]


def test_regions_across_unknown_region_is_named_at_its_header_cell(tmp_path):
    p = _across(tmp_path, provs=["北京", "Tianjn", "河北"])
    with pytest.raises(UnknownRegionError) as ei:
        read_panel(p)
    text = str(ei.value)
    assert "unknown region 'Tianjn' (" in text and "sheet 'data', row 1, column F)" in text, text
    assert "1 cells spell it so" not in text and "--alias 'Tianjn=" in text, text
    panel = read_panel(p, aliases={"Tianjn": "天津"})
    al = panel.audit[panel.audit["action"] == "alias"]
    assert list(zip(al["row"].astype(int), al["column"])) == [(1, "F")]
    pd.testing.assert_frame_equal(panel.data.sort_values(["region", "year", "variable"]).reset_index(drop=True),
                                  _reference(), check_dtype=False)


def test_a_header_repeating_years_without_regions_above_is_still_an_error(tmp_path):
    p = tmp_path / "rep.csv"
    p.write_text("地区,2015,2016,2015\n北京,1,2,3\n天津,4,5,6\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"repeats year 2015 in cells B1 \('2015'\) and D1"):
        read_panel(p)


def test_a_variable_on_two_sheets_says_to_read_one_sheet(tmp_path):
    a = _across(tmp_path, name="a.xlsx")
    wb = openpyxl.load_workbook(a)
    copy = wb.copy_worksheet(wb["data"])
    copy.title = "标准化"
    wb.save(a)
    with pytest.raises(InputError) as ei:
        read_panel(a, variables=["gdp"])
    text = str(ei.value)
    assert "sheet 'data', row 3, column C = 100.0 and" in text and "sheet '标准化', row 3, column C = 100.0" in text
    assert "command line: --sheet data; config: [data] sheet = \"data\"" in text, text
    assert len(read_panel(a, variables=["gdp"], sheet="data").data) == 9


# --------------------------------------------------------------------------------- the public workbook
needs_jjj = pytest.mark.skipif(not JJJ.exists(), reason="shared data folder with the JJJ worked example absent")


@needs_jjj
def test_public_workbook_read_as_its_author_laid_it_out():
    panel = read_panel(JJJ, sheet="raw data")
    d = panel.data
    assert len(d) == 13 * 5 * 4 and d["value"].notna().all()
    assert d["region"].nunique() == 13 and sorted(d["year"].unique()) == [2013, 2014, 2015, 2016, 2017]
    assert panel.units["Passenger traffic"] == "10thousand persons"
    raw = pd.read_excel(JJJ, sheet_name="raw data", header=None)
    # Tianjin 2015 passenger traffic: row 5, column J of the sheet
    got = d[(d.region == "Tianjin") & (d.year == 2015) & (d.variable == "Passenger traffic")]["value"].iloc[0]
    assert got == raw.iloc[4, 9]
    assert panel.where("Tianjin", 2015, "Passenger traffic").endswith("sheet 'raw data', row 5, column J")


@needs_jjj
def test_public_workbook_index_equals_its_published_weights_and_closeness(tmp_path):
    names = ["Fixed assets investment in transport, storage, and post",
             "Gross output value of transport, storage, and post industry", "Passenger traffic", "Freight traffic"]
    spec = tmp_path / "spec.csv"
    pd.DataFrame({"indicator": names, "direction": "+"}).to_csv(spec, index=False)
    out = tmp_path / "out"
    r = CliRunner().invoke(app, ["index", str(JJJ), "-s", str(spec), "-o", str(out), "--sheet", "raw data",
                                 "--topsis"])
    assert r.exit_code == 0, r.stderr
    w = pd.read_csv(out / "tables" / "weights.csv").set_index("indicator")["weight"]
    ref_w = pd.read_excel(JJJ, sheet_name="weight")
    ref_w = ref_w.assign(Indicators=ref_w["Indicators"].str.strip()).set_index("Indicators")["weight"]
    np.testing.assert_allclose(w.loc[ref_w.index].to_numpy(), ref_w.to_numpy(), rtol=0, atol=1e-13)
    s = pd.read_csv(out / "tables" / "scores.csv")
    cj = pd.read_excel(JJJ, sheet_name="Cj").set_index("City")
    got = s.pivot(index="region", columns="year", values="topsis").loc[cj.index]
    np.testing.assert_allclose(got.to_numpy(), cj.to_numpy(), rtol=0, atol=5e-9)
    # without --sheet the variables are on three sheets: one line naming the fix
    r = CliRunner().invoke(app, ["index", str(JJJ), "-s", str(spec), "-o", str(tmp_path / "o2")])
    err = r.stderr.strip()
    assert r.exit_code == 2 and "\n" not in err and "--sheet 'raw data'" in err, err


def test_a_variable_not_found_lists_the_sheets_not_read(tmp_path):
    """A spec variable absent from the data while some sheets were skipped: the error names those sheets
    and how to see why each was skipped."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "gdp"
    for r in [["地区", 2015, 2016, 2015], ["北京", 1, 2, 3], ["天津", 4, 5, 6]]:
        ws.append(r)
    ws2 = wb.create_sheet("pop")
    for r in [["地区", 2015, 2016], ["北京", 1, 2], ["天津", 4, 5]]:
        ws2.append(r)
    wb.create_sheet("说明").append(["数据来源: 统计年鉴"])
    p = tmp_path / "sk.xlsx"
    wb.save(p)
    with pytest.raises(InputError) as ei:
        read_panel(p, variables=["GDP总量", "pop"])
    text = str(ei.value)
    assert text.startswith(f"{p}: variable(s) not found: ['GDP总量']; variables in the data: ['pop']"), text
    assert ("Sheets not read: 'gdp' (header repeats a year, row 1); '说明' (no table header found); if a variable "
            "is on one of them, read that sheet alone (--sheet NAME; Python: sheet=) to see why") in text
    with pytest.raises(InputError, match="sheet 'gdp', row 1: the header of this regions × years table repeats"):
        read_panel(p, sheet="gdp")
