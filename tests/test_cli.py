"""The command line end to end: outputs, determinism, and one-line errors for bad input."""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from nqpf import datasets
from nqpf.cli import app

runner = CliRunner()


def _run(*args):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def demo_csv(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    r = _run("demo", "--out", out, "--permutations", 99, "--formats", "csv", "--quiet")
    assert r.exit_code == 0, r.output
    return out


def test_demo_tables(demo_csv):
    t = demo_csv / "tables"
    disp = pd.read_csv(t / "disparity.csv")
    assert list(disp.columns[:4]) == ["year", "theil", "sigma", "cv"]
    assert disp["year"].tolist() == list(range(2010, 2021))
    mg = pd.read_csv(t / "moran_global.csv")
    for c in ["year", "I", "EI", "z_norm", "p_norm", "z_rand", "p_rand", "p_sim"]:
        assert c in mg.columns
    ml = pd.read_csv(t / "moran_local.csv")
    for c in ["region", "year", "Ii", "quadrant", "p_sim", "cluster"]:
        assert c in ml.columns
    assert len(ml) == 29 * 11
    # region column keeps the identifiers of the input (short Chinese names of the paper)
    assert set(ml["region"]) == set(datasets.load_ran2025_scores(wide=True).index)
    assert (t / "quadrant_transitions.csv").exists()
    assert (t / "strategy.csv").exists()
    # Theil of 2010 recomputed by hand from the bundled Table 2 (paper eq. 8)
    y = datasets.load_ran2025_scores(wide=True)[2010].to_numpy()
    s = y / y.mean()
    assert disp.loc[0, "theil"] == pytest.approx(np.mean(s * np.log(s)), abs=1e-12)


def test_demo_reproduces_table3_where_documented(demo_csv):
    comp = pd.read_csv(demo_csv / "tables" / "table3_comparison.csv")
    assert len(comp) == 11
    # docs/table3.md: with the printed Table 2, 2011-2020 reproduce (I, p to 3 decimals; z within
    # rounding), 2010 does not because of the Shanghai 2010 misprint (0.3456 for 0.5456)
    assert comp.loc[comp["year"] >= 2011, "reproduced"].all()
    assert comp.loc[comp["year"] >= 2011, "I_matches"].all()
    assert comp.loc[comp["year"] >= 2011, "p_matches"].all()
    row2010 = comp[comp["year"] == 2010].iloc[0]
    # the CSV holds the note as a code and the misprinted cell (region in the input's spelling)
    assert not row2010["reproduced"] and row2010["note"] == "misprint"
    assert row2010["misprint_region"] == "上海"
    assert (row2010["printed"], row2010["corrected"]) == (0.3456, 0.5456)
    # 2012 and 2020: z off the print within the rounding of Table 2 (docs/table3.md)
    assert comp.set_index("year")["note"].fillna("").to_dict() == {
        y: {2010: "misprint", 2012: "z_rounding", 2020: "z_rounding"}.get(y, "") for y in range(2010, 2021)}
    assert not {"note_zh", "note_en"} & set(comp.columns)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_demo_table3_note_rendered_in_the_workbook(tmp_path, lang):
    """The misprint note is a sentence in the workbook's language (the CSV keeps the code)."""
    import openpyxl

    out = tmp_path / lang
    r = _run("demo", "--out", out, "--permutations", 99, "--lang", lang, "--formats", "xlsx", "--quiet")
    assert r.exit_code == 0, r.output
    wb = openpyxl.load_workbook(out / "results.xlsx")
    ws = wb["论文表3对照" if lang == "zh" else "Table 3 comparison"]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    text = {str(v) for row in rows[1:] for v in row if v is not None}
    if lang == "zh":
        assert "表2印刷错误：上海 2010 年印为 0.3456，表3按 0.5456 计算（见 docs/table3.md）" in text
        assert "z 的第三位小数差异在表2四舍五入误差之内" in text
        assert not any("Shanghai" in v for v in text)
    else:
        assert ("Table 2 misprint: Shanghai 2010 printed 0.3456, Table 3 was computed with 0.5456 "
                "(docs/table3.md)") in text
        assert not any("上海" in v for v in text)
    assert "misprint" not in text and "z_rounding" not in text


def test_demo_tables_hold_codes_in_gbt_order_and_meta_is_language_free(demo_csv):
    """tables/*.csv hold codes and numbers (no language columns), regions in GB/T code order (the
    input's spelling), lists joined by ";"; meta.json names the study period, the years of the figures
    and the conventions by key."""
    import json

    from nqpf import regions

    t = demo_csv / "tables"
    ml = pd.read_csv(t / "moran_local.csv")
    first = list(dict.fromkeys(ml["region"]))
    codes = [regions.normalize(r) for r in first]
    assert codes == sorted(codes) and first[:3] == ["北京", "天津", "河北"]
    st = pd.read_csv(t / "strategy.csv", keep_default_na=False)
    assert not [c for c in st.columns if c.endswith(("_zh", "_en")) or c.startswith("focus")], list(st.columns)
    assert set(st["tier"]) <= {"high", "upper-middle", "middle", "lower-middle", "low"}
    assert set(st["role"]) <= {"growth_pole", "spillover_receiver", "lagging_cluster", "not_significant"}
    partners = {x for v in st["partners"] if v for x in v.split(";")}
    assert partners and partners <= set(st["region"])
    assert not any("、" in v or "," in v for v in st["partners"])
    meta = json.loads((t / "meta.json").read_text(encoding="utf-8"))
    assert meta["years"] == [2010, 2020] and meta["n_years"] == 11 and meta["figure_years"] == [2010, 2020]
    assert meta["transform"] == "r" and meta["regions"] == 29 and meta["permutations"] == 99
    core = ["theil", "sigma", "cv", "moran_p.greater", "local_moran", "tier_basis.mean"]
    assert [c for c in meta["conventions"] if c in core] == core
    assert [a for a in meta["analyses"] if a in ("scores", "disparity", "spatial")] == ["scores", "disparity", "spatial"]
    assert meta["analyses"][-1] == "diagnosis"
    assert not re.search(r"[\u4e00-\u9fff]", json.dumps(meta, ensure_ascii=False))


def test_figure_years_do_not_change_the_study_period(tmp_path):
    out = tmp_path / "o"
    r = _run("demo", "--out", out, "--permutations", 0, "--years", "2015,2020", "--alternative", "two-sided",
             "--formats", "csv", "-q")
    assert r.exit_code == 0, r.output
    import json

    meta = json.loads((out / "tables" / "meta.json").read_text(encoding="utf-8"))
    assert meta["years"] == [2010, 2020] and meta["figure_years"] == [2015, 2020]
    assert "moran_p.two-sided" in meta["conventions"] and meta["alternative"] == "two-sided"
    assert pd.read_csv(out / "tables" / "moran_global.csv")["year"].tolist() == list(range(2010, 2021))


def test_demo_is_deterministic(tmp_path, demo_csv):
    out2 = tmp_path / "again"
    r = _run("demo", "--out", out2, "--permutations", 99, "--formats", "csv", "--quiet")
    assert r.exit_code == 0
    for f in sorted((demo_csv / "tables").glob("*.csv")):
        a = hashlib.sha256(f.read_bytes()).hexdigest()
        b = hashlib.sha256((out2 / "tables" / f.name).read_bytes()).hexdigest()
        assert a == b, f.name


def _write_scores(tmp_path, df, name="scores.csv"):
    p = tmp_path / name
    df.to_csv(p, index=False, encoding="utf-8")
    return p


def test_analyze_long_and_wide_agree(tmp_path):
    long = datasets.load_ran2025_scores()
    # English spellings in the user's file are kept in the output
    p_long = _write_scores(tmp_path, long)
    wide = datasets.load_ran2025_scores(wide=True).reset_index()
    p_wide = tmp_path / "wide.xlsx"
    wide.to_excel(p_wide, index=False)
    a, b = tmp_path / "a", tmp_path / "b"
    ra = _run("analyze", p_long, "--weights", "china-provinces", "--out", a, "--permutations", 99, "--formats", "csv", "-q")
    rb = _run("analyze", p_wide, "--weights", "china-provinces", "--out", b, "--permutations", 99, "--formats", "csv", "-q")
    assert ra.exit_code == 0, ra.output
    assert rb.exit_code == 0, rb.output
    ga = pd.read_csv(a / "tables" / "moran_global.csv")
    gb = pd.read_csv(b / "tables" / "moran_global.csv")
    pd.testing.assert_frame_equal(ga, gb)


def test_analyze_with_gal_weights(tmp_path):
    from libpysal.weights import lat2W

    w = lat2W(4, 5)  # 20 regions on a lattice, ids 0..19
    rng = np.random.default_rng(0)
    rows = [{"region": f"r{i}", "year": y, "score": float(rng.uniform(0.1, 1))} for i in range(20) for y in (2001, 2002, 2003)]
    p = _write_scores(tmp_path, pd.DataFrame(rows))
    gal = tmp_path / "w.gal"
    lines = [f"0 20 unknown ids"]
    for i in range(20):
        nb = w.neighbors[i]
        lines.append(f"r{i} {len(nb)}")
        lines.append(" ".join(f"r{j}" for j in nb))
    gal.write_text("\n".join(lines) + "\n")
    out = tmp_path / "out"
    r = _run("analyze", p, "--weights", gal, "--out", out, "--permutations", 99, "--formats", "csv", "-q")
    assert r.exit_code == 0, r.output
    ml = pd.read_csv(out / "tables" / "moran_local.csv")
    assert set(ml["region"]) == {f"r{i}" for i in range(20)}


def _one_line_error(r):
    assert r.exit_code == 2, r.output
    text = r.output.strip()
    assert "Traceback" not in text
    assert text.startswith("error:")
    return text


def test_analyze_unknown_region_suggests(tmp_path):
    long = datasets.load_ran2025_scores()
    long.loc[long["region"] == "江西", "region"] = "江熙"
    p = _write_scores(tmp_path, long)
    r = _run("analyze", p, "--weights", "china-provinces", "--out", tmp_path / "o", "-q")
    text = _one_line_error(r)
    assert "江熙" in text and "江西" in text


def test_analyze_duplicate_region_year(tmp_path):
    long = datasets.load_ran2025_scores()
    long = pd.concat([long, long.iloc[[5]]])
    p = _write_scores(tmp_path, long)
    r = _run("analyze", p, "--weights", "china-provinces", "--out", tmp_path / "o", "-q")
    text = _one_line_error(r)
    assert "甘肃" in text and "2015" in text


def test_analyze_missing_value_then_drop(tmp_path):
    long = datasets.load_ran2025_scores()
    long.loc[(long["region"] == "海南") & (long["year"] == 2013), "score"] = np.nan
    p = _write_scores(tmp_path, long)
    r = _run("analyze", p, "--weights", "china-provinces", "--out", tmp_path / "o", "-q")
    text = _one_line_error(r)
    assert "海南" in text and "2013" in text
    out = tmp_path / "dropped"
    r = _run("analyze", p, "--weights", "china-provinces", "--out", out, "--drop-missing",
             "--permutations", 99, "--formats", "csv", "-q")
    assert r.exit_code == 0, r.output
    audit = pd.read_csv(out / "tables" / "audit.csv")
    # every input region-year of the dropped region is accounted for
    dropped = audit[(audit["region"] == "海南") & (audit["action"] == "dropped")]
    assert set(dropped["year"].astype(int)) == set(range(2010, 2021))
    # the missing cell itself is recorded where it was read (row 115 of the CSV, column C)
    miss = audit[(audit["action"] == "missing") & (audit["region"] == "海南")]
    assert len(miss) == 1 and int(miss["year"].iloc[0]) == 2013
    assert "海南" not in set(pd.read_csv(out / "tables" / "moran_local.csv")["region"])


def test_analyze_weights_mismatch(tmp_path):
    rows = [{"region": f"r{i}", "year": 2001, "score": float(i + 1)} for i in range(5)]
    p = _write_scores(tmp_path, pd.DataFrame(rows))
    gal = tmp_path / "w.gal"
    gal.write_text("0 5 x ids\nr0 1\nr1\nr1 2\nr0 r2\nr2 2\nr1 r3\nr3 2\nr2 zz\nzz 1\nr3\n")
    r = _run("analyze", p, "--weights", gal, "--out", tmp_path / "o", "-q")
    text = _one_line_error(r)
    assert "r4" in text and "zz" in text


def test_bad_options_are_one_line(tmp_path):
    r = _run("demo", "--out", tmp_path / "o", "--lang", "fr", "-q")
    _one_line_error(r)
    r = _run("demo", "--out", tmp_path / "o", "--years", "1999,2020", "--formats", "csv", "-q")
    text = _one_line_error(r)
    assert "1999" in text
    assert not (tmp_path / "o").exists() or not any((tmp_path / "o").iterdir())


def test_spec_list_and_show():
    r = _run("spec", "list")
    assert r.exit_code == 0 and "ran2025" in r.output
    r = _run("spec", "show", "ran2025")
    assert r.exit_code == 0 and "劳动者" in r.output


def test_pseudo_p_values_do_not_depend_on_row_order(tmp_path):
    long = datasets.load_ran2025_scores()
    shuffled = long.sample(frac=1.0, random_state=3)
    a, b = tmp_path / "a", tmp_path / "b"
    for df, out in ((long, a), (shuffled, b)):
        p = _write_scores(tmp_path, df, name=f"{out.name}.csv")
        r = _run("analyze", p, "--weights", "china-provinces", "--out", out, "--permutations", 99, "--formats", "csv", "-q")
        assert r.exit_code == 0, r.output
    pd.testing.assert_frame_equal(pd.read_csv(a / "tables" / "moran_global.csv"), pd.read_csv(b / "tables" / "moran_global.csv"))
    la = pd.read_csv(a / "tables" / "moran_local.csv").sort_values(["region", "year"]).reset_index(drop=True)
    lb = pd.read_csv(b / "tables" / "moran_local.csv").sort_values(["region", "year"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(la, lb)


def test_missing_and_nonpositive_scores_are_located(tmp_path):
    long = datasets.load_ran2025_scores()
    long["score"] = long["score"].map("{:.4f}".format)  # as text, so a yearbook dash can stand in a cell
    long.loc[(long["region"] == "甘肃") & (long["year"] == 2017), "score"] = "—"
    p = _write_scores(tmp_path, long, name="dash.csv")
    text = _one_line_error(_run("analyze", p, "--weights", "china-provinces", "--out", tmp_path / "o", "-q"))
    # 甘肃 is the first region of the file: 2017 is data row 8, i.e. row 9 with the header
    assert "甘肃 2017" in text and "dash.csv" in text and "row 9" in text and "column C" in text
    long = datasets.load_ran2025_scores()
    long.loc[(long["region"] == "甘肃") & (long["year"] == 2017), "score"] = -0.1
    p = _write_scores(tmp_path, long, name="neg.csv")
    text = _one_line_error(_run("analyze", p, "--weights", "china-provinces", "--out", tmp_path / "o", "-q"))
    assert "neg.csv" in text and "甘肃 2017" in text and "positive" in text


def test_index_on_the_real_panel_with_a_study_period(tmp_path):
    from pathlib import Path

    techme = Path(__file__).resolve().parents[2] / "shared" / "data" / "techme_china_province_scitech_long_2000_2023.csv"
    if not techme.exists():
        pytest.skip(f"shared data not found: {techme}")
    out = tmp_path / "ix"
    # the file holds variables the spec does not use, one of them twice: only the spec's are read
    r = _run("index", techme, "--spec", "scitech_example", "--out", out, "--region-col", "province",
             "--variable-col", "variable_code", "--years", "2011,2023", "--exclude", "西藏,青海", "--topsis")
    assert r.exit_code == 0, r.output
    scores = pd.read_csv(out / "tables" / "scores.csv")
    assert scores["region"].nunique() == 29 and scores["year"].min() == 2011
    # without a period, the leading gaps are reported with the names as written, not codes
    text = _one_line_error(_run("index", techme, "--spec", "scitech_example", "--out", tmp_path / "x",
                                "--region-col", "province", "--variable-col", "variable_code"))
    assert "上海" in text and "310000" not in text and "--years" in text


def test_demo_dagum_gini_by_nbs_region(demo_csv):
    dg = pd.read_csv(demo_csv / "tables" / "dagum_gini.csv")
    disp = pd.read_csv(demo_csv / "tables" / "disparity.csv")
    # Dagum's identity and agreement with the overall Gini of the disparity table
    np.testing.assert_allclose(dg["G"], dg["Gw"] + dg["Gnb"] + dg["Gt"], atol=1e-12)
    np.testing.assert_allclose(dg["G"], disp["gini"], atol=1e-12)
    # per-group columns are named by group code (the CSV is language-free) ...
    assert {"G[east]", "G[central]", "G[west]", "G[northeast]"} <= set(dg.columns)
    assert not any(re.search(r"[\u4e00-\u9fff]", c) for c in dg.columns)
    assert {"G[east,central]", "D[west,northeast]"} <= set(dg.columns)
    assert {"theil_T[east]", "theil_s[east]", "theil_within[northeast]"} <= set(disp.columns)
    assert not any(re.search(r"[\u4e00-\u9fff]", c) for c in disp.columns)


def test_group_columns_labelled_in_the_report_language():
    """... and labelled with the groups' names when written (workbook, reports)."""
    from nqpf.pipeline import demo

    res = demo(permutations=0)
    zh = list(res.table("dagum_gini", lang="zh").columns)
    en = list(res.table("dagum_gini", lang="en").columns)
    assert {"G[东部]", "G[中部]", "G[西部]", "G[东北]", "G[东部，中部]"} <= {h.split(" ")[-1] for h in zh}, zh
    assert {"G[East]", "G[Northeast]", "D[West,Northeast]"} <= {h.split(" ")[-1] for h in en}, en
    assert not any(re.search(r"[\u4e00-\u9fff]", h) for h in en), en
    assert "泰尔指数 T[东部]" in list(res.table("disparity", lang="zh").columns)


def test_index_weighting_options(tmp_path):
    from pathlib import Path

    from nqpf.spec import load_spec

    techme = Path(__file__).resolve().parents[2] / "shared" / "data" / "techme_china_province_scitech_long_2000_2023.csv"
    if not techme.exists():
        pytest.skip(f"shared data not found: {techme}")
    common = ["--spec", "scitech_example", "--region-col", "province", "--variable-col", "variable_code",
              "--years", "2011,2023", "--exclude", "西藏,青海"]
    outs = {}
    for w in ("entropy", "critic", "entropy+critic"):
        outs[w] = tmp_path / w.replace("+", "_")
        r = _run("index", techme, "--out", outs[w], "--weighting", w, "--alpha", 0.3, *common)
        assert r.exit_code == 0, r.output
    we = pd.read_csv(outs["entropy"] / "tables" / "weights.csv").set_index("indicator")["weight"]
    wc = pd.read_csv(outs["critic"] / "tables" / "weights.csv").set_index("indicator")["weight"]
    wm = pd.read_csv(outs["entropy+critic"] / "tables" / "weights.csv").set_index("indicator")["weight"]
    np.testing.assert_allclose(wm, 0.3 * we + 0.7 * wc, atol=1e-12)  # linear combination rule
    ids = load_spec("scitech_example").ids
    given = tmp_path / "ahp.csv"
    pd.DataFrame({"indicator": ids, "weight": [1, 1, 1, 1, 1, 2]}).to_csv(given, index=False)
    r = _run("index", techme, "--out", tmp_path / "g", "--weighting", "given", "--given-weights", given, *common)
    assert r.exit_code == 0, r.output
    wg = pd.read_csv(tmp_path / "g" / "tables" / "weights.csv").set_index("indicator")["weight"]
    assert wg[ids[-1]] == pytest.approx(2 / 7) and wg.sum() == pytest.approx(1)
    bad = tmp_path / "bad.csv"
    pd.DataFrame({"indicator": ids, "weight": ["1", "x", 1, 1, 1, 1]}).to_csv(bad, index=False)
    text = _one_line_error(_run("index", techme, "--out", tmp_path / "b", "--weighting", "given",
                                "--given-weights", bad, *common))
    assert "bad.csv" in text and "row 3" in text


def test_config_key_typos_are_named(tmp_path):
    cfg = tmp_path / "c.toml"
    scores = _write_scores(tmp_path, datasets.load_ran2025_scores())
    cfg.write_text(f"[data]\npath = '{scores.name}'\n[spec]\nname = 'ran2025'\n[spatial]\npermutation = 99\n",
                   encoding="utf-8")
    text = _one_line_error(_run("run", cfg, "--out", tmp_path / "o"))
    assert "permutation" in text and "permutations" in text and "[spatial]" in text
    cfg.write_text(f"[data]\npath = '{scores.name}'\n[spec]\nname = 'ran2025'\n[output]\nlang = 'fr'\n",
                   encoding="utf-8")
    text = _one_line_error(_run("run", cfg, "--out", tmp_path / "o"))
    assert "lang" in text and "fr" in text


def test_two_year_panel_is_analysed_without_strategy(tmp_path):
    long = datasets.load_ran2025_scores()
    p = _write_scores(tmp_path, long[long["year"] >= 2019], name="two.csv")
    out = tmp_path / "o"
    r = _run("analyze", p, "--weights", "china-provinces", "--out", out, "--permutations", 99, "--formats", "csv", "-q")
    assert r.exit_code == 0, r.output
    assert "3 years" in r.output  # the warning says why there is no strategy table
    assert pd.read_csv(out / "tables" / "moran_global.csv")["year"].tolist() == [2019, 2020]
    assert not (out / "tables" / "strategy.csv").exists()
    assert len(pd.read_csv(out / "tables" / "scores.csv")) == 29 * 2


def test_rerun_into_a_used_folder_leaves_no_stale_outputs(tmp_path):
    out = tmp_path / "o"
    r = _run("demo", "--out", out, "--permutations", 99, "--formats", "csv", "-q")
    assert r.exit_code == 0 and (out / "tables" / "table3_comparison.csv").exists()
    (out / "my_notes.txt").write_text("mine")
    long = datasets.load_ran2025_scores()
    p = _write_scores(tmp_path, long)
    r = _run("analyze", p, "--weights", "china-provinces", "--out", out, "--permutations", 99, "--formats", "csv", "-q")
    assert r.exit_code == 0, r.output
    assert not (out / "tables" / "table3_comparison.csv").exists()  # the demo's, not this run's
    assert (out / "my_notes.txt").read_text() == "mine"  # the user's file is kept
