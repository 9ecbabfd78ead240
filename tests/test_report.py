"""Tests of nqpf.report: workbook, HTML and Word reports, atomic output.

The inputs are small synthetic :class:`~nqpf.results.Results` (tables of codes and numbers described by
their columns, as the analyses return them) and tiny PNGs drawn with matplotlib; every check reads the
written file back with an independent reader (openpyxl, the docx XML, html.parser, zipfile, headless
Chromium) rather than trusting the writer's own structures.
"""
from __future__ import annotations

import base64
import io
import os
import html as html_mod
import re
import shutil
import subprocess
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import openpyxl  # noqa: E402
from docx import Document  # noqa: E402
from docx.oxml.ns import qn  # noqa: E402

from nqpf.analyses import describe  # noqa: E402
from nqpf.analyses.index import audit_table  # noqa: E402
from nqpf.analyses.scores import scores_table  # noqa: E402
from nqpf.errors import InputError  # noqa: E402
from nqpf.i18n import t  # noqa: E402
from nqpf.outputs import csv_frame, localized  # noqa: E402
from nqpf.outputs import write as write_outputs  # noqa: E402
from nqpf.report import docx as report_docx  # noqa: E402
from nqpf.report import write_docx, write_excel, write_html  # noqa: E402
from nqpf.report.atomic import FIXED_ZIP_DATE, atomic_output_dir, atomic_write  # noqa: E402
from nqpf.report.excel import sheet_names, text_width  # noqa: E402
from nqpf.results import Column, Figure, RegionIndex, Results, Table  # noqa: E402

CJK = re.compile(r"[\u4e00-\u9fff]")
REGIONS = ["110000", "120000", "130000", "310000", "320000", "440000"]
#: the user's spelling of the regions (what the CSV tables show)
LABELS = {"110000": "北京市", "120000": "天津市", "130000": "河北省", "310000": "上海市", "320000": "江苏省",
          "440000": "广东省"}
YEARS = [2018, 2019, 2020]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
REPORT_FORMATS = ("xlsx", "html", "docx")


# ------------------------------------------------------------------------------------- fixtures
def _tiny_figure(i: int):
    fig, ax = plt.subplots(figsize=(2.0, 1.5), dpi=50)
    ax.plot([0, 1, 2], [i, 1 + i, i * 2])
    return fig


#: figure items as the analyses produce them: key → (section, caption key, caption args, order)
FIGURES = {"fig1_disparity": ("disparity", "figure.disparity", {}, 0.5),
           "map_2020": ("spatial", "figure.map", {"year": 2020}, 2.1),
           "lisa_map_2020": ("spatial", "figure.lisa_map", {"year": 2020}, 4)}


@pytest.fixture(scope="module")
def figs(tmp_path_factory):
    """Three tiny PNGs with different content (so a mix-up of figures is detectable)."""
    d = tmp_path_factory.mktemp("figs")
    out = {}
    for i, key in enumerate(FIGURES):
        fig = _tiny_figure(i)
        fig.savefig(d / f"{key}.png")
        plt.close(fig)
        out[key] = d / f"{key}.png"
    return out


def _focus(data, lang, res):
    """A rendered column, as the strategy table's recommendation: words only when writing."""
    words = {"zh": "发挥优势，带动周边地区协同发展", "en": "Lead the neighbours"}
    return [words[lang]] * len(data)


STRATEGY_CODED = {"tier": "tier", "trend": "trend", "direction": "direction", "role": "role",
                  "role_first_year": "role", "role_last_year": "role", "quadrant_first": "quadrant",
                  "quadrant_last": "quadrant"}
STRATEGY_DISPLAY = ("region", "tier", "trend", "role", "shortboards", "partners", "focus")


def strategy_item(df: pd.DataFrame) -> Table:
    given = {c: Column(c, "code", codes=f) for c, f in STRATEGY_CODED.items()}
    given["partners"] = Column("partners", "regions")
    given["shortboards"] = Column("shortboards", "items")
    return Table("strategy", df, describe(df, given) + (Column("focus", "rendered", render=_focus),),
                 "strategy", display=STRATEGY_DISPLAY)


def _tables(n_local=len(REGIONS) * len(YEARS)) -> list[Table]:
    """The tables of a study, in the order a study produces them, as Table items."""
    rng = np.random.default_rng(7)
    long = pd.DataFrame([(r, y) for r in REGIONS for y in YEARS], columns=["region", "year"])
    long["score"] = rng.random(len(long))
    long["criterion:劳动者"] = rng.random(len(long))
    long["criterion:生产资料"] = rng.random(len(long))
    sub_names = {"criterion:劳动者": {"zh": "劳动者", "en": "Labourers"},
                 "criterion:生产资料": {"zh": "生产资料", "en": "Means of production"}}
    weights = pd.DataFrame({"indicator": ["X1", "X2", "X3", "X4"], "weight": [0.1, 0.2, 0.3, 0.4],
                            "entropy": [0.97, 0.95, 0.93, 0.91]})
    disparity = pd.DataFrame({"year": YEARS, "theil": rng.random(3), "sigma": rng.random(3),
                              "cv": rng.random(3), "gini": rng.random(3)})
    mg = pd.DataFrame({"year": YEARS, "I": rng.random(3), "EI": -0.2, "z_norm": rng.random(3),
                       "p_norm": rng.random(3), "p_sim": [0.001, 0.02, 0.3], "n": 6, "n_islands": 0})
    reg = [REGIONS[i % len(REGIONS)] for i in range(n_local)]
    ml = pd.DataFrame({"region": reg, "year": [YEARS[i % 3] for i in range(n_local)],
                       "Ii": rng.normal(size=n_local), "z": rng.normal(size=n_local),
                       "lag": rng.normal(size=n_local), "quadrant": "HH",
                       "p_sim": rng.random(n_local),
                       "cluster": ["HH" if i % 4 == 0 else "" for i in range(n_local)]})
    qt = pd.DataFrame({"region": REGIONS, "quadrant_first": "HH", "quadrant_last": "LH",
                       "changed": [True, False] * 3})
    strategy = pd.DataFrame({"region": REGIONS, "tier": "high", "trend": "rising"})
    normalized = pd.DataFrame(rng.random((len(long), 3)), columns=["X1", "X2", "X3"])
    normalized.insert(0, "year", long["year"])
    normalized.insert(0, "region", long["region"])
    audit = pd.DataFrame({"stage": ["read"] * 2, "file": ["a.xlsx"] * 2, "sheet": ["S1"] * 2,
                          "row": [3, 4], "column": ["C", "D"], "region": ["110000", "120000"],
                          "year": [2018, 2019], "variable": ["v", "v"], "action": ["coerced", "dropped"],
                          "reason": ["text '1,2' → 1.2", "empty"], "old": ["1,2", ""], "new": [1.2, None]})
    q = Column("quadrant", "code", codes="quadrant")
    return [
        *scores_table(long, names=sub_names),
        Table("weights", weights, describe(weights, {"indicator": Column("indicator", "item")}), "weights"),
        Table("disparity", disparity, describe(disparity), "disparity"),
        Table("moran_global", mg, describe(mg), "spatial"),
        Table("moran_local", ml, describe(ml, {"quadrant": q, "cluster": Column("cluster", "code", codes="quadrant")}),
              "spatial", order=3, long=True, significant="cluster"),
        Table("quadrant_transitions", qt, describe(qt, {c: Column(c, "code", codes="quadrant")
                                                        for c in ("quadrant_first", "quadrant_last")}),
              "spatial", order=5),
        strategy_item(strategy),
        Table("normalized", normalized, describe(normalized), "appendix", long=True),
        audit_table(audit),
    ]


PARAMS = {"title": "测试报告", "source": "synthetic.xlsx", "spec": "ran2025",
          "index": {"weighting": "entropy", "normalization": "minmax", "pooled": True, "shift": 0.0,
                    "conventions": {"entropy": "e_j = -(1/ln m) sum p ln p with 0 ln 0 = 0"}},
          "permutations": 999, "seed": 12345, "alternative": "greater", "weights": "china-provinces",
          "island_rule": "guangdong", "transform": "r", "version": "9.8.7",
          "conventions": ["theil", "moran_p.greater"]}

ITEM_NAMES = {"X1": {"zh": "研发投入强度", "en": "R&D intensity"}, "X2": {"zh": "专利授权数", "en": "Patents"},
              "X3": {"zh": "高新技术企业数", "en": "High-tech firms"}, "X4": {"zh": "技术市场成交额", "en": "Tech market"}}


def region_index(labels=None, level="province") -> RegionIndex:
    labels = dict(LABELS if labels is None else labels)
    codes = {r: r for r in REGIONS} if level == "province" else {}
    return RegionIndex(ids=tuple(REGIONS), labels=labels, codes=codes, level=level)


def make_results(tables=None, figures=tuple(FIGURES), params=None, regions=None) -> Results:
    """A study's Results from Table items (default: every table of :func:`_tables`) and figure items."""
    items = list(_tables() if tables is None else tables)
    for n, key in enumerate(figures):
        sec, cap, args, order = FIGURES[key]
        items.append(Figure(key, lambda res, lang, n=n: _tiny_figure(n), sec, cap, args, order=order))
    p = {**PARAMS, **(params or {})}
    if params and isinstance(params.get("index"), dict):
        p["index"] = {**PARAMS["index"], **params["index"]}
    Y = pd.DataFrame(1.0, index=REGIONS, columns=YEARS)
    return Results(items={i.key: i for i in items}, params=p, regions=regions or region_index(), Y=Y,
                   extras={"item_names": ITEM_NAMES})


def _write_all(res, out, lang="zh") -> dict[str, Path]:
    """Workbook, HTML and Word report through the single writer; format → path."""
    write_outputs(res, out, lang=lang, formats=REPORT_FORMATS)
    return {"xlsx": Path(out) / "results.xlsx", "html": Path(out) / "report.html", "docx": Path(out) / "report.docx"}


# ------------------------------------------------------------------------------------- workbook
EXPECTED_SHEETS = {
    "zh": ["说明", "指标权重", "综合得分", "分项指数", "差异指数", "全局莫兰指数", "局部莫兰指数",
           "象限迁移", "战略着力点", "标准化数据", "数据审计"],
    "en": ["About", "Weights", "Scores", "Sub-indices", "Disparity", "Global Moran", "Local Moran",
           "Quadrant transitions", "Strategy", "Normalized data", "Audit"],
}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_workbook_sheets_rows_frozen_headers(tmp_path, lang):
    res = make_results()
    path = write_excel(res, tmp_path / "results.xlsx", lang=lang)
    wb = openpyxl.load_workbook(path)
    # one sheet per table, in the report's reading order (section, then order inside the section)
    assert wb.sheetnames == EXPECTED_SHEETS[lang]
    assert [tab.key for tab in res.tables()] == ["scores", "subindices", "weights", "disparity", "moran_global",
                                                 "moran_local", "quadrant_transitions", "strategy",
                                                 "normalized", "audit"]
    names = dict(zip([tab.key for tab in res.tables(ordered=True)], wb.sheetnames[1:]))
    expected_rows = {"scores": len(REGIONS), "subindices": len(REGIONS) * len(YEARS), "weights": 4,
                     "disparity": 3, "moran_global": 3, "moran_local": len(res.table("moran_local")),
                     "quadrant_transitions": 6, "strategy": 6, "normalized": len(res.table("normalized")),
                     "audit": 2}
    for key, sheet in names.items():
        ws = wb[sheet]
        assert ws.max_row == expected_rows[key] + 1, key
        assert ws.freeze_panes == "A2", key
        headers = [c.value for c in ws[1]]
        assert all(h not in (None, "") for h in headers), key
        # every column of the table is in the workbook (rendered ones added), headed in the language
        assert len(headers) == len(res[key].columns) or key == "scores", key
    # the score matrix: one column per year, headed by the year
    ws = wb[names["scores"]]
    headers = [c.value for c in ws[1]]
    assert headers[-3:] == ["2018", "2019", "2020"]
    # the matrix holds the long table's scores (pivot checked against pandas directly), regions by
    # name in the language; openpyxl stores floats with 16 significant digits ("%.16g"), hence the
    # 1e-15 relative tolerance
    from nqpf import regions

    col = headers.index("2019") + 1
    got = {ws.cell(row=r, column=1).value: ws.cell(row=r, column=col).value for r in range(2, ws.max_row + 1)}
    ref = res.table("scores").query("year == 2019").set_index("region")["score"]
    ref.index = [regions.name(c, "short" if lang == "zh" else "en") for c in ref.index]
    assert got == pytest.approx(ref.to_dict(), rel=1e-15, abs=0)
    # sub-indices headed by the names the indicator system gives them
    sub = [c.value for c in wb[names["subindices"]][1]]
    assert ("劳动者" if lang == "zh" else "Labourers") in sub and "criterion:劳动者" not in sub
    # indicators by name
    wcol = [wb[names["weights"]].cell(row=r, column=1).value for r in range(2, 6)]
    assert wcol == [ITEM_NAMES[f"X{i}"][lang] for i in range(1, 5)]
    # language of the headers
    dh = [c.value for c in wb[names["disparity"]][1]]
    if lang == "zh":
        assert all(CJK.search(h) for h in dh[:4]), dh
    else:
        assert not any(CJK.search(h) for h in dh), dh
        assert dh[0] == "Year"


def test_workbook_number_formats_and_about(tmp_path):
    res = make_results()
    path = write_excel(res, tmp_path / "r.xlsx", lang="zh")
    wb = openpyxl.load_workbook(path)
    ws = wb["全局莫兰指数"]
    hdr = {c.value: c.column for c in ws[1]}
    year_col = next(v for k, v in hdr.items() if "年" in k)
    assert ws.cell(row=2, column=year_col).number_format == "0"
    assert ws.cell(row=2, column=ws.max_column - 2).number_format == "0.000"   # p_sim
    i_col = list(res.table("moran_global").columns).index("I") + 1
    assert ws.cell(row=2, column=i_col).number_format == "0.0000"
    assert ws.cell(row=2, column=ws.max_column).number_format == "0"          # n_islands
    sc = wb["综合得分"]
    y_col = [c.value for c in sc[1]].index("2018") + 1
    assert sc.cell(row=2, column=y_col).number_format == "0.0000"
    about = [[c.value for c in row] for row in wb["说明"].iter_rows()]
    flat = "\n".join(str(v) for row in about for v in row if v is not None)
    # parameters with their values in words; conventions (keys in the parameters) as sentences
    for needle in ("测试报告", "synthetic.xlsx", "12345", "999", "9.8.7", "熵值法", "海南与广东相连",
                   "行标准化（r）", t("convtext.theil", "zh"), t("convtext.moran_p.greater", "zh"),
                   t("conv.moran_p", "zh")):
        assert needle in flat, needle
    assert "moran_p" not in flat.replace(t("convtext.moran_p.greater", "zh"), "")
    # every table sheet is listed on the About sheet, with its caption
    for name in EXPECTED_SHEETS["zh"][1:]:
        assert name in flat
    assert t("caption.moran_local", "zh") in flat
    # the English About sheet lists the index stage's conventions too
    wb = openpyxl.load_workbook(write_excel(res, tmp_path / "e.xlsx", lang="en"))
    flat_en = "\n".join(str(v) for row in wb["About"].iter_rows(values_only=True) for v in row if v is not None)
    assert "0 ln 0 = 0" in flat_en and "entropy method" in flat_en.lower()


def test_text_width_counts_cjk_double_and_columns_fit(tmp_path):
    assert text_width("北京ab") == 6
    assert text_width("（，）") == 6       # full-width punctuation is wide too
    assert text_width("abc") == 3
    wb = openpyxl.load_workbook(write_excel(make_results(), tmp_path / "r.xlsx", lang="zh"))
    ws = wb["战略着力点"]
    for cell in ws[1]:
        width = ws.column_dimensions[cell.column_letter].width
        assert width >= text_width(cell.value), cell.value
    # the long Chinese text column is as wide as its text (CJK counted double), not as its header
    long_cells = [c for c in ws[2] if isinstance(c.value, str) and CJK.search(c.value) and len(c.value) > 10]
    assert long_cells
    cell = long_cells[0]
    assert ws.column_dimensions[cell.column_letter].width >= text_width(cell.value) > 2 * len(cell.value) - 2


def test_sheet_names_valid_unique_and_short():
    one = pd.DataFrame({"year": [2020]})
    keys = ["scores", "a/b:c*?[d]" + "x" * 40, "a/b:c*?[d]" + "x" * 41, "A/B:C*?[D]" + "x" * 41]
    res = make_results(tables=[Table(k, one, (Column("year", "year"),), "other_figures") for k in keys],
                       figures=())
    names = sheet_names(res, "en")
    assert set(names) == {"about", *keys}
    vals = list(names.values())
    assert len(set(v.lower() for v in vals)) == len(vals)
    for v in vals:
        assert len(v) <= 31 and not re.search(r"[\[\]:*?/\\]", v)


def test_same_input_gives_identical_bytes(figs, tmp_path):
    for writer, ext in ((write_excel, "xlsx"), (write_docx, "docx"), (write_html, "html")):
        kw = {} if ext == "xlsx" else {"figures": figs}
        a = writer(make_results(), tmp_path / f"a.{ext}", lang="zh", **kw).read_bytes()
        b = writer(make_results(), tmp_path / f"b.{ext}", lang="zh", **kw).read_bytes()
        assert a == b, ext
        if ext != "html":
            z = zipfile.ZipFile(io.BytesIO(a))
            assert {i.date_time for i in z.infolist()} == {FIXED_ZIP_DATE}, ext
            core = z.read("docProps/core.xml").decode()
            stamps = re.findall(r"<dcterms:(?:created|modified)[^>]*>([^<]+)<", core)
            assert len(stamps) == 2 and all(s.startswith("2000-01-01T00:00:00") for s in stamps), core


# ----------------------------------------------------------------------------------------- docx
def _body_items(doc):
    """('p', text, has_drawing) / ('tbl', table element) in document order."""
    out = []
    for el in doc.element.body.iterchildren():
        if el.tag == qn("w:p"):
            text = "".join(t.text or "" for t in el.iter(qn("w:t")))
            out.append(("p", text, el.find(".//" + qn("w:drawing")) is not None))
        elif el.tag == qn("w:tbl"):
            out.append(("tbl", el, False))
    return out


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_docx_three_line_tables_and_captions(figs, tmp_path, lang):
    path = write_docx(make_results(), tmp_path / "r.docx", lang=lang, figures=figs)
    doc = Document(str(path))
    items = _body_items(doc)
    tables = [el for kind, el, _ in items if kind == "tbl"]
    assert len(tables) == 1 + 10   # parameters + the ten tables (scores split into matrix + sub-indices)
    for tbl in tables:
        b = tbl.find(qn("w:tblPr")).find(qn("w:tblBorders"))
        top, bottom = b.find(qn("w:top")), b.find(qn("w:bottom"))
        hdr_cells = tbl.findall(qn("w:tr"))[0].findall(qn("w:tc"))
        thin = [c.find(qn("w:tcPr")).find(qn("w:tcBorders")).find(qn("w:bottom")) for c in hdr_cells]
        assert top.get(qn("w:val")) == bottom.get(qn("w:val")) == "single"
        for t_ in thin:
            assert t_.get(qn("w:val")) == "single"
            assert int(top.get(qn("w:sz"))) > int(t_.get(qn("w:sz")))
            assert int(bottom.get(qn("w:sz"))) > int(t_.get(qn("w:sz")))
        assert int(top.get(qn("w:sz"))) == 12     # 1.5 pt in eighths of a point
        for side in ("left", "right", "insideH", "insideV"):
            el = b.find(qn(f"w:{side}"))
            assert el is None or el.get(qn("w:val")) in ("nil", "none"), side
        # no other cell carries a border
        for tr in tbl.findall(qn("w:tr"))[1:]:
            for tc in tr.findall(qn("w:tc")):
                assert tc.find(qn("w:tcPr")).find(qn("w:tcBorders")) is None
        for tc in hdr_cells:
            tcb = tc.find(qn("w:tcPr")).find(qn("w:tcBorders"))
            assert [c.tag for c in tcb] == [qn("w:bottom")]
    # numbered table captions directly above every table, figure captions directly below figures
    cap_t = re.compile(r"^表(\d+) " if lang == "zh" else r"^Table (\d+)\. ")
    cap_f = re.compile(r"^图(\d+) " if lang == "zh" else r"^Figure (\d+)\. ")
    t_nums, f_nums = [], []
    for i, (kind, el, drawing) in enumerate(items):
        if kind == "tbl":
            prev = items[i - 1]
            m = cap_t.match(prev[1])
            assert prev[0] == "p" and m, prev[1]
            t_nums.append(int(m.group(1)))
        elif drawing:
            nxt = items[i + 1]
            m = cap_f.match(nxt[1])
            assert m, nxt[1]
            f_nums.append(int(m.group(1)))
    assert t_nums == list(range(1, len(tables) + 1))
    assert f_nums == [1, 2, 3]




def test_docx_fonts_properties_and_long_table_note(figs, tmp_path):
    tables = _tables(n_local=60)     # 60 rows, 15 significant: more than Word shows of a long table
    res = make_results(tables=tables)
    path = write_docx(res, tmp_path / "r.docx", lang="zh", figures=figs)
    doc = Document(str(path))
    rfonts = doc.styles["Normal"].element.find(qn("w:rPr")).find(qn("w:rFonts"))
    assert rfonts.get(qn("w:eastAsia")) == "宋体"
    cp = doc.core_properties
    assert cp.created.year == 2000 and cp.modified.year == 2000 and cp.title == "测试报告"
    items = _body_items(doc)
    # the local Moran table lists the significant region-years only, then says where the rest is
    idx = next(i for i, it in enumerate(items) if it[0] == "p" and "局部莫兰指数" in it[1] and it[1].startswith("表"))
    tbl = items[idx + 1][1]
    n_sig = int((res.table("moran_local")["cluster"] != "").sum())
    assert n_sig == 15
    assert len(tbl.findall(qn("w:tr"))) == n_sig + 1
    note = items[idx + 2][1]
    assert "results.xlsx" in note and "局部莫兰指数" in note
    assert f"列出 {n_sig} 行，显著共 {n_sig} 行，全表 60 行" in note
    # the normalized table (18 rows) is below the cut and shown in full
    idx = next(i for i, it in enumerate(items) if it[0] == "p" and it[1].startswith("表") and "标准化指标值" in it[1])
    assert len(items[idx + 1][1].findall(qn("w:tr"))) == len(res.table("normalized")) + 1
    # a long table over the cut is truncated with a note
    big = _tables()
    audit = pd.concat([big[-1].data] * 40, ignore_index=True)
    big[-1] = audit_table(audit)
    doc = Document(str(write_docx(make_results(tables=big), tmp_path / "b.docx", lang="en", figures=figs)))
    items = _body_items(doc)
    idx = next(i for i, it in enumerate(items) if it[0] == "p" and it[1].endswith("Data audit log"))
    assert len(items[idx + 1][1].findall(qn("w:tr"))) == report_docx.MAX_ROWS + 1
    assert f"first {report_docx.MAX_ROWS} of 80 rows" in items[idx + 2][1]


# ----------------------------------------------------------------------------------------- html
class _Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def _parse(path):
    p = _Collect()
    p.feed(Path(path).read_text(encoding="utf-8"))
    return p


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_html_self_contained(figs, tmp_path, lang):
    path = write_html(make_results(), tmp_path / "report.html", lang=lang, figures=figs)
    raw = path.read_text(encoding="utf-8")
    p = _parse(path)
    tags = [t_ for t_, _ in p.tags]
    assert "script" not in tags and "link" not in tags and "iframe" not in tags
    for tag, attrs in p.tags:
        for a in ("src", "href", "srcset", "poster", "data"):
            v = attrs.get(a)
            if v is not None:
                assert not re.match(r"^\s*(https?:)?//", v, re.I), (tag, a, v)
                assert v.startswith(("data:", "#")), (tag, a, v)
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", raw, re.I)
    assert "@import" not in raw
    imgs = [a["src"] for t_, a in p.tags if t_ == "img"]
    assert len(imgs) == 3
    originals = {f.read_bytes() for f in figs.values()}
    decoded = set()
    for src in imgs:
        head, b64 = src.split(",", 1)
        assert head == "data:image/png;base64"
        data = base64.b64decode(b64, validate=True)
        assert data[:8] == PNG_MAGIC
        decoded.add(data)
    assert decoded == originals
    assert re.search(r'<meta charset="utf-8">', raw)
    assert f'<html lang="{"zh-CN" if lang == "zh" else "en"}">' in raw
    for font in ("Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC"):
        assert font in raw
    text = "".join(p.text)
    if lang == "zh":
        assert "研究方法" in text and "图1" in text and "表1" in text
    else:
        assert "Methods" in text and "Figure 1." in text and "Table 1." in text
    # long tables are folded; formulas numbered 1..n in order
    details = raw.count("<details")
    assert details == 4     # sub-indices, local Moran, normalized, audit
    eqno = [int(x) for x in re.findall(r'<span class="eqno">\((\d+)\)</span>', raw)]
    assert eqno == list(range(1, len(eqno) + 1)) and len(eqno) == 13   # 7 index + 4 disparity + 2 Moran


def test_html_figures_only_of_the_results(figs, tmp_path):
    """A figure file is embedded only for a figure item of the results (the writers list no keys)."""
    res = make_results(figures=("fig1_disparity",))
    raw = write_html(res, tmp_path / "r.html", lang="en", figures=figs).read_text(encoding="utf-8")
    assert raw.count("<img") == 1 and "Figure 1. Theil index" in raw and "Figure 2." not in raw


def test_html_methods_follow_parameters(figs, tmp_path):
    params = {"index": {"pooled": False, "shift": 0.0001}, "permutations": 499, "alternative": "two-sided",
              "island_rule": "none", "seed": 42}
    raw = write_html(make_results(params=params), tmp_path / "r.html", lang="en", figures=figs).read_text(
        encoding="utf-8")
    assert "within each year" in raw and "s = 0.0001" in raw
    assert "499 random permutations (seed 42)" in raw and "two-sided" in raw
    assert "islands" in raw.lower()
    raw_zh = write_html(make_results(), tmp_path / "z.html", lang="zh", figures=figs).read_text(encoding="utf-8")
    assert "混合标准化" in raw_zh and "999 次随机置换" in raw_zh and "单侧检验" in raw_zh
    assert "e<sub>j</sub> = −(1 / ln N)" in raw_zh
    # weighting other than entropy: no entropy formulas claimed
    raw_c = write_html(make_results(params={"index": {"weighting": "critic"}}), tmp_path / "c.html", lang="en",
                       figures=figs).read_text(encoding="utf-8")
    assert "CRITIC" in raw_c and "e<sub>j</sub> =" not in raw_c


def test_display_uses_rendered_columns_and_words(figs, tmp_path):
    """Rendered columns are written in the report's language; category codes are shown in words."""
    res = make_results()
    raw_en = write_html(res, tmp_path / "e.html", lang="en", figures=figs).read_text(encoding="utf-8")
    raw_zh = write_html(res, tmp_path / "z.html", lang="zh", figures=figs).read_text(encoding="utf-8")
    assert "Lead the neighbours" in raw_en and "发挥优势，带动周边地区协同发展" not in raw_en
    assert "发挥优势，带动周边地区协同发展" in raw_zh and "Lead the neighbours" not in raw_zh
    assert re.search(r'<td class="text">HH high.high</td>', raw_en)
    assert '<td class="text">HH 高-高</td>' in raw_zh
    # the workbook is in the report's language too
    wb = openpyxl.load_workbook(write_excel(res, tmp_path / "r.xlsx", lang="en"))
    values = [c.value for row in wb["Strategy"].iter_rows() for c in row]
    assert "Lead the neighbours" in values and "发挥优势，带动周边地区协同发展" not in values
    assert "rising" in values and "high" in values        # the English words of these codes
    wb = openpyxl.load_workbook(write_excel(res, tmp_path / "z.xlsx", lang="zh"))
    values = [c.value for row in wb["战略着力点"].iter_rows() for c in row]
    assert "发挥优势，带动周边地区协同发展" in values and "Lead the neighbours" not in values
    assert "high" not in values and "高" in values and "上升" in values
    # ... while the data (and so the CSV) keep the codes and no rendered column
    data = res.table("strategy")
    assert set(data["tier"]) == {"high"} and "focus" not in data.columns
    assert "focus" not in csv_frame(res["strategy"], res).columns


# strategy columns as nqpf.diagnose writes them: codes, partners as region ids joined by ";"
STRATEGY_CODES = pd.DataFrame({
    "region": ["110000", "440000"],
    "tier": ["high", "upper-middle"],
    "trend": ["fluctuating", "rising"],
    "direction": ["down", "up"],
    "role": ["not_significant", "growth_pole"],
    "role_first_year": ["not_significant", "growth_pole"],
    "role_last_year": ["lagging_cluster", "spillover_receiver"],
    "quadrant_first": ["HH", "HL"], "quadrant_last": ["HL", "LL"],
    "partners": ["130000;120000", "310000;320000"],
})
RAW_CODES = {"high", "upper-middle", "fluctuating", "rising", "not_significant", "growth_pole",
             "lagging_cluster", "spillover_receiver", "130000;120000", "310000;320000"}


def _all_text(path_docx=None, path_xlsx=None, path_html=None):
    texts = []
    if path_xlsx:
        wb = openpyxl.load_workbook(path_xlsx)
        texts += [str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row
                  if c.value is not None]
    if path_docx:
        doc = Document(str(path_docx))
        texts += [p.text for p in doc.paragraphs]
        texts += [c.text for t_ in doc.tables for row in t_.rows for c in row.cells]
    if path_html:
        class P(HTMLParser):
            def handle_data(self, data):
                if data.strip():
                    texts.append(data.strip())
        P().feed(Path(path_html).read_text(encoding="utf-8"))
    return texts


def _strategy_results(labels=None, level="province"):
    return make_results(tables=[strategy_item(STRATEGY_CODES)], figures=(), params={"conventions": []},
                        regions=region_index(labels, level))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_strategy_columns_in_the_report_language(tmp_path, lang):
    """No raw code in any output; partners are named in the report's language only."""
    res = _strategy_results()
    paths = _write_all(res, tmp_path / "out", lang)
    for fmt, path in paths.items():
        texts = _all_text(**{f"path_{fmt}": path})
        # in English "high", "rising" are the words themselves; codes with "_" never are
        raw = RAW_CODES if lang == "zh" else {c for c in RAW_CODES if "_" in c or ";" in c}
        assert not raw & set(texts), (fmt, raw & set(texts))
        if lang == "zh":
            assert {"高", "增长极"} <= set(texts), fmt
            assert "Hebei, Tianjin" not in texts and "Lead the neighbours" not in texts
        else:
            assert "Hebei, Tianjin" in texts and "河北、天津" not in texts, fmt
            assert "growth pole" in texts and "发挥优势，带动周边地区协同发展" not in texts
    wb = openpyxl.load_workbook(paths["xlsx"])
    ws = wb.worksheets[-1]
    hdr = [c.value for c in ws[1]]
    col = {h: [ws.cell(row=i, column=hdr.index(h) + 1).value for i in (2, 3)] for h in hdr}
    if lang == "zh":
        assert col["地区"] == ["北京", "广东"]
        assert col["起始年空间角色"] == ["不显著", "增长极"]
        assert col["末年空间角色"] == ["低值集聚区", "受辐射区"]
        assert col["协作伙伴"] == ["河北、天津", "上海、江苏"]
        assert col["方向"] == ["下行", "上行"]
    else:
        assert col["Region"] == ["Beijing", "Guangdong"]
        assert col["Role (last year)"] == ["lagging cluster", "spillover receiver"]
        assert col["Partners"] == ["Hebei, Tianjin", "Shanghai, Jiangsu"]
    # the CSV keeps codes, with the regions (also inside the partners lists) in the user's spelling
    csv = csv_frame(res["strategy"], res)
    assert csv["region"].tolist() == ["北京市", "广东省"]
    assert csv["partners"].tolist() == ["河北省;天津市", "上海市;江苏省"]
    assert csv["role_last_year"].tolist() == ["lagging_cluster", "spillover_receiver"]


def test_category_words_come_from_the_catalogue():
    """Every code the diagnosis can write has words in both languages, distinct within its family;
    the writers show exactly these words (the same the strategy sentences use); an unknown code is
    shown as it is."""
    from nqpf import diagnose
    from nqpf.diagnose.strategy import _coded_word

    families = {"tier": sorted({c for v in diagnose.TIER_CODES.values() for c in v}),
                "trend": list(diagnose.TREND_CODES), "direction": list(diagnose.DIRECTION_CODES),
                "role": list(diagnose.ROLE_CODES), "quadrant": ["HH", "HL", "LH", "LL"]}
    for lang in ("zh", "en"):
        for fam, codes in families.items():
            words = [t(f"cat.{fam}.{c}", lang) for c in codes]
            assert not [c for c, w in zip(codes, words) if w == f"cat.{fam}.{c}"], (lang, fam)
            assert len(set(words)) == len(words), (lang, fam, words)
            if fam != "quadrant":
                assert words == [_coded_word(fam, {fam: c}, lang, None) for c in codes]
            # a table holding every code of the family, labelled by the writer
            df = pd.DataFrame({"x": codes + ["no such code"]})
            loc = localized(Table("t", df, (Column("x", "code", codes=fam),), "strategy"), lang, None)
            assert loc.frame["x"].tolist() == words + ["no such code"]
    assert t("cat.quadrant.HH", "zh") == "HH 高-高"


def _table3_item():
    """The Table 3 comparison of a global Moran table that matches the paper except in 2010."""
    from nqpf import datasets
    from nqpf.datasets.paper import table3_item

    paper = datasets.load_ran2025_moran()
    mg = paper.rename(columns={"z": "z_rand", "p": "p_rand"})
    mg.loc[mg["year"] == 2010, ["I", "z_rand", "p_rand"]] = [0.236, 2.2, 0.0136]
    return table3_item(mg)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_table3_comparison_headers_caption_and_booleans(tmp_path, lang):
    res = make_results(tables=[_tables()[4], _table3_item()], figures=())
    data = res.table("table3_comparison")
    assert data.loc[data["year"] == 2010, "note"].item() == "misprint"
    assert data.loc[data["year"] == 2010, "misprint_region"].item() == "310000"
    paths = _write_all(res, tmp_path / "out", lang)
    wb = openpyxl.load_workbook(paths["xlsx"])
    sheet = "论文表3对照" if lang == "zh" else "Table 3 comparison"
    assert sheet in wb.sheetnames
    hdr = [c.value for c in wb[sheet][1]]
    raw = {"I_paper", "z_paper", "p_paper", "I_matches", "z_matches", "p_matches", "reproduced", "note",
           "note_text", "misprint_region"}
    assert not raw & set(hdr)
    html = paths["html"].read_text(encoding="utf-8")
    rows = [[c.value for c in r] for r in wb[sheet].iter_rows(min_row=2)]
    cells = {str(v) for r in rows for v in r if v is not None}
    assert "misprint" not in cells and "310000" not in cells
    if lang == "zh":
        assert hdr[:4] == ["年份", "论文 I", "论文 z", "论文 p"] and "是否复现" in hdr and "说明" in hdr
        col = hdr.index("是否复现")
        assert rows[1][col] == "是" and rows[0][col] == "否"
        sentence = "表2印刷错误：上海 2010 年印为 0.3456，表3按 0.5456 计算（见 docs/table3.md）"
        assert sentence in cells and "上海" in cells        # the misprinted cell's region by name
        assert "与论文表3的对照" in html and "table3" not in html.replace("docs/table3.md", "")
        assert sentence in html
        assert "True" not in html and "False" not in html
        about = [c.value for row in wb["说明"].iter_rows() for c in row]
        assert "与论文表3的对照" in about
    else:
        assert hdr[:4] == ["Year", "I (paper)", "z (paper)", "p (paper)"] and "Reproduced" in hdr
        col = hdr.index("Reproduced")
        assert rows[1][col] == "yes" and rows[0][col] == "no"
        sentence = ("Table 2 misprint: Shanghai 2010 printed 0.3456, Table 3 was computed with 0.5456 "
                    "(docs/table3.md)")
        assert sentence in cells and sentence in html
        assert "Comparison with Table 3 of the paper" in html
    texts = _all_text(path_docx=paths["docx"])
    cap = "与论文表3的对照" if lang == "zh" else "Comparison with Table 3 of the paper"
    assert any(t_.endswith(cap) for t_ in texts)
    assert any(sentence in t_ for t_ in texts)


def test_about_years_range_local_alternative_and_conventions(figs, tmp_path):
    params = {"years": [2010, 2020], "n_years": 11, "figure_years": [2010, 2020], "local_alternative": "two-sided",
              "conventions": ["theil", "moran_p.greater", "local_moran"]}
    res = make_results(params=params)
    wb = openpyxl.load_workbook(write_excel(res, tmp_path / "r.xlsx", lang="zh"))
    rows = {r[0]: r[1] for r in wb["说明"].iter_rows(values_only=True) if r[0]}
    # the study period is a range; the years of the figures are listed as they are
    assert rows["年份"] == "2010–2020" and rows["年数"] == "11" and rows["作图年份"] == "2010, 2020"
    assert rows["局部莫兰检验（伪 p 值）"] == "双侧" and "local_alternative" not in rows
    about = [v for r in wb["说明"].iter_rows(values_only=True) for v in r if v]
    # convention keys shown as their name and text
    for k in ("theil", "moran_p.greater", "local_moran"):
        assert f"{t('conv.' + k.split('.')[0], 'zh')}：{t('convtext.' + k, 'zh')}" in about, k
    html = write_html(res, tmp_path / "r.html", lang="zh", figures=figs).read_text(encoding="utf-8")
    assert "2010–2020" in html and "局部莫兰检验（伪 p 值）" in html and "local_alternative" not in html
    assert "moran_p" not in html.replace(t("convtext.moran_p.greater", "zh"), "")
    assert t("convtext.local_moran", "zh") in html
    # exactly two years stay two years
    two = make_results(params={"years": [2010, 2020], "n_years": 2})
    wb = openpyxl.load_workbook(write_excel(two, tmp_path / "t.xlsx", lang="en"))
    rows = {r[0]: r[1] for r in wb["About"].iter_rows(values_only=True) if r[0]}
    assert rows["Years"] == "2010, 2020"


def test_region_names_in_the_language_and_user_spelling_in_csv(tmp_path):
    """Provinces are named in the output's language in the reports (one region column, headed
    地区 / Region); the CSV keeps the user's spelling; other regions keep the user's spelling everywhere."""
    from nqpf import regions

    assert regions.name("110000", style="short") == "北京"     # the fact the test relies on
    res = make_results(figures=())
    zh = openpyxl.load_workbook(write_excel(res, tmp_path / "z.xlsx", lang="zh"))
    assert [c.value for c in zh["战略着力点"][1]][:2] == ["地区", "发展水平"] and zh["战略着力点"]["A2"].value == "北京"
    en = openpyxl.load_workbook(write_excel(res, tmp_path / "e.xlsx", lang="en"))
    assert [c.value for c in en["Strategy"][1]][:2] == ["Region", "Level tier"] and en["Strategy"]["A2"].value == "Beijing"
    assert csv_frame(res["strategy"], res)["region"].tolist() == [LABELS[r] for r in REGIONS]
    # regions that are not provinces: the user's spelling in every language
    cities = {r: f"city {i}" for i, r in enumerate(REGIONS)}
    other = make_results(figures=(), regions=region_index(cities, level="other"))
    for lang, sheet in (("zh", "战略着力点"), ("en", "Strategy")):
        wb = openpyxl.load_workbook(write_excel(other, tmp_path / f"o_{lang}.xlsx", lang=lang))
        assert [wb[sheet].cell(row=i + 2, column=1).value for i in range(6)] == list(cities.values())


def test_html_without_optional_tables(tmp_path):
    res = Results(items={"disparity": _tables()[3]}, params={}, regions=region_index())
    raw = write_html(res, tmp_path / "r.html", lang="en").read_text(encoding="utf-8")
    assert "<img" not in raw and "Moran" not in raw and "Table 2." in raw
    wb = openpyxl.load_workbook(write_excel(res, tmp_path / "r.xlsx", lang="en"))
    assert wb.sheetnames == ["About", "Disparity"]


# ------------------------------------------------------------------------------------- bad input
def test_bad_input_errors(figs, tmp_path):
    res = make_results()
    with pytest.raises(InputError, match="unknown language 'fr'"):
        write_html(res, tmp_path / "x.html", lang="fr", figures=figs)
    with pytest.raises(InputError, match="unknown language 'fr'"):
        write_excel(res, tmp_path / "x.xlsx", lang="fr")
    bad = tmp_path / "not_png.png"
    bad.write_text("hello")
    with pytest.raises(InputError, match="map_2020.*not a PNG"):
        write_html(res, tmp_path / "x.html", figures={**figs, "map_2020": bad})
    with pytest.raises(InputError, match="lisa_map_2020.*not found"):
        write_docx(res, tmp_path / "x.docx", figures={**figs, "lisa_map_2020": tmp_path / "missing.png"})
    # a table whose columns are not all described cannot be made (so no writer meets one)
    with pytest.raises(ValueError, match="undescribed: \\['entropy'\\]"):
        Table("weights", pd.DataFrame({"indicator": ["X1"], "weight": [1.0], "entropy": [0.9]}),
              (Column("indicator", "item"), Column("weight")), "weights")
    assert not list(tmp_path.glob("x.*")) and not list(tmp_path.glob(".*.part"))


# ---------------------------------------------------------------------------------------- atomic
def test_atomic_write_failure_keeps_old_file(tmp_path):
    target = tmp_path / "report.html"
    target.write_text("old complete report")
    with pytest.raises(RuntimeError):
        with atomic_write(target) as f:
            f.write(b"half a rep")
            raise RuntimeError("boom")
    assert target.read_text() == "old complete report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]
    new = tmp_path / "new.xlsx"
    with pytest.raises(RuntimeError):
        with atomic_write(new) as f:
            f.write(b"x")
            raise RuntimeError("boom")
    assert not new.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]
    with atomic_write(new) as f:
        f.write(b"done")
    assert new.read_bytes() == b"done"
    mask = os.umask(0)
    os.umask(mask)
    assert new.stat().st_mode & 0o777 == 0o666 & ~mask     # not the 0600 of the temporary file


def test_writer_failure_midway_leaves_no_partial_file(figs, tmp_path, monkeypatch):
    calls = []

    def boom(doc, b, lang):       # fail at the second figure, after the first was added
        calls.append(b.number)
        if len(calls) == 2:
            raise OSError("disk full (injected)")
        return orig(doc, b, lang)

    orig = report_docx._figure
    monkeypatch.setattr(report_docx, "_figure", boom)
    with pytest.raises(OSError, match="injected"):
        write_docx(make_results(), tmp_path / "report.docx", figures=figs)
    assert calls == [1, 2]
    assert list(tmp_path.iterdir()) == []


def test_atomic_output_dir_failure_leaves_folder_untouched(figs, tmp_path, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    (out / "report.html").write_text("previous report")
    (out / "keep.txt").write_text("user file")

    def boom(doc, b, lang):
        raise OSError("injected failure while writing the Word report")

    monkeypatch.setattr(report_docx, "_figure", boom)
    with pytest.raises(OSError, match="injected"):
        _write_all(make_results(), out)   # figures, xlsx and html are built before docx fails
    assert sorted(p.name for p in out.iterdir()) == ["keep.txt", "report.html"]
    assert (out / "report.html").read_text() == "previous report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]      # no temporary folder left
    # a fresh folder is not created at all on failure
    with pytest.raises(OSError):
        _write_all(make_results(), tmp_path / "fresh")
    assert not (tmp_path / "fresh").exists()


def test_atomic_output_dir_success(figs, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("user file")
    paths = _write_all(make_results(), out)
    # the figures drawn for the reports are not kept when no figure format was asked for
    assert sorted(p.name for p in out.iterdir()) == ["keep.txt", "report.docx", "report.html", "results.xlsx"]
    assert all(p.exists() for p in paths.values())
    assert paths["html"].read_text(encoding="utf-8").count("<img") == len(FIGURES)
    paths2 = _write_all(make_results(), tmp_path / "new" / "sub", "en")
    assert sorted(p.name for p in paths2["html"].parent.iterdir()) == ["report.docx", "report.html",
                                                                        "results.xlsx"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new", "out"]
    with atomic_output_dir(tmp_path / "d") as tmp:
        (tmp / "sub").mkdir()
        (tmp / "sub" / "a.csv").write_text("x")
    assert (tmp_path / "d" / "sub" / "a.csv").read_text() == "x"
    (tmp_path / "file").write_text("")
    with pytest.raises(InputError, match="is a file"):
        with atomic_output_dir(tmp_path / "file"):
            pass


def _snapshot(root: Path) -> dict:
    """Every path under ``root`` with its bytes (None for folders)."""
    return {p.relative_to(root).as_posix(): (None if p.is_dir() else p.read_bytes())
            for p in sorted(root.rglob("*"))}


def _existing_out(tmp_path) -> Path:
    out = tmp_path / "out"
    (out / "figures").mkdir(parents=True)
    (out / "figures" / "old.png").write_bytes(b"old figure")
    (out / "figures" / "a.png").write_bytes(b"previous a")
    (out / "results.xlsx").write_bytes(b"previous workbook")
    (out / "keep.txt").write_text("user file")
    return out


def _fill(tmp):
    (tmp / "figures").mkdir()
    for name in ("a.png", "b.png", "c.png"):
        (tmp / "figures" / name).write_bytes(b"new " + name.encode())
    (tmp / "tables").mkdir()
    (tmp / "tables" / "scores.csv").write_text("new table")
    (tmp / "results.xlsx").write_bytes(b"new workbook")
    (tmp / "report.docx").write_bytes(b"new docx")


def test_atomic_output_dir_folder_in_the_way_changes_nothing(tmp_path):
    out = _existing_out(tmp_path)
    (out / "report.docx").mkdir()           # a folder where a file must go
    (out / "report.docx" / "x").write_text("inside")
    before = _snapshot(out)
    with pytest.raises(InputError, match=r"report\.docx.*is a folder"):
        with atomic_output_dir(out) as tmp:
            _fill(tmp)
    assert _snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    # and a file where a folder must go
    shutil.rmtree(out / "report.docx")
    (out / "tables").write_text("a file named tables")
    before = _snapshot(out)
    with pytest.raises(InputError, match=r"tables is a file"):
        with atomic_output_dir(out) as tmp:
            _fill(tmp)
    assert _snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_atomic_output_dir_failure_while_moving_rolls_back(tmp_path, monkeypatch):
    out = _existing_out(tmp_path)
    before = _snapshot(out)
    real, calls = os.replace, []

    def flaky(src, dst):
        calls.append((Path(src).name, Path(dst).name))
        if len(calls) == 3:
            raise OSError("injected failure on the third os.replace")
        return real(src, dst)

    monkeypatch.setattr(os, "replace", flaky)
    with pytest.raises(OSError, match="injected"):
        with atomic_output_dir(out) as tmp:
            _fill(tmp)
    assert len(calls) > 3       # the failure came after some files had moved: a real rollback ran
    assert _snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]     # no .part / .bak folders left
    monkeypatch.setattr(os, "replace", real)
    # success: new files in, old ones replaced, others kept, no backup left
    with atomic_output_dir(out) as tmp:
        _fill(tmp)
    after = _snapshot(out)
    assert after["figures/a.png"] == b"new a.png" and after["figures/old.png"] == b"old figure"
    assert after["results.xlsx"] == b"new workbook" and after["keep.txt"] == b"user file"
    assert after["tables/scores.csv"] == b"new table"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_figures_numbered_as_in_the_paper(figs, tmp_path):
    """The disparity chart is Figure 1 and the Moran scatterplot Figure 2, as in the paper (the figure
    items of a real study, with a stand-in picture each)."""
    from nqpf.pipeline import demo

    res = demo(permutations=0, figure_years=[2010, 2020])
    keys = [f.key for f in res.figures()]
    assert {"fig1_disparity", "fig2_moran_scatter", "heatmap", "rank_changes", "map_2010", "map_2020",
            "lisa_map_2010", "lisa_map_2020"} <= set(keys)   # and the figures of the later families
    pictures = {k: figs["map_2020"] for k in keys}
    html = write_html(res, tmp_path / "r.html", lang="en", figures=pictures).read_text(encoding="utf-8")
    caps = re.findall(r"<figcaption>Figure (\d+)\. ([^<]+)</figcaption>", html)
    assert [int(n) for n, _ in caps] == list(range(1, len(caps) + 1)) and len(caps) == len(keys)
    assert caps[0][1].startswith("Theil index") and caps[1][1] == "Moran scatterplot"
    order = [c for _, c in caps]
    assert order.index("Spatial distribution of potential scores, 2010") < order.index(
        "Local spatial autocorrelation (LISA) clusters, 2010")
    doc = Document(str(write_docx(res, tmp_path / "r.docx", lang="en", figures=pictures)))
    dcaps = [p.text for p in doc.paragraphs if re.match(r"^Figure \d+\. ", p.text)]
    assert dcaps == [f"Figure {n}. {html_mod.unescape(c)}" for n, c in caps]


# --------------------------------------------------------------------------------------- browser
def _chromium():
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        exe = shutil.which(name)
        if exe:
            return exe
    return None


_CHECK = """<script>
window.addEventListener('load', function () {
  var imgs = document.images, ok = 0;
  for (var i = 0; i < imgs.length; i++) { if (imgs[i].complete && imgs[i].naturalWidth > 0) ok++; }
  var d = document.createElement('div'); d.id = 'nqpf-check';
  d.textContent = 'decoded ' + ok + ' of ' + imgs.length; document.body.appendChild(d);
});
</script>"""


@pytest.mark.browser
def test_html_renders_in_headless_chromium(figs, tmp_path):
    exe = _chromium()
    if exe is None:
        pytest.skip("no Chromium binary (looked for chromium, chromium-browser, google-chrome) on PATH")
    art = Path(os.environ.get("NQPF_TEST_ARTIFACTS") or tmp_path)
    art.mkdir(parents=True, exist_ok=True)
    page = write_html(make_results(), tmp_path / "report.html", lang="zh", figures=figs)
    base = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}"]
    shot = art / "report_zh.png"
    subprocess.run(base + [f"--screenshot={shot}", "--window-size=1280,2000", page.as_uri()],
                   check=True, capture_output=True, timeout=90)
    data = shot.read_bytes()
    assert data[:8] == PNG_MAGIC
    img = plt.imread(io.BytesIO(data))
    assert img.shape[:2] == (2000, 1280) and float(img[..., :3].std()) > 0.05   # not a blank page
    # a copy of the page with a script counting the decoded images (the report itself has none;
    # its CSP is widened only for inline script, so network access stays forbidden)
    raw = page.read_text(encoding="utf-8")
    raw = raw.replace("default-src 'none';", "default-src 'none'; script-src 'unsafe-inline';")
    probe = tmp_path / "probe.html"
    probe.write_text(raw.replace("</body>", _CHECK + "</body>"), encoding="utf-8")
    res = subprocess.run(base + ["--dump-dom", "--virtual-time-budget=5000", probe.as_uri()],
                         check=True, capture_output=True, timeout=90, text=True)
    m = re.search(r'<div id="nqpf-check">decoded (\d+) of (\d+)</div>', res.stdout)
    assert m, res.stdout[-2000:]
    assert int(m.group(1)) == int(m.group(2)) == len(figs)
    assert "测试报告" in res.stdout
