"""Command line: thin wrappers that build library objects, call the API and print a summary.

User errors (bad input, unknown regions, mismatched weights, invalid configs) exit with status 2
and one line on standard error, never a traceback.
"""
from __future__ import annotations

import re
import sys
import warnings
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import List, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from typer.core import TyperGroup

try:   # typer ≥ 0.24 ships its own copy of click, whose exceptions are not click's
    from typer._click import exceptions as _cx
except ImportError:  # pragma: no cover - older typer on click
    from click import exceptions as _cx

from . import __version__
from ._commands import aliases_from as _aliases
from ._commands import analysis_choice as _analysis_args
from ._commands import check_alternative as _check_alt
from ._commands import check_lang as _check_lang
from ._commands import check_out as _check_out
from ._commands import data_arg as _data_arg
from ._commands import extrapolate_rule as _extrapolate
from ._commands import parse_formats as _parse_formats
from ._commands import parse_years as _parse_years
from ._commands import weighting_names as _weighting_names
from ._commands import weighting_options as _weighting_options
from .errors import NqpfError
from .i18n import DEFAULT_LANG, LANGS

__all__ = ["app", "main"]


class _OneLineUsageError(_cx.ClickException):
    """A usage error (unknown option, missing argument, bad value) shown as one line ``error: …``."""

    exit_code = 2

    def show(self, file=None) -> None:
        err_console.print(f"[bold red]error:[/] {escape(self.message)}", highlight=False, soft_wrap=True)


def _one_line(exc: _cx.UsageError) -> _cx.ClickException:
    """click's three-line usage error (Usage:/Try/Error:) as one line, with click's did-you-mean and the
    command whose ``--help`` lists the options."""
    msg = " ".join(exc.format_message().split())
    msg = re.sub(r"\s*\(Possible options: ([^)]*)\)", lambda m: f"; did you mean {m.group(1).replace(', ', ' or ')}?",
                 msg)
    ctx = getattr(exc, "ctx", None)
    path = " ".join(["nqpf", *ctx.command_path.split()[1:]]) if ctx is not None else "nqpf"
    return _OneLineUsageError(f"{msg} (see {path} --help)")


class _Group(TyperGroup):
    """Typer's group with usage errors on one line (the help of a bare command is kept as it is)."""

    def make_context(self, *args, **kwargs):
        try:
            return super().make_context(*args, **kwargs)
        except _cx.NoArgsIsHelpError:
            raise
        except _cx.UsageError as exc:
            raise _one_line(exc) from None

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except _cx.NoArgsIsHelpError:
            raise
        except _cx.UsageError as exc:
            raise _one_line(exc) from None


# Help is rendered as plain text (click's layout), not as typer's rich panels: the panels print a type
# such as <bool> beside every flag (flags take no value) and read square brackets in help texts as markup
# ("Override [output] lang." lost "[output]"). Set once here, it holds for every command and subcommand.
app = typer.Typer(
    cls=_Group,
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    help="nqpf — development potential of new quality productive forces (新质生产力发展潜力): "
    "index construction, disparity, spatial autocorrelation and strategic focus.",
)
spec_app = typer.Typer(cls=_Group, no_args_is_help=True, help="Indicator systems (specs): list and show.")
app.add_typer(spec_app, name="spec")

console = Console()
err_console = Console(stderr=True)


#: The language of the warnings shown (the command's output language while it runs; English otherwise).
_WARN_LANG: ContextVar[str] = ContextVar("nqpf_warning_lang", default="en")


class _UserError(Exception):
    pass


def _fail(msg: str) -> None:
    err_console.print(f"[bold red]error:[/] {escape(msg)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code=2)


@contextmanager
def _user_errors():
    """Turn user-input errors into one line and exit code 2."""
    def _show(message, category, filename, lineno, file=None, line=None):
        from .i18n import t
        from .i18n._reasons import warning_text

        lang = _WARN_LANG.get()   # the language of the command's outputs
        text, head = warning_text(message, lang), t("cli.warning", lang, default="warning:")
        sep = "" if head.endswith("：") else " "   # a full-width colon carries its own space
        err_console.print(f"[yellow]{escape(head)}[/]{sep}{escape(text)}", highlight=False, soft_wrap=True)

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("default")
            warnings.filterwarnings("ignore", category=DeprecationWarning)
            warnings.showwarning = _show
            yield
    except NqpfError as e:
        from .i18n._reasons import error_text

        _fail(error_text(e, getattr(e, "nqpf_lang", "en")))
    except FileNotFoundError as e:
        _fail(f"file not found: {e.filename or e}")
    except PermissionError as e:
        _fail(f"permission denied: {e.filename or e}")
    except OSError as e:   # a full disk, a read-only file system …: one line, not a traceback
        _fail(f"{e.filename + ': ' if e.filename else ''}{e.strerror or e}")


@contextmanager
def _progress(total: int, quiet: bool = False, lang: str = DEFAULT_LANG):
    """A rich progress bar advanced by the library's progress callback, its steps named in ``lang``;
    the warnings shown meanwhile are written in ``lang`` too."""
    token = _WARN_LANG.set(lang)
    try:
        yield from _bar(total, quiet, lang)
    except NqpfError as e:   # the error is written in the same language, where it has a text in it
        e.nqpf_lang = lang
        raise
    finally:
        _WARN_LANG.reset(token)


def _bar(total: int, quiet: bool, lang: str):
    if quiet or not sys.stderr.isatty():
        yield lambda s: None
        return
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from ._commands import step_text

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                  console=err_console, transient=True) as prog:
        task = prog.add_task(step_text("start", lang), total=total)

        def step(label: str):
            prog.update(task, description=escape(step_text(label, lang)), advance=1)

        yield step
        prog.update(task, completed=total)


def _shown_lang(lang: Optional[str], config: Optional[Path] = None) -> str:
    """The language the progress bar speaks before the options are checked: ``--lang``, else the
    config's ``[output] lang``, else the default (an invalid one is reported later by the command)."""
    from .i18n import check_lang

    if lang is None and config is not None:
        try:
            from .config import load_config

            lang = load_config(config).get("output", {}).get("lang")
        except (NqpfError, OSError, ValueError):   # the command reports the config's problem itself
            lang = None
    try:
        return check_lang(lang or DEFAULT_LANG)
    except NqpfError:
        return DEFAULT_LANG


#: Every spelling nqpf.spatial.resolve_weights accepts (kept in step with nqpf.spatial.weights; a test
#: checks that each kind registered there is named here).
_WEIGHTS_HELP = (
    "Spatial weights. china-provinces: built-in contiguity of the Chinese provinces (Hainan by --island). "
    "queen or rook: contiguity from the Amap boundaries of Chinese provinces, cities or counties (names or "
    "adcodes). knn:K: the K nearest regions (knn alone = knn:6). distance:D: every region within D, e.g. "
    "distance:200km (distance alone: the smallest band that leaves no region without a neighbour). idw:P or "
    "idw:P:D: inverse distance to the power P, optionally only within D, e.g. idw:2:500km. knn, distance and "
    "idw take their points after @: @centroid (default), @surface, @capital or @FILE.csv (columns region and "
    "lon/lat in degrees, or x/y in metres), e.g. distance:200km@coords.csv. Or a GeoDa .gal/.gwt file. Units "
    "without neighbours are listed; --island nearest links each to its nearest unit.")

_ONLY_HELP = "Run only these analyses, comma separated (nqpf analyses lists them)."
_SKIP_HELP = "Analyses left out, comma separated, e.g. markov,drivers (nqpf analyses lists them)."
_SET_HELP = ("An analysis option ANALYSIS.OPTION=VALUE, repeatable, e.g. --set density.kernel=epanechnikov "
             "(nqpf analyses lists them with their defaults).")


_ALIAS_HELP = ("A region as the data write it mapped to the region it stands for, ALIAS=REGION, repeatable, "
               "e.g. --alias 'Yunan=云南' (every cell mapped is an audit row).")
_ALIAS_FILE_HELP = ("Alias file, repeatable: CSV/Excel with two columns, the spelling in the data and the region "
                    "(a header alias,region is optional), or TOML with an [aliases] table.")


_EXCLUDE_HELP = "Regions left out, comma-separated (e.g. 西藏,青海); audited."

_CONTROLS_HELP = ("Control variables of conditional β convergence: CSV/Excel, long (region, year, var1, var2 …) or "
                  "one regions × years sheet per variable; regions spelt as in the scores (aliases apply).")
_COVARIATES_HELP = ("Covariates of the geographical detector (analysis drivers; outside factors instead of the "
                    "index's own indicators): CSV/Excel, long (region, year, var1, var2 …) or one regions × years "
                    "sheet per variable; regions spelt as in the scores (aliases apply); a missing value leaves "
                    "that region-year out of that factor's detectors (audited).")


def _lang_help() -> str:
    from .i18n import t

    return ("Language of the reports and figures: "
            + ", ".join(f"{c} ({t('lang.name_en', c)})" for c in LANGS)
            + "; other spellings such as zh-TW are accepted.")


_LANG_HELP = _lang_help()


def _summary(res, out: Path, written, lang: str) -> None:
    """Global Moran's I and disparity per year (those of the two that ran), the Table 3 comparison, the
    files written: in ``lang``."""
    from rich import box

    from .i18n import t

    mg = res.table("moran_global").set_index("year") if "moran_global" in res else None
    d = res.table("disparity").set_index("year") if "disparity" in res else None
    moran = ["I", "z_rand", "p_rand", "p_sim"] if mg is not None else []
    disp = ["theil", "sigma", "cv"] if d is not None else []
    cols = moran + disp
    if cols:
        title = ("cli.summary_title" if moran and disp else
                 "cli.summary_title_moran" if moran else "cli.summary_title_disparity")   # what is shown
        tb = Table(title=t(title, lang), box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1))
        for key in ["year", *cols]:
            tb.add_column(t(f"cli.col.{key}", lang), justify="right", no_wrap=True, min_width=5)
        years = list(mg.index if mg is not None else d.index)
        for y in years:
            cells = [f"{mg.loc[y, k]:.3f}" for k in moran] + [f"{d.loc[y, k]:.4f}" for k in disp]
            tb.add_row(str(int(y)), *cells)
        console.print(tb)
    if "table3_comparison" in res:
        comp = res.table("table3_comparison")
        ok = comp[comp["reproduced"]]["year"].tolist()
        no = comp[~comp["reproduced"]]["year"].tolist()
        notes = res["table3_comparison"].columns[-1].render(comp[comp["note"] == "misprint"], lang, res)
        none = t("word.none", lang)
        slips = t("lang.clause_sep", lang).join(notes)
        # the notes may point to docs/table3.md themselves: then the pointer is not repeated
        shown = slips if no and slips else ""
        end = "cli.end" if "docs/table3.md" in shown else "cli.see_table3"
        console.print(escape(t("cli.table3", lang, ok=ok or none, no=no or none)
                             + (t("cli.paren", lang, text=shown) if shown else "") + t(end, lang)))
    n = sum(len(v) for v in written.values())
    console.print(escape(t("cli.wrote", lang, n=n, out=out)))


# ------------------------------------------------------------------------------------------------


@app.command()
def demo(
    out: Path = typer.Option(Path("nqpf-demo"), "--out", "-o", help="Output folder."),
    lang: str = typer.Option(DEFAULT_LANG, "--lang", help=_LANG_HELP),
    permutations: int = typer.Option(999, min=0, help="Permutations for pseudo p-values."),
    seed: int = typer.Option(12345, min=0, help="Seed of the permutations."),
    alternative: str = typer.Option("greater", help="greater (default, as the paper), less or two-sided."),
    island: str = typer.Option("guangdong", help="Hainan rule: none, guangdong, guangdong_guangxi."),
    years: Optional[str] = typer.Option(None, help="Years shown in Figure 2 and the maps, e.g. 2010,2020."),
    formats: Optional[str] = typer.Option(None, help="Outputs: csv,png,svg,xlsx,html,docx (default all)."),
    only: Optional[str] = typer.Option(None, "--only", help=_ONLY_HELP),
    skip: Optional[str] = typer.Option(None, "--skip", help=_SKIP_HELP),
    sets: Optional[List[str]] = typer.Option(None, "--set", metavar="ANALYSIS.OPTION=VALUE", help=_SET_HELP),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar or summary."),
):
    """The paper's analysis on its bundled scores (Table 2): disparity, Moran's I, quadrants, strategy."""
    from .outputs import write
    from .pipeline import demo as demo_results

    with _user_errors():
        _check_out(out)
        lang = _check_lang(lang)
        _check_alt(alternative)
        yrs, fmts = _parse_years(years), _parse_formats(formats)
        choice = _analysis_args(only, skip, sets)
        with _progress(16, quiet, lang) as step:
            res = demo_results(permutations=permutations, seed=seed, alternative=alternative,
                               island=island, figure_years=yrs, progress=step, **choice)
            written = write(res, out, lang=lang, formats=fmts, progress=step)
        if not quiet:
            _summary(res, out, written, lang)


@app.command()
def analyze(
    scores: Path = typer.Argument(..., help="Scores: CSV or Excel, long (region, year, score) or wide (regions × "
                                  "years) (nqpf:NAME: a file shipped with nqpf, e.g. "
                                  "nqpf:ran2025_table2_scores.csv)."),
    weights: str = typer.Option(..., "--weights", "-w", help=_WEIGHTS_HELP),
    out: Path = typer.Option(..., "--out", "-o", help="Output folder."),
    permutations: int = typer.Option(999, min=0, help="Permutations for pseudo p-values."),
    seed: int = typer.Option(12345, min=0, help="Seed of the permutations."),
    alternative: str = typer.Option("greater", help="greater (default), less or two-sided."),
    region_col: Optional[str] = typer.Option(None, help="Region column of a long file (default: detected)."),
    year_col: Optional[str] = typer.Option(None, help="Year column of a long file."),
    score_col: Optional[str] = typer.Option(None, help="Score column of a long file."),
    sheet: Optional[str] = typer.Option(None, help="Excel sheet (default: the first)."),
    drop_missing: bool = typer.Option(False, help="Drop regions with a missing score (listed in the audit) instead of failing."),
    island: str = typer.Option("guangdong", help="Islands: with china-provinces the Hainan rule (none, guangdong, "
                               "guangdong_guangxi); with queen/rook/knn, nearest links each island to its nearest unit."),
    lang: str = typer.Option(DEFAULT_LANG, "--lang", help=_LANG_HELP),
    years: Optional[str] = typer.Option(None, help="Years shown in Figure 2 and the maps, e.g. 2010,2020."),
    formats: Optional[str] = typer.Option(None, help="Outputs: csv,png,svg,xlsx,html,docx (default all)."),
    only: Optional[str] = typer.Option(None, "--only", help=_ONLY_HELP),
    skip: Optional[str] = typer.Option(None, "--skip", help=_SKIP_HELP),
    sets: Optional[List[str]] = typer.Option(None, "--set", metavar="ANALYSIS.OPTION=VALUE", help=_SET_HELP),
    alias: Optional[List[str]] = typer.Option(None, "--alias", metavar="ALIAS=REGION", help=_ALIAS_HELP),
    alias_file: Optional[List[Path]] = typer.Option(None, "--alias-file", metavar="FILE", help=_ALIAS_FILE_HELP),
    controls: Optional[Path] = typer.Option(None, "--controls", metavar="FILE", help=_CONTROLS_HELP),
    covariates: Optional[Path] = typer.Option(None, "--covariates", metavar="FILE", help=_COVARIATES_HELP),
    exclude: Optional[str] = typer.Option(None, help=_EXCLUDE_HELP),
    quiet: bool = typer.Option(False, "--quiet", "-q"),
):
    """The same analysis as demo for any panel of scores you already have."""
    from ._commands import analyze_file

    with _user_errors():
        with _progress(14, quiet, _shown_lang(lang)) as step:
            done = analyze_file(
                scores, out, weights=weights, lang=lang, permutations=permutations, seed=seed,
                alternative=alternative, island=island, region_col=region_col, year_col=year_col,
                score_col=score_col, sheet=sheet, drop_missing=drop_missing, years=years, formats=formats,
                only=only, skip=skip, sets=sets, alias=alias, alias_file=alias_file, controls=controls,
                covariates=covariates, exclude=exclude, progress=step)
        if not quiet:
            _summary(done.results, out, done.written, done.lang)


@app.command()
def init(
    spec: str = typer.Option("ran2025", "--spec", "-s", help="Shipped spec name or spec file."),
    out: Path = typer.Option(..., "--out", "-o", help="Excel template to write (.xlsx)."),
    first: int = typer.Option(2010, help="First year."),
    last: int = typer.Option(2020, help="Last year."),
):
    """Write an Excel template of the spec's raw variables (one sheet per variable, provinces × years)."""
    from .spec import load_spec
    from .template import write_template

    with _user_errors():
        s = load_spec(spec)
        write_template(s, out, years=range(first, last + 1))
        console.print(f"Wrote template for {len(s.variables)} raw variables of spec [bold]{s.name}[/] to {out}")


@app.command("index")
def index_cmd(
    data: Path = typer.Argument(..., help="Raw data: CSV/Excel/Parquet; long, wide or yearbook sheets (nqpf:NAME: a "
                                "file shipped with nqpf, e.g. nqpf:techme_scitech_example.csv.gz)."),
    spec: str = typer.Option(..., "--spec", "-s", help="Shipped spec name or spec file (TOML/CSV/Excel)."),
    out: Path = typer.Option(..., "--out", "-o", help="Output folder."),
    weighting: str = typer.Option("entropy", help=f"{', '.join(_weighting_names())} (given needs "
                                  "--given-weights), or a combination A+B, e.g. entropy+critic (with --alpha)."),
    given_weights: Optional[Path] = typer.Option(None, help="CSV/Excel with columns indicator, weight (e.g. from AHP) for --weighting given."),
    alpha: float = typer.Option(0.5, help="Share of the first method in a combination A+B (linear rule)."),
    per_year: bool = typer.Option(False, "--per-year", help="Normalise within each year instead of pooled."),
    shift: float = typer.Option(0.0, help="Add to normalised values (e.g. 0.0001) before weighting."),
    topsis: bool = typer.Option(False, "--topsis", help="Also compute entropy-TOPSIS closeness."),
    treat: str = typer.Option("none", help="Indicators skewed by extreme values (|skewness| > 2 and kurtosis > 3.5, "
                              "COINr's rule): none (default: named on the console and in the audit, values kept), "
                              "winsorise (up to 5 values, then log) or log."),
    layout: str = typer.Option("auto", help="auto, long, wide or yearbook."),
    sheet: Optional[str] = typer.Option(None, help="Excel sheet (default: all / first as the layout needs)."),
    region_col: Optional[str] = typer.Option(None, help="Region column (default: detected, e.g. 地区/省份/region)."),
    year_col: Optional[str] = typer.Option(None, help="Year column (default: detected)."),
    variable_col: Optional[str] = typer.Option(None, help="Variable column of a long file (default: detected)."),
    value_col: Optional[str] = typer.Option(None, help="Value column of a long file (default: detected)."),
    drop_incomplete: bool = typer.Option(False, help="Drop region-years still missing after interpolation (audited)."),
    extrapolate: str = typer.Option("none", "--extrapolate", help="Leading and trailing gaps of a series (before its "
                                    "first or after its last value): none (default: left missing), nearest (the "
                                    "nearest value carried) or linear (the trend of the two nearest values); every "
                                    "filled value is audited."),
    years: Optional[str] = typer.Option(None, help="Study period FIRST,LAST (years outside serve only as interpolation anchors)."),
    exclude: Optional[str] = typer.Option(None, help=_EXCLUDE_HELP),
    regions: str = typer.Option("auto", help="Region names: auto (GB/T codes when they are provinces), china or as-is."),
    alias: Optional[List[str]] = typer.Option(None, "--alias", metavar="ALIAS=REGION", help=_ALIAS_HELP),
    alias_file: Optional[List[Path]] = typer.Option(None, "--alias-file", metavar="FILE", help=_ALIAS_FILE_HELP),
):
    """Build the composite index: weights.csv, group_weights.csv, scores.csv, normalized.csv, audit.csv."""
    from .outputs import write_tables
    from .pipeline import build_from_data

    with _user_errors():
        _check_out(out)
        period = _parse_years(years)
        if period is not None and len(period) != 2:
            raise NqpfError(f"--years expects FIRST,LAST, e.g. 2011,2023; got {years!r}")
        method, wkw = _weighting_options(weighting, given_weights, alpha)
        if not (shift >= 0 and shift < float("inf")):
            raise NqpfError(f"--shift must be a number ≥ 0 added to the normalised values (e.g. 0.0001), got {shift}")
        data, shown_as = _data_arg(data)
        built = build_from_data(
            data, spec,
            read=dict(layout=layout, sheet=sheet, regions=regions, region_col=region_col, year_col=year_col,
                      variable_col=variable_col, value_col=value_col, aliases=_aliases(alias, alias_file),
                      display=shown_as),
            prepare_kw=dict(drop_incomplete=drop_incomplete, years=period, extrapolate=_extrapolate(extrapolate)),
            index_kw=dict(weighting=method, pooled=not per_year, shift=shift, topsis=topsis, treat=treat, **wkw),
            exclude_regions=[x.strip() for x in exclude.split(",") if x.strip()] if exclude else None,
            option_style="cli")
        s, ires, audit = built.spec, built.index, built.audit
        write_tables(built.items(), built.region_index(), out)
        w = ires.weights.sort_values("weight", ascending=False)
        tb = Table(title=f"{weighting} weights ({s.name})")
        tb.add_column("indicator")
        tb.add_column("weight", justify="right")
        for _, r in w.head(10).iterrows():
            tb.add_row(str(r["indicator"]), f"{r['weight']:.4f}")
        console.print(tb)
        console.print(f"{ires.scores.shape[0]} region-years scored; audit rows: {len(audit)}; tables in {out / 'tables'}")


@app.command()
def run(
    config: Path = typer.Argument(..., help="Study configuration (TOML)."),
    out: Path = typer.Option(..., "--out", "-o", help="Output folder."),
    lang: Optional[str] = typer.Option(None, "--lang", help="Override [output] lang."),
    years: Optional[str] = typer.Option(None, help="Override [output] years."),
    formats: Optional[str] = typer.Option(None, help="Override [output] formats."),
    only: Optional[str] = typer.Option(None, "--only", help=_ONLY_HELP + " Overrides [analyses] only."),
    skip: Optional[str] = typer.Option(None, "--skip", help=_SKIP_HELP + " Overrides [analyses] skip."),
    sets: Optional[List[str]] = typer.Option(None, "--set", metavar="ANALYSIS.OPTION=VALUE", help=_SET_HELP + " Overrides the config's [ANALYSIS] sections."),
    alias: Optional[List[str]] = typer.Option(None, "--alias", metavar="ALIAS=REGION", help=_ALIAS_HELP + " Added to [data] aliases."),
    alias_file: Optional[List[Path]] = typer.Option(None, "--alias-file", metavar="FILE", help=_ALIAS_FILE_HELP
                                                    + " Added to [data] aliases."),
    controls: Optional[Path] = typer.Option(None, "--controls", metavar="FILE", help=_CONTROLS_HELP
                                            + " Overrides [convergence] controls."),
    covariates: Optional[Path] = typer.Option(None, "--covariates", metavar="FILE", help=_COVARIATES_HELP
                                              + " Overrides [drivers] covariates."),
    quiet: bool = typer.Option(False, "--quiet", "-q"),
):
    """The whole study from one config file: index, disparity, Moran's I, strategy, reports."""
    from ._commands import run_file

    with _user_errors():
        with _progress(22, quiet, _shown_lang(lang, config)) as step:
            done = run_file(config, out, lang=lang, years=years, formats=formats, only=only, skip=skip, sets=sets,
                            alias=alias, alias_file=alias_file, controls=controls, covariates=covariates,
                            progress=step)
        if not quiet:
            _summary(done.results, out, done.written, done.lang)


@app.command("geodetector")
def geodetector_cmd(
    data: Path = typer.Argument(..., help="Table, one row per unit (and year): CSV/TSV (encoding detected) or Excel."),
    y: str = typer.Option(..., "--y", help="Column of the explained variable (numbers)."),
    factors: str = typer.Option(..., "--factors", help="Columns of the factors, comma separated, e.g. A,B,C."),
    out: Path = typer.Option(..., "--out", "-o", help="Output folder: tables/geodetector_*.csv and tables/meta.json."),
    by: Optional[str] = typer.Option(None, "--by", help="Column whose groups (e.g. years) are analysed separately "
                                     "(default: every row pooled)."),
    discretize: str = typer.Option("optimal", "--discretize", help="Discretisation of continuous factors: optimal "
                                   "(default: the method and number of classes of largest q, OPGD), one method or "
                                   "several comma separated searched (equal, natural, quantile, geometric, sd)."),
    classes: str = typer.Option("auto", "--classes", help="Numbers of classes searched: auto (default: 3 to "
                                "min(8, n/5) for n units of one run, at least five units per stratum on average), "
                                "5, a range 3-8 or a list 3,5,7."),
    categorical: Optional[str] = typer.Option(None, "--categorical", help="Factors that are strata as given "
                                              "(comma separated); default: text columns, and whole numbers with at "
                                              "most 10 distinct values."),
    alpha: float = typer.Option(0.05, "--alpha", help="Significance level of the risk and ecological detectors."),
    sheet: Optional[str] = typer.Option(None, "--sheet", help="Excel sheet (default: the first)."),
    encoding: Optional[str] = typer.Option(None, "--encoding", help="Text encoding of a CSV (default: detected)."),
    lang: str = typer.Option(DEFAULT_LANG, "--lang", help="Language of the summary printed (the tables hold codes "
                             "and numbers). " + _LANG_HELP),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No summary."),
):
    """The geographical detector (Wang & Xu 2017) on any table: factor, interaction, risk and ecological
    detectors with optimal discretisation."""
    from .drivers import run_table

    with _user_errors():
        _check_out(out)
        lang = _check_lang(lang)
        if not 0 < alpha < 1:
            raise NqpfError(f"--alpha must be between 0 and 1, got {alpha}")
        try:
            tables = run_table(data, y, factors, out, by=by, discretize=discretize, classes=classes,
                               categorical=categorical, alpha=alpha, sheet=_sheet_arg(sheet), encoding=encoding)
        except NqpfError as exc:   # the library names its arguments; the command line names its options
            text = str(exc)
            for name in ("discretize", "classes", "categorical"):
                if text.startswith(f"{name}:"):
                    raise type(exc)(f"--{text}") from None
            raise
        if not quiet:
            _geodetector_summary(tables, out, lang)


def _sheet_arg(sheet: Optional[str]):
    """An Excel sheet given on the command line: its name, or its position when a whole number."""
    if sheet is None:
        return None
    return int(sheet) if sheet.strip().isdigit() else sheet


def _num(v, decimals: int) -> str:
    """A number to ``decimals`` decimals; NaN as ``—``."""
    try:
        v = float(v)
    except (TypeError, ValueError):
        return str(v)
    return "—" if v != v else f"{v:.{decimals}f}"


def _p_text(p) -> str:
    """A p-value as the summaries print it: ``<0.001`` below 0.001, else 3 decimals; NaN as ``—``."""
    try:
        p = float(p)
    except (TypeError, ValueError):
        return str(p)
    if p != p:
        return "—"
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def _geodetector_summary(tables: dict, out: Path, lang: str) -> None:
    """The factor detector's q and p per factor (and group) on the console, in ``lang``."""
    from rich import box

    from .i18n import t

    f = tables["geodetector_factor"]
    tb = Table(title=t("caption.geodetector_factor", lang), box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1))
    grouped = "year" in f.columns and f["year"].notna().any()
    heads = (["col.year"] if grouped else []) + ["col.gd_factor", "col.gd_q", "col.gd_p"]
    for k in heads:
        tb.add_column(t(k, lang), justify="left" if k == "col.gd_factor" else "right", no_wrap=True)
    for _, r in f.iterrows():
        cells = ([str(r["year"])] if grouped else []) + [escape(str(r["factor"])), _num(r["q"], 4), _p_text(r["p"])]
        tb.add_row(*cells)
    console.print(tb)
    n = len(list((Path(out) / "tables").glob("*")))
    console.print(escape(t("cli.wrote", lang, n=n, out=out)))


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on. Any other than 127.0.0.1/localhost "
                             "(e.g. 0.0.0.0 for the local network) requires the access token printed at start."),
    port: int = typer.Option(8765, min=0, max=65535, help="Port (0: any free port)."),
    open_browser: bool = typer.Option(False, "--open", help="Open the page in the default web browser."),
    token: Optional[str] = typer.Option(None, help="Access token (at least 16 characters); default: a random "
                                        "one when --host is not a loopback address, none on 127.0.0.1."),
    max_upload_mb: float = typer.Option(50.0, help="Largest upload of one job (all its files together), in MB."),
    keep_hours: float = typer.Option(24.0, help="Hours a finished job's files are kept before they are removed."),
    max_jobs: int = typer.Option(2, min=1, help="Jobs running at once; later ones wait in the queue."),
):
    """A local web app (Chinese or English): template, upload, options, progress, report, zip.
    Needs pip install "nqpf[web]"."""
    from .web import serve as serve_web

    with _user_errors():
        serve_web(host=host, port=port, open_browser=open_browser, token=token, max_upload_mb=max_upload_mb,
                  keep_hours=keep_hours, max_jobs=max_jobs)


@app.command("analyses")
def analyses_cmd(
    lang: str = typer.Option(DEFAULT_LANG, "--lang", help="Language of the headings and the analyses' names. "
                             + _LANG_HELP),
):
    """List the analyses (families), whether they run by default, and their options (--set ANALYSIS.OPTION=VALUE).

    One block per analysis: its name, whether it runs by default and what it computes, then each option
    on a line of its own (never broken inside a name) with its default value and, indented below, its
    meaning, wrapped between words to the terminal's width."""
    from .analyses import FAMILIES
    from .i18n import t

    with _user_errors():
        lang = _check_lang(lang)
        width = max(40, console.width)
        out = [t("cli.analyses_title", lang)]
        for name, fam in FAMILIES.items():
            shown = t(f"value.{name}", lang, default=name)
            state = t("cli.analyses_on" if fam.default else "cli.analyses_off", lang)
            paren = t("cli.paren", lang, text=state)
            out += ["", f"{name} — {shown}{paren}" if shown != name else f"{name}{paren}"]
            out += _wrap(fam.help, width, 2)   # the family's own description (English)
            for on, o in fam.options.items():
                dv = o.default if not isinstance(o.default, list) else ",".join(map(str, o.default))
                default = t("cli.analyses_default", lang, value="—" if dv in (None, "") else dv)
                opt = f"  --set {name}.{on}=…"
                choices = f" ({' | '.join(o.choices)})" if o.choices else ""
                if _cells(opt) + 2 + _cells(default) <= width:
                    out += [f"{opt}  {default}"] + _wrap(o.help + choices, width, 6)
                else:
                    out += [opt] + _wrap(f"{default}; {o.help}{choices}", width, 6)
        for line in out:
            console.print(escape(line), highlight=False, soft_wrap=True)


def _cells(text: str) -> int:
    """Terminal columns of ``text`` (CJK characters take two)."""
    from rich.cells import cell_len

    return cell_len(text)


def _wrap(text: str, width: int, indent: int) -> list[str]:
    """``text`` wrapped between words (never inside one, names with dots or hyphens kept whole) to
    ``width`` columns, every line ``indent`` spaces in."""
    words, lines, cur = str(text).split(), [], ""
    for w in words:
        cand = f"{cur} {w}" if cur else w
        if cur and indent + _cells(cand) > width:
            lines.append(cur)
            cur = w
        else:
            cur = cand
    if cur:
        lines.append(cur)
    return [" " * indent + line for line in lines]


@spec_app.command("list")
def spec_list():
    """List the indicator systems shipped with nqpf."""
    from .spec import list_specs, load_spec

    with _user_errors():
        t = Table(title="specs")
        for c in ("name", "indicators", "title"):
            t.add_column(c)
        for name in list_specs():
            s = load_spec(name)
            t.add_row(name, str(len(s.indicators)), s.title or "")
        console.print(t)


@spec_app.command("show")
def spec_show(name: str = typer.Argument(..., help="Shipped spec name or spec file.")):
    """Show an indicator system as a tree with directions, formulas and notes."""
    from rich.tree import Tree

    from .spec import load_spec

    with _user_errors():
        s = load_spec(name)
        root = Tree(f"[bold]{s.name}[/] {s.title or ''} ({len(s.indicators)} indicators)")
        nodes = {(): root}
        for ind in s.indicators:
            path = tuple(ind.path)
            for k in range(1, len(path) + 1):
                if path[:k] not in nodes:
                    nodes[path[:k]] = nodes[path[:k - 1]].add(path[k - 1])
            sign = "+" if ind.direction > 0 else "−"
            txt = f"{ind.id}  {ind.name_zh or ''} / {ind.name_en or ''}  [{sign}]"
            if ind.formula:
                txt += f"  = {ind.formula}"
            if ind.note:
                txt += f"  [dim]({ind.note})[/]"
            nodes[path].add(txt)
        console.print(root)


@app.callback(invoke_without_command=True)
def _root(version: bool = typer.Option(False, "--version", help="Show the version and exit.")):
    if version:
        console.print(f"nqpf {__version__}")
        raise typer.Exit()


def main() -> None:  # console script
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
