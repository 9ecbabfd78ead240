"""The web app's page in a real browser: headless Chromium (the system's, e.g. Debian's ``chromium``)
driven by Playwright for Python, against ``nqpf serve``'s app run by uvicorn on a free port.

A user's walk through the page: switch the language, upload the paper's scores table, run, read the
report in the page and download the zip; download the ``nqpf init`` template, upload a filled raw-data
workbook (the template of spec ``scitech_example`` filled with the bundled public panel), run the whole
study; upload a workbook with a broken cell and read the one-line error (file, sheet, row, column).
Screenshots go to ``$NQPF_TEST_ARTIFACTS/web`` (default: pytest's temporary folder) for a person to look at.
"""
from __future__ import annotations

import io
import os
import shutil
import socket
import threading
import time
import zipfile
from pathlib import Path

import pytest

pytest.importorskip("starlette", reason="the web app needs the extra nqpf[web] (starlette)")
pytest.importorskip("uvicorn", reason="the web app needs the extra nqpf[web] (uvicorn)")
pytest.importorskip("multipart", reason="the web app needs the extra nqpf[web] (python-multipart)")
sync_api = pytest.importorskip("playwright.sync_api", reason="browser tests need Playwright for Python (pip install playwright)")

from test_web_api import FEW, filled_workbook, paper_scores_csv  # noqa: E402

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory):
    base = os.environ.get("NQPF_TEST_ARTIFACTS")
    d = (Path(base) if base else tmp_path_factory.mktemp("artifacts")) / "web"
    d.mkdir(parents=True, exist_ok=True)
    return d


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The app of ``nqpf serve`` under uvicorn in a thread, on a free port of 127.0.0.1."""
    import uvicorn

    from nqpf.web import WebConfig, create_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = create_app(WebConfig(root=tmp_path_factory.mktemp("webjobs")))
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    th = threading.Thread(target=srv.run, daemon=True)
    th.start()
    end = time.time() + 30
    while not srv.started:
        assert time.time() < end and th.is_alive(), "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/"
    srv.should_exit = True
    th.join(15)


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        pytest.skip("Chromium not installed (Debian: apt-get install chromium); .ci/run installs it")
    with sync_api.sync_playwright() as p:
        try:
            b = p.chromium.launch(executable_path=CHROMIUM, headless=True)
        except Exception as exc:   # a Chromium Playwright cannot drive
            pytest.skip(f"cannot start {CHROMIUM} with Playwright: {str(exc).splitlines()[0]}")
        yield b
        b.close()


@pytest.fixture
def page(browser, server):
    ctx = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900}, locale="zh-CN")
    pg = ctx.new_page()
    pg.set_default_timeout(60_000)
    pg.goto(server)
    pg.wait_for_selector("body.ready")
    yield pg
    ctx.close()


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("user")
    good = filled_workbook(d / "科技统计.xlsx")
    import openpyxl

    bad = d / "坏数据.xlsx"
    wb = openpyxl.load_workbook(good)
    wb["v4_cg_zlsq2_hj"].cell(6, 4, "12,3O")          # a typo: letter O for zero
    wb.save(bad)
    return {"scores": paper_scores_csv(d / "paper_scores.csv"), "workbook": good, "bad": bad}


def _quick(page, formats=("csv", "html")):
    page.fill("#permutations", "99")
    page.fill("#skip", FEW)
    for box in page.query_selector_all("input[name=fmt]"):
        if (box.get_attribute("value") in formats) != box.is_checked():
            box.click()


def test_language_switch(page, artifacts):
    expect = sync_api.expect
    expect(page.locator("h1")).to_contain_text("新质生产力")
    expect(page.locator("#run")).to_have_text("开始分析")
    page.screenshot(path=str(artifacts / "01_page_zh.png"), full_page=True)
    page.click("#lang-en")
    expect(page.locator("h1")).to_contain_text("New quality productive forces")
    expect(page.locator("#run")).to_have_text("Run the analysis")
    expect(page.locator("#lang-en")).to_have_attribute("aria-pressed", "true")
    assert page.eval_on_selector("html", "e => e.lang") == "en"
    assert page.input_value("#report-lang") == "en"      # the report follows the page unless chosen
    page.click("#mode-study")
    expect(page.locator("#step-template")).to_be_visible()
    expect(page.locator("#template-link")).to_have_text("Download the Excel template")
    page.screenshot(path=str(artifacts / "02_page_en_study.png"), full_page=True)
    page.reload()
    page.wait_for_selector("body.ready")
    expect(page.locator("h1")).to_contain_text("New quality")   # remembered
    page.click("#lang-zh")
    expect(page.locator("h1")).to_contain_text("新质生产力")


def test_scores_table_report_and_zip(page, files, artifacts):
    expect = sync_api.expect
    page.click("#lang-en")
    page.set_input_files("#data", str(files["scores"]))
    _quick(page)
    page.click("#run")
    expect(page.locator("#report-frame")).to_be_visible(timeout=90_000)
    expect(page.locator("#status")).to_contain_text("Done")
    frame = page.frame_locator("#report-frame")
    expect(frame.locator("body")).to_contain_text("Moran", timeout=30_000)
    expect(frame.locator("img").first).to_be_visible()
    assert page.locator("#steps li").count() >= 5
    assert "nqpf analyze data.csv" in page.text_content("#rerun")
    page.screenshot(path=str(artifacts / "03_scores_report_en.png"), full_page=False)
    page.locator("#step-result").screenshot(path=str(artifacts / "04_scores_result_card.png"))
    frame.locator("img").first.scroll_into_view_if_needed()
    page.locator("#report-frame").screenshot(path=str(artifacts / "04b_scores_report_figure_en.png"))
    with page.expect_download() as d:
        page.click("#zip-link")
    z = zipfile.ZipFile(io.BytesIO(Path(d.value.path()).read_bytes()))
    names = set(z.namelist())
    assert {"rerun.sh", "README.txt", "data.csv", "results/report.html", "results/tables/moran_global.csv"} <= names
    assert d.value.suggested_filename.endswith(".zip")


def test_template_and_study_workbook(page, files, artifacts, tmp_path):
    expect = sync_api.expect
    page.click("#lang-zh")
    page.click("#mode-study")
    page.select_option("#spec", "scitech_example")
    page.fill("#tpl-first", "2011")
    with page.expect_download() as d:
        page.click("#template-link")
    import openpyxl

    tpl = tmp_path / "template.xlsx"
    d.value.save_as(tpl)
    wb = openpyxl.load_workbook(tpl)
    assert "v4_cg_zlsq_fm" in wb.sheetnames and wb["v4_cg_zlsq_fm"].cell(3, 2).value == 2011
    page.set_input_files("#data", str(files["workbook"]))
    page.fill("#period", "2011,2023")
    page.fill("#exclude", "西藏,青海")
    _quick(page)
    page.click("#run")
    expect(page.locator("#cancel")).to_be_visible()
    expect(page.locator("#steps li").nth(2)).to_be_visible(timeout=60_000)   # progress, step by step
    page.locator("#step-run").screenshot(path=str(artifacts / "05a_study_progress_zh.png"))
    expect(page.locator("#report-frame")).to_be_visible(timeout=90_000)
    expect(page.locator("#status")).to_contain_text("完成")
    expect(page.locator("#cancel")).to_be_hidden()
    frame = page.frame_locator("#report-frame")
    expect(frame.locator("body")).to_contain_text("熵", timeout=30_000)   # the report's index section (熵权法)
    expect(page.locator("#steps")).to_contain_text("构建指数")
    expect(page.locator("#warnings")).to_contain_text("科技统计.xlsx")   # warnings name the user's file
    assert page.text_content("#rerun") == "nqpf run config.toml --out results"
    page.screenshot(path=str(artifacts / "05b_study_report_zh.png"), full_page=False)


def test_bad_workbook_shows_one_line_error(page, files, artifacts):
    expect = sync_api.expect
    page.click("#lang-zh")
    page.click("#mode-study")
    page.select_option("#spec", "scitech_example")
    page.set_input_files("#data", str(files["bad"]))
    page.fill("#period", "2011,2023")
    _quick(page, formats=("csv",))
    page.click("#run")
    err = page.locator("#error")
    expect(err).to_be_visible(timeout=60_000)
    text = err.text_content()
    assert "坏数据.xlsx" in text and "sheet 'v4_cg_zlsq2_hj'" in text and "row 6" in text and "column D" in text
    assert "'12,3O' is not a number" in text and "\n" not in text and "/" not in text.split("坏数据.xlsx")[0]
    expect(page.locator("#step-result")).to_be_hidden()
    expect(page.locator("#run")).to_be_enabled()
    err.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "06_bad_workbook_error_zh.png"), full_page=False)


def test_missing_file_message_in_english(page, artifacts):
    expect = sync_api.expect
    page.click("#lang-en")
    page.click("#run")       # the browser's own check of the required file field first
    assert page.eval_on_selector("#data", "e => e.validity.valueMissing")
    page.eval_on_selector("#data", "e => e.removeAttribute('required')")
    page.click("#run")
    expect(page.locator("#error")).to_have_text("Error: Choose the data file to upload first.")
