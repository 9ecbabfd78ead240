"""Distribution dynamics: kernel density evolution of the scores, nationally and per region group (the
curves, their descriptors, a 3D surface, an overlay of chosen years and per-group panels)."""
from __future__ import annotations

import numpy as np

from ..dynamics.kde import ALL, BANDWIDTH_RULES, CUT, GRID, KERNELS, PEAK_THRESHOLD, kernel_density
from ..errors import InputError
from ..results import Column, Figure, Methods, Table
from ._common import NO_TITLE, Context, Family, Option, describe

__all__ = ["FAMILY", "items", "overlay_years"]

_FEATURE_DISPLAY = ("group", "year", "bandwidth", "peak_x", "peak_density", "n_peaks", "width_half_height",
                    "skewness", "tail_right", "tail_left")
# generic column names are headed by keys of this family (col.kde_*), so no other family's header
# of the same name can clash with them
_CODES = {
    "group": Column("group", "code", codes="group"),
    "kernel": Column("kernel", "code", codes="kde_kernel", label="col.kde_kernel"),
    "bandwidth_rule": Column("bandwidth_rule", "code", codes="kde_bandwidth"),
    "status": Column("status", "code", codes="density_status", label="col.density_status"),
    "x": Column("x", label="col.kde_x"),
    "density": Column("density", label="col.kde_density"),
    "bandwidth": Column("bandwidth", label="col.kde_bandwidth"),
}
#: At most this many years in the overlay figures when none are chosen.
OVERLAY_YEARS = 5
_FORMULA = "f_{t}(x) = (1 / (n · h_{t})) · Σ_{i} K((x − y_{it}) / h_{t})"
_KERNEL_FORMULA = {
    "gaussian": "K(u) = (2π)^{−1/2} · exp(−u^{2} / 2)",
    "epanechnikov": "K(u) = (3 / (4√5)) · (1 − u^{2} / 5),   |u| ≤ √5",
}
_RULE_FORMULA = {
    "silverman": "h_{t} = 0.9 · min(s_{t}, IQR_{t} / 1.349) · n^{−1/5}",
    "scott": "h_{t} = 1.059 · min(s_{t}, IQR_{t} / 1.349) · n^{−1/5}",
}


def overlay_years(ctx: Context) -> list[int]:
    """Years of the overlay figures: the option ``density.years``; else the figure years when more
    than the default first and last were chosen; else up to :data:`OVERLAY_YEARS` years evenly spaced
    from the first to the last."""
    all_years = [int(c) for c in ctx.Y.columns]
    given = list(ctx.opt("density.years") or [])
    if given:
        try:
            years = [int(float(y)) if float(y) == int(float(y)) else None for y in given]
        except (TypeError, ValueError):
            years = [None]
        if None in years:
            raise InputError(f"density.years: expects whole years, got {given!r}")
        missing = [y for y in years if y not in all_years]
        if missing:
            raise InputError(f"density.years: {missing} not in the data (years {all_years[0]}–{all_years[-1]})")
        return sorted(dict.fromkeys(years))
    fig_years = [int(y) for y in (ctx.opt("figure_years") or [])]
    if len(set(fig_years)) > 2 or (fig_years and set(fig_years) != {all_years[0], all_years[-1]}):
        return sorted(dict.fromkeys(y for y in fig_years if y in all_years))
    k = min(OVERLAY_YEARS, len(all_years))
    pick = np.unique(np.round(np.linspace(0, len(all_years) - 1, k)).astype(int))
    return [all_years[i] for i in pick]


def items(ctx: Context):
    kernel = ctx.opt("density.kernel", "gaussian")
    bw = ctx.opt("density.bandwidth", "silverman")
    grid = int(ctx.opt("density.grid", GRID))
    thr = float(ctx.opt("density.peak_threshold", PEAK_THRESHOLD))
    years = overlay_years(ctx)
    ctx.step("kernel density")
    kd = kernel_density(ctx.Y, ctx.groups, kernel=kernel, bandwidth=bw, grid=grid, peak_threshold=thr)
    feats, dens = kd.features, kd.density
    rule = bw if isinstance(bw, str) else "given"
    out = [
        Figure("kde_3d", _draw_surface, "dynamics", "figure.kde_3d", order=0),
        Figure("kde_overlay", lambda res, lang: _draw_overlay(res, lang, years), "dynamics", "figure.kde_overlay",
               order=0.1),
        Table("kernel_density_features", feats, describe(feats, _CODES), "dynamics", order=0.3,
              display=_FEATURE_DISPLAY),
        Table("kernel_density", dens, describe(dens, _CODES), "dynamics", order=0.4, long=True, report=False),
    ]
    n_sets = feats["group"].nunique()
    if n_sets > 1:
        out.append(Figure("kde_groups", lambda res, lang: _draw_groups(res, lang, years), "dynamics",
                          "figure.kde_groups", order=0.2, cost=2.5))
    h_all = feats.loc[feats["group"] == ALL, "bandwidth"].to_numpy(dtype=float)
    h_all = h_all[np.isfinite(h_all)]
    from_zero = bool(float(np.nanmin(ctx.Y.to_numpy(dtype=float))) >= 0)   # the grid starts at 0 (kde module)
    out.append(_methods(kernel, rule, bw, h_all, grid, thr, from_zero))
    params = {"density_kernel": kernel, "density_bandwidth": bw if isinstance(bw, str) else float(bw),
              "density_grid": grid, "density_cut": CUT, "density_peak_threshold": thr,
              "density_years": years, "conventions": ["kde", "kde_features"]}
    if from_zero:
        params["density_grid_from"] = 0.0
    return out, params


def _fmt(v: float) -> str:
    return f"{v:.4g}"


def _methods(kernel, rule, bw, h_all, grid, thr, from_zero=False) -> Methods:
    formulas = [_FORMULA, _KERNEL_FORMULA[kernel]]
    paras = [("methods.density.text", {"kernel": f"@cat.kde_kernel.{kernel}"})]
    if rule == "given":
        paras.append(("methods.density.bandwidth_given", {"h": _fmt(float(bw))}))
    else:
        formulas.append(_RULE_FORMULA[rule])
        lo, hi = (_fmt(h_all.min()), _fmt(h_all.max())) if h_all.size else ("–", "–")
        paras.append(("methods.density.bandwidth_rule", {"rule": f"@cat.kde_bandwidth.{rule}", "hmin": lo,
                                                          "hmax": hi}))
    paras.append(("methods.density.features", {"grid": grid, "cut": f"{CUT:g}", "threshold": f"{100 * thr:g}"}))
    if from_zero:
        paras.append(("methods.density.from_zero", {}))
    return Methods("methods_density", "methods.density.heading", tuple(paras), tuple(formulas), order=5)


def _note(res, lang) -> str:
    from ..i18n import t

    f = res.table("kernel_density_features")
    kernel, rule = str(f["kernel"].iloc[0]), str(f["bandwidth_rule"].iloc[0])
    words = t(f"cat.kde_bandwidth.{rule}", lang)
    if rule == "given":
        words += f" h = {_fmt(float(f['bandwidth'].dropna().iloc[0]))}" if f["bandwidth"].notna().any() else ""
    return t("plot.kde_note", lang, kernel=t(f"cat.kde_kernel.{kernel}", lang), bandwidth=words)


def _draw_surface(res, lang):
    from ..plot.fonts import resolve_lang
    from ..plot.kde import plot_kde_surface

    lang = resolve_lang(lang)
    return plot_kde_surface(res.table("kernel_density"), ALL, lang=lang, note=_note(res, lang), title=NO_TITLE)


def _draw_overlay(res, lang, years):
    from ..plot.fonts import resolve_lang
    from ..plot.kde import plot_kde_overlay

    lang = resolve_lang(lang)
    return plot_kde_overlay(res.table("kernel_density"), years, ALL, lang=lang, note=_note(res, lang),
                            title=NO_TITLE)


def _draw_groups(res, lang, years):
    from ..plot.fonts import resolve_lang
    from ..plot.kde import plot_kde_groups

    lang = resolve_lang(lang)
    return plot_kde_groups(res.table("kernel_density"), years, lang=lang, note=_note(res, lang), title=NO_TITLE)


def _positive(v):
    return "must be a positive number or a rule" if isinstance(v, float) and v <= 0 else None


FAMILY = Family("density", items, order=25, help="kernel density evolution of the scores, nationally and per "
                "region group (curves, peaks, width, skewness, tails; 3D and overlay figures)", options={
    "kernel": Option("gaussian", "kernel of the density estimate", str, KERNELS),
    "bandwidth": Option("silverman", "bandwidth (the kernel's standard deviation): silverman (0.9·min(s, IQR/1.349)"
                        "·n^(-1/5)), scott (1.059·…) or a positive number", "number_or_str", BANDWIDTH_RULES,
                        check=_positive),
    "grid": Option(GRID, "points of the common grid of scores", int, low=20, high=10000),
    "peak_threshold": Option(PEAK_THRESHOLD, "share of the main peak's height a local maximum needs to count "
                             "as a peak", float, low=0.0, high=1.0),
    "years": Option([], "years of the overlay figures (default: the figure years, else 5 evenly spaced years)",
                    list),
})
