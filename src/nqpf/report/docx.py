"""The Word report (``report.docx``).

Same content as the HTML report. Tables are three-line tables (三线表): a heavy rule above and below
the table (1.5 pt), a thin rule under the header row (0.75 pt), no vertical lines and no other
horizontal rules, set in the table XML (``w:tblBorders`` and the header cells' ``w:tcBorders``).
Table captions (表1 …) sit above tables, figure captions (图1 …) below figures. East Asian text is set
in the language's fonts (``lang.docx_font_body`` / ``lang.docx_font_heading``: 宋体 and 黑体 in Simplified
Chinese) through ``w:rFonts/@w:eastAsia``. Long tables are shortened with a note
pointing to the workbook. Core properties carry a fixed date, so the file is deterministic.
"""
from __future__ import annotations

import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from ..i18n import t as tr
from ._model import (BOOK_NAME, Bullets, FigureBlock, Formula, Heading, Para, TableBlock, build_document,
                     caption_text, format_value, split_markup, subtitle)
from .atomic import atomic_write_bytes, normalize_zip
from .excel import FIXED_TIME

__all__ = ["write_docx", "docx_bytes", "RULE_HEAVY", "RULE_THIN", "MAX_ROWS", "MAX_COLS"]

#: Border widths in eighths of a point (w:sz): 1.5 pt top/bottom rules, 0.75 pt header rule.
RULE_HEAVY = 12
RULE_THIN = 6
#: Long tables are cut to this many rows / columns in Word (the workbook has them in full).
MAX_ROWS = 30
MAX_COLS = 13

_BODY_LATIN = "Times New Roman"
_TEXT_WIDTH_CM = 16.0


def _set_fonts(rpr_parent, latin: str, cjk: str) -> None:
    """Set ``w:rFonts`` (ascii, hAnsi, cs, eastAsia) on a run or a style, dropping theme fonts."""
    rpr = rpr_parent.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for a in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        if rfonts.get(qn(a)) is not None:
            del rfonts.attrib[qn(a)]
    rfonts.set(qn("w:ascii"), latin)
    rfonts.set(qn("w:hAnsi"), latin)
    rfonts.set(qn("w:cs"), latin)
    rfonts.set(qn("w:eastAsia"), cjk)


def _border(tag: str, val: str, sz: int = 0) -> OxmlElement:
    el = OxmlElement(tag)
    el.set(qn("w:val"), val)
    if val != "nil":
        el.set(qn("w:sz"), str(sz))
        el.set(qn("w:space"), "0")
        el.set(qn("w:color"), "000000")
    return el


def _three_line(table) -> None:
    """Three-line borders: heavy top and bottom, thin rule under the header row, nothing else."""
    tblPr = table._tbl.tblPr
    old = tblPr.find(qn("w:tblBorders"))
    if old is not None:
        tblPr.remove(old)
    borders = OxmlElement("w:tblBorders")
    borders.append(_border("w:top", "single", RULE_HEAVY))
    borders.append(_border("w:left", "nil"))
    borders.append(_border("w:bottom", "single", RULE_HEAVY))
    borders.append(_border("w:right", "nil"))
    borders.append(_border("w:insideH", "nil"))
    borders.append(_border("w:insideV", "nil"))
    # schema order inside w:tblPr: tblStyle, ..., tblW, jc, ..., tblBorders, shd, tblLayout, ...
    anchor = None
    for tag in ("w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook"):
        anchor = tblPr.find(qn(tag))
        if anchor is not None:
            break
    if anchor is not None:
        anchor.addprevious(borders)
    else:
        tblPr.append(borders)
    hdr = table.rows[0]
    trPr = hdr._tr.get_or_add_trPr()
    th = OxmlElement("w:tblHeader")    # repeat the header row on every page
    th.set(qn("w:val"), "true")
    trPr.append(th)
    for cell in hdr.cells:
        tcPr = cell._tc.get_or_add_tcPr()
        tcb = OxmlElement("w:tcBorders")
        tcb.append(_border("w:bottom", "single", RULE_THIN))
        tcPr.append(tcb)


def _add_runs(par, text: str, size: float | None = None, bold: bool = False, italic: bool = False):
    for piece, kind in split_markup(text):
        if kind == "bar":   # D̄: combining overline
            piece, kind = "".join(ch + "\u0304" for ch in piece), ""
        run = par.add_run(piece)
        if kind == "sub":
            run.font.subscript = True
        elif kind == "sup":
            run.font.superscript = True
        if size:
            run.font.size = Pt(size)
        run.bold = bold or None
        run.italic = italic or None


def _head_font(lang: str) -> str:
    """East Asian font of headings and captions (``lang.docx_font_heading``: 黑体, 微軟正黑體)."""
    return tr("lang.docx_font_heading", lang)


def _caption(doc, text: str, above: bool, lang: str):
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    fmt = p.paragraph_format
    fmt.space_before = Pt(6 if above else 2)
    fmt.space_after = Pt(2 if above else 8)
    fmt.keep_with_next = above
    run = p.add_run(text)
    run.bold = True
    run.font.size = Pt(10.5)
    _set_fonts(run._r, _BODY_LATIN, _head_font(lang))
    return p


def _shorten(b: TableBlock, lang: str):
    """The rows / columns of a table shown in Word (a Localized) and the note saying what was left out."""
    loc, omitted = b.loc, b.omitted
    note = None
    total = len(loc.frame)
    if b.long and b.significant is not None:
        idx = [i for i, s in enumerate(b.significant) if s]
        shown = idx[:MAX_ROWS]
        note = tr("note.significant_only", lang, shown=len(shown), n_sig=len(idx), total=total,
                  book=BOOK_NAME, sheet=b.sheet)
        loc = _rows(loc, shown)
    elif b.long and total > MAX_ROWS:
        loc = _rows(loc, list(range(MAX_ROWS)))
        note = tr("note.truncated", lang, shown=MAX_ROWS, total=total, book=BOOK_NAME, sheet=b.sheet)
    if len(loc.headers) > MAX_COLS:
        cnote = tr("note.truncated_cols", lang, shown=MAX_COLS, total=len(loc.headers), book=BOOK_NAME,
                   sheet=b.sheet)
        loc = loc.subset(list(loc.frame.columns[:MAX_COLS]))
        note = cnote if note is None else note + " " + cnote
    elif omitted:
        cnote = tr("note.more_columns", lang, n=omitted, book=BOOK_NAME, sheet=b.sheet)
        note = cnote if note is None else note + " " + cnote
    return loc, note


def _rows(loc, idx):
    from ..outputs import Localized

    return Localized(loc.key, loc.frame.iloc[idx], loc.headers, loc.kinds)


def _table(doc, b: TableBlock, lang: str) -> None:
    loc, note = _shorten(b, lang)
    df, kinds, heads = loc.frame, loc.kinds, loc.headers
    _caption(doc, caption_text("table", b.number, b.caption, lang), above=True, lang=lang)
    ncols = max(len(df.columns), 1)
    size = 9 if ncols <= 8 else 7.5
    table = doc.add_table(rows=len(df) + 1, cols=ncols)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    cells = table._cells  # flat, row-major: faster than table.cell(i, j)

    def put(idx, text, align, bold=False):
        par = cells[idx].paragraphs[0]
        par.alignment = align
        par.paragraph_format.space_before = Pt(0)
        par.paragraph_format.space_after = Pt(0)
        run = par.add_run(text)
        run.font.size = Pt(size)
        if bold:
            run.bold = True

    for j, h in enumerate(heads):
        put(j, h, WD_ALIGN_PARAGRAPH.CENTER, bold=True)
    for i, row in enumerate(df.itertuples(index=False, name=None), start=1):
        for j, (v, k) in enumerate(zip(row, kinds)):
            put(i * ncols + j, format_value(v, k, lang),
                WD_ALIGN_PARAGRAPH.LEFT if k == "text" else WD_ALIGN_PARAGRAPH.CENTER)
    _fit_widths(table, list(heads),
                [[format_value(v, k, lang) for v, k in zip(row, kinds)]
                 for row in df.itertuples(index=False, name=None)], size_pt=size)
    _three_line(table)
    if note:
        p = doc.add_paragraph()
        p.paragraph_format.space_before = Pt(2)
        _add_runs(p, note, size=9)
    else:
        doc.add_paragraph().paragraph_format.space_after = Pt(0)


def _display_width(text: str) -> int:
    """Width of ``text`` in half-em units: CJK and full-width characters count double."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(text))


def _fit_widths(table, heads, rows, size_pt: float = 9.0) -> None:
    """Column widths from their content, filling the text width.

    Narrow columns (numbers, codes) get their natural width (half-em per character plus cell padding);
    the rest of the text width goes to wide columns (notes, recommendations) in proportion to their
    content. Word's autofit gives every column the same width, which squeezes a notes column into a
    tall strip and wraps numbers.
    """
    n = len(heads)
    if n == 0:
        return
    half_em_cm = size_pt / 2 / 72 * 2.54 * 1.08
    pad_cm = 0.42
    need = []
    for j in range(n):
        longest = max([_display_width(r[j]) for r in rows] or [0])
        head = max((_display_width(w) for w in str(heads[j]).split()), default=0)
        need.append(max(longest, min(head, 6), 3))  # a header may wrap over lines; values may not
    natural = [k * half_em_cm + pad_cm for k in need]
    if sum(natural) <= _TEXT_WIDTH_CM:
        scale = _TEXT_WIDTH_CM / sum(natural)  # spread the spare width evenly
        widths = [w * scale for w in natural]
    else:
        narrow = [w <= 3.0 for w in natural]
        fixed = sum(w for w, nw in zip(natural, narrow) if nw)
        rest = _TEXT_WIDTH_CM - fixed
        wide_need = sum(k for k, nw in zip(need, narrow) if not nw)
        if wide_need and rest >= 2.0 * sum(1 for nw in narrow if not nw):
            widths = [w if nw else max(2.0, rest * k / wide_need) for w, k, nw in zip(natural, need, narrow)]
        else:  # too many columns: scale everything
            widths = natural
        scale = _TEXT_WIDTH_CM / sum(widths)
        widths = [w * scale for w in widths]
    table.autofit = False
    for j, col in enumerate(table.columns):
        col.width = Cm(widths[j])
        for cell in col.cells:
            cell.width = Cm(widths[j])


def _figure(doc, b: FigureBlock, lang: str) -> None:
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.keep_with_next = True
    width_cm = 15.0
    if b.width:
        width_cm = min(width_cm, b.width / 96 * 2.54)
    p.add_run().add_picture(io.BytesIO(b.data), width=Cm(width_cm))
    _caption(doc, caption_text("figure", b.number, b.caption, lang), above=False, lang=lang)


def _setup(doc, lang: str) -> None:
    sec = doc.sections[0]
    sec.orientation = WD_ORIENT.PORTRAIT
    sec.page_width, sec.page_height = Cm(21.0), Cm(29.7)
    sec.left_margin = sec.right_margin = Cm(2.5)
    sec.top_margin = sec.bottom_margin = Cm(2.5)
    normal = doc.styles["Normal"]
    normal.font.size = Pt(10.5)
    _set_fonts(normal.element, _BODY_LATIN, tr("lang.docx_font_body", lang))
    lang_el = normal.element.get_or_add_rPr().find(qn("w:lang"))
    if lang_el is None:
        lang_el = OxmlElement("w:lang")
        normal.element.get_or_add_rPr().append(lang_el)
    lang_el.set(qn("w:val"), "en-US")
    lang_el.set(qn("w:eastAsia"), tr("lang.docx_east_asia", lang))
    for name in ("Heading 1", "Heading 2", "Heading 3", "Title"):
        st = doc.styles[name]
        _set_fonts(st.element, _BODY_LATIN, _head_font(lang))
        st.font.color.rgb = RGBColor(0, 0, 0)
    doc.styles["Heading 1"].font.size = Pt(14)
    doc.styles["Heading 2"].font.size = Pt(12)


def docx_bytes(results, lang: str = "zh", figures=None) -> bytes:
    """The Word report of ``results`` in ``lang`` as deterministic docx bytes."""
    title, blocks, _ = build_document(results, lang, figures)
    meta = dict(results.params)
    indent = float(tr("lang.indent", lang) or 0)  # first-line indent of paragraphs (pt), 0: none
    doc = Document()
    _setup(doc, lang)
    tp = doc.add_paragraph()
    tp.alignment = WD_ALIGN_PARAGRAPH.CENTER
    r = tp.add_run(title)
    r.bold = True
    r.font.size = Pt(18)
    _set_fonts(r._r, _BODY_LATIN, _head_font(lang))
    sub = subtitle(meta, lang)
    if sub:
        sp = doc.add_paragraph()
        sp.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _add_runs(sp, sub, size=9)
    for b in blocks:
        if isinstance(b, Heading):
            doc.add_heading(b.text, level=1 if b.level == 2 else 2)
        elif isinstance(b, Para):
            p = doc.add_paragraph()
            p.paragraph_format.first_line_indent = Pt(indent) if indent else None
            _add_runs(p, b.text)
        elif isinstance(b, Bullets):
            for item in b.items:
                _add_runs(doc.add_paragraph(style="List Bullet"), item)
        elif isinstance(b, Formula):
            p = doc.add_paragraph()
            stops = p.paragraph_format.tab_stops
            stops.add_tab_stop(Cm(_TEXT_WIDTH_CM / 2), WD_TAB_ALIGNMENT.CENTER)
            stops.add_tab_stop(Cm(_TEXT_WIDTH_CM), WD_TAB_ALIGNMENT.RIGHT)
            p.add_run("\t")
            _add_runs(p, b.text, italic=True)
            p.add_run(f"\t({b.number})")
        elif isinstance(b, TableBlock):
            _table(doc, b, lang)
        elif isinstance(b, FigureBlock):
            _figure(doc, b, lang)
    cp = doc.core_properties
    cp.title = title
    cp.author = "nqpf"
    cp.comments = ""
    cp.last_modified_by = "nqpf"
    cp.revision = 1
    cp.language = tr("report.locale", lang)
    cp.created = FIXED_TIME
    cp.modified = FIXED_TIME
    cp.last_printed = FIXED_TIME
    buf = io.BytesIO()
    doc.save(buf)
    return normalize_zip(buf.getvalue())


def write_docx(results, path, *, lang: str = "zh", figures=None):
    """Write the Word report of ``results`` in ``lang`` to ``path`` atomically; return the path.
    ``figures`` maps figure keys to PNG files."""
    return atomic_write_bytes(path, docx_bytes(results, lang, figures))
