"""The bad-input catalogue: every input a user may hand nqpf wrong, and the exact kind of answer.

Each case builds its input in a temporary folder, calls nqpf as a user would (readers, specs, configs,
weights, scores, the Python API, the command line) and checks one of four kinds of answer:

``Refused``
    an error of the stated class, in one line, that starts with where the fault is (file, sheet, row,
    column; or the argument) and says what is wrong and how to fix it;
``Audited``
    the input is read, and every change is in the audit at its cell (action, row, column, reason);
    the rows of the result are counted (rows in = rows out + those audited as dropped);
``Clean``
    read exactly as the clean file it stands for (encodings, line endings, layouts);
``Exit2``
    the command line exits with status 2 and one line on standard error (``error: …``).

Cases whose fix belongs to a module outside the readers, specs and preparation are marked
``xfail(strict=True)`` with the module and the fix; they pass (and must be unmarked) once it is made.
Bad inputs met earlier with the real provincial workbook are in ``test_bad_inputs_readers.py``.
"""
from __future__ import annotations

import datetime as dt
import gzip
import string
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np
import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from nqpf import disparity
from nqpf.cli import app
from nqpf.config import load_config, validate_config
from nqpf.errors import InputError, NqpfError, SpecError, UnknownRegionError
from nqpf.index import compute_weights
from nqpf.io import parse_aliases, read_aliases, read_panel, read_scores
from nqpf.pipeline import Study, analyze
from nqpf.prepare import prepare
from nqpf.spec import Indicator, Spec, load_spec
from nqpf.template import write_template

PROVS = ["北京", "天津", "河北", "山西"]
CODES = ["110000", "120000", "130000", "140000"]  # GB/T 2260 (the national standard)
YEARS = [2015, 2016, 2017]


# ------------------------------------------------------------------------------------------- inputs
def wide_rows(provs=PROVS, years=YEARS):
    """region, year, gdp, pop: gdp = 100·(k+1) + (year − 2015), pop = 10 + k (distinct, positive)."""
    return [[p, y, 100.0 * (k + 1) + (y - 2015), 10.0 + k] for k, p in enumerate(provs) for y in years]


def wide_text(rows=None, head=("region", "year", "gdp", "pop"), cell=None, eol="\n") -> str:
    """The wide panel as CSV text; ``cell=(row, column letter, text)`` replaces one cell (row 1 = header)."""
    rows = [list(head)] + [list(r) for r in (wide_rows() if rows is None else rows)]
    if cell is not None:
        r, c, text = cell
        rows[r - 1][ord(c) - 65] = text
    return eol.join(",".join(_fmt(v) for v in r) for r in rows) + eol


def _fmt(v) -> str:
    return str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)


def yearbook_text(provs=PROVS, years=YEARS, eol="\n", region_word="地区") -> str:
    """One variable, regions × years, value = 10·(k+1) + (year − 2015)."""
    lines = [",".join([region_word] + [str(y) for y in years])]
    lines += [",".join([p] + [_fmt(10.0 * (k + 1) + (y - 2015)) for y in years]) for k, p in enumerate(provs)]
    return eol.join(lines) + eol


def put(tmp: Path, name: str, content, encoding="utf-8") -> Path:
    p = tmp / name
    p.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
    return p


def workbook(tmp: Path, name: str, sheets: dict, merges: dict | None = None) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for r in rows:
            ws.append(list(r))
        for m in (merges or {}).get(title, ()):
            ws.merge_cells(m)
    p = tmp / name
    wb.save(p)
    return p


def spec_toml(tmp: Path, body: str, name="spec.toml") -> Path:
    return put(tmp, name, body)


from _small_study import SPEC  # noqa: E402 - the spec shared with the command-line tests

TOY = Spec("toy", ("indicator",), [Indicator("pc", formula="gdp / pop", path=()), Indicator("gdp", path=())])


def toy_long(n_regions=3, years=(2010, 2011, 2012)):
    rows = [(r, y, v, 10.0 + k + (y - 2010) if v == "gdp" else 2.0 + k)
            for k, r in enumerate("ABCDEFGH"[:n_regions]) for y in years for v in ("gdp", "pop")]
    return pd.DataFrame(rows, columns=["region", "year", "variable", "value"])


def scores_wide():
    Y = pd.DataFrame({y: [1.0 + k + 0.1 * (y - 2015) for k in range(6)] for y in YEARS},
                     index=PROVS + ["内蒙古", "辽宁"])
    Y.index.name = "region"
    return Y


# ------------------------------------------------------------------------------------------ answers
def _sub(text: str, ctx: dict) -> str:
    return string.Template(text).safe_substitute(ctx)


def _one_line(text: str) -> str:
    assert "\n" not in text.strip() and "Traceback" not in text, text
    return text


@dataclass(frozen=True)
class Refused:
    """An error of class ``exc`` (exactly), one line, starting with ``where`` and saying each of ``says``."""

    where: str
    says: tuple = ()
    exc: type = InputError
    at_start: bool = True

    def check(self, thunk, ctx):
        with pytest.raises(NqpfError) as ei:  # every user error derives from it
            thunk()
        err = ei.value
        assert type(err) is self.exc, (type(err), str(err))
        text = _one_line(str(err))
        where = _sub(self.where, ctx)
        assert (text.startswith(where) if self.at_start else where in text), (where, text)
        for s in self.says:
            assert _sub(s, ctx) in text, (s, text)


@dataclass(frozen=True)
class Audited:
    """Read; the audit holds exactly ``cells`` ((row, column) pairs, row None for a note about the sheet)
    with ``action`` and ``reason`` in its reason; the result has ``rows`` rows; ``then`` checks more."""

    action: str
    cells: tuple
    reason: str
    rows: int
    then: Callable[[Any], None] | None = None

    def check(self, thunk, ctx):
        res = thunk()
        audit = res.audit
        got = audit[audit["action"] == self.action]
        pairs = sorted((None if pd.isna(r) else int(r), c) for r, c in zip(got["row"], got["column"]))
        assert pairs == sorted(self.cells, key=lambda t: (t[0] is not None, t)), (pairs, got.to_dict("records"))
        assert all(self.reason in str(x) for x in got["reason"]), got["reason"].tolist()
        assert _n_rows(res) == self.rows, (_n_rows(res), self.rows)
        if self.then is not None:
            self.then(res)


@dataclass(frozen=True)
class Clean:
    """Read to exactly the data of the clean input ``reference(tmp)`` builds."""

    reference: Callable[[Path], Any]
    then: Callable[[Any], None] | None = None

    def check(self, thunk, ctx):
        res = thunk()
        pd.testing.assert_frame_equal(res.data, read_panel(self.reference(ctx["tmp"])).data)
        assert not (res.audit["action"].isin(["missing", "coerced"])).any()
        if self.then is not None:
            self.then(res)


def _invoke(args):
    r = CliRunner().invoke(app, [str(a) for a in args])
    assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
    return r


@dataclass(frozen=True)
class Exit2:
    """``nqpf <args>`` exits with 2 and one line ``error: …`` on standard error holding each of ``says`` and
    none of ``not_says``."""

    says: tuple
    not_says: tuple = ()

    def check(self, args, ctx):
        r = _invoke(args)
        assert r.exit_code == 2, (r.exit_code, r.stdout, r.stderr)
        err = r.stderr.strip()
        assert err.startswith("error:") and "\n" not in err, err
        for s in self.says:
            assert _sub(s, ctx) in err, (s, err)
        for s in self.not_says:
            assert _sub(s, ctx) not in err, (s, err)


@dataclass(frozen=True)
class Ran:
    """``nqpf <args>`` succeeds; standard error (warnings) holds each of ``warns``; ``then(out folder)``
    checks what was written (an audited change)."""

    warns: tuple = ()
    then: Callable[[Path], None] | None = None

    def check(self, args, ctx):
        r = _invoke(args)
        assert r.exit_code == 0, (r.exit_code, r.stdout, r.stderr)
        err = " ".join(r.stderr.split())
        for s in self.warns:
            assert _sub(s, ctx) in err, (s, err)
        if self.then is not None:
            self.then(Path(ctx["out"]))


def _n_rows(res) -> int:
    if hasattr(res, "data"):      # Panel
        return len(res.data)
    if hasattr(res, "Y"):         # Scores: region-years
        return int(res.Y.size)
    if hasattr(res, "indicators"):  # Prepared
        return len(res.indicators)
    return len(res.index.scores)  # IndexBuild


@dataclass(frozen=True)
class Case:
    id: str
    setup: Callable[[Path], tuple]   # tmp → (thunk or CLI args, ctx)
    expect: Any
    fix_in: str | None = None        # a fix outside the readers: xfail(strict) with this reason


def _read(path_fn, **kw):
    """setup of a reader case: write the input, read it with ``read_panel(**kw)``."""
    def setup(tmp):
        p = path_fn(tmp)
        return (lambda: read_panel(p, **kw)), {"p": str(p), "tmp": tmp}
    return setup


def _call(fn):
    """setup of an API case: ``fn(tmp)`` returns (thunk, ctx)."""
    def setup(tmp):
        thunk, ctx = fn(tmp)
        return thunk, {"tmp": tmp, **ctx}
    return setup


def _cli(fn):
    """setup of a command-line case: ``fn(tmp)`` returns (args, ctx)."""
    def setup(tmp):
        args, ctx = fn(tmp)
        return args, {"tmp": tmp, **ctx}
    return setup


def _value_of(res, region_code, year, variable):
    d = res.data
    return d[(d.region == region_code) & (d.year == year) & (d.variable == variable)]["value"].iloc[0]


def _expect_value(code, year, var, want):
    def then(res):
        got = _value_of(res, code, year, var)
        assert (np.isnan(got) and np.isnan(want)) or got == want, got
    return then


CASES: list[Case] = []


def case(*args, **kw):
    CASES.append(Case(*args, **kw))


# ================================================================================ readers: encodings
def _clean_wide(tmp):
    return put(tmp, "clean.csv", wide_text())


case("utf8-bom", _read(lambda t: put(t, "bom.csv", b"\xef\xbb\xbf" + wide_text().encode())), Clean(_clean_wide))
case("gbk", _read(lambda t: put(t, "gbk.csv", wide_text(head=("地区", "年份", "gdp", "pop")), "gbk")),
     Clean(lambda t: put(t, "c.csv", wide_text(head=("地区", "年份", "gdp", "pop")))))
case("gb18030-rare-characters-in-a-note",
     _read(lambda t: put(t, "gb.csv", wide_text() + "注:数据来源于《统计年鉴》䶮\n", "gb18030")),
     Clean(_clean_wide))
case("utf16-yearbook-crlf", _read(lambda t: put(t, "yb16.csv", b"\xff\xfe" + yearbook_text(eol="\r\n")
                                                .encode("utf-16-le"))),
     Clean(lambda t: _renamed(t, "yb16.csv", yearbook_text())))
case("big5-traditional-headers",
     _read(lambda t: put(t, "tw.csv", wide_text(head=("地區", "年份", "gdp", "pop")), "big5")),
     Clean(lambda t: _renamed(t, "tw.csv", wide_text(head=("地區", "年份", "gdp", "pop")))),
     )
case("wrong-encoding-forced", _read(lambda t: put(t, "u8.csv", wide_text(head=("地区", "年份", "gdp", "pop"))),
                                    encoding="ascii"),
     Refused("$p: cannot decode as ascii", ("pass encoding=",)))
case("unknown-encoding-name", _read(lambda t: put(t, "u8.csv", wide_text()), encoding="klingon"),
     Refused("$p: unknown encoding 'klingon'", ("'gb18030'",)))


def _renamed(tmp, name, text):
    """The clean reference of a file named ``name`` (variables of a yearbook are named by the file)."""
    sub = tmp / "ref"
    sub.mkdir(exist_ok=True)
    return put(sub, name, text)


# ============================================================================ readers: line endings
case("mixed-line-endings", _read(lambda t: put(t, "mix.csv", wide_text(eol="\r\n").replace("\r\n", "\n", 5))),
     Clean(_clean_wide))
case("cr-only-yearbook", _read(lambda t: put(t, "yb.csv", yearbook_text(eol="\r"))),
     Clean(lambda t: _renamed(t, "yb.csv", yearbook_text())))

# ================================================================== readers: empty and wrong files
case("empty-file", _read(lambda t: put(t, "e.csv", b"")), Refused("$p: the file is empty (0 bytes)",
                                                                   ("check that the right file was given",)))
case("blank-lines-only", _read(lambda t: put(t, "b.csv", "\n \r\n\t\n")),
     Refused("$p: the file is empty (only blank lines)"))
case("empty-workbook", _read(lambda t: workbook(t, "e.xlsx", {"Sheet1": [], "Sheet2": []})),
     Refused("$p: every sheet of the workbook is empty"))
case("unknown-file-type", _read(lambda t: put(t, "d.json", '{"a": 1}')),
     Refused("$p: unknown file type '.json'", ("use .csv, .xlsx, .xls or .parquet",)))
case("pdf-named-csv", _read(lambda t: put(t, "r.csv", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")),
     Refused("$p: not a text table: it looks like a PDF document", ("export the table from it",)))
case("gzip-named-csv", _read(lambda t: put(t, "g.csv", gzip.compress(wide_text().encode()))),
     Refused("$p: not a text table: it looks like a gzip archive", ("unpack it first",)))
case("xlsx-named-xls", _read(lambda t: _xlsx_as(t, "w.xls")),
     Refused("$p: cannot open as a workbook: it is a newer Excel workbook (.xlsx) named .xls",
             ("rename it to .xlsx",)))
case("no-such-file", _read(lambda t: t / "nothere.csv"), Refused("$p: no such file"))
case("folder-without-tables", _read(lambda t: _folder(t)),
     Refused("$p: folder without .csv/.xlsx/.xls/.parquet files"))
case("unclosed-quote", _read(lambda t: put(t, "q.csv", 'region,year,gdp\n北京,2015,1\n"天津,2015,2\n河北,2015,3\n')),
     Refused("$p, line 3: a quote (\") opened on this line is never closed", ("close the quote or remove it",)))
case("nul-bytes-in-text", _read(lambda t: put(t, "n.csv", wide_text().replace("\n", "\x00\n"))),
     Refused("$p: not a text table: it holds binary data", ("CSV in UTF-8, GBK or UTF-16",)))


def _xlsx_as(tmp, name):
    src = workbook(tmp, "src.xlsx", {"data": [["region", "year", "gdp"], ["北京", 2015, 1]]})
    return put(tmp, name, src.read_bytes())


def _folder(tmp):
    d = tmp / "raw"
    d.mkdir()
    put(d, "readme.txt.bak", "x")
    return d


# ======================================================================== readers: headers and units
def _merged_header(tmp):
    rows = [["地区", "年份", "经济", None], [None, None, "GDP", "人口"]]
    rows += [[p, y, g, q] for p, y, g, q in wide_rows()]
    return workbook(tmp, "merged.xlsx", {"data": rows}, {"data": ["A1:A2", "B1:B2", "C1:D1"]})


case("merged-two-row-header", _read(_merged_header),
     Audited("renamed", ((2, "C"), (2, "D"), (3, "A"), (6, "A"), (9, "A"), (12, "A")), "", 24,
             then=lambda r: (sorted(set(r.data["variable"])) == ["GDP", "人口"]
                             and _value_of(r, "130000", 2016, "GDP") == 301.0) or pytest.fail("names")))
case("units-row-below-wide-header",
     _read(lambda t: put(t, "u.csv", wide_text().replace("\n", "\n,,亿元,万人\n", 1))),
     Audited("dropped", ((2, ""),), "units row below the header (units kept): gdp 亿元, pop 万人", 24,
             then=lambda r: r.units == {"gdp": "亿元", "pop": "万人"} or pytest.fail(str(r.units))))
case("units-row-below-yearbook-header",
     _read(lambda t: put(t, "gdp.csv", yearbook_text().replace("\n", "\n单位,亿元,亿元,亿元\n", 1))),
     Audited("dropped", ((2, ""),), "units row below the header (unit kept)", 12,
             then=lambda r: r.units == {"gdp": "亿元"} or pytest.fail(str(r.units))))
case("title-and-unit-rows-above-the-header",
     _read(lambda t: workbook(t, "t.xlsx", {"gdp": [["表1 地区生产总值"], ["单位:亿元"], []]
                                             + [r.split(",") for r in yearbook_text().split()]})),
     Audited("renamed", ((5, "A"), (6, "A"), (7, "A"), (8, "A")), "GB/T 2260", 12,
             then=lambda r: (r.units == {"gdp": "亿元"} and _value_of(r, "120000", 2017, "gdp") == 22.0)
             or pytest.fail(str(r.units))))
case("header-names-a-variable-twice",
     _read(lambda t: put(t, "d.csv", wide_text(head=("region", "year", "gdp", "gdp")))),
     Refused("$p, row 1: the header names variable 'gdp' twice (columns C and D)",
             ("rename or delete one of the two columns",)))
case("no-header-numbers-only",
     _read(lambda t: put(t, "n.csv", "1,2,3\n4,5,6\n")),
     Refused("$p: no table found in the first 40 rows of any sheet", ("--region-col", "layout=")))
case("long-layout-without-value-column",
     _read(lambda t: put(t, "l.csv", "region,year,variable\n北京,2015,gdp\n"), layout="long"),
     Refused("$p, row 1: long layout needs value column(s)", ("value_col=",)))
case("sheet-not-in-workbook",
     _read(lambda t: workbook(t, "s.xlsx", {"gdp": [["地区", 2015, 2016], ["北京", 1, 2]]}), sheet="人口"),
     Refused("$p: no sheet '人口'", ("sheets are ['gdp']",)))

# ================================================================================ readers: stacking
case("stacked-yearbook-continued-after-a-page-break",
     _read(lambda t: put(t, "gdp.csv", "地区,2015,2016\n北京,1,2\n天津,3,4\n\n地区,2015,2016\n河北,5,6\n")),
     Audited("dropped", ((5, ""),), "a further table stacked below the one above starts here", 6,
             then=lambda r: sorted(set(r.data["region"])) == CODES[:3] or pytest.fail("regions")))
case("stacked-wide-tables-of-two-variables",
     _read(lambda t: put(t, "w.csv", "地区,年份,gdp\n北京,2015,1\n天津,2015,3\n\n地区,年份,pop\n北京,2015,5\n"
                                    "天津,2015,6\n")),
     Audited("dropped", ((5, ""),), "(its header in row 5)", 4, then=_expect_value("120000", 2015, "pop", 6.0)))
case("stacked-long-tables",
     _read(lambda t: put(t, "l.csv", "region,year,variable,value\n北京,2015,gdp,1\n天津,2015,gdp,2\n"
                                    "表2\nregion,year,variable,value\n北京,2015,pop,3\n")),
     Audited("dropped", ((4, ""),), "(its header in row 5)", 3, then=_expect_value("110000", 2015, "pop", 3.0)))
case("stacked-yearbook-tables-of-two-variables-on-one-sheet",
     _read(lambda t: put(t, "stack.csv", "表1 GDP\n地区,2015,2016\n北京,1,2\n天津,3,4\n\n表2 人口\n地区,2015,2016\n"
                                        "北京,5,6\n天津,7,8\n")),
     Refused("two values for region '北京' (110000), year 2015, variable 'stack'",
             ("$p, row 3, column B = 1.0 and $p, row 8, column B = 5.0",
              "two tables stacked on one sheet (headers in rows 2 and 7)",
              "move the second table to a sheet of its own")))

case("notes-below-the-table",
     _read(lambda t: put(t, "n.csv", wide_text() + "\n注:2016年数据为初步核算数。\n资料来源:统计年鉴\n")),
     Audited("dropped", ((15, ""),), "notes below the table: rows 15-16 not read as data", 24))
case("province-without-values-above-a-repeated-header",
     _read(lambda t: put(t, "gdp.csv", "地区,2015,2016\n北京,1,2\n天津,,\n地区,2015,2016\n河北,5,6\n")),
     Audited("missing", ((3, "B"), (3, "C")), "blank cell", 6,
             then=lambda r: sorted(set(r.data["region"])) == CODES[:3] or pytest.fail("天津 read as a title")))
case("titled-tables-with-different-years-stacked",
     _read(lambda t: put(t, "gdp.csv", "地区,2015,2016\n北京,1,2\n天津,3,4\n表1(续)\n地区,2017,2018\n北京,5,6\n"
                                      "天津,7,8\n")),
     Audited("dropped", ((4, ""),), "(its header in row 5)", 8, then=_expect_value("120000", 2018, "gdp", 8.0)))
case("alias-to-an-unknown-name-in-a-panel-of-identifiers",
     _read(lambda t: put(t, "ids.csv", "unit,year,gdp\nAlpha,2015,1\nBeta,2015,2\nBetta,2016,3\n"),
           regions="as-is", region_col="unit", aliases={"Betta": "Gamma"}),
     Refused("unknown region 'Gamma' (alias 'Betta' → 'Gamma' given in aliases {'Betta': 'Gamma'})",
             ("a name the data use for another region (Alpha, Beta)",), exc=UnknownRegionError))
case("alias-in-a-panel-of-identifiers",
     _read(lambda t: put(t, "ids.csv", "unit,year,gdp\nAlpha,2015,1\nBeta,2015,2\nBetta,2016,3\n"),
           regions="as-is", region_col="unit", aliases={"Betta": "Beta"}),
     Audited("alias", ((4, "A"),), "'Betta' → 'Beta'", 3, then=_expect_value("Beta", 2016, "gdp", 3.0)))

# ================================================================================= readers: markers
for _mark in ["-", "…", "/", "—", "NA", "无", "－", "／", "N.A.", "#DIV/0!", "——", "n/a"]:
    case(f"marker-{_mark}", _read(lambda t, m=_mark: put(t, "m.csv", wide_text(cell=(3, "C", m)))),
         Audited("missing", ((3, "C"),), f"missing-value marker {_mark!r}", 24,
                 then=_expect_value("110000", 2016, "gdp", np.nan)))
case("blank-cell", _read(lambda t: put(t, "b.csv", wide_text(cell=(4, "D", "")))),
     Audited("missing", ((4, "D"),), "blank cell", 24, then=_expect_value("110000", 2017, "pop", np.nan)))
case("blank-year-column-in-a-yearbook",
     _read(lambda t: put(t, "gdp.csv", "地区,2015,2016,2017\n北京,1,,3\n天津,4,,6\n")),
     Audited("missing", ((2, "C"), (3, "C")), "blank cell", 6))

# ============================================================================ readers: text numbers
for _text, _value, _why in [("１２３．５", 123.5, "full-width characters"),
                            ("1,234,567", 1234567.0, "thousands separators"),
                            ("12.5%", 12.5, "'%' sign dropped (value kept in percent)"),
                            ("－１２", -12.0, "full-width characters"),
                            ("1 234", 1234.0, "spaces"),
                            ("１，２３４", 1234.0, "thousands separators")]:
    case(f"text-number-{_text}", _read(lambda t, x=_text: put(t, "n.csv", wide_text(cell=(5, "C", f'"{x}"')))),
         Audited("coerced", ((5, "C"),), _why, 24, then=_expect_value("120000", 2015, "gdp", _value)))
case("full-width-years-in-the-header",
     _read(lambda t: put(t, "gdp.csv", yearbook_text().replace("2016", "２０１６年"))),
     Clean(lambda t: _renamed(t, "gdp.csv", yearbook_text())))
case("text-in-a-value-cell", _read(lambda t: put(t, "x.csv", wide_text(cell=(6, "D", "约12")))),
     Refused("$p, row 6, column D: '约12' is not a number", ("region '天津', year 2016, variable 'pop'",
                                                              "fix the cell or blank it")))
case("accounting-negative-in-parentheses", _read(lambda t: put(t, "x.csv", wide_text(cell=(2, "C", "(12)")))),
     Refused("$p, row 2, column C: '(12)' is not a number"))
case("true-false-cell", _read(lambda t: workbook(t, "b.xlsx", {"data": [["region", "year", "gdp"],
                                                                        ["北京", 2015, True], ["天津", 2015, 2]]})),
     Refused("$p, sheet 'data', row 2, column C: a true/false cell is not a number"))
case("date-in-a-value-cell",
     _read(lambda t: workbook(t, "d.xlsx", {"data": [["region", "year", "gdp"], ["北京", 2015, dt.datetime(2015, 3, 1)],
                                                     ["天津", 2015, 2]]})),
     Refused("$p, sheet 'data', row 2, column C: '2015-03-01 00:00:00' is not a number"))

# ====================================================================== readers: extremes, infinities
case("number-beyond-float-range", _read(lambda t: put(t, "x.csv", wide_text(cell=(2, "C", "1e400")))),
     Refused("$p, row 2, column C: '1e400' is beyond the largest number a computer can hold",
             ("check its exponent",)))
case("text-inf", _read(lambda t: put(t, "x.csv", wide_text(cell=(7, "C", "inf")))),
     Audited("missing", ((7, "C"),), "infinite value 'inf'", 24, then=_expect_value("120000", 2017, "gdp", np.nan)))
case("text-minus-infinity-sign", _read(lambda t: put(t, "x.csv", wide_text(cell=(7, "D", "-∞")))),
     Audited("missing", ((7, "D"),), "infinite value '-∞'", 24))
case("numeric-inf-in-parquet",
     _read(lambda t: _parquet(t, pd.DataFrame(wide_rows(), columns=["region", "year", "gdp", "pop"])
                              .assign(gdp=lambda d: d["gdp"].where(d.index != 4, np.inf)))),
     Audited("missing", ((6, "C"),), "infinite value inf", 24))
case("huge-but-finite-value-kept", _read(lambda t: put(t, "x.csv", wide_text(cell=(2, "C", "1e300")))),
     Audited("missing", (), "", 24, then=_expect_value("110000", 2015, "gdp", 1e300)))


def _parquet(tmp, df):
    p = tmp / "d.parquet"
    df.to_parquet(p, index=False)
    return p


# ======================================================================== readers: duplicates, gaps
case("repeated-long-row",
     _read(lambda t: put(t, "l.csv", "region,year,variable,value\n北京,2015,gdp,1\n天津,2015,gdp,2\n北京,2015,gdp,1\n")),
     Refused("two rows for region '北京' (110000), year 2015, variable 'gdp'",
             ("$p, row 2, column D = 1.0 and $p, row 4, column D = 1.0 (identical values)", "keep one of them")))
case("one-region-in-two-spellings",
     _read(lambda t: put(t, "s.csv", "region,year,gdp\n北京,2015,1\n天津,2015,2\n北京市,2015,3\n")),
     Refused("two rows for region '北京' (110000) (written '北京市' in the second), year 2015",
             ("$p, row 2, column C = 1.0 and $p, row 4, column C = 3.0",)))
case("empty-region-cell", _read(lambda t: put(t, "r.csv", wide_text(cell=(3, "A", "")))),
     Refused("$p, row 3, column A: empty region cell in a data row", ("fill in the region or delete the row",)))
case("year-in-chinese-numerals", _read(lambda t: put(t, "y.csv", wide_text(cell=(3, "B", "二〇一六")))),
     Refused("$p, row 3, column B: '二〇一六' is not a year", ("2010年",)))
case("fractional-year", _read(lambda t: put(t, "y.csv", wide_text(cell=(3, "B", "2016.5")))),
     Refused("$p, row 3, column B: '2016.5' is not a year"))

# ===================================================================== readers: regions and aliases
YUNAN = "region,year,gdp\n北京,2015,1\n天津,2015,2\nYunan,2015,3\n北京,2016,4\n天津,2016,5\nYunan,2016,6\nyunan,2017,7\n"


def _yunan(tmp):
    return put(tmp, "yunan.csv", YUNAN)


def _alias_rows(res):
    a = res.audit[res.audit["action"] == "alias"]
    assert set(a["region"]) == {"530000"} and set(a["new"]) == {"云南"} and set(a["old"]) == {"Yunan", "yunan"}
    assert sorted(res.data[res.data.region == "530000"]["value"]) == [3.0, 6.0, 7.0]


case("misspelt-region", _read(_yunan),
     Refused("unknown region 'Yunan' ($p, row 4, column A); did you mean 'Yunnan', '云南'",
             ("2 cells spell it so", "--alias 'Yunan=云南'", "aliases={'Yunan': '云南'}"), exc=UnknownRegionError))
case("alias-mapping", _read(_yunan, aliases={"Yunan": "云南"}),
     Audited("alias", ((4, "A"), (7, "A"), (8, "A")), "mapped by the alias 'Yunan' → '云南'", 7, then=_alias_rows))
case("alias-text", _read(_yunan, aliases="Yunan=云南"),
     Audited("alias", ((4, "A"), (7, "A"), (8, "A")), "given in aliases 'Yunan=云南'", 7, then=_alias_rows))
case("alias-file-csv",
     _call(lambda t: ((lambda: read_panel(_yunan(t), aliases=put(t, "al.csv", "alias,region\nYunan,云南\n"))),
                      {"a": str(t / "al.csv")})),
     Audited("alias", ((4, "A"), (7, "A"), (8, "A")), "al.csv, row 2)", 7, then=_alias_rows))
case("alias-file-toml-code-target",
     _call(lambda t: ((lambda: read_panel(_yunan(t), aliases=put(t, "al.toml", '[aliases]\nYunan = "530000"\n'))),
                      {})),
     Audited("alias", ((4, "A"), (7, "A"), (8, "A")), "al.toml, line 2)", 7))
case("alias-to-an-unknown-region",
     _call(lambda t: ((lambda: read_panel(_yunan(t), aliases=put(t, "al.csv", "Yunan,云難\n"))),
                      {"a": str(t / "al.csv")})),
     Refused("unknown region '云難' (alias 'Yunan' → '云難' given in $a, row 1); did you mean '云南'",
             ("must be a province's name or GB/T 2260 code: correct the alias",), exc=UnknownRegionError))
case("alias-file-row-without-region",
     _call(lambda t: ((lambda: read_aliases(put(t, "al.csv", "alias,region\nYunan,云南\nGuizou,\n"))),
                      {"a": str(t / "al.csv")})),
     Refused("$a, row 3: alias 'Guizou' has no region", ("Guizou=REGION",)))
case("alias-file-one-spelling-two-regions",
     _call(lambda t: ((lambda: read_aliases(put(t, "al.csv", "别名,地区\nYunan,云南\nYUNAN,贵州\n"))),
                      {"a": str(t / "al.csv")})),
     Refused("$a, row 3: alias 'YUNAN' maps to '贵州', but $a, row 2 maps it to '云南'", ("keep one of the two",)))
case("alias-file-three-columns-without-header",
     _call(lambda t: ((lambda: read_aliases(put(t, "al.csv", "Yunan,云南,x\n"))), {"a": str(t / "al.csv")})),
     Refused("$a, row 1: an alias file has two columns", ("3 filled cell(s)",)))
case("alias-option-without-equals-sign", _call(lambda t: ((lambda: parse_aliases(["Yunan"])), {})),
     Refused("--alias 'Yunan': expected ALIAS=REGION", ("--alias 'Yunan=云南'",)))
case("alias-creates-a-duplicate",
     _read(lambda t: put(t, "d.csv", "region,year,gdp\n北京,2015,1\n云南,2015,2\nYunan,2015,3\n"),
           aliases={"Yunan": "云南"}),
     Refused("two rows for region '云南' (530000) (written 'Yunan' in the second), year 2015",
             ("$p, row 3, column C = 2.0 and $p, row 4, column C = 3.0",)))
case("aggregate-rows-dropped",
     _read(lambda t: put(t, "a.csv", wide_text(rows=wide_rows() + [["全国", 2015, 999, 99], ["东部地区", 2015, 9, 9]]))),
     Audited("dropped", ((14, "C"), (14, "D"), (15, "C"), (15, "D")), "aggregate row, not a province", 24))
case("adcodes-as-numbers-in-a-workbook",
     _read(lambda t: workbook(t, "c.xlsx", {"d": [["region", "year", "gdp", "pop"]]
                                                 + [[float(CODES[PROVS.index(p)]), y, g, q] for p, y, g, q in
                                                    wide_rows()]})),
     Audited("renamed", (), "", 24, then=_expect_value("140000", 2017, "gdp", 402.0)))
case("ambiguous-province-spelling", _read(lambda t: put(t, "s.csv", "region,year,gdp\n北京,2015,1\n陕山西,2015,2\n")),
     Refused("unknown region '陕山西' ($p, row 3, column A); did you mean '陕西', 'Shaanxi', '山西', 'Shanxi'?",
             ("--alias '陕山西=陕西'",), exc=UnknownRegionError))
case("layout-misspelt", _read(_clean_wide, layout="tall"),
     Refused("layout must be 'auto', 'long', 'wide' or 'yearbook', got 'tall'"))
case("regions-mode-misspelt", _read(_clean_wide, regions="chinese"),
     Refused("regions must be 'auto', 'china' or 'as-is', got 'chinese'"))

# ======================================================================================== scores
case("scores-several-numeric-columns",
     _call(lambda t: ((lambda p=put(t, "s.csv", wide_text()): read_scores(p)), {"p": str(t / "s.csv")})),
     Refused("$p: several numeric columns ['gdp', 'pop']", ("score_col=",)))
case("scores-score-column-misspelt",
     _call(lambda t: ((lambda p=put(t, "s.csv", "region,year,score\n北京,2015,1\n"): read_scores(p, score_col="scroe")),
                      {"p": str(t / "s.csv")})),
     Refused("$p: variable(s) not found: ['scroe']", ("did you mean 'score'?",)))
case("scores-marker-read-as-missing",
     _call(lambda t: ((lambda p=put(t, "s.csv", yearbook_text().replace("21", "—")): read_scores(p)), {})),
     Audited("missing", ((3, "C"),), "missing-value marker '—'", 12,
             then=lambda s: (np.isnan(s.Y.loc["天津", 2016]) and s.codes["天津"] == "120000") or pytest.fail("Y")))
case("analyze-missing-score", _call(lambda t: ((lambda: analyze(scores_wide().where(lambda Y: Y != Y.iloc[2, 1]),
                                                                 permutations=9)), {})),
     Refused("missing scores for 1 region-year(s): 河北 2016", ("--drop-missing",)))
case("analyze-infinite-score",
     _call(lambda t: ((lambda: analyze(scores_wide().replace(scores_wide().iloc[1, 0], np.inf), permutations=9)), {})),
     Refused("scores must be positive", ("infinite at 天津 2015 = inf",)))
case("analyze-two-regions", _call(lambda t: ((lambda: analyze(scores_wide().iloc[:2], permutations=9)), {})),
     Refused("need at least 3 regions with complete scores, got 2"))
case("analyze-unknown-option", _call(lambda t: ((lambda: analyze(scores_wide(), options={"hotspot": True},
                                                                  permutations=9)), {})),
     Refused("options: unknown option 'hotspot'; did you mean", ("(options: ",)))

# ===================================================================================== disparity API
for _fn, _cell, _val in [("theil", (1, 2016), np.inf), ("sigma", (0, 2015), -np.inf), ("cv", (3, 2017), np.inf),
                         ("gini", (2, 2015), np.inf)]:
    case(f"disparity-{_fn}-infinite",
         _call(lambda t, f=_fn, c=_cell, v=_val: ((lambda: getattr(disparity, f)(_with(scores_wide(), c, v))), {})),
         Refused(f"{_fn}: infinite values at region-years ('{PROVS[_cell[0]]}', {_cell[1]})",
                 ("division by zero upstream",)))
case("disparity-theil-decomposition-nan",
     _call(lambda t: ((lambda: disparity.theil_decomposition(_with(scores_wide(), (2, 2016), np.nan),
                                                             {r: "g" for r in scores_wide().index})), {})),
     Refused("theil_decomposition: missing values (NaN) at region-years ('河北', 2016)", ("interpolate them",)))
case("disparity-dagum-group-missing",
     _call(lambda t: ((lambda: disparity.dagum_gini(scores_wide(), {"北京": "e", "天津": "e"})), {})),
     Refused("dagum_gini: no group given for regions ['河北', '山西', '内蒙古', '辽宁']"))


def _with(Y, cell, value):
    Y = Y.copy()
    Y.loc[Y.index[cell[0]], cell[1]] = value
    return Y


# ======================================================================================= prepare API
def _toy_with(col, idx, value):
    df = toy_long()
    df[col] = df[col].astype(object)
    df.loc[idx, col] = value
    return df


case("prepare-text-value", _call(lambda t: ((lambda: prepare(_toy_with("value", 3, "12亿"), TOY)), {})),
     Refused("raw data: 1 row(s) with a value that is not a number: row 3 value '12亿' (region 'A', variable 'pop')",
             ("nqpf.io.read_panel",)))
case("prepare-fractional-year", _call(lambda t: ((lambda: prepare(_toy_with("year", 0, 2010.5), TOY)), {})),
     Refused("raw data: 1 row(s) with a year that is not a whole year such as 2010: row 0 year 2010.5"))
case("prepare-missing-region", _call(lambda t: ((lambda: prepare(_toy_with("region", 5, None), TOY)), {})),
     Refused("raw data: 1 row(s) with empty region: row 5", ("give every row a region",)))
case("prepare-infinite-value-read-as-missing-then-interpolated",
     _call(lambda t: ((lambda: prepare(_toy_with("value", 2, np.inf), TOY)), {})),  # A 2011 gdp
     Audited("interpolated", ((None, ""),), "linear interpolation between 2010 (10) and 2012 (12)", 9,
             then=lambda p: ((p.audit["reason"] == "infinite value inf read as missing").sum() == 1
                             and p.indicators.loc[("A", 2011), "gdp"] == 11.0) or pytest.fail("inf")))
case("prepare-overflow-in-a-formula",
     _call(lambda t: ((lambda: prepare(_toy_with("value", 1, 1e-320), TOY)), {})),
     Refused("1 indicator value(s) are missing because of overflow (a result beyond ±1.8e308) in the formula of "
             "indicator 'pc' ('gdp / pop') at A 2010", ("An extreme value in the data",)))
case("prepare-exclude-every-region",
     _call(lambda t: ((lambda: prepare(toy_long(), TOY, exclude_regions=["A", "B", "C"])), {})),
     Refused("no region-year is left for the study after excluding 3 region(s)"))
case("prepare-exclude-a-region-not-in-the-data",
     _call(lambda t: ((lambda: prepare(read_panel(_clean_wide(t)), _gdp_spec(), exclude_regions=["540000"])), {})),
     Refused("exclude_regions: 西藏 (540000) is not a region of the data; its regions are 北京 (110000), 天津 (120000)"))
case("prepare-period-reversed", _call(lambda t: ((lambda: prepare(toy_long(), TOY, years=(2012, 2010))), {})),
     Refused("study period 2012-2010: the first year is after the last"))
case("prepare-period-not-years", _call(lambda t: ((lambda: prepare(toy_long(), TOY, years="2010-2012")), {})),
     Refused("years must be the study period (first, last)"))
case("prepare-jump-threshold-text", _call(lambda t: ((lambda: prepare(toy_long(), TOY, jump_threshold="5x")), {})),
     Refused("jump_threshold must be a positive number"))
case("prepare-nothing-complete-to-keep",
     _call(lambda t: ((lambda: prepare(toy_long().assign(value=lambda d: d["value"].where(d.variable != "pop")),
                                       TOY, drop_incomplete=True)), {})),
     Refused("every one of the 9 region-years misses indicator values (e.g. A 2010: pc)"))
case("prepare-not-a-table", _call(lambda t: ((lambda: prepare([1, 2, 3], TOY)), {})),
     Refused("raw data must be a DataFrame"))


def _gdp_spec():
    return Spec("g", ("indicator",), [Indicator("gdp", path=())])


# ============================================================================================ specs
case("spec-toml-not-utf8", _call(lambda t: ((lambda: load_spec(put(t, "s.toml", SPEC.replace('"A"', '"创新"'), "gbk"))),
                                            {"s": str(t / "s.toml")})),
     Refused("$s: a TOML spec must be saved as UTF-8 text", ("save it again as UTF-8",), exc=SpecError))
case("spec-levels-not-a-list",
     _call(lambda t: ((lambda: load_spec(spec_toml(t, SPEC.replace('["dimension", "indicator"]', '"dimension"')))),
                      {"s": str(t / "spec.toml")})),
     Refused("$s: [spec] levels must be a list of level names", exc=SpecError))
case("spec-path-not-a-list",
     _call(lambda t: ((lambda: load_spec(spec_toml(t, SPEC.replace('dimension = "A"', 'path = "A"')))),
                      {"s": str(t / "spec.toml")})),
     Refused("$s, [[indicator]] #1 (id='gdp'): path must be a list of group names", exc=SpecError))
case("spec-groups-not-names",
     _call(lambda t: ((lambda: load_spec(spec_toml(t, SPEC + "[groups]\nA = 3\n"))), {"s": str(t / "spec.toml")})),
     Refused("$s: [groups] A must be an English name or a table of names, got 3", exc=SpecError))
case("spec-formula-too-long",
     _call(lambda t: ((lambda: load_spec(spec_toml(t, SPEC.replace("gdp / pop", " + ".join(["gdp"] * 6000))))),
                      {"s": str(t / "spec.toml")})),
     Refused("formula ($s, [[indicator]] #2, indicator 'pc') is too long or too deeply nested",
             ("split it into intermediate indicators",), exc=SpecError))
case("spec-formula-number-beyond-range",
     _call(lambda t: ((lambda: load_spec(spec_toml(t, SPEC.replace("gdp / pop", "gdp * 1e400")))), {})),
     Refused("formula 'gdp * 1e400'", ("the number '1e400' is beyond the largest",), exc=SpecError, at_start=True))
case("spec-formula-power",
     _call(lambda t: ((lambda: load_spec(spec_toml(t, SPEC.replace("gdp / pop", "gdp ** 2")))), {})),
     Refused("formula 'gdp ** 2'", ("uses Pow, which is not allowed",), exc=SpecError))
case("spec-table-direction-unknown",
     _call(lambda t: ((lambda: load_spec(put(t, "s.csv", "指标,方向\n研发,+\n人口,up\n"))), {"s": str(t / "s.csv")})),
     Refused("$s, row 3, column '方向': invalid or missing direction 'up'", ("正/负",), exc=SpecError))
case("spec-table-indicator-cell-empty",
     _call(lambda t: ((lambda: load_spec(put(t, "s.csv", "indicator,direction\ngdp,+\n,-\n"))),
                      {"s": str(t / "s.csv")})),
     Refused("$s, row 3: empty indicator cell", exc=SpecError))
case("spec-workbook-that-is-text",
     _call(lambda t: ((lambda: load_spec(put(t, "s.xlsx", "indicator,direction\ngdp,+\n"))), {"s": str(t / "s.xlsx")})),
     Refused("cannot read spec workbook: $s: cannot open as a workbook: it looks like a text (CSV) file",
             exc=SpecError))
case("spec-not-found", _call(lambda t: ((lambda: load_spec("ran2052")), {})),
     Refused("spec 'ran2052' not found", ("ran2025",), exc=SpecError))

# =========================================================================================== configs
def _config(tmp, body, name="study.toml"):
    put(tmp, "data.csv", wide_text(head=("地区", "年份", "gdp", "pop")))
    spec_toml(tmp, SPEC)
    return put(tmp, name, body)


BASE_CFG = '[data]\npath = "data.csv"\n[spec]\npath = "spec.toml"\n'


def _cfg_check(body):
    def fn(t):
        p = _config(t, body)
        return (lambda: validate_config(load_config(p))), {"c": str(p)}
    return _call(fn)


case("config-not-toml", _cfg_check("[data\npath = 'x'\n"), Refused("$c: not valid TOML: Expected ']'"))
case("config-key-misspelt", _cfg_check(BASE_CFG + "[index]\nweightng = 'entropy'\n"),
     Refused("config: unknown key 'weightng' in [index]; did you mean 'weighting'?"))
case("config-section-unknown", _cfg_check(BASE_CFG + "[outputs]\nlang = 'en'\n"),
     Refused("config: unknown section(s) ['outputs']"))
case("config-permutations-negative", _cfg_check(BASE_CFG + "[spatial]\npermutations = -9\n"),
     Refused("config: [spatial] permutations must be a whole number ≥ 0, got -9"))
case("config-format-unknown", _cfg_check(BASE_CFG + "[output]\nformats = ['csv', 'pdf']\n"),
     Refused("config: [output] formats must be a list from"))
case("config-years-not-a-list", _cfg_check(BASE_CFG + "[prepare]\nyears = 2015\n"),
     Refused("config: [prepare] years must be a list of years, e.g. [2011, 2023], got 2015"))
case("config-file-missing", _call(lambda t: ((lambda: load_config(t / "none.toml")), {"c": str(t / "none.toml")})),
     Refused("config file not found: $c"))


def _study(body):
    def fn(t):
        spec_toml(t, SPEC)
        rows = [ln + ("" if k == 0 else f",{k + 1}") for k, ln in enumerate(YUNAN.strip().split("\n"))]
        rows[0] = "region,year,gdp,pop"
        put(t, "data.csv", "\n".join(rows) + "\n")
        put(t, "al.csv", "alias,region\nYunan,云南\n")
        p = put(t, "study.toml", body)
        return (lambda: Study.from_config(p).build_index()), {"c": str(p)}
    return _call(fn)


PERIOD = "[prepare]\nyears = [2015, 2016]\n"
case("config-aliases-table", _study(BASE_CFG.replace("[spec]", 'aliases = {Yunan = "云南"}\n[spec]') + PERIOD),
     Audited("alias", ((4, "A"), (7, "A"), (8, "A")), "'Yunan' → '云南'", 6))
case("config-aliases-file-relative-to-the-config",
     _study(BASE_CFG.replace("[spec]", 'aliases = "al.csv"\n[spec]') + PERIOD),
     Audited("alias", ((4, "A"), (7, "A"), (8, "A")), "al.csv, row 2", 6))
def _given_in_config(t):
    p = _config(t, BASE_CFG + '[index]\nweighting = "given"\nweights = "w.csv"\n')
    put(t, "w.csv", "indicator,weight\ngdp,0.25\npc,0.75\n")
    return (lambda: Study.from_config(p).build_index()), {}


case("config-given-weights-relative-to-the-config", _call(_given_in_config),
     Audited("dropped", (), "", 12,
             then=lambda b: np.testing.assert_allclose(b.index.weights.set_index("indicator")["weight"]
                                                       .loc[["gdp", "pc"]], [0.25, 0.75])))

# ===================================================================================== given weights
X2 = pd.DataFrame(np.random.default_rng(3).uniform(0.1, 1, (12, 2)), columns=["x1", "x2"])
case("given-weights-unknown-indicator", _call(lambda t: ((lambda: compute_weights(X2, "given",
                                                                                  weights={"x1": 1, "x3": 1})), {})),
     Refused("given weights do not match the indicators: missing ['x2'], unknown ['x3']"))
case("given-weights-all-zero", _call(lambda t: ((lambda: compute_weights(X2, "given", weights={"x1": 0, "x2": 0})),
                                                {})),
     Refused("given weighting: every indicator has zero information"))
case("given-weights-file-missing", _call(lambda t: ((lambda: compute_weights(X2, "given", weights=t / "w.csv")),
                                                    {"w": str(t / "w.csv")})),
     Refused("given weights file '$w' not found"))
case("weighting-misspelt", _call(lambda t: ((lambda: compute_weights(X2, "entropi")), {})),
     Refused("unknown weighting method 'entropi'; did you mean 'entropy'?"))


# ===================================================================================== the template
def _file_blocks(t):
    put(t, "afile", "x")
    return t / "afile" / "template.xlsx"


case("template-in-a-folder-that-is-a-file",
     _call(lambda t: ((lambda: write_template(TOY, _file_blocks(t))), {"f": str(t / "afile")})),
     Refused("cannot write the template $f/template.xlsx: $f is a file, not a folder",
             ("choose a folder you can write to",)))


# ===================================================================================== command line
def _index_args(tmp, data_text=None, *extra):
    data = put(tmp, "data.csv", data_text if data_text is not None else wide_text())
    spec = spec_toml(tmp, SPEC)
    return ["index", data, "-s", spec, "-o", tmp / "out", *extra], {"d": str(data), "out": str(tmp / "out")}


YUNAN_INDEX = ("region,year,gdp,pop\n北京,2015,1,2\n天津,2015,2,3\nYunan,2015,3,4\n北京,2016,2,2\n天津,2016,3,3\n"
               "Yunan,2016,5,4\n")


def _audit_has_aliases(out: Path):
    a = pd.read_csv(out / "tables" / "audit.csv", dtype=str)
    rows = a[a["action"] == "alias"]
    assert sorted(rows["row"].astype(int)) == [4, 7] and set(rows["old"]) == {"Yunan"}, rows
    s = pd.read_csv(out / "tables" / "scores.csv", dtype={"region": str})
    assert "云南" in set(s["region"]) and "Yunan" not in set(s["region"])   # the CSVs write the names


case("cli-misspelt-region", _cli(lambda t: _index_args(t, YUNAN_INDEX)),
     Exit2(("error: unknown region 'Yunan'", "2 cells spell it so", "--alias 'Yunan=云南'")))
case("cli-alias-option", _cli(lambda t: _index_args(t, YUNAN_INDEX, "--alias", "Yunan=云南")),
     Ran(then=_audit_has_aliases))
case("cli-alias-file", _cli(lambda t: _index_args(t, YUNAN_INDEX, "--alias-file",
                                                  put(t, "al.csv", "alias,region\nYunan,云南\n"))),
     Ran(then=_audit_has_aliases))
case("cli-empty-data-file", _cli(lambda t: _index_args(t, "")), Exit2(("error: $d: the file is empty (0 bytes)",)))
case("cli-analyze-infinite-score",
     _cli(lambda t: (["analyze", put(t, "s.csv", yearbook_text().replace("21", "inf")), "-w", "china-provinces", "-o",
                      t / "o", "--permutations", "9"], {})),
     Exit2(("error: missing scores for 1 region-year(s): 天津 2016 (s.csv, row 3, column C)",)))
case("cli-run-config-typo",
     _cli(lambda t: (["run", _config(t, BASE_CFG + "[spatial]\npermutation = 9\n"), "-o", t / "o"], {})),
     Exit2(("config: unknown key 'permutation' in [spatial]; did you mean 'permutations'?",)))
case("cli-init-into-a-file",
     _cli(lambda t: (["init", "-o", _file_blocks(t)], {"f": str(t / "afile")})),
     Exit2(("error: cannot write the template $f/template.xlsx: $f is a file, not a folder",)))
case("cli-given-weights-negative",
     _cli(lambda t: _index_args(t, None, "--weighting", "given", "--given-weights",
                                put(t, "w.csv", "indicator,weight\ngdp,0.7\npc,-0.3\n"))),
     Exit2(("w.csv: row 3, column weight (indicator pc): negative (-0.3)",)))
case("cli-negative-shift", _cli(lambda t: _index_args(t, None, "--shift", "-1")),
     Exit2(("--shift must be a number ≥ 0", "got -1.0")))
case("cli-weighting-misspelt", _cli(lambda t: _index_args(t, None, "--weighting", "entropi")),
     Exit2(("--weighting: unknown method 'entropi'; did you mean 'entropy'?",)))
case("cli-exclude-unknown-region", _cli(lambda t: _index_args(t, None, "--exclude", "西臧")),
     Exit2(("--exclude", "'西臧'", "西藏 (540000)")))
case("cli-exclude-a-region-not-in-the-data", _cli(lambda t: _index_args(t, None, "--exclude", "西藏")),
     Exit2(("--exclude: 西藏 (540000) is not a region of the data; its regions are 北京 (110000)",),
           not_says=("exclude_regions",)))
case("cli-output-folder-under-a-file",
     _cli(lambda t: (_index_args(t, None)[0][:-1] + [_file_blocks(t).parent / "out"], {"f": str(t / "afile")})),
     Exit2(("$f/out", "$f is a file"), not_says=(".part",)))
case("cli-usage-error-is-one-line",
     _cli(lambda t: (["analyze", put(t, "s.csv", yearbook_text()), "-w", "china-provinces", "-o", t / "o",
                      "--permutations", "-1"], {})),
     Exit2(("--permutations",)))
case("cli-extreme-value-named-at-its-cell",
     _cli(lambda t: _index_args(t, wide_text(cell=(5, "C", "1e300")))),
     Ran(warns=("data.csv, row 5, column C", "天津 2015", "1e+300", "weight")))


# ============================================================================================ runner
def _params():
    out = []
    for c in CASES:
        marks = [pytest.mark.xfail(strict=True, reason=f"needs fix in {c.fix_in}")] if c.fix_in else []
        out.append(pytest.param(c, id=c.id, marks=marks))
    return out


def test_the_catalogue_is_large_and_names_are_unique():
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids))
    assert len(ids) >= 80


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("case", _params())
def test_bad_input(case, tmp_path):
    target, ctx = case.setup(tmp_path)
    case.expect.check(target, ctx)
