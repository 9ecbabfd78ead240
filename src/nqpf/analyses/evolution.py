"""Scores and ranks of the regions over time: heatmap and rank changes."""
from __future__ import annotations

import re

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
    """Region id → display name in ``lang``.

    The region index's names (provinces in the language, other regions as the user wrote them); where
    the user wrote GB/T 2260 codes of prefecture-level cities or counties and the language names
    Chinese regions in Chinese (``lang.region_names`` ``short`` or ``full``), the unit's Chinese name
    (:func:`nqpf.regions.admin_units`), with its city (counties) or province (cities) in front when
    the name occurs more than once in the panel (朝阳区 of Beijing and of Changchun). Other languages
    keep the codes (no transliteration is guessed)."""
    out = {r: res.regions.name(r, lang) for r in res.regions.ids}
    if res.regions.level == "province":
        return out
    from ..i18n import t

    if t("lang.region_names", lang) not in ("short", "full"):
        return out
    written = {r: str(v) for r, v in out.items() if re.fullmatch(r"\d{6}", str(v))}
    if not written:
        return out
    from ..regions import admin_units

    units = admin_units()
    units = units[units["level"].isin(("city", "county"))].drop_duplicates("code").set_index("code")
    known = {r: c for r, c in written.items() if c in units.index}
    if not known:
        return out
    sub = units.loc[list(known.values())]
    count = sub["name"].value_counts()
    for r, c in known.items():
        row = units.loc[c]
        name = str(row["name"])
        if count.get(name, 0) > 1:
            parent = row["city"] if row["level"] == "county" and isinstance(row["city"], str) else row["province"]
            name = f"{parent}{name}" if isinstance(parent, str) else f"{name}（{c}）"
        out[r] = name
    return out


FAMILY = Family("evolution", items, order=40, help="heatmap of the scores and rank changes")
