"""Spatial weights as sparse matrices, end to end: any form a user holds → one CSR matrix aligned to the
data's regions and transformed, with vectorised indexing and no Python dictionaries on the way.

Accepted forms (:func:`weights_matrix`)
---------------------------------------
:class:`~nqpf.spatial.weights.NeighbourLists`
    nqpf's own neighbour lists (read as a ``W``'s, below; no libpysal needed).
``libpysal.weights.W``
    Its current weights (``w.weights``, whatever transformation is set) in the order of ``w.id_order``,
    assembled from the neighbour lists in one pass, each row in the order the W lists it (the entries
    of ``w.sparse``, which libpysal builds with a Python loop per entry). When libpysal has already
    cached ``w.sparse`` and all weights are equal (binary weights, where the order of a row cannot
    change a sum) that matrix is used as is. A listed neighbour with weight 0 stays a link (binary
    transformation makes it 1, as libpysal does).
``libpysal.weights.WSP``
    Its ``sparse`` matrix and ``id_order``.
``libpysal.graph.Graph``
    ``g.sparse`` with ids ``g.unique_ids``. Entries of weight 0 are dropped first: a Graph encodes a
    region without neighbours as a self-loop of weight 0.
a scipy sparse matrix (``n × n``)
    Rows and columns are the regions *in the data's order* (it has no ids); explicit zeros are dropped.

Alignment (:func:`region_positions`)
------------------------------------
Ids are matched by their string form (``"110000"`` matches ``110000``), as
:func:`nqpf.spatial.align_weights` documents: the result is the same as comparing ``str(id)`` on both
sides, computed with pandas' hash tables (and no conversion at all when both sides hold the same ids
in the same order, or integers on both sides). When the ids differ as text, both sides are read as
Chinese regions (GB/T 2260 codes); errors list the ids on either side only.

Transformations (:func:`transform_matrix`)
------------------------------------------
libpysal's, applied to the entries in their stored order (each row summed left to right, rows
accumulated in order, as ``W.set_transform`` does in Python), so that results equal those of
``W.transform`` bit for bit: ``"r"`` :math:`w_{ij}/\\sum_j w_{ij}`; ``"b"`` 1 for every stored link;
``"d"`` :math:`w_{ij}/S_0`; ``"v"`` :math:`w_{ij}/q_i \\cdot n/\\sum_{ij} w_{ij}/q_i` with
:math:`q_i = \\sqrt{\\sum_j w_{ij}^2}`; ``"o"`` as given. A row whose weights sum (or whose squares sum)
to 0 keeps weight 0 (libpysal divides by zero there).
"""
from __future__ import annotations

import itertools
import sys

import numpy as np
import pandas as pd
from scipy import sparse

from nqpf.errors import InputError, WeightsMismatchError

from ._lists import NeighbourLists

__all__ = ["weights_matrix", "region_positions", "permute", "transform_matrix", "aligned_matrix",
           "to_w", "is_weights"]

_MAX_LISTED = 20


def is_weights(w) -> bool:
    """Whether ``w`` is a form of spatial weights :func:`weights_matrix` accepts."""
    return sparse.issparse(w) or _kind(w) is not None


def _kind(w) -> str | None:
    if sparse.issparse(w):
        return "sparse"
    if isinstance(w, NeighbourLists):
        return "lists"
    if "libpysal" not in sys.modules:  # a libpysal object implies libpysal is loaded: not importing it
        return None
    try:
        from libpysal.weights import WSP, W
    except ImportError:  # pragma: no cover - libpysal is a dependency
        return None
    if isinstance(w, W):
        return "W"
    if isinstance(w, WSP):
        return "WSP"
    try:
        from libpysal.graph import Graph
    except ImportError:  # pragma: no cover - libpysal < 4.9
        Graph = ()
    if Graph and isinstance(w, Graph):
        return "Graph"
    return None


def _csr(S) -> sparse.csr_matrix:
    """``S`` as a float64 CSR matrix with int64-or-int32 index arrays, entries in their stored order."""
    S = sparse.csr_matrix(S)
    if S.dtype != np.float64:
        S = S.astype(np.float64)
    return S


def _from_lists(w):
    """CSR matrix of a ``W`` from its neighbour lists, entries of each row in list order (what
    ``W.sparse`` holds), without a Python loop per entry."""
    order = w.id_order
    n = len(order)
    ids = pd.Index(order, tupleize_cols=False)
    nb, wt = w.neighbors, w.weights
    card = np.fromiter((len(nb[i]) for i in order), dtype=np.int64, count=n)
    nnz = int(card.sum())
    cols = ids.get_indexer(pd.Index(list(itertools.chain.from_iterable(nb[i] for i in order)), tupleize_cols=False))
    data = np.fromiter(itertools.chain.from_iterable(wt[i] for i in order), dtype=float, count=nnz)
    if (cols < 0).any():
        raise InputError("spatial weights: a neighbour is not one of the W's ids (w.id_order); rebuild the W")
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(card, out=indptr[1:])
    return sparse.csr_matrix((data, cols.astype(np.int64), indptr), shape=(n, n))


def weights_matrix(w, what: str = "spatial weights"):
    """The weights of ``w`` as a CSR matrix, the ids of its rows and columns, and whether explicit
    zeros are links.

    Parameters
    ----------
    w : NeighbourLists, libpysal.weights.W, libpysal.weights.WSP, libpysal.graph.Graph or scipy sparse matrix
        See the module notes for how each form is read.
    what : str
        Prefix of error messages.

    Returns
    -------
    S : scipy.sparse.csr_matrix, shape (n, n), float64
        Entries in their stored order (not necessarily sorted); the caller's object is not modified
        (a matrix cached on it may be shared: do not modify ``S`` in place).
    ids : pandas.Index or None
        Region ids of rows and columns; None for a bare sparse matrix (rows = the data's regions).
    zeros_are_links : bool
        True for ``W`` and ``NeighbourLists`` (a listed neighbour of weight 0 is a link), False
        otherwise (zeros dropped).

    Raises
    ------
    InputError
        Another type, a matrix that is not square, or weights that are not finite numbers.
    """
    kind = _kind(w)
    if kind is None:
        raise InputError(f"{what}: expected a libpysal W or Graph or a scipy sparse matrix, "
                         f"got {type(w).__name__}")
    if kind == "lists":
        S, ids, links = _from_lists(w), pd.Index(list(w.id_order), tupleize_cols=False), True
    elif kind == "W":
        cached = getattr(w, "_cache", {}).get("sparse")
        if cached is not None:
            S = _csr(cached)
        if cached is None or not (S.data == S.data[:1]).all():
            # libpysal's cached matrix has its rows sorted; with unequal weights the order of the
            # entries decides the last bits of row sums: take them in the W's own order
            S = _from_lists(w)
        ids, links = pd.Index(list(w.id_order), tupleize_cols=False), True
    elif kind == "WSP":
        S, ids, links = _csr(w.sparse), pd.Index(list(w.id_order), tupleize_cols=False), False
    elif kind == "Graph":
        S, ids, links = _csr(w.sparse), pd.Index(w.unique_ids), False
    else:
        S, ids, links = _csr(w), None, False
    if S.shape[0] != S.shape[1]:
        raise InputError(f"{what}: the weights matrix must be square (regions × regions), got shape {S.shape}")
    if ids is not None and len(ids) != S.shape[0]:
        raise InputError(f"{what}: {len(ids)} ids for a {S.shape[0]} × {S.shape[0]} weights matrix")
    if not np.isfinite(S.data).all():
        raise InputError(f"{what}: the weights hold missing or infinite values; give finite numbers")
    if not links and (S.data == 0).any():
        S = S.copy()
        S.eliminate_zeros()
    return S, ids, links


# ------------------------------------------------------------------------------------------- alignment
def _fmt(items) -> str:
    items = list(items)
    shown = ", ".join(repr(x) for x in items[:_MAX_LISTED])
    if len(items) > _MAX_LISTED:
        shown += f" and {len(items) - _MAX_LISTED} more"
    return shown


def _py(x):
    """A numpy scalar as the plain Python value (messages and ``str`` keys as for Python values)."""
    return x.item() if isinstance(x, np.generic) else x


def _texts(values) -> pd.Index:
    """``str(v)`` of every value (object Index)."""
    return pd.Index([str(_py(v)) for v in values], dtype=object)


def _integers(idx: pd.Index) -> bool:
    return idx.dtype.kind in "iu"


def _strings(idx: pd.Index) -> bool:
    return (idx.dtype == object or pd.api.types.is_string_dtype(idx.dtype)) and \
        pd.api.types.infer_dtype(idx, skipna=False) == "string"


def region_positions(w_ids, ids) -> np.ndarray | None:
    """For each data id, the position of the same region among the weights' ids.

    Parameters
    ----------
    w_ids : sequence
        Ids of the weights' rows (their order).
    ids : sequence
        Region ids of the data, in the data's order.

    Returns
    -------
    ndarray of int64, shape (n,), or None
        ``pos[k]`` is the weights row of data region ``k``; None when the two orders are the same.

    Raises
    ------
    WeightsMismatchError
        Duplicated data ids, weights ids that are the same as text, or ids on one side only (both
        sides listed, after trying to read them as Chinese regions).
    """
    w_idx = w_ids if isinstance(w_ids, pd.Index) else pd.Index(list(w_ids), tupleize_cols=False)
    d_idx = ids if isinstance(ids, pd.Index) else pd.Index(list(ids), tupleize_cols=False)
    same_kind = (_integers(w_idx) and _integers(d_idx)) or (_strings(w_idx) and _strings(d_idx))
    if same_kind and d_idx.is_unique and w_idx.is_unique:
        # str() is one-to-one on integers and on strings: comparing the values is comparing the texts
        if len(w_idx) == len(d_idx) and w_idx.equals(d_idx):
            return None
        pos = w_idx.get_indexer(d_idx)
        if len(w_idx) == len(d_idx) and (pos >= 0).all():
            return pos.astype(np.int64)
    return _positions_as_text(w_idx, d_idx)


def _positions_as_text(w_idx: pd.Index, d_idx: pd.Index) -> np.ndarray:
    d_keys = _texts(d_idx)
    if not d_keys.is_unique:
        dup = d_keys[d_keys.duplicated()]
        raise WeightsMismatchError(f"duplicated region ids in the data: {_fmt(dict.fromkeys(dup))}")
    w_keys = _texts(w_idx)
    if not w_keys.is_unique:
        k = int(np.flatnonzero(w_keys.duplicated())[0])
        first = int(np.flatnonzero(w_keys == w_keys[k])[0])
        raise WeightsMismatchError(
            f"spatial weights ids {_py(w_idx[first])!r} and {_py(w_idx[k])!r} are the same as text; "
            "ids are matched by their string form, make them unique"
        )
    pos = w_keys.get_indexer(d_keys)
    back = d_keys.get_indexer(w_keys)
    if (pos >= 0).all() and (back >= 0).all():
        return pos.astype(np.int64)
    data_vals, w_vals = [_py(v) for v in d_idx], [_py(v) for v in w_idx]
    in_data_only = [v for v, p in zip(data_vals, pos) if p < 0]
    in_w_only = [v for v, b in zip(w_vals, back) if b < 0]
    how = "ids are compared as text"
    # not the same spelling: read both sides as Chinese regions (names, codes, pinyin → GB/T codes)
    matched = _match_as_regions(data_vals, w_vals)
    if matched is not None:
        data_codes, w_codes = matched
        dc, wc = pd.Index(data_codes, dtype=object), pd.Index(w_codes, dtype=object)
        pos, back = wc.get_indexer(dc), dc.get_indexer(wc)
        in_data_only = [v for v, p in zip(data_vals, pos) if p < 0]
        in_w_only = [v for v, b in zip(w_vals, back) if b < 0]
        if not in_data_only and not in_w_only:
            return pos.astype(np.int64)
        how = "ids were compared as text, then as Chinese regions by their GB/T 2260 codes"
    parts = []
    if in_data_only:
        parts.append(f"{len(in_data_only)} in the data but not in the weights: {_fmt(in_data_only)}")
    if in_w_only:
        parts.append(f"{len(in_w_only)} in the weights but not in the data: {_fmt(in_w_only)}")
    raise WeightsMismatchError(
        "spatial weights do not match the regions of the data; region ids "
        + "; ".join(parts)
        + f". Use weights built for exactly these regions ({how})."
    )


def _readings(values) -> list:
    """The ways ``values`` read as Chinese regions, as lists of GB/T 2260 codes: as provinces
    (:func:`nqpf.regions.normalize`), and as prefecture-level cities or counties
    (:func:`nqpf.regions.normalize_admin_many`, one level as in a panel). A reading where some value is
    not a region, or two values are the same region, is left out."""
    from nqpf import regions
    from nqpf.errors import NqpfError

    texts = [str(v) for v in values]
    out = []
    for attempt in (lambda: [regions.normalize(t) for t in texts],
                    lambda: regions.normalize_admin_many(texts)):
        try:
            codes = [str(c) for c in attempt()]
        except (NqpfError, LookupError, ValueError, OSError):
            continue
        if "None" not in codes and len(set(codes)) == len(codes) and codes not in out:
            out.append(codes)
    return out


def _match_as_regions(data_ids, w_ids):
    """(codes of the data ids, codes of the weights ids) when both sides read as Chinese regions (the
    first pair of readings with the same regions, else the first readings, to list the differences),
    else None."""
    d = _readings(data_ids)
    w = _readings(w_ids) if d else []
    if not w:
        return None
    for dc in d:
        for wc in w:
            if set(dc) == set(wc):
                return dc, wc
    return d[0], w[0]


def permute(S, pos) -> sparse.csr_matrix:
    """``S[pos][:, pos]`` for a permutation ``pos``, each row's entries kept in their stored order.

    Parameters
    ----------
    S : scipy.sparse.csr_matrix, shape (n, n)
    pos : ndarray of int or None
        New row/column ``k`` is old row/column ``pos[k]``; None returns ``S``.
    """
    if pos is None:
        return S
    n = S.shape[0]
    inv = np.empty(n, dtype=np.int64)
    inv[pos] = np.arange(n)
    card = np.diff(S.indptr)
    cnt = card[pos]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(cnt, out=indptr[1:])
    src = np.repeat(S.indptr[:-1][pos].astype(np.int64) - indptr[:-1], cnt) + np.arange(indptr[-1])
    return sparse.csr_matrix((S.data[src], inv[S.indices[src]], indptr), shape=(n, n))


# -------------------------------------------------------------------------------------- transformation
def _row_sums(indptr, data) -> np.ndarray:
    """Sum of each row's entries added left to right (Python's ``sum`` of the row, bit for bit),
    vectorised over rows: one pass per position in the row (as many passes as the longest row), over
    the rows sorted by decreasing length so that the rows still running are a prefix."""
    card = np.diff(indptr)
    order = np.argsort(-card, kind="stable")
    counts = card[order]
    start = indptr[:-1][order]
    acc = np.zeros(len(card))
    j, m = 0, int(np.count_nonzero(counts))
    while m:
        acc[:m] += data[start[:m] + j]
        j += 1
        m = int(np.searchsorted(-counts, -j, side="left"))  # rows with more than j entries
    out = np.empty(len(card))
    out[order] = acc
    return out


def _in_order_total(values) -> float:
    """``values`` added left to right (a Python loop's accumulation, bit for bit)."""
    return float(np.cumsum(values)[-1]) if len(values) else 0.0


def transform_matrix(S, transform: str, *, zeros_are_links: bool = True) -> sparse.csr_matrix:
    """libpysal's transformation ``transform`` of the weights ``S`` (module notes).

    Parameters
    ----------
    S : scipy.sparse.csr_matrix
        Weights, entries in the order libpysal would visit them (not modified).
    transform : {"r", "b", "d", "v", "o"}
        Row-standardised, binary, doubly standardised, variance stabilising, as given.
    zeros_are_links : bool
        Whether stored zeros are links (``W``); else they are dropped first.

    Returns
    -------
    scipy.sparse.csr_matrix
        A new matrix (``"o"``: ``S`` itself), same structure.
    """
    t = transform.lower()
    if t == "o":
        return S
    data = S.data
    if t == "b":
        new = np.ones_like(data) if zeros_are_links else (data != 0).astype(float)
    elif t == "r":
        rs = _row_sums(S.indptr, data)
        rs[rs == 0] = np.inf  # rows summing to 0 get weight 0 (dropped by the caller)
        new = data / np.repeat(rs, np.diff(S.indptr))
    elif t == "d":
        s0 = S.sum()
        new = data * (1.0 / s0) if s0 != 0 else np.zeros_like(data)
    elif t == "v":
        q = np.sqrt(_row_sums(S.indptr, data * data))
        qq = np.repeat(q, np.diff(S.indptr))
        s = np.where(qq != 0, data / np.where(qq != 0, qq, 1.0), 0.0)
        big_q = _in_order_total(_row_sums(S.indptr, s))
        new = s * (S.shape[0] / big_q) if big_q != 0 else np.zeros_like(s)
    else:
        raise ValueError(f"unknown transformation {transform!r}")  # callers validated it
    return sparse.csr_matrix((new, S.indices.copy(), S.indptr.copy()), shape=S.shape)


def aligned_matrix(w, ids, transform: str = "o", what: str = "spatial weights") -> sparse.csr_matrix:
    """The weights aligned to the data's ``ids`` and transformed, as a canonical CSR matrix.

    Parameters
    ----------
    w : W, WSP, Graph or scipy sparse matrix
        Spatial weights (:func:`weights_matrix`); not modified.
    ids : sequence
        Region ids of the data, in order.
    transform : {"r", "b", "d", "v", "o"}
        Transformation applied after alignment (:func:`transform_matrix`).
    what : str
        Prefix of error messages.

    Returns
    -------
    scipy.sparse.csr_matrix, shape (n, n)
        float64, sorted indices, no duplicates, no stored zeros.

    Raises
    ------
    InputError
        Unsupported weights, a sparse matrix whose size is not the number of regions.
    WeightsMismatchError
        Ids that do not match (:func:`region_positions`).
    """
    S, w_ids, links = weights_matrix(w, what)
    if w_ids is None:
        n = len(ids)
        if S.shape[0] != n:
            raise InputError(f"{what}: a {S.shape[0]} × {S.shape[1]} weights matrix does not fit the "
                             f"{n} regions of the data; give an n × n matrix in the data's order of regions")
        pos = None
    else:
        pos = region_positions(w_ids, ids)
    A = transform_matrix(permute(S, pos), transform, zeros_are_links=links)
    if A is S:
        A = S.copy()
    A.sum_duplicates()
    A.eliminate_zeros()
    return A


def to_w(S, ids):
    """A libpysal ``W`` with ids ``ids`` (rows and columns of ``S``, in order), neighbours and weights
    in the stored order of each row, untransformed (``"O"``)."""
    from libpysal.weights import W

    ids = list(ids)
    arr = np.empty(len(ids), dtype=object)
    arr[:] = ids
    nb = arr[S.indices].tolist()
    wt = S.data.tolist()
    ptr = S.indptr.tolist()
    neighbors = {i: nb[ptr[k]:ptr[k + 1]] for k, i in enumerate(ids)}
    weights = {i: wt[ptr[k]:ptr[k + 1]] for k, i in enumerate(ids)}
    return W(neighbors, weights, id_order=ids, silence_warnings=True)
