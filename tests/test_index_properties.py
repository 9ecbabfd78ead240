"""Property tests of nqpf.index (hypothesis): invariances every composite index must have."""
from __future__ import annotations

import os
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from nqpf.errors import InputError
from nqpf.index import (
    ConstantIndicatorWarning,
    aggregate,
    build_index,
    compute_weights,
    normalize,
    topsis,
)

# modest by default so the file runs in seconds; raise NQPF_HYPOTHESIS_EXAMPLES for a deeper search
MAX_EXAMPLES = int(os.environ.get("NQPF_HYPOTHESIS_EXAMPLES", "25"))
SETTINGS = settings(max_examples=MAX_EXAMPLES, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
METHODS = [("entropy", {}), ("entropy", {"pooled": False}), ("critic", {}), ("cv", {}),
           ("equal", {}), ("combined", {}), ("combined", {"rule": "multiplicative", "alpha": 0.2})]


@st.composite
def panels(draw, min_k=2, max_k=5):
    """Panels of 2–6 regions × 1–4 years × k indicators on a 0.1 grid, every column varying."""
    n_r = draw(st.integers(2, 6))
    n_y = draw(st.integers(1, 4))
    k = draw(st.integers(min_k, max_k))
    cells = draw(st.lists(st.integers(-1000, 1000), min_size=n_r * n_y * k, max_size=n_r * n_y * k))
    A = np.array(cells, dtype=float).reshape(n_r * n_y, k) / 10
    assume((np.ptp(A, axis=0) > 0).all())
    idx = pd.MultiIndex.from_product([[f"r{i}" for i in range(n_r)], list(range(2001, 2001 + n_y))],
                                     names=["region", "year"])
    X = pd.DataFrame(A, index=idx, columns=[f"x{j}" for j in range(k)])
    dirs = dict(zip(X.columns, draw(st.lists(st.sampled_from([1, -1]), min_size=k, max_size=k))))
    return X, dirs


def _weights_or_legit_error(Xn, method, kw):
    """Weights, or None when the method is legitimately undefined (no information at all)."""
    try:
        return compute_weights(Xn, method, **kw)
    except InputError as exc:
        assert "zero information" in str(exc) or "positive mean" in str(exc), exc
        return None


@SETTINGS
@given(panels())
def test_weights_nonnegative_sum_to_one(data):
    X, dirs = data
    Xn = normalize(X, dirs)
    for method, kw in METHODS:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConstantIndicatorWarning)
            W = _weights_or_legit_error(Xn, method, kw)
        if W is None:
            continue
        w = W["weight"].to_numpy()
        assert (w >= 0).all(), (method, w)
        assert abs(w.sum() - 1) < 1e-12, (method, w.sum())
        assert W["indicator"].tolist() == list(X.columns)


@SETTINGS
@given(panels(), st.floats(0.01, 100), st.floats(-1000, 1000), st.data())
def test_positive_affine_change_of_units_changes_nothing(data, a, b, draw):
    X, dirs = data
    j = draw.draw(st.sampled_from(list(X.columns)))
    Y = X.copy()
    Y[j] = a * X[j] + b
    r1 = build_index(X, dirs, topsis=True)
    r2 = build_index(Y, dirs, topsis=True)
    np.testing.assert_allclose(r1.normalized.to_numpy(), r2.normalized.to_numpy(), atol=1e-9)
    np.testing.assert_allclose(r1.weights["weight"], r2.weights["weight"], atol=1e-9)
    np.testing.assert_allclose(r1.scores["score"], r2.scores["score"], atol=1e-9)
    np.testing.assert_allclose(r1.scores["topsis"], r2.scores["topsis"], atol=1e-8)


@SETTINGS
@given(panels(), st.booleans(), st.data())
def test_flipping_direction_equals_negating_values(data, pooled, draw):
    X, dirs = data
    j = draw.draw(st.sampled_from(list(X.columns)))
    Y = X.copy()
    Y[j] = -X[j]
    flipped = {**dirs, j: -dirs[j]}
    n1 = normalize(X, dirs, pooled=pooled)
    n2 = normalize(Y, flipped, pooled=pooled)
    np.testing.assert_allclose(n1.to_numpy(), n2.to_numpy(), atol=1e-12)


@SETTINGS
@given(panels(), st.floats(-100, 100), st.sampled_from(["entropy", "critic", "cv"]))
def test_constant_indicator_zero_weight_and_warning(data, c, method):
    X, dirs = data
    Xc = X.assign(const=c)
    with pytest.warns(ConstantIndicatorWarning, match="const"):
        Xn = normalize(Xc, {**dirs, "const": 1})
    assert (Xn["const"] == 0).all()
    with pytest.warns(ConstantIndicatorWarning, match="const"):
        W = _weights_or_legit_error(Xn, method, {})
    if W is None:
        return
    W = W.set_index("indicator")["weight"]
    assert W["const"] == 0
    # the other indicators keep the weights they have without the constant one
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConstantIndicatorWarning)
        W0 = compute_weights(normalize(X, dirs), method).set_index("indicator")["weight"]
    np.testing.assert_allclose(W.drop("const").to_numpy(), W0.to_numpy(), atol=1e-12)


@SETTINGS
@given(panels(min_k=3, max_k=6), st.booleans(), st.data())
def test_rows_preserved_and_sub_indices_add_up(data, pooled, draw):
    X, dirs = data
    k = X.shape[1]
    crit = draw.draw(st.lists(st.sampled_from(["A", "B"]), min_size=k, max_size=k))
    dim = draw.draw(st.lists(st.sampled_from(["p", "q", "r"]), min_size=k, max_size=k))
    paths = {c: (crit[i], dim[i]) for i, c in enumerate(X.columns)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConstantIndicatorWarning)
        res = build_index(X, dirs, pooled=pooled, paths=paths, weighting="equal")
    assert res.scores.index.equals(X.index) and res.normalized.index.equals(X.index)
    S = res.scores
    for level in ("criterion", "dimension"):
        cols = [c for c in S.columns if c.startswith(level + ":")]
        assert cols
        np.testing.assert_allclose(S[cols].sum(axis=1), S["score"], atol=1e-12)
    # rank is a per-year ranking 1..n with 'min' ties
    for _, g in S.groupby(level="year"):
        assert g["rank"].min() == 1 and g["rank"].max() <= len(g)
        best = g["score"].max()
        assert (g.loc[g["rank"] == 1, "score"] == best).all()


@SETTINGS
@given(panels(), st.floats(0.01, 100))
def test_topsis_closeness_bounds_and_weight_scale(data, c):
    X, dirs = data
    Xn = normalize(X, dirs)
    W = compute_weights(Xn, "entropy")
    T = topsis(Xn, W)
    assert T.index.equals(X.index)
    assert ((T["C"] >= 0) & (T["C"] <= 1)).all()
    # C = D-/(D+ + D-) is unchanged when every weight is multiplied by the same c > 0
    T2 = topsis(Xn, dict(zip(W["indicator"], c * W["weight"])))
    np.testing.assert_allclose(T["C"], T2["C"], atol=1e-12)
    # a row that dominates every other region-year on every indicator has C = 1
    S = aggregate(Xn, W)
    top = np.nonzero((Xn.to_numpy() == 1).all(axis=1))[0]
    for i in top:
        assert T["C"].iloc[i] == pytest.approx(1.0) and S["score"].iloc[i] == pytest.approx(1.0)
