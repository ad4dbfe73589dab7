"""Where Rehearse keeps its data: one folder, moved by REHEARSE_HOME or --data-dir.

The folder holds a candidate's voice and words, so it is private: folders 0700 and files 0600
whatever the umask (POSIX; Windows keeps the user-profile ACLs). :meth:`AppPaths.ensure` makes
the folders and repairs the modes of what Rehearse keeps there; nothing else in a folder the
user pointed us at is touched.
"""

from __future__ import annotations

import logging
import os
import stat
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "Rehearse"
ENV_VAR = "REHEARSE_HOME"
PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600
# Files of the data folder's top level that are Rehearse's (the database, its -wal/-shm/-journal,
# backups, moved-aside copies and lock files, settings, the instance lock).
_OWN_FILES = ("rehearse.db", "settings.", ".rehearse-instance.lock")

log = logging.getLogger(__name__)


def make_private(path: Path, *, is_dir: bool | None = None) -> bool:
    """chmod a folder to 0700 or a file to 0600 (not through symlinks). False if it failed."""
    if os.name == "nt":
        return True
    try:
        st = os.lstat(path)
        if stat.S_ISLNK(st.st_mode):
            return True
        want = PRIVATE_DIR if (stat.S_ISDIR(st.st_mode) if is_dir is None else is_dir) else (
            PRIVATE_FILE)
        if stat.S_IMODE(st.st_mode) != want:
            os.chmod(path, want)
        return True
    except OSError as exc:
        log.warning("could not make %s private: %s", path, exc)
        return False


def write_private(path: Path, data: bytes) -> None:
    """Write a whole file created 0600 whatever the umask (replacing its contents)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
    with os.fdopen(fd, "wb") as f:
        if os.name != "nt":
            os.fchmod(f.fileno(), PRIVATE_FILE)
        f.write(data)


def private_tree(root: Path) -> int:
    """Make every folder under ``root`` (itself included) 0700 and every file 0600; symlinks are
    not followed. Returns how many entries could not be changed."""
    failed = 0 if make_private(root, is_dir=True) else 1
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames:
            failed += not make_private(Path(dirpath, name))
        for name in filenames:
            failed += not make_private(Path(dirpath, name))
    return failed


@dataclass(frozen=True)
class AppPaths:
    """All on-disk locations, derived from one root folder."""

    root: Path

    @property
    def database(self) -> Path:
        return self.root / "rehearse.db"

    @property
    def recordings(self) -> Path:
        return self.root / "recordings"

    @property
    def models(self) -> Path:
        return self.root / "models"

    @property
    def packs(self) -> Path:
        """The user's own question packs (TOML), loaded after the bundled ones."""
        return self.root / "packs"

    @property
    def settings(self) -> Path:
        return self.root / "settings.json"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    def ensure(self) -> AppPaths:
        """Create the folders (0700) and repair the modes of Rehearse's own files.

        Raises OSError when a folder cannot be created; a mode that cannot be changed (a
        read-only mount) is only logged.
        """
        for d in (self.root, self.recordings, self.models, self.packs, self.logs):
            d.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
        self.repair_modes()
        return self

    def repair_modes(self) -> int:
        """Make the data folder private again (an older Rehearse left it 755/644): the root,
        Rehearse's own top-level files and everything in its own subfolders. Returns the number
        of entries that could not be changed."""
        failed = 0 if make_private(self.root, is_dir=True) else 1
        try:
            entries = list(os.scandir(self.root))
        except OSError as exc:
            log.warning("cannot list %s: %s", self.root, exc)
            return failed + 1
        subdirs = {p.name for p in (self.recordings, self.models, self.packs, self.logs)}
        for entry in entries:
            if entry.name in subdirs and entry.is_dir(follow_symlinks=False):
                failed += private_tree(Path(entry.path))
            elif entry.name.startswith(_OWN_FILES) and entry.is_file(follow_symlinks=False):
                failed += not make_private(Path(entry.path), is_dir=False)
        return failed

    def relative(self, path: Path) -> str:
        """A path stored in the database: relative to the root, with forward slashes."""
        return Path(path).resolve().relative_to(self.root.resolve()).as_posix()

    def absolute(self, stored: str) -> Path:
        return self.root / stored


def resolve_paths(data_dir: str | os.PathLike[str] | None = None) -> AppPaths:
    """--data-dir wins, then $REHEARSE_HOME, then the platform's user data folder."""
    if data_dir:
        root = Path(data_dir)
    elif os.environ.get(ENV_VAR):
        root = Path(os.environ[ENV_VAR])
    else:
        root = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    return AppPaths(root.expanduser().resolve())


def project_root() -> Path:
    """The folder holding prompts/ and assets/ (source tree, or bundled in the package)."""
    here = Path(__file__).resolve().parent
    for cand in (here / "_data", here.parent):
        if (cand / "prompts").is_dir() and (cand / "assets").is_dir():
            return cand
    return here.parent


def prompts_dir() -> Path:
    return project_root() / "prompts"


def assets_dir() -> Path:
    return project_root() / "assets"
