"""Whole studies from a config: the real science-and-technology example, determinism, audit accounting."""
from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from nqpf.cli import app

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
TECHME = SHARED / "data" / "techme_china_province_scitech_long_2000_2023.csv"
CONFIG = ROOT / "examples" / "scitech" / "config.toml"
runner = CliRunner()

needs_techme = pytest.mark.skipif(not TECHME.exists(), reason=f"shared data not found: {TECHME} "
                                  "(the repository is expected to be cloned with `shared` beside it)")


@pytest.fixture(scope="module")
def run_out(tmp_path_factory):
    if not TECHME.exists():
        pytest.skip(f"shared data not found: {TECHME}")
    out = tmp_path_factory.mktemp("scitech")
    r = runner.invoke(app, ["run", str(CONFIG), "--out", str(out), "--formats", "csv", "-q"],
                      catch_exceptions=False)
    assert r.exit_code == 0, r.output
    return out


@needs_techme
def test_example_tables(run_out):
    t = run_out / "tables"
    scores = pd.read_csv(t / "scores.csv")
    w = pd.read_csv(t / "weights.csv")
    assert {"region", "year", "score", "topsis"} <= set(scores.columns)
    assert np.isclose(w["weight"].sum(), 1.0, atol=1e-12) and (w["weight"] >= 0).all()
    assert "entropy" in w.columns
    # 29 provinces (Tibet and Qinghai excluded, as the paper) × 2011-2023
    assert scores["region"].nunique() == 29 and sorted(scores["year"].unique()) == list(range(2011, 2024))
    assert not {"西藏", "青海"} & set(scores["region"])
    # the composite is the weighted sum of the normalised indicators (paper eq. 7 as Σ w x')
    norm = pd.read_csv(t / "normalized.csv").set_index(["region", "year"])
    s = scores.set_index(["region", "year"])["score"]
    recomputed = norm[w["indicator"].tolist()].to_numpy() @ w["weight"].to_numpy()
    np.testing.assert_allclose(s.loc[norm.index].to_numpy(), recomputed, atol=1e-12)
    for name in ["disparity", "moran_global", "moran_local", "strategy", "obstacles", "audit"]:
        assert (t / f"{name}.csv").exists(), name
    # each group's weight is the sum of its members', and within-group weights sum to 1 per group
    gw = pd.read_csv(t / "group_weights.csv")
    for _, g in gw.groupby(["group_level", "group_name"]):
        assert g["member_weight"].sum() == pytest.approx(g["group_weight"].iloc[0], abs=1e-12)
        assert g["within_weight"].sum() == pytest.approx(1.0, abs=1e-12)


@needs_techme
def test_example_audit_shows_real_gaps(run_out):
    audit = pd.read_csv(run_out / "tables" / "audit.csv")
    interp = audit[audit["action"] == "interpolated"]
    # the technology market has no 2011 and high-tech industry no 2017: interpolated and audited
    assert (interp[interp["variable"] == "v4_cg_jssc_je"]["year"] == 2011).sum() >= 28
    assert (interp[interp["variable"] == "v4_cy_scjy_qys"]["year"] == 2017).sum() >= 29
    dropped = audit[audit["action"] == "dropped"]
    assert {"西藏", "青海"} <= set(dropped["region"])
    assert dropped["reason"].str.contains("study period").any()


@needs_techme
def test_every_input_region_year_accounted_for(run_out):
    raw = pd.read_csv(TECHME)
    raw = raw[~raw["province"].isin(["全国", "东部地区"])]
    scores = pd.read_csv(run_out / "tables" / "scores.csv")
    audit = pd.read_csv(run_out / "tables" / "audit.csv")
    in_out = set(zip(scores["region"], scores["year"]))
    dropped = audit[audit["action"] == "dropped"].dropna(subset=["year"])
    in_audit = set(zip(dropped["region"], dropped["year"].astype(int)))
    for key in set(zip(raw["province"], raw["year"])):
        assert key in in_out or key in in_audit, key


@needs_techme
def test_rerun_is_byte_identical(run_out, tmp_path):
    out2 = tmp_path / "again"
    r = runner.invoke(app, ["run", str(CONFIG), "--out", str(out2), "--formats", "csv", "-q"],
                      catch_exceptions=False)
    assert r.exit_code == 0, r.output
    for f in sorted((run_out / "tables").glob("*")):
        assert hashlib.sha256(f.read_bytes()).digest() == hashlib.sha256((out2 / "tables" / f.name).read_bytes()).digest(), f.name


def test_config_errors_are_one_line(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[data]\npath = 'nope.csv'\n[spec]\nname = 'ran2025'\n[wat]\nx = 1\n")
    r = runner.invoke(app, ["run", str(bad), "--out", str(tmp_path / "o")])
    assert r.exit_code == 2 and "wat" in r.output and "Traceback" not in r.output
    bad.write_text("[data]\npath = 'nope.csv'\n[spec]\nname = 'ran2025'\n")
    r = runner.invoke(app, ["run", str(bad), "--out", str(tmp_path / "o")])
    assert r.exit_code == 2 and "nope.csv" in r.output


def test_init_template_round_trip(tmp_path):
    """nqpf init writes a template; filled in, nqpf index reads it back and scores it."""
    import openpyxl

    from nqpf.spec import load_spec

    tpl = tmp_path / "t.xlsx"
    r = runner.invoke(app, ["init", "--spec", "scitech_example", "--out", str(tpl), "--first", "2015", "--last", "2018"])
    assert r.exit_code == 0, r.output
    spec = load_spec("scitech_example")
    wb = openpyxl.load_workbook(tpl)
    assert set(spec.variables) <= set(wb.sheetnames)
    rng = np.random.default_rng(1)
    for v in spec.variables:
        ws = wb[v]
        assert ws.cell(row=3, column=1).value == "地区"
        for row in range(4, ws.max_row + 1):
            for col in range(2, 6):
                ws.cell(row=row, column=col, value=float(rng.uniform(1, 100)))
    # one blank cell in the middle of a series: interpolated and audited
    wb[spec.variables[0]].cell(row=5, column=3, value="—")
    wb.save(tpl)
    out = tmp_path / "idx"
    r = runner.invoke(app, ["index", str(tpl), "--spec", "scitech_example", "--out", str(out), "--layout", "yearbook"],
                      catch_exceptions=False)
    assert r.exit_code == 0, r.output
    scores = pd.read_csv(out / "tables" / "scores.csv")
    assert len(scores) == 31 * 4
    audit = pd.read_csv(out / "tables" / "audit.csv")
    assert (audit["action"] == "interpolated").sum() == 1


def test_profile_frame_achievements_recompose_the_score():
    """Each profile bar is a group's achievement (sub-index / group weight, in [0, 1]); weighted by the
    group weights they add back up to the composite score (checked on a small hand-made system)."""
    from nqpf.index import build_index
    from nqpf.spec import Indicator, Spec
    from nqpf.pipeline import IndexBuild, group_weights_table

    rng = np.random.default_rng(7)
    idx = pd.MultiIndex.from_product([list("abcdef"), [2020, 2021]], names=["region", "year"])
    X = pd.DataFrame(rng.uniform(1, 10, (12, 6)), index=idx, columns=[f"x{i}" for i in range(6)])
    paths = [("A", "A1"), ("A", "A1"), ("A", "A2"), ("B", "B1"), ("B", "B1"), ("B", "B2")]
    spec = Spec(name="t", levels=("criterion", "dimension", "indicator"),
                indicators=[Indicator(id=f"x{i}", name_zh=f"x{i}", name_en=f"x{i}", direction=1, unit="",
                                      formula=None, note="", source="", path=p) for i, p in enumerate(paths)])
    res = build_index(X, spec)
    built = IndexBuild(panel=None, prepared=None, index=res, spec=spec, labels={}, audit=pd.DataFrame(),
                       group_weights=group_weights_table(res.weights, spec))
    prof, cols, names = built.profile_frame("en")
    assert cols == ["dimension:A1", "dimension:A2", "dimension:B1", "dimension:B2"]
    ach = prof[cols].to_numpy()
    assert (ach >= -1e-12).all() and (ach <= 1 + 1e-12).all()
    w = res.weights.set_index("indicator")["weight"]
    gw = np.array([w["x0"] + w["x1"], w["x2"], w["x3"] + w["x4"], w["x5"]])
    np.testing.assert_allclose(ach @ gw, prof["score"].to_numpy(), atol=1e-12)
    assert names["dimension:A1"].startswith("A1 (w=")


def test_api_example_runs():
    """examples/paper_api.py runs as a script and reproduces Table 3 for 2011-2020."""
    import runpy
    import io
    from contextlib import redirect_stdout

    buf = io.StringIO()
    with redirect_stdout(buf):
        runpy.run_path(str(ROOT / "examples" / "paper_api.py"), run_name="__main__")
    out = buf.getvalue()
    assert "29 regions x 11 years" in out and "广东             HL            HL" in out


@needs_techme
def test_obstacles_by_dimension_and_criterion(run_out):
    ob = pd.read_csv(run_out / "tables" / "obstacles.csv")
    og = pd.read_csv(run_out / "tables" / "obstacles_by_group.csv")
    # group obstacles are sums of indicator obstacles, so every level sums to 1 per region-year
    sums = og.groupby(["region", "year", "level"])["obstacle"].sum()
    np.testing.assert_allclose(sums.to_numpy(), 1.0, atol=1e-9)
    one = ob[(ob["region"] == "新疆") & (ob["year"] == 2023)]
    crit = og[(og["region"] == "新疆") & (og["year"] == 2023) & (og["level"] == 1)].set_index("group")["obstacle"]
    assert crit["生产资料"] == pytest.approx(one[one["level_1"] == "生产资料"]["obstacle"].sum(), abs=1e-12)


@needs_techme
def test_study_step_by_step_writes_the_tables_of_nqpf_run(run_out, tmp_path):
    """The notebook API (Study: build the index, then analyse) gives the command line's tables, byte for
    byte, and the score table of its Results holds GB/T codes (the CSV: the names as written)."""
    from nqpf.pipeline import Study

    study = Study.from_config(CONFIG)
    build = study.build_index()
    ri = build.region_index()
    assert ri.is_provinces and len(ri.ids) == 29 and ri.label("650000") == "新疆"
    res = study.analyze()
    assert set(res.table("scores")["region"]) == set(ri.ids)
    res.write(tmp_path / "api", formats=["csv"])
    ours = sorted(p.name for p in (tmp_path / "api" / "tables").glob("*"))
    assert ours == sorted(p.name for p in (run_out / "tables").glob("*"))
    for name in ours:
        assert (tmp_path / "api" / "tables" / name).read_bytes() == (run_out / "tables" / name).read_bytes(), name
