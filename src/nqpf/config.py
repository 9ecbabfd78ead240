"""Study configuration: load a TOML file, validate every section and key with suggestions.

A configuration has the sections ``[data]`` (path, layout, sheet, region_col, year_col, variable_col,
value_col, regions, aliases: a table ``{Yunan = "云南"}``, an alias file or a list of files and
``"ALIAS=REGION"`` texts, files relative to the config), ``[spec]`` (name or path), ``[prepare]``
(interpolate, extrapolate, drop_incomplete, years = [first, last], jump_threshold, exclude_regions),
``[index]`` (weighting, pooled, shift, topsis, weights), ``[spatial]`` (weights, island, permutations,
seed, alternative, alpha) and ``[output]`` (lang, formats, years), ``[analyses]`` (only, skip: lists of
family names) and one section per analysis family (``[markov]``, ``[density]`` …) holding that family's
declared options; ``[convergence] controls`` may name the control table of conditional β convergence (a
file relative to the config) instead of listing its variables, and ``[drivers] covariates`` the covariates
of the geographical detector (a file relative to the config). Paths in ``[spatial] weights`` (a
``.gal``/``.gwt`` file, or a point file after ``@``) are relative to the config too. The keys each
section accepts are the keyword arguments of the function it feeds, so the validation cannot drift from
the code. Keys starting with ``_`` are nqpf's own (the config's folder, the command line's additions).
"""
from __future__ import annotations

import os
from pathlib import Path

from .errors import InputError

__all__ = ["load_config", "validate_config", "config_path", "config_aliases", "config_controls", "config_covariates",
           "config_weights", "family_sections", "public_config", "ALL_FORMATS", "DEFAULT_FORMATS"]

#: Output formats written by default, and every format known.
ALL_FORMATS = ("csv", "png", "svg", "xlsx", "html", "docx")
DEFAULT_FORMATS = ALL_FORMATS


def load_config(path: str | os.PathLike) -> dict:
    """Read a study configuration (TOML). Relative paths in it are relative to the file; ``nqpf:NAME``
    names a data file shipped with nqpf."""
    try:
        import tomllib
    except ModuleNotFoundError:  # pragma: no cover
        import tomli as tomllib
    p = Path(path)
    if not p.exists():
        raise InputError(f"config file not found: {p}")
    try:
        cfg = tomllib.loads(p.read_text(encoding="utf-8"))
    except Exception as e:  # tomllib.TOMLDecodeError
        raise InputError(f"{p}: not valid TOML: {e}") from None
    cfg["_base"] = str(p.resolve().parent)
    return cfg


#: A path written ``nqpf:NAME`` names a data file shipped with nqpf (``nqpf.datasets.data_file``).
BUNDLED_PREFIX = "nqpf:"


def config_path(cfg: dict, value: str) -> str:
    if value is None:
        return value
    if isinstance(value, str) and value.startswith(BUNDLED_PREFIX):
        from .datasets import data_file

        return str(data_file(value[len(BUNDLED_PREFIX):]))
    q = Path(value)
    if not q.is_absolute() and "_base" in cfg:
        cand = Path(cfg["_base"]) / q
        return str(cand)
    return str(q)




def config_aliases(cfg: dict):
    """The region aliases of a configuration: ``[data] aliases`` (a table ``{Yunan = "云南"}``, an alias
    file relative to the config, ``"ALIAS=REGION"`` text, or a list of files and texts) and those the
    command line added (``--alias``/``--alias-file``, kept under the private key ``_aliases``), as one
    :class:`~nqpf.io.Aliases`; None when there are none."""
    from collections.abc import Mapping

    from .io import Aliases, as_aliases, parse_aliases, read_aliases

    where = "config: [data] aliases"
    value = cfg.get("data", {}).get("aliases")
    out = Aliases()
    if isinstance(value, Mapping):
        out.update_from(as_aliases(dict(value), where=where))
    elif value is not None:
        items = value if isinstance(value, list) else [value]
        for item in items:
            if not isinstance(item, str) or not item.strip():
                raise InputError(f"{where} must be a table {{Yunan = \"云南\"}}, an alias file or a list of alias "
                                 f"files, got {item!r}")
            path = Path(config_path(cfg, item))
            if "=" in item and not path.exists():
                out.update_from(parse_aliases(item, where=where))
            else:
                if not path.exists():
                    raise InputError(f"{where}: alias file not found: {path} (relative paths are relative to the "
                                     "config file)")
                out.update_from(read_aliases(path))
    if cfg.get("_aliases"):
        out.update_from(cfg["_aliases"])
    return out or None


#: Points of distance weights named by a word after ``@`` (anything else after ``@`` is a file).
_POINT_WORDS = ("centroid", "surface", "capital")


def config_weights(cfg: dict, value):
    """``[spatial] weights`` with its file relative to the config: a GeoDa ``.gal``/``.gwt`` path, or
    the point file of a distance spelling (``distance:200km@coords.csv``, ``knn:6@pts.xlsx``); spellings
    (``china-provinces``, ``queen``, ``knn:6@capital`` …) and ``W`` objects are returned as given."""
    if not isinstance(value, str):
        return value
    head, at, tail = value.partition("@")
    if at:
        if tail.strip().lower() in _POINT_WORDS or not tail.strip():
            return value
        return f"{head}@{config_path(cfg, tail.strip())}"
    from .spatial import parse_weights_spec

    try:
        parse_weights_spec(value)
        return value
    except InputError:
        return config_path(cfg, value)


def _config_file(cfg: dict, private: str, section: str, key: str, what: str) -> str | None:
    """A table named by the command line (private key ``private``) or by ``[section] key = "file"``
    relative to the config (a non-text value there is not a file: None); a missing file is an error."""
    if cfg.get(private):
        return str(cfg[private])
    value = cfg.get(section, {}).get(key)
    if isinstance(value, str):
        if not value.strip():
            raise InputError(f"config: [{section}] {key} must name {what}")
        path = config_path(cfg, value)
        if not Path(path).exists():
            raise InputError(f"config: [{section}] {key}: file not found: {path} (relative paths are "
                             "relative to the config file)")
        return path
    return None


def config_controls(cfg: dict) -> str | None:
    """The control table of conditional β convergence: the command line's ``--controls`` (private key
    ``_controls``) or ``[convergence] controls = "file"`` relative to the config (a list there names the
    variables to use instead); None when there is none."""
    return _config_file(cfg, "_controls", "convergence", "controls",
                        "the control table (a file), or list the control variables")


def config_covariates(cfg: dict) -> str | None:
    """The covariates of the geographical detector (family ``drivers``): the command line's
    ``--covariates`` (private key ``_covariates``, which overrides the config) or ``[drivers] covariates =
    "file"`` relative to the config; None when there is none."""
    return _config_file(cfg, "_covariates", "drivers", "covariates", "the covariate table (a file)")


#: Keys of family sections that name a file read as a table, not a declared option of the family.
_FILE_KEYS = {("convergence", "controls"), ("drivers", "covariates")}


def family_sections(cfg: dict, families: dict) -> dict:
    """Each family's section of ``cfg`` restricted to its declared options (``[convergence] controls``
    holding a file name is the control table, not the option listing variables; ``[drivers] covariates``
    is the covariate table)."""
    out = {}
    for name, fam in families.items():
        body = cfg.get(name)
        if not isinstance(body, dict):
            continue
        out[name] = {k: v for k, v in body.items() if k in fam.options
                     and not ((name, k) in _FILE_KEYS and isinstance(v, str))}
    return out


def _config_keys() -> dict[str, set]:
    """Keys each config section accepts: the keyword arguments of the function it feeds."""
    import inspect

    from . import index as nindex
    from . import io as nio
    from . import prepare as nprep

    def kw(f, drop=()):
        return {n for n, p in inspect.signature(f).parameters.items()
                if p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD) and n not in drop}

    from .index.weights import WEIGHTING_METHODS

    weighting_kw = {k for cls in WEIGHTING_METHODS.values() for k in getattr(cls, "keywords", ())}
    out = {
        "data": kw(nio.read_panel) | {"path"},
        "spec": {"name", "path"},
        "prepare": kw(nprep.prepare, drop={"raw_long", "spec"}),
        "index": kw(nindex.build_index, drop={"X", "spec_or_directions", "region_labels", "locate"}) | weighting_kw,
        "spatial": {"weights", "island", "permutations", "seed", "alternative", "alpha"},
        "output": {"lang", "formats", "years"},
        "analyses": {"only", "skip"},
    }
    for name, fam in _families().items():   # a family's options (the [spatial] section holds both)
        out[name] = out.get(name, set()) | set(fam.options)
    for sec, key in _FILE_KEYS:   # tables named in a family's section
        out.setdefault(sec, set()).add(key)
    return out


def _families() -> dict:
    from .analyses import FAMILIES

    return FAMILIES


def validate_config(cfg: dict) -> None:
    """Unknown sections or keys, and values of the wrong kind, as one clear error each."""
    import difflib

    keys = _config_keys()
    unknown = {k for k in set(cfg) - set(keys) if not str(k).startswith("_")}
    if unknown:
        raise InputError(f"config: unknown section(s) {sorted(unknown)}; known: {sorted(keys)}")
    for sec, allowed in keys.items():
        body = cfg.get(sec, {})
        if not isinstance(body, dict):
            raise InputError(f"config: [{sec}] must be a table of keys")
        for k in body:
            if k not in allowed:
                close = difflib.get_close_matches(k, sorted(allowed), n=1)
                raise InputError(f"config: unknown key {k!r} in [{sec}]"
                                 + (f"; did you mean {close[0]!r}?" if close else "")
                                 + f" (keys of [{sec}]: {', '.join(sorted(allowed))})")
    cov = cfg.get("drivers", {}).get("covariates") if isinstance(cfg.get("drivers"), dict) else None
    if cov is not None and (not isinstance(cov, str) or not cov.strip()):
        raise InputError(f"config: [drivers] covariates must name the covariate table (a CSV/Excel file, relative "
                         f"to the config), got {cov!r}")
    sp, out = cfg.get("spatial", {}), cfg.get("output", {})
    for k in ("permutations", "seed"):
        if k in sp and (not isinstance(sp[k], int) or isinstance(sp[k], bool) or sp[k] < 0):
            raise InputError(f"config: [spatial] {k} must be a whole number ≥ 0, got {sp[k]!r}")
    if "alpha" in sp and not (isinstance(sp["alpha"], (int, float)) and 0 < sp["alpha"] < 1):
        raise InputError(f"config: [spatial] alpha must be between 0 and 1, got {sp['alpha']!r}")
    if "alternative" in sp:
        from .spatial import check_alternative

        try:
            check_alternative(sp["alternative"])
        except InputError as exc:
            raise InputError(f"config: [spatial] {exc}") from None
    if isinstance(sp.get("weights"), str):
        from .spatial import parse_weights_spec

        try:
            parse_weights_spec(sp["weights"], files=True)
        except InputError as exc:
            raise InputError(f"config: [spatial] {exc}") from None
    sel = cfg.get("analyses", {})
    for k in ("only", "skip"):
        v = sel.get(k)
        if v is not None and (not isinstance(v, list) or not all(isinstance(x, str) for x in v)):
            raise InputError(f"config: [analyses] {k} must be a list of analysis names, e.g. ['markov'], got {v!r}")
    if sel:
        from .analyses import select

        select(sel.get("only"), sel.get("skip", ()), where="config: [analyses] ")
    fam_opts = family_sections(cfg, _families())
    if fam_opts:
        from .analyses import resolve_options

        for name, body in fam_opts.items():
            resolve_options({name: body}, where=f"config: [{name}]")
    if "lang" in out:
        from .i18n import check_lang

        try:
            check_lang(out["lang"])
        except InputError as exc:
            raise InputError(f"config: [output] lang: {exc}") from None
    if "formats" in out and (not isinstance(out["formats"], list) or set(out["formats"]) - set(ALL_FORMATS)):
        raise InputError(f"config: [output] formats must be a list from {list(ALL_FORMATS)}, got {out['formats']!r}")
    al = cfg.get("data", {}).get("aliases")
    if al is not None and not (isinstance(al, (str, dict)) or (isinstance(al, list)
                                                                and all(isinstance(x, str) for x in al))):
        raise InputError(f"config: [data] aliases must be a table {{Yunan = \"云南\"}}, an alias file or a list of "
                         f"alias files, got {al!r}")
    for sec, k in (("prepare", "years"), ("output", "years")):
        v = cfg.get(sec, {}).get(k)
        if v is not None and (not isinstance(v, list) or not v or not all(isinstance(y, int) for y in v)):
            raise InputError(f"config: [{sec}] {k} must be a list of years, e.g. [2011, 2023], got {v!r}")




def public_config(cfg: dict) -> dict:
    """The configuration as the user wrote it (without keys nqpf adds, such as the file's folder)."""
    return {k: v for k, v in cfg.items() if not k.startswith("_")}
