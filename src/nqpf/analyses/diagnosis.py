"""Strategic focus per region (the paper's section 四): tiers, trends, spatial roles, shortboards,
partners and the recommendation rendered from the rules in the output language.

Option (``pipeline.analyze(options={...})``): ``tier_basis`` = ``"mean"`` (default: tiers of each
region's mean score over the period) or ``"last"`` (tiers of the last year's scores); recorded as
the parameter ``tier_basis`` and the convention ``tier_basis.<basis>``."""
from __future__ import annotations

import warnings

from .. import diagnose as _dg
from ..i18n import pick
from ..results import LIST_SEP, Column, Table
from ._common import Context, Family, Option, describe
from .evolution import names as region_names

__all__ = ["FAMILY", "items", "item_namer"]

_DISPLAY = ("region", "tier", "trend", "role", "shortboards", "partners", "focus")
_CODED = {"tier": "tier", "tier_basis": "tier_basis", "trend": "trend", "direction": "direction",
          "role": "role", "role_first_year": "role", "role_last_year": "role", "quadrant_first": "quadrant",
          "quadrant_last": "quadrant"}


def item_namer(res, lang):
    """Indicator / group id → display name in ``lang`` (from the indicator system; a group path
    ``a/b`` shows as its last part)."""
    table = dict(res.extras.get("item_names") or {})

    def name(x):
        x = str(x)
        for key in (x, x.rsplit("/", 1)[-1], x.split(":", 1)[-1]):
            if key in table:
                got = table[key]
                return pick(got, lang, default=key)
        return x.rsplit("/", 1)[-1]
    return name


def _render(data, lang, res):
    rn = region_names(res, lang)
    Y = res.Y
    return _dg.render_focus(data, lang, region_name=lambda r: rn.get(r, str(r)),
                            item_name=item_namer(res, lang), first_year=int(Y.columns[0]),
                            last_year=int(Y.columns[-1]), n_regions=len(Y.index))


def items(ctx: Context):
    Y = ctx.Y
    if Y.shape[1] < 3:
        warnings.warn(f"the strategy table needs at least 3 years to judge trends; the panel has "
                      f"{Y.shape[1]}: disparity and Moran's I are computed, the strategy table is not",
                      UserWarning, stacklevel=2)
        return [], {}
    ctx.step("strategy")
    w = ctx.w
    neighbours = {i: list(w.neighbors[i]) for i in w.id_order}
    local = ctx.data("moran_local") if "moran_local" in ctx.results else None
    basis = ctx.opt("diagnosis.tier_basis", "mean")
    strat = _dg.strategy_table(Y, local=local, neighbours=neighbours, obstacles=ctx.extras.get("obstacles_by_group"),
                               shortboard_level=ctx.extras.get("shortboard_level", 2), tier_basis=basis)
    given = {c: Column(c, "code", codes=f) for c, f in _CODED.items()}
    given["partners"] = Column("partners", "regions")
    given["shortboards"] = Column("shortboards", "items")
    given["rules"] = Column("rules", "text")
    cols = describe(strat, given) + (Column("focus", "rendered", render=_render),)
    params = {"list_separator": LIST_SEP, "tier_basis": basis, "conventions": [f"tier_basis.{basis}"]}
    # without an indicator system (scores alone) no region has shortboards: the reports leave out the empty
    # column rather than print it blank (the workbook and the CSV keep it)
    empty = strat["shortboards"].fillna("").astype(str).str.strip().eq("").all() if "shortboards" in strat else True
    display = tuple(c for c in _DISPLAY if not (c == "shortboards" and empty))
    return [Table("strategy", strat, cols, "strategy", display=display)], params


FAMILY = Family("diagnosis", items, order=90, help="strategic focus per region: tiers, trends, roles, shortboards, partners", options={
    "tier_basis": Option("mean", "tiers of each region's mean score over the period (mean) or of the last year's "
                         "scores (last)", str, ("mean", "last")),
})
