"""`nqpf demo --lang zh|en` produces every output, and each one opens: PNGs decode, the workbook has its
sheets and row counts, the Word report has three-line tables, the HTML report renders in headless Chromium.

Screenshots of the rendered report are saved in the folder named by the environment variable
``NQPF_TEST_ARTIFACTS`` (default: pytest's temporary folder) for a person to look at.
"""
from __future__ import annotations

import base64
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import matplotlib.image as mpimg
import pandas as pd
import pytest
from typer.testing import CliRunner

from nqpf.cli import app

runner = CliRunner()
FILES = ["results.xlsx", "report.html", "report.docx", "tables/disparity.csv", "tables/moran_global.csv",
         "tables/moran_local.csv", "tables/quadrant_transitions.csv", "tables/strategy.csv",
         "figures/fig1_disparity.png", "figures/fig1_disparity.svg", "figures/fig2_moran_scatter.png",
         "figures/heatmap.png", "figures/rank_changes.png", "figures/map_2010.png", "figures/map_2020.png",
         "figures/lisa_map_2010.png", "figures/lisa_map_2020.png"]


@pytest.fixture(scope="module", params=["zh", "en"])
def demo(request, tmp_path_factory):
    out = tmp_path_factory.mktemp(f"demo_{request.param}")
    r = runner.invoke(app, ["demo", "--out", str(out), "--lang", request.param, "--permutations", "99", "-q"],
                      catch_exceptions=False)
    assert r.exit_code == 0, r.output
    return request.param, out


def test_every_file_is_written(demo):
    lang, out = demo
    missing = [f for f in FILES if not (out / f).is_file()]
    assert not missing, missing
    # nothing half-written or temporary is left behind
    assert not [p for p in out.rglob("*") if p.name.startswith(".") or p.suffix in (".part", ".tmp")]


def test_pngs_decode_at_300_dpi(demo):
    _, out = demo
    for png in sorted((out / "figures").glob("*.png")):
        img = mpimg.imread(png)
        assert img.ndim == 3 and min(img.shape[:2]) > 900, png.name  # ≥ 3 inches at 300 dpi


def test_workbook_sheets_and_rows(demo):
    import openpyxl

    lang, out = demo
    wb = openpyxl.load_workbook(out / "results.xlsx", read_only=True)
    names = wb.sheetnames
    assert names[0] in ("说明", "About")
    n_local = 29 * 11
    found = {}
    for ws in wb.worksheets[1:]:
        rows = ws.max_row - 1  # header row
        found[ws.title] = rows
    # the local Moran sheet has one row per region-year, the global one per year
    assert n_local in found.values()
    assert 11 in found.values()
    text = " ".join(names)
    if lang == "zh":
        assert re.search(r"[\u4e00-\u9fff]", text)


def _docx_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        return z.read("word/document.xml").decode("utf-8")


def test_docx_three_line_tables(demo):
    lang, out = demo
    xml = _docx_xml(out / "report.docx")
    tables = re.findall(r"<w:tbl>.*?</w:tbl>", xml, flags=re.S)
    assert len(tables) >= 4
    for t in tables:
        borders = re.search(r"<w:tblBorders>(.*?)</w:tblBorders>", t, flags=re.S).group(1)
        top = re.search(r'<w:top [^>]*w:sz="(\d+)"', borders)
        bottom = re.search(r'<w:bottom [^>]*w:sz="(\d+)"', borders)
        assert top and bottom and int(top.group(1)) >= 8 and int(bottom.group(1)) >= 8
        for side in ("insideV", "left", "right"):
            m = re.search(rf'<w:{side} [^>]*w:val="(\w+)"', borders)
            assert m is None or m.group(1) in ("nil", "none"), side
    cap = "表" if lang == "zh" else "Table"
    assert re.search(rf"{cap}\s*1", xml)


def _chromium():
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        p = shutil.which(name)
        if p:
            return p
    return None


@pytest.mark.browser
def test_html_renders_in_chromium(demo, tmp_path):
    lang, out = demo
    html = (out / "report.html").read_text(encoding="utf-8")
    assert not re.search(r'(src|href)="https?://', html)
    imgs = re.findall(r'<img[^>]+src="data:image/png;base64,([^"]+)"', html)
    assert len(imgs) >= 8
    for b in imgs:
        assert base64.b64decode(b)[:8] == b"\x89PNG\r\n\x1a\n"
    if lang == "zh":
        assert "新质生产力" in html
    chrome = _chromium()
    if chrome is None:
        pytest.skip("no Chromium on this machine (apt-get install chromium); the HTML was checked statically")
    art = Path(os.environ.get("NQPF_TEST_ARTIFACTS", tmp_path))
    art.mkdir(parents=True, exist_ok=True)
    shot = art / f"report_{lang}.png"
    # a copy of the page that writes, once loaded, how many images decoded into the DOM
    probe = tmp_path / "probe.html"
    # (the report forbids scripts with its Content-Security-Policy; the probe copy drops that one tag)
    probe_html = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", html)
    probe.write_text(probe_html.replace(
        "</body>",
        "<script>window.addEventListener('load',function(){var n=0,a=document.images;"
        "for(var i=0;i<a.length;i++){if(a[i].complete&&a[i].naturalWidth>0)n++;}"
        "document.body.setAttribute('data-decoded',n+'/'+a.length);});</script></body>"), encoding="utf-8")
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={tmp_path / 'profile'}"]
    subprocess.run([chrome, *flags, f"--screenshot={shot}", "--window-size=1280,2400",
                    (out / "report.html").as_uri()], check=True, capture_output=True, timeout=120)
    img = mpimg.imread(shot)
    assert img.shape[0] == 2400 and img.std() > 0.05  # not a blank page
    dom = subprocess.run([chrome, *flags, "--virtual-time-budget=5000", "--dump-dom", probe.as_uri()],
                         check=True, capture_output=True, timeout=120, text=True).stdout
    m = re.search(r'data-decoded="(\d+)/(\d+)"', dom)
    assert m, "the page did not finish loading"
    assert m.group(1) == m.group(2) == str(len(imgs))
    # Chinese text survives rendering into the DOM
    if lang == "zh":
        assert "新质生产力" in dom
