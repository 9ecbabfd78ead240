"""The report as a list of blocks, shared by the HTML and Word writers (and the workbook's tables).

One function, :func:`build_document`, decides what the report says and in which order; the writers
only render blocks. Tables are localised once (:func:`nqpf.outputs.localized`) so the workbook, the HTML and the
Word file show the same numbers.
"""
from __future__ import annotations

import math
import re
import struct
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from ..i18n import flag, has
from ..i18n import t as tr

__all__ = [
    "Heading", "Para", "Bullets", "Formula", "TableBlock", "FigureBlock", "format_value", "build_document",
    "meta_rows", "conventions", "split_markup", "BOOK_NAME", "PLACES", "full_tables", "where_note", "caption_text", "subtitle", "param",
    "section_number", "select_rows", "RowChoice", "WORD_MAX_ROWS", "HTML_MAX_ROWS", "HTML_MAX_ROWS_LONG",
    "RANK_COLUMNS",
]

#: File name of the workbook the long-table notes point to.
BOOK_NAME = "results.xlsx"
#: Where the report's notes send the reader for a full table: the workbook ``"xlsx"`` (sheet of
#: :data:`BOOK_NAME`), the CSV file ``"csv"`` (``tables/<key>.csv``) or nowhere (``None``: neither was
#: written, the note says which output formats write it).
PLACES = ("xlsx", "csv", None)
#: Rows of one table the Word report shows (regions of a regions × years table); longer tables are
#: summarised by :func:`select_rows`. The workbook and the CSV files keep every row.
WORD_MAX_ROWS = 30
#: The same for the HTML report: tables shown open, and long tables (folded in ``<details>``).
HTML_MAX_ROWS = 60
HTML_MAX_ROWS_LONG = 400
#: Columns that rank the regions of a region table for a top-and-bottom summary, the first present
#: wins (a table item may name its own with an attribute ``rank_by``).
RANK_COLUMNS = ("score_last", "score", "mean")


# ----------------------------------------------------------------------------------------- blocks
@dataclass
class Heading:
    text: str
    level: int = 1


@dataclass
class Para:
    text: str            # may hold _{sub} / ^{sup} markup


@dataclass
class Bullets:
    items: list[str]


@dataclass
class Formula:
    text: str            # _{sub} / ^{sup} markup
    number: int


@dataclass
class TableBlock:
    key: str
    number: int
    caption: str
    loc: object          # nqpf.outputs.Localized: the rows and columns shown, in the report's language
    long: bool = False
    sheet: str = ""      # workbook sheet holding the full table (for notes)
    omitted: int = 0     # columns left out (they are in the workbook)
    significant: object = None   # boolean mask of the significant rows among those shown, or None
    note: str | None = None      # what was left out of the rows and where it is (None: every row shown)
    gap: int | None = None       # index of the "… m further regions …" row of a top-and-bottom summary
    total: int = 0               # rows of the whole table (regions of a regions × years table)
    place: str | None = "xlsx"   # where the full table is written (:data:`PLACES`, :func:`where_note`)

    @property
    def df(self) -> pd.DataFrame:
        return self.loc.frame

    @property
    def where(self) -> dict:
        """Where the full table is, as keyword arguments of :func:`where_note`."""
        return {"place": self.place, "sheet": self.sheet, "table": self.key}


@dataclass
class RowChoice:
    """The rows of a table a report shows: ``rows`` (positions in the data, in the order shown; None
    for all), ``gap_after`` (a gap row after this many shown regions or rows, for a top-and-bottom
    summary), ``note`` (catalogue key and arguments, or None), ``total`` (rows, or regions of a wide
    table)."""

    rows: np.ndarray | None
    gap_after: int | None = None
    note: tuple | None = None
    total: int = 0


@dataclass
class FigureBlock:
    key: str
    number: int
    caption: str
    path: Path
    data: bytes = field(repr=False)
    mime: str = "image/png"
    width: int = 0       # pixels
    height: int = 0


# ------------------------------------------------------------------------------------ formatting
_MARKUP = re.compile(r"([_^!])\{([^{}]*)\}")


def split_markup(text: str) -> list[tuple[str, str]]:
    """Split ``"x_{ij}^{2}"`` into ``[("x", ""), ("ij", "sub"), ("2", "sup")]``; ``!{D}`` is "bar" (D̄)."""
    out, pos = [], 0
    for m in _MARKUP.finditer(text):
        if m.start() > pos:
            out.append((text[pos:m.start()], ""))
        out.append((m.group(2), {"_": "sub", "^": "sup", "!": "bar"}[m.group(1)]))
        pos = m.end()
    if pos < len(text):
        out.append((text[pos:], ""))
    return out


def _missing(v) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    try:
        return bool(isinstance(v, float | np.floating) and math.isnan(v))
    except TypeError:
        return False


def format_value(v, kind: str, lang: str = "en") -> str:
    """Text of one cell for HTML / Word (the workbook keeps numbers and uses number formats)."""
    if _missing(v):
        return ""
    if kind == "bool" or isinstance(v, bool | np.bool_):
        return tr("word.yes" if bool(v) else "word.no", lang)
    try:
        if kind == "int":
            return f"{int(v)}"
        if kind == "p":
            return f"{float(v):.3f}"
        if kind == "float":
            x = float(v)
            return ("∞" if x > 0 else "−∞") if math.isinf(x) else f"{x:.4f}"
    except (TypeError, ValueError):  # a text in a number column (a gap row, a label) is shown as it is
        return str(v)
    return str(v)


# ----------------------------------------------------------------------------------------- meta
_SKIP_META = {"title", "conventions", "lang", "created", "list_separator"}


def _meta_value(v, lang: str) -> str:
    if isinstance(v, bool):
        return tr("word.yes" if v else "word.no", lang)
    if isinstance(v, str):
        t = tr(f"value.{v}", lang)
        return v if t == f"value.{v}" else t
    if isinstance(v, float):
        return f"{v:g}"
    if isinstance(v, list | tuple):
        if not v:
            return tr("word.none", lang)
        return ", ".join(_meta_value(x, lang) for x in v)
    if isinstance(v, dict):
        return "; ".join(f"{_meta_value(str(k), lang)} = {_meta_value(x, lang)}" for k, x in v.items())
    if v is None:
        return ""
    return str(v)


#: Nested parameter dictionaries shown one level deep (``index.weighting`` ...).
_NESTED = ("index", "config")


def _meta_label(path: str, lang: str) -> str:
    last = path.rsplit(".", 1)[-1]
    lab = tr(f"meta.{last}", lang)
    if lab == f"meta.{last}":
        return path
    if "." in path:
        head = tr(f"meta.{path.split('.', 1)[0]}", lang)
        return f"{head} · {lab}"
    return lab


def _years_value(v, meta: dict) -> str | None:
    """``[first, last]`` (with ``n_years`` more than 2, or consecutive years) as the range "first–last"."""
    if not isinstance(v, list | tuple) or len(v) != 2:
        return None
    try:
        first, last = (int(x) for x in v)
    except (TypeError, ValueError):
        return None
    if any(isinstance(x, float) and x != int(x) for x in v) or last < first:
        return None
    n = (meta or {}).get("n_years")
    if n is not None and int(n) == 2 and last - first > 1:
        return None   # exactly these two years
    return f"{first}–{last}"


def meta_rows(meta: dict, lang: str, max_len: int | None = None) -> list[tuple[str, str]]:
    """(label, value) for every parameter in ``meta`` (title and conventions excepted), in order.

    Dictionaries under ``index`` and ``config`` are shown one level deep; values longer than
    ``max_len`` characters are cut with an ellipsis.
    """
    rows = []
    for k, v in (meta or {}).items():
        if k in _SKIP_META:
            continue
        if k == "config":  # the whole configuration is in tables/meta.json; its parts are shown elsewhere
            continue
        items = ([(f"{k}.{sk}", sv) for sk, sv in v.items()
                  if sk not in _SKIP_META and isinstance(sv, (str, int, float, bool))]  # scalars only
                 if k in _NESTED and isinstance(v, dict) else [(k, v)])
        for path, val in items:
            text = _years_value(val, meta) if path == "years" else None
            text = _meta_value(val, lang) if text is None else text
            if max_len and len(text) > max_len:
                text = text[: max_len - 1] + "…"
            rows.append((_meta_label(path, lang), text))
    return rows


def conventions(meta: dict, lang: str) -> list[str]:
    """The conventions of ``meta`` as lines in ``lang``: each key ``k`` of ``meta["conventions"]`` is
    shown as its name (``conv.<k>``, the part before a dot) and its text (``convtext.<k>``); the index
    stage's conventions (English, in ``meta["index"]``) are listed in English reports."""
    m = meta or {}
    out = []
    for k in m.get("conventions") or []:
        lab = tr(f"conv.{str(k).split('.', 1)[0]}", lang)
        out.append(tr("word.label_value", lang, label=lab, value=tr(f"convtext.{k}", lang)))
    if flag("lang.english_text", lang):  # the index's conventions are written in English only
        for k in _NESTED:
            sub = m.get(k)
            if isinstance(sub, dict) and isinstance(sub.get("conventions"), dict):
                out += [tr("word.label_value", lang, label=ck, value=cv)
                        for ck, cv in sub["conventions"].items()]
    return out


def param(meta: dict, key: str, default=None):
    """A parameter from ``meta`` or from its ``index`` / ``config`` dictionaries."""
    m = meta or {}
    if key in m:
        return m[key]
    for k in _NESTED:
        if isinstance(m.get(k), dict) and key in m[k]:
            return m[k][key]
    return default


# --------------------------------------------------------------------------------------- figures
def _read_image(key: str, path) -> tuple[bytes, str, int, int]:
    p = Path(path)
    if not p.is_file():
        raise InputError(f"figure {key!r}: file {p} not found; write the figure first or drop the key")
    data = p.read_bytes()
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        w, h = struct.unpack(">II", data[16:24])
        return data, "image/png", w, h
    if data[:3] == b"\xff\xd8\xff":
        return data, "image/jpeg", 0, 0
    raise InputError(f"figure {key!r}: {p} is not a PNG or JPEG image; save figures as PNG")


# ---------------------------------------------------------------------------------------- methods
def _say(key: str, lang: str, **fmt) -> str:
    """A ``methods.*`` text: a format template even without placeholders (markup braces are doubled)."""
    return tr(key, lang).format(**fmt)


def _words(family: str, code, lang: str, raw: str | None = None) -> str:
    """Words for a parameter value in the methods text (``methods.<family>.<code>``); else ``raw``
    (default: the value itself)."""
    key = f"methods.{family}.{code}"
    return _say(key, lang) if has(key, lang) else (str(code) if raw is None else raw)


def _formula(blocks: list, eq: list[int], text: str) -> int:
    """Append a numbered formula (language-neutral markup) and return its number."""
    eq[0] += 1
    blocks.append(Formula(text, eq[0]))
    return eq[0]


def _methods_index(m: dict, tables, lang: str, eq: list[int]) -> list:
    """Normalisation, weights and the composite score."""
    blocks: list = []
    norm = str(param(m, "normalization", param(m, "normalisation", "minmax"))).lower()
    pooled = bool(param(m, "pooled", True))
    shift = float(param(m, "shift", 0.0) or 0.0)
    weighting = str(param(m, "weighting", "entropy")).lower()
    scope = "pooled" if pooled else "per_year"
    blocks.append(Heading(_say("methods.index.heading.entropy" if weighting == "entropy"
                               else "methods.index.heading", lang), 3))
    s_txt = " + s" if shift else ""
    if norm in ("minmax", "min-max", "range"):
        shift_txt = (_say("methods.minmax.shift", lang, shift=f"{shift:g}") if shift
                     else _say("methods.minmax.no_shift", lang))
        blocks.append(Para(_say("methods.minmax.text", lang,
                                scope=_say(f"methods.minmax.scope.{scope}", lang),
                                eq_positive=eq[0] + 1, eq_negative=eq[0] + 2, shift=shift_txt)))
        _formula(blocks, eq, f"x′_{{ij}} = (x_{{ij}} − min_{{j}}) / (max_{{j}} − min_{{j}}){s_txt}")
        _formula(blocks, eq, f"x′_{{ij}} = (max_{{j}} − x_{{ij}}) / (max_{{j}} − min_{{j}}){s_txt}")
    else:
        blocks.append(Para(_say("methods.normalization_other", lang, method=norm)))
    if weighting == "entropy":
        n = eq[0] + 1
        blocks.append(Para(_say("methods.entropy.intro", lang, eq_share=n, eq_entropy=n + 1,
                                nobs=_say(f"methods.entropy.nobs.{scope}", lang), eq_redundancy=n + 2,
                                eq_weight=n + 3, eq_score=n + 4)))
        _formula(blocks, eq, "p_{ij} = x′_{ij} / Σ_{i} x′_{ij}")
        _formula(blocks, eq, "e_{j} = −(1 / ln N) · Σ_{i} p_{ij} · ln p_{ij}")
        _formula(blocks, eq, "d_{j} = 1 − e_{j}")
        _formula(blocks, eq, "w_{j} = d_{j} / Σ_{k} d_{k}")
    else:
        key = f"methods.weighting.{weighting}"
        blocks.append(Para(_say(key, lang) if has(key, lang)
                           else _say("methods.weighting_other", lang, method=weighting)))
    _formula(blocks, eq, "U_{i} = Σ_{j} w_{j} · x′_{ij}")
    return blocks


def _methods_disparity(m: dict, tables, lang: str, eq: list[int]) -> list:
    """Theil index, σ convergence, coefficient of variation (and the Gini formula)."""
    n = eq[0] + 1
    blocks: list = [Heading(_say("methods.disparity.heading", lang), 3),
                    Para(_say("methods.disparity.text", lang, eq_theil=n, eq_sigma=n + 1, eq_cv=n + 2))]
    _formula(blocks, eq, "T = (1/n) · Σ_{i} (D_{i} / !{D}) · ln(D_{i} / !{D})")
    _formula(blocks, eq, "σ = √[ (1/n) · Σ_{i} (ln D_{i} − (1/n) · Σ_{k} ln D_{k})^{2} ]")
    _formula(blocks, eq, "CV = √[ (1/n) · Σ_{i} (D_{i} − !{D})^{2} ] / !{D}")
    _formula(blocks, eq, "G = Σ_{i} Σ_{j} |D_{i} − D_{j}| / (2 n^{2} !{D})")
    return blocks


def _methods_moran(m: dict, tables, lang: str, eq: list[int]) -> list:
    """Global (and, with the local table, local) Moran's I: weights, island rule, inference."""
    blocks: list = [Heading(_say("methods.moran.heading", lang), 3)]
    local = "moran_local" in tables
    transform = str(m.get("transform", "r"))
    tkey = transform[-2] if re.fullmatch(r".*\([rb]\)", transform) else transform
    weights = _words("transform", tkey, lang, raw=transform)
    wdesc = m.get("weights", m.get("weights_description"))
    if wdesc is not None:
        wdesc = _meta_value(wdesc, lang)
    if wdesc:
        weights = _say("methods.moran.weights.described", lang, description=wdesc, transform=weights)
    island = m.get("island", m.get("island_rule"))
    if island is not None:
        weights = _say("methods.moran.weights.island", lang, weights=weights,
                       island=_words("island", island, lang))
    g = eq[0] + 1
    blocks.append(Para(_say("methods.moran.global", lang, eq_global=g, weights=weights)))
    blocks.append(Para(_say("methods.moran.inference", lang,
                            alternative=_words("alternative", m.get("alternative", "greater"), lang),
                            permutations=m.get("permutations", 999), seed=m.get("seed", 12345))))
    if local:   # clusters where p_sim <= alpha (nqpf.spatial.moran_local), as the LISA map legends say
        blocks.append(Para(_say("methods.moran.local_cluster", lang, eq_local=g + 1, alpha=m.get("alpha", 0.05),
                                alternative=_words("local_alternative",
                                                   m.get("local_alternative", "two-sided"), lang))))
    maps = sorted(int(k[4:]) for k in tables if re.fullmatch(r"map_\d{4}", str(k)))
    if len(maps) > 1:   # the score maps share their classes (nqpf.analyses.spatial)
        blocks.append(Para(_say("methods.maps.common_breaks", lang,
                                years=tr("lang.list_sep", lang).join(map(str, maps)))))
    _formula(blocks, eq, "I = (n / S_{0}) · Σ_{i} Σ_{j} w_{ij} z_{i} z_{j} / Σ_{i} z_{i}^{2}")
    if local:
        _formula(blocks, eq, "I_{i} = (z_{i} / m_{2}) · Σ_{j} w_{ij} z_{j}")
    return blocks


#: The methods section, one step per family of analyses, in order: (table keys any of which calls for
#: the step, a parameter whose presence also does, the step).
_METHOD_STEPS = (
    (("weights", "normalized"), "weighting", _methods_index),
    (("disparity",), None, _methods_disparity),
    (("moran_global", "moran_local"), None, _methods_moran),
)


def _methods(meta: dict, tables, lang: str, eq: list[int]) -> list:
    """Blocks of the methods section, describing the parameters actually used.

    ``tables``: the item keys of the results (a set); ``eq``: the formula counter (``[n]``), advanced.
    Every sentence is a ``methods.*`` catalogue template; the formulas are language-neutral markup.
    """
    m = meta or {}
    blocks: list = []
    for keys, trigger, step in _METHOD_STEPS:
        if any(k in tables for k in keys) or (trigger and param(m, trigger) is not None):
            blocks += step(m, tables, lang, eq)
    return blocks


# --------------------------------------------------------------------------------------- document
def _numeral(n: int, digits: str) -> str:
    """``n`` (1–99) in the numerals ``digits`` (1 … 10, e.g. 一…十): 十一, 二十, 二十一."""
    if n <= 10:
        return digits[n - 1]
    tens, ones = divmod(n, 10)
    return f"{'' if tens == 1 else digits[tens - 1]}{digits[9]}{digits[ones - 1] if ones else ''}"


def section_number(i: int, lang: str) -> str:
    """Number of the ``i``-th section (0-based) as the language writes it (``lang.section_number``
    with the language's ``lang.numerals``): 一、… 十、十一、… in Chinese, "1 " in English."""
    digits = tr("lang.numerals", lang)
    n = i + 1
    text = _numeral(n, digits) if len(digits) == 10 and n < 100 else str(n)
    return tr("lang.section_number", lang, n=text)


def _significant_mask(item) -> np.ndarray | None:
    if not (item.long and item.significant and item.significant in item.data.columns):
        return None
    from ..spatial.multiple import is_significant

    # one rule for every class column: "" (local Moran clusters) and "ns" (Getis–Ord spots) are not
    # significant, nor a missing value
    return is_significant(item.data[item.significant])


def _rank_column(item) -> str | None:
    """The column ranking the regions of ``item`` for a top-and-bottom summary, or None."""
    own = getattr(item, "rank_by", None)
    names = [c.name for c in item.columns if c.kind in ("float", "int")]
    for c in ((own,) if own else ()) + RANK_COLUMNS:
        if c in names and c in item.data.columns:
            return c
    return None


def _top_bottom(values: pd.Series, k: int) -> tuple[list, list]:
    """Labels of the ``k`` largest and the ``k`` smallest of ``values`` (NaN neither), both highest
    first, ties by position."""
    v = values.dropna()
    pos = np.arange(len(v))
    order = list(v.index[np.lexsort((pos, -v.to_numpy(dtype=float)))])
    k = min(k, len(order) // 2)
    return order[:k], order[len(order) - k:]


def select_rows(item, max_rows: int, significant_always: bool = False) -> RowChoice:
    """Which rows of a :class:`~nqpf.results.Table` a report shows, so that a report stays readable at
    any number of regions (the workbook and the CSV files keep every row).

    In order, the first rule that applies:

    1. a regions × years table (``wide``) of more than ``max_rows`` regions: the ``max_rows // 2``
       regions with the highest and those with the lowest value in the last column, highest first,
       a gap row between them;
    2. a long table with a ``significant`` column, when it has more than ``max_rows`` rows or with
       ``significant_always`` (the Word report): only the significant rows, the latest year first and
       within a year the strongest first (smallest pseudo p-value ``p_sim``, then largest ``|z|``,
       where the table has them), at most ``max_rows``;
    3. a table with a ``region`` column and more than ``max_rows`` rows that has a ranking column
       (:data:`RANK_COLUMNS`, or the item's ``rank_by``): the top and bottom ``max_rows // 2`` rows by
       it, with a gap row;
    4. any table of more than ``max_rows`` rows: the first ``max_rows``;
    5. otherwise every row.

    Rules 1–4 come with a note (catalogue key and arguments) saying what is shown and where the rest is.
    """
    data = item.data
    n = len(data)
    k = max(1, max_rows // 2)
    if item.wide:
        idx, cols, vals = item.wide
        regions = list(dict.fromkeys(data[idx]))
        if len(regions) <= max_rows:
            return RowChoice(None, total=len(regions))
        last = max(data[cols].unique())
        at_last = data[data[cols] == last].drop_duplicates(idx).set_index(idx)[vals]
        at_last = pd.to_numeric(at_last.reindex(regions), errors="coerce")
        top, bottom = _top_bottom(at_last, k)
        where = {r: np.flatnonzero(data[idx].to_numpy() == r) for r in top + bottom}
        rows = np.concatenate([where[r] for r in top + bottom]) if top else np.zeros(0, dtype=int)
        return RowChoice(rows, gap_after=len(top),
                         note=("note.top_bottom", {"k": len(top), "n": f"{len(regions):,}", "basis": str(last)}),
                         total=len(regions))
    sig = _significant_mask(item)
    if sig is not None and (significant_always or n > max_rows):
        pos = np.flatnonzero(sig)
        if len(pos):
            def col(name, fill):
                if name not in data.columns:
                    return np.zeros(len(pos))
                v = pd.to_numeric(data[name].iloc[pos], errors="coerce").to_numpy(dtype=float)
                return np.nan_to_num(v, nan=fill)

            # keys of np.lexsort, the last the primary: year (latest first), p_sim, |z| (largest first)
            keys = (pos, -np.abs(col("z", 0.0)), col("p_sim", np.inf), -col("year", -np.inf))
            pos = pos[np.lexsort(keys)]
        shown = pos[:max_rows]
        return RowChoice(shown, note=("note.significant_only", {"shown": len(shown), "n_sig": len(pos),
                                                                "total": n}), total=n)
    if n <= max_rows:
        return RowChoice(None, total=n)
    rank = _rank_column(item) if "region" in data.columns else None
    if rank is not None:
        top, bottom = _top_bottom(pd.to_numeric(data[rank], errors="coerce").reset_index(drop=True), k)
        return RowChoice(np.asarray(top + bottom, dtype=int), gap_after=len(top),
                         note=("note.top_bottom", {"k": len(top), "n": f"{n:,}", "basis": rank}), total=n)
    return RowChoice(np.arange(max_rows), note=("note.truncated", {"shown": max_rows, "total": n}), total=n)


def full_tables(formats) -> str | None:
    """Where the full tables of a run written in ``formats`` are (:data:`PLACES`): the workbook when
    ``xlsx`` is among them, else the CSV files when ``csv`` is, else None."""
    formats = {str(f).lower() for f in formats}
    return "xlsx" if "xlsx" in formats else "csv" if "csv" in formats else None


def where_note(key: str, lang: str, *, place: str | None = "xlsx", sheet: str = "", table: str = "",
               **args) -> str:
    """The note ``key`` (``note.truncated``, ``note.truncated_cols``, ``note.significant_only``,
    ``note.top_bottom``, ``note.more_columns``, ``note.also_in_sheet``, ``report.footer``) sending the
    reader where the full table is: sheet ``sheet`` of the workbook (``place="xlsx"``), the file
    ``tables/<table>.csv`` (``"csv"``: key ``<key>.csv``) or the output formats that write it (None:
    ``<key>.none``). A block's own place: ``where_note(key, lang, **block.where, ...)``."""
    if place not in PLACES:
        raise ValueError(f"place must be one of {PLACES}, not {place!r}")
    if place == "xlsx":
        return tr(key, lang, book=BOOK_NAME, sheet=sheet, **args)
    if place == "csv":
        return tr(key + ".csv", lang, csv=f"tables/{table}.csv", **args)
    return tr(key + ".none", lang, **args)


#: Columns of values copied from a publication, shown with the 3 decimals it printed (the display
#: kind ``p`` formats 3 decimals) instead of the 4 of computed numbers: table key → column names.
PRINTED_3 = {"table3_comparison": ("I_paper", "z_paper")}


def _printed_digits(key: str, loc):
    """``loc`` with the columns of :data:`PRINTED_3` formatted to 3 decimals."""
    names = [c for c in PRINTED_3.get(key, ()) if c in loc.frame.columns]
    if not names:
        return loc
    from ..outputs import Localized

    kinds = list(loc.kinds)
    for c in names:
        kinds[list(loc.frame.columns).index(c)] = "p"
    return Localized(loc.key, loc.frame, loc.headers, kinds)


def table_notes(results, key: str, lang: str) -> list[str]:
    """Notes of the table ``key`` explaining its blank cells or infinities, written by the families in
    ``results.extras["table_notes"]`` as ``{key: [(catalogue key, args), ...]}`` (e.g.
    :func:`nqpf.analyses.markov.table_notes`), in ``lang``."""
    notes = (getattr(results, "extras", None) or {}).get("table_notes", {}).get(key, ())
    return [tr(k, lang, **args) for k, args in notes]


def _table_block(item, results, lang: str, number: int, sheet: str, max_rows: int | None = None,
                 significant_always: bool = False, place: str | None = "xlsx") -> TableBlock:
    """The block of one table: only the rows chosen by :func:`select_rows` are localised (the cost of
    a report does not grow with the number of regions)."""
    from dataclasses import replace

    from ..outputs import Localized, localized

    choice = (select_rows(item, max_rows, significant_always) if max_rows is not None
              else RowChoice(None, total=len(item.data)))
    shown = item if choice.rows is None else replace(item, data=item.data.iloc[choice.rows].reset_index(drop=True))
    loc = localized(shown, lang, results)
    total_cols = loc.frame.shape[1]
    if item.display and not item.wide:
        keep = [c for c in item.display if c in loc.frame.columns]
        if len(keep) >= 2:
            loc = loc.subset(keep)
    omitted = total_cols - loc.frame.shape[1]
    sig = _significant_mask(shown)
    gap = None
    note = None
    if choice.note is not None:
        key, args = choice.note
        if key == "note.top_bottom":
            col = next((c for c in item.columns if c.name == args["basis"]), None)
            args = {**args, "basis": col.header(lang) if col is not None else args["basis"]}
        note = where_note(key, lang, place=place, sheet=sheet, table=item.key, **args)
    extra = table_notes(results, item.key, lang)
    if extra:
        note = " ".join(([note] if note else []) + extra)
    loc = _printed_digits(item.key, loc)
    if choice.gap_after is not None:
        gap = choice.gap_after
        f = loc.frame
        row = pd.DataFrame([[None] * f.shape[1]], columns=f.columns).astype(object)
        row.iloc[0, 0] = tr("note.gap_rows", lang, m=f"{choice.total - 2 * gap:,}")
        f = pd.concat([f.iloc[:gap].astype(object), row, f.iloc[gap:].astype(object)], ignore_index=True)
        loc = Localized(loc.key, f, loc.headers, ["text"] + list(loc.kinds[1:]) if loc.kinds else loc.kinds)
        if sig is not None:
            sig = np.concatenate([sig[:gap], [False], sig[gap:]])
    return TableBlock(item.key, number, item.caption_text(lang), loc, long=item.long, sheet=sheet,
                      omitted=omitted, significant=sig, note=note, gap=gap, total=choice.total, place=place)


def build_document(results, lang: str, figures: dict | None = None, *, max_rows: int | None = None,
                   max_rows_long: int | None = None, significant_always: bool = False,
                   place: str | None = "xlsx") -> tuple[str, list, dict[str, str]]:
    """Title, blocks of the whole report, and the workbook sheet name of each table key.

    Sections come in the order of :data:`nqpf.results.SECTIONS`; inside a section, tables and figures
    in their ``order``. Nothing here lists table keys or figure names: the items say where they go.
    With ``max_rows`` the tables show the rows :func:`select_rows` chooses (each block's ``note`` says
    what was left out; long tables ``max_rows_long``, default the same); without, every row.
    ``place`` says where the full tables are written (:data:`PLACES`; :func:`full_tables` of the
    output formats): the notes of the blocks point there (:func:`where_note`).
    """
    from ..i18n import check_lang
    from .excel import sheet_names

    lang = check_lang(lang)
    params = dict(results.params)
    sheets = sheet_names(results, lang)
    title = tr(str(params.get("title") or "report.title"), lang)
    figs = dict(figures or {})
    counters = {"table": 0, "figure": 0}
    eq = [0]
    sections: list[tuple[str, list]] = []
    prm = pd.DataFrame(meta_rows(params, lang, max_len=200), columns=["parameter", "value"])
    from ..outputs import Localized

    first = [TableBlock("__params__", 1, tr("word.settings", lang),
                        Localized("__params__", prm, [tr("word.parameter", lang), tr("word.value", lang)],
                                  ["text", "text"]), place=place)]
    counters["table"] = 1
    conv = conventions(params, lang)
    if conv:
        first += [Para(tr("word.conventions", lang) + tr("word.colon", lang)), Bullets(conv)]
    sections.append(("parameters", first))
    methods = _methods(params, set(results.items), lang, eq)
    from ..results import Methods

    for item in results.section_items("methods"):   # the methods of families outside the steps above
        if isinstance(item, Methods):
            methods.append(Heading(item.caption_text(lang), 3))
            methods += [Para(x) for x in item.texts(lang, eq[0] + 1)]
            for f in item.formulas:
                _formula(methods, eq, f)
    if methods:
        sections.append(("methods", methods))
    from ..results import Table

    for sec in results.sections():
        if sec == "methods":
            continue
        blocks = []
        for item in results.section_items(sec):
            if isinstance(item, Table):
                counters["table"] += 1
                budget = max_rows_long if item.long and max_rows_long is not None else max_rows
                blocks.append(_table_block(item, results, lang, counters["table"], sheets.get(item.key, ""),
                                           budget, significant_always, place))
            elif item.key in figs:
                data, mime, w, h = _read_image(item.key, figs[item.key])
                counters["figure"] += 1
                blocks.append(FigureBlock(item.key, counters["figure"], item.caption_text(lang),
                                          Path(figs[item.key]), data, mime, w, h))
        if blocks:
            sections.append((sec, blocks))
    doc: list = []
    for i, (sec, blocks) in enumerate(sections):
        doc.append(Heading(section_number(i, lang) + tr(f"section.{sec}", lang), 2))
        doc.extend(blocks)
    return title, doc, sheets


def caption_text(kind: str, number: int, caption: str, lang: str) -> str:
    """Numbered caption: ``表1 指标权重`` / ``Table 1. Indicator weights`` (kind "table" or "figure")."""
    key = "caption.numbered.table" if kind == "table" else "caption.numbered.figure"
    return tr(key, lang, number=number, caption=caption)


def subtitle(meta: dict, lang: str) -> str:
    """One line under the title: data source · spec · version."""
    m = meta or {}
    parts = []
    for k in ("source", "data_source", "spec", "version", "package_version"):
        if m.get(k):
            parts.append(tr("word.label_value", lang, label=tr("meta." + k, lang),
                            value=_meta_value(m[k], lang)))
    return " · ".join(dict.fromkeys(parts))

