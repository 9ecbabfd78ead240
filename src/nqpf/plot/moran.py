"""Moran scatter plots (the paper's Figure 2).

For one year, with scores :math:`y_i` of :math:`n` regions, the standardised score is
:math:`z_i = (y_i - \\bar y)/s` (:math:`s` the population standard deviation) and its spatial lag is
:math:`(Wz)_i = \\sum_j w_{ij} z_j` with the row-standardised weights :math:`w_{ij}`. The least-squares
line of :math:`Wz` on :math:`z` has slope

.. math:: b = \\frac{z^\\top W z}{z^\\top z},

which equals global Moran's I, :math:`I = \\frac{n}{S_0}\\frac{z^\\top W z}{z^\\top z}`, because
:math:`S_0 = n` for row-standardised weights. With regions that have no neighbours
(:math:`S_0 = n - n_\\text{islands}`) the two differ; the panel then shows :math:`I` as esda computes
it and the line keeps the least-squares slope.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from nqpf.errors import InputError, WeightsMismatchError
from nqpf.labels import label
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

__all__ = ["plot_moran_scatter", "moran_scatter_data"]


def _row_standardised(w, ids) -> np.ndarray:
    """Dense row-standardised matrix of ``w`` in the order of ``ids`` (rows of islands are zero)."""
    ids = list(ids)
    wid = list(w.id_order)
    missing, extra = sorted(set(ids) - set(wid), key=str), sorted(set(wid) - set(ids), key=str)
    if missing or extra:
        raise WeightsMismatchError(
            "spatial weights do not match the regions of the scores: "
            f"in the scores but not in the weights: {missing or 'none'}; "
            f"in the weights but not in the scores: {extra or 'none'}. "
            "Build the weights for exactly these regions (ids must be the index of Y)."
        )
    pos = {r: k for k, r in enumerate(ids)}
    n = len(ids)
    W = np.zeros((n, n))
    for i in ids:
        for j, wij in zip(w.neighbors[i], w.weights[i]):
            W[pos[i], pos[j]] = wij
    rs = W.sum(axis=1)
    nz = rs > 0
    W[nz] /= rs[nz, None]
    return W


def _year_column(Y: pd.DataFrame, year):
    for c in Y.columns:
        if c == year or str(c) == str(year):
            return c
    raise InputError(f"year {year!r} is not a column of the score matrix; available: {list(Y.columns)}")


def moran_scatter_data(Y: pd.DataFrame, w, year) -> pd.DataFrame:
    """The numbers behind one Moran scatter panel.

    Returns
    -------
    DataFrame
        Indexed by region (``Y.index``) with columns ``z`` (standardised score, population s.d.),
        ``lag`` (row-standardised spatial lag of ``z``) and ``quadrant`` (HH/LH/LL/HL: ``z ≥ 0`` is
        "high", ``lag ≥ 0`` is "high"); attributes ``slope`` (least-squares slope of ``lag`` on
        ``z``), ``intercept`` and ``I`` (global Moran's I as esda defines it).
    """
    col = _year_column(Y, year)
    y = pd.to_numeric(Y[col], errors="coerce").to_numpy(dtype=float)
    if np.isnan(y).any():
        bad = list(Y.index[np.isnan(y)])
        raise InputError(f"scores for {year} are missing for {bad}; a Moran scatter needs every region")
    W = _row_standardised(w, Y.index)
    sd = y.std()
    if sd == 0:
        raise InputError(f"scores for {year} are all equal; Moran's I is undefined")
    z = (y - y.mean()) / sd
    lag = W @ z
    slope = float(z @ lag / (z @ z))
    intercept = float(lag.mean() - slope * z.mean())
    S0 = W.sum()
    I = float(len(z) / S0 * (z @ lag) / (z @ z))
    hi_z, hi_l = z >= 0, lag >= 0
    quad = np.where(hi_z & hi_l, "HH", np.where(~hi_z & hi_l, "LH", np.where(~hi_z & ~hi_l, "LL", "HL")))
    out = pd.DataFrame({"z": z, "lag": lag, "quadrant": quad}, index=Y.index)
    out.attrs.update(slope=slope, intercept=intercept, I=I)
    return out


def _significant(local: pd.DataFrame | None, year, ids) -> pd.Series | None:
    if local is None:
        return None
    need = {"region", "year", "cluster"}
    if not need <= set(local.columns):
        raise InputError(f"local Moran table needs columns {sorted(need)}; it has {list(local.columns)}")
    sub = local[local["year"].astype(str) == str(year)]
    cl = sub.set_index("region")["cluster"].fillna("").astype(str)
    return cl.reindex(list(ids)).fillna("")


def plot_moran_scatter(Y: pd.DataFrame, w, years: Sequence, labels: Mapping | None = None,
                       lang: str = "zh", local: pd.DataFrame | None = None, *,
                       label_points: bool = True, panel_size: float = 4.6):
    """Moran scatter plots of several years side by side (the paper shows 2010 and 2020).

    Parameters
    ----------
    Y : DataFrame
        Scores, regions × years.
    w : libpysal.weights.W
        Spatial weights whose ids are ``Y.index`` (any transform; row-standardised here).
    years : sequence
        Years to draw, one panel each.
    labels : mapping, optional
        Region id → display name (default: names from :mod:`nqpf.regions` for GB/T codes, else ids).
    lang : {"zh", "en"}
        Falls back to ``"en"`` with a warning when no Chinese font is installed.
    local : DataFrame, optional
        ``nqpf.spatial.moran_local`` output (``region, year, cluster``); regions with a non-empty
        ``cluster`` in that year are drawn filled in their quadrant colour, the others hollow grey.
    label_points : bool
        Write every region's name next to its point (placed to avoid overlaps; significant regions
        are placed first and named in bold; a label that could be mistaken for another point's gets
        a leader line). With ``lang="en"``, Chinese province names in ``labels`` are shown in
        English (:func:`nqpf.plot.style.display_names`).

    Returns
    -------
    matplotlib.figure.Figure
        Each panel's fitted line has gid ``"moran_fit"`` and its slope is Moran's I.
    """
    if not isinstance(Y, pd.DataFrame):
        raise InputError("Y must be a DataFrame of scores, regions × years")
    years = list(years) if not isinstance(years, (str, int)) else [years]
    if not years:
        raise InputError("years is empty; give at least one year, e.g. [2010, 2020]")
    lang = resolve_lang(lang)
    names = display_names(Y.index, labels, lang)
    data = [moran_scatter_data(Y, w, yr) for yr in years]
    with style_context(lang):
        fig = new_figure(lang, (panel_size * len(years) + 0.3, panel_size + 0.5))
        axes = fig.subplots(1, len(years), squeeze=False)[0]
        for ax, yr, d in zip(axes, years, data):
            _panel(ax, yr, d, lang, _significant(local, yr, Y.index))
        fig.suptitle(label("fig_moran_scatter", lang), fontsize=11)
        if local is not None:
            _legend(fig, axes[-1], lang)
        renderer = freeze_layout(fig)
        if label_points:
            for ax, yr, d in zip(axes, years, data):
                sig = _significant(local, yr, Y.index)
                hi = np.zeros(len(names), dtype=int) if sig is None else (sig != "").to_numpy(dtype=int)
                # significant points choose their label position first and are named in bold
                place_labels(ax, d["z"].to_numpy(), d["lag"].to_numpy(), names, renderer=renderer,
                             fontsize=6.5 if len(names) > 15 else 8, priority=hi,
                             weights=["bold" if h else "normal" for h in hi])
    return fig


def _panel(ax, year, d, lang, sig):
    z, lag = d["z"].to_numpy(), d["lag"].to_numpy()
    xr = max(np.abs(z).max(), 1.0) * 1.25
    yr = max(np.abs(lag).max(), 0.5) * 1.35
    ax.set_xlim(-xr, xr)
    ax.set_ylim(-yr, yr)
    ax.axhline(0, color="0.6", lw=0.7, ls="--", zorder=1)
    ax.axvline(0, color="0.6", lw=0.7, ls="--", zorder=1)
    colors = np.array([QUADRANT_COLORS[q] for q in d["quadrant"]])
    if sig is None:
        ax.scatter(z, lag, s=22, c=colors, edgecolors="0.2", linewidths=0.4, zorder=3)
    else:
        s = (sig != "").to_numpy()
        ax.scatter(z[~s], lag[~s], s=18, facecolors="white", edgecolors="0.45", linewidths=0.7, zorder=3)
        ax.scatter(z[s], lag[s], s=30, c=[QUADRANT_COLORS.get(c, "0.5") for c in sig[s]],
                   edgecolors="black", linewidths=0.6, zorder=3)
    xs = np.array([-xr, xr])
    ax.plot(xs, d.attrs["intercept"] + d.attrs["slope"] * xs, color="black", lw=1.0, zorder=2,
            gid="moran_fit")
    ax.text(0.03, 0.97, "Moran's I = " + fmt_number(d.attrs["I"], "{:.3f}"), transform=ax.transAxes, ha="left",
            va="top", fontsize=8.5, bbox=dict(boxstyle="round,pad=0.25", fc="white", ec="0.7", lw=0.5),
            zorder=6)
    corners = {"HH": (0.97, 0.90, "right", "top"), "LH": (0.03, 0.84, "left", "top"),
               "LL": (0.03, 0.03, "left", "bottom"), "HL": (0.97, 0.03, "right", "bottom")}
    for q, (cx, cy, ha, va) in corners.items():
        ax.text(cx, cy, label(q, lang), transform=ax.transAxes, ha=ha, va=va, fontsize=8,
                color=QUADRANT_COLORS[q] if q in ("HH", "LL") else "0.35", fontweight="bold", zorder=6)
    ax.set_title(str(year))
    ax.set_xlabel(label("z_axis", lang))
    ax.set_ylabel(label("lag_axis", lang))


def _legend(fig, ax, lang):
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], marker="o", ls="", markerfacecolor=QUADRANT_COLORS[q],
                      markeredgecolor="black", markersize=6, label=label(q, lang))
               for q in ("HH", "LH", "LL", "HL")]
    handles.append(Line2D([], [], marker="o", ls="", markerfacecolor="white", markeredgecolor="0.45",
                          markersize=5, label=label("not_significant", lang)))
    fig.legend(handles=handles, loc="outside lower center", ncol=5, fontsize=8,
               title=f"{label('cluster', lang)} (LISA)", title_fontsize=8)
