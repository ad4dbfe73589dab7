"""Worst GUI-thread stall while the model loads and a spoken answer is transcribed (issue 4.3).

A 10 ms Qt timer (PreciseTimer, offscreen) records its own lateness on the GUI thread while a
Python thread runs ``engine.load()`` then ``engine.transcribe()`` of a ~60 s espeak-ng answer:
(a) baseline: the in-thread ``WhisperEngine`` (torch/whisper in the GUI process);
(b) ``ProcessEngine`` (Whisper in a child process). Each measurement runs in a fresh interpreter
(so ``import torch`` is part of the baseline, as in the app), both in the same run.

    python bench/gui_stall.py [--model tiny.en] [--answer-s 60] [--runs 1] [--nice N]

Each line also says how long the worst tick's GUI thread sat runnable waiting for a CPU (Linux
schedstat): a stall that is all CPU wait comes from other load on the machine, not from the GIL.

Model from REHEARSE_TEST_MODELS or ~/.cache/rehearse-tests/models. Target: worst <= 50 ms.
Last line: ``worst_ms=<process> p99_ms=<process> baseline_worst_ms=<thread> ratio=<base/proc>``
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
TICK_MS = 10


def models_dir() -> Path:
    env = os.environ.get("REHEARSE_TEST_MODELS")
    return Path(env) if env else Path("~/.cache/rehearse-tests/models").expanduser()


def run_queue_wait() -> float:
    """Seconds the calling thread has spent runnable but waiting for a CPU (Linux schedstat)."""
    try:
        with open(f"/proc/self/task/{threading.get_native_id()}/schedstat") as f:
            return int(f.read().split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return 0.0


def measure(kind: str, models: Path, name: str, wav: Path, nice: int | None = None) -> dict:
    """One measurement in this (fresh) process; returns the figures."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import numpy as np
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtWidgets import QApplication

    from desktop_app.audio.wavio import read_audio_16k
    from desktop_app.transcription.models import ModelStore

    info = ModelStore(models).resolve(name)
    audio = read_audio_16k(wav)
    if kind == "thread":
        from desktop_app.transcription.engine import WhisperEngine

        engine = WhisperEngine(info)
    else:
        from desktop_app.transcription.process_engine import ProcessEngine

        engine = ProcessEngine(info, **({} if nice is None else {"nice": nice}))
    app = QApplication.instance() or QApplication([])
    times: dict[str, float] = {}
    text: list[str] = []
    lateness: list[float] = []
    last = [0.0]
    done = threading.Event()

    def work() -> None:
        try:
            t0 = time.perf_counter()
            engine.load()
            t1 = time.perf_counter()
            text.append(engine.transcribe(audio).text)
            times.update(load_s=t1 - t0, transcribe_s=time.perf_counter() - t1)
        except Exception as exc:  # reported after the event loop ends
            text.append(f"ERROR {exc}")
        finally:
            done.set()

    waits: list[float] = []  # of each tick interval: time the GUI thread sat runnable, unscheduled
    last_wait = [run_queue_wait()]

    def tick() -> None:
        now, wait = time.perf_counter(), run_queue_wait()
        lateness.append(now - last[0] - TICK_MS / 1000)
        waits.append(wait - last_wait[0])
        last[0], last_wait[0] = now, wait
        if done.is_set():
            app.quit()

    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.setInterval(TICK_MS)
    timer.timeout.connect(tick)
    worker = threading.Thread(target=work, name="transcription")

    def begin() -> None:
        last[0], last_wait[0] = time.perf_counter(), run_queue_wait()
        timer.start()
        worker.start()

    QTimer.singleShot(0, begin)
    app.exec()
    timer.stop()
    worker.join()
    getattr(engine, "close", lambda: None)()
    if not times:
        raise SystemExit(f"{kind}: {text[0] if text else 'no result'}")
    late_ms = np.array(lateness) * 1000
    worst = int(late_ms.argmax())
    return {
        "kind": kind,
        "worst_ms": float(late_ms.max()),
        "p99_ms": float(np.percentile(late_ms, 99)),
        "worst_cpu_wait_ms": waits[worst] * 1000,
        "ticks": int(late_ms.size),
        "over_50ms": int((late_ms > 50).sum()),
        "torch_in_gui_process": "torch" in sys.modules,
        "words": len(text[0].split()) if text else 0,
        **times,
    }


def run_one(kind: str, args: argparse.Namespace, wav: Path) -> dict:
    cmd = [sys.executable, __file__, "--measure", kind, "--model", args.model, "--wav", str(wav)]
    if args.nice is not None:
        cmd += ["--nice", str(args.nice)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="tiny.en")
    parser.add_argument("--answer-s", type=int, default=60)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--nice", type=int, help="child niceness (default: ProcessEngine's)")
    parser.add_argument("--measure", choices=("thread", "process"), help=argparse.SUPPRESS)
    parser.add_argument("--wav", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(args.measure, models_dir(), args.model, args.wav, args.nice)))
        return 0

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from stop_latency import answer_wav  # the same cached espeak-ng answer as that benchmark

    wav, _ = answer_wav(args.answer_s)
    results: dict[str, list[dict]] = {"thread": [], "process": []}
    for _ in range(args.runs):
        for kind in ("thread", "process"):
            r = run_one(kind, args, wav)
            results[kind].append(r)
            print(
                f"{kind:8s} worst {r['worst_ms']:7.1f} ms  p99 {r['p99_ms']:5.1f} ms  "
                f">50ms ticks {r['over_50ms']:3d}/{r['ticks']}  load {r['load_s']:.1f} s  "
                f"transcribe {r['transcribe_s']:.1f} s  words {r['words']}  "
                f"worst tick: {r['worst_cpu_wait_ms']:.0f} ms waiting for a CPU  "
                f"torch in GUI process: {r['torch_in_gui_process']}",
                flush=True,
            )

    def med(kind: str, key: str) -> float:
        return statistics.median(r[key] for r in results[kind])

    worst, p99 = med("process", "worst_ms"), med("process", "p99_ms")
    base = med("thread", "worst_ms")
    print(f"model {args.model}, answer {args.answer_s} s, runs {args.runs}; target worst <= 50 ms")
    print(
        f"worst_ms={worst:.1f} p99_ms={p99:.1f} baseline_worst_ms={base:.1f} "
        f"ratio={base / worst:.1f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
