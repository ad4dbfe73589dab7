"""Launch → interactive window, against a bare PySide6 window measured in the same run.

Each sample is a fresh process; the clock starts before the interpreter is spawned and stops at the
first event-loop turn after the window is shown (when it can take a click). The app starts the way
`rehearse` does (ui/run.py: the instance lock, the storage checks, the window). The model loads on
the transcription thread afterwards, so a data folder with a model installed is a fair test.
``--before DIR`` interleaves samples of another source tree (e.g. ``git archive ed45453``):
    python bench/launch_time.py [--runs 5] [--data-dir DIR] [--before DIR]
Last line: launch_s=<median> bare_s=<median> ratio=<launch/bare> torch_imported=<bool>
[before_s=<median> before_ratio=<before/bare> paired=<median of launch/before, run by run>]
The paired ratio compares the two trees sample by sample (taken seconds apart), so a shared
machine's load, which swings between runs, cancels out better than in the two medians. The line
before it lists the heavy libraries imported by the time the window could take a click.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

BARE = """
import sys, time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication(sys.argv)
w = QLabel("hello"); w.resize(1100, 760); w.show()
QTimer.singleShot(0, lambda: (print("READY", time.time(), flush=True), app.quit()))
app.exec()
"""

APP = """
import sys, time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from desktop_app.paths import resolve_paths
app = QApplication(sys.argv)
HEAVY = ("torch", "whisper", "numpy", "sqlite_utils", "wordfreq", "matplotlib", "fpdf")
def ready(w):
    import desktop_app
    print("READY", time.time(), "torch" in sys.modules,
          ",".join(m for m in HEAVY if m in sys.modules) or "-", desktop_app.__file__, flush=True)
    w.close(); app.quit()
try:
    from desktop_app.ui.run import run_app
except ImportError:  # an older tree: build the window directly, as it did
    run_app = None
if run_app is not None:
    run_app(resolve_paths(sys.argv[1]), sys.argv, on_shown=ready)
else:
    from desktop_app.app import build_services
    from desktop_app.ui.main_window import MainWindow
    w = MainWindow(build_services(resolve_paths(sys.argv[1])))
    w.show()
    QTimer.singleShot(0, lambda: ready(w))
    app.exec()
"""


def sample(code: str, *args: str, tree: str | None = None) -> tuple[float, str, str]:
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    root = tree or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env["PYTHONPATH"] = root
    t0 = time.time()
    # cwd too: `python -c` puts the working directory first on sys.path, so run from elsewhere
    # the "before" tree would silently import this one's desktop_app
    out = subprocess.run([sys.executable, "-c", code, *args], env=env, cwd=root,
                         capture_output=True, text=True, check=True).stdout
    line = next(ln for ln in out.splitlines() if ln.startswith("READY"))
    parts = line.split()
    if len(parts) > 4:  # the app: make sure it is the tree asked for
        assert os.path.realpath(parts[4]).startswith(os.path.realpath(root)), (parts[4], root)
    return (float(parts[1]) - t0, parts[2] if len(parts) > 2 else "",
            parts[3] if len(parts) > 3 else "")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--data-dir", help="data folder (default: a new empty one)")
    p.add_argument("--before", metavar="DIR", help="another source tree, sampled in turn")
    args = p.parse_args()
    data = args.data_dir or tempfile.mkdtemp(prefix="rehearse-bench-")
    old_data = tempfile.mkdtemp(prefix="rehearse-bench-before-") if args.before else None
    sample(BARE)  # warm the OS file cache for all
    sample(APP, data)
    if args.before:
        sample(APP, old_data, tree=args.before)
    bare, launch, old, torch, heavy = [], [], [], set(), {}
    for _ in range(args.runs):
        bare.append(sample(BARE)[0])
        t, imported, libs = sample(APP, data)
        launch.append(t)
        torch.add(imported)
        heavy["now"] = libs
        if args.before:
            t, _, libs = sample(APP, old_data, tree=args.before)
            old.append(t)
            heavy["before"] = libs
    b, a = statistics.median(bare), statistics.median(launch)
    print(f"bare window runs: {', '.join(f'{x:.2f}' for x in bare)}")
    print(f"rehearse runs:    {', '.join(f'{x:.2f}' for x in launch)}")
    tail = ""
    if old:
        print(f"before runs:      {', '.join(f'{x:.2f}' for x in old)}")
        o = statistics.median(old)
        paired = statistics.median(x / y for x, y in zip(launch, old, strict=True))
        tail = f" before_s={o:.2f} before_ratio={o / b:.2f} paired={paired:.2f}"
    print("heavy libraries loaded at the window: "
          + "; ".join(f"{k}: {v}" for k, v in heavy.items()))
    print(f"launch_s={a:.2f} bare_s={b:.2f} ratio={a / b:.2f} "
          f"torch_imported={'True' in torch}{tail}")


if __name__ == "__main__":
    main()
