"""Tables on a sheet: header detection, the long, wide and yearbook layouts (and regions across in blocks of
years, variables down), and what surrounds a table
(title, units and notes rows, two-row headers under merged cells, tables stacked one below another).

Internal to :mod:`nqpf.io.readers`, whose docstring states the rules. Every parser returns the row at
which a further table stacked below starts (or None), and records what it read and every row it did
not read as data (units, notes, a further header) in a :class:`_Sink`.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..errors import InputError
from ..i18n._reasons import reason
from ._cells import Grid, cell_number, cell_text, col_letter, is_blank, parse_year, read_grids, to_number
from ._names import _squash


_HEADER_WORDS = {  # Simplified and Traditional spellings
    "region": ["region", "province", "provinces", "地区", "省份", "省区", "省市", "省", "地区名称", "省份名称",
               "区域", "region_id", "region_name", "省级行政区", "地 区", "city", "城市", "country",
               "地區", "省區", "地區名稱", "省份名稱", "區域", "省級行政區", "城巿"],
    "year": ["year", "年份", "年度", "年", "时间", "time", "period", "時間"],
    "variable": ["variable", "variable_code", "indicator", "指标", "变量", "指标名称", "指标代码", "item",
                 "指標", "變量", "指標名稱", "指標代碼"],
    "value": ["value", "数值", "值", "数据", "数量", "val", "數值", "數據", "數量"],
    "unit": ["unit", "单位", "计量单位", "單位", "計量單位"],
}


_NOTE_PREFIX = re.compile(r"^\s*(注|备注|说明|资料来源|数据来源|来源|note|notes|source|sources)\s*[:：0-9.、]?",
                          re.IGNORECASE)


_UNIT_RE = re.compile(r"(?:单位|unit)\s*[:：]\s*([^\s)）,，;；]+)", re.IGNORECASE)


def _empty_region(grid, i: int, jr: int) -> InputError:
    """The error of a data row without its region (long and wide layouts)."""
    return InputError(f"{grid.where(i, jr)}: empty region cell in a data row; fill in the region or delete the row")


def _row_year(grid, i: int, jy: int) -> int:
    """The year of data row ``i`` read from column ``jy``; InputError naming the cell when it is not one."""
    year = parse_year(grid.get(i, jy))
    if year is None:
        raise InputError(f"{grid.where(i, jy)}: {cell_text(grid.get(i, jy))!r} is not a year "
                         "(expected e.g. 2010, 2010.0 or 2010年)")
    return year

def _norm(h) -> str:
    return re.sub(r"\s+", "", cell_text(h)).lower()


def _find_col(row_norm: list, key: str, explicit):
    if explicit is not None:
        target = _norm(explicit)
        return row_norm.index(target) if target in row_norm else None
    for a in _HEADER_WORDS[key]:
        a = _norm(a)
        if a in row_norm:
            return row_norm.index(a)
    return None


def _detect(grid: Grid, layout: str, cols: dict, start: int = 0):
    """Return (layout, header_row_index, column map) of the first table at or below row ``start`` of
    ``grid`` (looking 40 rows down), or None."""
    for i in range(start, min(grid.n_rows, start + 40)):
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


class _Sink:
    """Collects records and audit rows while parsing."""

    def __init__(self):
        self.rec = []    # (region_raw, year, variable, value, file, sheet, row, col, region col, header row,
        #                 row of the region cell)
        self.audit = []
        self.units = {}
        self.rows_seen = 0      # data rows met in any table (kept variables or not)
        self.seen = {}          # every variable met → where (kept or not), for suggestions
        self.header_only = []   # (grid, header row, variables) of tables without a data row

    def saw(self, variable, where):
        self.seen.setdefault(variable, where)

    def no_rows(self, grid, h, variables):
        self.header_only.append((grid, h, list(variables)))

    def note(self, grid, i, action, why, variable="", column="", old="", new=""):
        """An audit row about a whole row of the sheet (a units row, a second table's header …); ``why``
        the reason's fields (:func:`nqpf.i18n._reasons.reason`)."""
        self.audit.append(dict(stage="read", file=grid.file, sheet=grid.sheet, row=None if i is None else i + 1,
                               column=column, region="", year=None, variable=variable, action=action,
                               old=old, new=new, **why))

    def cell(self, grid, i, j, region, year, variable, raw, jr, h, region_row=None):
        """Record the value of cell (``i``, ``j``); the region's name is in column ``jr`` of the same row,
        or of row ``region_row`` (a header row naming the regions across)."""
        try:
            val, action, why = cell_number(raw)
        except ValueError as exc:
            raise InputError(f"{grid.where(i, j)}: {exc} (region {region!r}, year {year}, variable "
                             f"{variable!r}); fix the cell or blank it") from None
        if action:
            self.audit.append(dict(stage="read", file=grid.file, sheet=grid.sheet, row=i + 1,
                                   column=col_letter(j), region=region, year=year, variable=variable,
                                   action=action, old=cell_text(raw) if raw is not None else "", new=val, **why))
        self.rec.append((region, year, variable, val, grid.file, grid.sheet, i + 1, col_letter(j), col_letter(jr),
                         h + 1, (i if region_row is None else region_row) + 1))


def _is_footer(grid, i, j_region) -> bool:
    txt = cell_text(grid.get(i, j_region))
    first = next((cell_text(c) for c in grid.cells[i] if not is_blank(c)), "")
    return bool(_NOTE_PREFIX.match(txt) or (not txt and _NOTE_PREFIX.match(first)))


# -- tables stacked on one sheet, units rows and two-row headers ------------------------------------------


_UNIT_WORD = re.compile(r"^\s*(单位|计量单位|unit|units)\s*[:：]?\s*$", re.IGNORECASE)


@lru_cache(maxsize=None)
def _alias_norms(key: str) -> frozenset:
    return frozenset(_norm(a) for a in _HEADER_WORDS[key])


def _heads_again(grid, i, h, cm) -> bool:
    """Row ``i`` repeats the region and year headers of the long/wide table headed at row ``h``."""
    jr, jy = cm["region"], cm["year"]
    r, y = _norm(grid.get(i, jr)), _norm(grid.get(i, jy))
    return bool(r and y) and r in (_alias_norms("region") | {_norm(grid.get(h, jr))}) \
        and y in (_alias_norms("year") | {_norm(grid.get(h, jy))})


def _years_again(grid, i, jr) -> bool:
    """Row ``i`` heads another regions × years table: two or more years and nothing else but a blank or
    region-column word (地区) in the region column."""
    rc = _norm(grid.get(i, jr))
    if rc and rc not in _alias_norms("region"):
        return False
    years = others = 0
    for j, c in enumerate(grid.cells[i]):
        if j == jr or is_blank(c):
            continue
        if parse_year(c) is None:
            others += 1
        else:
            years += 1
    return years >= 2 and not others


_TITLE_WORD = re.compile(r"表|续|table|cont", re.IGNORECASE)


def _starts_table(grid, i, is_head, h) -> bool:
    """Row ``i`` begins another table stacked below the one headed at row ``h``: its header, or a title
    row just above its header. A title is one text cell that names no province and either reads like a
    title (表, 续, table) or heads a table whose header differs from row ``h``'s (above an identical header,
    a lone name is a region whose values are all blank)."""
    if is_head(i):
        return True
    filled = [c for c in grid.cells[i] if not is_blank(c)]
    if len(filled) == 1 and isinstance(filled[0], str) and parse_year(filled[0]) is None \
            and not _names_a_province(filled[0]):
        for k in range(i + 1, min(grid.n_rows, i + 4)):
            if not all(is_blank(c) for c in grid.cells[k]):
                same = [_norm(c) for c in grid.cells[k]] == [_norm(c) for c in grid.cells[h]]
                return is_head(k) and (not same or bool(_TITLE_WORD.search(filled[0])))
    return False


def _names_a_province(text: str) -> bool:
    from .. import regions as R

    return R.is_province(_squash(text))


def _body(grid, first, jr, is_head, sink, h):
    """Data rows of the table headed at row ``h`` from row ``first``: up to its notes (the rows from there
    on are audited as not read), or to the next table stacked below it (whose first row is returned,
    else None)."""
    rows = []
    for i in range(first, grid.n_rows):
        if all(is_blank(c) for c in grid.cells[i]):
            continue
        if _is_footer(grid, i, jr):
            last = max(k for k in range(i, grid.n_rows) if not all(is_blank(c) for c in grid.cells[k]))
            note = next(cell_text(c) for c in grid.cells[i] if not is_blank(c))
            sink.note(grid, i, "dropped", reason("notes_below", first=i + 1, last=last + 1), old=note)
            return rows, None
        if _starts_table(grid, i, is_head, h):
            return rows, i
        rows.append(i)
    return rows, None


def _is_text(c) -> bool:
    """A cell holding text that is not a number nor a missing-value marker (a word such as 亿元)."""
    if is_blank(c) or isinstance(c, (bool, np.bool_)):
        return False
    try:
        to_number(c)
    except ValueError:
        return True
    return False


def _extra_header_rows(grid, h, label_cols) -> list:
    """Rows just below the header at ``h`` that continue it: the region (and year) cells blank or a
    units word (单位), every other filled cell a word: a second header row under merged cells, or a
    units row."""
    out = []
    for i in range(h + 1, min(grid.n_rows, h + 4)):
        row = grid.cells[i]
        if all(is_blank(c) for c in row):
            break
        labels = [cell_text(grid.get(i, j)) for j in label_cols]
        if any(t and not _UNIT_WORD.match(t) for t in labels):
            break
        cells = [c for j, c in enumerate(row) if j not in label_cols and not is_blank(c)]
        if not cells or not all(_is_text(c) for c in cells):
            break
        out.append(i)
    return out


def _two_row_header(grid, h, extra, names, skip, sink):
    """Apply the rows ``extra`` below the header to the variable names: the first is a second header row
    when some variable column has no name above it (cells merged across), its words naming the
    variables (audited ``renamed``); any other is a units row (units kept, audited ``dropped``)."""
    names = dict(names)
    for n, i in enumerate(extra):
        sub = {j: cell_text(c) for j, c in enumerate(grid.cells[i]) if j not in skip and cell_text(c)}
        if n == 0 and any(not names.get(j) for j in sub):
            group = ""
            for j in range(max(list(sub) + list(names) + [0]) + 1):
                if j in skip:
                    continue
                group = names.get(j) or group
                if j in sub:
                    old = names.get(j) or group
                    names[j] = sub[j]
                    why = (reason("two_row_header_group", col=col_letter(j), row=i + 1, group=group, group_row=h + 1)
                           if group else reason("two_row_header", col=col_letter(j), row=i + 1))
                    sink.note(grid, i, "renamed", why, variable=sub[j], column=col_letter(j), old=old, new=sub[j])
            continue
        for j, unit in sub.items():
            if names.get(j):
                sink.units.setdefault(names[j], unit)
        sink.note(grid, i, "dropped",
                  reason("units_row", units=[f"{names.get(j, col_letter(j))} {u}" for j, u in sub.items()]),
                  old=" | ".join(sub.values()))
    return names


# -- the three layouts -------------------------------------------------------------------------------------


def _parse_long(grid, h, cm, sink, keep):
    jr, jy, jv, jval, ju = cm["region"], cm["year"], cm["variable"], cm["value"], cm.get("unit")
    body, nxt = _body(grid, h + 1, jr, lambda i: _heads_again(grid, i, h, cm), sink, h)
    for i in body:
        region = cell_text(grid.get(i, jr))
        var = cell_text(grid.get(i, jv))
        if var:
            sink.saw(var, grid.where(None, jv))
        if keep is not None and var not in keep:
            continue
        if not region:
            raise _empty_region(grid, i, jr)
        if not var:
            raise InputError(f"{grid.where(i, jv)}: empty variable cell in a data row; fill in the variable or "
                             "delete the row")
        year = _row_year(grid, i, jy)
        if ju is not None and cell_text(grid.get(i, ju)):
            sink.units.setdefault(var, cell_text(grid.get(i, ju)))
        sink.cell(grid, i, jval, region, year, var, grid.get(i, jval), jr, h)
    sink.rows_seen += len(body)
    if not body:
        sink.no_rows(grid, h, [])
    return nxt


def _parse_wide(grid, h, cm, sink, keep):
    jr, jy, ju = cm["region"], cm["year"], cm.get("unit")
    head = grid.cells[h]
    skip = {j for j in (jr, jy, ju) if j is not None}
    extra = _extra_header_rows(grid, h, [jr, jy])
    named = _two_row_header(grid, h, extra, {j: cell_text(c) for j, c in enumerate(head) if j not in skip},
                            skip, sink)
    first = extra[-1] + 1 if extra else h + 1
    body, nxt = _body(grid, first, jr, lambda i: _heads_again(grid, i, h, cm), sink, h)
    names = [(j, name) for j, name in sorted(named.items()) if name]
    for j, name in names:
        sink.saw(name, grid.where(None, j))
    sink.rows_seen += len(body)
    if not body:
        sink.no_rows(grid, h, [name for _, name in names])
        return nxt
    var_cols = []
    wanted = [(j, name) for j, name in names if keep is None or name in keep]
    if not wanted:  # none of the variables asked for: read_panel names them
        return nxt
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
            sink.note(grid, h, "dropped", reason("text_column"), variable=name, column=col_letter(j))
            continue
        var_cols.append((j, name))
    if not var_cols:
        raise InputError(f"{grid.where(h)}: wide layout without any numeric variable column; header is "
                         f"{[cell_text(c) for c in head]}")
    for i in body:
        region = cell_text(grid.get(i, jr))
        if not region:
            raise _empty_region(grid, i, jr)
        year = _row_year(grid, i, jy)
        for j, name in var_cols:
            sink.cell(grid, i, j, region, year, name, grid.get(i, j), jr, h)
    return nxt


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
                             "year columns; put the region names in the first column")
        jr = max(scores, key=lambda t: (t[0], t[1]))[1]
    # unit: a 单位:… above the header (or in the header's region cell), or a units row below it
    for i in range(0, h + 1):
        for c in grid.cells[i]:
            m = _UNIT_RE.search(cell_text(c))
            if m:
                sink.units.setdefault(variable, m.group(1))
                break
    extra = _extra_header_rows(grid, h, [jr])
    for i in extra:
        words = list(dict.fromkeys(cell_text(grid.get(i, j)) for j in years if cell_text(grid.get(i, j))))
        if words:
            sink.units.setdefault(variable, words[0])
        sink.note(grid, i, "dropped", reason("units_row_one"), variable=variable, old=" | ".join(words))
    sink.saw(variable, grid.where())
    body, nxt = _body(grid, extra[-1] + 1 if extra else h + 1, jr, lambda i: _years_again(grid, i, jr), sink, h)
    if keep is not None and variable not in keep:
        return nxt
    n_rows = 0
    for i in body:
        region = cell_text(grid.get(i, jr))
        if not region:
            if all(is_blank(grid.get(i, j)) for j in years):
                continue
            raise InputError(f"{grid.where(i, jr)}: values without a region name; fill in the region or "
                             "delete the row")
        n_rows += 1
        for j, year in years.items():
            sink.cell(grid, i, j, region, year, variable, grid.get(i, j), jr, h)
    sink.rows_seen += n_rows
    if not n_rows:
        sink.no_rows(grid, h, [variable])
    return nxt


def _region_blocks(grid, h, years: dict) -> dict | None:
    """Regions across in blocks of years: the header row ``h`` repeats the years (2013 … 2017, 2013 …
    2017 …) and the row above names each block's region in its first column (the other cells of the
    block blank, or the same name where merged cells were filled). Returns year column → (region, column
    of its name), or None when the sheet is not so laid out (then the repeated years are an error)."""
    if h == 0:
        return None
    out: dict = {}
    name, name_col, seen = None, None, set()
    for j in sorted(years):
        text = cell_text(grid.get(h - 1, j))
        if text and (text != name or years[j] in seen):
            name, name_col, seen = text, j, set()
        if name is None or years[j] in seen or parse_year(text) is not None:
            return None
        seen.add(years[j])
        out[j] = (name, name_col)
    n_blocks = len({c for _, c in out.values()})
    return out if n_blocks >= 2 and len({n for n, _ in out.values()}) == n_blocks else None


def _parse_across(grid, h, cm, sink, keep):
    """Variables down the rows, regions across in blocks of years (two header rows: regions above
    years); the variable's name is the text column left of the years (a second one, or one headed
    单位/unit, holds its unit)."""
    years, blocks = cm["years"], cm["regions"]
    first = min(years)
    label_cols = []
    for j in range(first):
        n_text = sum(1 for i in range(h + 1, min(grid.n_rows, h + 41)) if _is_text(grid.get(i, j)))
        if n_text:
            label_cols.append(j)
    if not label_cols:
        raise InputError(f"{grid.where(h)}: regions across in blocks of years, but no column of variable names "
                         "left of the year columns; put each row's variable name in the first column")
    heads = {j: _norm(grid.get(h - 1, j)) or _norm(grid.get(h, j)) for j in label_cols}
    ju = next((j for j in label_cols if heads[j] in _alias_norms("unit")), None)
    jn = next(j for j in label_cols if j != ju)
    if ju is None and len(label_cols) > 1:
        ju = next(j for j in label_cols if j != jn)
    body, nxt = _body(grid, h + 1, jn, lambda i: _years_again(grid, i, jn), sink, h)
    n_rows = 0
    for i in body:
        var = cell_text(grid.get(i, jn)).strip()
        if not var:
            if all(is_blank(grid.get(i, j)) for j in years):
                continue
            raise InputError(f"{grid.where(i, jn)}: values without a variable name; fill in the name or delete "
                             "the row")
        sink.saw(var, grid.where(i, jn))
        n_rows += 1
        if keep is not None and var not in keep:
            continue
        if ju is not None and cell_text(grid.get(i, ju)):
            sink.units.setdefault(var, cell_text(grid.get(i, ju)))
        for j, year in years.items():
            region, jr = blocks[j]
            sink.cell(grid, i, j, region, year, var, grid.get(i, j), jr, h, region_row=h - 1)
    sink.rows_seen += n_rows
    if not n_rows:
        sink.no_rows(grid, h, [])
    return nxt


_DEFAULT_SHEET = re.compile(r"^(sheet\d*|工作表\d*|sheet)$", re.IGNORECASE)


def _grids(f: Path, sheet, encoding, layout, cols):
    """The grids of one file; a CSV decoded as GB18030 in which no table is found is tried as Big5
    (Traditional Chinese, Taiwan and Hong Kong) before giving up."""
    grids, info = read_grids(f, sheet=sheet, encoding=encoding)
    if encoding is None and info.get("encoding") == "gb18030" and not any(_detect(g, layout, cols) for g in grids):
        try:
            alt, alt_info = read_grids(f, sheet=sheet, encoding="big5")
        except InputError:
            return grids, info
        if any(_detect(g, layout, cols) for g in alt):
            return alt, alt_info
    return grids, info


def _read_grid(g, layout, cols, sink, keep, var, layouts):
    """Parse every table of one sheet (tables stacked one below another are read in turn, each
    further header audited). Returns (a table was read, errors of a repeated-year header of a sheet not
    asked for)."""
    start, n_tables = 0, 0
    while True:
        det = _detect(g, layout, cols, start)
        if det is None:
            if n_tables == 0:
                sink.note(g, None, "dropped", reason("no_header"))
                return False, []
            raise InputError(f"{g.where(start)}: another table seems to start here, below the table above, "
                             "but no header is recognised in the rows that follow; give each table a header "
                             "row (region and year columns, or a row of years) or move it to a sheet of its own")
        lay, h, cm = det
        if lay == "repeated-years" and layout in ("auto", "yearbook"):
            blocks = _region_blocks(g, h, cm["years"])
            if blocks is not None:
                lay, cm = "regions-across", {"years": cm["years"], "regions": blocks}
        if lay == "repeated-years":
            if keep is not None and var not in keep:  # a sheet not asked for: skipped, as without a table
                sink.note(g, h, "dropped", reason("repeated_year"), variable=var)
                return n_tables > 0, [_repeated_years_error(g, h, cm["years"])]
            raise _repeated_years_error(g, h, cm["years"])
        if n_tables:
            sink.note(g, start, "dropped", reason("stacked_table", row=h + 1), variable="")
        n_tables += 1
        layouts.append(lay)
        if lay == "long":
            nxt = _parse_long(g, h, cm, sink, keep)
        elif lay == "wide":
            nxt = _parse_wide(g, h, cm, sink, keep)
        elif lay == "regions-across":
            nxt = _parse_across(g, h, cm, sink, keep)
        else:
            nxt = _parse_yearbook(g, h, cm, sink, var, keep)
        if nxt is None:
            return True, []
        start = nxt


def _no_table_error(f, grids, layout, cols, info) -> InputError:
    """No sheet of ``f`` holds a recognisable table: say what was expected and how to name it."""
    if grids and all(all(is_blank(c) for r in g.cells for c in r) for g in grids):
        what = "every sheet of the workbook is empty" if grids[0].sheet else "the file holds no cell"
        return InputError(f"{f}: {what}; check that the right file was given and that it was saved")
    want = {"auto": "a header row naming region and year columns (地区/省份, 年份) or a row of years",
            "long": "a header naming region, year, variable and value columns",
            "wide": "a header naming region and year columns",
            "yearbook": "a row of years (2010, 2011 … or 2010年 …)"}[layout]
    explicit = {k: v for k, v in cols.items() if v is not None}
    enc = info.get("encoding")
    hint = (f" (the text was read as {enc}; if its words look garbled, give the encoding: Python encoding=, "
            "e.g. 'big5' or 'utf-16')" if enc and not enc.startswith("utf") else "")
    return InputError(f"{f}: no table found in the first 40 rows of any sheet: expected {want}"
                      + (f" (looked for columns {explicit})" if explicit else "") + hint
                      + "; name the layout and columns (command line: --layout, --region-col, "
                      "--year-col, --variable-col, --value-col; Python: layout=, region_col=, …)")


def _no_rows_error(header_only) -> InputError:
    """Every table found has a header but no data row below it."""
    g, h, _ = header_only[0]
    head = ", ".join(t for t in (cell_text(c) for c in g.cells[h]) if t)
    more = f" (and {len(header_only) - 1} other sheet(s) likewise)" if len(header_only) > 1 else ""
    what = "the sheet" if g.sheet else "the file"
    return InputError(f"{g.where(h)}: {what} has no data rows: the table's header ({head}) is there but "
                      f"nothing below it{more}; fill in the data below the header, or check that the right "
                      "file was saved")
