"""Scores and ranks of the regions over time: heatmap and rank changes."""
from __future__ import annotations

from ..results import Figure
from ._common import NO_TITLE, Context, Family, cells_cost

__all__ = ["FAMILY", "items"]


def items(ctx: Context):
    years = list(ctx.opt("figure_years") or [])
    yrs = [int(c) for c in ctx.Y.columns]
    n, m = ctx.Y.shape
    shown = n if n <= 60 else 31      # plot.heatmap: every region up to 60, else 31 summary rows
    out = [Figure("heatmap", _draw_heatmap, "evolution", "figure.heatmap", order=0, cost=cells_cost(shown, m))]
    span = [years[0], years[-1]] if years and years[0] != years[-1] else [yrs[0], yrs[-1]]
    if span[0] != span[1]:
        out.append(Figure("rank_changes", lambda res, lang: _draw_ranks(res, lang, span), "evolution",
                          "figure.rank_changes", order=1))
    return out, {}


def _draw_heatmap(res, lang):
    from .. import plot

    return plot.plot_heatmap(res.Y, names=names(res, lang), lang=lang, title=NO_TITLE)


def _draw_ranks(res, lang, span):
    from .. import plot

    return plot.plot_rank_changes(res.Y, names=names(res, lang), years=span, lang=lang, title=NO_TITLE)


def names(res, lang) -> dict:
    """Region id → display name in ``lang`` (:meth:`nqpf.results.RegionIndex.names`: provinces in the
    language, cities and counties written as codes by their Chinese names)."""
    return dict(res.regions.names(lang))


FAMILY = Family("evolution", items, order=40, help="heatmap of the scores and rank changes")
