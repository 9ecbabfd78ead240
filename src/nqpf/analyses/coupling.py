"""Coupling coordination of the subsystems of the index: coupling degree C, coordination index T,
coupling coordination degree D, its ten levels and the lagging subsystem, per region and year; a
heatmap of D and, for provinces, maps of the levels.

The subsystems are

* the indices a user gives as ``extras={"subsystems": frame}`` (columns ``region``, ``year`` and one
  column per subsystem, every value in [0, 1]: never rescaled here), else
* the sub-indices of one level of the index of a run (``coupling.level``, default the highest level with
  at least two groups), each divided by its group's total weight (:func:`nqpf.coupling.subindex_levels`).

Without either (``nqpf analyze`` on scores alone) the family produces nothing and says so in its
parameter ``coupling_source = "no_subsystems"``; an index without groups (a flat spec:
``"no_groups"``), with one group only (``"single_group"``) or not min-max normalised (``"not_minmax"``)
gives nothing either, with one warning naming ``--skip coupling``. Options: ``formula`` (``wang2021``, the corrected
coupling degree, or ``traditional``), ``weights`` (α of T, equal by default), ``sync_threshold`` (0.1).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .. import coupling as _cp
from ..errors import InputError
from ..i18n import has
from ..results import Column, Figure, Methods, Table
from ._common import NO_TITLE, Context, Family, Option, cells_cost, figure_years, map_codes, map_cost, skip_family

__all__ = ["FAMILY", "items", "given_levels"]

#: Formulas of the methods text (language-neutral markup): C in both forms, T, D, U of a sub-index.
_C = {
    "wang2021": "C = √[ (1 − Σ_{i<j} |U_{i} − U_{j}| / Σ_{m=1}^{n−1} m) · (Π_{i=1}^{n} U_{i} / U_{max})^{1/(n−1)} ]",
    "traditional": "C = n · [ Π_{i=1}^{n} U_{i} / (Σ_{i=1}^{n} U_{i})^{n} ]^{1/n}",
}
_T = "T = Σ_{i=1}^{n} α_{i} U_{i},  Σ_{i} α_{i} = 1"
_D = "D = √(C · T)"
_U = "U_{G} = Σ_{j∈G} w_{j} x′_{j} / [(1 + s) Σ_{j∈G} w_{j}]"
#: The worked example of the methods text: two subsystems at 0.2 and 0.8.
EXAMPLE = (0.2, 0.8)


def given_levels(given, ctx: Context) -> pd.DataFrame:
    """The user's subsystem levels with the region ids of ``ctx`` (written as ids or as the user's
    spelling), restricted to the regions and years analysed."""
    if not isinstance(given, pd.DataFrame):
        raise InputError("extras['subsystems'] must be a DataFrame: columns region, year and one column per "
                         "subsystem (levels in [0, 1])")
    df = given.reset_index() if {"region", "year"} - set(map(str, given.columns)) else given.copy()
    if not {"region", "year"} <= set(map(str, df.columns)):
        raise InputError("extras['subsystems'] needs columns region and year (or a (region, year) index)")
    by_label = {str(v): k for k, v in ctx.regions.labels.items()}
    ids = set(ctx.Y.index)
    mapped = [r if r in ids else by_label.get(str(r), r) for r in df["region"]]
    unknown = sorted({str(r) for r, m in zip(df["region"], mapped) if m not in ids})
    if unknown:
        raise InputError(f"extras['subsystems'] names regions not analysed: {unknown[:8]}; use the regions of the "
                         "scores (their ids or spelling)")
    df["region"] = mapped
    df["year"] = pd.to_numeric(df["year"], errors="coerce")
    df = df[df["year"].isin([int(c) for c in ctx.Y.columns])].copy()
    df["year"] = df["year"].astype(int)
    return df


def _subsystems(ctx: Context, level):
    """(levels frame, divisors or None, source, level used) or a reason to skip as the source."""
    given = ctx.extras.get("subsystems")
    if given is not None:
        return given_levels(given, ctx), None, "given_indices", None
    if "scores" not in ctx.results or "group_weights" not in ctx.results:
        return None, None, "no_subsystems", None
    build = ctx.extras.get("build")
    ip = dict(getattr(getattr(build, "index", None), "params", None) or {})
    if ip.get("normalization", "minmax") != "minmax":
        skip_family("coupling", f"coupling coordination needs sub-indices of min-max normalised indicators and "
                    f"the index used {ip['normalization']!r} (or give the subsystems' levels yourself)", stacklevel=4)
        return None, None, "not_minmax", None
    gw = ctx.data("group_weights")
    if not (gw["member_level"] != "indicator").any():
        skip_family("coupling", "the index has no groups of indicators (a flat spec), so there are no "
                    "sub-indices to couple", stacklevel=4)
        return None, None, "no_groups", None
    levels, scale = _cp.subindex_levels(ctx.data("scores"), gw, level, shift=float(ip.get("shift", 0.0)))
    used = gw.loc[gw["member"].isin(list(scale.index)), "member_level"]
    return levels, scale, "index_subindices", (str(used.iloc[0]) if len(used) else level)


#: Why a subsystem can be 0 and how to avoid it (appended to the kernel's warning): given levels, or
#: sub-indices of a min-max index.
#: (Catalogue keys, written in the reader's language: ``warning.coupling_zero_hint_*``.)
ZERO_HINT = {False: "@warning.coupling_zero_hint_given", True: "@warning.coupling_zero_hint_index"}


def items(ctx: Context):
    formula = ctx.opt("coupling.formula", "wang2021")
    thr = float(ctx.opt("coupling.sync_threshold", _cp.SYNC_THRESHOLD))
    weights = list(ctx.opt("coupling.weights") or [])
    levels, scale, source, level = _subsystems(ctx, ctx.opt("coupling.level", "auto"))
    if levels is None:
        return [], {"coupling_source": source}
    names = [c for c in levels.columns if c not in ("region", "year")]
    if len(names) < 2:
        skip_family("coupling", f"coupling coordination needs at least 2 subsystems, found {names}")
        return [], {"coupling_source": "single_group"}
    ctx.step("coupling coordination")
    alpha = _cp.subsystem_weights(weights, names)
    tab = _cp.coupling_coordination(levels, alpha, formula=formula, sync_threshold=thr,
                                    zero_hint=ZERO_HINT[source == "index_subindices"],
                                    labels={r: ctx.regions.label(r) for r in ctx.Y.index})
    order = {r: k for k, r in enumerate(ctx.Y.index)}
    tab = tab.sort_values(["region", "year"], key=lambda s: s.map(order) if s.name == "region" else s,
                          kind="mergesort").reset_index(drop=True)
    subs = pd.DataFrame({"subsystem": names, "alpha": alpha,
                         "scale": [float(scale[c]) if scale is not None else np.nan for c in names]})
    out = [
        Table("coupling_subsystems", subs, (
            Column("subsystem", "item", label="col.coupling_subsystem"),
            Column("alpha", label="col.coupling_alpha"), Column("scale", label="col.coupling_scale")),
            "coupling", order=0),
        Table("coupling", tab, (
            Column("region", "region"), Column("year", "year"),
            Column("C", label="col.coupling_C"), Column("T", label="col.coupling_T"),
            Column("D", label="col.coupling_D"),
            Column("level", "code", codes="coupling_level", label="col.coupling_level"),
            Column("lagging", "item", label="col.coupling_lagging"),
            Column("synchronous", "bool", label="col.coupling_synchronous")), "coupling", order=1, long=True),
        Figure("coupling_D", _draw_heatmap, "coupling", "figure.coupling_D", order=2,
               cost=1.0 + cells_cost(*ctx.Y.shape, annotated=len(ctx.Y) <= 40)),
    ]
    codes = map_codes(ctx)
    if codes:
        for n, y in enumerate(figure_years(ctx)):
            out.append(Figure(f"coupling_map_{y}", lambda res, lang, y=y: _draw_map(res, lang, y, codes),
                              "coupling", "figure.coupling_map", {"year": y}, order=3 + n / 100,
                              cost=map_cost(len(codes))))
    out.append(_methods(formula, len(names), source, level, thr, weights))
    params = {"coupling_source": source, "coupling_formula": formula, "coupling_n": len(names),
              "coupling_weights": [float(a) for a in alpha], "coupling_sync_threshold": thr,
              "conventions": [f"coupling.{formula}"]}
    return out, params


def _methods(formula, n, source, level, thr, weights) -> Methods:
    """The methods text: C (the chosen form), T, D, the subsystems, the levels and a worked example of
    the corrected and the older coupling degree."""
    U = np.array([EXAMPLE])
    ex = {}
    for tag, f in (("new", "wang2021"), ("old", "traditional")):
        C = float(_cp.coupling_degree(U, f)[0])
        D = float(np.sqrt(C * U.mean()))
        ex.update({f"c_{tag}": f"{C:.3f}", f"d_{tag}": f"{D:.3f}",
                   f"level_{tag}": f"@cat.coupling_level.{_cp.coordination_level([D])[0]}"})
    lvl = f"@cat.level.{level}" if level and has(f"cat.level.{level}", "en") else str(level or "")
    paragraphs = [
        ("methods.coupling.text", {"formula": f"@methods.coupling.formula.{formula}", "n": n,
                                   "weights": "@methods.coupling.weights." + ("given" if weights else "equal"),
                                   "threshold": f"{thr:g}"}),
        ("methods.coupling.source.index", {"level": lvl}) if source == "index_subindices"
        else ("methods.coupling.source.given", {}),
        ("methods.coupling.levels", {}),
        ("methods.coupling.example", ex),
    ]
    formulas = (_C[formula], _T, _D) + ((_U,) if source == "index_subindices" else ())
    return Methods("methods_coupling", "methods.coupling.heading", tuple(paragraphs), formulas, order=4)


def _draw_heatmap(res, lang):
    from ..plot.coupling import plot_coupling_heatmap
    from .evolution import names

    return plot_coupling_heatmap(res.table("coupling"), names=names(res, lang), lang=lang, title=NO_TITLE)


def _draw_map(res, lang, year, codes):
    from ..plot.coupling import plot_coupling_map

    return plot_coupling_map(res.table("coupling"), year, codes, lang=lang)


def _check_weights(v):
    try:
        a = [float(x) for x in v]
    except (TypeError, ValueError):
        return f"weights must be numbers, got {v}"
    if any(not np.isfinite(x) or x < 0 for x in a):
        return f"weights must be finite and non-negative, got {v}"
    return None


FAMILY = Family("coupling", items, order=22, help="coupling coordination degree of the sub-indices (or of given "
                "indices): C, T, D, ten levels, lagging subsystem, heatmap and maps", options={
    "formula": Option("wang2021", "coupling degree: wang2021 (corrected, Wang et al. 2021) or traditional",
                      str, _cp.FORMULAS),
    "level": Option("auto", "level of the index whose sub-indices are the subsystems (criterion, dimension …; "
                    "auto: the highest with at least two groups)", str),
    "weights": Option([], "weights α of the coordination index T, one per subsystem in order (default equal)",
                      list, check=_check_weights),
    "sync_threshold": Option(_cp.SYNC_THRESHOLD, "largest gap max U − min U called synchronous development",
                             float, low=0.0, high=1.0),
})
