"""Property-based fuzzing of the readers, the preparation and the index (hypothesis).

Random panels are written as CSV (UTF-8, UTF-8 with BOM, GB18030, UTF-16; LF, CRLF or CR line endings)
or Excel workbooks, in the long, wide or yearbook layout, with random region spellings (Chinese short
and full names, English, pinyin, GB/T codes, aggregates such as 全国, misspellings with and without an
alias, or plain identifiers), years written as numbers, ``2015年`` or full-width digits, missing-value
markers, text numbers (full-width digits, thousands separators, percent signs), infinities, extremes
(0, ±1e300, subnormal numbers, the largest float), title, units and notes rows, blank rows, stacked
tables and shuffled rows. Each is read with :func:`nqpf.io.read_panel`, then prepared and indexed.

The properties:

* nothing but a clean :class:`~nqpf.errors.NqpfError` (one line, naming the file) ever escapes;
* a well-formed input (no misspelt region) is always read;
* rows in = rows out + audited: every value cell becomes a row of the panel or an audited dropped
  aggregate row; the audit has exactly one ``missing`` row per marker, blank or infinite cell and one
  ``coerced`` row per text number, one ``alias`` row per aliased region cell; the values read are the
  numbers written (exactly); no infinity is ever read;
* :func:`~nqpf.prepare.prepare`: region-years in = region-years out + region-years audited as dropped;
  :func:`~nqpf.index.build_index`: one finite score per prepared region-year.

The regular suite runs a few hundred examples (derandomised, so the suite is deterministic); the
``fuzz`` marker runs at least 10,000 (``python -m pytest -m fuzz tests/test_fuzz.py``).
"""
from __future__ import annotations

import csv
import io
import math
import re
import shutil
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st

from nqpf import regions
from nqpf.errors import NqpfError
from nqpf.index import build_index
from nqpf.io import read_panel, to_number
from nqpf.io._cells import parse_year
from nqpf.prepare import prepare
from nqpf.spec import Indicator, Spec

P = regions.PROVINCES
SPELLINGS = ("name_short", "name_full", "name_en", "pinyin", "code")
AGGREGATES = ("全国", "东部地区", "合计", "全国合计")
IDS = ("U1", "U2", "U3", "U4", "U5", "U6", "Alpha", "Beta", "苏州", "成都")
VARIABLES = ("gdp", "pop", "rd", "人口", "研发经费", "x_1", "patents")
MARKERS = ("", "—", "——", "…", "-", "--", "NA", "N/A", "n.a.", "/", "无", "#DIV/0!", "－", "／", "x", "inf", "-∞",
           "Infinity")
EXTREMES = (0.0, -0.0, 1e-300, 5e-324, 1e300, -1e300, 1.7976931348623157e308, 1e-5, 123456789.0)
REGION_WORDS = ("地区", "省份", "region", "province", "地 区")
YEAR_WORDS = ("年份", "year", "年度")
FULL = str.maketrans("0123456789.,-", "０１２３４５６７８９．，－")
# no shrinking: each example writes files, and a failure is reproduced from its printed blob instead
DEFAULT_SETTINGS = dict(deadline=None, derandomize=True, print_blob=True,
                        phases=[Phase.explicit, Phase.reuse, Phase.generate],
                        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                               HealthCheck.filter_too_much])


# ------------------------------------------------------------------------------------------- cells
@dataclass
class Cell:
    """One value cell: what is written, and what reading it must give."""

    written: object          # float, str or None
    kind: str                # "number", "coerced" or "missing"
    value: float = math.nan  # the number read (NaN when missing)


@st.composite
def cells(draw, excel: bool) -> Cell:
    k = draw(st.sampled_from(["number"] * 6 + ["extreme", "missing", "missing", "text"]))
    if k in ("number", "extreme"):
        if k == "number":
            v = draw(st.one_of(st.integers(-10**9, 10**9).map(float),
                               st.floats(-1e12, 1e12, allow_nan=False, allow_infinity=False)))
        else:
            v = draw(st.sampled_from(EXTREMES))
            v = -v if draw(st.booleans()) else v
        if not excel:
            return Cell(repr(v), "number", v)
        # openpyxl writes 16 significant digits (as Excel keeps 15-17): the largest float then reads as inf
        back = float(f"{v:.16g}")
        return Cell(v, "missing") if math.isinf(back) else Cell(v, "number", back)
    if k == "missing":
        m = draw(st.sampled_from(MARKERS))
        return Cell(None if (excel and m == "") else m, "missing")
    n = draw(st.integers(0, 10**8))
    how = draw(st.sampled_from(["full", "thousands", "percent", "full-negative"]))
    if how == "thousands":
        n = max(n, 1000)
        return Cell(f"{n:,}", "coerced", float(n))
    if how == "percent":
        return Cell(f"{n}%", "coerced", float(n))
    if how == "full-negative":
        return Cell(f"-{n}".translate(FULL), "coerced", -float(n))
    return Cell(str(n).translate(FULL), "coerced", float(n))


def year_text(draw, y: int, excel: bool):
    how = draw(st.sampled_from(["int", "int", "nian", "full"] + (["float"] if excel else [])))
    if how == "int":
        return y if excel else str(y)
    if how == "float":
        return float(y)
    if how == "nian":
        return f"{y}年"
    return str(y).translate(FULL)


# ------------------------------------------------------------------------------------------ panels
@dataclass
class Written:
    """A generated input and what reading it must give."""

    path: Path
    kw: dict
    cells: list = field(default_factory=list)   # (region written, is aggregate, variable, Cell)
    alias_cells: int = 0                         # region cells the alias must map
    well_formed: bool = True                     # no misspelt region left unmapped
    n_regions: int = 0
    describe: str = ""


@st.composite
def panels(draw, folder: Path) -> Written:
    excel = draw(st.sampled_from([False, False, False, True]))
    layout = draw(st.sampled_from(["long", "wide", "yearbook"]))
    n_reg = draw(st.integers(1, 6))
    ids = draw(st.sampled_from(["provinces", "provinces", "provinces", "ids"]))
    rows_p = draw(st.permutations(range(len(P))))[:n_reg]
    names, kw, misspelt, alias = [], {}, None, None
    for k, i in enumerate(rows_p):
        if ids == "ids":
            names.append(IDS[k])
            continue
        how = draw(st.sampled_from(SPELLINGS))
        names.append(str(P.iloc[i][how]))
    if ids == "provinces" and draw(st.integers(0, 5)) == 0:  # a misspelt English name, mapped by an alias or not
        k = draw(st.integers(0, n_reg - 1))
        en = str(P.iloc[rows_p[k]]["name_en"])
        if len(en) >= 6 and " " not in en:
            j = draw(st.integers(1, len(en) - 2))
            names[k] = misspelt = en[:j] + en[j + 1:]
            if draw(st.booleans()):
                alias = {misspelt: str(P.iloc[rows_p[k]]["name_short"])}
                kw["aliases"] = alias
    aggregates = []
    if ids == "provinces" and draw(st.booleans()):
        aggregates = list(draw(st.lists(st.sampled_from(AGGREGATES), min_size=1, max_size=2, unique=True)))
    y0 = draw(st.integers(1995, 2025))
    years = list(range(y0, y0 + draw(st.integers(1, 4))))
    variables = draw(st.lists(st.sampled_from(VARIABLES), min_size=1, max_size=3, unique=True))
    all_names = names + aggregates
    table = {(r, y, v): draw(cells(excel)) for r in all_names for y in years for v in variables}
    w = Written(path=folder, kw=kw, n_regions=n_reg,
                well_formed=misspelt is None or alias is not None,
                describe=f"{layout} {'xlsx' if excel else 'csv'} regions={all_names} years={years} vars={variables}")
    w.cells = [(r, r in aggregates, v, c) for (r, y, v), c in table.items()]
    title = draw(st.booleans())
    notes = draw(st.booleans())
    units = draw(st.booleans()) and layout != "long"
    blank_rows = draw(st.booleans())
    stacked = draw(st.booleans()) and len(all_names) >= 2
    region_word = draw(st.sampled_from(REGION_WORDS))
    year_word = draw(st.sampled_from(YEAR_WORDS))

    def decorate(head: list, body: list, width: int) -> list:
        body = list(body)
        if draw(st.booleans()):
            body = [body[k] for k in draw(st.permutations(range(len(body))))]
        if stacked:  # the same header again halfway down: a second table below the first
            cut = draw(st.integers(1, len(body) - 1)) if len(body) > 1 else 1
            body = body[:cut] + [[None] * width, list(head)] + body[cut:]
        if blank_rows and len(body) > 1:
            body.insert(draw(st.integers(1, len(body) - 1)), [None] * width)
        out = []
        if title:
            out += [["表1 测试数据(单位:亿元)"] + [None] * (width - 1), [None] * width]
        out.append(list(head))
        if units:
            lead = 1 if layout == "yearbook" else 2
            out.append([None] * lead + ["亿元"] * (width - lead))
        out += body
        if notes:
            out += [[None] * width, ["注:数据来源于测试。"] + [None] * (width - 1)]
        return out

    sheets = {}
    if layout == "long":
        head = [region_word, year_word, "指标", "数值"]
        body = [[r, year_text(draw, y, excel), v, c.written] for (r, y, v), c in table.items()]
        sheets["data"] = decorate(head, body, 4)
        w.alias_cells = sum(1 for (r, _, _) in table if r == misspelt and alias)
    elif layout == "wide":
        head = [region_word, year_word] + variables
        body = [[r, year_text(draw, y, excel)] + [table[(r, y, v)].written for v in variables]
                for r in all_names for y in years]
        sheets["data"] = decorate(head, body, len(head))
        w.alias_cells = len(years) if misspelt and alias else 0
    else:
        for v in variables:
            head = [region_word] + [year_text(draw, y, excel) for y in years]
            body = [[r] + [table[(r, y, v)].written for y in years] for r in all_names]
            sheets[v] = decorate(head, body, len(head))
        w.alias_cells = len(variables) if misspelt and alias else 0
    if layout == "yearbook" and len(years) < 2:  # a row of two or more years is what marks a yearbook header
        kw["layout"] = "yearbook"
        w.well_formed = False  # a header of one year is not recognisable: a clean refusal is the answer
    folder.mkdir(parents=True, exist_ok=True)
    if excel:
        w.path = _write_xlsx(folder / "panel.xlsx", sheets)
    elif len(sheets) == 1 and layout != "yearbook":
        w.path = _write_csv(folder / "panel.csv", sheets["data"], draw)
    else:  # one file per variable in a folder
        sub = folder / "panel"
        sub.mkdir()
        for v, rows in sheets.items():
            _write_csv(sub / f"{v}.csv", rows, draw)
        w.path = sub
    return w


def _write_xlsx(path: Path, sheets: dict) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
    wb.save(path)
    return path


def _write_csv(path: Path, rows: list, draw) -> Path:
    enc = draw(st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "gb18030", "utf-16"]))
    eol = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    buf = io.StringIO()
    csv.writer(buf, lineterminator=eol).writerows([["" if c is None else c for c in r] for r in rows])
    path.write_bytes(buf.getvalue().encode(enc))
    return path


# -------------------------------------------------------------------------------------- properties
def _read_clean(w: Written):
    """read_panel, asserting that only a clean one-line NqpfError naming the input can escape."""
    try:
        panel = read_panel(w.path, **w.kw)
        event("read: ok")
        return panel
    except NqpfError as exc:
        event(f"read: refused ({type(exc).__name__})")
        text = str(exc)
        assert "\n" not in text, text
        assert w.path.name in text, text  # the file (or the folder's file) is named
        assert not w.well_formed, f"a well-formed input was refused: {text} [{w.describe}]"
        return None


def _gist(exc) -> str:
    """The kind of an error, for the run's statistics (numbers and names left out)."""
    return re.sub(r"\d+", "N", str(exc).split(":")[0] if ":" in str(exc)[:60] else str(exc)[:45])


def _check_panel(panel, w: Written) -> None:
    d, a = panel.data, panel.audit
    china = panel.meta["regions"] == "china"
    dropped_agg = int((a["reason"] == "aggregate row, not a province").sum())
    # rows in = rows out + audited
    assert len(d) + dropped_agg == len(w.cells), (len(d), dropped_agg, len(w.cells), w.describe)
    assert dropped_agg == (sum(1 for _, agg, _, _ in w.cells if agg) if china else 0)
    assert int((a["action"] == "missing").sum()) == sum(c.kind == "missing" for *_, c in w.cells)
    assert int((a["action"] == "coerced").sum()) == sum(c.kind == "coerced" for *_, c in w.cells)
    assert int((a["action"] == "alias").sum()) == w.alias_cells
    assert not d.duplicated(["region", "year", "variable"]).any()
    vals = d["value"].to_numpy()
    assert not np.isinf(vals).any()
    kept = [c for _, agg, _, c in w.cells if not (agg and china)]
    want = sorted(c.value for c in kept if c.kind != "missing")
    assert sorted(vals[~np.isnan(vals)].tolist()) == want
    assert int(np.isnan(vals).sum()) == sum(c.kind == "missing" for c in kept)
    assert set(a["stage"]) <= {"read"} and (a["file"].astype(str) != "").all()
    if china:
        assert all(regions.is_province(r) for r in d["region"])
    assert len(panel.locations) == len(d)


def _check_pipeline(panel, variables, data) -> None:
    """prepare and build_index: clean errors only; region-years in = out + dropped; finite scores."""
    d = panel.data
    if d["region"].nunique() < 2:
        event("prepare: not run (one region)")
        return
    inds = [Indicator(v, direction=1 if k % 2 == 0 else -1, path=()) for k, v in enumerate(variables)]
    if len(variables) >= 2:
        inds.append(Indicator("ratio", formula=f"[{variables[0]}] / [{variables[1]}]", path=()))
    spec = Spec("fuzz", ("indicator",), inds)
    opts = dict(drop_incomplete=data.draw(st.booleans(), label="drop_incomplete"),
                extrapolate=data.draw(st.sampled_from([False, "nearest", "linear"]), label="extrapolate"))
    try:
        prep = prepare(panel, spec, **opts)
        event("prepare: ok")
    except NqpfError as exc:
        event(f"prepare: refused ({_gist(exc)})")
        assert "\n" not in str(exc)
        return
    n_grid = d["region"].nunique() * d["year"].nunique()
    a = prep.audit
    dropped = int(((a["stage"] == "prepare") & (a["action"] == "dropped")).sum())
    assert len(prep.indicators) + dropped == n_grid, (len(prep.indicators), dropped, n_grid)
    X = prep.indicators
    assert np.isfinite(X.to_numpy()).all()
    try:
        with warnings.catch_warnings():  # the index's own numerics are not under test here (see the module doc)
            warnings.simplefilter("ignore", RuntimeWarning)
            res = build_index(X, spec, weighting=data.draw(st.sampled_from(["entropy", "critic", "equal"]),
                                                              label="weighting"))
        event("index: ok")
    except NqpfError as exc:
        event(f"index: refused ({_gist(exc)})")
        assert "\n" not in str(exc)
        return
    assert res.scores.index.equals(X.index)
    assert np.isfinite(res.scores["score"].to_numpy()).all()


def _one_example(data) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="nqpf-fuzz-"))
    try:
        w = data.draw(panels(tmp / "in"), label="panel")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)      # jump flags, unused aliases, the indicator screen
            warnings.simplefilter("error", RuntimeWarning)    # an overflow or 0/0 left to numpy in reading or
            #                                                   preparing is a defect
            panel = _read_clean(w)
            if panel is None:
                return
            _check_panel(panel, w)
            _check_pipeline(panel, sorted(set(panel.data["variable"])), data)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# ----------------------------------------------------------------------------------- regular suite
@settings(max_examples=300, **DEFAULT_SETTINGS)
@given(st.data())
def test_random_panels_read_prepared_and_indexed(data):
    _one_example(data)


@settings(max_examples=300, **DEFAULT_SETTINGS)
@given(st.one_of(st.text(max_size=12), st.floats(allow_nan=True, allow_infinity=True), st.integers(),
                 st.sampled_from(MARKERS), st.booleans(), st.none()))
def test_any_cell_is_a_number_missing_or_refused(v):
    try:
        value, action, reason = to_number(v)
    except ValueError as exc:
        assert "\n" not in str(exc)
        return
    assert action in (None, "coerced", "missing")
    assert not math.isinf(value)
    assert math.isnan(value) == (action == "missing")
    parse_year(v)  # never raises


# ---------------------------------------------------------------------------------------- the fuzz run
@pytest.mark.fuzz
@settings(max_examples=10_000, **{**DEFAULT_SETTINGS, "derandomize": False})
@given(st.data())
def test_fuzz_random_panels(data):
    _one_example(data)


@pytest.mark.fuzz
@settings(max_examples=20_000, **{**DEFAULT_SETTINGS, "derandomize": False})
@given(st.one_of(st.text(), st.floats(), st.integers(), st.binary().map(lambda b: b.decode("latin-1"))))
def test_fuzz_cells(v):
    test_any_cell_is_a_number_missing_or_refused.hypothesis.inner_test(v)
