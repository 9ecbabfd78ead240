"""Index construction: normalise → weights → aggregate → ranks, and entropy-TOPSIS.

The panel entropy method of Ran et al. (2025), eqs. 1–7: min-max normalisation with direction pooled
over all region-years, entropy weights, weighted-sum composite with every sub-index of the indicator
tree, and ranks per year. Other weighting methods (CRITIC, CV, equal, given, combined) share one
registry, :func:`compute_weights`.
"""
from .aggregate import aggregate, group_weights, rank_by_year, resolve_tree
from .build import AUDIT_COLUMNS, CONVENTIONS, IndexResult, build_index
from .normalize import NORMALIZE_METHODS, ConstantIndicatorWarning, as_directions, normalize
from .topsis import topsis
from .weights import (
    WEIGHTING_METHODS,
    CombinedWeights,
    CriticWeights,
    CVWeights,
    EntropyWeights,
    EqualWeights,
    GivenWeights,
    Weighting,
    compute_weights,
    entropy_weights_by_year,
)

__all__ = [
    "normalize", "as_directions", "NORMALIZE_METHODS", "ConstantIndicatorWarning",
    "compute_weights", "WEIGHTING_METHODS", "Weighting", "EntropyWeights", "CriticWeights",
    "CVWeights", "EqualWeights", "GivenWeights", "CombinedWeights", "entropy_weights_by_year",
    "aggregate", "group_weights", "resolve_tree", "rank_by_year",
    "topsis", "build_index", "IndexResult", "CONVENTIONS", "AUDIT_COLUMNS",
]
