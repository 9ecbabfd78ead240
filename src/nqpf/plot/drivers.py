"""Figures of the geographical detector: q of every factor (bars, one per year shown) and the interaction
q of every pair of factors (a triangular heatmap, the single-factor q on the diagonal).

Both read the detector's tables (``geodetector_factor``, ``geodetector_interaction``) and compute no
statistic. Factor names are given by the caller, already in the figure's language.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.colors import Normalize

from nqpf.errors import InputError
from nqpf.i18n import t
from nqpf.plot.fonts import resolve_lang
from nqpf.plot.style import LINE_COLORS, SEQUENTIAL_CMAP, color_cells, fmt_number, new_figure, style_context

__all__ = ["plot_geodetector_q", "plot_interaction_heatmap"]


def _rows_of(df: pd.DataFrame, year) -> pd.DataFrame:
    if year is None or pd.isna(year):
        return df[df["year"].isna()] if df["year"].isna().any() else df
    return df[df["year"] == year]


def _name(names: Mapping | None, f) -> str:
    return str((names or {}).get(f, f))


def plot_geodetector_q(factor: pd.DataFrame, names: Mapping | None = None, lang: str = "zh", *,
                       years: Sequence | None = None, alpha: float = 0.05, title: str | None = None):
    """Horizontal bars of q per factor, one bar per year of ``years`` (``[None]``: pooled), the factors
    sorted by q of the last year (largest on top); a bar with ``p ≥ alpha`` is hatched and pale.

    Parameters
    ----------
    factor : DataFrame
        The ``geodetector_factor`` table (``factor, year, q, p`` …).
    names : mapping, optional
        Factor → display name in the figure's language (default the factor itself).
    years : sequence, optional
        Years drawn (at most 4; default the first and the last, or the pooled row).
    alpha : float
        Significance level of the hatching.
    """
    need = {"factor", "year", "q", "p"}
    if not isinstance(factor, pd.DataFrame) or not need <= set(factor.columns):
        raise InputError(f"plot_geodetector_q: expected the geodetector_factor table (columns {sorted(need)})")
    lang = resolve_lang(lang)
    if years is None:
        ys = sorted(factor["year"].dropna().unique())
        years = [None] if not ys else ([ys[0], ys[-1]] if len(ys) > 1 else ys)
    years = list(years)[:4]
    order = list(dict.fromkeys(factor["factor"]))
    last = _rows_of(factor, years[-1]).set_index("factor")["q"]
    order.sort(key=lambda f: -np.nan_to_num(last.get(f, np.nan), nan=-1.0))
    F, Y = len(order), len(years)
    height = 0.8 / Y
    with style_context(lang):
        fig = new_figure(lang, (6.2, 1.3 + 0.32 * F * max(1, Y * 0.75)))
        ax = fig.add_subplot(1, 1, 1)
        top = 0.0
        for i, y in enumerate(years):
            rows = _rows_of(factor, y).set_index("factor")
            q = np.array([rows["q"].get(f, np.nan) for f in order], dtype=float)
            p = np.array([rows["p"].get(f, np.nan) for f in order], dtype=float)
            pos = np.arange(F)[::-1] + (Y - 1 - i - (Y - 1) / 2) * height
            col = LINE_COLORS[i % len(LINE_COLORS)]
            sig = p < alpha
            label = t("plot.gd_pooled", lang) if y is None or pd.isna(y) else str(int(y))
            ax.barh(pos[sig], q[sig], height=height * 0.92, color=col, label=label, gid=f"q_{label}")
            ax.barh(pos[~sig], q[~sig], height=height * 0.92, color=col, alpha=0.35, hatch="////",
                    edgecolor=col, linewidth=0, gid=f"q_{label}_ns")
            if F * Y <= 40:
                for yy, v in zip(pos, q):
                    if np.isfinite(v):
                        ax.text(v, yy, " " + fmt_number(v, "{:.3f}"), va="center", fontsize=6.5)
            top = max(top, np.nanmax(np.append(q, 0.0)))
        ax.set_yticks(np.arange(F)[::-1], [_name(names, f) for f in order])
        ax.set_xlim(0, min(1.0, top * 1.18 + 0.02) if top > 0 else 1.0)
        ax.set_xlabel(t("plot.gd_q_axis", lang))
        ax.tick_params(axis="y", length=0)
        ax.grid(axis="x", color="0.9", lw=0.6)
        ax.set_axisbelow(True)
        from matplotlib.patches import Patch

        handles, labels = ax.get_legend_handles_labels()
        handles.append(Patch(facecolor="0.75", alpha=0.5, hatch="////", edgecolor="0.5", linewidth=0))
        labels.append(t("plot.gd_not_significant", lang, alpha=f"{alpha:g}"))
        fig.legend(handles, labels, loc="outside lower center", ncol=len(labels), fontsize=7.5)
        if title is None:
            title = t("plot.fig_geodetector_q", lang)
        if title:
            ax.set_title(title, fontsize=10.5)
    return fig


def plot_interaction_heatmap(interaction: pd.DataFrame, factor: pd.DataFrame, names: Mapping | None = None,
                             lang: str = "zh", *, year=None, title: str | None = None):
    """Lower-triangular heatmap of ``q_ab`` for every pair of factors (``year``; ``None`` the pooled
    rows), the factor's own q on the diagonal; each pair is marked with its interaction type (a short
    tag explained under the figure).

    Parameters
    ----------
    interaction, factor : DataFrame
        The ``geodetector_interaction`` and ``geodetector_factor`` tables.
    names : mapping, optional
        Factor → display name in the figure's language.
    year : optional
        The year drawn (``None``: the pooled rows, or the only ones).
    """
    need_i = {"factor_a", "factor_b", "year", "q_ab", "type"}
    if not isinstance(interaction, pd.DataFrame) or not need_i <= set(interaction.columns):
        raise InputError("plot_interaction_heatmap: expected the geodetector_interaction table "
                         f"(columns {sorted(need_i)})")
    lang = resolve_lang(lang)
    fac = _rows_of(factor, year)
    order = list(dict.fromkeys(fac["factor"]))
    qf = fac.set_index("factor")["q"]
    order.sort(key=lambda f: -np.nan_to_num(qf.get(f, np.nan), nan=-1.0))
    F = len(order)
    idx = {f: i for i, f in enumerate(order)}
    A = np.full((F, F), np.nan)
    tags = np.full((F, F), "", dtype=object)
    for f in order:
        A[idx[f], idx[f]] = qf.get(f, np.nan)
    for r in _rows_of(interaction, year).itertuples(index=False):
        if r.factor_a in idx and r.factor_b in idx:
            i, j = sorted((idx[r.factor_a], idx[r.factor_b]), reverse=True)
            A[i, j] = r.q_ab
            tags[i, j] = r.type or ""
    present = [c for c in ("enhance_nonlinear", "enhance_bi", "independent", "weaken_uni", "weaken_nonlinear")
               if (tags == c).any()]
    shown = [_name(names, f) for f in order]
    with style_context(lang):
        side = 1.2 + 0.62 * F
        fig = new_figure(lang, (side + 1.6, side + 0.9))
        ax = fig.add_subplot(1, 1, 1)
        lo, hi = (float(np.nanmin(A)), float(np.nanmax(A))) if np.isfinite(A).any() else (0.0, 1.0)
        # the colours span the values drawn; the numbers say them
        im = color_cells(ax, A, SEQUENTIAL_CMAP, Normalize(lo, max(hi, lo + 1e-9)))
        ax.set_xticks(np.arange(F), shown, rotation=40, ha="right")
        ax.set_yticks(np.arange(F), shown)
        ax.tick_params(axis="both", length=0)
        for s in ax.spines.values():
            s.set_visible(False)
        if F <= 14:
            mid = lo + 0.55 * (hi - lo)
            size = 7 if F <= 8 else 5.5
            for i in range(F):
                for j in range(i + 1):
                    if np.isfinite(A[i, j]):
                        tag = t(f"plot.gd_itag.{tags[i, j]}", lang) if tags[i, j] else ""
                        text = fmt_number(A[i, j], "{:.2f}") + (f"\n{tag}" if tag else "")
                        ax.text(j, i, text, ha="center", va="center", fontsize=size, linespacing=1.1,
                                color="black" if A[i, j] > mid else "white")
        cb = fig.colorbar(im, ax=ax, shrink=0.6, pad=0.02)
        cb.set_label(t("plot.gd_q_axis", lang))
        cb.outline.set_visible(False)
        if present:
            sep = t("lang.list_sep", lang)
            legend = sep.join(t("plot.gd_itag_legend", lang, tag=t(f"plot.gd_itag.{c}", lang),
                                name=t(f"cat.interaction.{c}", lang)) for c in present)
            ax.set_xlabel(legend + t("plot.gd_diagonal", lang), fontsize=7, labelpad=6)
        if title is None:
            title = t("plot.fig_geodetector_interaction", lang)
            if year is not None and not pd.isna(year):
                title = t("plot.fig_geodetector_interaction_year", lang, year=int(year))
        if title:
            ax.set_title(title, fontsize=10.5)
    return fig
