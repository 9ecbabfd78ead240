r"""Indicator weights: one registry, one small hook per method.

:func:`compute_weights` maps a method name to a :class:`Weighting` subclass (as mapclassify's
``classify(y, "quantiles")`` does). The base class validates the normalised matrix, calls the method's
``_raw_weights`` hook on a float array and turns the non-negative raw weights into weights that sum
to 1. Every method returns a DataFrame with columns ``indicator, weight`` plus the method's
intermediate quantities, named after their symbols:

============  ====================================================================================
method        extra columns
============  ====================================================================================
entropy       ``entropy`` (:math:`e_j`), ``redundancy`` (:math:`d_j = 1-e_j`)
critic        ``sd`` (:math:`\sigma_j`), ``conflict`` (:math:`\sum_k 1-r_{jk}`), ``information`` (:math:`C_j`)
cv            ``mean``, ``sd``, ``cv``
equal         —
given         ``given`` (the weights as supplied, before renormalisation)
combined      ``weight_<method1>``, ``weight_<method2>``
============  ====================================================================================

Constant indicators (zero spread) get weight 0 from entropy, CRITIC and CV, with a
:class:`~nqpf.index.ConstantIndicatorWarning`.
"""
from __future__ import annotations

import os
import warnings
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from nqpf.errors import InputError

from .normalize import ConstantIndicatorWarning, _check_matrix, _year_codes

__all__ = [
    "compute_weights", "Weighting", "EntropyWeights", "CriticWeights", "CVWeights", "EqualWeights",
    "GivenWeights", "CombinedWeights", "SDWeights", "WEIGHTING_METHODS", "read_given_weights", "entropy_weights_by_year",
]

_TOL = 1e-9


_REGISTRY: dict = {}


class Weighting:
    """Base of every weighting method.

    Subclasses set ``name`` and implement ``_raw_weights(A, Xn) -> (raw, extra)`` where ``A`` is the
    validated float array (rows = region-years, columns = indicators), ``raw`` a non-negative array
    with one entry per indicator and ``extra`` a dict of per-indicator arrays reported beside the
    weight. The base renormalises ``raw`` to sum to 1.

    Parameters are stored unchanged in ``params`` (no logic in ``__init__``).
    """

    name = ""
    needs_nonnegative = False
    keywords: tuple = ()

    def __init_subclass__(cls, **kw):
        super().__init_subclass__(**kw)
        if cls.name:
            _REGISTRY[cls.name] = cls

    def __init__(self, **params):
        self.params = params

    def compute(self, Xn):
        """Return the weights table for the normalised matrix ``Xn``."""
        A = _check_matrix(Xn, "normalised matrix", allow_negative=not self.needs_nonnegative)
        raw, extra = self._raw_weights(A, Xn)
        raw = np.asarray(raw, dtype=float)
        total = raw.sum()
        if not np.isfinite(total) or total <= 0:
            raise InputError(f"{self.name} weighting: every indicator has zero information "
                             "(all constant or perfectly redundant); weights are undefined. "
                             "Check the data or use method='equal'")
        table = pd.DataFrame({"indicator": list(Xn.columns), "weight": raw / total})
        for key, value in extra.items():
            table[key] = value
        return table

    def _raw_weights(self, A, Xn):  # pragma: no cover - abstract
        raise NotImplementedError

    @staticmethod
    def _warn_constant(A, names, method):
        const = np.ptp(A, axis=0) == 0
        for j in np.nonzero(const)[0]:
            warnings.warn(f"indicator {names[j]!r} is constant: {method} gives it weight 0",
                          ConstantIndicatorWarning, stacklevel=4)
        return const


def _entropy_block(A, m=None):
    """Entropy :math:`e_j` and redundancy :math:`d_j` of the columns of one pool (n × k)."""
    n = A.shape[0]
    m = n if m is None else m
    if n < 2:
        raise InputError("the entropy method needs at least 2 region-years per pool (ln m > 0)")
    if m < n:
        raise InputError(f"entropy: m = {m} is smaller than the {n} rows summed over, so e_j could "
                         "exceed 1 and weights turn negative. Reading the paper's 'm = number of "
                         "years' literally only works when each pool has one row per year; leave m "
                         "unset (m = rows) or give m >= rows")
    S = A.sum(axis=0)
    const = np.ptp(A, axis=0) == 0
    with np.errstate(divide="ignore", invalid="ignore"):
        P = A / S                                           # eq. (3): p_ij = x'_ij / sum_i x'_ij
        PlnP = np.where(P > 0, P * np.log(np.where(P > 0, P, 1.0)), 0.0)   # 0 ln 0 = 0
    e = -PlnP.sum(axis=0) / np.log(m)                       # eq. (4)
    e[const] = 1.0                                          # no information: e = 1 exactly
    d = np.clip(1.0 - e, 0.0, None)                         # eq. (5)
    return e, d


class EntropyWeights(Weighting):
    r"""Entropy weights (paper eqs. 3–6).

    .. math::
        p_{ij} = \frac{x'_{ij}}{\sum_{i=1}^{m} x'_{ij}},\quad
        e_j = -\frac{1}{\ln m}\sum_{i=1}^{m} p_{ij}\ln p_{ij}\ (0\ln 0 = 0),\quad
        d_j = 1 - e_j,\quad w_j = \frac{d_j}{\sum_k d_k}

    Parameters (keywords of :func:`compute_weights`)
    ------------------------------------------------
    pooled : bool, default True
        ``True``: the sums run over all region-years and ``m`` is the number of rows (the panel
        entropy method). ``False``: :math:`e_j, d_j, w_j` are computed within each year (``m`` = the
        regions of that year) and the reported weight is the mean of the yearly weights (renormalised);
        ``entropy`` and ``redundancy`` are yearly means. Use :func:`entropy_weights_by_year` for the
        yearly weights themselves.
    m : int, optional
        The ``m`` of :math:`1/\ln m`. The paper writes "m 为评价的年数" (m is the number of years)
        while summing eq. (3)–(4) over :math:`i`, which in a pooled panel runs over all region-years;
        by default ``m`` is the number of rows summed over (so :math:`0\le e_j\le 1`). Taking ``m``
        = number of years in a pooled panel would let :math:`e_j` exceed 1 (the maximum of
        :math:`-\sum p\ln p` is :math:`\ln` of the number of rows), so an ``m`` smaller than the number
        of rows is refused; a larger ``m`` is accepted (it shrinks every :math:`e_j` by
        :math:`\ln n/\ln m`).

    Needs non-negative input (min-max normalised data).
    """

    name = "entropy"
    needs_nonnegative = True
    keywords = ("pooled", "m")

    def _raw_weights(self, A, Xn):
        pooled = self.params.get("pooled", True)
        m = self.params.get("m")
        self._warn_constant(A, list(Xn.columns), "the entropy method")
        if pooled:
            e, d = _entropy_block(A, m)
            return d, {"entropy": e, "redundancy": d}
        codes, years = _year_codes(Xn.index)
        E, D, W = [], [], []
        for k in range(len(years)):
            e, d = _entropy_block(A[codes == k], m)
            E.append(e)
            D.append(d)
            W.append(d / d.sum() if d.sum() > 0 else np.zeros_like(d))
        return np.mean(W, axis=0), {"entropy": np.mean(E, axis=0), "redundancy": np.mean(D, axis=0)}


def entropy_weights_by_year(Xn, m=None):
    """Entropy weights computed separately in each year: DataFrame indexed by year, one column per
    indicator (each row sums to 1; a year with no information at all is all-NaN)."""
    A = _check_matrix(Xn, "normalised matrix", allow_negative=False)
    codes, years = _year_codes(Xn.index)
    rows = []
    for k in range(len(years)):
        _, d = _entropy_block(A[codes == k], m)
        rows.append(d / d.sum() if d.sum() > 0 else np.full_like(d, np.nan))
    return pd.DataFrame(rows, index=pd.Index(years, name="year"), columns=Xn.columns)


class CriticWeights(Weighting):
    r"""CRITIC weights (Diakoulaki, Mavrotas & Papayannakis 1995).

    .. math::
        C_j = \sigma_j \sum_{k=1}^{n} (1 - r_{jk}),\qquad w_j = C_j / \sum_k C_k

    with :math:`\sigma_j` the sample standard deviation (``ddof=1``; the choice cancels in
    :math:`w_j`) of the normalised indicator and :math:`r_{jk}` Pearson's correlation. A constant
    indicator has :math:`\sigma_j = 0` (weight 0) and, its correlations being undefined, is left out
    of every conflict sum, so adding a constant indicator leaves the other weights unchanged.
    """

    name = "critic"

    def _raw_weights(self, A, Xn):
        if A.shape[0] < 2:
            raise InputError("CRITIC needs at least 2 region-years")
        const = self._warn_constant(A, list(Xn.columns), "CRITIC")
        sd = A.std(axis=0, ddof=1)
        sd[const] = 0.0
        Ac = A - A.mean(axis=0)
        norm = np.sqrt((Ac ** 2).sum(axis=0))
        norm[const] = 1.0
        U = Ac / norm
        R = U.T @ U
        R[const, :] = 1.0   # a constant indicator is left out of every conflict sum
        R[:, const] = 1.0
        np.fill_diagonal(R, 1.0)
        R = np.clip(R, -1.0, 1.0)
        conflict = (1.0 - R).sum(axis=1)
        info = sd * conflict
        return info, {"sd": sd, "conflict": conflict, "information": info}


class CVWeights(Weighting):
    r"""Coefficient-of-variation weights: :math:`w_j \propto s_j / \bar x_j`.

    Computed on the matrix it is given: :func:`~nqpf.index.build_index` passes the normalised matrix;
    pass the raw indicator matrix to weight by the CV of raw data (it is unit-free either way). The
    sample standard deviation (``ddof=1``) is used. Needs a positive mean for every non-constant
    indicator; a constant indicator gets weight 0.
    """

    name = "cv"

    def _raw_weights(self, A, Xn):
        if A.shape[0] < 2:
            raise InputError("CV weighting needs at least 2 region-years")
        const = self._warn_constant(A, list(Xn.columns), "CV weighting")
        mean = A.mean(axis=0)
        sd = A.std(axis=0, ddof=1)
        sd[const] = 0.0
        bad = (~const) & (mean <= 0)
        if bad.any():
            cols = [str(Xn.columns[j]) for j in np.nonzero(bad)[0]]
            raise InputError(f"CV weighting needs a positive mean; indicator(s) {cols} have mean <= 0. "
                             "Use min-max normalised data")
        cv = np.zeros_like(mean)
        cv[~const] = sd[~const] / mean[~const]
        return cv, {"mean": mean, "sd": sd, "cv": cv}


class SDWeights(Weighting):
    r"""Standard-deviation weights (标准差法): :math:`w_j \propto s_j`.

    :math:`s_j` is the sample standard deviation (``ddof=1``) of indicator :math:`j` over the matrix it is
    given (the normalised matrix in :func:`~nqpf.index.build_index`, so that units do not matter). The
    more an indicator varies across region-years, the more it tells regions apart and the more it weighs.
    A constant indicator gets weight 0.
    """

    name = "sd"

    def _raw_weights(self, A, Xn):
        if A.shape[0] < 2:
            raise InputError("SD weighting needs at least 2 region-years")
        const = self._warn_constant(A, list(Xn.columns), "SD weighting")
        sd = A.std(axis=0, ddof=1)
        sd[const] = 0.0
        return sd, {"sd": sd}


class EqualWeights(Weighting):
    """Equal weights :math:`w_j = 1/n`."""

    name = "equal"

    def _raw_weights(self, A, Xn):
        return np.ones(A.shape[1]), {}


def _as_weight_series(w, what="weights"):
    if isinstance(w, pd.DataFrame):
        if not {"indicator", "weight"} <= set(w.columns):
            raise InputError(f"{what} given as a table need columns 'indicator' and 'weight'")
        w = pd.Series(w["weight"].to_numpy(), index=w["indicator"].to_numpy())
    elif isinstance(w, Mapping):
        w = pd.Series(dict(w))
    elif not isinstance(w, pd.Series):
        raise InputError(f"{what} must be a mapping indicator -> weight, a Series or a table "
                         f"with columns indicator, weight; got {type(w).__name__}")
    if w.index.has_duplicates:
        raise InputError(f"{what} name indicator(s) twice: {w.index[w.index.duplicated()].tolist()}")
    try:
        w = w.astype(float)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{what} must be numbers: {exc}") from None
    return w


class GivenWeights(Weighting):
    """User-given weights (keyword ``weights``: mapping, Series, ``indicator, weight`` table, or the path
    of such a table as .csv/.xlsx/.xls).

    Every indicator of the matrix needs a weight and no other indicator may appear; weights must be
    finite and non-negative (an error names each offending indicator, and the file with its row when
    the weights were read from one: a path, or a table/Series whose ``attrs["source"]`` names its
    file). Weights not summing to 1 are renormalised with a warning.
    """

    name = "given"
    keywords = ("weights",)

    def _raw_weights(self, A, Xn):
        given = self.params.get("weights")
        if given is None:
            raise InputError("method='given' needs weights={indicator: weight, ...}")
        rows = {}
        source = ""
        if isinstance(given, (str, os.PathLike)):
            given, rows, source = _read_given_weights(given)
        elif isinstance(given, (pd.DataFrame, pd.Series)):
            source = str(given.attrs.get("source", "") or "")
        what = f"given weights ({source})" if source else "given weights"
        w = _as_weight_series(given, what)
        cols = list(Xn.columns)
        missing = [c for c in cols if c not in w.index]
        extra = [c for c in w.index if c not in cols]
        if missing or extra:
            raise InputError(f"{what} do not match the indicators: "
                             f"missing {missing}, unknown {extra}")
        w = w.reindex(cols)
        bad = [(c, v) for c, v in w.items() if not np.isfinite(v) or v < 0]
        if bad:
            def at(c):
                return f" (row {rows[c]})" if c in rows else ""
            listed = "; ".join(f"indicator {c!r}{at(c)} has weight {v:g}"
                               + (" (negative)" if v < 0 else " (not a finite number)") for c, v in bad)
            raise InputError(f"{(source + ': ') if source else ''}given weights must be finite and non-negative: "
                             f"{listed}; correct {'it' if len(bad) == 1 else 'them'}"
                             + (f" in {source}" if source else "") + " (a weight of 0 leaves an indicator out)")
        w = w.to_numpy()
        total = w.sum()
        if total > 0 and abs(total - 1.0) > _TOL:
            warnings.warn(f"given weights sum to {total:.6g}, not 1: renormalised", UserWarning,
                          stacklevel=4)
        return w, {"given": w}


def _read_given_weights(path):
    """(table indicator, weight), indicator → its row in the file, file name) of a weights file."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"given weights file {str(path)!r} not found")
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
        try:
            tab = pd.read_excel(path, dtype=object)
        except Exception as exc:  # noqa: BLE001 - reported with the file name
            raise InputError(f"{path}: cannot read the weights workbook: {exc}") from None
    else:
        from nqpf.io._cells import read_csv_text

        tab = read_csv_text(path, header=0)
    cols = {str(c).strip().lower(): c for c in tab.columns}
    if not {"indicator", "weight"} <= set(cols):
        raise InputError(f"{path}: needs columns indicator and weight, found {list(tab.columns)}")
    ind = tab[cols["indicator"]].astype(str).str.strip()
    num = pd.to_numeric(tab[cols["weight"]], errors="coerce")
    for k, (raw, v) in enumerate(zip(tab[cols["weight"]], num)):
        if pd.isna(v):
            raise InputError(f"{path}, row {k + 2}, column {cols['weight']}: weight {raw!r} of indicator "
                             f"{ind.iloc[k]!r} is not a number; write a number (0 leaves it out)")
    rows = {i: k + 2 for k, i in enumerate(ind)}
    return pd.DataFrame({"indicator": ind.to_numpy(), "weight": num.to_numpy(dtype=float)}), rows, str(path)


class CombinedWeights(Weighting):
    r"""Combination of two weighting methods.

    Keywords: ``methods`` (default ``("entropy", "critic")``), ``alpha`` (default 0.5), ``rule``
    (``"linear"`` or ``"multiplicative"``) and ``options`` (dict method → keyword dict).

    .. math::
        \text{linear: } w_j = \alpha w^{(1)}_j + (1-\alpha) w^{(2)}_j,\qquad
        \text{multiplicative: } w_j = \frac{w^{(1)}_j w^{(2)}_j}{\sum_k w^{(1)}_k w^{(2)}_k}
    """

    name = "combined"
    keywords = ("methods", "alpha", "rule", "options")

    def _raw_weights(self, A, Xn):
        methods = tuple(self.params.get("methods", ("entropy", "critic")))
        alpha = float(self.params.get("alpha", 0.5))
        rule = self.params.get("rule", "linear")
        options = self.params.get("options") or {}
        if len(methods) != 2 or "combined" in methods:
            raise InputError("combined weighting needs exactly two (non-combined) methods")
        if not 0.0 <= alpha <= 1.0:
            raise InputError(f"alpha must be in [0, 1], got {alpha}")
        w1, w2 = (compute_weights(Xn, m, **options.get(m, {}))["weight"].to_numpy() for m in methods)
        if rule == "linear":
            raw = alpha * w1 + (1.0 - alpha) * w2
        elif rule == "multiplicative":
            raw = w1 * w2
        else:
            raise InputError(f"unknown combination rule {rule!r}; use 'linear' or 'multiplicative'")
        return raw, {f"weight_{methods[0]}": w1, f"weight_{methods[1]}": w2}


#: Every weighting method by name: each ``Weighting`` subclass with a ``name`` registers itself (see
#: :meth:`Weighting.__init_subclass__`), in the order the classes are defined.
WEIGHTING_METHODS = _REGISTRY


def compute_weights(Xn, method="entropy", **kw):
    r"""Indicator weights by name.

    Parameters
    ----------
    Xn : DataFrame
        Normalised indicator matrix (rows = region-years, one column per indicator), as returned by
        :func:`~nqpf.index.normalize`.
    method : {"entropy", "critic", "cv", "sd", "equal", "given", "combined"}
        See the class of each method for its formula and keywords.
    **kw
        Keywords of the method (e.g. ``pooled=False`` for entropy, ``weights=...`` for given,
        ``methods=, alpha=, rule=`` for combined).

    Returns
    -------
    DataFrame
        Columns ``indicator, weight`` (non-negative, summing to 1) plus the method's intermediate
        quantities (e.g. ``entropy, redundancy``).
    """
    try:
        cls = WEIGHTING_METHODS[method]
    except (KeyError, TypeError):
        import difflib

        close = difflib.get_close_matches(str(method), list(WEIGHTING_METHODS), n=1)
        raise InputError(f"unknown weighting method {method!r}" + (f"; did you mean {close[0]!r}?" if close else "")
                         + f" (methods: {', '.join(sorted(WEIGHTING_METHODS))})") from None
    unknown = sorted(set(kw) - set(cls.keywords))
    if unknown:
        raise InputError(f"weighting method {method!r} takes no option(s) {unknown}; "
                         f"its options are {list(cls.keywords)}")
    return cls(**kw).compute(Xn)


def read_given_weights(path) -> dict:
    """Weights given in a file (CSV or Excel with columns ``indicator`` and ``weight``, e.g. from AHP or
    a Delphi panel) as indicator → weight; a missing file, missing columns, a weight that is not a
    number, negative or infinite, or all weights 0 are errors naming the file, row and indicator."""
    from pathlib import Path

    p = Path(path)
    if not p.exists():
        raise InputError(f"weights file not found: {p}")
    try:
        tab = pd.read_excel(p) if p.suffix.lower() in (".xlsx", ".xls") else pd.read_csv(p, encoding="utf-8-sig")
    except Exception as e:  # noqa: BLE001 - any reader failure is the user's file
        raise InputError(f"{p}: cannot read the weights file ({e}); give a CSV or Excel table with columns "
                         f"indicator, weight") from None
    cols = {str(c).strip().lower(): c for c in tab.columns}
    if not {"indicator", "weight"} <= set(cols):
        raise InputError(f"{p}: needs columns indicator and weight, found {[str(c) for c in tab.columns]}")
    w = pd.to_numeric(tab[cols["weight"]], errors="coerce")
    bad = w.isna() | ~np.isfinite(w.fillna(0)) | (w < 0)
    if bad.any():
        k = int(bad.to_numpy().argmax())
        ind = tab[cols["indicator"]].iloc[k]
        what = "not a number" if pd.isna(w.iloc[k]) else "negative" if w.iloc[k] < 0 else "not finite"
        raise InputError(f"{p}: row {k + 2}, column weight (indicator {ind}): {what} "
                         f"({tab[cols['weight']].iloc[k]}); weights must be numbers ≥ 0")
    if not (w > 0).any():
        raise InputError(f"{p}: every weight is 0; give at least one positive weight")
    names = tab[cols["indicator"]].astype(str).str.strip()
    dup = names[names.duplicated()]
    if len(dup):
        raise InputError(f"{p}: indicator {dup.iloc[0]!r} is listed twice (rows "
                         f"{', '.join(str(i + 2) for i in np.flatnonzero(names == dup.iloc[0]))})")
    return dict(zip(names, w.astype(float)))
