"""Excel templates a user fills in with yearbook data (``nqpf init``).

One sheet per raw variable of a spec, laid out as statistical yearbooks print tables: a title row,
a unit row, a header row ``地区 | 2010 | 2011 | …`` and one row per province. ``nqpf.io.read_panel``
reads a filled template back (layout ``yearbook``), so the round trip template → data → index needs
no reshaping by hand.
"""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Iterable

__all__ = ["write_template"]

_FIXED_TIME = None  # set lazily: deterministic workbook timestamps


def _sheet_name(name: str, used: set[str]) -> str:
    s = re.sub(r"[\[\]\*\?/\\:]", "_", str(name))[:31] or "var"
    base, k = s, 1
    while s in used:
        k += 1
        s = f"{base[:28]}~{k}"
    used.add(s)
    return s


def write_template(spec, path: str | os.PathLike, years: Iterable[int] = range(2010, 2021), regions=None) -> Path:
    """Write an input template for the raw variables of ``spec``.

    Parameters
    ----------
    spec : nqpf.spec.Spec
        The indicator system; its ``variables`` (raw variables used by formulas) get one sheet each.
    path : path
        ``.xlsx`` file to write (written atomically).
    years : iterable of int
        Columns of every sheet.
    regions : list of str, optional
        Row labels; default the 31 mainland provinces (short Chinese names, GB/T order).
    """
    import datetime as _dt

    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    from .errors import InputError
    from .report.atomic import atomic_write

    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise InputError(f"template must be an .xlsx file, got {path.name}")
    years = [int(y) for y in years]
    if not years:
        raise InputError("template needs at least one year")
    if regions is None:
        from .regions import PROVINCES

        mainland = PROVINCES[~PROVINCES["code"].isin(["710000", "810000", "820000"])]
        regions = list(mainland["name_short"])
    uses: dict[str, list] = {}
    for ind in spec.indicators:
        vars_ = _formula_vars(spec, ind)
        for v in vars_:
            uses.setdefault(v, []).append(ind)
    wb = Workbook()
    about = wb.active
    about.title = "说明 README"
    lines = [
        f"nqpf input template — spec {spec.name}: {spec.title or ''}",
        "每个工作表是一个原始变量:行为地区,列为年份。缺失值留空或填 —(将按线性插值补齐并记入审计表)。",
        "One sheet per raw variable: regions in rows, years in columns. Leave missing values blank or '—'",
        "(they are filled by linear interpolation within each region and recorded in the audit table).",
        "Keep the header row (地区 | years). Do not rename sheets: the sheet name is the variable name.",
        "",
        "variable | used by indicators | unit",
    ]
    for v in sorted(uses):
        inds = uses[v]
        lines.append(f"{v} | {', '.join(i.id for i in inds)} | {_unit(inds, v, spec)}")
    for i, t in enumerate(lines, 1):
        about.cell(row=i, column=1, value=t)
    about["A1"].font = Font(bold=True, size=12)
    about.column_dimensions["A"].width = 110
    used = {about.title}
    head_fill = PatternFill("solid", fgColor="DDEBF7")
    for v in sorted(uses):
        ws = wb.create_sheet(_sheet_name(v, used))
        inds = uses[v]
        ws.cell(row=1, column=1, value=_title(v, inds, spec)).font = Font(bold=True)
        ws.cell(row=2, column=1, value=f"单位: {_unit(inds, v, spec)}")
        ws.cell(row=3, column=1, value="地区").font = Font(bold=True)
        for j, y in enumerate(years, start=2):
            c = ws.cell(row=3, column=j, value=y)
            c.font = Font(bold=True)
            c.fill = head_fill
            c.alignment = Alignment(horizontal="center")
        for i, r in enumerate(regions, start=4):
            ws.cell(row=i, column=1, value=r)
        ws.freeze_panes = "B4"
        ws.column_dimensions["A"].width = 12
        for j in range(2, len(years) + 2):
            ws.column_dimensions[get_column_letter(j)].width = 11
    fixed = _dt.datetime(2000, 1, 1)
    wb.properties.created = fixed
    wb.properties.modified = fixed
    try:
        with atomic_write(path) as tmp:
            wb.save(tmp)
    except OSError as exc:  # a folder that cannot be made or written: name the target, not a temporary file
        blocker = next((q for q in path.parents if q.exists()), None)
        why = (f"{blocker} is a file, not a folder" if blocker is not None and not blocker.is_dir()
               else exc.strerror or str(exc))
        raise InputError(f"cannot write the template {path}: {why}; choose a folder you can write to") from None
    return path


def _title(var, inds, spec) -> str:
    """Sheet title: the variable, its name, and the indicators computed from it."""
    declared = getattr(spec, "declared_variables", None) or {}
    d = declared.get(var) if isinstance(declared.get(var), dict) else {}
    own = [i for i in inds if i.id == var and not i.formula]
    name = d.get("name_zh") or (own[0].name_zh if own and own[0].name_zh else "")
    title = f"{var} {name}".strip()
    derived = [i for i in inds if i.formula]
    if derived:
        title += " — 用于 / used by: " + "; ".join(
            f"{i.id}{' ' + i.name_zh if i.name_zh else ''} = {i.formula}" for i in derived)
    return title


def _formula_vars(spec, ind) -> list[str]:
    if getattr(ind, "formula", None):
        try:
            from .spec import formula_variables

            return sorted(formula_variables(ind.formula))
        except ImportError:  # pragma: no cover - older spec module
            pass
        return sorted(set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", ind.formula)))
    return [ind.id]


def _unit(inds, var, spec=None) -> str:
    declared = getattr(spec, "declared_variables", None) or {}
    d = declared.get(var)
    if isinstance(d, dict) and d.get("unit"):
        return str(d["unit"])
    for i in inds:
        if not getattr(i, "formula", None) and getattr(i, "unit", None):
            return str(i.unit)
    return ""
