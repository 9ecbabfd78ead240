"""The web app's HTTP API (``nqpf serve``), driven with Starlette's TestClient.

What is checked, and against what:
* results identical to the command line: a job's ``tables/*.csv`` equal byte for byte those of ``nqpf
  analyze`` run on the same file (the paper's Table 2 scores from ``nqpf.datasets``), ``meta.json`` too
  but for the source and title (the user's file name), and the zip's ``rerun.sh`` is that very command; a
  study job's ``config.toml`` reruns with ``nqpf run`` to the same tables;
* two jobs at once, each with its own data, each giving its own command line's tables;
* cancellation ends the process and leaves no file; a failing job leaves no file and shows the one-line
  message naming the user's file (never the server's paths);
* upload size limit (413, nothing stored), token required off localhost (401 without it, a cookie from
  ``?token=``), loopback host names only without a token (403), other origins refused (403);
* path traversal: upload names such as ``../../x.csv`` or ``%2e%2e/x.csv`` are stored under the job's fixed
  names, ids and static paths with ``..`` or ``%2e%2e`` are 404, file names in ``params`` or an uploaded
  config are refused;
* expiry after ``keep_hours``; the template endpoint; the core package imports without the web stack.
"""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

pytest.importorskip("starlette", reason="the web app needs the extra nqpf[web] (starlette)")
pytest.importorskip("multipart", reason="the web app needs the extra nqpf[web] (python-multipart)")
pytest.importorskip("httpx", reason="Starlette's TestClient needs httpx")

import warnings  # noqa: E402

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient  # noqa: E402

from typer.testing import CliRunner  # noqa: E402

from nqpf.cli import app as cli_app  # noqa: E402
from nqpf.errors import InputError  # noqa: E402
from nqpf.web.app import WebConfig, create_app  # noqa: E402
from nqpf.web.jobs import JobManager  # noqa: E402
from nqpf.web.options import JobRequest, parse_params, stored_name  # noqa: E402
from nqpf.web.server import app_url, check_settings, is_loopback  # noqa: E402

LOCAL = "http://127.0.0.1"
QUICK = {"permutations": 99, "formats": "csv"}
FEW = "robustness,coupling,density,convergence,hotspots,ellipse,markov,drivers"


# ------------------------------------------------------------------------------------------ data
def paper_scores_csv(path: Path, factor: float = 1.0) -> Path:
    """The paper's Table 2 (long region, year, score), optionally scaled, as a user's CSV."""
    import nqpf.datasets

    df = nqpf.datasets.load_ran2025_scores()
    df["score"] = df["score"] * factor
    df.to_csv(path, index=False)
    return path


def filled_workbook(path: Path, first: int = 2010, last: int = 2023) -> Path:
    """The ``nqpf init`` template of spec ``scitech_example`` filled with the bundled public panel (the
    real raw data of ``examples/scitech``): the workbook a user would upload for a study."""
    import openpyxl

    import nqpf.datasets
    from nqpf.spec import load_spec
    from nqpf.template import write_template

    write_template(load_spec("scitech_example"), path, years=range(first, last + 1))
    panel = nqpf.datasets.load_scitech_panel()
    values = panel.set_index(["variable_code", "province", "year"])["value"].to_dict()
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets[1:]:
        var = str(ws.cell(1, 1).value).split()[0]
        years = [ws.cell(3, j).value for j in range(2, ws.max_column + 1)]
        for i in range(4, ws.max_row + 1):
            region = ws.cell(i, 1).value
            for j, y in enumerate(years, start=2):
                v = values.get((var, region, y))
                if v is not None and v == v:
                    ws.cell(i, j, float(v))
    wb.save(path)
    return path


def post(client, data: Path | tuple, params: dict, **files):
    """POST /api/jobs with ``data`` (a path, or (name, bytes)) and other file fields."""
    def part(v):
        if isinstance(v, tuple):
            return (v[0], io.BytesIO(v[1]))
        return (v.name, v.open("rb"))

    up = {"data": part(data)}
    up.update({k.replace("_", "-"): part(v) for k, v in files.items()})
    return client.post("/api/jobs", files=up, data={"params": json.dumps(params)})


def wait(client, jid: str, timeout: float = 90.0) -> dict:
    end = time.time() + timeout
    while True:
        s = client.get(f"/api/jobs/{jid}").json()
        if s["status"] not in ("queued", "running"):
            return s
        assert time.time() < end, f"job still {s['status']} after {timeout} s: {s['progress']}"
        time.sleep(0.1)


def tables_of(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((folder / "tables").iterdir())}


def zip_tables(blob: bytes) -> dict[str, bytes]:
    z = zipfile.ZipFile(io.BytesIO(blob))
    return {Path(n).name: z.read(n) for n in z.namelist() if n.startswith("results/tables/")}


# --------------------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def root(tmp_path_factory):
    return tmp_path_factory.mktemp("jobs")


@pytest.fixture(scope="module")
def client(root):
    app = create_app(WebConfig(root=root, max_upload_mb=5, max_jobs=2))
    with TestClient(app, base_url=LOCAL) as c:
        c.app_state = app.state
        yield c


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("userfiles")
    paper_scores_csv(d / "scores.csv")
    paper_scores_csv(d / "scores_x2.csv", factor=2.0)
    return d


def cli_tables(tmp: Path, src: Path, *args) -> dict[str, bytes]:
    """``nqpf analyze data.csv … --out out`` run as a user would in a folder holding ``data.csv``."""
    work = tmp / "cli"
    work.mkdir(parents=True, exist_ok=True)
    (work / "data.csv").write_bytes(src.read_bytes())
    cwd = os.getcwd()
    os.chdir(work)
    try:
        r = CliRunner().invoke(cli_app, ["analyze", "data.csv", "--out", "out", *map(str, args), "-q"],
                               catch_exceptions=False)
    finally:
        os.chdir(cwd)
    assert r.exit_code == 0, r.output
    return tables_of(work / "out")


# ------------------------------------------------------------------------------- identity with CLI
def test_analyze_job_equals_command_line_byte_for_byte(client, data_dir, tmp_path):
    params = {"mode": "analyze", "weights": "china-provinces", "lang": "en", **QUICK}
    r = post(client, data_dir / "scores.csv", params)
    assert r.status_code == 202, r.text
    s = wait(client, r.json()["id"])
    assert s["status"] == "done", s
    assert s["command"] == ("nqpf analyze data.csv --out results --weights china-provinces --lang en "
                            "--permutations 99 --formats csv")
    blob = client.get(s["zip"]).content
    web = zip_tables(blob)
    cli = cli_tables(tmp_path, data_dir / "scores.csv", "--weights", "china-provinces", "--lang", "en",
                     "--permutations", "99", "--formats", "csv")
    assert set(web) == set(cli) and {"moran_global.csv", "disparity.csv", "strategy.csv", "meta.json"} <= set(web)
    for name in cli:
        if name != "meta.json":
            assert web[name] == cli[name], f"{name} differs from nqpf analyze"
    # meta.json: the same parameters; the source and the report's title are the name the user uploaded
    mw, mc = json.loads(web["meta.json"]), json.loads(cli["meta.json"])
    assert (mw.pop("source"), mw.pop("title"), mc.pop("source"), mc.pop("title")) == (
        "scores.csv", "scores", "data.csv", "data")
    assert mw == mc
    z = zipfile.ZipFile(io.BytesIO(blob))
    assert z.read("data.csv") == (data_dir / "scores.csv").read_bytes()
    assert s["command"] in z.read("rerun.sh").decode()
    assert "scores.csv" in z.read("README.txt").decode()   # the user's name, for the record
    # the paper's Table 3 (2011–2020 reproduced, see docs/table3.md): Moran's I 2015 = 0.350
    mg = z.read("results/tables/moran_global.csv").decode().splitlines()
    row = dict(zip(mg[0].split(","), next(line for line in mg if line.startswith("2015,")).split(",")))
    assert round(float(row["I"]), 3) == 0.350


def test_two_jobs_at_once_each_its_own(client, data_dir, tmp_path):
    opts = {"mode": "analyze", "only": "scores,disparity", **QUICK}
    a = post(client, data_dir / "scores.csv", opts).json()["id"]
    b = post(client, data_dir / "scores_x2.csv", opts).json()["id"]
    # both run at once (max_jobs=2): both are seen running before either has finished
    seen = set()
    end = time.time() + 60
    while time.time() < end and len(seen) < 2:
        for j in (a, b):
            st = client.get(f"/api/jobs/{j}").json()["status"]
            if st in ("running", "done"):
                seen.add(j)
        time.sleep(0.05)
    sa, sb = wait(client, a), wait(client, b)
    assert sa["status"] == sb["status"] == "done"
    ta, tb = zip_tables(client.get(sa["zip"]).content), zip_tables(client.get(sb["zip"]).content)
    assert ta["scores.csv"] != tb["scores.csv"]
    assert ta["disparity.csv"] == tb["disparity.csv"]   # Theil, σ and CV are scale invariant
    cli_b = cli_tables(tmp_path, data_dir / "scores_x2.csv", "--weights", "china-provinces", "--only",
                       "scores,disparity", "--permutations", "99", "--formats", "csv")
    assert {k: v for k, v in tb.items() if k != "meta.json"} == {k: v for k, v in cli_b.items() if k != "meta.json"}
    jobs = client.app_state.jobs
    assert jobs.get(a).dir != jobs.get(b).dir and jobs.get(a).dir.parent == jobs.get(b).dir.parent
    # a later job of the same shape expects as many steps as these took
    c = post(client, data_dir / "scores.csv", opts).json()["id"]
    assert jobs.get(c).expected == len(sa["progress"]["steps"])
    wait(client, c)
    # deleting a finished job removes its files
    d = client.delete(f"/api/jobs/{a}")
    assert d.json()["status"] == "deleted" and not jobs.get(a).dir.exists()
    assert client.get(f"/api/jobs/{a}/results.zip").status_code == 404


# ------------------------------------------------------------------------------ cancel and errors
def test_cancel_ends_the_job_and_leaves_nothing(client, data_dir):
    r = post(client, data_dir / "scores.csv", {"mode": "analyze", "permutations": 9999})
    jid = r.json()["id"]
    job = client.app_state.jobs.get(jid)
    end = time.time() + 60
    while client.get(f"/api/jobs/{jid}").json()["progress"]["done"] < 1:
        assert time.time() < end
        time.sleep(0.05)
    d = client.delete(f"/api/jobs/{jid}")
    assert d.status_code == 200 and d.json()["status"] == "cancelled"
    s = client.get(f"/api/jobs/{jid}").json()
    assert s["status"] == "cancelled" and s["zip"] is None and s["report"] is None
    assert not job.dir.exists()
    assert job.process.exitcode is not None and job.process.exitcode != 0
    assert client.get(f"/api/jobs/{jid}/results.zip").status_code == 404
    assert client.get(f"/api/jobs/{jid}/report.html").status_code == 404


def test_bad_input_one_line_naming_the_users_file(client, tmp_path):
    bad = tmp_path / "我的得分.csv"
    lines = paper_scores_csv(tmp_path / "s.csv").read_text(encoding="utf-8").splitlines()
    lines[5] = lines[5].rsplit(",", 1)[0] + ",-0.5"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    s = wait(client, post(client, bad, {"mode": "analyze", **QUICK}).json()["id"])
    assert s["status"] == "error"
    msg = s["error"]
    assert "\n" not in msg and "我的得分.csv" in msg and "positive" in msg
    assert str(client.app_state.jobs.root) not in msg and "data.csv" not in msg
    assert not client.app_state.jobs.get(s["id"]).dir.exists()


def test_spatial_weights_file_upload_and_knn(client, data_dir, tmp_path):
    """A GeoDa .gal file uploaded in the field weights (the paper's contiguity written out by
    nqpf.regions.contiguity with the user's region names) gives the global Moran's I of the built-in
    china-provinces weights to 1e-12; knn:4 is passed through as a spelling."""
    import pandas as pd

    import nqpf.regions as R

    names = pd.read_csv(data_dir / "scores.csv")["region"].unique()
    code = {n: R.normalize(n) for n in names}
    w = R.contiguity(list(code.values()), island="guangdong")
    name = {c: n for n, c in code.items()}
    lines = [f"0 {len(names)}"]
    for c in w.id_order:
        lines += [f"{name[c]} {len(w.neighbors[c])}", " ".join(name[j] for j in w.neighbors[c])]
    gal = tmp_path / "省级邻接.gal"
    gal.write_text("\n".join(lines) + "\n", encoding="utf-8")
    opts = {"mode": "analyze", "only": "spatial", **QUICK}
    by_file = wait(client, post(client, data_dir / "scores.csv", opts, weights=gal).json()["id"])
    builtin = wait(client, post(client, data_dir / "scores.csv", {**opts, "weights": "china-provinces"}).json()["id"])
    knn = wait(client, post(client, data_dir / "scores.csv", {**opts, "weights": "knn:4"}).json()["id"])
    assert by_file["status"] == builtin["status"] == knn["status"] == "done", (by_file, knn)
    assert "--weights weights.gal" in by_file["command"] and "--weights knn:4" in knn["command"]

    def moran(s):
        t = zip_tables(client.get(s["zip"]).content)["moran_global.csv"].decode()
        return pd.read_csv(io.StringIO(t)).set_index("year")

    a, b, k = moran(by_file), moran(builtin), moran(knn)
    assert (a["I"] - b["I"]).abs().max() < 1e-12 and (a["z_rand"] - b["z_rand"]).abs().max() < 1e-12
    assert (a["I"] - k["I"]).abs().max() > 1e-3
    assert "weights.gal" in zipfile.ZipFile(io.BytesIO(client.get(by_file["zip"]).content)).namelist()


def test_unknown_option_and_mode_rejected_at_once(client, data_dir):
    r = post(client, data_dir / "scores.csv", {"mode": "analyze", "permutatons": 9})
    assert r.status_code == 400 and "--permutations" in r.json()["error"]
    r = post(client, data_dir / "scores.csv", {"mode": "analyze", "weighting": "critic"})
    assert r.status_code == 400 and "mode study" in r.json()["error"]
    r = post(client, data_dir / "scores.csv", {"mode": "compute"})
    assert r.status_code == 400 and "analyze" in r.json()["error"]
    r = client.post("/api/jobs", files={"data": ("s.csv", io.BytesIO(b"a")), "evil": ("e.csv", io.BytesIO(b"x"))},
                    data={"params": "{}"})
    assert r.status_code == 400 and "unknown field" in r.json()["error"]
    r = client.post("/api/jobs", files={"spec": ("s.toml", io.BytesIO(b"a"))}, data={"params": "{}"})
    assert r.status_code == 400 and r.json()["error"].startswith("data:")
    r = client.post("/api/jobs", files={"data": ("s.csv", io.BytesIO(b"a"))}, data={"params": "[1, 2]"})
    assert r.status_code == 400 and "JSON object" in r.json()["error"]


def test_parse_params_unit():
    assert parse_params('{"mode": "study", "--per_year": true, "Years": "2011, 2023", "exclude": ["西藏"]}') == (
        "study", {"per-year": True, "years": ["2011", "2023"], "exclude": ["西藏"]})
    assert parse_params(None) == ("analyze", {})
    assert parse_params('{"permutations": "99", "seed": 7, "lang": ""}') == ("analyze", {"permutations": 99, "seed": 7})
    for bad in ('{"permutations": -1}', '{"permutations": 1.5}', '{"drop-missing": "perhaps"}', "not json",
                '{"set": [1.5]}'):
        with pytest.raises(InputError):
            parse_params(bad)
    with pytest.raises(InputError, match="weights file"):
        JobRequest("analyze", {"weights": "file"}, {"data": "data.csv"}).check()
    with pytest.raises(InputError, match="mode study"):
        JobRequest("analyze", {}, {"data": "data.csv", "spec": "spec.toml"}).check()


# --------------------------------------------------------------------------------------- limits
def test_upload_size_limit(root, data_dir):
    app = create_app(WebConfig(root=root / "small", max_upload_mb=0.01))
    with TestClient(app, base_url=LOCAL) as c:
        big = ("big.csv", b"region,year,score\n" + b"x,2010,1\n" * 3000)   # ~27 kB > 10 kB
        r = post(c, big, {"mode": "analyze"})
        assert r.status_code == 413 and "0.01 MB" in r.json()["error"]
        assert list((root / "small").iterdir()) == []
        r = c.post("/api/jobs", content=iter([b"x" * 100]),   # no Content-Length: refused before reading
                   headers={"content-type": "multipart/form-data; boundary=x"})
        assert r.status_code == 411


def test_token_required_off_localhost(root, data_dir):
    token = "t0ken-for-tests-0123456789"
    app = create_app(WebConfig(root=root / "tok", token=token))
    with TestClient(app, base_url="http://192.0.2.10:8765", follow_redirects=False) as c:
        for path in ("/", "/api/meta", "/static/app.js", "/api/jobs/xxxxxxxxxxxxxxxxxxxxxx"):
            r = c.get(path)
            assert r.status_code == 401 and "token" in r.json()["error"], path
        assert c.get("/api/meta", headers={"Authorization": "Bearer wrong-token-0123456789"}).status_code == 401
        assert post(c, data_dir / "scores.csv", {"mode": "analyze"}).status_code == 401
        assert list((root / "tok").iterdir()) == []
        assert c.get("/api/meta", headers={"Authorization": f"Bearer {token}"}).status_code == 200
        assert c.get("/api/meta", headers={"X-Nqpf-Token": token}).status_code == 200
        r = c.get(f"/?token={token}")
        assert r.status_code == 303 and r.headers["location"] == "/"
        assert "httponly" in r.headers["set-cookie"].lower() and "samesite=strict" in r.headers["set-cookie"].lower()
        assert c.get("/").status_code == 200        # the cookie now carries the token
        assert c.get("/api/meta").status_code == 200


def test_loopback_names_only_without_token_and_same_origin(client, data_dir):
    app = client.app
    with TestClient(app, base_url="http://evil.example:8765") as c:   # DNS rebinding to 127.0.0.1
        assert c.get("/api/meta").status_code == 403
    with TestClient(app, base_url="http://localhost:8765") as c:
        assert c.get("/api/meta").status_code == 200
    r = client.post("/api/jobs", files={"data": ("s.csv", (data_dir / "scores.csv").open("rb"))},
                    data={"params": "{}"}, headers={"Origin": "http://evil.example"})
    assert r.status_code == 403


def test_serve_settings():
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1") and is_loopback("127.1.2.3")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5") and not is_loopback("example.org")
    assert check_settings("127.0.0.1", 8765, None, 50, 24, 2) is None
    tok = check_settings("0.0.0.0", 8765, None, 50, 24, 2)
    assert tok and len(tok) >= 32 and tok != check_settings("0.0.0.0", 8765, None, 50, 24, 2)
    assert check_settings("0.0.0.0", 1, "a-token-of-twenty-chars", 50, 24, 2) == "a-token-of-twenty-chars"
    for bad in (("h", 8765, "short", 50, 24, 2), ("h", 70000, None, 50, 24, 2), ("h", 1, None, 0, 24, 2),
                ("h", 1, None, 5, 0, 2)):
        with pytest.raises(InputError):
            check_settings(*bad)
    assert app_url("0.0.0.0", 8000, "abc") == "http://127.0.0.1:8000/?token=abc"
    assert app_url("::1", 8000) == "http://[::1]:8000/"


# -------------------------------------------------------------------------------- path traversal
@pytest.mark.parametrize("name, stored", [
    ("../../x.csv", "data.csv"), ("..\\..\\x.XLSX", "data.xlsx"), ("%2e%2e/%2e%2e/x.csv", "data.csv"),
    ("/etc/passwd.csv", "data.csv"), ("a.b.parquet", "data.parquet")])
def test_stored_names_are_fixed(name, stored):
    assert stored_name("data", name) == stored


@pytest.mark.parametrize("field, name", [("data", "x.csv/.."), ("data", "x.exe"), ("data", ".."),
                                         ("weights", "w.csv"), ("config", "c.py"), ("data", "")])
def test_refused_upload_names(field, name):
    with pytest.raises(InputError):
        stored_name(field, name)


def test_traversal_names_never_reach_the_file_system(client, data_dir, root):
    before = set(root.parent.iterdir())
    s = wait(client, post(client, ("../../evil.csv", (data_dir / "scores.csv").read_bytes()),
                          {"mode": "analyze", "only": "scores", **QUICK}).json()["id"])
    assert s["status"] == "done" and s["files"] == {"data": "evil.csv"}
    job = client.app_state.jobs.get(s["id"])
    assert (job.dir / "data.csv").is_file() and set(root.parent.iterdir()) == before
    assert not list(root.rglob("evil.csv"))
    for path in ("/api/jobs/..%2f..%2fetc%2fpasswd", "/api/jobs/%2e%2e/results.zip", f"/api/jobs/{s['id']}%2f..",
                 "/api/jobs/../jobs", "/static/..%2f..%2fjobs.py", "/static/%2e%2e/app.py", "/api/jobs/.."):
        r = client.get(path)
        assert r.status_code == 404, path
    assert client.delete("/api/jobs/%2e%2e%2f%2e%2e").status_code == 404


def test_file_names_in_params_or_config_refused(client, data_dir, tmp_path):
    s = wait(client, post(client, data_dir / "scores.csv", {"mode": "analyze", "weights": "/etc/w.gal"}).json()["id"])
    assert s["status"] == "error" and "upload the .gal or .gwt file" in s["error"]
    s = wait(client, post(client, data_dir / "scores.csv",
                          {"mode": "analyze", "set": ["ellipse.coordinates=/etc/passwd"]}).json()["id"])
    assert s["status"] == "error" and "ellipse.coordinates" in s["error"]
    cfg = tmp_path / "study.toml"
    cfg.write_text('[data]\npath = "/etc/passwd"\n[spec]\npath = "/etc/spec.toml"\n', encoding="utf-8")
    s = wait(client, post(client, data_dir / "scores.csv", {"mode": "study"}, config=cfg).json()["id"])
    assert s["status"] == "error" and "[spec] path" in s["error"]
    s = wait(client, post(client, data_dir / "scores.csv", {"mode": "study", "spec": "../../etc/spec.toml"}).json()["id"])
    assert s["status"] == "error" and "not a shipped spec" in s["error"]


# ------------------------------------------------------------------------------------ study mode
def test_study_job_and_its_rerun_config(client, tmp_path):
    wb = filled_workbook(tmp_path / "科技面板.xlsx")
    params = {"mode": "study", "spec": "scitech_example", "years": "2011,2023", "exclude": "西藏,青海",
              "weighting": "entropy", "skip": FEW, **QUICK}
    s = wait(client, post(client, wb, params).json()["id"])
    assert s["status"] == "done", s
    assert s["command"] == "nqpf run config.toml --out results"
    assert s["progress"]["steps"][:3] == ["read_data", "prepare", "build_index"]
    # every step named in the page's languages from nqpf's catalogue (step.<name>)
    assert s["progress"]["texts"]["zh"][:3] == ["读取数据", "整理指标", "构建指数"]
    assert s["progress"]["texts"]["en"][:3] == ["reading the data", "preparing the indicators", "building the index"]
    assert len(s["progress"]["texts"]["zh"]) == len(s["progress"]["steps"])
    assert "打包结果" in s["progress"]["texts"]["zh"]
    blob = client.get(s["zip"]).content
    z = zipfile.ZipFile(io.BytesIO(blob))
    out = tmp_path / "unzipped"
    z.extractall(out)
    from nqpf.config import load_config, validate_config

    cfg = load_config(out / "config.toml")
    validate_config(cfg)
    assert cfg["data"]["path"] == "data.xlsx" and cfg["spec"] == {"name": "scitech_example"}
    assert cfg["prepare"] == {"years": [2011, 2023], "exclude_regions": ["西藏", "青海"]}
    r = CliRunner().invoke(cli_app, ["run", str(out / "config.toml"), "--out", str(out / "again"), "-q"],
                           catch_exceptions=False)
    assert r.exit_code == 0, r.output
    web, cli = tables_of(out / "results"), tables_of(out / "again")
    assert set(web) == set(cli) and {"weights.csv", "scores.csv", "moran_global.csv"} <= set(web)
    for name in cli:
        if name not in ("audit.csv", "meta.json"):
            assert web[name] == cli[name], name
    mw, mc = json.loads(web["meta.json"]), json.loads(cli["meta.json"])
    assert (mw.pop("source"), mc.pop("source")) == ("科技面板.xlsx", "data.xlsx") and mw == mc
    # the audit names the file read as the config resolves it: relative in the job (the working directory
    # is the job's folder), absolute when nqpf run resolves the config's folder; otherwise identical
    aw = (out / "results/tables/audit.csv").read_text(encoding="utf-8")
    ac = (out / "again/tables/audit.csv").read_text(encoding="utf-8")
    assert str(out) not in aw and "data.xlsx" in aw
    assert aw == ac.replace(str(out.resolve() / "data.xlsx"), "data.xlsx")


def test_study_with_uploaded_config_spec_and_given_weights(client, tmp_path):
    """An uploaded config is kept but for its paths (replaced by the uploaded files); options override it."""
    from nqpf.spec import load_spec, spec_path

    wb = filled_workbook(tmp_path / "raw.xlsx")
    spec = Path(spec_path("scitech_example"))
    ids = [i.id for i in load_spec("scitech_example").indicators]
    given = tmp_path / "ahp.csv"
    given.write_text("indicator,weight\n" + "".join(f"{i},{k + 1}\n" for k, i in enumerate(ids)), encoding="utf-8")
    cfg = tmp_path / "mine.toml"
    cfg.write_text('[data]\npath = "somewhere/raw.xlsx"\n[spec]\nname = "ran2025"\n'
                   '[prepare]\nyears = [2011, 2023]\nexclude_regions = ["西藏", "青海"]\n'
                   '[spatial]\npermutations = 19\nseed = 7\n[output]\nformats = ["csv"]\n', encoding="utf-8")
    params = {"mode": "study", "weighting": "given", "seed": 99, "only": "scores"}
    s = wait(client, post(client, wb, params, config=cfg, spec=spec, given_weights=given).json()["id"])
    assert s["status"] == "done", s
    job = client.app_state.jobs.get(s["id"])
    from nqpf.config import load_config

    got = load_config(job.dir / "config.toml")
    assert got["data"] == {"path": "data.xlsx"} and got["spec"] == {"path": "spec.toml"}
    assert got["index"] == {"weighting": "given", "weights": "given_weights.csv"}
    assert got["spatial"] == {"permutations": 19, "seed": 99} and got["output"] == {"formats": ["csv"]}
    w = (job.dir / "results/tables/weights.csv").read_text(encoding="utf-8").splitlines()
    total = len(ids) * (len(ids) + 1) / 2
    first = dict(zip(w[0].split(","), w[1].split(",")))
    assert abs(float(first["weight"]) - (ids.index(first["indicator"]) + 1) / total) < 1e-12


# ------------------------------------------------------------------------------- template, expiry
def test_template_endpoint(client, tmp_path):
    r = client.get("/api/template?spec=scitech_example&first=2011&last=2013")
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    p = tmp_path / "t.xlsx"
    p.write_bytes(r.content)
    import openpyxl

    from nqpf.spec import load_spec

    wb = openpyxl.load_workbook(p)
    assert {ws.title for ws in wb.worksheets[1:]} == set(load_spec("scitech_example").variables)
    assert [c.value for c in wb.worksheets[1][3]][:4] == ["地区", 2011, 2012, 2013]
    assert client.get("/api/template?spec=../../etc/passwd").status_code == 400
    assert client.get("/api/template?spec=ran2025&first=2020&last=2010").status_code == 400
    meta = client.get("/api/meta").json()
    assert "ran2025" in [s["name"] for s in meta["specs"]] and "entropy" in meta["weighting"]


def test_jobs_expire_after_keep_hours(tmp_path, data_dir):
    m = JobManager(tmp_path / "exp", keep_hours=1.0)
    try:
        req = JobRequest("analyze", {"only": ["scores"], "formats": ["csv"], "permutations": 9},
                         {"data": "data.csv"}, {"data": "s.csv"}).check()
        job = m.submit(req, {"data": (data_dir / "scores.csv").open("rb")})
        assert m.wait(job.id, 60).status == "done" and job.dir.is_dir()
        assert m.sweep(now=job.finished + 3599) == [] and job.dir.is_dir()
        assert m.sweep(now=job.finished + 3601) == [job.id]
        assert not job.dir.exists() and m.get(job.id) is None
    finally:
        m.shutdown()


def test_serve_prints_the_address_with_its_token_and_stops_cleanly(tmp_path):
    """``nqpf.web.serve`` (what ``nqpf serve`` calls) in its own process: the printed address works, a
    request without the token is refused, Ctrl+C stops it."""
    import signal
    import socket

    import httpx

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    token = "tok-0123456789abcdefgh"
    code = (f"from nqpf.web import serve\nserve(port={port}, token={token!r}, keep_hours=1, "
            f"root={str(tmp_path / 'jobs')!r})\n")
    p = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = p.stdout.readline().strip()
        assert line == f"nqpf web app: http://127.0.0.1:{port}/?token={token}", (line, p.stderr.read())
        assert p.stdout.readline().startswith(f"access token: {token}")
        assert httpx.get(f"http://127.0.0.1:{port}/api/meta").status_code == 401
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as c:
            r = c.get(f"/?token={token}", follow_redirects=True)
            assert r.status_code == 200 and "app.js" in r.text     # the cookie now carries the token
            assert c.get("/static/i18n.js").status_code == 200
    finally:
        p.send_signal(signal.SIGINT)
        p.wait(30)
    err = p.stderr.read()
    assert p.returncode == 0 and "Traceback" not in err and "stopped" in err


def test_core_imports_without_the_web_stack():
    code = ("import sys, nqpf, nqpf.cli, nqpf.web\n"
            "bad = [m for m in ('starlette', 'uvicorn', 'multipart', 'httpx') if m in sys.modules]\n"
            "assert not bad, bad\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr


def test_missing_extra_is_one_line(monkeypatch):
    import importlib.util

    import nqpf.web

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda n, *a: None if n == "uvicorn" else real(n, *a))
    with pytest.raises(InputError, match=r'pip install "nqpf\[web\]"'):
        nqpf.web.serve(port=0)
