"""Where Rehearse keeps its data: one folder, moved by REHEARSE_HOME or --data-dir."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "Rehearse"
ENV_VAR = "REHEARSE_HOME"


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
        for d in (self.root, self.recordings, self.models, self.packs, self.logs):
            d.mkdir(parents=True, exist_ok=True)
        return self

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
