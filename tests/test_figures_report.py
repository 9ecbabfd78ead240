"""Report notes that send the reader to the full table (workbook sheet, CSV file, or the output
formats that write it) and the terms of the convergence models in words.

Reference: the catalogue texts themselves (every note in zh and en, no workbook named when it is not
written) and the kernel's term codes (``const``, ``ln_y0``, ``ln_y``) kept in the CSV.
"""
from __future__ import annotations

import warnings

import pytest

from nqpf.i18n import catalogue
from nqpf.report._model import BOOK_NAME, TableBlock, build_document, full_tables, where_note

NOTES = {"note.truncated": dict(shown=5, total=9), "note.truncated_cols": dict(shown=5, total=9),
         "note.significant_only": dict(shown=5, n_sig=6, total=9),
         "note.top_bottom": dict(k=3, n=9, basis="score"), "note.more_columns": dict(n=2),
         "note.also_in_sheet": {}, "report.footer": {}}


@pytest.fixture(scope="module")
def demo():
    from nqpf import pipeline

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pipeline.demo(permutations=9)


def test_full_tables_from_formats():
    assert full_tables(["csv", "xlsx", "html"]) == "xlsx"
    assert full_tables(("csv", "html")) == "csv"
    assert full_tables(["html", "docx"]) is None


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_where_note_every_place(lang):
    cat = catalogue(lang)
    for key, args in NOTES.items():
        assert key + ".csv" in cat and key + ".none" in cat, key
        book = where_note(key, lang, place="xlsx", sheet="S1", table="scores", **args)
        assert BOOK_NAME in book
        csv = where_note(key, lang, place="csv", sheet="S1", table="scores", **args)
        none = where_note(key, lang, place=None, sheet="S1", table="scores", **args)
        assert BOOK_NAME not in csv and BOOK_NAME not in none and "{" not in csv + none
        if key != "report.footer":
            assert "tables/scores.csv" in csv and "xlsx" in none and "csv" in none
    with pytest.raises(ValueError):
        where_note("note.truncated", lang, place="pdf", **NOTES["note.truncated"])


@pytest.mark.parametrize("place", ["csv", None])
def test_report_without_workbook_names_no_workbook(demo, place):
    _, doc, _ = build_document(demo, "zh", max_rows=5, place=place)
    blocks = [b for b in doc if isinstance(b, TableBlock)]
    notes = [b.note for b in blocks if b.note]
    assert notes and not any(BOOK_NAME in n for n in notes)
    assert all(b.place == place and b.where["place"] == place for b in blocks)
    if place == "csv":
        assert any(f"tables/{b.key}.csv" in (b.note or "") for b in blocks)
    _, doc, _ = build_document(demo, "zh", max_rows=5)   # default: the workbook
    assert any(BOOK_NAME in (b.note or "") for b in doc if isinstance(b, TableBlock))


def test_convergence_terms_in_words_codes_in_the_csv(demo):
    from nqpf.outputs import csv_frame, localized

    item = demo.items["convergence_terms"]
    assert set(item.data["term"]) == {"const", "ln_y0", "ln_y"}
    for lang, words in (("zh", {"截距", "ln y₀（初始年份得分的对数）"}), ("en", {"Intercept"})):
        loc = localized(item, lang, demo)
        assert words <= set(loc.frame["term_label"])
        assert dict(zip(loc.frame.columns, loc.headers))["term_label"] == catalogue(lang)["col.beta_term"]
    assert "term_label" not in csv_frame(item, demo.regions).columns
    _, doc, _ = build_document(demo, "en", max_rows=60)
    (b,) = [b for b in doc if isinstance(b, TableBlock) and b.key == "convergence_terms"]
    assert list(b.df.columns[:3]) == ["model", "group", "term_label"] and "term" not in b.df.columns


def test_control_variables_pass_through_unchanged():
    import pandas as pd

    from nqpf.analyses.convergence import _term_words

    data = pd.DataFrame({"term": ["const", "ln_y0", "open", "gov_spending"]})
    assert _term_words(data, "en") == ["Intercept", "ln y₀ (log score in the initial year)", "open",
                                       "gov_spending"]
