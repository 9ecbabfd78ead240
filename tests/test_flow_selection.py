"""Every ``--only``/``--skip`` choice of one family runs to the end on ``nqpf demo`` and ``nqpf analyze``
(tables written, the console summary shows what ran), and ``pipeline.demo`` adds the Table 3
comparison only when the global Moran's I was computed."""
from __future__ import annotations

import pytest
from typer.testing import CliRunner

from nqpf import datasets
from nqpf.analyses import FAMILIES
from nqpf.cli import app
from nqpf.pipeline import demo

runner = CliRunner()
#: families that cannot run alone on a bare score panel, and the one-line error they give
NEEDS_INPUT = {"bivariate": "bivariate: no variable to relate the score to"}


def _run(*args):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def scores_csv(tmp_path_factory):
    path = tmp_path_factory.mktemp("scores") / "scores.csv"
    datasets.load_ran2025_scores(wide=True).to_csv(path)
    return path


def _command(kind, scores_csv, out):
    if kind == "demo":
        return ["demo", "--out", out]
    return ["analyze", scores_csv, "--weights", "china-provinces", "--out", out]


def _check(r, out, family, mode):
    if mode == "only" and family in NEEDS_INPUT:
        assert r.exit_code == 2 and NEEDS_INPUT[family] in r.output and "Traceback" not in r.output
        return
    assert r.exit_code == 0, r.output
    tables = {p.stem for p in (out / "tables").glob("*.csv")}
    assert ("moran_global" in tables) == ((mode == "only") == (family == "spatial"))
    assert ("disparity" in tables) == ((mode == "only") == (family == "disparity"))


@pytest.mark.parametrize("kind", ["demo", "analyze"])
@pytest.mark.parametrize("family", list(FAMILIES))
def test_each_family_alone(kind, family, scores_csv, tmp_path):
    r = _run(*_command(kind, scores_csv, tmp_path), "--only", family, "--formats", "csv", "--permutations", 19)
    _check(r, tmp_path, family, "only")


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["demo", "analyze"])
@pytest.mark.parametrize("family", list(FAMILIES))
def test_each_family_skipped(kind, family, scores_csv, tmp_path):
    r = _run(*_command(kind, scores_csv, tmp_path), "--skip", family, "--formats", "csv", "--permutations", 19)
    _check(r, tmp_path, family, "skip")


@pytest.mark.parametrize("kind", ["demo", "analyze"])
def test_the_reported_selection(kind, scores_csv, tmp_path):
    """``--only scores,spatial,hotspots,ellipse`` (no disparity): the summary shows Moran's I alone."""
    r = _run(*_command(kind, scores_csv, tmp_path), "--only", "scores,spatial,hotspots,ellipse",
             "--formats", "csv", "--permutations", 19, "--lang", "en")
    assert r.exit_code == 0, r.output
    assert "Theil" not in r.output and "2020" in r.output
    r = _run(*_command(kind, scores_csv, tmp_path / "d"), "--only", "disparity", "--formats", "csv", "--lang", "en")
    assert r.exit_code == 0, r.output
    assert "Theil" in r.output and "2020" in r.output


def test_demo_table3_only_with_moran():
    assert "table3_comparison" not in demo(permutations=19, analyses=["disparity"])
    assert "table3_comparison" not in demo(permutations=19, skip=["spatial"])
    res = demo(permutations=19, analyses=["spatial"])
    comp = res.table("table3_comparison")
    assert comp["year"].tolist() == list(range(2010, 2021))
    mg = res.table("moran_global").set_index("year")["I"]
    assert (comp.set_index("year")["I"] == mg.reindex(comp["year"])).all()
