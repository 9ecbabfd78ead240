"""Spatial analysis of scores: weights, then inference, then one statistic per module, all years at once.

* :mod:`nqpf.spatial.weights`: :func:`resolve_weights` (every spelling: ``"china-provinces"``,
  ``"queen"``, ``"rook"``, ``"knn:K"``, a ``.gal``/``.gwt`` path, a ``W``), reading, aligning and
  building weights from boundaries.
* :mod:`nqpf.spatial._inference`: seeded shared draws, permutation counts with a tie tolerance,
  pseudo and analytic p-values for every alternative, and the one check of ``alternative``,
  ``permutations`` and ``seed``.
* :mod:`nqpf.spatial.moran` (global and local Moran's I, quadrants and their transitions) and
  :mod:`nqpf.spatial.geary` (Geary's C), :mod:`nqpf.spatial.getis_ord` (local Getis–Ord G_i*: hot
  and cold spots), :mod:`nqpf.spatial.bivariate` (bivariate Moran's I, global and local),
  :mod:`nqpf.spatial.ellipse` (standard deviational ellipse and the shift of the weighted centre).
* :mod:`nqpf.spatial.multiple`: multiple-testing corrections of local p-values per year (FDR,
  Bonferroni) and the one rule of "not significant" codes (:func:`is_significant`).
* Distance-based weights (:func:`distance_band`, :func:`inverse_distance`,
  :func:`nearest_neighbours`) on representative points or given coordinates.

See :mod:`nqpf.spatial.moran` for the conventions (one-sided ``"greater"`` global p-values by
default, islands, shared permutation draws) and how they differ from esda.
"""
from __future__ import annotations

from . import weights
from ._inference import ALTERNATIVES, check_alternative
from .bivariate import moran_bv_global, moran_bv_local
from .ellipse import COMPASS, compass_code, standard_ellipse, to_plane_km
from .ellipse import CORRECTIONS as ELLIPSE_CORRECTIONS
from .geary import geary_global
from .getis_ord import SPOTS, classify_spots, getis_ord_local
from .multiple import CORRECTIONS, NOT_SIGNIFICANT, adjust_p, check_correction, is_significant
from .moran import (
    QUADRANTS,
    moran_global,
    moran_local,
    quadrant,
    quadrant_transition_matrix,
    quadrant_transitions,
)
from .weights import (
    ALBERS_CHINA_KM,
    CHINA_PROVINCES,
    POINT_KINDS,
    NeighbourLists,
    ResolvedWeights,
    admin_boundaries,
    align_weights,
    distance_band,
    inverse_distance,
    nearest_neighbours,
    parse_weights_spec,
    read_coordinates,
    read_weights,
    region_coordinates,
    representative_points,
    weights_from_boundaries,
)

#: The one resolver of spatial weights (:func:`nqpf.spatial.weights.resolve`).
resolve_weights = weights.resolve

__all__ = [
    "resolve_weights",
    "ResolvedWeights",
    "NeighbourLists",
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
    "classify_spots",
    "SPOTS",
    "moran_bv_global",
    "moran_bv_local",
    "standard_ellipse",
    "compass_code",
    "to_plane_km",
    "COMPASS",
    "ELLIPSE_CORRECTIONS",
    "adjust_p",
    "check_correction",
    "is_significant",
    "CORRECTIONS",
    "NOT_SIGNIFICANT",
    "distance_band",
    "inverse_distance",
    "nearest_neighbours",
    "representative_points",
    "region_coordinates",
    "read_coordinates",
    "POINT_KINDS",
    "ALBERS_CHINA_KM",
    "quadrant",
    "quadrant_transitions",
    "quadrant_transition_matrix",
    "QUADRANTS",
    "check_alternative",
    "ALTERNATIVES",
]
