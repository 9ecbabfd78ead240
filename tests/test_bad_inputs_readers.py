"""Bad inputs met with a real provincial workbook: each is read, or refused with one line naming the file,
sheet, row and column where they apply, and the fix (never a traceback).

Readers (CR line endings, binary files named .csv, UTF-16, header-only files, a repeated year, an empty
column), spatial weights files (malformed .gal/.gwt lines, adcodes against names), given weights, and the
formula language of specs (quoted names, unknown variables blamed on the spec, division by zero).
"""
from __future__ import annotations

import zipfile

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from nqpf import regions
from nqpf.cli import app
from nqpf.errors import InputError, SpecError, WeightsMismatchError
from nqpf.index import compute_weights
from nqpf.io import detect_encoding, read_panel
from nqpf.pipeline import build_from_data
from nqpf.prepare import prepare
from nqpf.spatial import align_weights, read_weights
from nqpf.spec import Indicator, Spec, UnknownVariableError, load_spec, parse_formula

PROVS = ["北京", "天津", "河北", "山西"]
YEARS = [2015, 2016, 2017]


def _rows(provs=PROVS, years=YEARS):
    """region, year, gdp, pop with distinct values (gdp = 100·k + year offset, pop = 10 + k)."""
    return [(p, y, 100.0 * (k + 1) + (y - 2015), 10.0 + k) for k, p in enumerate(provs) for y in years]


def _csv_text(rows, head=("region", "year", "gdp", "pop"), eol="\n"):
    lines = [",".join(head)] + [",".join(str(v) for v in r) for r in rows]
    return eol.join(lines) + eol


def _one_line(exc) -> str:
    text = str(exc.value)
    assert "\n" not in text and "Traceback" not in text
    return text


# ------------------------------------------------------------------------------------------ 1. CR only
def test_csv_with_old_mac_line_endings_is_read(tmp_path):
    lf, cr, crlf = tmp_path / "lf.csv", tmp_path / "cr.csv", tmp_path / "crlf.csv"
    lf.write_bytes(_csv_text(_rows()).encode("utf-8"))
    cr.write_bytes(_csv_text(_rows(), eol="\r").encode("utf-8"))
    crlf.write_bytes(_csv_text(_rows(), eol="\r\n").encode("utf-8"))
    want = read_panel(lf).data
    assert len(want) == 2 * len(PROVS) * len(YEARS)
    for p in (cr, crlf):
        pd.testing.assert_frame_equal(read_panel(p).data, want)


# ------------------------------------------------------------------------------------ 2. binary as .csv
def test_random_bytes_named_csv_is_not_a_text_table(tmp_path):
    p = tmp_path / "data.csv"
    p.write_bytes(bytes(np.random.default_rng(0).integers(0, 256, 4000, dtype=np.uint8)))
    with pytest.raises(InputError) as ei:
        read_panel(p)
    text = _one_line(ei)
    assert text.startswith(f"{p}: not a text table: it holds binary data")
    assert "CSV in UTF-8, GBK or UTF-16" in text


def test_workbook_renamed_csv_says_it_looks_like_excel(tmp_path):
    book = tmp_path / "book.xlsx"
    pd.DataFrame(_rows(), columns=["region", "year", "gdp", "pop"]).to_excel(book, index=False)
    p = tmp_path / "book.csv"
    p.write_bytes(book.read_bytes())
    with pytest.raises(InputError) as ei:
        read_panel(p)
    text = _one_line(ei)
    assert str(p) in text and "not a text table" in text
    assert "looks like an Excel workbook (.xlsx" in text and "rename it to .xlsx" in text
    # the same refusal when the encoding is forced (and for a spec file, which shares the reader)
    with pytest.raises(InputError, match="looks like an Excel workbook"):
        read_panel(p, encoding="utf-8")
    with pytest.raises(InputError, match="looks like an Excel workbook"):
        load_spec(p)
    # a zip that is not a workbook is named the same way (a zip archive)
    z = tmp_path / "z.csv"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("a.txt", "x")
    with pytest.raises(InputError, match="zip archive"):
        read_panel(z)


def test_text_named_xlsx_and_html_named_xls(tmp_path):
    p = tmp_path / "t.xlsx"
    p.write_text(_csv_text(_rows()), encoding="utf-8")
    with pytest.raises(InputError, match=r"t\.xlsx: cannot open as a workbook: it looks like a text \(CSV\) "
                                         r"file; rename it to \.csv"):
        read_panel(p)
    h = tmp_path / "web.xls"
    h.write_text("<html><body><table><tr><td>北京</td></tr></table></body></html>", encoding="utf-8")
    with pytest.raises(InputError, match=r"web page \(HTML\).*save it as \.xlsx"):
        read_panel(h)


# ----------------------------------------------------------------------------------------- 3. UTF-16
@pytest.mark.parametrize("enc,bom", [("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff"),
                                     ("utf-16-le", b""), ("utf-16-be", b"")])
def test_utf16_csv_is_read(tmp_path, enc, bom):
    ref = tmp_path / "u8.csv"
    ref.write_text(_csv_text(_rows()), encoding="utf-8")
    p = tmp_path / "u16.csv"
    raw = bom + _csv_text(_rows()).encode(enc)
    p.write_bytes(raw)
    assert detect_encoding(raw) == ("utf-16" if bom else enc)
    panel = read_panel(p)
    pd.testing.assert_frame_equal(panel.data, read_panel(ref).data)
    assert set(panel.data["region"]) == {regions.normalize(x) for x in PROVS}


# -------------------------------------------------------------------------------------- 4. header only
def test_header_only_file_says_no_data_rows(tmp_path):
    p = tmp_path / "h.csv"
    p.write_text("region,year,gdp,pop\n", encoding="utf-8")
    for kw in ({}, {"variables": ["gdp"]}):
        with pytest.raises(InputError) as ei:
            read_panel(p, **kw)
        text = _one_line(ei)
        assert text.startswith(f"{p}, row 1: the file has no data rows")
        assert "region, year, gdp, pop" in text and "not found" not in text


def test_header_only_sheet_of_a_requested_variable(tmp_path):
    p = tmp_path / "yb.xlsx"
    with pd.ExcelWriter(p) as xw:
        pd.DataFrame({"地区": PROVS, 2015: [1, 2, 3, 4], 2016: [2, 3, 4, 5]}).to_excel(xw, sheet_name="gdp",
                                                                                       index=False)
        pd.DataFrame(columns=["地区", 2015, 2016]).to_excel(xw, sheet_name="pop", index=False)
    with pytest.raises(InputError) as ei:
        read_panel(p, variables=["gdp", "pop"])
    text = _one_line(ei)
    assert f"{p}, sheet 'pop', row 1: variable 'pop' has no data rows" in text


# ----------------------------------------------------------------------------------- 5. repeated year
def test_repeated_year_in_a_yearbook_header_is_named(tmp_path):
    p = tmp_path / "dup.csv"
    p.write_text("地区,2015,2015,2016\n北京,1,2,3\n天津,4,5,6\n", encoding="utf-8")
    with pytest.raises(InputError) as ei:
        read_panel(p)
    text = _one_line(ei)
    assert text.startswith(f"{p}, row 1: the header of this regions × years table repeats year 2015 in cells "
                           "B1 ('2015') and C1 ('2015')")
    assert "each year must head exactly one column" in text and "no table found" not in text


def test_repeated_year_on_a_sheet_names_the_sheet_and_cells(tmp_path):
    import openpyxl

    p = tmp_path / "yb.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "人口"
    ws.append(["表1 年末人口 单位:万人"])
    ws.append(["地区", "2015年", "2016年", "2016"])
    ws.append(["北京", 1, 2, 3])
    gdp = wb.create_sheet("GDP")
    gdp.append(["地区", 2015, 2016])
    gdp.append(["北京", 1, 2])
    wb.save(p)
    with pytest.raises(InputError) as ei:
        read_panel(p)
    text = _one_line(ei)
    assert text.startswith(f"{p}, sheet '人口', row 2: the header of this regions × years table repeats year "
                           "2016 in cells C2 ('2016年') and D2 ('2016')")
    # a sheet not asked for does not stop the others (audited as skipped)
    panel = read_panel(p, variables=["GDP"])
    assert panel.data["variable"].unique().tolist() == ["GDP"]
    skipped = panel.audit[panel.audit["sheet"] == "人口"]
    assert skipped["action"].tolist() == ["dropped"] and "repeats a year" in skipped["reason"].iloc[0]


# ------------------------------------------------------------------------------------- 9. empty column
def test_all_empty_indicator_column_is_named(tmp_path):
    p = tmp_path / "w.csv"
    rows = [(r, y, g, "") for r, y, g, _ in _rows()]
    p.write_text(_csv_text(rows), encoding="utf-8")
    with pytest.raises(InputError) as ei:
        read_panel(p, variables=["gdp", "pop"])
    text = _one_line(ei)
    assert text.startswith(f"{p}, column D: variable 'pop' is empty: none of its 12 cells holds a number")
    assert "region-year" not in text
    # on a sheet: the sheet is named; missing markers count as empty
    x = tmp_path / "w.xlsx"
    df = pd.DataFrame(_rows(), columns=["region", "year", "gdp", "pop"]).assign(pop="—")
    df.to_excel(x, sheet_name="data", index=False)
    with pytest.raises(InputError, match=r"w\.xlsx, sheet 'data', column D: variable 'pop' is empty"):
        read_panel(x, variables=["pop"])
    assert len(read_panel(x).data) == 24  # not asked for: read, and its cells audited as missing


def test_all_empty_column_through_build_from_data(tmp_path):
    p = tmp_path / "w.csv"
    p.write_text(_csv_text([(r, y, g, "") for r, y, g, _ in _rows()]), encoding="utf-8")
    spec = Spec("s", ("indicator",), [Indicator("pc", formula="gdp / pop", path=())])
    with pytest.raises(InputError, match=r"column D: variable 'pop' is empty"):
        build_from_data(p, spec)


# ------------------------------------------------------------------------------------ 6. weights files
def _gal(path, ids, neighbours, header=None):
    lines = [header or f"0 {len(ids)} shapes id"]
    for i in ids:
        lines += [f"{i} {len(neighbours[i])}", " ".join(neighbours[i])]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("body,line,words", [
    ("3\na 1\nb\nb 2\na c x\nc 1\nb\n", 5, "'b' (line 4) announces 2 neighbour(s) but this line lists 3"),
    ("3\na 1\nb\nb two\na c\nc 1\nb\n", 4, "expected 'id number-of-neighbours'"),
    ("3\na 1\nb\nb 2\na z\nc 1\nb\n", 5, "neighbour(s) 'z' of 'b' are not regions of the file"),
    ("x y\na 1\nb\n", 1, "expected the header 'n' or '0 n shapefile id-variable'"),
    ("2\na 1\nb\nb 1\na\nc 0\n", 6, "text after the 2 regions"),
    ("3\na 1\nb\nb 1\na\na 0\n\n", 6, "region 'a' is listed twice (first at line 2)"),
])
def test_malformed_gal_line_is_numbered(tmp_path, body, line, words):
    p = tmp_path / "w.gal"
    p.write_text(body, encoding="utf-8")
    with pytest.raises(InputError) as ei:
        read_weights(p)
    text = _one_line(ei)
    assert text.startswith(f"spatial weights file {str(p)!r}, line {line}: ") and words in text


def test_malformed_gwt_line_is_numbered(tmp_path):
    p = tmp_path / "w.gwt"
    p.write_text("0 2 shapes id\na b 0.5\nb a x\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"w\.gwt', line 3: weight 'x' is not a number"):
        read_weights(p)
    p.write_text("0 2 shapes id\na b 0.5\nb a\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"line 3: expected 'origin destination weight', found 'b a'"):
        read_weights(p)


def test_gal_isolated_region_and_cr_line_endings(tmp_path):
    p = tmp_path / "w.gal"
    p.write_bytes(b"3\ra 1\rb\rb 1\ra\rc 0\r\r")
    w = read_weights(p)
    assert w.id_order == ["a", "b", "c"] and w.neighbors["c"] == [] and w.neighbors["a"] == ["b"]


def test_gal_with_adcodes_fits_scores_with_names(tmp_path):
    names = ["北京", "天津", "河北", "山西", "内蒙古", "辽宁"]
    codes = [regions.normalize(n) for n in names]
    ref = regions.contiguity(codes)
    p = _gal(tmp_path / "codes.gal", codes, ref.neighbors)
    w = read_weights(p, ids=names)
    assert w.id_order == names
    back = dict(zip(codes, names))
    assert {k: set(v) for k, v in w.neighbors.items()} == {back[k]: {back[j] for j in v}
                                                            for k, v in ref.neighbors.items()}
    # and the other way round: a .gal written with names (any spelling) fits data keyed by codes
    spelled = {"北京": "北京市", "天津": "Tianjin", "河北": "河北省", "山西": "Shanxi", "内蒙古": "内蒙古自治区",
               "辽宁": "辽宁"}
    p2 = _gal(tmp_path / "names.gal", [spelled[n] for n in names],
              {spelled[back[k]]: [spelled[back[j]] for j in v] for k, v in ref.neighbors.items()})
    w2 = read_weights(p2, ids=codes)
    assert w2.id_order == codes and {k: set(v) for k, v in w2.neighbors.items()} == \
        {k: set(v) for k, v in ref.neighbors.items()}


def test_gal_with_adcodes_mismatch_still_lists_differences(tmp_path):
    names = ["北京", "天津", "河北", "山西"]
    codes = [regions.normalize(n) for n in names[:3]] + ["150000"]  # 内蒙古 instead of 山西
    nb = {c: [d for d in codes if d != c] for c in codes}
    p = _gal(tmp_path / "codes.gal", codes, nb)
    with pytest.raises(WeightsMismatchError) as ei:
        read_weights(p, ids=names)
    text = _one_line(ei)
    assert "1 in the data but not in the weights: '山西'" in text
    assert "1 in the weights but not in the data: '150000'" in text
    assert "then as Chinese regions by their GB/T 2260 codes" in text
    # ids that are not regions at all: compared as text, as before
    from libpysal.weights import W

    with pytest.raises(WeightsMismatchError, match=r"'r9'.*'zz'.*\(ids are compared as text\)"):
        align_weights(W({"r1": ["zz"], "zz": ["r1"]}, silence_warnings=True), ["r1", "r9"])


def test_cli_analyze_with_adcode_gal_and_named_scores(tmp_path):
    from nqpf import datasets

    long = datasets.load_ran2025_scores()
    scores = tmp_path / "scores.csv"
    long.to_csv(scores, index=False)
    regs = list(dict.fromkeys(long["region"]))
    codes = [regions.normalize(r) for r in regs]
    ref = regions.contiguity(codes, island="guangdong")
    gal = _gal(tmp_path / "codes.gal", codes, ref.neighbors)
    runner = CliRunner()
    outs = {}
    for label, weights in (("gal", gal), ("builtin", "china-provinces")):
        outs[label] = tmp_path / label
        r = runner.invoke(app, ["analyze", str(scores), "--weights", str(weights), "--out", str(outs[label]),
                                "--permutations", "99", "--formats", "csv", "-q"], catch_exceptions=False)
        assert r.exit_code == 0, r.output
    a, b = (pd.read_csv(outs[k] / "tables" / "moran_global.csv") for k in ("gal", "builtin"))
    np.testing.assert_allclose(a["I"], b["I"], atol=1e-12)


# ------------------------------------------------------------------------------------ 7. given weights
@pytest.fixture
def X2():
    rng = np.random.default_rng(3)
    return pd.DataFrame(rng.uniform(0.1, 1, (12, 2)), columns=["x1", "x2"])


def test_negative_given_weight_names_the_indicator(X2):
    with pytest.raises(InputError) as ei:
        compute_weights(X2, "given", weights={"x1": 1.5, "x2": -0.5})
    text = _one_line(ei)
    assert "indicator 'x2' has weight -0.5 (negative)" in text and "'x1'" not in text
    with pytest.raises(InputError, match=r"indicator 'x1' has weight nan \(not a finite number\)"):
        compute_weights(X2, "given", weights={"x1": float("nan"), "x2": 1})


def test_negative_given_weight_names_the_file_and_row(X2, tmp_path):
    p = tmp_path / "ahp.csv"
    p.write_text("indicator,weight\nx1,0.8\nx2,-0.2\n", encoding="utf-8")
    with pytest.raises(InputError) as ei:
        compute_weights(X2, "given", weights=p)
    text = _one_line(ei)
    assert text.startswith(f"{p}: given weights must be finite and non-negative: indicator 'x2' (row 3) has "
                           "weight -0.2 (negative)")
    assert f"correct it in {p}" in text
    # a file read elsewhere: a table whose attrs name its source
    tab = pd.DataFrame({"indicator": ["x1", "x2"], "weight": [0.8, -0.2]})
    tab.attrs["source"] = "ahp.xlsx"
    with pytest.raises(InputError, match=r"^ahp\.xlsx: .*indicator 'x2' has weight -0\.2"):
        compute_weights(X2, "given", weights=tab)
    # a path that reads fine gives the same weights as the mapping
    p.write_text("indicator,weight\nx2,1\nx1,3\n", encoding="utf-8")
    with pytest.warns(UserWarning, match="renormalised"):
        W = compute_weights(X2, "given", weights=str(p))
    np.testing.assert_allclose(W["weight"], [0.75, 0.25])
    p.write_text("indicator,weight\nx1,1\nx2,abc\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"row 3, column weight: weight 'abc' of indicator 'x2' is not a number"):
        compute_weights(X2, "given", weights=p)


# ------------------------------------------------------------------------------- 8a. quoted names
def test_formula_names_quoted_with_backticks_or_brackets():
    f = parse_formula("`R&D 经费` / `GDP-2`")
    assert f.variables == ("R&D 经费", "GDP-2")
    g = parse_formula("[研发经费] / [GDP] × 100 + [人口 (万人)]·0")
    assert g.variables == ("研发经费", "GDP", "人口 (万人)")
    v, _ = g.evaluate({"研发经费": np.array([3.0]), "GDP": np.array([6.0]), "人口 (万人)": np.array([9.0])})
    assert v.tolist() == [50.0]
    # symbols inside quotes are part of the name, not operators
    assert parse_formula("[a×b] - `c−d`").variables == ("a×b", "c−d")


@pytest.mark.parametrize("text,words", [
    ("R&D 经费 / GDP", "must be quoted"),
    ("[a, b]", "looks like a list"),
    ("`a / b", "backtick without its pair"),
    ("a / b]", "closing bracket without its pair"),
    ("[] / a", "empty quoted name"),
    ("a[0]", "not valid arithmetic"),
])
def test_bad_quoting_is_refused(text, words):
    with pytest.raises(SpecError) as ei:
        parse_formula(text, where="s.toml, [[indicator]] #1")
    assert words in _one_line(ei) and "s.toml, [[indicator]] #1" in str(ei.value)


def _spec_toml(tmp_path, formula_rd="`R&D 经费` / [GDP-2]", formula_pc="[GDP-2] / 人口", name="spec.toml"):
    p = tmp_path / name
    p.write_text(f'''[spec]
name = "t"
levels = ["dimension", "indicator"]
[[indicator]]
id = "rd"
direction = "+"
formula = "{formula_rd}"
dimension = "A"
[[indicator]]
id = "pc"
direction = "+"
formula = "{formula_pc}"
dimension = "A"
''', encoding="utf-8")
    return p


def _prov_data(tmp_path, zero=None):
    rows = []
    for k, r in enumerate(PROVS):
        for y in YEARS:
            rows.append({"地区": r, "年份": y, "R&D 经费": 1.0 + k + (y - 2015), "GDP-2": 10.0 * (k + 1),
                         "人口": 2.0 + k})
    df = pd.DataFrame(rows)
    if zero:
        df.loc[(df["地区"] == zero[0]) & (df["年份"] == zero[1]), "人口"] = 0
    p = tmp_path / "prov.csv"
    df.to_csv(p, index=False)
    return p


def test_quoted_names_read_from_the_data_end_to_end(tmp_path):
    spec = load_spec(_spec_toml(tmp_path))
    assert spec.variables == ("R&D 经费", "GDP-2", "人口")
    b = build_from_data(_prov_data(tmp_path), spec)
    X = b.prepared.indicators
    code = regions.normalize("河北")
    assert X.loc[(code, 2016), "rd"] == pytest.approx((1 + 2 + 1) / 30.0)
    assert X.loc[(code, 2016), "pc"] == pytest.approx(30.0 / 4.0)


# ----------------------------------------------------------------------- 8b. unknown variable → the spec
def test_unknown_formula_variable_is_blamed_on_the_spec(tmp_path):
    spec_path = _spec_toml(tmp_path, formula_pc="[GDP2] / 人口")
    data = _prov_data(tmp_path)
    with pytest.raises(UnknownVariableError) as ei:
        build_from_data(data, spec_path)
    text = _one_line(ei)
    assert isinstance(ei.value, InputError) and isinstance(ei.value, SpecError)
    assert text.startswith(f"{spec_path}, [[indicator]] #2: formula '[GDP2] / 人口' of indicator 'pc' uses "
                           "variable 'GDP2', which")
    assert "did you mean 'GDP-2'?" in text and "Fix the name in the spec" in text
    assert not text.startswith(str(data))


def test_unknown_variable_of_a_table_spec_names_its_row(tmp_path):
    spec_path = tmp_path / "spec.csv"
    spec_path.write_text("indicator,direction,formula\nrd,+,`R&D 经费` / [GDP-2]\npc,+,[GDP-2] / 人 口\n",
                         encoding="utf-8")
    with pytest.raises(SpecError, match="must be quoted"):
        load_spec(spec_path)  # an unquoted name with a space: refused when the spec is read
    spec_path.write_text("indicator,direction,formula\nrd,+,`R&D经费` / [GDP-2]\n人口数,+,\n", encoding="utf-8")
    with pytest.raises(UnknownVariableError) as ei:
        build_from_data(_prov_data(tmp_path), spec_path)
    text = _one_line(ei)
    assert f"{spec_path}, row 2: formula '`R&D经费` / [GDP-2]' of indicator 'rd' uses variable 'R&D经费'" in text
    assert "did you mean 'R&D 经费'?" in text
    assert f"{spec_path}, row 3: indicator '人口数' has no formula, so its id names a variable" in text
    assert "did you mean '人口'?" in text


def test_read_panel_without_a_spec_still_says_not_found(tmp_path):
    with pytest.raises(InputError, match=r"variable\(s\) not found: \['GDP2'\] \('GDP2': did you mean 'GDP-2'"):
        read_panel(_prov_data(tmp_path), variables=["GDP2"])


# ---------------------------------------------------------------------------- 8c. division by zero
def test_division_by_zero_is_named_not_a_gap(tmp_path):
    spec = load_spec(_spec_toml(tmp_path))
    data = _prov_data(tmp_path, zero=("山西", 2016))
    with pytest.raises(InputError) as ei:
        build_from_data(data, spec)
    text = _one_line(ei)
    assert ("1 indicator value(s) are missing because of division by zero in the formula of indicator 'pc' "
            "('[GDP-2] / 人口') at 山西 2016") in text
    assert "山西 2016: pc" in text and "miss values after interpolation" not in text
    # the audit keeps its row when the region-year is dropped instead
    b = build_from_data(data, spec, prepare_kw={"drop_incomplete": True})
    a = b.audit
    row = a[(a["action"] == "missing") & (a["variable"] == "pc")]
    assert row["reason"].tolist() == ["division by zero in formula '[GDP-2] / 人口'"]


def test_division_by_zero_and_a_real_gap_are_told_apart():
    spec = Spec("toy", ("indicator",), [Indicator("pc", formula="gdp / pop", path=()),
                                        Indicator("gdp", path=())])
    rows = [(r, y, v, val) for r in ("A", "B") for y in (2010, 2011, 2012)
            for v, val in (("gdp", 10.0), ("pop", 2.0))]
    df = pd.DataFrame(rows, columns=["region", "year", "variable", "value"])
    df.loc[(df.region == "A") & (df.year == 2011) & (df.variable == "pop"), "value"] = 0.0
    df.loc[(df.region == "B") & (df.year == 2012) & (df.variable == "gdp"), "value"] = np.nan
    with pytest.raises(InputError) as ei:
        prepare(df, spec)
    text = _one_line(ei)
    assert "division by zero in the formula of indicator 'pc' ('gdp / pop') at A 2011" in text
    assert "A 2011: pc; B 2012: pc, gdp" in text
    assert "(1 of them miss values after interpolation, not by division by zero)" in text


# ----------------------------------------------------------------------------- the command line: exit 2
def _cli_error(*args) -> str:
    r = CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=False)
    assert r.exit_code == 2, r.output
    text = r.output.strip()
    assert text.startswith("error:") and "Traceback" not in text
    return " ".join(text.split())  # the console wraps long lines


def test_cli_one_line_errors(tmp_path):
    spec = _spec_toml(tmp_path)
    rand = tmp_path / "rand.csv"
    rand.write_bytes(bytes(np.random.default_rng(1).integers(0, 256, 3000, dtype=np.uint8)))
    assert "not a text table" in _cli_error("index", rand, "-s", spec, "-o", tmp_path / "o1")
    head = tmp_path / "head.csv"
    head.write_text("地区,年份,R&D 经费,GDP-2,人口\n", encoding="utf-8")
    assert "no data rows" in _cli_error("index", head, "-s", spec, "-o", tmp_path / "o2")
    dup = tmp_path / "dup.csv"
    dup.write_text("地区,2015,2015\n北京,1,2\n", encoding="utf-8")
    assert "repeats year 2015" in _cli_error("index", dup, "-s", spec, "-o", tmp_path / "o3")
    bad = _spec_toml(tmp_path, formula_pc="[GDP2] / 人口", name="bad.toml")
    text = _cli_error("index", _prov_data(tmp_path), "-s", bad, "-o", tmp_path / "o4")
    assert "indicator 'pc'" in text and "did you mean 'GDP-2'?" in text
    text = _cli_error("index", _prov_data(tmp_path, zero=("北京", 2015)), "-s", spec, "-o", tmp_path / "o5")
    assert "division by zero in the formula of indicator 'pc'" in text
    neg = tmp_path / "w.csv"
    neg.write_text("indicator,weight\nrd,0.7\npc,-0.3\n", encoding="utf-8")
    text = _cli_error("index", _prov_data(tmp_path), "-s", spec, "-o", tmp_path / "o6", "--weighting", "given",
                      "--given-weights", neg)
    assert f"{neg}: row 3, column weight (indicator pc): negative (-0.3)" in text
