"""Coupling coordination degree D by region and year, and maps of its ten levels
(:mod:`nqpf.coupling`).

Both figures colour D by its level (:data:`nqpf.coupling.LEVELS`, ten classes of width 0.1) with
:data:`LEVEL_COLORS`, a ten-class diverging ColorBrewer RdYlBu scale: reds for the disorder levels,
yellow at the boundary (0.5), blues for the coordination levels.
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from nqpf.coupling import LEVEL_CODES, LEVELS
from nqpf.errors import InputError
from nqpf.i18n import t
from nqpf.plot.fonts import resolve_lang
from nqpf.plot.style import NO_DATA_COLOR, display_names, fmt_number, new_figure, style_context

__all__ = ["LEVEL_COLORS", "plot_coupling_heatmap", "plot_coupling_map"]

#: Colour of every coordination level, ColorBrewer RdYlBu with ten classes (colour-blind safe).
LEVEL_COLORS: dict[str, str] = dict(zip(LEVEL_CODES, (
    "#a50026", "#d73027", "#f46d43", "#fdae61", "#fee090", "#e0f3f8", "#abd9e9", "#74add1", "#4575b4",
    "#313695")))
#: Up to this many regions (and 25 years) each cell shows its value.
ANNOTATE_MAX = 40


def _frame(coupling: pd.DataFrame) -> pd.DataFrame:
    need = {"region", "year", "D", "level"}
    if not isinstance(coupling, pd.DataFrame) or not need <= set(coupling.columns):
        raise InputError("coupling must be the coupling table with columns region, year, D, level "
                         "(nqpf.coupling.coupling_coordination)")
    return coupling


def plot_coupling_heatmap(coupling: pd.DataFrame, names: Mapping | None = None, lang: str = "zh", *,
                          title: str | None = None):
    """D of every region (rows, the highest in the last year on top) and year (columns), coloured by
    level; the colour bar names the ten levels.

    Parameters
    ----------
    coupling : DataFrame
        The coupling table (``region, year, D, level`` …).
    names : mapping, optional
        Region id → display name in the figure's language.
    lang : str
    title : str, optional
        Default ``plot.fig_coupling``; ``""`` for none.

    Returns
    -------
    matplotlib.figure.Figure
        The image holds the colours of the levels of the sorted D matrix (regions × years).
    """
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import BoundaryNorm, ListedColormap, to_rgba

    df = _frame(coupling)
    M = df.pivot(index="region", columns="year", values="D")
    M = M.reindex(list(dict.fromkeys(df["region"])))
    M = M.loc[M.iloc[:, -1].sort_values(ascending=False, na_position="last", kind="mergesort").index]
    A = M.to_numpy(dtype=float)
    n, m = A.shape
    lang = resolve_lang(lang)
    cmap = ListedColormap([LEVEL_COLORS[c] for c in LEVEL_CODES])
    bounds = [lo for _, lo in LEVELS] + [1.0]
    norm = BoundaryNorm(bounds, cmap.N)
    named = n <= 120
    with style_context(lang):
        fig = new_figure(lang, (2.6 + 0.5 * m, 1.3 + (0.22 * n if named else 5.0)))
        ax = fig.add_subplot(1, 1, 1)
        # the colours of the levels drawn as an RGB image (a norm applied at output resolution is slow)
        rgb = np.asarray(cmap(norm(np.nan_to_num(A, nan=-1.0))))
        rgb[~np.isfinite(A)] = to_rgba(NO_DATA_COLOR)
        # as bytes, converted as matplotlib would (x·255 truncated): the same pixels, resampled to the
        # output resolution as 8-bit instead of 64-bit floats (a quarter of the memory and time)
        rgb = (rgb * 255).astype(np.uint8)
        ax.imshow(rgb, aspect="auto", interpolation="nearest")
        im = ScalarMappable(norm=norm, cmap=cmap)
        ax.set_xticks(np.arange(m), [str(c) for c in M.columns])
        if named:
            ax.set_yticks(np.arange(n), display_names(M.index, names))
        else:
            ax.set_yticks([])
        ax.tick_params(axis="both", length=0)
        ax.xaxis.tick_top()
        for s in ax.spines.values():
            s.set_visible(False)
        if n <= ANNOTATE_MAX and m <= 25:
            dark = {LEVEL_CODES[i] for i in (0, 1, 7, 8, 9)}
            lev = df.set_index(["region", "year"])["level"]
            for i, r in enumerate(M.index):
                for j, y in enumerate(M.columns):
                    if np.isfinite(A[i, j]):
                        ax.text(j, i, fmt_number(A[i, j], "{:.3f}"), ha="center", va="center", fontsize=5.5,
                                color="white" if lev.get((r, y), "") in dark else "black")
        cb = fig.colorbar(im, ax=ax, shrink=0.8, pad=0.02, ticks=[lo + 0.05 for _, lo in LEVELS])
        cb.ax.set_yticklabels([f"{t(f'cat.coupling_level.{c}', lang)} {lo:.1f}–" for c, lo in LEVELS], fontsize=6.5)
        cb.ax.tick_params(length=0)
        cb.set_label(t("plot.coupling_D", lang))
        cb.outline.set_visible(False)
        if title is None:
            title = t("plot.fig_coupling", lang)
        if title:
            ax.set_title(title, fontsize=10.5, pad=8)
    return fig


def plot_coupling_map(coupling: pd.DataFrame, year, codes: Mapping, lang: str = "zh", *, title: str | None = None):
    """Map of China of the coordination level of every province (city, county) in ``year``.

    Parameters
    ----------
    coupling : DataFrame
        The coupling table (``region, year, level`` …).
    year : int
    codes : mapping
        Region id → GB/T 2260 code (provinces, prefecture-level cities or counties).
    lang : str
    title : str, optional
        Default the year.

    Returns
    -------
    matplotlib.figure.Figure
        Drawn by :func:`nqpf.plot.maps.plot_category_map` (units without data hatched); the legend lists
        the levels from the lowest to the highest present (those between with 0), with the number of
        units in each.
    """
    from nqpf.plot.maps import plot_category_map

    df = _frame(coupling)
    one = df[df["year"].astype(int) == int(year)]
    if one.empty:
        raise InputError(f"year {year!r} is not in the coupling table ({sorted(set(df['year']))})")
    lang = resolve_lang(lang)
    level = pd.Series(one["level"].fillna("").astype(str).to_numpy(),
                      index=[codes.get(r, r) for r in one["region"]])
    highs = [lo for _, lo in LEVELS[1:]] + [1.0]
    labels = {c: f"{t(f'cat.coupling_level.{c}', lang)} [{lo:.1f}, {hi:.1f}{']' if hi == 1 else ')'}"
              for (c, lo), hi in zip(LEVELS, highs)}
    # the legend runs from the lowest to the highest level present, levels between them kept (with 0)
    # so that the colour scale has no gap
    codes = [c for c, _ in LEVELS]
    have = [codes.index(v) for v in set(level) if v in LEVEL_COLORS]
    span = codes[min(have):max(have) + 1] if have else []
    return plot_category_map(level, {c: LEVEL_COLORS[c] for c in span}, lang,
                             title=str(year) if title is None else title, labels=labels,
                             legend_title=t("plot.coupling_level", lang))
