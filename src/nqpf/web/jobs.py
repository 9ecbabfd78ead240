"""Jobs of the web app: each in its own folder and its own process.

A job's folder is ``<root>/<id>`` (``id`` from :func:`secrets.token_urlsafe`, 128 bits); its uploads are
stored there under fixed names (:mod:`nqpf.web.options`), its results in ``results/`` and
``results.zip``. The job runs :func:`nqpf.web._worker.main` in a process of its own (``forkserver`` start
method where available, so the analysis stack is imported once and each job starts in milliseconds; a
job cannot see another's memory, and its working directory is its folder). At most ``max_jobs`` run at
once; the others wait in the queue.

Cancelling a job ends its process; a job that failed or was cancelled has its folder removed at once, so
nothing half-written remains. Finished jobs are removed ``keep_hours`` after they ended.
"""
from __future__ import annotations

import multiprocessing
import secrets
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from .options import JobRequest

__all__ = ["Job", "JobManager", "STEPS_ESTIMATE", "ID_PATTERN"]

#: Steps the progress callback reports in a run with the default analyses and outputs (measured on the
#: paper's scores and on the scitech example); a job whose analyses and outputs match an earlier job's
#: expects that job's count instead.
STEPS_ESTIMATE = {"analyze": 37, "study": 53}
#: A job id: 22 characters of the URL-safe alphabet (secrets.token_urlsafe(16)).
ID_PATTERN = r"[A-Za-z0-9_-]{22}"

_FINAL = ("done", "error", "cancelled", "deleted")


def _context():
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" in methods:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["nqpf.web._worker", "nqpf.pipeline", "nqpf.outputs", "nqpf._commands"])
        return ctx
    return multiprocessing.get_context("spawn")


def _step_texts(steps) -> dict:
    """Each step's name in every language of the catalogue (``{"zh": [...], "en": [...]}``), for the page."""
    from .._commands import step_text
    from ..i18n import LANGS

    return {lang: [step_text(s, lang) for s in steps] for lang in LANGS}


@dataclass
class Job:
    """State of one job as the API reports it."""

    id: str
    dir: Path
    mode: str
    options: dict
    files: dict
    names: dict
    status: str = "queued"            # queued | running | done | error | cancelled | deleted
    created: float = field(default_factory=time.time)
    started: float | None = None
    finished: float | None = None
    steps: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    error: str | None = None
    command: str | None = None
    cancel: threading.Event = field(default_factory=threading.Event)
    process: Any = None
    expected: int = 0

    def shape(self) -> str:
        """What decides the number of steps: the mode, the analyses and the outputs."""
        keys = ("only", "skip", "set", "formats", "figure-years", "years")
        return repr((self.mode, sorted((k, repr(self.options.get(k))) for k in keys)))

    def to_json(self, keep_seconds: float) -> dict:
        total = max(self.expected or STEPS_ESTIMATE[self.mode], len(self.steps) + 1)
        frac = 1.0 if self.status == "done" else min(len(self.steps) / total, 0.95)
        end = self.finished or self.created
        return {
            "id": self.id, "status": self.status, "mode": self.mode,
            "progress": {"steps": list(self.steps), "done": len(self.steps), "fraction": round(frac, 3),
                         "step": self.steps[-1] if self.steps else None, "texts": _step_texts(self.steps)},
            "error": self.error, "warnings": list(self.warnings), "files": dict(self.names),
            "options": dict(self.options), "command": self.command,
            "created": self.created, "started": self.started, "finished": self.finished,
            "expires": end + keep_seconds if self.status in _FINAL else None,
            "report": f"/api/jobs/{self.id}/report.html" if self.status == "done" and self.has_report() else None,
            "zip": f"/api/jobs/{self.id}/results.zip" if self.status == "done" else None,
        }

    def has_report(self) -> bool:
        return (self.dir / "results" / "report.html").is_file()


class JobManager:
    """Create, run, report, cancel and expire jobs under one root folder.

    Parameters
    ----------
    root : path, optional
        Folder of the job folders (default: a new private temporary folder, removed by :meth:`shutdown`).
    max_jobs : int
        Jobs running at once (default 2); later jobs are queued.
    keep_hours : float
        Hours a finished job's files are kept (default 24).
    max_queued : int
        Jobs queued or running at most; more are refused (:meth:`submit` raises ``OverflowError``).
    """

    def __init__(self, root=None, *, max_jobs: int = 2, keep_hours: float = 24.0, max_queued: int = 20):
        self._own_root = root is None
        self.root = Path(tempfile.mkdtemp(prefix="nqpf-web-")) if root is None else Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.keep_seconds = float(keep_hours) * 3600.0
        self.max_queued = int(max_queued)
        self._slots = threading.Semaphore(max(1, int(max_jobs)))
        self._jobs: dict[str, Job] = {}
        self._steps_seen: dict[str, int] = {}
        self._lock = threading.Lock()
        self._ctx = _context()
        self._stop = threading.Event()
        self._janitor = threading.Thread(target=self._sweep_loop, name="nqpf-web-janitor", daemon=True)
        self._janitor.start()
        threading.Thread(target=self._warm_up, name="nqpf-web-warm-up", daemon=True).start()

    # -------------------------------------------------------------------------------------- API
    def submit(self, request: JobRequest, uploads: dict[str, IO[bytes]]) -> Job:
        """Store the uploads of a checked request in a new job folder and queue the job."""
        with self._lock:
            active = sum(j.status in ("queued", "running") for j in self._jobs.values())
            if active >= self.max_queued:
                raise OverflowError(f"{active} jobs are waiting or running; try again when one has finished")
            jid = secrets.token_urlsafe(16)
            while jid in self._jobs:   # pragma: no cover - 128 random bits
                jid = secrets.token_urlsafe(16)
        d = self.root / jid
        d.mkdir(mode=0o700)
        try:
            for fld, stored in request.files.items():
                with open(d / stored, "xb") as out:
                    shutil.copyfileobj(uploads[fld], out, 1 << 20)
        except BaseException:
            shutil.rmtree(d, ignore_errors=True)
            raise
        job = Job(id=jid, dir=d, mode=request.mode, options=dict(request.options), files=dict(request.files),
                  names=dict(request.names))
        with self._lock:
            job.expected = self._steps_seen.get(job.shape(), 0)
            self._jobs[jid] = job
        threading.Thread(target=self._run, args=(job,), name=f"nqpf-web-job-{jid[:6]}", daemon=True).start()
        return job

    def get(self, jid: str) -> Job | None:
        with self._lock:
            return self._jobs.get(jid)

    def jobs(self) -> list[Job]:
        with self._lock:
            return list(self._jobs.values())

    def cancel(self, jid: str) -> Job | None:
        """Cancel a queued or running job (its process ends, its folder is removed); remove the files of a
        finished one. The job stays listed (``cancelled`` or ``deleted``) until it expires."""
        job = self.get(jid)
        if job is None:
            return None
        with self._lock:
            if job.status in ("queued", "running"):
                job.cancel.set()
                proc = job.process
            else:
                proc = None
                if job.status != "deleted":
                    job.status = "deleted"
                    job.finished = job.finished or time.time()
                    shutil.rmtree(job.dir, ignore_errors=True)
        if proc is not None:
            try:
                proc.terminate()
            except Exception:   # pragma: no cover - already gone
                pass
        return job

    def wait(self, jid: str, timeout: float = 60.0) -> Job:
        """Block until the job has ended (for scripts and tests)."""
        end = time.time() + timeout
        job = self.get(jid)
        while job is not None and job.status not in _FINAL:
            if time.time() > end:
                raise TimeoutError(f"job {jid} still {job.status} after {timeout} s")
            time.sleep(0.05)
        return job

    def sweep(self, now: float | None = None) -> list[str]:
        """Remove the jobs that ended more than ``keep_hours`` ago (files and record); their ids."""
        now = time.time() if now is None else now
        gone = []
        with self._lock:
            for jid, job in list(self._jobs.items()):
                if job.status in _FINAL and (job.finished or job.created) + self.keep_seconds <= now:
                    shutil.rmtree(job.dir, ignore_errors=True)
                    del self._jobs[jid]
                    gone.append(jid)
        return gone

    def shutdown(self) -> None:
        """Cancel every job and remove the root folder if this manager made it."""
        self._stop.set()
        for job in self.jobs():
            self.cancel(job.id)
        for job in self.jobs():
            if job.process is not None and job.process.pid is not None:
                job.process.join(5)
        if self._own_root:
            shutil.rmtree(self.root, ignore_errors=True)

    # ---------------------------------------------------------------------------------- internals
    def _warm_up(self) -> None:
        """Start the fork server now (it imports the analysis stack once), so the first job starts at once."""
        if self._ctx.get_start_method() != "forkserver":
            return
        try:
            from multiprocessing import forkserver

            forkserver.ensure_running()
        except Exception:   # pragma: no cover - the first job will start it (and report a failure)
            pass

    def _sweep_loop(self) -> None:
        period = min(60.0, max(0.2, self.keep_seconds / 4))
        while not self._stop.wait(period):
            self.sweep()

    def _finish(self, job: Job, status: str, error: str | None = None) -> None:
        with self._lock:
            if job.status in _FINAL:
                return
            if job.cancel.is_set() and status != "done":
                status, error = "cancelled", None
            job.status, job.error, job.finished = status, error, time.time()
            if status == "done":
                self._steps_seen[job.shape()] = len(job.steps)
            if status != "done":   # nothing half-written stays
                shutil.rmtree(job.dir, ignore_errors=True)

    def _run(self, job: Job) -> None:
        from . import _worker

        while not self._slots.acquire(timeout=0.1):
            if job.cancel.is_set() or self._stop.is_set():
                self._finish(job, "cancelled")
                return
        try:
            if job.cancel.is_set():
                self._finish(job, "cancelled")
                return
            parent, child = self._ctx.Pipe(duplex=False)
            proc = self._ctx.Process(target=_worker.main, name=f"nqpf-job-{job.id[:6]}", daemon=True,
                                     args=(str(job.dir), job.mode, job.options, job.files, job.names, child))
            with self._lock:
                job.status, job.started, job.process = "running", time.time(), proc
            proc.start()
            child.close()
            if job.cancel.is_set():
                proc.terminate()
            outcome: tuple[str, Any] | None = None
            while True:
                try:
                    kind, value = parent.recv()
                except (EOFError, OSError):
                    break
                if kind == "step":
                    job.steps.append(value)
                elif kind == "warning":
                    if value not in job.warnings:
                        job.warnings.append(value)
                else:
                    outcome = (kind, value)
            proc.join()
            parent.close()
            if outcome is None:
                self._finish(job, "error", f"the job stopped unexpectedly (exit code {proc.exitcode})")
            elif outcome[0] == "done":
                job.command = outcome[1].get("command")
                if job.cancel.is_set():
                    self._finish(job, "cancelled")
                else:
                    self._finish(job, "done")
            else:
                self._finish(job, "error", outcome[1])
        except BaseException as exc:   # pragma: no cover - cannot start a process
            self._finish(job, "error", f"cannot start the job: {exc}")
        finally:
            self._slots.release()
