"""Default titles of the rank and disparity charts follow the level of the regions: the catalogue's
provincial wording for provinces, ``<key>.<level>`` or the level-neutral ``<key>.other`` for cities
and counties (reference: the catalogue texts themselves, patched in)."""
from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd

from nqpf.plot import trends

matplotlib.use("Agg")


def test_level_titles(monkeypatch):
    texts = {"plot.fig_rank_changes": "P", "plot.fig_rank_changes.county": "C", "plot.fig_rank_changes.other": "O"}
    monkeypatch.setattr(trends, "has", lambda k, lang: k in texts)
    monkeypatch.setattr(trends, "t", lambda k, lang, **kw: texts.get(k, k))
    assert trends.rank_title("zh") == "P"
    assert trends.rank_title("zh", "province") == "P"
    assert trends.rank_title("zh", "county") == "C"
    assert trends.rank_title("zh", "city") == "O"
    del texts["plot.fig_rank_changes.other"]
    assert trends.rank_title("zh", "city") == "P"  # nothing better in the catalogue


def test_rank_chart_uses_the_level_title(monkeypatch):
    import matplotlib.pyplot as plt

    monkeypatch.setattr(trends, "rank_title", lambda lang, level=None: f"title for {level}")
    Y = pd.DataFrame(np.random.default_rng(0).random((80, 2)), index=[f"r{i}" for i in range(80)], columns=[2000, 2001])
    for n in (10, 80):  # every region, and the movers chart beyond RANKS_MAX_REGIONS
        fig = trends.plot_rank_changes(Y.iloc[:n], lang="en", level="county")
        assert fig._suptitle.get_text() == "title for county"
        plt.close(fig)
