"""The gaps a candidate waits through in a mock interview round (issue 10), through the real
window: question spoken → think clock, record → microphone capturing, and after each answer
ends (hands-free, on 4 s of silence) → saved, → transcribed, → scored, → follow-up said, →
follow-up heard. Baseline, same run, same load: the same answer recorded from the same virtual
microphone into a bare ``LiveTranscriber`` (the app's live path without the window, the
database or the round), timed from stop to its transcript and scores — what the round's
"answer end → scored" would be if the app added nothing.

The window is offscreen Qt with real services in a temporary data folder: espeak-ng speaks the
interviewer's lines through PulseAudio, espeak-ng answers (bench/stop_latency.py's sentences,
``--lengths`` seconds each, cached) are played into the virtual microphone, and the real model
(``--model``, from ``REHEARSE_TEST_MODELS`` or the data folder) transcribes and scores.
``--load N`` runs N busy processes (nice 0) for the whole run, as a browser or a video call
would. Needs PulseAudio, PortAudio and espeak-ng; says why not and exits 2 without them.

    python bench/round_gaps.py --questions 3 --lengths 30,45 --load 2

The last line reads ``answer_end_to_scored_s=<median> baseline_s=<median> ratio=<x>``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.stop_latency import VirtualMic, answer_wav, record_live  # noqa: E402
from desktop_app.app import build_services  # noqa: E402
from desktop_app.paths import AppPaths, resolve_paths  # noqa: E402

FOLLOW_UP_ANSWER = ("I would measure it every week on the dashboard, and next time I would "
                    "bring the supplier in from the first week.")
GAPS = ("question_to_think_clock", "record_to_capture", "answer_end_to_saved",
        "answer_end_to_transcribed", "answer_end_to_scored", "answer_end_to_follow_up_said",
        "answer_end_to_follow_up_heard")


def _pump(app, cond, timeout: float, what: str) -> None:
    end = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > end:
            raise TimeoutError(f"timed out waiting for {what}")
        app.processEvents()
        time.sleep(0.005)


def _play(mic: VirtualMic, wav: Path) -> threading.Thread:
    """Play into the microphone off the GUI thread (the window keeps running meanwhile)."""
    t = threading.Thread(target=mic.play, args=(wav,), daemon=True)
    t.start()
    return t


def run_round(app, svc, mic: VirtualMic, answers: list[Path], follow_wav: Path) -> dict:
    from desktop_app.ui.main_window import MainWindow

    w = MainWindow(svc, load_model_on_show=True)
    w.show()
    try:
        _pump(app, lambda: w.pipeline.state == "ready", 300, "the model")
        w.tabs.setCurrentWidget(w.interview_view)
        iv, setup = w.interview_view, w.interview_view.setup
        setup.count_spin.setValue(len(answers))
        setup.think_spin.setValue(2)
        _pump(app, lambda: setup.plan is not None and len(setup.plan.items) == len(answers),
              30, "the plan")
        setup.start_button.click()
        captured = 0
        for wav in answers:
            for part in (wav, follow_wav):
                captured += 1
                _pump(app, lambda n=captured: len(iv.runner.gaps.record_to_capture) >= n, 600,
                      f"answer {captured} capturing")
                player = _play(mic, part)
                _pump(app, lambda p=player: not p.is_alive(), 600, "the answer played")
        _pump(app, lambda: iv.runner.report is not None, 1200, "the round report")
        g = iv.runner.gaps
        return {k: list(getattr(g, k)) for k in GAPS}
    except TimeoutError:
        r = iv.runner
        if r is not None:  # what the round was doing: for a report of the stall
            m, v = r.machine, iv.voice
            print(f"stalled: phase={m.s.phase} part={m.s.part} index={m.s.index} "
                  f"say_role={m.s.say_role} finishing={r.finishing} unscored={r._unscored} "
                  f"voice line={v._line} heard={v._heard} stale_ends={v._stale_ends} "
                  f"speaking={getattr(v.speech, 'speaking', None)} "
                  f"pipeline={w.pipeline.state} gaps={r.gaps}", flush=True)
        raise
    finally:
        w.close()
        app.processEvents()


def baseline(svc, models: Path, model: str, mic: VirtualMic, wavs: list[Path],
             work: Path) -> list[float]:
    """Stop → transcript + scores of a bare LiveTranscriber on the same answers."""
    import numpy as np

    from desktop_app.analysis import Analyzer
    from desktop_app.transcription.host import EngineHost
    from desktop_app.transcription.live import LiveConfig, LiveTranscriber, engine_chunk_fn
    from desktop_app.transcription.models import ModelStore

    store = ModelStore(models)
    host = EngineHost(store, svc.engine_factory)
    host.load(store.resolve(model).name)
    host.wait_ready()
    host.decode(np.zeros(16000, np.float32) + 1e-3)
    analyzer, config, out = Analyzer(), LiveConfig.load(), []
    try:
        for n, wav in enumerate(wavs):
            live = LiveTranscriber(engine_chunk_fn(host.decoder()), config=config)
            stop = record_live(wav, live, mic, work / f"base-{n}.wav", 4.0)
            t0 = time.perf_counter()
            stop()
            analyzer.analyze(live.finish())
            out.append(round(time.perf_counter() - t0, 3))
    finally:
        host.release()
    return out


def _median(xs: list[float]) -> str:
    return f"{statistics.median(xs):.2f}" if xs else "n/a"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--questions", type=int, default=3)
    ap.add_argument("--lengths", default="30,45", help="answer lengths (s), used in turn")
    ap.add_argument("--model", default="tiny.en")
    ap.add_argument("--load", type=int, default=0, help="busy processes for the whole run")
    args = ap.parse_args(argv)
    if not 3 <= args.questions <= 8:
        ap.error("--questions: a round has 3 to 8 questions")
    for tool in ("espeak-ng", "paplay"):
        if shutil.which(tool) is None:
            print(f"cannot run: {tool} is not installed")
            return 2
    mic = VirtualMic()
    why = mic.start()
    if why is not None:
        print(f"cannot run: no virtual microphone ({why})")
        return 2
    lengths = [int(x) for x in args.lengths.split(",") if x.strip()]
    wavs = [answer_wav(lengths[n % len(lengths)])[0] for n in range(args.questions)]
    work = Path(tempfile.mkdtemp(prefix="rehearse-round-bench-"))
    follow = work / "follow.wav"
    subprocess.run(["espeak-ng", "-s", "160", "-w", str(follow), FOLLOW_UP_ANSWER], check=True,
                   timeout=60)
    models = Path(os.environ.get("REHEARSE_TEST_MODELS") or resolve_paths().models)
    busy = [subprocess.Popen([sys.executable, "-c", "while True: pass"])
            for _ in range(args.load)]
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    svc = build_services(AppPaths(work / "data").ensure())
    try:
        if svc.sd is None:
            print(f"cannot run: no audio ({'; '.join(svc.notices)})")
            return 2
        svc.settings.speak_questions, svc.settings.live_transcription = False, True
        for f in models.glob(f"{args.model}.*"):
            os.symlink(f, svc.paths.models / f.name)
        base = baseline(svc, models, args.model, mic, wavs, work)
        gaps = run_round(app, svc, mic, wavs, follow)
    finally:
        for p in busy:
            p.kill()
            p.wait()
        svc.repo.close()
        mic.close()
        shutil.rmtree(work, ignore_errors=True)
    print(f"load={args.load} questions={args.questions} lengths={lengths} model={args.model}")
    for k in GAPS:
        print(f"{k}: median {_median(gaps[k])} s  all {gaps[k]}")
    print(f"baseline (bare LiveTranscriber stop → transcript + scores): median "
          f"{_median(base)} s  all {base}")
    scored, b = gaps["answer_end_to_scored"], base
    saved, heard = gaps["answer_end_to_saved"], gaps["answer_end_to_transcribed"]
    if scored and saved and heard:
        tail = [t - s for t, s in zip(heard, saved, strict=False)]
        analysis = [s - t for s, t in zip(scored, heard, strict=False)]
        print(f"answer end → scored, split: stop+save {_median(saved)} s, transcription tail "
              f"{_median(tail)} s, analysis incl. follow-up choice {_median(analysis)} s")
    ratio = statistics.median(scored) / statistics.median(b) if scored and b else float("nan")
    print(f"answer_end_to_scored_s={_median(scored)} baseline_s={_median(b)} ratio={ratio:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
