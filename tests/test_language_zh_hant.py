"""Traditional Chinese (``zh-Hant``): the promise "a language is one catalogue plus the rule templates".

* the language is discovered from ``i18n/zh_Hant.py``; ``zh-TW`` / ``zh_tw`` / ``ZH-HANT`` … name it;
* its catalogue has the keys and placeholders of ``zh.py`` and no Simplified character;
* ``demo`` and ``run`` in Traditional Chinese: exit 0, ``tables/*`` byte-identical to ``--lang zh``,
  headings, captions and headers without Simplified characters, strategy sentences in Traditional;
* nothing language-specific is decided in code by comparing language codes (``lang.*`` properties);
* OpenCC generated the catalogue but is not a dependency.
"""
from __future__ import annotations

import hashlib
import html
import importlib.util
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nqpf import i18n
from nqpf.cli import app
from nqpf.errors import InputError
from nqpf.i18n import LANGS, catalogue, check_lang, t

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "nqpf"
TECHME = ROOT.parent / "shared" / "data" / "techme_china_province_scitech_long_2000_2023.csv"
CONFIG = ROOT / "examples" / "scitech" / "config.toml"
runner = CliRunner()

#: Characters that exist only in Simplified Chinese (their Traditional forms differ): 数/數, 区/區,
#: 显/顯, 与/與 … none of them may appear in a Traditional Chinese text nqpf writes.
SIMPLIFIED = set("数区显与据发标权资计图级经济综动产业网见实现开关长门问间题应当边组织术视过还运进选"
                 "础验检测统类项设录态势质层体积总码码阶择异样协轮这为们个来时对会说")
#: Their Traditional forms, some of which a Traditional report must show.
TRADITIONAL = set("數區顯與")


def _simplified(text: str) -> set[str]:
    return SIMPLIFIED & set(text)


# ------------------------------------------------------------------------------------ the code
def test_the_language_is_discovered_from_its_module():
    modules = {p.stem.replace("_", "-") for p in (SRC / "i18n").glob("*.py") if not p.stem.startswith("_")}
    assert set(LANGS) == modules and "zh-Hant" in LANGS
    assert LANGS[0] == i18n.DEFAULT_LANG == "zh"


@pytest.mark.parametrize("spelling", ["zh-Hant", "zh_Hant", "ZH-HANT", "zh-hant", "zh-TW", "zh_tw", "zh-HK",
                                      "zh-hk", "zh-Hant-TW"])
def test_aliases_name_traditional_chinese(spelling):
    assert check_lang(spelling) == "zh-Hant"
    assert t("cat.tier.high", spelling) == "高" and t("col.region", spelling) == "地區"


def test_unknown_language_lists_the_languages_and_suggests():
    with pytest.raises(InputError) as exc:
        check_lang("zh-Hnt")
    msg = str(exc.value)
    assert msg.startswith("unknown language 'zh-Hnt'; use one of zh (")
    for code in LANGS:
        assert f"{code} (" in msg
    assert "繁體中文, Traditional Chinese" in msg and "did you mean zh-Hant?" in msg
    r = runner.invoke(app, ["demo", "--lang", "fr", "--out", "x", "-q"])
    assert r.exit_code != 0 and "zh-Hant" in r.output
    helptext = runner.invoke(app, ["demo", "--help"]).output   # --lang lists the languages
    assert "zh-Hant" in helptext and "Traditional" in helptext


def test_catalogue_has_the_keys_placeholders_and_markup_of_zh():
    zh, hant = catalogue("zh"), catalogue("zh-Hant")
    own = {k for k in hant if not k.startswith(i18n.OPTIONAL_PREFIXES)}
    assert own == set(zh), sorted(own ^ set(zh))[:20]
    ph = re.compile(r"\{\{?[^{}]*\}?\}")
    for k in zh:
        assert ph.findall(zh[k]) == ph.findall(hant[k]), k
    props = {k.removeprefix("lang.") for k in zh if k.startswith("lang.")}
    assert props == set(i18n.PROPERTIES)


def test_catalogue_is_traditional_with_taiwan_statistics_terms():
    hant = catalogue("zh-Hant")
    bad = {k: v for k, v in hant.items() if _simplified(v)}
    assert not bad, bad
    text = "".join(hant.values())
    for term in ("變異係數", "泰爾指數", "莫蘭指數", "顯著", "吉尼係數", "檢定", "對立假設", "常態", "信賴度",
                 "活頁簿", "參數", "代碼", "耦合協調度", "核函數"):
        assert term in text, term
    # OpenCC's IT words where a statistics report means something else (協排程: 协调度 read as 协+调度)
    for wrong in ("全域性", "區域性", "引數", "程式碼", "型別", "方差", "檢驗", "備擇", "正態", "工作簿",
                  "排程", "函式"):
        assert wrong not in text, wrong
    assert hant["col.row"] == "列" and hant["col.column"] == "欄"   # rows and columns swap names


def test_language_properties():
    assert t("lang.fallback", "zh-Hant") == "zh" and i18n.flag("lang.cjk", "zh-Hant")
    assert not i18n.flag("lang.cjk", "en") and i18n.flag("lang.english_text", "en")
    assert i18n.region_name("440000", "zh-Hant") == "廣東"
    assert i18n.region_name("150000", "zh-Hant") == "內蒙古"
    assert i18n.region_name("440000", "zh") == "广东" and i18n.region_name("440000", "en") == "Guangdong"
    from nqpf.regions import PROVINCES

    assert all(f"region.{c}" in catalogue("zh-Hant") for c in PROVINCES["code"])
    assert i18n.pick({"zh": "指标", "en": "indicator"}, "zh-TW") == "指标"   # user's names: zh stands in
    assert i18n.pick({"zh": "指标", "en": "indicator"}, "en") == "indicator"
    from nqpf.report._model import section_number

    assert [section_number(i, "zh-Hant") for i in (0, 10, 20)] == ["一、", "十一、", "二十一、"]


def test_rule_templates():
    from nqpf import diagnose as dg

    rules = dg.load_rules()
    assert dg.rules.template_column(rules, "zh-TW") == "template_zh_Hant"
    assert not [x for x in rules["template_zh_Hant"] if _simplified(x)]
    ph = re.compile(r"\{\w+\}")
    for zh, hant in zip(rules["template_zh"], rules["template_zh_Hant"]):
        assert sorted(ph.findall(zh)) == sorted(ph.findall(hant))
    # the column may be spelled with the code, and the 0.1 placeholders name the language either way
    spelled = rules.rename(columns={"template_zh_Hant": "template_zh-Hant"})
    spelled["template_zh-Hant"] = "{region}：{tier_zh_Hant}/{tier_zh}/{tier}"
    spelled = dg.load_rules(spelled)
    from nqpf.datasets import load_ran2025_scores

    Y = load_ran2025_scores(wide=True)
    st = dg.strategy_table(Y).head(1)
    got = dg.render_focus(st, "zh-Hant", region_name=lambda r: "甲", item_name=str, first_year=2010,
                          last_year=2020, rules=spelled)[0]
    word = t(f"cat.tier.{st['tier'].iloc[0]}", "zh-Hant")
    assert got.startswith(f"甲：{word}/")


def test_no_language_decided_by_comparing_codes():
    """Every language-specific choice is a property of the language (``lang.*`` in its catalogue):
    no ``lang == "zh"`` / ``lang != "en"`` / ``lang in (...)`` with literals in the package (the region
    tables' own ``zh``/``en`` name columns in ``regions/`` aside)."""
    rx = re.compile(r"""\blang\s*(?:[!=]=\s*['"]|(?:not\s+)?in\s*[(\[{]\s*['"])|['"]\s*[!=]=\s*lang\b""")
    hits = []
    for p in SRC.rglob("*.py"):
        if "regions" in p.parts:
            continue
        for no, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1):
            if rx.search(line) and not line.lstrip().startswith(("#", ">>>")):
                hits.append(f"{p.relative_to(SRC)}:{no}: {line.strip()}")
    assert not hits, hits


def test_opencc_is_a_development_tool_only():
    deps = (ROOT / "pyproject.toml").read_text(encoding="utf-8").split("[project.optional-dependencies]")[0]
    assert "opencc" not in deps.lower()
    assert not [p for p in SRC.rglob("*.py") if "opencc" in p.read_text(encoding="utf-8").lower()
                and p.name != "zh_Hant.py"]
    code = "import sys, nqpf.cli, nqpf.report, nqpf.plot; nqpf.i18n.t('x', 'zh-Hant'); print('opencc' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_the_generated_files_are_up_to_date():
    if importlib.util.find_spec("opencc") is None:
        pytest.skip("OpenCC not installed (pip install opencc): cannot check tools/make_zh_hant.py")
    r = subprocess.run([sys.executable, str(ROOT / "tools" / "make_zh_hant.py"), "--check"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


# --------------------------------------------------------------------------------- the outputs
def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted((folder / "tables").glob("*"))}


def _invoke(args):
    r = runner.invoke(app, args, catch_exceptions=False)
    assert r.exit_code == 0, r.output
    return r


def _report_texts(report: Path) -> dict[str, list[str]]:
    doc = report.read_text(encoding="utf-8")
    doc = re.sub(r'src="data:[^"]+"', "", doc)

    def grab(tags):
        return [html.unescape(re.sub(r"<[^>]+>", "", x))
                for x in re.findall(rf"<(?:{tags})[^>]*>(.*?)</(?:{tags})>", doc, flags=re.S)]

    return {"headings": grab("h1|h2|h3"), "captions": grab("caption|figcaption|summary"),
            "headers": grab("th"), "cells": grab("td"), "paragraphs": grab("p|li"), "doc": [doc]}


@pytest.fixture(scope="module")
def demo_outputs(tmp_path_factory):
    d = tmp_path_factory.mktemp("zh_hant_demo")
    out = {}
    for lang in ("zh", "zh-Hant"):
        out[lang] = d / lang
        _invoke(["demo", "--out", str(out[lang]), "--permutations", "99", "--lang", lang,
                 "--formats", "csv,html,docx", "-q"])
    return out


def test_demo_in_traditional_chinese(demo_outputs):
    hant, zh = demo_outputs["zh-Hant"], demo_outputs["zh"]
    assert _digests(hant) == _digests(zh) and len(_digests(hant)) >= 8
    texts = _report_texts(hant / "report.html")
    shown = texts["headings"] + texts["captions"] + texts["headers"]
    assert len(shown) > 30
    bad = [x for x in shown if _simplified(x)]
    assert not bad, bad
    assert TRADITIONAL & set("".join(shown)) == TRADITIONAL
    doc = texts["doc"][0]
    assert '<html lang="zh-TW">' in doc and '"Noto Sans CJK TC"' in doc
    assert texts["headings"][1].startswith("一、")
    cells = "".join(texts["cells"])
    assert "廣東" in cells and "內蒙古" in cells and "广东" not in cells and "内蒙古" not in cells


def test_strategy_sentences_are_traditional(demo_outputs):
    texts = _report_texts(demo_outputs["zh-Hant"] / "report.html")
    sentences = [x for x in texts["cells"] if "得分" in x and len(x) > 40]
    assert len(sentences) >= 29
    bad = [x for x in sentences if _simplified(x)]
    assert not bad, bad[:3]
    assert any("處於" in x and "梯隊" in x for x in sentences)
    zh = _report_texts(demo_outputs["zh"] / "report.html")
    assert any("处于" in x for x in zh["cells"])   # the Simplified report is untouched


def test_word_report_in_traditional_chinese(demo_outputs):
    with zipfile.ZipFile(demo_outputs["zh-Hant"] / "report.docx") as z:
        styles = z.read("word/styles.xml").decode("utf-8")
        body = z.read("word/document.xml").decode("utf-8")
        core = z.read("docProps/core.xml").decode("utf-8")
    assert 'w:eastAsia="zh-TW"' in styles and "新細明體" in styles and "微軟正黑體" in styles
    assert "<dc:language>zh-TW</dc:language>" in core
    assert "w:firstLine=" in body and "廣東" in body and not _simplified(
        "".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", body)))


def test_figures_keep_traditional_chinese_with_a_cjk_font():
    from nqpf.plot import fonts

    if fonts.cjk_font() is None:
        pytest.skip("no CJK font known to matplotlib (install fonts-noto-cjk, clear the font cache)")
    assert fonts.resolve_lang("zh-TW") == "zh-Hant"
    from matplotlib import font_manager

    if "Noto Sans CJK TC" in {f.name for f in font_manager.fontManager.ttflist}:
        assert fonts.cjk_font("zh-Hant") == "Noto Sans CJK TC"


def test_run_in_traditional_chinese(tmp_path):
    if not TECHME.exists():
        pytest.skip(f"shared data not found: {TECHME} (nqpf run examples/scitech/config.toml needs it)")
    out = {}
    for lang in ("zh", "zh-Hant"):
        out[lang] = tmp_path / lang
        _invoke(["run", str(CONFIG), "--out", str(out[lang]), "--lang", lang, "--formats", "csv,html", "-q"])
    assert _digests(out["zh-Hant"]) == _digests(out["zh"])
    texts = _report_texts(out["zh-Hant"] / "report.html")
    # the indicator system's names are the user's words (name_zh of the spec): shown as written
    from nqpf.spec import load_spec

    spec = load_spec("scitech_example")
    frame = spec.to_frame()
    user = {str(v) for c in (*spec.levels[:-1], "name_zh") if c in frame for v in frame[c] if str(v)}
    user |= {str(v.get("name_zh") or k) for k, v in spec.group_labels.items() if isinstance(v, dict)}
    user |= set(spec.group_labels)

    def ours(text):
        for name in sorted(user, key=len, reverse=True):
            text = text.replace(name, "")
        return text

    shown = texts["headings"] + texts["captions"] + texts["headers"]
    assert len(shown) > 30
    bad = [x for x in shown if _simplified(ours(x))]
    assert not bad, bad
    assert TRADITIONAL & set("".join(shown)) == TRADITIONAL
    sentences = [x for x in texts["cells"] if "得分" in x and "梯隊" in x]
    assert sentences and not [x for x in sentences if _simplified(ours(x))]
