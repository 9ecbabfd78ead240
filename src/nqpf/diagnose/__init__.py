"""Strategic focus per region (section 四 of Ran et al. 2025): obstacles, tiers, trends, roles.

The paper closes with three strategic focuses: 因地制宜 (act on each region's own shortboard),
多核驱动 (strengthen growth cores, connect followers to them) and 多维协同 (pair high-potential
with low-potential regions). This package turns the measured scores into the evidence behind those
focuses and into one strategy row per region:

``obstacles``           obstacle degree of every indicator per region-year (障碍度, 短板)
``obstacles_by_group``  the same summed over the groups of the indicator system, at every level
``top_obstacles``       the ``k`` largest obstacles per region-year
``tiers``               level tier per year or of the period mean: ``high`` / ``upper-middle`` /
                        ``lower-middle`` / ``low``
``trends``              OLS trend per region, a trend type and a direction
``roles``               spatial role from the local Moran table: growth pole, spillover receiver, ...
``partners``            for low regions their high neighbours, for high regions their low neighbours
``load_rules``          read the rules table (the bundled one or a user's CSV)
``match_rules``         the rules chosen for one region's facts
``strategy_table``      one row per region: tier (of the period mean by default, ``tier_basis``),
                        trend, role, shortboards, partners, rule ids
``render_focus``        the recommendation sentence of every strategy row in one language

Every function takes plain DataFrames (score matrix ``Y``: regions × years; local Moran long table
``region, year, Ii, z, lag, quadrant, p_sim, cluster``; normalised indicator matrix indexed by
(``region``, ``year``); weights ``indicator, weight``) and returns a DataFrame of codes and numbers.
Words are chosen only by :func:`render_focus` (and the writers), from the catalogues of
:mod:`nqpf.i18n` and the rules' ``template_<lang>`` columns.
"""
from __future__ import annotations

from .obstacles import obstacles, obstacles_by_group, top_obstacles
from .rules import (
    FOCUS_ORDER, OPTIONAL_FIELDS, PLACEHOLDERS, RULE_COLUMNS, RULE_FIELDS, choose_rules, load_rules,
    match_rules,
)
from .strategy import (
    LEVEL_TOL, PEAK_TOL, STRATEGY_COLUMNS, TIER_BASES, path_phrase, render_focus, strategy_table,
)
from .typology import (
    DIRECTION_CODES, HIGH_TIERS, LOW_TIERS, ROLE_CODES, TIER_CODES, TREND_CODES, partners, roles,
    tiers, trends,
)

__all__ = [
    "TIER_CODES",
    "TREND_CODES",
    "DIRECTION_CODES",
    "ROLE_CODES",
    "HIGH_TIERS",
    "LOW_TIERS",
    "RULE_FIELDS",
    "OPTIONAL_FIELDS",
    "RULE_COLUMNS",
    "FOCUS_ORDER",
    "PLACEHOLDERS",
    "STRATEGY_COLUMNS",
    "TIER_BASES",
    "PEAK_TOL",
    "LEVEL_TOL",
    "obstacles",
    "obstacles_by_group",
    "top_obstacles",
    "tiers",
    "trends",
    "roles",
    "partners",
    "load_rules",
    "match_rules",
    "choose_rules",
    "strategy_table",
    "render_focus",
    "path_phrase",
]
