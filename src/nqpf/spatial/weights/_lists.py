"""Neighbour lists with ids: the weights nqpf builds itself, held without importing libpysal.

Importing libpysal takes about a second (it loads scikit-learn, numba and its example catalogue), as
long as reading, preparing and measuring a provincial panel together. The built-in contiguity of the
provinces and the weights built from boundaries or points are plain neighbour lists, so nqpf holds
them as :class:`NeighbourLists` and imports libpysal only when a user's ``W``, ``Graph`` or weights
file is involved, or when a ``W`` is asked for (:meth:`NeighbourLists.to_libpysal`,
:attr:`nqpf.spatial.ResolvedWeights.w`).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

__all__ = ["NeighbourLists"]


#: Attributes of the lists themselves (the others are extras, passed on to the W).
_OWN = frozenset({"id_order", "neighbors", "weights", "_w"})


class NeighbourLists:
    """Spatial weights as neighbour lists keyed by region id, untransformed.

    The attributes nqpf's statistics and analyses read from a libpysal ``W`` (``neighbors``,
    ``weights``, ``id_order``, ``n``, ``islands``, ``transform``), with the same meaning; every
    statistic of :mod:`nqpf.spatial` accepts it wherever it accepts a ``W``.

    Parameters
    ----------
    neighbors : mapping
        Region id → list of neighbouring ids.
    weights : mapping, optional
        Region id → list of weights, one per neighbour in the same order (default 1.0 each: binary).
    id_order : sequence, optional
        The regions and their order (default the order of ``neighbors``).

    Examples
    --------
    >>> w = NeighbourLists({"a": ["b"], "b": ["a", "c"], "c": ["b"]})
    >>> w.n, w.islands, w.weights["b"]
    (3, [], [1.0, 1.0])
    """

    transform = "O"

    def __init__(self, neighbors: Mapping, weights: Mapping | None = None, id_order: Sequence | None = None):
        ids = list(neighbors) if id_order is None else list(id_order)
        if len(set(ids)) != len(ids) or set(ids) != set(neighbors):
            raise ValueError("NeighbourLists: id_order must list every region of neighbors once")
        self.id_order = ids
        self.neighbors = {i: list(neighbors[i]) for i in ids}
        if weights is None:
            self.weights = {i: [1.0] * len(v) for i, v in self.neighbors.items()}
        else:
            self.weights = {i: [float(x) for x in weights[i]] for i in ids}
            bad = [i for i in ids if len(self.weights[i]) != len(self.neighbors[i])]
            if bad:
                raise ValueError(f"NeighbourLists: {bad[0]!r} has {len(self.neighbors[bad[0]])} neighbours "
                                 f"and {len(self.weights[bad[0]])} weights")
        self._w = None

    @property
    def n(self) -> int:
        """Number of regions."""
        return len(self.id_order)

    @property
    def islands(self) -> list:
        """Regions without neighbours, in ``id_order``."""
        return [i for i in self.id_order if not self.neighbors[i]]

    @property
    def cardinalities(self) -> dict:
        """Region id → number of neighbours."""
        return {i: len(self.neighbors[i]) for i in self.id_order}

    def to_libpysal(self):
        """The same weights as a ``libpysal.weights.W`` (built once; libpysal is imported here), with
        the extra attributes set on these lists (``adcodes``, ``island_links`` …)."""
        if self._w is None:
            import warnings

            from libpysal.weights import W

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                self._w = W({i: list(v) for i, v in self.neighbors.items()},
                            {i: list(v) for i, v in self.weights.items()}, id_order=list(self.id_order),
                            silence_warnings=True)
            for name, value in vars(self).items():
                if name not in _OWN:
                    setattr(self._w, name, value)
        return self._w

    def __repr__(self) -> str:
        return f"NeighbourLists({self.n} regions, {len(self.islands)} islands)"
