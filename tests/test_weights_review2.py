"""Second review of the weights' messages: islands named by their Chinese names with their codes
(not bare codes), the island option worded for both the command line and Python, and a point kind
suggested when the text after @ is neither a kind nor an existing file.

References: the province names of nqpf.regions (内蒙古 150000, 海南 460000), the islands recomputed
from the pairwise great-circle distances of the provinces' representative points (numpy, haversine).
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest

pytest.importorskip("shapely")

from nqpf import regions  # noqa: E402
from nqpf.errors import InputError  # noqa: E402
from nqpf.spatial import resolve_weights  # noqa: E402
from nqpf.spatial.weights._labels import region_label, regions_listed  # noqa: E402
from nqpf.spatial.weights.distance import distance_band, region_coordinates  # noqa: E402

PROVINCES = ["110000", "120000", "130000", "140000", "150000", "210000", "220000", "230000", "310000",
             "320000", "330000", "340000", "350000", "360000", "370000", "410000", "420000", "430000",
             "440000", "450000", "460000", "500000", "510000", "520000", "530000", "610000", "620000",
             "630000", "640000", "650000"]


def _haversine_islands(coords, band_km):
    lon, lat = np.radians(coords["lon"].to_numpy(float)), np.radians(coords["lat"].to_numpy(float))
    a = (np.sin((lat[:, None] - lat[None, :]) / 2) ** 2
         + np.cos(lat[:, None]) * np.cos(lat[None, :]) * np.sin((lon[:, None] - lon[None, :]) / 2) ** 2)
    d = 2 * 6371.0088 * np.arcsin(np.sqrt(a))
    np.fill_diagonal(d, np.inf)
    return [coords.index[k] for k in np.flatnonzero(d.min(axis=1) > band_km)]


def test_region_label_names_chinese_units():
    assert region_label("150000") == "内蒙古 (150000)"
    assert region_label("130600") == "保定市 (130600)"
    assert region_label("Inner Mongolia", "150000") == "Inner Mongolia (内蒙古 150000)"
    assert region_label("内蒙古", "150000") == "内蒙古 (150000)"
    assert region_label("R1") == "'R1'" and region_label("R1", "X9") == "R1 (X9)"
    assert regions_listed(["a", "b"]) == "a, b"
    assert regions_listed([str(i) for i in range(25)]).endswith("19 and 5 more")
    assert regions_listed(["a"], 3) == "a and 2 more"


def test_island_warning_names_provinces_and_the_option():
    coords = region_coordinates(PROVINCES, "centroid")
    ref = _haversine_islands(coords, 500.0)
    assert "150000" in ref                                    # Inner Mongolia's centroid is far
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        w = distance_band(coords, 500.0)
    assert sorted(w.islands) == sorted(ref)
    msg = str(rec[-1].message)
    for code in ref:
        assert f"{regions.name(code)} ({code})" in msg
    assert "'150000'" not in msg
    assert "--island nearest" in msg and "island='nearest' in Python" in msg
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        distance_band(coords, 500.0, island="nearest")
    msg = str(rec[-1].message)
    assert "内蒙古 (150000) → " in msg and msg.endswith("(island option nearest)")


def test_boundary_islands_named_too():
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        resolve_weights("queen", ["110000", "120000", "130000", "460000"])
    msg = " ".join(str(r.message) for r in rec)
    assert "海南 (460000)" in msg and "--island nearest" in msg


@pytest.mark.parametrize("spelling, kind", [("knn:4@capitals", "capital"), ("distance:500km@centriod", "centroid"),
                                            ("knn:4@Surfaces", "surface")])
def test_point_kind_suggested_for_a_near_miss(spelling, kind):
    with pytest.raises(InputError, match=rf"is neither a kind of point .* did you mean @{kind}\?"):
        resolve_weights(spelling, PROVINCES)


def test_a_missing_file_is_still_reported_as_a_file(tmp_path):
    with pytest.raises(InputError, match="not found"):
        resolve_weights(f"knn:4@{tmp_path / 'coords.csv'}", PROVINCES)
