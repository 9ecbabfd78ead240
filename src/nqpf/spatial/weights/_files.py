"""Reading spatial weights and aligning them with the regions of a score matrix.

Ids: a GeoDa ``.gal``/``.gwt`` file read by libpysal yields ids as ``int`` when every id in the
file looks like an integer and as ``str`` otherwise, while nqpf keeps region ids as strings (the
GB/T 2260 code ``"110000"``). :func:`align_weights` therefore matches data ids to weights ids by
their string form: data id ``"110000"`` matches weights id ``110000``. The returned weights use
the data's ids. Two weights ids with the same string form (``1`` and ``"1"``) are an error.
"""
from __future__ import annotations

from os import PathLike
from pathlib import Path

import libpysal
from libpysal.weights import W

from nqpf.errors import InputError, WeightsMismatchError

__all__ = ["read_weights", "align_weights"]

_MAX_LISTED = 20


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
    if isinstance(path_or_w, W):
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
        try:
            fh = libpysal.io.open(str(path), "r")  # not a context manager in libpysal 4.x
            try:
                w = fh.read()
            finally:
                fh.close()
        except Exception as exc:  # libpysal raises assorted errors on malformed files
            raise InputError(f"spatial weights file {str(path)!r} could not be read: {exc}") from exc
    else:
        raise InputError(
            f"spatial weights: expected a .gal/.gwt path or a libpysal W, got {type(path_or_w).__name__}"
        )
    if ids is not None:
        w = align_weights(w, ids)
    return w


def _fmt(items) -> str:
    items = list(items)
    shown = ", ".join(repr(x) for x in items[:_MAX_LISTED])
    if len(items) > _MAX_LISTED:
        shown += f" and {len(items) - _MAX_LISTED} more"
    return shown


def align_weights(w: W, ids) -> W:
    """Weights reordered to the data's region ids.

    Parameters
    ----------
    w : libpysal.weights.W
        Spatial weights. Its current weights (``w.weights``) are kept, and the result has
        transformation ``"O"``: apply a transformation on the result, not before.
    ids : sequence
        Region ids of the data, in the data's order. Compared with the weights' ids by their
        string form (``"110000"`` matches ``110000``).

    Returns
    -------
    libpysal.weights.W
        A new ``W`` with ``id_order == list(ids)`` (the data's ids); ``w`` is not modified.

    Raises
    ------
    WeightsMismatchError
        Ids in the data but not in the weights, or in the weights but not in the data (both
        listed), duplicated data ids, or weights ids that collide as strings.
    """
    if not isinstance(w, W):
        raise InputError(f"align_weights: expected a libpysal W, got {type(w).__name__}")
    ids = list(ids)
    data_keys = [str(i) for i in ids]
    if len(set(data_keys)) != len(data_keys):
        seen, dups = set(), []
        for k in data_keys:
            if k in seen:
                dups.append(k)
            seen.add(k)
        raise WeightsMismatchError(f"duplicated region ids in the data: {_fmt(dict.fromkeys(dups))}")
    w_by_key = {}
    for wid in w.id_order:
        k = str(wid)
        if k in w_by_key:
            raise WeightsMismatchError(
                f"spatial weights ids {w_by_key[k]!r} and {wid!r} are the same as text; "
                "ids are matched by their string form, make them unique"
            )
        w_by_key[k] = wid
    in_data_only = [i for i, k in zip(ids, data_keys) if k not in w_by_key]
    data_set = set(data_keys)
    in_w_only = [wid for k, wid in w_by_key.items() if k not in data_set]
    if in_data_only or in_w_only:
        parts = []
        if in_data_only:
            parts.append(f"{len(in_data_only)} in the data but not in the weights: {_fmt(in_data_only)}")
        if in_w_only:
            parts.append(f"{len(in_w_only)} in the weights but not in the data: {_fmt(in_w_only)}")
        raise WeightsMismatchError(
            "spatial weights do not match the regions of the data; region ids "
            + "; ".join(parts)
            + ". Use weights built for exactly these regions (ids are compared as text)."
        )
    to_data = {w_by_key[k]: i for i, k in zip(ids, data_keys)}
    neighbors = {}
    weights = {}
    for i, k in zip(ids, data_keys):
        wid = w_by_key[k]
        neighbors[i] = [to_data[j] for j in w.neighbors[wid]]
        weights[i] = [float(v) for v in w.weights[wid]]
    return W(neighbors, weights, id_order=ids, silence_warnings=True)
