"""A run killed with SIGKILL leaves its hidden staging folder; the next write to the same folder removes
it (its process is gone) and leaves those of runs still going."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from nqpf.report.atomic import atomic_output_dir


def test_stale_staging_folder_of_a_dead_process_is_removed(tmp_path):
    out = tmp_path / "results"
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / f".results.{dead.pid}.abc123.part"
    stale.mkdir()
    (stale / "half.csv").write_text("x")
    live = tmp_path / f".results.{os.getpid()}.zzz.part"
    live.mkdir()
    other = tmp_path / ".results.9.bak"
    other.mkdir()
    with atomic_output_dir(out) as tmp:
        (tmp / "a.csv").write_text("1")
    assert not stale.exists()
    assert live.exists() and other.exists()
    assert (out / "a.csv").read_text() == "1"


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_sigkill_during_write_then_rerun_leaves_no_hidden_folder(tmp_path):
    out = tmp_path / "o"
    code = ("import time; from nqpf.report.atomic import atomic_output_dir\n"
            f"with atomic_output_dir({str(out)!r}) as t:\n"
            "    (t / 'x.csv').write_text('1'); print('ready', flush=True); time.sleep(60)\n")
    p = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "ready"
    p.send_signal(signal.SIGKILL)
    p.wait()
    assert [q.name for q in tmp_path.iterdir() if q.name.endswith(".part")]
    with atomic_output_dir(out) as tmp:
        (tmp / "y.csv").write_text("2")
    time.sleep(0.01)
    assert sorted(q.name for q in tmp_path.iterdir()) == ["o"]
    assert sorted(q.name for q in out.iterdir()) == ["y.csv"]
