"""Spatial analysis of scores: weights, then inference, then one statistic per module, all years at once.

* :mod:`nqpf.spatial.weights`: :func:`resolve_weights` (every spelling: ``"china-provinces"``,
  ``"queen"``, ``"rook"``, ``"knn:K"``, a ``.gal``/``.gwt`` path, a ``W``), reading, aligning and
  building weights from boundaries.
* :mod:`nqpf.spatial._inference`: seeded shared draws, permutation counts with a tie tolerance,
  pseudo and analytic p-values for every alternative, and the one check of ``alternative``,
  ``permutations`` and ``seed``.
* :mod:`nqpf.spatial.moran` (global and local Moran's I, quadrants and their transitions) and
  :mod:`nqpf.spatial.geary` (Geary's C), :mod:`nqpf.spatial.getis_ord` (local Getis–Ord G_i*: hot
  and cold spots).

See :mod:`nqpf.spatial.moran` for the conventions (one-sided ``"greater"`` global p-values by
default, islands, shared permutation draws) and how they differ from esda.
"""
from __future__ import annotations

from . import weights
from ._inference import ALTERNATIVES, check_alternative
from .geary import geary_global
from .getis_ord import getis_ord_local
from .moran import (
    QUADRANTS,
    moran_global,
    moran_local,
    quadrant,
    quadrant_transition_matrix,
    quadrant_transitions,
)
from .weights import (
    CHINA_PROVINCES,
    ResolvedWeights,
    admin_boundaries,
    align_weights,
    parse_weights_spec,
    read_weights,
    weights_from_boundaries,
)

#: The one resolver of spatial weights (:func:`nqpf.spatial.weights.resolve`).
resolve_weights = weights.resolve

__all__ = [
    "resolve_weights",
    "ResolvedWeights",
    "parse_weights_spec",
    "CHINA_PROVINCES",
    "read_weights",
    "align_weights",
    "weights_from_boundaries",
    "admin_boundaries",
    "moran_global",
    "geary_global",
    "moran_local",
    "getis_ord_local",
    "quadrant",
    "quadrant_transitions",
    "quadrant_transition_matrix",
    "QUADRANTS",
    "check_alternative",
    "ALTERNATIVES",
]
