"""What every analysis family shares: the context it computes from, and column descriptions."""
from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..results import Column, RegionIndex

__all__ = ["Context", "Family", "Option", "PATH", "NO_TITLE", "describe", "user_frame", "map_codes", "figure_years",
           "skip_family", "file_options", "map_cost", "cells_cost"]


_MISSING = object()
#: :class:`Option` kind of options whose value names a file to read (see :func:`file_options`).
PATH = "path"


@dataclass(frozen=True)
class Option:
    """One option of an analysis family, as the API, the command line (``--set family.name=value``)
    and the config (``[family] name = value``) give it.

    ``kind`` is ``bool``, ``int``, ``float``, ``str`` or ``list`` (a list of strings; on the command
    line comma separated) or ``"number_or_str"`` (a number or one of ``choices``: a bandwidth such as
    ``silverman`` or ``0.05``) or :data:`PATH` (``"path"``: the name of a file the option reads, given as
    text or a path object and kept as text, case and all; ``""`` for none; a program serving other users,
    such as the web app, refuses such options by this kind: it does not read files named by a client);
    ``choices`` the allowed strings; ``check(value)`` returns an error text or None; ``low``/``high``
    bounds of numbers (inclusive).
    """

    default: Any
    help: str
    kind: Any = str
    choices: tuple = ()
    low: float | None = None
    high: float | None = None
    check: Callable[[Any], str | None] | None = None

    def parse(self, value, where: str):
        """``value`` (from the API, a config or the command line's text) as this option's kind, or
        :class:`~nqpf.errors.InputError` naming ``where`` and what is allowed."""
        import difflib

        from ..errors import InputError

        def bad(what):
            raise InputError(f"{where}: {what}")

        kind = self.kind
        v = value
        if kind is bool:
            if isinstance(v, str):
                low = v.strip().lower()
                if low in ("1", "true", "yes", "on"):
                    v = True
                elif low in ("0", "false", "no", "off"):
                    v = False
            if not isinstance(v, (bool, np.bool_)):
                bad(f"expects true or false, got {value!r}")
            v = bool(v)
        elif kind in (int, float) or kind == "number_or_str":
            if isinstance(v, str) and kind == "number_or_str" and v.strip().lower() in self.choices:
                v = v.strip().lower()
            else:
                if isinstance(v, str):
                    try:
                        v = float(v.strip()) if kind is not int else int(v.strip())
                    except ValueError:
                        hint = f" or one of {', '.join(self.choices)}" if self.choices else ""
                        bad(f"expects a {'whole ' if kind is int else ''}number{hint}, got {value!r}")
                if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
                    bad(f"expects a number, got {value!r}")
                if kind is int and float(v) != int(v):
                    bad(f"expects a whole number, got {value!r}")
                v = int(v) if kind is int else float(v)
                if not np.isfinite(v):
                    bad(f"expects a finite number, got {value!r}")
                if self.low is not None and v < self.low or self.high is not None and v > self.high:
                    lo = "" if self.low is None else f"≥ {self.low:g}"
                    hi = "" if self.high is None else f"≤ {self.high:g}"
                    bad(f"must be {' and '.join(x for x in (lo, hi) if x)}, got {value!r}")
        elif kind == PATH:
            if isinstance(v, os.PathLike):
                v = os.fspath(v)
            if not isinstance(v, str):
                bad(f"expects a file name, got {value!r}")
            v = v.strip()
        elif kind is list:
            if isinstance(v, str):
                v = [x.strip() for x in v.split(",") if x.strip()]
            if not isinstance(v, (list, tuple)):
                bad(f"expects a list, got {value!r}")
            v = [x if isinstance(x, (int, float)) and not isinstance(x, bool) else str(x) for x in v]
            if self.choices:
                for x in v:
                    if str(x) not in self.choices:
                        close = difflib.get_close_matches(str(x), list(self.choices), n=1)
                        bad(f"unknown value {x!r}" + (f"; did you mean {close[0]!r}?" if close else "")
                            + f" (one of {', '.join(self.choices)})")
        else:
            if not isinstance(v, str):
                bad(f"expects text, got {value!r}")
            v = v.strip()
            if self.choices and v.lower() not in self.choices:
                close = difflib.get_close_matches(v.lower(), list(self.choices), n=1)
                bad(f"unknown value {value!r}" + (f"; did you mean {close[0]!r}?" if close else "")
                    + f" (one of {', '.join(self.choices)})")
            if self.choices:
                v = v.lower()
        if self.check is not None:
            msg = self.check(v)
            if msg:
                bad(msg)
        return v


@dataclass(frozen=True)
class Family:
    """An analysis family: ``items(ctx) -> (items, params)``, its options, whether it runs by default
    and its place in the order (families later in the order may read earlier ones' items)."""

    name: str
    items: Callable
    options: Mapping[str, Option] = field(default_factory=dict)
    order: float = 50
    default: bool = True
    help: str = ""


@dataclass
class Context:
    """Inputs of the analyses of one study (filled as the families run).

    ``Y`` is the score matrix (region ids × years) in canonical region order, ``w`` the spatial weights
    aligned to it, ``regions`` the region identity, ``groups`` region id → group code (NBS four
    regions for provinces) or None, ``options`` the analysis options, ``results`` the items produced
    so far (key → item), ``extras`` objects later families and figures need.
    """

    Y: pd.DataFrame
    regions: RegionIndex
    w: Any = None
    groups: Mapping | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    results: dict = field(default_factory=dict)
    extras: dict = field(default_factory=dict)
    step: Callable[[str], None] = lambda s: None

    def opt(self, key, default=None):
        """An option: a common one (``permutations``, ``seed``, ``alpha`` …) or a family's, named
        ``family.option`` (filled with its declared default by the pipeline)."""
        return self.options.get(key, default)

    def data(self, key: str) -> pd.DataFrame:
        """The data of an item produced earlier."""
        return self.results[key].data


_P_NAMES = ("p", "p_value")


def _kind(name: str, s: pd.Series) -> str:
    lname = name.lower()
    if name == "region":
        return "region"
    if name == "year":
        return "year"
    if pd.api.types.is_bool_dtype(s):
        return "bool"
    if pd.api.types.is_numeric_dtype(s):
        if lname in _P_NAMES or lname.startswith("p_") or lname.endswith("_p"):
            return "p"
        if pd.api.types.is_integer_dtype(s) or lname in ("n", "n_islands", "rank", "row", "count"):
            vals = s.dropna().to_numpy(dtype=float)
            if np.all(np.isfinite(vals)) and np.all(vals == np.round(vals)):
                return "int"
        return "float"
    return "text"


def describe(df: pd.DataFrame, given: Mapping[str, Column] | None = None, *, qualified: str | None = None,
             names: Mapping[str, Mapping[str, str]] | None = None) -> tuple[Column, ...]:
    """Column descriptions of ``df``: those ``given`` by name, the rest inferred from the data.

    ``qualified`` names the category family of the codes inside brackets in per-group column names
    (``theil_T[east]`` → label ``col.theil_T`` and ``cat.<family>.east``); ``names`` gives headers per
    language for columns named by the user's data (indicator ids, sub-indices).
    """
    given = dict(given or {})
    out = []
    for c in df.columns:
        c = str(c)
        if c in given:
            out.append(given[c])
            continue
        kind = _kind(c, df[c])
        if names and c in names:
            out.append(Column(c, kind, names=dict(names[c])))
        elif qualified and "[" in c and c.endswith("]"):
            base, inner = c[:-1].split("[", 1)
            out.append(Column(c, kind, qualifier=(qualified, *[v.strip() for v in inner.split(",")])))
        else:
            out.append(Column(c, kind))
    return tuple(out)


def user_frame(df: pd.DataFrame, regions: RegionIndex) -> pd.DataFrame:
    """``df`` with its ``region`` index or column as a column of region ids (a flat copy)."""
    if "region" not in df.columns:
        df = df.reset_index()
    return df.reset_index(drop=True).copy()


def map_codes(ctx: Context) -> dict | None:
    """Region id → six-digit GB/T 2260 code of every region as drawn on the map, when the panel can be
    drawn on a map of China (provinces, prefecture-level cities or counties, one level:
    :func:`nqpf.plot.maps.map_level`; municipalities given by their province code among prefecture-level
    cities are drawn whole as city-level units, :func:`nqpf.plot.maps.codes_at_level`), else None. A
    panel of Chinese units mixing levels in another way gets no maps and one ``UserWarning`` saying so.

    The codes are the region index's (``ctx.regions.codes``) when every region has one; otherwise the
    region ids read as Chinese units (:func:`nqpf.regions.normalize_admin_many`: codes, full or short
    names of one level), as the ellipse family reads them. Computed once per context (kept in
    ``ctx.extras["_map_codes"]``).
    """
    if "_map_codes" in ctx.extras:
        return ctx.extras["_map_codes"]
    ids = list(ctx.Y.index)
    got = {i: str(ctx.regions.codes[i]) for i in ids if i in (ctx.regions.codes or {})}
    if len(got) != len(ids):
        from ..errors import InputError, UnknownRegionError
        from ..regions import normalize_admin_many

        try:
            got = dict(zip(ids, (str(c) for c in normalize_admin_many([str(i) for i in ids]))))
        except (UnknownRegionError, InputError, ValueError, TypeError):
            got = {}
    out = None
    if got and len(got) == len(ids) and len(set(got.values())) == len(ids):
        import warnings

        from ..errors import InputError, UnknownRegionError
        from ..plot.maps import codes_at_level, level_counts, map_level

        try:
            level = map_level(got.values())
            out = dict(zip(got, codes_at_level(got.values(), level)))
        except (InputError, UnknownRegionError) as e:
            n = level_counts(got.values())
            if "mix levels" in str(e) and not n["unknown"]:   # Chinese units of several levels: said once
                mix = ", ".join(f"{k} {lv}" for lv, k in n.items() if k)
                warnings.warn(f"maps skipped: the regions mix administrative levels ({mix}); a map needs one "
                              "level: provinces, prefecture-level cities (the municipalities 北京, 天津, 上海, "
                              "重庆 may be among them) or counties", UserWarning, stacklevel=2)
    ctx.extras["_map_codes"] = out
    return out


#: The title drawn inside a figure of the report: none. The report puts a numbered caption under every
#: figure (journal style), so a title inside would repeat it; panel labels (the years of the panels, the
#: year of a map) stay, as they tell the panels apart.
NO_TITLE = ""


def map_cost(n_regions: int) -> float:
    """``Figure.cost`` of a map of ``n_regions`` units (1: a simple chart of 29 provinces; measured: a
    provincial map costs about 1.2, a county map of 2,875 units about 30)."""
    return 1.0 + n_regions / 100.0


def cells_cost(rows: int, cols: int, annotated: bool = True) -> float:
    """``Figure.cost`` of a heatmap of ``rows × cols`` cells, each with its value written in it when
    ``annotated`` (measured: 29 provinces × 13 years annotated cost about 5 simple charts)."""
    return 1.0 + rows * cols / (80.0 if annotated else 2000.0)


def figure_years(ctx: Context) -> list[int]:
    """Years of the maps and per-year figures: the common option ``figure_years``, else the first and
    the last year of the panel."""
    return [int(y) for y in (ctx.opt("figure_years") or [ctx.Y.columns[0], ctx.Y.columns[-1]])]


def skip_family(family: str, reason: str, *, stacklevel: int = 3) -> None:
    """Warn, in one line, that the family ``family`` produces nothing because ``reason`` (what its input
    lacks), and how to leave it out: ``--skip <family>`` on the command line, ``[analyses] skip`` in a
    config, ``skip=[...]`` in the API."""
    import warnings

    warnings.warn(f"{family}: {reason}; not computed (leave it out with --skip {family}, or in the config "
                  f"[analyses] skip = [\"{family}\"])", UserWarning, stacklevel=stacklevel)


def file_options(families=None) -> set[str]:
    """``family.option`` names of the options whose value names a file (kind :data:`PATH`), among
    ``families`` (name → :class:`Family`; default every family, :data:`nqpf.analyses.FAMILIES`)."""
    if families is None:
        from . import FAMILIES as families
    return {f"{fn}.{on}" for fn, fam in families.items() for on, o in fam.options.items() if o.kind == PATH}
