"""Generate the Traditional Chinese catalogue and rule templates from the Simplified Chinese ones.

Regenerate after changing ``src/nqpf/i18n/zh.py``, the ``"zh"`` texts of a family module
``src/nqpf/i18n/_families/<name>.py`` or the ``template_zh`` column of ``src/nqpf/diagnose/rules.csv``::

    pip install opencc            # a development tool only: nqpf never imports it
    python tools/make_zh_hant.py  # rewrites src/nqpf/i18n/zh_Hant.py and the template_zh_Hant column
    python tools/make_zh_hant.py --check   # exit 1 if the committed files are not what it generates

OpenCC's ``s2twp`` (Simplified → Traditional, Taiwan phrases) does the characters and the common IT
vocabulary; :data:`TERMS` then fixes what a Taiwanese reader of a statistics report would find wrong
(``s2twp`` turns 全局 into 全域性, 参数 into 引數, 代码 into 程式碼, 类型 into 型別, and keeps mainland
statistics terms such as 方差, 正态, 检验, 置信水平). Rows and columns swap names between the two
standards (mainland 行/列 = Taiwan 列/欄), so the few texts that speak of them are written out in
:data:`BY_KEY`. Placeholders ``{...}`` and the ``_{sub}`` markup are never converted. The language's
properties (``lang.*``) are in :data:`PROPERTIES`; the province names (``region.<GB code>``) are
converted from :data:`nqpf.regions.PROVINCES` the same way.
"""
from __future__ import annotations

import argparse
import ast
import csv
import io
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "nqpf"
ZH = SRC / "i18n" / "zh.py"
OUT = SRC / "i18n" / "zh_Hant.py"
RULES = SRC / "diagnose" / "rules.csv"
COLUMN = "template_zh_Hant"

#: Simplified source phrase → Traditional (Taiwan) text, replacing OpenCC's result for that phrase.
#: Longer phrases win over the shorter ones they contain.
TERMS = {
    # OpenCC's IT vocabulary where a statistics report means something else
    "全局": "全域", "局部": "局部", "参数": "參數", "代码": "代碼", "类型": "類型", "配置": "設定",
    "溢出": "外溢", "查找": "找出", "软件包": "套件",
    # s2twp reads 协调度 as 协+调度 (scheduling: 協排程) and 函数 as a program's function (函式)
    "协调": "協調", "函数": "函數",
    # statistics as taught and published in Taiwan
    "检验": "檢定", "单侧": "單尾", "双侧": "雙尾", "备择假设": "對立假設", "正态": "常態",
    "方差": "變異數", "总体标准差": "母體標準差", "总体": "整體", "显著性水平": "顯著水準",
    "置信水平": "信賴水準", "置信度": "信賴度", "置信": "信賴", "水平": "水準", "均值": "平均值",
    "平均值": "平均值", "观测值": "觀察值", "观测数": "觀察值個數", "置换": "排列",
    "随机种子": "亂數種子", "描述性统计": "敘述統計", "下四分位数": "第一四分位數",
    "上四分位数": "第三四分位數", "极差": "全距", "基尼": "吉尼", "散点图": "散布圖",
    "集聚": "群聚", "聚类": "群聚", "行标准化": "列標準化", "某一行": "某一列",
    # wording
    "工作簿": "活頁簿", "审计": "稽核", "记录": "紀錄", "复现": "重現", "取值": "數值", "战略": "策略",
    "作图": "繪圖", "增长": "成長", "质量": "品質", "通过": "透過", "联系": "聯繫", "构建": "建構",
    "实现": "實作",
}
#: Quotation marks as Taiwan writes them.
PUNCT = str.maketrans({"“": "「", "”": "」", "‘": "『", "’": "』"})

#: Texts written out (rows are 列 and columns 欄 in Taiwan; 行 / 列 in the mainland).
BY_KEY = {
    "col.row": "列",
    "col.column": "欄",
    "word.rows": "列",
    "note.n_rows": "（{n} 列）",
    "note.truncated": "注：僅列出前 {shown} 列（共 {total} 列）；完整資料見活頁簿 {book} 的工作表「{sheet}」。",
    "note.truncated_cols": "注：僅列出前 {shown} 欄（共 {total} 欄）；完整資料見活頁簿 {book} 的工作表「{sheet}」。",
    "note.more_columns": "注：另有 {n} 欄見活頁簿 {book} 的工作表「{sheet}」。",
    "note.significant_only": "注：僅列出顯著群聚的地區-年份（列出 {shown} 列，顯著共 {n_sig} 列，全表 {total} 列）；"
                             "完整結果見活頁簿 {book} 的工作表「{sheet}」。",
    "col.region_id": "地區識別碼",
    "report.locale": "zh-TW",
}

#: The language's properties (nqpf.i18n.PROPERTIES).
PROPERTIES = {
    "lang.name": "繁體中文",
    "lang.name_en": "Traditional Chinese",
    "lang.aliases": "zh-TW zh-HK zh-MO zh-Hant-TW zh-Hant-HK zh-Hant-MO",
    "lang.fallback": "zh",
    "lang.docx_font_body": "新細明體",
    "lang.docx_font_heading": "微軟正黑體",
    "lang.docx_east_asia": "zh-TW",
    "lang.css_fonts": '"Noto Sans CJK TC", "Noto Sans TC", "Source Han Sans TC", "Microsoft JhengHei", '
                      '"PingFang TC"',
    "lang.plot_fonts": "Noto Sans CJK TC, Source Han Sans TC, Noto Sans TC, Microsoft JhengHei, PingFang TC, "
                       "Heiti TC",
}

_PROTECT = re.compile("(" + "|".join([r"\{\{[^{}]*\}\}", r"\{[^{}]*\}"]
                                     + [re.escape(t) for t in sorted(TERMS, key=len, reverse=True)]) + ")")


def converter():
    try:
        import opencc
    except ImportError:
        sys.exit("make_zh_hant: needs OpenCC (pip install opencc); it is a development tool, not a "
                 "dependency of nqpf")
    cc = opencc.OpenCC("s2twp")

    def convert(text: str) -> str:
        parts = _PROTECT.split(text)
        out = [TERMS.get(p, p) if i % 2 else cc.convert(p) for i, p in enumerate(parts)]
        return "".join(out).translate(PUNCT)

    return convert


def catalogue_source(convert) -> str:
    """zh.py with every text converted (same keys, order and comments), the properties and the
    province names added."""
    src = ZH.read_text(encoding="utf-8")
    tree = ast.parse(src)
    node = next(n for n in tree.body if isinstance(n, ast.AnnAssign | ast.Assign)
                and isinstance(n.value, ast.Dict))
    entries = {k.lineno: (ast.literal_eval(k), ast.literal_eval(v))
               for k, v in zip(node.value.keys, node.value.values)}
    lines = src.splitlines()
    end = node.value.end_lineno  # the closing brace
    out = ['"""The Traditional Chinese catalogue (Taiwan usage): every text nqpf shows, by key (see nqpf.i18n).',
           "",
           "Generated from zh.py by tools/make_zh_hant.py (OpenCC s2twp and the corrections listed there);",
           'edit those, not this file, and regenerate: ``python tools/make_zh_hant.py``.',
           '"""', ""]
    start = node.lineno
    for no in range(start, end):
        line = lines[no - 1]
        if no in entries:
            key, text = entries[no]
            if key.startswith("lang.") and key in PROPERTIES:
                new = PROPERTIES[key]
            else:
                new = BY_KEY.get(key, convert(text))
            out.append(f"    {key!r}: {new!r},")
        elif line.strip().startswith("#"):
            out.append(convert(line))
        else:
            out.append(line)
    from nqpf.i18n import family_parts

    for name, texts in sorted(family_parts().items()):
        own = texts.get("zh", {})
        if own:
            out.append(f"    # --- family {name} (src/nqpf/i18n/_families/{name}.py) " + "-" * max(3, 60 - len(name)))
        for key, text in own.items():
            out.append(f"    {key!r}: {BY_KEY.get(key, convert(text))!r},")
    from nqpf.regions import PROVINCES

    out.append("    # --- region names in Traditional characters (nqpf.i18n.region_name) --------------------")
    for r in PROVINCES.itertuples():
        out.append(f"    'region.{r.code}': {convert(r.name_short)!r},")
    out.append("}")
    return "\n".join(out) + "\n"


def rules_text(convert) -> str:
    """rules.csv with the template_zh_Hant column (after template_en) converted from template_zh."""
    text = RULES.read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    head = rows[0]
    if COLUMN in head:
        drop = head.index(COLUMN)
        rows = [r[:drop] + r[drop + 1:] for r in rows]
        head = rows[0]
    src = head.index("template_zh")
    rows = [rows[0] + [COLUMN]] + [r + [convert(r[src])] for r in rows[1:]]
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue()


def _check_roundtrip() -> None:
    """The csv module writes rules.csv back unchanged (so only the new column changes)."""
    text = RULES.read_text(encoding="utf-8")
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(csv.reader(io.StringIO(text)))
    if buf.getvalue() != text:
        sys.exit("make_zh_hant: rules.csv would not round-trip through the csv module; not rewriting it")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="only compare with the committed files")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT / "src"))
    convert = converter()
    _check_roundtrip()
    want = {OUT: catalogue_source(convert), RULES: rules_text(convert)}
    stale = [p for p, s in want.items() if not p.exists() or p.read_text(encoding="utf-8") != s]
    if args.check:
        for p in stale:
            print(f"out of date: {p.relative_to(ROOT)}")
        return 1 if stale else 0
    for p in stale:
        p.write_text(want[p], encoding="utf-8")
        print(f"wrote {p.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
