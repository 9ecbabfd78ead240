"""Reports: the results workbook, a self-contained HTML report and a Word report.

Every writer takes a :class:`ReportInput` (the fields of :class:`nqpf.study.Results`) and writes its
file atomically: the bytes are built in memory, written to a temporary file beside the target and
renamed over it, so a failure never leaves a half-written report. :func:`write_report` writes all
three into one folder through :func:`atomic_output_dir`.

Output is deterministic: no wall-clock time is written anywhere (document properties and zip member
dates are fixed), so the same input gives byte-identical files.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .atomic import atomic_output_dir, atomic_write, atomic_write_bytes

__all__ = ["ReportInput", "write_excel", "write_html", "write_docx", "write_report", "FILE_NAMES",
           "atomic_write", "atomic_write_bytes", "atomic_output_dir"]


@dataclass
class ReportInput:
    """What a report is made of.

    Attributes
    ----------
    tables : dict[str, pandas.DataFrame]
        Keys among ``scores, weights, normalized, disparity, moran_global, moran_local,
        quadrant_transitions, strategy, obstacles, audit`` (any may be missing; other keys are
        written to the workbook and the appendix as they are).
    figures : dict[str, pathlib.Path]
        PNG files; keys like ``disparity``, ``moran_scatter``, ``map_<year>``, ``lisa_map_<year>``,
        ``heatmap``, ``rank_changes``.
    meta : dict
        ``title``, data ``source``, ``spec``, every parameter (``weighting``, ``normalization``,
        ``pooled``, ``shift``, ``permutations``, ``seed``, ``alternative``, ``weights``, ``island``...),
        ``version`` and ``conventions`` (text or list of lines). Shown in the order given.
    lang : {"zh", "en"}
        Language of every label.
    """

    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    figures: dict[str, Path] = field(default_factory=dict)
    meta: dict = field(default_factory=dict)
    lang: str = "zh"

    @classmethod
    def from_results(cls, results, lang: str | None = None) -> "ReportInput":
        """Take the fields of any results-like object (``tables``, ``figures``, ``meta``, ``lang``)."""
        return cls(dict(getattr(results, "tables", {}) or {}), dict(getattr(results, "figures", {}) or {}),
                   dict(getattr(results, "meta", {}) or {}), lang or getattr(results, "lang", "zh"))


from .docx import write_docx  # noqa: E402  (the writers import ReportInput's module lazily)
from .excel import write_excel  # noqa: E402
from .html import write_html  # noqa: E402

#: File names written by :func:`write_report`.
FILE_NAMES = {"xlsx": "results.xlsx", "html": "report.html", "docx": "report.docx"}


def write_report(inp: ReportInput, out_dir, formats=("xlsx", "html", "docx")) -> dict[str, Path]:
    """Write the chosen reports into ``out_dir`` (``results.xlsx``, ``report.html``, ``report.docx``).

    All files are built in a temporary sibling folder and moved in only when every one succeeded;
    returns ``{format: final path}``.
    """
    writers = {"xlsx": write_excel, "html": write_html, "docx": write_docx}
    bad = [f for f in formats if f not in writers]
    if bad:
        from ..errors import InputError
        raise InputError(f"unknown report format(s) {bad}; choose from {sorted(writers)}")
    out_dir = Path(out_dir)
    with atomic_output_dir(out_dir) as tmp:
        for f in formats:
            writers[f](inp, tmp / FILE_NAMES[f])
    return {f: out_dir / FILE_NAMES[f] for f in formats}
