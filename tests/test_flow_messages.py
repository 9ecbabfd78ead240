"""Messages and audit rows of the data preparation as the reader meets them: options named as the caller
gives them (the Python arguments, the command line's options, a configuration's keys), audit rows only
for the region-years the study uses, jumps located in the file, long lists of missing variables capped."""
from __future__ import annotations

import re

import pandas as pd
import pytest

from nqpf.errors import InputError
from nqpf.io import read_panel
from nqpf.prepare import prepare
from nqpf.spec import SHOWN_MISSING, Indicator, Spec, UnknownVariableError, missing_variables_error

GDP = Spec("g", ("indicator",), [Indicator("gdp", path=())])
YEARS = list(range(2000, 2011))


def _long(gaps=(), jump=None):
    """Regions A–C, gdp 2000–2010 growing 5 % a year; ``gaps`` (region, year) left out; ``jump`` (region,
    year) multiplied by 20."""
    rows = []
    for k, r in enumerate("ABC"):
        for y in YEARS:
            if (r, y) in gaps:
                continue
            v = (10.0 + k) * 1.05 ** (y - 2000)
            rows.append((r, y, "gdp", v * (20 if (r, y) == jump else 1)))
    return pd.DataFrame(rows, columns=["region", "year", "variable", "value"])


LEADING = {("A", y) for y in range(2000, 2005)}   # A starts in 2005


@pytest.mark.parametrize("style, says, not_says", [
    ("api", ["years=(first, last)", "extrapolate='nearest' or 'linear'", "drop_incomplete=True"], ["--"]),
    ("cli", ["--years FIRST,LAST", "--extrapolate nearest or linear", "--drop-incomplete"], ["drop_incomplete"]),
    ("config", ["[prepare] years", "[prepare] extrapolate", "[prepare] drop_incomplete = true"], ["--"]),
])
def test_the_gap_message_names_the_options_as_the_caller_does(style, says, not_says):
    with pytest.raises(InputError) as e:
        prepare(_long(LEADING), GDP, option_style=style)
    msg = str(e.value)
    assert "A 2000: gdp" in msg and "\n" not in msg
    for s in says:
        assert s in msg, (s, msg)
    for s in not_says:
        assert s not in msg, (s, msg)


def test_unknown_option_style_is_refused():
    with pytest.raises(InputError, match="option_style"):
        prepare(_long(), GDP, option_style="gui")


def test_excluded_region_not_in_the_data_named_by_the_option():
    for style, name in (("api", "exclude_regions:"), ("cli", "--exclude:"), ("config", "[prepare] exclude_regions:")):
        with pytest.raises(InputError, match=r"^" + re.escape(name) + r" .Z. is not a region"):
            prepare(_long(), GDP, exclude_regions=["Z"], option_style=style)


def test_only_the_study_period_is_audited():
    """A starts in 2005; B misses 2001 and 2008. Study 2003–2010 with extrapolation: A 2003–2004
    extrapolated and B 2008 interpolated are audited; A 2000–2002 and B 2001 (outside) are not, and the
    values of the study are those of the full fill."""
    data = _long(LEADING | {("B", 2001), ("B", 2008)})
    p = prepare(data, GDP, years=(2003, 2010), extrapolate="nearest")
    a = p.audit
    filled = a[a["action"].isin(["extrapolated", "interpolated"])]
    got = sorted((r, int(y), act) for r, y, act in zip(filled["region"], filled["year"], filled["action"]))
    assert got == [("A", 2003, "extrapolated"), ("A", 2004, "extrapolated"), ("B", 2008, "interpolated")]
    # each region-year outside the period still has its one 'dropped' row
    dropped = a[(a["action"] == "dropped")]
    assert len(dropped) == 3 * 3 and set(dropped["year"].astype(int)) == {2000, 2001, 2002}
    # nearest extrapolation: A 2003 and 2004 take A's first observed value (2005)
    first = 10.0 * 1.05 ** 5
    X = p.indicators["gdp"]
    assert X.loc[("A", 2003)] == X.loc[("A", 2004)] == pytest.approx(first, rel=0, abs=1e-12)
    # B 2008 halfway between 2007 and 2009 (linear interpolation, the paper's rule)
    b = 11.0 * (1.05 ** 7 + 1.05 ** 9) / 2
    assert X.loc[("B", 2008)] == pytest.approx(b, rel=1e-15)


def test_excluded_regions_get_no_fill_rows():
    p = prepare(_long(LEADING), GDP, exclude_regions=["A"], extrapolate="nearest")
    a = p.audit
    assert not (a["action"].isin(["extrapolated", "interpolated"])).any()
    assert (a.loc[a["action"] == "dropped", "region"] == "A").sum() == len(YEARS)


def test_a_jump_is_located_in_the_file(tmp_path):
    path = tmp_path / "panel.csv"
    _long(jump=("B", 2006)).to_csv(path, index=False)
    p = prepare(read_panel(path), GDP)
    jumps = p.audit[p.audit["action"] == "flagged"]
    assert len(jumps) >= 1
    j = jumps[(jumps["region"] == "B") & (jumps["year"].astype(int) == 2006)].iloc[0]
    assert str(j["file"]).endswith("panel.csv") and j["column"] == "D"
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[int(j["row"]) - 1].startswith("B,2006,gdp,")     # row 1 is the header
    # from a DataFrame there is no file: the columns stay empty
    p2 = prepare(_long(jump=("B", 2006)), GDP)
    j2 = p2.audit[p2.audit["action"] == "flagged"].iloc[0]
    assert not j2["file"] and not j2["column"]


def test_many_missing_variables_make_one_capped_line():
    names = [f"var_{i:02d}" for i in range(25)]
    err = missing_variables_error(names, ["gdp", "pop", "var_00x"], data="data.csv")
    msg = str(err)
    assert isinstance(err, UnknownVariableError) and "\n" not in msg
    assert msg.startswith("data.csv lacks 25 raw variables")
    assert "'var_09'" in msg and "'var_10'" not in msg and f"and {25 - SHOWN_MISSING} more" in msg
    assert "did you mean 'var_00x'?" in msg
    assert msg.rstrip().endswith("or add the variable to the data")
    assert len(msg) < 900
    # few: each named in full, as before
    few = str(missing_variables_error(["gpd"], ["gdp"], data="data.csv"))
    assert "which data.csv does not have (did you mean 'gdp'?)" in few and "more" not in few


def test_prepare_with_many_missing_variables_from_a_file(tmp_path):
    path = tmp_path / "panel.csv"
    _long().to_csv(path, index=False)
    spec = Spec("big", ("indicator",), [Indicator(f"x{i}", path=()) for i in range(14)])
    with pytest.raises(InputError) as e:
        from nqpf.pipeline import build_from_data

        build_from_data(path, spec)
    msg = str(e.value)
    assert "lacks 14 raw variables" in msg and "and 4 more" in msg and msg.count("'x") == 10


def test_a_region_missing_every_year_is_named_for_exclusion_and_a_given_period_not_suggested_again():
    data = _long()
    data = pd.concat([data, pd.DataFrame({"region": "D", "year": YEARS, "variable": "gdp", "value": float("nan")})])
    with pytest.raises(InputError) as e:
        prepare(data, GDP, years=(2003, 2010), option_style="cli")
    msg = str(e.value)
    assert "leave out D, which miss(es) an indicator in every year (--exclude D)" in msg, msg
    assert "--years" not in msg
    with pytest.raises(InputError) as e:   # no period given: the period is still suggested
        prepare(_long(LEADING), GDP, option_style="cli")
    assert "--years FIRST,LAST" in str(e.value) and "leave out" not in str(e.value)
