"""Writing an export never half-succeeds: a temporary file beside the target, moved into place.

A full disk, a read-only or missing folder, or a name that is a folder becomes an
:class:`ExportError` whose message says what happened and what to do; the target is then left as
it was (an older file of that name is not touched) and the temporary file is removed. Exports are
created readable by their owner only (0600), like everything in the data folder.
"""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

PRIVATE_FILE = 0o600


class ExportError(Exception):
    """An export could not be written; the message is meant for the user."""


def export_error(path: Path, exc: OSError) -> ExportError:
    folder = path.parent
    code = exc.errno
    if code in (errno.ENOSPC, errno.EDQUOT):
        why = (f"There is not enough free space on the disk to write {path.name} in {folder}. "
               "Nothing was written; free some space or choose another folder.")
    elif code in (errno.EACCES, errno.EPERM, errno.EROFS):
        why = (f"Rehearse may not write in {folder} ({exc.strerror}). Nothing was written; "
               "choose another folder.")
    elif code == errno.ENOENT:
        why = f"The folder {folder} does not exist. Choose another folder."
    elif code == errno.EISDIR or path.is_dir():
        why = f"{path} is a folder. Choose a file name."
    else:
        why = f"Could not write {path}: {exc.strerror or exc}. Nothing was written."
    return ExportError(why)


def _temporary_beside(path: str | os.PathLike[str]) -> tuple[Path, int, str]:
    """(target, fd, name) of a new private temporary file in the target's folder."""
    target = Path(path).expanduser()
    if target.is_dir():
        raise ExportError(f"{target} is a folder. Choose a file name.")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part",
                                   dir=target.parent)
    except OSError as exc:
        raise export_error(target, exc) from exc
    return target, fd, tmp


@contextmanager
def atomic_file(path: str | os.PathLike[str]) -> Iterator[BinaryIO]:
    """Yield a binary file; when the block ends without error its bytes replace ``path`` in
    one step (flushed to disk first). Raises ExportError."""
    target, fd, tmp = _temporary_beside(path)
    try:
        with os.fdopen(fd, "wb") as f:
            if os.name != "nt":
                os.fchmod(f.fileno(), PRIVATE_FILE)
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        _discard(tmp)
        raise export_error(target, exc) from exc
    except BaseException:
        _discard(tmp)
        raise


def check_target(path: str | os.PathLike[str]) -> Path:
    """Raise ExportError now if ``path`` could not be written (before any slow work)."""
    target, fd, tmp = _temporary_beside(path)
    os.close(fd)
    _discard(tmp)
    return target


def write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    with atomic_file(path) as f:
        f.write(data)
    return Path(path)


def _discard(tmp: str) -> None:
    try:
        os.unlink(tmp)
    except OSError:
        pass
