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
    "", "—", "——", "…", "……", "...", "......", "-", "--", "---", "–", "−", "/", "//", "\\", "na", "n/a", "n.a.",
    "n.a", "nan", "null", "none", "#div/0!", "#n/a", "#value!", "#ref!", "#num!", "#null!", "#name?", "无", "空",
    "缺", "缺失", "暂无", "不详", "x", "×", "*", ".",
})

#: Text spellings of an infinite value (compared like the markers); read as missing, as numeric ±inf cells are.
_INFINITE = frozenset({"inf", "+inf", "-inf", "infinity", "+infinity", "-infinity", "∞", "+∞", "-∞"})


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


_BOMS = (  # longest first: the UTF-32 LE mark begins with the UTF-16 LE one
    (b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"),
)

#: Signatures of binary formats often renamed ``.csv`` by mistake → what they look like.
_SIGNATURES = (
    (b"PK\x03\x04", "it looks like an Excel workbook (.xlsx, a zip archive) renamed; rename it to .xlsx, or "
                     "open it in Excel and save it as CSV"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "it looks like an old Excel workbook (.xls) renamed; rename it to "
                                           ".xls, or open it in Excel and save it as CSV"),
    (b"PAR1", "it looks like a Parquet file renamed; rename it to .parquet"),
    (b"%PDF", "it looks like a PDF document; export the table from it as CSV or Excel"),
    (b"\x1f\x8b", "it looks like a gzip archive; unpack it first"),
    (b"Rar!", "it looks like a RAR archive; unpack it first"),
    (b"7z\xbc\xaf\x27\x1c", "it looks like a 7-Zip archive; unpack it first"),
)
_BINARY_FIX = "; give a table saved as text (CSV in UTF-8, GBK or UTF-16) or the workbook itself (.xlsx/.xls)"


def _utf16_without_bom(raw: bytes) -> str | None:
    """``utf-16-le``/``utf-16-be`` when ``raw`` looks like UTF-16 text without a byte-order mark (ASCII
    characters such as digits, commas and line breaks leave a zero byte in every other position)."""
    head = raw[:4000]
    if len(head) < 8:
        return None
    even, odd = head[0::2], head[1::2]
    z_even, z_odd = even.count(0) / len(even), odd.count(0) / len(odd)
    for enc, zeros, other in (("utf-16-le", z_odd, z_even), ("utf-16-be", z_even, z_odd)):
        if zeros >= 0.3 and other <= 0.01:
            try:
                raw[: len(raw) - len(raw) % 2].decode(enc)
            except UnicodeDecodeError:
                continue
            return enc
    return None


def detect_encoding(raw: bytes) -> str:
    """The text encoding of ``raw``: from its byte-order mark when it has one (``utf-8-sig``, ``utf-16``
    for UTF-16 LE or BE, ``utf-32``); ``utf-16-le``/``utf-16-be`` for UTF-16 without one; else
    ``utf-8-sig`` when the bytes decode as UTF-8, else ``gb18030`` (a superset of GBK and GB2312)
    when they decode as that, else ``latin-1``."""
    for bom, enc in _BOMS:
        if raw.startswith(bom):
            return enc
    u16 = _utf16_without_bom(raw)
    if u16:
        return u16
    for enc in ("utf-8-sig", "gb18030"):
        try:
            raw.decode(enc)
            return enc
        except UnicodeDecodeError:
            continue
    return "latin-1"


def _not_text(path: Path, raw: bytes, text: str | None) -> str | None:
    """Why ``raw`` is not a text table (a binary format saved under a text name), or None."""
    if not any(raw.startswith(bom) for bom, _ in _BOMS):
        for sig, what in _SIGNATURES:
            if raw.startswith(sig):
                return what
    if text is None:  # undecodable: binary only if it holds zero bytes (a text file has none)
        return "it holds binary data (zero bytes)" + _BINARY_FIX if b"\x00" in raw[:20000] else None
    sample = text[:20000]
    if sample:
        ctrl = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\t\n\r\f\v") or ch == "\ufffd")
        if "\x00" in sample or ctrl / len(sample) > 0.01:
            return "it holds binary data (control characters)" + _BINARY_FIX
    return None


def _decode(path: Path, encoding: str | None) -> tuple[str, str]:
    """The text of a CSV/TSV file and its encoding; an :class:`InputError` when it is not a text table."""
    raw = path.read_bytes()
    enc = encoding or detect_encoding(raw)
    try:
        text = raw.decode(enc)
    except LookupError:
        raise InputError(f"{path}: unknown encoding {enc!r}; pass e.g. encoding='utf-8', 'gb18030' or "
                         "'utf-16'") from None
    except UnicodeDecodeError as exc:
        why = _not_text(path, raw, None)
        if why:
            raise InputError(f"{path}: not a text table: {why}") from None
        raise InputError(f"{path}: cannot decode as {enc}: {exc}; pass encoding=... (e.g. 'gb18030', "
                         "'utf-16')") from None
    why = _not_text(path, raw, text)
    if why:
        raise InputError(f"{path}: not a text table: {why}")
    if enc in ("utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be") and text.startswith("\ufeff"):
        text = text[1:]
    return text, enc


def _csv_rows(text: str, suffix: str, path=None) -> list:
    sample = text[:5000]
    if suffix == ".tsv" or sample.count("\t") > sample.count(","):
        delim = "\t"
    elif sample.count(";") > sample.count(",") and sample.count(";") > 0:
        delim = ";"
    else:
        delim = ","
    # newline="" lets the csv module see every line ending as written: \n (Unix), \r\n (Windows) and \r
    # alone (old Mac), and keep line breaks inside quoted cells
    at = f"{path}, line" if path is not None else "line"
    reader = csv.reader(_io.StringIO(text, newline=""), delimiter=delim, strict=True)
    rows, start = [], 1
    try:
        for r in reader:
            rows.append(list(r))
            start = reader.line_num + 1
    except csv.Error as exc:
        if "unexpected end of data" in str(exc):  # a quote opened and never closed swallows the rest
            raise InputError(f"{at} {start}: a quote (\") opened on this line is never closed, so the rest of "
                             "the file would be read as one cell; close the quote or remove it") from None
        reader = csv.reader(_io.StringIO(text, newline=""), delimiter=delim)  # lenient: text after a quote
        try:
            return [list(r) for r in reader]
        except csv.Error as exc2:
            raise InputError(f"{at} {reader.line_num}: not a readable CSV table ({exc2}); check the quotes on "
                             "that line (a cell that opens a quote must close it)") from None
    return rows


def read_csv_text(path, header: int | None = 0, encoding: str | None = None) -> pd.DataFrame:
    """Read a CSV (encoding detected) as strings; ``header=0`` uses the first row as column names."""
    path = Path(path)
    text, _ = _decode(path, encoding)
    rows = _csv_rows(text, path.suffix.lower(), path)
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
        if not text.strip():
            raise InputError(f"{path}: the file is empty" + (" (0 bytes)" if not text else " (only blank lines)")
                             + "; check that the right file was given and that it was saved")
        info["encoding"] = enc
        return [Grid(str(path), "", _csv_rows(text, suf, path))], info
    if suf == ".parquet":
        try:
            df = pd.read_parquet(path)
        except ImportError as exc:
            raise InputError(f"{path}: reading Parquet needs pyarrow ({exc}); install it or save the table as "
                             ".csv/.xlsx") from None
        except Exception as exc:  # noqa: BLE001 - any reader error: the file is not Parquet
            raise InputError(f"{path}: cannot read as Parquet ({exc}); check the file, or save the table as "
                             ".csv/.xlsx") from None
        cells = [list(map(str, df.columns))] + df.astype(object).values.tolist()
        return [Grid(str(path), "", cells)], info
    if suf in (".xlsx", ".xlsm"):
        import openpyxl
        try:
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # noqa: BLE001
            raise _workbook_error(path, exc) from None
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
            raise _workbook_error(path, exc) from None
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


def _workbook_error(path: Path, exc) -> InputError:
    """A workbook that does not open: say what the file looks like when its name lies about it."""
    head = path.read_bytes()[:2048]
    suf = path.suffix.lower()
    if head.startswith(b"PK\x03\x04") and suf == ".xls":
        why = "it is a newer Excel workbook (.xlsx) named .xls; rename it to .xlsx"
    elif head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1") and suf != ".xls":
        why = "it is an old Excel workbook (.xls); rename it to .xls"
    elif re.search(rb"<\s*(html|table|!doctype)", head.lower()):
        why = "it is a web page (HTML) saved with an Excel name, as many statistics sites export; open it in " \
              "Excel and save it as .xlsx"
    elif not head:
        why = "the file is empty"
    elif b"\x00" not in head and _not_text(path, head, head.decode("latin-1")) is None:
        why = "it looks like a text (CSV) file; rename it to .csv"
    else:
        why = f"{exc}; check that the file is a workbook saved by Excel or WPS and not damaged"
    return InputError(f"{path}: cannot open as a workbook: {why}")


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
    ``#DIV/0!``, ``无``, ``/``; full-width forms too) or an infinite value (numeric ``±inf`` or text
    ``inf``, ``∞``, read as missing with its own reason); ``value`` is NaN when missing. Raises
    ``ValueError`` when the cell is text that is not a number, or a number written beyond the range of
    a float (``1e400``). ``reason`` is the English sentence (:func:`cell_number` gives its code too).
    """
    value, action, why = cell_number(v)
    return value, action, why.get("reason", "")


def cell_number(v):
    """:func:`to_number` with the reason as audit fields (:func:`nqpf.i18n._reasons.reason`: English
    sentence, code and arguments; ``{}`` for a plain number)."""
    from nqpf.i18n._reasons import reason

    if isinstance(v, (bool, np.bool_)):
        raise ValueError("a true/false cell is not a number")
    if v is None:
        return np.nan, "missing", reason("blank_cell")
    if isinstance(v, (int, float, np.integer, np.floating)):
        f = float(v)
        if math.isnan(f):
            return np.nan, "missing", reason("blank_cell")
        if math.isinf(f):
            return np.nan, "missing", reason("infinite_value", value=repr(v))
        return f, None, {}
    s = str(v).strip()
    key = _marker_key(s)
    if key in MISSING_MARKERS or s == "":
        return np.nan, "missing", reason("blank_cell") if s == "" else reason("missing_marker", marker=s)
    if key in _INFINITE:
        return np.nan, "missing", reason("infinite_value", value=repr(s))
    if _NUM_RE.match(s):
        return _finite(float(s), s), None, {}
    t = unicodedata.normalize("NFKC", s)
    t = t.replace("−", "-").replace("，", ",")
    fixes = []
    if t != s:
        fixes.append("@audit.word.fix_full_width")
    if "," in t:
        if re.fullmatch(r"[+-]?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]*)?", t.replace(" ", "")):
            fixes.append("@audit.word.fix_thousands")
            t = t.replace(",", "")
        else:
            raise ValueError(f"{s!r} is not a number")
    if re.search(r"\s", t):
        fixes.append("@audit.word.fix_spaces")
        t = re.sub(r"\s+", "", t)
    pct = t.endswith("%")
    if pct:
        t = t[:-1]
        fixes.append("@audit.word.fix_percent")
    if _NUM_RE.match(t):
        return _finite(float(t), s), "coerced", reason("text_number", fixes=fixes or ["@audit.word.fix_text"])
    raise ValueError(f"{s!r} is not a number")


def _marker_key(s: str) -> str:
    """The form in which a cell's text is compared with :data:`MISSING_MARKERS`: full-width forms folded
    (``－``, ``／``, ``ＮＡ``), case and spaces ignored."""
    return unicodedata.normalize("NFKC", s).casefold().replace(" ", "")


def _finite(f: float, text: str) -> float:
    """``f`` when finite; a written number too large for a float (``1e400``) is refused."""
    if math.isinf(f):
        raise ValueError(f"{text!r} is beyond the largest number a computer can hold (about 1.8e308); check "
                         "its exponent")
    return f
