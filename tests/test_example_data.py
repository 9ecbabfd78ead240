"""The example dataset shipped with nqpf, the real-data example that runs on it, and the command line's help.

``examples/scitech/config.toml`` reads ``nqpf:techme_scitech_example.csv.gz``: the rows of the seven variables
of spec ``scitech_example`` of the public techme panel (MIT), bundled in the package so that the example runs
from a fresh clone without the shared data folder. Where the full panel is present (``../shared``), the
extract is checked to be its rows byte for byte, and the study on it to write the same tables.
"""
from __future__ import annotations

import csv
import gzip
import io
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from nqpf import datasets
from nqpf.cli import app
from nqpf.config import config_path, load_config
from nqpf.errors import InputError
from nqpf.spec import load_spec

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "scitech"
TECHME = ROOT.parent / "shared" / "data" / "techme_china_province_scitech_long_2000_2023.csv"
DATA_DIR = ROOT / "src" / "nqpf" / "datasets" / "data"
needs_techme = pytest.mark.skipif(not TECHME.exists(), reason=f"shared data not found: {TECHME} "
                                  "(the full panel lives in the shared folder beside the repository)")
runner = CliRunner()
SPEC_VARIABLES = set(load_spec("scitech_example").variables)


def _run(config: Path, out: Path):
    r = runner.invoke(app, ["run", str(config), "--out", str(out), "--formats", "csv", "-q"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    return out / "tables"


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    """nqpf's cache folder (where the bundled .gz is decompressed) in a temporary folder."""
    folder = tmp_path_factory.mktemp("nqpf-cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NQPF_CACHE_DIR", str(folder))
        yield folder


@pytest.fixture(scope="module")
def bundled_run(tmp_path_factory, cache):
    """The example copied out of the repository (no ../shared reachable from it) and run as a user would."""
    where = tmp_path_factory.mktemp("example")
    shutil.copytree(EXAMPLE, where / "scitech")
    config = where / "scitech" / "config.toml"
    assert load_config(config)["data"]["path"].startswith("nqpf:")  # nothing relative to the repository
    return _run(config, where / "out")


# ------------------------------------------------------------------------------------------ the data file
def test_bundled_panel_is_small_documented_and_the_spec_rows():
    gz = DATA_DIR / datasets.SCITECH_PANEL
    assert gz.stat().st_size < 100_000  # 25.6 kB; 412 kB as plain CSV
    df = datasets.load_scitech_panel()
    assert list(df.columns) == ["dataset", "dataset_desc_en", "variable_code", "item_cn", "unit", "province",
                                "province_raw", "year", "value"]
    assert len(df) == 3086 and set(df["variable_code"]) == SPEC_VARIABLES
    assert df["province"].nunique() == 32 and "全国" in set(df["province"])  # 31 provinces and the country
    assert set(range(2010, 2024)) <= set(df["year"])
    assert not df.duplicated(["variable_code", "province", "year"]).any()
    # provenance and licence beside the file
    readme = (DATA_DIR / "techme_scitech_example.README.md").read_text(encoding="utf-8")
    lic = (DATA_DIR / "techme_scitech_example.LICENSE").read_text(encoding="utf-8")
    assert "huhuaping/techme" in readme and "Science and Technology" in readme and "MIT" in readme
    assert "MIT License" in lic and "Copyright (c) 2021 Hu Huaping" in lic and "WITHOUT WARRANTY" in lic
    assert datasets.SCITECH_PANEL in datasets.data_names()
    assert not any(n.endswith((".README.md", ".LICENSE")) for n in datasets.data_names())


@needs_techme
def test_bundled_panel_is_the_full_panels_rows_byte_for_byte():
    """Header plus every line of the shared long CSV whose variable_code the spec uses, in order, unchanged."""
    text = TECHME.read_bytes().decode("utf-8")
    lines, rows = text.splitlines(keepends=True), list(csv.reader(io.StringIO(text)))
    col = rows[0].index("variable_code")
    expected = "".join([lines[0]] + [ln for ln, r in zip(lines[1:], rows[1:]) if r[col] in SPEC_VARIABLES])
    with datasets.data_path(datasets.SCITECH_PANEL).open("rb") as fh:
        assert gzip.decompress(fh.read()) == expected.encode("utf-8")
    full = pd.read_csv(TECHME)
    full = full[full["variable_code"].isin(SPEC_VARIABLES)].reset_index(drop=True)
    pd.testing.assert_frame_equal(datasets.load_scitech_panel(), full, check_dtype=False)


def test_data_file_decompresses_into_the_cache_and_repairs_it(cache):
    p = datasets.data_file(datasets.SCITECH_PANEL)
    assert p.parent == cache / "data" and p.name == "techme_scitech_example.csv"
    with datasets.data_path(datasets.SCITECH_PANEL).open("rb") as fh:
        content = gzip.decompress(fh.read())
    assert p.read_bytes() == content
    p.write_text("stale", encoding="utf-8")  # a damaged or outdated copy is written again
    assert datasets.data_file(datasets.SCITECH_PANEL).read_bytes() == content
    # plain files are given where they are installed
    assert datasets.data_file("ran2025_table2_scores.csv") == DATA_DIR / "ran2025_table2_scores.csv"
    with pytest.raises(InputError, match="no bundled data file 'nope.csv'; bundled: .*techme_scitech_example"):
        datasets.data_file("nope.csv")
    with pytest.raises(InputError):
        datasets.data_file("../specs/ran2025.toml")


def test_config_nqpf_prefix_names_a_bundled_file(cache, tmp_path):
    cfg = {"_base": str(tmp_path)}
    assert Path(config_path(cfg, "nqpf:techme_scitech_example.csv.gz")) == cache / "data" / "techme_scitech_example.csv"
    assert config_path(cfg, "data.csv") == str(tmp_path / "data.csv")  # other paths: relative to the config
    bad = tmp_path / "bad.toml"
    bad.write_text('[data]\npath = "nqpf:missing.csv"\n[spec]\nname = "scitech_example"\n', encoding="utf-8")
    r = runner.invoke(app, ["run", str(bad), "--out", str(tmp_path / "o"), "-q"])
    assert r.exit_code == 2
    assert "no bundled data file 'missing.csv'" in r.output and "Traceback" not in r.output


# ------------------------------------------------------------------------------------------ the example
def test_example_runs_without_the_shared_folder(bundled_run, cache):
    scores = pd.read_csv(bundled_run / "scores.csv")
    assert scores["region"].nunique() == 29 and sorted(scores["year"].unique()) == list(range(2011, 2024))
    audit = pd.read_csv(bundled_run / "audit.csv")
    read_from = set(audit["file"].dropna())
    assert read_from == {"nqpf:techme_scitech_example.csv.gz"}   # as the config names it, not the cache path
    meta = json.loads((bundled_run / "meta.json").read_text(encoding="utf-8"))
    assert meta["config"]["data"]["path"] == "nqpf:techme_scitech_example.csv.gz"


@needs_techme
def test_example_on_the_extract_writes_the_tables_of_the_full_panel(bundled_run, tmp_path):
    """Every tables/*.csv byte-identical; audit.csv differs only in the file read and the line numbers in it
    (the same cells sit on other lines of a shorter file); meta.json only in the data path and file name."""
    text = (EXAMPLE / "config.toml").read_text(encoding="utf-8")
    assert 'path = "nqpf:techme_scitech_example.csv.gz"' in text
    full_cfg = tmp_path / "full.toml"
    full_cfg.write_text(text.replace('path = "nqpf:techme_scitech_example.csv.gz"',
                                     f"path = {json.dumps(TECHME.as_posix())}"), encoding="utf-8")
    full_run = _run(full_cfg, tmp_path / "out")
    names = sorted(p.name for p in full_run.glob("*"))
    assert names == sorted(p.name for p in bundled_run.glob("*")) and "scores.csv" in names
    for name in names:
        if name not in ("audit.csv", "meta.json"):
            assert (bundled_run / name).read_bytes() == (full_run / name).read_bytes(), name
    a = pd.read_csv(bundled_run / "audit.csv", dtype=str, keep_default_na=False)
    b = pd.read_csv(full_run / "audit.csv", dtype=str, keep_default_na=False)
    assert len(a) == len(b) > 0
    # where a value was read (file, row, and the location an extreme-value row names) differs by file
    for df in (a, b):
        df["reason"] = df["reason"].str.replace(r"; read at .*$", "", regex=True)
        df["reason_args"] = df["reason_args"].str.replace(r',"place":"[^"]*"', "", regex=True)
        df["reason_code"] = df["reason_code"].str.replace("extreme_value_at", "extreme_value")
    pd.testing.assert_frame_equal(a.drop(columns=["file", "row"]), b.drop(columns=["file", "row"]))
    assert set(b["file"]) - {""} == {str(TECHME)}
    # the same cells, on other lines: each line of the extract holds what the named line of the full file holds
    ext = datasets.data_file(datasets.SCITECH_PANEL).read_bytes().decode("utf-8").splitlines()
    full_lines = TECHME.read_bytes().decode("utf-8").splitlines()
    located = (a["row"] != "") & (a["file"] != "")
    assert located.any()
    for ra, rb in zip(a.loc[located, "row"], b.loc[located, "row"]):
        assert ext[int(float(ra)) - 1] == full_lines[int(float(rb)) - 1]
    ma, mb = (json.loads((d / "meta.json").read_text(encoding="utf-8")) for d in (bundled_run, full_run))
    for m in (ma, mb):
        m["config"]["data"].pop("path")
        m.pop("source")
    assert ma == mb


# ------------------------------------------------------------------------------------------ --help
@pytest.mark.parametrize("args", [[], ["run"], ["index"], ["demo"], ["analyze"], ["init"], ["spec"],
                                  ["spec", "list"], ["spec", "show"]])
def test_help_shows_no_metavar_on_flags(args):
    r = runner.invoke(app, [*args, "--help"])
    assert r.exit_code == 0, r.output
    assert "<bool>" not in r.output and "--help" in r.output
    if args == ["run"]:
        assert "Override [output] lang." in r.output  # square brackets are text, not markup
        assert "--out <path>" in r.output  # options that take a value still show its kind
