"""The report's methods text: it states the parameters actually used, every sentence comes from the
catalogues (no placeholder left unfilled), and the report writers hold no language branch between two
literal strings (adding a language is one catalogue file)."""
from __future__ import annotations

import ast
import itertools
import re
from pathlib import Path

import pytest

from nqpf.i18n import LANGS, t
from nqpf.report._model import (Bullets, Formula, Heading, Para, TableBlock, _methods, build_document,
                                caption_text, conventions, meta_rows, subtitle)

REPORT = Path(__file__).resolve().parents[1] / "src" / "nqpf" / "report"


# -------------------------------------------------------------------------------------- helpers
@pytest.fixture(scope="module")
def default_demo():
    from nqpf.pipeline import demo

    return demo()


@pytest.fixture(scope="module")
def changed_demo():
    from nqpf.pipeline import demo

    return demo(permutations=99, alternative="two-sided", seed=7, island="none")


def _methods_text(results, lang: str) -> str:
    """Paragraphs of the methods section of the report of ``results`` in ``lang``, one per line."""
    _, blocks, _ = build_document(results, lang, figures={})
    heading = t("section.methods", lang)
    inside, out = False, []
    for b in blocks:
        if isinstance(b, Heading) and b.level == 2:
            inside = b.text.endswith(heading)
        elif inside and isinstance(b, Para):
            out.append(b.text)
    assert out, f"no methods section in the {lang} report"
    return "\n".join(out)


def _texts(blocks) -> list[str]:
    out = []
    for b in blocks:
        if isinstance(b, Heading | Para | Formula):
            out.append(b.text)
        elif isinstance(b, Bullets):
            out += b.items
        elif isinstance(b, TableBlock):
            out += [b.caption, *map(str, b.loc.headers)]
    return out


# {name} not preceded by the _ ^ ! of the formula markup (x_{ij}, D^{2}, !{D}); doubled braces are a
# template that was never formatted
_PLACEHOLDER = re.compile(r"(?<![_^!])\{\w*\}|\{\{|\}\}")


def _unfilled(texts) -> list[str]:
    return [x for x in texts if _PLACEHOLDER.search(x) or re.search(r"\bmethods\.\w", x)]


# ------------------------------------------------------------------------- parameters actually used
@pytest.mark.parametrize("lang", LANGS)
def test_methods_state_the_parameters_used(default_demo, lang):
    p = default_demo.params
    text = _methods_text(default_demo, lang)
    for needle in (f"{p['permutations']}", f"{p['seed']}", f"≤ {p['alpha']}",   # clusters where p_sim <= alpha (moran_local)
                   t(f"methods.alternative.{p['alternative']}", lang),
                   t(f"methods.local_alternative.{p['local_alternative']}", lang),
                   t(f"methods.island.{p['island_rule']}", lang),
                   t(f"methods.transform.{p['transform']}", lang)):
        assert needle in text, (lang, needle, text)
    assert p["permutations"] == 999 and p["seed"] == 12345 and p["alternative"] == "greater"
    if lang == "zh":
        assert "999 次随机置换（随机种子 12345）" in text
        assert "单侧检验（备择假设：正的空间自相关）" in text and "海南与广东相连" in text
        assert "p_{sim} ≤ 0.05" in text
    elif lang == "en":
        assert "999 random permutations (seed 12345)" in text
        assert "one-sided (alternative: positive spatial autocorrelation)" in text
        assert "Hainan linked to Guangdong" in text and "p_{sim} ≤ 0.05" in text


@pytest.mark.parametrize("lang", LANGS)
def test_methods_change_with_the_parameters(default_demo, changed_demo, lang):
    before, after = _methods_text(default_demo, lang), _methods_text(changed_demo, lang)
    assert before != after
    p = changed_demo.params
    assert (p["permutations"], p["seed"], p["alternative"]) == (99, 7, "two-sided")
    assert t("methods.alternative.two-sided", lang) in after
    assert t("methods.alternative.greater", lang) not in after
    assert t("methods.island.none", lang) in after
    assert t("methods.island.guangdong", lang) not in after
    if lang == "zh":
        assert "99 次随机置换（随机种子 7）" in after and "p 值为双侧检验；" in after
        assert "999 次" not in after
    elif lang == "en":
        assert "99 random permutations (seed 7)" in after and "p-values are two-sided;" in after
        assert "999 random" not in after


def test_equation_numbers_follow_the_formulas(default_demo):
    """Each sentence cites the numbers of the formulas that follow it, in both languages alike."""
    for lang in LANGS:
        _, blocks, _ = build_document(default_demo, lang, figures={})
        numbers = [b.number for b in blocks if isinstance(b, Formula)]
        assert numbers == list(range(1, len(numbers) + 1))
        text = _methods_text(default_demo, lang)
        cited = [int(x) for x in re.findall(r"[（(](\d{1,3})[）)]", text)]   # (2001) is a year, not a formula
        assert set(cited) <= set(numbers), (lang, cited, numbers)


# ---------------------------------------------------------------------------- nothing left unfilled
@pytest.mark.parametrize("lang", LANGS)
def test_no_placeholder_left_in_the_report(default_demo, changed_demo, lang):
    for res in (default_demo, changed_demo):
        title, blocks, _ = build_document(res, lang, figures={})
        meta = dict(res.params)
        texts = [title, subtitle(meta, lang), *_texts(blocks), *conventions(meta, lang),
                 *(x for row in meta_rows(meta, lang) for x in row),
                 caption_text("table", 1, "X", lang), caption_text("figure", 2, "Y", lang)]
        assert not _unfilled(texts), _unfilled(texts)


def _every_methods_branch():
    index = [{"index": {"normalization": n, "pooled": p, "shift": s, "weighting": w}}
             for n, p, s, w in itertools.product(["minmax", "zscore"], [True, False], [0.0, 0.01],
                                                 ["entropy", "critic", "cv", "equal", "given"])]
    moran = [{"transform": tr_, "weights": wd, "island": isl, "alternative": alt, "local_alternative": la,
              "permutations": 99, "seed": 1, "alpha": 0.1}
             for tr_, wd, isl, alt, la in itertools.product(
                 ["r", "W (b)", "custom"], ["queen", []], ["none", "guangdong", "guangdong_guangxi", "x"],
                 ["greater", "less", "two-sided"], ["two-sided", "greater", "less", "directed"])]
    return index + moran + [{}]


@pytest.mark.parametrize("lang", LANGS)
def test_no_placeholder_left_in_any_methods_branch(lang):
    tables = {"weights", "disparity", "moran_global", "moran_local"}
    for meta in _every_methods_branch():
        eq = [0]
        blocks = _methods(meta, tables, lang, eq)
        texts = _texts(blocks)
        assert not _unfilled(texts), (meta, _unfilled(texts))
        assert eq[0] == sum(isinstance(b, Formula) for b in blocks)


def test_numbered_captions():
    assert caption_text("table", 1, "指标权重", "zh") == "表1 指标权重"
    assert caption_text("figure", 2, "图题", "zh") == "图2 图题"
    assert caption_text("table", 1, "Indicator weights", "en") == "Table 1. Indicator weights"
    assert caption_text("figure", 2, "Map", "en") == "Figure 2. Map"


# --------------------------------------------------------------------- no language branch in code
_LIT = r"""[rbfuRBFU]{0,2}(?:"[^"\n]*"|'[^'\n]*')"""
_BRANCHES = (
    # "中文" if lang == "zh" else "English"   (also != and a zh flag)
    re.compile(rf"{_LIT}\s+if\s+(?:lang\s*[!=]=\s*{_LIT}|not\s+zh|zh)\s+else\s+{_LIT}"),
    # if lang == "zh":  return "…" / f"…"
    re.compile(rf"if\s+lang\s*[!=]=\s*{_LIT}\s*:\s*\n\s*return\s+{_LIT}"),
)
#: Language branches that choose a font, a locale tag or a first-line indent, not words.
_ALLOWED = re.compile(r"zh-CN|font|Font|indent|Pt\(")
#: Functions whose language branch is a typographic convention, not words: section numbers are
#: Chinese numerals (一、二、) in Chinese and Arabic numerals (1 2) otherwise.
_ALLOWED_FUNCTIONS = {"section_number"}


def _function_at(source: str, pos: int) -> str | None:
    line = source.count("\n", 0, pos) + 1
    name = None
    try:
        tree = ast.parse(source)
    except SyntaxError:   # a snippet
        return None
    for node in ast.walk(tree):
        if (isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
                and node.lineno <= line <= node.end_lineno):
            name = node.name   # ast.walk is breadth-first: the innermost function comes last
    return name


def _language_branches(source: str) -> list[str]:
    hits = []
    for rx in _BRANCHES:
        for m in rx.finditer(source):
            line = source[source.rfind("\n", 0, m.start()) + 1: source.find("\n", m.end())]
            if not _ALLOWED.search(line) and _function_at(source, m.start()) not in _ALLOWED_FUNCTIONS:
                hits.append(line.strip())
    return hits


def test_the_branch_finder_finds_branches():
    assert _language_branches('x = "无" if lang == "zh" else "none"\n')
    assert _language_branches("sep = ('：' if lang == 'zh' else ': ')\n")
    assert _language_branches('    return f"{a}" if zh else "b"\n')
    assert _language_branches('    if lang == "zh":\n        return f"表{n}"\n')
    assert not _language_branches('x = tr("word.none", lang)\n')
    assert not _language_branches('cp.language = "zh-CN" if lang == "zh" else "en"\n')
    numbering = 'def section_number(i, lang):\n    if lang != "zh":\n        return f"{i + 1} "\n'
    assert not _language_branches(numbering)
    assert _language_branches(numbering.replace("section_number", "caption"))


@pytest.mark.parametrize("path", sorted(REPORT.glob("*.py")), ids=lambda p: p.name)
def test_report_code_has_no_language_branch_between_literals(path):
    hits = _language_branches(path.read_text(encoding="utf-8"))
    assert not hits, f"{path.name}: choose words with nqpf.i18n.t, not by language: {hits}"
