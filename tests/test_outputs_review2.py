"""Second review of the outputs: the reports' notes send the reader where the full tables really are
(the workbook when ``xlsx`` is written, the CSV files otherwise, neither: the formats that write them),
and ``localized`` keeps a rendered column where the table's columns put it.

Data: a synthetic panel of 200 regions × 3 years (ids ``R000`` …, seeded numbers), large enough for the
reports to shorten the tables; a table with a rendered column between data columns. References: the
catalogue texts of each place (``nqpf.i18n.t``) and the table's own column order.
"""
from __future__ import annotations

from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest
from docx import Document

from nqpf.analyses import describe
from nqpf.analyses.scores import scores_table
from nqpf.i18n import t
from nqpf.outputs import localized, write
from nqpf.report._model import full_tables
from nqpf.report.docx import docx_bytes
from nqpf.report.html import html_text
from nqpf.results import Column, RegionIndex, Results, Table

YEARS = [2018, 2019, 2020]


def _results(n: int = 200) -> Results:
    rng = np.random.default_rng(3)
    ids = [f"R{i:03d}" for i in range(n)]
    long = pd.DataFrame([(r, y) for r in ids for y in YEARS], columns=["region", "year"])
    long["score"] = rng.random(len(long))
    other = long[["region", "year"]].assign(a=rng.random(len(long)), b=rng.random(len(long)),
                                            c=rng.random(len(long)))
    tables = [*scores_table(long[["region", "year", "score"]]),
              Table("normalized", other, describe(other), "appendix", long=True, display=("region", "year", "a"))]
    return Results(items={t_.key: t_ for t_ in tables}, params={"title": "report.title"},
                   regions=RegionIndex(ids=tuple(ids), labels={i: i for i in ids}, level="other"),
                   Y=long.pivot(index="region", columns="year", values="score"))


@pytest.fixture(scope="module")
def res():
    return _results()


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts = []

    def handle_data(self, data):
        self.parts.append(data)


def _html_words(html: str) -> str:
    p = _Text()
    p.feed(html)
    return "\n".join(p.parts)


def test_full_tables_place_of_formats():
    assert full_tables(("csv", "xlsx", "html")) == "xlsx"
    assert full_tables(("csv", "html")) == "csv"
    assert full_tables(("html", "docx")) is None


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_html_notes_point_where_the_tables_are(res, lang):
    book = _html_words(html_text(res, lang, place="xlsx"))
    csv = _html_words(html_text(res, lang, place="csv"))
    none = _html_words(html_text(res, lang, place=None))
    assert "results.xlsx" in book
    assert "results.xlsx" not in csv and "results.xlsx" not in none
    # the folded long table: its note and the note of its two further columns name the CSV file
    assert t("note.also_in_sheet.csv", lang, csv="tables/normalized.csv") in csv
    assert t("note.more_columns.csv", lang, n=2, csv="tables/normalized.csv") in csv
    assert t("report.footer.csv", lang) in csv
    assert t("note.also_in_sheet.none", lang) in none and t("report.footer.none", lang) in none
    assert "tables/" not in none


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_docx_notes_point_where_the_tables_are(res, lang, tmp_path):
    for place in ("xlsx", "csv", None):
        path = tmp_path / f"{place}.docx"
        path.write_bytes(docx_bytes(res, lang, place=place))
        text = "\n".join(p.text for p in Document(str(path)).paragraphs)
        assert ("results.xlsx" in text) == (place == "xlsx")
        assert ("tables/normalized.csv" in text) == (place == "csv")
        if place is None:
            assert t("note.more_columns.none", lang, n=2) in text


def test_write_without_workbook_points_to_the_csv_files(res, tmp_path):
    write(res, tmp_path / "a", lang="en", formats=("csv", "html", "docx"))
    html = (tmp_path / "a" / "report.html").read_text(encoding="utf-8")
    assert "results.xlsx" not in html and "tables/normalized.csv" in html
    assert (tmp_path / "a" / "tables" / "normalized.csv").is_file()
    text = "\n".join(p.text for p in Document(str(tmp_path / "a" / "report.docx")).paragraphs)
    assert "results.xlsx" not in text and "tables/normalized.csv" in text
    write(res, tmp_path / "b", lang="en", formats=("xlsx", "html"))
    html = (tmp_path / "b" / "report.html").read_text(encoding="utf-8")
    assert "results.xlsx" in html and "tables/normalized.csv" not in html
    write(res, tmp_path / "c", lang="en", formats=("html",))
    html = (tmp_path / "c" / "report.html").read_text(encoding="utf-8")
    assert "results.xlsx" not in html and "tables/" not in html
    assert t("report.footer.none", "en") in html


# ------------------------------------------------------------------------------------- localized
def _mid_rendered() -> Table:
    data = pd.DataFrame({"code": ["x", "y"], "coef": [1.5, -2.0], "p": [0.01, 0.5]})
    cols = (Column("code", "text"),
            Column("label", "rendered", label="col.beta_term",
                   render=lambda d, lang, r=None: [v.upper() for v in d["code"]]),
            Column("coef", "float"), Column("p", "p"))
    return Table("mid", data, cols, "appendix")


def test_localized_follows_the_column_order():
    tab = _mid_rendered()
    loc = localized(tab, "en", None)
    assert list(loc.frame.columns) == ["code", "label", "coef", "p"]
    assert loc.frame["label"].tolist() == ["X", "Y"]
    assert loc.kinds == ["text", "text", "float", "p"]
    lab = loc.labelled()
    assert lab[t("col.beta_term", "en")].tolist() == ["X", "Y"]      # header over its own values
    assert lab.iloc[:, 2].tolist() == [1.5, -2.0]


def test_localized_convergence_terms_label_under_its_header():
    from nqpf.analyses.convergence import _terms_columns

    terms = pd.DataFrame({"model": ["absolute", "absolute"], "group": ["all", "all"],
                          "term": ["const", "ln_y0"], "coef": [0.1, -0.02], "se": [0.01, 0.005],
                          "t": [10.0, -4.0], "p": [0.0, 0.001]})
    tab = Table("convergence_terms", terms, _terms_columns(terms), "convergence", long=True)
    for lang in ("zh", "en"):
        loc = localized(tab, lang, None)
        names = [c.name for c in tab.columns]
        assert list(loc.frame.columns) == names
        assert loc.headers == [c.header(lang) for c in tab.columns]
        i = names.index("term_label")
        assert loc.frame.iloc[:, i].tolist() == [t(f"cat.beta_term.{v}", lang) for v in terms["term"]]


# ------------------------------------------------------------------------------------- CSV years
def test_audit_years_written_as_whole_numbers(tmp_path):
    """An audit whose year is blank on file-level rows (an object column of 2015.0 and "") is written
    with 2015, not 2015.0; text and fractions in other columns are written as they were."""
    from nqpf.analyses.index import audit_table
    from nqpf.outputs import _write_csvs
    from nqpf.prepare import _audit_row

    rows = pd.DataFrame([_audit_row(region="110000", year=2015.0, action="dropped", reason="x", old=2.5),
                         _audit_row(region="110000", year=None, action="dropped", reason="y", row=3.0),
                         _audit_row(region="110000", year=np.int64(2016), action="filled", reason="z")])
    rows["year"] = rows["year"].astype(object)
    rows.loc[1, "year"] = ""
    rows["row"] = rows["row"].astype(object)
    _write_csvs([audit_table(rows)], RegionIndex(ids=("110000",), labels={}), tmp_path)
    text = (tmp_path / "audit.csv").read_text(encoding="utf-8")
    got = pd.read_csv(tmp_path / "audit.csv", dtype=str, keep_default_na=False)
    assert got["year"].tolist() == ["2015", "", "2016"] and got["row"].tolist() == ["", "3", ""]
    assert got["old"].tolist() == ["2.5", "", ""] and ".0," not in text


def test_int_column_with_text_is_left_as_it_is(tmp_path):
    from nqpf.outputs import _fmt_csv

    df = pd.DataFrame({"year": pd.Series([2015.0, "2016a", ""], dtype=object), "x": [1.0, 2.0, 0.5]})
    _fmt_csv(df, tmp_path / "t.csv")
    assert (tmp_path / "t.csv").read_text(encoding="utf-8") == "year,x\n2015.0,1\n2016a,2\n,0.5\n"
