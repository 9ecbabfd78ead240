r"""Local Getis–Ord :math:`G_i^*` (hot and cold spots) of every region and year at once.

With values :math:`x_j \ge 0` and weights :math:`w_{ij}` (after the transformation below):

.. math::

    G_i^* = \frac{\sum_j w_{ij} x_j}{\sum_j x_j}, \qquad
    z_i = \frac{\sum_j w_{ij} x_j - \bar x\, W_i}
               {s \sqrt{\left(N S_{1i} - W_i^2\right) / (N - 1)}}

with :math:`W_i = \sum_j w_{ij}`, :math:`S_{1i} = \sum_j w_{ij}^2`, :math:`N = n` and
:math:`\bar x`, :math:`s` the mean and *population* standard deviation of the year's values
(Getis & Ord 1992; Ord & Getis 1995, eq. 8, the general-weights form; ArcGIS's hot spot analysis).
For :math:`G_i` (``star=False``) the sums run over :math:`j \ne i`, :math:`N = n - 1` and
:math:`\bar x`, :math:`s` are those of the values other than :math:`x_i`.

All years are computed together: the lags of every year are one sparse product ``W @ X``, the
moments are arrays over regions × years; there is no per-region Python loop.

Conventions (and how they relate to esda 2.9's ``G_Local``)
------------------------------------------------------------
* Weights. The weights are taken as given (binary contiguity in practice) and aligned to the data
  (the caller's ``W`` is never modified). Any diagonal of ``w`` is dropped. With ``star=True`` every
  region gets the self-weight :math:`w_{ii}` = the largest of its other weights (1 for binary
  weights: esda's ``G_Local(star=True)`` fills the diagonal the same way); then ``transform="r"``
  divides every row by its sum (self-weight :math:`1/(k_i+1)`, as esda and GeoDa) and
  ``transform="b"`` keeps 0/1 weights (ArcGIS's hot spot analysis). ``G`` equals esda's ``Gs``
  for both transformations.
* z. The formula above is invariant to rescaling a row of :math:`W`, so for equal weights in a row
  (contiguity, KNN) ``"r"`` and ``"b"`` give the *same* ``z``, ``p_norm``, ``p_sim`` and ``spot``;
  the transformation only sets the scale of ``G``. With ``"b"``, ``z`` equals esda's ``Zs``.
  With ``"r"`` esda's ``Zs`` differs: esda applies the binary-weights variance
  :math:`W_i (N - W_i)/(N-1)` with :math:`W_i = 1`, which is not the variance of
  :math:`G_i^*` under randomisation for row-standardised weights (it shrinks :math:`|z|` by
  :math:`\sqrt{(N/(k_i+1) - 1)/(N-1)}`; for the 29 provinces, about 0.37 for a province with 5
  neighbours). The tests check ``z`` against an exact enumeration of all permutations.
* ``p_norm`` is the two-sided normal p-value :math:`2 P(Z \ge |z|)` (esda's ``p_norm`` is the
  one-sided :math:`P(Z \ge |z|)`, half of it). ``p_sim`` is the conditional-permutation pseudo
  p-value (the region's own value fixed, its ``k_i`` neighbours drawn from the other ``n − 1``
  regions, as esda) through :func:`nqpf.spatial._inference.conditional_lag_counts`, with
  ``alternative`` (default two-sided; ``"directed"`` reproduces esda's folded ``p_sim``). One
  table of seeded draws serves every region and every year; the draws are not esda's, so ``p_sim``
  agrees with esda's within sampling error.
* ``spot`` — the classification rule, ArcGIS's "Gi_Bin" and GeoDa's confidence levels: with
  :math:`p` the two-sided normal p-value of ``z`` after ``correction`` (per year),

  ============  ===============================  ============
  ``spot``      rule                              confidence
  ============  ===============================  ============
  ``hot99``     ``z > 0`` and ``p ≤ 0.01``         99 %
  ``hot95``     ``z > 0`` and ``0.01 < p ≤ 0.05``   95 %
  ``hot90``     ``z > 0`` and ``0.05 < p ≤ 0.10``   90 %
  ``cold99``    ``z < 0`` and ``p ≤ 0.01``         99 %
  ``cold95``    ``z < 0`` and ``0.01 < p ≤ 0.05``   95 %
  ``cold90``    ``z < 0`` and ``0.05 < p ≤ 0.10``   90 %
  ``ns``        otherwise (``p > 0.10``, islands)
  ============  ===============================  ============

  Levels above ``alpha`` are not reported (``alpha=0.05``: no ``*90`` class). The rule is on
  ``p`` (a level is reached *inclusively*, ``p ≤ level``), not on rounded critical values. Without
  correction this is ``|z| ≥ 1.6448536…, 1.9599640…, 2.5758293…`` (the exact normal
  quantiles); the rounded values 1.645, 1.960 and 2.576 all lie just above them, so a ``z`` of
  exactly 1.645 is ``hot90``, 1.960 ``hot95``, 2.576 ``hot99`` (and −1.645 ``cold90`` …),
  while 1.644 is ``ns`` and 1.959 ``hot90``.
* ``correction`` (per year, over the regions tested that year): ``None``; ``"bonferroni"``
  (:math:`\min(1, m p)`); ``"fdr"`` (Benjamini–Hochberg: :math:`q_{(i)} = \min_{j \ge i}
  \min(1, m p_{(j)} / j)` over the ``m`` sorted p-values). ``spot`` then compares the adjusted
  p-value with 0.10/0.05/0.01; ``p_norm`` in the table stays unadjusted
  (:func:`nqpf.spatial.multiple.adjust_p`, shared with the other local statistics, reproduces the
  adjusted values).
* Islands (no neighbours) are never hot or cold spots: ``G``, ``z``, ``p_norm`` and ``p_sim`` are
  NaN and ``spot`` is ``"ns"``; they are not counted in ``m`` of the correction.
* A year in which every region has the same value (:func:`nqpf.spatial._common.constant_years`, with
  a warning) has ``G`` (each region's share of the weights) but no variation: ``z``, ``p_norm`` and
  ``p_sim`` are NaN (0/0) and ``spot`` is ``"ns"``; the other years are computed as usual, with the
  same permutation draws.
"""
from __future__ import annotations

import numbers

import numpy as np
import pandas as pd
from scipy import sparse

from nqpf.errors import InputError

from . import _inference as inf
from ._common import constant_years, score_matrix, sparse_weights
from .multiple import CORRECTIONS, adjust_p, check_correction

__all__ = ["getis_ord_local", "classify_spots", "adjust_p", "SPOTS", "CORRECTIONS"]

#: Hot/cold spot classes, hottest first, then ``"ns"`` (not significant).
SPOTS = ("hot99", "hot95", "hot90", "cold99", "cold95", "cold90", "ns")

#: Confidence levels of the classes: (significance level, class suffix), least strict first.
_LEVELS = ((0.10, "90"), (0.05, "95"), (0.01, "99"))


def classify_spots(z, p, alpha: float = 0.10) -> np.ndarray:
    """Hot/cold spot class of each ``z`` with (adjusted, two-sided) p-value ``p``.

    See the rule in the module notes: ``hot99`` for ``z > 0`` and ``p ≤ 0.01``, ``hot95`` for
    ``p ≤ 0.05``, ``hot90`` for ``p ≤ 0.10`` (``cold*`` for ``z < 0``), ``ns`` otherwise or where
    ``z``/``p`` are NaN; levels above ``alpha`` are not reported.

    Returns
    -------
    ndarray of str (object dtype), the broadcast shape of ``z`` and ``p``.
    """
    z, p = np.broadcast_arrays(np.asarray(z, dtype=float), np.asarray(p, dtype=float))
    out = np.full(z.shape, "ns", dtype=object)
    hot, cold = z > 0, z < 0
    for level, tag in _LEVELS:  # least strict first: stricter levels overwrite
        if level <= alpha:
            sig = p <= level
            out[sig & hot] = "hot" + tag
            out[sig & cold] = "cold" + tag
    return out


def _gi_weights(w, ids, transform: str, star: bool, what: str):
    """CSR weights of G_i (no diagonal) or G_i* (self-weight = the row's largest weight), transformed,
    and each region's number of neighbours."""
    B, card = sparse_weights(w, ids, "b" if transform == "b" else "o", what)
    O = sparse.csr_matrix(B - sparse.diags(B.diagonal()))
    O.eliminate_zeros()
    if star:
        self_w = O.max(axis=1).toarray().ravel()  # 1 for binary weights, 0 for islands
        O = sparse.csr_matrix(O + sparse.diags(self_w))
    if transform == "r":
        rs = np.asarray(O.sum(axis=1)).ravel()
        inv = np.divide(1.0, rs, out=np.zeros_like(rs), where=rs != 0)
        O = sparse.csr_matrix(sparse.diags(inv) @ O)
    O.eliminate_zeros()
    O.sort_indices()
    return O, card


def getis_ord_local(
    Y: pd.DataFrame,
    w,
    *,
    star: bool = True,
    transform: str = "r",
    permutations: int = 999,
    seed: int = 12345,
    alpha: float = 0.10,
    correction: str | None = None,
    alternative: str = "two-sided",
) -> pd.DataFrame:
    r"""Local Getis–Ord :math:`G_i^*` (or :math:`G_i`) of every region and year: hot and cold spots.

    Formulas, the ``spot`` rule and the differences from esda are in the module notes.

    Parameters
    ----------
    Y : DataFrame
        Values, index = region ids, columns = years; no NaN, at least 4 regions, non-negative
        (G is a share of the year's total).
    w : libpysal.weights.W
        Spatial weights (binary as given), aligned to ``Y.index`` by
        :func:`~nqpf.spatial.align_weights`; not modified.
    star : bool
        ``True``: :math:`G_i^*`, the region itself included (self-weight 1 for binary weights);
        ``False``: :math:`G_i`.
    transform : {"r", "b"}
        ``"r"`` row-standardised (esda, GeoDa; default) or ``"b"`` binary (ArcGIS). Changes the scale
        of ``G`` only (module notes).
    permutations : int
        Conditional permutations, a whole number ≥ 0 (0: ``p_sim`` NaN).
    seed : int
        Seed of the draws (whole number ≥ 0).
    alpha : float
        Largest significance level reported, in (0, 1): 0.10 (default) shows the 90/95/99 %
        classes, 0.05 the 95/99 % ones.
    correction : {None, "fdr", "bonferroni"}
        Multiple-testing correction of the p-values that decide ``spot``, per year
        (``"fdr"``: Benjamini–Hochberg; ``"none"`` is ``None``; :mod:`nqpf.spatial.multiple`).
    alternative : {"two-sided", "greater", "less", "directed"}
        Alternative of ``p_sim`` (``"directed"``: esda's folded value). ``p_norm`` and ``spot``
        are always two-sided.

    Returns
    -------
    DataFrame
        Long table, one row per region-year (years in order, regions in ``Y``'s order):
        ``region, year, G, z, p_norm, p_sim, spot`` (``spot`` in :data:`SPOTS`). ``attrs``
        records ``star``, ``transform``, ``permutations``, ``seed``, ``alpha``, ``correction`` and
        ``alternative``.

    Raises
    ------
    InputError
        Invalid values, weights without links, or an invalid option (one line).
    WeightsMismatchError
        The ids of ``w`` are not those of ``Y``.

    Examples
    --------
    >>> from libpysal.weights import lat2W
    >>> import numpy as np, pandas as pd
    >>> Y = pd.DataFrame(np.arange(1.0, 17.0).reshape(16, 1), columns=[2020])
    >>> getis_ord_local(Y, lat2W(4, 4), permutations=0)["spot"].tolist()[:4]
    ['cold95', 'cold99', 'cold95', 'ns']
    """
    what = "getis_ord_local"
    alternative, R, seed = inf.check_inference(
        what, alternative=alternative, permutations=permutations, seed=seed, use="local")
    correction = check_correction(correction, what)
    if not isinstance(star, (bool, np.bool_)):
        raise InputError(f"{what}: star must be True (G_i*, the region included) or False (G_i); got {star!r}")
    t = str(transform).lower()
    if t not in ("r", "b"):
        raise InputError(f"{what}: transform must be 'r' (row-standardised) or 'b' (binary); got {transform!r}")
    if (isinstance(alpha, (bool, np.bool_)) or not isinstance(alpha, numbers.Real)
            or not 0 < float(alpha) < 1):
        raise InputError(f"{what}: alpha must be a number in (0, 1) such as 0.10, 0.05 or 0.01; got {alpha!r}")
    X = score_matrix(Y, what, allow_constant=True)
    const = constant_years(Y, X, what)   # z, p NaN and spot "ns" there (0/0), with a warning
    neg = (X < 0).any(axis=0)
    if neg.any():
        years = [c.item() if isinstance(c, np.generic) else c for c in np.asarray(Y.columns)[neg]]
        raise InputError(f"{what}: G needs non-negative values (a share of the total); negative values in "
                         f"years {years}")
    S, card = _gi_weights(w, Y.index, t, bool(star), what)
    n, T = X.shape
    island = card == 0
    C = X - X.mean(axis=0)  # centred: the moments without cancellation
    lagC = S @ C
    Wi = np.asarray(S.sum(axis=1)).ravel()[:, None]
    S1 = np.asarray(S.multiply(S).sum(axis=1)).ravel()[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        if star:
            N = n
            G = (S @ X) / X.sum(axis=0)
            num = lagC
            var = (C * C).mean(axis=0)[None, :]
        else:  # the moments of the other n − 1 values (their mean is the global one minus c_i/N)
            N = n - 1
            G = (S @ X) / (X.sum(axis=0) - X)
            num = lagC + C * Wi / N
            var = ((C * C).sum(axis=0) - C * C) / N - (C / N) ** 2
        v = var * (N * S1 - Wi * Wi) / (N - 1)
        z = np.where(v > 0, num / np.sqrt(np.where(v > 0, v, 1.0)), np.nan)
    G[island], z[island] = np.nan, np.nan
    z[:, const] = np.nan
    p_norm = inf.normal_p(z, "two-sided")

    p_sim = np.full((n, T), np.nan)
    if R:
        sd = C.std(axis=0)
        Zs = C / np.where(const, 1.0, sd)  # G is increasing in the lag of the standardised values
        ge, le = inf.conditional_lag_counts(Zs, S, card, S @ Zs, R, seed)
        p_sim = inf.pseudo_p(ge, le, R, alternative)
        p_sim[island] = np.nan
        p_sim[:, const] = np.nan

    spot = classify_spots(z, adjust_p(p_norm, correction), float(alpha))
    out = pd.DataFrame(
        {
            "region": np.tile(np.asarray(Y.index, dtype=object), T),
            "year": np.repeat(np.asarray(Y.columns), n),
            "G": G.T.ravel(),
            "z": z.T.ravel(),
            "p_norm": p_norm.T.ravel(),
            "p_sim": p_sim.T.ravel(),
            "spot": spot.T.ravel(),
        }
    )
    out.attrs.update(star=bool(star), transform=t, permutations=R, seed=seed, alpha=float(alpha),
                     correction=correction, alternative=alternative)
    return out
