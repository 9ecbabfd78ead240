"""Distribution dynamics as Markov chains: the classic chain of the score classes, spatial Markov
chains conditioned on the neighbours' class (Rey 2001), the Bickenbach–Bode tests, and the
space-time transitions of the local Moran quadrants (LISA Markov, Rey's transition types).

Kernels: :mod:`nqpf.dynamics.markov`. Runs after the spatial family (order 35) and reads its local
Moran table for the quadrants; without it the quadrants are computed here (they need no
permutation).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..dynamics import markov as _mk
from ..errors import InputError
from ..results import Column, Figure, Methods, Table
from ._common import NO_TITLE, Context, Family, Option

__all__ = ["FAMILY", "items"]

_SECTION = "dynamics"
_Q = dict(codes="quadrant")


#: Columns of the space-time transition types shown in the report: the counts, cohesion and flux fit a
#: page; the shares (count / transitions) are in the workbook and the CSV file.
_TYPES_DISPLAY = ("year_from", "year_to", "pooled", "transitions", "type_0", "type_I", "type_II", "type_IIIA",
                  "type_IIIB", "cohesion", "flux")

def _cols(*cols: Column) -> tuple[Column, ...]:
    return tuple(cols)


_FROM, _TO = Column("from_class", "int"), Column("to_class", "int")
_COUNT = Column("count", "int")
_P = Column("p", "float", label="col.markov_p")
_EMPTY = Column("empty", "bool", label="col.markov_empty")
_STEPS, _YEARS = Column("steps", "float", label="col.markov_steps"), Column("years", "float", label="col.markov_years")
_LAGC = Column("lag_class", "int")
_CLASS = Column("class", "int", label="col.markov_class")


def _check_breaks(v):
    try:
        [float(x) for x in v]
    except (TypeError, ValueError):
        return f"expects numbers, got {v!r}"
    return None


def items(ctx: Context):
    Y, w = ctx.Y, ctx.w
    k, basis = ctx.opt("markov.classes", 4), ctx.opt("markov.basis", "pooled")
    breaks = [float(x) for x in (ctx.opt("markov.breaks") or [])]
    d, lag_classes = ctx.opt("markov.lag", 1), ctx.opt("markov.lag_classes", "lag")
    split = ctx.opt("markov.split_year")
    if w is None:
        raise InputError("markov: spatial Markov chains need spatial weights")
    ctx.step("Markov chains")
    C = _mk.classify(Y, k, basis, breaks)
    mk = _mk.markov(Y, d=d, split_year=split, classes=C)
    ctx.step("spatial Markov chains")
    sm = _mk.spatial_markov(Y, w, d=d, lag_classes=lag_classes, classes=C)
    ctx.step("LISA Markov chain")
    local = ctx.data("moran_local") if "moran_local" in ctx.results else _quadrants(Y, w)
    lm = _mk.lisa_markov(local, d=d)

    classes = pd.concat([C.table("score"), sm.lag_classes.table("lag")], ignore_index=True)
    tests = pd.concat([t for t in (mk.tests_table(), sm.tests_table(), lm.tests_table()) if len(t)],
                      ignore_index=True)
    out = [
        Table("markov_classes", classes, _cols(
            Column("variable", "code", codes="markov_variable"), _CLASS,
            Column("lower", "float", label="col.markov_lower"), Column("upper", "float", label="col.markov_upper"),
            Column("basis", "code", codes="markov_basis", label="col.markov_basis"), _COUNT),
            _SECTION, order=20),
        Table("markov", mk.transitions_table(), _cols(_FROM, _TO, _COUNT, _P, _EMPTY), _SECTION, order=21,
              wide=("from_class", "to_class", "p")),
        Figure("markov_heatmap", _draw_markov, _SECTION, "figure.markov_heatmap", {"d": mk.d}, order=21.5),
        Table("markov_steady_state", mk.steady_state_table(), _cols(
            _CLASS, Column("initial", "float", label="col.markov_initial"),
            Column("final", "float", label="col.markov_final"),
            Column("steady_state", "float", label="col.markov_steady_state"), _EMPTY), _SECTION, order=22),
        Table("markov_first_passage", mk.first_passage_table(), _cols(_FROM, _TO, _STEPS, _YEARS), _SECTION,
              order=23, wide=("from_class", "to_class", "years")),
        Table("spatial_markov", sm.transitions_table(), _cols(_LAGC, _FROM, _TO, _COUNT, _P, _EMPTY), _SECTION,
              order=24, long=True),
        Figure("spatial_markov_heatmap", _draw_spatial, _SECTION, "figure.spatial_markov_heatmap", {"d": sm.d},
               order=24.5, cost=3.5),
        Table("spatial_markov_steady_state", sm.steady_state_table(), _cols(
            _LAGC, _CLASS, Column("steady_state", "float", label="col.markov_steady_state"), _EMPTY), _SECTION,
            order=25, wide=("lag_class", "class", "steady_state")),
        Table("spatial_markov_first_passage", sm.first_passage_table(), _cols(_LAGC, _FROM, _TO, _STEPS, _YEARS),
              _SECTION, order=26, long=True),
        Table("markov_tests", tests, _cols(
            Column("test", "code", codes="markov_test", label="col.markov_test"),
            Column("statistic", "float", label="col.markov_statistic"), Column("df", "int", label="col.markov_df"),
            Column("p", "p", label="col.markov_p_value"), Column("regimes", "int", label="col.markov_regimes"),
            Column("transitions", "int", label="col.markov_transitions")), _SECTION, order=27),
        Table("lisa_markov", lm.transitions_table(), _cols(
            Column("from_quadrant", "code", **_Q), Column("to_quadrant", "code", **_Q), _COUNT, _P,
            Column("expected", "float", label="col.markov_expected"), _EMPTY), _SECTION, order=28),
        Figure("lisa_markov_heatmap", _draw_lisa, _SECTION, "figure.lisa_markov_heatmap", {"d": lm.d}, order=28.5),
        Table("lisa_markov_types", lm.types, _types_columns(lm.types), _SECTION, order=29,
              display=_TYPES_DISPLAY),
        Figure("lisa_types", _draw_types, _SECTION, "figure.lisa_types", {"d": lm.d}, order=29.5),
        _methods(C, sm, mk),
    ]
    ctx.extras.setdefault("table_notes", {}).update(table_notes(mk, sm))
    status = {"ok": "markov_unique", "entered_empty": "markov_entered_empty", "several_closed": "markov_several_closed"}
    params = {
        "markov_classes": int(C.k), "markov_classes_basis": C.basis,
        "markov_breaks": [float(x) for x in C.breaks], "markov_lag_years": int(mk.d),
        "markov_lag_classes": sm.lag_classes.basis,
        "markov_lag_breaks": [float(x) for x in sm.lag_classes.breaks],
        "markov_split_year": mk.split_year, "markov_transitions": int(mk.T.sum()),
        "markov_empty_rows": int(mk.empty.sum()), "markov_steady_state": status[mk.status],
        "spatial_markov_transitions": int(sm.T.sum()),
        "spatial_markov_empty_rows": int((sm.T.sum(axis=2) == 0).sum()),
        "spatial_markov_islands": int(sm.n_islands), "lisa_markov_transitions": int(lm.T.sum()),
        "conventions": [f"markov.{C.basis}", f"spatial_markov.{sm.lag_classes.basis}", "markov_empty",
                        "lisa_markov"],
    }
    return out, params


def _quadrants(Y, w) -> pd.DataFrame:
    """Quadrants of the local Moran table when the spatial family did not run (no permutation needed)."""
    import warnings

    from ..spatial import moran_local

    with warnings.catch_warnings():   # constant years are reported by lisa_markov's own counts
        warnings.simplefilter("ignore", UserWarning)
        return moran_local(Y, w, permutations=0)


def _types_columns(df: pd.DataFrame) -> tuple[Column, ...]:
    cols = []
    for c in df.columns:
        if c in ("year_from", "year_to"):
            cols.append(Column(c, "year", label=f"col.markov_{c}"))
        elif c == "pooled":
            cols.append(Column(c, "bool", label="col.markov_pooled"))
        elif c == "transitions":
            cols.append(Column(c, "int", label="col.markov_transitions"))
        elif c.startswith("type_"):
            cols.append(Column(c, "int", label=f"col.lisa_{c}"))
        else:
            cols.append(Column(c, "float", label=f"col.lisa_{c}"))
    return tuple(cols)


def _classes_text(ids) -> str:
    return ", ".join(str(int(i)) for i in ids)


def table_notes(mk, sm) -> dict[str, list[tuple[str, dict]]]:
    """Notes under the steady-state and first-passage tables that explain their blank cells and
    infinities, as ``{table key: [(catalogue key, args), ...]}`` (language-neutral; the report puts
    them under the table, :func:`nqpf.report._model.table_notes`).

    * a blank steady state: the chain (of a neighbourhood class) has several closed classes (its
      long-run distribution depends on the start class) or enters a class without observed transitions
      (not determined): ``note.markov.steady_<status>``;
    * a class without observed transitions out (``empty``): its row of the matrix is empty, its
      passage times are blank (``note.markov.empty``);
    * ``inf`` first passage times: the class cannot be reached from that class in the estimated chain
      (``note.markov.inf``).
    """
    out: dict[str, list] = {}
    if mk.status != "ok":
        out.setdefault("markov_steady_state", []).append((f"note.markov.steady_{mk.status}", {}))
    empty = np.flatnonzero(mk.empty) + 1
    if empty.size:
        out.setdefault("markov_steady_state", []).append(("note.markov.empty", {"classes": _classes_text(empty)}))
        out.setdefault("markov_first_passage", []).append(("note.markov.empty", {"classes": _classes_text(empty)}))
    if np.isinf(mk.F).any():
        out.setdefault("markov_first_passage", []).append(("note.markov.inf", {}))
    for status in ("several_closed", "entered_empty"):
        lags = [r + 1 for r, s in enumerate(sm.status) if s == status]
        if lags:
            out.setdefault("spatial_markov_steady_state", []).append(
                (f"note.spatial_markov.steady_{status}", {"lags": _classes_text(lags)}))
    empty_rows = sm.T.sum(axis=2) == 0
    if empty_rows.any():
        pairs = ", ".join(f"({r + 1}, {c + 1})" for r, c in zip(*np.nonzero(empty_rows)))
        for key in ("spatial_markov_steady_state", "spatial_markov_first_passage"):
            out.setdefault(key, []).append(("note.spatial_markov.empty", {"pairs": pairs}))
    if np.isinf(sm.F).any():
        out.setdefault("spatial_markov_first_passage", []).append(("note.markov.inf", {}))
    return out


def _methods(C, sm, mk) -> Methods:
    split = mk.split_year if mk.split_year is not None else "—"
    return Methods("methods_markov", "methods.markov.heading", (
        ("methods.markov.text", {"k": C.k, "basis": f"@methods.markov.basis.{C.basis}", "d": mk.d}),
        ("methods.markov.ergodic", {}),
        ("methods.markov.time_test", {"split": split}),
        ("methods.markov.spatial", {"lag_basis": f"@methods.markov.basis.{sm.lag_classes.basis}"}),
        ("methods.markov.lisa", {}),
    ), (
        "p_{ij} = n_{ij} / n_{i}",
        "π P = π,  Σ_{i} π_{i} = 1",
        "m_{ij} = 1 + Σ_{l≠j} p_{il} m_{lj}",
        "Q = Σ_{r} Σ_{i} n_{i}(r) Σ_{j} [p_{ij}(r) − p_{ij}]^{2} / p_{ij}",
        "LR = 2 Σ_{r} Σ_{i} Σ_{j} n_{ij}(r) ln[p_{ij}(r) / p_{ij}],  df = Σ_{i} (b_{i} − 1)(a_{i} − 1)",
        "S_{C} = F_{0} / m,  S_{F} = 1 − S_{C}",
    ), order=7)


# ---------------------------------------------------------------------------------------- figures
def _draw_markov(res, lang):
    from ..plot.markov import plot_transition_matrix

    return plot_transition_matrix(res.table("markov"), lang=lang, classes=res.table("markov_classes"), title=NO_TITLE)


def _draw_spatial(res, lang):
    from ..plot.markov import plot_spatial_markov

    return plot_spatial_markov(res.table("spatial_markov"), lang=lang, classes=res.table("markov_classes"),
                               title=NO_TITLE)


def _draw_lisa(res, lang):
    from ..plot.markov import plot_transition_matrix

    return plot_transition_matrix(res.table("lisa_markov"), lang=lang, quadrants=True, title=NO_TITLE)


def _draw_types(res, lang):
    from ..plot.markov import plot_lisa_types

    return plot_lisa_types(res.table("lisa_markov_types"), lang=lang, title=NO_TITLE)


FAMILY = Family("markov", items, order=35, help="Markov chains of score classes, spatial Markov chains "
                "(Q and LR tests), LISA space-time transitions (Rey's types)", options={
    "classes": Option(4, "number of classes (quantiles) of the scores", int, low=2),
    "basis": Option("pooled", "classes from quantiles of every region-year pooled, of the ratios to the "
                    "year's mean (yearly_mean; with breaks: breaks on the ratios), or the given breaks",
                    str, ("pooled", "yearly_mean", "breaks")),
    "breaks": Option([], "interior class breaks, increasing (basis breaks: on the scores; yearly_mean: on "
                     "the ratios to the year's mean)", list, check=_check_breaks),
    "lag": Option(1, "d: years between the two ends of a transition", int, low=1),
    "lag_classes": Option("lag", "classes of the neighbours' spatial lag: its own pooled quantiles (lag, "
                          "as giddy and Rey 2001) or the score's breaks (score)", str, ("lag", "score")),
    "split_year": Option(None, "first start year of the second sub-period of the time homogeneity test "
                         "(default: the middle start year)", int),
})
