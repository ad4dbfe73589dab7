"""Check that every native library the app loads resolves (run right after installing only the
README's Debian packages, before the test-only ones): PortAudio, libsndfile, espeak-ng, and Qt's
xcb window plugin with everything it links. Prints what is missing; exits 1 if anything is."""

from __future__ import annotations

import ctypes.util
import shutil
import subprocess
import sys
from pathlib import Path

missing: list[str] = []


def need_library(name: str, why: str) -> None:
    if ctypes.util.find_library(name) is None:
        missing.append(f"lib{name} ({why})")


need_library("portaudio", "microphone and speaker")
need_library("espeak-ng", "speaking the questions")
if shutil.which("espeak-ng") is None:
    missing.append("espeak-ng (the program)")
try:
    import sounddevice  # noqa: F401
    import soundfile  # noqa: F401
except OSError as exc:
    missing.append(f"audio library: {exc}")

import PySide6  # noqa: E402

qt = Path(PySide6.__file__).parent / "Qt"
plugins = [qt / "plugins" / "platforms" / "libqxcb.so", qt / "lib" / "libQt6Widgets.so.6"]
for plugin in plugins:
    if not plugin.exists():
        missing.append(f"{plugin} (not in this PySide6 wheel)")
        continue
    out = subprocess.run(["ldd", str(plugin)], capture_output=True, text=True).stdout
    missing += [f"{line.split()[0]} (needed by {plugin.name})" for line in out.splitlines()
                if "not found" in line]
if missing:
    print("Missing with only the README's packages installed:", *sorted(set(missing)),
          sep="\n  ", file=sys.stderr)
    sys.exit(1)
print(f"native libraries: all found ({', '.join(p.name for p in plugins)}, PortAudio, espeak-ng)")
