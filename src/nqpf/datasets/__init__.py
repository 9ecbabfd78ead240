"""Data shipped with nqpf: the paper's published tables and indicator system, and one public example panel.

``load_ran2025_scores`` returns Table 2 of Ran et al. (2025): the composite development potential of
29 provinces (Tibet and Qinghai excluded), 2010–2020, transcribed as printed. ``load_ran2025_moran``
returns Table 3 (global Moran's I, z and p per year, three decimals as printed).

``load_scitech_panel`` returns the raw data of the example ``examples/scitech/config.toml``: the rows of
the seven variables of spec ``scitech_example`` from the provincial science-and-technology panel of the
R package huhuaping/techme (China Statistical Yearbook on Science and Technology; MIT licence), stored
as ``data/techme_scitech_example.csv.gz`` with its provenance and licence beside it
(``techme_scitech_example.README.md``, ``techme_scitech_example.LICENSE``).

A study config reads a shipped file with ``[data] path = "nqpf:NAME"`` (see :func:`data_file`).
"""
from __future__ import annotations

import gzip
import os
import tempfile
from importlib import resources
from pathlib import Path

import pandas as pd

from ..errors import InputError

__all__ = ["load_ran2025_scores", "load_ran2025_moran", "load_scitech_panel", "data_path", "data_file",
           "data_names", "SCITECH_PANEL"]

#: File name of the bundled example panel (gzip-compressed CSV, long form).
SCITECH_PANEL = "techme_scitech_example.csv.gz"


def data_path(name: str):
    """Path-like handle (an ``importlib.resources`` Traversable) of a bundled data file, e.g.
    ``data_path(SCITECH_PANEL)``; open it with ``.open("rb")``. :func:`data_file` gives a file on disk."""
    return resources.files("nqpf.datasets").joinpath("data", name)


def data_names() -> list[str]:
    """Names of the bundled data files (data only: not their README and LICENSE texts)."""
    return sorted(p.name for p in resources.files("nqpf.datasets").joinpath("data").iterdir()
                  if p.is_file() and not p.name.endswith((".README.md", ".LICENSE")))


def _cache_dir() -> Path:
    base = os.environ.get("NQPF_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "nqpf")
    return Path(base) / "data"


def _materialise(name: str, content: bytes) -> Path:
    """``content`` as the file ``name`` in the cache (rewritten only when it differs; atomic)."""
    user = os.getuid() if hasattr(os, "getuid") else os.environ.get("USERNAME", "user")
    for folder in (_cache_dir(), Path(tempfile.gettempdir()) / f"nqpf-cache-{user}" / "data"):
        target = folder / name
        try:
            if target.is_file() and target.read_bytes() == content:
                return target
            folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".part")
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(content)
                os.chmod(tmp, 0o644)  # mkstemp makes it private; it is a copy of public data
                os.replace(tmp, target)
            finally:
                if os.path.exists(tmp):
                    os.unlink(tmp)
            return target
        except OSError:
            continue
    raise InputError(f"cannot write the bundled data file {name} to a cache folder ({_cache_dir()}); "
                     "set NQPF_CACHE_DIR to a writable folder")


def data_file(name: str) -> Path:
    """A bundled data file as a file on disk, for readers that take a path (``nqpf:NAME`` in a config).

    A plain file is returned where it is installed. A gzip-compressed one (``NAME.gz``) is given
    decompressed, as ``NAME`` without ``.gz`` in the ``data`` folder of nqpf's cache (``$NQPF_CACHE_DIR``,
    else ``$XDG_CACHE_HOME/nqpf`` or ``~/.cache/nqpf``; the temporary folder if that is not writable),
    written again whenever its content differs from the shipped file.
    """
    res = data_path(name)
    if not name or "/" in name or "\\" in name or not res.is_file():
        raise InputError(f"no bundled data file {name!r}; bundled: {', '.join(data_names())}")
    if name.endswith(".gz"):
        with res.open("rb") as fh:
            return _materialise(name[:-3], gzip.decompress(fh.read()))
    if isinstance(res, Path):
        return res
    with res.open("rb") as fh:  # pragma: no cover - installed inside a zip archive
        return _materialise(name, fh.read())


def load_ran2025_scores(wide: bool = False) -> pd.DataFrame:
    """Table 2 of the paper.

    Parameters
    ----------
    wide : bool
        ``False`` (default): long form with columns ``region`` (short Chinese name, as printed),
        ``year``, ``score``, in the paper's column order. ``True``: a regions × years matrix.
    """
    with data_path("ran2025_table2_scores.csv").open("r", encoding="utf-8") as fh:
        df = pd.read_csv(fh, dtype={"province": str, "year": int, "score": float})
    df = df.rename(columns={"province": "region"})
    if wide:
        order = list(dict.fromkeys(df["region"]))
        m = df.pivot(index="region", columns="year", values="score").loc[order]
        m.columns.name = "year"
        return m
    return df


def load_ran2025_moran() -> pd.DataFrame:
    """Table 3 of the paper: ``year, I, z, p`` as printed (three decimals)."""
    with data_path("ran2025_table3_moran.csv").open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh)


def load_scitech_panel() -> pd.DataFrame:
    """The raw panel of the example ``examples/scitech/config.toml`` (spec ``scitech_example``), long form.

    The rows of the seven variables of spec ``scitech_example`` (``variable_code``), every province
    (31 and 全国) and every year the source has for them (2010–2023; the technology market also 2000 and
    2005), taken verbatim from the provincial science-and-technology panel of the R package
    huhuaping/techme (China Statistical Yearbook on Science and Technology; MIT licence, Copyright (c)
    2021 Hu Huaping). Columns as in that panel: ``dataset, dataset_desc_en, variable_code, item_cn,
    unit, province, province_raw, year, value`` (``value`` is missing where the yearbook cell is blank).
    Provenance and licence: ``techme_scitech_example.README.md`` and ``.LICENSE`` beside the file.
    """
    with data_path(SCITECH_PANEL).open("rb") as fh:
        return pd.read_csv(fh, compression="gzip", encoding="utf-8",
                           dtype={"dataset": str, "dataset_desc_en": str, "variable_code": str, "item_cn": str,
                                  "unit": str, "province": str, "province_raw": str, "year": int,
                                  "value": float})
