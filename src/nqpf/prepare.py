"""From raw long data to the indicator matrix: interpolation, derived indicators, screening, audit.

Order of the steps (and why)
----------------------------
1. **Select** the raw variables the spec needs (:attr:`nqpf.spec.Spec.variables`); a missing variable
   is an :class:`~nqpf.errors.InputError` with close matches suggested.
2. **Flag jumps** in the observed raw values (nothing is changed, see below).
3. **Interpolate raw variables**, not indicators: a gap in one raw variable (say GDP) would otherwise
   blank every indicator that divides by it, and the paper's rule ("missing values filled by linear
   interpolation") is about the statistics as published. Within each region's series, a missing value
   between two observed years is the straight line between them (in calendar years, so uneven gaps are
   handled):

   .. math:: x_t = x_a + (x_b - x_a)\\,\\frac{t - a}{b - a},\\qquad a < t < b .

   Leading and trailing gaps are **not** extrapolated unless ``extrapolate="nearest"`` (copy the
   nearest observed value) or ``"linear"`` (continue the line through the two nearest observed years;
   the nearest value when only one is observed).
4. **Evaluate formulas** per region-year (dependencies first). Division by zero gives NaN and an audit
   row (``missing``).
5. **Remaining missing values**: an :class:`~nqpf.errors.InputError` listing the region-years and the
   indicators missing there, unless ``drop_incomplete=True``, which drops those region-years with one
   audit row each (``dropped``).

Every cell changed gets one audit row (stage ``prepare``; what, why, old, new).

Jump screening
--------------
For each region's observed series of each raw variable, let :math:`\\Delta_t = (x_t - x_s)/(t - s)` be the
change per year between consecutive observed years. A change is flagged when

.. math:: |\\Delta_t| > k \\cdot \\max\\bigl(\\operatorname{median}_t |\\Delta_t|,\\; \\text{floor}\\bigr)

with ``k = jump_threshold`` (default 5). When every observed value is positive the changes are taken on
:math:`\\ln x` (relative changes, so steady exponential growth is not a jump) and the floor is
``jump_floor`` (default 0.01, i.e. 1 % a year); otherwise on :math:`x` with floor
``jump_floor · median|x|``. The floor keeps a nearly flat series from flagging every small change.
Series with fewer than three changes are not screened. Flags are written to the audit (``flagged``);
values are not changed.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .errors import InputError
from .io._cells import parse_year
from .i18n._reasons import reason
from .io.readers import AUDIT_COLUMNS, Panel, empty_audit
from .spec import Spec, load_spec

__all__ = ["Prepared", "prepare", "interpolate_series", "flag_jumps"]


@dataclass
class Prepared:
    """Result of :func:`prepare`.

    Attributes
    ----------
    indicators : DataFrame
        Index MultiIndex (``region``, ``year``), one float column per indicator id in spec order.
    audit : DataFrame
        Columns ``stage, file, sheet, row, column, region, year, variable, action, reason, old, new``.
    raw : DataFrame
        The raw variables after interpolation (same index as the full region × year grid).
    params : dict
        The arguments used.
    """

    indicators: pd.DataFrame
    audit: pd.DataFrame
    raw: pd.DataFrame = None
    params: dict = field(default_factory=dict)


def interpolate_series(years: np.ndarray, x: np.ndarray, extrapolate=False):
    """Fill NaNs of one series.

    Returns
    -------
    filled : ndarray
    how : ndarray of str
        ``""`` (untouched or still missing), ``"interpolated"`` or ``"extrapolated"`` per position.
    """
    x = np.asarray(x, dtype=float)
    years = np.asarray(years, dtype=float)
    out = x.copy()
    how = np.full(x.shape, "", dtype=object)
    ok = ~np.isnan(x)
    if ok.sum() == 0:
        return out, how
    ky, kx = years[ok], x[ok]
    c = _overflow_scale(kx)
    kx = kx / c
    lo, hi = ky.min(), ky.max()
    miss = ~ok
    inner = miss & (years > lo) & (years < hi)
    if inner.any():
        out[inner] = np.interp(years[inner], ky, kx) * c
        how[inner] = "interpolated"
    if extrapolate:
        outer = miss & ~inner
        if outer.any():
            if extrapolate == "nearest" or ok.sum() == 1:
                out[outer] = np.where(years[outer] < lo, kx[0], kx[-1]) * c
            elif extrapolate == "linear":
                left = years[outer] < lo
                s0 = (kx[1] - kx[0]) / (ky[1] - ky[0])
                s1 = (kx[-1] - kx[-2]) / (ky[-1] - ky[-2])
                with np.errstate(over="ignore"):
                    out[outer] = np.where(left, kx[0] + s0 * (years[outer] - ky[0]),
                                          kx[-1] + s1 * (years[outer] - ky[-1])) * c
            else:
                raise InputError(f"extrapolate must be False, 'nearest' or 'linear', got {extrapolate!r}")
            beyond = outer & ~np.isfinite(out)  # a line continued beyond the float range: left missing
            out[beyond] = np.nan
            how[outer & ~beyond] = "extrapolated"
    return out, how


def _overflow_scale(v) -> float:
    """1, or max|v| when differences of ``v`` could overflow (|v| > 1e150): the interpolation and the jump
    screen are homogeneous in x, so they are computed on x / max|x| then scaled back (exact otherwise)."""
    m = float(np.max(np.abs(v))) if len(v) else 0.0
    return m if m > 1e150 else 1.0


def flag_jumps(years, x, k: float = 5.0, floor: float = 0.01):
    """Positions of ``x`` whose change from the previous observed value is a jump.

    See the module docstring for the rule: changes per year between consecutive observed values,
    on :math:`\\ln x` when every observed value is positive (so steady exponential growth is not a jump),
    else on :math:`x`. Returns a list of ``(position, delta_per_year, scale, on_log)``.
    """
    years = np.asarray(years, dtype=float)
    x = np.asarray(x, dtype=float)
    pos = np.flatnonzero(~np.isnan(x))
    if len(pos) < 4:
        return []
    v = x[pos]
    on_log = bool(np.all(v > 0))
    c = 1.0
    if on_log:
        d = np.diff(np.log(v)) / np.diff(years[pos])
        scale = max(np.median(np.abs(d)), floor)
    else:
        c = _overflow_scale(v)
        d = np.diff(v / c) / np.diff(years[pos])
        scale = max(np.median(np.abs(d)), floor * np.median(np.abs(v / c)))
    if scale == 0:
        return []
    hits = np.flatnonzero(np.abs(d) > k * scale)
    with np.errstate(over="ignore"):  # a change beyond the float range is reported as ±inf
        return [(int(pos[t + 1]), float(d[t] * c), float(scale * c), on_log) for t in hits]


#: How the options of :func:`prepare` are named in messages, by who calls it: the Python API, the command
#: line (``nqpf index``) or a study configuration (``nqpf run``).
OPTION_NAMES = {
    "api": {"years": "years=(first, last)", "extrapolate": "extrapolate='nearest' or 'linear'",
            "drop_incomplete": "drop_incomplete=True", "exclude_regions": "exclude_regions"},
    "cli": {"years": "--years FIRST,LAST", "extrapolate": "--extrapolate nearest or linear",
            "drop_incomplete": "--drop-incomplete", "exclude_regions": "--exclude"},
    "config": {"years": "[prepare] years = [first, last]",
               "extrapolate": "[prepare] extrapolate = \"nearest\" or \"linear\"",
               "drop_incomplete": "[prepare] drop_incomplete = true", "exclude_regions": "[prepare] exclude_regions"},
}


def _option_names(style) -> dict:
    if isinstance(style, dict):
        return {**OPTION_NAMES["api"], **style}
    if style not in OPTION_NAMES:
        raise InputError(f"option_style must be one of {', '.join(map(repr, OPTION_NAMES))}, got {style!r}")
    return OPTION_NAMES[style]


def _audit_row(**kw):
    row = dict.fromkeys(AUDIT_COLUMNS, None)
    row.update(stage="prepare", file="", sheet="", column="")
    row.update(kw)
    return row


def prepare(raw_long, spec, interpolate: str | None = "linear", extrapolate=False, drop_incomplete: bool = False,
            jump_threshold: float | None = 5.0, jump_floor: float = 0.01, years=None,
            exclude_regions=None, option_style: str = "api") -> Prepared:
    """Build the indicator matrix of ``spec`` from raw long data.

    Parameters
    ----------
    raw_long : DataFrame or Panel
        Columns ``region, year, variable, value`` (a :class:`~nqpf.io.Panel`'s audit is carried over).
    spec : Spec or str
        The indicator system (or a name/path for :func:`~nqpf.spec.load_spec`).
    interpolate : {"linear", None}
        Fill interior gaps of raw variables linearly in time (the paper's rule) or not at all.
    extrapolate : {False, "nearest", "linear"}
        How to fill leading/trailing gaps (default: leave them missing).
    drop_incomplete : bool
        Drop region-years still missing an indicator (audited) instead of raising InputError.
    jump_threshold : float or None
        ``k`` of the jump screen (None switches it off); ``jump_floor`` is its floor ``f``.
    years : (first, last), optional
        The study period. Interpolation uses every year of the input (an observation just outside
        the period is a legitimate anchor), then region-years outside the period are dropped with one
        audit row each, before the completeness check.
    exclude_regions : list, optional
        Regions left out of the study (e.g. the paper leaves out Tibet and Qinghai), as region ids of
        the data; each of their region-years gets an audit row.
    option_style : {"api", "cli", "config"}
        How messages name these options: as this function's arguments (default), as the command line's
        options (``--years``, ``--extrapolate``, ``--exclude``, ``--drop-incomplete``) or as the keys of
        a configuration's ``[prepare]`` section.

    Audit rows of filled values (interpolated, extrapolated) and of jumps are kept only for the
    region-years the study uses (inside ``years``, regions not excluded); a jump's row names the file,
    sheet, row and column of the value when the data were read by :func:`nqpf.io.read_panel`.

    Returns
    -------
    Prepared
    """
    spec = load_spec(spec) if not isinstance(spec, Spec) else spec
    names = _option_names(option_style)
    period = _period(years)
    _check_screen(jump_threshold, jump_floor)
    long, prior, shown = _validated_long(raw_long, spec, interpolate, extrapolate)
    grid = _raw_grid(long, list(spec.variables))
    audit = _screen_jumps(grid, jump_threshold, jump_floor)
    _locate(audit, long, getattr(raw_long, "locations", None))
    raw, rows = _fill_gaps(grid, interpolate, extrapolate)
    audit += rows
    X, rows = _evaluate_formulas(raw, spec)
    audit += rows
    X, rows = _restrict_to_study(X, grid, exclude_regions, period, shown, names)
    audit = _in_study(audit, X.index) + rows
    X, rows = _check_complete(X, grid, drop_incomplete, shown, audit, names, period_set=period is not None)
    audit += rows
    X.columns.name = "indicator"
    params = dict(interpolate=interpolate, extrapolate=extrapolate, drop_incomplete=drop_incomplete,
                  jump_threshold=jump_threshold, jump_floor=jump_floor, spec=spec.name,
                  years=list(period) if period is not None else None,
                  exclude_regions=list(exclude_regions) if exclude_regions else None)
    return Prepared(indicators=X, audit=_audit_table(audit, prior), raw=raw, params=params)


def _period(years):
    """``(first, last)`` of the study period (None: every year), refusing anything but two whole years."""
    if years is None:
        return None
    if isinstance(years, (str, bytes)) or not hasattr(years, "__len__") or len(years) == 0:
        raise InputError(f"years must be the study period (first, last), e.g. (2011, 2023), got {years!r}")
    ends = [parse_year(years[0]), parse_year(years[-1])]
    if None in ends:
        raise InputError(f"years must be the study period (first, last) as whole years, e.g. (2011, 2023), "
                         f"got {years!r}")
    return ends[0], ends[1]


def _check_screen(jump_threshold, jump_floor) -> None:
    """``jump_threshold`` (k) a positive number or None; ``jump_floor`` a number ≥ 0."""
    def number(v):
        return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool) and np.isfinite(v)

    if jump_threshold is not None and not (number(jump_threshold) and jump_threshold > 0):
        raise InputError(f"jump_threshold must be a positive number (default 5) or None to switch the jump screen "
                         f"off, got {jump_threshold!r}")
    if not (number(jump_floor) and jump_floor >= 0):
        raise InputError(f"jump_floor must be a number ≥ 0 (default 0.01), got {jump_floor!r}")


# ------------------------------------------------------------------------------- the steps of prepare
@dataclass
class _Grid:
    """The region × year grid of the spec's raw variables, as observed (NaN where not)."""

    regions: list            # region ids in order of first appearance in the input
    years: list              # every year of the input, sorted
    index: pd.MultiIndex     # (region, year), the product of the two
    wide: pd.DataFrame       # one column per needed raw variable, in spec order
    observed: pd.DataFrame   # the input's region-years (columns region, year), any variable

    def matrix(self, variable) -> np.ndarray:
        """One raw variable as a regions × years array."""
        return self.wide[variable].to_numpy().reshape(len(self.regions), len(self.years))


def _validated_long(raw_long, spec, interpolate, extrapolate):
    """Check the arguments and the raw long table; return it typed, with the input audit (infinite values
    read as missing added to it) and region labels."""
    prior = None
    shown: dict = {}  # region id → the name the user wrote (for messages)
    if isinstance(raw_long, Panel):
        prior = raw_long.audit
        shown = dict(getattr(raw_long, "region_label", {}) or {})
        raw_long = raw_long.data
    if not isinstance(raw_long, pd.DataFrame):
        raise InputError(f"raw data must be a DataFrame with columns region, year, variable, value (or the Panel "
                         f"of nqpf.io.read_panel), got {type(raw_long).__name__}")
    need = {"region", "year", "variable", "value"}
    if not need <= set(raw_long.columns):
        raise InputError(f"raw data needs columns {sorted(need)}, got {list(raw_long.columns)}")
    if interpolate not in ("linear", None, False):
        raise InputError(f"interpolate must be 'linear' or None, got {interpolate!r}")
    if extrapolate not in (False, None, "nearest", "linear"):
        raise InputError(f"extrapolate must be False, 'nearest' or 'linear', got {extrapolate!r}")
    df = raw_long[["region", "year", "variable", "value"]].copy()
    for col in ("region", "variable"):
        _refuse(df, df[col].isna() | (df[col].astype(str).str.strip() == ""), f"empty {col}",
                f"give every row a {col}")
    df["region"] = df["region"].astype(str)
    df["variable"] = df["variable"].astype(str)
    years = df["year"].map(parse_year)
    _refuse(df, years.isna(), "a year that is not a whole year such as 2010", "correct the year",
            show="year")
    df["year"] = years.astype(int)
    values = pd.to_numeric(df["value"], errors="coerce")
    _refuse(df, values.isna() & df["value"].notna() & ~df["value"].map(_is_nan), "a value that is not a number",
            "give numbers (NaN where missing), or read the file with nqpf.io.read_panel, which cleans text cells "
            "and records each change", show="value")
    df["value"] = values.astype(float)
    inf = np.isinf(df["value"].to_numpy())
    if inf.any():  # as the readers do: an infinite value is read as missing, one audit row each
        rows = [_audit_row(stage="read", region=r.region, year=int(r.year), variable=r.variable, action="missing",
                           **reason("infinite_missing", value=repr(r.value)), old=r.value, new=np.nan)
                for r in df[inf].itertuples()]
        df.loc[inf, "value"] = np.nan
        extra = pd.DataFrame(rows, columns=AUDIT_COLUMNS)
        prior = extra if prior is None or not len(prior) else pd.concat([prior, extra], ignore_index=True)
    dups = df.duplicated(["region", "year", "variable"], keep=False)
    if dups.any():
        ex = df[dups].head(4).to_dict("records")
        raise InputError(f"raw data has {int(dups.sum())} rows sharing (region, year, variable), e.g. {ex}; keep "
                         "one row for each")
    present = set(df["variable"])
    absent = [v for v in spec.variables if v not in present]
    if absent:
        hints = []
        for v in absent:
            c = difflib.get_close_matches(v, sorted(present), n=3)
            hints.append(f"{v!r}" + (f" (close: {', '.join(map(repr, c))})" if c else ""))
        raise InputError(f"the data lack raw variable(s) needed by spec {spec.name!r}: {'; '.join(hints)}; "
                         f"variables in the data: {sorted(present)[:30]}")
    return df, prior, shown


def _is_nan(v) -> bool:
    return isinstance(v, float) and np.isnan(v)


def _refuse(df: pd.DataFrame, bad: pd.Series, what: str, fix: str, show: str | None = None) -> None:
    """An :class:`InputError` naming the first rows of the raw table (by index label) holding ``what``."""
    if not bad.any():
        return
    rows = df[bad.to_numpy()]
    ex = []
    for idx, r in rows.head(5).iterrows():
        cell = f" {show} {r[show]!r}" if show else ""
        ex.append(f"row {idx!r}{cell} (region {r['region']!r}, variable {r['variable']!r})")
    more = f" and {len(rows) - 5} more" if len(rows) > 5 else ""
    raise InputError(f"raw data: {len(rows)} row(s) with {what}: {'; '.join(ex)}{more}; {fix}")


def _raw_grid(df, needed) -> _Grid:
    """Lay the needed raw variables on the full region × year grid of the input."""
    observed = df[["region", "year"]].drop_duplicates()
    regions = list(dict.fromkeys(observed["region"]))
    years = sorted(observed["year"].unique())
    index = pd.MultiIndex.from_product([regions, years], names=["region", "year"])
    df = df[df["variable"].isin(needed)]
    wide = df.pivot(index=["region", "year"], columns="variable", values="value").reindex(index)
    return _Grid(regions=regions, years=years, index=index, wide=wide.reindex(columns=needed), observed=observed)


def _screen_jumps(grid: _Grid, jump_threshold, jump_floor) -> list:
    """Audit rows ``flagged`` for jumps in each region's observed series (values are kept)."""
    if jump_threshold is None:
        return []
    rows = []
    yarr = np.asarray(grid.years, dtype=float)
    for v in grid.wide.columns:
        m = grid.matrix(v)
        for r in range(len(grid.regions)):
            for t, d, sc, lg in flag_jumps(yarr, m[r], jump_threshold, jump_floor):
                what = "@audit.word.change_log" if lg else "@audit.word.change"
                rows.append(_audit_row(region=grid.regions[r], year=grid.years[t], variable=v, action="flagged",
                                       **reason("jump", what=what, d=d, threshold=jump_threshold, scale=sc),
                                       old=m[r, t], new=m[r, t]))
    return rows


def _locate(rows: list, long: pd.DataFrame, locations) -> None:
    """Fill in ``file, sheet, row, column`` of the jump rows from the reader's locations (aligned with the
    rows of the data: ``long`` keeps their order)."""
    jumps = [r for r in rows if r["action"] == "flagged"]
    if not jumps or locations is None or len(locations) != len(long):
        return
    key = pd.MultiIndex.from_arrays([long["region"].to_numpy(), long["year"].to_numpy(),
                                     long["variable"].to_numpy()])
    pos = key.get_indexer([(str(r["region"]), int(r["year"]), str(r["variable"])) for r in jumps])
    loc = locations.reset_index(drop=True)
    for r, i in zip(jumps, pos):
        if i < 0:
            continue
        for col in ("file", "sheet", "row", "column"):
            v = loc[col].iat[i] if col in loc.columns else None
            if v is not None and not (isinstance(v, float) and np.isnan(v)):
                r[col] = v


#: Audit actions of this stage that concern one region-year's value (kept only when the study uses it).
_CELL_ACTIONS = ("flagged", "interpolated", "extrapolated", "missing")


def _in_study(rows: list, used: pd.Index) -> list:
    """The rows about values (jumps, filled values, formula gaps) of region-years the study uses."""
    keep = set(used)
    return [r for r in rows if r["action"] not in _CELL_ACTIONS or (r["region"], int(r["year"])) in keep]


def _fill_gaps(grid: _Grid, interpolate, extrapolate):
    """Interpolate (and optionally extrapolate) each raw series; return the filled raw table and audit rows."""
    years, rows, filled = grid.years, [], {}
    yarr = np.asarray(years, dtype=float)
    for v in grid.wide.columns:
        m = grid.matrix(v).copy()
        gappy = np.flatnonzero(np.isnan(m).any(axis=1)) if interpolate else []
        for r in gappy:
            new, how = interpolate_series(yarr, m[r], extrapolate=extrapolate or False)
            ok = np.flatnonzero(~np.isnan(m[r]))
            for t in np.flatnonzero(how != ""):
                if how[t] == "interpolated":
                    i = np.searchsorted(ok, t)  # ok[i - 1] < t < ok[i]
                    a, b = ok[i - 1], ok[i]
                    why = reason("interpolated", y0=years[a], v0=m[r, a], y1=years[b], v1=m[r, b])
                else:
                    why = reason("extrapolated", method=f"@audit.word.extrapolate_{extrapolate}",
                                 y0=years[ok[0]], y1=years[ok[-1]])
                rows.append(_audit_row(region=grid.regions[r], year=years[t], variable=v, action=how[t],
                                       old=np.nan, new=new[t], **why))
            m[r] = new
        filled[v] = m.reshape(-1)
    return pd.DataFrame(filled, index=grid.index, columns=list(grid.wide.columns)), rows


def _evaluate_formulas(raw: pd.DataFrame, spec: Spec):
    """Compute every indicator per region-year (dependencies first); audit rows ``missing`` for division by zero."""
    rows, values = [], {}
    env = {v: raw[v].to_numpy() for v in raw.columns}
    index = raw.index
    for iid in spec.derived:
        ind = spec[iid]
        f = ind.parsed
        local = {n: (values[n] if (n in values and n != iid) else env[n]) for n in f.variables}
        val, zero = f.evaluate(local)
        rows.extend(_audit_row(region=index[k][0], year=index[k][1], variable=iid, action="missing",
                               **reason("formula_zero_division", formula=ind.formula), old=None, new=np.nan)
                    for k in np.flatnonzero(zero))
        present = np.logical_and.reduce([~np.isnan(np.asarray(local[n], dtype=float)) for n in f.variables]) \
            if f.variables else np.ones(val.shape, dtype=bool)
        over = np.isinf(val) | (np.isnan(val) & present & ~zero)  # ±inf, or inf − inf from two overflows
        if over.any():  # a result beyond the range of floats (extreme inputs): missing, with its reason
            rows.extend(_audit_row(region=index[k][0], year=index[k][1], variable=iid, action="missing",
                                   **reason("formula_overflow", formula=ind.formula),
                                   old=float(val[k]), new=np.nan) for k in np.flatnonzero(over))
            val = np.where(over, np.nan, val)
        values[iid] = val
    for ind in spec.indicators:
        if ind.id not in values:
            values[ind.id] = env[ind.id]
    X = pd.DataFrame({i: np.asarray(values[i], dtype=float) for i in spec.ids}, index=index)
    return X, rows


def _shown_region(r, shown: dict) -> str:
    """A region id as the user reads it: the name written in the data (or a province's name) and the id."""
    name = shown.get(r)
    if name is None and re.fullmatch(r"\d{6}", str(r)):
        from . import regions as R

        try:
            name = R.name(str(r))
        except (InputError, ValueError, KeyError):
            name = None
    return f"{name} ({r})" if name and name != r else repr(r)


def _restrict_to_study(X: pd.DataFrame, grid: _Grid, exclude_regions, period, shown=None, names=None):
    """Drop excluded regions, then region-years outside the study period, one ``dropped`` audit row each."""
    rows, shown, names = [], shown or {}, names or OPTION_NAMES["api"]
    if exclude_regions:
        excl = {str(r) for r in exclude_regions}
        unknown = sorted(excl - set(grid.regions))
        if unknown:
            raise InputError(f"{names['exclude_regions']}: {', '.join(_shown_region(r, shown) for r in unknown)} "
                             f"{'is not a region' if len(unknown) == 1 else 'are not regions'} of the data; its "
                             f"regions are {', '.join(_shown_region(r, shown) for r in grid.regions[:40])}"
                             + (" …" if len(grid.regions) > 40 else "")
                             + "; exclude regions of the data only")
        gone = X.index.get_level_values("region").isin(list(excl))
        rows.extend(_audit_row(region=r, year=int(y), action="dropped",
                               **reason("excluded")) for r, y in X.index[gone])
        X = X[~gone]
    if period is not None:
        y0, y1 = period
        first, last = min(grid.years), max(grid.years)
        if y0 > y1:
            raise InputError(f"study period {y0}-{y1}: the first year is after the last; give (first, last)")
        if y0 < first or y1 > last:
            raise InputError(f"study period {y0}-{y1} is not within the years of the data "
                             f"({first}-{last}); choose first and last years inside it")
        yv = X.index.get_level_values("year")
        out = (yv < y0) | (yv > y1)
        rows.extend(_audit_row(region=r, year=int(y), action="dropped", **reason("outside_period", y0=y0, y1=y1))
                    for r, y in X.index[out])
        X = X[~out]
    if not len(X):
        raise InputError("no region-year is left for the study after excluding "
                         + (f"{len(set(map(str, exclude_regions)))} region(s)" if exclude_regions else "")
                         + (" and " if exclude_regions and period else "")
                         + (f"the years outside {period[0]}-{period[1]}" if period else "")
                         + "; exclude fewer regions or choose another study period")
    return X, rows


def _check_complete(X: pd.DataFrame, grid: _Grid, drop_incomplete, shown, audit=(), names=None,
                    period_set: bool = False):
    """Raise InputError for region-years still missing an indicator, or drop them with ``dropped`` audit rows.
    Values missing because a formula divided by zero or overflowed (its ``missing`` audit rows) are named as
    such."""
    names = names or OPTION_NAMES["api"]
    incomplete = X.isna().any(axis=1)
    if not incomplete.any():
        return X, []
    bad = X[incomplete]
    lines = [f"{shown.get(r, r)} {y}: {', '.join(bad.columns[isna])}"
             for (r, y), isna in zip(bad.index, bad.isna().to_numpy())]
    # (cause, indicator) → (formula, region-years) of the formula's missing rows still in the study
    causes = {"division by zero": "division by zero", "overflow": "overflow (a result beyond ±1.8e308)"}
    gaps: dict = {}
    for a in audit:
        why = str(a.get("reason", ""))
        cause = next((c for c in causes if why.startswith(c)), None)
        if a.get("action") == "missing" and cause and (a["region"], a["year"]) in bad.index:
            formula = re.search(r"formula ('.*'|\".*\")", why)
            gaps.setdefault((cause, a["variable"]), (formula.group(1) if formula else "", []))[1] \
                .append(f"{shown.get(a['region'], a['region'])} {a['year']}")
    if gaps and not drop_incomplete:
        n = sum(len(v[1]) for v in gaps.values())
        parts = [f"{causes[cause]} in the formula of indicator {iid!r} ({formula}) at " + ", ".join(at[:10])
                 + (f" … and {len(at) - 10} more" if len(at) > 10 else "")
                 for (cause, iid), (formula, at) in gaps.items()]
        hit = {rw for _, at in gaps.values() for rw in at}
        rest = sum(ln.split(": ", 1)[0] not in hit for ln in lines)
        more = f" … and {len(lines) - 20} more" if len(lines) > 20 else ""
        kinds = {cause for cause, _ in gaps}
        why = " or ".join(sorted(kinds))
        cure = ("A denominator is zero in the data" if kinds == {"division by zero"} else
                "An extreme value in the data takes a formula beyond the range of numbers" if kinds == {"overflow"}
                else "The data hold a zero denominator or an extreme value")
        raise InputError(
            f"{n} indicator value(s) are missing because of " + "; because of ".join(parts)
            + "; region-years missing indicators (with those computed from them): " + "; ".join(lines[:20]) + more
            + (f" ({rest} of them miss values after interpolation, not by {why})" if rest else "")
            + f". {cure}: correct the data, change the formula, or drop those region-years "
            f"({names['drop_incomplete']}), each recorded in the audit.")
    if not drop_incomplete:
        more = f" … and {len(lines) - 20} more" if len(lines) > 20 else ""
        # regions missing an indicator in every year of the study: leaving them out is the usual cure
        regs = bad.index.get_level_values(0)
        n_years = X.index.get_level_values(1).nunique()
        whole_regions = [r for r, k in pd.Series(regs).value_counts(sort=False).items() if k == n_years]
        whole = (f"leave out {', '.join(str(shown.get(r, r)) for r in whole_regions[:10])}, which miss(es) an "
                 f"indicator in every year ({names['exclude_regions']} {','.join(str(shown.get(r, r)) for r in whole_regions[:10])}), "
                 if whole_regions else "")
        raise InputError(
            f"{len(lines)} region-year(s) still miss indicator values after interpolation "
            f"(leading/trailing gaps are not extrapolated): " + "; ".join(lines[:20]) + more +
            ". Fix the data, " + whole + ("" if period_set else f"set a study period ({names['years']}), ")
            + "extrapolate the leading and trailing gaps "
            f"({names['extrapolate']}), or drop them ({names['drop_incomplete']}), each recorded in the audit.")
    in_input = set(map(tuple, grid.observed.to_numpy().tolist()))
    rows = [_audit_row(region=r, year=int(y), variable=line.split(": ", 1)[1], action="dropped",
                       **reason("incomplete" if (r, y) in in_input else "incomplete_absent"),
                       old=None, new=None)
            for (r, y), line in zip(bad.index, lines)]
    if incomplete.all():
        raise InputError(f"every one of the {len(X)} region-years misses indicator values (e.g. {lines[0]}), so "
                         f"dropping the incomplete ones ({names['drop_incomplete']}) leaves nothing; fill the gaps in "
                         "the data, extrapolate them, or "
                         "leave out the indicators that are always missing")
    return X[~incomplete], rows


def _audit_table(rows: list, prior) -> pd.DataFrame:
    """The audit rows of this stage as a table, after the input's own audit (if any)."""
    aud = pd.DataFrame(rows, columns=AUDIT_COLUMNS) if rows else empty_audit()
    if prior is not None and len(prior):
        aud = pd.concat([prior, aud], ignore_index=True)
    return aud
