"""The bodies of ``nqpf analyze`` and ``nqpf run``, shared by the command line and the web app.

:func:`analyze_file` and :func:`run_file` take the options as the command line gives them (text as typed,
or lists), check them in the command's order with the command's messages (``--years …``, ``--only/--skip
…``), compute and write the outputs. :mod:`nqpf.cli` adds the progress bar and the console summary;
:mod:`nqpf.web` runs the same functions in a job's folder, so a job's tables are byte for byte those of
the command written into its zip.

The option parsers (:func:`parse_years`, :func:`parse_formats`, :func:`analysis_choice`,
:func:`weighting_options`, :func:`check_lang`, :func:`check_alternative`) are public here for both.
"""
from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from .errors import InputError, NqpfError, UnknownRegionError

__all__ = ["analyze_file", "run_file", "Outcome", "parse_years", "parse_formats", "analysis_choice",
           "weighting_options", "check_lang", "check_alternative", "check_out", "aliases_from", "exclude_scores",
           "data_arg", "extrapolate_rule", "step_text", "step_key", "figure_name", "STEP_NAMES"]

Progress = Callable[[str], None]


class Outcome(NamedTuple):
    """What :func:`analyze_file` and :func:`run_file` return."""

    results: Any      #: the :class:`~nqpf.results.Results`
    written: dict     #: files written by kind (:func:`nqpf.outputs.write`)
    lang: str         #: the language of the outputs, checked


# ---------------------------------------------------------------------------------------- parsers
def _text(value) -> str | None:
    """An option given as text (``"2010,2020"``) or as a list (``["2010", "2020"]``) as text."""
    if value is None or isinstance(value, str):
        return value
    return ",".join(str(v) for v in value) or None


def names(value) -> list[str]:
    """Comma-separated names (text or list) as a list, blanks dropped."""
    return [x.strip() for x in (_text(value) or "").split(",") if x.strip()]


def parse_years(years) -> list[int] | None:
    """``--years`` (``"2010,2020"`` or a list) as whole years; None when not given."""
    text = _text(years)
    if not text:
        return None
    try:
        return [int(y.strip()) for y in text.split(",") if y.strip()]
    except ValueError:
        raise NqpfError(f"--years expects years separated by commas, e.g. 2010,2020; got {text!r}") from None


def parse_formats(formats) -> tuple[str, ...]:
    """``--formats`` (``"csv,png"`` or a list), lower case; every format when not given."""
    from .config import DEFAULT_FORMATS

    text = _text(formats)
    if not text:
        return DEFAULT_FORMATS
    return tuple(f.strip().lower() for f in text.split(",") if f.strip())


def analysis_choice(only=None, skip=None, sets=None) -> dict:
    """``--only``/``--skip``/``--set`` → ``analyses``, ``skip`` and ``options`` of the pipeline, validated
    (unknown analyses and options are errors with a suggestion)."""
    from .analyses import resolve_options, select

    opts: dict = {}
    for item in sets or ():
        if "=" not in item:
            raise NqpfError(f"--set expects ANALYSIS.OPTION=VALUE, e.g. density.kernel=epanechnikov; got {item!r}")
        k, v = item.split("=", 1)
        opts[k.strip()] = v.strip()
    only_l, skip_l = names(only) or None, names(skip)
    select(only_l, skip_l, where="--only/--skip: ")
    resolve_options(opts, where="--set")
    return {"analyses": only_l, "skip": tuple(skip_l), "options": opts}


def check_lang(lang: str) -> str:
    """``--lang``: a language of the catalogue (other spellings such as zh-TW accepted)."""
    from .i18n import check_lang as _check

    try:
        return _check(lang)
    except NqpfError as exc:
        raise NqpfError(f"--lang: {exc}") from None


def check_alternative(alternative: str) -> str:
    """``--alternative``: greater, less or two-sided."""
    from .spatial import check_alternative as _check

    try:
        return _check(alternative)
    except NqpfError as exc:
        raise NqpfError(f"--alternative: {exc}") from None


def check_out(out) -> None:
    """An output folder that cannot be one (a file, or under a file) is refused before any work."""
    from .report.atomic import check_output_folder

    check_output_folder(Path(out))


_EXTRAPOLATE = {"none": False, "nearest": "nearest", "linear": "linear"}


def extrapolate_rule(text: str):
    """``--extrapolate none|nearest|linear`` → :func:`nqpf.prepare.prepare`'s ``extrapolate`` (False,
    ``"nearest"``, ``"linear"``)."""
    key = text.strip().lower()
    if key not in _EXTRAPOLATE:
        close = difflib.get_close_matches(key, list(_EXTRAPOLATE), n=1)
        raise NqpfError(f"--extrapolate: unknown rule {text!r}" + (f"; did you mean {close[0]!r}?" if close else "")
                        + " (none, nearest or linear)")
    return _EXTRAPOLATE[key]


def weighting_names() -> list[str]:
    """The weighting methods of the registry (a method added there appears in --help by itself)."""
    from .index.weights import WEIGHTING_METHODS

    return [m for m in WEIGHTING_METHODS if m != "combined"]


def weighting_options(weighting: str, given: Path | None, alpha: float):
    """``--weighting NAME`` (and ``--given-weights``, ``--alpha``) → (method, keywords) of
    :func:`nqpf.index.compute_weights`."""
    names_ = weighting_names()
    for m in (x.strip() for x in weighting.split("+")):
        if m not in names_:
            close = difflib.get_close_matches(m, names_, n=1)
            raise NqpfError(f"--weighting: unknown method {m!r}" + (f"; did you mean {close[0]!r}?" if close else "")
                            + f" (methods: {', '.join(names_)}, or a combination A+B)")
    if "+" in weighting:
        if not 0 <= alpha <= 1:
            raise NqpfError(f"--alpha must be between 0 and 1 (the share of the first method), got {alpha}")
        methods = tuple(m.strip() for m in weighting.split("+"))
        return "combined", {"methods": methods, "alpha": alpha}
    if weighting == "given":
        if given is None:
            raise NqpfError("--weighting given needs --given-weights FILE (columns indicator, weight)")
        from .index.weights import read_given_weights

        return "given", {"weights": read_given_weights(given)}
    if given is not None:
        raise NqpfError("--given-weights is used only with --weighting given")
    return weighting, {}


def aliases_from(alias: Sequence[str] | None = None, alias_file: Sequence | None = None):
    """``--alias`` and ``--alias-file`` → one :class:`~nqpf.io.Aliases` (None when neither is given); a
    spelling mapped to two regions is an error naming both places."""
    from .io import Aliases, parse_aliases, read_aliases

    if not alias and not alias_file:
        return None
    out = Aliases()
    for f in alias_file or ():
        out.update_from(read_aliases(f))
    if alias:
        out.update_from(parse_aliases(list(alias), where="--alias"))
    return out


def data_arg(path) -> tuple[Path, str | None]:
    """A data file named on the command line: ``nqpf:NAME`` is a file shipped with nqpf
    (:func:`nqpf.datasets.data_file`, as in a config's ``[data] path``) → ``(file on disk, "nqpf:NAME")``
    (the name shown in messages and the audit); any other path → ``(path, None)``."""
    from .config import BUNDLED_PREFIX

    text = str(path)
    if not text.startswith(BUNDLED_PREFIX):
        return Path(path), None
    from .datasets import data_file

    return Path(data_file(text[len(BUNDLED_PREFIX):])), text


def _read_table(path: Path, regions: str, aliases, option: str = "--controls"):
    """A table of outside variables named by ``option`` (``--controls``, ``--covariates``), read as the
    scores are (:func:`nqpf.pipeline.read_controls`)."""
    from .pipeline import read_controls

    _check_exists(path, option)
    return read_controls(Path(path), regions=regions, aliases=aliases)


def _check_exists(path, option: str) -> None:
    if not Path(path).exists():
        raise NqpfError(f"{option}: file not found: {path}")


def exclude_scores(sc, exclude, where: str = "--exclude"):
    """A score panel (:class:`~nqpf.io.Scores`) without the regions of ``exclude`` (text ``"西藏,青海"`` or
    a list; any spelling of a province, or the names of the data), one ``dropped`` audit row per
    region-year (reason *region excluded from the study (exclude_regions)*, as ``nqpf index --exclude``).
    An unknown region, or one not in the data, is an error naming ``where``, the closest regions and the
    data's own regions (the messages of ``nqpf index --exclude``)."""
    import dataclasses
    from types import SimpleNamespace

    import pandas as pd

    from .pipeline import _excluded_region
    from .prepare import _audit_row, _shown_region

    given = names(exclude)
    if not given:
        return sc
    names_ = [str(n) for n in sc.Y.index]
    ids = [str(sc.codes.get(n, n)) for n in names_]       # GB/T codes of provinces, else the names
    name_of = dict(zip(ids, names_))
    panel = SimpleNamespace(data=pd.DataFrame({"region": ids}), region_label=name_of)
    gone = []
    for e in given:
        rid = e if e in name_of else _excluded_region(e, panel, where)
        if rid not in name_of:
            own = ", ".join(_shown_region(r, name_of) for r in ids[:40]) + (" …" if len(ids) > 40 else "")
            raise InputError(f"{where}: {_shown_region(rid, name_of)} is not a region of the data; its regions are "
                             f"{own}; exclude regions of the data only")
        gone.append(name_of[rid])
    gone = list(dict.fromkeys(gone))
    Y = sc.Y.drop(index=gone)
    if not len(Y):
        raise InputError(f"{where}: no region is left after excluding {len(gone)} region(s); exclude fewer regions")
    from .i18n._reasons import reason

    rows = [_audit_row(region=r, year=int(y), action="dropped", **reason("excluded")) for r in gone for y in sc.Y.columns]
    audit = pd.concat([sc.audit, pd.DataFrame(rows, columns=list(sc.audit.columns) or None)], ignore_index=True) \
        if len(sc.audit) else pd.DataFrame(rows)
    return dataclasses.replace(sc, Y=Y, audit=audit, labels={k: v for k, v in sc.labels.items() if k not in gone},
                               codes={k: v for k, v in sc.codes.items() if k not in gone})


def cell_locations(audit) -> dict:
    """(region, year) → ``'file, sheet, row N, column C'`` of the cells the reader recorded as missing."""
    out: dict = {}
    if audit is None or not len(audit):
        return out
    for _, r in audit[audit["action"] == "missing"].iterrows():
        try:
            key = (r["region"], int(r["year"]))
        except (TypeError, ValueError):
            continue
        parts = [Path(str(r["file"])).name] if r.get("file") else []
        if r.get("sheet"):
            parts.append(f"sheet {r['sheet']}")
        if r.get("row") is not None and str(r.get("row")) not in ("", "nan", "None"):
            parts.append(f"row {int(float(r['row']))}")
        if r.get("column"):
            parts.append(f"column {r['column']}")
        out[key] = ", ".join(parts)
    return out


# ------------------------------------------------------------------------------------ progress text
#: Progress labels still emitted in English by some steps → their step name (``step.<name>`` in the
#: catalogue); a step emitted as its name needs no entry here.
STEP_NAMES = {
    "reading data": "read_data", "preparing indicators": "prepare", "building the index": "build_index",
    "obstacle degrees": "obstacles", "robustness of the ranking": "robustness", "Dagum Gini": "dagum_gini",
    "coupling coordination": "coupling", "kernel density": "density", "β convergence": "convergence",
    "global Moran's I": "moran_global", "local Moran's I": "moran_local", "local Getis-Ord Gi*": "getis_ord",
    "bivariate Moran's I": "bivariate", "standard deviational ellipse": "ellipse", "Markov chains": "markov",
    "spatial Markov chains": "spatial_markov", "LISA Markov chain": "lisa_markov",
    "geographical detector": "geodetector", "HTML report": "report_html", "Word report": "report_docx",
}


def step_key(label: str) -> tuple[str, str]:
    """``(catalogue key, argument)`` of a progress label: ``"moran_global"`` → ``("step.moran_global",
    "")``, ``"figure map_2010"`` → ``("step.figure", "map_2010")``, ``"bivariate Moran's I: gdp"`` →
    ``("step.bivariate", "gdp")`` (an English label of :data:`STEP_NAMES` is read as its name)."""
    label = str(label)
    name, sep, arg = label.partition(": ")
    if not sep and label.startswith("figure "):
        name, arg = "figure", label[len("figure "):]
    return f"step.{STEP_NAMES.get(name, name)}", arg


def figure_name(key: str, lang: str) -> str:
    """A figure's name in ``lang`` from its key, for progress messages: its caption (``figure.<kind>``;
    ``fig1_disparity`` → ``figure.disparity``, ``map_2010`` → ``figure.map`` of the year 2010), with the
    parts that need arguments the key does not give (a lag ``{d}``, a period ``{first}–{last}``) left
    out; the key itself when the catalogue has no caption for it."""
    import re

    from .i18n import catalogue

    base, year = re.sub(r"^fig\d+_", "", str(key)), None
    m = re.fullmatch(r"(.+)_(\d{4})", base)
    if m:
        base, year = m.group(1), int(m.group(2))
    ck = f"figure.{base}"
    text = catalogue(lang).get(ck) or catalogue("en").get(ck)
    if not text:
        return str(key)
    if year is not None and "{year}" in text:
        text = text.replace("{year}", str(year))
    # a parenthesis with an unknown argument goes whole; a bare argument (with its unit 年) goes alone
    text = re.sub(r"\s*[（(][^（）()]*\{\w+\}[^（）()]*[）)]", "", text)
    text = re.sub(r"\{\w+\}(\s*[—–-]\s*\{\w+\})?\s*年?\s*", "", text)
    text = re.sub(r"^[\s,，、:：;；]+|[\s,，、:：;；]+$", "", " ".join(text.split()))
    return text or str(key)


def step_text(label: str, lang: str) -> str:
    """A progress step in ``lang``: the catalogue's ``step.<name>`` text, followed by the step's argument
    (a figure's key, a variable) when it has one (:func:`step_key`). A language without the text uses
    its fallback language's (``lang.fallback``), then English; a step unknown to the catalogue is shown
    as given."""
    from .i18n import catalogue, check_lang, t

    key, arg = step_key(label)
    code = check_lang(lang)
    for cand in dict.fromkeys((code, t("lang.fallback", code, default="") or "en", "en")):
        if key in catalogue(cand):
            text = t(key, cand)
            if not arg:
                return text
            if key == "step.figure":
                name = figure_name(arg, cand)
                return t("step.figure_named", cand, name=name) if "step.figure_named" in catalogue(cand) \
                    else f"{text} {name}"
            return f"{text}: {arg}"
    return str(label)


# -------------------------------------------------------------------------------------- commands
def _not_provinces(exc, fname) -> None:
    """With the provinces' contiguity, names that are prefecture-level cities or counties: say so and which
    weights to choose (instead of suggesting provinces for each name, or aliases that would merge them)."""
    from .regions import admin_units, normalize_admin_many

    names = [e.name for e in getattr(exc, "errors", None) or [exc]]
    names = [n for n in names if isinstance(n, str)]
    if not names:
        return
    try:
        codes = normalize_admin_many(names[:200])
        units = admin_units().drop_duplicates("code").set_index("code")
    except (UnknownRegionError, InputError, ValueError, TypeError, KeyError, OSError):
        return
    levels = set(units.loc[[c for c in codes if c in units.index], "level"])
    if not levels or not levels <= {"city", "county"}:
        return
    from .i18n._reasons import Notice

    notice = Notice("error.not_provinces", {"file": str(fname), "what": "@error.level_" + ("county" if "county" in levels
                                                                                     else "city"),
                                      "names": names[:3], "more": " …" if len(names) > 3 else ""})
    err = InputError(str(notice))
    err.notice = notice
    raise err from None


def analyze_file(
    scores, out, *, weights: str = "china-provinces", lang: str | None = None, permutations: int = 999,
    seed: int = 12345, alternative: str = "greater", island: str = "guangdong", region_col=None, year_col=None,
    score_col=None, sheet=None, drop_missing: bool = False, years=None, formats=None, only=None, skip=None,
    sets=None, aliases=None, alias=None, alias_file=None, controls=None, covariates=None, exclude=None,
    source: str | None = None, title: str | None = None, progress: Progress | None = None,
) -> Outcome:
    """``nqpf analyze``: read a score file, run the analyses and write the outputs into ``out``.

    Parameters
    ----------
    scores : path
        CSV or Excel, long (region, year, score) or wide (regions × years) (:func:`nqpf.io.read_scores`).
    out : path
        Output folder (refused before any work when it cannot be one).
    weights : str
        A spelling of :func:`nqpf.spatial.resolve_weights` or a ``.gal``/``.gwt`` file (default
        ``"china-provinces"``; region names are then read as Chinese provinces).
    lang : str, optional
        Language of the reports and figures (default :data:`nqpf.i18n.DEFAULT_LANG`).
    years, formats, only, skip : text or list, optional
        As on the command line (``"2010,2020"``, ``"csv,png"``, ``"markov,drivers"``); default all
        formats and the default analyses.
    sets : list of str, optional
        ``ANALYSIS.OPTION=VALUE`` options of the families.
    aliases : :class:`~nqpf.io.Aliases`, optional
        Spellings of regions mapped to regions.
    alias, alias_file : list, optional
        ``--alias ALIAS=REGION`` and ``--alias-file FILE`` (read after the other options are checked),
        added to ``aliases``.
    controls : path, optional
        Control variables of conditional β convergence.
    covariates : path, optional
        ``--covariates``: the factors of the geographical detector (family ``drivers``), CSV/Excel long
        ``region, year, var1 …`` or one regions × years sheet per variable (read as ``controls``;
        matched to the scores by :func:`nqpf.pipeline.covariates_table`); recorded as
        ``drivers_covariates_file`` in meta.json.
    exclude : text or list, optional
        ``--exclude``: regions left out of the study (any spelling of a province), one ``dropped`` audit
        row per region-year (:func:`exclude_scores`); recorded as ``exclude_regions`` in meta.json.
    source, title : str, optional
        Recorded source (meta.json) and report title; default the file's name and stem.
    progress : callable, optional
        Called with each step's label (:func:`step_text` shows it in a language).

    Returns
    -------
    Outcome
        ``results``, ``written`` (files by kind, :func:`nqpf.outputs.write`) and ``lang``.
    """
    from .i18n import DEFAULT_LANG
    from .io import read_scores
    from .outputs import write
    from .pipeline import CHINA_PROVINCES, alias_params, analyze
    from .spatial import parse_weights_spec

    scores, shown_as = data_arg(scores)
    check_out(out)
    lang = check_lang(lang or DEFAULT_LANG)
    check_alternative(alternative)
    yrs, fmts = parse_years(years), parse_formats(formats)
    choice = analysis_choice(only, skip, sets)
    aliases = _merged_aliases(aliases, alias, alias_file)
    regions = "china" if weights == CHINA_PROVINCES else "auto"
    try:
        sc = read_scores(scores, region_col=region_col, year_col=year_col, score_col=score_col, sheet=sheet,
                         regions=regions, aliases=aliases, display=shown_as)
    except UnknownRegionError as exc:
        if regions == "china":
            _not_provinces(exc, shown_as or Path(str(scores)).name)
        raise
    sc = exclude_scores(sc, exclude)
    excluded = {"exclude_regions": names(exclude)} if names(exclude) else {}
    extras = {k: _read_table(path, regions, aliases, f"--{k}")
              for k, path in (("controls", controls), ("covariates", covariates)) if path}
    # the one parser: its own message for a misspelt or malformed spelling, a missing file named
    kind, _ = parse_weights_spec(weights, files=True)
    if kind == "file" and not Path(weights).exists():
        raise NqpfError(f"--weights: file not found: {weights} (give a GeoDa .gal/.gwt file, or a spelling "
                        "such as china-provinces, queen, rook, knn:6, distance:200km, idw:2: nqpf analyze --help "
                        "lists them)")
    shown = source or shown_as or scores.name
    res = analyze(sc.Y, weights, labels=sc.labels, codes=sc.codes, permutations=permutations, seed=seed,
                  alternative=alternative, island=island, figure_years=yrs, drop_missing=drop_missing,
                  progress=progress, cell_locations=cell_locations(sc.audit), audit=sc.audit, extras=extras,
                  params={"source": shown, "title": title or Path(shown).stem or shown, **alias_params(aliases),
                          **excluded},
                  **choice)
    return Outcome(res, write(res, out, lang=lang, formats=fmts, progress=progress), lang)


def run_file(
    config, out, *, lang: str | None = None, years=None, formats=None, only=None, skip=None, sets=None,
    aliases=None, alias=None, alias_file=None, controls=None, covariates=None, source: str | None = None,
    progress: Progress | None = None,
) -> Outcome:
    """``nqpf run``: the whole study of a configuration, written into ``out``.

    Parameters
    ----------
    config : path or dict
        Study configuration (TOML file, or a dict as :func:`nqpf.config.load_config` returns; relative
        paths then resolve against its ``_base``).
    lang, years, formats : optional
        Override ``[output] lang``, ``years`` and ``formats`` (text or lists as on the command line).
    only, skip, sets : optional
        Override ``[analyses] only``/``skip`` and the ``[ANALYSIS]`` sections.
    aliases, alias, alias_file : optional
        Added to ``[data] aliases`` (as in :func:`analyze_file`).
    controls : path, optional
        Overrides ``[convergence] controls``.
    covariates : path, optional
        Overrides ``[drivers] covariates`` (the factors of the geographical detector).
    source : str, optional
        The data's name recorded in meta.json (default the file name of ``[data] path``).

    Returns
    -------
    Outcome
    """
    from .config import load_config, validate_config
    from .i18n import DEFAULT_LANG
    from .outputs import write
    from .pipeline import run_config

    check_out(out)
    cfg = dict(config) if isinstance(config, Mapping) else load_config(config)
    validate_config(cfg)
    aliases = _merged_aliases(aliases, alias, alias_file)
    if aliases is not None:
        cfg["_aliases"] = aliases
    for key, path in (("controls", controls), ("covariates", covariates)):
        if path is not None:   # the command line's table overrides the config's
            _check_exists(path, f"--{key}")
            cfg[f"_{key}"] = str(path)
    o = cfg.get("output", {})
    lang = check_lang(lang or o.get("lang", DEFAULT_LANG))
    yrs = parse_years(years) or o.get("years")
    fmts = parse_formats(formats) if _text(formats) else tuple(o.get("formats", ())) or parse_formats(None)
    choice = analysis_choice(only, skip, sets)
    res = run_config(cfg, progress=progress, figure_years=yrs, **choice)
    if source is not None:
        res = res.with_items([], params={"source": source})
    return Outcome(res, write(res, out, lang=lang, formats=fmts, progress=progress), lang)


def _merged_aliases(aliases, alias, alias_file):
    given = aliases_from(alias, alias_file)
    if aliases is None or given is None:
        return aliases if given is None else given
    from .io import Aliases

    out = Aliases()
    out.update_from(aliases)
    out.update_from(given)
    return out

