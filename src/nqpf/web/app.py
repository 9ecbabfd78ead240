"""The web app: the page (static HTML, CSS and JavaScript shipped in ``nqpf/web/static``) and its HTTP API.

API (every error is JSON ``{"error": "one line"}`` with a 4xx status):

* ``GET /api/meta`` — shipped specs, weighting methods, analyses, languages, upload limit;
* ``GET /api/template?spec=ran2025&first=2010&last=2020`` — the ``nqpf init`` workbook of a shipped spec;
* ``POST /api/jobs`` — multipart: ``data`` (file), optional ``spec``, ``weights``, ``given-weights``,
  ``config``, ``aliases`` (files) and ``params`` (JSON: ``mode`` and the command line's long options, e.g.
  ``"alias": ["Yunan=云南"]`` or ``"alias": "Yunan=云南\n黒龙江=黑龙江"``, ``"exclude": "西藏,青海"``) →
  ``{"id": …}`` (202);
* ``GET /api/jobs/{id}`` — status (``queued, running, done, error, cancelled, deleted``), progress
  (steps so far), error (one line), warnings, links to the report and the zip;
* ``GET /api/jobs/{id}/report.html``, ``GET /api/jobs/{id}/results.zip``;
* ``DELETE /api/jobs/{id}`` — cancel a running job or delete a finished one's files.

Safety: requests must carry the access token (``Authorization: Bearer``, ``X-Nqpf-Token``, ``?token=`` or
the cookie set when the page is opened with ``?token=``) whenever the app has one; without a token the app
answers only requests addressed to a loopback name (``127.0.0.1``, ``localhost``, ``::1``: a web page
elsewhere cannot reach it through DNS rebinding), and state-changing requests from another origin are
refused. Request bodies larger than the upload limit are refused before they are read.
"""
from __future__ import annotations

import functools
import re
import secrets
import threading
from dataclasses import dataclass
from http.cookies import SimpleCookie
from importlib import resources
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..errors import InputError, NqpfError
from .jobs import ID_PATTERN, JobManager
from .options import FILE_FIELDS, JobRequest, clean_display_name, parse_params, stored_name

__all__ = ["WebConfig", "create_app", "LOOPBACK_HOSTS", "COOKIE"]

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
COOKIE = "nqpf_token"
_ID = re.compile(ID_PATTERN)
_REPORT_CSP = ("default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:; "
               "frame-ancestors 'self'; base-uri 'none'; form-action 'none'")


@dataclass
class WebConfig:
    """Settings of the web app.

    Attributes
    ----------
    token : str or None
        Access token every request must carry; None on a loopback-only server.
    max_upload_mb : float
        Largest request body (all files of a job together), MiB (default 50).
    keep_hours : float
        Hours a finished job's files are kept (default 24).
    max_jobs : int
        Jobs running at once (default 2).
    root : path or None
        Folder of the job folders (default: a private temporary folder).
    """

    token: str | None = None
    max_upload_mb: float = 50.0
    keep_hours: float = 24.0
    max_jobs: int = 2
    root: str | Path | None = None


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": " ".join(str(message).split())}, status_code=status)


def _host_name(host_header: str) -> str:
    h = host_header.strip().lower()
    if h.startswith("["):
        return h[1:h.find("]")] if "]" in h else h
    return h.rsplit(":", 1)[0] if h.count(":") == 1 else h


class _Guard:
    """ASGI middleware: token, loopback host and same-origin checks, and the body size limit."""

    def __init__(self, app, config: WebConfig):
        self.app, self.config = app, config
        self.limit = int(config.max_upload_mb * 1024 * 1024)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        host = headers.get("host", "")
        token = self.config.token
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        if token is None:
            if _host_name(host) not in LOOPBACK_HOSTS:
                return await _error(403, f"this server answers only on 127.0.0.1/localhost, not {host!r}; "
                                    "start it with --host and use the token it prints")(scope, receive, send)
        else:
            given = self._token(headers, query)
            if given is None or not secrets.compare_digest(given.encode(), token.encode()):
                return await _error(401, "access token missing or wrong: open the address printed by nqpf serve "
                                    "(…/?token=…) or send the header Authorization: Bearer TOKEN")(scope, receive, send)
            if scope["path"] == "/" and "token" in query and scope["method"] == "GET":
                resp = RedirectResponse("/", status_code=303)
                resp.set_cookie(COOKIE, token, httponly=True, samesite="strict", path="/")
                return await resp(scope, receive, send)
        if scope["method"] not in ("GET", "HEAD", "OPTIONS"):
            origin = headers.get("origin")
            if origin and origin != "null" and urlsplit(origin).netloc.lower() != host.lower():
                return await _error(403, f"requests from another site ({origin}) are refused")(scope, receive, send)
            if scope["method"] == "POST":
                length = headers.get("content-length")
                if length is None:
                    return await _error(411, "send the upload with a Content-Length")(scope, receive, send)
                if not length.isdigit() or int(length) > self.limit:
                    return await _error(413, f"upload too large: the limit is {self.config.max_upload_mb:g} MB "
                                        "(nqpf serve --max-upload-mb N)")(scope, receive, send)
        return await self.app(scope, receive, send)

    @staticmethod
    def _token(headers: dict, query: dict) -> str | None:
        auth = headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            return auth[7:].strip()
        if headers.get("x-nqpf-token"):
            return headers["x-nqpf-token"].strip()
        if query.get("token"):
            return query["token"][0]
        if "cookie" in headers:
            c = SimpleCookie()
            try:
                c.load(headers["cookie"])
            except Exception:
                return None
            if COOKIE in c:
                return c[COOKIE].value
        return None


@functools.lru_cache(maxsize=1)
def _meta() -> dict:
    """What the page offers: shipped specs, weighting methods, analyses, languages (computed once)."""
    from .. import __version__
    from ..analyses import FAMILIES
    from ..i18n import LANGS
    from ..index.weights import WEIGHTING_METHODS
    from ..spec import list_specs, load_spec

    specs = []
    for name in list_specs():
        s = load_spec(name)
        specs.append({"name": name, "title": s.title, "title_en": getattr(s, "title_en", None),
                      "indicators": len(s.indicators), "variables": len(s.variables)})
    return {"version": __version__, "specs": specs, "langs": list(LANGS),
            "weighting": [m for m in WEIGHTING_METHODS if m != "combined"],
            "analyses": [{"name": n, "default": f.default, "help": f.help} for n, f in FAMILIES.items()],
            "file_fields": {k: list(v[1]) for k, v in FILE_FIELDS.items()}}


def _static_dir() -> Path:
    return Path(str(resources.files("nqpf.web").joinpath("static")))


def create_app(config: WebConfig | None = None, manager: JobManager | None = None) -> Starlette:
    """The Starlette app of ``nqpf serve`` (see the module's docstring for the API).

    ``manager`` defaults to a :class:`~nqpf.web.jobs.JobManager` made from ``config``; it is shut down
    (running jobs cancelled, job folders removed) when the app stops.
    """
    config = config or WebConfig()
    jobs = manager or JobManager(config.root, max_jobs=config.max_jobs, keep_hours=config.keep_hours)
    static = _static_dir()

    def job_or_404(request: Request):
        jid = request.path_params["id"]
        job = jobs.get(jid) if _ID.fullmatch(jid) else None
        return job

    async def index(request: Request):
        return FileResponse(static / "index.html", headers={"Cache-Control": "no-store"})

    async def meta(request: Request):
        return JSONResponse({**await run_in_threadpool(_meta), "max_upload_mb": config.max_upload_mb,
                             "keep_hours": config.keep_hours})

    async def template(request: Request):
        spec = request.query_params.get("spec", "ran2025")
        try:
            first = int(request.query_params.get("first", 2010))
            last = int(request.query_params.get("last", 2020))
        except ValueError:
            return _error(400, "first and last must be years, e.g. first=2010&last=2020")
        if not (1900 <= first <= last <= 2200) or last - first > 100:
            return _error(400, f"years {first}–{last}: give first ≤ last within 1900–2200")

        def build():
            import tempfile

            from ..spec import list_specs, load_spec
            from ..template import write_template

            if spec not in list_specs():
                raise InputError(f"spec {spec!r} is not shipped with nqpf ({', '.join(list_specs())})")
            with tempfile.TemporaryDirectory(prefix="nqpf-template-") as tmp:
                p = write_template(load_spec(spec), Path(tmp) / "template.xlsx", years=range(first, last + 1))
                return p.read_bytes()

        try:
            body = await run_in_threadpool(build)
        except NqpfError as exc:
            return _error(400, str(exc))
        name = f"nqpf-template-{spec}-{first}-{last}.xlsx"
        return Response(body, media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})

    async def create(request: Request):
        try:
            form = await request.form(max_files=len(FILE_FIELDS), max_fields=len(FILE_FIELDS) + 2,
                                      max_part_size=1024 * 1024)
        except Exception as exc:   # malformed multipart, too many parts
            return _error(400, f"cannot read the upload: {getattr(exc, 'detail', exc)}")
        try:
            try:
                files, names, uploads = {}, {}, {}
                for key, value in form.multi_items():
                    if key == "params":
                        continue
                    if key not in FILE_FIELDS:
                        raise InputError(f"unknown field {key!r}; fields: params, {', '.join(FILE_FIELDS)}")
                    if isinstance(value, str):
                        raise InputError(f"{key}: expected a file upload")
                    if key in files:
                        raise InputError(f"{key}: upload one file only")
                    files[key] = stored_name(key, value.filename)
                    names[key] = clean_display_name(value.filename)
                    uploads[key] = value.file
                params = form.get("params")
                if params is not None and not isinstance(params, str):
                    params = (await params.read()).decode("utf-8", "replace")
                mode, options = parse_params(params)
                req = JobRequest(mode, options, files, names).check()
                job = await run_in_threadpool(jobs.submit, req, uploads)
            except NqpfError as exc:
                return _error(400, str(exc))
            except OverflowError as exc:
                return _error(503, str(exc))
        finally:
            await form.close()
        return JSONResponse({"id": job.id, "status": job.status, "url": f"/api/jobs/{job.id}"}, status_code=202)

    async def status(request: Request):
        job = job_or_404(request)
        if job is None:
            return _error(404, "no such job (it may have expired)")
        return JSONResponse(job.to_json(jobs.keep_seconds), headers={"Cache-Control": "no-store"})

    async def report(request: Request):
        job = job_or_404(request)
        if job is None or job.status != "done" or not job.has_report():
            return _error(404, "no report for this job (not finished, failed, or html not among the formats)")
        return FileResponse(job.dir / "results" / "report.html", media_type="text/html; charset=utf-8",
                            headers={"Content-Security-Policy": _REPORT_CSP, "X-Content-Type-Options": "nosniff",
                                     "Cache-Control": "no-store"})

    async def results_zip(request: Request):
        job = job_or_404(request)
        z = job.dir / "results.zip" if job is not None else None
        if job is None or job.status != "done" or not z.is_file():
            return _error(404, "no results for this job (not finished, failed or deleted)")
        return FileResponse(z, media_type="application/zip", filename=f"nqpf-{job.mode}-{job.id[:8]}.zip",
                            headers={"Cache-Control": "no-store"})

    async def delete(request: Request):
        job = job_or_404(request)
        if job is None:
            return _error(404, "no such job (it may have expired)")
        def cancel_and_wait():
            jobs.cancel(job.id)
            try:
                jobs.wait(job.id, 10.0)
            except TimeoutError:   # pragma: no cover - the process did not end in time
                pass

        await run_in_threadpool(cancel_and_wait)
        return JSONResponse({"id": job.id, "status": job.status})

    async def not_found(request: Request):
        return _error(404, "not found")

    routes = [
        Route("/", index),
        Route("/api/meta", meta),
        Route("/api/template", template),
        Route("/api/jobs", create, methods=["POST"]),
        Route("/api/jobs/{id}", status, methods=["GET"]),
        Route("/api/jobs/{id}", delete, methods=["DELETE"]),
        Route("/api/jobs/{id}/report.html", report),
        Route("/api/jobs/{id}/results.zip", results_zip),
        Route("/api/{rest:path}", not_found, methods=["GET", "POST", "DELETE", "PUT"]),
        Mount("/static", StaticFiles(directory=static), name="static"),
    ]

    from contextlib import asynccontextmanager

    @asynccontextmanager
    async def lifespan(app):
        threading.Thread(target=_meta, name="nqpf-web-meta", daemon=True).start()   # the page asks first
        yield
        if manager is None:
            jobs.shutdown()

    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.jobs = jobs
    app.state.config = config
    app.add_middleware(_Guard, config=config)
    return app
