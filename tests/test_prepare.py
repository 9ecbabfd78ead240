"""nqpf.prepare: interpolation of raw variables, formulas, missing-value policy, jump flags, audit."""
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from nqpf.errors import InputError
from nqpf.io import AUDIT_COLUMNS, read_panel
from nqpf.prepare import flag_jumps, interpolate_series, prepare
from nqpf.spec import Indicator, Spec, load_spec

SHARED = Path(__file__).resolve().parents[2] / "shared"
TECHME = SHARED / "data" / "techme_china_province_scitech_long_2000_2023.csv"


def toy_spec():
    return Spec("toy", ("dimension", "indicator"), [
        Indicator("gdp_pc", direction=1, formula="gdp / pop", path=("D1",)),
        Indicator("pop", direction=-1, path=("D1",)),
        Indicator("twice", direction=1, formula="gdp_pc * 2", path=("D2",)),
    ])


def long(rows):
    return pd.DataFrame(rows, columns=["region", "year", "variable", "value"])


def toy_data(gaps=()):
    rows = []
    for r, base in (("A", 100.0), ("B", 50.0)):
        for t, y in enumerate([2010, 2011, 2012, 2013, 2015]):
            rows.append((r, y, "gdp", base + 10 * t))
            rows.append((r, y, "pop", 10.0 + t))
    df = long(rows)
    for r, y, v in gaps:
        df.loc[(df.region == r) & (df.year == y) & (df.variable == v), "value"] = np.nan
    return df


def test_complete_data_formulas_hand_computed():
    res = prepare(toy_data(), toy_spec(), jump_threshold=None)
    X = res.indicators
    assert list(X.columns) == ["gdp_pc", "pop", "twice"]
    assert X.index.names == ["region", "year"] and len(X) == 10
    assert X.loc[("A", 2012), "gdp_pc"] == 120.0 / 12.0
    assert X.loc[("B", 2015), "twice"] == 2 * 90.0 / 14.0
    assert X.loc[("B", 2010), "pop"] == 10.0
    assert len(res.audit) == 0 and list(res.audit.columns) == AUDIT_COLUMNS


def test_interior_gap_is_linear_in_calendar_years_and_audited():
    # gap at 2013 between 2012 (120) and 2015 (140): 120 + 20 * (1/3)
    res = prepare(toy_data([("A", 2013, "gdp")]), toy_spec(), jump_threshold=None)
    expected = 120.0 + (140.0 - 120.0) * (2013 - 2012) / (2015 - 2012)
    assert res.raw.loc[("A", 2013), "gdp"] == pytest.approx(expected, abs=1e-12)
    assert res.indicators.loc[("A", 2013), "gdp_pc"] == pytest.approx(expected / 13.0, abs=1e-12)
    a = res.audit
    assert len(a) == 1
    r = a.iloc[0]
    assert (r.stage, r.region, r.year, r.variable, r.action) == ("prepare", "A", 2013, "gdp", "interpolated")
    assert np.isnan(r.old) and r.new == pytest.approx(expected) and "2012" in r.reason and "2015" in r.reason


def test_region_year_absent_from_input_is_interpolated():
    df = toy_data()
    df = df[~((df.region == "B") & (df.year == 2012))]
    res = prepare(df, toy_spec(), jump_threshold=None)
    assert res.raw.loc[("B", 2012), "pop"] == 12.0  # on the line 11 (2011) → 13 (2013)
    assert (res.audit.action == "interpolated").sum() == 2


def test_edge_gaps_not_extrapolated_by_default():
    data = toy_data([("A", 2010, "pop"), ("B", 2015, "gdp")])
    with pytest.raises(InputError, match=r"2 region-year.*A 2010: gdp_pc, pop, twice; B 2015: gdp_pc, twice"):
        prepare(data, toy_spec())
    res = prepare(data, toy_spec(), drop_incomplete=True, jump_threshold=None)
    assert ("A", 2010) not in res.indicators.index and ("B", 2015) not in res.indicators.index
    d = res.audit[res.audit.action == "dropped"]
    assert set(zip(d.region, d.year)) == {("A", 2010), ("B", 2015)}
    # rows in = rows out + dropped
    n_in = len(data[["region", "year"]].drop_duplicates())
    assert n_in == len(res.indicators) + len(d)


def test_extrapolation_nearest_and_linear():
    data = toy_data([("A", 2010, "pop"), ("A", 2015, "pop")])
    near = prepare(data, toy_spec(), extrapolate="nearest", jump_threshold=None)
    assert near.raw.loc[("A", 2010), "pop"] == 11.0 and near.raw.loc[("A", 2015), "pop"] == 13.0
    lin = prepare(data, toy_spec(), extrapolate="linear", jump_threshold=None)
    # slope of pop is 1/year from the two nearest observations on each side
    assert lin.raw.loc[("A", 2010), "pop"] == 10.0 and lin.raw.loc[("A", 2015), "pop"] == 15.0
    assert set(lin.audit.action) == {"extrapolated"}


def test_interpolate_series_unit():
    y = np.array([2010, 2011, 2012, 2014, 2015, 2016])
    x = np.array([np.nan, 1.0, np.nan, 5.0, np.nan, np.nan])
    out, how = interpolate_series(y, x)
    assert np.isnan(out[0]) and out[2] == 1.0 + 4.0 * (1 / 3) and np.isnan(out[4])
    assert how.tolist() == ["", "", "interpolated", "", "", ""]
    out, how = interpolate_series(y, x, extrapolate="linear")
    slope = 4.0 / 3.0
    assert out[0] == pytest.approx(1.0 - slope) and out[5] == pytest.approx(5.0 + 2 * slope)
    out, _ = interpolate_series(y, np.full(6, np.nan), extrapolate="nearest")
    assert np.isnan(out).all()


def test_interpolate_none_leaves_gaps():
    with pytest.raises(InputError, match="A 2013"):
        prepare(toy_data([("A", 2013, "gdp")]), toy_spec(), interpolate=None)


def test_division_by_zero_nan_audited_then_policy():
    data = toy_data()
    data.loc[(data.region == "B") & (data.year == 2011) & (data.variable == "pop"), "value"] = 0.0
    with pytest.raises(InputError, match="B 2011: gdp_pc, twice"):
        prepare(data, toy_spec())
    res = prepare(data, toy_spec(), drop_incomplete=True, jump_threshold=None)
    a = res.audit
    z = a[a.action == "missing"]
    # audited where the division happens; `twice` inherits the NaN and is reported by the drop
    assert set(zip(z.region, z.year, z.variable)) == {("B", 2011, "gdp_pc")}
    assert "division by zero" in z.reason.iloc[0]
    assert row_keys(a[a.action == "dropped"]) == {("B", 2011)}


def row_keys(a):
    return set(zip(a.region, a.year))


def test_missing_variable_suggests():
    data = toy_data().replace({"variable": {"pop": "popu"}})
    with pytest.raises(InputError, match=r"'pop' \(close: 'popu'\)"):
        prepare(data, toy_spec())


def test_jump_flagged_not_changed():
    rows = [(r, y, v, (100.0 if v == "gdp" else 10.0) * 1.05 ** (y - 2010)) for r in "AB"
            for y in range(2010, 2020) for v in ("gdp", "pop")]
    data = long(rows)
    # a unit slip: A's gdp in 2014 entered ×100
    slip = (data.region == "A") & (data.year == 2014) & (data.variable == "gdp")
    data.loc[slip, "value"] *= 100
    res = prepare(data, toy_spec())
    f = res.audit[res.audit.action == "flagged"]
    # the jump up into 2014 and back down in 2015
    assert set(zip(f.region, f.year, f.variable)) == {("A", 2014, "gdp"), ("A", 2015, "gdp")}
    assert res.raw.loc[("A", 2014), "gdp"] == data.loc[slip, "value"].item()  # kept
    assert (f.old == f.new).all()


def test_flag_jumps_rules():
    y = np.arange(2010, 2020)
    # steady 20 % growth: equal log changes, nothing flagged
    assert flag_jumps(y, 100 * 1.2 ** np.arange(10)) == []
    # constant series: the floor (1 % of the level) keeps a tiny change from being flagged
    x = np.full(10, 50.0)
    x[5] = 50.2
    assert flag_jumps(y, x) == []
    x[5] = 80.0
    assert [p for p, *_ in flag_jumps(y, x)] == [5, 6]
    # series with non-positive values use plain differences
    x = np.array([0.0, 1, 2, 3, 4, 40, 5, 6, 7, 8])
    got = flag_jumps(y, x)
    assert [p for p, *_ in got] == [5, 6] and got[0][3] is False
    assert flag_jumps(y[:3], np.array([1.0, 100.0, 1.0])) == []  # too short to screen


def test_panel_audit_carried_over(tmp_path):
    p = tmp_path / "d.csv"
    p.write_text("region,year,variable,value\nA,2010,gdp,1\nA,2011,gdp,—\nA,2012,gdp,3\n"
                 "A,2010,pop,1\nA,2011,pop,1\nA,2012,pop,1\n", encoding="utf-8")
    panel = read_panel(p)
    res = prepare(panel, toy_spec(), jump_threshold=None)
    assert res.audit.stage.tolist() == ["read", "prepare"]
    assert res.indicators.loc[("A", 2011), "gdp_pc"] == 2.0


def test_bad_arguments():
    with pytest.raises(InputError, match="extrapolate"):
        prepare(toy_data(), toy_spec(), extrapolate="cubic")
    with pytest.raises(InputError, match="columns"):
        prepare(toy_data().rename(columns={"value": "v"}), toy_spec())


def test_techme_real_gaps_interpolated_and_accounted():
    if not TECHME.exists():
        pytest.skip(f"techme panel not found at {TECHME}")
    spec = load_spec("scitech_example")
    panel = read_panel(TECHME, layout="long", region_col="province", variable_col="variable_code",
                       variables=spec.variables)
    raw = panel.data[panel.data.year >= 2010]
    with pytest.raises(InputError, match="region-year"):
        prepare(raw, spec)  # R&D intensity starts in 2011; Tibet's technology market in 2017
    res = prepare(raw, spec, drop_incomplete=True)
    a = res.audit
    interp = a[a.action == "interpolated"]
    # no 2011 technology market: filled for the 30 provinces observed in 2010 and 2012 (not Tibet)
    tm = interp[interp.variable == "v4_cg_jssc_je"]
    assert set(tm.year) == {2011} and len(tm) == 30 and "540000" not in set(tm.region)
    # no 2017 high-tech industry: filled for all 31
    ht = interp[interp.variable == "v4_cy_scjy_qys"]
    assert set(ht.year) == {2017} and len(ht) == 31
    # each filled value is the midpoint of its neighbours, checked against the source file itself
    src = pd.read_csv(TECHME)
    bj = src[(src.province == "北京") & (src.variable_code == "v4_cy_scjy_qys")].set_index("year").value
    assert res.raw.loc[("110000", 2017), "v4_cy_scjy_qys"] == pytest.approx((bj[2016] + bj[2018]) / 2, abs=1e-9)
    sh = src[(src.province == "上海") & (src.variable_code == "v4_cg_jssc_je")].set_index("year").value
    assert res.indicators.loc[("310000", 2011), "tech_market_turnover"] == \
        pytest.approx((sh[2010] + sh[2012]) / 2 / 10000, rel=1e-12)
    # every input region-year is in the output or dropped with an audit row
    dropped = a[a.action == "dropped"]
    n_in = len(raw[["region", "year"]].drop_duplicates())
    assert n_in == len(res.indicators) + len(dropped)
    assert set(dropped.year[dropped.region != "540000"]) == {2010}
    assert set(dropped.year[dropped.region == "540000"]) == set(range(2010, 2017))
    assert not res.indicators.isna().any().any()
