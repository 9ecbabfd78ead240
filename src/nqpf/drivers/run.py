"""The geographical detector on any table (``nqpf geodetector DATA --y COLUMN --factors A,B,C --out DIR``)."""
from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from ..errors import InputError
from .geodetector import TABLES, _run, stratify

__all__ = ["read_table", "run_table", "parse_classes", "write_tables", "MISSING"]

#: Cell texts read as missing (besides pandas' defaults: empty, NA, NaN, null, #N/A …).
MISSING = ("—", "——", "-", "--", "…", "...", "..", "/", "#DIV/0!", "#VALUE!", "无", "缺失", "暂无", "不详")
_EXCEL = (".xlsx", ".xlsm", ".xls", ".ods")
_TEXT = (".csv", ".tsv", ".txt")


def read_table(path, *, sheet=None, encoding: str | None = None) -> pd.DataFrame:
    """A CSV/TSV (encoding detected: UTF-8, else GB18030; delimiter sniffed) or Excel sheet as a
    DataFrame, column names stripped, text columns that hold only numbers made numeric, cells in
    :data:`MISSING` missing. Problems are :class:`~nqpf.errors.InputError` naming the file."""
    from ..io import detect_encoding

    p = Path(path)
    if not p.exists():
        raise InputError(f"{p}: file not found")
    if p.is_dir():
        raise InputError(f"{p}: is a folder; give a CSV or Excel file")
    suffix = p.suffix.lower()
    try:
        if suffix in _EXCEL:
            df = pd.read_excel(p, sheet_name=0 if sheet is None else sheet, na_values=list(MISSING))
        elif suffix in _TEXT or not suffix:
            raw = p.read_bytes()
            enc = encoding or detect_encoding(raw[:200_000])
            df = pd.read_csv(p, encoding=enc, sep=None, engine="python", na_values=list(MISSING),
                             skipinitialspace=True)
        else:
            raise InputError(f"{p}: unknown file type {suffix!r}; give a .csv, .tsv, .txt or Excel file "
                             f"({', '.join(_EXCEL)})")
    except InputError:
        raise
    except ValueError as exc:  # pandas: a sheet that does not exist, a malformed file
        raise InputError(f"{p}: cannot read the table ({exc})") from None
    except Exception as exc:   # openpyxl/xlrd/csv errors on a damaged or mislabelled file
        raise InputError(f"{p}: cannot read the table ({type(exc).__name__}: {exc})") from None
    df.columns = [str(c).strip() for c in df.columns]
    if df.empty:
        raise InputError(f"{p}: the table has no rows")
    for c in df.columns:
        if df[c].dtype == object or pd.api.types.is_string_dtype(df[c]):
            s = df[c].astype("string").str.strip()
            num = pd.to_numeric(s, errors="coerce")
            if s.notna().any() and (num.notna() == s.notna()).all():
                df[c] = num
            else:
                df[c] = s.astype(object).where(s.notna(), None)
    return df


def run_table(path_or_df, y, factors, out=None, *, by=None, discretize="optimal", classes="auto",
              categorical=None, alpha: float = 0.05, tol: float = 1e-10, sheet=None,
              encoding: str | None = None) -> dict[str, pd.DataFrame]:
    """The geographical detector on a table: read it, run the four detectors, write the tables.

    Parameters
    ----------
    path_or_df : path or DataFrame
        A CSV/TSV/Excel file (see :func:`read_table`) or a DataFrame, one row per unit.
    y : str
        Column of the explained variable.
    factors : sequence of str or str
        Columns of the factors (a comma-separated text is split, as for ``discretize`` and
        ``categorical``).
    out : path, optional
        Folder to write ``tables/<key>.csv`` of every table and ``tables/meta.json`` (the parameters)
        into, all or nothing; ``None`` writes nothing.
    by, discretize, classes, categorical, alpha, tol
        As :func:`nqpf.drivers.geodetector` (``by`` a column whose groups, e.g. years, are analysed
        separately; ``classes`` may also be a text ``"5"``, ``"3-8"`` or ``"3,5,7"``, or ``"auto"``, the
        default: :func:`~nqpf.drivers.auto_classes` of the units of one run, the rows with a ``y``
        (of the smallest group with ``by``): at least 5 units per stratum on average).
    sheet : str or int, optional
        Excel sheet (default the first).
    encoding : str, optional
        Text encoding of a CSV (default detected).

    Returns
    -------
    dict of str to DataFrame
        The tables of :data:`~nqpf.drivers.TABLES` (codes and numbers; factors by column name).
    """
    if isinstance(path_or_df, pd.DataFrame):
        df, where, source = path_or_df, "geodetector", None
    else:
        df = read_table(path_or_df, sheet=sheet, encoding=encoding)
        where, source = str(path_or_df), Path(path_or_df).name
    factors, discretize, categorical = (_split(v) for v in (factors, discretize, categorical))
    auto = isinstance(classes, str) and classes.strip().lower() == "auto"
    if auto:
        from .discretize import auto_classes

        # a missing column is reported by stratify, with the closest spelling
        has_y = (pd.to_numeric(df[y], errors="coerce").notna() if y in df.columns
                 else pd.Series(True, index=df.index))
        n = int(has_y.groupby(df[by]).sum().min()) if by is not None and by in df.columns else int(has_y.sum())
        classes = list(auto_classes(n))
    classes = parse_classes(classes)
    st = stratify(df, y, factors, discretize=discretize, classes=classes, by=by, categorical=categorical,
                  where=where)
    tables = _run(st, y, factors, TABLES, alpha=alpha, tol=tol, where=where)
    if out is not None:
        meta = {"package": "nqpf", "source": source, "y": str(y), "factors": [str(f) for f in st.factors],
                "rows": int(len(df)), "rows_used": int(len(st.y)), **st.params,
                "classes_rule": "auto" if auto else "given", "alpha": alpha, "tol": tol,
                "tables": list(tables)}
        write_tables(tables, out, meta)
    return tables


def _split(v):
    """A comma-separated text (as the command line gives it) as a list; anything else as given."""
    if isinstance(v, str) and "," in v:
        return [x.strip() for x in v.split(",") if x.strip()]
    return v


def parse_classes(classes):
    """``classes`` as given, or a text ``"5"``, ``"3-8"``, ``"3..8"`` or ``"3,5,7"`` as whole numbers."""
    if not isinstance(classes, str):
        return classes
    text = classes.replace("..", "-").replace("–", "-").strip()
    try:
        if "-" in text and "," not in text:
            a, b = (int(v) for v in text.split("-", 1))
            return list(range(a, b + 1))
        return [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise InputError(f"classes: expects a whole number, a range such as 3-8 or a list such as 3,5,7; "
                         f"got {classes!r}") from None


def write_tables(tables: Mapping[str, pd.DataFrame], out, meta: Mapping) -> list[Path]:
    """``tables/<key>.csv`` of every table and ``tables/meta.json`` into ``out``, all or nothing (the
    CSV format of :func:`nqpf.outputs.write_tables`)."""
    from ..analyses.drivers import table_items
    from ..outputs import write_tables as _write
    from ..report.atomic import atomic_output_dir
    from ..results import RegionIndex

    out = Path(out)
    with atomic_output_dir(out) as tmp:
        _write(table_items(tables, factor_kind="text"), RegionIndex(ids=()), tmp)
        text = json.dumps(dict(meta), ensure_ascii=False, indent=2, default=str) + "\n"
        (Path(tmp) / "tables" / "meta.json").write_text(text, encoding="utf-8", newline="\n")
    return sorted((out / "tables").glob("*"))

