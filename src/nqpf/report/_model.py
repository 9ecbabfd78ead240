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
from ..i18n import t as tr

__all__ = [
    "Heading", "Para", "Bullets", "Formula", "TableBlock", "FigureBlock", "format_value", "build_document",
    "meta_rows", "conventions", "split_markup", "BOOK_NAME", "caption_text", "subtitle", "param",
    "section_number",
]

#: File name of the workbook the long-table notes point to.
BOOK_NAME = "results.xlsx"


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
    loc: object          # nqpf.outputs.Localized: the columns shown, in the report's language
    long: bool = False
    sheet: str = ""      # workbook sheet holding the full table (for notes)
    omitted: int = 0     # columns left out (they are in the workbook)
    significant: object = None   # boolean mask of significant rows (long tables list only these)

    @property
    def df(self) -> pd.DataFrame:
        return self.loc.frame


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
    if kind == "int":
        return f"{int(v)}"
    if kind == "p":
        return f"{float(v):.3f}"
    if kind == "float":
        return f"{float(v):.4f}"
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


def conventions(meta: dict, lang: str) -> list[str]:
    """The conventions of ``meta`` as lines in ``lang``: each key ``k`` of ``meta["conventions"]`` is
    shown as its name (``conv.<k>``, the part before a dot) and its text (``convtext.<k>``); the index
    stage's conventions (English, in ``meta["index"]``) are listed in English reports."""
    m = meta or {}
    sep = "：" if lang == "zh" else ": "
    out = []
    for k in m.get("conventions") or []:
        lab = tr(f"conv.{str(k).split('.', 1)[0]}", lang)
        out.append(f"{lab}{sep}{tr(f'convtext.{k}', lang)}")
    if lang != "zh":  # the index's conventions are written in English; the Chinese methods section covers them
        for k in _NESTED:
            sub = m.get(k)
            if isinstance(sub, dict) and isinstance(sub.get("conventions"), dict):
                out += [f"{ck}: {cv}" for ck, cv in sub["conventions"].items()]
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

    if "disparity" in tables:
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


def section_number(i: int, lang: str) -> str:
    """Number of the ``i``-th section (0-based): 一、… 十、十一、… in Chinese, "1 " in English."""
    if lang != "zh":
        return f"{i + 1} "
    n = i + 1
    if n <= 10:
        return f"{_CN_NUM[n - 1]}、"
    tens, ones = divmod(n, 10)
    return f"{'' if tens == 1 else _CN_NUM[tens - 1]}十{_CN_NUM[ones - 1] if ones else ''}、"


def _table_block(item, results, lang: str, number: int, sheet: str) -> TableBlock:
    from ..outputs import localized

    loc = localized(item, lang, results)
    total_cols = loc.frame.shape[1]
    if item.display and not item.wide:
        keep = [c for c in item.display if c in loc.frame.columns]
        if len(keep) >= 2:
            loc = loc.subset(keep)
    omitted = total_cols - loc.frame.shape[1]
    sig = None
    if item.long and item.significant and item.significant in item.data.columns:
        v = item.data[item.significant]
        sig = (v.notna() & (v.astype(str) != "")).to_numpy()
    return TableBlock(item.key, number, item.caption_text(lang), loc, long=item.long, sheet=sheet,
                      omitted=omitted, significant=sig)


def build_document(results, lang: str, figures: dict | None = None) -> tuple[str, list, dict[str, str]]:
    """Title, blocks of the whole report, and the workbook sheet name of each table key.

    Sections come in the order of :data:`nqpf.results.SECTIONS`; inside a section, tables and figures
    in their ``order``. Nothing here lists table keys or figure names: the items say where they go.
    """
    from ..i18n import check_lang
    from .excel import sheet_names

    check_lang(lang)
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
                                  ["text", "text"]))]
    counters["table"] = 1
    conv = conventions(params, lang)
    if conv:
        first += [Para(tr("word.conventions", lang) + ("：" if lang == "zh" else ":")), Bullets(conv)]
    sections.append(("parameters", first))
    methods = _methods(params, set(results.items), lang, eq)
    if methods:
        sections.append(("methods", methods))
    from ..results import Table

    for sec in results.sections():
        blocks = []
        for item in results.section_items(sec):
            if isinstance(item, Table):
                counters["table"] += 1
                blocks.append(_table_block(item, results, lang, counters["table"], sheets.get(item.key, "")))
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

