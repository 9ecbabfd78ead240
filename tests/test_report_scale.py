"""Reports at any number of regions: the Word and HTML reports show what a reader can read (top and
bottom regions, significant rows, a stated number of rows) with a note, the workbook keeps every row
exactly; the Word tables are written as bulk XML.

Data: a synthetic panel of 2,000 regions × 5 years (region ids ``R0000`` …; numbers from a seeded
generator) in the tables the analyses produce (scores as a regions × years matrix, the local Moran
table with significant rows, a strategy table ranked by ``score_last``, a long table without
significance). References: pandas sorting for the top and bottom regions; the written files read back
with independent readers (openpyxl, the docx XML through python-docx, html.parser).
"""
from __future__ import annotations

import re
from html.parser import HTMLParser

import numpy as np
import openpyxl
import pandas as pd
import pytest
from docx import Document
from docx.oxml.ns import qn

from nqpf.analyses import describe
from nqpf.analyses.scores import scores_table
from nqpf.report import write_docx, write_excel, write_html
from nqpf.report import docx as report_docx
from nqpf.report._model import HTML_MAX_ROWS, HTML_MAX_ROWS_LONG, WORD_MAX_ROWS, select_rows
from nqpf.results import Column, RegionIndex, Results, Table

YEARS = [2016, 2017, 2018, 2019, 2020]


def _results(n: int, seed: int = 1) -> Results:
    rng = np.random.default_rng(seed)
    ids = [f"R{i:04d}" for i in range(n)]
    long = pd.DataFrame([(r, y) for r in ids for y in YEARS], columns=["region", "year"])
    long["score"] = rng.random(len(long))
    ml = long[["region", "year"]].copy()
    ml["Ii"] = rng.normal(size=len(ml))
    ml["p_sim"] = rng.random(len(ml))
    ml["cluster"] = np.where(ml["p_sim"] < 0.05, "HH", "")
    last = long[long.year == YEARS[-1]].set_index("region")["score"]
    strategy = pd.DataFrame({"region": ids, "tier": "high", "score_last": last.reindex(ids).to_numpy()})
    strategy = strategy.sort_values("score_last", ascending=False, kind="stable").reset_index(drop=True)
    other = long[["region", "year"]].assign(x=rng.random(len(long)))
    q = Column("cluster", "code", codes="quadrant")
    tables = [
        *scores_table(long[["region", "year", "score"]]),
        Table("moran_local", ml, describe(ml, {"cluster": q}), "spatial", long=True, significant="cluster"),
        Table("strategy", strategy, describe(strategy, {"tier": Column("tier", "code", codes="tier")}),
              "strategy"),
        Table("normalized", other, describe(other), "appendix", long=True),
    ]
    Y = long.pivot(index="region", columns="year", values="score")
    return Results(items={t.key: t for t in tables}, params={"title": "report.title"},
                   regions=RegionIndex(ids=tuple(ids), labels={i: i for i in ids}, level="other"), Y=Y)


@pytest.fixture(scope="module")
def big():
    return _results(2000)


# ------------------------------------------------------------------------------------ selection
def test_select_rows_top_and_bottom_regions_of_a_wide_table(big):
    item = big.items["scores"]
    ch = select_rows(item, WORD_MAX_ROWS)
    shown = list(dict.fromkeys(item.data["region"].iloc[ch.rows]))
    last = item.data[item.data.year == YEARS[-1]].set_index("region")["score"].sort_values(ascending=False)
    assert shown == list(last.index[:15]) + list(last.index[-15:])
    assert ch.gap_after == 15 and ch.total == 2000 and ch.note[0] == "note.top_bottom"
    assert select_rows(item, 5000).rows is None        # under the budget: every row


def test_select_rows_significant_latest_first_and_ranked_and_truncated(big):
    ml = big.items["moran_local"]
    ch = select_rows(ml, 30)
    sig = ml.data[ml.data.cluster != ""]
    assert len(ch.rows) == 30 and (ml.data["cluster"].iloc[ch.rows] != "").all()
    assert (ml.data["year"].iloc[ch.rows] == YEARS[-1]).all()        # the latest year first
    assert ch.note[1]["n_sig"] == len(sig) and ch.note[1]["total"] == len(ml.data)
    st = big.items["strategy"]
    ch = select_rows(st, 30)
    ref = st.data["score_last"].sort_values(ascending=False, kind="stable")
    assert list(ch.rows) == list(ref.index[:15]) + list(ref.index[-15:])
    nm = big.items["normalized"]
    ch = select_rows(nm, 30)
    assert list(ch.rows) == list(range(30)) and ch.note[0] == "note.truncated"


# -------------------------------------------------------------------------------------- writers
def _rows_per_table_docx(path):
    doc = Document(str(path))
    return [len(t.findall(qn("w:tr"))) for t in doc.element.body.iter(qn("w:tbl"))], doc


def test_word_report_stays_small_with_notes(big, tmp_path):
    counts, doc = _rows_per_table_docx(write_docx(big, tmp_path / "r.docx", lang="en"))
    assert max(counts) <= report_docx.MAX_ROWS + 2        # header + rows + the gap row
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "only the 15 highest and 15 lowest of 2,000 regions by '2020'" in text
    assert "only the 15 highest and 15 lowest of 2,000 regions by" in text.split("2020'")[1]
    assert "first 30 of 10000 rows" in text
    # the gap row spans the table, in italics
    tbl = list(doc.element.body.iter(qn("w:tbl")))[1]        # after the parameters: the scores
    gap = tbl.findall(qn("w:tr"))[16]
    (tc,) = gap.findall(qn("w:tc"))
    assert tc.find(qn("w:tcPr")).find(qn("w:gridSpan")).get(qn("w:val")) == "6"
    assert "1,970 further regions" in "".join(t.text for t in tc.iter(qn("w:t")))
    # the same size whatever the number of regions
    small = write_docx(_results(200), tmp_path / "s.docx", lang="en").stat().st_size
    assert (tmp_path / "r.docx").stat().st_size < 1.3 * small


class _Rows(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tables, self.notes, self._note = [], [], False

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append(0)
        elif tag == "tr" and self.tables:
            self.tables[-1] += 1
        elif tag == "p" and ("class", "note") in attrs:
            self._note = True
            self.notes.append("")

    def handle_endtag(self, tag):
        if tag == "p":
            self._note = False

    def handle_data(self, data):
        if self._note:
            self.notes[-1] += data


def test_html_report_stays_small_with_notes(big, tmp_path):
    html = write_html(big, tmp_path / "r.html", lang="zh").read_text(encoding="utf-8")
    p = _Rows()
    p.feed(html)
    assert max(p.tables) <= max(HTML_MAX_ROWS, HTML_MAX_ROWS_LONG) + 2
    assert p.tables[1] == HTML_MAX_ROWS + 2                 # scores: header, 30 + 30 regions, gap
    assert any("最高与最低各 30 个地区（共 2,000 个）" in x for x in p.notes)
    assert re.search(r'<tr class="gap"><td colspan="6">…… 其余 1,940 个地区 ……</td></tr>', html)
    # twice the regions, the same report (every table is over its budget in both)
    double = len(write_html(_results(4000), tmp_path / "d.html", lang="zh").read_bytes())
    assert abs(double - len(html.encode())) < 0.02 * len(html.encode())


def test_workbook_keeps_every_row_exactly(big, tmp_path):
    wb = openpyxl.load_workbook(write_excel(big, tmp_path / "r.xlsx", lang="en"))
    sheets = wb.sheetnames[1:]
    ml = big.items["moran_local"].data
    ws = wb[sheets[[t.key for t in big.tables(ordered=True)].index("moran_local")]]
    assert ws.max_row == len(ml) + 1
    head = [c.value for c in ws[1]]
    col = head.index("p_sim") + 1 if "p_sim" in head else 4
    got = [ws.cell(row=r, column=col).value for r in range(2, ws.max_row + 1)]
    assert got == ml["p_sim"].tolist()                       # exact: stored as the shortest repr
    assert ws.cell(row=2, column=col).number_format == "0.000"
    last = ws.cell(row=1, column=ws.max_column).column_letter
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == f"A1:{last}{len(ml) + 1}"
    scores = wb[sheets[0]]
    assert scores.max_row == 2001 and scores.max_column == 1 + len(YEARS)


def test_significant_rows_of_a_long_table_strongest_first():
    """Shortened to its significant rows, a local table lists the latest year first and within a year the
    smallest pseudo p-value first, ties broken by the largest |z| (not the order of the region codes)."""
    from nqpf.report._model import select_rows
    from nqpf.results import Column, Table

    df = pd.DataFrame({
        "region": ["a", "b", "c", "d", "e", "f"],
        "year": [2020, 2021, 2021, 2021, 2021, 2020],
        "z": [5.0, 1.9, -4.0, 3.0, 2.5, 1.0],
        "p_sim": [0.001, 0.04, 0.001, 0.001, 0.01, 0.3],
        "cluster": ["HH", "HH", "LL", "HH", "HL", ""]})
    cols = (Column("region", "text"), Column("year", "year"), Column("z"), Column("p_sim", "p"),
            Column("cluster", "code", codes="quadrant"))
    item = Table("moran_local", df, cols, "spatial", long=True, significant="cluster")
    choice = select_rows(item, max_rows=3)
    assert list(df["region"].iloc[choice.rows]) == ["c", "d", "e"]
    choice = select_rows(item, max_rows=10, significant_always=True)
    assert list(df["region"].iloc[choice.rows]) == ["c", "d", "e", "b", "a"]
