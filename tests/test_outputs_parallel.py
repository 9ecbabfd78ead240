"""Figures drawn in several processes (``outputs.figure_processes``): the files are the same bytes as
drawn one after the other in the calling process (the reference), warnings raised while drawing reach
the caller, and an error in a figure is raised in the caller with its own type and message."""
from __future__ import annotations

import sys
import warnings

import numpy as np
import pytest

from nqpf import outputs
from nqpf.errors import InputError
from nqpf.results import Figure, RegionIndex, Results

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="figures are forked on Linux only")


def _line(seed):
    def draw(results, lang):
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(3, 2))
        ax.plot(np.random.default_rng(seed).normal(size=50).cumsum())
        ax.set_title(f"figure {seed}")
        return fig
    return draw


def _warns(results, lang):
    warnings.warn("a figure's own warning", UserWarning)
    return _line(9)(results, lang)


def _fails(results, lang):
    raise InputError("figure 'broken' cannot be drawn: test")


def _results(*draws):
    figs = {f"f{i}": Figure(f"f{i}", d, "scores", "caption.scores") for i, d in enumerate(draws)}
    return Results(figs, {}, RegionIndex(ids=("a",)))


def _files(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.fixture(autouse=True)
def forkable(monkeypatch):
    """Other tests of the session may leave threads running, which makes figures serial."""
    monkeypatch.setattr(outputs, "_fork_safe", lambda: True)


def test_processes_write_the_same_bytes_as_serial(tmp_path, monkeypatch):
    res = _results(*(_line(s) for s in range(5)))
    got = {}
    for k in ("1", "2"):
        monkeypatch.setenv(outputs.FIGURE_PROCESSES_ENV, k)
        assert outputs.figure_processes(5) == int(k)
        steps = []
        out = outputs._write_figures(res, tmp_path / k, "zh", ("png", "svg"), steps.append)
        assert steps == [f"figure f{i}" for i in range(5)]  # reported in the figures' order
        assert list(out) == [f"f{i}" for i in range(5)]
        got[k] = _files(tmp_path / k)
    assert len(got["1"]) == 10
    assert got["1"] == got["2"]


def test_warnings_reach_the_caller_and_errors_keep_their_type(tmp_path, monkeypatch):
    monkeypatch.setenv(outputs.FIGURE_PROCESSES_ENV, "2")
    with pytest.warns(UserWarning, match="a figure's own warning"):
        outputs._write_figures(_results(_line(1), _warns, _line(2)), tmp_path / "w", "zh", ("png",), lambda s: None)
    with pytest.raises(InputError, match="cannot be drawn"):
        outputs._write_figures(_results(_line(1), _fails, _line(2)), tmp_path / "e", "zh", ("png",), lambda s: None)


def test_serial_when_asked_or_not_worth_it(monkeypatch):
    monkeypatch.setenv(outputs.FIGURE_PROCESSES_ENV, "1")
    assert outputs.figure_processes(20) == 1
    monkeypatch.setenv(outputs.FIGURE_PROCESSES_ENV, "3")
    assert outputs.figure_processes(1) == 1
    assert outputs.figure_processes(2) == 2
    monkeypatch.setenv(outputs.FIGURE_PROCESSES_ENV, "many")
    with pytest.raises(InputError, match="NQPF_FIGURE_PROCESSES"):
        outputs.figure_processes(5)


def test_serial_beside_another_thread(monkeypatch):
    import threading

    monkeypatch.undo()  # the real check
    monkeypatch.setenv(outputs.FIGURE_PROCESSES_ENV, "2")
    stop = threading.Event()
    th = threading.Thread(target=stop.wait)
    th.start()
    try:
        assert outputs.figure_processes(5) == 1
    finally:
        stop.set()
        th.join()


@pytest.mark.parametrize("k", ["1", "2"])
def test_meanwhile_runs_once_and_its_errors_propagate(tmp_path, monkeypatch, k):
    monkeypatch.setenv(outputs.FIGURE_PROCESSES_ENV, k)
    calls = []
    res = _results(_line(1), _line(2), _line(3))
    out = outputs._write_figures(res, tmp_path / "a", "zh", ("png",), lambda s: None, meanwhile=lambda: calls.append(1))
    assert calls == [1] and list(out) == ["f0", "f1", "f2"]

    def boom():
        raise OSError("disk full while writing the workbook")

    with pytest.raises(OSError, match="disk full"):
        outputs._write_figures(res, tmp_path / "b", "zh", ("png",), lambda s: None, meanwhile=boom)


def test_most_costly_figures_are_handed_out_first_and_reported_in_order(tmp_path, monkeypatch):
    """Figure processes take the figures by cost, highest first (ties in order); what is written and
    the order of the progress steps do not depend on it."""
    draws = [_line(s) for s in range(5)]
    costs = [1.0, 5.0, 1.0, 2.5, 5.0]
    figs = {f"f{i}": Figure(f"f{i}", d, "scores", "caption.scores", cost=c)
            for i, (d, c) in enumerate(zip(draws, costs))}
    res = Results(figs, {}, RegionIndex(ids=("a",)))
    assert outputs.dispatch_order(list(res.figures())) == [1, 4, 3, 0, 2]
    got = {}
    for k in ("1", "2"):
        monkeypatch.setenv(outputs.FIGURE_PROCESSES_ENV, k)
        steps = []
        out = outputs._write_figures(res, tmp_path / k, "en", ("png",), steps.append)
        assert steps == [f"figure f{i}" for i in range(5)]
        assert list(out) == [f"f{i}" for i in range(5)]
        got[k] = _files(tmp_path / k)
    assert got["1"] == got["2"]


def test_a_failing_costly_figure_still_raises_in_the_caller(tmp_path, monkeypatch):
    figs = {"f0": Figure("f0", _line(0), "scores", "caption.scores"),
            "f1": Figure("f1", _fails, "scores", "caption.scores", cost=9.0),
            "f2": Figure("f2", _line(2), "scores", "caption.scores")}
    res = Results(figs, {}, RegionIndex(ids=("a",)))
    monkeypatch.setenv(outputs.FIGURE_PROCESSES_ENV, "2")
    with pytest.raises(InputError, match="broken"):
        outputs._write_figures(res, tmp_path, "en", ("png",), lambda s: None)


def test_a_notice_from_a_figure_process_reaches_the_caller_as_a_notice(tmp_path, monkeypatch):
    """A warning in the reader's language raised while a figure is drawn in another process comes back
    with its code (the command line writes it in the output language)."""
    from nqpf.i18n._reasons import Notice

    def draws_and_warns(results, lang):
        warnings.warn(Notice("spatial_markov_islands", {"n": 3}), stacklevel=1)
        return _line(4)(results, lang)

    monkeypatch.setenv(outputs.FIGURE_PROCESSES_ENV, "2")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        outputs._write_figures(_results(_line(1), draws_and_warns), tmp_path, "en", ("png",), lambda s: None)
    got = [w.message for w in caught if isinstance(w.message, Notice)]
    assert len(got) == 1 and got[0].code == "spatial_markov_islands" and "3 个地区" in got[0].text("zh")
