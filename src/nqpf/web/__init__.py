"""nqpf in the browser: a local web app over the same pipeline as the command line (``nqpf serve``).

Installed with the extra ``nqpf[web]`` (Starlette, uvicorn, python-multipart). The page (plain HTML,
CSS and JavaScript in ``nqpf/web/static``, Chinese and English) walks through a study: template,
upload, options, run with progress, errors as one line, the HTML report, a zip of every output and the
command or config that reruns it. Its HTTP API is documented in :mod:`nqpf.web.app`.

>>> from nqpf.web import serve          # doctest: +SKIP
>>> serve(port=8765, open_browser=True)  # doctest: +SKIP
"""
from __future__ import annotations

__all__ = ["serve", "create_app", "WebConfig"]


def serve(host: str = "127.0.0.1", port: int = 8765, open_browser: bool = False, token: str | None = None,
          max_upload_mb: float = 50.0, keep_hours: float = 24.0, max_jobs: int = 2, root=None,
          log_level: str = "warning") -> None:
    """Run the web app until interrupted; see :func:`nqpf.web.server.serve`."""
    _require()
    from .server import serve as _serve

    _serve(host=host, port=port, open_browser=open_browser, token=token, max_upload_mb=max_upload_mb,
           keep_hours=keep_hours, max_jobs=max_jobs, root=root, log_level=log_level)


def create_app(config=None, manager=None):
    """The Starlette app; see :func:`nqpf.web.app.create_app`."""
    _require()
    from .app import create_app as _create

    return _create(config, manager)


def __getattr__(name):
    if name == "WebConfig":
        _require()
        from .app import WebConfig

        return WebConfig
    raise AttributeError(name)


def _require() -> None:
    """A one-line :class:`~nqpf.errors.InputError` naming the extra when the web stack is missing."""
    import importlib.util

    from ..errors import InputError

    missing = [m for m in ("starlette", "uvicorn", "multipart") if importlib.util.find_spec(m) is None]
    if missing:
        raise InputError(f"the web app needs {', '.join(missing)}: pip install \"nqpf[web]\"")
