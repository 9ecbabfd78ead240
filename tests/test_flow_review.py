"""Second acceptance review (flow): region aliases in the web app, every unknown region in one message,
``--exclude`` for ``nqpf analyze`` and the web's analyze mode.

What is checked, and against what:
* the web app accepts ``alias`` (a list, or one text of lines) in both modes, an uploaded alias file
  (field ``aliases``) and a config's ``[data] aliases`` in mode analyze; the job's tables equal those of
  ``nqpf analyze --alias …`` byte for byte (the command line is the reference); a study job's
  ``config.toml`` keeps the aliases and reruns with ``nqpf run`` to the same scores;
* a file with several misspelt regions is refused once, naming every one with its row and column (the
  cells written in the test file), its suggestions and the aliases that would map them all; from the web
  the remedy names the page's field, not ``--alias``; more than ten are capped with "and N more";
* ``nqpf analyze --exclude`` drops the regions (one audit row per region-year, as ``nqpf index``) and
  gives the tables of the same file without those rows (the reference: the file edited by hand).
"""
from __future__ import annotations

import io
import json
import time
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from nqpf import _commands, datasets
from nqpf.cli import app as cli_app
from nqpf.errors import InputError, UnknownRegionError
from nqpf.io import read_panel, read_scores
from nqpf.io._names import alias_hint_style

runner = CliRunner()
MISSPELT = {"云南": "Yunan", "黑龙江": "黒龙江"}
QUICK = {"permutations": 19, "formats": "csv"}


def misspelt_scores(path: Path, spellings=MISSPELT) -> Path:
    """The paper's Table 2 scores (long: region, year, score) with regions misspelt as a user typed them."""
    df = datasets.load_ran2025_scores()
    df["region"] = df["region"].replace(spellings)
    df.to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("review")
    misspelt_scores(d / "bad.csv")
    datasets.load_ran2025_scores().to_csv(d / "good.csv", index=False)
    return d


def _rows_of(path: Path, name: str) -> list[int]:
    """1-based row numbers of the file (header = row 1) whose first cell is ``name``."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [i + 1 for i, line in enumerate(lines) if line.split(",")[0] == name]


# ------------------------------------------------------------------------------ every unknown name
def test_every_unknown_region_in_one_message_with_its_cell(files):
    with pytest.raises(UnknownRegionError) as ei:
        read_scores(files / "bad.csv")
    msg = str(ei.value)
    yunan, hlj = _rows_of(files / "bad.csv", "Yunan"), _rows_of(files / "bad.csv", "黒龙江")
    assert msg.startswith(f"2 unknown region names in {files / 'bad.csv'}: "), msg
    assert f"'Yunan' (row {yunan[0]}, column A; did you mean 'Yunnan', '云南'" in msg, msg
    assert f"'黒龙江' (row {hlj[0]}, column A; did you mean '黑龙江'" in msg, msg
    assert f"{len(yunan)} cells" in msg and "\n" not in msg
    assert "--alias 'Yunan=云南' --alias '黒龙江=黑龙江'" in msg
    assert "Python: aliases={'Yunan': '云南', '黒龙江': '黑龙江'}" in msg
    assert set(ei.value.name) == {"Yunan", "黒龙江"} and len(ei.value.errors) == 2
    # with the aliases the file reads, every cell mapped (one audit row each)
    sc = read_scores(files / "bad.csv", aliases={"Yunan": "云南", "黒龙江": "黑龙江"})
    assert {"云南", "黑龙江"} <= set(sc.Y.index) and (sc.audit["action"] == "alias").sum() == len(yunan) + len(hlj)


def test_one_unknown_region_keeps_its_message(tmp_path):
    p = misspelt_scores(tmp_path / "one.csv", {"云南": "Yunan"})
    with pytest.raises(UnknownRegionError, match=r"^unknown region 'Yunan' \(.*one\.csv, row \d+, column A\); did you "
                       r"mean .*cells spell it so: correct them, or map the spelling to a region with --alias "
                       r"'Yunan=云南' \(config: \[data\] aliases; Python: aliases=\{'Yunan': '云南'\}\)$"):
        read_scores(p)


def test_more_than_ten_unknown_regions_are_capped(tmp_path):
    provs = ["北京", "天津", "河北", "山西", "辽宁", "吉林", "上海", "江苏", "浙江", "安徽", "福建", "江西", "山东"]
    rows = ["region,year,x"] + [f"{p}X{i},2015,{i}" for i, p in enumerate(provs)] + ["湖北,2015,1"]
    p = tmp_path / "many.csv"
    p.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(UnknownRegionError) as ei:
        read_panel(p, regions="china")
    msg = str(ei.value)
    assert msg.startswith(f"13 unknown region names in {p}: ") and "; and 3 more." in msg, msg
    assert "'北京X0' (row 2, column A" in msg and "'安徽X9'" in msg and "'福建X10'" not in msg
    assert len(ei.value.errors) == 13


def test_the_web_names_the_field_not_the_option(files):
    with alias_hint_style("web"), pytest.raises(UnknownRegionError) as ei:
        read_scores(files / "bad.csv")
    msg = str(ei.value)
    assert "write Yunan=云南, 黒龙江=黑龙江 in the field 'Region aliases' (地区别名" in msg and "--alias" not in msg
    with pytest.raises(ValueError):
        with alias_hint_style("gui"):
            pass


# ---------------------------------------------------------------------------------- analyze --exclude
def test_analyze_exclude_drops_regions_as_index_does(files, tmp_path):
    args = ["--weights", "china-provinces", "--permutations", "19", "--formats", "csv",
            "--only", "scores,disparity,spatial"]
    r = runner.invoke(cli_app, ["analyze", str(files / "good.csv"), "--out", str(tmp_path / "ex"), *args,
                                "--exclude", "宁夏,Xinjiang", "-q"])
    assert r.exit_code == 0, r.output
    # the reference: the same file without those regions' rows, edited by hand
    df = pd.read_csv(files / "good.csv")
    df[~df["region"].isin(["宁夏", "新疆"])].to_csv(tmp_path / "edited.csv", index=False)
    r = runner.invoke(cli_app, ["analyze", str(tmp_path / "edited.csv"), "--out", str(tmp_path / "ed"), *args, "-q"])
    assert r.exit_code == 0, r.output
    for name in ("scores.csv", "disparity.csv", "moran_global.csv", "moran_local.csv"):
        assert (tmp_path / "ex/tables" / name).read_bytes() == (tmp_path / "ed/tables" / name).read_bytes(), name
    audit = pd.read_csv(tmp_path / "ex/tables/audit.csv")
    dropped = audit[audit["action"] == "dropped"]
    assert sorted(set(dropped["region"])) == ["宁夏", "新疆"] and len(dropped) == 2 * 11
    assert set(dropped["reason"]) == {"region excluded from the study (exclude_regions)"}
    meta = json.loads((tmp_path / "ex/tables/meta.json").read_text(encoding="utf-8"))
    assert meta["exclude_regions"] == ["宁夏", "Xinjiang"]


@pytest.mark.parametrize("given, expected", [
    ("西藏x", r"^--exclude: unknown region '西藏x'; did you mean 西藏 \(540000\)\? The data's regions are 甘肃"),
    ("香港", r"^--exclude: 香港 \(810000\) is not a region of the data; its regions are 甘肃 \(620000\).*"
             r"; exclude regions of the data only$"),
])
def test_analyze_exclude_messages(files, tmp_path, given, expected):
    with pytest.raises(InputError, match=expected):
        _commands.analyze_file(files / "good.csv", tmp_path / "o", exclude=given, only="scores", formats="csv")
    r = runner.invoke(cli_app, ["analyze", str(files / "good.csv"), "--weights", "china-provinces", "--out",
                                str(tmp_path / "o"), "--exclude", given, "-q"])
    assert r.exit_code == 2 and "error: --exclude: " in r.output


# ----------------------------------------------------------------------------------------- web app
pytest.importorskip("starlette", reason="the web app needs the extra nqpf[web] (starlette)")
pytest.importorskip("multipart", reason="the web app needs the extra nqpf[web] (python-multipart)")
pytest.importorskip("httpx", reason="Starlette's TestClient needs httpx")


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient
    from nqpf.web.app import WebConfig, create_app

    app = create_app(WebConfig(root=tmp_path_factory.mktemp("jobs"), max_upload_mb=5, max_jobs=2))
    with TestClient(app, base_url="http://127.0.0.1") as c:
        yield c


def post(client, data: Path, params: dict, **files):
    up = {"data": (data.name, data.open("rb"))}
    up.update({k: (v.name, v.open("rb")) for k, v in files.items()})
    return client.post("/api/jobs", files=up, data={"params": json.dumps(params, ensure_ascii=False)})


def wait(client, jid: str, timeout: float = 120.0) -> dict:
    end = time.time() + timeout
    while True:
        s = client.get(f"/api/jobs/{jid}").json()
        if s["status"] not in ("queued", "running"):
            return s
        assert time.time() < end, s
        time.sleep(0.1)


def zip_of(client, s) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(client.get(s["zip"]).content))


def cli_tables(files: Path, tmp: Path, *args) -> dict:
    r = runner.invoke(cli_app, ["analyze", str(files / "bad.csv"), "--out", str(tmp), "--weights",
                                "china-provinces", *args, "-q"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    return {p.name: p.read_bytes() for p in (tmp / "tables").iterdir() if p.name not in ("meta.json", "audit.csv")}


def test_web_refuses_misspelt_regions_in_one_line_naming_the_field(client, files):
    s = wait(client, post(client, files / "bad.csv", {"mode": "analyze", "only": "scores", **QUICK}).json()["id"])
    assert s["status"] == "error"
    msg = s["error"]
    assert "2 unknown region names in bad.csv: 'Yunan' (row " in msg and "'黒龙江' (row" in msg
    assert "field 'Region aliases'" in msg and "Yunan=云南, 黒龙江=黑龙江" in msg and "--alias" not in msg


@pytest.mark.parametrize("alias", [["Yunan=云南", "黒龙江=黑龙江"], "Yunan=云南\n黒龙江=黑龙江\n", "Yunan=云南；黒龙江=黑龙江"])
def test_web_alias_option_in_analyze_mode_equals_the_command_line(client, files, tmp_path, alias):
    params = {"mode": "analyze", "only": "scores,disparity", "alias": alias, **QUICK}
    s = wait(client, post(client, files / "bad.csv", params).json()["id"])
    assert s["status"] == "done", s
    assert "--alias 'Yunan=云南' --alias '黒龙江=黑龙江'" in s["command"]
    z = zip_of(client, s)
    web = {Path(n).name: z.read(n) for n in z.namelist() if n.startswith("results/tables/")}
    cli = cli_tables(files, tmp_path, "--alias", "Yunan=云南", "--alias", "黒龙江=黑龙江", "--only",
                     "scores,disparity", "--permutations", "19", "--formats", "csv")
    for name, body in cli.items():
        assert web[name] == body, name
    meta = json.loads(web["meta.json"])
    assert meta["region_aliases"] == {"Yunan": "云南", "黒龙江": "黑龙江"}
    audit = pd.read_csv(io.BytesIO(web["audit.csv"]))
    assert (audit["action"] == "alias").sum() == 22


def test_web_alias_file_and_config_aliases_in_analyze_mode(client, files, tmp_path):
    al = tmp_path / "我的别名.csv"
    al.write_text("别名,地区\nYunan,云南\n", encoding="utf-8")
    cfg = tmp_path / "study.toml"
    cfg.write_text('[data]\naliases = {"黒龙江" = "黑龙江"}\n[spatial]\npermutations = 5\n', encoding="utf-8")
    s = wait(client, post(client, files / "bad.csv", {"mode": "analyze", "only": "scores", **QUICK},
                          aliases=al, config=cfg).json()["id"])
    assert s["status"] == "done", s
    assert any("only [data] aliases is read" in w and "[spatial]" in w for w in s["warnings"]), s["warnings"]
    z = zip_of(client, s)
    assert "aliases.csv" in z.namelist() and "--alias-file aliases.csv" in s["command"]
    assert "--alias '黒龙江=黑龙江'" in s["command"]   # the config's aliases: the rerun needs them too
    out = tmp_path / "unzipped"
    z.extractall(out)
    import shlex
    import os

    cwd = os.getcwd()
    os.chdir(out)
    try:
        r = runner.invoke(cli_app, shlex.split(s["command"])[1:] + ["--out", "again", "-q"], catch_exceptions=False)
    finally:
        os.chdir(cwd)
    assert r.exit_code == 0, r.output
    assert (out / "again/tables/scores.csv").read_bytes() == z.read("results/tables/scores.csv")
    audit = pd.read_csv(io.BytesIO(z.read("results/tables/audit.csv")))
    reasons = set(audit.loc[audit["action"] == "alias", "reason"])
    assert any("我的别名.csv, row 2" in r for r in reasons) or any("aliases.csv, row 2" in r for r in reasons)
    # a file named in the config's aliases is never read from the server's disk
    cfg.write_text('[data]\naliases = "/etc/aliases.csv"\n', encoding="utf-8")
    s = wait(client, post(client, files / "bad.csv", {"mode": "analyze", "only": "scores", **QUICK},
                          config=cfg).json()["id"])
    assert s["status"] == "error" and "upload the alias file in the field aliases" in s["error"]
    # an alias without '=' is one line naming the field
    s = wait(client, post(client, files / "bad.csv", {"mode": "analyze", "alias": "Yunan"}).json()["id"])
    assert s["status"] == "error" and "alias 'Yunan': expected ALIAS=REGION" in s["error"]


def test_web_exclude_in_analyze_mode(client, files, tmp_path):
    s = wait(client, post(client, files / "bad.csv", {"mode": "analyze", "only": "scores", "exclude": "宁夏",
                                                       "alias": ["Yunan=云南", "黒龙江=黑龙江"], **QUICK}).json()["id"])
    assert s["status"] == "done", s
    z = zip_of(client, s)
    scores = pd.read_csv(io.BytesIO(z.read("results/tables/scores.csv")))
    assert "宁夏" not in set(scores["region"]) and scores["region"].nunique() == 28
    assert "--exclude 宁夏" in s["command"].replace("'", "")


def test_web_alias_in_study_mode_is_kept_in_the_rerun_config(client, tmp_path):
    import openpyxl

    from nqpf.config import load_config

    wb_path = tmp_path / "面板.xlsx"
    _filled_workbook(wb_path)
    wb = openpyxl.load_workbook(wb_path)
    for ws in wb.worksheets[1:]:
        for row in ws.iter_rows(min_row=4, max_col=1):
            if row[0].value in MISSPELT:
                row[0].value = MISSPELT[row[0].value]
    wb.save(wb_path)
    al = tmp_path / "al.toml"
    al.write_text('[aliases]\n"黒龙江" = "黑龙江"\n', encoding="utf-8")
    params = {"mode": "study", "spec": "scitech_example", "years": "2011,2023", "alias": "Yunan=云南", "exclude": "西藏,青海",
              "skip": "robustness,coupling,density,convergence,hotspots,ellipse,markov,drivers", **QUICK}
    s = wait(client, post(client, wb_path, {k: v for k, v in params.items() if k != "alias"}).json()["id"])
    assert s["status"] == "error" and "2 unknown region names" in s["error"] and "面板.xlsx" in s["error"]
    s = wait(client, post(client, wb_path, params, aliases=al).json()["id"])
    assert s["status"] == "done", s.get("error")
    out = tmp_path / "unzipped"
    zip_of(client, s).extractall(out)
    cfg = load_config(out / "config.toml")
    assert cfg["data"]["aliases"] == ["Yunan=云南", "aliases.toml"]
    r = runner.invoke(cli_app, ["run", str(out / "config.toml"), "--out", str(out / "again"), "-q"],
                      catch_exceptions=False)
    assert r.exit_code == 0, r.output
    assert (out / "results/tables/scores.csv").read_bytes() == (out / "again/tables/scores.csv").read_bytes()
    scores = pd.read_csv(out / "results/tables/scores.csv")
    assert {"云南", "黑龙江"} <= set(scores["region"])


def _filled_workbook(path: Path, first: int = 2010, last: int = 2023) -> Path:
    """The ``nqpf init`` workbook of spec ``scitech_example`` filled with the bundled public panel."""
    import openpyxl

    from nqpf.spec import load_spec
    from nqpf.template import write_template

    write_template(load_spec("scitech_example"), path, years=range(first, last + 1))
    panel = datasets.load_scitech_panel()
    values = panel.set_index(["variable_code", "province", "year"])["value"].to_dict()
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets[1:]:
        var = str(ws.cell(1, 1).value).split()[0]
        years = [ws.cell(3, j).value for j in range(2, ws.max_column + 1)]
        for i in range(4, ws.max_row + 1):
            region = ws.cell(i, 1).value
            for j, y in enumerate(years, start=2):
                v = values.get((var, region, y))
                if v is not None and v == v:
                    ws.cell(i, j, float(v))
    wb.save(path)
    return path


# ------------------------------------------------------------------------ files named as the user did
def test_bundled_data_named_nqpf_NAME_on_the_command_line_and_in_the_audit(tmp_path):
    """``nqpf index nqpf:NAME`` reads the shipped file; the audit's file column names it so (never nqpf's
    cache folder), as does ``nqpf run`` of a config whose ``[data] path`` is ``nqpf:NAME``."""
    r = runner.invoke(cli_app, ["index", "nqpf:techme_scitech_example.csv.gz", "--spec", "scitech_example",
                                "--years", "2011,2023", "--exclude", "西藏,青海", "--out", str(tmp_path / "ix")])
    assert r.exit_code == 0, r.output
    audit = pd.read_csv(tmp_path / "ix/tables/audit.csv", dtype=str)
    files_named = set(audit["file"].dropna())
    assert files_named == {"nqpf:techme_scitech_example.csv.gz"}, files_named
    cfg = tmp_path / "cfg" / "config.toml"
    cfg.parent.mkdir()
    (cfg.parent / "data").mkdir()
    from nqpf.datasets import data_file

    (cfg.parent / "data" / "panel.csv").write_bytes(data_file("techme_scitech_example.csv.gz").read_bytes())
    body = ('[data]\npath = "{}"\nlayout = "long"\nregion_col = "province"\nyear_col = "year"\n'
            'variable_col = "variable_code"\nvalue_col = "value"\n[spec]\nname = "scitech_example"\n'
            '[prepare]\nyears = [2011, 2023]\nexclude_regions = ["西藏", "青海"]\n')
    for written in ("nqpf:techme_scitech_example.csv.gz", "data/panel.csv"):
        cfg.write_text(body.format(written), encoding="utf-8")
        done = _commands.run_file(cfg, tmp_path / "run", only="scores", formats="csv")
        audit = pd.read_csv(tmp_path / "run/tables/audit.csv", dtype=str)
        assert set(audit["file"].dropna()) == {written}, set(audit["file"].dropna())
        assert len(done.results.table("scores"))
    # a bundled score table for nqpf analyze, recorded under its shorthand
    done = _commands.analyze_file("nqpf:ran2025_table2_scores.csv", tmp_path / "an", only="scores", formats="csv")
    meta = json.loads((tmp_path / "an/tables/meta.json").read_text(encoding="utf-8"))
    assert meta["source"] == "nqpf:ran2025_table2_scores.csv"
    with pytest.raises(InputError, match="no bundled data file 'nope.csv'; bundled: ran2025_table2_scores.csv"):
        _commands.analyze_file("nqpf:nope.csv", tmp_path / "x")


# ----------------------------------------------------------------------- analyses run and not run
def test_meta_records_the_analyses_that_ran_and_those_skipped_with_their_reason(files, tmp_path):
    """On scores alone robustness (no indicators), coupling (no subsystems) and drivers (no factor data)
    produce nothing: meta.json lists them under ``analyses_skipped`` with their reason codes, not under
    ``analyses`` (the 分析内容 of the report's parameter table)."""
    done = _commands.analyze_file(files / "good.csv", tmp_path / "o", permutations=19, formats="csv",
                                  only="scores,robustness,disparity,coupling,drivers")
    meta = json.loads((tmp_path / "o/tables/meta.json").read_text(encoding="utf-8"))
    assert meta["analyses"] == ["scores", "disparity"]
    assert meta["analyses_skipped"] == {"robustness": "no_indicators", "coupling": "no_subsystems",
                                        "drivers": "drivers.no_factor_data"}
    assert done.results.params["analyses"] == ["scores", "disparity"]
    from nqpf.pipeline import skip_reason

    assert skip_reason("ellipse", {"ellipse_skipped": "no_coordinates"}) == "no_coordinates"
    assert skip_reason("x", {}) == "no_output"


# ----------------------------------------------------------------------------------- small things
def test_analyses_listing_never_breaks_a_name_and_speaks_the_language():
    from rich.cells import cell_len

    from nqpf.analyses import FAMILIES

    for lang, head in (("zh", "分析（--only/--skip 选择"), ("en", "Analyses (choose with --only/--skip")):
        r = runner.invoke(cli_app, ["analyses", "--lang", lang], env={"COLUMNS": "80"}, terminal_width=80)
        assert r.exit_code == 0, r.output
        lines = r.output.splitlines()
        assert lines[0].startswith(head)
        assert max(cell_len(x) for x in lines) <= 80, [x for x in lines if cell_len(x) > 80]
        for fn, fam in FAMILIES.items():   # every option name whole on one line
            for on in fam.options:
                assert any(f"--set {fn}.{on}=…" in x for x in lines), (fn, on)
    r = runner.invoke(cli_app, ["analyses", "--lang", "zh"], terminal_width=80)
    assert "robustness — 排名稳健性（默认运行）" in r.output and "默认值：200" in r.output


def test_console_summary_titled_by_what_it_shows_and_table3_pointer_once(tmp_path):
    r = runner.invoke(cli_app, ["demo", "--out", str(tmp_path / "a"), "--formats", "csv", "--permutations", "19",
                                "--only", "spatial"], terminal_width=200)
    assert r.exit_code == 0, r.output
    assert "全局莫兰指数" in r.output and "全局莫兰指数与区域差异" not in r.output
    assert r.output.count("docs/table3.md") == 1 and "详见" not in r.output
    r = runner.invoke(cli_app, ["demo", "--out", str(tmp_path / "b"), "--formats", "csv", "--permutations", "19",
                                "--only", "disparity", "--lang", "en"], terminal_width=200)
    assert r.exit_code == 0, r.output
    assert "Disparity" in r.output and "Moran" not in r.output


def test_geodetector_summary_numbers_in_one_format(tmp_path):
    from nqpf.cli import _p_text

    assert [_p_text(p) for p in (4.408e-06, 0.002334, 0.0009999, 0.001, 0.05, 1.0, float("nan"))] == [
        "<0.001", "0.002", "<0.001", "0.001", "0.050", "1.000", "—"]
    rng = __import__("numpy").random.default_rng(5)
    n = 60
    x = rng.integers(0, 3, n)
    df = pd.DataFrame({"y": x * 2.0 + rng.normal(0, 0.3, n), "a": x, "b": rng.integers(0, 4, n)})
    df.to_csv(tmp_path / "t.csv", index=False)
    r = runner.invoke(cli_app, ["geodetector", str(tmp_path / "t.csv"), "--y", "y", "--factors", "a,b", "--out",
                                str(tmp_path / "gd"), "--lang", "en"], terminal_width=200)
    assert r.exit_code == 0, r.output
    import re

    rows = [line.split() for line in r.output.splitlines() if line.strip().split()[:1] in (["a"], ["b"])]
    assert len(rows) == 2, r.output
    for row in rows:
        assert re.fullmatch(r"\d\.\d{4}", row[1]) and re.fullmatch(r"<0\.001|\d\.\d{3}", row[2]), row
