"""The strategy table (codes and numbers) and its recommendation sentences (rendered per language).

``strategy_table``  one row per region: tier, trend, direction, spatial role, shortboards,
                    partners and the ids of the rules that apply, with the numbers behind them
``render_focus``    the recommendation sentence of every row in one language, from the rules'
                    ``template_<lang>`` column and the catalogue (:mod:`nqpf.i18n`)
``path_phrase``     a region's path (slope, R², end scores, a notable peak) in words

The table never holds words: a language is chosen only when :func:`render_focus` is called, by
the writers.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from string import Formatter

import numpy as np
import pandas as pd

from ..errors import InputError
from ..i18n import check_lang, flag, lang_code, t
from ._common import check_scores, join_ids, split_ids
from .rules import CODED_PLACEHOLDERS, choose_rules, load_rules, template_column
from .typology import partners, roles, tiers, trends

__all__ = ["STRATEGY_COLUMNS", "TIER_BASES", "PEAK_TOL", "LEVEL_TOL", "strategy_table",
           "render_focus", "path_phrase"]

#: Columns of :func:`strategy_table`, in order.
STRATEGY_COLUMNS = (
    "region", "tier", "tier_basis", "trend", "direction", "role", "role_first_year",
    "role_last_year", "quadrant_first", "quadrant_last", "shortboards", "partners", "rules", "score_first",
    "score_last", "net_change", "rel_change", "peak_year", "peak", "rank_last", "mean", "slope",
    "rel_slope", "R2", "cv_resid",
)
#: What the tiers of :func:`strategy_table` classify: ``"mean"`` each region's mean score over the
#: period (the default), ``"last"`` its score in the last year.
TIER_BASES = ("mean", "last")
#: A peak inside the period is cited when it exceeds both end scores by this share of the mean.
PEAK_TOL = 0.05
#: End scores closer than this share of the mean are worded as "about level".
LEVEL_TOL = 0.01
#: Roles that come from a significant local cluster (their quadrant is the cluster).
_CLUSTER_ROLES = frozenset({"growth_pole", "spillover_receiver", "lagging_cluster"})
#: Placeholders holding names: a Latin name is set off from adjacent CJK text, letters and digits.
_NAME_FIELDS = frozenset({"region", "partners", "shortboards"})
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z0-9]")


# ----------------------------------------------------------------------------------------------
# the table
# ----------------------------------------------------------------------------------------------
def _roles_for(local, regions) -> pd.DataFrame | None:
    """:func:`roles` indexed by region, covering every region (``None`` without a local table)."""
    if local is None:
        return None
    rl = roles(local).set_index("region")
    absent = [r for r in regions if r not in rl.index]
    if absent:
        raise InputError(f"local: no local Moran rows for region(s) {absent}")
    return rl


def _shortboards(obstacles, regions, last_year, n: int, level: int) -> dict:
    """Region → ids of its ``n`` largest obstacles of the last year (indicator ids, or group
    paths at ``level`` clipped to the deepest level of a group table)."""
    sb: dict = {r: [] for r in regions}
    if obstacles is None:
        return sb
    ob, key = obstacles, "indicator"
    if "group" in ob.columns and "level" in ob.columns:
        lvl = min(level, int(ob["level"].max()))
        ob, key = ob[ob["level"] == lvl], "path"
    ob = ob[ob["year"] == last_year]
    if ob.empty:
        raise InputError(f"obstacles: no rows for the last year {last_year} of the scores")
    from .obstacles import top_obstacles

    for r, g in top_obstacles(ob, top_k=n).groupby("region", sort=False):
        sb[r] = list(g[key])
    return sb


def _partner_lists(Y, neighbours, tier: pd.Series, rl, basis: str) -> dict:
    """Region → its partner regions (:func:`partners` on the tiers and the scores of ``basis``:
    partners ordered by mean score with ``"mean"``, by last-year score with ``"last"``), empty
    without ``neighbours``."""
    pt: dict = {r: [] for r in Y.index}
    if neighbours is None:
        return pt
    pr = partners(Y, neighbours, tier, roles=rl.reset_index() if rl is not None else None,
                  year="mean" if basis == "mean" else None)
    for r, g in pr.groupby("region", sort=False):
        pt[r] = list(g["partner"])
    return pt


def _codes_and_numbers(Y, tr, basis, td, rl, sb, pt) -> pd.DataFrame:
    """The strategy columns but ``rules``, one row per region in the order of ``Y``."""
    ids = Y.index
    fy, ly = Y.columns[0], Y.columns[-1]
    rank_last = (-Y[ly]).rank(method="min").astype(int)  # of the last year, whatever the tiers

    def from_roles(col, default):
        return rl[col].reindex(ids).to_numpy(object) if rl is not None else [default] * len(ids)

    td = td.reindex(ids)
    return pd.DataFrame({
        "region": ids,
        "tier": tr["tier"].reindex(ids).to_numpy(object),
        "tier_basis": basis,
        "trend": td["trend"].to_numpy(object),
        "direction": td["direction"].to_numpy(object),
        "role": from_roles("role", "unknown"),
        "role_first_year": from_roles("role_first_year", ""),
        "role_last_year": from_roles("role_last_year", ""),
        "quadrant_first": from_roles("quadrant_first", ""),
        "quadrant_last": from_roles("quadrant_last", ""),
        "shortboards": [join_ids(sb[r], "obstacles") for r in ids],
        "partners": [join_ids(pt[r], "neighbours") for r in ids],
        "score_first": Y[fy].to_numpy(float), "score_last": Y[ly].to_numpy(float),
        "net_change": td["net_change"].to_numpy(float),
        "rel_change": td["rel_change"].to_numpy(float),
        "peak_year": td["peak_year"].to_numpy(int), "peak": td["peak"].to_numpy(float),
        "rank_last": rank_last.to_numpy(int), "mean": td["mean"].to_numpy(float),
        "slope": td["slope"].to_numpy(float), "rel_slope": td["rel_slope"].to_numpy(float),
        "R2": td["R2"].to_numpy(float), "cv_resid": td["cv_resid"].to_numpy(float),
    })


def _facts(table: pd.DataFrame) -> pd.DataFrame:
    """The facts the rules read, from the codes of the strategy table."""
    return pd.DataFrame({
        "tier": table["tier"], "trend": table["trend"], "direction": table["direction"],
        "role": table["role"],
        "has_shortboards": np.where(table["shortboards"] != "", "yes", "no"),
        "has_partners": np.where(table["partners"] != "", "yes", "no"),
    })


def _check_basis(tier_basis) -> str:
    if tier_basis not in TIER_BASES:
        raise InputError(f"tier_basis={tier_basis!r}; use 'mean' (tiers of each region's mean score "
                         "over the period) or 'last' (tiers of the last year's scores)")
    return str(tier_basis)


def strategy_table(scores_wide: pd.DataFrame, local: pd.DataFrame | None = None,
                   neighbours: Mapping | None = None, obstacles: pd.DataFrame | None = None, *,
                   rules=None, k: int = 4, method: str = "natural_breaks", n_shortboards: int = 2,
                   shortboard_level: int = 2, trend_kw: Mapping | None = None,
                   tier_basis: str = "mean") -> pd.DataFrame:
    """One row per region: tier, trend, role, shortboards, partners and the rules that apply.

    Steps: :func:`~nqpf.diagnose.tiers` (``k``, ``method``) of each region's mean score over the
    period (``tier_basis="mean"``, the default: a region's level, which a one-year jump does not
    lift into another tier) or of the last year's scores (``tier_basis="last"``);
    :func:`~nqpf.diagnose.trends` over all years (``trend_kw``); :func:`~nqpf.diagnose.roles`
    from ``local`` (role ``unknown`` when not given); shortboards = the ``n_shortboards``
    largest obstacles of the last year in ``obstacles`` (an :func:`~nqpf.diagnose.obstacles`
    table, or an :func:`~nqpf.diagnose.obstacles_by_group` table at ``shortboard_level``,
    clipped to its deepest level); partners from :func:`~nqpf.diagnose.partners` when
    ``neighbours`` is given, on the same tiers (high neighbours of a low region, low neighbours of
    a high region or growth pole; ordered by the scores of the same basis). Then the rules table
    (:func:`~nqpf.diagnose.load_rules`; ``rules`` = path, DataFrame or None for the bundled one)
    chooses one rule per focus. The sentences are written
    by :func:`render_focus`, in the language of the output.

    Parameters
    ----------
    scores_wide : DataFrame
        Scores, regions × years (at least 3 years).
    local : DataFrame, optional
        Local Moran table ``region, year, quadrant, cluster, …`` (:func:`nqpf.spatial.moran_local`).
    neighbours : dict region → list of regions, optional
    obstacles : DataFrame, optional
    rules : path, DataFrame or None
    k : int
        Number of tiers (2–5).
    method : {"natural_breaks", "quantiles"}
    n_shortboards : int
    shortboard_level : int
    trend_kw : dict, optional
        Thresholds of :func:`~nqpf.diagnose.trends` (``slope_tol``, ``r2_min``, ``noise_tol``,
        ``net_tol``).
    tier_basis : {"mean", "last"}
        What the tiers classify (:data:`TIER_BASES`); recorded in the ``tier_basis`` column, which
        the sentences read (``{tier_basis}``: "by its 2010-2020 average" with ``"mean"``).
        ``rank_last`` is the last-year rank either way.

    Returns
    -------
    DataFrame
        Columns :data:`STRATEGY_COLUMNS`: ``region, tier, tier_basis, trend, direction, role,
        role_first_year, role_last_year, quadrant_first, quadrant_last, shortboards, partners,
        rules, score_first, score_last, net_change, rel_change, peak_year, peak, rank_last, mean,
        slope, rel_slope, R2, cv_resid``, ordered by last-year score (highest first; ties keep the
        order of ``scores_wide``). Codes only: ``tier``, ``tier_basis``, ``trend``,
        ``direction`` and the roles are category codes (``cat.<family>.<code>`` in the
        catalogues; ``role_first_year`` / ``role_last_year`` / quadrants ``""`` without
        ``local``); ``shortboards`` holds indicator
        ids or group paths (``a/b``) and ``partners`` region ids, each joined by ``";"``
        (:data:`nqpf.results.LIST_SEP`; ``""`` when none); ``rules`` the chosen rule ids joined
        by ``","`` in focus order.
    """
    Y = check_scores(scores_wide)
    basis = _check_basis(tier_basis)
    rules_table = load_rules(rules)
    ly = Y.columns[-1]
    tr = tiers(Y, k=k, method=method, year="mean" if basis == "mean" else ly).set_index("region")
    td = trends(Y, **(trend_kw or {})).set_index("region")
    rl = _roles_for(local, Y.index)
    sb = _shortboards(obstacles, Y.index, ly, n_shortboards, shortboard_level)
    pt = _partner_lists(Y, neighbours, tr["tier"], rl, basis)
    out = _codes_and_numbers(Y, tr, basis, td, rl, sb, pt)
    out["rules"] = [",".join(ids) for ids in choose_rules(rules_table, _facts(out))]
    out = out[list(STRATEGY_COLUMNS)]
    return out.sort_values("score_last", ascending=False, kind="stable").reset_index(drop=True)


# ----------------------------------------------------------------------------------------------
# sentences
# ----------------------------------------------------------------------------------------------
def _pct(x: float) -> str:
    """Signed percentage with one decimal; values that round to zero print as "0.0%"."""
    return "0.0%" if abs(x) < 0.0005 else f"{100 * x:+.1f}%"


def path_phrase(lang: str, first_year, last_year, first: float, last: float, peak_year,
                peak: float, mean: float, rel_slope: float, R2: float) -> str:
    """The numbers of a region's path in words of ``lang`` that never contradict each other.

    Slope and R² first; then the end scores. When the printed slope and the change first → last
    point in opposite directions, the ends are introduced by "but/although"
    (``strategy.path.ended_above`` / ``ended_below``) instead of "from … to …"; ends closer than
    :data:`LEVEL_TOL` of the mean are "about level"; a peak inside the period is cited when it
    exceeds both ends by :data:`PEAK_TOL` of the mean. The words are the catalogue entries
    ``strategy.path.*``; scores have 4 decimals, R² 2.

    Returns
    -------
    str
    """
    f4, l4 = f"{first:.4f}", f"{last:.4f}"
    slope = _pct(rel_slope)
    s_sign = 0 if slope == "0.0%" else (1 if rel_slope > 0 else -1)
    c_sign = 0 if abs(last - first) < LEVEL_TOL * mean or f4 == l4 else (1 if last > first else -1)
    show_peak = (peak_year not in (first_year, last_year)) and (peak - max(first, last) >= PEAK_TOL * mean)
    against = s_sign * c_sign < 0
    nums = {"first_year": str(first_year), "last_year": str(last_year), "first": f4, "last": l4}
    if c_sign == 0:
        ends = t("strategy.path.level", lang, **nums)
    elif against:
        key = "strategy.path.ended_below" if c_sign < 0 else "strategy.path.ended_above"
        ends = t(key, lang, **nums)
    else:
        ends = t("strategy.path.up" if c_sign > 0 else "strategy.path.down", lang, **nums)
    head = t("strategy.path.head", lang, slope=slope, R2=f"{R2:.2f}")
    if not show_peak:
        return t("strategy.path.plain", lang, head=head, ends=ends)
    pk = t("strategy.path.peak", lang, peak=f"{peak:.4f}", peak_year=str(peak_year))
    if c_sign == 0:
        return t("strategy.path.peak_level", lang, head=head, peak=pk, ends=ends)
    key = "strategy.path.peak_against" if against else "strategy.path.peak_along"
    return t(key, lang, head=head, peak=pk, ends=ends)


def _fill(template: str, ctx: Mapping, space_names: bool = True) -> str:
    """``template.format_map(ctx)``; with ``space_names`` (a CJK language, ``lang.cjk``), a space
    between a Latin name and adjacent CJK text, letters or digits.

    ``{region}2020年`` with region "Guangdong" gives "Guangdong 2020年", ``邻近的{partners}`` gives
    "邻近的 Hebei、Tianjin"; Chinese names and punctuation (，。、) are left as they are, and text
    that already has spaces around its names (English) is unchanged.
    """
    fmt = Formatter()
    segs: list[tuple[str, bool]] = []
    for lit, field, spec, conv in fmt.parse(template):
        if lit:
            segs.append((lit, False))
        if field is not None:
            v = ctx[field]
            v = format(fmt.convert_field(v, conv) if conv else v, spec or "")
            if v:
                segs.append((v, field in _NAME_FIELDS))
    out = ""
    for i, (text, is_name) in enumerate(segs):
        if space_names and i and out:
            prev_name = segs[i - 1][1]
            a, b = out[-1], text[0]
            latin_name_left = prev_name and _LATIN.match(a) and (_CJK.match(b) or _LATIN.match(b))
            latin_name_right = is_name and _LATIN.match(b) and (_CJK.match(a) or _LATIN.match(a))
            if latin_name_left or latin_name_right:
                out += " "
        out += text
    return out


class _Context(dict):
    """Placeholder values of one row; ``{tier_<lang>}``, ``{path_<lang>}`` … on demand."""

    def __init__(self, values, row, years):
        super().__init__(values)
        self._row, self._years = row, years

    def __missing__(self, key):
        for field in CODED_PLACEHOLDERS:  # {tier_zh}, {path_en}, {role_zh_Hant} …
            lang = lang_code(key[len(field) + 1:]) if key.startswith(field + "_") else None
            if lang is not None:
                value = _coded_word(field, self._row, lang, self._years)
                self[key] = value
                return value
        raise KeyError(key)


def _coded_word(field: str, row: Mapping, lang: str, years) -> str:
    """The word of a coded placeholder (``tier`` … ``role``, ``path``) of ``row`` in ``lang``."""
    check_lang(lang)
    if field == "path":
        return path_phrase(lang, years[0], years[1], row["score_first"], row["score_last"],
                           int(row["peak_year"]), row["peak"], row["mean"], row["rel_slope"],
                           row["R2"])
    return t(f"cat.{field}.{_code(row[field])}", lang)  # cat.tier.high, cat.role.growth_pole …


def _code(v) -> str:
    """A code cell as text; empty or missing → ``""``."""
    return "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)


def _tier_basis_phrase(row: Mapping, lang: str, years) -> str:
    """``{tier_basis}``: what the tier was classified on, in ``lang`` (catalogue
    ``strategy.tier_basis.<basis>``: "按2010—2020年平均水平" / " by its 2010-2020 average" for the
    period mean; nothing for the last year, whose rank the sentence already cites). A table
    without the column (written before it existed) had last-year tiers."""
    basis = _code(row.get("tier_basis")) or "last"
    if basis not in TIER_BASES:
        raise InputError(f"strategy: tier_basis {basis!r} of region {row.get('region')!r}; expected "
                         f"one of {list(TIER_BASES)}")
    return t(f"strategy.tier_basis.{basis}", lang, first_year=str(years[0]),
             last_year=str(years[1]))


def _names(ids_cell, namer: Callable, sep: str) -> str:
    return sep.join(str(namer(x)) for x in split_ids(ids_cell))


def _row_context(row: Mapping, lang: str, region_name, item_name, years, n: int) -> _Context:
    """Every placeholder of one strategy row in ``lang``."""
    sep = t("strategy.list_sep", lang)
    q_first, q_last = _code(row["quadrant_first"]), _code(row["quadrant_last"])
    cluster = q_last if _code(row["role_last_year"]) in _CLUSTER_ROLES else ""
    values = {
        "region": str(region_name(row["region"])),
        "shortboards": _names(row["shortboards"], item_name, sep),
        "partners": _names(row["partners"], region_name, sep),
        "score_first": f"{row['score_first']:.4f}", "score_last": f"{row['score_last']:.4f}",
        "rank_last": str(int(row["rank_last"])), "n_regions": str(n),
        "first_year": str(years[0]), "last_year": str(years[1]),
        "quadrant_first": q_first or "-", "quadrant_last": q_last or "-",
        "cluster_last": cluster or "-",
        "rel_slope_pct": _pct(row["rel_slope"]), "R2": f"{row['R2']:.2f}",
        "net_change": f"{row['net_change']:+.4f}", "rel_change_pct": _pct(row["rel_change"]),
        "peak": f"{row['peak']:.4f}", "peak_year": str(int(row["peak_year"])),
        "tier_basis": _tier_basis_phrase(row, lang, years),
    }
    ctx = _Context(values, row, years)
    for field in CODED_PLACEHOLDERS:
        ctx[field] = _coded_word(field, row, lang, years)
    return ctx


_NEEDED = ("region", "tier", "trend", "direction", "role", "role_last_year", "quadrant_first",
           "quadrant_last", "shortboards", "partners", "rules", "score_first", "score_last",
           "net_change", "rel_change", "peak_year", "peak", "rank_last", "mean", "rel_slope", "R2")


def render_focus(strategy: pd.DataFrame, lang: str, *, region_name: Callable[[object], str],
                 item_name: Callable[[str], str], first_year, last_year, n_regions=None,
                 rules=None) -> list[str]:
    """The recommendation sentence of every row of a strategy table, in ``lang``.

    For each row, the templates (column ``template_<lang>`` of the rules table) of the rules in its
    ``rules`` cell are filled and joined (catalogue ``strategy.sentence_sep``: nothing in Chinese,
    a space in English). Placeholders (see :func:`~nqpf.diagnose.load_rules`):

    - ``{tier}``, ``{trend}``, ``{direction}``, ``{role}``: the catalogue words ``cat.tier.<code>``
      … in ``lang`` (``{tier_zh}``, ``{role_en}`` …: in the language named);
    - ``{tier_basis}``: what the tier was classified on (column ``tier_basis``; catalogue
      ``strategy.tier_basis.mean``, e.g. "按2010—2020年平均水平", and ``strategy.tier_basis.last``,
      empty; a table without the column is read as ``"last"``);
    - ``{path}``: :func:`path_phrase` in ``lang`` (``{path_zh}``, ``{path_en}`` likewise);
    - ``{region}``: ``region_name(id)``; ``{partners}`` / ``{shortboards}``: ``region_name`` /
      ``item_name`` of each id, joined by ``strategy.list_sep`` ("、" in Chinese, ", " in English);
    - numbers pre-formatted (scores and net change 4 decimals, R² 2, percentages 1 with sign);
      ``{quadrant_*}`` the quadrant code or "-"; ``{cluster_last}`` the last-year quadrant when the
      last-year role comes from a significant cluster, else "-".

    A Latin name (region, partners, shortboards) is set off from adjacent CJK text, letters and
    digits by a space ("Guangdong 2020年得分…").

    Parameters
    ----------
    strategy : DataFrame
        A table of :func:`strategy_table` (its columns; any row order).
    lang : str
        A language with a catalogue (:data:`nqpf.i18n.LANGS`) and a template column.
    region_name : callable
        Region id → display name in ``lang``.
    item_name : callable
        Indicator id or group path (``a/b``) → display name in ``lang``.
    first_year, last_year : int
        The first and last year of the scores the table was computed from.
    n_regions : int, optional
        Number of regions ranked (default: the rows of ``strategy``).
    rules : path, DataFrame or None
        The rules table the strategy table was computed with (default the bundled one).

    Returns
    -------
    list of str
        One sentence per row of ``strategy``, in its order (``""`` for a row without rules).
    """
    lang = check_lang(lang)
    table = load_rules(rules)
    templates = dict(zip(table["rule_id"], table[template_column(table, lang)]))
    if not isinstance(strategy, pd.DataFrame):
        raise InputError(f"strategy: expected the table of strategy_table, got {type(strategy).__name__}")
    missing = [c for c in _NEEDED if c not in strategy.columns]
    if missing:
        raise InputError(f"strategy: missing column(s) {missing}; pass the table of strategy_table")
    n = len(strategy) if n_regions is None else int(n_regions)
    years = (int(first_year), int(last_year))
    joiner = t("strategy.sentence_sep", lang)
    space_names = flag("lang.cjk", lang)
    out = []
    for row in strategy.to_dict("records"):
        ids = [x for x in _code(row["rules"]).split(",") if x]
        unknown = [x for x in ids if x not in templates]
        if unknown:
            raise InputError(f"strategy: rule(s) {unknown} of region {row['region']!r} not in the "
                             "rules table; render with the rules the table was computed with")
        ctx = _row_context(row, lang, region_name, item_name, years, n)
        out.append(joiner.join(_fill(templates[x], ctx, space_names) for x in ids))
    return out
