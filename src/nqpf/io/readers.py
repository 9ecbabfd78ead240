"""Readers of raw panels and score panels: long, wide and yearbook layouts; CSV, Excel, Parquet.

Layouts
-------
``long``
    one row per observation, columns ``region, year, variable, value`` (aliases: 地区/省份,
    年份/年度, 指标/变量, 数值/值; English ``province``, ``indicator``, ``variable_code``).
``wide``
    one row per region-year: ``region, year, var1, var2, …``. Columns holding only text are not
    variables (dropped with an audit row).
``yearbook``
    matrices as statistical yearbooks print them: regions in rows, years in columns, one sheet per
    variable (variable = sheet name) or one file per variable (variable = file stem; pass a folder or
    a list of files). Title and unit rows above the header and notes below the table are allowed;
    the header row is the first with two or more year cells (``2010``, ``2010年``). A unit written
    above the table (``单位:亿元``) is kept in :attr:`Panel.units`.

``auto`` looks, from the top of each sheet, for the first row that is a header: a row naming both a
region and a year column is a long header (if it also names variable and value columns) or a wide
one; a row with two or more years is a yearbook header.

Cells
-----
Missing-value markers (blank, ``—``, ``…``, ``-``, ``--``, ``NA``, ``N/A``, ``#DIV/0!``, ``无`` …) become
``NaN`` and one audit row (``missing``) each; text numbers with thousands separators, full-width digits
or spaces are converted with one audit row (``coerced``) each. Text that is not a number is an
:class:`~nqpf.errors.InputError` naming file, sheet, row and column (row numbers 1-based and column
letters, as a spreadsheet shows them).

Regions
-------
With ``regions="china"`` (or ``"auto"`` when every name is a Chinese province, or most are and the others
look like misspelt provinces) names are normalised
through :func:`nqpf.regions.normalize` to GB/T 2260 codes; aggregate rows (全国, 合计, 东部地区 …) are
dropped with an audit row each and unknown names raise :class:`~nqpf.errors.UnknownRegionError`
with the cell's location and suggestions. ``"as-is"`` keeps the identifiers as written.
Two rows for the same (region, year, variable) raise :class:`~nqpf.errors.InputError` naming both
cells (also when the values are identical: a repeated row usually means a wrong join or a file read
twice).

Files that cannot be a table are refused in one line, with the fix
------------------------------------------------------------------
CSV text may be UTF-8 (with or without BOM), GBK/GB18030 or UTF-16 (LE or BE, with a BOM or
recognised without), with any line endings (``\n``, ``\r\n`` or old-Mac ``\r``). A binary file
named ``.csv`` is "not a text table" (a workbook renamed ``.csv`` is recognised as such, and a text
file named ``.xlsx`` or a web page named ``.xls`` too). A table with a header and no data row says
so; a regions × years header that names a year twice names the year and its cells; a variable asked
for (``variables=``) whose every cell is blank or a missing marker is named with its file, sheet and
column; a variable asked for by a spec and absent from the data blames the spec's formula or
indicator (:func:`nqpf.spec.missing_variables_error`) with the data's closest names.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError, UnknownRegionError
from ._cells import Grid, cell_text, col_letter, is_blank, parse_year, read_grids, to_number

__all__ = ["Panel", "Scores", "AUDIT_COLUMNS", "read_panel", "read_scores", "read_long_scores",
           "empty_audit", "is_aggregate"]

#: Columns of every audit table (docs/architecture.md).
AUDIT_COLUMNS = ["stage", "file", "sheet", "row", "column", "region", "year", "variable", "action", "reason",
                 "old", "new"]

_ALIASES = {
    "region": ["region", "province", "provinces", "地区", "省份", "省区", "省市", "省", "地区名称", "省份名称",
               "区域", "region_id", "region_name", "省级行政区", "地 区", "city", "城市", "country"],
    "year": ["year", "年份", "年度", "年", "时间", "time", "period"],
    "variable": ["variable", "variable_code", "indicator", "指标", "变量", "指标名称", "指标代码", "item"],
    "value": ["value", "数值", "值", "数据", "数量", "val"],
    "unit": ["unit", "单位", "计量单位"],
}
_NOTE_PREFIX = re.compile(r"^\s*(注|备注|说明|资料来源|数据来源|来源|note|notes|source|sources)\s*[:：0-9.、]?",
                          re.IGNORECASE)
_UNIT_RE = re.compile(r"(?:单位|unit)\s*[:：]\s*([^\s)）,，;；]+)", re.IGNORECASE)
def is_aggregate(name: str) -> bool:
    """True for names of aggregates rather than provinces: 全国, 合计, 东部地区, 中部, 长江经济带 …
    (:func:`nqpf.regions.is_aggregate`, the one rule, OCR slips included)."""
    from .. import regions as R
    return bool(R.is_aggregate(re.sub(r"\s+", "", str(name))))


def empty_audit() -> pd.DataFrame:
    """An audit table with no rows and the standard columns."""
    return pd.DataFrame({c: pd.Series(dtype=object) for c in AUDIT_COLUMNS})


@dataclass
class Panel:
    """A raw panel read from file(s).

    Attributes
    ----------
    data : DataFrame
        Long form ``region, year, variable, value`` (``year`` int, ``value`` float, NaN where missing).
    audit : DataFrame
        Columns :data:`AUDIT_COLUMNS`; stage ``"read"``.
    region_label : dict
        Region id → the name as the user wrote it (first spelling met).
    units : dict
        Variable → unit, where the file states one.
    meta : dict
        Layout(s) detected, encoding, region mode.
    """

    data: pd.DataFrame
    audit: pd.DataFrame
    region_label: dict = field(default_factory=dict)
    units: dict = field(default_factory=dict)
    meta: dict = field(default_factory=dict)


@dataclass
class Scores:
    """A score panel: ``Y`` (regions × int years, indexed by the region names as the user wrote them),
    ``labels`` (id → name shown), ``codes`` (id → GB/T 2260 code for Chinese provinces, else empty),
    ``audit``."""

    Y: pd.DataFrame
    labels: dict
    codes: dict
    audit: pd.DataFrame
    variable: str = "score"


# ----------------------------------------------------------------------------------------------
# header detection
# ----------------------------------------------------------------------------------------------
def _norm(h) -> str:
    return re.sub(r"\s+", "", cell_text(h)).lower()


def _find_col(row_norm: list, key: str, explicit):
    if explicit is not None:
        target = _norm(explicit)
        return row_norm.index(target) if target in row_norm else None
    for a in _ALIASES[key]:
        a = _norm(a)
        if a in row_norm:
            return row_norm.index(a)
    return None


def _detect(grid: Grid, layout: str, cols: dict):
    """Return (layout, header_row_index, column map) for ``grid`` or None."""
    for i in range(min(grid.n_rows, 40)):
        row = grid.cells[i]
        norm = [_norm(c) for c in row]
        if layout in ("auto", "long", "wide"):
            r = _find_col(norm, "region", cols.get("region"))
            y = _find_col(norm, "year", cols.get("year"))
            if r is not None and y is not None and r != y:
                v = _find_col(norm, "variable", cols.get("variable"))
                val = _find_col(norm, "value", cols.get("value"))
                u = _find_col(norm, "unit", None)
                is_long = v is not None and val is not None and len({r, y, v, val}) == 4
                if layout == "long" and not is_long:
                    missing = [k for k, c in (("variable", v), ("value", val)) if c is None]
                    raise InputError(f"{grid.where(i)}: long layout needs {' and '.join(missing)} column(s); "
                                     f"header is {[cell_text(c) for c in row]}; pass variable_col=/value_col=")
                if layout == "wide" or (layout == "auto" and not is_long):
                    return "wide", i, {"region": r, "year": y, "unit": u}
                return "long", i, {"region": r, "year": y, "variable": v, "value": val, "unit": u}
        if layout in ("auto", "yearbook"):
            years = {j: parse_year(c) for j, c in enumerate(row)}
            years = {j: yv for j, yv in years.items() if yv is not None}
            others = [c for j, c in enumerate(row) if j not in years and not is_blank(c)]
            if len(years) >= 2 and all(isinstance(c, str) for c in others):
                distinct = len(set(years.values()))
                if distinct == len(years):
                    return "yearbook", i, {"years": years}
                if distinct >= 2 or _find_col(norm, "region", None) is not None:  # 地区 | 2015 | 2015
                    return "repeated-years", i, {"years": years}
    return None


def _repeated_years_error(grid: Grid, h: int, years: dict) -> InputError:
    """The header row ``h`` of a regions × years table names a year twice: say which, where, and the fix."""
    by_year: dict = {}
    for j, y in years.items():
        by_year.setdefault(y, []).append(j)
    parts = []
    for y, js in by_year.items():
        if len(js) > 1:
            cells = " and ".join(f"{col_letter(j)}{h + 1} ({cell_text(grid.get(h, j))!r})" for j in js)
            parts.append(f"year {y} in cells {cells}")
    return InputError(f"{grid.where(h)}: the header of this regions × years table repeats "
                      f"{'; '.join(parts)}; each year must head exactly one column: delete the repeated column "
                      "or correct its year (one variable per sheet, years across)")


# ----------------------------------------------------------------------------------------------
# parsing one grid
# ----------------------------------------------------------------------------------------------
class _Sink:
    """Collects records and audit rows while parsing."""

    def __init__(self):
        self.rec = []    # (region_raw, year, variable, value, file, sheet, row, col)
        self.audit = []
        self.units = {}
        self.rows_seen = 0      # data rows met in any table (kept variables or not)
        self.seen = {}          # every variable met → where (kept or not), for suggestions
        self.header_only = []   # (grid, header row, variables) of tables without a data row

    def saw(self, variable, where):
        self.seen.setdefault(variable, where)

    def no_rows(self, grid, h, variables):
        self.header_only.append((grid, h, list(variables)))

    def cell(self, grid, i, j, region, year, variable, raw, jr):
        try:
            val, action, reason = to_number(raw)
        except ValueError as exc:
            raise InputError(f"{grid.where(i, j)}: {exc} (region {region!r}, year {year}, variable "
                             f"{variable!r}); fix the cell or blank it") from None
        if action:
            self.audit.append(dict(stage="read", file=grid.file, sheet=grid.sheet, row=i + 1,
                                   column=col_letter(j), region=region, year=year, variable=variable,
                                   action=action, reason=reason, old=cell_text(raw) if raw is not None else "",
                                   new=val))
        self.rec.append((region, year, variable, val, grid.file, grid.sheet, i + 1, col_letter(j), col_letter(jr)))


def _is_footer(grid, i, j_region) -> bool:
    txt = cell_text(grid.get(i, j_region))
    first = next((cell_text(c) for c in grid.cells[i] if not is_blank(c)), "")
    return bool(_NOTE_PREFIX.match(txt) or (not txt and _NOTE_PREFIX.match(first)))


def _parse_long(grid, h, cm, sink, keep):
    jr, jy, jv, jval, ju = cm["region"], cm["year"], cm["variable"], cm["value"], cm.get("unit")
    n_rows = 0
    for i in range(h + 1, grid.n_rows):
        row = grid.cells[i]
        if all(is_blank(c) for c in row):
            continue
        if _is_footer(grid, i, jr):
            break
        n_rows += 1
        region = cell_text(grid.get(i, jr))
        var = cell_text(grid.get(i, jv))
        if var:
            sink.saw(var, grid.where(None, jv))
        if keep is not None and var not in keep:
            continue
        if not region:
            raise InputError(f"{grid.where(i, jr)}: empty region cell in a data row")
        if not var:
            raise InputError(f"{grid.where(i, jv)}: empty variable cell in a data row")
        year = parse_year(grid.get(i, jy))
        if year is None:
            raise InputError(f"{grid.where(i, jy)}: {cell_text(grid.get(i, jy))!r} is not a year "
                             "(expected e.g. 2010, 2010.0 or 2010年)")
        if ju is not None and cell_text(grid.get(i, ju)):
            sink.units.setdefault(var, cell_text(grid.get(i, ju)))
        sink.cell(grid, i, jval, region, year, var, grid.get(i, jval), jr)
    sink.rows_seen += n_rows
    if not n_rows:
        sink.no_rows(grid, h, [])


def _parse_wide(grid, h, cm, sink, keep):
    jr, jy, ju = cm["region"], cm["year"], cm.get("unit")
    head = grid.cells[h]
    body = [i for i in range(h + 1, grid.n_rows) if not all(is_blank(c) for c in grid.cells[i])]
    stop = next((i for i in body if _is_footer(grid, i, jr)), None)
    if stop is not None:
        body = [i for i in body if i < stop]
    names = [(j, cell_text(c)) for j, c in enumerate(head) if j not in (jr, jy, ju) and cell_text(c)]
    for j, name in names:
        sink.saw(name, grid.where(None, j))
    sink.rows_seen += len(body)
    if not body:
        sink.no_rows(grid, h, [name for _, name in names])
        return
    var_cols = []
    wanted = [(j, name) for j, name in names if keep is None or name in keep]
    if not wanted:  # none of the variables asked for: read_panel names them
        return
    for j, name in wanted:
        numeric = 0
        text = 0
        for i in body:
            try:
                _, act, _ = to_number(grid.get(i, j))
                numeric += act != "missing"
            except ValueError:
                text += 1
        if text and not numeric:
            sink.audit.append(dict(stage="read", file=grid.file, sheet=grid.sheet, row=h + 1,
                                   column=col_letter(j), region="", year=None, variable=name, action="dropped",
                                   reason="column holds text, not numbers: not a variable", old="", new=""))
            continue
        var_cols.append((j, name))
    if not var_cols:
        raise InputError(f"{grid.where(h)}: wide layout without any numeric variable column; header is "
                         f"{[cell_text(c) for c in head]}")
    for i in body:
        region = cell_text(grid.get(i, jr))
        if not region:
            raise InputError(f"{grid.where(i, jr)}: empty region cell in a data row")
        year = parse_year(grid.get(i, jy))
        if year is None:
            raise InputError(f"{grid.where(i, jy)}: {cell_text(grid.get(i, jy))!r} is not a year "
                             "(expected e.g. 2010, 2010.0 or 2010年)")
        for j, name in var_cols:
            sink.cell(grid, i, j, region, year, name, grid.get(i, j), jr)


def _parse_yearbook(grid, h, cm, sink, variable, keep):
    years = cm["years"]
    head = grid.cells[h]
    first_year_col = min(years)
    # region column: a header cell naming it, else the text column nearest left of the years
    norm = [_norm(c) for c in head]
    jr = _find_col(norm, "region", None)
    if jr is None:
        cands = [j for j in range(first_year_col) if j not in years]
        scores = []
        for j in cands:
            n_text = sum(1 for i in range(h + 1, min(grid.n_rows, h + 40))
                         if isinstance(grid.get(i, j), str) and grid.get(i, j).strip())
            scores.append((n_text, j))
        if not scores or max(scores)[0] == 0:
            raise InputError(f"{grid.where(h)}: yearbook layout without a column of region names left of the "
                             "year columns")
        jr = max(scores, key=lambda t: (t[0], t[1]))[1]
    # unit: a 单位:… above the header (or in the header's region cell)
    for i in range(0, h + 1):
        for c in grid.cells[i]:
            m = _UNIT_RE.search(cell_text(c))
            if m:
                sink.units.setdefault(variable, m.group(1))
                break
    sink.saw(variable, grid.where())
    if keep is not None and variable not in keep:
        return
    n_rows = 0
    for i in range(h + 1, grid.n_rows):
        row = grid.cells[i]
        if all(is_blank(c) for c in row):
            continue
        if _is_footer(grid, i, jr):
            break
        region = cell_text(grid.get(i, jr))
        if not region:
            if all(is_blank(grid.get(i, j)) for j in years):
                continue
            raise InputError(f"{grid.where(i, jr)}: values without a region name")
        n_rows += 1
        for j, year in years.items():
            sink.cell(grid, i, j, region, year, variable, grid.get(i, j), jr)
    sink.rows_seen += n_rows
    if not n_rows:
        sink.no_rows(grid, h, [variable])


_DEFAULT_SHEET = re.compile(r"^(sheet\d*|工作表\d*|sheet)$", re.IGNORECASE)


# ----------------------------------------------------------------------------------------------
# regions
# ----------------------------------------------------------------------------------------------
def _china_mode(names, regions_mode):
    """Whether to normalise region names to GB/T 2260 codes.

    ``"auto"`` normalises when every name (aggregates aside) is a province. When only some are, the
    names are kept as given (a panel of cities such as Beijing, Tianjin, Shijiazhuang …) unless at least
    half are provinces and one of the others is within a typo of a province's spelling (``河鼈`` for
    ``河北``): then normalising reports that name with suggestions (pass ``regions="as-is"`` to keep it).
    """
    if regions_mode == "as-is":
        return False
    if regions_mode == "china":
        return True
    if regions_mode != "auto":
        raise InputError(f"regions must be 'auto', 'china' or 'as-is', got {regions_mode!r}")
    from .. import regions as R
    cand = [n for n in names if not is_aggregate(n)]
    if not cand:
        return False
    unknown = [n for n in cand if not R.is_province(_squash(n))]
    if not unknown:
        return True
    if len(cand) - len(unknown) < max(1, 0.5 * len(cand)):
        return False
    return any(_near_province(n) for n in unknown)


@lru_cache(maxsize=1)
def _province_spellings() -> tuple:
    from .. import regions as R
    P = R.PROVINCES
    out = set()
    for col in ("name_full", "name_short", "name_en", "pinyin"):
        if col in P.columns:
            out.update(_key(v) for v in P[col].dropna().astype(str))
    return tuple(sorted(k for k in out if k))


def _key(name: str) -> str:
    from ..regions import name_key

    return name_key(name)


def _osa(a: str, b: str) -> int:
    """Optimal string alignment distance (Levenshtein with adjacent transpositions)."""
    d = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        d[i][0] = i
    for j in range(len(b) + 1):
        d[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)]


def _near_province(name: str) -> bool:
    """True when ``name`` is one edit from a province's spelling (two for Latin names of 8+ letters)."""
    k = _key(_squash(name))
    if not k:
        return False
    limit = 1 if (not k.isascii() or len(k) < 8) else 2
    return any(abs(len(k) - len(s)) <= limit and _osa(k, s) <= limit for s in _province_spellings())


def _squash(name: str) -> str:
    """Remove spaces inside Chinese names (``北   京`` → ``北京``); keep them in Latin ones."""
    s = name.strip()
    return re.sub(r"\s+", "", s) if re.search(r"[\u4e00-\u9fff]", s) else s


# ----------------------------------------------------------------------------------------------
# public readers
# ----------------------------------------------------------------------------------------------
def _expand_paths(path):
    if isinstance(path, (list, tuple)):
        return [Path(p) for p in path]
    p = Path(path)
    if p.is_dir():
        files = sorted(q for q in p.iterdir() if q.suffix.lower() in (".csv", ".xlsx", ".xlsm", ".xls", ".parquet",
                                                                        ".tsv")
                       and not q.name.startswith(("~$", ".")))
        if not files:
            raise InputError(f"{p}: folder without .csv/.xlsx/.xls/.parquet files")
        return files
    return [p]


def read_panel(path, layout: str = "auto", sheet=None, region_col=None, year_col=None, variable_col=None,
               value_col=None, regions: str = "auto", encoding: str | None = None, variables=None) -> Panel:
    """Read a raw panel into long form with an audit of everything changed on the way.

    Parameters
    ----------
    path : str, Path, folder or list of paths
        ``.csv`` (UTF-8, UTF-8 with BOM, GBK/GB18030, UTF-16 detected), ``.xlsx``, ``.xls``, ``.parquet``; a folder
        or a list for one file per variable (yearbook) or several files of the same layout.
    layout : {"auto", "long", "wide", "yearbook"}
    sheet : str, int or list, optional
        Sheet(s) to read; default all sheets (sheets without a recognisable table are skipped with an
        audit row; an error if none is recognisable).
    region_col, year_col, variable_col, value_col : str, optional
        Header names, when the aliases do not find them.
    regions : {"auto", "china", "as-is"}
    encoding : str, optional
        Force the text encoding of CSV files.
    variables : list of str, optional
        Keep only these variables (each must be present, with at least one number; names from
        :attr:`nqpf.spec.Spec.variables` make a missing one the spec's error).

    Returns
    -------
    Panel
    """
    if layout not in ("auto", "long", "wide", "yearbook"):
        raise InputError(f"layout must be 'auto', 'long', 'wide' or 'yearbook', got {layout!r}")
    requested = None if variables is None else {str(v): v for v in variables}
    keep = None if requested is None else set(requested)
    cols = {"region": region_col, "year": year_col, "variable": variable_col, "value": value_col}
    sink = _Sink()
    layouts, meta = [], {}
    for f in _expand_paths(path):
        grids, info = read_grids(f, sheet=sheet, encoding=encoding)
        meta.update({f"{f.name}:{k}": v for k, v in info.items()})
        found_any = False
        skipped_repeats = []
        for g in grids:
            det = _detect(g, layout, cols)
            if det is None:
                sink.audit.append(dict(stage="read", file=g.file, sheet=g.sheet, row=None, column="", region="",
                                       year=None, variable="", action="dropped",
                                       reason="no table header found (no region and year columns, no row of "
                                              "years): sheet skipped", old="", new=""))
                continue
            lay, h, cm = det
            if lay == "repeated-years":
                var = g.sheet if g.sheet and not (_DEFAULT_SHEET.match(g.sheet) and len(grids) == 1) else f.stem
                if keep is not None and var not in keep:  # a sheet not asked for: skipped, as without a table
                    sink.audit.append(dict(stage="read", file=g.file, sheet=g.sheet, row=h + 1, column="",
                                           region="", year=None, variable=var, action="dropped",
                                           reason="header repeats a year: sheet skipped (not a variable read)",
                                           old="", new=""))
                    skipped_repeats.append(_repeated_years_error(g, h, cm["years"]))
                    continue
                raise _repeated_years_error(g, h, cm["years"])
            found_any = True
            layouts.append(lay)
            if lay == "long":
                _parse_long(g, h, cm, sink, keep)
            elif lay == "wide":
                _parse_wide(g, h, cm, sink, keep)
            else:
                var = g.sheet if g.sheet and not (_DEFAULT_SHEET.match(g.sheet) and len(grids) == 1) else f.stem
                _parse_yearbook(g, h, cm, sink, var, keep)
        if not found_any and skipped_repeats:
            raise skipped_repeats[0]
        if not found_any:
            want = {"auto": "a header row naming region and year columns (地区/省份, 年份) or a row of years",
                    "long": "a header naming region, year, variable and value columns",
                    "wide": "a header naming region and year columns",
                    "yearbook": "a row of years (2010, 2011 … or 2010年 …)"}[layout]
            explicit = {k: v for k, v in cols.items() if v is not None}
            raise InputError(f"{f}: no table found in the first 40 rows of any sheet: expected {want}"
                             + (f" (looked for columns {explicit})" if explicit else "")
                             + "; name the layout and columns (command line: --layout, --region-col, "
                             "--year-col, --variable-col, --value-col; Python: layout=, region_col=, …)")
    rec = pd.DataFrame(sink.rec, columns=["raw", "year", "variable", "value", "file", "sheet", "row", "col",
                                      "rcol"])
    audit_rows = sink.audit
    region_label: dict = {}
    if not sink.rows_seen and sink.header_only:
        raise _no_rows_error(sink.header_only)
    if keep is not None:
        absent = sorted(keep - set(rec["variable"]))
        if absent:
            raise _absent_error(path, absent, requested, sink)
        _check_not_empty(rec, [v for v in requested if v in keep])
    names = list(dict.fromkeys(rec["raw"]))
    china = _china_mode([_squash(n) for n in names], regions)
    mapping = {}
    if china:
        from .. import regions as R
        agg = rec["raw"].map(lambda n: is_aggregate(_squash(n)))
        for r in rec[agg].itertuples():
            audit_rows.append(dict(stage="read", file=r.file, sheet=r.sheet, row=r.row, column=r.col, region=r.raw,
                                   year=r.year, variable=r.variable, action="dropped",
                                   reason="aggregate row, not a province", old=r.value, new=None))
        rec = rec[~agg.to_numpy()]
        first = rec.drop_duplicates("raw")
        for r in first.itertuples():
            where = f"{r.file}" + (f", sheet {r.sheet!r}" if r.sheet else "") + f", row {r.row}, column " \
                    f"{_region_letter(r)}"
            code = _normalize(R, _squash(r.raw), where)
            mapping[r.raw] = code
            region_label.setdefault(code, _squash(r.raw))
            if _squash(r.raw) != code:
                audit_rows.append(dict(stage="read", file=r.file, sheet=r.sheet, row=r.row,
                                       column=_region_letter(r), region=code, year=None, variable="",
                                       action="renamed", reason="region name normalised to its GB/T 2260 code",
                                       old=r.raw, new=code))
    else:
        for n in names:
            mapping[n] = n.strip()
            region_label.setdefault(n.strip(), n.strip())
    rec = rec.assign(region=rec["raw"].map(mapping))
    # audit rows carry the region id
    for a in audit_rows:
        if a.get("region") in mapping and a["action"] in ("missing", "coerced"):
            a["region"] = mapping[a["region"]]
    rec, dup_audit = _check_duplicates(rec)
    audit_rows.extend(dup_audit)
    data = pd.DataFrame({
        "region": rec["region"].astype(str).to_numpy(),
        "year": rec["year"].astype(int).to_numpy(),
        "variable": rec["variable"].astype(str).to_numpy(),
        "value": rec["value"].astype(float).to_numpy(),
    })
    audit = pd.DataFrame(audit_rows, columns=AUDIT_COLUMNS) if audit_rows else empty_audit()
    meta.update(layout=sorted(set(layouts)), regions="china" if china else "as-is")
    return Panel(data=data, audit=audit, region_label=region_label, units=dict(sink.units), meta=meta)


def _no_rows_error(header_only) -> InputError:
    """Every table found has a header but no data row below it."""
    g, h, _ = header_only[0]
    head = ", ".join(t for t in (cell_text(c) for c in g.cells[h]) if t)
    more = f" (and {len(header_only) - 1} other sheet(s) likewise)" if len(header_only) > 1 else ""
    what = "the sheet" if g.sheet else "the file"
    return InputError(f"{g.where(h)}: {what} has no data rows: the table's header ({head}) is there but "
                      f"nothing below it{more}; fill in the data below the header, or check that the right "
                      "file was saved")


def _absent_error(path, absent, requested, sink) -> InputError:
    """Variables asked for but not read: a table without data rows, a spec's name not in the data, or
    simply not there (with the closest names the data have)."""
    for g, h, names in sink.header_only:
        for v in absent:
            if v in names:
                return InputError(f"{g.where(h)}: variable {v!r} has no data rows (the header is there, nothing "
                                  "below it); fill in the data below the header")
    from ..spec import close_names, missing_variables_error

    asked = [requested[v] for v in absent]
    if any(getattr(v, "uses", None) for v in asked):  # names of a spec: the spec's formula or id is at fault
        return missing_variables_error(asked, list(sink.seen), data=str(path))
    hints = []
    for v in absent:
        close = close_names(v, list(sink.seen))
        if close:
            hints.append(f"{v!r}: did you mean {', '.join(map(repr, close))}?")
    return InputError(f"{path}: variable(s) not found: {absent}" + (f" ({'; '.join(hints)})" if hints else "")
                      + f"; variables in the data: {sorted(sink.seen)[:30]}")


def _check_not_empty(rec: pd.DataFrame, wanted) -> None:
    """A requested variable without a single number (every cell blank or a missing marker) is an error
    naming where it was read, instead of a list of every region-year missing it later."""
    for v in wanted:
        part = rec[rec["variable"] == v]
        if not len(part) or part["value"].notna().any():
            continue
        places = []
        for (file, sheet), cells in part.groupby(["file", "sheet"], sort=False):
            cols = sorted(set(cells["col"]), key=lambda c: (len(c), c))
            col = f"column {cols[0]}" if len(cols) == 1 else f"columns {cols[0]}-{cols[-1]}"
            places.append(f"{file}" + (f", sheet {sheet!r}" if sheet else "") + f", {col}")
        raise InputError(f"{'; '.join(places)}: variable {v!r} is empty: none of its {len(part)} cells holds a "
                         "number (all blank or missing-value markers such as — or NA); fill it in, or leave the "
                         "indicator that needs it out of the spec")


def _region_letter(r) -> str:
    return getattr(r, "rcol", "") or ""


def _normalize(R, name, where):
    try:
        return R.normalize(name, where=where)
    except UnknownRegionError as exc:
        if re.fullmatch(r"\d{6}", name) and name in set(R.PROVINCES["code"]):
            return name
        if where and where not in str(exc):
            raise UnknownRegionError(name, getattr(exc, "suggestions", []), where=where) from None
        raise


def _check_duplicates(rec: pd.DataFrame):
    key = ["region", "year", "variable"]
    dup = rec.duplicated(key, keep=False)
    audit = []
    if not dup.any():
        return rec, audit
    drop = []
    for _, g in rec[dup].groupby(key, sort=False):
        a = g.iloc[0]
        for idx, b in g.iloc[1:].iterrows():
            same = (np.isnan(a["value"]) and np.isnan(b["value"])) or a["value"] == b["value"]
            raise InputError(
                f"two rows for region {a['raw']!r} ({a['region']}), year {a['year']}, variable "
                f"{a['variable']!r}: {_loc(a)} = {a['value']} and {_loc(b)} = {b['value']}"
                + (" (identical values)" if same else "")
                + "; keep one of them, or read only the variables you need (variables=[...]; the "
                "commands index and run read only the spec's variables)")
    return rec, audit


def _loc(r) -> str:
    return f"{r['file']}" + (f", sheet {r['sheet']!r}" if r["sheet"] else "") + f", row {r['row']}, column {r['col']}"


_SCORE_NAMES = ["score", "scores", "得分", "综合得分", "综合指数", "指数", "发展潜力", "value", "数值", "index"]


def read_scores(path, layout: str = "auto", sheet=None, region_col=None, year_col=None, score_col=None,
                regions: str = "auto", encoding: str | None = None) -> Scores:
    """Read a score panel (regions × years) for analysis.

    Long (``region, year, score`` [+ other columns]) or wide (regions in rows, years in columns) is
    detected. ``score_col`` picks the score column of a long table (default: the only numeric column, or
    one named score/得分/综合得分/指数).

    Returns
    -------
    Scores
        ``Y`` indexed by the region names as written (first spelling met), int year columns; ``labels``
        id → name; ``codes`` id → GB/T code (empty unless Chinese provinces); ``audit``.
    """
    lay = {"long": "wide", "wide": "yearbook"}.get(layout, layout)  # a long score table is a "wide" panel
    variables = [score_col] if score_col is not None else None
    panel = read_panel(path, layout=lay, sheet=sheet, region_col=region_col, year_col=year_col,
                       regions=regions, encoding=encoding, variables=variables)
    d = panel.data
    vars_ = list(dict.fromkeys(d["variable"]))
    if score_col is not None:
        var = score_col
    elif len(vars_) == 1:
        var = vars_[0]
    else:
        named = [v for s in _SCORE_NAMES for v in vars_ if _norm(v) == _norm(s)]
        if not named:
            raise InputError(f"{path}: several numeric columns {vars_}; say which holds the score with "
                             "score_col=")
        var = named[0]
    d = d[d["variable"] == var]
    Y = d.pivot(index="region", columns="year", values="value")
    order = list(dict.fromkeys(d["region"]))
    Y = Y.loc[order]
    Y.columns = [int(c) for c in Y.columns]
    Y = Y.reindex(sorted(Y.columns), axis=1)
    Y.index.name = "region"
    Y.columns.name = "year"
    china = panel.meta.get("regions") == "china"
    names = [panel.region_label.get(r, r) for r in Y.index]
    codes = dict(zip(names, Y.index)) if china else {}
    Y.index = pd.Index(names, name="region")
    labels = {n: n for n in names}
    audit = panel.audit.copy()
    if china and len(audit):  # the same region ids as Y
        audit["region"] = audit["region"].map(lambda c: panel.region_label.get(c, c))
    return Scores(Y=Y, labels=labels, codes=codes, audit=audit, variable=var)


def read_long_scores(path, region_col=None, year_col=None, score_col=None, **kw) -> Scores:
    """Same as :func:`read_scores` (long or wide detected); kept for the name used by ``nqpf analyze``."""
    return read_scores(path, region_col=region_col, year_col=year_col, score_col=score_col, **kw)
