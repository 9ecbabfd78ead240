"""Atomic file and folder output.

A report is either written completely or not at all: every writer in :mod:`nqpf.report` builds its
bytes in memory and hands them to :func:`atomic_write`, which writes a temporary file in the target
folder and renames it over the target with :func:`os.replace` (atomic on POSIX and Windows when source
and target are on the same file system, which a sibling temporary file guarantees).
:func:`atomic_output_dir` does the same for a whole set of files.
"""
from __future__ import annotations

import io
import os
import shutil
import tempfile
import zipfile
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO, Iterator

from ..errors import InputError

__all__ = ["atomic_write", "atomic_write_bytes", "atomic_output_dir", "normalize_zip"]

#: Timestamp written into every zip member and document property (DOS dates start in 1980).
FIXED_ZIP_DATE = (2000, 1, 1, 0, 0, 0)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def atomic_write(path, mode: str = "wb", encoding: str | None = None) -> Iterator[IO]:
    """Open a temporary file beside ``path``; move it onto ``path`` only if the block succeeds.

    Parameters
    ----------
    path : str or pathlib.Path
        Target file. Its folder is created if needed.
    mode : {"wb", "w"}
        Binary or text mode.
    encoding : str, optional
        Text encoding (text mode only; default UTF-8).

    Yields
    ------
    file object
        Write to it. On normal exit the data are flushed, synced and the temporary file replaces
        ``path`` (:func:`os.replace`); on any exception the temporary file is removed, ``path`` is
        left as it was (absent, or the previous complete version) and the exception propagates.
    """
    if mode not in ("wb", "w"):
        raise ValueError(f"atomic_write mode must be 'wb' or 'w', not {mode!r}")
    path = Path(path)
    if path.is_dir():
        raise InputError(f"cannot write {path}: it is a folder; give a file name")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        if "b" in mode:
            f = os.fdopen(fd, mode)
        else:
            f = os.fdopen(fd, mode, encoding=encoding or "utf-8", newline="")
        with f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def atomic_write_bytes(path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (see :func:`atomic_write`); return the path."""
    with atomic_write(path, "wb") as f:
        f.write(data)
    return Path(path)


@contextmanager
def atomic_output_dir(out_dir) -> Iterator[Path]:
    """Build a set of output files in a temporary sibling folder; move them in only on success.

    Parameters
    ----------
    out_dir : str or pathlib.Path
        Final output folder. It may already exist and hold other files, which are kept.

    Yields
    ------
    pathlib.Path
        Temporary folder (``.<name>.*.part`` beside ``out_dir``) to write into, sub-folders allowed.
        On normal exit: if ``out_dir`` does not exist the temporary folder is renamed to it; otherwise
        each file is moved into place with :func:`os.replace` (so each file is always complete, and
        files of ``out_dir`` not produced by this run are untouched). On an exception the temporary
        folder is deleted and ``out_dir`` is left exactly as it was.
    """
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"output folder {out_dir} exists and is a file; choose another folder")
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".part", dir=out_dir.parent))
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    try:
        os.chmod(tmp, 0o777 & ~_umask())
        if not out_dir.exists():
            os.replace(tmp, out_dir)
            return
        for src in sorted(p for p in tmp.rglob("*") if not p.is_dir()):
            dst = out_dir / src.relative_to(tmp)
            dst.parent.mkdir(parents=True, exist_ok=True)
            os.replace(src, dst)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def normalize_zip(data: bytes, replace: dict[str, bytes] | None = None) -> bytes:
    """Rewrite a zip archive (xlsx, docx) with fixed member timestamps so equal input gives equal bytes.

    Members keep their order; every member gets the date :data:`FIXED_ZIP_DATE`, DEFLATE compression and
    fixed permission bits. ``replace`` maps member names to new contents.
    """
    replace = replace or {}
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            blob = replace.get(info.filename, None)
            if blob is None:
                blob = src.read(info.filename)
            zi = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_DATE)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            zi.create_system = 0
            dst.writestr(zi, blob)
    return out.getvalue()
