"""The body of a web job, run in its own process with the job's folder as working directory.

It runs the body of the command itself (:mod:`nqpf._commands`, which the command line calls too), so a
job's tables are byte for byte those of the command written into the job's zip:

* mode ``analyze``: ``nqpf analyze data.csv --weights … --out results`` (:func:`nqpf._commands.analyze_file`);
* mode ``study``: the options become a study configuration, written as ``config.toml``, and the job is
  ``nqpf run config.toml --out results`` (:func:`nqpf._commands.run_file`).

Messages to the server go through a pipe: ``("step", label)`` for each step of the pipeline's progress
callback, ``("warning", text)``, then ``("done", {})`` or ``("error", one_line)``. Paths of the server
never appear in a message (the job's folder is the working directory and files are named relatively).
"""
from __future__ import annotations

import os
import re
import shlex
import sys
import traceback
import warnings
import zipfile
from pathlib import Path
from typing import Any

from ..errors import InputError, NqpfError

__all__ = ["main", "analyze_command", "study_config", "toml_dumps", "web_aliases", "RESULTS", "ZIP_NAME"]

#: Output folder of a job (relative to the job's folder) and the zip of everything.
RESULTS = "results"
ZIP_NAME = "results.zip"

_DATA_KEYS = {"layout": "layout", "sheet": "sheet", "region-col": "region_col", "year-col": "year_col",
              "variable-col": "variable_col", "value-col": "value_col", "regions": "regions"}


# --------------------------------------------------------------------------------------- helpers
def _file_options() -> set[str]:
    """``family.option`` names whose value is a file name (read from the server's disk): refused. Such an
    option is declared of kind :data:`nqpf.analyses._common.PATH`; a text option whose help speaks of a
    file counts too."""
    from ..analyses import FAMILIES, _common

    path_kind = getattr(_common, "PATH", "path")
    return {f"{fn}.{on}" for fn, fam in FAMILIES.items() for on, o in fam.options.items()
            if o.kind == path_kind or (o.kind is str and not o.choices and "file" in o.help.lower())}


def _refuse_file_options(names, where: str) -> None:
    bad = sorted(set(names) & _file_options())
    if bad:
        raise InputError(f"{where}: {', '.join(bad)} names a file, which the web app does not read; "
                         "run this analysis with the command line")


def _set_names(sets) -> list[str]:
    from ..analyses import FAMILIES

    out = []
    for s in sets or ():
        k = s.split("=", 1)[0].strip()
        if "." not in k:   # a bare option name unique among the families
            hits = [f"{fn}.{k}" for fn, fam in FAMILIES.items() if k in fam.options]
            out += hits
        else:
            out.append(k)
    return out


def _weights_spelling(opts: dict, files: dict) -> str | None:
    """The spatial weights: the uploaded file, else the spelling of ``--weights`` (never a file name)."""
    from ..spatial import parse_weights_spec

    if "weights" in files:
        return files["weights"]
    w = opts.get("weights")
    if w is None:
        return None
    kind, _ = parse_weights_spec(w, files=True)
    if kind == "file":
        raise InputError(f"--weights {w!r} names a file: upload the .gal or .gwt file in the field weights")
    return w


def _config_alias_items(value) -> list[str]:
    """A config's ``[data] aliases`` as ``ALIAS=REGION`` texts: a table, a text or a list of texts; a file
    name (a text without ``=``) is refused (the web app reads no file of the server's disk)."""
    from collections.abc import Mapping

    if value is None:
        return []
    if isinstance(value, Mapping):
        return [f"{a}={r}" for a, r in value.items()]
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        if not isinstance(item, str) or "=" not in item:
            raise InputError(f"config: [data] aliases {item!r} names a file, which the web app does not read; "
                             "upload the alias file in the field aliases (or write ALIAS=REGION in the field alias)")
        out.append(item)
    return out


def web_aliases(opts: dict, files: dict, config_value=None):
    """The region aliases of a job, as one :class:`~nqpf.io.Aliases` (None when there are none): the
    config's ``[data] aliases`` (``config_value``), the uploaded alias file (field ``aliases``) and the
    ``alias`` option (``ALIAS=REGION`` texts), each remembered as given there for messages."""
    from ..io import Aliases, parse_aliases, read_aliases

    out = Aliases()
    items = _config_alias_items(config_value)
    if items:
        out.update_from(parse_aliases(items, where="config: [data] aliases"))
    if "aliases" in files:
        out.update_from(read_aliases(files["aliases"]))
    if opts.get("alias"):
        out.update_from(parse_aliases(list(opts["alias"]), where="alias"))
    return out or None


def _config_in(files: dict) -> dict:
    """The uploaded configuration without its private keys (``{}`` when none was uploaded)."""
    from ..config import load_config

    if "config" not in files:
        return {}
    return {k: (dict(v) if isinstance(v, dict) else v) for k, v in load_config(files["config"]).items()
            if not k.startswith("_")}


def toml_dumps(cfg: dict) -> str:
    """A configuration (sections of scalars and lists) as TOML text that :func:`nqpf.config.load_config`
    reads back to the same values."""
    import json

    def key(k):
        return k if re.fullmatch(r"[A-Za-z0-9_-]+", k) else json.dumps(k, ensure_ascii=False)

    def val(v):
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, (int, float)):
            return repr(v)
        if isinstance(v, str):
            return json.dumps(v, ensure_ascii=False)
        if isinstance(v, (list, tuple)):
            return "[" + ", ".join(val(x) for x in v) + "]"
        raise TypeError(f"cannot write {v!r} to TOML")

    lines = ["# Rerun this study from the command line in this folder:", "#     nqpf run config.toml --out results", ""]
    for sec, body in cfg.items():
        if sec.startswith("_"):
            continue
        lines.append(f"[{key(sec)}]")
        lines += [f"{key(k)} = {val(v)}" for k, v in body.items()]
        lines.append("")
    return "\n".join(lines)


# ----------------------------------------------------------------------------------- the two modes
def analyze_command(opts: dict, files: dict) -> list[str]:
    """The ``nqpf analyze`` command line of a job (run in the job's folder): the uploaded alias file as
    ``--alias-file``, the uploaded covariates as ``--covariates``, an uploaded config's ``[data] aliases``
    as ``--alias`` options."""
    argv = ["nqpf", "analyze", files["data"], "--out", RESULTS]
    w = files.get("weights") or opts.get("weights")
    argv += ["--weights", w or "china-provinces"]
    if "aliases" in files:
        argv += ["--alias-file", files["aliases"]]
    if "covariates" in files:
        argv += ["--covariates", files["covariates"]]
    if "config" in files:   # its [data] aliases (the only part read with a scores table)
        for item in _config_alias_items(_config_in(files).get("data", {}).get("aliases")):
            argv += ["--alias", item]
    for k, v in opts.items():
        if k == "weights":
            continue
        if isinstance(v, bool):
            argv += [f"--{k}"] if v else [f"--no-{k}"]
        elif k in ("set", "alias"):
            for s in v:
                argv += [f"--{k}", s]
        elif isinstance(v, list):
            argv += [f"--{k}", ",".join(v)]
        else:
            argv += [f"--{k}", str(v)]
    return argv


def _run_analyze(opts: dict, files: dict, names: dict, step) -> None:
    """``nqpf analyze`` (:func:`nqpf._commands.analyze_file`, the command's own body), writing ``RESULTS``.

    The one difference from the command: the report's title and the recorded ``source`` (``meta.json``)
    are the name the user uploaded, not the fixed name the file is stored under."""
    from .._commands import analyze_file

    _refuse_file_options(_set_names(opts.get("set")), "--set")
    shown = names.get("data") or Path(files["data"]).name
    cfg = _config_in(files)
    ignored = sorted(f"[{sec}]" if not isinstance(body, dict) or sec != "data" else f"[data] {k}"
                     for sec, body in cfg.items() for k in (body if isinstance(body, dict) else [None])
                     if not (sec == "data" and k == "aliases"))
    if ignored:
        import warnings

        warnings.warn(f"config: with a scores table (mode analyze) only [data] aliases is read; "
                      f"{', '.join(dict.fromkeys(ignored))} ignored (set those options in the form)", UserWarning)
    aliases = web_aliases(opts, files, cfg.get("data", {}).get("aliases"))
    analyze_file(files["data"], RESULTS, weights=_weights_spelling(opts, files) or "china-provinces",
                 lang=opts.get("lang"), permutations=opts.get("permutations", 999), seed=opts.get("seed", 12345),
                 alternative=opts.get("alternative", "greater"), island=opts.get("island", "guangdong"),
                 region_col=opts.get("region-col"), year_col=opts.get("year-col"), score_col=opts.get("score-col"),
                 sheet=opts.get("sheet"), drop_missing=opts.get("drop-missing", False), years=opts.get("years"),
                 formats=opts.get("formats"), only=opts.get("only"), skip=opts.get("skip"), sets=opts.get("set"),
                 aliases=aliases, covariates=files.get("covariates"), exclude=opts.get("exclude"), source=shown,
                 title=Path(shown).stem or shown, progress=step)


def study_config(opts: dict, files: dict) -> dict:
    """The study configuration of a job: the uploaded config (if any) with its paths replaced by the
    uploaded files (``[drivers] covariates`` by the field ``covariates``), updated by the options. Every
    path in it is one of the job's fixed file names."""
    from pathlib import Path as _P

    from .._commands import parse_years as _parse_years
    from .._commands import weighting_options as _weighting_options
    from ..spec import list_specs

    cfg: dict[str, Any] = _config_in(files)
    data = cfg.setdefault("data", {})
    data["path"] = files["data"]
    # the aliases: the config's texts, the uploaded file (by its fixed name) and the field alias
    alias_items = _config_alias_items(data.pop("aliases", None)) + list(opts.get("alias") or ())
    if "aliases" in files:
        alias_items.append(files["aliases"])
    if alias_items:
        data["aliases"] = alias_items
    for opt, k in _DATA_KEYS.items():
        if opt in opts:
            data[k] = opts[opt]
    # the indicator system: an uploaded file or a shipped name, never a path from the request
    old = cfg.pop("spec", {}) or {}
    if "spec" in files:
        cfg["spec"] = {"path": files["spec"]}
    else:
        if "path" in old and "spec" not in opts:
            raise InputError("config: [spec] path is not read by the web app; upload the spec file in the field "
                             "spec or name a shipped spec")
        name = opts.get("spec") or old.get("name") or "ran2025"
        if name not in list_specs():
            raise InputError(f"--spec: {name!r} is not a shipped spec ({', '.join(list_specs())}); "
                             "upload your spec file in the field spec")
        cfg["spec"] = {"name": name}
    prep = cfg.setdefault("prepare", {})
    if "years" in opts:
        period = _parse_years(",".join(opts["years"]))
        if len(period) != 2:
            raise InputError(f"--years expects FIRST,LAST, e.g. 2011,2023; got {','.join(opts['years'])!r}")
        prep["years"] = period
    if "exclude" in opts:
        prep["exclude_regions"] = list(opts["exclude"])
    if "drop-incomplete" in opts:
        prep["drop_incomplete"] = opts["drop-incomplete"]
    index = cfg.setdefault("index", {})
    if isinstance(index.get("weights"), str) and "given-weights" not in files:
        raise InputError("config: [index] weights names a file: upload it in the field given-weights")
    if "weighting" in opts or "given-weights" in files:
        weighting = opts.get("weighting", "given" if "given-weights" in files else "entropy")
        given = files.get("given-weights")
        method, kw = _weighting_options(weighting, _P(given) if given else None, opts.get("alpha", 0.5))
        for k in ("weighting", "methods", "alpha", "weights"):
            index.pop(k, None)
        index["weighting"] = method
        if method == "combined":
            index["methods"], index["alpha"] = list(kw["methods"]), kw["alpha"]
        if method == "given":
            index["weights"] = given
    elif isinstance(index.get("weights"), str):
        index["weights"] = files["given-weights"]
    if "per-year" in opts:
        index["pooled"] = not opts["per-year"]
    for k in ("shift", "topsis", "treat"):
        if k in opts:
            index[k] = opts[k]
    # the detector's covariates: the uploaded file (by its fixed name), never a path of the server
    drivers = cfg.get("drivers") if isinstance(cfg.get("drivers"), dict) else None
    if "covariates" in files:
        cfg.setdefault("drivers", {})["covariates"] = files["covariates"]
    elif drivers is not None and isinstance(drivers.get("covariates"), str):
        raise InputError("config: [drivers] covariates names a file, which the web app does not read; upload the "
                         "covariate table in the field covariates")
    sp = cfg.setdefault("spatial", {})
    w = _weights_spelling(opts, files)
    if w is not None:
        sp["weights"] = w
    elif isinstance(sp.get("weights"), str):
        from ..spatial import parse_weights_spec

        if parse_weights_spec(sp["weights"], files=True)[0] == "file":
            raise InputError("config: [spatial] weights names a file: upload the .gal or .gwt file in the field weights")
    for k in ("island", "permutations", "seed", "alternative"):
        if k in opts:
            sp[k] = opts[k]
    out = cfg.setdefault("output", {})
    if "lang" in opts:
        out["lang"] = opts["lang"]
    if "formats" in opts:
        out["formats"] = list(opts["formats"])
    if "figure-years" in opts:
        out["years"] = _parse_years(",".join(opts["figure-years"]))
    sel = cfg.setdefault("analyses", {})
    for k in ("only", "skip"):
        if k in opts:
            sel[k] = list(opts[k])
    for s in opts.get("set") or ():
        if "=" not in s or "." not in s.split("=", 1)[0]:
            raise InputError(f"--set expects ANALYSIS.OPTION=VALUE, e.g. density.kernel=epanechnikov; got {s!r}")
        k, v = s.split("=", 1)
        fam, name = k.strip().split(".", 1)
        body = cfg.setdefault(fam.strip(), {})
        if not isinstance(body, dict):
            raise InputError(f"--set {s!r}: {fam!r} is not an analysis")
        body[name.strip()] = v.strip()
    from ..analyses import FAMILIES

    _refuse_file_options([f"{fn}.{k}" for fn in FAMILIES if isinstance(cfg.get(fn), dict) for k in cfg[fn]],
                         "config/--set")
    return {k: v for k, v in cfg.items() if not (isinstance(v, dict) and not v)}


def _run_study(opts: dict, files: dict, names: dict, step) -> dict:
    """``nqpf run config.toml`` (:func:`nqpf._commands.run_file`, the command's own body), writing
    ``config.toml`` and ``RESULTS``.

    As for :func:`_run_analyze`, the recorded ``source`` is the name the user uploaded."""
    from .._commands import run_file
    from ..config import validate_config

    cfg = study_config(opts, files)
    validate_config(cfg)
    Path("config.toml").write_text(toml_dumps(cfg), encoding="utf-8")
    # config.toml holds the aliases for a rerun; the job reads them as given in the form (for messages)
    aliases = web_aliases(opts, files, _config_in(files).get("data", {}).get("aliases"))
    data = {k: v for k, v in cfg["data"].items() if k != "aliases"}
    run_file({**cfg, "data": data, "_base": "."},   # relative paths: the job's folder (the working directory)
             RESULTS, aliases=aliases, source=names.get("data") or files["data"], progress=step)
    return cfg


# ------------------------------------------------------------------------------------------ zip
_README = """nqpf {version} — results of a study run in the web app ({mode}).

{what}
Rerun it from the command line in this folder (pip install nqpf):

    {command}

The tables (results/tables/*.csv) come out identical byte for byte; results/tables/meta.json records
every parameter and convention{meta_note}.
"""


def _write_zip(files: dict, names: dict, mode: str, command: str) -> None:
    from .. import __version__

    kinds = ("data", "spec", "weights", "given-weights", "aliases", "covariates")
    inputs = [files[k] for k in kinds if k in files]
    what = "Inputs: " + "; ".join(f"{files[k]} (uploaded as {names.get(k, '?')})" for k in kinds if k in files) + "\n"
    part = Path(ZIP_NAME + ".part")
    with zipfile.ZipFile(part, "w", compression=zipfile.ZIP_DEFLATED) as z:
        note = f" (the web app recorded the name you uploaded as the source; the command records {files['data']})"
        z.writestr("README.txt", _README.format(version=__version__, mode=mode, what=what, command=command,
                                                meta_note=note))
        if mode == "study":
            z.write("config.toml", "config.toml")
        else:
            z.writestr("rerun.sh", "#!/bin/sh\n" + command + "\n")
        for f in inputs:
            z.write(f, f)
        for p in sorted(Path(RESULTS).rglob("*")):
            if p.is_file():
                z.write(p, p.as_posix())
    os.replace(part, ZIP_NAME)


# ------------------------------------------------------------------------------------------ main
def _clean(message: str, names: dict, files: dict) -> str:
    """One line without the server's paths, naming the user's files as they uploaded them."""
    here = os.getcwd()
    msg = " ".join(str(message).split())
    msg = msg.replace(here + os.sep, "").replace(here, ".")
    for k, stored in files.items():
        shown = names.get(k)
        if shown and shown != stored:
            msg = re.sub(rf"(?<![\w.]){re.escape(stored)}(?![\w])", shown, msg)
    return msg


def _run(mode: str, opts: dict, files: dict, names: dict, step) -> None:
    if mode == "analyze":
        _run_analyze(opts, files, names, step)
    else:
        _run_study(opts, files, names, step)


def main(job_dir: str, mode: str, opts: dict, files: dict, names: dict, conn) -> None:
    """Run one job in ``job_dir`` and report through ``conn`` (see the module's docstring)."""
    os.chdir(job_dir)

    def send(kind, value):
        try:
            conn.send((kind, value))
        except (BrokenPipeError, OSError):   # the server went away: stop
            sys.exit(1)

    from ..i18n import DEFAULT_LANG
    from ..i18n._reasons import error_text, warning_text

    lang = opts.get("lang") or DEFAULT_LANG   # the job's output language, as its report

    def show(message, category, filename, lineno, file=None, line=None):
        send("warning", _clean(warning_text(message, lang), names, files))

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("default")
            warnings.filterwarnings("ignore", category=DeprecationWarning)
            warnings.showwarning = show
            step = (lambda label: send("step", str(label)))
            from ..io._names import alias_hint_style

            with alias_hint_style("web"):   # "write A=B in the field alias", not "--alias 'A=B'"
                _run(mode, opts, files, names, step)
            command = ("nqpf run config.toml --out results" if mode == "study"
                       else " ".join(shlex.quote(a) for a in analyze_command(opts, files)))
            step("zip")
            _write_zip(files, names, mode, command)
        send("done", {"command": command})
    except NqpfError as e:
        send("error", _clean(error_text(e, lang), names, files))
    except FileNotFoundError as e:
        send("error", _clean(f"file not found: {e.filename or e}", names, files))
    except PermissionError as e:
        send("error", _clean(f"permission denied: {e.filename or e}", names, files))
    except Exception as e:   # a bug: one line on the page, the traceback on the server's console
        traceback.print_exc()
        send("error", _clean(f"internal error ({type(e).__name__}): {e}; please report it", names, files))
    finally:
        conn.close()
