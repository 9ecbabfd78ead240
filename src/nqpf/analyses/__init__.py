"""Analyses as families of self-describing items.

Each module here turns one family's computations (kernels in :mod:`nqpf.disparity`,
:mod:`nqpf.spatial`, :mod:`nqpf.diagnose`, :mod:`nqpf.index` ...) into :class:`~nqpf.results.Table`
and :class:`~nqpf.results.Figure` items, and its parameters. A family module defines ``FAMILY``, a
:class:`Family` (``items(ctx) -> (list of items, params)``, its :class:`Option`\\ s, whether it runs by
default, its order); the modules of this package are discovered, so adding a family is one kernel
module, one module here and its texts (``nqpf/i18n/_families/<name>.py``): nothing else lists families.
The command line (``--skip``, ``--only``, ``--set family.option=value``) and the config (``[analyses]``
and a ``[family]`` section) read :data:`FAMILIES`.
"""
from __future__ import annotations

import difflib
import importlib
import pkgutil
from collections.abc import Mapping, Sequence

from ..errors import InputError
from ._common import Context, Family, Option, describe, user_frame

__all__ = ["Context", "Family", "Option", "describe", "user_frame", "FAMILIES", "DEFAULT_ANALYSES",
           "COMMON_OPTIONS", "resolve_options", "select"]


def _discover() -> dict[str, Family]:
    found = []
    for m in pkgutil.iter_modules(__path__):
        if m.name.startswith("_"):
            continue
        fam = getattr(importlib.import_module(f"{__name__}.{m.name}"), "FAMILY", None)
        if isinstance(fam, Family):
            found.append(fam)
    found.sort(key=lambda f: (f.order, f.name))
    return {f.name: f for f in found}


#: Every analysis family, in the order they run.
FAMILIES: dict[str, Family] = _discover()
#: The families run unless told otherwise.
DEFAULT_ANALYSES: tuple[str, ...] = tuple(n for n, f in FAMILIES.items() if f.default)
#: Options every family may read (set by :func:`nqpf.pipeline.analyze`'s own arguments).
COMMON_OPTIONS = ("permutations", "seed", "alternative", "alpha", "figure_years")


def _unknown(kind: str, name: str, known, where: str, plural: str | None = None) -> InputError:
    close = difflib.get_close_matches(str(name), list(known), n=1)
    return InputError(f"{where}unknown {kind} {name!r}" + (f"; did you mean {close[0]!r}?" if close else "")
                      + f" ({plural or kind + 's'}: {', '.join(known)})")


def select(only: Sequence[str] | None = None, skip: Sequence[str] = (), *, where: str = "") -> tuple[str, ...]:
    """The families to run: ``only`` (all named, in the run order; default: those run by default) less
    ``skip``; an unknown name is an error with the closest spelling."""
    for n in list(only or ()) + list(skip or ()):
        if n not in FAMILIES:
            raise _unknown("analysis", n, FAMILIES, where, "analyses")
    base = [n for n in FAMILIES if n in set(only)] if only else list(DEFAULT_ANALYSES)
    return tuple(n for n in base if n not in set(skip or ()))


def resolve_options(options: Mapping | None, *, where: str = "options") -> dict:
    """Every family option as ``family.option`` → value: the declared defaults overridden by
    ``options``, which may be nested (``{"dynamics": {"kernel": "epanechnikov"}}``), qualified
    (``{"dynamics.kernel": …}``) or, when the name is unique among the families, bare
    (``{"hotspots": True}``). Common options pass through. Unknown names and bad values are
    :class:`~nqpf.errors.InputError` with the closest spelling."""
    out = {f"{fn}.{on}": o.default for fn, f in FAMILIES.items() for on, o in f.options.items()}
    flat: list[tuple[str, object]] = []
    for k, v in dict(options or {}).items():
        if k in FAMILIES and isinstance(v, Mapping):
            flat += [(f"{k}.{kk}", vv) for kk, vv in v.items()]
        else:
            flat.append((str(k), v))
    common = {}
    bare = {}
    for fn, f in FAMILIES.items():
        for on in f.options:
            bare.setdefault(on, []).append(f"{fn}.{on}")
    for k, v in flat:
        if k in COMMON_OPTIONS:
            common[k] = v
            continue
        if "." in k:
            fn, on = k.split(".", 1)
            if fn not in FAMILIES:
                raise _unknown("analysis", fn, FAMILIES, f"{where}: ", "analyses")
            if on not in FAMILIES[fn].options:
                raise _unknown(f"option of {fn}", on, FAMILIES[fn].options, f"{where}: ", f"options of {fn}")
            q = k
        elif len(bare.get(k, ())) == 1:
            q = bare[k][0]
            fn, on = q.split(".", 1)
        else:
            known = [q for qs in bare.values() for q in qs]
            if k in bare:
                raise InputError(f"{where}: option {k!r} is ambiguous; write one of {', '.join(bare[k])}")
            raise _unknown("option", k, known, f"{where}: ")
        out[q] = FAMILIES[fn].options[on].parse(v, f"{where}: {q}")
    out.update(common)
    return out
