"""Robustness of the ranking: Monte Carlo over the analyst's choices (weighting, normalisation scope,
aggregation, one indicator left out), per region and year the median rank and its 5–95 % interval, the
share of the rank variance each choice explains, and a figure of the intervals.

Needs the prepared indicators of a run (``ctx.extras["build"]``, the :class:`~nqpf.pipeline.IndexBuild`
that :func:`~nqpf.pipeline.run_config` passes); on a score panel alone (``nqpf analyze``, ``demo``) it
produces nothing and says so in its parameter ``robustness_source = "no_indicators"``. Options:
``draws`` (default 200), ``seed`` (default: the common seed), ``choices`` (which choices are drawn),
``weightings`` (the methods drawn) and ``loo_weights`` (see :mod:`nqpf.index.robustness`).
"""
from __future__ import annotations

import warnings

import pandas as pd

from ..errors import InputError
from ..index.robustness import CHOICES, DEFAULT_WEIGHTINGS, GEOMETRIC_OFFSET, LOO_WEIGHTS, rank_uncertainty
from ..index.weights import WEIGHTING_METHODS
from ..results import Column, Figure, Methods, Table
from ._common import NO_TITLE, Context, Family, Option

__all__ = ["FAMILY", "items", "run_settings"]

#: Formulas of the methods text (language-neutral markup).
_FORMULAS = (
    "G_{i} = Π_{j} (x′_{ij} − min x′_{j} + 0.01)^{w_{j}}",
    "V̂_{f,r} = [SS_{b,f,r} − (L_{f} − 1) · SS_{w,f,r} / (N − L_{f})] / N,  S_{f} = Σ_{r} V̂_{f,r} / Σ_{r} V̂_{r}",
    "V̂_{r} = SS_{tot,r} / (N − 1),  S_{int} = Σ_{r} [SS_{res,r} / (N − p)] / Σ_{r} V̂_{r}",
)


def run_settings(build) -> tuple[dict, str, dict]:
    """The run's configuration as the baseline of the draws, its normalisation method and the
    keywords of its weighting method (the entropy method's ``pooled`` follows each draw's scope; a
    user-given weighting keeps the weights the run used)."""
    ip = dict(build.index.params)
    method = ip.get("weighting", "entropy")
    baseline = {"weighting": method, "normalization": "pooled" if ip.get("pooled", True) else "per_year",
                "aggregation": "additive", "exclusion": ""}
    opts = dict(ip.get("weighting_options") or {})
    if method == "entropy":
        opts.pop("pooled", None)
    if method == "given":
        opts = {"weights": build.index.weights[["indicator", "weight"]]}
    return baseline, ip.get("normalization", "minmax"), {method: opts}


def _indicators(build, Y: pd.DataFrame) -> pd.DataFrame:
    """The prepared indicator matrix of the regions and years of ``Y``."""
    X = build.prepared.indicators
    reg = X.index.get_level_values(0)
    yrs = pd.Index(X.index.get_level_values(1)).astype(int)
    missing = sorted(set(Y.index) - set(reg))
    if missing:
        raise InputError(f"robustness: regions {missing[:5]} of the scores have no prepared indicators")
    keep = reg.isin(list(Y.index)) & yrs.isin([int(c) for c in Y.columns])
    X = X[keep].copy()
    X.index = pd.MultiIndex.from_arrays([X.index.get_level_values(0), yrs[keep]], names=["region", "year"])
    return X


def items(ctx: Context):
    build = ctx.extras.get("build")
    if build is None or getattr(build, "prepared", None) is None:
        return [], {"robustness_source": "no_indicators"}
    draws = int(ctx.opt("robustness.draws", 200))
    seed = ctx.opt("robustness.seed")
    seed = int(ctx.opt("seed", 12345) if seed is None else seed)
    vary = list(ctx.opt("robustness.choices") or CHOICES)
    weightings = list(ctx.opt("robustness.weightings") or DEFAULT_WEIGHTINGS)
    loo = ctx.opt("robustness.loo_weights", "renormalize")
    baseline, normalization, wopts = run_settings(build)
    ctx.step("robustness of the ranking")
    try:
        ru = rank_uncertainty(_indicators(build, ctx.Y), build.spec, draws=draws, seed=seed, vary=vary,
                              weightings=weightings, baseline=baseline, normalization=normalization,
                              weighting_options=wopts, loo_weights=loo, regions=list(ctx.Y.index))
    except InputError as exc:   # the index was built; a draw it cannot rebuild must not stop the study
        warnings.warn(f"robustness of the ranking not computed: {exc}", UserWarning, stacklevel=2)
        return [], {"robustness_source": "robustness_failed"}
    iv, sh, dr = ru.intervals, ru.shares, ru.draws
    last = int(ctx.Y.columns[-1])
    out = [
        Table("rank_uncertainty", iv, (
            Column("region", "region"), Column("year", "year"), Column("rank", "int"),
            Column("median_rank"), Column("rank_p05"), Column("rank_p95")), "robustness", order=1, long=True),
        Table("rank_variance", sh, (
            Column("choice", "code", codes="robustness_choice", label="col.robustness_choice"),
            Column("levels", "int", label="col.robustness_levels"),
            Column("share", label="col.robustness_share")), "robustness", order=2),
        Table("robustness_draws", dr, (
            Column("draw", "int", label="col.robustness_draw"),
            Column("weighting", "code", codes="robustness_weighting", label="col.robustness_weighting"),
            Column("normalization", "code", codes="robustness_scope", label="col.robustness_normalization"),
            Column("aggregation", "code", codes="robustness_aggregation", label="col.robustness_aggregation"),
            Column("exclusion", "item", label="col.robustness_exclusion")),
            "robustness", order=4, long=True, report=False),
        Figure("rank_intervals", _draw_intervals, "robustness", "figure.rank_intervals", {"year": last}, order=3),
        Methods("methods_robustness", "methods.robustness.heading", (
            ("methods.robustness.text", {"draws": draws, "seed": seed, "offset": GEOMETRIC_OFFSET,
                                         "loo": f"@methods.robustness.loo.{loo}"}),
            ("methods.robustness.shares", {}),
            ("methods.robustness.result", {"sum": _fmt(ru.params["shares_sum"])}),
        ), _FORMULAS, order=5),
    ]
    params = {"robustness_draws": draws, "robustness_seed": seed, "robustness_choices": list(ru.params["vary"]),
              "robustness_weightings": list(ru.params["weightings"]), "robustness_loo_weights": loo,
              "robustness_offset": GEOMETRIC_OFFSET, "conventions": ["robustness"]}
    if ru.params["weightings_dropped"]:
        params["robustness_weightings_dropped"] = list(ru.params["weightings_dropped"])
    return out, params


def _fmt(x) -> str:
    return "—" if x is None else f"{x:.3f}"


def _draw_intervals(res, lang):
    from ..plot.robustness import plot_rank_intervals
    from .evolution import names

    Y = res.Y
    years = [int(Y.columns[-1])]
    return plot_rank_intervals(res.table("rank_uncertainty"), years, names=names(res, lang), lang=lang, title=NO_TITLE)


def _check_weightings(v):
    bad = [m for m in v if m not in WEIGHTING_METHODS or m == "given"]
    if bad:
        return f"weighting method(s) {bad} cannot be drawn; use some of " + ", ".join(
            m for m in WEIGHTING_METHODS if m != "given")
    return None if v else "give at least one weighting method"


FAMILY = Family("robustness", items, order=15, help="Monte Carlo uncertainty of the ranks over weighting, "
                "normalisation, aggregation and a left-out indicator (needs the indicators of `nqpf run`)", options={
    "draws": Option(200, "number of Monte Carlo draws", int, low=2, high=100000),
    "seed": Option(None, "seed of the draws (default: the common seed)", int, low=0),
    "choices": Option(list(CHOICES), "choices drawn (the others stay as in the run)", list, tuple(CHOICES),
                      check=lambda v: None if v else "give at least one choice"),
    "weightings": Option(list(DEFAULT_WEIGHTINGS), "weighting methods drawn", list, check=_check_weightings),
    "loo_weights": Option("renormalize", "weights when an indicator is left out: renormalize the draw's weights "
                          "or recompute them without it", str, LOO_WEIGHTS),
})
