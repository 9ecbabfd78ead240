r"""Multiple-testing corrections of local p-values, per year (one column of an ``n × T`` array).

A local statistic tests every region of a year: with ``m`` tests at level :math:`\alpha`, about
:math:`m\alpha` regions come out "significant" by chance alone. The corrections here adjust the
p-values of each year (each column) separately, over the regions tested that year (NaN entries,
such as islands, are left NaN and not counted in ``m``); a region is then significant at level
:math:`\alpha` when its *adjusted* p-value is at most :math:`\alpha`.

* ``None``: no correction (the p-values unchanged).
* ``"bonferroni"``: :math:`\tilde p_i = \min(1, m\, p_i)`; controls the family-wise error rate
  (the probability of one false rejection or more) at :math:`\alpha`.
* ``"fdr"``: Benjamini & Hochberg (1995) adjusted p-values (:math:`q`-values): with the ``m``
  p-values sorted, :math:`p_{(1)} \le \dots \le p_{(m)}`,

  .. math::

      \tilde p_{(i)} = \min_{j \ge i} \min\!\left(1, \frac{m\, p_{(j)}}{j}\right);

  rejecting :math:`\tilde p \le \alpha` is the Benjamini–Hochberg step-up procedure, which controls
  the expected share of false rejections among the rejections (the false discovery rate) at
  :math:`\alpha` for independent or positively dependent tests. This is ``statsmodels``'
  ``multipletests(p, method="fdr_bh")`` and R's ``p.adjust(p, "BH")``. Tied p-values get the same
  adjusted value.

Both are conservative for permutation p-values of neighbouring regions, which are dependent
(Anselin 1995; Caldas de Castro & Singer 2006 discuss FDR for LISA).
"""
from __future__ import annotations

import numpy as np

from nqpf.errors import InputError

__all__ = ["CORRECTIONS", "NOT_SIGNIFICANT", "check_correction", "adjust_p", "is_significant"]

#: Multiple-testing corrections: none, Benjamini–Hochberg, Bonferroni.
CORRECTIONS = (None, "fdr", "bonferroni")

#: Codes of a local statistic's class column meaning "not significant": ``"ns"`` (Getis–Ord ``spot``,
#: as the ``getis_ord`` table and CSV file write it) and ``""`` (local Moran ``cluster``, the bivariate
#: ``cluster``); a missing value counts as not significant too.
NOT_SIGNIFICANT = ("", "ns")


def is_significant(codes) -> np.ndarray:
    """Boolean mask of the significant entries of a class column of a local statistic (``spot`` of
    :func:`~nqpf.spatial.getis_ord_local`, ``cluster`` of :func:`~nqpf.spatial.moran_local`): every
    code but those of :data:`NOT_SIGNIFICANT` and missing values. The one rule the reports' "significant
    rows only" lists, the maps' legends and the counts use.

    Examples
    --------
    >>> is_significant(["hot99", "ns", "", None, "HH"]).tolist()
    [True, False, False, False, True]
    """
    import pandas as pd

    v = pd.Series(list(codes) if not isinstance(codes, pd.Series) else codes, dtype=object)
    return (v.notna() & ~v.astype(str).str.strip().isin(NOT_SIGNIFICANT)).to_numpy(dtype=bool)


def check_correction(correction, what: str):
    """``correction`` if it is one of :data:`CORRECTIONS`; the text ``"none"`` is read as ``None``.

    Raises
    ------
    InputError
        Anything else (one line, prefixed by ``what``).
    """
    if correction is None or correction == "none":
        return None
    if isinstance(correction, str) and correction in CORRECTIONS:
        return correction
    raise InputError(f"{what}: correction must be None, 'fdr' (Benjamini–Hochberg) or 'bonferroni'; "
                     f"got {correction!r}")


def adjust_p(p, correction=None) -> np.ndarray:
    """p-values adjusted for multiple testing, per column (one column = one year).

    Parameters
    ----------
    p : array_like, shape (n,) or (n, T)
        p-values in [0, 1]; NaN entries (islands, years without variation) are left NaN and not
        counted in ``m``.
    correction : {None, "fdr", "bonferroni"}
        ``None`` (or ``"none"``): unchanged; ``"bonferroni"``: ``min(1, m·p)``; ``"fdr"``:
        Benjamini–Hochberg adjusted p-values, ``m`` the number of finite p-values of the column
        (module notes).

    Returns
    -------
    ndarray of float, the shape of ``p``.

    Raises
    ------
    InputError
        Unknown ``correction``.

    Examples
    --------
    >>> adjust_p([0.01, 0.04, 0.03, 0.005], "fdr").round(3).tolist()
    [0.02, 0.04, 0.04, 0.02]
    """
    correction = check_correction(correction, "adjust_p")
    P = np.array(p, dtype=float)
    vec = P.ndim == 1
    if vec:
        P = P[:, None]
    finite = np.isfinite(P)
    m = finite.sum(axis=0)  # (T,)
    if correction is None:
        out = P.copy()
    elif correction == "bonferroni":
        out = np.minimum(1.0, P * m)
    else:  # Benjamini–Hochberg
        filled = np.where(finite, P, np.inf)
        order = np.argsort(filled, axis=0, kind="stable")
        srt = np.take_along_axis(filled, order, axis=0)
        rank = np.arange(1, P.shape[0] + 1)[:, None]
        with np.errstate(invalid="ignore"):
            q = srt * m / rank  # inf past the m finite values
        q = np.minimum.accumulate(q[::-1], axis=0)[::-1]
        out = np.empty_like(P)
        np.put_along_axis(out, order, np.minimum(1.0, q), axis=0)
    out[~finite] = np.nan
    return out[:, 0] if vec else out
