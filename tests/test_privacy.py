"""The candidate's voice and words are private: the data folder is 0700 and its files 0600,
whatever the umask, and an existing folder left 755/644 by an older Rehearse is repaired.

Real file modes on real files; the umask is set in a real child process (never in this one).
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from desktop_app.app import build_services
from desktop_app.audio.wavio import write_wav
from desktop_app.paths import AppPaths

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(os.name == "nt", reason="POSIX file modes")


def modes(root: Path) -> dict[str, int]:
    """Mode of every entry under ``root`` (itself as "."), not following symlinks."""
    out = {".": stat.S_IMODE(os.lstat(root).st_mode)}
    for p in root.rglob("*"):
        out[str(p.relative_to(root))] = stat.S_IMODE(os.lstat(p).st_mode)
    return out


def assert_private(root: Path, *, skip: tuple[str, ...] = ()) -> None:
    bad = {}
    for name, mode in modes(root).items():
        if name.startswith(skip):
            continue
        want = 0o700 if (root / name).is_dir() else 0o600
        if mode != want:
            bad[name] = oct(mode)
    assert not bad, f"not private: {bad}"


A_SESSION = textwrap.dedent(
    """
    import os, sys
    os.umask(0)  # the most permissive umask there is
    import numpy as np
    from pathlib import Path
    from desktop_app.app import build_services, setup_logging
    from desktop_app.audio.wavio import StreamingWavWriter
    from desktop_app.domain import Attempt
    from desktop_app.paths import AppPaths
    paths = AppPaths(Path(sys.argv[1]))
    setup_logging(paths)
    services = build_services(paths, with_audio=False)
    wav = paths.recordings / "20240101-120000-q.wav"
    writer = StreamingWavWriter(wav)
    writer.write(np.zeros(16000, dtype=np.float32))
    print(oct(os.stat(writer.partial_path).st_mode & 0o777), flush=True)
    writer.close()
    services.repo.add_attempt(Attempt(None, "q", "2024", audio_path=paths.relative(wav)))
    services.settings.save(paths.settings)
    import logging
    logging.getLogger("fontTools.subset").info("glyf pruned")  # a library's chatter
    for n in range(1300):  # more than one log file holds: it rotates
        logging.getLogger("desktop_app.test").info("line %d %s", n, "x" * 1000)
    print("done", flush=True)
    """
)


def test_a_session_with_umask_000_leaves_only_private_files(tmp_path):
    root = tmp_path / "data"
    done = subprocess.run([sys.executable, "-c", A_SESSION, str(root)], capture_output=True,
                          text=True, env=dict(os.environ, PYTHONPATH=str(REPO)), timeout=120)
    assert done.returncode == 0, done.stderr
    partial_mode, finished = done.stdout.split()
    assert finished == "done"
    assert partial_mode == "0o600"  # private while it is being recorded, not only afterwards
    names = set(modes(root))
    assert {"rehearse.db", "settings.json", "logs/rehearse.log", "logs/rehearse.log.1",
            "recordings", "recordings/20240101-120000-q.wav"} <= names
    assert_private(root)  # the rotated log too
    logs = "".join(p.read_text(encoding="utf-8") for p in (root / "logs").iterdir())
    assert "line 1299" in logs and "glyf pruned" not in logs
    assert all(p.stat().st_size <= 1_100_000 for p in (root / "logs").iterdir())


def test_an_existing_open_folder_is_repaired_at_start(tmp_path):
    root = tmp_path / "data"
    paths = AppPaths(root).ensure()
    build_services(paths, with_audio=False).repo.close()
    write_wav(paths.recordings / "old.wav", np.zeros(1600, dtype=np.float32))
    (paths.recordings / "2024").mkdir()
    write_wav(paths.recordings / "2024" / "older.wav", np.zeros(1600, dtype=np.float32))
    (paths.models / "tiny.en.pt").write_bytes(b"weights")
    (paths.packs / "mine.toml").write_text("", encoding="utf-8")
    paths.settings.write_text("{}", encoding="utf-8")
    (paths.logs / "rehearse.log").write_text("", encoding="utf-8")
    foreign = root / "my-notes.txt"  # not Rehearse's: a folder the user pointed us at
    foreign.write_text("mine", encoding="utf-8")
    outside = tmp_path / "shared-weights.pt"  # a model linked in from elsewhere
    outside.write_bytes(b"weights")
    os.symlink(outside, paths.models / "base.en.pt")
    for p in [root, *root.rglob("*")]:  # what an older Rehearse left: 755 folders, 644 files
        if not p.is_symlink():
            os.chmod(p, 0o755 if p.is_dir() else 0o644)
    os.chmod(outside, 0o644)

    build_services(paths, with_audio=False).repo.close()

    assert_private(root, skip=("my-notes.txt", "models/base.en.pt"))
    assert stat.S_IMODE(foreign.stat().st_mode) == 0o644  # left alone
    assert stat.S_IMODE(outside.stat().st_mode) == 0o644  # a symlink is not followed
