"""Moran scatter plots (the paper's Figure 2), drawn from the local Moran table.

The figure reads the results of :func:`nqpf.spatial.moran_local` and computes no statistic of its
own. For one year, with scores :math:`y_i` of :math:`n` regions, that table holds the standardised
score :math:`z_i = (y_i - \\bar y)/s` (:math:`s` the population standard deviation), its spatial lag
:math:`(Wz)_i = \\sum_j w_{ij} z_j` with row-standardised weights :math:`w_{ij}`, and the quadrant of
the point. The least-squares line of :math:`Wz` on :math:`z` has slope

.. math:: b = \\frac{z^\\top W z}{z^\\top z},

which equals global Moran's I, :math:`I = \\frac{n}{S_0}\\frac{z^\\top W z}{z^\\top z}`, because
:math:`S_0 = n` for row-standardised weights. The caller passes :math:`I` per year (the ``I`` column
of ``moran_global``); the line is drawn with that slope through the centroid of the points. Without
it, the line is the least-squares fit (its slope :math:`b`). With regions that have no neighbours
(:math:`S_0 = n - n_\\text{islands}`) :math:`I` and :math:`b` differ.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from nqpf.errors import InputError
from nqpf.i18n import t
from nqpf.plot._placement import place_labels
from nqpf.plot.fonts import resolve_lang
from nqpf.plot.style import (
    QUADRANT_COLORS,
    display_names,
    fmt_number,
    freeze_layout,
    new_figure,
    style_context,
)

__all__ = ["plot_moran_scatter", "LABEL_ALL_MAX", "MAX_LABELS", "DENSITY_MIN", "labelled_points"]

#: Columns of the local Moran table the figure reads (``cluster`` is optional).
_NEEDED = ("region", "year", "z", "lag", "quadrant")
#: Colour of a point without a quadrant (a region without neighbours).
_NO_QUADRANT_COLOR = "0.6"
#: Up to this many regions every point is named; beyond it only :data:`MAX_LABELS` are.
LABEL_ALL_MAX = 60
#: Points named per panel beyond :data:`LABEL_ALL_MAX` regions: the significant ones (all, without
#: significance information) farthest from the origin, where a reader looks first.
MAX_LABELS = 20
#: From this many regions the points are shown as a density (hexagonal bins, grey, log counts) with
#: only the significant points drawn one by one.
DENSITY_MIN = 500


def _year_rows(local: pd.DataFrame, year) -> pd.DataFrame:
    """Rows of ``year`` (matched as text, so ``2020`` and ``"2020"`` agree), ordered by region id as
    text, so that the picture (label placement breaks ties by order) does not depend on the table's
    row order."""
    sub = local[local["year"].astype(str) == str(year)]
    sub = sub.iloc[np.argsort(sub["region"].astype(str).to_numpy(), kind="stable")]
    if sub.empty:
        avail = sorted(local["year"].unique().tolist(), key=str)
        raise InputError(f"year {year!r} is not in the local Moran table; available: {avail}")
    if sub["region"].duplicated().any():
        dup = sub.loc[sub["region"].duplicated(), "region"].tolist()
        raise InputError(f"local Moran table: region(s) {dup} appear more than once in {year}")
    z = pd.to_numeric(sub["z"], errors="coerce").to_numpy(dtype=float)
    lag = pd.to_numeric(sub["lag"], errors="coerce").to_numpy(dtype=float)
    if not (np.isfinite(z).all() and np.isfinite(lag).all()):
        bad = sub.loc[~(np.isfinite(z) & np.isfinite(lag)), "region"].tolist()
        raise InputError(f"local Moran table: z or lag missing for {bad} in {year}")
    return sub


def _fit(z: np.ndarray, lag: np.ndarray, I) -> tuple[float, float, float]:
    """(slope, intercept, I shown): slope ``I`` through the centroid, or, without a finite ``I``, the
    least-squares fit (``z`` has mean 0, so its slope is ``z·lag / z·z``)."""
    b = float(z @ lag / (z @ z))
    slope = b if I is None or not np.isfinite(float(I)) else float(I)
    return slope, float(lag.mean() - slope * z.mean()), slope


def _shows_significance(local: pd.DataFrame) -> bool:
    """Whether the table says which points are significant: a ``cluster`` column and some p-value."""
    if "cluster" not in local.columns:
        return False
    if "p_sim" not in local.columns:
        return True
    return bool(pd.to_numeric(local["p_sim"], errors="coerce").notna().any())


def labelled_points(z: np.ndarray, lag: np.ndarray, sig: np.ndarray | None, *,
                    label_all_max: int = LABEL_ALL_MAX, max_labels: int = MAX_LABELS,
                    min_sep: float = 0.06) -> np.ndarray:
    """Indices of the points named in a panel.

    Every point when there are at most ``label_all_max``. Otherwise up to ``max_labels`` extreme
    points: the candidates are the significant points (``sig`` non-empty; every point without
    significance information), each cluster's (``sig`` value's) ordered by distance from the origin
    (:math:`z_i^2 + (Wz)_i^2`, ties by position) and the clusters taken in turn (the most extreme HH,
    the most extreme LL, …, then the second of each …), so that every cluster is named; a candidate
    closer than ``min_sep`` (a fraction of the larger axis span) to a point already chosen is passed
    over, so the names do not pile up in one corner. Ascending order.
    """
    n = len(z)
    if n <= label_all_max:
        return np.arange(n)
    k = max(int(max_labels), 0)
    groups = np.zeros(n, dtype=object) if sig is None else np.asarray(sig, dtype=object)
    pool = np.arange(n) if sig is None else np.flatnonzero(groups != "")
    if not k or not len(pool):
        return np.zeros(0, dtype=int)
    r2 = z ** 2 + lag ** 2
    queues = []
    for g in sorted(set(groups[pool]), key=str):
        members = pool[groups[pool] == g]
        queues.append(list(members[np.lexsort((members, -r2[members]))]))
    turn = [q[j] for j in range(max(len(q) for q in queues)) for q in queues if j < len(q)]
    span = max(np.ptp(z), np.ptp(lag), 1e-12)
    chosen: list[int] = []
    for i in turn:
        if len(chosen) >= k:
            break
        if chosen and np.min(np.hypot(z[chosen] - z[i], lag[chosen] - lag[i])) < min_sep * span:
            continue
        chosen.append(int(i))
    return np.sort(np.asarray(chosen, dtype=int))


def plot_moran_scatter(local: pd.DataFrame, years: Sequence, *, names: Mapping | None = None,
                       I: Mapping | None = None, lang: str = "zh", label_points: bool = True,
                       panel_size: float = 4.6, label_all_max: int = LABEL_ALL_MAX,
                       max_labels: int = MAX_LABELS, density_min: int = DENSITY_MIN, title: str | None = None):
    """Moran scatter plots of several years side by side (the paper shows 2010 and 2020).

    Parameters
    ----------
    local : DataFrame
        The local Moran table, :func:`nqpf.spatial.moran_local` output: one row per region and
        year with columns ``region, year, Ii, z, lag, quadrant, p_sim, cluster`` (``z``, ``lag``,
        ``quadrant`` are drawn as they are; ``cluster`` is the quadrant where significant, empty or
        NaN elsewhere). With a ``cluster`` column (and permutation p-values), significant points are
        drawn filled in their cluster's colour and the others hollow grey; without one every point
        is filled in its quadrant's colour. A region without a quadrant (no neighbours) is grey.
    years : sequence
        Years to draw, one panel each, in order.
    names : mapping, optional
        Region id → display name, already in the figure's language (an id missing is shown as
        ``str(id)``).
    I : mapping, optional
        Year → global Moran's I (the ``I`` column of ``moran_global``): the slope of each panel's
        line and the value written in the panel. Default: the least-squares slope of ``lag`` on
        ``z``, which equals I for row-standardised weights without regions lacking neighbours.
    lang : {"zh", "en"}
        Falls back to ``"en"`` (with one warning per process) when no Chinese font is installed.
    label_points : bool
        Name the points (placed to avoid overlaps, :func:`nqpf.plot._placement.place_labels`;
        significant regions are placed first and named in bold; a label that could be mistaken for
        another point's gets a leader line, and no leader crosses a label).
    label_all_max, max_labels : int
        Every point is named up to ``label_all_max`` regions (default 60); beyond, only the
        ``max_labels`` (default 20) significant points farthest from the origin
        (:func:`labelled_points`), stated in a note under the panels.
    density_min : int
        From this many regions (default 500) the points are drawn as a density (grey hexagonal bins,
        logarithmic counts) and only the significant points one by one.
    panel_size : float
        Width and height of one panel, inches.

    Returns
    -------
    matplotlib.figure.Figure
        Each panel's fitted line has gid ``"moran_fit"`` and slope I.
    """
    if not isinstance(local, pd.DataFrame):
        raise InputError("local must be the local Moran table (nqpf.spatial.moran_local): a DataFrame "
                         "with columns region, year, z, lag, quadrant, cluster")
    missing = [c for c in _NEEDED if c not in local.columns]
    if missing:
        raise InputError(f"local Moran table lacks column(s) {missing}; it has {list(local.columns)} "
                         "(expected the output of nqpf.spatial.moran_local)")
    years = list(years) if not isinstance(years, (str, int, np.integer)) else [years]
    if not years:
        raise InputError("years is empty; give at least one year, e.g. [2010, 2020]")
    I = dict(I) if I is not None else {}
    lang = resolve_lang(lang)
    sig_mode = _shows_significance(local)
    panels = []
    for yr in years:
        sub = _year_rows(local, yr)
        z = pd.to_numeric(sub["z"]).to_numpy(dtype=float)
        lag = pd.to_numeric(sub["lag"]).to_numpy(dtype=float)
        given = next((v for k, v in I.items() if str(k) == str(yr)), None)
        slope, intercept, shown = _fit(z, lag, given)
        quad = sub["quadrant"].fillna("").astype(str).to_numpy()
        sig = sub["cluster"].fillna("").astype(str).to_numpy() if sig_mode else None
        panels.append(dict(year=yr, z=z, lag=lag, quadrant=quad, sig=sig, slope=slope,
                           intercept=intercept, I=shown, names=display_names(sub["region"], names)))
    n_max = max(len(d["z"]) for d in panels)
    density = n_max >= density_min
    with style_context(lang):
        fig = new_figure(lang, (panel_size * len(years) + 0.3, panel_size + 0.5))
        axes = fig.subplots(1, len(years), squeeze=False)[0]
        for ax, d in zip(axes, panels):
            _panel(ax, d, lang, density)
        if title is None:
            title = t("plot.fig_moran_scatter", lang)
        if title:
            fig.suptitle(title, fontsize=11)
        note = None
        if label_points and n_max > label_all_max:
            key = ("plot.labels_none" if max_labels <= 0 else
                   "plot.labels_note_sig" if sig_mode else "plot.labels_note_all")
            note = t(key, lang, k=max_labels, n=f"{n_max:,}")
        if sig_mode or density:  # the note on what is named is the legend title's last line
            _legend(fig, axes[-1], lang, sig_mode, density, note)
        elif note:
            fig.supxlabel(note, fontsize=7.5, color="0.3")
        renderer = freeze_layout(fig)
        if label_points:
            for ax, d in zip(axes, panels):
                idx = labelled_points(d["z"], d["lag"], d["sig"], label_all_max=label_all_max,
                                      max_labels=max_labels)
                if not len(idx):
                    continue
                n = len(d["z"])
                hi = np.zeros(n, dtype=int) if d["sig"] is None else (d["sig"] != "").astype(int)
                # the other points drawn one by one are obstacles (in a density only the significant)
                drawn = np.flatnonzero(hi) if density and d["sig"] is not None else (
                    np.zeros(0, dtype=int) if density else np.arange(n))
                others = np.setdiff1d(drawn, idx)
                # significant points choose their label position first and are named in bold
                # the quadrant names and the value of I are not to be covered either
                fixed = [tx.get_window_extent(renderer).extents for tx in ax.texts
                         if tx.get_gid() == "moran_fixed_text"]
                place_labels(ax, d["z"][idx], d["lag"][idx], [d["names"][i] for i in idx], renderer=renderer,
                             fontsize=6.5 if len(idx) > 15 else 8, priority=hi[idx],
                             weights=["bold" if h else "normal" for h in hi[idx]],
                             obstacles=np.column_stack([d["z"][others], d["lag"][others]]), avoid=fixed)
    return fig


def _panel(ax, d, lang, density=False):
    z, lag, sig = d["z"], d["lag"], d["sig"]
    xr = max(np.abs(z).max(), 1.0) * 1.25
    yr = max(np.abs(lag).max(), 0.5) * 1.35
    ax.set_xlim(-xr, xr)
    ax.set_ylim(-yr, yr)
    ax.axhline(0, color="0.6", lw=0.7, ls="--", zorder=1)
    ax.axvline(0, color="0.6", lw=0.7, ls="--", zorder=1)
    if density:
        # every point in grey hexagonal bins (log counts), the significant ones drawn on top
        ax.hexbin(z, lag, gridsize=45, extent=(-xr, xr, -yr, yr), cmap="Greys", bins="log", mincnt=1,
                  linewidths=0, zorder=2, gid="moran_density")
        if sig is not None:
            s = sig != ""
            ax.scatter(z[s], lag[s], s=9, c=[QUADRANT_COLORS.get(c, "0.5") for c in sig[s]],
                       edgecolors="black", linewidths=0.25, zorder=3)
    elif sig is None:
        colors = [QUADRANT_COLORS.get(q, _NO_QUADRANT_COLOR) for q in d["quadrant"]]
        ax.scatter(z, lag, s=22, c=colors, edgecolors="0.2", linewidths=0.4, zorder=3)
    else:
        s = sig != ""
        ax.scatter(z[~s], lag[~s], s=18, facecolors="white", edgecolors="0.45", linewidths=0.7, zorder=3)
        ax.scatter(z[s], lag[s], s=30, c=[QUADRANT_COLORS.get(c, "0.5") for c in sig[s]],
                   edgecolors="black", linewidths=0.6, zorder=3)
    xs = np.array([-xr, xr])
    ax.plot(xs, d["intercept"] + d["slope"] * xs, color="black", lw=1.0, zorder=2, gid="moran_fit")
    ax.text(0.03, 0.97, t("plot.moran_I_value", lang, I=fmt_number(d["I"], "{:.3f}")),
            transform=ax.transAxes, ha="left", va="top", fontsize=8.5,
            bbox=dict(boxstyle="round,pad=0.25", fc="white", ec="0.7", lw=0.5), zorder=6, gid="moran_fixed_text")
    corners = {"HH": (0.97, 0.90, "right", "top"), "LH": (0.03, 0.84, "left", "top"),
               "LL": (0.03, 0.03, "left", "bottom"), "HL": (0.97, 0.03, "right", "bottom")}
    for q, (cx, cy, ha, va) in corners.items():
        ax.text(cx, cy, t(f"cat.quadrant.{q}", lang), transform=ax.transAxes, ha=ha, va=va, fontsize=8,
                color=QUADRANT_COLORS[q] if q in ("HH", "LL") else "0.35", fontweight="bold", zorder=6,
                gid="moran_fixed_text",
                bbox=dict(boxstyle="square,pad=0.1", facecolor="white", edgecolor="none", alpha=0.75)
                if density else None)
    ax.set_title(str(d["year"]))
    ax.set_xlabel(t("plot.z_axis", lang))
    ax.set_ylabel(t("plot.lag_axis", lang))


def _legend(fig, ax, lang, sig_mode=True, density=False, note=None):
    from matplotlib.lines import Line2D

    handles = []
    if sig_mode:
        handles += [Line2D([], [], marker="o", ls="", markerfacecolor=QUADRANT_COLORS[q],
                           markeredgecolor="black", markersize=6, label=t(f"cat.cluster.{q}", lang))
                    for q in ("HH", "LH", "LL", "HL")]
        if not density:
            handles.append(Line2D([], [], marker="o", ls="", markerfacecolor="white", markeredgecolor="0.45",
                                  markersize=5, label=t("plot.not_significant", lang)))
    if density:
        handles.append(Line2D([], [], marker="h", ls="", markerfacecolor="0.55", markeredgecolor="none",
                              markersize=8, label=t("plot.point_density", lang)))
    title = "\n".join(x for x in (t("plot.cluster_lisa", lang) if sig_mode else None, note) if x) or None
    fig.legend(handles=handles, loc="outside lower center", ncol=len(handles), fontsize=8, title=title,
               title_fontsize=8)
