"""Real small and read-only disks for the full-disk and read-only tests (mounting needs root;
without it the tests say why they skipped, or fail under REHEARSE_REQUIRE_REAL=1)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.fixtures_audio import require_real


def _run(*args: str, why: str) -> None:
    done = subprocess.run(list(args), capture_output=True, text=True)
    if done.returncode != 0:
        require_real(f"{why} ({done.stderr.strip()}); needs root")


@pytest.fixture
def tmpfs(tmp_path):
    """Factory: ``tmpfs("64k")`` mounts a fresh tmpfs of that size and returns its folder."""
    mounts: list[Path] = []

    def make(size: str, name: str = "disk") -> Path:
        mount = tmp_path / name
        mount.mkdir()
        _run("mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount),
             why=f"cannot mount a {size} tmpfs to fill up")
        mounts.append(mount)
        return mount

    yield make
    for mount in reversed(mounts):
        subprocess.run(["umount", str(mount)], check=False, capture_output=True)


@pytest.fixture
def read_only_mount(tmp_path):
    """Factory: ``read_only_mount(src)`` returns a read-only view of the folder ``src``."""
    mounts: list[Path] = []

    def make(src: Path) -> Path:
        mnt = tmp_path / f"ro-{len(mounts)}"
        mnt.mkdir()
        _run("mount", "--bind", str(src), str(mnt), why="cannot bind-mount a folder")
        mounts.append(mnt)
        _run("mount", "-o", "remount,bind,ro", str(mnt), why="cannot make a mount read-only")
        return mnt

    yield make
    for mnt in reversed(mounts):
        subprocess.run(["umount", str(mnt)], check=False, capture_output=True)
