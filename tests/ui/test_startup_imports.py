"""Start-up stays light: a real `rehearse` start in a second process (the instance lock, the
storage checks, the main window shown) has not imported what only later steps need: Whisper and
torch (the model loads in a child process), the chart and PDF libraries (Progress and Export
import them when used), wordfreq (the analyzer is built on a worker thread), importlib.metadata
(sqlite-utils' scan of every installed package for plugins). numpy is still imported before the
window: sqlite-utils imports it with itself, and the history is opened before the window is
built (see bench/launch_time.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop_app.paths import AppPaths

pytestmark = pytest.mark.gui

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("torch", "whisper", "ctranslate2", "faster_whisper", "matplotlib", "fpdf", "wordfreq",
         "urllib.request", "importlib.metadata", "pandas", "scipy")

START = """
import json, sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from desktop_app.paths import resolve_paths
from desktop_app.ui.run import run_app

HEAVY = json.loads(sys.argv[2])
seen = {}

def shown(window):
    seen["shown"] = [m for m in HEAVY if m in sys.modules]
    seen["tabs"] = window.tabs.count()
    def later():  # the model has started loading meanwhile (when one is installed)
        seen["later"] = [m for m in HEAVY if m in sys.modules]
        seen["model"] = window.pipeline.state
        print("RESULT", json.dumps(seen), flush=True)
        window.close()
    QTimer.singleShot(1500, later)

app = QApplication(sys.argv[:1])
sys.exit(run_app(resolve_paths(sys.argv[1]), sys.argv[:1], on_shown=shown))
"""


def start(data: Path) -> dict:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-c", START, str(data), json.dumps(HEAVY)],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
    assert proc.returncode == 0 and lines, proc.stderr[-3000:]
    return json.loads(lines[-1].removeprefix("RESULT "))


def test_first_window_does_not_import_heavy_libraries(tmp_path):
    seen = start(tmp_path / "data")
    assert seen["tabs"] == 5  # the real main window was built and shown
    assert seen["shown"] == [], f"imported before the window showed: {seen['shown']}"
    assert seen["later"] == [], f"imported while idle after start-up: {seen['later']}"
    assert seen["model"] == "missing"


def test_model_loading_keeps_torch_out_of_the_window_process(tmp_path, tiny_model):
    paths = AppPaths(tmp_path / "data").ensure()
    for src in (tiny_model.path, tiny_model.path.with_suffix(".json")):
        if src.exists():
            os.symlink(src, paths.models / src.name)
    seen = start(paths.root)
    assert seen["shown"] == [], f"imported before the window showed: {seen['shown']}"
    assert seen["later"] == [], f"imported while the model loads: {seen['later']}"
    assert seen["model"] in ("loading", "ready")  # it was really loading, in its own process
