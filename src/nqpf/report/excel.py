"""The results workbook (``results.xlsx``).

First sheet "说明" / "About": title, data source, spec, every parameter, package version, conventions
and a list of the sheets. Then one sheet per table present, in the report's language (of columns
``x`` / ``x_zh`` / ``x_en`` the one of the language, category codes and, in Chinese, booleans in
words; the CSV tables keep every column and code), headers in Chinese or English, the header row frozen, number formats by column (scores 0.0000, p-values 0.000, integers 0) and column widths
fitted to the text (CJK characters count double). Numbers are stored exactly (the shortest decimal
text that reads back as the same double, Python's ``repr``). The about sheet is written with openpyxl;
the rows of the table sheets are written as XML text in one pass and spliced into the sheets openpyxl
writes (styles registered in openpyxl's style table; text as inline strings), so a county panel's
workbook takes seconds, not minutes. The file is deterministic: fixed document properties and zip
timestamps, so the same input gives the same bytes.
"""
from __future__ import annotations

import datetime as _dt
import functools
import io
import re
import unicodedata
import zipfile
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from ..i18n import check_lang
from ..i18n import t as tr
from ._model import conventions, format_value, meta_rows, subtitle
from .atomic import atomic_write_bytes, normalize_zip

__all__ = ["write_excel", "excel_bytes", "sheet_names", "text_width", "FIXED_TIME"]

#: Creation / modification time written into every document (no wall-clock time: deterministic output).
FIXED_TIME = _dt.datetime(2000, 1, 1, 0, 0, 0)

_NUMBER_FORMAT = {"int": "0", "p": "0.000", "float": "0.0000", "text": "General"}
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
_MAX_WIDTH = 60


def text_width(text: str) -> int:
    """Display width of ``text``: East Asian wide and full-width characters count 2, others 1."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in str(text))


def _valid_sheet_name(name: str, used: set[str]) -> str:
    name = _BAD_SHEET_CHARS.sub("_", str(name)).strip("'") or "Sheet"
    name = name[:31]
    base, i = name, 2
    while name.lower() in used:
        suffix = f" ({i})"
        name = base[: 31 - len(suffix)] + suffix
        i += 1
    used.add(name.lower())
    return name


def sheet_names(results, lang: str) -> dict[str, str]:
    """Sheet name of each table of ``results`` (``"about"`` included): labelled, ≤ 31 characters, valid,
    unique."""
    used: set[str] = set()
    out = {"about": _valid_sheet_name(tr("table.about", lang), used)}
    for tab in results.tables(ordered=True):
        out[tab.key] = _valid_sheet_name(tr(f"table.{tab.key}", lang), used)
    return out


def _cell_value(v):
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and not np.isfinite(v):
        return None
    if isinstance(v, bool):
        return v
    if isinstance(v, int | float | str):
        return v
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime()
    return str(v)


def _fit_widths(ws, widths: dict[int, int]) -> None:
    for col, w in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = min(max(w + 2, 6), _MAX_WIDTH + 2)


_BAD_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@functools.lru_cache(maxsize=65536)
def _text_width_cached(text: str) -> int:
    return text_width(text)


def _styles(ws) -> dict[str, str]:
    """Style attributes (`` s="n"``) of the cell kinds, registered in the workbook's style table through
    detached openpyxl cells (openpyxl writes styles.xml from that table)."""
    from openpyxl.cell.cell import Cell

    def sid(**attrs) -> str:
        c = Cell(ws)
        for k, v in attrs.items():
            setattr(c, k, v)
        return f' s="{c.style_id}"' if c.has_style else ""

    out = {k: sid(number_format=f) for k, f in _NUMBER_FORMAT.items() if f != "General"}
    out["header"] = sid(font=Font(bold=True), border=Border(bottom=Side(style="thin")),
                        alignment=Alignment(horizontal="center", vertical="center"))
    out["wrap"] = sid(alignment=Alignment(wrap_text=True, vertical="top"))
    return out


def _num_text(v) -> str:
    """A number as stored: the shortest text that reads back as the same float (Python's ``repr``)."""
    return repr(v) if isinstance(v, float) else str(int(v))


def _string_cell(ref: str, text: str, style: str) -> str:
    body = escape(_BAD_XML.sub("", text))
    return f'<c r="{ref}" t="inlineStr"{style}><is><t xml:space="preserve">{body}</t></is></c>'


def _sheet_data(loc, lang: str, styles: dict[str, str]) -> tuple[str, dict[int, int]]:
    """The ``<sheetData>`` rows of a table (header row first) as XML text, and the display width of
    each column. Built column by column in plain Python, one pass over the cells: openpyxl's cell
    objects cost about 50 µs a cell, which made the workbook the slowest output of a county panel.
    Numbers are stored exactly (``repr``), text as inline strings."""
    df, kinds = loc.frame, loc.kinds
    ncols = len(kinds)
    letters = [get_column_letter(j + 1) for j in range(ncols)]
    nums = [str(i) for i in range(2, len(df) + 2)]
    head = "".join(_string_cell(f"{L}1", str(h), styles["header"]) for L, h in zip(letters, loc.headers))
    columns, widths = [], {}
    for j, kind in enumerate(kinds):
        L = letters[j]
        num_style = styles.get(kind, "")
        wrap = styles["wrap"]
        width = text_width(loc.headers[j])
        lo = hi = None
        col = df.iloc[:, j]
        if isinstance(col.dtype, np.dtype) and col.dtype.kind in "fiu":  # plain numbers: one pass
            cells, lo, hi = _number_cells(L, nums, col.to_numpy(), num_style)
            if lo is not None:
                width = max(width, *(len(format_value(x, kind, lang)) for x in (lo, hi)))
            widths[j + 1] = width
            columns.append(cells)
            continue
        if _all_text(col):  # words and names, most repeated: each distinct text escaped once
            cells, w = _text_cells(L, nums, col, wrap)
            widths[j + 1] = max(width, w)
            columns.append(cells)
            continue
        cells = []
        for r, v in zip(nums, col.tolist()):
            v = _cell_value(v)
            if v is None:
                cells.append("")
            elif isinstance(v, bool):
                cells.append(f'<c r="{L}{r}" t="b"><v>{int(v)}</v></c>')
                width = max(width, text_width(format_value(v, kind, lang)))
            elif isinstance(v, int | float):
                cells.append(f'<c r="{L}{r}"{num_style}><v>{_num_text(v)}</v></c>')
                lo = v if lo is None or v < lo else lo
                hi = v if hi is None or v > hi else hi
            else:
                text = v if isinstance(v, str) else (v.isoformat() if hasattr(v, "isoformat") else str(v))
                w = _text_width_cached(text)
                cells.append(_string_cell(f"{L}{r}", text, wrap if w > _MAX_WIDTH else ""))
                width = max(width, min(w, _MAX_WIDTH))
        if lo is not None:  # the widest number is the smallest or the largest (as formatted for reports)
            width = max(width, *(len(format_value(x, kind, lang)) for x in (lo, hi)))
        widths[j + 1] = width
        columns.append(cells)
    rows = [f'<row r="1">{head}</row>']
    rows += [f'<row r="{r}">{"".join(cs)}</row>' for r, cs in zip(nums, zip(*columns))] if ncols else []
    return "".join(rows), widths


def _number_cells(L: str, nums: list[str], values: np.ndarray, style: str):
    """Cells of a column of numpy numbers (what the per-cell loop of :func:`_sheet_data` writes for
    them: empty for NaN and infinities, the number's ``repr`` otherwise) and its smallest and largest
    finite value (None when there is none)."""
    if values.dtype.kind == "f":
        ok = np.isfinite(values)
        if not ok.any():
            return [""] * len(values), None, None
        texts = [repr(v) for v in values.tolist()]
        cells = [f'<c r="{L}{r}"{style}><v>{x}</v></c>' for r, x in zip(nums, texts)]
        if not ok.all():
            for i in np.flatnonzero(~ok).tolist():
                cells[i] = ""
        fin = values[ok]
        return cells, float(fin.min()), float(fin.max())
    ints = values.tolist()
    if not ints:
        return [], None, None
    cells = [f'<c r="{L}{r}"{style}><v>{v}</v></c>' for r, v in zip(nums, ints)]
    return cells, min(ints), max(ints)


def _all_text(col: pd.Series) -> bool:
    """Whether every value of ``col`` is a string or missing (None, NaN, pd.NA), at least one a string."""
    if not (col.dtype == object or pd.api.types.is_string_dtype(col.dtype)):
        return False
    return pd.api.types.infer_dtype(col, skipna=True) == "string"


def _text_cells(L: str, nums: list[str], col: pd.Series, wrap: str) -> tuple[list[str], int]:
    """Cells of a column of strings (what the per-cell loop of :func:`_sheet_data` writes: inline
    strings, wrapped beyond :data:`_MAX_WIDTH`, empty for missing values) and its widest text (capped)."""
    codes, uniques = pd.factorize(col, use_na_sentinel=True)
    texts = [str(u) for u in uniques]
    widths = [_text_width_cached(x) for x in texts]
    heads = [f' t="inlineStr"{wrap if w > _MAX_WIDTH else ""}><is><t xml:space="preserve">'
             f'{escape(_BAD_XML.sub("", x))}</t></is></c>' for x, w in zip(texts, widths)]
    cells = [f'<c r="{L}{r}"{heads[c]}' if c >= 0 else "" for r, c in zip(nums, codes.tolist())]
    return cells, max((min(w, _MAX_WIDTH) for w in widths), default=0)


def _prepare_table_sheet(ws, loc, lang: str, styles: dict[str, str]) -> tuple[str, str]:
    """Widths, frozen header and filter of a table sheet; returns its rows as XML (spliced into the
    sheet by :func:`_splice`)."""
    data, widths = _sheet_data(loc, lang, styles)
    _fit_widths(ws, widths)
    ws.freeze_panes = "A2"
    if len(loc.headers):
        ws.auto_filter.ref = f"A1:{get_column_letter(len(loc.headers))}{max(len(loc.frame) + 1, 1)}"
    last = get_column_letter(max(len(loc.headers), 1))
    return data, f"A1:{last}{len(loc.frame) + 1}"


def _spliced(xlsx: bytes, sheets: dict[int, tuple[str, str]]) -> dict[str, bytes]:
    """The new contents of worksheet ``n`` of ``xlsx`` for each ``n`` of ``sheets``: its (empty)
    ``<sheetData>`` and its dimension replaced by ``sheets[n]`` (rows XML, dimension). The archive is
    rewritten once, by :func:`~nqpf.report.atomic.normalize_zip` (one compression of the rows)."""
    src = zipfile.ZipFile(io.BytesIO(xlsx))
    out = {}
    for info in src.infolist():
        m = re.fullmatch(r"xl/worksheets/sheet(\d+)\.xml", info.filename)
        if m and int(m.group(1)) in sheets:
            rows, dim = sheets[int(m.group(1))]
            text = src.read(info.filename).decode("utf-8")
            text = re.sub(r"<sheetData\s*/>|<sheetData>\s*</sheetData>",
                          lambda _: f"<sheetData>{rows}</sheetData>", text, count=1)
            text = re.sub(r'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{dim}"/>', text, count=1)
            out[info.filename] = text.encode("utf-8")
    return out


def _write_about(ws, results, lang: str, sheets: dict[str, str]) -> None:
    meta = dict(results.params)
    bold = Font(bold=True)
    title = tr(str(meta.get("title") or "report.title"), lang)
    ws.cell(row=1, column=1, value=title).font = Font(bold=True, size=14)
    r = 2
    sub = subtitle(meta, lang)
    if sub:
        ws.cell(row=r, column=1, value=sub)
        r += 1
    r += 1
    widths = {1: 0, 2: 0}
    wrap = Alignment(wrap_text=True, vertical="top")

    def pair(a, b, font=None):
        nonlocal r
        ca = ws.cell(row=r, column=1, value=a)
        cb = ws.cell(row=r, column=2, value=b)
        if font:
            ca.font = font
            cb.font = font
        cb.alignment = wrap
        widths[1] = max(widths[1], text_width(a or ""))
        widths[2] = max(widths[2], min(text_width(b or ""), 90))
        r += 1

    pair(tr("word.parameter", lang), tr("word.value", lang), bold)
    for k, v in meta_rows(meta, lang):
        pair(k, v)
    conv = conventions(meta, lang)
    if conv:
        r += 1
        ws.cell(row=r, column=1).font = bold
        for i, line in enumerate(conv):
            pair(tr("word.conventions", lang) if i == 0 else None, line)
    r += 1
    pair(tr("word.sheet", lang), tr("word.contents", lang), bold)
    for tab in results.tables(ordered=True):
        pair(sheets[tab.key], tab.caption_text(lang))
    ws.column_dimensions["A"].width = min(max(widths[1] + 2, 10), 40)
    ws.column_dimensions["B"].width = min(max(widths[2] + 2, 20), 92)


def excel_bytes(results, lang: str) -> bytes:
    """The workbook of ``results`` in ``lang`` as deterministic xlsx bytes: an "about" sheet, then one
    sheet per table with every column (headers, codes and region names in ``lang``)."""
    from ..outputs import localized

    check_lang(lang)
    sheets = sheet_names(results, lang)
    wb = Workbook()
    about = wb.active
    about.title = sheets["about"]
    _write_about(about, results, lang, sheets)
    styles = _styles(about)
    spliced = {}
    for n, tab in enumerate(results.tables(ordered=True), start=2):  # sheet1 is "about"
        spliced[n] = _prepare_table_sheet(wb.create_sheet(sheets[tab.key]), localized(tab, lang, results), lang,
                                          styles)
    props = wb.properties
    props.creator = "nqpf"
    props.lastModifiedBy = "nqpf"
    props.title = tr(str(results.params.get("title") or "report.title"), lang)
    props.language = tr("report.locale", lang)
    props.created = FIXED_TIME
    props.modified = FIXED_TIME
    buf = io.BytesIO()
    # ExcelWriter directly: openpyxl's save_workbook stamps the wall-clock time into dcterms:modified
    ExcelWriter(wb, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, allowZip64=True)).save()
    xlsx = buf.getvalue()
    return normalize_zip(xlsx, replace=_spliced(xlsx, spliced))


def write_excel(results, path, *, lang: str = "zh", figures=None):
    """Write the results workbook of ``results`` in ``lang`` to ``path`` atomically; return the path.

    The bytes are built in memory, written to a temporary file beside the target and renamed over it,
    so a failure leaves no partial workbook.
    """
    return atomic_write_bytes(path, excel_bytes(results, lang))
