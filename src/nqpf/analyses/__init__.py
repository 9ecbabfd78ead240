"""Analyses as families of self-describing items.

Each module here turns one family's computations (kernels in :mod:`nqpf.disparity`,
:mod:`nqpf.spatial`, :mod:`nqpf.diagnose`, :mod:`nqpf.index` ...) into :class:`~nqpf.results.Table`
and :class:`~nqpf.results.Figure` items, and its parameters. A family is a function
``items(ctx) -> (list of items, params)`` registered in :data:`FAMILIES`; the pipeline runs the
families a study asks for, in order. Adding a family = one kernel module + one module here + catalogue
entries.
"""
from __future__ import annotations

from ._common import Context, describe, user_frame
from . import disparity, evolution, scores, spatial

__all__ = ["Context", "describe", "user_frame", "FAMILIES"]

#: The analyses of a score panel, in the order they run (diagnosis needs the spatial results).
FAMILIES = {
    "scores": scores.items,
    "disparity": disparity.items,
    "spatial": spatial.items,
    "evolution": evolution.items,
}
