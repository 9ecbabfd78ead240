"""Grouped one-way sums of squares behind every detector (internal).

Units are rows; each row has a *group* (a year, or one group when pooled) and a *stratum* label inside
its group. Everything is computed for all groups at once with :func:`numpy.bincount` on the cell index
``group · K + label``: linear in the number of rows.

Conventions (Wang et al. 2010; Wang, Zhang & Fu 2016; the method authors' R package ``geodetector``
1.0-5, ``factor_detector``): every stratum is kept, a stratum of one unit adds no within sum of squares;
``σ²`` of the non-centrality is the sample variance of ``y`` (divisor ``N − 1``).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

__all__ = ["Cells", "cells", "q_stats", "constant_groups", "EQUAL_RTOL"]

#: ``y`` of a group is constant when its range is at most this share of its largest absolute value.
EQUAL_RTOL = 1e-12


@dataclass(frozen=True)
class Cells:
    """Sums of one stratification: arrays over cells ``g · K + h`` (``n``, ``mean``, ``ssw``, ``var``)
    and over groups (``N``, ``sst``, ``ybar``)."""

    G: int
    K: int
    n: np.ndarray
    mean: np.ndarray
    ssw: np.ndarray
    N: np.ndarray
    sst: np.ndarray

    @property
    def var(self) -> np.ndarray:
        """Sample variance of every cell (NaN for fewer than 2 units)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.n > 1, self.ssw / np.maximum(self.n - 1, 1), np.nan)

    def by_group(self, a: np.ndarray) -> np.ndarray:
        return a.reshape(self.G, self.K)


def cells(y: np.ndarray, group: np.ndarray, label: np.ndarray, G: int, K: int) -> Cells:
    """Counts, means and within sums of squares (two-pass: Σ (y − ȳ_h)²) of every (group, stratum)
    cell, and the total sum of squares of every group."""
    cell = group * K + label
    m = G * K
    n = np.bincount(cell, minlength=m).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.bincount(cell, weights=y, minlength=m) / n
    ssw = np.bincount(cell, weights=(y - mean[cell]) ** 2, minlength=m)
    N = np.bincount(group, minlength=G).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        ybar = np.bincount(group, weights=y, minlength=G) / N
    sst = np.bincount(group, weights=(y - ybar[group]) ** 2, minlength=G)
    return Cells(G, K, n, mean, ssw, N, sst)


def constant_groups(y: np.ndarray, group: np.ndarray, G: int) -> np.ndarray:
    """Groups whose ``y`` is constant (range ≤ :data:`EQUAL_RTOL` · max |y|) or that have no unit."""
    lo = np.full(G, np.inf)
    hi = np.full(G, -np.inf)
    np.minimum.at(lo, group, y)
    np.maximum.at(hi, group, y)
    scale = np.maximum(np.abs(lo), np.abs(hi))
    with np.errstate(invalid="ignore"):
        return ~(hi - lo > EQUAL_RTOL * scale)


def q_stats(c: Cells, *, constant: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """q, the number of non-empty strata L, F, the non-centrality λ and p of every group.

    ``q = 1 − SSW/SST``; ``F = (N − L)/(L − 1) · q/(1 − q)``; ``λ = (Σ_h ȳ_h² − (Σ_h √N_h ȳ_h)²/N)/σ²``
    with ``σ²`` the sample variance of ``y`` (Wang, Zhang & Fu 2016, eq. 8; R ``geodetector``);
    ``p = P(F(L − 1, N − L; λ) > F)`` (:func:`scipy.stats.ncf`). ``q`` is NaN where ``y`` is constant
    (``constant``); ``F``, λ and ``p`` are NaN where ``L < 2`` or ``N ≤ L``.
    """
    n = c.by_group(c.n)
    mean = np.where(n > 0, c.by_group(c.mean), 0.0)
    ssw = c.by_group(c.ssw).sum(axis=1)
    L = (n > 0).sum(axis=1)
    N = c.N
    const = (c.sst <= 0) if constant is None else (constant | (c.sst <= 0))
    with np.errstate(invalid="ignore", divide="ignore"):
        q = np.where(const, np.nan, 1.0 - ssw / np.where(const, 1.0, c.sst))
        q = np.clip(q, 0.0, 1.0)  # rounding only: a refinement never explains less than nothing
        ok = ~const & (L >= 2) & (N > L)
        var = c.sst / (N - 1)
        lam = ((mean ** 2).sum(axis=1) - (np.sqrt(n) * mean).sum(axis=1) ** 2 / N) / var
        lam = np.where(ok, np.maximum(lam, 0.0), np.nan)
        F = np.where(ok, (N - L) / np.maximum(L - 1, 1) * q / (1.0 - q), np.nan)
        p = np.full(c.G, np.nan)
        if ok.any():
            p[ok] = stats.ncf.sf(F[ok], (L - 1)[ok], (N - L)[ok], lam[ok])
    return {"q": q, "L": L, "N": N, "F": F, "ncp": lam, "p": p}
