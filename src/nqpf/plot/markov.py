"""Figures of the Markov family: heatmaps of transition probability matrices (classic, one panel per
neighbours' class for spatial Markov chains, local Moran quadrants) and the shares of Rey's LISA
transition types over time.

The figures read the tables of :mod:`nqpf.analyses.markov` (``markov``, ``spatial_markov``,
``lisa_markov``, ``lisa_markov_types``) and compute no statistic. An empty row (no transition
starts there) is drawn grey and marked, never as zeros.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.colors import Normalize

from nqpf.errors import InputError
from nqpf.i18n import t
from nqpf.plot.fonts import resolve_lang
from nqpf.plot.style import NO_DATA_COLOR, OKABE_ITO, color_cells, fmt_number, new_figure, style_context

__all__ = ["plot_transition_matrix", "plot_spatial_markov", "plot_lisa_types"]

_CMAP = "Blues"
_QUADRANTS = ("HH", "LH", "LL", "HL")
_TYPE_COLORS = ("#BBBBBB", OKABE_ITO["blue"], OKABE_ITO["orange"], OKABE_ITO["green"], OKABE_ITO["vermillion"])


def _need(df, cols, what):
    if not isinstance(df, pd.DataFrame) or not set(cols) <= set(df.columns):
        raise InputError(f"{what}: expected a table with columns {list(cols)}")


def _matrix(df: pd.DataFrame, row: str, col: str, order):
    P = df.pivot(index=row, columns=col, values="p").reindex(index=order, columns=order)
    N = df.pivot(index=row, columns=col, values="count").reindex(index=order, columns=order)
    return P.to_numpy(dtype=float), N.fillna(0).to_numpy(dtype=float)


def _draw(ax, P, N, labels, lang, *, xlabel, ylabel, small=False):
    """One annotated heatmap; empty rows (all NaN) grey with a note. Returns the image."""
    k = P.shape[0]
    im = color_cells(ax, P, _CMAP, Normalize(0.0, 1.0))
    fs = 6.5 if small or k > 5 else 7.5
    for i in range(k):
        if np.all(np.isnan(P[i])):
            ax.add_patch(_patch((-0.5, i - 0.5), k, 1))
            ax.text((k - 1) / 2, i, t("plot.markov_empty", lang), ha="center", va="center", fontsize=fs,
                    color="0.25", style="italic")
            continue
        for j in range(k):
            v = P[i, j]
            ax.text(j, i, f"{fmt_number(v, '{:.3f}')}\n({int(N[i, j])})", ha="center", va="center",
                    fontsize=fs, color="white" if v > 0.6 else "black", linespacing=1.1)
    ax.set_xticks(np.arange(k), labels)
    ax.set_yticks(np.arange(k), labels)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.xaxis.set_label_position("top")
    ax.xaxis.tick_top()
    ax.tick_params(axis="both", length=0)
    for s in ax.spines.values():
        s.set_visible(False)
    return im


def _ranges(classes, variable: str, fmt: str = "{:.3f}") -> dict:
    """Class → ``"lower–upper"`` of one ``variable`` (``score`` or ``lag``) of the ``markov_classes``
    table (``variable, class, lower, upper``), or ``{}`` without it."""
    if classes is None:
        return {}
    _need(classes, ("class", "lower", "upper"), "markov classes")
    df = classes[classes["variable"] == variable] if "variable" in classes.columns else classes
    return {int(c): f"{fmt_number(lo, fmt)}–{fmt_number(hi, fmt)}"
            for c, lo, hi in zip(df["class"], df["lower"], df["upper"])}


def _basis_line(classes, variable: str, lang: str) -> str:
    """The basis of the classes of ``variable`` in words (``cat.markov_basis.<basis>``), or ``""``."""
    if classes is None or "basis" not in classes.columns:
        return ""
    df = classes[classes["variable"] == variable] if "variable" in classes.columns else classes
    codes = list(dict.fromkeys(df["basis"].astype(str)))
    return t(f"cat.markov_basis.{codes[0]}", lang, default="") if codes else ""


def _class_labels(order, classes, variable, lang) -> list[str]:
    """Tick labels of the classes: ``"1 级"`` and, with the classes table, their range below."""
    rng = _ranges(classes, variable)
    return [t("plot.markov_class", lang, n=c) + (f"\n{rng[c]}" if c in rng else "") for c in order]


def _patch(xy, width, height):
    from matplotlib.patches import Rectangle

    return Rectangle(xy, width, height, facecolor=NO_DATA_COLOR, edgecolor="white", hatch="///", lw=0)


def plot_transition_matrix(table: pd.DataFrame, lang: str = "zh", *, quadrants: bool = False,
                           classes: pd.DataFrame | None = None, title: str | None = None):
    """Heatmap of a transition probability matrix, each cell with ``p`` and (the count).

    Parameters
    ----------
    table : DataFrame
        The ``markov`` table (``from_class, to_class, count, p``) or, with ``quadrants=True``, the
        ``lisa_markov`` table (``from_quadrant, to_quadrant, count, p``).
    lang : str
        Language of the labels.
    quadrants : bool
        Rows and columns are the quadrants ``HH, LH, LL, HL`` (labelled ``cat.quadrant.*``).
    classes : DataFrame, optional
        The ``markov_classes`` table (``variable, class, lower, upper, basis``): each class is labelled
        with its range of scores (of ratios to the year's mean with that basis) and the title's second
        line names the basis of the classes.
    title : str, optional
        Default the catalogue's title; ``""`` for none.

    Returns
    -------
    matplotlib.figure.Figure
        The image's array is the probability matrix (NaN rows masked).
    """
    row, col = ("from_quadrant", "to_quadrant") if quadrants else ("from_class", "to_class")
    _need(table, (row, col, "count", "p"), "plot_transition_matrix")
    lang = resolve_lang(lang)
    if quadrants:
        order = list(_QUADRANTS)
        labels = [t(f"cat.quadrant.{q}", lang) for q in order]
        xl, yl = t("plot.markov_to_quadrant", lang), t("plot.markov_from_quadrant", lang)
    else:
        order = sorted(int(c) for c in table[row].unique())
        labels = _class_labels(order, classes, "score", lang)
        xl, yl = t("plot.markov_to", lang), t("plot.markov_from", lang)
    P, N = _matrix(table, row, col, order)
    k = len(order)
    side = 1.0 + 0.85 * k + (0.5 if classes is not None and not quadrants else 0.0)
    with style_context(lang):
        fig = new_figure(lang, (side + 1.4, side + 0.5))
        ax = fig.add_subplot(1, 1, 1)
        im = _draw(ax, P, N, labels, lang, xlabel=xl, ylabel=yl)
        cb = fig.colorbar(im, ax=ax, shrink=0.7, pad=0.03)
        cb.set_label(t("plot.markov_probability", lang))
        cb.outline.set_visible(False)
        if title is None:
            title = t("plot.lisa_markov_title" if quadrants else "plot.markov_title", lang)
            basis = "" if quadrants else _basis_line(classes, "score", lang)
            if basis:
                title += "\n" + t("plot.markov_basis", lang, basis=basis)
        if title:
            ax.set_title(title, fontsize=10.5, pad=10)
    return fig


def plot_spatial_markov(table: pd.DataFrame, lang: str = "zh", *, classes: pd.DataFrame | None = None,
                        title: str | None = None):
    """One transition-matrix heatmap per neighbours' class (the ``spatial_markov`` table:
    ``lag_class, from_class, to_class, count, p``): up to three in a row, four as 2 × 2. With the
    ``markov_classes`` table as ``classes``, the classes of the scores and of the neighbours' lag are
    labelled with their ranges and the title's second line names the basis of the lag classes."""
    _need(table, ("lag_class", "from_class", "to_class", "count", "p"), "plot_spatial_markov")
    lang = resolve_lang(lang)
    lags = sorted(int(c) for c in table["lag_class"].unique())
    order = sorted(int(c) for c in table["from_class"].unique())
    labels = _class_labels(order, classes, "score", lang)
    lag_rng = _ranges(classes, "lag")
    m, k = len(lags), len(order)
    ncol = m if m <= 3 else 2 if m == 4 else 3
    nrow = int(np.ceil(m / ncol))
    side = 0.8 + 0.62 * k + (0.45 if classes is not None else 0.0)
    with style_context(lang):
        fig = new_figure(lang, (side * ncol + 1.2, side * nrow + 0.9))
        axes = np.atleast_1d(fig.subplots(nrow, ncol, squeeze=False)).ravel()
        im = None
        for n, r in enumerate(lags):
            ax = axes[n]
            P, N = _matrix(table[table["lag_class"] == r], "from_class", "to_class", order)
            im = _draw(ax, P, N, labels, lang, xlabel=t("plot.markov_to", lang),
                       ylabel=t("plot.markov_from", lang) if n % ncol == 0 else "", small=True)
            head = t("plot.markov_lag_class", lang, n=r)
            if r in lag_rng:
                head = t("plot.markov_lag_class_range", lang, head=head, range=lag_rng[r])
            ax.set_title(head, fontsize=9, pad=6)
            if n % ncol:
                ax.set_yticklabels([])
        for ax in axes[m:]:
            ax.set_visible(False)
        cb = fig.colorbar(im, ax=list(axes[:m]), shrink=0.6, pad=0.02)
        cb.set_label(t("plot.markov_probability", lang))
        cb.outline.set_visible(False)
        if title is None:
            title = t("plot.spatial_markov_title", lang)
            basis = _basis_line(classes, "lag", lang)
            if basis:
                title += "\n" + t("plot.markov_lag_basis", lang, basis=basis)
        if title:
            fig.suptitle(title, fontsize=10.5)
    return fig


def plot_lisa_types(types: pd.DataFrame, lang: str = "zh", *, title: str | None = None):
    """Stacked shares of Rey's (2001) LISA transition types per pair of years (the
    ``lisa_markov_types`` table; the pooled row is drawn as the last bar, set apart)."""
    names = ("0", "I", "II", "IIIA", "IIIB")
    _need(types, ("year_from", "year_to", "pooled", *[f"share_{c}" for c in names]), "plot_lisa_types")
    lang = resolve_lang(lang)
    df = types.reset_index(drop=True)
    pooled = df["pooled"].to_numpy(dtype=bool)
    x = np.arange(len(df), dtype=float)
    x[pooled] += 0.6
    ticks = [t("col.markov_pooled", lang) if p else f"{int(a)}–{int(b)}"
             for a, b, p in zip(df["year_from"], df["year_to"], pooled)]
    with style_context(lang):
        fig = new_figure(lang, (max(5.0, 1.6 + 0.5 * len(df)), 3.8))
        ax = fig.add_subplot(1, 1, 1)
        bottom = np.zeros(len(df))
        for c, color in zip(names, _TYPE_COLORS):
            v = np.nan_to_num(df[f"share_{c}"].to_numpy(dtype=float))
            ax.bar(x, v, bottom=bottom, width=0.75, color=color, label=t(f"cat.lisa_type.{c}", lang), gid=c)
            bottom += v
        ax.set_xticks(x, ticks, rotation=45 if len(df) > 8 else 0, ha="right" if len(df) > 8 else "center",
                      fontsize=7)
        ax.set_ylim(0, 1.0)
        ax.set_ylabel(t("plot.markov_share", lang))
        ax.set_xlabel(t("plot.markov_period", lang))
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7)
        if title is None:
            title = t("plot.lisa_types_title", lang)
        if title:
            ax.set_title(title, fontsize=10.5)
    return fig
