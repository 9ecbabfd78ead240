"""Region × year heatmap of scores."""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from nqpf.errors import InputError
from nqpf.i18n import t
from nqpf.plot.fonts import resolve_lang
from nqpf.plot.style import SEQUENTIAL_CMAP, color_cells, display_names, fmt_number, new_figure, style_context

__all__ = ["plot_heatmap", "HEATMAP_MAX_ROWS", "HEATMAP_EXTREMES", "heatmap_rows"]

#: Up to this many regions the heatmap has one row per region; beyond it, a summary (the regions
#: with the highest and the lowest last-year scores, or deciles), stated in a note under the figure.
HEATMAP_MAX_ROWS = 60
#: Regions shown at each end in the "extremes" summary.
HEATMAP_EXTREMES = 15


def heatmap_rows(Y: pd.DataFrame, summary: str = "extremes", k: int = HEATMAP_EXTREMES):
    """The rows of a summary heatmap of a large score matrix ``Y`` (regions × years).

    ``"extremes"``: the ``k`` regions with the highest and the ``k`` with the lowest score in the last
    year (regions without a last-year score are neither), highest first, and a row of NaN between
    them standing for the rest. ``"deciles"``: ten groups of regions by the last-year score (ranks,
    ties by order; group 1 the highest tenth), each row the mean score of its group per year (NaN
    ignored). Returns ``(matrix, row labels or None, number of regions left out or group sizes)``:
    the labels are region ids for extremes (``None`` for the gap row) and ``("decile", d)`` tuples.
    """
    M = Y.apply(pd.to_numeric, errors="coerce")
    last = M.iloc[:, -1]
    if summary == "deciles":
        have = last.dropna()
        rank = have.rank(method="first", ascending=False)
        grp = np.ceil(rank.to_numpy() * 10 / len(have)).astype(int)  # 1 = highest tenth
        G = M.loc[have.index].groupby(grp).mean()
        sizes = pd.Series(grp).value_counts().sort_index()
        return G, [("decile", int(d)) for d in G.index], sizes.to_numpy()
    if summary != "extremes":
        raise InputError(f"summary must be 'extremes' or 'deciles', not {summary!r}")
    order = last.dropna().sort_values(ascending=False, kind="mergesort").index
    k = int(min(k, len(order) // 2))
    top, bottom = list(order[:k]), list(order[len(order) - k:])
    gap = pd.DataFrame([[np.nan] * M.shape[1]], columns=M.columns, index=[None])
    rows = pd.concat([M.loc[top], gap, M.loc[bottom]])
    return rows, top + [None] + bottom, len(M) - 2 * k


def plot_heatmap(Y: pd.DataFrame, names: Mapping | None = None, lang: str = "zh", *,
                 annotate: bool = True, cmap: str = SEQUENTIAL_CMAP, fmt: str = "{:.2f}",
                 title: str | None = None, max_rows: int = HEATMAP_MAX_ROWS, summary: str = "extremes",
                 k: int = HEATMAP_EXTREMES):
    """Heatmap of scores, one row per region sorted by the last year (highest on top); beyond
    ``max_rows`` regions a summary.

    Parameters
    ----------
    Y : DataFrame
        Scores, regions × years (missing values are left blank).
    names : mapping, optional
        Region id → display name, already in the figure's language (an id missing is shown as
        ``str(id)``).
    lang : {"zh", "en"}
    annotate : bool
        Write each value in its cell (white on dark cells, black on light ones).
    cmap : str
        Sequential colormap (default viridis, colour-blind safe and monotone in lightness).
    max_rows : int
        Up to this many regions (default 60) every region has a row; beyond, ``summary``.
    summary : {"extremes", "deciles"}
        ``"extremes"``: the ``k`` (default 15) highest and ``k`` lowest regions of the last year with
        a gap row naming how many are left out; ``"deciles"``: the mean score of each tenth of the
        regions (:func:`heatmap_rows`). A note under the figure says which.

    Returns
    -------
    matplotlib.figure.Figure
        The image holds the colours (8-bit RGBA) of the matrix shown (sorted scores, or the summary rows).
    """
    if not isinstance(Y, pd.DataFrame) or Y.empty:
        raise InputError("Y must be a non-empty DataFrame of scores, regions × years")
    lang = resolve_lang(lang)
    note = None
    if len(Y) > max_rows:
        M, ids, extra = heatmap_rows(Y, summary, k)
        year = Y.columns[-1]
        if summary == "deciles":
            shown = [f"{t('plot.decile', lang, d=d)} (n={int(c):,})" for (_, d), c in zip(ids, extra)]
            note = t("plot.heatmap_deciles_note", lang, n=f"{len(Y):,}", year=year)
        else:
            lab = display_names([i for i in ids if i is not None], names)
            it = iter(lab)
            shown = [next(it) if i is not None else t("plot.heatmap_gap", lang, m=f"{extra:,}") for i in ids]
            note = t("plot.heatmap_extremes_note", lang, k=(len(ids) - 1) // 2, n=f"{len(Y):,}", year=year)
    else:
        M = Y.apply(pd.to_numeric, errors="coerce")
        order = M.iloc[:, -1].sort_values(ascending=False, na_position="last", kind="mergesort").index
        M = M.loc[order]
        shown = display_names(M.index, names)
    A = M.to_numpy(dtype=float)
    n, m = A.shape
    with style_context(lang):
        fig = new_figure(lang, (1.6 + 0.52 * m, 1.2 + 0.22 * n + (0.3 if note else 0)))
        ax = fig.add_subplot(1, 1, 1)
        im = color_cells(ax, A, cmap, aspect="auto")
        ax.set_xticks(np.arange(m), [str(c) for c in M.columns], rotation=0)
        ax.set_yticks(np.arange(n), shown)
        ax.tick_params(axis="both", length=0)
        ax.xaxis.tick_top()
        for s in ax.spines.values():
            s.set_visible(False)
        if annotate and np.isfinite(A).any():
            lo, hi = np.nanmin(A), np.nanmax(A)
            mid = lo + 0.55 * (hi - lo)
            for i in range(n):
                for j in range(m):
                    if np.isfinite(A[i, j]):
                        ax.text(j, i, fmt_number(A[i, j], fmt), ha="center", va="center", fontsize=5.5,
                                color="black" if A[i, j] > mid else "white")
        cb = fig.colorbar(im, ax=ax, shrink=0.6, pad=0.02)
        cb.set_label(t("plot.score", lang))
        cb.outline.set_visible(False)
        if title is None:
            title = t("plot.fig_heatmap", lang)
        if title:
            ax.set_title(title, fontsize=10.5, pad=8)
        if note:
            fig.supxlabel(note, fontsize=7.5, color="0.3")
    return fig
