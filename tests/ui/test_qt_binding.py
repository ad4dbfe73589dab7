"""The Qt binding keeps Python's reference counts straight.

PySide6-Essentials 6.12.0 (Python 3.11) drops a reference to None on every label update or
repaint and to True/False on every signal: after a minute or two of recording, when the level
meter and live transcript update many times a second, the interpreter aborts ("Fatal Python
error: none_dealloc") at exit or mid-session. pyproject.toml excludes that release; this fails
if the installed binding has the bug.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.gui

SCRIPT = textwrap.dedent(
    """
    import sys
    from PySide6.QtCore import QObject, Signal
    from PySide6.QtWidgets import QApplication, QLabel, QProgressBar

    class Emitter(QObject):
        changed = Signal(object)
        flag = Signal(bool)

    app = QApplication([])
    label, bar, emitter, seen = QLabel(), QProgressBar(), Emitter(), []
    emitter.changed.connect(seen.append)
    emitter.flag.connect(seen.append)
    label.show(); bar.show(); app.processEvents()
    before = sys.getrefcount(None), sys.getrefcount(True)
    for i in range(3000):
        label.setText(f"{i} words"); bar.setValue(i % 100)
        emitter.changed.emit(None); emitter.flag.emit(i % 2 == 0)
        label.repaint()
    seen.clear()
    after = sys.getrefcount(None), sys.getrefcount(True)
    print(after[0] - before[0], after[1] - before[1])
    """
)


def test_widget_updates_and_signals_leave_none_and_true_alone():
    """3,000 label updates, repaints and signals in a child interpreter: the reference counts
    of None and True hold, and the interpreter exits cleanly (no abort at finalisation)."""
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120,
        env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert done.returncode == 0, f"the interpreter aborted: {done.stderr[-600:]}"
    none_delta, true_delta = map(int, done.stdout.split())
    assert abs(none_delta) < 300 and abs(true_delta) < 300, (none_delta, true_delta)
