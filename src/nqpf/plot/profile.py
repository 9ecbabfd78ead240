"""Sub-index profile of one region against the national mean."""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from nqpf.errors import InputError, UnknownRegionError
from nqpf.i18n import has, t
from nqpf.plot.fonts import resolve_lang
from nqpf.plot.style import OKABE_ITO, display_names, fmt_number, new_figure, style_context

__all__ = ["plot_profile", "profile_table"]


def profile_table(scores_long: pd.DataFrame, region, year=None,
                  subindices: Sequence[str] | None = None) -> pd.DataFrame:
    """Values of ``region`` and the national (unweighted cross-region) mean, per sub-index.

    Parameters
    ----------
    scores_long : DataFrame
        Columns ``region, year, score`` plus one column per sub-index.
    region
        Region id as in the ``region`` column.
    year : optional
        Default: the last year.
    subindices : sequence of str, optional
        Columns to show (default: every numeric column except ``region``/``year``; ``score`` first).

    Returns
    -------
    DataFrame
        Index = sub-index names, columns ``region`` and ``national_mean``.
    """
    if not isinstance(scores_long, pd.DataFrame) or not {"region", "year"} <= set(scores_long.columns):
        raise InputError("scores_long must be a DataFrame with columns region, year, score and sub-indices")
    if year is None:
        year = scores_long["year"].max()
    sub = scores_long[scores_long["year"].astype(str) == str(year)]
    if sub.empty:
        raise InputError(f"year {year!r} not in scores; available: {sorted(scores_long['year'].unique())}")
    if subindices is None:
        subindices = [c for c in sub.columns if c not in ("region", "year")
                      and pd.api.types.is_numeric_dtype(sub[c])]
        subindices = sorted(subindices, key=lambda c: c != "score")
    missing = [c for c in subindices if c not in sub.columns]
    if missing or not subindices:
        raise InputError(f"sub-index column(s) {missing or 'none'} not in scores; columns: {list(sub.columns)}")
    row = sub[sub["region"].astype(str) == str(region)]
    if row.empty:
        raise UnknownRegionError(str(region), where=f"scores of {year}")
    vals = row[list(subindices)].iloc[0].astype(float)
    mean = sub[list(subindices)].astype(float).mean(axis=0)
    out = pd.DataFrame({"region": vals, "national_mean": mean})
    out.attrs["year"] = year
    return out


def plot_profile(scores_long: pd.DataFrame, region, lang: str = "zh", *, year=None,
                 subindices: Sequence[str] | None = None, names: Mapping | None = None,
                 subindex_names: Mapping[str, str] | None = None, title: str | None = None):
    """Grouped horizontal bars: a region's composite and sub-index scores next to the national mean.

    Bars read more accurately than a radar chart (lengths on a common baseline rather than areas),
    so they are used here.

    Parameters
    ----------
    scores_long : DataFrame
        Columns ``region, year, score`` plus one column per sub-index.
    region
        Region id.
    lang : {"zh", "en"}
    year : optional
        Default: the last year.
    subindices : sequence of str, optional
        Columns to show (default all, composite ``score`` first).
    names : mapping, optional
        Region id → display name, already in the figure's language (an id missing is shown as
        ``str(id)``).
    subindex_names : mapping, optional
        Sub-index column → display name in the figure's language (default: ``score`` is the
        catalogue's ``plot.composite``, another column its ``plot.<column>`` text if there is one,
        else the column's name).

    Returns
    -------
    matplotlib.figure.Figure
    """
    lang = resolve_lang(lang)
    tab = profile_table(scores_long, region, year=year, subindices=subindices)
    sub_names = dict(subindex_names or {})
    rname = display_names([region], names)[0]
    ticks = [sub_names.get(c, _subindex_label(c, lang)) for c in tab.index]
    k = len(tab)
    y = np.arange(k)[::-1].astype(float)
    h = 0.38
    with style_context(lang):
        fig = new_figure(lang, (6.4, 1.2 + 0.48 * k))
        ax = fig.add_subplot(1, 1, 1)
        ax.barh(y + h / 2, tab["region"], height=h, color=OKABE_ITO["blue"], label=rname, gid="region")
        ax.barh(y - h / 2, tab["national_mean"], height=h, color="0.72",
                label=t("plot.national_mean", lang), gid="national_mean")
        top = float(np.nanmax(tab.to_numpy()))
        for yi, v in zip(y, tab["region"]):
            ax.text(v + 0.01 * top, yi + h / 2, fmt_number(v, "{:.3f}"), va="center", fontsize=7)
        for yi, v in zip(y, tab["national_mean"]):
            ax.text(v + 0.01 * top, yi - h / 2, fmt_number(v, "{:.3f}"), va="center", fontsize=7, color="0.35")
        ax.set_yticks(y, ticks)
        ax.set_xlim(0, top * 1.15 if top > 0 else 1)
        ax.set_xlabel(t("plot.score", lang))
        ax.legend(loc="best")
        ax.grid(axis="x", color="0.92", lw=0.6)
        ax.set_axisbelow(True)
        if title is None:
            title = t("plot.fig_profile_region", lang, region=rname, year=tab.attrs["year"])
        if title:
            ax.set_title(title, fontsize=10.5)
    return fig


def _subindex_label(column: str, lang: str) -> str:
    if column == "score":
        return t("plot.composite", lang)
    return t(f"plot.{column}", lang) if has(f"plot.{column}", lang) else str(column)
