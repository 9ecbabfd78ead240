"""A small study shared by the command-line tests: ten provinces, four years, and a two-indicator spec
with a formula (gdp, and pc = gdp / pop), as a user's first spec looks."""

PROVS = ["北京", "天津", "河北", "山西", "内蒙古", "辽宁", "吉林", "黑龙江", "上海", "江苏"]
YEARS = [2015, 2016, 2017, 2018]

SPEC = """[spec]
name = "t"
levels = ["dimension", "indicator"]
[[indicator]]
id = "gdp"
direction = "+"
dimension = "A"
[[indicator]]
id = "pc"
direction = "+"
formula = "gdp / pop"
dimension = "B"
"""
