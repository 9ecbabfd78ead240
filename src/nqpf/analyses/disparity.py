"""Temporal disparity: Theil index (with its decomposition by region group), σ, CV, Gini; Dagum's Gini
decomposition; the paper's Figure 1."""
from __future__ import annotations

import pandas as pd

from .. import disparity as _disp
from ..results import Figure, Table
from ._common import NO_TITLE, Context, Family, describe

__all__ = ["FAMILY", "items"]

_DISPLAY = ("year", "theil", "sigma", "cv", "gini")
_DAGUM_DISPLAY = ("year", "G", "Gw", "Gnb", "Gt", "Gw_share", "Gnb_share", "Gt_share")


def items(ctx: Context):
    Y, groups = ctx.Y, ctx.groups
    ctx.step("disparity")
    disp = _disp.disparity_table(Y)
    out = []
    if groups:
        dec = _disp.theil_decomposition(Y, pd.Series(groups))
        keep = [c for c in dec.columns if c not in ("year", "total")]
        dec = dec.rename(columns={c: f"theil_{c}" for c in keep})
        disp = disp.merge(dec[["year"] + [f"theil_{c}" for c in keep]], on="year", how="left")
    out.append(Table("disparity", disp, describe(disp, qualified="group"), "disparity", display=_DISPLAY))
    out.append(Figure("fig1_disparity", _draw_disparity, "disparity", "figure.disparity", order=1.5))
    if groups and len(set(groups.values())) >= 2:
        ctx.step("Dagum Gini")
        dg = _disp.dagum_gini(Y, pd.Series(groups))
        out.append(Table("dagum_gini", dg, describe(dg, qualified="group"), "disparity", order=1,
                         display=_DAGUM_DISPLAY))
    params = {"conventions": ["theil", "sigma", "cv"]}
    if groups:
        # the NBS groups of the provinces (of their provinces for cities and counties), or the user's
        params["groups"] = "nbs4" if ctx.opt("groups_nbs") else "given"
    return out, params


def _draw_disparity(res, lang):
    from .. import plot

    return plot.plot_disparity(res.table("disparity"), lang=lang, title=NO_TITLE)


FAMILY = Family("disparity", items, order=20, help="Theil index and its decomposition, σ, CV, Gini, Dagum's Gini (Figure 1)")
