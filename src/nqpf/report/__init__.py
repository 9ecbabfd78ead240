"""Reports: the results workbook, a self-contained HTML report and a Word report.

Every writer takes a :class:`~nqpf.results.Results` and a language and renders the same blocks
(:func:`nqpf.report._model.build_document`): the items of the results say which section they belong to
and how they are captioned; the writers keep no list of table keys or figure names. Each writer writes
its file atomically (built in memory, written to a temporary file beside the target, renamed over it);
:func:`nqpf.outputs.write` writes them all into one folder, all-or-nothing.

Output is deterministic: no wall-clock time is written anywhere (document properties and zip member
dates are fixed), so the same input gives byte-identical files.
"""
from __future__ import annotations

from .atomic import atomic_output_dir, atomic_write, atomic_write_bytes
from .docx import write_docx
from .excel import write_excel
from .html import write_html

__all__ = ["write_excel", "write_html", "write_docx", "FILE_NAMES", "atomic_write", "atomic_write_bytes",
           "atomic_output_dir"]

#: File names written by :func:`nqpf.outputs.write`.
FILE_NAMES = {"xlsx": "results.xlsx", "html": "report.html", "docx": "report.docx"}
