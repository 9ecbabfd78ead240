"""``nqpf serve``: run the web app with uvicorn and print its address (with the access token)."""
from __future__ import annotations

import ipaddress
import secrets
import sys
import threading
import webbrowser

from ..errors import InputError

__all__ = ["serve", "is_loopback", "app_url", "check_settings"]


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine only (``127.0.0.0/8``, ``::1`` or ``localhost``)."""
    h = host.strip().strip("[]").lower()
    if h == "localhost":
        return True
    try:
        return ipaddress.ip_address(h).is_loopback
    except ValueError:
        return False


def app_url(host: str, port: int, token: str | None = None) -> str:
    """The address to open: ``http://HOST:PORT/`` (``?token=…`` when the app has a token)."""
    h = host.strip()
    if h in ("0.0.0.0", "::", ""):
        h = "127.0.0.1"
    if ":" in h and not h.startswith("["):
        h = f"[{h}]"
    return f"http://{h}:{port}/" + (f"?token={token}" if token else "")


def check_settings(host: str, port: int, token: str | None, max_upload_mb: float, keep_hours: float,
                   max_jobs: int) -> str | None:
    """Validate the options of ``nqpf serve`` (one-line :class:`InputError`); the token to use: the one
    given, a new one when the host is not a loopback address, else None."""
    if not 0 <= port <= 65535:
        raise InputError(f"--port must be between 0 and 65535, got {port}")
    if not max_upload_mb > 0:
        raise InputError(f"--max-upload-mb must be a positive number of megabytes, got {max_upload_mb}")
    if not keep_hours > 0:
        raise InputError(f"--keep-hours must be a positive number of hours, got {keep_hours}")
    if max_jobs < 1:
        raise InputError(f"--max-jobs must be at least 1, got {max_jobs}")
    if token is not None:
        token = token.strip()
        if len(token) < 16 or not token.isprintable() or " " in token:
            raise InputError("--token must be at least 16 printable characters without spaces "
                             "(leave it out to get a random one)")
        return token
    return None if is_loopback(host) else secrets.token_urlsafe(24)


def serve(host: str = "127.0.0.1", port: int = 8765, open_browser: bool = False, token: str | None = None,
          max_upload_mb: float = 50.0, keep_hours: float = 24.0, max_jobs: int = 2, root=None,
          log_level: str = "warning") -> None:
    """Run the web app until interrupted (Ctrl+C).

    Parameters
    ----------
    host, port : str, int
        Where to listen (default ``127.0.0.1:8765``: this machine only). Any other host requires an access
        token: ``token`` or, when None, a random one (:func:`secrets.token_urlsafe`), printed in the URL.
    open_browser : bool
        Open the page in the default browser once the server listens.
    max_upload_mb : float
        Largest upload of one job (all its files together), MiB.
    keep_hours : float
        Hours a finished job's files are kept before they are removed.
    max_jobs : int
        Jobs running at once (others wait in the queue).
    root : path, optional
        Folder of the job folders (default: a private temporary folder removed at exit).
    """
    import uvicorn

    from .app import WebConfig, create_app

    token = check_settings(host, port, token, max_upload_mb, keep_hours, max_jobs)
    config = WebConfig(token=token, max_upload_mb=max_upload_mb, keep_hours=keep_hours, max_jobs=max_jobs,
                       root=root)
    app = create_app(config)
    url = app_url(host, port, token)
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level=log_level, lifespan="on"))

    def announce():
        # wait until the socket listens, then say where (a port 0 gets its real number here)
        while not server.started and not server.should_exit:
            threading.Event().wait(0.05)
        if not server.started:
            return
        real = url
        if port == 0 and server.servers:
            p = server.servers[0].sockets[0].getsockname()[1]
            real = app_url(host, p, token)
        print(f"nqpf web app: {real}", flush=True)
        if token:
            print(f"access token: {token} (requests without it are refused)", flush=True)
        print("data stay on this machine; press Ctrl+C to stop", file=sys.stderr, flush=True)
        if open_browser:
            webbrowser.open(real)

    threading.Thread(target=announce, name="nqpf-web-announce", daemon=True).start()
    try:
        server.run()   # on Ctrl+C: stops listening, cancels running jobs, removes the job folders
    except KeyboardInterrupt:   # uvicorn re-raises the signal it caught once it has shut down
        pass
    print("nqpf web app stopped", file=sys.stderr, flush=True)
