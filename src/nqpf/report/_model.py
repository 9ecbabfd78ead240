"""The report as a list of blocks, shared by the HTML and Word writers (and the workbook's tables).

One function, :func:`build_document`, decides what the report says and in which order; the writers
only render blocks. Tables are prepared once (:func:`prepare_tables`) so the workbook, the HTML and the
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
from ._labels import tr

__all__ = [
    "TABLE_ORDER", "LONG_TABLES", "Heading", "Para", "Bullets", "Formula", "TableBlock", "FigureBlock",
    "prepare_tables", "column_kind", "format_value", "header", "build_document", "figure_order",
    "meta_rows", "conventions", "split_markup", "BOOK_NAME", "caption_text", "subtitle",
    "display_frame", "param", "is_code_column", "DISPLAY_COLUMNS", "localize_frame", "code_label",
    "figure_section",
]

#: Order of the table sheets in the workbook (keys of ``Results.tables`` plus ``subindices``).
TABLE_ORDER = ("scores", "subindices", "weights", "group_weights", "disparity", "dagum_gini", "moran_global", "table3_comparison", "moran_local",
               "quadrant_transitions", "strategy", "obstacles", "normalized", "audit")
#: Tables shown folded in HTML and truncated / summarised in Word.
LONG_TABLES = ("subindices", "moran_local", "normalized", "audit")
#: File name of the workbook the long-table notes point to.
BOOK_NAME = "results.xlsx"

_KNOWN = {"scores", "weights", "normalized", "disparity", "moran_global", "moran_local",
          "quadrant_transitions", "strategy", "obstacles", "audit", "table3_comparison", "dagum_gini",
          "group_weights"}


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
    df: pd.DataFrame     # prepared table, original column names
    long: bool = False
    sheet: str = ""      # workbook sheet holding the full table (for notes)


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


def column_kind(name, s: pd.Series) -> str:
    """``"int"``, ``"p"`` (p-value, 3 decimals), ``"float"`` (4 decimals) or ``"text"``."""
    if pd.api.types.is_bool_dtype(s):
        return "bool"
    lname = str(name).lower()
    numeric = pd.api.types.is_numeric_dtype(s)
    if not numeric:
        return "text"
    if lname == "p" or lname.startswith("p_") or lname.endswith("_p") or lname == "p_value":
        return "p"
    if pd.api.types.is_integer_dtype(s) or lname in ("year", "n", "n_islands", "rank", "row", "count"):
        vals = s.dropna().to_numpy(dtype=float)
        if np.all(np.isfinite(vals)) and np.all(vals == np.round(vals)):
            return "int"
    return "float"


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
    if kind == "int":
        return f"{int(v)}"
    if kind == "p":
        return f"{float(v):.3f}"
    if kind == "float":
        return f"{float(v):.4f}"
    return str(v)


_GROUPED = re.compile(r"^(.+)\[(.+)\]$")


def header(col, lang: str, columns=(), code_ids: bool = True) -> str:
    """Column header in ``lang``: years stay numbers, known names get labels.

    ``region`` is headed as a code when the table also has ``region_name``; ``theil_T[East]``
    becomes the label of ``theil_T`` followed by the label of ``East`` in brackets.
    """
    if isinstance(col, int | np.integer):
        return str(int(col))
    col = str(col)
    if col == "region" and "region_name" in columns:
        return tr("code", lang) if code_ids else tr("region_id", lang)
    if col == "region_name":
        return tr("region", lang)
    m = _GROUPED.match(col)
    if m:
        inner = ",".join(tr(part.strip(), lang) for part in m.group(2).split(","))
        return f"{tr(m.group(1), lang)}[{inner}]"
    m = re.match(r"^(.+)_(zh|en)$", col)
    if m and tr(m.group(1), lang) != m.group(1):
        which = {"zh": ("中文", "Chinese"), "en": ("英文", "English")}[m.group(2)]
        return (f"{tr(m.group(1), lang)}（{which[0]}）" if lang == "zh"
                else f"{tr(m.group(1), lang)} ({which[1]})")
    return tr(col, lang)


def is_code_column(s: pd.Series) -> bool:
    """Whether a region column holds GB/T 2260 codes (six digits)."""
    return bool(len(s)) and all(re.fullmatch(r"\d{6}", str(v)) for v in s)


# ----------------------------------------------------------------------------------------- tables
def _region_namer(lang: str):
    try:
        from ..regions import name as region_name  # type: ignore[attr-defined]
    except Exception:
        return None
    style = "short" if lang == "zh" else "en"

    def namer(code):
        try:
            out = region_name(str(code), style=style)
        except Exception:
            return None
        return out if isinstance(out, str) and out else None
    return namer


def _add_region_names(df: pd.DataFrame, lang: str) -> pd.DataFrame:
    if "region" not in df.columns or "region_name" in df.columns:
        return df
    namer = _region_namer(lang)
    if namer is None:
        return df
    names = [namer(c) for c in df["region"]]
    if not any(names) or all(n == str(c) for n, c in zip(names, df["region"])):
        return df     # no names known, or the ids already are the names of this language
    df = df.copy()
    df.insert(df.columns.get_loc("region") + 1, "region_name",
              [n if n else str(c) for n, c in zip(names, df["region"])])
    return df


def _flat(key: str, df) -> pd.DataFrame:
    if not isinstance(df, pd.DataFrame):
        raise InputError(f"table {key!r} must be a pandas DataFrame, not {type(df).__name__}")
    if any(n is not None for n in df.index.names):
        df = df.reset_index()
    else:
        df = df.reset_index(drop=True)
    return df


def prepare_tables(tables: dict, lang: str) -> dict[str, pd.DataFrame]:
    """Tables in workbook order, flat (no index), with region names added where resolvable.

    ``scores`` becomes the region × year matrix of the composite score (the paper's Table 2 layout);
    when the long scores table has sub-index columns it is kept as ``subindices``.
    """
    out: dict[str, pd.DataFrame] = {}
    tables = dict(tables or {})
    unknown = sorted(set(tables) - _KNOWN)
    for key in TABLE_ORDER:
        if key == "subindices" or key not in tables or tables[key] is None:
            continue
        df = _flat(key, tables[key])
        if key == "scores":
            if {"region", "year", "score"} <= set(df.columns):
                wide = df.pivot(index="region", columns="year", values="score")
                wide.columns = [int(c) for c in wide.columns]
                wide = wide.reset_index()
                wide.columns.name = None
                out["scores"] = _add_region_names(wide, lang)
                extra = [c for c in df.columns if c not in ("region", "year", "score", "region_name")]
                if extra:
                    long = df.sort_values(["region", "year"], kind="mergesort").reset_index(drop=True)
                    out["subindices"] = _add_region_names(long, lang)
                continue
            if "region" not in df.columns:
                df = df.rename(columns={df.columns[0]: "region"})
            df.columns = [int(c) if isinstance(c, str) and c.isdigit() else c for c in df.columns]
        out[key] = _add_region_names(df, lang)
    for key in unknown:  # tables this module has no wording for still reach the workbook
        if tables[key] is not None:
            out[key] = _add_region_names(_flat(key, tables[key]), lang)
    return out


#: Columns shown in HTML / Word for wide tables (the workbook has every column).
DISPLAY_COLUMNS = {
    "disparity": ["year", "theil", "sigma", "cv", "gini"],
    "moran_global": ["year", "I", "EI", "z_norm", "p_norm", "z_rand", "p_rand", "p_sim", "n_islands"],
    "strategy": ["region", "region_name", "tier", "trend", "role", "shortboards", "partners", "focus"],
    "dagum_gini": ["year", "G", "Gw", "Gnb", "Gt", "Gw_share", "Gnb_share", "Gt_share"],
    "table3_comparison": ["year", "I_paper", "I", "z_paper", "z_rand", "p_paper", "p_rand", "reproduced", "note"],
}


#: Columns whose values are category codes with bilingual labels.
_CODED = {"quadrant", "cluster", "quadrant_first", "quadrant_last", "cluster_first", "cluster_last",
          "role", "role_first_year", "role_last_year", "tier", "trend", "group"}


def code_label(code: str, lang: str) -> str:
    """Words for a category code (``high``, ``fluctuating``, ``growth_pole``, ``HH`` ...) in ``lang``.

    Looks up ``cat.<code>`` (tiers, trend types, spatial roles), then the code itself (quadrants,
    region groups); an unknown code is returned unchanged.
    """
    t = tr(f"cat.{code}", lang)
    if t != f"cat.{code}":
        return t
    return tr(code, lang)


def localize_frame(df: pd.DataFrame, lang: str, key: str = "") -> pd.DataFrame:
    """The columns of ``df`` in the report's language.

    Of a set ``x`` / ``x_zh`` / ``x_en`` only the column of ``lang`` is kept, under the name ``x``
    (``x`` itself when no column of ``lang`` exists; the other language's column is dropped). Values of
    category columns (tiers, trend types, roles, quadrants ...) are turned into words of ``lang``;
    in Chinese, booleans become 是 / 否.
    """
    df = df.copy()
    cols = [str(c) for c in df.columns]
    other = "en" if lang == "zh" else "zh"
    rename, drop = {}, set()
    for c in cols:
        m = re.fullmatch(r"(.+)_(zh|en)", c)
        if not m:
            continue
        base, suf = m.group(1), m.group(2)
        if suf == other:
            if base in cols or f"{base}_{lang}" in cols:
                drop.add(c)
            else:   # only the other language exists: keep it, it is all there is
                continue
        else:
            rename[c] = base
            if base in cols:
                drop.add(base)
    df = df.drop(columns=[c for c in df.columns if str(c) in drop]).rename(columns=rename)
    for c in df.columns:
        s = df[c]
        if str(c) in _CODED and not (pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s)):
            df[c] = [v if _missing(v) or not isinstance(v, str) or not v else code_label(v, lang) for v in s]
        elif lang == "zh" and (pd.api.types.is_bool_dtype(s) or
                               (len(s) and all(isinstance(v, bool | np.bool_) or _missing(v) for v in s)
                                and any(isinstance(v, bool | np.bool_) for v in s))):
            df[c] = [v if _missing(v) else tr("word.yes" if bool(v) else "word.no", lang) for v in s]
    return df


def display_frame(key: str, df: pd.DataFrame, lang: str = "zh") -> tuple[pd.DataFrame, int]:
    """Table as shown in HTML / Word and the number of columns left out (they are in the workbook).

    The columns are those of :func:`localize_frame`; the region code is dropped when names are present;
    wide tables show :data:`DISPLAY_COLUMNS`.
    """
    df = localize_frame(df, lang, key)
    if "region_name" in df.columns and "region" in df.columns:
        df = df.drop(columns="region")
    n0 = df.shape[1]
    want = DISPLAY_COLUMNS.get(key)
    if want:
        keep = [c for c in df.columns if str(c) in want]
        keep.sort(key=lambda c: want.index(str(c)))
        if len(keep) >= 2:
            df = df[keep]
    return df, n0 - df.shape[1]


# ----------------------------------------------------------------------------------------- meta
_SKIP_META = {"title", "conventions", "lang", "created"}


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
            return "无" if lang == "zh" else "none"
        return ", ".join(_meta_value(x, lang) for x in v)
    if isinstance(v, dict):
        return "; ".join(f"{k} = {_meta_value(x, lang)}" for k, x in v.items())
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


def _conv_key(k, lang: str | None) -> str:
    if lang is None:
        return str(k)
    for cand in (f"conv.{k}", str(k)):
        t = tr(cand, lang)
        if t != cand:
            return t
    return str(k)


def _lines(c, lang: str | None = None) -> list[str]:
    if not c:
        return []
    if isinstance(c, str):
        return [ln.strip(" -•\t") for ln in c.splitlines() if ln.strip(" -•\t")]
    if isinstance(c, dict):
        sep = "：" if lang == "zh" else ": "
        out = []
        for k, v in c.items():
            lab = _conv_key(k, lang)
            # "泰尔指数：泰尔指数 T = ..." says the name twice; the text alone is enough then
            out.append(str(v) if lang is not None and str(v).startswith(lab) else f"{lab}{sep}{v}")
        return out
    return [str(x) for x in c]


def conventions(meta: dict, lang: str | None = None) -> list[str]:
    """The conventions of ``meta`` (and of its ``index`` parameters) as a list of lines.

    Conventions given as a dictionary are written "key: text"; with ``lang`` the key is shown as its
    label (``theil`` → 泰尔指数) when one is known.
    """
    m = meta or {}
    out = _lines(m.get("conventions"), lang)
    if lang != "zh":  # the index's conventions are written in English; the Chinese methods section covers them
        for k in _NESTED:
            if isinstance(m.get(k), dict):
                out += [ln for ln in _lines(m[k].get("conventions"), lang) if ln not in out]
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
_FIG_FIXED = ("disparity", "heatmap", "rank_changes", "moran_scatter", "profile")
_FIG_PREFIX = re.compile(r"^fig\d+_")


def _fig_base(key: str) -> str:
    """``fig1_disparity`` → ``disparity`` (numbered file names map to the same kind of figure)."""
    return _FIG_PREFIX.sub("", key)
_FIG_YEAR = re.compile(r"^(map|lisa_map)_(\d{4})$")


def _figure_caption(key: str, lang: str) -> str:
    key = _fig_base(key)
    m = _FIG_YEAR.match(key)
    if m:
        return tr(f"figure.{m.group(1)}", lang, year=m.group(2))
    if key in _FIG_FIXED:
        return tr(f"figure.{key}", lang)
    return key.replace("_", " ")


def figure_section(key: str) -> str:
    """Report section of a figure.

    The paper's two figures keep their numbers: the disparity chart (its Figure 1) is the first figure,
    in the temporal-disparity section, and the Moran scatterplot (its Figure 2) the first of the spatial
    section. The maps of scores follow the scatterplot there, the LISA maps the local Moran table, and
    the heatmap, rank changes and sub-index profile come in a section of their own after it.
    """
    key = _fig_base(key)
    if key == "disparity":
        return "section.disparity"
    if key in ("heatmap", "rank_changes", "profile"):
        return "section.evolution"
    if key.startswith("map_"):
        return "section.spatial"
    if key == "moran_scatter" or key.startswith("moran_scatter") or key.startswith("lisa_map_"):
        return "section.spatial"
    return "section.other_figures"


def figure_order(keys) -> list[str]:
    """Known figure keys in reading order (the paper's Figures 1 and 2 first, maps by year), then the
    others alphabetically."""
    def rank(key):
        k = _fig_base(key)
        m = _FIG_YEAR.match(k)
        fixed = {"disparity": 0, "moran_scatter": 1, "map": 2, "lisa_map": 3, "heatmap": 4,
                 "rank_changes": 5, "profile": 6}
        if m:
            return (fixed[m.group(1)], int(m.group(2)), key)
        if k in fixed:
            return (fixed[k], 0, key)
        return (9, 0, key)
    return sorted(keys, key=rank)


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
def _methods(meta: dict, tables: dict, lang: str, eq: list[int]) -> list:
    """Blocks of the methods section, describing the parameters actually used."""
    zh = lang == "zh"
    m = meta or {}
    blocks: list = []

    def formula(text):
        eq[0] += 1
        blocks.append(Formula(text, eq[0]))
        return eq[0]

    norm = str(param(m, "normalization", param(m, "normalisation", "minmax"))).lower()
    pooled = bool(param(m, "pooled", True))
    shift = float(param(m, "shift", 0.0) or 0.0)
    weighting = str(param(m, "weighting", "entropy")).lower()
    has_index = (any(k in tables for k in ("weights", "normalized")) or param(m, "weighting") is not None)
    if has_index:
        blocks.append(Heading("熵值法与综合得分" if zh and weighting == "entropy" else
                              ("指标标准化、赋权与综合得分" if zh else "Normalisation, weights and scores"), 3))
        s_txt = f" + s" if shift else ""
        if norm in ("minmax", "min-max", "range"):
            scope = (("最小值、最大值取自全部地区-年份（混合标准化）" if pooled else "最小值、最大值在每一年内分别计算")
                     if zh else ("minimum and maximum over all region-years (pooled)" if pooled
                                 else "minimum and maximum within each year"))
            blocks.append(Para(
                f"指标采用极差（min-max）标准化，{scope}。正向指标按式（{eq[0] + 1}），负向指标按式（{eq[0] + 2}）"
                + (f"；标准化值加平移量 s = {shift:g}，以避免 ln 0" if shift else "；不作平移，约定 0·ln 0 = 0") + "。"
                if zh else
                f"Indicators are min-max normalised, {scope}: eq. ({eq[0] + 1}) for positive and eq. "
                f"({eq[0] + 2}) for negative indicators"
                + (f"; a shift s = {shift:g} is added to avoid ln 0." if shift else "; no shift, with 0·ln 0 = 0.")))
            formula(f"x′_{{ij}} = (x_{{ij}} − min_{{j}}) / (max_{{j}} − min_{{j}}){s_txt}")
            formula(f"x′_{{ij}} = (max_{{j}} − x_{{ij}}) / (max_{{j}} − min_{{j}}){s_txt}")
        else:
            blocks.append(Para(f"指标标准化方法：{norm}。" if zh else f"Normalisation method: {norm}."))
        nobs = ("N 为参与计算的观测数（混合标准化时为全部地区-年份数 n×T）" if pooled else
                "N 为当年地区数 n") if zh else (
                "N is the number of observations (all region-years n×T when pooled)" if pooled else
                "N is the number of regions n in the year")
        if weighting == "entropy":
            blocks.append(Para(
                f"熵值法：比重式（{eq[0] + 1}），信息熵式（{eq[0] + 2}）（{nobs}），冗余度式（{eq[0] + 3}），"
                f"权重式（{eq[0] + 4}），综合得分为标准化值的加权和式（{eq[0] + 5}）。原文式（3）与式（7）印刷有误，"
                "本报告按熵值法的标准形式实现。"
                if zh else
                f"Entropy method: shares eq. ({eq[0] + 1}), entropy eq. ({eq[0] + 2}) ({nobs}), redundancy eq. "
                f"({eq[0] + 3}), weights eq. ({eq[0] + 4}); the score is the weighted sum of normalised values, "
                f"eq. ({eq[0] + 5}). Eqs. (3) and (7) of the paper are misprinted; the standard entropy "
                "method is implemented."))
            formula("p_{ij} = x′_{ij} / Σ_{i} x′_{ij}")
            formula("e_{j} = −(1 / ln N) · Σ_{i} p_{ij} · ln p_{ij}")
            formula("d_{j} = 1 − e_{j}")
            formula("w_{j} = d_{j} / Σ_{k} d_{k}")
        else:
            desc = {
                "critic": ("CRITIC 法：w_{j} ∝ σ_{j} · Σ_{k} (1 − r_{jk})，r 为指标间相关系数。",
                           "CRITIC: w_{j} ∝ σ_{j} · Σ_{k} (1 − r_{jk}), r the correlation between indicators."),
                "cv": ("变异系数法：w_{j} ∝ σ_{j} / !{x}_{j}。", "Coefficient of variation: w_{j} ∝ σ_{j} / !{x}_{j}."),
                "equal": ("等权：w_{j} = 1 / m。", "Equal weights: w_{j} = 1 / m."),
            }.get(weighting, (f"赋权方法：{weighting}（权重见权重表）。",
                              f"Weighting: {weighting} (weights in the weights table)."))
            blocks.append(Para(desc[0] if zh else desc[1]))
        formula("U_{i} = Σ_{j} w_{j} · x′_{ij}")

    disp = tables.get("disparity")
    if disp is not None:
        n_first = eq[0] + 1
        blocks.append(Heading("泰尔指数、收敛系数与变异系数" if zh else "Theil index, σ and CV", 3))
        blocks.append(Para(
            f"D_{{i}} 为地区 i 的得分，!{{D}} 为 n 个地区的平均值。泰尔指数式（{n_first}），收敛系数 σ 式（{n_first + 1}）"
            f"为对数得分的总体标准差，变异系数式（{n_first + 2}）；三者越小差异越小。"
            if zh else
            f"D_{{i}} is the score of region i and !{{D}} the mean over n regions. Theil index eq. ({n_first}); "
            f"σ, eq. ({n_first + 1}), is the population standard deviation of log scores; coefficient of "
            f"variation eq. ({n_first + 2}). Smaller values mean smaller disparity."))
        formula("T = (1/n) · Σ_{i} (D_{i} / !{D}) · ln(D_{i} / !{D})")
        formula("σ = √[ (1/n) · Σ_{i} (ln D_{i} − (1/n) · Σ_{k} ln D_{k})^{2} ]")
        formula("CV = √[ (1/n) · Σ_{i} (D_{i} − !{D})^{2} ] / !{D}")
        if "gini" in getattr(disp, "columns", []):
            formula("G = Σ_{i} Σ_{j} |D_{i} − D_{j}| / (2 n^{2} !{D})")

    if "moran_global" in tables or "moran_local" in tables:
        blocks.append(Heading("莫兰指数" if zh else "Moran's I", 3))
        wdesc = m.get("weights", m.get("weights_description"))
        transform = str(m.get("transform", "r"))
        tkey = transform[-2] if re.fullmatch(r".*\([rb]\)", transform) else transform
        tdesc = {"r": ("行标准化", "row-standardised"), "b": ("二元（不标准化）", "binary")}.get(
            tkey, (transform, transform))
        if wdesc is not None:
            wdesc = _meta_value(wdesc, lang)
        island = m.get("island", m.get("island_rule"))
        idesc = {"none": ("无邻居地区（孤岛）保留在 n 中", "regions without neighbours (islands) stay in n"),
                 "guangdong": ("海南与广东相连", "Hainan linked to Guangdong"),
                 "guangdong_guangxi": ("海南与广东、广西相连", "Hainan linked to Guangdong and Guangxi")}.get(
            str(island), (str(island), str(island))) if island is not None else None
        perms = m.get("permutations", 999)
        seed = m.get("seed", 12345)
        alt = str(m.get("alternative", "greater"))
        alpha = m.get("alpha", 0.05)
        altd = {"greater": ("单侧检验（备择假设：正的空间自相关），与原文及 R spdep::moran.test 一致",
                            "one-sided (alternative: positive spatial autocorrelation), as the paper and "
                            "R's spdep::moran.test report"),
                "less": ("单侧检验（备择假设：负的空间自相关）", "one-sided (alternative: negative autocorrelation)"),
                "two-sided": ("双侧检验", "two-sided")}.get(alt, (alt, alt))
        g = eq[0] + 1
        parts_zh = [f"全局莫兰指数按式（{g}），z_{{i}} = D_{{i}} − !{{D}}，S_{{0}} = Σ_{{i}} Σ_{{j}} w_{{ij}}，"
                    f"E[I] = −1/(n − 1)。空间权重："
                    + (f"{wdesc}，" if wdesc else "") + f"{tdesc[0]}"
                    + (f"；{idesc[0]}" if idesc else "") + "。",
                    f"p 值为{altd[0]}；同时给出正态假设、随机化假设下的 z 与 p，以及 {perms} 次随机置换"
                    f"（随机种子 {seed}）的伪 p 值 p_{{sim}} = (1 + 置换统计量不弱于观测值的次数) / (M + 1)。"]
        parts_en = [f"Global Moran's I, eq. ({g}), with z_{{i}} = D_{{i}} − !{{D}}, S_{{0}} = Σ_{{i}} Σ_{{j}} "
                    f"w_{{ij}} and E[I] = −1/(n − 1). Spatial weights: " + (f"{wdesc}, " if wdesc else "")
                    + f"{tdesc[1]}" + (f"; {idesc[1]}" if idesc else "") + ".",
                    f"p-values are {altd[1]}; z and p under normality and randomisation are given together "
                    f"with the pseudo p-value of {perms} random permutations (seed {seed}): p_{{sim}} = "
                    "(1 + number of permuted statistics at least as extreme as the observed) / (M + 1)."]
        if "moran_local" in tables:
            lalt = str(m.get("local_alternative", "two-sided"))
            lalt_zh = {"two-sided": "双侧", "greater": "单侧", "less": "单侧", "directed": "折叠单侧（同 GeoDa/esda）"}.get(lalt, lalt)
            lalt_en = {"two-sided": "two-sided", "greater": "one-sided", "less": "one-sided",
                       "directed": "folded one-sided (as GeoDa/esda)"}.get(lalt, lalt)
            parts_zh.append(f"局部莫兰指数按式（{g + 1}），m_{{2}} = Σ_{{i}} z_{{i}}^{{2}} / n，采用条件置换检验（{lalt_zh}伪 p 值）；"
                            f"p_{{sim}} < {alpha} 时按莫兰散点图象限记为高-高（HH）、低-高（LH）、低-低（LL）、"
                            "高-低（HL）集聚，无邻居的地区从不判为显著。")
            parts_en.append(f"Local Moran's I, eq. ({g + 1}), with m_{{2}} = Σ_{{i}} z_{{i}}^{{2}} / n and a "
                            f"conditional permutation test ({lalt_en} pseudo p); when p_{{sim}} < {alpha} the "
                            "region-year is labelled "
                            "by its scatterplot quadrant: high-high (HH), low-high (LH), low-low (LL), "
                            "high-low (HL). Regions without neighbours are never significant.")
        for t in (parts_zh if zh else parts_en):
            blocks.append(Para(t))
        formula("I = (n / S_{0}) · Σ_{i} Σ_{j} w_{ij} z_{i} z_{j} / Σ_{i} z_{i}^{2}")
        if "moran_local" in tables:
            formula("I_{i} = (z_{i} / m_{2}) · Σ_{j} w_{ij} z_{j}")
    return blocks


# --------------------------------------------------------------------------------------- document
_CN_NUM = "一二三四五六七八九十"


def build_document(inp) -> tuple[str, list, dict[str, str]]:
    """Title, blocks of the whole report, and the workbook sheet name of each table key."""
    from .excel import sheet_names  # the notes name the sheets the workbook really has

    lang = inp.lang
    if lang not in ("zh", "en"):
        raise InputError(f"report language must be 'zh' or 'en', not {lang!r}")
    meta = dict(inp.meta or {})
    tables = prepare_tables(inp.tables, lang)
    sheets = sheet_names(list(tables), lang)
    title = str(meta.get("title") or tr("report.title", lang))

    figs = dict(inp.figures or {})
    fig_keys = figure_order(figs)
    by_section: dict[str, list[str]] = {}
    for k in fig_keys:
        by_section.setdefault(figure_section(k), []).append(k)

    counters = {"table": 0, "figure": 0}
    eq = [0]

    def table(key, df=None, caption=None):
        counters["table"] += 1
        d = tables[key] if df is None else df
        return TableBlock(key, counters["table"], caption or tr(f"caption.{key}", lang), d,
                          long=key in LONG_TABLES, sheet=sheets.get(key, ""))

    def figures(section, pick=None):
        out = []
        for k in by_section.get(section, []):
            if pick is not None and not pick(k):
                continue
            data, mime, w, h = _read_image(k, figs[k])
            counters["figure"] += 1
            out.append(FigureBlock(k, counters["figure"], _figure_caption(k, lang), Path(figs[k]),
                                   data, mime, w, h))
        return out

    sections: list[tuple[str, list]] = []
    params = pd.DataFrame(meta_rows(meta, lang, max_len=200), columns=["word.parameter", "word.value"])
    first = [table("__params__", params, tr("word.parameter", lang) + (" " if lang == "en" else "")
                   + ("设置" if lang == "zh" else "settings"))]
    conv = conventions(meta, lang)
    if conv:
        first += [Para(tr("word.conventions", lang) + ("：" if lang == "zh" else ":")), Bullets(conv)]
    sections.append(("section.parameters", first))
    methods = _methods(meta, inp.tables or {}, lang, eq)
    if methods:
        sections.append(("section.methods", methods))

    layout = [
        ("section.weights", ["weights", "group_weights"]),
        ("section.scores", ["scores", "subindices"]),
        ("section.disparity", ["disparity", "dagum_gini"]),
        ("section.spatial", ["moran_global", "table3_comparison", "moran_local", "quadrant_transitions"]),
        ("section.evolution", []),
        ("section.obstacles", ["obstacles"]),
        ("section.strategy", ["strategy"]),
        ("section.other_figures", []),
        ("section.appendix", ["normalized", "audit"] + [k for k in tables if k not in TABLE_ORDER]),
    ]
    def is_lisa(k):
        return _fig_base(k).startswith("lisa_map_")

    for sec, keys in layout:
        blocks = []
        if sec == "section.spatial":
            # global Moran (and its comparison with the paper's Table 3), the scatterplot and the maps
            # of scores; then local Moran and the LISA maps; then the quadrant transitions
            for k in ("moran_global", "table3_comparison"):
                if k in tables:
                    blocks.append(table(k))
            blocks += figures(sec, lambda k: not is_lisa(k))
            if "moran_local" in tables:
                blocks.append(table("moran_local"))
            blocks += figures(sec, is_lisa)
            if "quadrant_transitions" in tables:
                blocks.append(table("quadrant_transitions"))
        else:
            for k in keys:
                if k in tables:
                    cap = None if k in _KNOWN or k == "subindices" else k.replace("_", " ")
                    blocks.append(table(k, caption=cap))
            blocks += figures(sec)
        if blocks:
            sections.append((sec, blocks))

    doc: list = []
    for i, (sec, blocks) in enumerate(sections):
        num = f"{_CN_NUM[i]}、" if lang == "zh" and i < len(_CN_NUM) else f"{i + 1} "
        doc.append(Heading(num + tr(sec, lang), 2))
        doc.extend(blocks)
    return title, doc, sheets


def caption_text(kind: str, number: int, caption: str, lang: str) -> str:
    """Numbered caption: ``表1 指标权重`` / ``Table 1. Indicator weights`` (kind "table" or "figure")."""
    if lang == "zh":
        return f"{'表' if kind == 'table' else '图'}{number} {caption}"
    return f"{'Table' if kind == 'table' else 'Figure'} {number}. {caption}"


def subtitle(meta: dict, lang: str) -> str:
    """One line under the title: data source · spec · version."""
    m = meta or {}
    parts = []
    for k in ("source", "data_source", "spec", "version", "package_version"):
        if m.get(k):
            parts.append(f"{tr('meta.' + k, lang)}{'：' if lang == 'zh' else ': '}{_meta_value(m[k], lang)}")
    return " · ".join(dict.fromkeys(parts))

