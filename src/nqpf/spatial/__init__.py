"""Spatial analysis of scores: weights, Moran's I (global and local) and Geary's C for all years at once.

See :mod:`nqpf.spatial.autocorrelation` for the conventions (one-sided ``"greater"`` global
p-values by default, islands, shared permutation draws) and how they differ from esda.
"""
from __future__ import annotations

from .autocorrelation import (
    QUADRANTS,
    geary_global,
    moran_global,
    moran_local,
    quadrant_transition_matrix,
    quadrant_transitions,
)
from .geoweights import admin_boundaries, weights_from_boundaries
from .weights import align_weights, read_weights

__all__ = [
    "read_weights",
    "align_weights",
    "weights_from_boundaries",
    "admin_boundaries",
    "moran_global",
    "geary_global",
    "moran_local",
    "quadrant_transitions",
    "quadrant_transition_matrix",
    "QUADRANTS",
]
