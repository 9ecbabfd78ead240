"""A given-weights file in the config: ``[index] weights = "w.csv"`` is read relative to the config file,
with the same errors as ``--given-weights``."""
from __future__ import annotations

from pathlib import Path

import pytest

from nqpf.errors import InputError
from nqpf.pipeline import _index_inputs
from nqpf.config import load_config

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "scitech" / "config.toml"


def _config(tmp_path, weights_line: str) -> Path:
    text = EXAMPLE.read_text(encoding="utf-8")
    cfg = tmp_path / "study" / "config.toml"
    cfg.parent.mkdir()
    cfg.write_text(text + f"\n[index]\n{weights_line}\n" if "[index]" not in text
                   else text.replace("[index]", f"[index]\n{weights_line}"), encoding="utf-8")
    return cfg


def test_weights_file_relative_to_the_config(tmp_path):
    cfg = _config(tmp_path, 'weights = "w.csv"')
    (cfg.parent / "w.csv").write_text("indicator,weight\nrd_intensity,0.5\npatents_granted,0.5\n", encoding="utf-8")
    got = _index_inputs(load_config(cfg))["index_kw"]["weights"]
    assert got == {"rd_intensity": 0.5, "patents_granted": 0.5}


def test_weights_file_errors_name_file_row_and_indicator(tmp_path):
    cfg = _config(tmp_path, 'weights = "w.csv"')
    (cfg.parent / "w.csv").write_text("indicator,weight\nrd_intensity,0.5\npatents_granted,-2\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"w\.csv: row 3, column weight \(indicator patents_granted\): negative"):
        _index_inputs(load_config(cfg))
    cfg2 = _config(tmp_path / "b", 'weights = "missing.csv"') if (tmp_path / "b").mkdir() is None else None
    with pytest.raises(InputError, match="weights file not found: .*missing.csv"):
        _index_inputs(load_config(cfg2))
