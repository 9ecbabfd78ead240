"""The indicator system (spec): a tree of groups whose leaves are measured indicators.

A spec says *what* is measured: each indicator's id, names, direction (benefit ``+1`` or cost
``-1``), unit, the formula that derives it from raw variables, and its place in the hierarchy
(e.g. criterion → dimension → sub-dimension → indicator, as Table 1 of Ran et al. 2025).

TOML schema
-----------
::

    [spec]
    name   = "ran2025"                      # short id (defaults to the file stem)
    title  = "新质生产力发展潜力测度指标体系"    # optional
    title_en = "NQPF development potential"  # optional
    levels = ["criterion", "dimension", "indicator"]   # tree levels, root first; the last
                                                       # level is always the indicator itself
    source = "Ran et al. (2025), Table 1"   # optional

    [groups]                  # optional labels of groups (any level), keyed by group name
    "劳动者" = "Labourers"                     # a string is the English label, or
    "劳动者素质" = { name_en = "Labour quality", note = "..." }

    [variables]               # optional: declare raw variables (name = description or table
    gdp = { unit = "亿元", name_zh = "地区生产总值" }   # with unit/name_zh/name_en/source).
                              # When present, every formula name must be declared here or be
                              # an indicator id ("unknown variable" otherwise).

    [[indicator]]
    id        = "gdp_pc"                      # required, unique
    name_zh   = "人均GDP"
    name_en   = "GDP per capita"
    direction = "+"          # +1/-1, "+"/"-", 正/负, positive/negative, benefit/cost
    formula   = "gdp / pop"  # optional; omitted = the raw variable of the same id
    unit      = "元/人"
    note      = "..."
    source    = "China Statistical Yearbook"
    path      = ["劳动者", "劳动生产率"]       # group names, root first, one per non-leaf level
    # ... or instead of ``path`` one key per level: criterion = "劳动者", dimension = "劳动生产率"

Tables (CSV, Excel)
-------------------
One row per indicator; columns (case-insensitive, Chinese aliases in brackets):
``indicator`` (指标, 三级指标, 指标代码) and ``direction`` (方向, 属性, 指标属性) are required;
optional ``criterion`` (准则层), ``dimension`` (一级指标, 维度), ``subdimension`` (二级指标),
``name_zh`` (指标名称, 中文名称), ``name_en`` (英文名称), ``formula`` (公式, 计算公式), ``unit``
(单位), ``note`` (备注, 说明), ``source`` (来源, 数据来源). The levels are the group columns present,
in the order criterion, dimension, subdimension. Blank group cells are filled from the row above
(merged cells as printed tables use them); a blank group cell in the first row is an error.

Formulas
--------
A small safe expression language: numbers, names, ``+ - * /`` (also ``× ÷ −`` and full-width
parentheses), parentheses and unary minus. Formulas are parsed with :mod:`ast` and only those nodes
are accepted; nothing is ever evaluated by Python.

A name is written bare when it is an identifier (letters, digits and ``_``, Chinese characters
included: ``gdp / pop``, ``研发经费 / 地区生产总值``). Any other sheet or column name — with spaces,
hyphens, ``&``, ``%``, parentheses of its own, starting with a digit — is quoted, with backticks or with
square brackets, and then taken exactly as written (spaces inside kept, spaces next to the quotes
dropped)::

    formula = "`R&D 经费` / `GDP-2`"
    formula = "[研发经费(万元)] / [GDP]"

A bracketed name may not contain ``[``, ``]`` or a comma (``[a, b]`` reads as a list and is refused):
quote such a name with backticks; a backticked name may not contain a backtick. ``×``, ``÷`` and the
other symbol spellings are operators only outside quotes.

A formula name that is the id of another *derived* indicator refers to that indicator (evaluated
first; cycles are an error); any other name is a raw variable. Division by zero gives ``NaN``
(reported by :meth:`Formula.evaluate` so the caller can audit it).

A raw variable the data do not have is the spec's fault first (a misspelt name in a formula, or an
indicator id that is not the data's name): :attr:`Spec.variables` remembers where each name is used,
so the reader reports the spec file, the indicator and the closest names of the data
(:class:`UnknownVariableError`).
"""
from __future__ import annotations

import ast
import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Mapping

import numpy as np
import pandas as pd

from .errors import InputError, SpecError

try:  # Python >= 3.11
    import tomllib
except ModuleNotFoundError:  # pragma: no cover
    import tomli as tomllib

__all__ = [
    "Indicator",
    "Spec",
    "Formula",
    "parse_formula",
    "formula_variables",
    "parse_direction",
    "load_spec",
    "list_specs",
    "spec_path",
    "SpecVariable",
    "UnknownVariableError",
    "missing_variables_error",
    "close_names",
]


class UnknownVariableError(SpecError, InputError):
    """A raw variable of a spec (a name in a formula, or a raw indicator's id) that the data do not have.

    Both a :class:`~nqpf.errors.SpecError` (the spec names it) and an :class:`~nqpf.errors.InputError`
    (met while reading the data); the message names the spec file and indicator first."""


class SpecVariable(str):
    """A raw variable name of a spec (a plain ``str`` to every other use) that remembers where the spec
    uses it: ``uses`` is a tuple of ``(where, indicator id, formula or None)``."""

    uses: tuple = ()

    def __new__(cls, name, uses=()):
        obj = super().__new__(cls, name)
        obj.uses = tuple(uses)
        return obj

    def __reduce__(self):
        return (SpecVariable, (str(self), self.uses))


def _name_key(name) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(name))).lower()


def close_names(name, known, n: int = 3) -> list:
    """Up to ``n`` names of ``known`` closest to ``name``, ignoring case, spaces and full-width forms
    (a name containing the other, or containing it, counts as close)."""
    known = [str(k) for k in dict.fromkeys(known)]
    keys: dict = {}
    for k in known:
        keys.setdefault(_name_key(k), k)
    key = _name_key(name)
    out = [keys[c] for c in difflib.get_close_matches(key, list(keys), n=n, cutoff=0.6)]
    if len(key) >= 2:
        out += [k for kk, k in keys.items() if (key in kk or kk in key) and len(kk) >= 2]
    return list(dict.fromkeys(o for o in out if o != str(name)))[:n]


#: Variables named in the error for variables absent from the data; beyond them they are counted.
SHOWN_MISSING = 10


def missing_variables_error(names, known, data: str = "the data") -> UnknownVariableError:
    """The error for raw variables of a spec absent from the data: for each name the spec file and the
    indicator using it (from :attr:`SpecVariable.uses`), the formula, and the closest of ``known``
    (the data's variables). More than :data:`SHOWN_MISSING` names: the first ones briefly (name,
    indicator, closest name) and ``and N more``, so that the message stays one readable line."""
    names = list(names)
    many = len(names) > SHOWN_MISSING
    parts = []
    for v in names[:SHOWN_MISSING]:
        uses = getattr(v, "uses", ()) or (("spec", None, None),)
        where, iid, formula = uses[0]
        close = close_names(v, known)
        if many:
            by = ", ".join(repr(u[1]) for u in uses if u[1] is not None)
            parts.append(f"{str(v)!r}" + (f" (indicator {by})" if by and by != repr(str(v)) else "")
                         + (f" (did you mean {', '.join(map(repr, close))}?)" if close else ""))
            continue
        also = f" (also used by {', '.join(repr(u[1]) for u in uses[1:])})" if len(uses) > 1 else ""
        if formula is not None:
            what = f"{where}: formula {formula!r} of indicator {iid!r} uses variable {str(v)!r}"
        else:
            what = f"{where}: indicator {iid!r} has no formula, so its id names a variable of the data"
        hint = f"did you mean {', '.join(map(repr, close))}?" if close else "no variable of the data is close"
        parts.append(f"{what}{also}, which {data} does not have ({hint})")
    if many:
        spec_file = (getattr(names[0], "uses", ()) or (("spec", None, None),))[0][0].split(",")[0]
        text = (f"{data} lacks {len(names)} raw variables of {spec_file}: " + ", ".join(parts)
                + f" and {len(names) - SHOWN_MISSING} more. Is the spec the right one for these data? Otherwise ")
    else:
        text = "; ".join(parts) + ". "
    return UnknownVariableError(
        text + ("f" if many else "F") + "ix the name in the spec (quote a name with spaces or symbols: `R&D 经费` or "
        "[R&D 经费]; a raw indicator whose data name differs needs formula = the data's name), or add the "
        "variable to the data")


_DIRECTIONS = {
    "+": 1, "+1": 1, "1": 1, "1.0": 1, "正": 1, "正向": 1, "positive": 1, "benefit": 1,
    "pos": 1, "p": 1, "higher": 1, "more": 1,
    "-": -1, "-1": -1, "-1.0": -1, "负": -1, "负向": -1, "逆": -1, "逆向": -1,
    "negative": -1, "cost": -1, "neg": -1, "n": -1, "lower": -1, "less": -1,
}


def parse_direction(value, where: str = "") -> int:
    """Return ``+1`` or ``-1`` for a direction written in any accepted way.

    Accepted: ``+1/-1`` (numbers or strings), ``+``/``-`` (also the minus sign ``−``), ``正``/``负``
    (``正向``/``负向``/``逆向``), ``positive``/``negative``, ``benefit``/``cost``.
    """
    if isinstance(value, (bool, np.bool_)):
        value = None
    if isinstance(value, (int, float, np.integer, np.floating)) and not pd.isna(value):
        if value in (1, -1):
            return int(value)
    elif isinstance(value, str):
        key = value.strip().replace("−", "-").replace("＋", "+").replace("－", "-").lower()
        if key in _DIRECTIONS:
            return _DIRECTIONS[key]
    loc = f"{where}: " if where else ""
    raise SpecError(
        f"{loc}invalid or missing direction {value!r}; use +1/-1, '+'/'-', 正/负, "
        "positive/negative or benefit/cost"
    )


# --------------------------------------------------------------------------------------------
# Formulas
# --------------------------------------------------------------------------------------------
_OPS = {ast.Add: np.add, ast.Sub: np.subtract, ast.Mult: np.multiply, ast.Div: None}
_SYMBOLS = {"×": "*", "÷": "/", "−": "-", "（": "(", "）": ")", "＋": "+", "－": "-", "＊": "*",
            "／": "/", "·": "*"}


@dataclass(frozen=True)
class Formula:
    """A parsed, validated arithmetic formula.

    Attributes
    ----------
    text : str
        The formula as written.
    variables : tuple of str
        Names used, in order of first appearance.
    """

    text: str
    variables: tuple
    _tree: ast.Expression = field(repr=False, compare=False)

    def evaluate(self, env: Mapping[str, np.ndarray]):
        """Evaluate element-wise on arrays.

        Parameters
        ----------
        env : mapping name → array (all of the same shape) or scalar.

        Returns
        -------
        value : ndarray of float
            ``±inf`` where the arithmetic overflows (beyond about 1.8e308; no warning is issued: the
            caller flags non-finite results, as :func:`nqpf.prepare.prepare` does).
        zero_division : ndarray of bool
            Where a division had a zero denominator (the value there is ``NaN``).
        """
        shape = np.broadcast_shapes(*(np.shape(env[v]) for v in self.variables)) if self.variables else ()
        zero = np.zeros(shape, dtype=bool)

        def ev(node):
            if isinstance(node, ast.Expression):
                return ev(node.body)
            if isinstance(node, ast.Constant):
                return np.float64(node.value)
            if isinstance(node, ast.Name):
                return np.asarray(env[node.id], dtype=float)
            if isinstance(node, ast.UnaryOp):
                v = ev(node.operand)
                return -v if isinstance(node.op, ast.USub) else +v
            if isinstance(node, ast.BinOp):
                a, b = ev(node.left), ev(node.right)
                if isinstance(node.op, ast.Div):
                    b = np.asarray(b, dtype=float)
                    bad = np.broadcast_to(b == 0, shape) if shape else (b == 0)
                    zero[...] |= bad
                    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                        out = np.divide(a, np.where(b == 0, np.nan, b))
                    return out
                return _OPS[type(node.op)](a, b)
            raise AssertionError(type(node))  # pragma: no cover - rejected at parse time

        with np.errstate(over="ignore", invalid="ignore"):  # overflow gives ±inf, flagged by the caller
            value = np.asarray(ev(self._tree), dtype=float)
        if value.shape != shape:
            value = np.broadcast_to(value, shape).copy()
        return value, zero


_QUOTED = re.compile(r"`([^`]*)`|\[([^\[\]]*)\]")


def _unquote(text: str, loc: str) -> tuple[str, dict]:
    """Replace each quoted name (```name```, ``[name]``) by a placeholder identifier; return the source
    and placeholder → name. Symbol spellings (``× ÷ −`` …) are replaced outside quotes only."""
    names: dict = {}
    pieces, pos = [], 0
    taken = set(re.findall(r"\w+", text))
    k = 0
    for m in _QUOTED.finditer(text):
        name = m.group(1) if m.group(1) is not None else m.group(2)
        quote = "`" if m.group(1) is not None else "["
        if m.group(2) is not None and "," in name:
            raise SpecError(f"formula {text!r}{loc}: {m.group(0)!r} looks like a list; square brackets quote one "
                            "variable name, without commas (quote a name with a comma with backticks: `a, b`)")
        name = name.strip()
        if not name:
            raise SpecError(f"formula {text!r}{loc}: empty quoted name {m.group(0)!r}; write the variable's name "
                            f"between the {'backticks' if quote == '`' else 'brackets'}")
        while f"_nqpf_q{k}_" in taken:
            k += 1
        ph = f"_nqpf_q{k}_"
        k += 1
        names[ph] = name
        pieces.append(text[pos:m.start()])
        pieces.append(f" {ph} ")
        pos = m.end()
    pieces.append(text[pos:])
    outside = [pieces[i] for i in range(0, len(pieces), 2)]
    for bit in outside:
        for ch, what in (("`", "a backtick"), ("[", "an opening bracket"), ("]", "a closing bracket")):
            if ch in bit:
                raise SpecError(f"formula {text!r}{loc} has {what} without its pair; quote a variable name "
                                "whole: `R&D 经费` or [R&D 经费]")
    out = []
    for i, bit in enumerate(pieces):
        if i % 2 == 0:
            for sym, op in _SYMBOLS.items():
                bit = bit.replace(sym, op)
        out.append(bit)
    return "".join(out), names


def parse_formula(text: str, where: str = "") -> Formula:
    """Parse ``text`` into a :class:`Formula`, accepting only arithmetic.

    Allowed: numbers, names, ``+ - * /`` (``× ÷ −`` too), parentheses, unary ``+``/``-``. Names that are
    not identifiers are quoted with backticks or square brackets (```R&D 经费` / [GDP-2]``; see the
    module docstring). Anything else (attribute access, calls, subscripts, powers, comparisons,
    lambdas, imports …) raises :class:`~nqpf.errors.SpecError`.
    """
    loc = f" ({where})" if where else ""
    if not isinstance(text, str):
        raise SpecError(f"formula{loc} must be text, e.g. \"gdp / pop\", got {text!r}")
    if not text.strip():
        raise SpecError(f"empty formula{loc}")
    src, quoted = _unquote(text.strip(), loc)
    try:
        tree = ast.parse(src.strip(), mode="eval")
    except (RecursionError, MemoryError):
        raise SpecError(f"formula{loc} is too long or too deeply nested to read ({len(text)} characters); split "
                        "it into intermediate indicators") from None
    except ValueError as exc:  # e.g. a NUL character
        raise SpecError(f"formula {text!r}{loc} is not valid arithmetic: {exc}") from None
    except SyntaxError as exc:
        hint = ""
        if re.search(r"[\w\u4e00-\u9fff]\s+[\w\u4e00-\u9fff]|[&%#@$?!'\"]|\w-\w|\b\d+[^\W\d]", src):
            hint = ("; a variable name with spaces, hyphens or symbols must be quoted: `R&D 经费` / `GDP-2` or "
                    "[R&D 经费] / [GDP-2]")
        raise SpecError(f"formula {text!r}{loc} is not valid arithmetic: {exc.msg}{hint}") from None
    named: list = []
    for node in ast.walk(tree):
        ok = isinstance(node, (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Name, ast.Load,
                               ast.Add, ast.Sub, ast.Mult, ast.Div, ast.USub, ast.UAdd))
        if isinstance(node, ast.Constant):
            ok = isinstance(node.value, (int, float)) and not isinstance(node.value, bool)
            if ok and not np.isfinite(float(node.value)):
                raise SpecError(f"formula {text!r}{loc}: the number {src[node.col_offset:node.end_col_offset]!r} "
                                "is beyond the largest a computer can hold (about 1.8e308); check its exponent")
        if not ok:
            raise SpecError(
                f"formula {text!r}{loc} uses {type(node).__name__}, which is not allowed; "
                "formulas may contain only numbers, variable names, + - * / and parentheses "
                "(quote a name with spaces or symbols: `R&D 经费` or [R&D 经费])"
            )
        if isinstance(node, ast.Name):
            if node.id in quoted:
                node.id = quoted[node.id]
            named.append((node.col_offset, node.id))
    names = tuple(dict.fromkeys(n for _, n in sorted(named)))
    return Formula(text=text.strip(), variables=names, _tree=tree)


def formula_variables(text: str) -> tuple:
    """Names used by a formula, in order of first appearance (the formula is validated)."""
    return parse_formula(text).variables


# --------------------------------------------------------------------------------------------
# Spec
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Indicator:
    """One measured indicator (a leaf of the tree).

    ``formula`` is ``None`` when the indicator is the raw variable of the same id.
    ``path`` holds the group names from the root, one per non-leaf level.
    """

    id: str
    name_zh: str = ""
    name_en: str = ""
    direction: int = 1
    unit: str = ""
    formula: str | None = None
    note: str = ""
    source: str = ""
    path: tuple = ()

    @property
    def parsed(self) -> Formula:
        """The parsed formula (the identity formula ``id`` for raw indicators).

        A raw indicator's id is taken whole as the name of its variable, so ids that are not
        identifiers (``Passenger traffic``, ``R&D/GDP``) work as they are written in the data.
        """
        if self.formula:
            return parse_formula(self.formula, where=f"indicator {self.id}")
        tree = ast.Expression(body=ast.Name(id=self.id, ctx=ast.Load()))
        return Formula(text=self.id, variables=(self.id,), _tree=tree)


@dataclass
class Spec:
    """An indicator system.

    Attributes
    ----------
    name, title, title_en : str
    levels : tuple of str
        Level names, root first; the last is ``"indicator"``.
    indicators : list of Indicator
    group_labels : dict
        group name → ``{"name_zh": ..., "name_en": ..., "note": ...}``.
    declared_variables : dict
        Raw variables declared in the spec (may be empty), name → attributes.
    source : str
        The file the spec came from (or ``""``).
    locations : list of str
        Where each indicator was written (``"row 5"``, ``"[[indicator]] #3"``), for error messages.
    """

    name: str
    levels: tuple
    indicators: list
    title: str = ""
    title_en: str = ""
    group_labels: dict = field(default_factory=dict)
    declared_variables: dict = field(default_factory=dict)
    source: str = ""
    locations: list = field(default_factory=list, repr=False, compare=False)

    def __post_init__(self):
        self.levels = tuple(self.levels)
        self.indicators = list(self.indicators)
        _validate(self)

    # -- views ------------------------------------------------------------------------------
    @property
    def ids(self) -> list:
        """Indicator ids in spec order."""
        return [i.id for i in self.indicators]

    def __len__(self):
        return len(self.indicators)

    def __getitem__(self, key) -> Indicator:
        for i in self.indicators:
            if i.id == key:
                return i
        raise KeyError(key)

    @property
    def directions(self) -> pd.Series:
        """Series indicator id → direction (+1 benefit, -1 cost)."""
        return pd.Series([i.direction for i in self.indicators], index=pd.Index(self.ids, name="indicator"),
                         name="direction", dtype=int)

    @property
    def derived(self) -> list:
        """Ids of indicators computed by a formula, in evaluation order (dependencies first)."""
        return _evaluation_order(self)

    @property
    def variables(self) -> tuple:
        """Raw variables the data must provide, in order of first use.

        Each is a :class:`SpecVariable` (a ``str``) whose ``uses`` say where the spec uses it, so that a
        reader missing it can blame the spec's formula or indicator."""
        derived = {i.id for i in self.indicators if i.formula}
        uses: dict[str, list] = {}
        for k, ind in enumerate(self.indicators):
            names = ind.parsed.variables
            for v in names:
                raw = v not in derived or v == ind.id
                if raw:
                    uses.setdefault(v, []).append((_where(self, k), ind.id, ind.formula))
        return tuple(SpecVariable(v, u) for v, u in uses.items())

    def groups(self, level) -> pd.Series:
        """Series indicator id → group name at ``level`` (a level name or its position)."""
        if isinstance(level, str) and level not in self.levels:
            raise SpecError(f"spec {self.name!r} has no level {level!r}; levels are {self.levels}")
        k = self.levels.index(level) if isinstance(level, str) else int(level)
        if k == len(self.levels) - 1:
            return pd.Series(self.ids, index=pd.Index(self.ids, name="indicator"), name="indicator")
        if not 0 <= k < len(self.levels) - 1:
            raise SpecError(f"spec {self.name!r} has no level {level!r}; levels are {self.levels}")
        return pd.Series([i.path[k] for i in self.indicators], index=pd.Index(self.ids, name="indicator"),
                         name=self.levels[k])

    def tree(self) -> dict:
        """Nested dict group → … → list of indicator ids (insertion order kept)."""
        root: dict = {}
        for ind in self.indicators:
            node = root
            for j, g in enumerate(ind.path):
                last = j == len(ind.path) - 1
                node = node.setdefault(g, [] if last else {})
            if isinstance(node, list):
                node.append(ind.id)
            else:  # a flat spec (levels == ("indicator",))
                root.setdefault("", []).append(ind.id)
        return root

    def label(self, key: str, lang: str = "zh") -> str:
        """Display label of an indicator id or a group name in ``lang`` (the spec's names are Chinese
        and English; another language shows those of its ``lang.fallback``, :func:`nqpf.i18n.pick`)."""
        from .i18n import pick

        for i in self.indicators:
            if i.id == key:
                return pick({"zh": i.name_zh, "en": i.name_en}, lang, default=i.id)
        lab = self.group_labels.get(key, {})
        return pick({"zh": lab.get("name_zh"), "en": lab.get("name_en")}, lang, default=key)

    def to_frame(self) -> pd.DataFrame:
        """One row per indicator: level columns, then id, names, direction, unit, formula, note, source."""
        rows = []
        for ind in self.indicators:
            r = {lev: ind.path[k] for k, lev in enumerate(self.levels[:-1])}
            r.update(indicator=ind.id, name_zh=ind.name_zh, name_en=ind.name_en,
                     direction=ind.direction, unit=ind.unit, formula=ind.formula or "",
                     note=ind.note, source=ind.source)
            rows.append(r)
        cols = list(self.levels[:-1]) + ["indicator", "name_zh", "name_en", "direction", "unit",
                                         "formula", "note", "source"]
        return pd.DataFrame(rows, columns=cols)


def _where(spec: Spec, ind_pos: int | None = None, extra: str = "") -> str:
    src = spec.source or f"spec {spec.name!r}"
    parts = [src]
    if ind_pos is not None:
        locs = spec.locations
        parts.append(locs[ind_pos] if ind_pos < len(locs) else f"indicator #{ind_pos + 1}")
    if extra:
        parts.append(extra)
    return ", ".join(parts)


def _validate(spec: Spec) -> None:
    if not spec.levels or spec.levels[-1] != "indicator":
        raise SpecError(f"{_where(spec)}: levels must end with 'indicator', got {spec.levels}")
    if len(set(spec.levels)) != len(spec.levels):
        raise SpecError(f"{_where(spec)}: repeated level names {spec.levels}")
    if not spec.indicators:
        raise SpecError(f"{_where(spec)}: the spec has no indicators")
    seen: dict[str, int] = {}
    depth = len(spec.levels) - 1
    for k, ind in enumerate(spec.indicators):
        if not isinstance(ind.id, str) or not ind.id.strip():
            raise SpecError(f"{_where(spec, k)}: indicator without an id")
        if ind.id in seen:
            raise SpecError(f"{_where(spec, k)}: duplicate indicator id {ind.id!r} "
                            f"(first at {_where(spec, seen[ind.id]).split(', ', 1)[-1]})")
        seen[ind.id] = k
        if ind.direction not in (1, -1):
            raise SpecError(f"{_where(spec, k)}: direction of {ind.id!r} must be +1 or -1")
        if len(ind.path) != depth:
            raise SpecError(f"{_where(spec, k)}: indicator {ind.id!r} has path {list(ind.path)} but the "
                            f"spec has {depth} group level(s) {list(spec.levels[:-1])}")
        for lev, g in zip(spec.levels, ind.path):
            if not isinstance(g, str) or not g.strip():
                raise SpecError(f"{_where(spec, k)}: indicator {ind.id!r} has an empty {lev} group")
        if ind.formula:  # a raw indicator's id is a variable name as written, never parsed
            parse_formula(ind.formula, where=_where(spec, k, f"indicator {ind.id!r}"))
    # declared group labels must be used (an empty group is almost always a typo)
    used = {g for ind in spec.indicators for g in ind.path}
    empty = [g for g in spec.group_labels if g not in used]
    if empty:
        close = {g: difflib.get_close_matches(g, sorted(used), n=1) for g in empty}
        hint = "; ".join(f"{g!r}" + (f" (did you mean {c[0]!r}?)" if c else "") for g, c in close.items())
        raise SpecError(f"{_where(spec)}: group(s) with no indicators: {hint}")
    # the same group name must not sit under two different parents at the same level
    parents: dict = {}
    for k, ind in enumerate(spec.indicators):
        for j in range(1, depth):
            key = (j, ind.path[j])
            par = ind.path[:j]
            if parents.setdefault(key, par) != par:
                raise SpecError(f"{_where(spec, k)}: group {ind.path[j]!r} appears under "
                                f"{list(parents[key])} and under {list(par)}")
    # unknown variables (only checkable when raw variables are declared)
    if spec.declared_variables:
        ids = set(seen)
        for k, ind in enumerate(spec.indicators):
            for v in ind.parsed.variables:
                if v not in spec.declared_variables and v not in ids:
                    c = difflib.get_close_matches(v, list(spec.declared_variables) + list(ids), n=3)
                    hint = f"; did you mean {', '.join(map(repr, c))}?" if c else \
                        "; declare it under [variables]"
                    raise SpecError(f"{_where(spec, k)}: formula of {ind.id!r} uses unknown "
                                    f"variable {v!r}{hint}")
    _evaluation_order(spec)  # raises on cycles


def _evaluation_order(spec: Spec) -> list:
    derived = {i.id: i for i in spec.indicators if i.formula}
    deps = {k: [v for v in ind.parsed.variables if v in derived and v != k] for k, ind in derived.items()}
    order: list[str] = []
    state: dict[str, int] = {}

    def visit(k, stack):
        if state.get(k) == 2:
            return
        if state.get(k) == 1:
            cyc = stack[stack.index(k):] + [k]
            raise SpecError(f"{_where(spec)}: formulas form a cycle: {' -> '.join(cyc)}")
        state[k] = 1
        for d in deps[k]:
            visit(d, stack + [k])
        state[k] = 2
        order.append(k)

    for k in derived:
        visit(k, [])
    return order


# --------------------------------------------------------------------------------------------
# Loaders
# --------------------------------------------------------------------------------------------
_LEVEL_ALIASES = {
    "criterion": ["criterion", "criteria", "准则层", "准则", "一级维度"],
    "dimension": ["dimension", "一级指标", "维度", "维度层"],
    "subdimension": ["subdimension", "sub_dimension", "二级指标", "子维度"],
}
_COL_ALIASES = {
    "indicator": ["indicator", "id", "indicator_id", "指标", "三级指标", "指标代码", "指标层", "代码"],
    "direction": ["direction", "方向", "属性", "指标属性", "指标方向", "正负", "sign"],
    "name_zh": ["name_zh", "name", "指标名称", "中文名称", "名称"],
    "name_en": ["name_en", "english", "英文名称", "英文名"],
    "formula": ["formula", "公式", "计算公式", "计算方法"],
    "unit": ["unit", "单位"],
    "note": ["note", "notes", "备注", "说明"],
    "source": ["source", "来源", "数据来源"],
}


def _specs_dir():
    return resources.files("nqpf.datasets").joinpath("specs")


def list_specs() -> list:
    """Names of the specs shipped with nqpf (load them with ``load_spec(name)``)."""
    d = _specs_dir()
    return sorted(p.name[:-5] for p in d.iterdir() if p.name.endswith(".toml"))


def spec_path(name: str):
    """Path-like handle of a shipped spec file."""
    return _specs_dir().joinpath(f"{name}.toml")


def load_spec(path_or_name) -> Spec:
    """Load a spec from a TOML, CSV or Excel file, or a shipped spec by name (see :func:`list_specs`).

    Raises
    ------
    SpecError
        With the file and the row/entry at fault.
    """
    if isinstance(path_or_name, Spec):
        return path_or_name
    p = Path(path_or_name)
    if not p.exists():
        name = str(path_or_name)
        if name in list_specs():
            with resources.as_file(spec_path(name)) as f:
                return _load_toml(Path(f), display=f"spec {name!r}")
        raise SpecError(f"spec {name!r} not found: not a file and not one of the shipped specs "
                        f"{list_specs()}")
    suf = p.suffix.lower()
    if suf == ".toml":
        return _load_toml(p, display=str(p))
    if suf in (".csv", ".txt", ".tsv"):
        from .io._cells import read_csv_text
        df = read_csv_text(p, header=0)
        return _from_table(df, display=str(p), sheet=None)
    if suf in (".xlsx", ".xlsm", ".xls"):
        try:
            df = pd.read_excel(p, sheet_name=0, dtype=object)
        except Exception as exc:  # noqa: BLE001 - reported with the file name
            from .io._cells import _workbook_error

            raise SpecError(f"cannot read spec workbook: {_workbook_error(p, exc)}") from None
        return _from_table(df, display=str(p), sheet=None)
    raise SpecError(f"{p}: unknown spec format {suf!r}; use .toml, .csv or .xlsx")


def _load_toml(p: Path, display: str) -> Spec:
    try:
        with open(p, "rb") as fh:
            doc = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"{display}: invalid TOML: {exc}") from None
    except UnicodeDecodeError:
        raise SpecError(f"{display}: a TOML spec must be saved as UTF-8 text (it is in another encoding, e.g. "
                        "GBK); save it again as UTF-8") from None
    head = _toml_table(doc, "spec", display)
    levels = head.get("levels", ("indicator",))
    if not isinstance(levels, (list, tuple)) or not all(isinstance(lv, str) and lv.strip() for lv in levels):
        raise SpecError(f"{display}: [spec] levels must be a list of level names, e.g. [\"dimension\", "
                        f"\"indicator\"], got {levels!r}")
    levels = tuple(levels)
    if not levels or levels[-1] != "indicator":
        levels = tuple(levels) + ("indicator",)
    groups = {}
    for g, v in _toml_table(doc, "groups", display).items():
        if not isinstance(v, (str, dict)):
            raise SpecError(f"{display}: [groups] {g} must be an English name or a table of names, got {v!r}")
        groups[g] = {"name_en": v} if isinstance(v, str) else dict(v)
        groups[g].setdefault("name_zh", g)
    variables = {}
    for v, d in _toml_table(doc, "variables", display).items():
        if not isinstance(d, (str, dict)):
            raise SpecError(f"{display}: [variables] {v} must be a description or a table, got {d!r}")
        variables[v] = {"description": d} if isinstance(d, str) else dict(d)
    raw = doc.get("indicator", [])
    if not isinstance(raw, list):
        raise SpecError(f"{display}: 'indicator' must be an array of tables ([[indicator]])")
    inds = []
    for k, t in enumerate(raw):
        if not isinstance(t, dict):
            raise SpecError(f"{display}, indicator #{k + 1}: each indicator must be a table ([[indicator]] with "
                            f"id = …, direction = …), got {t!r}")
        where = f"{display}, [[indicator]] #{k + 1}" + (f" (id={t.get('id')!r})" if "id" in t else "")
        unknown = set(t) - {"id", "name_zh", "name_en", "direction", "formula", "unit", "note", "source",
                            "path", *levels[:-1]}
        if unknown:
            raise SpecError(f"{where}: unknown key(s) {sorted(unknown)}")
        if "path" in t:
            if not isinstance(t["path"], list) or not all(isinstance(g, str) for g in t["path"]):
                raise SpecError(f"{where}: path must be a list of group names, e.g. [\"创新\", \"研发\"], got "
                                f"{t['path']!r}")
            path = tuple(t["path"])
        else:
            path = tuple(t.get(lev, "") for lev in levels[:-1])
        if "direction" not in t:
            raise SpecError(f"{where}: missing direction")
        inds.append(Indicator(
            id=str(t.get("id", "")).strip(), name_zh=t.get("name_zh", ""), name_en=t.get("name_en", ""),
            direction=parse_direction(t["direction"], where), unit=t.get("unit", ""),
            formula=(t.get("formula") or None), note=t.get("note", ""), source=t.get("source", ""),
            path=path))
    return Spec(name=head.get("name", p.stem), levels=levels, indicators=inds, title=head.get("title", ""),
                title_en=head.get("title_en", ""), group_labels=groups, declared_variables=variables,
                source=display, locations=[f"[[indicator]] #{k + 1}" for k in range(len(inds))])


def _toml_table(doc: dict, key: str, display: str) -> dict:
    """``doc[key]`` when it is a table (``{}`` when absent); anything else is a SpecError."""
    v = doc.get(key, {})
    if not isinstance(v, dict):
        raise SpecError(f"{display}: '{key}' must be a table ([{key}] with keys below it), got {v!r}")
    return v


def _norm_header(h) -> str:
    return re.sub(r"\s+", "", str(h)).strip().lower()


def _from_table(df: pd.DataFrame, display: str, sheet) -> Spec:
    cols = {_norm_header(c): c for c in df.columns}
    found: dict[str, str] = {}
    for key, aliases in {**_LEVEL_ALIASES, **_COL_ALIASES}.items():
        for a in aliases:
            if _norm_header(a) in cols and cols[_norm_header(a)] not in found.values():
                found[key] = cols[_norm_header(a)]
                break
    for req in ("indicator", "direction"):
        if req not in found:
            raise SpecError(f"{display}: no {req!r} column; columns are {list(df.columns)} "
                            f"(accepted names: {', '.join(_COL_ALIASES[req])})")
    levels = tuple(lev for lev in _LEVEL_ALIASES if lev in found) + ("indicator",)

    def cell(row, key):
        if key not in found:
            return ""
        v = row[found[key]]
        return "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v).strip()

    inds, locs = [], []
    carry = {lev: "" for lev in levels[:-1]}
    for k, (_, row) in enumerate(df.iterrows()):
        rowno = k + 2  # header is row 1
        where = f"{display}, row {rowno}"
        ident = cell(row, "indicator")
        if not ident and all(not cell(row, c) for c in found):
            continue  # blank line
        if not ident:
            raise SpecError(f"{where}: empty indicator cell (column {found['indicator']!r})")
        path = []
        for lev in levels[:-1]:
            g = cell(row, lev) or carry[lev]
            if not g:
                raise SpecError(f"{where}: empty {lev} cell (column {found[lev]!r}) and no row above to "
                                "inherit it from")
            if cell(row, lev):  # a new group at this level resets the levels below it
                for lower in levels[levels.index(lev) + 1:-1]:
                    carry[lower] = ""
            carry[lev] = g
            path.append(g)
        dv = row[found["direction"]]
        inds.append(Indicator(
            id=ident, name_zh=cell(row, "name_zh") or (ident if not ident.isascii() else ""),
            name_en=cell(row, "name_en"),
            direction=parse_direction(dv, f"{where}, column {found['direction']!r}"),
            unit=cell(row, "unit"), formula=cell(row, "formula") or None, note=cell(row, "note"),
            source=cell(row, "source"), path=tuple(path)))
        locs.append(f"row {rowno}")
    return Spec(name=Path(display).stem, levels=levels, indicators=inds, source=display, locations=locs)
