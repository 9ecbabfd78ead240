"""The results workbook (``results.xlsx``).

First sheet "说明" / "About": title, data source, spec, every parameter, package version, conventions
and a list of the sheets. Then one sheet per table present, in the report's language (of columns
``x`` / ``x_zh`` / ``x_en`` the one of the language, category codes and, in Chinese, booleans in
words; the CSV tables keep every column and code), headers in Chinese or English, the header row frozen, number formats by column (scores 0.0000, p-values 0.000, integers 0) and column widths
fitted to the text (CJK characters count double). Numbers are stored as openpyxl writes them, with 16
significant digits (``"%.16g"``: within one unit in the last place; the CSV tables are the exact
record). The file is deterministic: fixed document
properties and zip timestamps, so the same input gives the same bytes.
"""
from __future__ import annotations

import datetime as _dt
import io
import re
import unicodedata
import zipfile

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


def _write_table(ws, loc, lang: str) -> None:
    bold = Font(bold=True)
    rule = Border(bottom=Side(style="thin"))
    widths: dict[int, int] = {}
    kinds = loc.kinds
    for j, h in enumerate(loc.headers, start=1):
        cell = ws.cell(row=1, column=j, value=h)
        cell.font = bold
        cell.border = rule
        cell.alignment = Alignment(horizontal="center", vertical="center")
        widths[j] = text_width(h)
    wrap = Alignment(wrap_text=True, vertical="top")
    for i, row in enumerate(loc.frame.itertuples(index=False, name=None), start=2):
        for j, (v, kind) in enumerate(zip(row, kinds), start=1):
            val = _cell_value(v)
            cell = ws.cell(row=i, column=j, value=val)
            if kind in _NUMBER_FORMAT and isinstance(val, int | float) and not isinstance(val, bool):
                cell.number_format = _NUMBER_FORMAT[kind]
            w = text_width(format_value(v, kind, lang))
            if w > _MAX_WIDTH:
                cell.alignment = wrap
            widths[j] = max(widths[j], min(w, _MAX_WIDTH))
    _fit_widths(ws, widths)
    ws.freeze_panes = "A2"
    if len(loc.headers):
        ws.auto_filter.ref = f"A1:{get_column_letter(len(loc.headers))}{max(len(loc.frame) + 1, 1)}"


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
    for tab in results.tables(ordered=True):
        _write_table(wb.create_sheet(sheets[tab.key]), localized(tab, lang, results), lang)
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
    return normalize_zip(buf.getvalue())


def write_excel(results, path, *, lang: str = "zh", figures=None):
    """Write the results workbook of ``results`` in ``lang`` to ``path`` atomically; return the path.

    The bytes are built in memory, written to a temporary file beside the target and renamed over it,
    so a failure leaves no partial workbook.
    """
    return atomic_write_bytes(path, excel_bytes(results, lang))
