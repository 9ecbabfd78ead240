"""City and county panels written as codes: NBS groups from their province (Hong Kong, Macao and Taiwan as
one group), Chinese names in the workbook's tables as in the figures (codes in the CSV and in English),
units without neighbours audited, and an audit table written even when nothing was changed."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nqpf._commands import analyze_file
from nqpf.regions import admin_units

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


@pytest.fixture(scope="module")
def counties():
    u = admin_units("county")
    # Beijing's districts, Changchun's (a second 朝阳区), Macao's parishes and Changhai county (an island)
    keep = u[u["code"].str.startswith(("1101", "2201", "82")) | (u["code"] == "210224")]
    return keep.sort_values("code")


def _panel(tmp, codes, years=range(2015, 2021), seed=3):
    rng = np.random.default_rng(seed)
    rows = [(c, y, float(v)) for c in codes for y, v in zip(years, rng.random(len(years)) + 0.5)]
    path = tmp / "s.csv"
    pd.DataFrame(rows, columns=["region", "year", "score"]).to_csv(path, index=False)
    return path


def test_groups_names_and_audit_of_a_county_panel(tmp_path, counties):
    codes = counties["code"].tolist()
    data = _panel(tmp_path, codes)
    out = {}
    for lang in ("zh", "en"):
        out[lang] = tmp_path / lang
        analyze_file(data, out[lang], weights="queen", lang=lang, formats="csv,xlsx", permutations=99)
    t = out["zh"] / "tables"
    # groups: Beijing east, Jilin northeast, Macao with Hong Kong and Taiwan
    dis = pd.read_csv(t / "disparity.csv")
    assert {"theil_T[east]", "theil_T[northeast]", "theil_T[hmt]"} <= set(dis.columns)
    assert (t / "dagum_gini.csv").is_file()
    import json

    assert json.loads((t / "meta.json").read_text(encoding="utf-8"))["groups"] == "nbs4"   # not "given"
    # the CSV keeps the codes, byte for byte the same in both languages
    for name in ("scores.csv", "moran_local.csv", "audit.csv"):
        assert (t / name).read_bytes() == (out["en"] / "tables" / name).read_bytes()
    assert set(pd.read_csv(t / "scores.csv", dtype=str)["region"]) == set(codes)
    # the workbook names them in Chinese (朝阳区 with its city in front), keeps codes in English
    zh = pd.read_excel(out["zh"] / "results.xlsx", sheet_name="综合得分")
    first = set(zh.iloc[:, 0].astype(str))
    assert {"东城区", "北京市朝阳区", "长春市朝阳区", "长海县"} <= first and not first & set(codes)
    en = pd.read_excel(out["en"] / "results.xlsx", sheet_name=None)
    scores_en = next(v for k, v in en.items() if k.lower().startswith("score"))
    assert set(scores_en.iloc[:, 0].astype(str)) == set(codes)
    # the island is audited (its local statistics are blank: nothing tested)
    audit = pd.read_csv(t / "audit.csv", dtype=str, keep_default_na=False)
    isl = audit[audit["reason_code"] == "no_neighbours"]
    assert set(isl["region"]) >= {"210224"} and set(isl["action"]) == {"flagged"}
    local = pd.read_csv(t / "moran_local.csv", dtype={"region": str}, keep_default_na=False)
    assert (local.loc[local["region"] == "210224", "quadrant"] == "").all()


def test_an_audit_table_is_written_when_nothing_was_changed(tmp_path):
    from nqpf import regions

    provs = [c for c in regions.PROVINCES["code"] if c not in ("710000", "810000", "820000")]
    data = _panel(tmp_path, provs)
    analyze_file(data, tmp_path / "o", formats="csv")
    audit = pd.read_csv(tmp_path / "o" / "tables" / "audit.csv")
    assert len(audit) == 0 and "reason" in audit.columns
