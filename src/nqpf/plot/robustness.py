"""Rank intervals of the Monte Carlo over the analyst's choices (:mod:`nqpf.index.robustness`)."""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from nqpf.errors import InputError
from nqpf.i18n import t
from nqpf.plot.fonts import resolve_lang
from nqpf.plot.style import OKABE_ITO, display_names, new_figure, style_context

__all__ = ["plot_rank_intervals", "NAMED_MAX"]

#: Up to this many regions a panel names every region; beyond, it draws the intervals against the rank.
NAMED_MAX = 60
_COLUMNS = ("region", "year", "rank", "median_rank", "rank_p05", "rank_p95")


def plot_rank_intervals(intervals: pd.DataFrame, years: Sequence, names: Mapping | None = None,
                        lang: str = "zh", *, title: str | None = None):
    """The 5–95 % interval of every region's rank over the draws, its median and the baseline rank.

    One panel per year (regions ordered by their baseline rank, the first at the top). Up to
    :data:`NAMED_MAX` regions each row is named; with more, the intervals are drawn as vertical bars
    over the baseline rank (no names), so that a panel of thousands of counties stays readable.

    Parameters
    ----------
    intervals : DataFrame
        The ``rank_uncertainty`` table: ``region, year, rank, median_rank, rank_p05, rank_p95``.
    years : sequence of int
        The years drawn, one panel each.
    names : mapping, optional
        Region id → display name in the figure's language.
    lang : str
    title : str, optional
        Default ``plot.fig_rank_intervals``; ``""`` for none.

    Returns
    -------
    matplotlib.figure.Figure
        Interval bars carry the region id as gid.
    """
    if not isinstance(intervals, pd.DataFrame) or not set(_COLUMNS) <= set(intervals.columns):
        raise InputError(f"intervals must be the rank_uncertainty table with columns {', '.join(_COLUMNS)}")
    years = [int(y) for y in years]
    have = set(intervals["year"].astype(int))
    if not years or any(y not in have for y in years):
        raise InputError(f"years {years} not all in the rank_uncertainty table ({sorted(have)})")
    lang = resolve_lang(lang)
    n = int((intervals["year"].astype(int) == years[0]).sum())
    named = n <= NAMED_MAX
    height = max(3.2, 0.19 * n + 1.3) if named else 4.2
    with style_context(lang):
        fig = new_figure(lang, (1.4 + 4.3 * len(years), height))
        axes = fig.subplots(1, len(years), squeeze=False)[0]
        for ax, year in zip(axes, years):
            one = intervals[intervals["year"].astype(int) == year].sort_values(["rank", "region"], kind="mergesort")
            lo, hi = one["rank_p05"].to_numpy(float), one["rank_p95"].to_numpy(float)
            med, base = one["median_rank"].to_numpy(float), one["rank"].to_numpy(float)
            ids = list(one["region"])
            if named:
                y = np.arange(len(one), dtype=float)
                for k, rid in enumerate(ids):
                    ax.plot([lo[k], hi[k]], [y[k], y[k]], color=OKABE_ITO["skyblue"], lw=4.2, alpha=0.75,
                            solid_capstyle="butt", gid=str(rid))
                ax.scatter(med, y, s=16, color=OKABE_ITO["blue"], zorder=3, label=t("plot.robustness_median", lang))
                ax.scatter(base, y, s=26, marker="D", facecolor="none", edgecolor=OKABE_ITO["vermillion"],
                           lw=0.9, zorder=4, label=t("plot.robustness_baseline", lang))
                ax.set_yticks(y, display_names(ids, names))
                ax.set_ylim(len(one) - 0.4, -0.6)
                ax.tick_params(axis="y", length=0, labelsize=7)
                ax.set_xlabel(t("plot.rank", lang))
                ax.set_xlim(0.3, n + 0.7)
                step = 1 if n <= 10 else 5 if n <= 40 else 10
                ax.set_xticks(sorted({1} | set(range(step, n + 1, step))))
                ax.grid(axis="x", color="0.92", lw=0.6)
            else:
                ax.vlines(base, lo, hi, color=OKABE_ITO["skyblue"], lw=0.6, alpha=0.8)
                ax.plot(base, med, ".", ms=1.5, color=OKABE_ITO["blue"], label=t("plot.robustness_median", lang))
                ax.plot([1, n], [1, n], color=OKABE_ITO["vermillion"], lw=0.8,
                        label=t("plot.robustness_baseline", lang))
                ax.set_xlabel(t("plot.robustness_baseline", lang))
                ax.set_ylabel(t("plot.rank", lang))
                ax.invert_yaxis()
            ax.set_title(str(year))
        from matplotlib.lines import Line2D

        handles = [Line2D([], [], color=OKABE_ITO["skyblue"], lw=4.2, alpha=0.75,
                          label=t("plot.robustness_interval", lang))] + axes[0].get_legend_handles_labels()[0]
        fig.legend(handles=handles, loc="outside lower center", ncol=3, fontsize=7.5)
        if title is None:
            title = t("plot.fig_rank_intervals", lang)
        if title:
            fig.suptitle(title, fontsize=10.5)
    return fig
