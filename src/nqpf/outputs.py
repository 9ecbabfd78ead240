"""The single writer: every table, figure and report of a :class:`~nqpf.results.Results`, in one folder,
all-or-nothing.

``tables/*.csv`` hold the data of the tables as computed (codes and numbers; regions in the user's
spelling) and are byte-identical whatever the language; ``tables/meta.json`` holds the parameters.
Figures, the workbook and the reports are written in the output language: this module and
:mod:`nqpf.report` are where language is applied (:func:`localize`).
"""
from __future__ import annotations

import json
import numbers
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
            ints = [c.name for c in tab.columns if c.kind in ("year", "int")]
            _fmt_csv(csv_frame(tab, regions), folder / f"{tab.key}.csv", ints=ints)


def write_tables(items, regions, out_dir) -> list[Path]:
    """Only ``tables/*.csv`` of ``items`` into ``out_dir``, all-or-nothing (``nqpf index``)."""
    from .report.atomic import atomic_output_dir

    with atomic_output_dir(Path(out_dir)) as tmp:
        _write_csvs(items, regions, Path(tmp) / "tables")
    return sorted((Path(out_dir) / "tables").glob("*.csv"))


def _whole_numbers(s: pd.Series) -> pd.Series | None:
    """An object column whose filled cells are all whole numbers (``2015``, ``2015.0``; blanks ``""``,
    None or NaN elsewhere) as nullable ``Int64``; None for any other column (text, fractions, booleans)."""
    filled = [v for v in s.tolist() if not (_missing(v) or (isinstance(v, str) and v == ""))]
    if not filled or not all(isinstance(v, numbers.Real) and not isinstance(v, (bool, np.bool_))
                             and np.isfinite(v) and float(v) == int(v) for v in filled):
        return None
    return pd.array([pd.NA if _missing(v) or (isinstance(v, str) and v == "") else int(v) for v in s.tolist()],
                    dtype="Int64")


def _fmt_csv(df: pd.DataFrame, path: Path, ints=("row", "year")) -> None:
    """Write ``df`` as CSV: numbers with 15 significant digits (``%.15g``), empty cells for missing
    values, ``-0`` written as ``0``. Float columns are formatted here in one pass each (what pandas'
    ``float_format`` gives, byte for byte, without its per-value overhead).

    Integer columns (``ints``: the columns of kind ``year`` or ``int`` of the table, and ``row`` and
    ``year`` always) are written as whole numbers even when missing cells made them float (``5``,
    not ``5.0``) or mixed blanks and numbers made them objects (``2015``, not ``2015.0``, in an audit
    whose year is blank on file-level rows); a column holding anything else is written as it is."""
    df = df.copy()
    ints = set(ints) | {"row", "year"}
    for c in df.columns:
        if c in ints and df[c].dtype == object:
            whole = _whole_numbers(df[c])
            if whole is not None:
                df[c] = whole
                continue
        if pd.api.types.is_float_dtype(df[c]):
            v = df[c]
            if c in ("row", "year") and v.dropna().eq(v.dropna().round()).all():
                df[c] = v.astype("Int64")  # whole numbers with gaps: 5, not 5.0
            else:
                df[c] = _format_floats(v.to_numpy(dtype=float, na_value=np.nan))
    df.to_csv(path, index=False, encoding="utf-8", lineterminator="\n", float_format="%.15g")


def _format_floats(x: np.ndarray) -> np.ndarray:
    """``"%.15g" % v`` of every value (``-0.0`` as ``0``), ``""`` for NaN, as an object array."""
    x = x + 0.0  # -0.0 + 0.0 == +0.0: no "-0" in the tables
    out = np.array(["%.15g" % v for v in x.tolist()], dtype=object)
    out[np.isnan(x)] = ""
    return out


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


def _each_distinct(values, fn) -> list:
    """``[fn(v) for v in values]``, ``fn`` called once per distinct value (same type and equal: ``1``
    and ``1.0`` are looked up apart); a county table repeats each region and code for every year."""
    memo: dict = {}
    out = []
    for v in values:
        try:
            key = (type(v), v)
            got = memo.get(key, memo)
        except TypeError:  # unhashable
            out.append(fn(v))
            continue
        if got is memo:
            got = memo[key] = fn(v)
        out.append(got)
    return out


def localized(table: Table, lang: str, results: Results | None) -> Localized:
    """``table`` in ``lang``: headers from the catalogue, category codes in words, regions by name in
    the language, booleans as yes/no, rendered columns added; the frame's columns, ``headers`` and
    ``kinds`` all in the order of ``table.columns``."""
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
        if c.kind == "reason":
            df[c.name] = _reasons(table.data, c.name, lang)
            continue
        s = df[c.name]
        if c.kind == "region" and ri is not None:
            fn = lambda v: v if _missing(v) or v == "" else ri.name(v, lang)  # noqa: E731
        elif c.kind == "regions" and ri is not None:
            fn = lambda v: sep.join(ri.name(x, lang) for x in _split(v))  # noqa: E731
        elif c.kind == "code":
            fn = lambda v, f=c.codes: (  # noqa: E731
                v if _missing(v) or v == "" else t(f"cat.{f}.{v}", lang, default=str(v)))
        elif c.kind == "codes":
            fn = lambda v, f=c.codes: sep.join(t(f"cat.{f}.{x}", lang, default=x) for x in _split(v))  # noqa: E731
        elif c.kind in ("item", "items") and results is not None:
            if item_name is None:
                from .analyses.diagnosis import item_namer

                item_name = item_namer(results, lang)
            if c.kind == "item":
                fn = lambda v: v if _missing(v) or v == "" else item_name(v)  # noqa: E731
            else:
                fn = lambda v: sep.join(item_name(x) for x in _split(v))  # noqa: E731
        elif c.kind == "bool":
            fn = lambda v: None if _missing(v) else t("word.yes" if bool(v) else "word.no", lang)  # noqa: E731
        else:
            continue
        df[c.name] = _each_distinct(s, fn)
    if table.wide:
        idx, cols, vals = table.wide
        # pivoted on the computed ids (codes), labelled afterwards: two regions may share a name in
        # the language (counties of the same name in different provinces)
        keys = pd.Index(table.data[idx])
        first = ~keys.duplicated()
        codes, _ = pd.factorize(keys)
        wide = pd.DataFrame({"_row": codes, "_col": df[cols].to_numpy(),
                             "_val": df[vals].to_numpy()}).pivot(index="_row", columns="_col", values="_val")
        wide = wide.reindex(codes[first])  # rows in order of first appearance
        wide.columns = [int(x) if isinstance(x, (int, np.integer)) else x for x in wide.columns]
        wide.insert(0, idx, df[idx].to_numpy()[first])
        wide = wide.reset_index(drop=True)
        wide.columns.name = None
        h0 = headers[[c.name for c in table.columns].index(idx)]
        return Localized(table.key, wide, [h0] + [str(x) for x in wide.columns[1:]],
                         ["text"] + ["float"] * (wide.shape[1] - 1))
    # the frame's columns in the order of ``table.columns``, as the headers and kinds (a rendered
    # column was appended at the end of ``df`` wherever it stands among the columns)
    return Localized(table.key, df[[c.name for c in table.columns]], headers, kinds)


def _reasons(data: pd.DataFrame, name: str, lang: str) -> list:
    """The ``reason`` column ``name`` of ``data`` in ``lang``, from the codes and arguments beside it
    (one rendering per distinct reason)."""
    from .i18n._reasons import render

    n = len(data)
    text = data[name].tolist()
    code = data[f"{name}_code"].tolist() if f"{name}_code" in data.columns else [None] * n
    args = data[f"{name}_args"].tolist() if f"{name}_args" in data.columns else [None] * n
    return _each_distinct(list(zip(code, args, text)), lambda k: render(k[0], k[1], k[2], lang))


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
    earlier run that this run did not write again are removed (only nqpf's own file names). The
    reports' notes on shortened tables point to the workbook when ``xlsx`` is among ``formats``, else
    to the CSV files when ``csv`` is, else say which formats write the full tables
    (:func:`nqpf.report._model.full_tables`).
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
        from . import report
        from .report._model import full_tables

        place = full_tables(formats)   # where the reports' notes send the reader for a full table

        def workbook():
            step("workbook")
            report.write_excel(results, tmp / "results.xlsx", lang=lang)

        xlsx = workbook if "xlsx" in formats else None
        if fig_formats or need_png:  # the workbook (no figures in it) written while figure processes draw
            step("figures")
            figures = _write_figures(results, tmp / "figures", lang, fig_formats or ("png",), step, meanwhile=xlsx)
        elif xlsx is not None:
            xlsx()
        if "html" in formats:
            step("HTML report")
            report.write_html(results, tmp / "report.html", lang=lang, figures=figures, place=place)
        if "docx" in formats:
            step("Word report")
            report.write_docx(results, tmp / "report.docx", lang=lang, figures=figures, place=place)
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


def _write_figures(results: Results, fig_dir: Path, lang: str, formats, step, meanwhile=None) -> dict[str, Path]:
    """Draw and save every figure; in several processes when :func:`figure_processes` allows it (the
    files are the same bytes either way: each figure is drawn and saved by the same code from the
    same state, the parent's, inherited by ``fork``). ``meanwhile()``, if given, runs in this process
    while the figure processes draw (before the figures when they are drawn here)."""
    import matplotlib

    matplotlib.use("Agg", force=True)

    from . import plot

    fig_dir.mkdir(parents=True, exist_ok=True)
    lang = plot.resolve_lang(lang)  # English labels when no CJK font is installed (warned once)
    figs = list(results.figures())
    drawn: dict[int, str | None] = {}
    k = figure_processes(len(figs))
    if k > 1:
        _figures_in_processes(results, figs, fig_dir, lang, formats, step, k, drawn, meanwhile)
    elif meanwhile is not None:
        meanwhile()
    for i in range(len(figs)):  # serial, or what the processes left (an error is raised here)
        if i not in drawn:
            step(f"figure {figs[i].key}")
            drawn[i] = _draw_and_save(results, figs[i], fig_dir, lang, formats)
    return {figs[i].key: Path(drawn[i]) for i in range(len(figs)) if drawn[i]}


#: Environment variable: the number of processes drawing figures (``1``: in the calling process).
FIGURE_PROCESSES_ENV = "NQPF_FIGURE_PROCESSES"


def figure_processes(n_figures: int) -> int:
    """How many processes draw the figures: ``$NQPF_FIGURE_PROCESSES`` if set, else the CPUs this
    process may use (:func:`_usable_cpus`, at most 4), never more than the figures. Figures are drawn
    in the calling process (1) when there are fewer than 2, on systems without ``fork`` semantics nqpf
    trusts (other than Linux), when the caller runs threads other than daemon threads such as a
    progress bar's refresh (a forked child could inherit a lock another thread holds) and in a
    daemonic process (which may not have children)."""
    env = os.environ.get(FIGURE_PROCESSES_ENV, "").strip()
    try:
        k = int(env) if env else _usable_cpus()
    except ValueError:
        raise InputError(f"{FIGURE_PROCESSES_ENV} must be a whole number of processes, not {env!r}") from None
    if k <= 1 or n_figures < 2 or not _fork_safe():
        return 1
    return min(k, n_figures)


def _fork_safe() -> bool:
    """Whether this process may fork figure processes (:func:`figure_processes`): Linux, called from
    the main thread, no other thread running except daemon threads, not a daemonic process."""
    import multiprocessing
    import sys
    import threading

    main = threading.main_thread()
    others = [th for th in threading.enumerate() if th is not main and not th.daemon]
    return (sys.platform.startswith("linux") and not others and threading.current_thread() is main
            and not multiprocessing.current_process().daemon)


def _usable_cpus() -> int:
    """CPUs this process may run on (its affinity), at most 4. The load of the machine is not
    subtracted: measured on 2 shared CPUs with a load of about 2 from other work, two figure processes
    still took 19–23 s of a county run where one took 25–26 s."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    return max(1, min(4, cpus))


def _draw_and_save(results: Results, fig_item, fig_dir: Path, lang: str, formats) -> str | None:
    """Draw one figure, save it in ``formats``, close it; the PNG's path (or None)."""
    import sys

    from . import plot

    fig = fig_item.draw(results, lang)
    try:
        paths = plot.save_figure(fig, fig_dir / fig_item.key, formats=formats)
    finally:
        # nqpf's figures are built without pyplot; a figure pyplot made (a family of the user's) is
        # let go of there (importing pyplot only for this would cost a third of a second)
        if "matplotlib.pyplot" in sys.modules:
            sys.modules["matplotlib.pyplot"].close(fig)
    png = [p for p in paths if str(p).endswith(".png")]
    return str(png[0]) if png else None


#: What a figure process draws (set in the parent just before the processes are forked).
_JOB: tuple | None = None


def _figure_job(i: int):
    """In a figure process: draw figure ``i``; its index, its PNG path and the warnings it raised
    (re-issued by the parent, whose filters and display apply)."""
    import warnings

    results, figs, fig_dir, lang, formats = _JOB
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        png = _draw_and_save(results, figs[i], fig_dir, lang, formats)
    from .i18n._reasons import Notice

    # a Notice travels as itself (its code and arguments, written in the reader's language), others as text
    return i, png, [(w.message if isinstance(w.message, Notice) else str(w.message), w.category, w.filename,
                     w.lineno) for w in caught]


def dispatch_order(figs) -> list[int]:
    """The order in which figure processes take the figures: the most costly first (``Figure.cost``,
    ties in the figures' order), so that no process is left drawing a large figure alone at the end
    (longest-processing-time-first scheduling; what is written does not depend on it)."""
    return sorted(range(len(figs)), key=lambda i: (-float(getattr(figs[i], "cost", 1.0)), i))


def _figures_in_processes(results, figs, fig_dir, lang, formats, step, k: int, drawn: dict, meanwhile=None) -> None:
    """Draw the figures in ``k`` forked processes, the most costly first (:func:`dispatch_order`),
    and report them (``step``, warnings, ``drawn``: figure index → PNG path or None) in the
    figures' order; ``meanwhile()`` runs in this process while they draw (its errors propagate).
    A figure whose process failed is left out of ``drawn``, as are the figures after it in the
    figures' order (the caller draws them in its own process, which raises the error with its own
    traceback); when no process could be started, ``drawn`` stays empty (``meanwhile`` has run then
    too)."""
    import multiprocessing
    import warnings

    global _JOB
    registry: dict = {}
    got: dict[int, tuple] = {}
    _JOB = (results, figs, fig_dir, lang, formats)

    def report_ready():  # the figures done, in order, up to the first one still drawing
        while len(drawn) < len(figs) and len(drawn) in got:
            i = len(drawn)
            png, caught = got.pop(i)
            step(f"figure {figs[i].key}")
            for message, category, filename, lineno in caught:
                warnings.warn_explicit(message, category, filename, lineno, registry=registry)
            drawn[i] = png

    try:
        try:
            pool = multiprocessing.get_context("fork").Pool(k)
        except (OSError, ValueError, AssertionError):  # no processes here: all drawn by the caller
            if meanwhile is not None:
                meanwhile()
            return
        with pool:
            results_iter = pool.imap_unordered(_figure_job, dispatch_order(figs))
            if meanwhile is not None:
                meanwhile()
            try:
                for i, png, caught in results_iter:
                    got[i] = (png, caught)
                    report_ready()
            except Exception:  # noqa: BLE001 - a figure failed: it and the later ones drawn by the caller
                return
    finally:
        _JOB = None
