"""The composite index built from raw indicators: weights, group weights, normalised values, scores with
sub-indices, obstacle degrees, the audit, and the dimension profiles."""
from __future__ import annotations

import pandas as pd

from ..results import Column, Figure, Table
from ._common import describe
from .scores import scores_table

__all__ = ["index_items", "obstacle_items", "audit_table", "item_names"]


def item_names(spec) -> dict:
    """Indicator and group id → {"zh": name, "en": name} from the indicator system."""
    out = {}
    for g, lab in (getattr(spec, "group_labels", None) or {}).items():
        if isinstance(lab, dict):
            out[g] = {"zh": lab.get("name_zh") or g, "en": lab.get("name_en") or g}
        else:
            out[g] = {"zh": g, "en": str(lab)}
    for ind in spec.indicators:
        out[ind.id] = {"zh": ind.name_zh or ind.id, "en": ind.name_en or ind.id}
    return out


def _sub_names(columns, names) -> dict:
    """Headers of ``level:group`` sub-index columns and indicator columns."""
    out = {}
    for c in columns:
        key = str(c).split(":", 1)[-1]
        if key in names:
            out[str(c)] = names[key]
    return out


def audit_table(audit: pd.DataFrame) -> Table:
    audit = audit.reset_index(drop=True)
    given = {"region": Column("region", "region"), "year": Column("year", "year"),
             "row": Column("row", "int"), "stage": Column("stage", "code", codes="stage"),
             "action": Column("action", "code", codes="action")}
    for c in ("file", "sheet", "column", "variable", "old", "new", "reason_code", "reason_args"):
        given[c] = Column(c, "text")
    given["reason"] = Column("reason", "reason")
    shown = tuple(c for c in audit.columns if c not in ("reason_code", "reason_args"))
    return Table("audit", audit, describe(audit, given), "appendix", order=9, long=True, display=shown)


def index_items(build, *, with_scores: bool = True) -> list:
    """Items of an :class:`~nqpf.pipeline.IndexBuild`: ``weights, group_weights, scores, normalized,
    audit``."""
    spec, ires = build.spec, build.index
    names = item_names(spec)
    w = ires.weights.reset_index(drop=True)
    out = [Table("weights", w, describe(w, {"indicator": Column("indicator", "item")}), "weights")]
    gw = build.group_weights
    out.append(Table("group_weights", gw, describe(gw, {
        "group_level": Column("group_level", "code", codes="level"), "group_name": Column("group_name", "item"),
        "member_level": Column("member_level", "code", codes="level"), "member": Column("member", "item")}),
        "weights", order=1))
    if with_scores:
        sc = ires.scores.reset_index()
        out += scores_table(sc, names=_sub_names(sc.columns, names))
    nz = ires.normalized.reset_index()
    out.append(Table("normalized", nz, describe(nz, names=_sub_names(nz.columns, names)), "appendix",
                     long=True))
    out.append(audit_table(build.audit))
    return out


def obstacle_items(obst: pd.DataFrame, by_group: pd.DataFrame) -> list:
    """``obstacles`` (per indicator) and ``obstacles_by_group`` (summed over each group)."""
    o = obst.reset_index(drop=True)
    given = {"indicator": Column("indicator", "item"), "top": Column("top", "bool"),
             "I": Column("I", label="col.deviation")}   # the deviation 1 − x′, not Moran's I
    for c in o.columns:
        if str(c).startswith("level_"):
            given[c] = Column(c, "item", label="col.level_n")
    g = by_group.reset_index(drop=True)
    return [
        Table("obstacles", o, describe(o, given), "obstacles", long=True),
        Table("obstacles_by_group", g, describe(g, {
            "level_name": Column("level_name", "code", codes="level"), "group": Column("group", "item"),
            "path": Column("path", "item")}), "obstacles", order=1, long=True),
    ]


def profile_figures(build, Y) -> list:
    """Dimension profile of the leading and the last region of the last year."""
    last = int(Y.columns[-1])
    out = []
    for n, (tag, reg) in enumerate((("first", Y[last].idxmax()), ("last", Y[last].idxmin()))):
        out.append(Figure(f"profile_{tag}", lambda res, lang, reg=reg: _draw_profile(res, lang, reg, last),
                          "evolution", f"figure.profile_{tag}", order=2 + n / 10))
    return out


def _draw_profile(res, lang, region, year):
    from .. import plot
    from .evolution import names as region_names

    build = res.extras["build"]
    prof, cols, names = build.profile_frame(lang)
    return plot.plot_profile(prof, region, lang=lang, names=region_names(res, lang), subindex_names=names,
                             year=year, subindices=["score"] + cols)
