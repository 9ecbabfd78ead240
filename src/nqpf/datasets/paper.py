"""The paper's own data: Table 3 beside the global Moran's I recomputed from its Table 2."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd

from ..results import Column, Table

__all__ = ["table3_comparison", "table3_item"]

#: The paper prints three decimals.
_TOL = 0.0005 + 1e-9
#: z within the effect of Table 2's four-decimal rounding (docs/table3.md).
_Z_ROUNDING = 0.0025


def table3_comparison(moran_global: pd.DataFrame) -> pd.DataFrame:
    """The paper's Table 3 beside our global Moran's I on its printed Table 2.

    Table 3 is reproduced with the randomisation z and its one-sided ('greater') p (R spdep's
    ``moran.test`` defaults); see ``docs/table3.md``. ``I_matches``, ``z_matches``, ``p_matches`` are
    true where each agrees to the three printed decimals; ``reproduced`` where I and p agree to three
    decimals and z within the effect of Table 2's four-decimal rounding. ``note`` is a code: ``misprint``
    (a cell of Table 2 is misprinted: ``misprint_region``, ``printed``, ``corrected``), ``z_rounding``
    (z differs within the rounding of Table 2) or empty.
    """
    from . import data_path, load_ran2025_moran

    conv = json.loads(data_path("table3_conventions.json").read_text(encoding="utf-8"))
    paper = load_ran2025_moran()
    comp = paper.rename(columns={"I": "I_paper", "z": "z_paper", "p": "p_paper"}).merge(
        moran_global[["year", "I", "z_rand", "p_rand"]], on="year", how="left")
    dz = (comp["z_paper"] - comp["z_rand"]).abs()
    comp["I_matches"] = (comp["I_paper"] - comp["I"]).abs() <= _TOL
    comp["z_matches"] = dz <= _TOL
    comp["p_matches"] = (comp["p_paper"] - comp["p_rand"]).abs() <= _TOL
    comp["reproduced"] = comp["I_matches"] & comp["p_matches"] & (dz <= _Z_ROUNDING)
    corr = conv.get("score_corrections", {})
    note, region, printed, corrected = [], [], [], []
    for _, r in comp.iterrows():
        y = str(int(r["year"]))
        slips = [(code, v[y]) for code, v in corr.items() if y in v]
        if slips:
            code, v = slips[0]
            note.append("misprint"), region.append(code)
            printed.append(float(v["printed"])), corrected.append(float(v["corrected"]))
            continue
        note.append("z_rounding" if (not r["z_matches"] and r["reproduced"]) else "")
        region.append(""), printed.append(np.nan), corrected.append(np.nan)
    comp["note"] = note
    comp["misprint_region"] = region
    comp["printed"] = printed
    comp["corrected"] = corrected
    return comp


def _note_text(data: pd.DataFrame, lang: str, res) -> list[str]:
    from ..i18n import region_name, t

    out = []
    for _, r in data.iterrows():
        if r["note"] == "misprint":
            out.append(t("note.table3_misprint", lang, region=region_name(r["misprint_region"], lang),
                         year=int(r["year"]), printed=f"{r['printed']:g}", corrected=f"{r['corrected']:g}"))
        elif r["note"]:
            out.append(t(f"note.table3_{r['note']}", lang))
        else:
            out.append("")
    return out


def table3_item(moran_global: pd.DataFrame) -> Table:
    """:func:`table3_comparison` as a report table (spatial section, after the global Moran's I)."""
    from ..analyses import describe

    comp = table3_comparison(moran_global)
    cols = describe(comp, {"note": Column("note", "code", codes="table3_note"),
                           "misprint_region": Column("misprint_region", "region")})
    cols += (Column("note_text", "rendered", render=_note_text),)
    return Table("table3_comparison", comp, cols, "spatial", order=1,
                 display=("year", "I_paper", "I", "z_paper", "z_rand", "p_paper", "p_rand", "reproduced",
                          "note_text"))
