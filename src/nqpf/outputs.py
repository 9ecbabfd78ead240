"""The single writer: every table, figure and report of a :class:`~nqpf.results.Results`, in one folder,
all-or-nothing.

``tables/*.csv`` hold the data of the tables as computed (codes and numbers; regions in the user's
spelling) and are byte-identical whatever the language; ``tables/meta.json`` holds the parameters.
Figures, the workbook and the reports are written in the output language: this module and
:mod:`nqpf.report` are where language is applied (:func:`localize`).
"""
from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .config import ALL_FORMATS, DEFAULT_FORMATS
from .errors import InputError
from .i18n import check_lang, t
from .results import LIST_SEP, Results, Table

__all__ = ["write", "write_tables", "localize", "Localized", "localized", "csv_frame", "ALL_FORMATS", "DEFAULT_FORMATS",
           "MANAGED"]

#: What nqpf writes into an output folder; other files there are the user's and are never touched.
MANAGED = (("tables", ("*.csv", "meta.json")), ("figures", ("*.png", "*.svg")),
           (".", ("results.xlsx", "report.html", "report.docx")))


def _missing(v) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    return isinstance(v, float | np.floating) and bool(np.isnan(v))


def _split(v) -> list[str]:
    if _missing(v) or v == "":
        return []
    return [x for x in str(v).split(LIST_SEP) if x != ""]


# ------------------------------------------------------------------------------------------- CSV
def csv_frame(table: Table, results) -> pd.DataFrame:
    """The data of ``table`` as written to CSV: region ids in the user's spelling (``results`` is a
    :class:`~nqpf.results.Results` or a :class:`~nqpf.results.RegionIndex`)."""
    df = table.data.copy()
    ri = getattr(results, "regions", results)
    for c in table.columns:
        if c.kind == "region":
            df[c.name] = [v if _missing(v) or v == "" else ri.label(v) for v in df[c.name]]
        elif c.kind == "regions":
            df[c.name] = [LIST_SEP.join(ri.label(x) for x in _split(v)) for v in df[c.name]]
    return df


def _write_csvs(tables, regions, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for tab in tables:
        if isinstance(tab, Table) and tab.csv:
            _fmt_csv(csv_frame(tab, regions), folder / f"{tab.key}.csv")


def write_tables(items, regions, out_dir) -> list[Path]:
    """Only ``tables/*.csv`` of ``items`` into ``out_dir``, all-or-nothing (``nqpf index``)."""
    from .report.atomic import atomic_output_dir

    with atomic_output_dir(Path(out_dir)) as tmp:
        _write_csvs(items, regions, Path(tmp) / "tables")
    return sorted((Path(out_dir) / "tables").glob("*.csv"))


def _fmt_csv(df: pd.DataFrame, path: Path) -> None:
    df = df.copy()
    for c in df.columns:
        if pd.api.types.is_float_dtype(df[c]):
            v = df[c]
            if c in ("row", "year") and v.dropna().eq(v.dropna().round()).all():
                df[c] = v.astype("Int64")  # whole numbers with gaps: 5, not 5.0
            else:
                df[c] = v + 0.0  # -0.0 + 0.0 == +0.0: no "-0" in the tables
    df.to_csv(path, index=False, encoding="utf-8", lineterminator="\n", float_format="%.15g")


# -------------------------------------------------------------------------------------- localize
@dataclass
class Localized:
    """A table in a language: ``frame`` (values as shown, original column names), ``headers`` and
    ``kinds`` (``int, float, p, bool, text`` for formatting) per column."""

    key: str
    frame: pd.DataFrame
    headers: list[str]
    kinds: list[str]

    def labelled(self) -> pd.DataFrame:
        out = self.frame.copy()
        out.columns = self.headers
        return out

    def subset(self, names: Sequence[str]) -> "Localized":
        idx = [list(self.frame.columns).index(n) for n in names]
        return Localized(self.key, self.frame[list(names)], [self.headers[i] for i in idx],
                         [self.kinds[i] for i in idx])


_FORMAT_KIND = {"year": "int", "int": "int", "float": "float", "p": "p", "bool": "bool"}


def localized(table: Table, lang: str, results: Results | None) -> Localized:
    """``table`` in ``lang``: headers from the catalogue, category codes in words, regions by name in
    the language, booleans as yes/no, rendered columns added."""
    lang = check_lang(lang)
    df = table.data.copy()
    ri = results.regions if results is not None else None
    sep = t("lang.list_sep", lang)
    item_name = None
    headers, kinds = [], []
    for c in table.columns:
        kinds.append(_FORMAT_KIND.get(c.kind, "text") if c.kind != "bool" else "text")  # yes/no in words
        headers.append(c.header(lang))
        if c.kind == "rendered":
            df[c.name] = list(c.render(table.data, lang, results))
            continue
        s = df[c.name]
        if c.kind == "region" and ri is not None:
            df[c.name] = [v if _missing(v) or v == "" else ri.name(v, lang) for v in s]
        elif c.kind == "regions" and ri is not None:
            df[c.name] = [sep.join(ri.name(x, lang) for x in _split(v)) for v in s]
        elif c.kind == "code":
            df[c.name] = [v if _missing(v) or v == "" else t(f"cat.{c.codes}.{v}", lang, default=str(v)) for v in s]
        elif c.kind == "codes":
            df[c.name] = [sep.join(t(f"cat.{c.codes}.{x}", lang, default=x) for x in _split(v)) for v in s]
        elif c.kind in ("item", "items") and results is not None:
            if item_name is None:
                from .analyses.diagnosis import item_namer

                item_name = item_namer(results, lang)
            if c.kind == "item":
                df[c.name] = [v if _missing(v) or v == "" else item_name(v) for v in s]
            else:
                df[c.name] = [sep.join(item_name(x) for x in _split(v)) for v in s]
        elif c.kind == "bool":
            df[c.name] = [None if _missing(v) else t("word.yes" if bool(v) else "word.no", lang) for v in s]
    if table.wide:
        idx, cols, vals = table.wide
        wide = df.pivot(index=idx, columns=cols, values=vals)
        order = list(dict.fromkeys(df[idx]))
        wide = wide.reindex(order)
        wide.columns = [int(x) if isinstance(x, (int, np.integer)) else x for x in wide.columns]
        wide = wide.reset_index()
        wide.columns.name = None
        h0 = headers[[c.name for c in table.columns].index(idx)]
        return Localized(table.key, wide, [h0] + [str(x) for x in wide.columns[1:]],
                         ["text"] + ["float"] * (wide.shape[1] - 1))
    return Localized(table.key, df, headers, kinds)


def localize(table: Table, lang: str, results: Results | None = None) -> pd.DataFrame:
    """``table`` as a DataFrame labelled in ``lang`` (headers, codes, region names)."""
    return localized(table, lang, results).labelled()


# ----------------------------------------------------------------------------------------- write
def write(results: Results, out_dir: str | os.PathLike, *, lang: str = "zh",
          formats: Sequence[str] = DEFAULT_FORMATS,
          progress: Callable[[str], None] | None = None) -> dict[str, list[Path]]:
    """Write every table, figure and report of ``results`` into ``out_dir`` atomically.

    Tables go to ``tables/*.csv`` (UTF-8, language-free), figures to ``figures/`` (PNG 300 dpi and SVG),
    the workbook to ``results.xlsx``, the reports to ``report.html`` and ``report.docx``. Everything is
    assembled in a temporary sibling folder and moved in only when every file was written; files of an
    earlier run that this run did not write again are removed (only nqpf's own file names).
    """
    from .report.atomic import atomic_output_dir

    lang = check_lang(lang)
    bad = set(formats) - set(ALL_FORMATS)
    if bad:
        raise InputError(f"unknown output format(s) {sorted(bad)}; choose from {', '.join(ALL_FORMATS)}")
    step = progress or (lambda s: None)
    out_dir = Path(out_dir)
    with atomic_output_dir(out_dir) as tmp:
        tmp = Path(tmp)
        if "csv" in formats:
            step("tables")
            _write_csvs(results.tables(), results.regions, tmp / "tables")
            (tmp / "tables" / "meta.json").write_text(
                json.dumps(dict(results.params), ensure_ascii=False, indent=2, sort_keys=True, default=str)
                + "\n", encoding="utf-8")
        fig_formats = tuple(f for f in ("png", "svg") if f in formats)
        need_png = bool({"html", "docx"} & set(formats))
        figures: dict[str, Path] = {}
        if fig_formats or need_png:
            step("figures")
            figures = _write_figures(results, tmp / "figures", lang, fig_formats or ("png",), step)
        from . import report

        if "xlsx" in formats:
            step("workbook")
            report.write_excel(results, tmp / "results.xlsx", lang=lang)
        if "html" in formats:
            step("HTML report")
            report.write_html(results, tmp / "report.html", lang=lang, figures=figures)
        if "docx" in formats:
            step("Word report")
            report.write_docx(results, tmp / "report.docx", lang=lang, figures=figures)
        if need_png and "png" not in formats:
            shutil.rmtree(tmp / "figures", ignore_errors=True)
        produced = {p.relative_to(tmp) for p in tmp.rglob("*") if p.is_file()}
    _remove_stale(out_dir, produced)
    written: dict[str, list[Path]] = {}
    for p in sorted(out_dir.rglob("*")):
        if p.is_file():
            written.setdefault(p.parent.name, []).append(p)
    return written


def _remove_stale(out_dir: Path, produced: set) -> None:
    for sub, patterns in MANAGED:
        folder = out_dir / sub
        if not folder.is_dir():
            continue
        for pat in patterns:
            for f in folder.glob(pat):
                if f.is_file() and f.relative_to(out_dir) not in produced:
                    f.unlink()


def _write_figures(results: Results, fig_dir: Path, lang: str, formats, step) -> dict[str, Path]:
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    from . import plot

    fig_dir.mkdir(parents=True, exist_ok=True)
    lang = plot.resolve_lang(lang)  # English labels when no CJK font is installed (warned once)
    out: dict[str, Path] = {}
    for fig_item in results.figures():
        step(f"figure {fig_item.key}")
        fig = fig_item.draw(results, lang)
        paths = plot.save_figure(fig, fig_dir / fig_item.key, formats=formats)
        plt.close(fig)
        png = [p for p in paths if str(p).endswith(".png")]
        if png:
            out[fig_item.key] = Path(png[0])
    return out
