"""Reading spatial weights and aligning them with the regions of a score matrix.

Files: ``.gal`` and ``.gwt`` are read here line by line (ids as text, as libpysal reads them), so
that a malformed line is reported with its line number and what was expected there. ``.gal``: a
header (``n``, or ``0 n shapefile id-variable``), then for each of the ``n`` regions a line
``id k`` and a line with its ``k`` neighbours (empty when ``k`` is 0). ``.gwt``: the same header,
then one line ``origin destination weight`` per link. Encoding UTF-8 (GB18030 and UTF-16 detected).

Ids: a ``W`` may hold ids as ``int`` or ``str``, while nqpf keeps region ids as strings (the GB/T
2260 code ``"110000"``). :func:`align_weights` therefore matches data ids to weights ids by their
string form: data id ``"110000"`` matches weights id ``110000``. When the ids do not match as
written, both sides are read as Chinese regions through nqpf's region names
(:func:`nqpf.regions.normalize` for provinces, :func:`nqpf.regions.normalize_admin_many` for cities
and counties): a ``.gal`` written with adcodes (``110000``) then fits scores named 北京, and one
written with names fits scores keyed by codes. The returned weights use the data's ids. Two
weights ids with the same string form (``1`` and ``"1"``) are an error. The matching itself is
vectorised (:mod:`nqpf.spatial.weights._sparse`, shared with the statistics, which never build the
aligned ``W``); ``align_weights`` also accepts a libpysal ``Graph`` or a scipy sparse matrix.
"""
from __future__ import annotations

import math
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING

from nqpf.errors import InputError

from ._sparse import _match_as_regions, _readings  # noqa: F401 - reading ids as regions (used by .distance)
from ._sparse import _kind, is_weights, permute, region_positions, to_w, weights_matrix

if TYPE_CHECKING:  # libpysal is imported where a W is built (about a second)
    from libpysal.weights import W

__all__ = ["read_weights", "align_weights"]


def read_weights(path_or_w, ids=None) -> W:
    """Read spatial weights from a GeoDa ``.gal`` or ``.gwt`` file (or accept a built ``W``).

    Parameters
    ----------
    path_or_w : str, path or libpysal.weights.W
        A ``.gal`` (contiguity, binary) or ``.gwt`` (weighted) file, or an existing ``W``.
        Spellings such as ``"china-provinces"`` or ``"queen"`` are handled by
        :func:`~nqpf.spatial.weights.resolve`, not here.
    ids : sequence, optional
        Region ids of the data; when given, the weights are aligned to them with
        :func:`align_weights` (same order, data's ids, string-matched).

    Returns
    -------
    libpysal.weights.W
        The weights, untransformed (as stored in the file).

    Raises
    ------
    InputError
        Missing file or unsupported format.
    WeightsMismatchError
        ``ids`` given and not matching the weights' ids.
    """
    if _kind(path_or_w) == "W":
        w = path_or_w
    elif isinstance(path_or_w, (str, PathLike)):
        path = Path(path_or_w)
        suffix = path.suffix.lower()
        if suffix not in (".gal", ".gwt"):
            raise InputError(
                f"spatial weights {str(path_or_w)!r}: unsupported format {suffix or '(none)'!r}; "
                "give a GeoDa .gal or .gwt file (or 'china-provinces' for the built-in "
                "provincial contiguity)"
            )
        if not path.is_file():
            raise InputError(f"spatial weights file {str(path)!r} not found")
        w = _read_gal(path) if suffix == ".gal" else _read_gwt(path)
    else:
        raise InputError(
            f"spatial weights: expected a .gal/.gwt path or a libpysal W, got {type(path_or_w).__name__}"
        )
    if ids is not None:
        w = align_weights(w, ids)
    return w


def _lines(path: Path) -> list:
    from nqpf.io._cells import _decode

    try:
        text, _ = _decode(path, None)
    except InputError as exc:
        raise InputError(f"spatial weights file {exc}") from None
    return text.splitlines()


def _bad(path, lineno, msg) -> InputError:
    return InputError(f"spatial weights file {str(path)!r}, line {lineno}: {msg}")


def _header(path, lines, fmt) -> tuple:
    """(n or None, index of the first body line) from the header ``n`` or ``0 n shapefile id-variable``."""
    k = next((i for i, ln in enumerate(lines) if ln.strip()), None)
    if k is None:
        raise InputError(f"spatial weights file {str(path)!r} is empty")
    tok = lines[k].split()
    pick = tok[1] if len(tok) > 1 else tok[0]
    if fmt == "gwt" and len(tok) == 3:  # no header: the first line is already a link
        return None, k
    if not pick.isdigit():
        raise _bad(path, k + 1, "expected the header 'n' or '0 n shapefile id-variable' (n = number of regions), "
                                f"found {lines[k].strip()!r}")
    return int(pick), k + 1


def _read_gal(path: Path) -> W:
    lines = _lines(path)
    n, i = _header(path, lines, "gal")
    neighbors, where = {}, {}
    while len(neighbors) < n:
        while i < len(lines) and not lines[i].strip():
            i += 1
        if i >= len(lines):
            raise InputError(f"spatial weights file {str(path)!r}: the header announces {n} regions but the file "
                             f"ends after {len(neighbors)} (line {len(lines)}); add the missing entries or correct n")
        tok = lines[i].split()
        if len(tok) != 2 or not tok[1].isdigit():
            raise _bad(path, i + 1, "expected 'id number-of-neighbours' (e.g. '110000 2'), found "
                                    f"{lines[i].strip()!r}")
        rid, k = tok[0], int(tok[1])
        if rid in neighbors:
            raise _bad(path, i + 1, f"region {rid!r} is listed twice (first at line {where[rid]}); list each "
                                    "region once")
        where[rid] = i + 1
        if k == 0:  # its neighbour line is empty (GeoDa) or left out
            i += 1
            if i < len(lines) and not lines[i].strip():
                i += 1
            neighbors[rid] = []
            continue
        if i + 1 >= len(lines):
            raise _bad(path, i + 1, f"region {rid!r} has {k} neighbour(s) but the file ends before their line")
        nb = lines[i + 1].split()
        if len(nb) != k:
            raise _bad(path, i + 2, f"region {rid!r} (line {i + 1}) announces {k} neighbour(s) but this line "
                                    f"lists {len(nb)}: {lines[i + 1].strip()!r}; make the count match the list")
        neighbors[rid] = nb
        i += 2
    for j in range(i, len(lines)):
        if lines[j].strip():
            raise _bad(path, j + 1, f"text after the {n} regions the header announces: {lines[j].strip()!r}; "
                                    "correct n in the header or remove the extra lines")
    for rid, nb in neighbors.items():
        unknown = [x for x in nb if x not in neighbors]
        if unknown:
            raise _bad(path, where[rid] + 1, f"neighbour(s) {', '.join(map(repr, unknown))} of {rid!r} are not "
                                             "regions of the file (each region needs its own 'id k' line)")
    from libpysal.weights import W

    return W(neighbors, id_order=list(neighbors), silence_warnings=True)


def _read_gwt(path: Path) -> W:
    lines = _lines(path)
    _, i = _header(path, lines, "gwt")
    order: dict = {}
    links: dict = {}
    for j in range(i, len(lines)):
        tok = lines[j].split()
        if not tok:
            continue
        if len(tok) != 3:
            raise _bad(path, j + 1, f"expected 'origin destination weight', found {lines[j].strip()!r}")
        a, b, v = tok
        try:
            val = float(v)
        except ValueError:
            raise _bad(path, j + 1, f"weight {v!r} is not a number") from None
        if not math.isfinite(val):
            raise _bad(path, j + 1, f"weight {v!r} is not a finite number")
        order.setdefault(a, None)
        order.setdefault(b, None)
        row = links.setdefault(a, {})
        if b in row:
            raise _bad(path, j + 1, f"the link {a} -> {b} is listed twice; keep one line per link")
        row[b] = val
    if not links:
        raise InputError(f"spatial weights file {str(path)!r} has no links (no 'origin destination weight' line)")
    ids = list(order)
    neighbors = {k: list(links.get(k, {})) for k in ids}
    weights = {k: list(links.get(k, {}).values()) for k in ids}
    from libpysal.weights import W

    return W(neighbors, weights, id_order=ids, silence_warnings=True)


def align_weights(w, ids) -> W:
    """Weights reordered to the data's region ids.

    Parameters
    ----------
    w : libpysal.weights.W, libpysal.graph.Graph, libpysal.weights.WSP or scipy sparse matrix
        Spatial weights. Its current weights (``w.weights`` of a ``W``) are kept, and the result has
        transformation ``"O"``: apply a transformation on the result, not before. A scipy sparse
        matrix has no ids: its rows and columns are taken to be the regions in the order of ``ids``.
    ids : sequence
        Region ids of the data, in the data's order. Compared with the weights' ids by their
        string form (``"110000"`` matches ``110000``).

    Returns
    -------
    libpysal.weights.W
        A new ``W`` with ``id_order == list(ids)`` (the data's ids), each region's neighbours in the
        order ``w`` lists them; ``w`` is not modified.

    Raises
    ------
    WeightsMismatchError
        Ids in the data but not in the weights, or in the weights but not in the data (both
        listed), duplicated data ids, or weights ids that collide as strings.

    Notes
    -----
    The statistics of :mod:`nqpf.spatial` do not build this ``W``: they align the weights as a sparse
    matrix (:func:`nqpf.spatial.weights._sparse.aligned_matrix`, the same matching by vectorised
    indexing). This function is for callers that need a ``W`` (its neighbour lists).
    """
    if not is_weights(w):
        raise InputError(f"align_weights: expected a libpysal W or Graph or a scipy sparse matrix, "
                         f"got {type(w).__name__}")
    ids = list(ids)
    S, w_ids, _ = weights_matrix(w, "align_weights")
    if w_ids is None and S.shape[0] != len(ids):
        raise InputError(f"align_weights: a {S.shape[0]} × {S.shape[1]} weights matrix does not fit the "
                         f"{len(ids)} regions of the data; give an n × n matrix in the data's order of regions")
    pos = None if w_ids is None else region_positions(w_ids, ids)
    return to_w(permute(S, pos), ids)
