"""Warnings written in the reader's language (``nqpf.i18n._reasons.Notice``): the English text is the
warning's ``str()`` (filters, logs and tests see it); the command line writes it in the language of the
command's outputs; a Notice survives pickling (figure processes send it back) and re-issuing."""
from __future__ import annotations

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest

from nqpf.i18n import LANGS, catalogue
from nqpf.i18n._reasons import Notice, warning_text


def test_english_is_the_text_and_every_language_writes_it():
    n = Notice("spatial_markov_islands", {"n": 7})
    assert str(n) == ("spatial_markov: 7 region(s) without neighbours have no spatial lag; their transitions "
                      "are left out of the spatial Markov chains")
    assert isinstance(n, UserWarning)
    assert "7 个地区没有邻居" in n.text("zh")
    assert warning_text(n, "zh") == n.text("zh") and warning_text(UserWarning("plain"), "zh") == "plain"
    keys = [k for k in catalogue("en") if k.startswith("warning.")]
    for lang in LANGS:
        assert all(k in catalogue(lang) for k in keys), lang
    with pytest.raises(KeyError, match="no_such_warning"):   # its key: warning.no_such_warning
        Notice("no_such_warning")


def test_clauses_lists_and_words_are_written_in_the_language():
    n = Notice("islands", {"n": 2, "kind": "queen", "regions": ["长海县 (210224)", "岱山县 (330921)"],
                           "more": {"@": "warning.and_more", "n": 5},
                           "hint": {"@": "warning.island_hint", "unit": "@warning.unit_unit"}})
    assert str(n) == ("2 unit(s) without queen neighbours (islands): 长海县 (210224), 岱山县 (330921) and 5 more; "
                      "the island option nearest (--island nearest on the command line, island='nearest' in "
                      "Python) links each to its nearest unit")
    zh = n.text("zh")
    assert "长海县 (210224)、岱山县 (330921)等，另有 5 个" in zh and "连接到离它最近的单元" in zh


def test_pickled_and_reissued_a_notice_keeps_its_code():
    n = Notice("lisa_markov_no_quadrant", {"n": 140})
    back = pickle.loads(pickle.dumps(n))
    assert type(back) is Notice and back.code == n.code and back.fields == n.fields and str(back) == str(n)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.warn(n, stacklevel=1)
        for w in list(caught):
            warnings.warn(w.message, stacklevel=1)   # as the resolvers and the index re-issue what they caught
    assert all(isinstance(w.message, Notice) and w.message.code == n.code for w in caught)


def test_the_command_line_writes_warnings_in_the_output_language(tmp_path):
    """Changhai county has no queen neighbour: the warning is in Chinese with --lang zh, in English with
    --lang en (the same warning, the same audit)."""
    from typer.testing import CliRunner

    from nqpf.cli import app
    from nqpf.regions import admin_units

    u = admin_units("county")
    codes = u[u["code"].str.startswith("2102")]["code"].tolist()   # Dalian, with the islands of Changhai
    rng = np.random.default_rng(0)
    rows = [(c, y, float(v)) for c in codes for y, v in zip(range(2015, 2020), rng.random(5) + 0.5)]
    pd.DataFrame(rows, columns=["region", "year", "score"]).to_csv(tmp_path / "s.csv", index=False)
    said = {}
    for lang in ("zh", "en"):
        r = CliRunner().invoke(app, ["analyze", str(tmp_path / "s.csv"), "--weights", "queen", "--out",
                                     str(tmp_path / lang), "--lang", lang, "--formats", "csv", "--permutations", "99"])
        assert r.exit_code == 0, r.output
        said[lang] = r.stderr
    assert "没有 queen 邻居（孤岛）" in said["zh"] and "长海县 (210224)" in said["zh"]
    assert "without queen neighbours (islands)" in said["en"] and "孤岛" not in said["en"]


def test_the_indicator_screen_names_indicators_in_the_language():
    """The extreme-value warning of the index names an indicator by its Chinese name in Chinese and by
    its id in English (as the data and the English warning always did)."""
    n = Notice("dominant_indicator", {"col": {"zh": "发明专利授权数", "en": "invention_patents"}, "weight": 0.41,
                                      "limit": 0.3, "m": 6})
    assert str(n) == ("indicator invention_patents takes weight 0.410 (more than 0.30 of 6 indicators): check its "
                      "values before reading the scores")
    assert n.text("zh").startswith("指标 发明专利授权数 的权重为 0.410")


def test_errors_users_meet_with_county_names_are_written_in_the_output_language(tmp_path):
    """Two errors a county user meets first: county names with the provinces' contiguity, and a bare name
    of two counties. The command line writes them in the output language (English text unchanged)."""
    from typer.testing import CliRunner

    from nqpf.cli import app
    from nqpf.regions import admin_units

    u = admin_units("county")
    bj = ["北京市" + n for n in u[u["code"].str.startswith("1101")]["name"]]
    rng = np.random.default_rng(2)
    rows = [(n, y, float(v)) for n in bj for y, v in zip(range(2015, 2019), rng.random(4) + 0.5)]
    pd.DataFrame(rows, columns=["region", "year", "score"]).to_csv(tmp_path / "c.csv", index=False)

    def err(*args):
        r = CliRunner().invoke(app, ["analyze", *map(str, args), "--formats", "csv"])
        assert r.exit_code == 2, r.output
        return r.stderr

    zh = err(tmp_path / "c.csv", "--weights", "china-provinces", "--out", tmp_path / "o1", "--lang", "zh")
    en = err(tmp_path / "c.csv", "--weights", "china-provinces", "--out", tmp_path / "o2", "--lang", "en")
    assert "这些地区是县级单元" in zh and "--weights queen" in zh
    assert "the regions are county-level units" in en and "县级单元" not in en
    rows = [("朝阳区" if n == "北京市朝阳区" else n, y, v) for n, y, v in rows]
    rows += [("朝阳区", y, 1.0) for y in range(2015, 2019)]          # and Changchun's, written bare
    pd.DataFrame(rows, columns=["region", "year", "score"]).to_csv(tmp_path / "d.csv", index=False)
    zh = err(tmp_path / "d.csv", "--weights", "queen", "--out", tmp_path / "o3", "--lang", "zh")
    assert "地区“朝阳区”有歧义" in zh and "北京市朝阳区 (110105)" in zh and "吉林省长春市朝阳区 (220104)" in zh
    en = err(tmp_path / "d.csv", "--weights", "queen", "--out", tmp_path / "o4", "--lang", "en")
    assert "region '朝阳区' is ambiguous" in en
