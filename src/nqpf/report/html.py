"""The self-contained HTML report (``report.html``).

One file: CSS inline, figures embedded as base64 ``data:`` URIs, formulas as text with ``<sub>`` /
``<sup>``, no script and no external request (a Content-Security-Policy meta tag forbids any). Long
tables are folded in ``<details>`` blocks. A table shows at most :data:`~nqpf.report._model.HTML_MAX_ROWS`
rows (a long, folded one :data:`~nqpf.report._model.HTML_MAX_ROWS_LONG`), chosen by
:func:`nqpf.report._model.select_rows` (top and bottom regions of a large panel,
significant rows …) with a note pointing to the workbook, or to the CSV files when no workbook is
written (``place``), which have every row. Built with f-strings and :func:`html.escape` only.
"""
from __future__ import annotations

import base64
from html import escape

from ..i18n import t as tr
from ._model import (HTML_MAX_ROWS, HTML_MAX_ROWS_LONG, Bullets, FigureBlock, Formula, Heading,
                     Para, TableBlock, build_document, caption_text, format_value, split_markup, subtitle,
                     where_note)
from .atomic import atomic_write_bytes

__all__ = ["write_html", "html_text", "CSP"]

#: Content-Security-Policy of the report: nothing may be fetched; images only from data: URIs.
CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"

_CSS = """
:root { color-scheme: light; }
body { margin: 0; background: #f4f5f7; color: #1d2129;
  font-family: @FONTS@,
    "Hiragino Sans GB", "Helvetica Neue", Arial, sans-serif;
  font-size: 16px; line-height: 1.7; }
main { max-width: 1080px; margin: 0 auto; padding: 32px 48px 64px; background: #fff;
  box-shadow: 0 0 12px rgba(0,0,0,.06); }
h1 { font-size: 28px; line-height: 1.35; margin: 8px 0 4px; }
h2 { font-size: 21px; margin: 40px 0 12px; padding-bottom: 4px; border-bottom: 2px solid #1d2129; }
h3 { font-size: 17px; margin: 24px 0 8px; }
p.subtitle { color: #4e5969; margin: 0 0 16px; }
nav.toc { background: #f7f8fa; border: 1px solid #e5e6eb; padding: 8px 20px; margin: 16px 0 8px; }
nav.toc ol { margin: 4px 0; padding-left: 0; list-style: none; columns: 2; }
nav.toc a { color: #1d4ed8; text-decoration: none; }
.formula { display: flex; align-items: baseline; justify-content: center; margin: 6px 0; }
.formula .eq { font-family: "Cambria Math", "STIX Two Math", "Times New Roman", "Noto Serif CJK SC", serif;
  font-style: italic; font-size: 17px; }
.formula .eqno { margin-left: auto; padding-left: 24px; color: #4e5969; }
.formula::before { content: ""; margin-right: auto; }
.table-wrap { overflow-x: auto; margin: 8px 0 20px; }
table.three-line { border-collapse: collapse; margin: 0 auto; font-size: 14px;
  font-variant-numeric: tabular-nums; border-top: 2px solid #000; border-bottom: 2px solid #000; }
table.three-line caption { caption-side: top; font-weight: bold; padding: 6px 0; font-size: 15px; }
table.three-line th { border-bottom: 1px solid #000; padding: 4px 10px; font-weight: 600;
  white-space: nowrap; }
table.three-line td { padding: 3px 10px; vertical-align: top; }
table.three-line td.num { text-align: right; white-space: nowrap; }
table.three-line td.text { text-align: left; max-width: 36em; }
table.three-line tr.gap td { text-align: center; font-style: italic; color: #4e5969; }
.bar { text-decoration: overline; }
p.note { color: #4e5969; font-size: 13px; text-align: center; margin: 4px 0; }
details { margin: 8px 0 20px; border: 1px solid #e5e6eb; border-radius: 4px; padding: 4px 12px; }
details > summary { cursor: pointer; font-weight: bold; padding: 4px 0; }
details .note { color: #4e5969; font-size: 13px; }
figure { margin: 16px auto 24px; text-align: center; }
figure img { max-width: 100%; max-height: 860px; width: auto; height: auto; border: 1px solid #eee; }
figcaption { font-weight: bold; margin-top: 6px; font-size: 15px; }
ul.conventions { margin-top: 0; }
footer { margin-top: 48px; color: #86909c; font-size: 13px; border-top: 1px solid #e5e6eb; padding-top: 8px; }
@media print { body { background: #fff; } main { box-shadow: none; padding: 0; } }
"""


def _css(lang: str) -> str:
    """The style sheet, body fonts of the language first (``lang.css_fonts``)."""
    return _CSS.replace("@FONTS@", tr("lang.css_fonts", lang))


def _markup(text: str) -> str:
    out = []
    for piece, kind in split_markup(text):
        e = escape(piece)
        if kind == "bar":
            out.append(f"<span class=\"bar\">{e}</span>")
        else:
            out.append(f"<{kind}>{e}</{kind}>" if kind else e)
    return "".join(out)


def _table_html(b: TableBlock, lang: str, with_caption: bool) -> str:
    df, kinds, omitted = b.loc.frame, b.loc.kinds, b.omitted
    head = "".join(f"<th scope=\"col\">{escape(h)}</th>" for h in b.loc.headers)
    classes = ["text" if k in ("text", "bool") else "num" for k in kinds]
    rows = []
    for i, row in enumerate(df.itertuples(index=False, name=None)):
        if b.gap is not None and i == b.gap:  # "… m further regions …" of a top-and-bottom summary
            rows.append(f"<tr class=\"gap\"><td colspan=\"{len(kinds)}\">{escape(str(row[0]))}</td></tr>")
            continue
        cells = "".join(f"<td class=\"{c}\">{escape(format_value(v, k, lang))}</td>"
                        for v, k, c in zip(row, kinds, classes))
        rows.append(f"<tr>{cells}</tr>")
    cap = (f"<caption>{escape(caption_text('table', b.number, b.caption, lang))}</caption>"
           if with_caption else "")
    notes = [b.note] if b.note else []
    if omitted:
        notes.append(where_note("note.more_columns", lang, n=omitted, **b.where))
    note = "".join(f"<p class=\"note\">{escape(x)}</p>" for x in notes)
    return (f"<div class=\"table-wrap\"><table class=\"three-line\" id=\"table-{b.number}\">{cap}"
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>{note}</div>")


def _figure_html(b: FigureBlock, lang: str) -> str:
    cap = caption_text("figure", b.number, b.caption, lang)
    uri = f"data:{b.mime};base64,{base64.b64encode(b.data).decode('ascii')}"
    size = f" width=\"{b.width}\" height=\"{b.height}\"" if b.width and b.height else ""
    return (f"<figure id=\"figure-{b.number}\"><img src=\"{uri}\" alt=\"{escape(cap)}\"{size}>"
            f"<figcaption>{escape(cap)}</figcaption></figure>")


def html_text(results, lang: str = "zh", figures=None, *, place: str | None = "xlsx") -> str:
    """The report of ``results`` in ``lang`` as one HTML string (``figures``: key → PNG path).

    ``place``: where the full tables are written (:data:`nqpf.report._model.PLACES`: ``"xlsx"`` the
    workbook, ``"csv"`` the CSV files, None neither; :func:`nqpf.report._model.full_tables` of the
    output formats); the notes and the footer point there.
    """
    title, blocks, _ = build_document(results, lang, figures, max_rows=HTML_MAX_ROWS,
                                      max_rows_long=HTML_MAX_ROWS_LONG, place=place)
    meta = dict(results.params)
    parts: list[str] = []
    toc: list[str] = []
    sec = 0
    for b in blocks:
        if isinstance(b, Heading):
            if b.level == 2:
                sec += 1
                parts.append(f"<h2 id=\"sec-{sec}\">{escape(b.text)}</h2>")
                toc.append(f"<li><a href=\"#sec-{sec}\">{escape(b.text)}</a></li>")
            else:
                parts.append(f"<h3>{escape(b.text)}</h3>")
        elif isinstance(b, Para):
            parts.append(f"<p>{_markup(b.text)}</p>")
        elif isinstance(b, Bullets):
            items = "".join(f"<li>{_markup(x)}</li>" for x in b.items)
            parts.append(f"<ul class=\"conventions\">{items}</ul>")
        elif isinstance(b, Formula):
            parts.append(f"<div class=\"formula\"><span class=\"eq\">{_markup(b.text)}</span>"
                         f"<span class=\"eqno\">({b.number})</span></div>")
        elif isinstance(b, TableBlock):
            if b.long:
                n = b.total or len(b.df)
                cap = caption_text("table", b.number, b.caption, lang)
                note = where_note("note.also_in_sheet", lang, **b.where)
                parts.append(f"<details id=\"details-{b.number}\"><summary>{escape(cap)}"
                             f"{escape(tr('note.n_rows', lang, n=n))}</summary>")
                parts.append(_table_html(b, lang, with_caption=False))
                parts.append(f"<p class=\"note\">{escape(note)}</p></details>")
            else:
                parts.append(_table_html(b, lang, with_caption=True))
        elif isinstance(b, FigureBlock):
            parts.append(_figure_html(b, lang))
    sub = subtitle(meta, lang)
    version = meta.get("version") or meta.get("package_version") or ""
    gen = f"nqpf {version}".strip()
    contents = tr("word.toc", lang)
    footer = where_note("report.footer", lang, place=place)
    return (
        "<!DOCTYPE html>\n"
        f"<html lang=\"{escape(tr('report.locale', lang))}\">\n<head>\n"
        "<meta charset=\"utf-8\">\n"
        f"<meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        f"<meta name=\"generator\" content=\"{escape(gen)}\">\n"
        f"<title>{escape(title)}</title>\n<style>{_css(lang)}</style>\n</head>\n<body>\n<main>\n"
        f"<header><h1>{escape(title)}</h1>"
        + (f"<p class=\"subtitle\">{escape(sub)}</p>" if sub else "")
        + f"</header>\n<nav class=\"toc\"><strong>{contents}</strong><ol>{''.join(toc)}</ol></nav>\n"
        + "\n".join(parts)
        + f"\n<footer>{escape(footer)}</footer>\n</main>\n</body>\n</html>\n"
    )


def write_html(results, path, *, lang: str = "zh", figures=None, place: str | None = "xlsx"):
    """Write the self-contained HTML report of ``results`` in ``lang`` to ``path`` atomically (UTF-8);
    ``figures`` maps figure keys to PNG files, embedded as data URIs; ``place`` where the full tables
    are (:func:`html_text`). Returns the path."""
    return atomic_write_bytes(path, html_text(results, lang, figures, place=place).encode("utf-8"))
