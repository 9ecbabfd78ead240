"""Region × year heatmap of scores."""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from nqpf.errors import InputError
from nqpf.i18n import t
from nqpf.plot.fonts import resolve_lang
from nqpf.plot.style import SEQUENTIAL_CMAP, display_names, fmt_number, new_figure, style_context

__all__ = ["plot_heatmap"]


def plot_heatmap(Y: pd.DataFrame, names: Mapping | None = None, lang: str = "zh", *,
                 annotate: bool = True, cmap: str = SEQUENTIAL_CMAP, fmt: str = "{:.2f}",
                 title: str | None = None):
    """Heatmap of scores, one row per region sorted by the last year (highest on top).

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

    Returns
    -------
    matplotlib.figure.Figure
        The image's array is the sorted score matrix.
    """
    if not isinstance(Y, pd.DataFrame) or Y.empty:
        raise InputError("Y must be a non-empty DataFrame of scores, regions × years")
    lang = resolve_lang(lang)
    M = Y.apply(pd.to_numeric, errors="coerce")
    order = M.iloc[:, -1].sort_values(ascending=False, na_position="last", kind="mergesort").index
    M = M.loc[order]
    shown = display_names(M.index, names)
    A = M.to_numpy(dtype=float)
    n, m = A.shape
    with style_context(lang):
        fig = new_figure(lang, (1.6 + 0.52 * m, 1.2 + 0.22 * n))
        ax = fig.add_subplot(1, 1, 1)
        im = ax.imshow(np.ma.masked_invalid(A), aspect="auto", cmap=cmap, interpolation="nearest")
        ax.set_xticks(np.arange(m), [str(c) for c in M.columns], rotation=0)
        ax.set_yticks(np.arange(n), shown)
        ax.tick_params(axis="both", length=0)
        ax.xaxis.tick_top()
        for s in ax.spines.values():
            s.set_visible(False)
        if annotate:
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
    return fig
