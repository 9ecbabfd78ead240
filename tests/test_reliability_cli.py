"""The command line's reliability: usage errors on one line, region aliases and control variables from
the command line and the config, the geodetector command, the weights help, output folders under a
file, and indicator values near the float limit.

References: the geodetector command is compared with :func:`nqpf.drivers.run_table` called directly
(the same code path must give the same numbers, 1e-12 after the CSV round trip at 15 significant
digits); normalisation near the float limit with the hand formula of min-max (exact, since dividing by a
power of two is exact); the conditional β convergence of ``analyze --controls`` with statsmodels' OLS
(HC1) on the same cross-section, to 1e-10.
"""
from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from nqpf.cli import app
from nqpf.errors import InputError

from _small_study import PROVS, SPEC, YEARS


def _invoke(*args):
    r = CliRunner().invoke(app, [str(a) for a in args])
    assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
    return r


def _one_line_error(r) -> str:
    err = r.stderr.strip()
    assert r.exit_code == 2, (r.exit_code, r.stdout, r.stderr)
    assert err.startswith("error:") and "\n" not in err and "Usage:" not in err, err
    return err


# ----------------------------------------------------------------------------------- usage errors
@pytest.mark.parametrize("args, says", [
    (["index", "d.csv", "--spc", "x"], ["No such option: --spc", "did you mean --spec?", "nqpf index --help"]),
    (["analyze"], ["Missing argument", "nqpf analyze --help"]),
    (["indx"], ["No such command 'indx'", "Did you mean 'index'?"]),
    (["analyze", "s.csv", "-w", "queen", "-o", "o", "--permutations", "-1"], ["--permutations"]),
    (["analyze", "s.csv", "-w", "queen", "-o", "o", "--permutatons", "5"], ["--permutations?"]),
    (["spec", "shw"], ["No such command 'shw'", "Did you mean 'show'?", "nqpf spec --help"]),
    (["geodetector", "d.csv", "--y", "y", "-o", "o"], ["Missing option '--factors'"]),
    (["run", "c.toml", "-o", "o", "--controls"], ["--controls", "requires an argument"]),
])
def test_usage_errors_are_one_line(args, says):
    err = _one_line_error(_invoke(*args))
    for s in says:
        assert s in err, (s, err)


def test_bare_command_still_shows_its_help():
    r = _invoke()
    assert "Usage:" in r.output and "geodetector" in r.output
    r = _invoke("spec")
    assert "Usage:" in r.output and "show" in r.output


# ------------------------------------------------------------------------------- study material
def _panel_rows(provs=PROVS, years=YEARS, spell=None):
    """region, year, gdp, pop: gdp = 100·(k+1)·1.05^(year−2015) + k², pop = 10 + 5·(7k mod 10) (the lowest
    gdp and the lowest gdp/pop are in different region-years, so no score is 0)."""
    spell = spell or {}
    return [[spell.get(p, p), y, round(100.0 * (k + 1) * 1.05 ** (y - YEARS[0]) + k * k, 6), 10.0 + 5 * (7 * k % 10)]
            for k, p in enumerate(provs) for y in years]


def _write_csv(path: Path, rows, head=("region", "year", "gdp", "pop")) -> Path:
    pd.DataFrame(rows, columns=list(head)).to_csv(path, index=False)
    return path


def _study(tmp: Path, body: str = "", spell=None) -> Path:
    _write_csv(tmp / "data.csv", _panel_rows(spell=spell))
    (tmp / "spec.toml").write_text(SPEC, encoding="utf-8")
    cfg = tmp / "study.toml"
    cfg.write_text('[data]\npath = "data.csv"\n' + body + '[spec]\npath = "spec.toml"\n'
                   "[spatial]\npermutations = 9\n[output]\nformats = ['csv']\n"
                   "[analyses]\nonly = ['disparity', 'spatial', 'convergence']\n", encoding="utf-8")
    return cfg


# ------------------------------------------------------------------------------------- aliases
def test_run_applies_config_and_command_line_aliases_and_records_them(tmp_path):
    sub = tmp_path / "cfg"
    sub.mkdir()
    cfg = _study(sub, 'aliases = ["al.csv", "Shanghia=上海"]\n', spell={"河北": "Hebie", "上海": "Shanghia",
                                                                        "江苏": "Jiangsou"})
    (sub / "al.csv").write_text("alias,region\nHebie,河北\n", encoding="utf-8")   # relative to the config
    out = tmp_path / "out"
    r = _invoke("run", cfg, "-o", out, "-q", "--alias", "Jiangsou=江苏")
    assert r.exit_code == 0, r.stderr
    meta = json.loads((out / "tables" / "meta.json").read_text(encoding="utf-8"))
    assert meta["region_aliases"] == {"Hebie": "河北", "Shanghia": "上海", "Jiangsou": "江苏"}
    audit = pd.read_csv(out / "tables" / "audit.csv", dtype=str)
    al = audit[audit["action"] == "alias"]
    assert sorted(al["old"]) == sorted(["Hebie"] * 4 + ["Shanghia"] * 4 + ["Jiangsou"] * 4)
    assert al["reason"].str.contains("al.csv, row 2").sum() == 4
    assert al["reason"].str.contains("--alias 'Jiangsou=江苏'").sum() == 4


def test_alias_given_twice_differently_is_one_error_naming_both(tmp_path):
    cfg = _study(tmp_path, 'aliases = {Hebie = "河北"}\n', spell={"河北": "Hebie"})
    err = _one_line_error(_invoke("run", cfg, "-o", tmp_path / "o", "-q", "--alias", "Hebie=湖北"))
    assert "--alias 'Hebie=湖北': alias 'Hebie' maps to '湖北', but config: [data] aliases" in err, err


def test_config_alias_file_missing_names_the_resolved_path(tmp_path):
    cfg = _study(tmp_path, 'aliases = "nothere.csv"\n')
    err = _one_line_error(_invoke("run", cfg, "-o", tmp_path / "o", "-q"))
    assert "[data] aliases: alias file not found" in err and "nothere.csv" in err and "relative to the config" in err


def test_analyze_alias_option(tmp_path):
    rows = _panel_rows(spell={"吉林": "Jilim"})
    Y = pd.DataFrame(rows, columns=["region", "year", "gdp", "pop"]).pivot(index="region", columns="year",
                                                                          values="gdp")
    Y.to_csv(tmp_path / "s.csv")
    out = tmp_path / "o"
    err = _one_line_error(_invoke("analyze", tmp_path / "s.csv", "-w", "china-provinces", "-o", out, "--formats",
                                  "csv", "-q", "--permutations", "9", "--only", "disparity"))
    assert "unknown region 'Jilim'" in err
    r = _invoke("analyze", tmp_path / "s.csv", "-w", "china-provinces", "-o", out, "--formats", "csv", "-q",
                "--permutations", "9", "--only", "disparity", "--alias", "Jilim=吉林")
    assert r.exit_code == 0, r.stderr
    meta = json.loads((out / "tables" / "meta.json").read_text(encoding="utf-8"))
    assert meta["region_aliases"] == {"Jilim": "吉林"}


# ------------------------------------------------------------------------------------ --exclude
def test_exclude_unknown_region_suggests_codes_and_lists_the_data(tmp_path):
    cfg = _study(tmp_path)
    err = _one_line_error(_invoke("index", tmp_path / "data.csv", "-s", tmp_path / "spec.toml", "-o",
                                  tmp_path / "o", "--exclude", "Jilim"))
    assert err.startswith("error: --exclude: unknown region 'Jilim'; did you mean 吉林 (220000)"), err
    assert "The data's regions are 北京 (110000), 天津 (120000)" in err
    assert cfg.exists()


def test_exclude_in_a_panel_of_identifiers_suggests_its_own_names(tmp_path):
    rows = [[u, y, 1.0 + k + 0.1 * (y - 2015), 2.0 + k] for k, u in enumerate(["Alpha", "Beta", "Gamma"])
            for y in YEARS]
    _write_csv(tmp_path / "ids.csv", rows, head=("unit", "year", "gdp", "pop"))
    (tmp_path / "spec.toml").write_text(SPEC, encoding="utf-8")
    err = _one_line_error(_invoke("index", tmp_path / "ids.csv", "-s", tmp_path / "spec.toml", "-o",
                                  tmp_path / "o", "--regions", "as-is", "--region-col", "unit",
                                  "--exclude", "Betta"))
    assert "'Betta'" in err and "did you mean 'Beta'?" in err and "Alpha, Beta, Gamma" in err, err


# ------------------------------------------------------------------------------------ controls
def _controls_long(tmp: Path, name="ctl.csv", blank=None, spell=None) -> Path:
    """region, year, open, edu: open = 0.1·(k+1) + 0.01·(year−2015), edu = 8 + 0.3·(k² mod 7) + 0.05·(k mod 3)·
    (year−2015) (not collinear with open)."""
    spell = spell or {}
    rows = [[spell.get(p, p), y, 0.1 * (k + 1) + 0.01 * (y - 2015), 8 + 0.3 * (k * k % 7) + 0.05 * (k % 3) * (y - 2015)]
            for k, p in enumerate(PROVS) for y in YEARS + [2014]]
    df = pd.DataFrame(rows, columns=["region", "year", "open", "edu"])
    if blank is not None:
        df = df.astype({"edu": object})
        df.loc[(df["region"] == blank[0]) & (df["year"] == blank[1]), "edu"] = ""
    df.to_csv(tmp / name, index=False)
    return tmp / name


def _scores(tmp: Path) -> Path:
    rng = np.random.default_rng(7)
    base = np.linspace(0.2, 0.8, len(PROVS))
    Y = pd.DataFrame({y: base * np.exp(0.05 * (y - 2015)) * (1 + 0.02 * rng.standard_normal(len(PROVS)))
                      for y in YEARS}, index=pd.Index(PROVS, name="region"))
    Y.to_csv(tmp / "scores.csv")
    return tmp / "scores.csv"


def test_analyze_controls_end_to_end(tmp_path):
    """The conditional β table lists the controls, its cross-section equals statsmodels' OLS (HC1)."""
    import statsmodels.api as sm

    s = _scores(tmp_path)
    ctl = _controls_long(tmp_path, spell={"河北": "Hebie"})
    out = tmp_path / "o"
    r = _invoke("analyze", s, "-w", "china-provinces", "-o", out, "--formats", "csv", "-q", "--permutations",
                "9", "--only", "convergence", "--controls", ctl, "--alias", "Hebie=河北")
    assert r.exit_code == 0, r.stderr
    t = out / "tables"
    conv = pd.read_csv(t / "convergence.csv")
    terms = pd.read_csv(t / "convergence_terms.csv")
    cond = conv[conv["model"].astype(str).str.startswith("beta_conditional")]
    assert len(cond), conv["model"].tolist()
    assert {"open", "edu"} <= set(terms["term"])
    meta = json.loads((t / "meta.json").read_text(encoding="utf-8"))
    assert meta["convergence_controls"] == ["open", "edu"] and meta["convergence_controls_file"] == "ctl.csv"
    audit = pd.read_csv(t / "audit.csv", dtype=str)
    # the year 2014 of the table is outside the scores' years: one audit row, not silently dropped
    assert audit["reason"].str.contains("year 2014 of the control table is outside").sum() == 1
    # reference: the cross-section (1/T) ln(y_T / y_0) = α + β ln y_0 + γ·controls(initial year), HC1
    Y = pd.read_csv(s, index_col=0)
    T = YEARS[-1] - YEARS[0]
    g = np.log(Y[str(YEARS[-1])] / Y[str(YEARS[0])]) / T
    c = pd.read_csv(ctl).replace({"Hebie": "河北"}).query("year == 2015").set_index("region").loc[Y.index]
    X = sm.add_constant(np.column_stack([np.log(Y[str(YEARS[0])]), c["open"], c["edu"]]))
    ref = sm.OLS(g.to_numpy(), X).fit(cov_type="HC1")
    row = cond[(cond["model"] == "beta_conditional") & (cond["group"].astype(str) == "all")]
    assert len(row) == 1, cond
    assert row["beta"].iloc[0] == pytest.approx(ref.params[1], abs=1e-10)
    assert row["se"].iloc[0] == pytest.approx(ref.bse[1], abs=1e-10)


def test_controls_blank_cell_in_a_needed_year_names_file_row_and_column(tmp_path):
    s = _scores(tmp_path)
    ctl = _controls_long(tmp_path, blank=("天津", 2016))
    err = _one_line_error(_invoke("analyze", s, "-w", "china-provinces", "-o", tmp_path / "o", "--formats", "csv",
                                  "-q", "--permutations", "9", "--only", "convergence", "--controls", ctl))
    # rows: header, then 北京 2015…2018, 2014, then 天津 2015 (row 7), 天津 2016 (row 8)
    assert "ctl.csv: no value of control 'edu' for 天津 2016" in err and "row 8, column D" in err, err
    assert "every year but the last" in err


def test_controls_missing_in_the_last_year_is_audited(tmp_path):
    s = _scores(tmp_path)
    ctl = _controls_long(tmp_path, blank=("天津", YEARS[-1]))
    out = tmp_path / "o"
    r = _invoke("analyze", s, "-w", "china-provinces", "-o", out, "--formats", "csv", "-q", "--permutations",
                "9", "--only", "convergence", "--controls", ctl)
    assert r.exit_code == 0, r.stderr
    audit = pd.read_csv(out / "tables" / "audit.csv", dtype=str)
    rows = audit[(audit["stage"] == "controls") & (audit["action"] == "missing")]
    assert len(rows) == 1 and rows["variable"].iloc[0] == "edu" and rows["year"].iloc[0].startswith("2018")


def test_controls_unknown_region_names_its_cell(tmp_path):
    s = _scores(tmp_path)
    ctl = _controls_long(tmp_path, spell={"河北": "Hebie"})
    err = _one_line_error(_invoke("analyze", s, "-w", "china-provinces", "-o", tmp_path / "o", "--formats", "csv",
                                  "-q", "--only", "convergence", "--controls", ctl))
    assert "unknown region 'Hebie'" in err and "ctl.csv, row 12, column A" in err, err


def test_run_controls_from_the_config_relative_to_it(tmp_path):
    sub = tmp_path / "cfg"
    sub.mkdir()
    cfg = _study(sub)
    cfg.write_text(cfg.read_text(encoding="utf-8") + '[convergence]\ncontrols = "ctl.csv"\n', encoding="utf-8")
    _controls_long(sub)
    out = tmp_path / "o"
    r = _invoke("run", cfg, "-o", out, "-q")
    assert r.exit_code == 0, r.stderr
    terms = pd.read_csv(out / "tables" / "convergence_terms.csv")
    assert {"open", "edu"} <= set(terms["term"])
    # the variables named in the option, the table from the command line
    r = _invoke("run", cfg, "-o", tmp_path / "o2", "-q", "--controls", sub / "ctl.csv", "--set",
                "convergence.controls=open")
    assert r.exit_code == 0, r.stderr
    terms = pd.read_csv(tmp_path / "o2" / "tables" / "convergence_terms.csv")
    assert "open" in set(terms["term"]) and "edu" not in set(terms["term"])


def test_controls_file_missing(tmp_path):
    cfg = _study(tmp_path)
    err = _one_line_error(_invoke("run", cfg, "-o", tmp_path / "o", "-q", "--controls", tmp_path / "none.csv"))
    assert "--controls: file not found" in err
    cfg.write_text(cfg.read_text(encoding="utf-8") + '[convergence]\ncontrols = "none.csv"\n', encoding="utf-8")
    err = _one_line_error(_invoke("run", cfg, "-o", tmp_path / "o", "-q"))
    assert "[convergence] controls: file not found" in err and "relative to the config" in err


# --------------------------------------------------------------------------------- geodetector
def _gd_table(tmp: Path) -> Path:
    rng = np.random.default_rng(11)
    n = 80
    df = pd.DataFrame({"x1": rng.normal(size=n), "x2": rng.integers(0, 3, n), "land": rng.choice(["a", "b"], n),
                       "year": np.repeat([2019, 2020], n // 2)})
    df["y"] = 2 * df["x1"] + df["x2"] + (df["land"] == "a") + rng.normal(size=n)
    df.to_csv(tmp / "gd.csv", index=False)
    return tmp / "gd.csv"


def test_geodetector_command_equals_run_table(tmp_path):
    from nqpf.drivers import run_table

    p = _gd_table(tmp_path)
    out = tmp_path / "gd"
    r = _invoke("geodetector", p, "--y", "y", "--factors", "x1,x2,land", "--by", "year", "--classes", "3-5",
                "--discretize", "quantile,natural", "--alpha", "0.1", "-o", out, "--lang", "en")
    assert r.exit_code == 0, r.stderr
    assert "x1" in r.stdout and "Wrote" in r.stdout or "wrote" in r.stdout.lower()
    ref = run_table(p, "y", ["x1", "x2", "land"], by="year", classes=[3, 4, 5], discretize=["quantile", "natural"],
                    alpha=0.1)
    for key, frame in ref.items():
        got = pd.read_csv(out / "tables" / f"{key}.csv")
        assert list(got.columns) == list(frame.columns), key
        for c in frame.columns:
            a, b = frame[c], got[c]
            if pd.api.types.is_numeric_dtype(a) and not pd.api.types.is_bool_dtype(a):
                np.testing.assert_allclose(b.to_numpy(float), a.to_numpy(float), rtol=1e-12, atol=0, err_msg=key)
            else:
                assert [str(v) for v in b] == [str(v) for v in a], (key, c)
    meta = json.loads((out / "tables" / "meta.json").read_text(encoding="utf-8"))
    assert meta["y"] == "y" and meta["factors"] == ["x1", "x2", "land"] and meta["alpha"] == 0.1


@pytest.mark.parametrize("extra, says", [
    (["--y", "yy", "--factors", "x1"], "no column 'yy'; did you mean 'y'?"),
    (["--y", "y", "--factors", "x1", "--discretize", "quantil"], "did you mean 'quantile'?"),
    (["--y", "y", "--factors", "x1", "--classes", "3-x"], "--classes: expects a whole number"),
    (["--y", "y", "--factors", "x1", "--alpha", "2"], "--alpha must be between 0 and 1"),
])
def test_geodetector_errors_are_one_line(tmp_path, extra, says):
    p = _gd_table(tmp_path)
    err = _one_line_error(_invoke("geodetector", p, *extra, "-o", tmp_path / "o"))
    assert says in err, err


# ------------------------------------------------------------------------------------- weights
def test_weights_help_names_every_registered_kind():
    from nqpf.cli import _WEIGHTS_HELP
    from nqpf.spatial.weights._resolver import WEIGHTS_FILE_SUFFIXES, WEIGHTS_KINDS

    for name, kind in WEIGHTS_KINDS.items():
        assert (kind.syntax or name) in _WEIGHTS_HELP, name
    for suffix in WEIGHTS_FILE_SUFFIXES:
        assert suffix.lstrip(".") in _WEIGHTS_HELP
    for word in ("@centroid", "@surface", "@capital", "@FILE.csv"):
        assert word in _WEIGHTS_HELP
    r = _invoke("analyze", "--help")
    assert "distance:200km@coords.csv" in " ".join(r.stdout.split())


def test_config_weights_paths_relative_to_the_config(tmp_path):
    from nqpf.config import config_weights

    cfg = {"_base": str(tmp_path)}
    assert config_weights(cfg, "china-provinces") == "china-provinces"
    assert config_weights(cfg, "knn:6@capital") == "knn:6@capital"
    assert config_weights(cfg, "distance:200km@coords.csv") == f"distance:200km@{tmp_path / 'coords.csv'}"
    assert config_weights(cfg, "idw:2:500km@pts/c.xlsx") == f"idw:2:500km@{tmp_path / 'pts' / 'c.xlsx'}"
    assert config_weights(cfg, "w.gal") == str(tmp_path / "w.gal")
    assert config_weights(cfg, "/abs/w.gwt") == "/abs/w.gwt"


# ---------------------------------------------------------------------------------- output paths
def test_output_folder_under_a_file(tmp_path):
    from nqpf.report.atomic import atomic_output_dir, atomic_write

    (tmp_path / "afile").write_text("x")
    with pytest.raises(InputError, match=r"cannot write .*afile/out: .*afile is a file, not a folder"):
        with atomic_output_dir(tmp_path / "afile" / "out"):
            pass
    with pytest.raises(NotADirectoryError, match="afile is a file, not a folder"):
        with atomic_write(tmp_path / "afile" / "sub" / "x.csv"):
            pass
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile"]


def test_run_into_a_folder_under_a_file_is_one_line(tmp_path):
    cfg = _study(tmp_path)
    (tmp_path / "afile").write_text("x")
    err = _one_line_error(_invoke("run", cfg, "-o", tmp_path / "afile" / "out", "-q"))
    assert "afile is a file, not a folder" in err and ".part" not in err


# ------------------------------------------------------------------------- values near the float limit
def _matrix(extreme=(1.5e308, -1.5e308)):
    idx = pd.MultiIndex.from_product([list("ABCDEFGH"), [2015, 2016]], names=["region", "year"])
    rng = np.random.default_rng(1)
    X = pd.DataFrame({"x1": rng.uniform(1, 2, 16), "x2": rng.uniform(1, 2, 16)}, index=idx)
    X.iloc[0, 0], X.iloc[1, 0] = extreme
    return X


@pytest.mark.parametrize("method", ["minmax", "zscore", "max", "sum"])
def test_normalize_is_unchanged_bit_for_bit_by_the_power_of_two_scaling(method):
    """Ordinary data: identical to the hand formulas (the scaling is exact)."""
    from nqpf.index import normalize

    X = _matrix(extreme=(3.0, 0.5)).abs()
    A = X.to_numpy()
    Z = normalize(X, {"x1": 1, "x2": -1}, method=method).to_numpy()
    lo, hi = A.min(0), A.max(0)
    if method == "minmax":
        ref = np.column_stack([(A[:, 0] - lo[0]) / (hi[0] - lo[0]), (hi[1] - A[:, 1]) / (hi[1] - lo[1])])
    elif method == "zscore":
        mu, sd = A.mean(0), A.std(0)
        ref = np.column_stack([(A[:, 0] - mu[0]) / sd[0], -(A[:, 1] - mu[1]) / sd[1]])
    elif method == "max":
        ref = np.column_stack([A[:, 0] / hi[0], lo[1] / A[:, 1]])
    else:
        ref = np.column_stack([A[:, 0] / A[:, 0].sum(), (1 / A[:, 1]) / (1 / A[:, 1]).sum()])
    assert np.array_equal(Z, ref)


def test_values_near_the_float_limit_leak_no_numpy_warning():
    from nqpf.index import build_index, normalize

    X = _matrix()
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        warnings.simplefilter("ignore", UserWarning)
        Z = normalize(X, {"x1": 1, "x2": -1})
        Zz = normalize(X, {"x1": 1, "x2": -1}, method="zscore")
        for treat in ("none", "winsorise", "log"):
            for pooled in (True, False):
                res = build_index(X, {"x1": 1, "x2": -1}, treat=treat, pooled=pooled, topsis=True)
                assert np.isfinite(res.scores["score"]).all()
                assert res.weights["weight"].sum() == pytest.approx(1.0, abs=1e-12)
        X2 = _matrix(extreme=(1.7e308, 1.5))   # one positive extreme: skewed, treated by the log
        res = build_index(X2, {"x1": 1, "x2": -1}, treat="log")
        assert np.isfinite(res.normalized.to_numpy()).all()
    # min-max of ±1.5e308 by hand on values divided by 2^1024 (exact): the largest is 1, the smallest 0
    A = np.ldexp(X["x1"].to_numpy(), -1024)
    assert np.array_equal(Z["x1"].to_numpy(), (A - A.min()) / (A.max() - A.min()))
    assert Z["x1"].iloc[0] == 1.0 and Z["x1"].iloc[1] == 0.0
    assert np.isfinite(Zz.to_numpy()).all()


def test_extreme_value_in_a_workbook_named_at_its_sheet_row_and_column(tmp_path):
    rows = _panel_rows()
    rows[5][2] = 1e300      # 天津 2016: row 7 of the sheet
    df = pd.DataFrame(rows, columns=["地区", "年份", "gdp", "pop"])
    with pd.ExcelWriter(tmp_path / "d.xlsx") as xw:
        df.to_excel(xw, sheet_name="原始数据", index=False)
    (tmp_path / "spec.toml").write_text(SPEC, encoding="utf-8")
    r = _invoke("index", tmp_path / "d.xlsx", "-s", tmp_path / "spec.toml", "-o", tmp_path / "o")
    assert r.exit_code == 0, r.stderr
    err = " ".join(r.stderr.split())
    assert "indicator gdp: extreme value 1e+300 in 天津 2016 (" in err
    assert "d.xlsx, sheet '原始数据', row 7, column C" in err
    audit = pd.read_csv(tmp_path / "o" / "tables" / "audit.csv", dtype=str)
    flagged = audit[(audit["action"] == "flagged") & (audit["variable"] == "gdp")]
    assert flagged["reason"].str.contains("read at .*d.xlsx, sheet '原始数据', row 7, column C").any()


def test_run_with_a_zero_score_says_which_config_key_fixes_it(tmp_path):
    """One region-year lowest in every indicator scores 0 under min-max: the error names [index] shift."""
    rows = [[p, y, 100.0 * (k + 1) * 1.05 ** (y - 2015), 10.0 + k] for k, p in enumerate(PROVS) for y in YEARS]
    _write_csv(tmp_path / "data.csv", rows)   # 北京 2015: the lowest gdp and the lowest gdp/pop
    cfg = _study(tmp_path)
    _write_csv(tmp_path / "data.csv", rows)
    err = _one_line_error(_invoke("run", cfg, "-o", tmp_path / "o", "-q"))
    assert "the composite index is ≤ 0 at 北京 2015 = 0" in err and "[index] shift = 0.0001" in err, err
    cfg.write_text(cfg.read_text(encoding="utf-8") + "[index]\nshift = 0.0001\n", encoding="utf-8")
    r = _invoke("run", cfg, "-o", tmp_path / "o", "-q")
    assert r.exit_code == 0, r.stderr


def test_run_with_a_spec_without_groups(tmp_path):
    """A flat spec (the first spec a user writes: indicator, direction) runs; shortboards are indicators."""
    _write_csv(tmp_path / "data.csv", _panel_rows())
    (tmp_path / "spec.csv").write_text("indicator,direction\ngdp,+\npop,-\n", encoding="utf-8")
    cfg = tmp_path / "study.toml"
    cfg.write_text('[data]\npath = "data.csv"\n[spec]\npath = "spec.csv"\n[spatial]\npermutations = 9\n'
                   "[output]\nformats = ['csv']\n[analyses]\nonly = ['disparity', 'spatial', 'diagnosis']\n",
                   encoding="utf-8")
    out = tmp_path / "o"
    r = _invoke("run", cfg, "-o", out, "-q")
    assert r.exit_code == 0, r.stderr
    t = out / "tables"
    assert (t / "obstacles.csv").exists() and not (t / "obstacles_by_group.csv").exists()
    strat = pd.read_csv(t / "strategy.csv", dtype=str)
    assert len(strat) == len(PROVS)
    tokens = {x for v in strat["shortboards"].dropna() for x in v.split(";")}
    assert tokens and tokens <= {"gdp", "pop"}, tokens


def test_controls_as_one_regions_by_years_sheet_per_variable(tmp_path):
    """The same controls as ``_controls_long`` written as yearbook sheets give the same conditional β."""
    s = _scores(tmp_path)
    long = pd.read_csv(_controls_long(tmp_path))
    with pd.ExcelWriter(tmp_path / "ctl.xlsx") as xw:
        for v in ("open", "edu"):
            long.pivot(index="region", columns="year", values=v).loc[PROVS].rename_axis("地区").to_excel(xw, sheet_name=v)
    tabs = []
    for name in ("ctl.csv", "ctl.xlsx"):
        out = tmp_path / name.replace(".", "_")
        r = _invoke("analyze", s, "-w", "china-provinces", "-o", out, "--formats", "csv", "-q", "--permutations",
                    "9", "--only", "convergence", "--controls", tmp_path / name)
        assert r.exit_code == 0, r.stderr
        tabs.append(pd.read_csv(out / "tables" / "convergence_terms.csv"))
    pd.testing.assert_frame_equal(tabs[0], tabs[1])
    assert {"open", "edu"} <= set(tabs[1]["term"])


def test_controls_blank_in_a_variable_not_used_is_audited_not_an_error(tmp_path):
    s = _scores(tmp_path)
    ctl = _controls_long(tmp_path, blank=("天津", 2016))     # edu blank; only open is used
    out = tmp_path / "o"
    r = _invoke("analyze", s, "-w", "china-provinces", "-o", out, "--formats", "csv", "-q", "--permutations",
                "9", "--only", "convergence", "--controls", ctl, "--set", "convergence.controls=open")
    assert r.exit_code == 0, r.stderr
    audit = pd.read_csv(out / "tables" / "audit.csv", dtype=str)
    rows = audit[(audit["stage"] == "controls") & (audit["action"] == "missing")]
    assert len(rows) == 1 and rows["reason"].iloc[0].endswith("not among the controls used)")
    # the convergence family left out: the control table is not checked
    r = _invoke("analyze", s, "-w", "china-provinces", "-o", tmp_path / "o2", "--formats", "csv", "-q",
                "--permutations", "9", "--only", "disparity", "--controls", ctl)
    assert r.exit_code == 0, r.stderr
