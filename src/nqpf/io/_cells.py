"""Low-level cell handling shared by the readers: grids of raw cells, encodings, numbers, years.

A *grid* is what a user sees in a spreadsheet: rows of raw cell values with 1-based row numbers and
column letters, so that every message and audit row can point at the cell as the user sees it.
"""
from __future__ import annotations

import csv
import datetime as _dt
import io as _io
import math
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError

__all__ = [
    "Grid",
    "col_letter",
    "detect_encoding",
    "read_csv_text",
    "read_grids",
    "parse_year",
    "to_number",
    "MISSING_MARKERS",
    "is_blank",
    "cell_text",
]

#: Cell contents read as "missing" (compared after stripping spaces, case-insensitive).
MISSING_MARKERS = frozenset({
    "", "—", "——", "…", "……", "...", "-", "--", "---", "–", "−", "na", "n/a", "nan", "null", "none",
    "#div/0!", "#n/a", "#value!", "#ref!", "#num!", "无", "空", "缺", "缺失", "x", "×", "*", ".",
})


@dataclass
class Grid:
    """Raw cells of one sheet (or one CSV file).

    ``cells[i][j]`` is the cell at spreadsheet row ``i + 1`` and column ``col_letter(j)``.
    """

    file: str
    sheet: str
    cells: list

    @property
    def n_rows(self) -> int:
        return len(self.cells)

    @property
    def n_cols(self) -> int:
        return max((len(r) for r in self.cells), default=0)

    def get(self, i: int, j: int):
        row = self.cells[i]
        return row[j] if j < len(row) else None

    def where(self, i: int | None = None, j: int | None = None) -> str:
        """Human location: ``file, sheet 'S', row 5, column C``."""
        parts = [self.file]
        if self.sheet:
            parts.append(f"sheet {self.sheet!r}")
        if i is not None:
            parts.append(f"row {i + 1}")
        if j is not None:
            parts.append(f"column {col_letter(j)}")
        return ", ".join(parts)


def col_letter(j: int) -> str:
    """Spreadsheet column letter of 0-based column ``j`` (0 → A, 26 → AA)."""
    s = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        s = chr(65 + r) + s
    return s


def detect_encoding(raw: bytes) -> str:
    """``utf-8-sig`` when the bytes decode as UTF-8 (with or without BOM), else ``gb18030``
    (a superset of GBK and GB2312) when they decode as that, else ``latin-1``."""
    for enc in ("utf-8-sig", "gb18030"):
        try:
            raw.decode(enc)
            return enc
        except UnicodeDecodeError:
            continue
    return "latin-1"


def _decode(path: Path, encoding: str | None) -> tuple[str, str]:
    raw = path.read_bytes()
    enc = encoding or detect_encoding(raw)
    try:
        return raw.decode(enc), enc
    except (UnicodeDecodeError, LookupError) as exc:
        raise InputError(f"{path}: cannot decode as {enc}: {exc}; pass encoding=...") from None


def _csv_rows(text: str, suffix: str) -> list:
    sample = text[:5000]
    if suffix == ".tsv" or sample.count("\t") > sample.count(","):
        delim = "\t"
    elif sample.count(";") > sample.count(",") and sample.count(";") > 0:
        delim = ";"
    else:
        delim = ","
    return [list(r) for r in csv.reader(_io.StringIO(text), delimiter=delim)]


def read_csv_text(path, header: int | None = 0, encoding: str | None = None) -> pd.DataFrame:
    """Read a CSV (encoding detected) as strings; ``header=0`` uses the first row as column names."""
    path = Path(path)
    text, _ = _decode(path, encoding)
    rows = _csv_rows(text, path.suffix.lower())
    if header is None:
        return pd.DataFrame(rows, dtype=object)
    head = rows[header] if rows else []
    body = rows[header + 1:]
    width = max([len(head)] + [len(r) for r in body])
    head = head + [f"column{k + 1}" for k in range(len(head), width)]
    body = [r + [""] * (width - len(r)) for r in body]
    return pd.DataFrame(body, columns=head, dtype=object)


def read_grids(path: Path, sheet=None, encoding: str | None = None) -> tuple[list, dict]:
    """Every sheet of ``path`` as a :class:`Grid` (one grid for CSV and Parquet).

    ``sheet`` selects one sheet (name or 0-based position) or a list of them. Returns the grids and
    ``info`` (e.g. the detected encoding).
    """
    path = Path(path)
    suf = path.suffix.lower()
    info: dict = {}
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if suf in (".csv", ".txt", ".tsv"):
        text, enc = _decode(path, encoding)
        info["encoding"] = enc
        return [Grid(str(path), "", _csv_rows(text, suf))], info
    if suf == ".parquet":
        df = pd.read_parquet(path)
        cells = [list(map(str, df.columns))] + df.astype(object).values.tolist()
        return [Grid(str(path), "", cells)], info
    if suf in (".xlsx", ".xlsm"):
        import openpyxl
        try:
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # noqa: BLE001
            raise InputError(f"{path}: cannot open workbook: {exc}") from None
        names = wb.sheetnames
        pick = _pick_sheets(path, names, sheet)
        grids = [Grid(str(path), n, [list(r) for r in wb[n].iter_rows(min_row=1, min_col=1, values_only=True)])
                 for n in pick]
        wb.close()
        return grids, info
    if suf == ".xls":
        import xlrd
        try:
            book = xlrd.open_workbook(str(path))
        except Exception as exc:  # noqa: BLE001
            raise InputError(f"{path}: cannot open workbook: {exc}") from None
        pick = _pick_sheets(path, book.sheet_names(), sheet)
        grids = []
        for n in pick:
            sh = book.sheet_by_name(n)
            rows = []
            for i in range(sh.nrows):
                row = []
                for j in range(sh.ncols):
                    c = sh.cell(i, j)
                    if c.ctype == xlrd.XL_CELL_EMPTY or c.ctype == xlrd.XL_CELL_BLANK:
                        row.append(None)
                    elif c.ctype == xlrd.XL_CELL_ERROR:
                        row.append(xlrd.error_text_from_code.get(c.value, "#ERR"))
                    else:
                        row.append(c.value)
                rows.append(row)
            grids.append(Grid(str(path), n, rows))
        return grids, info
    raise InputError(f"{path}: unknown file type {suf!r}; use .csv, .xlsx, .xls or .parquet")


def _pick_sheets(path, names, sheet) -> list:
    if sheet is None:
        return list(names)
    wanted = sheet if isinstance(sheet, (list, tuple)) else [sheet]
    out = []
    for s in wanted:
        if isinstance(s, int):
            if not 0 <= s < len(names):
                raise InputError(f"{path}: no sheet number {s}; the workbook has {len(names)} sheet(s) {names}")
            out.append(names[s])
        elif s in names:
            out.append(s)
        else:
            raise InputError(f"{path}: no sheet {s!r}; sheets are {names}")
    return out


def is_blank(v) -> bool:
    if v is None:
        return True
    if isinstance(v, float) and math.isnan(v):
        return True
    return isinstance(v, str) and not v.strip()


def cell_text(v) -> str:
    """Cell as stripped text (``""`` for blanks; whole floats without ``.0``)."""
    if is_blank(v):
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


_YEAR_RE = re.compile(r"^\s*((?:19|20|21)\d\d)(?:\.0+)?\s*(?:年|年度|年末|年底|y|a)?\s*$", re.IGNORECASE)


def parse_year(v) -> int | None:
    """``2010``, ``2010.0``, ``"2010"``, ``"2010年"``, ``"２０１０年"`` → 2010; anything else → None."""
    if isinstance(v, (bool, np.bool_)) or is_blank(v):
        return None
    if isinstance(v, (_dt.date, _dt.datetime, pd.Timestamp)):
        return int(v.year)
    if isinstance(v, (int, np.integer)):
        return int(v) if 1900 <= v <= 2199 else None
    if isinstance(v, (float, np.floating)):
        return int(v) if float(v).is_integer() and 1900 <= v <= 2199 else None
    m = _YEAR_RE.match(unicodedata.normalize("NFKC", str(v)))
    return int(m.group(1)) if m else None


_NUM_RE = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$", re.ASCII)


def to_number(v):
    """Coerce one cell to a float.

    Returns ``(value, action, reason)`` where ``action`` is ``None`` (a plain number),
    ``"coerced"`` (text that needed cleaning: full-width digits, thousands separators, spaces,
    a trailing ``%``) or ``"missing"`` (blank or a missing marker such as ``—``, ``…``, ``NA``,
    ``#DIV/0!``, ``无``); ``value`` is NaN when missing. Raises ``ValueError`` when the cell is
    text that is not a number.
    """
    if isinstance(v, (bool, np.bool_)):
        raise ValueError("a true/false cell is not a number")
    if v is None:
        return np.nan, "missing", "blank cell"
    if isinstance(v, (int, float, np.integer, np.floating)):
        f = float(v)
        if math.isnan(f):
            return np.nan, "missing", "blank cell"
        if math.isinf(f):
            return np.nan, "missing", f"infinite value {v!r}"
        return f, None, ""
    s = str(v).strip()
    key = s.lower().replace(" ", "")
    if key in MISSING_MARKERS or s == "":
        return np.nan, "missing", "blank cell" if s == "" else f"missing-value marker {s!r}"
    if _NUM_RE.match(s):
        return float(s), None, ""
    t = unicodedata.normalize("NFKC", s)
    t = t.replace("−", "-").replace("，", ",")
    reasons = []
    if t != s:
        reasons.append("full-width characters")
    if "," in t:
        if re.fullmatch(r"[+-]?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]*)?", t.replace(" ", "")):
            reasons.append("thousands separators")
            t = t.replace(",", "")
        else:
            raise ValueError(f"{s!r} is not a number")
    if re.search(r"\s", t):
        reasons.append("spaces")
        t = re.sub(r"\s+", "", t)
    pct = t.endswith("%")
    if pct:
        t = t[:-1]
        reasons.append("'%' sign dropped (value kept in percent)")
    if _NUM_RE.match(t):
        return float(t), "coerced", "text number: " + ", ".join(reasons or ["text"])
    raise ValueError(f"{s!r} is not a number")
