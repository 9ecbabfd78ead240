"""Atomic file and folder output.

A report is either written completely or not at all: every writer in :mod:`nqpf.report` builds its
bytes in memory and hands them to :func:`atomic_write`, which writes a temporary file in the target
folder and renames it over the target with :func:`os.replace` (atomic on POSIX and Windows when source
and target are on the same file system, which a sibling temporary file guarantees).
:func:`atomic_output_dir` does the same for a whole set of files.
"""
from __future__ import annotations

import errno
import glob
import io
import os
import shutil
import tempfile
import zipfile
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO, Iterator

from ..errors import InputError

__all__ = ["atomic_write", "atomic_write_bytes", "atomic_output_dir", "check_output_folder", "normalize_zip",
           "zip_members"]

#: Timestamp written into every zip member and document property (DOS dates start in 1980).
FIXED_ZIP_DATE = (2000, 1, 1, 0, 0, 0)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _file_in_the_way(path: Path) -> Path | None:
    """The first existing ancestor of ``path`` that is not a folder (a file where a folder must go)."""
    for parent in reversed(path.parents):
        if os.path.lexists(parent) and not parent.is_dir():
            return parent
    return None


def check_output_folder(out_dir) -> Path:
    """Fail early (before any computation) when ``out_dir`` cannot be an output folder: it is a file,
    or a file stands where one of its parent folders must go. Returns ``out_dir`` as a Path."""
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"output folder {out_dir} exists and is a file; choose another folder")
    blocker = _file_in_the_way(out_dir)
    if blocker is not None:
        raise InputError(f"cannot write {out_dir}: {blocker} is a file, not a folder; choose a folder you can "
                         "write to")
    return out_dir


def _make_folder(folder: Path, target: Path, *, as_input_error: bool = True) -> None:
    """Create ``folder`` (and its parents) to write ``target`` into; an OSError (a file in the way, no
    permission, a read-only disk) becomes an :class:`~nqpf.errors.InputError` naming ``target`` (or,
    with ``as_input_error=False``, a :class:`NotADirectoryError` naming the file in the way, for
    callers that name the target themselves)."""
    blocker = _file_in_the_way(folder / "x")
    if blocker is not None:
        if not as_input_error:
            raise NotADirectoryError(errno.ENOTDIR, f"{blocker} is a file, not a folder", str(target))
        raise InputError(f"cannot write {target}: {blocker} is a file, not a folder; choose a folder you can "
                         "write to")
    if not as_input_error:
        folder.mkdir(parents=True, exist_ok=True)
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot write {target}: {exc.strerror or exc} ({exc.filename or folder}); choose a "
                         "folder you can write to") from None


def _staging_error(exc: OSError, target: Path) -> InputError:
    return InputError(f"cannot write {target}: {exc.strerror or exc} in {target.parent}; choose a folder you can "
                      "write to")


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
    _make_folder(path.parent, path, as_input_error=False)
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

    Notes
    -----
    All or nothing, for a new folder and for an existing one:

    * on an exception inside the block the temporary folder is deleted and ``out_dir`` is left
      exactly as it was;
    * on normal exit, if ``out_dir`` does not exist, the temporary folder is renamed to it
      (one :func:`os.replace`);
    * if ``out_dir`` exists, every destination is checked first: a folder where a file must go, or
      a file where a folder must go, raises :class:`~nqpf.errors.InputError` naming it, with nothing
      changed. Then each file is moved in with :func:`os.replace`; a file it replaces is first moved
      into a backup folder (``.<name>.*.bak`` beside ``out_dir``). If any move fails, the new files
      are removed, the old ones restored and the folders this run created removed, so ``out_dir``
      ends as it was, and the error propagates. The backup folder is deleted in both cases. Files of
      ``out_dir`` not produced by this run are never touched.
    """
    out_dir = check_output_folder(out_dir)
    _make_folder(out_dir.parent, out_dir)
    _remove_stale(out_dir)
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.{os.getpid()}.", suffix=".part", dir=out_dir.parent))
    except OSError as exc:
        raise _staging_error(exc, out_dir) from None
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
        _merge_into(tmp, out_dir)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True   # a process we may not signal (another user's) or a platform without kill(pid, 0)
    return True


def _remove_stale(out_dir: Path) -> None:
    """Remove staging folders (``.<name>.<pid>.*.part``) of ``out_dir`` left by a run that was killed
    (SIGKILL, power loss): their process no longer exists. Folders of a run still going (another
    process writing the same folder) are left alone, and so are backup folders (``.bak``: they may hold
    the only copy of files a killed merge had replaced)."""
    for p in out_dir.parent.glob(f".{glob.escape(out_dir.name)}.*"):
        if not p.is_dir() or p.suffix != ".part":
            continue
        parts = p.name[len(out_dir.name) + 2:].split(".")
        if parts and parts[0].isdigit() and not _pid_alive(int(parts[0])):
            shutil.rmtree(p, ignore_errors=True)


def _check_destinations(rels: list[Path], dirs: list[Path], out_dir: Path) -> None:
    """Raise InputError if a destination of ``rels`` (files) or ``dirs`` (folders) is of the wrong kind."""
    def wrong_dir(p: Path) -> bool:          # a real folder (not a link to one) where a file must go
        return p.is_dir() and not p.is_symlink()

    def wrong_file(p: Path) -> bool:         # something that is not a folder where a folder must go
        return os.path.lexists(p) and not p.is_dir()

    for rel in rels:
        dst = out_dir / rel
        if wrong_dir(dst):
            raise InputError(
                f"cannot write {rel.as_posix()} into {out_dir}: {dst} is a folder; remove or rename it, "
                "or choose another output folder (nothing was changed)")
        for parent in list(rel.parents)[:-1]:
            if wrong_file(out_dir / parent):
                raise InputError(
                    f"cannot write {rel.as_posix()} into {out_dir}: {out_dir / parent} is a file where a "
                    "folder must go; remove or rename it, or choose another output folder (nothing was changed)")
    for rel in dirs:
        if wrong_file(out_dir / rel):
            raise InputError(
                f"cannot create folder {rel.as_posix()} in {out_dir}: {out_dir / rel} is a file; remove or "
                "rename it, or choose another output folder (nothing was changed)")


def _merge_into(tmp: Path, out_dir: Path) -> None:
    """Move the files of ``tmp`` into the existing folder ``out_dir``, all or nothing (see above)."""
    rels = sorted(p.relative_to(tmp) for p in tmp.rglob("*") if not p.is_dir())
    dirs = sorted(p.relative_to(tmp) for p in tmp.rglob("*") if p.is_dir())
    _check_destinations(rels, dirs, out_dir)
    backup = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".bak", dir=out_dir.parent))
    created: list[Path] = []                 # folders made by this run, parents first
    done: list[tuple[Path, bool]] = []       # (relative path, old file backed up) of moved files
    pending: Path | None = None              # backed up, new file not yet in place
    try:
        for d in dirs + sorted({p for rel in rels for p in rel.parents if p != Path(".")}):
            if not os.path.lexists(out_dir / d):
                for q in reversed([d, *d.parents]):
                    if q != Path(".") and not os.path.lexists(out_dir / q):
                        (out_dir / q).mkdir()
                        created.append(q)
        for rel in rels:
            dst = out_dir / rel
            had_old = os.path.lexists(dst)
            if had_old:
                (backup / rel).parent.mkdir(parents=True, exist_ok=True)
                os.replace(dst, backup / rel)
                pending = rel
            os.replace(tmp / rel, dst)
            pending = None
            done.append((rel, had_old))
    except BaseException as exc:
        try:
            if pending is not None:
                os.replace(backup / pending, out_dir / pending)
            for rel, had_old in reversed(done):
                os.unlink(out_dir / rel)
                if had_old:
                    os.replace(backup / rel, out_dir / rel)
            for d in reversed(created):
                os.rmdir(out_dir / d)
        except BaseException as rb:
            raise OSError(
                f"moving the output into {out_dir} failed ({exc}) and so did restoring it ({rb}); "
                f"the replaced files are kept in {backup}") from exc
        shutil.rmtree(backup, ignore_errors=True)
        raise
    shutil.rmtree(backup, ignore_errors=True)


#: Members of a zip archive that are compressed already (stored by :func:`normalize_zip`).
_COMPRESSED = (".png", ".jpg", ".jpeg")


def normalize_zip(data: bytes, replace: dict[str, bytes] | None = None) -> bytes:
    """Rewrite a zip archive (xlsx, docx) with fixed member timestamps so equal input gives equal bytes.

    Members keep their order; every member gets the date :data:`FIXED_ZIP_DATE`, DEFLATE compression
    (images that are compressed already, PNG and JPEG, are stored: deflating them again costs time and
    saves about a tenth of their size) and fixed permission bits. ``replace`` maps member names to new
    contents.
    """
    replace = replace or {}
    src = zipfile.ZipFile(io.BytesIO(data))
    return zip_members((info.filename, replace.get(info.filename, None) if info.filename in replace
                        else src.read(info.filename)) for info in src.infolist())


def zip_members(members) -> bytes:
    """A zip archive of ``(name, bytes)`` members in order, as :func:`normalize_zip` writes them (fixed
    date and permission bits; PNG and JPEG stored, the rest deflated)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, blob in members:
            zi = zipfile.ZipInfo(name, date_time=FIXED_ZIP_DATE)
            zi.compress_type = zipfile.ZIP_STORED if name.lower().endswith(_COMPRESSED) else zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            zi.create_system = 0
            dst.writestr(zi, blob)
    return out.getvalue()
