"""nqpf.spec: loading (TOML, CSV, Excel), validation errors, the safe formula language, shipped specs."""
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from nqpf.errors import SpecError
from nqpf.spec import Indicator, Spec, list_specs, load_spec, parse_direction, parse_formula

SHARED = Path(__file__).resolve().parents[2] / "shared"
REF_TABLE1 = SHARED / "reference" / "table1_indicator_system.csv"
TECHME = SHARED / "data" / "techme_china_province_scitech_long_2000_2023.csv"

TOML = """
[spec]
name = "toy"
title = "玩具"
levels = ["criterion", "dimension", "indicator"]

[groups]
"劳动者" = "Labourers"
"素质" = { name_en = "Quality", note = "n" }

[[indicator]]
id = "edu_pc"
name_zh = "人均教育支出"
direction = "+"
formula = "edu / pop"
path = ["劳动者", "素质"]

[[indicator]]
id = "gdp_pc"
direction = "positive"
formula = "gdp ÷ pop"
criterion = "劳动者"
dimension = "生产率"

[[indicator]]
id = "so2"
direction = "负"
criterion = "生态"
dimension = "排放"

[[indicator]]
id = "double_gdp_pc"
direction = "benefit"
formula = "gdp_pc × 2 - so2"
criterion = "生态"
dimension = "排放"
"""


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


# -- TOML ------------------------------------------------------------------------------------------
def test_toml_structure(tmp_path):
    s = load_spec(write(tmp_path, "toy.toml", TOML))
    assert s.name == "toy" and s.levels == ("criterion", "dimension", "indicator")
    assert s.ids == ["edu_pc", "gdp_pc", "so2", "double_gdp_pc"]
    assert s.directions.to_dict() == {"edu_pc": 1, "gdp_pc": 1, "so2": -1, "double_gdp_pc": 1}
    # gdp_pc is derived, so it is not a raw variable; so2 is raw (no formula) and used by a formula
    assert s.variables == ("edu", "pop", "gdp", "so2")
    assert s.derived.index("gdp_pc") < s.derived.index("double_gdp_pc")
    assert s.groups("criterion").to_dict() == {"edu_pc": "劳动者", "gdp_pc": "劳动者", "so2": "生态",
                                               "double_gdp_pc": "生态"}
    assert s.groups(1)["gdp_pc"] == "生产率"
    assert s.tree() == {"劳动者": {"素质": ["edu_pc"], "生产率": ["gdp_pc"]},
                        "生态": {"排放": ["so2", "double_gdp_pc"]}}
    f = s.to_frame()
    assert list(f.columns[:3]) == ["criterion", "dimension", "indicator"]
    assert f.loc[f.indicator == "gdp_pc", "formula"].item() == "gdp ÷ pop"
    assert s.label("劳动者", "en") == "Labourers" and s.label("edu_pc") == "人均教育支出"
    with pytest.raises(SpecError, match="no level"):
        s.groups("region")


@pytest.mark.parametrize("text,match", [
    ('[[indicator]]\nid="a"\ndirection="+"\n[[indicator]]\nid="a"\ndirection="-"\n',
     r"#2.*duplicate indicator id 'a'.*#1"),
    ('[[indicator]]\nid="a"\ndirection="up"\n', r"\[\[indicator\]\] #1.*invalid or missing direction 'up'"),
    ('[[indicator]]\nid="a"\n', r"#1.*missing direction"),
    ('[spec]\nlevels=["criterion","indicator"]\n[[indicator]]\nid="a"\ndirection="+"\n',
     r"#1.*path \[''\]|empty criterion"),
    ('[spec]\nlevels=["criterion","indicator"]\n[[indicator]]\nid="a"\ndirection="+"\npath=["x","y"]\n',
     r"has path \['x', 'y'\] but the spec has 1 group level"),
    ('[groups]\n"Labor"="L"\n[spec]\nlevels=["criterion","indicator"]\n[[indicator]]\nid="a"\n'
     'direction="+"\ncriterion="Labour"\n', r"no indicators: 'Labor' \(did you mean 'Labour'\?\)"),
    ('[variables]\ngdp="GDP"\npop="population"\n[[indicator]]\nid="a"\ndirection="+"\nformula="gdp/popu"\n',
     r"#1.*unknown variable 'popu'; did you mean 'pop'"),
    ('[[indicator]]\nid="a"\ndirection="+"\nformula="b*2"\n[[indicator]]\nid="b"\ndirection="+"\n'
     'formula="c+1"\n[[indicator]]\nid="c"\ndirection="+"\nformula="a/3"\n', r"cycle: a -> b -> c -> a"),
    ('[[indicator]]\nid="a"\ndirection="+"\nformula="__import__(\'os\')"\n', r"#1.*Call"),
    ('[[indicator]]\nid="a"\ndirection="+"\nweight=3\n', r"#1.*unknown key\(s\) \['weight'\]"),
    ('[[indicator]\n', r"invalid TOML"),
])
def test_toml_errors_name_file_and_entry(tmp_path, text, match):
    p = write(tmp_path, "bad.toml", text)
    with pytest.raises(SpecError, match=match) as ei:
        load_spec(p)
    assert str(p) in str(ei.value)


def test_formula_may_use_own_id_as_raw_variable(tmp_path):
    s = load_spec(write(tmp_path, "s.toml", '[[indicator]]\nid="gdp"\ndirection="+"\nformula="gdp / 100"\n'))
    assert s.variables == ("gdp",)
    assert s.derived == ["gdp"]


def test_same_group_under_two_parents_rejected():
    inds = [Indicator("a", path=("X", "G")), Indicator("b", path=("Y", "G"))]
    with pytest.raises(SpecError, match="'G' appears under"):
        Spec("s", ("criterion", "dimension", "indicator"), inds)


def test_unknown_spec_name():
    with pytest.raises(SpecError, match="not found.*ran2025"):
        load_spec("no_such_spec")


# -- tables --------------------------------------------------------------------------------------------
TABLE = pd.DataFrame({
    "准则层": ["劳动者", None, None, "生产资料"],
    "一级指标": ["劳动者素质", None, "劳动生产率", "绿色发展"],
    "指标": ["edu_pc", "college", "gdp_pc", "so2_gdp"],
    "指标名称": ["教育支出/总人口", "高校学生", "人均GDP", "二氧化硫强度"],
    "属性": ["正", "正", "+", "负"],
    "公式": ["edu / pop", None, "gdp/pop", "so2 / gdp"],
    "单位": ["元/人", "人", "元/人", "吨/万元"],
})


def check_table_spec(s):
    assert s.levels == ("criterion", "dimension", "indicator")
    assert s.ids == ["edu_pc", "college", "gdp_pc", "so2_gdp"]
    # blank (merged) group cells inherit the group above
    assert s.groups("criterion").tolist() == ["劳动者", "劳动者", "劳动者", "生产资料"]
    assert s.groups("dimension").tolist() == ["劳动者素质", "劳动者素质", "劳动生产率", "绿色发展"]
    assert s.directions.tolist() == [1, 1, 1, -1]
    assert s["college"].formula is None and s["so2_gdp"].unit == "吨/万元"
    assert s.variables == ("edu", "pop", "college", "gdp", "so2")


def test_csv_spec_with_chinese_headers(tmp_path):
    p = tmp_path / "spec.csv"
    TABLE.to_csv(p, index=False, encoding="gbk")
    check_table_spec(load_spec(p))


def test_excel_spec(tmp_path):
    p = tmp_path / "spec.xlsx"
    TABLE.to_excel(p, index=False)
    check_table_spec(load_spec(p))


@pytest.mark.parametrize("change,match", [
    (lambda t: t.assign(属性=["正", "正", "?", "负"]), r"row 4, column '属性'.*invalid or missing direction '\?'"),
    (lambda t: t.assign(指标=["edu_pc", "college", "college", "so2_gdp"]), r"row 4: duplicate indicator id 'college'"),
    (lambda t: t.assign(准则层=[None, None, None, "生产资料"]), r"row 2: empty criterion cell"),
    (lambda t: t.drop(columns="属性"), r"no 'direction' column"),
    (lambda t: t.assign(公式=["edu / pop", None, "gdp.sum()", "so2 / gdp"]), r"row 4.*Attribute|row 4.*Call"),
])
def test_table_errors_name_file_and_row(tmp_path, change, match):
    p = tmp_path / "bad.csv"
    change(TABLE.copy()).to_csv(p, index=False)
    with pytest.raises(SpecError, match=match) as ei:
        load_spec(p)
    assert "bad.csv" in str(ei.value)


# -- formulas -------------------------------------------------------------------------------------------
def test_formula_arithmetic_hand_computed():
    f = parse_formula("(illiterate*1 + primary*6 + junior×9 + senior*12 + college*16) ÷ pop6plus")
    assert f.variables == ("illiterate", "primary", "junior", "senior", "college", "pop6plus")
    env = dict(illiterate=np.array([10.0]), primary=np.array([20.0]), junior=np.array([30.0]),
               senior=np.array([25.0]), college=np.array([15.0]), pop6plus=np.array([100.0]))
    v, zero = f.evaluate(env)
    # (10 + 120 + 270 + 300 + 240) / 100 = 9.4
    assert v.tolist() == [9.4] and not zero.any()
    v, _ = parse_formula("-a + (b - c) / 2 − 1").evaluate({"a": np.array([1.0]), "b": np.array([5.0]),
                                                          "c": np.array([1.0])})
    assert v.tolist() == [0.0]
    v, _ = parse_formula("教育支出 / 人口").evaluate({"教育支出": np.array([6.0]), "人口": np.array([3.0])})
    assert v.tolist() == [2.0]


def test_division_by_zero_is_nan_and_reported():
    v, zero = parse_formula("a / (b - c)").evaluate({"a": np.array([1.0, 2.0, 3.0]), "b": np.array([1.0, 2.0, 5.0]),
                                                     "c": np.array([0.0, 2.0, 1.0])})
    assert np.isnan(v[1]) and v[0] == 1.0 and v[2] == 0.75
    assert zero.tolist() == [False, True, False]


@pytest.mark.parametrize("text", [
    "os.system", "a.b", "__import__('os')", "open('x')", "a[0]", "a ** 2", "a if b else c", "lambda: 1",
    "a < b", "'text'", "True", "[a, b]", "import os", "a; b", "(a := 1)", "f'{a}'", "a and b", "",
])
def test_unsafe_or_invalid_formulas_rejected(text):
    with pytest.raises(SpecError):
        parse_formula(text)


@pytest.mark.parametrize("value,expected", [
    ("+", 1), ("-", -1), ("−", -1), ("正", 1), ("负", -1), ("正向", 1), ("逆向", -1), ("positive", 1),
    ("Negative", -1), ("benefit", 1), ("COST", -1), (1, 1), (-1, -1), (1.0, 1), ("+1", 1), ("-1", -1),
])
def test_directions(value, expected):
    assert parse_direction(value) == expected


@pytest.mark.parametrize("value", [0, 2, None, float("nan"), "", "up", True])
def test_bad_directions(value):
    with pytest.raises(SpecError):
        parse_direction(value, "row 7")


# -- shipped specs -------------------------------------------------------------------------------------
def test_list_specs():
    assert {"ran2025", "scitech_example"} <= set(list_specs())
    for name in list_specs():
        assert len(load_spec(name)) > 0


def test_ran2025_shape():
    s = load_spec("ran2025")
    assert len(s) == 31
    assert s.levels == ("criterion", "dimension", "subdimension", "indicator")
    assert list(dict.fromkeys(s.groups("criterion"))) == ["劳动者", "劳动对象", "生产资料"]
    assert list(dict.fromkeys(s.groups("dimension"))) == ["劳动者素质", "劳动生产率", "产业新形态", "市场环境",
                                                          "创新发展", "绿色发展"]
    # Table 1 prints 25 positive and 6 negative indicators
    assert (s.directions == 1).sum() == 25 and (s.directions == -1).sum() == 6
    assert all(i.name_zh and i.name_en for i in s.indicators)
    assert all(v.isascii() for v in s.variables)


def test_ran2025_matches_reference_table1():
    if not REF_TABLE1.exists():
        pytest.skip(f"reference Table 1 not found at {REF_TABLE1}")
    ref = pd.read_csv(REF_TABLE1)
    s = load_spec("ran2025")
    assert len(ref) == len(s)
    for (_, r), ind in zip(ref.iterrows(), s.indicators):
        assert ind.path == (r.criterion_zh, r.dimension_zh, r.subdimension_zh), ind.id
        assert ind.name_zh == r.indicator_zh, ind.id
        assert ind.direction == (1 if r.direction == "+" else -1), ind.id
        assert s.label(r.criterion_zh, "en") == r.criterion_en
        assert s.label(r.dimension_zh, "en") == r.dimension_en


def test_scitech_example_variables_exist_in_techme():
    if not TECHME.exists():
        pytest.skip(f"techme panel not found at {TECHME}")
    codes = set(pd.read_csv(TECHME, usecols=["variable_code"])["variable_code"])
    s = load_spec("scitech_example")
    assert set(s.variables) <= codes
    ran = load_spec("ran2025")
    for ind in s.indicators:  # the same place in the tree and direction as in the paper's system
        assert ind.path == ran[ind.id].path and ind.direction == ran[ind.id].direction
