"""Known answer through the command line: the Beijing–Tianjin–Hebei entropy-TOPSIS worked example.

Source: ``wantime/Entropy-weight-TOPSIS-code-and-data``, ``data/Economic indicators.xlsx`` (13 cities ×
2013–2017 × 4 transport indicators), kept in the shared data folder beside the repository. The test
parses the workbook's ``raw data`` sheet and writes it to a temporary folder as a user would hand it
to nqpf (a long CSV and a wide Excel file), writes a spec CSV with the directions of the
``standardization`` sheet, runs ``nqpf index … --topsis`` and compares ``tables/weights.csv`` with the
``ei`` and ``weight`` sheets and ``tables/scores.csv`` (``topsis``) with the ``Cj`` sheet. No number of
the workbook is copied into the project.

The cities are English names; two of them (Beijing, Tianjin) are also names of provinces. The
reader's ``regions="auto"`` must keep every identifier as given when not all names are provinces.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from nqpf.cli import app
from nqpf.io import read_panel

from _worked_example import closeness, column_sheet, load_book, matrix_sheet

TOL = 1e-6  # the Cj sheet is printed to 8 decimals; ei and weight to full double precision

runner = CliRunner()


def _run(*args):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


# ------------------------------------------------------------------------------------------------
# the workbook
# ------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def book():
    return load_book()


@pytest.fixture(scope="module")
def example(book):
    wide, _ = matrix_sheet(book["raw data"])
    raw = wide.rename_axis(columns="variable").stack().rename("value").reset_index()
    _, second = matrix_sheet(book["standardization"])
    words = {"positive": "+", "negative": "-"}
    directions = {k: words[str(v).strip().lower()] for k, v in second.items()}
    return {"raw": raw, "names": list(second), "directions": directions,
            "e": column_sheet(book["ei"]), "w": column_sheet(book["weight"]), "C": closeness(book["Cj"])}


def test_parsed_raw_sheet(example):
    raw = example["raw"]
    assert len(raw) == 13 * 5 * 4
    assert raw["region"].nunique() == 13 and sorted(raw["year"].unique()) == list(range(2013, 2018))
    assert raw["variable"].nunique() == 4
    assert {"Beijing", "Tianjin", "Shijiazhuang"} <= set(raw["region"])
    assert set(example["C"].index.get_level_values("region")) == set(raw["region"])
    assert not raw.duplicated(["region", "year", "variable"]).any()


# ------------------------------------------------------------------------------------------------
# files a user would write
# ------------------------------------------------------------------------------------------------
def _short_ids(example):
    """Indicator ids of the spec: ind1..ind4 in the sheet's row order (the English names, which hold
    spaces and commas, go to the spec's name_en)."""
    return {n: f"ind{k + 1}" for k, n in enumerate(example["names"])}


def _write_long_csv(example, path, drop=()):
    """Long CSV: region, year, variable (ind1..ind4), value."""
    ids = _short_ids(example)
    raw = example["raw"].assign(variable=example["raw"]["variable"].map(ids))
    raw[~raw["variable"].isin(drop)].to_csv(path, index=False)
    return path


def _write_wide_xlsx(example, path):
    """Wide Excel: region, year, ind1..ind4 (ids of the spec; English names in the spec's name_en)."""
    ids = _short_ids(example)
    wide = (example["raw"].assign(variable=example["raw"]["variable"].map(ids))
            .pivot(index=["region", "year"], columns="variable", values="value").reset_index())
    wide.columns.name = None
    wide.to_excel(path, index=False, sheet_name="data")
    return path


def _write_spec(example, path, directions=None):
    """Spec CSV: indicator, direction (as the standardization sheet says), name_en."""
    ids = _short_ids(example)
    pd.DataFrame({"indicator": [ids[n] for n in example["names"]],
                  "direction": directions or [example["directions"][n] for n in example["names"]],
                  "name_en": [n.strip() for n in example["names"]]}).to_csv(path, index=False)
    return path


def _check_outputs(example, out, id_to_name):
    t = out / "tables"
    W = pd.read_csv(t / "weights.csv")
    assert len(W) == 4
    names = W["indicator"].astype(str).map(id_to_name)
    assert names.notna().all(), W["indicator"].tolist()
    e, w = example["e"].reindex(names), example["w"].reindex(names)
    assert e.notna().all() and w.notna().all()
    np.testing.assert_allclose(W["entropy"].to_numpy(), e.to_numpy(), rtol=0, atol=TOL)
    np.testing.assert_allclose(W["weight"].to_numpy(), w.to_numpy(), rtol=0, atol=TOL)

    S = pd.read_csv(t / "scores.csv")
    assert len(S) == 65
    # identifiers kept as given: English city names, not province codes
    assert set(S["region"]) == set(example["raw"]["region"])
    got = S.set_index(["region", "year"])["topsis"]
    expected = example["C"].reindex(got.index)
    assert expected.notna().all()
    np.testing.assert_allclose(got.to_numpy(), expected.to_numpy(), rtol=0, atol=TOL)
    # the other tables use the same identifiers
    assert set(pd.read_csv(t / "normalized.csv")["region"]) == set(example["raw"]["region"])
    return W, S


def _id_to_name(example):
    return {v: k.strip() for k, v in _short_ids(example).items()}


def test_cli_long_csv_reproduces_workbook(example, tmp_path):
    data = _write_long_csv(example, tmp_path / "jjj_long.csv")
    spec = _write_spec(example, tmp_path / "spec.csv")
    out = tmp_path / "out"
    r = _run("index", data, "--spec", spec, "--out", out, "--topsis")
    assert r.exit_code == 0, r.output
    W, _ = _check_outputs(example, out, _id_to_name(example))
    assert sorted(W["indicator"]) == ["ind1", "ind2", "ind3", "ind4"]


def test_cli_wide_xlsx_reproduces_workbook(example, tmp_path):
    data = _write_wide_xlsx(example, tmp_path / "jjj_wide.xlsx")
    spec = _write_spec(example, tmp_path / "spec.csv")
    out = tmp_path / "out"
    r = _run("index", data, "--spec", spec, "--out", out, "--topsis")
    assert r.exit_code == 0, r.output
    _check_outputs(example, out, _id_to_name(example))


def test_cli_long_and_wide_agree(example, tmp_path):
    """The two files hold the same data: the same scores (not only to the sheet's 8 decimals)."""
    spec = _write_spec(example, tmp_path / "spec.csv")
    a = _run("index", _write_long_csv(example, tmp_path / "l.csv"), "--spec", spec, "--out", tmp_path / "a",
             "--topsis")
    b = _run("index", _write_wide_xlsx(example, tmp_path / "w.xlsx"), "--spec", spec, "--out", tmp_path / "b",
             "--topsis")
    assert a.exit_code == 0 and b.exit_code == 0, a.output + b.output
    sa = pd.read_csv(tmp_path / "a" / "tables" / "scores.csv").set_index(["region", "year"]).sort_index()
    sb = pd.read_csv(tmp_path / "b" / "tables" / "scores.csv").set_index(["region", "year"]).sort_index()
    assert sa.index.equals(sb.index)
    np.testing.assert_allclose(sa["topsis"].to_numpy(), sb["topsis"].to_numpy(), rtol=0, atol=1e-12)


def test_cli_indicator_ids_with_spaces(example, tmp_path):
    data = tmp_path / "names.csv"
    example["raw"].to_csv(data, index=False)
    spec = tmp_path / "spec_names.csv"
    pd.DataFrame({"indicator": example["names"],
                  "direction": [example["directions"][n] for n in example["names"]]}).to_csv(spec, index=False)
    r = _run("index", data, "--spec", spec, "--out", tmp_path / "out", "--topsis")
    assert r.exit_code == 0, r.output
    _check_outputs(example, tmp_path / "out", {n.strip(): n.strip() for n in example["names"]})


# ------------------------------------------------------------------------------------------------
# region identifiers: English city names, some of which are province names
# ------------------------------------------------------------------------------------------------
def test_reader_auto_keeps_city_names(example, tmp_path):
    p = read_panel(_write_long_csv(example, tmp_path / "jjj.csv"))
    assert p.meta["regions"] == "as-is"
    assert set(p.data["region"]) == set(example["raw"]["region"])
    assert "Beijing" in set(p.data["region"]) and "110000" not in set(p.data["region"])
    assert not (p.audit["action"] == "renamed").any()


def _long(regions):
    return pd.DataFrame([(r, y, "x", float(k + y)) for k, r in enumerate(regions) for y in (2020, 2021)],
                        columns=["region", "year", "variable", "value"])


def test_reader_auto_mostly_provinces_but_one_city(tmp_path):
    """Most names are provinces (in English) but one is a city: auto keeps all of them as given
    rather than failing on the city or turning Beijing into a code."""
    f = tmp_path / "mixed.csv"
    _long(["Beijing", "Tianjin", "Shanghai", "Chongqing", "Shijiazhuang"]).to_csv(f, index=False)
    p = read_panel(f)
    assert p.meta["regions"] == "as-is"
    assert sorted(p.data["region"].unique()) == sorted(["Beijing", "Tianjin", "Shanghai", "Chongqing",
                                                        "Shijiazhuang"])


def test_reader_auto_all_provinces_still_normalised(tmp_path):
    """When every region name is a province, auto normalises to GB/T 2260 codes (as before)."""
    f = tmp_path / "prov.csv"
    _long(["Beijing", "Tianjin", "Hebei"]).to_csv(f, index=False)
    p = read_panel(f)
    assert p.meta["regions"] == "china"
    assert sorted(p.data["region"].unique()) == ["110000", "120000", "130000"]
    assert p.region_label["110000"] == "Beijing"


# ------------------------------------------------------------------------------------------------
# bad input: exit code 2 and one line naming the file
# ------------------------------------------------------------------------------------------------
def _one_line_error(r):
    assert r.exit_code == 2, r.output
    msg = r.output.strip()
    assert "Traceback" not in msg
    assert len(msg.splitlines()) == 1, msg
    return msg


def test_cli_bad_direction(example, tmp_path):
    data = _write_long_csv(example, tmp_path / "jjj.csv")
    spec = _write_spec(example, tmp_path / "bad_spec.csv", directions=["+", "+", "upward", "+"])
    r = _run("index", data, "--spec", spec, "--out", tmp_path / "out", "--topsis")
    msg = _one_line_error(r)
    # the third indicator is on row 4 of the CSV (header = row 1)
    assert "bad_spec.csv" in msg and "row 4" in msg and "direction" in msg and "upward" in msg
    assert not (tmp_path / "out").exists()


def test_cli_long_data_missing_an_indicator(example, tmp_path):
    data = _write_long_csv(example, tmp_path / "jjj_three.csv", drop=("ind3",))
    spec = _write_spec(example, tmp_path / "spec.csv")
    r = _run("index", data, "--spec", spec, "--out", tmp_path / "out", "--topsis")
    msg = _one_line_error(r)
    assert "jjj_three.csv" in msg and "ind3" in msg
    assert not (tmp_path / "out").exists()


def test_cli_wide_data_missing_an_indicator_column(example, tmp_path):
    data = _write_wide_xlsx(example, tmp_path / "jjj_wide.xlsx")
    pd.read_excel(data).drop(columns=["ind4"]).to_excel(data, index=False, sheet_name="data")
    spec = _write_spec(example, tmp_path / "spec.csv")
    r = _run("index", data, "--spec", spec, "--out", tmp_path / "out", "--topsis")
    msg = _one_line_error(r)
    assert "jjj_wide.xlsx" in msg and "ind4" in msg
    assert not (tmp_path / "out").exists()


def test_cli_regions_option(tmp_path):
    """南京 is one character from 北京: with four provinces among five names, auto takes it for a
    misspelt province and stops with a one-line error; --regions as-is keeps every name as given."""
    names = ["北京", "天津", "上海", "重庆", "南京"]
    data = tmp_path / "five.csv"
    pd.DataFrame([(r, y, v, float(k + 2 * y + j)) for k, r in enumerate(names) for y in (2020, 2021)
                  for j, v in enumerate(("a", "b"))],
                 columns=["region", "year", "variable", "value"]).to_csv(data, index=False)
    spec = tmp_path / "ab.csv"
    pd.DataFrame({"indicator": ["a", "b"], "direction": ["+", "-"]}).to_csv(spec, index=False)
    msg = _one_line_error(_run("index", data, "--spec", spec, "--out", tmp_path / "o1"))
    assert "南京" in msg and "five.csv" in msg
    r = _run("index", data, "--spec", spec, "--out", tmp_path / "o2", "--regions", "as-is")
    assert r.exit_code == 0, r.output
    S = pd.read_csv(tmp_path / "o2" / "tables" / "scores.csv")
    assert sorted(S["region"].unique()) == sorted(names)
