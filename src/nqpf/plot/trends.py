"""Disparity over time (the paper's Figure 1) and rank changes between years.

The paper draws the Theil index, the σ convergence coefficient and the coefficient of variation in
one chart although their scales differ (Theil ≈ 0.1, σ and CV ≈ 0.5); :func:`plot_disparity` gives
each measure its own panel with a shared year axis, so every line reads on its own scale.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from nqpf.errors import InputError
from nqpf.i18n import has, t
from nqpf.plot.fonts import resolve_lang
from nqpf.plot.style import LINE_COLORS, OKABE_ITO, display_names, new_figure, style_context

__all__ = ["plot_disparity", "plot_rank_changes", "rank_title", "level_title", "ranks", "measure_label",
           "rank_movers", "RANKS_MAX_REGIONS", "RANK_MOVERS"]

_MARKERS = ("o", "s", "^", "D", "v", "P")
#: Up to this many regions the rank chart draws every region; beyond it, the largest movers only.
RANKS_MAX_REGIONS = 40
#: Regions shown at each end of the movers chart (largest rises, largest falls).
RANK_MOVERS = 15


def plot_disparity(disparity_df: pd.DataFrame, lang: str = "zh",
                   measures: Sequence[str] = ("theil", "sigma", "cv"), *, title: str | None = None,
                   level: str | None = None):
    """Disparity measures by year, one panel per measure (Figure 1 of the paper).

    Parameters
    ----------
    disparity_df : DataFrame
        The disparity table: a ``year`` column (or year index) and one column per measure
        (``theil``, ``sigma``, ``cv``, optionally ``gini``, and per-group columns named with
        language-free group codes such as ``theil_T[east]``).
    lang : {"zh", "en"}
    measures : sequence of str
        Columns to draw, in order. A panel's title is the catalogue text of the measure
        (``plot.<measure>``, else ``col.<measure>``); a per-group column ``base[code]`` is titled by
        its base and ``cat.group.<code>`` (``Theil T[East]``).
    title : str, optional
        Default the catalogue's ``plot.fig_disparity`` (:func:`level_title` of ``level``); ``""`` for
        none.
    level : {"province", "city", "county", "other"}, optional
        Level of the regions, for the default title (None: provinces).

    Returns
    -------
    matplotlib.figure.Figure
        One axes per measure; each line's gid is the measure name.
    """
    if not isinstance(disparity_df, pd.DataFrame):
        raise InputError("disparity_df must be a DataFrame with columns year, theil, sigma, cv")
    df = disparity_df.set_index("year") if "year" in disparity_df.columns else disparity_df
    measures = list(measures)
    missing = [m for m in measures if m not in df.columns]
    if missing or not measures:
        raise InputError(f"disparity table lacks column(s) {missing or measures}; it has {list(df.columns)}"
                         " (expected the output of nqpf.disparity.disparity_table)")
    lang = resolve_lang(lang)
    years = np.asarray(df.index, dtype=float)
    k = len(measures)
    with style_context(lang):
        fig = new_figure(lang, (3.3 * k + 0.4, 3.4))
        axes = fig.subplots(1, k, sharex=True, squeeze=False)[0]
        for i, (ax, m) in enumerate(zip(axes, measures)):
            vals = pd.to_numeric(df[m], errors="coerce").to_numpy(dtype=float)
            ax.plot(years, vals, color=LINE_COLORS[i % len(LINE_COLORS)], marker=_MARKERS[i % 6],
                    gid=m)
            ax.set_title(measure_label(m, lang))
            ax.set_xlabel(t("plot.year", lang))
            ax.grid(axis="y", color="0.9", lw=0.6)
            ax.xaxis.set_major_locator(_year_locator(years))
            ax.margins(x=0.04, y=0.15)
        axes[0].set_ylabel(t("plot.value", lang))
        if title is None:
            title = level_title("plot.fig_disparity", lang, level)
        if title:
            fig.suptitle(title, fontsize=10.5)
    return fig


def measure_label(column: str, lang: str) -> str:
    """Title of a disparity column: ``plot.<column>`` or ``col.<column>`` from the catalogue; a
    per-group column ``base[code, ...]`` gets its base's text and ``cat.group.<code>`` in brackets;
    an unknown column is shown as named."""
    for key in (f"plot.{column}", f"col.{column}"):
        if has(key, lang):
            return t(key, lang)
    if "[" in column and column.endswith("]"):
        base, inner = column[:-1].split("[", 1)
        codes = [c.strip() for c in inner.split(",")]
        text = measure_label(base, lang)
        groups = t("plot.list_sep", lang).join(t(f"cat.group.{c}", lang, default=c) for c in codes)
        return f"{text}[{groups}]"
    return column


def _year_locator(years):
    from matplotlib.ticker import MaxNLocator

    return MaxNLocator(nbins=min(6, max(2, len(years))), integer=True)


def ranks(Y: pd.DataFrame) -> pd.DataFrame:
    """Rank of every region in every year, 1 = highest score (ties share the best rank)."""
    return Y.apply(pd.to_numeric, errors="coerce").rank(ascending=False, method="min").astype("Int64")


def rank_movers(R: pd.DataFrame, first, last, k: int = RANK_MOVERS) -> tuple[list, list]:
    """Ids of the ``k`` regions whose rank rose most from ``first`` to ``last`` (largest
    ``R[first] - R[last]``, only rises) and of the ``k`` that fell most (only falls), each ordered by
    the size of the change, ties by the order of ``R``'s rows."""
    change = (R[first] - R[last]).astype(float)
    pos = np.arange(len(change))
    up = change.index[np.lexsort((pos, -change.to_numpy()))]
    up = [i for i in up if change[i] > 0][:k]
    down = change.index[np.lexsort((pos, change.to_numpy()))]
    down = [i for i in down if change[i] < 0][:k]
    return up, down


def level_title(key: str, lang: str, level: str | None = None) -> str:
    """Default title ``key`` (a catalogue key worded for provinces, e.g. ``plot.fig_rank_changes``) for
    regions of ``level`` (``"province"``, ``"city"``, ``"county"``, ``"other"``; None: provinces):
    ``<key>`` for provinces, ``<key>.<level>`` for another level, else the level-neutral
    ``<key>.other``; the provincial wording only when the catalogue has neither."""
    if level in (None, "province"):
        return t(key, lang)
    for k in (f"{key}.{level}", f"{key}.other"):
        if has(k, lang):
            return t(k, lang)
    return t(key, lang)


def rank_title(lang: str, level: str | None = None) -> str:
    """Default title of the rank chart (:func:`level_title` of ``plot.fig_rank_changes``)."""
    return level_title("plot.fig_rank_changes", lang, level)


def plot_rank_changes(Y: pd.DataFrame, names: Mapping | None = None, years: Sequence | None = None,
                      lang: str = "zh", *, title: str | None = None, max_regions: int = RANKS_MAX_REGIONS,
                      k: int = RANK_MOVERS, level: str | None = None):
    """Slope (two years) or bump (more years) chart of each region's rank; beyond ``max_regions``
    regions, a chart of the largest rank changes.

    Lines rising in rank are blue, falling vermillion, unchanged grey; names with ranks are written
    at both ends. With more than ``max_regions`` (default 40) regions the chart shows the ``k``
    (default 15) regions rising most and the ``k`` falling most between the first and the last of
    ``years`` (:func:`rank_movers`) as horizontal bars of the change, each named with its two ranks,
    and a note says so; every rank is in the workbook.

    Parameters
    ----------
    Y : DataFrame
        Scores, regions × years.
    names : mapping, optional
        Region id → display name, already in the figure's language (an id missing is shown as
        ``str(id)``).
    years : sequence, optional
        Years to show (default: first and last column).
    lang : {"zh", "en"}
    title : str, optional
        Default :func:`rank_title` of ``level``; ``""`` for none.
    level : {"province", "city", "county", "other"}, optional
        Level of the regions, for the default title (None: provinces).

    Returns
    -------
    matplotlib.figure.Figure
    """
    if not isinstance(Y, pd.DataFrame) or Y.empty:
        raise InputError("Y must be a non-empty DataFrame of scores, regions × years")
    cols = list(Y.columns)
    years = [cols[0], cols[-1]] if years is None else list(years)
    sel = []
    for yr in years:
        match = [c for c in cols if c == yr or str(c) == str(yr)]
        if not match:
            raise InputError(f"year {yr!r} is not a column of the score matrix; available: {cols}")
        sel.append(match[0])
    if len(sel) < 2:
        raise InputError("give at least two years to compare ranks")
    R = ranks(Y[sel])
    if R.isna().any().any():
        bad = list(R.index[R.isna().any(axis=1)])
        raise InputError(f"scores missing for {bad} in the chosen years; ranks need every value")
    lang = resolve_lang(lang)
    if title is None:
        title = rank_title(lang, level)
    if len(Y) > max_regions:
        return _movers_chart(R, names, sel, lang, title, k)
    shown = display_names(Y.index, names)
    n = len(Y)
    x = np.arange(len(sel), dtype=float)
    change = (R[sel[0]] - R[sel[-1]]).to_numpy(dtype=float)  # > 0: moved up
    with style_context(lang):
        fig = new_figure(lang, (2.0 + 1.4 * len(sel), max(4.0, 0.2 * n + 1.2)))
        ax = fig.add_subplot(1, 1, 1)
        for i in range(n):
            r = R.iloc[i].to_numpy(dtype=float)
            c = OKABE_ITO["blue"] if change[i] > 0 else OKABE_ITO["vermillion"] if change[i] < 0 else "0.6"
            ax.plot(x, r, color=c, lw=1.2, marker="o", ms=3.5, alpha=0.9, gid=str(Y.index[i]))
            ax.text(x[0] - 0.06, r[0], f"{shown[i]}  {int(r[0])}", ha="right", va="center", fontsize=7)
            delta = int(change[i])
            arrow = f"↑{delta}" if delta > 0 else f"↓{-delta}" if delta < 0 else "–"
            ax.text(x[-1] + 0.06, r[-1], f"{int(r[-1])}  {shown[i]} {arrow}", ha="left", va="center",
                    fontsize=7, color=c if delta else "0.3")
        ax.set_ylim(n + 0.7, 0.3)
        ax.set_xlim(x[0] - 0.9, x[-1] + 0.9)
        ax.set_xticks(x, [str(s) for s in sel])
        ax.xaxis.tick_top()
        ax.tick_params(axis="x", length=0, labelsize=9)
        ax.set_yticks([])
        for s in ("left", "bottom", "right", "top"):
            ax.spines[s].set_visible(False)
        for xi in x:
            ax.axvline(xi, color="0.85", lw=0.6, zorder=0)
        if title:
            fig.suptitle(title, fontsize=10.5)
    return fig


def _movers_chart(R: pd.DataFrame, names, sel, lang, title, k):
    """Horizontal bars of the largest rises (top, blue) and falls (bottom, vermillion) in rank."""
    first, last = sel[0], sel[-1]
    up, down = rank_movers(R, first, last, k)
    ids = up + down
    change = (R[first] - R[last]).astype(float)
    shown = display_names(ids, names)
    n = len(ids)
    with style_context(lang):
        fig = new_figure(lang, (6.4, max(3.0, 0.2 * n + 1.6)))
        ax = fig.add_subplot(1, 1, 1)
        yy = np.arange(n)
        vals = np.array([change[i] for i in ids]) if n else np.zeros(0)
        colors = [OKABE_ITO["blue"] if v > 0 else OKABE_ITO["vermillion"] for v in vals]
        ax.barh(yy, vals, color=colors, height=0.7, gid="rank_movers")
        span = float(np.abs(vals).max()) if n else 1.0
        for yi, v, i, nm in zip(yy, vals, ids, shown):
            txt = f"{nm}  {int(R.loc[i, first])}→{int(R.loc[i, last])}"
            ax.text(v + (0.02 if v > 0 else -0.02) * span, yi, txt, ha="left" if v > 0 else "right",
                    va="center", fontsize=7)
        ax.axvline(0, color="0.4", lw=0.7)
        ax.set_ylim(n - 0.4, -0.6)
        ax.set_xlim(-1.7 * span, 1.7 * span)
        ax.set_yticks([])
        for sp in ("left", "right", "top"):
            ax.spines[sp].set_visible(False)
        ax.set_xlabel(t("plot.rank_change_axis", lang, first=first, last=last))
        if title:
            fig.suptitle(title, fontsize=10.5)
        fig.supxlabel(t("plot.rank_movers_note", lang, k=max(len(up), len(down)), n=f"{len(R):,}"), fontsize=7.5,
                      color="0.3")
    return fig
