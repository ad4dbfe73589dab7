"""Peak memory of a practice session (issue 4): the whole app, child processes included.

Each measurement runs in a fresh Python process (Qt offscreen) while this script samples, every
20 ms, the resident set size (VmRSS from /proc) of that process plus all its descendants (the
Whisper process) and keeps the peak of the sum. The session: open the real MainWindow on a
temporary data folder, load the model through its transcription worker, live-transcribe a 60 s
espeak-ng answer (the WAV of bench/stop_latency.py, fed through the app's LiveSession at 4x real
time), then score it with the Analyzer. The baseline is a bare Python + PySide6 window.
RSS sums count pages shared between processes twice, so they are an upper bound.

    python bench/memory.py [--answer-s 60]

Models are looked up in $REHEARSE_TEST_MODELS, ~/.cache/rehearse-tests/models and the app's
models folder. With no base/base.en weights offline, ``--synthetic-base`` measures a checkpoint of
base.en's exact dimensions with random weights instead (memory depends on the shapes, not the
values; the transcript is nonsense, so the words/score it prints mean nothing) and says so.
Last line: ``tiny.en_peak_mb=<x> base_peak_mb=<y|n/a> baseline_mb=<z>``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


# ---- sampling (parent) ---------------------------------------------------------------------------
def _children() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        kids.setdefault(ppid, []).append(int(entry))
    return kids


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_rss_mb(root: int) -> tuple[float, int]:
    """RSS of ``root`` and all its descendants (MB), and how many processes that is."""
    kids, todo, seen = _children(), [root], []
    while todo:
        pid = todo.pop()
        seen.append(pid)
        todo.extend(kids.get(pid, []))
    return sum(_rss_kb(p) for p in seen) / 1024.0, len(seen)


def measure(args: list[str], timeout: float = 900.0) -> tuple[float, int, str]:
    """Run this script with ``args`` in a child process; (peak tree RSS MB, max procs, stdout)."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.Popen([sys.executable, __file__, *args], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, env=env)
    peak, procs, deadline = 0.0, 1, time.monotonic() + timeout
    while proc.poll() is None:
        mb, n = tree_rss_mb(proc.pid)
        if mb > peak:
            peak = mb
        procs = max(procs, n)
        if time.monotonic() > deadline:
            proc.kill()
        time.sleep(0.02)
    out = proc.stdout.read() if proc.stdout else ""
    if proc.returncode != 0:
        raise RuntimeError(f"session {args} failed ({proc.returncode}):\n{out[-2000:]}")
    return peak, procs, out


def find_model(names: tuple[str, ...]):
    from desktop_app.paths import resolve_paths
    from desktop_app.transcription.models import ModelNotAvailable, ModelStore

    dirs = [os.environ.get("REHEARSE_TEST_MODELS"), "~/.cache/rehearse-tests/models",
            str(resolve_paths().models)]
    for d in filter(None, dirs):
        folder = Path(d).expanduser()
        if not folder.is_dir():
            continue
        for name in names:
            try:
                return ModelStore(folder).resolve(name)
            except ModelNotAvailable:
                continue
    return None


# ---- sessions (child) ----------------------------------------------------------------------------
def run_baseline() -> None:
    from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

    app = QApplication([])
    w = QMainWindow()
    w.setCentralWidget(QLabel("baseline"))
    w.show()
    end = time.monotonic() + 1.0
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)
    w.close()


def run_session(model_path: str, wav: str) -> None:
    import numpy as np
    import soundfile as sf
    from PySide6.QtWidgets import QApplication

    from desktop_app.app import build_services
    from desktop_app.paths import AppPaths
    from desktop_app.ui.main_window import MainWindow

    app = QApplication([])
    work = Path(tempfile.mkdtemp(prefix="rehearse-mem-"))
    services = build_services(AppPaths(work / "data"), with_audio=False)
    src = Path(model_path)
    for f in (src, src.with_suffix(".json")):
        if f.exists():
            os.symlink(f, services.paths.models / f.name)
    services.settings.model = src.stem
    services.settings.speak_questions = False
    w = MainWindow(services)
    w.show()
    t0 = time.monotonic()
    while w.pipeline.state not in ("ready", "missing"):
        app.processEvents()
        time.sleep(0.01)
        if time.monotonic() - t0 > 300:
            raise SystemExit("model did not load in 300 s")
    if w.pipeline.state == "missing":
        raise SystemExit(f"model missing: {w.pipeline.state_text}")
    print(f"loaded {src.stem} in {time.monotonic() - t0:.1f} s", flush=True)
    session = w.pipeline.start_live()
    audio, _ = sf.read(wav, dtype="float32")
    step = 1600
    for i in range(0, audio.size, step):
        session.feed(audio[i : i + step])
        app.processEvents()
        time.sleep(0.025)  # 4x real time
    for _ in range(10):
        session.feed(np.zeros(step, np.float32))
    transcript = session.live.finish()
    analysis = services.analyzer_factory().analyze(transcript)
    print(f"words={len(transcript.words)} overall={analysis.scores.get('overall')}", flush=True)
    w.close()
    services.repo.close()


def synthetic_base_en(folder: Path):
    """A base.en-shaped openai-whisper checkpoint with random weights, as a ModelInfo."""
    import dataclasses

    import torch
    from whisper.model import ModelDimensions, Whisper

    from desktop_app.transcription.models import ModelStore

    dims = ModelDimensions(n_mels=80, n_vocab=51864, n_audio_ctx=1500, n_audio_state=512,
                           n_audio_head=8, n_audio_layer=6, n_text_ctx=448, n_text_state=512,
                           n_text_head=8, n_text_layer=6)
    torch.manual_seed(0)
    path = folder / "base.en.pt"
    torch.save({"dims": dataclasses.asdict(dims), "model_state_dict": Whisper(dims).state_dict()},
               path)
    return ModelStore(folder / "models").import_path(path)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--answer-s", type=int, default=60)
    ap.add_argument("--role", choices=("main", "baseline", "session"), default="main")
    ap.add_argument("--model-path")
    ap.add_argument("--wav")
    ap.add_argument("--synthetic-base", action="store_true",
                    help="no base weights offline: use random weights of base.en's shapes")
    args = ap.parse_args(argv)
    if args.role == "baseline":
        run_baseline()
        return 0
    if args.role == "session":
        run_session(args.model_path, args.wav)
        return 0

    from stop_latency import answer_wav

    wav, _text = answer_wav(args.answer_s)
    base_mb, _, _ = measure(["--role", "baseline"])
    print(f"baseline (python + PySide6 window): peak {base_mb:.0f} MB")
    results: dict[str, str] = {}
    for label, names in (("tiny.en", ("tiny.en",)), ("base", ("base.en", "base"))):
        info = find_model(names)
        if info is None and label == "base" and args.synthetic_base:
            info = synthetic_base_en(Path(tempfile.mkdtemp(prefix="rehearse-synth-")))
            print("base.en: no weights offline; random weights with base.en's dimensions")
        if info is None:
            print(f"{'/'.join(names)} not available offline")
            results[label] = "n/a"
            continue
        peak, procs, out = measure(["--role", "session", "--model-path", str(info.path),
                                    "--wav", str(wav)])
        detail = " ".join(line for line in out.splitlines() if line.strip())
        print(f"{info.name}: peak {peak:.0f} MB over {procs} processes "
              f"({args.answer_s} s answer; {detail})")
        results[label] = f"{peak:.0f}"
    print(f"tiny.en_peak_mb={results['tiny.en']} base_peak_mb={results['base']} "
          f"baseline_mb={base_mb:.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
