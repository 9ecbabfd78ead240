"""Study configuration: load a TOML file, validate every section and key with suggestions.

A configuration has the sections ``[data]`` (path, layout, sheet, region_col, year_col, variable_col,
value_col, regions), ``[spec]`` (name or path), ``[prepare]`` (interpolate, extrapolate, drop_incomplete,
years = [first, last], jump_threshold, exclude_regions), ``[index]`` (weighting, pooled, shift, topsis,
weights), ``[spatial]`` (weights, island, permutations, seed, alternative, alpha) and ``[output]`` (lang,
formats, years), ``[analyses]`` (only, skip: lists of family names) and one section per analysis
family (``[markov]``, ``[density]`` …) holding that family's declared options. The keys each section accepts are the keyword arguments of the function it feeds, so
the validation cannot drift from the code.
"""
from __future__ import annotations

import os
from pathlib import Path

from .errors import InputError

__all__ = ["load_config", "validate_config", "config_path", "public_config", "ALL_FORMATS", "DEFAULT_FORMATS"]

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
        "index": kw(nindex.build_index, drop={"X", "spec_or_directions"}) | weighting_kw,
        "spatial": {"weights", "island", "permutations", "seed", "alternative", "alpha"},
        "output": {"lang", "formats", "years"},
        "analyses": {"only", "skip"},
    }
    for name, fam in _families().items():   # a family's options (the [spatial] section holds both)
        out[name] = out.get(name, set()) | set(fam.options)
    return out


def _families() -> dict:
    from .analyses import FAMILIES

    return FAMILIES


def validate_config(cfg: dict) -> None:
    """Unknown sections or keys, and values of the wrong kind, as one clear error each."""
    import difflib

    keys = _config_keys()
    unknown = set(cfg) - set(keys) - {"_base"}
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
    fam_opts = {name: {k: v for k, v in cfg[name].items() if k in fam.options}
                for name, fam in _families().items() if isinstance(cfg.get(name), dict)}
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
    for sec, k in (("prepare", "years"), ("output", "years")):
        v = cfg.get(sec, {}).get(k)
        if v is not None and (not isinstance(v, list) or not v or not all(isinstance(y, int) for y in v)):
            raise InputError(f"config: [{sec}] {k} must be a list of years, e.g. [2011, 2023], got {v!r}")




def public_config(cfg: dict) -> dict:
    """The configuration as the user wrote it (without keys nqpf adds, such as the file's folder)."""
    return {k: v for k, v in cfg.items() if not k.startswith("_")}
