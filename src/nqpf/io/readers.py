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
one; a row with two or more years is a yearbook header. Header words are understood in Simplified and
Traditional Chinese (地区/地區, 指标/指標 …).

Around a table
--------------
* a **units row** just below the header (region and year cells blank or 单位, every other cell a word
  such as 亿元) is kept as :attr:`Panel.units` and audited (``dropped``);
* a **two-row header** under merged cells (``经济`` over ``GDP | 人口``) names each variable by its lower
  cell, one ``renamed`` audit row per column;
* **notes** below a table (注:, 资料来源:, Source: …) end it; the rows from there on are audited as not
  read (``dropped``);
* **tables stacked** on one sheet (a header repeated further down, after a page break, possibly with a
  title row such as 表2 or 续表 above it) are read in turn, each further header audited; two stacked
  regions × years tables of the same regions and years (two variables on one sheet) are refused with
  both cells named, as one variable per sheet is the rule of that layout.

Cells
-----
Missing-value markers (blank, ``—``, ``…``, ``-``, ``--``, ``/``, ``NA``, ``N/A``, ``#DIV/0!``, ``无`` …, in
full-width forms too) and infinite values (numeric ``±inf``, text ``inf`` or ``∞``) become ``NaN`` and one
audit row (``missing``) each; text numbers with thousands separators, full-width digits or spaces are
converted with one audit row (``coerced``) each; a number written beyond the range of a float (``1e400``)
is refused at its cell. Text that is not a number is an :class:`~nqpf.errors.InputError` naming file,
sheet, row and column (row numbers 1-based and column letters, as a spreadsheet shows them).

Regions
-------
``aliases`` (:mod:`nqpf.io.aliases`) map a user's spelling to a known region (``Yunan`` → ``云南``)
before anything else, one ``alias`` audit row per region cell; a target that is not a known region is
an :class:`~nqpf.errors.UnknownRegionError` naming where the alias was given.
With ``regions="china"`` (or ``"auto"`` when every name is a Chinese province, or most are and the others
look like misspelt provinces) names are normalised
through :func:`nqpf.regions.normalize` to GB/T 2260 codes; aggregate rows (全国, 合计, 东部地区 …) are
dropped with an audit row each and unknown names raise :class:`~nqpf.errors.UnknownRegionError`
with the cell's location, suggestions, the number of cells spelling the name so, and the alias that
would map it (``--alias 'Yunan=云南'``). ``"as-is"`` keeps the identifiers as written.
Two rows for the same (region, year, variable) raise :class:`~nqpf.errors.InputError` naming both
cells (also when the values are identical: a repeated row usually means a wrong join or a file read
twice).

Files that cannot be a table are refused in one line, with the fix
------------------------------------------------------------------
CSV text may be UTF-8 (with or without BOM), GBK/GB18030, Big5 (tried when GB18030 text holds no
table) or UTF-16 (LE or BE, with a BOM or recognised without), with any line endings (``\n``, ``\r\n``
or old-Mac ``\r``). A binary file named ``.csv`` is "not a text table" (a workbook renamed ``.csv`` is
recognised as such, and a text file named ``.xlsx`` or a web page named ``.xls`` too). An empty file
or workbook, and a quote never closed (named by its line), say so. A table with a header and no data
row says so; a regions × years header that names a year twice names the year and its cells; a
variable asked for (``variables=``) whose every cell is blank or a missing marker is named with its
file, sheet and column; a variable asked for by a spec and absent from the data blames the spec's formula or
indicator (:func:`nqpf.spec.missing_variables_error`) with the data's closest names.
"""
from __future__ import annotations

import re

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from ._layouts import _DEFAULT_SHEET, _grids, _no_rows_error, _no_table_error, _norm, _read_grid, _Sink
from ._names import _name_regions, is_aggregate
from .aliases import as_aliases

__all__ = ["Panel", "Scores", "AUDIT_COLUMNS", "read_panel", "read_scores", "read_long_scores",
           "empty_audit", "is_aggregate"]

#: Columns of every audit table (docs/architecture.md).
AUDIT_COLUMNS = ["stage", "file", "sheet", "row", "column", "region", "year", "variable", "action", "reason",
                 "old", "new", "reason_code", "reason_args"]


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
    locations : DataFrame
        Where each row of ``data`` was read: columns ``file, sheet, row, column`` (row 1-based, column
        letter), same index as ``data``; :meth:`where` formats one.
    """

    data: pd.DataFrame
    audit: pd.DataFrame
    region_label: dict = field(default_factory=dict)
    units: dict = field(default_factory=dict)
    meta: dict = field(default_factory=dict)
    locations: pd.DataFrame = None

    def where(self, region, year, variable) -> str:
        """``"file, sheet 'S', row 5, column C"`` of the cell holding ``(region, year, variable)`` (region
        as in ``data``, i.e. the GB/T code for Chinese provinces), or ``""`` when not read from a cell."""
        if self.locations is None or not len(self.data):
            return ""
        d = self.data
        hit = np.flatnonzero((d["region"].to_numpy() == str(region)) & (d["year"].to_numpy() == int(year))
                             & (d["variable"].to_numpy() == str(variable)))
        if not len(hit):
            return ""
        r = self.locations.iloc[hit[0]]
        return f"{r['file']}" + (f", sheet {r['sheet']!r}" if r["sheet"] else "") + f", row {r['row']}, column " \
            f"{r['column']}"


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
               value_col=None, regions: str = "auto", encoding: str | None = None, variables=None,
               aliases=None, display: str | None = None) -> Panel:
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
    aliases : mapping, path, str or list, optional
        Region aliases, the user's spelling → a known region name or code (``{"Yunan": "云南"}``), an
        alias file (:func:`nqpf.io.read_aliases`) or ``"ALIAS=REGION"`` text; see :mod:`nqpf.io.aliases`.
        Applied to every region cell before names are matched (case, full-width forms and spaces
        ignored), one audit row (action ``alias``) per cell. A target that is not a known region is an
        :class:`~nqpf.errors.UnknownRegionError` naming where the alias was given; an alias matching no
        cell gives a ``UserWarning``.
    display : str, optional
        The file's name in messages and in the audit's ``file`` column when ``path`` is one file (default:
        the path as given): the name the user wrote, e.g. ``"nqpf:techme_scitech_example.csv.gz"`` for a
        shipped file read from nqpf's cache, or a config's path relative to the config.

    Returns
    -------
    Panel
    """
    if layout not in ("auto", "long", "wide", "yearbook"):
        raise InputError(f"layout must be 'auto', 'long', 'wide' or 'yearbook', got {layout!r}")
    requested = None if variables is None else {str(v): v for v in variables}
    keep = None if requested is None else set(requested)
    alias_map = as_aliases(aliases)
    cols = {"region": region_col, "year": year_col, "variable": variable_col, "value": value_col}
    sink = _Sink()
    layouts, meta = [], {}
    paths = _expand_paths(path)
    for f in paths:
        grids, info = _grids(f, sheet, encoding, layout, cols)
        if display is not None and len(paths) == 1:
            for g in grids:
                g.file = str(display)
        meta.update({f"{f.name}:{k}": v for k, v in info.items()})
        found_any = False
        skipped_repeats = []
        for g in grids:
            var = g.sheet if g.sheet and not (_DEFAULT_SHEET.match(g.sheet) and len(grids) == 1) else f.stem
            found, skipped = _read_grid(g, layout, cols, sink, keep, var, layouts)
            found_any |= found
            skipped_repeats += skipped
        if not found_any and skipped_repeats:
            raise skipped_repeats[0]
        if not found_any:
            raise _no_table_error(f, grids, layout, cols, info)
    rec = pd.DataFrame(sink.rec, columns=["raw", "year", "variable", "value", "file", "sheet", "row", "col",
                                          "rcol", "table", "rrow"])
    audit_rows = sink.audit
    if not sink.rows_seen and sink.header_only:
        raise _no_rows_error(sink.header_only)
    if keep is not None:
        absent = sorted(keep - set(rec["variable"]))
        if absent:
            raise _absent_error(path, absent, requested, sink)
        _check_not_empty(rec, [v for v in requested if v in keep])
    rec, region_label, china = _name_regions(rec, regions, alias_map, audit_rows)
    rec, dup_audit = _check_duplicates(rec)
    audit_rows.extend(dup_audit)
    data = pd.DataFrame({
        "region": rec["region"].astype(str).to_numpy(),
        "year": rec["year"].astype(int).to_numpy(),
        "variable": rec["variable"].astype(str).to_numpy(),
        "value": rec["value"].astype(float).to_numpy(),
    })
    locations = pd.DataFrame({"file": rec["file"].to_numpy(), "sheet": rec["sheet"].to_numpy(),
                              "row": rec["row"].astype(int).to_numpy(), "column": rec["col"].to_numpy()})
    audit = pd.DataFrame(audit_rows, columns=AUDIT_COLUMNS) if audit_rows else empty_audit()
    meta.update(layout=sorted(set(layouts)), regions="china" if china else "as-is")
    return Panel(data=data, audit=audit, region_label=region_label, units=dict(sink.units), meta=meta,
                 locations=locations)


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
    skipped = _skipped_sheets(sink)
    if any(getattr(v, "uses", None) for v in asked):  # names of a spec: the spec's formula or id is at fault
        err = missing_variables_error(asked, list(sink.seen), data=str(path))
        return type(err)(f"{err}{skipped}") if skipped else err
    hints = []
    for v in absent:
        close = close_names(v, list(sink.seen))
        if close:
            hints.append(f"{v!r}: did you mean {', '.join(map(repr, close))}?")
    return InputError(f"{path}: variable(s) not found: {absent}" + (f" ({'; '.join(hints)})" if hints else "")
                      + f"; variables in the data: {sorted(sink.seen)[:30]}{skipped}")


def _skipped_sheets(sink) -> str:
    """``"; sheets not read: 'raw' (no table header found …)"`` for the sheets skipped while reading (a
    variable looked for may be on one of them), else ``""``."""
    notes = [a for a in sink.audit if a.get("action") == "dropped" and "sheet skipped" in str(a.get("reason"))
             and a.get("sheet")]
    if not notes:
        return ""
    def why(a) -> str:
        text = re.split(r":? sheet skipped| \(", str(a["reason"]))[0]
        return text + (f", row {int(a['row'])}" if a.get("row") else "")

    shown = "; ".join(f"{a['sheet']!r} ({why(a)})" for a in notes[:5])
    more = f" and {len(notes) - 5} more" if len(notes) > 5 else ""
    return (f". Sheets not read: {shown}{more}; if a variable is on one of them, read that sheet alone "
            "(--sheet NAME; Python: sheet=) to see why")


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


def _check_duplicates(rec: pd.DataFrame):
    key = ["region", "year", "variable"]
    dup = rec.duplicated(key, keep=False)
    if dup.any():
        g = next(iter(rec[dup].groupby(key, sort=False)))[1]
        raise _duplicate_error(g.iloc[0], g.iloc[1])
    return rec, []


def _duplicate_error(a, b) -> InputError:
    """Two cells for one (region, year, variable): name both, and the likely cause."""
    same = (np.isnan(a["value"]) and np.isnan(b["value"])) or a["value"] == b["value"]
    what = (f"region {a['raw']!r}" + (f" ({a['region']})" if a["region"] != a["raw"] else "")
            + (f" (written {b['raw']!r} in the second)" if b["raw"] != a["raw"] else "")
            + f", year {a['year']}, variable {a['variable']!r}")
    cells = f"{_loc(a)} = {a['value']} and {_loc(b)} = {b['value']}" + (" (identical values)" if same else "")
    one_sheet = a["file"] == b["file"] and a["sheet"] == b["sheet"]
    if one_sheet and a["row"] == b["row"]:
        return InputError(f"{_sheet_loc(a)}, row {a['table']}: the header names variable {a['variable']!r} twice "
                          f"(columns {a['col']} and {b['col']}), so {what} has two values: {cells}; rename or "
                          "delete one of the two columns")
    if one_sheet and a["table"] != b["table"]:
        return InputError(f"two values for {what}: {cells}; they are in two tables stacked on one sheet (headers "
                          f"in rows {a['table']} and {b['table']}), read as the same variable {a['variable']!r} "
                          "(a regions × years table is one variable per sheet or file): move the second table "
                          "to a sheet of its own named after its variable")
    if a["file"] == b["file"] and a["sheet"] != b["sheet"] and a["sheet"] and b["sheet"]:
        return InputError(
            f"two values for {what}: {cells}; the variable is on two sheets of the workbook: read only the sheet "
            f"that holds the data (command line: --sheet {_quoted(a['sheet'])}; config: [data] sheet = "
            f"{_quoted(a['sheet'], double=True)}; Python: sheet=), or rename the variable on one of them")
    return InputError(
        f"two rows for {what}: {cells}; keep one of them, or read only the variables you need (variables=[...]; "
        "the commands index and run read only the spec's variables)")


def _quoted(text, double: bool = False) -> str:
    """``text`` as typed on a command line (quoted when it holds spaces) or in TOML (``double``)."""
    text = str(text)
    if double:
        return '"' + text.replace('"', '\\"') + '"'
    return f"'{text}'" if re.search(r"[\s'\"&|;<>()$`]", text) else text


def _sheet_loc(r) -> str:
    return f"{r['file']}" + (f", sheet {r['sheet']!r}" if r["sheet"] else "")


def _loc(r) -> str:
    return f"{_sheet_loc(r)}, row {r['row']}, column {r['col']}"


_SCORE_NAMES = ["score", "scores", "得分", "综合得分", "综合指数", "指数", "发展潜力", "value", "数值", "index"]


def read_scores(path, layout: str = "auto", sheet=None, region_col=None, year_col=None, score_col=None,
                regions: str = "auto", encoding: str | None = None, aliases=None, display: str | None = None) -> Scores:
    """Read a score panel (regions × years) for analysis.

    Long (``region, year, score`` [+ other columns]) or wide (regions in rows, years in columns) is
    detected. ``score_col`` picks the score column of a long table (default: the only numeric column, or
    one named score/得分/综合得分/指数). ``aliases`` map spellings of regions to known regions and
    ``display`` names the file in messages and the audit, as in :func:`read_panel`.

    Returns
    -------
    Scores
        ``Y`` indexed by the region names as written (first spelling met), int year columns; ``labels``
        id → name; ``codes`` id → GB/T code (empty unless Chinese provinces); ``audit``.
    """
    lay = {"long": "wide", "wide": "yearbook"}.get(layout, layout)  # a long score table is a "wide" panel
    variables = [score_col] if score_col is not None else None
    panel = read_panel(path, layout=lay, sheet=sheet, region_col=region_col, year_col=year_col,
                       regions=regions, encoding=encoding, variables=variables, aliases=aliases, display=display)
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
