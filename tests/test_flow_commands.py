"""One code path for ``nqpf analyze``/``nqpf run`` and the web app (:mod:`nqpf._commands`); progress
steps named through the catalogue (``step.<name>``); ``nqpf serve`` without the web extra."""
from __future__ import annotations

import ast
import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nqpf import _commands, datasets
from nqpf.cli import app
from nqpf.i18n import catalogue

runner = CliRunner()
SRC = Path(__file__).resolve().parents[1] / "src" / "nqpf"


@pytest.fixture(scope="module")
def scores_csv(tmp_path_factory):
    path = tmp_path_factory.mktemp("scores") / "scores.csv"
    datasets.load_ran2025_scores(wide=True).to_csv(path)
    return path


def test_the_web_worker_calls_the_commands_not_the_cli():
    tree = ast.parse((SRC / "web" / "_worker.py").read_text(encoding="utf-8"))
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert "cli" not in imported and "_commands" in imported
    names = {a.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) for a in node.names}
    assert {"analyze_file", "run_file"} <= names
    # and the command line's analyze/run are thin: they call the same functions
    cli = (SRC / "cli.py").read_text(encoding="utf-8")
    assert "analyze_file(" in cli and "run_file(" in cli and "read_scores(" not in cli


def test_analyze_file_writes_what_the_command_writes(scores_csv, tmp_path):
    args = ["--weights", "china-provinces", "--permutations", "19", "--formats", "csv",
            "--only", "scores,disparity,spatial"]
    r = runner.invoke(app, ["analyze", str(scores_csv), "--out", str(tmp_path / "cli"), *args, "-q"])
    assert r.exit_code == 0, r.output
    done = _commands.analyze_file(scores_csv, tmp_path / "lib", permutations=19, formats="csv",
                                  only=["scores", "disparity", "spatial"])
    assert done.lang == "zh" and "tables" in done.written
    for f in sorted((tmp_path / "cli" / "tables").glob("*")):
        assert (tmp_path / "lib" / "tables" / f.name).read_bytes() == f.read_bytes(), f.name
    # the web records the name uploaded as the source and title
    done = _commands.analyze_file(scores_csv, tmp_path / "web", permutations=19, formats=["csv"],
                                  only="scores", source="我的得分.xlsx", title="我的得分")
    meta = json.loads((tmp_path / "web" / "tables" / "meta.json").read_text(encoding="utf-8"))
    assert meta["source"] == "我的得分.xlsx" and meta["title"] == "我的得分"


def test_the_command_options_are_checked_as_on_the_command_line(scores_csv, tmp_path):
    from nqpf.errors import NqpfError

    with pytest.raises(NqpfError, match=r"^--years expects years"):
        _commands.analyze_file(scores_csv, tmp_path, years="2010-2020")
    with pytest.raises(NqpfError, match=r"^--lang: unknown language"):
        _commands.analyze_file(scores_csv, tmp_path, lang="klingon")
    with pytest.raises(NqpfError, match=r"--only/--skip"):
        _commands.run_file({"data": {"path": "x.csv"}, "spec": {"name": "ran2025"}}, tmp_path, only="moran")
    assert _commands.parse_years(["2010", "2020"]) == _commands.parse_years("2010,2020") == [2010, 2020]
    assert _commands.parse_formats(None) == _commands.parse_formats("") and _commands.parse_formats("CSV") == ("csv",)


def test_every_step_of_a_run_has_a_catalogue_text(tmp_path):
    """Each label the analyses emit (demo, every default family), the writer and the index steps emit is a
    step of the catalogue in Chinese and English."""
    import re

    from nqpf.outputs import write
    from nqpf.pipeline import demo

    seen: list = []
    res = demo(permutations=19, progress=seen.append)
    write(res, tmp_path, lang="en", formats=("csv",), progress=seen.append)
    # the labels of the writer's other outputs, and of every step written in the source as a literal
    for f in [SRC / "outputs.py", SRC / "pipeline.py", SRC / "web" / "_worker.py", *(SRC / "analyses").glob("*.py")]:
        seen += re.findall(r"""\bstep\(\s*"([^"{]+)"\s*\)""", f.read_text(encoding="utf-8"))
    assert {"tables", "figures", "read_data", "zip"} <= set(seen)
    seen += ["figure map_2010", "bivariate Moran's I: gdp"]
    for label in seen:
        key, _ = _commands.step_key(label)
        for lang in ("zh", "en"):
            assert key in catalogue(lang), (label, lang)
    assert _commands.step_text("global Moran's I", "zh") == "全局莫兰指数"
    assert _commands.step_text("moran_global", "en") == "global Moran's I"
    assert _commands.step_text("figure map_2010", "zh") == "绘图：2010年新质生产力发展潜力空间分布"
    assert _commands.step_text("figure ellipse_map", "en") == ("figure: Standard deviational ellipses of the "
                                                               "development potential and the path of its centre")
    assert _commands.step_text("figure fig1_disparity", "zh") == "绘图：泰尔指数、收敛系数与变异系数的年度变化"
    assert _commands.step_text("figure odd_key", "en") == "figure: odd_key"
    assert _commands.step_text("bivariate Moran's I: gdp", "en") == "bivariate Moran's I: gdp"
    assert _commands.step_text("something new", "zh") == "something new"


def test_step_keys_are_defined_in_both_languages():
    zh = {k for k in catalogue("zh") if k.startswith("step.")}
    en = {k for k in catalogue("en") if k.startswith("step.")}
    assert zh == en and len(zh) >= 25
    for english, name in _commands.STEP_NAMES.items():
        assert f"step.{name}" in zh, english


# ------------------------------------------------------------------------------------------ serve
def test_serve_help():
    r = runner.invoke(app, ["serve", "--help"])
    assert r.exit_code == 0, r.output
    for opt in ("--host", "--port", "--open", "--token", "--max-upload-mb", "--keep-hours", "--max-jobs"):
        assert opt in r.output
    assert 'nqpf[web]' in r.output


@pytest.mark.parametrize("missing", [("starlette",), ("uvicorn",), ("starlette", "uvicorn", "multipart")])
def test_serve_without_the_web_extra_says_how_to_install_it(missing, monkeypatch):
    import nqpf.web.server as server

    def must_not_run(**kw):   # pragma: no cover - reached only when the check fails
        raise AssertionError("the server started without the web stack")

    monkeypatch.setattr(server, "serve", must_not_run)
    for m in missing:   # an import of a module set to None fails, and find_spec sees it as absent
        monkeypatch.setitem(sys.modules, m, None)
    r = runner.invoke(app, ["serve", "--port", "0"])
    assert r.exit_code == 2, r.output
    err = r.stderr.strip() if hasattr(r, "stderr") else r.output.strip()
    assert err.count("\n") == 0 and "Traceback" not in r.output
    assert err.startswith("error: the web app needs " + ", ".join(missing))
    assert err.endswith('pip install "nqpf[web]"')
