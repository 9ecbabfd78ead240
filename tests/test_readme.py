"""The README's Python example runs as written (it is the API's front door)."""
from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_api_example_runs(tmp_path, monkeypatch):
    text = README.read_text(encoding="utf-8")
    section = text.split("## Python API", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, flags=re.S).group(1)
    monkeypatch.chdir(tmp_path)
    import matplotlib

    matplotlib.use("Agg")
    ns: dict = {}
    exec(compile(code, str(README), "exec"), ns)
    assert (tmp_path / "nqpf-api-demo" / "tables" / "moran_global.csv").is_file()
    assert (tmp_path / "nqpf-api-demo" / "results.xlsx").is_file()
    assert "focus" in " ".join(map(str, ns["strategy"].columns)).lower() or ns["strategy"].shape[1] > 5
    assert ns["res2"].table("disparity").shape[0] == 11
