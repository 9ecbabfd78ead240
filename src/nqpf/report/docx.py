"""The Word report (``report.docx``).

Same content as the HTML report. Tables are three-line tables (三线表): a heavy rule above and below
the table (1.5 pt), a thin rule under the header row (0.75 pt), no vertical lines and no other
horizontal rules, set in the table XML (``w:tblBorders`` and the header cells' ``w:tcBorders``).
Table captions (表1 …) sit above tables, figure captions (图1 …) below figures. East Asian text is set
in the language's fonts (``lang.docx_font_body`` / ``lang.docx_font_heading``: 宋体 and 黑体 in Simplified
Chinese) through ``w:rFonts/@w:eastAsia``. A table shows at most :data:`MAX_ROWS` rows, chosen by
:func:`nqpf.report._model.select_rows` (the top and bottom regions of a large panel, the significant
rows of a local statistic …) with a note pointing to the workbook (or the CSV files when no workbook
is written), which has every row; so the size and the writing time of the report do not grow with
the number of regions. Each table's XML is built as one string and parsed once (no per-cell python-docx calls). Core properties carry a fixed date, so
the file is deterministic.
"""
from __future__ import annotations

import io
import re
from xml.sax.saxutils import escape

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from ..i18n import t as tr
from ._model import (WORD_MAX_ROWS, Bullets, FigureBlock, Formula, Heading, Para, TableBlock,
                     build_document, caption_text, format_value, split_markup, subtitle, where_note)
from .atomic import atomic_write_bytes, normalize_zip, zip_members
from .excel import FIXED_TIME

__all__ = ["write_docx", "docx_bytes", "RULE_HEAVY", "RULE_THIN", "MAX_ROWS", "MAX_COLS"]

#: Border widths in eighths of a point (w:sz): 1.5 pt top/bottom rules, 0.75 pt header rule.
RULE_HEAVY = 12
RULE_THIN = 6
#: Tables are cut to this many rows / columns in Word (the workbook has them in full); which rows is
#: decided by :func:`nqpf.report._model.select_rows` (top and bottom regions, significant rows ...).
MAX_ROWS = WORD_MAX_ROWS
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
    """The columns of a table shown in Word (a Localized; the rows were chosen when the document was
    built, :func:`nqpf.report._model.select_rows`) and the note saying what was left out."""
    loc, omitted = b.loc, b.omitted
    note = b.note
    if len(loc.headers) > MAX_COLS:
        cnote = where_note("note.truncated_cols", lang, shown=MAX_COLS, total=len(loc.headers), **b.where)
        loc = loc.subset(list(loc.frame.columns[:MAX_COLS]))
        note = cnote if note is None else note + " " + cnote
    elif omitted:
        cnote = where_note("note.more_columns", lang, n=omitted, **b.where)
        note = cnote if note is None else note + " " + cnote
    return loc, note


_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_BAD_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_TWIPS_PER_CM = 1440 / 2.54


def _run_xml(text: str, half_points: int, bold: bool = False, italic: bool = False) -> str:
    """One ``w:r``: the text (line breaks as ``w:br``) with its size and weight."""
    props = ("<w:b/>" if bold else "") + ("<w:i/>" if italic else "") + f'<w:sz w:val="{half_points}"/>'
    pieces = [escape(_BAD_XML.sub("", piece)) for piece in str(text).split("\n")]
    body = "<w:br/>".join(f'<w:t xml:space="preserve">{p}</w:t>' for p in pieces)
    return f"<w:r><w:rPr>{props}</w:rPr>{body}</w:r>"


def _cell_xml(text: str, width: int, align: str, half_points: int, *, bold=False, italic=False,
              header=False, span: int = 1) -> str:
    borders = (f'<w:tcBorders><w:bottom w:val="single" w:sz="{RULE_THIN}" w:space="0" w:color="000000"/>'
               "</w:tcBorders>") if header else ""
    grid = f'<w:gridSpan w:val="{span}"/>' if span > 1 else ""
    run = _run_xml(text, half_points, bold, italic) if text != "" else ""
    return (f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{grid}{borders}</w:tcPr>'
            f'<w:p><w:pPr><w:spacing w:before="0" w:after="0"/><w:jc w:val="{align}"/></w:pPr>{run}</w:p></w:tc>')


def _table_xml(heads, rows, aligns, widths_cm, size_pt: float, gap: int | None) -> str:
    """The whole ``w:tbl`` of a three-line table as one string: built in bulk, parsed once (writing cell
    by cell through python-docx's objects cost tens of milliseconds per hundred cells)."""
    hp = int(round(size_pt * 2))
    tw = [int(round(w * _TWIPS_PER_CM)) for w in widths_cm]
    out = [f'<w:tbl xmlns:w="{_W_NS}"><w:tblPr><w:tblW w:w="0" w:type="auto"/><w:jc w:val="center"/>'
           f'<w:tblBorders><w:top w:val="single" w:sz="{RULE_HEAVY}" w:space="0" w:color="000000"/>'
           '<w:left w:val="nil"/>'
           f'<w:bottom w:val="single" w:sz="{RULE_HEAVY}" w:space="0" w:color="000000"/>'
           '<w:right w:val="nil"/><w:insideH w:val="nil"/><w:insideV w:val="nil"/></w:tblBorders>'
           '<w:tblLayout w:type="fixed"/>'
           '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="1" w:lastColumn="0" '
           'w:noHBand="0" w:noVBand="1"/></w:tblPr><w:tblGrid>']
    out += [f'<w:gridCol w:w="{w}"/>' for w in tw]
    out.append('</w:tblGrid><w:tr><w:trPr><w:tblHeader w:val="true"/></w:trPr>')
    out += [_cell_xml(h, w, "center", hp, bold=True, header=True) for h, w in zip(heads, tw)]
    out.append("</w:tr>")
    for i, row in enumerate(rows):
        if gap is not None and i == gap:  # the "… m further regions …" row spans the table
            out.append(f"<w:tr>{_cell_xml(row[0], sum(tw), 'center', hp, italic=True, span=len(tw))}</w:tr>")
            continue
        out.append("<w:tr>" + "".join(_cell_xml(v, w, a, hp) for v, w, a in zip(row, tw, aligns)) + "</w:tr>")
    out.append("</w:tbl>")
    return "".join(out)


def _table(doc, b: TableBlock, lang: str) -> None:
    loc, note = _shorten(b, lang)
    df, kinds, heads = loc.frame, loc.kinds, loc.headers
    _caption(doc, caption_text("table", b.number, b.caption, lang), above=True, lang=lang)
    ncols = max(len(df.columns), 1)
    size = 9 if ncols <= 8 else 7.5
    heads = list(heads) if len(heads) else [""]
    rows = [[format_value(v, k, lang) for v, k in zip(row, kinds)]
            for row in df.itertuples(index=False, name=None)]
    if not len(df.columns):
        rows = [[""] for _ in range(len(df))]
    fit_rows = [r for i, r in enumerate(rows) if i != b.gap]
    widths = _fit_widths(heads, fit_rows, size_pt=size)
    aligns = ["left" if k == "text" else "center" for k in kinds] or ["left"]
    tbl = parse_xml(_table_xml(heads, rows, aligns, widths, size, b.gap))
    doc.element.body._insert_tbl(tbl)
    if note:
        p = doc.add_paragraph()
        p.paragraph_format.space_before = Pt(2)
        _add_runs(p, note, size=9)
    else:
        doc.add_paragraph().paragraph_format.space_after = Pt(0)


def _display_width(text: str) -> int:
    """Width of ``text`` in half-em units: CJK and full-width characters count double."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(text))


def _fit_widths(heads, rows, size_pt: float = 9.0) -> list[float]:
    """Column widths (cm) from their content, filling the text width.

    Narrow columns (numbers, codes) get their natural width (half-em per character plus cell padding);
    the rest of the text width goes to wide columns (notes, recommendations) in proportion to their
    content. Word's autofit gives every column the same width, which squeezes a notes column into a
    tall strip and wraps numbers.
    """
    n = len(heads)
    if n == 0:
        return []
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
    return widths


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


def docx_bytes(results, lang: str = "zh", figures=None, *, place: str | None = "xlsx") -> bytes:
    """The Word report of ``results`` in ``lang`` as deterministic docx bytes; ``place``: where the
    full tables are written (:data:`nqpf.report._model.PLACES`), where the notes send the reader."""
    title, blocks, _ = build_document(results, lang, figures, max_rows=MAX_ROWS, significant_always=True,
                                      place=place)
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
    return _package_bytes(doc)


def _package_bytes(doc) -> bytes:
    """The document's zip package with fixed member dates (:func:`~nqpf.report.atomic.normalize_zip`).

    The members are collected from python-docx's package writer and zipped once, the PNGs stored, not
    deflated (``Document.save`` deflates every member, and the archive would then be rewritten): a
    quarter of the Word report's time. Falls back to ``save`` + ``normalize_zip`` if python-docx's
    writer changes."""
    try:
        from docx.opc.pkgwriter import PackageWriter

        members: list = []

        class _Collect:   # the physical writer's interface: write(pack_uri, blob)
            @staticmethod
            def write(pack_uri, blob):
                members.append((pack_uri.membername, blob))

        pkg = doc.part.package
        for part in pkg.parts:
            part.before_marshal()
        PackageWriter._write_content_types_stream(_Collect, pkg.parts)
        PackageWriter._write_pkg_rels(_Collect, pkg.rels)
        PackageWriter._write_parts(_Collect, pkg.parts)
    except (ImportError, AttributeError, TypeError):   # pragma: no cover - another python-docx
        buf = io.BytesIO()
        doc.save(buf)
        return normalize_zip(buf.getvalue())
    return zip_members(members)


def write_docx(results, path, *, lang: str = "zh", figures=None, place: str | None = "xlsx"):
    """Write the Word report of ``results`` in ``lang`` to ``path`` atomically; return the path.
    ``figures`` maps figure keys to PNG files; ``place`` where the full tables are (:func:`docx_bytes`)."""
    return atomic_write_bytes(path, docx_bytes(results, lang, figures, place=place))
