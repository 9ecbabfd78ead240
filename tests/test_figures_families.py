"""Default families on inputs they cannot use: they skip with one warning naming ``--skip <family>``,
or compute what is defined and state the rest (NaN with a warning).

References: hand-computed G_i* of a constant year (1 / n with row-standardised weights); the
other years equal to the same statistic computed without the constant year (same code path, exact).
"""
from __future__ import annotations

import warnings
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from libpysal.weights import lat2W

from nqpf.analyses import FAMILIES
from nqpf.analyses._common import Context, skip_family
from nqpf.results import RegionIndex
from nqpf.spatial import getis_ord_local


def _ctx(n=6, years=(2019, 2020, 2021), results=None, extras=None):
    ids = [f"r{i}" for i in range(n)]
    Y = pd.DataFrame(np.random.default_rng(0).uniform(0.1, 0.9, (n, len(years))), index=ids, columns=list(years))
    return Context(Y=Y, regions=RegionIndex(ids=tuple(ids), labels={i: i for i in ids}, codes={}, level="other"),
                   results=dict(results or {}), extras=dict(extras or {}))


def test_skip_family_names_the_skip_option():
    with pytest.warns(UserWarning) as rec:
        skip_family("coupling", "no sub-indices", stacklevel=2)
    (msg,) = [str(r.message) for r in rec]
    assert "\n" not in msg and "--skip coupling" in msg and '[analyses] skip = ["coupling"]' in msg


def test_coupling_on_a_flat_spec_skips_with_one_warning():
    """A flat spec: group_weights has indicator rows only."""
    ids = ["r0", "r1", "r2", "r3"]
    scores = pd.DataFrame({"region": np.repeat(ids, 2), "year": [2020, 2021] * 4, "score": 0.5})
    gw = pd.DataFrame({"member": ["a", "b"], "member_level": ["indicator", "indicator"], "weight": [0.5, 0.5]})
    ctx = _ctx(4, (2020, 2021), results={"scores": SimpleNamespace(data=scores),
                                         "group_weights": SimpleNamespace(data=gw)})
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        items, params = FAMILIES["coupling"].items(ctx)
    msgs = [str(r.message) for r in rec]
    assert items == [] and params == {"coupling_source": "no_groups"}
    assert len(msgs) == 1 and "flat spec" in msgs[0] and "--skip coupling" in msgs[0]


def test_getis_ord_constant_year_is_nan_and_stated():
    w = lat2W(3, 3)
    rng = np.random.default_rng(4)
    Y = pd.DataFrame(rng.uniform(0.1, 0.9, (9, 3)), columns=[2019, 2020, 2021])
    Y[2020] = 0.4
    with pytest.warns(UserWarning, match=r"identical across regions in year\(s\) \[2020\]"):
        got = getis_ord_local(Y, w, permutations=99, seed=3)
    one = got[got["year"] == 2020]
    assert one["z"].isna().all() and one["p_norm"].isna().all() and one["p_sim"].isna().all()
    assert (one["spot"] == "ns").all()
    # G_i* with a constant value x: Σ_j w_ij x / (n x) with rows of the (row-standardised, self-included)
    # weights summing to 1, so 1 / n for every region
    np.testing.assert_allclose(one["G"].to_numpy(), np.ones(9) / 9, rtol=0, atol=1e-12)
    # the other years: as computed without the constant year
    ref = getis_ord_local(Y[[2019, 2021]], w, permutations=99, seed=3)
    rest = got[got["year"] != 2020].reset_index(drop=True)
    for c in ("G", "z", "p_norm"):
        np.testing.assert_allclose(rest[c].to_numpy(), ref[c].to_numpy(), rtol=0, atol=1e-12)
    assert rest["spot"].tolist() == ref["spot"].tolist()
