"""Bilingual (Chinese / English) labels for everything a user sees: table columns, figure titles,
axis labels, legend entries and LISA quadrant names.

One dictionary, :data:`LABELS`, maps a key to ``{"zh": ..., "en": ...}``; :func:`label` looks a key up.
Keys are the column names of the result tables (``theil``, ``sigma``, ``cv``, ``I``, ``z_norm``,
``p_sim`` ...) so a table can be relabelled with :func:`relabel_columns`.

Examples
--------
>>> label("theil", "zh")
'泰尔指数'
>>> label("HH", "en")
'HH high–high'
"""
from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping

from nqpf.errors import InputError

__all__ = ["LABELS", "LANGS", "label", "labels", "has_label", "check_lang", "relabel_columns"]

#: Languages every label exists in.
LANGS = ("zh", "en")

#: key -> {"zh": Chinese label, "en": English label}
LABELS: dict[str, dict[str, str]] = {
    # --- identifiers -------------------------------------------------------------------------
    "region": {"zh": "地区", "en": "Region"},
    "province": {"zh": "省份", "en": "Province"},
    "code": {"zh": "行政区划代码", "en": "GB/T 2260 code"},
    "year": {"zh": "年份", "en": "Year"},
    "group": {"zh": "区域", "en": "Region group"},
    "rank": {"zh": "排名", "en": "Rank"},
    "score": {"zh": "新质生产力发展潜力", "en": "NQPF development potential"},
    "composite": {"zh": "综合得分", "en": "Composite score"},
    "indicator": {"zh": "指标", "en": "Indicator"},
    "weight": {"zh": "权重", "en": "Weight"},
    "entropy": {"zh": "信息熵", "en": "Entropy"},
    "value": {"zh": "数值", "en": "Value"},
    "national_mean": {"zh": "全国均值", "en": "National mean"},
    # --- disparity -----------------------------------------------------------------------------
    "theil": {"zh": "泰尔指数", "en": "Theil index"},
    "sigma": {"zh": "收敛系数 σ", "en": "σ convergence coefficient"},
    "cv": {"zh": "变异系数", "en": "Coefficient of variation"},
    "gini": {"zh": "基尼系数", "en": "Gini coefficient"},
    "between": {"zh": "组间差异", "en": "Between-group"},
    "within": {"zh": "组内差异", "en": "Within-group"},
    # --- global Moran --------------------------------------------------------------------------
    "I": {"zh": "莫兰指数 I", "en": "Moran's I"},
    "EI": {"zh": "期望值 E(I)", "en": "Expected I, E(I)"},
    "VI_norm": {"zh": "方差(正态假设)", "en": "Variance of I (normality)"},
    "z_norm": {"zh": "z 值(正态假设)", "en": "z (normality)"},
    "p_norm": {"zh": "p 值(正态假设)", "en": "p (normality)"},
    "VI_rand": {"zh": "方差(随机化假设)", "en": "Variance of I (randomisation)"},
    "z_rand": {"zh": "z 值(随机化假设)", "en": "z (randomisation)"},
    "p_rand": {"zh": "p 值(随机化假设)", "en": "p (randomisation)"},
    "p_sim": {"zh": "p 值(置换检验)", "en": "p (permutation)"},
    "n": {"zh": "样本数", "en": "n"},
    "n_islands": {"zh": "无邻接地区数", "en": "Regions without neighbours"},
    # --- local Moran ---------------------------------------------------------------------------
    "Ii": {"zh": "局部莫兰指数 Ii", "en": "Local Moran's Ii"},
    "z": {"zh": "标准化值", "en": "Standardised value"},
    "lag": {"zh": "空间滞后值", "en": "Spatial lag"},
    "quadrant": {"zh": "象限", "en": "Quadrant"},
    "cluster": {"zh": "显著聚类", "en": "Significant cluster"},
    "HH": {"zh": "HH 高-高", "en": "HH high–high"},
    "LH": {"zh": "LH 低-高", "en": "LH low–high"},
    "LL": {"zh": "LL 低-低", "en": "LL low–low"},
    "HL": {"zh": "HL 高-低", "en": "HL high–low"},
    "not_significant": {"zh": "不显著", "en": "Not significant"},
    "no_data": {"zh": "无数据", "en": "No data"},
    "no_neighbours": {"zh": "无邻接", "en": "No neighbours"},
    "first": {"zh": "起始年", "en": "First year"},
    "last": {"zh": "结束年", "en": "Last year"},
    "count": {"zh": "个数", "en": "Count"},
    # --- diagnosis -----------------------------------------------------------------------------
    "obstacle": {"zh": "障碍度", "en": "Obstacle degree"},
    "tier": {"zh": "发展水平", "en": "Level tier"},
    "trend": {"zh": "变化趋势", "en": "Trend"},
    "role": {"zh": "空间角色", "en": "Spatial role"},
    "strategy": {"zh": "战略着力点", "en": "Strategic focus"},
    # --- axis labels ---------------------------------------------------------------------------
    "z_axis": {"zh": "标准化发展潜力 z", "en": "Standardised potential z"},
    "lag_axis": {"zh": "空间滞后 Wz", "en": "Spatial lag Wz"},
    "class": {"zh": "分级", "en": "Class"},
    # --- figure titles -------------------------------------------------------------------------
    "fig_disparity": {
        "zh": "各省域新质生产力发展潜力泰尔指数、收敛系数与变异系数",
        "en": "Theil index, σ convergence and coefficient of variation of NQPF potential",
    },
    "fig_moran_scatter": {"zh": "局部莫兰散点图", "en": "Moran scatter plot"},
    "fig_heatmap": {"zh": "各省域新质生产力发展潜力", "en": "NQPF development potential by province"},
    "fig_rank_changes": {"zh": "各省域发展潜力排名变化", "en": "Changes in provincial ranks"},
    "fig_profile": {"zh": "分维度发展潜力与全国均值", "en": "Sub-index profile vs national mean"},
    "fig_choropleth": {"zh": "新质生产力发展潜力空间分布", "en": "Spatial distribution of NQPF potential"},
    "fig_lisa_map": {"zh": "LISA 集聚图", "en": "LISA cluster map"},
    "south_china_sea": {"zh": "南海诸岛", "en": "South China Sea Islands"},
}


def check_lang(lang: str) -> str:
    """Return ``lang`` if it is ``"zh"`` or ``"en"``; raise :class:`~nqpf.errors.InputError` otherwise."""
    if lang not in LANGS:
        raise InputError(f"unknown language {lang!r}; use 'zh' (Chinese) or 'en' (English)")
    return lang


def has_label(key: str) -> bool:
    """Whether ``key`` has a bilingual label."""
    return key in LABELS


def label(key: str, lang: str = "zh") -> str:
    """The ``lang`` label of ``key``.

    Parameters
    ----------
    key : str
        A column name or label key (see :data:`LABELS`).
    lang : {"zh", "en"}

    Raises
    ------
    KeyError
        ``key`` has no label; the message lists the closest known keys.
    nqpf.errors.InputError
        ``lang`` is not ``"zh"`` or ``"en"``.
    """
    check_lang(lang)
    try:
        return LABELS[key][lang]
    except KeyError:
        close = difflib.get_close_matches(str(key), list(LABELS), n=3)
        hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
        raise KeyError(f"no label for {key!r}{hint}") from None


def labels(keys: Iterable[str], lang: str = "zh") -> list[str]:
    """:func:`label` of every key."""
    return [label(k, lang) for k in keys]


def relabel_columns(df, lang: str = "zh", extra: Mapping[str, str] | None = None):
    """A copy of ``df`` whose columns with a known label carry that label; others keep their name.

    ``extra`` maps further column names to display names (it wins over :data:`LABELS`).
    """
    check_lang(lang)
    extra = dict(extra or {})
    mapping = {c: extra.get(c, LABELS[c][lang] if c in LABELS else c) for c in df.columns}
    return df.rename(columns=mapping)
