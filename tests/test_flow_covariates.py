"""Outside covariates of the geographical detector (family ``drivers``) from a file: ``nqpf analyze/run
--covariates FILE``, ``[drivers] covariates = "file"`` in the config, and the web app's field
``covariates``.

What is checked, and against what:
* the family's detector tables equal :func:`nqpf.drivers.geodetector` called directly on the merged frame
  built here by hand (the paper's Table 2 scores from ``nqpf.datasets`` beside two made-up covariates,
  merged on region name and year in pandas), rtol 1e-12 — the same code path must give the same numbers
  once the file is read, matched to the scores and the missing value left to the detector;
* the made-up stratified relation is recovered: ``gdp`` is the score's tercile in each year (three whole
  values, taken as strata), so q equals the one-way ANOVA share 1 − SSW/SST computed here by hand with
  pandas (rel 1e-12), also in the year whose missing value leaves 28 regions; ``urban`` is seeded noise;
* the audit: a region of the table not among the scores (``西藏``), a year outside the scores' period and
  the missing value (stage ``covariates``), and the missing value left out of that factor only
  (``n_missing`` = 1 for gdp in that year, 0 for urban);
* meta.json records ``drivers_covariates_file``; the config's ``[drivers] covariates`` is relative to the
  config file, the command line's ``--covariates`` overrides it; missing files are one-line errors;
* :func:`nqpf.pipeline.controls_table` still behaves as before after its generalisation
  (:func:`nqpf.pipeline.panel_table`), checked by the existing control tests and here by one case;
* the web app: the upload field ``covariates`` (fixed stored name, whitelisted suffixes), the job's
  tables equal byte for byte those of ``nqpf analyze --covariates`` run on the same files, the zip's
  ``rerun.sh`` holds the option, a study's ``config.toml`` names the uploaded file in ``[drivers]``.
"""
from __future__ import annotations

import io
import json
import os
import time
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from nqpf.cli import app
from nqpf.errors import InputError

CLASSES = [3, 4, 5]
MISSING = ("天津", 2015)          # the blank gdp cell
EXTRA = "西藏"                     # a province not among the paper's 29
OUTSIDE = 2009                     # a year before the scores' 2010–2020


def _invoke(*args):
    r = CliRunner().invoke(app, [str(a) for a in args])
    assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
    return r


def _one_line_error(r) -> str:
    err = r.stderr.strip()
    assert r.exit_code == 2, (r.exit_code, r.stdout, r.stderr)
    assert err.startswith("error:") and "\n" not in err, err
    return err


# ------------------------------------------------------------------------------------------ data
def _scores() -> pd.DataFrame:
    import nqpf.datasets

    return nqpf.datasets.load_ran2025_scores()


def _covariates(scores: pd.DataFrame) -> pd.DataFrame:
    """region, year, gdp, urban: gdp = 10·(tercile of the score in its year + 1), urban = seeded noise;
    plus rows for a region not among the scores and
    a year outside theirs."""
    rng = np.random.default_rng(2026)
    df = scores[["region", "year"]].copy()
    tercile = scores.groupby("year")["score"].transform(lambda s: pd.qcut(s.rank(method="first"), 3, labels=False))
    df["gdp"] = 10.0 * (tercile.to_numpy() + 1)
    df["urban"] = np.round(rng.uniform(30, 90, len(df)), 3)
    extra = pd.DataFrame({"region": EXTRA, "year": sorted(scores["year"].unique()), "gdp": 5.0, "urban": 20.0})
    before = df[df["year"] == df["year"].min()].assign(year=OUTSIDE)
    df = pd.concat([df, extra, before], ignore_index=True)
    df = df.astype({"gdp": object})
    df.loc[(df["region"] == MISSING[0]) & (df["year"] == MISSING[1]), "gdp"] = ""
    return df


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("covariates")
    sc = _scores()
    sc.to_csv(d / "scores.csv", index=False)
    _covariates(sc).to_csv(d / "cov.csv", index=False)
    return d


def _reference(scores: pd.DataFrame, cov: pd.DataFrame) -> dict:
    """The detector called directly on the frame merged here by hand (region name and year)."""
    from nqpf.drivers import geodetector

    c = cov.copy()
    c["gdp"] = pd.to_numeric(c["gdp"].replace("", np.nan))
    merged = scores.merge(c, on=["region", "year"], how="left")
    assert len(merged) == len(scores) and merged["gdp"].isna().sum() == 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return geodetector(merged, "score", ["gdp", "urban"], discretize=["optimal"], classes=CLASSES, by="year",
                           alpha=0.05, tol=1e-10)


@pytest.fixture(scope="module")
def analyzed(files, tmp_path_factory):
    from nqpf._commands import analyze_file

    out = tmp_path_factory.mktemp("out")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        done = analyze_file(files / "scores.csv", out, weights="china-provinces", permutations=9, formats="csv",
                            only="drivers", sets=[f"drivers.classes={CLASSES[0]}-{CLASSES[-1]}"],
                            covariates=files / "cov.csv")
    return done, out


# ------------------------------------------------------------------------------------ end to end
def test_family_tables_equal_the_detector_on_the_merged_frame(files, analyzed):
    done, _ = analyzed
    res = done.results
    ref = _reference(pd.read_csv(files / "scores.csv"), pd.read_csv(files / "cov.csv", dtype={"gdp": object}))
    for key in ("geodetector_factor", "geodetector_interaction", "geodetector_risk", "geodetector_strata",
                "geodetector_ecological"):
        got = res[key].data.reset_index(drop=True)
        want = ref[key].reset_index(drop=True)
        assert list(got.columns) == list(want.columns), key
        assert len(got) == len(want) > 0, key
        pd.testing.assert_frame_equal(got, want, rtol=1e-12, atol=0, check_dtype=False, obj=key)
    assert res.params["drivers_source"] == "drivers.source.covariates"


def test_the_known_stratification_is_recovered(files, analyzed):
    """gdp takes three whole values (the score's tercile), so the detector takes them as strata: q is the
    one-way ANOVA share 1 − SSW/SST of the terciles, computed here by hand with pandas."""
    f = analyzed[0].results["geodetector_factor"].data
    gdp, urban = f[f["factor"] == "gdp"].set_index("year"), f[f["factor"] == "urban"].set_index("year")
    sc = pd.read_csv(files / "scores.csv")
    cov = pd.read_csv(files / "cov.csv")
    m = sc.merge(cov, on=["region", "year"]).dropna(subset=["gdp"])
    for y, g in m.groupby("year"):
        sst = ((g["score"] - g["score"].mean()) ** 2).sum()
        ssw = g.groupby("gdp")["score"].apply(lambda s: ((s - s.mean()) ** 2).sum()).sum()
        assert gdp.loc[y, "q"] == pytest.approx(1 - ssw / sst, rel=1e-12, abs=0)
        assert gdp.loc[y, "method"] == "categorical" and gdp.loc[y, "strata"] == 3
    assert (gdp["q"] > 0.6).all() and urban["q"].mean() < gdp["q"].mean()
    # the missing value is left out of gdp's detectors only
    full = [y for y in gdp.index if y != MISSING[1]]
    assert gdp.loc[MISSING[1], "n_missing"] == 1 and gdp.loc[MISSING[1], "n"] == 28
    assert (gdp.loc[full, "n_missing"] == 0).all() and (urban["n_missing"] == 0).all() and (urban["n"] == 29).all()


def test_audit_meta_and_methods(analyzed):
    done, out = analyzed
    res = done.results
    audit = pd.read_csv(out / "tables" / "audit.csv", dtype=str)
    cov = audit[audit["stage"] == "covariates"]
    dropped = cov[cov["action"] == "dropped"]
    from nqpf.regions import normalize

    assert dropped["region"].isin([EXTRA, normalize(EXTRA)]).sum() == 1   # named by its GB/T code
    assert dropped["reason"].str.contains(f"year {OUTSIDE} of the covariate table is outside").sum() == 1
    missing = cov[cov["action"] == "missing"]
    assert len(missing) == 1
    row = missing.iloc[0]
    assert row["variable"] == "gdp" and row["year"].startswith(str(MISSING[1]))
    assert res.regions.label(row["region"]) == MISSING[0] or row["region"] == MISSING[0]
    assert "left out of the detectors of factor 'gdp'" in row["reason"] and row["file"] == "cov.csv"
    meta = json.loads((out / "tables" / "meta.json").read_text(encoding="utf-8"))
    assert meta["drivers_covariates_file"] == "cov.csv"
    assert meta["drivers_missing"] == "drivers.missing.per_factor" and meta["drivers_n_missing"] == 1
    methods = res["methods_geodetector"]
    keys = [k for k, _ in methods.paragraphs]
    assert "methods.drivers.missing" in keys and "methods.drivers.circular" not in keys
    assert dict(methods.paragraphs)["methods.drivers.missing"] == {"n": 1}


def test_methods_and_parameter_texts_exist_in_both_languages():
    from nqpf.i18n import t

    for lang in ("zh", "en"):
        for key in ("methods.drivers.missing", "meta.drivers_covariates_file", "meta.drivers_missing",
                    "meta.drivers_n_missing", "value.drivers.missing.per_factor", "cat.stage.covariates"):
            text = t(key, lang)
            assert text and text != key, (key, lang)
    assert "{n}" in t("methods.drivers.missing", "en")


def test_caveat_names_the_file_options():
    from nqpf.analyses.drivers import CIRCULAR_WARNING, COVARIATES_HOW

    assert "--covariates FILE" in COVARIATES_HOW and "[drivers] covariates" in COVARIATES_HOW
    assert COVARIATES_HOW in CIRCULAR_WARNING


def test_factors_option_selects_and_audits_the_rest(files, tmp_path):
    out = tmp_path / "o"
    r = _invoke("analyze", files / "scores.csv", "-w", "china-provinces", "-o", out, "--formats", "csv", "-q",
                "--only", "drivers", "--covariates", files / "cov.csv", "--set", "drivers.factors=urban",
                "--set", "drivers.classes=3")
    assert r.exit_code == 0, r.stderr
    f = pd.read_csv(out / "tables" / "geodetector_factor.csv")
    assert set(f["factor"]) == {"urban"}
    audit = pd.read_csv(out / "tables" / "audit.csv", dtype=str)
    miss = audit[(audit["stage"] == "covariates") & (audit["action"] == "missing")]
    assert len(miss) == 1 and miss["reason"].iloc[0].endswith("(not used: the factor is not among drivers.factors)")


def test_covariates_not_read_when_drivers_do_not_run(files, tmp_path):
    out = tmp_path / "o"
    r = _invoke("analyze", files / "scores.csv", "-w", "china-provinces", "-o", out, "--formats", "csv", "-q",
                "--only", "disparity", "--covariates", files / "cov.csv")
    assert r.exit_code == 0, r.stderr
    meta = json.loads((out / "tables" / "meta.json").read_text(encoding="utf-8"))
    assert "drivers_covariates_file" not in meta


def test_unknown_region_in_the_covariates_names_its_cell(files, tmp_path):
    cov = pd.read_csv(files / "cov.csv", dtype=str)
    cov.loc[cov["region"] == "河北", "region"] = "Hebie"
    cov.to_csv(tmp_path / "bad.csv", index=False)
    err = _one_line_error(_invoke("analyze", files / "scores.csv", "-w", "china-provinces", "-o", tmp_path / "o",
                                  "-q", "--only", "drivers", "--covariates", tmp_path / "bad.csv"))
    assert "unknown region 'Hebie'" in err and "bad.csv, row" in err, err
    # an alias fixes it, as for the scores
    r = _invoke("analyze", files / "scores.csv", "-w", "china-provinces", "-o", tmp_path / "o2", "-q", "--formats",
                "csv", "--only", "drivers", "--covariates", tmp_path / "bad.csv", "--alias", "Hebie=河北",
                "--set", "drivers.classes=3")
    assert r.exit_code == 0, r.stderr


def test_covariates_file_missing_on_the_command_line(files, tmp_path):
    err = _one_line_error(_invoke("analyze", files / "scores.csv", "-w", "china-provinces", "-o", tmp_path / "o",
                                  "-q", "--covariates", tmp_path / "none.csv"))
    assert "--covariates: file not found" in err


# ------------------------------------------------------------------------------------ the config
from _small_study import PROVS, SPEC, YEARS  # noqa: E402 - the shared small study


def _study(tmp: Path, body: str = "") -> Path:
    rows = [[p, y, round(100.0 * (k + 1) * 1.05 ** (y - YEARS[0]) + k * k, 6), 10.0 + 5 * (7 * k % 10)]
            for k, p in enumerate(PROVS) for y in YEARS]
    pd.DataFrame(rows, columns=["region", "year", "gdp", "pop"]).to_csv(tmp / "data.csv", index=False)
    (tmp / "spec.toml").write_text(SPEC, encoding="utf-8")
    cfg = tmp / "study.toml"
    cfg.write_text('[data]\npath = "data.csv"\n[spec]\npath = "spec.toml"\n[spatial]\npermutations = 9\n'
                   "[output]\nformats = ['csv']\n[analyses]\nonly = ['drivers']\n" + body, encoding="utf-8")
    return cfg


def _cov_small(path: Path, name: str) -> Path:
    """region, year, <name>: (k mod 3) + 0.1·year-offset, a whole-number-free step (three levels a year)."""
    rows = [[p, y, float(k % 3) + 0.5 + 0.01 * (y - YEARS[0])] for k, p in enumerate(PROVS) for y in YEARS]
    pd.DataFrame(rows, columns=["region", "year", name]).to_csv(path, index=False)
    return path


def test_config_covariates_relative_to_the_config_and_command_line_override(tmp_path):
    sub = tmp_path / "cfg"
    sub.mkdir()
    cfg = _study(sub, '[drivers]\ncovariates = "cov.csv"\nclasses = [3]\n')
    _cov_small(sub / "cov.csv", "openness")
    cwd = os.getcwd()
    os.chdir(tmp_path)     # not the config's folder: the path must resolve against the config
    try:
        out = tmp_path / "o"
        r = _invoke("run", cfg, "-o", out, "-q")
        assert r.exit_code == 0, r.stderr
        f = pd.read_csv(out / "tables" / "geodetector_factor.csv")
        assert set(f["factor"]) == {"openness"}
        meta = json.loads((out / "tables" / "meta.json").read_text(encoding="utf-8"))
        assert meta["drivers_covariates_file"] == "cov.csv"
        assert meta["drivers_source"] == "drivers.source.covariates"
        assert meta["config"]["drivers"] == {"covariates": "cov.csv", "classes": [3]}
        # the command line's table overrides the config's
        other = _cov_small(tmp_path / "other.csv", "innovation")
        r = _invoke("run", cfg, "-o", tmp_path / "o2", "-q", "--covariates", other)
        assert r.exit_code == 0, r.stderr
        f2 = pd.read_csv(tmp_path / "o2" / "tables" / "geodetector_factor.csv")
        assert set(f2["factor"]) == {"innovation"}
        meta2 = json.loads((tmp_path / "o2" / "tables" / "meta.json").read_text(encoding="utf-8"))
        assert meta2["drivers_covariates_file"] == "other.csv"
        # same values, other name: the same q
        assert np.allclose(f2["q"].to_numpy(), f["q"].to_numpy(), rtol=1e-12)
    finally:
        os.chdir(cwd)


def test_config_covariates_errors(tmp_path):
    from nqpf.config import validate_config

    cfg = _study(tmp_path, '[drivers]\ncovariates = "none.csv"\n')
    err = _one_line_error(_invoke("run", cfg, "-o", tmp_path / "o", "-q"))
    assert "[drivers] covariates: file not found" in err and "relative to the config" in err
    err = _one_line_error(_invoke("run", cfg, "-o", tmp_path / "o", "-q", "--covariates", tmp_path / "nix.csv"))
    assert "--covariates: file not found" in err
    with pytest.raises(InputError, match=r"\[drivers\] covariates must name the covariate table"):
        validate_config({"drivers": {"covariates": 3}})
    with pytest.raises(InputError, match="unknown key 'covariate' in \\[drivers\\]; did you mean 'covariates'"):
        validate_config({"drivers": {"covariate": "x.csv"}})


def test_study_without_covariates_warns_with_the_file_options(tmp_path):
    cfg = _study(tmp_path, "[drivers]\nclasses = [3]\n")
    from nqpf._commands import run_file

    with pytest.warns(UserWarning, match=r"--covariates FILE"):
        done = run_file(cfg, tmp_path / "o", formats="csv")
    assert done.results.params["drivers_source"] == "drivers.source.indicators"
    assert "drivers_covariates_file" not in done.results.params


# ------------------------------------------------------------------------ the generalised reader
def test_controls_table_unchanged_by_the_generalisation():
    """Controls still: a needed gap is an error naming the cell, the last year's gap an audit row."""
    from nqpf.io import Panel
    from nqpf.pipeline import controls_table, covariates_table
    from nqpf.results import RegionIndex

    Y = pd.DataFrame({2001: [1.0, 2.0, 3.0], 2002: [1.5, 2.5, 3.5]}, index=["a", "b", "c"])
    ri = RegionIndex(ids=("a", "b", "c"), labels={"a": "a", "b": "b", "c": "c"}, codes={})
    data = pd.DataFrame({"region": ["a", "b", "c", "a", "b", "x"], "year": [2001, 2001, 2001, 2002, 2002, 2002],
                         "variable": "v", "value": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]})
    panel = Panel(data=data, audit=pd.DataFrame())
    frame, audit, params = controls_table(panel, Y, ri)
    assert params == {"convergence_controls_file": "controls"}
    assert [(r["stage"], r["action"], r.get("region"), r.get("year")) for r in audit] == [
        ("controls", "dropped", "x", None), ("controls", "missing", "c", 2002)]
    assert audit[1]["reason"].startswith("no value of control 'v' in the last year 2002")
    frame2, audit2, params2 = covariates_table(panel, Y, ri)
    pd.testing.assert_frame_equal(frame, frame2)
    assert params2 == {"drivers_covariates_file": "covariates"}
    assert [(r["stage"], r["action"]) for r in audit2] == [("covariates", "dropped"), ("covariates", "missing")]
    gap = panel.data.drop(index=1).reset_index(drop=True)     # b 2001: needed by the controls
    with pytest.raises(InputError, match="no value of control 'v' for b 2001"):
        controls_table(Panel(data=gap, audit=pd.DataFrame()), Y, ri)
    _, audit3, _ = covariates_table(Panel(data=gap, audit=pd.DataFrame()), Y, ri)
    assert sum(r["action"] == "missing" for r in audit3) == 2


# --------------------------------------------------------------------------------------- web app
def test_web_stored_name_and_study_config():
    from nqpf.web._worker import analyze_command, study_config
    from nqpf.web.options import stored_name

    assert stored_name("covariates", "我的 协变量.XLSX") == "covariates.xlsx"
    assert stored_name("covariates", "../../x.csv") == "covariates.csv"
    with pytest.raises(InputError, match="covariates: file type '.toml' not accepted"):
        stored_name("covariates", "c.toml")
    files = {"data": "data.xlsx", "covariates": "covariates.csv"}
    cfg = study_config({}, files)
    assert cfg["drivers"] == {"covariates": "covariates.csv"}
    argv = analyze_command({}, {"data": "data.csv", "covariates": "covariates.xlsx"})
    assert argv[argv.index("--covariates") + 1] == "covariates.xlsx"


def test_web_config_naming_a_covariates_file_is_refused(tmp_path):
    from nqpf.web._worker import study_config

    (tmp_path / "config_in.toml").write_text('[drivers]\ncovariates = "/etc/passwd"\n', encoding="utf-8")
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        with pytest.raises(InputError, match="upload the covariate table in the field covariates"):
            study_config({}, {"data": "data.xlsx", "config": "config_in.toml"})
        # an uploaded table replaces the config's path
        cfg = study_config({}, {"data": "data.xlsx", "config": "config_in.toml", "covariates": "covariates.csv"})
        assert cfg["drivers"]["covariates"] == "covariates.csv"
    finally:
        os.chdir(cwd)


def _web():
    pytest.importorskip("starlette", reason="the web app needs the extra nqpf[web] (starlette)")
    pytest.importorskip("multipart", reason="the web app needs the extra nqpf[web] (python-multipart)")
    pytest.importorskip("httpx", reason="Starlette's TestClient needs httpx")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient
    from nqpf.web.app import WebConfig, create_app

    return TestClient, WebConfig, create_app


def test_web_analyze_job_with_covariates_equals_the_command_line(files, tmp_path):
    TestClient, WebConfig, create_app = _web()
    params = {"mode": "analyze", "weights": "china-provinces", "lang": "en", "permutations": 9, "formats": "csv",
              "only": "drivers", "set": ["drivers.classes=3-5"]}
    app_ = create_app(WebConfig(root=tmp_path / "jobs", max_upload_mb=5, max_jobs=1))
    with TestClient(app_, base_url="http://127.0.0.1") as client:
        r = client.post("/api/jobs", files={"data": ("scores.csv", (files / "scores.csv").open("rb")),
                                            "covariates": ("我的协变量.csv", (files / "cov.csv").open("rb"))},
                        data={"params": json.dumps(params)})
        assert r.status_code == 202, r.text
        end = time.time() + 90
        while True:
            s = client.get(f"/api/jobs/{r.json()['id']}").json()
            if s["status"] not in ("queued", "running"):
                break
            assert time.time() < end, s
            time.sleep(0.1)
        assert s["status"] == "done", s
        assert "--covariates covariates.csv" in s["command"]
        blob = client.get(s["zip"]).content
        bad = client.post("/api/jobs", files={"data": ("scores.csv", (files / "scores.csv").open("rb")),
                                              "covariates": ("c.gal", io.BytesIO(b"x"))},
                          data={"params": json.dumps(params)})
        assert bad.status_code == 400 and "covariates: file type '.gal' not accepted" in bad.json()["error"]
    z = zipfile.ZipFile(io.BytesIO(blob))
    assert z.read("covariates.csv") == (files / "cov.csv").read_bytes()
    assert "--covariates covariates.csv" in z.read("rerun.sh").decode()
    assert "我的协变量.csv" in z.read("README.txt").decode()
    web = {Path(n).name: z.read(n) for n in z.namelist() if n.startswith("results/tables/")}
    # the same command in a folder holding data.csv and covariates.csv
    work = tmp_path / "cli"
    work.mkdir()
    (work / "data.csv").write_bytes((files / "scores.csv").read_bytes())
    (work / "covariates.csv").write_bytes((files / "cov.csv").read_bytes())
    cwd = os.getcwd()
    os.chdir(work)
    try:
        rr = CliRunner().invoke(app, s["command"].split()[1:] + ["-q"], catch_exceptions=False)
    finally:
        os.chdir(cwd)
    assert rr.exit_code == 0, rr.output
    cli = {p.name: p.read_bytes() for p in (work / "results" / "tables").iterdir()}
    assert set(web) == set(cli) and {"geodetector_factor.csv", "audit.csv"} <= set(web)
    for name in cli:
        if name != "meta.json":
            assert web[name] == cli[name], name
    mw = json.loads(web["meta.json"])
    assert mw["drivers_covariates_file"] == "covariates.csv"
