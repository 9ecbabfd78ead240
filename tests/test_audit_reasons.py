"""Audit reasons as codes with arguments (``nqpf.i18n._reasons``): the CSV keeps the English sentence,
the code and the arguments whatever the output language; the workbook and the reports write the
reason in their language; a row without a code keeps its sentence."""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _small_study import PROVS, SPEC, YEARS  # noqa: E402

from nqpf.i18n import LANGS, catalogue  # noqa: E402
from nqpf.i18n._reasons import reason, render  # noqa: E402
from nqpf.io import to_number  # noqa: E402

CJK = re.compile(r"[\u3400-\u9fff]")


def test_the_english_sentence_is_the_one_the_readers_wrote():
    """The sentences are those of the audit before reasons had codes (the catalogue's ``en`` texts)."""
    assert reason("interpolated", y0=2016, v0=991.0, y1=2018, v1=1027.0)["reason"] == \
        "linear interpolation between 2016 (991) and 2018 (1027)"
    assert reason("outside_period", y0=2011, y1=2023)["reason"] == "outside the study period 2011-2023"
    assert to_number("１２,345")[2] == "text number: full-width characters, thousands separators"
    assert to_number("—")[2] == "missing-value marker '—'"
    assert to_number(" 12 %")[2] == "text number: spaces, '%' sign dropped (value kept in percent)"
    assert reason("jump", what="@audit.word.change_log", d=0.5561, threshold=5.0, scale=0.09817)["reason"] == \
        ("possible jump: change of ln(value) 0.5561/year exceeds 5 x 0.09817 (the series' median "
         "|change of ln(value)|, floored); value kept")


def test_codes_and_arguments_are_language_free_json():
    got = reason("interpolated", y0=2016, v0=991.0, y1=2018, v1=1027.0)
    assert got["reason_code"] == "interpolated"
    assert json.loads(got["reason_args"]) == {"y0": 2016, "v0": 991.0, "y1": 2018, "v1": 1027.0}
    import numpy as np

    same = reason("interpolated", y0=np.int64(2016), v0=np.float64(991.0), y1=2018, v1=1027.0)
    assert same == got                                         # numpy scalars are plain numbers in JSON
    with pytest.raises(KeyError, match="no_such_reason"):
        reason("no_such_reason")


@pytest.mark.parametrize("lang", LANGS)
def test_every_reason_has_a_sentence_in_every_language(lang):
    keys = [k for k in catalogue("en") if k.startswith("audit.reason.")]
    assert len(keys) >= 25
    cat = catalogue(lang)
    assert all(k in cat for k in keys), [k for k in keys if k not in cat]


def test_render_in_the_language_with_translated_words_and_lists():
    got = reason("text_number", fixes=["@audit.word.fix_full_width", "@audit.word.fix_thousands"])
    assert render(got["reason_code"], got["reason_args"], got["reason"], "zh") == "文本形式的数字：全角字符、千位分隔符"
    assert render(got["reason_code"], got["reason_args"], got["reason"], "en") == got["reason"]
    hant = render(got["reason_code"], got["reason_args"], got["reason"], "zh-Hant")
    assert CJK.search(hant) and hant != render(got["reason_code"], got["reason_args"], got["reason"], "zh")
    # no code (a reason given as text only), or a code this version does not know: the sentence
    assert render("", "", "a sentence", "zh") == "a sentence"
    assert render(float("nan"), float("nan"), "a sentence", "zh") == "a sentence"
    assert render("gone_code", "{}", "a sentence", "zh") == "a sentence"


def _study(tmp: Path) -> Path:
    rows = []
    for k, p in enumerate(PROVS):
        for y in YEARS:
            gdp = 100.0 * (k + 1) * 1.05 ** (y - YEARS[0]) + k * k
            wide = f"{gdp:.3f}".translate(str.maketrans("0123456789.", "０１２３４５６７８９．"))  # full-width
            cell = wide if (k, y) == (1, YEARS[1]) else ("" if (k, y) == (2, YEARS[2]) else gdp)
            rows.append([p, y, cell, 10.0 + 5 * (7 * k % 10)])
    pd.DataFrame(rows, columns=["region", "year", "gdp", "pop"]).to_csv(tmp / "d.csv", index=False)
    (tmp / "spec.toml").write_text(SPEC, encoding="utf-8")
    return tmp / "d.csv"


def test_workbook_writes_reasons_in_its_language_and_csv_stays_the_same(tmp_path):
    """A number written in full-width digits, a blank cell (interpolated) and an excluded region: the zh workbook
    says why in Chinese, the en one in English, and both runs write the same audit.csv."""
    from nqpf._commands import run_file

    data = _study(tmp_path)
    (tmp_path / "c.toml").write_text(f"""
[data]
path = "{data.name}"
[spec]
path = "spec.toml"
[prepare]
exclude_regions = ["{PROVS[-1]}"]
[analyses]
only = ["disparity"]
""", encoding="utf-8")
    outs = {}
    for lang in ("zh", "en"):
        outs[lang] = tmp_path / lang
        run_file(tmp_path / "c.toml", outs[lang], lang=lang, formats="csv,xlsx")
    a = (outs["zh"] / "tables" / "audit.csv").read_bytes()
    assert a == (outs["en"] / "tables" / "audit.csv").read_bytes()
    audit = pd.read_csv(outs["zh"] / "tables" / "audit.csv", dtype=str, keep_default_na=False)
    assert {"text_number", "interpolated", "excluded", "blank_cell"} <= set(audit["reason_code"])
    coded = audit[audit["reason_code"] != ""]
    assert len(coded) == len(audit)                    # every reason of this study has a code
    for lang, words in (("zh", ("全角字符", "线性插值", "不纳入研究")), ("en", ("full-width characters",
                                                                     "linear interpolation", "excluded"))):
        book = pd.read_excel(outs[lang] / "results.xlsx", sheet_name=None)
        sheet = next(v for k, v in book.items() if k in ("数据审计", "Data audit") or "audit" in k.lower())
        text = " ".join(map(str, sheet.iloc[:, 9].tolist()))
        for w in words:
            assert w in text, (lang, w)
        if lang == "zh":
            assert not re.search(r"interpolation|full-width|excluded from", text)


def test_every_reason_code_written_in_the_source_has_its_sentences():
    """Each ``reason("code", ...)`` of the package, and each code chosen between two
    (``reason("a" if ... else "b", ...)``), names a reason with a sentence in every catalogue."""
    src = Path(__file__).resolve().parents[1] / "src" / "nqpf"
    used = set()
    for path in src.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r'reason\(\s*"([a-z_]+)"', text))
        for a, b in re.findall(r'reason\(\s*\(?"([a-z_]+)" if [^()]*? else "([a-z_]+)"', text):
            used |= {a, b}
    assert len(used) >= 30, sorted(used)
    for lang in LANGS:
        cat = catalogue(lang)
        assert not sorted(c for c in used if f"audit.reason.{c}" not in cat), lang


def test_a_layout_note_is_written_in_the_language(tmp_path):
    """A units row under the header of a yearbook sheet: dropped with its reason, in Chinese in zh."""
    from nqpf.io import read_panel

    wb = tmp_path / "units.xlsx"
    df = pd.DataFrame([["地区", "2019", "2020"], ["", "亿元", "亿元"], ["北京", "1", "2"], ["天津", "3", "4"]])
    with pd.ExcelWriter(wb) as xw:
        df.to_excel(xw, sheet_name="gdp", header=False, index=False)
    panel = read_panel(wb)
    rows = panel.audit[panel.audit["reason_code"].isin(["units_row", "units_row_one"])]
    assert len(rows) == 1
    r = rows.iloc[0]
    zh = render(r["reason_code"], r["reason_args"], r["reason"], "zh")
    assert zh.startswith("表头下方的单位行") and r["reason"].startswith("units row below the header")
