"""Analyses added as items on the v2 architecture, each against an independent reference."""
from __future__ import annotations

import numpy as np
import pandas as pd

from nqpf.analyses.scores import descriptive_table
from nqpf.datasets import load_ran2025_scores


def test_descriptive_table_equals_pandas_describe():
    Y = load_ran2025_scores(wide=True)
    got = descriptive_table(Y).set_index("year")
    ref = Y.describe().T  # count, mean, std (ddof=1), min, 25%, 50%, 75%, max per year
    ref.index = ref.index.astype(int)
    np.testing.assert_array_equal(got["n"].to_numpy(), ref["count"].to_numpy())
    for ours, theirs in (("mean", "mean"), ("sd", "std"), ("min", "min"), ("q25", "25%"),
                         ("median", "50%"), ("q75", "75%"), ("max", "max")):
        np.testing.assert_allclose(got[ours].to_numpy(), ref[theirs].to_numpy(), rtol=0, atol=1e-12)


def test_descriptive_table_hand_case():
    Y = pd.DataFrame({2000: [1.0, 2.0, 3.0, 4.0]}, index=list("abcd"))
    r = descriptive_table(Y).iloc[0]
    assert r["n"] == 4 and r["mean"] == 2.5 and r["median"] == 2.5
    assert r["sd"] == np.sqrt(5 / 3) and r["q25"] == 1.75 and r["q75"] == 3.25


def test_sd_weighting_hand_case():
    """The standard-deviation method (标准差法): w_j = s_j / Σ s_k with the sample sd, by hand."""
    from nqpf.index import compute_weights

    X = pd.DataFrame({"a": [0.0, 0.5, 1.0], "b": [0.0, 0.0, 1.0], "c": [0.2, 0.2, 0.2]})
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w = compute_weights(X, "sd").set_index("indicator")["weight"]
    sa, sb = 0.5, np.sqrt(1 / 3)            # sample sd of (0, .5, 1) and of (0, 0, 1)
    assert w["a"] == sa / (sa + sb) and abs(w["b"] - sb / (sa + sb)) < 1e-15 and w["c"] == 0.0


def test_index_audit_names_excluded_regions_as_written(tmp_path):
    """`nqpf index --exclude`: the audit rows of excluded regions keep the user's spelling (regression:
    v2's first writer showed their GB/T codes because only analysed regions had labels)."""
    from pathlib import Path

    import pytest
    from typer.testing import CliRunner

    from nqpf.cli import app

    data = Path(__file__).resolve().parents[2] / "shared" / "data" / "techme_china_province_scitech_long_2000_2023.csv"
    if not data.exists():
        pytest.skip(f"shared data not found: {data}")
    r = CliRunner().invoke(app, ["index", str(data), "--spec", "scitech_example", "--layout", "long",
                                 "--region-col", "province", "--year-col", "year", "--variable-col",
                                 "variable_code", "--value-col", "value", "--years", "2011,2023",
                                 "--exclude", "西藏,青海", "--out", str(tmp_path)], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    audit = pd.read_csv(tmp_path / "tables" / "audit.csv", dtype={"region": str})
    dropped = audit[audit["reason"].astype(str).str.contains("exclude_regions")]
    assert set(dropped["region"]) == {"西藏", "青海"}
    assert not audit["region"].dropna().astype(str).str.fullmatch(r"\d{6}").any()
