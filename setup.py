"""Build hook: ship prompts/ and assets/ inside the package (desktop_app/_data) for wheel installs.

All metadata lives in pyproject.toml; an editable install reads the folders from the source tree.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildPyWithData(build_py):
    """Copy the data folders next to the built package."""

    def run(self) -> None:
        super().run()
        root = Path(__file__).resolve().parent
        target = Path(self.build_lib) / "desktop_app" / "_data"
        for name in ("prompts", "assets"):
            if (root / name).is_dir():
                shutil.copytree(root / name, target / name, dirs_exist_ok=True)


setup(cmdclass={"build_py": BuildPyWithData})
