"""Kernel density evolution: a 3D surface (year × score × density), an overlay of chosen years, and
per-group panels.

The figures draw the ``kernel_density`` table of :func:`nqpf.dynamics.kde.kernel_density` (columns
``group, year, x, density``) as it is; they estimate nothing. Years whose density is undefined (NaN:
equal scores, too few regions) are left out of the drawing.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from nqpf.errors import InputError
from nqpf.i18n import t
from nqpf.plot.fonts import resolve_lang
from nqpf.plot.style import SEQUENTIAL_CMAP, new_figure, style_context

__all__ = ["plot_kde_surface", "plot_kde_overlay", "plot_kde_groups", "year_colors"]

_NEEDED = ("group", "year", "x", "density")


def _check(density) -> pd.DataFrame:
    if not isinstance(density, pd.DataFrame) or any(c not in density.columns for c in _NEEDED):
        have = list(density.columns) if isinstance(density, pd.DataFrame) else type(density).__name__
        raise InputError(f"the kernel density table needs columns {', '.join(_NEEDED)}; got {have} "
                         "(expected the output of nqpf.dynamics.kde.kernel_density)")
    return density


def _curves(density: pd.DataFrame, group: str) -> tuple[np.ndarray, dict[int, np.ndarray]]:
    """The grid and each year's curve of ``group`` (years with an undefined density left out)."""
    one = density[density["group"].astype(str) == str(group)]
    if one.empty:
        known = ", ".join(dict.fromkeys(density["group"].astype(str)))
        raise InputError(f"no kernel density for group {group!r}; groups: {known}")
    out = {}
    x = None
    for y, part in one.groupby("year", sort=True):
        d = part["density"].to_numpy(dtype=float)
        if x is None:
            x = part["x"].to_numpy(dtype=float)
        if np.isfinite(d).all():
            out[int(y)] = d
    return x, out


def year_colors(years: Sequence[int]) -> dict[int, tuple]:
    """One colour per year along the sequential colormap (early years light, late years dark), so the
    order of years reads from the colour."""
    from matplotlib import colormaps

    cmap = colormaps[SEQUENTIAL_CMAP]
    years = list(years)
    pos = np.linspace(0.9, 0.0, len(years)) if len(years) > 1 else [0.35]
    return {int(y): cmap(float(p)) for y, p in zip(years, pos)}


def _xlim(x, curves, rel=1e-3):
    """The part of the grid where some curve exceeds ``rel`` × its own highest density (the far tails
    of the common grid are cut for reading; no curve is cut where it is visibly above 0)."""
    keep = np.zeros(x.size, bool)
    for c in curves:
        keep |= c >= rel * float(np.max(c))
    i = np.flatnonzero(keep)
    return x[max(i[0] - 1, 0)], x[min(i[-1] + 1, x.size - 1)]


def plot_kde_surface(density: pd.DataFrame, group: str = "all", lang: str = "zh", *, note: str | None = None,
                     title: str | None = None):
    """Surface of the density over years and scores (year × score × density) for one group.

    Parameters
    ----------
    density : DataFrame
        The ``kernel_density`` table (``group, year, x, density``).
    group : str
        Group code (``all``: the whole panel).
    lang : str
        Language of the labels (falls back to English without a CJK font).
    note : str, optional
        A line under the title (the kernel and bandwidth used).
    title : str, optional
        Default the catalogue's ``plot.kde_3d``; ``""`` for none.

    Returns
    -------
    matplotlib.figure.Figure
    """
    x, curves = _curves(_check(density), group)
    if not curves:
        raise InputError(f"the kernel density of group {group!r} is undefined in every year")
    lang = resolve_lang(lang)
    years = np.array(sorted(curves), dtype=float)
    lo, hi = _xlim(x, list(curves.values()))
    keep = (x >= lo) & (x <= hi)
    xs = x[keep]
    Z = np.vstack([curves[int(y)][keep] for y in years])
    XX, YY = np.meshgrid(xs, years)
    with style_context(lang):
        fig = new_figure(lang, (7.0, 5.2))
        ax = fig.add_subplot(1, 1, 1, projection="3d")
        ax.plot_surface(XX, YY, Z, cmap=SEQUENTIAL_CMAP, rstride=1, cstride=1, linewidth=0, antialiased=True,
                        alpha=0.92, gid="surface")
        for y, z in zip(years, Z):   # one line per year: the estimated curves themselves
            ax.plot(xs, np.full(xs.size, y), z, color="0.15", lw=0.5, gid=f"year_{int(y)}")
        ax.set_xlabel(t("plot.score", lang), labelpad=6)
        ax.set_ylabel(t("plot.year", lang), labelpad=6)
        ax.set_zlabel(t("plot.density", lang), labelpad=4)
        from matplotlib.ticker import MaxNLocator

        ax.yaxis.set_major_locator(MaxNLocator(nbins=min(6, len(years)), integer=True))
        ax.view_init(elev=28, azim=-58)
        ax.set_box_aspect((1.6, 1.3, 0.8), zoom=1.04)
        for a in (ax.xaxis, ax.yaxis, ax.zaxis):
            a.pane.set_facecolor((1, 1, 1, 0))
            a.pane.set_edgecolor("0.85")
        if title is None:
            title = t("plot.kde_3d", lang)
        _titles(fig, title, note)
    return fig


def _titles(fig, title, note):
    if title and note:
        fig.suptitle(f"{title}\n{note}", fontsize=10.5)
    elif title or note:
        fig.suptitle(title or note, fontsize=10.5)


def _overlay(ax, x, curves, years, colors, xlim):
    for y in years:
        if y in curves:
            ax.plot(x, curves[y], color=colors[y], lw=1.5, label=str(y), gid=f"year_{y}")
    ax.set_xlim(*xlim)
    ax.set_ylim(bottom=0)
    ax.grid(axis="y", color="0.92", lw=0.6)


def plot_kde_overlay(density: pd.DataFrame, years: Sequence[int], group: str = "all", lang: str = "zh", *,
                     note: str | None = None, title: str | None = None):
    """The density curves of the chosen ``years`` of one group in one panel (colours from light to dark
    along the years).

    Returns
    -------
    matplotlib.figure.Figure
        One line per year drawn (gid ``year_<year>``); years whose density is undefined are left out.
    """
    x, curves = _curves(_check(density), group)
    years = [int(y) for y in years]
    drawn = [y for y in years if y in curves]
    if not drawn:
        raise InputError(f"no defined kernel density for group {group!r} in years {years}")
    lang = resolve_lang(lang)
    colors = year_colors(drawn)
    with style_context(lang):
        fig = new_figure(lang, (6.4, 4.2))
        ax = fig.add_subplot(1, 1, 1)
        _overlay(ax, x, curves, drawn, colors, _xlim(x, [curves[y] for y in drawn]))
        ax.set_xlabel(t("plot.score", lang))
        ax.set_ylabel(t("plot.density", lang))
        ax.legend(title=t("plot.year", lang), loc="upper right")
        if title is None:
            title = t("plot.kde_overlay", lang)
        _titles(fig, title, note)
    return fig


def plot_kde_groups(density: pd.DataFrame, years: Sequence[int], groups: Sequence[str] | None = None,
                    lang: str = "zh", *, note: str | None = None, title: str | None = None):
    """One panel per group (default: every group of the table, ``all`` first), each overlaying the
    chosen ``years``; panels share the score axis, each has its own density scale. A group whose
    density is undefined in every chosen year gets an empty panel saying so. Panel titles are the
    catalogue's ``cat.group.<code>`` (the code itself when it has none)."""
    density = _check(density)
    groups = list(dict.fromkeys(density["group"].astype(str))) if groups is None else [str(g) for g in groups]
    years = [int(y) for y in years]
    if not groups:
        raise InputError("no group to draw")
    lang = resolve_lang(lang)
    data = {g: _curves(density, g) for g in groups}
    drawn = [y for y in years if any(y in c for _, c in data.values())]
    if not drawn:
        raise InputError(f"no defined kernel density in years {years}")
    colors = year_colors(drawn)
    shown = [c[y] for _, c in data.values() for y in drawn if y in c]
    xlim = _xlim(next(iter(data.values()))[0], shown)
    k = len(groups)
    ncol = min(3, k)
    nrow = -(-k // ncol)
    with style_context(lang):
        fig = new_figure(lang, (3.2 * ncol + 0.4, 2.7 * nrow + 0.9))
        axes = fig.subplots(nrow, ncol, sharex=True, squeeze=False).ravel()
        for ax, g in zip(axes, groups):
            x, curves = data[g]
            _overlay(ax, x, curves, drawn, colors, xlim)
            ax.set_title(t(f"cat.group.{g}", lang, default=g))
            if not any(y in curves for y in drawn):
                ax.text(0.5, 0.5, t("plot.kde_undefined", lang), transform=ax.transAxes, ha="center",
                        va="center", color="0.4")
        for ax in axes[k:]:
            ax.set_visible(False)
        for i, ax in enumerate(axes[:k]):
            if i + ncol >= k:   # no panel below: the score axis is labelled here
                ax.set_xlabel(t("plot.score", lang))
            if i % ncol == 0:
                ax.set_ylabel(t("plot.density", lang))
            ax.tick_params(labelbottom=True)
        from matplotlib.lines import Line2D

        handles = [Line2D([], [], color=colors[y], lw=1.5) for y in drawn]
        labels = [str(y) for y in drawn]
        fig.legend(handles, labels, title=t("plot.year", lang), loc="outside right center")
        if title is None:
            title = t("plot.kde_groups", lang)
        _titles(fig, title, note)
    return fig
