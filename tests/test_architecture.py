"""The v2 contract: self-describing results, one home for language, one writer.

* every table and figure any analysis can produce has a caption and column labels in every language of
  the catalogue, and every category code it holds has words;
* ``tables/*.csv`` are byte-identical whatever the output language (demo, analyze, run);
* the Chinese HTML and Word reports show no raw snake_case key in a heading, caption or column header.
"""
from __future__ import annotations

import hashlib
import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from nqpf.cli import app
from nqpf.i18n import LANGS, OPTIONAL_PREFIXES, catalogue, pick, t
from nqpf.results import LIST_SEP, SECTIONS, Figure, Methods, Table

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
TECHME = SHARED / "data" / "techme_china_province_scitech_long_2000_2023.csv"
CONFIG = ROOT / "examples" / "scitech" / "config.toml"
SCORES = ROOT / "src" / "nqpf" / "datasets" / "data" / "ran2025_table2_scores.csv"
runner = CliRunner()


# ------------------------------------------------------------------------------------- results
@pytest.fixture(scope="module")
def demo_results():
    from nqpf.pipeline import demo

    return demo(permutations=99)


@pytest.fixture(scope="module")
def optional_results():
    """Every optional analysis switched on (hot spots with a correction)."""
    from nqpf.datasets import load_ran2025_scores
    from nqpf.pipeline import analyze

    return analyze(load_ran2025_scores(wide=True), "china-provinces", permutations=99,
                   options={"hotspots.correction": "fdr"})


@pytest.fixture(scope="module")
def run_results():
    if not TECHME.exists():
        pytest.skip(f"shared data not found: {TECHME}")
    from nqpf.pipeline import run_config

    return run_config(CONFIG)


def _every_result(*results):
    return list(results)


def _codes(table: Table, column) -> set:
    vals = table.data[column.name].dropna().astype(str)
    if column.kind == "codes":
        return {x for v in vals for x in v.split(LIST_SEP) if x}
    return {v for v in vals if v}


def test_every_item_is_described_in_every_language(demo_results, run_results, optional_results):
    seen_tables, seen_figures = set(), set()
    problems = []
    for res in _every_result(demo_results, run_results, optional_results):
        for item in res.items.values():
            for lang in LANGS:
                cat = catalogue(lang)
                if f"section.{item.section}" not in cat:
                    problems.append((lang, item.key, f"section.{item.section}"))
                key = item.caption_key if isinstance(item, Table) else item.caption
                if key not in cat:
                    problems.append((lang, item.key, key))
                if isinstance(item, Methods):
                    for pkey, args in item.paragraphs:
                        problems += [(lang, item.key, k) for k in
                                     [pkey] + [v[1:] for v in args.values() if str(v).startswith("@")]
                                     if k not in cat]
                    text = " ".join(item.texts(lang))
                    if "{" in text.replace("_{", "").replace("^{", "").replace("!{", ""):
                        problems.append((lang, item.key, "unfilled placeholder"))
                if isinstance(item, Table):
                    if f"table.{item.key}" not in cat:
                        problems.append((lang, item.key, f"table.{item.key}"))
                    for c in item.columns:
                        if c.names:  # the user's names: the language's own or its lang.fallback's
                            if not pick(c.names, lang):
                                problems.append((lang, item.key, f"names of {c.name}"))
                            continue
                        if c.label_key not in cat:
                            problems.append((lang, item.key, c.label_key))
                        if c.qualifier:
                            fam, *vals = c.qualifier
                            problems += [(lang, item.key, f"cat.{fam}.{v}") for v in vals
                                         if f"cat.{fam}.{v}" not in cat]
                        if c.kind in ("code", "codes"):
                            problems += [(lang, item.key, f"cat.{c.codes}.{v}") for v in _codes(item, c)
                                         if f"cat.{c.codes}.{v}" not in cat]
            if isinstance(item, Methods):
                continue
            (seen_tables if isinstance(item, Table) else seen_figures).add(item.key.split("_20")[0])
    assert not problems, f"{len(problems)} missing catalogue entries, e.g. {problems[:10]}"
    # the enumeration really covers the analyses (a test that walks nothing cannot fail)
    assert {"scores", "disparity", "dagum_gini", "moran_global", "moran_local", "quadrant_transitions",
            "strategy", "table3_comparison", "weights", "group_weights", "normalized", "obstacles",
            "obstacles_by_group", "audit", "descriptive", "getis_ord"} <= seen_tables
    assert {"fig1_disparity", "fig2_moran_scatter", "heatmap", "rank_changes", "map", "lisa_map",
            "profile_first", "profile_last", "hotspot_map"} <= seen_figures


def test_catalogues_have_the_same_keys_and_placeholders():
    def keys(lang):  # optional families (region.<code>) aside
        return {k for k in catalogue(lang) if not k.startswith(OPTIONAL_PREFIXES)}

    zh = catalogue("zh")
    ph = re.compile(r"\{(\w+)\}")
    for lang in LANGS:
        other = catalogue(lang)
        assert keys(lang) == keys("zh"), (lang, sorted(keys(lang) ^ keys("zh"))[:20])
        for k in keys("zh"):
            assert set(ph.findall(zh[k])) == set(ph.findall(other[k])), (lang, k)


def test_sections_have_headings():
    for lang in LANGS:
        for s in SECTIONS:
            assert t(f"section.{s}", lang) != f"section.{s}"


def test_tables_hold_codes_not_words(demo_results):
    """Computed tables hold codes: no Chinese text in the data of a demo table (the CSV adds the user's
    region spelling only when writing)."""
    cjk = re.compile(r"[\u3400-\u9fff]")
    for tab in demo_results.tables():
        for c in tab.columns:
            if c.kind == "rendered":
                continue
            vals = tab.data[c.name].dropna().astype(str)
            assert not any(cjk.search(v) for v in vals), (tab.key, c.name)
        assert not any(cjk.search(str(c)) for c in tab.data.columns), tab.key


def test_results_are_frozen(demo_results):
    with pytest.raises(Exception):
        demo_results.params["seed"] = 1
    with pytest.raises(Exception):
        demo_results.items["x"] = None
    with pytest.raises(KeyError, match="did you mean"):
        demo_results["moran_globl"]


def test_a_new_table_needs_its_catalogue_entries(demo_results):
    """The check above fails for an item that has no words: a table added without catalogue entries."""
    from nqpf.results import Column

    df = pd.DataFrame({"year": [2010], "brand_new_stat": [1.0]})
    tab = Table("brand_new", df, (Column("year", "year"), Column("brand_new_stat")), "spatial")
    res = demo_results.with_items([tab])
    cat = catalogue("zh")
    assert tab.caption_key not in cat and "col.brand_new_stat" not in cat
    assert "brand_new" in res and res.table("brand_new").equals(df)


# ------------------------------------------------------------------------ CSV language-free
def _csv_digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted((folder / "tables").glob("*"))}


def _invoke(args):
    r = runner.invoke(app, args, catch_exceptions=False)
    assert r.exit_code == 0, r.output
    return r


@pytest.mark.parametrize("command", ["demo", "analyze", "run"])
def test_csv_tables_identical_in_every_language(tmp_path, command):
    if command == "run" and not TECHME.exists():
        pytest.skip(f"shared data not found: {TECHME}")
    digests = {}
    for lang in LANGS:
        out = tmp_path / lang
        if command == "demo":
            args = ["demo", "--out", str(out), "--permutations", "99"]
        elif command == "analyze":
            args = ["analyze", str(SCORES), "--weights", "china-provinces", "--out", str(out),
                    "--permutations", "99"]
        else:
            args = ["run", str(CONFIG), "--out", str(out)]
        _invoke(args + ["--lang", lang, "--formats", "csv", "-q"])
        digests[lang] = _csv_digests(out)
    assert all(digests[lang] == digests["zh"] for lang in LANGS), [lang for lang in LANGS
                                                                   if digests[lang] != digests["zh"]]
    assert "meta.json" in digests["zh"] and len(digests["zh"]) >= 8


# ------------------------------------------------------------------ no raw keys in reports
SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
# words that look like keys but are the content of the report (symbols of formulas, file names)
ALLOWED = {"z_rand", "p_rand", "p_sim", "p_norm", "z_norm"}


def _bad(texts):
    return sorted({m for s in texts for m in SNAKE.findall(s) if m not in ALLOWED})


@pytest.fixture(scope="module")
def zh_reports(tmp_path_factory):
    outs = []
    d = tmp_path_factory.mktemp("zh_demo")
    _invoke(["demo", "--out", str(d), "--permutations", "99", "--formats", "png,html,docx", "-q"])
    outs.append(d)
    if TECHME.exists():
        d = tmp_path_factory.mktemp("zh_run")
        _invoke(["run", str(CONFIG), "--out", str(d), "--lang", "zh", "--formats", "png,html,docx", "-q"])
        outs.append(d)
    return outs


def test_chinese_html_has_no_raw_keys(zh_reports):
    for d in zh_reports:
        html = (d / "report.html").read_text(encoding="utf-8")
        texts = re.findall(r"<(?:h1|h2|h3|caption|th|figcaption|summary)[^>]*>(.*?)</", html, flags=re.S)
        assert len(texts) > 20
        assert not _bad(texts), _bad(texts)


def test_chinese_docx_has_no_raw_keys(zh_reports):
    import docx

    for d in zh_reports:
        doc = docx.Document(str(d / "report.docx"))
        texts = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
        texts += [p.text for p in doc.paragraphs if re.match(r"^(表|图)\d+ ", p.text)]
        texts += [c.text for tb in doc.tables for c in tb.rows[0].cells]
        assert len(texts) > 20
        assert not _bad(texts), _bad(texts)


def test_chinese_section_numbers_go_past_ten():
    from nqpf.report._model import section_number

    assert [section_number(i, "zh") for i in (0, 9, 10, 11, 19, 20)] == ["一、", "十、", "十一、", "十二、", "二十、", "二十一、"]
    assert section_number(10, "en") == "11 "


# ------------------------------------------------------------------------------- notebooks
def test_results_and_items_render_in_notebooks(demo_results):
    from nqpf.i18n import set_default_lang

    try:
        set_default_lang("en")
        html = demo_results._repr_html_()
        assert "moran_global" in html and "Global Moran" in html and "Table" in html
        tab = demo_results["strategy"]._repr_html_()
        assert "Beijing" in tab and "Strategic focus" in tab        # names and rendered sentences
        fig = demo_results["fig1_disparity"]._repr_html_()
        assert fig.startswith("<figure><img src=\"data:image/png;base64,")
        set_default_lang("zh")
        assert "北京" in demo_results["strategy"]._repr_html_()
    finally:
        set_default_lang("zh")
    with pytest.raises(Exception, match="unknown language"):
        set_default_lang("fr")


def test_family_texts_do_not_redefine_catalogue_keys():
    """A family's texts (i18n/_families/<name>.py) add keys; redefining a key differently is an error."""
    from nqpf.i18n import conflicts

    assert conflicts() == []
