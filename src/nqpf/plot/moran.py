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

__all__ = ["plot_moran_scatter"]

#: Columns of the local Moran table the figure reads (``cluster`` is optional).
_NEEDED = ("region", "year", "z", "lag", "quadrant")
#: Colour of a point without a quadrant (a region without neighbours).
_NO_QUADRANT_COLOR = "0.6"


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


def plot_moran_scatter(local: pd.DataFrame, years: Sequence, *, names: Mapping | None = None,
                       I: Mapping | None = None, lang: str = "zh", label_points: bool = True,
                       panel_size: float = 4.6):
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
        Write every region's name next to its point (placed to avoid overlaps; significant regions
        are placed first and named in bold; a label that could be mistaken for another point's gets
        a leader line).
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
    with style_context(lang):
        fig = new_figure(lang, (panel_size * len(years) + 0.3, panel_size + 0.5))
        axes = fig.subplots(1, len(years), squeeze=False)[0]
        for ax, d in zip(axes, panels):
            _panel(ax, d, lang)
        fig.suptitle(t("plot.fig_moran_scatter", lang), fontsize=11)
        if sig_mode:
            _legend(fig, axes[-1], lang)
        renderer = freeze_layout(fig)
        if label_points:
            for ax, d in zip(axes, panels):
                n = len(d["names"])
                hi = np.zeros(n, dtype=int) if d["sig"] is None else (d["sig"] != "").astype(int)
                # significant points choose their label position first and are named in bold
                place_labels(ax, d["z"], d["lag"], d["names"], renderer=renderer,
                             fontsize=6.5 if n > 15 else 8, priority=hi,
                             weights=["bold" if h else "normal" for h in hi])
    return fig


def _panel(ax, d, lang):
    z, lag, sig = d["z"], d["lag"], d["sig"]
    xr = max(np.abs(z).max(), 1.0) * 1.25
    yr = max(np.abs(lag).max(), 0.5) * 1.35
    ax.set_xlim(-xr, xr)
    ax.set_ylim(-yr, yr)
    ax.axhline(0, color="0.6", lw=0.7, ls="--", zorder=1)
    ax.axvline(0, color="0.6", lw=0.7, ls="--", zorder=1)
    if sig is None:
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
            bbox=dict(boxstyle="round,pad=0.25", fc="white", ec="0.7", lw=0.5), zorder=6)
    corners = {"HH": (0.97, 0.90, "right", "top"), "LH": (0.03, 0.84, "left", "top"),
               "LL": (0.03, 0.03, "left", "bottom"), "HL": (0.97, 0.03, "right", "bottom")}
    for q, (cx, cy, ha, va) in corners.items():
        ax.text(cx, cy, t(f"cat.quadrant.{q}", lang), transform=ax.transAxes, ha=ha, va=va, fontsize=8,
                color=QUADRANT_COLORS[q] if q in ("HH", "LL") else "0.35", fontweight="bold", zorder=6)
    ax.set_title(str(d["year"]))
    ax.set_xlabel(t("plot.z_axis", lang))
    ax.set_ylabel(t("plot.lag_axis", lang))


def _legend(fig, ax, lang):
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], marker="o", ls="", markerfacecolor=QUADRANT_COLORS[q],
                      markeredgecolor="black", markersize=6, label=t(f"cat.cluster.{q}", lang))
               for q in ("HH", "LH", "LL", "HL")]
    handles.append(Line2D([], [], marker="o", ls="", markerfacecolor="white", markeredgecolor="0.45",
                          markersize=5, label=t("plot.not_significant", lang)))
    fig.legend(handles=handles, loc="outside lower center", ncol=5, fontsize=8,
               title=t("plot.cluster_lisa", lang), title_fontsize=8)
