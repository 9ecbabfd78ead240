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


def test_normalize_zip_stores_images_and_deflates_the_rest():
    """Members that are compressed already (PNG, JPEG) are stored, the others deflated; every member
    keeps its bytes and gets the fixed date, so equal input gives equal archives."""
    import io
    import zipfile

    from nqpf.report.atomic import FIXED_ZIP_DATE, normalize_zip

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", "<w:document>" + "x" * 1000 + "</w:document>")
        z.writestr("word/media/image1.png", b"\x89PNG\r\n\x1a\n" + os.urandom(2000))
        z.writestr("word/media/photo.JPEG", os.urandom(500))
    data = buf.getvalue()
    out = normalize_zip(data)
    assert out == normalize_zip(data)
    with zipfile.ZipFile(io.BytesIO(out)) as z, zipfile.ZipFile(io.BytesIO(data)) as src:
        types = {i.filename: i.compress_type for i in z.infolist()}
        assert types == {"word/document.xml": zipfile.ZIP_DEFLATED, "word/media/image1.png": zipfile.ZIP_STORED,
                         "word/media/photo.JPEG": zipfile.ZIP_STORED}
        assert all(z.read(n) == src.read(n) for n in types)
        assert {i.date_time for i in z.infolist()} == {FIXED_ZIP_DATE}


def test_word_package_written_in_one_pass_equals_save_then_normalize(tmp_path):
    """The Word report's package zipped once from python-docx's members is the same bytes as saving it
    and rewriting the archive (the route it replaces), picture included."""
    import io

    from docx import Document
    from docx.shared import Cm
    from PIL import Image

    from nqpf.report.atomic import normalize_zip
    from nqpf.report.docx import _package_bytes

    png = tmp_path / "p.png"
    Image.new("RGB", (40, 30), (200, 10, 10)).save(png)

    def document():
        d = Document()
        d.add_paragraph("一段文字 text")
        d.add_picture(str(png), width=Cm(3))
        d.core_properties.revision = 1
        return d

    one = _package_bytes(document())
    buf = io.BytesIO()
    document().save(buf)
    assert one == normalize_zip(buf.getvalue())
